"""The restricted unpickler behind ``numtorch.load(..., weights_only=True)``.

It interprets the pickle opcodes itself and only resolves globals from an allow-list
(tensors, storages, dtypes, ``torch.Size``, OrderedDict, primitive containers, plus
what the user adds with ``add_safe_globals``), so a checkpoint can never import or call
anything else: ``os.system`` in a file raises UnpicklingError before anything runs.
Checkpoints name PyTorch's globals (``torch._utils._rebuild_tensor_v2``...); the list
maps each to its numtorch counterpart. Mirrors ``torch/_weights_only_unpickler.py``.
"""
from __future__ import annotations

import functools
import warnings
from _codecs import encode
from collections import Counter, OrderedDict
from pickle import (APPEND, APPENDS, BINFLOAT, BINGET, BININT, BININT1, BININT2, BINPERSID,
                    BINPUT, BINUNICODE, BUILD, EMPTY_DICT, EMPTY_LIST, EMPTY_SET, EMPTY_TUPLE,
                    GLOBAL, LONG1, LONG_BINGET, LONG_BINPUT, MARK, NEWFALSE, NEWOBJ, NEWTRUE,
                    NONE, PROTO, REDUCE, SETITEM, SETITEMS, SHORT_BINSTRING, STOP, TUPLE,
                    TUPLE1, TUPLE2, TUPLE3, UnpicklingError, bytes_types, decode_long)
from struct import unpack
from sys import maxsize
from typing import Any, Callable

# Python 2 names that old checkpoints use (PyTorch's subset of _compat_pickle's tables).
IMPORT_MAPPING = {
    '__builtin__': 'builtins', 'copy_reg': 'copyreg', 'Queue': 'queue', 'repr': 'reprlib',
    '_abcoll': 'collections.abc', 'UserDict': 'collections', 'UserList': 'collections',
    'UserString': 'collections', 'whichdb': 'dbm', 'StringIO': 'io', 'cStringIO': 'io',
}
NAME_MAPPING = {
    ('__builtin__', 'xrange'): ('builtins', 'range'),
    ('__builtin__', 'reduce'): ('functools', 'reduce'),
    ('__builtin__', 'intern'): ('sys', 'intern'),
    ('__builtin__', 'unichr'): ('builtins', 'chr'),
    ('__builtin__', 'unicode'): ('builtins', 'str'),
    ('__builtin__', 'long'): ('builtins', 'int'),
    ('itertools', 'izip'): ('builtins', 'zip'),
    ('itertools', 'imap'): ('builtins', 'map'),
    ('itertools', 'ifilter'): ('builtins', 'filter'),
    ('itertools', 'ifilterfalse'): ('itertools', 'filterfalse'),
    ('itertools', 'izip_longest'): ('itertools', 'zip_longest'),
    ('UserDict', 'IterableUserDict'): ('collections', 'UserDict'),
    ('UserList', 'UserList'): ('collections', 'UserList'),
    ('UserString', 'UserString'): ('collections', 'UserString'),
    ('__builtin__', 'basestring'): ('builtins', 'str'),
    ('exceptions', 'StandardError'): ('builtins', 'Exception'),
    ('UserDict', 'UserDict'): ('collections', 'UserDict'),
}

_blocklisted_modules = ['sys', 'os', 'posix', 'nt']

_marked_safe_globals_set: set = set()


def _add_safe_globals(safe_globals: list) -> None:
    global _marked_safe_globals_set
    _marked_safe_globals_set = _marked_safe_globals_set.union(set(safe_globals))


def _get_safe_globals() -> list:
    return list(_marked_safe_globals_set)


def _clear_safe_globals() -> None:
    global _marked_safe_globals_set
    _marked_safe_globals_set = set()


def _remove_safe_globals(globals_to_remove: list) -> None:
    global _marked_safe_globals_set
    _marked_safe_globals_set = _marked_safe_globals_set - set(globals_to_remove)


class _safe_globals:
    def __init__(self, safe_globals: list) -> None:
        self.safe_globals = safe_globals

    def __enter__(self):
        _add_safe_globals(self.safe_globals)

    def __exit__(self, type, value, tb):
        _remove_safe_globals(self.safe_globals)


