"""torch.gradient, trapz, pdist, histogram/histogramdd/histc, the native window functions and
torch.signal.windows against PyTorch: values, dtypes, gradients, node names and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch as nt
from numtorch._ops.histogram import histc as nt_histc


def _err(fn):
    """(error type name, message) of fn(), or None."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 (any error is compared with PyTorch's)
        return type(e).__name__, str(e)
    return None


def _both_err(fn):
    a, b = _err(lambda: fn(torch)), _err(lambda: fn(nt))
    assert a is not None and a == b, (a, b)


X = np.array([[1, 2, 4, 7, 8], [3, 5, 9, 10, -1], [0, 1, 1, 2, 3.5]])


# -- gradient ----------------------------------------------------------------------------
@pytest.mark.parametrize('kw', [
    {}, {'spacing': 2.0}, {'edge_order': 2}, {'dim': 1, 'spacing': [0.5]},
    {'spacing': [2, 3.0]}, {'dim': (1,), 'spacing': 'c'},
    {'dim': -1, 'spacing': 'c', 'edge_order': 2}, {'dim': [0], 'spacing': 3, 'edge_order': 2}])
def test_gradient_values_grads_nodes(kw):
    res = []
    for m in (torch, nt):
        k = dict(kw)
        x = m.tensor(X, requires_grad=True)
        c = m.tensor([0., 1, 3, 3.5, 6], dtype=m.float64, requires_grad=True)
        if k.get('spacing') == 'c':
            k['spacing'] = [c]
        g = m.gradient(x, **k)
        assert type(g) is tuple
        w = sum((gi * m.arange(gi.numel(), dtype=m.float64).reshape(gi.shape) * (i + 1)).sum()
                for i, gi in enumerate(g))
        w.backward()
        res.append(([gi.detach().numpy() for gi in g], x.grad.numpy(),
                    None if c.grad is None else c.grad.numpy(),
                    [gi.grad_fn.name() for gi in g],
                    [n.name() for n, _ in g[0].grad_fn.next_functions]))
    (ga, xa, ca, na, fa), (gb, xb, cb, nb, fb) = res
    assert len(ga) == len(gb)
    for p, q in zip(ga, gb):
        np.testing.assert_allclose(q, p, rtol=1e-12)
    np.testing.assert_allclose(xb, xa, rtol=1e-12)
    assert (ca is None) == (cb is None)
    if ca is not None:
        np.testing.assert_allclose(cb, ca, rtol=1e-10)
    assert (na, fa) == (nb, fb)


def test_gradient_dtypes_and_gradcheck():
    xi = [[1, 2, 4], [3, 3, 3]]
    for m in (torch, nt):
        assert [g.dtype for g in m.gradient(m.tensor(xi))] == [m.float32] * 2
        assert m.gradient(m.tensor(xi, dtype=m.float32),
                          spacing=[m.arange(3.0, dtype=m.float64)], dim=1)[0].dtype == m.float64
        assert m.gradient(m.tensor(3.)) == ()
    x = nt.tensor(X, requires_grad=True)
    c = nt.tensor([0., 1, 3, 3.5, 6], dtype=nt.float64, requires_grad=True)
    assert nt.autograd.gradcheck(lambda x, c: nt.gradient(x, spacing=[c], dim=1,
                                                          edge_order=2)[0], (x, c))


@pytest.mark.parametrize('kw', [{'edge_order': 3}, {'dim': (1, 1)}, {'dim': 2},
                                {'spacing': [1., 2, 3]}, {'spacing': [1.], 'dim': (0, 1)},
                                {'edge_order': 2, 'dim': 0, 'spacing': 1.}])
def test_gradient_errors(kw):
    _both_err(lambda m: m.gradient(m.tensor(X[:2]), **kw))


def test_gradient_more_errors():
    _both_err(lambda m: m.gradient(m.tensor([[1, 2, 3]], dtype=m.uint8)))
    _both_err(lambda m: m.gradient(m.tensor(X), spacing=[m.tensor(1.)], dim=1))
    with pytest.raises(TypeError):
        nt.gradient(nt.tensor(X), spacing=nt.arange(5.), dim=1)


def test_trapz():
    y, x = [1., 2, 3, 5], [0., 1, 3, 3.5]
    for kw in ({}, {'dx': 2.0}):
        a = torch.trapz(torch.tensor(y), **kw)
        b = nt.trapz(nt.tensor(y), **kw)
        assert a.item() == b.item() and b.dtype == nt.float32
    assert torch.trapz(torch.tensor(y), torch.tensor(x)).item() == \
        nt.trapz(nt.tensor(y), nt.tensor(x)).item()
    with pytest.raises(TypeError):
        nt.trapz(nt.tensor(y), nt.tensor(x), dx=2.)


