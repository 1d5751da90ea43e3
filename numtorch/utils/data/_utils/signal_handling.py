"""Noticing dead DataLoader workers.

The main process registers its workers' pids and installs a SIGCHLD handler; when a
worker dies the handler inspects the registered pids (``waitid`` with ``WNOWAIT``,
so multiprocessing can still reap them) and raises a RuntimeError naming the pid and
the exit code or signal, instead of leaving the main process waiting forever.
Workers turn on ``faulthandler`` so a crash prints where it happened.
"""
from __future__ import annotations

import faulthandler
import os
import signal
import threading

from . import IS_WINDOWS

_worker_pids: dict[int, tuple] = {}

_SIGCHLD_handler_set = False
"""Whether the SIGCHLD handler is installed (one serves every DataLoader)."""


def _set_worker_pids(key: int, pids: tuple) -> None:
    if key in _worker_pids:
        raise RuntimeError('_set_worker_pids should be called only once for each '
                           '_BaseDataLoaderIter.')
    _worker_pids[key] = tuple(pids)


def _remove_worker_pids(key: int) -> None:
    if _worker_pids.pop(key, None) is None:
        raise RuntimeError(f'Cannot find worker information for _BaseDataLoaderIter with '
                           f'id {key}')


def _error_if_any_worker_fails() -> None:
    """Raises RuntimeError if a registered worker exited with an error or a signal."""
    if IS_WINDOWS:
        return
    for key, pids in list(_worker_pids.items()):
        for pid in pids:
            try:
                info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                continue  # already reaped, or not our child
            if info is None:
                continue  # still running
            if info.si_code == os.CLD_EXITED and info.si_status != 0:
                msg = (f'DataLoader worker (pid {pid}) exited unexpectedly with exit code '
                       f'{info.si_status}. Details are lost due to multiprocessing. Rerunning '
                       'with num_workers=0 may give better error trace.')
            elif info.si_code in (os.CLD_KILLED, os.CLD_DUMPED):
                msg = (f'DataLoader worker (pid {pid}) is killed by signal: '
                       f'{signal.strsignal(info.si_status)}. ')
                if info.si_status == signal.SIGBUS:
                    msg += ("It is possible that dataloader's workers are out of shared "
                            'memory. Please try to raise your shared memory limit.')
            else:
                continue
            # Forget these workers: the error must be raised once, not on every signal.
            _worker_pids[key] = ()
            raise RuntimeError(msg)


def _set_worker_signal_handlers() -> None:
    """In a worker: print a traceback if the worker crashes (segfault, bus error...)."""
    try:
        faulthandler.enable()
    except (AttributeError, ValueError, OSError):
        pass  # no usable stderr in this worker


def _set_SIGCHLD_handler() -> None:
    if IS_WINDOWS:
        return
    # Signal handlers can only be set from the main thread.
    if not isinstance(threading.current_thread(), threading._MainThread):
        return
    global _SIGCHLD_handler_set
    if _SIGCHLD_handler_set:
        return
    previous_handler = signal.getsignal(signal.SIGCHLD)
    if not callable(previous_handler):
        previous_handler = None

    def handler(signum, frame) -> None:
        _error_if_any_worker_fails()
        if previous_handler is not None:
            previous_handler(signum, frame)

    signal.signal(signal.SIGCHLD, handler)
    _SIGCHLD_handler_set = True
