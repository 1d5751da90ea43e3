"""Element-wise functions of one tensor: exp, log, trig, sigmoid, relu, clamp, rounding, ...

Integer inputs to a floating function (exp, sqrt, sin, ...) give the default
float dtype, as in PyTorch.
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _wrap
from .._dtype import get_default_dtype
from ._op import Op, cast
from . import _erf
from .complex import cj

__all__ = ['neg', 'abs', 'sign', 'exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p',
           'sqrt', 'rsqrt', 'square', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh',
           'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'sigmoid', 'logit', 'relu', 'erf',
           'erfc', 'erfinv', 'reciprocal', 'floor', 'ceil', 'round', 'trunc', 'frac', 'clamp',
           'clone', 'nan_to_num', 'signbit', 'deg2rad', 'rad2deg', 'sinc']


def _float(x: Tensor) -> Tensor:
    if x._data.dtype.kind not in 'fc':
        return cast(x, get_default_dtype().np)
    return x


def _cname(x: Tensor) -> str:
    """'ComplexFloat' / 'ComplexDouble' as PyTorch's dispatch messages quote it."""
    return "'" + x.type()[6:-6] + "'"


def _no_complex(x: Tensor, msg: str, exc=NotImplementedError) -> None:
    if x._data.dtype.kind == 'c':
        raise exc(msg)


def _real_only(x: Tensor, msg: str) -> Tensor:
    """``_float(x)`` for functions PyTorch does not define for complex tensors."""
    if x._data.dtype.kind == 'c':
        raise NotImplementedError(msg)
    return _float(x)


class Neg(Op):
    _name = 'NegBackward0'
    complex_ok = True

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy

    def backward_t(self, gy):
        return -gy


class Abs(Op):
    _name = 'AbsBackward0'
    checks = (0,)
    complex_ok = True  # np.sign(z) is z / |z| for complex z: PyTorch's sgn

    def forward(self, x):
        self.saved = x
        return np.abs(x)

    def backward(self, gy):
        return gy * np.sign(self.saved)

    def backward_t(self, gy):
        return gy * self.inputs[0].sign()


class Sign(Op):
    _name = 'SignBackward0'

    def forward(self, x):
        # A bool tensor is its own sign (NumPy has no bool sign loop).
        return x.copy() if x.dtype == np.bool_ else np.sign(x)

    def backward(self, gy):
        return np.zeros_like(gy)

    def backward_t(self, gy):
        return gy * 0


class Exp(Op):
    _name = 'ExpBackward0'
    saves_out = True
    complex_ok = True

    def forward(self, x):
        y = np.exp(x)
        self.saved = y
        return y

    def backward(self, gy):
        return gy * cj(self.saved)

    def backward_t(self, gy):
        return gy * self.inputs[0].exp()


class Exp2(Op):
    _name = 'Exp2Backward0'
    saves_out = True
    complex_ok = True

    def forward(self, x):
        y = np.exp2(x)
        self.saved = y
        return y

    def backward(self, gy):
        return gy * cj(self.saved) * np.asarray(math.log(2), gy.dtype)

    def backward_t(self, gy):
        return gy * self.inputs[0].exp2() * math.log(2)


class Expm1(Op):
    _name = 'Expm1Backward0'
    saves_out = True
    complex_ok = True

    def forward(self, x):
        y = np.expm1(x)
        self.saved = y
        return y

    def backward(self, gy):
        return gy * cj(self.saved + 1)

    def backward_t(self, gy):
        return gy * self.inputs[0].exp()


class Log(Op):
    _name = 'LogBackward0'
    checks = (0,)
    complex_ok = True

    def forward(self, x):
        self.saved = x
        with np.errstate(divide='ignore', invalid='ignore'):
            return np.log(x)

    def backward(self, gy):
        with np.errstate(divide='ignore', invalid='ignore'):
            return gy / cj(self.saved)

    def backward_t(self, gy):
        return gy / self.inputs[0]


class _LogBase(Op):
    checks = (0,)
    complex_ok = True

    def forward(self, x):
        self.saved = x
        with np.errstate(divide='ignore', invalid='ignore'):
            return self.fn(x)

    def backward(self, gy):
        with np.errstate(divide='ignore', invalid='ignore'):
            return gy / (cj(self.saved) * np.asarray(self.ln, gy.dtype))

    def backward_t(self, gy):
        return gy / (self.inputs[0] * self.ln)


