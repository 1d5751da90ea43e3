"""The floating-point arithmetic inside PyTorch's CPU random kernels, reproduced bit for bit.

PyTorch turns raw mt19937 words into samples with C++ that the compiler fuses into
fused multiply-adds (``-ffp-contract=fast`` with FMA enabled) and, for float32 normals,
with the Cephes-style AVX2 ``log``/``sincos`` polynomials of ``avx_mathfun.h``. NumPy
has neither an FMA nor those polynomials, so this module rebuilds both:

* ``fma32`` / ``fma64``: a correctly rounded ``a * b + c`` from ordinary float64
  arithmetic (error-free products and sums plus rounding to odd), which is exactly
  what the hardware FMA returns.
* ``normal_fill_avx2``: the 16-wide Box-Muller block of ``normal_fill`` as the AVX2
  kernel computes it, operation by operation, with the multiply-adds fused where the
  compiler fuses them. Over every one of the 2**24 possible float32 uniforms this gives
  PyTorch's exact bits.

Which kernel PyTorch runs depends on the CPU (see ``CPU_KERNEL``); the scalar fallback is
reproduced with correctly rounded float32 ``log``/``cos``/``sin`` in place of glibc's
``logf``/``cosf``/``sinf``, which differ from them in the last bit for about 1.5% of samples.
"""
from __future__ import annotations

import math
import os

import numpy as np

f32 = np.float32
f64 = np.float64
i64 = np.int64


def _cpu_kernel() -> str:
    """'avx2' where PyTorch would run its AVX2 (or AVX512) kernels, else 'default'.

    PyTorch picks the highest capability the CPU has (AVX2 needs AVX2 and FMA) unless the
    ``ATEN_CPU_CAPABILITY`` environment variable asks for a lower one; its normal kernel
    is never the AVX512 build, which falls back to the AVX2 one.
    """
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except ImportError:  # NumPy 1.x
        try:
            from numpy.core._multiarray_umath import __cpu_features__ as feats
        except ImportError:
            return 'default'
    if not (feats.get('AVX2') and feats.get('FMA3')):
        return 'default'
    if os.environ.get('ATEN_CPU_CAPABILITY', '').lower() == 'default':
        return 'default'
    return 'avx2'


CPU_KERNEL = _cpu_kernel()
# PyTorch's vectorised builds compile ``x * y + z`` into one FMA instruction.
FUSED = CPU_KERNEL == 'avx2'
# Rows of 16 values per pass in the long kernels: keeps every temporary in the CPU cache
# (several times faster than whole-array passes on large tensors).
_CHUNK = 4096


# -- exact fused multiply-add ----------------------------------------------------------
def _round_to_odd(s: np.ndarray, err: np.ndarray) -> np.ndarray:
    """``s + err`` (``s`` the rounded sum, ``err`` its exact error) rounded to odd.

    Rounding to odd at 53 bits and then to nearest at fewer bits gives the correctly
    rounded result, which is how one float64 sum stands in for an exact one.
    """
    bits = s.view(i64)
    fix = (err != 0) & ((bits & 1) == 0)
    if fix.any():
        # One step in the bit pattern moves |s| up; move towards the exact value.
        step = np.where((err > 0) == (s > 0), 1, -1)
        bits = np.where(fix, bits + step, bits)
    return bits.view(f64)


def _two_sum(a: np.ndarray, b: np.ndarray):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def fma32(a, b, c) -> np.ndarray:
    """float32 ``a * b + c`` rounded once, as an FMA instruction computes it."""
    if np.ndim(b) == 0 and np.ndim(c) == 0:
        b, c = f32(b), f32(c)
        if c == 0:  # the product rounded once; adding the zero is exact
            return np.asarray(a, f32) * b + c
        if b == 1:
            return np.asarray(a, f32) + c
        a = np.asarray(a, f32)
        if a.size > 16 * _CHUNK:
            out = np.empty_like(a).reshape(-1)
            flat = a.reshape(-1)
            for s in range(0, flat.size, 16 * _CHUNK):
                out[s:s + 16 * _CHUNK] = _fma32(flat[s:s + 16 * _CHUNK], b, c)
            return out.reshape(a.shape)
    return _fma32(a, b, c)


def _fma32(a, b, c) -> np.ndarray:
    p = np.asarray(a, f64) * np.asarray(b, f32).astype(f64)  # exact: 24 + 24 bits
    s, err = _two_sum(p, np.asarray(c, f32).astype(f64))
    return _round_to_odd(s, err).astype(f32)


def _split(a: np.ndarray):
    t = a * 134217729.0  # 2**27 + 1 (Veltkamp)
    hi = t - (t - a)
    return hi, a - hi


