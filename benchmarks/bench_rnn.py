"""Issue 5 "recurrent layers": training steps of three recurrent models, numtorch vs torch
in one run (target <= 0.8x torch's time each):

- LSTM(28, 64, batch_first) + Linear(64, 10) on MNIST-shaped rows, batch 64 x 28 steps,
  CrossEntropyLoss, backward, SGD step;
- Embedding(128, 100) -> 2-layer bidirectional GRU(100, 100), batch 256 x 10 steps,
  backward of the output and final state;
- the sine-regression tutorial: RNN(1, 32, batch_first) + Linear(32, 1) over 10 steps,
  the hidden state carried (detached) from one step to the next, MSELoss, Adam.

    python benchmarks/bench_rnn.py [--threads N]

``--threads N`` runs both libraries' BLAS/intra-op pools on N threads (NumPy's
OpenBLAS is fixed before NumPy is imported); on a small, busy machine the default
thread pools of both fight for the cores and the timings mostly measure that.
"""
from __future__ import annotations

import os
import sys

if '--threads' in sys.argv:
    THREADS = int(sys.argv[sys.argv.index('--threads') + 1])
    for var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[var] = str(THREADS)
else:
    THREADS = None

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numtorch  # noqa: E402
from common import compare  # noqa: E402

TARGET = 0.8


def lstm_step(lib, x, y):
    """One MNIST-rows training step of LSTM(28, 64) + Linear(64, 10)."""
    lib.manual_seed(0)
    lstm = lib.nn.LSTM(28, 64, batch_first=True)
    fc = lib.nn.Linear(64, 10)
    params = list(lstm.parameters()) + list(fc.parameters())
    opt = lib.optim.SGD(params, lr=0.01)
    loss_fn = lib.nn.CrossEntropyLoss()
    x, y = lib.tensor(x), lib.tensor(y)

    def step():
        out, _ = lstm(x)
        loss = loss_fn(fc(out[:, -1, :]), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def gru_step(lib, ids):
    """Forward and backward of Embedding(128, 100) + 2-layer bidirectional GRU(100, 100)."""
    lib.manual_seed(0)
    emb = lib.nn.Embedding(128, 100) if hasattr(lib.nn, 'Embedding') else None
    weight = None if emb is not None else lib.randn(128, 100, requires_grad=True)
    gru = lib.nn.GRU(100, 100, num_layers=2, bidirectional=True)
    params = list(gru.parameters()) + (list(emb.parameters()) if emb is not None else [weight])
    ids = lib.tensor(ids)
    flat = ids.reshape(-1)

    def step():
        for p in params:
            p.grad = None
        if emb is not None:
            x = emb(ids)
        else:
            x = weight.index_select(0, flat).view(ids.shape[0], ids.shape[1], 100)
        out, h = gru(x)
        (out.sum() + h.sum()).backward()
    return step


def sine_step(lib):
    """The sine-regression tutorial's loop body: RNN(1, 32) over 10 steps, h carried."""
    lib.manual_seed(0)

    class RNN(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = lib.nn.RNN(input_size=1, hidden_size=32, num_layers=1, batch_first=True)
            self.out = lib.nn.Linear(32, 1)

        def forward(self, x, h_state):
            r_out, h_state = self.rnn(x, h_state)
            outs = []
            for time_step in range(r_out.size(1)):
                outs.append(self.out(r_out[:, time_step, :]))
            return lib.stack(outs, dim=1), h_state

    rnn = RNN()
    opt = lib.optim.Adam(rnn.parameters(), lr=0.02)
    loss_func = lib.nn.MSELoss()
    state = {'h': None, 'k': 0}
    steps = np.linspace(0, 2 * np.pi, 10, dtype=np.float32)
    xs = [lib.from_numpy(np.sin(steps + k)[None, :, None].copy()) for k in range(8)]
    ys = [lib.from_numpy(np.cos(steps + k)[None, :, None].copy()) for k in range(8)]

    def step():
        k = state['k'] = (state['k'] + 1) % 8
        prediction, h = rnn(xs[k], state['h'])
        state['h'] = h.data
        loss = loss_func(prediction, ys[k])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def main() -> None:
    if THREADS is not None:
        torch.set_num_threads(THREADS)
        print(f'(BLAS and intra-op threads: {THREADS} for both)')
    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    compare('LSTM(28,64,bf)+Linear step, 64x28x28, CE, SGD', lstm_step(numtorch, x, y),
            lstm_step(torch, x, y), number=20, repeat=5, target=TARGET)
    ids = rng.integers(0, 128, (10, 256))
    compare('Embedding+GRU(100,100,L2,bi) fwd+bwd, 10x256', gru_step(numtorch, ids),
            gru_step(torch, ids), number=5, repeat=5, target=TARGET)
    compare('RNN(1,32)+Linear sine step, 10 steps, h carried', sine_step(numtorch),
            sine_step(torch), number=300, repeat=5, target=TARGET)


if __name__ == '__main__':
    main()
