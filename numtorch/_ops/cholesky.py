"""Solves and inverses from a Cholesky factor: ``torch.cholesky_solve`` and
``torch.cholesky_inverse`` (also Tensor methods), one node each with PyTorch's gradients;
and the deprecated ``torch.cholesky``."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _type_word, _warn_once
from ._op import Op, unbroadcast
from .lu import _trsm

__all__ = ['cholesky_solve', 'cholesky_inverse', 'cholesky_deprecated']


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _solve(b: np.ndarray, f: np.ndarray, upper: bool) -> np.ndarray:
    """(F F^T)^-1 b for a lower F, (F^T F)^-1 b for an upper F."""
    ft = _mT(f)
    if upper:
        return _trsm(f, _trsm(ft, b, False), True)
    return _trsm(ft, _trsm(f, b, False), True)


def _factor_grad(common: np.ndarray, f: np.ndarray, upper: bool) -> np.ndarray:
    # NOTE: common is the symmetrised gradient with respect to A = F F^T (or F^T F); the
    # factor's gradient is its product with F on the side F sits, as PyTorch returns it
    # (full, not masked to the triangle).
    return -np.matmul(f, common) if upper else -np.matmul(common, f)


class CholeskySolve(Op):
    _name = 'CholeskySolveBackward0'

    def __init__(self, upper: bool) -> None:
        self.upper = upper

    def forward(self, b, f):
        x = _solve(b, f, self.upper)
        self.saved = (f, x, b.shape, f.shape)
        return x

    def backward(self, gx):
        f, x, bshape, fshape = self.saved
        gb = _solve(gx, f, self.upper)
        gf = None
        if self.needs[1]:
            common = np.matmul(gb, _mT(x))
            gf = unbroadcast(_factor_grad(common + _mT(common), f, self.upper), fshape)
        return (unbroadcast(gb, bshape) if self.needs[0] else None), gf


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """X with A X = B where A = L L^T (``upper``: A = U^T U) from its Cholesky factor;
    batch dimensions broadcast."""
    if out is not None:
        raise NotImplementedError('torch.cholesky_solve(out=...) is not supported by numtorch')
    if B.dim() < 2:
        raise RuntimeError(f'b should have at least 2 dimensions, but has {B.dim()} '
                           'dimensions instead')
    if L.dim() < 2:
        raise RuntimeError(f'u should have at least 2 dimensions, but has {L.dim()} '
                           'dimensions instead')
    if B._data.dtype != L._data.dtype:
        raise RuntimeError(f'Expected b and A to have the same dtype, but found b of type '
                           f'{_type_word(B._data.dtype)} and A of type '
                           f'{_type_word(L._data.dtype)} instead.')
    n, m = L.shape[-2:]
    if n != m or n != B.shape[-2]:
        raise RuntimeError(f'Incompatible matrix sizes for cholesky_solve: each A matrix is '
                           f'{n} by {m} but each b matrix is {B.shape[-2]} by {B.shape[-1]}')
    return CholeskySolve(bool(upper)).apply2(B, L)


class CholeskyInverse(Op):
    _name = 'CholeskyInverseBackward0'

    def __init__(self, upper: bool) -> None:
        self.upper = upper

    def forward(self, f):
        eye = np.broadcast_to(np.eye(f.shape[-1], dtype=f.dtype), f.shape)
        ainv = _solve(eye, f, self.upper)
        self.saved = (f, ainv)
        return ainv

    def backward(self, gy):
        f, ainv = self.saved
        common = np.matmul(np.matmul(ainv, gy + _mT(gy)), ainv)
        return _factor_grad(common, f, self.upper)


def cholesky_inverse(L: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """The inverse of A = L L^T (``upper``: A = U^T U) from its Cholesky factor."""
    if out is not None:
        raise NotImplementedError('torch.cholesky_inverse(out=...) is not supported by '
                                  'numtorch')
    if L.dim() < 2:
        raise RuntimeError('cholesky_inverse: The input tensor A must have at least 2 '
                           'dimensions.')
    n, m = L.shape[-2:]
    if n != m:
        raise RuntimeError(f'cholesky_inverse: A must be batches of square matrices, but they '
                           f'are {n} by {m} matrices')
    return CholeskyInverse(bool(upper)).apply1(L)


_CHOLESKY_WARNING = (
    'torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a '
    'future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n'
    'L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\n'
    'should be replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce '
    'equivalent results for all valid (symmetric positive definite) inputs.')


def cholesky_deprecated(input: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """``torch.cholesky`` / ``Tensor.cholesky``: linalg.cholesky with PyTorch's one-time
    deprecation warning."""
    if out is not None:
        raise NotImplementedError('torch.cholesky(out=...) is not supported by numtorch')
    from .decomposition import cholesky
    _warn_once(_CHOLESKY_WARNING)
    return cholesky(input, upper=upper)
