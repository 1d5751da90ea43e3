"""``numtorch run script.py [args...]``: run an unchanged PyTorch script on numtorch.

The script runs as ``__main__`` (through :mod:`runpy`, as ``python script.py`` runs it) with an
import alias in place: ``torch`` and every ``torch.<sub>`` resolve to ``numtorch`` and
``numtorch.<sub>``, ``torchvision`` to ``numtorch.torchvision``. The alias is a meta-path finder,
so ``sys.modules['torch'] is numtorch`` and no module is ever loaded twice under two names.
Worker processes see the alias too: fork children inherit it, and spawn/forkserver children get
a folder of two tiny ``torch``/``torchvision`` packages put on their ``sys.path`` that install it.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import sys
from typing import NoReturn

__all__ = ['main', 'run', 'install_alias', 'ALIASES']

USAGE = """\
usage: numtorch run [--out DIR] script.py [args ...]

Runs a PyTorch script on numtorch: `import torch` and `import torchvision` resolve to numtorch.
Without a display, plt.show() saves each open figure as <script>_fig<N>.png and the frames drawn
with plt.pause() are written as one animated <script>_anim<N>.gif (next to the script).

options:
  --out DIR   write the pictures into DIR (and always save them, display or not)
  -h, --help  show this message
"""

#: alias name -> the numtorch module it stands for
ALIASES = {'torch': 'numtorch', 'torchvision': 'numtorch.torchvision'}

_SHIMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '_alias_shims')


class _AliasLoader(importlib.abc.Loader):
    """Loads an alias by importing the real module and handing back that same object."""

    def __init__(self, real: str) -> None:
        self.real = real
        self._spec = None

    def create_module(self, spec):
        module = importlib.import_module(self.real)
        # NOTE: importlib overwrites __spec__ of whatever create_module returns; keep the real
        # spec so the module still knows its own name (pickle, reload, multiprocessing).
        self._spec = module.__spec__
        return module

    def exec_module(self, module) -> None:
        if self._spec is not None:
            module.__spec__ = self._spec


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``torch...`` / ``torchvision...`` and maps them onto numtorch modules."""

    def find_spec(self, fullname, path=None, target=None):
        head, dot, rest = fullname.partition('.')
        real = ALIASES.get(head)
        if real is None:
            return None
        real = real + dot + rest
        try:
            real_spec = importlib.util.find_spec(real)
        except ModuleNotFoundError:
            return None
        if real_spec is None:
            return None
        return importlib.util.spec_from_loader(
            fullname, _AliasLoader(real),
            is_package=real_spec.submodule_search_locations is not None)


_FINDER = _AliasFinder()


def install_alias() -> None:
    """Makes ``import torch`` / ``import torchvision`` (and their submodules) import numtorch.

    Idempotent. Modules already imported under the numtorch names are registered under the
    alias names too, so the alias and the real name always give the same module object.
    """
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    for alias, real in ALIASES.items():
        for name, module in list(sys.modules.items()):
            if name == real or name.startswith(real + '.'):
                sys.modules.setdefault(alias + name[len(real):], module)
    _patch_spawn()


def _patch_spawn() -> None:
    """Spawn and forkserver children start a fresh interpreter and re-run the script as
    ``__mp_main__``; put the shim packages on their path, right after the script's folder, so
    its ``import torch`` finds numtorch (the parent's own ``sys.path`` stays as python's)."""
    from multiprocessing import spawn
    if getattr(spawn.get_preparation_data, '_numtorch', False):
        return
    original = spawn.get_preparation_data

    def get_preparation_data(name):
        data = original(name)
        path = list(data.get('sys_path', sys.path))
        if _SHIMS not in path:
            # after the script's folder, ahead of any real torch in site-packages
            path.insert(1 if path else 0, _SHIMS)
        data['sys_path'] = path
        return data

    get_preparation_data._numtorch = True
    spawn.get_preparation_data = get_preparation_data


def _parse(argv: list[str]) -> tuple[str | None, str, list[str]]:
    """Splits ``[options] script [script args]``; options end at the first non-option."""
    out = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ('-h', '--help'):
            sys.stdout.write(USAGE)
            raise SystemExit(0)
        if a == '--':
            i += 1
            break
        if a == '--out' or a.startswith('--out='):
            if a == '--out':
                if i + 1 >= len(argv):
                    _usage_error('argument --out: expected one argument')
                out = argv[i + 1]
                i += 2
            else:
                out = a[len('--out='):]
                i += 1
            continue
        if a.startswith('-') and a != '-':
            _usage_error(f'unrecognized option {a!r}')
        break
    if i >= len(argv):
        _usage_error('the following arguments are required: script')
    return out, argv[i], argv[i + 1:]


