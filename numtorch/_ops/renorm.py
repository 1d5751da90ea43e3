"""``renorm``: every slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` is scaled down
to norm ``maxnorm`` (one node, RenormBackward0, with PyTorch's gradient)."""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _type_word
from ._op import Op
from .shape import wrap_dim

__all__ = ['renorm']


def _norm(x: np.ndarray, p: float, axes: tuple) -> np.ndarray:
    a = np.abs(x)
    if p == math.inf:
        return a.max(axis=axes, keepdims=True) if x.size else np.zeros_like(
            a.sum(axis=axes, keepdims=True))
    if p == 1:
        return a.sum(axis=axes, keepdims=True)
    if p == 2:
        return np.sqrt((a * a).sum(axis=axes, keepdims=True))
    return (a ** p).sum(axis=axes, keepdims=True) ** (1 / p)


class Renorm(Op):
    _name = 'RenormBackward0'

    def __init__(self, p: float, axes: tuple, maxnorm: float) -> None:
        self.p, self.axes, self.maxnorm = p, axes, maxnorm

    def forward(self, x):
        # float16 is reduced and scaled in float32 (PyTorch's accumulate type), then rounded.
        xa = x.astype(np.float32) if x.dtype == np.float16 else x
        norm = _norm(xa, self.p, self.axes)
        factor = np.where(norm > self.maxnorm, self.maxnorm / (norm + 1e-7), 1).astype(xa.dtype)
        self.saved = (xa, norm)
        return (xa * factor).astype(x.dtype, copy=False)

    def backward(self, gy):
        x, norm = self.saved
        p, mx = self.p, self.maxnorm
        # d||x||/dx contracted with sum(x * gy) per slice, as PyTorch's norm_backward.
        s = (x * gy).sum(axis=self.axes, keepdims=True)
        safe = np.where(norm == 0, 1, norm)
        if p == 1:
            nb = np.sign(x) * s
        elif p == 2:
            nb = np.where(norm == 0, 0, x * s / safe)
        elif p == math.inf:
            ties = (np.abs(x) == norm).astype(x.dtype)
            cnt = ties.sum(axis=self.axes, keepdims=True)
            nb = np.sign(x) * ties * s / np.maximum(cnt, 1)
        else:
            nb = np.where(norm == 0, 0,
                          x * np.abs(x) ** (p - 2) * s / safe ** (p - 1))
        inv = 1 / (norm + 1e-7)
        factor = inv * mx
        g = np.where(norm > mx, factor * gy - (factor * inv) * nb, gy)
        return g.astype(gy.dtype, copy=False)


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Scales each slice ``input.select(dim, i)`` whose ``p``-norm exceeds ``maxnorm`` to norm
    ``maxnorm`` (divided by ``norm + 1e-7``, as PyTorch); other slices are kept."""
    if not p > 0:
        raise RuntimeError('renorm: non-positive-norm not supported')
    if maxnorm < 0:
        raise RuntimeError(f'renorm: expected maxnorm to be >= 0 but got {maxnorm}')
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError(f'renorm: input needs at least 2 dimensions, got {nd} dimensions')
    d = wrap_dim(dim, nd)
    if input._data.dtype.kind != 'f':
        raise RuntimeError(f'linalg.vector_norm: Expected a floating point or complex tensor as '
                           f'input. Got {_type_word(input._data.dtype)}')
    axes = tuple(i for i in range(nd) if i != d)
    return Renorm(float(p), axes, float(maxnorm)).apply1(input)
