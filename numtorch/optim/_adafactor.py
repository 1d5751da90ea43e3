"""Adafactor: Adam-like steps with a factored (row x column) second moment."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import Optimizer, _as_float, _bump, _lerp_, _tick, _zero_step

__all__ = ['Adafactor']


def _rms(a: np.ndarray) -> float:
    """``a.norm(2).item() / sqrt(a.numel())`` (the norm taken in ``a``'s dtype)."""
    flat = a.reshape(-1)
    return float(np.sqrt(np.dot(flat, flat))) / a.size ** 0.5


class Adafactor(Optimizer):
    """PyTorch's ``torch.optim.Adafactor``.

    At step ``t`` the second moment decays with ``beta2_t = 1 - t**beta2_decay``; a
    parameter of two or more dimensions keeps only the mean of ``g*g`` over its last dim
    (``row_var``) and over its second-to-last dim (``col_var``), and estimates the full
    second moment as ``row_var @ col_var / max(mean(row_var), eps1)``; vectors keep the
    whole ``variance``. The update ``g / sqrt(max(V, eps1**2))`` is scaled down to RMS at
    most ``d`` and applied with the relative step ``max(eps2, RMS(p)) * min(lr, 1/sqrt(t))``.
    ``lr * weight_decay`` shrinks the parameter first (decoupled weight decay).
    """

    def __init__(self, params, lr: float | Tensor = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0,
                 weight_decay: float = 0.0, *, foreach: bool | None = None,
                 maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError('Tensor lr must be 1-element')
        if not 0.0 <= lr:
            raise ValueError(f'Learning rate should be >= 0 but is: {lr}')
        if not 0.0 >= beta2_decay:
            raise ValueError(f'beta2_decay should be <= 0 but is: {beta2_decay}')
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f'epsilon1 should be >= 0 but is: {eps[0]}')
        if not 0.0 <= eps[1]:
            raise ValueError(f'epsilon2 should be >= 0 but is: {eps[1]}')
        if not 1.0 <= d:
            raise ValueError(f'Clipping threshold d should be >= 1 but is: {d}')
        if not 0.0 <= weight_decay:
            raise ValueError(f'weight_decay should be >= 0 but is: {weight_decay}')
        defaults = {'lr': lr, 'beta2_decay': beta2_decay, 'eps': eps, 'd': d,
                    'weight_decay': weight_decay, 'foreach': foreach, 'maximize': maximize}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        self._setdefault_in_groups(foreach=None)
        self._steps_to_tensors()

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        g = p._grad._data
        st['step'] = _zero_step()
        if g.ndim > 1:
            st['row_var'] = _wrap(np.zeros(g.shape[:-1] + (1,), g.dtype))
            st['col_var'] = _wrap(np.zeros(g.shape[:-2] + (1,) + g.shape[-1:], g.dtype))
        else:
            st['variance'] = _wrap(np.zeros_like(g))

    def step(self, closure=None):
        """Performs one Adafactor step; returns ``closure()``'s loss when a closure is given."""
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            eps1, eps2 = group['eps']
            lr = _as_float(group['lr'])
            wd = group['weight_decay']
            decay = group['beta2_decay']
            clip = group['d']
            self._refuse_complex(group)
            maximize = group['maximize']
            for p, g, d, st in self._params_with_grad(group):
                if maximize:
                    g = np.negative(g)
                # NOTE: as in PyTorch, a missing eps1 becomes the machine epsilon of the
                # FIRST parameter's dtype and stays so for the rest of the group.
                if eps1 is None:
                    eps1 = float(np.finfo(d.dtype).eps)
                step = _tick(st['step'])
                w = step ** decay
                rho = min(lr, 1 / step ** 0.5)
                alpha = max(eps2, _rms(d)) * rho
                if wd != 0:
                    d *= 1 - lr * wd
                if g.ndim > 1:
                    row = st['row_var']._data
                    col = st['col_var']._data
                    sq = g * g
                    _lerp_(row, sq.sum(-1, keepdims=True) / g.shape[-1], w)
                    _lerp_(col, sq.sum(-2, keepdims=True) / g.shape[-2], w)
                    var = row * col
                    var /= np.maximum(row.mean(-2, keepdims=True), eps1)
                else:
                    var = st['variance']._data
                    _lerp_(var, g * g, w)
                    var = var.copy()
                # eps1 is squared because the square root is taken next.
                np.maximum(var, eps1 * eps1, out=var)
                np.sqrt(var, out=var)
                np.reciprocal(var, out=var)
                var *= g
                denom = max(1.0, _rms(var) / clip)
                var *= -alpha / denom
                d += var
                _bump(p)
        return loss
