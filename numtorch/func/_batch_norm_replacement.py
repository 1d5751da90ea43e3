"""torch.func.debug_unwrap and replace_all_batch_norm_modules_."""
from __future__ import annotations

from typing import Any

from .._tensor import Tensor

__all__ = ['debug_unwrap', 'replace_all_batch_norm_modules_']


def debug_unwrap(tensor: Tensor, *, recurse: bool = True) -> Tensor:
    """The tensor under a transform's wrapper: numtorch's transforms never wrap tensors (vmap
    runs on plain per-element views, grad on plain tensors), so it is ``tensor`` itself."""
    return tensor


def replace_all_batch_norm_modules_(root: Any) -> Any:
    """Makes every batch norm module in ``root`` stop tracking running statistics (their
    buffers become None), in place, so they always normalise with batch statistics as vmap
    over a model needs; returns ``root``."""
    from ..nn.modules.batchnorm import _BatchNorm
    for m in root.modules():
        if isinstance(m, _BatchNorm) and m.track_running_stats:
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root
