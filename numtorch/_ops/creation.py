"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/empty and their _like,
arange, linspace, logspace, eye, and dtype conversion."""
from __future__ import annotations

import builtins as _builtins
import math
import warnings

import numpy as np

from .._tensor import Tensor, _wrap, _as_view, _check_format, contiguous_format, _type_word
from .._dtype import (NP2DT, get_default_dtype, to_dtype as _to_dt, dtype as _dtype_cls,
                      _scalar_dtype)
from .._device import check_device
from ._op import cast

__all__ = ['tensor', 'as_tensor', 'asarray', 'from_numpy', 'zeros', 'ones', 'full', 'empty',
           'zeros_like', 'ones_like', 'full_like', 'empty_like', 'arange', 'range', 'linspace',
           'logspace', 'eye', 'tril_indices', 'triu_indices', 'to_dtype', 'scalar_tensor',
           'empty_strided', 'frombuffer']

_SUPPORTED = ('float64, float32, float16, complex64, complex128, int64, int32, int16, int8, '
              'uint64, uint32, uint16, uint8, and bool')


def _ragged_error(data):
    """PyTorch's message for a ragged nested list."""
    def walk(x, dim):
        if not isinstance(x, (list, tuple)) or not x:
            return
        lens = [len(e) if isinstance(e, (list, tuple)) else None for e in x]
        first = lens[0]
        for ln in lens[1:]:
            if ln != first:
                raise ValueError(f'expected sequence of length {first} at dim {dim + 1} '
                                 f'(got {ln})')
        for e in x:
            walk(e, dim + 1)
    walk(data, 0)
    raise ValueError('setting an array element with a sequence')


def _to_array(data, dt: _dtype_cls | None) -> np.ndarray:
    """An array for ``data`` with PyTorch's dtype inference (or ``dt`` when given)."""
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, np.ndarray):
        arr = data
        if arr.dtype not in NP2DT:
            raise TypeError(f"can't convert np.ndarray of type numpy.{arr.dtype.type.__name__}. "
                            f'The only supported types are: {_SUPPORTED}.')
    elif isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    else:
        try:
            arr = np.array(data)
        except ValueError:
            _ragged_error(data)
        if arr.dtype == object or arr.dtype.kind in 'USV':
            bad = _first_bad(data)
            raise TypeError(f"new(): invalid data type '{type(bad).__name__}'")
        if not isinstance(data, np.generic) and dt is None:
            k = arr.dtype.kind
            if k == 'f' and not _has_tensor(data):
                arr = arr.astype(get_default_dtype().np)
            elif k in 'iu' and arr.dtype != np.int64 and not _has_tensor(data):
                arr = arr.astype(np.int64)
            elif k == 'c' and not _has_tensor(data):
                arr = arr.astype(get_default_dtype().to_complex().np)
    if dt is not None and arr.dtype != dt.np:
        arr = arr.astype(dt.np)
    return arr


def _has_tensor(data) -> bool:
    if isinstance(data, Tensor):
        return True
    if isinstance(data, (list, tuple)) and data:
        return _has_tensor(data[0])
    return False


