"""LU and triangular systems: linalg.lu_factor(_ex), linalg.lu, torch.lu_unpack,
linalg.lu_solve, linalg.solve_triangular, torch.triangular_solve, and the ``_ex`` forms of
inv, cholesky and solve (an ``info`` tensor instead of an error unless ``check_errors``).

NumPy has no LU, so ``_getrf`` factors with partial pivoting as LAPACK's getrf does (the first
largest |entry| of each column is the pivot; rows swapped across the whole matrix; 1-based
int32 pivots; info = the first zero pivot), vectorized over the batch with a loop over
columns: for well-conditioned inputs P, L and U are LAPACK's.

Backward formulas (A = P L U; gX the gradient of a solution X):
- lu (square): gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T; the wide and tall cases
  as PyTorch's linalg_lu_backward. lu_factor: the same with gL, gU read from gLU.
- solve_triangular A X = B: gB = A^-T gX (the other triangle), gA = -gB X^T masked to A's
  triangle (the strict one when unitriangular); X A = B: gB = gX A^-T, gA = -X^T gB.
- lu_solve: gB as for solve with A = P L U, and with gA = -gB X^T (its form for left/adjoint)
  the chain rule through A = P L U: gLU = tril(P^T gA U^T, -1) + triu(L^T P^T gA).
"""
from __future__ import annotations

import numpy as np

from .. import return_types as _rt
from .._tensor import Tensor, _wrap, _type_word
from ._op import Op, unbroadcast, broadcast_error, cast
from .decomposition import _LinAlgError, _square, Cholesky
from .linalg import Inverse

__all__ = ['lu_factor', 'lu_factor_ex', 'lu', 'lu_unpack', 'lu_solve', 'solve_triangular',
           'triangular_solve', 'inv_ex', 'cholesky_ex', 'solve_ex', 'solve']


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


# -- NumPy kernels -----------------------------------------------------------------------
def _getrf(a: np.ndarray):
    """(LU, pivots, info) of a (..., m, n) float array, as LAPACK's getrf."""
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    lu = a.reshape((int(np.prod(batch)), m, n)).copy()
    nb = lu.shape[0]
    piv = np.empty((nb, k), np.int32)
    info = np.zeros(nb, np.int32)
    rows = np.arange(nb)
    for j in range(k):
        p = np.abs(lu[:, j:, j]).argmax(1) + j          # (argmax: the first largest, as idamax)
        piv[:, j] = p + 1
        swap = p != j
        if swap.any():
            r = rows[swap]
            tmp = lu[r, j].copy()
            lu[r, j] = lu[r, p[swap]]
            lu[r, p[swap]] = tmp
        d = lu[:, j, j]
        zero = d == 0
        if zero.any():
            info[(info == 0) & zero] = j + 1
        with np.errstate(divide='ignore'):
            # NOTE: getrf scales by the reciprocal of the pivot, not by division; a zero pivot
            # has an all-zero column below it, which stays as it is
            scale = np.where(zero, 1, 1 / np.where(zero, 1, d)).astype(lu.dtype)
        lu[:, j + 1:, j] *= scale[:, None]
        if j + 1 < n:
            lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, j, None, j + 1:]
    return (lu.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch))


def _perm(piv: np.ndarray, m: int) -> np.ndarray:
    """The row order getrf's swaps give: row i of L U is row perm[i] of A."""
    batch = piv.shape[:-1]
    nb = int(np.prod(batch))
    p = np.broadcast_to(np.arange(m), (nb, m)).copy()
    pv = piv.reshape(nb, piv.shape[-1]).astype(np.int64) - 1
    rows = np.arange(p.shape[0])
    for j in range(pv.shape[1]):
        t = pv[:, j]
        a, b = p[rows, j].copy(), p[rows, t].copy()
        p[rows, j], p[rows, t] = b, a
    return p.reshape(batch + (m,))


def _perm_matrix(perm: np.ndarray, dtype) -> np.ndarray:
    """P with P[perm[i], i] = 1, so that A = P L U."""
    m = perm.shape[-1]
    return (perm[..., None, :] == np.arange(m)[:, None]).astype(dtype)


