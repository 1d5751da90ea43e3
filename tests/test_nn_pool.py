"""Pooling (max/avg/adaptive/lp, 1-D and 2-D, functional and layers) against PyTorch:
values, indices, input gradients (ties and NaN included), errors, repr, gradchecks."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn.functional as F
from numtorch._ops import pool as pool_ops
from numtorch.autograd import gradcheck
from conftest import assert_close
from test_nn_conv import both, same_error

RNG = np.random.default_rng(12)
TF = torch.nn.functional


def data(shape, kind):
    """Random floats, or small integers (many ties), or ReLU'd (many zero ties)."""
    x = RNG.standard_normal(shape).astype(np.float32)
    if kind == 'ties':
        return np.round(x * 1.5).astype(np.float32)
    if kind == 'relu':
        return np.maximum(x, 0)
    return x


MAX2D = [
    ((2, 3, 8, 8), (2,), {}),
    ((2, 3, 9, 7), (2,), {}),
    ((2, 3, 9, 7), (3,), dict(stride=2, padding=1)),
    ((2, 3, 9, 7), ((3, 2),), dict(stride=(2, 1), padding=(1, 1), dilation=(2, 1),
                                   ceil_mode=True)),
    ((2, 3, 10, 11), (3,), dict(stride=2, padding=1, dilation=2, ceil_mode=True)),
    ((3, 9, 7), (3,), dict(stride=2, ceil_mode=True)),
    ((1, 2, 5, 5), (2,), dict(stride=1)),
    ((1, 2, 6, 6), (2,), dict(stride=[])),
    ((2, 2, 7, 7), (2,), dict(ceil_mode=True)),
    ((2, 2, 4, 5), (1,), {}),
]


@pytest.mark.parametrize('xs,a,kw', MAX2D)
@pytest.mark.parametrize('kind', ['float', 'ties', 'relu'])
@pytest.mark.parametrize('ri', [False, True])
def test_max_pool2d(xs, a, kw, kind, ri):
    both(lambda t: F.max_pool2d(t, *a, return_indices=ri, **kw),
         lambda t: TF.max_pool2d(t, *a, return_indices=ri, **kw), data(xs, kind))


@pytest.mark.parametrize('xs,a,kw', MAX2D)
@pytest.mark.parametrize('kind', ['float', 'ties'])
def test_max_pool2d_threads(monkeypatch, xs, a, kw, kind):
    """Forward and backward with the batch split between threads (3 here, so that some
    threads get one sample or none)."""
    monkeypatch.setattr(pool_ops, '_PARALLEL_MIN', 0)
    numtorch.set_num_threads(3)
    try:
        both(lambda t: F.max_pool2d(t, *a, **kw), lambda t: TF.max_pool2d(t, *a, **kw),
             data(xs, kind))
        both(lambda t: F.relu(F.max_pool2d(t, *a, **kw), inplace=True),
             lambda t: TF.relu(TF.max_pool2d(t, *a, **kw), inplace=True), data(xs, kind))
    finally:
        numtorch.set_num_threads(1)


@pytest.mark.parametrize('xs,a,kw', [
    ((2, 3, 11), (3,), dict(stride=2, padding=1, ceil_mode=True)),
    ((3, 11), (2,), {}),
    ((2, 3, 12), (3,), dict(dilation=2, padding=1)),
])
@pytest.mark.parametrize('ri', [False, True])
def test_max_pool1d(xs, a, kw, ri):
    both(lambda t: F.max_pool1d(t, *a, return_indices=ri, **kw),
         lambda t: TF.max_pool1d(t, *a, return_indices=ri, **kw), data(xs, 'ties'))


AVG2D = [
    ((2, 3, 8, 8), (2,), {}),
    ((2, 3, 8, 8), (3, 1, 1), {}),
    ((2, 3, 8, 8), (3, 1, 1), dict(count_include_pad=False)),
    ((2, 3, 9, 8), ((3, 2), (2, 3), (1, 1)), dict(ceil_mode=True)),
    ((2, 3, 9, 8), ((3, 2), (2, 3), (1, 1)), dict(ceil_mode=True, count_include_pad=False)),
    ((3, 9, 8), (3, 2, 1), dict(ceil_mode=True, divisor_override=5)),
    ((2, 2, 7, 7), (4, 3), {}),
]


