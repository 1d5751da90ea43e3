"""torch.linalg.ldl_factor / ldl_factor_ex / ldl_solve: the symmetric-indefinite
factorization A = L D L^T with Bunch-Kaufman pivoting, as LAPACK's sytrf / sytrs compute it.

Only the lower triangle of A is read, as PyTorch calls sytrf with uplo='L'. LD packs L's
strictly-lower part (unit diagonal implied) and the 1x1 / 2x2 diagonal blocks of D;
``pivots`` are LAPACK's 1-based int32 interchanges: ``k > 0`` for a 1x1 block whose row was
swapped with row k, ``-k`` on both rows of a 2x2 block swapped with row k. PyTorch has no
derivative for either op; a graph through them fails on backward, as PyTorch's does.
"""
from __future__ import annotations

import numpy as np

from .. import return_types as _rt
from .._tensor import Tensor, _type_word
from ._op import broadcast_error
from .decomposition import _square
from .histogram import _NoDerivative

__all__ = ['ldl_factor', 'ldl_factor_ex', 'ldl_solve']

linalg_ldl_factor = _rt._make('linalg_ldl_factor', ('LD', 'pivots'))
linalg_ldl_factor_ex = _rt._make('linalg_ldl_factor_ex', ('LD', 'pivots', 'info'))


def _max(a, b):
    """MAX(a, b) as PyTorch's LAPACK evaluates it: ``b`` unless ``a > b``, so a NaN in
    ``a`` yields ``b`` and a NaN in ``b`` yields NaN (pivot choices on NaN input depend on
    it)."""
    return a if a > b else b


def _sytf2_lower(a: np.ndarray, ipiv: np.ndarray) -> int:
    """LAPACK's unblocked ?sytf2 (uplo='L') on the square array ``a`` in place; fills
    ``ipiv`` and returns info (1-based index of the first exactly singular D block, or 0).

    Step k picks a 1x1 pivot a[k,k] if it is large enough against its column, else the
    largest off-diagonal entry's row/column imax as a 1x1 pivot (swapped in) or the 2x2
    block on rows (k, imax); alpha = (1 + sqrt(17)) / 8 bounds element growth.
    """
    n = a.shape[0]
    one = a.dtype.type(1)
    alpha = (one + np.sqrt(a.dtype.type(17))) / a.dtype.type(8)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k])
        if k < n - 1:
            col = np.abs(a[k + 1:, k])
            imax = k + 1 + int(col.argmax())
            colmax = col[imax - k - 1]
        else:
            imax = k
            colmax = 0.0
        if _max(absakk, colmax) == 0:
            # A zero column: D(k) is singular; LAPACK records it and moves on.
            if info == 0:
                info = k + 1
            kp = k
        else:
            if absakk >= alpha * colmax:
                kp = k
            else:
                # The largest off-diagonal magnitude in row/column imax of the trailing block.
                rowmax = np.abs(a[imax, k:imax]).max()
                if imax < n - 1:
                    rowmax = _max(rowmax, np.abs(a[imax + 1:, imax]).max())
                if absakk >= alpha * colmax * (colmax / rowmax):
                    kp = k
                elif abs(a[imax, imax]) >= alpha * rowmax:
                    kp = imax
                else:
                    kp = imax
                    kstep = 2
            kk = k + kstep - 1
            if kp != kk:
                # Symmetric interchange of rows/columns kk and kp in the trailing lower part.
                if kp < n - 1:
                    t = a[kp + 1:, kk].copy()
                    a[kp + 1:, kk] = a[kp + 1:, kp]
                    a[kp + 1:, kp] = t
                t = a[kk + 1:kp, kk].copy()
                a[kk + 1:kp, kk] = a[kp, kk + 1:kp]
                a[kp, kk + 1:kp] = t
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            if kstep == 1:
                if k < n - 1:
                    d11 = one / a[k, k]
                    x = a[k + 1:, k]
                    # dsyr: a[i, j] += x[i] * (-d11 * x[j]); only the lower part is ever read.
                    a[k + 1:, k + 1:] += np.multiply.outer(x, -d11 * x)
                    x *= d11
            elif k < n - 2:
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / d21
                d22 = a[k, k] / d21
                t = one / (d11 * d22 - one)
                d21 = t / d21
                ak = a[k + 2:, k]
                ak1 = a[k + 2:, k + 1]
                wk = d21 * (d11 * ak - ak1)
                wkp1 = d21 * (d22 * ak1 - ak)
                trail = a[k + 2:, k + 2:]
                trail -= np.multiply.outer(ak, wk)
                trail -= np.multiply.outer(ak1, wkp1)
                a[k + 2:, k] = wk
                a[k + 2:, k + 1] = wkp1
        if kstep == 1:
            ipiv[k] = kp + 1
        else:
            ipiv[k] = ipiv[k + 1] = -(kp + 1)
        k += kstep
    return info


