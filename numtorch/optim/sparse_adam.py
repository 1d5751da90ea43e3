"""SparseAdam: PyTorch's Adam for dense parameters with sparse gradients."""
from __future__ import annotations

from .._tensor import Tensor
from .optimizer import Optimizer

__all__ = ['SparseAdam']


class SparseAdam(Optimizer):
    """PyTorch's ``torch.optim.SparseAdam``.

    PyTorch's SparseAdam steps only with sparse-layout gradients (such as those of
    ``nn.Embedding(sparse=True)``) and refuses dense ones. numtorch has no sparse tensors,
    so every gradient is dense: construction and its argument checks behave as PyTorch's,
    and ``step()`` raises PyTorch's error as soon as a parameter has a gradient.
    """

    def __init__(self, params, lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError('Tensor lr must be 1-element')
        if not 0.0 < lr:
            raise ValueError(f'Invalid learning rate: {lr}')
        if not 0.0 < eps:
            raise ValueError(f'Invalid epsilon value: {eps}')
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f'Invalid beta parameter at index 0: {betas[0]}')
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f'Invalid beta parameter at index 1: {betas[1]}')
        defaults = {'lr': lr, 'betas': betas, 'eps': eps, 'maximize': maximize}
        super().__init__(params, defaults)
        # numtorch parameters are never sparse, so of PyTorch's two checks after construction
        # only the complex one can find anything.
        complex_params = [[i, j] for i, group in enumerate(self.param_groups)
                          for j, p in enumerate(group['params']) if p._data.dtype.kind == 'c']
        if complex_params:
            raise ValueError(f'Complex params at indices {complex_params}: SparseAdam does not '
                             'support complex parameters')

    def step(self, closure=None):
        """Raises PyTorch's dense-gradient error if any parameter has a gradient; with no
        gradients at all it only runs ``closure`` (PyTorch's step then does nothing)."""
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            for p in group['params']:
                if p._grad is not None:
                    raise RuntimeError('SparseAdam does not support dense gradients, please '
                                       'consider Adam instead')
        return loss
