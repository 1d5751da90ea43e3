"""ASGD: SGD with a decaying step size and a running average of the iterates."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import (Optimizer, _add_wd, _as_float, _bump, _check_lr, _check_nonnegative,
                        _scalar_state, _tick, _zero_step)

__all__ = ['ASGD']


class ASGD(Optimizer):
    """PyTorch's ``torch.optim.ASGD`` (averaged SGD).

    ``p = p*(1 - lambd*eta) - eta*g``; the average ``ax`` copies ``p`` while ``mu == 1``
    and moves ``ax += mu*(p - ax)`` after ``t0`` steps. Then
    ``eta = lr / (1 + lambd*lr*t)^alpha`` and ``mu = 1/max(1, t - t0)``; ``eta`` and
    ``mu`` are kept as 0-dim tensors in the state.
    """

    def __init__(self, params, lr: float | Tensor = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_lr(lr)
        _check_nonnegative(weight_decay, 'weight_decay')
        defaults = {'lr': lr, 'lambd': lambd, 'alpha': alpha, 't0': t0,
                    'weight_decay': weight_decay, 'foreach': foreach, 'maximize': maximize,
                    'differentiable': differentiable, 'capturable': capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self._setdefault_in_groups(foreach=None, maximize=False, differentiable=False,
                                   capturable=False)
        self._steps_to_tensors(('step', 'eta', 'mu'))

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        st['step'] = _zero_step()
        st['eta'] = _scalar_state(_as_float(group['lr']))
        st['mu'] = _scalar_state(1.0)
        st['ax'] = _wrap(np.zeros_like(p._data))

    def step(self, closure=None):
        """Performs one ASGD step; returns ``closure()``'s loss when a closure is given."""
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            lr = _as_float(group['lr'])
            lambd = group['lambd']
            alpha = group['alpha']
            t0 = group['t0']
            wd = group['weight_decay']
            maximize = group['maximize']
            for p, g, d, st in self._params_with_grad(group):
                if maximize:
                    g = np.negative(g)
                step = _tick(st['step'])
                if wd != 0:
                    g = _add_wd(g, d, wd)
                eta_a = st['eta']._data
                mu_a = st['mu']._data
                ax = st['ax']._data
                eta = eta_a.item()
                d *= 1 - lambd * eta
                d -= g * eta
                mu = mu_a.item()
                if mu != 1:
                    t = d - ax
                    t *= mu
                    ax += t
                else:
                    ax[...] = d
                eta_a.fill(lr / ((1 + lambd * lr * step) ** alpha))
                mu_a.fill(1 / max(1, step - t0))
                _bump(p)
        return loss
