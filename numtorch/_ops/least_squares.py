"""Least squares and the pseudo-inverse: linalg.lstsq, linalg.pinv (and torch.pinverse),
linalg.matrix_rank; lstsq and pinv are one graph node each with PyTorch's gradients.

Backward formulas (A+ the pseudo-inverse, G the gradient of A+):
- pinv (the Golub-Pereyra derivative, valid where the rank does not change):
  gA = -A+^T G A+^T + (I - A A+) G^T A+ A+^T + A+^T A+ G^T (I - A+ A).
- lstsq: the solution is A+ B, so gB = A+^T gX and A gets the pinv gradient of gX B^T;
  the residuals r = |A X - B|^2 (per column, at the optimum) add 2 (A X - B) diag(gr) X^T
  to gA and -2 (A X - B) diag(gr) to gB.
"""
from __future__ import annotations

import numpy as np

from .. import return_types as _rt
from .._tensor import Tensor, _wrap
from ._op import Op, unbroadcast, broadcast_error

__all__ = ['lstsq', 'pinv', 'pinverse', 'matrix_rank', 'lstsq_removed', 'matrix_rank_removed']

_DRIVERS = ('gels', 'gelsy', 'gelsd', 'gelss')


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _svd(a: np.ndarray):
    """Reduced SVD of a batch of matrices, including empty ones."""
    if a.size == 0:
        m, n = a.shape[-2:]
        k = min(m, n)
        bs = a.shape[:-2]
        return (np.zeros(bs + (m, k), a.dtype), np.zeros(bs + (k,), a.dtype),
                np.zeros(bs + (k, n), a.dtype))
    return np.linalg.svd(a, full_matrices=False)


def _default_rtol(a: np.ndarray) -> float:
    return float(np.finfo(a.dtype).eps) * max(a.shape[-2], a.shape[-1])


def _tolerances(a: np.ndarray, atol, rtol):
    """PyTorch's (atol, rtol): atol 0 if not given; rtol eps * max(m, n) if not given,
    unless atol is given and positive (then 0). Tensors broadcast against the batch."""
    def arr(t):
        return t._data.astype(np.float64) if isinstance(t, Tensor) else np.float64(t)
    at = np.float64(0) if atol is None else arr(atol)
    if rtol is not None:
        rt = arr(rtol)
    elif atol is None:
        rt = np.float64(_default_rtol(a))
    else:
        rt = np.where(at > 0, 0.0, _default_rtol(a))
    return at, rt


def _cutoff(at, rt, s_max):
    """max(atol, rtol * max singular value), shaped to compare with a (..., k) array."""
    return np.maximum(np.expand_dims(at, -1), np.expand_dims(rt, -1) * s_max)


