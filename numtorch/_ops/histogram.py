"""Histograms: ``torch.histc``, ``torch.histogram`` and ``torch.histogramdd``.

A value falls in bin k when ``edges[k] <= v < edges[k + 1]``, the last bin also taking
``v == edges[-1]``; values outside the edges (and NaN) are not counted. Counts and weight
sums come in the input's (floating) dtype. None of them is differentiable: when an input
requires grad, PyTorch's outputs hang from a node named ``NotImplemented`` whose backward
raises, and so do ours.
"""
from __future__ import annotations

import builtins
import math
import numbers

import numpy as np

from .._tensor import Tensor, _wrap
from .. import return_types
from ._op import Op
from .creation import _linspace_values

__all__ = ['histc', 'histogram', 'histogramdd']

# c10's names of dtypes, as PyTorch's messages print them
_SHORT = {'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte',
          'bool': 'Bool', 'float16': 'Half'}
_META = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'int64': 'long int',
         'int32': 'int', 'int16': 'short int', 'int8': 'signed char', 'uint8': 'unsigned char',
         'bool': 'bool'}


def _fmt(v: float) -> str:
    """A double as C++'s ostream prints it (6 significant digits)."""
    return 'nan' if math.isnan(v) else ('inf' if v == math.inf else
                                        '-inf' if v == -math.inf else f'{v:g}')


class _NoDerivative(Op):
    """The node PyTorch records for an op without a derivative formula."""
    _name = 'torch::autograd::NotImplemented'

    def __init__(self, outs: tuple, aten: str):
        self.outs = outs
        self.aten = aten

    def forward(self, *arrays):
        return self.outs

    def backward(self, *gys):
        raise RuntimeError(f'derivative for aten::{self.aten} is not implemented')


def _finish(outs: tuple, inputs: list, aten: str) -> tuple:
    """Wraps ``outs`` (arrays), under a NotImplemented node if an input requires grad."""
    ts = [t for t in inputs if t is not None]
    res = _NoDerivative(outs, aten).apply(*ts)
    return res if type(res) is tuple else (res,)


def _check_float(x: Tensor, kernel: str) -> None:
    k = x._data.dtype
    if k.kind != 'f' or k == np.float16:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_SHORT[k.name]}\'')


def _count(x2: np.ndarray, edges: list, weight: np.ndarray | None, density: bool):
    """The histogram of the points in the rows of ``x2`` (M, N) over ``edges`` (N arrays)."""
    nb = [len(e) - 1 for e in edges]
    flat = np.zeros(x2.shape[0], np.int64)
    ok = np.ones(x2.shape[0], bool)
    for d, e in enumerate(edges):
        v = x2[:, d]
        ok &= (v >= e[0]) & (v <= e[-1])
        pos = np.searchsorted(e, v, 'right') - 1
        pos[pos == nb[d]] -= 1
        flat = flat * nb[d] + np.clip(pos, 0, nb[d] - 1)
    w = None if weight is None else weight.reshape(-1)[ok]
    size = int(np.prod(nb))
    hist = np.bincount(flat[ok], weights=w, minlength=size).astype(x2.dtype).reshape(nb)
    if density:
        hist = hist / hist.sum()
        for d, e in enumerate(edges):
            shape = [1] * len(edges)
            shape[d] = -1
            hist = hist / np.diff(e).reshape(shape)
    return hist


def _check_weight(x2: Tensor, weight: Tensor | None, full_shape) -> None:
    if weight is None:
        return
    if weight.dtype != x2.dtype:
        raise RuntimeError(
            'torch.histogramdd: if weight tensor is provided, input tensor and weight tensor '
            f'should have the same dtype, but got input({_META[x2._data.dtype.name]}), and '
            f'weight({_META[weight._data.dtype.name]})')
    wshape = tuple(weight.shape) or (1,)
    if tuple(x2.shape[:-1]) != wshape:
        raise RuntimeError(
            'torch.histogramdd: if weight tensor is provided it should have the same shape as '
            'the input tensor excluding its innermost dimension, but got input with shape '
            f'{list(full_shape)} and weight with shape {list(weight.shape)}')


