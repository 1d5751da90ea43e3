"""``torch.gradient`` (central differences) and ``torch.trapz`` (trapezoid's old name).

``gradient`` is composed of tensor ops exactly as PyTorch composes it (slices, scaled
differences and one ``cat`` per dimension), so it is differentiable through the input and
through coordinate tensors, and its graph nodes carry PyTorch's names (CatBackward0 over
DivBackward0 / AddBackward0 ...).
"""
from __future__ import annotations

import numbers

from .._dtype import uint8, get_default_dtype
from .._tensor import Tensor
from .shape import cat
from .arithmetic import DivS, MulS
from .statistics import trapezoid, _scaled

__all__ = ['gradient', 'trapz']


def _sl(x: Tensor, d: int, start: int, stop: int | None = None) -> Tensor:
    """``x[..., start:stop, ...]`` along dim ``d`` (aten::slice)."""
    idx = [slice(None)] * x.dim()
    idx[d] = slice(start, stop)
    return x[tuple(idx)]


def _wrap_dim(d: int, n: int) -> int:
    m = n if n else 1
    if not -m <= d < m:
        raise IndexError(f'Dimension out of range (expected to be in range of [{-m}, {m - 1}], '
                         f'but got {d})')
    return d % m


def _check(x: Tensor, n_spacing: int | None, dims: list | None, edge_order: int) -> None:
    """PyTorch's pre_check_gradient, in its order."""
    if x.dtype == uint8:
        raise RuntimeError('torch.gradient does not support uint8 input.')
    if n_spacing is not None and dims is None and n_spacing != x.dim():
        raise RuntimeError(
            'torch.gradient expected spacing to be unspecified, a scalar, or a list of length '
            f"equal to 'self.dim() = {x.dim()}', since dim argument was not given, but got a "
            f'list of length {n_spacing}')
    if n_spacing is not None and dims is not None and n_spacing != len(dims):
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and "
            'dim arguments to have the same length, but got a spacing argument of length '
            f'{n_spacing} and a dim argument of length {len(dims)}.')
    if edge_order not in (1, 2):
        raise RuntimeError('torch.gradient only supports edge_order=1 and edge_order=2.')
    if dims is not None:
        seen = set()
        for d in dims:
            w = _wrap_dim(d, x.dim())
            if w in seen:
                raise RuntimeError(f'dim {w} appears multiple times in the list of dims')
            seen.add(w)
    for d in (range(x.dim()) if dims is None else dims):
        if x.shape[d] < edge_order + 1:
            raise RuntimeError(
                'torch.gradient expected each dimension size to be at least edge_order+1')


def _div(t: Tensor, c) -> Tensor:
    """t / c for a Python number c, as ATen's div.Scalar (DivBackward1); an integer t is
    true-divided in the default float dtype."""
    if not t.is_floating_point():
        t = t.to(get_default_dtype())
    return _scaled(t, c, DivS)


def _mul(t: Tensor, c) -> Tensor:
    """t * c for a Python number c, as ATen's mul.Scalar (MulBackward1)."""
    if isinstance(c, float) and not t.is_floating_point():
        t = t.to(get_default_dtype())
    return _scaled(t, c, MulS)


def _along_scalar(x: Tensor, d: int, h, edge_order: int) -> Tensor:
    """The derivative along ``d`` with uniform spacing ``h`` (a Python number)."""
    center = _div(_sl(x, d, 2) - _sl(x, d, 0, -2), h)
    if edge_order == 1:
        pre = _div(_sl(x, d, 1, 2) - _sl(x, d, 0, 1), h)
        app = _div(_sl(x, d, -1) - _sl(x, d, -2, -1), h)
    else:
        pre = _div(_mul(_sl(x, d, 0, 1), -1.5) + _mul(_sl(x, d, 1, 2), 2)
                   - _mul(_sl(x, d, 2, 3), 0.5), h)
        app = _div(_mul(_sl(x, d, -3, -2), 0.5) + _mul(_sl(x, d, -2, -1), -2)
                   + _mul(_sl(x, d, -1), 1.5), h)
    return cat([pre, _div(center, 2), app], d)


