"""Shape ops: view, reshape, permute, expand, squeeze, cat, stack, split, flip, ...

Views (view, reshape of contiguous data, permute, transpose, expand, squeeze,
narrow, select, diagonal, unfold) are NumPy views of the input, so writes through
them reach the base tensor as in PyTorch.
"""
from __future__ import annotations

import operator

import numpy as np

from .._tensor import Tensor, _wrap, _as_view, _shadow
from ._op import Op, LinearAdjoint, promote2, cast, ascontiguous
from .._dtype import result_dtype

__all__ = ['view', 'reshape', 'flatten', 'unflatten', 'squeeze', 'unsqueeze', 'permute',
           'transpose', 't', 'movedim', 'expand', 'repeat', 'repeat_interleave', 'tile', 'split',
           'tensor_split', 'chunk', 'unbind', 'narrow', 'select', 'flip', 'roll', 'rot90',
           'tril', 'triu', 'diagonal', 'diag', 'diag_embed', 'unfold', 'sum_to_size',
           'as_strided', 'contiguous', 'cat', 'stack', 'hstack', 'vstack', 'dstack',
           'column_stack', 'broadcast_tensors', 'broadcast_to', 'atleast_1d', 'atleast_2d',
           'atleast_3d', 'meshgrid', 'wrap_dim', 'fliplr', 'flipud', 'swapaxes', 'diff',
           'ravel', 'hsplit', 'vsplit', 'dsplit', 'cartesian_prod',
           'combinations', 'block_diag', 'diagflat']


def wrap_dim(dim, ndim: int) -> int:
    """A possibly negative dim as a non-negative axis, with PyTorch's IndexError."""
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f'dim must be an int, got {type(dim).__name__}') from None
    n = ndim if ndim > 0 else 1
    if d < -n or d >= n:
        raise IndexError(f'Dimension out of range (expected to be in range of [{-n}, {n - 1}], '
                         f'but got {d})')
    return d + n if d < 0 else d


def _sizes(args) -> tuple:
    """Accepts ``f(2, 3)``, ``f((2, 3))`` and ``f(torch.Size([2, 3]))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(operator.index(a) for a in args)


# -- view-producing ops ---------------------------------------------------------
class Reshape(Op):
    _name = 'ViewBackward0'
    complex_ok = True

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, gy):
        return gy.reshape(self.in_shape)

    def backward_t(self, gy):
        return gy.reshape(self.in_shape)


class Permute(Op):
    _name = 'PermuteBackward0'
    complex_ok = True

    def __init__(self, perm, name='PermuteBackward0'):
        self.perm = perm
        self._name = name

    def forward(self, x):
        return x.transpose(self.perm)

    def backward(self, gy):
        return gy.transpose(np.argsort(self.perm))

    def backward_t(self, gy):
        return gy.permute(*np.argsort(self.perm).tolist())


class Expand(Op):
    _name = 'ExpandBackward0'
    complex_ok = True

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return np.broadcast_to(x, self.shape)

    def backward(self, gy):
        from ._op import unbroadcast
        return unbroadcast(gy, self.in_shape)

    def backward_t(self, gy):
        return gy.sum_to_size(self.in_shape)


class Slice(Op):
    """Basic indexing (ints, slices, None, Ellipsis): the output is a view."""
    _name = 'SliceBackward0'
    complex_ok = True

    def __init__(self, key, name='SliceBackward0'):
        self.key = key
        self._name = name

    def forward(self, x):
        self.in_shape = x.shape
        return x[self.key]

    def backward(self, gy):
        gx = np.zeros(self.in_shape, gy.dtype)
        gx[self.key] = gy
        return gx

    def backward_t(self, gy):
        from .indexing import IndexPut
        z = gy.new_zeros(self.in_shape)
        return IndexPut(self.key, False).apply2(z, gy)


class StridedView(Op):
    """A view given by a function of the input array (diagonal, unfold, as_strided);
    backward scatters into a zero array through the same function."""

    def __init__(self, fn, name):
        self.fn = fn
        self._name = name
    complex_ok = True

    def forward(self, x):
        self.in_shape = x.shape
        return self.fn(x)

    def backward(self, gy):
        gx = np.zeros(self.in_shape, gy.dtype)
        if self._name == 'DiagonalBackward0':
            self.fn(gx)[...] = gy
        else:
            # Windows may overlap (unfold, as_strided): add each element's contributions.
            idx = self.fn(np.arange(gx.size).reshape(self.in_shape))
            np.add.at(gx.reshape(-1), idx.reshape(-1), gy.reshape(-1))
        return gx


class ViewFn(Op):
    """The view that an in-place op on a view leaves behind (see rebase_view)."""
    _name = 'AsStridedBackward0'
    complex_ok = True

    def __init__(self, vfn):
        self.vfn = vfn

    def forward(self, x):
        self.in_shape = x.shape
        return self.vfn(x)

    def backward(self, gy):
        gx = np.zeros(self.in_shape, gy.dtype)
        self.vfn(gx)[...] = gy
        return gx


class CopySlices(Op):
    """The base of a view that was modified in place: the region seen through the view
    takes its gradient from the new values, the rest from the old base."""
    _name = 'torch::autograd::CopySlices'
    complex_ok = True

    def __init__(self, vfn):
        self.vfn = vfn

    def forward(self, base, src):
        self.src_shape = src.shape
        return base

    def backward(self, gy):
        from ._op import unbroadcast
        gb = gy.copy()
        gs = self.vfn(gy)
        self.vfn(gb)[...] = 0
        return gb, unbroadcast(ascontiguous(gs), self.src_shape)


def rebase_view(view: Tensor, r: Tensor) -> None:
    """After an in-place op wrote ``r`` into ``view``, makes the base's history include it."""
    base = view._base
    vfn = view._x.get('vfn') if view._x else None
    if vfn is None:
        raise NotImplementedError(
            'numtorch cannot record an in-place operation on this view of a tensor for '
            'autograd; apply the operation out of place (e.g. x = x.op(...)) instead')
    proxy = _wrap(base._data)
    proxy._rg = base._rg
    proxy.grad_fn = base.grad_fn
    if base.grad_fn is not None:
        proxy._oi = base._oi
    out = CopySlices(vfn).apply2(proxy, r)
    base._rg = True
    base.grad_fn = out.grad_fn
    base._oi = 0
    v = ViewFn(vfn).apply1(base)
    view._rg = True
    view.grad_fn = v.grad_fn
    view._oi = 0


