"""``index_reduce``: ``source``'s slices along ``dim`` reduced (prod, mean, amax, amin) into
the slices of ``input`` that ``index`` names, one graph node with PyTorch's gradients."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _type_word, _warn_once
from ._op import Op
from .shape import wrap_dim

__all__ = ['index_reduce']

_UFUNC = {'prod': np.multiply, 'mean': np.add, 'amax': np.maximum, 'amin': np.minimum}


def _init(reduce: str, dtype: np.dtype):
    """The identity of the reduction: what the indexed slices start from without self."""
    if reduce == 'mean':
        return 0
    if reduce == 'prod':
        return 1
    big = np.inf if dtype.kind == 'f' else np.iinfo(dtype).max
    return -big if reduce == 'amax' else big


def _index_add(n: int, index: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Slices of ``v`` (along axis 0) summed into ``n`` slices at ``index``."""
    out = np.zeros((n,) + v.shape[1:], v.dtype)
    np.add.at(out, index, v)
    return out


class IndexReduce(Op):
    _name = 'IndexReduceBackward0'

    def __init__(self, axis: int, index: np.ndarray, reduce: str, include_self: bool) -> None:
        self.axis, self.index, self.reduce, self.include_self = axis, index, reduce, include_self

    def _reduce(self, x: np.ndarray, src: np.ndarray) -> np.ndarray:
        """The forward on axis-0-first arrays."""
        idx = self.index
        out = x.copy()
        if not self.include_self:
            out[idx] = _init(self.reduce, x.dtype)
        _UFUNC[self.reduce].at(out, idx, src)
        if self.reduce == 'mean':
            cnt = np.bincount(idx, minlength=x.shape[0]) + (1 if self.include_self else 0)
            cnt = np.maximum(cnt, 1).reshape((-1,) + (1,) * (x.ndim - 1))
            if x.dtype.kind == 'f':
                out /= cnt.astype(x.dtype)
            else:
                out //= cnt.astype(x.dtype)
        return out

    def forward(self, x, src):
        xm, sm = np.moveaxis(x, self.axis, 0), np.moveaxis(src, self.axis, 0)
        out = self._reduce(xm, sm)
        if self.reduce != 'mean':
            self.saved = (xm, sm, out)
        return np.ascontiguousarray(np.moveaxis(out, 0, self.axis))

    def backward(self, gy):
        g = np.moveaxis(gy, self.axis, 0)
        idx, n = self.index, g.shape[0]
        r = self.reduce
        if r == 'mean':
            cnt = np.bincount(idx, minlength=n) + (1 if self.include_self else 0)
            cnt = np.maximum(cnt, 1).reshape((-1,) + (1,) * (g.ndim - 1)).astype(g.dtype)
            gx, gs = g / cnt, (g / cnt)[idx]
        elif r == 'prod':
            x, src, out = self.saved
            masked_x = np.where(x == 0, 1, x)
            # NOTE: the product with self's zeros read as 1 gives the gradient of a zero
            # entry of self; a lone zero in a slot's sources likewise gets the product of
            # the others, while several zeros in one slot give 0.
            gx = g * self._reduce(masked_x, src) / masked_x
            zero = src == 0
            nzero = _index_add(n, idx, zero.astype(g.dtype))[idx]
            single = zero & (nzero == 1)
            masked_src_out = self._reduce(x, np.where(single, 1, src))
            gs = np.where(single, (g * masked_src_out)[idx],
                          (g * out)[idx] / np.where(zero, 1, src))
        else:
            x, src, out = self.saved
            x_is = (x == out).astype(g.dtype)
            s_is = (src == out[idx]).astype(g.dtype)
            share = g / (x_is + _index_add(n, idx, s_is))
            gx, gs = x_is * share, s_is * share[idx]
        if not self.include_self:
            gx = gx.copy()
            gx[idx] = 0
        return (np.ascontiguousarray(np.moveaxis(gx, 0, self.axis)),
                np.ascontiguousarray(np.moveaxis(gs, 0, self.axis)))


def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                 include_self: bool = True) -> Tensor:
    """Reduces the slices of ``source`` along ``dim`` into the slices of ``input`` named by
    ``index`` with ``reduce`` ('prod', 'mean', 'amax' or 'amin'); with ``include_self``
    False the indexed slices of ``input`` take no part in their reduction."""
    if reduce not in _UFUNC:
        raise RuntimeError(f'index_reduce(): Expected reduce to be one of prod, mean, amax or '
                           f'amin but got {reduce}.')
    idx = index._data
    if idx.dtype.kind not in 'iu' or idx.dtype.itemsize not in (4, 8):
        raise RuntimeError(f'index_reduce_(): Expected dtype int32/int64 for index but got: '
                           f'{_type_word(idx.dtype)}')
    if idx.ndim > 1:
        raise IndexError(f'index_reduce_(): Index is supposed to be a vector, but got dim: '
                         f'{idx.ndim} with type: {_type_word(idx.dtype)} and size: '
                         f'{list(idx.shape)}')
    _warn_once('index_reduce() is in beta and the API may change at any time.')
    xs, ss = input._data.shape, source._data.shape
    axis = wrap_dim(dim, len(xs))
    idx = idx.reshape(-1).astype(np.int64, copy=False)
    ns = ss[axis] if ss else 1
    if idx.size != ns:
        raise RuntimeError(f'index_reduce_(): Number of indices ({idx.size}) should be equal to '
                           f'source.size(dim): ({ns}), for dim: {dim}')
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f'index_reduce_(): self ({_type_word(input._data.dtype)}) and source '
                           f'({_type_word(source._data.dtype)}) must have the same scalar type')
    if len(xs) != len(ss) or any(a != b for i, (a, b) in enumerate(zip(xs, ss)) if i != axis):
        raise RuntimeError(f'source tensor shape must match self tensor shape, excluding the '
                           f'specified dimension. Got self.shape = {list(xs)} source.shape = '
                           f'{list(ss)}')
    n = xs[axis] if xs else 1
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError('index out of range in self')
    return IndexReduce(axis, idx, reduce, include_self).apply2(input, source)
