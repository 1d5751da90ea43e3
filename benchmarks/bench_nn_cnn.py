"""Issue 4 CNNs: one training step (forward, CrossEntropyLoss, zero_grad, backward, SGD step)
at batch 64 of the user's MNIST CNN, Inception net and ResNet (seeds/003), and eval-mode
inference of the CNN at batch 1000 under no_grad -- numtorch vs torch in one run, then the
peak memory of each workload (measured in a fresh child process per library).

    python benchmarks/bench_nn_cnn.py            # default threads
    python benchmarks/bench_nn_cnn.py --threads 1  # both libraries single-threaded
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

if __name__ == '__main__' and '--threads' in sys.argv:
    # BLAS reads its thread count when NumPy is first imported.
    _n = sys.argv[sys.argv.index('--threads') + 1]
    os.environ['OPENBLAS_NUM_THREADS'] = os.environ['OMP_NUM_THREADS'] = _n

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)


def seed_nets(lib):
    """The networks of the user's notes, written once for either library."""
    F = lib.nn.functional

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = lib.nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = lib.nn.Conv2d(10, 20, kernel_size=5)
            self.pooling = lib.nn.MaxPool2d(2)
            self.fc = lib.nn.Linear(320, 10)

        def forward(self, x):
            batch_size = x.size(0)
            x = F.relu(self.pooling(self.conv1(x)))
            x = F.relu(self.pooling(self.conv2(x)))
            x = x.view(batch_size, -1)
            return self.fc(x)

    class InceptionA(lib.nn.Module):
        def __init__(self, in_channels):
            super().__init__()
            self.brach1x1 = lib.nn.Conv2d(in_channels, 16, kernel_size=1)
            self.brach5x5_1 = lib.nn.Conv2d(in_channels, 16, kernel_size=1)
            self.brach5x5_2 = lib.nn.Conv2d(16, 24, kernel_size=5, padding=2)
            self.brach3x3_1 = lib.nn.Conv2d(in_channels, 16, kernel_size=1)
            self.brach3x3_2 = lib.nn.Conv2d(16, 24, kernel_size=3, padding=1)
            self.brach3x3_3 = lib.nn.Conv2d(24, 24, kernel_size=3, padding=1)
            self.brach_pool = lib.nn.Conv2d(in_channels, 24, kernel_size=1)

        def forward(self, x):
            brach1x1 = self.brach1x1(x)
            brach5x5 = self.brach5x5_2(self.brach5x5_1(x))
            brach3x3 = self.brach3x3_3(self.brach3x3_2(self.brach3x3_1(x)))
            brach_pool = self.brach_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
            return lib.cat([brach1x1, brach5x5, brach3x3, brach_pool], dim=1)

    class InceptionNet(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = lib.nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = lib.nn.Conv2d(88, 20, kernel_size=5)
            self.incep1 = InceptionA(in_channels=10)
            self.incep2 = InceptionA(in_channels=20)
            self.mp = lib.nn.MaxPool2d(2)
            self.fc = lib.nn.Linear(1408, 10)

        def forward(self, x):
            in_size = x.size(0)
            x = F.relu(self.mp(self.conv1(x)))
            x = self.incep1(x)
            x = F.relu(self.mp(self.conv2(x)))
            x = self.incep2(x)
            return self.fc(x.view(in_size, -1))

    class ResidualBlock(lib.nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.conv1 = lib.nn.Conv2d(channels, channels, kernel_size=3, padding=1)
            self.conv2 = lib.nn.Conv2d(channels, channels, kernel_size=3, padding=1)

        def forward(self, x):
            y = F.relu(self.conv1(x))
            y = self.conv2(y)
            return F.relu(x + y)

    class ResNet(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = lib.nn.Conv2d(1, 16, kernel_size=5)
            self.conv2 = lib.nn.Conv2d(16, 32, kernel_size=5)
            self.mp = lib.nn.MaxPool2d(2)
            self.rblock1 = ResidualBlock(16)
            self.rblock2 = ResidualBlock(32)
            self.fc = lib.nn.Linear(512, 10)

        def forward(self, x):
            in_size = x.size(0)
            x = self.mp(F.relu(self.conv1(x)))
            x = self.rblock1(x)
            x = self.mp(F.relu(self.conv2(x)))
            x = self.rblock2(x)
            return self.fc(x.view(in_size, -1))

    return {'cnn': Net, 'inception': InceptionNet, 'resnet': ResNet}


def make_workload(lib, name: str):
    """A zero-argument callable running one unit of the named workload."""
    rng = np.random.default_rng(0)
    lib.manual_seed(0)
    kind, _, net_name = name.partition(':')
    net = seed_nets(lib)[net_name]()
    if kind == 'infer':
        net.eval()
        x = lib.tensor(rng.standard_normal((1000, 1, 28, 28)).astype(np.float32))

        def infer():
            with lib.no_grad():
                net(x)
        return infer
    x = lib.tensor(rng.standard_normal((64, 1, 28, 28)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 64))
    criterion = lib.nn.CrossEntropyLoss()
    optimizer = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.5)

    def step():
        loss = criterion(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


WORKLOADS = [('train:cnn', 'MNIST CNN train step, batch 64', 50),
             ('train:inception', 'Inception net train step, batch 64', 10),
             ('train:resnet', 'ResNet train step, batch 64', 20),
             ('infer:cnn', 'MNIST CNN eval inference, batch 1000, no_grad', 5)]


def peak_memory(libname: str, workload: str, threads: int | None) -> float:
    """MiB the workload adds to a fresh process's peak RSS: the peak (VmHWM) is reset
    after imports and setup, so only the workload's own allocations count."""
    code = ('import sys; sys.path[:0] = %r\n'
            'import %s as lib\n'
            'from bench_nn_cnn import make_workload\n'
            '%s'
            'f = make_workload(lib, %r)\n'
            'def kib(key):\n'
            '    for line in open("/proc/self/status"):\n'
            '        if line.startswith(key): return int(line.split()[1])\n'
            'open("/proc/self/clear_refs", "w").write("5")\n'
            'base = kib("VmRSS:")\n'
            'for _ in range(3): f()\n'
            'print((kib("VmHWM:") - base) / 1024)\n'
            % ([HERE, os.path.dirname(HERE)], libname,
               '' if threads is None else 'lib.set_num_threads(%d)\n' % threads, workload))
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True, env=dict(os.environ))
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, default=None,
                        help="both libraries' thread count (NumPy's BLAS and torch)")
    parser.add_argument('--no-memory', action='store_true')
    args = parser.parse_args()
    import torch
    import numtorch
    from common import compare
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    print(f'torch threads: {torch.get_num_threads()}, OPENBLAS_NUM_THREADS='
          f'{os.environ.get("OPENBLAS_NUM_THREADS", "default")}')
    for key, title, number in WORKLOADS:
        compare(title, make_workload(numtorch, key), make_workload(torch, key), number=number,
                repeat=5, target=1.2)
    if not args.no_memory:
        for key, title, _ in WORKLOADS:
            mn = peak_memory('numtorch', key, args.threads)
            mp = peak_memory('torch', key, args.threads)
            print(f'{title:<52} peak memory added: numtorch {mn:7.1f} MiB   torch {mp:7.1f} MiB')


if __name__ == '__main__':
    main()
