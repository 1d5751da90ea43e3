"""Bessel functions, element-wise in NumPy, from the Cephes approximations PyTorch uses.

- ``i0``, ``i0e``, ``i1``, ``i1e`` (modified Bessel functions of the first kind, plain and
  scaled by ``exp(-|x|)``): Chebyshev series on [0, 8] and in ``32/x`` above, summed by
  Clenshaw's recurrence (Cephes' chbevl).
- ``bessel_j0``, ``bessel_j1`` (Bessel functions of the first kind): a rational function times
  the first two zeros' factors up to 5, Hankel's asymptotic form with rational P and Q above.

Everything is evaluated in float64 and rounded to the input's dtype; integer and bool inputs
give the default float dtype. PyTorch's float32 kernels use single precision (and shorter
series), so float32 results can differ from PyTorch's by an ulp or two.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .._dtype import get_default_dtype
from ._op import Op
from . import _cephes_tables as T

__all__ = ['i0', 'i0e', 'i1', 'i1e', 'bessel_j0', 'bessel_j1']

f64 = np.float64
_I0A, _I0B = np.array(T.I0E_A), np.array(T.I0E_B)
_I1A, _I1B = np.array(T.I1E_A), np.array(T.I1E_B)


def _chbevl(y: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Clenshaw's sum of the Chebyshev series ``coef`` (highest order first) at ``y / 2``."""
    b0 = np.full_like(y, coef[0])
    b1 = np.zeros_like(y)
    b2 = b1
    for c in coef[1:]:
        b2 = b1
        b1 = b0
        b0 = y * b1 - b2 + c
    return 0.5 * (b0 - b2)


