"""Tensor linear-algebra methods of the old API (cholesky, cholesky_solve, cholesky_inverse,
slogdet, logdet, svd, lu, lu_solve, triangular_solve, matrix_power, kron, H/mH, solve) and
their torch functions against PyTorch: values, gradients, node names and errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import numtorch
from test_nn_conv import same_error

RNG = np.random.default_rng(11)
M = RNG.standard_normal((2, 3, 3))
SPD = M @ np.swapaxes(M, -1, -2) + 3 * np.eye(3)
L_LOW = np.linalg.cholesky(SPD)
B = RNG.standard_normal((2, 3, 2))
G = RNG.standard_normal((4, 3))

warnings.filterwarnings('ignore', message='torch.(cholesky|lu|lu_solve|triangular_solve) is')

CASES = [  # (id, function of (library, *tensors), arrays)
    ('cholesky_solve', lambda m, b, f: b.cholesky_solve(f), (B, L_LOW)),
    ('cholesky_solve_upper', lambda m, b, f: m.cholesky_solve(b, f.mT, upper=True), (B, L_LOW)),
    ('cholesky_solve_broadcast', lambda m, b, f: m.cholesky_solve(b, f[0]), (B, L_LOW)),
    ('cholesky_inverse', lambda m, f: f.cholesky_inverse(), (L_LOW,)),
    ('cholesky_inverse_upper', lambda m, f: m.cholesky_inverse(f[1].mT, upper=True), (L_LOW,)),
    ('cholesky', lambda m, a: (a @ a.mT).cholesky(), (SPD,)),
    ('cholesky_upper', lambda m, a: m.cholesky(a @ a.mT, upper=True), (SPD,)),
    ('logdet', lambda m, a: a.logdet(), (SPD,)),
    ('logdet_fn', lambda m, a: m.logdet(a), (M,)),
    ('slogdet', lambda m, a: a.slogdet().logabsdet, (M,)),
    ('svd_S', lambda m, a: a.svd().S, (G,)),
    ('svd_V_some', lambda m, a: m.svd(a).V.abs(), (G,)),
    ('matrix_power', lambda m, a: a.matrix_power(3), (M,)),
    ('matrix_power_neg', lambda m, a: a.matrix_power(-2), (SPD,)),
    ('kron', lambda m, a, b: a.kron(b), (G, B[0])),
    ('lu_solve', lambda m, a, b: b.lu_solve(*a.lu()), (M, B)),
    ('triangular_solve', lambda m, a, b: b.triangular_solve(a, upper=False).solution,
     (L_LOW, B)),
    ('H', lambda m, a: a.H, (G,)),
    ('mH', lambda m, a: a.mH, (M,)),
]


def _run(lib, fn, arrays):
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    y = fn(lib, *ts)
    w = lib.tensor(np.linspace(-1, 2, y.numel()).reshape(y.shape))
    (y * w).sum().backward()
    return y, [t.grad for t in ts]


@pytest.mark.parametrize('case', CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients(case):
    _, fn, arrays = case
    py, pg = _run(torch, fn, arrays)
    ny, ng = _run(numtorch, fn, arrays)
    assert str(ny.dtype) == str(py.dtype) and tuple(ny.shape) == tuple(py.shape)
    np.testing.assert_allclose(ny.detach().numpy(), py.detach().numpy(), rtol=1e-9, atol=1e-10)
    for a, b in zip(ng, pg):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize('name', ['cholesky_solve', 'cholesky_inverse', 'logdet'])
def test_node_names_and_gradcheck(name):
    f = numtorch.tensor(L_LOW[0], requires_grad=True)
    b = numtorch.tensor(B[0], requires_grad=True)
    # (the factor's triangle is taken first: the functions read only that triangle)
    fn = {'cholesky_solve': lambda b, f: numtorch.cholesky_solve(b, f.tril()),
          'cholesky_inverse': lambda b, f: numtorch.cholesky_inverse(f.tril()) + 0 * b.sum(),
          'logdet': lambda b, f: (f @ f.mT).logdet()}[name]
    pf = torch.tensor(L_LOW[0], requires_grad=True)
    pb = torch.tensor(B[0], requires_grad=True)
    pfn = {'cholesky_solve': lambda: torch.cholesky_solve(pb, pf),
           'cholesky_inverse': lambda: torch.cholesky_inverse(pf),
           'logdet': lambda: (pf @ pf.mT).logdet()}[name]
    got = {'cholesky_solve': lambda: numtorch.cholesky_solve(b, f),
           'cholesky_inverse': lambda: numtorch.cholesky_inverse(f)}.get(name, lambda: fn(b, f))
    assert got().grad_fn.name() == pfn().grad_fn.name()
    assert numtorch.autograd.gradcheck(fn, (b, f))


def test_svd_old_api_and_lu_infos():
    for some in (True, False):
        pu, ps, pv = torch.tensor(G).svd(some=some)
        nu, ns, nv = numtorch.tensor(G).svd(some=some)
        assert tuple(nu.shape) == tuple(pu.shape) and tuple(nv.shape) == tuple(pv.shape)
        rec = nu[:, :3] @ numtorch.diag(ns) @ nv[:, :3].mT
        np.testing.assert_allclose(rec.numpy(), G, atol=1e-12)
    p = torch.svd(torch.tensor(M), compute_uv=False)
    n = numtorch.svd(numtorch.tensor(M), compute_uv=False)
    for a, b in zip(n, p):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12)
    assert type(n).__name__ == type(p).__name__ == 'svd'
    pl = torch.lu(torch.tensor(M), get_infos=True)
    nl = numtorch.lu(numtorch.tensor(M), get_infos=True)
    assert len(nl) == 3 and str(nl[2].dtype) == str(pl[2].dtype)
    for a, b in zip(nl, pl):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12)
    assert type(numtorch.tensor(M).slogdet()).__name__ == 'slogdet'


def test_logdet_negative_and_singular():
    a = np.array([[[0.0, 1.0], [1.0, 0.0]], [[1.0, 2.0], [2.0, 4.0]]])
    np.testing.assert_array_equal(numtorch.tensor(a).logdet().numpy(),
                                  torch.tensor(a).logdet().numpy())


ERRORS = [
    ('solve', lambda m: m.eye(2).solve(m.eye(2))),
    ('solve_fn', lambda m: m.solve(m.eye(2), m.eye(2))),
    ('H_3d', lambda m: m.ones(2, 2, 2).H),
    ('chol_solve_1d', lambda m: m.cholesky_solve(m.ones(3), m.eye(3))),
    ('chol_solve_u_1d', lambda m: m.cholesky_solve(m.ones(3, 2), m.ones(3))),
    ('chol_solve_size', lambda m: m.cholesky_solve(m.ones(3, 2), m.ones(2, 2))),
    ('chol_solve_dtype', lambda m: m.cholesky_solve(m.ones(3, 2), m.eye(3, dtype=m.float64))),
    ('chol_inverse_1d', lambda m: m.cholesky_inverse(m.ones(3))),
    ('chol_inverse_rect', lambda m: m.ones(3, 2).cholesky_inverse()),
    ('logdet_rect', lambda m: m.ones(2, 3).logdet()),
]


@pytest.mark.parametrize('case', ERRORS, ids=[c[0] for c in ERRORS])
def test_errors(case):
    same_error(lambda: case[1](numtorch), lambda: case[1](torch))


def test_small_predicates_and_aliases():
    for lib in (torch, numtorch):
        x = lib.tensor(G, requires_grad=True)
        y = x * 1
        a, b = lib.ones(2, 3), lib.ones(3, 2)
        assert (a.is_same_size(b), a.is_same_size(lib.zeros(2, 3))) == (False, True)
        assert lib.tensor([2.0]).is_nonzero() and not lib.tensor([0]).is_nonzero()
        assert not x.is_neg() and x.resolve_neg() is x and x.positive() is x
        assert not x.is_inference() and x.output_nr == 0 and y.output_nr == 0
        assert [t.shape[0] for t in x.split_with_sizes([1, 3])] == [1, 3]
        assert [t.shape[1] for t in x.unsafe_split(2, 1)] == [2, 1]
        assert len(x.unsafe_chunk(2)) == 2
        assert lib.max(y, 1)[1].output_nr == 0 and lib.max(y, 1)[0].grad_fn is not None
    np.testing.assert_allclose(numtorch.tensor(G).hardshrink(0.7).numpy(),
                               torch.tensor(G).hardshrink(0.7).numpy())
    np.testing.assert_allclose(numtorch.tensor(G).prelu(numtorch.tensor([0.2]).double()).numpy(),
                               torch.tensor(G).prelu(torch.tensor([0.2], dtype=torch.float64))
                               .numpy())
    for case in (lambda m: m.ones(2).is_nonzero(), lambda m: m.ones(0).is_nonzero(),
                 lambda m: m.ones(1).split_with_sizes([2]), lambda m: m.tensor([True]).positive()):
        same_error(lambda: case(numtorch), lambda: case(torch))
