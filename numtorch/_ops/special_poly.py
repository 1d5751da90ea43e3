"""torch.special's classical orthogonal polynomials, element-wise in NumPy.

Chebyshev polynomials of the four kinds (T, U, V, W) and their shifted forms on [0, 1],
physicists' and probabilists' Hermite polynomials, Laguerre and Legendre polynomials, each
``f(x, n)`` with ``x`` and ``n`` tensors or numbers that broadcast together.

They follow PyTorch's CPU kernels step for step, in the result dtype (single precision for
float32, as PyTorch's; its fused multiply-adds and libm calls reproduced, so the recurrences
give PyTorch's numbers to the bit, and so do the float64 trigonometric forms; the float32
ones take acos/cos/sin from double precision rounded once, which the C library's float
functions do not always match, and ``n acos(x)`` magnifies the difference). Broadcasting and
type promotion are PyTorch's, integers promoting to the default float dtype; Half is refused
as PyTorch refuses it. ``n`` is cast to the common dtype and truncated to an integer (NaN,
infinities and values past int64 count as negative); a negative degree gives 0; ``|x| == 1``
(``x`` in {0, 1} for the shifted forms) has closed forms; for ``|x| < 1`` and a degree above
a small threshold the Chebyshev kinds use their trigonometric forms; otherwise the three-term
recurrence runs, vectorised over the elements (one NumPy step per degree, the elements sorted
by degree so that each step touches only those still climbing). Hermite degrees past 128
(float32) or 512 (float64) give NaN, as in PyTorch. A NaN ``x`` with a degree of 2 or more
gives NaN (PyTorch's Chebyshev, Laguerre and Legendre kernels return an unset variable
there). No derivative is defined (PyTorch has none): the results never require grad.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .._tensor import Tensor, _wrap, _bump, _type_word
from .._state import state
from .._dtype import NP2DT, result_dtype, get_default_dtype, can_cast
from ._op import broadcast_error
from ._fp import fma, libm

__all__ = ['chebyshev_polynomial_t', 'chebyshev_polynomial_u', 'chebyshev_polynomial_v',
           'chebyshev_polynomial_w', 'shifted_chebyshev_polynomial_t',
           'shifted_chebyshev_polynomial_u', 'shifted_chebyshev_polynomial_v',
           'shifted_chebyshev_polynomial_w', 'hermite_polynomial_h', 'hermite_polynomial_he',
           'laguerre_polynomial_l', 'legendre_polynomial_p']

_NUMBER_TYPES = (int, float, bool, np.generic)


# -- argument plumbing shared with the other torch.special files -----------------------------
def float_args(name: str, x, y, xnames: tuple = ('x', 'x', 'x'), yname: str = 'n'):
    """The two operands as arrays of their common float dtype, broadcast together.

    Follows PyTorch's promotion (a Python number only counts when of a higher category;
    integer and bool results become the default float dtype); Half is refused as PyTorch's
    CPU kernels refuse it. ``xnames`` and ``yname`` name the parameters in the TypeError for
    operands that are not tensors or numbers (``x`` has a name per overload)."""
    tx, ty = isinstance(x, Tensor), isinstance(y, Tensor)
    if not (tx or ty) or not (tx or isinstance(x, _NUMBER_TYPES)) \
            or not (ty or isinstance(y, _NUMBER_TYPES)):
        raise TypeError(f'special_{name}() received an invalid combination of arguments - got '
                        f'({type(x).__name__}, {type(y).__name__}), but expected one of:\n'
                        f' * (Tensor {xnames[0]}, Tensor {yname}, *, Tensor out = None)\n'
                        f' * (Number {xnames[1]}, Tensor {yname}, *, Tensor out = None)\n'
                        f' * (Tensor {xnames[2]}, Number {yname}, *, Tensor out = None)\n')
    dt = result_dtype((x, y))
    if not dt.is_floating_point:
        dt = get_default_dtype()
    npdt = dt.np
    if npdt == np.float16:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Half\'')
    xa = x._data.astype(npdt, copy=False) if tx else np.asarray(x, npdt)
    ya = y._data.astype(npdt, copy=False) if ty else np.asarray(y, npdt)
    try:
        xa, ya = np.broadcast_arrays(xa, ya)
    except ValueError:
        broadcast_error(xa.shape, ya.shape)
        raise
    return xa, ya


def float_arg(name: str, x, argname: str = 'input') -> np.ndarray:
    """A unary op's tensor as an array of a float dtype (integers and bools promote to the
    default dtype; Half is refused as PyTorch's CPU kernels refuse it)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"special_{name}(): argument '{argname}' (position 1) must be Tensor, "
                        f'not {type(x).__name__}')
    a = x._data
    if a.dtype.kind != 'f':
        return a.astype(get_default_dtype().np)
    if a.dtype == np.float16:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Half\'')
    return a


