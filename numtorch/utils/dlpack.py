"""DLPack exchange (``torch.utils.dlpack``): share a tensor's memory with other array
libraries (PyTorch, NumPy, ...) without copying."""
from __future__ import annotations

import enum

from .._ops.tensor_api import from_dlpack, to_dlpack

__all__ = ['DLDeviceType', 'from_dlpack', 'to_dlpack']


class DLDeviceType(enum.IntEnum):
    """DLPack's device codes (the values of ``__dlpack_device__()[0]``)."""
    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLROCMHost = 11
    kDLExtDev = 12
    kDLCUDAManaged = 13
    kDLOneAPI = 14
    kDLWebGPU = 15
    kDLHexagon = 16
    kDLMAIA = 17
