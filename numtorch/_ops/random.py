"""Random numbers that are PyTorch's CPU random numbers.

The generator (``_generator.py``) produces PyTorch's raw mt19937 words. On top of them
this module repeats what PyTorch's CPU kernels do with them, draw for draw: 24 bits per
float uniform and 53 (two words) per double, ``word % range`` for integers, Box-Muller one
pair at a time (caching the second value) for fewer than 16 normals and in blocks of 16
for more, the exponential race for multinomial sampling without replacement, and so on.
After the same ``manual_seed`` the same calls give the same numbers, and
``get_rng_state`` returns PyTorch's own 5056-byte state, so a state saved by either
library restores in the other.
"""
from __future__ import annotations

import math
import operator
import warnings

import numpy as np

from .._tensor import Tensor, _wrap, _write_out, _type_word, _check_format
from .._dtype import NP2DT, get_default_dtype, to_dtype as _to_dt, int64 as _int64
from .._device import check_device
from .._state import state
from ._op import Op, broadcast_error
from .complex import _REAL_OF
from .creation import like_layout
from . import _random_kernels as _k
from ._generator import (Generator, _UniformStream, _cast, _MASK64, _INT64_MIN, f16, f32,
                         f64)

__all__ = ['Generator', 'default_generator', 'manual_seed', 'seed', 'initial_seed',
           'get_rng_state', 'set_rng_state', 'rand', 'rand_like', 'randn', 'randn_like',
           'randint', 'randint_like', 'randperm', 'normal', 'bernoulli', 'multinomial',
           'poisson']

# numpy dtype -> (name in PyTorch's bound messages, mantissa digits for floats)
_C_NAMES = {'bool': 'bool', 'uint8': 'unsigned char', 'int8': 'signed char',
            'int16': 'short int', 'int32': 'int', 'int64': 'long int', 'float16': 'c10::Half',
            'float32': 'float', 'float64': 'double'}
_DIGITS = {'float16': 11, 'float32': 24, 'float64': 53}


def _fmt(x) -> str:
    """A number as C++ streams print a double (``%g``)."""
    return '%g' % x if isinstance(x, float) else str(x)


default_generator = Generator()
# PyTorch seeds its default generator from the OS at start-up.
default_generator.seed()


def _gen(generator) -> Generator:
    return default_generator if generator is None else generator


def manual_seed(seed) -> Generator:
    """Seeds the default generator (and so every random function without a generator)."""
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seeds the default generator from the OS and returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's current seed."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state (PyTorch's own bytes)."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restores the default generator from ``get_rng_state`` output."""
    default_generator.set_state(new_state)


# -- helpers -------------------------------------------------------------------------
class _Sampled(Op):
    """A random result: it depends on its inputs only through their shape, so its
    gradient is zero (PyTorch's ``NormalBackward*``, ``UniformBackward0``, ...)."""

    def __init__(self, name: str, arr: np.ndarray) -> None:
        self._name = name
        self.arr = arr

    def forward(self, *xs):
        return self.arr

    def backward(self, gy):
        gs = tuple(np.zeros(t._data.shape, t._data.dtype) if need else None
                   for t, need in zip(self.inputs, self.needs))
        return gs[0] if len(gs) == 1 else gs


def _sampled(name: str, arr: np.ndarray, *ts: Tensor) -> Tensor:
    if state.enabled and any(t._rg for t in ts):
        return _Sampled(name, arr).apply(*ts)
    return _wrap(arr)


