"""make_tensor: a random tensor for tests, drawn as PyTorch draws it (same seed, same values)."""
from __future__ import annotations

import collections.abc
import math
import warnings
from typing import Optional

from .._tensor import Tensor
from .._dtype import (dtype as _dtype, bool_, uint8, int8, int16, int32, int64, float16, float32,
                      float64, finfo, iinfo)
from .._ops.creation import empty
from .._ops.random import randint

__all__ = ['make_tensor']

_INTEGRAL = (uint8, int8, int16, int32, int64)
_FLOATING = (float16, float32, float64)


def _bounds(low, high, dt, lowest, highest, default_low, default_high) -> tuple:
    """``low``/``high`` defaulted, validated and clamped to what ``dt`` holds (integers: both
    ceiled, since randint's ``high`` is exclusive)."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f'`low` and `high` cannot be NaN, but got low={low} and high={high}')
    if low == high and dt in _FLOATING:
        warnings.warn('Passing `low==high` to `torch.testing.make_tensor` for floating or '
                      'complex types is deprecated since 2.1 and will be removed in 2.3. Use '
                      '`torch.full(...)` instead.', FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f'`low` must be less than `high`, but got {low} >= {high}')
    elif high < lowest or low >= highest:
        raise ValueError(f'The value interval specified by `low` and `high` is [{low}, {high}), '
                         f'but {dt} only supports [{lowest}, {highest})')
    low = min(max(low, lowest), highest)
    high = min(max(high, lowest), highest)
    if dt is bool_ or dt in _INTEGRAL:
        return math.ceil(low), math.ceil(high)
    return low, high


def make_tensor(*shape, dtype: _dtype, device, low: Optional[float] = None,
                high: Optional[float] = None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False,
                memory_format=None) -> Tensor:
    """A tensor of ``shape`` filled with random values in ``[low, high)``.

    Defaults: [-9, 9) for floats, [-9, 10) for integers (clamped to the dtype's range), {0, 1}
    for bool. Integers come from ``randint``, floats from ``uniform_`` on numtorch's
    generator, so under the same ``manual_seed`` the values equal PyTorch's. ``noncontiguous``
    draws twice the last dim and keeps every other element (starting at 1); ``exclude_zero``
    replaces zeros by 1 (integers) or the dtype's smallest normal number (floats).
    """
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError('The parameters `noncontiguous` and `memory_format` are mutually '
                         f'exclusive, but got noncontiguous={noncontiguous} and '
                         f'memory_format={memory_format}')
    if requires_grad and (dtype is bool_ or dtype in _INTEGRAL):
        raise ValueError('`requires_grad=True` is not supported for boolean and integral dtypes, '
                         f'but got dtype={dtype}')
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        # twice the last dim, so that the kept elements are not neighbours in memory
        shape = (*shape[:-1], 2 * shape[-1])
    if dtype is bool_:
        low, high = _bounds(low, high, dtype, 0, 2, 0, 2)
        result = randint(low, high, shape, device=device, dtype=dtype)
    elif dtype in _INTEGRAL:
        info = iinfo(dtype)
        # (randint cannot draw int64's maximum: its exclusive bound would overflow)
        low, high = _bounds(low, high, dtype, info.min, info.max + (dtype is not int64), -9, 10)
        result = randint(low, high, shape, device=device, dtype=dtype)
    elif dtype in _FLOATING:
        fmax = finfo(dtype).max
        low, high = _bounds(low, high, dtype, finfo(dtype).min, fmax, -9, 9)
        result = empty(shape, device=device, dtype=dtype)
        if high - low >= fmax:
            # uniform_ needs high - low to be finite: draw half the range, then double
            result.uniform_(low / 2, high / 2).mul_(2)
        else:
            result.uniform_(low, high)
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by "
                        'torch.testing.make_tensor(). To request support, file an issue at: '
                        'https://github.com/pytorch/pytorch/issues')
    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if (dtype is bool_ or dtype in _INTEGRAL) else finfo(dtype).tiny
    if dtype in _FLOATING:
        result.requires_grad = requires_grad
    return result
