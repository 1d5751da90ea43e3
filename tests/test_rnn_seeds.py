"""The user's recurrent programs (course notes, lecture 12 'Basic RNN'): the 'hello' ->
'ohlol' trainers with RNNCell, with RNN and with Embedding + RNN, run under numtorch and
torch from the same seed (so the same initial weights), must follow the same loss curve
and predictions; an
LSTM classifier on real MNIST rows must learn (>= 90% test accuracy on a CI-sized run)."""
from __future__ import annotations

import contextlib
import ctypes
import gzip
import io
import pathlib
import re

import numpy as np
import torch

import numtorch

# The course's RNNCell trainer (one-hot 'hello' -> 'ohlol', CrossEntropyLoss, Adam lr=0.1),
# written as in the lecture; `torch` is bound to numtorch or to PyTorch when it runs.
HELLO_RNNCELL = '''
input_size = 4
hidden_size = 4
batch_size = 1

idx2char = ['e', 'h', 'l', 'o']
x_data = [1, 0, 2, 2, 3]
y_data = [3, 1, 2, 3, 2]

one_hot_lookup = [[1, 0, 0, 0],
                  [0, 1, 0, 0],
                  [0, 0, 1, 0],
                  [0, 0, 0, 1]]
x_one_hot = [one_hot_lookup[x] for x in x_data]
inputs = torch.Tensor(x_one_hot).view(-1, batch_size, input_size)
labels = torch.LongTensor(y_data).view(-1, 1)


class Model(torch.nn.Module):
    def __init__(self, input_size, hidden_size, batch_size):
        super(Model, self).__init__()
        self.batch_size = batch_size
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.rnncell = torch.nn.RNNCell(input_size=self.input_size,
                                        hidden_size=self.hidden_size)

    def forward(self, input, hidden):
        hidden = self.rnncell(input, hidden)
        return hidden

    def init_hidden(self):
        return torch.zeros(self.batch_size, self.hidden_size)


net = Model(input_size, hidden_size, batch_size)

criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.1)

for epoch in range(15):
    loss = 0
    optimizer.zero_grad()
    hidden = net.init_hidden()
    print('Predicted string: ', end='')
    for input, label in zip(inputs, labels):
        hidden = net(input, hidden)
        loss += criterion(hidden, label)
        _, idx = hidden.max(dim=1)
        print(idx2char[idx.item()], end='')
    loss.backward()
    optimizer.step()
    print(', Epoch [%d/15] loss=%.4f' % (epoch + 1, loss.item()))
'''

# The course's torch.nn.RNN version (Adam lr=0.05), same data.
HELLO_RNN = '''
input_size = 4
hidden_size = 4
num_layers = 1
batch_size = 1
seq_len = 5

idx2char = ['e', 'h', 'l', 'o']
x_data = [1, 0, 2, 2, 3]
y_data = [3, 1, 2, 3, 2]

one_hot_lookup = [[1, 0, 0, 0],
                  [0, 1, 0, 0],
                  [0, 0, 1, 0],
                  [0, 0, 0, 1]]
x_one_hot = [one_hot_lookup[x] for x in x_data]
inputs = torch.Tensor(x_one_hot).view(seq_len, batch_size, input_size)
labels = torch.LongTensor(y_data)


class Model(torch.nn.Module):
    def __init__(self, input_size, hidden_size, batch_size, num_layers=1):
        super(Model, self).__init__()
        self.num_layers = num_layers
        self.batch_size = batch_size
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.rnn = torch.nn.RNN(input_size=self.input_size, hidden_size=self.hidden_size,
                                num_layers=num_layers)

    def forward(self, input):
        hidden = torch.zeros(self.num_layers, self.batch_size, self.hidden_size)
        out, _ = self.rnn(input, hidden)
        return out.view(-1, self.hidden_size)


net = Model(input_size, hidden_size, batch_size, num_layers)

criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.05)

for epoch in range(15):
    optimizer.zero_grad()
    outputs = net(inputs)
    loss = criterion(outputs, labels)
    loss.backward()
    optimizer.step()

    _, idx = outputs.max(dim=1)
    idx = idx.data.numpy()
    print('Predicted: ', ''.join([idx2char[x] for x in idx]), end='')
    print(', Epoch [%d/15] loss = %.3f' % (epoch + 1, loss.item()))
'''

# The course's Embedding + 2-layer RNN + Linear version (batch_first), same data.
HELLO_EMBEDDING = '''
num_class = 4
input_size = 4
hidden_size = 8
embedding_size = 10
num_layers = 2
batch_size = 1
seq_len = 5

idx2char = ['e', 'h', 'l', 'o']
x_data = [[1, 0, 2, 2, 3]]
y_data = [3, 1, 2, 3, 2]
inputs = torch.LongTensor(x_data)
labels = torch.LongTensor(y_data)


class Model(torch.nn.Module):
    def __init__(self):
        super(Model, self).__init__()
        self.emb = torch.nn.Embedding(input_size, embedding_size)
        self.rnn = torch.nn.RNN(input_size=embedding_size, hidden_size=hidden_size,
                                num_layers=num_layers, batch_first=True)
        self.fc = torch.nn.Linear(hidden_size, num_class)

    def forward(self, x):
        hidden = torch.zeros(num_layers, x.size(0), hidden_size)
        x = self.emb(x)
        x, _ = self.rnn(x, hidden)
        x = self.fc(x)
        return x.view(-1, num_class)


net = Model()

criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.05)

for epoch in range(15):
    optimizer.zero_grad()
    outputs = net(inputs)
    loss = criterion(outputs, labels)
    loss.backward()
    optimizer.step()

    _, idx = outputs.max(dim=1)
    idx = idx.data.numpy()
    print('Predicted: ', ''.join([idx2char[x] for x in idx]), end='')
    print(', Epoch [%d/15] loss = %.3f' % (epoch + 1, loss.item()))
'''


