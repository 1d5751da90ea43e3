"""torch.lobpcg against torch 2.13: eigenpairs for both methods, generalized problems,
preconditioning, batches, seeded initial blocks, unconverged runs, gradients, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch

RNG = np.random.default_rng(11)


def _spd(m: int, lo: float = 1.0, hi: float = 20.0) -> np.ndarray:
    q, _ = np.linalg.qr(RNG.standard_normal((m, m)))
    return (q * np.linspace(lo, hi, m)) @ q.T


A = _spd(24)
B = _spd(24, 1.0, 2.0)
X3 = RNG.standard_normal((24, 3))


def _both(a, x, **kw):
    t = torch.lobpcg(torch.from_numpy(a.copy()), X=torch.from_numpy(x.copy()),
                     **{k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v
                        for k, v in kw.items()})
    n = numtorch.lobpcg(numtorch.from_numpy(a.copy()), X=numtorch.from_numpy(x.copy()),
                        **{k: numtorch.from_numpy(v) if isinstance(v, np.ndarray) else v
                           for k, v in kw.items()})
    return t, n


def _same_vectors(xn: np.ndarray, xt: np.ndarray, atol: float) -> None:
    """Equal columns up to each column's sign (the eigensolver's sign choice)."""
    signs = np.sign(np.sum(xn * xt, axis=-2, keepdims=True))
    np.testing.assert_allclose(xn * signs, xt, atol=atol)


@pytest.mark.parametrize('kw', [
    {'k': 3},
    {'k': 2, 'largest': False},
    {'k': 3, 'method': 'basic'},
    {'k': 1, 'niter': 4},                       # stopped before convergence
    {'k': 2, 'ortho_bparams': {'ortho_use_drop': True}},
    {'k': 2, 'ortho_iparams': {'ortho_i_max': 1, 'ortho_j_max': 1},
     'ortho_fparams': {'ortho_tol': 1e-6}},
    {'k': 2, 'B': B},
    {'k': 2, 'B': B, 'method': 'basic', 'largest': False},
    {'k': 2, 'iK': np.diag(1 / np.diag(A)), 'method': 'basic'},
    {'k': 2, 'n': 3, 'tol': 1e-10},
])
def test_matches_torch(kw):
    x = X3 if 'n' in kw or kw['k'] == 3 else X3[:, :kw['k']]
    (et, xt), (en, xn) = _both(A, x, **kw)
    assert en.dtype == numtorch.float64 and tuple(xn.shape) == tuple(xt.shape)
    np.testing.assert_allclose(en._data, et.numpy(), rtol=1e-10)
    _same_vectors(xn._data, xt.numpy(), 1e-6)


def test_float32_and_seeded_batch():
    (et, xt), (en, xn) = _both(A.astype(np.float32), X3.astype(np.float32), k=3)
    assert en.dtype == numtorch.float32 and xn.dtype == numtorch.float32
    np.testing.assert_allclose(en._data, et.numpy(), rtol=1e-5)
    ab = np.stack([A, _spd(24), _spd(24, 3.0, 5.0)]).reshape(3, 1, 24, 24)
    torch.manual_seed(5)
    et, xt = torch.lobpcg(torch.from_numpy(ab), k=2)
    numtorch.manual_seed(5)
    en, xn = numtorch.lobpcg(numtorch.from_numpy(ab), k=2)
    assert tuple(en.shape) == (3, 1, 2) and tuple(xn.shape) == (3, 1, 24, 2)
    np.testing.assert_allclose(en._data, et.numpy(), rtol=1e-10)
    _same_vectors(xn._data, xt.numpy(), 1e-6)


def test_basic_overwrites_x_as_torch_does():
    xt = torch.from_numpy(X3[:, :2].copy())
    xn = numtorch.from_numpy(X3[:, :2].copy())
    torch.lobpcg(torch.from_numpy(A), X=xt, k=2, method='basic')
    numtorch.lobpcg(numtorch.from_numpy(A), X=xn, k=2, method='basic')
    assert not np.allclose(xt.numpy(), X3[:, :2])
    assert xn._version == xt._version
    _same_vectors(xn._data, xt.numpy(), 1e-6)


@pytest.mark.parametrize('k, largest', [(2, True), (3, None), (2, False), (8, True)])
def test_gradient_matches_torch(k, largest):
    w = RNG.standard_normal((24, k))
    x = RNG.standard_normal((24, k))
    grads = []
    for lib in (torch, numtorch):
        a = lib.tensor(A, requires_grad=True)
        e, u = lib.lobpcg(a, k=k, X=lib.tensor(x), largest=largest)
        assert e.grad_fn.name() == 'LOBPCGAutogradFunctionBackward'
        (e.sum() + (u * u * lib.tensor(w)).sum()).backward()
        grads.append(a.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], atol=1e-9)


def test_gradcheck_and_batched_gradient():
    x = RNG.standard_normal((9, 2))
    a0 = _spd(9)

    def f(a):
        e, u = numtorch.lobpcg(a, k=2, X=numtorch.tensor(x), tol=1e-13)
        return e, u * u

    assert numtorch.autograd.gradcheck(f, (numtorch.tensor(a0, requires_grad=True),),
                                       atol=1e-5, rtol=1e-4)
    ab = np.stack([A, _spd(24)])
    grads = []
    for lib in (torch, numtorch):
        a = lib.tensor(ab, requires_grad=True)
        lib.manual_seed(0)
        e, u = lib.lobpcg(a, k=2)
        (e.sum() + (u * u)[..., 0, :].sum()).backward()
        grads.append(a.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], atol=1e-9)


def test_backward_with_b_and_errors():
    for lib in (torch, numtorch):
        a = lib.tensor(A, requires_grad=True)
        e, _ = lib.lobpcg(a, B=lib.tensor(B), k=2, X=lib.tensor(X3[:, :2]))
        with pytest.raises(ValueError, match=r'lobpcg.backward does not support backward '
                                             r'with B != I yet.'):
            e.sum().backward()
    cases = [
        lambda lib: lib.lobpcg(lib.ones(5, 5), k=2),
        lambda lib: lib.lobpcg(lib.ones(5, 4)),
        lambda lib: lib.lobpcg(lib.ones(9, 9), B=lib.ones(8, 8)),
        lambda lib: lib.lobpcg(lib.ones(9, 9), X=lib.ones(8, 2)),
        lambda lib: lib.lobpcg(lib.ones(9, 9, dtype=lib.int64)),
        lambda lib: lib.lobpcg(lib.ones(9, 9, dtype=lib.float16)),
    ]
    for make in cases:
        with pytest.raises(Exception) as et:
            make(torch)
        with pytest.raises(Exception) as en:
            make(numtorch)
        assert type(en.value) is type(et.value)
        assert str(en.value) == str(et.value)
    with pytest.raises(NotImplementedError, match='tracker'):
        numtorch.lobpcg(numtorch.tensor(A), k=1, tracker=lambda w: None)