def _scaled(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``exp(-|x|) I_n(|x|)`` (times ``1/|x|`` for n = 1: the caller multiplies) from the
    [0, 8] series ``a`` and the ``32/|x|`` series ``b`` (which carries ``1/sqrt(|x|)``)."""
    ax = np.abs(x)
    small = ax <= 8
    with np.errstate(divide='ignore', invalid='ignore'):
        lo = _chbevl(ax / 2 - 2, a)
        hi = _chbevl(32 / ax - 2, b) / np.sqrt(ax)
    return small, lo, hi


def _i0e64(x: np.ndarray) -> np.ndarray:
    small, lo, hi = _scaled(x, _I0A, _I0B)
    return np.where(small, lo, hi)


def _i1e64(x: np.ndarray) -> np.ndarray:
    small, lo, hi = _scaled(x, _I1A, _I1B)
    out = np.where(small, lo * np.abs(x), hi)
    return np.where(x < 0, -out, out)


def _unscaled(scaled, x: np.ndarray) -> np.ndarray:
    """``exp(|x|) * scaled(x)`` in ``x``'s dtype, exp taken in PyTorch's precision (single for
    float32 and float16: it overflows to inf past |x| = 88.7 as PyTorch's does)."""
    wt = f64 if x.dtype == f64 else np.float32
    with np.errstate(over='ignore', invalid='ignore'):
        e = np.exp(np.abs(x).astype(wt))
        return (e * scaled(x.astype(f64)).astype(wt)).astype(x.dtype, copy=False)


def _i0(x: np.ndarray) -> np.ndarray:
    return _unscaled(_i0e64, x)


def _i1(x: np.ndarray) -> np.ndarray:
    return _unscaled(_i1e64, x)


def _poly(coef: tuple, z: np.ndarray) -> np.ndarray:
    acc = np.zeros_like(z)
    for c in coef:
        acc = acc * z + c
    return acc


_PIO4 = 0.785398163397448309615660845819875721
_SQ2OPI = 0.797884560802865355879892119868763737


def _hankel(x: np.ndarray, pp, pq, qp, qq, shift: float, wt) -> np.ndarray:
    """``sqrt(2/(pi x)) (P cos(x - shift) - 5/x Q sin(x - shift))`` for x > 5."""
    z = 25 / (x * x)
    p = _poly(pp, z) / _poly(pq, z)
    q = _poly(qp, z) / _poly(qq, z)
    # NOTE: x - shift rounded in PyTorch's working precision: for large float32 x the phase
    # is that of the rounded difference, as in PyTorch.
    arg = (x.astype(wt) - wt(shift)).astype(f64)
    return (p * np.cos(arg) - 5 / x * q * np.sin(arg)) * _SQ2OPI / np.sqrt(x)


def _j0(x: np.ndarray) -> np.ndarray:
    wt = x.dtype.type
    x = np.abs(x.astype(f64))
    with np.errstate(all='ignore'):
        z = x * x
        small = (z - 5.78318596294678452118) * (z - 3.04712623436620863991e1) \
            * _poly(T.J0_RP, z) / _poly(T.J0_RQ, z)
        small = np.where(x < 1e-5, 1 - z / 4, small)
        big = _hankel(x, T.J0_PP, T.J0_PQ, T.J0_QP, T.J0_QQ, _PIO4, wt)
    return np.where(x <= 5, small, big).astype(wt)


def _j1(x: np.ndarray) -> np.ndarray:
    wt = x.dtype.type
    x = x.astype(f64)
    ax = np.abs(x)
    with np.errstate(all='ignore'):
        z = ax * ax
        small = _poly(T.J1_RP, z) / _poly(T.J1_RQ, z) * ax \
            * (z - 1.46819706421238932572e1) * (z - 4.92184563216946036703e1)
        big = _hankel(ax, T.J1_PP, T.J1_PQ, T.J1_QP, T.J1_QQ, 3 * _PIO4, wt)
    out = np.where(ax <= 5, small, big)
    return np.where(x < 0, -out, out).astype(wt)


def _float_in(x: Tensor, name: str = '', half: bool = True) -> Tensor:
    """The input as a float tensor (ints and bools promote to the default dtype)."""
    if x._data.dtype.kind != 'f':
        return x.to(get_default_dtype())
    if not half and x._data.dtype == np.float16:
        raise RuntimeError(f'"{name}_cpu" not implemented for \'Half\'')
    return x


def _ev(fn, x: np.ndarray) -> np.ndarray:
    return fn(x.astype(f64)).astype(x.dtype, copy=False)


class I0(Op):
    _name = 'I0Backward0'
    checks = (0,)

    def forward(self, x):
        self.saved = x
        return _i0(x)

    def backward(self, gy):
        return gy * _i1(self.saved)

    def backward_t(self, gy):
        return gy * i1(self.inputs[0])


class I0e(Op):
    _name = 'SpecialI0EBackward0'
    checks = (0,)
    saves_out = True

    def forward(self, x):
        y = _ev(_i0e64, x)
        self.saved = (x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        # d/dx exp(-|x|) I0(x) = i1e(x) - sgn(x) i0e(x)
        return gy * (_ev(_i1e64, x) - np.sign(x) * y)


class I1(Op):
    _name = 'SpecialI1Backward0'
    checks = (0,)
    saves_out = True

    def forward(self, x):
        y = _i1(x)
        self.saved = (x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        # I1'(x) = I0(x) - I1(x) / x, whose limit at 0 is 1/2
        with np.errstate(divide='ignore', invalid='ignore'):
            d = _i0(x) - y / x
        return gy * np.where(x == 0, x.dtype.type(0.5), d)


class I1e(Op):
    _name = 'SpecialI1EBackward0'
    checks = (0,)
    saves_out = True

    def forward(self, x):
        y = _ev(_i1e64, x)
        self.saved = (x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        with np.errstate(divide='ignore', invalid='ignore'):
            d = _ev(_i0e64, x) - y * (np.sign(x) + 1 / x)
        return gy * np.where(x == 0, x.dtype.type(0.5), d)


def _unary(op: Op, x: Tensor, out) -> Tensor:
    r = op.apply1(_float_in(x))
    if out is not None:
        from .._tensor import _write_out
        return _write_out(r, out)
    return r


def i0(input: Tensor, *, out=None) -> Tensor:
    """The zeroth-order modified Bessel function of the first kind, ``I0(x)``."""
    return _unary(I0(), input, out)


def i0e(input: Tensor, *, out=None) -> Tensor:
    """``exp(-|x|) I0(x)``: I0 scaled so that it does not overflow."""
    return _unary(I0e(), input, out)


def i1(input: Tensor, *, out=None) -> Tensor:
    """The first-order modified Bessel function of the first kind, ``I1(x)`` (odd)."""
    return _unary(I1(), input, out)


def i1e(input: Tensor, *, out=None) -> Tensor:
    """``exp(-|x|) I1(x)``."""
    return _unary(I1e(), input, out)


def _no_grad_unary(fn, name: str, x: Tensor, out) -> Tensor:
    # PyTorch defines no derivative: the result never requires grad.
    x = _float_in(x, name, half=False)
    r = _wrap(fn(x._data))
    if out is not None:
        from .._tensor import _write_out
        return _write_out(r, out)
    return r


def bessel_j0(input: Tensor, *, out=None) -> Tensor:
    """The Bessel function of the first kind of order 0 (no gradient, as in PyTorch)."""
    return _no_grad_unary(_j0, 'bessel_j0', input, out)


def bessel_j1(input: Tensor, *, out=None) -> Tensor:
    """The Bessel function of the first kind of order 1 (no gradient, as in PyTorch)."""
    return _no_grad_unary(_j1, 'bessel_j1', input, out)
