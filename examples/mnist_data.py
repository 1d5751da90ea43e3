"""Where the MNIST examples get their data (a helper module they import, not an example).

torchvision's MNIST wants ``ROOT/MNIST/raw/``. ``--data`` names such a ROOT, or a folder that
holds the four IDX ``.gz`` files, which are then linked into ``./data/MNIST/raw/`` (the
``download=True`` of the examples extracts them there, without the network). With no local
files, ``download=True`` downloads MNIST into ``./data`` as torchvision does.
"""
import argparse
import os
import shutil

import torchvision
from torch.utils.data import Subset

FILES = ('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
         't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz')


def arguments(description: str, epochs: int, lr: float) -> argparse.Namespace:
    """The options every MNIST example takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--data', default='./data',
                        help='a torchvision root (ROOT/MNIST/raw) or a folder with the four '
                             'MNIST .gz files (default: ./data, downloading if needed)')
    parser.add_argument('--epochs', type=int, default=epochs)
    parser.add_argument('--lr', type=float, default=lr, help=f'learning rate (default {lr})')
    parser.add_argument('--train-size', type=int, default=None,
                        help='train on the first N training images only')
    parser.add_argument('--test-size', type=int, default=None,
                        help='test on the first N test images only')
    return parser.parse_args()


def mnist_root(path: str) -> str:
    """A torchvision root for ``path`` (see the module docstring)."""
    if not all(os.path.isfile(os.path.join(path, f)) for f in FILES):
        return path
    raw = os.path.join('data', 'MNIST', 'raw')
    os.makedirs(raw, exist_ok=True)
    for f in FILES:
        dst = os.path.join(raw, f)
        if not os.path.exists(dst):
            try:
                os.symlink(os.path.abspath(os.path.join(path, f)), dst)
            except OSError:  # no symlinks here (Windows without the right): copy
                shutil.copy(os.path.join(path, f), dst)
    return 'data'


def mnist(args: argparse.Namespace, transform):
    """The training and test sets, cut to ``--train-size`` / ``--test-size``."""
    root = mnist_root(args.data)
    train = torchvision.datasets.MNIST(root=root, train=True, transform=transform, download=True)
    test = torchvision.datasets.MNIST(root=root, train=False, transform=transform, download=True)
    if args.train_size:
        train = Subset(train, range(args.train_size))
    if args.test_size:
        test = Subset(test, range(args.test_size))
    return train, test
