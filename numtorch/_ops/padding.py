"""``F.pad``: constant, reflect, replicate and circular padding (negative pads crop).

``pad`` lists (before, after) pairs starting from the LAST dimension. Non-constant
modes are index maps per padded dimension (output position -> input position); the
backward copies the untouched middle block and adds each padded position's gradient
to the position it was read from (a short loop: pads are a few elements wide).
"""
from __future__ import annotations

import copy

import numpy as np

from .._tensor import Tensor
from ._op import Op, LinearAdjoint

__all__ = ['pad']


class ConstantPad(Op):
    _name = 'ConstantPadNdBackward0'

    def __init__(self, pads: list, value):
        self.pads = pads  # [(before, after)] per dim, first dim first
        self.value = value

    def forward(self, x):
        self.xshape = x.shape
        out_shape = tuple(s + b + a for s, (b, a) in zip(x.shape, self.pads))
        if any(s < 0 for s in out_shape):
            raise RuntimeError('narrow(): length must be non-negative.')
        src, dst = [], []
        for s, (b, a) in zip(x.shape, self.pads):
            src.append(slice(max(-b, 0), s - max(-a, 0)))
            dst.append(slice(max(b, 0), max(b, 0) + s - max(-b, 0) - max(-a, 0)))
        self.src, self.dst = tuple(src), tuple(dst)
        y = np.full(out_shape, self.value, x.dtype)
        y[self.dst] = x[self.src]
        return y

    def backward(self, gy):
        gx = np.zeros(self.xshape, gy.dtype)
        gx[self.src] = gy[self.dst]
        return gx

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)

    def linear_copy(self):
        c = copy.copy(self)
        c.value = 0
        return c


def _index_map(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """Input position of each output position along one dimension."""
    if mode == 'circular':
        # Negative pads crop first; positive pads then wrap around what is left.
        lo, hi = max(-before, 0), n - max(-after, 0)
        m = hi - lo
        j = np.arange(m + max(before, 0) + max(after, 0)) - max(before, 0)
        return lo + j % m
    i = np.arange(n + before + after) - before
    if mode == 'reflect':
        i = np.abs(i)
        return np.where(i >= n, 2 * (n - 1) - i, i)
    return np.clip(i, 0, n - 1)


class MapPad(Op):
    """Padding by per-dimension index maps (reflect / replicate / circular)."""
    checks = ()

    def __init__(self, maps: list, name: str):
        self.maps = maps  # [(axis, index map)]
        self._name = name

    def forward(self, x):
        self.xshape = x.shape
        for ax, m in self.maps:
            x = np.take(x, m, axis=ax)
        return x

    def backward(self, gy):
        g = gy
        shape = list(gy.shape)
        for ax, m in reversed(self.maps):
            n = self.xshape[ax]
            shape[ax] = n
            out = np.zeros(shape, g.dtype)
            gm = np.moveaxis(g, ax, 0)
            om = np.moveaxis(out, ax, 0)
            # The identity block (a run where the map steps by one) is copied in one go.
            d = np.flatnonzero(np.diff(m) != 1)
            starts = np.r_[0, d + 1]
            ends = np.r_[d + 1, len(m)]
            k = int(np.argmax(ends - starts))
            s0, e0 = starts[k], ends[k]
            om[m[s0]:m[s0] + e0 - s0] += gm[s0:e0]
            for j in np.r_[0:s0, e0:len(m)]:
                om[m[j]] += gm[j]
            g = out
        return g

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)


_NAMES = {'reflect': 'ReflectionPad{}DBackward0', 'replicate': 'ReplicationPad{}DBackward0',
          'circular': 'CopySlices'}


def pad(input: Tensor, pad, mode: str = 'constant', value: float | None = None) -> Tensor:
    """Pads (or, with negative amounts, crops) the last len(pad)//2 dimensions."""
    pad = [int(p) for p in pad]
    nd = input.dim()
    if len(pad) % 2:
        raise RuntimeError('Padding length must be divisible by 2')
    if len(pad) // 2 > nd:
        raise RuntimeError(f'Padding length should be less than or equal to two times the '
                           f'input dimension but got padding length {len(pad)} and input of '
                           f'dimension {nd}')
    npd = len(pad) // 2
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(npd)]  # last dim first
    if mode == 'constant':
        full = [(0, 0)] * (nd - npd) + pairs[::-1]
        return ConstantPad(full, 0 if value is None else value).apply1(input)
    if mode not in ('reflect', 'replicate', 'circular'):
        raise NotImplementedError(f'Unrecognised padding mode {mode}')
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if npd not in (1, 2, 3) or nd not in (npd + 1, npd + 2):
        raise NotImplementedError(
            f'Padding size {len(pad)} is not supported for {nd}D input tensor.\n'
            'Supported combinations for non-constant padding:\n'
            '  - 2D or 3D input: padding size = 2 (pads last dimension)\n'
            '  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n'
            '  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)')
    shape = input._data.shape
    for i, s in enumerate(shape):
        if s == 0 and (i > 0 or nd == npd + 1):
            raise RuntimeError(f'Expected {nd - 1}D or {nd}D (batch mode) tensor with possibly '
                               f'0 batch size and other non-zero dimensions for input, but got: '
                               f'{list(shape)}')
    maps = []
    for i, (b, a) in enumerate(pairs):
        ax = nd - 1 - i
        n = shape[ax]
        if mode == 'reflect' and (b >= n or a >= n):
            arg = 2 * i + 4
            raise RuntimeError(f'Argument #{arg}: Padding size should be less than the '
                               f'corresponding input dimension, but got: padding ({b}, {a}) at '
                               f'dimension {ax} of input {list(shape)}')
        if mode == 'circular':
            if b > n or a > n:
                raise RuntimeError('Padding value causes wrapping around more than once.')
            if n + min(b, 0) + min(a, 0) <= 0:
                raise RuntimeError('Negative padding value is resulting in an empty dimension.')
        if n + b + a <= 0:
            raise RuntimeError(f'input ({list(shape)}) is too small. Calculated output size '
                               f'along dimension {ax}: {n + b + a}')
        maps.append((ax, _index_map(n, b, a, mode)))
    return MapPad(maps, _NAMES[mode].format(npd)).apply1(input)
