"""``torchvision.utils``: a batch of images as one grid image, and saving it to a file."""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _wrap
from ._pil import pil_image

__all__ = ['make_grid', 'save_image']


def make_grid(tensor, nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range: tuple | None = None, scale_each: bool = False,
              pad_value: float = 0.0, **kwargs) -> Tensor:
    """Lays a batch ``B x C x H x W`` (or a list of ``C x H x W`` images) out as one image,
    ``nrow`` per row with ``padding`` pixels of ``pad_value`` around each; one-channel images
    become three-channel. ``normalize`` maps ``value_range`` (default: the min and max, per
    image if ``scale_each``) onto [0, 1]."""
    if kwargs:
        raise TypeError(f'make_grid() got an unexpected keyword argument '
                        f"'{next(iter(kwargs))}'")
    if not isinstance(tensor, Tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not isinstance(t, Tensor):
                    raise TypeError(f'tensor or list of tensors expected, got a list containing '
                                    f'{type(t)}')
        else:
            raise TypeError(f'tensor or list of tensors expected, got {type(tensor)}')
    if isinstance(tensor, list):
        x = np.stack([t._data for t in tensor], axis=0)
    else:
        x = tensor._data
    if x.ndim == 2:  # a single H x W image
        x = x[None]
    if x.ndim == 3:  # a single image
        if x.shape[0] == 1:
            x = np.concatenate((x, x, x), 0)
        x = x[None]
    if x.ndim == 4 and x.shape[1] == 1:  # one-channel images
        x = np.concatenate((x, x, x), 1)
    if normalize is True:
        x = x.copy()
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError('value_range has to be a tuple (min, max) if specified. min and max '
                            'are numbers')

        def norm_range(t):
            low, high = value_range if value_range is not None else (float(t.min()),
                                                                    float(t.max()))
            np.clip(t, low, high, out=t)
            t -= t.dtype.type(low)
            t /= t.dtype.type(max(high - low, 1e-5))

        if scale_each is True:
            for t in x:
                norm_range(t)
        else:
            norm_range(x)
    if x.shape[0] == 1:
        return _wrap(x[0])
    nmaps = x.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(x.shape[2] + padding), int(x.shape[3] + padding)
    num_channels = x.shape[1]
    grid = np.full((num_channels, height * ymaps + padding, width * xmaps + padding), pad_value,
                   dtype=x.dtype)
    k = 0
    for y in range(ymaps):
        for xx in range(xmaps):
            if k >= nmaps:
                break
            grid[:, y * height + padding:(y + 1) * height,
                 xx * width + padding:(xx + 1) * width] = x[k]
            k += 1
    return _wrap(grid)


def save_image(tensor, fp, format: str | None = None, **kwargs) -> None:
    """Saves a tensor image (or a batch, as ``make_grid`` lays it out) with values in [0, 1]
    to ``fp`` (a path or file object; ``format`` is needed for a file object)."""
    grid = make_grid(tensor, **kwargs)._data
    # + 0.5 rounds to the nearest of the 256 levels, as torchvision does
    scaled = grid * grid.dtype.type(255) if grid.dtype.kind == 'f' else grid * 255
    ndarr = np.clip(scaled + 0.5, 0, 255).transpose(1, 2, 0).astype(np.uint8)
    im = pil_image().fromarray(ndarr if ndarr.shape[2] != 1 else ndarr[:, :, 0])
    im.save(fp, format=format)
