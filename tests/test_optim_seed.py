"""The course notes' optimizer comparison (seed document 002, 'Optimizer 优化器'):
SGD, Momentum(0.8), RMSprop(alpha=0.9) and Adam(betas=(0.9, 0.99)) train four copies of
Net(1, 20, 1) on y = x^2 + 0.1*noise in batches of 32 for 12 epochs. From the same initial
weights and the same batch order, every loss in the four histories equals torch's."""
from __future__ import annotations

import numpy as np
import torch

import numtorch

LR = 0.01
BATCH_SIZE = 32
EPOCH = 12


def _net_class(lib):
    F = lib.nn.functional

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = lib.nn.Linear(1, 20)
            self.predict = lib.nn.Linear(20, 1)

        def forward(self, x):
            x = F.relu(self.hidden(x))
            return self.predict(x)

    return Net


def _train(lib, x, y, init_weights, order):
    Net = _net_class(lib)
    nets = [Net() for _ in range(4)]
    for net, weights in zip(nets, init_weights):
        with lib.no_grad():
            for p, w in zip(net.parameters(), weights):
                p.copy_(lib.tensor(w))
    opt_SGD = lib.optim.SGD(nets[0].parameters(), lr=LR)
    opt_Momentum = lib.optim.SGD(nets[1].parameters(), lr=LR, momentum=0.8)
    opt_RMSprop = lib.optim.RMSprop(nets[2].parameters(), lr=LR, alpha=0.9)
    opt_Adam = lib.optim.Adam(nets[3].parameters(), lr=LR, betas=(0.9, 0.99))
    optimizers = [opt_SGD, opt_Momentum, opt_RMSprop, opt_Adam]
    loss_func = lib.nn.MSELoss()
    losses_his = [[], [], [], []]
    X, Y = lib.tensor(x), lib.tensor(y)
    for epoch_order in order:
        for start in range(0, len(epoch_order), BATCH_SIZE):
            idx = lib.tensor(epoch_order[start:start + BATCH_SIZE])
            b_x, b_y = X[idx], Y[idx]
            for net, opt, l_his in zip(nets, optimizers, losses_his):
                output = net(b_x)
                loss = loss_func(output, b_y)
                opt.zero_grad()
                loss.backward()
                opt.step()
                l_his.append(loss.data.numpy().copy())
    return np.array(losses_his), nets


def test_seed_optimizer_comparison_matches_torch():
    rng = np.random.default_rng(2)
    x = np.linspace(-1, 1, 1000, dtype=np.float32)[:, None]
    y = (x ** 2 + 0.1 * rng.standard_normal(x.shape)).astype(np.float32)
    # Weights as each framework's own Net() would draw them: here numtorch's, shared.
    init = [[p.detach().numpy().copy() for p in _net_class(numtorch)().parameters()]
            for _ in range(4)]
    order = [rng.permutation(1000) for _ in range(EPOCH)]

    n_his, n_nets = _train(numtorch, x, y, init, order)
    t_his, t_nets = _train(torch, x, y, init, order)
    assert n_his.shape == (4, EPOCH * 32)
    assert n_his.dtype == np.float32
    np.testing.assert_allclose(n_his, t_his, rtol=1e-4, atol=1e-6)
    for nn_, tn in zip(n_nets, t_nets):
        for a, b in zip(nn_.parameters(), tn.parameters()):
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-5)
    # The point of the comparison: every optimizer learned (final losses well below the
    # start), and momentum beats plain SGD on this problem.
    final = n_his[:, -32:].mean(axis=1)
    assert (final < n_his[:, :32].mean(axis=1)).all()
    assert final[1] < final[0]