def _first_bad(data):
    if isinstance(data, (list, tuple)):
        for e in data:
            b = _first_bad(e)
            if b is not None:
                return b
        return None
    if isinstance(data, (int, float, bool, np.generic, Tensor)):
        return None
    return data


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor (a copy) holding ``data``: a number, a nested list, an array or a tensor.

    Python floats become the default dtype, ints int64, bools bool; NumPy arrays keep
    their dtype.
    """
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn('To copy construct from a tensor, it is recommended to use '
                      'sourceTensor.detach().clone() or '
                      'sourceTensor.detach().clone().requires_grad_(True), rather than '
                      'torch.tensor(sourceTensor).', UserWarning, stacklevel=2)
    dt = None if dtype is None else _to_dt(dtype)
    arr = _to_array(data, dt)
    if isinstance(data, (Tensor, np.ndarray)) or arr is data:
        arr = arr.copy()
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array or tensor when the dtype allows."""
    check_device(device)
    dt = None if dtype is None else _to_dt(dtype)
    if isinstance(data, Tensor):
        return data if dt is None else to_dtype(data, dt)
    if isinstance(data, np.ndarray) and (dt is None or data.dtype == dt.np):
        return from_numpy(data)
    return _wrap(_to_array(data, dt))


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad: bool = False) -> Tensor:
    """Converts ``obj`` to a tensor, sharing memory when possible unless ``copy=True``."""
    t = tensor(obj, dtype=dtype) if copy else as_tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray`` (writes show through both ways)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f'expected np.ndarray (got {type(ndarray).__name__})')
    if ndarray.dtype not in NP2DT:
        raise TypeError(f"can't convert np.ndarray of type numpy.{ndarray.dtype.type.__name__}. "
                        f'The only supported types are: {_SUPPORTED}.')
    if any(s < 0 for s in ndarray.strides):
        raise ValueError('At least one stride in the given numpy array is negative, and tensors '
                         'with negative strides are not currently supported. (You can probably '
                         'work around this by making a copy of your array  with array.copy().) ')
    if not ndarray.dtype.isnative:
        ndarray = ndarray.astype(ndarray.dtype.newbyteorder('='))
    return _wrap(ndarray)


def frombuffer(buffer, *, dtype, count: int = -1, offset: int = 0,
               requires_grad: bool = False) -> Tensor:
    """A 1-D tensor viewing the bytes of a buffer object."""
    t = _wrap(np.frombuffer(buffer, _to_dt(dtype).np, count, offset))
    return t.requires_grad_(requires_grad) if requires_grad else t


def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        try:
            out.append(s.__index__())
        except AttributeError:
            raise TypeError(f'{type(s).__name__!r} object cannot be interpreted as an '
                            'integer') from None
    return tuple(out)


def _make(fn, what, size, dtype, requires_grad, device):
    check_device(device)
    shape = _size(size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f'{what}: Dimension size must be non-negative.')
    dt = get_default_dtype() if dtype is None else _to_dt(dtype)
    t = _wrap(fn(shape, dt.np))
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*size, out=None, dtype=None, layout=None, device=None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of the given shape."""
    return _fill_out(_make(np.zeros, 'zeros', size, dtype, requires_grad, device), out)


def ones(*size, out=None, dtype=None, layout=None, device=None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones of the given shape."""
    return _fill_out(_make(np.ones, 'ones', size, dtype, requires_grad, device), out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
          pin_memory: bool = False, memory_format=None) -> Tensor:
    """An uninitialised tensor of the given shape."""
    return _fill_out(_make(np.empty, 'empty', size, dtype, requires_grad, device), out)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None,
                  requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """An uninitialised tensor with the given sizes and strides (in elements) over a storage
    just large enough for them; strides may overlap (0) or leave gaps."""
    check_device(device)
    for what, v in (('size', size), ('stride', stride)):
        if not isinstance(v, (tuple, list)):
            raise TypeError(f"empty_strided(): argument '{what}' (position "
                            f"{1 if what == 'size' else 2}) must be tuple of ints, not "
                            f'{type(v).__name__}')
    shape = tuple(int(n) for n in size)
    st = tuple(int(n) for n in stride)
    if len(shape) != len(st):
        raise RuntimeError(f'dimensionality of sizes ({len(shape)}) must match dimensionality '
                           f'of strides ({len(st)})')
    for n in shape:
        if n < 0:
            raise RuntimeError(f'Trying to create tensor with negative dimension {n}: '
                               f'{list(shape)}')
    if any(s < 0 for s in st):
        raise RuntimeError(f'Storage size calculation overflowed with sizes={list(shape)} and '
                           f'strides={list(st)}')
    dt = get_default_dtype() if dtype is None else _to_dt(dtype)
    n = 0 if 0 in shape else 1 + sum((k - 1) * s for k, s in zip(shape, st))
    buf = np.empty(n, dt.np)
    arr = (buf.reshape(shape) if list(st) == _contiguous(shape) else
           np.lib.stride_tricks.as_strided(buf, shape, [s * buf.itemsize for s in st]))
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _fill_out(t: Tensor, out) -> Tensor:
    if out is None:
        return t
    from .._tensor import _write_out
    return _write_out(t, out)


