"""ExponentialFamily: distributions with density ``h(x) exp(<t(x), theta> - F(theta))``."""
from __future__ import annotations

import numtorch as torch
from numtorch import Tensor
from .distribution import Distribution

__all__ = ['ExponentialFamily']


class ExponentialFamily(Distribution):
    """A distribution of the exponential family, given by its natural parameters
    ``_natural_params``, its log normalizer ``_log_normalizer`` and the mean of its carrier
    measure; its entropy is the Bregman divergence of the log normalizer, and the KL
    divergence of two of the same family comes from them too."""

    @property
    def _natural_params(self) -> tuple:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> float:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """``F(theta) - <theta, grad F(theta)> - E[log h(x)]``, the gradient by autograd."""
        result = -self._mean_carrier_measure
        params = [p.detach().requires_grad_() for p in self._natural_params]
        lg = self._log_normalizer(*params)
        grads = torch.autograd.grad(lg.sum(), params, create_graph=True)
        result = result + lg
        for p, g in zip(params, grads):
            result = result - (p * g).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
