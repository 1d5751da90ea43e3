"""igamma/igammac, the Bessel functions, the normal-distribution functions, xlog1py and entr
(numtorch/_ops/igamma.py, bessel.py, special.py), torch.special and Gamma/Chi2.cdf, against
torch."""
import numpy as np
import pytest
import torch

import numtorch
import numtorch.special as S
from numtorch._ops.igamma import igamma, igammac
from numtorch.autograd import gradcheck

RNG = np.random.default_rng(0)


def _close(got, ref, rtol, atol):
    got, ref = np.asarray(got), np.asarray(ref)
    assert got.dtype == ref.dtype
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    inf = np.isinf(ref)
    np.testing.assert_array_equal(got[inf], ref[inf])
    fin = np.isfinite(ref)
    np.testing.assert_allclose(got[fin], ref[fin], rtol=rtol, atol=atol)


TOL = {np.float64: (1e-12, 1e-300), np.float32: (1e-5, 1e-6)}


def _igamma_points():
    a = np.concatenate([10 ** RNG.uniform(-3, 4, 1500), RNG.uniform(0, 30, 500),
                        [1e5, 1e6, 1e8, 0, 0, -1, 1, np.inf, np.nan, 2, 1, 0, np.inf, 3, 250]])
    x = np.concatenate([a[:800] * np.exp(RNG.normal(0, 0.3, 800)), 10 ** RNG.uniform(-3, 4, 700),
                        RNG.uniform(0, 40, 500),
                        [1e5 + 100, 1e6 - 2000, 1e8 + 1e4, 0, 1, 1, 0, 1, 1, np.inf, -1, np.inf,
                         np.inf, -0.0, 251]])
    return a, x


@pytest.mark.parametrize('dt', [np.float64, np.float32])
@pytest.mark.parametrize('name', ['igamma', 'igammac'])
def test_igamma_values(name, dt):
    a, x = _igamma_points()
    if dt == np.float32:
        keep = a < 1e4          # PyTorch's single-precision kernel loses digits beyond
        a, x = a[keep], x[keep]
    fn = {'igamma': igamma, 'igammac': igammac}[name]
    got = fn(numtorch.tensor(a.astype(dt)), numtorch.tensor(x.astype(dt))).numpy()
    ref = getattr(torch, name)(torch.tensor(a.astype(dt)), torch.tensor(x.astype(dt))).numpy()
    # (float64: 1e-12 relative, the tiny tails' exp(lgamma) rounding included)
    rtol, atol = TOL[dt]
    _close(got, ref, 1e-10 if dt == np.float64 else rtol, atol)


def test_igamma_special_names_broadcast_dtypes_and_float16():
    a = numtorch.tensor([[0.5], [2.0], [30.0]])
    x = numtorch.tensor([0.1, 1.0, 5.0, 29.0], dtype=numtorch.float64)
    ta, tx = torch.tensor(a.numpy()), torch.tensor(x.numpy())
    for ours, ref in [(S.gammainc, torch.special.gammainc), (S.gammaincc, torch.special.gammaincc)]:
        got, exp = ours(a, x), ref(ta, tx)
        assert got.dtype == numtorch.float64 and got.shape == (3, 4)
        _close(got.numpy(), exp.numpy(), 1e-12, 1e-300)
    i = numtorch.tensor([1, 2])
    assert igamma(i, numtorch.tensor([1.0, 2.0])).dtype == numtorch.float32
    h = igamma(numtorch.tensor([1.0, 2.0], dtype=numtorch.float16),
               numtorch.tensor([1.0, 2.0], dtype=numtorch.float16))
    ref = torch.igamma(torch.tensor([1.0, 2.0], dtype=torch.float16),
                       torch.tensor([1.0, 2.0], dtype=torch.float16))
    assert h.dtype == numtorch.float16
    np.testing.assert_array_equal(h.numpy(), ref.numpy())


def test_igamma_errors():
    with pytest.raises(TypeError, match=r"igamma\(\): argument 'other' \(position 2\) must be "
                                        r"Tensor, not float"):
        igamma(numtorch.ones(2), 2.0)
    with pytest.raises(TypeError, match=r"special_gammainc\(\): argument 'input' \(position 1\)"):
        S.gammainc(1.0, numtorch.ones(2))
    with pytest.raises(NotImplementedError, match='"igamma_cpu" not implemented for \'Long\''):
        igamma(numtorch.tensor([1, 2]), numtorch.tensor([1, 2]))
    with pytest.raises(NotImplementedError, match='"igammac_cpu" not implemented for \'Int\''):
        S.gammaincc(numtorch.tensor([1], dtype=numtorch.int32),
                    numtorch.tensor([1], dtype=numtorch.int32))
    with pytest.raises(NotImplementedError, match='"igamma_cpu" not implemented for \'Long\''):
        igamma(numtorch.tensor([True]), numtorch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match=r'The size of tensor a \(2\) must match the size of '
                                           r'tensor b \(3\) at non-singleton dimension 0'):
        igamma(numtorch.ones(2), numtorch.ones(3))


