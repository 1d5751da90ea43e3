"""Adam (and, with ``decoupled_weight_decay=True``, AdamW)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import (Optimizer, _apply_weight_decay, _as_float, _bump, _check_adam_args, _lerp_,
                        _tick, _zero_step)

__all__ = ['Adam']


class Adam(Optimizer):
    """PyTorch's ``torch.optim.Adam``.

    Running averages ``m = lerp(m, g, 1-beta1)`` and ``v = beta2*v + (1-beta2)*g*g``;
    the update is ``p -= lr/(1-beta1^t) * m / (sqrt(v)/sqrt(1-beta2^t) + eps)``, with
    ``max(v)`` over all steps in place of ``v`` for AMSGrad.
    """

    def __init__(self, params, lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError('betas must be either both floats or both Tensors')
        for i, b in enumerate(betas):
            if isinstance(b, Tensor) and b.numel() != 1:
                raise ValueError(f'Tensor betas[{i}] must be 1-element')
        betas = tuple(b.squeeze() if isinstance(b, Tensor) and b.dim() != 0 else b
                      for b in betas)
        defaults = {'lr': lr, 'betas': betas, 'eps': eps, 'weight_decay': weight_decay,
                    'amsgrad': amsgrad, 'maximize': maximize, 'foreach': foreach,
                    'capturable': capturable, 'differentiable': differentiable,
                    'fused': fused, 'decoupled_weight_decay': decoupled_weight_decay}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self._setdefault_in_groups(amsgrad=False, maximize=False, foreach=None, capturable=False,
                                   differentiable=False, decoupled_weight_decay=False, fused=None)
        self._steps_to_tensors()

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        d = p._data
        st['step'] = _zero_step()
        st['exp_avg'] = _wrap(np.zeros_like(d))
        st['exp_avg_sq'] = _wrap(np.zeros_like(d))
        if group['amsgrad']:
            st['max_exp_avg_sq'] = _wrap(np.zeros_like(d))

    def step(self, closure=None):
        """Performs one Adam step; returns ``closure()``'s loss when a closure is given."""
        loss = None if closure is None else self._closure_loss(closure)
        sqrt = np.sqrt
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            beta1 = _as_float(beta1)
            beta2 = _as_float(beta2)
            lr = _as_float(group['lr'])
            wd = group['weight_decay']
            eps = group['eps']
            amsgrad = group['amsgrad']
            maximize = group['maximize']
            decoupled = group['decoupled_weight_decay']
            w1 = 1 - beta1
            w2 = 1 - beta2
            for p, g, d, st in self._params_with_grad(group):
                if maximize:
                    g = np.negative(g)
                step = _tick(st['step'])
                if wd != 0:
                    g = _apply_weight_decay(g, d, lr, wd, decoupled)
                m = st['exp_avg']._data
                v = st['exp_avg_sq']._data
                _lerp_(m, g, w1)
                v *= beta2
                t = g * w2
                t *= g
                v += t
                step_size = lr / (1 - beta1 ** step)
                bc2_sqrt = (1 - beta2 ** step) ** 0.5
                if amsgrad:
                    vmax = st['max_exp_avg_sq']._data
                    np.maximum(vmax, v, out=vmax)
                    denom = sqrt(vmax)
                else:
                    denom = sqrt(v)
                denom /= bc2_sqrt
                denom += eps
                # p.addcdiv_(m, denom, value=-step_size): (value*m)/denom, then added.
                np.multiply(m, -step_size, out=t)
                t /= denom
                d += t
                _bump(p)
        return loss
