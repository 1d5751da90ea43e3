"""Fetchers: turn one index (or one list of indices) from the sampler into a batch.
Shared by the in-process iterator and the worker processes."""
from __future__ import annotations

from ...._tensor import Tensor
from ..dataset import TensorDataset
from .collate import default_collate


class _BaseDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index):
        raise NotImplementedError


class _IterableDatasetFetcher(_BaseDatasetFetcher):
    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


class _MapDatasetFetcher(_BaseDatasetFetcher):
    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        # NOTE: for an exact TensorDataset collated by default_collate, indexing each
        # tensor once with the whole index list gives the same batch as stacking the
        # rows one by one (same values, dtype, shape, contiguity).
        self._fast = (type(dataset) is TensorDataset and collate_fn is default_collate
                      and auto_collation)

    def fetch(self, possibly_batched_index):
        if self._fast and type(possibly_batched_index) is list and possibly_batched_index:
            batch = _index_tensors(self.dataset.tensors, possibly_batched_index)
            if batch is not None:
                return batch
        if self.auto_collation:
            if hasattr(self.dataset, '__getitems__') and self.dataset.__getitems__:
                data = self.dataset.__getitems__(possibly_batched_index)
            else:
                data = [self.dataset[idx] for idx in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)


def _index_tensors(tensors, index: list):
    """The collated batch of a TensorDataset as one gather per tensor, or None where the
    per-sample path must run: tensors that require grad (the batch must carry PyTorch's
    StackBackward0), indices that are not plain ints, or an index that fails (the
    per-sample path raises PyTorch's error)."""
    for t in tensors:
        if type(t) is not Tensor or t._rg:
            return None
    for i in index:
        if type(i) is not int:
            return None
    try:
        # default_collate turns the tuple samples into a list of batches.
        return [t[index] for t in tensors]
    except Exception:
        return None
