"""3-D pooling: max/avg pooling, their adaptive forms, power-average pooling and max
unpooling over (N, C, D, H, W) or (C, D, H, W) inputs, one node each.

Windows are visited as strided slices of the padded input, one per kernel offset (a
loop over the kd*kh*kw offsets, never over output positions):

- max pooling scans the offsets in PyTorch's window order keeping the running maximum
  and the offset it came from (a later element wins if greater or NaN, so the first
  maximum, or the last NaN); the backward adds gy to the winners offset by offset.
- average pooling is separable: window sums along W, then H, then D (kw + kh + kd
  slice adds instead of their product); its backward spreads the gradient back the
  same way.
- adaptive average pooling multiplies by each axis' (out, in) averaging matrix;
  adaptive max pooling reduces one axis at a time (a loop over the output length of
  each axis), keeping the first maximum in (d, h, w) order.
"""
from __future__ import annotations

import numpy as np

from .._state import state
from .._tensor import Tensor, _wrap
from ._op import Op, LinearAdjoint
from .indexing import scatter_add
from .pool import (_out_len, _divisors, _avg_matrix, _adaptive_bounds, _argmax_nan, _DT_WORDS,
                   MaxUnpool)

__all__ = ['max_pool3d', 'max_pool3d_with_indices', 'avg_pool3d', 'adaptive_avg_pool3d',
           'adaptive_max_pool3d', 'adaptive_max_pool3d_with_indices', 'lp_pool3d',
           'max_unpool3d']


# -- geometry ------------------------------------------------------------------------------------
class _Geo3:
    """Window geometry of one 3-D pooling call: kernel, stride, padding, dilation, input
    and output sizes per axis (D, H, W), and the end padding that keeps every (ceil-mode)
    window inside the padded array."""
    __slots__ = ('k', 's', 'p', 'd', 'i', 'o', 'pe')

    def __init__(self, k, s, p, d, i, o):
        self.k, self.s, self.p, self.d, self.i, self.o = k, s, p, d, i, o
        self.pe = tuple(max(0, (o[a] - 1) * s[a] + d[a] * (k[a] - 1) + 1 - i[a] - p[a])
                        for a in range(3))

    def offsets(self):
        k = self.k
        for a in range(k[0]):
            for b in range(k[1]):
                for c in range(k[2]):
                    yield a, b, c

    def window(self, xp: np.ndarray, a: int, b: int, c: int) -> np.ndarray:
        """The (..., od, oh, ow) strided slice of padded ``xp`` at kernel offset (a, b, c)."""
        s, d, o = self.s, self.d, self.o
        r, q, t = a * d[0], b * d[1], c * d[2]
        return xp[..., r:r + s[0] * (o[0] - 1) + 1:s[0], q:q + s[1] * (o[1] - 1) + 1:s[1],
                  t:t + s[2] * (o[2] - 1) + 1:s[2]]

    def pad(self, x: np.ndarray, fill) -> np.ndarray:
        p, pe = self.p, self.pe
        if not any(p) and not any(pe):
            return x
        sp = tuple(self.i[a] + p[a] + pe[a] for a in range(3))
        out = np.full(x.shape[:-3] + sp, fill, x.dtype)
        out[..., p[0]:p[0] + self.i[0], p[1]:p[1] + self.i[1], p[2]:p[2] + self.i[2]] = x
        return out

    def crop(self, gp: np.ndarray) -> np.ndarray:
        p, i = self.p, self.i
        return np.ascontiguousarray(gp[..., p[0]:p[0] + i[0], p[1]:p[1] + i[1],
                                       p[2]:p[2] + i[2]])


_MAX_WORDS = {'kernel_size': 'kernel_size must either be a single int, or a tuple of three ints',
              'stride': 'stride must either be omitted, a single int, or a tuple of three ints',
              'padding': 'padding must either be a single int, or a tuple of three ints',
              'dilation': 'dilation must be either a single int, or a tuple of three ints'}
