"""``nn.DataParallel`` as PyTorch runs it on a machine without accelerators: the wrapped
module runs as it is (there are no devices to scatter the batch over), its parameters and
buffers appear under ``module.`` in the state dict."""
from __future__ import annotations

from typing import Any

from ..modules.module import Module

__all__ = ['DataParallel', 'data_parallel']


class DataParallel(Module):
    """Wraps ``module`` for single-process data parallelism across accelerators. With none
    available (numtorch computes on the CPU) PyTorch keeps only ``module`` and an empty
    ``device_ids``, ignores ``device_ids``/``output_device``/``dim``, and ``forward``
    calls the module directly; so does this class."""

    def __init__(self, module: Module, device_ids=None, output_device=None,
                 dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list = []

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs, device_ids=None, output_device=None, dim: int = 0,
                  module_kwargs=None):
    """The functional form of DataParallel. It needs accelerators to tell the device type
    by; without any it raises, as PyTorch does."""
    raise RuntimeError('device type could not be determined')
