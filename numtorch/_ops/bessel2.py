"""torch.special's second Bessel family: Y0, Y1, I0, I1, K0, K1 (plain and scaled), the
spherical j0 and Airy's Ai, element-wise in NumPy.

The same Cephes approximations as PyTorch's kernels (Chebyshev series summed by Clenshaw's
recurrence, rational functions by Horner's rule, Hankel's asymptotic form for Y past 5, Ai's
power series on [-2.09, 2.09) and asymptotic forms outside), computed as PyTorch computes
them: in the input's dtype (single precision for float32), with its fused multiply-adds
(numtorch/_ops/_fp.py) and the C library's rounding of exp, log, sin and cos, so that the
results are PyTorch's to the bit nearly everywhere (float32's sin and cos of large arguments
and long double's rare double roundings aside: an ulp or so). Integer and bool inputs give
the default float dtype; Half is refused as PyTorch refuses it. PyTorch defines no
derivatives for them: the results never require grad.
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from . import _cephes_tables as C
from . import _bessel2_tables as T
from ._fp import fma, libm
from .special_poly import float_arg, result

__all__ = ['bessel_y0', 'bessel_y1', 'modified_bessel_i0', 'modified_bessel_i1',
           'modified_bessel_k0', 'modified_bessel_k1', 'scaled_modified_bessel_k0',
           'scaled_modified_bessel_k1', 'spherical_bessel_j0', 'airy_ai']

f64 = np.float64
_TWO_OPI = 0.636619772367581343075535053490057448          # 2 / pi
_SQ2OPI = 0.797884560802865355879892119868763737           # sqrt(2 / pi)
_PIO4 = 0.785398163397448309615660845819875721
_3PIO4 = 2.356194490192344928846982537459627163


def _horner(coef, z: np.ndarray) -> np.ndarray:
    """Cephes' polevl (highest degree first), each step one fused multiply-add."""
    dt = z.dtype.type
    acc = np.zeros_like(z)
    for c in coef:
        acc = fma(acc, z, dt(c), dt)
    return acc


def _chbevl(y: np.ndarray, coef) -> np.ndarray:
    """Clenshaw's sum of a Chebyshev series (highest order first) at ``y / 2``; each step
    ``y b1 - b2`` fused, then the coefficient added, as PyTorch's kernels compile it."""
    dt = y.dtype.type
    b0 = np.full_like(y, coef[0])
    b1 = np.zeros_like(y)
    b2 = b1
    for c in coef[1:]:
        b2 = b1
        b1 = b0
        b0 = fma(y, b1, -b2, dt) + dt(c)
    return dt(0.5) * (b0 - b2)


def _split(x: np.ndarray, small: np.ndarray, lo, hi) -> np.ndarray:
    """``lo(x)`` where ``small``, ``hi(x)`` elsewhere, each computed on its own elements."""
    out = np.empty_like(x)
    if small.any():
        out[small] = lo(x[small])
    big = ~small
    if big.any():
        out[big] = hi(x[big])
    return out


# -- I0, I1 (PyTorch's modified_bessel_i0/i1 kernels, not torch.i0's) ---------------------------
def _i0(x: np.ndarray) -> np.ndarray:
    dt = x.dtype.type
    ax = np.abs(x)
    return _split(ax, ax <= 8,
                  lambda a: libm(np.exp, a) * _chbevl(a / dt(2) - dt(2), C.I0E_A),
                  lambda a: libm(np.exp, a) * _chbevl(dt(32) / a - dt(2), C.I0E_B) / np.sqrt(a))


def _i1(x: np.ndarray) -> np.ndarray:
    dt = x.dtype.type
    ax = np.abs(x)
    out = _split(ax, ax <= 8,
                 lambda a: _chbevl(a / dt(2) - dt(2), C.I1E_A) * a * libm(np.exp, a),
                 lambda a: libm(np.exp, a) * _chbevl(dt(32) / a - dt(2), C.I1E_B) / np.sqrt(a))
    return np.where(x < 0, -out, out)


