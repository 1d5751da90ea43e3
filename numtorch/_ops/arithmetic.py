"""Binary arithmetic: + - * / ** and friends, with broadcasting and PyTorch's dtype rules.

Each op has a tensor-tensor form and a tensor-scalar form (the scalar stays a
Python number, so no array is made for it and it never promotes the tensor).
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _wrap
from .._dtype import get_default_dtype, result_dtype
from .complex import cj, refuse_complex
from ._op import Op, unbroadcast, unbroadcast_t, promote2, scalar_operand, cast, broadcast_error

__all__ = ['add', 'sub', 'mul', 'div', 'true_divide', 'floor_divide', 'remainder', 'fmod',
           'pow', 'rsub', 'maximum', 'minimum', 'fmax', 'fmin', 'lerp', 'addcmul', 'addcdiv',
           'where', 'atan2', 'hypot', 'xlogy', 'copysign', 'logaddexp', 'logaddexp2',
           'heaviside', 'float_power', 'gcd', 'lcm']


# -- add / sub ---------------------------------------------------------------
class Add(Op):
    _name = 'AddBackward0'
    complex_ok = True

    def forward(self, a, b):
        self.sa = a.shape
        self.sb = b.shape
        return a + b

    def backward(self, gy):
        n = self.needs
        return (unbroadcast(gy, self.sa) if n[0] else None,
                unbroadcast(gy, self.sb) if n[1] else None)

    def backward_t(self, gy):
        return unbroadcast_t(gy, self.sa), unbroadcast_t(gy, self.sb)


class AddScaled(Op):
    """a + alpha * b (torch.add with alpha)."""
    _name = 'AddBackward0'
    complex_ok = True

    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, a, b):
        self.sa = a.shape
        self.sb = b.shape
        return a + self.alpha * b

    def backward(self, gy):
        return unbroadcast(gy, self.sa), unbroadcast(gy * self.alpha.conjugate(), self.sb)

    def backward_t(self, gy):
        return unbroadcast_t(gy, self.sa), unbroadcast_t(gy * self.alpha, self.sb)


class AddS(Op):
    _name = 'AddBackward0'
    complex_ok = True

    def __init__(self, c):
        self.c = c

    def forward(self, a):
        return a + self.c

    def backward(self, gy):
        return gy

    def backward_t(self, gy):
        return gy


class Sub(Op):
    _name = 'SubBackward0'
    complex_ok = True

    def forward(self, a, b):
        self.sa = a.shape
        self.sb = b.shape
        return a - b

    def backward(self, gy):
        n = self.needs
        return (unbroadcast(gy, self.sa) if n[0] else None,
                unbroadcast(-gy, self.sb) if n[1] else None)

    def backward_t(self, gy):
        return unbroadcast_t(gy, self.sa), unbroadcast_t(-gy, self.sb)


class RSubS(Op):
    """c - a for a Python scalar c."""
    _name = 'RsubBackward1'
    complex_ok = True

    def __init__(self, c):
        self.c = c

    def forward(self, a):
        return self.c - a

    def backward(self, gy):
        return -gy

    def backward_t(self, gy):
        return -gy


# -- mul / div ---------------------------------------------------------------
class Mul(Op):
    _name = 'MulBackward0'
    complex_ok = True
    checks = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return a * b

    def backward(self, gy):
        a, b = self.saved
        n = self.needs
        return (unbroadcast(gy * cj(b), a.shape) if n[0] else None,
                unbroadcast(gy * cj(a), b.shape) if n[1] else None)

    def backward_t(self, gy):
        a, b = self.inputs
        return unbroadcast_t(gy * b, a.shape), unbroadcast_t(gy * a, b.shape)


class MulS(Op):
    _name = 'MulBackward0'
    complex_ok = True

    def __init__(self, c):
        self.c = c

    def forward(self, a):
        return a * self.c

    def backward(self, gy):
        return gy * self.c.conjugate()

    def backward_t(self, gy):
        return gy * self.c


class Div(Op):
    _name = 'DivBackward0'
    complex_ok = True
    checks = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return a / b

    def backward(self, gy):
        a, b = self.saved
        n = self.needs
        cb = cj(b)
        ga = gy / cb
        return (unbroadcast(ga, a.shape) if n[0] else None,
                unbroadcast(-ga * cj(a) / cb, b.shape) if n[1] else None)

    def backward_t(self, gy):
        a, b = self.inputs
        ga = gy / b
        return unbroadcast_t(ga, a.shape), unbroadcast_t(-ga * a / b, b.shape)


class DivS(Op):
    _name = 'DivBackward0'
    complex_ok = True

    def __init__(self, c):
        self.c = c

    def forward(self, a):
        return a / self.c

    def backward(self, gy):
        return gy / self.c.conjugate()

    def backward_t(self, gy):
        return gy / self.c


class RDivS(Op):
    """c / a for a Python scalar c."""
    _name = 'MulBackward0'
    complex_ok = True
    saves_out = True

    def __init__(self, c):
        self.c = c

    def forward(self, a):
        y = self.c / a
        self.saved = (a, y)
        return y

    def backward(self, gy):
        a, y = self.saved
        return -gy * cj(y / a)

    def backward_t(self, gy):
        a, = self.inputs
        return -gy * self.c / (a * a)


# -- pow -----------------------------------------------------------------------
class PowS(Op):
    """a ** c for a Python scalar exponent c."""
    _name = 'PowBackward0'
    complex_ok = True
    checks = (0,)

    def __init__(self, c):
        self.c = c

    def forward(self, a):
        self.saved = a
        return a ** self.c

    def backward(self, gy):
        a = self.saved
        c = self.c
        if c == 0:
            return np.zeros_like(gy)
        if c == 2:
            return gy * cj(a + a)
        return gy * cj(c * a ** (c - 1))

    def backward_t(self, gy):
        a, = self.inputs
        c = self.c
        if c == 0:
            return gy * 0
        return gy * (c * a ** (c - 1))


class Pow(Op):
    _name = 'PowBackward1'
    complex_ok = True
    checks = (0, 1)
    saves_out = True

    def forward(self, a, b):
        y = int_pow(a, b, a.dtype) if a.dtype.kind in 'iu' else a ** b
        self.saved = (a, b, y)
        return y

    def backward(self, gy):
        a, b, y = self.saved
        n = self.needs
        ga = gb = None
        if n[0]:
            ga = unbroadcast(gy * cj(np.where(b == 0, 0, b * a ** (b - 1))), a.shape)
        if n[1]:
            # NOTE: 0 ** b has derivative 0 in b for b >= 0 (PyTorch masks log(0) there).
            with np.errstate(divide='ignore', invalid='ignore'):
                lg = np.where((a == 0) & (np.real(b) >= 0), 0, y * np.log(a))
            gb = unbroadcast(gy * cj(lg), b.shape)
        return ga, gb

    def backward_t(self, gy):
        a, b = self.inputs
        y = a ** b
        return (unbroadcast_t(gy * b * a ** (b - 1), a.shape),
                unbroadcast_t(gy * y * a.log(), b.shape))


class RPowS(Op):
    """c ** a for a Python scalar base c."""
    _name = 'PowBackward2'
    complex_ok = True
    saves_out = True

    def __init__(self, c):
        self.c = c

    def forward(self, a):
        y = (int_pow(self.c, a, a.dtype) if a.dtype.kind in 'iu'
             else np.power(np.asarray(self.c, a.dtype), a))
        self.saved = y
        return y

    def backward(self, gy):
        return gy * cj(self.saved * np.log(np.asarray(self.c, self.saved.dtype)))

    def backward_t(self, gy):
        a, = self.inputs
        return gy * (self.c ** a) * float(np.log(self.c))


# -- maximum / minimum / lerp / where -----------------------------------------
def int_pow(base, exp, dt):
    """Integer power with PyTorch's rule for negative exponents: 1 ** -n = 1,
    (-1) ** -n = +-1, any other base ** -n = 0 (NumPy refuses these)."""
    base = np.asarray(base)
    exp = np.asarray(exp)
    neg = exp < 0
    if not neg.any():
        return np.power(base, exp).astype(dt, copy=False)
    y = np.power(base, np.where(neg, 0, exp)).astype(dt, copy=False)
    small = np.where(base == -1, np.where(exp % 2 == 0, 1, -1), np.where(base == 1, 1, 0))
    return np.where(neg, small, y).astype(dt, copy=False)


class _MaxMin(Op):
    checks = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return self.fn(a, b)

    def backward(self, gy):
        a, b = self.saved
        # NOTE: ties split the gradient evenly, as PyTorch does.
        pick = self.cmp(a, b).astype(gy.dtype)
        tie = (a == b).astype(gy.dtype) * 0.5
        wa = pick + tie
        wb = 1 - pick - tie
        n = self.needs
        return (unbroadcast(gy * wa, a.shape) if n[0] else None,
                unbroadcast(gy * wb, b.shape) if n[1] else None)

    def backward_t(self, gy):
        a, b = self.inputs
        wa = _wrap(self.cmp(a._data, b._data) + (a._data == b._data) * 0.5).to(gy.dtype)
        return unbroadcast_t(gy * wa, a.shape), unbroadcast_t(gy * (1 - wa), b.shape)


class Maximum(_MaxMin):
    _name = 'MaximumBackward0'
    fn = staticmethod(np.maximum)
    cmp = staticmethod(np.greater)


class Minimum(_MaxMin):
    _name = 'MinimumBackward0'
    fn = staticmethod(np.minimum)
    cmp = staticmethod(np.less)


class Where(Op):
    _name = 'WhereBackward0'
    complex_ok = True

    def __init__(self, cond):
        self.cond = cond

    def forward(self, a, b):
        self.sa = a.shape
        self.sb = b.shape
        return np.where(self.cond, a, b)

    def backward(self, gy):
        c = self.cond
        z = np.zeros((), gy.dtype)
        n = self.needs
        return (unbroadcast(np.where(c, gy, z), self.sa) if n[0] else None,
                unbroadcast(np.where(c, z, gy), self.sb) if n[1] else None)

    def backward_t(self, gy):
        c = _wrap(self.cond)
        z = gy.new_zeros(())
        return (unbroadcast_t(where(c, gy, z), self.sa),
                unbroadcast_t(where(c, z, gy), self.sb))


def _lerp(s, e, w):
    """PyTorch's CPU lerp: ``fma(w, e - s, s)`` for ``|w| < 0.5``, else
    ``fma(w - 1, e - s, e)`` (accurate near both ends)."""
    # NOTE: for float32/float16 the product of two float32 values is exact in float64, so
    # computing there and rounding once gives the fused multiply-add bit for bit.
    dt = s.dtype
    if dt == np.float64 or dt.kind == 'c':
        d = e - s
        return np.where(np.abs(w) < 0.5, s + w * d, e - d * (1 - w))
    f32 = np.float32
    s32, e32 = s.astype(f32, copy=False), e.astype(f32, copy=False)
    w32 = w.astype(f32) if isinstance(w, np.ndarray) else f32(w)
    small = np.abs(w32) < 0.5
    coeff = np.where(small, w32, w32 - f32(1)).astype(np.float64)
    r = coeff * (e32 - s32).astype(np.float64) + np.where(small, s32, e32)
    return r.astype(f32).astype(dt, copy=False)


class Lerp(Op):
    """start + weight * (end - start), weight a tensor."""
    _name = 'LerpBackward1'
    complex_ok = True
    checks = (0, 1, 2)

    def forward(self, s, e, w):
        self.saved = (s, e, w)
        return _lerp(s, e, w)

    def backward(self, gy):
        s, e, w = self.saved
        n = self.needs
        cw = cj(w)
        return (unbroadcast(gy * (1 - cw), s.shape) if n[0] else None,
                unbroadcast(gy * cw, e.shape) if n[1] else None,
                unbroadcast(gy * cj(e - s), w.shape) if n[2] else None)

    def backward_t(self, gy):
        s, e, w = self.inputs
        n = self.needs
        return (unbroadcast_t(gy * (1 - w), s.shape) if n[0] else None,
                unbroadcast_t(gy * w, e.shape) if n[1] else None,
                unbroadcast_t(gy * (e - s), w.shape) if n[2] else None)


class LerpS(Op):
    _name = 'LerpBackward0'
    complex_ok = True

    def __init__(self, w):
        self.w = w

    def forward(self, s, e):
        self.sa = s.shape
        self.sb = e.shape
        return _lerp(s, e, self.w)

    def backward(self, gy):
        w = self.w.conjugate()
        return unbroadcast(gy * (1 - w), self.sa), unbroadcast(gy * w, self.sb)

    def backward_t(self, gy):
        return unbroadcast_t(gy * (1 - self.w), self.sa), unbroadcast_t(gy * self.w, self.sb)


class Atan2(Op):
    _name = 'Atan2Backward0'
    checks = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return np.arctan2(a, b)

    def backward(self, gy):
        a, b = self.saved
        d = gy / (a * a + b * b)
        return unbroadcast(d * b, a.shape), unbroadcast(-d * a, b.shape)

    def backward_t(self, gy):
        a, b = self.inputs
        d = gy / (a * a + b * b)
        return unbroadcast_t(d * b, a.shape), unbroadcast_t(-d * a, b.shape)


class Hypot(Op):
    _name = 'HypotBackward0'
    checks = (0, 1)
    saves_out = True

    def forward(self, a, b):
        y = np.hypot(a, b)
        self.saved = (a, b, y)
        return y

    def backward(self, gy):
        a, b, y = self.saved
        return unbroadcast(gy * a / y, a.shape), unbroadcast(gy * b / y, b.shape)

    def backward_t(self, gy):
        a, b = self.inputs
        y = hypot(a, b)
        return unbroadcast_t(gy * a / y, a.shape), unbroadcast_t(gy * b / y, b.shape)


class Xlogy(Op):
    _name = 'XlogyBackward0'
    checks = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        with np.errstate(divide='ignore', invalid='ignore'):
            return np.where(a == 0, np.zeros((), a.dtype), a * np.log(b)).astype(a.dtype)

    def backward(self, gy):
        a, b = self.saved
        with np.errstate(divide='ignore', invalid='ignore'):
            ga = np.where(a == 0, 0, gy * np.log(b)).astype(gy.dtype)
            gb = gy * a / b
        return unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)

    def backward_t(self, gy):
        a, b = self.inputs
        ga = (gy * b.log()).masked_fill(a == 0, 0)
        return unbroadcast_t(ga, a.shape), unbroadcast_t(gy * a / b, b.shape)


class Remainder(Op):
    _name = 'RemainderBackward0'

    def __init__(self, fn, tensor_other: bool):
        self.fn = fn
        # PyTorch's node: Fmod/Remainder, Backward0 for a scalar divisor, 1 for a tensor
        self._name = (('FmodBackward' if fn is np.fmod else 'RemainderBackward')
                      + ('1' if tensor_other else '0'))

    def forward(self, a, b):
        self.saved = (a, b)
        return self.fn(a, b)

    def backward(self, gy):
        a, b = self.saved
        # (floor_divide, as PyTorch's floor division, is NaN for an infinite dividend)
        with np.errstate(divide='ignore', invalid='ignore'):
            q = np.floor_divide(a, b) if self.fn is np.remainder else np.trunc(a / b)
        return unbroadcast(gy, a.shape), unbroadcast(-gy * q, b.shape)

    def backward_t(self, gy):
        a, b = self.inputs
        with np.errstate(divide='ignore', invalid='ignore'):
            q = _wrap(np.floor_divide(a._data, b._data) if self.fn is np.remainder
                      else np.trunc(a._data / b._data))
        return unbroadcast_t(gy, a.shape), unbroadcast_t(-gy * q, b.shape)


class Addcmul(Op):
    """input + value * t1 * t2."""
    _name = 'AddcmulBackward0'
    checks = (1, 2)

    def __init__(self, value):
        self.value = value

    def forward(self, x, t1, t2):
        self.saved = (x.shape, t1, t2)
        return x + self.value * t1 * t2

    def backward(self, gy):
        sx, t1, t2 = self.saved
        v = self.value
        return (unbroadcast(gy, sx), unbroadcast(gy * v * t2, t1.shape),
                unbroadcast(gy * v * t1, t2.shape))

    def backward_t(self, gy):
        x, t1, t2 = self.inputs
        v = self.value
        return (unbroadcast_t(gy, x.shape), unbroadcast_t(gy * v * t2, t1.shape),
                unbroadcast_t(gy * v * t1, t2.shape))


class Addcdiv(Op):
    """input + value * t1 / t2."""
    _name = 'AddcdivBackward0'
    checks = (1, 2)

    def __init__(self, value):
        self.value = value

    def forward(self, x, t1, t2):
        self.saved = (x.shape, t1, t2)
        return x + self.value * t1 / t2

    def backward(self, gy):
        sx, t1, t2 = self.saved
        v = self.value
        g1 = gy * v / t2
        return (unbroadcast(gy, sx), unbroadcast(g1, t1.shape),
                unbroadcast(-g1 * t1 / t2, t2.shape))

    def backward_t(self, gy):
        x, t1, t2 = self.inputs
        g1 = gy * self.value / t2
        return (unbroadcast_t(gy, x.shape), unbroadcast_t(g1, t1.shape),
                unbroadcast_t(-g1 * t1 / t2, t2.shape))


# -- the public functions -----------------------------------------------------
def _nd(x):
    """A NumPy array operand becomes a tensor (as PyTorch treats it); others pass."""
    return _wrap(x) if type(x) is np.ndarray else x


def _binary(op, a, b):
    """Runs a tensor-tensor op after PyTorch's promotion, with PyTorch's broadcast error."""
    if a._data.dtype is not b._data.dtype:
        a, b = promote2(a, b)
    try:
        return op.apply2(a, b)
    except ValueError:
        broadcast_error(a.shape, b.shape)
        raise


def add(input: Tensor, other, *, alpha=1, out=None) -> Tensor:
    """Adds ``other``, scaled by ``alpha``, to ``input``, broadcasting."""
    other = _nd(other)
    if out is not None:
        return _out(add(input, other, alpha=alpha), out)
    if isinstance(other, Tensor):
        if alpha == 1:
            return _binary(Add(), input, other)
        return _binary(AddScaled(alpha), input, other)
    x, c = scalar_operand(input, other if alpha == 1 else other * alpha)
    return AddS(c).apply1(x)


def sub(input: Tensor, other, *, alpha=1, out=None) -> Tensor:
    """Subtracts ``other``, scaled by ``alpha``, from ``input``."""
    other = _nd(other)
    if out is not None:
        return _out(sub(input, other, alpha=alpha), out)
    if isinstance(other, Tensor):
        if input.dtype.name == 'bool' and other.dtype.name == 'bool':
            raise RuntimeError('Subtraction, the `-` operator, with two bool tensors is not '
                               'supported. Use the `^` or `logical_xor()` operator instead.')
        if alpha == 1:
            op = Sub()
        else:
            op = AddScaled(-alpha)
            op._name = 'SubBackward0'
        return _binary(op, input, other)
    if input._data.dtype.kind == 'b':
        raise RuntimeError('Subtraction, the `-` operator, with a bool tensor is not supported. '
                           'If you are trying to invert a mask, use the `~` or `logical_not()` '
                           'operator instead.')
    x, c = scalar_operand(input, other if alpha == 1 else other * alpha)
    op = AddS(-c)
    op._name = 'SubBackward0'
    return op.apply1(x)


def rsub(input: Tensor, other, *, alpha=1) -> Tensor:
    """``other - alpha * input``."""
    other = _nd(other)
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    x, c = scalar_operand(input, other)
    if alpha != 1:
        x = mul(x, alpha)
    return RSubS(c).apply1(x)


def rdiv(input: Tensor, other) -> Tensor:
    """``other / input`` (the reflected ``/``)."""
    other = _nd(other)
    if isinstance(other, Tensor):
        return div(other, input)
    x, c = scalar_operand(input, other)
    return RDivS(c).apply1(_to_float(x))


def mul(input: Tensor, other, *, out=None) -> Tensor:
    """Multiplies ``input`` by ``other`` element-wise, broadcasting."""
    other = _nd(other)
    if out is not None:
        return _out(mul(input, other), out)
    if isinstance(other, Tensor):
        return _binary(Mul(), input, other)
    x, c = scalar_operand(input, other)
    return MulS(c).apply1(x)


def _to_float(t: Tensor) -> Tensor:
    if t._data.dtype.kind in 'biu':
        return cast(t, get_default_dtype().np)
    return t


def div(input: Tensor, other, *, rounding_mode=None, out=None) -> Tensor:
    """Divides ``input`` by ``other``; integer inputs give a float result unless
    ``rounding_mode`` is ``'trunc'`` or ``'floor'``."""
    other = _nd(other)
    if out is not None:
        return _out(div(input, other, rounding_mode=rounding_mode), out)
    if rounding_mode is not None:
        if rounding_mode not in ('trunc', 'floor'):
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or "
                             f"'floor' but found '{rounding_mode}'")
        return _rounded_div(input, other, rounding_mode)
    if isinstance(other, Tensor):
        a, b = promote2(input, other) if input._data.dtype is not other._data.dtype else \
            (input, other)
        return _binary(Div(), _to_float(a), _to_float(b))
    x, c = scalar_operand(input, other)
    return DivS(c).apply1(_to_float(x))


true_divide = div
divide = div
subtract = sub
multiply = mul


def _rounded_div(input, other, mode):
    from .unary import trunc, floor
    if isinstance(other, Tensor):
        a, b = promote2(input, other)
    else:
        a, b = scalar_operand(input, other)
    ad = a._data
    bd = b._data if isinstance(b, Tensor) else b
    if ad.dtype.kind in 'iu':
        if np.any(np.asarray(bd) == 0):
            raise RuntimeError('ZeroDivisionError')
        q = np.floor_divide(ad, bd)
        if mode == 'trunc':
            q = q + ((np.remainder(ad, bd) != 0) & ((ad < 0) != (np.asarray(bd) < 0)))
        return _wrap(q.astype(ad.dtype, copy=False))
    q = div(a, b)
    return trunc(q) if mode == 'trunc' else floor(q)


def floor_divide(input: Tensor, other, *, out=None) -> Tensor:
    """Division rounded down (``//``)."""
    other = _nd(other)
    _refuse2(input, other, 'div_floor')
    r = div(input, other, rounding_mode='floor')
    return r if out is None else _out(r, out)


def _refuse2(a: Tensor, b, name: str) -> None:
    """PyTorch's error for a binary op it does not define on complex operands."""
    if isinstance(b, complex) or (isinstance(b, Tensor) and b._data.dtype.kind == 'c'):
        if a._data.dtype.kind != 'c':
            a = cast(a, result_dtype((a, b)).np)
    refuse_complex(a, f'"{name}_cpu" not implemented for ' + "'{T}'")


def _rem(fn, input, other):
    _refuse2(input, other, fn.__name__)
    if isinstance(other, Tensor):
        a, b = promote2(input, other)
        if a._data.dtype.kind == 'f':
            return _binary(Remainder(fn, True), a, b)
        return _wrap(fn(a._data, b._data))
    x, c = scalar_operand(input, other)
    if x._data.dtype.kind == 'f':
        return _binary(Remainder(fn, False), x, _wrap(np.asarray(c, x._data.dtype)))
    return _wrap(fn(x._data, c).astype(x._data.dtype, copy=False))


def remainder(input: Tensor, other, *, out=None) -> Tensor:
    """Python-style modulus: the result has the sign of the divisor."""
    other = _nd(other)
    r = _rem(np.remainder, input, other)
    return r if out is None else _out(r, out)


def fmod(input: Tensor, other, *, out=None) -> Tensor:
    """C-style modulus: the result has the sign of the dividend."""
    other = _nd(other)
    r = _rem(np.fmod, input, other)
    return r if out is None else _out(r, out)


def pow(input, exponent, *, out=None) -> Tensor:
    """Raises ``input`` to ``exponent`` element-wise (either may be a scalar)."""
    exponent = _nd(exponent)
    if out is not None:
        return _out(pow(input, exponent), out)
    if not isinstance(input, Tensor):
        x, c = scalar_operand(exponent, input)
        return RPowS(c).apply1(_to_float(x) if isinstance(c, float) else x)
    if isinstance(exponent, Tensor):
        return _binary(Pow(), *promote2(input, exponent))
    x, c = scalar_operand(input, exponent)
    if x._data.dtype.kind in 'iub' and isinstance(c, int) and c < 0:
        raise RuntimeError('Integers to negative integer powers are not allowed.')
    return PowS(c).apply1(x)


def maximum(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Element-wise maximum of two tensors."""
    if input._data.dtype.kind == 'c' or other._data.dtype.kind == 'c':
        raise RuntimeError('maximum not implemented for complex tensors.')
    r = _binary(Maximum(), input, other)
    return r if out is None else _out(r, out)


def minimum(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Element-wise minimum of two tensors."""
    if input._data.dtype.kind == 'c' or other._data.dtype.kind == 'c':
        raise RuntimeError('minimum not implemented for complex tensors.')
    r = _binary(Minimum(), input, other)
    return r if out is None else _out(r, out)


def fmax(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Element-wise maximum that ignores NaN where the other value is a number."""
    if input._data.dtype.kind == 'c' or other._data.dtype.kind == 'c':
        raise RuntimeError('fmax not implemented for complex tensors.')
    a, b = promote2(input, other)
    r = where(np.isnan(a._data) | (b._data > a._data), b, a)
    return r if out is None else _out(r, out)


def fmin(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Element-wise minimum that ignores NaN where the other value is a number."""
    if input._data.dtype.kind == 'c' or other._data.dtype.kind == 'c':
        raise RuntimeError('fmin not implemented for complex tensors.')
    a, b = promote2(input, other)
    r = where(np.isnan(a._data) | (b._data < a._data), b, a)
    return r if out is None else _out(r, out)


def where(condition, input=None, other=None, *, out=None):
    """Picks ``input`` where ``condition`` holds and ``other`` elsewhere; with only a
    condition, returns the indices where it holds (like ``nonzero(as_tuple=True)``)."""
    from .indexing import nonzero
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(f'where expected condition to be a boolean tensor, but got a '
                           f'tensor with dtype {condition.dtype.name.capitalize()}')
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError('where(): expected at least one of input and other to be a Tensor')
    if not isinstance(input, Tensor):
        other, c = scalar_operand(other, input)
        input = _wrap(np.asarray(c, other._data.dtype))
    elif not isinstance(other, Tensor):
        input, c = scalar_operand(input, other)
        other = _wrap(np.asarray(c, input._data.dtype))
    a, b = promote2(input, other)
    shape = np.broadcast_shapes(cond.shape, a.shape, b.shape)
    op = Where(np.broadcast_to(cond, shape))
    r = op.apply2(a, b)
    return r if out is None else _out(r, out)


def lerp(input: Tensor, end: Tensor, weight, *, out=None) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``."""
    if isinstance(weight, Tensor):
        r = Lerp().apply(input, end, weight)
    else:
        r = _binary(LerpS(weight), input, end)
    return r if out is None else _out(r, out)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 * tensor2``."""
    r = Addcmul(value).apply(input, tensor1, tensor2)
    return r if out is None else _out(r, out)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 / tensor2``."""
    r = Addcdiv(value).apply(input, tensor1, tensor2)
    return r if out is None else _out(r, out)


def atan2(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Element-wise arctangent of ``input / other`` with the quadrant from both signs."""
    _refuse2(input, other, 'atan2')
    r = _binary(Atan2(), _to_float(input), _to_float(other))
    return r if out is None else _out(r, out)


arctan2 = atan2


class LogAddExp(Op):
    """log(e^a + e^b), or with ``base2`` log2(2^a + 2^b), without overflow."""
    checks = (0, 1)

    def __init__(self, base2: bool):
        self.base2 = base2
        self._name = 'Logaddexp2Backward0' if base2 else 'LogaddexpBackward0'

    def forward(self, a, b):
        self.saved = (a, b)
        return np.logaddexp2(a, b) if self.base2 else np.logaddexp(a, b)

    def backward(self, gy):
        a, b = self.saved
        # d/da = 1 / (1 + base^(b - a)), the softmax weight of a
        with np.errstate(over='ignore'):
            wa = 1 / (1 + (np.exp2(b - a) if self.base2 else np.exp(b - a)))
        wa = wa.astype(gy.dtype, copy=False)
        return unbroadcast(gy * wa, a.shape), unbroadcast(gy * (1 - wa), b.shape)

    def backward_t(self, gy):
        a, b = self.inputs
        d = b - a
        wa = 1 / (1 + (d * math.log(2)).exp() if self.base2 else 1 + d.exp())
        return unbroadcast_t(gy * wa, a.shape), unbroadcast_t(gy * (1 - wa), b.shape)


def _logaddexp(input: Tensor, other: Tensor, base2: bool, name: str) -> Tensor:
    if not isinstance(other, Tensor):
        other = _wrap(np.asarray(other, input._data.dtype))
    for t in (input, other):
        if t._data.dtype.kind != 'f':
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                      f"'{t.type()[6:-6]}'")
    return _binary(LogAddExp(base2), input, other)


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """log(exp(input) + exp(other)) element-wise, without overflow."""
    return _logaddexp(input, other, False, 'logaddexp')


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """log2(2**input + 2**other) element-wise, without overflow."""
    return _logaddexp(input, other, True, 'logaddexp2')


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """The step function: 0 where ``input`` < 0, 1 where > 0, ``values`` where 0."""
    if input._data.dtype.kind == 'c' or values._data.dtype.kind == 'c':
        raise RuntimeError('heaviside is not yet implemented for complex tensors.')
    if input._data.dtype != values._data.dtype:
        raise RuntimeError('heaviside is not yet implemented for tensors with different '
                           'dtypes.')
    return _wrap(np.heaviside(input._data, values._data).astype(input._data.dtype))


def _integer_pair(name: str, a: Tensor, b: Tensor) -> tuple:
    for t in (a, b):
        if t._data.dtype.kind not in 'iu':
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{t.type()[6:-6]}\'')
    return a._data, b._data


def gcd(input: Tensor, other: Tensor) -> Tensor:
    """The greatest common divisor of each pair of integers (non-negative)."""
    a, b = _integer_pair('gcd', input, other)
    return _wrap(np.gcd(a, b))


def lcm(input: Tensor, other: Tensor) -> Tensor:
    """The least common multiple of each pair of integers (non-negative)."""
    a, b = _integer_pair('lcm', input, other)
    return _wrap(np.lcm(a, b))


def float_power(input, exponent) -> Tensor:
    """``input ** exponent`` computed in double precision (the result is float64, or
    complex128 when either is complex)."""
    cx = any(isinstance(v, complex) or (isinstance(v, Tensor) and v._data.dtype.kind == 'c')
             for v in (input, exponent))
    a = (input.cdouble() if cx else input.double()) if isinstance(input, Tensor) else input
    b = exponent
    if isinstance(b, Tensor):
        b = b.cdouble() if cx else b.double()
    elif not isinstance(b, complex):
        b = float(b)
    return pow(a, b)


def hypot(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``sqrt(input**2 + other**2)`` element-wise."""
    _refuse2(input, other, 'hypot')
    r = _binary(Hypot(), input, other)
    return r if out is None else _out(r, out)


def xlogy(input, other, *, out=None) -> Tensor:
    """``input * log(other)``, defined as 0 where ``input`` is 0."""
    if isinstance(input, Tensor):
        _refuse2(input, other, 'xlogy')
    if not isinstance(other, Tensor):
        other = _wrap(np.asarray(other, get_default_dtype().np))
    if not isinstance(input, Tensor):
        input = _wrap(np.asarray(input, other._data.dtype))
    r = _binary(Xlogy(), _to_float(input), _to_float(other))
    return r if out is None else _out(r, out)


class Copysign(Op):
    """|a| with the sign of b; b gets a zero gradient."""
    _name = 'CopysignBackward0'
    checks = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return np.copysign(a, b)

    def backward(self, gy):
        a, b = self.saved
        ga = gy * np.where(a == 0, 0, np.sign(a) * np.where(np.signbit(b), -1, 1))
        return unbroadcast(ga.astype(gy.dtype, copy=False), a.shape), \
            unbroadcast(np.zeros_like(gy), b.shape)

    def backward_t(self, gy):
        a, b = self.inputs
        # (the factor is piecewise constant: no gradient of its own)
        f = np.where(a._data == 0, 0, np.sign(a._data) * np.where(np.signbit(b._data), -1, 1))
        return (unbroadcast_t(gy * _wrap(f.astype(gy._data.dtype)), a.shape),
                unbroadcast_t(gy * 0, b.shape))


def copysign(input: Tensor, other, *, out=None) -> Tensor:
    """``input``'s magnitude with ``other``'s sign."""
    _refuse2(input, other, 'copysign')
    if not isinstance(other, Tensor):
        other = _wrap(np.asarray(other, get_default_dtype().np if isinstance(other, float)
                                 else input._data.dtype))
    r = _binary(Copysign(), _to_float(input), _to_float(other))
    return r if out is None else _out(r, out)


def _out(result: Tensor, out: Tensor) -> Tensor:
    """Writes a result into ``out=`` as PyTorch does (resizing an empty ``out``)."""
    from .._tensor import _write_out
    return _write_out(result, out)
