"""numtorch.utils.data in the main process: datasets, samplers, collation and the
single-process DataLoader, each compared with torch.utils.data on the same inputs."""
from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import numtorch
import numtorch.utils.data as ndata

Point = collections.namedtuple('Point', ['x', 'y'])


def to_plain(obj):
    """A structure of Python values (tensors become (dtype name, shape, values)) so that
    torch and numtorch results compare with ==."""
    if isinstance(obj, (torch.Tensor, numtorch.Tensor)):
        return ('tensor', str(obj.dtype), tuple(obj.shape), obj.tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, {k: to_plain(v) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [to_plain(v) for v in obj])
    if isinstance(obj, np.ndarray):
        return ('ndarray', obj.dtype.str, obj.tolist())
    return obj


def both(make):
    """``make(lib, data_module)`` for torch and numtorch, as plain values."""
    return to_plain(make(numtorch, ndata)), to_plain(make(torch, tdata))


def same_error(make, exc=(ValueError, TypeError, RuntimeError, AssertionError, IndexError)):
    with pytest.raises(exc) as tinfo:
        make(torch, tdata)
    with pytest.raises(type(tinfo.value)) as ninfo:
        make(numtorch, ndata)
    assert str(ninfo.value) == str(tinfo.value)


# -- datasets -----------------------------------------------------------------------
def test_tensor_dataset_items_and_errors():
    def make(lib, D):
        ds = D.TensorDataset(lib.arange(12.).reshape(6, 2), lib.arange(6))
        return [len(ds), ds[0], ds[-1], ds[1:3], ds[[0, 4]]]
    n, t = both(make)
    assert n == t
    same_error(lambda lib, D: D.TensorDataset(lib.zeros(3), lib.zeros(4)))
    same_error(lambda lib, D: D.TensorDataset(data_tensor=lib.zeros(3)))


def test_concat_subset_stack_datasets():
    def make(lib, D):
        a = D.TensorDataset(lib.arange(3))
        b = D.TensorDataset(lib.arange(10, 15))
        cat = a + b
        sub = D.Subset(cat, [6, 0, 3])
        st = D.StackDataset(a, D.TensorDataset(lib.arange(3) * 2))
        sd = D.StackDataset(p=a, q=a)
        sub2 = D.Subset(b, [4, 2])
        return [len(cat), cat[0], cat[3], cat[-1], cat.cumulative_sizes, len(sub), sub[0],
                sub2[[0, 1]], sub.__getitems__([2, 1]), st[1], st.__getitems__([0, 2]),
                sd[2], sd.__getitems__([1])]
    n, t = both(make)
    assert n == t
    same_error(lambda lib, D: D.ConcatDataset([]))
    same_error(lambda lib, D: (D.TensorDataset(lib.arange(3))
                               + D.TensorDataset(lib.arange(2)))[-6])
    same_error(lambda lib, D: D.StackDataset(D.TensorDataset(lib.arange(3)),
                                             D.TensorDataset(lib.arange(2))))
    same_error(lambda lib, D: D.StackDataset())


def test_iterable_and_chain_dataset():
    class Stream(ndata.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n
    chain = Stream(2) + Stream(3)
    assert isinstance(chain, ndata.ChainDataset)
    assert list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5
    with pytest.raises(NotImplementedError, match='Subclasses of Dataset should implement'):
        ndata.Dataset()[0]


@pytest.mark.parametrize('lengths', [[3, 7], [0.3, 0.7], [0.25, 0.25, 0.5], [0.33, 0.33, 0.34]])
def test_random_split_matches_torch(lengths):
    def make(lib, D):
        lib.manual_seed(3)
        ds = D.TensorDataset(lib.arange(10))
        parts = D.random_split(ds, lengths)
        g = lib.Generator().manual_seed(42)
        parts2 = D.random_split(ds, lengths, generator=g)
        return [p.indices for p in parts] + [p.indices for p in parts2] + [lib.rand(2)]
    n, t = both(make)
    assert n == t


def test_random_split_errors_and_warning():
    same_error(lambda lib, D: D.random_split(range(10), [3, 3]))
    same_error(lambda lib, D: D.random_split(range(10), [1.5, -0.5]))
    with pytest.warns(UserWarning, match='Length of split at index 1 is 0'):
        ndata.random_split(range(2), [0.9, 0.05, 0.05])


# -- samplers -----------------------------------------------------------------------
def test_samplers_match_torch():
    def make(lib, D):
        lib.manual_seed(0)
        data = range(10)
        out = [list(D.SequentialSampler(data)), list(D.RandomSampler(data)),
               list(D.RandomSampler(data, replacement=True, num_samples=70)),
               list(D.RandomSampler(data, num_samples=23)),
               list(D.RandomSampler(data, generator=lib.Generator().manual_seed(5))),
               list(D.SubsetRandomSampler([5, 7, 9, 11])),
               list(D.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 20)),
               list(D.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5,
                                            replacement=False)),
               list(D.BatchSampler(range(10), 3, False)),
               list(D.BatchSampler(range(10), 3, True)),
               len(D.BatchSampler(range(10), 3, False)),
               len(D.BatchSampler(range(10), 3, True)),
               len(D.RandomSampler(data, num_samples=7)), lib.rand(3)]
        return out
    n, t = both(make)
    assert n == t


