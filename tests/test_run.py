"""`numtorch run script.py`: the import alias, python's script semantics, errors, pictures."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np

from conftest import ROOT


def _env() -> dict:
    env = dict(os.environ)
    env['PYTHONPATH'] = str(ROOT)
    for k in ('DISPLAY', 'WAYLAND_DISPLAY', 'MPLBACKEND'):
        env.pop(k, None)
    return env


def numtorch_run(*args, cwd, entry: str = 'module', timeout: float = 60):
    """Runs ``numtorch run *args`` in a fresh interpreter (as ``python -m numtorch`` or
    through the console-script entry point ``numtorch.__main__:main``)."""
    if entry == 'module':
        cmd = [sys.executable, '-m', 'numtorch', 'run', *map(str, args)]
    else:
        cmd = [sys.executable, '-c', 'import sys; from numtorch.__main__ import main; '
               'sys.argv[0] = "numtorch"; sys.exit(main())', 'run', *map(str, args)]
    return subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=timeout)


def python_run(*args, cwd, timeout: float = 120):
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, env=_env(),
                          capture_output=True, text=True, timeout=timeout)


def write(path: pathlib.Path, src: str) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(src))
    return path


def test_alias_and_script_semantics(tmp_path):
    (tmp_path / 'data.txt').write_text('relative file\n')
    write(tmp_path / 'sub' / 'prog.py', '''
        import os, sys
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.optim
        import torch.utils.data as Data
        from torch.utils.data import DataLoader, TensorDataset
        from torch.autograd import Variable
        import torchvision
        import torchvision.transforms.functional as TF
        from torchvision import datasets, transforms
        import numtorch
        import numtorch.torchvision
        print('torch is numtorch', sys.modules['torch'] is numtorch, torch is numtorch)
        print('nn', nn is numtorch.nn, F is numtorch.nn.functional,
              torch.optim is numtorch.optim, Data is numtorch.utils.data)
        print('same classes', DataLoader is numtorch.utils.data.DataLoader,
              Variable is numtorch.autograd.Variable)
        print('spec', numtorch.__spec__.name, numtorch.nn.__spec__.name)
        print('vision', torchvision is numtorch.torchvision,
              datasets.MNIST is numtorch.torchvision.datasets.MNIST,
              transforms is sys.modules['torchvision.transforms'],
              TF is numtorch.torchvision.transforms.functional)
        print('argv', sys.argv)
        print('file', __file__, __name__)
        print('path0', sys.path[0] == os.path.dirname(os.path.realpath(__file__)))
        print('cwd file', open('data.txt').read().strip())
        x = Variable(torch.tensor([1., 2.]), requires_grad=True)
        (x * x).sum().backward()
        print(x.grad)
        ''')
    r = numtorch_run('sub/prog.py', 'a', '--flag', 'b c', cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        'torch is numtorch True True',
        'nn True True True True',
        'same classes True True',
        'spec numtorch numtorch.nn',
        'vision True True True True',
        "argv ['sub/prog.py', 'a', '--flag', 'b c']",
        f'file {tmp_path / "sub" / "prog.py"} __main__',
        'path0 True',
        'cwd file relative file',
        'tensor([2., 4.])',
    ]


def test_console_entry_point_and_usage(tmp_path):
    script = write(tmp_path / 's.py', 'import torch\nprint(torch.__name__)\n')
    r = numtorch_run(script, cwd=tmp_path, entry='console')
    assert (r.returncode, r.stdout) == (0, 'numtorch\n'), r.stderr
    no_args = subprocess.run([sys.executable, '-m', 'numtorch'], env=_env(),
                             capture_output=True, text=True)
    assert no_args.returncode == 2 and 'usage: numtorch run' in no_args.stderr
    bad = subprocess.run([sys.executable, '-m', 'numtorch', 'train', 's.py'], env=_env(),
                         cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown command 'train'" in bad.stderr
    no_script = numtorch_run('--out', 'pics', cwd=tmp_path)
    assert no_script.returncode == 2 and 'required: script' in no_script.stderr
    helped = numtorch_run('--help', cwd=tmp_path)
    assert helped.returncode == 0 and '--out DIR' in helped.stdout


def test_missing_script_exits_2_like_python(tmp_path):
    r = numtorch_run('nope.py', 'x', cwd=tmp_path)
    p = python_run('nope.py', 'x', cwd=tmp_path)
    assert r.returncode == p.returncode == 2
    assert r.stdout == ''
    # python's own words, with numtorch's name in front
    assert r.stderr.split(': ', 1)[1] == p.stderr.split(': ', 1)[1]
    assert str(tmp_path / 'nope.py') in r.stderr


def test_raising_script_shows_its_own_traceback(tmp_path):
    write(tmp_path / 'boom.py', '''
        import sys
        print('before')

        def inner(v):
            raise ValueError(f'bad value {v}')

        def outer():
            try:
                {}['k']
            except KeyError:
                inner(3)

        outer()
        ''')
    r = numtorch_run('boom.py', cwd=tmp_path)
    p = python_run('boom.py', cwd=tmp_path)
    assert r.returncode == p.returncode == 1
    assert r.stdout == p.stdout == 'before\n'
    # identical to python's report: the script's frames only, nothing of the runner's
    assert r.stderr == p.stderr
    assert f'File "{tmp_path / "boom.py"}", line 14, in <module>' in r.stderr
    assert '_run.py' not in r.stderr and 'runpy' not in r.stderr


def test_raising_inside_torch_call_keeps_library_frames(tmp_path):
    write(tmp_path / 'shape.py', '''
        import torch
        a = torch.ones(2, 3)
        b = torch.ones(4, 5)
        torch.mm(a, b)
        ''')
    r = numtorch_run('shape.py', cwd=tmp_path)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert lines[0] == 'Traceback (most recent call last):'
    assert lines[1] == f'  File "{tmp_path / "shape.py"}", line 5, in <module>'
    assert lines[-1].startswith('RuntimeError: mat1 and mat2 shapes cannot be multiplied')
    assert '_run.py' not in r.stderr and 'runpy' not in r.stderr


def test_syntax_error_and_exit_codes(tmp_path):
    write(tmp_path / 'syn.py', 'x = (1,\nprint(x\n')
    r = numtorch_run('syn.py', cwd=tmp_path)
    p = python_run('syn.py', cwd=tmp_path)
    assert r.returncode == p.returncode == 1
    assert r.stderr == p.stderr
    write(tmp_path / 'ex.py', 'import sys\nprint("hi")\nsys.exit(3)\n')
    assert numtorch_run('ex.py', cwd=tmp_path).returncode == 3
    write(tmp_path / 'exmsg.py', 'import sys\nsys.exit("gone")\n')
    r = numtorch_run('exmsg.py', cwd=tmp_path)
    assert (r.returncode, r.stderr) == (1, 'gone\n')


PLOT_SCRIPT = '''
    import sys
    import matplotlib.pyplot as plt
    import torch
    print('backend', plt.get_backend())
    x = torch.linspace(-1, 1, 20)
    plt.scatter(x.numpy(), (x ** 2).numpy())
    plt.show()
    plt.ion()
    for t in range(6):
        plt.cla()
        plt.scatter(x.numpy(), (x ** 2).numpy())
        plt.plot(x.numpy(), (x * t / 5).numpy(), 'r-', lw=5)
        plt.pause(0.1)
    plt.ioff()
    plt.show()
    plt.figure()
    plt.plot([1, 2, 3])
    plt.figure()
    plt.plot([3, 2, 1])
    plt.show()
    print('open figures after show', plt.get_fignums())
    '''


def test_show_saves_numbered_pngs_and_pause_frames_make_a_gif(tmp_path):
    from PIL import Image
    write(tmp_path / 'pics' / 'draw.py', PLOT_SCRIPT)
    r = numtorch_run('pics/draw.py', cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == 'backend agg\nopen figures after show []\n'
    saved = [line.split(' ')[-1] if 'figure' in line else line.split(' ')[4]
             for line in r.stderr.splitlines()]
    assert saved == ['pics/draw_fig1.png', 'pics/draw_anim1.gif', 'pics/draw_fig2.png',
                     'pics/draw_fig3.png', 'pics/draw_fig4.png']
    assert '(6 frames)' in r.stderr
    for name in ('draw_fig1.png', 'draw_fig2.png', 'draw_fig3.png', 'draw_fig4.png'):
        with Image.open(tmp_path / 'pics' / name) as im:
            assert im.format == 'PNG' and im.size == (640, 480)
    with Image.open(tmp_path / 'pics' / 'draw_anim1.gif') as gif:
        assert gif.format == 'GIF' and gif.n_frames == 6 and gif.info.get('loop') == 0
        frames = []
        for i in range(gif.n_frames):
            gif.seek(i)
            frames.append(np.asarray(gif.convert('RGB'), dtype=np.int16))
    # the red line moves: consecutive frames differ
    assert all(np.abs(a - b).sum() > 0 for a, b in zip(frames, frames[1:]))


def test_out_dir_and_animation_without_show(tmp_path):
    from PIL import Image
    write(tmp_path / 'anim.py', '''
        import matplotlib.pyplot as plt
        plt.ion()
        for i in range(3):
            plt.cla()
            plt.plot([0, 1], [0, i])
            plt.pause(0.05)
        ''')
    r = numtorch_run('--out', tmp_path / 'out', 'anim.py', cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    with Image.open(tmp_path / 'out' / 'anim_anim1.gif') as gif:
        assert gif.n_frames == 3
    assert not list(tmp_path.glob('*.gif'))


def test_runner_without_matplotlib_use_imports_nothing(tmp_path):
    write(tmp_path / 'plain.py', '''
        import sys
        import torch
        print(sorted(m for m in ('matplotlib', 'PIL', 'torchvision', 'numtorch.torchvision')
                     if m in sys.modules))
        ''')
    r = numtorch_run('plain.py', cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, '[]\n'), r.stderr
