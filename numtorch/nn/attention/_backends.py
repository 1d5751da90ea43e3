"""Which scaled-dot-product-attention backends are enabled, and the CPU flash-attention
eligibility rules PyTorch applies when the math backend is switched off.

numtorch has one attention kernel. PyTorch on the CPU picks flash attention when the inputs
suit it and falls back to math; with math disabled an unsuitable input raises. numtorch keeps
those outcomes (its kernel stands in for whichever backend PyTorch would run), so code that
restricts the backends fails where PyTorch fails. This module imports nothing from numtorch:
the attention op consults ``state.math`` on every call.
"""
from __future__ import annotations

import warnings

# backend names as in torch.backends.cuda.{enable,...}_<name>_sdp
NAMES = ('cudnn', 'flash', 'mem_efficient', 'math', 'overrideable')


class _State:
    __slots__ = NAMES + ('priority',)

    def __init__(self) -> None:
        for n in NAMES:
            setattr(self, n, True)
        self.priority = [1, 2, 0, 3, 4]  # PyTorch's default order (ints of SDPBackend)


state = _State()

_NO_BACKEND = ('No viable backend for scaled_dot_product_attention was found. This is likely '
               'due to turning off both the math kernel and the fused kernels.')


def _sizes(t) -> str:
    return '[' + ', '.join(str(s) for s in t.shape) + ']'


def _flash_unsuitable(query, key, value, attn_mask, dropout_p: float, enable_gqa: bool):
    """None when PyTorch's CPU flash kernel takes these inputs, else the reason it prints
    ('' where PyTorch declines without saying why)."""
    if dropout_p > 0.0:
        return 'Both fused kernels do not support non-zero dropout.'
    qd, kd, vd = query.dim(), key.dim(), value.dim()
    if not (qd == kd == vd == 4):
        return ('All fused kernels requires query, key and value to be 4 dimensional, but got '
                f'Query dim: {qd}, Key dim: {kd}, Value dim: {vd} instead.')
    qs, ks, vs = query.shape, key.shape, value.shape
    if not (qs[0] == ks[0] == vs[0]):
        return ('For dense inputs, both fused kernels require query, key and value to have the '
                f'same batch_size. Query.sizes(): {_sizes(query)}, Key.sizes(): {_sizes(key)}, '
                f'Value.sizes(): {_sizes(value)} instead. To broadcast dense inputs, try using '
                'unsqueeze and expand_to before passing them into the kernel.')
    if enable_gqa:
        if ks[-3] != vs[-3]:
            return ('Both fused kernels require key and value to have the same num_heads and '
                    f'batch_size but got: Key sizes: {_sizes(key)}, Value sizes: '
                    f'{_sizes(value)}, Query sizes: {_sizes(query)} instead.')
        if qs[-3] % ks[-3] != 0:
            return ('The number of heads in key/value must divide number of heads in query.'
                    f'Got input Key sizes(): {ks[-3]}, Value sizes(): {vs[-3]}, Query sizes(): '
                    f'{qs[-3]} instead.')
    elif not (qs[-3] == ks[-3] == vs[-3]):
        return ('For dense input, both fused kernels require query, key and value to have the '
                f'same num_heads. Query.sizes(): {_sizes(query)}, Key sizes(): {_sizes(key)}, '
                f'Value sizes(): {_sizes(value)} instead. To broadcast dense inputs, try using '
                'unsqueeze and expand_to before passing them into the kernel.')
    if attn_mask is not None:
        why = _mask_unsuitable(attn_mask, qs, ks)
        if why is not None:
            return why
    if not (qs[-1] == ks[-1] == vs[-1]):
        return ('Flash attention requires q,k,v to have the same last dimension. Got '
                f'Query.size(-1): {qs[-1]}, Key.size(-1): {ks[-1]}, Value.size(-1): {vs[-1]} '
                'instead.')
    strides = query.stride(-1), key.stride(-1), value.stride(-1)
    if strides != (1, 1, 1):
        return ('All fused kernels require the last dimension of the input to have stride 1. '
                f'Got Query.stride(-1): {strides[0]}, Key.stride(-1): {strides[1]}, '
                f'Value.stride(-1): {strides[2]}')
    return None


def _mask_unsuitable(mask, qs, ks):
    if mask.requires_grad:
        return ''
    ms = mask.shape
    if (ms[-2] != qs[2] and ms[-2] != 1) or (ms[-1] != ks[2] and ms[-1] != 1):
        return ''
    if len(ms) == 2:
        return None
    if len(ms) == 4 and ms[0] in (1, qs[0]) and ms[1] in (1, qs[1]):
        return None
    return ('Please use the following attn mask shapes: 2d - ({Q_seq_len, 1}  x {KV_seq_len, '
            '1}); 4d - ({Batch, 1} x {Num_heads, 1} x {Q_seq_len, 1}  x {KV_seq_len, 1})')


def check_without_math(query, key, value, attn_mask, dropout_p: float,
                       enable_gqa: bool) -> None:
    """Called by scaled_dot_product_attention when the math backend is disabled: returns when
    PyTorch would run its CPU flash kernel, else warns and raises as PyTorch does."""
    if not state.flash:
        raise RuntimeError(_NO_BACKEND)
    why = _flash_unsuitable(query, key, value, attn_mask, dropout_p, enable_gqa)
    if why is None:
        return
    warnings.warn('Flash attention kernel not used because:', stacklevel=3)
    if why:
        warnings.warn(why, stacklevel=3)
    raise RuntimeError('No available kernel.  Aborting execution.')
