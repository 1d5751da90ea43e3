"""Helpers of the DataLoader: collation, fetching, the worker loop and the
worker-failure signal handling (they live at module level so worker processes
started with 'spawn' can import them)."""
from __future__ import annotations

import atexit
import multiprocessing.util  # noqa: F401  (its exit handler must run after ours)
import sys

from ...._utils import ExceptionWrapper  # noqa: F401  (old private location, as in PyTorch)

IS_WINDOWS = sys.platform == 'win32'

MP_STATUS_CHECK_INTERVAL = 5.0
"""Seconds between liveness checks while waiting on worker processes (so a dead
worker or a dead main process is noticed instead of hanging)."""

python_exit_status = False
"""True once the interpreter is shutting down: iterators then skip their orderly
worker shutdown, whose modules may already be torn down."""

HAS_NUMPY = True


def _set_python_exit_flag() -> None:
    global python_exit_status
    python_exit_status = True
    # multiprocessing terminates the remaining workers next; that is no failure to report.
    signal_handling._worker_pids.clear()


atexit.register(_set_python_exit_flag)

from . import collate, fetch, signal_handling, worker  # noqa: E402
