"""Dropout: elementwise, channel-wise ("feature") and alpha dropout.

As PyTorch's CPU kernel: a noise tensor is filled with ``bernoulli_(1 - p)`` from the
default generator (so masks equal torch's for the same seed), divided by ``1 - p`` in
the input's dtype, and the input is multiplied by it. Channel-wise dropout draws one
value per (sample, channel) and broadcasts it. ``p == 0`` or evaluation mode return the
input itself; ``p == 1`` multiplies by zero without drawing.
"""
from __future__ import annotations

import copy
import warnings

import numpy as np

from .._tensor import Tensor, _wrap, _inplace
from ._op import Op, LinearAdjoint
from .random import _bernoulli_like

__all__ = ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout',
           'feature_alpha_dropout']


_ALPHA = 1.7580993408473766


class MulNoise(Op):
    """x * noise (noise broadcast over x), and for alpha dropout + shift."""
    _name = 'MulBackward0'

    def __init__(self, noise: np.ndarray, shift: np.ndarray | None = None):
        self.noise = noise
        self.shift = shift
        if shift is not None:
            self._name = 'AddBackward0'

    def forward(self, x):
        y = x * self.noise
        if self.shift is not None:
            y += self.shift
        return y

    def backward(self, gy):
        return gy * self.noise

    def backward_t(self, gy):
        return LinearAdjoint(self).apply1(gy)

    def linear_copy(self):
        c = copy.copy(self)
        c.shift = None
        return c


def _mul_noise(t: Tensor, noise: np.ndarray, shift: np.ndarray | None) -> Tensor:
    return MulNoise(noise, shift).apply1(t)


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f'dropout probability has to be between 0 and 1, but got {p}')


def _memory_order(d: np.ndarray) -> list | None:
    """``d``'s axes in the order its memory is laid out, when it is a transposed view of a
    contiguous block (PyTorch's empty_like keeps that layout, and random values then fill
    it in memory order); None when it is C-contiguous or not one dense block."""
    if d.flags.c_contiguous or d.ndim < 2:
        return None
    axes = sorted(range(d.ndim), key=lambda a: -d.strides[a])
    step = d.itemsize
    for a in reversed(axes):
        if d.shape[a] != 1 and d.strides[a] != step:
            return None
        step *= d.shape[a]
    return axes


def _dropout_impl(input: Tensor, p: float, training: bool, inplace: bool, feature: bool,
                  alpha: bool) -> Tensor:
    d = input._data
    if p == 0 or not training or d.size == 0:
        return input
    if feature and d.ndim < 2:
        raise RuntimeError('Feature dropout requires at least 2 dimensions in the input')
    dt = d.dtype
    if dt.kind != 'f':
        kind = {'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char',
                'uint8': 'Byte', 'bool': 'Bool'}[dt.name]
        raise RuntimeError(f"result type Float can't be cast to the desired output type {kind}")
    if p == 1:
        noise = np.zeros((), dt)
        shift = None
    else:
        shape = d.shape[:2] + (1,) * (d.ndim - 2) if feature else d.shape
        order = None if feature else _memory_order(d)
        if order is None:
            noise = _bernoulli_like(_wrap(np.empty(shape, dt)), 1 - p, None)._data
        else:
            laid = tuple(shape[a] for a in order)
            noise = _bernoulli_like(_wrap(np.empty(laid, dt)), 1 - p, None)._data
            noise = noise.transpose(np.argsort(order))
        if alpha:
            a = 1.0 / np.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
            shift = (noise - dt.type(1)) * dt.type(_ALPHA * a) + dt.type(_ALPHA * a * p)
            noise = noise * dt.type(a)
        else:
            noise /= dt.type(1 - p)
            shift = None
    if inplace:
        return _inplace(input, _mul_noise, noise, shift)
    return MulNoise(noise, shift).apply1(input)


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zeroes each element with probability ``p`` and scales the rest by 1/(1-p)."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, False, False)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped elements take SELU's negative saturation value
    and an affine map keeps mean and variance."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, False, True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, True, True)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zeroes whole channels of a (N, C, L) or (C, L) input."""
    _check_p(p)
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(f'dropout1d: Expected 2D or 3D input, but received a {nd}D input. '
                           'Note that dropout1d exists to provide channel-wise dropout on '
                           'inputs with 1 spatial dimension, a channel dimension, and an '
                           'optional batch dimension (i.e. 2D or 3D inputs).')
    if nd == 3:
        return _dropout_impl(input, p, training, inplace, True, False)
    if inplace:
        input.unsqueeze_(0)
        _dropout_impl(input, p, training, True, True, False)
        return input.squeeze_(0)
    return _dropout_impl(input.unsqueeze(0), p, training, False, True, False).squeeze(0)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zeroes whole channels (dim 1) of a (N, C, H, W) input. As in PyTorch, a 3-D input
    is taken as (N, C, L) (with a warning), not as an unbatched image."""
    _check_p(p)
    nd = input.dim()
    if nd not in (3, 4):
        warnings.warn(f'dropout2d: Received a {nd}-D input to dropout2d, which is deprecated '
                      'and will result in an error in a future release. To retain the behavior '
                      'and silence this warning, please use dropout instead. Note that '
                      'dropout2d exists to provide channel-wise dropout on inputs with 2 '
                      'spatial dimensions, a channel dimension, and an optional batch '
                      'dimension (i.e. 3D or 4D inputs).', stacklevel=2)
    if nd == 3:
        warnings.warn('dropout2d: Received a 3D input to dropout2d and assuming that '
                      'channel-wise 1D dropout behavior is desired - input is interpreted as '
                      'shape (N, C, L), where C is the channel dim. This behavior will change '
                      'in a future release to interpret the input as one without a batch '
                      'dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise '
                      'dropout behavior, please switch to using dropout1d instead.',
                      stacklevel=2)
    return _dropout_impl(input, p, training, inplace, True, False)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zeroes whole channels of a (N, C, D, H, W) or (C, D, H, W) input."""
    _check_p(p)
    nd = input.dim()
    if nd not in (4, 5):
        warnings.warn(f'dropout3d: Received a {nd}-D input to dropout3d, which is deprecated '
                      'and will result in an error in a future release. To retain the behavior '
                      'and silence this warning, please use dropout instead. Note that '
                      'dropout3d exists to provide channel-wise dropout on inputs with 3 '
                      'spatial dimensions, a channel dimension, and an optional batch '
                      'dimension (i.e. 4D or 5D inputs).', stacklevel=2)
    if nd != 4:
        return _dropout_impl(input, p, training, inplace, True, False)
    if inplace:
        input.unsqueeze_(0)
        _dropout_impl(input, p, training, True, True, False)
        return input.squeeze_(0)
    return _dropout_impl(input.unsqueeze(0), p, training, False, True, False).squeeze(0)
