"""The legacy typed storage classes ``torch.FloatStorage``, ``torch.LongStorage``, ...

As in PyTorch they are factories and type tests, not containers of their own: calling one
makes a :class:`~numtorch.storage.TypedStorage` of its dtype, and ``isinstance(s,
torch.FloatStorage)`` asks whether ``s`` is a TypedStorage of float32.
"""
from __future__ import annotations

import numpy as np

from . import _dtype as _dt
from .storage import TypedStorage, UntypedStorage

__all__ = ['BoolStorage', 'ByteStorage', 'CharStorage', 'ShortStorage', 'IntStorage',
           'LongStorage', 'HalfStorage', 'FloatStorage', 'DoubleStorage']

_SIGNATURES = ('.__new__ received an invalid combination of arguments. Expected one of:\n'
               ' * no arguments\n * (int size)\n * (Sequence data)\n'
               ' * (*, UntypedStorage wrap_storage)\n')


class _LegacyStorageMeta(type):
    dtype = None

    def __instancecheck__(cls, instance) -> bool:
        if cls.dtype is None:
            return type.__instancecheck__(cls, instance)
        return type(instance) is TypedStorage and instance.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


class _LegacyStorage(TypedStorage, metaclass=_LegacyStorageMeta):
    """Base of the legacy classes: ``FloatStorage()``, ``FloatStorage(n)``,
    ``FloatStorage([1.0, 2.0])`` or ``FloatStorage(wrap_storage=untyped)``."""
    __slots__ = ()

    def __new__(cls, *args, wrap_storage=None, **kwargs):
        head = f'{cls!r}{_SIGNATURES}'
        if kwargs:
            raise RuntimeError(f"{head}Keyword argument '{next(iter(kwargs))}' cannot be "
                               'specified')
        if wrap_storage is not None:
            if args:
                raise RuntimeError(f'{head}No positional arguments should be given when using '
                                   '`wrap_storage`')
            if not isinstance(wrap_storage, UntypedStorage):
                raise TypeError(f'{head}Argument `wrap_storage` must be UntypedStorage, but '
                                f'got {type(wrap_storage)}')
            return TypedStorage(wrap_storage=wrap_storage, dtype=cls.dtype, _internal=True)
        if len(args) > 1:
            raise RuntimeError(f'{head}Too many positional arguments')
        if args and not isinstance(args[0], (int, np.integer, list, tuple)):
            raise TypeError(f'{head}Argument type not recognized: {type(args[0])}')
        return TypedStorage(*args, dtype=cls.dtype, _internal=True)

    @classmethod
    def from_buffer(cls, buffer, byte_order: str = 'native', count: int = -1,
                    offset: int = 0) -> TypedStorage:
        """A storage holding a copy of ``buffer``'s bytes read as this class's dtype."""
        if byte_order not in ('native', 'little', 'big'):
            raise ValueError(f"byte_order must be 'native', 'little' or 'big', got "
                             f'{byte_order!r}')
        npdt = np.dtype(cls.dtype.np).newbyteorder(
            {'native': '=', 'little': '<', 'big': '>'}[byte_order])
        arr = np.frombuffer(buffer, npdt, count, offset).astype(cls.dtype.np)
        return TypedStorage(wrap_storage=UntypedStorage._wrap(arr.view(np.uint8)),
                            dtype=cls.dtype, _internal=True)


def _legacy(name: str, dtype) -> type:
    return _LegacyStorageMeta(name, (_LegacyStorage,), {'__slots__': (), 'dtype': dtype,
                                                         '__module__': __name__})


BoolStorage = _legacy('BoolStorage', _dt.bool_)
ByteStorage = _legacy('ByteStorage', _dt.uint8)
CharStorage = _legacy('CharStorage', _dt.int8)
ShortStorage = _legacy('ShortStorage', _dt.int16)
IntStorage = _legacy('IntStorage', _dt.int32)
LongStorage = _legacy('LongStorage', _dt.int64)
HalfStorage = _legacy('HalfStorage', _dt.float16)
FloatStorage = _legacy('FloatStorage', _dt.float32)
DoubleStorage = _legacy('DoubleStorage', _dt.float64)

# dtype -> class, for Tensor.storage_type()
BY_DTYPE = {c.dtype: c for c in (BoolStorage, ByteStorage, CharStorage, ShortStorage,
                                 IntStorage, LongStorage, HalfStorage, FloatStorage,
                                 DoubleStorage)}