@pytest.mark.parametrize('name', ['igamma', 'igammac'])
def test_igamma_gradient(name):
    fn = {'igamma': igamma, 'igammac': igammac}[name]
    a = np.array([0.5, 2.0, 7.0, 30.0, 1.0])
    x = np.array([0.3, 3.0, 6.0, 31.0, 0.0])
    xa = numtorch.tensor(x, requires_grad=True)
    y = fn(numtorch.tensor(a), xa)
    tx = torch.tensor(x, requires_grad=True)
    ty = getattr(torch, name)(torch.tensor(a), tx)
    assert y.grad_fn.name() == ty.grad_fn.name()
    y.sum().backward()
    ty.sum().backward()
    _close(xa.grad.numpy(), tx.grad.numpy(), 1e-12, 1e-300)
    assert gradcheck(lambda t: fn(numtorch.tensor(a[:4]), t),
                     (numtorch.tensor(x[:4], requires_grad=True),))
    # PyTorch has no derivative in a: backward raises
    aa = numtorch.tensor(a, requires_grad=True)
    with pytest.raises(NotImplementedError,
                       match=f"the derivative for '{name}: input' is not implemented."):
        fn(aa, numtorch.tensor(x)).sum().backward()


def test_gamma_and_chi2_cdf():
    conc, rate = [0.5, 2.0, 9.0], [1.5, 0.7, 2.0]
    v = [[0.1], [1.0], [4.0]]
    d = numtorch.distributions.Gamma(numtorch.tensor(conc), numtorch.tensor(rate))
    td = torch.distributions.Gamma(torch.tensor(conc), torch.tensor(rate))
    _close(d.cdf(numtorch.tensor(v)).numpy(), td.cdf(torch.tensor(v)).numpy(), 1e-5, 1e-6)
    c = numtorch.distributions.Chi2(numtorch.tensor([1.0, 3.0]))
    tc = torch.distributions.Chi2(torch.tensor([1.0, 3.0]))
    _close(c.cdf(numtorch.tensor(2.5)).numpy(), tc.cdf(torch.tensor(2.5)).numpy(), 1e-5, 1e-6)
    with pytest.raises(ValueError):
        d.cdf(numtorch.tensor([-1.0, 1.0, 1.0]))
    xt = numtorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d.cdf(xt).sum().backward()
    tt = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    td.cdf(tt).sum().backward()
    _close(xt.grad.numpy(), tt.grad.numpy(), 1e-5, 1e-6)


def _points():
    return np.concatenate([RNG.normal(0, 5, 1000), RNG.normal(0, 50, 200),
                           [0.0, -0.0, 1e-8, 1, -1, 5, -5, 8, -8, 27.5, 30, 50, 60, 1e8, -26,
                            -27, 700, -700, np.inf, -np.inf, np.nan]])


UNARY = ['i0', 'i0e', 'i1', 'i1e', 'bessel_j0', 'bessel_j1', 'ndtr', 'log_ndtr', 'erfcx', 'entr']
# atol/rtol for float32 where PyTorch's single-precision kernels cancel (j0/j1 near their
# zeros, ndtr's 1 + erf, log_ndtr's log1p)
F32 = {'bessel_j0': 1e-6, 'bessel_j1': 1e-6, 'ndtr': 1e-6}


@pytest.mark.parametrize('dt', [np.float64, np.float32])
@pytest.mark.parametrize('name', UNARY)
def test_unary_values(name, dt):
    x = _points().astype(dt)
    if name == 'entr':
        x = np.abs(x) * np.sign(RNG.normal(size=x.size)).astype(dt)
    got = getattr(S, name)(numtorch.tensor(x)).numpy()
    ref = getattr(torch.special, name)(torch.tensor(x)).numpy()
    if dt == np.float64:
        # ndtr is 1 + erf(x / sqrt 2): erf's last ulp shows in the left tail
        _close(got, ref, 1e-13, 1e-16 if name == 'ndtr' else 1e-300)
    else:
        _close(got, ref, 1e-5, F32.get(name, 1e-30))


def test_i0_top_level_and_ndtri():
    p = np.concatenate([RNG.uniform(0, 1, 500), 10 ** RNG.uniform(-300, 0, 200),
                        [0, 1, -1, 2, np.nan, 0.5, 1 - 1e-10, 0.135, 0.865]])
    for dt in (np.float64, np.float32):
        _close(S.ndtri(numtorch.tensor(p.astype(dt))).numpy(),
               torch.special.ndtri(torch.tensor(p.astype(dt))).numpy(), *TOL[dt])
    from numtorch._ops.bessel import i0
    x = np.array([0.0, 1.0, -90.0, 89.0, 3.5], np.float32)
    _close(i0(numtorch.tensor(x)).numpy(), torch.i0(torch.tensor(x)).numpy(), 1e-6, 0)


