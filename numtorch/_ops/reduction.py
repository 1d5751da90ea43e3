"""Reductions and other along-a-dimension ops: sum, mean, max, std, norm, softmax,
cumsum, sort, topk, ..."""
from __future__ import annotations

import builtins

import math

import numpy as np

from .. import return_types as _rt
from .._tensor import Tensor, _wrap
from .._dtype import get_default_dtype, to_dtype
from .complex import refuse_complex, cj
from ._op import Op, cast, refuse_forward_ad
from .shape import wrap_dim

__all__ = ['sum', 'nansum', 'mean', 'nanmean', 'prod', 'max', 'min', 'amax', 'amin', 'aminmax',
           'argmax', 'argmin', 'std', 'var', 'std_mean', 'var_mean', 'norm', 'logsumexp',
           'cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp', 'all', 'any',
           'count_nonzero', 'median', 'nanmedian', 'mode', 'quantile', 'nanquantile', 'sort',
           'argsort', 'topk', 'kthvalue', 'unique', 'bincount', 'softmax', 'log_softmax', 'msort']


_pymax = builtins.max
_pymin = builtins.min


def _axes(dim, ndim: int):
    """Normalises ``dim`` (None, int, or a sequence) to a tuple of axes, or None for all."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return None
        axes = tuple(sorted(wrap_dim(d, ndim) for d in dim))
        if len(set(axes)) != len(axes):
            raise RuntimeError(f'dim {axes[0]} appears multiple times in the list of dims')
        return axes
    return (wrap_dim(dim, ndim),)


def _expand_back(gy: np.ndarray, axes, keepdim: bool, shape) -> np.ndarray:
    """Broadcasts a reduced gradient back to the input's shape."""
    if axes is None:
        # A full reduction: a filled array is as cheap as a view and needs no copy later.
        return np.full(shape, gy, gy.dtype)
    if not keepdim and len(shape):
        gy = np.expand_dims(gy, axes)
    return np.broadcast_to(gy, shape)


def _expand_back_t(gy: Tensor, axes, keepdim: bool, shape) -> Tensor:
    if not keepdim and axes is not None and len(shape):
        for a in axes:
            gy = gy.unsqueeze(a)
    return gy.expand(shape)


class Sum(Op):
    _name = 'SumBackward1'
    complex_ok = True

    def __init__(self, axes, keepdim):
        self.axes = axes
        self.keepdim = keepdim
        if axes is None:
            self._name = 'SumBackward0'

    def forward(self, x):
        self.shape = x.shape
        return x.sum(axis=self.axes, keepdims=self.keepdim)

    def backward(self, gy):
        return _expand_back(gy, self.axes, self.keepdim, self.shape)

    def backward_t(self, gy):
        return _expand_back_t(gy, self.axes, self.keepdim, self.shape)


class Mean(Op):
    _name = 'MeanBackward1'
    complex_ok = True

    def __init__(self, axes, keepdim):
        self.axes = axes
        self.keepdim = keepdim
        if axes is None:
            self._name = 'MeanBackward0'

    def forward(self, x):
        self.shape = x.shape
        self.n = x.size if self.axes is None else int(np.prod([x.shape[a] for a in self.axes]))
        with np.errstate(invalid='ignore', divide='ignore'):
            return x.mean(axis=self.axes, keepdims=self.keepdim)

    def backward(self, gy):
        return _expand_back(gy / self.n, self.axes, self.keepdim, self.shape)

    def backward_t(self, gy):
        return _expand_back_t(gy / self.n, self.axes, self.keepdim, self.shape)


class Prod(Op):
    _name = 'ProdBackward1'
    checks = (0,)
    complex_ok = True

    def __init__(self, axis, keepdim):
        self.axis = axis
        self.keepdim = keepdim
        if axis is None:
            self._name = 'ProdBackward0'

    def forward(self, x):
        self.saved = x
        return x.prod(axis=self.axis, keepdims=self.keepdim)

    def backward(self, gy):
        x = self.saved
        axis = self.axis
        if axis is None:
            flat = x.reshape(-1)
            return (gy * cj(_prod_others(flat, 0))).reshape(x.shape)
        g = gy if self.keepdim else np.expand_dims(gy, axis)
        return g * cj(_prod_others(x, axis))

    def backward_t(self, gy):
        x, = self.inputs
        axis = self.axis
        flat = x.reshape(-1) if axis is None else x
        a = 0 if axis is None else axis
        if (x._data != 0).all():
            others = Prod(a, True).apply1(flat) / flat
        else:
            # The product of the other elements, each as a product of its row of an n x n
            # copy whose diagonal is 1 (exact with zeros; n**2 elements).
            n = flat.shape[a]
            moved = flat.movedim(a, -1)
            eye = _wrap(np.eye(n, dtype=bool))
            grid = moved.unsqueeze(-2).expand(moved.shape[:-1] + (n, n)).masked_fill(eye, 1)
            others = Prod(grid.dim() - 1, False).apply1(grid).movedim(-1, a)
        g = gy if self.keepdim or axis is None else gy.unsqueeze(axis)
        out = g * others
        return out.reshape(x.shape) if axis is None else out


def _prod_others(x: np.ndarray, axis: int) -> np.ndarray:
    """For every element, the product of the other elements along ``axis`` (exact with zeros)."""
    # NOTE: exclusive cumulative products from both sides avoid dividing by zero.
    ones = np.ones_like(np.take(x, [0], axis=axis))
    left = np.cumprod(np.concatenate([ones, np.take(x, range(x.shape[axis] - 1), axis=axis)],
                                     axis=axis), axis=axis) if x.shape[axis] else x
    xr = np.flip(x, axis)
    right = np.flip(np.cumprod(np.concatenate(
        [ones, np.take(xr, range(x.shape[axis] - 1), axis=axis)], axis=axis), axis=axis),
        axis) if x.shape[axis] else x
    return left * right


