"""Rprop: per-element step sizes adapted from the sign agreement of successive gradients."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import Optimizer, _as_float, _bump, _check_lr, _tick, _zero_step

__all__ = ['Rprop']


class Rprop(Optimizer):
    """PyTorch's ``torch.optim.Rprop``.

    Where ``g*prev > 0`` the element's step size grows by ``etas[1]``, where it is
    negative it shrinks by ``etas[0]`` (and that element skips this step); sizes stay
    within ``step_sizes``. The update is ``p -= sign(g) * step_size``.
    """

    def __init__(self, params, lr: float | Tensor = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f'Invalid eta values: {etas[0]}, {etas[1]}')
        defaults = {'lr': lr, 'etas': etas, 'step_sizes': step_sizes, 'foreach': foreach,
                    'maximize': maximize, 'differentiable': differentiable,
                    'capturable': capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self._setdefault_in_groups(foreach=None, maximize=False, differentiable=False,
                                   capturable=False)
        self._steps_to_tensors()

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        st['step'] = _zero_step()
        st['prev'] = _wrap(np.zeros_like(p._data))
        # Shaped and laid out like the gradient, as PyTorch's full_like(grad, lr).
        lr = _as_float(group['lr'])
        # A complex parameter's real and imaginary parts each start at step size lr.
        st['step_size'] = _wrap(np.full_like(p._grad._data,
                                             complex(lr, lr) if p._data.dtype.kind == 'c' else lr))

    def step(self, closure=None):
        """Performs one Rprop step; returns ``closure()``'s loss when a closure is given."""
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            etaminus, etaplus = group['etas']
            step_size_min, step_size_max = group['step_sizes']
            maximize = group['maximize']
            for p, g, d, st in self._params_with_grad(group):
                if maximize:
                    g = np.negative(g)
                _tick(st['step'])
                prev = st['prev']._data
                step_size = st['step_size']._data
                # NOTE: the three masked writes mirror PyTorch exactly (a NaN product stays
                # NaN and poisons the step size, as there).
                sign = np.sign(g * prev)
                sign[sign > 0] = etaplus
                sign[sign < 0] = etaminus
                sign[sign == 0] = 1
                step_size *= sign
                np.clip(step_size, step_size_min, step_size_max, out=step_size)
                g = g.copy()
                g[sign == etaminus] = 0
                t = np.sign(g)
                t *= step_size
                d -= t
                prev[...] = g
                _bump(p)
        return loss