def _sytrf(a: np.ndarray):
    """(LD, pivots, info) for a batch of square matrices (lower triangles read).

    NOTE: sytrf factors matrices wider than LAPACK's block size (64) panel by panel
    (?lasyf); that makes the same pivot choices, so only LD's rounding differs there.
    """
    n = a.shape[-1]
    batch = a.shape[:-2]
    count = int(np.prod(batch))
    ld = np.array(a, order='C', copy=True).reshape((count, n, n))
    piv = np.empty((count, n), np.int32)
    info = np.empty(count, np.int32)
    for i in range(ld.shape[0]):
        info[i] = _sytf2_lower(ld[i], piv[i])
    ld = np.tril(ld)
    return ld.reshape(a.shape), piv.reshape(batch + (n,)), info.reshape(batch)


def _sytrs_lower(ld: np.ndarray, ipiv: np.ndarray, b: np.ndarray) -> None:
    """LAPACK's ?sytrs (uplo='L'): overwrites ``b`` with A^-1 b for A = L D L^T."""
    n = ld.shape[0]
    one = ld.dtype.type(1)
    k = 0
    # Solve L D y = b.
    while k < n:
        if ipiv[k] > 0:
            kp = ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            if k < n - 1:
                b[k + 1:] -= np.multiply.outer(ld[k + 1:, k], b[k])
            b[k] *= one / ld[k, k]
            k += 1
        else:
            kp = -ipiv[k] - 1
            if kp != k + 1:
                b[[k + 1, kp]] = b[[kp, k + 1]]
            if k < n - 2:
                b[k + 2:] -= np.multiply.outer(ld[k + 2:, k], b[k])
                b[k + 2:] -= np.multiply.outer(ld[k + 2:, k + 1], b[k + 1])
            akm1k = ld[k + 1, k]
            akm1 = ld[k, k] / akm1k
            ak = ld[k + 1, k + 1] / akm1k
            denom = akm1 * ak - one
            bkm1 = b[k] / akm1k
            bk = b[k + 1] / akm1k
            b[k] = (ak * bkm1 - bk) / denom
            b[k + 1] = (akm1 * bk - bkm1) / denom
            k += 2
    # Solve L^T x = y.
    k = n - 1
    while k >= 0:
        if ipiv[k] > 0:
            if k < n - 1:
                b[k] -= ld[k + 1:, k] @ b[k + 1:]
            kp = ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            if k < n - 1:
                b[k] -= ld[k + 1:, k] @ b[k + 1:]
                b[k - 1] -= ld[k + 1:, k - 1] @ b[k + 1:]
            kp = -ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 2


# NOTE: PyTorch's error checker has no message for sytrf's info > 0 and fails an internal
# assertion instead; that assertion's text (with its source location) is what users see.
_UNKNOWN = ('false INTERNAL ASSERT FAILED at "/__w/pytorch/pytorch/aten/src/ATen/native/'
            'BatchLinearAlgebra.cpp":1642, please report a bug to PyTorch. {}: Unknown error '
            'code: {}.')


