"""``unique_consecutive``: runs of equal values (or equal slices along ``dim``) collapsed to
one, with the inverse map and the run lengths."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ._op import Op
from .shape import wrap_dim

__all__ = ['unique_consecutive']


class UniqueConsecutive(Op):
    """Forward keeps the first element of each run; PyTorch defines no derivative."""
    _name = 'UniqueConsecutiveBackward0'

    def __init__(self, keep: np.ndarray, axis: int | None) -> None:
        self.keep, self.axis = keep, axis

    def forward(self, x):
        if self.axis is None:
            return x.reshape(-1)[self.keep]
        return np.take(x, self.keep, axis=self.axis)

    def backward(self, gy):
        raise NotImplementedError("the derivative for 'unique_consecutive' is not implemented.")


def unique_consecutive(input: Tensor, return_inverse: bool = False,
                       return_counts: bool = False, dim: int | None = None):
    """The first element of every run of equal consecutive values of the flattened ``input``
    (or of equal consecutive slices along ``dim``); with ``return_inverse`` the run number of
    each element (slice), with ``return_counts`` each run's length. NaNs never compare equal."""
    d = input._data
    if dim is None:
        flat = d.reshape(-1)
        new = flat[1:] != flat[:-1]
        axis = None
        inv_shape = d.shape
    else:
        axis = wrap_dim(dim, d.ndim)
        m = np.moveaxis(d, axis, 0)
        new = (m[1:] != m[:-1]).reshape(max(d.shape[axis] - 1, 0), -1).any(axis=1) \
            if d.shape[axis] > 1 else np.zeros(0, bool)
        inv_shape = (d.shape[axis],)
    n = new.size + 1 if (d.size if dim is None else d.shape[axis]) else 0
    starts = np.flatnonzero(np.concatenate(([True], new))) if n else np.zeros(0, np.int64)
    out = UniqueConsecutive(starts, axis).apply1(input)
    if not (return_inverse or return_counts):
        return out
    res = [out]
    if return_inverse:
        inv = np.cumsum(np.concatenate(([0], new.astype(np.int64)))) if n else np.zeros(0)
        res.append(_wrap(inv.astype(np.int64).reshape(inv_shape)))
    if return_counts:
        res.append(_wrap(np.diff(np.append(starts, n)).astype(np.int64)))
    return tuple(res)
