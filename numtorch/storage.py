"""Storages: the flat memory that tensors view (``torch.UntypedStorage`` and the
legacy ``torch.TypedStorage``).

A numtorch tensor's memory is the NumPy array at the root of its ``base`` chain; its
untyped storage is that memory seen as bytes, so views of one tensor report one
storage (same ``data_ptr``), as in PyTorch. Checkpoints are read into storages and
tensors are rebuilt as views of them, which keeps shared storages shared.
"""
from __future__ import annotations

import numpy as np

from ._device import CPU
from ._dtype import dtype as _dtype_cls, uint8 as _uint8

__all__ = ['UntypedStorage', 'TypedStorage']


def _root(a: np.ndarray) -> np.ndarray:
    """The ndarray that owns (or first wraps) the memory ``a`` views; the walk also
    passes through ``as_strided``'s helper objects, which keep the original in ``.base``."""
    root = a
    obj = a.base
    while obj is not None:
        if isinstance(obj, np.ndarray):
            root = obj
        obj = getattr(obj, 'base', None)
    return root


def _bytes_of(root: np.ndarray) -> np.ndarray | None:
    """``root``'s memory as a flat uint8 array (None if it is not one contiguous block)."""
    if root.flags.c_contiguous or root.flags.f_contiguous:
        return root.reshape(-1, order='A').view(np.uint8)
    return None


def _ptr(a: np.ndarray) -> int:
    return a.__array_interface__['data'][0]


class UntypedStorage:
    """A flat block of bytes (``torch.UntypedStorage``); ``UntypedStorage(n)`` allocates
    ``n`` zero bytes, ``UntypedStorage([1, 2])`` copies a sequence of byte values."""
    __slots__ = ('_a', '__weakref__')
    is_cuda = False
    is_sparse = False

    def __init__(self, *args, device=None) -> None:
        from ._device import check_device
        check_device(device)
        if not args:
            self._a = np.zeros(0, np.uint8)
        elif len(args) == 1 and isinstance(args[0], (int, np.integer)):
            self._a = np.zeros(int(args[0]), np.uint8)
        elif len(args) == 1:
            self._a = np.array(list(args[0]), np.uint8)
        else:
            raise TypeError(f'UntypedStorage(): invalid arguments {args!r}')

    @classmethod
    def _wrap(cls, arr: np.ndarray) -> 'UntypedStorage':
        s = object.__new__(cls)
        s._a = arr
        return s

    @classmethod
    def _of(cls, tensor) -> 'UntypedStorage':
        """The storage under ``tensor``: the whole memory block its array views."""
        b = _bytes_of(_root(tensor._data))
        if b is None:
            # A view of memory NumPy cannot describe as one array: the view itself.
            b = _bytes_of(tensor._data) if tensor._data.flags.contiguous else \
                np.ascontiguousarray(tensor._data).reshape(-1).view(np.uint8)
        return cls._wrap(b)

    def nbytes(self) -> int:
        return self._a.size

    def size(self) -> int:
        return self._a.size

    def __len__(self) -> int:
        return self._a.size

    def element_size(self) -> int:
        return 1

    def data_ptr(self) -> int:
        """The address of the first byte (0 for an empty storage, as in PyTorch)."""
        return _ptr(self._a) if self._a.size else 0

    @property
    def device(self):
        return CPU

    @property
    def filename(self):
        return None

    def is_shared(self) -> bool:
        return False

    def is_pinned(self, device=None) -> bool:
        return False

    def cpu(self) -> 'UntypedStorage':
        return self

    def clone(self) -> 'UntypedStorage':
        return UntypedStorage._wrap(self._a.copy())

    def tolist(self) -> list:
        return self._a.tolist()

    def fill_(self, value) -> 'UntypedStorage':
        self._a[...] = value
        return self

    def copy_(self, source) -> 'UntypedStorage':
        src = source._a if isinstance(source, UntypedStorage) else \
            source._untyped_storage._a
        if src.size != self._a.size:
            raise RuntimeError(f'size mismatch, {self._a.size} != {src.size}')
        self._a[...] = src
        return self

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return UntypedStorage._wrap(self._a[idx])
        return int(self._a[idx])

    def __setitem__(self, idx, value) -> None:
        self._a[idx] = value

    def __iter__(self):
        return iter(self._a.tolist())

    def _byteswap(self, dtype: _dtype_cls) -> None:
        """Reverses the bytes of every ``dtype`` element in place (big-endian files)."""
        if dtype.itemsize > 1:
            self._a.view(dtype.np).byteswap(inplace=True)

    def __repr__(self) -> str:
        return _repr(self._a.tolist(), f'[torch.storage.UntypedStorage(device=cpu) of size '
                     f'{self._a.size}]')

    def __reduce__(self):
        return (UntypedStorage._wrap, (self._a.copy(),))


