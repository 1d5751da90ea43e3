"""Issue 6 workloads: one optimizer step, numtorch vs torch in one run.

Gradients are filled once; only ``optimizer.step()`` is timed.

    python benchmarks/bench_optim.py [--all]

``--all`` adds every other optimizer on the 50-layer network (no target, for reference).
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

# 50 x Linear(64, 64): a weight and a bias each.
DEEP_SHAPES = [(64, 64), (64,)] * 50
# The seed's MNIST CNN: Conv2d(1, 10, 5), Conv2d(10, 20, 5), Linear(320, 10).
CNN_SHAPES = [(10, 1, 5, 5), (10,), (20, 10, 5, 5), (20,), (10, 320), (10,)]


def _params(shapes, seed=0):
    """Parameters with filled gradients, the same values in both libraries."""
    rng = np.random.default_rng(seed)
    arrays = [(rng.standard_normal(s).astype(np.float32), rng.standard_normal(s).astype(
        np.float32)) for s in shapes]
    nps, tps = [], []
    for w, g in arrays:
        n = numtorch.tensor(w, requires_grad=True)
        n.grad = numtorch.tensor(g)
        t = torch.tensor(w, requires_grad=True)
        t.grad = torch.tensor(g)
        nps.append(n)
        tps.append(t)
    return nps, tps


def bench(title, name, shapes, kwargs, number, target=None):
    nps, tps = _params(shapes)
    nopt = getattr(numtorch.optim, name)(nps, **kwargs)
    topt = getattr(torch.optim, name)(tps, **kwargs)
    # Steps keep running on the same gradients; lr is small so values stay finite.
    return compare(title, nopt.step, topt.step, number=number, target=target)


def main() -> None:
    bench('Adam step, 50 x Linear(64, 64) (100 tensors)', 'Adam', DEEP_SHAPES,
          {'lr': 1e-4}, number=50, target=1.0)
    bench('SGD(momentum=0.5) step, seed MNIST CNN (6 tensors)', 'SGD', CNN_SHAPES,
          {'lr': 1e-4, 'momentum': 0.5}, number=2000, target=1.0)
    if '--all' in sys.argv:
        for name, kwargs in [('SGD', {'momentum': 0.9}), ('AdamW', {}), ('Adamax', {}),
                             ('Adagrad', {}), ('Adadelta', {}), ('RMSprop', {}),
                             ('RMSprop', {'centered': True, 'momentum': 0.9}),
                             ('Rprop', {}), ('ASGD', {}), ('NAdam', {}), ('RAdam', {})]:
            title = f'{name}({", ".join(f"{k}={v}" for k, v in kwargs.items())}) step, 50 x ' \
                    'Linear(64, 64)'
            bench(title, name, DEEP_SHAPES, {'lr': 1e-4, **kwargs}, number=50)


if __name__ == '__main__':
    main()
