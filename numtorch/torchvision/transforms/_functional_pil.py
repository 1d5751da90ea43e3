"""The PIL side of ``transforms.functional``: Pillow does the pixel work, as in torchvision."""
from __future__ import annotations

import numbers

import numpy as np

from .._pil import is_pil_image as _is_pil_image, image_fromarray, pil_image


def _check(img) -> None:
    if not _is_pil_image(img):
        raise TypeError(f'img should be PIL Image. Got {type(img)}')


def get_dimensions(img) -> list[int]:
    if _is_pil_image(img):
        width, height = img.size
        return [len(img.getbands()), height, width]
    raise TypeError(f'Unexpected type {type(img)}')


def get_image_size(img) -> list[int]:
    if _is_pil_image(img):
        return list(img.size)
    raise TypeError(f'Unexpected type {type(img)}')


def get_image_num_channels(img) -> int:
    if _is_pil_image(img):
        return len(img.getbands())
    raise TypeError(f'Unexpected type {type(img)}')


def hflip(img):
    _check(img)
    return img.transpose(pil_image().FLIP_LEFT_RIGHT)


def vflip(img):
    _check(img)
    return img.transpose(pil_image().FLIP_TOP_BOTTOM)


def _parse_fill(fill, img, name: str = 'fillcolor') -> dict:
    """The fill colour as Pillow wants it: one value per band, ints unless mode 'F'."""
    num_channels = get_image_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and num_channels > 1:
        fill = tuple([fill] * num_channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * num_channels
        elif len(fill) != num_channels:
            raise ValueError("The number of elements in 'fill' does not match the number of "
                             f'channels of the image ({len(fill)} != {num_channels})')
        fill = tuple(fill)
    if img.mode != 'F':
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def pad(img, padding, fill=0, padding_mode: str = 'constant'):
    _check(img)
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError('Got inappropriate padding arg')
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError('Got inappropriate fill arg')
    if not isinstance(padding_mode, str):
        raise TypeError('Got inappropriate padding_mode arg')
    if isinstance(padding, list):
        padding = tuple(padding)
    if isinstance(padding, tuple) and len(padding) not in (1, 2, 4):
        raise ValueError('Padding must be an int or a 1, 2, or 4 element tuple, not a '
                         f'{len(padding)} element tuple')
    if isinstance(padding, tuple) and len(padding) == 1:
        padding = padding[0]
    if padding_mode not in ('constant', 'edge', 'reflect', 'symmetric'):
        raise ValueError('Padding mode should be either constant, edge, reflect or symmetric')
    if padding_mode == 'constant':
        from PIL import ImageOps
        opts = _parse_fill(fill, img, name='fill')
        if img.mode == 'P':
            palette = img.getpalette()
            image = ImageOps.expand(img, border=padding, **opts)
            image.putpalette(palette)
            return image
        return ImageOps.expand(img, border=padding, **opts)
    if isinstance(padding, int):
        p = [padding] * 4
    elif len(padding) == 2:
        p = [padding[0], padding[1], padding[0], padding[1]]
    else:
        p = list(padding)
    cropping = -np.minimum(p, 0)
    if cropping.any():
        cl, ct, cr, cb = (int(c) for c in cropping)
        img = img.crop((cl, ct, img.width - cr, img.height - cb))
    left, top, right, bottom = (int(v) for v in np.maximum(p, 0))
    Image = pil_image()
    if img.mode == 'P':
        palette = img.getpalette()
        arr = np.pad(np.asarray(img), ((top, bottom), (left, right)), mode=padding_mode)
        out = Image.fromarray(arr)
        out.putpalette(palette)
        return out
    arr = np.asarray(img)
    widths = ((top, bottom), (left, right)) + (((0, 0),) if arr.ndim == 3 else ())
    return Image.fromarray(np.pad(arr, widths, padding_mode))


def crop(img, top: int, left: int, height: int, width: int):
    _check(img)
    return img.crop((left, top, left + width, top + height))


def resize(img, size: list[int], interpolation: int = 2):
    _check(img)
    if not (isinstance(size, list) and len(size) == 2):
        raise TypeError(f'Got inappropriate size arg: {size}')
    return img.resize(tuple(size[::-1]), interpolation)


def rotate(img, angle: float, interpolation: int = 0, expand: bool = False, center=None,
           fill=None):
    _check(img)
    opts = _parse_fill(fill, img)
    return img.rotate(angle, interpolation, expand, center, **opts)


def to_grayscale(img, num_output_channels: int):
    _check(img)
    if num_output_channels == 1:
        return img.convert('L')
    if num_output_channels == 3:
        arr = np.array(img.convert('L'), dtype=np.uint8)
        return image_fromarray(np.dstack([arr, arr, arr]), 'RGB')
    raise ValueError('num_output_channels should be either 1 or 3')
