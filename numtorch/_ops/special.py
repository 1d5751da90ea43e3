"""The gamma family: lgamma, digamma and polygamma (orders 0 and 1), element-wise in NumPy.

NumPy has none of them (and numtorch does not use SciPy):

- lgamma (PyTorch calls the C library's, accurate to an ulp or so), in float64 for every
  dtype, from the Taylor series
  of ``lgamma(1 + z)`` and ``lgamma(2 + z)`` for ``|z| <= 1/2`` (so that the zeros at 1 and
  2 keep their relative accuracy), the recurrence ``Gamma(x + 1) = x Gamma(x)`` between
  them and 10, Stirling's series above, and the reflection formula below -1/2.
- the normal distribution's ndtr, ndtri (Cephes' rational approximations, as PyTorch),
  log_ndtr and the scaled complement erfcx; xlog1py and entr.
- digamma and trigamma follow PyTorch's own CPU kernels (Cephes' recurrence to ``x >= 10``
  and asymptotic series; reflection for negative input), step for step and in the same
  precision (single for float32 and float16, as PyTorch's float kernels), so that they give
  PyTorch's numbers, inaccuracies near digamma's zero included.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from .._tensor import Tensor, _wrap
from .._dtype import get_default_dtype
from ._op import Op, unbroadcast, promote2, broadcast_error
from . import _erf
from ._cephes_tables import (NDTRI_P0, NDTRI_Q0, NDTRI_P1, NDTRI_Q1, NDTRI_P2, NDTRI_Q2)

__all__ = ['lgamma', 'digamma', 'polygamma', 'ndtr', 'ndtri', 'log_ndtr', 'erfcx', 'xlog1py',
           'entr']

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


# -- the normal distribution ---------------------------------------------------
_SQRT1_2 = math.sqrt(0.5)
_ISPI = 0.56418958354775628694807945156      # 1 / sqrt(pi)
_S2PI = 2.50662827463100050242


def _erfcx64(x: np.ndarray) -> np.ndarray:
    """``exp(x^2) erfc(x)`` of a float64 array, without overflow or underflow."""
    z = x.reshape(-1)
    out = np.empty_like(z)
    with np.errstate(over='ignore', invalid='ignore'):
        lo = ~(z >= 1)                                      # (NaN too)
        zl = z[lo]
        # NOTE: exp(x^2) from x's exact float32 head and its tail, as _erf does for exp(-x^2).
        h = zl.astype(np.float32).astype(f64)
        out[lo] = np.where(zl < -26.7, np.inf,
                           np.exp(h * h) * np.exp((zl - h) * (zl + h)) * _erf.erfc(zl))
        mid = np.flatnonzero((z >= 1) & (z < _erf._EDGES[-1]))
        if mid.size:
            # erfc's fitted tail is exp(-x^2) / x * G(1/x): erfcx is G(1/x) / x.
            a = z[mid]
            k = np.searchsorted(_erf._EDGES, a, side='right') - 1
            res = np.empty_like(a)
            for i, (lo_, hi_, c) in enumerate(_erf._PIECES):
                m = k == i
                if m.any():
                    w = 1 / a[m]
                    res[m] = _erf._horner(c, _erf._mapped(w, lo_, hi_)) * w
            out[mid] = res
        far = np.flatnonzero(z >= _erf._EDGES[-1])
        if far.size:
            a = z[far]
            # Laplace's continued fraction, deep enough for x >= 27.5 (PyTorch's 5-term form
            # for x > 50 and 1/(sqrt(pi) x) past 5e7, where x^2 would overflow).
            t = a
            for k in range(12, 0, -1):
                t = a + k / 2 / t
            res = np.where(a > 5e7, _ISPI / a, _ISPI / t)
            out[far] = res
    return out.reshape(x.shape)


def _ndtri64(y0: np.ndarray) -> np.ndarray:
    """The inverse of the standard normal CDF (Cephes' ndtri)."""
    y0 = y0.reshape(-1)
    out = np.full_like(y0, np.nan)
    out[y0 == 0] = -np.inf
    out[y0 == 1] = np.inf
    inside = (y0 > 0) & (y0 < 1)
    y = y0[inside]
    res = np.empty_like(y)
    e2 = 0.13533528323661269189                            # exp(-2)
    flip = y > 1 - e2
    y = np.where(flip, 1 - y, y)
    central = y > e2
    yc = y[central] - 0.5
    y2 = yc * yc
    res[central] = (yc + yc * (y2 * _horner(NDTRI_P0, y2) / _horner(NDTRI_Q0, y2))) * _S2PI
    tail = ~central
    yt = y[tail]
    x = np.sqrt(-2 * np.log(yt))
    x0 = x - np.log(x) / x
    z = 1 / x
    x1 = np.where(x < 8, z * _horner(NDTRI_P1, z) / _horner(NDTRI_Q1, z),
                  z * _horner(NDTRI_P2, z) / _horner(NDTRI_Q2, z))
    xt = x0 - x1
    res[tail] = np.where(flip[tail], xt, -xt)
    out[inside] = res
    return out


def _horner(coef: tuple, z: np.ndarray) -> np.ndarray:
    acc = np.zeros_like(z)
    for c in coef:
        acc = acc * z + c
    return acc


def _log_ndtr64(x: np.ndarray) -> np.ndarray:
    t = x * _SQRT1_2
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(x < -1, np.log(_erfcx64(-t) / 2) - t * t,
                        np.log1p(-_erf.erfc(t) / 2))


def _ev64(fn, x: np.ndarray) -> np.ndarray:
    return fn(x.astype(f64)).astype(x.dtype, copy=False)


class Ndtri(Op):
    _name = 'SpecialNdtriBackward0'
    saves_out = True

    def forward(self, x):
        y = _ev64(_ndtri64, x)
        self.saved = y
        return y

    def backward(self, gy):
        y = self.saved
        with np.errstate(over='ignore'):
            return gy * (math.sqrt(2 * math.pi) * np.exp(y * y / 2)).astype(gy.dtype)


class LogNdtr(Op):
    _name = 'SpecialLogNdtrBackward0'
    checks = (0,)
    saves_out = True

    def forward(self, x):
        y = _ev64(_log_ndtr64, x)
        self.saved = (x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        with np.errstate(over='ignore', invalid='ignore'):
            return gy / x.dtype.type(math.sqrt(2 * math.pi)) * np.exp(-(y + x * x / 2))


class Erfcx(Op):
    _name = 'SpecialErfcxBackward0'
    checks = (0,)
    saves_out = True

    def forward(self, x):
        y = _ev64(_erfcx64, x)
        self.saved = (x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        with np.errstate(over='ignore', invalid='ignore'):
            return (2 * x * y - x.dtype.type(2 / math.sqrt(math.pi))) * gy


class Entr(Op):
    _name = 'SpecialEntrBackward0'
    checks = (0,)

    def forward(self, x):
        self.saved = x
        with np.errstate(divide='ignore', invalid='ignore'):
            y = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)),
                         np.where(x == 0, 0, np.where(x < 0, -np.inf, x)))
        return y.astype(x.dtype, copy=False)

    def backward(self, gy):
        with np.errstate(divide='ignore', invalid='ignore'):
            return gy * -(1 + np.log(self.saved))


