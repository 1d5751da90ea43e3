"""Convolutions: conv1d/conv2d, their transposes, and unfold/fold (im2col/col2im).

Every convolution is one op (``ConvolutionBackward0``): im2col through a strided view of
the zero-padded input and GEMMs with the weight, one product per gradient in backward.
Details that measured faster here:

- Columns are built channels last, one row (i, j, c) per output position, copied from an
  (N, H, W, C) copy of the input in runs of kw*C elements; layers whose output rows are
  longer than that (C=1 input layers) use NCHW columns ((c, i, j) x positions, runs of
  OW), and 1x1 convolutions use the input itself as their columns.
- The GEMMs are batched per sample (and per block of rows), small enough for OpenBLAS's
  unpacked small-matrix kernels; the NCHW gradient gy enters them as it is.
- The batch is processed a few samples at a time, so a chunk's columns are built, used
  and scattered back while in cache, into reused work buffers; backward rebuilds the
  columns instead of keeping them all. The batch is split between the intra-op threads
  (_parallel.py).
- A stride-1 'same' convolution's backward builds columns of gy only: its input gradient
  is a convolution of gy with the flipped kernel (no col2im scatter), and the same columns
  times the input give the weight gradient. Other convolutions get their input gradient
  by col2im done batch-last, (C, H, W, N), whose shifted adds move runs of W*N elements.
- Transposed convolutions hold their input batch-last too, for the col2im of their
  forward.


conv1d runs as conv2d with a height-1 kernel; unbatched inputs as a batch of one.
"""
from __future__ import annotations

import functools
import math
import threading
import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._tensor import Tensor
from ._op import Op, LinearAdjoint
from ._parallel import in_parallel, sum_parts
from .padding import pad as _pad

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


def _from_chwn(g: np.ndarray, pt: int, pl: int, h: int, w: int, out=None) -> np.ndarray:
    """The (N, C, h, w) block of a (C, H, W, N) array starting at row pt, column pl (into
    ``out`` if given)."""
    c, n = g.shape[0], g.shape[3]
    if out is None:
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


# Tensor.toString() of a CPU tensor, which PyTorch's oneDNN dtype check prints, and the C
# type names of its other checks
_LEGACY_TYPES = {'float32': 'torch.FloatTensor', 'float64': 'torch.DoubleTensor',
                 'float16': 'torch.HalfTensor', 'int64': 'torch.LongTensor',
                 'int32': 'torch.IntTensor', 'int16': 'torch.ShortTensor',
                 'int8': 'torch.CharTensor', 'uint8': 'torch.ByteTensor', 'bool': 'CPUBoolType'}
_C_TYPES = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half',
            'int64': 'long int', 'int32': 'int', 'int16': 'short int', 'int8': 'signed char',
            'uint8': 'unsigned char', 'bool': 'bool'}


def _uses_onednn(xshape: tuple, wshape: tuple, stride, dilation, groups: int) -> bool:
    """Whether PyTorch's CPU convolution would take its oneDNN backend for a float32 input
    (ConvParams::use_mkldnn), which words the weight-dtype check its own way.

    ``xshape`` is batched; a 1-d conv is seen as a 2-d one over (N, C, 1, L)."""
    from .._threads import get_num_threads
    n = xshape[0]
    kw = wshape[-1]
    kh = wshape[-2] if len(wshape) > 3 else 1
    x4 = (xshape[:2] + (1,) + xshape[2:] if len(xshape) == 3 else xshape)[:4]
    if not (any(v != 1 for v in stride) or any(v != 1 for v in dilation) or n >= 16
            or kw != 1 or kh != 1 or get_num_threads() > 1):
        return False
    return groups > 1 or (kw > 3 and kh > 3) or n > 1 or math.prod(x4) > 20480


def _check_dtypes(x: Tensor, w: Tensor, b: Tensor | None, batched: bool, stride, dilation,
                  groups: int) -> None:
    """PyTorch's dtype checks of a convolution, in its order: bias, then weight."""
    xd, wd = x._data.dtype, w._data.dtype
    if b is not None and b._data.dtype != xd:
        raise RuntimeError(f'Input type ({_C_TYPES[xd.name]}) and bias type '
                           f'({_C_TYPES[b._data.dtype.name]}) should be the same')
    if xd != wd:
        xshape = x._data.shape if batched else (1,) + x._data.shape
        if xd == np.float32 and _uses_onednn(xshape, w._data.shape, stride, dilation, groups):
            raise RuntimeError(f'Input type (torch.FloatTensor) and weight type '
                               f'({_LEGACY_TYPES[wd.name]}) should be the same or input '
                               f'should be a MKLDNN tensor and weight is a dense tensor')
        raise RuntimeError(f'expected scalar type {_DT_WORDS[xd.name]} but found '
                           f'{_DT_WORDS[wd.name]}')


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
    _check_dtypes(input, weight, bias, batched, stride, dilation, groups)
    if input._data.dtype == np.bool_:
        kernel = 'slow_conv_transpose2d_out_cpu' if transposed else 'slow_conv2d_cpu'
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
    return batched, stride, pads, dilation


