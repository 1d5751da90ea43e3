"""``torch.random``: the default generator's seed and state, and ``fork_rng``."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ._ops.random import (Generator, default_generator, manual_seed, seed, initial_seed,
                          get_rng_state, set_rng_state)

__all__ = ['Generator', 'default_generator', 'manual_seed', 'seed', 'initial_seed',
           'get_rng_state', 'set_rng_state', 'fork_rng']


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = 'fork_rng',
             _devices_kw: str = 'devices', device_type=None) -> Iterator[None]:
    """Runs the block with the CPU generator's state saved and restores it afterwards, so
    random numbers drawn inside do not change the ones drawn after.

    numtorch has no accelerator, so, as in a CPU-only PyTorch, naming devices raises.
    """
    if device_type == 'meta' or not enabled:
        yield
        return
    if devices:
        raise AssertionError('Torch not compiled with CUDA enabled')
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
