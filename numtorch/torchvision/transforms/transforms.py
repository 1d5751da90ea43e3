"""``torchvision.transforms``: the classic (v1) transform classes.

Like torchvision's, the random transforms draw from numtorch's global generator with the same
calls (``torch.rand(1) < p`` for a flip, ``torch.randint`` for a crop offset, ``uniform_`` for an
angle), so under one ``manual_seed`` they make the choices torchvision makes.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence

from ..._tensor import Tensor
from ...nn.modules.module import Module
from . import functional as F
from .functional import InterpolationMode, _interpolation_modes_from_int

__all__ = ['Compose', 'ToTensor', 'PILToTensor', 'ConvertImageDtype', 'ToPILImage',
           'Normalize', 'Resize', 'CenterCrop', 'Pad', 'Lambda', 'RandomApply', 'RandomChoice',
           'RandomOrder', 'RandomCrop', 'RandomHorizontalFlip', 'RandomVerticalFlip',
           'RandomRotation', 'Grayscale', 'InterpolationMode']


def _rand():
    from ..._ops.random import rand
    return rand(1)


class Compose:
    """Applies ``transforms`` one after the other."""

    def __init__(self, transforms) -> None:
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        s = self.__class__.__name__ + '('
        for t in self.transforms:
            s += f'\n    {t}'
        return s + '\n)'


class ToTensor:
    """PIL image or ``H x W x C`` ndarray -> ``C x H x W`` float tensor in ``[0, 1]`` (for uint8
    data; see ``functional.to_tensor``)."""

    def __call__(self, pic) -> Tensor:
        return F.to_tensor(pic)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'


class PILToTensor:
    """PIL image -> ``C x H x W`` tensor of the image's own dtype (no scaling)."""

    def __call__(self, pic) -> Tensor:
        return F.pil_to_tensor(pic)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'


class ConvertImageDtype(Module):
    """Converts a tensor image to ``dtype``, rescaling its values."""

    def __init__(self, dtype) -> None:
        super().__init__()
        self.dtype = dtype

    def forward(self, image: Tensor) -> Tensor:
        return F.convert_image_dtype(image, self.dtype)


class ToPILImage:
    """Tensor (``C x H x W``) or ndarray (``H x W x C``) -> PIL image of ``mode``."""

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self) -> str:
        s = f'{self.__class__.__name__}('
        if self.mode is not None:
            s += f'mode={self.mode}'
        return s + ')'


class Normalize(Module):
    """``(x - mean[c]) / std[c]`` for each channel ``c`` of a float tensor image."""

    def __init__(self, mean, std, inplace: bool = False) -> None:
        super().__init__()
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def forward(self, tensor: Tensor) -> Tensor:
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(mean={self.mean}, std={self.std})'


class Resize(Module):
    """Resizes to ``size``: (h, w), or an int for the smaller edge (keeping the aspect ratio)."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias: bool | None = True) -> None:
        super().__init__()
        if not isinstance(size, (int, Sequence)):
            raise TypeError(f'Size should be int or sequence. Got {type(size)}')
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError('If size is a sequence, it should have 1 or 2 values')
        self.size = size
        self.max_size = max_size
        if isinstance(interpolation, int):
            interpolation = _interpolation_modes_from_int(interpolation)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'interpolation={self.interpolation.value}, max_size={self.max_size}, '
                f'antialias={self.antialias})')


def _setup_size(size, error_msg: str):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(error_msg)
    return size


class CenterCrop(Module):
    """The central ``size`` (h, w) box; zero-padded where the image is smaller."""

    def __init__(self, size) -> None:
        super().__init__()
        self.size = _setup_size(size, 'Please provide only two dimensions (h, w) for size.')

    def forward(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(size={self.size})'


class Pad(Module):
    """Pads every border (see ``functional.pad``)."""

    def __init__(self, padding, fill=0, padding_mode: str = 'constant') -> None:
        super().__init__()
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError('Got inappropriate padding arg')
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError('Got inappropriate fill arg')
        if padding_mode not in ('constant', 'edge', 'reflect', 'symmetric'):
            raise ValueError('Padding mode should be either constant, edge, reflect or '
                             'symmetric')
        if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
            raise ValueError('Padding must be an int or a 1, 2, or 4 element tuple, not a '
                             f'{len(padding)} element tuple')
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def forward(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(padding={self.padding}, fill={self.fill}, '
                f'padding_mode={self.padding_mode})')


class Lambda:
    """Applies a user function as a transform."""

    def __init__(self, lambd) -> None:
        if not callable(lambd):
            raise TypeError(f'Argument lambd should be callable, got {repr(type(lambd).__name__)}')
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'


class RandomApply(Module):
    """Applies the list of ``transforms`` with probability ``p``."""

    def __init__(self, transforms, p: float = 0.5) -> None:
        super().__init__()
        self.transforms = transforms
        self.p = p

    def forward(self, img):
        if self.p < _rand():
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        s = f'{self.__class__.__name__}(\n    p={self.p}'
        for t in self.transforms:
            s += f'\n    {t}'
        return s + '\n)'


class RandomOrder:
    """Applies ``transforms`` in a random order."""

    def __init__(self, transforms) -> None:
        if not isinstance(transforms, Sequence):
            raise TypeError('Argument transforms should be a sequence')
        self.transforms = transforms

    def __call__(self, img):
        import random
        # torchvision shuffles with Python's random module here, not torch's generator
        order = list(range(len(self.transforms)))
        random.shuffle(order)
        for i in order:
            img = self.transforms[i](img)
        return img

    def __repr__(self) -> str:
        return Compose.__repr__(self)


class RandomChoice:
    """Applies one transform picked from ``transforms`` (weighted by ``p``)."""

    def __init__(self, transforms, p=None) -> None:
        if not isinstance(transforms, Sequence):
            raise TypeError('Argument transforms should be a sequence')
        if p is not None and not isinstance(p, Sequence):
            raise TypeError('Argument p should be a sequence')
        if p is not None and len(p) != len(transforms):
            raise ValueError(f'Length of p doesn\'t match the number of transforms: {len(p)} != '
                             f'{len(transforms)}')
        self.transforms = transforms
        total = sum(p) if p is not None else len(transforms)
        self.p = [w / total for w in p] if p is not None else [1.0 / total] * len(transforms)

    def __call__(self, *args):
        import random
        t = random.choices(self.transforms, weights=self.p)[0]
        return t(*args)

    def __repr__(self) -> str:
        return f'{Compose.__repr__(self)}(p={self.p})'


class RandomCrop(Module):
    """A ``size`` box at a random position, after optional ``padding``."""

    @staticmethod
    def get_params(img, output_size: tuple[int, int]) -> tuple[int, int, int, int]:
        from ..._ops.random import randint
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f'Required crop size {(th, tw)} is larger than input image size '
                             f'{(h, w)}')
        if w == tw and h == th:
            return 0, 0, h, w
        i = randint(0, h - th + 1, size=(1,)).item()
        j = randint(0, w - tw + 1, size=(1,)).item()
        return i, j, th, tw

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill=0,
                 padding_mode: str = 'constant') -> None:
        super().__init__()
        self.size = tuple(_setup_size(size, 'Please provide only two dimensions (h, w) for '
                                            'size.'))
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    def forward(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return F.crop(img, i, j, h, w)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(size={self.size}, padding={self.padding})'


class RandomHorizontalFlip(Module):
    """Mirrors left to right with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = p

    def forward(self, img):
        if _rand() < self.p:
            return F.hflip(img)
        return img

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(p={self.p})'


