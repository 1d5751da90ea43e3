"""torch.linalg: the linear-algebra functions numtorch has, under their torch.linalg names."""
from __future__ import annotations

from ._ops.linalg import det, inverse as inv, cross, matmul
from ._ops.decomposition import (LinAlgError, solve, cholesky, slogdet, eigh, eigvalsh, svd,
                                 svdvals, multi_dot, matrix_power, vecdot, qr, eig, eigvals)
from ._ops.least_squares import lstsq, pinv, matrix_rank
from ._ops.reduction import norm as _norm
from ._tensor import Tensor

__all__ = ['det', 'inv', 'cross', 'matmul', 'vector_norm', 'norm', 'LinAlgError', 'solve',
           'cholesky', 'slogdet', 'eigh', 'eigvalsh', 'svd', 'svdvals', 'multi_dot',
           'matrix_power', 'vecdot', 'qr', 'eig', 'eigvals', 'lstsq', 'pinv', 'matrix_rank']


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (all elements by default)."""
    return _norm(x, ord, dim, keepdim, dtype=dtype)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The 2-norm of the flattened input by default; a vector norm for a given ``ord``
    over 1-D input or one ``dim``. Matrix norms other than Frobenius are not supported."""
    if ord is None or ord == 'fro':
        return _norm(A, 'fro', dim, keepdim, dtype=dtype)
    if A.dim() == 1 or isinstance(dim, int):
        return _norm(A, ord, dim, keepdim, dtype=dtype)
    raise NotImplementedError(f'torch.linalg.norm(ord={ord!r}) of a matrix is not supported by '
                              'numtorch')