def _ordered(a: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """``flat`` laid out as ``a``, so that walking ``a``'s memory reads it in sequence.

    PyTorch fills a non-contiguous tensor in memory order (TensorIterator sorts the
    dimensions by stride), not in index order.
    """
    if a.flags.c_contiguous or a.ndim < 2:
        return flat.reshape(a.shape)
    if 0 in a.strides:
        # An expanded tensor is not dense: PyTorch's empty_like gives it a contiguous
        # result, filled in index order.
        return flat.reshape(a.shape)
    perm = sorted(range(a.ndim), key=lambda d: -abs(a.strides[d]))
    return np.transpose(flat.reshape([a.shape[d] for d in perm]), np.argsort(perm))


def _like_layout(a: np.ndarray, npdt, memory_format) -> np.ndarray:
    """An empty ``npdt`` array laid out as PyTorch's ``empty_like(a, memory_format)``.

    A ``*_like`` factory fills its result in memory order, so the layout decides which
    element gets which draw: preserve_format gives a dense result whose dims are in the order
    of ``a``'s strides (a transposed ``a`` gives a transposed result).
    """
    return like_layout(a, np.empty(a.size, npdt), memory_format)


def _shape(size, what: str) -> tuple:
    """A factory's shape from ``*size`` (ints or one sequence), with PyTorch's errors."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    shape = []
    for i, s in enumerate(size):
        try:
            shape.append(operator.index(s))
        except TypeError:
            if len(size) == 1:
                raise TypeError(f"{what}(): argument 'size' (position 1) must be tuple of "
                                f'ints, not {type(s).__name__}') from None
            raise TypeError(f"{what}(): argument 'size' failed to unpack the object at pos "
                            f'{i + 1} with error "type must be tuple of ints,but got '
                            f'{type(s).__name__}"') from None
    shape = tuple(shape)
    if any(s < 0 for s in shape):
        bad = next(s for s in shape if s < 0)
        raise RuntimeError(f'Trying to create tensor with negative dimension {bad}: '
                           f'{list(shape)}')
    return shape


def _factory_dtype(dtype, out, default):
    """The dtype of a factory's result: ``dtype``, else ``out``'s, else ``default``."""
    if out is not None:
        if dtype is not None and _to_dt(dtype).np != out._data.dtype:
            raise RuntimeError(f'dtype {_type_word(_to_dt(dtype).np)} does not match dtype '
                               f'of out parameter ({_type_word(out._data.dtype)})')
        return NP2DT[out._data.dtype]
    return default if dtype is None else _to_dt(dtype)


def _check_factory(device, layout, pin_memory) -> None:
    check_device(device)
    if layout is not None and layout != 'torch.strided':
        raise NotImplementedError(f'layout={layout} is not supported by numtorch')
    if pin_memory:
        raise NotImplementedError('pin_memory=True is not supported by numtorch')


def _finish(arr: np.ndarray, out, requires_grad: bool) -> Tensor:
    t = _wrap(arr)
    if out is not None:
        return _write_out(t, out)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _not_implemented(kernel: str, npdt) -> NotImplementedError:
    return NotImplementedError(f'"{kernel}" not implemented for \'{_type_word(npdt)}\'')


# -- uniform -------------------------------------------------------------------------
def _uniform_values(gen: Generator, n: int, npdt, lo: float, hi: float) -> np.ndarray:
    """``uniform_(lo, hi)``: ``x * (hi - lo) + lo`` in the dtype's math type, where a value
    that rounds up to ``hi`` becomes ``lo``. A complex dtype draws its real and imaginary
    parts in turn (PyTorch samples the complex tensor's real view)."""
    if npdt.kind == 'c':
        return _uniform_values(gen, 2 * n, _REAL_OF[npdt], lo, hi).view(npdt)
    unit = lo == 0 and hi == 1
    if npdt == f64:
        v = gen._u53(n)
        if not unit:
            v = _k.muladd64(v, hi - lo, lo)
            v[v == hi] = lo
        return v
    v = gen._u24(n)
    if not unit:
        flo, fhi = f32(lo), f32(hi)
        v = _k.muladd32(v, fhi - flo, flo)
    if npdt == f32:
        if not unit:
            v[v == fhi] = flo
        return v
    h = v.astype(npdt)
    h[h == npdt.type(hi)] = npdt.type(lo)
    return h


def _check_uniform(npdt, lo: float, hi: float):
    if npdt.kind == 'c':
        npdt = _REAL_OF[npdt]
    if npdt.kind != 'f':
        raise _not_implemented('check_uniform_bounds', npdt)
    fi = np.finfo(npdt)
    lowest, top = float(fi.min), float(fi.max)
    for name, v in (('from', lo), ('to', hi)):
        if not lowest <= v <= top:
            raise RuntimeError(f'{name} is out of bounds for {_C_NAMES[npdt.name]}')
    if not lo <= hi:
        raise RuntimeError(f'uniform_ expects to return a [from, to) range, but found '
                           f'from={_fmt(lo)} > to={_fmt(hi)}')
    if not hi - lo <= top:
        raise RuntimeError(f'uniform_ expects to-from <= std::numeric_limits<'
                           f'{_type_word(npdt)}>::max(), but found to={_fmt(hi)} and '
                           f'from={_fmt(lo)} which result in to-from to exceed the limit')


def _uniform_like(t: Tensor, a: float = 0, b: float = 1, generator=None) -> Tensor:
    """``t.uniform_(a, b)``'s values (written into ``t`` by the Tensor method)."""
    d = t._data
    lo, hi = float(a), float(b)
    _check_uniform(d.dtype, lo, hi)
    v = _uniform_values(_gen(generator), d.size, d.dtype, lo, hi)
    return _sampled('UniformBackward0', _ordered(d, v), t)


def rand(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Uniform samples from [0, 1) (``torch.rand``); the shape as ints, a sequence or
    ``size=``."""
    _check_factory(device, layout, pin_memory)
    shape = _shape(args if size is None else (size,), 'rand')
    dt = _factory_dtype(dtype, out, get_default_dtype())
    _check_uniform(dt.np, 0.0, 1.0)
    v = _uniform_values(_gen(generator), math.prod(shape), dt.np, 0.0, 1.0)
    return _finish(v.reshape(shape), out, requires_grad)


def rand_like(input: Tensor, *, dtype=None, layout=None, device=None,
              requires_grad: bool = False, memory_format=None) -> Tensor:
    """``rand`` with ``input``'s shape (and dtype unless given)."""
    _check_format(memory_format)
    t = rand(input.shape, dtype=input.dtype if dtype is None else dtype, layout=layout,
             device=device, requires_grad=requires_grad)
    t._data = like_layout(input._data, t._data.reshape(-1), memory_format)
    return t


# -- normal --------------------------------------------------------------------------
def _check_normal(npdt, std: float) -> None:
    if not std >= 0.0:
        raise RuntimeError(f'normal expects std >= 0.0, but found std {_fmt(std)}')
    if npdt.kind not in 'fc':
        raise _not_implemented('normal_kernel_cpu', npdt)


def _normal_into(gen: Generator, d: np.ndarray, mean: float, std: float) -> np.ndarray:
    """``normal_(mean, std)`` on an array like ``d``: the block kernel for 16 or more
    contiguous elements, else one pair at a time in memory order. A complex ``d`` is
    sampled through its real view (real and imaginary parts in turn), each part with
    standard deviation std / sqrt(2), as PyTorch does."""
    if d.dtype.kind == 'c':
        rdt, std = _REAL_OF[d.dtype], std / math.sqrt(2)
        if 2 * d.size >= 16 and d.flags.c_contiguous:
            return gen._normal(d.shape + (2,), rdt, mean, std).view(d.dtype)[..., 0]
        return _ordered(d, _cast(gen._normal_scalar(2 * d.size, mean, std), rdt).view(d.dtype))
    if d.size >= 16 and d.flags.c_contiguous:
        return gen._normal(d.shape, d.dtype, mean, std)
    return _ordered(d, _cast(gen._normal_scalar(d.size, mean, std), d.dtype))


def _normal_like(t: Tensor, mean: float = 0, std: float = 1, generator=None) -> Tensor:
    """``t.normal_(mean, std)``'s values."""
    d = t._data
    mean, std = float(mean), float(std)
    _check_normal(d.dtype, std)
    return _sampled('NormalBackward0', _normal_into(_gen(generator), d, mean, std), t)


def randn(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Standard normal samples (``torch.randn``); the shape as ints, a sequence or
    ``size=``."""
    _check_factory(device, layout, pin_memory)
    shape = _shape(args if size is None else (size,), 'randn')
    dt = _factory_dtype(dtype, out, get_default_dtype())
    _check_normal(dt.np, 1.0)
    if dt.np.kind == 'c':
        v = _normal_into(_gen(generator), np.empty(shape, dt.np), 0.0, 1.0)
    else:
        v = _gen(generator)._normal(shape, dt.np, 0.0, 1.0)
    return _finish(v, out, requires_grad)


def randn_like(input: Tensor, *, dtype=None, layout=None, device=None,
               requires_grad: bool = False, memory_format=None) -> Tensor:
    """``randn`` with ``input``'s shape (and dtype unless given)."""
    _check_format(memory_format)
    dt = input.dtype if dtype is None else _to_dt(dtype)
    like = _like_layout(input._data, dt.np, memory_format)
    if like.flags.c_contiguous:
        t = randn(input.shape, dtype=dt, layout=layout, device=device)
        # (a dim of size 1 may still carry input's stride)
        t._data = like_layout(input._data, t._data.reshape(-1), memory_format)
        return t.requires_grad_(requires_grad) if requires_grad else t
    _check_factory(device, layout, False)
    _check_normal(dt.np, 1.0)
    # (not contiguous: PyTorch draws one pair at a time, in memory order)
    like[...] = _normal_into(_gen(None), like, 0.0, 1.0)
    return _finish(like, None, requires_grad)


_NORMAL_SIGNATURES = (
    ' * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n'
    ' * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n'
    ' * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n'
    ' * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, '
    'Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device '
    'device = None, bool pin_memory = False, bool requires_grad = False)\n')


def _arg_type(x) -> str:
    return 'Tensor' if isinstance(x, Tensor) else type(x).__name__


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, pin_memory: bool = False,
           requires_grad: bool = False) -> Tensor:
    """Normal samples; ``mean`` and/or ``std`` may be tensors (element-wise, broadcast).

    Like PyTorch, tensor forms draw standard normals into the result and then scale by
    ``std`` and shift by ``mean`` as separate steps.
    """
    gen = _gen(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError('normal() received an invalid combination of arguments - got '
                            f'({_arg_type(mean)}, {_arg_type(std)}), but expected one of:\n'
                            + _NORMAL_SIGNATURES)
        _check_factory(device, layout, pin_memory)
        shape = _shape((size,), 'normal')
        dt = _factory_dtype(dtype, out, get_default_dtype())
        mean, std = float(mean), float(std)
        _check_normal(dt.np, std)
        return _finish(gen._normal(shape, dt.np, mean, std), out, requires_grad)
    if size is not None:
        raise TypeError('normal() received an invalid combination of arguments - got '
                        f'({_arg_type(mean)}, {_arg_type(std)}, {_arg_type(size)}), but '
                        'expected one of:\n' + _NORMAL_SIGNATURES)
    if st and std._data.size and not (std._data.min() >= 0):
        raise RuntimeError('normal expects all elements of std >= 0.0')
    if mt and not st:
        std = float(std)
        m = mean._data
        _check_normal(m.dtype, std)
        v = gen._normal(m.shape, m.dtype, 0.0, std)
        res = _sampled('NormalBackward1', (v + m).astype(m.dtype, copy=False), mean)
    else:
        s = std._data
        if mt:
            m = mean._data
            if m.shape != s.shape:
                broadcast_error(m.shape, s.shape)
            shape, npdt = np.broadcast_shapes(m.shape, s.shape), m.dtype
        else:
            shape, npdt = s.shape, s.dtype
            m = np.asarray(mean, npdt)  # PyTorch makes the float mean a tensor first
        _check_normal(npdt, 1.0)
        v = gen._normal(shape, npdt, 0.0, 1.0)
        v = _cast(v * s, npdt)
        v = _cast(v + m, npdt)
        if mt:
            res = _sampled('NormalBackward3', v, mean, std)
        else:
            res = _sampled('NormalBackward2', v, std)
    return res if out is None else _write_out(res, out)


# -- integers ------------------------------------------------------------------------
def _cast_int_to_float(v: int, digits: int) -> int:
    """``static_cast<int64_t>(static_cast<float type>(v))``: ``v`` rounded to ``digits``
    significant bits (to nearest, ties to even)."""
    a = abs(v)
    shift = a.bit_length() - digits
    if shift <= 0:
        return v
    q, r = divmod(a, 1 << shift)
    half = 1 << (shift - 1)
    if r > half or (r == half and q & 1):
        q += 1
    return (q << shift) * (1 if v >= 0 else -1)


def _update_from(frm: int, digits: int) -> int:
    """Moves ``from`` right to the first integer the float dtype holds above it."""
    fp1 = _cast_int_to_float(frm + 1, digits)
    if fp1 < frm:
        n = abs(frm + 1).bit_length() - 1
        frm = fp1 + (1 << (n - digits + 1))
    return frm


def _update_to(to: int, digits: int) -> int:
    """Moves ``to`` left so that no value cast to the dtype reaches it."""
    tm1 = _cast_int_to_float(to - 1, digits)
    if tm1 >= to:
        n = abs(to - 1).bit_length() - 1
        to = tm1 - (1 << (n - digits + 1))
    return to


def _check_int_range(frm: int, to_inc: int, npdt) -> None:
    """PyTorch's ``check_from_to_in_range``."""
    cname = _C_NAMES[npdt.name]
    if npdt.kind == 'f':
        fi = np.finfo(npdt)
        lo, hi = float(fi.min), float(fi.max)
    elif npdt == np.bool_:
        lo, hi = 0, 1
    else:
        ii = np.iinfo(npdt)
        lo, hi = int(ii.min), int(ii.max)
    for name, v in (('from', frm), ('to - 1', to_inc)):
        if not lo <= v <= hi:
            raise RuntimeError(f'{name} is out of bounds for {cname}')
    if npdt.kind == 'f':
        digits = _DIGITS[npdt.name]
        for name, v in (('from', frm), ('to - 1', to_inc)):
            if v < -(1 << digits) or v > (1 << digits):
                warnings.warn(f'{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to '
                              f'precision limitations {cname} can support discrete uniform '
                              'distribution only within this range. This warning will become '
                              'an error in version 1.7 release, please fix the code in '
                              'advance', UserWarning, stacklevel=4)


def _ints_from_to(gen: Generator, n: int, rng: int, base: int) -> np.ndarray:
    """``(word % rng) + base`` as int64; 64-bit words once the range reaches 2**28."""
    raw = gen._random64(n) if rng >= (1 << 28) else gen._random(n)
    return ((raw % np.uint64(rng)) + np.uint64(base & _MASK64)).view(np.int64)


def _check_int64(v: int) -> int:
    v = operator.index(v)
    if not _INT64_MIN <= v < (1 << 63):
        raise ValueError('Overflow when unpacking long long')
    return v


def _random_values(gen: Generator, n: int, npdt, frm=None, to=None,
                   bounded: bool = False) -> np.ndarray:
    """``random_()`` (``bounded`` False) or ``random_(from, to)`` (``to`` may be None)."""
    if not bounded:
        if npdt == np.bool_:
            return (gen._random(n) & np.uint64(1)).astype(np.bool_)
        if npdt == np.int64:
            return (gen._random64(n) % np.uint64(1 << 63)).astype(np.int64)
        if npdt.kind == 'f':
            words = gen._random64(n) if npdt == f64 else gen._random(n)
            return (words % np.uint64((1 << _DIGITS[npdt.name]) + 1)).astype(npdt)
        return (gen._random(n) % np.uint64(int(np.iinfo(npdt).max) + 1)).astype(npdt)
    frm = _check_int64(frm)
    if to is not None:
        to = _check_int64(to)
        if not frm < to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f'from={frm} >= to={to}')
        if npdt.kind == 'f':
            digits = _DIGITS[npdt.name]
            frm, to = _update_from(frm, digits), _update_to(to, digits)
            if not frm < to:
                raise RuntimeError("random_ expects 'from' casted to dtype to be less than "
                                   f"'to' casted to dtype, but got from={frm} >= to={to}")
        _check_int_range(frm, to - 1, npdt)
        rng = (to - frm) & _MASK64
    elif frm != _INT64_MIN:
        if npdt.kind == 'f':
            digits = _DIGITS[npdt.name]
            to_inc = 1 << digits
            frm = _update_from(frm, digits)
            if not frm < to_inc:
                raise RuntimeError("random_ expects 'from' casted to dtype to be less than or "
                                   "equal to 'to_inc' casted to dtype, but got "
                                   f'from={frm} > to_inc={to_inc}')
        else:
            to_inc = 1 if npdt == np.bool_ else int(np.iinfo(npdt).max)
        _check_int_range(frm, to_inc, npdt)
        rng = (to_inc - frm + 1) & _MASK64
    else:
        return gen._random64(n).view(np.int64).astype(npdt)
    return _ints_from_to(gen, n, rng, frm).astype(npdt)


def _random_like(t: Tensor, args: tuple = (), kwargs: dict | None = None,
                 generator=None) -> Tensor:
    """``t.random_(...)``'s values: ``random_()``, ``random_(to)`` or ``random_(from, to)``
    (``from``/``to`` may also come as keywords; ``to=None`` means up to the dtype's max)."""
    kw = dict(kwargs or {})
    if len(args) > 2:
        raise TypeError(f'random_() takes at most 2 positional arguments ({len(args)} given)')
    d = t._data
    if not args and not kw:
        name, v = 'RandomBackward2', _random_values(_gen(generator), d.size, d.dtype)
    else:
        if len(args) == 1 and 'to' not in kw and 'from' not in kw:
            frm, to, name = 0, args[0], 'RandomBackward1'
        else:
            frm = args[0] if args else kw.pop('from', 0)
            to = args[1] if len(args) > 1 else kw.pop('to', None)
            name = 'RandomBackward0'
        if len(args) < 2:
            kw.pop('to', None)
        if kw:
            raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kw))}'")
        v = _random_values(_gen(generator), d.size, d.dtype, frm, to, bounded=True)
    return _sampled(name, _ordered(d, v), t)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None,
            layout=None, device=None, requires_grad: bool = False,
            pin_memory: bool = False) -> Tensor:
    """Integers drawn uniformly from [low, high) (``torch.randint(low=0, high, size)``)."""
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    elif high is None and size is not None:
        low, high = 0, low
    if high is None or size is None or not isinstance(size, (tuple, list)):
        raise TypeError('randint() received an invalid combination of arguments - expected '
                        '(int high, tuple of ints size, ...) or (int low, int high, tuple of '
                        'ints size, ...)')
    _check_factory(device, layout, pin_memory)
    shape = _shape((size,), 'randint')
    dt = _factory_dtype(dtype, out, _int64)
    v = _random_values(_gen(generator), math.prod(shape), dt.np, low, high, bounded=True)
    return _finish(v.reshape(shape), out, requires_grad)