class Log2(_LogBase):
    _name = 'Log2Backward0'
    fn = staticmethod(np.log2)
    ln = math.log(2)


class Log10(_LogBase):
    _name = 'Log10Backward0'
    fn = staticmethod(np.log10)
    ln = math.log(10)


class Log1p(Op):
    _name = 'Log1PBackward0'
    checks = (0,)
    complex_ok = True

    def forward(self, x):
        self.saved = x
        with np.errstate(divide='ignore', invalid='ignore'):
            return np.log1p(x)

    def backward(self, gy):
        return gy / cj(self.saved + 1)

    def backward_t(self, gy):
        return gy / (self.inputs[0] + 1)


class Sqrt(Op):
    _name = 'SqrtBackward0'
    saves_out = True
    complex_ok = True

    def forward(self, x):
        with np.errstate(invalid='ignore'):
            y = np.sqrt(x)
        self.saved = y
        return y

    def backward(self, gy):
        with np.errstate(divide='ignore', invalid='ignore'):
            return gy / (2 * cj(self.saved))

    def backward_t(self, gy):
        return gy / (2 * self.inputs[0].sqrt())


class Rsqrt(Op):
    _name = 'RsqrtBackward0'
    saves_out = True
    complex_ok = True

    def forward(self, x):
        with np.errstate(divide='ignore', invalid='ignore'):
            y = 1 / np.sqrt(x)
        self.saved = y
        return y

    def backward(self, gy):
        y = cj(self.saved)
        return gy * (-0.5 * y * y * y)

    def backward_t(self, gy):
        y = self.inputs[0].rsqrt()
        return gy * (-0.5 * y * y * y)


class Sin(Op):
    _name = 'SinBackward0'
    checks = (0,)
    complex_ok = True

    def forward(self, x):
        self.saved = x
        return np.sin(x)

    def backward(self, gy):
        return gy * cj(np.cos(self.saved))

    def backward_t(self, gy):
        return gy * self.inputs[0].cos()


class Cos(Op):
    _name = 'CosBackward0'
    checks = (0,)
    complex_ok = True

    def forward(self, x):
        self.saved = x
        return np.cos(x)

    def backward(self, gy):
        return -gy * cj(np.sin(self.saved))

    def backward_t(self, gy):
        return -gy * self.inputs[0].sin()


class Tan(Op):
    _name = 'TanBackward0'
    saves_out = True
    complex_ok = True

    def forward(self, x):
        y = np.tan(x)
        self.saved = y
        return y

    def backward(self, gy):
        y = cj(self.saved)
        return gy * (1 + y * y)

    def backward_t(self, gy):
        y = self.inputs[0].tan()
        return gy * (1 + y * y)


class _TensorMath:
    """The functions ``deriv`` expressions call, on tensors (NumPy's, on arrays)."""
    sqrt = staticmethod(lambda t: t.sqrt())
    exp = staticmethod(lambda t: t.exp())
    cosh = staticmethod(lambda t: t.cosh())
    sinh = staticmethod(lambda t: t.sinh())


class _DerivFromInput(Op):
    """An op whose derivative is an expression of its input, ``deriv(x, m)`` with ``m``
    NumPy (backward) or _TensorMath (double backward: the same expression in tensor ops)."""
    checks = (0,)
    # holomorphic for complex inputs: the gradient is gy * conj(f'(x))
    complex_ok = True

    def forward(self, x):
        self.saved = x
        with np.errstate(divide='ignore', invalid='ignore'):
            return self.fn(x)

    def backward(self, gy):
        with np.errstate(divide='ignore', invalid='ignore'):
            return gy * cj(self.deriv(self.saved, np)).astype(gy.dtype, copy=False)

    def backward_t(self, gy):
        return gy * self.deriv(self.inputs[0], _TensorMath)


class Asin(_DerivFromInput):
    _name = 'AsinBackward0'
    fn = staticmethod(np.arcsin)
    deriv = staticmethod(lambda x, m: 1 / m.sqrt(1 - x * x))


class Acos(_DerivFromInput):
    _name = 'AcosBackward0'
    fn = staticmethod(np.arccos)
    deriv = staticmethod(lambda x, m: -1 / m.sqrt(1 - x * x))


