"""``torchvision.transforms.functional``: the image functions behind the transform classes.

Each function takes a PIL image or a tensor image (``[..., C, H, W]``) and dispatches to
``_functional_pil`` or ``_functional_tensor``, as torchvision does; ``to_tensor`` and
``to_pil_image`` also take NumPy arrays (``H x W x C``).
"""
from __future__ import annotations

import math
import numbers
import sys
import warnings
from enum import Enum

import numpy as np

from ..._tensor import Tensor, _wrap
from ..._dtype import get_default_dtype
from .._pil import is_pil_image as _is_pil_image, image_fromarray
from . import _functional_pil as F_pil, _functional_tensor as F_t

__all__ = ['InterpolationMode', 'get_dimensions', 'get_image_size', 'get_image_num_channels',
           'to_tensor', 'pil_to_tensor', 'convert_image_dtype', 'to_pil_image', 'normalize',
           'resize', 'pad', 'crop', 'center_crop', 'resized_crop', 'hflip', 'vflip', 'rotate',
           'rgb_to_grayscale', 'to_grayscale']


class InterpolationMode(Enum):
    """Interpolation methods: ``nearest``, ``nearest-exact``, ``bilinear``, ``bicubic``, and
    for PIL images also ``box``, ``hamming`` and ``lanczos``."""

    NEAREST = 'nearest'
    NEAREST_EXACT = 'nearest-exact'
    BILINEAR = 'bilinear'
    BICUBIC = 'bicubic'
    BOX = 'box'
    HAMMING = 'hamming'
    LANCZOS = 'lanczos'


def _interpolation_modes_from_int(i: int) -> InterpolationMode:
    return {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
            3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
            5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}[i]


# Pillow's integer constants for each mode
pil_modes_mapping = {
    InterpolationMode.NEAREST: 0, InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3,
    InterpolationMode.NEAREST_EXACT: 0, InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5,
    InterpolationMode.LANCZOS: 1,
}


def _check_interpolation(interpolation) -> InterpolationMode:
    if isinstance(interpolation, int):
        return _interpolation_modes_from_int(interpolation)
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError('Argument interpolation should be a InterpolationMode or a corresponding '
                        'Pillow integer constant')
    return interpolation


def get_dimensions(img) -> list[int]:
    """``[channels, height, width]`` of a PIL or tensor image."""
    if isinstance(img, Tensor):
        return F_t.get_dimensions(img)
    return F_pil.get_dimensions(img)


def get_image_size(img) -> list[int]:
    """``[width, height]`` of a PIL or tensor image."""
    if isinstance(img, Tensor):
        return F_t.get_image_size(img)
    return F_pil.get_image_size(img)


def get_image_num_channels(img) -> int:
    if isinstance(img, Tensor):
        return F_t.get_image_num_channels(img)
    return F_pil.get_image_num_channels(img)


def to_tensor(pic) -> Tensor:
    """A PIL image or ``H x W x C`` ndarray as a ``C x H x W`` tensor; uint8 data is scaled to
    floats in ``[0, 1]`` (the default dtype), other data keeps its values and dtype."""
    is_np = isinstance(pic, np.ndarray)
    if not (is_np or _is_pil_image(pic)):
        raise TypeError(f'pic should be PIL Image or ndarray. Got {type(pic)}')
    if is_np and pic.ndim not in (2, 3):
        raise ValueError(f'pic should be 2/3 dimensional. Got {pic.ndim} dimensions.')
    float_np = get_default_dtype().np
    if is_np:
        arr = pic[:, :, None] if pic.ndim == 2 else pic
        arr = np.ascontiguousarray(arr.transpose((2, 0, 1)))
    else:
        mode_to_nptype = {'I': np.int32, 'I;16' if sys.byteorder == 'little' else 'I;16B':
                          np.int16, 'F': np.float32}
        arr = np.array(pic, mode_to_nptype.get(pic.mode, np.uint8), copy=True)
        if pic.mode == '1':
            arr = 255 * arr
        arr = np.ascontiguousarray(
            arr.reshape(pic.size[1], pic.size[0], len(pic.getbands())).transpose((2, 0, 1)))
    if arr.dtype == np.uint8:
        # NOTE: the same float32 division torch does (img.to(float).div(255))
        return _wrap(arr.astype(float_np) / float_np.type(255))
    return _wrap(arr)