class SelectAlong(Op):
    """Picks ``x`` at ``idx`` along ``axis`` (max/min with dim, sort, topk, median, ...);
    the gradient goes back to the picked positions only."""

    def __init__(self, name, idx, axis, keepdim, repeats=False):
        self._name = name
        self.idx = idx
        self.axis = axis
        self.keepdim = keepdim
        # cummax/cummin pick one position several times: their gradients must add up.
        self.repeats = repeats

    def forward(self, x):
        self.shape = x.shape
        y = np.take_along_axis(x, self.idx, self.axis)
        return y if self.keepdim else np.squeeze(y, self.axis)

    def backward(self, gy):
        g = gy if self.keepdim else np.expand_dims(gy, self.axis)
        gx = np.zeros(self.shape, gy.dtype)
        if self.repeats:
            grids = list(np.indices(self.idx.shape, sparse=True))
            grids[self.axis] = self.idx
            np.add.at(gx, tuple(grids), g)
        else:
            np.put_along_axis(gx, self.idx, g, self.axis)
        return gx

    def backward_t(self, gy):
        from .indexing import scatter
        g = gy if self.keepdim else gy.unsqueeze(self.axis)
        return scatter(gy.new_zeros(self.shape), self.axis, _wrap(self.idx), g)


class AmaxAmin(Op):
    """max/min over whole dims; ties share the gradient evenly (as PyTorch's amax)."""
    checks = (0,)
    saves_out = True

    def __init__(self, name, fn, axes, keepdim):
        self._name = name
        self.fn = fn
        self.axes = axes
        self.keepdim = keepdim

    def forward(self, x):
        y = self.fn(x, axis=self.axes, keepdims=self.keepdim)
        self.saved = (x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        axes = self.axes
        yk = y if self.keepdim or axes is None else np.expand_dims(y, axes)
        gk = gy if self.keepdim or axes is None else np.expand_dims(gy, axes)
        mask = (x == yk) | (np.isnan(x) & np.isnan(yk))
        count = mask.sum(axis=axes, keepdims=True)
        return np.where(mask, gk / count, 0).astype(gy.dtype)

    def backward_t(self, gy):
        x, = self.inputs
        axes = self.axes
        y = AmaxAmin(self._name, self.fn, axes, True).apply1(x).detach()
        gk = gy if self.keepdim or axes is None else _expand_back_t(gy, axes, False, x.shape)
        mask = (x == y) | (x.isnan() & y.isnan())
        count = mask.sum() if axes is None else mask.sum(list(axes), keepdim=True)
        return (gk / count).expand(x.shape).masked_fill(~mask, 0)


class Var(Op):
    _name = 'VarBackward0'
    checks = (0,)

    def __init__(self, axes, correction, keepdim, take_sqrt):
        self.axes = axes
        self.correction = correction
        self.keepdim = keepdim
        self.take_sqrt = take_sqrt
        if take_sqrt:
            self._name = 'StdBackward0'

    def forward(self, x):
        axes = self.axes
        n = x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))
        m = x.mean(axis=axes, keepdims=True)
        d = x - m
        denom = _pymax(n - self.correction, 0)
        with np.errstate(divide='ignore', invalid='ignore'):
            v = (d * d).sum(axis=axes, keepdims=self.keepdim) / np.asarray(denom, x.dtype)
            y = np.sqrt(v) if self.take_sqrt else v
        self.saved = (d, y, denom)
        return y

    def backward(self, gy):
        d, y, denom = self.saved
        axes = self.axes
        if self.take_sqrt:
            with np.errstate(divide='ignore', invalid='ignore'):
                gy = gy / (2 * y)
        g = gy if self.keepdim or axes is None else np.expand_dims(gy, axes)
        with np.errstate(divide='ignore', invalid='ignore'):
            return (g * (2 / np.asarray(denom, d.dtype)) * d).astype(d.dtype, copy=False)

    def backward_t(self, gy):
        x, = self.inputs
        axes = self.axes
        dims = None if axes is None else list(axes)
        d = x - (x.mean() if dims is None else x.mean(dims, keepdim=True))
        if self.take_sqrt:
            gy = gy / (2 * Var(axes, self.correction, self.keepdim, True).apply1(x))
        g = gy if self.keepdim or axes is None else _expand_back_t(gy, axes, False, x.shape)
        return g * (2 / _pymax(self.saved[2], 0)) * d