class Atan(_DerivFromInput):
    _name = 'AtanBackward0'
    fn = staticmethod(np.arctan)
    deriv = staticmethod(lambda x, m: 1 / (1 + x * x))

    def backward_t(self, gy):
        x, = self.inputs
        return gy / (1 + x * x)  # (a division, as PyTorch records it)


class Sinh(_DerivFromInput):
    _name = 'SinhBackward0'
    fn = staticmethod(np.sinh)
    deriv = staticmethod(lambda x, m: m.cosh(x))


class Cosh(_DerivFromInput):
    _name = 'CoshBackward0'
    fn = staticmethod(np.cosh)
    deriv = staticmethod(lambda x, m: m.sinh(x))


class Asinh(_DerivFromInput):
    _name = 'AsinhBackward0'
    fn = staticmethod(np.arcsinh)
    deriv = staticmethod(lambda x, m: 1 / m.sqrt(x * x + 1))


class Acosh(_DerivFromInput):
    _name = 'AcoshBackward0'
    fn = staticmethod(np.arccosh)
    deriv = staticmethod(lambda x, m: 1 / m.sqrt(x * x - 1))


class Atanh(_DerivFromInput):
    _name = 'AtanhBackward0'
    fn = staticmethod(np.arctanh)
    deriv = staticmethod(lambda x, m: 1 / (1 - x * x))

    def backward_t(self, gy):
        x, = self.inputs
        return gy / (1 - x * x)  # (a division, as PyTorch records it)


class Erf(_DerivFromInput):
    _name = 'ErfBackward0'
    fn = staticmethod(_erf.erf)
    deriv = staticmethod(lambda x, m: (2 / math.sqrt(math.pi)) * m.exp(-x * x))


class Erfc(_DerivFromInput):
    _name = 'ErfcBackward0'
    fn = staticmethod(_erf.erfc)
    deriv = staticmethod(lambda x, m: (-2 / math.sqrt(math.pi)) * m.exp(-x * x))


class Erfinv(Op):
    _name = 'ErfinvBackward0'
    saves_out = True

    def forward(self, x):
        y = _erfinv(x)
        self.saved = y
        return y

    def backward(self, gy):
        y = self.saved
        return gy * ((math.sqrt(math.pi) / 2) * np.exp(y * y)).astype(gy.dtype)

    def backward_t(self, gy):
        y = self.inputs[0].erfinv()
        return gy * (math.sqrt(math.pi) / 2) * (y * y).exp()


class _Scale(Op):
    """x times a constant (deg2rad, rad2deg)."""

    def __init__(self, c: float, name: str):
        self.c = c
        self._name = name

    def forward(self, x):
        return x * x.dtype.type(self.c)

    def backward(self, gy):
        return gy * gy.dtype.type(self.c)

    def backward_t(self, gy):
        return gy * self.c


class Sinc(_DerivFromInput):
    """sin(pi x) / (pi x), 1 at 0."""
    _name = 'SincBackward0'

    @staticmethod
    def fn(x):
        px = x * x.dtype.type(math.pi)
        with np.errstate(divide='ignore', invalid='ignore'):
            return np.where(x == 0, x.dtype.type(1), np.sin(px) / px).astype(x.dtype)

    # d/dx sinc = (cos(pi x) - sinc(x)) / x, 0 at 0
    deriv = staticmethod(lambda x, m: _sinc_deriv(x, m))


def _sinc_deriv(x, m):
    if m is np:
        with np.errstate(divide='ignore', invalid='ignore'):
            return np.where(x == 0, 0, (np.cos(x * math.pi) - Sinc.fn(x)) / x).astype(x.dtype)
    zero = x == 0
    safe = x.masked_fill(zero, 1)
    return ((safe * math.pi).cos() - sinc(safe)).div(safe).masked_fill(zero, 0)


class Tanh(Op):
    _name = 'TanhBackward0'
    saves_out = True
    complex_ok = True

    def forward(self, x):
        y = np.tanh(x)
        self.saved = y
        return y

    def backward(self, gy):
        y = cj(self.saved)
        return gy * (1 - y * y)

    def backward_t(self, gy):
        y = self.inputs[0].tanh()
        return gy * (1 - y * y)


