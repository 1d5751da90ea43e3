"""The thread count of NumPy's BLAS, which runs numtorch's matrix products.

``torch.set_num_threads`` sets PyTorch's intra-op pool; numtorch's equivalent is the BLAS
library NumPy loaded (OpenBLAS in NumPy's wheels), reached through its C entry points.
"""
from __future__ import annotations

import ctypes
import os
import re

__all__ = ['set_num_threads', 'get_num_threads']

_SET = ('scipy_openblas_set_num_threads64_', 'openblas_set_num_threads64_',
        'openblas_set_num_threads', 'MKL_Set_Num_Threads')
_GET = ('scipy_openblas_get_num_threads64_', 'openblas_get_num_threads64_',
        'openblas_get_num_threads', 'MKL_Get_Max_Threads')
_lib = None


def _blas():
    """The loaded BLAS library with a thread-count API, or None if there is none."""
    global _lib
    if _lib is None:
        import numpy  # noqa: F401  (loads the BLAS library)
        _lib = False
        try:
            maps = open('/proc/self/maps').read()
        except OSError:
            return None
        for path in sorted(set(re.findall(r'(/\S*(?:openblas|mkl_rt)\S*\.so\S*)', maps))):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            if any(hasattr(lib, n) for n in _SET):
                _lib = lib
                break
    return _lib or None


def set_num_threads(n: int) -> None:
    """Sets how many threads matrix products use (PyTorch: its intra-op threads)."""
    n = int(n)
    if n < 1:
        raise RuntimeError('set_num_threads expects a positive integer')
    lib = _blas()
    if lib is None:
        return
    for name in _SET:
        fn = getattr(lib, name, None)
        if fn is not None:
            fn(ctypes.c_int(n))
            return


_get = None  # BLAS's thread-count getter once looked up (False: there is none)


def _getter():
    """BLAS's thread-count getter (resolved once: the lookup costs ~10 us, and the intra-op
    threads ask for the count on every split), or None if there is none."""
    global _get
    if _get is None:
        _get = False
        lib = _blas()
        if lib is not None:
            for name in _GET:
                fn = getattr(lib, name, None)
                if fn is not None:
                    fn.restype = ctypes.c_int
                    _get = fn
                    break
    return _get or None


def get_num_threads() -> int:
    """How many threads matrix products use."""
    fn = _getter()
    if fn is not None:
        return int(fn())
    return os.cpu_count() or 1
