"""Fractional max pooling (Graham, 2014): max pooling whose window starts follow a
pseudo-random sequence, so the output can be any size between ``input - kernel + 1`` and 1.

The window starts along one axis come from one uniform sample ``u`` per (sample, channel,
axis): ``start[i] = int((i + u) * a) - int(u * a)`` with ``a = (in - k) / (out - 1)``, and the
last window ends flush with the input. The samples are ``torch.rand(N, C, 2)`` in the input's
dtype, drawn from numtorch's generator, so a seeded run picks PyTorch's windows.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ._op import Op
from .indexing import scatter_add

__all__ = ['fractional_max_pool2d', 'fractional_max_pool2d_with_indices']


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


class FractionalMaxPool2d(Op):
    _name = 'FractionalMaxPool2DBackward0'
    checks = (0,)

    def __init__(self, k: tuple, out: tuple, samples: np.ndarray):
        self.k = k
        self.out = out
        self.samples = samples   # (N, C, 2): [..., 0] for the width, [..., 1] for the height

    def forward(self, x):
        shape = x.shape
        x = x.reshape((-1,) + shape[-3:])
        N, C, H, W = x.shape
        kh, kw = self.k
        oh, ow = self.out
        s = self.samples[:N]
        rows = _starts(s[..., 1], H, oh, kh)[..., :, None] + np.arange(kh)    # (N, C, oh, kh)
        cols = _starts(s[..., 0], W, ow, kw)[..., :, None] + np.arange(kw)    # (N, C, ow, kw)
        xr = np.take_along_axis(x, rows.reshape(N, C, oh * kh, 1), 2)
        win = np.take_along_axis(xr, cols.reshape(N, C, 1, ow * kw), 3)
        win = win.reshape(N, C, oh, kh, ow, kw).transpose(0, 1, 2, 4, 3, 5).reshape(
            N, C, oh, ow, kh * kw)
        # the first maximum in window order; where there are NaNs, the last NaN (as PyTorch)
        j = win.argmax(-1) if win.shape[-1] else np.zeros(win.shape[:-1], np.int64)
        if x.dtype.kind == 'f':
            nan = np.isnan(win)
            if nan.any():
                last = win.shape[-1] - 1 - nan[..., ::-1].argmax(-1)
                j = np.where(nan.any(-1), last, j)
        if win.shape[-1]:
            y = np.take_along_axis(win, j[..., None], -1)[..., 0]
        else:
            y = np.full((N, C, oh, ow), -np.inf, x.dtype)
        h = np.take_along_axis(rows[:, :, :, None, :], (j // max(kw, 1))[..., None], -1)
        w = np.take_along_axis(cols[:, :, None, :, :], (j % max(kw, 1))[..., None], -1)
        idx = (h[..., 0] * W + w[..., 0]).astype(np.int64)
        self.saved = (idx, shape)
        return y.reshape(shape[:-2] + (oh, ow)), idx.reshape(shape[:-2] + (oh, ow))

    def backward(self, gy, gi=None):
        idx, shape = self.saved
        H, W = shape[-2:]
        N, C = idx.shape[:2]
        gx = np.zeros((N * C, H * W), gy.dtype)
        # overlapping windows may pick the same element: accumulate
        np.add.at(gx, (np.arange(N * C)[:, None], idx.reshape(N * C, -1)),
                  gy.reshape(N * C, -1))
        return gx.reshape(shape)

    def backward_t(self, gy, gi=None):
        idx, shape = self.saved
        H, W = shape[-2:]
        N, C = idx.shape[:2]
        src = gy.reshape(N * C, -1)
        gx = scatter_add(src.new_zeros((N * C, H * W)), 1, _wrap(idx.reshape(N * C, -1)), src)
        return gx.reshape(shape)


def _int_pair(v, what: str) -> tuple:
    if isinstance(v, int):
        return v, v
    v = tuple(v)
    if len(v) == 1:
        return v[0], v[0]
    if len(v) != 2:
        raise RuntimeError(f'fractional_max_pool2d: {what} must either be a single Int or tuple '
                           'of Ints')
    return v


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None):
    """Fractional max pooling over the last two dims of a (N, C, H, W) or (C, H, W) input;
    returns the output and the flat (h * W + w) index of each maximum."""
    from .random import rand
    if output_size is None and output_ratio is None:
        raise ValueError('fractional_max_pool2d requires specifying either an output_size or '
                         'an output_ratio')
    if output_size is None:
        if len(output_ratio) > 2:
            raise ValueError('fractional_max_pool2d requires output_ratio to either be a single '
                             'Int or tuple of Ints.')
        r = (output_ratio[0], output_ratio[0]) if len(output_ratio) == 1 else output_ratio
        output_size = [int(input.size(-2) * r[0]), int(input.size(-1) * r[1])]
    if _random_samples is None:
        n_batch = 1 if input.dim() == 3 else input.size(0)
        _random_samples = rand(n_batch, input.size(-3), 2, dtype=input.dtype)
    oh, ow = _int_pair(output_size, 'output_size')
    kh, kw = _int_pair(kernel_size, 'kernel_size')
    x = input._data
    if x.ndim not in (3, 4):
        raise RuntimeError('fractional_max_pool2d(): Expected 3D or 4D tensor, but got: '
                           f'{list(x.shape)}')
    for d in range(x.ndim - 3, x.ndim):
        if x.shape[d] == 0:
            raise RuntimeError('fractional_max_pool2d(): Expected input to have non-zero size '
                               f'for non-batch dimensions, but got{list(x.shape)} with '
                               f'dimension {d} being empty.')
    s = _random_samples._data
    if s.dtype != x.dtype:
        raise RuntimeError('Expect _random_samples to have the same dtype as input')
    if s.ndim != 3:
        raise RuntimeError(f'Expect _random_samples to have 3 dimensions, got {s.ndim}')
    N = x.shape[0] if x.ndim == 4 else 1
    if s.shape[2] != 2:
        raise RuntimeError(f'Expect _random_samples.size(2) equals to 2; got {s.shape[2]}.')
    if s.shape[0] < N:
        raise RuntimeError('Expect _random_samples.size(0) no less then input batch size.')
    if s.shape[1] != x.shape[-3]:
        raise RuntimeError('Expect _random_samples.size(1) equals to input channel size.')
    H, W = x.shape[-2:]
    if oh + kh - 1 > H:
        raise RuntimeError(f'fractional_max_pool2d(): pool height {kh} too large relative to '
                           f'input height {H}')
    if ow + kw - 1 > W:
        raise RuntimeError(f'fractional_max_pool2d(): pool width {kw} too large relative to '
                           f'input width {W}')
    return FractionalMaxPool2d((kh, kw), (oh, ow), s).apply(input)


def fractional_max_pool2d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):
    """Fractional max pooling; the output alone unless ``return_indices``."""
    y, idx = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio,
                                                return_indices, _random_samples)
    return (y, idx) if return_indices else y
