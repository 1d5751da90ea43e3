"""torch.backends.mps: Apple's GPU backend is never available in numtorch."""
from __future__ import annotations


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