def _unpack(lu: np.ndarray):
    """(L, U) from packed LU: L (m, k) unit lower, U (k, n) upper."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    low = np.tril(lu[..., :, :k], -1)
    idx = np.arange(k)
    low[..., idx, idx] = 1
    return low, np.triu(lu[..., :k, :])


def _substitute(t: np.ndarray, b: np.ndarray, upper: bool, unit: bool) -> np.ndarray:
    """tri(t) X = b by substitution, row by row (gives LAPACK's inf/nan on a zero diagonal,
    where a factorization would raise)."""
    n = t.shape[-1]
    shape = np.broadcast_shapes(t.shape[:-2], b.shape[:-2]) + b.shape[-2:]
    x = np.zeros(shape, np.result_type(t, b))
    order = range(n - 1, -1, -1) if upper else range(n)
    with np.errstate(divide='ignore', invalid='ignore'):
        for i in order:
            sl = slice(i + 1, n) if upper else slice(0, i)
            acc = b[..., i, :] - np.einsum('...j,...jk->...k', t[..., i, sl], x[..., sl, :])
            x[..., i, :] = acc if unit else acc / t[..., i, i, None]
    return x


def _trsm(t: np.ndarray, b: np.ndarray, upper: bool, unit: bool = False) -> np.ndarray:
    """tri(t)^-1 b, reading only the triangle of t (its diagonal taken as 1 if ``unit``)."""
    tri = np.triu(t) if upper else np.tril(t)
    if unit:
        idx = np.arange(t.shape[-1])
        tri[..., idx, idx] = 1
    try:
        return np.linalg.solve(tri, b)
    except np.linalg.LinAlgError:
        return _substitute(tri, b, upper, unit)


def _rows(x: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """P^T x: row i is row perm[i] of x (batches broadcast)."""
    batch = np.broadcast_shapes(x.shape[:-2], perm.shape[:-1])
    idx = np.broadcast_to(perm[..., None], batch + (perm.shape[-1], 1))
    return np.take_along_axis(np.broadcast_to(x, batch + x.shape[-2:]), idx, -2)


def _getrs(lu: np.ndarray, piv: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A^-1 b with A = P L U given by getrf's LU and pivots."""
    pb = _rows(b, _perm(piv, lu.shape[-1]))
    y = _trsm(lu, pb, upper=False, unit=True)
    return _trsm(lu, y, upper=True)


def _solve_info(a: np.ndarray, b: np.ndarray):
    """(A^-1 b, info): NumPy's solver where every matrix is invertible, else LU and
    substitution (inf/nan as LAPACK gives them, with getrf's info)."""
    try:
        x = np.linalg.solve(a, b)
        return x, np.zeros(a.shape[:-2], np.int32)
    except np.linalg.LinAlgError:
        lu_, piv, info = _getrf(a)
        return _getrs(lu_, piv, b).astype(a.dtype, copy=False), info


def _check(name: str, info: np.ndarray, msg, error: type = _LinAlgError) -> None:
    """Raises ``error`` for the first nonzero info, as PyTorch's _linalg_check_errors (whose
    LU message is a plain RuntimeError)."""
    bad = np.flatnonzero(info.reshape(-1))
    if bad.size:
        i = int(bad[0])
        pre = '' if info.ndim == 0 else f'(Batch element {i}): '
        raise error(f'{name}: {pre}{msg(int(info.reshape(-1)[i]))}')


def _int32(info: np.ndarray) -> Tensor:
    return _wrap(np.asarray(info, np.int32))


# -- lu_factor / lu ----------------------------------------------------------------------
def _lu_backward(p, low, up, gl, gu):
    """gA for A = P L U (PyTorch's linalg_lu_backward, real case)."""
    m, n = low.shape[-2], up.shape[-1]
    k = min(m, n)
    if m == n:
        g = np.tril(_mT(low) @ gl, -1) + np.triu(gu @ _mT(up))
        g = _mT(_trsm(up, _mT(g), upper=True))                  # g U^-T
        g = _trsm(_mT(low), g, upper=True, unit=True)            # L^-T g
        return p @ g
    if m < n:
        u1 = up[..., :k]
        g = _mT(low) @ gl - np.triu(gu) @ _mT(up)
        g = _mT(_trsm(u1, _mT(np.tril(g, -1)), upper=True))
        g = np.concatenate([g + np.triu(gu[..., :k]), gu[..., k:]], -1)
        return p @ _trsm(_mT(low), g, upper=True, unit=True)
    l1 = low[..., :k, :]
    g = gu @ _mT(up) - _mT(low) @ np.tril(gl, -1)
    g = _trsm(_mT(l1), np.triu(g), upper=True, unit=True)
    g = np.concatenate([g + np.tril(gl[..., :k, :], -1), gl[..., k:, :]], -2)
    return p @ _mT(_trsm(up, _mT(g), upper=True))


