"""torch.backends.cudnn: there is no cuDNN here; the flags are kept so scripts may set them."""
from __future__ import annotations

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version():
    return None
