"""``default_collate`` and ``default_convert``: how a DataLoader turns a list of
samples into a batch, type by type exactly as PyTorch does.

A list of tensors becomes one stacked tensor; NumPy arrays and numbers become
tensors (Python floats as float64, ints as int64); strings stay as they are; tuples,
lists, namedtuples and mappings are collated element-wise (a plain tuple turns into
a list, as in PyTorch).
"""
from __future__ import annotations

import collections
import copy
import re
from collections.abc import Callable

import numpy as np

from ...._tensor import Tensor, _wrap
from ...._dtype import float64
from ...._ops.creation import as_tensor, tensor
from ...._ops.shape import stack

__all__ = ['default_collate', 'default_convert', 'collate', 'default_collate_fn_map',
           'collate_tensor_fn', 'collate_numpy_array_fn', 'collate_numpy_scalar_fn',
           'collate_float_fn', 'collate_int_fn', 'collate_str_fn']

np_str_obj_array_pattern = re.compile(r'[SaUO]')

default_collate_err_msg_format = (
    'default_collate: batch must contain tensors, numpy arrays, numbers, '
    'dicts or lists; found {}')


def default_convert(data):
    """Converts NumPy arrays and scalars (also inside containers) to tensors; used when
    automatic batching is off (``batch_size=None``)."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if (elem_type.__module__ == 'numpy' and elem_type.__name__ != 'str_'
            and elem_type.__name__ != 'string_'):
        # Arrays of strings or objects cannot become tensors: left alone.
        if (elem_type.__name__ == 'ndarray'
                and np_str_obj_array_pattern.search(data.dtype.str) is not None):
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:
            # The mapping type may not support copy() / update() / construction.
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, '_fields'):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map: dict | None = None):
    """Collates ``batch`` (a list of samples) by the type of its first element:
    ``collate_fn_map`` handles leaf types, containers recurse element-wise."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({key: collate([d[key] for d in batch],
                                           collate_fn_map=collate_fn_map) for key in elem})
                return clone
            return elem_type({key: collate([d[key] for d in batch],
                                           collate_fn_map=collate_fn_map) for key in elem})
        except TypeError:
            return {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                    for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, '_fields'):
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(elem) == elem_size for elem in it):
            raise RuntimeError('each element in list of batch should be of equal size')
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            # A plain tuple collates to a list (PyTorch keeps this for compatibility).
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = collate(samples, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(samples, collate_fn_map=collate_fn_map)
                              for samples in transposed])
        except TypeError:
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map: dict | None = None):
    elem = batch[0]
    a0 = elem._data
    dt, shape = a0.dtype, a0.shape
    if a0.ndim:
        for t in batch:
            d = t._data
            if type(t) is not Tensor or t._rg or d.dtype != dt or d.shape != shape:
                break
        else:
            # NOTE: same dtype and shape, nothing to differentiate: one concatenate gives
            # stack's result (a new contiguous array) without its per-call overhead.
            return _wrap(np.concatenate([t._data for t in batch]).reshape(
                (len(batch),) + shape))
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map: dict | None = None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map: dict | None = None):
    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map: dict | None = None):
    return tensor(batch, dtype=float64)


def collate_int_fn(batch, *, collate_fn_map: dict | None = None):
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map: dict | None = None):
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stacks a list of samples into a batch the way PyTorch's default collate does:
    e.g. a list of ``(tensor, int)`` pairs becomes ``[stacked_tensor, int64_tensor]``."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
