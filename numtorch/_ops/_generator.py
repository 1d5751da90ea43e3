"""``torch.Generator`` for the CPU: PyTorch's mt19937 engine, its seeds and its state.

PyTorch's CPU generator is a 32-bit Mersenne Twister seeded with the standard
``init_genrand``; NumPy's ``MT19937`` with legacy seeding is the same engine, so both
produce the same raw words. ``Generator`` adds what PyTorch keeps beside the engine (the
64-bit seed and the cached Box-Muller values), converts its state to and from PyTorch's
own 5056 bytes, and hands out the words the way PyTorch's kernels take them.
"""
from __future__ import annotations

import math
import operator
import os
import struct

import numpy as np

from .._tensor import Tensor, _wrap
from .._device import check_device, CPU
from . import _random_kernels as _k

_DEFAULT_SEED = 67280421310721
_MASK64 = (1 << 64) - 1
_INT64_MIN = -(1 << 63)
f16, f32, f64 = np.float16, np.float32, np.float64
_U24 = f32(2.0 ** -24)
_U53 = 2.0 ** -53
_M24 = np.uint64((1 << 24) - 1)
_M53 = np.uint64((1 << 53) - 1)
_SH32 = np.uint64(32)
# Layout of PyTorch's CPUGeneratorImplState (the bytes of torch.get_rng_state()).
_STATE_SIZE = 5056
_KEY_AT, _NORMAL_Y_AT, _NORMAL_OK_AT, _FLOAT_AT, _FLOAT_OK_AT = 24, 5024, 5040, 5048, 5052