class Sigmoid(Op):
    _name = 'SigmoidBackward0'
    saves_out = True
    complex_ok = True

    def forward(self, x):
        y = sigmoid_array(x)
        self.saved = y
        return y

    def backward(self, gy):
        y = cj(self.saved)
        return gy * y * (1 - y)

    def backward_t(self, gy):
        y = self.inputs[0].sigmoid()
        return gy * y * (1 - y)


def sigmoid_array(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) without overflow warnings for large negative x."""
    with np.errstate(over='ignore'):
        y = np.exp(-x)
        if y.ndim:
            y += 1
            return np.reciprocal(y, out=y)
        return 1 / (1 + y)


class Logit(Op):
    _name = 'LogitBackward0'
    checks = (0,)

    def __init__(self, eps):
        self.eps = eps

    def forward(self, x):
        self.saved = x
        z = x if self.eps is None else np.clip(x, self.eps, 1 - self.eps)
        with np.errstate(divide='ignore', invalid='ignore'):
            return np.log(z / (1 - z))

    def backward(self, gy):
        x = self.saved
        with np.errstate(divide='ignore', invalid='ignore'):
            g = gy / (x * (1 - x))
        if self.eps is not None:
            g = np.where((x < self.eps) | (x > 1 - self.eps), 0, g).astype(gy.dtype)
        return g

    def backward_t(self, gy):
        x, = self.inputs
        g = gy / (x * (1 - x))
        if self.eps is not None:
            g = g.masked_fill((x < self.eps) | (x > 1 - self.eps), 0)
        return g


class Relu(Op):
    _name = 'ReluBackward0'
    saves_out = True

    def forward(self, x):
        # NOTE: the maximum against an array of zeros rather than the scalar 0: NumPy's
        # maximum with a scalar operand measured 2-3x slower here. Zeros first: -0.0
        # stays -0.0 (PyTorch's result), and NaN propagates.
        y = np.zeros_like(x)
        np.maximum(y, x, out=y)
        self.saved = y
        return y

    def backward(self, gy):
        return gy * (self.saved > 0)

    def backward_t(self, gy):
        return gy * (self.inputs[0] > 0).to(gy.dtype)


class Reciprocal(Op):
    _name = 'ReciprocalBackward0'
    saves_out = True
    complex_ok = True

    def forward(self, x):
        with np.errstate(divide='ignore'):
            y = 1 / x
        self.saved = y
        return y

    def backward(self, gy):
        y = cj(self.saved)
        return -gy * y * y

    def backward_t(self, gy):
        y = self.inputs[0].reciprocal()
        return -gy * y * y


class Square(Op):
    _name = 'PowBackward0'
    checks = (0,)
    complex_ok = True

    def forward(self, x):
        self.saved = x
        return x * x

    def backward(self, gy):
        return gy * cj(self.saved * 2)

    def backward_t(self, gy):
        return gy * self.inputs[0] * 2


class _ZeroGrad(Op):
    """Piecewise-constant functions (floor, ceil, round, trunc): gradient zero."""

    def forward(self, x):
        return self.fn(x)

    def backward(self, gy):
        return np.zeros_like(gy)

    def backward_t(self, gy):
        return gy * 0


class Floor(_ZeroGrad):
    _name = 'FloorBackward0'
    fn = staticmethod(np.floor)


class Ceil(_ZeroGrad):
    _name = 'CeilBackward0'
    fn = staticmethod(np.ceil)


class Round(_ZeroGrad):
    _name = 'RoundBackward0'
    fn = staticmethod(np.round)


class RoundDecimals(_ZeroGrad):
    _name = 'RoundBackward1'

    def __init__(self, decimals):
        self.fn = lambda x: np.round(x, decimals)


class Trunc(_ZeroGrad):
    _name = 'TruncBackward0'
    fn = staticmethod(np.trunc)


class Frac(Op):
    _name = 'FracBackward0'

    def forward(self, x):
        return x - np.trunc(x)

    def backward(self, gy):
        return gy

    def backward_t(self, gy):
        return gy


class Clamp(Op):
    _name = 'ClampBackward1'
    checks = (0,)

    def __init__(self, lo, hi):
        self.lo = lo
        self.hi = hi

    def forward(self, x):
        self.saved = x
        lo, hi = self.lo, self.hi
        if hi is None:
            return np.maximum(x, lo)
        if lo is None:
            return np.minimum(x, hi)
        return np.minimum(np.maximum(x, lo), hi)

    def _mask(self, x):
        lo, hi = self.lo, self.hi
        if hi is None:
            return x >= lo
        if lo is None:
            return x <= hi
        return (x >= lo) & (x <= hi)

    def backward(self, gy):
        return gy * self._mask(self.saved)

    def backward_t(self, gy):
        return gy * _wrap(self._mask(self.inputs[0]._data).astype(gy._data.dtype))


class ClampT(Op):
    """clamp with tensor bounds: gradient flows to whichever of x, min, max was picked."""
    _name = 'ClampBackward0'

    def __init__(self, has_lo, has_hi):
        self.has = (has_lo, has_hi)

    def forward(self, x, *bounds):
        it = iter(bounds)
        lo = next(it) if self.has[0] else None
        hi = next(it) if self.has[1] else None
        y = x
        if lo is not None:
            y = np.maximum(y, lo)
        if hi is not None:
            y = np.minimum(y, hi)
        self.saved = (x, lo, hi)
        return y

    def backward(self, gy):
        from ._op import unbroadcast
        x, lo, hi = self.saved
        keep = np.ones(gy.shape, bool)
        out = []
        if lo is not None:
            below = np.broadcast_to(x < lo, gy.shape)
            keep &= ~below
        if hi is not None:
            above = np.broadcast_to(x > hi, gy.shape)
            if lo is not None:
                above = above & ~below
            keep &= ~above
        out.append(unbroadcast(gy * keep, x.shape))
        if lo is not None:
            out.append(unbroadcast(gy * below, lo.shape))
        if hi is not None:
            out.append(unbroadcast(gy * above, hi.shape))
        return tuple(out)

    def backward_t(self, gy):
        from ._op import unbroadcast_t
        ts = iter(self.inputs)
        x = next(ts)
        lo = next(ts) if self.has[0] else None
        hi = next(ts) if self.has[1] else None
        # (which of x, min, max was picked is piecewise constant: masks, no gradient)
        shape = gy._data.shape
        below = np.broadcast_to(x._data < lo._data, shape) if lo is not None else None
        above = None
        keep = np.ones(shape, bool)
        if below is not None:
            keep &= ~below
        if hi is not None:
            above = np.broadcast_to(x._data > hi._data, shape)
            if below is not None:
                above = above & ~below
            keep &= ~above
        out = [unbroadcast_t(gy * _wrap(keep), x.shape)]
        if lo is not None:
            out.append(unbroadcast_t(gy * _wrap(below), lo.shape))
        if hi is not None:
            out.append(unbroadcast_t(gy * _wrap(above), hi.shape))
        return tuple(out)


class Clone(Op):
    _name = 'CloneBackward0'

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy

    def backward_t(self, gy):
        return gy


# -- erfinv ----------------------------------------------------------------------
def _erfinv(x: np.ndarray) -> np.ndarray:
    """Inverse error function: Giles' approximation polished by two Newton steps in float64."""
    z = x.astype(np.float64)
    with np.errstate(divide='ignore', invalid='ignore'):
        w = -np.log((1.0 - z) * (1.0 + z))
        small = w < 5.0
        ws = w - 2.5
        p1 = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):
            p1 = c + p1 * ws
        wl = np.sqrt(w) - 3.0
        p2 = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                  -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):
            p2 = c + p2 * wl
        y = np.where(small, p1, p2) * z
        for _ in range(2):
            err = _erf.erf(y) - z
            y = y - err / ((2 / math.sqrt(math.pi)) * np.exp(-y * y))
        y = np.where(z == 1, np.inf, np.where(z == -1, -np.inf, y))
        y = np.where(np.abs(z) > 1, np.nan, y)
    return y.astype(x.dtype)


