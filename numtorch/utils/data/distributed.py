"""``DistributedSampler``: each of ``num_replicas`` processes gets its own share of
the dataset's indices."""
from __future__ import annotations

import math
from collections.abc import Iterator

from ..._ops.random import Generator, randperm
from .dataset import Dataset
from .sampler import Sampler

__all__ = ['DistributedSampler']


def _dist():
    try:
        from ... import distributed
    except ImportError:
        return None
    return distributed if distributed.is_available() else None


class DistributedSampler(Sampler):
    """Restricts loading to the ``rank``-th of ``num_replicas`` interleaved shares of the
    indices (padded by repetition, or trimmed with ``drop_last``, to equal lengths).
    With ``shuffle`` the order is a permutation seeded by ``seed + epoch``; call
    ``set_epoch`` each epoch for a new one."""

    def __init__(self, dataset: Dataset, num_replicas: int | None = None,
                 rank: int | None = None, shuffle: bool = True, seed: int = 0,
                 drop_last: bool = False) -> None:
        if num_replicas is None:
            dist = _dist()
            if dist is None:
                raise RuntimeError('Requires distributed package to be available')
            num_replicas = dist.get_world_size()
        if rank is None:
            dist = _dist()
            if dist is None:
                raise RuntimeError('Requires distributed package to be available')
            rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f'Invalid rank {rank}, rank should be in the interval '
                             f'[0, {num_replicas - 1}]')
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if self.drop_last and len(self.dataset) % self.num_replicas != 0:
            # Drop the tail so that every replica gets the same number of samples.
            self.num_samples = math.ceil((len(self.dataset) - self.num_replicas)
                                         / self.num_replicas)
        else:
            self.num_samples = math.ceil(len(self.dataset) / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator:
        if self.shuffle:
            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = randperm(len(self.dataset), generator=g).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if not self.drop_last:
            padding_size = self.total_size - len(indices)
            if padding_size <= len(indices):
                indices += indices[:padding_size]
            else:
                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]
        else:
            indices = indices[:self.total_size]
        if len(indices) != self.total_size:
            raise AssertionError(f'Number of indices ({len(indices)}) does not match '
                                 f'total_size ({self.total_size})')
        indices = indices[self.rank:self.total_size:self.num_replicas]
        if len(indices) != self.num_samples:
            raise AssertionError(f'Number of subsampled indices ({len(indices)}) does not '
                                 f'match num_samples ({self.num_samples})')
        return iter(indices)

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch, which (with ``seed``) decides the shuffled order."""
        self.epoch = epoch