class LuFactor(Op):
    _name = 'LinalgLuFactorExBackward0'

    def forward(self, a):
        lu_, piv, info = _getrf(a)
        self.saved = (lu_, piv)
        return lu_, piv, info

    def backward(self, g, gpiv=None, ginfo=None):
        lu_, piv = self.saved
        m, n = lu_.shape[-2:]
        k = min(m, n)
        low, up = _unpack(lu_)
        p = _perm_matrix(_perm(piv, m), lu_.dtype)
        return _lu_backward(p, low, up, g[..., :k], g[..., :k, :])


def _lu_input(name: str, A: Tensor, pivot: bool) -> None:
    if A.dim() < 2:
        raise RuntimeError(f'{name}: Expected tensor with 2 or more dimensions. Got size: '
                           f'{list(A.shape)} instead')
    if A._data.dtype.kind != 'f' or A._data.dtype == np.float16:
        raise NotImplementedError(f'"lu_cpu" not implemented for \'{_type_word(A._data.dtype)}\'')
    if not pivot:
        raise RuntimeError('linalg.lu_factor: LU without pivoting is not implemented on the CPU')


_LU_MSG = ('U[{0},{0}] is zero and using it on lu_solve would result in a division by zero. '
           'If you still want to perform the factorization, consider calling linalg.lu(A, '
           'pivot) or linalg.lu_factor_ex(A, pivot)')


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False, out=None):
    """(LU, pivots, info): A = P L U packed as getrf packs it (L's unit diagonal implied),
    1-based int32 row swaps, and info > 0 where U has a zero on its diagonal."""
    if out is not None:
        raise NotImplementedError('linalg.lu_factor_ex(out=...) is not supported by numtorch')
    _lu_input('torch.lu_factor', A, pivot)
    lu_, piv, info = LuFactor().apply(A)
    if check_errors:
        _check('torch.linalg.lu_factor_ex', info._data, _LU_MSG.format, RuntimeError)
    return _rt.linalg_lu_factor_ex(lu_, piv, info)


def lu_factor(A: Tensor, *, pivot: bool = True, out=None):
    """(LU, pivots) of A (see lu_factor_ex); a zero on U's diagonal is an error."""
    if out is not None:
        raise NotImplementedError('linalg.lu_factor(out=...) is not supported by numtorch')
    _lu_input('torch.lu_factor', A, pivot)
    lu_, piv, info = LuFactor().apply(A)
    _check('torch.linalg.lu_factor', info._data, _LU_MSG.format, RuntimeError)
    return _rt.linalg_lu_factor(lu_, piv)


class Lu(Op):
    """(L, U) of A = P L U; P is computed with them but is not differentiable."""
    _name = 'LinalgLuBackward0'

    def forward(self, a):
        lu_, piv, _ = _getrf(a)
        low, up = _unpack(lu_)
        self.p = _perm_matrix(_perm(piv, a.shape[-2]), a.dtype)
        self.saved = (low, up)
        return low, up

    def backward(self, gl, gu):
        low, up = self.saved
        return _lu_backward(self.p, low, up, gl, gu)


def lu(A: Tensor, *, pivot: bool = True, out=None):
    """(P, L, U) with A = P L U: P a permutation matrix, L (m, k) unit lower-triangular,
    U (k, n) upper-triangular, k = min(m, n), as LAPACK's partial pivoting finds them."""
    if out is not None:
        raise NotImplementedError('linalg.lu(out=...) is not supported by numtorch')
    _lu_input('linalg.lu', A, pivot)
    op = Lu()
    low, up = op.apply(A)
    return _rt.linalg_lu(_wrap(op.p), low, up)


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True,
              unpack_pivots: bool = True, *, out=None):
    """(P, L, U) from lu_factor's packed LU and pivots (empty tensors for the parts not
    asked for). Not differentiable in numtorch."""
    if out is not None:
        raise NotImplementedError('torch.lu_unpack(out=...) is not supported by numtorch')
    if LU_data.requires_grad:
        raise NotImplementedError('the gradient of torch.lu_unpack is not supported by '
                                  'numtorch; use torch.linalg.lu')
    lu_ = LU_data._data
    empty = np.zeros(0, lu_.dtype)
    low, up = _unpack(lu_) if unpack_data else (empty, empty)
    p = (_perm_matrix(_perm(LU_pivots._data, lu_.shape[-2]), lu_.dtype) if unpack_pivots
         else empty)
    return _rt.lu_unpack(_wrap(p), _wrap(low), _wrap(up))


