"""Padding layers: constant/zero, reflection, replication and circular (1-D to 3-D)."""
from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ['ConstantPad1d', 'ConstantPad2d', 'ConstantPad3d', 'ZeroPad1d', 'ZeroPad2d',
           'ZeroPad3d', 'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d',
           'ReplicationPad1d', 'ReplicationPad2d', 'ReplicationPad3d', 'CircularPad1d',
           'CircularPad2d', 'CircularPad3d']


def _ntuple(v, n: int) -> tuple:
    if isinstance(v, (list, tuple)):
        return tuple(v)
    return (v,) * n


class _ConstantPadNd(Module):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, 'constant', self.value)

    def extra_repr(self) -> str:
        return f'padding={self.padding}, value={self.value}'


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with ``value``; ``padding`` is an int or (left, right)."""

    def __init__(self, padding, value: float) -> None:
        super().__init__(value)
        self.padding = _ntuple(padding, 2)


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two dims; ``padding`` is an int or (left, right, top, bottom)."""

    def __init__(self, padding, value: float) -> None:
        super().__init__(value)
        self.padding = _ntuple(padding, 4)


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three dims; ``padding`` is an int or a 6-tuple."""

    def __init__(self, padding, value: float) -> None:
        super().__init__(value)
        self.padding = _ntuple(padding, 6)


class ZeroPad1d(ConstantPad1d):
    """Pads the last dim with zeros."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f'{self.padding}'


class ZeroPad2d(ConstantPad2d):
    """Pads the last two dims with zeros."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f'{self.padding}'


class ZeroPad3d(ConstantPad3d):
    """Pads the last three dims with zeros."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f'{self.padding}'


class _ModePadNd(Module):
    mode = ''
    n = 0

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _ntuple(padding, 2 * self.n)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f'{self.padding}'


class ReflectionPad1d(_ModePadNd):
    """Pads the last dim with its reflection (the edge not repeated)."""
    mode, n = 'reflect', 1


class ReflectionPad2d(_ModePadNd):
    """Pads the last two dims with their reflection."""
    mode, n = 'reflect', 2


class ReflectionPad3d(_ModePadNd):
    """Pads the last three dims with their reflection."""
    mode, n = 'reflect', 3


class ReplicationPad1d(_ModePadNd):
    """Pads the last dim by repeating its edge values."""
    mode, n = 'replicate', 1


class ReplicationPad2d(_ModePadNd):
    """Pads the last two dims by repeating their edges."""
    mode, n = 'replicate', 2


class ReplicationPad3d(_ModePadNd):
    """Pads the last three dims by repeating their edges."""
    mode, n = 'replicate', 3


class _CircularPadNd(_ModePadNd):
    mode = 'circular'

    def forward(self, input: Tensor) -> Tensor:
        d = input.dim()
        if d not in (self.n + 1, self.n + 2):
            raise ValueError(f'expected {self.n + 1}D or {self.n + 2}D input (got {d}D input)')
        return F.pad(input, self.padding, 'circular')


class CircularPad1d(_CircularPadNd):
    """Pads the last dim by wrapping around."""
    n = 1


class CircularPad2d(_CircularPadNd):
    """Pads the last two dims by wrapping around."""
    n = 2


class CircularPad3d(_CircularPadNd):
    """Pads the last three dims by wrapping around."""
    n = 3
