"""Normalisation (batch/layer/group/instance norm, functional and layers) against PyTorch:
outputs, gradients, running statistics and num_batches_tracked over train/eval steps,
state_dict layout, errors, repr, gradchecks."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck
from conftest import assert_close
from test_nn_conv import both, copy_weights, run_modules, same_error

RNG = np.random.default_rng(13)
TF = torch.nn.functional


def arr(*shape, dtype=np.float32):
    return (RNG.standard_normal(shape) * 2 + 0.5).astype(dtype)


# -- functional batch_norm -----------------------------------------------------------------
@pytest.mark.parametrize('shape', [(4, 3, 5, 5), (6, 3), (4, 3, 7), (2, 3, 2, 2, 2)])
@pytest.mark.parametrize('training,running', [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize('affine', [True, False])
def test_batch_norm_functional(shape, training, affine, running):
    c = shape[1]
    rm, rv = arr(c), RNG.random(c).astype(np.float32) + 0.5
    stats_n = (numtorch.tensor(rm), numtorch.tensor(rv)) if running else (None, None)
    stats_p = (torch.tensor(rm), torch.tensor(rv)) if running else (None, None)
    arrays = [arr(*shape)] + ([arr(c), arr(c)] if affine else [])
    both(lambda x, *wb: F.batch_norm(x, *stats_n, *(wb or (None, None)), training, 0.3, 1e-4),
         lambda x, *wb: TF.batch_norm(x, *stats_p, *(wb or (None, None)), training, 0.3, 1e-4),
         *arrays, rtol=1e-4, atol=1e-5)
    if running:
        assert_close(stats_n[0], stats_p[0], 1e-5, 1e-6)
        assert_close(stats_n[1], stats_p[1], 1e-5, 1e-6)


def test_batch_norm_float64():
    both(lambda x, w, b: F.batch_norm(x, None, None, w, b, True),
         lambda x, w, b: TF.batch_norm(x, None, None, w, b, True),
         arr(4, 3, 2, 2, dtype=np.float64), arr(3, dtype=np.float64),
         arr(3, dtype=np.float64), rtol=1e-10, atol=1e-10)


# -- BatchNorm layers ------------------------------------------------------------------------
@pytest.mark.parametrize('cls,shape', [('BatchNorm1d', (6, 4)), ('BatchNorm1d', (5, 4, 3)),
                                       ('BatchNorm2d', (4, 4, 3, 3)),
                                       ('BatchNorm3d', (2, 4, 2, 3, 2))])
@pytest.mark.parametrize('kw', [{}, dict(momentum=None), dict(affine=False),
                                dict(track_running_stats=False), dict(momentum=0.5, eps=1e-3),
                                dict(bias=False)])
def test_batchnorm_layers_train_then_eval(cls, shape, kw):
    mn, mp = getattr(nn, cls)(4, **kw), getattr(torch.nn, cls)(4, **kw)
    assert repr(mn) == repr(mp)
    assert list(mn.state_dict()) == list(mp.state_dict())
    for _ in range(3):
        run_modules(mn, mp, arr(*shape), train=True, rtol=1e-4)
        mn.zero_grad()
        mp.zero_grad()
    for (kn, vn), (kp, vp) in zip(mn.state_dict().items(), mp.state_dict().items()):
        assert kn == kp
        assert_close(vn, vp, 1e-5, 1e-6)
    run_modules(mn, mp, arr(*shape), train=False, rtol=1e-4)
    if mp.track_running_stats:
        assert mn.num_batches_tracked.dtype == numtorch.int64
        assert mn.num_batches_tracked.item() == 3


def test_batchnorm_load_state_dict_and_old_checkpoints():
    mp = torch.nn.BatchNorm2d(3)
    mp(torch.randn(4, 3, 2, 2))
    mn = nn.BatchNorm2d(3)
    copy_weights(mn, mp)
    assert mn.num_batches_tracked.item() == 1
    assert_close(mn.running_var, mp.running_var, 0, 0)
    # A checkpoint from before num_batches_tracked existed (metadata version 1) loads.
    sd = mn.state_dict()
    del sd['num_batches_tracked']
    sd._metadata[''] = {'version': 1}
    fresh = nn.BatchNorm2d(3)
    fresh.load_state_dict(sd)
    assert fresh.num_batches_tracked.item() == 0


def test_batchnorm_momentum_none_is_cumulative_average():
    mn, mp = nn.BatchNorm1d(2, momentum=None), torch.nn.BatchNorm1d(2, momentum=None)
    for _ in range(4):
        x = arr(5, 2)
        mn(numtorch.tensor(x))
        mp(torch.tensor(x))
    assert_close(mn.running_mean, mp.running_mean, 1e-5, 1e-6)
    assert_close(mn.running_var, mp.running_var, 1e-5, 1e-6)


def test_batchnorm_eval_without_running_stats_uses_batch_stats():
    mn = nn.BatchNorm2d(3, track_running_stats=False).eval()
    mp = torch.nn.BatchNorm2d(3, track_running_stats=False).eval()
    both(mn, mp, arr(2, 3, 2, 2), rtol=1e-4)


# -- layer / group / instance norm --------------------------------------------------------
@pytest.mark.parametrize('shape,ns', [((4, 6), (6,)), ((2, 3, 4, 5), (4, 5)), ((3, 7), [7]),
                                      ((2, 3, 4), (2, 3, 4))])
@pytest.mark.parametrize('affine', [True, False])
def test_layer_norm(shape, ns, affine):
    arrays = [arr(*shape)] + ([arr(*ns), arr(*ns)] if affine else [])
    both(lambda x, *wb: F.layer_norm(x, ns, *wb, eps=1e-4),
         lambda x, *wb: TF.layer_norm(x, ns, *wb, eps=1e-4), *arrays, rtol=1e-4)


@pytest.mark.parametrize('kw', [{}, dict(elementwise_affine=False), dict(bias=False),
                                dict(eps=1e-3)])
def test_layernorm_layer(kw):
    mn, mp = nn.LayerNorm([3, 4], **kw), torch.nn.LayerNorm([3, 4], **kw)
    assert repr(mn) == repr(mp)
    if mp.weight is not None:
        with torch.no_grad():
            mp.weight.uniform_()
        copy_weights(mn, mp)
    run_modules(mn, mp, arr(2, 3, 4), rtol=1e-4)
    assert repr(nn.LayerNorm(5)) == repr(torch.nn.LayerNorm(5))


@pytest.mark.parametrize('shape,groups', [((4, 6, 5), 3), ((2, 6, 3, 3), 2), ((3, 4), 4),
                                          ((3, 4), 1)])
@pytest.mark.parametrize('affine', [True, False])
def test_group_norm(shape, groups, affine):
    c = shape[1]
    arrays = [arr(*shape)] + ([arr(c), arr(c)] if affine else [])
    # (With one element per group the normalised input is 0 and torch's is rounding noise
    # (x - mean) / sqrt(eps), up to ~3e-5 |x|, which the weight gradient sums over the
    # batch: atol 1e-3 there.)
    atol = 1e-3 if c == groups and len(shape) == 2 else 1e-4
    both(lambda x, *wb: F.group_norm(x, groups, *wb),
         lambda x, *wb: TF.group_norm(x, groups, *wb), *arrays, rtol=1e-4, atol=1e-4,
         grad_atol=atol)
    for kw in (dict(affine=affine), dict(affine=affine, bias=False)):
        mn, mp = nn.GroupNorm(groups, c, **kw), torch.nn.GroupNorm(groups, c, **kw)
        assert repr(mn) == repr(mp)
        run_modules(mn, mp, arr(*shape), rtol=1e-4, atol=1e-4)


def test_instance_norm():
    rm_n, rv_n = numtorch.zeros(4), numtorch.ones(4)
    rm_p, rv_p = torch.zeros(4), torch.ones(4)
    both(lambda x, w, b: F.instance_norm(x, rm_n, rv_n, w, b),
         lambda x, w, b: TF.instance_norm(x, rm_p, rv_p, w, b), arr(3, 4, 5), arr(4), arr(4),
         rtol=1e-4)
    assert_close(rm_n, rm_p, 1e-5, 1e-6)
    assert_close(rv_n, rv_p, 1e-5, 1e-6)
    both(lambda x: F.instance_norm(x), lambda x: TF.instance_norm(x), arr(2, 3, 4, 4),
         rtol=1e-4)


# -- errors ------------------------------------------------------------------------------------
ERRORS = [
    ('bn_eval_no_stats', lambda m: m.nn.functional.batch_norm(m.ones(4, 3, 2), None, None)),
    ('bn_mean_size', lambda m: m.nn.functional.batch_norm(m.ones(4, 3, 2), m.zeros(4),
                                                          m.ones(4), training=True)),
    ('bn_weight_size', lambda m: m.nn.functional.batch_norm(m.ones(4, 3, 2), m.zeros(3),
                                                            m.ones(3), m.ones(4),
                                                            training=True)),
    ('bn_bias_size', lambda m: m.nn.functional.batch_norm(m.ones(4, 3, 2), m.zeros(3),
                                                          m.ones(3), None, m.ones(4),
                                                          training=True)),
    ('bn_one_value', lambda m: m.nn.functional.batch_norm(m.ones(1, 3), m.zeros(3), m.ones(3),
                                                          training=True)),
    ('bn_momentum_none', lambda m: m.nn.functional.batch_norm(m.ones(4, 3), m.zeros(3),
                                                              m.ones(3), training=True,
                                                              momentum=None)),
    ('bn_mixed', lambda m: m.nn.functional.batch_norm(m.ones(4, 3).double(), m.zeros(3),
                                                      m.ones(3), training=True)),
    ('bn_mixed2', lambda m: m.nn.functional.batch_norm(m.ones(4, 3), m.zeros(3).double(),
                                                       m.ones(3).double(), training=True)),
    ('bn1d_dims', lambda m: m.nn.BatchNorm1d(3)(m.ones(4, 3, 5, 5))),
    ('bn2d_dims', lambda m: m.nn.BatchNorm2d(3)(m.ones(4, 3, 5))),
    ('bn2d_channels', lambda m: m.nn.BatchNorm2d(3)(m.ones(4, 4, 5, 5))),
    ('ln_shape', lambda m: m.nn.functional.layer_norm(m.ones(2, 5), [10])),
    ('ln_weight', lambda m: m.nn.functional.layer_norm(m.ones(2, 5), [5], m.ones(4))),
    ('ln_int_shape', lambda m: m.nn.functional.layer_norm(m.ones(2, 5), 5)),
    ('gn_groups', lambda m: m.nn.functional.group_norm(m.ones(2, 6, 4), 4)),
    ('gn_weight', lambda m: m.nn.functional.group_norm(m.ones(2, 6, 4), 3, m.ones(5))),
    ('gn_1d', lambda m: m.nn.functional.group_norm(m.ones(6), 3)),
    ('gn_module', lambda m: m.nn.GroupNorm(4, 6)),
]


@pytest.mark.parametrize('name,fn', ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, fn):
    same_error(lambda: fn(numtorch), lambda: fn(torch))


# -- gradchecks ---------------------------------------------------------------------------
def _t(*shape):
    return numtorch.tensor(RNG.standard_normal(shape), requires_grad=True)


def test_gradcheck_norms():
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, True),
                     (_t(3, 2, 2), _t(2), _t(2)))
    rm, rv = numtorch.zeros(2, dtype=numtorch.float64), numtorch.ones(2, dtype=numtorch.float64)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, False), (_t(3, 2), _t(2),
                                                                            _t(2)))
    assert gradcheck(lambda x: F.batch_norm(x, None, None, training=True), (_t(4, 3),))
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (2, 3), w, b),
                     (_t(2, 2, 3), _t(2, 3), _t(2, 3)))
    assert gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (_t(2, 4, 2), _t(4), _t(4)))


# -- double backward (create_graph=True) ---------------------------------------------------
DOUBLE = [  # (id, module under lib, input shape, evaluation mode?)
    ('bn2d_train', lambda m: m.nn.BatchNorm2d(3), (4, 3, 5, 2), False),
    ('bn2d_eval', lambda m: m.nn.BatchNorm2d(3), (4, 3, 5, 2), True),
    ('bn1d_no_affine', lambda m: m.nn.BatchNorm1d(3, affine=False), (6, 3), False),
    ('layer_norm_2d_shape', lambda m: m.nn.LayerNorm((5, 2)), (4, 3, 5, 2), False),
    ('layer_norm_no_affine', lambda m: m.nn.LayerNorm(5, elementwise_affine=False), (4, 5),
     False),
    ('group_norm', lambda m: m.nn.GroupNorm(2, 4), (3, 4, 5), False),
]


def _second_order(lib, make, xs, evaluate):
    """Gradients of a loss of the first gradients (input and parameters) of the layer."""
    lib.manual_seed(0)
    layer = make(lib).double()
    if evaluate:  # (running statistics from a step on other data)
        with lib.no_grad():
            layer(lib.tensor(xs * 0.5 + 0.3))
        layer.eval()
    with lib.no_grad():
        for p in layer.parameters():
            p.copy_(lib.tensor(np.linspace(0.5, 1.5, p.numel()).reshape(tuple(p.shape))))
    x = lib.tensor(xs, requires_grad=True)
    y = layer(x)
    r = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
    leaves = [x] + list(layer.parameters())
    firsts = lib.autograd.grad((y * y * r).sum(), leaves, create_graph=True)
    sum(g.pow(2).sum() for g in firsts).backward()
    return [g.detach().numpy() for g in firsts] + [t.grad.numpy() for t in leaves]


@pytest.mark.parametrize('name,make,shape,evaluate', DOUBLE, ids=[d[0] for d in DOUBLE])
def test_double_backward_matches_torch(name, make, shape, evaluate):
    xs = RNG.standard_normal(shape)
    for a, b in zip(_second_order(numtorch, make, xs, evaluate),
                    _second_order(torch, make, xs, evaluate)):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-9)


def test_norm_gradgradchecks():
    x = numtorch.tensor(RNG.standard_normal((3, 4, 2)), requires_grad=True)
    w = numtorch.tensor(RNG.standard_normal(4), requires_grad=True)
    b = numtorch.tensor(RNG.standard_normal(4), requires_grad=True)
    assert numtorch.autograd.gradgradcheck(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (x, w, b))
    assert numtorch.autograd.gradgradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))
    assert numtorch.autograd.gradgradcheck(lambda x: F.instance_norm(x), (x,))
    assert numtorch.autograd.gradgradcheck(
        lambda x, w, b: F.layer_norm(x, (2,), w[:2], b[:2]), (x, w, b))


# -- InstanceNorm layers, RMSNorm --------------------------------------------------------------
INSTANCE = [('InstanceNorm1d', (2, 3, 7)), ('InstanceNorm2d', (2, 3, 4, 5)),
            ('InstanceNorm3d', (2, 3, 2, 3, 4)), ('InstanceNorm2d', (3, 4, 5))]  # (unbatched)
INSTANCE_KW = [{}, dict(affine=True), dict(track_running_stats=True),
               dict(affine=True, track_running_stats=True, momentum=None)]


@pytest.mark.parametrize('kw', INSTANCE_KW)
@pytest.mark.parametrize('cls,shape', INSTANCE)
def test_instance_norm_layers_match_torch(cls, shape, kw):
    a, b = getattr(nn, cls)(3, **kw), getattr(torch.nn, cls)(3, **kw)
    assert repr(a) == repr(b)
    assert list(a.state_dict()) == list(b.state_dict())
    xs = arr(*shape)
    for training in (True, True, False):
        a.train(training)
        b.train(training)
        xa, xb = numtorch.tensor(xs, requires_grad=True), torch.tensor(xs, requires_grad=True)
        ya, yb = a(xa), b(xb)
        assert_close(ya, yb, 1e-5, 1e-5)
        (ya * ya).sum().backward()
        (yb * yb).sum().backward()
        assert_close(xa.grad, xb.grad, 1e-4, 1e-4)
        for k, v in b.state_dict().items():
            assert_close(a.state_dict()[k], v, 1e-5, 1e-6)


def test_instance_norm_layer_errors():
    same_error(lambda: nn.InstanceNorm2d(3)(numtorch.zeros(2, 3)),
               lambda: torch.nn.InstanceNorm2d(3)(torch.zeros(2, 3)))
    same_error(lambda: nn.InstanceNorm1d(3, affine=True)(numtorch.zeros(2, 4, 5)),
               lambda: torch.nn.InstanceNorm1d(3, affine=True)(torch.zeros(2, 4, 5)))
    with pytest.warns(UserWarning, match="input's size at dim=1 does not match num_features"):
        nn.InstanceNorm2d(3)(numtorch.zeros(2, 4, 3, 3))
    # a checkpoint without version metadata that carries untracked running statistics
    same_error(lambda: nn.InstanceNorm1d(3).load_state_dict(
        {'running_mean': numtorch.zeros(3), 'running_var': numtorch.ones(3)}),
        lambda: torch.nn.InstanceNorm1d(3).load_state_dict(
            {'running_mean': torch.zeros(3), 'running_var': torch.ones(3)}))


@pytest.mark.parametrize('args,kw', [((3,), {}), (([3, 4],), dict(eps=1e-3,
                                                                 elementwise_affine=False))])
def test_rms_norm_layer_repr_and_state(args, kw):
    a, b = nn.RMSNorm(*args, **kw), torch.nn.RMSNorm(*args, **kw)
    assert repr(a) == repr(b)
    assert list(a.state_dict()) == list(b.state_dict())
    assert hasattr(a, 'bias') == hasattr(b, 'bias')


@pytest.mark.parametrize('dtype', [np.float16, np.float32, np.float64])
@pytest.mark.parametrize('eps', [None, 1e-2])
@pytest.mark.parametrize('weighted', [True, False])
def test_rms_norm_matches_torch(dtype, eps, weighted):
    xs, ws = arr(2, 3, 4, dtype=dtype), arr(4, dtype=dtype)
    out = []
    for lib in (numtorch, torch):
        x, w = lib.tensor(xs, requires_grad=True), lib.tensor(ws, requires_grad=True)
        y = lib.nn.functional.rms_norm(x, (4,), w if weighted else None, eps)
        y.float().pow(2).sum().backward()
        out.append((y, x.grad, y.grad_fn.name(), str(y.dtype)))
    tol = 3e-3 if dtype == np.float16 else 1e-5
    assert_close(out[0][0].float(), out[1][0].float(), tol, tol)
    assert_close(out[0][1].float(), out[1][1].float(), 10 * tol, 10 * tol)
    assert out[0][2:] == out[1][2:]
    same_error(lambda: F.rms_norm(numtorch.zeros(2, 3), (4,)),
               lambda: TF.rms_norm(torch.zeros(2, 3), (4,)))
