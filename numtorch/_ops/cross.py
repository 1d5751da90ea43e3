"""The cross product of 3-vectors: torch.linalg.cross (along ``dim``, -1 by default) and
torch.cross / Tensor.cross (whose ``dim=None`` still means the first dim of size 3, with
PyTorch's one-time deprecation warning). One LinalgCrossBackward0 node.

Backward (y = a x b along dim): ga = b x gy, gb = gy x a, each summed over the dims it was
broadcast along.
"""
from __future__ import annotations

import operator

import numpy as np

from .._tensor import Tensor, _type_word
from ._op import Op, unbroadcast, broadcast_error

__all__ = ['linalg_cross', 'cross']

_CROSS_WARNING = ('Using torch.cross without specifying the dim arg is deprecated.\n'
                  'Please either pass the dim explicitly or simply use torch.linalg.cross.\n'
                  'The default value of dim will change to agree with that of linalg.cross in '
                  'a future release.')


def _cross(a: np.ndarray, b: np.ndarray, axis: int) -> np.ndarray:
    """a x b along ``axis`` (both of size 3 there; other dims broadcast), in a's dtype."""
    a0, a1, a2 = (np.take(a, k, axis) for k in range(3))
    b0, b1, b2 = (np.take(b, k, axis) for k in range(3))
    return np.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis)


class LinalgCross(Op):
    _name = 'LinalgCrossBackward0'
    checks = (0, 1)

    def __init__(self, axis: int):
        self.axis = axis

    def forward(self, a, b):
        self.saved = (a, b)
        return _cross(a, b, self.axis)

    def backward(self, gy):
        a, b = self.saved
        n = self.needs
        ga = unbroadcast(_cross(b, gy, self.axis), a.shape) if n[0] else None
        gb = unbroadcast(_cross(gy, a, self.axis), b.shape) if n[1] else None
        return ga, gb

    def backward_t(self, gy):
        a, b = self.inputs
        op1, op2 = LinalgCross(self.axis), LinalgCross(self.axis)
        ga = op1.apply2(b, gy).sum_to_size(a.shape)
        gb = op2.apply2(gy, a).sum_to_size(b.shape)
        return ga, gb


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """The cross product of the 3-vectors along ``dim`` of ``input`` and ``other`` (same
    number of dims, both of size 3 at ``dim``; the other dims broadcast)."""
    if out is not None:
        raise NotImplementedError('linalg.cross(out=...) is not supported by numtorch')
    if type(dim) is not int:
        try:
            dim = operator.index(dim)
        except TypeError:
            raise TypeError(f"linalg_cross(): argument 'dim' must be int, not "
                            f'{type(dim).__name__}') from None
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError('linalg.cross: inputs must have the same number of dimensions.')
    if a.ndim == 0:
        raise IndexError(f'Dimension specified as {dim} but tensor has no dimensions')
    n = a.ndim
    if dim < -n or dim >= n:
        raise IndexError(f'Dimension out of range (expected to be in range of [{-n}, {n - 1}], '
                         f'but got {dim})')
    axis = dim + n if dim < 0 else dim
    if a.shape[axis] != 3 or b.shape[axis] != 3:
        raise RuntimeError(f'linalg.cross: inputs dimension {dim} must have length 3. Got '
                           f'{a.shape[axis]} and {b.shape[axis]}')
    if a.shape != b.shape:
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            broadcast_error(a.shape, b.shape)
    if a.dtype != b.dtype:
        raise RuntimeError(f'expected scalar type {_type_word(a.dtype)} but found '
                           f'{_type_word(b.dtype)}')
    if a.dtype == np.bool_:
        raise NotImplementedError('"cross" not implemented for \'Bool\'')
    return LinalgCross(axis).apply2(input, other)


def cross(input: Tensor, other: Tensor, dim: int | None = None, *, out=None) -> Tensor:
    """``torch.cross``: linalg.cross along ``dim``; without ``dim``, along the first dim of
    ``input`` that has size 3 (deprecated, warned once)."""
    if dim is None:
        from .._tensor import _warn_once
        _warn_once(_CROSS_WARNING)
        dim = next((i for i, s in enumerate(input.shape) if s == 3), None)
        if dim is None:
            raise RuntimeError('no dimension of size 3 in input')
    return linalg_cross(input, other, dim=dim, out=out)
