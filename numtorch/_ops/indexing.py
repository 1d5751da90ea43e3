"""Indexing: ``t[key]``, ``t[key] = v``, gather/scatter, index_select, masked ops, nonzero."""
from __future__ import annotations

import re

import numpy as np

from .._tensor import Tensor, _wrap, _as_view, _inplace, _bump, _type_word
from ._op import (Op, LinearAdjoint, unbroadcast, cast, ascontiguous, version_error,
                  _type_name)
from .shape import Slice, wrap_dim

__all__ = ['getitem', 'setitem', 'gather', 'scatter', 'scatter_add', 'scatter_reduce',
           'index_select', 'index_add', 'index_fill', 'index_copy', 'index_put', 'masked_fill',
           'masked_scatter', 'masked_select', 'nonzero', 'take', 'take_along_dim', 'unravel_index']


def _key_part(k):
    if isinstance(k, Tensor):
        a = k._data
        if a.dtype.kind == 'f':
            raise IndexError('tensors used as indices must be long, int, byte or bool tensors')
        if a.dtype == np.uint8:
            a = a.astype(bool)
        return a, True
    if isinstance(k, (list, np.ndarray)):
        a = np.asarray(k)
        if a.dtype == object or a.dtype.kind == 'f':
            if isinstance(k, list) and any(isinstance(e, Tensor) for e in k):
                a = np.asarray([e._data if isinstance(e, Tensor) else e for e in k])
            if a.dtype.kind == 'f':
                raise IndexError('tensors used as indices must be long, int, byte or bool '
                                 'tensors')
        return a, True
    if k is None or k is Ellipsis or isinstance(k, slice):
        return k, False
    try:
        return k.__index__(), False
    except AttributeError:
        raise IndexError('only integers, slices (`:`), ellipsis (`...`), None and long or byte '
                         'Variables are valid indices (got ' + type(k).__name__ + ')') from None


def _convert_key(key):
    """A NumPy index for ``key``; the flag says whether it uses advanced indexing."""
    if isinstance(key, tuple):
        parts = [_key_part(k) for k in key]
        return tuple(p for p, _ in parts), any(adv for _, adv in parts)
    k, adv = _key_part(key)
    return k, adv


def _index_error(e: IndexError):
    msg = str(e).replace('axis', 'dimension')
    m = re.match(r'index (-?\d+) is out of bounds for dimension (\d+) with size (\d+)', msg)
    if m:
        return IndexError(m.group(0))
    m = re.match(r'too many indices for array: array is (\d+)-dimensional, but (\d+) were', msg)
    if m:
        return IndexError(f'too many indices for tensor of dimension {m.group(1)} (got '
                          f'{m.group(2)})')
    return IndexError(msg)


class _Indexed(Op):
    """An op whose backward reads index tensors given as arguments (an integer index, a
    mask). PyTorch saves those tensors for backward, so changing one in place before
    backward is its version-counter error; ``_watch`` records them on the node."""
    watched = None

    def check_saved(self) -> None:
        Op.check_saved(self)
        if self.watched:
            for t, vc, v in self.watched:
                if vc[0] != v:
                    # (an index never has history, so PyTorch's message names no node)
                    raise version_error(_type_name(t._data.dtype), t.shape, None, 0, vc[0], v)


def _watch(r: Tensor, index) -> Tensor:
    """Records on ``r``'s node (if one was recorded) the versions of the index tensors in
    ``index`` (a Tensor, or a key: a tuple or list that may hold Tensors)."""
    fn = r.grad_fn
    if fn is None:
        return r
    parts = index if isinstance(index, (tuple, list)) else (index,)
    watched = []
    for k in parts:
        for t in (k if isinstance(k, list) else (k,)):
            if isinstance(t, Tensor):
                vc = t._vc
                if vc is None:
                    vc = t._vc = [0]
                watched.append((t, vc, vc[0]))
    fn.watched = watched
    return r


