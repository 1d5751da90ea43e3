"""Linear systems and matrix decompositions: solve, cholesky, slogdet, eigh, eig, svd, each one
graph node with its analytic gradient (and the matrix-function composites multi_dot,
matrix_power, vecdot).

Backward formulas (for A = the input; g the output gradients):
- solve X = A^-1 B: gB = A^-T gX, gA = -gB X^T.
- cholesky A = L L^T: P = tril(L^T gL) with its diagonal halved, symmetrised, then
  gA = L^-T P L^-1.
- slogdet: d log|det A| = A^-T.
- eigh A = V diag(w) V^T: gA = V (diag(gw) + F * skew(V^T gV)) V^T, F_ij = 1/(w_j - w_i)
  off the diagonal (symmetric, as PyTorch's).
- svd A = U diag(S) V^T (reduced): the skew parts of U^T gU and V^T gV scaled by
  1/(S_j^2 - S_i^2), plus the parts of gU and gV outside the column spaces.
- qr A = Q R (m >= n): M = R gR^T - gQ^T Q, gA = (gQ + Q sym(M)) R^-T with sym(M) the
  symmetric matrix with M's lower triangle; for m < n, A = [X | Y], R = [U | V], X = Q U:
  gY = Q gV and X's gradient is the square case with gQ + Y gV^T in place of gQ.
"""
from __future__ import annotations

import numpy as np

from .. import return_types as _rt
from .._tensor import Tensor
from ._op import Op

__all__ = ['LinAlgError', 'cholesky', 'slogdet', 'eigh', 'eigvalsh', 'svd', 'svdvals',
           'multi_dot', 'matrix_power', 'vecdot', 'qr', 'qr_deprecated', 'eig', 'eigvals']