def test_sampler_errors():
    same_error(lambda lib, D: D.RandomSampler(range(3), replacement=1))
    same_error(lambda lib, D: D.RandomSampler(range(3), num_samples=0))
    same_error(lambda lib, D: D.RandomSampler([]))
    same_error(lambda lib, D: D.WeightedRandomSampler([1, 2], 0))
    same_error(lambda lib, D: D.WeightedRandomSampler([1, 2], 2, replacement=0))
    same_error(lambda lib, D: D.WeightedRandomSampler([[1, 2]], 2))
    same_error(lambda lib, D: D.BatchSampler(range(3), 0, False))
    same_error(lambda lib, D: D.BatchSampler(range(3), True, False))
    same_error(lambda lib, D: D.BatchSampler(range(3), 2, None))
    with pytest.raises(TypeError):
        len(ndata.Sampler())


def test_distributed_sampler():
    def make(lib, D):
        out = []
        for rank in range(3):
            for drop_last in (False, True):
                s = D.DistributedSampler(range(10), num_replicas=3, rank=rank,
                                         drop_last=drop_last, seed=7)
                s.set_epoch(2)
                out += [list(s), len(s)]
                s2 = D.DistributedSampler(range(10), num_replicas=3, rank=rank,
                                          shuffle=False, drop_last=drop_last)
                out += [list(s2)]
        return out
    n, t = both(make)
    assert n == t
    same_error(lambda lib, D: D.DistributedSampler(range(4), num_replicas=2, rank=2))
    with pytest.raises(RuntimeError, match='Requires distributed package|not been initialized'):
        ndata.DistributedSampler(range(4))


# -- collation ------------------------------------------------------------------------
def _batches(lib):
    return [
        [lib.tensor([1., 2.]), lib.tensor([3., 4.])],
        [np.array([1, 2], np.int32), np.array([3, 4], np.int32)],
        [np.float32(1.5), np.float32(2.5)],
        [np.int64(3), np.int64(4)],
        [np.bool_(True), np.bool_(False)],
        [1.5, 2.5],
        [1, 2],
        [True, False],
        ['a', 'b'],
        [b'x', b'y'],
        [('a', 1), ('b', 2)],
        [['a', 1.0], ['b', 2.0]],
        [Point(1, 2.0), Point(3, 4.0)],
        [{'x': lib.tensor(1), 'y': [1, 2]}, {'x': lib.tensor(2), 'y': [3, 4]}],
        [collections.OrderedDict(a=1), collections.OrderedDict(a=2)],
        [(lib.zeros(2, 3), {'k': (1, 'z')}), (lib.ones(2, 3), {'k': (2, 'w')})],
    ]


@pytest.mark.parametrize('i', range(16))
def test_default_collate_matches_torch(i):
    n, t = both(lambda lib, D: D.default_collate(_batches(lib)[i]))
    assert n == t


@pytest.mark.parametrize('i', range(16))
def test_default_convert_matches_torch(i):
    n, t = both(lambda lib, D: D.default_convert(_batches(lib)[i][0]))
    assert n == t


def test_collate_errors():
    same_error(lambda lib, D: D.default_collate([lib.zeros(2), lib.zeros(3)]))
    same_error(lambda lib, D: D.default_collate([lib.zeros(2), lib.zeros(2, 1)]))
    same_error(lambda lib, D: D.default_collate([[1, 2], [3]]))
    same_error(lambda lib, D: D.default_collate([object(), object()]))
    same_error(lambda lib, D: D.default_collate([np.array(['a']), np.array(['b'])]))
    n, t = both(lambda lib, D: D.default_convert(np.array(['a', 'b'])))
    assert n == t


def test_collate_mixed_dtypes_promote_like_stack():
    n, t = both(lambda lib, D: D.default_collate([lib.zeros(2), lib.ones(2, dtype=lib.int64),
                                                  lib.ones(2, dtype=lib.float64)]))
    assert n == t


def test_collate_keeps_autograd():
    a = numtorch.tensor([1., 2.], requires_grad=True)
    out = ndata.default_collate([a, a * 2])
    assert out.grad_fn.name() == 'StackBackward0'
    out.sum().backward()
    assert a.grad.tolist() == [3., 3.]


# -- the single-process DataLoader --------------------------------------------------------
def _loader_batches(lib, D, epochs=2, **kw):
    lib.manual_seed(1)
    ds = D.TensorDataset(lib.linspace(1, 10, 10), lib.arange(10))
    loader = D.DataLoader(ds, **kw)
    return [[b for b in loader] for _ in range(epochs)] + [len(loader), lib.rand(2)]