def _pinv_backward(g: np.ndarray, p: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The gradient of A given G, the gradient of P = pinv(A)."""
    pt, gt = _mT(p), _mT(g)
    eye_m = np.eye(a.shape[-2], dtype=a.dtype)
    eye_n = np.eye(a.shape[-1], dtype=a.dtype)
    return (-pt @ g @ pt + (eye_m - a @ p) @ gt @ (p @ pt)
            + (pt @ p) @ gt @ (eye_n - p @ a))


class Pinv(Op):
    _name = 'LinalgPinvBackward0'
    checks = (0,)

    def __init__(self, atol, rtol, hermitian: bool):
        self.atol, self.rtol, self.hermitian = atol, rtol, hermitian

    def forward(self, a):
        p = _pinv(a, self.atol, self.rtol, self.hermitian)
        self.saved = (a, p)
        return p

    def backward(self, g):
        a, p = self.saved
        return _pinv_backward(g, p, a)


def _pinv(a: np.ndarray, atol, rtol, hermitian: bool) -> np.ndarray:
    if a.size == 0:
        return np.zeros(a.shape[:-2] + (a.shape[-1], a.shape[-2]), a.dtype)
    at, rt = _tolerances(a, atol, rtol)
    if hermitian:
        w, u = np.linalg.eigh(a)
        aw = np.abs(w)
        tol = _cutoff(at, rt, aw.max(-1, keepdims=True))
        with np.errstate(divide='ignore'):
            winv = np.where(aw > tol, 1 / w, 0)
        return ((u * winv[..., None, :]) @ _mT(u)).astype(a.dtype, copy=False)
    u, s, vh = _svd(a)
    tol = _cutoff(at, rt, s[..., :1])
    with np.errstate(divide='ignore'):
        sinv = np.where(s > tol, 1 / s, 0)
    return ((_mT(vh) * sinv[..., None, :]) @ _mT(u)).astype(a.dtype, copy=False)


def pinv(A: Tensor, rcond=None, hermitian: bool = False, *, atol=None, rtol=None,
         out=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse, from the SVD (or, with ``hermitian``, from the
    eigen-decomposition of the lower triangle): singular values at or below
    max(atol, rtol * largest) count as zero. ``rcond`` (the older positional name) is rtol."""
    if out is not None:
        raise NotImplementedError('linalg.pinv(out=...) is not supported by numtorch')
    d = A._data
    if d.dtype.kind != 'f' or d.dtype == np.float16 or d.ndim < 2:
        raise RuntimeError(f'linalg.pinv({A.type()[6:-6]}{{{list(A.shape)}}}): expected a tensor '
                           'with 2 or more dimensions of float, double, cfloat or cdouble types')
    if rcond is not None:
        if atol is not None or rtol is not None:
            raise TypeError('linalg.pinv: rcond cannot be combined with atol or rtol')
        atol, rtol = 0.0, rcond
    return Pinv(atol, rtol, hermitian).apply1(A)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """``torch.pinverse``: linalg.pinv with relative tolerance ``rcond``."""
    return pinv(input, atol=0.0, rtol=rcond)


def matrix_rank(A: Tensor, tol=None, hermitian: bool = False, *, atol=None, rtol=None,
                out=None) -> Tensor:
    """The number of singular values (absolute eigenvalues with ``hermitian``) above
    max(atol, rtol * the largest), as int64; ``tol`` (deprecated) is atol with rtol 0."""
    if out is not None:
        raise NotImplementedError('linalg.matrix_rank(out=...) is not supported by numtorch')
    if tol is not None:
        if atol is not None or rtol is not None:
            raise TypeError('linalg_matrix_rank() received an invalid combination of '
                            'arguments: tol cannot be combined with atol or rtol')
        atol, rtol = tol, 0.0
    d = A._data
    if d.dtype.kind != 'f' or d.dtype == np.float16:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if d.ndim < 2:
        raise RuntimeError('torch.linalg.matrix_rank: The input tensor input must have at least '
                           '2 dimensions.')
    at, rt = _tolerances(d, atol, rtol)
    if d.size == 0:
        shape = np.broadcast_shapes(d.shape[:-2], np.shape(at), np.shape(rt))
        return _wrap(np.zeros(shape, np.int64))
    if hermitian:
        s = np.abs(np.linalg.eigvalsh(d))
        s_max = s.max(-1, keepdims=True)
    else:
        s = np.linalg.svd(d, compute_uv=False)
        s_max = s[..., :1]
    return _wrap((s > _cutoff(at, rt, s_max)).sum(-1).astype(np.int64))


class Lstsq(Op):
    """(solution, residuals) of min |A X - B|; rank and singular values are set aside on
    the op (not differentiable)."""
    _name = 'LinalgLstsqBackward0'
    checks = (0, 1)

    def __init__(self, rcond, driver: str, vector: bool):
        self.rcond, self.driver, self.vector = rcond, driver, vector

    def forward(self, a, b):
        bb = b[..., None] if self.vector else b
        m, n = a.shape[-2:]
        bs = np.broadcast_shapes(a.shape[:-2], bb.shape[:-2])
        k = bb.shape[-1]
        if self.driver == 'gels':
            x, res = _gels(a, bb)
            self.rank = np.zeros(0, np.int64)
            self.sv = np.zeros(0, a.dtype)
        else:
            u, s, vh = _svd(a)
            rc = _default_rtol(a) if self.rcond is None else self.rcond
            rc = np.finfo(a.dtype).eps if rc < 0 else rc
            keep = s > rc * s[..., :1]
            rank = keep.sum(-1).astype(np.int64)
            sinv = np.where(keep, 1 / np.where(keep, s, 1), 0)
            x = (_mT(vh) * sinv[..., None, :]) @ (_mT(u) @ bb)
            x = np.broadcast_to(x, bs + (n, k)).astype(a.dtype)
            self.rank = rank
            self.sv = s.astype(a.dtype) if self.driver != 'gelsy' else np.zeros(0, a.dtype)
            res = None
            if m > n and self.driver != 'gelsy' and (rank == n).all():
                res = np.square(a @ x - bb).sum(-2)
        if res is None:
            res = np.zeros(0, a.dtype)
        res = res.astype(a.dtype, copy=False)
        self.saved = (a, bb, x)
        self.has_res = res.size > 0
        return (x[..., 0] if self.vector else x), res

    def backward(self, gx, gres):
        a, b, x = self.saved
        g = gx[..., None] if self.vector else gx
        p = np.linalg.pinv(a) if a.size else np.zeros(a.shape[:-2] + a.shape[:-3:-1], a.dtype)
        n = self.needs
        ga = _pinv_backward(g @ _mT(b), p, a) if n[0] else None
        gb = _mT(p) @ g if n[1] else None
        if self.has_res:
            r = (a @ x - b) * (2 * gres[..., None, :])
            if n[0]:
                ga = ga + r @ _mT(x)
            if n[1]:
                gb = gb - r
        if gb is not None:
            gb = unbroadcast(gb, b.shape)
            if self.vector:
                gb = gb[..., 0]
        return (None if ga is None else unbroadcast(ga, a.shape)), gb


def _gels(a: np.ndarray, b: np.ndarray):
    """LAPACK gels: least squares by QR for full-rank A (m >= n), the minimum-norm
    solution through the QR of A^T otherwise; residuals for m > n."""
    m, n = a.shape[-2:]
    bs = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    k = b.shape[-1]
    if a.size == 0 or not a.any():
        # (LAPACK's gels zeroes all of B for an empty or all-zero matrix: zero solution and
        # zero residuals)
        res = np.zeros(bs + (k,), a.dtype) if m > n else None
        return np.zeros(bs + (n, k), a.dtype), res
    tall = m >= n
    q, r = np.linalg.qr(a if tall else _mT(a), mode='complete')
    d = np.diagonal(r[..., :min(m, n), :], axis1=-2, axis2=-1)
    zero = np.flatnonzero((d == 0).any(tuple(range(d.ndim - 1))))
    if zero.size:
        from .decomposition import LinAlgError
        raise LinAlgError('torch.linalg.lstsq: The least squares solution could not be computed '
                          'because the input matrix does not have full rank (error code: '
                          f'{zero[0] + 1}).')
    if tall:
        c = _mT(q) @ b
        x = np.linalg.solve(r[..., :n, :], c[..., :n, :])
        res = np.square(c[..., n:, :]).sum(-2) if m > n else None
    else:
        y = np.linalg.solve(_mT(r[..., :m, :]), b)
        x = q[..., :m] @ y
        res = None
    return np.broadcast_to(x, bs + (n, k)).astype(a.dtype), res


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """The least-squares solution X of A X = B (batches broadcast; B may be one vector per
    matrix), as the named tuple (solution, residuals, rank, singular_values) filled as
    PyTorch's CPU drivers fill it: 'gelsy' (default) gives the rank; 'gelsd'/'gelss' the
    rank and singular values, and residuals |A X - B|^2 when m > n and A has full rank;
    'gels' (full-rank A only) the residuals when m > n."""
    a, b = A._data, B._data
    if a.ndim < 2:
        raise RuntimeError('torch.linalg.lstsq: input must have at least 2 dimensions.')
    diff = a.ndim - b.ndim
    if not 0 <= diff <= 1:
        raise RuntimeError('torch.linalg.lstsq: input.dim() must be greater or equal to '
                           'other.dim() and (input.dim() - other.dim()) <= 1')
    if a.dtype != b.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same "
                           f"dtype, but got input's dtype {A.type()[6:-6]} and other's dtype "
                           f"{B.type()[6:-6]}")
    vector = b.ndim == 1 or (diff == 1 and b.shape == a.shape[:-1])
    if a.shape[-2] != (b.shape[-1] if vector else b.shape[-2]):
        raise RuntimeError('torch.linalg.lstsq: input.size(-2) should match other.size('
                           f'{-1 if vector else -2})')
    driver = 'gelsy' if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError('torch.linalg.lstsq: parameter `driver` should be one of (gels, '
                           'gelsy, gelsd, gelss)')
    if a.dtype.kind != 'f' or a.dtype == np.float16:
        raise RuntimeError("This function doesn't handle types other than float and double")
    bb = b.shape[:-1] if vector or diff else b.shape[:-2]
    try:
        np.broadcast_shapes(a.shape[:-2], bb)
    except ValueError:
        broadcast_error(a.shape[:-2], bb)
    if diff and not vector:
        # NOTE: PyTorch treats B (..., m, k) with one dim fewer than A, not a vector per
        # matrix, as a batch of its leading dims against A's batch (odd shapes result).
        raise NotImplementedError('linalg.lstsq with B of one dimension fewer than A that is '
                                  'not one vector per matrix is not supported by numtorch')
    op = Lstsq(rcond, driver, vector)
    x, res = op.apply(A, B)
    return _rt.linalg_lstsq(x, res, _wrap(op.rank), _wrap(op.sv))