def randint_like(input: Tensor, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad: bool = False, memory_format=None) -> Tensor:
    """``randint`` with ``input``'s shape (and dtype unless given)."""
    _check_format(memory_format)
    if high is None:
        low, high = 0, low
    t = randint(low, high, tuple(input.shape),
                dtype=input.dtype if dtype is None else dtype, layout=layout,
                device=device, requires_grad=requires_grad)
    t._data = like_layout(input._data, t._data.reshape(-1), memory_format)
    return t


_RANDPERM_FLOAT_MAX = {'float16': ('2049', 2049), 'float32': ('2^24+1', (1 << 24) + 1),
                       'float64': ('2^53+1', (1 << 53) + 1)}


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A random permutation of ``0..n-1``: PyTorch's swap loop
    ``swap(r[i], r[i + random() % (n - i)])``, evaluated without the loop for large ``n``."""
    _check_factory(device, layout, pin_memory)
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not "
                        f'{type(n).__name__}') from None
    if n < 0:
        raise RuntimeError(f'Trying to create tensor with negative dimension {n}: [{n}]')
    dt = _factory_dtype(dtype, out, _int64)
    npdt = dt.np
    if npdt == np.bool_:
        raise _not_implemented('randperm', npdt)
    if npdt.kind == 'f':
        text, top = _RANDPERM_FLOAT_MAX[npdt.name]
        if n > top:
            raise RuntimeError(f'n cannot be greater than {text} for {_type_word(npdt)} type.')
    elif n - 1 > int(np.iinfo(npdt).max):
        cname = 'uint8_t' if npdt == np.uint8 else f'{npdt.name}_t'
        raise RuntimeError(f'value cannot be converted to type {cname} without overflow')
    if n >= (1 << 32) // 20:
        raise NotImplementedError('randperm: n >= 2**32 / 20 (PyTorch switches to a 64-bit '
                                  'Fisher-Yates shuffle there) is not supported by numtorch')
    gen = _gen(generator)
    if n < 2:
        perm = np.arange(n, dtype=np.int64)
    else:
        z = (gen._random(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).astype(np.int64)
        if n < 256:
            r = list(range(n))
            for i, zi in enumerate(z.tolist()):
                j = i + zi
                r[i], r[j] = r[j], r[i]
            perm = np.array(r, np.int64)
        else:
            perm = _k.swap_permutation(z)
    return _finish(perm.astype(npdt), out, requires_grad)


# -- bernoulli, exponential ----------------------------------------------------------
def _expand_error(t: Tensor, want: tuple) -> RuntimeError:
    """PyTorch's error for expanding ``t`` to the shape ``want``."""
    have = tuple(t.shape)
    off = len(want) - len(have)
    if off < 0:
        return RuntimeError(f'expand({t.type()}{{{list(have)}}}, size={list(want)}): the '
                            f'number of sizes provided ({len(want)}) must be greater or equal '
                            f'to the number of dimensions in the tensor ({len(have)})')
    i = next(i for i in range(len(have) - 1, -1, -1)
             if have[i] != 1 and have[i] != want[i + off])
    return RuntimeError(f'The expanded size of the tensor ({want[i + off]}) must match the '
                        f'existing size ({have[i]}) at non-singleton dimension {i + off}.  '
                        f'Target sizes: {list(want)}.  Tensor sizes: {list(have)}')