class Xlog1py(Op):
    _name = 'SpecialXlog1PyBackward0'
    checks = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        with np.errstate(divide='ignore', invalid='ignore'):
            y = np.where(np.isnan(b), np.nan, np.where(a == 0, 0, a * np.log1p(b)))
        return y.astype(a.dtype, copy=False)

    def backward(self, gy):
        a, b = self.saved
        ga = gb = None
        with np.errstate(divide='ignore', invalid='ignore'):
            if self.needs[0]:
                g = np.where(np.isnan(b), np.nan, np.where(gy == 0, 0, gy * np.log1p(b)))
                g = np.where((a == 0) & (b <= -1), 0, g).astype(gy.dtype, copy=False)
                ga = unbroadcast(g, a.shape)
            if self.needs[1]:
                gb = unbroadcast((gy * a / (b + 1)).astype(gy.dtype, copy=False), b.shape)
        return ga, gb


def _float_unary(name: str, x: Tensor, half: bool = True) -> Tensor:
    x = _float(x)
    if not half and x._data.dtype == np.float16:
        raise RuntimeError(f'"{name}_cpu" not implemented for \'Half\'')
    return x


def _result(r: Tensor, out) -> Tensor:
    if out is None:
        return r
    from .._tensor import _write_out
    return _write_out(r, out)


def ndtr(input: Tensor, *, out=None) -> Tensor:
    """The standard normal CDF, composed as PyTorch composes it: ``(1 + erf(x/sqrt 2)) / 2``
    (so it underflows to 0 below about -8 in float32, as PyTorch's)."""
    from .unary import erf
    x = _float(input)
    return _result((1 + erf(x * _SQRT1_2)) * 0.5, out)


def ndtri(input: Tensor, *, out=None) -> Tensor:
    """The inverse of the standard normal CDF: ``-inf`` at 0, ``inf`` at 1, NaN outside."""
    return _result(Ndtri().apply1(_float_unary('ndtri', input, False)), out)


def log_ndtr(input: Tensor, *, out=None) -> Tensor:
    """``log(ndtr(x))``, accurate far into the left tail (through erfcx)."""
    return _result(LogNdtr().apply1(_float_unary('log_ndtr', input, False)), out)


def erfcx(input: Tensor, *, out=None) -> Tensor:
    """The scaled complementary error function ``exp(x^2) erfc(x)``."""
    return _result(Erfcx().apply1(_float_unary('erfcx', input, False)), out)


def entr(input: Tensor, *, out=None) -> Tensor:
    """The elementwise entropy ``-x log(x)``: 0 at 0, ``-inf`` for negative x."""
    return _result(Entr().apply1(_float(input)), out)


def xlog1py(input, other, *, out=None) -> Tensor:
    """``input * log1p(other)``, 0 where ``input`` is 0 (NaN where ``other`` is NaN)."""
    if not isinstance(other, Tensor):
        other = _wrap(np.asarray(other, get_default_dtype().np))
    if not isinstance(input, Tensor):
        input = _wrap(np.asarray(input, other._data.dtype))
    a, b = promote2(input, other)
    if a._data.dtype.kind != 'f':
        a, b = _float(a), _float(b)
    try:
        r = Xlog1py().apply2(a, b)
    except ValueError:
        broadcast_error(a.shape, b.shape)
        raise
    return _result(r, out)
