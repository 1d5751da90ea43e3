"""The error function erf and its complement erfc, element-wise, in NumPy.

NumPy has no erf. These evaluate it in float64 from polynomial fits (made offline by
tools/fit_erf.py, with mpmath as the reference; tests/test_erf.py checks them against the
C library's erf and erfc and against PyTorch's), so that erf, erfc, erfinv and GELU need
neither SciPy nor a Python call per element:

- |x| < 1: erf(x) = x * P(x**2).
- |x| >= 1: erfc(|x|) = exp(-x**2) / |x| * G(1/|x|), where G(w) = erfcx(1/w) / w (erfcx
  the scaled complement exp(x**2) * erfc(x)) is smooth and near 1/sqrt(pi) for every
  w in (0, 1], fitted as a polynomial in w mapped onto [-1, 1]. erf needs erfc only to
  within an ulp of 1, and only up to |x| = 6 (past it erf rounds to +-1): one fit there.
  erfc itself keeps its relative accuracy down to the underflow at |x| = 27.5 with four
  fits, on intervals of |x|.
"""
from __future__ import annotations

import numpy as np

__all__ = ['erf', 'erfc']

# erf(x) / x as a polynomial in t = x*x, for |x| < 1 (lowest degree first).
_SMALL = (
    1.1283791670955126, -0.37612638903183776, 0.11283791670955608, -0.026866170644880727,
    0.005223977619655713, -0.0008548326526244217, 0.000120553099300311,
    -1.4924999945005066e-05, 1.6450384645314248e-06, -1.6229186126222722e-07,
    1.3801968758091685e-08, -7.935939214129767e-10)

# G on 1 <= |x| <= 6 for erf, fitted for the absolute error of erfc there.
_ERF_TAIL = (
    0.4966664851259395, -0.07128287792547003, -0.0019368880679623878, 0.006219717588117571,
    -0.002669343020009318, 0.0006408677083049939, -2.4391461862840683e-06,
    -9.3033997941538e-05, 5.95163132256681e-05, -2.385995619362268e-05, 5.905605549095338e-06,
    2.2191192108161736e-07, -1.3135072286372504e-06, 9.332822851210224e-07,
    -4.1705367678991904e-07, 1.1674702170708601e-07, -1.5451889191912575e-08)

# (lo, hi, coefficients): on lo <= |x| < hi, G as a polynomial in
# z = (2w - (1/lo + 1/hi)) / (1/lo - 1/hi), w = 1/|x| (lowest degree first).
_PIECES = (
    (1.0, 2.0, (
        0.46817959203854037, -0.042270244446368836, 0.001209242039293452,
        0.0006295812459838068, -0.00019713177833670663, 3.6805390541549814e-05,
        -4.423080462811553e-06, 3.422977570528774e-08, 1.6981348088909944e-07,
        -6.190475240726788e-08, 1.504179963844196e-08, -2.759274098169148e-09,
        3.351650452479321e-10, 1.7837891885751546e-12, -1.8558801443848367e-11,
        9.70824077958857e-12, -2.511860564653831e-12)),
    (2.0, 4.0, (
        0.5308603493169751, -0.018948191196769614, -0.0014381248079999962,
        0.00034622662915643565, -2.838914221337873e-05, -1.153810938874265e-06,
        7.48604500832645e-07, -1.21919681675009e-07, 8.11480474908375e-09,
        1.2682697771139295e-09, -5.193791025677826e-10, 9.151345670890358e-11,
        -6.059769153208281e-12, -1.1665340194777675e-12)),
    (4.0, 8.0, (
        0.5547541131463941, -0.005993561956300794, -0.0008157912375092056,
        5.221330575975603e-05, 1.2379957841456943e-06, -4.0270172938403907e-07,
        2.05141543803742e-08, 1.7813605057029884e-09, -3.676566918405848e-10,
        1.801010075785121e-11, 2.4797355079590264e-12, -5.01119318221808e-13)),
    (8.0, 27.5, (
        0.5623709167883728, -0.0019788938291511247, -0.0005228693964695312,
        1.0977716720828166e-05, 1.2728148730898005e-06, -7.113860361063647e-08,
        -3.869964931484577e-09, 5.199948939568374e-10, 5.028637126185051e-12,
        -3.8907737008687954e-12, 1.3710950180466124e-13)),
)
_EDGES = np.array([p[0] for p in _PIECES] + [_PIECES[-1][1]])


def _horner(c: tuple, z: np.ndarray) -> np.ndarray:
    r = z * c[-1]
    r += c[-2]
    for a in c[-3::-1]:
        r *= z
        r += a
    return r


def _exp_minus_square(x: np.ndarray) -> np.ndarray:
    """exp(-x*x) without the rounding of x*x: x is split into a head whose square is exact
    and a small tail (the rounding would cost up to x*x*1e-16 of relative error, 1e-13 near
    the underflow)."""
    h = x.astype(np.float32).astype(np.float64)
    return np.exp(-h * h) * np.exp(-(x - h) * (x + h))


def _erfc_tail(a: np.ndarray) -> np.ndarray:
    """erfc(a) for a >= 1 (0 past the last interval)."""
    out = np.zeros_like(a)
    k = np.searchsorted(_EDGES, a, side='right') - 1
    for i, (lo, hi, c) in enumerate(_PIECES):
        m = k == i
        if not m.any():
            continue
        x = a[m]
        w = 1 / x
        g = _horner(c, _mapped(w, lo, hi))
        g *= w
        g *= _exp_minus_square(x)
        out[m] = g
    return out


def _mapped(w: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """w = 1/|x| on [1/hi, 1/lo] mapped onto [-1, 1]."""
    wl, wh = 1 / hi, 1 / lo
    z = w * (2 / (wh - wl))
    z -= (wl + wh) / (wh - wl)
    return z


def _erf64(z: np.ndarray) -> np.ndarray:
    """erf of a 1-D float64 array."""
    # (clipped: the small-|x| polynomial would overflow far out, where it is not used)
    s = np.clip(z, -1.0, 1.0)
    out = _horner(_SMALL, s * s)
    out *= s
    big = np.flatnonzero(np.abs(z) >= 1)
    if big.size:
        # (NaN is not >= 1: it took the first branch, and stays NaN)
        zb = z[big]
        a = np.minimum(np.abs(zb), 6.0)
        w = 1 / a
        t = _horner(_ERF_TAIL, _mapped(w, 1.0, 6.0))
        t *= w
        t *= np.exp(-a * a)
        np.subtract(1, t, out=t)
        out[big] = np.copysign(t, zb)
    return out


def erf(x: np.ndarray) -> np.ndarray:
    """erf(x), computed in float64, returned in the dtype of ``x``."""
    if x.size == 0:
        return x.copy()
    out = _erf64(np.asarray(x, np.float64).reshape(-1))
    return out.reshape(x.shape).astype(x.dtype, copy=False)


def erfc(x: np.ndarray) -> np.ndarray:
    """1 - erf(x) without the cancellation for large x, in the dtype of ``x``."""
    if x.size == 0:
        return x.copy()
    z = np.asarray(x, np.float64).reshape(-1)
    out = 1 - _erf64(z)
    # (for x >= 1, 1 - erf(x) would lose the relative accuracy erfc exists for)
    far = np.flatnonzero(z >= 1)
    if far.size:
        out[far] = _erfc_tail(z[far])
    return out.reshape(x.shape).astype(x.dtype, copy=False)