# -- lu_solve ----------------------------------------------------------------------------
class LuSolve(Op):
    _name = 'LinalgLuSolveBackward0'
    checks = (0, 1)

    def __init__(self, piv: np.ndarray, left: bool, adjoint: bool):
        self.piv, self.left, self.adjoint = piv, left, adjoint

    def _solve(self, lu_, b, adjoint):
        """op(A)^-1 b with op(A) = A or A^T, for A = P L U."""
        if not adjoint:
            return _getrs(lu_, self.piv, b)
        # A^T x = b: U^T L^T P^T x = b
        y = _trsm(_mT(lu_), b, upper=False)
        y = _trsm(_mT(lu_), y, upper=True, unit=True)
        perm = _perm(self.piv, lu_.shape[-1])
        x = np.empty(np.broadcast_shapes(y.shape[:-2], perm.shape[:-1]) + y.shape[-2:],
                     y.dtype)
        np.put_along_axis(x, np.broadcast_to(perm[..., None], x.shape[:-1] + (1,)),
                          np.broadcast_to(y, x.shape), -2)
        return x

    def forward(self, lu_, b):
        if self.left:
            x = self._solve(lu_, b, self.adjoint)
        else:   # X A = B  <=>  A^T X^T = B^T
            x = _mT(self._solve(lu_, _mT(b), not self.adjoint))
        x = x.astype(lu_.dtype, copy=False)
        self.saved = (lu_, x)
        self.shapes = (lu_.shape, b.shape)
        return x

    def backward(self, gx):
        lu_, x = self.saved
        left, adj = self.left, self.adjoint
        if left:
            gb = self._solve(lu_, gx, not adj)
            ga = -(x @ _mT(gb)) if adj else -(gb @ _mT(x))
        else:
            gb = _mT(self._solve(lu_, _mT(gx), adj))
            ga = -(_mT(gb) @ x) if adj else -(_mT(x) @ gb)
        glu = None
        if self.needs[0]:
            low, up = _unpack(lu_)
            perm = _perm(self.piv, lu_.shape[-1])
            pga = _rows(ga, perm)
            glu = unbroadcast(np.tril(pga @ _mT(up), -1) + np.triu(_mT(low) @ pga),
                              self.shapes[0])
        return glu, unbroadcast(gb, self.shapes[1]) if self.needs[1] else None


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,
             adjoint: bool = False, out=None) -> Tensor:
    """X with A X = B (or X A = B if not ``left``; A^T in place of A if ``adjoint``) for
    A given by lu_factor's LU and pivots (batches broadcast)."""
    if out is not None:
        raise NotImplementedError('linalg.lu_solve(out=...) is not supported by numtorch')
    if LU._data.dtype != B._data.dtype:
        raise RuntimeError(f'linalg.lu_solve: Expected LU and B to have the same dtype, but '
                           f'found LU of type {_type_word(LU._data.dtype)} and B of type '
                           f'{_type_word(B._data.dtype)} instead')
    if pivots._data.dtype != np.int32:
        raise RuntimeError('linalg.lu_solve: pivots should be a Tensor of scalar type '
                           'torch.int32')
    if LU.dim() < 2:
        raise RuntimeError('linalg.lu_solve: The input tensor A must have at least 2 '
                           'dimensions.')
    if B.dim() < 2:
        raise RuntimeError('linalg.lu_solve: The input tensor B must have at least 2 '
                           'dimensions.')
    n = LU.shape[-1]
    if LU.shape[-2] != n:
        raise RuntimeError(f'torch.linalg.lu_solve: A must be batches of square matrices, but '
                           f'they are {LU.shape[-2]} by {n} matrices')
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f'linalg.lu_solve: Incompatible shapes of A and B for the equation '
                           f'{"AX = B" if left else "XA = B"} ({n}x{n} and '
                           f'{B.shape[-2]}x{B.shape[-1]})')
    if tuple(pivots.shape) != tuple(LU.shape[:-1]):
        if pivots.dim() == LU.dim() - 1 and pivots.shape[-1] != n:
            raise RuntimeError('linalg.lu_solve: Number of pivots per batch should be same as '
                               'the dimension of the matrix')
        raise RuntimeError(f'linalg.lu_solve: Expected LU.shape[:-1] and pivots.shape to be '
                           f'the same, but got pivots with shape {list(pivots.shape)} instead')
    if LU.shape[:-2] != B.shape[:-2]:
        try:
            np.broadcast_shapes(tuple(LU.shape[:-2]), tuple(B.shape[:-2]))
        except ValueError:
            broadcast_error(LU.shape[:-2], B.shape[:-2])
    return LuSolve(pivots._data, left, adjoint).apply2(LU, B)


