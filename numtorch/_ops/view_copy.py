"""PyTorch's ``*_copy`` functions (``torch.view_copy``, ``torch.permute_copy``, ...) and the
top-level split/view variants (``split_with_sizes``, ``unsafe_split``, ``narrow_copy``,
``adjoint``, ``detach``, ``positive``).

A ``*_copy`` function is its view op followed by a copy into fresh contiguous memory. The
view op (defined once in shape.py) records the one graph node; the copy is taken under the
same node, renamed as PyTorch names it (``ViewBackward0_copy``), so the result is one node
with the view's gradient and no aliasing of the input.
"""
from __future__ import annotations

import operator

import numpy as np

from .._tensor import Tensor, _wrap
from ._op import Op
from . import shape as _sh
from .shape import wrap_dim

__all__ = ['view_copy', 'permute_copy', 'transpose_copy', 't_copy', 'expand_copy',
           'squeeze_copy', 'unsqueeze_copy', 'select_copy', 'slice_copy', 'diagonal_copy',
           'split_copy', 'split_with_sizes_copy', 'unbind_copy', 'unfold_copy', 'alias_copy',
           'as_strided_copy', 'detach_copy', 'narrow_copy', 'split_with_sizes', 'unsafe_split',
           'unsafe_split_with_sizes', 'unsafe_chunk', 'adjoint', 'detach', 'positive']


def _rename(node, name: str) -> None:
    # A multi-output node is seen once per output: rename it once.
    if node._name != name:
        node._name = name


def _copy_of(r: Tensor, src: Tensor, name: str | None = None) -> Tensor:
    """A contiguous copy of the view ``r`` of ``src`` carrying r's graph node, renamed
    ``name`` (by default the view's name + '_copy')."""
    out = _wrap(np.array(r._data, order='C'))
    fn = r.grad_fn
    if fn is not None and fn is not src.grad_fn:
        if name is None:
            name = fn._name if fn._name.endswith('_copy') else fn._name + '_copy'
        _rename(fn, name)
        out._rg = True
        out.grad_fn = fn
        out._oi = r._oi
    return out


def _copies(rs, src: Tensor) -> list:
    return [_copy_of(r, src) for r in rs]


def view_copy(input: Tensor, size) -> Tensor:
    """``input.view(size)`` copied: any layout is accepted (the copy need not alias), and a
    dtype ``size`` reinterprets the bytes as ``view(dtype)`` does."""
    if not isinstance(size, (int, tuple, list)) and not hasattr(size, '__index__'):
        return _wrap(np.array(_sh.view(input, size)._data, order='C'))
    shape = _sh._infer_shape(_sh._sizes((size,)), input._data.size)
    return _copy_of(_sh.Reshape(shape).apply1(input), input)


def permute_copy(input: Tensor, dims) -> Tensor:
    return _copy_of(_sh.permute(input, dims), input)