_LSTSQ_REMOVED = (
    'This function was deprecated since version 1.9 and is now removed. `torch.lstsq` is '
    'deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq` has reversed arguments '
    'and does not return the QR decomposition in the returned tuple (although it returns other '
    'information about the problem).\n\nTo get the QR decomposition consider using '
    '`torch.linalg.qr`.\n\nThe returned solution in `torch.lstsq` stored the residuals of the '
    'solution in the last m - n columns of the returned value whenever m > n. In '
    "torch.linalg.lstsq, the residuals are in the field 'residuals' of the returned named "
    'tuple.\n\nThe unpacking of the solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]'
    '\nshould be replaced with:\nX = torch.linalg.lstsq(A, B).solution')


def lstsq_removed(input, A, *, out=None):
    """``torch.lstsq``: removed from PyTorch; raises its RuntimeError."""
    raise RuntimeError(_LSTSQ_REMOVED)


def matrix_rank_removed(input, tol=None, symmetric=False, *, out=None):
    """``torch.matrix_rank``: removed from PyTorch; raises its RuntimeError."""
    raise RuntimeError('This function was deprecated since version 1.9 and is now removed.\n'
                       'Please use the `torch.linalg.matrix_rank` function instead. The '
                       "parameter 'symmetric' was renamed in `torch.linalg.matrix_rank()` to "
                       "'hermitian'.")