def fma64(a, b, c) -> np.ndarray:
    """float64 ``a * b + c`` rounded once (Boldo and Melquiond's emulation)."""
    a = np.asarray(a, f64)
    if np.ndim(b) == 0 and np.ndim(c) == 0:
        b, c = f64(b), f64(c)
        if c == 0:
            return a * b + c
        if b == 1:
            return a + c
    b = np.asarray(b, f64)
    c = np.asarray(c, f64)
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    pe = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    th, tl = _two_sum(c, p)
    v, ve = _two_sum(pe, tl)
    return th + _round_to_odd(v, ve)


def muladd32(a, b, c) -> np.ndarray:
    """``a * b + c`` in float32 as PyTorch's kernels for this CPU evaluate it."""
    if FUSED:
        return fma32(a, b, c)
    return np.asarray(a, f32) * f32(b) + f32(c)


def muladd64(a, b, c) -> np.ndarray:
    if FUSED:
        return fma64(a, b, c)
    return np.asarray(a, f64) * b + c


# -- avx_mathfun.h, as compiled into PyTorch's AVX2 kernels --------------------------------
def _c(v: float) -> np.float32:
    return f32(v)


_SQRTHF = _c(0.707106781186547524)
_LOG_P = tuple(_c(v) for v in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                               -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                               2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1))
_LOG_Q1 = _c(-2.12194440e-4)
_LOG_Q2 = _c(0.693359375)
_DP1 = _c(-0.78515625)
_DP2 = _c(-2.4187564849853515625e-4)
_DP3 = _c(-3.77489497744594108e-8)
_SIN_P = (_c(-1.9515295891e-4), _c(8.3321608736e-3), _c(-1.6666654611e-1))
_COS_P = (_c(2.443315711809948e-005), _c(-1.388731625493765e-003), _c(4.166664568298827e-002))
_FOPI = _c(1.27323954473516)
_HALF = f32(0.5)
_ONE = f32(1)
_ZERO = f32(0)
_TWO_PI_F = f32(2.0 * math.pi)


def log_avx2(x: np.ndarray) -> np.ndarray:
    """``log256_ps`` for a contiguous array of positive normal float32 inputs.

    NOTE: the compiler fuses the polynomial's multiply-adds. Each is evaluated as the exact
    float64 product plus one float64 addition, rounded to float32 on the way out (an
    exhaustive check over all 2**24 inputs the normal kernel can produce showed this
    equals the single-rounding FMA here, so the round-to-odd step of ``fma32`` is skipped).
    """
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7f).astype(f32)
    e += _ONE
    m = ((bits & ~0x7f800000) | 0x3f000000).view(f32)  # mantissa scaled into [0.5, 1)
    small = m < _SQRTHF
    x = m - _ONE
    x += np.where(small, m, f32(0))
    e -= small
    z = x * x
    x64 = x.astype(f64)
    t = x64 * _LOG_P[0]
    y = np.empty_like(x)
    np.add(t, _LOG_P[1], out=y, casting='same_kind')
    for p in _LOG_P[2:]:
        np.multiply(y, x64, out=t)
        np.add(t, p, out=y, casting='same_kind')
    y *= x
    # (y * z) + e * q1, fused; the fused y - z * 0.5 that follows is a plain subtraction
    # because z * 0.5 is exact.
    np.multiply(y, z, out=t, dtype=f64)
    t += e * _LOG_Q1
    np.add(t, 0.0, out=y, casting='same_kind')
    y -= z * _HALF
    x += y
    np.multiply(e, _LOG_Q2, out=t)
    np.add(t, x, out=x, casting='same_kind')
    return x


def sincos_avx2(x: np.ndarray):
    """``sincos256_ps`` for a contiguous array of non-negative float32 inputs: (sin, cos)."""
    j = (x * _FOPI).astype(np.int32)
    j += 1
    j &= ~1
    y = j.astype(f64)
    swap_sin = (j & 4) != 0
    poly_mask = (j & 2) == 0
    sign_cos = (~(j - 2) & 4) != 0
    t = y * _DP1
    x = np.add(t, x, out=np.empty_like(x), casting='same_kind')
    np.multiply(y, _DP2, out=t)
    np.add(t, x, out=x, casting='same_kind')
    np.multiply(y, _DP3, out=t)
    np.add(t, x, out=x, casting='same_kind')
    z = x * x
    z64 = z.astype(f64)
    np.multiply(z64, _COS_P[0], out=t)
    yc = np.add(t, _COS_P[1], out=np.empty_like(x), casting='same_kind')
    np.multiply(yc, z64, out=t)
    np.add(t, _COS_P[2], out=yc, casting='same_kind')
    yc *= z
    # (yc * z) - z / 2, fused.
    np.multiply(yc, z64, out=t)
    np.subtract(t, z * _HALF, out=yc, casting='same_kind')
    yc += _ONE
    np.multiply(z64, _SIN_P[0], out=t)
    ys = np.add(t, _SIN_P[1], out=np.empty_like(x), casting='same_kind')
    np.multiply(ys, z64, out=t)
    np.add(t, _SIN_P[2], out=ys, casting='same_kind')
    ys *= z
    np.multiply(ys, x, out=t, dtype=f64)
    np.add(t, x, out=ys, casting='same_kind')
    # The kernel selects with masks and adds to zeros (turning a -0 into +0).
    s = np.where(poly_mask, ys, yc)
    s += _ZERO
    c = np.where(poly_mask, yc, ys)
    c += _ZERO
    np.negative(s, out=s, where=swap_sin)
    np.negative(c, out=c, where=sign_cos)
    return s, c


