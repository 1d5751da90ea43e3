"""torch.linalg functions that PyTorch itself composes from other ops, built from the same
ops so their graph nodes and gradients are PyTorch's: diagonal, vander, tensorinv and
tensorsolve."""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ._op import Op

__all__ = ['diagonal', 'vander', 'tensorinv', 'tensorsolve']


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """torch.diagonal with the matrix dims last by default (a view)."""
    return A.diagonal(offset=offset, dim1=dim1, dim2=dim2)


_VANDER_KINDS = 'iuf'


def vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """The Vandermonde matrix of the last dim of ``x``: columns x^0, x^1, ..., x^(N-1)
    (N defaults to x.shape[-1]); the powers as a running product, as PyTorch does."""
    from .creation import ones
    from .shape import cat
    kind = x._data.dtype.kind
    if kind not in _VANDER_KINDS or x._data.dtype == np.float16:
        raise RuntimeError('linalg.vander supports floating point, complex, and integer '
                           f'tensors, but got {x.type()[6:-6]}')
    if x.dim() == 0:
        x = x.unsqueeze(-1)
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError('N must be greater than 1.')
    shape = tuple(x.shape)
    powers = x.unsqueeze(-1).expand(shape + (n - 1,)).cumprod(-1)
    return cat([ones(shape + (1,), dtype=powers.dtype), powers], dim=-1)


class _ReshapeAlias(Op):
    """A reshape of a fresh result (PyTorch records it as ReshapeAliasBackward0)."""
    _name = 'ReshapeAliasBackward0'

    def __init__(self, shape: tuple):
        self.shape = shape

    def forward(self, a):
        self.saved = a.shape
        return a.reshape(self.shape)

    def backward(self, g):
        return g.reshape(self.saved)


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:
    """The inverse of A for tensordot over its first ``ind`` dims: the result X has shape
    A.shape[ind:] + A.shape[:ind] and tensordot(A, X, ind) is the identity."""
    from .decomposition import _LinAlgError
    from .lu import inv_ex
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    head, tail = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    rows, cols = math.prod(head), math.prod(tail)
    if rows != cols:
        raise RuntimeError('Expected self to satisfy the requirement prod(self.shape[ind:]) == '
                           f'prod(self.shape[:ind]), but got {cols} != {rows}')
    inverse, info = inv_ex(A.reshape(rows, rows))
    if info.item() > 0:
        raise _LinAlgError(f'inv: The diagonal element {info.item()} is zero, the inversion '
                           'could not be completed because the input matrix is singular.')
    if rows <= 1:
        # (LAPACK's column-major inverse is also row-major then: PyTorch records a view)
        return inverse.reshape(tail + head)
    return _ReshapeAlias(tail + head).apply1(inverse)


def tensorsolve(A: Tensor, B: Tensor, dims=None) -> Tensor:
    """X with tensordot(A, X, X.ndim) == B: A's dims listed in ``dims`` are first moved to
    the end, then A is a square matrix of shape (B.numel(), prod(A.shape[B.ndim:]))."""
    from .lu import solve
    if dims is not None:
        dims = [dims] if isinstance(dims, int) else list(dims)
        A = A.movedim(dims, list(range(A.dim() - len(dims), A.dim())))
    out_shape = tuple(A.shape[B.dim():])
    n = math.prod(out_shape)
    if n != B.numel():
        raise RuntimeError('Expected self to satisfy the requirement prod(self.shape[other.ndim:])'
                           f' == prod(self.shape[:other.ndim]), but got {n} != {B.numel()}')
    return solve(A.reshape(n, n), B.flatten()).reshape(out_shape)