_AVG_WORDS = {'kernel_size': 'kernel_size must be a single int, or a tuple of three ints',
              'stride': 'stride must be omitted, a single int, or a tuple of three ints',
              'padding': 'padding must be a single int, or a tuple of three ints'}


def _three(v, name: str, fn: str, words: dict) -> tuple:
    if isinstance(v, int):
        return (v,) * 3
    t = tuple(int(e) for e in v)
    if len(t) == 1:
        return t * 3
    if len(t) != 3:
        raise RuntimeError(f'{fn}: {words[name]}')
    return t


def _pool3d_setup(fn: str, x: Tensor, kernel_size, stride, padding, dilation,
                  ceil_mode: bool) -> _Geo3:
    """Validates a max/avg pooling call in PyTorch's order and words."""
    avg = fn == 'avg_pool3d'
    words = _AVG_WORDS if avg else _MAX_WORDS
    k = _three(kernel_size, 'kernel_size', fn, words)
    if stride is None or (not isinstance(stride, int) and len(stride) == 0):
        s = k
    else:
        s = _three(stride, 'stride', fn, words)
    p = _three(padding, 'padding', fn, words)
    d = _three(dilation, 'dilation', fn, words)
    shape = x._data.shape
    if len(shape) not in (4, 5):
        raise RuntimeError('non-empty 4D or 5D (batch mode) tensor expected for input')
    i = shape[-3:]
    o = []
    for a in range(3):
        if s[a] == 0:
            raise RuntimeError('stride should not be zero')
        if p[a] < 0:
            raise RuntimeError(f'pad must be non-negative, but got pad: {p[a]}')
        if p[a] > ((k[a] - 1) * d[a] + 1) // 2:
            raise RuntimeError(f'pad should be at most half of effective kernel size, but got '
                               f'pad={p[a]}, kernel_size={k[a]} and dilation={d[a]}')
        o.append(_out_len(i[a], k[a], s[a], p[a], d[a], ceil_mode))
    if min(k) <= 0:
        raise RuntimeError(f'kernel size should be greater than zero, but got kT: {k[0]} '
                           f'kH: {k[1]} kW: {k[2]}')
    if min(s) <= 0:
        raise RuntimeError(f'stride should be greater than zero, but got dT: {s[0]} '
                           f'dH: {s[1]} dW: {s[2]}')
    if min(d) <= 0:
        raise RuntimeError(f'dilation should be greater than zero, but got dilationT: {d[0]} '
                           f'dilationH: {d[1]} dilationW: {d[2]}')
    if 0 in shape[-4:]:
        name = 'avg_pool3d()' if avg else 'max_pool3d_with_indices_out_cpu_template()'
        # (PyTorch prints the empty dimension's size, 0, where its index belongs)
        raise RuntimeError(f"{name}: Expected input's non-batch dimensions to have positive "
                           f'length, but input has a shape of {list(shape)} and non-batch '
                           f'dimension 0 has length zero!')
    if avg and (i[0] < k[0] or i[1] < k[1] or i[2] < k[2]):
        raise RuntimeError(f'input image (T: {i[0]} H: {i[1]} W: {i[2]}) smaller than kernel '
                           f'size (kT: {k[0]} kH: {k[1]} kW: {k[2]})')
    if k[0] // 2 < p[0] or k[2] // 2 < p[2] or k[1] // 2 < p[1]:
        raise RuntimeError(f'pad should be smaller than or equal to half of kernel size, but '
                           f'got kT: {k[0]} kW: {k[2]} kH: {k[1]} padT: {p[0]} padW: {p[2]} '
                           f'padH: {p[1]}')
    if min(o) < 1:
        c = shape[-4]
        raise RuntimeError(f'Given input size: ({c}x{i[0]}x{i[1]}x{i[2]}). Calculated output '
                           f'size: ({c}x{o[0]}x{o[1]}x{o[2]}). Output size is too small')
    return _Geo3(k, s, p, d, tuple(i), tuple(o))


# -- max pooling ---------------------------------------------------------------------------------
def _lowest(dt):
    return -np.inf if dt.kind == 'f' else np.iinfo(dt).min


