"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import (Optimizer, _apply_weight_decay, _as_float, _bump, _check_adam_args,
                        _check_nonnegative, _lerp_, _scalar_state, _tick, _zero_step)

__all__ = ['NAdam']


class NAdam(Optimizer):
    """PyTorch's ``torch.optim.NAdam``.

    Momentum coefficients ``mu_t = beta1*(1 - 0.5*0.96^(t*momentum_decay))`` and their
    running product (kept in the state as ``mu_product``) weight the current gradient and
    the first moment in two ``addcdiv`` updates over ``sqrt(v/(1-beta2^t)) + eps``.
    """

    def __init__(self, params, lr: float | Tensor = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        _check_nonnegative(momentum_decay, 'momentum_decay')
        defaults = {'lr': lr, 'betas': betas, 'eps': eps, 'weight_decay': weight_decay,
                    'momentum_decay': momentum_decay,
                    'decoupled_weight_decay': decoupled_weight_decay, 'maximize': maximize,
                    'foreach': foreach, 'capturable': capturable,
                    'differentiable': differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self._setdefault_in_groups(maximize=False, foreach=None, capturable=False,
                                   differentiable=False, decoupled_weight_decay=False)
        self._steps_to_tensors(('step', 'mu_product'))

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        d = p._data
        st['step'] = _zero_step()
        st['mu_product'] = _scalar_state(1.0)
        st['exp_avg'] = _wrap(np.zeros_like(d))
        st['exp_avg_sq'] = _wrap(np.zeros_like(d))

    def step(self, closure=None):
        """Performs one NAdam step; returns ``closure()``'s loss when a closure is given."""
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            lr = _as_float(group['lr'])
            wd = group['weight_decay']
            momentum_decay = group['momentum_decay']
            eps = group['eps']
            decoupled = group['decoupled_weight_decay']
            maximize = group['maximize']
            w1 = 1 - beta1
            w2 = 1 - beta2
            for p, g, d, st in self._params_with_grad(group):
                if maximize:
                    g = np.negative(g)
                step = _tick(st['step'])
                bias_correction2 = 1 - beta2 ** step
                if wd != 0:
                    g = _apply_weight_decay(g, d, lr, wd, decoupled)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                # The product lives in a 0-dim array of the scalar dtype and is rounded there.
                mp_a = st['mu_product']._data
                mp_a *= mu
                mu_product = mp_a.item()
                m = st['exp_avg']._data
                v = st['exp_avg_sq']._data
                _lerp_(m, g, w1)
                v *= beta2
                t = g * w2
                t *= g
                v += t
                denom = v / bias_correction2
                np.sqrt(denom, out=denom)
                denom += eps
                mu_product_next = mu_product * mu_next
                np.multiply(g, -lr * (1.0 - mu) / (1.0 - mu_product), out=t)
                t /= denom
                d += t
                np.multiply(m, (-lr * mu_next) / (1.0 - mu_product_next), out=t)
                t /= denom
                d += t
                _bump(p)
        return loss
