"""Comparisons, predicates and logical/bitwise ops. None of these is differentiable:
they return bool (or integer) tensors without history."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap, _type_word
from .._dtype import result_dtype
from ._op import broadcast_error

__all__ = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'equal', 'isclose', 'allclose', 'isnan', 'isinf',
           'isposinf', 'isneginf', 'isfinite', 'isreal', 'logical_and', 'logical_or',
           'logical_xor', 'logical_not', 'bitwise_and', 'bitwise_or', 'bitwise_xor',
           'bitwise_not', 'bitwise_left_shift', 'bitwise_right_shift', 'isin', 'searchsorted',
           'bucketize']

_NUMBER = (int, float, complex, bool, np.number, np.bool_)


def _operands(a: Tensor, b):
    """Arrays for ``a`` and ``b`` promoted by PyTorch's rules; None if ``b`` is no operand."""
    if isinstance(b, Tensor):
        x, y = a._data, b._data
        if x.dtype != y.dtype:
            dt = result_dtype((a, b)).np
            x, y = x.astype(dt, copy=False), y.astype(dt, copy=False)
        return x, y
    if isinstance(b, _NUMBER):
        x = a._data
        if isinstance(b, (float, np.floating)) and x.dtype.kind not in 'fc':
            x = x.astype(result_dtype((a, float(b))).np)
        elif isinstance(b, (complex, np.complexfloating)) and x.dtype.kind != 'c':
            x = x.astype(result_dtype((a, complex(b))).np)
        return x, b.item() if isinstance(b, np.generic) else b
    return None


def _compare(fn, a, b):
    ops = _operands(a, b)
    if ops is None:
        if isinstance(b, (list, tuple, np.ndarray)):
            from .creation import tensor
            return _compare(fn, a, tensor(b))
        return NotImplemented
    try:
        return _wrap(fn(*ops))
    except ValueError:
        broadcast_error(np.shape(ops[0]), np.shape(ops[1]))
        raise


def _order(fn, name: str, a: Tensor, b) -> Tensor:
    """An ordering comparison: PyTorch defines none for complex numbers."""
    if a._data.dtype.kind == 'c' or isinstance(b, complex) or (
            isinstance(b, Tensor) and b._data.dtype.kind == 'c'):
        ops = _operands(a, b)
        if ops is not None:
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                      f"'{_type_word(np.asarray(ops[0]).dtype)}'")
    return _compare(fn, a, b)


def eq(input: Tensor, other) -> Tensor:
    """Element-wise ``input == other``."""
    return _compare(np.equal, input, other)


def ne(input: Tensor, other) -> Tensor:
    """Element-wise ``input != other``."""
    return _compare(np.not_equal, input, other)


def lt(input: Tensor, other) -> Tensor:
    return _order(np.less, 'lt', input, other)


def le(input: Tensor, other) -> Tensor:
    return _order(np.less_equal, 'le', input, other)


def gt(input: Tensor, other) -> Tensor:
    return _order(np.greater, 'gt', input, other)