class VectorNorm(Op):
    """The p-norm over ``axes`` as one node (p = 2, 1, 0, +-inf or any other), with
    PyTorch's gradient: none for p = 0, the sign for p = 1, shared equally between the
    tied extremes for +-inf, and 0 where the norm is 0."""
    _name = 'LinalgVectorNormBackward0'
    checks = (0,)

    def __init__(self, p: float, axes, keepdim: bool, name: str | None = None):
        self.p = p
        self.axes = axes
        self.keepdim = keepdim
        if name is not None:  # (at::norm's node, which pairwise_distance records)
            self._name = name

    def forward(self, x):
        p, axes, kd = self.p, self.axes, self.keepdim
        if p == 2:
            y = np.sqrt((x * x).sum(axis=axes, keepdims=kd))
        else:
            a = np.abs(x)
            if p == math.inf:
                y = a.max(axis=axes, keepdims=kd, initial=0)
            elif p == -math.inf:
                y = a.min(axis=axes, keepdims=kd, initial=math.inf)
            elif p == 0:
                y = (a != 0).sum(axis=axes, keepdims=kd).astype(x.dtype)
            elif p == 1:
                y = a.sum(axis=axes, keepdims=kd)
            else:
                with np.errstate(divide='ignore'):
                    y = (a ** p).sum(axis=axes, keepdims=kd) ** (1 / p)
        y = np.asarray(y, x.dtype)
        self.saved = (x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        p, axes = self.p, self.axes
        if p == 0:
            return None
        if not self.keepdim and axes is not None:
            gy, y = np.expand_dims(gy, axes), np.expand_dims(y, axes)
        with np.errstate(divide='ignore', invalid='ignore'):
            if p == 1:
                g = np.sign(x) * gy
            elif p == 2:
                g = x * np.where(y == 0, 0, gy / y)
            elif p == math.inf or p == -math.inf:
                tie = np.abs(x) == y
                g = np.sign(x) * tie * (gy / tie.sum(axis=axes, keepdims=True))
            elif p < 1:
                g = np.sign(x) * np.where(x == 0, 0, np.abs(x) ** (p - 1)) * gy * y ** (1 - p)
            else:
                scaled = np.sign(x) * np.abs(x) ** (p - 1)
                g = scaled * np.where(y == 0, 0, gy / y ** (p - 1))
        return np.asarray(np.broadcast_to(g, x.shape), x.dtype)

    def backward_t(self, gy):
        x, = self.inputs
        p, axes = self.p, self.axes
        if p == 0:
            return None
        dims = None if axes is None else list(axes)
        y = norm(x, p, dims, True)
        if not self.keepdim and axes is not None:
            gy = _expand_back_t(gy, axes, False, y.shape)
        zero = y == 0
        if p == 1:
            return x.sgn() * gy
        if p == 2:
            return x * (gy / y).masked_fill(zero, 0)
        if p == math.inf or p == -math.inf:
            tie = (x.abs() == y).to(x.dtype)
            return x.sgn() * tie * (gy / tie.sum(dims, keepdim=True))
        if p < 1:
            return (x.sgn() * x.abs().pow(p - 1).masked_fill(x == 0, 0)) * gy * y.pow(1 - p)
        return x.sgn() * x.abs().pow(p - 1) * (gy / y.pow(p - 1)).masked_fill(zero, 0)


class Logsumexp(Op):
    _name = 'LogsumexpBackward0'
    checks = (0,)
    saves_out = True

    def __init__(self, axes, keepdim):
        self.axes = axes
        self.keepdim = keepdim

    def forward(self, x):
        m = np.max(x, axis=self.axes, keepdims=True) if x.size else np.zeros((), x.dtype)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide='ignore'):
            y = np.log(np.exp(x - m).sum(axis=self.axes, keepdims=True)) + m
        self.saved = (x, y)
        return y if self.keepdim else np.squeeze(y, self.axes)

    def backward(self, gy):
        x, y = self.saved
        g = gy if self.keepdim else np.expand_dims(gy, self.axes)
        return g * np.exp(x - y)

    def backward_t(self, gy):
        x, = self.inputs
        y = logsumexp(x, list(self.axes), True)
        g = gy if self.keepdim else _expand_back_t(gy, self.axes, False, y.shape)
        return g * (x - y).exp()


class Softmax(Op):
    _name = 'SoftmaxBackward0'
    saves_out = True

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        a = self.axis
        e = np.exp(x - x.max(axis=a, keepdims=True)) if x.size else x.copy()
        e /= e.sum(axis=a, keepdims=True)
        self.saved = e
        return e

    def backward(self, gy):
        y = self.saved
        gyy = gy * y
        gyy -= y * gyy.sum(axis=self.axis, keepdims=True)
        return gyy

    def backward_t(self, gy):
        y = self.inputs[0].softmax(self.axis)
        return y * (gy - (gy * y).sum(self.axis, keepdim=True))


class LogSoftmax(Op):
    _name = 'LogSoftmaxBackward0'
    saves_out = True

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        a = self.axis
        if not x.size:
            return x.copy()
        z = x - x.max(axis=a, keepdims=True)
        z -= np.log(np.exp(z).sum(axis=a, keepdims=True))
        self.saved = z
        return z

    def backward(self, gy):
        return gy - np.exp(self.saved) * gy.sum(axis=self.axis, keepdims=True)

    def backward_t(self, gy):
        y = self.inputs[0].log_softmax(self.axis)
        return gy - y.exp() * gy.sum(self.axis, keepdim=True)


class Cumsum(Op):
    _name = 'CumsumBackward0'
    complex_ok = True

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        return np.cumsum(x, axis=self.axis, dtype=x.dtype)

    def backward(self, gy):
        a = self.axis
        return np.flip(np.cumsum(np.flip(gy, a), axis=a), a)

    def backward_t(self, gy):
        return gy.flip(self.axis).cumsum(self.axis).flip(self.axis)


