"""Packed and padded batches of variable-length sequences (``torch.nn.utils.rnn``).

A :class:`PackedSequence` stores the valid steps of a batch of sequences sorted by
decreasing length, step by step: ``data`` holds ``batch_sizes[t]`` rows for step
``t``. Every recurrent layer accepts one and returns one.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from ... import _dtype
from ..._tensor import Tensor, _wrap
from ..._ops.creation import as_tensor
from ..._ops._random_kernels import _std_sort
from ..._ops.rnn import PackPadded, PadPacked, PadSequence

__all__ = ['PackedSequence', 'invert_permutation', 'pack_padded_sequence',
           'pad_packed_sequence', 'pad_sequence', 'unpad_sequence', 'pack_sequence',
           'unpack_sequence']


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def _bind(optional, fn):
    return None if optional is None else fn(optional)


class PackedSequence(PackedSequence_):
    """The data and ``batch_sizes`` of a packed batch, plus the permutation that sorted it.

    ``sorted_indices[i]`` is the original batch position of the i-th longest sequence;
    ``unsorted_indices`` is its inverse. Build one with :func:`pack_padded_sequence` or
    :func:`pack_sequence` rather than by hand. ``PackedSequence((data, batch_sizes))``
    is also accepted, as in PyTorch.
    """

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None, unsorted_indices: Tensor | None = None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            if batch_sizes.device.type != 'cpu':
                raise ValueError(
                    'batch_sizes should always be on CPU. Instances of PackedSequence should '
                    'never be created manually. They should be instantiated by functions like '
                    'pack_sequence and pack_padded_sequences in nn.utils.rnn. '
                    'https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence')
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        if not (isinstance(data, (list, tuple)) and len(data) == 2):
            raise AssertionError('Expected data to be a list or tuple of length 2')
        return super().__new__(cls, data[0], data[1], sorted_indices, unsorted_indices)

    def _with_data(self, data: Tensor) -> 'PackedSequence':
        # The indices follow data's device; batch_sizes always stays on the CPU.
        if data is self.data:
            return self
        dev = data.device
        return type(self)(data, self.batch_sizes, _bind(self.sorted_indices, lambda t: t.to(dev)),
                          _bind(self.unsorted_indices, lambda t: t.to(dev)))

    def to(self, *args, **kwargs) -> 'PackedSequence':
        """``data.to(*args, **kwargs)``; returns ``self`` when ``data`` is unchanged."""
        return self._with_data(self.data.to(*args, **kwargs))

    def cuda(self, *args, **kwargs) -> 'PackedSequence':
        return self._with_data(self.data.cuda(*args, **kwargs))

    def cpu(self, *args, **kwargs) -> 'PackedSequence':
        return self._with_data(self.data.cpu(*args, **kwargs))

    def pin_memory(self) -> 'PackedSequence':
        return type(self)(self.data.pin_memory(), self.batch_sizes,
                          _bind(self.sorted_indices, lambda t: t.pin_memory()),
                          _bind(self.unsorted_indices, lambda t: t.pin_memory()))

    def double(self) -> 'PackedSequence':
        return self.to(dtype=_dtype.float64)

    def float(self) -> 'PackedSequence':
        return self.to(dtype=_dtype.float32)

    def half(self) -> 'PackedSequence':
        return self.to(dtype=_dtype.float16)

    def long(self) -> 'PackedSequence':
        return self.to(dtype=_dtype.int64)

    def int(self) -> 'PackedSequence':
        return self.to(dtype=_dtype.int32)

    def short(self) -> 'PackedSequence':
        return self.to(dtype=_dtype.int16)

    def char(self) -> 'PackedSequence':
        return self.to(dtype=_dtype.int8)

    def byte(self) -> 'PackedSequence':
        return self.to(dtype=_dtype.uint8)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return self.data.is_pinned()


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a 1-D permutation tensor (None stays None)."""
    if permutation is None:
        return None
    p = permutation._data
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return _wrap(out)


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        a = lengths._data
        if a.ndim != 1:
            raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                               f'{a.ndim}D cpu Long tensor')
        return a.astype(np.int64)
    a = as_tensor(lengths, dtype=_dtype.int64)._data
    if a.ndim != 1:
        raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f'{a.ndim}D cpu Long tensor')
    return a


def _longer(p: tuple, q: tuple) -> bool:
    return p[0] > q[0]


def _sort_lengths(lengths: np.ndarray) -> np.ndarray:
    """The permutation ``torch.sort(lengths, descending=True)`` returns on the CPU.

    PyTorch sorts with ``std::sort`` (libstdc++'s introsort), which is not stable: for
    more than 16 lengths, equal lengths come out in an order set by its partitioning.
    That order decides which sequence is where in a packed batch, so it is reproduced
    with the step-by-step std::sort that topk's tie order uses (lengths are one per
    sequence: few enough for Python).
    """
    n = lengths.shape[0]
    if n <= 16:  # insertion sort only: stable
        return np.argsort(-lengths, kind='stable')
    a = list(zip(lengths.tolist(), range(n)))
    _std_sort(a, 0, n, _longer)
    return np.fromiter((p[1] for p in a), np.int64, n)


