"""Scaled dot-product attention: softmax(q k^T * scale + mask) v over the last two dims.

Four-dimensional inputs without dropout whose values have the queries' head size are one
graph node, as PyTorch's CPU kernel records them (ScaledDotProductFlashAttentionForCpuBackward0,
with a double backward that PyTorch's lacks); the other cases are composed
of tensor ops, as PyTorch's math fallback composes them. Either way a query row whose keys
are all masked out attends to nothing (zeros), as in PyTorch.
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _wrap
from ._op import Op

__all__ = ['scaled_dot_product_attention']


def _softmax_rows(s: np.ndarray) -> np.ndarray:
    """softmax over the last axis; rows of all -inf give zeros."""
    m = s.max(axis=-1, keepdims=True)
    m[~np.isfinite(m)] = 0
    p = np.exp(s - m)
    den = p.sum(axis=-1, keepdims=True)
    den[den == 0] = 1
    p /= den
    return p


class FlashAttention(Op):
    """The fused four-dimensional case: (q, k, v) -> output, the mask a constant."""
    _name = 'ScaledDotProductFlashAttentionForCpuBackward0'
    checks = (0, 1, 2)

    def __init__(self, bias: np.ndarray | None, scale: float):
        self.bias = bias
        self.scale = scale

    def forward(self, q, k, v):
        s = np.matmul(q, np.swapaxes(k, -1, -2))
        s *= q.dtype.type(self.scale)
        if self.bias is not None:
            s += self.bias
        p = _softmax_rows(s)
        self.saved = (q, k, v, p)
        return np.matmul(p, v)

    def backward(self, go):
        q, k, v, p = self.saved
        gv = np.matmul(np.swapaxes(p, -1, -2), go)
        gp = np.matmul(go, np.swapaxes(v, -1, -2))
        gs = p * (gp - (gp * p).sum(axis=-1, keepdims=True))
        gs *= q.dtype.type(self.scale)
        return np.matmul(gs, k), np.matmul(np.swapaxes(gs, -1, -2), q), gv

    def backward_t(self, go):
        q, k, v = self.inputs
        p = _probs_t(q, k, self.bias, self.scale)
        gp = go @ v.transpose(-2, -1)
        gs = p * (gp - (gp * p).sum(-1, keepdim=True)) * self.scale
        return gs @ k, gs.transpose(-2, -1) @ q, p.transpose(-2, -1) @ go


def _probs_t(q: Tensor, k: Tensor, bias, scale: float) -> Tensor:
    """The attention probabilities in tensor ops (the math fallback's)."""
    s = q @ k.transpose(-2, -1) * scale
    if bias is not None:
        s = s + (bias if isinstance(bias, Tensor) else _wrap(bias))
    dead = ~np.isfinite(s._data.max(axis=-1, keepdims=True))
    if not dead.any():
        return s.softmax(-1)
    # (rows with every key masked: zeros, through a finite softmax so that no NaN reaches
    # the gradients either)
    dead = _wrap(np.broadcast_to(dead, s.shape))
    return s.masked_fill(dead, 0).softmax(-1).masked_fill(dead, 0)


def _type_word(t: Tensor) -> str:
    return {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half'}.get(
        t._data.dtype.name, t._data.dtype.name)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """Attention of ``query`` (..., L, E) over ``key`` (..., S, E) and ``value`` (..., S, Ev):
    softmax(query @ key^T * scale + mask) @ value, ``scale`` 1/sqrt(E) by default. A boolean
    ``attn_mask`` marks the pairs that take part (False: masked out); a float one is added
    to the scores. ``is_causal`` masks the keys after each query. ``dropout_p`` drops
    attention probabilities (always: pass 0.0 in evaluation). ``enable_gqa`` lets key and
    value have fewer heads (dim -3) than query, each shared by a group of query heads."""
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(f'Expected query, key, and value to have the same dtype, but got '
                           f'query.dtype: {_type_word(query)} key.dtype: {_type_word(key)} '
                           f'and value.dtype: {_type_word(value)} instead.')
    if is_causal and attn_mask is not None:
        raise RuntimeError('_scaled_dot_product_attention: Explicit attn_mask should not be set '
                           'when is_causal=True')
    qs, ks = tuple(query.shape), tuple(key.shape)
    if qs[-1] != ks[-1]:
        batch = int(np.prod(ks[:-2])) if len(ks) > 2 else 1
        raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: '
                           f'[{batch}, {qs[-1]}] but got: [{batch}, {ks[-1]}].')
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        key = key.repeat_interleave(query.shape[-3] // key.shape[-3], -3)
        value = value.repeat_interleave(query.shape[-3] // value.shape[-3], -3)
    L, S = qs[-2], ks[-2]
    if scale is None:
        scale = 1 / math.sqrt(qs[-1])
    dt = query._data.dtype
    bias = None
    if is_causal:
        bias = np.where(np.tri(L, S, dtype=bool), 0, -np.inf).astype(dt)
    elif attn_mask is not None:
        if attn_mask._data.dtype == np.bool_:
            bias = np.where(attn_mask._data, 0, -np.inf).astype(dt)
        elif attn_mask.requires_grad:
            bias = attn_mask
        else:
            bias = attn_mask._data
    if (query.dim() == 4 and key.dim() == 4 and value.dim() == 4 and dropout_p == 0
            and value.shape[-1] == qs[-1] and not isinstance(bias, Tensor)):
        return FlashAttention(bias, scale).apply(query, key, value)
    p = _probs_t(query, key, bias, scale)
    if dropout_p > 0:
        from .dropout import dropout
        p = dropout(p, dropout_p, True)
    return p @ value
