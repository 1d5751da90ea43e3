"""``DataLoader``: iterates a dataset in batches, in the main process or in worker
processes.

With ``num_workers > 0`` the main process sends ``(task_idx, indices)`` to the workers
round-robin over one index queue each, keeps ``prefetch_factor * num_workers`` tasks in
flight, and reorders the results that come back on the shared result queue so batches
arrive in sampler order. Workers are seeded from one int64 drawn from the loader's
generator, as PyTorch does, so seeded runs give PyTorch's batches.
"""
from __future__ import annotations

import itertools
import math
import multiprocessing as python_multiprocessing
import os
import queue
import warnings
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from ..._dtype import int64
from ..._ops.creation import empty
from ..._utils import ExceptionWrapper, cpu_count
from . import _utils
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ['DataLoader', 'get_worker_info', 'default_collate', 'default_convert']

_T_co = TypeVar('_T_co', covariant=True)

default_collate = _utils.collate.default_collate
default_convert = _utils.collate.default_convert
get_worker_info = _utils.worker.get_worker_info


def _feeding(q) -> bool:
    """Whether a multiprocessing queue can still send what is put on it."""
    close = getattr(q, '_close', None)
    return close is None or close.still_active()


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        if kind == _DatasetKind.Map:
            return _utils.fetch._MapDatasetFetcher(dataset, auto_collation, collate_fn,
                                                   drop_last)
        return _utils.fetch._IterableDatasetFetcher(dataset, auto_collation, collate_fn,
                                                    drop_last)


class _InfiniteConstantSampler(Sampler):
    """Yields None forever: the 'sampler' of an IterableDataset."""

    def __iter__(self):
        while True:
            yield None


def _draw_seed(generator) -> int:
    # NOTE: one int64 from the generator (or the default one), exactly as PyTorch draws
    # the workers' base seed, so the random stream stays in step with PyTorch's.
    return empty((), dtype=int64).random_(generator=generator).item()