def _bernoulli_values(gen: Generator, d: np.ndarray, p) -> np.ndarray:
    """``bernoulli_(p)`` values for an array like ``d``, in its memory order."""
    if isinstance(p, Tensor):
        pa = p._data
        try:
            pa = np.broadcast_to(pa, d.shape)
        except ValueError:
            raise _expand_error(p, d.shape) from None
        if pa.size and not ((pa >= 0) & (pa <= 1)).all():
            raise RuntimeError('Expected p_in >= 0 && p_in <= 1 to be true, but got false.  '
                               '(Could this error message be improved?  If so, please report '
                               'an enhancement request to PyTorch.)')
        # A double p is compared with a 53-bit uniform, any other with a float one.
        u = gen._u53(d.size) if pa.dtype == f64 else gen._u24(d.size)
        return _ordered(d, u) < pa
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f'bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}')
    return _ordered(d, gen._u53(d.size)) < p


def _bernoulli_like(t: Tensor, p=0.5, generator=None) -> Tensor:
    """``t.bernoulli_(p)``'s values; ``p`` a number or a tensor of probabilities."""
    d = t._data
    v = _bernoulli_values(_gen(generator), d, p).astype(d.dtype)
    if isinstance(p, Tensor):
        return _sampled('BernoulliBackward1', v, t, p)
    return _sampled('BernoulliBackward2', v, t)


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples: 1 with probability ``input`` (element-wise) or with the number ``p``."""
    d = input._data
    # NOTE: PyTorch samples into a contiguous empty_like (its legacy memory format), and
    # TensorIterator walks the output's layout, so draws go in index order, not ``input``'s
    # memory order.
    c = d if d.flags.c_contiguous else np.empty(d.shape, d.dtype)
    if p is None:
        if d.dtype.kind != 'f':
            raise _not_implemented('bernoulli_tensor_cpu_p_', d.dtype)
        v = _bernoulli_values(_gen(generator), c, input).astype(d.dtype)
        res = _sampled('BernoulliBackward0', v, input)
    else:
        v = _bernoulli_values(_gen(generator), c, p).astype(d.dtype)
        res = _wrap(v)
    return res if out is None else _write_out(res, out)


def _exponential_values(gen: Generator, n: int, npdt, lambd: float) -> np.ndarray:
    """``(-1 / lambda) * log1p(-u)`` in double for 53-bit uniforms ``u``."""
    u = gen._u53(n)
    if npdt == f64:
        # NOTE: NumPy's log1p differs from the C library's in the last bit for some
        # inputs; float64 results go through the C library (as PyTorch's do). For narrower
        # dtypes the rounding hides that difference.
        lg = np.fromiter(map(math.log1p, (-u).tolist()), f64, n)
    else:
        lg = np.log1p(-u)
    return _cast((-1.0 / lambd) * lg, npdt)


def _exponential_like(t: Tensor, lambd: float = 1.0, generator=None) -> Tensor:
    """``t.exponential_(lambd)``'s values."""
    d = t._data
    lambd = float(lambd)
    if not lambd > 0.0:
        raise RuntimeError(f'exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}')
    if d.dtype.kind != 'f':
        raise RuntimeError('Exponential distribution is a continuous probability distribution.'
                           f' dtype must be a floating point but you specified '
                           f'{_type_word(d.dtype)}')
    v = _exponential_values(_gen(generator), d.size, d.dtype, lambd)
    return _sampled('ExponentialBackward0', _ordered(d, v), t)