# -- public functions -------------------------------------------------------------
def neg(input: Tensor) -> Tensor:
    """``-input``."""
    if input._data.dtype.kind == 'b':
        raise RuntimeError('Negation, the `-` operator, on a bool tensor is not supported. '
                           'If you are trying to invert a mask, use the `~` or '
                           '`logical_not()` operator instead.')
    return Neg().apply1(input)


negative = neg


def abs(input: Tensor) -> Tensor:
    """Element-wise absolute value."""
    return Abs().apply1(input)


absolute = abs


def abs_checked(input: Tensor) -> Tensor:
    """``abs`` as ``abs_`` runs it: PyTorch refuses it in place for complex tensors (the result
    is real)."""
    _no_complex(input, 'In-place abs is not supported for complex tensors.', RuntimeError)
    return abs(input)


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element."""
    _no_complex(input, 'Unlike NumPy, torch.sign is not intended to support complex numbers. '
                'Please use torch.sgn instead.')
    return Sign().apply1(input)


def sgn(input: Tensor) -> Tensor:
    """The sign of each element (for real tensors the same as ``sign``; its own node name);
    ``z / |z|`` (0 at 0) for complex ones."""
    if input._data.dtype.kind == 'c':
        from .complex import sgn as complex_sgn
        return complex_sgn(input)
    op = Sign()
    op._name = 'SgnBackward0'
    return op.apply1(input)


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set (negative numbers and -0.0)."""
    _no_complex(input, 'signbit is not implemented for complex tensors.')
    return _wrap(np.signbit(input._data))


