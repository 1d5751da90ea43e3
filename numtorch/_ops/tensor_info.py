"""Top-level predicates and names of tensors: ``torch.is_nonzero``, ``is_same_size``,
``is_signed`` and ``typename``."""
from __future__ import annotations

from .._tensor import Tensor

__all__ = ['is_nonzero', 'is_same_size', 'is_signed', 'typename']


def is_nonzero(input: Tensor) -> bool:
    """Whether a one-element tensor is nonzero (emptier or larger tensors raise)."""
    return bool(input)


def is_same_size(input: Tensor, other: Tensor) -> bool:
    return input._data.shape == other._data.shape


def is_signed(input: Tensor) -> bool:
    """Whether the dtype is a signed type (floats included; bool and uint8 are not)."""
    return input.is_signed()


def typename(obj, /) -> str:
    """A tensor's type name ('torch.FloatTensor'), else the object's qualified name, its
    module named as PyTorch's (numtorch's ``numtorch.nn...`` read as ``torch.nn...``)."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, '__module__', '') or ''
    if hasattr(obj, '__qualname__'):
        qualname = obj.__qualname__
    elif hasattr(obj, '__name__'):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ''
        qualname = obj.__class__.__qualname__
    if module in ('', 'builtins'):
        return qualname
    if module == 'numtorch' or module.startswith('numtorch.'):
        module = 'torch' + module[len('numtorch'):]
    return f'{module}.{qualname}'
