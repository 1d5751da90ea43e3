"""Stochastic gradient descent, optionally with (Nesterov) momentum."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import Optimizer, _add_wd, _as_float, _bump

__all__ = ['SGD']


class SGD(Optimizer):
    """PyTorch's ``torch.optim.SGD``.

    With momentum ``m`` and dampening ``d`` the buffer is ``b = m*b + (1-d)*g`` (the
    first step copies ``g``), and the update is ``p -= lr*b`` (or ``lr*(g + m*b)`` with
    Nesterov). ``weight_decay`` adds ``wd*p`` to the gradient first.
    """

    def __init__(self, params, lr: float | Tensor = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float | Tensor = 0,
                 nesterov: bool = False, *, maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError('Tensor lr must be 1-element')
        if lr < 0.0:
            raise ValueError(f'Invalid learning rate: {lr}')
        if momentum < 0.0:
            raise ValueError(f'Invalid momentum value: {momentum}')
        if weight_decay < 0.0:
            raise ValueError(f'Invalid weight_decay value: {weight_decay}')
        defaults = {'lr': lr, 'momentum': momentum, 'dampening': dampening,
                    'weight_decay': weight_decay, 'nesterov': nesterov, 'maximize': maximize,
                    'foreach': foreach, 'differentiable': differentiable, 'fused': fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError('Nesterov momentum requires a momentum and zero dampening')
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self._setdefault_in_groups(nesterov=False, maximize=False, foreach=None,
                                   differentiable=False, fused=False)

    def step(self, closure=None):
        """Performs one SGD step; returns ``closure()``'s loss when a closure is given."""
        loss = None if closure is None else self._closure_loss(closure)
        state = self.state
        for group in self.param_groups:
            lr = _as_float(group['lr'])
            momentum = group['momentum']
            wd = _as_float(group['weight_decay'])
            keep = 1 - group['dampening']
            nesterov = group['nesterov']
            maximize = group['maximize']
            for p in group['params']:
                gt = p._grad
                if gt is None:
                    continue
                g = gt._data
                d = p._data
                if maximize:
                    g = np.negative(g)
                if wd != 0:
                    g = _add_wd(g, d, wd)
                if momentum != 0:
                    st = state[p]
                    bt = st.get('momentum_buffer')
                    if bt is None:
                        buf = np.copy(g)
                        st['momentum_buffer'] = _wrap(buf)
                    else:
                        buf = bt._data
                        buf *= momentum
                        buf += g if keep == 1 else g * keep
                    if nesterov:
                        t = buf * momentum
                        t += g
                        g = t
                    else:
                        g = buf
                # NOTE: PyTorch's add_(g, alpha=-lr) is one fused multiply-add; here lr*g
                # is rounded first, which can differ in the last bit.
                d -= g * lr
                _bump(p)
        return loss
