"""Embedding lookup: rows of a weight matrix picked by integer indices."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .indexing import scatter_add, _Indexed, _watch

__all__ = ['embedding', 'embedding_bag']

_TYPE_NAMES = {'float32': 'torch.FloatTensor', 'float64': 'torch.DoubleTensor',
               'float16': 'torch.HalfTensor', 'int16': 'torch.ShortTensor',
               'int8': 'torch.CharTensor', 'uint8': 'torch.ByteTensor',
               'bool': 'torch.BoolTensor'}


class Embedding(_Indexed):
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


def padding_index(padding_idx: int | None, n: int, word: str) -> int | None:
    """``padding_idx`` made non-negative (None stays None), checked to be one of the n rows
    (``word`` begins the error: PyTorch capitalises it for Embedding, not EmbeddingBag)."""
    if padding_idx is None:
        return None
    if not -n <= padding_idx < n:
        raise AssertionError(f'{word} must be within num_embeddings')
    return padding_idx + n if padding_idx < 0 else padding_idx


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Looks up rows of ``weight`` (num_embeddings, dim) for the integer ``input``.
    ``max_norm`` first renormalises the rows it touches, in place."""
    if sparse:
        raise NotImplementedError('embedding(sparse=True): sparse gradients are not supported '
                                  'by numtorch')
    n = weight._data.shape[0]
    padding_idx = padding_index(padding_idx, n, 'Padding_idx')
    if padding_idx is None:
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
    return _watch(Embedding(idx, padding_idx, scale_grad_by_freq).apply1(weight), input)


