"""``torch.nn.grad``: the gradients of a convolution with respect to its input and to its
weight, as functions (for writing custom convolution backward passes).

Each one runs the convolution op's own differentiable backward (numtorch/_ops/conv.py,
conv3d.py) on a stand-in for the operand given only by its size, so the results can be
differentiated again."""
from __future__ import annotations

from .._tensor import Tensor
from .._ops.conv import Conv, _conv_args
from .._ops.conv3d import Conv3d, _conv3d_args

__all__ = ['conv1d_input', 'conv1d_weight', 'conv2d_input', 'conv2d_weight', 'conv3d_input',
           'conv3d_weight']


def _conv_grad(nd: int, which: int, x, w, grad_output: Tensor, stride, padding, dilation,
               groups: int) -> Tensor:
    """The gradient of conv{nd}d(x, w) for ``grad_output`` with respect to x (which=0) or
    w (which=1); the other operand is only a size."""
    if which == 0:
        x = grad_output.new_zeros(1).expand(tuple(x))
    else:
        w = grad_output.new_zeros(1).expand(tuple(w))
    if x.dim() != w.dim():
        raise RuntimeError(f'Expected {w.dim()}-dimensional input for {w.dim()}-dimensional '
                           f'weight {list(w.shape)}, but got {x.dim()}-dimensional input of '
                           f'size {list(x.shape)} instead')
    name = f'conv{nd}d'
    if nd == 3:
        _, stride, pads, dilation = _conv3d_args(name, x, w, None, stride, padding, dilation,
                                                 groups, False)
        op = Conv3d(stride, pads, dilation, groups)
    else:
        _, stride, pads, dilation = _conv_args(name, x, w, None, nd, stride, padding, dilation,
                                               groups)
        op = Conv(stride, pads, dilation, groups, nd)
    # the shape the convolution's output (and so grad_output) has
    expected = (x.shape[0], w.shape[0]) + tuple(
        (x.shape[2 + i] + sum(pads[i]) - dilation[i] * (w.shape[2 + i] - 1) - 1) // stride[i]
        + 1 for i in range(nd))
    for d, size in enumerate(expected):
        if grad_output.dim() != nd + 2 or grad_output.shape[d] != size:
            raise RuntimeError(f'Expected a tensor of dimension {nd + 2} and tensor.size[{d}] '
                               f'== {size} but got: dimension {grad_output.dim()} and '
                               f'tensor.size[{d}] = {grad_output.shape[d]}')
    op.inputs = (x, w)
    op.needs = [which == 0, which == 1]
    return op.backward_t(grad_output)[which]


def conv1d_input(input_size, weight: Tensor, grad_output: Tensor, stride=1, padding=0,
                 dilation=1, groups: int = 1) -> Tensor:
    """The gradient of conv1d with respect to an input of shape ``input_size`` (N, C, L)."""
    return _conv_grad(1, 0, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv1d_weight(input: Tensor, weight_size, grad_output: Tensor, stride=1, padding=0,
                  dilation=1, groups: int = 1) -> Tensor:
    """The gradient of conv1d with respect to a weight of shape ``weight_size``."""
    return _conv_grad(1, 1, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv2d_input(input_size, weight: Tensor, grad_output: Tensor, stride=1, padding=0,
                 dilation=1, groups: int = 1) -> Tensor:
    """The gradient of conv2d with respect to an input of shape ``input_size``
    (N, C, H, W)."""
    return _conv_grad(2, 0, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv2d_weight(input: Tensor, weight_size, grad_output: Tensor, stride=1, padding=0,
                  dilation=1, groups: int = 1) -> Tensor:
    """The gradient of conv2d with respect to a weight of shape ``weight_size``."""
    return _conv_grad(2, 1, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv3d_input(input_size, weight: Tensor, grad_output: Tensor, stride=1, padding=0,
                 dilation=1, groups: int = 1) -> Tensor:
    """The gradient of conv3d with respect to an input of shape ``input_size``
    (N, C, D, H, W)."""
    return _conv_grad(3, 0, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv3d_weight(input: Tensor, weight_size, grad_output: Tensor, stride=1, padding=0,
                  dilation=1, groups: int = 1) -> Tensor:
    """The gradient of conv3d with respect to a weight of shape ``weight_size``."""
    return _conv_grad(3, 1, input, weight_size, grad_output, stride, padding, dilation, groups)
