"""torch.linalg solve, cholesky, slogdet, eigh/eigvalsh, svd/svdvals, multi_dot,
matrix_power and vecdot against PyTorch: values, gradients, graph node names, errors.
Eigenvectors and singular vectors are compared up to sign (LAPACK builds choose signs
differently); their gradients by gradcheck and through sign-invariant losses."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
from numtorch.autograd import gradcheck
from test_nn_conv import same_error

RNG = np.random.default_rng(71)
A = RNG.standard_normal((3, 3))
SPD = A @ A.T + 3 * np.eye(3)
SPD_BATCH = np.stack([SPD, SPD + np.eye(3)])
B = RNG.standard_normal((3, 2))
M = RNG.standard_normal((4, 3))
V4 = RNG.standard_normal(4)

CASES = [  # (id, function of (library, *tensors), arrays)
    ('solve', lambda m, a, b: m.linalg.solve(a, b), (SPD, B)),
    ('solve_vector', lambda m, a, b: m.linalg.solve(a, b), (SPD, B[:, 0])),
    ('solve_batch', lambda m, a, b: m.linalg.solve(a, b), (SPD_BATCH, B)),
    ('cholesky', lambda m, a: m.linalg.cholesky(a), (SPD,)),
    ('cholesky_upper_batch', lambda m, a: m.linalg.cholesky(a, upper=True), (SPD_BATCH,)),
    ('slogdet', lambda m, a: m.linalg.slogdet(a), (A,)),
    ('eigvalsh', lambda m, a: m.linalg.eigvalsh(a), (SPD_BATCH,)),
    ('eigh_upper_values', lambda m, a: m.linalg.eigh(a, UPLO='U')[0], (SPD,)),
    ('eigh_vectors_squared', lambda m, a: m.linalg.eigh(a)[1] ** 2, (SPD,)),
    ('svdvals', lambda m, a: m.linalg.svdvals(a), (M,)),
    ('svd_full_values', lambda m, a: m.linalg.svd(a)[1], (M,)),
    ('svd_projector', lambda m, a: (lambda u: u @ u.mT)(m.linalg.svd(a, False)[0]), (M,)),
    ('multi_dot', lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), (M, SPD, B)),
    ('multi_dot_vectors', lambda m, v, a, c, w: m.linalg.multi_dot([v, a, c, w]),
     (V4, M, B, B[0])),
    ('matrix_power', lambda m, a: m.linalg.matrix_power(a, 3), (SPD,)),
    ('matrix_power_negative', lambda m, a: m.linalg.matrix_power(a, -2), (SPD,)),
    ('vecdot', lambda m, a, b: m.linalg.vecdot(a, b), (M, M * 2)),
]


def _run(lib, fn, arrays):
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib, *ts)
    outs = tuple(out) if isinstance(out, tuple) else (out,)
    loss = sum((o * lib.tensor(np.linspace(1, 2, o.numel()).reshape(tuple(o.shape)))).sum()
               for o in outs if o.requires_grad)
    grads = lib.autograd.grad(loss, ts)
    return ([o.detach().numpy() for o in outs] + [g.numpy() for g in grads],
            [o.grad_fn.name() if o.grad_fn is not None else None for o in outs])


@pytest.mark.parametrize('name,fn,arrays', CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, arrays):
    (a, na), (b, nb) = _run(numtorch, fn, arrays), _run(torch, fn, arrays)
    assert na == nb
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-10)


def test_vectors_up_to_sign():
    w, v = (t.numpy() for t in numtorch.linalg.eigh(numtorch.tensor(SPD)))
    tw, tv = (t.numpy() for t in torch.linalg.eigh(torch.tensor(SPD)))
    np.testing.assert_allclose(w, tw, rtol=1e-12)
    np.testing.assert_allclose(np.abs(v), np.abs(tv), rtol=1e-10)
    np.testing.assert_allclose((v * w) @ v.T, SPD, rtol=1e-10)
    u, s, vh = (t.numpy() for t in numtorch.linalg.svd(numtorch.tensor(M)))
    assert u.shape == (4, 4) and vh.shape == (3, 3)
    np.testing.assert_allclose((u[:, :3] * s) @ vh, M, rtol=1e-10, atol=1e-12)


def test_vector_gradients_gradcheck():
    a = numtorch.tensor(SPD, requires_grad=True)
    assert gradcheck(lambda x: numtorch.linalg.eigh(x + x.mT)[1], (a,))
    m = numtorch.tensor(M, requires_grad=True)
    assert gradcheck(lambda x: numtorch.linalg.svd(x, full_matrices=False)[0], (m,))
    assert gradcheck(lambda x: numtorch.linalg.svd(x, full_matrices=False)[2], (m,))
    mt = numtorch.tensor(M.T.copy(), requires_grad=True)
    assert gradcheck(lambda x: numtorch.linalg.svd(x, full_matrices=False)[0], (mt,))
    assert gradcheck(lambda x: numtorch.linalg.svd(x, full_matrices=False)[2], (mt,))


def test_errors():
    spd = SPD
    for fn in (lambda m: m.linalg.cholesky(-m.tensor(spd)),
               lambda m: m.linalg.solve(m.zeros(2, 2, dtype=m.float64),
                                        m.ones(2, dtype=m.float64)),
               lambda m: m.linalg.eigh(m.ones(2, 3)),
               lambda m: m.linalg.multi_dot([m.ones(2, 2)])):
        same_error(lambda: fn(numtorch), lambda: fn(torch))
    with pytest.raises(numtorch.linalg.LinAlgError):
        numtorch.linalg.cholesky(-numtorch.tensor(spd))
    assert issubclass(numtorch.linalg.LinAlgError, RuntimeError)