# -- public functions ------------------------------------------------------------------
def _infer_shape(shape, numel: int):
    if shape.count(-1) > 1:
        raise RuntimeError('only one dimension can be inferred')
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f'invalid shape dimension {s}')
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def view(input: Tensor, *shape) -> Tensor:
    """The same data with a new shape, without copying; fails if the strides don't allow it."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)) and not hasattr(
            shape[0], '__index__'):
        return _view_dtype(input, shape[0])
    d = input._data
    shape = _infer_shape(_sizes(shape), d.size)
    try:
        np.reshape(d, shape, copy=False)
    except ValueError:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.") from None
    r = Reshape(shape).apply1(input)
    return _as_view(r, input, lambda a, s=shape: a.reshape(s))


def _view_dtype(input: Tensor, dtype) -> Tensor:
    """The same bytes read as another dtype (``view(dtype)``): no conversion, no history."""
    from .._dtype import to_dtype as _to_dt
    from .._tensor import _type_word
    dt = _to_dt(dtype)
    d = input._data
    if dt.np == d.dtype:
        return _as_view(_wrap(d), input)
    a, b = d.itemsize, dt.itemsize
    if a != b:
        last = d.shape[-1] if d.ndim else 1
        if d.ndim == 0:
            raise RuntimeError(f'self.dim() cannot be 0 to view {_type_word(d.dtype)} as '
                               f'{_type_word(dt.np)} (different element sizes)')
        if b > a and last % (b // a):
            raise RuntimeError(f'self.size(-1) must be divisible by {b // a} to view '
                               f'{_type_word(d.dtype)} as {_type_word(dt.np)} (different element '
                               f'sizes), but got {last}')
        if not d.flags.c_contiguous and d.strides[-1] != a:
            raise RuntimeError('self.stride(-1) must be 1 to view '
                               f'{_type_word(d.dtype)} as {_type_word(dt.np)} (different '
                               'element sizes), but got ' + str(d.strides[-1] // a))
    return _as_view(_wrap(d.view(dt.np)), input)


def reshape(input: Tensor, *shape) -> Tensor:
    """The data with a new shape: a view when the strides allow, a copy otherwise."""
    d = input._data
    shape = _infer_shape(_sizes(shape), d.size)
    op = Reshape(shape)
    if d.flags.c_contiguous or d.size <= 1:
        r = op.apply1(input)
        return _as_view(r, input, lambda a, s=shape: a.reshape(s))
    try:
        np.reshape(d, shape, copy=False)
    except ValueError:
        op._name = 'UnsafeViewBackward0'
        return op.apply1(input)
    r = op.apply1(input)
    return _as_view(r, input, lambda a, s=shape: a.reshape(s))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merges dims ``start_dim..end_dim`` into one."""
    shape = input._data.shape
    if not shape:
        return reshape(input, 1)
    s = wrap_dim(start_dim, len(shape))
    e = wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError('flatten() has invalid args: start_dim cannot come after end_dim')
    if s == e:
        return input
    n = 1
    for k in shape[s:e + 1]:
        n *= k
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Splits dim ``dim`` into ``sizes``."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    sizes = tuple(sizes)
    if -1 in sizes:
        sizes = _infer_shape(sizes, shape[d])
    elif int(np.prod(sizes)) != shape[d]:
        raise RuntimeError(f'unflatten: Provided sizes {list(sizes)} don\'t multiply up to the '
                           f'size of dim {dim} ({shape[d]}) in the input tensor')
    return view(input, shape[:d] + sizes + shape[d + 1:])