def _outer_edges(x2: np.ndarray, n: int, range) -> list:
    """PyTorch's select_outer_bin_edges: (lo, hi) per dim from ``range``, else the data's
    min and max, else (0, 1); an empty range widened by 0.5 each way."""
    if range is not None:
        range = [float(r) for r in range]
        if len(range) != 2 * n:
            raise RuntimeError(f'torch.histogramdd: for a {n}-dimensional histogram range '
                               f'should have {2 * n} elements, but got {len(range)}')
        lims = [(range[2 * d], range[2 * d + 1]) for d in builtins.range(n)]
    elif x2.size:
        if x2.dtype.kind != 'f' or x2.dtype == np.float16:
            raise NotImplementedError(
                f'"histogramdd" not implemented for \'{_SHORT[x2.dtype.name]}\'')
        lims = [(float(x2[:, d].min()), float(x2[:, d].max())) for d in builtins.range(n)]
    else:
        lims = [(0.0, 1.0)] * n
    out = []
    for d, (lo, hi) in enumerate(lims):
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise RuntimeError(f"torch.histogramdd: dimension {d}'s range [{_fmt(lo)}, "
                               f'{_fmt(hi)}] is not finite')
        if lo > hi:
            raise RuntimeError(f'torch.histogramdd: min should not exceed max, but got min '
                               f'{_fmt(lo)} max {_fmt(hi)} for dimension {d}')
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        out.append((lo, hi))
    return out


def _check_bin_cts(bins: list) -> None:
    for d, b in enumerate(bins):
        if b <= 0:
            raise RuntimeError(f'torch.histogram(): bins must be > 0, but got {b} for '
                               f'dimension {d}')


def _check_bin_tensors(x2: Tensor, bins: list) -> None:
    n = x2.shape[-1]
    if len(bins) != n:
        raise RuntimeError(f'torch.histogramdd: expected {n} sequences of bin edges for a '
                           f'{n}-dimensional histogram but got {len(bins)}')
    for d, b in enumerate(bins):
        if b.dtype != x2.dtype:
            raise RuntimeError(
                'torch.histogramdd: input tensor and bins tensors should have the same dtype, '
                f'but got input with dtype {_META[x2._data.dtype.name]} and bins for dimension '
                f'{d} with dtype {_META[b._data.dtype.name]}')
        if b.dim() != 1:
            raise RuntimeError(
                'torch.histogramdd: bins tensor should have one dimension, but got '
                f'{b.dim()} dimensions in the bins tensor for dimension {d}')
        if b.numel() == 0:
            raise RuntimeError(
                'torch.histogramdd: bins tensor should have at least 1 element, but got 0 '
                f'elements in the bins tensor for dimension {d}')


def histogramdd(input: Tensor, bins, *, range=None, weight: Tensor | None = None,
                density: bool = False, out=None):
    """The N-dimensional histogram of the points in the rows of ``input`` (its last dim
    is N; leading dims are flattened). ``bins`` is an int (that many equal-width bins per
    dim), N ints, or N 1-D tensors of increasing edges; ``range`` (lo0, hi0, lo1, ...)
    bounds the equal-width bins (default: the data's extent). Returns
    ``return_types.histogramdd(hist, bin_edges)`` with ``bin_edges`` a tuple of N tensors."""
    if out is not None:
        raise NotImplementedError("histogramdd: the 'out' argument is not supported")
    if input.dim() < 2:
        raise RuntimeError('torch.histogramdd: input tensor should have at least 2 dimensions')
    n = input.shape[-1]
    if n == 0:
        # (no dimensions: one empty product of bins, holding nothing)
        _check_float(input, 'histogramdd')
        h, = _finish((np.zeros((), input._data.dtype),), [input, weight],
                     '_histogramdd_from_bin_cts')
        return return_types.histogramdd(h, ())
    x2 = input.reshape(-1, n)
    if isinstance(bins, numbers.Integral):
        bins = [int(bins)] * n
    bins = list(bins)
    if bins and isinstance(bins[0], Tensor):
        for k, b in enumerate(bins):
            if not isinstance(b, Tensor):
                raise TypeError(f'expected Tensor as element {k} in argument 1, but got '
                                f'{type(b).__name__}')
        _check_bin_tensors(x2, bins)
        _check_weight(x2, weight, input.shape)
        _check_bin_cts([b.numel() - 1 for b in bins])
        _check_float(input, 'histogramdd')
        edges = [b._data for b in bins]
        hist = _count(x2._data, edges, None if weight is None else weight._data, density)
        h, = _finish((hist,), [input] + bins + [weight], '_histogramdd_from_bin_tensors')
        return return_types.histogramdd(h, tuple(bins))
    for k, b in enumerate(bins):
        if not isinstance(b, numbers.Integral):
            raise TypeError(f'expected Tensor as element {k} in argument 1, but got '
                            f'{type(b).__name__}')
    if len(bins) != n:
        raise RuntimeError('histogramdd: The size of bins must be equal to the innermost '
                           'dimension of the input.')
    edges, hist = _by_counts(input, x2, bins, range, weight, density)
    res = _finish(tuple([hist] + edges), [input, weight], '_histogramdd_from_bin_cts')
    return return_types.histogramdd(res[0], tuple(res[1:]))


