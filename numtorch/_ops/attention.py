"""Scaled dot-product attention: softmax(q k^T * scale + mask) v over the last two dims.

Four-dimensional inputs without dropout whose values have the queries' head size are one
graph node, as PyTorch's CPU kernel records them (ScaledDotProductFlashAttentionForCpuBackward0,
with a double backward that PyTorch's lacks); the other cases are composed
of tensor ops, as PyTorch's math fallback composes them. Either way a query row whose keys
are all masked out attends to nothing (zeros), as in PyTorch.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .._tensor import Tensor, _wrap
from ._op import Op
from ..nn.attention import _backends as _sdp_backends

__all__ = ['scaled_dot_product_attention', 'multi_head_attention_forward']


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
    if not _sdp_backends.state.math:  # (nn.attention.sdpa_kernel left only fused kernels)
        _sdp_backends.check_without_math(query, key, value, attn_mask, dropout_p, enable_gqa)
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


# -- multi-head attention (nn.MultiheadAttention's computation) ------------------------------
def canonical_mask(mask: Tensor | None, name: str, other: Tensor | None, other_name: str,
                   dtype) -> Tensor | None:
    """A boolean mask as an additive float one (-inf where True); a float one as it is."""
    if mask is None:
        return None
    kind = mask._data.dtype.kind
    if kind != 'b' and kind != 'f':
        raise AssertionError(f'only bool and floating types of {name} are supported')
    if other is not None and mask.dtype != other.dtype:
        warnings.warn(f'Support for mismatched {name} and {other_name} is deprecated. Use same '
                      f'type for both instead.', stacklevel=3)
    if kind == 'b':
        return _wrap(np.where(mask._data, -np.inf, 0).astype(dtype.np))
    return mask


def _shape_check(query: Tensor, key: Tensor, value: Tensor, kpm, mask, num_heads: int) -> bool:
    """PyTorch's checks of the operands' ranks; whether the query is batched."""
    qd = query.dim()
    if qd not in (2, 3):
        raise AssertionError(f'query should be unbatched 2D or batched 3D tensor but received '
                             f'{qd}-D query tensor')
    batched = qd == 3
    what = 'batched (3-D)' if batched else 'unbatched (2-D)'
    if key.dim() != qd or value.dim() != qd:
        raise AssertionError(f'For {what} `query`, expected `key` and `value` to be {qd}-D but '
                             f'found {key.dim()}-D and {value.dim()}-D tensors respectively')
    if kpm is not None and kpm.dim() != qd - 1:
        raise AssertionError(f'For {what} `query`, expected `key_padding_mask` to be `None` or '
                             f'{qd - 1}-D but found {kpm.dim()}-D tensor instead')
    if mask is not None:
        if mask.dim() not in (2, 3):
            raise AssertionError(f'For {what} `query`, expected `attn_mask` to be `None`, 2-D or '
                                 f'3-D but found {mask.dim()}-D tensor instead')
        if not batched and mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(mask.shape) != expected:
                raise AssertionError(f'Expected `attn_mask` shape to be {expected} but got '
                                     f'{mask.shape}')
    return batched


def _split_heads(t: Tensor, e: int, parts: int) -> list:
    """The ``parts`` projections packed along the last dim of a fused linear's output."""
    t = t.unflatten(-1, (parts, e)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
    return [t[i] for i in range(parts)]


def _in_projection(query, key, value, w, b, separate):
    """q, k, v projected by the packed ``w`` (3E, E) and ``b``, or by ``separate`` weights."""
    from .linalg import linear
    e = query.shape[-1]
    if separate is not None:
        bq, bk, bv = (None,) * 3 if b is None else b.chunk(3)
        wq, wk, wv = separate
        return linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)
    if key is value:
        if query is key:
            return _split_heads(linear(query, w, b), e, 3)
        wq, wkv = w.split([e, 2 * e])
        bq, bkv = (None, None) if b is None else b.split([e, 2 * e])
        return [linear(query, wq, bq)] + _split_heads(linear(key, wkv, bkv), e, 2)
    ws = w.chunk(3)
    bs = (None,) * 3 if b is None else b.chunk(3)
    return [linear(x, wi, bi) for x, wi, bi in zip((query, key, value), ws, bs)]


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor,
                                 embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight: Tensor | None, in_proj_bias: Tensor | None,
                                 bias_k: Tensor | None, bias_v: Tensor | None,
                                 add_zero_attn: bool, dropout_p: float,
                                 out_proj_weight: Tensor, out_proj_bias: Tensor | None,
                                 training: bool = True, key_padding_mask: Tensor | None = None,
                                 need_weights: bool = True, attn_mask: Tensor | None = None,
                                 use_separate_proj_weight: bool = False,
                                 q_proj_weight: Tensor | None = None,
                                 k_proj_weight: Tensor | None = None,
                                 v_proj_weight: Tensor | None = None,
                                 static_k: Tensor | None = None,
                                 static_v: Tensor | None = None,
                                 average_attn_weights: bool = True,
                                 is_causal: bool = False):
    """Multi-head attention of ``query`` (L, N, E) over ``key``/``value`` (S, N, E) (or
    unbatched (L, E), (S, E)): projected in, split into ``num_heads`` heads, attended, joined
    and projected out. Returns (output, weights averaged over heads or per head, or None
    unless ``need_weights``). A boolean ``key_padding_mask`` (N, S) or ``attn_mask`` (L, S)
    or (N*heads, L, S) marks with True what may not be attended; float masks are added."""
    from . import linalg as la
    from .creation import zeros
    from .dropout import dropout
    from .padding import pad
    from .shape import cat
    if static_k is not None or static_v is not None:
        raise NotImplementedError('multi_head_attention_forward(static_k=, static_v=) is not '
                                  'supported by numtorch')
    batched = _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    dtype = query.dtype
    key_padding_mask = canonical_mask(key_padding_mask, 'key_padding_mask', attn_mask,
                                       'attn_mask', dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError('Need attn_mask if specifying the is_causal hint. You may use the '
                           'Transformer module method `generate_square_subsequent_mask` to '
                           'create this mask.')
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = canonical_mask(attn_mask, 'attn_mask', None, '', dtype)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f'was expecting embedding dimension of {embed_dim_to_check}, but '
                             f'got {embed_dim}')
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f'embed_dim {embed_dim} not divisible by num_heads {num_heads}')
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
        q, k, v = _in_projection(query, key, value, None, in_proj_bias,
                                 (q_proj_weight, k_proj_weight, v_proj_weight))
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f'key shape {key.shape} does not match value shape '
                                 f'{value.shape}')
        q, k, v = _in_projection(query, key, value, in_proj_weight, in_proj_bias, None)
    src_len = key.shape[0]
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f'The shape of the 2D attn_mask is {attn_mask.shape}, but '
                                   f'should be {(tgt_len, src_len)}.')
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f'The shape of the 3D attn_mask is {attn_mask.shape}, but should '
                               f'be {(bsz * num_heads, tgt_len, src_len)}.')
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.view(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    v = v.view(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:
        z = zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)
        k, v = cat([k, z], dim=1), cat([v, z], dim=1)
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f'Expected key_padded_mask.shape[0] to be {bsz}, but got '
                                 f'{key_padding_mask.shape[0]}')
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f'Expected key_padded_mask.shape[1] to be {src_len}, but got '
                                 f'{key_padding_mask.shape[1]}')
        key_padding_mask = key_padding_mask.view(bsz, 1, 1, src_len).expand(
            -1, num_heads, -1, -1).reshape(bsz * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0
    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        if attn_mask is not None:
            weights = la.baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))
        else:
            weights = la.bmm(q_scaled, k.transpose(-2, -1))
        weights = weights.softmax(-1)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p)
        out = la.bmm(weights, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = la.linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.shape[1])
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = la.linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.shape[1])
    if not batched:
        out = out.squeeze(1)
    return out, None
