"""AdamW: Adam with weight decay applied to the parameters, not through the gradient."""
from __future__ import annotations

from .._tensor import Tensor
from .adam import Adam

__all__ = ['AdamW']


class AdamW(Adam):
    """PyTorch's ``torch.optim.AdamW``: each step first shrinks ``p *= 1 - lr*wd``,
    then takes the Adam step on the undecayed gradient."""

    def __init__(self, params, lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group['decoupled_weight_decay'] = True