class DataLoader(Generic[_T_co]):
    """Combines a dataset and a sampler and iterates over batches of the dataset.

    ``batch_size`` samples are collated per batch (``batch_size=None`` turns batching
    off); ``shuffle=True`` uses a RandomSampler; ``num_workers > 0`` loads in that many
    worker processes, ``prefetch_factor`` batches ahead each; ``persistent_workers``
    keeps them between epochs. ``pin_memory`` has no effect on the CPU.
    """
    __initialized = False

    def __init__(self, dataset: Dataset[_T_co], batch_size: int | None = 1,
                 shuffle: bool | None = None, sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = '', in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError('num_workers option should be non-negative; '
                             'use num_workers=0 to disable multiprocessing.')
        if timeout < 0:
            raise ValueError('timeout option should be non-negative')
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError('prefetch_factor option could only be specified in '
                             'multiprocessing.let num_workers > 0 to enable multiprocessing, '
                             'otherwise set prefetch_factor to None.')
        elif num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError('prefetch_factor option should be non-negative')
        if persistent_workers and num_workers == 0:
            raise ValueError('persistent_workers option needs num_workers > 0')

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in {False, None}:
                raise ValueError(f'DataLoader with IterableDataset: expected unspecified '
                                 f'shuffle option, but got shuffle={shuffle}')
            if sampler is not None:
                raise ValueError(f'DataLoader with IterableDataset: expected unspecified '
                                 f'sampler option, but got sampler={sampler}')
            elif batch_sampler is not None:
                raise ValueError('DataLoader with IterableDataset: expected unspecified '
                                 f'batch_sampler option, but got batch_sampler={batch_sampler}')
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError('sampler option is mutually exclusive with shuffle')

        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError('batch_sampler option is mutually exclusive with batch_size, '
                                 'shuffle, sampler, and drop_last')
            batch_size = None
            drop_last = False
        elif batch_size is None:
            if drop_last:
                raise ValueError('batch_size=None option disables auto-batching and is '
                                 'mutually exclusive with drop_last')

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)

        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator

        if collate_fn is None:
            collate_fn = (_utils.collate.default_collate if self._auto_collation
                          else _utils.collate.default_convert)
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers

        self.__initialized = True
        self._IterableDataset_len_called = None
        self._iterator = None

        self.check_worker_number_rationality()

    def _get_iterator(self) -> '_BaseDataLoaderIter':
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context) -> None:
        if multiprocessing_context is not None:
            if self.num_workers > 0:
                if isinstance(multiprocessing_context, str):
                    valid_start_methods = python_multiprocessing.get_all_start_methods()
                    if multiprocessing_context not in valid_start_methods:
                        raise ValueError(
                            'multiprocessing_context option should specify a valid start '
                            f'method in {valid_start_methods!r}, but got '
                            f'multiprocessing_context={multiprocessing_context!r}')
                    multiprocessing_context = python_multiprocessing.get_context(
                        multiprocessing_context)
                if not isinstance(multiprocessing_context,
                                  python_multiprocessing.context.BaseContext):
                    raise TypeError('multiprocessing_context option should be a valid context '
                                    'object or a string specifying the start method, but got '
                                    f'multiprocessing_context={multiprocessing_context}')
            else:
                raise ValueError('multiprocessing_context can only be used with multi-process '
                                 'loading (num_workers > 0), but got '
                                 f'num_workers={self.num_workers}')
        self.__multiprocessing_context = multiprocessing_context

    def __setattr__(self, attr, val) -> None:
        if self.__initialized and attr in ('batch_size', 'batch_sampler', 'sampler',
                                           'drop_last', 'dataset', 'persistent_workers'):
            raise ValueError(f'{attr} attribute should not be set after '
                             f'{self.__class__.__name__} is initialized')
        super().__setattr__(attr, val)

    def __iter__(self) -> '_BaseDataLoaderIter':
        # Persistent workers keep one iterator (and its processes) for every epoch.
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        if self._dataset_kind == _DatasetKind.Iterable:
            # An estimate from len(dataset): the workers' replicas may not split it evenly.
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    length = length // self.batch_size
                else:
                    length = math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self) -> None:
        """Warns when more workers are asked for than this process has CPUs."""
        if not self.num_workers:
            return
        max_num_worker_suggest = cpu_count()
        cpuset_checked = hasattr(os, 'sched_getaffinity')
        if max_num_worker_suggest is None or self.num_workers > max_num_worker_suggest:
            if max_num_worker_suggest is not None:
                suggested = ('Our suggested max number of worker in current system is '
                             f'{max_num_worker_suggest}'
                             f'{"" if cpuset_checked else " (`cpuset` is not taken into account)"}'
                             ', which is smaller than what this DataLoader is going to create.')
            else:
                suggested = ('DataLoader is not able to compute a suggested max number of '
                             'worker in current system.')
            warnings.warn(f'This DataLoader will create {self.num_workers} worker processes in '
                          f'total. {suggested} Please be aware that excessive worker creation '
                          'might get DataLoader running slow or even freeze, lower the worker '
                          'number to avoid potential slowness/freeze if necessary.',
                          stacklevel=2)


