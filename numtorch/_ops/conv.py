"""Convolutions: conv1d/conv2d, their transposes, and unfold/fold (im2col/col2im).

Every convolution is one op (``ConvolutionBackward0``): im2col through a strided view of
the zero-padded input plus a GEMM ``W (O, C*kh*kw) @ cols``, and in backward the GEMMs
``cols @ gy^T`` (weight) and ``W^T @ gy`` followed by col2im -- kh*kw vectorised adds,
one per kernel offset -- (input). Details that measured faster here:

- The input is held batch-last, (C, H, W, N): every copied run of the column matrix is
  then OW*N elements long, not OW. Layers with few columns per output (C=1 input layers)
  keep NCHW order, whose transposes back to NCHW are cheaper.
- The output is processed a few rows at a time, so a chunk's columns are built, used and
  scattered back while in cache, into reused work buffers; backward rebuilds the columns
  from the saved padded input instead of keeping them all.
- The input gradient of a stride-1 'same' convolution is computed as a convolution of gy
  with the flipped kernel (a well-shaped GEMM, no scatter).
- 1x1 convolutions with stride 1 and no padding are a batched GEMM on the input as it is.

conv1d runs as conv2d with a height-1 kernel; unbatched inputs as a batch of one.
"""
from __future__ import annotations

import threading
import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._tensor import Tensor
from ._op import Op

__all__ = ['conv1d', 'conv2d', 'conv_transpose1d', 'conv_transpose2d', 'unfold', 'fold']

_DT_WORDS = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'int64': 'Long',
             'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool'}


# -- layout helpers ----------------------------------------------------------------------
def _zero_border(a: np.ndarray, ax: int, pt: int, pb: int, pl: int, pr: int) -> None:
    """Zeroes the padding frame of ``a`` whose rows/columns are axes ax, ax+1.

    NOTE: np.empty plus a zeroed frame instead of np.zeros: calloc hands out fresh pages
    whose first-touch faults cost more here than the whole copy that follows."""
    pre = (slice(None),) * ax
    h, w = a.shape[ax], a.shape[ax + 1]
    if pt:
        a[pre + (slice(0, pt),)] = 0
    if pb:
        a[pre + (slice(h - pb, h),)] = 0
    if pl:
        a[pre + (slice(pt, h - pb), slice(0, pl))] = 0
    if pr:
        a[pre + (slice(pt, h - pb), slice(w - pr, w))] = 0


# NOTE: moving the batch axis to the end (or back) is a transpose with a huge stride on
# one side; done 16 samples at a time, each cache line fetched is used whole (measured 2x
# faster than one transposing copy).
_NT = 16


def _to_chwn(x: np.ndarray, pt: int, pb: int, pl: int, pr: int) -> np.ndarray:
    """``x`` (N, C, H, W) as a contiguous (C, H+pt+pb, W+pl+pr, N) array, zero-padded."""
    n, c, h, w = x.shape
    out = np.empty((c, h + pt + pb, w + pl + pr, n), x.dtype)
    _zero_border(out, 1, pt, pb, pl, pr)
    for a in range(0, n, _NT):
        out[:, pt:pt + h, pl:pl + w, a:a + _NT] = x[a:a + _NT].transpose(1, 2, 3, 0)
    return out


def _from_chwn(g: np.ndarray, pt: int, pl: int, h: int, w: int) -> np.ndarray:
    """The (N, C, h, w) block of a (C, H, W, N) array starting at row pt, column pl."""
    c, n = g.shape[0], g.shape[3]
    out = np.empty((n, c, h, w), g.dtype)
    src = g[:, pt:pt + h, pl:pl + w]
    for a in range(0, n, _NT):
        out[a:a + _NT] = src[..., a:a + _NT].transpose(3, 0, 1, 2)
    return out


def _im2col(xt: np.ndarray, kh: int, kw: int, sh: int, sw: int, dh: int, dw: int,
            oh: int, ow: int) -> np.ndarray:
    """(C, Hp, Wp, N) -> (C*kh*kw, oh*ow*N): column (y, x, n) holds the window at (y, x)."""
    c, _, _, n = xt.shape
    s0, s1, s2, s3 = xt.strides
    v = as_strided(xt, (c, kh, kw, oh, ow, n), (s0, s1 * dh, s2 * dw, s1 * sh, s2 * sw, s3),
                   writeable=False)
    return v.reshape(c * kh * kw, oh * ow * n)


