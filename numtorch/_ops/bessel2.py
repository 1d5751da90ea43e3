"""torch.special's second Bessel family: Y0, Y1, I0, I1, K0, K1 (plain and scaled), the
spherical j0 and Airy's Ai, element-wise in NumPy.

The same Cephes approximations as PyTorch's kernels (Chebyshev series summed by Clenshaw's
recurrence, rational functions, Hankel's asymptotic form for Y past 5, Ai's power series on
[-2.09, 2.09) and asymptotic forms outside), evaluated in float64 and rounded to the input's
dtype; integer and bool inputs give the default float dtype. Where PyTorch's single-precision
kernels overflow, underflow or lose a phase to rounding (``exp`` in I0 and I1, K0 and K1 past
about 87, Ai's ``exp(zeta)`` and phase, Y's ``x - pi/4``) those steps are taken in float32 as
PyTorch takes them; elsewhere float32 results can differ from PyTorch's by a few ulps.
PyTorch defines no derivatives for them: the results never require grad.
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from . import _cephes_tables as C
from . import _bessel2_tables as T
from .bessel import _chbevl, _poly, _i0, _i1, _i0e64, _i1e64, _j0, _j1, _PIO4, _SQ2OPI
from .special_poly import float_arg, result

__all__ = ['bessel_y0', 'bessel_y1', 'modified_bessel_i0', 'modified_bessel_i1',
           'modified_bessel_k0', 'modified_bessel_k1', 'scaled_modified_bessel_k0',
           'scaled_modified_bessel_k1', 'spherical_bessel_j0', 'airy_ai']

f64 = np.float64
_TWO_OPI = 0.636619772367581343075535053490057448          # 2 / pi
_K0A, _K0B = np.array(T.K0_A), np.array(T.K0_B)
_K1A, _K1B = np.array(T.K1_A), np.array(T.K1_B)


def _hankel_y(x: np.ndarray, pp, pq, qp, qq, z: np.ndarray, shift: float, wt) -> np.ndarray:
    """``sqrt(2/(pi x)) (P sin(x - shift) + 5/x Q cos(x - shift))`` with P and Q rational in
    ``z = 25 / x^2``: Y0 and Y1 past 5."""
    p = _poly(pp, z) / _poly(pq, z)
    q = _poly(qp, z) / _poly(qq, z)
    # NOTE: the phase x - shift is rounded in PyTorch's working precision (see bessel._hankel)
    arg = (x.astype(wt) - wt(shift)).astype(f64)
    return (p * np.sin(arg) + 5 / x * q * np.cos(arg)) * _SQ2OPI / np.sqrt(x)


def _y_domain(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """-inf at 0, NaN for negative x."""
    return np.where(x == 0, -np.inf, np.where(x < 0, np.nan, out))


def _y0(x: np.ndarray) -> np.ndarray:
    wt = x.dtype.type
    x = x.astype(f64)
    with np.errstate(all='ignore'):
        z = x * x
        small = _poly(T.Y0_YP, z) / _poly(T.Y0_YQ, z) + _TWO_OPI * np.log(x) * _j0(x)
        big = _hankel_y(x, C.J0_PP, C.J0_PQ, C.J0_QP, C.J0_QQ, 25 / z, _PIO4, wt)
        out = _y_domain(x, np.where(x <= 5, small, big))
    return out.astype(wt)


def _y1(x: np.ndarray) -> np.ndarray:
    wt = x.dtype.type
    x = x.astype(f64)
    with np.errstate(all='ignore'):
        z = x * x
        small = x * (_poly(T.Y1_YP, z) / _poly(T.Y1_YQ, z)) \
            + _TWO_OPI * (_j1(x) * np.log(x) - 1 / x)
        big = _hankel_y(x, C.J1_PP, C.J1_PQ, C.J1_QP, C.J1_QQ, 5 / x * (5 / x), 3 * _PIO4, wt)
        out = _y_domain(x, np.where(x <= 5, small, big))
    return out.astype(wt)


def _exp_in(v: np.ndarray, wt) -> np.ndarray:
    """``exp(v)`` taken in PyTorch's working precision ``wt`` (so a float32 kernel's overflow
    and underflow happen where PyTorch's do), as float64."""
    return np.exp(v.astype(wt)).astype(f64)