def _along_coords(x: Tensor, d: int, c: Tensor, edge_order: int) -> Tensor:
    """The derivative along ``d`` at sample coordinates ``c`` (a 1-D tensor): the
    second-order-accurate non-uniform central difference inside."""
    if c.dim() != 1:
        raise RuntimeError('torch.gradient expected each element of spacing to have one '
                           f'dimension, but got an element with {c.dim()} dimensions!')
    shape = [1] * x.dim()
    shape[d] = -1
    dx = c.diff(1, 0)
    dx1 = _sl(dx, 0, 0, -1)
    dx2 = _sl(dx, 0, 1)
    a = (-dx2 / (dx1 * (dx1 + dx2))).reshape(shape)
    b = ((dx2 - dx1) / (dx1 * dx2)).reshape(shape)
    cc = (dx1 / (dx2 * (dx1 + dx2))).reshape(shape)
    center = a * _sl(x, d, 0, -2) + b * _sl(x, d, 1, -1) + cc * _sl(x, d, 2)
    if edge_order == 1:
        pre = (_sl(x, d, 1, 2) - _sl(x, d, 0, 1)) / dx[0]
        app = (_sl(x, d, -1) - _sl(x, d, -2, -1)) / dx[-1]
    else:
        h0, h1 = dx[0], dx[1]
        a = -(_mul(h0, 2.0) + h1) / (h0 * (h0 + h1))
        b = (h0 + h1) / (h0 * h1)
        cc = (-h0) / (h1 * (h0 + h1))
        pre = a * _sl(x, d, 0, 1) + b * _sl(x, d, 1, 2) + cc * _sl(x, d, 2, 3)
        hl, hp = dx[-1], dx[-2]
        a = hl / (hp * (hl + hp))
        b = -(hl + hp) / (hl * hp)
        cc = (_mul(hl, 2) + hp) / (hl * (hl + hp))
        app = a * _sl(x, d, -3, -2) + b * _sl(x, d, -2, -1) + cc * _sl(x, d, -1)
    return cat([pre, center, app], d)


def gradient(input: Tensor, *, spacing=None, dim=None, edge_order: int = 1) -> tuple:
    """Estimates the derivative of the function sampled by ``input`` along each of ``dim``
    (all dims by default), by central differences inside and one-sided differences of
    order ``edge_order`` (1 or 2) at the ends.

    ``spacing`` is one number (uniform spacing for every dim), a list of numbers (one per
    dim), or a list of 1-D coordinate tensors (one per dim). Returns a tuple of tensors,
    one per differentiated dim.
    """
    if isinstance(spacing, Tensor):
        raise TypeError('gradient(): argument \'spacing\' must be a number or a tuple of '
                        'numbers or tensors, not Tensor')
    dims = None if dim is None else ([dim] if isinstance(dim, numbers.Integral)
                                     else list(dim))
    if spacing is None or isinstance(spacing, numbers.Number):
        n = None if spacing is None else (1 if dims is not None else input.dim())
        h = 1.0 if spacing is None else spacing
        _check(input, n, dims, edge_order)
        todo = range(input.dim()) if dims is None else dims
        return tuple(_along_scalar(input, _wrap_dim(d, input.dim()), h, edge_order)
                     for d in todo)
    spacing = list(spacing)
    _check(input, len(spacing), dims, edge_order)
    todo = range(input.dim()) if dims is None else dims
    out = []
    for d, s in zip(todo, spacing):
        d = _wrap_dim(d, input.dim())
        if isinstance(s, Tensor):
            out.append(_along_coords(input, d, s, edge_order))
        else:
            out.append(_along_scalar(input, d, s, edge_order))
    return tuple(out)


def trapz(y: Tensor, x: Tensor | None = None, *, dx: float | None = None,
          dim: int = -1) -> Tensor:
    """The older name of :func:`trapezoid` (``trapz(y, x, dim=)`` or ``trapz(y, dx=, dim=)``;
    unlike trapezoid it takes x and dx not both, by signature)."""
    if x is not None and dx is not None:
        raise TypeError('trapz() received an invalid combination of arguments - got both '
                        "'x' and 'dx', but expected one of:\n"
                        ' * (Tensor y, *, float dx = 1, int dim = -1)\n'
                        ' * (Tensor y, Tensor x, *, int dim = -1)\n')
    return trapezoid(y, x, dx=dx, dim=dim)
