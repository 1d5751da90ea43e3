"""Per-sample normalisation layers: LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm,
CrossMapLRN2d."""
from __future__ import annotations

import numbers

from ..._tensor import Tensor
from ..._ops.creation import empty
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module, _params
from ._functions import cross_map_lrn2d

__all__ = ['LayerNorm', 'GroupNorm', 'RMSNorm', 'LocalResponseNorm', 'CrossMapLRN2d']


def _affine_parameters(m: Module, shape: tuple, affine: bool, bias: bool, device,
                       dtype) -> None:
    """Registers the optional ``weight`` and ``bias`` of a normalisation layer."""
    m.register_parameter('weight', Parameter(empty(shape, device=device, dtype=dtype))
                         if affine else None)
    m.register_parameter('bias', Parameter(empty(shape, device=device, dtype=dtype))
                         if affine and bias else None)


def _reset_affine(m: Module) -> None:
    """Weight to ones and bias to zeros, as PyTorch initialises them."""
    if m.weight is not None:
        init.ones_(m.weight)
    if m.bias is not None:
        init.zeros_(m.bias)


class LayerNorm(Module):
    """Normalises over the trailing ``normalized_shape`` dims; elementwise affine
    (weight=1, bias=0 initially) unless ``elementwise_affine=False``."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, *_params(self, 'weight', 'bias'),
                            self.eps)

    def extra_repr(self) -> str:
        return (f'{self.normalized_shape}, eps={self.eps}, '
                f'elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}')


class GroupNorm(Module):
    """Normalises groups of channels of each sample; per-channel affine."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f'num_channels ({num_channels}) must be divisible by num_groups '
                             f'({num_groups})')
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, (num_channels,), affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, *_params(self, 'weight', 'bias'),
                            self.eps)

    def extra_repr(self) -> str:
        return (f'{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, '
                f'bias={self.bias is not None}')


class RMSNorm(Module):
    """Divides by the root mean square over the trailing ``normalized_shape`` dims, then
    (unless ``elementwise_affine=False``) multiplies by a weight initialised to ones.
    ``eps=None`` uses the input dtype's machine epsilon."""

    def __init__(self, normalized_shape, eps: float | None = None,
                 elementwise_affine: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self.register_parameter('weight', Parameter(empty(self.normalized_shape, device=device,
                                                          dtype=dtype))
                                if elementwise_affine else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x: Tensor) -> Tensor:
        return F.rms_norm(x, self.normalized_shape, *_params(self, 'weight'), self.eps)

    def extra_repr(self) -> str:
        return (f'{self.normalized_shape}, eps={self.eps}, '
                f'elementwise_affine={self.elementwise_affine}')


class _LRNBase(Module):
    """The settings (and repr) shared by the two local response norms."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def extra_repr(self) -> str:
        return f'{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}'


class LocalResponseNorm(_LRNBase):
    """Normalisation across ``size`` neighbouring channels (AlexNet's): each element divided
    by (k + alpha * mean of their squares) ** beta."""

    def forward(self, input: Tensor) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)


class CrossMapLRN2d(_LRNBase):
    """Local response normalisation across channels of (N, C, H, W) inputs, Lua Torch's
    legacy form (see ``_functions.CrossMapLRN2d`` for how it differs from
    LocalResponseNorm)."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1) -> None:
        # (as PyTorch's: the same settings, but an integer default k, shown in the repr)
        super().__init__(size, alpha, beta, k)

    def forward(self, input: Tensor) -> Tensor:
        return cross_map_lrn2d(input, self.size, self.alpha, self.beta, self.k)
