"""3-D convolutions: conv3d and conv_transpose3d, one ``ConvolutionBackward0`` node each.

A convolution is im2col plus one GEMM per group: a strided view of the zero-padded
input, (C, kd, kh, kw, N, OD, OH, OW), copied once into a (groups, C/g*kd*kh*kw, N*M)
column matrix, multiplied by the (groups, O/g, C/g*kd*kh*kw) weight in one batched
matmul. Columns are ordered batch-last (N*M on the GEMM's wide axis) so that every
group's product is a single GEMM over the whole batch. Its adjoint, col2im, sums the
column rows back with one strided add per kernel offset (a loop over kd*kh*kw offsets,
never over output positions) into a (C, N, D, H, W) array, and one transposing copy
puts the batch first again.

conv_transpose3d is the same pair used the other way round: forward is col2im of
W^T x, backward im2col of the output gradient. Backward rebuilds the columns from the
saved padded input instead of keeping them (they are kd*kh*kw times its size).
Double backward expresses the gradients as conv3d / conv_transpose3d calls.
"""
from __future__ import annotations

import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._tensor import Tensor
from ._op import Op
from .conv import _tuple, _same_pads, _check_dtypes
from .padding import pad as _pad

__all__ = ['conv3d', 'conv_transpose3d']

# -- im2col / col2im ---------------------------------------------------------------------------
def _im2col(xp: np.ndarray, groups: int, k: tuple, s: tuple, d: tuple,
            o: tuple) -> np.ndarray:
    """(N, C, Dp, Hp, Wp) -> (groups, C/groups*kd*kh*kw, N*od*oh*ow): row (c, i, j, l)
    holds kernel offset (i, j, l) of channel c for every (sample, output position)."""
    n, c = xp.shape[:2]
    sn, sc, sd, sh, sw = xp.strides
    v = as_strided(xp, (c,) + k + (n,) + o,
                   (sc, sd * d[0], sh * d[1], sw * d[2], sn, sd * s[0], sh * s[1], sw * s[2]),
                   writeable=False)
    return v.reshape(groups, c // groups * k[0] * k[1] * k[2], n * o[0] * o[1] * o[2])


def _col2im(cols: np.ndarray, c: int, n: int, full: tuple, k: tuple, s: tuple, d: tuple,
            o: tuple, out: np.ndarray | None = None) -> np.ndarray:
    """Adjoint of :func:`_im2col`: sums the column rows into a zeroed (C, N, *full) array
    (batch second, so that each kernel offset's add runs over long contiguous rows), or
    into ``out`` (zero-filled) if given."""
    if out is None:
        out = np.zeros((c, n) + full, cols.dtype)
    c8 = cols.reshape((c,) + k + (n,) + o)
    ed, eh, ew = (s[0] * (o[0] - 1) + 1, s[1] * (o[1] - 1) + 1, s[2] * (o[2] - 1) + 1)
    for i in range(k[0]):
        a = i * d[0]
        for j in range(k[1]):
            b = j * d[1]
            for m in range(k[2]):
                q = m * d[2]
                out[:, :, a:a + ed:s[0], b:b + eh:s[1], q:q + ew:s[2]] += c8[:, i, j, m]
    return out


# NOTE: the batch goes through im2col/col2im a few samples at a time, so that a chunk's
# columns (kd*kh*kw times its input) stay a few MiB: whole-batch columns of a real layer
# are hundreds of MiB, and the GEMMs on them measured 5-15x slower (memory-bound, page
# faults) than the same GEMMs chunk by chunk.
_CHUNK = 1 << 22  # column-matrix elements per chunk


def _chunks(n: int, per_sample: int):
    """(a, b) sample ranges covering [0, n), about _CHUNK column elements each."""
    step = max(1, _CHUNK // max(per_sample, 1))
    for a in range(0, n, step):
        yield a, min(n, a + step)


def _padded(x: np.ndarray, pads: tuple) -> np.ndarray:
    """``x`` (N, C, D, H, W) zero-padded by ((before, after),) * 3 (``x`` itself if none)."""
    if not any(p for pr in pads for p in pr):
        return x
    n, c, dd, hh, ww = x.shape
    (d0, d1), (h0, h1), (w0, w1) = pads
    out = np.zeros((n, c, dd + d0 + d1, hh + h0 + h1, ww + w0 + w1), x.dtype)
    out[:, :, d0:d0 + dd, h0:h0 + hh, w0:w0 + ww] = x
    return out


def _batch_first(a: np.ndarray, start: tuple, size: tuple) -> np.ndarray:
    """The (N, C, *size) block of a (C, N, ...) array from ``start``, as a new array."""
    v = a[:, :, start[0]:start[0] + size[0], start[1]:start[1] + size[1],
          start[2]:start[2] + size[2]]
    return np.ascontiguousarray(v.transpose(1, 0, 2, 3, 4))


def _group_rows(a: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, *sp) -> (groups, C/groups, N*prod(sp)): the GEMM operand of a batch-last
    product (one copy)."""
    n, c = a.shape[:2]
    m = a.shape[2] * a.shape[3] * a.shape[4]
    return a.reshape(n, c, m).transpose(1, 0, 2).reshape(groups, c // groups, n * m)


# -- argument checks -----------------------------------------------------------------------------
def _conv3d_args(name: str, input: Tensor, weight: Tensor, bias: Tensor | None, stride,
                 padding, dilation, groups: int, transposed: bool):
    """Validates a 3-D convolution call in PyTorch's order and words; returns
    (batched?, stride, ((before, after),) * 3, dilation)."""
    xdim = input.dim()
    if xdim not in (4, 5):
        raise RuntimeError(f'Expected 4D (unbatched) or 5D (batched) input to {name}, but '
                           f'got input of size: {list(input.shape)}')
    batched = xdim == 5
    wshape = tuple(weight._data.shape)
    stride = _tuple(stride, 3, 'stride')
    dilation = _tuple(dilation, 3, 'dilation')
    if weight.dim() != 5:
        if weight.dim() < 3:
            raise RuntimeError('weight should have at least three dimensions')
        raise RuntimeError(f'expected stride to be a single integer value or a list of '
                           f'{weight.dim() - 2} values to match the convolution dimensions, '
                           f'but got stride={list(stride)}')
    if isinstance(padding, str):
        if transposed:
            raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
        if padding == 'valid':
            pads = ((0, 0),) * 3
        elif padding == 'same':
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = _same_pads(wshape[2:], dilation)
            if any(d * (k - 1) % 2 for d, k in zip(dilation, wshape[2:])):
                warnings.warn("Using padding='same' with even kernel lengths and odd dilation "
                              'may require a zero-padded copy of the input be created')
        else:
            raise RuntimeError(f'Invalid padding string: \'{padding}\'')
    else:
        p = _tuple(padding, 3, 'padding')
        pads = tuple((q, q) for q in p)
    if any(s <= 0 for s in stride):
        raise RuntimeError('non-positive stride is not supported')
    if any(q < 0 for pr in pads for q in pr):
        raise RuntimeError('negative padding is not supported')
    if any(d <= 0 for d in dilation):
        raise RuntimeError('non-positive dilation is not supported')
    if groups <= 0:
        raise RuntimeError('non-positive groups is not supported')
    xs = tuple(input._data.shape) if batched else (1,) + tuple(input._data.shape)
    if wshape[0] % groups:
        raise RuntimeError(f'Given groups={groups}, expected weight to be divisible by '
                           f'{groups} at dimension 0, but got weight of size '
                           f'[{list(wshape)}] instead')
    if transposed:
        if xs[1] != wshape[0]:
            raise RuntimeError(f'Given transposed=1, weight of size {list(wshape)}, expected '
                               f'input{list(xs)} to have {wshape[0]} channels, but got '
                               f'{xs[1]} channels instead')
        nout = wshape[1] * groups
    else:
        if xs[1] != wshape[1] * groups:
            raise RuntimeError(f'Given groups={groups}, weight of size {list(wshape)}, '
                               f'expected input{list(xs)} to have {wshape[1] * groups} '
                               f'channels, but got {xs[1]} channels instead')
        padded = [xs[2 + i] + pads[i][0] + pads[i][1] for i in range(3)]
        ksz = [dilation[i] * (wshape[2 + i] - 1) + 1 for i in range(3)]
        if any(k > p for k, p in zip(ksz, padded)):
            raise RuntimeError(f'Calculated padded input size per channel: '
                               f'({" x ".join(map(str, padded))}). Kernel size: '
                               f'({" x ".join(map(str, ksz))}). Kernel size can\'t be greater '
                               f'than actual input size')
        nout = wshape[0]
    if bias is not None and (bias.dim() != 1 or bias._data.shape[0] != nout):
        head = 'Given transposed=1, weight' if transposed else 'Given weight'
        raise RuntimeError(f'{head} of size {list(wshape)}, expected bias to be '
                           f'1-dimensional with {nout} elements, but got bias of size '
                           f'{list(bias.shape)} instead')
    _check_dtypes(input, weight, bias, batched, stride, dilation, groups)
    if input._data.dtype == np.bool_:
        kernel = 'slow_conv_transpose3d_out_cpu' if transposed else 'compute_columns3d'
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
    if any(k <= 0 for k in wshape[2:]):
        if transposed:
            raise RuntimeError(f'non-empty 5D (n_output_plane x n_input_plane x kernel_depth '
                               f'x kernel_height x kernel_width) tensor expected for weight, '
                               f'but got: {list(wshape)}')
        raise RuntimeError('kernel size should be greater than zero, but got: '
                           + ' x '.join(map(str, wshape[2:])) + ' (TxHxW)')
    return batched, stride, pads, dilation


# -- convolution ---------------------------------------------------------------------------------
class Conv3d(Op):
    """y = conv3d(x, W) + b on (N, C, D, H, W) arrays."""
    _name = 'ConvolutionBackward0'
    checks = (0, 1)

    def __init__(self, stride: tuple, pads: tuple, dilation: tuple, groups: int):
        self.stride = stride
        self.pads = pads
        self.dilation = dilation
        self.groups = groups

    def forward(self, x, W, b=None):
        n, c = x.shape[:2]
        o = W.shape[0]
        k = W.shape[2:]
        s, d, g = self.stride, self.dilation, self.groups
        xp = _padded(x, self.pads)
        osz = tuple((xp.shape[2 + i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(3))
        m = osz[0] * osz[1] * osz[2]
        Wg = W.reshape(g, o // g, W.size // max(o, 1))
        y = np.empty((g, o // g, n * m), x.dtype)
        for n0, n1 in _chunks(n, c * k[0] * k[1] * k[2] * m):
            # (g, O/g, nb*M): one GEMM per group per chunk of samples
            np.matmul(Wg, _im2col(xp[n0:n1], g, k, s, d, osz), out=y[:, :, n0 * m:n1 * m])
        y = np.ascontiguousarray(y.reshape((o, n) + osz).transpose(1, 0, 2, 3, 4))
        if b is not None:
            y += b.reshape(1, o, 1, 1, 1)
        self.geo = (x.shape, W.shape, osz)
        self.saved = (xp, Wg)
        return y

    def backward(self, gy):
        xp, Wg = self.saved
        xshape, wshape, osz = self.geo
        s, d, g = self.stride, self.dilation, self.groups
        k = wshape[2:]
        n, c = xshape[:2]
        gx = gW = gb = None
        if len(self.needs) > 2 and self.needs[2]:
            gb = gy.sum((0, 2, 3, 4))
        gym = _group_rows(gy, g)  # (g, O/g, N*M)
        m = osz[0] * osz[1] * osz[2]
        full = np.zeros((c, n) + xp.shape[2:], gy.dtype) if self.needs[0] else None
        for n0, n1 in _chunks(n, c * k[0] * k[1] * k[2] * m):
            gyc = gym[:, :, n0 * m:n1 * m]
            if self.needs[1]:
                cols = _im2col(xp[n0:n1], g, k, s, d, osz)
                # (as (cols gy^T)^T: OpenBLAS runs this long-K product far faster that way)
                part = np.matmul(cols, gyc.transpose(0, 2, 1)).transpose(0, 2, 1)
                gW = part if gW is None else np.add(gW, part, out=gW)
            if self.needs[0]:
                gc = np.matmul(Wg.transpose(0, 2, 1), gyc)  # (g, C/g*K, nb*M)
                _col2im(gc, c, n1 - n0, xp.shape[2:], k, s, d, osz, full[:, n0:n1])
        if self.needs[1]:
            gW = np.zeros(wshape, gy.dtype) if gW is None else gW.reshape(wshape)
        if full is not None:
            gx = _batch_first(full, tuple(p[0] for p in self.pads), xshape[2:])
        return gx, gW, gb

    def backward_t(self, gy):
        x, W = self.inputs[0], self.inputs[1]
        s, d, g = self.stride, self.dilation, self.groups
        gx = gW = gb = None
        if self.needs[0]:
            # the transposed convolution covers the padded input up to its last window:
            # cropped to x, or zero-extended where its last planes fell in no window
            gxp = conv_transpose3d(gy, W, None, s, 0, 0, g, d)
            crop = []
            for i in (2, 1, 0):
                p0 = self.pads[i][0]
                crop += [-p0, x.shape[2 + i] + p0 - gxp.shape[2 + i]]
            gx = _pad(gxp, tuple(crop))
        if self.needs[1]:
            pads = tuple(v for i in (2, 1, 0) for v in self.pads[i])
            xp = _pad(x, pads) if any(pads) else x
            gW = _weight_grad_t(xp, gy, W.shape[2:], s, d, g)
        if len(self.needs) > 2 and self.needs[2]:
            gb = gy.sum((0, 2, 3, 4))
        return gx, gW, gb


def _weight_grad_t(inp: Tensor, other: Tensor, k: tuple, stride: tuple, dilation: tuple,
                   groups: int) -> Tensor:
    """The weight gradient (other's channels, inp's channels / groups, *k) as a
    differentiable conv3d of ``inp`` (already padded) by ``other``: the samples become
    the input channels, and stride and dilation trade places."""
    n, c = inp.shape[:2]
    sp = tuple(inp.shape[2:])
    o = other.shape[1]
    osp = tuple(other.shape[2:])
    cg, og = c // groups, o // groups
    x = inp.reshape((n, groups, cg) + sp).permute(2, 1, 0, 3, 4, 5).reshape(
        (cg, groups * n) + sp)
    w = other.reshape((n, groups, og) + osp).permute(1, 2, 0, 3, 4, 5).reshape((o, n) + osp)
    out = conv3d(x, w, None, stride=dilation, dilation=stride, groups=groups)
    return out[:, :, :k[0], :k[1], :k[2]].permute(1, 0, 2, 3, 4)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """3-D cross-correlation of ``input`` (N, C, D, H, W) or (C, D, H, W) with ``weight``
    (O, C/groups, kd, kh, kw); ``padding`` may be an int, a triple, 'valid' or 'same'."""
    batched, stride, pads, dilation = _conv3d_args('conv3d', input, weight, bias, stride,
                                                   padding, dilation, groups, False)
    op = Conv3d(stride, pads, dilation, groups)
    x = input if batched else input.unsqueeze(0)
    y = op.apply2(x, weight) if bias is None else op.apply(x, weight, bias)
    return y if batched else y.squeeze(0)


# -- transposed convolution ----------------------------------------------------------------------
class ConvTranspose3d(Op):
    """y = col2im(W^T x) (+ b): the adjoint of Conv3d with respect to its input."""
    _name = 'ConvolutionBackward0'
    checks = (0, 1)

    def __init__(self, stride: tuple, padding: tuple, output_padding: tuple, dilation: tuple,
                 groups: int):
        self.stride = stride
        self.padding = padding
        self.output_padding = output_padding
        self.dilation = dilation
        self.groups = groups

    def forward(self, x, W, b=None):
        n, cin = x.shape[:2]
        isz = x.shape[2:]
        k = W.shape[2:]
        s, d, p, g = self.stride, self.dilation, self.padding, self.groups
        cout = W.shape[1] * g
        full = tuple((isz[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 + self.output_padding[i]
                     for i in range(3))
        osz = tuple(full[i] - 2 * p[i] for i in range(3))
        xm = _group_rows(x, g)  # (g, Cin/g, N*M_in)
        Wg = W.reshape(g, cin // g, W.size // max(cin, 1))
        mi = isz[0] * isz[1] * isz[2]
        yf = np.zeros((cout, n) + full, x.dtype)
        for n0, n1 in _chunks(n, Wg[0].size * mi):
            # (g, Cout/g*K, nb*Mi)
            cols = np.matmul(Wg.transpose(0, 2, 1), xm[:, :, n0 * mi:n1 * mi])
            _col2im(cols, cout, n1 - n0, full, k, s, d, isz, yf[:, n0:n1])
        y = _batch_first(yf, p, osz)
        if b is not None:
            y += b.reshape(1, cout, 1, 1, 1)
        self.geo = (x.shape, W.shape, full)
        self.saved = (xm, Wg)
        return y

    def backward(self, gy):
        xm, Wg = self.saved
        xshape, wshape, full = self.geo
        s, d, p, g = self.stride, self.dilation, self.padding, self.groups
        n, cin = xshape[:2]
        gx = gW = gb = None
        if len(self.needs) > 2 and self.needs[2]:
            gb = gy.sum((0, 2, 3, 4))
        # gy placed back in the full (uncropped) output; output_padding planes stay zero
        gyf = np.zeros(gy.shape[:2] + full, gy.dtype)
        gyf[:, :, p[0]:p[0] + gy.shape[2], p[1]:p[1] + gy.shape[3], p[2]:p[2] + gy.shape[4]] = gy
        mi = xshape[2] * xshape[3] * xshape[4]
        gxm = np.empty((g, cin // g, n * mi), gy.dtype) if self.needs[0] else None
        for n0, n1 in _chunks(n, Wg[0].size * mi):
            gc = _im2col(gyf[n0:n1], g, wshape[2:], s, d, xshape[2:])  # (g, Cout/g*K, nb*Mi)
            if self.needs[1]:
                part = np.matmul(xm[:, :, n0 * mi:n1 * mi], gc.transpose(0, 2, 1))
                gW = part if gW is None else np.add(gW, part, out=gW)
            if self.needs[0]:
                np.matmul(Wg, gc, out=gxm[:, :, n0 * mi:n1 * mi])
        if self.needs[1]:
            gW = np.zeros(wshape, gy.dtype) if gW is None else gW.reshape(wshape)
        if gxm is not None:
            gx = np.ascontiguousarray(gxm.reshape((cin, n) + xshape[2:]).transpose(1, 0, 2, 3, 4))
        return gx, gW, gb

    def backward_t(self, gy):
        x, W = self.inputs[0], self.inputs[1]
        s, d, p, g = self.stride, self.dilation, self.padding, self.groups
        gx = gW = gb = None
        if self.needs[0]:
            # (an output_padding of at least the stride gives the conv a plane more: cropped)
            gx = conv3d(gy, W, None, s, p, d, g)
            gx = gx[:, :, :x.shape[2], :x.shape[3], :x.shape[4]]
        if self.needs[1]:
            gyp = _pad(gy, (p[2], p[2], p[1], p[1], p[0], p[0])) if any(p) else gy
            gW = _weight_grad_t(gyp, x, W.shape[2:], s, d, g)
        if len(self.needs) > 2 and self.needs[2]:
            gb = gy.sum((0, 2, 3, 4))
        return gx, gW, gb


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The gradient of conv3d with respect to its input, as a layer; ``weight`` is
    (C_in, C_out/groups, kd, kh, kw)."""
    name = 'conv_transpose3d'
    batched, stride, pads, dilation = _conv3d_args(name, input, weight, bias, stride,
                                                   padding, dilation, groups, True)
    padding = tuple(q[0] for q in pads)
    op_pad = _tuple(output_padding, 3, 'output_padding')
    if any(v < 0 for v in op_pad):
        raise RuntimeError('negative output_padding is not supported')
    if any(op_pad[i] >= stride[i] and op_pad[i] >= dilation[i] for i in range(3)):
        dims = ('depth', 'height', 'width')
        parts = [f'output_padding_{a}: {v}' for a, v in zip(dims, op_pad)]
        parts += [f'stride_{a}: {v}' for a, v in zip(dims, stride)]
        parts += [f'dilation_{a}: {v}' for a, v in zip(dims, dilation)]
        raise RuntimeError('output padding must be smaller than either stride or dilation, '
                           'but got ' + ' '.join(parts))
    xs = tuple(input._data.shape[-3:])
    k = tuple(weight._data.shape[2:])
    outs = [(xs[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k[i] - 1) + 1
            + op_pad[i] for i in range(3)]
    if any(o < 1 for o in outs):
        raise RuntimeError(f'Given input size per channel: ({" x ".join(map(str, xs))}). '
                           f'Calculated output size per channel: '
                           f'({" x ".join(map(str, outs))}). Output size is too small')
    op = ConvTranspose3d(stride, padding, op_pad, dilation, groups)
    x = input if batched else input.unsqueeze(0)
    y = op.apply2(x, weight) if bias is None else op.apply(x, weight, bias)
    return y if batched else y.squeeze(0)