class RandomVerticalFlip(Module):
    """Mirrors top to bottom with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = p

    def forward(self, img):
        if _rand() < self.p:
            return F.vflip(img)
        return img

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(p={self.p})'


def _check_sequence_input(x, name: str, req_sizes) -> None:
    msg = req_sizes[0] if len(req_sizes) < 2 else ' or '.join([str(s) for s in req_sizes])
    if not isinstance(x, Sequence):
        raise TypeError(f'{name} should be a sequence of length {msg}.')
    if len(x) not in req_sizes:
        raise ValueError(f'{name} should be a sequence of length {msg}.')


def _setup_angle(x, name: str, req_sizes=(2,)) -> list[float]:
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f'If {name} is a single number, it must be positive.')
        x = [-x, x]
    else:
        _check_sequence_input(x, name, req_sizes)
    return [float(d) for d in x]


class RandomRotation(Module):
    """Rotates by an angle drawn uniformly from ``degrees`` ((min, max), or +-degrees)."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand: bool = False,
                 center=None, fill=0) -> None:
        super().__init__()
        if isinstance(interpolation, int):
            interpolation = _interpolation_modes_from_int(interpolation)
        self.degrees = _setup_angle(degrees, name='degrees', req_sizes=(2,))
        if center is not None:
            _check_sequence_input(center, 'center', req_sizes=(2,))
        self.center = center
        self.interpolation = interpolation
        self.expand = expand
        if fill is None:
            fill = 0
        elif not isinstance(fill, (Sequence, numbers.Number)):
            raise TypeError('Fill should be either a sequence or a number.')
        self.fill = fill

    @staticmethod
    def get_params(degrees: list[float]) -> float:
        from ..._ops.creation import empty
        return float(empty(1).uniform_(float(degrees[0]), float(degrees[1])).item())

    def forward(self, img):
        fill = self.fill
        channels, _, _ = F.get_dimensions(img)
        if isinstance(img, Tensor):
            fill = [float(fill)] * channels if isinstance(fill, (int, float)) else [
                float(f) for f in fill]
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, fill)

    def __repr__(self) -> str:
        s = f'{self.__class__.__name__}(degrees={self.degrees}'
        s += f', interpolation={self.interpolation.value}, expand={self.expand}'
        if self.center is not None:
            s += f', center={self.center}'
        if self.fill is not None:
            s += f', fill={self.fill}'
        return s + ')'


class Grayscale(Module):
    """Converts to grayscale with 1 or 3 output channels."""

    def __init__(self, num_output_channels: int = 1) -> None:
        super().__init__()
        self.num_output_channels = num_output_channels

    def forward(self, img):
        return F.rgb_to_grayscale(img, num_output_channels=self.num_output_channels)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(num_output_channels={self.num_output_channels})'
