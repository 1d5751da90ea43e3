"""Intra-op threads for the NumPy kernels of convolution and pooling.

An op splits its batch between ``numtorch.get_num_threads()`` threads, the calling one
included: NumPy's copies, ufuncs and matmul release the GIL, so each thread works through
its own samples (with its own work buffers) while the others run. PyTorch's intra-op
threads (``torch.set_num_threads``) play the same part. While they run, BLAS runs one
thread per caller (the threads are already busy).
"""
from __future__ import annotations

import ctypes
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from .._threads import _blas, get_num_threads, set_num_threads

__all__ = ['in_parallel', 'sum_parts']

_executor = None
# Per call site and size: each thread's measured speed (items per second), which sets its
# share of the next call.
_speeds: dict = {}


class _OpenBLAS:
    """OpenBLAS's thread count and thread pool, reached directly where the library
    exports them (NumPy's wheels do); otherwise the thread count through set_num_threads.

    NOTE: after a multi-threaded product (a big Linear layer, say) OpenBLAS's threads
    busy-wait for their next job for ~0.1 s, each taking a core from the intra-op threads:
    measured here, the seed Inception step ran 1.6x slower with them. So a region first
    stops them -- what OpenBLAS itself does before a fork, safe when no other thread can
    be in the middle of a BLAS call: only when no thread but the calling one and the
    intra-op threads is running. The thread count is then set by writing OpenBLAS's
    variable, because set_num_threads would start the threads again at once (~70 us,
    and they spin); the next multi-threaded product starts them."""

    def __init__(self):
        lib = _blas()
        self.stop = getattr(lib, 'blas_thread_shutdown_', None)
        try:
            self.count = ctypes.c_int.in_dll(lib, 'blas_cpu_number')
        except (TypeError, ValueError, AttributeError):
            self.count = None

    def quiet(self, ours: int) -> None:
        """Stops OpenBLAS's threads unless threads other than ``ours`` exist."""
        if self.stop is not None and self.count is not None \
                and threading.active_count() <= ours:
            self.stop()

    def set(self, n: int) -> None:
        if self.count is not None:
            self.count.value = n
        else:
            set_num_threads(n)


_openblas = None
_lock = threading.Lock()
_regions = 0  # parallel regions running (from several user threads at once, possibly)
_blas_threads = 1  # BLAS's thread count outside them


def _threads() -> int:
    """The intra-op thread count (BLAS runs one thread while regions run)."""
    with _lock:
        return _blas_threads if _regions else get_num_threads()


def _enter(t: int) -> ThreadPoolExecutor:
    """Starts a region on ``t`` threads: BLAS quiet and at one thread per caller, the
    pool ready."""
    global _executor, _regions, _blas_threads, _openblas
    with _lock:
        if _executor is None or _executor._max_workers < t - 1:
            _executor = ThreadPoolExecutor(t - 1, thread_name_prefix='numtorch-intraop')
        if not _regions:
            if _openblas is None:
                _openblas = _OpenBLAS()
            _blas_threads = get_num_threads()
            _openblas.quiet(1 + _executor._max_workers)
            _openblas.set(1)
        _regions += 1
        return _executor


def _leave() -> None:
    global _regions
    with _lock:
        _regions -= 1
        if not _regions:
            _openblas.set(_blas_threads)


def _timed(part, n0: int, n1: int, start: float):
    result = part(n0, n1)
    return result, time.perf_counter() - start


def in_parallel(part, n: int, split: bool = True) -> list:
    """Runs ``part(n0, n1)`` over a split of [0, n) on the intra-op threads (all of it in
    the calling thread when ``split`` is false) and returns the results in order.

    NOTE: one piece per thread, sized by how fast each thread got through its piece last
    time at this call site: a pool thread starts ~50-100 us late (its wake-up), and shares
    its core with OpenBLAS's threads while those spin after a multi-threaded product, so
    equal pieces leave the calling thread waiting. More, smaller pieces taken in turn
    measured slower: the threads' many short NumPy calls then hand the GIL back and forth,
    each hand-off a thread wake-up. Callers pass ``split`` false for work too small to pay
    for a hand-off."""
    t = min(_threads(), n) if split else 1
    if t <= 1:
        return [part(0, n)]
    key = (part.__code__, n, t)
    speeds = _speeds.get(key) or [1.0] * t
    total = sum(speeds)
    bounds = [0]
    for v in speeds:
        bounds.append(min(n, round(bounds[-1] + n * v / total)))
    bounds[-1] = n
    executor = _enter(t)
    try:
        start = time.perf_counter()
        futures = [executor.submit(_timed, part, bounds[i], bounds[i + 1], start)
                   for i in range(1, t)]
        first = _timed(part, bounds[0], bounds[1], start)
        done = [first] + [f.result() for f in futures]
    finally:
        _leave()
    if all(b > a for a, b in zip(bounds, bounds[1:])):
        raw = [(b - a) / max(s, 1e-7) for (_, s), a, b in zip(done, bounds, bounds[1:])]
        scale = t / sum(raw)
        if len(_speeds) > 4096:
            _speeds.clear()
        # (relative speeds, averaged with the last ones; none below a quarter, so that a
        # thread measured slow once still gets work and is measured again)
        _speeds[key] = [max(0.25, (v + r * scale) / 2) for v, r in zip(speeds, raw)]
    return [r for r, _ in done]


def sum_parts(parts: list):
    """The sum of the non-None partial results (None if there are none)."""
    total = None
    for p in parts:
        if p is not None:
            total = p if total is None else total.__iadd__(p)
    return total
