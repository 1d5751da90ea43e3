"""Instance normalisation layers: InstanceNorm1d, InstanceNorm2d, InstanceNorm3d."""
from __future__ import annotations

import warnings

from ..._tensor import Tensor
from .. import functional as F
from .batchnorm import _NormBase, _LazyNormBase

__all__ = ['InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d', 'LazyInstanceNorm1d',
           'LazyInstanceNorm2d', 'LazyInstanceNorm3d']


class _InstanceNorm(_NormBase):
    """Normalises each channel of each sample over its positions. Unlike batch norm,
    ``affine`` and ``track_running_stats`` are off by default; with running statistics
    tracked, evaluation mode uses them instead of each instance's own."""
    _batchless_dim = 0  # the rank of an unbatched input

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None,
                 dtype=None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def _check_input_dim(self, input: Tensor) -> None:
        d = self._batchless_dim
        if input.dim() not in (d, d + 1):
            raise ValueError(f'expected {d}D or {d + 1}D input (got {input.dim()}D input)')

    def _apply_instance_norm(self, input: Tensor) -> Tensor:
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight,
                               self.bias, self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        # Checkpoints from before running statistics became optional (no version) carry
        # them even when they are not tracked: reported as an error, and dropped.
        if local_metadata.get('version', None) is None and not self.track_running_stats:
            keys = [prefix + n for n in ('running_mean', 'running_var')
                    if prefix + n in state_dict]
            if keys:
                klass = type(self).__name__
                names = ' and '.join(f'"{k}"' for k in keys)
                error_msgs.append(
                    f'Unexpected running stats buffer(s) {names} for {klass} with '
                    f'track_running_stats=False. If state_dict is a checkpoint saved before '
                    f'0.4.0, this may be expected because {klass} does not track running '
                    f'stats by default since 0.4.0. Please remove these keys from '
                    f'state_dict. If the running stats are actually needed, instead set '
                    f'track_running_stats=True in {klass} to enable them. See the '
                    f'documentation of {klass} for details.')
                for k in keys:
                    state_dict.pop(k)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        feature_dim = input.dim() - self._batchless_dim
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match "
                                 f'num_features ({self.num_features}), but got: '
                                 f'{input.size(feature_dim)}.')
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. "
                          'You can silence this warning by not passing in num_features, '
                          'which is not used because affine=False', stacklevel=2)
        if input.dim() == self._batchless_dim:
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance norm over (N, C, L) or unbatched (C, L) inputs."""
    _batchless_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance norm over (N, C, H, W) or unbatched (C, H, W) inputs."""
    _batchless_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance norm over (N, C, D, H, W) or unbatched (C, D, H, W) inputs."""
    _batchless_dim = 4


class _LazyInstanceNorm(_LazyNormBase, _InstanceNorm):
    """An instance norm whose ``num_features`` is inferred from its first input; the input
    ranks it accepts are those of the class it becomes."""
    # NOTE: as PyTorch's, the lazy instance norms default to affine=True and
    # track_running_stats=True (the lazy base's defaults), and take num_features from dim 1
    # even for an unbatched input.

    @property
    def _batchless_dim(self) -> int:
        return self.cls_to_become._batchless_dim


class LazyInstanceNorm1d(_LazyInstanceNorm):
    """An InstanceNorm1d whose ``num_features`` is inferred from its first input."""
    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyInstanceNorm):
    """An InstanceNorm2d whose ``num_features`` is inferred from its first input."""
    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyInstanceNorm):
    """An InstanceNorm3d whose ``num_features`` is inferred from its first input."""
    cls_to_become = InstanceNorm3d
