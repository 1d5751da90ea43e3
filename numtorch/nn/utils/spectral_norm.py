"""``torch.nn.utils.spectral_norm``: the weight divided by its spectral norm, recomputed by a
forward pre-hook from ``<name>_orig`` and the power-iteration buffers ``<name>_u`` and
``<name>_v`` (parametrizations.spectral_norm is the newer form)."""
from __future__ import annotations

import numpy as np

from ..._ops.linalg import dot, mv
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import no_grad
from .. import functional as F
from ..modules.conv import ConvTranspose1d, ConvTranspose2d
from ..modules.module import Module
from ..parameter import Parameter, UninitializedParameter

__all__ = ['SpectralNorm', 'SpectralNormLoadStateDictPreHook', 'SpectralNormStateDictHook',
           'spectral_norm', 'remove_spectral_norm']


class SpectralNorm:
    """The forward pre-hook: one ``n_power_iterations`` round of power iteration in
    training mode, then ``<name> = <name>_orig / sigma``."""
    # (1: the state dict holds u, v and the original weight; version 0 held the weight)
    _version = 1

    def __init__(self, name: str = 'weight', n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError('Expected n_power_iterations to be positive, but got '
                             f'n_power_iterations={n_power_iterations}')
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *[d for d in range(weight.dim()) if d != self.dim])
        return weight.reshape(weight.size(0), -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + '_orig')
        u = getattr(module, self.name + '_u')
        v = getattr(module, self.name + '_v')
        mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            # NOTE: in place into the buffers, then cloned: a second forward before
            # backward must not change the u and v the first one used.
            with no_grad():
                for _ in range(self.n_power_iterations):
                    v = F.normalize(mv(mat.t(), u), dim=0, eps=self.eps, out=v)
                    u = F.normalize(mv(mat, v), dim=0, eps=self.eps, out=u)
                u = u.clone()
                v = v.clone()
        sigma = dot(u, mv(mat, v))
        return weight / sigma

    def remove(self, module: Module) -> None:
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + '_u')
        delattr(module, self.name + '_v')
        delattr(module, self.name + '_orig')
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module, module.training))

    def _solve_v_and_rescale(self, mat: Tensor, u: Tensor, target_sigma) -> Tensor:
        """A v with u^T W v equal to ``target_sigma`` (for version-0 state dicts)."""
        w = mat._data.astype(np.float64)
        v = np.linalg.pinv(w.T @ w) @ w.T @ u._data.astype(np.float64)
        v *= float(target_sigma) / float(u._data @ w @ v)
        return _wrap(v.astype(mat._data.dtype))

    @staticmethod
    def apply(module: Module, name: str, n_power_iterations: int, dim: int,
              eps: float) -> 'SpectralNorm':
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f'Cannot register two spectral_norm hooks on the same '
                                   f'parameter {name}')
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f'`SpectralNorm` cannot be applied as parameter `{name}` is None')
        if isinstance(weight, UninitializedParameter):
            raise ValueError("The module passed to `SpectralNorm` can't have uninitialized "
                             'parameters. Make sure to run the dummy forward before applying '
                             'spectral normalization')
        with no_grad():
            mat = fn.reshape_weight_to_matrix(weight)
            h, w = mat.shape
            u = F.normalize(weight.new_empty(h).normal_(0, 1), dim=0, eps=fn.eps)
            v = F.normalize(weight.new_empty(w).normal_(0, 1), dim=0, eps=fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + '_orig', weight)
        # (a plain attribute until the first forward replaces it: the weight's values)
        setattr(module, fn.name, weight.data)
        module.register_buffer(fn.name + '_u', u)
        module.register_buffer(fn.name + '_v', v)
        module.register_forward_pre_hook(fn)
        module._register_state_dict_hook(SpectralNormStateDictHook(fn))
        module._register_load_state_dict_pre_hook(SpectralNormLoadStateDictPreHook(fn))
        return fn


class SpectralNormLoadStateDictPreHook:
    """Loads state dicts written before version 1 (the normalised weight, no ``_v``)."""

    def __init__(self, fn: SpectralNorm) -> None:
        self.fn = fn

    def __call__(self, state_dict, prefix, local_metadata, strict, missing_keys,
                 unexpected_keys, error_msgs) -> None:
        fn = self.fn
        version = local_metadata.get('spectral_norm', {}).get(fn.name + '.version', None)
        if version is not None and version >= 1:
            return
        key = prefix + fn.name
        if (version is None and all(key + s in state_dict for s in ('_orig', '_u', '_v'))
                and key not in state_dict):
            return
        missing = False
        for suffix in ('_orig', '', '_u'):
            if key + suffix not in state_dict:
                missing = True
                if strict:
                    missing_keys.append(key + suffix)
        if missing:
            return
        with no_grad():
            orig = state_dict[key + '_orig']
            sigma = (orig / state_dict.pop(key)).mean()
            mat = fn.reshape_weight_to_matrix(orig)
            state_dict[key + '_v'] = fn._solve_v_and_rescale(mat, state_dict[key + '_u'],
                                                             sigma)


class SpectralNormStateDictHook:
    """Records the version in the state dict's metadata."""

    def __init__(self, fn: SpectralNorm) -> None:
        self.fn = fn

    def __call__(self, module: Module, state_dict, prefix, local_metadata) -> None:
        versions = local_metadata.setdefault('spectral_norm', {})
        key = self.fn.name + '.version'
        if key in versions:
            raise RuntimeError(f"Unexpected key in metadata['spectral_norm']: {key}")
        versions[key] = self.fn._version


def spectral_norm(module: Module, name: str = 'weight', n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Divides the parameter ``name`` by its spectral norm before every forward, estimated
    by power iteration (``dim``: the weight's output dim, 1 for transposed convs)."""
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d)) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module: Module, name: str = 'weight') -> Module:
    """Makes ``name`` a plain parameter again, with its current normalised value."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            break
    else:
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")
    for hooks, kind in ((module._state_dict_hooks, SpectralNormStateDictHook),
                        (module._load_state_dict_pre_hooks, SpectralNormLoadStateDictPreHook)):
        for k, hook in hooks.items():
            if isinstance(hook, kind) and hook.fn.name == name:
                del hooks[k]
                break
    return module
