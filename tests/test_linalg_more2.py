"""torch.linalg qr (and torch.qr / Tensor.qr), lstsq, pinv (and torch.pinverse), matrix_rank,
against PyTorch: values, every gradient (float64
gradcheck and direct comparison), batched and empty shapes, errors, graph node names.
Q and R are compared directly: NumPy's and PyTorch's QR both use LAPACK's Householder
geqrf/orgqr, which give the same signs (R's diagonal may be negative in both)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import numtorch
from numtorch.autograd import gradcheck
from test_nn_conv import same_error

RNG = np.random.default_rng(5)


def _arr(*shape):
    return RNG.standard_normal(shape)


def _compare(fn, arrays, grad=True, atol=1e-10):
    """fn(lib, *tensors) -> tensor or tuple: values, dtypes, shapes, node names and the
    gradients of a weighted sum of the differentiable outputs, in numtorch and torch."""
    res = []
    for lib in (numtorch, torch):
        ts = [lib.tensor(a, requires_grad=grad) for a in arrays]
        out = fn(lib, *ts)
        outs = tuple(out) if isinstance(out, tuple) else (out,)
        names = [o.grad_fn.name() if o.grad_fn is not None else None for o in outs]
        vals = [(o.detach().numpy(), str(o.dtype)[6:], tuple(o.shape)) for o in outs]
        grads = []
        if grad:
            loss = sum((o * lib.tensor(np.linspace(1, 2, o.numel()).reshape(tuple(o.shape))))
                       .sum() for o in outs if o.requires_grad)
            grads = [g.numpy() for g in lib.autograd.grad(loss, ts)]
        res.append((vals, names, grads))
    (va, na, ga), (vb, nb, gb) = res
    assert na == nb
    for (a, da, sa), (b, db, sb) in zip(va, vb):
        assert (da, sa) == (db, sb)
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=atol)
    for a, b in zip(ga, gb):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=atol)


# -- qr ----------------------------------------------------------------------------------
QR_CASES = [((4, 3), 'reduced'), ((3, 4), 'reduced'), ((3, 3), 'complete'),
            ((3, 5), 'complete'), ((2, 5, 3), 'reduced'), ((2, 3, 4), 'complete')]


@pytest.mark.parametrize('shape,mode', QR_CASES)
def test_qr_matches_torch(shape, mode):
    _compare(lambda m, a: m.linalg.qr(a, mode=mode), (_arr(*shape),))
    a = numtorch.tensor(_arr(*shape), requires_grad=True)
    assert gradcheck(lambda x: numtorch.linalg.qr(x, mode=mode), (a,))


def test_qr_gradient_of_one_output():
    _compare(lambda m, a: m.linalg.qr(a).Q, (_arr(4, 3),))
    _compare(lambda m, a: m.linalg.qr(a).R, (_arr(3, 4),))


def test_qr_modes_without_gradient_and_empty():
    for shape in [(4, 3), (3, 4), (0, 3), (3, 0), (0, 0), (2, 0, 3), (2, 3, 0)]:
        for mode in ('reduced', 'complete', 'r'):
            _compare(lambda m, a: tuple(m.linalg.qr(a, mode=mode)), (_arr(*shape),),
                     grad=False)
    q, r = numtorch.linalg.qr(numtorch.tensor(_arr(3, 3), dtype=numtorch.float32))
    assert q.dtype == r.dtype == numtorch.float32
    res = numtorch.linalg.qr(numtorch.ones(2, 2))
    assert type(res).__name__ == 'linalg_qr' and res.Q is res[0]
    assert repr(res).startswith('torch.return_types.linalg_qr(\nQ=tensor(')


def test_qr_backward_errors():
    def complete_tall(m):
        q, r = m.linalg.qr(m.tensor(_arr(4, 3), requires_grad=True), mode='complete')
        assert q.grad_fn.name() == 'LinalgQrBackward0'
        r.sum().backward()

    def r_mode(m):
        q, r = m.linalg.qr(m.tensor(_arr(3, 3), requires_grad=True), mode='r')
        assert tuple(q.shape) == (0,)
        r.sum().backward()
    for fn in (complete_tall, r_mode,
               lambda m: m.linalg.qr(m.ones(3, 3), mode='x'),
               lambda m: m.linalg.qr(m.ones(3)),
               lambda m: m.linalg.qr(m.ones(3, 3, dtype=m.int64))):
        same_error(lambda: fn(numtorch), lambda: fn(torch))


def test_torch_qr_deprecated_alias():
    a = _arr(4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for some in (True, False):
            n, t = numtorch.qr(numtorch.tensor(a), some), torch.qr(torch.tensor(a), some)
            assert type(n).__name__ == type(t).__name__ == 'qr'
            for x, y in zip(n, t):
                np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(numtorch.tensor(a).qr().R.numpy(),
                                   torch.tensor(a).qr().R.numpy(), rtol=1e-10)


# -- lstsq -------------------------------------------------------------------------------
LSTSQ_SHAPES = [((5, 3), (5, 2)), ((3, 5), (3, 2)), ((4, 4), (4, 1)), ((5, 3), (5,)),
                ((2, 5, 3), (2, 5)), ((1, 5, 3), (4, 5, 2)), ((2, 3, 5), (1, 3, 1))]


@pytest.mark.parametrize('driver', [None, 'gelsy', 'gelsd', 'gelss', 'gels'])
@pytest.mark.parametrize('sa,sb', LSTSQ_SHAPES)
def test_lstsq_matches_torch(sa, sb, driver):
    _compare(lambda m, a, b: tuple(m.linalg.lstsq(a, b, driver=driver)),
             (_arr(*sa), _arr(*sb)), atol=1e-9)


def test_lstsq_gradcheck_and_fields():
    a = numtorch.tensor(_arr(5, 3), requires_grad=True)
    b = numtorch.tensor(_arr(5, 2), requires_grad=True)
    assert gradcheck(lambda x, y: numtorch.linalg.lstsq(x, y, driver='gelsd')[:2], (a, b))
    assert gradcheck(lambda x, y: numtorch.linalg.lstsq(x.mT, y[:3])[:2], (a, b))
    r = numtorch.linalg.lstsq(a, b)
    assert type(r).__name__ == 'linalg_lstsq' and r.rank.dtype == numtorch.int64
    assert r.residuals.grad_fn.name() == 'LinalgLstsqBackward0' and not r.rank.requires_grad


def test_lstsq_rank_deficient_and_empty():
    a = _arr(5, 3)
    a[:, 2] = a[:, 0] + a[:, 1]
    b = _arr(5, 2)
    for driver in ('gelsy', 'gelsd', 'gelss'):
        _compare(lambda m, x, y: tuple(m.linalg.lstsq(x, y, driver=driver)), (a, b),
                 grad=False, atol=1e-9)
    _compare(lambda m, x, y: tuple(m.linalg.lstsq(x, y, rcond=0.5, driver='gelsd')),
             (_arr(5, 3), b), grad=False)
    for sa, sb in [((0, 3), (0, 2)), ((3, 0), (3, 2)), ((3, 3), (3, 2))]:
        for driver in ('gelsy', 'gelsd', 'gelss', 'gels'):
            _compare(lambda m, x, y: tuple(m.linalg.lstsq(x, y, driver=driver)),
                     (np.zeros(sa), np.ones(sb)), grad=False)


def test_lstsq_errors():
    f, d = np.ones((3, 3), np.float32), np.ones((3, 3))
    for fn in (lambda m: m.linalg.lstsq(m.ones(3, 3), m.ones(3, 3), driver='foo'),
               lambda m: m.linalg.lstsq(m.ones(3, 3, dtype=m.int64),
                                        m.ones(3, 3, dtype=m.int64)),
               lambda m: m.linalg.lstsq(m.tensor(d), m.tensor(f)),
               lambda m: m.linalg.lstsq(m.ones(5, 3), m.ones(4, 2)),
               lambda m: m.linalg.lstsq(m.ones(5, 3), m.ones(4)),
               lambda m: m.linalg.lstsq(m.ones(3), m.ones(3)),
               lambda m: m.linalg.lstsq(m.ones(5, 3), m.ones(2, 5, 2)),
               lambda m: m.linalg.lstsq(m.ones(2, 5, 3), m.ones(5, 2)),
               lambda m: m.linalg.lstsq(m.ones(2, 3, 5), m.ones(3, 1)),
               lambda m: m.lstsq(m.ones(3, 2), m.ones(3, 2)),
               lambda m: m.matrix_rank(m.ones(3, 2))):
        same_error(lambda: fn(numtorch), lambda: fn(torch))


# -- pinv, matrix_rank ---------------------------------------------------------------------
def _sym(n):
    a = _arr(n, n)
    return a + a.T


PINV_CASES = [
    ('tall', lambda m, a: m.linalg.pinv(a), (_arr(4, 3),)),
    ('wide_batch', lambda m, a: m.linalg.pinv(a), (_arr(2, 3, 4),)),
    ('hermitian', lambda m, a: m.linalg.pinv(a, hermitian=True), (_sym(3),)),
    ('atol', lambda m, a: m.linalg.pinv(a, atol=1.0), (_arr(4, 3),)),
    ('rtol', lambda m, a: m.linalg.pinv(a, rtol=0.4), (_arr(3, 4),)),
    ('rcond', lambda m, a: m.linalg.pinv(a, 0.3), (_arr(3, 3),)),
    ('pinverse', lambda m, a: m.pinverse(a), (_arr(4, 3),)),
    ('method', lambda m, a: a.pinverse(), (_arr(3, 4),)),
]


@pytest.mark.parametrize('name,fn,arrays', PINV_CASES, ids=[c[0] for c in PINV_CASES])
def test_pinv_matches_torch(name, fn, arrays):
    _compare(fn, arrays)


def test_pinv_gradcheck_empty_and_errors():
    for shape in [(4, 3), (3, 4), (2, 3, 3)]:
        assert gradcheck(numtorch.linalg.pinv, (numtorch.tensor(_arr(*shape),
                                                                requires_grad=True),))
    for shape in [(0, 3), (2, 3, 0)]:
        _compare(lambda m, a: m.linalg.pinv(a), (np.ones(shape),), grad=False)
    s = np.diag([1, 1e-16, 2.0])
    _compare(lambda m, a: m.pinverse(a), (s,), grad=False)
    _compare(lambda m, a: m.linalg.pinv(a, atol=m.tensor([0.5, 4.0])), (np.eye(3),),
             grad=False)
    for fn in (lambda m: m.linalg.pinv(m.ones(3, 3, dtype=m.int64)),
               lambda m: m.linalg.pinv(m.ones(3))):
        same_error(lambda: fn(numtorch), lambda: fn(torch))


@pytest.mark.filterwarnings('ignore:An output with one or more elements')
def test_matrix_rank():
    low = _arr(4, 2) @ _arr(2, 5)
    d = np.diag([1.0, -3.0, 2.0])
    cases = [(lambda m, a: m.linalg.matrix_rank(a), low),
             (lambda m, a: m.linalg.matrix_rank(a), np.stack([low, _arr(4, 5)])),
             (lambda m, a: m.linalg.matrix_rank(a, 2.5), d),
             (lambda m, a: m.linalg.matrix_rank(a, tol=2.5), d),
             (lambda m, a: m.linalg.matrix_rank(a, atol=0.5, rtol=0.5), d),
             (lambda m, a: m.linalg.matrix_rank(a, hermitian=True, rtol=0.5), d),
             (lambda m, a: m.linalg.matrix_rank(a, hermitian=True, atol=1.5), d),
             (lambda m, a: m.linalg.matrix_rank(a, atol=m.tensor([0.5, 2.5])[:, None]), d),
             (lambda m, a: m.linalg.matrix_rank(a), np.zeros((2, 0, 3))),
             (lambda m, a: m.linalg.matrix_rank(a), np.ones((3, 3), np.float32))]
    for fn, a in cases:
        _compare(fn, (a,), grad=False)
    for fn in (lambda m: m.linalg.matrix_rank(m.ones(3, 3, dtype=m.int64)),
               lambda m: m.linalg.matrix_rank(m.ones(3))):
        same_error(lambda: fn(numtorch), lambda: fn(torch))


# -- matrix_norm, norm, cond ---------------------------------------------------------------
ORDS = ['fro', 'nuc', 1, -1, 2, -2, float('inf'), -float('inf')]


@pytest.mark.parametrize('ord', ORDS, ids=str)
def test_matrix_norm_matches_torch(ord):
    a = _arr(2, 3, 4)
    for dim, keepdim in [((-2, -1), False), ((0, 2), True), ((2, 0), False)]:
        _compare(lambda m, x: m.linalg.matrix_norm(x, ord, dim, keepdim), (a,))
    _compare(lambda m, x: m.linalg.norm(x[0], ord), (a,))
    _compare(lambda m, x: m.linalg.norm(x, ord, (1, 2), True), (a,))
    assert gradcheck(lambda x: numtorch.linalg.matrix_norm(x, ord),
                     (numtorch.tensor(_arr(3, 4), requires_grad=True),))


@pytest.mark.parametrize('ord', [None] + ORDS, ids=str)
def test_cond_matches_torch(ord):
    sq = _arr(2, 3, 3)
    # (PyTorch's own backward fails for these orders: it fills the inverse in place)
    differentiable = ord in (None, 'nuc', 2, -2)
    _compare(lambda m, x: m.linalg.cond(x, ord), (sq,), grad=differentiable)
    singular = np.stack([np.diag([1.0, 0, 2]), sq[0]])
    if ord != 'nuc':
        _compare(lambda m, x: m.linalg.cond(x, ord), (singular,), grad=False)
    assert gradcheck(lambda x: numtorch.linalg.cond(x, ord),
                     (numtorch.tensor(sq[0], requires_grad=True),))


def test_norms_vector_cases_empty_and_errors():
    a = _arr(2, 3, 4)
    _compare(lambda m, x: m.linalg.cond(x), (a,))
    _compare(lambda m, x: m.linalg.norm(x), (a,))
    _compare(lambda m, x: m.linalg.norm(x, 3, 1), (a,))
    _compare(lambda m, x: m.linalg.cond(x, 'fro'), (np.zeros((2, 0, 0)),), grad=False)
    for fn in (lambda m: m.linalg.matrix_norm(m.ones(3, 3), ord=3),
               lambda m: m.linalg.matrix_norm(m.ones(3, 3), ord='foo'),
               lambda m: m.linalg.matrix_norm(m.ones(3), ord=1),
               lambda m: m.linalg.matrix_norm(m.ones(3, 3, dtype=m.int64), ord=2),
               lambda m: m.linalg.matrix_norm(m.ones(3, 3), dim=(1, -1)),
               lambda m: m.linalg.matrix_norm(m.ones(3, 3), dim=(0,)),
               lambda m: m.linalg.norm(m.ones(2, 3, 3), ord=1),
               lambda m: m.linalg.norm(m.ones(2, 3, 3), dim=(0, 1, 1)),
               lambda m: m.linalg.cond(m.ones(3, 3), 3),
               lambda m: m.linalg.cond(m.ones(3, 3), 'foo'),
               lambda m: m.linalg.cond(m.ones(3)),
               lambda m: m.linalg.cond(m.ones(2, 3), 1),
               lambda m: m.linalg.cond(m.ones(2, 3), 'fro'),
               lambda m: m.linalg.cond(m.ones(2, 3), float('inf'))):
        same_error(lambda: fn(numtorch), lambda: fn(torch))