class Index(_Indexed):
    """Advanced indexing (integer arrays, bool masks): the output is a copy."""
    _name = 'IndexBackward0'

    def __init__(self, key):
        self.key = key

    def forward(self, x):
        self.in_shape = x.shape
        return x[self.key]

    def backward(self, gy):
        gx = np.zeros(self.in_shape, gy.dtype)
        np.add.at(gx, self.key, gy)
        return gx

    def backward_t(self, gy):
        z = gy.new_zeros(self.in_shape)
        return IndexPut(self.key, True).apply2(z, gy)


class IndexPut(_Indexed):
    """``x[key] = v`` (or ``+=`` with accumulate) out of place."""
    _name = 'IndexPutBackward0'

    def __init__(self, key, accumulate):
        self.key = key
        self.accumulate = accumulate

    def forward(self, x, v):
        self.v_shape = v.shape
        out = x.copy()
        if self.accumulate:
            np.add.at(out, self.key, v)
        else:
            out[self.key] = v
        return out

    def backward(self, gy):
        gx = None
        if self.needs[0]:
            gx = gy
            if not self.accumulate:
                gx = gy.copy()
                gx[self.key] = 0
        gv = None
        if self.needs[1]:
            gv = unbroadcast(ascontiguous(gy[self.key]), self.v_shape)
        return gx, gv

    def backward_t(self, gy):
        x, v = self.inputs
        gx = gy if self.accumulate else IndexPut(self.key, False).apply2(gy, gy.new_zeros(()))
        gv = getitem(gy, self.key)
        return gx, gv.sum_to_size(self.v_shape) if tuple(gv.shape) != self.v_shape else gv


def _view_name(key) -> str:
    parts = key if isinstance(key, tuple) else (key,)
    if any(isinstance(p, int) for p in parts):
        return 'SelectBackward0'
    if any(isinstance(p, slice) for p in parts):
        return 'SliceBackward0'
    if any(p is None for p in parts):
        return 'UnsqueezeBackward0'
    return 'AliasBackward0'


def getitem(self: Tensor, key) -> Tensor:
    """``self[key]``: basic indexing gives a view, advanced indexing a copy."""
    k, adv = _convert_key(key)
    try:
        if adv:
            return _watch(Index(k).apply1(self), key)
        r = Slice(k, _view_name(k)).apply1(self)
    except IndexError as e:
        raise _index_error(e) from None
    return _as_view(r, self, lambda a, k=k: a[k])


def setitem(self: Tensor, key, value) -> None:
    """``self[key] = value``; records a CopySlices-like node when autograd needs it."""
    from .._state import state
    k, _ = _convert_key(key)
    if isinstance(value, Tensor):
        if value._data.dtype != self._data.dtype:
            value = cast(value, self._data.dtype)
        if state.enabled and (value._rg or self._rg):
            _inplace(self, _index_put_fn, k, value, key)
            return
        v = value._data
    else:
        v = np.asarray(value)
        if v.dtype != self._data.dtype:
            v = v.astype(self._data.dtype)
        if state.enabled and self._rg:
            _inplace(self, _index_put_fn, k, _wrap(v), key)
            return
    try:
        self._data[k] = v
    except IndexError as e:
        raise _index_error(e) from None
    except ValueError as e:
        if 'read-only' in str(e):
            raise RuntimeError('unsupported operation: more than one element of the written-to '
                               'tensor refers to a single memory location. Please clone() the '
                               'tensor before performing the operation.') from None
        target = np.empty(self._data.shape, bool)[k].shape
        from .shape import expand
        # The value is expanded to the indexed region; that gives PyTorch's message.
        expand(_wrap(np.asarray(v)), target)
        raise
    _bump(self)


def _through_view(k, shape) -> bool:
    """Whether PyTorch writes ``x[k] = v`` through a view of ``x`` (its node is then
    CopySlices): always without advanced indices; with them, when an int, a None or a slice
    that does not span its whole dim (PyTorch skips those) is taken first."""
    parts = k if isinstance(k, tuple) else (k,)
    if not any(isinstance(p, (np.ndarray, list)) for p in parts):
        return True
    used = sum(0 if p is None or p is Ellipsis else
               p.ndim if isinstance(p, np.ndarray) and p.dtype == np.bool_ else 1 for p in parts)
    d = 0
    for p in parts:
        if p is Ellipsis:
            d += len(shape) - used
        elif p is None or isinstance(p, (int, np.integer)):
            return True
        elif isinstance(p, slice):
            if p.step not in (None, 1) or p.start not in (None, 0) or \
                    (p.stop is not None and p.stop < shape[d]):
                return True
            d += 1
        else:
            d += p.ndim if isinstance(p, np.ndarray) and p.dtype == np.bool_ else 1
    return False


