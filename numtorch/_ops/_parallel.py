"""Intra-op threads for the NumPy kernels of convolution, pooling and normalisation.

An op splits its batch between ``numtorch.get_num_threads()`` threads, the calling one
included: NumPy's copies, ufuncs and matmul release the GIL, so each thread works through
its own samples (with its own work buffers) while the others run. PyTorch's intra-op
threads (``torch.set_num_threads``) play the same part.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .._threads import get_num_threads

__all__ = ['in_parallel', 'sum_parts']

_executor = None


def in_parallel(part, n: int, split: bool = True) -> list:
    """Runs ``part(n0, n1)`` over a split of [0, n) on the intra-op threads (all of it in
    the calling thread when ``split`` is false) and returns the results in order.

    NOTE: one piece per thread: with more, smaller pieces the threads' many short NumPy
    calls hand the GIL back and forth, each hand-off a thread wake-up (~50 us here), and
    small ops ran slower than in one thread. Callers pass ``split`` false for work too
    small to pay for a hand-off."""
    global _executor
    t = min(get_num_threads(), n) if split else 1
    if t <= 1:
        return [part(0, n)]
    if _executor is None or _executor._max_workers < t - 1:
        _executor = ThreadPoolExecutor(t - 1, thread_name_prefix='numtorch-intraop')
    bounds = [n * i // t for i in range(t + 1)]
    futures = [_executor.submit(part, bounds[i], bounds[i + 1]) for i in range(1, t)]
    first = part(bounds[0], bounds[1])
    return [first] + [f.result() for f in futures]


def sum_parts(parts: list):
    """The sum of the non-None partial results (None if there are none)."""
    total = None
    for p in parts:
        if p is not None:
            total = p if total is None else total.__iadd__(p)
    return total
