"""Fractional max pooling (Graham, 2014): max pooling whose window starts follow a
pseudo-random sequence, so the output can be any size between ``input - kernel + 1`` and 1.

The window starts along one axis come from one uniform sample ``u`` per (sample, channel,
axis): ``start[i] = int((i + u) * a) - int(u * a)`` with ``a = (in - k) / (out - 1)``, and the
last window ends flush with the input. The samples are ``torch.rand(N, C, nd)`` in the input's
dtype, drawn from numtorch's generator, so a seeded run picks PyTorch's windows. One kernel
serves 2-D and 3-D pooling; only the checks, their messages and the sample order differ.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ._op import Op
from .indexing import scatter_add
from .activation import _need_float

__all__ = ['fractional_max_pool2d', 'fractional_max_pool2d_with_indices',
           'fractional_max_pool3d', 'fractional_max_pool3d_with_indices']


def _starts(u: np.ndarray, n_in: int, n_out: int, k: int) -> np.ndarray:
    """Window starts (..., n_out) for samples ``u`` (...,), in the samples' float type as
    PyTorch's kernel computes them."""
    dt = u.dtype
    st = np.empty(u.shape + (n_out,), np.int64)
    if n_out > 1:
        alpha = dt.type(n_in - k) / dt.type(n_out - 1)
        i = np.arange(n_out - 1, dtype=dt)
        uu = u[..., None]
        st[..., :-1] = (((i + uu) * alpha).astype(np.int64)
                        - (uu * alpha).astype(np.int64))
    if n_out > 0:
        st[..., -1] = n_in - k
    return st


class _FractionalMaxPoolNd(Op):
    """Fractional max pooling over the last ``len(k)`` dims of a (N, C, *spatial) array.
    ``samples`` is (N', C, nd) with N' >= N, its last axis already in spatial order."""
    checks = (0,)

    def __init__(self, k: tuple, out: tuple, samples: np.ndarray):
        self.k = k
        self.out = out
        self.samples = samples

    def forward(self, x):
        nd = len(self.k)
        shape = x.shape
        if x.ndim == nd + 1:
            x = x[None]
        N, C = x.shape[:2]
        sp = x.shape[2:]
        s = self.samples[:N]
        win = x
        pos = []
        for d, (n_in, o, k) in enumerate(zip(sp, self.out, self.k)):
            st = _starts(s[..., d], n_in, o, k)[..., :, None]             # (N, C, o, 1)
            p = st + np.arange(max(k, 0))                                # (N, C, o, k)
            # an empty window still reports its start as the index (as PyTorch)
            pos.append(p if k > 0 else st)
            ix = p.reshape((N, C) + (1,) * d + (o * max(k, 0),) + (1,) * (nd - d - 1))
            win = np.take_along_axis(win, ix, 2 + d)
        # (N, C, o0, k0, o1, k1, ...) -> (N, C, o0, o1, ..., k0 * k1 * ...): window order is
        # PyTorch's loop order, so argmax picks the same one of equal maxima
        kk = tuple(max(k, 0) for k in self.k)
        win = win.reshape((N, C) + tuple(v for ok in zip(self.out, kk) for v in ok))
        win = win.transpose((0, 1) + tuple(range(2, 2 + 2 * nd, 2))
                            + tuple(range(3, 3 + 2 * nd, 2)))
        K = int(np.prod(kk))
        win = win.reshape((N, C) + self.out + (K,))
        # the first maximum in window order; where there are NaNs, the last NaN (as PyTorch)
        j = win.argmax(-1) if K else np.zeros(win.shape[:-1], np.int64)
        nan = np.isnan(win)
        if nan.any():
            last = K - 1 - nan[..., ::-1].argmax(-1)
            j = np.where(nan.any(-1), last, j)
        if K:
            y = np.take_along_axis(win, j[..., None], -1)[..., 0]
        else:
            y = np.full((N, C) + self.out, -np.inf, x.dtype)
        jd = np.unravel_index(j, tuple(max(k, 1) for k in self.k))
        idx = np.zeros(j.shape, np.int64)
        for d in range(nd):
            p = pos[d]
            p = p.reshape((N, C) + (1,) * d + (self.out[d],) + (1,) * (nd - d - 1)
                          + (p.shape[-1],))
            idx = idx * sp[d] + np.take_along_axis(p, jd[d][..., None], -1)[..., 0]
        self.saved = (idx, shape)
        lead = shape[:-nd]
        return y.reshape(lead + self.out), idx.reshape(lead + self.out)

    def backward(self, gy, gi=None):
        idx, shape = self.saved
        NC = idx.shape[0] * idx.shape[1]
        size = int(np.prod(shape[-len(self.k):]))
        gx = np.zeros((NC, size), gy.dtype)
        # overlapping windows may pick the same element: accumulate
        np.add.at(gx, (np.arange(NC)[:, None], idx.reshape(NC, -1)), gy.reshape(NC, -1))
        return gx.reshape(shape)

    def backward_t(self, gy, gi=None):
        idx, shape = self.saved
        NC = idx.shape[0] * idx.shape[1]
        size = int(np.prod(shape[-len(self.k):]))
        src = gy.reshape(NC, -1)
        gx = scatter_add(src.new_zeros((NC, size)), 1, _wrap(idx.reshape(NC, -1)), src)
        return gx.reshape(shape)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    _name = 'FractionalMaxPool2DBackward0'


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    _name = 'FractionalMaxPool3DBackward0'


