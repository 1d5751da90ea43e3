"""Random numbers that follow PyTorch's CPU generator.

PyTorch draws from a 32-bit Mersenne Twister (mt19937) seeded with the standard
``init_genrand``; NumPy's MT19937 with legacy seeding is the same engine, so the
raw 32-bit stream is identical. On top of it the transformations below copy
PyTorch's CPU kernels (24 random bits per float32 uniform, 53 per float64,
``random() % range`` for integers, Box-Muller in blocks of 16 for float normals),
so ``manual_seed(s)`` followed by the same calls gives PyTorch's numbers.
"""
from __future__ import annotations

import math
import os

import numpy as np

from .._tensor import Tensor, _wrap
from .._dtype import get_default_dtype, to_dtype as _to_dt
from .._device import check_device

__all__ = ['Generator', 'default_generator', 'manual_seed', 'seed', 'initial_seed',
           'get_rng_state', 'set_rng_state', 'rand', 'rand_like', 'randn', 'randn_like',
           'randint', 'randint_like', 'randperm', 'normal', 'bernoulli', 'multinomial',
           'poisson']

_DEFAULT_SEED = 67280421310721
_U24 = 2.0 ** -24
_U53 = 2.0 ** -53


class Generator:
    """A pseudo-random number generator with PyTorch's CPU stream
    (``torch.Generator``); ``manual_seed`` makes it reproducible."""

    def __init__(self, device='cpu') -> None:
        check_device(device)
        self.device = device
        self._bg = np.random.MT19937()
        self.manual_seed(_DEFAULT_SEED)

    # -- seeding and state ----------------------------------------------------
    def manual_seed(self, seed) -> 'Generator':
        """Seeds the generator; the stream then equals PyTorch's for the same seed."""
        seed = int(seed)
        if seed < -(1 << 63) or seed >= (1 << 64):
            raise RuntimeError(f'Overflow when unpacking long long')
        seed &= 0xFFFFFFFFFFFFFFFF
        self._seed = seed
        self._bg._legacy_seeding(seed & 0xFFFFFFFF)
        self._next_double_normal = None
        return self

    def seed(self) -> int:
        """Seeds from the operating system's entropy and returns the seed."""
        s = int.from_bytes(os.urandom(8), 'little') & 0x7FFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        """The generator state as a uint8 tensor (restore it with ``set_state``)."""
        st = self._bg.state['state']
        cache = self._next_double_normal
        header = np.array([self._seed, st['pos'], 0 if cache is None else 1], np.uint64)
        parts = [header.view(np.uint8), st['key'].astype(np.uint32).view(np.uint8),
                 np.array([0.0 if cache is None else cache], np.float64).view(np.uint8)]
        return _wrap(np.concatenate(parts))

    def set_state(self, new_state: Tensor) -> 'Generator':
        a = new_state._data if isinstance(new_state, Tensor) else np.asarray(new_state)
        if a.dtype != np.uint8 or a.size != 24 + 624 * 4 + 8:
            raise RuntimeError('Expected a torch.ByteTensor produced by get_state() of a '
                               'numtorch generator')
        header = a[:24].view(np.uint64)
        key = a[24:24 + 2496].view(np.uint32)
        cache = a[24 + 2496:].view(np.float64)[0]
        self._seed = int(header[0])
        self._bg.state = {'bit_generator': 'MT19937',
                          'state': {'key': key.copy(), 'pos': int(header[1])}}
        self._next_double_normal = float(cache) if header[2] else None
        return self

    def clone_state(self):
        return self.get_state()

    # -- raw streams ----------------------------------------------------------
    def _random(self, n: int) -> np.ndarray:
        """``n`` 32-bit outputs (as uint64)."""
        return self._bg.random_raw(n)

    def _random64(self, n: int) -> np.ndarray:
        """``n`` 64-bit values, each from two 32-bit outputs (first one high)."""
        r = self._bg.random_raw(2 * n)
        return (r[0::2] << np.uint64(32)) | r[1::2]

    def _uniform(self, n: int, npdt) -> np.ndarray:
        """``n`` uniforms in [0, 1) as float64 with the resolution of ``npdt``."""
        if np.dtype(npdt) == np.float64:
            return (self._random64(n) & np.uint64((1 << 53) - 1)).astype(np.float64) * _U53
        bits = 24 if np.dtype(npdt) == np.float32 else 11
        return (self._random(n) & np.uint64((1 << bits) - 1)).astype(np.float64) * 2.0 ** -bits

    def _normal_scalar(self, n: int, mean: float, std: float) -> np.ndarray:
        """PyTorch's one-at-a-time Box-Muller in double, caching the second value."""
        out = np.empty(n, np.float64)
        i = 0
        while i < n:
            if self._next_double_normal is not None:
                out[i] = self._next_double_normal
                self._next_double_normal = None
                i += 1
                continue
            u1, u2 = self._uniform(2, np.float64)
            r = math.sqrt(-2.0 * math.log1p(-u2))
            theta = 2.0 * math.pi * u1
            self._next_double_normal = r * math.sin(theta)
            out[i] = r * math.cos(theta)
            i += 1
        return out * std + mean

    def _normal(self, shape, npdt, mean: float, std: float) -> np.ndarray:
        """Normal samples as PyTorch's normal_ kernel draws them."""
        n = int(np.prod(shape))
        npdt = np.dtype(npdt)
        if n < 16:
            return self._normal_scalar(n, mean, std).astype(npdt).reshape(shape)
        work = np.float32 if npdt == np.float32 else np.float64
        data = self._uniform(n, npdt).astype(work)
        _box_muller_16(data, n - n % 16, work)
        if n % 16:
            tail = self._uniform(16, npdt).astype(work)
            _box_muller_16(tail, 16, work)
            data[n - 16:] = tail
        m, s = work(mean), work(std)
        return (data * s + m).astype(npdt).reshape(shape)

    def __reduce__(self):
        raise TypeError("cannot pickle 'torch._C.Generator' object")


