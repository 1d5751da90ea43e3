"""The top-level in-place functions ``torch.<name>_(input, ...)``.

Each is the Tensor method of the same name (one definition: the method writes the
out-of-place op's result into ``input`` through ``_tensor._inplace``). The dropout
variants and ``embedding_renorm_`` have no Tensor method and are defined here; the
activations (``celu_``, ...) are ``nn.functional``'s.
"""
from __future__ import annotations

import numpy as np

from .._state import state
from .._tensor import Tensor, _bump, _wrap
from ._op import Op
from . import dropout as _do
from .embedding import _renorm_
from ..nn.functional import celu_, rrelu_, selu_, threshold_

__all__ = ['abs_', 'absolute_', 'acos_', 'acosh_', 'addmv_', 'arccos_', 'arccosh_', 'arcsin_',
           'arcsinh_', 'arctan_', 'arctanh_', 'asin_', 'asinh_', 'atan_', 'atanh_', 'ceil_',
           'clamp_', 'clamp_max_', 'clamp_min_', 'clip_', 'cos_', 'cosh_', 'deg2rad_',
           'detach_', 'erf_', 'erfc_', 'exp2_', 'exp_', 'expm1_', 'fill_', 'fix_', 'floor_',
           'frac_', 'gcd_', 'index_put_', 'lcm_', 'log10_', 'log1p_', 'log2_', 'log_',
           'logit_', 'nan_to_num_', 'neg_', 'negative_', 'rad2deg_', 'reciprocal_', 'relu_',
           'resize_as_', 'round_', 'rsqrt_', 'sigmoid_', 'sin_', 'sinc_', 'sinh_', 'sqrt_',
           'square_', 'tan_', 'tanh_', 'trunc_', 'xlogy_', 'zero_', 'dropout_',
           'alpha_dropout_', 'feature_dropout', 'feature_dropout_', 'feature_alpha_dropout_',
           'embedding_renorm_', 'celu_', 'rrelu_', 'selu_', 'threshold_', 'i0_', 'ldexp_',
           'as_strided_']


class NoInplaceDerivative(Op):
    """The node of an in-place op PyTorch has no derivative for (``acosh_``, ...): forward is
    the out-of-place op ``fn`` without history; backward raises PyTorch's error."""

    def __init__(self, fn, name: str) -> None:
        self.fn = fn
        self.opname = name
        self._name = name.capitalize() + 'Backward1'

    def forward(self, x):
        return self.fn(_wrap(x))._data

    def backward(self, gy):
        raise NotImplementedError(f"the derivative for 'inplace version of {self.opname}' is "
                                  'not implemented.')


abs_ = Tensor.abs_
absolute_ = Tensor.absolute_
acos_ = Tensor.acos_
acosh_ = Tensor.acosh_
addmv_ = Tensor.addmv_
arccos_ = Tensor.arccos_
arccosh_ = Tensor.arccosh_
arcsin_ = Tensor.arcsin_
arcsinh_ = Tensor.arcsinh_
arctan_ = Tensor.arctan_
arctanh_ = Tensor.arctanh_
asin_ = Tensor.asin_
asinh_ = Tensor.asinh_
atan_ = Tensor.atan_
atanh_ = Tensor.atanh_
ceil_ = Tensor.ceil_
clamp_ = Tensor.clamp_
clamp_max_ = Tensor.clamp_max_
clamp_min_ = Tensor.clamp_min_
clip_ = Tensor.clip_
cos_ = Tensor.cos_
cosh_ = Tensor.cosh_
deg2rad_ = Tensor.deg2rad_
detach_ = Tensor.detach_
erf_ = Tensor.erf_
erfc_ = Tensor.erfc_
exp2_ = Tensor.exp2_
exp_ = Tensor.exp_
expm1_ = Tensor.expm1_
fill_ = Tensor.fill_
fix_ = Tensor.fix_
floor_ = Tensor.floor_
frac_ = Tensor.frac_
i0_ = Tensor.i0_
ldexp_ = Tensor.ldexp_
as_strided_ = Tensor.as_strided_
gcd_ = Tensor.gcd_
index_put_ = Tensor.index_put_
lcm_ = Tensor.lcm_
log10_ = Tensor.log10_
log1p_ = Tensor.log1p_
log2_ = Tensor.log2_
log_ = Tensor.log_
logit_ = Tensor.logit_
nan_to_num_ = Tensor.nan_to_num_
neg_ = Tensor.neg_
negative_ = Tensor.negative_
rad2deg_ = Tensor.rad2deg_
reciprocal_ = Tensor.reciprocal_
relu_ = Tensor.relu_
resize_as_ = Tensor.resize_as_
round_ = Tensor.round_
rsqrt_ = Tensor.rsqrt_
sigmoid_ = Tensor.sigmoid_
sin_ = Tensor.sin_
sinc_ = Tensor.sinc_
sinh_ = Tensor.sinh_
sqrt_ = Tensor.sqrt_
square_ = Tensor.square_
tan_ = Tensor.tan_
tanh_ = Tensor.tanh_
trunc_ = Tensor.trunc_
xlogy_ = Tensor.xlogy_
zero_ = Tensor.zero_


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout`` written into ``input``."""
    return _do.dropout(input, p, train, inplace=True)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout`` written into ``input``."""
    return _do.alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_alpha_dropout`` written into ``input``."""
    return _do.feature_alpha_dropout(input, p, train, inplace=True)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Dropout of whole channels (dim 1): each (sample, channel) slice is zeroed with
    probability ``p``, the others scaled by 1/(1-p)."""
    _do._check_p(p)
    return _do._dropout_impl(input, p, train, False, True, False)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout`` written into ``input``."""
    _do._check_p(p)
    return _do._dropout_impl(input, p, train, True, True, False)


def embedding_renorm_(input: Tensor, indices: Tensor, max_norm: float,
                      norm_type: float) -> Tensor:
    """Scales the rows of the 2-D ``input`` named by ``indices`` whose ``norm_type``-norm
    exceeds ``max_norm`` down to norm ``max_norm`` (what ``F.embedding(max_norm=...)`` does
    to its weight)."""
    if input._data.ndim != 2:
        raise RuntimeError(f'Expected 2-dimensional tensor, but got {input._data.ndim}-'
                           "dimensional tensor for argument #1 'self' (while checking "
                           'arguments for embedding_renorm_)')
    if state.enabled and input._rg:
        if input.grad_fn is None:
            raise RuntimeError('a leaf Variable that requires grad is being used in an '
                               'in-place operation.')
        # PyTorch records a node whose backward raises; numtorch refuses up front.
        raise NotImplementedError("the derivative for 'embedding_renorm_' is not implemented.")
    _renorm_(input._data, np.asarray(indices._data).reshape(-1), float(max_norm),
             float(norm_type))
    _bump(input)
    return input