# -- triangular solves -------------------------------------------------------------------
def _tri_mask(g: np.ndarray, upper: bool, unit: bool) -> np.ndarray:
    return np.triu(g, int(unit)) if upper else np.tril(g, -int(unit))


class SolveTriangular(Op):
    _name = 'LinalgSolveTriangularBackward0'
    checks = (0,)
    saves_out = True

    def __init__(self, upper: bool, left: bool, unit: bool):
        self.upper, self.left, self.unit = upper, left, unit

    def _solve(self, a, b, upper):
        if self.left:
            return _trsm(a, b, upper, self.unit)
        return _mT(_trsm(_mT(a), _mT(b), not upper, self.unit))

    def forward(self, a, b):
        x = self._solve(a, b, self.upper).astype(a.dtype, copy=False)
        self.saved = (a, x)
        self.shapes = (a.shape, b.shape)
        return x

    def backward(self, gx):
        a, x = self.saved
        gb = self._solve(_mT(a), gx, not self.upper)
        ga = None
        if self.needs[0]:
            ga = -(gb @ _mT(x)) if self.left else -(_mT(x) @ gb)
            ga = unbroadcast(_tri_mask(ga, self.upper, self.unit), self.shapes[0])
        return ga, unbroadcast(gb, self.shapes[1]) if self.needs[1] else None


def _tri_input(A: Tensor, B: Tensor, left: bool) -> None:
    name = 'linalg.solve_triangular'
    if A.dim() < 2:
        raise RuntimeError(f'{name}: The input tensor A must have at least 2 dimensions.')
    if B.dim() < 2:
        raise RuntimeError(f'{name}: The input tensor B must have at least 2 dimensions.')
    n = A.shape[-1]
    if A.shape[-2] != n:
        raise RuntimeError(f'{name}: A must be batches of square matrices, but they are '
                           f'{A.shape[-2]} by {n} matrices')
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f'{name}: Incompatible shapes of A and B for the equation '
                           f'{"AX = B" if left else "XA = B"} ({n}x{n} and '
                           f'{B.shape[-2]}x{B.shape[-1]})')
    if A._data.dtype.kind != 'f' or A._data.dtype == np.float16:
        raise NotImplementedError(f'"triangular_solve_cpu" not implemented for '
                                  f'\'{_type_word(A._data.dtype)}\'')
    if A.shape[:-2] != B.shape[:-2]:
        try:
            np.broadcast_shapes(tuple(A.shape[:-2]), tuple(B.shape[:-2]))
        except ValueError:
            broadcast_error(B.shape[:-2], A.shape[:-2])


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool = None, left: bool = True,
                     unitriangular: bool = False, out=None) -> Tensor:
    """X with A X = B (X A = B if not ``left``) for A upper- or lower-triangular: only that
    triangle of A is read, and its diagonal is taken as ones if ``unitriangular``.
    ``upper`` is required."""
    if upper is None:
        raise TypeError('linalg_solve_triangular() missing 1 required positional arguments: '
                        '"upper"')
    if out is not None:
        raise NotImplementedError('linalg.solve_triangular(out=...) is not supported by '
                                  'numtorch')
    _tri_input(A, B, left)
    # (PyTorch computes in A's dtype)
    return SolveTriangular(upper, left, unitriangular).apply2(A, cast(B, A._data.dtype))


