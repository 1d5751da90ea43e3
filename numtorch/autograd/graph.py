"""torch.autograd.graph: the Node type of ``grad_fn`` objects."""
from __future__ import annotations

from .._ops._op import Op as Node

__all__ = ['Node']