@pytest.mark.parametrize('kw', [
    dict(batch_size=3, shuffle=True),
    dict(batch_size=4, shuffle=True, drop_last=True),
    dict(batch_size=3),
    dict(batch_size=None),
    dict(batch_size=2, sampler=[9, 1, 5]),
    dict(batch_sampler=[[1, 2], [0], [9, 8, 7]]),
    dict(batch_size=3, shuffle=True, collate_fn=lambda b: b),
    dict(batch_size=5, shuffle=True, generator='gen'),
    dict(batch_size=5, sampler='weighted'),
])
def test_dataloader_batches_match_torch(kw):
    def make(lib, D):
        k = dict(kw)
        if k.get('generator') == 'gen':
            k['generator'] = lib.Generator().manual_seed(11)
        if k.get('sampler') == 'weighted':
            k['sampler'] = D.WeightedRandomSampler([1.0] * 5 + [3.0] * 5, 12)
        return _loader_batches(lib, D, **k)
    n, t = both(make)
    assert n == t


def test_dataloader_fast_path_equals_per_sample_path():
    x = numtorch.randn(20, 3)
    y = numtorch.arange(20)
    fast = list(ndata.DataLoader(ndata.TensorDataset(x, y), batch_size=6))
    slow = list(ndata.DataLoader(ndata.TensorDataset(x, y), batch_size=6,
                                 collate_fn=lambda b: ndata.default_collate(b)))
    assert to_plain(fast) == to_plain(slow)
    w = numtorch.randn(5, 2, requires_grad=True)
    (b,) = list(ndata.DataLoader(ndata.TensorDataset(w), batch_size=5))
    assert b[0].grad_fn.name() == 'StackBackward0'
    # A bad index from a custom sampler raises what indexing one sample raises.
    same_error(lambda lib, D: list(D.DataLoader(D.TensorDataset(lib.arange(3)), batch_size=2,
                                                sampler=[0, 5])))


def test_dataloader_iterable_dataset():
    def make(lib, D):
        class Stream(D.IterableDataset):
            def __iter__(self):
                return iter(range(7))

            def __len__(self):
                return 7
        return [list(D.DataLoader(Stream(), batch_size=3)),
                list(D.DataLoader(Stream(), batch_size=3, drop_last=True)),
                list(D.DataLoader(Stream(), batch_size=None)),
                len(D.DataLoader(Stream(), batch_size=3))]
    n, t = both(make)
    assert n == t


def test_dataloader_custom_dataset_and_getitems():
    class Squares(ndata.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {'x': float(i), 'y': i * i, 'name': f's{i}'}

    class Batched(Squares):
        def __getitems__(self, idx):
            return [self[i] for i in reversed(idx)]
    (b, *_), = [list(ndata.DataLoader(Squares(), batch_size=5))]
    assert b['x'].dtype == numtorch.float64 and b['y'].tolist() == [0, 1, 4, 9, 16]
    assert b['name'] == ['s0', 's1', 's2', 's3', 's4']
    (r,) = list(ndata.DataLoader(Batched(), batch_size=5))
    assert r['y'].tolist() == [16, 9, 4, 1, 0]


def test_dataloader_argument_errors():
    ds = lambda lib, D: D.TensorDataset(lib.arange(4))  # noqa: E731
    same_error(lambda lib, D: D.DataLoader(ds(lib, D), num_workers=-1))
    same_error(lambda lib, D: D.DataLoader(ds(lib, D), timeout=-1))
    same_error(lambda lib, D: D.DataLoader(ds(lib, D), prefetch_factor=2))
    same_error(lambda lib, D: D.DataLoader(ds(lib, D), persistent_workers=True))
    same_error(lambda lib, D: D.DataLoader(ds(lib, D), sampler=[0], shuffle=True))
    same_error(lambda lib, D: D.DataLoader(ds(lib, D), batch_sampler=[[0]], batch_size=2))
    same_error(lambda lib, D: D.DataLoader(ds(lib, D), batch_size=None, drop_last=True))
    same_error(lambda lib, D: D.DataLoader(ds(lib, D), multiprocessing_context='fork'))
    same_error(lambda lib, D: D.DataLoader(ds(lib, D), num_workers=1,
                                           multiprocessing_context='nope'))
    same_error(lambda lib, D: D.DataLoader(ds(lib, D), num_workers=1,
                                           multiprocessing_context=3))
    same_error(lambda lib, D: iter(D.DataLoader(ds(lib, D), timeout=1)))

    def setattr_after(lib, D):
        loader = D.DataLoader(ds(lib, D))
        loader.batch_size = 3
    same_error(setattr_after)

    def shuffle_iterable(lib, D):
        class S(D.IterableDataset):
            def __iter__(self):
                return iter([])
        D.DataLoader(S(), shuffle=True)
    same_error(shuffle_iterable)


def test_pin_memory_warns_like_torch():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter('always')
        list(ndata.DataLoader(ndata.TensorDataset(numtorch.arange(2)), pin_memory=True))
    with warnings.catch_warnings(record=True) as trec:
        warnings.simplefilter('always')
        list(tdata.DataLoader(tdata.TensorDataset(torch.arange(2)), pin_memory=True))
    assert [str(w.message) for w in rec] == [str(w.message) for w in trec]
