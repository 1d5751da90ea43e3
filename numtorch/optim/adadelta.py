"""Adadelta: step sizes from running averages of squared gradients and squared updates."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import (Optimizer, _add_wd, _as_float, _bump, _check_lr, _check_nonnegative, _tick,
                        _zero_step)

__all__ = ['Adadelta']


class Adadelta(Optimizer):
    """PyTorch's ``torch.optim.Adadelta``.

    ``v = rho*v + (1-rho)*g*g``, ``delta = sqrt(u + eps)/sqrt(v + eps) * g``,
    ``u = rho*u + (1-rho)*delta*delta`` and ``p -= lr*delta``.
    """

    def __init__(self, params, lr: float | Tensor = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f'Invalid rho value: {rho}')
        _check_nonnegative(eps, 'epsilon')
        _check_nonnegative(weight_decay, 'weight_decay')
        defaults = {'lr': lr, 'rho': rho, 'eps': eps, 'weight_decay': weight_decay,
                    'maximize': maximize, 'capturable': capturable, 'foreach': foreach,
                    'differentiable': differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self._setdefault_in_groups(foreach=None, maximize=False, differentiable=False,
                                   capturable=False)
        self._steps_to_tensors()

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        d = p._data
        st['step'] = _zero_step()
        st['square_avg'] = _wrap(np.zeros_like(d))
        st['acc_delta'] = _wrap(np.zeros_like(d))

    def step(self, closure=None):
        """Performs one Adadelta step; returns ``closure()``'s loss when a closure is given."""
        loss = None if closure is None else self._closure_loss(closure)
        sqrt = np.sqrt
        for group in self.param_groups:
            lr = _as_float(group['lr'])
            rho = group['rho']
            eps = group['eps']
            wd = group['weight_decay']
            maximize = group['maximize']
            w = 1 - rho
            for p, g, d, st in self._params_with_grad(group):
                _tick(st['step'])
                if maximize:
                    g = np.negative(g)
                if wd != 0:
                    g = _add_wd(g, d, wd)
                v = st['square_avg']._data
                u = st['acc_delta']._data
                v *= rho
                t = g * w
                t *= g
                v += t
                std = v + eps
                sqrt(std, out=std)
                delta = u + eps
                sqrt(delta, out=delta)
                delta /= std
                delta *= g
                u *= rho
                np.multiply(delta, w, out=t)
                t *= delta
                u += t
                np.multiply(delta, lr, out=t)
                d -= t
                _bump(p)
        return loss