def _k(x: np.ndarray, order: int, scaled: bool) -> np.ndarray:
    """K0 or K1, or ``exp(x) K(x)`` when ``scaled``: a log term plus a series in x^2 - 2 up to
    2, a series in 8/x - 2 times ``exp(-x) / sqrt(x)`` above."""
    wt = x.dtype.type
    x = x.astype(f64)
    with np.errstate(all='ignore'):
        if order == 0:
            # I0(x) for x <= 2: exp(x) i0e(x)
            small = _chbevl(x * x - 2, _K0A) - np.log(0.5 * x) * (np.exp(x) * _i0e64(x))
            tail = _chbevl(8 / x - 2, _K0B) / np.sqrt(x)
        else:
            small = np.log(0.5 * x) * (np.exp(x) * _i1e64(x)) + _chbevl(x * x - 2, _K1A) / x
            tail = _chbevl(8 / x - 2, _K1B) / np.sqrt(x)
        if scaled:
            small = small * np.exp(x)
        else:
            tail = _exp_in(-x, wt) * tail
        out = np.where(x <= 2, small, tail)
        out = np.where(x == 0, np.inf, np.where(x < 0, np.nan, out))
    return out.astype(wt)


def _spherical_j0(x: np.ndarray) -> np.ndarray:
    wt = x.dtype.type
    x = x.astype(f64)
    with np.errstate(all='ignore'):
        z = x * x
        # sin(x)/x's Taylor series below 1/2, where the quotient would lose digits
        series = 1 + z * (-1 / 6 + z * (1 / 120 + z * (-1 / 5040 + z * (
            1 / 362880 + z * (-1 / 39916800 + z * (1 / 6227020800))))))
        out = np.where(np.abs(x) < 0.5, series, np.sin(x) / x)
        out = np.where(np.isinf(x), 0, out)
    return out.astype(wt)


_AI_C1 = 0.355028053887817239260       # Ai(0)
_AI_C2 = 0.258819403792806798405       # -Ai'(0)
_SQPII = 5.64189583547756286948e-01    # 1 / sqrt(pi)


def _airy_series(x: np.ndarray, eps: float) -> np.ndarray:
    """Ai by its Maclaurin series ``c1 f(x) - c2 g(x)``, each element summed until its last
    term falls below ``eps`` relative to ``f`` (PyTorch's per-element stopping rule)."""
    f = np.ones_like(x)
    g = x.copy()
    m = np.ones_like(x)
    n = x.copy()
    z = x * x * x
    k = 1.0
    live = np.ones(x.shape, bool)
    while live.any():
        m = m * z / (k + 1)
        n = n * z / (k + 2)
        m = m / (k + 2)
        n = n / (k + 3)
        k += 3
        f = np.where(live, f + m, f)
        g = np.where(live, g + n, g)
        live &= np.abs(m / f) > eps
    return _AI_C1 * f - _AI_C2 * g