class Cumprod(Op):
    _name = 'CumprodBackward0'
    checks = (0,)
    saves_out = True

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        y = np.cumprod(x, axis=self.axis, dtype=x.dtype)
        self.saved = (x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        a = self.axis
        if not (x == 0).any():
            return np.flip(np.cumsum(np.flip(gy * y, a), axis=a), a) / x
        # NOTE: with zeros, d y_j / d x_i = prod_{k<=j, k!=i} x_k, built one i at a time.
        xm = np.moveaxis(x, a, -1)
        gm = np.moveaxis(gy, a, -1)
        n = xm.shape[-1]
        out = np.zeros_like(xm)
        for i in range(n):
            others = xm.copy()
            others[..., i] = 1
            cp = np.cumprod(others, axis=-1)
            out[..., i] = (gm[..., i:] * cp[..., i:]).sum(-1)
        return np.moveaxis(out, -1, a)


# -- helpers ---------------------------------------------------------------------
def _reduce_dtype(x: Tensor, dtype) -> Tensor:
    if dtype is not None:
        return cast(x, to_dtype(dtype).np)
    return x


def _need_float(x: Tensor, name: str) -> None:
    if x._data.dtype.kind not in 'fc':
        raise RuntimeError(f'{name}(): could not infer output dtype. Input dtype must be either a '
                           f'floating point or complex dtype. Got: '
                           f'{x.type()[6:-6]}')


# -- public functions ------------------------------------------------------------
def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum of all elements, or over ``dim`` (an int or a tuple of ints).
    Integer and bool inputs sum to int64."""
    x = _reduce_dtype(input, dtype)
    if dtype is None and x._data.dtype.kind in 'biu':
        x = cast(x, np.dtype(np.int64))
    return Sum(_axes(dim, x._data.ndim), keepdim).apply1(x)


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum treating NaN as zero."""
    refuse_complex(input, 'nansum on CPU does not support complex inputs', RuntimeError)
    from .arithmetic import where
    nan = _wrap(np.isnan(input._data))
    return sum(where(nan, input.new_zeros(()), input), dim, keepdim, dtype=dtype)


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Arithmetic mean of all elements, or over ``dim``."""
    x = _reduce_dtype(input, dtype)
    _need_float(x, 'mean')
    return Mean(_axes(dim, x._data.ndim), keepdim).apply1(x)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Mean over the non-NaN elements."""
    refuse_complex(input, 'nansum on CPU does not support complex inputs', RuntimeError)
    notnan = _wrap(~np.isnan(input._data))
    return nansum(input, dim, keepdim, dtype=dtype) / sum(notnan, dim, keepdim).to(input.dtype)


def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product of all elements, or along ``dim``."""
    x = _reduce_dtype(input, dtype)
    if dtype is None and x._data.dtype.kind in 'biu':
        x = cast(x, np.dtype(np.int64))
    axis = None if dim is None else wrap_dim(dim, x._data.ndim)
    return Prod(axis, keepdim).apply1(x)


def _minmax(input, dim, keepdim, other, name, argfn, npfn, tname):
    if isinstance(dim, Tensor) and other is None:
        other, dim = dim, None
    if other is not None:
        from .arithmetic import maximum, minimum
        return (maximum if name == 'max' else minimum)(input, other)
    d = input._data
    if d.dtype.kind == 'c':
        if dim is None:
            refuse_complex(input, f'"{name}_all" not implemented for ' + "'{T}'")
        refuse_complex(input, f'{name}(): does not support complex input', RuntimeError)
    if dim is None:
        if d.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        return AmaxAmin(f'{tname}Backward1', npfn, None, False).apply1(input)
    axis = wrap_dim(dim, d.ndim)
    if d.ndim and d.shape[axis] == 0:
        raise IndexError(f'{name}(): Expected reduction dim {axis} to have non-zero size.')
    if d.ndim == 0:
        idx = np.zeros((), np.int64)
        return getattr(_rt, name)((input.clone() if input._rg else _wrap(d.copy()),
                                   _wrap(idx)))
    idx = np.expand_dims(argfn(d, axis=axis), axis)
    vals = SelectAlong(f'{tname}Backward0', idx, axis, keepdim).apply1(input)
    return getattr(_rt, name)((vals, _wrap(idx if keepdim else np.squeeze(idx, axis))))


def max(input: Tensor, dim=None, keepdim: bool = False, *, out=None):
    """The maximum of all elements; with ``dim``, ``(values, indices)`` along it;
    with a tensor second argument, the element-wise maximum."""
    other = keepdim if isinstance(keepdim, Tensor) else None
    return _minmax(input, dim, False if other is not None else keepdim, other, 'max',
                   np.argmax, np.max, 'Max')


def min(input: Tensor, dim=None, keepdim: bool = False, *, out=None):
    """The minimum of all elements; with ``dim``, ``(values, indices)`` along it;
    with a tensor second argument, the element-wise minimum."""
    other = keepdim if isinstance(keepdim, Tensor) else None
    return _minmax(input, dim, False if other is not None else keepdim, other, 'min',
                   np.argmin, np.min, 'Min')


def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (all dims by default); ties share the gradient."""
    refuse_complex(input, '"max_values_cpu" not implemented for \'{T}\'')
    return AmaxAmin('AmaxBackward0', np.max, _axes(dim, input._data.ndim), keepdim).apply1(input)


def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Minimum over ``dim`` (all dims by default); ties share the gradient."""
    refuse_complex(input, '"min_values_cpu" not implemented for \'{T}\'')
    return AmaxAmin('AminBackward0', np.min, _axes(dim, input._data.ndim), keepdim).apply1(input)


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    """``(min, max)`` in one call."""
    refuse_complex(input, '"aminmax_cpu" not implemented for \'{T}\'')
    return _rt.aminmax((amin(input, () if dim is None else dim, keepdim),
                        amax(input, () if dim is None else dim, keepdim)))


def _argext(input, dim, keepdim, fn):
    d = input._data
    if dim is None:
        r = np.asarray(fn(d.reshape(-1)), np.int64)
        return _wrap(r.reshape((1,) * d.ndim) if keepdim else r)
    axis = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return _wrap(np.zeros((), np.int64))
    r = fn(d, axis=axis).astype(np.int64)
    return _wrap(np.expand_dims(r, axis) if keepdim else r)


def argmax(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the (first) maximum, over the flattened tensor or along ``dim``."""
    refuse_complex(input, 'argmax(): does not support complex input', RuntimeError)
    return _argext(input, dim, keepdim, np.argmax)


def argmin(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the (first) minimum, over the flattened tensor or along ``dim``."""
    refuse_complex(input, 'argmin(): does not support complex input', RuntimeError)
    return _argext(input, dim, keepdim, np.argmin)


def _correction(unbiased, correction):
    if isinstance(unbiased, (int, list, tuple)) and not isinstance(unbiased, bool):
        raise TypeError('unbiased must be a bool')
    if correction is not None:
        return correction
    return 0 if unbiased is False else 1


def _var_args(dim, unbiased):
    # torch.std(x, True) passes unbiased positionally in the old overload.
    if isinstance(dim, bool):
        return None, dim
    return dim, unbiased


def var(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    """Variance over ``dim`` with Bessel's correction unless ``unbiased=False``/``correction=0``."""
    dim, unbiased = _var_args(dim, unbiased)
    _need_float(input, 'var')
    if input._data.dtype.kind == 'c':
        # The variance of complex values is that of the real parts plus that of the
        # imaginary parts (E|z - Ez|^2); a real result.
        from .complex import real, imag
        return (var(real(input), dim, unbiased, keepdim, correction=correction)
                + var(imag(input), dim, unbiased, keepdim, correction=correction))
    return Var(_axes(dim, input._data.ndim), _correction(unbiased, correction), keepdim,
               False).apply1(input)


def std(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    """Standard deviation over ``dim`` (see :func:`var`)."""
    dim, unbiased = _var_args(dim, unbiased)
    _need_float(input, 'std')
    if input._data.dtype.kind == 'c':
        return var(input, dim, unbiased, keepdim, correction=correction).sqrt()
    return Var(_axes(dim, input._data.ndim), _correction(unbiased, correction), keepdim,
               True).apply1(input)


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    return _rt.var_mean((var(input, dim, unbiased, keepdim, correction=correction),
                         mean(input, dim if not isinstance(dim, bool) else None, keepdim)))


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    return _rt.std_mean((std(input, dim, unbiased, keepdim, correction=correction),
                         mean(input, dim if not isinstance(dim, bool) else None, keepdim)))


def _num(p: float) -> str:
    """p as PyTorch prints it in messages (-1, 0.5, inf)."""
    if not math.isfinite(p):
        return 'inf' if p > 0 else '-inf'
    return str(int(p)) if p == int(p) else str(p)


def norm(input: Tensor, p='fro', dim=None, keepdim: bool = False, dtype=None, *,
         _node: str | None = None) -> Tensor:
    """Vector p-norm over ``dim`` (all elements by default); ``'fro'`` is the 2-norm."""
    x = _reduce_dtype(input, dtype)
    _need_float(x, 'linalg.vector_norm')
    if x._data.dtype.kind == 'c':
        # the norm of the moduli, a real result
        from .unary import abs as _abs
        x = _abs(x)
    axes = _axes(dim, x._data.ndim)
    if p == 'nuc':
        raise NotImplementedError("norm(p='nuc') is not supported by numtorch")
    p = 2.0 if p == 'fro' else float(p)
    if p < 0 or p == math.inf:
        shape = x._data.shape
        for a in range(len(shape)) if axes is None else axes:
            if shape[a] == 0:
                raise RuntimeError(f'linalg.vector_norm cannot compute the {_num(p)} norm on '
                                   f'the dimension {a}because this dimension is empty and '
                                   f'the operation does not have an identity')
    return VectorNorm(p, axes, keepdim, _node).apply1(x)


def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(input)))`` over ``dim``, computed stably."""
    from .unary import _float
    x = _float(input)
    return Logsumexp(_axes(dim, x._data.ndim) or tuple(range(x._data.ndim)),
                     keepdim).apply1(x)


def softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``."""
    x = _reduce_dtype(input, dtype)
    refuse_complex(x, '"softmax_kernel_impl" not implemented for ' + "'{T}'")
    if x._data.dtype.kind != 'f':
        raise NotImplementedError(f'"softmax_lastdim_kernel_impl" not implemented for '
                           f"'{x.type()[6:-6]}'")
    return Softmax(wrap_dim(dim, x._data.ndim)).apply1(x)


def log_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """``log(softmax(x))`` along ``dim``, computed stably."""
    x = _reduce_dtype(input, dtype)
    refuse_complex(x, '"log_softmax_kernel_impl" not implemented for ' + "'{T}'")
    if x._data.dtype.kind != 'f':
        raise NotImplementedError(f'"log_softmax_lastdim_kernel_impl" not implemented for '
                           f"'{x.type()[6:-6]}'")
    return LogSoftmax(wrap_dim(dim, x._data.ndim)).apply1(x)


def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Cumulative sum along ``dim`` (integer inputs accumulate in int64)."""
    x = _reduce_dtype(input, dtype)
    if dtype is None and x._data.dtype.kind in 'biu':
        x = cast(x, np.dtype(np.int64))
    axis = wrap_dim(dim, x._data.ndim)
    if x._data.ndim == 0:
        return x.clone()
    return Cumsum(axis).apply1(x)


def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Cumulative product along ``dim``."""
    x = _reduce_dtype(input, dtype)
    if dtype is None and x._data.dtype.kind in 'biu':
        x = cast(x, np.dtype(np.int64))
    if x._data.ndim == 0:
        return x.clone()
    return Cumprod(wrap_dim(dim, x._data.ndim)).apply1(x)


def _cum_ext(input, dim, name, better):
    d = input._data
    axis = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return getattr(_rt, name)((input.clone(), _wrap(np.zeros((), np.int64))))
    dm = np.moveaxis(d, axis, -1)
    idx = np.zeros(dm.shape, np.int64)
    best = dm[..., 0].copy()
    bi = np.zeros(dm.shape[:-1], np.int64)
    for j in range(dm.shape[-1]):
        v = dm[..., j]
        take = better(v, best) | np.isnan(v)
        best = np.where(take, v, best)
        bi = np.where(take, j, bi)
        idx[..., j] = bi
    idx = np.moveaxis(idx, -1, axis)
    vals = SelectAlong(f'Cum{name[3:]}Backward0', idx, axis, True, True).apply1(input)
    return getattr(_rt, name)((vals, _wrap(idx)))


def cummax(input: Tensor, dim: int):
    """Running maximum along ``dim`` and where it was reached."""
    refuse_complex(input, '"cummax_cpu" not implemented for \'{T}\'')
    return _cum_ext(input, dim, 'cummax', np.greater_equal)


def cummin(input: Tensor, dim: int):
    """Running minimum along ``dim`` and where it was reached."""
    refuse_complex(input, '"cummin_cpu" not implemented for \'{T}\'')
    return _cum_ext(input, dim, 'cummin', np.less_equal)


def _logcumsumexp(x: np.ndarray, axis: int, reverse: bool = False) -> np.ndarray:
    """Running ``log(exp(a) + exp(b))`` along ``axis`` (from the end when ``reverse``): one
    log-add-exp per step as PyTorch's scan, so no global shift can underflow a prefix."""
    if x.ndim == 0:
        return x.copy()
    if reverse:
        x = np.flip(x, axis)
    wide = x.dtype == np.float16
    y = np.logaddexp.accumulate(x.astype(np.float32) if wide else x, axis=axis)
    if wide:
        y = y.astype(np.float16)
    return np.flip(y, axis) if reverse else y


class LogCumSumExp(Op):
    _name = 'LogcumsumexpBackward0'
    checks = (0,)
    saves_out = True

    def __init__(self, axis: int):
        self.axis = axis

    def forward(self, x):
        y = _logcumsumexp(x, self.axis)
        self.saved = (x, y)
        return y

    def backward(self, gy):
        x, y = self.saved
        # NOTE: PyTorch's formula: the gradient sum_{j>=i} g_j exp(x_i - y_j) is split by the
        # sign of g and each part taken as a reversed logcumsumexp in log space, so large
        # x and y never overflow exp.
        with np.errstate(divide='ignore', invalid='ignore'):
            lo = np.asarray(np.finfo(gy.dtype).min, gy.dtype)
            la = np.log(np.abs(gy))
            pos = np.exp(_logcumsumexp(np.where(gy > 0, la, lo) - y, self.axis, True) + x)
            neg = np.exp(_logcumsumexp(np.where(gy < 0, la, lo) - y, self.axis, True) + x)
        return pos - neg

    def backward_t(self, gy):
        # The same formula in Tensor ops, so that it can be differentiated again.
        from .arithmetic import where as _where
        x = self.inputs[0]
        a = self.axis
        y = logcumsumexp(x, a)
        lo = gy.new_full((), float(np.finfo(gy._data.dtype).min))
        la = gy.abs().log()

        def rev(t):
            return logcumsumexp(t.flip(a), a).flip(a)
        pos = (rev(_where(gy > 0, la, lo) - y) + x).exp()
        neg = (rev(_where(gy < 0, la, lo) - y) + x).exp()
        return pos - neg


def logcumsumexp(input: Tensor, dim: int, *, out=None) -> Tensor:
    """``log(cumsum(exp(input)))`` along ``dim``, computed as a running log-add-exp."""
    d = input._data
    axis = wrap_dim(dim, d.ndim) if d.ndim else wrap_dim(dim, 1)
    if d.dtype.kind != 'f':
        raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for '
                                  f"'{input.type()[6:-6]}'")
    r = LogCumSumExp(axis if d.ndim else 0).apply1(input)
    if out is not None:
        from .._tensor import _write_out
        return _write_out(r, out)
    return r


