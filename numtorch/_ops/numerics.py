"""Floating-point decomposition and neighbours: frexp, ldexp, nextafter; and vander."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .._dtype import get_default_dtype, int64
from ..return_types import _make
from ._op import Op, unbroadcast, promote2, broadcast_error

__all__ = ['frexp', 'ldexp', 'nextafter', 'vander']

# (the lead may move this to numtorch/return_types.py)
frexp_type = _make('frexp', ('mantissa', 'exponent'))


class Frexp(Op):
    _name = 'FrexpBackward0'

    def forward(self, x):
        m, e = np.frexp(x)
        self.saved = e
        return m, e.astype(np.int32)

    def backward(self, gm, ge=None):
        # the mantissa is x / 2^e with e piecewise constant
        return gm / np.ldexp(np.ones_like(gm), self.saved)


def frexp(input: Tensor, *, out=None):
    """``input = mantissa * 2 ** exponent`` with ``|mantissa|`` in [0.5, 1) (0, inf and NaN
    have exponent 0); the exponent is int32, as in PyTorch."""
    if out is not None:
        raise NotImplementedError("frexp's out= argument is not supported by numtorch")
    if input._data.dtype.kind != 'f':
        raise RuntimeError('torch.frexp() only supports floating-point dtypes')
    m, e = Frexp().apply(input)
    return frexp_type((m, e))


class Ldexp(Op):
    _name = 'LdexpBackward0'

    def __init__(self, edt):
        self.edt = edt

    def forward(self, x, e):
        self.saved = e
        # (a float exponent's power of two is taken in its own dtype, as PyTorch's pow)
        f = np.exp2(e.astype(self.edt if self.edt.kind == 'f' else x.dtype))
        return (x * f.astype(x.dtype)).astype(x.dtype, copy=False)

    def backward(self, gy):
        e = self.saved
        # NOTE: PyTorch's gradient is grad * pow(2, other) evaluated in other's dtype: for an
        # integer exponent a negative power is 0 there (integer pow), so is the gradient.
        if e.dtype.kind in 'iub':
            e = e.astype(np.int64)
            f = np.where(e >= 0, np.exp2(np.maximum(e, 0).astype(gy.dtype)), 0)
        else:
            f = np.exp2(e)
        return unbroadcast((gy * f).astype(gy.dtype, copy=False), self.inputs[0].shape), None


def ldexp(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``input * 2 ** other``; an integer input gives the default float dtype."""
    if out is not None:
        raise NotImplementedError("ldexp's out= argument is not supported by numtorch")
    x = input if input._data.dtype.kind == 'f' else input.to(get_default_dtype())
    edt = other._data.dtype
    if edt.kind == 'f':
        x, other = promote2(x, other)
    try:
        np.broadcast_shapes(x.shape, other.shape)
    except ValueError:
        broadcast_error(x.shape, other.shape)
    return Ldexp(edt).apply(x, other)


class Nextafter(Op):
    _name = 'NextafterBackward0'

    def forward(self, a, b):
        self.shapes = (a.shape, b.shape)
        return np.nextafter(a, b)

    def backward(self, gy):
        sa, sb = self.shapes
        return unbroadcast(gy, sa), unbroadcast(np.zeros_like(gy), sb)


def nextafter(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The next representable value after ``input`` towards ``other``."""
    if out is not None:
        raise NotImplementedError("nextafter's out= argument is not supported by numtorch")
    a, b = promote2(input, other)
    dt = a._data.dtype
    if dt.kind != 'f':
        names = {'b': 'Bool', 'u1': 'Byte', 'i1': 'Char', 'i2': 'Short', 'i4': 'Int',
                 'i8': 'Long'}
        key = 'b' if dt.kind == 'b' else f'{dt.kind}{dt.itemsize}'
        raise NotImplementedError(f'"nextafter_cpu" not implemented for \'{names[key]}\'')
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        broadcast_error(a.shape, b.shape)
    return Nextafter().apply2(a, b)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of the 1-D ``x``: columns ``x ** (N-1) ... x ** 0`` (reversed if
    ``increasing``). Bool and small integer inputs give int64, as in PyTorch. Composed (cumprod,
    cat, flip) as PyTorch composes it."""
    from .shape import cat, flip
    from .reduction import cumprod
    if x.dim() != 1:
        raise RuntimeError('x must be a one-dimensional tensor.')
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError('N must be non-negative.')
    if x._data.dtype.kind in 'biu':
        x = x.to(int64)
    ones = _wrap(np.ones((x.shape[0], min(n, 1)), x._data.dtype))
    if n > 1:
        powers = cumprod(x.unsqueeze(1).expand(x.shape[0], n - 1), 1)
        res = cat([ones, powers], 1)
    else:
        res = ones
    return res if increasing else flip(res, 1)