def result(r, out, name: str, differentiable: bool = False) -> Tensor:
    """The result (an array is wrapped), or ``out`` holding it.

    As PyTorch: ``out`` must be able to hold the result's dtype; a non-empty ``out`` of
    another shape is resized with a warning; only a differentiable op (zeta) refuses an
    ``out`` when grad is being recorded and something requires it."""
    if not isinstance(r, Tensor):
        r = _wrap(r)
    if out is None:
        return r
    if differentiable and state.enabled and (r._rg or out._rg):
        raise RuntimeError(f"special_{name}(): functions with out=... arguments don't support "
                           'automatic differentiation, but one of the arguments requires grad.')
    arr, od = r._data, out._data
    if not can_cast(NP2DT[arr.dtype], NP2DT[od.dtype]):
        raise RuntimeError(f"result type {_type_word(arr.dtype)} can't be cast to the desired "
                           f'output type {_type_word(od.dtype)}')
    if od.shape != arr.shape:
        if od.size:
            warnings.warn(f'An output with one or more elements was resized since it had shape '
                          f'{list(od.shape)}, which does not match the required output shape '
                          f'{list(arr.shape)}. This behavior is deprecated, and in a future '
                          'PyTorch release outputs will not be resized unless they have zero '
                          'elements. You can explicitly reuse an out tensor t by resizing it, '
                          'inplace, to zero elements with t.resize_(0).', UserWarning,
                          stacklevel=3)
        out._data = od = np.empty(arr.shape, od.dtype)
    od[...] = arr
    _bump(out)
    return out


# -- the kernels ------------------------------------------------------------------------------
def _degrees(n: np.ndarray) -> np.ndarray:
    """``n`` truncated to int64 as PyTorch's C++ cast does on x86: NaN, infinities and values
    out of int64's range become negative (so they give 0)."""
    with np.errstate(invalid='ignore'):
        ok = np.isfinite(n) & (np.abs(n) < 2.0 ** 63)
        return np.where(ok, n, -1).astype(np.int64)


def _recurrence(n: np.ndarray, q1: np.ndarray, step, *args: np.ndarray) -> np.ndarray:
    """``q_n`` where ``q_0 = 1``, ``q_1 = q1`` and ``q_{j+1} = step(j, *args, q_{j-1}, q_j)``,
    for flat arrays with every ``n >= 2``.

    The elements are sorted by degree, highest first, so that step ``j`` runs on the prefix of
    those with ``n > j``. The loop ends early once every climbing value is NaN (PyTorch's
    loops stop at a NaN, which the recurrence would only carry on)."""
    order = np.argsort(-n, kind='stable')
    ns = n[order]
    args = [a[order] for a in args]
    q = q1[order]
    p = np.ones_like(q)
    neg = -ns
    top = int(ns[0])
    with np.errstate(all='ignore'):
        for j in range(1, top):
            m = int(np.searchsorted(neg, -j, side='left'))   # how many have n > j
            r = step(j, *[a[:m] for a in args], p[:m], q[:m])
            p[:m] = q[:m]
            q[:m] = r
            if j % 64 == 0 and np.isnan(r).all():
                break
    out = np.empty_like(q)
    out[order] = q
    return out


def _fms(a, b, c: np.ndarray) -> np.ndarray:
    """``a * b - c`` rounded once: PyTorch's kernels fuse each recurrence step (see _fp)."""
    return fma(a, b, -c, c.dtype)


_MATH = {name: np.frompyfunc(getattr(math, name), 1, 1) for name in ('acos', 'cos', 'sin')}
_NP = {'acos': np.arccos, 'cos': np.cos, 'sin': np.sin}


def _libm(name: str, a: np.ndarray) -> np.ndarray:
    """The C library's ``name(a)`` in ``a``'s dtype, as PyTorch's scalar kernels call it.

    float64 goes through Python's math module (the same libm; NumPy's vectorised float64
    kernels are an ulp off now and then, which n acos(x) amplifies); float32 through float64
    and one rounding, which agrees with the single-precision libm functions far more often
    than NumPy's own float32 kernels."""
    if a.dtype == np.float64:
        return _MATH[name](a).astype(np.float64) if a.size else a.copy()
    return libm(_NP[name], a)


def _parity(n: np.ndarray, even, odd) -> np.ndarray:
    return np.where(n % 2 == 0, even, odd)