@pytest.mark.parametrize('name', UNARY + ['ndtri'])
def test_unary_dtypes(name):
    ours, ref = getattr(S, name), getattr(torch.special, name)
    for v in ([1, 2], [True, False]):
        got, exp = ours(numtorch.tensor(v)), ref(torch.tensor(v))
        assert str(got.dtype) == str(exp.dtype)
        _close(got.numpy(), exp.numpy(), 1e-6, 1e-7)
    h = torch.tensor([0.25, 0.5], dtype=torch.float16)
    try:
        exp = ref(h)
    except RuntimeError as e:
        with pytest.raises(RuntimeError, match=str(e)):
            ours(numtorch.tensor(h.numpy()))
    else:
        got = ours(numtorch.tensor(h.numpy()))
        assert got.dtype == numtorch.float16
        np.testing.assert_allclose(got.numpy(), exp.numpy(), rtol=1e-3)


GRADS = ['i0', 'i0e', 'i1', 'i1e', 'ndtr', 'log_ndtr', 'erfcx', 'entr', 'ndtri']


@pytest.mark.parametrize('name', GRADS)
def test_unary_gradients(name):
    x = np.array([0.0, 1.5, -3.0, 10.0, -0.2, 9.0, 0.7])
    if name == 'ndtri':
        x = np.array([0.0, 0.01, 0.5, 0.9, 1.0, 1.2])
    if name == 'entr':
        x = np.array([0.0, 0.5, 2.0, -1.0])
    xt = numtorch.tensor(x, requires_grad=True)
    tt = torch.tensor(x, requires_grad=True)
    y, ty = getattr(S, name)(xt), getattr(torch.special, name)(tt)
    if name != 'ndtr':      # (a composite: numtorch's tensor * scalar node is MulBackward0)
        assert y.grad_fn.name() == ty.grad_fn.name()
    y.backward(numtorch.ones_like(y))
    ty.backward(torch.ones_like(ty))
    _close(xt.grad.numpy(), tt.grad.numpy(), 1e-12, 1e-300)
    ok = {'ndtri': [1, 2, 3], 'entr': [1, 2]}.get(name, [1, 2, 3, 4, 6])
    assert gradcheck(getattr(S, name), (numtorch.tensor(x[ok], requires_grad=True),))


def test_bessel_j_has_no_gradient():
    x = numtorch.tensor([1.0, 2.0], requires_grad=True)
    assert not S.bessel_j0(x).requires_grad and not S.bessel_j1(x).requires_grad


def test_xlog1py():
    a = np.array([[0.0], [1.0], [2.0], [-3.0]])
    b = np.array([-1.0, 0.0, 1.0, np.nan, -2.0, 5.0])
    got = S.xlog1py(numtorch.tensor(a), numtorch.tensor(b))
    ref = torch.special.xlog1py(torch.tensor(a), torch.tensor(b))
    _close(got.numpy(), ref.numpy(), 1e-15, 0)
    for lt, r in [(numtorch.tensor([0.0, 1.0]), 2), (2, numtorch.tensor([0.0, 1.0])),
                  (numtorch.tensor([0, 1]), numtorch.tensor([0, 1])),
                  (numtorch.tensor([1.0], dtype=numtorch.float64), 2.5)]:
        tl = torch.tensor(lt.numpy()) if isinstance(lt, numtorch.Tensor) else lt
        tr = torch.tensor(r.numpy()) if isinstance(r, numtorch.Tensor) else r
        g, e = S.xlog1py(lt, r), torch.special.xlog1py(tl, tr)
        assert str(g.dtype) == str(e.dtype)
        _close(g.numpy(), e.numpy(), 1e-6, 0)
    at = numtorch.tensor([0.0, 1.0, 2.0], requires_grad=True)
    bt = numtorch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    ta = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
    tb = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    y, ty = S.xlog1py(at, bt), torch.special.xlog1py(ta, tb)
    assert y.grad_fn.name() == ty.grad_fn.name() == 'SpecialXlog1PyBackward0'
    y.sum().backward()
    ty.sum().backward()
    _close(at.grad.numpy(), ta.grad.numpy(), 1e-6, 0)
    _close(bt.grad.numpy(), tb.grad.numpy(), 1e-6, 0)
    assert gradcheck(S.xlog1py, (numtorch.tensor([0.5, 2.0], dtype=numtorch.float64,
                                                 requires_grad=True),
                                 numtorch.tensor([0.3, 4.0], dtype=numtorch.float64,
                                                 requires_grad=True)))
    with pytest.raises(RuntimeError, match='The size of tensor a'):
        S.xlog1py(numtorch.ones(2), numtorch.ones(3))