def _geometric_like(t: Tensor, p: float, generator=None) -> Tensor:
    """``t.geometric_(p)``'s values: ``ceil(log(u) / log1p(-p))`` in double.

    NOTE: NumPy's log may differ from the C library's in the last bit; that can only
    matter when the quotient lies within an ulp of an integer.
    """
    d = t._data
    p = float(p)
    if not 0 < p < 1:
        raise RuntimeError(f'geometric_ expects p to be in (0, 1), but got p={_fmt(p)}')
    if d.dtype == np.bool_:
        raise _not_implemented('geometric_cpu', d.dtype)
    with np.errstate(divide='ignore'):
        v = np.ceil(np.log(_gen(generator)._u53(d.size)) / math.log1p(-p))
    return _sampled('GeometricBackward0', _ordered(d, _cast(v, d.dtype)), t)


def _log_normal_like(t: Tensor, mean: float = 1, std: float = 2, generator=None) -> Tensor:
    """``t.log_normal_(mean, std)``'s values: ``exp`` of the one-at-a-time normals."""
    d = t._data
    mean, std = float(mean), float(std)
    if not std > 0.0:
        raise RuntimeError(f'log_normal_ expects std > 0.0, but found std={_fmt(std)}')
    if d.dtype.kind != 'f':
        raise _not_implemented('log_normal_cpu', d.dtype)
    z = _gen(generator)._normal_scalar(d.size, mean, std)
    v = (np.fromiter(map(math.exp, z.tolist()), f64, z.size) if d.dtype == f64
         else np.exp(z))
    return _sampled('LogNormalBackward0', _ordered(d, _cast(v, d.dtype)), t)


