"""Tensor methods and torch functions without an op family of their own: fill_diagonal_,
put, nonzero_static, new_empty_strided, the conjugation/negation views of a real tensor
(re-exported from complex.py), is_set_to, and DLPack exchange."""
from __future__ import annotations

import operator

import numpy as np

from .._tensor import Tensor, _wrap, _inplace, _type_word
from .._state import state
from ._op import Op
from .indexing import _Indexed, _watch

__all__ = ['put', 'nonzero_static', 'conj', 'resolve_conj', 'resolve_neg', 'is_conj', 'is_neg',
           'conj_physical', 'conj_physical_', 'from_dlpack', 'to_dlpack']


# -- fill_diagonal_ ----------------------------------------------------------------------
class _FillAt(Op):
    """Writes a constant where ``mask`` is set: PyTorch's fill_ through a diagonal view, so
    the node is CopySlices and no gradient passes at the written places."""
    _name = 'torch::autograd::CopySlices'

    def __init__(self, mask: np.ndarray, value):
        self.mask = mask
        self.value = value

    def forward(self, x):
        out = x.copy()
        out[self.mask] = self.value
        return out

    def backward(self, gy):
        return np.where(self.mask, np.zeros((), gy.dtype), gy)

    def backward_t(self, gy):
        return gy.masked_fill(_wrap(self.mask), 0)


