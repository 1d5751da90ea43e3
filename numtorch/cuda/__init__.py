"""torch.cuda: numtorch has no GPU backend yet, so no CUDA device is ever available."""
from __future__ import annotations

__all__ = ['is_available', 'device_count', 'manual_seed', 'manual_seed_all', 'current_device',
           'synchronize', 'empty_cache', 'is_initialized', 'get_device_name']


def is_available() -> bool:
    """False: numtorch computes on the CPU only."""
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Ignored without CUDA, as in PyTorch."""


def manual_seed_all(seed: int) -> None:
    """Ignored without CUDA, as in PyTorch."""


def empty_cache() -> None:
    """Nothing to free without CUDA."""


def _no_cuda():
    raise AssertionError('Torch not compiled with CUDA enabled')


def current_device() -> int:
    _no_cuda()


def synchronize(device=None) -> None:
    _no_cuda()


def get_device_name(device=None) -> str:
    _no_cuda()
