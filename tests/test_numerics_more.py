"""frexp, ldexp, nextafter and vander (numtorch/_ops/numerics.py) against torch."""
import numpy as np
import pytest
import torch

import numtorch
from numtorch._ops.numerics import frexp, ldexp, nextafter, vander
from numtorch.autograd import gradcheck

X = np.array([0.0, -0.0, 1.0, -3.5, 1e-40, np.inf, -np.inf, np.nan, 8.0, 1e30, 0.75])


@pytest.mark.parametrize('dt', [np.float32, np.float64, np.float16])
def test_frexp(dt):
    with np.errstate(over='ignore'):
        x = X.astype(dt)
    m, e = frexp(numtorch.tensor(x))
    tm, te = torch.frexp(torch.tensor(x))
    np.testing.assert_array_equal(m.numpy(), tm.numpy())
    np.testing.assert_array_equal(e.numpy(), te.numpy())
    assert str(m.dtype) == str(tm.dtype) and str(e.dtype) == str(te.dtype)
    r = frexp(numtorch.tensor(x))
    assert r.mantissa is r[0] and r.exponent is r[1]
    assert repr(r).startswith('torch.return_types.frexp(\nmantissa=tensor(')
    with pytest.raises(RuntimeError, match=r'torch.frexp\(\) only supports floating-point'):
        frexp(numtorch.tensor([1, 2]))


def test_frexp_gradient():
    x = numtorch.tensor([1.5, -6.0, 0.1], requires_grad=True)
    m, _ = frexp(x)
    assert m.grad_fn.name() == 'FrexpBackward0'
    m.sum().backward()
    tx = torch.tensor([1.5, -6.0, 0.1], requires_grad=True)
    torch.frexp(tx).mantissa.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_ldexp():
    for x, e in [([1.5, -6.0, 3.0], [2, -1, -3]), ([1, 2], [3, 4]), ([1.5], [2.5]),
                 ([[1.0], [2.0]], [[1, 2, 3]])]:
        for xd in (torch.float32, torch.float64, torch.float16):
            tx = torch.tensor(x)
            if tx.is_floating_point():
                tx = tx.to(xd)
            te = torch.tensor(e)
            got = ldexp(numtorch.tensor(tx.numpy()), numtorch.tensor(te.numpy()))
            ref = torch.ldexp(tx, te)
            assert str(got.dtype) == str(ref.dtype)
            np.testing.assert_array_equal(got.numpy(), ref.numpy())
    x = numtorch.tensor([1.5, -6.0, 3.0], requires_grad=True)
    y = ldexp(x, numtorch.tensor([2, -1, -3]))
    assert y.grad_fn.name() == 'LdexpBackward0'
    y.sum().backward()
    tx = torch.tensor([1.5, -6.0, 3.0], requires_grad=True)
    torch.ldexp(tx, torch.tensor([2, -1, -3])).sum().backward()
    # (PyTorch's integer pow(2, e) makes negative exponents' gradients 0)
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    assert gradcheck(lambda t: ldexp(t, numtorch.tensor([1.5, -2.0], dtype=numtorch.float64)),
                     (numtorch.tensor([0.3, 2.0], dtype=numtorch.float64, requires_grad=True),))
    with pytest.raises(RuntimeError, match='The size of tensor a'):
        ldexp(numtorch.ones(2), numtorch.ones(3))


def test_nextafter():
    a = np.array([1.0, 0.0, -0.0, np.inf, np.nan, 1.0, 3.0])
    b = np.array([2.0, -1.0, 1.0, 0.0, 1.0, np.nan, 3.0])
    for dt in (np.float32, np.float64):
        got = nextafter(numtorch.tensor(a.astype(dt)), numtorch.tensor(b.astype(dt)))
        ref = torch.nextafter(torch.tensor(a.astype(dt)), torch.tensor(b.astype(dt)))
        np.testing.assert_array_equal(got.numpy(), ref.numpy())
        assert str(got.dtype) == str(ref.dtype)
    got = nextafter(numtorch.tensor([1.0]), numtorch.tensor([2.0], dtype=numtorch.float64))
    assert got.dtype == numtorch.float64
    with pytest.raises(NotImplementedError, match='"nextafter_cpu" not implemented for \'Long\''):
        nextafter(numtorch.tensor([1]), numtorch.tensor([2]))
    x = numtorch.tensor([1.5, -6.0], requires_grad=True)
    o = numtorch.tensor([2.0, 0.0], requires_grad=True)
    y = nextafter(x, o)
    assert y.grad_fn.name() == 'NextafterBackward0'
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0] and o.grad.tolist() == [0.0, 0.0]


def test_vander():
    for v, kw in [([1, 2, 3], {}), ([1.0, 2.0], dict(N=3, increasing=True)),
                  ([True, False], {}), ([1, 2], dict(N=1)), ([2.0, -1.5, 0.5], dict(N=5)),
                  ([1.0, 2.0], dict(N=0))]:
        t = torch.tensor(v)
        got, ref = vander(numtorch.tensor(t.numpy()), **kw), torch.vander(t, **kw)
        assert str(got.dtype) == str(ref.dtype) and tuple(got.shape) == tuple(ref.shape)
        np.testing.assert_array_equal(got.numpy(), ref.numpy())
    assert vander(numtorch.tensor([1, 2], dtype=numtorch.int8)).dtype == numtorch.int64
    with pytest.raises(RuntimeError, match='x must be a one-dimensional tensor.'):
        vander(numtorch.ones(2, 2))
    with pytest.raises(RuntimeError, match='N must be non-negative.'):
        vander(numtorch.ones(2), N=-1)
    # (PyTorch 2.13's own vander backward fails with an in-place error: numtorch's composite
    # differentiates; checked numerically)
    assert gradcheck(lambda t: vander(t, N=4),
                     (numtorch.tensor([0.5, -1.2, 2.0], dtype=numtorch.float64,
                                      requires_grad=True),))