def _airy_ai(x: np.ndarray) -> np.ndarray:
    wt = x.dtype.type
    eps = float(np.finfo(wt).eps)
    x = x.astype(f64)
    out = np.empty_like(x)
    with np.errstate(all='ignore'):
        neg = x < -2.09
        pos = x >= 2.09
        mid = ~neg & ~pos
        if neg.any():
            v = x[neg]
            xw = v.astype(wt)
            # NOTE: zeta = 2/3 |x|^{3/2} and the phase are rounded in PyTorch's precision
            zeta = (wt(-2.0) * xw * np.sqrt(-xw) / wt(3.0)).astype(f64)
            t = (wt(-2.0) * xw * np.sqrt(-xw) / wt(3.0) + wt(0.25 * math.pi)).astype(f64)
            z = 1 / zeta
            zz = z * z
            f = 1 + zz * _poly(T.AI_AFN, zz) / _poly(T.AI_AFD, zz)
            g = z * _poly(T.AI_AGN, zz) / _poly(T.AI_AGD, zz)
            out[neg] = _SQPII / np.sqrt(np.sqrt(-v)) * (np.sin(t) * f - np.cos(t) * g)
        if pos.any():
            v = x[pos]
            zeta = 2 * v * np.sqrt(v) / 3
            r = _poly(T.AI_AN, 1 / zeta) / _poly(T.AI_AD, 1 / zeta)
            # the denominator in PyTorch's precision: in float32 it overflows past x ~ 26
            den = (2 * np.sqrt(np.sqrt(v))).astype(wt) * np.exp(zeta.astype(wt))
            out[pos] = _SQPII * r / den.astype(f64)
        if mid.any():
            out[mid] = _airy_series(x[mid], eps)
        out = np.where(x > 103.892, 0, out)
        out = np.where(np.isinf(x), np.nan, out)
    return out.astype(wt)


def _unary(fn, name: str, x, out, argname: str = 'input') -> Tensor:
    return result(fn(float_arg(name, x, argname)), out, name)


def bessel_y0(input: Tensor, *, out=None) -> Tensor:
    """The Bessel function of the second kind of order 0 (``-inf`` at 0, NaN below)."""
    return _unary(_y0, 'bessel_y0', input, out)


def bessel_y1(input: Tensor, *, out=None) -> Tensor:
    """The Bessel function of the second kind of order 1 (``-inf`` at 0, NaN below)."""
    return _unary(_y1, 'bessel_y1', input, out)


def modified_bessel_i0(input: Tensor, *, out=None) -> Tensor:
    """The modified Bessel function of the first kind of order 0 (no gradient, unlike
    ``torch.i0``; NaN at infinities, as PyTorch's)."""
    return _unary(_i0, 'modified_bessel_i0', input, out)


def modified_bessel_i1(input: Tensor, *, out=None) -> Tensor:
    """The modified Bessel function of the first kind of order 1 (no gradient)."""
    return _unary(_i1, 'modified_bessel_i1', input, out)


def modified_bessel_k0(input: Tensor, *, out=None) -> Tensor:
    """The modified Bessel function of the second kind of order 0 (inf at 0, NaN below)."""
    return _unary(lambda a: _k(a, 0, False), 'modified_bessel_k0', input, out)


def modified_bessel_k1(input: Tensor, *, out=None) -> Tensor:
    """The modified Bessel function of the second kind of order 1 (inf at 0, NaN below)."""
    return _unary(lambda a: _k(a, 1, False), 'modified_bessel_k1', input, out)


def scaled_modified_bessel_k0(x: Tensor, *, out=None) -> Tensor:
    """``exp(x) K0(x)``, which does not underflow for large x."""
    return _unary(lambda a: _k(a, 0, True), 'scaled_modified_bessel_k0', x, out, 'x')


def scaled_modified_bessel_k1(x: Tensor, *, out=None) -> Tensor:
    """``exp(x) K1(x)``, which does not underflow for large x."""
    return _unary(lambda a: _k(a, 1, True), 'scaled_modified_bessel_k1', x, out, 'x')


def spherical_bessel_j0(x: Tensor, *, out=None) -> Tensor:
    """The spherical Bessel function of the first kind of order 0, ``sin(x) / x``."""
    return _unary(_spherical_j0, 'spherical_bessel_j0', x, out, 'x')


def airy_ai(x: Tensor, *, out=None) -> Tensor:
    """Airy's function Ai (0 past 103.892, NaN at infinities, as PyTorch's)."""
    return _unary(_airy_ai, 'airy_ai', x, out, 'x')
