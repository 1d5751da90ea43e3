"""Helpers shared by the distributions: broadcasting parameters, probs <-> logits, lazy
attributes."""
from __future__ import annotations

import numbers
from functools import update_wrapper

import numtorch as torch
from numtorch import Tensor

__all__ = ['broadcast_all', 'logits_to_probs', 'clamp_probs', 'probs_to_logits',
           'lazy_property', 'euler_constant', 'tril_matrix_to_vec', 'vec_to_tril_matrix']

euler_constant = 0.57721566490153286060  # the Euler-Mascheroni constant


def broadcast_all(*values) -> tuple:
    """The values broadcast to one shape, numbers made tensors of the first tensor's dtype
    (the default dtype if there is none)."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError('Input arguments must all be instances of Number, torch.Tensor or '
                         'objects implementing __torch_function__.')
    if not all(isinstance(v, Tensor) for v in values):
        dt = next((v.dtype for v in values if isinstance(v, Tensor)),
                  torch.get_default_dtype())
        values = [v if isinstance(v, Tensor) else torch.tensor(v, dtype=dt) for v in values]
    return torch.broadcast_tensors(*values)


def _standard_normal(shape, dtype, device) -> Tensor:
    """Standard normals drawn as ``torch.empty(shape).normal_()`` draws them."""
    return torch.empty(shape, dtype=dtype).normal_()


def _sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """``value`` summed over its ``dim`` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Probabilities from logits: the sigmoid of log-odds (binary), else a softmax over the
    last dimension."""
    if is_binary:
        return torch.sigmoid(logits)
    return torch.softmax(logits, -1)


def clamp_probs(probs: Tensor) -> Tensor:
    """``probs`` clamped to ``[eps, 1 - eps]``, ``eps`` its dtype's machine epsilon."""
    eps = torch.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Logits from probabilities (clamped away from 0 and 1): log-odds for the binary case,
    else their logs."""
    ps = clamp_probs(probs)
    if is_binary:
        return torch.log(ps) - torch.log1p(-ps)
    return torch.log(ps)


class lazy_property:
    """A non-data descriptor that computes the attribute on first access (with grad mode on)
    and then stores it on the instance."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with torch.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def _tril_mask(n: int, diag: int) -> Tensor:
    arange = torch.arange(n)
    return arange < arange.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The entries of the (batched) square matrix on and below diagonal ``diag``, row by
    row, as a vector."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f'diag ({diag}) provided is outside [{-n}, {n - 1}].')
    return mat[..., _tril_mask(n, diag)]


def vec_to_tril_matrix(vec: Tensor, diag: int = 0) -> Tensor:
    """The inverse of :func:`tril_matrix_to_vec`: a (batched) square matrix, zero above
    diagonal ``diag``, filled row by row from ``vec``."""
    # NOTE: n is the positive root of n^2 + (1 + 2 diag) n - |diag| (diag + 1) - 2 len = 0.
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1]
                            + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    eps = torch.finfo(vec.dtype).eps
    if round(n) - n > eps:
        raise ValueError(f'The size of last dimension is {vec.shape[-1]} which cannot be '
                         'expressed as the lower triangular part of a square D x D matrix.')
    n = round(n)
    mat = vec.new_zeros(tuple(vec.shape[:-1]) + (n, n))
    mat[..., _tril_mask(n, diag)] = vec
    return mat