def _chebyshev_trig(kind: str, shifted: bool, y: np.ndarray, k: np.ndarray,
                    xpos: np.ndarray) -> np.ndarray:
    """The trigonometric forms, for |y| < 1: ``T_n = cos(n a)``, ``U_n = sin((n+1) a) / sin a``,
    ``V_n = cos((n+1/2) a) / cos(a/2)``, ``W_n = sin((n+1/2) a) / sin(a/2)`` with
    ``a = acos(y)``, and PyTorch's fallbacks where the divisor's test fails."""
    t = y.dtype.type
    one = t(1)
    kf = k.astype(y.dtype)
    odd2 = kf + kf + one
    a = _libm('acos', y)
    if kind == 't':
        return _libm('cos', kf * a)
    if kind == 'u':
        s = _libm('sin', a)
        return np.where(s != 0, _libm('sin', (kf + one) * a) / s,
                        (kf + one) * _libm('cos', (kf + one) * a) / y)
    h = a / t(2)
    if kind == 'v':
        return np.where(_libm('sin', h) != one, _libm('cos', (kf + t(0.5)) * a) / _libm('cos', h),
                        _parity(k, odd2, -odd2))
    # NOTE: where cos(acos(y)/2) rounds to 1 PyTorch returns 2n+1 for x > 0 in the plain
    # form but +-1 by parity in the shifted one.
    fallback = _parity(k, one, -one)
    if not shifted:
        fallback = np.where(xpos, odd2, fallback)
    return np.where(_libm('cos', h) != one, _libm('sin', (kf + t(0.5)) * a) / _libm('sin', h),
                    fallback)


# the degree above which PyTorch switches to the trigonometric forms for |x| < 1
_TRIG_FROM = {('t', False): 6, ('u', False): 8, ('v', False): 8, ('w', False): 8,
              ('t', True): 6, ('u', True): 6, ('v', True): 6, ('w', True): 4}


def _chebyshev(name: str, x, n, out, kind: str, shifted: bool) -> Tensor:
    xa, na = float_args(name, x, n)
    shape = xa.shape
    xa, k = xa.ravel(), _degrees(na.ravel())
    t = xa.dtype.type
    one = t(1)
    res = np.zeros(xa.shape, xa.dtype)
    with np.errstate(all='ignore'):
        # NOTE: the shifted forms use y = 2x - 1 with the same recurrence, but test the end
        # points on x itself (x == 1 and x == 0), as PyTorch does.
        y = xa + xa - one if shifted else xa
        if shifted:
            ends, pos = (xa == one) | (xa == 0), xa == one
        else:
            ends, pos = np.abs(xa) == one, xa > 0
        # first values of the recurrence: q_1 for each kind
        q1 = {'t': y, 'u': y + y, 'v': y + y - one, 'w': y + y + one}[kind]
        kf = k.astype(xa.dtype)
        odd2 = kf + kf + one                    # 2n + 1
        if kind == 't':
            end_val = np.where(pos, one, _parity(k, one, -one))
        elif kind == 'u':
            end_val = np.where(pos, kf + one, _parity(k, kf + one, -(kf + one)))
        elif kind == 'v':
            end_val = np.where(pos, one, _parity(k, odd2, -odd2))
        else:
            end_val = np.where(pos, odd2, _parity(k, one, -one))
        limit = _TRIG_FROM[kind, shifted]
        trig = (k > limit) & (np.abs(y) < one) & ~ends
        res = np.where(k == 0, one, np.where(k == 1, q1, res))
        rec = (k >= 2) & ~ends & ~trig
        if rec.any():
            res[rec] = _recurrence(k[rec], q1[rec], lambda j, yy, p, q: _fms(yy + yy, q, p),
                                   y[rec])
        if trig.any():
            res[trig] = _chebyshev_trig(kind, shifted, y[trig], k[trig], xa[trig] > 0)
        res = np.where(ends, end_val, res)
        res = np.where(k < 0, 0, res).astype(xa.dtype, copy=False)
    return result(res.reshape(shape), out, name)


def chebyshev_polynomial_t(input, n, *, out=None) -> Tensor:
    """The Chebyshev polynomial of the first kind ``T_n(input)``."""
    return _chebyshev('chebyshev_polynomial_t', input, n, out, 't', False)


def chebyshev_polynomial_u(input, n, *, out=None) -> Tensor:
    """The Chebyshev polynomial of the second kind ``U_n(input)``."""
    return _chebyshev('chebyshev_polynomial_u', input, n, out, 'u', False)


def chebyshev_polynomial_v(input, n, *, out=None) -> Tensor:
    """The Chebyshev polynomial of the third kind ``V_n(input)``."""
    return _chebyshev('chebyshev_polynomial_v', input, n, out, 'v', False)


def chebyshev_polynomial_w(input, n, *, out=None) -> Tensor:
    """The Chebyshev polynomial of the fourth kind ``W_n(input)``."""
    return _chebyshev('chebyshev_polynomial_w', input, n, out, 'w', False)


def shifted_chebyshev_polynomial_t(input, n, *, out=None) -> Tensor:
    """``T_n(2 input - 1)``: the first kind moved onto [0, 1]."""
    return _chebyshev('shifted_chebyshev_polynomial_t', input, n, out, 't', True)