def _index_put_fn(x: Tensor, k, value: Tensor, key) -> Tensor:
    """``x[key] = value`` out of place (``k``: ``key`` as a NumPy index)."""
    op = IndexPut(k, False)
    if _through_view(k, x._data.shape):
        op._name = 'torch::autograd::CopySlices'
    try:
        return _watch(op.apply2(x, value), key)
    except IndexError as e:
        raise _index_error(e) from None


# -- gather / scatter ------------------------------------------------------------------
def _1d(a: np.ndarray) -> np.ndarray:
    """``a``, with a 0-d array as 1-d of size 1 (how PyTorch's gather/scatter read it)."""
    return a if a.ndim else a.reshape(1)


def _grid(index: np.ndarray, axis: int):
    """Full index tuple addressing ``index``'s positions with ``axis`` replaced by ``index``."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[axis] = index
    return tuple(grids)


def _check_index(self_shape, index, axis, what, src_shape=None):
    if index.dtype != np.int64:
        raise RuntimeError(f'{what}(): Expected dtype int64 for index')
    n = self_shape[axis] if self_shape else 1
    if index.size and (index.max() >= n or index.min() < -n):
        bad = index.max() if index.max() >= n else index.min()
        raise RuntimeError(f'index {bad} is out of bounds for dimension {axis} with size {n}')
    if len(index.shape) != max(len(self_shape), 1) and index.ndim:
        raise RuntimeError('Index tensor must have the same number of dimensions as input '
                           'tensor')


class Gather(_Indexed):
    _name = 'GatherBackward0'

    def __init__(self, axis, index):
        self.axis = axis
        self.index = index

    def forward(self, x):
        self.in_shape = x.shape
        # NOTE: PyTorch reads a 0-d input or index as 1-d of size 1; the result has the
        # index's shape.
        return x.reshape(x.shape or (1,))[_grid(_1d(self.index), self.axis)].reshape(
            self.index.shape)

    def backward(self, gy):
        gx = np.zeros(self.in_shape or (1,), gy.dtype)
        idx = _1d(self.index)
        np.add.at(gx, _grid(idx, self.axis), gy.reshape(idx.shape))
        return gx.reshape(self.in_shape)

    def backward_t(self, gy):
        return scatter_add(gy.new_zeros(self.in_shape), self.axis, _wrap(self.index), gy)


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False,
           out=None) -> Tensor:
    """Picks values along ``dim`` at ``index``: ``out[i][j] = input[index[i][j]][j]`` for dim 0."""
    axis = wrap_dim(dim, input._data.ndim)
    idx = index._data
    _check_index(input._data.shape, idx, axis, 'gather')
    for d in range(idx.ndim):
        if d != axis and idx.shape[d] > input._data.shape[d]:
            raise RuntimeError(f'Size does not match at dimension {d} expected index '
                               f'{list(idx.shape)} to be smaller than self '
                               f'{list(input._data.shape)} apart from dimension {axis}')
    return _watch(Gather(axis, idx).apply1(input), index)


class Scatter(_Indexed):
    _name = 'ScatterBackward0'

    def __init__(self, axis, index, add):
        self.axis = axis
        self.index = index
        self.add = add
        if add:
            self._name = 'ScatterAddBackward0'

    def forward(self, x, src):
        idx = _1d(self.index)
        g = _grid(idx, self.axis)
        out = _1d(x).copy()
        s = _1d(src)[tuple(slice(0, n) for n in idx.shape)] if src.ndim else src
        if self.add:
            np.add.at(out, g, s)
        else:
            out[g] = s
        self.src_shape = src.shape
        return out.reshape(x.shape)

    def backward(self, gy):
        x_shape = gy.shape
        idx = _1d(self.index)
        g = _grid(idx, self.axis)
        gy = _1d(gy)
        gx = gy
        if not self.add:
            gx = gy.copy()
            gx[g] = 0
        gs = None
        if self.needs[1]:
            if len(self.src_shape):
                gs = np.zeros(self.src_shape or (1,), gy.dtype)
                gs[tuple(slice(0, n) for n in idx.shape)] = gy[g]
                gs = gs.reshape(self.src_shape)
            else:
                gs = gy[g].sum().astype(gy.dtype)
        return gx.reshape(x_shape), gs

    def backward_t(self, gy):
        index = _wrap(self.index)
        gx = gy if self.add else scatter(gy, self.axis, index, 0)
        gs = None
        if self.needs[1]:
            gs = gather(gy, self.axis, index)
            if not len(self.src_shape):
                gs = gs.sum()
            elif tuple(self.src_shape) != tuple(self.index.shape):
                # (src larger than index: its other elements were not read)
                pads = []
                for n, s in zip(reversed(self.index.shape), reversed(self.src_shape)):
                    pads += [0, s - n]
                from .padding import pad
                gs = pad(gs, pads)
        return gx, gs


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None,
            reduce=None) -> Tensor:
    """Writes ``src`` (or ``value``) into a copy of ``input`` at ``index`` along ``dim``."""
    if src is None and value is None:
        raise TypeError('scatter() missing 1 required positional argument: "src" or "value"')
    if src is not None and not isinstance(src, Tensor):
        value, src = src, None
    if reduce is not None:
        red = {'add': 'sum', 'multiply': 'prod'}.get(reduce)
        if red is None:
            raise RuntimeError(f'reduce argument must be either add or multiply. Got {reduce}')
        s = src if src is not None else input.new_full(index.shape, value)
        return scatter_reduce(input, dim, index, s, red)
    axis = wrap_dim(dim, input._data.ndim)
    _check_index(input._data.shape, index._data, axis, 'scatter')
    op = Scatter(axis, index._data, False)
    if src is None:
        src = _wrap(np.asarray(value, input._data.dtype))
        op._name = 'ScatterBackward1'
    elif src._data.dtype != input._data.dtype:
        raise RuntimeError('scatter(): Expected self.dtype to be equal to src.dtype')
    return _watch(op.apply2(input, src), index)


def _check_src_dtype(input: Tensor, index: Tensor, src: Tensor) -> None:
    """PyTorch checks, after the index's dtype and before anything else, that ``src`` has
    ``input``'s dtype (it does not convert it)."""
    if index._data.dtype == np.int64 and src._data.dtype != input._data.dtype:
        raise RuntimeError('scatter(): Expected self.dtype to be equal to src.dtype')


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """Adds ``src`` into a copy of ``input`` at ``index`` along ``dim`` (repeats accumulate)."""
    _check_src_dtype(input, index, src)
    axis = wrap_dim(dim, input._data.ndim)
    _check_index(input._data.shape, index._data, axis, 'scatter_add')
    r = Scatter(axis, index._data, True).apply2(input, src)
    # (the index is only read by the source's gradient, and saved only for it)
    return _watch(r, index) if src._rg else r