def _chunked(fill):
    def run(blocks: np.ndarray, mean: float, std: float) -> np.ndarray:
        if blocks.shape[0] <= _CHUNK:
            return fill(blocks, mean, std)
        out = np.empty_like(blocks)
        for s in range(0, blocks.shape[0], _CHUNK):
            out[s:s + _CHUNK] = fill(blocks[s:s + _CHUNK], mean, std)
        return out
    run.__doc__ = fill.__doc__
    run.__name__ = fill.__name__
    return run


@_chunked
def normal_fill_avx2(blocks: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Box-Muller over rows of 16 float32 uniforms as the AVX2 ``NormalFill16``."""
    radius = log_avx2(_ONE - blocks[:, :8])
    radius *= f32(-2)
    np.sqrt(radius, out=radius)
    s, c = sincos_avx2(_TWO_PI_F * blocks[:, 8:])
    out = np.empty_like(blocks)
    np.multiply(radius, c, out=out[:, :8])
    np.multiply(radius, s, out=out[:, 8:])
    return fma32(out, std, mean)


@_chunked
def normal_fill_default_f32(blocks: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Box-Muller over rows of 16 float32 uniforms as the scalar ``NormalFill16<float>``.

    NOTE: glibc's logf/cosf/sinf are faithfully but not always correctly rounded; the
    correctly rounded values used here match them for about 98.5% of samples.
    """
    u1 = (_ONE - blocks[:, :8]).astype(f64)
    u2 = blocks[:, 8:].astype(f64)
    radius = np.sqrt(f32(-2) * np.log(u1).astype(f32))
    theta = ((2.0 * math.pi) * u2).astype(f32).astype(f64)
    out = np.empty_like(blocks)
    m, sd = f32(mean), f32(std)
    out[:, :8] = fma32(radius * np.cos(theta).astype(f32), sd, m)
    out[:, 8:] = fma32(radius * np.sin(theta).astype(f32), sd, m)
    return out


@_chunked
def normal_fill_f64(blocks: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Box-Muller over rows of 16 float64 uniforms as ``NormalFill16<double>``.

    ``std::log`` runs through Python's math module (the same C library PyTorch calls):
    NumPy's own float64 log differs from it in the last bit for some inputs.
    """
    u1 = 1.0 - blocks[:, :8]
    radius = np.sqrt(-2.0 * np.fromiter(map(math.log, u1.ravel().tolist()), f64,
                                        u1.size).reshape(u1.shape))
    theta = (2.0 * math.pi) * blocks[:, 8:]
    out = np.empty_like(blocks)
    out[:, :8] = fma64(radius * np.cos(theta), std, mean)
    out[:, 8:] = fma64(radius * np.sin(theta), std, mean)
    return out


# -- randperm ------------------------------------------------------------------------
def swap_permutation(z: np.ndarray) -> np.ndarray:
    """The permutation that ``for i: swap(r[i], r[i + z[i]])`` makes of ``arange(n)``.

    The loop is sequential, but its result has a closed form. Call V(i) the value at
    position i just before step i: it was written there by the last earlier step k with
    i + 0 == k + z[k] (that step moved V(k) there), or it is i itself. Step i then takes,
    as its final value, what sits at j = i + z[i]: the value the previous step aiming at j
    left there, or j. So V follows parent links (resolved by pointer jumping) and one
    sort groups the steps by their target.
    """
    n = z.size + 1
    steps = np.arange(n - 1, dtype=i64)
    tgt = steps + z
    moved = tgt != steps
    key = np.sort((tgt[moved] << 32) | steps[moved])
    st = key & 0xFFFFFFFF
    tg = key >> 32
    first = np.ones(key.size, bool)
    first[1:] = tg[1:] != tg[:-1]
    last = np.ones(key.size, bool)
    last[:-1] = first[1:]
    parent = np.arange(n, dtype=i64)
    parent[tg[last]] = st[last]
    while True:
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    out = parent.copy()
    prev = np.zeros(key.size, i64)
    prev[1:] = st[:-1]
    out[st] = np.where(first, tg, parent[prev])
    return out


# -- topk's tie order ----------------------------------------------------------------
# PyTorch's CPU topk selects with libstdc++'s std::partial_sort (k * 64 <= n) or
# std::nth_element followed by std::sort of the first k - 1. Neither is stable, so equal
# values come out in an order only those exact algorithms reproduce; the functions below
# are those algorithms (GCC's libstdc++), on a list of (value, index) pairs.
def _heap_adjust(a, hole, n, item, less) -> None:
    top = hole
    child = hole
    while child < (n - 1) // 2:
        child = 2 * (child + 1)
        if less(a[child], a[child - 1]):
            child -= 1
        a[hole] = a[child]
        hole = child
    if n % 2 == 0 and child == (n - 2) // 2:
        child = 2 * (child + 1)
        a[hole] = a[child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and less(a[parent], item):
        a[hole] = a[parent]
        hole = parent
        parent = (hole - 1) // 2
    a[hole] = item


def _heap_select(a, lo, mid, hi, less) -> None:
    n = mid - lo
    h = a[lo:mid]
    if n >= 2:
        for parent in range((n - 2) // 2, -1, -1):
            _heap_adjust(h, parent, n, h[parent], less)
    for i in range(mid, hi):
        if less(a[i], h[0]):
            item = a[i]
            a[i] = h[0]
            _heap_adjust(h, 0, n, item, less)
    a[lo:mid] = h


def _sort_heap(a, lo, hi, less) -> None:
    h = a[lo:hi]
    for last in range(len(h) - 1, 0, -1):
        item = h[last]
        h[last] = h[0]
        _heap_adjust(h, 0, last, item, less)
    a[lo:hi] = h


def _insertion_sort(a, lo, hi, less) -> None:
    for i in range(lo + 1, hi):
        item = a[i]
        if less(item, a[lo]):
            a[lo + 1:i + 1] = a[lo:i]
            a[lo] = item
        else:
            j = i
            while less(item, a[j - 1]):
                a[j] = a[j - 1]
                j -= 1
            a[j] = item


def _partition_pivot(a, lo, hi, less) -> int:
    mid = lo + (hi - lo) // 2
    x, y, z = lo + 1, mid, hi - 1
    if less(a[x], a[y]):
        m = y if less(a[y], a[z]) else (z if less(a[x], a[z]) else x)
    else:
        m = x if less(a[x], a[z]) else (z if less(a[y], a[z]) else y)
    a[lo], a[m] = a[m], a[lo]
    pivot = a[lo]
    first, last = lo + 1, hi
    while True:
        while less(a[first], pivot):
            first += 1
        last -= 1
        while less(pivot, a[last]):
            last -= 1
        if not first < last:
            return first
        a[first], a[last] = a[last], a[first]
        first += 1


def _introsort_loop(a, lo, hi, depth, less) -> None:
    while hi - lo > 16:
        if depth == 0:
            _heap_select(a, lo, hi, hi, less)
            _sort_heap(a, lo, hi, less)
            return
        depth -= 1
        cut = _partition_pivot(a, lo, hi, less)
        _introsort_loop(a, cut, hi, depth, less)
        hi = cut


def _std_sort(a, lo, hi, less) -> None:
    if hi - lo < 2:
        return
    _introsort_loop(a, lo, hi, 2 * ((hi - lo).bit_length() - 1), less)
    if hi - lo > 16:
        _insertion_sort(a, lo, lo + 16, less)
        for i in range(lo + 16, hi):
            item = a[i]
            j = i
            while less(item, a[j - 1]):
                a[j] = a[j - 1]
                j -= 1
            a[j] = item
    else:
        _insertion_sort(a, lo, hi, less)


def _nth_element(a, nth, less) -> None:
    lo, hi = 0, len(a)
    depth = 2 * (hi.bit_length() - 1)
    while hi - lo > 3:
        if depth == 0:
            _heap_select(a, lo, nth + 1, hi, less)
            a[lo], a[nth] = a[nth], a[lo]
            return
        depth -= 1
        cut = _partition_pivot(a, lo, hi, less)
        if cut <= nth:
            lo = cut
        else:
            hi = cut
    _insertion_sort(a, lo, hi, less)


def _greater(x, y) -> bool:
    a, b = x[0], y[0]
    return (a != a and b == b) or a > b


def topk_largest_indices(row: np.ndarray, k: int) -> list:
    """Indices of the ``k`` largest values of ``row``, largest first, in exactly the order
    PyTorch's CPU ``topk`` gives them (ties included)."""
    a = list(zip(row.tolist(), range(row.size)))
    if k * 64 <= len(a):
        _heap_select(a, 0, k, len(a), _greater)
        _sort_heap(a, 0, k, _greater)
    else:
        _nth_element(a, k - 1, _greater)
        _std_sort(a, 0, k - 1, _greater)
    return [i for _, i in a[:k]]
