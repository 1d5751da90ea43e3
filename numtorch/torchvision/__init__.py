"""``torchvision`` on numtorch: the datasets, transforms and image utilities that course code
uses (``import torchvision`` resolves here under ``numtorch run``).

Pillow is optional (``pip install numtorch[vision]``) and imported only where a PIL image is made
or read: dataset items, ``ToPILImage``, ``save_image``.
"""
from . import datasets, transforms, utils

__all__ = ['datasets', 'transforms', 'utils', 'get_image_backend', 'set_image_backend']

__version__ = '0.29.0+numtorch'

_image_backend = 'PIL'


def get_image_backend() -> str:
    """The package used to load images: always 'PIL'."""
    return _image_backend


def set_image_backend(backend: str) -> None:
    """Chooses the image loader; only 'PIL' exists here (torchvision also has 'accimage')."""
    if backend == 'accimage':
        raise NotImplementedError("set_image_backend('accimage'): numtorch.torchvision reads "
                                  'images with PIL only')
    if backend != 'PIL':
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' and 'accimage'")