def _fill_dtype(fill_value):
    if isinstance(fill_value, Tensor):
        return fill_value.dtype
    if isinstance(fill_value, np.generic):
        return NP2DT.get(fill_value.dtype) or _scalar_dtype(fill_value.item())
    return _scalar_dtype(fill_value)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from the value)."""
    dt = _fill_dtype(fill_value) if dtype is None else _to_dt(dtype)
    v = fill_value._data if isinstance(fill_value, Tensor) else fill_value
    t = _make(lambda s, d: np.full(s, v, d), 'full', (size,) if not isinstance(
        size, (tuple, list)) else (tuple(size),), dt, requires_grad, device)
    return _fill_out(t, out)


def _like(input: Tensor, dtype):
    return input._data.shape, (input.dtype if dtype is None else _to_dt(dtype))


def _dense(shape: tuple, strides: tuple) -> bool:
    """PyTorch's is_non_overlapping_and_dense: the elements tile one block of memory."""
    dims = sorted((i for i, n in enumerate(shape) if n >= 2), key=lambda i: strides[i])
    need = 1
    for i in dims:
        if strides[i] != need:
            return False
        need *= shape[i]
    return True


def _infer_dense_strides(shape: tuple, strides: tuple) -> list:
    """PyTorch's infer_dense_strides: dense strides whose dims are ordered as ``strides``
    orders them (an insertion sort from the innermost dim; a zero stride compares as a tie,
    equal strides put the smaller dim inside)."""
    n = len(shape)
    perm = list(_builtins.range(n - 1, -1, -1))

    def swap(d0: int, d1: int) -> int:
        s0, s1 = strides[d0], strides[d1]
        if s0 == 0 or s1 == 0:
            return 0
        if s0 != s1:
            return -1 if s0 < s1 else 1
        return 1 if shape[d0] > shape[d1] else 0

    for i in _builtins.range(1, n):
        d1 = i
        for d0 in _builtins.range(i - 1, -1, -1):
            c = swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    out = [0] * n
    cur = 1
    for i in perm:
        out[i] = cur
        if shape[i] > 1:
            cur *= shape[i]
    return out


