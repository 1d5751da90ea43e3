"""The pictures of a script run by ``numtorch run`` when there is no display to show them on.

On a machine without a display matplotlib falls back to its non-interactive Agg backend, where
``plt.show()`` does nothing and ``plt.pause()`` only sleeps. Under ``numtorch run`` those two
instead keep what the script drew:

* ``plt.show()`` saves every open figure as ``<script>_fig<N>.png`` (N counts across the run)
  and prints the path on stderr; a blocking show then closes the figures, as closing the
  windows would;
* every ``plt.pause()`` renders the active figure into a frame (without sleeping); the frames
  of one figure become one animated ``<script>_anim<N>.gif``, written at the next ``show()`` or
  when the script ends, so an ``ion()`` training loop is seen as it would be on screen.

The files go next to the script, or into ``--out DIR`` (which also forces saving when a display
exists). matplotlib and Pillow are imported only if the script imports ``matplotlib.pyplot``.
"""
from __future__ import annotations

import functools
import importlib.abc
import os
import sys

__all__ = ['install', 'Capture']

# matplotlib's built-in backends that draw into files or buffers, never into a window
_NON_GUI = frozenset(['agg', 'cairo', 'pdf', 'pgf', 'ps', 'svg', 'template'])
# a long ion() loop keeps at most this many frames per figure (then every 2nd, 4th, ... frame)
_MAX_FRAMES = 240
# GIF viewers treat delays under 20 ms as 100 ms; the last frame stays up a while
_MIN_DELAY_MS = 20
_LAST_DELAY_MS = 1500


class _Animation:
    """The frames drawn into one figure through ``plt.pause``; frames are RGB uint8 arrays,
    each with how long it stays on screen (ms)."""

    __slots__ = ('frames', 'delays', 'stride', 'skip')

    def __init__(self) -> None:
        self.frames: list = []
        self.delays: list = []
        self.stride = 1
        self.skip = 0

    def add(self, rgb, delay_ms: float) -> None:
        if self.skip:
            # a dropped frame lengthens the kept one, so the animation keeps its duration
            self.skip -= 1
            self.delays[-1] += delay_ms
            return
        self.frames.append(rgb)
        self.delays.append(delay_ms)
        self.skip = self.stride - 1
        if len(self.frames) > _MAX_FRAMES:
            self.frames = self.frames[::2]
            self.delays = [sum(self.delays[i:i + 2]) for i in range(0, len(self.delays), 2)]
            self.stride *= 2
            self.skip = self.stride - 1


class Capture:
    """Saves the figures and animations of one run (see the module docstring)."""

    def __init__(self, out_dir: str, stem: str, force: bool) -> None:
        self.out_dir = out_dir
        self.stem = stem
        self.force = force
        self.plt = None
        self.n_fig = 0
        self.n_anim = 0
        self.anims: dict = {}

    # -- hooks installed into matplotlib.pyplot ------------------------------------------------
    def patch(self, plt) -> None:
        """Replaces ``plt.show`` and ``plt.pause`` by the capturing versions."""
        self.plt = plt
        show, pause = plt.show, plt.pause

        @functools.wraps(show)
        def captured_show(*args, **kwargs):
            if not self.headless():
                return show(*args, **kwargs)
            self.show(kwargs.get('block'))

        @functools.wraps(pause)
        def captured_pause(interval):
            if not self.headless():
                return pause(interval)
            self.pause(interval)

        plt.show = captured_show
        plt.pause = captured_pause

    def headless(self) -> bool:
        """True where matplotlib has no window to draw into (or ``--out`` asked for files)."""
        return self.force or self.plt.get_backend().lower() in _NON_GUI

    def show(self, block=None) -> None:
        from matplotlib._pylab_helpers import Gcf
        self.write_animations()
        for manager in sorted(Gcf.get_all_fig_managers(), key=lambda m: m.num):
            self.n_fig += 1
            path = self._path(f'{self.stem}_fig{self.n_fig}.png')
            manager.canvas.figure.savefig(path)
            self._say(f'saved figure {path}')
        # a blocking show returns once its windows are closed: the figures are gone after it
        if block or (block is None and not self.plt.isinteractive()):
            self.plt.close('all')

    def pause(self, interval: float) -> None:
        from matplotlib._pylab_helpers import Gcf
        manager = Gcf.get_active()
        if manager is None:
            return
        fig = manager.canvas.figure
        anim = self.anims.get(fig)
        if anim is None:
            anim = self.anims[fig] = _Animation()
        anim.add(_render(fig), max(float(interval) * 1000.0, _MIN_DELAY_MS))

    # -- writing -------------------------------------------------------------------------------
    def write_animations(self) -> None:
        anims, self.anims = self.anims, {}
        for anim in anims.values():
            self.n_anim += 1
            path = self._path(f'{self.stem}_anim{self.n_anim}.gif')
            _write_gif(path, anim)
            self._say(f'saved animation {path} ({len(anim.frames)} frames)')

    def finish(self) -> None:
        """Writes what is still pending when the script ends."""
        if self.anims:
            self.write_animations()

    def _path(self, name: str) -> str:
        if self.out_dir:
            os.makedirs(self.out_dir, exist_ok=True)
        return os.path.join(self.out_dir, name)

    @staticmethod
    def _say(msg: str) -> None:
        sys.stdout.flush()
        sys.stderr.write(f'numtorch run: {msg}\n')
        sys.stderr.flush()