# -- K0, K1 ------------------------------------------------------------------------------------
def _k_small(x: np.ndarray, order: int, scaled: bool) -> np.ndarray:
    """x in (0, 2]: a series in x^2 - 2 and a log(x/2) I(x) term."""
    dt = x.dtype.type
    y = fma(x, x, dt(-2), dt)
    if order == 1:
        v = fma(libm(np.log, dt(0.5) * x), _i1(x), _chbevl(y, T.K1_A) / x, dt)
    elif scaled:
        v = fma(-libm(np.log, dt(0.5) * x), _i0(x), _chbevl(y, T.K0_A), dt)
    else:
        # NOTE: PyTorch's K0 writes log(0.5 * x) with a double 0.5, so for float32 this
        # last line runs in double.
        w = x.astype(f64)
        v = fma(-libm(np.log, 0.5 * w), _i0(x).astype(f64), _chbevl(y, T.K0_A).astype(f64),
                f64).astype(dt)
    return v * libm(np.exp, x) if scaled else v


def _k(x: np.ndarray, order: int, scaled: bool) -> np.ndarray:
    """K0 or K1, or ``exp(x) K(x)`` when ``scaled``: inf at 0, NaN below."""
    dt = x.dtype.type
    coef = T.K0_B if order == 0 else T.K1_B

    def tail(v):
        h = _chbevl(dt(8) / v - dt(2), coef)
        return h / np.sqrt(v) if scaled else libm(np.exp, -v) * h / np.sqrt(v)
    with np.errstate(all='ignore'):
        out = _split(x, (x > 0) & (x <= 2), lambda v: _k_small(v, order, scaled), tail)
        return np.where(x == 0, dt(np.inf), np.where(x < 0, dt(np.nan), out))


# -- Y0, Y1 ------------------------------------------------------------------------------------
def _j0_small(x: np.ndarray) -> np.ndarray:
    """J0 on (0, 5], as PyTorch's bessel_j0 kernel (for Y0's log term)."""
    dt = x.dtype.type
    z = x * x
    r = (z - dt(5.78318596294678452118e+00)) * (z - dt(3.04712623436620863991e+01)) \
        * _horner(C.J0_RP, z) / _horner(C.J0_RQ, z)
    return np.where(x < dt(1e-5), dt(1) - z / dt(4), r)


def _j1_small(x: np.ndarray) -> np.ndarray:
    """J1 on (0, 5], as PyTorch's bessel_j1 kernel (for Y1's log term)."""
    dt = x.dtype.type
    z = x * x
    return _horner(C.J1_RP, z) / _horner(C.J1_RQ, z) * x \
        * (z - dt(1.46819706421238932572e+01)) * (z - dt(4.92184563216946036703e+01))


def _hankel_y(x: np.ndarray, pp, pq, qp, qq, z: np.ndarray, shift: float) -> np.ndarray:
    """``sqrt(2/(pi x)) (P sin(x - shift) + 5/x Q cos(x - shift))`` with P and Q rational in
    ``z = 25 / x^2``: Y0 and Y1 past 5."""
    dt = x.dtype.type
    p = _horner(pp, z) / _horner(pq, z)
    q = dt(5) / x * (_horner(qp, z) / _horner(qq, z))
    arg = x - dt(shift)
    return fma(p, libm(np.sin, arg), q * libm(np.cos, arg), dt) * dt(_SQ2OPI) / np.sqrt(x)


def _y0(x: np.ndarray) -> np.ndarray:
    dt = x.dtype.type

    def small(v):
        z = v * v
        return fma(dt(_TWO_OPI) * libm(np.log, v), _j0_small(v),
                   _horner(T.Y0_YP, z) / _horner(T.Y0_YQ, z), dt)

    def big(v):
        return _hankel_y(v, C.J0_PP, C.J0_PQ, C.J0_QP, C.J0_QQ, dt(25) / (v * v), _PIO4)
    with np.errstate(all='ignore'):
        out = _split(x, (x > 0) & (x <= 5), small, big)
        return np.where(x == 0, dt(-np.inf), np.where(x < 0, dt(np.nan), out))


def _y1(x: np.ndarray) -> np.ndarray:
    dt = x.dtype.type

    def small(v):
        z = v * v
        log_term = fma(_j1_small(v), libm(np.log, v), -(dt(1) / v), dt)
        return fma(v, _horner(T.Y1_YP, z) / _horner(T.Y1_YQ, z), dt(_TWO_OPI) * log_term, dt)

    def big(v):
        return _hankel_y(v, C.J1_PP, C.J1_PQ, C.J1_QP, C.J1_QQ, dt(5) / v * (dt(5) / v),
                         _3PIO4)
    with np.errstate(all='ignore'):
        out = _split(x, (x > 0) & (x <= 5), small, big)
        return np.where(x == 0, dt(-np.inf), np.where(x < 0, dt(np.nan), out))


