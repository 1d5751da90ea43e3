"""Folding an eval-mode BatchNorm into the convolution or linear layer before it: the
normalisation ``(y - mean) / sqrt(var + eps) * gamma + beta`` is affine in ``y``, so it can be
absorbed into the layer's weight (scaled per output channel) and bias."""
from __future__ import annotations

import copy

from ..._tensor import Tensor
from ..._ops.creation import zeros_like, ones_like
from ..._ops.unary import rsqrt
from ..parameter import Parameter

__all__ = ['fuse_conv_bn_eval', 'fuse_conv_bn_weights', 'fuse_linear_bn_eval',
           'fuse_linear_bn_weights']


def fuse_conv_bn_eval(conv, bn, transpose: bool = False):
    """A copy of ``conv`` whose weight and bias also apply ``bn`` (both in eval mode, ``bn``
    with running statistics). ``transpose``: ``conv`` is a transposed convolution (its
    output channels are the weight's dim 1)."""
    if conv.training or bn.training:
        raise AssertionError('Fusion only for eval!')
    fused_conv = copy.deepcopy(conv)
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError('bn.running_mean and bn.running_var must not be None')
    fused_conv.weight, fused_conv.bias = fuse_conv_bn_weights(
        fused_conv.weight, fused_conv.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight,
        bn.bias, transpose)
    return fused_conv


def fuse_conv_bn_weights(conv_w: Tensor, conv_b: Tensor | None, bn_rm: Tensor, bn_rv: Tensor,
                         bn_eps: float, bn_w: Tensor | None, bn_b: Tensor | None,
                         transpose: bool = False) -> tuple:
    """The (weight, bias) Parameters of a convolution followed by a batch norm with running
    mean ``bn_rm``, variance ``bn_rv``, ``bn_eps`` and affine ``bn_w``/``bn_b`` (None: 1/0).
    The results keep the conv's dtypes and requires_grad flags."""
    w_dtype = conv_w.dtype
    b_dtype = conv_b.dtype if conv_b is not None else w_dtype
    if conv_b is None:
        conv_b = zeros_like(bn_rm)
    if bn_w is None:
        bn_w = ones_like(bn_rm)
    if bn_b is None:
        bn_b = zeros_like(bn_rm)
    inv_std = rsqrt(bn_rv + bn_eps)
    rest = [1] * (conv_w.dim() - 2)
    shape = [1, -1] + rest if transpose else [-1, 1] + rest
    fused_w = (conv_w * (bn_w * inv_std).reshape(shape)).to(dtype=w_dtype)
    fused_b = ((conv_b - bn_rm) * inv_std * bn_w + bn_b).to(dtype=b_dtype)
    return Parameter(fused_w, conv_w.requires_grad), Parameter(fused_b, conv_b.requires_grad)


def fuse_linear_bn_eval(linear, bn):
    """A copy of ``linear`` whose weight and bias also apply ``bn`` (both in eval mode); the
    batch norm's features must be the linear layer's outputs (or a single feature)."""
    if linear.training or bn.training:
        raise AssertionError('Fusion only for eval!')
    fused_linear = copy.deepcopy(linear)
    # NOTE: bn normalises dim 1 while linear's outputs are the last dim; the fused shapes
    # stay the linear layer's only when those broadcast (equal sizes, or one bn feature).
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError(
            'To fuse, linear.out_features == bn.num_features or bn.num_features == 1, '
            f'got linear.out_features={linear.out_features} and '
            f'bn.num_features={bn.num_features}')
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError('bn.running_mean and bn.running_var must not be None')
    fused_linear.weight, fused_linear.bias = fuse_linear_bn_weights(
        fused_linear.weight, fused_linear.bias, bn.running_mean, bn.running_var, bn.eps,
        bn.weight, bn.bias)
    return fused_linear


def fuse_linear_bn_weights(linear_w: Tensor, linear_b: Tensor | None, bn_rm: Tensor,
                           bn_rv: Tensor, bn_eps: float, bn_w: Tensor, bn_b: Tensor) -> tuple:
    """The (weight, bias) Parameters of a linear layer followed by a batch norm (running
    statistics ``bn_rm``/``bn_rv``, ``bn_eps``, affine ``bn_w``/``bn_b``)."""
    w_dtype = linear_w.dtype
    b_dtype = linear_b.dtype if linear_b is not None else w_dtype
    if linear_b is None:
        linear_b = zeros_like(bn_rm)
    scale = bn_w * rsqrt(bn_rv + bn_eps)
    fused_w = linear_w * scale.unsqueeze(-1).to(dtype=w_dtype)
    fused_b = ((linear_b - bn_rm) * scale + bn_b).to(dtype=b_dtype)
    return Parameter(fused_w, linear_w.requires_grad), Parameter(fused_b, linear_b.requires_grad)
