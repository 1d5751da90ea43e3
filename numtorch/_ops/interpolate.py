"""Resampling: ``F.interpolate`` (nearest, nearest-exact, (bi/tri)linear, bicubic, area)
and pixel_shuffle / pixel_unshuffle.

Every interpolation mode is separable: along each spatial dimension an output position
reads T input positions (T = 1 nearest, 2 linear, 4 cubic) with weights. The forward
applies the dimensions innermost first, which is the order of PyTorch's kernel
(``w0 * x0 + w1 * x1`` along W, then along H), with indices and weights computed in the
input's floating dtype as PyTorch does. The backward multiplies by each dimension's
(out, in) interpolation matrix transposed.
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ._op import Op, LinearAdjoint, ascontiguous

__all__ = ['interpolate', 'upsample', 'upsample_nearest', 'upsample_bilinear',
           'pixel_shuffle', 'pixel_unshuffle']


_DT_WORDS = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'int64': 'Long',
             'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool'}


def _scale(n_in: int, n_out: int, align_corners: bool, sf, dt) -> np.generic:
    """PyTorch's area_pixel_compute_scale in the opmath dtype ``dt``."""
    if align_corners:
        return dt(n_in - 1) / dt(n_out - 1) if n_out > 1 else dt(0)
    if sf is not None and sf > 0:
        return dt(1.0 / sf)
    return dt(n_in) / dt(n_out)


def _source(scale, n_out: int, align_corners: bool, cubic: bool, dt) -> np.ndarray:
    """area_pixel_compute_source_index for every output position."""
    i = np.arange(n_out).astype(dt)
    if align_corners:
        return scale * i
    src = scale * (i + dt(0.5)) - dt(0.5)
    if not cubic:
        src = np.maximum(src, dt(0))
    return src


