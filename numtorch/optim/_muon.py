"""Muon: momentum SGD whose update is orthogonalised by a Newton-Schulz iteration."""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import Optimizer, _as_float, _bump, _lerp_

__all__ = ['Muon']

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(a: np.ndarray) -> np.ndarray:
    """``a`` rounded to bfloat16 (round to nearest even), held as float32.

    numtorch has no bfloat16 dtype; PyTorch runs the Newton-Schulz iteration in bfloat16,
    so every step here computes in float32 and rounds its result as a bfloat16 kernel
    stores it (float accumulation, one rounding per op).
    """
    bits = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)
    # NOTE: adding 0x7FFF plus the lowest kept bit, then truncating the low 16 bits,
    # rounds half to even; NaN inputs never reach here (gradients are finite).
    bits = bits + (np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1)))
    bits &= np.uint32(0xFFFF0000)
    return bits.view(np.float32)


def _zeropower_via_newtonschulz(grad: np.ndarray, ns_coefficients: tuple[float, float, float],
                                ns_steps: int, eps: float) -> np.ndarray:
    """The quintic Newton-Schulz iteration of PyTorch's Muon: approximately ``U V^T`` of
    ``grad = U S V^T`` (singular values pushed towards 1), in bfloat16 precision."""
    if ns_steps >= 100:
        raise ValueError('Number of steps must be less than 100 for computational efficiency')
    if grad.ndim != 2:
        raise ValueError('Input tensor gradient must be a 2D matrix')
    if len(ns_coefficients) != 3:
        raise ValueError('Coefficients must be a tuple of exactly 3 values')
    a, b, c = ns_coefficients
    x = _bf16(grad)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    flat = x.reshape(-1)
    norm = _bf16(np.float32(np.sqrt(np.dot(flat, flat))))
    x = _bf16(x / max(norm, _bf16(np.float32(eps))))
    for _ in range(ns_steps):
        gram = _bf16(x @ x.T)
        gram = _bf16(b * gram + c * (gram @ gram))
        x = _bf16(a * x + gram @ x)
    return x.T if tall else x


def _adjust_lr(lr: float, adjust_lr_fn: str | None, param_shape) -> float:
    """The learning rate scaled for a ``param_shape`` = (A, B) matrix."""
    A, B = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == 'original':
        ratio = math.sqrt(max(1, A / B))
    elif adjust_lr_fn == 'match_rms_adamw':
        ratio = 0.2 * math.sqrt(max(A, B))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    """PyTorch's ``torch.optim.Muon`` (2-D parameters only).

    ``B = lerp(B, g, 1 - momentum)``; the update ``lerp(g, B, momentum)`` (Nesterov) or
    ``B`` is orthogonalised by ``ns_steps`` Newton-Schulz iterations with coefficients
    ``(a, b, c)`` in bfloat16, then ``p *= 1 - lr*weight_decay`` and ``p -= lr' * O`` with
    ``lr' = lr*sqrt(max(1, A/B))`` ('original') or ``0.2*lr*sqrt(max(A, B))``
    ('match_rms_adamw') for an A x B parameter.
    """

    def __init__(self, params, lr: float = 1e-3, weight_decay: float = 0.1,
                 momentum: float = 0.95, nesterov: bool = True,
                 ns_coefficients: tuple[float, float, float] = (DEFAULT_A, DEFAULT_B,
                                                                DEFAULT_C),
                 eps: float = EPS, ns_steps: int = DEFAULT_NS_STEPS,
                 adjust_lr_fn: str | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError('Tensor lr must be 1-element')
        if not 0.0 <= lr:
            raise ValueError(f'Learning rate should be >= 0 but is: {lr}')
        if not 0.0 <= momentum:
            raise ValueError(f'momentum should be >= 0 but is: {momentum}')
        if not 0.0 <= weight_decay:
            raise ValueError(f'weight decay should be >= 0 but is: {weight_decay}')
        if adjust_lr_fn is not None and adjust_lr_fn not in ['original', 'match_rms_adamw']:
            raise ValueError(f'Adjust learning rate function {adjust_lr_fn} is not supported')
        defaults = {'lr': lr, 'weight_decay': weight_decay, 'momentum': momentum,
                    'nesterov': nesterov, 'ns_coefficients': ns_coefficients, 'eps': eps,
                    'ns_steps': ns_steps, 'adjust_lr_fn': adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group['params']:
                if p.ndim != 2:
                    raise ValueError('Muon only supports 2D parameters whereas we found a '
                                     f'parameter with size: {p.size()}')

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        st['momentum_buffer'] = _wrap(np.zeros_like(p._grad._data))

    def step(self, closure=None):
        """Performs one Muon step; returns ``closure()``'s loss when a closure is given."""
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            lr = _as_float(group['lr'])
            wd = group['weight_decay']
            momentum = group['momentum']
            self._refuse_complex(group)
            for p, g, d, st in self._params_with_grad(group):
                if 'momentum_buffer' not in st:
                    self._init_state(st, p, group)
                if g.ndim != 2:
                    raise ValueError('Param gradient must be a 2D matrix')
                buf = st['momentum_buffer']._data
                _lerp_(buf, g, 1 - momentum)
                if group['nesterov']:
                    update = g.copy()
                    _lerp_(update, buf, momentum)
                else:
                    update = buf
                ortho = _zeropower_via_newtonschulz(update, group['ns_coefficients'],
                                                    group['ns_steps'], group['eps'])
                adjusted_lr = _adjust_lr(lr, group['adjust_lr_fn'], d.shape)
                d *= 1 - lr * wd
                ortho = ortho.astype(d.dtype, copy=False) * -adjusted_lr
                d += ortho
                _bump(p)
        return loss
