"""Keeps the C heap that NumPy's arrays come from between training steps (glibc only).

Every op returns a fresh NumPy array, and a training step frees most of them before the
next step allocates them again. With glibc's default malloc settings the freed top of the
heap goes back to the kernel, so the next step's arrays land on new pages whose first
touch is a page fault: measured here ~2,800 faults per step of the seed ResNet and
Inception nets, a quarter of their step time (PyTorch's own allocator avoids that).

Two mallopt settings keep the pages: a 64 MiB pad kept at the top of the heap when it
shrinks (M_TOP_PAD), and arrays up to 32 MiB (glibc's maximum) served from the heap
rather than from their own mmap (M_MMAP_THRESHOLD; setting the pad switches off glibc's
adaptive threshold, which would otherwise have done this). A process's peak memory is
unchanged; up to 64 MiB of freed memory stays mapped after the peak. Nothing is changed
when the user set malloc tunables themselves (MALLOC_*_ or GLIBC_TUNABLES), or on other
C libraries and platforms.
"""
from __future__ import annotations

import ctypes
import os
import sys

_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_TOP_PAD = 64 << 20
_MMAP_THRESHOLD = 32 << 20


def _user_tuned() -> bool:
    return ('GLIBC_TUNABLES' in os.environ
            or any(k.startswith('MALLOC_') and k.endswith('_') for k in os.environ))


def keep_heap() -> bool:
    """Applies the settings above; True if glibc accepted them."""
    if not sys.platform.startswith('linux') or _user_tuned():
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018  (present in glibc only)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return (mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1
            and mallopt(_M_TOP_PAD, _TOP_PAD) == 1)


keep_heap()