def pil_to_tensor(pic) -> Tensor:
    """A PIL image as a ``C x H x W`` tensor of the same dtype (no scaling)."""
    if not _is_pil_image(pic):
        raise TypeError(f'pic should be PIL Image. Got {type(pic)}')
    arr = np.array(pic, copy=True)
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    return _wrap(arr).permute((2, 0, 1))


def convert_image_dtype(image: Tensor, dtype=None) -> Tensor:
    """Converts a tensor image to ``dtype`` (default float32), rescaling the values between
    the integer range ``[0, max]`` and the float range ``[0, 1]``."""
    from ... import float32
    if not isinstance(image, Tensor):
        raise TypeError('Input img should be Tensor Image')
    return F_t.convert_image_dtype(image, float32 if dtype is None else dtype)


def to_pil_image(pic, mode: str | None = None):
    """A tensor (``C x H x W``) or ndarray (``H x W x C``) as a PIL image; floats are scaled
    by 255 (unless ``mode='F'``)."""
    if isinstance(pic, Tensor):
        if pic.ndim == 3:
            pic = pic.permute((1, 2, 0))
        pic = pic.detach().numpy()
    elif not isinstance(pic, np.ndarray):
        raise TypeError(f'pic should be Tensor or ndarray. Got {type(pic)}.')
    if pic.ndim == 2:
        pic = np.expand_dims(pic, 2)
    if pic.ndim != 3:
        raise ValueError(f'pic should be 2/3 dimensional. Got {pic.ndim} dimensions.')
    if pic.shape[-1] > 4:
        raise ValueError(f'pic should not have > 4 channels. Got {pic.shape[-1]} channels.')
    npimg = pic
    if np.issubdtype(npimg.dtype, np.floating) and mode != 'F':
        npimg = (npimg * 255).astype(np.uint8)
    if npimg.shape[2] == 1:
        expected_mode = None
        npimg = npimg[:, :, 0]
        if npimg.dtype == np.uint8:
            expected_mode = 'L'
        elif npimg.dtype == np.int16:
            expected_mode = 'I;16' if sys.byteorder == 'little' else 'I;16B'
        elif npimg.dtype == np.int32:
            expected_mode = 'I'
        elif npimg.dtype == np.float32:
            expected_mode = 'F'
        if mode is not None and mode != expected_mode:
            raise ValueError(f'Incorrect mode ({mode}) supplied for input type {np.dtype}. '
                             f'Should be {expected_mode}')
        mode = expected_mode
    elif npimg.shape[2] == 2:
        if mode is not None and mode not in ['LA']:
            raise ValueError("Only modes ['LA'] are supported for 2D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = 'LA'
    elif npimg.shape[2] == 4:
        permitted = ['RGBA', 'CMYK', 'RGBX']
        if mode is not None and mode not in permitted:
            raise ValueError(f'Only modes {permitted} are supported for 4D inputs')
        if mode is None and npimg.dtype == np.uint8:
            mode = 'RGBA'
    else:
        permitted = ['RGB', 'YCbCr', 'HSV']
        if mode is not None and mode not in permitted:
            raise ValueError(f'Only modes {permitted} are supported for 3D inputs')
        if mode is None and npimg.dtype == np.uint8:
            mode = 'RGB'
    if mode is None:
        raise TypeError(f'Input type {npimg.dtype} is not supported')
    return image_fromarray(npimg, mode)


def normalize(tensor: Tensor, mean, std, inplace: bool = False) -> Tensor:
    """``(tensor - mean) / std`` per channel of a float tensor image."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f'img should be Tensor Image. Got {type(tensor)}')
    return F_t.normalize(tensor, mean=mean, std=std, inplace=inplace)


def _compute_resized_output_size(image_size: tuple[int, int], size: list[int],
                                 max_size: int | None = None) -> list[int]:
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if len(size) == 1:  # only the smaller edge is given: keep the aspect ratio
        requested_new_short = size if isinstance(size, int) else size[0]
        new_short, new_long = requested_new_short, int(requested_new_short * long / short)
        if max_size is not None:
            if max_size <= requested_new_short:
                raise ValueError(f'max_size = {max_size} must be strictly greater than the '
                                 f'requested size for the smaller edge size = {size}')
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    else:
        new_w, new_h = size[1], size[0]
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size: int | None = None,
           antialias: bool | None = True):
    """Resizes to ``size`` ((h, w), or the smaller edge when an int)."""
    interpolation = _check_interpolation(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError('Size must be an int or a 1 or 2 element tuple/list, not a '
                             f'{len(size)} element tuple/list')
        if max_size is not None and len(size) != 1:
            raise ValueError('max_size should only be passed if size specifies the length of '
                             'the smaller edge, i.e. size should be an int or a sequence of '
                             'length 1 in torchscript mode.')
    _, image_height, image_width = get_dimensions(img)
    if isinstance(size, int):
        size = [size]
    output_size = _compute_resized_output_size((image_height, image_width), size, max_size)
    if [image_height, image_width] == output_size:
        return img
    if not isinstance(img, Tensor):
        if antialias is False:
            warnings.warn('Anti-alias option is always applied for PIL Image input. Argument '
                          'antialias is ignored.')
        return F_pil.resize(img, size=output_size,
                            interpolation=pil_modes_mapping[interpolation])
    return F_t.resize(img, size=output_size, interpolation=interpolation.value,
                      antialias=antialias)


def pad(img, padding, fill=0, padding_mode: str = 'constant'):
    """Pads the borders: ``padding`` is an int, (left/right, top/bottom) or
    (left, top, right, bottom); modes constant, edge, reflect, symmetric."""
    if not isinstance(img, Tensor):
        return F_pil.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)
    return F_t.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)


def crop(img, top: int, left: int, height: int, width: int):
    """The ``height x width`` box at (top, left), zero-padded where it leaves the image."""
    if not isinstance(img, Tensor):
        return F_pil.crop(img, top, left, height, width)
    return F_t.crop(img, top, left, height, width)


def center_crop(img, output_size):
    """The central ``output_size`` box, zero-padded if the image is smaller."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [
            (crop_width - image_width) // 2 if crop_width > image_width else 0,
            (crop_height - image_height) // 2 if crop_height > image_height else 0,
            (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
            (crop_height - image_height + 1) // 2 if crop_height > image_height else 0,
        ]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(img, top: int, left: int, height: int, width: int, size,
                 interpolation=InterpolationMode.BILINEAR, antialias: bool | None = True):
    """``crop`` then ``resize``."""
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    """Mirrors left to right."""
    if not isinstance(img, Tensor):
        return F_pil.hflip(img)
    return F_t.hflip(img)


def vflip(img):
    """Mirrors top to bottom."""
    if not isinstance(img, Tensor):
        return F_pil.vflip(img)
    return F_t.vflip(img)


def _get_inverse_affine_matrix(center, angle: float, translate, scale: float, shear,
                               inverted: bool = True) -> list[float]:
    # NOTE: M = T * C * RotateScaleShear * C^-1; Pillow (and the tensor grid) want M^-1.
    rot = math.radians(angle)
    sx = math.radians(shear[0])
    sy = math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        matrix = [x / scale for x in [d, -b, 0.0, -c, a, 0.0]]
        matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
        matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
        matrix[2] += cx
        matrix[5] += cy
    else:
        matrix = [x * scale for x in [a, b, 0.0, c, d, 0.0]]
        matrix[2] += matrix[0] * (-cx) + matrix[1] * (-cy)
        matrix[5] += matrix[3] * (-cx) + matrix[4] * (-cy)
        matrix[2] += cx + tx
        matrix[5] += cy + ty
    return matrix


def rotate(img, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False,
           center=None, fill=None):
    """Rotates counter-clockwise by ``angle`` degrees about ``center`` (default: the middle)."""
    interpolation = _check_interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError('Argument angle should be int or float')
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError('Argument center should be a sequence')
    if not isinstance(img, Tensor):
        return F_pil.rotate(img, angle=angle, interpolation=pil_modes_mapping[interpolation],
                            expand=expand, center=center, fill=fill)
    center_f = [0.0, 0.0]
    if center is not None:
        _, height, width = get_dimensions(img)
        # the tensor grid puts (0, 0) at the image centre
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    # the grid's angle runs the other way round from Pillow's
    matrix = _get_inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return F_t.rotate(img, matrix=matrix, interpolation=interpolation.value, expand=expand,
                      fill=fill)


def rgb_to_grayscale(img, num_output_channels: int = 1):
    """Luma ``0.2989 R + 0.587 G + 0.114 B`` (Pillow's 'L' conversion for PIL images)."""
    if not isinstance(img, Tensor):
        return F_pil.to_grayscale(img, num_output_channels)
    return F_t.rgb_to_grayscale(img, num_output_channels)


def to_grayscale(img, num_output_channels: int = 1):
    """PIL-only grayscale conversion (use ``rgb_to_grayscale`` for tensors)."""
    if _is_pil_image(img):
        return F_pil.to_grayscale(img, num_output_channels)
    raise TypeError('Input should be PIL Image')
