"""torch.linalg.eig / eigvals against torch: values (eigenvalues in matched order, each
eigenvector up to its phase: LAPACK builds may order and phase them differently), dtypes,
gradients of phase-invariant losses, the gauge error and the argument errors."""
import numpy as np
import pytest
import torch

import numtorch

RNG = np.random.default_rng(0)


def _case(shape, dt):
    a = RNG.standard_normal(shape)
    if dt.startswith('complex'):
        a = a + 1j * RNG.standard_normal(shape)
    return a.astype(dt)


def _match(Ln, Vn, Lt, Vt, tol):
    """Pairs numtorch's eigenpairs with torch's (nearest eigenvalue) and compares them."""
    ln, vn, lt, vt = (x.detach().numpy() for x in (Ln, Vn, Lt, Vt))
    ln, vn = ln.reshape(-1, ln.shape[-1]), vn.reshape(-1, *vn.shape[-2:])
    lt, vt = lt.reshape(ln.shape), vt.reshape(vn.shape)
    for b in range(ln.shape[0]):
        order = [int(np.argmin(np.abs(ln[b] - x))) for x in lt[b]]
        assert sorted(order) == list(range(len(order)))
        np.testing.assert_allclose(ln[b][order], lt[b], rtol=tol, atol=tol)
        v = vn[b][:, order]
        phase = (v.conj() * vt[b]).sum(0)
        phase /= np.abs(phase)
        np.testing.assert_allclose(v * phase, vt[b], rtol=tol, atol=tol)


@pytest.mark.parametrize('dt', ['float64', 'float32', 'complex128', 'complex64'])
@pytest.mark.parametrize('shape', [(4, 4), (2, 3, 3), (1, 1), (0, 2, 2)])
def test_eig_values(dt, shape):
    a = _case(shape, dt)
    Ln, Vn = numtorch.linalg.eig(numtorch.tensor(a))
    Lt, Vt = torch.linalg.eig(torch.tensor(a))
    assert Ln.dtype == getattr(numtorch, str(Lt.dtype)[6:]) and Vn.dtype == Ln.dtype
    assert Ln.shape == Lt.shape and Vn.shape == Vt.shape
    assert type(numtorch.linalg.eig(numtorch.tensor(a))).__name__ == 'linalg_eig'
    tol = 1e-10 if dt in ('float64', 'complex128') else 2e-4
    _match(Ln, Vn, Lt, Vt, tol)
    en, et = numtorch.linalg.eigvals(numtorch.tensor(a)), torch.linalg.eigvals(torch.tensor(a))
    np.testing.assert_allclose(np.sort_complex(en.numpy().ravel()),
                               np.sort_complex(et.numpy().ravel()), rtol=tol, atol=tol)


_LOSSES = [
    lambda L, V, T: (L.real ** 2).sum() + L.imag.abs().sum(),
    # (|V_ij|^2 does not depend on the phase of column j; weighting by L_j keeps the loss
    # independent of the eigenpairs' order)
    lambda L, V, T: ((V.abs() ** 2) * L.real.unsqueeze(-2)).sum()
    + (V.abs() ** 2 * T.arange(V.shape[-1], dtype=L.real.dtype).unsqueeze(-1)).sum(),
]


@pytest.mark.parametrize('dt', ['float64', 'complex128'])
@pytest.mark.parametrize('loss', range(len(_LOSSES)))
def test_eig_gradients(dt, loss):
    a = _case((2, 4, 4), dt)
    an = numtorch.tensor(a, requires_grad=True)
    at = torch.tensor(a, requires_grad=True)
    Ln, Vn = numtorch.linalg.eig(an)
    Lt, Vt = torch.linalg.eig(at)
    assert Ln.grad_fn.name() == Lt.grad_fn.name() == 'LinalgEigBackward0'
    _LOSSES[loss](Ln, Vn, numtorch).backward()
    _LOSSES[loss](Lt, Vt, torch).backward()
    assert an.grad.dtype == an.dtype
    np.testing.assert_allclose(an.grad.numpy(), at.grad.numpy(), rtol=1e-8, atol=1e-10)
    bn = numtorch.tensor(a, requires_grad=True)
    bt = torch.tensor(a, requires_grad=True)
    numtorch.linalg.eigvals(bn).abs().sum().backward()
    torch.linalg.eigvals(bt).abs().sum().backward()
    np.testing.assert_allclose(bn.grad.numpy(), bt.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_eig_gradcheck_real_input():
    a = numtorch.tensor(_case((3, 3), 'float64'), requires_grad=True)
    assert numtorch.autograd.gradcheck(
        lambda x: numtorch.linalg.eigvals(x).abs().sum() + numtorch.linalg.eigvals(x).real.prod(),
        [a])


def _errors(lib):
    out = []
    cases = [lambda: lib.linalg.eig(lib.ones(2, 3)),
             lambda: lib.linalg.eigvals(lib.ones(3)),
             lambda: lib.linalg.eig(lib.ones(2, 2, dtype=lib.float16)),
             lambda: lib.linalg.eig(lib.ones(2, 2, dtype=lib.int64)),
             lambda: lib.linalg.eig(lib.tensor([[float('nan'), 1.], [1., 1.]])),
             lambda: lib.linalg.eig(lib.tensor(_case((3, 3), 'float64'),
                                               requires_grad=True))[1].sum().abs().backward()]
    for f in cases:
        with pytest.raises(Exception) as e:
            f()
        out.append((type(e.value), str(e.value)))
    return out


def test_eig_errors():
    assert _errors(numtorch) == _errors(torch)
