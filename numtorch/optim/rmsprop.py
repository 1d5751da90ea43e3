"""RMSprop: gradients divided by a running root-mean-square of their history."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import (Optimizer, _add_wd, _as_float, _bump, _check_lr, _check_nonnegative, _lerp_,
                        _tick, _zero_step)

__all__ = ['RMSprop']


class RMSprop(Optimizer):
    """PyTorch's ``torch.optim.RMSprop``.

    ``v = alpha*v + (1-alpha)*g*g``; ``avg = sqrt(v) + eps`` (centered: ``sqrt(v - ga^2)``
    with ``ga`` a running mean of ``g``); then ``p -= lr*g/avg``, or with momentum
    ``b = momentum*b + g/avg`` and ``p -= lr*b``.
    """

    def __init__(self, params, lr: float | Tensor = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        _check_nonnegative(eps, 'epsilon')
        _check_nonnegative(momentum, 'momentum')
        _check_nonnegative(weight_decay, 'weight_decay')
        _check_nonnegative(alpha, 'alpha')
        defaults = {'lr': lr, 'momentum': momentum, 'alpha': alpha, 'eps': eps,
                    'centered': centered, 'weight_decay': weight_decay,
                    'capturable': capturable, 'foreach': foreach, 'maximize': maximize,
                    'differentiable': differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self._setdefault_in_groups(momentum=0, centered=False, foreach=None, maximize=False,
                                   differentiable=False, capturable=False)
        self._steps_to_tensors()

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        d = p._data
        st['step'] = _zero_step()
        st['square_avg'] = _wrap(np.zeros_like(d))
        if group['momentum'] > 0:
            st['momentum_buffer'] = _wrap(np.zeros_like(d))
        if group['centered']:
            st['grad_avg'] = _wrap(np.zeros_like(d))

    def step(self, closure=None):
        """Performs one RMSprop step; returns ``closure()``'s loss when a closure is given."""
        loss = None if closure is None else self._closure_loss(closure)
        sqrt = np.sqrt
        for group in self.param_groups:
            lr = _as_float(group['lr'])
            alpha = group['alpha']
            eps = group['eps']
            wd = group['weight_decay']
            momentum = group['momentum']
            centered = group['centered']
            maximize = group['maximize']
            w = 1 - alpha
            for p, g, d, st in self._params_with_grad(group):
                if maximize:
                    g = np.negative(g)
                _tick(st['step'])
                if wd != 0:
                    g = _add_wd(g, d, wd)
                v = st['square_avg']._data
                v *= alpha
                t = g * w
                t *= g
                v += t
                if centered:
                    ga = st['grad_avg']._data
                    _lerp_(ga, g, w)
                    np.multiply(ga, ga, out=t)
                    avg = v - t
                    sqrt(avg, out=avg)
                else:
                    avg = sqrt(v)
                avg += eps
                if momentum > 0:
                    buf = st['momentum_buffer']._data
                    buf *= momentum
                    np.divide(g, avg, out=t)
                    buf += t
                    np.multiply(buf, lr, out=t)
                    d -= t
                else:
                    np.multiply(g, -lr, out=t)
                    t /= avg
                    d += t
                _bump(p)
        return loss
