"""torch.autograd.Variable: kept for old code; it makes and recognises plain tensors."""
from __future__ import annotations

from .._tensor import Tensor, _wrap, _as_view

__all__ = ['Variable']


class _VariableMeta(type):
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor)

    def __call__(cls, data: Tensor, requires_grad: bool = False, volatile: bool = False):
        if not isinstance(data, Tensor):
            raise TypeError(f'Variable data has to be a tensor, but got {type(data).__name__}')
        t = _as_view(_wrap(data._data), data)
        if requires_grad:
            t.requires_grad_(True)
        return t


class Variable(metaclass=_VariableMeta):
    """``Variable(tensor, requires_grad=False)`` returns a tensor sharing ``tensor``'s data;
    since PyTorch 0.4 tensors carry autograd state themselves."""
