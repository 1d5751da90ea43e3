"""Losses (functional and modules) against PyTorch: values, gradients, grad_fn names,
dtypes, errors; float64 gradchecks of each functional."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck
from conftest import assert_close

RNG = np.random.default_rng(1234)
REDUCTIONS = ('mean', 'sum', 'none')


def _pair(a, rg=None):
    rg = a.dtype.kind == 'f' if rg is None else rg
    return (torch.tensor(a, requires_grad=rg), numtorch.tensor(a, requires_grad=rg))


def _conv(v, lib):
    if isinstance(v, np.ndarray):
        return lib.tensor(v)
    return v


def check_loss(fn, arrays, *extra, grad_mask=None, rtol=1e-5, atol=1e-6, check_name=True,
               **kwargs):
    """Runs F.<fn> in both libraries on ``arrays`` (differentiable unless integer) and
    compares output, grad_fn name, dtype and the gradients of every differentiable input."""
    pairs = [_pair(a, None if grad_mask is None else grad_mask[i]) for i, a in enumerate(arrays)]
    pt_args = [p for p, _ in pairs] + [_conv(e, torch) for e in extra]
    nt_args = [n for _, n in pairs] + [_conv(e, numtorch) for e in extra]
    kp = {k: _conv(v, torch) for k, v in kwargs.items()}
    kn = {k: _conv(v, numtorch) for k, v in kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        yp = getattr(torch.nn.functional, fn)(*pt_args, **kp)
        yn = getattr(F, fn)(*nt_args, **kn)
    assert_close(yn, yp, rtol, atol)
    if check_name:
        assert yn.grad_fn.name() == yp.grad_fn.name()
    g = np.asarray(RNG.standard_normal(tuple(yp.shape)), dtype=yp.detach().numpy().dtype)
    yp.backward(torch.tensor(g))
    yn.backward(numtorch.tensor(g))
    for p, n in pairs:
        if p.requires_grad:
            assert_close(n.grad, p.grad, rtol * 10, atol * 10)
    return yn


def f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


# -- cross entropy / nll -------------------------------------------------------------------
@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_cross_entropy_indices(reduction):
    check_loss('cross_entropy', [f32(6, 4)], np.array([0, 3, 1, 2, 1, 3]), reduction=reduction)


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_cross_entropy_weight_ignore_smoothing(reduction):
    t = np.array([0, 3, -100, 2, 1, 7])
    w = np.float32([1, 2, .5, 3])
    check_loss('cross_entropy', [f32(6, 4)], np.where(t == 7, 1, t), weight=w,
               reduction=reduction)
    check_loss('cross_entropy', [f32(6, 4)], np.where(t == 7, 7, t) % 4 * (t != -100) +
               -100 * (t == -100), weight=w, ignore_index=-100, label_smoothing=0.2,
               reduction=reduction)
    check_loss('cross_entropy', [f32(6, 4)], np.array([0, 3, 2, 2, 1, 2]), ignore_index=2,
               label_smoothing=0.1, reduction=reduction)


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_cross_entropy_probabilities(reduction):
    probs = RNG.random((5, 3)).astype(np.float32)
    check_loss('cross_entropy', [f32(5, 3), probs], reduction=reduction)
    check_loss('cross_entropy', [f32(5, 3), probs], reduction=reduction,
               weight=np.float32([1, .2, 3]), label_smoothing=0.3)
    # (N, C, d) probabilities
    check_loss('cross_entropy', [f32(2, 3, 4), RNG.random((2, 3, 4)).astype(np.float32)],
               reduction=reduction)


@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('shape', [(2, 3, 4), (2, 3, 4, 5), (2, 3, 2, 2, 3)])
def test_cross_entropy_nd(shape, reduction):
    x = RNG.standard_normal(shape)
    t = RNG.integers(0, 3, (shape[0],) + shape[2:])
    check_loss('cross_entropy', [x], t, reduction=reduction)
    check_loss('cross_entropy', [x], t, reduction=reduction, weight=np.array([.5, 1, 2]),
               label_smoothing=0.1)
    check_loss('nll_loss', [x], t, reduction=reduction, weight=np.array([.5, 1, 2]))


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_cross_entropy_unbatched(reduction):
    check_loss('cross_entropy', [f32(4)], np.array(2), reduction=reduction)
    check_loss('cross_entropy', [f32(4), RNG.random(4).astype(np.float32)],
               reduction=reduction)
    check_loss('nll_loss', [f32(4)], np.array(1), reduction=reduction)


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_nll_loss(reduction):
    check_loss('nll_loss', [f32(5, 4)], np.array([0, 3, -100, 2, 1]),
               weight=np.float32([1, 2, .5, 3]), reduction=reduction)
    check_loss('nll_loss', [f32(5, 4)], np.array([0, 3, 1, 2, 1]), reduction=reduction)


def test_cross_entropy_all_ignored_is_nan():
    yn = F.cross_entropy(numtorch.randn(2, 3), numtorch.tensor([-100, -100]))
    yp = torch.nn.functional.cross_entropy(torch.randn(2, 3), torch.tensor([-100, -100]))
    assert np.isnan(yn.item()) and np.isnan(yp.item())


def _both_raise(fn_pt, fn_nt):
    with pytest.raises(Exception) as ep:
        fn_pt()
    with pytest.raises(Exception) as en:
        fn_nt()
    assert type(en.value) is type(ep.value), (en.value, ep.value)
    assert str(en.value) == str(ep.value)


@pytest.mark.parametrize('target', [
    np.array([0, 1, 5, 2]), np.array([0, 1, -3, 2]), np.array([0, 1, 2]),
    np.array([0., 1, 2, 1]), np.array([0, 1, 2, 1], dtype=np.int32),
    RNG.random(4), RNG.random((4, 2)), np.zeros((4, 3), np.int64)])
def test_cross_entropy_bad_targets(target):
    x = f32(4, 3)

    def run(lib):
        return lambda: lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor(target))
    _both_raise(run(torch), run(numtorch))


def test_class_loss_other_errors():
    x = f32(4, 3)
    t = np.array([0, 1, 2, 1])

    def run(lib, fn, *a, **k):
        return lambda: getattr(lib.nn.functional, fn)(lib.tensor(x), lib.tensor(t), *a, **k)
    for lib_args in [('cross_entropy', {'weight': np.ones(2, np.float32)}),
                     ('nll_loss', {'weight': np.ones(2, np.float32)}),
                     ('cross_entropy', {'label_smoothing': 1.5}),
                     ('cross_entropy', {'reduction': 'bad'})]:
        fn, kw = lib_args
        _both_raise(run(torch, fn, **{k: _conv(v, torch) for k, v in kw.items()}),
                    run(numtorch, fn, **{k: _conv(v, numtorch) for k, v in kw.items()}))
    x3, t3 = f32(2, 3, 4), np.zeros((2, 5), np.int64)
    _both_raise(lambda: torch.nn.functional.cross_entropy(torch.tensor(x3), torch.tensor(t3)),
                lambda: F.cross_entropy(numtorch.tensor(x3), numtorch.tensor(t3)))
    with pytest.raises(IndexError, match='Target 5 is out of bounds.'):
        nn.CrossEntropyLoss()(numtorch.randn(2, 5), numtorch.tensor([1, 5]))


# -- regression losses ------------------------------------------------------------------------
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('fn,kw', [('mse_loss', {}), ('l1_loss', {}),
                                   ('smooth_l1_loss', {}), ('smooth_l1_loss', {'beta': 0.3}),
                                   ('smooth_l1_loss', {'beta': 0.0}),
                                   ('huber_loss', {}), ('huber_loss', {'delta': 0.4})])
def test_pointwise_losses(fn, kw, reduction):
    check_loss(fn, [f32(5, 3), f32(5, 3)], reduction=reduction, **kw)
    check_loss(fn, [RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 3, 4))],
               reduction=reduction, **kw)
    # Only the input differentiable (the common case), and a broadcast target.
    check_loss(fn, [f32(4, 3), f32(4, 3)], grad_mask=[True, False], reduction=reduction,
               **kw)
    with pytest.warns(UserWarning, match='Using a target size'):
        getattr(F, fn)(numtorch.ones(4, 3), numtorch.ones(4, 1), reduction=reduction, **kw)


def test_mse_broadcast_and_errors():
    check_loss('mse_loss', [f32(4, 3), f32(4, 1)])
    check_loss('mse_loss', [f32(4, 3), f32(3)], reduction='sum')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        _both_raise(lambda: torch.nn.functional.mse_loss(torch.ones(4, 3), torch.ones(5, 1)),
                    lambda: F.mse_loss(numtorch.ones(4, 3), numtorch.ones(5, 1)))
    _both_raise(lambda: torch.nn.functional.smooth_l1_loss(torch.ones(2), torch.ones(2),
                                                           beta=-1.0),
                lambda: F.smooth_l1_loss(numtorch.ones(2), numtorch.ones(2), beta=-1.0))
    _both_raise(lambda: torch.nn.functional.huber_loss(torch.ones(2), torch.ones(2), delta=0.),
                lambda: F.huber_loss(numtorch.ones(2), numtorch.ones(2), delta=0.))


# -- binary losses -----------------------------------------------------------------------------
@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_binary_cross_entropy(reduction):
    p = RNG.uniform(0.05, 0.95, (5, 4))
    t = RNG.random((5, 4))
    check_loss('binary_cross_entropy', [p, t], reduction=reduction)
    check_loss('binary_cross_entropy', [p.astype(np.float32), t.astype(np.float32)],
               reduction=reduction, weight=RNG.random(4).astype(np.float32))
    # Probabilities of exactly 0 and 1 (log clamped at -100).
    check_loss('binary_cross_entropy', [np.float32([0, 1, .5]), np.float32([1, 0, 1])],
               grad_mask=[False, True], reduction=reduction)


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction):
    x = f32(5, 4) * 5
    t = RNG.random((5, 4)).astype(np.float32)
    check_loss('binary_cross_entropy_with_logits', [x, t], reduction=reduction)
    check_loss('binary_cross_entropy_with_logits', [x, t], reduction=reduction,
               weight=RNG.random(4).astype(np.float32),
               pos_weight=(RNG.random(4) * 3).astype(np.float32))


def test_binary_errors():
    _both_raise(lambda: torch.nn.functional.binary_cross_entropy(torch.rand(4, 3),
                                                                 torch.rand(4, 2)),
                lambda: F.binary_cross_entropy(numtorch.rand(4, 3), numtorch.rand(4, 2)))
    _both_raise(lambda: torch.nn.functional.binary_cross_entropy(torch.ones(3) * 2,
                                                                 torch.rand(3)),
                lambda: F.binary_cross_entropy(numtorch.ones(3) * 2, numtorch.rand(3)))
    _both_raise(lambda: torch.nn.functional.binary_cross_entropy_with_logits(torch.ones(4, 3),
                                                                             torch.ones(4, 2)),
                lambda: F.binary_cross_entropy_with_logits(numtorch.ones(4, 3),
                                                           numtorch.ones(4, 2)))


# -- kl / cosine embedding -----------------------------------------------------------------------
@pytest.mark.parametrize('reduction', REDUCTIONS + ('batchmean',))
@pytest.mark.parametrize('log_target', [False, True])
def test_kl_div(reduction, log_target):
    x = np.log(RNG.dirichlet(np.ones(4), 5)).astype(np.float32)
    t = RNG.dirichlet(np.ones(4), 5).astype(np.float32)
    if log_target:
        t = np.log(t)
    t[0, 0] = 0.0 if not log_target else t[0, 0]
    check_loss('kl_div', [x, t], reduction=reduction, log_target=log_target)


def test_kl_div_mean_warns():
    with pytest.warns(UserWarning, match="reduction: 'mean' divides the total loss by both"):
        F.kl_div(numtorch.zeros(2, 2), numtorch.ones(2, 2))


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_cosine_embedding_loss(reduction):
    check_loss('cosine_embedding_loss', [f32(6, 5), f32(6, 5)],
               np.array([1, -1, 1, -1, -1, 1]), reduction=reduction, margin=0.2)
    check_loss('cosine_embedding_loss', [f32(5), f32(5)], np.array(-1), reduction=reduction)
    _both_raise(lambda: torch.nn.functional.cosine_embedding_loss(
        torch.ones(2, 3), torch.ones(2, 3), torch.ones(2, 1)),
        lambda: F.cosine_embedding_loss(numtorch.ones(2, 3), numtorch.ones(2, 3),
                                        numtorch.ones(2, 1)))


# -- modules ------------------------------------------------------------------------------------
MODULES = [
    ('MSELoss', {}, 'reg'), ('L1Loss', {'reduction': 'sum'}, 'reg'),
    ('SmoothL1Loss', {'beta': 0.5}, 'reg'), ('HuberLoss', {'delta': 2.0}, 'reg'),
    ('CrossEntropyLoss', {}, 'cls'),
    ('CrossEntropyLoss', {'weight': np.float32([1, 2, 3]), 'ignore_index': 1,
                          'label_smoothing': 0.05, 'reduction': 'sum'}, 'cls'),
    ('NLLLoss', {'weight': np.float32([1, 2, 3])}, 'cls'),
    ('BCELoss', {'weight': np.float32([1, 2, 3])}, 'prob'),
    ('BCEWithLogitsLoss', {'pos_weight': np.float32([1, 2, 3])}, 'logit'),
    ('KLDivLoss', {'reduction': 'batchmean'}, 'reg'),
]


@pytest.mark.parametrize('name,kw,kind', MODULES)
def test_loss_modules(name, kw, kind):
    x = f32(4, 3)
    if kind == 'cls':
        t = np.array([0, 2, 1, 1])
    elif kind == 'prob':
        x = RNG.uniform(0.1, 0.9, (4, 3)).astype(np.float32)
        t = RNG.random((4, 3)).astype(np.float32)
    else:
        t = f32(4, 3) if kind == 'reg' else RNG.random((4, 3)).astype(np.float32)
    mp = getattr(torch.nn, name)(**{k: _conv(v, torch) for k, v in kw.items()})
    mn = getattr(nn, name)(**{k: _conv(v, numtorch) for k, v in kw.items()})
    assert repr(mn) == repr(mp)
    assert list(mn.state_dict()) == list(mp.state_dict())
    xp, xn = _pair(x)
    yp, yn = mp(xp, torch.tensor(t)), mn(xn, numtorch.tensor(t))
    assert_close(yn, yp)
    yp.backward()
    yn.backward()
    assert_close(xn.grad, xp.grad)


def test_loss_module_legacy_args():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, "
                                         "please use reduction='sum' instead."):
        m = nn.MSELoss(size_average=False)
    assert m.reduction == 'sum'
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.L1Loss(reduce=False).reduction == 'none'


def test_cosine_embedding_module():
    a, b = f32(3, 4), f32(3, 4)
    t = np.array([1, -1, 1])
    yp = torch.nn.CosineEmbeddingLoss(margin=0.1)(torch.tensor(a), torch.tensor(b),
                                                  torch.tensor(t))
    yn = nn.CosineEmbeddingLoss(margin=0.1)(numtorch.tensor(a), numtorch.tensor(b),
                                            numtorch.tensor(t))
    assert_close(yn, yp)
    assert repr(nn.CosineEmbeddingLoss()) == 'CosineEmbeddingLoss()'


# -- gradchecks (float64) --------------------------------------------------------------------
def d64(*shape, low=None, high=None):
    if low is not None:
        a = RNG.uniform(low, high, shape)
    else:
        a = RNG.standard_normal(shape)
    return numtorch.tensor(a, dtype=numtorch.float64, requires_grad=True)


GRADCHECKS = [
    ('cross_entropy', lambda x: F.cross_entropy(x, numtorch.tensor([0, 2, 1])), [(3, 4)]),
    ('cross_entropy smoothing weight', lambda x: F.cross_entropy(
        x, numtorch.tensor([0, 2, -100]), weight=numtorch.tensor([1., 2, 3, 4],
                                                                 dtype=numtorch.float64),
        label_smoothing=0.3, reduction='sum'), [(3, 4)]),
    ('cross_entropy nd none', lambda x: F.cross_entropy(
        x, numtorch.tensor([[0, 1], [2, 2]]), reduction='none'), [(2, 3, 2)]),
    ('cross_entropy probs', lambda x, t: F.cross_entropy(x, t, label_smoothing=0.2),
     [(3, 4), (3, 4)]),
    ('nll_loss', lambda x: F.nll_loss(x, numtorch.tensor([0, 2, 1]),
                                      weight=numtorch.tensor([1., 2, 3],
                                                             dtype=numtorch.float64)),
     [(3, 3)]),
    ('mse_loss', lambda x, t: F.mse_loss(x, t), [(3, 4), (3, 4)]),
    ('mse_loss broadcast', lambda x, t: F.mse_loss(x, t, reduction='sum'), [(3, 4), (4,)]),
    ('l1_loss', lambda x, t: F.l1_loss(x, t), [(3, 4), (3, 4)]),
    ('smooth_l1_loss', lambda x, t: F.smooth_l1_loss(x, t, beta=0.7), [(3, 4), (3, 4)]),
    ('huber_loss', lambda x, t: F.huber_loss(x, t, delta=0.6, reduction='none'),
     [(3, 4), (3, 4)]),
    ('bce_with_logits', lambda x, t: F.binary_cross_entropy_with_logits(
        x, t, pos_weight=numtorch.tensor([1., 2, .5, 3], dtype=numtorch.float64)),
     [(3, 4), (3, 4)]),
    ('kl_div', lambda x, t: F.kl_div(x, t, reduction='batchmean', log_target=True),
     [(3, 4), (3, 4)]),
    ('cosine_embedding', lambda a, b: F.cosine_embedding_loss(
        a, b, numtorch.tensor([1, -1, 1]), margin=-0.5), [(3, 4), (3, 4)]),
]


@pytest.mark.filterwarnings('ignore:Using a target size')
@pytest.mark.parametrize('name,fn,shapes', GRADCHECKS, ids=[g[0] for g in GRADCHECKS])
def test_gradcheck_losses(name, fn, shapes):
    assert gradcheck(fn, tuple(d64(*s) for s in shapes))


def test_gradcheck_bce():
    x = d64(3, 4, low=0.1, high=0.9)
    t = d64(3, 4, low=0.0, high=1.0)
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b), (x, t))


def test_cross_entropy_retain_graph_twice():
    for w in (None, numtorch.tensor([1.0, 2.0, 0.5])):
        x = numtorch.randn(4, 3, requires_grad=True)
        loss = F.cross_entropy(x, numtorch.tensor([0, 2, 1, 1]), weight=w)
        loss.backward(retain_graph=True)
        g1 = x.grad.clone()
        loss.backward()
        np.testing.assert_allclose(x.grad._data, 2 * g1._data, rtol=1e-6)


def test_cross_entropy_input_modified_after_forward_is_fine():
    # Backward reads the saved softmax, not the logits (as PyTorch's log_softmax).
    for lib in (numtorch, torch):
        x = lib.randn(4, 3, requires_grad=True)
        y = x * 1
        loss = lib.nn.functional.cross_entropy(y, lib.tensor([0, 2, 1, 1]))
        with lib.no_grad():
            y += 1
        loss.backward()


GRADGRAD = [
    ('cross_entropy', lambda x: F.cross_entropy(x, numtorch.tensor([0, 2, 1])), 1),
    ('cross_entropy general', lambda x: F.cross_entropy(
        x, numtorch.tensor([0, 2, -100]), weight=numtorch.tensor([1., 2, 3, 4],
                                                                 dtype=numtorch.float64),
        label_smoothing=0.2), 1),
    ('cross_entropy none', lambda x: F.cross_entropy(x, numtorch.tensor([0, 2, 1]),
                                                     reduction='none'), 1),
    ('nll_loss', lambda x: F.nll_loss(x, numtorch.tensor([0, 2, 1])), 1),
    ('cross_entropy probs', lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1), 2),
    ('mse_loss', F.mse_loss, 2),
    ('mse_loss none', lambda a, b: F.mse_loss(a, b, reduction='none'), 2),
    ('smooth_l1_loss', lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), 2),
    ('huber_loss', lambda a, b: F.huber_loss(a, b, delta=0.5, reduction='sum'), 2),
    ('bce_with_logits', lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, pos_weight=numtorch.tensor([1., 2, 3, .5], dtype=numtorch.float64)), 2),
]


@pytest.mark.parametrize('name,fn,n', GRADGRAD, ids=[g[0] for g in GRADGRAD])
def test_loss_gradgradcheck(name, fn, n):
    assert numtorch.autograd.gradgradcheck(fn, tuple(d64(3, 4) for _ in range(n)))


def test_bce_gradgradcheck():
    x = d64(3, 4, low=0.1, high=0.9)
    t = d64(3, 4, low=0.0, high=1.0)
    assert numtorch.autograd.gradgradcheck(F.binary_cross_entropy, (x, t))


# -- the other composite losses ----------------------------------------------------------------
@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_margin_hinge_soft_margin(reduction):
    y = np.array([1, -1, 1, -1, 1])
    check_loss('margin_ranking_loss', [f32(5), f32(5)], y, margin=0.3, reduction=reduction,
               check_name=False)
    signs = np.where(RNG.random((5, 3)) > .5, 1, -1)
    check_loss('hinge_embedding_loss', [np.abs(f32(5, 3))], signs, margin=0.8,
               reduction=reduction, check_name=False)
    check_loss('soft_margin_loss', [f32(5, 3)],
               np.where(RNG.random((5, 3)) > .5, 1., -1.).astype(np.float32),
               reduction=reduction, check_name=False)


@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('swap', [False, True])
def test_triplet_margin_loss(reduction, swap):
    check_loss('triplet_margin_loss', [f32(4, 6), f32(4, 6), f32(4, 6)], margin=0.7, p=1.5,
               swap=swap, reduction=reduction, check_name=False)


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_poisson_gaussian_nll(reduction):
    t = RNG.poisson(3, (4, 3)).astype(np.float32)
    check_loss('poisson_nll_loss', [f32(4, 3)], t, reduction=reduction, check_name=False)
    check_loss('poisson_nll_loss', [np.abs(f32(4, 3)) + 0.1], t, log_input=False, full=True,
               reduction=reduction, check_name=False)
    check_loss('gaussian_nll_loss', [f32(4, 3), f32(4, 3), np.abs(f32(4, 3)) + 0.1],
               reduction=reduction, check_name=False)
    check_loss('gaussian_nll_loss', [f32(4, 3), f32(4, 3), np.abs(f32(4, 1))], full=True,
               reduction=reduction, check_name=False)
    check_loss('gaussian_nll_loss', [f32(4, 3), f32(4, 3), np.abs(f32(4))],
               reduction=reduction, check_name=False)


@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_multilabel_multimargin(reduction):
    t = (RNG.random((4, 3)) > 0.5).astype(np.float32)
    check_loss('multilabel_soft_margin_loss', [f32(4, 3)], t, reduction=reduction, check_name=False)
    check_loss('multilabel_soft_margin_loss', [f32(4, 3)], t, reduction=reduction, check_name=False,
               weight=np.float32([1, 2, 0.5]))
    x = f32(5, 4)
    y = np.array([0, 3, 1, 2, 3])
    for kw in ({}, {'p': 2, 'margin': 0.5}, {'weight': np.float32([1, 2, 3, 4])}):
        yn = F.multi_margin_loss(numtorch.tensor(x, requires_grad=True), numtorch.tensor(y),
                                 reduction=reduction, **{k: _conv(v, numtorch)
                                                         for k, v in kw.items()})
        xp = torch.tensor(x, requires_grad=True)
        yp = torch.nn.functional.multi_margin_loss(xp, torch.tensor(y), reduction=reduction,
                                                   **{k: _conv(v, torch)
                                                      for k, v in kw.items()})
        assert_close(yn, yp)
        xn = numtorch.tensor(x, requires_grad=True)
        F.multi_margin_loss(xn, numtorch.tensor(y), reduction=reduction,
                            **{k: _conv(v, numtorch) for k, v in kw.items()}).sum().backward()
        yp.sum().backward()
        assert_close(xn.grad, xp.grad)


def test_other_loss_errors():
    _both_raise(lambda: torch.nn.functional.multi_margin_loss(torch.ones(2, 3),
                                                              torch.tensor([0, 3])),
                lambda: F.multi_margin_loss(numtorch.ones(2, 3), numtorch.tensor([0, 3])))
    _both_raise(lambda: torch.nn.functional.margin_ranking_loss(torch.ones(2), torch.ones(2),
                                                                torch.ones(2, 1)),
                lambda: F.margin_ranking_loss(numtorch.ones(2), numtorch.ones(2),
                                              numtorch.ones(2, 1)))
    _both_raise(lambda: torch.nn.functional.gaussian_nll_loss(torch.ones(2, 3), torch.ones(2, 3),
                                                              torch.ones(3, 3)),
                lambda: F.gaussian_nll_loss(numtorch.ones(2, 3), numtorch.ones(2, 3),
                                            numtorch.ones(3, 3)))
    _both_raise(lambda: torch.nn.TripletMarginLoss(margin=0.0),
                lambda: nn.TripletMarginLoss(margin=0.0))


@pytest.mark.parametrize('name', ['MarginRankingLoss', 'HingeEmbeddingLoss', 'SoftMarginLoss',
                                  'TripletMarginLoss', 'PoissonNLLLoss', 'GaussianNLLLoss',
                                  'MultiLabelSoftMarginLoss', 'MultiMarginLoss'])
def test_other_loss_modules_repr(name):
    assert repr(getattr(nn, name)()) == repr(getattr(torch.nn, name)())
