"""Converting convolution weights to a memory format. numtorch keeps every tensor in the
contiguous row-major layout, so ``torch.contiguous_format`` (and ``preserve_format``) work
and the channels-last formats raise NotImplementedError naming them."""
from __future__ import annotations

from ..modules.conv import Conv2d, ConvTranspose2d, Conv3d, ConvTranspose3d

__all__ = ['convert_conv2d_weight_memory_format', 'convert_conv3d_weight_memory_format']


def _convert(module, kinds: tuple, memory_format):
    if isinstance(module, kinds):
        # the Parameter object stays (an optimizer may hold it); only its data is replaced
        module.weight.data = module.weight.detach().clone(memory_format=memory_format)
    for child in module.children():
        _convert(child, kinds, memory_format)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Puts the weight of every Conv2d / ConvTranspose2d in ``module`` (itself included,
    recursively) in ``memory_format``; returns ``module``."""
    return _convert(module, (Conv2d, ConvTranspose2d), memory_format)


def convert_conv3d_weight_memory_format(module, memory_format):
    """Puts the weight of every Conv3d / ConvTranspose3d in ``module`` (itself included,
    recursively) in ``memory_format``; returns ``module``."""
    return _convert(module, (Conv3d, ConvTranspose3d), memory_format)