# -- spherical j0, Ai --------------------------------------------------------------------------
def _spherical_j0(x: np.ndarray) -> np.ndarray:
    dt = x.dtype.type

    def series(v):
        # sin(x)/x's Taylor series below 1/2, where the quotient would lose digits
        z = v * v
        acc = np.full_like(v, dt(1) / dt(6227020800.0))
        for c in (dt(-1) / dt(39916800.0), dt(1) / dt(362880.0), dt(-1) / dt(5040.0),
                  dt(1) / dt(120.0), dt(-1) / dt(6.0), dt(1)):
            acc = fma(z, acc, c, dt)
        return acc
    with np.errstate(all='ignore'):
        out = _split(x, np.abs(x) < dt(0.5), series, lambda v: libm(np.sin, v) / v)
        return np.where(np.isinf(x), dt(0), out)


_AI_C1 = 0.355028053887817239260       # Ai(0)
_AI_C2 = 0.258819403792806798405       # -Ai'(0)
_SQPII = 5.64189583547756286948e-01    # 1 / sqrt(pi)


def _airy_left(x: np.ndarray) -> np.ndarray:
    """x < -2.09: modulus and phase corrections in z^2, z = 1/zeta, zeta = 2/3 |x|^{3/2}."""
    dt = x.dtype.type
    zeta = dt(-2) * x * np.sqrt(-x) / dt(3)
    z = dt(1) / zeta
    zz = z * z
    f = dt(1) + zz * _horner(T.AI_AFN, zz) / _horner(T.AI_AFD, zz)
    g = z * _horner(T.AI_AGN, zz) / _horner(T.AI_AGD, zz)
    t = zeta + dt(0.25) * dt(math.pi)
    return dt(_SQPII) / np.sqrt(np.sqrt(-x)) \
        * fma(libm(np.sin, t), f, -(libm(np.cos, t) * g), dt)


def _airy_right(x: np.ndarray) -> np.ndarray:
    """x >= 2.09: a rational function of 1/zeta times exp(-zeta) (0 once exp overflows)."""
    dt = x.dtype.type
    zeta = dt(2) * x * np.sqrt(x) / dt(3)
    r = _horner(T.AI_AN, dt(1) / zeta) / _horner(T.AI_AD, dt(1) / zeta)
    return dt(_SQPII) * r / (dt(2) * np.sqrt(np.sqrt(x)) * libm(np.exp, zeta))


def _airy_series(x: np.ndarray) -> np.ndarray:
    """Ai by its Maclaurin series ``c1 f(x) - c2 g(x)``, each element summed until its last
    term falls below the dtype's epsilon relative to ``f`` (PyTorch's stopping rule)."""
    dt = x.dtype.type
    eps = np.finfo(dt).eps
    f = np.ones_like(x)
    g = x.copy()
    m = np.ones_like(x)
    n = x.copy()
    z = x * x * x
    k = dt(1)
    live = np.ones(x.shape, bool)
    while live.any():
        m = m * z
        k = k + dt(1)
        m = m / k
        n = n * z
        k = k + dt(1)
        n = n / k
        m = m / k
        f = np.where(live, f + m, f)
        k = k + dt(1)
        n = n / k
        g = np.where(live, g + n, g)
        live &= np.abs(m / f) > eps
    return fma(dt(_AI_C1), f, -(dt(_AI_C2) * g), dt)


def _airy_ai(x: np.ndarray) -> np.ndarray:
    dt = x.dtype.type
    with np.errstate(all='ignore'):
        out = np.empty_like(x)
        left = x < dt(-2.09)
        right = x >= dt(2.09)
        mid = ~left & ~right
        for mask, fn in ((left, _airy_left), (right, _airy_right), (mid, _airy_series)):
            if mask.any():
                out[mask] = fn(x[mask])
        out = np.where(x > dt(103.892), dt(0), out)
        return np.where(np.isinf(x), dt(np.nan), out)


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