class _LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (torch.linalg.LinAlgError, whose class
    PyTorch names _LinAlgError)."""


LinAlgError = _LinAlgError


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _square(name: str, a: Tensor) -> None:
    if a.dim() < 2:
        raise RuntimeError(f'{name}: The input tensor A must have at least 2 dimensions.')
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f'{name}: A must be batches of square matrices, but they are '
                           f'{a.shape[-2]} by {a.shape[-1]} matrices')
    if a._data.dtype.kind != 'f':
        raise RuntimeError(f'{name}: Expected a floating point or complex tensor as input. Got '
                           f'{a.type()[6:-6]}')


class Cholesky(Op):
    _name = 'LinalgCholeskyExBackward0'
    checks = (0,)

    def __init__(self, upper: bool):
        self.upper = upper

    def forward(self, a):
        try:
            low = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            order = _failing_minor(a)
            raise _LinAlgError(f'linalg.cholesky: The factorization could not be completed '
                              f'because the input is not positive-definite (the leading minor '
                              f'of order {order} is not positive-definite).') from None
        self.saved = low
        return _mT(low).copy() if self.upper else low

    def backward(self, g):
        low = self.saved
        if self.upper:
            g = _mT(g)
        p = np.tril(np.matmul(_mT(low), g))
        p = 0.5 * (p + _mT(np.tril(p, -1)))
        linv = np.linalg.inv(low)
        return np.matmul(np.matmul(_mT(linv), p), linv)


def _failing_minor(a: np.ndarray) -> int:
    """The order of the first leading minor that is not positive definite."""
    m = a.reshape(-1, *a.shape[-2:])
    for k in range(1, a.shape[-1] + 1):
        try:
            np.linalg.cholesky(m[:, :k, :k])
        except np.linalg.LinAlgError:
            return k
    return a.shape[-1]


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """L (lower-triangular, positive diagonal) with A = L L^T; with ``upper``, L^T."""
    _square('linalg.cholesky', A)
    return Cholesky(upper).apply1(A)


class Slogdet(Op):
    _name = 'LinalgSlogdetBackward0'
    checks = (0,)

    def forward(self, a):
        sign, logabs = np.linalg.slogdet(a)
        self.saved = a
        return sign.astype(a.dtype), logabs.astype(a.dtype)

    def backward(self, gsign, glog=None):
        a = self.saved
        if glog is None:
            return np.zeros_like(a)
        return glog[..., None, None] * _mT(np.linalg.inv(a))


def slogdet(A: Tensor):
    """(sign, log|det A|) of square matrices."""
    _square('linalg.slogdet', A)
    sign, logabsdet = Slogdet().apply(A)
    return _rt.linalg_slogdet(sign, logabsdet)


class Eigh(Op):
    _name = 'LinalgEighBackward0'
    checks = (0,)

    def __init__(self, uplo: str):
        self.uplo = uplo

    def forward(self, a):
        w, v = np.linalg.eigh(a, UPLO=self.uplo)
        self.saved = (w, v)
        return w.astype(a.dtype), v.astype(a.dtype)

    def backward(self, gw, gv=None):
        w, v = self.saved
        inner = np.zeros(v.shape, v.dtype)
        if gv is not None:
            e = w[..., None, :] - w[..., :, None]
            with np.errstate(divide='ignore'):
                f = np.where(np.eye(w.shape[-1], dtype=bool), 0, 1 / e)
            vtgv = np.matmul(_mT(v), gv)
            # (the skew part: PyTorch's gradient is the symmetric one)
            inner = f * (vtgv - _mT(vtgv)) * 0.5
        if gw is not None:
            inner = inner + np.einsum('...i,ij->...ij', gw, np.eye(w.shape[-1]))
        return np.matmul(np.matmul(v, inner), _mT(v))


def eigh(A: Tensor, UPLO: str = 'L'):
    """(eigenvalues ascending, eigenvectors as columns) of symmetric matrices, read from
    their lower (or, with UPLO='U', upper) triangle."""
    # (PyTorch takes the letter in either case)
    if len(UPLO) != 1 or UPLO.upper() not in ('L', 'U'):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    _square('linalg.eigh', A)
    w, v = Eigh(UPLO.upper()).apply(A)
    return _rt.linalg_eigh(w, v)


def eigvalsh(A: Tensor, UPLO: str = 'L') -> Tensor:
    """The eigenvalues (ascending) of symmetric matrices."""
    return eigh(A, UPLO).eigenvalues


class Svd(Op):
    _name = 'LinalgSvdBackward0'
    checks = (0,)

    def __init__(self, full: bool):
        self.full = full

    def forward(self, a):
        u, s, vh = np.linalg.svd(a, full_matrices=self.full)
        self.saved = (a.shape, u, s, vh)
        return u.astype(a.dtype), s.astype(a.dtype), vh.astype(a.dtype)

    def backward(self, gu, gs=None, gvh=None):
        shape, u, s, vh = self.saved
        k = s.shape[-1]
        u, vh = u[..., :k], vh[..., :k, :]
        v = _mT(vh)
        gu = None if gu is None else gu[..., :k]
        gv = None if gvh is None else _mT(gvh[..., :k, :])
        eye = np.eye(k, dtype=bool)
        with np.errstate(divide='ignore', invalid='ignore'):
            e = s[..., None, :] ** 2 - s[..., :, None] ** 2
            f = np.where(eye, 0, 1 / e)
        inner = np.zeros(s.shape + (k,), s.dtype)
        if gs is not None:
            inner = inner + np.einsum('...i,ij->...ij', gs, np.eye(k))
        ga = 0
        if gu is not None:
            utgu = np.matmul(_mT(u), gu)
            inner = inner + np.matmul(f * (utgu - _mT(utgu)), s[..., :, None] * np.eye(k))
            if shape[-2] > k:  # (gU outside U's column space)
                proj = gu - np.matmul(u, utgu)
                ga = ga + np.matmul(proj / s[..., None, :], vh)
        if gv is not None:
            vtgv = np.matmul(_mT(v), gv)
            inner = inner + np.matmul(s[..., :, None] * np.eye(k), f * (vtgv - _mT(vtgv)))
            if shape[-1] > k:
                proj = gv - np.matmul(v, vtgv)
                ga = ga + np.matmul(u / s[..., None, :], _mT(proj))
        return np.matmul(np.matmul(u, inner), vh) + ga


def svd(A: Tensor, full_matrices: bool = True, *, driver=None):
    """A = U diag(S) Vh: singular values S descending; with ``full_matrices``, U and Vh
    square, else only their first min(m, n) columns/rows."""
    if driver is not None:
        # (PyTorch's CPU build has only one SVD driver)
        raise RuntimeError('torch.linalg.svd: keyword argument `driver=` is only supported on '
                           'CUDA inputs with cuSOLVER backend.')
    if A.dim() < 2:
        raise RuntimeError('linalg.svd: The input tensor A must have at least 2 dimensions.')
    u, s, vh = Svd(full_matrices).apply(A)
    return _rt.linalg_svd(u, s, vh)


def svdvals(A: Tensor, *, driver=None) -> Tensor:
    """The singular values of A, descending."""
    return svd(A, full_matrices=False, driver=driver).S


def multi_dot(tensors) -> Tensor:
    """The product of the matrices in order (the first may be a vector, as may the last)."""
    from .linalg import mm
    if len(tensors) < 2:
        raise RuntimeError(f'multi_dot(): expected at least 2 tensors but got {len(tensors)}')
    first, last = tensors[0], tensors[-1]
    mats = ([first.unsqueeze(0)] if first.dim() == 1 else [first]) + list(tensors[1:-1]) + (
        [last.unsqueeze(1)] if last.dim() == 1 else [last])
    out = mats[0]
    for t in mats[1:]:
        out = mm(out, t)
    # (the vector ends' unit dims dropped by a view, as PyTorch ends every multi_dot)
    shape = (() if first.dim() == 1 else (out.shape[0],)) + (() if last.dim() == 1
                                                            else (out.shape[1],))
    return out.view(shape)


def matrix_power(A: Tensor, n: int) -> Tensor:
    """A multiplied by itself n times (A^0 is the identity; a negative n inverts A)."""
    from .creation import eye
    from .linalg import inverse, matmul
    _square('linalg.matrix_power', A)
    if n == 0:
        return eye(A.shape[-1], dtype=A.dtype).expand(A.shape).clone()
    base = inverse(A) if n < 0 else A
    out = base
    for _ in range(abs(n) - 1):
        out = matmul(out, base)
    return out


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """The dot products of the vectors along ``dim`` (batches broadcast)."""
    if x._data.dtype.kind != 'f':
        raise RuntimeError('linalg.vecdot: Expected a floating point or complex tensor as '
                           f'input. Got {x.type()[6:-6]}')
    if x.dtype != y.dtype:
        raise RuntimeError('linalg.vecdot: Expected x and y to have the same dtype, but found '
                           f'x of type {x.type()[6:-6]} and y of type {y.type()[6:-6]} instead')
    return (x * y).sum(dim)


def _solve_rt(b: np.ndarray, r: np.ndarray) -> np.ndarray:
    """B R^-T for upper-triangular R (inf/nan, not an error, where R is singular, as
    LAPACK's triangular solve gives)."""
    try:
        return _mT(np.linalg.solve(r, _mT(b)))
    except np.linalg.LinAlgError:
        # X R^T = B, column k of X from the last: X_k = (B_k - sum_{j>k} X_j R_kj) / R_kk
        x = np.zeros(np.broadcast_shapes(b.shape, b.shape[:-2] + (b.shape[-2], r.shape[-1])),
                     b.dtype)
        with np.errstate(divide='ignore', invalid='ignore'):
            for k in range(r.shape[-1] - 1, -1, -1):
                acc = b[..., :, k] - np.einsum('...ij,...j->...i', x[..., :, k + 1:],
                                               r[..., k, k + 1:])
                x[..., :, k] = acc / r[..., None, k, k]
        return x


def _qr_square_backward(q, r, gq, gr):
    """The gradient of A = Q R with Q (m, n) and R square (n, n)."""
    m = np.matmul(r, _mT(gr)) - np.matmul(_mT(gq), q)
    low = np.tril(m, -1)
    sym = low + _mT(low) + np.tril(np.triu(m))
    return _solve_rt(gq + np.matmul(q, sym), r)


class Qr(Op):
    _name = 'LinalgQrBackward0'
    checks = (0,)

    def __init__(self, mode: str):
        self.mode = mode

    def forward(self, a):
        if self.mode == 'r':
            r = np.linalg.qr(a, mode='r')
            self.saved = None
            return np.zeros(0, a.dtype), r.astype(a.dtype, copy=False)
        q, r = np.linalg.qr(a, mode=self.mode)
        self.saved = (q, r)
        return q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)

    def backward(self, gq, gr):
        if self.mode == 'r':
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        q, r = self.saved
        m, n = q.shape[-2], r.shape[-1]
        if self.mode == 'complete' and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if m >= n:
            return _qr_square_backward(q, r, gq, gr)
        gu, gv = gr[..., :m], gr[..., m:]
        y = self.inputs[0]._data[..., m:]
        gx = _qr_square_backward(q, r[..., :m], gq + np.matmul(y, _mT(gv)), gu)
        return np.concatenate([gx, np.matmul(q, gv)], -1)