def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """True where every element (over ``dim``) is nonzero."""
    return _wrap(np.all(input._data, axis=_axes(dim, input._data.ndim), keepdims=keepdim))


def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """True where some element (over ``dim``) is nonzero."""
    return _wrap(np.any(input._data, axis=_axes(dim, input._data.ndim), keepdims=keepdim))


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """Number of nonzero elements, over ``dim`` or in total."""
    return _wrap(np.asarray(np.count_nonzero(input._data, axis=_axes(dim, input._data.ndim)),
                            np.int64))


def _lower_median_idx(d, axis, ignore_nan):
    """Index of the lower median along ``axis`` (PyTorch returns a value, never a mean)."""
    order = np.argsort(d, axis=axis, kind='stable')
    n = d.shape[axis]
    if ignore_nan:
        cnt = (~np.isnan(d)).sum(axis=axis, keepdims=True)
        k = np.maximum((cnt - 1) // 2, 0)
    else:
        has_nan = np.isnan(d).any(axis=axis, keepdims=True)
        k = np.where(has_nan, n - 1, (n - 1) // 2) if d.dtype.kind == 'f' else \
            np.full(has_nan.shape, (n - 1) // 2)
        if d.dtype.kind == 'f':
            # NaN sorts last; the first NaN is the median PyTorch reports.
            first_nan = (~np.isnan(np.take_along_axis(d, order, axis))).sum(axis=axis,
                                                                             keepdims=True)
            k = np.where(has_nan, first_nan, k)
    return np.take_along_axis(order, k.astype(np.int64), axis)


def _median(input, dim, keepdim, ignore_nan, name):
    d = input._data
    if dim is None:
        flat = input.reshape(-1)
        if d.size == 0:
            return _wrap(np.asarray(np.nan, d.dtype))
        idx = _lower_median_idx(flat._data, 0, ignore_nan)
        return SelectAlong(f'{name.capitalize()}Backward0', idx, 0, False).apply1(flat)
    axis = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return getattr(_rt, name)((input.clone(), _wrap(np.zeros((), np.int64))))
    idx = _lower_median_idx(d, axis, ignore_nan)
    vals = SelectAlong(f'{name.capitalize()}Backward1', idx, axis, keepdim).apply1(input)
    return getattr(_rt, name)((vals, _wrap(idx if keepdim else np.squeeze(idx, axis))))


def median(input: Tensor, dim=None, keepdim: bool = False):
    """The lower median of all elements, or ``(values, indices)`` along ``dim``."""
    refuse_complex(input, '"median_cpu" not implemented for \'{T}\'' if dim is None else
                   '"median_out" not implemented for \'{T}\'')
    return _median(input, dim, keepdim, False, 'median')


def nanmedian(input: Tensor, dim=None, keepdim: bool = False):
    """Like :func:`median`, ignoring NaN."""
    return _median(input, dim, keepdim, True, 'nanmedian')


def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """The most frequent value along ``dim`` (the smallest among ties) and its last index."""
    refuse_complex(input, '"mode_cpu" not implemented for \'{T}\'')
    d = input._data
    axis = wrap_dim(dim, d.ndim)
    dm = np.moveaxis(d, axis, -1)
    flat = dm.reshape(-1, dm.shape[-1]) if dm.ndim else dm.reshape(1, 1)
    idx = np.empty(flat.shape[0], np.int64)
    for r, row in enumerate(flat):
        vals, counts = np.unique(row, return_counts=True)
        v = vals[np.argmax(counts)]
        idx[r] = np.nonzero(row == v)[0][-1]
    idx = np.expand_dims(idx.reshape(dm.shape[:-1]), axis) if d.ndim else idx.reshape(())
    if d.ndim == 0:
        return _rt.mode((input.clone(), _wrap(np.zeros((), np.int64))))
    vals = SelectAlong('ModeBackward0', idx, axis, keepdim).apply1(input)
    return _rt.mode((vals, _wrap(idx if keepdim else np.squeeze(idx, axis))))


_INTERPOLATIONS = ('linear', 'lower', 'higher', 'midpoint', 'nearest')


def _lerp(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    """PyTorch's lerp: from the nearer end, so w == 1 gives exactly b."""
    d = b - a
    return np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w))


class Quantile(Op):
    """quantile / nanquantile as one node: the input sorted along the reduced dim, the two
    order statistics around each rank picked and interpolated; backward sends
    ``(1 - w) * g`` and ``w * g`` to the elements they came from.

    NOTE: PyTorch builds this from sort, gather and lerp and ends with an in-place squeeze,
    so its result's node is SqueezeBackward4; the name is kept for the same graph face."""
    _name = 'SqueezeBackward4'

    def __init__(self, q: np.ndarray, axis, keepdim: bool, interpolation: str,
                 ignore_nan: bool):
        self.q = q
        self.axis = axis
        self.keepdim = keepdim
        self.interpolation = interpolation
        self.ignore_nan = ignore_nan

    def forward(self, x):
        axis = self.axis
        self.in_shape = x.shape
        xm = x.reshape(-1) if axis is None else (np.moveaxis(x, axis, -1) if x.ndim
                                                   else x.reshape(1))
        order = np.argsort(xm, axis=-1, kind='stable')
        srt = np.take_along_axis(xm, order, -1)
        q = self.q.reshape(-1)
        n = srt.shape[-1]
        nan = np.isnan(srt)
        if self.ignore_nan:
            cnt = (~nan).sum(-1, keepdims=True).astype(x.dtype)
            ranks = q * (cnt - 1)
            ranks = np.where(ranks < 0, np.zeros((), x.dtype), ranks)
        else:
            ranks = np.broadcast_to(q * np.asarray(n - 1, x.dtype), srt.shape[:-1] + q.shape)
            ranks = np.where(nan.any(-1, keepdims=True), np.asarray(n - 1, x.dtype), ranks)
        mode = self.interpolation
        if mode == 'lower':
            ranks = np.floor(ranks)
        elif mode == 'higher':
            ranks = np.ceil(ranks)
        elif mode == 'nearest':
            ranks = np.round(ranks)
        below = ranks.astype(np.int64)
        out = np.take_along_axis(srt, below, -1)
        above = w = None
        if mode in ('linear', 'midpoint'):
            w = (np.full(ranks.shape, 0.5, x.dtype) if mode == 'midpoint'
                 else (ranks - below).astype(x.dtype))
            above = np.ceil(ranks).astype(np.int64)
            out = _lerp(out, np.take_along_axis(srt, above, -1), w).astype(x.dtype)
        self.saved = (order, below, above, w, xm.shape)
        return self._shape_out(out)

    def _shape_out(self, out: np.ndarray) -> np.ndarray:
        """(batch..., k) -> PyTorch's layout: q's dim first, the reduced dim kept as 1 when
        keepdim."""
        vec = self.q.ndim == 1
        out = np.moveaxis(out, -1, 0) if vec else out[..., 0]
        if self.keepdim and len(self.in_shape):
            lead = out.shape[:1] if vec else ()
            if self.axis is None:
                out = out.reshape(lead + (1,) * len(self.in_shape))
            else:
                out = np.expand_dims(out, self.axis + len(lead))
        return out

    def jvp(self, g: np.ndarray) -> np.ndarray:
        """The forward's linear map at the saved order statistics, applied to ``g`` (shaped
        as the input): what the gradient's own gradient with respect to gy is."""
        order, below, above, w, mshape = self.saved
        axis = self.axis
        gm = g.reshape(-1) if axis is None else (np.moveaxis(g, axis, -1) if g.ndim
                                                 else g.reshape(1))
        srt = np.take_along_axis(gm, order, -1)
        out = np.take_along_axis(srt, below, -1)
        if w is not None:
            out = out * (1 - w) + np.take_along_axis(srt, above, -1) * w
        return self._shape_out(out)

    def backward_t(self, gy):
        return _QuantileGrad(self).apply1(gy)

    def backward(self, gy):
        order, below, above, w, mshape = self.saved
        vec = self.q.ndim == 1
        g = gy
        if self.keepdim and len(self.in_shape):
            lead = 1 if vec else 0
            if self.axis is None:
                g = g.reshape(g.shape[:lead])
            else:
                g = np.squeeze(g, self.axis + lead)
        g = np.moveaxis(g, 0, -1) if vec else g[..., None]
        gs = np.zeros(mshape, gy.dtype)
        rows = np.indices(mshape[:-1] + (1,), sparse=True)[:-1]
        if w is None:
            np.add.at(gs, (*rows, below), g)
        else:
            np.add.at(gs, (*rows, below), g * (1 - w))
            np.add.at(gs, (*rows, above), g * w)
        gm = np.empty_like(gs)
        np.put_along_axis(gm, order, gs, -1)
        if self.axis is None or not len(self.in_shape):
            return gm.reshape(self.in_shape)
        return np.moveaxis(gm, -1, self.axis)


class _QuantileGrad(Op):
    """Quantile's gradient as an op of gy (linear in it; its derivative in the input is 0
    almost everywhere), so that create_graph=True can differentiate it again."""
    _name = 'SqueezeBackward4Backward0'

    def __init__(self, op: Quantile):
        self.op = op

    def forward(self, gy):
        return self.op.backward(gy)

    def backward(self, g):
        return self.op.jvp(g)


def _quantile(input: Tensor, q, dim, keepdim: bool, interpolation: str, ignore_nan: bool,
              out) -> Tensor:
    d = input._data
    if isinstance(q, Tensor):
        qa = q._data
    elif isinstance(q, (float, int)) and not isinstance(q, bool):
        if not 0 <= q <= 1:
            raise RuntimeError(f'quantile() q must be in the range [0, 1] but got {q}')
        qa = np.asarray(q, d.dtype)
    else:
        raise TypeError(f'quantile(): argument \'q\' must be Tensor or float, not '
                        f'{type(q).__name__}')
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f'quantile() interpolation must be one of linear, lower, higher, '
                           f'midpoint or nearest, but got {interpolation}')
    if d.size == 0:
        raise RuntimeError('quantile() input tensor must be non-empty')
    if qa.ndim > 1:
        raise RuntimeError('quantile() q must be a scalar or 1D tensor')
    if d.dtype not in (np.float32, np.float64):
        raise RuntimeError('quantile() input tensor must be either float or double dtype')
    if qa.dtype != d.dtype:
        raise RuntimeError('quantile() q tensor must be same dtype as the input tensor')
    if not np.all((qa >= 0) & (qa <= 1)):
        raise RuntimeError('quantile() q values must be in the range [0, 1]')
    axis = None if dim is None else wrap_dim(dim, d.ndim)
    r = Quantile(qa, axis, keepdim, interpolation, ignore_nan).apply1(input)
    if out is not None:
        from .._tensor import _write_out
        return _write_out(r, out)
    return r


def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *,
             interpolation: str = 'linear', out=None) -> Tensor:
    """The ``q``-th quantiles along ``dim`` (of all elements when None): ranks ``q * (n - 1)``
    in the sorted values, interpolated as ``interpolation`` says; a row holding NaN gives
    NaN. A 1-D ``q`` adds a leading dim."""
    refuse_complex(input, 'quantile() input tensor must be either float or double dtype',
                   RuntimeError)
    return _quantile(input, q, dim, keepdim, interpolation, False, out)


