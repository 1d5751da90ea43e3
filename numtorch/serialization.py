"""``torch.save`` / ``torch.load`` in PyTorch's own file format.

A checkpoint is a zip archive (stored, 64-byte aligned records) holding ``data.pkl``,
the pickled object in which every tensor is a call to
``torch._utils._rebuild_tensor_v2`` on a persistent storage id
``('storage', torch.FloatStorage, key, 'cpu', numel)``, plus one ``data/<key>`` record
per storage with its raw bytes. Globals are written under PyTorch's names and mapped
back to numtorch's on load, so real PyTorch reads numtorch's files and numtorch reads
PyTorch's. The archive is byte-for-byte what PyTorch's writer produces (including the
deterministic ``.data/serialization_id``).

``load`` defaults to ``weights_only=True``: a restricted unpickler
(numtorch/_weights_only_unpickler.py) that never imports or calls anything outside an
allow-list. Saving to a path writes a temporary file next to it and renames it into
place, so an interrupted save leaves the previous file intact. Like PyTorch, a save does
not wait for the disk; with the environment variable ``NUMTORCH_SYNC_SAVES=1`` it does
(the data is synced before the rename, the directory after it), so that the checkpoint
also survives a power cut on any filesystem.
"""
from __future__ import annotations

import importlib
import io
import os
import pickle
import stat
import struct
import sys
import tempfile
import threading
from collections import OrderedDict
from types import FunctionType
from typing import Any, Callable

import numpy as np

from ._dtype import ALL as _ALL_DTYPES, NP2DT, dtype as _dtype_cls, uint8 as _uint8
from ._tensor import Tensor, _wrap
from . import _utils, _weights_only_unpickler
from .storage import (TypedStorage, UntypedStorage, _STORAGE_NAMES, _bytes_of, _ptr,
                      _root)
from ._zip import _ZipReader, _ZipWriter

__all__ = ['save', 'load', 'add_safe_globals', 'get_safe_globals', 'clear_safe_globals',
           'safe_globals', 'StorageType', 'SourceChangeWarning', 'default_restore_location',
           'location_tag']

DEFAULT_PROTOCOL = 2
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
LONG_SIZE = struct.Struct('=l').size
INT_SIZE = struct.Struct('=i').size
SHORT_SIZE = struct.Struct('=h').size

UNSAFE_MESSAGE = (
    'In PyTorch 2.6, we changed the default value of the `weights_only` argument in '
    '`torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` set to '
    '`False` will likely succeed, but it can result in arbitrary code execution. Do it only '
    'if you got the file from a trusted source.')

_CUDA_LOAD_ERROR = (
    'Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is '
    'False. If you are running on a CPU-only machine, please use torch.load with '
    "map_location=torch.device('cpu') to map your storages to the CPU.")


class SourceChangeWarning(Warning):
    pass


# -- names: numtorch objects are written under PyTorch's names and read back ---------
_STORAGE_DTYPES = {_STORAGE_NAMES[dt.name]: dt for dt in _ALL_DTYPES}
_UNSUPPORTED_STORAGES = ('BFloat16Storage', 'QInt8Storage', 'QInt32Storage', 'QUInt8Storage',
                         'QUInt4x2Storage', 'QUInt2x4Storage')

# Where numtorch keeps something PyTorch keeps elsewhere (numtorch -> torch, torch ->
# numtorch); everything else maps by replacing the package name.
_SAVE_NAMES = {('numtorch._utils', '_rebuild_from_type_v2'): ('torch._tensor',
                                                              '_rebuild_from_type_v2'),
               ('numtorch.storage', 'UntypedStorage'): ('torch.storage', 'UntypedStorage'),
               ('numtorch.storage', 'TypedStorage'): ('torch.storage', 'TypedStorage')}
_LOAD_NAMES = {v: k for k, v in _SAVE_NAMES.items()}
# PyTorch renamed this module once; old checkpoints still name it.
_LOAD_MODULE_MAPPING = {'torch.tensor': 'torch._tensor'}


def _torch_name(obj, name: str | None = None) -> tuple[str, str]:
    """The ``(module, name)`` under which PyTorch knows ``obj``: numtorch objects
    exported at the top level become ``torch.<name>``, others ``torch.<submodule>``."""
    module = getattr(obj, '__module__', None) or ''
    if name is None:
        name = getattr(obj, '__qualname__', None) or obj.__name__
    if module != 'numtorch' and not module.startswith('numtorch.'):
        return module, name
    special = _SAVE_NAMES.get((module, name))
    if special is not None:
        return special
    import numtorch
    if getattr(numtorch, name, None) is obj:
        return 'torch', name
    return 'torch' + module[len('numtorch'):], name