def fill_diagonal_(self: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """Writes ``fill_value`` on the main diagonal (all indices equal) of a tensor of at least
    2 dims whose dims are all equal (a 2-D one may be any shape). ``wrap`` restarts the
    diagonal after every ``ncols + 1`` rows of a tall matrix, as PyTorch (and NumPy) do."""
    d = self._data
    if d.ndim < 2:
        raise RuntimeError('dimensions must larger than 1')
    h, w = d.shape[0], d.shape[1]
    if d.ndim > 2 and any(n != h for n in d.shape[1:]):
        raise RuntimeError('all dimensions of input must be of equal length')
    # NOTE: PyTorch fills the strided view that steps by the sum of the strides from the
    # tensor's first element; the wrapped part starts stride(0) * (ncols + 1) further on.
    # The written elements are those whose memory offsets that view reaches.
    st = self.stride()
    step = sum(st)
    n = min(h, w)
    offs = [i * step for i in range(n)]
    if wrap and d.ndim == 2 and h > w + 1:
        count = (d.size + w) // (w + 1) - n
        offs += [st[0] * (w + 1) + j * step for j in range(count)]
    pos = sum(np.arange(k).reshape((-1,) + (1,) * (d.ndim - 1 - i)) * s
              for i, (k, s) in enumerate(zip(d.shape, st)))
    mask = np.isin(pos, offs) if d.size else np.zeros(d.shape, bool)
    if state.enabled and self._rg and self.grad_fn is None and self._base is None:
        raise RuntimeError('a view of a leaf Variable that requires grad is being used in an '
                           'in-place operation.')
    v = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _inplace(self, lambda t: _FillAt(mask, v).apply1(t))


# -- put -----------------------------------------------------------------------------------
class Put(_Indexed):
    """``input.flatten()[index] = source`` (``+=`` with accumulate) out of place."""
    _name = 'PutBackward0'

    def __init__(self, index: np.ndarray, accumulate: bool):
        self.index = index
        self.accumulate = accumulate

    def forward(self, x, src):
        self.src_shape = src.shape
        out = x.copy()
        flat = out.reshape(-1)
        if self.accumulate:
            np.add.at(flat, self.index, src.reshape(-1))
        else:
            flat[self.index] = src.reshape(-1)
        return out

    def backward(self, gy):
        gx = gs = None
        if self.needs[0]:
            gx = gy
            if not self.accumulate:
                gx = gy.copy()
                gx.reshape(-1)[self.index] = 0
        if self.needs[1]:
            gs = gy.reshape(-1)[self.index].reshape(self.src_shape)
        return gx, gs

    def backward_t(self, gy):
        from .indexing import take
        index = _wrap(self.index)
        gx = gy if self.accumulate else Put(self.index, False).apply2(
            gy, gy.new_zeros(self.index.shape))
        return gx, take(gy, index).reshape(self.src_shape)


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``source``'s elements written at the flat positions ``index``
    (added there when ``accumulate``; else a repeated position keeps the last write)."""
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError(f'put_(): Expected a long tensor for index, but got '
                           f'{_type_word(idx.dtype)}')
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f'put_(): self and source expected to have the same dtype, but got '
                           f'self.dtype = {_type_word(input._data.dtype)} and source.dtype = '
                           f'{_type_word(source._data.dtype)}')
    if idx.size != source._data.size:
        raise IndexError(f'put_(): Expected source and index to have the same number of '
                         f'elements, but got source.numel() = {source._data.size}, '
                         f'index.numel() = {idx.size}')
    n = input._data.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f'out of range: tried to access index {bad} on a tensor of {n} '
                         'elements.')
    return _watch(Put(idx.reshape(-1), accumulate).apply2(input, source), index)


def put_(self: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    return _inplace(self, put, index, source, accumulate)


# -- nonzero_static -----------------------------------------------------------------------
def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:
    """``nonzero`` with a fixed number of rows: the first ``size`` indices, padded with rows of
    ``fill_value``."""
    size = operator.index(size)
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    d = input._data
    nz = np.argwhere(d).astype(np.int64)[:size]
    out = np.full((size, d.ndim), fill_value, np.int64)
    out[:len(nz)] = nz
    return _wrap(out)


# -- new_empty_strided --------------------------------------------------------------------
def new_empty_strided(self: Tensor, size, stride, *, dtype=None, device=None,
                      requires_grad: bool = False, layout=None,
                      pin_memory: bool = False) -> Tensor:
    """An uninitialised tensor with the given sizes and strides, of ``self``'s dtype unless
    given."""
    from .creation import empty_strided
    return empty_strided(size, stride, dtype=self.dtype if dtype is None else dtype,
                         device=device, requires_grad=requires_grad)


# -- conjugation: defined with the complex ops, re-exported here as torch.* ----------------
from .complex import (conj, resolve_conj, resolve_neg, is_conj, is_neg,  # noqa: E402
                      conj_physical, conj_physical_)


def is_set_to(self: Tensor, tensor: Tensor) -> bool:
    """True when both tensors view the same memory with the same offset, sizes and strides."""
    a, b = self._data, tensor._data
    return (a.__array_interface__['data'][0] == b.__array_interface__['data'][0]
            and a.shape == b.shape and self.stride() == tensor.stride())


# -- DLPack -------------------------------------------------------------------------------
def dlpack(self: Tensor, *, stream=None, max_version=None, dl_device=None, copy=None):
    """The DLPack capsule of the tensor's memory (``Tensor.__dlpack__``); a tensor that
    requires grad is refused, as PyTorch does."""
    if self._rg:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    if stream is not None and stream != -1:
        raise BufferError(f'stream {stream!r} given for a CPU tensor (DLPack streams are for '
                          'accelerators)')
    kw = {}
    if max_version is not None:
        kw['max_version'] = max_version
    if dl_device is not None:
        kw['dl_device'] = dl_device
    if copy is not None:
        kw['copy'] = copy
    return self._data.__dlpack__(**kw)


def dlpack_device(self: Tensor):
    """``(DLDeviceType.kDLCPU, 0)``: numtorch tensors live in host memory."""
    from ..utils.dlpack import DLDeviceType
    return (DLDeviceType.kDLCPU, 0)


class _Capsule:
    """Presents a bare DLPack capsule through the ``__dlpack__`` protocol NumPy reads."""
    __slots__ = ('capsule',)

    def __init__(self, capsule) -> None:
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)


def from_dlpack(ext_tensor, *, device=None, copy=None) -> Tensor:
    """A tensor sharing the memory of ``ext_tensor``: any object with ``__dlpack__`` (a
    PyTorch tensor, a NumPy array, ...) or a DLPack capsule."""
    from .._device import check_device
    check_device(device)
    src = ext_tensor if hasattr(ext_tensor, '__dlpack__') else _Capsule(ext_tensor)
    arr = np.from_dlpack(src, copy=copy)
    if arr.dtype not in (np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64,
                         np.float16, np.float32, np.float64):
        raise TypeError(f'from_dlpack: dtype {arr.dtype} is not supported by numtorch')
    return _wrap(arr)


def to_dlpack(tensor: Tensor):
    """The legacy DLPack capsule of ``tensor`` (``torch.utils.dlpack.to_dlpack``)."""
    return dlpack(tensor)
