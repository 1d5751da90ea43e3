"""Adagrad: per-element step sizes shrinking with the accumulated squared gradients."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import (Optimizer, _add_wd, _as_float, _bump, _check_lr, _check_nonnegative,
                        _scalar_state, _tick, _zero_step)

__all__ = ['Adagrad']


class Adagrad(Optimizer):
    """PyTorch's ``torch.optim.Adagrad``.

    ``s += g*g`` and ``p -= clr * g / (sqrt(s) + eps)`` with
    ``clr = lr / (1 + (t-1)*lr_decay)``. The accumulator starts at
    ``initial_accumulator_value``; state exists from construction on.
    """

    def __init__(self, params, lr: float | Tensor = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _check_lr(lr)
        _check_nonnegative(lr_decay, 'lr_decay')
        _check_nonnegative(weight_decay, 'weight_decay')
        _check_nonnegative(initial_accumulator_value, 'initial_accumulator_value')
        _check_nonnegative(eps, 'epsilon')
        defaults = {'lr': lr, 'lr_decay': lr_decay, 'eps': eps, 'weight_decay': weight_decay,
                    'initial_accumulator_value': initial_accumulator_value,
                    'foreach': foreach, 'maximize': maximize,
                    'differentiable': differentiable, 'fused': fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group['params']:
                self._init_state(self.state[p], p, group)

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        st['step'] = _zero_step()
        # NOTE: PyTorch fills with the optimizer-wide default, not the group's value.
        v = self.defaults['initial_accumulator_value']
        # A complex parameter's real and imaginary parts each start at v.
        st['sum'] = _wrap(np.full_like(p._data, complex(v, v) if p._data.dtype.kind == 'c' else v))

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self._setdefault_in_groups(foreach=None, maximize=False, differentiable=False, fused=None)
        for st in self.state.values():
            if 'step' in st and not isinstance(st['step'], Tensor):
                st['step'] = _scalar_state(float(st['step']))

    def share_memory(self) -> None:
        """Shares the accumulators between processes (a no-op for NumPy arrays)."""
        for group in self.param_groups:
            for p in group['params']:
                self.state[p]['sum'].share_memory_()

    def step(self, closure=None):
        """Performs one Adagrad step; returns ``closure()``'s loss when a closure is given."""
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            lr = _as_float(group['lr'])
            wd = group['weight_decay']
            lr_decay = group['lr_decay']
            eps = group['eps']
            maximize = group['maximize']
            for p, g, d, st in self._params_with_grad(group):
                step = _tick(st['step'])
                if maximize:
                    g = np.negative(g)
                if wd != 0:
                    g = _add_wd(g, d, wd)
                clr = lr / (1 + (step - 1) * lr_decay)
                s = st['sum']._data
                t = g * g
                s += t
                std = np.sqrt(s)
                std += eps
                np.multiply(g, -clr, out=t)
                t /= std
                d += t
                _bump(p)
        return loss