# -- pdist -------------------------------------------------------------------------------
@pytest.mark.parametrize('p', [0, 0.5, 1, 1.5, 2, 3, float('inf')])
def test_pdist(p):
    x = np.array([[1., 2], [1, 2], [3, 5], [0, 7], [0.5, 7]])
    res = []
    for m in (torch, nt):
        t = m.tensor(x, requires_grad=True)
        d = m.pdist(t, p)
        (d * m.arange(1., 11, dtype=m.float64)).sum().backward()
        res.append((d.detach().numpy(), t.grad.numpy(), d.grad_fn.name()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-12)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-12, atol=1e-12)
    assert res[0][2] == res[1][2] == 'PdistBackward0'
    if p not in (0, float('inf')):
        xt = nt.tensor(x[[0, 2, 3]] + np.array([[0, .1], [.2, 0], [0, 0]]), requires_grad=True)
        assert nt.autograd.gradcheck(lambda a: nt.pdist(a, p), (xt,))


def test_pdist_shapes_errors():
    for shape in ((1, 2), (0, 2), (3, 0)):
        a, b = torch.pdist(torch.ones(shape)), nt.pdist(nt.ones(shape))
        assert a.shape == b.shape and np.array_equal(a.numpy(), b.numpy())
    assert nt.pdist(nt.ones(3, 2, dtype=nt.float64)).dtype == nt.float64
    _both_err(lambda m: m.pdist(m.ones(3, 2, 2)))
    _both_err(lambda m: m.pdist(m.ones(3, 2), -1))
    _both_err(lambda m: m.pdist(m.ones(3, 2, dtype=m.int64)))
    _both_err(lambda m: m.pdist(m.ones(3, 2, dtype=m.float16)))


# -- histograms --------------------------------------------------------------------------
A = [1., 2, 1, 5, 0.5, 3]


def _same_hist(a, b):
    assert type(a).__name__ == type(b).__name__ and repr(a) == repr(b)


@pytest.mark.parametrize('call', [
    lambda m: m.histogram(m.tensor(A), 3),
    lambda m: m.histogram(m.tensor(A), 3, density=True),
    lambda m: m.histogram(m.tensor(A, dtype=m.float64), 4, range=(0., 4.)),
    lambda m: m.histogram(m.tensor(A), m.tensor([0., 1, 2.5, 4]), density=True),
    lambda m: m.histogram(m.tensor(A), bins=m.tensor([0., 1, 1, 2, 5])),
    lambda m: m.histogram(m.tensor(A).reshape(2, 3), 2, weight=m.tensor(A)),
    lambda m: m.histogram(m.tensor([]), 3),
    lambda m: m.histogram(m.tensor([2., 2.]), 3),
    lambda m: m.histogram(m.tensor([1., 2]), bins=m.tensor([0., 1, 2]),
                          weight=m.tensor([1., 2]), density=True),
    lambda m: m.histogramdd(m.tensor([[0., 1.], [1., 0.], [2., 0.], [2., 2.]]), bins=[3, 3],
                            weight=m.tensor([1., 2., 4., 8.])),
    lambda m: m.histogramdd(m.tensor([[0., 1.], [1., 0.], [2., 0.], [2., 2.]]), [2, 3],
                            range=[0., 1., 0., 2.], density=True),
    lambda m: m.histogramdd(m.tensor([[0., 1.], [1., 0.], [2., 0.], [2., 2.]]).reshape(2, 2, 2),
                            2),
    lambda m: m.histogramdd(m.tensor([[0., 1.], [1., 0.], [2., 0.], [2., 2.]]),
                            [m.tensor([0., 1, 2]), m.tensor([0., 1.5, 2])]),
    lambda m: m.histogramdd(m.zeros(0, 2), 2),
    lambda m: m.histogramdd(m.ones(3, 0), 2),
    lambda m: m.histogramdd(m.tensor([[0., 1.]]), 2, weight=m.tensor(1.)),
])
def test_histogram_values(call):
    _same_hist(call(torch), call(nt))


def test_histogram_random_against_torch():
    g = np.random.default_rng(0)
    for dt in ('float32', 'float64'):
        x = g.standard_normal(500).astype(dt)
        w = g.random(500).astype(dt)
        for bins in (7, 64):
            a = torch.histogram(torch.from_numpy(x), bins, weight=torch.from_numpy(w))
            b = nt.histogram(nt.from_numpy(x), bins, weight=nt.from_numpy(w))
            # (float64 linspace: PyTorch's FMA can differ from ours in the last bit)
            np.testing.assert_allclose(b.bin_edges.numpy(), a.bin_edges.numpy(), rtol=1e-15,
                                       atol=1e-15)
            np.testing.assert_allclose(b.hist.numpy(), a.hist.numpy(), rtol=1e-5)
            a = torch.histc(torch.from_numpy(x), bins, min=-1, max=1.5)
            b = nt_histc(nt.from_numpy(x), bins, min=-1, max=1.5)
            assert b.dtype == getattr(nt, dt) and np.array_equal(a.numpy(), b.numpy())
        p = g.standard_normal((200, 3)).astype(dt)
        a = torch.histogramdd(torch.from_numpy(p), [3, 4, 5])
        b = nt.histogramdd(nt.from_numpy(p), [3, 4, 5])
        assert np.array_equal(a.hist.numpy(), b.hist.numpy())
        for ea, eb in zip(a.bin_edges, b.bin_edges):
            np.testing.assert_allclose(eb.numpy(), ea.numpy(), rtol=1e-15, atol=1e-15)


