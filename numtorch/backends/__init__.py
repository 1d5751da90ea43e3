"""torch.backends: the flags scripts set (``cudnn.benchmark = True``, ...). numtorch
computes with NumPy on the CPU, so these switches have nothing to switch."""
from __future__ import annotations

from . import cpu, cudnn, mps

__all__ = ['cpu', 'cudnn', 'mps']
