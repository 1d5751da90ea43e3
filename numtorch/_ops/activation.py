"""Activation functions of nn.functional that are not core tensor math: leaky_relu, elu
(selu, celu), gelu, silu, mish, softplus, hardtanh (relu6), hardsigmoid, hardswish,
logsigmoid, threshold, prelu, hardshrink, softshrink, glu.

relu, sigmoid and tanh live in ``unary.py``; softmax and log_softmax in ``reduction.py``.
Each op saves its input and computes its derivative from it, as PyTorch does.
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _wrap, _type_word
from ._op import Op
from .unary import sigmoid_array
from .arithmetic import where as _where
from ._erf import erf as _erf


__all__ = ['leaky_relu', 'elu', 'selu', 'celu', 'gelu', 'silu', 'mish', 'softplus', 'hardtanh',
           'relu6', 'hardsigmoid', 'hardswish', 'logsigmoid', 'threshold', 'prelu',
           'hardshrink', 'softshrink', 'glu', 'rrelu']

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _need_float(x: Tensor, kernel: str) -> None:
    if x._data.dtype.kind != 'f':
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_type_word(x._data.dtype)}'")


class _Pointwise(Op):
    """An element-wise op whose gradient is ``gy * dydx(x)``."""
    checks = (0,)

    def forward(self, x):
        self.saved = x
        return self.f(x)

    def backward(self, gy):
        return gy * self.dydx(self.saved)

    def backward_t(self, gy):
        return gy * self.dydx_t(self.inputs[0])

    def dydx_t(self, x: Tensor) -> Tensor:
        # Piecewise-constant derivatives: a constant (its own derivative is 0 a.e.).
        return _wrap(np.asarray(self.dydx(x._data), x._data.dtype))


class LeakyRelu(_Pointwise):
    _name = 'LeakyReluBackward0'

    def __init__(self, slope):
        self.slope = slope

    def f(self, x):
        return np.where(x > 0, x, x * self.slope)

    def dydx(self, x):
        return np.where(x > 0, x.dtype.type(1), x.dtype.type(self.slope))


class Elu(_Pointwise):
    """``scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))``: ELU, SELU, CELU."""
    _name = 'EluBackward0'

    def __init__(self, alpha, scale=1.0, input_scale=1.0, name='EluBackward0'):
        self.alpha = alpha
        self.scale = scale
        self.input_scale = input_scale
        self._name = name

    def f(self, x):
        with np.errstate(over='ignore'):
            neg = np.expm1(x * self.input_scale) * (self.alpha * self.scale)
        return np.where(x > 0, x * self.scale, neg)

    def dydx(self, x):
        with np.errstate(over='ignore'):
            neg = np.exp(x * self.input_scale) * (self.alpha * self.scale * self.input_scale)
        return np.where(x > 0, x.dtype.type(self.scale), neg)

    def dydx_t(self, x):
        neg = (x * self.input_scale).exp() * (self.alpha * self.scale * self.input_scale)
        return _where(_wrap(x._data > 0), self.scale, neg)


class Gelu(_Pointwise):
    _name = 'GeluBackward0'

    def __init__(self, approximate):
        self.approximate = approximate

    def forward(self, x):
        if self.approximate == 'tanh':
            return super().forward(x)
        # (the normal CDF is kept for backward: erf costs more than the rest of both passes)
        cdf = _erf(x * _INV_SQRT_2)
        cdf += 1
        cdf *= 0.5
        self.saved = (x, cdf)
        return x * cdf

    def backward(self, gy):
        if self.approximate == 'tanh':
            return super().backward(gy)
        x, cdf = self.saved
        return gy * (cdf + x * np.exp(x * x * -0.5) * _INV_SQRT_2PI)

    def f(self, x):  # (approximate='tanh')
        inner = (x + x * x * x * 0.044715) * _SQRT_2_OVER_PI
        return x * 0.5 * (1 + np.tanh(inner))

    def dydx(self, x):  # (approximate='tanh')
        x3 = x * x * x
        t = np.tanh((x + x3 * 0.044715) * _SQRT_2_OVER_PI)
        dinner = (1 + x * x * (3 * 0.044715)) * _SQRT_2_OVER_PI
        return 0.5 * (1 + t) + x * 0.5 * (1 - t * t) * dinner

    def dydx_t(self, x):
        if self.approximate == 'tanh':
            t = ((x + x * x * x * 0.044715) * _SQRT_2_OVER_PI).tanh()
            dinner = (x * x * (3 * 0.044715) + 1) * _SQRT_2_OVER_PI
            return (t + 1) * 0.5 + x * 0.5 * (1 - t * t) * dinner
        cdf = ((x * _INV_SQRT_2).erf() + 1) * 0.5
        return cdf + x * (x * x * -0.5).exp() * _INV_SQRT_2PI


class Silu(_Pointwise):
    _name = 'SiluBackward0'

    def f(self, x):
        return x * sigmoid_array(x)

    def dydx(self, x):
        s = sigmoid_array(x)
        return s * (1 + x * (1 - s))

    def dydx_t(self, x):
        s = x.sigmoid()
        return s * (1 + x * (1 - s))


def _softplus_array(x, beta=1.0, threshold=20.0):
    bx = x * beta if beta != 1 else x
    with np.errstate(over='ignore'):
        soft = np.log1p(np.exp(bx))
    if beta != 1:
        soft /= beta
    return np.where(bx > threshold, x, soft)


class Mish(_Pointwise):
    _name = 'MishBackward0'

    def f(self, x):
        return x * np.tanh(_softplus_array(x))

    def dydx(self, x):
        t = np.tanh(_softplus_array(x))
        return t + x * sigmoid_array(x) * (1 - t * t)

    def dydx_t(self, x):
        t = softplus(x).tanh()
        return t + x * x.sigmoid() * (1 - t * t)


class Softplus(_Pointwise):
    _name = 'SoftplusBackward0'

    def __init__(self, beta, threshold):
        self.beta = beta
        self.threshold = threshold

    def f(self, x):
        return _softplus_array(x, self.beta, self.threshold)

    def dydx(self, x):
        bx = x * self.beta
        # NOTE: sigmoid(beta * x) is z / (z + 1) with z = exp(beta * x), without overflow.
        return np.where(bx > self.threshold, x.dtype.type(1), sigmoid_array(bx))

    def dydx_t(self, x):
        return _where(_wrap(x._data * self.beta > self.threshold), 1.0,
                      (x * self.beta).sigmoid())


class Hardtanh(_Pointwise):
    _name = 'HardtanhBackward0'

    def __init__(self, lo, hi):
        self.lo = lo
        self.hi = hi

    def f(self, x):
        return np.clip(x, self.lo, self.hi).astype(x.dtype, copy=False)

    def dydx(self, x):
        return (x > self.lo) & (x < self.hi)


class Hardsigmoid(_Pointwise):
    _name = 'HardsigmoidBackward0'

    def f(self, x):
        return np.clip(x / 6 + 0.5, 0, 1).astype(x.dtype, copy=False)

    def dydx(self, x):
        return np.where((x > -3) & (x < 3), x.dtype.type(1 / 6), x.dtype.type(0))


class Hardswish(_Pointwise):
    _name = 'HardswishBackward0'

    def f(self, x):
        return x * np.clip(x + 3, 0, 6) / 6

    def dydx(self, x):
        # NOTE: PyTorch's convention at the kinks: 0 at x = -3 and 1 at x = 3.
        return np.where(x <= -3, x.dtype.type(0),
                        np.where(x < 3, x / 3 + 0.5, x.dtype.type(1)))

    def dydx_t(self, x):
        d = x._data
        mid = _wrap((d > -3) & (d < 3))
        return _where(mid, x / 3 + 0.5, _wrap(np.asarray(d >= 3, d.dtype)))


class LogSigmoid(_Pointwise):
    _name = 'LogSigmoidBackward0'

    def f(self, x):
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def dydx(self, x):
        return sigmoid_array(-x)

    def dydx_t(self, x):
        return (-x).sigmoid()


class Threshold(_Pointwise):
    _name = 'ThresholdBackward0'

    def __init__(self, threshold, value):
        self.threshold = threshold
        self.value = value

    def f(self, x):
        return np.where(x > self.threshold, x, x.dtype.type(self.value))

    def dydx(self, x):
        return x > self.threshold


class Hardshrink(_Pointwise):
    _name = 'HardshrinkBackward0'

    def __init__(self, lambd):
        self.lambd = lambd

    def f(self, x):
        return np.where(np.abs(x) > self.lambd, x, x.dtype.type(0))

    def dydx(self, x):
        return np.abs(x) > self.lambd


class Softshrink(_Pointwise):
    _name = 'SoftshrinkBackward0'

    def __init__(self, lambd):
        self.lambd = lambd

    def f(self, x):
        lam = self.lambd
        return np.where(x > lam, x - lam, np.where(x < -lam, x + lam, x.dtype.type(0)))

    def dydx(self, x):
        return np.abs(x) > self.lambd


class Prelu(Op):
    """``x if x > 0 else w * x`` with one slope per channel (dim 1) or one shared slope."""
    _name = 'PreluKernelBackward0'
    checks = (0, 1)

    def forward(self, x, w):
        self.saved = (x, w)
        return np.where(x > 0, x, x * self._shape_w(x, w))

    @staticmethod
    def _shape_w(x, w):
        if w.size == 1 or x.ndim < 2:
            return w.reshape(()) if w.size == 1 else w
        return w.reshape((1, -1) + (1,) * (x.ndim - 2))

    def backward(self, gy):
        x, w = self.saved
        pos = x > 0
        gx = gw = None
        if self.needs[0]:
            gx = np.where(pos, gy, gy * self._shape_w(x, w))
        if self.needs[1]:
            gxw = np.where(pos, 0, gy * x).astype(gy.dtype, copy=False)
            if w.size == 1:
                gw = np.asarray(gxw.sum(), gy.dtype).reshape(w.shape)
            elif x.ndim < 2:
                gw = gxw.reshape(w.shape)
            else:
                axes = (0,) + tuple(range(2, x.ndim))
                gw = gxw.sum(axis=axes).reshape(w.shape)
        return gx, gw

    def backward_t(self, gy):
        x, w = self.inputs
        xd = x._data
        pos = _wrap(xd > 0)
        wb = w.reshape(()) if w._data.size == 1 else (
            w if xd.ndim < 2 else w.reshape((1, -1) + (1,) * (xd.ndim - 2)))
        gx = _where(pos, gy, gy * wb)
        gxw = _where(pos, 0.0, gy * x)
        if w._data.size == 1:
            gw = gxw.sum().reshape(w.shape)
        elif xd.ndim < 2:
            gw = gxw.reshape(w.shape)
        else:
            gw = gxw.sum((0,) + tuple(range(2, xd.ndim))).reshape(w.shape)
        return gx, gw


class Glu(Op):
    """``a * sigmoid(b)`` where ``a, b`` are the halves of ``x`` along ``dim``."""
    _name = 'GluBackward0'
    checks = (0,)

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        a, b = np.split(x, 2, axis=self.axis)
        s = sigmoid_array(b)
        self.saved = (a, s)
        return a * s

    def backward(self, gy):
        a, s = self.saved
        return np.concatenate([gy * s, gy * a * s * (1 - s)], axis=self.axis)

    def backward_t(self, gy):
        from .shape import cat
        a, b = self.inputs[0].chunk(2, self.axis)
        s = b.sigmoid()
        return cat([gy * s, gy * a * s * (1 - s)], self.axis)


# -- functions ------------------------------------------------------------------
def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    _need_float(input, 'leaky_relu_cpu')
    return LeakyRelu(negative_slope).apply1(input)


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    _need_float(input, 'elu_cpu')
    return Elu(alpha).apply1(input)


def selu(input: Tensor) -> Tensor:
    """Scaled ELU with the self-normalising constants."""
    _need_float(input, 'elu_cpu')
    return Elu(_SELU_ALPHA, _SELU_SCALE).apply1(input)


def celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    _need_float(input, 'elu_cpu')
    if alpha == 0:
        raise RuntimeError('ZeroDivisionError')
    return Elu(alpha, 1.0, 1.0 / alpha, 'CeluBackward0').apply1(input)


def gelu(input: Tensor, approximate: str = 'none') -> Tensor:
    """``x * Phi(x)`` (exact) or its tanh approximation (``approximate='tanh'``)."""
    if approximate not in ('none', 'tanh'):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _need_float(input, 'GeluKernelImpl')
    return Gelu(approximate).apply1(input)


def silu(input: Tensor) -> Tensor:
    """``x * sigmoid(x)`` (swish)."""
    _need_float(input, 'silu_cpu')
    return Silu().apply1(input)


def mish(input: Tensor) -> Tensor:
    """``x * tanh(softplus(x))``."""
    _need_float(input, 'mish_cpu')
    return Mish().apply1(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, linear where ``beta * x > threshold``."""
    _need_float(input, 'softplus_cpu')
    return Softplus(beta, threshold).apply1(input)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """``x`` clipped to ``[min_val, max_val]``."""
    if min_val > max_val:
        raise ValueError('min_val cannot be greater than max_val')
    if input._data.dtype.kind == 'b':
        raise NotImplementedError('"clamp_scalar_cpu" not implemented for \'Bool\'')
    return Hardtanh(min_val, max_val).apply1(input)


