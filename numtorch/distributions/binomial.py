"""The binomial distribution, and the per-element binomial sampler of PyTorch's CPU kernel
that ``torch.binomial`` (numtorch/_ops/binomial.py) runs and ``Binomial.sample`` calls."""
from __future__ import annotations

import math

import numpy as np

import numtorch as torch
from numtorch import Tensor
from numtorch._size import Size
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ['Binomial']

# lgamma(k + 1) - (k + 1/2) log(k + 1) + (k + 1) - log(sqrt(2 pi)) for k = 0..9
_STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983,
                  0.02079067210376509, 0.0166446911898211, 0.0138761288230707,
                  0.0118967099458917, 0.0104112652619720, 0.00925546218271273,
                  0.00833056343336287)


def _stirling_tail(k: float) -> float:
    if k <= 9:
        return _STIRLING_TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _inversion(count, prob, uniform) -> float:
    """The number of geometric waiting times that fit in ``count`` trials."""
    logprob = float(np.log1p(-prob))
    geom_sum = 0.0
    num = 0.0
    while True:
        geom_sum += math.ceil(math.log(uniform()) / logprob)
        if geom_sum > count:
            return num
        num += 1


def _btrs(count, prob, uniform, ft) -> float:
    """Hoermann's transformed rejection with squeeze (BTRS), for ``count * prob >= 10``.

    ``ft`` is the parameters' float type: PyTorch computes the products of ``count`` and
    ``prob`` in it and the rest in double, and so does this.
    """
    stddev = float(np.sqrt(count * prob * (ft(1) - prob)))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * float(prob)
    c = float(count * prob) + 0.5
    v_r = 0.92 - 4.2 / b
    r = float(prob / (ft(1) - prob))
    alpha = (2.83 + 5.1 / b) * stddev
    m = math.floor(float((count + ft(1)) * prob))
    n = float(count)
    while True:
        u = uniform() - 0.5
        v = uniform()
        us = 0.5 - abs(u)
        k = float(ft(math.floor((2 * a / us + b) * u + c)))
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = math.log(v * alpha / (a / (us * us) + b))
        bound = ((m + 0.5) * math.log((m + 1) / (r * (n - m + 1)))
                 + (n + 1) * math.log((n - m + 1) / (n - k + 1))
                 + (k + 0.5) * math.log(r * (n - k + 1) / (k + 1))
                 + _stirling_tail(m) + _stirling_tail(n - m)
                 - _stirling_tail(k) - _stirling_tail(n - k))
        if v <= bound:
            return k


def _binomial_one(count, prob, uniform, ft) -> float:
    if count <= 0 or prob <= 0:
        return 0.0
    if prob >= 1:
        return float(count)
    if prob <= 0.5:
        if count * prob >= 10:
            return _btrs(count, prob, uniform, ft)
        return _inversion(count, prob, uniform)
    if prob > 0.5:
        q = ft(1.0 - float(prob))
        if count * q >= 10:
            return float(count) - _btrs(count, q, uniform, ft)
        return float(count) - _inversion(count, q, uniform)
    return math.nan


def _clamp_by_zero(x: Tensor) -> Tensor:
    # max(x, 0) whose gradient at 0 is 1/2, as PyTorch's
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


def _init_counts(d: Distribution, total_count, probs, logits, validate_args) -> None:
    """Binomial's and NegativeBinomial's parameters: ``total_count`` broadcast against
    ``probs`` or ``logits`` (exactly one of them) and cast to its dtype."""
    if (probs is None) == (logits is None):
        raise ValueError('Either `probs` or `logits` must be specified, but not both.')
    if probs is not None:
        d.total_count, d.probs = broadcast_all(total_count, probs)
        d._param = d.probs
    else:
        d.total_count, d.logits = broadcast_all(total_count, logits)
        d._param = d.logits
    d.total_count = d.total_count.type_as(d._param)
    Distribution.__init__(d, d._param.size(), validate_args=validate_args)


def _expand_counts(d: Distribution, cls, batch_shape, _instance):
    new = d._get_checked_instance(cls, _instance)
    batch_shape = Size(batch_shape)
    new.total_count = d.total_count.expand(batch_shape)
    for name in ('probs', 'logits'):
        if name in d.__dict__:
            setattr(new, name, getattr(d, name).expand(batch_shape))
            new._param = getattr(new, name)
    Distribution.__init__(new, batch_shape, validate_args=False)
    new._validate_args = d._validate_args
    return new


class Binomial(Distribution):
    """The number of successes in ``total_count`` Bernoulli trials with success
    probability ``probs`` (or ``sigmoid(logits)``). ``sample`` repeats PyTorch's
    ``torch.binomial`` draw for draw (inversion below 10 expected successes, BTRS above)."""
    arg_constraints = {'total_count': constraints.nonnegative_integer,
                       'probs': constraints.unit_interval, 'logits': constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None,
                 validate_args: bool | None = None) -> None:
        _init_counts(self, total_count, probs, logits, validate_args)

    def expand(self, batch_shape, _instance=None):
        return _expand_counts(self, Binomial, batch_shape, _instance)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    def sample(self, sample_shape=Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with torch.no_grad():
            return torch.binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        log_factorial_n = torch.lgamma(self.total_count + 1)
        log_factorial_k = torch.lgamma(value + 1)
        log_factorial_nmk = torch.lgamma(self.total_count - value + 1)
        # NOTE: k log p + (n - k) log(1 - p) written in the logits, stable for both signs:
        # k * logit - n * max(logit, 0) - n * log1p(exp(-|logit|)).
        normalize_term = (self.total_count * _clamp_by_zero(self.logits)
                          + self.total_count * torch.log1p(torch.exp(-torch.abs(self.logits)))
                          - log_factorial_n)
        return value * self.logits - log_factorial_k - log_factorial_nmk - normalize_term

    def _homogeneous_count(self, what: str) -> int:
        total_count = int(self.total_count.max())
        if not self.total_count.min() == total_count:
            raise NotImplementedError(f'Inhomogeneous total count not supported by `{what}`.')
        return total_count

    def entropy(self) -> Tensor:
        self._homogeneous_count('entropy')
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(torch.exp(log_prob) * log_prob).sum(0)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        total_count = self._homogeneous_count('enumerate_support')
        values = torch.arange(1 + total_count, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + self._batch_shape)
        return values