def _get_user_allowed_globals() -> dict[str, Any]:
    from .serialization import _torch_name
    rc: dict[str, Any] = {}
    for f in _marked_safe_globals_set:
        if isinstance(f, tuple):
            if len(f) != 2:
                raise ValueError(f'Expected tuple of length 2 (global, str of callable full '
                                 f'path), but got tuple of length: {len(f)}')
            if type(f[1]) is not str:
                raise TypeError(f'Expected second item in tuple to be str of callable full '
                                f'path, but got: {type(f[1])}')
            f, name = f
            rc[name] = f
        else:
            # numtorch objects are written under PyTorch's names; look them up that way.
            module, name = _torch_name(f)
            rc[f'{module}.{name}'] = f
    return rc


class _Unsupported:
    """Stands for a PyTorch global numtorch has no counterpart of (bfloat16, sparse or
    quantized tensors, CUDA classes): loading a checkpoint that uses it fails clearly."""
    __slots__ = ('path',)

    def __init__(self, path: str) -> None:
        self.path = path


@functools.lru_cache(maxsize=1)
def _get_allowed_globals() -> dict[str, Any]:
    from . import _dtype, _tensor, _utils, storage
    from ._size import Size
    from ._device import device
    from .serialization import StorageType, _get_layout, _STORAGE_DTYPES
    from .nn.parameter import Parameter
    rc: dict[str, Any] = {
        'collections.OrderedDict': OrderedDict,
        'collections.Counter': Counter,
        'torch.nn.parameter.Parameter': Parameter,
        'torch.serialization._get_layout': _get_layout,
        'torch.Size': Size,
        'torch.Tensor': _tensor.Tensor,
        'torch.device': device,
        '_codecs.encode': encode,
        'builtins.bytearray': bytearray,
        'builtins.set': set,
        'builtins.complex': complex,
    }
    for d in _dtype.ALL:
        rc[f'torch.{d.name}'] = d
    for name in ('bfloat16', 'complex32', 'qint8', 'qint32',
                 'quint8', 'quint4x2', 'quint2x4', 'uint16', 'uint32', 'uint64',
                 'float8_e5m2', 'float8_e4m3fn', 'float8_e5m2fnuz', 'float8_e4m3fnuz',
                 'float8_e8m0fnu', 'float4_e2m1fn_x2', 'bits1x8', 'bits2x4', 'bits4x2',
                 'bits8', 'bits16', *(f'uint{x}' for x in range(1, 8)),
                 *(f'int{x}' for x in range(1, 8))):
        rc[f'torch.{name}'] = _Unsupported(f'torch.{name}')
    for cls in _tensor._TYPED:
        rc[f'torch.{cls.__name__}'] = cls
    rc['torch.BFloat16Tensor'] = _Unsupported('torch.BFloat16Tensor')
    for name in _STORAGE_DTYPES:
        rc[f'torch.{name}'] = StorageType(name)
    rc['torch.storage.UntypedStorage'] = storage.UntypedStorage
    rc['torch.storage.TypedStorage'] = storage.TypedStorage
    for name in ('_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_tensor_v3',
                 '_rebuild_parameter', '_rebuild_parameter_with_state',
                 '_rebuild_device_tensor_from_numpy'):
        rc[f'torch._utils.{name}'] = getattr(_utils, name)
    for name in ('_rebuild_qtensor', '_rebuild_sparse_tensor', '_rebuild_meta_tensor_no_storage',
                 '_rebuild_nested_tensor', '_rebuild_wrapper_subclass',
                 '_rebuild_device_tensor_from_cpu_tensor'):
        rc[f'torch._utils.{name}'] = _Unsupported(f'torch._utils.{name}')
    rc['torch._tensor._rebuild_from_type_v2'] = _utils._rebuild_from_type_v2
    return rc


def _read_global_instruction(readline: Callable) -> tuple[str, str]:
    module = readline()[:-1].decode('utf-8')
    name = readline()[:-1].decode('utf-8')
    # Python 2 names (pickle protocol 2 writes '__builtin__' for builtins).
    if (module, name) in NAME_MAPPING:
        module, name = NAME_MAPPING[(module, name)]
    elif module in IMPORT_MAPPING:
        module = IMPORT_MAPPING[module]
    return module, name


