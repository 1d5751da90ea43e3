"""torch.nn.attention: choosing the backend of F.scaled_dot_product_attention.

numtorch computes attention with one kernel; ``sdpa_kernel`` still records which backends are
allowed, and with the math backend off, scaled_dot_product_attention accepts exactly the inputs
PyTorch's CPU flash kernel accepts (and raises PyTorch's error otherwise). See _backends.py.
"""
from __future__ import annotations

import contextlib
import enum
from typing import Iterable

from . import _backends

__all__ = ['SDPBackend', 'sdpa_kernel', 'WARN_FOR_UNFUSED_KERNELS']

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.Enum):
    """The backends of scaled dot product attention: ERROR (none could be chosen), MATH, and
    the fused FLASH_ATTENTION, EFFICIENT_ATTENTION, CUDNN_ATTENTION and OVERRIDEABLE."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __int__(self) -> int:
        return self.value

    __index__ = __int__


_NAME_OF = {SDPBackend.CUDNN_ATTENTION: 'cudnn', SDPBackend.FLASH_ATTENTION: 'flash',
            SDPBackend.EFFICIENT_ATTENTION: 'mem_efficient', SDPBackend.MATH: 'math',
            SDPBackend.OVERRIDEABLE: 'overrideable'}


def _cur_sdpa_kernel_backends(with_priority: bool = False) -> list:
    """The enabled backends (in priority order when asked)."""
    st = _backends.state
    backends = [b for b, n in _NAME_OF.items() if getattr(st, n)]
    if with_priority:
        backends.sort(key=lambda b: st.priority.index(int(b)))
    return backends


def _sdpa_kernel(backends: Iterable, set_priority: bool = False) -> None:
    st = _backends.state
    for b, n in _NAME_OF.items():
        setattr(st, n, b in backends)
    if set_priority:
        order = [int(b) for b in backends]
        order += [p for p in st.priority if p not in order]
        st.priority = order


@contextlib.contextmanager
def sdpa_kernel(backends: list | SDPBackend, set_priority: bool = False):
    """Within the block only ``backends`` (one SDPBackend or a list) may run
    scaled_dot_product_attention; ``set_priority`` makes the list's order their priority.
    The previous selection comes back on exit."""
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError('Backend must be an instance of SDPBackend or a list of SDPBackend '
                             f'instances, got {type(backends).__name__}')
    if isinstance(backends, SDPBackend):
        backends = [backends]
    backends = list(dict.fromkeys(backends))
    previous = _cur_sdpa_kernel_backends(with_priority=set_priority)
    try:
        _sdpa_kernel(backends, set_priority)
        yield {}
    finally:
        _sdpa_kernel(previous, set_priority)
