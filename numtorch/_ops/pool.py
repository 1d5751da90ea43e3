"""Pooling: max/avg pooling (1-D, 2-D) and their adaptive forms.

A pooling window is visited as kh*kw strided slices of the (padded) input, one per
kernel offset: max pooling is the running ``np.maximum`` of those slices (a 2x2,
stride-2 pool is the maximum of four slices), average pooling their sum. Reducing a
(…, OH, OW, kh, kw) window view with ``max`` instead is about ten times slower.

The max-pool backward rebuilds "which element won" from the saved input and output:
PyTorch gives the gradient to the first maximum in window order (the last NaN where
there are NaNs), so offsets are visited in that order, each taking what is left.
1-D pools are 2-D pools over a height-1 map.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ._op import Op, LinearAdjoint
from ._parallel import in_parallel
from .indexing import scatter_add

__all__ = ['max_pool1d', 'max_pool2d', 'max_pool1d_with_indices', 'max_pool2d_with_indices',
           'avg_pool1d', 'avg_pool2d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d',
           'adaptive_max_pool1d', 'adaptive_max_pool2d', 'adaptive_max_pool1d_with_indices',
           'adaptive_max_pool2d_with_indices', 'lp_pool1d', 'lp_pool2d', 'max_unpool1d',
           'max_unpool2d']


_DT_WORDS = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'int64': 'Long',
             'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool'}


# -- geometry ------------------------------------------------------------------------------
def _out_len(i: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    """PyTorch's pooling_output_shape: floor (or ceil) division, and a ceil-mode window
    must start inside the input or its left padding."""
    num = i + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
    o = num // s + 1
    if ceil and (o - 1) * s >= i + p:
        o -= 1
    return o


def _slice(x: np.ndarray, i: int, j: int, dh: int, dw: int, sh: int, sw: int, oh: int,
           ow: int) -> np.ndarray:
    """The (…, oh, ow) strided slice of ``x`` that holds kernel offset (i, j) of every window."""
    r, q = i * dh, j * dw
    return x[..., r:r + sh * (oh - 1) + 1:sh, q:q + sw * (ow - 1) + 1:sw]


def _padded(x: np.ndarray, pt: int, pb: int, pl: int, pr: int, fill) -> np.ndarray:
    if not (pt or pb or pl or pr):
        return x
    h, w = x.shape[-2:]
    out = np.full(x.shape[:-2] + (h + pt + pb, w + pl + pr), fill, x.dtype)
    out[..., pt:pt + h, pl:pl + w] = x
    return out


class _Geo:
    """Window geometry of one 2-D pooling call."""
    __slots__ = ('kh', 'kw', 'sh', 'sw', 'ph', 'pw', 'dh', 'dw', 'h', 'w', 'oh', 'ow', 'pb',
                 'pr')

    def __init__(self, k, s, p, d, h, w, oh, ow):
        self.kh, self.kw = k
        self.sh, self.sw = s
        self.ph, self.pw = p
        self.dh, self.dw = d
        self.h, self.w, self.oh, self.ow = h, w, oh, ow
        # Right/bottom padding so that every (ceil-mode) window lies inside the array.
        self.pb = max(0, (oh - 1) * self.sh + self.dh * (self.kh - 1) + 1 - h - self.ph)
        self.pr = max(0, (ow - 1) * self.sw + self.dw * (self.kw - 1) + 1 - w - self.pw)

    def offsets(self):
        for i in range(self.kh):
            for j in range(self.kw):
                yield i, j

    def window(self, xp, i, j):
        return _slice(xp, i, j, self.dh, self.dw, self.sh, self.sw, self.oh, self.ow)

    def disjoint(self) -> bool:
        return self.sh >= self.dh * (self.kh - 1) + 1 and self.sw >= self.dw * (self.kw - 1) + 1

    def tiles(self, shape: tuple) -> bool:
        """Whether the windows cut an array of ``shape`` into tiles, each element in
        exactly one window (the usual 2x2, stride-2 pool of an even-sized input)."""
        return (self.sh == self.kh and self.sw == self.kw and self.dh == 1 and self.dw == 1
                and shape[-2] == self.oh * self.kh and shape[-1] == self.ow * self.kw)


# -- max pooling ---------------------------------------------------------------------------
def _lowest(dt):
    return -np.inf if dt.kind == 'f' else np.iinfo(dt).min


def _max_forward(xp: np.ndarray, g: _Geo, out=None) -> np.ndarray:
    """The window maxima of ``xp`` (into ``out`` if given).

    NOTE: like a window sum, a window maximum is separable: the maximum over the
    window's rows of whole strided rows first (kh - 1 ops), then over its columns (kw - 1
    ops), instead of kh*kw - 1 ops on strided windows; NaNs propagate either way."""
    rows = [xp[..., i * g.dh:i * g.dh + g.sh * (g.oh - 1) + 1:g.sh, :] for i in range(g.kh)]
    t = rows[0]
    if g.kh > 1:
        t = np.maximum(rows[0], rows[1])
        for r in rows[2:]:
            np.maximum(t, r, out=t)
    cols = [t[..., j * g.dw:j * g.dw + g.sw * (g.ow - 1) + 1:g.sw] for j in range(g.kw)]
    if out is None:
        out = np.empty(cols[0].shape, xp.dtype)
    if g.kw == 1:
        np.copyto(out, cols[0])
        return out
    np.maximum(cols[0], cols[1], out=out)
    for c in cols[2:]:
        np.maximum(out, c, out=out)
    return out


def _max_backward(xp: np.ndarray, y: np.ndarray, k, gy: np.ndarray, gxp: np.ndarray,
                  g: _Geo) -> None:
    """Adds each window's gradient gy to the element it picked (zero-filled ``gxp``):
    the offset ``k`` holds, or without ``k`` the first one equal to the maximum y."""
    disjoint = g.disjoint()
    offs = list(g.offsets())
    rem = None
    for n, (i, j) in enumerate(offs):
        if k is not None:
            m = k == n
        elif n == len(offs) - 1 and rem is not None:
            m = rem
        else:
            m = g.window(xp, i, j) == y
            if rem is None:
                rem = ~m
            else:
                m &= rem
                rem &= ~m
        if disjoint:
            np.multiply(gy, m, out=g.window(gxp, i, j))
        else:
            g.window(gxp, i, j)[...] += gy * m


# Pools of inputs this big (elements) split their batch between the intra-op threads
# (see _parallel.py); smaller ones are not worth a thread hand-off.
_PARALLEL_MIN = 1 << 16


def _argmax_scan(xp: np.ndarray, g: _Geo) -> np.ndarray:
    """Index (i*kw + j) of the element each window picks, exactly PyTorch's rule:
    a later element wins if it is greater or NaN."""
    best = None
    idx = np.zeros(xp.shape[:-2] + (g.oh, g.ow), np.int64)
    for k, (i, j) in enumerate(g.offsets()):
        s = g.window(xp, i, j)
        if best is None:
            best = s.copy()
            continue
        c = s > best
        if s.dtype.kind == 'f':
            c |= np.isnan(s)
        np.copyto(best, s, where=c)
        idx[c] = k
    return idx


def _flat_indices(k: np.ndarray, g: _Geo) -> np.ndarray:
    """Window offset indices -> flat h*W + w positions in the unpadded input."""
    rows = np.arange(g.oh) * g.sh - g.ph
    cols = np.arange(g.ow) * g.sw - g.pw
    ki, kj = np.divmod(k, g.kw)
    return (rows[:, None] + ki * g.dh) * g.w + cols[None, :] + kj * g.dw


class MaxPool(Op):
    _name = 'MaxPool2DWithIndicesBackward0'
    checks = (0,)

    def __init__(self, g: _Geo, return_indices: bool, lead: tuple, oshape: tuple):
        self.g = g
        self.ri = return_indices
        self.lead = lead
        self.oshape = oshape
        self.outvc = None

    def forward(self, x):
        g = self.g
        self.xshape = x.shape
        x4 = x.reshape(self.lead + (g.h, g.w))
        xp = _padded(x4, g.ph, g.pb, g.pw, g.pr, _lowest(x.dtype))
        y = np.empty(xp.shape[:-2] + (g.oh, g.ow), x.dtype)
        in_parallel(lambda a, b: _max_forward(xp[a:b], g, y[a:b]), len(xp),
                    xp.size >= _PARALLEL_MIN, xp.shape)
        k = None
        if self.ri:
            k = _argmax_scan(xp, g)
        self.saved = (xp, y, k)
        y = y.reshape(self.oshape)
        if self.ri:
            return y, _flat_indices(k, g).reshape(self.oshape)
        return y

    def backward(self, gy, gi=None):
        xp, y, k = self.saved
        g = self.g
        gy = gy.reshape(y.shape)
        if self.outvc is not None and self.outvc[0]:
            # The output was changed in place (e.g. relu_ after the pool): recompute it.
            y = _max_forward(xp, g)
        if k is None and y.dtype.kind == 'f' and np.isnan(y.sum()):
            k = _argmax_scan(xp, g)
        # (every element is written when the windows tile the input)
        gxp = (np.empty if g.tiles(xp.shape) else np.zeros)(xp.shape, gy.dtype)
        in_parallel(lambda a, b: _max_backward(xp[a:b], y[a:b], None if k is None else k[a:b],
                                               gy[a:b], gxp[a:b], g),
                    len(xp), xp.size >= _PARALLEL_MIN, xp.shape)
        gx = gxp[..., g.ph:g.ph + g.h, g.pw:g.pw + g.w]
        return np.ascontiguousarray(gx).reshape(self.xshape)

    def backward_t(self, gy):
        # The input gradient is gy scattered to the winners, so linear in gy (and constant
        # in x between ties): as a differentiable scatter_add.
        xp, y, k = self.saved
        g = self.g
        if k is None:
            k = _argmax_scan(xp, g)
        rows = int(np.prod(self.lead))
        idx = _wrap(_flat_indices(k, g).reshape(rows, g.oh * g.ow))
        src = gy.reshape(rows, g.oh * g.ow)
        gx = scatter_add(src.new_zeros((rows, g.h * g.w)), 1, idx, src)
        return gx.reshape(self.xshape)


def _pool_tuple(v, name: str, fn: str, n: int, omitted: bool = False) -> tuple:
    if isinstance(v, int):
        return (v,) * n
    t = tuple(v)
    if len(t) == 1:
        return t * n
    if len(t) != n:
        what = {'kernel_size': 'kernel_size must either be a single int, or a tuple of two '
                               'ints',
                'stride': 'stride must either be omitted, a single int, or a tuple of two ints',
                'padding': 'padding must either be a single int, or a tuple of two ints',
                'dilation': 'dilation must be either a single int, or a tuple of two ints'}
        raise RuntimeError(f'{fn}: {what[name]}')
    return tuple(int(e) for e in t)


def _pool_setup(fn: str, x: Tensor, kernel_size, stride, padding, dilation, ceil_mode: bool,
                nd: int):
    """Validates a pooling call (PyTorch's checks and messages) and returns its geometry
    and the shapes of the (…, H, W) view and of the output."""
    d = x._data
    if nd == 1:
        if d.ndim not in (2, 3):
            raise RuntimeError(f'{fn}: Expected 2D or 3D (batch mode) tensor with optional 0 '
                               f'dim batch size for input, but got:{list(d.shape)}')
        k = _pool_tuple(kernel_size, 'kernel_size', fn, 1)[0]
        s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
            _pool_tuple(stride, 'stride', fn, 1)[0]
        p = _pool_tuple(padding, 'padding', fn, 1)[0]
        dl = _pool_tuple(dilation, 'dilation', fn, 1)[0]
        if fn == 'max_pool1d':
            if k <= 0:
                raise RuntimeError(f'max_pool1d() kernel_size must be greater than zero, but '
                                   f'got {k}')
            if s <= 0:
                raise RuntimeError(f'max_pool1d() stride must be greater than zero, but got {s}')
            if p < 0:
                raise RuntimeError(f'max_pool1d() padding must be non-negative, but got {p}')
            if p > k // 2:
                raise RuntimeError(f'max_pool1d() padding should be at most half of kernel '
                                   f'size, but got padding={p} and kernel_size={k}')
            if dl <= 0:
                raise RuntimeError(f'max_pool1d() dilation must be greater than zero, but got '
                                   f'{dl}')
            ol = _out_len(d.shape[-1], k, s, p, dl, ceil_mode)
            if ol <= 0:
                raise RuntimeError(f'max_pool1d() Invalid computed output size: {ol}')
        kt, st, pt, dt = (1, k), (1, s), (0, p), (1, dl)
        shape4 = d.shape[:-1] + (1, d.shape[-1])
    else:
        kt = _pool_tuple(kernel_size, 'kernel_size', fn, 2)
        st = kt if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
            _pool_tuple(stride, 'stride', fn, 2)
        pt = _pool_tuple(padding, 'padding', fn, 2)
        dt = _pool_tuple(dilation, 'dilation', fn, 2)
        shape4 = d.shape
    for s_ in st:
        if s_ == 0:
            raise RuntimeError('stride should not be zero')
    for p_, k_, d_ in zip(pt, kt, dt):
        if p_ < 0:
            raise RuntimeError(f'pad must be non-negative, but got pad: {p_}')
        if p_ > ((k_ - 1) * d_ + 1) // 2:
            raise RuntimeError(f'pad should be at most half of effective kernel size, but got '
                               f'pad={p_}, kernel_size={k_} and dilation={d_}')
    if kt[0] <= 0 or kt[1] <= 0:
        raise RuntimeError(f'kernel size should be greater than zero, but got kH: {kt[0]} '
                           f'kW: {kt[1]}')
    if st[0] <= 0 or st[1] <= 0:
        raise RuntimeError(f'stride should be greater than zero, but got dH: {st[0]} '
                           f'dW: {st[1]}')
    if dt[0] <= 0 or dt[1] <= 0:
        raise RuntimeError(f'dilation should be greater than zero, but got dilationH: {dt[0]} '
                           f'dilationW: {dt[1]}')
    if len(shape4) not in (3, 4):
        raise RuntimeError('non-empty 3D or 4D (batch mode) tensor expected for input')
    if any(v == 0 for v in shape4[-3:]):
        raise RuntimeError(f'Expected 3D or 4D (batch mode) tensor with optional 0 dim batch '
                           f'size for input, but got:{list(shape4)}')
    h, w = shape4[-2:]
    oh = _out_len(h, kt[0], st[0], pt[0], dt[0], ceil_mode)
    ow = _out_len(w, kt[1], st[1], pt[1], dt[1], ceil_mode)
    if oh < 1 or ow < 1:
        raise RuntimeError(f'Given input size: ({shape4[-3]}x{h}x{w}). Calculated output size: '
                           f'({shape4[-3]}x{oh}x{ow}). Output size is too small')
    g = _Geo(kt, st, pt, dt, h, w, oh, ow)
    oshape = d.shape[:-1] + (ow,) if nd == 1 else d.shape[:-2] + (oh, ow)
    return g, shape4[:-2], oshape


def _max_pool(fn, nd, input, kernel_size, stride, padding, dilation, ceil_mode, ri):
    if input._data.dtype == np.bool_:
        raise NotImplementedError(f'"{"max_pool2d"}" not implemented for \'Bool\'')
    g, lead, oshape = _pool_setup(fn, input, kernel_size, stride, padding, dilation, ceil_mode,
                                  nd)
    x = input if nd == 2 else input.unsqueeze(-2)
    op = MaxPool(g, ri, lead, oshape if nd == 2 else oshape[:-1] + (1, oshape[-1]))
    out = op.apply(x) if ri else op.apply1(x)
    y = out[0] if ri else out
    if y.grad_fn is op:
        # Lets backward notice an in-place change of the output (see MaxPool.backward).
        y._vc = op.outvc = [0]
    if nd == 1:
        # As PyTorch: the 1-D pool is the 2-D one between an unsqueeze and a squeeze.
        return (y.squeeze(-2), out[1].squeeze(-2)) if ri else y.squeeze(-2)
    return out


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Maximum over each (dilated) window of a (N, C, H, W) or (C, H, W) input; with
    ``return_indices`` also the flat h*W + w position each maximum came from."""
    return _max_pool('max_pool2d', 2, input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Maximum over each window of a (N, C, L) or (C, L) input."""
    return _max_pool('max_pool1d', 1, input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def max_pool2d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# -- average pooling -----------------------------------------------------------------------
def _divisors(n_out: int, n_in: int, k: int, s: int, p: int, include_pad: bool) -> np.ndarray:
    """Per-position window sizes along one axis, as PyTorch counts them: windows are clipped
    to the padded input; without ``count_include_pad`` also to the input itself."""
    start = np.arange(n_out) * s - p
    end = np.minimum(start + k, n_in + p)
    if include_pad:
        return end - start
    return np.minimum(end, n_in) - np.maximum(start, 0)


class AvgPool(Op):
    _name = 'AvgPool2DBackward0'

    def __init__(self, g: _Geo, lead: tuple, oshape: tuple, div: np.ndarray):
        self.g = g
        self.lead = lead
        self.oshape = oshape
        self.div = div

    def forward(self, x):
        g = self.g
        self.xshape = x.shape
        xp = _padded(x.reshape(self.lead + (g.h, g.w)), g.ph, g.pb, g.pw, g.pr, 0)
        y = np.empty(xp.shape[:-2] + (g.oh, g.ow), x.dtype)
        in_parallel(lambda a, b: self._sum_windows(xp[a:b], y[a:b]), len(xp),
                    xp.size >= _PARALLEL_MIN, xp.shape)
        if y.dtype.kind == 'f':
            y /= self.div.astype(y.dtype)
        else:
            y = np.sign(y) * (np.abs(y) // self.div.astype(y.dtype))
        return y.reshape(self.oshape)

    def _sum_windows(self, xp: np.ndarray, y: np.ndarray) -> None:
        # NOTE: a rectangular window sum is separable: first along W (kw slices), then
        # along H (kh slices) -- kh + kw adds instead of kh * kw.
        g = self.g
        t = None
        for j in range(g.kw):
            s = _slice(xp, 0, j, 1, 1, 1, g.sw, xp.shape[-2], g.ow)
            t = s.copy() if t is None else np.add(t, s, out=t)
        for i in range(g.kh):
            s = _slice(t, i, 0, 1, 1, g.sh, 1, g.oh, g.ow)
            if i == 0:
                np.copyto(y, s)
            else:
                np.add(y, s, out=y)

    def backward(self, gy):
        g = self.g
        gq = gy.reshape(self.lead + (g.oh, g.ow)) / self.div.astype(gy.dtype)
        hp, wp = g.h + g.ph + g.pb, g.w + g.pw + g.pr
        gxp = np.zeros(self.lead + (hp, wp), gy.dtype)
        in_parallel(lambda a, b: self._spread(gq[a:b], gxp[a:b]), len(gxp),
                    gxp.size >= _PARALLEL_MIN, gxp.shape)
        gx = gxp[..., g.ph:g.ph + g.h, g.pw:g.pw + g.w]
        return np.ascontiguousarray(gx).reshape(self.xshape)

    def _spread(self, gq: np.ndarray, gxp: np.ndarray) -> None:
        """Adds every window's gradient gq to all its elements (the adjoint of
        _sum_windows), into zero-filled ``gxp``."""
        g = self.g
        gt = np.zeros(gq.shape[:-2] + (gxp.shape[-2], g.ow), gq.dtype)
        for i in range(g.kh):
            _slice(gt, i, 0, 1, 1, g.sh, 1, g.oh, g.ow)[...] += gq
        for j in range(g.kw):
            _slice(gxp, 0, j, 1, 1, 1, g.sw, gxp.shape[-2], g.ow)[...] += gt

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


def _avg_pool(fn, nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    dt = input._data.dtype
    if dt.kind not in 'f' and dt != np.int64:
        raise NotImplementedError(f'"{"avg_pool2d"}" not implemented for '
                                  f'\'{_DT_WORDS[dt.name]}\'')
    if nd == 1 and input.dim() not in (2, 3):
        raise RuntimeError(f'Expected 2 to 3 dimensions, but got {input.dim()}-dimensional '
                           f'tensor for argument #1 \'self\' (while checking arguments for '
                           f'avg_pool1d)')
    if nd == 2 and input.dim() < 3:
        raise IndexError(f'Dimension out of range (expected to be in range of '
                         f'[{-input.dim()}, {input.dim() - 1}], but got -3)')
    g, lead, oshape = _pool_setup(fn, input, kernel_size, stride, padding, 1, ceil_mode, nd)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError('divisor must be not zero')
        div = np.full((g.oh, g.ow), divisor_override, np.int64)
    else:
        dh = _divisors(g.oh, g.h, g.kh, g.sh, g.ph, count_include_pad)
        dw = _divisors(g.ow, g.w, g.kw, g.sw, g.pw, count_include_pad)
        div = dh[:, None] * dw[None, :]
    if nd == 1:
        return AvgPool(g, lead, oshape[:-1] + (1, oshape[-1]), div).apply1(
            input.unsqueeze(-2)).squeeze(-2)
    return AvgPool(g, lead, oshape, div).apply1(input)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Mean over each window of a (N, C, H, W) or (C, H, W) input. The divisor counts the
    zero padding unless ``count_include_pad=False``; ``divisor_override`` replaces it."""
    return _avg_pool('avg_pool2d', 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over each window of a (N, C, L) or (C, L) input."""
    return _avg_pool('avg_pool1d', 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


# -- adaptive pooling --------------------------------------------------------------------------
def _adaptive_bounds(n_in: int, n_out: int):
    o = np.arange(n_out)
    start = (o * n_in) // n_out
    end = -((-(o + 1) * n_in) // n_out)
    return start, end


def _avg_matrix(n_in: int, n_out: int, dt) -> np.ndarray:
    """(n_out, n_in) matrix whose row o averages adaptive window o."""
    start, end = _adaptive_bounds(n_in, n_out)
    idx = np.arange(n_in)
    m = (idx[None, :] >= start[:, None]) & (idx[None, :] < end[:, None])
    return (m / (end - start)[:, None]).astype(dt)


class AdaptiveAvgPool(Op):
    """y = A_h x A_w^T with the averaging matrices A (separable windows)."""
    _name = 'AdaptiveAvgPool2DBackward0'

    def __init__(self, oh: int, ow: int):
        self.oh, self.ow = oh, ow

    def forward(self, x):
        h, w = x.shape[-2:]
        self.ah = _avg_matrix(h, self.oh, x.dtype)
        self.aw = _avg_matrix(w, self.ow, x.dtype)
        return np.matmul(self.ah, np.matmul(x, self.aw.T))

    def backward(self, gy):
        return np.matmul(self.ah.T, np.matmul(gy, self.aw))

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


class AdaptiveMaxPool(Op):
    _name = 'AdaptiveMaxPool2DBackward0'
    checks = (0,)

    def __init__(self, oh: int, ow: int):
        self.oh, self.ow = oh, ow

    def forward(self, x):
        self.xshape = x.shape
        x4 = x
        h, w = x4.shape[-2:]
        # NOTE: max over a rectangle is separable: the per-row maxima of each column window,
        # then the maximum of those over each row window; the first maximum in row-major
        # window order is the first row holding it, first column within that row.
        sw, ew = _adaptive_bounds(w, self.ow)
        sh, eh = _adaptive_bounds(h, self.oh)
        lead = x4.shape[:-2]
        t = np.empty(lead + (h, self.ow), x.dtype)
        tw = np.empty(lead + (h, self.ow), np.int64)
        for o in range(self.ow):
            blk = x4[..., sw[o]:ew[o]]
            a = _argmax_nan(blk, -1)
            tw[..., o] = a + sw[o]
            t[..., o] = np.take_along_axis(blk, a[..., None], -1)[..., 0]
        y = np.empty(lead + (self.oh, self.ow), x.dtype)
        idx = np.empty(lead + (self.oh, self.ow), np.int64)
        for o in range(self.oh):
            blk = t[..., sh[o]:eh[o], :]
            a = _argmax_nan(blk, -2)
            y[..., o, :] = np.take_along_axis(blk, a[..., None, :], -2)[..., 0, :]
            rows = a + sh[o]
            idx[..., o, :] = rows * w + np.take_along_axis(tw, rows[..., None, :], -2)[..., 0, :]
        self.saved = (idx,)
        self.hw = h * w
        return y, idx

    def backward(self, gy, gi=None):
        idx, = self.saved
        n = idx.size // (self.oh * self.ow)
        flat = (idx.reshape(n, -1) + (np.arange(n) * self.hw)[:, None]).ravel()
        gx = np.bincount(flat, weights=gy.ravel(), minlength=n * self.hw)
        return gx.astype(gy.dtype).reshape(self.xshape)

    def backward_t(self, gy, gi=None):
        # gy scattered to the saved winners: linear in gy, as a differentiable scatter_add
        idx, = self.saved
        n = idx.size // (self.oh * self.ow)
        src = gy.reshape(n, -1)
        gx = scatter_add(src.new_zeros((n, self.hw)), 1, _wrap(idx.reshape(n, -1)), src)
        return gx.reshape(self.xshape)


def _argmax_nan(a: np.ndarray, axis: int) -> np.ndarray:
    """argmax along ``axis`` taking the first maximum, or the last NaN if any (PyTorch)."""
    i = np.argmax(a, axis=axis)
    if a.dtype.kind == 'f':
        nan = np.isnan(a)
        if nan.any():
            last = a.shape[axis] - 1 - np.argmax(np.flip(nan, axis), axis=axis)
            i = np.where(nan.any(axis=axis), last, i)
    return i


def _adaptive_size(fn: str, x: Tensor, output_size, nd: int) -> tuple:
    if nd == 1:
        if isinstance(output_size, int):
            sizes = (output_size,)
        else:
            sizes = tuple(output_size)
            if len(sizes) != 1:
                raise RuntimeError(f'{fn}: output_size must be 1')
        if x.dim() not in (2, 3):
            raise RuntimeError(f'{fn}(): Expected 2D or 3D tensor, but got {list(x.shape)}')
        sizes = tuple(x._data.shape[-1] if s is None else int(s) for s in sizes)
    else:
        if isinstance(output_size, int):
            sizes = (output_size, output_size)
        else:
            sizes = tuple(output_size)
            if len(sizes) != 2:
                if fn == 'adaptive_max_pool2d':
                    raise RuntimeError('adaptive_max_pool2d(): internal error: '
                                       'output_size.size() must be 2')
                raise RuntimeError(f'{fn}: output_size must be 2')
        if x.dim() not in (3, 4):
            raise RuntimeError(f'{fn}(): Expected 3D or 4D tensor, but got {list(x.shape)}')
        sizes = tuple(x._data.shape[-2 + i] if s is None else int(s)
                      for i, s in enumerate(sizes))
    dt = x._data.dtype
    if dt.kind != 'f':
        raise NotImplementedError(f'"{fn.replace("1d", "2d")}" not implemented for '
                                  f'\'{_DT_WORDS[dt.name]}\'')
    for s in sizes:
        if s < 0:
            shape = list(x.shape[:-nd]) + list(sizes)
            raise RuntimeError(f'Trying to create tensor with negative dimension {s}: {shape}')
    sp = x._data.shape[1 if x.dim() == nd + 2 else 0:]
    if any(v == 0 for v in sp):
        for i, v in enumerate(x._data.shape):
            if v == 0 and (i > 0 or x.dim() == nd + 1):
                raise RuntimeError(f'{fn}(): Expected input to have non-zero size for '
                                   f'non-batch dimensions, but input has sizes '
                                   f'{list(x.shape)} with dimension {i} being empty')
    return sizes


def _adaptive_avg(input: Tensor, oh: int, ow: int) -> Tensor:
    if oh == 1 and ow == 1:
        # PyTorch takes a global average as a mean (MeanBackward1).
        return input.mean((-2, -1), keepdim=True)
    return AdaptiveAvgPool(oh, ow).apply1(input)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed (OH, OW): window o spans [floor(o*I/O), ceil((o+1)*I/O)).
    ``None`` in ``output_size`` keeps that input size."""
    oh, ow = _adaptive_size('adaptive_avg_pool2d', input, output_size, 2)
    return _adaptive_avg(input, oh, ow)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average pooling of a (N, C, L) or (C, L) input to a fixed length."""
    ol, = _adaptive_size('adaptive_avg_pool1d', input, output_size, 1)
    return _adaptive_avg(input.unsqueeze(-2), 1, ol).squeeze(-2)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed (OH, OW) (windows as in adaptive_avg_pool2d)."""
    oh, ow = _adaptive_size('adaptive_max_pool2d', input, output_size, 2)
    y, idx = AdaptiveMaxPool(oh, ow).apply(input)
    return (y, idx) if return_indices else y


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling of a (N, C, L) or (C, L) input to a fixed length."""
    ol, = _adaptive_size('adaptive_max_pool1d', input, output_size, 1)
    y, idx = AdaptiveMaxPool(1, ol).apply(input.unsqueeze(-2))
    y, idx = y.squeeze(-2), idx.squeeze(-2)
    return (y, idx) if return_indices else y


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    return adaptive_max_pool1d(input, output_size, True)


# -- power-average pooling (composite, as PyTorch defines it) ----------------------------------
def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """``(sum over the window of x**p) ** (1/p)``."""
    from .unary import sign, relu, abs as _abs
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (sign(out) * relu(_abs(out))).mul(kh * kw).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """``(sum over the window of x**p) ** (1/p)`` along the last dimension."""
    from .unary import sign, relu, abs as _abs
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (sign(out) * relu(_abs(out))).mul(kernel_size).pow(1.0 / norm_type)


# -- max unpooling ----------------------------------------------------------------------------
class MaxUnpool(Op):
    """Each value of a (..., h, w) input (or any number of trailing spatial dims, as many as
    ``size`` has) written at its flat index into a zeroed (..., *size) output: the inverse
    of a max pool with return_indices."""
    _name = 'MaxUnpool2DBackward0'

    def __init__(self, idx: np.ndarray, size: tuple):
        self.idx = idx
        self.size = size

    def forward(self, x):
        self.xshape = x.shape
        nd = len(self.size)
        rows = int(np.prod(x.shape[:-nd]))
        out = np.zeros((rows, int(np.prod(self.size))), x.dtype)
        np.put_along_axis(out, self.idx.reshape(rows, -1), x.reshape(rows, -1), axis=1)
        return out.reshape(x.shape[:-nd] + tuple(self.size))

    def backward(self, gy):
        rows = int(np.prod(self.xshape[:-len(self.size)]))
        g = np.take_along_axis(gy.reshape(rows, -1), self.idx.reshape(rows, -1), axis=1)
        return g.reshape(self.xshape)

    def backward_t(self, gy):
        rows = int(np.prod(self.xshape[:-len(self.size)]))
        idx = _wrap(self.idx.reshape(rows, -1))
        return gy.reshape(rows, -1).gather(1, idx).reshape(self.xshape)


def _unpool_size(x: Tensor, k: tuple, s: tuple, p: tuple, output_size) -> tuple:
    """PyTorch's default output size (in - 1) * stride + kernel - 2 * padding, or the given
    one if it is within a stride of that."""
    n = len(k)
    default = [(x.shape[-n + d] - 1) * s[d] + k[d] - 2 * p[d] for d in range(n)]
    if output_size is None:
        return tuple(default)
    size = list(output_size)
    if len(size) == n + 2:
        size = size[2:]
    if len(size) != n:
        raise ValueError(f'output_size should be a sequence containing {n} or {n + 2} '
                         f"elements, but it has a length of '{len(size)}'")
    for d in range(n):
        lo, hi = default[d] - s[d], default[d] + s[d]
        if not lo < size[d] < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between '
                             f'{lo} and {hi})')
    return tuple(int(v) for v in size)


def _max_unpool(input: Tensor, indices: Tensor, k: tuple, s: tuple, p: tuple,
                output_size) -> Tensor:
    """Unpools the last two dims of ``input`` (3-D or 4-D) at ``indices``."""
    size = _unpool_size(input, k, s, p, output_size)
    if input.dim() not in (3, 4):
        raise RuntimeError(f'Input to max_unpooling2d should be a 3d or 4d Tensor, but got a '
                           f'tensor with {input.dim()} dimensions.')
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f'Expected shape of indices to be same as that of the input tensor '
                           f'({list(input.shape)}) but got indices tensor with shape: '
                           f'{list(indices.shape)}')
    idx = indices._data
    if idx.size:
        bad = (idx < 0) | (idx >= size[0] * size[1])
        if bad.any():
            raise RuntimeError(f'Found an invalid max index: {int(idx[bad].flat[0])} (output '
                               f'volumes are of size {size[0]}x{size[1]})')
    return MaxUnpool(idx.astype(np.int64), size).apply1(input)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """The partial inverse of max_pool2d: the values at the indices it returned, zeros
    elsewhere, in an (N, C, H, W) output."""
    k = _pool_tuple(kernel_size, 'kernel_size', 'max_unpool2d', 2)
    s = k if stride is None else _pool_tuple(stride, 'stride', 'max_unpool2d', 2)
    p = _pool_tuple(padding, 'padding', 'max_unpool2d', 2)
    return _max_unpool(input, indices, k, s, p, output_size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """The partial inverse of max_pool1d (as max_unpool2d over a width-1 map)."""
    k = _pool_tuple(kernel_size, 'kernel_size', 'max_unpool1d', 1)
    s = k if stride is None else _pool_tuple(stride, 'stride', 'max_unpool1d', 1)
    p = _pool_tuple(padding, 'padding', 'max_unpool1d', 1)
    size = _unpool_size(input, k, s, p, output_size)
    out = _max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), k + (1,), s + (1,),
                      p + (0,), size + (1,))
    return out.squeeze(-1)