def _cauchy_like(t: Tensor, median: float = 0, sigma: float = 1, generator=None) -> Tensor:
    """``t.cauchy_(median, sigma)``'s values: ``median + sigma * tan(pi * (u - 0.5))``."""
    d = t._data
    median, sigma = float(median), float(sigma)
    if not sigma > 0.0:
        raise RuntimeError(f'cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}')
    if d.dtype.kind != 'f':
        raise RuntimeError('Cauchy distribution is a continuous probability distribution. '
                           f'dtype must be a floating point but you specified '
                           f'{_C_NAMES[d.dtype.name]}')
    a = math.pi * (_gen(generator)._u53(d.size) - 0.5)
    tan = np.fromiter(map(math.tan, a.tolist()), f64, a.size) if d.dtype == f64 else np.tan(a)
    v = _k.muladd64(tan, sigma, median)
    return _sampled('CauchyBackward0', _ordered(d, _cast(v, d.dtype)), t)


# -- multinomial ---------------------------------------------------------------------
def _multinomial_replacement(gen: Generator, rows: np.ndarray, k: int) -> np.ndarray:
    """PyTorch's CPU kernel: per row a normalised running sum (in the row's dtype, float
    for half) and a binary search for each 53-bit uniform."""
    acc = f32 if rows.dtype == f16 else rows.dtype
    res = np.empty((rows.shape[0], k), np.int64)
    for i, row in enumerate(rows):
        bad = ~(row >= 0) | ~np.isfinite(row)
        if bad.any():
            first = row[np.argmax(bad)]
            what = '< 0' if not first >= 0 else '= infinity or NaN'
            raise RuntimeError(f'invalid multinomial distribution (encountering probability '
                               f'entry {what})')
        cum = np.cumsum(row, dtype=acc)
        total = cum[-1] if cum.size else acc(0)
        if not total > 0:
            raise RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)')
        cum /= total
        cum[-1] = 1
        res[i] = np.searchsorted(cum.astype(f64), gen._u53(k), side='left')
    return res


