"""torch.linalg.cross / torch.cross, the *_ex functions, LU (lu_factor, lu, lu_solve),
solve_triangular / torch.triangular_solve, matrix_exp, and the small helpers, against
PyTorch: values, every gradient (float64 gradcheck and direct comparison), batched and empty
shapes, errors, graph node names."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import numtorch
from numtorch.autograd import gradcheck
from test_nn_conv import same_error

RNG = np.random.default_rng(11)


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
            loss = sum((o * lib.tensor(np.linspace(1, 2, o.numel()).reshape(tuple(o.shape))))
                       .sum() for o in outs if o.requires_grad)
            grads = [g.numpy() for g in lib.autograd.grad(
                loss, [t for t in ts if t.requires_grad])]
        res.append((type(out).__name__, vals, names, grads))
    (ta, va, na, ga), (tb, vb, nb, gb) = res
    assert (ta, na) == (tb, nb)
    for (a, da, sa), (b, db, sb) in zip(va, vb):
        assert (da, sa) == (db, sb)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    assert len(ga) == len(gb)
    for a, b in zip(ga, gb):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _both(fn, *arrays):
    """fn(lib, *tensors) in numtorch and torch (no grad), as NumPy arrays."""
    return [fn(lib, *[lib.tensor(a) for a in arrays]) for lib in (numtorch, torch)]


def _one_warning(caught, text: str) -> None:
    """numtorch warned once (its own call first), and torch (whose warning may have been
    spent earlier in this process) with the same text plus its C++ location."""
    msgs = [str(x.message) for x in caught if text in str(x.message)]
    assert 1 <= len(msgs) <= 2
    assert all(m.startswith(msgs[0]) and m != msgs[0] for m in msgs[1:])
    assert 'Triggered internally' not in msgs[0]


# -- cross -------------------------------------------------------------------------------
CROSS_CASES = [((3,), (3,), -1), ((4, 3), (4, 3), -1), ((2, 1, 3), (1, 4, 3), -1),
               ((3, 4), (3, 1), 0), ((2, 3, 5), (2, 3, 5), 1), ((0, 3), (0, 3), -1),
               ((2, 3, 1), (1, 3, 5), -2)]


@pytest.mark.parametrize('sa,sb,dim', CROSS_CASES)
def test_linalg_cross_matches_torch(sa, sb, dim):
    _compare(lambda m, a, b: m.linalg.cross(a, b, dim=dim), (_arr(*sa), _arr(*sb)))
    _compare(lambda m, a, b: m.cross(a, b, dim=dim), (_arr(*sa), _arr(*sb)))
    _compare(lambda m, a, b: a.cross(b, dim), (_arr(*sa), _arr(*sb)))
    if 0 not in sa:
        ts = [numtorch.tensor(_arr(*s), requires_grad=True) for s in (sa, sb)]
        assert gradcheck(lambda a, b: numtorch.linalg.cross(a, b, dim=dim), ts)


def test_cross_double_backward_and_dtypes():
    a, b = _arr(2, 3), _arr(2, 3)
    res = []
    for lib in (numtorch, torch):
        x = lib.tensor(a, requires_grad=True)
        y = lib.tensor(b, requires_grad=True)
        g, = lib.autograd.grad(lib.linalg.cross(x, y).pow(2).sum(), x, create_graph=True)
        res.append(lib.autograd.grad((g * g).sum(), [x, y]))
    for p, q in zip(*res):
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-10)
    for dt in ('int64', 'int32', 'uint8', 'float16', 'float32'):
        n, t = _both(lambda m, x, y: m.linalg.cross(x, y), np.array([1, 2, 3], dt),
                     np.array([4, 5, 6], dt))
        assert str(n.dtype) == str(t.dtype)
        np.testing.assert_array_equal(n.numpy(), t.numpy())


def test_torch_cross_default_dim_warns_once():
    from numtorch import _tensor
    _tensor._warned.discard(numtorch._ops.cross._CROSS_WARNING)
    a, b = _arr(3, 4, 3), _arr(3, 4, 3)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        n = numtorch.cross(numtorch.tensor(a), numtorch.tensor(b))
        numtorch.tensor(a).cross(numtorch.tensor(b))
        t = torch.cross(torch.tensor(a), torch.tensor(b))
    _one_warning(w, 'torch.cross without')
    np.testing.assert_allclose(n.numpy(), t.numpy(), rtol=1e-12)   # dim 0: the first of size 3
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        n, t = _both(lambda m, x, y: m.cross(x, y), _arr(1, 3), _arr(4, 3))
        np.testing.assert_allclose(n.numpy(), t.numpy(), rtol=1e-12)


CROSS_ERRORS = [
    lambda m: m.linalg.cross(m.zeros(3, 4), m.zeros(3, 4)),
    lambda m: m.linalg.cross(m.zeros(2, 3), m.zeros(3)),
    lambda m: m.linalg.cross(m.zeros(2, 4), m.zeros(3, 4, 5)),
    lambda m: m.linalg.cross(m.zeros(2, 3), m.zeros(4, 3)),
    lambda m: m.linalg.cross(m.zeros(2, 4), m.zeros(4, 3)),
    lambda m: m.linalg.cross(m.zeros(3), m.zeros(3), dim=2),
    lambda m: m.linalg.cross(m.zeros(4, 3), m.zeros(4, 3, dtype=m.float64), dim=5),
    lambda m: m.linalg.cross(m.zeros(3), m.zeros(3, dtype=m.float64)),
    lambda m: m.linalg.cross(m.zeros(3, dtype=m.int32), m.zeros(3)),
    lambda m: m.linalg.cross(m.tensor(1.), m.tensor(2.)),
    lambda m: m.linalg.cross(m.zeros(3, dtype=m.bool), m.zeros(3, dtype=m.bool)),
    lambda m: m.linalg.cross(m.zeros(3), m.zeros(3), dim=0.5),
    lambda m: m.cross(m.zeros(2, 4), m.zeros(2, 4)),
    lambda m: m.cross(m.zeros(3, 4), m.zeros(3, 4), dim=1),
]


@pytest.mark.parametrize('i', range(len(CROSS_ERRORS)))
def test_cross_errors(i):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        same_error(lambda: CROSS_ERRORS[i](numtorch), lambda: CROSS_ERRORS[i](torch))


# -- LU ----------------------------------------------------------------------------------
LU_SHAPES = [(4, 4), (3, 5), (5, 3), (2, 4, 4), (2, 1, 3, 4), (1, 1)]


@pytest.mark.parametrize('shape', LU_SHAPES)
def test_lu_factor_and_lu_match_torch(shape):
    a = _arr(*shape)
    _compare(lambda m, x: m.linalg.lu_factor(x), (a,))
    _compare(lambda m, x: m.linalg.lu_factor_ex(x), (a,))
    _compare(lambda m, x: m.linalg.lu(x), (a,))
    x = numtorch.tensor(a, requires_grad=True)
    assert gradcheck(lambda t: numtorch.linalg.lu(t)[1:], (x,))
    assert gradcheck(lambda t: numtorch.linalg.lu_factor(t).LU, (x,))


def test_lu_pivots_exact_and_single_outputs():
    # (a larger matrix with many row swaps: the pivots are LAPACK's, P L U exactly torch's)
    a = _arr(3, 12, 12)
    n, t = _both(lambda m, x: m.linalg.lu(x), a)
    for p, q in zip(n, t):
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-9, atol=1e-12)
    n, t = _both(lambda m, x: m.linalg.lu_factor(x).pivots, a)
    np.testing.assert_array_equal(n.numpy(), t.numpy())
    for out in (1, 2):   # gradient through L alone and U alone
        _compare(lambda m, x: m.linalg.lu(x)[out], (_arr(4, 4),))
        _compare(lambda m, x: m.linalg.lu(x)[out], (_arr(3, 5),))
        _compare(lambda m, x: m.linalg.lu(x)[out], (_arr(5, 3),))
    p = numtorch.linalg.lu(numtorch.tensor(a, requires_grad=True)).P
    assert p.grad_fn is None and not p.requires_grad


def test_lu_empty_singular_float32_and_unpack():
    for shape in ((0, 0), (2, 0, 3), (3, 0)):
        _compare(lambda m, x: m.linalg.lu_factor_ex(x), (np.zeros(shape),), grad=False)
        _compare(lambda m, x: m.linalg.lu(x), (np.zeros(shape),), grad=False)
    sing = np.array([[[1., 2, 3], [2, 4, 6], [1, 0, 1]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]]])
    _compare(lambda m, x: m.linalg.lu_factor_ex(x), (sing,), grad=False)
    n, t = _both(lambda m, x: m.linalg.lu_factor(x), _arr(4, 4).astype(np.float32))
    for p, q in zip(n, t):
        assert str(p.dtype) == str(q.dtype)
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-5, atol=1e-6)
    a = _arr(2, 4, 3)
    res = []
    for m in (numtorch, torch):
        lu_, piv = m.linalg.lu_factor(m.tensor(a))
        res.append(m.lu_unpack(lu_, piv))
        assert type(res[-1]).__name__ == 'lu_unpack'
    for p, q in zip(*res):
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-10, atol=1e-12)


LU_SOLVE_CASES = [((3, 3), (3, 2), True, False), ((3, 3), (3, 2), True, True),
                  ((3, 3), (2, 3), False, False), ((3, 3), (2, 3), False, True),
                  ((2, 4, 4), (2, 4, 1), True, False), ((2, 4, 4), (3, 2, 4, 2), True, True),
                  ((1, 3, 3), (2, 5, 3), False, False)]


@pytest.mark.parametrize('sa,sb,left,adjoint', LU_SOLVE_CASES)
def test_lu_solve_matches_torch(sa, sb, left, adjoint):
    def fn(m, a, b):
        lu_, piv = m.linalg.lu_factor(a)
        return m.linalg.lu_solve(lu_, piv, b, left=left, adjoint=adjoint)
    _compare(fn, (_arr(*sa), _arr(*sb)))
    lu_, piv = numtorch.linalg.lu_factor(numtorch.tensor(_arr(*sa)))
    ts = (lu_.requires_grad_(), numtorch.tensor(_arr(*sb), requires_grad=True))
    assert gradcheck(lambda x, b: numtorch.linalg.lu_solve(x, piv, b, left=left,
                                                           adjoint=adjoint), ts)


TRI_CASES = [((3, 3), (3, 2), True, True, False), ((3, 3), (3, 2), False, True, False),
             ((3, 3), (2, 3), True, False, False), ((3, 3), (2, 3), False, False, True),
             ((2, 4, 4), (4, 1), True, True, True), ((1, 3, 3), (2, 3, 2), False, True, False)]


@pytest.mark.parametrize('sa,sb,upper,left,unit', TRI_CASES)
def test_solve_triangular_matches_torch(sa, sb, upper, left, unit):
    a = _arr(*sa) + 3 * np.eye(sa[-1])
    _compare(lambda m, x, b: m.linalg.solve_triangular(x, b, upper=upper, left=left,
                                                       unitriangular=unit), (a, _arr(*sb)))
    ts = [numtorch.tensor(x, requires_grad=True) for x in (a, _arr(*sb))]
    assert gradcheck(lambda x, b: numtorch.linalg.solve_triangular(
        x, b, upper=upper, left=left, unitriangular=unit), ts)


@pytest.mark.parametrize('upper,transpose,unit', [(True, False, False), (False, True, False),
                                                  (True, True, True), (False, False, True)])
def test_triangular_solve_deprecated(upper, transpose, unit):
    a = _arr(2, 3, 3) + 3 * np.eye(3)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        _compare(lambda m, b, x: m.triangular_solve(b, x, upper, transpose, unit),
                 (_arr(2, 3, 2), a))
        _compare(lambda m, b, x: m.triangular_solve(b, x, upper, transpose, unit).solution,
                 (_arr(4, 1, 3, 2), a[:1]))
        ts = [numtorch.tensor(x, requires_grad=True) for x in (_arr(2, 3, 2), a)]
        assert gradcheck(lambda b, x: numtorch.triangular_solve(b, x, upper, transpose, unit),
                         ts)
        n, t = _both(lambda m, b, x: m.linalg.solve_triangular(x, b, upper=True),
                     np.ones((3, 2)), np.zeros((3, 3)))   # a zero diagonal: inf/nan, no error
        np.testing.assert_array_equal(n.numpy(), t.numpy())
    from numtorch import _tensor
    _tensor._warned.discard(numtorch._ops.lu._TRI_WARNING)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        numtorch.triangular_solve(numtorch.ones(3, 1), numtorch.eye(3))
        numtorch.triangular_solve(numtorch.ones(3, 1), numtorch.eye(3))
        torch.triangular_solve(torch.ones(3, 1), torch.eye(3))
    _one_warning(w, 'torch.triangular_solve is deprecated')


# -- the _ex functions -------------------------------------------------------------------
def _spd(*shape):
    a = _arr(*shape)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


def test_ex_functions_match_torch():
    for shape in ((3, 3), (2, 4, 4), (0, 0), (2, 0, 0)):
        a = _arr(*shape) + 2 * np.eye(shape[-1])
        grad = 0 not in shape
        _compare(lambda m, x: m.linalg.inv_ex(x), (a,), grad=grad)
        for upper in (False, True):
            _compare(lambda m, x: m.linalg.cholesky_ex(x, upper=upper), (_spd(*shape),),
                     grad=grad)
        _compare(lambda m, x, b: m.linalg.solve_ex(x, b), (a, _arr(*shape[:-1], 2)),
                 grad=grad)
    for sa, sb, left in (((3, 3), (3,), True), ((2, 3, 3), (2, 3), True),
                         ((3, 3), (2, 3), False), ((2, 3, 3), (4, 1, 5, 3), False),
                         ((1, 3, 3), (2, 3, 2), True)):
        _compare(lambda m, x, b: m.linalg.solve_ex(x, b, left=left), (_arr(*sa), _arr(*sb)))
        _compare(lambda m, x, b: m.linalg.solve(x, b, left=left), (_arr(*sa), _arr(*sb)))
        ts = [numtorch.tensor(_arr(*s), requires_grad=True) for s in (sa, sb)]
        assert gradcheck(lambda x, b: numtorch.linalg.solve_ex(x, b, left=left).result, ts)
    x = numtorch.tensor(_arr(2, 3, 3), requires_grad=True)
    assert gradcheck(lambda t: numtorch.linalg.inv_ex(t).inverse, (x,))
    s = numtorch.tensor(_spd(3, 3), requires_grad=True)
    assert gradcheck(lambda t: numtorch.linalg.cholesky_ex((t + t.mT) / 2).L, (s,))


def test_ex_functions_on_singular_and_indefinite_inputs():
    sing = np.array([[[1., 2, 3], [2, 4, 6], [1, 0, 1]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]],
                     [[2., 1, 0], [1, 3, 1], [0, 1, 4]]])
    indef = np.array([[[4., 2, 0], [2, 1, 3], [0, 3, 1]], [[-1, 0, 0], [0, -1, 0], [0, 0, -1]],
                      [[4., 2, 1], [2, 5, 3], [1, 3, -9]], [[2., 1, 0], [1, 3, 1], [0, 1, 4]]])
    # (the results where info > 0 are LAPACK's partial ones, inf/nan included)
    for fn, a in ((lambda m, x: m.linalg.inv_ex(x), sing),
                  (lambda m, x: m.linalg.solve_ex(x, m.ones(3, 3, 2, dtype=m.float64)), sing),
                  (lambda m, x: m.linalg.cholesky_ex(x), indef),
                  (lambda m, x: m.linalg.cholesky_ex(x, upper=True), indef)):
        n, t = _both(fn, a)
        for p, q in zip(n, t):
            np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-12, atol=1e-12)


EX_ERRORS = [
    lambda m: m.linalg.inv_ex(m.stack([m.eye(3), m.zeros(3, 3)]), check_errors=True),
    lambda m: m.linalg.inv_ex(m.zeros(3, 3), check_errors=True),
    lambda m: m.linalg.cholesky_ex(-m.eye(3).expand(2, 3, 3), check_errors=True),
    lambda m: m.linalg.solve_ex(m.zeros(3, 3), m.ones(3), check_errors=True),
    lambda m: m.linalg.solve_ex(m.stack([m.eye(3), m.zeros(3, 3)]), m.ones(3),
                                check_errors=True),
    lambda m: m.linalg.solve(m.zeros(3, 3), m.ones(3)),
    lambda m: m.linalg.lu_factor(m.zeros(3, 3)),
    lambda m: m.linalg.lu_factor(m.stack([m.eye(3), m.zeros(3, 3)])),
    lambda m: m.linalg.lu_factor_ex(m.stack([m.eye(3), m.zeros(3, 3)]), check_errors=True),
    lambda m: m.linalg.lu_factor(m.eye(3), pivot=False),
    lambda m: m.linalg.lu(m.eye(3), pivot=False),
    lambda m: m.linalg.lu_factor(m.ones(3)),
    lambda m: m.linalg.lu(m.ones(3)),
    lambda m: m.linalg.lu_factor(m.ones(3, 3, dtype=m.int64)),
    lambda m: m.linalg.lu(m.ones(3, 3, dtype=m.float16)),
    lambda m: m.linalg.inv_ex(m.ones(3, 2)),
    lambda m: m.linalg.inv_ex(m.ones(3)),
    lambda m: m.linalg.inv_ex(m.ones(3, 3, dtype=m.int64)),
    lambda m: m.linalg.cholesky_ex(m.ones(3, 2)),
    lambda m: m.linalg.cholesky_ex(m.ones(3, 3, dtype=m.int64)),
    lambda m: m.linalg.solve_ex(m.ones(3, 3), m.ones(2)),
    lambda m: m.linalg.solve(m.eye(3), m.ones(3), left=False),
    lambda m: m.linalg.solve(m.eye(3), m.ones(3, dtype=m.float64)),
    lambda m: m.linalg.solve(m.eye(3), m.ones(2, 3)),
    lambda m: m.linalg.solve(m.eye(3).expand(2, 3, 3), m.ones(4, 3)),
    lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(3)),
    lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(2, 2), upper=True),
    lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(3, 2), upper=True, left=False),
    lambda m: m.linalg.solve_triangular(m.ones(3, 2), m.ones(3, 2), upper=True),
    lambda m: m.linalg.solve_triangular(m.eye(3, dtype=m.int64), m.ones(3, 2, dtype=m.int64),
                                        upper=True),
    lambda m: m.linalg.solve_triangular(m.eye(3).expand(4, 3, 3), m.ones(2, 3, 2), upper=True),
    lambda m: m.triangular_solve(m.ones(3), m.eye(3)),
    lambda m: m.triangular_solve(m.ones(3, 2), m.eye(3, dtype=m.float64)),
    lambda m: m.triangular_solve(m.ones(2, 2), m.eye(3)),
]


@pytest.mark.parametrize('i', range(len(EX_ERRORS)))
def test_ex_and_lu_errors(i):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        same_error(lambda: EX_ERRORS[i](numtorch), lambda: EX_ERRORS[i](torch))


def test_lu_solve_errors():
    def call(m, i):
        lu_, piv = m.linalg.lu_factor(m.tensor(_A3))
        return [lambda: m.linalg.lu_solve(lu_, piv, m.ones(3)),
                lambda: m.linalg.lu_solve(lu_, piv, m.ones(2, 2)),
                lambda: m.linalg.lu_solve(lu_, piv, m.ones(3, 2), left=False),
                lambda: m.linalg.lu_solve(lu_, piv.long(), m.ones(3, 2, dtype=m.float64)),
                lambda: m.linalg.lu_solve(lu_, piv[:2], m.ones(3, 2, dtype=m.float64)),
                lambda: m.linalg.lu_solve(lu_, piv, m.ones(3, 2)),
                lambda: m.linalg.lu_solve(lu_[:, :2], piv, m.ones(3, 2, dtype=m.float64)),
                lambda: m.linalg.lu_solve(lu_.expand(2, 3, 3), piv,
                                          m.ones(3, 2, dtype=m.float64)),
                lambda: m.linalg.lu_solve(lu_, piv.expand(2, 3),
                                          m.ones(4, 3, 2, dtype=m.float64))][i]()
    for i in range(9):
        same_error(lambda: call(numtorch, i), lambda: call(torch, i))


_A3 = _arr(3, 3)


# -- matrix_exp --------------------------------------------------------------------------
@pytest.mark.parametrize('shape,scale', [((3, 3), 0.1), ((4, 4), 1.0), ((2, 3, 3), 3.0),
                                         ((1, 1), 20.0), ((5, 5), 0.001)])
def test_matrix_exp_matches_torch(shape, scale):
    a = scale * _arr(*shape)
    _compare(lambda m, x: m.linalg.matrix_exp(x), (a,), rtol=1e-9, atol=1e-9)
    _compare(lambda m, x: m.matrix_exp(x), (a,), rtol=1e-9, atol=1e-9)
    _compare(lambda m, x: x.matrix_exp(), (a,), rtol=1e-9, atol=1e-9)
    x = numtorch.tensor(a, requires_grad=True)
    assert gradcheck(numtorch.linalg.matrix_exp, (x,))


def test_matrix_exp_float32_empty_and_double_backward():
    a = (2 * _arr(2, 4, 4)).astype(np.float32)
    n, t = _both(lambda m, x: m.linalg.matrix_exp(x), a)
    assert n.dtype == numtorch.float32
    np.testing.assert_allclose(n.numpy(), t.numpy(), rtol=1e-5, atol=1e-5)
    _compare(lambda m, x: m.linalg.matrix_exp(x), (np.zeros((2, 0, 0)),), grad=False)
    b = _arr(3, 3)
    res = []
    for lib in (numtorch, torch):
        x = lib.tensor(b, requires_grad=True)
        g, = lib.autograd.grad(lib.linalg.matrix_exp(x).sin().sum(), x, create_graph=True)
        res.append(lib.autograd.grad(g.pow(2).sum(), x)[0].numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-9)


@pytest.mark.parametrize('i', range(3))
def test_matrix_exp_errors(i):
    cases = [lambda m: m.linalg.matrix_exp(m.ones(3)),
             lambda m: m.linalg.matrix_exp(m.ones(3, 2)),
             lambda m: m.linalg.matrix_exp(m.ones(3, 3, dtype=m.int64))]
    same_error(lambda: cases[i](numtorch), lambda: cases[i](torch))
