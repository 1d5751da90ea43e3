"""Spatial sampling: affine_grid (the sampling grid of an affine map) and grid_sample
(the input read at a grid of normalised coordinates, bilinearly or at the nearest pixel),
the two halves of a spatial transformer network.

Grid coordinates run from -1 (the left/top edge) to 1 (the right/bottom one): at the
centres of the corner pixels with ``align_corners=True``, at their outer edges otherwise.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor
from ._op import Op

__all__ = ['affine_grid', 'grid_sample']

_ALIGN_WARNING = ('Default grid_sample and affine_grid behavior has changed to align_corners='
                  'False since 1.3.0. Please specify align_corners=True if the old behavior is '
                  'desired. See the documentation of grid_sample for details.')


def _align(align_corners) -> bool:
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=3)
        return False
    return bool(align_corners)


def _base_coords(n: int, align: bool, dt) -> np.ndarray:
    """The n normalised pixel coordinates along one axis."""
    if n <= 1:
        return np.zeros(n, dt)
    c = np.linspace(-1, 1, n, dtype=dt)
    return c if align else c * dt.type((n - 1) / n)


class AffineGrid(Op):
    """theta (N, 2, 3) -> grid (N, H, W, 2): [x, y] = theta @ [x0, y0, 1] for every output
    pixel's normalised coordinates (x0, y0)."""
    _name = 'AffineGridGeneratorBackward0'

    def __init__(self, h: int, w: int, align: bool):
        self.h, self.w, self.align = h, w, align

    def forward(self, theta):
        dt = theta.dtype
        xs, ys = _base_coords(self.w, self.align, dt), _base_coords(self.h, self.align, dt)
        base = np.empty((self.h, self.w, 3), dt)
        base[..., 0] = xs
        base[..., 1] = ys[:, None]
        base[..., 2] = 1
        self.base = base.reshape(-1, 3)
        grid = np.matmul(self.base, np.swapaxes(theta, 1, 2))  # (N, H*W, 2)
        return grid.reshape(theta.shape[0], self.h, self.w, 2)

    def backward(self, gy):
        g = gy.reshape(gy.shape[0], -1, 2)
        return np.matmul(np.swapaxes(g, 1, 2), self.base)  # (N, 2, 3)


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """The (N, H, W, 2) grid of normalised input coordinates that the affine maps ``theta``
    (N, 2, 3) send each pixel of an output of ``size`` (N, C, H, W) to (for grid_sample)."""
    align = _align(align_corners)
    if theta._data.dtype.kind != 'f':
        raise ValueError(f'Expected theta to have floating point type, but got {theta.dtype}')
    size = tuple(int(s) for s in size)
    if len(size) == 5:
        raise NotImplementedError('affine_grid of 3-D (5-D size) affine transforms is not '
                                  'supported by numtorch')
    if len(size) != 4:
        raise NotImplementedError(f'affine_grid only supports 4D and 5D sizes, for 2D and 3D '
                                  f'affine transforms, respectively. Got size {size}.')
    if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
        raise ValueError(f'Expected a batch of 2D affine matrices of shape Nx2x3 for size '
                         f'{size}. Got {theta.shape}.')
    if min(size) <= 0:
        raise ValueError(f'Expected non-zero, positive output size. Got {size}')
    if align and min(size[2:]) == 1:
        warnings.warn('Since version 1.3.0, affine_grid behavior has changed for unit-size '
                      'grids when align_corners=True. This is not an intended use case of '
                      'affine_grid. See the documentation of affine_grid for details.',
                      stacklevel=2)
    if theta.shape[0] != size[0]:
        raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: '
                           f'[{size[0]}, 3] but got: [{theta.shape[0]}, 3].')
    return AffineGrid(size[2], size[3], align).apply1(theta)


def _reflect(x: np.ndarray, lo2: float, hi2: float):
    """x reflected into [lo2/2, hi2/2] (as often as needed), with dx'/dx (+-1)."""
    if lo2 == hi2:
        return np.zeros_like(x), np.zeros_like(x)
    lo, span = lo2 / 2, (hi2 - lo2) / 2
    d = x - lo
    sign = np.where(d < 0, -1, 1).astype(x.dtype)
    d = np.abs(d)
    extra = np.fmod(d, span)
    flips = np.floor(d / span)
    even = np.fmod(flips, 2) == 0
    out = np.where(even, extra + lo, span - extra + lo)
    return out, np.where(even, sign, -sign)


def _source_index(coord: np.ndarray, size: int, padding: str, align: bool):
    """Normalised coordinates -> pixel indices under the padding mode, with d index/d coord."""
    dt = coord.dtype
    if align:
        ix, scale = (coord + 1) / 2 * (size - 1), dt.type((size - 1) / 2)
    else:
        ix, scale = ((coord + 1) * size - 1) / 2, dt.type(size / 2)
    grad = np.full(ix.shape, scale, dt)
    if padding == 'border' or padding == 'reflection':
        if padding == 'reflection':
            ix, g = _reflect(ix, 0, 2 * (size - 1)) if align else _reflect(ix, -1, 2 * size - 1)
            grad *= g
        inside = (ix > 0) & (ix < size - 1)
        grad *= inside
        ix = np.clip(ix, 0, size - 1)
    return ix, grad


