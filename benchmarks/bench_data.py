"""Issue 7 workloads, numtorch vs torch in one run:

- one epoch of DataLoader(TensorDataset(60000 x 784 float32, labels), batch_size=64,
  shuffle=True) with num_workers 0 and 2;
- save + load of a 10M-parameter state_dict (to a file in a temporary directory);
- for reference, an epoch over a per-sample Dataset (MNIST-like), where collation runs.

    python benchmarks/bench_data.py
"""
from __future__ import annotations

import os
import sys
import tempfile

import numpy as np
import torch
import torch.utils.data as tdata

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numtorch  # noqa: E402
import numtorch.utils.data as ndata  # noqa: E402
from common import compare  # noqa: E402


def _epoch(loader) -> None:
    for _ in loader:
        pass


def bench_epoch(workers: int) -> float:
    rng = np.random.default_rng(0)
    x = rng.random((60000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 60000)
    nds = ndata.TensorDataset(numtorch.from_numpy(x), numtorch.from_numpy(y))
    tds = tdata.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    # Persistent workers: the timing is the epoch, not process start-up.
    kw = dict(batch_size=64, shuffle=True, num_workers=workers,
              persistent_workers=workers > 0)
    nloader = ndata.DataLoader(nds, **kw)
    tloader = tdata.DataLoader(tds, **kw)
    return compare(f'DataLoader epoch 60000x784, batch 64, num_workers={workers}',
                   lambda: _epoch(nloader), lambda: _epoch(tloader), number=1, repeat=3,
                   target=1.0)


class _Images:
    """A map-style dataset of (1x28x28 image tensor, int label) samples, MNIST-like."""

    def __init__(self, lib, images: np.ndarray) -> None:
        self.x = [lib.from_numpy(a) for a in images]

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], i % 10


def bench_custom_epoch() -> float:
    images = np.random.default_rng(0).random((10000, 1, 28, 28), dtype=np.float32)
    nloader = ndata.DataLoader(_Images(numtorch, images), batch_size=64, shuffle=True)
    tloader = tdata.DataLoader(_Images(torch, images), batch_size=64, shuffle=True)
    return compare('DataLoader epoch, Dataset of 10000 (1x28x28, int), batch 64',
                   lambda: _epoch(nloader), lambda: _epoch(tloader), number=1, repeat=3)


def _state_dict_shapes():
    # 10.0M parameters: an MLP 784-2048-2048-2048-10 with biases.
    dims = [784, 2048, 2048, 2048, 10]
    shapes = []
    for i, o in zip(dims, dims[1:]):
        shapes += [(o, i), (o,)]
    return shapes


def bench_save_load() -> float:
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in _state_dict_shapes()]
    n_params = sum(a.size for a in arrays)
    nsd = {f'layer{i}': numtorch.from_numpy(a) for i, a in enumerate(arrays)}
    tsd = {f'layer{i}': torch.from_numpy(a) for i, a in enumerate(arrays)}
    tmp = tempfile.mkdtemp()
    npath, tpath = os.path.join(tmp, 'n.pt'), os.path.join(tmp, 't.pt')

    def nrun():
        numtorch.save(nsd, npath)
        numtorch.load(npath)

    def trun():
        torch.save(tsd, tpath)
        torch.load(tpath)

    try:
        return compare(f'save + load state_dict ({n_params / 1e6:.1f}M float32 params)', nrun,
                       trun, number=1, repeat=9, target=1.0)
    finally:
        for p in (npath, tpath):
            if os.path.exists(p):
                os.unlink(p)
        os.rmdir(tmp)


def main() -> None:
    bench_epoch(0)
    bench_epoch(2)
    bench_custom_epoch()
    bench_save_load()


if __name__ == '__main__':
    main()