class ScatterReduce(_Indexed):
    _name = 'ScatterReduceBackward0'

    def __init__(self, axis, index, reduce, include_self):
        self.axis = axis
        self.index = index
        self.reduce = reduce
        self.include_self = include_self

    def forward(self, x, src):
        self.x_shape = x.shape
        idx = _1d(self.index)
        g = _grid(idx, self.axis)
        s = _1d(src)[tuple(slice(0, n) for n in idx.shape)]
        x = _1d(x)
        out = x.copy()
        r = self.reduce
        if not self.include_self:
            init = {'sum': 0, 'mean': 0, 'prod': 1,
                    'amax': -np.inf if x.dtype.kind == 'f' else np.iinfo(x.dtype).min,
                    'amin': np.inf if x.dtype.kind == 'f' else np.iinfo(x.dtype).max}[r]
            out[g] = init
        ufunc = {'sum': np.add, 'mean': np.add, 'prod': np.multiply, 'amax': np.maximum,
                 'amin': np.minimum}[r]
        ufunc.at(out, g, s)
        if r == 'mean':
            cnt = np.zeros(x.shape, np.int64)
            np.add.at(cnt, g, 1)
            if self.include_self:
                cnt += 1
            touched = cnt > 0
            out = np.where(touched, out / np.maximum(cnt, 1), x)
            if x.dtype.kind != 'f':
                out = np.floor(out)
            out = out.astype(x.dtype)
            self.cnt = cnt
        self.src_shape = src.shape
        return out.reshape(self.x_shape)

    def backward(self, gy):
        if self.reduce not in ('sum', 'mean'):
            raise NotImplementedError(f"the gradient of scatter_reduce(reduce='{self.reduce}') "
                                      'is not supported by numtorch')
        idx = _1d(self.index)
        g = _grid(idx, self.axis)
        gy = _1d(gy)
        scale = gy if self.reduce == 'sum' else gy / np.maximum(self.cnt, 1)
        gx = scale.copy()
        if not self.include_self:
            gx[g] = 0
        gs = np.zeros(self.src_shape or (1,), gy.dtype)
        gs[tuple(slice(0, n) for n in idx.shape)] = scale[g]
        return gx.reshape(self.x_shape), gs.reshape(self.src_shape)


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """Reduces ``src`` into ``input`` at ``index`` with sum, prod, mean, amax or amin."""
    _check_src_dtype(input, index, src)
    if reduce not in ('sum', 'prod', 'mean', 'amax', 'amin'):
        raise RuntimeError(f'reduce argument must be either sum, prod, mean, amax or amin, got '
                           f'{reduce}')
    axis = wrap_dim(dim, input._data.ndim)
    _check_index(input._data.shape, index._data, axis, 'scatter_reduce')
    return _watch(ScatterReduce(axis, index._data, reduce, include_self).apply2(input, src),
                  index)