def _pack_index(lengths: np.ndarray, T: int, B: int, batch_first: bool):
    """(row index into the flattened padded input, batch_sizes) for sorted ``lengths``."""
    steps = np.arange(int(lengths[0]))
    mask = steps[:, None] < lengths[None, :]
    t, b = np.nonzero(mask)
    idx = b * T + t if batch_first else t * B + b
    return idx, mask.sum(1)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Packs a padded ``(T, B, *)`` batch (``(B, T, *)`` with ``batch_first``) whose
    sequences have the given ``lengths``.

    With ``enforce_sorted`` the lengths must already be in decreasing order; otherwise
    the batch is sorted here and the permutation kept in the result. Differentiable
    with respect to ``input``.
    """
    lens = _lengths_array(lengths)
    sorted_indices = None
    if not enforce_sorted:
        order = _sort_lengths(lens)
        lens = lens[order]
        sorted_indices = _wrap(order)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    shape = input._data.shape
    T, B = (shape[1], shape[0]) if batch_first else (shape[0], shape[1])
    if input._data.size == 0:
        raise RuntimeError('Cannot pack empty tensors.')
    if lens.shape[0] != B:
        raise RuntimeError(f'Expected `len(lengths)` to be equal to batch_size, but got '
                           f'{lens.shape[0]} (batch_size={B})')
    if lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if B > 1 and (lens[1:] > lens[:-1]).any():
        raise RuntimeError(
            '`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. '
            'You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence '
            'to sidestep this requirement if you do not need ONNX exportability.')
    if lens[0] > T:
        # NOTE: PyTorch does not check this and reads past the end of the input.
        raise RuntimeError(f'`lengths` array has an element ({int(lens[0])}) larger than the '
                           f'sequence dimension of the input ({T})')
    idx, batch_sizes = _pack_index(lens, T, B, batch_first)
    data = PackPadded(idx).apply1(input)
    return PackedSequence(data, _wrap(batch_sizes.astype(np.int64)), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None):
    """Unpacks a :class:`PackedSequence` into a padded tensor and the lengths.

    Returns ``(padded, lengths)`` with the batch in its original order; the padded
    time dimension is the longest length, or ``total_length`` when given.
    """
    bs = sequence.batch_sizes._data
    max_len = bs.shape[0]
    if total_length is not None:
        if total_length < max_len:
            raise ValueError('Expected total_length to be at least the length of the longest '
                             'sequence in input, but got '
                             f'total_length={total_length} and max sequence length being '
                             f'{max_len}')
        max_len = total_length
    data = sequence.data
    B = int(bs[0])
    j = np.arange(B)
    lengths = (bs[None, :] > j[:, None]).sum(1).astype(np.int64)
    idx, _ = _pack_index(lengths, max_len, B, batch_first)
    trail = data._data.shape[1:]
    shape = ((B, max_len) if batch_first else (max_len, B)) + trail
    padded = PadPacked(idx, shape, padding_value).apply1(data)
    lengths_t = _wrap(lengths)
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        return (padded.index_select(0 if batch_first else 1, unsorted),
                _wrap(lengths[unsorted._data]))
    return padded, lengths_t


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = 'right') -> Tensor:
    """Pads a list of ``(L_i, *)`` tensors to the longest length and stacks them:
    ``(T, B, *)``, or ``(B, T, *)`` with ``batch_first``; ``padding_side`` 'left' puts the
    padding before each sequence."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError('pad_sequence: Expected iterable for input sequences, but got arg '
                           f'of type: {type(sequences)}')
    seqs = tuple(sequences)
    if not seqs:
        raise RuntimeError('received an empty list of sequences')
    if padding_side not in ('left', 'right'):
        raise RuntimeError(f'Expected padding_side to be one of left or right, but got '
                           f'{padding_side}.')
    return PadSequence(batch_first, padding_value, padding_side == 'left').apply(*seqs)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor,
                   batch_first: bool = False) -> list[Tensor]:
    """Splits a padded batch back into a list of tensors of the given lengths.

    As in PyTorch, a time-major ``padded_sequences`` is transposed in place.
    """
    if not batch_first:
        padded_sequences.transpose_(0, 1)
    out = []
    for seq, length in zip(padded_sequences, lengths._data.tolist()):
        out.append(seq[:length])
    return out


def pack_sequence(sequences: list[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Packs a list of ``(L_i, *)`` tensors (``pad_sequence`` then ``pack_padded_sequence``)."""
    lengths = [v.size(0) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences held by a :class:`PackedSequence`, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
