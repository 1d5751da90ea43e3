"""assert_close (and the deprecated assert_allclose): PyTorch's comparison of tensors, numbers
and nested sequences / mappings of them, with PyTorch's tolerances and failure messages."""
from __future__ import annotations

import cmath
import collections.abc
import warnings
from typing import Any, Callable, Optional, Union

import numpy as np

from .._tensor import Tensor
from .._dtype import float16, float32, float64, int64, promote_types, complex64, complex128
from .._ops.comparison import isclose
from .._ops.creation import as_tensor, tensor

__all__ = ['assert_close', 'assert_allclose']

# {dtype: (rtol, atol)}; every other dtype compares exactly. Complex dtypes use their
# parts' tolerances (Python complex numbers complex128's).
_DTYPE_PRECISIONS = {
    float16: (0.001, 1e-5),
    float32: (1.3e-6, 1e-5),
    float64: (1e-7, 1e-7),
    complex64: (1.3e-6, 1e-5),
    complex128: (1e-7, 1e-7),
}
_COMPLEX = complex128
_NUMBER_DTYPES = {int: int64, float: float64, complex: _COMPLEX}


class _Failure(Exception):
    """One failed comparison: the exception type and message to raise, and where (``id``:
    the indices / keys leading to the item inside nested inputs)."""

    def __init__(self, type_: type, msg: str, id: tuple = ()) -> None:
        super().__init__(msg)
        self.type = type_
        self.msg = msg
        self.id = id

    def to_error(self, msg: Union[str, Callable[[str], str], None] = None) -> Exception:
        if isinstance(msg, str):
            return self.type(msg)
        text = self.msg
        if self.id:
            text += f"\n\nThe failure occurred for item {''.join(str([i]) for i in self.id)}"
        return self.type(msg(text) if callable(msg) else text)


class _Unsupported(Exception):
    """Raised by a pair type that cannot handle the given inputs (the next one is tried)."""


