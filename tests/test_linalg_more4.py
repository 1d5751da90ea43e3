"""torch.geqrf, torch.linalg.householder_product / torch.orgqr, torch.ormqr and the further
torch.linalg helpers against PyTorch: values, every gradient (float64 gradcheck and direct
comparison), batched and empty shapes, errors, graph node names."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
from numtorch.autograd import gradcheck
from test_nn_conv import same_error

RNG = np.random.default_rng(23)


def _arr(*shape):
    return RNG.standard_normal(shape)


def _compare(fn, arrays, grad=True, atol=1e-10, rtol=1e-8):
    """fn(lib, *tensors) -> tensor or tuple: values, dtypes, shapes, node names and the
    gradients of a weighted sum of the differentiable outputs, in numtorch and torch."""
    res = []
    for lib in (numtorch, torch):
        ts = [lib.tensor(a, requires_grad=grad and a.dtype.kind == 'f') for a in arrays]
        out = fn(lib, *ts)
        outs = tuple(out) if isinstance(out, tuple) else (out,)
        names = [o.grad_fn.name() if o.grad_fn is not None else None for o in outs]
        vals = [(o.detach().numpy(), str(o.dtype)[6:], tuple(o.shape)) for o in outs]
        grads = []
        if grad:
            loss = sum((o * lib.tensor(np.linspace(1, 2, o.numel()).reshape(tuple(o.shape)),
                                       dtype=o.dtype)).sum() for o in outs)
            grads = [None if g is None else g.numpy()
                     for g in lib.autograd.grad(loss, ts, allow_unused=True)]
        res.append((type(out).__name__, vals, names, grads))
    (ta, va, na, ga), (tb, vb, nb, gb) = res
    assert (ta, na) == (tb, nb)
    for (a, da, sa), (b, db, sb) in zip(va, vb):
        assert (da, sa) == (db, sb)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    assert len(ga) == len(gb)
    for a, b in zip(ga, gb):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _gradcheck(fn, *arrays):
    ts = [numtorch.tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(fn, ts)


# -- geqrf -------------------------------------------------------------------------------
@pytest.mark.parametrize('shape', [(4, 3), (3, 5), (2, 4, 4), (2, 1, 3, 2), (0, 3), (2, 3, 0),
                                   (1, 1)])
@pytest.mark.parametrize('dtype', [np.float64, np.float32])
def test_geqrf(shape, dtype):
    a = _arr(*shape).astype(dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    _compare(lambda lib, x: lib.geqrf(x), [a], grad=False, atol=tol, rtol=tol)
    na, ta = numtorch.geqrf(numtorch.tensor(a, requires_grad=True)), torch.geqrf(
        torch.tensor(a, requires_grad=True))
    assert type(na).__name__ == 'geqrf' and na._fields == ('a', 'tau')
    assert na.a.grad_fn.name() == ta.a.grad_fn.name() == 'GeqrfBackward0'


def test_geqrf_backward_and_errors():
    for lib in (numtorch, torch):
        a = lib.geqrf(lib.tensor(_arr(3, 2), requires_grad=True)).a
        with pytest.raises(NotImplementedError, match="derivative for 'geqrf'"):
            a.sum().backward()
    for f in (lambda m: m.geqrf(m.ones(3)), lambda m: m.geqrf(m.ones(3, 2, dtype=m.int32)),
              lambda m: m.geqrf(m.ones(3, 2, dtype=m.float16))):
        same_error(lambda: f(numtorch), lambda: f(torch))


# -- householder_product / orgqr -----------------------------------------------------------
HH_CASES = [((4, 3), (3,)), ((5, 3), (2,)), ((3, 3), (3,)), ((2, 4, 2), (2, 2)),
            ((2, 1, 3, 2), (2, 1, 1)), ((3, 2), (0,)), ((0, 0), (0,)), ((3, 0), (0,)),
            ((0, 4, 3), (0, 3))]


@pytest.mark.parametrize('ashape,tshape', HH_CASES)
def test_householder_product(ashape, tshape):
    a, tau = _arr(*ashape), RNG.uniform(0.2, 1.8, tshape)
    _compare(lambda lib, x, t: lib.linalg.householder_product(x, t), [a, tau])
    _compare(lambda lib, x, t: lib.orgqr(x, t), [a, tau])
    if a.size and tau.size:
        _gradcheck(numtorch.linalg.householder_product, a, tau)


def test_householder_product_float32_and_geqrf_roundtrip():
    a = _arr(2, 5, 3).astype(np.float32)
    _compare(lambda lib, x: lib.linalg.householder_product(*lib.geqrf(x)), [a], grad=False,
             atol=1e-5, rtol=1e-5)
    q = numtorch.linalg.householder_product(*numtorch.geqrf(numtorch.tensor(a)))
    np.testing.assert_allclose(q.numpy(), np.linalg.qr(a)[0], atol=1e-5)


def test_householder_product_single_input_gradient():
    a, tau = _arr(4, 3), RNG.uniform(0.2, 1.8, 3)
    for req in (0, 1):
        res = []
        for lib in (numtorch, torch):
            ts = [lib.tensor(a), lib.tensor(tau)]
            ts[req].requires_grad_()
            lib.linalg.householder_product(*ts).pow(2).sum().backward()
            res.append(ts[req].grad.numpy())
        np.testing.assert_allclose(*res, rtol=1e-9, atol=1e-12)


HH_ERRORS = [
    lambda m: m.linalg.householder_product(m.ones(3), m.ones(1)),
    lambda m: m.linalg.householder_product(m.ones(3, 4), m.ones(1)),
    lambda m: m.linalg.householder_product(m.ones(4, 3), m.ones(4)),
    lambda m: m.linalg.householder_product(m.ones(2, 4, 3), m.ones(3, 2)),
    lambda m: m.linalg.householder_product(m.ones(2, 4, 3), m.ones(2)),
    lambda m: m.linalg.householder_product(m.ones(4, 3), m.ones(2, dtype=m.float64)),
    lambda m: m.linalg.householder_product(m.ones(4, 3, dtype=m.int32),
                                           m.ones(2, dtype=m.int32)),
    lambda m: m.linalg.householder_product(m.ones(4, 3), m.tensor(1.)),
    lambda m: m.orgqr(m.ones(3, 4), m.ones(1)),
]


@pytest.mark.parametrize('i', range(len(HH_ERRORS)))
def test_householder_product_errors(i):
    same_error(lambda: HH_ERRORS[i](numtorch), lambda: HH_ERRORS[i](torch))


# -- ormqr ---------------------------------------------------------------------------------
ORMQR_CASES = [((4, 3), (3,), (4, 2), True), ((4, 3), (3,), (2, 4), False),
               ((3, 4), (3,), (3, 2), True), ((3, 4), (3,), (2, 3), False),
               ((2, 4, 2), (2, 2), (2, 4, 3), True), ((2, 3, 3), (2, 3), (2, 1, 3), False),
               ((4, 3), (3,), (4, 0), True), ((0, 4, 3), (0, 3), (0, 4, 2), True)]


@pytest.mark.parametrize('transpose', [False, True])
@pytest.mark.parametrize('ashape,tshape,cshape,left', ORMQR_CASES)
def test_ormqr(ashape, tshape, cshape, left, transpose):
    a, tau, c = _arr(*ashape), RNG.uniform(0.2, 1.8, tshape), _arr(*cshape)
    _compare(lambda lib, *ts: lib.ormqr(*ts, left=left, transpose=transpose), [a, tau, c])
    if a.size and c.size:
        _gradcheck(lambda *ts: numtorch.ormqr(*ts, left, transpose), a, tau, c)


def test_ormqr_applies_geqrf_q():
    a, c = _arr(5, 3), _arr(5, 2)
    h, tau = numtorch.geqrf(numtorch.tensor(a))
    q = np.linalg.qr(a, mode='complete')[0]
    out = numtorch.ormqr(h, tau, numtorch.tensor(c), transpose=True)
    np.testing.assert_allclose(out.numpy(), q.T @ c, atol=1e-12)


ORMQR_ERRORS = [
    lambda m: m.ormqr(m.ones(4, 3), m.ones(3), m.ones(3, 2)),
    lambda m: m.ormqr(m.ones(4, 3), m.ones(3), m.ones(2, 3), left=False),
    lambda m: m.ormqr(m.ones(3), m.ones(3), m.ones(4, 2)),
    lambda m: m.ormqr(m.ones(4, 3), m.ones(3), m.ones(4)),
    lambda m: m.ormqr(m.ones(4, 3), m.ones(5), m.ones(4, 2)),
    lambda m: m.ormqr(m.ones(4, 3), m.ones(2), m.ones(4, 2)),
    lambda m: m.ormqr(m.ones(3, 4), m.ones(2), m.ones(2, 3), left=False),
    lambda m: m.ormqr(m.ones(4, 3), m.ones(3), m.ones(2, 4, 2)),
    lambda m: m.ormqr(m.ones(2, 4, 3), m.ones(3), m.ones(4, 2)),
    lambda m: m.ormqr(m.ones(4, 3), m.ones(3), m.ones(4, 2, dtype=m.float64)),
    lambda m: m.ormqr(m.ones(4, 3), m.ones(3, dtype=m.float64), m.ones(4, 2)),
    lambda m: m.ormqr(m.ones(2, 4, 3), m.ones(2, 3), m.ones(3, 4, 2)),
    lambda m: m.ormqr(m.ones(2, 4, 3), m.ones(3, 3), m.ones(2, 4, 2)),
    lambda m: m.ormqr(m.ones(4, 3, dtype=m.int32), m.ones(3, dtype=m.int32),
                      m.ones(4, 2, dtype=m.int32)),
]


@pytest.mark.parametrize('i', range(len(ORMQR_ERRORS)))
def test_ormqr_errors(i):
    same_error(lambda: ORMQR_ERRORS[i](numtorch), lambda: ORMQR_ERRORS[i](torch))


# -- linalg.diagonal, vander, tensorinv, tensorsolve, vecdot ---------------------------------
@pytest.mark.parametrize('shape,kw', [((3, 4), {}), ((2, 3, 4), dict(offset=1)),
                                      ((2, 3, 4), dict(offset=-1, dim1=0, dim2=2)),
                                      ((0, 3), {})])
def test_linalg_diagonal(shape, kw):
    _compare(lambda lib, x: lib.linalg.diagonal(x, **kw), [_arr(*shape)])
    x = numtorch.zeros(3, 3)
    numtorch.linalg.diagonal(x).fill_(1.)       # (a view, as torch.diagonal)
    assert x.numpy().trace() == 3


@pytest.mark.parametrize('shape,N', [((3,), None), ((2, 4), None), ((2, 3), 5), ((), 3),
                                     ((2, 0), 3), ((1, 2, 3), 2)])
def test_vander(shape, N):
    x = RNG.uniform(0.5, 1.5, shape) * np.where(RNG.random(shape) < 0.5, -1, 1)
    _compare(lambda lib, t: lib.linalg.vander(t, N=N), [x])
    _compare(lambda lib, t: lib.linalg.vander(t, N=N), [x.astype(np.float32)], rtol=1e-6)
    _compare(lambda lib, t: lib.linalg.vander(t, N=N), [RNG.integers(-3, 4, shape)], grad=False)
    if x.size:
        _gradcheck(lambda t: numtorch.linalg.vander(t, N=N), x)


@pytest.mark.parametrize('shape,ind', [((4, 6, 8, 3), 2), ((4, 2, 2), 1), ((2, 2, 4), 2),
                                       ((3, 3), 1), ((0, 0), 1), ((1, 1), 1),
                                       ((1, 1, 1, 1), 2)])
def test_tensorinv(shape, ind):
    a = _arr(*shape)
    _compare(lambda lib, t: lib.linalg.tensorinv(t, ind=ind), [a], rtol=1e-7)
    if a.size and a.size < 100:
        _gradcheck(lambda t: numtorch.linalg.tensorinv(t, ind=ind), a)
    x = numtorch.linalg.tensorinv(numtorch.tensor(a), ind)
    n = int(np.prod(shape[:ind]))
    np.testing.assert_allclose(np.tensordot(a, x.numpy(), a.ndim - ind).reshape(n, n),
                               np.eye(n), atol=1e-8)


@pytest.mark.parametrize('ashape,bshape,dims', [((2, 3, 6), (2, 3), None),
                                                ((6, 2, 3), (2, 3), (0,)),
                                                ((3, 2, 2, 3), (3, 2), (1, 0)),
                                                ((6, 2, 3), (6,), None), ((4, 4), (4,), None),
                                                ((0, 0), (0,), None)])
def test_tensorsolve(ashape, bshape, dims):
    a, b = _arr(*ashape), _arr(*bshape)
    _compare(lambda lib, x, y: lib.linalg.tensorsolve(x, y, dims=dims), [a, b], rtol=1e-7)
    if a.size:
        _gradcheck(lambda x, y: numtorch.linalg.tensorsolve(x, y, dims=dims), a, b)


def test_vecdot():
    _compare(lambda lib, x, y: lib.linalg.vecdot(x, y, dim=0), [_arr(3, 4), _arr(3, 1)])
    _compare(lambda lib, x, y: lib.linalg.vecdot(x, y), [_arr(2, 1, 3), _arr(4, 3)])


LINALG_ERRORS = [
    lambda m: m.linalg.vander(m.ones(3), N=1),
    lambda m: m.linalg.vander(m.ones(0)),
    lambda m: m.linalg.vander(m.tensor(2.)),
    lambda m: m.linalg.vander(m.tensor([True])),
    lambda m: m.linalg.vander(m.ones(2, dtype=m.float16)),
    lambda m: m.linalg.tensorinv(m.ones(4, 6, 8, 3), ind=1),
    lambda m: m.linalg.tensorinv(m.ones(4, 6, 8, 3), ind=0),
    lambda m: m.linalg.tensorinv(m.ones(4, 6, 8, 3), ind=4),
    lambda m: m.linalg.tensorinv(m.ones(4, 6, 8, 3, dtype=m.int32)),
    lambda m: m.linalg.tensorinv(m.zeros(4, 6, 8, 3)),
    lambda m: m.linalg.tensorsolve(m.ones(6, 2, 3), m.ones(2, 4)),
    lambda m: m.linalg.tensorsolve(m.ones(6, 2, 3), m.ones(2, 3, dtype=m.float64)),
    lambda m: m.linalg.tensorsolve(m.ones(6, 2, 4), m.ones(6)),
    lambda m: m.linalg.tensorsolve(m.ones(2, 2, dtype=m.int32), m.ones(2, dtype=m.int32)),
    lambda m: m.linalg.tensorsolve(m.ones(2, 2), m.ones(2, dtype=m.float64)),
    lambda m: m.linalg.tensorsolve(m.ones(2, 3, 2), m.ones(2), dims=(5,)),
    lambda m: m.linalg.tensorsolve(m.zeros(2, 2), m.ones(2)),
    lambda m: m.linalg.vecdot(m.ones(2, 3, dtype=m.int32), m.ones(2, 3, dtype=m.int32)),
    lambda m: m.linalg.vecdot(m.ones(2, 3), m.ones(2, 3, dtype=m.float64)),
    lambda m: m.linalg.vecdot(m.ones(2, 3), m.ones(2, 3, dtype=m.int32)),
    lambda m: m.linalg.vecdot(m.ones(2, 3, dtype=m.int32), m.ones(2, 3)),
]


@pytest.mark.parametrize('i', range(len(LINALG_ERRORS)))
def test_linalg_compose_errors(i):
    same_error(lambda: LINALG_ERRORS[i](numtorch), lambda: LINALG_ERRORS[i](torch))


# -- svd_lowrank / pca_lowrank -------------------------------------------------------------
def _lowrank(lib, fn, a, w, **kw):
    """fn's (U, S, V) from seed 0, with the gradient of a sign-invariant loss (the singular
    vectors' signs are LAPACK's choice): the weighted reconstruction plus sum(S)."""
    lib.manual_seed(0)
    A = lib.tensor(a, requires_grad=True)
    M = kw.pop('M', None)
    if M is not None:
        kw['M'] = lib.tensor(M, dtype=A.dtype)
    U, S, V = fn(lib)(A, **kw)
    rec = (U * S.unsqueeze(-2)) @ V.mT
    ((rec * lib.tensor(w, dtype=rec.dtype)).sum() + S.sum()).backward()
    return [t.detach().numpy() for t in (U, S, V, rec)] + [A.grad.numpy()]


LOWRANK_CASES = [
    ('svd', (7, 5), dict(q=3)), ('svd', (5, 8), dict(q=4, niter=1)),
    ('svd', (2, 9, 7), {}), ('svd', (6, 5), dict(q=2, M=RNG.standard_normal((1, 5)))),
    ('svd', (4, 9), dict(q=3, niter=0, M=RNG.standard_normal((4, 9)))),
    ('pca', (9, 5), {}), ('pca', (6, 8), dict(q=3)), ('pca', (2, 8, 4), dict(center=False)),
    ('pca', (7, 4), dict(q=2, niter=3)),
]


@pytest.mark.parametrize('dtype', [np.float64, np.float32])
@pytest.mark.parametrize('kind,shape,kw', LOWRANK_CASES)
def test_lowrank(kind, shape, kw, dtype):
    fn = (lambda lib: lib.svd_lowrank) if kind == 'svd' else (lambda lib: lib.pca_lowrank)
    a, w = _arr(*shape).astype(dtype), _arr(*shape)
    (u1, s1, v1, r1, g1), (u2, s2, v2, r2, g2) = [_lowrank(lib, fn, a, w, **dict(kw))
                                                  for lib in (numtorch, torch)]
    tol = 1e-4 if dtype == np.float32 else 1e-9
    for p, q in ((s1, s2), (r1, r2), (g1, g2)):
        np.testing.assert_allclose(p, q, rtol=tol, atol=tol)
    # (U and V agree up to each column's sign)
    sign = np.sign(np.sum(u1 * u2, axis=-2, keepdims=True))
    np.testing.assert_allclose(u1 * sign, u2, rtol=tol, atol=tol)
    np.testing.assert_allclose(v1 * sign, v2, rtol=tol, atol=tol)
    assert (u1.dtype, u1.shape, s1.shape, v1.shape) == (u2.dtype, u2.shape, s2.shape, v2.shape)


def test_lowrank_gradcheck():
    def rec(A, M):
        numtorch.manual_seed(1)
        U, S, V = numtorch.svd_lowrank(A, q=2, M=M)
        return (U * S.unsqueeze(-2)) @ V.mT
    _gradcheck(rec, _arr(5, 4), _arr(1, 4))

    def pca(A):
        numtorch.manual_seed(1)
        return numtorch.pca_lowrank(A, q=2)[1]
    _gradcheck(pca, _arr(6, 3))


LOWRANK_ERRORS = [
    lambda m: m.pca_lowrank(m.ones(4, 3), q=4),
    lambda m: m.pca_lowrank(m.ones(4, 3), q=-1),
    lambda m: m.pca_lowrank(m.ones(4, 3), niter=-1),
    lambda m: m.svd_lowrank(m.ones(4, 3), q=2, M=m.ones(2, 3)),
]


@pytest.mark.parametrize('i', range(len(LOWRANK_ERRORS)))
def test_lowrank_errors(i):
    same_error(lambda: LOWRANK_ERRORS[i](numtorch), lambda: LOWRANK_ERRORS[i](torch))


# -- eigh/eigvalsh UPLO, svd driver --------------------------------------------------------
@pytest.mark.parametrize('uplo', ['l', 'u', 'U'])
def test_eigh_uplo_either_case(uplo):
    a = _arr(3, 4, 4)
    _compare(lambda lib, x: lib.linalg.eigvalsh(x, UPLO=uplo), [a])
    _compare(lambda lib, x: lib.linalg.eigh(x, UPLO=uplo).eigenvalues, [a])


DRIVER_ERRORS = [
    lambda m: m.linalg.svd(m.ones(3, 3), driver='gesvd'),
    lambda m: m.linalg.svd(m.ones(3, 3), full_matrices=False, driver='gesvdj'),
    lambda m: m.linalg.svdvals(m.ones(3, 3), driver='gesvda'),
    lambda m: m.linalg.eigvalsh(m.ones(3, 3), UPLO='X'),
    lambda m: m.linalg.eigvalsh(m.ones(3, 3), UPLO='LU'),
    lambda m: m.linalg.eigh(m.ones(3, 3), UPLO=''),
]


@pytest.mark.parametrize('i', range(len(DRIVER_ERRORS)))
def test_svd_driver_and_uplo_errors(i):
    same_error(lambda: DRIVER_ERRORS[i](numtorch), lambda: DRIVER_ERRORS[i](torch))