def _col2im(gc: np.ndarray, shape: tuple, kh: int, kw: int, sh: int, sw: int, dh: int,
            dw: int, oh: int, ow: int) -> np.ndarray:
    """Adjoint of :func:`_im2col`: sums columns back into a (C, Hp, Wp, N) array."""
    c, hp, wp, n = shape
    g = np.zeros(shape, gc.dtype)
    g6 = gc.reshape(c, kh, kw, oh, ow, n)
    he = sh * (oh - 1) + 1
    we = sw * (ow - 1) + 1
    for i in range(kh):
        r = i * dh
        for j in range(kw):
            q = j * dw
            g[:, r:r + he:sh, q:q + we:sw] += g6[:, i, j]
    return g


# -- argument checks shared by the functionals ---------------------------------------------
def _tuple(v, n: int, name: str) -> tuple:
    if isinstance(v, int):
        return (v,) * n
    t = tuple(int(e) for e in v)
    if len(t) == 1:
        return t * n
    if len(t) != n:
        raise RuntimeError(f'expected {name} to be a single integer value or a list of {n} '
                           f'values to match the convolution dimensions, but got '
                           f'{name}={list(t)}')
    return t


def _same_pads(k: tuple, d: tuple) -> tuple:
    """'same' padding per dim: total d*(k-1), the odd element going after (as PyTorch)."""
    out = []
    for ki, di in zip(k, d):
        tot = di * (ki - 1)
        out.append((tot // 2, tot - tot // 2))
    return tuple(out)


def _check_dtypes(x: Tensor, w: Tensor, b: Tensor | None) -> None:
    xd, wd = x._data.dtype, w._data.dtype
    if xd != wd:
        raise RuntimeError(f'expected scalar type {_DT_WORDS[xd.name]} but found '
                           f'{_DT_WORDS[wd.name]}')
    if b is not None and b._data.dtype != xd:
        raise RuntimeError(f'Input type ({_type_lower(xd)}) and bias type '
                           f'({_type_lower(b._data.dtype)}) should be the same')
    if xd == np.bool_:
        raise NotImplementedError('"slow_conv2d_cpu" not implemented for \'Bool\'')


def _type_lower(npdt) -> str:
    return {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half'}.get(
        npdt.name, npdt.name)


def _conv_args(name: str, input: Tensor, weight: Tensor, bias: Tensor | None, nd: int,
               stride, padding, dilation, groups: int, transposed: bool = False):
    """Validates a convolution call the way PyTorch does; returns
    (batched?, stride, pads as ((before, after), ...), dilation)."""
    xdim = input.dim()
    if xdim not in (nd + 1, nd + 2):
        raise RuntimeError(f'Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to '
                           f'{name}, but got input of size: {list(input.shape)}')
    batched = xdim == nd + 2
    wshape = tuple(weight._data.shape)
    stride = _tuple(stride, nd, 'stride')
    dilation = _tuple(dilation, nd, 'dilation')
    if weight.dim() != nd + 2:
        if weight.dim() < 3:
            raise RuntimeError('weight should have at least three dimensions')
        raise RuntimeError(f'expected stride to be a single integer value or a list of '
                           f'{weight.dim() - 2} values to match the convolution dimensions, '
                           f'but got stride={list(stride)}')
    if isinstance(padding, str):
        if transposed:
            raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
        if padding == 'valid':
            pads = ((0, 0),) * nd
        elif padding == 'same':
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = _same_pads(wshape[2:], dilation)
            if any(d % 2 == 1 and k % 2 == 0 for d, k in zip(dilation, wshape[2:])):
                warnings.warn("Using padding='same' with even kernel lengths and odd dilation "
                              'may require a zero-padded copy of the input be created')
        else:
            raise RuntimeError(f'Invalid padding string: \'{padding}\'')
    else:
        p = _tuple(padding, nd, 'padding')
        pads = tuple((q, q) for q in p)
    if any(s <= 0 for s in stride):
        raise RuntimeError('non-positive stride is not supported')
    if any(q < 0 for pr in pads for q in pr):
        raise RuntimeError('negative padding is not supported')
    if any(d <= 0 for d in dilation):
        raise RuntimeError('non-positive dilation is not supported')
    if groups <= 0:
        raise RuntimeError('non-positive groups is not supported')
    if any(k <= 0 for k in wshape[2:]):
        names = ('kernel_height', 'kernel_width') if nd == 2 else ('kernel_width',)
        raise RuntimeError('kernel size should be greater than zero, but got ' + ' '.join(
            f'{n}: {k}' for n, k in zip(names, wshape[2:])))
    xs = tuple(input._data.shape) if batched else (1,) + tuple(input._data.shape)
    if transposed:
        if xs[1] != wshape[0]:
            raise RuntimeError(f'Given transposed=1, weight of size {list(wshape)}, expected '
                               f'input{list(xs)} to have {wshape[0]} channels, but got '
                               f'{xs[1]} channels instead')
        if wshape[0] % groups:
            raise RuntimeError(f'Given groups={groups}, expected weight to be divisible by '
                               f'{groups} at dimension 0, but got weight of size '
                               f'[{list(wshape)}] instead')
        nout = wshape[1] * groups
    else:
        if wshape[0] % groups:
            raise RuntimeError(f'Given groups={groups}, expected weight to be divisible by '
                               f'{groups} at dimension 0, but got weight of size '
                               f'[{list(wshape)}] instead')
        if xs[1] != wshape[1] * groups:
            raise RuntimeError(f'Given groups={groups}, weight of size {list(wshape)}, '
                               f'expected input{list(xs)} to '
                               f'have {wshape[1] * groups} channels, but got {xs[1]} '
                               f'channels instead')
        padded = [xs[2 + i] + pads[i][0] + pads[i][1] for i in range(nd)]
        ksz = [dilation[i] * (wshape[2 + i] - 1) + 1 for i in range(nd)]
        if any(k > p for k, p in zip(ksz, padded)):
            raise RuntimeError(f'Calculated padded input size per channel: '
                               f'({" x ".join(map(str, padded))}). Kernel size: '
                               f'({" x ".join(map(str, ksz))}). Kernel size can\'t be greater '
                               f'than actual input size')
        nout = wshape[0]
    if bias is not None and (bias.dim() != 1 or bias._data.shape[0] != nout):
        raise RuntimeError(f'Given weight of size {list(wshape)}, expected bias to be '
                           f'1-dimensional with {nout} elements, but got bias of size '
                           f'{list(bias.shape)} instead')
    _check_dtypes(input, weight, bias)
    return batched, stride, pads, dilation


# -- convolution -----------------------------------------------------------------------------
# Column-matrix elements per chunk (4 MiB of float32): the conv works through the output a
# few rows at a time so that each chunk's columns are built, multiplied and (in backward)
# scattered back while they are still in cache. Measured here, this is 20-30% faster than
# one whole-batch column matrix for the seed CNNs' layers, and the columns are never all
# in memory at once (backward rebuilds them from the padded input). Much smaller chunks
# make many small GEMM calls, each paying multi-threaded BLAS's synchronisation.
_CHUNK = 1 << 20
_SCRATCH_MAX = 1 << 22  # elements; bigger work arrays are not kept between calls
_local = threading.local()


def _scratch(slot: int, shape: tuple, dtype) -> np.ndarray:
    """A reusable per-thread work array (contents undefined).

    NOTE: the chunk buffers are allocated once and reused: a fresh multi-MB NumPy array
    per chunk comes from mmap and is paid for again in page faults on every use, which
    measured here more than doubles the cost of a conv layer."""
    bufs = getattr(_local, 'bufs', None)
    if bufs is None:
        bufs = _local.bufs = {}
    dtype = np.dtype(dtype)
    n = 1
    for d in shape:
        n *= d
    if n > _SCRATCH_MAX:
        return np.empty(shape, dtype)
    key = (slot, dtype)
    buf = bufs.get(key)
    if buf is None or buf.size < n:
        buf = bufs[key] = np.empty(max(n, 1), dtype)
    return buf[:n].reshape(shape)


def _row_chunks(oh: int, per_row: int):
    rows = max(1, _CHUNK // max(per_row, 1))
    for a in range(0, oh, rows):
        yield a, min(oh, a + rows)


def _geometry(n, c, h, w, o, kh, kw, stride, pads, dilation):
    (sh, sw), ((pt, pb), (pl, pr)), (dh, dw) = stride, pads, dilation
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (w + pl + pr - dw * (kw - 1) - 1) // sw + 1
    return (n, c, h, w, o, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, oh, ow)


def _cols(src: np.ndarray, bl: bool, geo: tuple, a: int, b: int) -> np.ndarray:
    """Columns of output rows [a, b): (C*kh*kw, M) with M ordered (rows, OW, N) from the
    batch-last (C, Hp, Wp, N) input, or (N, rows, OW) from the padded NCHW input."""
    n, c, h, w, o, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, oh, ow = geo
    if bl:
        s0, s1, s2, s3 = src.strides
        v = as_strided(src[:, a * sh:], (c, kh, kw, b - a, ow, n),
                       (s0, s1 * dh, s2 * dw, s1 * sh, s2 * sw, s3), writeable=False)
    else:
        sn, s0, s1, s2 = src.strides
        v = as_strided(src[:, :, a * sh:], (c, kh, kw, n, b - a, ow),
                       (s0, s1 * dh, s2 * dw, sn, s1 * sh, s2 * sw), writeable=False)
    out = _scratch(0, v.shape, src.dtype)
    np.copyto(out, v)
    return out.reshape(c * kh * kw, -1)


def _conv_gemm(x: np.ndarray, W: np.ndarray, b, geo: tuple, g: int):
    """The im2col convolution of NCHW ``x`` with ``W`` (O, C/g, kh, kw): returns the NCHW
    output, the padded input it read (kept for backward) and its layout."""
    n, c, h, w, o, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, oh, ow = geo
    # NOTE: with the batch last, the column copies run over OW*N contiguous elements, but
    # results go back to NCHW through an N-strided transpose; that pays off unless the
    # columns are short compared with the outputs (C=1 input layers), where the NCHW order
    # (OW-long runs, cheap transposes) wins.
    bl = c * kh * kw >= 4 * o
    if bl:
        src = _to_chwn(x, pt, pb, pl, pr)
    elif pt or pb or pl or pr:
        src = np.empty((n, c, h + pt + pb, w + pl + pr), x.dtype)
        _zero_border(src, 2, pt, pb, pl, pr)
        src[:, :, pt:pt + h, pl:pl + w] = x
    else:
        src = x
    W2 = W.reshape(o, -1) if g == 1 else W.reshape(g, o // g, -1)
    y = np.empty((n, o, oh, ow), np.result_type(x, W))
    bb = None if b is None else b.reshape(1, o, 1, 1)
    for r0, r1 in _row_chunks(oh, c * kh * kw * ow * n):
        cols = _cols(src, bl, geo, r0, r1)
        ym = _scratch(1, (o, cols.shape[1]), y.dtype)
        if g == 1:
            np.matmul(W2, cols, out=ym)
        else:
            np.matmul(W2, cols.reshape(g, -1, cols.shape[1]), out=ym.reshape(g, o // g, -1))
        # The chunk's result goes to NCHW while it is in cache.
        if bl:
            yv = ym.reshape(o, r1 - r0, ow, n).transpose(3, 0, 1, 2)
        else:
            yv = ym.reshape(o, n, r1 - r0, ow).transpose(1, 0, 2, 3)
        if bb is None:
            y[:, :, r0:r1] = yv
        else:
            np.add(yv, bb, out=y[:, :, r0:r1])
    return y, src, bl


class Conv(Op):
    """y = conv(x, W) + b on (N, C, H, W) arrays; conv1d runs as a height-1 conv2d."""
    _name = 'ConvolutionBackward0'
    checks = (0, 1)

    def __init__(self, stride, pads, dilation, groups, nd):
        self.stride = stride
        self.pads = pads
        self.dilation = dilation
        self.groups = groups
        self.nd = nd

    def forward(self, x, W, b=None):
        nd = self.nd
        self.xshape = x.shape
        self.wshape = W.shape
        if nd == 1:
            x = x[:, :, None, :]
            W = W[:, :, None, :]
            stride, pads, dil = (1,) + self.stride, ((0, 0),) + self.pads, (1,) + self.dilation
        else:
            stride, pads, dil = self.stride, self.pads, self.dilation
        n, c, h, w = x.shape
        o, cg, kh, kw = W.shape
        g = self.groups
        self.geo = geo = _geometry(n, c, h, w, o, kh, kw, stride, pads, dil)
        if kh == 1 and kw == 1 and stride == (1, 1) and g == 1 and pads == ((0, 0), (0, 0)):
            # NOTE: a 1x1 convolution is a batched GEMM on the input as laid out; no
            # im2col copy and an (N, O, H*W) result that is already NCHW.
            x3 = x.reshape(n, c, h * w)
            W2 = W.reshape(o, c)
            y = np.matmul(W2, x3)
            if b is not None:
                y += b[:, None]
            self.saved = (x3, W2)
            self.path = 0
            y = y.reshape(n, o, h, w)
        else:
            y, src, self.bl = _conv_gemm(x, W, b, geo, g)
            self.saved = (src, W.reshape(o, -1) if g == 1 else W.reshape(g, o // g, -1))
            self.path = 1
        if nd == 1:
            y = y.reshape(n, o, geo[16])
        return y

    def backward(self, gy):
        src, W2 = self.saved
        need_x, need_w = self.needs[0], self.needs[1]
        need_b = len(self.needs) > 2 and self.needs[2]
        n, c, h, w, o, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, oh, ow = self.geo
        gy = gy.reshape(n, o, oh, ow)
        gx = gW = gb = None
        if self.path == 0:
            gy3 = gy.reshape(n, o, oh * ow)
            if need_b:
                gb = gy3.sum(2).sum(0)
            if need_w:
                gW = np.matmul(gy3, src.transpose(0, 2, 1)).sum(0).reshape(self.wshape)
            if need_x:
                gx = np.matmul(W2.T, gy3).reshape(self.xshape)
            return gx, gW, gb
        g = self.groups
        K = c * kh * kw
        if need_b:
            gb = gy.sum(3).sum(2).sum(0)
        # NOTE: for a stride-1 convolution whose output is about as large as its input
        # ('same' padding) the input gradient is itself a convolution: gy, padded by
        # d*(k-1)-p, correlated with the flipped, transposed kernel. That runs as a forward
        # conv (a well-shaped GEMM with O*kh*kw inner products) instead of a GEMM with only
        # O inner products followed by kh*kw scatter-adds -- measured ~1.5x faster here.
        ft, fb, fl, fr = (dh * (kh - 1) - pt, dh * (kh - 1) - pb, dw * (kw - 1) - pl,
                          dw * (kw - 1) - pr)
        full = (need_x and sh == 1 and sw == 1 and min(ft, fb, fl, fr) >= 0
                and 2 * h * w <= 3 * oh * ow)
        if full:
            Wf = W2.reshape(g, o // g, c // g, kh, kw).transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
            Wf = np.ascontiguousarray(Wf).reshape(c, o // g, kh, kw)
            fgeo = _geometry(n, o, oh, ow, c, kh, kw, (1, 1), ((ft, fb), (fl, fr)), (dh, dw))
            gx = _conv_gemm(gy, Wf, None, fgeo, g)[0].reshape(self.xshape)
            need_x = False
        if need_w:
            gW = np.zeros((K, o) if g == 1 else (g, K // g, o // g), W2.dtype)
        if need_x:
            gp = _scratch(3, src.shape, gy.dtype)
            gp.fill(0)
            W2T = W2.T if g == 1 else W2.transpose(0, 2, 1)
        bl = self.bl
        for r0, r1 in _row_chunks(oh, K * ow * n):
            rows = r1 - r0
            gv = gy[:, :, r0:r1].transpose((1, 2, 3, 0) if bl else (1, 0, 2, 3))
            gym = _scratch(2, gv.shape, gy.dtype)
            np.copyto(gym, gv)
            gym = gym.reshape(o, -1)
            m = gym.shape[1]
            if need_w:
                cols = _cols(src, bl, self.geo, r0, r1)
                # NOTE: cols @ gy^T (then transposed) is 1.5x faster in OpenBLAS than
                # gy @ cols^T for these skinny shapes.
                if g == 1:
                    gW += cols @ gym.T
                else:
                    gW += np.matmul(cols.reshape(g, -1, m), gym.reshape(g, o // g, m)
                                    .transpose(0, 2, 1))
            if need_x:
                gc = _scratch(4, (K, m), gy.dtype)
                if g == 1:
                    np.matmul(W2T, gym, out=gc)
                else:
                    np.matmul(W2T, gym.reshape(g, o // g, m), out=gc.reshape(g, K // g, m))
                top = r0 * sh
                he = sh * (rows - 1) + 1
                we = sw * (ow - 1) + 1
                if bl:
                    g6 = gc.reshape(c, kh, kw, rows, ow, n)
                    gv = gp
                else:
                    g6 = gc.reshape(c, kh, kw, n, rows, ow).transpose(0, 1, 2, 4, 5, 3)
                    gv = gp.transpose(1, 2, 3, 0)
                for i in range(kh):
                    ri = top + i * dh
                    for j in range(kw):
                        qj = j * dw
                        gv[:, ri:ri + he:sh, qj:qj + we:sw] += g6[:, i, j]
        if need_w:
            gW = gW.T if g == 1 else gW.transpose(0, 2, 1)
            gW = np.ascontiguousarray(gW).reshape(self.wshape)
        if need_x:
            if bl:
                gx = _from_chwn(gp, pt, pl, h, w)
            else:
                # (a copy even when unpadded: gp is a reused work buffer)
                gx = gp[:, :, pt:pt + h, pl:pl + w].copy()
            gx = gx.reshape(self.xshape)
        return gx, gW, gb


def _conv(name: str, nd: int, input, weight, bias, stride, padding, dilation, groups):
    batched, stride, pads, dilation = _conv_args(name, input, weight, bias, nd, stride,
                                                 padding, dilation, groups)
    op = Conv(stride, pads, dilation, groups, nd)
    x = input if batched else input.unsqueeze(0)
    y = op.apply2(x, weight) if bias is None else op.apply(x, weight, bias)
    return y if batched else y.squeeze(0)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D cross-correlation of ``input`` (N, C, H, W) or (C, H, W) with ``weight``
    (O, C/groups, kh, kw); ``padding`` may be an int, a pair, 'valid' or 'same'."""
    return _conv('conv2d', 2, input, weight, bias, stride, padding, dilation, groups)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-D cross-correlation of ``input`` (N, C, L) or (C, L) with ``weight`` (O, C/groups, k)."""
    return _conv('conv1d', 1, input, weight, bias, stride, padding, dilation, groups)


# -- transposed convolution ------------------------------------------------------------------
class ConvTranspose(Op):
    """The adjoint of Conv with respect to its input: y = col2im(W^T x) (+ b)."""
    _name = 'ConvolutionBackward0'
    checks = (0, 1)

    def __init__(self, stride, padding, output_padding, dilation, groups, nd):
        self.stride = stride
        self.padding = padding
        self.output_padding = output_padding
        self.dilation = dilation
        self.groups = groups
        self.nd = nd

    def forward(self, x, W, b=None):
        nd = self.nd
        self.xshape = x.shape
        self.wshape = W.shape
        if nd == 1:
            x = x[:, :, None, :]
            W = W[:, :, None, :]
        one = (1,) if nd == 1 else ()
        zero = (0,) if nd == 1 else ()
        sh, sw = one + self.stride
        dh, dw = one + self.dilation
        ph, pw = zero + self.padding
        oph, opw = zero + self.output_padding
        n, cin, h, w = x.shape
        _, cg, kh, kw = W.shape
        g = self.groups
        cout = cg * g
        hf = (h - 1) * sh + dh * (kh - 1) + 1 + oph
        wf = (w - 1) * sw + dw * (kw - 1) + 1 + opw
        hout, wout = hf - 2 * ph, wf - 2 * pw
        self.geo = (n, cin, h, w, cout, kh, kw, sh, sw, dh, dw, ph, pw, hout, wout)
        xm = _to_chwn(x, 0, 0, 0, 0).reshape(cin, -1)
        if g == 1:
            W2 = W.reshape(cin, -1)
            cols = W2.T @ xm
        else:
            W2 = W.reshape(g, cin // g, -1)
            cols = np.matmul(W2.transpose(0, 2, 1), xm.reshape(g, cin // g, -1))
            cols = cols.reshape(-1, cols.shape[2])
        self.saved = (xm, W2)
        yp = _col2im(cols, (cout, hf, wf, n), kh, kw, sh, sw, dh, dw, h, w)
        y = _from_chwn(yp, ph, pw, hout, wout)
        if b is not None:
            y += b.reshape(1, cout, 1, 1)
        if nd == 1:
            y = y.reshape(n, cout, wout)
        return y

    def backward(self, gy):
        xm, W2 = self.saved
        n, cin, h, w, cout, kh, kw, sh, sw, dh, dw, ph, pw, hout, wout = self.geo
        gy = gy.reshape(n, cout, hout, wout)
        need_b = len(self.needs) > 2 and self.needs[2]
        gx = gW = gb = None
        if need_b:
            gb = gy.sum((0, 2, 3))
        gc = _im2col(_to_chwn(gy, ph, ph, pw, pw), kh, kw, sh, sw, dh, dw, h, w)
        g = self.groups
        if self.needs[1]:
            if g == 1:
                gW = xm @ gc.T
            else:
                m = xm.shape[1]
                gW = np.matmul(xm.reshape(g, cin // g, m), gc.reshape(g, -1, m).transpose(0, 2, 1))
            gW = gW.reshape(self.wshape)
        if self.needs[0]:
            if g == 1:
                gxm = W2 @ gc
            else:
                gxm = np.matmul(W2, gc.reshape(g, -1, gc.shape[1])).reshape(cin, -1)
            gx = np.ascontiguousarray(gxm.reshape(cin, h, w, n).transpose(3, 0, 1, 2))
            gx = gx.reshape(self.xshape)
        return gx, gW, gb


def _conv_transpose(name, nd, input, weight, bias, stride, padding, output_padding, groups,
                    dilation):
    batched, stride, pads, dilation = _conv_args(name, input, weight, bias, nd, stride,
                                                 padding, dilation, groups, transposed=True)
    padding = tuple(p[0] for p in pads)
    op_pad = _tuple(output_padding, nd, 'output_padding')
    for i in range(nd):
        if op_pad[i] < 0:
            raise RuntimeError('negative output_padding is not supported')
        if op_pad[i] >= stride[i] and op_pad[i] >= dilation[i]:
            dims = ('height', 'width') if nd == 2 else ('width',)
            parts = [f'output_padding_{d}: {v}' for d, v in zip(dims, op_pad)]
            parts += [f'stride_{d}: {v}' for d, v in zip(dims, stride)]
            parts += [f'dilation_{d}: {v}' for d, v in zip(dims, dilation)]
            raise RuntimeError('output padding must be smaller than either stride or dilation,'
                               ' but got ' + ' '.join(parts))
    xs = tuple(input._data.shape[-nd:])
    k = tuple(weight._data.shape[2:])
    outs = [(xs[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k[i] - 1) + 1 + op_pad[i]
            for i in range(nd)]
    if any(o < 1 for o in outs):
        raise RuntimeError(f'Given input size per channel: ({" x ".join(map(str, xs))}). '
                           f'Calculated output size per channel: '
                           f'({" x ".join(map(str, outs))}). Output size is too small')
    op = ConvTranspose(stride, padding, op_pad, dilation, groups, nd)
    x = input if batched else input.unsqueeze(0)
    y = op.apply2(x, weight) if bias is None else op.apply(x, weight, bias)
    return y if batched else y.squeeze(0)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The gradient of conv2d with respect to its input, as a layer ("deconvolution");
    ``weight`` is (C_in, C_out/groups, kh, kw)."""
    return _conv_transpose('conv_transpose2d', 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-D transposed convolution; ``weight`` is (C_in, C_out/groups, k)."""
    return _conv_transpose('conv_transpose1d', 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


# -- unfold / fold ---------------------------------------------------------------------------
def _pair4(name: str, v) -> tuple:
    if isinstance(v, int):
        return (v, v)
    t = tuple(v)
    if len(t) != 2:
        raise RuntimeError(f'It is expected {name} equals to 2, but got size {len(t)}')
    return t


class Unfold(Op):
    """(N, C, H, W) -> (N, C*kh*kw, L): every sliding block as a column."""
    _name = 'Im2ColBackward0'

    def __init__(self, k, d, p, s):
        self.k, self.d, self.p, self.s = k, d, p, s

    def forward(self, x):
        (kh, kw), (dh, dw), (ph, pw), (sh, sw) = self.k, self.d, self.p, self.s
        self.xshape = x.shape
        x4 = x if x.ndim == 4 else x[None]
        n, c, h, w = x4.shape
        oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        self.geo = (n, c, h, w, oh, ow)
        # NOTE: (N*C, H, W, 1) is the (C, H, W, N) layout of im2col with batch 1, so the
        # columns come out already ordered (n, c, i, j) x (y, x) as unfold's result.
        xt = np.zeros((n * c, h + 2 * ph, w + 2 * pw, 1), x.dtype)
        xt[:, ph:ph + h, pw:pw + w, 0] = x4.reshape(n * c, h, w)
        cols = _im2col(xt, kh, kw, sh, sw, dh, dw, oh, ow)
        out = cols.reshape(n, c * kh * kw, oh * ow)
        return out if x.ndim == 4 else out[0]

    def backward(self, gy):
        (kh, kw), (dh, dw), (ph, pw), (sh, sw) = self.k, self.d, self.p, self.s
        n, c, h, w, oh, ow = self.geo
        g = _col2im(np.ascontiguousarray(gy).reshape(n * c * kh * kw, oh * ow),
                    (n * c, h + 2 * ph, w + 2 * pw, 1), kh, kw, sh, sw, dh, dw, oh, ow)
        return np.ascontiguousarray(g[:, ph:ph + h, pw:pw + w, 0]).reshape(self.xshape)


class Fold(Op):
    """(N, C*kh*kw, L) -> (N, C, H, W): sums every column back into its block."""
    _name = 'Col2ImBackward0'

    def __init__(self, size, k, d, p, s):
        self.size, self.k, self.d, self.p, self.s = size, k, d, p, s

    def _geo(self, n, ckk):
        (h, w), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = self.size, self.k, self.d, self.p, self.s
        oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        return n, ckk // (kh * kw), h, w, oh, ow

    def forward(self, x):
        (kh, kw), (dh, dw), (ph, pw), (sh, sw) = self.k, self.d, self.p, self.s
        self.xshape = x.shape
        x3 = x if x.ndim == 3 else x[None]
        n, c, h, w, oh, ow = self.geo = self._geo(x3.shape[0], x3.shape[1])
        g = _col2im(np.ascontiguousarray(x3).reshape(n * c * kh * kw, oh * ow),
                    (n * c, h + 2 * ph, w + 2 * pw, 1), kh, kw, sh, sw, dh, dw, oh, ow)
        out = np.ascontiguousarray(g[:, ph:ph + h, pw:pw + w, 0]).reshape(n, c, h, w)
        return out if x.ndim == 3 else out[0]

    def backward(self, gy):
        (kh, kw), (dh, dw), (ph, pw), (sh, sw) = self.k, self.d, self.p, self.s
        n, c, h, w, oh, ow = self.geo
        xt = np.zeros((n * c, h + 2 * ph, w + 2 * pw, 1), gy.dtype)
        xt[:, ph:ph + h, pw:pw + w, 0] = gy.reshape(n * c, h, w)
        return _im2col(xt, kh, kw, sh, sw, dh, dw, oh, ow).reshape(self.xshape)


def _unfold_args(kernel_size, dilation, padding, stride):
    k = _pair4('kernel_size', kernel_size)
    d = _pair4('dilation', dilation)
    p = _pair4('padding', padding)
    s = _pair4('stride', stride)
    if k[0] <= 0 or k[1] <= 0:
        raise RuntimeError(f'kernel size should be greater than zero, but got kernel_height: '
                           f'{k[0]} kernel_width: {k[1]}')
    if s[0] <= 0 or s[1] <= 0:
        raise RuntimeError(f'stride should be greater than zero, but got stride_height: '
                           f'{s[0]} stride_width: {s[1]}')
    if d[0] <= 0 or d[1] <= 0:
        raise RuntimeError(f'dilation should be greater than zero, but got dilation_height: '
                           f'{d[0]} dilation_width: {d[1]}')
    if p[0] < 0 or p[1] < 0:
        raise RuntimeError(f'padding should be non-negative, but got pad_height: {p[0]} '
                           f'pad_width: {p[1]}')
    return k, d, p, s


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extracts sliding blocks: (N, C, H, W) -> (N, C*kh*kw, L), L the number of blocks."""
    k, d, p, s = _unfold_args(kernel_size, dilation, padding, stride)
    nd = input.dim()
    if nd < 3:
        # PyTorch reads the input's dims 1 and 2 before checking its rank.
        bad = 2 if nd == 2 else 1
        raise IndexError(f'Dimension out of range (expected to be in range of [{-max(nd, 1)}, '
                         f'{max(nd, 1) - 1}], but got {bad})')
    if nd != 4 and nd != 3 or 0 in input._data.shape[-3:]:
        raise RuntimeError(f'Expected 3D or 4D (batch mode) tensor with possibly 0 batch size '
                           f'and other non-zero dimensions for input, but got: '
                           f'{list(input.shape)}')
    h, w = input._data.shape[-2:]
    oh = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (w + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    if oh < 1 or ow < 1:
        raise RuntimeError(f'Given input with spatial size ({h}, {w}), kernel_size={k}, '
                           f'dilation={d}, padding={p}, calculated shape of the array of '
                           f'sliding blocks as ({oh}, {ow}), but its components must be at '
                           f'least one.')
    return Unfold(k, d, p, s).apply1(input)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sums sliding blocks back into an image: (N, C*kh*kw, L) -> (N, C, H, W)."""
    size = _pair4('output_size', output_size)
    k, d, p, s = _unfold_args(kernel_size, dilation, padding, stride)
    if input.dim() not in (2, 3) or 0 in input._data.shape[-2:]:
        raise RuntimeError(f'Expected 2D or 3D (batch mode) tensor for input with possibly 0 '
                           f'batch size and non-zero dimensions for input, but got: '
                           f'{list(input.shape)}')
    ckk, nl = input._data.shape[-2:]
    if ckk % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={ckk} and "
                           f"kernel_size={k}.")
    oh = (size[0] + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (size[1] + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    if oh * ow != nl:
        raise RuntimeError(f"Given output_size={size}, kernel_size={k}, dilation={d}, "
                           f"padding={p}, stride={s}, expected size of input's dimension 2 "
                           f"to match the calculated number of sliding blocks {oh} * {ow} = "
                           f"{oh * ow}, but got input.size(2)={nl}.")
    return Fold(size, k, d, p, s).apply1(input)
