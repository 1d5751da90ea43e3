"""torch.quasirandom: the Sobol low-discrepancy sequence engine.

The direction numbers are Joe and Kuo's D(6) set for 21201 dimensions (the table PyTorch compiles
into ATen), stored bit-packed in ``_sobol_directions.bin`` (written by
tools/make_sobol_directions.py) and decoded once, on the first engine built.
"""
from __future__ import annotations

import os

import numpy as np

from .._dtype import get_default_dtype, dtype as _dtype
from .._ops.random import Generator, randint
from .._tensor import Tensor, _wrap

__all__ = ['SobolEngine']

_MAXDEG = 18
_table: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


def _load_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(degree, inner polynomial coefficients, initial direction numbers) for every dimension:
    int64 arrays of shapes (D,), (D,) and (D, 18)."""
    global _table
    if _table is not None:
        return _table
    path = os.path.join(os.path.dirname(__file__), '_sobol_directions.bin')
    with open(path, 'rb') as f:
        raw = f.read()
    if raw[:8] != b'NTSOBOL1':
        raise RuntimeError(f'{path} is not a numtorch Sobol direction-number table')
    ndim = int(np.frombuffer(raw, '<u4', 1, 8)[0])
    counts = np.frombuffer(raw, '<u4', _MAXDEG + 1, 12).astype(np.int64)
    bits = np.unpackbits(np.frombuffer(raw, np.uint8, offset=12 + 4 * (_MAXDEG + 1)))
    deg = np.repeat(np.arange(_MAXDEG + 1), counts)
    inner = np.zeros(ndim, np.int64)
    pos = 0
    start = int(counts[0])
    for m in range(1, _MAXDEG + 1):
        c = int(counts[m])
        if c and m > 1:
            field = bits[pos:pos + c * (m - 1)].reshape(c, m - 1).astype(np.int64)
            inner[start:start + c] = field @ (1 << np.arange(m - 2, -1, -1, dtype=np.int64))
            pos += c * (m - 1)
        start += c
    init = np.zeros((ndim, _MAXDEG), np.int64)
    init[0, 0] = 1  # dimension 0 has degree 0; its column is all ones regardless
    for i in range(_MAXDEG):
        first = int(np.searchsorted(deg, i, side='right'))  # dims of degree > i: a suffix
        c = ndim - first
        if i:
            field = bits[pos:pos + c * i].reshape(c, i).astype(np.int64)
            half = field @ (1 << np.arange(i - 1, -1, -1, dtype=np.int64))
            pos += c * i
        else:
            half = 0
        init[first:, i] = 2 * half + 1
    _table = (deg, inner, init)
    return _table


def _initial_state(dimension: int, maxbit: int) -> np.ndarray:
    """The (dimension, maxbit) int64 direction numbers v[d, j] scaled to maxbit bits, built by
    the Bratley-Fox recurrence from each dimension's primitive polynomial."""
    deg, inner, init = _load_table()
    state = np.zeros((dimension, maxbit), np.int64)
    state[0] = 1
    for m in np.unique(deg[:dimension]):
        m = int(m)
        if m == 0:
            continue
        rows = np.nonzero(deg[:dimension] == m)[0]
        v = state[rows]
        v[:, :m] = init[rows, :m]
        # polynomial x^m + a_1 x^(m-1) + ... + 1: bit (m - 1 - k) of p = (1 a_1 .. a_{m-1} 1)
        p = (1 << m) | (inner[rows] << 1) | 1
        for j in range(m, maxbit):
            newv = v[:, j - m].copy()
            for k in range(m):
                coef = (p >> (m - 1 - k)) & 1
                newv ^= coef * (v[:, j - k - 1] << (k + 1))
            v[:, j] = newv
        state[rows] = v
    return state << np.arange(maxbit - 1, -1, -1, dtype=np.int64)