class TriangularSolve(Op):
    _name = 'TriangularSolveBackward0'
    checks = (0,)

    def __init__(self, upper: bool, transpose: bool, unit: bool):
        self.upper, self.transpose, self.unit = upper, transpose, unit

    def forward(self, b, a):
        t = _mT(a) if self.transpose else a
        x = _trsm(t, b, self.upper != self.transpose, self.unit).astype(a.dtype, copy=False)
        self.saved = (a, x)
        self.shapes = (b.shape, a.shape)
        batch = x.shape[:-2]
        return x, np.broadcast_to(a, batch + a.shape[-2:]).copy()

    def backward(self, gx, gm):
        a, x = self.saved
        t = a if self.transpose else _mT(a)      # the transpose of op(A)
        gb = _trsm(t, gx, self.upper == self.transpose, self.unit)
        ga = None
        if self.needs[1]:
            ga = -(x @ _mT(gb)) if self.transpose else -(gb @ _mT(x))
            ga = unbroadcast(_tri_mask(ga, self.upper, self.unit) + gm, self.shapes[1])
        return unbroadcast(gb, self.shapes[0]) if self.needs[0] else None, ga


_TRI_WARNING = ('torch.triangular_solve is deprecated in favor of '
                'torch.linalg.solve_triangularand will be removed in a future PyTorch '
                'release.\ntorch.linalg.solve_triangular has its arguments reversed and does not '
                'return a copy of one of the inputs.\nX = torch.triangular_solve(B, A).solution\n'
                'should be replaced with\nX = torch.linalg.solve_triangular(A, B).')


def triangular_solve(b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False, *, out=None):
    """Deprecated (warned once): (X, a copy of A) with op(A) X = b, op(A) = A or A^T, A
    upper- (or lower-) triangular."""
    if out is not None:
        raise NotImplementedError('torch.triangular_solve(out=...) is not supported by numtorch')
    from .._tensor import _warn_once
    _warn_once(_TRI_WARNING)
    if b.dim() < 2:
        raise RuntimeError(f'torch.triangular_solve: Expected b to have at least 2 dimensions, '
                           f'but it has {b.dim()} dimensions instead')
    if A.dim() < 2:
        raise RuntimeError(f'torch.triangular_solve: Expected A to have at least 2 dimensions, '
                           f'but it has {A.dim()} dimensions instead')
    if b._data.dtype != A._data.dtype:
        raise RuntimeError(f'Expected b and A to have the same dtype, but found b of type '
                           f'{_type_word(b._data.dtype)} and A of type '
                           f'{_type_word(A._data.dtype)} instead.')
    if A.shape[-1] != A.shape[-2] or A.shape[-1] != b.shape[-2]:
        raise RuntimeError(f'Incompatible matrix sizes for triangular_solve: each A matrix is '
                           f'{A.shape[-2]} by {A.shape[-1]} but each b matrix is '
                           f'{b.shape[-2]} by {b.shape[-1]}')
    _tri_input(A, b, True)
    x, m = TriangularSolve(upper, transpose, unitriangular).apply(b, A)
    return _rt.triangular_solve(x, m)


# -- the _ex functions -------------------------------------------------------------------
class InvEx(Inverse):
    """linalg.inv_ex: Inverse's node, with no error for singular inputs."""

    def forward(self, a):
        n = a.shape[-1]
        y, self.info = _solve_info(a, np.broadcast_to(np.eye(n, dtype=a.dtype), a.shape))
        y = y.astype(a.dtype, copy=False)
        self.saved = y
        return y


def inv_ex(A: Tensor, *, check_errors: bool = False, out=None):
    """(inverse, info): info > 0 where A is singular (the inverse is then not valid, unless
    ``check_errors``, which raises)."""
    if out is not None:
        raise NotImplementedError('linalg.inv_ex(out=...) is not supported by numtorch')
    _square('linalg.inv', A)
    op = InvEx()
    y = op.apply1(A)
    if check_errors:
        _check('linalg.inv_ex', op.info, lambda i: f'The diagonal element {i} is zero, the '
               'inversion could not be completed because the input matrix is singular.')
    return _rt.linalg_inv_ex(y, _int32(op.info))


def _potrf2(a: np.ndarray) -> int:
    """LAPACK's recursive potrf2 on the lower triangle of one matrix, in place: its info and
    the partial factor it leaves when A is not positive definite."""
    n = a.shape[0]
    if n == 1:
        if not a[0, 0] > 0:
            return 1
        a[0, 0] = np.sqrt(a[0, 0])
        return 0
    n1 = n // 2
    info = _potrf2(a[:n1, :n1])
    if info:
        return info
    a[n1:, :n1] = _mT(_trsm(a[:n1, :n1], _mT(a[n1:, :n1]), upper=False))
    a[n1:, n1:] -= a[n1:, :n1] @ _mT(a[n1:, :n1])
    info = _potrf2(a[n1:, n1:])
    return info + n1 if info else 0


