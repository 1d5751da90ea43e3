"""torch.multiprocessing: Python's multiprocessing (numtorch tensors pickle as plain arrays,
so no shared-memory reductions are needed)."""
from __future__ import annotations

from multiprocessing import *  # noqa: F401,F403
from multiprocessing import get_context, get_start_method, set_start_method  # noqa: F401


def set_sharing_strategy(new_strategy: str) -> None:
    """Accepted for compatibility; tensors travel between processes by pickling."""
    if new_strategy not in ('file_descriptor', 'file_system'):
        raise ValueError(f'invalid sharing strategy {new_strategy!r}')


def get_sharing_strategy() -> str:
    return 'file_system'
