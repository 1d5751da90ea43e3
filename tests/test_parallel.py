"""numtorch._ops._parallel: the intra-op threads of conv and pooling kernels."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import numtorch
from numtorch._ops import _parallel


@pytest.fixture
def threads():
    numtorch.set_num_threads(2)
    yield
    numtorch.set_num_threads(1)


def test_pieces_cover_the_range_in_order(threads):
    seen = []

    def part(a, b):
        seen.append((a, b, threading.get_ident()))
        return list(range(a, b))

    for n in (2, 3, 10, 64):
        seen.clear()
        out = _parallel.in_parallel(part, n)
        assert [i for p in out for i in p] == list(range(n))
        assert len({t for *_, t in seen}) == 2  # the calling thread and one pool thread


def test_no_split_runs_once_in_the_calling_thread(threads):
    calls = []
    out = _parallel.in_parallel(lambda a, b: calls.append((a, b, threading.get_ident())),
                                7, split=False)
    assert calls == [(0, 7, threading.get_ident())] and out == [None]
    numtorch.set_num_threads(1)
    calls.clear()
    _parallel.in_parallel(lambda a, b: calls.append((a, b)), 7)
    assert calls == [(0, 7)]


def test_shares_follow_measured_speed(threads):
    """A thread that got through its piece twice as slowly gets a smaller piece next time,
    and every thread keeps some work."""
    main = threading.get_ident()

    def part(a, b):
        time.sleep((b - a) * (0.002 if threading.get_ident() == main else 0.001))
        return b - a

    for _ in range(6):
        sizes = _parallel.in_parallel(part, 60)
    assert sum(sizes) == 60 and 10 <= sizes[0] < 30 < sizes[1]


def test_blas_threads_one_inside_and_restored_after(threads):
    inside = []
    _parallel.in_parallel(lambda a, b: inside.append(numtorch.get_num_threads()), 4)
    assert inside == [1, 1]
    assert numtorch.get_num_threads() == 2
    a = np.random.default_rng(0).standard_normal((300, 300))
    assert np.allclose(a @ a, np.einsum('ij,jk->ik', a, a))  # BLAS works after a region


def test_exceptions_reach_the_caller(threads):
    def part(a, b):
        if a > 0:
            raise ValueError('in the pool thread')
        return a

    with pytest.raises(ValueError, match='in the pool thread'):
        _parallel.in_parallel(part, 4)
    assert numtorch.get_num_threads() == 2


def test_sum_parts():
    assert _parallel.sum_parts([None, None]) is None
    assert np.array_equal(_parallel.sum_parts([np.ones(2), None, np.ones(2)]), [2, 2])


def test_openblas_threads_stopped_only_without_other_threads(monkeypatch):
    calls = []

    class Lib:
        def blas_thread_shutdown_(self):
            calls.append(1)

    monkeypatch.setattr(_parallel, '_blas', Lib)
    monkeypatch.setattr(_parallel.ctypes.c_int, 'in_dll',
                        lambda lib, name: _parallel.ctypes.c_int(4))
    blas = _parallel._OpenBLAS()
    monkeypatch.setattr(threading, 'active_count', lambda: 2)
    blas.quiet(2)
    assert calls == [1]
    monkeypatch.setattr(threading, 'active_count', lambda: 3)  # a thread of the user's
    blas.quiet(2)
    assert calls == [1]
    blas.set(3)
    assert blas.count.value == 3


def test_products_after_openblas_threads_stopped(threads):
    """A region stops OpenBLAS's threads; multi-threaded products after it still work and
    BLAS reports the thread count it had."""
    a = np.random.default_rng(1).standard_normal((600, 600))
    a @ a
    _parallel.in_parallel(lambda n0, n1: None, 2)
    assert numtorch.get_num_threads() == 2
    assert np.allclose(a @ a, np.einsum('ij,jk->ik', a, a))


def test_regions_from_several_threads_restore_blas_threads(threads):
    """Two user threads running parallel regions at once: BLAS is single-threaded while
    any runs and gets its thread count back after the last."""
    barrier = threading.Barrier(2)
    seen, sums = [], []

    def part(a, b):
        time.sleep(0.01)
        seen.append(numtorch.get_num_threads())
        return b - a

    def user():
        barrier.wait()
        for _ in range(5):
            sums.append(sum(_parallel.in_parallel(part, 8)))

    users = [threading.Thread(target=user) for _ in range(2)]
    for u in users:
        u.start()
    for u in users:
        u.join()
    assert sums == [8] * 10 and set(seen) == {1}
    assert numtorch.get_num_threads() == 2


def test_region_inside_a_region_runs_in_its_calling_thread(threads):
    """The pool is busy while a region runs: a region started from inside one (or from
    another user thread meanwhile) runs whole in its own thread instead of waiting."""
    inner = []

    def part(a, b):
        me = threading.get_ident()
        inner.append((me, _parallel.in_parallel(lambda c, d: (c, d, threading.get_ident()), 6)))
        return b - a

    assert _parallel.in_parallel(part, 4) == [2, 2]
    assert len(inner) == 2 and all(out == [(0, 6, me)] for me, out in inner)


def _child_region(q):
    q.put(sum(_parallel.in_parallel(lambda a, b: b - a, 10)))


@pytest.mark.skipif(not hasattr(__import__('os'), 'fork'), reason='needs fork')
def test_forked_child_starts_its_own_pool(threads):
    import multiprocessing
    _parallel.in_parallel(lambda a, b: None, 4)  # the parent's pool threads exist
    ctx = multiprocessing.get_context('fork')
    q = ctx.Queue()
    p = ctx.Process(target=_child_region, args=(q,))
    p.start()
    assert q.get(timeout=30) == 10
    p.join(30)
    assert p.exitcode == 0


def test_kernels_run_with_short_ufunc_buffers(threads):
    seen = []
    before = np.getbufsize()
    _parallel.in_parallel(lambda a, b: seen.append(np.getbufsize()), 4)
    assert seen == [_parallel._BUFSIZE] * 2 and np.getbufsize() == before


def test_sites_balance_separately(threads):
    def part(a, b):
        return b - a

    _parallel._speeds.clear()
    _parallel.in_parallel(part, 40, site='small')
    _parallel.in_parallel(part, 40, site='big')
    assert {k[3] for k in _parallel._speeds} == {'small', 'big'}


def test_region_run_whole_while_the_pool_is_busy_keeps_blas_single_threaded(threads):
    """A region that finds the pool in use runs in its own thread, and BLAS stays at one
    thread until it ends, even when the region holding the pool ends first."""
    holding, a_done = threading.Event(), threading.Event()
    seen = []

    def a_part(a, b):
        holding.set()
        time.sleep(0.05)
        return b - a

    def b_part(a, b):
        a_done.wait(10)
        seen.append((a, b, numtorch.get_num_threads()))
        return b - a

    def user_a():
        _parallel.in_parallel(a_part, 4)
        a_done.set()

    ta = threading.Thread(target=user_a)
    ta.start()
    holding.wait(10)
    assert _parallel.in_parallel(b_part, 6) == [6]
    ta.join()
    assert seen == [(0, 6, 1)] and numtorch.get_num_threads() == 2