# -- convolution -----------------------------------------------------------------------------
# The conv works through the batch a few samples at a time (a few output rows at a time
# when one sample is bigger than a chunk), so that a chunk's columns are built, multiplied
# and scattered back while they are in cache; backward rebuilds them instead of keeping
# them all. Measured here, chunks of 2-4 MiB of columns beat both much smaller ones and
# whole-batch column matrices.
_CHUNK = 1 << 20  # column-matrix elements per chunk
_SCRATCH_MAX = 1 << 22  # elements; bigger work arrays are not kept between calls
# NOTE: OpenBLAS multiplies matrices with M*N*K up to about 1e6 with unpacked "small
# matrix" kernels, which measured ~100 GFLOP/s on these conv shapes against 40-70 for the
# same work as one big packed GEMM. So the products below are batched GEMMs over samples,
# and over blocks of each sample's rows where one sample's product is larger than that
# (see _rows_per_gemm).
_SMALL_GEMM = 1 << 20
_CONCAT_ROWS = 32  # fewer rows per small GEMM: one packed GEMM (_sum_of_products)
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


def _rows_per_gemm(m: int, kn: int) -> int:
    """How many of a sample's m rows one GEMM takes when the other two GEMM dimensions
    multiply to kn: the most that keep it a small-matrix product (all m when even 16 rows
    would not be small: big layers run well as one packed GEMM)."""
    most = _SMALL_GEMM // max(kn, 1)
    if m <= most or most < 16:
        return m
    return _divisor_at_most(m, most)


