"""Issue 4 "small nets": one training step (forward, loss, zero_grad, backward, SGD step)
of the user's regression net Net(1, 10, 1) on 100x1 (MSELoss) and classification net
Net(2, 10, 2) on 200x2 (CrossEntropyLoss), numtorch vs torch in one run.

    python benchmarks/bench_nn_small.py
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


def make_step(lib, n_feature, n_hidden, n_output, x, y, loss_name, lr):
    """The seed program's loop body, written once for either library."""
    F = lib.nn.functional

    class Net(lib.nn.Module):
        def __init__(self, n_feature, n_hidden, n_output):
            super(Net, self).__init__()
            self.hidden = lib.nn.Linear(n_feature, n_hidden)
            self.predict = lib.nn.Linear(n_hidden, n_output)

        def forward(self, x):
            x = F.relu(self.hidden(x))
            return self.predict(x)

    lib.manual_seed(1)
    net = Net(n_feature, n_hidden, n_output)
    optimizer = lib.optim.SGD(net.parameters(), lr=lr)
    loss_func = getattr(lib.nn, loss_name)()
    x, y = lib.tensor(x), lib.tensor(y)

    def step():
        prediction = net(x)
        loss = loss_func(prediction, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


def main() -> None:
    x = np.linspace(-1, 1, 100, dtype=np.float32)[:, None]
    y = (x ** 2 + 0.2 * np.random.default_rng(0).random(x.shape)).astype(np.float32)
    args = (1, 10, 1, x, y, 'MSELoss', 0.2)
    compare('regression step: Net(1,10,1), 100x1, MSE, SGD',
            make_step(numtorch, *args), make_step(torch, *args), number=2000, target=0.5)

    rng = np.random.default_rng(1)
    xc = np.concatenate([rng.normal(2, 1, (100, 2)), rng.normal(-2, 1, (100, 2))])
    xc = xc.astype(np.float32)
    yc = np.concatenate([np.zeros(100), np.ones(100)]).astype(np.int64)
    args = (2, 10, 2, xc, yc, 'CrossEntropyLoss', 0.02)
    compare('classification step: Net(2,10,2), 200x2, CE, SGD',
            make_step(numtorch, *args), make_step(torch, *args), number=2000, target=0.5)


if __name__ == '__main__':
    main()
