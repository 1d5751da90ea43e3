"""Autograd ops used by one layer each: CrossMapLRN2d's (the legacy Lua-Torch
cross-channel local response normalisation)."""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, _type_word
from ..._ops._op import Op

__all__ = ['cross_map_lrn2d']


def _window_sums(a: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """out[:, c] = sum of a[:, c + j] for j in [lo, hi] where c + j is a channel."""
    C = a.shape[1]
    out = np.zeros_like(a)
    for j in range(lo, hi + 1):
        if -C < j < C:
            if j >= 0:
                out[:, :C - j] += a[:, j:]
            else:
                out[:, -j:] += a[:, :C + j]
    return out


class CrossMapLRN2d(Op):
    """y = x * (k + alpha / size * S)^-beta with S a sum of squares over nearby channels.

    NOTE: PyTorch's kernel slides the window by adding the next channel and dropping
    the one ``pre_pad`` behind only when c > pre_pad, so channel 0 is never dropped: for
    c >= pre_pad, S also counts x[:, 0]^2. Its backward is its own formula (a window offset
    from the forward's, without that term), not the exact gradient; both are reproduced."""
    _name = 'CrossMapLRN2dBackward'
    checks = (0,)
    saves_out = True

    def __init__(self, size: int, alpha: float, beta: float, k: float):
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, x):
        t = x.dtype.type
        pre = int((self.size - 1) / 2 + 1)
        sq = x * x
        s = _window_sums(sq, -(pre - 1), pre - 1)
        if x.shape[1] > pre:
            s[:, pre:] += sq[:, :1]
        s *= t(self.alpha / self.size)
        s += t(self.k)
        y = np.power(s, t(-self.beta)) * x
        self.saved = (x, y, s)
        return y

    def backward(self, gy):
        x, y, s = self.saved
        size = self.size
        C = x.shape[1]
        inv_pre = int(size - (size - 1) / 2)
        if inv_pre + C > C + size - 1:
            raise RuntimeError(f'start ({inv_pre}) + length ({C}) exceeds dimension size '
                               f'({C + size - 1}).')
        t = x.dtype.type
        ratio = gy * y / s
        # channel c sums the ratios of channels [c - inv_pre, c + size - 1 - inv_pre]
        acc = _window_sums(ratio, -inv_pre, size - 1 - inv_pre)
        return np.power(s, t(-self.beta)) * gy - t(2 * self.alpha * self.beta / size) * x * acc

    def backward_t(self, gy):
        # PyTorch's backward writes through out= arguments, which autograd refuses
        raise RuntimeError("mul(): functions with out=... arguments don't support automatic "
                           'differentiation, but one of the arguments requires grad.')


def cross_map_lrn2d(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                    k: float = 1) -> Tensor:
    """Cross-channel local response normalisation of a (N, C, H, W) input, computed as
    PyTorch's legacy CrossMapLRN2d function does."""
    if input.dim() != 4:
        raise ValueError(f'CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.')
    if input._data.dtype.kind != 'f':
        raise RuntimeError("result type Float can't be cast to the desired output type "
                           f'{_type_word(input._data.dtype)}')
    return CrossMapLRN2d(size, alpha, beta, k).apply1(input)