def reshape_(t: Tensor, shape) -> Tensor:
    """In-place shape change used by squeeze_/unsqueeze_."""
    t._data = t._data.reshape(tuple(shape))
    return t


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Removes size-1 dims (all of them, or those in ``dim``)."""
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
        name = 'SqueezeBackward0'
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        ax = {wrap_dim(d, len(shape)) for d in dims}
        new = tuple(s for i, s in enumerate(shape) if not (i in ax and s == 1))
        name = 'SqueezeBackward1' if not isinstance(dim, (tuple, list)) else 'SqueezeBackward2'
    op = Reshape(new)
    op._name = name
    return _as_view(op.apply1(input), input, lambda a, s=new: a.reshape(s))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Inserts a size-1 dim at ``dim``."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape) + 1)
    new = shape[:d] + (1,) + shape[d:]
    op = Reshape(new)
    op._name = 'UnsqueezeBackward0'
    return _as_view(op.apply1(input), input, lambda a, s=new: a.reshape(s))


def permute(input: Tensor, *dims) -> Tensor:
    """Reorders the dims (a view)."""
    dims = _sizes(dims)
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(f'permute(sparse_coo): number of dimensions in the tensor input does '
                           f'not match the length of the desired ordering of dimensions i.e. '
                           f'input.dim() = {n} is not equal to len(dims) = {len(dims)}')
    perm = tuple(wrap_dim(d, n) for d in dims)
    if len(set(perm)) != n:
        raise RuntimeError('permute(): duplicate dims are not allowed.')
    r = Permute(perm).apply1(input)
    return _as_view(r, input, lambda a, p=perm: a.transpose(p))


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swaps two dims (a view)."""
    n = input._data.ndim
    a, b = wrap_dim(dim0, n), wrap_dim(dim1, n)
    perm = list(range(n))
    perm[a], perm[b] = perm[b], perm[a]
    perm = tuple(perm)
    r = Permute(perm, 'TransposeBackward0').apply1(input)
    return _as_view(r, input, lambda x, p=perm: x.transpose(p))


swapaxes = transpose
swapdims = transpose


def transpose_(t: Tensor, dim0: int, dim1: int) -> Tensor:
    n = t._data.ndim
    t._data = np.swapaxes(t._data, wrap_dim(dim0, n), wrap_dim(dim1, n))
    return t


def t(input: Tensor) -> Tensor:
    """Transposes a 2-D tensor (0-D and 1-D are returned as is)."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f't() expects a tensor with <= 2 dimensions, but self is {n}D')
    if n < 2:
        return input
    r = Permute((1, 0), 'TBackward0').apply1(input)
    return _as_view(r, input, lambda x: x.transpose((1, 0)))


def movedim(input: Tensor, source, destination) -> Tensor:
    """Moves dims from ``source`` positions to ``destination`` positions."""
    n = input._data.ndim
    src = source if isinstance(source, (tuple, list)) else (source,)
    dst = destination if isinstance(destination, (tuple, list)) else (destination,)
    if len(src) != len(dst):
        raise RuntimeError(f'movedim: Invalid source or destination dims: source ({list(src)} '
                           f'dims) should contain the same number of dims as destination '
                           f'({list(dst)} dims)')
    ws = [wrap_dim(s, n) for s in src]
    wd = [wrap_dim(d, n) for d in dst]
    for what, given, wrapped in (('source', src, ws), ('destination', dst, wd)):
        if len(set(wrapped)) != len(wrapped):
            raise RuntimeError(f'movedim: repeated dim in `{what}` ({list(given)})')
    src, dst = ws, wd
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def expand(input: Tensor, *sizes) -> Tensor:
    """Broadcasts size-1 dims to ``sizes`` without copying (-1 keeps a size)."""
    sizes = _sizes(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f'expand({input.type()}{{{list(shape)}}}, size={list(sizes)}): the '
                           'number of sizes provided ({0}) must be greater or equal to the number '
                           'of dimensions in the tensor ({1})'.format(len(sizes), len(shape)))
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f'The expanded size of the tensor ({s}) isn\'t allowed in a '
                                   'leading, non-existing dimension 0')
            target.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        elif cur != 1 and cur != s:
            raise RuntimeError(f'The expanded size of the tensor ({s}) must match the existing '
                               f'size ({cur}) at non-singleton dimension {i}.  Target sizes: '
                               f'{list(sizes)}.  Tensor sizes: {list(shape)}')
        target.append(s)
    target = tuple(target)
    if target == shape:
        r = Expand(target).apply1(input)
    else:
        r = Expand(target).apply1(input)
    return _as_view(r, input)


def broadcast_to(input: Tensor, size) -> Tensor:
    return expand(input, size)


def repeat(input: Tensor, *sizes) -> Tensor:
    """Tiles the tensor ``sizes[i]`` times along each dim (``numpy.tile``)."""
    sizes = _sizes(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError('Number of dimensions of repeat dims can not be smaller than number '
                           'of dimensions of tensor')
    return Repeat(sizes).apply1(input)


class Repeat(Op):
    _name = 'RepeatBackward0'
    complex_ok = True

    def __init__(self, reps):
        self.reps = reps

    def forward(self, x):
        lead = len(self.reps) - x.ndim
        self.in_shape = (1,) * lead + x.shape
        self.orig = x.shape
        return np.tile(x, self.reps)

    def backward(self, gy):
        inter = []
        for r, s in zip(self.reps, self.in_shape):
            inter += [r, s]
        g = gy.reshape(inter).sum(axis=tuple(range(0, len(inter), 2)))
        return g.reshape(self.orig)

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


def tile(input: Tensor, dims) -> Tensor:
    """Like repeat, but fewer dims than the tensor has are padded with ones on the left."""
    dims = tuple(dims)
    n = input._data.ndim
    if len(dims) < n:
        dims = (1,) * (n - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Repeats each element ``repeats`` times (along ``dim``, or of the flattened tensor)."""
    from .indexing import index_select
    if repeats is None:
        r = input._data
        return _wrap(np.repeat(np.arange(r.size, dtype=np.int64), r))
    if dim is None:
        input = input.reshape(-1)
        dim = 0
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    reps = repeats._data if isinstance(repeats, Tensor) else repeats
    idx = np.repeat(np.arange(n, dtype=np.int64), reps)
    return index_select(input, d, _wrap(idx))