def _factor(name: str, A: Tensor, hermitian: bool, check_errors: bool, out) -> tuple:
    if out is not None:
        raise NotImplementedError(f'{name}(out=...) is not supported by numtorch')
    _square('torch.linalg.ldl_factor_ex', A)
    a = A._data
    if a.dtype == np.float16:
        raise NotImplementedError('"ldl_factor_kernel_cpu" not implemented for '
                                  f"'{_type_word(a.dtype)}'")
    # hermitian only differs from symmetric for complex matrices, which numtorch lacks.
    ld, piv, info = _sytrf(a)
    if check_errors:
        bad = np.flatnonzero(info.reshape(-1))
        if bad.size:
            raise RuntimeError(_UNKNOWN.format(name, int(info.reshape(-1)[bad[0]])))
    outs = _NoDerivative((ld, piv, info), 'linalg_ldl_factor_ex').apply(A)
    return outs


def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False,
                  out=None):
    """(LD, pivots, info) of the Bunch-Kaufman factorization A = P L D L^T P^T of the
    symmetric (lower triangle read) matrix or batch A; info > 0 marks a singular D."""
    return linalg_ldl_factor_ex(*_factor('torch.linalg.ldl_factor_ex', A, hermitian,
                                         check_errors, out))


def ldl_factor(A: Tensor, *, hermitian: bool = False, out=None):
    """(LD, pivots) of ldl_factor_ex; a singular D is an error (PyTorch's assertion)."""
    ld, piv, _ = _factor('torch.linalg.ldl_factor', A, hermitian, True, out)
    return linalg_ldl_factor(ld, piv)


def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False,
              out=None) -> Tensor:
    """X with A X = B for A given by ldl_factor's LD and pivots; batch dimensions of LD
    and B broadcast (pivots follow LD)."""
    name = 'torch.linalg.ldl_solve'
    if out is not None:
        raise NotImplementedError('linalg.ldl_solve(out=...) is not supported by numtorch')
    _square(name, LD)
    ld, b = LD._data, B._data
    if b.dtype != ld.dtype:
        raise RuntimeError(f'Expected b and A to have the same dtype, but found b of type '
                           f'{_type_word(b.dtype)} and A of type {_type_word(ld.dtype)} '
                           'instead.')
    n = ld.shape[-1]
    if b.ndim < 2:
        raise IndexError(f'Dimension out of range (expected to be in range of '
                         f'[{-max(b.ndim, 1)}, {max(b.ndim, 1) - 1}], but got -2)')
    if b.shape[-2] != n:
        raise RuntimeError(f'Incompatible matrix sizes for {name}: each A matrix is {n} by {n} '
                           f'but each b matrix is {b.shape[-2]} by {b.shape[-1]}')
    piv = pivots._data
    if piv.shape != ld.shape[:-1]:
        raise RuntimeError(f'{name}: Expected LD.shape[:-1] and pivots.shape to be the same, '
                           f'but got pivots with shape {list(piv.shape)} instead')
    if piv.dtype.kind not in 'iu':
        raise RuntimeError(f'{name}: Expected pivots to be integers. Got '
                           f'{_type_word(piv.dtype)}')
    if ld.dtype == np.float16:
        raise NotImplementedError('"ldl_solve_kernel_cpu" not implemented for '
                                  f"'{_type_word(ld.dtype)}'")
    try:
        batch = np.broadcast_shapes(b.shape[:-2], ld.shape[:-2])
    except ValueError:
        broadcast_error(b.shape[:-2], ld.shape[:-2])
    x = np.array(np.broadcast_to(b, batch + b.shape[-2:]), order='C', copy=True)
    if x.size:
        count = int(np.prod(batch))
        lds = np.broadcast_to(ld, batch + ld.shape[-2:]).reshape((count, n, n))
        pivs = np.broadcast_to(piv, batch + piv.shape[-1:]).reshape((count, n))
        xs = x.reshape((count,) + b.shape[-2:])
        for i in range(count):
            _sytrs_lower(lds[i], pivs[i], xs[i])
    return _NoDerivative(x, 'linalg_ldl_solve').apply(LD, B)
