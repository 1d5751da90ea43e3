"""PyTorch's native window functions: ``torch.hann_window``, ``hamming_window``,
``blackman_window``, ``bartlett_window`` and ``kaiser_window``.

Each is computed in the requested floating dtype (as PyTorch's kernels do, so float32
windows carry float32 rounding) and returned as a leaf tensor. A periodic window of length L
is the symmetric window of length L + 1 without its last point.
"""
from __future__ import annotations

import math

import numpy as np

from .._device import check_device
from .._dtype import get_default_dtype
from .._tensor import Tensor, _wrap
from .bessel import _i0
from .creation import _to_dt

__all__ = ['hann_window', 'hamming_window', 'blackman_window', 'bartlett_window',
           'kaiser_window']

_STRIDED = 'torch.strided'


def _options(name: str, dtype, layout, device) -> str:
    """PyTorch's TensorOptions text, as its window errors print it."""
    dt = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half',
          'int64': 'long int', 'int32': 'int', 'int16': 'short int', 'int8': 'signed char',
          'uint8': 'unsigned char', 'bool': 'bool'}[np.dtype(dtype.np).name]
    dflt = ' (default)' if dtype is get_default_dtype() else ''
    lay = 'Strided (default)' if layout in (None, _STRIDED) else 'Sparse'
    return (f'TensorOptions(dtype={dt}{dflt}, device=cpu, layout={lay}, requires_grad=false '
            '(default), pinned_memory=false, memory_format=(nullopt))')


def _prepare(name: str, window_length, dtype, layout, device):
    """Checks the arguments as PyTorch's window_function_checks; returns the dtype."""
    if not isinstance(window_length, int) or isinstance(window_length, bool):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f'{type(window_length).__name__}')
    check_device(device)
    dt = get_default_dtype() if dtype is None else _to_dt(dtype)
    if layout not in (None, _STRIDED):
        raise RuntimeError(f'{name} is not implemented for sparse types, got: '
                           f'{_options(name, dt, layout, device)}')
    if not dt.is_floating_point:
        raise RuntimeError(f'{name} expects floating point dtypes, got: '
                           f'{_options(name, dt, layout, device)}')
    if window_length < 0:
        raise RuntimeError(f'{name} requires non-negative window_length, got '
                           f'window_length={window_length}')
    return dt


def _leaf(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _window(name: str, fn, window_length: int, periodic: bool, dtype, layout, device,
            requires_grad: bool) -> Tensor:
    """Runs ``fn(n, npdtype)`` (the symmetric window of n >= 2 points) with the length
    rules shared by all the native windows."""
    dt = _prepare(name, window_length, dtype, layout, device)
    npdt = np.dtype(dt.np).type
    if window_length <= 1:
        return _leaf(np.ones(window_length, npdt), requires_grad)
    n = window_length + 1 if periodic else window_length
    w = fn(n, npdt)
    return _leaf(np.ascontiguousarray(w[:window_length]).astype(npdt, copy=False),
                 requires_grad)


def _hamming(alpha: float, beta: float):
    def fn(n: int, npdt) -> np.ndarray:
        x = np.arange(n, dtype=npdt) * npdt(2 * math.pi / (n - 1))
        return np.cos(x) * npdt(-beta) + npdt(alpha)
    return fn


def _blackman(n: int, npdt) -> np.ndarray:
    # NOTE: PyTorch scales by pi/(L-1) and takes cos(4x), cos(2x), in the window's dtype.
    x = np.arange(n, dtype=npdt) * npdt(math.pi / (n - 1))
    return np.cos(x * npdt(4)) * npdt(0.08) - np.cos(x * npdt(2)) * npdt(0.5) + npdt(0.42)


def _bartlett(n: int, npdt) -> np.ndarray:
    w = np.arange(n, dtype=npdt) * npdt(2.0 / (n - 1))
    half = ((n - 1) >> 1) + 1
    w[half:] = npdt(2) - w[half:]
    return w


def _kaiser(beta: float):
    def fn(n: int, npdt) -> np.ndarray:
        alpha = (n - 1) / 2.0
        k = (np.arange(n, dtype=np.float64) - alpha) / alpha
        r = beta * np.sqrt(np.abs(1 - k * k))
        return (_i0(r) / _i0(np.float64(beta))).astype(npdt)
    return fn


def hann_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                device=None, pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """The Hann window, ``0.5 - 0.5 cos(2 pi n / (N - 1))``."""
    return _window('hann_window', _hamming(0.5, 0.5), window_length, periodic, dtype, layout,
                   device, requires_grad)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype=None, layout=None, device=None,
                   pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """The generalised Hamming window, ``alpha - beta cos(2 pi n / (N - 1))``."""
    return _window('hamming_window', _hamming(alpha, beta), window_length, periodic, dtype,
                   layout, device, requires_grad)


def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:
    """The Blackman window, ``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    return _window('blackman_window', _blackman, window_length, periodic, dtype, layout,
                   device, requires_grad)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:
    """The Bartlett (triangular) window, rising from 0 to 1 and back."""
    return _window('bartlett_window', _bartlett, window_length, periodic, dtype, layout,
                   device, requires_grad)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype=None, layout=None, device=None, pin_memory: bool = False,
                  requires_grad: bool = False) -> Tensor:
    """The Kaiser window, ``I0(beta sqrt(1 - ((n - a) / a)^2)) / I0(beta)``, a = (N - 1) / 2."""
    return _window('kaiser_window', _kaiser(float(beta)), window_length, periodic, dtype,
                   layout, device, requires_grad)
