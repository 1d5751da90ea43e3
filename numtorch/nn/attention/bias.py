"""torch.nn.attention.bias: causal masks to pass as ``attn_mask`` of
F.scaled_dot_product_attention without building them by hand.

``causal_upper_left(L, S)`` lets query i see keys 0..i; ``causal_lower_right(L, S)`` aligns
the diagonal to the bottom-right corner, so the last query sees every key (query i sees keys
0..i + S - L). PyTorch's CausalBias is a tensor subclass that reroutes the attention call to
its causal kernels; numtorch's attention takes a boolean mask directly, so here a CausalBias
is the boolean (L, S) mask itself, which gives the same attention.
"""
from __future__ import annotations

import enum
import warnings

import numpy as np

from ..._state import state
from ..._tensor import Tensor

__all__ = ['causal_upper_left', 'causal_lower_right', 'CausalVariant', 'CausalBias']


class CausalVariant(enum.IntEnum):
    """Where the causal diagonal starts: UPPER_LEFT (the top-left corner) or LOWER_RIGHT (it
    ends at the bottom-right corner)."""

    UPPER_LEFT = 1
    LOWER_RIGHT = 2


class CausalBias(Tensor):
    """A causal attention mask of ``seq_len_q`` queries over ``seq_len_kv`` keys (see the
    module docstring); ``_materialize()`` returns it as a plain boolean tensor."""

    __slots__ = ('variant', 'seq_len_q', 'seq_len_kv')

    def __new__(cls, variant: CausalVariant, seq_len_q: int, seq_len_kv: int) -> 'CausalBias':
        if not isinstance(variant, CausalVariant):
            raise AssertionError(f'variant must be a CausalVariant, got {type(variant).__name__}')
        t = object.__new__(cls)
        t._data = _causal(variant, seq_len_q, seq_len_kv)
        t._rg = False
        t.grad_fn = None
        t._grad = None
        t._vc = None
        t._base = None
        t._x = {'inference': True} if state.inference else None
        t.variant = variant
        t.seq_len_q = seq_len_q
        t.seq_len_kv = seq_len_kv
        return t

    def __init__(self, variant: CausalVariant, seq_len_q: int, seq_len_kv: int) -> None:
        if seq_len_q > seq_len_kv and variant == CausalVariant.LOWER_RIGHT:
            warnings.warn('Lower right causal bias will produce NaNs in the output when '
                          'seq_len_q > seq_len_kv!', stacklevel=3)

    def _materialize(self, device=None) -> Tensor:
        """The mask as a plain boolean tensor (True: the query may attend to the key)."""
        from ..._tensor import _wrap
        return _wrap(_causal(self.variant, self.seq_len_q, self.seq_len_kv))

    def __repr__(self) -> str:
        return repr(self._materialize())


def _causal(variant: CausalVariant, seq_len_q: int, seq_len_kv: int) -> np.ndarray:
    offset = 0 if variant == CausalVariant.UPPER_LEFT else seq_len_kv - seq_len_q
    return np.tri(seq_len_q, seq_len_kv, offset, dtype=bool)


def causal_upper_left(*size) -> CausalBias:
    """The causal mask whose diagonal starts at the top-left corner: ``(seq_len_q,
    seq_len_kv)``."""
    if len(size) != 2:
        raise AssertionError('causal_upper_left only supports 2D tensors')
    return CausalBias(CausalVariant.UPPER_LEFT, *size)


def causal_lower_right(*size) -> CausalBias:
    """The causal mask whose diagonal ends at the bottom-right corner: ``(seq_len_q,
    seq_len_kv)``."""
    if len(size) != 2:
        raise AssertionError('causal_lower_right only supports 2D tensors')
    return CausalBias(CausalVariant.LOWER_RIGHT, *size)
