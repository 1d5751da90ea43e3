"""deg2rad, rad2deg, sinc, logaddexp(2), heaviside, float_power, diff, ravel, h/v/dsplit,
trace, msort, isin, searchsorted and bucketize against PyTorch: values, dtypes, gradients
(second order too), graph node names and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
from test_nn_conv import same_error

RNG = np.random.default_rng(61)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((3, 4))
V = RNG.standard_normal(4)

DIFFERENTIABLE = [  # (id, function of (library, *tensors), arrays, second order compared)
    ('deg2rad', lambda m, x: m.deg2rad(x), (A,), True),
    ('rad2deg', lambda m, x: x.rad2deg(), (A,), True),
    ('sinc', lambda m, x: m.sinc(x), (A,), True),
    ('sinc_at_zero', lambda m, x: m.sinc(x), (np.array([0.0, 0.5, -2.0]),), False),
    ('logaddexp', lambda m, x, y: m.logaddexp(x, y), (A, V), True),
    ('logaddexp2', lambda m, x, y: x.logaddexp2(y), (A, B * 30), True),
    ('float_power', lambda m, x: m.float_power(x, 3), (A,), True),
    ('diff', lambda m, x: m.diff(x), (A,), True),
    ('diff_n2_dim0_prepend', lambda m, x, p: m.diff(x, n=2, dim=0, prepend=p),
     (A, B[:1]), True),
    ('diff_append_method', lambda m, x, p: x.diff(append=p), (A, B[:, :2]), True),
    ('ravel', lambda m, x: m.ravel(x.t()), (A,), True),
    ('hsplit', lambda m, x: m.hsplit(x, [1, 3])[1], (A,), True),
    ('vsplit', lambda m, x: x.vsplit(3)[2], (A,), True),
    ('dsplit', lambda m, x: m.dsplit(x.reshape(1, 3, 4), 2)[0], (A,), True),
    ('trace', lambda m, x: m.trace(x), (A,), True),
    ('msort', lambda m, x: m.msort(x), (A,), True),
]


def _run(lib, fn, arrays, second):
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    y = fn(lib, *ts)
    r = lib.tensor(np.linspace(1, 2, y.numel()).reshape(tuple(y.shape)))
    firsts = lib.autograd.grad((y * y * r).sum(), ts, create_graph=second)
    out = [y.detach().numpy()] + [g.detach().numpy() for g in firsts]
    if second:
        sum((g * g).sum() for g in firsts).backward()
        out += [t.grad.numpy() for t in ts]
    return out, y.grad_fn.name(), str(y.dtype)[-7:]


@pytest.mark.parametrize('name,fn,arrays,second', DIFFERENTIABLE,
                         ids=[c[0] for c in DIFFERENTIABLE])
def test_matches_torch(name, fn, arrays, second):
    (a, na, da), (b, nb, db) = _run(numtorch, fn, arrays, second), _run(torch, fn, arrays, second)
    assert na == nb and da == db
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12)


def test_integer_and_bool_results():
    def both(fn):
        a, b = fn(numtorch), fn(torch)
        assert str(a.dtype)[-6:] == str(b.dtype)[-6:]
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    seq, vals = [1, 3, 5, 7], [[3, 6, 9], [0, 5, 7]]
    both(lambda m: m.diff(m.tensor([1, 4, 9, 16])))
    both(lambda m: m.diff(m.tensor([True, False, False, True])))
    both(lambda m: m.trace(m.arange(9).view(3, 3)))
    both(lambda m: m.float_power(m.tensor([2, 3]), 2))
    both(lambda m: m.heaviside(m.tensor([-1.0, 0.0, 2.0]), m.tensor(0.5)))
    both(lambda m: m.isin(m.tensor([1, 2, 3]), m.tensor([2, 5])))
    both(lambda m: m.isin(m.tensor([1, 2, 3]), m.tensor([2, 5]), invert=True))
    both(lambda m: m.searchsorted(m.tensor(seq), m.tensor(vals)))
    both(lambda m: m.searchsorted(m.tensor(seq), m.tensor(vals), right=True, out_int32=True))
    both(lambda m: m.searchsorted(m.tensor([seq, [0, 2, 4, 6]]), m.tensor(vals), side='right'))
    both(lambda m: m.searchsorted(m.tensor([7, 1, 5, 3]), m.tensor([4]),
                                  sorter=m.tensor([1, 3, 2, 0])))
    both(lambda m: m.bucketize(m.tensor([3, 6, 9]), m.tensor(seq)))
    both(lambda m: m.bucketize(m.tensor([3, 6, 9]), m.tensor(seq), right=True))


def test_errors():
    for fn in (lambda m: m.trace(m.ones(2, 2, 2)),
               lambda m: m.heaviside(m.tensor([1.0]), m.tensor([1])),
               lambda m: m.logaddexp(m.tensor([1]), m.tensor([2])),
               lambda m: m.diff(m.tensor(1.0)),
               lambda m: m.vsplit(m.ones(3), 1),
               lambda m: m.hsplit(m.ones(2, 3), 2),
               lambda m: m.bucketize(m.tensor([1]), m.ones(2, 2)),
               lambda m: m.searchsorted(m.tensor([1, 2]), m.tensor([1]), side='middle')):
        same_error(lambda: fn(numtorch), lambda: fn(torch))


CX, CY = RNG.standard_normal((4, 5)), RNG.standard_normal((3, 5))
CY_TIE = CY.copy()
CY_TIE[0] = CX[0]  # (a zero distance)
DISTANCES = [
    *[(f'cdist_p{p}', lambda m, a, b, p=p: m.cdist(a, b, p=p), (CX, CY_TIE))
      for p in (2, 1, 0, float('inf'), 0.5, 3)],
    ('cdist_batch', lambda m, a, b: m.cdist(a, b),
     (RNG.standard_normal((2, 1, 4, 5)), RNG.standard_normal((3, 3, 5)))),
    ('cdist_matrix_product', lambda m, a, b: m.cdist(a, b, compute_mode='use_mm_for_euclid_dist'),
     (CX, CY)),
    ('cdist_many_rows', lambda m, a, b: m.cdist(a, b), (RNG.standard_normal((30, 5)), CY)),
    ('dist', lambda m, a, b: m.dist(a, b), (CX, CY[:1])),
    ('dist_p3_method', lambda m, a, b: a.dist(b, 3), (CX, CY[:1])),
]


@pytest.mark.parametrize('name,fn,arrays', DISTANCES, ids=[c[0] for c in DISTANCES])
def test_distances_match_torch(name, fn, arrays):
    (a, na, da), (b, nb, db) = _run(numtorch, fn, arrays, False), _run(torch, fn, arrays, False)
    assert na == nb and da == db
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-10)


def test_distance_errors():
    for fn in (lambda m: m.cdist(m.ones(3), m.ones(3)),
               lambda m: m.cdist(m.ones(3, 4), m.ones(3, 5)),
               lambda m: m.cdist(m.ones(3, 4), m.ones(3, 4), p=-1),
               lambda m: m.cdist(m.ones(3, 4).int(), m.ones(3, 4).int()),
               lambda m: m.dist(m.ones(3), m.ones(4))):
        same_error(lambda: fn(numtorch), lambda: fn(torch))


X3 = RNG.standard_normal((3, 6))
FW = np.array([1, 2, 1, 3, 1, 2])
AW = RNG.uniform(0.5, 2, 6)
XS = np.cumsum(RNG.uniform(0.1, 1, 6))
COMPOSED = [
    ('cov', lambda m, x: m.cov(x), (X3,)),
    ('cov_correction0_method', lambda m, x: x.cov(correction=0), (X3,)),
    ('cov_weights', lambda m, x, a: m.cov(x, fweights=m.tensor(FW), aweights=a), (X3, AW)),
    ('cov_1d', lambda m, x: m.cov(x), (X3[0],)),
    ('corrcoef', lambda m, x: m.corrcoef(x), (X3,)),
    ('trapezoid', lambda m, y: m.trapezoid(y), (X3,)),
    ('trapezoid_dx_dim0', lambda m, y: m.trapezoid(y, dx=0.3, dim=0), (X3,)),
    ('trapezoid_x', lambda m, y, x: m.trapezoid(y, x), (X3, XS)),
    ('cumulative_trapezoid', lambda m, y: m.cumulative_trapezoid(y, dim=0), (X3,)),
    ('cumulative_trapezoid_x', lambda m, y, x: m.cumulative_trapezoid(y, x), (X3, XS)),
    ('cartesian_prod', lambda m, a, b: m.cartesian_prod(a, b), (V, V[:2])),
    ('combinations', lambda m, a: m.combinations(a, 3), (V,)),
    ('combinations_with_replacement', lambda m, a: m.combinations(a, 2, True), (V,)),
    ('block_diag', lambda m, a, b, c: m.block_diag(a, b, c), (A, V, np.array(2.5))),
    ('diagflat', lambda m, a: m.diagflat(a, 1), (A,)),
]


@pytest.mark.parametrize('name,fn,arrays', COMPOSED, ids=[c[0] for c in COMPOSED])
def test_composed_functions_match_torch(name, fn, arrays):
    (a, na, da), (b, nb, db) = _run(numtorch, fn, arrays, False), _run(torch, fn, arrays, False)
    assert na == nb and da == db
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-10)


def test_integer_functions():
    def both(fn):
        a, b = fn(numtorch), fn(torch)
        a, b = (a, b) if isinstance(a, tuple) else ((a,), (b,))
        for u, v in zip(a, b):
            assert str(u.dtype)[-5:] == str(v.dtype)[-5:]
            # float results (cov of integers) may differ in the last ulp
            np.testing.assert_allclose(u.numpy(), v.numpy(), rtol=1e-6, atol=0)
    both(lambda m: m.gcd(m.tensor([12, -9, 0]), m.tensor([8, 6, 5])))
    both(lambda m: m.tensor([4, 0, -6]).lcm(m.tensor([6, 5, 4])))
    both(lambda m: m.unravel_index(m.tensor([5, 12, 13, -1, -13]), (3, 4)))
    both(lambda m: m.cartesian_prod(m.tensor([1, 2]), m.tensor([3, 4, 5]), m.tensor([6])))
    both(lambda m: m.combinations(m.tensor([1, 2, 3]), 0))
    both(lambda m: m.block_diag())
    both(lambda m: m.cov(m.tensor([[1, 2, 4], [0, 1, 1]])))
    for fn in (lambda m: m.gcd(m.tensor([1.0]), m.tensor([2.0])),
               lambda m: m.unravel_index(m.tensor([1.0]), (3, 4)),
               lambda m: m.combinations(m.ones(2, 2)),
               lambda m: m.cartesian_prod(m.ones(2, 2)),
               lambda m: m.block_diag(m.ones(2, 2, 2)),
               lambda m: m.cov(m.ones(2, 2, 2))):
        same_error(lambda: fn(numtorch), lambda: fn(torch))