# -- index_* ---------------------------------------------------------------------------
def _index_vec(index: Tensor, what: str) -> np.ndarray:
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in 'iu':
        raise IndexError(f'{what}(): Expected dtype int32/int64 for index')
    if idx.ndim > 1:
        raise IndexError(f'{what}(): Index is supposed to be a vector')
    return idx.reshape(-1)


class IndexSelect(_Indexed):
    _name = 'IndexSelectBackward0'

    def __init__(self, axis, index):
        self.axis = axis
        self.index = index

    def forward(self, x):
        self.in_shape = x.shape
        if x.ndim == 0:
            return x.copy()
        return np.take(x, self.index, axis=self.axis)

    def backward(self, gy):
        if not self.in_shape:
            return gy.copy()
        gx = np.zeros(self.in_shape, gy.dtype)
        np.add.at(gx, (slice(None),) * self.axis + (self.index,), gy)
        return gx

    def backward_t(self, gy):
        if not self.in_shape:
            return gy.clone()
        return index_add(gy.new_zeros(self.in_shape), self.axis, _wrap(self.index), gy)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries at ``index`` along ``dim``."""
    nd = input._data.ndim
    axis = wrap_dim(dim, nd)
    idx = _index_vec(index, 'index_select')
    n = input._data.shape[axis] if nd else 1
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError('index out of range in self')
    if nd == 0 and idx.size != 1:
        raise RuntimeError(f'index_select(): Index to scalar can have only 1 value, got '
                           f'{idx.size} value(s)')
    return _watch(IndexSelect(axis, idx).apply1(input), index)


class IndexAdd(_Indexed):
    _name = 'IndexAddBackward0'

    def __init__(self, axis, index, alpha):
        self.key = (slice(None),) * axis + (index,)
        self.axis = axis
        self.index = index
        self.alpha = alpha

    def forward(self, x, src):
        out = x.copy()
        np.add.at(out, self.key, src * self.alpha if self.alpha != 1 else src)
        return out

    def backward(self, gy):
        gs = np.take(gy, self.index, axis=self.axis)
        return gy, gs * self.alpha if self.alpha != 1 else gs

    def backward_t(self, gy):
        gs = index_select(gy, self.axis, _wrap(self.index))
        return gy, gs * self.alpha if self.alpha != 1 else gs


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """Adds ``alpha * source`` into a copy of ``input`` at ``index`` along ``dim``."""
    axis = wrap_dim(dim, input._data.ndim)
    idx = _index_vec(index, 'index_add')
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f'index_add_(): self ({_type_word(input._data.dtype)}) and source '
                           f'({_type_word(source._data.dtype)}) must have the same scalar type')
    r = IndexAdd(axis, idx, alpha).apply2(input, source)
    return _watch(r, index) if source._rg else r


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """A copy of ``input`` with the entries at ``index`` along ``dim`` set to ``value``."""
    axis = wrap_dim(dim, input._data.ndim)
    key = (slice(None),) * axis + (_index_vec(index, 'index_fill'),)
    v = value if isinstance(value, Tensor) else _wrap(np.asarray(value, input._data.dtype))
    return _watch(IndexPut(key, False).apply2(input, cast(v, input._data.dtype)), index)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with ``source``'s slices written at ``index`` along ``dim``."""
    axis = wrap_dim(dim, input._data.ndim)
    key = (slice(None),) * axis + (_index_vec(index, 'index_copy'),)
    return _watch(IndexPut(key, False).apply2(input, cast(source, input._data.dtype)), index)


