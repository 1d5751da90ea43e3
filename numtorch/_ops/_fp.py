"""Floating-point helpers that reproduce how PyTorch's compiled CPU kernels round.

PyTorch builds its kernels with FMA contraction: ``a * b + c`` written in C++ is often one
fused multiply-add, rounded once. ``fma`` gives that rounding: through float64 for float32
(where the product is exact), through error-free transformations for float64.
``libm`` evaluates a NumPy function in the wider type and rounds once, which matches the C
library's (nearly always correctly rounded) functions more often than NumPy's own vectorised
kernels.
"""
from __future__ import annotations

import numpy as np

__all__ = ['WIDE', 'fma', 'libm']

WIDE = {np.dtype(np.float32): np.float64,
        np.dtype(np.float64): np.longdouble if np.finfo(np.longdouble).nmant > 52
        else np.float64}


_SPLIT = 134217729.0     # 2^27 + 1: Dekker's splitting constant for float64


def _fma64(a, b, c) -> np.ndarray:
    """float64 ``a * b + c`` rounded once, from error-free transformations: the product as
    an exact pair (Dekker), its sum with ``c`` as an exact pair (Knuth), then one rounding of
    the small parts onto the large (off only where that rounding lands within 2^-53 ulp of a
    tie). Where a pair cannot be formed (overflow, inf, NaN) long double takes over."""
    a, b, c = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64),
                                  np.asarray(c, np.float64))
    with np.errstate(all='ignore'):
        p = a * b
        t = _SPLIT * a
        ah = t - (t - a)
        al = a - ah
        t = _SPLIT * b
        bh = t - (t - b)
        bl = b - bh
        e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
        s = p + c
        v = s - p
        r = s + (((p - (s - v)) + (c - v)) + e)
        bad = ~np.isfinite(r) | ~np.isfinite(e)
        if bad.any():
            w = WIDE[np.dtype(np.float64)]
            r[bad] = (a[bad].astype(w) * b[bad] + c[bad]).astype(np.float64)
    return r


def fma(a, b, c, dt) -> np.ndarray:
    """``a * b + c`` rounded once to ``dt`` (float32 or float64)."""
    if np.dtype(dt) == np.float64:
        return _fma64(a, b, c)
    return (np.multiply(a, b, dtype=np.float64) + np.asarray(c, np.float64)).astype(dt)


def libm(fn, a: np.ndarray) -> np.ndarray:
    """``fn(a)`` (a NumPy ufunc) in ``a``'s dtype, through the wider type."""
    return fn(a.astype(WIDE[a.dtype])).astype(a.dtype)