class Generator:
    """A pseudo-random number generator with PyTorch's CPU stream (``torch.Generator``).

    A new generator starts from PyTorch's default seed 67280421310721; ``manual_seed``
    makes it reproducible and ``get_state``/``set_state`` save and restore it.
    """
    __slots__ = ('device', '_bg', '_seed', '_cache', '_fcache')

    def __init__(self, device='cpu') -> None:
        check_device(device)
        self.device = CPU
        self._bg = np.random.MT19937()
        # The Box-Muller values PyTorch caches between calls (double and float).
        self._cache = None
        self._fcache = None
        self.manual_seed(_DEFAULT_SEED)

    # -- seeding and state ----------------------------------------------------
    def manual_seed(self, seed) -> 'Generator':
        """Seeds the generator; the stream then equals PyTorch's for the same seed."""
        try:
            seed = operator.index(seed)
        except TypeError:
            raise RuntimeError(f'manual_seed expected a long, but got {type(seed).__name__}'
                               ) from None
        if not _INT64_MIN <= seed <= _MASK64:
            raise ValueError('Overflow when unpacking long long')
        self._seed = seed & _MASK64
        # PyTorch keeps the 64-bit seed but the engine only sees its low 32 bits.
        self._bg._legacy_seeding(seed & 0xFFFFFFFF)
        self._cache = None
        self._fcache = None
        return self

    def seed(self) -> int:
        """Seeds from the operating system's entropy and returns the seed."""
        s = int.from_bytes(os.urandom(8), 'little')
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed last set (``manual_seed``/``seed``), as a 64-bit unsigned int."""
        return self._seed

    def get_state(self) -> Tensor:
        """The state as PyTorch's 5056-byte ``torch.ByteTensor``, byte for byte."""
        st = self._bg.state['state']
        key, pos = st['key'], int(st['pos'])
        if pos < 624:
            left, nxt = 625 - pos, pos
        else:
            # A fresh seed and an exhausted block both twist on the next draw; PyTorch
            # tells them apart by its read index (0 after seeding).
            fresh = np.random.MT19937()
            fresh._legacy_seeding(self._seed & 0xFFFFFFFF)
            left, nxt = 1, 0 if np.array_equal(fresh.state['state']['key'], key) else 624
        buf = bytearray(_STATE_SIZE)
        struct.pack_into('<QiiQ', buf, 0, self._seed, left, 1, nxt)
        buf[_KEY_AT:_KEY_AT + 624 * 8] = key.astype('<u8').tobytes()
        if self._cache is not None:
            struct.pack_into('<d', buf, _NORMAL_Y_AT, self._cache)
            struct.pack_into('<i', buf, _NORMAL_OK_AT, 1)
        if self._fcache is not None:
            struct.pack_into('<f', buf, _FLOAT_AT, self._fcache)
            buf[_FLOAT_OK_AT] = 1
        return _wrap(np.frombuffer(bytes(buf), np.uint8).copy())

    def set_state(self, new_state: Tensor) -> 'Generator':
        """Restores a state from ``get_state`` (numtorch's or PyTorch's bytes)."""
        a = new_state._data if isinstance(new_state, Tensor) else None
        if a is None or a.dtype != np.uint8:
            raise TypeError('RNG state must be a torch.ByteTensor')
        if a.size != _STATE_SIZE:
            raise RuntimeError(f'Expected a CPUGeneratorImplState of size {_STATE_SIZE} but '
                               f'found the input RNG state size to be {a.size}')
        buf = np.ascontiguousarray(a.reshape(-1)).tobytes()
        seed, left, seeded, nxt = struct.unpack_from('<QiiQ', buf, 0)
        nxt &= 0xFFFFFFFF
        if not (seeded and 0 < left <= 624 and nxt <= 624):
            raise RuntimeError('Invalid mt19937 state')
        if left == 1:
            pos = 624
        elif left + nxt == 625:
            pos = nxt
        else:
            raise NotImplementedError('set_state: an mt19937 state whose read index and '
                                      'remaining count disagree is not supported')
        key = (np.frombuffer(buf, '<u8', 624, _KEY_AT) & 0xFFFFFFFF).astype(np.uint32)
        self._bg.state = {'bit_generator': 'MT19937', 'state': {'key': key, 'pos': pos}}
        self._seed = seed
        ok = struct.unpack_from('<i', buf, _NORMAL_OK_AT)[0]
        self._cache = struct.unpack_from('<d', buf, _NORMAL_Y_AT)[0] if ok else None
        ok = buf[_FLOAT_OK_AT]
        self._fcache = struct.unpack_from('<f', buf, _FLOAT_AT)[0] if ok else None
        return self

    def clone_state(self) -> 'Generator':
        """A new generator in this generator's exact state."""
        g = Generator()
        g.set_state(self.get_state())
        return g

    def get_offset(self) -> int:
        raise RuntimeError('CPU Generator does not use offset')

    def set_offset(self, offset: int) -> 'Generator':
        raise RuntimeError('CPU Generator does not use offset')

    def __reduce__(self):
        # Like PyTorch's (seed, offset, state), with the state bytes as an array.
        return (Generator, ('cpu',), (self._seed, None, self.get_state()._data))

    def __setstate__(self, st) -> None:
        self.set_state(_wrap(np.asarray(st[2], np.uint8)))

    # -- raw streams (what other modules draw from) -------------------------------
    def _random(self, n: int) -> np.ndarray:
        """``n`` 32-bit words (as uint64): PyTorch's ``random()``."""
        return self._bg.random_raw(n)

    def _random64(self, n: int) -> np.ndarray:
        """``n`` 64-bit words, each from two 32-bit ones (first high): ``random64()``."""
        r = self._bg.random_raw(2 * n)
        return (r[0::2] << _SH32) | r[1::2]

    def _u24(self, n: int) -> np.ndarray:
        """``n`` float32 uniforms in [0, 1): 24 bits of one word each."""
        return (self._bg.random_raw(n) & _M24).astype(f32) * _U24

    def _u53(self, n: int) -> np.ndarray:
        """``n`` float64 uniforms in [0, 1): 53 bits of two words each."""
        return (self._random64(n) & _M53).astype(f64) * _U53

    def _uniform(self, n: int, npdt) -> np.ndarray:
        """``n`` uniforms in [0, 1) as float64, drawn as a tensor of ``npdt`` draws them
        (53 bits for float64, 24 for the other float types)."""
        if np.dtype(npdt) == f64:
            return self._u53(n)
        return self._u24(n).astype(f64)

    def _normal_scalar(self, n: int, mean: float, std: float) -> np.ndarray:
        """``n`` samples of PyTorch's one-at-a-time Box-Muller in double.

        Each pair of uniforms gives ``r cos`` now and caches ``r sin`` for the next call,
        across calls and operations, exactly like the C++ generator.
        """
        out = np.empty(n, f64)
        i = 0
        if n and self._cache is not None:
            out[0] = self._cache
            self._cache = None
            i = 1
        m = n - i
        if m > 0:
            u = self._u53(2 * ((m + 1) // 2))
            log1p, sqrt, cos, sin, two_pi = math.log1p, math.sqrt, math.cos, math.sin, 2.0 * math.pi
            vals = []
            for u1, u2 in zip(u[0::2].tolist(), u[1::2].tolist()):
                r = sqrt(-2.0 * log1p(-u2))
                theta = two_pi * u1
                vals.append(r * cos(theta))
                vals.append(r * sin(theta))
            if m % 2:
                self._cache = vals.pop()
            out[i:] = vals
        return _k.muladd64(out, std, mean)

    def _normal(self, shape, npdt, mean: float, std: float) -> np.ndarray:
        """Normal samples for a new contiguous tensor, as PyTorch's ``normal_`` draws them."""
        shape = tuple(shape)
        npdt = np.dtype(npdt)
        n = math.prod(shape)
        if n < 16:
            return _cast(self._normal_scalar(n, mean, std), npdt).reshape(shape)
        full = n - n % 16
        if npdt == f64:
            data = self._u53(n)
            fill = _k.normal_fill_f64
        else:
            fill = (_k.normal_fill_avx2 if _k.CPU_KERNEL == 'avx2'
                    else _k.normal_fill_default_f32)
            # float32 draws every uniform up front; half/bfloat16 only whole blocks.
            data = self._u24(n if npdt == f32 else full)
        out = np.empty(n, f64 if npdt == f64 else f32)
        out[:full] = fill(data[:full].reshape(-1, 16), mean, std).reshape(-1)
        if n != full:
            # The last partial block is recomputed from 16 fresh uniforms.
            tail = self._u53(16) if npdt == f64 else self._u24(16)
            out[n - 16:] = fill(tail.reshape(1, 16), mean, std).reshape(-1)
        return out.astype(npdt, copy=False).reshape(shape)


def _cast(v: np.ndarray, npdt) -> np.ndarray:
    """``static_cast`` of float64 values to ``npdt``: half goes through float, as c10::Half
    is only constructed from float (rounding twice)."""
    if npdt == f16 and v.dtype == f64:
        v = v.astype(f32)
    return v.astype(npdt, copy=False)


class _UniformStream:
    """53-bit uniforms one at a time, read ahead in blocks; ``close`` leaves the generator
    exactly as if only the uniforms used had been drawn."""

    def __init__(self, gen: Generator, block: int) -> None:
        self.gen = gen
        self.block = max(block, 64)
        self.used = 0
        self.buf = []
        self.mark = None

    def next(self) -> float:
        if self.used == len(self.buf):
            self.mark = self.gen._bg.state
            self.buf = self.gen._u53(self.block).tolist()
            self.used = 0
        self.used += 1
        return self.buf[self.used - 1]

    def close(self) -> None:
        if self.mark is not None:
            self.gen._bg.state = self.mark
            self.gen._random64(self.used)
