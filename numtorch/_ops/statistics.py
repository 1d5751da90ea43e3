"""Statistics and integration of sampled data: cov, corrcoef, trapezoid and
cumulative_trapezoid, composed of tensor ops in the order PyTorch composes them (so their
graphs end in the same nodes)."""
from __future__ import annotations

import warnings

from .._tensor import Tensor
from .arithmetic import DivS, MulS

__all__ = ['cov', 'corrcoef', 'trapezoid', 'cumulative_trapezoid']


def _scaled(t: Tensor, c: float, op=MulS) -> Tensor:
    """t * c (or t / c) as ATen's Tensor-Scalar op, whose node PyTorch numbers 1."""
    node = op(c)
    node._name = node._name[:-1] + '1'
    return node.apply1(t)


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (observations in the
    columns), with frequency and/or observation weights; ``correction`` 1 is Bessel's."""
    if input.dim() > 2:
        raise RuntimeError(f'cov(): expected input to have two or fewer dimensions but got an '
                           f'input with {input.dim()} dimensions')
    x = input.view(1, -1) if input.dim() < 2 else input
    n = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if not x.dtype.is_floating_point:
        x = x.float()
    w_sum = w.sum() if w is not None else float(n)
    avg = (x * w if w is not None else x).sum(1) / w_sum
    if w is not None and aweights is not None and correction != 0:
        norm = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        norm = w_sum - correction
    if float(norm) <= 0:
        warnings.warn('cov(): degrees of freedom is <= 0. Correction should be strictly less '
                      'than the number of observations.', stacklevel=2)
        norm = norm * 0 if isinstance(norm, Tensor) else 0.0
    xc = x - avg.unsqueeze(1)
    c = xc.mm((xc * w if w is not None else xc).t())
    return (c / norm).squeeze()


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the variables in the rows of ``input``."""
    if input.dim() > 2:
        raise RuntimeError(f'corrcoef(): expected input to have two or fewer dimensions but got '
                           f'an input with {input.dim()} dimensions')
    c = cov(input)
    if c.dim() == 0:
        return c / c
    std = c.diagonal().sqrt()
    c = c / std.view(-1, 1)
    c = c / std.view(1, -1)
    return c.clip(-1, 1)


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None,
              dim: int = -1) -> Tensor:
    """The trapezoidal-rule integral of ``y`` along ``dim``, at sample points ``x`` or
    spacing ``dx`` (1 by default)."""
    if x is not None and dx is not None:
        raise RuntimeError('trapezoid: received both x and dx arguments')
    if x is not None:
        d = x.diff(dim=dim if x.dim() == y.dim() else -1)
        n = y.shape[dim]
        mid = y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)
        return _scaled((d * mid).sum(dim), 2.0, DivS)
    step = 1.0 if dx is None else dx
    ends = y.select(dim, 0) + y.select(dim, -1)
    return _scaled(y.sum(dim) - _scaled(ends, 0.5), step)


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None,
                         dim: int = -1) -> Tensor:
    """The running trapezoidal-rule integral of ``y`` along ``dim``."""
    if x is not None and dx is not None:
        raise RuntimeError('cumulative_trapezoid: received both x and dx arguments')
    n = y.shape[dim]
    mid = y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)
    if x is not None:
        d = x.diff(dim=dim if x.dim() == y.dim() else -1)
        return _scaled((d * mid).cumsum(dim), 2.0, DivS)
    step = 1.0 if dx is None else dx
    return (_scaled(mid, step / 2.0)).cumsum(dim)
