"""The DataLoader with worker processes: batches and seeding as in PyTorch, fork and
spawn, IterableDataset sharding, persistent workers, errors (exceptions, dead
workers, timeouts) and shutdown, plus the seed programs' output against torch's."""
from __future__ import annotations

import os
import pathlib
import random
import re
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import numtorch
import numtorch.utils.data as ndata

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / 'shared' / 'seeds'


def _plain(batches):
    out = []
    for b in batches:
        if isinstance(b, (list, tuple)):
            out.append([_plain([x])[0] for x in b])
        elif hasattr(b, 'tolist'):
            out.append((str(b.dtype), b.tolist()))
        else:
            out.append(b)
    return out


class RandomDraws:
    """Each sample reports the worker it ran in and random numbers drawn there, so the
    workers' seeding can be compared with PyTorch's."""

    def __init__(self, lib, n: int) -> None:
        self.lib = lib
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        info = self.lib.utils.data.get_worker_info()
        return (i, info.id, info.num_workers, info.seed, float(self.lib.rand(1)),
                random.random(), float(np.random.rand()))


def _draws(lib, D, **kw):
    lib.manual_seed(7)
    loader = D.DataLoader(RandomDraws(lib, 10), batch_size=3, shuffle=True, num_workers=2,
                          **kw)
    epochs = [_plain(list(loader)) for _ in range(2)]
    return epochs, float(lib.rand(1))


def test_worker_seeding_and_worker_info_match_torch():
    assert _draws(numtorch, ndata) == _draws(torch, tdata)


def test_generator_seeds_workers_like_torch():
    n = _draws(numtorch, ndata, generator=numtorch.Generator().manual_seed(3))
    t = _draws(torch, tdata, generator=torch.Generator().manual_seed(3))
    assert n == t


def test_workers_give_the_same_batches_as_the_main_process():
    x = numtorch.randn(50, 4)
    y = numtorch.arange(50)
    ds = ndata.TensorDataset(x, y)
    ref = None
    for workers, prefetch in ((0, None), (2, 2), (2, 1), (1, 3)):
        numtorch.manual_seed(5)
        got = _plain(list(ndata.DataLoader(ds, batch_size=7, shuffle=True, num_workers=workers,
                                           prefetch_factor=prefetch)))
        assert ref is None or got == ref
        ref = got


def test_out_of_order_delivery_gives_every_batch_once():
    ds = ndata.TensorDataset(numtorch.arange(40))
    got = [b[0].tolist() for b in ndata.DataLoader(ds, batch_size=4, num_workers=2,
                                                   in_order=False)]
    assert sorted(got) == [list(range(i, i + 4)) for i in range(0, 40, 4)]