def nanquantile(input: Tensor, q, dim=None, keepdim: bool = False, *,
                interpolation: str = 'linear', out=None) -> Tensor:
    """:func:`quantile` over the non-NaN values of each row (NaN only for an all-NaN row)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, out)


def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False):
    """``(values, indices)`` sorted along ``dim``; NaN counts as the largest value."""
    refuse_complex(input, ' Sort does not support complex dtypes on CPU', RuntimeError)
    d = input._data
    if d.ndim == 0:
        return _rt.sort((input.clone(), _wrap(np.zeros((), np.int64))))
    axis = wrap_dim(dim, d.ndim)
    idx = _argsort(d, axis, descending)
    vals = SelectAlong('SortBackward0', idx, axis, True).apply1(input)
    return _rt.sort((vals, _wrap(idx)))


def _argsort(d, axis, descending):
    if not descending:
        return np.argsort(d, axis=axis, kind='stable')
    # NOTE: a stable descending order: sort the reversed array, then reverse back.
    n = d.shape[axis]
    rev = np.argsort(np.flip(d, axis), axis=axis, kind='stable')
    return np.flip(n - 1 - rev, axis)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,
            stable: bool = False) -> Tensor:
    """Indices that sort ``input`` along ``dim``."""
    refuse_complex(input, ' Sort does not support complex dtypes on CPU', RuntimeError)
    d = input._data
    if d.ndim == 0:
        return _wrap(np.zeros((), np.int64))
    return _wrap(_argsort(d, wrap_dim(dim, d.ndim), descending))


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices."""
    refuse_complex(input, ' topk does not support complex dtypes on CPU', RuntimeError)
    d = input._data
    axis = wrap_dim(dim, _pymax(d.ndim, 1))
    n = d.shape[axis] if d.ndim else 1
    if k < 0 or k > n:
        raise RuntimeError('selected index k out of range')
    if d.ndim == 0:
        return _rt.topk((input.clone(), _wrap(np.zeros((), np.int64))))
    idx = np.take(_argsort(d, axis, largest), np.arange(k), axis=axis)
    vals = SelectAlong('TopkBackward0', idx, axis, True).apply1(input)
    return _rt.topk((vals, _wrap(idx)))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """The ``k``-th smallest element along ``dim`` (1-based) and its index."""
    refuse_complex(input, '"kthvalue_cpu" not implemented for \'{T}\'')
    d = input._data
    axis = wrap_dim(dim, _pymax(d.ndim, 1))
    n = d.shape[axis] if d.ndim else 1
    if not 1 <= k <= n:
        raise IndexError(f'kthvalue(): selected number k out of range for dimension {axis}')
    if d.ndim == 0:
        return _rt.kthvalue((input.clone(), _wrap(np.zeros((), np.int64))))
    idx = np.take(np.argsort(d, axis=axis, kind='stable'), [k - 1], axis=axis)
    vals = SelectAlong('KthvalueBackward0', idx, axis, keepdim).apply1(input)
    return _rt.kthvalue((vals, _wrap(idx if keepdim else np.squeeze(idx, axis))))


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim=None):
    """The distinct values (sorted), optionally with inverse indices and counts."""
    refuse_complex(input, '"unique" not implemented for \'{T}\'')
    refuse_forward_ad(input, '_unique2' if dim is None else 'unique_dim')
    d = input._data
    res = np.unique(d, return_inverse=return_inverse, return_counts=return_counts,
                    axis=None if dim is None else wrap_dim(dim, d.ndim))
    if not (return_inverse or return_counts):
        return _wrap(res)
    out = [_wrap(res[0])]
    k = 1
    if return_inverse:
        out.append(_wrap(res[k].reshape(d.shape if dim is None else -1).astype(np.int64)))
        k += 1
    if return_counts:
        out.append(_wrap(res[k].astype(np.int64)))
    return tuple(out)


def bincount(input: Tensor, weights=None, minlength: int = 0) -> Tensor:
    """Counts of each non-negative integer value (weighted if ``weights`` is given)."""
    d = input._data
    if d.ndim != 1 or d.dtype.kind not in 'iu':
        raise RuntimeError('bincount only supports 1-d non-negative integral inputs.')
    if d.size and d.min() < 0:
        raise RuntimeError('bincount only supports 1-d non-negative integral inputs.')
    w = None if weights is None else weights._data
    r = np.bincount(d, w, minlength)
    if w is None:
        return _wrap(r.astype(np.int64))
    return _wrap(r.astype(w.dtype if w.dtype.kind == 'f' else np.float64))


def msort(input: Tensor) -> Tensor:
    """``input`` sorted along dim 0 (the values of ``sort(input, 0)``)."""
    refuse_complex(input, ' Sort does not support complex dtypes on CPU', RuntimeError)
    return sort(input, 0)[0]
