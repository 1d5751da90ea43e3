"""lgamma, digamma and polygamma (numtorch/_ops/special.py) and torch.special against torch."""
import math

import numpy as np
import pytest
import torch

import numtorch
from numtorch._ops.special import _lgamma64


def _points() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.concatenate([
        rng.uniform(-30, 30, 4000), rng.uniform(-1, 3, 4000),
        np.exp(rng.uniform(-40, 60, 2000)), -np.exp(rng.uniform(-40, 4, 1000)),
        [0.5, 1.5, 2.5, 1 + 1e-10, 2 - 1e-12, 1e-310, 9.999999, 10.0, 10.5, 2.5e305]])


def _close(got, ref, rtol, atol):
    got, ref = np.asarray(got), np.asarray(ref)
    assert np.array_equal(np.isnan(got), np.isnan(ref))
    fin = np.isfinite(ref)
    assert np.array_equal(got[~fin & ~np.isnan(ref)], ref[~fin & ~np.isnan(ref)])
    np.testing.assert_allclose(got[fin], ref[fin], rtol=rtol, atol=atol)


@pytest.mark.parametrize('name', ['lgamma', 'digamma'])
def test_float64_against_torch(name):
    x = _points()
    got = getattr(numtorch, name)(numtorch.from_numpy(x)).numpy()
    ref = getattr(torch, name)(torch.from_numpy(x)).numpy()
    # lgamma: relative 1e-12 except within ~1e-4 of its negative zeros (x = -2.457...),
    # where PyTorch's libm keeps relative accuracy and the reflection formula cannot.
    _close(got, ref, 1e-12, 1e-15)


def test_float64_lgamma_near_its_zeros_keeps_relative_accuracy():
    x = np.array([1 + 1e-9, 1 - 1e-9, 2 + 1e-9, 2 - 1e-9, 1.001, 1.999])
    got = numtorch.lgamma(numtorch.from_numpy(x)).numpy()
    # (mpmath, installed with torch, as the exact reference: the C library's lgamma loses
    # relative accuracy this close to 1 and 2)
    mpmath = pytest.importorskip('mpmath')
    ref = np.array([float(mpmath.loggamma(mpmath.mpf(v))) for v in x])
    np.testing.assert_allclose(got, ref, rtol=1e-14)


@pytest.mark.parametrize('name', ['lgamma', 'digamma'])
def test_float32_against_torch(name):
    x = _points()
    x = x[np.abs(x) < 3e38].astype(np.float32)
    got = getattr(numtorch, name)(numtorch.from_numpy(x))
    ref = getattr(torch, name)(torch.from_numpy(x))
    assert got.dtype == numtorch.float32
    _close(got.numpy(), ref.numpy(), 1e-6, 1e-6)


def test_trigamma_against_torch():
    for dt in (np.float64, np.float32):
        x = _points()
        x = x[np.abs(x) < 1e30].astype(dt)
        got = numtorch.polygamma(1, numtorch.from_numpy(x)).numpy()
        ref = torch.polygamma(1, torch.from_numpy(x)).numpy()
        _close(got, ref, 1e-12 if dt == np.float64 else 1e-6, 0)


def test_special_values():
    x = [0.0, -0.0, 1.0, 2.0, -1.0, -2.0, math.inf, -math.inf, math.nan]
    for name in ('lgamma', 'digamma'):
        got = getattr(numtorch, name)(numtorch.tensor(x, dtype=numtorch.float64)).numpy()
        ref = getattr(torch, name)(torch.tensor(x, dtype=torch.float64)).numpy()
        np.testing.assert_array_equal(got, ref)
        num = ~np.isnan(ref)
        assert np.array_equal(np.signbit(got[num]), np.signbit(ref[num]))
    assert _lgamma64(np.array([1.0]))[0] == 0 and not np.signbit(_lgamma64(np.array([1.0]))[0])


def test_integer_and_half_inputs():
    i = [1, 2, 5, 7]
    assert numtorch.lgamma(numtorch.tensor(i)).dtype == numtorch.float32
    np.testing.assert_allclose(numtorch.lgamma(numtorch.tensor(i)).numpy(),
                               torch.lgamma(torch.tensor(i)).numpy(), rtol=1e-6)
    h = numtorch.tensor([0.3, 2.5, 7.0], dtype=numtorch.float16)
    th = torch.tensor([0.3, 2.5, 7.0], dtype=torch.float16)
    for name in ('lgamma', 'digamma'):
        got = getattr(h, name)()
        assert got.dtype == numtorch.float16
        np.testing.assert_array_equal(got.numpy(), getattr(th, name)().numpy())


def test_gradients_match_torch_and_node_names():
    x = np.array([0.3, 1.7, 4.2, -2.5, 12.0])
    for name in ('lgamma', 'digamma'):
        a = numtorch.tensor(x, requires_grad=True)
        b = torch.tensor(x, requires_grad=True)
        ya, yb = getattr(a, name)(), getattr(b, name)()
        assert ya.grad_fn.name() == yb.grad_fn.name()
        g = np.array([1.0, -2.0, 0.5, 3.0, 1.5])
        ya.backward(numtorch.tensor(g))
        yb.backward(torch.tensor(g))
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)
    p = numtorch.polygamma(1, numtorch.tensor(x, requires_grad=True))
    assert p.grad_fn.name() == torch.polygamma(1, torch.tensor(x, requires_grad=True)
                                               ).grad_fn.name()
    with pytest.raises(NotImplementedError, match='order 2'):
        p.sum().backward()


def test_gradcheck_float64():
    x = numtorch.tensor([0.3, 1.7, 4.2, -2.5, 12.0, 33.3], dtype=numtorch.float64,
                        requires_grad=True)
    assert numtorch.autograd.gradcheck(numtorch.lgamma, (x,))
    assert numtorch.autograd.gradcheck(numtorch.digamma, (x,))
    # lgamma's double backward goes through digamma's op
    assert numtorch.autograd.gradgradcheck(numtorch.lgamma, (x,))


def test_polygamma_orders():
    x = numtorch.tensor([0.5, 2.0])
    np.testing.assert_array_equal(numtorch.polygamma(0, x).numpy(),
                                  numtorch.digamma(x).numpy())
    np.testing.assert_array_equal(x.polygamma(1).numpy(),
                                  torch.tensor([0.5, 2.0]).polygamma(1).numpy())
    with pytest.raises(NotImplementedError, match='n=2'):
        numtorch.polygamma(2, x)


def test_torch_special_namespace():
    x = np.array([0.7, 3.5, 9.0])
    a, b = numtorch.tensor(x), torch.tensor(x)
    for name in ('gammaln', 'digamma', 'psi', 'erf', 'expit', 'log1p'):
        np.testing.assert_allclose(getattr(numtorch.special, name)(a).numpy(),
                                   getattr(torch.special, name)(b).numpy(), rtol=1e-12)
    for p in (1, 3):
        np.testing.assert_allclose(numtorch.special.multigammaln(a + 1, p).numpy(),
                                   torch.special.multigammaln(b + 1, p).numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match='p has to be greater than or equal to 1'):
        numtorch.special.multigammaln(a, 0)