class SobolEngine:
    r"""Generator of (optionally scrambled) Sobol sequences in up to 21201 dimensions.

    The points come in Gray-code order: each new point XORs one direction number into the
    previous one, so ``draw`` continues where the last call stopped. With ``scramble=True``
    the direction numbers are multiplied by random lower-triangular bit matrices and the
    sequence is shifted by a random digital shift (Owen's linear matrix scrambling), both drawn
    from a generator seeded with ``seed`` exactly as PyTorch draws them, so a seed gives
    PyTorch's points.

    Args:
        dimension: the dimensionality of the points, in [1, 21201].
        scramble: scramble the sequence. Default: ``False``.
        seed: the scrambling seed; ``None`` draws from the default generator.
    """

    MAXBIT = 30
    MAXDIM = 21201

    def __init__(self, dimension: int, scramble: bool = False, seed: int | None = None) -> None:
        if dimension > self.MAXDIM or dimension < 1:
            raise ValueError('Supported range of dimensionality '
                             f'for SobolEngine is [1, {self.MAXDIM}]')
        self.seed = seed
        self.scramble = scramble
        self.dimension = dimension
        self.sobolstate = _wrap(_initial_state(dimension, self.MAXBIT))
        if not self.scramble:
            self.shift = _wrap(np.zeros(dimension, np.int64))
        else:
            self._scramble()
        self.quasi = _wrap(self.shift._data.copy())
        # NOTE: PyTorch divides the long shift by 2**30 in the default dtype of the moment the
        # engine is built and only casts later, so a float64 draw of a scrambled engine keeps
        # a float32-rounded first point when the default dtype was float32.
        fdt = get_default_dtype().np
        first = self.shift._data.astype(fdt) / fdt.type(2 ** self.MAXBIT)
        self._first_point = _wrap(first.reshape(1, -1))
        self.num_generated = 0

    def _advance(self, n: int, start: int) -> np.ndarray:
        """The next n quasi integers (rows) after the current one, for point indices start,
        start+1, ...; updates self.quasi."""
        idx = np.arange(start, start + n, dtype=np.int64)
        # Gray code: point i+1 flips the direction number of the lowest zero bit of i
        col = _lowest_zero_bit(idx)
        steps = self.sobolstate._data[:, col].T
        rows = np.bitwise_xor.accumulate(steps, axis=0) ^ self.quasi._data
        if len(rows):
            self.quasi = _wrap(rows[-1].copy())
        return rows

    def _draw_rows(self, n: int, start: int, np_dtype) -> np.ndarray:
        # ATen's draw kernel is written for float and double only; the first point alone
        # is a plain cast, so a fresh engine's draw(1) takes any dtype
        if np_dtype != np.float32 and np_dtype != np.float64:
            raise NotImplementedError(f'"_sobol_engine_draw" not implemented for '
                                      f"'{_ATEN_NAMES.get(np_dtype.name, np_dtype.name)}'")
        if n < 0:
            raise RuntimeError(f'Trying to create tensor with negative dimension {n}: '
                               f'[{n}, {self.dimension}]')
        rows = self._advance(n, start)
        return rows.astype(np_dtype) * np_dtype.type(1.0 / (1 << self.MAXBIT))

    def draw(self, n: int = 1, out: Tensor | None = None,
             dtype: _dtype | None = None) -> Tensor:
        """The next ``n`` points of the sequence, shape (n, dimension), in ``dtype`` (default:
        the default dtype). Later draws continue the same sequence."""
        if dtype is None:
            dtype = get_default_dtype()
        npd = dtype.np
        if self.num_generated == 0:
            first = self._first_point._data.astype(npd)
            if n == 1:
                arr = first
            else:
                arr = np.concatenate((first, self._draw_rows(n - 1, 0, npd)), axis=0)
        else:
            arr = self._draw_rows(n, self.num_generated - 1, npd)
        self.num_generated += n
        result = _wrap(arr)
        if out is not None:
            out.resize_as_(result).copy_(result)
            return out
        return result

    def draw_base2(self, m: int, out: Tensor | None = None,
                   dtype: _dtype | None = None) -> Tensor:
        """The next ``2**m`` points; the total drawn must stay a power of two (the balance
        property of Sobol points), else ValueError."""
        n = 2 ** m
        total_n = self.num_generated + n
        if not (total_n & (total_n - 1) == 0):
            raise ValueError("The balance properties of Sobol' points require "
                             f'n to be a power of 2. {self.num_generated} points have been '
                             f'previously generated, then: n={self.num_generated}+2**{m}='
                             f'{total_n}. If you still want to do this, please use '
                             "'SobolEngine.draw()' instead.")
        return self.draw(n=n, out=out, dtype=dtype)

    def reset(self) -> 'SobolEngine':
        """Back to the first point of the (same) sequence."""
        self.quasi = _wrap(self.shift._data.copy())
        self.num_generated = 0
        return self

    def fast_forward(self, n: int) -> 'SobolEngine':
        """Skip ``n`` points, as if they had been drawn."""
        if self.num_generated == 0:
            self._advance(n - 1, 0)
        else:
            self._advance(n, self.num_generated - 1)
        self.num_generated += n
        return self

    def _scramble(self) -> None:
        g = None
        if self.seed is not None:
            g = Generator()
            g.manual_seed(self.seed)
        bitsn = self.MAXBIT
        shift_ints = randint(2, (self.dimension, bitsn), generator=g)._data
        self.shift = _wrap(shift_ints @ (1 << np.arange(bitsn, dtype=np.int64)))
        ltm = np.tril(randint(2, (self.dimension, bitsn, bitsn), generator=g)._data)
        ltm[:, np.arange(bitsn), np.arange(bitsn)] = 1
        # NOTE: ATen reads row p of each matrix as the integer sum_k ltm[p, k] 2^(29-k) and
        # takes its bit-parity dot product with each direction number; the parity for row p
        # becomes bit (29 - p) of the scrambled number. Bit k of that row integer is
        # ltm[p, 29 - k], so the dot product is a 0/1 matmul over reversed bit order.
        v = self.sobolstate._data
        vbits = (v[:, :, None] >> np.arange(bitsn - 1, -1, -1, dtype=np.int64)) & 1
        par = (vbits @ ltm.transpose(0, 2, 1)) & 1  # (D, j, p)
        self.sobolstate = _wrap(par @ (1 << np.arange(bitsn - 1, -1, -1, dtype=np.int64)))

    def __repr__(self) -> str:
        fmt_string = [f'dimension={self.dimension}']
        if self.scramble:
            fmt_string += ['scramble=True']
        if self.seed is not None:
            fmt_string += [f'seed={self.seed}']
        return self.__class__.__name__ + '(' + ', '.join(fmt_string) + ')'


_ATEN_NAMES = {'float16': 'Half', 'int64': 'Long', 'int32': 'Int', 'int16': 'Short',
               'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool'}


def _lowest_zero_bit(idx: np.ndarray) -> np.ndarray:
    """0-based position of the lowest zero bit of each non-negative integer."""
    low = ~idx & (idx + 1)  # isolates that bit
    return np.log2(low.astype(np.float64)).astype(np.int64)