def like_layout(a: np.ndarray, flat: np.ndarray, memory_format=None) -> np.ndarray:
    """``flat`` (``a.size`` elements, memory order) viewed with the layout of PyTorch's
    ``empty_like(a, memory_format=memory_format)``: preserve_format (the default) keeps
    ``a``'s strides when ``a`` is non-overlapping and dense, else gives dense strides ordered
    as ``a``'s; contiguous_format is row-major."""
    if (a.ndim < 2 or memory_format is contiguous_format
            or (a.flags.c_contiguous and 1 not in a.shape)):
        # (NumPy calls an array contiguous whatever the strides of its size-1 dims, which
        # preserve_format keeps)
        return flat.reshape(a.shape)
    item = a.itemsize
    st = tuple(s // item for s in a.strides)
    if not (_dense(a.shape, st) and all(s >= 0 for s in st)):
        st = _infer_dense_strides(a.shape, st)
    if st == _contiguous(a.shape):
        return flat.reshape(a.shape)
    return np.lib.stride_tricks.as_strided(flat, a.shape, [s * flat.itemsize for s in st])


def _contiguous(shape: tuple) -> list:
    out, cur = [], 1
    for n in reversed(shape):
        out.append(cur)
        cur *= max(n, 1)
    return out[::-1]


def _filled_like(input: Tensor, dt, fill, requires_grad: bool, device,
                 memory_format) -> Tensor:
    check_device(device)
    _check_format(memory_format)
    a = input._data
    flat = (np.empty(a.size, dt.np) if fill is None else
            np.zeros(a.size, dt.np) if fill == 0 else np.full(a.size, fill, dt.np))
    t = _wrap(like_layout(a, flat, memory_format))
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros_like(input: Tensor, *, dtype=None, layout=None, device=None,
               requires_grad: bool = False, memory_format=None) -> Tensor:
    """Zeros shaped (and, by default, laid out and typed) as ``input``."""
    dt = _like(input, dtype)[1]
    return _filled_like(input, dt, 0, requires_grad, device, memory_format)


def ones_like(input: Tensor, *, dtype=None, layout=None, device=None,
              requires_grad: bool = False, memory_format=None) -> Tensor:
    """Ones shaped (and, by default, laid out and typed) as ``input``."""
    dt = _like(input, dtype)[1]
    return _filled_like(input, dt, 1, requires_grad, device, memory_format)


def empty_like(input: Tensor, *, dtype=None, layout=None, device=None,
               requires_grad: bool = False, memory_format=None) -> Tensor:
    """An uninitialised tensor shaped (and, by default, laid out and typed) as ``input``."""
    dt = _like(input, dtype)[1]
    return _filled_like(input, dt, None, requires_grad, device, memory_format)


def full_like(input: Tensor, fill_value, *, dtype=None, layout=None, device=None,
              requires_grad: bool = False, memory_format=None) -> Tensor:
    """``fill_value`` shaped (and, by default, laid out and typed) as ``input``."""
    _check_format(memory_format)
    shape, dt = _like(input, dtype)
    v = fill_value._data if isinstance(fill_value, Tensor) else fill_value
    t = full(shape, v, dtype=dt, device=device)
    t._data = like_layout(input._data, t._data.reshape(-1), memory_format)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _num(x):
    if isinstance(x, Tensor):
        return x.item()
    if isinstance(x, np.generic):
        return x.item()
    return x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 unless any is a float."""
    check_device(device)
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    if step == 0:
        raise RuntimeError('step must be nonzero')
    if (end - start) * step < 0 and end != start:
        raise RuntimeError('upper bound and lower bound inconsistent with step sign')
    if dtype is None:
        dt = get_default_dtype() if any(isinstance(v, float) for v in (start, end, step)) \
            else _to_dt(np.int64)
    else:
        dt = _to_dt(dtype)
        if dt.is_complex:
            raise NotImplementedError(f'"arange_cpu" not implemented for '
                                      f"'{_type_word(dt.np)}'")
    n = max(math.ceil((end - start) / step), 0)
    vals = start + step * np.arange(n, dtype=np.float64 if dt.is_floating_point or any(
        isinstance(v, float) for v in (start, end, step)) else np.int64)
    t = _wrap(vals.astype(dt.np))
    if requires_grad:
        t.requires_grad_(True)
    return _fill_out(t, out)


def range(start=0, end=None, step=1, *, dtype=None, device=None,
          requires_grad: bool = False) -> Tensor:
    """Deprecated in PyTorch: like arange but including ``end``; float by default."""
    warnings.warn('torch.range is deprecated and will be removed in a future release because '
                  'its behavior is inconsistent with Python\'s range builtin. Instead, use '
                  'torch.arange, which produces values in [start, end).', UserWarning,
                  stacklevel=2)
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    dt = get_default_dtype() if dtype is None else _to_dt(dtype)
    t = _wrap((start + step * np.arange(n, dtype=np.float64)).astype(dt.np))
    return t.requires_grad_(True) if requires_grad else t


def _linspace_values(start, end, steps, npdt):
    """PyTorch's CPU linspace: the first half counts up from ``start``, the second half
    down from ``end``, each as one fused multiply-add in the output dtype."""
    i = np.arange(steps)
    half = steps // 2
    if np.dtype(npdt).kind == 'f':
        a = np.asarray(start, npdt)
        b = np.asarray(end, npdt)
        step = np.asarray((b - a) / np.asarray(steps - 1, npdt), npdt)
        # NOTE: float32 products of float32 values are exact in float64, so computing
        # there and rounding once reproduces the FMA the compiled kernel uses.
        a64, b64, s64 = float(a), float(b), float(step)
    else:
        a64, b64 = float(start), float(end)
        s64 = (b64 - a64) / (steps - 1)
    lo = a64 + s64 * i
    hi = b64 - s64 * (steps - i - 1)
    return np.where(i < half, lo, hi)


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    check_device(device)
    start, end = _num(start), _num(end)
    if steps < 0:
        raise RuntimeError('number of steps must be non-negative')
    dt = get_default_dtype() if dtype is None else _to_dt(dtype)
    if steps == 0:
        vals = np.empty(0)
    elif steps == 1:
        vals = np.asarray([start], np.float64)
    else:
        vals = _linspace_values(start, end, steps,
                                dt.to_real().np if dt._cat >= 2 else np.float64)
    if dt._cat < 2:
        vals = np.trunc(vals)
    t = _wrap(vals.astype(dt.np))
    if requires_grad:
        t.requires_grad_(True)
    return _fill_out(t, out)


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None,
             device=None, requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    check_device(device)
    start, end = _num(start), _num(end)
    dt = get_default_dtype() if dtype is None else _to_dt(dtype)
    if steps == 1:
        e = np.asarray([start], np.float64)
    else:
        i = np.arange(steps)
        s = (end - start) / (steps - 1) if steps > 1 else 0.0
        e = np.where(i < steps // 2, start + s * i, end - s * (steps - i - 1))
    t = _wrap(np.power(float(base), e).astype(dt.np))
    if requires_grad:
        t.requires_grad_(True)
    return _fill_out(t, out)


def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad: bool = False) -> Tensor:
    """A 2-D tensor with ones on the diagonal."""
    check_device(device)
    if n < 0:
        raise RuntimeError(f'n must be greater or equal to 0, got {n}')
    dt = get_default_dtype() if dtype is None else _to_dt(dtype)
    t = _wrap(np.eye(n, n if m is None else m, dtype=dt.np))
    if requires_grad:
        t.requires_grad_(True)
    return _fill_out(t, out)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """The (2, N) coordinates of the lower triangle of a row x col matrix."""
    r, c = np.tril_indices(row, offset, col)
    return _wrap(np.stack([r, c]).astype(np.int64 if dtype is None else _to_dt(dtype).np))


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """The (2, N) coordinates of the upper triangle of a row x col matrix."""
    r, c = np.triu_indices(row, offset, col)
    return _wrap(np.stack([r, c]).astype(np.int64 if dtype is None else _to_dt(dtype).np))


def scalar_tensor(s, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    dt = get_default_dtype() if dtype is None else _to_dt(dtype)
    t = _wrap(np.asarray(s, dt.np))
    return t.requires_grad_(True) if requires_grad else t


def scalar_like(value, like: Tensor) -> Tensor:
    """A 0-dim tensor for the Python number ``value`` (for reflected operators)."""
    dt = _scalar_dtype(value)
    if dt._cat <= like.dtype._cat:
        dt = like.dtype
    return _wrap(np.asarray(value, dt.np))


def to_dtype(t: Tensor, dt: _dtype_cls) -> Tensor:
    """``t`` converted to ``dt`` (the tensor itself if it already has that dtype)."""
    dt = _to_dt(dt)
    if t._data.dtype == dt.np:
        return t
    if t._data.dtype.kind == 'c' and not dt.is_complex:
        from .._tensor import _warn_once
        _warn_once('Casting complex values to real discards the imaginary part')
    return cast(t, dt.np)


# -- helpers for the in-place fills of Tensor -------------------------------------------
def _filled(t: Tensor, value) -> Tensor:
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f'fill_ only supports 0-dimension value tensor but got tensor '
                               f'with {value._data.ndim} dimensions.')
        return value.to(t.dtype).expand(t.shape)
    return _wrap(np.full(t._data.shape, value, t._data.dtype))


def _copied(t: Tensor, src) -> Tensor:
    if not isinstance(src, Tensor):
        src = _wrap(np.asarray(src))
    src = to_dtype(src, t.dtype)
    if src._data.shape != t._data.shape:
        try:
            return src.expand(t.shape)
        except RuntimeError:
            raise RuntimeError(f'The size of tensor a ({t._data.shape[-1] if t._data.ndim else 1})'
                               f' must match the size of tensor b '
                               f'({src._data.shape[-1] if src._data.ndim else 1}) at '
                               f'non-singleton dimension {max(t._data.ndim - 1, 0)}') from None
    return src