def ge(input: Tensor, other) -> Tensor:
    return _order(np.greater_equal, 'ge', input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input: Tensor, other: Tensor) -> bool:
    """True if both tensors have the same shape and elements."""
    if input._data.shape != other._data.shape:
        return False
    return bool(np.array_equal(input._data, other._data))


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|`` element-wise."""
    x, y = _operands(input, other)
    return _wrap(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True if every element is close (see :func:`isclose`)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def isnan(input: Tensor) -> Tensor:
    return _wrap(np.isnan(input._data) if input._data.dtype.kind in 'fc'
                 else np.zeros(input._data.shape, bool))


def isinf(input: Tensor) -> Tensor:
    return _wrap(np.isinf(input._data) if input._data.dtype.kind in 'fc'
                 else np.zeros(input._data.shape, bool))


def isposinf(input: Tensor) -> Tensor:
    if input._data.dtype.kind == 'c':
        raise RuntimeError('isposinf does not support complex inputs.')
    return _wrap(np.isposinf(input._data) if input._data.dtype.kind == 'f'
                 else np.zeros(input._data.shape, bool))


def isneginf(input: Tensor) -> Tensor:
    if input._data.dtype.kind == 'c':
        raise RuntimeError('isneginf does not support complex inputs.')
    return _wrap(np.isneginf(input._data) if input._data.dtype.kind == 'f'
                 else np.zeros(input._data.shape, bool))


def isfinite(input: Tensor) -> Tensor:
    return _wrap(np.isfinite(input._data) if input._data.dtype.kind in 'fc'
                 else np.ones(input._data.shape, bool))


def isreal(input: Tensor) -> Tensor:
    """True where the imaginary part is zero (everywhere for a real tensor)."""
    d = input._data
    return _wrap(d.imag == 0 if d.dtype.kind == 'c' else np.ones(d.shape, bool))


def _logical(fn, a, b):
    y = b._data if isinstance(b, Tensor) else np.asarray(b)
    return _wrap(fn(a._data, y))


def logical_and(input: Tensor, other: Tensor) -> Tensor:
    return _logical(np.logical_and, input, other)


def logical_or(input: Tensor, other: Tensor) -> Tensor:
    return _logical(np.logical_or, input, other)


def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    return _logical(np.logical_xor, input, other)


def logical_not(input: Tensor) -> Tensor:
    return _wrap(np.logical_not(input._data))


def _bitwise(fn, name, a, b):
    ops = _operands(a, b)
    if ops is None:
        return NotImplemented
    x, y = ops
    if x.dtype.kind == 'f' or (isinstance(y, np.ndarray) and y.dtype.kind == 'f') or \
            isinstance(y, float):
        # (PyTorch names the dtype the operands promote to)
        raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                  f'\'{_type_word(result_dtype((a, b)).np)}\'')
    return _wrap(fn(x, y))


def bitwise_and(input: Tensor, other) -> Tensor:
    """``&``: logical and for bool tensors, bitwise for integers."""
    return _bitwise(np.bitwise_and, 'bitwise_and', input, other)


def bitwise_or(input: Tensor, other) -> Tensor:
    return _bitwise(np.bitwise_or, 'bitwise_or', input, other)


def bitwise_xor(input: Tensor, other) -> Tensor:
    return _bitwise(np.bitwise_xor, 'bitwise_xor', input, other)


def bitwise_left_shift(input: Tensor, other) -> Tensor:
    return _bitwise(np.left_shift, 'lshift', input, other)


def bitwise_right_shift(input: Tensor, other) -> Tensor:
    return _bitwise(np.right_shift, 'rshift', input, other)


def bitwise_not(input: Tensor) -> Tensor:
    """``~``: logical not for bool tensors, bitwise for integers."""
    d = input._data
    if d.dtype.kind == 'f':
        raise NotImplementedError(f'"bitwise_not_cpu" not implemented for '
                                  f'\'{_type_word(d.dtype)}\'')
    return _wrap(np.invert(d))


def isin(elements, test_elements, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """Whether each of ``elements`` occurs in ``test_elements`` (a bool tensor)."""
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _wrap(np.isin(e, t, assume_unique=assume_unique, invert=invert))


def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter: Tensor | None = None
                 ) -> Tensor:
    """For each value, the index at which inserting it keeps ``sorted_sequence`` (sorted
    along its last dim; a batch of rows matched with the rows of ``input``) sorted: before
    equal entries, or after them with ``right``/``side='right'``."""
    if side is not None:
        if side not in ('left', 'right'):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == 'left':
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == 'right'
    seq = sorted_sequence._data
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, -1)
    scalar = not isinstance(input, Tensor)
    vals = np.asarray(input) if scalar else input._data
    how = 'right' if right else 'left'
    if seq.ndim <= 1:
        idx = np.searchsorted(seq, vals, side=how)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError(f'torch.searchsorted(): boundaries tensor should be 1 dimension or '
                               f'the first N-1 dimensions of boundaries tensor and input value '
                               f'tensor must match, but we got boundaries tensor '
                               f'{list(seq.shape)} and input value tensor {list(vals.shape)}')
        rows, vrows = seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1])
        idx = np.stack([np.searchsorted(r, v, side=how) for r, v in zip(rows, vrows)])
        idx = idx.reshape(vals.shape)
    return _wrap(np.asarray(idx, np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    """The index of the bucket of ``boundaries`` (1-D, sorted) each value falls in:
    ``boundaries[i-1] < x <= boundaries[i]``, or ``<= x <`` with ``right``."""
    if boundaries.dim() != 1:
        raise RuntimeError(f'boundaries tensor must be 1 dimension, but got dim('
                           f'{boundaries.dim()})')
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