class Unpickler:
    """Interprets the opcodes PyTorch checkpoints use (protocol 2), refusing any
    global, call, or object construction that is not allow-listed."""

    def __init__(self, file, *, encoding: str = 'bytes') -> None:
        self.encoding = encoding
        self.readline = file.readline
        self.read = file.read
        self.memo: dict[int, Any] = {}
        self.proto: int = -1

    def load(self):
        """Reads one pickled object from the file and returns it."""
        from ._tensor import Tensor
        from .nn.parameter import Parameter
        self.metastack = []
        self.stack: list[Any] = []
        self.append = self.stack.append
        read = self.read
        while True:
            key = read(1)
            if not key:
                raise EOFError
            if not isinstance(key, bytes_types):
                raise AssertionError(f'Expected bytes, got {type(key).__name__}')
            op = key[0]
            if op == GLOBAL[0]:
                module, name = _read_global_instruction(self.readline)
                full_path = f'{module}.{name}'
                if module in _blocklisted_modules:
                    raise UnpicklingError(f'Trying to load unsupported GLOBAL {full_path} '
                                          f'whose module {module} is blocked.')
                allowed = _get_allowed_globals()
                if full_path in allowed:
                    obj = allowed[full_path]
                    if isinstance(obj, _Unsupported):
                        raise NotImplementedError(f'{obj.path} (in the checkpoint) is not '
                                                  'supported by numtorch')
                    self.append(obj)
                elif full_path in _get_user_allowed_globals():
                    self.append(_get_user_allowed_globals()[full_path])
                else:
                    if full_path.startswith('builtins'):
                        rest = full_path[len('builtins'):]
                        full_path = rest[1:] if rest.startswith('.') else 'builtins' + rest
                    raise UnpicklingError(
                        f'Unsupported global: GLOBAL {full_path} was not an allowed global by '
                        f'default. Please use `torch.serialization.add_safe_globals('
                        f'[{full_path}])` or the `torch.serialization.safe_globals('
                        f'[{full_path}])` context manager to allowlist this global if you '
                        'trust this class/function.')
            elif op == NEWOBJ[0]:
                args = self.stack.pop()
                cls = self.stack.pop()
                if cls is Parameter:
                    self.append(Parameter(*args))
                elif (cls in _get_user_allowed_globals().values()
                      or cls in _get_allowed_globals().values()):
                    self.append(cls.__new__(cls, *args))
                else:
                    raise UnpicklingError('Can only create new object for nn.Parameter or '
                                          'classes allowlisted via `add_safe_globals` but got '
                                          f'{cls}')
            elif op == REDUCE[0]:
                args = self.stack.pop()
                func = self.stack[-1]
                if (func not in _get_allowed_globals().values()
                        and func not in _get_user_allowed_globals().values()):
                    error_msg = f'Trying to call reduce for unrecognized function {func}'
                    if hasattr(func, '__self__'):
                        error_msg += f' which belongs to {func.__self__}'
                    raise UnpicklingError(error_msg)
                self.stack[-1] = func(*args)
            elif op == BUILD[0]:
                state = self.stack.pop()
                inst = self.stack[-1]
                if type(inst) is Tensor:
                    raise NotImplementedError('restoring the state of a legacy-pickled Tensor '
                                              '(Tensor.set_) is not supported by numtorch')
                elif type(inst) is Parameter:
                    inst.__setstate__(state)
                elif type(inst) is OrderedDict:
                    inst.__dict__.update(state)
                elif (type(inst) in _get_user_allowed_globals().values()
                      or type(inst) in _get_allowed_globals().values()):
                    if hasattr(inst, '__setstate__'):
                        inst.__setstate__(state)
                    else:
                        slotstate = None
                        if isinstance(state, tuple) and len(state) == 2:
                            state, slotstate = state
                        if state:
                            inst.__dict__.update(state)
                        if slotstate:
                            for k, v in slotstate.items():
                                setattr(inst, k, v)
                else:
                    raise UnpicklingError('Can only build Tensor, Parameter, OrderedDict or '
                                          'types allowlisted via `add_safe_globals`, but got '
                                          f'{type(inst)}')
            elif op == APPEND[0]:
                item = self.stack.pop()
                list_obj = self.stack[-1]
                if type(list_obj) is not list:
                    raise UnpicklingError(f'Can only append to lists, but got {type(list_obj)}')
                list_obj.append(item)
            elif op == APPENDS[0]:
                items = self.pop_mark()
                list_obj = self.stack[-1]
                if type(list_obj) is not list:
                    raise UnpicklingError(f'Can only extend lists, but got {type(list_obj)}')
                list_obj.extend(items)
            elif op == SETITEM[0]:
                (v, k) = (self.stack.pop(), self.stack.pop())
                self._check_set_item_target('SETITEM')
                self.stack[-1][k] = v
            elif op == SETITEMS[0]:
                items = self.pop_mark()
                self._check_set_item_target('SETITEMS')
                for i in range(0, len(items), 2):
                    self.stack[-1][items[i]] = items[i + 1]
            elif op == MARK[0]:
                self.metastack.append(self.stack)
                self.stack = []
                self.append = self.stack.append
            elif op == TUPLE[0]:
                items = self.pop_mark()
                self.append(tuple(items))
            elif op == TUPLE1[0]:
                self.stack[-1] = (self.stack[-1],)
            elif op == TUPLE2[0]:
                self.stack[-2:] = [(self.stack[-2], self.stack[-1])]
            elif op == TUPLE3[0]:
                self.stack[-3:] = [(self.stack[-3], self.stack[-2], self.stack[-1])]
            elif op == NONE[0]:
                self.append(None)
            elif op == NEWFALSE[0]:
                self.append(False)
            elif op == NEWTRUE[0]:
                self.append(True)
            elif op == EMPTY_TUPLE[0]:
                self.append(())
            elif op == EMPTY_LIST[0]:
                self.append([])
            elif op == EMPTY_DICT[0]:
                self.append({})
            elif op == EMPTY_SET[0]:
                self.append(set())
            elif op == BININT[0]:
                self.append(unpack('<i', read(4))[0])
            elif op == BININT1[0]:
                self.append(self.read(1)[0])
            elif op == BININT2[0]:
                self.append(unpack('<H', read(2))[0])
            elif op == BINFLOAT[0]:
                self.append(unpack('>d', self.read(8))[0])
            elif op == BINUNICODE[0]:
                strlen = unpack('<I', read(4))[0]
                if strlen > maxsize:
                    raise UnpicklingError('String is too long')
                self.append(str(read(strlen), 'utf-8', 'surrogatepass'))
            elif op == SHORT_BINSTRING[0]:
                strlen = read(1)[0]
                strdata = read(strlen)
                if self.encoding != 'bytes':
                    strdata = strdata.decode(self.encoding, 'strict')
                self.append(strdata)
            elif op == BINPERSID[0]:
                pid = self.stack.pop()
                if type(pid) is not tuple and type(pid) is not int:
                    raise UnpicklingError(f'persistent_load id must be tuple or int, but got '
                                          f'{type(pid)}')
                if type(pid) is tuple and len(pid) > 0 and _decode_ascii(pid[0]) != 'storage':
                    raise UnpicklingError(f'Only persistent_load of storage is allowed, but got '
                                          f'{type(pid[0])}')
                self.append(self.persistent_load(pid))
            elif op in (BINGET[0], LONG_BINGET[0]):
                idx = (read(1) if op == BINGET[0] else unpack('<I', read(4)))[0]
                self.append(self.memo[idx])
            elif op in (BINPUT[0], LONG_BINPUT[0]):
                i = (read(1) if op == BINPUT[0] else unpack('<I', read(4)))[0]
                if i < 0:
                    raise ValueError('negative argument')
                self.memo[i] = self.stack[-1]
            elif op == LONG1[0]:
                n = read(1)[0]
                self.append(decode_long(read(n)))
            elif op == PROTO[0]:
                self.proto = read(1)[0]
                if self.proto != 2:
                    warnings.warn(f'Detected pickle protocol {self.proto} in the checkpoint, '
                                  'which was not the default pickle protocol used by '
                                  '`torch.load` (2). The weights_only Unpickler might not '
                                  'support all instructions implemented by this protocol, '
                                  'please file an issue for adding support if you encounter '
                                  'this.', stacklevel=2)
            elif op == STOP[0]:
                return self.stack.pop()
            else:
                raise UnpicklingError(f'Unsupported operand {op}')

    def pop_mark(self):
        items = self.stack
        self.stack = self.metastack.pop()
        self.append = self.stack.append
        return items

    def _check_set_item_target(self, opcode: str) -> None:
        if type(self.stack[-1]) not in (dict, OrderedDict, Counter):
            raise UnpicklingError(f'Can only {opcode} for dict, collections.OrderedDict, '
                                  f'collections.Counter, but got {type(self.stack[-1])}')

    def persistent_load(self, pid):
        raise UnpicklingError('unsupported persistent id encountered')


def _decode_ascii(s):
    return s.decode('ascii') if isinstance(s, bytes) else s


def load(file, *, encoding: str = 'ASCII'):
    return Unpickler(file, encoding=encoding).load()