_QR_MODES = ('reduced', 'complete', 'r')


def qr(A: Tensor, mode: str = 'reduced'):
    """A = Q R with Q orthonormal columns and R upper-triangular, by Householder reflections
    as LAPACK computes them (so R's diagonal may be negative). ``mode`` 'reduced' gives Q
    (m, k), R (k, n) with k = min(m, n); 'complete' a square Q (m, m) and R (m, n); 'r'
    only R (Q is then an empty tensor)."""
    if mode not in _QR_MODES:
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    if A.dim() < 2:
        raise RuntimeError('linalg.qr: The input tensor A must have at least 2 dimensions.')
    if A._data.dtype.kind != 'f':
        raise RuntimeError(f'linalg.qr: Expected a floating point or complex tensor as input. '
                           f'Got {A.type()[6:-6]}')
    q, r = Qr(mode).apply(A)
    return _rt.linalg_qr(q, r)


_QR_WARNING = ("torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a "
               "future PyTorch release.\nThe boolean parameter 'some' has been replaced with a "
               "string parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\n"
               "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')")


def qr_deprecated(input: Tensor, some: bool = True):
    """``torch.qr`` / ``Tensor.qr``: linalg.qr in mode 'reduced' (``some``) or 'complete',
    with PyTorch's one-time deprecation warning."""
    from .._tensor import _warn_once
    _warn_once(_QR_WARNING)
    q, r = qr(input, 'reduced' if some else 'complete')
    return _rt.qr(q, r)