def _index_put(input: Tensor, indices, values: Tensor, accumulate: bool, argpos: int) -> Tensor:
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f'expected Tensor as element {i} in argument {argpos}, but got '
                            f'{type(t).__name__}')
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(f'Index put requires the source and destination dtypes match, got '
                           f'{_type_word(input._data.dtype)} for the destination and '
                           f'{_type_word(values._data.dtype)} for the source.')
    k, _ = _convert_key(tuple(indices))
    try:
        return _watch(IndexPut(k, accumulate).apply2(input, values), indices)
    except IndexError as e:
        raise _index_error(e) from None


def index_put(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` put at the tuple of index tensors ``indices``."""
    return _index_put(input, indices, values, accumulate, 1)


def index_put_method(self: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """``Tensor.index_put`` (its errors count the arguments after self)."""
    return _index_put(self, indices, values, accumulate, 0)


# -- masks -----------------------------------------------------------------------------
def _mask(mask, what):
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        tn = {'int64': 'long int', 'int32': 'int', 'uint8': 'unsigned char',
              'float32': 'float', 'float64': 'double'}.get(m.dtype.name, m.dtype.name)
        raise RuntimeError(f'{what} only supports boolean masks, but got mask with dtype {tn}')
    return m


class MaskedFill(_Indexed):
    _name = 'MaskedFillBackward0'

    def __init__(self, mask):
        self.mask = mask

    def forward(self, x, v):
        self.sx = x.shape
        self.sv = v.shape
        return np.where(self.mask, v, x)

    def backward(self, gy):
        z = np.zeros((), gy.dtype)
        return (unbroadcast(np.where(self.mask, z, gy), self.sx),
                unbroadcast(np.where(self.mask, gy, z), self.sv) if self.needs[1] else None)

    def backward_t(self, gy):
        m = _wrap(self.mask)
        gv = gy.masked_fill(~m, 0).sum() if self.needs[1] else None
        return gy.masked_fill(m, 0), gv


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """A copy of ``input`` with ``value`` where ``mask`` is True (``mask`` broadcasts)."""
    m = _mask(mask, 'masked_fill_')
    v = value if isinstance(value, Tensor) else _wrap(np.asarray(value, input._data.dtype))
    if v._data.ndim:
        raise RuntimeError(f'masked_fill_ only supports a 0-dimensional value tensor, but got '
                           f'tensor with {v._data.ndim} dimension(s).')
    try:
        m = np.broadcast_to(m, input._data.shape)
    except ValueError:
        from ._op import broadcast_error
        broadcast_error(input._data.shape, m.shape)
        raise
    return _watch(MaskedFill(m).apply2(input, cast(v, input._data.dtype)), mask)


class MaskedSelect(_Indexed):
    _name = 'MaskedSelectBackward0'

    def __init__(self, mask):
        self.mask = mask

    def forward(self, x):
        self.sx = x.shape
        return np.broadcast_to(x, self.mask.shape)[self.mask]

    def backward(self, gy):
        g = np.zeros(self.mask.shape, gy.dtype)
        g[self.mask] = gy
        return unbroadcast(g, self.sx)

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor."""
    m = _mask(mask, 'masked_select:')
    shape = np.broadcast_shapes(input._data.shape, m.shape)
    return _watch(MaskedSelect(np.broadcast_to(m, shape)).apply1(input), mask)


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with consecutive elements of ``source`` where ``mask`` is True."""
    m = np.broadcast_to(_mask(mask, 'masked_scatter_'), input._data.shape)
    n = int(m.sum())
    if source._data.size < n:
        raise RuntimeError('masked_scatter: expected source to have at least as many elements '
                           'as ones in mask')
    vals = source.reshape(-1)[:n]
    return _watch(IndexPut(np.nonzero(m), False).apply2(input, cast(vals, input._data.dtype)),
                  mask)


def nonzero(input: Tensor, *, as_tuple: bool = False):
    """Indices of the nonzero elements: an (n, ndim) tensor, or a tuple of 1-D tensors."""
    d = input._data
    if as_tuple:
        if d.ndim == 0:
            return (_wrap(np.nonzero(d.reshape(1))[0].astype(np.int64)),)
        return tuple(_wrap(i.astype(np.int64)) for i in np.nonzero(d))
    return _wrap(np.argwhere(d).astype(np.int64))


def argwhere(input: Tensor) -> Tensor:
    """Indices of the nonzero elements as an (n, ndim) int64 tensor (``nonzero``'s default)."""
    return nonzero(input)


class Take(_Indexed):
    """``input.flatten()[index]`` shaped as ``index``; repeats accumulate in backward."""
    _name = 'TakeBackward0'

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(-1)[self.index]

    def backward(self, gy):
        gx = np.zeros(int(np.prod(self.in_shape)), gy.dtype)
        np.add.at(gx, self.index, gy)
        return gx.reshape(self.in_shape)

    def backward_t(self, gy):
        from .tensor_api import put
        return put(gy.new_zeros(self.in_shape), _wrap(self.index), gy, accumulate=True)


def take(input: Tensor, index: Tensor) -> Tensor:
    """Elements of the flattened ``input`` at ``index`` (shaped like ``index``)."""
    n = input._data.size
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError(f'take(): Expected a long tensor for index, but got '
                           f'{_type_word(idx.dtype)}')
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError(f'out of range: tried to access index {bad} on a tensor of {n} '
                         'elements.')
    return _watch(Take(idx).apply1(input), index)


def take_along_dim(input: Tensor, indices: Tensor, dim=None) -> Tensor:
    """``gather`` with broadcasting of ``indices`` (of the flattened input when dim is None)."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    if input._data.ndim == 0 and -1 <= dim <= 0:
        raise IndexError('Dimension specified as 0 but tensor has no dimensions')
    axis = wrap_dim(dim, input._data.ndim)
    shape = list(np.broadcast_shapes(
        tuple(s for i, s in enumerate(input._data.shape) if i != axis),
        tuple(s for i, s in enumerate(indices._data.shape) if i != axis)))
    xs = shape[:axis] + [input._data.shape[axis]] + shape[axis:]
    ishape = shape[:axis] + [indices._data.shape[axis]] + shape[axis:]
    # NOTE: PyTorch gathers with a broadcast copy of ``indices`` here, so changing them in
    # place before backward is no error (and does not change the gradient).
    return gather(input.expand(xs), axis, _wrap(np.array(indices.expand(ishape)._data)))


def unravel_index(indices: Tensor, shape) -> tuple:
    """The coordinates, in a tensor of ``shape``, of each flat index (one int64 tensor per
    dimension); indices are taken modulo the element count, so negative ones count from
    the end."""
    shape = (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype.kind not in 'iu':
        raise TypeError('expected \'indices\' to be integer dtype, but got '
                        f'{indices.dtype if isinstance(indices, Tensor) else idx.dtype}')
    if any(s < 0 for s in shape):
        raise ValueError('\'shape\' cannot have negative values, but got '
                         f'{tuple(shape)}')
    total = int(np.prod(shape))
    # (PyTorch wraps every index into range, modulo the element count)
    coords = np.unravel_index(np.mod(idx, total) if total else idx, shape)
    return tuple(_wrap(np.asarray(c, np.int64)) for c in coords)