@pytest.mark.parametrize('xs,a,kw', AVG2D)
def test_avg_pool2d_threads(monkeypatch, xs, a, kw):
    monkeypatch.setattr(pool_ops, '_PARALLEL_MIN', 0)
    numtorch.set_num_threads(3)
    try:
        both(lambda t: F.avg_pool2d(t, *a, **kw), lambda t: TF.avg_pool2d(t, *a, **kw),
             data(xs, 'float'))
    finally:
        numtorch.set_num_threads(1)


@pytest.mark.parametrize('xs,a,kw', AVG2D)
def test_avg_pool2d(xs, a, kw):
    both(lambda t: F.avg_pool2d(t, *a, **kw), lambda t: TF.avg_pool2d(t, *a, **kw),
         data(xs, 'float'))


@pytest.mark.parametrize('xs,a,kw', [
    ((2, 3, 9), (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
    ((3, 9), (2,), {}),
    ((2, 3, 10), (4, 3, 2), dict(ceil_mode=True)),
])
def test_avg_pool1d(xs, a, kw):
    both(lambda t: F.avg_pool1d(t, *a, **kw), lambda t: TF.avg_pool1d(t, *a, **kw),
         data(xs, 'float'))


def test_avg_pool2d_integer_input():
    x = RNG.integers(-9, 10, (1, 2, 5, 5))
    for kw in [dict(kernel_size=2, ceil_mode=True), dict(kernel_size=3, stride=1, padding=1)]:
        assert_close(F.avg_pool2d(numtorch.tensor(x), **kw), TF.avg_pool2d(torch.tensor(x), **kw))


@pytest.mark.parametrize('xs,size', [((2, 3, 9, 8), (4, 3)), ((2, 3, 9, 8), (None, 5)),
                                     ((3, 9, 8), 1), ((2, 3, 6, 6), 3), ((2, 3, 5, 7), (7, 9)),
                                     ((1, 2, 4, 4), (1, 1))])
def test_adaptive_pool2d(xs, size):
    both(lambda t: F.adaptive_avg_pool2d(t, size), lambda t: TF.adaptive_avg_pool2d(t, size),
         data(xs, 'float'))
    for ri in (False, True):
        both(lambda t: F.adaptive_max_pool2d(t, size, ri),
             lambda t: TF.adaptive_max_pool2d(t, size, ri), data(xs, 'ties'))


@pytest.mark.parametrize('xs,size', [((2, 3, 9), 4), ((3, 9), 1), ((2, 3, 5), 8)])
def test_adaptive_pool1d(xs, size):
    both(lambda t: F.adaptive_avg_pool1d(t, size), lambda t: TF.adaptive_avg_pool1d(t, size),
         data(xs, 'float'))
    for ri in (False, True):
        both(lambda t: F.adaptive_max_pool1d(t, size, ri),
             lambda t: TF.adaptive_max_pool1d(t, size, ri), data(xs, 'ties'))


def test_lp_pool():
    both(lambda t: F.lp_pool2d(t, 2, 2), lambda t: TF.lp_pool2d(t, 2, 2),
         data((2, 3, 6, 6), 'relu') + 0.1)
    both(lambda t: F.lp_pool1d(t, 3, 3, 2), lambda t: TF.lp_pool1d(t, 3, 3, 2),
         data((2, 3, 9), 'relu') + 0.1)


def test_max_pool_nan_follows_torch():
    x = np.array([[[[np.nan, 1.], [2., np.nan]], [[1., 3.], [3., 0.]]]], np.float32)
    both(lambda t: F.max_pool2d(t, 2, return_indices=True),
         lambda t: TF.max_pool2d(t, 2, return_indices=True), x)
    both(lambda t: F.max_pool2d(t, 2), lambda t: TF.max_pool2d(t, 2), x)
    both(lambda t: F.adaptive_max_pool2d(t, 1, True), lambda t: TF.adaptive_max_pool2d(t, 1, True),
         x)


def test_max_pool_output_modified_in_place():
    """relu_ on the pooled output (common in CNNs) must not corrupt the pool's gradient."""
    both(lambda t: F.relu(F.max_pool2d(t, 2), inplace=True),
         lambda t: TF.relu(TF.max_pool2d(t, 2), inplace=True), data((2, 3, 8, 8), 'float'))


def test_max_pool_input_modified_in_place_raises():
    x = numtorch.randn(1, 1, 4, 4, requires_grad=True)
    h = x * 1
    y = F.max_pool2d(h, 2)
    h.add_(1)
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        y.sum().backward()


def test_integer_max_pool():
    x = RNG.integers(-9, 10, (2, 2, 5, 5)).astype(np.int32)
    assert_close(F.max_pool2d(numtorch.tensor(x), 2, padding=1),
                 TF.max_pool2d(torch.tensor(x), 2, padding=1))


# -- layers --------------------------------------------------------------------------------
@pytest.mark.parametrize('ctor', [
    lambda m: m.nn.MaxPool2d(2),
    lambda m: m.nn.MaxPool2d(3, 2, 1, ceil_mode=True),
    lambda m: m.nn.MaxPool2d((2, 3), dilation=(1, 2), return_indices=True),
    lambda m: m.nn.MaxPool1d(3, 2, padding=1),
    lambda m: m.nn.AvgPool2d(3, 1, 1),
    lambda m: m.nn.AvgPool2d((2, 3), count_include_pad=False, divisor_override=2),
    lambda m: m.nn.AvgPool1d(3, ceil_mode=True),
    lambda m: m.nn.AdaptiveAvgPool2d((2, 3)),
    lambda m: m.nn.AdaptiveAvgPool2d(1),
    lambda m: m.nn.AdaptiveAvgPool1d(4),
    lambda m: m.nn.AdaptiveMaxPool2d((2, None), return_indices=True),
    lambda m: m.nn.AdaptiveMaxPool1d(3),
    lambda m: m.nn.LPPool2d(2, 3, stride=2),
    lambda m: m.nn.LPPool1d(1.5, 2),
])
def test_pool_layers(ctor):
    mn, mp = ctor(numtorch), ctor(torch)
    assert repr(mn) == repr(mp)
    one_d = '1d' in type(mp).__name__
    xs = (2, 3, 9) if one_d else (2, 3, 9, 8)
    x = data(xs, 'relu') + 0.1 if 'LP' in type(mp).__name__ else data(xs, 'ties')
    both(mn, mp, x)


# -- errors ------------------------------------------------------------------------------------
ERRORS = [
    ('pad_too_big', lambda m: m.nn.functional.max_pool2d(m.ones(2, 3, 8, 8), 3, padding=2)),
    ('kernel_zero', lambda m: m.nn.functional.max_pool2d(m.ones(2, 3, 8, 8), 0, 1)),
    ('stride_zero', lambda m: m.nn.functional.max_pool2d(m.ones(2, 3, 8, 8), 0)),
    ('stride_neg', lambda m: m.nn.functional.max_pool2d(m.ones(2, 3, 8, 8), 2, -1)),
    ('pad_neg', lambda m: m.nn.functional.max_pool2d(m.ones(2, 3, 8, 8), 2, padding=-1)),
    ('dilation_zero', lambda m: m.nn.functional.max_pool2d(m.ones(2, 3, 8, 8), 2, dilation=0)),
    ('output_small', lambda m: m.nn.functional.max_pool2d(m.ones(2, 3, 8, 8), 9)),
    ('input_2d', lambda m: m.nn.functional.max_pool2d(m.ones(8, 8), 2)),
    ('input_5d', lambda m: m.nn.functional.max_pool2d(m.ones(1, 3, 8, 8, 2), 2)),
    ('empty_channels', lambda m: m.nn.functional.max_pool2d(m.ones(2, 0, 8, 8), 2)),
    ('kernel_len', lambda m: m.nn.functional.max_pool2d(m.ones(2, 3, 8, 8), (2, 2, 2))),
    ('stride_len', lambda m: m.nn.functional.max_pool2d(m.ones(2, 3, 8, 8), 2, (1, 2, 3))),
    ('bool_input', lambda m: m.nn.functional.max_pool2d(m.ones(2, 3, 8, 8, dtype=m.bool), 2)),
    ('mp1d_input', lambda m: m.nn.functional.max_pool1d(m.ones(8), 2)),
    ('mp1d_4d', lambda m: m.nn.functional.max_pool1d(m.ones(2, 3, 8, 8), 2)),
    ('mp1d_kernel', lambda m: m.nn.functional.max_pool1d(m.ones(2, 3, 8), 0)),
    ('mp1d_stride', lambda m: m.nn.functional.max_pool1d(m.ones(2, 3, 8), 2, 0)),
    ('mp1d_pad', lambda m: m.nn.functional.max_pool1d(m.ones(2, 3, 8), 2, padding=2)),
    ('mp1d_out', lambda m: m.nn.functional.max_pool1d(m.ones(2, 3, 8), 9)),
    ('avg_pad', lambda m: m.nn.functional.avg_pool2d(m.ones(2, 3, 8, 8), 3, padding=2)),
    ('avg_small', lambda m: m.nn.functional.avg_pool2d(m.ones(2, 3, 8, 8), 9)),
    ('avg_divisor', lambda m: m.nn.functional.avg_pool2d(m.ones(2, 3, 8, 8), 2,
                                                         divisor_override=0)),
    ('avg_2d', lambda m: m.nn.functional.avg_pool2d(m.ones(8, 8), 2)),
    ('avg_int', lambda m: m.nn.functional.avg_pool2d(m.ones(2, 3, 8, 8, dtype=m.int32), 2)),
    ('avg1d_1d', lambda m: m.nn.functional.avg_pool1d(m.ones(8), 2)),
    ('avg1d_small', lambda m: m.nn.functional.avg_pool1d(m.ones(2, 3, 8), 9)),
    ('aap_len', lambda m: m.nn.functional.adaptive_avg_pool2d(m.ones(2, 3, 8, 8), (1, 2, 3))),
    ('amp_len', lambda m: m.nn.functional.adaptive_max_pool2d(m.ones(2, 3, 8, 8), (1, 2, 3))),
    ('aap_2d', lambda m: m.nn.functional.adaptive_avg_pool2d(m.ones(8, 8), 2)),
    ('aap_long', lambda m: m.nn.functional.adaptive_avg_pool2d(m.ones(2, 3, 8, 8,
                                                                      dtype=m.long), 2)),
    ('amp_neg', lambda m: m.nn.functional.adaptive_max_pool2d(m.ones(2, 3, 8, 8), -1)),
    ('amp_empty', lambda m: m.nn.functional.adaptive_max_pool2d(m.ones(2, 0, 8, 8), 2)),
]


@pytest.mark.parametrize('name,fn', ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, fn):
    same_error(lambda: fn(numtorch), lambda: fn(torch))


# -- gradchecks ---------------------------------------------------------------------------
def _t(*shape):
    # Distinct values a finite-difference step cannot reorder.
    v = RNG.permutation(int(np.prod(shape))).reshape(shape) * 0.1
    return numtorch.tensor(v, requires_grad=True)


def test_gradcheck_pools():
    assert gradcheck(lambda x: F.max_pool2d(x, 2, 1, 1, ceil_mode=True), (_t(1, 2, 3, 3),))
    assert gradcheck(lambda x: F.max_pool1d(x, 2, dilation=2), (_t(2, 5),))
    assert gradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
                     (_t(1, 2, 4, 4),))
    assert gradcheck(lambda x: F.avg_pool1d(x, 2, ceil_mode=True), (_t(2, 5),))
    assert gradcheck(lambda x: F.adaptive_avg_pool2d(x, (2, 3)), (_t(1, 2, 3, 4),))
    assert gradcheck(lambda x: F.adaptive_max_pool2d(x, (2, 3)), (_t(1, 2, 3, 4),))
    assert gradcheck(lambda x: F.lp_pool2d(x, 2, 2), (_t(1, 1, 4, 4),))


@pytest.mark.parametrize('kw', [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=2, dilation=2, ceil_mode=True),
                                dict(kernel_size=(3, 2), stride=(1, 2))])
@pytest.mark.parametrize('kind', ['normal', 'ties'])
def test_max_pool_double_backward_matches_torch(kw, kind):
    """The gradient of a loss of max_pool2d's input gradient (create_graph=True): gy
    scattered to the same winners as PyTorch's, ties included."""
    xs = data((2, 3, 7, 6), kind).astype(np.float64)
    res = []
    for lib in (numtorch, torch):
        x = lib.tensor(xs, requires_grad=True)
        y = lib.nn.functional.max_pool2d(x * x, **kw)
        r = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
        (gx,) = lib.autograd.grad((y * y * r).sum(), x, create_graph=True)
        gx.pow(2).sum().backward()
        res.append((gx.detach().numpy(), x.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_max_pool1d_gradgradcheck():
    x = numtorch.tensor(RNG.standard_normal((2, 3, 9)), requires_grad=True)
    assert numtorch.autograd.gradgradcheck(lambda t: F.max_pool1d(t, 3, 2, padding=1), (x,))