def _default_tolerances(*dtypes, precisions=None) -> tuple:
    precisions = precisions or _DTYPE_PRECISIONS
    pairs = [precisions.get(d, (1e-7, 1e-7) if d == _COMPLEX else (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _tolerances(*dtypes, rtol, atol, id) -> tuple:
    if (rtol is None) ^ (atol is None):
        raise _Failure(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, "
                                   f"but got no {'rtol' if rtol is None else 'atol'}.", id)
    if rtol is not None:
        return rtol, atol
    return _default_tolerances(*dtypes)


def _mismatch_msg(identifier, default: str, extra: str, abs_diff, abs_idx, atol, rel_diff,
                  rel_idx, rtol) -> str:
    equality = rtol == 0 and atol == 0

    def line(kind, diff, idx, tol):
        s = (f'{kind.title()} difference: {diff}' if idx is None else
             f'Greatest {kind} difference: {diff} at index {idx}')
        return s + ('' if equality else f' (up to {tol} allowed)') + '\n'

    if identifier is None:
        identifier = default
    elif callable(identifier):
        identifier = identifier(default)
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += extra.strip() + '\n'
    msg += line('absolute', abs_diff, abs_idx, atol)
    msg += line('relative', rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_msg(actual, expected, rtol, atol) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float('inf') if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg(None, 'Scalars', f'Expected {expected} but got {actual}.', abs_diff,
                         None, atol, rel_diff, None, rtol)


def _unravel(flat: int, shape: tuple) -> tuple:
    return tuple(int(i) for i in np.unravel_index(flat, shape))


def _tensor_msg(a: np.ndarray, e: np.ndarray, matches: np.ndarray, rtol, atol) -> str:
    n = matches.size
    bad = n - int(matches.sum())
    extra = f'Mismatched elements: {bad} / {n} ({bad / n:.1%})'
    a = a.reshape(-1)
    e = e.reshape(-1)
    m = matches.reshape(-1)
    if a.dtype.kind not in 'fc':
        # NOTE: PyTorch widens integers to int64 and divides them in the default float dtype.
        abs_diff = np.abs(a.astype(np.int64) - e.astype(np.int64))
        abs_diff[m] = 0
        rel_diff = abs_diff.astype(np.float32) / np.abs(e.astype(np.int64)).astype(np.float32)
    else:
        abs_diff = np.abs(a - e)
        abs_diff[m] = 0
        rel_diff = abs_diff / np.abs(e)
    rel_diff[m] = 0
    # (np.argmax picks the first NaN as torch.max does)
    ia = int(np.argmax(abs_diff))
    ir = int(np.argmax(rel_diff))
    return _mismatch_msg(None, 'Tensor-likes', extra, abs_diff[ia].item(),
                         _unravel(ia, matches.shape), atol, rel_diff[ir].item(),
                         _unravel(ir, matches.shape), rtol)


class _NonePair:
    def __init__(self, actual, expected, id, **options) -> None:
        if not (actual is None or expected is None):
            raise _Unsupported
        self.actual, self.expected, self.id = actual, expected, id

    def compare(self) -> None:
        if not (self.actual is None and self.expected is None):
            raise _Failure(AssertionError,
                           f'None mismatch: {self.actual} is not {self.expected}', self.id)


class _BooleanPair:
    def __init__(self, actual, expected, id, **options) -> None:
        types = (bool, np.bool_)
        if not (isinstance(actual, types) and isinstance(expected, types)):
            raise _Unsupported
        self.actual, self.expected, self.id = bool(actual), bool(expected), id

    def compare(self) -> None:
        if self.actual is not self.expected:
            raise _Failure(AssertionError,
                           f'Booleans mismatch: {self.actual} is not {self.expected}', self.id)


class _NumberPair:
    def __init__(self, actual, expected, id, rtol=None, atol=None, equal_nan=False,
                 check_dtype=False, **options) -> None:
        types = (int, float, complex, np.number)
        if not (isinstance(actual, types) and isinstance(expected, types)):
            raise _Unsupported
        actual, expected = (x.item() if isinstance(x, np.number) else x
                            for x in (actual, expected))
        self.actual, self.expected, self.id = actual, expected, id
        self.rtol, self.atol = _tolerances(*(_NUMBER_DTYPES[type(x)] for x in (actual, expected)),
                                           rtol=rtol, atol=atol, id=id)
        self.equal_nan = equal_nan
        self.check_dtype = check_dtype

    def compare(self) -> None:
        a, e = self.actual, self.expected
        if self.check_dtype and type(a) is not type(e):
            raise _Failure(AssertionError,
                           f'The (d)types do not match: {type(a)} != {type(e)}.', self.id)
        if a == e:
            return
        if self.equal_nan and cmath.isnan(a) and cmath.isnan(e):
            return
        diff = abs(a - e)
        if cmath.isfinite(diff) and diff <= self.atol + self.rtol * abs(e):
            return
        raise _Failure(AssertionError, _scalar_msg(a, e, self.rtol, self.atol), self.id)


class _TensorLikePair:
    def __init__(self, actual, expected, id, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, **options) -> None:
        # Only two tensors, or two objects of related types that as_tensor accepts (e.g. two
        # NumPy arrays); a Tensor against an array or a list is not a pair.
        if not (isinstance(actual, type(expected)) or isinstance(expected, type(actual))):
            raise _Unsupported
        if not allow_subclasses and type(actual) is not type(expected):
            raise _Unsupported
        actual, expected = (self._to_tensor(x) for x in (actual, expected))
        self.actual, self.expected, self.id = actual, expected, id
        self.rtol, self.atol = _tolerances(actual.dtype, expected.dtype, rtol=rtol, atol=atol,
                                           id=id)
        self.equal_nan = equal_nan
        self.check_device = check_device
        self.check_dtype = check_dtype
        self.check_layout = check_layout
        self.check_stride = check_stride

    @staticmethod
    def _to_tensor(x) -> Tensor:
        if isinstance(x, Tensor):
            return x
        try:
            return as_tensor(x)
        except Exception:
            raise _Unsupported from None

    def _attribute(self, name, a, e) -> None:
        raise _Failure(AssertionError,
                       f"The values for attribute '{name}' do not match: {a} != {e}.", self.id)

    def compare(self) -> None:
        a, e = self.actual, self.expected
        if a.shape != e.shape:
            self._attribute('shape', a.shape, e.shape)
        if a.layout != e.layout:
            if self.check_layout:
                self._attribute('layout', a.layout, e.layout)
        elif self.check_stride and a.stride() != e.stride():
            self._attribute('stride()', a.stride(), e.stride())
        if self.check_device and a.device != e.device:
            self._attribute('device', a.device, e.device)
        if self.check_dtype and a.dtype != e.dtype:
            self._attribute('dtype', a.dtype, e.dtype)
        if a.device != e.device:
            a, e = a.cpu(), e.cpu()
        if a.dtype != e.dtype:
            dt = promote_types(a.dtype, e.dtype)
            a, e = a.to(dt), e.to(dt)
        matches = isclose(a, e, rtol=self.rtol, atol=self.atol, equal_nan=self.equal_nan)._data
        if matches.all():
            return
        if a.shape == ():
            msg = _scalar_msg(a.item(), e.item(), self.rtol, self.atol)
        else:
            msg = _tensor_msg(a.detach().numpy(), e.detach().numpy(), matches, self.rtol,
                              self.atol)
        raise _Failure(AssertionError, msg, self.id)


_PAIR_TYPES = (_NonePair, _BooleanPair, _NumberPair, _TensorLikePair)


def _pairs(actual, expected, id: tuple, options: dict) -> list:
    """Walks matching sequences and mappings down to leaf pairs (structure errors first)."""
    seq = collections.abc.Sequence
    if (isinstance(actual, seq) and not isinstance(actual, str)
            and isinstance(expected, seq) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            raise _Failure(AssertionError, f'The length of the sequences mismatch: '
                                           f'{len(actual)} != {len(expected)}', id)
        out = []
        for i in range(len(actual)):
            out.extend(_pairs(actual[i], expected[i], (*id, i), options))
        return out
    mapping = collections.abc.Mapping
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        ak, ek = set(actual.keys()), set(expected.keys())
        if ak != ek:
            raise _Failure(AssertionError,
                           'The keys of the mappings do not match:\n'
                           f'Missing keys in the actual mapping: {sorted(ek - ak)}\n'
                           f'Additional keys in the actual mapping: {sorted(ak - ek)}', id)
        keys = ak
        try:  # a deterministic order where the keys allow one
            keys = sorted(keys)
        except Exception:
            pass
        out = []
        for k in keys:
            out.extend(_pairs(actual[k], expected[k], (*id, k), options))
        return out
    for pair_type in _PAIR_TYPES:
        try:
            return [pair_type(actual, expected, id, **options)]
        except _Unsupported:
            continue
        except _Failure:
            raise
        except Exception as error:   # e.g. a bool against an int reaching the number pair
            name = pair_type.__name__.lstrip('_')
            raise RuntimeError(
                f"Originating a {name}() at item {''.join(str([i]) for i in id)} with\n\n"
                f'{type(actual).__name__}(): {actual}\n\nand\n\n'
                f'{type(expected).__name__}(): {expected}\n\n'
                'resulted in the unexpected exception above. If you are a user and see this '
                'message during normal operation please file an issue at '
                'https://github.com/pytorch/pytorch/issues. If you are a developer and working '
                'on the comparison functions, please except the previous error and raise an '
                'expressive `ErrorMeta` instead.') from error
    raise _Failure(TypeError, f'No comparison pair was able to handle inputs of type '
                              f'{type(actual)} and {type(expected)}.', id)


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: Optional[float] = None, atol: Optional[float] = None,
                 equal_nan: bool = False, check_device: bool = True, check_dtype: bool = True,
                 check_layout: bool = True, check_stride: bool = False,
                 msg: Union[str, Callable[[str], str], None] = None) -> None:
    """Raises an AssertionError (with PyTorch's message) unless ``actual`` and ``expected``
    are close: ``|actual - expected| <= atol + rtol * |expected|`` element-wise.

    Tensors must agree in shape, and (unless switched off) dtype, device, layout and, with
    ``check_stride``, strides. Python numbers, None and booleans are compared as such; lists,
    tuples and mappings recursively. Omitted tolerances come from the dtypes: float16 (1e-3,
    1e-5), float32 (1.3e-6, 1e-5), float64 (1e-7, 1e-7), exact otherwise. ``msg`` replaces
    the message, or (a callable) rewrites it.
    """
    __tracebackhide__ = True
    options = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
                   check_device=check_device, check_dtype=check_dtype,
                   check_layout=check_layout, check_stride=check_stride)
    try:
        pairs = _pairs(actual, expected, (), options)
    except _Failure as f:
        raise f.to_error() from None
    for pair in pairs:
        try:
            pair.compare()
        except _Failure as f:
            raise f.to_error(msg) from None


def assert_allclose(actual: Any, expected: Any, rtol: Optional[float] = None,
                    atol: Optional[float] = None, equal_nan: bool = True, msg: str = '') -> None:
    """Deprecated (FutureWarning): ``assert_close`` with dtype checks off, NaNs equal by default
    and looser default tolerances (float16 1e-3/1e-3, float32 1e-4/1e-5, float64 1e-5/1e-8)."""
    warnings.warn('`torch.testing.assert_allclose()` is deprecated since 1.12 and will be '
                  'removed in a future release. Please use `torch.testing.assert_close()` '
                  'instead. You can find detailed upgrade instructions in '
                  'https://github.com/pytorch/pytorch/issues/61844.', FutureWarning,
                  stacklevel=2)
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtol, atol = _default_tolerances(
            actual.dtype, expected.dtype,
            precisions={float16: (1e-3, 1e-3), float32: (1e-4, 1e-5), float64: (1e-5, 1e-8)})
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True,
                 check_dtype=False, check_stride=False, msg=msg or None)