def exp(input: Tensor) -> Tensor:
    """Element-wise ``e ** input``."""
    return Exp().apply1(_float(input))


def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians."""
    _no_complex(input, 'deg2rad is not supported for complex tensors.', RuntimeError)
    return _Scale(math.pi / 180, 'Deg2RadBackward0').apply1(_float(input))


def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees."""
    _no_complex(input, 'rad2deg is not supported for complex tensors.', RuntimeError)
    return _Scale(180 / math.pi, 'Rad2DegBackward0').apply1(_float(input))


def sinc(input: Tensor) -> Tensor:
    """The normalised sinc, sin(pi x) / (pi x), 1 at 0."""
    return Sinc().apply1(_float(input))


def exp2(input: Tensor) -> Tensor:
    """Element-wise ``2 ** input``."""
    return Exp2().apply1(_float(input))


def expm1(input: Tensor) -> Tensor:
    """``exp(input) - 1``, accurate near zero."""
    return Expm1().apply1(_float(input))


def log(input: Tensor) -> Tensor:
    """Natural logarithm."""
    return Log().apply1(_float(input))


def log2(input: Tensor) -> Tensor:
    return Log2().apply1(_float(input))


def log10(input: Tensor) -> Tensor:
    return Log10().apply1(_float(input))


def log1p(input: Tensor) -> Tensor:
    """``log(1 + input)``, accurate near zero."""
    return Log1p().apply1(_float(input))


def sqrt(input: Tensor) -> Tensor:
    return Sqrt().apply1(_float(input))


def rsqrt(input: Tensor) -> Tensor:
    """``1 / sqrt(input)``."""
    return Rsqrt().apply1(_float(input))


def square(input: Tensor) -> Tensor:
    return Square().apply1(input)


def sin(input: Tensor) -> Tensor:
    return Sin().apply1(_float(input))


def cos(input: Tensor) -> Tensor:
    return Cos().apply1(_float(input))


def tan(input: Tensor) -> Tensor:
    return Tan().apply1(_float(input))


def asin(input: Tensor) -> Tensor:
    return Asin().apply1(_float(input))


def acos(input: Tensor) -> Tensor:
    return Acos().apply1(_float(input))


def atan(input: Tensor) -> Tensor:
    return Atan().apply1(_float(input))


def sinh(input: Tensor) -> Tensor:
    return Sinh().apply1(_float(input))


def cosh(input: Tensor) -> Tensor:
    return Cosh().apply1(_float(input))


def asinh(input: Tensor) -> Tensor:
    return Asinh().apply1(_float(input))


def acosh(input: Tensor) -> Tensor:
    return Acosh().apply1(_float(input))


def atanh(input: Tensor) -> Tensor:
    return Atanh().apply1(_float(input))


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return Tanh().apply1(_float(input))


def sigmoid(input: Tensor) -> Tensor:
    """The logistic function ``1 / (1 + exp(-input))``."""
    return Sigmoid().apply1(_float(input))


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    _no_complex(input, '"logit_cpu" not implemented for ' + _cname(input))
    return Logit(eps).apply1(_float(input))


def relu(input: Tensor) -> Tensor:
    """``max(input, 0)`` element-wise."""
    _no_complex(input, 'clamp is not supported for complex types')
    return Relu().apply1(input)


def erf(input: Tensor) -> Tensor:
    """The Gauss error function."""
    _no_complex(input, '"erf_vml_cpu" not implemented for ' + _cname(input))
    return Erf().apply1(_float(input))


