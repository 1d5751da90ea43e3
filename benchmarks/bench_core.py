"""Issue 3 workloads: per-op overhead and a small matmul, numtorch vs torch in one run.

    python benchmarks/bench_core.py
"""
from __future__ import annotations

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numtorch  # noqa: E402
from common import compare  # noqa: E402



def main() -> None:
    rng = np.random.default_rng(0)
    a16, b16 = (rng.standard_normal(16).astype(np.float32) for _ in range(2))
    na, nb = numtorch.tensor(a16), numtorch.tensor(b16)
    ta, tb = torch.tensor(a16), torch.tensor(b16)
    compare('a + b (16 elements)', lambda: na + nb, lambda: ta + tb, number=20000, target=1.0)

    nx = numtorch.tensor(a16)
    nw = numtorch.tensor(b16, requires_grad=True)
    tx = torch.tensor(a16)
    tw = torch.tensor(b16, requires_grad=True)

    def nt_step():
        (nx * nw).sum().backward()

    def pt_step():
        (tx * tw).sum().backward()

    compare('(x * w).sum().backward() (16 elements)', nt_step, pt_step, number=5000,
            target=1.0)

    m1, m2 = (rng.standard_normal((64, 64)).astype(np.float32) for _ in range(2))
    n1, n2 = numtorch.tensor(m1, requires_grad=True), numtorch.tensor(m2, requires_grad=True)
    t1, t2 = torch.tensor(m1, requires_grad=True), torch.tensor(m2, requires_grad=True)

    def nt_mm():
        (n1 @ n2).sum().backward()

    def pt_mm():
        (t1 @ t2).sum().backward()

    compare('matmul 64x64 forward + backward', nt_mm, pt_mm, number=2000, target=1.0)

    # erf has no NumPy ufunc: numtorch evaluates its own fits (no target: PyTorch's is
    # vectorised C)
    g = rng.standard_normal(1 << 18).astype(np.float32)
    ng, tg = numtorch.tensor(g, requires_grad=True), torch.tensor(g, requires_grad=True)
    compare('F.gelu forward + backward (262144 elements)',
            lambda: numtorch.nn.functional.gelu(ng).sum().backward(),
            lambda: torch.nn.functional.gelu(tg).sum().backward(), number=20)


if __name__ == '__main__':
    main()
