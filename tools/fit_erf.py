"""Regenerates the polynomial coefficients of numtorch/_ops/_erf.py.

A development tool, not part of the package: it needs mpmath (installed with PyTorch's
sympy) for reference values at 40 digits. Each fit is a least-squares polynomial at
Chebyshev nodes, refined twice on its residual, then checked against mpmath.

    python tools/fit_erf.py
"""
from __future__ import annotations

import mpmath
import numpy as np

mpmath.mp.dps = 40
_NODES = 3000


def _fit(f, lo: float, hi: float, deg: int, weight=None, mapped: bool = True) -> np.ndarray:
    """Coefficients (lowest degree first) of a degree-``deg`` polynomial fitting f on
    [lo, hi], in the variable mapped onto [-1, 1] (or in the variable itself)."""
    z = np.cos(np.pi * (np.arange(_NODES) + 0.5) / _NODES)
    v = lo + (hi - lo) * (z + 1) / 2
    y = np.array([float(f(mpmath.mpf(float(t)))) for t in v])
    w = np.ones_like(y) if weight is None else weight(v)
    a = np.vander(z if mapped else v, deg + 1, increasing=True) * w[:, None]
    c = np.linalg.lstsq(a, y * w, rcond=None)[0]
    for _ in range(2):
        c += np.linalg.lstsq(a, (y - a @ c / w) * w, rcond=None)[0]
    return c


def _scaled_tail(w):
    """G(w) = erfcx(1/w) / w."""
    x = 1 / w
    return mpmath.erfc(x) * mpmath.exp(x * x) * x


def main() -> None:
    small = _fit(lambda t: mpmath.erf(mpmath.sqrt(t)) / mpmath.sqrt(t) if t else
                 2 / mpmath.sqrt(mpmath.pi), 0.0, 1.0, 11, mapped=False)
    print('_SMALL =', tuple(float(c) for c in small))
    # erf's tail only needs erfc's absolute error small: weighted by exp(-x*x) / x
    tail = _fit(_scaled_tail, 1 / 6, 1.0, 16, weight=lambda w: np.exp(-1 / w ** 2) * w)
    print('_ERF_TAIL =', tuple(float(c) for c in tail))
    for lo, hi, deg in ((1.0, 2.0, 16), (2.0, 4.0, 13), (4.0, 8.0, 11), (8.0, 27.5, 10)):
        c = _fit(_scaled_tail, 1 / hi, 1 / lo, deg)
        print((lo, hi, tuple(float(v) for v in c)))


if __name__ == '__main__':
    main()
