"""The out-of-place view scatters: ``diagonal_scatter``, ``select_scatter``, ``slice_scatter``
and ``as_strided_scatter``.

Each returns a copy of ``input`` with ``src`` written into the view that the matching view op
(diagonal, select, slice, as_strided) would take of it; one graph node each. The gradient of
``input`` is the output gradient with that view zeroed, the gradient of ``src`` is the view of
the output gradient.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._op import Op
from .shape import _diag_view, wrap_dim
from ..storage import _root

__all__ = ['diagonal_scatter', 'select_scatter', 'slice_scatter', 'as_strided_scatter']


def _check_src(view_shape: tuple, src: Tensor) -> None:
    if src._data.shape != view_shape:
        raise RuntimeError(f'expected src to have a size equal to the slice of self. src size = '
                           f'{list(src._data.shape)}, slice size = {list(view_shape)}')


class _ViewScatter(Op):
    """``input`` copied, ``src`` (cast to input's dtype) written into ``view(copy)``."""

    def __init__(self, view, name: str) -> None:
        self.view = view
        self._name = name

    def forward(self, x, src):
        y = x.copy(order='K')
        self.view(y)[...] = src
        self.src_dtype = src.dtype
        return y

    def backward(self, gy):
        gx = gsrc = None
        if self.needs[0]:
            gx = gy.copy()
            self.view(gx)[...] = 0
        if self.needs[1]:
            gsrc = np.array(self.view(gy), self.src_dtype)
        return gx, gsrc


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0,
                     dim2: int = 1) -> Tensor:
    """``input`` with ``src`` written into ``input.diagonal(offset, dim1, dim2)``."""
    n = input._data.ndim
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f'diagonal dimensions cannot be identical {dim1}, {dim2}')

    def view(a, o=offset, x=d1, y=d2):
        return _diag_view(a, o, x, y)
    _check_src(view(input._data).shape, src)
    return _ViewScatter(view, 'DiagonalScatterBackward0').apply2(input, src)


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """``input`` with ``src`` written into ``input.select(dim, index)``."""
    shape = input._data.shape
    if len(shape) == 0:
        raise IndexError('select() cannot be applied to a 0-dim tensor.')
    d = wrap_dim(dim, len(shape))
    size = shape[d]
    if not -size <= index < size:
        raise IndexError(f'select(): index {index} out of range for tensor of size '
                         f'{list(shape)} at dimension {dim}')
    key = (slice(None),) * d + (index,)
    _check_src(shape[:d] + shape[d + 1:], src)
    return _ViewScatter(lambda a: a[key], 'SelectScatterBackward0').apply2(input, src)


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Tensor:
    """``input`` with ``src`` written into ``input[..., start:end:step, ...]`` (at ``dim``)."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    if step <= 0:
        raise RuntimeError('slice step must be positive')
    key = (slice(None),) * d + (slice(start, end, step),)

    def view(a):
        return a[key]
    _check_src(view(input._data).shape, src)
    return _ViewScatter(view, 'SliceScatterBackward0').apply2(input, src)


_AS_STRIDED_GRAD = ('!self.requires_grad() || self.is_contiguous() INTERNAL ASSERT FAILED at '
                    '"/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp":4754, please '
                    'report a bug to PyTorch. as_strided_scatter is currently only supported '
                    'for contiguous inputs')


class AsStridedScatter(Op):
    """as_strided_scatter: the whole storage under ``input`` is copied (the output keeps
    input's strides and offset in that copy, as PyTorch's), then ``src`` is written through
    the strided view of the copy."""
    _name = 'AsStridedScatterBackward0'

    def __init__(self, size: tuple, stride: tuple, offset: int | None) -> None:
        self.size, self.stride, self.offset = size, stride, offset

    def forward(self, x, src):
        it = x.itemsize
        root = _root(x)
        own = (x.__array_interface__['data'][0] - root.__array_interface__['data'][0]) // it
        off = own if self.offset is None else self.offset
        need = off + sum((s - 1) * st for s, st in zip(self.size, self.stride)) + 1
        if 0 not in self.size and need > root.size:
            raise RuntimeError(f'setStorage: sizes {list(self.size)}, strides '
                               f'{list(self.stride)}, storage offset {off}, and itemsize {it} '
                               f'requiring a storage size of {need * it} are out of bounds '
                               f'for storage of size {root.size * it}')
        idx = self._positions(off)
        if np.unique(idx).size != idx.size:
            raise RuntimeError('unsupported operation: more than one element of the written-to '
                               'tensor refers to a single memory location. Please clone() the '
                               'tensor before performing the operation.')
        flat = np.ascontiguousarray(root).reshape(-1).copy()
        flat[idx] = src
        y = np.ndarray(x.shape, x.dtype, buffer=flat, offset=own * it, strides=x.strides)
        # Backward works on the (contiguous) gradient, relative to input's own first element.
        self.rel = off - own
        self.src_dtype = src.dtype
        return y

    def _positions(self, off: int) -> np.ndarray:
        idx = np.full(self.size, off, np.int64)
        for d, (s, st) in enumerate(zip(self.size, self.stride)):
            shp = [1] * len(self.size)
            shp[d] = s
            idx = idx + (np.arange(s) * st).reshape(shp)
        return idx

    def backward(self, gy):
        idx = self._positions(self.rel)
        gx = gsrc = None
        if self.needs[0]:
            gx = gy.copy()
            gx.reshape(-1)[idx] = 0
        if self.needs[1]:
            gsrc = np.ascontiguousarray(gy).reshape(-1)[idx].astype(self.src_dtype, copy=False)
        return gx, gsrc


def as_strided_scatter(input: Tensor, src: Tensor, size, stride,
                       storage_offset: int | None = None) -> Tensor:
    """``input`` with ``src`` written into ``input.as_strided(size, stride, storage_offset)``
    (positions counted in the storage under ``input``, as ``as_strided``'s)."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError('mismatch in length of strides and shape')
    _check_src(size, src)
    if input._rg and not input._data.flags.c_contiguous:
        raise RuntimeError(_AS_STRIDED_GRAD)
    return AsStridedScatter(size, stride, storage_offset).apply2(input, src)
