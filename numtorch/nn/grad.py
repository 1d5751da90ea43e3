"""``torch.nn.grad``: the gradients of a convolution with respect to its input and to its
weight, as functions (for writing custom convolution backward passes).

Each one is a single graph node (PyTorch's ConvolutionBackwardBackward0) computed by the
convolution op's own backward (numtorch/_ops/conv.py, conv3d.py) on a stand-in for the
operand given only by its size. Both results are linear in ``grad_output`` and in the other
operand, so they differentiate into a convolution and the other one of these functions."""
from __future__ import annotations

from .._state import state
from .._tensor import Tensor, _wrap
from .._ops._op import Op
from .._ops.conv import Conv, _conv_args, conv1d, conv2d
from .._ops.conv3d import Conv3d, _conv3d_args, conv3d

__all__ = ['conv1d_input', 'conv1d_weight', 'conv2d_input', 'conv2d_weight', 'conv3d_input',
           'conv3d_weight']

_CONVS = {1: conv1d, 2: conv2d, 3: conv3d}


class _ConvolutionBackward(Op):
    """r = the input gradient (which=0) or the weight gradient (which=1) of a convolution,
    for inputs (grad_output, weight) or (grad_output, input) respectively."""
    _name = 'ConvolutionBackwardBackward0'
    checks = (0, 1)

    def __init__(self, nd: int, which: int, size: tuple, stride: tuple, pads: tuple,
                 dilation: tuple, groups: int):
        self.nd, self.which, self.size = nd, which, size
        self.stride, self.pads, self.dilation, self.groups = stride, pads, dilation, groups

    def _run(self, gy: Tensor, other: Tensor) -> Tensor:
        """The convolution op's differentiable backward, the sized operand a zero stand-in."""
        stand_in = gy.new_zeros(1).expand(self.size)
        x, w = (stand_in, other) if self.which == 0 else (other, stand_in)
        if self.nd == 3:
            op = Conv3d(self.stride, self.pads, self.dilation, self.groups)
        else:
            op = Conv(self.stride, self.pads, self.dilation, self.groups, self.nd)
        op.inputs = (x, w)
        op.needs = [self.which == 0, self.which == 1]
        return op.backward_t(gy)[self.which]

    def forward(self, gy, other):
        prev = state.enabled
        state.enabled = False
        try:
            return self._run(_wrap(gy), _wrap(other))._data
        finally:
            state.enabled = prev

    def backward(self, g):
        prev = state.enabled
        state.enabled = False
        try:
            return tuple(None if t is None else t._data for t in self.backward_t(_wrap(g)))
        finally:
            state.enabled = prev

    def backward_t(self, g):
        gy, other = self.inputs
        padding = tuple(p[0] for p in self.pads)
        args = (self.stride, padding, self.dilation, self.groups)
        d_gy = d_other = None
        if self.which == 0:     # r = conv_input(gy, W): <r, g> = <gy, conv(g, W)>
            if self.needs[0]:
                d_gy = _CONVS[self.nd](g, other, None, *args)
            if self.needs[1]:
                d_other = _conv_grad(self.nd, 1, g, tuple(other.shape), gy, *args)
        else:                   # r = conv_weight(x, gy): <r, g> = <gy, conv(x, g)>
            if self.needs[0]:
                d_gy = _CONVS[self.nd](other, g, None, *args)
            if self.needs[1]:
                d_other = _conv_grad(self.nd, 0, tuple(other.shape), g, gy, *args)
        return d_gy, d_other


def _conv_grad(nd: int, which: int, x, w, grad_output: Tensor, stride, padding, dilation,
               groups: int) -> Tensor:
    """The gradient of conv{nd}d(x, w) for ``grad_output`` with respect to x (which=0) or
    w (which=1); the other operand is only a size."""
    size = tuple(x) if which == 0 else tuple(w)
    other = w if which == 0 else x
    # (checked on zero-stride stand-ins: no memory)
    stand_in = grad_output.new_zeros(1).expand(size)
    x, w = (stand_in, other) if which == 0 else (other, stand_in)
    if x.dim() != w.dim():
        raise RuntimeError(f'Expected {w.dim()}-dimensional input for {w.dim()}-dimensional '
                           f'weight {list(w.shape)}, but got {x.dim()}-dimensional input of '
                           f'size {list(x.shape)} instead')
    if isinstance(padding, str):
        raise RuntimeError("aten::convolution_backward() Expected a value of type 'List[int]' "
                           "for argument 'padding' but instead found type 'tuple'.")
    name = f'conv{nd}d'
    if nd == 3:
        _, stride, pads, dilation = _conv3d_args(name, x, w, None, stride, padding, dilation,
                                                 groups, False)
    else:
        _, stride, pads, dilation = _conv_args(name, x, w, None, nd, stride, padding, dilation,
                                               groups)
    # the shape the convolution's output (and so grad_output) has
    expected = (x.shape[0], w.shape[0]) + tuple(
        (x.shape[2 + i] + sum(pads[i]) - dilation[i] * (w.shape[2 + i] - 1) - 1) // stride[i]
        + 1 for i in range(nd))
    for d, n in enumerate(expected):
        if grad_output.dim() != nd + 2 or grad_output.shape[d] != n:
            raise RuntimeError(f'Expected a tensor of dimension {nd + 2} and tensor.size[{d}] '
                               f'== {n} but got: dimension {grad_output.dim()} and '
                               f'tensor.size[{d}] = {grad_output.shape[d]}')
    op = _ConvolutionBackward(nd, which, size, stride, pads, dilation, groups)
    return op.apply2(grad_output, other)


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