def run_program(source: str, lib) -> str:
    # Seed 2: a start from which the 15 epochs of both programs reach 'ohlol' in torch.
    lib.manual_seed(2)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(source, '<seed>', 'exec'), {'torch': lib, '__name__': '__seed__'})
    return buf.getvalue()


def curve(text: str):
    lines = text.strip().splitlines()
    preds = [re.search(r'Predicted(?: string)?: +(\w+)', ln).group(1) for ln in lines]
    losses = [float(re.search(r'loss ?= ?([0-9.]+)', ln).group(1)) for ln in lines]
    return preds, losses


def check_same_curve(source: str, decimals: float):
    out_nt = run_program(source, numtorch)
    out_pt = run_program(source, torch)
    preds_nt, losses_nt = curve(out_nt)
    preds_pt, losses_pt = curve(out_pt)
    assert len(losses_nt) == 15
    np.testing.assert_allclose(losses_nt, losses_pt, atol=decimals)
    assert preds_nt == preds_pt
    assert losses_nt[-1] < losses_nt[0] / 2
    return preds_nt


def test_hello_rnncell_trainer_follows_torch():
    preds = check_same_curve(HELLO_RNNCELL, 2e-4)
    assert preds[-1] == 'ohlol'


def test_hello_rnn_trainer_follows_torch():
    preds = check_same_curve(HELLO_RNN, 2e-3)
    assert preds[-1] == 'ohlol'


def test_hello_embedding_rnn_trainer_follows_torch():
    preds = check_same_curve(HELLO_EMBEDDING, 2e-3)
    assert preds[-1] == 'ohlol'


# -- LSTM over MNIST rows --------------------------------------------------------------
@contextlib.contextmanager
def single_blas_thread():
    """Runs NumPy's OpenBLAS on one thread: with pytest -n on a small machine, BLAS threads
    of every worker fight for the cores and small GEMMs get many times slower. (Does
    nothing where NumPy's BLAS is not its bundled scipy-openblas.)"""
    lib = None
    libdir = pathlib.Path(np.__file__).parent.parent / 'numpy.libs'
    for path in libdir.glob('libscipy_openblas*.so*'):
        try:
            cand = ctypes.CDLL(str(path))
            cand.scipy_openblas_get_num_threads64_
            lib = cand
        except (OSError, AttributeError):
            continue
        break
    if lib is None:
        yield
        return
    prev = lib.scipy_openblas_get_num_threads64_()
    lib.scipy_openblas_set_num_threads64_(1)
    try:
        yield
    finally:
        lib.scipy_openblas_set_num_threads64_(prev)


def read_idx(path) -> np.ndarray:
    """A (gzipped) IDX file as an array: magic (0, 0, dtype 0x08, ndim), then big-endian
    int32 sizes, then the data."""
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f'{path} is not an unsigned-byte IDX file')
    ndim = raw[3]
    dims = np.frombuffer(raw, '>i4', ndim, 4)
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def test_lstm_classifies_mnist_rows(mnist_path):
    with single_blas_thread():
        _train_and_test_lstm(mnist_path)


def _train_and_test_lstm(mnist_path):
    # 15000 images, 2 epochs of batches of 100 (300 steps): ~94% on 2000 test images.
    train_x = read_idx(mnist_path / 'train-images-idx3-ubyte.gz')[:15000]
    train_y = read_idx(mnist_path / 'train-labels-idx1-ubyte.gz')[:15000]
    test_x = read_idx(mnist_path / 't10k-images-idx3-ubyte.gz')[:2000]
    test_y = read_idx(mnist_path / 't10k-labels-idx1-ubyte.gz')[:2000]
    nn = numtorch.nn

    class RowLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(28, 64, batch_first=True)
            self.fc = nn.Linear(64, 10)

        def forward(self, x):
            out, (h, c) = self.lstm(x)
            return self.fc(out[:, -1, :])

    numtorch.manual_seed(0)
    model = RowLSTM()
    opt = numtorch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    xs = (train_x.astype(np.float32) / 255.0 - 0.1307) / 0.3081
    order = np.random.default_rng(0).permutation(len(xs))
    for epoch in range(2):
        for i in range(0, len(xs), 100):
            idx = order[i:i + 100]
            x = numtorch.from_numpy(xs[idx])
            y = numtorch.from_numpy(train_y[idx].astype(np.int64))
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with numtorch.no_grad():
        xt = numtorch.from_numpy((test_x.astype(np.float32) / 255.0 - 0.1307) / 0.3081)
        pred = model(xt).argmax(1).numpy()
    acc = (pred == test_y).mean()
    assert acc >= 0.90, acc