def _topk_indices(rows: np.ndarray, k: int) -> np.ndarray:
    """``topk(rows, k).indices``: a sort where the top ``k + 1`` values are distinct, else
    (ties, e.g. among zero probabilities) PyTorch's own selection algorithm."""
    res = np.argsort(-rows, axis=-1, kind='stable')[:, :k].astype(np.int64)
    top = -np.sort(-rows, axis=-1)[:, :k + 1]
    for i in np.flatnonzero((top[:, 1:] == top[:, :-1]).any(-1) | np.isnan(top).any(-1)):
        res[i] = _k.topk_largest_indices(rows[i], k)
    return res


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None, out=None) -> Tensor:
    """Category indices drawn with probabilities proportional to the rows of ``input``.

    Without replacement (or for one sample) PyTorch races exponentials: the indices of
    the largest ``p / q`` with ``q ~ Exp(1)``; with replacement it searches a cumulative
    distribution, row by row.
    """
    d = input._data
    n_sample = operator.index(num_samples)
    if d.ndim not in (1, 2):
        raise RuntimeError('prob_dist must be 1 or 2 dim')
    if d.dtype.kind != 'f':
        raise RuntimeError('multinomial only supports floating-point dtypes for input, got: '
                           f'{_type_word(d.dtype)}')
    if out is not None and out._data.dtype != np.int64:
        raise RuntimeError(f'multinomial expects Long tensor out, got: '
                           f'{_type_word(out._data.dtype)}')
    if n_sample <= 0:
        raise RuntimeError('cannot sample n_sample <= 0 samples')
    n_cat = d.shape[-1]
    if not replacement and n_sample > n_cat:
        raise RuntimeError('cannot sample n_sample > prob_dist.size(-1) samples without '
                           'replacement')
    if n_cat > (1 << 24):
        raise RuntimeError('number of categories cannot exceed 2^24')
    shape = (n_sample,) if d.ndim == 1 else (d.shape[0], n_sample)
    gen = _gen(generator)
    if math.prod(shape) == 0:
        res = np.empty(shape, np.int64)
    elif not replacement or n_sample == 1:
        if not (d.max() < np.inf and d.min() >= 0):
            raise RuntimeError('probability tensor contains either `inf`, `nan` or element < 0')
        if (d.sum(-1) == 0).any():
            raise RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)')
        q = _ordered(d, _exponential_values(gen, d.size, d.dtype, 1.0))
        q = (d / q).astype(d.dtype, copy=False)
        if n_sample == 1:
            res = np.argmax(q, axis=-1)[..., None].astype(np.int64)
        else:
            res = _topk_indices(q.reshape(-1, n_cat), n_sample).reshape(shape)
    else:
        res = _multinomial_replacement(gen, d.reshape(-1, n_cat), n_sample).reshape(shape)
    t = _wrap(res)
    return t if out is None else _write_out(t, out)


