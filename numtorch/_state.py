"""Process-wide flags read on every op: whether autograd records, and inference mode.

A leaf module (it imports nothing of numtorch) so the core can read it while the
package is still being imported.
"""
from __future__ import annotations

__all__ = ['state']


class _State:
    __slots__ = ('enabled', 'inference')


# One global flag read by every op; PyTorch keeps it thread-local, numtorch's ops
# run in one thread.
state = _State()
state.enabled = True
state.inference = False
