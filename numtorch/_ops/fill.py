"""``torch.fill`` (out-of-place fill) and ``torch.empty_permuted``."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._op import Op
from .creation import empty as _empty

__all__ = ['fill', 'empty_permuted']


class Fill(Op):
    """A tensor shaped like the input holding one value. The input's gradient is zero;
    a tensor value (FillBackward1) receives the sum of the output gradient."""
    _name = 'FillBackward0'

    def __init__(self, value, np_dtype):
        self.value = value
        self.dt = np_dtype

    def forward(self, x, *v):
        self.in_shape = x.shape
        self.v_dtype = v[0].dtype if v else None
        value = v[0] if v else self.value
        return np.full(x.shape, value, self.dt)

    def backward(self, gy):
        gx = np.zeros(self.in_shape, gy.dtype) if self.needs[0] else None
        if self.v_dtype is None:
            return gx
        gv = np.asarray(gy.sum(), self.v_dtype) if self.needs[1] else None
        return gx, gv


def fill(input: Tensor, value) -> Tensor:
    """A new tensor of ``input``'s shape and dtype filled with ``value`` (a number or a
    0-dim tensor)."""
    dt = input._data.dtype
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f'fill_ only supports 0-dimension value tensor but got tensor '
                               f'with {value._data.ndim} dimensions.')
        op = Fill(None, dt)
        op._name = 'FillBackward1'
        return op.apply2(input, value)
    return Fill(value, dt).apply1(input)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """An uninitialised tensor of ``size`` whose memory holds its dims in the order
    ``physical_layout`` (outermost first), so its strides follow that order."""
    size = tuple(int(s) for s in size)
    perm = tuple(int(p) for p in physical_layout)
    if len(size) != len(perm):
        raise RuntimeError(f'Number of dimensions in size does not match the length of the '
                           f'physical_layout; i.e. len(size) = {len(size)} is not equal to '
                           f'len(physical_layout) = {len(perm)}')
    if len(set(perm)) != len(perm):
        raise RuntimeError('Duplicate dim not allowed')
    t = _empty(*[size[p] for p in perm], dtype=dtype, device=device)
    t._data = t._data.transpose(np.argsort(perm))
    if requires_grad:
        t.requires_grad_(True)
    return t
