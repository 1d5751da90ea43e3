"""RAdam: Adam with the variance of the adaptive step size rectified early in training."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import (Optimizer, _apply_weight_decay, _as_float, _bump, _check_adam_args, _lerp_,
                        _tick, _zero_step)

__all__ = ['RAdam']


class RAdam(Optimizer):
    """PyTorch's ``torch.optim.RAdam``.

    While the approximated SMA length ``rho_t <= 5`` the step is plain momentum SGD
    on the bias-corrected first moment; after that it is Adam's step scaled by the
    rectification term ``r_t``.
    """

    def __init__(self, params, lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = {'lr': lr, 'betas': betas, 'eps': eps, 'weight_decay': weight_decay,
                    'maximize': maximize, 'foreach': foreach, 'capturable': capturable,
                    'decoupled_weight_decay': decoupled_weight_decay,
                    'differentiable': differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self._setdefault_in_groups(foreach=None, maximize=False, differentiable=False,
                                   decoupled_weight_decay=False, capturable=False)
        self._steps_to_tensors()

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        d = p._data
        st['step'] = _zero_step()
        st['exp_avg'] = _wrap(np.zeros_like(d))
        st['exp_avg_sq'] = _wrap(np.zeros_like(d))

    def step(self, closure=None):
        """Performs one RAdam step; returns ``closure()``'s loss when a closure is given."""
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            lr = _as_float(group['lr'])
            wd = group['weight_decay']
            eps = group['eps']
            decoupled = group['decoupled_weight_decay']
            maximize = group['maximize']
            w1 = 1 - beta1
            w2 = 1 - beta2
            rho_inf = 2 / (1 - beta2) - 1
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
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                # The update is built left to right as PyTorch's expression
                # ((m / bc1) * lr) * adaptive_lr * rect.
                upd = m / bias_correction1
                upd *= lr
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                if rho_t > 5.0:
                    # NOTE: PyTorch computes scalar / tensor as tensor.reciprocal() * scalar.
                    ada = np.sqrt(v)
                    ada += eps
                    np.reciprocal(ada, out=ada)
                    ada *= bias_correction2 ** 0.5
                    upd *= ada
                    upd *= ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                d -= upd
                _bump(p)
        return loss