def _cubic_coeffs(t: np.ndarray, dt) -> list:
    a = dt(-0.75)
    one = dt(1)

    def conv1(x):
        return ((a + 2) * x - (a + 3)) * x * x + one

    def conv2(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    x2 = one - t
    return [conv2(t + one), conv1(t), conv1(x2), conv2(x2 + one)]


def _taps(mode: str, n_in: int, n_out: int, align_corners: bool, sf, dt):
    """(indices, weights) lists: output position o reads sum_t w[t][o] * x[idx[t][o]]."""
    if mode in ('nearest', 'nearest-exact'):
        scale = _scale(n_in, n_out, False, sf, dt)
        if mode == 'nearest':
            src = scale * np.arange(n_out).astype(dt)
        else:
            src = _source(scale, n_out, False, False, dt) + dt(0.5)
        idx = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
        return [idx], None
    scale = _scale(n_in, n_out, align_corners, sf, dt)
    cubic = mode == 'bicubic'
    src = _source(scale, n_out, align_corners, cubic, dt)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    lam = np.clip(src - i0.astype(dt), dt(0), dt(1)).astype(dt)
    if not cubic:
        i1 = i0 + (i0 < n_in - 1)
        return [i0, i1], [dt(1) - lam, lam]
    idx = [np.clip(i0 - 1 + j, 0, n_in - 1) for j in range(4)]
    return idx, _cubic_coeffs(lam, dt)


def _matrix(idx: list, w: list | None, n_in: int, dt) -> np.ndarray:
    """The (out, in) matrix of one dimension's taps."""
    n_out = idx[0].shape[0]
    m = np.zeros((n_out, n_in), dt)
    rows = np.arange(n_out)
    for t, ix in enumerate(idx):
        np.add.at(m, (rows, ix), 1 if w is None else w[t])
    return m


class Interpolate(Op):
    def __init__(self, mode: str, sizes: tuple, align_corners: bool, scales: tuple,
                 name: str):
        self.mode = mode
        self.sizes = sizes
        self.align_corners = align_corners
        self.scales = scales
        self._name = name

    def forward(self, x):
        nd = len(self.sizes)
        dt = x.dtype.type if x.dtype.kind == 'f' else np.float32
        self.xshape = x.shape
        self.taps = []
        y = x
        for k in range(nd - 1, -1, -1):
            ax = x.ndim - nd + k
            n_in = x.shape[ax]
            idx, w = _taps(self.mode, n_in, self.sizes[k], self.align_corners,
                           self.scales[k], dt)
            if w is None:
                y = np.take(y, idx[0], axis=ax)
            else:
                acc = None
                for ix, wt in zip(idx, w):
                    term = np.take(y, ix, axis=ax)
                    term *= wt.reshape((-1,) + (1,) * (x.ndim - 1 - ax))
                    acc = term if acc is None else np.add(acc, term, out=acc)
                y = acc
            self.taps.append((ax, idx, w, n_in))
        return y

    def backward(self, gy):
        g = gy
        for ax, idx, w, n_in in reversed(self.taps):
            m = _matrix(idx, w, n_in, gy.dtype)
            g = np.moveaxis(np.matmul(m.T, np.moveaxis(g, ax, -2)), -2, ax)
        return ascontiguous(g)

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


_NAMES = {'nearest': 'UpsampleNearest{}DBackward0', 'nearest-exact':
          'UpsampleNearestExact{}DBackward0', 'linear': 'UpsampleLinear1DBackward0',
          'bilinear': 'UpsampleBilinear2DBackward0', 'trilinear':
          'UpsampleTrilinear3DBackward0', 'bicubic': 'UpsampleBicubic2DBackward0'}
_NEEDS = {'linear': 3, 'bilinear': 4, 'trilinear': 5}


def _is_integer(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = 'nearest',
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resizes the spatial dims (all dims after the first two) to ``size`` or by
    ``scale_factor`` (output size floor(in * s); the kernel then maps positions with 1/s
    unless ``recompute_scale_factor``)."""
    if mode in ('nearest', 'area', 'nearest-exact'):
        if align_corners is not None:
            raise ValueError('align_corners option can only be set with the interpolating '
                             'modes: linear | bilinear | bicubic | trilinear')
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError('only one of size or scale_factor should be defined')
    if size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(f'Input and output must have the same number of spatial '
                                 f'dimensions, but got input with spatial dimensions of '
                                 f'{spatial} and output size of {size}. Please provide input '
                                 f'tensor in (N, C, d1, d2, ...,dK) format and output size in '
                                 f'(o1, o2, ...,oK) format.')
            if not all(_is_integer(v) for v in size):
                raise TypeError(f'expected size to be one of int or Tuple[int] or Tuple[int, '
                                f'int] or Tuple[int, int, int], but got size with types '
                                f'{[type(v) for v in size]}')
            output_size = [int(v) for v in size]
        else:
            output_size = [int(size)] * dim
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(f'Input and scale_factor must have the same number of spatial '
                                 f'dimensions, but got input with spatial dimensions of '
                                 f'{spatial} and scale_factor of shape {scale_factor}. Please '
                                 f'provide input tensor in (N, C, d1, d2, ...,dK) format and '
                                 f'scale_factor in (s1, s2, ...,sK) format.')
            scale_factors = [float(s) for s in scale_factor]
        else:
            scale_factors = [float(scale_factor)] * dim
    else:
        raise ValueError('either size or scale_factor should be defined')
    if recompute_scale_factor and size is not None:
        raise ValueError('recompute_scale_factor is not meaningful with an explicit size.')
    if mode == 'area' and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        output_size = [math.floor(float(input.shape[i + 2]) * scale_factors[i])
                       for i in range(dim)]
        scale_factors = None
    if antialias and not (mode in ('bilinear', 'bicubic', 'lanczos') and input.dim() == 4):
        raise ValueError('Anti-alias option is restricted to bilinear, bicubic, and lanczos '
                         'modes and requires a 4-D tensor as input')
    nd_in = input.dim()
    if mode == 'lanczos' and nd_in == 4:
        if align_corners:
            raise ValueError('Lanczos mode does not support align_corners=True')
        if not antialias:
            raise ValueError('Lanczos mode requires antialias=True')
    if antialias:
        raise NotImplementedError('interpolate(antialias=True) is not supported by numtorch')
    if mode in _NEEDS and nd_in in (3, 4, 5) and nd_in != _NEEDS[mode]:
        raise NotImplementedError(f'Got {nd_in}D input, but {mode} mode needs '
                                  f'{_NEEDS[mode]}D input')
    valid = ('nearest', 'linear', 'bilinear', 'trilinear', 'area', 'nearest-exact')
    if not (nd_in in (3, 4, 5) and mode in valid or nd_in == 4 and mode == 'bicubic'):
        raise NotImplementedError(f'Input Error: Only 3D, 4D and 5D input Tensors supported '
                                  f'(got {nd_in}D) for the modes: nearest | linear | '
                                  f'bilinear | bicubic | trilinear | lanczos | area | '
                                  f'nearest-exact (got {mode})')
    if output_size is None:
        output_size = [int(float(input.shape[i + 2]) * scale_factors[i]) for i in range(dim)]
    if mode == 'area':
        from .pool import adaptive_avg_pool1d, adaptive_avg_pool2d
        from .pool3d import adaptive_avg_pool3d
        return (adaptive_avg_pool1d, adaptive_avg_pool2d,
                adaptive_avg_pool3d)[dim - 1](input, output_size)
    if any(s <= 0 for s in output_size) or any(s <= 0 for s in spatial):
        names = ('D', 'H', 'W')[3 - dim:]
        ins = ', '.join(f'{n}: {v}' for n, v in zip(names, spatial))
        outs = ', '.join(f'{n}: {v}' for n, v in zip(names, output_size))
        raise RuntimeError(f'Input and output sizes should be greater than 0, but got input '
                           f'({ins}) output ({outs})')
    dt = input._data.dtype
    if dt.kind != 'f' and not (dt == np.uint8 and mode in ('nearest', 'nearest-exact')):
        kind = 'nearest' if mode.startswith('nearest') else (
            'cubic' if mode == 'bicubic' else 'linear')
        raise NotImplementedError(f'"compute_indices_weights_{kind}" not implemented for '
                                  f'\'{_DT_WORDS[dt.name]}\'')
    scales = tuple(scale_factors) if scale_factors is not None else (None,) * dim
    name = _NAMES[mode].format(dim)
    return Interpolate(mode, tuple(output_size), bool(align_corners), scales,
                       name).apply1(input)


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = 'nearest',
             align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of :func:`interpolate`."""
    import warnings
    warnings.warn('`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` '
                  'instead.', stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(mode='nearest')``."""
    import warnings
    warnings.warn('`nn.functional.upsample_nearest` is deprecated. Use '
                  '`nn.functional.interpolate` instead.', stacklevel=2)
    return interpolate(input, size, scale_factor, mode='nearest')


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(mode='bilinear', align_corners=True)``."""
    import warnings
    warnings.warn('`nn.functional.upsample_bilinear` is deprecated. Use '
                  '`nn.functional.interpolate` instead.', stacklevel=2)
    return interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)


# -- pixel shuffle ---------------------------------------------------------------------------
class PixelShuffle(Op):
    """(*, C*r*r, H, W) <-> (*, C, H*r, W*r); ``up`` picks the direction."""

    def __init__(self, r: int, up: bool):
        self.r = r
        self.up = up
        self._name = 'PixelShuffleBackward0' if up else 'PixelUnshuffleBackward0'

    @staticmethod
    def _shuffle(x, r, up):
        lead = x.shape[:-3]
        c, h, w = x.shape[-3:]
        k = len(lead)
        if up:
            oc = c // (r * r)
            v = x.reshape(lead + (oc, r, r, h, w))
            perm = tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2)
            return np.ascontiguousarray(v.transpose(perm)).reshape(lead + (oc, h * r, w * r))
        oh, ow = h // r, w // r
        v = x.reshape(lead + (c, oh, r, ow, r))
        perm = tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3)
        return np.ascontiguousarray(v.transpose(perm)).reshape(lead + (c * r * r, oh, ow))

    def forward(self, x):
        return self._shuffle(x, self.r, self.up)

    def backward(self, gy):
        return self._shuffle(gy, self.r, not self.up)

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Moves r*r channel blocks into r x r spatial blocks: (*, C*r^2, H, W) -> (*, C, rH, rW)."""
    nd = input.dim()
    if nd < 3:
        raise RuntimeError(f'pixel_shuffle expects input to have at least 3 dimensions, but got '
                           f'input with {nd} dimension(s)')
    if upscale_factor <= 0:
        raise RuntimeError(f'pixel_shuffle expects a positive upscale_factor, but got '
                           f'{upscale_factor}')
    c = input._data.shape[-3]
    if c % (upscale_factor * upscale_factor):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {upscale_factor * upscale_factor}")
    return PixelShuffle(upscale_factor, True).apply1(input)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """The inverse of pixel_shuffle: (*, C, rH, rW) -> (*, C*r^2, H, W)."""
    nd = input.dim()
    if nd < 3:
        raise RuntimeError(f'pixel_unshuffle expects input to have at least 3 dimensions, but '
                           f'got input with {nd} dimension(s)')
    if downscale_factor <= 0:
        raise RuntimeError(f'pixel_unshuffle expects a positive downscale_factor, but got '
                           f'{downscale_factor}')
    h, w = input._data.shape[-2:]
    if h % downscale_factor:
        raise RuntimeError(f'pixel_unshuffle expects height to be divisible by '
                           f'downscale_factor, but input.size(-2)={h} is not divisible by '
                           f'{downscale_factor}')
    if w % downscale_factor:
        raise RuntimeError(f'pixel_unshuffle expects width to be divisible by '
                           f'downscale_factor, but input.size(-1)={w} is not divisible by '
                           f'{downscale_factor}')
    return PixelShuffle(downscale_factor, False).apply1(input)
