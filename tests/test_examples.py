"""Every example runs end to end under `numtorch run`; where a seed fixes its numbers, its output
equals the same script's output under PyTorch (all oracle scripts run in one torch process)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT
from test_run import numtorch_run, _env

EXAMPLES = ROOT / 'examples'

# name -> (arguments, how to compare with torch: 'exact', a relative tolerance, or None)
# (the outputs are also checked against torch's, so matching torch means matching the notes)
CASES = {
    'autograd0': ((), 'exact'),
    'autograd1': ((), 'exact'),
    'autograd2': ((), 'exact'),
    'autograd2a': ((), 'exact'),
    'torch_gd1': ((), 'exact'),
    'torch_gd2': ((), 'exact'),
    'torch_gd3': ((), 'exact'),
    'liuer_backprop': ((), 'exact'),
    'tensor_numpy': ((), 'exact'),
    'variable': ((), 'exact'),
    'quick_sequential': ((), 'exact'),
    'activation': ((), 1e-6),
    'regression': ((), 1e-3),
    'classification': ((), 1e-3),
}

ORACLE = '''
import contextlib, io, json, os, runpy, sys, traceback
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
plt.show = lambda *a, **k: None
plt.pause = lambda *a, **k: None
jobs = json.loads(sys.argv[1])
out = {}
for name, path, args, cwd in jobs:
    os.chdir(cwd)
    sys.argv = [path] + args
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            runpy.run_path(path, run_name='__main__')
    except BaseException:
        buf.write('ORACLE FAILED\\n' + traceback.format_exc())
    plt.close('all')
    out[name] = buf.getvalue()
print(json.dumps(out))
'''


@pytest.fixture(scope='module')
def torch_outputs(tmp_path_factory):
    """The output of every compared example under real PyTorch, from one process."""
    jobs = []
    for name, (args, how) in CASES.items():
        if how is None:
            continue
        cwd = tmp_path_factory.mktemp(f'torch_{name}')
        jobs.append([name, str(EXAMPLES / f'{name}.py'), list(map(str, args)), str(cwd)])
    env = dict(_env())
    env.pop('PYTHONPATH')
    r = subprocess.run([sys.executable, '-c', ORACLE, json.dumps(jobs)], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


_NUMBER = re.compile(r'[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?')


def assert_same_output(got: str, want: str, how) -> None:
    """Equal text, or equal text around numbers that agree within a relative tolerance."""
    assert 'ORACLE FAILED' not in want, want
    if how == 'exact':
        assert got == want
        return
    assert _NUMBER.sub('#', got) == _NUMBER.sub('#', want)
    a = np.array([float(v) for v in _NUMBER.findall(got)])
    b = np.array([float(v) for v in _NUMBER.findall(want)])
    np.testing.assert_allclose(a, b, rtol=how, atol=how)


def run_example(name: str, tmp_path, *args):
    r = numtorch_run('--out', tmp_path / 'pictures', EXAMPLES / f'{name}.py', *args,
                     cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    return r


# name -> the pictures it saves under `numtorch run --out`: file -> frames (at least, for a GIF:
# Pillow merges identical consecutive frames; 1 for a PNG)
PICTURES = {
    'activation': {'activation_fig1.png': 1},
    'regression': {'regression_anim1.gif': 40, 'regression_fig1.png': 1},
    'classification': {'classification_anim1.gif': 3, 'classification_fig1.png': 1},
}


def check_pictures(name: str, folder, stderr: str) -> None:
    from PIL import Image
    want = PICTURES.get(name, {})
    assert sorted(os.listdir(folder) if folder.exists() else []) == sorted(want)
    for file, frames in want.items():
        assert f'{folder / file}' in stderr
        with Image.open(folder / file) as im:
            assert im.format == ('GIF' if file.endswith('.gif') else 'PNG')
            n = getattr(im, 'n_frames', 1)
            assert n >= frames if frames > 1 else n == 1


@pytest.mark.parametrize('name', list(CASES))
def test_example_matches_torch(name, tmp_path, torch_outputs):
    args, how = CASES[name]
    r = run_example(name, tmp_path, *args)
    if how is not None:
        assert_same_output(r.stdout, torch_outputs[name], how)
    check_pictures(name, tmp_path / 'pictures', r.stderr)


def test_autograd_examples_print_the_documents_numbers(torch_outputs):
    # the numbers of the course notes, which torch prints too
    assert torch_outputs['autograd0'] == 'tensor(2.)\ntensor(6.)\n10.0\n'
    assert torch_outputs['autograd2'] == 'f= 10.0\nx.grad= tensor([2., 6.])\n'
    assert torch_outputs['autograd2a'] == ('f= 3.1622776985168457\n'
                                           'x.grad= tensor([0.3162, 0.9487])\n')