class GridSample(Op):
    """input (N, C, H, W) read at grid (N, Ho, Wo, 2) -> (N, C, Ho, Wo)."""
    _name = 'GridSampler2DBackward0'
    checks = (0, 1)

    def __init__(self, mode: str, padding: str, align: bool):
        self.mode, self.padding, self.align = mode, padding, align

    def _taps(self, x, grid):
        """(flat index, weight, d weight/d ix, d weight/d iy) of each tap, per output pixel."""
        n, c, h, w = x.shape
        ix, gx = _source_index(grid[..., 0], w, self.padding, self.align)
        iy, gy = _source_index(grid[..., 1], h, self.padding, self.align)
        self.scales = (gx, gy)
        if self.mode == 'nearest':
            cx, cy = np.rint(ix), np.rint(iy)
            taps = [(cx, cy, np.ones_like(ix), np.zeros_like(ix), np.zeros_like(ix))]
        else:
            x0, y0 = np.floor(ix), np.floor(iy)
            x1, y1 = x0 + 1, y0 + 1
            taps = [(x0, y0, (x1 - ix) * (y1 - iy), -(y1 - iy), -(x1 - ix)),
                    (x1, y0, (ix - x0) * (y1 - iy), y1 - iy, -(ix - x0)),
                    (x0, y1, (x1 - ix) * (iy - y0), -(iy - y0), x1 - ix),
                    (x1, y1, (ix - x0) * (iy - y0), iy - y0, ix - x0)]
        out = []
        for tx, ty, wt, dwx, dwy in taps:
            ok = (tx >= 0) & (tx <= w - 1) & (ty >= 0) & (ty <= h - 1)
            flat = (np.clip(ty, 0, h - 1) * w + np.clip(tx, 0, w - 1)).astype(np.int64)
            out.append((flat.reshape(n, -1), (wt * ok).reshape(n, -1),
                        (dwx * ok).reshape(n, -1), (dwy * ok).reshape(n, -1)))
        return out

    def forward(self, x, grid):
        n, c = x.shape[:2]
        taps = self._taps(x, grid)
        flat_x = x.reshape(n, c, -1)
        out = np.zeros((n, c, taps[0][0].shape[1]), x.dtype)
        vals = []
        for flat, wt, _, _ in taps:
            v = np.take_along_axis(flat_x, np.broadcast_to(flat[:, None], out.shape), axis=2)
            vals.append(v)
            out += v * wt[:, None]
        self.saved = (x.shape, grid.shape, taps, vals)
        return out.reshape((n, c) + grid.shape[1:3])

    def backward(self, gy):
        xshape, gshape, taps, vals = self.saved
        n, c, h, w = xshape
        g = gy.reshape(n, c, -1)
        gx = ggrid = None
        if self.needs[0]:
            planes = (np.arange(n * c) * (h * w)).reshape(n, c, 1)
            gx = np.zeros(n * c * h * w, gy.dtype)
            for flat, wt, _, _ in taps:
                gx += np.bincount((flat[:, None] + planes).ravel(), (g * wt[:, None]).ravel(),
                                  gx.size)
            gx = gx.reshape(xshape)
        if self.needs[1]:
            dix = sum((g * v).sum(1) * dwx for (_, _, dwx, _), v in zip(taps, vals))
            diy = sum((g * v).sum(1) * dwy for (_, _, _, dwy), v in zip(taps, vals))
            ggrid = np.stack([dix.reshape(gshape[:3]) * self.scales[0],
                              diy.reshape(gshape[:3]) * self.scales[1]], -1).astype(gy.dtype)
        return gx, ggrid


def grid_sample(input: Tensor, grid: Tensor, mode: str = 'bilinear',
                padding_mode: str = 'zeros', align_corners: bool | None = None) -> Tensor:
    """``input`` (N, C, H, W) read at the normalised (x, y) coordinates of ``grid``
    (N, Ho, Wo, 2): bilinearly, or at the nearest pixel; outside the input, zeros, the
    border pixel, or the input reflected (``padding_mode``)."""
    if mode not in ('bilinear', 'nearest', 'bicubic'):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ('zeros', 'border', 'reflection'):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    align = _align(align_corners)
    xs, gs = list(input.shape), list(grid.shape)
    if xs[0] != gs[0]:
        raise RuntimeError(f'grid_sampler(): expected grid and input to have same batch size, '
                           f'but got input with sizes {xs} and grid with sizes {gs}')
    if gs[-1] != input.dim() - 2:
        raise RuntimeError(f'grid_sampler(): expected grid to have size {input.dim() - 2} in '
                           f'last dimension, but got grid with sizes {gs}')
    if input.dim() == 5:
        raise NotImplementedError('grid_sample of 5-D (volumetric) inputs is not supported by '
                                  'numtorch')
    if input.dim() != 4 or grid.dim() != 4:
        raise RuntimeError(f'grid_sampler(): expected 4D or 5D input and grid with same number '
                           f'of dimensions, but got input with sizes {xs} and grid with sizes '
                           f'{gs}')
    if mode == 'bicubic':
        raise NotImplementedError("grid_sample(mode='bicubic') is not supported by numtorch")
    if input._data.dtype != grid._data.dtype:
        raise RuntimeError(f'grid_sampler(): expected input and grid to have same dtype, but '
                           f'input has {input.dtype} and grid has {grid.dtype}')
    return GridSample(mode, padding_mode, align).apply2(input, grid)
