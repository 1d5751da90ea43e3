"""``torch.pdist``: the p-norm distances between all pairs of rows, one PdistBackward0 node."""
from __future__ import annotations

import math

import numpy as np

from .._dtype import float16
from .._tensor import Tensor
from ._op import Op

__all__ = ['pdist']


class Pdist(Op):
    """Row pairs (i, j), i < j, in row-major order; backward scatters each pair's gradient
    to row i and (negated) to row j."""
    _name = 'PdistBackward0'
    checks = (0,)
    saves_out = True

    def __init__(self, p: float):
        self.p = p

    def forward(self, x):
        n = x.shape[0]
        i, j = np.triu_indices(n, 1)
        diff = x[i] - x[j]
        p = self.p
        a = np.abs(diff)
        if p == 0:
            y = np.count_nonzero(diff, axis=1).astype(x.dtype)
        elif p == 1:
            y = a.sum(1)
        elif p == 2:
            y = np.sqrt((a * a).sum(1))
        elif math.isinf(p):
            y = a.max(1, initial=0).astype(x.dtype)
        else:
            y = ((a ** p).sum(1) ** (1.0 / p)).astype(x.dtype)
        self.saved = (x.shape, i, j, diff, y)
        return y

    def backward(self, gy):
        shape, i, j, diff, y = self.saved
        p = self.p
        g = gy[:, None]
        d = y[:, None]
        zero = np.zeros((), diff.dtype)
        # NOTE: a pair at distance 0 passes no gradient (PyTorch's kernels test dist == 0).
        with np.errstate(divide='ignore', invalid='ignore'):
            if p == 0:
                c = np.zeros_like(diff)
            elif p == 1:
                c = np.sign(diff) * g
            elif p < 2:
                c = np.where(d == 0, zero,
                             np.sign(diff) * np.abs(diff) ** (p - 1) * g / d ** (p - 1))
                if p < 1:
                    c = np.where(diff == 0, zero, c)
            elif p == 2:
                c = np.where(d == 0, zero, g * diff / d)
            elif math.isinf(p):
                c = g * np.sign(diff) * (np.abs(diff) == d)
            else:
                c = np.where(d == 0, zero, diff * np.abs(diff) ** (p - 2) * g / d ** (p - 1))
        c = c.astype(diff.dtype, copy=False)
        gx = np.zeros(shape, diff.dtype)
        np.add.at(gx, i, c)
        np.add.at(gx, j, -c)
        return gx


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The ``p``-norm distance between every pair of rows of the 2-D ``input``: the upper
    triangle (i < j) of ``cdist(input, input)`` flattened row by row, N(N-1)/2 values."""
    if input.dim() != 2:
        raise RuntimeError(f'pdist only supports 2D tensors, got: {input.dim()}D')
    if not input.is_floating_point():
        raise RuntimeError('pdist only supports floating-point dtypes')
    if p < 0:
        raise RuntimeError('pdist only supports non-negative p values')
    if input.dtype == float16:
        raise NotImplementedError('"pdist" not implemented for \'Half\'')
    return Pdist(float(p)).apply1(input)
