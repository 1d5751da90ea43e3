"""torch.backends: the flags scripts set (cudnn, mps); numtorch's CPU path ignores them."""
from __future__ import annotations

import types

__all__ = ['cudnn', 'mps', 'cpu']

cudnn = types.SimpleNamespace(enabled=True, benchmark=False, deterministic=False,
                              allow_tf32=True, is_available=lambda: False,
                              version=lambda: None)
mps = types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
cpu = types.SimpleNamespace(get_cpu_capability=lambda: 'NumPy')
