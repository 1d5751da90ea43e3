"""``torch.segment_reduce``: reductions over consecutive segments of one axis, the segments
given by their lengths or offsets."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _type_word
from ._op import Op
from .shape import wrap_dim

__all__ = ['segment_reduce']

_REDUCTIONS = {'sum': 'sum', 'mean': 'mean', 'max': 'max', 'amax': 'max', 'min': 'min',
               'amin': 'min', 'prod': 'prod'}


class SegmentReduce(Op):
    """One node for all segments. ``bounds[b]`` lists (start, end) of each segment of row
    ``b`` (the index over the dims before ``axis``)."""
    _name = 'SegmentReduceBackward0'
    checks = (0,)
    saves_out = True

    def __init__(self, reduce: str, axis: int, bounds: dict, nseg: int, initial):
        self.reduce = reduce
        self.axis = axis
        self.bounds = bounds
        self.nseg = nseg
        self.initial = initial

    def _one(self, seg: np.ndarray, dt) -> np.ndarray:
        r, init, n = self.reduce, self.initial, seg.shape[0]
        if r == 'sum':
            v = seg.sum(0)
            return v if init is None else v + init
        if r == 'mean':
            if n == 0:
                return np.full(seg.shape[1:], np.nan if init is None else init, dt)
            return (seg.sum(0) + (0 if init is None else init)) / n
        if r == 'prod':
            v = seg.prod(0)
            return v if init is None else v * init
        big = np.inf if r == 'min' else -np.inf
        start = big if init is None else init
        f = np.min if r == 'min' else np.max
        v = f(seg, 0, initial=start) if n else np.full(seg.shape[1:], start, dt)
        return v

    def forward(self, x):
        a = self.axis
        self.x = x
        out_shape = x.shape[:a] + (self.nseg,) + x.shape[a + 1:]
        out = np.empty(out_shape, x.dtype)
        for b, segs in self.bounds.items():
            row = x[b]
            for s, (lo, hi) in enumerate(segs):
                out[b + (s,)] = self._one(row[lo:hi], x.dtype)
        self.saved = (x, out)
        return out

    def backward(self, gy):
        x, out = self.saved
        gx = np.zeros_like(x)
        r, init = self.reduce, self.initial
        for b, segs in self.bounds.items():
            row, grow = x[b], gx[b]
            for s, (lo, hi) in enumerate(segs):
                n = hi - lo
                if n == 0:
                    continue
                g, o, seg = gy[b + (s,)], out[b + (s,)], row[lo:hi]
                if r == 'sum':
                    grow[lo:hi] = g
                elif r == 'mean':
                    grow[lo:hi] = g / n
                elif r in ('max', 'min'):
                    # ties share the gradient equally
                    hit = seg == o
                    cnt = hit.sum(0)
                    grow[lo:hi] = np.where(hit, g / np.maximum(cnt, 1), 0)
                else:
                    grow[lo:hi] = _prod_grad(seg, g, o, init)
        return gx

    def jvp(self, g: np.ndarray) -> np.ndarray:
        """The linear map that backward's transpose is (sum, mean, max, min): ``g`` (shaped as
        the input) reduced per segment with backward's weights."""
        x, out = self.saved
        res = np.zeros(out.shape, g.dtype)
        r = self.reduce
        for b, segs in self.bounds.items():
            row, grow = x[b], g[b]
            for s, (lo, hi) in enumerate(segs):
                n = hi - lo
                if n == 0:
                    continue
                gs = grow[lo:hi]
                if r == 'sum':
                    v = gs.sum(0)
                elif r == 'mean':
                    v = gs.sum(0) / n
                else:
                    hit = row[lo:hi] == out[b + (s,)]
                    v = (gs * hit).sum(0) / np.maximum(hit.sum(0), 1)
                res[b + (s,)] = v
        return res

    def backward_t(self, gy):
        if self.reduce == 'prod':
            return Op.backward_t(self, gy)
        return _SegmentReduceGrad(self).apply1(gy)