# -- poisson -------------------------------------------------------------------------
_LGAMMA = []


def _c_lgamma():
    """The C library's ``lgamma`` (what PyTorch calls), else Python's own."""
    if not _LGAMMA:
        fn = math.lgamma
        try:
            import ctypes
            for name in ('libm.so.6', 'libm.dylib'):
                try:
                    f = ctypes.CDLL(name).lgamma
                except (OSError, AttributeError):
                    continue
                f.restype, f.argtypes = ctypes.c_double, (ctypes.c_double,)
                fn = f
                break
        except ImportError:  # no ctypes (e.g. in a browser)
            pass
        _LGAMMA.append(fn)
    return _LGAMMA[0]


def _poisson_one(lam: float, uniform, lgamma) -> int:
    """PyTorch's ``sample_poisson``: Hoermann's transformed rejection for ``lam >= 10``,
    else multiplying uniforms until the product drops below ``exp(-lam)``."""
    if lam >= 10:
        slam = math.sqrt(lam)
        loglam = math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = uniform() - 0.5
            v = uniform()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
                    <= -lam + k * loglam - lgamma(k + 1.0)):
                return k
    if lam == 0:
        return 0
    enlam = math.exp(-lam)
    x = 0
    prod = 1.0
    while True:
        prod *= uniform()
        if prod > enlam:
            x += 1
        else:
            return x


def poisson(input: Tensor, generator=None) -> Tensor:
    """Poisson samples with rates ``input``, element by element as PyTorch draws them."""
    d = input._data
    if d.dtype.kind != 'f':
        raise _not_implemented('poisson_cpu', d.dtype)
    lam = d.reshape(-1).astype(f64).tolist()
    if any(not x >= 0 for x in lam):
        raise RuntimeError('invalid Poisson rate, expected rate to be non-negative')
    stream = _UniformStream(_gen(generator), 4 * len(lam))
    lgamma = _c_lgamma() if any(x >= 10 for x in lam) else math.lgamma
    try:
        vals = [_poisson_one(x, stream.next, lgamma) for x in lam]
    finally:
        stream.close()
    v = np.array(vals, f64).astype(d.dtype).reshape(d.shape)
    return _sampled('PoissonBackward0', v, input)
