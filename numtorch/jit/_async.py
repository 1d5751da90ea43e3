"""torch.jit.fork / wait: in eager PyTorch, fork runs the function at once and returns a
completed Future; numtorch does the same."""
from __future__ import annotations

import warnings
from typing import Any, Callable

__all__ = ['Future', 'fork', 'wait']

_UNSET = object()


class Future:
    """The result of an asynchronous call (``torch.futures.Future``): ``wait()`` returns the
    value (or raises the error) the call produced."""

    __slots__ = ('_value', '_error', '_callbacks')

    def __init__(self, *, devices=None) -> None:
        self._value = _UNSET
        self._error: BaseException | None = None
        self._callbacks: list = []

    def done(self) -> bool:
        return self._value is not _UNSET or self._error is not None

    def wait(self) -> Any:
        if self._error is not None:
            raise self._error
        if self._value is _UNSET:
            raise RuntimeError('numtorch.jit.Future.wait(): the future has no result yet and '
                               'nothing runs concurrently to set one')
        return self._value

    value = wait

    def set_result(self, result: Any) -> None:
        if self.done():
            raise RuntimeError('Future can only be marked completed once.')
        self._value = result
        self._run_callbacks()

    def set_exception(self, result: BaseException) -> None:
        if not isinstance(result, BaseException):
            raise TypeError(f'{result} is of type {type(result)}, not an Exception.')
        if self.done():
            raise RuntimeError('Future can only be marked completed once.')
        self._error = result
        self._run_callbacks()

    def _run_callbacks(self) -> None:
        callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            cb(self)

    def add_done_callback(self, callback: Callable[['Future'], None]) -> None:
        if self.done():
            callback(self)
        else:
            self._callbacks.append(callback)

    def then(self, callback: Callable[['Future'], Any]) -> 'Future':
        """A new Future completed with ``callback(self)`` once this one completes."""
        nxt = Future()

        def chain(fut: 'Future') -> None:
            try:
                nxt.set_result(callback(fut))
            except Exception as e:  # the chained future carries the callback's error
                nxt.set_exception(e)
        self.add_done_callback(chain)
        return nxt


Future.__module__ = 'numtorch.jit'


def fork(func: Callable, *args, **kwargs) -> Future:
    """Runs ``func(*args, **kwargs)`` (eagerly, as PyTorch does outside TorchScript) and
    returns a completed Future holding its result."""
    warnings.warn('`torch.jit.fork` is deprecated. Please use `torch.compile` instead.',
                  DeprecationWarning, stacklevel=1)
    fut = Future()
    fut.set_result(func(*args, **kwargs))
    return fut


def wait(future: Future) -> Any:
    """The value of a Future made by ``fork``."""
    warnings.warn('`torch.jit.wait` is deprecated. Please use `torch.compile` instead.',
                  DeprecationWarning, stacklevel=1)
    return future.wait()