class TypedStorage:
    """A storage together with the dtype of its elements (PyTorch's deprecated
    ``TypedStorage``, still what checkpoints hand to the tensor rebuild functions)."""
    __slots__ = ('_untyped_storage', 'dtype')
    is_cuda = False
    is_sparse = False

    def __init__(self, *args, wrap_storage: UntypedStorage | None = None, dtype=None,
                 device=None, _internal: bool = False) -> None:
        from ._device import check_device
        check_device(device)
        self.dtype = _uint8 if dtype is None else dtype
        if wrap_storage is not None:
            if args:
                raise RuntimeError('TypedStorage(): wrap_storage takes no positional '
                                   'arguments')
            self._untyped_storage = wrap_storage
        elif not args:
            self._untyped_storage = UntypedStorage()
        elif len(args) == 1 and isinstance(args[0], (int, np.integer)):
            self._untyped_storage = UntypedStorage(int(args[0]) * self.dtype.itemsize)
        else:
            arr = np.array(list(args[0]), self.dtype.np)
            self._untyped_storage = UntypedStorage._wrap(arr.view(np.uint8))

    def _array(self) -> np.ndarray:
        """The elements as a flat array of this storage's dtype (shares memory)."""
        a = self._untyped_storage._a
        n = a.size // self.dtype.itemsize
        return a[:n * self.dtype.itemsize].view(self.dtype.np)

    def _view(self, storage_offset: int, size: tuple, stride: tuple) -> np.ndarray:
        """The array a tensor with this geometry sees (PyTorch's ``set_``)."""
        flat = self._array()
        need = 1 + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
        if storage_offset < 0 or any(s < 0 for s in stride) or \
                storage_offset + need > flat.size:
            raise RuntimeError(
                f'setStorage: sizes {list(size)}, strides {list(stride)}, storage offset '
                f'{storage_offset}, and itemsize {self.dtype.itemsize} requiring a storage '
                f'size of {(storage_offset + need) * self.dtype.itemsize} are out of bounds '
                f'for storage of size {flat.size * self.dtype.itemsize}')
        if need == 0:
            return np.empty(size, self.dtype.np)
        n = 1
        contiguous = True
        for d, s in zip(reversed(size), reversed(stride)):
            if d != 1 and s != n:
                contiguous = False
            n *= d
        if contiguous:
            return flat[storage_offset:storage_offset + n].reshape(size)
        it = self.dtype.itemsize
        return np.lib.stride_tricks.as_strided(flat[storage_offset:], size,
                                               tuple(s * it for s in stride))

    def size(self) -> int:
        return self._untyped_storage.nbytes() // self.dtype.itemsize

    _size = size

    def __len__(self) -> int:
        return self.size()

    def nbytes(self) -> int:
        return self._untyped_storage.nbytes()

    def element_size(self) -> int:
        return self.dtype.itemsize

    def data_ptr(self) -> int:
        return self._untyped_storage.data_ptr()

    _data_ptr = data_ptr

    @property
    def device(self):
        return CPU

    def untyped(self) -> UntypedStorage:
        return self._untyped_storage

    def cpu(self) -> 'TypedStorage':
        return self

    def tolist(self) -> list:
        return self._array().tolist()

    def _pickle_storage_type(self) -> str:
        return _STORAGE_NAMES[self.dtype.name]

    def __getitem__(self, idx):
        return self._array()[idx].item()

    def __repr__(self) -> str:
        return _repr(self.tolist(), f'[torch.storage.TypedStorage(dtype=torch.'
                     f'{self.dtype.name}, device=cpu) of size {self.size()}]')


def _repr(values: list, footer: str) -> str:
    return ' ' + '\n '.join(str(v) for v in values) + '\n' + footer


# dtype name -> the storage class name PyTorch pickles for it ('FloatStorage', ...).
_STORAGE_NAMES = {'bool': 'BoolStorage', 'uint8': 'ByteStorage', 'int8': 'CharStorage',
                  'int16': 'ShortStorage', 'int32': 'IntStorage', 'int64': 'LongStorage',
                  'float16': 'HalfStorage', 'float32': 'FloatStorage',
                  'float64': 'DoubleStorage', 'complex64': 'ComplexFloatStorage',
                  'complex128': 'ComplexDoubleStorage'}