def test_histogram_not_differentiable():
    for m in (torch, nt):
        h = m.histogram(m.tensor([1., 2], requires_grad=True), 2)
        # (torch's name() is 'torch::autograd::NotImplemented'; reprs print NotImplemented)
        assert 'grad_fn=<NotImplemented>' in repr(h) and h.bin_edges.requires_grad
        assert h.n_fields == 2
        h = m.histogram(m.tensor([1., 2]), 2)
        assert not h.hist.requires_grad and h.hist.grad_fn is None
        assert not m.histc(m.tensor([1., 2], requires_grad=True), 3).requires_grad
    _both_err(lambda m: m.histogram(m.tensor([1., 2], requires_grad=True), 2).hist.sum()
              .backward())
    _both_err(lambda m: m.histogramdd(m.tensor([[1., 2]], requires_grad=True), 2).hist.sum()
              .backward())
    b = nt.tensor([0., 1])
    assert nt.histogramdd(nt.tensor([[1., 2]]), [b, b]).bin_edges[0] is b


@pytest.mark.parametrize('call', [
    lambda m: m.histogram(m.tensor(A), 3, range=(1., 0.)),
    lambda m: m.histogram(m.tensor(A), 0),
    lambda m: m.histogram(m.tensor(A), -1),
    lambda m: m.histogram(m.tensor(A).long(), 3),
    lambda m: m.histogram(m.tensor(A).half(), 3),
    lambda m: m.histogram(m.tensor(A), 3, weight=m.ones(6, dtype=m.float64)),
    lambda m: m.histogram(m.tensor(A), 3, weight=m.ones(5)),
    lambda m: m.histogram(m.tensor(A), m.tensor([[0., 1]])),
    lambda m: m.histogram(m.tensor(A), m.tensor([0.])),
    lambda m: m.histogram(m.tensor(A), m.tensor([0., 1], dtype=m.float64)),
    lambda m: m.histogram(m.tensor([1, 2]), m.tensor([0, 1, 2])),
    lambda m: m.histogram(m.tensor([2., float('nan')]), 3),
    lambda m: m.histogram(m.tensor([2., 3]), 3, range=(0., float('inf'))),
    lambda m: m.histogram(m.tensor(A), 3, range=[0., 3., 4.]),
    lambda m: m.histogramdd(m.ones(4, 2), [2, 3, 4]),
    lambda m: m.histogramdd(m.ones(4, 2), [2, 3], range=[0., 1.]),
    lambda m: m.histogramdd(m.ones(4), 3),
    lambda m: m.histogramdd(m.ones(4, 2), [m.tensor([0., 1]), m.tensor([])]),
    lambda m: m.histogramdd(m.ones(4, 2), 2, weight=m.tensor(1.)),
    lambda m: m.histogramdd(m.ones(4, 2).long(), 2),
    lambda m: m.histogramdd(m.ones(4, 2), [2., 3]),
])
def test_histogram_errors(call):
    a, b = _err(lambda: call(torch)), _err(lambda: call(nt))
    assert a is not None and a[0] == b[0]
    if a[0] != 'TypeError':
        assert a == b


@pytest.mark.parametrize('data,kw', [([1, 2], dict(bins=3)),
                                     ([1., 2, 7], dict(bins=3, min=3, max=2)),
                                     ([1., 2], dict(bins=0))])
def test_histc_errors(data, kw):
    # (histogram.py's histc; numtorch.histc still names the reduction module's)
    a = _err(lambda: torch.histc(torch.tensor(data), **kw))
    b = _err(lambda: nt_histc(nt.tensor(data), **kw))
    assert a is not None and a == b


def test_histc_values():
    for data, kw in (([1., 2, 1, 7], dict(bins=3, min=1, max=2)), ([], dict(bins=3)),
                     ([1., 1], dict(bins=3)), ([1., 2, 1, 7], dict(bins=4)),
                     ([0.1, 0.2, 0.3, 0.7, 1.0], dict(bins=10, min=0, max=1))):
        for dt in ('float32', 'float64'):
            a = torch.histc(torch.tensor(data, dtype=getattr(torch, dt)), **kw)
            b = nt_histc(nt.tensor(data, dtype=getattr(nt, dt)), **kw)
            assert repr(a) == repr(b)


