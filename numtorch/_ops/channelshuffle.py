"""torch.channel_shuffle: interleaves the channels of ``groups`` channel groups."""
from __future__ import annotations

from .._tensor import Tensor
from ._op import LinearAdjoint, Op

__all__ = ['channel_shuffle', 'native_channel_shuffle']


def _shuffle(x, groups: int):
    # (N, g, C/g, *) -> (N, C/g, g, *): channel j of group i moves to position j*g + i.
    n, c = x.shape[:2]
    rest = x.shape[2:]
    v = x.reshape((n, groups, c // groups) + rest).swapaxes(1, 2)
    return v.reshape(x.shape)


class ChannelShuffle(Op):
    """One node for the permutation; its gradient is the inverse shuffle (``C/g`` groups)."""
    _name = 'ChannelShuffleBackward0'

    def __init__(self, groups: int):
        self.groups = groups

    def forward(self, x):
        return _shuffle(x, self.groups)

    def backward(self, gy):
        return _shuffle(gy, gy.shape[1] // self.groups)

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Splits the channels (dim 1) of an (N, C, *) tensor into ``groups`` groups and
    interleaves them: output channel ``j * groups + i`` is channel ``j`` of group ``i``."""
    shape = tuple(input._data.shape)
    if len(shape) <= 2:
        raise RuntimeError(f'channel_shuffle expects input with > 2 dims, but got input with '
                           f'sizes {list(shape)}')
    if groups <= 0:
        raise RuntimeError('Number of groups to divide channels in must be positive. Value of '
                           f'groups:{groups}')
    if shape[1] % groups:
        raise RuntimeError(f'Number of channels must be divisible by groups. Got {shape[1]} '
                           f'channels and {groups} groups.')
    return ChannelShuffle(groups).apply1(input)


native_channel_shuffle = channel_shuffle
