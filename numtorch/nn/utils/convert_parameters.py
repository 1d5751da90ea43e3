"""Flattening parameters into one vector and back."""
from __future__ import annotations

from typing import Iterable

from ..._tensor import Tensor
from ..._ops.shape import cat

__all__ = ['parameters_to_vector', 'vector_to_parameters']


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D tensor (differentiable)."""
    return cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Sets each parameter's data to its slice of ``vec`` (in iteration order)."""
    if not isinstance(vec, Tensor):
        from ..modules.module import _typename
        raise TypeError(f'expected torch.Tensor, but got: {_typename(vec)}')
    pointer = 0
    for p in parameters:
        n = p.numel()
        p.data = vec[pointer:pointer + n].view_as(p).data
        pointer += n
