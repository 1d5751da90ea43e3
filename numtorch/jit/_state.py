"""Whether the code now running was reached through a scripted or a traced object."""
from __future__ import annotations

import threading


class _Flags(threading.local):
    scripting = False
    tracing = False


flags = _Flags()


def run_as(mode: str | None, fn, args, kwargs):
    """Call fn with is_scripting()/is_tracing() reporting `mode` ('script', 'trace' or None
    for plain Python), restoring the previous state afterwards."""
    f = flags
    prev = f.scripting, f.tracing
    f.scripting = mode == 'script'
    f.tracing = mode == 'trace'
    try:
        return fn(*args, **kwargs)
    finally:
        f.scripting, f.tracing = prev


def is_scripting() -> bool:
    """True while code runs through an object made by ``torch.jit.script`` (where PyTorch
    would run it compiled), False in plain Python."""
    return flags.scripting


def is_tracing() -> bool:
    """True while code runs through an object made by ``torch.jit.trace`` (PyTorch replays
    what the trace recorded, which took the branches seen under is_tracing() == True)."""
    return flags.tracing
