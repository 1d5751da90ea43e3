"""The loop each DataLoader worker process runs, its seeding, and
``get_worker_info()``."""
from __future__ import annotations

import os
import queue
import random
from dataclasses import dataclass

from . import IS_WINDOWS, MP_STATUS_CHECK_INTERVAL, signal_handling
from ...._utils import ExceptionWrapper

__all__ = ['WorkerInfo', 'get_worker_info']


if IS_WINDOWS:
    class ManagerWatchdog:
        """Tells a worker whether the process that started it is still alive (Windows
        keeps an orphan's parent pid, so ask the parent's process handle)."""

        def __init__(self) -> None:
            import ctypes
            from ctypes.wintypes import BOOL, DWORD, HANDLE
            self.manager_pid = os.getppid()
            self.kernel32 = ctypes.WinDLL('kernel32', use_last_error=True)
            self.kernel32.OpenProcess.argtypes = (DWORD, BOOL, DWORD)
            self.kernel32.OpenProcess.restype = HANDLE
            self.kernel32.WaitForSingleObject.argtypes = (HANDLE, DWORD)
            self.kernel32.WaitForSingleObject.restype = DWORD
            self.manager_handle = self.kernel32.OpenProcess(0x00100000, 0, self.manager_pid)
            if not self.manager_handle:
                raise ctypes.WinError(ctypes.get_last_error())
            self.manager_dead = False

        def is_alive(self) -> bool:
            if not self.manager_dead:
                self.manager_dead = self.kernel32.WaitForSingleObject(
                    self.manager_handle, 0) == 0
            return not self.manager_dead
else:
    class ManagerWatchdog:
        """Tells a worker whether the process that started it is still alive (on POSIX an
        orphan is re-parented, so its parent pid changes)."""

        def __init__(self) -> None:
            self.manager_pid = os.getppid()
            self.manager_dead = False

        def is_alive(self) -> bool:
            if not self.manager_dead:
                self.manager_dead = os.getppid() != self.manager_pid
            return not self.manager_dead


_worker_info: 'WorkerInfo | None' = None


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """What a worker knows about itself: ``id`` (0..num_workers-1), ``num_workers``,
    the ``seed`` it was seeded with, and its own copy of the ``dataset``."""
    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str | None = 'multiprocessing'


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker process, its ``WorkerInfo``; in the main process, None."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose IterableDataset replica is exhausted."""
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch."""
    seed: int | None = None


def _generate_state(base_seed: int, worker_id: int) -> list[int]:
    """Four 32-bit words seeding NumPy's global RNG in a worker, mixed from
    ``(worker_id, base_seed)`` like ``numpy.random.SeedSequence`` (PyTorch's scheme), so
    NumPy's stream differs from ``random``'s even though both come from one seed."""
    INIT_A = 0x43B0D7E5
    MULT_A = 0x931E8875
    INIT_B = 0x8B51F9DD
    MULT_B = 0x58F38DED
    MIX_MULT_L = 0xCA01F9DD
    MIX_MULT_R = 0x4973F715
    XSHIFT = 4 * 8 // 2
    MASK32 = 0xFFFFFFFF

    entropy = [worker_id, base_seed & MASK32, base_seed >> 32, 0]
    pool = [0] * 4
    hash_const_A = INIT_A

    def hash(value):
        nonlocal hash_const_A
        value = (value ^ hash_const_A) & MASK32
        hash_const_A = (hash_const_A * MULT_A) & MASK32
        value = (value * hash_const_A) & MASK32
        return (value ^ (value >> XSHIFT)) & MASK32

    def mix(x, y):
        result = ((MIX_MULT_L * x) & MASK32) - ((MIX_MULT_R * y) & MASK32)
        result &= MASK32
        return (result ^ (result >> XSHIFT)) & MASK32

    for i in range(len(pool)):
        pool[i] = hash(entropy[i])
    # Mix every word into every other so that late bits affect early ones.
    for i_src in range(len(pool)):
        for i_dst in range(len(pool)):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash(pool[i_src]))

    hash_const_B = INIT_B
    state = []
    for i_dst in range(4):
        data_val = pool[i_dst]
        data_val = (data_val ^ hash_const_B) & MASK32
        hash_const_B = (hash_const_B * MULT_B) & MASK32
        data_val = (data_val * hash_const_B) & MASK32
        data_val = (data_val ^ (data_val >> XSHIFT)) & MASK32
        state.append(data_val)
    return state


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                 persistent_workers, shared_seed) -> None:
    """Serves ``(idx, index)`` tasks from ``index_queue`` with ``(idx, batch)`` results on
    ``data_queue`` until it receives None (the main process is done) or the main process
    dies. Errors travel back as ExceptionWrapper; an exhausted IterableDataset replica
    answers with _IterableDatasetStopIteration."""
    try:
        signal_handling._set_worker_signal_handlers()

        seed = base_seed + worker_id
        random.seed(seed)
        from ...._ops.random import manual_seed
        manual_seed(seed)
        import numpy as np
        np.random.seed(_generate_state(base_seed, worker_id))

        global _worker_info
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)

        from .fetch import _MapDatasetFetcher, _IterableDatasetFetcher
        fetcher_cls = _MapDatasetFetcher if dataset_kind == 0 else _IterableDatasetFetcher

        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = fetcher_cls(dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f'in DataLoader worker process {worker_id}')

        # Set when this worker's IterableDataset replica is exhausted: from then on it
        # only waits for the final None (done_event is shared and only the main process
        # may set it).
        iteration_end = False

        watchdog = ManagerWatchdog()

        while watchdog.is_alive():
            try:
                r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                fetcher = fetcher_cls(dataset, auto_collation, collate_fn, drop_last)
                continue
            if r is None:
                if not done_event.is_set() and not iteration_end:
                    raise AssertionError('Received final signal but neither done_event nor '
                                         'iteration_end is set')
                break
            if done_event.is_set() or iteration_end:
                continue  # shutting down: skip work until the final None arrives
            idx, index = r
            if init_exception is not None:
                data = init_exception
                init_exception = None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == 1:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(
                            where=f'in DataLoader worker process {worker_id}')
            data_queue.put((idx, data))
            del data, idx, index, r  # don't hold the batch while waiting for the next task
    except KeyboardInterrupt:
        pass  # the main process raises it too
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
