"""Switching gradient recording on and off: no_grad, enable_grad, set_grad_enabled,
inference_mode. Each works as a context manager and as a decorator."""
from __future__ import annotations

import functools
import inspect

__all__ = ['no_grad', 'enable_grad', 'set_grad_enabled', 'inference_mode',
           'is_grad_enabled', 'is_inference_mode_enabled']


from .._state import state


def is_grad_enabled() -> bool:
    """Returns True when operations are being recorded for autograd."""
    return state.enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _Mode:
    """Base of the grad-mode context managers; calling an instance on a function decorates it."""
    _target = True

    def __init__(self) -> None:
        self._prev = []

    def __enter__(self):
        self._prev.append(state.enabled)
        state.enabled = self._target
        return None

    def __exit__(self, *exc) -> None:
        state.enabled = self._prev.pop()

    def clone(self):
        return self.__class__()

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                gen = fn(*args, **kwargs)
                with self.clone():
                    item = next(gen)
                while True:
                    try:
                        sent = yield item
                    except GeneratorExit:
                        gen.close()
                        raise
                    with self.clone():
                        try:
                            item = gen.send(sent)
                        except StopIteration:
                            return
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_Mode):
    """Disables gradient recording inside its block (or the decorated function)."""
    _target = False

    def __new__(cls, func=None):
        # Allows the bare decorator form ``@torch.no_grad`` as well as ``@torch.no_grad()``.
        self = super().__new__(cls)
        if func is not None and callable(func):
            self.__init__()
            return self(func)
        return self

    def __init__(self, func=None) -> None:
        super().__init__()


class enable_grad(no_grad):
    """Enables gradient recording inside its block, even within ``no_grad``."""
    _target = True


class set_grad_enabled(_Mode):
    """Sets gradient recording on or off; effective immediately and as a context manager."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._mode = bool(mode)
        self._prev.append(state.enabled)
        state.enabled = self._mode

    def __enter__(self):
        return None

    def __exit__(self, *exc) -> None:
        state.enabled = self._prev.pop()

    def clone(self):
        return set_grad_enabled(self._mode)


class inference_mode(_Mode):
    """Like ``no_grad``, the fastest mode for inference (``mode=False`` turns it off)."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode) and not isinstance(mode, bool):
            self.__init__()
            return self(mode)
        return self

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self._mode = bool(mode)
        self._target = not self._mode

    def __enter__(self):
        self._prev.append((state.enabled, state.inference))
        if self._mode:
            state.enabled = False
        state.inference = self._mode
        return None

    def __exit__(self, *exc) -> None:
        state.enabled, state.inference = self._prev.pop()

    def clone(self):
        return inference_mode(self._mode)
