"""Regression tests (round 6 "cleanup"): each against PyTorch, the spec."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch

LIBS = (torch, numtorch)


def _np(t) -> np.ndarray:
    return t.detach().numpy()


def _outcome(fn):
    """(result, None) or (None, (error type, message))."""
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return None, (type(e), str(e))


def _same_outcome(fn):
    """Runs ``fn(lib)`` with torch and numtorch; both raise the same error, or both return
    tensors (or tuples of them, None allowed) with the same values."""
    (rt, et), (rn, en) = _outcome(lambda: fn(torch)), _outcome(lambda: fn(numtorch))
    if et is not None or en is not None:
        assert en is not None and et is not None, (et, en)
        assert en[0].__name__ == et[0].__name__ and en[1] == et[1], (et, en)
        return
    rt = rt if isinstance(rt, tuple) else (rt,)
    rn = rn if isinstance(rn, tuple) else (rn,)
    for a, b in zip(rt, rn, strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(_np(b), _np(a), rtol=1e-6, atol=1e-12)


# -- 1. index tensors are saved for backward: an in-place change is PyTorch's error --------
def _setitem(x, key, v):
    y = x * 1
    y[key] = v
    return y


INDEX_OPS = {
    'setitem_mask': lambda L, w, s, i, m: _setitem(w, m, s.sum()),
    'setitem_index': lambda L, w, s, i, m: _setitem(w, i, s),
    'setitem_tuple': lambda L, w, s, i, m: _setitem(w.view(2, 2), (i // 2, i // 2), s),
    'setitem_tuple_mask': lambda L, w, s, i, m: _setitem(w, (m,), s.sum()),
    'getitem_mask': lambda L, w, s, i, m: w[m],
    'getitem_index': lambda L, w, s, i, m: w[i],
    'getitem_fresh_index': lambda L, w, s, i, m: w.view(2, 2)[i // 2, i // 2],
    'index_put_mask': lambda L, w, s, i, m: L.index_put(w.detach(), (m,), s),
    'index_put_acc': lambda L, w, s, i, m: L.index_put(w, (i,), s.detach(), accumulate=True),
    'index_put_': lambda L, w, s, i, m: (w * 1).index_put_((m,), s),
    'index_add_self': lambda L, w, s, i, m: L.index_add(w, 0, i, s.detach()),
    'index_add_src': lambda L, w, s, i, m: L.index_add(w.detach(), 0, i, s),
    'scatter_add_self': lambda L, w, s, i, m: L.scatter_add(w, 0, i, s.detach()),
    'scatter_add_src': lambda L, w, s, i, m: L.scatter_add(w, 0, i, s),
    'scatter_self': lambda L, w, s, i, m: L.scatter(w, 0, i, s.detach()),
    'scatter_value_': lambda L, w, s, i, m: (w * 1).scatter_(0, i, 2.0),
    'scatter_reduce': lambda L, w, s, i, m: L.scatter_reduce(w.detach(), 0, i, s, 'sum'),
    'masked_fill': lambda L, w, s, i, m: w.masked_fill(m, 1.0),
    'masked_fill_value': lambda L, w, s, i, m: w.detach().masked_fill(m, s.sum()),
    'masked_fill_': lambda L, w, s, i, m: (w * 1).masked_fill_(m, 1.0),
    'masked_select': lambda L, w, s, i, m: w.masked_select(m),
    'masked_scatter': lambda L, w, s, i, m: w.detach().masked_scatter(m, L.cat([s, s])),
    'index_copy': lambda L, w, s, i, m: L.index_copy(w.detach(), 0, i, s),
    'index_fill': lambda L, w, s, i, m: L.index_fill(w, 0, i, 2.0),
    'index_select': lambda L, w, s, i, m: L.index_select(w, 0, i),
    'gather': lambda L, w, s, i, m: L.gather(w, 0, i),
    'take': lambda L, w, s, i, m: L.take(w, i),
    'take_along_dim': lambda L, w, s, i, m: L.take_along_dim(w, i, 0),
    'take_along_dim_flat': lambda L, w, s, i, m: L.take_along_dim(w, i),
}


@pytest.mark.parametrize('modify', [True, False])
@pytest.mark.parametrize('name', list(INDEX_OPS))
def test_index_modified_in_place_before_backward(name, modify):
    def fn(L):
        w = L.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        s = L.tensor([5.0, 6.0], requires_grad=True)
        i = L.tensor([0, 2])
        m = L.tensor([True, False, True, False])
        y = INDEX_OPS[name](L, w, s, i, m)
        if modify:
            i.fill_(1)
            m.fill_(False)
        (y * L.arange(1.0, y.numel() + 1).view(y.shape)).sum().backward()
        return y, w.grad, s.grad
    _same_outcome(fn)


def test_index_error_names_index_type():
    # A uint8 mask and an int32 index are named by their own types.
    for dt, a in (('uint8', [1, 0, 1, 0]), ('int32', [1, 0])):
        def fn(L, dt=dt, a=a):
            w = L.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
            k = L.tensor(a, dtype=getattr(L, dt))
            with __import__('warnings').catch_warnings():
                __import__('warnings').simplefilter('ignore')
                y = w[k]
            k.add_(1)
            y.sum().backward()
        _same_outcome(fn)


def test_index_put_mask_double_backward_after_change():
    # The check runs before a create_graph backward too.
    def fn(L):
        w = L.tensor([1.0, 2.0, 3.0], dtype=L.float64, requires_grad=True)
        m = L.tensor([True, False, True])
        y = _setitem(w * w, m, w[1])
        g, = L.autograd.grad(y.sum(), w, create_graph=True)
        m.fill_(False)
        g.sum().backward()
        return g
    _same_outcome(fn)


# -- 2. LazyLinear honours dtype= ----------------------------------------------------------
@pytest.mark.parametrize('bias', [True, False])
def test_lazy_linear_dtype(bias):
    out = []
    for L in LIBS:
        L.manual_seed(3)
        m = L.nn.LazyLinear(3, bias=bias, dtype=L.float64)
        before = str(m.weight.dtype)
        x = L.arange(8.0, dtype=L.float64).view(2, 4) / 8
        y = m(x)
        y.sum().backward()
        assert type(m) is L.nn.Linear and m.in_features == 4
        out.append((before, y, m.weight, m.weight.grad, m.bias))
    (bt, yt, wt, gt, bt_), (bn, yn, wn, gn, bn_) = out
    assert bn == bt == 'torch.float64'
    assert yn.dtype is numtorch.float64 and wn.dtype is numtorch.float64
    np.testing.assert_allclose(_np(yn), _np(yt), rtol=1e-12)
    np.testing.assert_allclose(_np(wn), _np(wt), rtol=1e-12)
    np.testing.assert_allclose(_np(gn), _np(gt), rtol=1e-12)
    assert (bn_ is None) == (bt_ is None)
    if bias:
        assert bn_.dtype is numtorch.float64
        np.testing.assert_allclose(_np(bn_), _np(bt_), rtol=1e-12)


def test_lazy_linear_dtype_mismatch_error():
    _same_outcome(lambda L: L.nn.LazyLinear(3, dtype=L.float64)(L.ones(2, 4)))


# -- 3. Binomial.sample is torch.binomial ----------------------------------------------------
@pytest.mark.parametrize('dt', ['float32', 'float64'])
def test_binomial_distribution_sample_is_torch_binomial(dt):
    def fn(L):
        L.manual_seed(11)
        p = L.tensor([0.05, 0.3, 0.6, 0.97], dtype=getattr(L, dt), requires_grad=True)
        n = L.tensor([3.0, 40.0, 25.0, 100.0], dtype=getattr(L, dt))
        s = L.distributions.Binomial(n, probs=p).sample((3,))
        assert not s.requires_grad and s.dtype is getattr(L, dt)
        t = L.binomial(n.expand(2, 4), p.detach().expand(2, 4))
        return s, t, L.rand(2)     # the same draws consumed
    _same_outcome(fn)


def test_binomial_distribution_half_error():
    def fn(L):
        h = L.float16
        L.distributions.Binomial(L.tensor([5.0], dtype=h), L.tensor([0.3], dtype=h)).sample()
    _same_outcome(fn)


# -- 4. func.functional_call is stateless._functional_call after merging its dicts ----------
def test_func_functional_call_shares_stateless():
    def fn(L):
        m = L.nn.Linear(2, 2)
        w = L.ones(2, 2, requires_grad=True)
        x = L.tensor([1.0, 2.0])
        y = L.func.functional_call(m, ({'weight': w}, {'bias': L.zeros(2)}), x)
        y.sum().backward()
        return y, w.grad
    _same_outcome(fn)
    # DataParallel is refused by the stateless API, so by torch.func's too
    _same_outcome(lambda L: L.func.functional_call(L.nn.DataParallel(L.nn.Linear(2, 2)), {},
                                                   (L.ones(2),)))
    _same_outcome(lambda L: L.func.functional_call(L.nn.Linear(2, 2), ({'bias': L.ones(2)},
                                                                       {'bias': L.ones(2)}),
                                                   (L.ones(2),)))


# -- 5. conv_tbc: one ConvTbcBackward0 node, PyTorch's gradients and pad semantics -----------
def _tbc_inputs(L, t=6, dtype='float64'):
    rng = np.random.default_rng(5)
    dt = getattr(L, dtype)
    x = L.tensor(rng.normal(size=(t, 2, 3)), dtype=dt, requires_grad=True)
    w = L.tensor(rng.normal(size=(3, 3, 4)), dtype=dt, requires_grad=True)
    b = L.tensor(rng.normal(size=4), dtype=dt, requires_grad=True)
    return x, w, b


@pytest.mark.parametrize('pad', [-2, -1, 0, 1, 3])
def test_conv_tbc_values_grads_and_double_backward(pad):
    def fn(L):
        x, w, b = _tbc_inputs(L, 8)
        y = L.conv_tbc(x, w, b, pad)
        assert y.grad_fn.name() == 'ConvTbcBackward0'
        g = L.arange(1.0, y.numel() + 1, dtype=L.float64).view(y.shape) / 7
        gx, gw, gb = L.autograd.grad(y, (x, w, b), g, create_graph=True)
        (gx.square().sum() + (gw * gw.detach()).sum() + gb.pow(3).sum()).backward()
        return y, gx, gw, gb, x.grad, w.grad
    _same_outcome(fn)
    x, w, b = _tbc_inputs(numtorch)
    assert numtorch.autograd.gradcheck(lambda *a: numtorch.conv_tbc(*a, pad), (x, w, b))
    assert numtorch.autograd.gradgradcheck(lambda *a: numtorch.conv_tbc(*a, pad), (x, w, b))


def test_conv_tbc_negative_pad_crops():
    x, w, b = _tbc_inputs(numtorch)
    np.testing.assert_allclose(_np(numtorch.conv_tbc(x, w, b, -1)),
                               _np(numtorch.conv_tbc(x[1:-1], w, b)), rtol=1e-12)


CONV_TBC_CASES = {
    'too_negative': lambda L, x, w, b: L.conv_tbc(x, w, b, -3),
    'short_input': lambda L, x, w, b: L.conv_tbc(x[:2], w, b),
    'empty_output': lambda L, x, w, b: L.conv_tbc(x[:3], w, b, -1),
    'empty_time': lambda L, x, w, b: L.conv_tbc(x[:0], w, b, 1),
    'empty_kernel': lambda L, x, w, b: L.conv_tbc(x, w[:0], b, 1),
    'weight_dtype': lambda L, x, w, b: L.conv_tbc(x, w.float(), b),
    'input_dtype': lambda L, x, w, b: L.conv_tbc(x.long(), w, b),
    'int': lambda L, x, w, b: L.conv_tbc((x * 3).long(), (w * 3).long(), b.long(), 1),
    'bias_dtype': lambda L, x, w, b: L.conv_tbc(x, w, b.float(), 1),
    'weight_grad_only': lambda L, x, w, b: L.conv_tbc(x.detach(), w, b, 2),
    'input_grad_only': lambda L, x, w, b: L.conv_tbc(x, w.detach(), b, -1),
    'bool_pad': lambda L, x, w, b: L.conv_tbc(x, w, b, True),
    'float_pad': lambda L, x, w, b: L.conv_tbc(x, w, b, 1.0),
    'not_viewable': lambda L, x, w, b: L.conv_tbc(x.detach().permute(1, 0, 2).contiguous()
                                                  .permute(1, 0, 2), w, b, 1),
    'one_step': lambda L, x, w, b: L.conv_tbc(x.detach().permute(1, 0, 2).contiguous()
                                              .permute(1, 0, 2)[:1], w, b, 1),
    'half': lambda L, x, w, b: L.conv_tbc(x.detach().half(), w.detach().half(),
                                          b.detach().half(), 1),
}


@pytest.mark.parametrize('name', list(CONV_TBC_CASES))
def test_conv_tbc_cases(name):
    def fn(L):
        x, w, b = _tbc_inputs(L)
        y = CONV_TBC_CASES[name](L, x, w, b)
        assert y.dtype == x.dtype or name in ('int', 'half')
        if not y.requires_grad:
            return y.double()
        y.sum().backward()
        assert b.grad.dtype == b.dtype
        return y, x.grad, w.grad, b.grad
    _same_outcome(fn)


# -- 6. folded module code: behaviour unchanged ------------------------------------------------
def test_local_response_norm_reprs():
    for name in ('LocalResponseNorm', 'CrossMapLRN2d'):
        for args in ((3,), (2, 1e-3, 0.5, 2)):
            assert repr(getattr(numtorch.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
    x = np.random.default_rng(2).random((1, 4, 3, 3))
    for name in ('LocalResponseNorm', 'CrossMapLRN2d'):
        yn = getattr(numtorch.nn, name)(3)(numtorch.tensor(x))
        yt = getattr(torch.nn, name)(3)(torch.tensor(x))
        np.testing.assert_allclose(_np(yn), _np(yt), rtol=1e-12)


@pytest.mark.parametrize('d', [1, 2, 3])
def test_lazy_input_ranks(d):
    for kind, cls in (('InstanceNorm', 'LazyInstanceNorm'), ('Conv', 'LazyConv'),
                      ('ConvTranspose', 'LazyConvTranspose')):
        for rank in (d, d + 1, d + 2, d + 3):
            def fn(L, rank=rank, cls=cls):
                m = (getattr(L.nn, f'{cls}{d}d')(2, 1) if 'Conv' in cls
                     else getattr(L.nn, f'{cls}{d}d')())
                y = m(L.ones((2,) * rank))
                assert type(m) is getattr(L.nn, f'{cls[4:]}{d}d')
                return L.tensor(list(y.shape))
            _same_outcome(fn)
