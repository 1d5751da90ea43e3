"""Every example runs end to end under `numtorch run`. Where a seed fixes its numbers, its output
equals the same script's output under PyTorch (all oracle runs share one torch process); the
MNIST examples (torchvision is no test dependency) must reach their accuracies instead."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import ROOT, mnist_dir
from test_run import _env

EXAMPLES = ROOT / 'examples'

# case -> (script, arguments, how its output compares with torch's: 'exact' text, or numbers
# within (rtol, atol) in the same text, and the folder group: cases of one group run in order
# in one folder, as regression2_predict reads what regression1_train saved)
CASES = {
    'autograd0': ('autograd0', (), 'exact', None),
    'autograd1': ('autograd1', (), 'exact', None),
    'autograd2': ('autograd2', (), 'exact', None),
    'autograd2a': ('autograd2a', (), 'exact', None),
    'torch_gd1': ('torch_gd1', (), 'exact', None),
    'torch_gd2': ('torch_gd2', (), 'exact', None),
    'torch_gd3': ('torch_gd3', (), 'exact', None),
    'liuer_backprop': ('liuer_backprop', (), 'exact', None),
    'tensor_numpy': ('tensor_numpy', (), 'exact', None),
    'variable': ('variable', (), 'exact', None),
    'quick_sequential': ('quick_sequential', (), 'exact', None),
    'batch_training': ('batch_training', (), 'exact', None),
    'activation': ('activation', (), (1e-6, 1e-7), None),
    'regression': ('regression', (), (1e-3, 1e-4), None),
    'classification': ('classification', (), (1e-3, 1e-4), None),
    'save_reload': ('save_reload', (), (1e-4, 1e-6), None),
    'optimizers': ('optimizers', ('--epochs', '2'), (1e-3, 2e-4), None),
    # RMSprop ends oscillating by +-lr around the coefficients: late losses and the signs of
    # those last 0.0005s follow float rounding; the early losses agree to 1e-6
    'regression1_train': ('regression1_train', (), (2e-2, 2e-3), 'poly'),
    'regression2_predict': ('regression2_predict', (), (1e-3, 0.0), 'poly'),
    'rnn_hello-cell': ('rnn_hello', ('--model', 'cell'), (1e-3, 1e-3), None),
    'rnn_hello-rnn': ('rnn_hello', ('--model', 'rnn'), (1e-3, 1e-3), None),
    'rnn_hello-embed': ('rnn_hello', ('--model', 'embed'), (1e-3, 1e-3), None),
    'rnn_sine': ('rnn_sine', ('--steps', '30'), (1e-3, 1e-3), None),
    'gru_names': ('gru_names', ('--epochs', '2'), (1e-2, 2e-3), None),
}

# case -> the pictures it saves under `numtorch run --out`: file -> frames (at least, for a GIF:
# Pillow merges identical consecutive frames; 1 for a PNG)
PICTURES = {
    'activation': {'activation_fig1.png': 1},
    'regression': {'regression_anim1.gif': 40, 'regression_fig1.png': 1},
    'classification': {'classification_anim1.gif': 3, 'classification_fig1.png': 1},
    'save_reload': {'save_reload_fig1.png': 1},
    'optimizers': {'optimizers_fig1.png': 1, 'optimizers_fig2.png': 1},
    'rnn_sine': {'rnn_sine_anim1.gif': 30, 'rnn_sine_fig1.png': 1},
}

ORACLE = '''
import contextlib, io, json, os, runpy, sys, traceback
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
plt.show = lambda *a, **k: None
plt.pause = lambda *a, **k: None
jobs, result = json.loads(sys.argv[1]), sys.argv[2]
out = {}
for case, path, args, cwd in jobs:
    os.chdir(cwd)
    sys.argv = [path] + args
    sys.path[0] = os.path.dirname(path)
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            runpy.run_path(path, run_name='__main__')
    except BaseException:
        buf.write('ORACLE FAILED\\n' + traceback.format_exc())
    plt.close('all')
    out[case] = buf.getvalue()
with open(result + '.part', 'w') as f:
    json.dump(out, f)
os.replace(result + '.part', result)
'''


def _quiet_env() -> dict:
    # one BLAS thread per process: the tests run two at a time on two cores
    env = _env()
    env.update(OMP_NUM_THREADS='1', OPENBLAS_NUM_THREADS='1', MKL_NUM_THREADS='1')
    return env


def _shared_folder(tmp_path_factory):
    """A temporary folder all pytest-xdist workers of this run share."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get('PYTEST_XDIST_WORKER') else base