class _SegmentReduceGrad(Op):
    """segment_reduce's gradient as an op of gy (linear in it; for sum, mean, max and min
    its derivative in the data is 0 almost everywhere)."""
    _name = 'SegmentReduceBackward0Backward0'

    def __init__(self, op: SegmentReduce):
        self.op = op

    def forward(self, gy):
        return self.op.backward(gy)

    def backward(self, g):
        return self.op.jvp(g)


def _prod_grad(seg: np.ndarray, g: np.ndarray, out: np.ndarray, init) -> np.ndarray:
    """d prod / d x_i = out / x_i where no element is 0; with one zero only that element
    gets the product of the others; with two or more none does."""
    zero = seg == 0
    nz = zero.sum(0)
    with np.errstate(divide='ignore', invalid='ignore'):
        plain = g * out / seg
    others = np.where(zero, 1, seg).prod(0) * (1 if init is None else init)
    return np.where(nz == 0, plain, np.where(zero & (nz == 1), g * others, 0)).astype(seg.dtype)


def segment_reduce(data: Tensor, reduce: str, *, lengths: Tensor | None = None,
                   indices: Tensor | None = None, offsets: Tensor | None = None,
                   axis: int = 0, unsafe: bool = False, initial=None) -> Tensor:
    """Reduces ``data`` along ``axis`` over consecutive segments (sum, mean, max/amax,
    min/amin or prod); ``lengths`` (or ``offsets``) has the dims of ``data`` before ``axis``
    plus one listing the segments. An empty segment gives ``initial``, else the reduction's
    identity (NaN for mean)."""
    red = _REDUCTIONS.get(reduce)
    if red is None:
        raise RuntimeError(f'reduce argument must be either sum, prod, mean, amax or amin, got '
                           f'{reduce}')
    if indices is not None and lengths is None and offsets is None:
        raise RuntimeError('segment_reduce(): indices based reduction is not supported yet.')
    for name, v in (('lengths', lengths), ('offsets', offsets)):
        if v is not None and not isinstance(v, Tensor):
            raise TypeError(f"segment_reduce(): argument '{name}' must be Tensor, not "
                            f'{type(v).__name__}')
    if lengths is None and offsets is None:
        raise RuntimeError('segment_reduce(): Either lengths or offsets must be defined.')
    d = data._data
    a = wrap_dim(axis, d.ndim)
    seg_t = lengths if lengths is not None else offsets
    sd = seg_t._data
    if sd.ndim - 1 != a:
        raise RuntimeError(f'segment_reduce(): Expected axis to be the last dimension of '
                           f'{"lengths" if lengths is not None else "offsets"} but got {a}.')
    if sd.dtype not in (np.int64, np.int32):
        kernel = 'lengths' if lengths is not None else 'offsets'
        raise NotImplementedError(f'"_segment_reduce_{kernel}_cpu_kernel1" not implemented for '
                                  f"'{_type_word(sd.dtype)}'")
    if d.dtype.kind != 'f':
        raise NotImplementedError(f'"_segment_reduce_cpu" not implemented for '
                                  f"'{_type_word(d.dtype)}'")
    if lengths is not None:
        if not unsafe:
            if (sd < 0).any():
                raise RuntimeError('lengths contains negative value!')
            if sd.size and (sd.sum(-1) != d.shape[a]).any():
                raise RuntimeError('segment_reduce(): Expected all rows of lengths along axis '
                                   'to sum to data.size(lengths.dim()-1) when !unsafe.')
        ends = np.cumsum(sd, -1)
        starts = ends - sd
        nseg = sd.shape[-1]
    else:
        starts, ends = sd[..., :-1], sd[..., 1:]
        nseg = sd.shape[-1] - 1
    bounds = {b: list(zip(starts[b].tolist(), ends[b].tolist()))
              for b in np.ndindex(sd.shape[:-1])}
    init = None if initial is None else float(initial)
    return SegmentReduce(red, a, bounds, nseg, init).apply1(data)
