"""Embedding lookup: rows of a weight matrix picked by integer indices."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ._op import Op
from .indexing import scatter_add

__all__ = ['embedding']

_TYPE_NAMES = {'float32': 'torch.FloatTensor', 'float64': 'torch.DoubleTensor',
               'float16': 'torch.HalfTensor', 'int16': 'torch.ShortTensor',
               'int8': 'torch.CharTensor', 'uint8': 'torch.ByteTensor',
               'bool': 'torch.BoolTensor'}


class Embedding(Op):
    """y[..., :] = W[idx[...], :]; the weight gradient sums the rows of gy per index
    (rows of ``padding_idx`` get none; ``scale_grad_by_freq`` divides by the count)."""
    _name = 'EmbeddingBackward0'

    def __init__(self, idx: np.ndarray, padding_idx: int, scale_grad_by_freq: bool):
        self.idx = idx
        self.padding_idx = padding_idx
        self.freq = scale_grad_by_freq

    def forward(self, W):
        self.wshape = W.shape
        return W[self.idx]

    def backward(self, gy):
        idx = self.idx.reshape(-1)
        g = gy.reshape(idx.size, self.wshape[1])
        gW = np.zeros(self.wshape, gy.dtype)
        if idx.size == 0:
            return gW
        # Rows of gy grouped by index (a stable radix sort of the indices), each group
        # summed by one reduceat: several times faster than np.add.at's scattered adds.
        order = np.argsort(idx, kind='stable')
        si = idx[order]
        first = np.empty(si.size, bool)
        first[0] = True
        np.not_equal(si[1:], si[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        sums = np.add.reduceat(np.take(g, order, axis=0), starts, axis=0)
        rows = si[starts]
        if self.freq:
            counts = np.diff(starts, append=si.size)
            sums /= counts[:, None].astype(sums.dtype)
        gW[rows] = sums
        if self.padding_idx >= 0:
            gW[self.padding_idx] = 0
        return gW

    def backward_t(self, gy):
        # The rows of gy added into the rows they were read from (weighted by 1/count and
        # 0 at padding_idx as backward weights them): a differentiable scatter_add.
        idx = self.idx.reshape(-1)
        g = gy.reshape(idx.size, self.wshape[1])
        w = np.ones(idx.size)
        if self.freq:
            w = w / np.bincount(idx, minlength=self.wshape[0])[idx]
        if self.padding_idx >= 0:
            w[idx == self.padding_idx] = 0
        if (w != 1).any():
            g = g * _wrap(w[:, None].astype(g._data.dtype))
        index = _wrap(np.ascontiguousarray(np.broadcast_to(idx[:, None], g.shape)))
        return scatter_add(g.new_zeros(self.wshape), 0, index, g)


def _renorm_(W: np.ndarray, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """PyTorch's embedding_renorm_: rows used by ``idx`` whose p-norm exceeds ``max_norm``
    are scaled (in place, outside autograd) to norm ``max_norm``."""
    rows = np.unique(idx)
    sub = W[rows]
    if norm_type == np.inf:
        norms = np.abs(sub).max(axis=1)
    elif norm_type == 0:
        norms = (sub != 0).sum(axis=1).astype(W.dtype)
    else:
        norms = (np.abs(sub) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(W.dtype)
        W[rows[big]] = sub[big] * scale[:, None]


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Looks up rows of ``weight`` (num_embeddings, dim) for the integer ``input``.
    ``max_norm`` first renormalises the rows it touches, in place."""
    if sparse:
        raise NotImplementedError('embedding(sparse=True): sparse gradients are not supported '
                                  'by numtorch')
    n = weight._data.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError('Padding_idx must be within num_embeddings')
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError('Padding_idx must be within num_embeddings')
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    idx = input._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got "
                           f"{_TYPE_NAMES[idx.dtype.name]} instead (while checking arguments "
                           f"for embedding)")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError('index out of range in self')
    if max_norm is not None:
        _renorm_(weight._data, idx, max_norm, norm_type)
    return Embedding(idx, padding_idx, scale_grad_by_freq).apply1(weight)