def transpose_copy(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return _copy_of(_sh.transpose(input, dim0, dim1), input)


def t_copy(input: Tensor) -> Tensor:
    """``t(input)`` copied; 0-D and 1-D inputs also get a TBackward0_copy node, as PyTorch."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f't() expects a tensor with <= 2 dimensions, but self is {n}D')
    perm = tuple(range(n))[::-1]
    return _copy_of(_sh.Permute(perm, 'TBackward0').apply1(input), input)


def expand_copy(input: Tensor, size, *, implicit: bool = False) -> Tensor:
    return _copy_of(_sh.expand(input, size), input)


def squeeze_copy(input: Tensor, dim=None) -> Tensor:
    return _copy_of(_sh.squeeze(input, dim), input)


def unsqueeze_copy(input: Tensor, dim: int) -> Tensor:
    return _copy_of(_sh.unsqueeze(input, dim), input)


def select_copy(input: Tensor, dim: int, index: int) -> Tensor:
    return _copy_of(_sh.select(input, dim, index), input)


def slice_copy(input: Tensor, dim: int = 0, start: int | None = None, end: int | None = None,
               step: int = 1) -> Tensor:
    """``input[..., start:end:step, ...]`` along ``dim``, copied (bounds clamp as slicing)."""
    if step <= 0:
        raise RuntimeError('slice step must be positive')
    axis = wrap_dim(dim, input._data.ndim)
    key = (slice(None),) * axis + (slice(start, end, step),)
    return _copy_of(_sh._basic_view(input, key, 'SliceBackward0'), input)


def diagonal_copy(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    return _copy_of(_sh.diagonal(input, offset, dim1, dim2), input)


def split_copy(input: Tensor, split_size: int, dim: int = 0) -> list:
    return _copies(_sh.split(input, operator.index(split_size), dim), input)


def split_with_sizes_copy(input: Tensor, split_sizes, dim: int = 0) -> list:
    return _copies(split_with_sizes(input, split_sizes, dim), input)


def unbind_copy(input: Tensor, dim: int = 0) -> list:
    return _copies(_sh.unbind(input, dim), input)


def unfold_copy(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    return _copy_of(_sh.unfold(input, dimension, size, step), input)


def alias_copy(input: Tensor) -> Tensor:
    """A copy of ``input`` recorded as PyTorch's AliasBackward0_copy (gradient: identity)."""
    op = _sh.Reshape(input._data.shape)
    op._name = 'AliasBackward0'
    return _copy_of(op.apply1(input), input)


def as_strided_copy(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    return _copy_of(_sh.as_strided(input, size, stride, storage_offset), input)


class _DetachCopy(Op):
    """PyTorch records detach_copy with a node that refuses to differentiate."""
    _name = 'torch::autograd::NotImplemented'

    def forward(self, x):
        return np.array(x, order='C')

    def backward(self, gy):
        raise RuntimeError('derivative for aten::detach_copy is not implemented')


def detach_copy(input: Tensor) -> Tensor:
    """A copy of ``input``; as in PyTorch, it keeps requires_grad but cannot be
    differentiated through."""
    return _DetachCopy().apply1(input)


def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``narrow`` copied, recorded as PyTorch's NarrowCopyBackward0."""
    if isinstance(dim, int) and dim >= max(input._data.ndim, 1):
        raise RuntimeError('Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, '
                           'but got false.  (Could this error message be improved?  If so, '
                           'please report an enhancement request to PyTorch.)')
    return _copy_of(_sh.narrow(input, dim, start, length), input, 'NarrowCopyBackward0')


def split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """Views of consecutive pieces of the given sizes along ``dim`` (one
    SplitWithSizesBackward0 node)."""
    outs = _sh.split(input, list(split_sizes), dim)
    if outs and outs[0].grad_fn is not None:
        _rename(outs[0].grad_fn, 'SplitWithSizesBackward0')
    return outs


def _unsafe(outs, name: str) -> tuple:
    """The pieces without view tracking (PyTorch's unsafe_* skip it), under ``name``."""
    res = []
    for o in outs:
        t = _wrap(o._data)
        if o.grad_fn is not None:
            _rename(o.grad_fn, name)
            t._rg = True
            t.grad_fn = o.grad_fn
            t._oi = o._oi
        res.append(t)
    return tuple(res)


def unsafe_split(input: Tensor, split_size: int, dim: int = 0) -> tuple:
    """``split`` whose pieces are not tracked as views of ``input``."""
    return _unsafe(_sh.split(input, operator.index(split_size), dim), 'UnsafeSplitBackward0')


def unsafe_split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    return _unsafe(_sh.split(input, list(split_sizes), dim), 'UnsafeSplitWithSizesBackward0')


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    return _unsafe(_sh.chunk(input, chunks, dim), 'UnsafeSplitBackward0')


def adjoint(input: Tensor) -> Tensor:
    """The transpose of the last two dims (a view; the conjugate is a no-op for reals)."""
    n = input._data.ndim
    if n < 2:
        raise RuntimeError(f'tensor.adjoint() is only supported on matrices or batches of '
                           f'matrices. Got {n}-D tensor.')
    return _sh.transpose(input, -2, -1)


def detach(input: Tensor) -> Tensor:
    """A view of ``input`` cut from the graph."""
    return input.detach()


def positive(input: Tensor) -> Tensor:
    """``input`` itself (unary plus); bool tensors raise as PyTorch."""
    if input._data.dtype == np.bool_:
        raise RuntimeError('The `+` operator, on a bool tensor is not supported.')
    return input