def _numtorch_global(module: str, name: str):
    """numtorch's counterpart of PyTorch's global ``module.name`` (``module`` is
    ``torch`` or a submodule of it)."""
    special = _LOAD_NAMES.get((module, name))
    if special is not None:
        module, name = special
    else:
        module = 'numtorch' + module[len('torch'):]
    obj = _lookup(module, name)
    if obj is not None:
        return obj
    # numtorch may keep a class one package up (numtorch.nn.Foo rather than
    # numtorch.nn.modules.foo.Foo); functions are not looked up there, as a same-named
    # function in a parent package may be a different one.
    parts = module.split('.')[:-1]
    while parts:
        obj = _lookup('.'.join(parts), name)
        if isinstance(obj, type):
            return obj
        parts.pop()
    raise AttributeError(f"numtorch has no counterpart of 'torch{module[len('numtorch'):]}"
                         f".{name}' (needed to load this checkpoint)")


def _lookup(module: str, name: str):
    try:
        obj = importlib.import_module(module)
        for attr in name.split('.'):
            obj = getattr(obj, attr)
    except (ImportError, AttributeError):
        return None
    return obj


class StorageType:
    """What a ``torch.FloatStorage``-style global in a checkpoint stands for: the dtype
    of the storage it names."""

    def __init__(self, name: str) -> None:
        if name in _UNSUPPORTED_STORAGES:
            raise NotImplementedError(f'torch.{name} (in the checkpoint) is not supported by '
                                      'numtorch')
        self._dtype = _STORAGE_DTYPES[name]

    @property
    def dtype(self) -> _dtype_cls:
        return self._dtype

    def __str__(self) -> str:
        return f'StorageType(dtype={self.dtype})'


def _get_layout(name: str):
    """``torch.strided`` and friends, as checkpoints reference them."""
    import numtorch
    return getattr(numtorch, name.split('.')[-1])


# -- plain pickling (multiprocessing, copy): a tensor travels as its array --------------
def _reduce_tensor(t: Tensor):
    """``Tensor.__reduce_ex__``: the values (as a NumPy array, which pickles its buffer
    directly) and requires_grad; outside ``save`` no storage sharing is kept."""
    return (_rebuild_from_array, (t._data, t._rg, type(t)))


def _rebuild_from_array(arr: np.ndarray, requires_grad: bool, cls=Tensor) -> Tensor:
    t = _wrap(arr)
    if cls is not Tensor:
        t = cls._from_tensor(t, requires_grad)
    elif requires_grad:
        t.requires_grad_(True)
    return t


# -- saving --------------------------------------------------------------------------
class _TorchGlobal:
    """Pickles as the global ``module.name`` (for PyTorch classes numtorch lacks, such as
    the ``torch.FloatStorage`` in storage ids)."""
    __slots__ = ('module', 'name')
    _cache: dict = {}

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    @classmethod
    def get(cls, module: str, name: str) -> '_TorchGlobal':
        g = cls._cache.get((module, name))
        if g is None:
            g = cls._cache[(module, name)] = cls(module, name)
        return g


class _StorageRef:
    """A storage as it appears in ``data.pkl``: only its persistent id."""
    __slots__ = ('pid',)

    def __init__(self, pid: tuple) -> None:
        self.pid = pid


# The location tag of every storage. PyTorch's tag is one string object, distinct from
# other 'cpu' strings in the pickle (a torch.device('cpu') pickles its own copy).
_CPU_TAG = ''.join(('c', 'pu'))


