"""Pillow, imported only where an image really is a PIL image (``numtorch[vision]``)."""
from __future__ import annotations

import sys


def pil_image():
    """The ``PIL.Image`` module, or an ImportError that says how to install Pillow."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError('numtorch.torchvision needs Pillow for PIL images (datasets, ToPILImage, '
                          'save_image): pip install pillow, or pip install numtorch[vision]'
                          ) from None
    return Image


def is_pil_image(obj) -> bool:
    """True if ``obj`` is a PIL image; never imports Pillow (an object can only be a PIL image
    if Pillow is imported already)."""
    mod = sys.modules.get('PIL.Image')
    return mod is not None and isinstance(obj, mod.Image)


def image_fromarray(arr, mode: str):
    """A PIL image of mode ``mode`` holding the bytes of ``arr`` (HxW or HxWxC).

    ``Image.fromarray`` infers the mode from the array; a mode it would not infer (e.g. 'YCbCr'
    for 3 uint8 channels) reads the same bytes in that mode, as torchvision does.
    """
    import numpy as np
    Image = pil_image()
    arr = np.ascontiguousarray(arr)
    img = Image.fromarray(arr)
    if img.mode == mode:
        return img
    h, w = arr.shape[:2]
    return Image.frombuffer(mode, (w, h), arr.tobytes(), 'raw', mode, 0, 1)