class Stream(ndata.IterableDataset):
    """Each worker yields its own interleaved share of range(n)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self):
        info = ndata.get_worker_info()
        wid, nw = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(wid, self.n, nw))


class TorchStream(tdata.IterableDataset):
    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self):
        info = tdata.get_worker_info()
        wid, nw = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(wid, self.n, nw))


@pytest.mark.parametrize('kw', [dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                dict(batch_size=None)])
def test_iterable_dataset_with_workers_matches_torch(kw):
    n = _plain(list(ndata.DataLoader(Stream(11), num_workers=2, **kw)))
    t = _plain(list(tdata.DataLoader(TorchStream(11), num_workers=2, **kw)))
    assert n == t


class Pids(ndata.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        return os.getpid()


def _init_fn(worker_id):
    os.environ['NT_INIT'] = str(worker_id)


class InitSeen(ndata.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return int(os.environ['NT_INIT']) == ndata.get_worker_info().id


def test_persistent_workers_and_worker_init_fn():
    loader = ndata.DataLoader(Pids(), batch_size=2, num_workers=2, persistent_workers=True)
    first = {p for b in loader for p in b.tolist()}
    it = loader._iterator
    second = {p for b in loader for p in b.tolist()}
    assert first == second and len(first) == 2 and loader._iterator is it
    assert all(w.is_alive() for w in it._workers)
    it._shutdown_workers()
    assert not any(w.is_alive() for w in it._workers)
    ok = list(ndata.DataLoader(InitSeen(), batch_size=2, num_workers=2,
                               worker_init_fn=_init_fn))
    assert all(b.all() for b in ok)


def test_workers_shut_down_when_exhausted_or_dropped():
    loader = ndata.DataLoader(Pids(), batch_size=1, num_workers=2)
    it = iter(loader)
    workers = list(it._workers)
    list(it)
    assert not any(w.is_alive() for w in workers)
    it = iter(loader)
    next(it)
    workers = list(it._workers)
    del it
    deadline = time.time() + 10
    while any(w.is_alive() for w in workers) and time.time() < deadline:
        time.sleep(0.05)
    assert not any(w.is_alive() for w in workers)


def test_iterator_freed_by_the_garbage_collector_shuts_down_quickly():
    import gc
    it = iter(ndata.DataLoader(Pids(), batch_size=1, num_workers=2))
    next(it)
    workers = list(it._workers)
    it.cycle = it  # only the cycle collector can free it now
    del it
    t0 = time.time()
    gc.collect()
    assert not any(w.is_alive() for w in workers) and time.time() - t0 < 3


class Failing(ndata.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise ValueError(f'bad sample {i}')
        if i == 6:
            raise KeyError('missing')
        return i


class TorchFailing(tdata.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise ValueError(f'bad sample {i}')
        if i == 6:
            raise KeyError('missing')
        return i


@pytest.mark.parametrize('index,exc', [(5, ValueError), (6, KeyError)])
def test_worker_exception_reraised_with_worker_id_and_traceback(index, exc):
    def run(D, ds):
        it = iter(D.DataLoader(ds, batch_size=1, num_workers=2, sampler=[0, index]))
        with pytest.raises(exc) as info:
            list(it)
        it._shutdown_workers()
        return str(info.value)
    n = run(ndata, Failing())
    t = run(tdata, TorchFailing())
    head = f'Caught {exc.__name__} in DataLoader worker process 1.\nOriginal Traceback'
    assert n.startswith(head) and t.startswith(head)
    assert n.splitlines()[-1] == t.splitlines()[-1]
    assert 'in __getitem__' in n and 'test_data_workers.py' in n


class Suicide(ndata.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


def test_killed_worker_raises_instead_of_hanging():
    # As in PyTorch: the SIGCHLD handler's error interrupts the wait for data, and the
    # liveness check it triggers reports the dead worker, chained to that error.
    loader = ndata.DataLoader(Suicide(), batch_size=1, num_workers=2)
    t0 = time.time()
    with pytest.raises(RuntimeError, match=r'^DataLoader worker \(pid\(s\) \d+\) exited '
                                           r'unexpectedly$') as info:
        list(loader)
    assert time.time() - t0 < 4
    assert re.fullmatch(r'DataLoader worker \(pid \d+\) is killed by signal: Killed\. ',
                        str(info.value.__cause__))


def test_dead_worker_found_by_polling(monkeypatch):
    # Without the SIGCHLD handler the periodic liveness check must still notice.
    monkeypatch.setattr(ndata._utils.signal_handling, '_error_if_any_worker_fails',
                        lambda: None)
    loader = ndata.DataLoader(Suicide(), batch_size=1, num_workers=2, timeout=0.5)
    with pytest.raises(RuntimeError, match=r'DataLoader worker \(pid\(s\) \d+\) exited '
                                           r'unexpectedly'):
        list(loader)


class Slow(ndata.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(1.5)
        return i


def test_timeout():
    it = iter(ndata.DataLoader(Slow(), num_workers=1, timeout=0.3))
    t0 = time.time()
    with pytest.raises(RuntimeError, match=r'^DataLoader timed out after 0\.3 seconds$'):
        try:
            next(it)
        finally:
            elapsed = time.time() - t0
    assert elapsed < 2.5
    it._shutdown_workers()


def _run(script: str, *, timeout: float = 120, runner: tuple = ()) -> \
        subprocess.CompletedProcess:
    """Runs ``script`` (source text) in a fresh interpreter, from a file so that 'spawn'
    workers can re-import its __main__."""
    path = pathlib.Path(os.environ.get('PYTEST_TMPDIR', '/tmp')) / \
        f'nt_data_{os.getpid()}_{abs(hash(script))}.py'
    path.write_text(script)
    try:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        return subprocess.run([sys.executable, *runner, str(path)], capture_output=True,
                              text=True, timeout=timeout, env=env, cwd=str(ROOT))
    finally:
        path.unlink()


SPAWN_SCRIPT = textwrap.dedent('''
    import sys
    import numtorch
    from numtorch.utils.data import DataLoader, TensorDataset, get_worker_info

    class Tagged(TensorDataset):
        def __getitem__(self, i):
            return super().__getitem__(i) + (get_worker_info().id,)

    if __name__ == '__main__':
        numtorch.manual_seed(0)
        ds = Tagged(numtorch.arange(12.), numtorch.arange(12))
        for ctx in ('spawn', 'fork'):
            numtorch.manual_seed(3)
            loader = DataLoader(ds, batch_size=5, shuffle=True, num_workers=2,
                                multiprocessing_context=ctx)
            print(ctx, [[t.tolist() for t in b] for b in loader])
''')


def test_spawn_and_fork_start_methods():
    # The dataset class lives in the script's __main__, which spawn re-imports.
    r = _run(SPAWN_SCRIPT)
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(' ', 1) for line in r.stdout.splitlines())
    assert lines['spawn'] == lines['fork']
    assert '[0, 0, 0, 0, 0]' in lines['spawn'] and '[1, 1, 1, 1, 1]' in lines['spawn']


EXIT_SCRIPT = textwrap.dedent('''
    import numtorch
    from numtorch.utils.data import DataLoader, TensorDataset
    if __name__ == '__main__':
        loader = DataLoader(TensorDataset(numtorch.arange(100.)), batch_size=2, num_workers=2,
                            persistent_workers=True)
        it = iter(loader)
        next(it)
        print(' '.join(str(w.pid) for w in it._workers), flush=True)
''')


def test_no_worker_outlives_the_program():
    r = _run(EXIT_SCRIPT, timeout=60)
    assert r.returncode == 0, r.stderr
    for pid in map(int, r.stdout.split()):
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f'worker {pid} still alive after the program exited')


def _seed_program(name_prefix: str) -> str:
    """The batch-training program of a seed document (the code block that builds a
    TensorDataset and DataLoader inside ``if __name__ == '__main__'``)."""
    text = next(SEEDS.glob(name_prefix + '*.txt')).read_text()
    if '```py' in text:
        blocks = [b.split('```')[0] for b in text.split('```py')[1:]]
        code = next(b for b in blocks if 'show_batch' in b and 'TensorDataset' in b)
    else:
        start = text.index('import torch.utils.data as Data')
        code = text[start:]
    return code


def _exec_printing(code: str) -> str:
    """Runs a program's source as __main__ in this process; returns what it printed."""
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, '<seed program>', 'exec'), {'__name__': '__main__'})
    return out.getvalue()


def test_seed_batch_programs_print_what_torch_prints():
    prog002 = _seed_program('002')
    # The 000 notes give the loader and loop as fragments; assemble them as written.
    notes = _seed_program('000')
    assert 'num_workers=2' in notes and 'BATCH_SIZE = 5' in notes
    prog000 = prog002.replace('BATCH_SIZE = 8', 'BATCH_SIZE = 5').replace(
        'num_workers=3', 'num_workers=2')
    for prog in (prog002, prog000):
        expected = _exec_printing(prog)  # real torch, with its worker processes
        n = _run(prog, runner=('-m', 'numtorch', 'run'))
        assert n.returncode == 0, n.stderr
        assert n.stdout == expected and expected.count('Epoch') >= 6
