"""Process-wide settings that PyTorch exposes at top level (``torch.set_*`` / ``torch.get_*``).

Each setting keeps PyTorch's argument checks, errors and round trip. Where a setting tunes
something numtorch does not have (TF32 matmuls, an inter-op thread pool), it is stored and
reported back, since numtorch's results are those of PyTorch's most precise/serial mode.
"""
from __future__ import annotations

import os
import warnings

from ._device import device as _device, check_device
from ._dtype import set_default_dtype
from .autograd.engine import anomaly as _anomaly

__all__ = ['get_default_device', 'set_default_device', 'get_float32_matmul_precision',
           'set_float32_matmul_precision', 'set_warn_always', 'is_warn_always_enabled',
           'set_flush_denormal', 'is_anomaly_enabled', 'is_anomaly_check_nan_enabled',
           'set_anomaly_enabled', 'get_num_interop_threads', 'set_num_interop_threads',
           'init_num_threads', 'set_default_tensor_type', 'use_deterministic_algorithms',
           'are_deterministic_algorithms_enabled', 'is_deterministic_algorithms_warn_only_enabled',
           'get_deterministic_debug_mode', 'set_deterministic_debug_mode']


class _Settings:
    __slots__ = ('device', 'matmul_precision', 'warn_always', 'interop_threads',
                 'deterministic', 'warn_only')


_s = _Settings()
_s.device = None
_s.matmul_precision = 'highest'
_s.warn_always = False
# PyTorch sizes its inter-op pool from the core count until someone sets it.
_s.interop_threads = max(1, (os.cpu_count() or 1) // 2)
_s.deterministic = False
_s.warn_only = False


# -- default device -----------------------------------------------------------------------
def get_default_device() -> _device:
    """The device factory functions allocate on: ``device('cpu')`` unless set."""
    return _s.device if _s.device is not None else _device('cpu')


def set_default_device(device) -> None:
    """Sets the default device (``None`` restores cpu). Only cpu devices exist in numtorch;
    'cuda' raises as numtorch's device checks do."""
    if device is None:
        _s.device = None
        return
    d = device if isinstance(device, _device) else _device(device)
    check_device(d)
    _s.device = d


# -- float32 matmul precision -------------------------------------------------------------
_PRECISIONS = ('highest', 'high', 'medium')


def get_float32_matmul_precision() -> str:
    """The last precision set by set_float32_matmul_precision ('highest' by default)."""
    return _s.matmul_precision


def set_float32_matmul_precision(precision: str) -> None:
    """Records the float32 matmul precision. numtorch's matmuls are always full float32
    (PyTorch's 'highest'); 'high'/'medium' only permit PyTorch to use faster kernels, so
    full precision satisfies every setting."""
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      'setFloat32MatmulPrecision call has no effect.', UserWarning, stacklevel=2)
        return
    _s.matmul_precision = precision


# -- warnings -----------------------------------------------------------------------------
def set_warn_always(b: bool) -> None:
    """When True, warnings PyTorch gives once per process are given on every occurrence."""
    if type(b) is not bool:
        raise RuntimeError(f'setWarnOnlyOnce expects a bool, but got {type(b).__name__}')
    _s.warn_always = b


def is_warn_always_enabled() -> bool:
    return _s.warn_always


# -- denormals ----------------------------------------------------------------------------
def set_flush_denormal(mode: bool) -> bool:
    """Returns whether the flush-denormal mode asked for is in effect. NumPy gives no
    control of the CPU's flush-to-zero bits, so numtorch always keeps denormals: turning
    flushing off succeeds (True), turning it on is unsupported (False), as PyTorch reports
    on CPUs without the feature."""
    return not mode


# -- anomaly detection --------------------------------------------------------------------
def is_anomaly_enabled() -> bool:
    """Whether autograd anomaly detection is on (see autograd.set_detect_anomaly)."""
    return _anomaly.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection checks backward outputs for NaN."""
    return _anomaly.check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turns anomaly detection on or off (the functional form of set_detect_anomaly)."""
    _anomaly.enabled = bool(enabled)
    _anomaly.check_nan = bool(check_nan)


# -- threads ------------------------------------------------------------------------------
def get_num_interop_threads() -> int:
    """The inter-op thread count: numtorch runs ops one at a time in the calling thread,
    so this is the recorded setting only."""
    return _s.interop_threads


def set_num_interop_threads(n: int) -> None:
    if int(n) <= 0:
        raise RuntimeError('set_num_interop_threads expects a positive integer')
    _s.interop_threads = int(n)


def init_num_threads() -> None:
    """Initialises the calling thread's thread pools; numtorch's BLAS pool needs none."""


# -- default tensor type ------------------------------------------------------------------
def set_default_tensor_type(t) -> None:
    """Deprecated: sets the default floating dtype from a tensor type or its name."""
    from ._tensor import _TYPED
    warnings.warn('torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use '
                  'torch.set_default_dtype() and torch.set_default_device() as alternatives.',
                  UserWarning, stacklevel=2)
    if isinstance(t, str):
        if t.startswith('torch.cuda.'):
            raise TypeError(f'type {t} not available. Torch not compiled with CUDA enabled.')
        found = [c for c in _TYPED if f'torch.{c.__name__}' == t]
        if not found:
            raise ValueError(f'invalid type: {t!r}')
        t = found[0]
    if t not in _TYPED:
        raise TypeError('invalid type object: only floating-point types are supported as the '
                        'default type')
    if not t.dtype.is_floating_point:
        raise TypeError('only floating-point types are supported as the default type')
    set_default_dtype(t.dtype)


# -- deterministic algorithms -------------------------------------------------------------
def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Records whether deterministic algorithms are required. numtorch's CPU ops are all
    deterministic, so no op ever needs to raise or warn under it."""
    if type(mode) is not bool:
        raise TypeError(f'use_deterministic_algorithms(): argument \'mode\' (position 1) must '
                        f'be bool, not {type(mode).__name__}')
    _s.deterministic = mode
    _s.warn_only = bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _s.deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _s.warn_only


_DEBUG_MODES = ('default', 'warn', 'error')


def get_deterministic_debug_mode() -> int:
    """0 (off), 1 (deterministic, warn only) or 2 (deterministic, error)."""
    if not _s.deterministic:
        return 0
    return 1 if _s.warn_only else 2


def set_deterministic_debug_mode(debug_mode) -> None:
    """Sets the mode by name ('default', 'warn', 'error') or number (0, 1, 2)."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f'invalid value of debug_mode, expected one of `default`, `warn`, '
                               f'`error`, but got {debug_mode}')
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif type(debug_mode) is not int:
        raise TypeError(f'debug_mode must be str or int, but got {type(debug_mode)}')
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f'invalid value of debug_mode, expected 0, 1, or 2, but got '
                           f'{debug_mode}')
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)
