"""`numtorch run` with worker processes: the alias reaches fork and spawn children."""
from __future__ import annotations

import pytest

from test_run import numtorch_run, write


MP_SCRIPT = '''
    import sys
    import multiprocessing as mp
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    def probe(i):
        import torch as t
        import numtorch
        return (i, t is numtorch, __name__)

    if __name__ == '__main__':
        method = sys.argv[1]
        ctx = mp.get_context(method)
        with ctx.Pool(2) as pool:
            print('pool', pool.map(probe, [0, 1]))
        torch.manual_seed(1)
        x = torch.linspace(1, 10, 10)
        y = torch.linspace(10, 1, 10)
        loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True, num_workers=2,
                            multiprocessing_context=method)
        for epoch in range(2):
            for step, (bx, by) in enumerate(loader):
                print(epoch, step, bx.tolist(), by.tolist())
    '''


@pytest.mark.parametrize('method', ['fork', 'spawn'])
def test_main_guard_with_worker_processes(tmp_path, method):
    write(tmp_path / 'mp.py', MP_SCRIPT)
    r = numtorch_run('mp.py', method, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    child_main = '__main__' if method == 'fork' else '__mp_main__'
    assert lines[0] == f"pool [(0, True, '{child_main}'), (1, True, '{child_main}')]"
    # the same batches as the single-process loader under the same seed
    import numtorch
    numtorch.manual_seed(1)
    x = numtorch.linspace(1, 10, 10)
    y = numtorch.linspace(10, 1, 10)
    ds = numtorch.utils.data.TensorDataset(x, y)
    loader = numtorch.utils.data.DataLoader(ds, batch_size=4, shuffle=True)
    want = [f'{e} {s} {bx.tolist()} {by.tolist()}'
            for e in range(2) for s, (bx, by) in enumerate(loader)]
    assert lines[1:] == want
