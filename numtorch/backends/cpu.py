"""torch.backends.cpu."""
from __future__ import annotations


def get_cpu_capability() -> str:
    """The vector instruction set numtorch's kernels use: NumPy's own dispatch."""
    return 'NumPy'