class CholeskyEx(Cholesky):
    """linalg.cholesky_ex: Cholesky's node, with no error for indefinite inputs."""

    def forward(self, a):
        try:
            low = np.linalg.cholesky(a)
            self.info = np.zeros(a.shape[:-2], np.int32)
        except np.linalg.LinAlgError:
            flat = a.reshape(-1, *a.shape[-2:])
            out = np.empty_like(flat)
            info = np.zeros(flat.shape[0], np.int32)
            for i, m in enumerate(flat):
                try:
                    out[i] = np.linalg.cholesky(m)
                except np.linalg.LinAlgError:
                    w = m.copy()
                    info[i] = _potrf2(w)
                    out[i] = np.tril(w)
            low = out.reshape(a.shape)
            self.info = info.reshape(a.shape[:-2])
        self.saved = low
        return _mT(low).copy() if self.upper else low


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False, out=None):
    """(L, info): info > 0 where A is not positive definite (the order of the first leading
    minor that is not), and L then the partial factor LAPACK leaves."""
    if out is not None:
        raise NotImplementedError('linalg.cholesky_ex(out=...) is not supported by numtorch')
    _square('linalg.cholesky', A)
    op = CholeskyEx(upper)
    low = op.apply1(A)
    if check_errors:
        _check('linalg.cholesky_ex', op.info, lambda i: 'The factorization could not be '
               'completed because the input is not positive-definite (the leading minor of '
               f'order {i} is not positive-definite).')
    return _rt.linalg_cholesky_ex(low, _int32(op.info))


class SolveEx(Op):
    _name = 'LinalgSolveExBackward0'
    checks = (0,)
    saves_out = True

    def __init__(self, vector: bool, left: bool):
        self.vector, self.left = vector, left

    def forward(self, a, b):
        bb = b[..., None] if self.vector else b
        if self.left:
            x, self.info = _solve_info(a, bb)
        else:   # X A = B  <=>  A^T X^T = B^T
            x, self.info = _solve_info(_mT(a), _mT(bb))
            x = _mT(x)
        x = x.astype(a.dtype, copy=False)
        self.saved = (a, x)
        self.shapes = (a.shape, b.shape)
        return x[..., 0] if self.vector else x

    def backward(self, gx):
        a, x = self.saved
        g = gx[..., None] if self.vector else gx
        if self.left:
            gb = np.linalg.solve(_mT(a), g)
            ga = -(gb @ _mT(x))
        else:
            gb = _mT(np.linalg.solve(a, _mT(g)))
            ga = -(_mT(x) @ gb)
        gb = gb[..., 0] if self.vector else gb
        return unbroadcast(ga, self.shapes[0]), unbroadcast(gb, self.shapes[1])


def _solve(name: str, A: Tensor, B: Tensor, left: bool, check_errors: bool):
    _square('linalg.solve', A)
    n = A.shape[-1]
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    if not vector and B.dim() < 2:
        raise RuntimeError('linalg.solve: The input tensor B must have at least 2 dimensions.')
    rows, cols = (B.shape[-1], 1) if vector else tuple(B.shape[-2:])
    if (rows if left else cols) != n:
        raise RuntimeError(f'linalg.solve: Incompatible shapes of A and B for the equation '
                           f'{"AX = B" if left else "XA = B"} ({n}x{n} and {rows}x{cols})')
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f'linalg.solve: Expected A and B to have the same dtype, but found A '
                           f'of type {_type_word(A._data.dtype)} and B of type '
                           f'{_type_word(B._data.dtype)} instead')
    op = SolveEx(vector, left)
    x = op.apply2(A, B)
    if check_errors:
        _check(name, op.info, lambda i: 'The solver failed because the input matrix is '
               'singular.')
    return x, _int32(op.info)


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False,
             out=None):
    """(result, info): the solution of A X = B (X A = B if not ``left``) and info > 0
    where A is singular (result then not valid)."""
    if out is not None:
        raise NotImplementedError('linalg.solve_ex(out=...) is not supported by numtorch')
    return _rt.linalg_solve_ex(*_solve('torch.linalg.solve_ex', A, B, left, check_errors))


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """X with A X = B (X A = B if not ``left``); A square (batches broadcast), B a matrix
    or a vector; LinAlgError if A is singular."""
    if out is not None:
        raise NotImplementedError('linalg.solve(out=...) is not supported by numtorch')
    return _solve('torch.linalg.solve', A, B, left, True)[0]
