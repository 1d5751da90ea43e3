"""The gamma family: lgamma, digamma and polygamma (orders 0 and 1), element-wise in NumPy.

NumPy has none of them (and numtorch does not use SciPy):

- lgamma (PyTorch calls the C library's, accurate to an ulp or so), in float64 for every
  dtype, from the Taylor series
  of ``lgamma(1 + z)`` and ``lgamma(2 + z)`` for ``|z| <= 1/2`` (so that the zeros at 1 and
  2 keep their relative accuracy), the recurrence ``Gamma(x + 1) = x Gamma(x)`` between
  them and 10, Stirling's series above, and the reflection formula below -1/2.
- digamma and trigamma follow PyTorch's own CPU kernels (Cephes' recurrence to ``x >= 10``
  and asymptotic series; reflection for negative input), step for step and in the same
  precision (single for float32 and float16, as PyTorch's float kernels), so that they give
  PyTorch's numbers, inaccuracies near digamma's zero included.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from .._tensor import Tensor
from .._dtype import get_default_dtype
from ._op import Op

__all__ = ['lgamma', 'digamma', 'polygamma']

f64 = np.float64
_EULER = 0.57721566490153286061
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_LOG_PI = math.log(math.pi)
_TERMS = 48


def _zeta_minus_one(k: int) -> float:
    """``zeta(k) - 1`` for ``k >= 2``: 62 terms and Euler-Maclaurin's tail from 64 on."""
    n = 64.0
    tail = (n ** (1 - k) / (k - 1) + 0.5 * n ** -k + k * n ** (-k - 1) / 12
            - k * (k + 1) * (k + 2) * n ** (-k - 3) / 720
            + k * (k + 1) * (k + 2) * (k + 3) * (k + 4) * n ** (-k - 5) / 30240)
    return math.fsum([m ** -k for m in range(63, 1, -1)] + [tail])


_ZM1 = [_zeta_minus_one(k) for k in range(2, _TERMS + 2)]
# lgamma(1 + z) = -euler z + sum_k (-1)^k zeta(k) / k z^k and
# lgamma(2 + z) = (1 - euler) z + sum_k (-1)^k (zeta(k) - 1) / k z^k, highest degree first.
_S1 = np.array([(-1) ** k * (zm + 1) / k for k, zm in zip(range(2, _TERMS + 2), _ZM1)][::-1])
_S2 = np.array([(-1) ** k * zm / k for k, zm in zip(range(2, _TERMS + 2), _ZM1)][::-1])
# Stirling's series: B_2k / (2k (2k - 1)) for k = 1..8, highest degree first.
_STIRLING = np.array([1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156,
                      -3617 / 122400][::-1])


def _series(coef: np.ndarray, lin: float, z: np.ndarray) -> np.ndarray:
    """``lin * z + sum_k coef_k z^k`` (k from 2), by Horner's rule."""
    acc = np.full_like(z, coef[0])
    for c in coef[1:]:
        acc = acc * z + c
    return z * (lin + z * acc)


def _lgamma_right(y: np.ndarray) -> np.ndarray:
    """``lgamma(y)`` for ``y > -1/2`` (float64)."""
    out = np.empty_like(y)
    small = y < 0.5                     # Gamma(y) = Gamma(1 + y) / y
    near1 = (y >= 0.5) & (y < 1.5)
    near2 = (y >= 1.5) & (y < 2.5)
    mid = (y >= 2.5) & (y < 10)         # down to [1.5, 2.5) by the recurrence
    big = ~(y < 10)                     # (NaN too)
    z = y[small]
    out[small] = _series(_S1, -_EULER, z) - np.log(np.abs(z))
    out[near1] = _series(_S1, -_EULER, y[near1] - 1)
    out[near2] = _series(_S2, 1 - _EULER, y[near2] - 2)
    if mid.any():
        z = y[mid]
        n = np.floor(z - 1.5)
        f = z - n                       # exact: f in [1.5, 2.5)
        prod = np.ones_like(z)
        for k in range(int(n.max())):
            prod *= np.where(k < n, f + k, 1.0)
        out[mid] = _series(_S2, 1 - _EULER, f - 2) + np.log(prod)
    if big.any():
        z = y[big]
        w = 1 / z
        w2 = w * w
        acc = np.full_like(z, _STIRLING[0])
        for c in _STIRLING[1:]:
            acc = acc * w2 + c
        res = (z - 0.5) * np.log(z) - z + _HALF_LOG_2PI + w * acc
        out[big] = np.where(z == np.inf, np.inf, res)
    return out


def _lgamma64(x: np.ndarray) -> np.ndarray:
    """``log|Gamma(x)|`` in float64; ``inf`` at the poles (0, -1, -2, ...) and at -inf."""
    x = np.asarray(x, f64)
    out = np.empty_like(x)
    left = x <= -0.5
    right = ~left
    with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
        out[right] = _lgamma_right(x[right])
        if left.any():
            z = x[left]
            # |sin(pi z)| from z's distance to the nearest integer (exact), not from pi * z.
            s = np.abs(np.sin(math.pi * (z - np.round(z))))
            res = _LOG_PI - np.log(s) - _lgamma_right(1 - z)
            out[left] = np.where((s == 0) | np.isinf(z), np.inf, res)
    return out + 0.0                    # lgamma(1) and lgamma(2) are +0, not -0