def _first_real(g: _Geo3) -> np.ndarray:
    """(od, oh, ow) offset index of each window's first element inside the input: what a
    window keeps when nothing in it beats the lowest value (PyTorch's initial index)."""
    firsts = []
    for a in range(3):
        start = np.arange(g.o[a]) * g.s[a] - g.p[a]
        firsts.append(np.maximum(0, -(start // g.d[a])))  # ceil(-start / d) where start < 0
    f0, f1, f2 = firsts
    return ((f0[:, None, None] * g.k[1] + f1[None, :, None]) * g.k[2] + f2[None, None, :])


def _max_scan(xp: np.ndarray, g: _Geo3, want_index: bool):
    """Window maxima of padded ``xp`` and (if asked) the kernel offset each came from."""
    best = None
    idx = None
    floating = xp.dtype.kind == 'f'
    if want_index:
        best = np.full(xp.shape[:-3] + g.o, _lowest(xp.dtype), xp.dtype)
        idx = np.broadcast_to(_first_real(g), best.shape).copy()
    for n, (a, b, c) in enumerate(g.offsets()):
        s = g.window(xp, a, b, c)
        if not want_index:
            if best is None:
                best = s.copy()
            else:
                np.maximum(best, s, out=best)  # (NaN propagates)
            continue
        m = s > best
        if floating:
            m |= np.isnan(s)
        np.copyto(best, s, where=m)
        idx[m] = n
    return best, idx


def _flat_indices(k: np.ndarray, g: _Geo3) -> np.ndarray:
    """Kernel offset indices -> flat d*H*W + h*W + w positions in the unpadded input."""
    ka, rest = np.divmod(k, g.k[1] * g.k[2])
    kb, kc = np.divmod(rest, g.k[2])
    pos = [np.arange(g.o[a]) * g.s[a] - g.p[a] for a in range(3)]
    t = pos[0][:, None, None] + ka * g.d[0]
    h = pos[1][None, :, None] + kb * g.d[1]
    w = pos[2][None, None, :] + kc * g.d[2]
    return (t * g.i[1] + h) * g.i[2] + w


class MaxPool3d(Op):
    _name = 'MaxPool3DWithIndicesBackward0'

    def __init__(self, g: _Geo3, return_indices: bool, need_index: bool):
        self.g = g
        self.ri = return_indices
        self.need_index = need_index

    def forward(self, x):
        g = self.g
        self.xshape = x.shape
        xp = g.pad(x, _lowest(x.dtype))
        y, k = _max_scan(xp, g, self.need_index)
        self.saved = (k,)
        if self.ri:
            return y, _flat_indices(k, g)
        return y

    def backward(self, gy, gi=None):
        k, = self.saved
        g = self.g
        sp = tuple(g.i[a] + g.p[a] + g.pe[a] for a in range(3))
        gxp = np.zeros(self.xshape[:-3] + sp, gy.dtype)
        disjoint = all(g.s[a] >= g.d[a] * (g.k[a] - 1) + 1 for a in range(3))
        for n, (a, b, c) in enumerate(g.offsets()):
            win = g.window(gxp, a, b, c)
            if disjoint:
                np.multiply(gy, k == n, out=win)
            else:
                win += gy * (k == n)
        return g.crop(gxp)

    def backward_t(self, gy, gi=None):
        # gy scattered to the saved winners: linear in gy, as a differentiable scatter_add
        k, = self.saved
        g = self.g
        rows = int(np.prod(self.xshape[:-3]))
        idx = _wrap(_flat_indices(k, g).reshape(rows, -1))
        src = gy.reshape(rows, -1)
        gx = scatter_add(src.new_zeros((rows, g.i[0] * g.i[1] * g.i[2])), 1, idx, src)
        return gx.reshape(self.xshape)


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Maximum over each (dilated) window of a (N, C, D, H, W) or (C, D, H, W) input; with
    ``return_indices`` also the flat d*H*W + h*W + w position each maximum came from."""
    g = _pool3d_setup('max_pool3d', input, kernel_size, stride, padding, dilation, ceil_mode)
    if input._data.dtype == np.bool_:
        raise NotImplementedError('"max_pool3d" not implemented for \'Bool\'')
    need = return_indices or (state.enabled and input._rg)
    op = MaxPool3d(g, return_indices, need)
    return op.apply(input) if return_indices else op.apply1(input)


def max_pool3d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = True):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# -- average pooling -----------------------------------------------------------------------------
def _along(axis: int, start: int, step: int, n: int) -> tuple:
    """Index of the ``n`` positions start, start + step, ... along negative ``axis``."""
    return (Ellipsis, slice(start, start + step * (n - 1) + 1, step)) + (slice(None),) * (-axis - 1)


class AvgPool3d(Op):
    _name = 'AvgPool3DBackward0'

    def __init__(self, g: _Geo3, div: np.ndarray):
        self.g = g
        self.div = div

    def forward(self, x):
        g = self.g
        self.xshape = x.shape
        t = g.pad(x, 0)
        # NOTE: separable window sum: along W, then H, then D (a W-sum keeps all rows).
        for axis in (-1, -2, -3):
            a = 3 + axis
            acc = None
            for j in range(g.k[a]):
                s = t[_along(axis, j, g.s[a], g.o[a])]
                acc = s.copy() if acc is None else np.add(acc, s, out=acc)
            t = acc
        if t.dtype.kind == 'f':
            t /= self.div.astype(t.dtype)
        else:
            t = np.sign(t) * (np.abs(t) // self.div.astype(t.dtype))
        return t

    def backward(self, gy):
        g = self.g
        t = gy / self.div.astype(gy.dtype)
        lens = [g.i[a] + g.p[a] + g.pe[a] for a in range(3)]
        for axis in (-3, -2, -1):
            a = 3 + axis
            shape = list(t.shape)
            shape[axis] = lens[a]
            out = np.zeros(shape, t.dtype)
            for j in range(g.k[a]):
                out[_along(axis, j, g.s[a], g.o[a])] += t
            t = out
        return g.crop(t)

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Mean over each window of a (N, C, D, H, W) or (C, D, H, W) input. The divisor counts
    the zero padding unless ``count_include_pad=False``; ``divisor_override`` replaces it."""
    g = _pool3d_setup('avg_pool3d', input, kernel_size, stride, padding, 1, ceil_mode)
    dt = input._data.dtype
    if dt.kind != 'f' and dt != np.int64:
        raise NotImplementedError(f'"avg_pool3d_out_frame" not implemented for '
                                  f'\'{_DT_WORDS[dt.name]}\'')
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError('divisor must be not zero')
        div = np.full(g.o, divisor_override, np.int64)
    else:
        dd, dh, dw = (_divisors(g.o[a], g.i[a], g.k[a], g.s[a], g.p[a], count_include_pad)
                      for a in range(3))
        div = dd[:, None, None] * dh[None, :, None] * dw[None, None, :]
    return AvgPool3d(g, div).apply1(input)


# -- adaptive pooling ----------------------------------------------------------------------------
def _adaptive3_size(fn: str, x: Tensor, output_size) -> tuple:
    if isinstance(output_size, int):
        sizes = (output_size,) * 3
    else:
        sizes = tuple(output_size)
        if len(sizes) != 3:
            if fn == 'adaptive_max_pool3d':
                raise RuntimeError('adaptive_max_pool3d(): internal error: output_size.size() '
                                   'must be 3')
            raise RuntimeError(f'{fn}: output_size must be 3')
    if x.dim() not in (4, 5):
        colon = ':' if fn == 'adaptive_max_pool3d' else ''
        raise RuntimeError(f'{fn}(): Expected 4D or 5D tensor, but got{colon} {list(x.shape)}')
    shape = x._data.shape
    sizes = tuple(shape[-3 + a] if s is None else int(s) for a, s in enumerate(sizes))
    for i, v in enumerate(shape):
        if v == 0 and (i > 0 or x.dim() == 4):
            raise RuntimeError(f'{fn}(): Expected input to have non-zero size for non-batch '
                               f'dimensions, but input has sizes {list(shape)} with dimension '
                               f'{i} being empty')
    if any(s < 0 for s in sizes):
        if fn == 'adaptive_max_pool3d':
            bad = next(s for s in sizes if s < 0)
            raise RuntimeError(f'Trying to create tensor with negative dimension {bad}: '
                               f'{list(shape[:-3]) + list(sizes)}')
        raise RuntimeError(f'adaptive_avg_pool3d: elements of output_size must be greater than '
                           f'or equal to 0 but received {{{sizes[0]}, {sizes[1]},{sizes[2]}}}')
    dt = x._data.dtype
    if dt.kind != 'f':
        raise NotImplementedError(f'"{fn}_cpu" not implemented for \'{_DT_WORDS[dt.name]}\'')
    return sizes


class AdaptiveAvgPool3d(Op):
    """y = x averaged along each axis by its (out, in) window-averaging matrix."""
    _name = 'AdaptiveAvgPool3DBackward0'

    def __init__(self, osz: tuple):
        self.osz = osz

    def forward(self, x):
        self.mats = [_avg_matrix(x.shape[-3 + a], self.osz[a], x.dtype) for a in range(3)]
        return self._apply(x, self.mats)

    @staticmethod
    def _apply(x: np.ndarray, mats: list) -> np.ndarray:
        md, mh, mw = mats
        t = np.matmul(x, mw.T)  # (..., D, H, ow)
        t = np.matmul(mh, t)  # (..., D, oh, ow)
        lead = t.shape[:-3]
        t = np.matmul(md, t.reshape(lead + (t.shape[-3], -1)))
        return t.reshape(lead + (md.shape[0],) + t.shape[-1:]).reshape(
            lead + (md.shape[0], mh.shape[0], mw.shape[0]))

    def backward(self, gy):
        return self._apply(gy, [m.T for m in self.mats])

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed (OD, OH, OW): window o of an axis spans
    [floor(o*I/O), ceil((o+1)*I/O)); ``None`` keeps that input size."""
    osz = _adaptive3_size('adaptive_avg_pool3d', input, output_size)
    if osz == (1, 1, 1):
        # PyTorch takes a global average as a mean (MeanBackward1).
        return input.mean((-3, -2, -1), keepdim=True)
    return AdaptiveAvgPool3d(osz).apply1(input)


def _reduce_axis(v: np.ndarray, pos: np.ndarray, axis: int, n_out: int):
    """Adaptive max along ``axis`` of values ``v`` whose flat input positions are ``pos``:
    the first maximum (the last NaN) of each window, and its position."""
    start, end = _adaptive_bounds(v.shape[axis], n_out)
    shape = list(v.shape)
    shape[axis] = n_out
    y = np.empty(shape, v.dtype)
    p = np.empty(shape, np.int64)
    pre = (slice(None),) * (v.ndim + axis if axis < 0 else axis)
    for o in range(n_out):
        blk = v[pre + (slice(start[o], end[o]),)]
        a = np.expand_dims(_argmax_nan(blk, axis), axis)
        y[pre + (slice(o, o + 1),)] = np.take_along_axis(blk, a, axis)
        p[pre + (slice(o, o + 1),)] = np.take_along_axis(
            pos[pre + (slice(start[o], end[o]),)], a, axis)
    return y, p


class AdaptiveMaxPool3d(Op):
    _name = 'AdaptiveMaxPool3DBackward0'

    def __init__(self, osz: tuple):
        self.osz = osz

    def forward(self, x):
        self.xshape = x.shape
        d, h, w = x.shape[-3:]
        # NOTE: max over a box is separable; reducing W, then H, then D with the first
        # maximum each time gives the first maximum in (d, h, w) order (last NaN likewise)
        pos = np.broadcast_to(np.arange(d * h * w).reshape(d, h, w), x.shape)
        y, p = _reduce_axis(x, pos, -1, self.osz[2])
        y, p = _reduce_axis(y, p, -2, self.osz[1])
        y, p = _reduce_axis(y, p, -3, self.osz[0])
        self.saved = (p,)
        self.dhw = d * h * w
        return y, p

    def backward(self, gy, gi=None):
        idx, = self.saved
        rows = int(np.prod(self.xshape[:-3]))
        flat = (idx.reshape(rows, -1) + (np.arange(rows) * self.dhw)[:, None]).ravel()
        gx = np.bincount(flat, weights=gy.ravel(), minlength=rows * self.dhw)
        return gx.astype(gy.dtype).reshape(self.xshape)

    def backward_t(self, gy, gi=None):
        idx, = self.saved
        rows = int(np.prod(self.xshape[:-3]))
        src = gy.reshape(rows, -1)
        gx = scatter_add(src.new_zeros((rows, self.dhw)), 1, _wrap(idx.reshape(rows, -1)), src)
        return gx.reshape(self.xshape)


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed (OD, OH, OW) (windows as in adaptive_avg_pool3d)."""
    osz = _adaptive3_size('adaptive_max_pool3d', input, output_size)
    y, idx = AdaptiveMaxPool3d(osz).apply(input)
    return (y, idx) if return_indices else y


def adaptive_max_pool3d_with_indices(input: Tensor, output_size, return_indices: bool = False):
    return adaptive_max_pool3d(input, output_size, True)


# -- power-average pooling (composite, as PyTorch defines it) ------------------------------------
def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """``(sum over the window of x**p) ** (1/p)`` over 3-D windows."""
    from .unary import sign, relu, abs as _abs
    kd, kh, kw = (kernel_size,) * 3 if isinstance(kernel_size, int) else kernel_size
    out = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (sign(out) * relu(_abs(out))).mul(kd * kh * kw).pow(1.0 / norm_type)


# -- max unpooling -------------------------------------------------------------------------------
class MaxUnpool3d(MaxUnpool):
    """MaxUnpool over (..., d, h, w) inputs."""
    _name = 'MaxUnpool3DBackward0'


def _triple(v) -> tuple:
    return tuple(v) if isinstance(v, (list, tuple)) else (v, v, v)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """The partial inverse of max_pool3d: the values at the indices it returned, zeros
    elsewhere. The output size is (in - 1) * stride + kernel - 2 * padding per axis
    unless ``output_size`` (within a stride of that) is given."""
    k = _triple(kernel_size)
    s = k if stride is None else _triple(stride)
    p = _triple(padding)
    default = [(input.shape[-3 + a] - 1) * s[a] + k[a] - 2 * p[a] for a in range(3)]
    if output_size is None:
        size = tuple(default)
    else:
        size = list(output_size)
        if len(size) == 5:
            size = size[2:]
        if len(size) != 3:
            raise ValueError(f'output_size should be a sequence containing 3 or 5 elements, '
                             f"but it has a length of '{len(size)}'")
        for a in range(3):
            lo, hi = default[a] - s[a], default[a] + s[a]
            if not lo < size[a] < hi:
                raise ValueError(f'invalid output_size "{output_size}" (dim {a} must be '
                                 f'between {lo} and {hi})')
        size = tuple(int(v) for v in size)
    if input.dim() not in (4, 5):
        raise RuntimeError(f'Input to max_unpooling3d should be a 4d or 5d Tensor, but got a '
                           f'tensor with {input.dim()} dimensions.')
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f'Expected shape of indices to be same as that of the input tensor '
                           f'({list(input.shape)}) but got indices tensor with shape: '
                           f'{list(indices.shape)}')
    idx = indices._data
    if idx.size:
        bad = (idx < 0) | (idx >= size[0] * size[1] * size[2])
        if bad.any():
            raise RuntimeError(f'Found an invalid max index: {int(idx[bad].flat[0])} (output '
                               f'volumes are of size {size[0]}x{size[1]}x{size[2]})')
    return MaxUnpool3d(idx.astype(np.int64), size).apply1(input)
