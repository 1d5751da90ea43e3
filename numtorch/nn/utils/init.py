"""``torch.nn.utils.skip_init``: build a module without initializing its parameters."""
from __future__ import annotations

import inspect

import numpy as np

from ..._device import check_device
from ..._ops.random import default_generator
from ..modules.module import Module

__all__ = ['skip_init']


def skip_init(module_cls, *args, **kwargs):
    """``module_cls(*args, **kwargs)`` with its parameters and buffers left uninitialized
    (as ``torch.empty``): their values are arbitrary and the random stream is not advanced.
    The class must take a ``device`` argument, as PyTorch requires.

    PyTorch builds the module on the meta device and then calls ``to_empty``; numtorch has
    no meta device, so it builds the module normally, rewinds the default generator to where
    it was, and gives every parameter and buffer fresh uninitialized storage."""
    if not issubclass(module_cls, Module):
        raise RuntimeError(f'Expected a Module; got {module_cls}')
    if 'device' not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop('device', 'cpu')
    state = default_generator.get_state()
    try:
        module = module_cls(*args, **kwargs)
    finally:
        default_generator.set_state(state)
    check_device(final_device)
    for t in (*module.parameters(), *module.buffers()):
        t._data = np.empty_like(t._data)
    return module
