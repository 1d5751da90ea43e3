"""Datasets: the map-style ``Dataset`` base, ``IterableDataset``, and the wrappers
PyTorch ships (``TensorDataset``, ``ConcatDataset``, ``Subset``, ...)."""
from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from ..._tensor import Tensor
from ..._ops.random import default_generator, randperm, Generator

__all__ = ['Dataset', 'IterableDataset', 'TensorDataset', 'StackDataset', 'ConcatDataset',
           'ChainDataset', 'Subset', 'random_split']

_T = TypeVar('_T')
_T_co = TypeVar('_T_co', covariant=True)


class Dataset(Generic[_T_co]):
    """A map from keys (usually ``0..len-1``) to samples; subclasses define
    ``__getitem__`` and usually ``__len__``. ``a + b`` concatenates two datasets."""

    def __getitem__(self, index) -> _T_co:
        raise NotImplementedError('Subclasses of Dataset should implement __getitem__.')

    def __add__(self, other: 'Dataset[_T_co]') -> 'ConcatDataset[_T_co]':
        return ConcatDataset([self, other])


class IterableDataset(Dataset[_T_co], Iterable[_T_co]):
    """A stream of samples; subclasses define ``__iter__``. With worker processes every
    worker iterates its own replica (use ``get_worker_info()`` to split the work)."""

    def __add__(self, other: Dataset[_T_co]):
        return ChainDataset([self, other])


class TensorDataset(Dataset[tuple]):
    """Samples are the rows of the given tensors: ``ds[i] == (t0[i], t1[i], ...)``.
    All tensors must have the same size in dimension 0."""

    def __init__(self, *tensors: Tensor) -> None:
        if any(tensors[0].size(0) != tensor.size(0) for tensor in tensors):
            raise AssertionError('Size mismatch between tensors')
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


class StackDataset(Dataset):
    """Zips datasets of equal length: positional ones give tuple samples, keyword ones
    give dict samples."""

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args:
            if kwargs:
                raise ValueError('Supported either ``tuple``- (via ``args``) or'
                                 '``dict``- (via ``kwargs``) like input/output, but both types '
                                 'are given.')
            self._length = len(args[0])
            if any(self._length != len(dataset) for dataset in args):
                raise ValueError('Size mismatch between datasets')
            self.datasets = args
        elif kwargs:
            tmp = list(kwargs.values())
            self._length = len(tmp[0])
            if any(self._length != len(dataset) for dataset in tmp):
                raise ValueError('Size mismatch between datasets')
            self.datasets = kwargs
        else:
            raise ValueError('At least one dataset should be passed')

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: dataset[index] for k, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __getitems__(self, indices: list):
        named = isinstance(self.datasets, dict)
        items = self.datasets.items() if named else enumerate(self.datasets)
        batch: list = [{} if named else [] for _ in indices]
        for k, dataset in items:
            if callable(getattr(dataset, '__getitems__', None)):
                samples = dataset.__getitems__(indices)
                if len(samples) != len(indices):
                    raise ValueError("Nested dataset's output size mismatch."
                                     f' Expected {len(indices)}, got {len(samples)}')
            else:
                samples = [dataset[idx] for idx in indices]
            for data, sample in zip(samples, batch):
                if named:
                    sample[k] = data
                else:
                    sample.append(data)
        return batch if named else [tuple(sample) for sample in batch]

    def __len__(self) -> int:
        return self._length


class ConcatDataset(Dataset[_T_co]):
    """The concatenation of map-style datasets: indices run through them in order."""

    @staticmethod
    def cumsum(sequence):
        r, s = [], 0
        for e in sequence:
            n = len(e)
            r.append(n + s)
            s += n
        return r

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError('datasets should not be an empty iterable')
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError('ConcatDataset does not support IterableDataset')
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError('absolute value of index should not exceed dataset length')
            idx = len(self) + idx
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        if dataset_idx == 0:
            sample_idx = idx
        else:
            sample_idx = idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]

    @property
    def cummulative_sizes(self):
        warnings.warn('`cummulative_sizes` attribute is renamed to `cumulative_sizes`',
                      FutureWarning, stacklevel=2)
        return self.cumulative_sizes


class ChainDataset(IterableDataset):
    """Iterates several iterable datasets one after another (lazily)."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError('ChainDataset only supports IterableDataset')
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError('ChainDataset only supports IterableDataset')
            total += len(d)
        return total


class Subset(Dataset[_T_co]):
    """The samples of ``dataset`` at the given ``indices``, renumbered from 0."""

    def __init__(self, dataset: Dataset[_T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        if (type(self).__getitem__ is not Subset.__getitem__
                and type(self).__getitems__ is Subset.__getitems__):
            raise NotImplementedError(
                f'{type(self).__name__} overrides __getitem__ but not __getitems__. '
                'When subclassing Subset and overriding __getitem__, you must also override '
                '__getitems__ to ensure DataLoader works correctly with your custom logic. '
                'A simple implementation:\n\n'
                'def __getitems__(self, indices):\n'
                '    return [self.__getitem__(idx) for idx in indices]')

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list:
        if callable(getattr(self.dataset, '__getitems__', None)):
            return self.dataset.__getitems__([self.indices[idx] for idx in indices])
        return [self.dataset[self.indices[idx]] for idx in indices]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Dataset[_T], lengths: Sequence[int | float],
                 generator: Generator | None = default_generator) -> list[Subset[_T]]:
    """Splits ``dataset`` into non-overlapping random subsets of the given lengths (or
    fractions summing to 1; the remainder is spread round-robin). One ``randperm`` of
    ``generator`` decides the split, so a seeded generator gives PyTorch's split."""
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        subset_lengths: list[int] = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f'Fraction at index {i} is not between 0 and 1')
            subset_lengths.append(math.floor(len(dataset) * frac))
        remainder = len(dataset) - sum(subset_lengths)
        for i in range(remainder):
            subset_lengths[i % len(subset_lengths)] += 1
        lengths = subset_lengths
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f'Length of split at index {i} is 0. '
                              f'This might result in an empty dataset.', stacklevel=2)
    if sum(lengths) != len(dataset):
        raise ValueError('Sum of input lengths does not equal the length of the input dataset!')
    indices = randperm(sum(lengths), generator=generator).tolist()
    return [Subset(dataset, indices[offset - length:offset])
            for offset, length in zip(itertools.accumulate(lengths), lengths)]