@functools.lru_cache(maxsize=1024)
def _divisor_at_most(m: int, most: int) -> int:
    """The largest divisor of m that is at most ``most``."""
    best = 1
    d = 1
    while d * d <= m:
        if m % d == 0:
            if d <= most:
                best = max(best, d)
            if m // d <= most:
                best = max(best, m // d)
        d += 1
    return best


class _ConvGeo:
    """The shape of one convolution: input (n, c, h, w), weight (o, c/g, kh, kw), output
    (n, o, oh, ow), and the layout its columns are built in (``nhwc``)."""
    __slots__ = ('n', 'c', 'h', 'w', 'o', 'g', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw',
                 'pt', 'pb', 'pl', 'pr', 'oh', 'ow', 'nhwc', 'pointwise', 'rowwise')

    def __init__(self, n, c, h, w, o, g, kh, kw, stride, pads, dilation):
        self.n, self.c, self.h, self.w = n, c, h, w
        self.o, self.g, self.kh, self.kw = o, g, kh, kw
        (self.sh, self.sw), (self.dh, self.dw) = stride, dilation
        (self.pt, self.pb), (self.pl, self.pr) = pads
        self.oh = (h + self.pt + self.pb - self.dh * (kh - 1) - 1) // self.sh + 1
        self.ow = (w + self.pl + self.pr - self.dw * (kw - 1) - 1) // self.sw + 1
        self.pointwise = (kh == 1 and kw == 1 and self.sh == 1 and self.sw == 1
                          and not any(pads[0]) and not any(pads[1]))
        # NOTE: the layout whose column copies move the longer contiguous runs: channels
        # last gives runs of kw*C/g (one kernel row over all channels), NCHW runs of ow
        # (one output row). A 1x1 conv's columns in NCHW are the input itself.
        run_nhwc = kw * (c // g) if self.dw == 1 else c // g
        run_nchw = self.ow if self.sw == 1 else 1
        self.nhwc = not self.pointwise and run_nhwc >= run_nchw
        # NOTE: stride-1 channels-last columns are built for one kernel row only, over
        # every input row the output rows need, and the kernel rows become kh products
        # with K = kw*C/g over row-shifted slices of them (summed): a copy kh times
        # smaller for the same multiply-adds, measured 5-15% faster on 3x3 and 5x5
        # layers. Outputs of under 32 positions keep whole columns (their products are
        # gathered across samples, which the shifted slices do not allow).
        self.rowwise = (self.nhwc and self.sh == 1 and kh > 1
                        and self.oh * self.ow >= _CONCAT_ROWS)

    @property
    def kg(self) -> int:
        """Columns per group: (C/g)*kh*kw."""
        return self.c // self.g * self.kh * self.kw

    def chunks(self, n0: int, n1: int, rows: int, per_row: int):
        """(a, b, r0, r1): samples [a, b) of [n0, n1), rows [r0, r1) of each sample's
        ``rows``, about _CHUNK columns at a time."""
        per_sample = per_row * rows
        if per_sample <= _CHUNK:
            count = -(-(n1 - n0) * per_sample // _CHUNK)  # chunks of equal size
            step = max(1, -(-(n1 - n0) // max(count, 1)))
            for a in range(n0, n1, step):
                yield a, min(n1, a + step), 0, rows
        else:
            step = max(1, _CHUNK // max(per_row, 1))
            for a in range(n0, n1):
                for r in range(0, rows, step):
                    yield a, a + 1, r, min(rows, r + step)

    def key(self) -> tuple:
        """The sizes that tell this convolution apart (the batch size aside)."""
        return (self.c, self.h, self.w, self.o, self.g, self.kh, self.kw, self.sh, self.sw,
                self.dh, self.dw, self.pt, self.pb, self.pl, self.pr)

    def work(self) -> int:
        """Multiply-adds of the convolution."""
        return self.n * self.oh * self.ow * self.o * self.kg


def _padded_empty(x: np.ndarray, geo: _ConvGeo) -> np.ndarray:
    """The array _cols reads for input ``x``: channels last (N, Hp, Wp, C) or NCHW
    (N, C, Hp, Wp), zero-padded, filled in by _fill_padded. An unpadded NCHW input is
    used as it is."""
    pt, pb, pl, pr = geo.pt, geo.pb, geo.pl, geo.pr
    n, c, h, w = x.shape
    if geo.nhwc:
        return np.empty((n, h + pt + pb, w + pl + pr, c), x.dtype)
    if pt or pb or pl or pr:
        return np.empty((n, c, h + pt + pb, w + pl + pr), x.dtype)
    return x


def _fill_padded(xp: np.ndarray, x: np.ndarray, geo: _ConvGeo, n0: int, n1: int) -> None:
    """Copies samples [n0, n1) of NCHW ``x`` into ``xp`` and zeroes their padding."""
    if xp is x:
        return
    pt, pl, h, w = geo.pt, geo.pl, x.shape[2], x.shape[3]
    if geo.nhwc:
        _zero_border(xp[n0:n1], 1, pt, geo.pb, pl, geo.pr)
        xp[n0:n1, pt:pt + h, pl:pl + w] = x[n0:n1].transpose(0, 2, 3, 1)
    else:
        _zero_border(xp[n0:n1], 2, pt, geo.pb, pl, geo.pr)
        xp[n0:n1, :, pt:pt + h, pl:pl + w] = x[n0:n1]


def _view(a: np.ndarray, start: tuple, shape: tuple, strides: tuple) -> np.ndarray:
    """The read-only view ``as_strided(a[start], shape, strides)``, built without
    as_strided's ~3 us of Python per call where ``a`` is one contiguous block."""
    if not a.flags.c_contiguous:
        return as_strided(a[tuple(slice(i, None) for i in start)], shape, strides,
                          writeable=False)
    offset = 0
    for i, st in zip(start, a.strides):
        offset += i * st
    v = np.ndarray(shape, a.dtype, a, offset, strides)
    v.flags.writeable = False
    return v


def _cols(xp: np.ndarray, geo: _ConvGeo, n0: int, n1: int, r0: int, r1: int) -> np.ndarray:
    """The columns of output rows [r0, r1) of samples [n0, n1), per group: channels last
    (nb, g, m, Kg) with Kg ordered (i, j, c), else (nb, g, Kg, m) ordered (c, i, j);
    m = (r1 - r0) * ow output positions. Row-wise geometries (``geo.rowwise``) get
    (nb, g, nr * ow, kw * C/g) instead: one kernel row's columns for the nr input rows
    the output rows read, ordered (j, c) -- kernel row i's columns are the m rows from
    row i*dh*ow on."""
    g, kh, kw, sh, sw, dh, dw, ow = geo.g, geo.kh, geo.kw, geo.sh, geo.sw, geo.dh, geo.dw, geo.ow
    nb, rows = n1 - n0, r1 - r0
    if geo.pointwise:
        return xp[n0:n1].reshape(nb, g, -1, geo.h * geo.w)[..., r0 * ow:r1 * ow]
    s0, s1, s2, s3 = xp.strides
    if geo.rowwise:
        cg = xp.shape[3] // g
        nr = rows + (kh - 1) * dh
        v = _view(xp, (n0, r0), (nb, g, nr, ow, kw, cg),
                  (s0, s3 * cg, s1, s2 * sw, s2 * dw, s3))
    elif geo.nhwc:
        cg = xp.shape[3] // g
        v = _view(xp, (n0, r0 * sh), (nb, g, rows, ow, kh, kw, cg),
                  (s0, s3 * cg, s1 * sh, s2 * sw, s1 * dh, s2 * dw, s3))
    else:
        cg = xp.shape[1] // g
        v = _view(xp, (n0, 0, r0 * sh), (nb, g, cg, kh, kw, rows, ow),
                  (s0, s1 * cg, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw))
    out = _scratch(0, v.shape, xp.dtype)
    np.copyto(out, v)
    if geo.rowwise:
        return out.reshape(nb, g, nr * ow, kw * cg)
    return out.reshape((nb, g, rows * ow, -1) if geo.nhwc else (nb, g, -1, rows * ow))


def _kernel_rows(cols: np.ndarray, geo: _ConvGeo, m: int):
    """(i, kernel row i's (nb, g, m, kw*C/g) columns) of row-wise columns."""
    step = geo.dh * geo.ow
    for i in range(geo.kh):
        yield i, cols[:, :, i * step:i * step + m]


def _gemm_weights(W: np.ndarray, geo: _ConvGeo) -> np.ndarray:
    """W (O, C/g, kh, kw) as per-group matrices in the order of the columns: channels last
    (g, Kg, O/g), else (g, O/g, Kg)."""
    g, o = geo.g, geo.o
    if geo.nhwc:
        Wt = W.reshape(g, o // g, -1, geo.kh, geo.kw).transpose(0, 3, 4, 2, 1)
        return np.ascontiguousarray(Wt).reshape(g, -1, o // g)
    return W.reshape(g, o // g, -1)


def _blocked(a: np.ndarray, mb: int, axis: int) -> np.ndarray:
    """``a`` with its row axis (length m, at ``axis`` = -2 or -1) split into m/mb blocks of
    mb, the block index moved in front of the last two axes."""
    if axis == -2:
        return a.reshape(a.shape[:-2] + (-1, mb, a.shape[-1]))
    s = a.shape
    return a.reshape(s[:-1] + (-1, mb)).swapaxes(-2, -3)


def _conv_chunk(cols: np.ndarray, Wg: np.ndarray, y: np.ndarray, b, geo: _ConvGeo,
                n0: int, n1: int, r0: int, r1: int) -> None:
    """y[n0:n1, :, r0:r1] = the chunk's columns times the weights (+ b), y being NCHW."""
    g, o, ow = geo.g, geo.o, geo.ow
    og = o // g
    nb, rows = n1 - n0, r1 - r0
    m = rows * ow
    if geo.rowwise:
        k = cols.shape[-1]
        mb = _rows_per_gemm(m, k * og)
        ym = _scratch(1, (nb, g, m, og), y.dtype)
        for i, ci in _kernel_rows(cols, geo, m):
            out = ym if i == 0 else _scratch(6, (nb, g, m, og), y.dtype)
            np.matmul(_blocked(ci, mb, -2), Wg[:, None, i * k:(i + 1) * k],
                      out=_blocked(out, mb, -2))
            if i:
                ym += out
    elif geo.nhwc:
        mb = _rows_per_gemm(m, Wg.shape[1] * Wg.shape[2])
        ym = _scratch(1, (nb, g, m, og), y.dtype)
        np.matmul(_blocked(cols, mb, -2), Wg[:, None], out=_blocked(ym, mb, -2))
    if geo.nhwc:
        # The chunk goes to NCHW (and gets its bias) while it is in cache.
        yv = ym.reshape(nb, g, rows, ow, og).transpose(0, 1, 4, 2, 3).reshape(nb, o, rows, ow)
        if b is None:
            y[n0:n1, :, r0:r1] = yv
        else:
            np.add(yv, b[:, None, None], out=y[n0:n1, :, r0:r1])
        return
    full = rows == geo.oh
    mb = _rows_per_gemm(m, Wg.shape[1] * Wg.shape[2])
    ym = y[n0:n1].reshape(nb, g, og, m) if full else _scratch(1, (nb, g, og, m), y.dtype)
    np.matmul(Wg[:, None], _blocked(cols, mb, -1), out=_blocked(ym, mb, -1))
    if not full:
        y[n0:n1, :, r0:r1] = ym.reshape(nb, o, rows, ow)
    if b is not None:
        y[n0:n1, :, r0:r1] += b[:, None, None]


# -- threads -----------------------------------------------------------------------------
# Convolutions split their batch between the intra-op threads (see _parallel.py); the
# small-matrix GEMMs above run in the calling thread. Less work than this (multiply-adds)
# is not worth a thread hand-off, and convolutions with big GEMMs stay in one thread:
# OpenBLAS threads those itself.
_PARALLEL_MIN = 1 << 23


def _split(geo: _ConvGeo, work: int) -> bool:
    """Whether a kernel of ``work`` multiply-adds on this geometry splits its batch."""
    return work >= _PARALLEL_MIN and (geo.o // geo.g) * geo.kg * 16 <= _SMALL_GEMM


# -- the convolution kernels ---------------------------------------------------------------
def _conv_forward(x: np.ndarray, Wg: np.ndarray, b, geo: _ConvGeo):
    """The convolution of NCHW ``x`` with weights laid out by _gemm_weights: returns the
    NCHW output and the padded input the columns were built from."""
    xp = _padded_empty(x, geo)
    y = np.empty((geo.n, geo.o, geo.oh, geo.ow), np.result_type(x, Wg))

    def part(n0, n1):
        _fill_padded(xp, x, geo, n0, n1)
        for a, e, r0, r1 in geo.chunks(n0, n1, geo.oh, geo.ow * geo.kg * geo.g):
            _conv_chunk(_cols(xp, geo, a, e, r0, r1), Wg, y, b, geo, a, e, r0, r1)

    in_parallel(part, geo.n, _split(geo, geo.work()), geo.key())
    return y, xp


def _weight_grad_layout(gWg: np.ndarray, geo: _ConvGeo) -> np.ndarray:
    """Per-group (g, O/g, Kg) weight-gradient matrices in column order -> (O, C/g, kh, kw)."""
    g, og, cg = geo.g, geo.o // geo.g, geo.c // geo.g
    if geo.nhwc:
        gWg = gWg.reshape(g, og, geo.kh, geo.kw, cg).transpose(0, 1, 4, 2, 3)
    return np.ascontiguousarray(gWg).reshape(geo.o, cg, geo.kh, geo.kw)


def _sum_of_products(a: np.ndarray, cols: np.ndarray, geo: _ConvGeo) -> np.ndarray:
    """The sum over samples of a[n] @ cols[n], per group: ``a`` (nb, g, p, m) times
    columns (nb, g, m, K) (channels last) or (nb, g, K, m); returns (g, p, K). Row-wise
    columns give the K = kh*kw*C/g columns one kernel row at a time."""
    if not geo.rowwise:
        return _products_summed(a, cols, geo.nhwc)
    k = cols.shape[-1]
    out = np.empty(a.shape[1:3] + (geo.kh * k,), a.dtype)
    for i, ci in _kernel_rows(cols, geo, a.shape[3]):
        out[:, :, i * k:(i + 1) * k] = _products_summed(a, ci, True)
    return out


def _products_summed(a: np.ndarray, cols: np.ndarray, nhwc: bool) -> np.ndarray:
    """_sum_of_products of whole columns, channels last or not."""
    nb, g, p, m = a.shape
    k = cols.shape[-1] if nhwc else cols.shape[-2]
    mb = _rows_per_gemm(m, p * k)
    if mb < _CONCAT_ROWS and nhwc:
        # NOTE: small GEMMs of so few rows (large K, small p, or small images) run at
        # half speed; one packed GEMM over all the chunk's rows instead, with ``a``
        # transposed to (g, p, rows) for it.
        at = _scratch(5, (g, p, nb, m), a.dtype)
        np.copyto(at, a.transpose(1, 2, 0, 3))
        return np.matmul(at.reshape(g, p, nb * m), cols.swapaxes(0, 1).reshape(g, nb * m, k))
    ab = _blocked(a, mb, -1)  # (nb, g, m/mb, p, mb)
    if nhwc:
        part = np.matmul(ab, _blocked(cols, mb, -2))
    else:
        part = np.matmul(ab, _blocked(cols, mb, -1).swapaxes(-1, -2))
    return part.sum((0, 2))


def _weight_grad_part(x_pad: np.ndarray, gy: np.ndarray, geo: _ConvGeo, n0: int, n1: int):
    """Samples [n0, n1)'s share of the weight gradient gy @ cols, per group (g, O/g, Kg),
    chunk by chunk with the columns rebuilt from the padded input (None if no samples)."""
    g, og, ow = geo.g, geo.o // geo.g, geo.ow
    gy4 = gy.reshape(geo.n, g, og, geo.oh * ow)
    gW = None
    for a, e, r0, r1 in geo.chunks(n0, n1, geo.oh, ow * geo.kg * g):
        part = _sum_of_products(gy4[a:e, :, :, r0 * ow:r1 * ow],
                                _cols(x_pad, geo, a, e, r0, r1), geo)
        gW = part if gW is None else gW.__iadd__(part)
    return gW


# Rows of W^T per GEMM in _input_grad_part: a block of W^T rows times a block of gy
# columns keeps each product a small-matrix one (see _SMALL_GEMM) when C*kh*kw is large.
_COL2IM_ROWS = 400


def _input_grad_part(gy: np.ndarray, WT: np.ndarray, gx: np.ndarray, geo: _ConvGeo,
                     n0: int, n1: int) -> None:
    """gx[n0:n1] = col2im(W^T @ gy[n0:n1]), the input gradient of any convolution, with
    ``WT`` the weight as (g, C/g*kh*kw / kb, 1, kb, O/g) blocks of W^T.

    NOTE: done batch-last, gy as (O, oh, ow, n) and the gradient as (C, Hp, Wp, n): the
    kh*kw shifted adds of col2im then move runs of ow*n elements. With channels-last
    columns they would move runs of C, which measured 1.1-1.5x slower overall."""
    g, c, kh, kw = geo.g, geo.c, geo.kh, geo.kw
    sh, sw, dh, dw, oh, ow = geo.sh, geo.sw, geo.dh, geo.dw, geo.oh, geo.ow
    og, kg, kb, n = geo.o // g, geo.kg, WT.shape[3], n1 - n0
    gyt = _to_chwn(gy[n0:n1], 0, 0, 0, 0)
    gp = _scratch(3, (c, geo.h + geo.pt + geo.pb, geo.w + geo.pl + geo.pr, n), gy.dtype)
    gp.fill(0)
    rows = max(1, _CHUNK // max(kg * g * ow * n, 1))
    for r0 in range(0, oh, rows):
        r1 = min(oh, r0 + rows)
        m = (r1 - r0) * ow * n
        # (a power of two where one fits: measured up to 1.3x faster than other sizes)
        most = max(1, _SMALL_GEMM // (og * kb))
        cb = math.gcd(m, 1 << (most.bit_length() - 1))
        if 2 * cb <= most:
            cb = _divisor_at_most(m, most)
        gc = _scratch(4, (g, kg, m), gy.dtype)
        # (g, kg/kb, m/cb, kb, cb) blocks of W^T @ gy, written in place into gc (g, kg, m)
        np.matmul(WT, gyt[:, r0:r1].reshape(g, 1, og, m // cb, cb).swapaxes(2, 3),
                  out=gc.reshape(g, kg // kb, kb, m // cb, cb).swapaxes(2, 3))
        g6 = gc.reshape(c, kh, kw, r1 - r0, ow, n)
        top, he, we = r0 * sh, sh * (r1 - r0 - 1) + 1, sw * (ow - 1) + 1
        for i in range(kh):
            for j in range(kw):
                gp[:, top + i * dh:top + i * dh + he:sh, j * dw:j * dw + we:sw] += g6[:, i, j]
    _from_chwn(gp, geo.pt, geo.pl, geo.h, geo.w, out=gx[n0:n1])


def _backward_via_cols(x_pad: np.ndarray, W: np.ndarray, gy: np.ndarray, geo: _ConvGeo,
                       need_x: bool, need_w: bool):
    """The gradients of any convolution: gy @ cols (the columns rebuilt from the padded
    input) and col2im(W^T @ gy)."""
    g, og, kg = geo.g, geo.o // geo.g, geo.kg
    gx = WT = None
    if need_x:
        gx = np.empty((geo.n, geo.c, geo.h, geo.w), gy.dtype)
        kb = _divisor_at_most(kg, _COL2IM_ROWS)
        WT = np.ascontiguousarray(W.reshape(g, og, kg).transpose(0, 2, 1))
        WT = WT.reshape(g, kg // kb, 1, kb, og)

    def part(n0, n1):
        if need_x and n1 > n0:
            _input_grad_part(gy, WT, gx, geo, n0, n1)
        return _weight_grad_part(x_pad, gy, geo, n0, n1) if need_w else None

    gW = sum_parts(in_parallel(part, geo.n, _split(geo, geo.work() * (need_x + need_w)),
                               (geo.key(), need_x, need_w)))
    if need_w:
        if gW is None:  # an empty batch
            gW = np.zeros((g, og, kg), gy.dtype)
        gW = _weight_grad_layout(gW, geo)
    return gx, gW


def _full_geometry(geo: _ConvGeo):
    """For a stride-1 conv whose output is about as large as its input ('same' padding):
    the geometry of the input gradient as a convolution of gy, or None."""
    pads = (geo.dh * (geo.kh - 1) - geo.pt, geo.dh * (geo.kh - 1) - geo.pb,
            geo.dw * (geo.kw - 1) - geo.pl, geo.dw * (geo.kw - 1) - geo.pr)
    if (geo.sh != 1 or geo.sw != 1 or geo.pointwise or min(pads) < 0
            or 2 * geo.h * geo.w > 3 * geo.oh * geo.ow):
        return None
    return _ConvGeo(geo.n, geo.o, geo.oh, geo.ow, geo.c, geo.g, geo.kh, geo.kw, (1, 1),
                    (pads[:2], pads[2:]), (geo.dh, geo.dw))


def _backward_via_gy_cols(x: np.ndarray, W: np.ndarray, gy: np.ndarray, geo: _ConvGeo,
                          fgeo: _ConvGeo, need_x: bool, need_w: bool):
    """Both gradients of a stride-1 'same'-like convolution from one set of columns: those
    of gy padded by d*(k-1)-p.

    NOTE: gx is then the convolution of gy with the kernel flipped and its in/out channels
    swapped, Wf[c, o, i, j] = W[o, c, kh-1-i, kw-1-j]: a GEMM with O*kh*kw inner products
    and no col2im scatter. The same columns give the weight gradient, since
    sum_{y,x} x[c, y, x] * gy_pad[o, y+i', x+j'] = gW[o, c, kh-1-i', kw-1-j']: the
    columns of x need not be rebuilt."""
    g, og, cg = geo.g, geo.o // geo.g, geo.c // geo.g
    kh, kw, h, w = geo.kh, geo.kw, geo.h, geo.w
    Wf = W.reshape(g, og, cg, kh, kw)[:, :, :, ::-1, ::-1].transpose(0, 2, 1, 3, 4)
    Wfg = _gemm_weights(Wf.reshape(geo.c, og, kh, kw), fgeo)
    gp = _padded_empty(gy, fgeo)
    gx = np.empty((geo.n, geo.c, h, w), gy.dtype) if need_x else None
    x4 = x.reshape(geo.n, g, cg, h * w)

    def part(n0, n1):
        _fill_padded(gp, gy, fgeo, n0, n1)
        gWf = None
        for a, e, r0, r1 in fgeo.chunks(n0, n1, h, w * fgeo.kg * g):
            cols = _cols(gp, fgeo, a, e, r0, r1)
            if need_x:
                _conv_chunk(cols, Wfg, gx, None, fgeo, a, e, r0, r1)
            if need_w:
                p = _sum_of_products(x4[a:e, :, :, r0 * w:r1 * w], cols, fgeo)
                gWf = p if gWf is None else gWf.__iadd__(p)
        return gWf

    gWf = sum_parts(in_parallel(part, geo.n, _split(fgeo, geo.work() * (need_x + need_w)),
                                (geo.key(), need_x, need_w)))
    gW = None
    if need_w:
        if gWf is None:  # an empty batch
            gWf = np.zeros((g, cg, fgeo.kg), gy.dtype)
        # gWf (g, cg, Kg') in the flipped conv's column order -> (o, cg, kh, kw), unflipped.
        if fgeo.nhwc:
            gW = gWf.reshape(g, cg, kh, kw, og).transpose(0, 4, 1, 2, 3)
        else:
            gW = gWf.reshape(g, cg, og, kh, kw).transpose(0, 2, 1, 3, 4)
        gW = np.ascontiguousarray(gW[..., ::-1, ::-1]).reshape(geo.o, cg, kh, kw)
    return gx, gW


# -- double backward: the gradients as differentiable convolutions -----------------------
def _weight_grad_t(inp: Tensor, other: Tensor, k: tuple, stride: tuple, dilation: tuple,
                   groups: int) -> Tensor:
    """sum over samples and positions of ``other`` times the windows of ``inp`` (already
    padded), per group: the weight gradient (other's channels, inp's channels / groups,
    *k) as a convolution of ``inp`` by ``other``, the samples as its input channels and
    stride and dilation trading places."""
    n, c, hp, wp = inp.shape
    o, oh, ow = other.shape[1:]
    cg, og = c // groups, o // groups
    x = inp.reshape(n, groups, cg, hp, wp).permute(2, 1, 0, 3, 4).reshape(cg, groups * n, hp, wp)
    w = other.reshape(n, groups, og, oh, ow).permute(1, 2, 0, 3, 4).reshape(o, n, oh, ow)
    out = conv2d(x, w, None, stride=dilation, dilation=stride, groups=groups)
    return out[:, :, :k[0], :k[1]].permute(1, 0, 2, 3)


def _lift(t: Tensor, nd: int) -> Tensor:
    """A conv1d operand as the height-1 conv2d one."""
    return t.unsqueeze(2) if nd == 1 else t


def _drop(t: Tensor | None, nd: int) -> Tensor | None:
    return t.squeeze(2) if nd == 1 and t is not None else t


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
        o, _, kh, kw = W.shape
        self.geo = geo = _ConvGeo(n, c, h, w, o, self.groups, kh, kw, stride, pads, dil)
        Wg = _gemm_weights(W, geo)
        y, xp = _conv_forward(x, Wg, b, geo)
        self.saved = (x, W, xp, Wg)
        if nd == 1:
            y = y.reshape(n, o, geo.ow)
        return y

    def backward(self, gy):
        x, W, xp, Wg = self.saved
        geo = self.geo
        need_x, need_w = self.needs[0], self.needs[1]
        need_b = len(self.needs) > 2 and self.needs[2]
        gy = gy.reshape(geo.n, geo.o, geo.oh, geo.ow)
        # (summing over the batch first adds whole contiguous rows: 4x faster than
        # reducing axes (0, 2, 3) at once)
        gb = gy.reshape(geo.n, geo.o, geo.oh * geo.ow).sum(0).sum(1) if need_b else None
        fgeo = _full_geometry(geo) if need_x else None
        if fgeo is not None:
            gx, gW = _backward_via_gy_cols(x, W.reshape(geo.o, -1, geo.kh, geo.kw), gy, geo,
                                           fgeo, need_x, need_w)
        else:
            gx, gW = _backward_via_cols(xp, W, gy, geo, need_x, need_w)
        if gx is not None:
            gx = gx.reshape(self.xshape)
        if gW is not None:
            gW = gW.reshape(self.wshape)
        return gx, gW, gb

    def backward_t(self, gy):
        nd = self.nd
        x, W = _lift(self.inputs[0], nd), _lift(self.inputs[1], nd)
        gy = _lift(gy, nd)
        one, zero = ((1,), ((0, 0),)) if nd == 1 else ((), ())
        stride, pads, dil = one + self.stride, zero + self.pads, one + self.dilation
        (pt, pb), (pl, pr) = pads
        gx = gW = gb = None
        if self.needs[0]:
            # gx is the transposed convolution of gy (the adjoint), which covers the padded
            # input up to its last window: cropped to x (or zero-extended where the last
            # rows/columns fell in no window)
            gxp = conv_transpose2d(gy, W, None, stride, 0, 0, self.groups, dil)
            h, w = x.shape[2:]
            gx = _pad(gxp, (-pl, w + pl - gxp.shape[3], -pt, h + pt - gxp.shape[2]))
        if self.needs[1]:
            xp = _pad(x, (pl, pr, pt, pb)) if pt or pb or pl or pr else x
            gW = _weight_grad_t(xp, gy, W.shape[2:], stride, dil, self.groups)
        if len(self.needs) > 2 and self.needs[2]:
            gb = gy.sum((0, 2, 3))
        return _drop(gx, nd), _drop(gW, nd), gb


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
            gb = gy.reshape(n, cout, hout * wout).sum(0).sum(1)
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

    def backward_t(self, gy):
        nd = self.nd
        x, W = _lift(self.inputs[0], nd), _lift(self.inputs[1], nd)
        gy = _lift(gy, nd)
        one, zero = ((1,), (0,)) if nd == 1 else ((), ())
        stride, pad, dil = one + self.stride, zero + self.padding, one + self.dilation
        gx = gW = gb = None
        if self.needs[0]:
            # (an output_padding of at least the stride gives the conv a row more: cropped)
            gx = conv2d(gy, W, None, stride, pad, dil, self.groups)
            gx = gx[:, :, :x.shape[2], :x.shape[3]]
        if self.needs[1]:
            gyp = _pad(gy, (pad[1], pad[1], pad[0], pad[0])) if any(pad) else gy
            gW = _weight_grad_t(gyp, x, W.shape[2:], stride, dil, self.groups)
        if len(self.needs) > 2 and self.needs[2]:
            gb = gy.sum((0, 2, 3))
        return _drop(gx, nd), _drop(gW, nd), gb


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

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


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

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


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