class Split(Op):
    _name = 'SplitBackward0'
    complex_ok = True

    def __init__(self, sizes, axis, name='SplitBackward0'):
        self.sizes = sizes
        self.axis = axis
        self._name = name

    def forward(self, x):
        self.in_shape = x.shape
        a = self.axis
        outs = []
        start = 0
        key = [slice(None)] * x.ndim
        for s in self.sizes:
            key[a] = slice(start, start + s)
            outs.append(x[tuple(key)])
            start += s
        return tuple(outs)

    def backward(self, *gys):
        return np.concatenate(gys, axis=self.axis)

    def backward_t(self, *gys):
        return cat(list(gys), self.axis)


def _split_sizes(input, sizes, axis):
    outs = Split(sizes, axis).apply(input)
    key = [slice(None)] * input._data.ndim
    start = 0
    for o, s in zip(outs, sizes):
        key[axis] = slice(start, start + s)
        _as_view(o, input, lambda a, k=tuple(key): a[k])
        start += s
    return outs


def split(tensor: Tensor, split_size_or_sections, dim: int = 0):
    """Splits into pieces of ``split_size`` along ``dim`` (the last may be smaller), or into
    pieces of the given sizes."""
    axis = wrap_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[axis]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise RuntimeError(f'split_with_sizes expects split_sizes to sum exactly to {n} '
                               f"(input tensor's size at dimension {axis}), but got "
                               f'split_sizes={sizes}')
    else:
        s = int(split_size_or_sections)
        if s <= 0 and n:
            raise RuntimeError(f'split_size can only be 0 if dimension size is 0, but got '
                               f'dimension size of {n}')
        sizes = [s] * (n // s) + ([n % s] if n % s else []) if n else [0]
    return _split_sizes(tensor, sizes, axis)


def tensor_split(input: Tensor, indices_or_sections, dim: int = 0):
    """Splits into ``n`` nearly equal parts, or at the given indices (``numpy.array_split``)."""
    axis = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[axis]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        q, r = divmod(n, k)
        sizes = [q + 1] * r + [q] * (k - r)
        bounds = [sum(sizes[:i]) for i in range(k + 1)]
    else:
        bounds = [0] + [min(max(int(i), 0), n) for i in indices_or_sections] + [n]
    # (one slice per piece, as PyTorch records them: SliceBackward0 each)
    return tuple(narrow(input, axis, a, max(b - a, 0)) for a, b in zip(bounds[:-1], bounds[1:]))


def chunk(input: Tensor, chunks: int, dim: int = 0):
    """Splits into ``chunks`` pieces of ``ceil(size / chunks)`` (fewer if it divides unevenly)."""
    if chunks <= 0:
        raise RuntimeError('chunk expects `chunks` to be greater than 0, got: ' + str(chunks))
    axis = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[axis]
    size = -(-n // chunks) if n else 0
    if size == 0:
        return tuple(split(input, [0] * chunks if n == 0 else [n], axis))
    return split(input, size, axis)


def unbind(input: Tensor, dim: int = 0):
    """Removes ``dim``, returning the slices along it as a tuple."""
    axis = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[axis]
    op = Unbind(axis)
    outs = op.apply(input) if n else ()
    if not isinstance(outs, tuple):
        outs = (outs,)
    key = [slice(None)] * input._data.ndim
    for i, o in enumerate(outs):
        key[axis] = i
        _as_view(o, input, lambda a, k=tuple(key): a[k])
    return outs


class Unbind(Op):
    _name = 'UnbindBackward0'
    complex_ok = True

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        a = self.axis
        key = [slice(None)] * x.ndim
        outs = []
        for i in range(x.shape[a]):
            key[a] = i
            outs.append(x[tuple(key)])
        return tuple(outs)

    def backward(self, *gys):
        return np.stack(gys, axis=self.axis)

    def backward_t(self, *gys):
        return stack(list(gys), self.axis)


def _basic_view(input: Tensor, key, name: str) -> Tensor:
    r = Slice(key, name).apply1(input)
    return _as_view(r, input, lambda a, k=key: a[k])


def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:
    """The slice ``start:start+length`` of dim ``dim`` (a view)."""
    axis = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[axis]
    start = int(start)
    if start < 0:
        start += n
    if start < 0 or start + length > n or length < 0:
        raise RuntimeError(f'start ({start}) + length ({length}) exceeds dimension size ({n}).')
    key = (slice(None),) * axis + (slice(start, start + length),)
    return _basic_view(input, key, 'SliceBackward0')


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` of dim ``dim``, with that dim removed (a view)."""
    nd = input._data.ndim
    if nd == 0:
        raise IndexError('select() cannot be applied to a 0-dim tensor.')
    axis = wrap_dim(dim, nd)
    n = input._data.shape[axis]
    index = operator.index(index)
    if index < -n or index >= n:
        raise IndexError(f'select(): index {index} out of range for tensor of size '
                         f'{list(input._data.shape)} at dimension {axis}')
    key = (slice(None),) * axis + (index,)
    return _basic_view(input, key, 'SelectBackward0')


class Flip(Op):
    _name = 'FlipBackward0'
    complex_ok = True

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return np.flip(x, self.axes).copy()

    def backward(self, gy):
        return np.flip(gy, self.axes)

    def backward_t(self, gy):
        return gy.flip(*self.axes)


def flip(input: Tensor, *dims) -> Tensor:
    """Reverses the order of elements along ``dims`` (a copy)."""
    dims = _sizes(dims)
    axes = tuple(wrap_dim(d, input._data.ndim) for d in dims)
    for i, d in enumerate(axes):
        if d in axes[:i]:
            raise RuntimeError(f'dim {d} appears multiple times in the list of dims')
    # (a 0-d tensor accepts dim 0 or -1 and has nothing to reverse)
    return Flip(axes if input._data.ndim else ()).apply1(input)


def fliplr(input: Tensor) -> Tensor:
    return flip(input, 1)


def flipud(input: Tensor) -> Tensor:
    return flip(input, 0)


class Roll(Op):
    _name = 'RollBackward0'
    complex_ok = True

    def __init__(self, shifts, axes):
        self.shifts = shifts
        self.axes = axes

    def forward(self, x):
        if self.axes is None:
            return np.roll(x.reshape(-1), self.shifts).reshape(x.shape)
        return np.roll(x, self.shifts, self.axes)

    def backward(self, gy):
        neg = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        if self.axes is None:
            return np.roll(gy.reshape(-1), neg).reshape(gy.shape)
        return np.roll(gy, neg, self.axes)

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Rotates elements along ``dims`` by ``shifts`` (of the flattened tensor if no dims)."""
    if dims is None:
        return Roll(int(shifts) if not isinstance(shifts, (tuple, list)) else int(shifts[0]),
                    None).apply1(input)
    sh = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dm = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(sh) != len(dm):
        raise RuntimeError(f'shifts and dimensions must align. shifts: {len(sh)}, '
                           f'dims:{len(dm)}')
    return Roll(sh, tuple(wrap_dim(d, input._data.ndim) for d in dm)).apply1(input)


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotates by 90 degrees ``k`` times in the plane of ``dims``."""
    a, b = dims
    k %= 4
    if k == 1:
        return transpose(flip(input, b), a, b)
    if k == 2:
        return flip(input, a, b)
    if k == 3:
        return flip(transpose(input, a, b), b)
    return input.clone()


class Tri(Op):
    def __init__(self, fn, k, name):
        self.fn = fn
        self.k = k
        self._name = name
    complex_ok = True

    def forward(self, x):
        return self.fn(x, self.k)

    def backward(self, gy):
        return self.fn(gy, self.k)

    def backward_t(self, gy):
        return (tril if self.fn is np.tril else triu)(gy, self.k)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle (elements on and below ``diagonal``), the rest zero."""
    if input._data.ndim < 2:
        raise RuntimeError('tril: input tensor must have at least 2 dimensions')
    return Tri(np.tril, diagonal, 'TrilBackward0').apply1(input)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle (elements on and above ``diagonal``), the rest zero."""
    if input._data.ndim < 2:
        raise RuntimeError('triu: input tensor must have at least 2 dimensions')
    return Tri(np.triu, diagonal, 'TriuBackward0').apply1(input)


def _diag_view(a, offset, d1, d2):
    """A writable strided view of a diagonal (``numpy.diagonal`` is read-only)."""
    n1, n2 = a.shape[d1], a.shape[d2]
    key = [slice(None)] * a.ndim
    if offset >= 0:
        n = max(min(n1, n2 - offset), 0)
        key[d2] = slice(min(offset, n2), None)
    else:
        n = max(min(n1 + offset, n2), 0)
        key[d1] = slice(min(-offset, n1), None)
    rest = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = tuple(a.shape[i] for i in rest) + (n,)
    strides = tuple(a.strides[i] for i in rest) + (a.strides[d1] + a.strides[d2],)
    sub = a[tuple(key)]
    if sub.size == 0:
        return np.zeros(shape, a.dtype)
    return np.lib.stride_tricks.as_strided(sub, shape, strides, writeable=a.flags.writeable)


def _root(a):
    r = a
    while isinstance(r.base, np.ndarray):
        r = r.base
    return r


def _strided(a, shape, strides_bytes, extra_offset_bytes):
    """A read-only view of ``a``'s underlying allocation with explicit geometry."""
    root = _root(a)
    off = a.__array_interface__['data'][0] - root.__array_interface__['data'][0]
    return np.ndarray(shape=shape, dtype=a.dtype, buffer=root, offset=off + extra_offset_bytes,
                      strides=strides_bytes).view()


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the ``dim1``/``dim2`` planes, as a new last dim (a view)."""
    n = input._data.ndim
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f'diagonal dimensions cannot be identical {dim1}, {dim2}')
    fn = (lambda a, o=offset, x=d1, y=d2: _diag_view(a, o, x, y))
    r = StridedView(fn, 'DiagonalBackward0').apply1(input)
    return _as_view(r, input, fn)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D input becomes a diagonal matrix; a 2-D input gives its diagonal (a copy)."""
    nd = input._data.ndim
    if nd == 1:
        return diag_embed(input, diagonal)
    if nd == 2:
        return globals()['diagonal'](input, diagonal).clone()
    raise RuntimeError('diag(): Supports 1D or 2D tensors. Got ' + f'{nd}D')


class DiagEmbed(Op):
    _name = 'DiagEmbedBackward0'
    complex_ok = True

    def __init__(self, offset, d1, d2):
        self.args = (offset, d1, d2)

    def forward(self, x):
        offset, d1, d2 = self.args
        n = x.shape[-1] + abs(offset)
        out_nd = x.ndim + 1
        a, b = d1 % out_nd, d2 % out_nd
        lead = list(x.shape[:-1])
        shape = lead[:]
        for ax in sorted((a, b)):
            shape.insert(ax, n)
        out = np.zeros(shape, x.dtype)
        _diag_view(out, offset, a, b)[...] = x
        self.ab = (a, b)
        return out

    def backward(self, gy):
        a, b = self.ab
        return ascontiguous(_diag_view(gy, self.args[0], a, b))

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Tensors whose ``dim1``/``dim2`` diagonals are the last dim of ``input``."""
    return DiagEmbed(offset, dim1, dim2).apply1(input)


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """All windows of ``size`` along ``dimension`` every ``step``, as a new last dim (a view)."""
    a = wrap_dim(dimension, max(input._data.ndim, 1))
    n = input._data.shape[a] if input._data.ndim else 1
    if size > n:
        raise RuntimeError(f'maximum size for tensor at dimension {a} is {n} but size is {size}')
    if step <= 0:
        raise RuntimeError(f'step is {step} but must be > 0')

    def fn(x, a=a, size=size, step=step):
        if x.ndim == 0:
            # a 0-d tensor unfolds to its one window, of length size (0 or 1)
            return x.reshape(1)[:size]
        cnt = (x.shape[a] - size) // step + 1
        shape = x.shape[:a] + (cnt,) + x.shape[a + 1:] + (size,)
        strides = x.strides[:a] + (x.strides[a] * step,) + x.strides[a + 1:] + (x.strides[a],)
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)

    r = StridedView(fn, 'UnfoldBackward0').apply1(input)
    return _as_view(r, input)


def as_strided(input: Tensor, size, stride, storage_offset=None) -> Tensor:
    """A view with explicit sizes and strides (in elements) over the tensor's storage."""
    off = 0 if storage_offset is None else storage_offset - input.storage_offset()

    def fn(x, size=tuple(size), stride=tuple(stride), off=off):
        # Strides are in elements so the same function maps index arrays in backward.
        it = x.itemsize
        v = _strided(x, size, tuple(s * it for s in stride), off * it)
        v.flags.writeable = False
        return v

    r = StridedView(fn, 'AsStridedBackward0').apply1(input)
    return _as_view(r, input)


class SumToSize(Op):
    _name = 'SumToSizeBackward0'
    complex_ok = True

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        from ._op import unbroadcast
        self.in_shape = x.shape
        return ascontiguous(unbroadcast(x, self.shape))

    def backward(self, gy):
        return np.broadcast_to(gy, self.in_shape)

    def backward_t(self, gy):
        return gy.expand(self.in_shape)


def sum_to_size(input: Tensor, *size) -> Tensor:
    """Sums broadcast dims so the result has shape ``size``."""
    size = _sizes(size)
    if tuple(size) == input._data.shape:
        return input
    return SumToSize(tuple(size)).apply1(input)


def resize_(t: Tensor, *sizes) -> Tensor:
    """Changes the shape in place, keeping the leading elements (new ones are zero)."""
    sizes = _sizes(sizes)
    n = int(np.prod(sizes))
    flat = t._data.reshape(-1)
    if n <= flat.size:
        t._data = np.ascontiguousarray(flat[:n]).reshape(sizes)
    else:
        new = np.zeros(n, t._data.dtype)
        new[:flat.size] = flat
        t._data = new.reshape(sizes)
    return t


class Contiguous(Op):
    _name = 'CloneBackward0'
    complex_ok = True

    def forward(self, x):
        return ascontiguous(x)

    def backward(self, gy):
        return gy

    def backward_t(self, gy):
        return gy


def contiguous(input: Tensor) -> Tensor:
    """The tensor itself if C-contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return Contiguous().apply1(input)


# -- joining ---------------------------------------------------------------------------
class Cat(Op):
    _name = 'CatBackward0'
    complex_ok = True

    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        self.sizes = [x.shape[self.axis] if x.ndim else 0 for x in xs]
        return np.concatenate(xs, axis=self.axis)

    def backward(self, gy):
        outs = []
        start = 0
        key = [slice(None)] * gy.ndim
        for s, need in zip(self.sizes, self.needs):
            if need:
                key[self.axis] = slice(start, start + s)
                outs.append(gy[tuple(key)])
            else:
                outs.append(None)
            start += s
        return tuple(outs) if len(outs) > 1 else outs[0]   # (one input: one gradient, no tuple)

    def backward_t(self, gy):
        if len(self.sizes) == 1:
            return gy
        return tuple(gy.narrow(self.axis, sum(self.sizes[:i]), s)
                     for i, s in enumerate(self.sizes))


def _common(tensors, what):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f'{what}(): expected a non-empty list of Tensors')
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f'expected Tensor as element {i} in argument 0, but got '
                            f'{type(t).__name__}')
    dt = result_dtype(tensors).np
    return [cast(t, dt) for t in tensors]


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Concatenates tensors along an existing dim."""
    ts = _common(tensors, 'torch.cat')
    # Legacy behaviour kept by PyTorch: 1-D empty tensors are skipped.
    ts = [t for t in ts if not (t._data.ndim == 1 and t._data.shape[0] == 0)] or ts[:1]
    ref = ts[0]
    nd = ref._data.ndim
    if nd == 0:
        raise RuntimeError('zero-dimensional tensor (at position 0) cannot be concatenated')
    axis = wrap_dim(dim, nd)
    for i, t in enumerate(ts[1:], 1):
        if t._data.ndim != nd:
            raise RuntimeError(f'Tensors must have same number of dimensions: got {nd} and '
                               f'{t._data.ndim}')
        for k in range(nd):
            if k != axis and t._data.shape[k] != ref._data.shape[k]:
                raise RuntimeError(f'Sizes of tensors must match except in dimension {axis}. '
                                   f'Expected size {ref._data.shape[k]} but got size '
                                   f'{t._data.shape[k]} for tensor number {i} in the list.')
    r = Cat(axis).apply(*ts)
    if out is not None:
        from .._tensor import _write_out
        return _write_out(r, out)
    return r


concat = cat
concatenate = cat


class Stack(Op):
    _name = 'StackBackward0'
    complex_ok = True

    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        return np.stack(xs, axis=self.axis)

    def backward(self, gy):
        gxs = tuple(np.take(gy, i, axis=self.axis) if n else None
                    for i, n in enumerate(self.needs))
        return gxs if len(gxs) > 1 else gxs[0]   # (one input: one gradient, no tuple)

    def backward_t(self, gy):
        gxs = tuple(gy.select(self.axis, i) for i in range(len(self.needs)))
        return gxs if len(gxs) > 1 else gxs[0]


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Joins equally shaped tensors along a new dim."""
    ts = _common(tensors, 'stack')
    shape = ts[0]._data.shape
    for i, t in enumerate(ts[1:], 1):
        if t._data.shape != shape:
            raise RuntimeError(f'stack expects each tensor to be equal size, but got '
                               f'{list(shape)} at entry 0 and {list(t._data.shape)} at entry '
                               f'{i}')
    axis = wrap_dim(dim, len(shape) + 1)
    r = Stack(axis).apply(*ts)
    if out is not None:
        from .._tensor import _write_out
        return _write_out(r, out)
    return r


def atleast_1d(*tensors):
    r = [t.reshape(1) if t._data.ndim == 0 else t for t in _flat(tensors)]
    return r[0] if len(r) == 1 else tuple(r)


def atleast_2d(*tensors):
    out = []
    for t in _flat(tensors):
        nd = t._data.ndim
        out.append(t.reshape(1, 1) if nd == 0 else t.unsqueeze(0) if nd == 1 else t)
    return out[0] if len(out) == 1 else tuple(out)


def atleast_3d(*tensors):
    out = []
    for t in _flat(tensors):
        nd = t._data.ndim
        if nd == 0:
            t = t.reshape(1, 1, 1)
        elif nd == 1:
            t = t.reshape(1, -1, 1)
        elif nd == 2:
            t = t.unsqueeze(-1)
        out.append(t)
    return out[0] if len(out) == 1 else tuple(out)


def _flat(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


def hstack(tensors, *, out=None) -> Tensor:
    ts = [atleast_1d(t) for t in tensors]
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None) -> Tensor:
    return cat([atleast_2d(t) for t in tensors], 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None) -> Tensor:
    return cat([atleast_3d(t) for t in tensors], 2, out=out)


def column_stack(tensors, *, out=None) -> Tensor:
    ts = [t.reshape(-1, 1) if t._data.ndim <= 1 else t for t in tensors]
    return cat(ts, 1, out=out)


def broadcast_tensors(*tensors):
    """Expands all tensors to their common broadcast shape."""
    ts = _flat(tensors)
    try:
        shape = np.broadcast_shapes(*[t._data.shape for t in ts])
    except ValueError:
        from ._op import broadcast_error
        for t in ts[1:]:
            broadcast_error(ts[0]._data.shape, t._data.shape)
        raise
    # A tensor already of the common shape is returned itself, as PyTorch does.
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in ts)


def broadcast_shapes(*shapes):
    from .._size import Size
    try:
        return Size(np.broadcast_shapes(*[tuple(s) if isinstance(s, (tuple, list)) else (s,)
                                          for s in shapes]))
    except ValueError:
        raise RuntimeError('Shape mismatch: objects cannot be broadcast to a single shape') \
            from None


def meshgrid(*tensors, indexing: str | None = None):
    """Coordinate grids from 1-D tensors (``indexing='ij'`` by default, as PyTorch)."""
    ts = _flat(tensors)
    idx = indexing or 'ij'
    if idx not in ('ij', 'xy'):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {idx}")
    shape = [t._data.size for t in ts]
    if idx == 'xy' and len(ts) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, t in enumerate(ts):
        view_shape = [1] * len(ts)
        pos = i
        if idx == 'xy' and len(ts) >= 2 and i < 2:
            pos = 1 - i
        view_shape[pos] = -1
        out.append(expand(reshape(t, view_shape), shape))
    return tuple(out)


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The ``n``-th forward difference along ``dim`` (after joining ``prepend`` and
    ``append`` to the ends); booleans differ by logical xor."""
    if input.dim() == 0:
        raise RuntimeError('diff expects input to be at least one-dimensional')
    if n < 0:
        raise RuntimeError(f'order must be non-negative but got {n}')
    axis = wrap_dim(dim, input.dim())
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, axis) if len(parts) > 1 else input
    for _ in range(n):
        length = x.shape[axis]
        if length == 0:
            break
        hi, lo = narrow(x, axis, 1, length - 1), narrow(x, axis, 0, length - 1)
        x = hi ^ lo if x._data.dtype == np.bool_ else hi - lo
    return x


def ravel(input: Tensor) -> Tensor:
    """The elements as a 1-D tensor (a view when they are contiguous)."""
    return view(contiguous(input), -1)


def _dir_split(input: Tensor, sections, dim: int, least: int, name: str):
    if input.dim() < least:
        raise RuntimeError(f'torch.{name} requires a tensor with at least {least} dimension, '
                           f'but got a tensor with {input.dim()} dimensions!')
    if isinstance(sections, int) and input.shape[dim] % sections:
        raise RuntimeError(f'torch.{name} attempted to split along dimension {dim}, but the '
                           f'size of the dimension {input.shape[dim]} is not divisible by the '
                           f'split_size {sections}!')
    return tensor_split(input, sections, dim)


def hsplit(input: Tensor, indices_or_sections):
    """Splits along dim 1 (dim 0 of a 1-D tensor), as numpy.hsplit."""
    return _dir_split(input, indices_or_sections, 1 if input.dim() > 1 else 0, 1, 'hsplit')


def vsplit(input: Tensor, indices_or_sections):
    """Splits along dim 0 (of a tensor of at least 2 dims), as numpy.vsplit."""
    return _dir_split(input, indices_or_sections, 0, 2, 'vsplit')


def dsplit(input: Tensor, indices_or_sections):
    """Splits along dim 2 (of a tensor of at least 3 dims), as numpy.dsplit."""
    return _dir_split(input, indices_or_sections, 2, 3, 'dsplit')


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element from each 1-D tensor, as the rows of a matrix."""
    for t in tensors:
        if t.dim() != 1:
            raise RuntimeError(f'Expect a 1D vector, but got shape {list(t.shape)}')
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing='ij')
    return stack([g.flatten() for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-``r`` combinations of a 1-D tensor's elements (in order of position), as
    rows; with replacement, an element may repeat."""
    if input.dim() != 1:
        raise RuntimeError(f'Expect a 1D vector, but got shape {list(input.shape)}')
    if r < 0:
        raise RuntimeError(f'Expect a non-negative number, but got {r}')
    if r == 0:
        return _wrap(np.empty(0, input._data.dtype))
    n = input.shape[0]
    grids = meshgrid(*([input] * r), indexing='ij')
    idx = np.indices((n,) * r)
    keep = np.ones((n,) * r, bool)
    for a, b in zip(idx[:-1], idx[1:]):
        keep &= (a <= b) if with_replacement else (a < b)
    mask = _wrap(keep)
    return stack([g.masked_select(mask) for g in grids], 1)


class BlockDiag(Op):
    """The matrices placed along the diagonal of a zero matrix."""
    _name = 'BlockDiagBackward0'
    complex_ok = True

    def forward(self, *mats):
        rows = sum(m.shape[0] for m in mats)
        cols = sum(m.shape[1] for m in mats)
        out = np.zeros((rows, cols), np.result_type(*mats) if mats else np.float32)
        self.spans = []
        r = c = 0
        for m in mats:
            out[r:r + m.shape[0], c:c + m.shape[1]] = m
            self.spans.append((r, c, m.shape))
            r, c = r + m.shape[0], c + m.shape[1]
        return out

    def backward(self, gy):
        grads = tuple(gy[r:r + sh[0], c:c + sh[1]].reshape(sh).astype(gy.dtype)
                      for r, c, sh in self.spans)
        return grads if len(grads) > 1 else grads[0]


def block_diag(*tensors: Tensor) -> Tensor:
    """A block-diagonal matrix of the given matrices (0-D and 1-D ones as single rows)."""
    mats = []
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise RuntimeError(f'torch.block_diag: Input tensors must have 2 or fewer '
                               f'dimensions. Input {i} has {t.dim()} dimensions')
        mats.append(t.reshape(1, -1) if t.dim() < 2 else t)
    if not mats:
        return _wrap(np.zeros((1, 0), np.float32))
    if len(mats) == 1:
        return BlockDiag().apply1(mats[0])
    return BlockDiag().apply(*mats)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """A 2-D tensor with the flattened input on its ``offset``-th diagonal."""
    return diag_embed(contiguous(input).view(-1), offset)
