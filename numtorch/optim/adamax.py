"""Adamax: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import (Optimizer, _add_wd, _as_float, _bump, _check_adam_args, _lerp_, _tick,
                        _zero_step)

__all__ = ['Adamax']


class Adamax(Optimizer):
    """PyTorch's ``torch.optim.Adamax``.

    ``m = lerp(m, g, 1-beta1)``, ``u = max(beta2*u, |g| + eps)`` and
    ``p -= lr/(1-beta1^t) * m/u``.
    """

    def __init__(self, params, lr: float | Tensor = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = {'lr': lr, 'betas': betas, 'eps': eps, 'weight_decay': weight_decay,
                    'foreach': foreach, 'maximize': maximize,
                    'differentiable': differentiable, 'capturable': capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self._setdefault_in_groups(foreach=None, maximize=False, differentiable=False,
                                   capturable=False)
        self._steps_to_tensors()

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        d = p._data
        st['step'] = _zero_step()
        st['exp_avg'] = _wrap(np.zeros_like(d))
        st['exp_inf'] = _wrap(np.zeros_like(d))

    def step(self, closure=None):
        """Performs one Adamax step; returns ``closure()``'s loss when a closure is given."""
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            eps = group['eps']
            lr = _as_float(group['lr'])
            wd = group['weight_decay']
            maximize = group['maximize']
            w1 = 1 - beta1
            for p, g, d, st in self._params_with_grad(group):
                if maximize:
                    g = np.negative(g)
                step = _tick(st['step'])
                if wd != 0:
                    g = _add_wd(g, d, wd)
                m = st['exp_avg']._data
                u = st['exp_inf']._data
                _lerp_(m, g, w1)
                u *= beta2
                t = np.abs(g)
                t += eps
                np.maximum(u, t, out=u)
                clr = lr / (1 - beta1 ** step)
                np.multiply(m, -clr, out=t)
                t /= u
                d += t
                _bump(p)
        return loss