# -- embedding_bag ------------------------------------------------------------------------
class EmbeddingBag(_Indexed):
    """The rows of W at ``idx`` reduced over each bag (sum, mean or per-feature max);
    indices equal to ``padding_idx`` take no part, and empty bags give zeros."""
    _name = 'EmbeddingBagBackward0'

    def __init__(self, idx: np.ndarray, bag: np.ndarray, nbags: int, mode: str,
                 padding_idx: int, freq: bool):
        keep = idx != padding_idx
        self.idx, self.bag = idx[keep], bag[keep]
        self.keep = keep
        self.nbags, self.mode, self.freq = nbags, mode, freq
        self.count = np.bincount(self.bag, minlength=nbags)

    def forward(self, W, psw=None):
        self.wshape = W.shape
        rows = W[self.idx]
        self.psw = None
        if psw is not None:
            self.psw, self.rows = psw[self.keep], rows
            rows = rows * self.psw[:, None]
        out = np.zeros((self.nbags, W.shape[1]), W.dtype)
        if self.mode == 'max':
            # (per feature, the first row holding the bag's maximum)
            self.arg = np.full((self.nbags, W.shape[1]), -1, np.int64)
            for b in np.flatnonzero(self.count):
                pos = np.flatnonzero(self.bag == b)
                a = np.argmax(rows[pos], axis=0)
                self.arg[b] = pos[a]
                out[b] = rows[pos[a], np.arange(W.shape[1])]
            return out
        np.add.at(out, self.bag, rows)
        if self.mode == 'mean':
            out /= np.maximum(self.count, 1)[:, None].astype(W.dtype)
        return out

    def _row_weights(self, dtype) -> np.ndarray:
        """How much of its bag's gradient each kept index receives (sum/mean modes)."""
        w = np.ones(self.idx.size)
        if self.mode == 'mean':
            w = w / self.count[self.bag]
        if self.freq:
            w = w / np.bincount(self.idx, minlength=self.wshape[0])[self.idx]
        return w.astype(dtype)

    def backward(self, gy):
        gW = np.zeros(self.wshape, gy.dtype)
        if self.mode == 'max':
            used = self.arg >= 0
            cols = np.broadcast_to(np.arange(self.wshape[1]), self.arg.shape)
            np.add.at(gW, (self.idx[self.arg[used]], cols[used]), gy[used])
            return gW
        g = gy[self.bag] * self._row_weights(gy.dtype)[:, None]
        if self.psw is None:
            np.add.at(gW, self.idx, g)
            return gW
        gpsw = np.zeros(self.keep.shape, gy.dtype)
        gpsw[self.keep] = (g * self.rows).sum(axis=1)
        np.add.at(gW, self.idx, g * self.psw[:, None])
        return gW, gpsw


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = 'mean', sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sums, averages or takes the per-feature maximum of the embeddings of each bag of
    indices: the rows of a 2-D ``input``, or the runs of a 1-D one starting at
    ``offsets``. ``per_sample_weights`` (mode 'sum') scales each index's row."""
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f'embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is '
                         f'not None, then it must have the same shape as the input '
                         f'({input.shape})')
    if weight.dim() != 2:
        raise ValueError(f'weight has to be a 2D Tensor, but got Tensor of dimension '
                         f'{weight.dim()}')
    idx = input._data
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(f'if input is 2D, then offsets has to be None, as input is treated '
                             f'is a mini-batch of fixed length sequences. However, found '
                             f'offsets of type {_torch_type(offsets)}')
        starts = np.arange(0, idx.size, max(idx.shape[1], 1)) if idx.shape[1] else \
            np.zeros(idx.shape[0], np.int64)
        include_last_offset = False
        idx = idx.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError('offsets has to be a 1D Tensor but got None')
        if offsets.dim() != 1:
            raise ValueError('offsets has to be a 1D Tensor')
        starts = offsets._data.astype(np.int64)
    else:
        raise ValueError(f'input has to be 1D or 2D Tensor, but got Tensor of dimension '
                         f'{idx.ndim}')
    if mode not in ('sum', 'mean', 'max'):
        raise ValueError('mode has to be one of sum, mean or max')
    if mode == 'max' and scale_grad_by_freq:
        raise ValueError('max mode does not support scaling the gradient by the frequency')
    if sparse:
        raise NotImplementedError('embedding_bag(sparse=True): sparse gradients are not '
                                  'supported by numtorch')
    n = weight._data.shape[0]
    bad = np.flatnonzero((idx < 0) | (idx >= n))
    if bad.size:
        raise RuntimeError(f'Index {bad[0]} of input takes value {idx[bad[0]]} which is not in '
                           f'the valid range [0, {n})')
    if starts.size and starts[0] != 0:
        raise RuntimeError(f'offsets[0] has to be 0, i.e., the first sequence in the mini-batch '
                           f'has to start from position 0. However, got {starts[0]}\n'
                           f'[ torch.LongTensor{{}} ]')  # (PyTorch prints offsets[0] so)
    if max_norm is not None:
        _renorm_(weight._data, idx, max_norm, norm_type)
    if per_sample_weights is not None and mode != 'sum':
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' "
                                  f"(got mode='{mode}'). Please open a feature request on "
                                  f"GitHub.")
    nbags = starts.size - 1 if include_last_offset else starts.size
    # (with include_last_offset the last bag still runs to the end of ``input``, as in PyTorch)
    ends = np.append(starts[1:nbags], idx.size)
    bag = np.repeat(np.arange(nbags), np.maximum(ends[:nbags] - starts[:nbags], 0))
    pad = -1 if padding_idx is None else (padding_idx if padding_idx >= 0 else n + padding_idx)
    op = EmbeddingBag(idx.astype(np.int64)[:bag.size], bag, nbags, mode, pad,
                      scale_grad_by_freq)
    if per_sample_weights is None:
        out = op.apply1(weight)
    else:
        out = op.apply2(weight, per_sample_weights[:bag.size] if bag.size < idx.size
                        else per_sample_weights)
    return _watch(out, [input, offsets])


def _torch_type(t) -> str:
    return "<class 'torch.Tensor'>" if isinstance(t, Tensor) else str(type(t))