class _Storages:
    """The storages met while pickling: one key per memory block, in first-seen order."""

    def __init__(self) -> None:
        self._by_root: dict[int, tuple] = {}
        self.records: list[tuple[str, np.ndarray]] = []

    def reduce(self, t: Tensor):
        """``t`` as PyTorch pickles it: ``_rebuild_tensor_v2(storage, offset, size,
        stride, requires_grad, OrderedDict())``, Parameters via ``_rebuild_parameter``."""
        cls = type(t)
        if cls is not Tensor:
            from .nn.parameter import Parameter
            data = _wrap(t._data)
            if cls is Parameter:
                state = t.__dict__
                if state:
                    return (_utils._rebuild_parameter_with_state,
                            (data, t._rg, OrderedDict(), state))
                return (_utils._rebuild_parameter, (data, t._rg, OrderedDict()))
            args = self._tensor_args(t)
            state = getattr(t, '__dict__', None) or None
            return (_utils._rebuild_from_type_v2,
                    (_utils._rebuild_tensor_v2, cls, args, state))
        return (_utils._rebuild_tensor_v2, self._tensor_args(t))

    def _tensor_args(self, t: Tensor) -> tuple:
        a = t._data
        dt = NP2DT[a.dtype]
        item = a.itemsize
        root = _root(a)
        flat = _bytes_of(root)
        if flat is not None:
            off = _ptr(a) - _ptr(flat)
            extent = sum((n - 1) * s for n, s in zip(a.shape, a.strides)) + item \
                if a.size else 0
            if off < 0 or off % item or flat.size % item or off + extent > flat.size or \
                    any(s < 0 or s % item for s in a.strides):
                flat = None  # not expressible as a PyTorch view (e.g. a flipped view)
        if flat is None:
            root = np.array(a, order='C')
            flat = root.reshape(-1).view(np.uint8)
            off = 0
        entry = self._by_root.get(id(root))
        if entry is None:
            key = str(len(self._by_root))
            entry = self._by_root[id(root)] = (key, dt, root)
            self.records.append((key, flat))
        elif entry[1] is not dt:
            raise RuntimeError('Cannot save multiple tensors or storages that view the same '
                               'data as different types')
        pid = ('storage', _TorchGlobal.get('torch', _STORAGE_NAMES[dt.name]), entry[0],
               _CPU_TAG, flat.size // item)
        if a.flags.c_contiguous:
            stride = _contiguous_strides(a.shape)
        else:
            stride = tuple(s // item for s in a.strides)
        return (_StorageRef(pid), off // item, tuple(a.shape), stride, t._rg, OrderedDict())


def _contiguous_strides(shape) -> tuple:
    st = []
    acc = 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


class _Pickler(pickle._Pickler):
    """The pure-Python pickler, writing numtorch objects under PyTorch's names and
    tensors as storage references (PyTorch's ``data.pkl`` layout)."""
    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol: int, storages: _Storages) -> None:
        super().__init__(file, protocol)
        self._storages = storages

    def persistent_id(self, obj):
        return obj.pid if type(obj) is _StorageRef else None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._storages.reduce(obj)
        return NotImplemented

    def save_global(self, obj, name=None):
        module = getattr(obj, '__module__', None) or ''
        if module != 'numtorch' and not module.startswith('numtorch.'):
            return super().save_global(obj, name)
        self._write_global(*_torch_name(obj, name))
        self.memoize(obj)

    dispatch[FunctionType] = save_global

    def _write_global(self, module: str, name: str) -> None:
        if self.proto >= 4:
            self.save(module)
            self.save(name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + module.encode() + b'\n' + name.encode() + b'\n')

    def _save_torch_global(self, obj: _TorchGlobal) -> None:
        self._write_global(obj.module, obj.name)
        self.memoize(obj)

    dispatch[_TorchGlobal] = _save_torch_global

    def _save_dtype(self, obj: _dtype_cls) -> None:
        self._write_global('torch', obj.name)
        self.memoize(obj)

    dispatch[_dtype_cls] = _save_dtype


def _check_pickle_module(pickle_module) -> None:
    if pickle_module is not None and pickle_module is not pickle:
        name = getattr(pickle_module, '__name__', pickle_module)
        raise NotImplementedError(f'pickle_module={name} (numtorch saves and loads with the '
                                  'standard pickle module)')


def _is_path(f) -> bool:
    return isinstance(f, (str, os.PathLike))


def _archive_name(path: str) -> str:
    """PyTorch's archive folder name: the file name without its last extension."""
    try:
        path.encode('ascii')
    except UnicodeEncodeError:
        return 'archive'  # PyTorch writes non-ASCII paths through a Python file object
    start = max(path.rfind('/'), path.rfind('\\')) + 1
    base = path[start:]
    dot = base.rfind('.')
    name = base[:dot] if dot >= 0 else base
    if not name:
        raise RuntimeError(f'invalid file name: {path}')
    return name


def save(obj: object, f, pickle_module: Any = pickle, pickle_protocol: int = DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Saves ``obj`` (tensors, state_dicts, whole modules, containers...) to ``f`` in
    PyTorch's format; ``f`` is a path or a writable binary file object.

    Tensors that share memory are saved once and still share it when loaded. Writing to
    a path is atomic: the data goes to a temporary file in the same directory, which
    replaces ``f`` only once it is complete (and synced to disk first if the environment
    variable ``NUMTORCH_SYNC_SAVES`` is 1).
    """
    _check_pickle_module(pickle_module)
    if not _is_path(f) and not hasattr(f, 'write'):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a "
                             "'write' attribute")
    if _is_path(f):
        _save_to_path(obj, os.fspath(f), pickle_protocol, _use_new_zipfile_serialization,
                      _disable_byteorder_record)
        return
    if not callable(getattr(f, 'write', None)):
        raise TypeError(f"Buffer of {str(type(f)).strip('<>')} has no callable attribute "
                        "'write'")
    if _use_new_zipfile_serialization:
        _save(obj, f.write, 'archive', pickle_protocol, _disable_byteorder_record)
    else:
        _legacy_save(obj, f.write, pickle_protocol)
    if callable(getattr(f, 'flush', None)):
        f.flush()


def _save_to_path(obj, path: str, protocol: int, zipfile_format: bool,
                  no_byteorder: bool) -> None:
    name = _archive_name(path) if zipfile_format else None
    sep = max(path.rfind('/'), path.rfind('\\'))
    parent = path[:sep] if sep >= 0 else ''
    if parent and not os.path.isdir(parent):
        raise RuntimeError(f'Parent directory {parent} does not exist.')
    if os.path.isdir(path):
        raise RuntimeError(f'File {path} cannot be opened.')
    target = os.path.realpath(path) if os.path.islink(path) else path
    directory = os.path.dirname(target) or '.'
    # NOTE: not synced by default, as PyTorch's saves are not: the sync waits for the disk
    # (measured here ~15 ms for 40 MB, more than the whole write). Without it a killed
    # process still leaves the old file or the new one, never a part.
    durable = os.environ.get('NUMTORCH_SYNC_SAVES', '0') not in ('', '0')
    fd, tmp = _open_temporary(directory, os.path.basename(target))
    try:
        with os.fdopen(fd, 'wb') as fh:
            if zipfile_format:
                _save(obj, fh.write, name, protocol, no_byteorder,
                      _start_writeback(fh) if durable else None)
            else:
                _legacy_save(obj, fh.write, protocol)
            fh.flush()
            os.fchmod(fh.fileno(), _file_mode(target))
            if durable:
                _sync(fh.fileno())
            if tmp is None:
                # The data so far lived in an unnamed file: give it a name only now
                # that it is complete.
                tmp = _link_temporary(fh.fileno(), directory, os.path.basename(target))
        old = _hold(target)
        os.replace(tmp, target)
        if old is not None:
            # Freeing the replaced file's blocks happens on its last close: do that off
            # the caller's path.
            threading.Thread(target=os.close, args=(old,), daemon=True).start()
    except BaseException:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise
    if durable:
        _fsync_dir(directory)


def _open_temporary(directory: str, base: str) -> tuple[int, str | None]:
    """A file to write the checkpoint into: unnamed (Linux O_TMPFILE, so a killed
    process leaves nothing behind) where the filesystem can name it afterwards, else a
    hidden named temporary."""
    if _unnamed_ok(directory):
        try:
            return os.open(directory, os.O_TMPFILE | os.O_WRONLY, 0o600), None
        except OSError:
            pass
    _remove_stale_temporaries(directory, base)
    return tempfile.mkstemp(prefix=f'.{base}.{os.getpid()}.', suffix='.tmp', dir=directory)


def _remove_stale_temporaries(directory: str, base: str) -> None:
    """Deletes what earlier saves to ``base`` left when their process was killed
    (hidden temporaries named with the pid of a process that no longer exists)."""
    prefix = f'.{base}.'
    try:
        names = [n for n in os.listdir(directory) if n.startswith(prefix) and n.endswith('.tmp')]
    except OSError:
        return
    for n in names:
        pid = n[len(prefix):].split('.', 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            try:
                os.unlink(os.path.join(directory, n))
            except OSError:
                pass
        except OSError:
            pass  # alive but not ours to signal


_unnamed_by_device: dict[int, bool] = {}


def _unnamed_ok(directory: str) -> bool:
    """Whether unnamed temporary files can be created and then linked in ``directory``
    (tried once per filesystem)."""
    flag = getattr(os, 'O_TMPFILE', 0)
    if not flag or not os.path.isdir('/proc/self/fd'):
        return False
    dev = os.stat(directory).st_dev
    ok = _unnamed_by_device.get(dev)
    if ok is None:
        ok = False
        try:
            fd = os.open(directory, flag | os.O_WRONLY, 0o600)
        except OSError:
            pass
        else:
            try:
                os.unlink(_link_temporary(fd, directory, 'probe'))
                ok = True
            except OSError:
                pass
            finally:
                os.close(fd)
        _unnamed_by_device[dev] = ok
    return ok


def _link_temporary(fd: int, directory: str, base: str) -> str:
    for _ in range(100):
        tmp = os.path.join(directory, f'.{base}.{os.getpid()}.{os.urandom(6).hex()}.tmp')
        try:
            os.link(f'/proc/self/fd/{fd}', tmp, follow_symlinks=True)
            return tmp
        except FileExistsError:
            continue
    raise FileExistsError(f'could not create a temporary file next to {base}')


def _start_writeback(fh) -> Callable | None:
    """Where Linux's ``sync_file_range`` is available: a callback that starts writing a
    just-written range to disk, so the final sync overlaps with the checksums of the
    following records instead of waiting for everything at the end."""
    fn = _sync_file_range()
    if fn is None:
        return None
    fd = fh.fileno()

    def written(offset: int, nbytes: int) -> None:
        fh.flush()
        fn(fd, offset, nbytes, 2)  # SYNC_FILE_RANGE_WRITE; a failure only costs speed
    return written


_sfr_cache: list = []


def _sync_file_range():
    if not _sfr_cache:
        fn = None
        if sys.platform.startswith('linux'):
            try:
                import ctypes
                fn = ctypes.CDLL(None, use_errno=True).sync_file_range
                fn.argtypes = (ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong,
                               ctypes.c_uint)
                fn.restype = ctypes.c_int
            except (OSError, AttributeError):
                fn = None
        _sfr_cache.append(fn)
    return _sfr_cache[0]


def _hold(path: str) -> int | None:
    """A descriptor keeping the current file at ``path`` alive, if there is one."""
    try:
        return os.open(path, os.O_RDONLY)
    except OSError:
        return None


def _sync(fd: int) -> None:
    # The data (and the size needed to read it) must be on disk before the rename.
    if hasattr(os, 'fdatasync'):
        os.fdatasync(fd)
    else:
        os.fsync(fd)


def _file_mode(target: str) -> int:
    """The permissions ``open(target, 'wb')`` would leave: the existing file's, or the
    default ones under the process umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        pass
    with _umask_lock:
        mask = os.umask(0)
        os.umask(mask)
    return 0o666 & ~mask


_umask_lock = threading.Lock()


def _fsync_dir(directory: str) -> None:
    # Makes the rename itself durable (where the platform allows opening directories).
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def _save(obj, write: Callable, archive_name: str, protocol: int,
          disable_byteorder_record: bool, written: Callable | None = None) -> None:
    storages = _Storages()
    buf = io.BytesIO()
    _Pickler(buf, protocol, storages).dump(obj)
    data = buf.getvalue()
    zw = _ZipWriter(write, archive_name, written)
    zw.write_record('data.pkl', data, len(data))
    zw.write_record('.format_version', b'1', 1)
    zw.write_record('.storage_alignment', b'64', 2)
    if not disable_byteorder_record:
        zw.write_record('byteorder', sys.byteorder.encode(), len(sys.byteorder))
    for key, flat in storages.records:
        zw.write_record(f'data/{key}', flat, flat.size)
    zw.write_end_of_file()


def _legacy_save(obj, write: Callable, protocol: int) -> None:
    """PyTorch's pre-1.6 format: magic number, protocol version, system info, the object
    (storage ids carry an extra view field), the sorted storage keys, then each storage
    as an int64 element count followed by its bytes."""
    storages = _Storages()
    buf = io.BytesIO()

    class LegacyPickler(_Pickler):
        def persistent_id(self, obj):
            return obj.pid + (None,) if type(obj) is _StorageRef else None

    for header in (MAGIC_NUMBER, PROTOCOL_VERSION,
                   {'protocol_version': PROTOCOL_VERSION,
                    'little_endian': sys.byteorder == 'little',
                    'type_sizes': {'short': SHORT_SIZE, 'int': INT_SIZE, 'long': LONG_SIZE}}):
        pickle.dump(header, buf, protocol=protocol)
    LegacyPickler(buf, protocol, storages).dump(obj)
    keys = sorted(key for key, _ in storages.records)
    pickle.dump(keys, buf, protocol=protocol)
    write(buf.getvalue())
    flats = dict(storages.records)
    itemsizes = {e[0]: e[1].itemsize for e in storages._by_root.values()}
    for key in keys:
        flat = flats[key]
        write(struct.pack('<q', flat.size // itemsizes[key]))
        write(flat)


# -- loading -------------------------------------------------------------------------
def location_tag(storage) -> str:
    return 'cpu'


def default_restore_location(storage, location: str):
    """Puts a freshly read storage where its location tag says (only 'cpu' exists)."""
    if location == 'cpu':
        return storage
    if location.startswith('cuda'):
        raise RuntimeError(_CUDA_LOAD_ERROR)
    if location == 'meta':
        raise NotImplementedError("map_location='meta' (meta tensors) is not supported by "
                                  'numtorch')
    raise RuntimeError(f"don't know how to restore data location of "
                       f'torch.storage.UntypedStorage (tagged with {location})')


def _get_restore_location(map_location) -> Callable:
    from ._device import device
    if map_location is None:
        return default_restore_location
    if isinstance(map_location, dict):
        return lambda storage, location: default_restore_location(
            storage, map_location.get(location, location))
    if isinstance(map_location, (str, bytes)):
        loc = map_location.decode() if isinstance(map_location, bytes) else map_location
        return lambda storage, location: default_restore_location(storage, loc)
    if isinstance(map_location, device):
        return lambda storage, location: default_restore_location(storage, str(map_location))

    def restore_location(storage, location):
        result = map_location(storage, location)
        if result is None:
            result = default_restore_location(storage, location)
        return result
    return restore_location


def _decode_ascii(s):
    return s.decode('ascii') if isinstance(s, bytes) else s


def _find_class(unpickler_find_class, mod_name: str, name: str):
    if type(name) is str and 'Storage' in name:
        if name in _STORAGE_DTYPES or name in _UNSUPPORTED_STORAGES:
            return StorageType(name)
    mod_name = _LOAD_MODULE_MAPPING.get(mod_name, mod_name)
    if mod_name == 'torch' or mod_name.startswith('torch.'):
        return _numtorch_global(mod_name, name)
    return unpickler_find_class(mod_name, name)


def _get_wo_message(message: str) -> str:
    import re
    docs = ('\n\nCheck the documentation of torch.load to learn more about types accepted by '
            'default with weights_only https://pytorch.org/docs/stable/generated/torch.load.html.')
    if re.search(r'GLOBAL (\S+) was not an allowed global by default.', message):
        updated = ('Weights only load failed. This file can still be loaded, to do so you have '
                   'two options, \033[1mdo those steps only if you trust the source of the '
                   f'checkpoint\033[0m. \n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load '
                   'with `weights_only=True` please check the recommended steps in the '
                   'following error message.\n\tWeightsUnpickler error: ' + message)
    else:
        if re.search(r'(\S+) must be (\S+) to load', message):
            return f'Weights only load failed. {message}\n {UNSAFE_MESSAGE}\n'
        updated = f'Weights only load failed. {UNSAFE_MESSAGE}\n'
        if not re.search(r'whose module (\S+) is blocked', message):
            updated += ('Please file an issue with the following so that we can make '
                        '`weights_only=True` compatible with your use case: WeightsUnpickler '
                        'error: ')
        updated += '\n\n' + message
    return updated + docs


def _check_seekable(f) -> None:
    try:
        f.seek(f.tell())
    except (io.UnsupportedOperation, AttributeError) as e:
        for p in ('seek', 'tell'):
            if p in str(e):
                raise type(e)(str(e) + '. You can only torch.load from a file that is seekable.'
                              ' Please pre-load the data into a buffer like io.BytesIO and try '
                              'to load from it instead.') from None
        raise


def load(f, map_location=None, pickle_module: Any = None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args: Any) -> Any:
    """Loads an object saved with ``save`` (or by PyTorch) from a path or a readable,
    seekable binary file object.

    ``weights_only`` (default True) only allows tensors, primitive containers and the
    other allow-listed types (see ``add_safe_globals``); pass False to load whole
    modules from a trusted file. ``map_location`` ('cpu', a device, a dict of location
    tags, or a callable ``(storage, location)``) says where storages go; numtorch has
    only the CPU. ``mmap=True`` maps the file instead of reading it.
    """
    if weights_only is None:
        weights_only = pickle_module is None
    true_values = ('1', 'y', 'yes', 'true')
    force_wo = os.getenv('TORCH_FORCE_WEIGHTS_ONLY_LOAD', '0').lower() in true_values
    force_no_wo = os.getenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '0').lower() in true_values
    if force_wo and force_no_wo:
        raise RuntimeError('Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or '
                           '`TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` should be set, but both were set.')
    if force_wo:
        weights_only = True
    if weights_only:
        if pickle_module is not None:
            raise RuntimeError('Can not safely load weights when explicit pickle_module is '
                               'specified')
    else:
        _check_pickle_module(pickle_module)
    if pickle_load_args and weights_only:
        import warnings
        warnings.warn('pickle_load_args only works if `weights_only=False`.', stacklevel=2)
    pickle_load_args.setdefault('encoding', 'utf-8')
    if _is_path(f):
        if os.fspath(f).endswith('.safetensors'):
            raise NotImplementedError('loading .safetensors files is not supported by numtorch')
        with open(f, 'rb') as fh:
            return _load_file(fh, map_location, weights_only, mmap, os.fspath(f),
                              pickle_load_args)
    _check_seekable(f)
    if mmap:
        raise ValueError('f must be a file path in order to use the mmap argument')
    return _load_file(f, map_location, weights_only, False, None, pickle_load_args)


def _load_file(fh, map_location, weights_only: bool, mmap: bool | None, path: str | None,
               pickle_load_args: dict):
    start = fh.tell()
    is_zip = fh.read(4) == b'PK\x03\x04'
    fh.seek(start)
    unpickler = _weights_only_unpickler if weights_only else pickle
    try:
        if is_zip:
            mm = None
            if mmap:
                import mmap as _mmap
                mm = _mmap.mmap(fh.fileno(), 0, access=_mmap.ACCESS_COPY)
            reader = _ZipReader(fh, mm)
            if reader.has_record('constants.pkl'):
                if weights_only:
                    raise RuntimeError('Cannot use ``weights_only=True`` with TorchScript '
                                       'archives passed to ``torch.load``. ' + UNSAFE_MESSAGE)
                raise NotImplementedError('TorchScript archives (torch.jit.save) are not '
                                          'supported by numtorch')
            return _load(reader, map_location, unpickler, **pickle_load_args)
        if mmap:
            f_name = f'{path}, ' if isinstance(path, str) else ''
            raise RuntimeError('mmap can only be used with files saved with '
                               f'`torch.save({f_name}_use_new_zipfile_serialization=True), '
                               'please torch.save your checkpoint with this option in order '
                               'to use mmap.')
        return _legacy_load(fh, map_location, unpickler, **pickle_load_args)
    except pickle.UnpicklingError as e:
        if weights_only:
            raise pickle.UnpicklingError(_get_wo_message(str(e))) from None
        raise


def _make_unpickler(module, file, persistent_load: Callable, pickle_load_args: dict):
    if module is _weights_only_unpickler:
        up = _weights_only_unpickler.Unpickler(file, **pickle_load_args)
        up.persistent_load = persistent_load
        return up

    class UnpicklerWrapper(pickle.Unpickler):
        def find_class(self, mod_name, name):
            return _find_class(super().find_class, mod_name, name)

    up = UnpicklerWrapper(file, **pickle_load_args)
    up.persistent_load = persistent_load
    return up


def _load(reader: _ZipReader, map_location, unpickler_module, **pickle_load_args):
    restore_location = _get_restore_location(map_location)
    loaded: dict[str, TypedStorage] = {}
    byteorder = None
    if reader.has_record('byteorder'):
        byteorder = bytes(reader.get_record('byteorder'))
        if byteorder not in (b'little', b'big'):
            raise ValueError('Unknown endianness type: ' + byteorder.decode())
    else:
        byteorder = b'little'  # PyTorch's default for files without the record

    def persistent_load(saved_id):
        if not isinstance(saved_id, tuple):
            raise AssertionError(f'saved_id must be a tuple, got {type(saved_id).__name__}')
        typename = _decode_ascii(saved_id[0])
        if typename != 'storage':
            raise AssertionError("Unknown typename for persistent_load, expected 'storage' but "
                                 f"got '{typename}'")
        storage_type, key, location, numel = saved_id[1:]
        dt = _uint8 if storage_type is UntypedStorage else storage_type.dtype
        typed = loaded.get(key)
        if typed is None:
            raw = reader.get_record(f'data/{key}')
            if raw.size != numel * dt.itemsize:
                raise RuntimeError(f'record size {raw.size} mismatch with dst size '
                                   f'{numel * dt.itemsize}')
            storage = UntypedStorage._wrap(raw)
            if byteorder.decode() != sys.byteorder:
                storage._byteswap(dt)
            storage = restore_location(storage, _decode_ascii(location))
            typed = loaded[key] = TypedStorage(wrap_storage=storage, dtype=dt)
        return typed

    data = io.BytesIO(reader.get_record('data.pkl').tobytes())
    return _make_unpickler(unpickler_module, data, persistent_load, pickle_load_args).load()


def _legacy_load(f, map_location, unpickler_module, **pickle_load_args):
    restore_location = _get_restore_location(map_location)
    deserialized: dict = {}
    start = f.tell()
    head = f.read(262)
    f.seek(start)
    if len(head) == 262 and head[257:262] == b'ustar':
        if unpickler_module is _weights_only_unpickler:
            raise RuntimeError('Cannot use ``weights_only=True`` with files saved in the legacy '
                               '.tar format. ' + UNSAFE_MESSAGE)
        raise NotImplementedError('the legacy .tar checkpoint format (PyTorch < 0.4) is not '
                                  'supported by numtorch')
    load_one = unpickler_module.load

    magic_number = load_one(f, **pickle_load_args)
    if magic_number != MAGIC_NUMBER:
        raise RuntimeError('Invalid magic number; corrupt file?')
    protocol_version = load_one(f, **pickle_load_args)
    if protocol_version != PROTOCOL_VERSION:
        raise RuntimeError(f'Invalid protocol version: {protocol_version}')
    load_one(f, **pickle_load_args)  # system info: little-endian CPython sizes assumed

    def persistent_load(saved_id):
        if not isinstance(saved_id, tuple):
            raise AssertionError(f'saved_id must be a tuple, got {type(saved_id).__name__}')
        typename = _decode_ascii(saved_id[0])
        data = saved_id[1:]
        if typename == 'module':
            return data[0]  # a module class; PyTorch's source-change check has no analogue
        if typename != 'storage':
            raise RuntimeError(f'Unknown saved id type: {saved_id[0]}')
        storage_type, root_key, location, numel, view_metadata = data
        dt = storage_type.dtype
        if root_key not in deserialized:
            storage = UntypedStorage(numel * dt.itemsize)
            storage = restore_location(storage, _decode_ascii(location))
            deserialized[root_key] = TypedStorage(wrap_storage=storage, dtype=dt)
        typed = deserialized[root_key]
        if view_metadata is not None:
            view_key, offset, view_size = view_metadata
            if view_key not in deserialized:
                lo = offset * dt.itemsize
                deserialized[view_key] = TypedStorage(
                    wrap_storage=typed._untyped_storage[lo:lo + view_size * dt.itemsize],
                    dtype=dt)
            return deserialized[view_key]
        return typed

    result = _make_unpickler(unpickler_module, f, persistent_load, pickle_load_args).load()
    keys = load_one(f, **pickle_load_args)
    for key in keys:
        if key not in deserialized:
            raise AssertionError(f'storage key {key!r} not found in deserialized_objects')
        typed = deserialized[key]
        # Tensors already view these storages; filling them in place fills the tensors.
        (n,) = struct.unpack('<q', f.read(8))
        dst = typed._untyped_storage._a
        if n * typed.dtype.itemsize != dst.size:
            raise RuntimeError(f'storage has wrong byte size: expected {dst.size} got '
                               f'{n * typed.dtype.itemsize}')
        if f.readinto(memoryview(dst)) != dst.size:
            raise RuntimeError('unexpected EOF, expected more bytes. The file might be '
                               'corrupted.')
    return result


# -- the weights_only allow-list -----------------------------------------------------
def add_safe_globals(safe_globals: list) -> None:
    """Allows the given classes/functions (or ``(obj, 'full.path')`` pairs) in
    ``weights_only`` loads."""
    _weights_only_unpickler._add_safe_globals(safe_globals)


def get_safe_globals() -> list:
    """The globals added with ``add_safe_globals``."""
    return _weights_only_unpickler._get_safe_globals()


def clear_safe_globals() -> None:
    """Forgets every global added with ``add_safe_globals``."""
    _weights_only_unpickler._clear_safe_globals()


class safe_globals(_weights_only_unpickler._safe_globals):
    """Context manager that allows the given globals in ``weights_only`` loads within
    its block."""
