"""The seed documents' MNIST CNN (Conv2d(1,10,5)-MaxPool2d(2)-Conv2d(10,20,5)-MaxPool2d(2)-
Linear(320,10)) trained with numtorch on real MNIST read from the IDX files reaches PyTorch-
level test accuracy (>= 95%) on a subset small enough for CI."""
from __future__ import annotations

import gzip
import struct
import time

import numpy as np

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from conftest import mnist_dir


def read_idx(path) -> np.ndarray:
    """An IDX file (gzip-compressed) as a NumPy array: big-endian header of a magic number
    (0x0000, type code 0x08 = uint8, number of dims) and one 32-bit size per dim."""
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    zero, dtype_code, ndim = struct.unpack('>HBB', raw[:4])
    assert zero == 0 and dtype_code == 0x08, 'not an unsigned-byte IDX file'
    shape = struct.unpack('>' + 'I' * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(split: str, n: int):
    d = mnist_dir()
    images = read_idx(d / f'{split}-images-idx3-ubyte.gz')[:n]
    labels = read_idx(d / f'{split}-labels-idx1-ubyte.gz')[:n]
    # ToTensor + Normalize((0.1307,), (0.3081,)) as in the notes.
    x = ((images.astype(np.float32) / 255.0 - 0.1307) / 0.3081)[:, None]
    return numtorch.from_numpy(x), numtorch.from_numpy(labels.astype(np.int64))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.pooling = nn.MaxPool2d(2)
        self.fc = nn.Linear(320, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = F.relu(self.pooling(self.conv1(x)))
        x = F.relu(self.pooling(self.conv2(x)))
        x = x.view(batch_size, -1)
        return self.fc(x)


def test_idx_reader_shapes(mnist_path):
    labels = read_idx(mnist_path / 't10k-labels-idx1-ubyte.gz')
    images = read_idx(mnist_path / 't10k-images-idx3-ubyte.gz')
    assert images.shape == (10000, 28, 28) and labels.shape == (10000,)
    assert labels.max() == 9 and images.max() == 255


def test_mnist_cnn_reaches_95_percent():
    t0 = time.perf_counter()
    x_train, y_train = load('train', 16000)
    x_test, y_test = load('t10k', 2000)
    numtorch.manual_seed(0)
    model = Net()
    criterion = nn.CrossEntropyLoss()
    optimizer = numtorch.optim.SGD(model.parameters(), lr=0.03, momentum=0.9)
    batch = 64
    model.train()
    order = numtorch.randperm(len(y_train))
    losses = []
    for start in range(0, len(y_train), batch):
        idx = order[start:start + batch]
        optimizer.zero_grad()
        loss = criterion(model(x_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    correct = 0
    with numtorch.no_grad():
        for start in range(0, len(y_test), 500):
            out = model(x_test[start:start + 500])
            _, predicted = numtorch.max(out.data, dim=1)
            correct += (predicted == y_test[start:start + 500]).sum().item()
    accuracy = correct / len(y_test)
    elapsed = time.perf_counter() - t0
    assert np.mean(losses[-20:]) < np.mean(losses[:20]) / 4
    assert accuracy >= 0.95, f'test accuracy {accuracy:.3f} after {elapsed:.1f}s'