def relu6(input: Tensor) -> Tensor:
    """``min(max(0, x), 6)``."""
    return hardtanh(input, 0.0, 6.0)


def hardsigmoid(input: Tensor) -> Tensor:
    """``clip(x / 6 + 1/2, 0, 1)``."""
    _need_float(input, 'hardsigmoid_cpu')
    return Hardsigmoid().apply1(input)


def hardswish(input: Tensor) -> Tensor:
    """``x * clip(x + 3, 0, 6) / 6``."""
    _need_float(input, 'hardswish_cpu')
    return Hardswish().apply1(input)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x))``, computed without overflow."""
    _need_float(input, 'log_sigmoid_cpu')
    return LogSigmoid().apply1(input)


def threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    """``x`` where ``x > threshold``, ``value`` elsewhere."""
    return Threshold(threshold, value).apply1(input)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, 0 elsewhere."""
    _need_float(input, 'hardshrink_cpu')
    return Hardshrink(lambd).apply1(input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 between."""
    _need_float(input, 'softshrink_check')
    if lambd < 0:
        raise RuntimeError(f'lambda must be greater or equal to 0, but found to be {lambd}.')
    return Softshrink(lambd).apply1(input)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Leaky ReLU with learnable slopes ``weight`` (one, or one per channel of dim 1)."""
    x, w = input._data, weight._data
    if x.dtype != w.dtype:
        raise RuntimeError(f'prelu: Type promoting not supported. Got {_type_word(x.dtype)} '
                           f'and {_type_word(w.dtype)}')
    if w.ndim > 1:
        raise RuntimeError(f'prelu: Expected `weight` to be a scalar or 1D tensor, but got: '
                           f'ndim = {w.ndim}')
    channels = x.shape[1] if x.ndim >= 2 else (x.shape[0] if x.ndim == 1 else 1)
    if w.size != 1 and w.size != channels:
        raise RuntimeError(f'Mismatch of parameter numbers and input channel size. Found '
                           f'parameter numbers = {w.size} and channel size = {channels}.')
    return Prelu().apply2(input, weight)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: first half of ``dim`` times the sigmoid of the second half."""
    from .shape import wrap_dim
    if input._data.ndim == 0:
        raise RuntimeError('glu does not support scalars because halving size must be even')
    axis = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[axis]
    if n % 2:
        raise RuntimeError(f'Halving dimension must be even, but dimension {axis} is size {n}')
    return Glu(axis).apply1(input)


class RreluWithNoise(Op):
    """``x * noise``: noise 1 where x > 0, a slope elsewhere (random in training)."""
    _name = 'RreluWithNoiseBackward0'

    def __init__(self, noise: np.ndarray):
        self.noise = noise

    def forward(self, x):
        return x * self.noise

    def backward(self, gy):
        return gy * self.noise

    def backward_t(self, gy):
        return gy * _wrap(self.noise)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False) -> Tensor:
    """Leaky ReLU whose negative slope is drawn uniformly from [lower, upper) for each
    element in training (one draw per element at or below 0, in order, as PyTorch draws
    them), and is (lower + upper) / 2 in evaluation."""
    _need_float(input, 'rrelu_with_noise_out_cpu')
    d = input._data
    low = d <= 0
    noise = np.ones(d.shape, d.dtype)
    if training:
        from .random import _gen, _uniform_values
        k = int(low.sum())
        # NOTE: PyTorch holds the bounds in the op's math type (float below float64) and
        # widens them to double for the draw.
        mt = np.float64 if d.dtype == np.float64 else np.float32
        noise[low] = _uniform_values(_gen(None), k, np.dtype(np.float64), float(mt(lower)),
                                     float(mt(upper))).astype(d.dtype)
    else:
        noise[low] = d.dtype.type((lower + upper) / 2)
    return RreluWithNoise(noise).apply1(input)
