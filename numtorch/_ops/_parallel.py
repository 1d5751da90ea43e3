"""Intra-op threads for the NumPy kernels of convolution and pooling.

An op splits its batch between ``numtorch.get_num_threads()`` threads, the calling one
included: NumPy's copies, ufuncs and matmul release the GIL, so each thread works through
its own samples (with its own work buffers) while the others run. PyTorch's intra-op
threads (``torch.set_num_threads``) play the same part. While they run, BLAS runs one
thread per caller (the threads are already busy).
"""
from __future__ import annotations

import ctypes
import os
import threading
import time

import numpy as np

from .._threads import _blas, get_num_threads, set_num_threads

__all__ = ['in_parallel', 'sum_parts']

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


def _enter() -> None:
    """Starts a region: BLAS quiet and at one thread per caller."""
    global _regions, _blas_threads, _openblas
    with _lock:
        if not _regions:
            if _openblas is None:
                _openblas = _OpenBLAS()
            _blas_threads = get_num_threads()
            _openblas.quiet(1 + (len(_pool.workers) if _pool is not None else 0))
            _openblas.set(1)
        _regions += 1


def _leave() -> None:
    global _regions
    with _lock:
        _regions -= 1
        if not _regions:
            _openblas.set(_blas_threads)


# NOTE: NumPy (2.3 and later) copies the operands of a ufunc through its buffers whenever
# their contiguous inner runs are shorter than the buffer size, 8192 elements by default:
# an add into a strided block with runs of 512 (a col2im shifted add) measured 2x slower
# than the same add without the copies, and the input gradient of a 5x5 conv 1.3x slower.
# Kernels run with a buffer as short as their shortest runs (their operands need no
# casts, so the buffers are never needed). The setting is NumPy's per-context one,
# restored when the kernel returns.
_BUFSIZE = 256


def _run(part, n0: int, n1: int):
    with np.errstate():
        np.setbufsize(_BUFSIZE)
        return part(n0, n1)


class _Worker:
    """One pool thread, waiting on its own lock for a piece of work.

    NOTE: a bare lock per thread and direction instead of a ThreadPoolExecutor: waking a
    thread and hearing back from it measured ~20 us here against ~60-100 us through the
    executor's queue and futures, on every one of a training step's dozens of splits."""
    __slots__ = ('go', 'done', 'job', 'out')

    def __init__(self):
        self.go = threading.Lock()
        self.go.acquire()
        self.done = threading.Lock()
        self.done.acquire()
        self.job = self.out = None
        threading.Thread(target=self._loop, name='numtorch-intraop', daemon=True).start()

    def _loop(self) -> None:
        while True:
            self.go.acquire()
            part, n0, n1, start = self.job
            self.job = None
            try:
                self.out = (_run(part, n0, n1), time.perf_counter() - start, None)
            except BaseException as e:  # handed to the calling thread
                self.out = (None, 0.0, e)
            self.done.release()


class _Pool:
    __slots__ = ('workers', 'busy')

    def __init__(self, size: int):
        self.workers = [_Worker() for _ in range(size)]
        self.busy = threading.Lock()  # held by the region using the workers


_pool = None


def _take_pool(t: int):
    """The pool with at least t-1 workers, held for the caller; None if another region
    (another user thread's, or one enclosing this call) holds it."""
    global _pool
    with _lock:
        if _pool is None or len(_pool.workers) < t - 1:
            if _pool is not None and not _pool.busy.acquire(blocking=False):
                return None
            _pool = _Pool(t - 1)  # (a smaller old pool's threads stay parked)
        pool = _pool
    return pool if pool.busy.acquire(blocking=False) else None


def _forget_pool() -> None:
    """In a forked child the pool threads do not exist: a new pool starts when needed (and
    BLAS gets back the thread count a region running in the parent had taken from it)."""
    global _pool, _lock, _regions
    if _regions and _openblas is not None:
        _openblas.set(_blas_threads)
    _pool = None
    _lock = threading.Lock()
    _regions = 0


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_forget_pool)


def in_parallel(part, n: int, split: bool = True, site=None) -> list:
    """Runs ``part(n0, n1)`` over a split of [0, n) on the intra-op threads (all of it in
    the calling thread when ``split`` is false) and returns the results in order.

    NOTE: one piece per thread, sized by how fast each thread got through its piece last
    time at this call site (``part``'s code and ``site``, a hashable key of the caller's
    shapes: layers of different sizes balance differently): a pool thread starts ~20-50 us
    late (its wake-up), and shares its core with OpenBLAS's threads while those spin after
    a multi-threaded product, so equal pieces leave the calling thread waiting. More,
    smaller pieces taken in turn measured slower: the threads' many short NumPy calls then
    hand the GIL back and forth, each hand-off a thread wake-up. Callers pass ``split``
    false for work too small to pay for a hand-off. A region started while the pool is in
    use (by another user thread, or around this call) runs in its calling thread."""
    t = min(_threads(), n) if split else 1
    if t <= 1:
        return [_run(part, 0, n)]
    pool = _take_pool(t)
    if pool is None:
        _enter()  # (BLAS stays at one thread while the other region runs)
        try:
            return [_run(part, 0, n)]
        finally:
            _leave()
    key = (part.__code__, n, t, site)
    speeds = _speeds.get(key) or [1.0] * t
    total = sum(speeds)
    bounds = [0]
    for v in speeds:
        bounds.append(min(n, round(bounds[-1] + n * v / total)))
    bounds[-1] = n
    workers = pool.workers[:t - 1]
    _enter()
    try:
        start = time.perf_counter()
        for i, w in enumerate(workers, 1):
            w.job = (part, bounds[i], bounds[i + 1], start)
            w.go.release()
        error = None
        try:
            first = (_run(part, bounds[0], bounds[1]), time.perf_counter() - start, None)
        except BaseException as e:
            first, error = None, e
        done = [first]
        for w in workers:  # (every worker is waited for: they write into the caller's arrays)
            w.done.acquire()
            done.append(w.out)
            w.out = None
            if error is None:
                error = done[-1][2]
    finally:
        _leave()
        pool.busy.release()
    if error is not None:
        raise error
    if all(b > a for a, b in zip(bounds, bounds[1:])):
        raw = [(b - a) / max(s, 1e-7) for (_, s, _), a, b in zip(done, bounds, bounds[1:])]
        scale = t / sum(raw)
        if len(_speeds) > 4096:
            _speeds.clear()
        # (relative speeds, averaged with the last ones; none below a quarter, so that a
        # thread measured slow once still gets work and is measured again)
        _speeds[key] = [max(0.25, (v + r * scale) / 2) for v, r in zip(speeds, raw)]
    return [r for r, _, _ in done]


def sum_parts(parts: list):
    """The sum of the non-None partial results (None if there are none)."""
    total = None
    for p in parts:
        if p is not None:
            total = p if total is None else total.__iadd__(p)
    return total