# Per dimensionality: the op, PyTorch's message prefix, the kernel/output size message
# suffix, the axis names, the sample column used for each spatial axis, and whether a window
# may end exactly at the input's end (PyTorch's 3-D check is strict).
_SPEC = {
    2: (FractionalMaxPool2d, 'fractional_max_pool2d()', 'tuple of Ints', ('height', 'width'),
        (1, 0), True),
    3: (FractionalMaxPool3d, 'fractional_max_pool3d_out()', 'tuple of three Ints',
        ('time', 'height', 'width'), (0, 1, 2), False),
}


def _sizes(v, nd: int, what: str, tail: str) -> tuple:
    if isinstance(v, int):
        return (v,) * nd
    v = tuple(v)
    if len(v) == 1:
        return v * nd
    if len(v) != nd:
        raise RuntimeError(f'fractional_max_pool{nd}d: {what} must either be a single Int or '
                           f'{tail}')
    return v


def _fractional_max_pool(nd: int, input: Tensor, kernel_size, output_size, output_ratio,
                         _random_samples: Tensor | None):
    from .random import rand
    op, pre, tail, names, cols, inclusive = _SPEC[nd]
    if output_size is None and output_ratio is None:
        raise ValueError(f'fractional_max_pool{nd}d requires specifying either an output_size '
                         'or an output_ratio')
    if output_size is None:
        if nd == 3:
            r = (output_ratio,) * 3 if not isinstance(output_ratio, (tuple, list)) \
                else tuple(output_ratio)
        elif len(output_ratio) > 2:
            raise ValueError('fractional_max_pool2d requires output_ratio to either be a single '
                             'Int or tuple of Ints.')
        else:
            r = (output_ratio[0], output_ratio[0]) if len(output_ratio) == 1 else output_ratio
        output_size = [int(input.size(d - nd) * r[d]) for d in range(nd)]
    if _random_samples is None:
        n_batch = 1 if input.dim() == nd + 1 else input.size(0)
        _random_samples = rand(n_batch, input.size(-nd - 1), nd, dtype=input.dtype)
    k = _sizes(kernel_size, nd, 'kernel_size', tail)
    out = _sizes(output_size, nd, 'output_size', tail)
    x = input._data
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f'{pre}: Expected {nd + 1}D or {nd + 2}D tensor, but got: '
                           f'{list(x.shape)}')
    for d in range(1, x.ndim):
        if x.shape[d] == 0:
            raise RuntimeError(f'{pre}: Expected input to have non-zero size for non-batch '
                               f'dimensions, but got{list(x.shape)} with dimension {d} being '
                               'empty.')
    sp = x.shape[-nd:]
    # PyTorch checks the 3-D sizes in the order time, width, height
    order = range(nd) if nd == 2 else (0, 2, 1)
    for d in order:
        end = out[d] + k[d] - 1
        if end > sp[d] or (end == sp[d] and not inclusive):
            raise RuntimeError(f'{pre}: pool {names[d]} {k[d]} too large relative to input '
                               f'{names[d]} {sp[d]}')
    for o in out:
        if o < 0:
            raise RuntimeError(f'Trying to create tensor with negative dimension {o}: '
                               f'{list(x.shape[:-nd]) + list(out)}')
    s = _random_samples._data
    if s.dtype != x.dtype:
        raise RuntimeError('Expect _random_samples to have the same dtype as input')
    if s.ndim != 3:
        raise RuntimeError(f'Expect _random_samples to have 3 dimensions, got {s.ndim}')
    N = x.shape[0] if x.ndim == nd + 2 else 1
    if s.shape[2] != nd:
        raise RuntimeError(f'Expect _random_samples.size(2) equals to {nd}; got {s.shape[2]}.')
    if s.shape[0] < N:
        raise RuntimeError('Expect _random_samples.size(0) no less then input batch size.')
    if s.shape[1] != x.shape[-nd - 1]:
        raise RuntimeError('Expect _random_samples.size(1) equals to input channel size.')
    _need_float(input, f'fractional_max_pool{nd}d_out_frame')
    return op(k, out, s[..., list(cols)]).apply(input)


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None):
    """Fractional max pooling over the last two dims of a (N, C, H, W) or (C, H, W) input;
    returns the output and the flat (h * W + w) index of each maximum."""
    return _fractional_max_pool(2, input, kernel_size, output_size, output_ratio,
                                _random_samples)


def fractional_max_pool2d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):
    """Fractional max pooling; the output alone unless ``return_indices``."""
    y, idx = _fractional_max_pool(2, input, kernel_size, output_size, output_ratio,
                                  _random_samples)
    return (y, idx) if return_indices else y


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None):
    """Fractional max pooling over the last three dims of a (N, C, T, H, W) or (C, T, H, W)
    input; returns the output and the flat ((t * H + h) * W + w) index of each maximum."""
    return _fractional_max_pool(3, input, kernel_size, output_size, output_ratio,
                                _random_samples)


def fractional_max_pool3d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):
    """3-D fractional max pooling; the output alone unless ``return_indices``."""
    y, idx = _fractional_max_pool(3, input, kernel_size, output_size, output_ratio,
                                  _random_samples)
    return (y, idx) if return_indices else y