class Eig(Op):
    """A = V diag(L) V^-1 (complex L and V, LAPACK's geev: unit columns, each with its
    largest entry real). Backward, PyTorch's: with E_ij = conj(L_j - L_i) off the diagonal,
    gA = V^-H (diag(gL) + (V^H gV - V^H V re(diag(V^H gV))) / E) V^H, its real part for a
    real A. The columns of V are defined up to a phase each, so a loss that depends on the
    phases is refused."""
    _name = 'LinalgEigBackward0'
    complex_ok = True
    checks = (0,)

    def forward(self, a):
        if not np.isfinite(a).all():
            raise RuntimeError('torch.linalg.eig: input tensor should not contain infs or NaNs.')
        ct = np.result_type(a.dtype, np.complex64)
        w, v = np.linalg.eig(a)
        w, v = w.astype(ct, copy=False), v.astype(ct, copy=False)
        self.saved = (w, v, a.dtype.kind == 'c')
        return w, v

    def backward(self, gw, gv=None):
        w, v, was_complex = self.saved
        vh = np.conj(_mT(v))
        if gv is None:
            inner = np.zeros(v.shape, v.dtype)
        else:
            vhgv = np.matmul(vh, gv)
            d = np.diagonal(vhgv, 0, -2, -1)
            if not np.allclose(d.imag, 0, rtol=1e-2, atol=1e-2):
                raise RuntimeError('linalg_eig_backward: The eigenvectors in the complex case '
                                   'are specified up to multiplication by e^{i phi}. The '
                                   'specified loss function depends on this quantity, so it is '
                                   'ill-defined.')
            inner = vhgv - np.matmul(vh, v * d.real[..., None, :])
            lc = np.conj(w)
            e = lc[..., None, :] - lc[..., :, None]
            n = w.shape[-1]
            e[..., np.arange(n), np.arange(n)] = 1
            inner = inner / e
        n = w.shape[-1]
        if gw is not None:
            inner[..., np.arange(n), np.arange(n)] = gw
        elif gv is not None:
            inner[..., np.arange(n), np.arange(n)] = 0
        ga = np.linalg.solve(vh, np.matmul(inner, vh))
        return ga if was_complex else ga.real


def _eig_input(name: str, A: Tensor, out) -> None:
    if out is not None:
        raise NotImplementedError(f'{name}(out=...) is not supported by numtorch')
    kind = A._data.dtype.kind
    if kind not in 'fc' and A.dim() >= 2 and A.shape[-1] == A.shape[-2]:
        raise RuntimeError(f'Unknown Complex ScalarType for {A.type()[6:-6]}')
    if A._data.dtype == np.float16:
        raise NotImplementedError('"linalg_eig_out_cpu" not implemented for \'Half\'')
    _square(name, A if kind != 'c' else A.real)


def eig(A: Tensor, *, out=None):
    """(eigenvalues, eigenvectors) of general square matrices, both complex (complex64 for a
    float32 input): A V = V diag(L), each column of V of unit norm."""
    _eig_input('linalg.eig', A, out)
    w, v = Eig().apply(A)
    return _rt.linalg_eig(w, v)


def eigvals(A: Tensor, *, out=None) -> Tensor:
    """The (complex) eigenvalues of general square matrices, in linalg.eig's order."""
    _eig_input('linalg.eigvals', A, out)
    return Eig().apply(A)[0]