def shifted_chebyshev_polynomial_u(input, n, *, out=None) -> Tensor:
    """``U_n(2 input - 1)``: the second kind moved onto [0, 1]."""
    return _chebyshev('shifted_chebyshev_polynomial_u', input, n, out, 'u', True)


def shifted_chebyshev_polynomial_v(input, n, *, out=None) -> Tensor:
    """``V_n(2 input - 1)``: the third kind moved onto [0, 1]."""
    return _chebyshev('shifted_chebyshev_polynomial_v', input, n, out, 'v', True)


def shifted_chebyshev_polynomial_w(input, n, *, out=None) -> Tensor:
    """``W_n(2 input - 1)``: the fourth kind moved onto [0, 1]."""
    return _chebyshev('shifted_chebyshev_polynomial_w', input, n, out, 'w', True)


def _hermite(name: str, x, n, out, physicists: bool) -> Tensor:
    xa, na = float_args(name, x, n)
    shape = xa.shape
    xa, k = xa.ravel(), _degrees(na.ravel())
    t = xa.dtype.type
    # PyTorch gives up (NaN) past these degrees rather than run long loops
    cap = 128 if t is np.float32 else 512
    with np.errstate(all='ignore'):
        q1 = xa + xa if physicists else xa
        res = np.where(k == 0, t(1), q1)
        rec = (k >= 2) & (k <= cap)
        if rec.any():
            if physicists:
                # H_{k+1} = 2x H_k - 2k H_{k-1}
                def step(j, xx, p, q):
                    return _fms(xx + xx, q, t(j + j) * p)
            else:
                # He_{k+1} = x He_k - k He_{k-1}
                def step(j, xx, p, q):
                    return _fms(xx, q, t(j) * p)
            res[rec] = _recurrence(k[rec], q1[rec], step, xa[rec])
        res = np.where(k > cap, np.nan, res)
        res = np.where(k < 0, 0, res).astype(xa.dtype, copy=False)
    return result(res.reshape(shape), out, name)


def hermite_polynomial_h(input, n, *, out=None) -> Tensor:
    """The physicists' Hermite polynomial ``H_n(input)`` (NaN for n above 128 in float32,
    512 in float64, as PyTorch)."""
    return _hermite('hermite_polynomial_h', input, n, out, True)


def hermite_polynomial_he(input, n, *, out=None) -> Tensor:
    """The probabilists' Hermite polynomial ``He_n(input)`` (NaN for n above 128 in
    float32, 512 in float64, as PyTorch)."""
    return _hermite('hermite_polynomial_he', input, n, out, False)


def laguerre_polynomial_l(input, n, *, out=None) -> Tensor:
    """The Laguerre polynomial ``L_n(input)`` (1 at ``input == 0`` for every n >= 0)."""
    name = 'laguerre_polynomial_l'
    xa, na = float_args(name, input, n)
    shape = xa.shape
    xa, k = xa.ravel(), _degrees(na.ravel())
    t = xa.dtype.type
    with np.errstate(all='ignore'):
        q1 = t(1) - xa
        res = np.where(k == 0, t(1), q1)
        rec = (k >= 2) & (xa != 0)

        # (k + 1) L_{k+1} = (2k + 1 - x) L_k - k L_{k-1}
        def step(j, omx, p, q):
            return _fms(t(j + j) + omx, q, t(j) * p) / t(j + 1)
        if rec.any():
            res[rec] = _recurrence(k[rec], q1[rec], step, q1[rec])
        res = np.where(xa == 0, t(1), res)
        res = np.where(k < 0, 0, res).astype(xa.dtype, copy=False)
    return result(res.reshape(shape), out, name)


def legendre_polynomial_p(input, n, *, out=None) -> Tensor:
    """The Legendre polynomial ``P_n(input)``."""
    name = 'legendre_polynomial_p'
    xa, na = float_args(name, input, n)
    shape = xa.shape
    xa, k = xa.ravel(), _degrees(na.ravel())
    t = xa.dtype.type
    with np.errstate(all='ignore'):
        ends = np.abs(xa) == t(1)
        res = np.where(k == 0, t(1), xa)
        rec = (k >= 2) & ~ends

        # (k + 1) P_{k+1} = (2k + 1) x P_k - k P_{k-1}
        def step(j, xx, p, q):
            return _fms(t(j + j + 1) * xx, q, t(j) * p) / t(j + 1)
        if rec.any():
            res[rec] = _recurrence(k[rec], xa[rec], step, xa[rec])
        res = np.where(ends, np.where((xa > 0) | (k % 2 == 0), t(1), t(-1)), res)
        res = np.where(k < 0, 0, res).astype(xa.dtype, copy=False)
    return result(res.reshape(shape), out, name)