def erfc(input: Tensor) -> Tensor:
    _no_complex(input, '"erfc_vml_cpu" not implemented for ' + _cname(input))
    return Erfc().apply1(_float(input))


def erfinv(input: Tensor) -> Tensor:
    _no_complex(input, '"erfinv_vml_cpu" not implemented for ' + _cname(input))
    return Erfinv().apply1(_float(input))


def reciprocal(input: Tensor) -> Tensor:
    """``1 / input`` (integer input gives a float result)."""
    return Reciprocal().apply1(_float(input))


def floor(input: Tensor) -> Tensor:
    _no_complex(input, 'floor is not supported for complex inputs')
    if input._data.dtype.kind in 'iub':
        return clone(input)
    return Floor().apply1(input)


def ceil(input: Tensor) -> Tensor:
    _no_complex(input, 'ceil is not supported for complex inputs')
    if input._data.dtype.kind in 'iub':
        return clone(input)
    return Ceil().apply1(input)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Rounds half to even, as PyTorch does; ``decimals`` rounds to that many digits."""
    _no_complex(input, f'"round{"" if decimals else "_vml"}_cpu" not implemented for '
                + _cname(input))
    if input._data.dtype.kind in 'iub':
        return clone(input)
    if decimals:
        return RoundDecimals(decimals).apply1(input)
    return Round().apply1(input)


def trunc(input: Tensor) -> Tensor:
    _no_complex(input, 'trunc is not supported for complex inputs')
    if input._data.dtype.kind in 'iub':
        return clone(input)
    return Trunc().apply1(input)


fix = trunc


def frac(input: Tensor) -> Tensor:
    """The fractional part ``input - trunc(input)`` (floating tensors only, as PyTorch)."""
    if input._data.dtype.kind != 'f':
        raise NotImplementedError(f'"frac_cpu" not implemented for '
                                  f"'{input.type()[6:-6]}'")
    return Frac().apply1(input)


def clamp(input: Tensor, min=None, max=None) -> Tensor:
    """Limits every element to ``[min, max]`` (either bound may be omitted or a tensor)."""
    _no_complex(input, 'clamp is not supported for complex types')
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from .arithmetic import promote2
        bounds = [b if isinstance(b, Tensor) else _wrap(np.asarray(b, input._data.dtype))
                  for b in (min, max) if b is not None]
        return ClampT(min is not None, max is not None).apply(input, *bounds)
    x = input
    if input._data.dtype.kind in 'iub' and (isinstance(min, float) or isinstance(max, float)):
        x = _float(input)
    return Clamp(min, max).apply1(x)


clip = clamp


def clamp_min(input: Tensor, min) -> Tensor:
    """``max(input, min)`` element-wise."""
    if isinstance(min, Tensor):
        return clamp(input, min, None)
    r = clamp(input, min, None)
    if r.grad_fn is not None:
        r.grad_fn._name = 'ClampMinBackward0'
    return r


def clamp_max(input: Tensor, max) -> Tensor:
    """``min(input, max)`` element-wise."""
    if isinstance(max, Tensor):
        return clamp(input, None, max)
    r = clamp(input, None, max)
    if r.grad_fn is not None:
        r.grad_fn._name = 'ClampMaxBackward0'
    return r


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy of ``input`` that is differentiable with respect to it."""
    return Clone().apply1(input)


class NanToNum(Op):
    """NaN, +inf and -inf replaced; the gradient flows only where the input was finite."""
    _name = 'NanToNumBackward0'

    def __init__(self, nan: float, posinf, neginf):
        self.args = (nan, posinf, neginf)

    def forward(self, x):
        nan, posinf, neginf = self.args
        fi = np.finfo(x.dtype)
        self.saved = np.isfinite(x)
        return np.nan_to_num(x, nan=nan, posinf=fi.max if posinf is None else posinf,
                             neginf=fi.min if neginf is None else neginf).astype(x.dtype,
                                                                                 copy=False)

    def backward(self, gy):
        return gy * self.saved

    def backward_t(self, gy):
        return gy * _wrap(self.saved.astype(gy._data.dtype))


def nan_to_num(input: Tensor, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    """Replaces NaN, +inf and -inf by finite values (gradient passes where finite)."""
    if input._data.dtype.kind != 'f':
        return clone(input)
    return NanToNum(nan, posinf, neginf).apply1(input)
