"""ChannelShuffle: interleaves channel groups (as in ShuffleNet)."""
from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ['ChannelShuffle']


class ChannelShuffle(Module):
    """Splits the C channels of an (N, C, *) input into ``groups`` groups and interleaves
    them, keeping the shape."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f'groups={self.groups}'
