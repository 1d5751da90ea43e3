"""numtorch._alloc: glibc keeps freed heap pages between steps unless the user tuned malloc."""
from __future__ import annotations

import ctypes
import os
import resource
import sys

import numpy as np
import pytest

import numtorch  # noqa: F401  (applies the settings on import)
from numtorch import _alloc


def _glibc() -> bool:
    try:
        ctypes.CDLL(None).gnu_get_libc_version
    except (OSError, AttributeError):
        return False
    return sys.platform.startswith('linux')


def test_keep_heap_applies_on_glibc(monkeypatch):
    for k in list(os.environ):
        if k.startswith('MALLOC_') or k == 'GLIBC_TUNABLES':
            monkeypatch.delenv(k)
    assert _alloc.keep_heap() is _glibc()


@pytest.mark.parametrize('var,value', [('MALLOC_TOP_PAD_', '0'),
                                       ('GLIBC_TUNABLES', 'glibc.malloc.trim_threshold=0')])
def test_user_malloc_settings_win(monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    assert _alloc.keep_heap() is False


def test_freed_arrays_do_not_fault_again():
    """Arrays of a few MiB freed and allocated again reuse their pages."""
    if not _alloc.keep_heap():  # another C library, or the user's own malloc settings
        assert not _glibc() or _alloc._user_tuned()
        return

    def step():
        arrays = [np.ones(1 << 19, np.float32) for _ in range(8)]  # 8 x 2 MiB
        del arrays

    step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(5):
        step()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert faults < 200, faults  # each step would fault ~4,000 pages back in otherwise
