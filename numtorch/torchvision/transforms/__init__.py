"""``torchvision.transforms``: image transforms for PIL images and tensor images."""
from .transforms import (Compose, ToTensor, PILToTensor, ConvertImageDtype, ToPILImage, Normalize,
                         Resize, CenterCrop, Pad, Lambda, RandomApply, RandomChoice, RandomOrder,
                         RandomCrop, RandomHorizontalFlip, RandomVerticalFlip, RandomRotation,
                         Grayscale, InterpolationMode)
from . import functional

__all__ = ['Compose', 'ToTensor', 'PILToTensor', 'ConvertImageDtype', 'ToPILImage', 'Normalize',
           'Resize', 'CenterCrop', 'Pad', 'Lambda', 'RandomApply', 'RandomChoice', 'RandomOrder',
           'RandomCrop', 'RandomHorizontalFlip', 'RandomVerticalFlip', 'RandomRotation',
           'Grayscale', 'InterpolationMode', 'functional']