def _box_muller_16(data: np.ndarray, n: int, work) -> None:
    """In place over blocks of 16: the first 8 give u1, the next 8 give u2."""
    if n <= 0:
        return
    blocks = data[:n].reshape(-1, 16)
    u1 = work(1) - blocks[:, :8]
    u2 = blocks[:, 8:].copy()
    radius = np.sqrt(work(-2) * np.log(u1))
    theta = work(2.0 * math.pi) * u2
    blocks[:, :8] = radius * np.cos(theta)
    blocks[:, 8:] = radius * np.sin(theta)


default_generator = Generator()


def _gen(generator) -> Generator:
    return default_generator if generator is None else generator


def manual_seed(seed) -> Generator:
    """Seeds the default generator (and so every random function that takes no generator)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


def _shape(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(s) for s in size)


def _float_dt(dtype):
    dt = get_default_dtype() if dtype is None else _to_dt(dtype)
    return dt


def _finish(arr, requires_grad):
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Uniform samples from [0, 1)."""
    check_device(device)
    shape = _shape(size)
    dt = _float_dt(dtype)
    u = _gen(generator)._uniform(int(np.prod(shape)), dt.np)
    return _finish(u.astype(dt.np).reshape(shape), requires_grad)


def rand_like(input: Tensor, *, dtype=None, layout=None, device=None,
              requires_grad: bool = False, memory_format=None) -> Tensor:
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Standard normal samples."""
    check_device(device)
    shape = _shape(size)
    dt = _float_dt(dtype)
    return _finish(_gen(generator)._normal(shape, dt.np, 0.0, 1.0), requires_grad)


def randn_like(input: Tensor, *, dtype=None, layout=None, device=None,
               requires_grad: bool = False, memory_format=None) -> Tensor:
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def _ints(gen: Generator, n: int, low: int, high: int) -> np.ndarray:
    rng = high - low
    if rng <= 0:
        raise RuntimeError(f'random_ expects \'from\' to be less than \'to\', but got '
                           f'from={low} >= to={high}')
    raw = gen._random64(n) if rng >= (1 << 32) else gen._random(n)
    return (raw % np.uint64(rng)).astype(np.int64) + low


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from [low, high)."""
    check_device(device)
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing 1 required positional argument: 'size'")
    if high is None:
        low, high = 0, low
    shape = tuple(size)
    dt = _to_dt(np.int64) if dtype is None else _to_dt(dtype)
    vals = _ints(_gen(generator), int(np.prod(shape)), int(low), int(high))
    return _finish(vals.astype(dt.np).reshape(shape), requires_grad)