# -- windows -----------------------------------------------------------------------------
NATIVE = ['hann_window', 'hamming_window', 'blackman_window', 'bartlett_window',
          'kaiser_window']


@pytest.mark.parametrize('name', NATIVE)
def test_native_windows(name):
    for n in (0, 1, 2, 3, 4, 7, 10, 33):
        for periodic in (True, False):
            for dt in ('float32', 'float64'):
                a = getattr(torch, name)(n, periodic, dtype=getattr(torch, dt))
                b = getattr(nt, name)(n, periodic, dtype=getattr(nt, dt))
                assert b.dtype == getattr(nt, dt) and tuple(a.shape) == tuple(b.shape)
                tol = 1e-6 if dt == 'float32' else 1e-14
                np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=tol, atol=tol)
    a = getattr(torch, name)(1, requires_grad=True)
    b = getattr(nt, name)(1, requires_grad=True)
    assert b.requires_grad and b.is_leaf and a.is_leaf
    assert getattr(nt, name)(5).dtype == nt.float32
    _both_err(lambda m: getattr(m, name)(-1))
    _both_err(lambda m: getattr(m, name)(3, dtype=m.long))
    _both_err(lambda m: getattr(m, name)(3.0))


def test_window_extra_args():
    a = torch.hamming_window(6, True, 0.3, 0.6)
    b = nt.hamming_window(6, True, 0.3, 0.6)
    np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6, atol=1e-7)
    a, b = torch.kaiser_window(7, False, 3.0), nt.kaiser_window(7, False, 3.0)
    np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6)
    a = torch.hann_window(5, dtype=torch.float16)
    b = nt.hann_window(5, dtype=nt.float16)
    np.testing.assert_allclose(b.numpy(), a.numpy(), atol=1e-3)


SIG = ['bartlett', 'blackman', 'cosine', 'exponential', 'gaussian', 'hamming', 'hann',
       'kaiser', 'nuttall']


@pytest.mark.parametrize('name', SIG)
def test_signal_windows(name):
    assert nt.signal.windows.__all__ == torch.signal.windows.__all__
    for n in (0, 1, 2, 5, 8):
        for sym in (True, False):
            for dt in ('float32', 'float64'):
                res = []
                for m in (torch, nt):
                    w = getattr(m.signal.windows, name)(n, sym=sym, dtype=getattr(m, dt),
                                                        requires_grad=True)
                    if w.grad_fn is not None:
                        (w * m.arange(1., n + 1, dtype=w.dtype)).sum().backward()
                    res.append((w.detach().numpy(), w.grad_fn and w.grad_fn.name(),
                                w.requires_grad, w.dtype == m.float64))
                tol = 1e-6 if dt == 'float32' else 1e-13
                np.testing.assert_allclose(res[1][0], res[0][0], rtol=tol, atol=tol)
                assert res[0][1:] == res[1][1:]
    _both_err(lambda m: getattr(m.signal.windows, name)(-2))
    _both_err(lambda m: getattr(m.signal.windows, name)(3, dtype=m.float16))


def test_signal_window_params():
    W = (torch.signal.windows, nt.signal.windows)
    for kw in (dict(std=0.5), dict(sym=False, std=2.)):
        a, b = W[0].gaussian(7, **kw), W[1].gaussian(7, **kw)
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6)
    a = W[0].exponential(6, sym=False, center=1., tau=2.)
    b = W[1].exponential(6, sym=False, center=1., tau=2.)
    np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6)
    a = W[0].general_cosine(6, a=[0.5, 0.3, 0.2], dtype=torch.float64)
    b = W[1].general_cosine(6, a=[0.5, 0.3, 0.2], dtype=nt.float64)
    np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-13, atol=1e-15)
    a = W[0].general_hamming(6, alpha=0.6, sym=False)
    b = W[1].general_hamming(6, alpha=0.6, sym=False)
    np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6, atol=1e-7)
    a, b = W[0].kaiser(9, beta=4.), W[1].kaiser(9, beta=4.)
    np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6)
    for call in (lambda w: w.general_cosine(3, a=3), lambda w: w.general_cosine(3, a=[]),
                 lambda w: w.kaiser(5, beta=-1.), lambda w: w.gaussian(5, std=0),
                 lambda w: w.exponential(5, tau=0), lambda w: w.exponential(5, center=1.),
                 lambda w: w.hann(5, 3)):
        a, b = _err(lambda: call(W[0])), _err(lambda: call(W[1]))
        assert a is not None and a[0] == b[0]
        if a[0] != 'TypeError':
            assert a == b