@pytest.fixture(scope='module', autouse=True)
def start_torch_oracle(tmp_path_factory):
    """Starts the oracle (every case under real PyTorch, in one background process) as soon
    as this module's first test runs; the first pytest-xdist worker here starts it, and the
    MNIST tests, which need no oracle, run meanwhile."""
    shared = _shared_folder(tmp_path_factory)
    marker = shared / 'torch_examples.started'
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        yield
        return
    os.close(fd)
    jobs, folders = [], {}
    for case, (script, args, _, group) in CASES.items():
        key = group or case
        if key not in folders:
            folders[key] = str(tmp_path_factory.mktemp(f'torch_{key}'))
        jobs.append([case, str(EXAMPLES / f'{script}.py'), list(args), folders[key]])
    env = _quiet_env()
    env.pop('PYTHONPATH')
    log = open(shared / 'torch_examples.log', 'w')
    proc = subprocess.Popen([sys.executable, '-c', ORACLE, json.dumps(jobs),
                             str(shared / 'torch_examples.json')], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    yield
    proc.wait(timeout=600)
    log.close()


@pytest.fixture
def torch_outputs(tmp_path_factory):
    """The outputs of the oracle run (waits for it)."""
    shared = _shared_folder(tmp_path_factory)
    result = shared / 'torch_examples.json'
    deadline = time.monotonic() + 600
    while not result.exists():
        assert time.monotonic() < deadline, (shared / 'torch_examples.log').read_text()
        log = shared / 'torch_examples.log'
        assert 'Traceback' not in (log.read_text() if log.exists() else ''), log.read_text()
        time.sleep(0.2)
    return json.loads(result.read_text())


_NUMBER = re.compile(r'[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?')


def assert_same_output(got: str, want: str, how) -> None:
    """Equal text, or equal text around numbers that agree within (rtol, atol)."""
    assert 'ORACLE FAILED' not in want, want
    if how == 'exact':
        assert got == want
        return
    assert _NUMBER.sub('#', got) == _NUMBER.sub('#', want)
    a = np.array([float(v) for v in _NUMBER.findall(got)])
    b = np.array([float(v) for v in _NUMBER.findall(want)])
    np.testing.assert_allclose(a, b, rtol=how[0], atol=how[1])


def run_example(script: str, cwd, *args):
    env = _quiet_env()
    cmd = [sys.executable, '-m', 'numtorch', 'run', '--out', str(cwd / 'pictures'),
           str(EXAMPLES / f'{script}.py'), *map(str, args)]
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return r


def check_pictures(case: str, folder, stderr: str) -> None:
    from PIL import Image
    want = PICTURES.get(case, {})
    assert sorted(os.listdir(folder) if folder.exists() else []) == sorted(want)
    for file, frames in want.items():
        assert f'{folder / file}' in stderr
        with Image.open(folder / file) as im:
            assert im.format == ('GIF' if file.endswith('.gif') else 'PNG')
            n = getattr(im, 'n_frames', 1)
            assert n >= frames if frames > 1 else n == 1


# -- MNIST ---------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def mnist_root(tmp_path_factory):
    """A torchvision root (ROOT/MNIST/raw) with the .gz files, extracted once."""
    from numtorch.torchvision import datasets
    root = tmp_path_factory.mktemp('mnist_root')
    raw = root / 'MNIST' / 'raw'
    raw.mkdir(parents=True)
    for f in os.listdir(mnist_dir()):
        if f.endswith('.gz'):
            shutil.copy(mnist_dir() / f, raw / f)
    datasets.MNIST(str(root), train=False, download=True)
    return root


def accuracy_line(stdout: str) -> float:
    m = re.findall(r'accuracy on test set: \d+ % \[(\d+)/(\d+)\]', stdout)
    assert m, stdout
    return int(m[-1][0]) / int(m[-1][1])


def test_mnist_cnn_reaches_95_percent(tmp_path, mnist_root):
    r = run_example('mnist_cnn', tmp_path, '--data', mnist_root, '--train-size', '15000',
                    '--test-size', '1000', '--lr', '0.1')
    assert accuracy_line(r.stdout) >= 0.95
    assert not (tmp_path / 'pictures').exists()


@pytest.mark.parametrize('script,lr,least', [('inception', '0.05', 0.4), ('resnet', '0.1', 0.7)])
def test_advanced_cnns_learn(script, lr, least, tmp_path, mnist_root):
    # 20 steps on 1,280 images (torch: 56% and 84% with these seeds)
    r = run_example(script, tmp_path, '--data', mnist_root, '--train-size', '1280',
                    '--test-size', '500', '--lr', lr)
    assert r.stdout.startswith('Net(\n')
    assert accuracy_line(r.stdout) >= least


def test_lstm_mnist_from_a_folder_of_gz_files(tmp_path):
    # --data names the folder with the four .gz files: linked into ./data/MNIST/raw
    r = run_example('lstm_mnist', tmp_path, '--data', mnist_dir(), '--train-size', '6400',
                    '--test-size', '500')
    lines = r.stdout.splitlines()
    accuracies = [float(v) for v in re.findall(r'test accuracy: ([\d.]+)', r.stdout)]
    assert len(accuracies) == 2 and accuracies[1] >= 0.45   # torch: 0.10 then 0.55
    assert lines[-1] == '[7 2 1 0 4 1 4 9 5 9] real number'
    assert (tmp_path / 'data' / 'MNIST' / 'raw' / 'train-images-idx3-ubyte').is_file()


# -- the examples compared with torch ----------------------------------------------------------

@pytest.mark.parametrize('case', [c for c, spec in CASES.items() if spec[3] is None])
def test_example_matches_torch(case, tmp_path, torch_outputs):
    script, args, how, _ = CASES[case]
    r = run_example(script, tmp_path, *args)
    assert_same_output(r.stdout, torch_outputs[case], how)
    check_pictures(case, tmp_path / 'pictures', r.stderr)


def test_polynomial_regression_train_then_predict(tmp_path, torch_outputs):
    for case in ('regression1_train', 'regression2_predict'):
        script, args, how, _ = CASES[case]
        r = run_example(script, tmp_path, *args)
        assert_same_output(r.stdout, torch_outputs[case], how)
    assert (tmp_path / 'regression.pt').is_file()


def test_examples_print_the_documents_numbers(torch_outputs):
    # the numbers of the course notes, which torch prints too
    assert torch_outputs['autograd0'] == 'tensor(2.)\ntensor(6.)\n10.0\n'
    assert torch_outputs['autograd2'] == 'f= 10.0\nx.grad= tensor([2., 6.])\n'
    assert torch_outputs['autograd2a'] == ('f= 3.1622776985168457\n'
                                           'x.grad= tensor([0.3162, 0.9487])\n')
    result = torch_outputs['regression1_train'].splitlines()[-1]
    coefficients = [float(v) for v in re.findall(r'-?\d+\.\d+(?:e-?\d+)?', result)]
    np.testing.assert_allclose(coefficients, [0, 1, 2, 3], atol=1e-3)
    assert torch_outputs['quick_sequential'].splitlines()[-5:] == [
        'Sequential(', '  (0): Linear(in_features=2, out_features=10, bias=True)',
        '  (1): ReLU()', '  (2): Linear(in_features=10, out_features=2, bias=True)', ')']