class _BaseDataLoaderIter:
    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._shared_seed = None
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        if loader.pin_memory and loader.pin_memory_device:
            warnings.warn('pin_memory_device is deprecated, the current accelerator will be '
                          f"used as the device,ignore pin_memory_device='"
                          f"{loader.pin_memory_device}'.", stacklevel=2)
        if loader.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=2)
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        # NOTE: drawn before the sampler's own seed (the sampler is a lazy generator).
        self._base_seed = _draw_seed(loader.generator)
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self) -> '_BaseDataLoaderIter':
        return self

    def _reset(self, loader, first_iter: bool = False) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)  # may raise StopIteration

    def _next_data(self):
        raise NotImplementedError

    def __next__(self) -> Any:
        if self._sampler_iter is None:
            self._reset()
        data = self._next_data()
        self._num_yielded += 1
        if (self._dataset_kind == _DatasetKind.Iterable
                and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            warn_msg = (f'Length of IterableDataset {self._dataset} was reported to be '
                        f'{self._IterableDataset_len_called}(when accessing len(dataloader)), '
                        f'but {self._num_yielded} samples have been fetched. ')
            if self._num_workers > 0:
                warn_msg += ('For multiprocessing data-loading, this could be caused by not '
                             'properly configuring the IterableDataset replica at each worker. '
                             'Please see https://pytorch.org/docs/stable/data.html#torch.utils.'
                             'data.IterableDataset for examples.')
            warnings.warn(warn_msg, stacklevel=2)
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError('{} cannot be pickled', self.__class__.__name__)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader) -> None:
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError('_SingleProcessDataLoaderIter requires timeout == 0')
        if self._num_workers != 0:
            raise AssertionError('_SingleProcessDataLoaderIter requires num_workers == 0')
        self._dataset_fetcher = _DatasetKind.create_fetcher(
            self._dataset_kind, self._dataset, self._auto_collation, self._collate_fn,
            self._drop_last)

    def _next_data(self):
        index = self._next_index()  # may raise StopIteration
        return self._dataset_fetcher.fetch(index)  # may raise StopIteration


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Iterates once over the dataset with worker processes.

    Tasks carry a running index ``send_idx``; ``_task_info[idx]`` is ``(worker_id,)``
    while outstanding and ``(worker_id, data)`` once it arrived out of order, and
    ``rcvd_idx`` is the next index to hand out. Shutdown (exhaustion, garbage
    collection, or interpreter exit) sets ``done_event``, sends None to every worker,
    joins them and terminates stragglers.
    """

    def __init__(self, loader) -> None:
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._num_workers <= 0:
            raise AssertionError('num_workers must be greater than 0 for '
                                 'MultiProcessingDataLoaderIter')
        if self._prefetch_factor <= 0:
            raise AssertionError('prefetch_factor must be greater than 0 for '
                                 'MultiProcessingDataLoaderIter')
        ctx = loader.multiprocessing_context or python_multiprocessing
        self._worker_init_fn = loader.worker_init_fn
        self._worker_result_queue = ctx.Queue()
        # A forked child inherits this object; only the process that started the workers
        # may shut them down.
        self._owner_pid = os.getpid()
        self._worker_pids_set = False
        self._shutdown = False
        self._workers_done_event = ctx.Event()
        self._index_queues = []
        self._workers = []
        for i in range(self._num_workers):
            index_queue = ctx.Queue()
            # The worker may exit before draining its queue; don't block on flushing it.
            index_queue.cancel_join_thread()
            w = ctx.Process(target=_utils.worker._worker_loop,
                            args=(self._dataset_kind, self._dataset, index_queue,
                                  self._worker_result_queue, self._workers_done_event,
                                  self._auto_collation, self._collate_fn, self._drop_last,
                                  self._base_seed, self._worker_init_fn, i,
                                  self._num_workers, self._persistent_workers,
                                  self._shared_seed))
            w.daemon = True
            w.start()
            self._index_queues.append(index_queue)
            self._workers.append(w)
        self._data_queue = self._worker_result_queue
        _utils.signal_handling._set_worker_pids(id(self), tuple(w.pid for w in self._workers))
        _utils.signal_handling._set_SIGCHLD_handler()
        self._worker_pids_set = True
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter: bool = False) -> None:
        super()._reset(loader, first_iter)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info = {}
        # Always equals the number of entries of _task_info still waiting for data.
        self._tasks_outstanding = 0
        self._workers_status = [True for _ in range(self._num_workers)]
        self._workers_num_tasks = [0 for _ in range(self._num_workers)]
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # Persistent workers: restart them and wait until every one has acknowledged.
            for idx in range(self._num_workers):
                self._index_queues[idx].put(_utils.worker._ResumeIteration(self._shared_seed))
            resume_iteration_cnt = self._num_workers
            while resume_iteration_cnt > 0:
                return_idx, return_data = self._get_data()
                if isinstance(return_idx, _utils.worker._ResumeIteration):
                    if return_data is not None:
                        raise AssertionError('Expected return_data to be None when resuming '
                                             'iteration')
                    resume_iteration_cnt -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout: float = _utils.MP_STATUS_CHECK_INTERVAL):
        """One attempt to receive a result: ``(True, data)``, or ``(False, None)`` on
        timeout; raises RuntimeError if a worker died meanwhile."""
        try:
            data = self._data_queue.get(timeout=timeout)
            return (True, data)
        except Exception as e:
            failed_workers = []
            for worker_id, w in enumerate(self._workers):
                if self._workers_status[worker_id] and not w.is_alive():
                    failed_workers.append(w)
                    self._mark_worker_as_unavailable(worker_id)
            if len(failed_workers) > 0:
                pids_str = ', '.join(str(w.pid) for w in failed_workers)
                raise RuntimeError(
                    f'DataLoader worker (pid(s) {pids_str}) exited unexpectedly') from e
            if isinstance(e, queue.Empty):
                return (False, None)
            raise

    def _get_data(self):
        if self._timeout > 0:
            success, data = self._try_get_data(self._timeout)
            if success:
                return data
            raise RuntimeError(f'DataLoader timed out after {self._timeout} seconds')
        while True:
            success, data = self._try_get_data()
            if success:
                return data

    def _next_data(self):
        while True:
            # Skip tasks whose worker ended (an exhausted IterableDataset replica).
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx, None)
                if info:
                    worker_id = info[0]
                    if len(info) == 2 or self._workers_status[worker_id]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            if len(self._task_info[self._rcvd_idx]) == 2:
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

            if self._shutdown or self._tasks_outstanding <= 0:
                raise AssertionError('Invalid iterator state: shutdown or no outstanding tasks '
                                     'when fetching next data')
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._dataset_kind == _DatasetKind.Iterable:
                if isinstance(data, _utils.worker._IterableDatasetStopIteration):
                    if self._persistent_workers:
                        self._workers_status[data.worker_id] = False
                    else:
                        self._mark_worker_as_unavailable(data.worker_id)
                    self._try_put_index()
                    continue

            if idx != self._rcvd_idx:
                if not self._in_order:
                    worker_id = self._task_info.pop(idx)[0]
                    return self._process_data(data, worker_id)
                self._task_info[idx] += (data,)  # arrived early: keep until its turn
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _try_put_index(self) -> None:
        max_tasks = self._prefetch_factor * self._num_workers
        if self._tasks_outstanding >= max_tasks:
            raise AssertionError('Number of outstanding tasks exceeded maximum allowed tasks')
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):  # the next active worker, if any
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx]:
                if self._in_order:
                    break
                elif self._workers_num_tasks[worker_queue_idx] < max_tasks // sum(
                        self._workers_status):
                    break
        else:
            return
        self._index_queues[worker_queue_idx].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._workers_num_tasks[worker_queue_idx] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data, worker_idx):
        self._workers_num_tasks[worker_idx] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_as_unavailable(self, worker_id: int, shutdown: bool = False) -> None:
        # Tells the worker to exit (None) and stops sending it tasks; it keeps running
        # until the None arrives, so it is not joined here.
        if not self._workers_status[worker_id] and not self._persistent_workers \
                and not shutdown:
            raise AssertionError('Worker status inconsistent when marking worker as '
                                 'unavailable')
        self._index_queues[worker_id].put(None)
        self._workers_status[worker_id] = False
        if self._workers_done_event.is_set() != shutdown:
            raise AssertionError('_workers_done_event state does not match shutdown flag')

    def _shutdown_workers(self) -> None:
        # At interpreter exit the modules this needs may already be gone; the daemonic
        # workers are then terminated by multiprocessing's own exit handler.
        if _utils is None or _utils.python_exit_status is True \
                or _utils.python_exit_status is None or os.getpid() != self._owner_pid:
            return
        if not self._shutdown:
            self._shutdown = True
            try:
                self._workers_done_event.set()
                for worker_id in range(len(self._workers)):
                    if self._persistent_workers or self._workers_status[worker_id]:
                        self._mark_worker_as_unavailable(worker_id, shutdown=True)
                # When the garbage collector frees this iterator it may already have run
                # the queues' finalizers, which stop their feeder threads: the None can then
                # never arrive, so don't wait for the workers to see it.
                wait = _utils.MP_STATUS_CHECK_INTERVAL if all(
                    _feeding(q) for q in self._index_queues) else 0
                for w in self._workers:
                    w.join(timeout=wait)
                for q in self._index_queues:
                    q.cancel_join_thread()
                    q.close()
            finally:
                if self._worker_pids_set:
                    _utils.signal_handling._remove_worker_pids(id(self))
                    self._worker_pids_set = False
                for w in self._workers:
                    if w.is_alive():
                        w.terminate()
                        w.join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)

    def __del__(self) -> None:
        self._shutdown_workers()