def randint_like(input: Tensor, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad: bool = False, memory_format=None) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype,
                   requires_grad=requires_grad)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A random permutation of ``0..n-1`` (PyTorch's swap-based shuffle)."""
    check_device(device)
    if n < 0:
        raise RuntimeError(f'n must be non-negative, got{n}')
    gen = _gen(generator)
    r = np.arange(n, dtype=np.int64)
    if n > 1:
        raw = gen._random(n - 1)
        z = (raw % np.arange(n, 1, -1, dtype=np.uint64)).astype(np.int64)
        # NOTE: each swap depends on the previous ones, so this stays a Python loop.
        rl = r.tolist()
        for i, zi in enumerate(z.tolist()):
            j = i + zi
            rl[i], rl[j] = rl[j], rl[i]
        r = np.array(rl, np.int64)
    dt = _to_dt(np.int64) if dtype is None else _to_dt(dtype)
    return _finish(r.astype(dt.np), requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad: bool = False) -> Tensor:
    """Normal samples; ``mean`` and ``std`` may be tensors (element-wise) or numbers."""
    gen = _gen(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError('normal() received an invalid combination of arguments - a size is '
                            'required when mean and std are numbers')
        if std < 0:
            raise RuntimeError(f'normal expects std >= 0.0, but found std {std}')
        dt = _float_dt(dtype)
        return _finish(gen._normal(tuple(size), dt.np, float(mean), float(std)), requires_grad)
    ref = mean if mt else std
    if st and (std._data < 0).any():
        raise RuntimeError('normal expects all elements of std >= 0.0')
    shape = np.broadcast_shapes(mean.shape if mt else (), std.shape if st else ())
    npdt = ref._data.dtype
    z = gen._normal(shape, npdt, 0.0, 1.0)
    m = mean._data if mt else mean
    s = std._data if st else std
    return _wrap((z * s + m).astype(npdt))


def _uniform_like(t: Tensor, a: float, b: float, generator) -> Tensor:
    npdt = t._data.dtype
    lo, hi = np.asarray(a, npdt).item(), np.asarray(b, npdt).item()
    if lo > hi:
        raise RuntimeError(f'uniform_ expects to return a [from, to) range, but found '
                           f'from={a} > to={b}')
    u = _gen(generator)._uniform(t._data.size, npdt)
    return _wrap((u * (hi - lo) + lo).astype(npdt).reshape(t._data.shape))


def _normal_like(t: Tensor, mean: float, std: float, generator) -> Tensor:
    if std < 0:
        raise RuntimeError(f'normal expects std >= 0.0, but found std {std}')
    return _wrap(_gen(generator)._normal(t._data.shape, t._data.dtype, float(mean), float(std)))


def _bernoulli_like(t: Tensor, p, generator) -> Tensor:
    gen = _gen(generator)
    if isinstance(p, Tensor):
        pa = np.broadcast_to(p._data, t._data.shape)
        u = gen._uniform(t._data.size, pa.dtype if pa.dtype == np.float64 else np.float32)
        return _wrap((u.reshape(t._data.shape) < pa).astype(t._data.dtype))
    if not 0 <= p <= 1:
        raise RuntimeError(f'bernoulli_ expects p to be in [0, 1], but got p={p}')
    u = gen._uniform(t._data.size, np.float64)
    return _wrap((u.reshape(t._data.shape) < p).astype(t._data.dtype))


def _random_like(t: Tensor, from_, to, generator) -> Tensor:
    gen = _gen(generator)
    npdt = t._data.dtype
    if to is None:
        if npdt.kind == 'f':
            to = (1 << np.finfo(npdt).nmant + 1) + 1
        elif npdt == np.bool_:
            to = 2
        else:
            to = int(np.iinfo(npdt).max) + 1
    vals = _ints(gen, t._data.size, int(from_), int(to))
    return _wrap(vals.astype(npdt).reshape(t._data.shape))


def _exponential_like(t: Tensor, lambd: float, generator) -> Tensor:
    u = _gen(generator)._uniform(t._data.size, np.float64)
    vals = -np.log1p(-u) / lambd
    return _wrap(vals.astype(t._data.dtype).reshape(t._data.shape))


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples with probabilities ``input`` (or the scalar ``p``)."""
    d = input._data
    if p is None:
        if d.size and ((d < 0) | (d > 1)).any():
            raise RuntimeError('Expected p_in >= 0 && p_in <= 1 to be true, but got false.')
        return _bernoulli_like(input, input, generator)
    return _bernoulli_like(input, p, generator)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None, out=None) -> Tensor:
    """Category indices drawn with probabilities proportional to the rows of ``input``."""
    d = input._data.astype(np.float64)
    if d.ndim not in (1, 2):
        raise RuntimeError('prob_dist must be 1 or 2 dim')
    if (d < 0).any() or not np.isfinite(d).all():
        raise RuntimeError('probability tensor contains either `inf`, `nan` or element < 0')
    rows = d.reshape(-1, d.shape[-1])
    if (rows.sum(1) <= 0).any():
        raise RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)')
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError('cannot sample n_sample > prob_dist.size(-1) samples without '
                           'replacement')
    gen = _gen(generator)
    out = np.empty((rows.shape[0], num_samples), np.int64)
    for r, row in enumerate(rows):
        w = row.copy()
        for k in range(num_samples):
            cdf = np.cumsum(w)
            u = gen._uniform(1, np.float64)[0] * cdf[-1]
            j = int(np.searchsorted(cdf, u, side='right'))
            j = min(j, len(w) - 1)
            while w[j] == 0:
                j -= 1
            out[r, k] = j
            if not replacement:
                w[j] = 0
    return _wrap(out.reshape(d.shape[:-1] + (num_samples,)))


def poisson(input: Tensor, generator=None) -> Tensor:
    """Poisson samples with rates ``input`` (by inversion on the generator's uniforms)."""
    gen = _gen(generator)
    lam = input._data.astype(np.float64).reshape(-1)
    out = np.empty(lam.size, np.float64)
    for i, l in enumerate(lam):
        k, p, s = 0, math.exp(-l), math.exp(-l)
        u = gen._uniform(1, np.float64)[0]
        while u > s and k < 10000:
            k += 1
            p *= l / k
            s += p
        out[i] = k
    return _wrap(out.astype(input._data.dtype).reshape(input._data.shape))