def _by_counts(input: Tensor, x2: Tensor, bins: list, range, weight, density):
    """The edges (linspace of each dim's range, in the input's dtype) and the histogram."""
    _check_bin_cts(bins)
    lims = _outer_edges(x2._data, x2.shape[-1], range)
    _check_weight(x2, weight, input.shape if input.dim() > 1 else x2.shape)
    _check_float(input, 'histogramdd')
    npdt = x2._data.dtype
    edges = [_linspace_values(lo, hi, b + 1, npdt).astype(npdt)
             for (lo, hi), b in zip(lims, bins)]
    hist = _count(x2._data, edges, None if weight is None else weight._data, density)
    return edges, hist


def histogram(input: Tensor, bins=100, *, range=None, weight: Tensor | None = None,
              density: bool = False, out=None):
    """The histogram of ``input``'s values: ``bins`` equal-width bins over ``range``
    (default: min to max of the data) or the edges in the 1-D tensor ``bins``. ``weight``
    (input's shape) sums weights instead of counting; ``density`` normalises to unit
    integral. Returns ``return_types.histogram(hist, bin_edges)``; float inputs only."""
    if out is not None:
        raise NotImplementedError("histogram: the 'out' argument is not supported")
    x2 = input.reshape(-1, 1)
    if isinstance(bins, Tensor):
        if range is not None:
            raise TypeError('histogram() received an invalid combination of arguments - got '
                            '(Tensor, Tensor, range=tuple), but expected one of:\n'
                            ' * (Tensor input, Tensor bins, *, Tensor weight = None, bool '
                            'density = False, tuple of Tensors out = None)\n'
                            ' * (Tensor input, int bins = 100, *, tuple of floats range = None, '
                            'Tensor weight = None, bool density = False, tuple of Tensors out '
                            '= None)\n')
        w2 = None if weight is None else weight.reshape(-1)
        _check_bin_tensors(x2, [bins])
        _check_weight(x2, w2, x2.shape)
        _check_bin_cts([bins.numel() - 1])
        _check_float(input, 'histogram_cpu')
        hist = _count(x2._data, [bins._data], None if w2 is None else w2._data, density)
        h, e = _finish((hist, bins._data.copy()), [input, bins, weight], 'histogram')
        return return_types.histogram(h, e)
    if not isinstance(bins, numbers.Integral) or isinstance(bins, bool):
        raise TypeError('histogram() received an invalid combination of arguments - got '
                        f'(Tensor, bins={type(bins).__name__}), but expected one of:\n'
                        ' * (Tensor input, Tensor bins, *, Tensor weight = None, bool density '
                        '= False, tuple of Tensors out = None)\n'
                        ' * (Tensor input, int bins = 100, *, tuple of floats range = None, '
                        'Tensor weight = None, bool density = False, tuple of Tensors out = '
                        'None)\n')
    w2 = None if weight is None else weight.reshape(-1)
    edges, hist = _by_counts(input, x2, [int(bins)], range, w2, density)
    h, e = _finish((hist, edges[0]), [input, weight], 'histogram')
    return return_types.histogram(h, e)


def histc(input: Tensor, bins: int = 100, min=0, max=0, *, out=None) -> Tensor:
    """The histogram of ``input`` in ``bins`` equal-width bins over [min, max]; when
    min == max the data's min and max are used (widened by 1 each way if they are equal
    too). Values outside are ignored. Float inputs only; not differentiable."""
    if out is not None:
        raise NotImplementedError("histc: the 'out' argument is not supported")
    if bins <= 0:
        raise RuntimeError(f'torch.histogram(): bins must be > 0, but got {bins} for '
                           'dimension 0')
    _check_float(input, 'histogram_cpu')
    d = input._data.reshape(-1)
    dt = d.dtype.type
    lo, hi = dt(min), dt(max)
    if lo == hi and d.size:
        lo, hi = d.min(), d.max()
    if lo == hi:
        lo, hi = lo - dt(1), hi + dt(1)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f'torch.histc: range of [{_fmt(float(lo))}, {_fmt(float(hi))}] is '
                           'not finite')
    if lo > hi:
        raise RuntimeError('torch.histc: max must be larger than min')
    v = d[(d >= lo) & (d <= hi)]
    # NOTE: histc bins by linear interpolation in the input's dtype (not by searching the
    # edges, as histogram does), so values next to an edge land where PyTorch puts them.
    pos = ((v - lo) * dt(bins) / (hi - lo)).astype(np.int64)
    pos[pos == bins] = bins - 1
    return _wrap(np.bincount(pos, minlength=bins).astype(d.dtype))