def _usage_error(msg: str) -> NoReturn:
    sys.stderr.write(USAGE.split('\n\n')[0] + '\n' + f'numtorch run: error: {msg}\n')
    raise SystemExit(2)


def _trim(tb):
    """Drops the runner's and runpy's frames from the head of a traceback: what is left starts
    at the script's own ``<module>`` frame, as under ``python script.py``."""
    while tb is not None and tb.tb_frame.f_code.co_filename in _RUNNER_FILES:
        tb = tb.tb_next
    return tb


def run(argv: list[str]) -> int:
    """``numtorch run`` with ``argv`` (what follows ``run``); returns the exit status."""
    out, script, args = _parse(argv)
    if not os.path.exists(script):
        # the words python itself uses, with its exit status
        sys.stderr.write(f"numtorch run: can't open file {os.path.abspath(script)!r}: "
                         '[Errno 2] No such file or directory\n')
        return 2
    import runpy
    from . import _plot_capture

    install_alias()
    sys.argv = [script] + list(args)
    # python puts the script's own folder (symlinks resolved), or the folder/zip it runs,
    # first on the path, where the runner's own entry was
    real = os.path.realpath(script)
    sys.path[0] = os.path.dirname(real) if os.path.isfile(real) else real
    capture = _plot_capture.install(script, out)
    try:
        if os.path.isfile(script):
            _exec_main(script)
        else:  # a folder or zip file with a __main__.py
            runpy.run_path(script, run_name='__main__')
    except SystemExit:
        _finish(capture)
        raise
    except BaseException as e:  # the script's own error: report it as python would
        _finish(capture)
        e.__traceback__ = _trim(e.__traceback__)
        sys.excepthook(type(e), e, e.__traceback__)
        return 130 if isinstance(e, KeyboardInterrupt) else 1
    _finish(capture)
    return 0


def _exec_main(script: str) -> None:
    """Runs a script file as python does: a fresh ``__main__`` module whose ``__file__`` (and
    traceback paths) is the absolute path, while ``sys.argv[0]`` stays as typed."""
    import builtins
    import importlib.machinery
    import io
    import types
    path = os.path.abspath(script)
    with io.open_code(path) as f:
        source = f.read()
    code = compile(source, path, 'exec', dont_inherit=True)
    main = types.ModuleType('__main__')
    main.__file__ = path
    main.__cached__ = None
    main.__builtins__ = builtins
    main.__loader__ = importlib.machinery.SourceFileLoader('__main__', path)
    sys.modules['__main__'] = main
    exec(code, main.__dict__)


def _finish(capture) -> None:
    try:
        capture.finish()
    except Exception as e:  # a picture that cannot be written must not hide the script's result
        sys.stderr.write(f'numtorch run: could not write the pictures: {e}\n')


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``numtorch`` console script and of ``python -m numtorch``."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ('-h', '--help'):
        sys.stdout.write(USAGE) if argv else sys.stderr.write(USAGE)
        return 0 if argv else 2
    if argv[0] == '--version':
        from . import __version__
        print(f'numtorch {__version__}')
        return 0
    if argv[0] != 'run':
        sys.stderr.write(USAGE.split('\n\n')[0] + '\n'
                         f"numtorch: error: unknown command {argv[0]!r} (the command is 'run')\n")
        return 2
    return run(argv[1:])


def _shim(alias: str) -> None:
    """Run by the shim package ``alias`` in a spawned child: installs the alias and puts the
    numtorch module in the shim's place, so the ``import`` that ran the shim returns it."""
    install_alias()
    sys.modules[alias] = importlib.import_module(ALIASES[alias])


def _runner_files() -> frozenset:
    """The files whose frames sit between the runner and the script: this one and runpy."""
    import runpy
    names = {run.__code__.co_filename, _exec_main.__code__.co_filename,
             runpy.run_path.__code__.co_filename, runpy._run_code.__code__.co_filename}
    return frozenset(names | {os.path.realpath(n) for n in names})


# the tracebacks the runner reports start below these files' frames
_RUNNER_FILES = _runner_files()