def _render(fig):
    """The figure as it would appear in its window: an RGB uint8 array."""
    import numpy as np
    canvas = fig.canvas
    if hasattr(canvas, 'buffer_rgba'):
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
    else:  # a vector backend: let Agg render the same figure into memory
        import io
        buf = io.BytesIO()
        fig.savefig(buf, format='rgba')
        w, h = fig.canvas.get_width_height()
        rgba = np.frombuffer(buf.getvalue(), np.uint8).reshape(h, w, 4)
    return np.ascontiguousarray(rgba[..., :3])


def _write_gif(path: str, anim: _Animation) -> None:
    try:
        from PIL import Image
    except ImportError:
        raise ImportError('writing the animation drawn with plt.pause() needs Pillow: '
                          'pip install pillow (or numtorch[vision])') from None
    import numpy as np
    images = [Image.fromarray(f) for f in anim.frames]
    size = images[0].size
    images = [im if im.size == size else im.resize(size) for im in images]
    # NOTE: one palette for all frames, taken from the first, middle and last frame together:
    # a plot has few colours, and per-frame palettes cost ~10x the time and flicker
    picks = sorted({0, len(images) // 2, len(images) - 1})
    sample = Image.fromarray(np.concatenate([np.asarray(images[i]) for i in picks], axis=0))
    palette = sample.quantize(256, method=Image.Quantize.MEDIANCUT)
    images = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    # GIF delays are in 10 ms steps
    delays = [int(round(d / 10.0)) * 10 for d in anim.delays]
    delays[-1] = max(delays[-1], _LAST_DELAY_MS)
    images[0].save(path, save_all=True, append_images=images[1:], duration=delays, loop=0)


class _PatchingLoader(importlib.abc.Loader):
    """Loads matplotlib.pyplot with its own loader, then patches it."""

    def __init__(self, loader, capture: Capture) -> None:
        self.loader = loader
        self.capture = capture

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        self.loader.exec_module(module)
        self.capture.patch(module)

    def __getattr__(self, name):  # get_source, get_filename, ... (tracebacks need them)
        return getattr(self.loader, name)


class _PyplotHook(importlib.abc.MetaPathFinder):
    """Catches the first import of ``matplotlib.pyplot`` and wraps its loader."""

    def __init__(self, capture: Capture) -> None:
        self.capture = capture

    def find_spec(self, fullname, path=None, target=None):
        if fullname != 'matplotlib.pyplot':
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            find = getattr(finder, 'find_spec', None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                spec.loader = _PatchingLoader(spec.loader, self.capture)
                return spec
        return None


def install(script: str, out: str | None) -> Capture:
    """Arranges for the pictures of ``script`` to be saved (into ``out`` if given)."""
    out_dir = out if out is not None else os.path.dirname(script)
    stem = os.path.splitext(os.path.basename(script.rstrip('/\\')))[0] or 'script'
    capture = Capture(out_dir, stem, force=out is not None)
    if out is not None:
        # saving was asked for: draw with Agg even where a display exists
        os.environ['MPLBACKEND'] = 'agg'
    plt = sys.modules.get('matplotlib.pyplot')
    if plt is not None:
        capture.patch(plt)
    else:
        sys.meta_path.insert(0, _PyplotHook(capture))
    return capture
