"""The gamma distribution."""
from __future__ import annotations


import numpy as np

import numtorch as torch
from numtorch import Tensor
from numtorch._size import Size
from numtorch._ops.igamma import gammainc
from . import constraints
from .exp_family import ExponentialFamily


__all__ = ['Gamma']


def _standard_gamma(concentration: Tensor) -> Tensor:
    """Gamma(concentration, 1) samples, without gradient.

    NOTE: PyTorch's ``_standard_gamma`` kernel cannot be reproduced draw for draw from
    numtorch's primitives; this uses Marsaglia and Tsang's method (squeezed normal cubes,
    boosted by ``U^(1/a)`` for ``a < 1``) on numtorch's generator, so samples have the
    right distribution but differ from PyTorch's for the same seed.
    """
    a = concentration.detach().numpy().astype(np.float64).ravel()
    boost = a < 1
    d = np.where(boost, a + 1, a) - 1.0 / 3
    c = 1.0 / np.sqrt(9 * d)
    out = np.empty_like(a)
    todo = np.flatnonzero(np.isfinite(d) & (d > 0))
    while todo.size:
        n = todo.size
        x = torch.randn(n, dtype=torch.float64).numpy()
        u = torch.rand(n, dtype=torch.float64).numpy()
        v = (1 + c[todo] * x) ** 3
        with np.errstate(invalid='ignore', divide='ignore'):
            ok = (v > 0) & (np.log(u) < 0.5 * x * x + d[todo] * (1 - v + np.log(v)))
        out[todo[ok]] = d[todo[ok]] * v[ok]
        todo = todo[~ok]
    bi = np.flatnonzero(boost)
    if bi.size:
        u = torch.rand(bi.size, dtype=torch.float64).numpy()
        out[bi] *= u ** (1 / a[bi])
    out[~(a > 0)] = np.nan
    res = out.reshape(tuple(concentration.shape)).astype(concentration.numpy().dtype)
    return torch.from_numpy(res)


class Gamma(ExponentialFamily):
    """The gamma distribution with shape ``concentration`` and inverse scale ``rate``.

    Samples are correctly distributed but are not PyTorch's for the same seed (see
    ``_standard_gamma``); ``rsample`` is differentiable with respect to ``rate`` only:
    with a ``concentration`` that requires grad it raises NotImplementedError.
    """
    arg_constraints = {'concentration': constraints.positive, 'rate': constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args: bool | None = None) -> None:
        self._set_params(validate_args, concentration=concentration, rate=rate)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Gamma, batch_shape, _instance, 'concentration', 'rate')

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=Size()) -> Tensor:
        if self.concentration.requires_grad and torch.is_grad_enabled():
            raise NotImplementedError('the reparameterized gradient of gamma samples with '
                                      'respect to concentration is not supported by numtorch')
        shape = self._extended_shape(sample_shape)
        value = _standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        value.detach().clamp_(min=torch.finfo(value.dtype).tiny)
        return value

    def log_prob(self, value) -> Tensor:
        value = torch.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (torch.xlogy(self.concentration, self.rate)
                + torch.xlogy(self.concentration - 1, value)
                - self.rate * value - torch.lgamma(self.concentration))

    def cdf(self, value) -> Tensor:
        """The regularized lower incomplete gamma ``P(concentration, rate * value)``."""
        if self._validate_args:
            self._validate_sample(value)
        return gammainc(self.concentration, self.rate * value)

    def entropy(self) -> Tensor:
        return (self.concentration - torch.log(self.rate) + torch.lgamma(self.concentration)
                + (1.0 - self.concentration) * torch.digamma(self.concentration))

    @property
    def _natural_params(self) -> tuple:
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return torch.lgamma(x + 1) + (x + 1) * torch.log(-y.reciprocal())
