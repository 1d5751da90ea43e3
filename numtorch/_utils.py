"""Counterpart of ``torch._utils``: the functions that rebuild tensors from a
checkpoint (their names are what PyTorch files reference) and ``ExceptionWrapper``,
which carries a worker's exception to the main process."""
from __future__ import annotations

import os
import sys
import traceback

import numpy as np

from ._tensor import Tensor, _wrap

__all__ = ['ExceptionWrapper', 'KeyErrorMessage', 'cpu_count']


def _element_size(dtype) -> int:
    """Bytes per element of a numtorch dtype."""
    return dtype.itemsize


def _rebuild_tensor(storage, storage_offset: int, size, stride) -> Tensor:
    """A tensor viewing ``storage`` (a TypedStorage) with the given geometry."""
    return _wrap(storage._view(storage_offset, tuple(size), tuple(stride)))


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None) -> Tensor:
    t = _rebuild_tensor(storage, storage_offset, size, stride)
    if requires_grad:
        t.requires_grad_(True)
    _check_metadata(metadata)
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None) -> Tensor:
    from .storage import TypedStorage
    typed = TypedStorage(wrap_storage=storage._untyped_storage, dtype=dtype)
    return _rebuild_tensor_v2(typed, storage_offset, size, stride, requires_grad,
                              backward_hooks, metadata)


def _check_metadata(metadata) -> None:
    # PyTorch records the conjugate / negative bits here; numtorch has neither.
    if metadata and any(metadata.values()):
        raise NotImplementedError(f'tensor metadata {metadata!r} (conjugate or negative '
                                  'views) is not supported by numtorch')


def _rebuild_parameter(data, requires_grad, backward_hooks):
    from .nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_obj_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _set_obj_state(obj, state):
    if isinstance(state, tuple):
        if not len(state) == 2:
            raise RuntimeError(f'Invalid serialized state: {state}')
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    if dict_state:
        for k, v in dict_state.items():
            setattr(obj, k, v)
    if slots_state:
        for k, v in slots_state.items():
            setattr(obj, k, v)
    return obj


def _rebuild_from_type_v2(func, new_type, args, state):
    """Rebuilds a tensor subclass: the base tensor, then its class and Python state."""
    ret = func(*args)
    if type(ret) is not new_type:
        if isinstance(new_type, type) and issubclass(new_type, Tensor) and hasattr(
                new_type, '_from_tensor'):
            ret = new_type._from_tensor(ret, ret.requires_grad)
        elif new_type is not Tensor:
            raise NotImplementedError(f'rebuilding a tensor of class {new_type!r}')
    return _set_obj_state(ret, state)


def _rebuild_device_tensor_from_numpy(data, dtype, device, requires_grad):
    from ._dtype import to_dtype
    from ._device import check_device
    check_device(device)
    t = _wrap(np.asarray(data).astype(to_dtype(dtype).np, copy=False))
    if requires_grad:
        t.requires_grad_(True)
    return t


class KeyErrorMessage(str):
    """A str that is its own repr, so a KeyError message prints readably."""
    __slots__ = ()

    def __repr__(self):
        return self


class ExceptionWrapper:
    """Carries an exception and its formatted traceback across processes
    (``where`` says which, e.g. 'in DataLoader worker process 0')."""

    def __init__(self, exc_info=None, where: str = 'in background') -> None:
        # Holding exc_info itself would keep the frames (and their tensors) alive.
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = ''.join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raises the wrapped exception type with the original traceback in its message."""
        msg = f'Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}'
        if self.exc_type is KeyError:
            # KeyError shows repr() of its argument; keep the traceback readable.
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, 'message', None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            # Exception types that need other constructor arguments.
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            # The frame holding 'exception' is in its traceback: drop the reference so
            # the frames (and the DataLoader iterator in them) are freed without the GC.
            del exception


def cpu_count() -> int | None:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, 'sched_getaffinity'):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()