_DIGAMMA_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
              -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
              8.33333333333333333333E-2)
_PSI_10 = 2.25175258906672110764


def _work_dtype(x: np.ndarray):
    """PyTorch runs its float kernels for float32 and float16, its double ones for float64."""
    return f64 if x.dtype == f64 else np.float32


def _digamma(x: np.ndarray) -> np.ndarray:
    """PyTorch's ``calc_digamma``, vectorized, in PyTorch's precision for ``x``'s dtype."""
    dt = _work_dtype(x)
    x = x.astype(dt)
    with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
        neg = x < 0
        refl = None
        if neg.any():
            # pi / tan(pi r) in double from modf's fractional part r, in either precision.
            r = x.astype(f64) - np.trunc(x.astype(f64))
            refl = np.where(neg, np.where(r == 0, np.nan, math.pi / np.tan(math.pi * r)), 0)
            refl = refl.astype(dt)
            x = np.where(neg, 1 - x, x)
        res = np.zeros_like(x)
        for _ in range(10):                      # push x to >= 10
            lo = x < 10
            if not lo.any():
                break
            res = np.where(lo, res - 1 / x, res)
            x = np.where(lo, x + 1, x)
        z = 1 / (x * x)
        acc = np.zeros_like(x)
        for c in _DIGAMMA_A:
            acc = acc * z + dt(c)
        y = np.where(x < 1e17, z * acc, dt(0))
        out = np.where(x == 10, res + dt(_PSI_10), res + np.log(x) - dt(0.5) / x - y)
        if refl is not None:
            out = out - refl
        # NOTE: x == 0 gives copysign(inf, -x): -inf at +0 and +inf at -0 (the loop above
        # would give nan from -inf + inf).
        zero = x == 0
        if zero.any():
            out = np.where(zero, np.copysign(dt(np.inf), -x), out)
    return out


def _trigamma(x: np.ndarray) -> np.ndarray:
    """PyTorch's ``calc_trigamma``, vectorized, in PyTorch's precision for ``x``'s dtype."""
    dt = _work_dtype(x)
    x = x.astype(dt)
    pi = dt(math.pi)
    with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
        lo = x < 0.5
        s = np.sin(pi * x)
        res = np.where(lo, -(pi * pi) / (s * s), dt(0))
        x = np.where(lo, 1 - x, x)
        for _ in range(6):
            res = res + 1 / (x * x)
            x = x + 1
        ixx = 1 / (x * x)
        res = res + (1 + 1 / (2 * x) + ixx * (dt(1 / 6) - ixx * (dt(1 / 30) - ixx * dt(1 / 42)))
                     ) / x
        return np.where(lo, -res, res)


def _in_dtype(fn, x: np.ndarray) -> np.ndarray:
    y = fn(x)
    return y if y.dtype == x.dtype else y.astype(x.dtype)


class Lgamma(Op):
    _name = 'LgammaBackward0'
    checks = (0,)

    def forward(self, x):
        self.saved = x
        return _in_dtype(_lgamma64, x)

    def backward(self, gy):
        return gy * _in_dtype(_digamma, self.saved)

    def backward_t(self, gy):
        return gy * digamma(self.inputs[0])


class Digamma(Op):
    _name = 'DigammaBackward0'
    checks = (0,)

    def forward(self, x):
        self.saved = x
        return _in_dtype(_digamma, x)

    def backward(self, gy):
        return gy * _in_dtype(_trigamma, self.saved)

    def backward_t(self, gy):
        return gy * polygamma(1, self.inputs[0])


class Trigamma(Op):
    _name = 'PolygammaBackward0'

    def forward(self, x):
        return _in_dtype(_trigamma, x)

    def backward(self, gy):
        raise NotImplementedError('the gradient of polygamma(1, x) (polygamma of order 2) is '
                                  'not supported by numtorch')


def _float(x: Tensor) -> Tensor:
    if x._data.dtype.kind != 'f':
        return x.to(get_default_dtype())
    return x


def lgamma(input: Tensor, *, out=None) -> Tensor:
    """The natural log of the absolute value of the gamma function, element-wise."""
    if out is not None:
        raise NotImplementedError("lgamma's out= argument is not supported by numtorch")
    return Lgamma().apply1(_float(input))


def digamma(input: Tensor, *, out=None) -> Tensor:
    """The logarithmic derivative of the gamma function, ``d/dx lgamma(x)``, element-wise.
    ``digamma(0)`` is ``-inf`` and negative integers give NaN, as in PyTorch."""
    if out is not None:
        raise NotImplementedError("digamma's out= argument is not supported by numtorch")
    return Digamma().apply1(_float(input))


def polygamma(n: int, input: Tensor, *, out=None) -> Tensor:
    """The ``n``-th derivative of digamma. numtorch supports the orders 0 (digamma) and 1
    (trigamma), which the gradients of lgamma and digamma need."""
    if out is not None:
        raise NotImplementedError("polygamma's out= argument is not supported by numtorch")
    n = operator.index(n)
    if n < 0:
        raise RuntimeError('polygamma(n, x) does not support negative n.')
    if n == 0:
        return digamma(input)
    if n == 1:
        return Trigamma().apply1(_float(input))
    raise NotImplementedError(f'polygamma of order n={n} is not supported by numtorch (only '
                              'n = 0 and n = 1)')
