"""dtype objects and PyTorch's type-promotion rules (not NumPy's)."""
from __future__ import annotations

import numpy as np

__all__ = ['dtype', 'get_default_dtype', 'set_default_dtype', 'promote_types',
           'can_cast', 'finfo', 'iinfo']


class dtype:
    """A tensor element type: ``torch.float32``, ``torch.int64``, ...

    Each dtype maps onto exactly one NumPy dtype, which is what the tensor's
    array holds.
    """
    __slots__ = ('name', 'np', 'is_floating_point', 'is_signed', 'is_complex', 'itemsize',
                 '_cat', '__weakref__')

    def __init__(self, name: str, np_dtype, cat: int) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        # category: 0 bool, 1 integer, 2 floating, 3 complex; promotion only looks up.
        self._cat = cat
        self.is_floating_point = cat == 2
        self.is_complex = cat == 3
        self.is_signed = name not in ('bool', 'uint8')
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return 'torch.' + self.name

    def __reduce__(self):
        # dtypes pickle as the module attribute, like torch's, so identity survives.
        return (_dtype_by_name, (self.name,))

    def to_complex(self) -> 'dtype':
        """The complex dtype whose parts are this floating dtype (complex dtypes map to
        themselves); integer and bool dtypes have none."""
        if self._cat == 3:
            return self
        c = _TO_COMPLEX.get(self.name)
        if c is None:
            if self is float16:
                raise NotImplementedError('complex32 (torch.chalf) is not supported by '
                                          'numtorch')
            raise RuntimeError(f'Unknown Complex ScalarType for {_SCALAR_NAMES[self.name]}')
        return c

    def to_real(self) -> 'dtype':
        """The dtype of a complex dtype's real and imaginary parts (others map to
        themselves)."""
        return _TO_REAL.get(self.name, self)


bool_ = dtype('bool', np.bool_, 0)
uint8 = dtype('uint8', np.uint8, 1)
int8 = dtype('int8', np.int8, 1)
int16 = dtype('int16', np.int16, 1)
int32 = dtype('int32', np.int32, 1)
int64 = dtype('int64', np.int64, 1)
float16 = dtype('float16', np.float16, 2)
float32 = dtype('float32', np.float32, 2)
float64 = dtype('float64', np.float64, 2)
complex64 = dtype('complex64', np.complex64, 3)
complex128 = dtype('complex128', np.complex128, 3)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64,
       complex128)
_TO_COMPLEX = {'float32': complex64, 'float64': complex128}
_TO_REAL = {'complex64': float32, 'complex128': float64}
# c10 ScalarType names, used in PyTorch's messages.
_SCALAR_NAMES = {'bool': 'Bool', 'uint8': 'Byte', 'int8': 'Char', 'int16': 'Short',
                 'int32': 'Int', 'int64': 'Long', 'float16': 'Half', 'float32': 'Float',
                 'float64': 'Double', 'complex64': 'ComplexFloat',
                 'complex128': 'ComplexDouble'}
_BY_NAME = {d.name: d for d in ALL}
# NumPy dtype -> numtorch dtype; np.dtype objects hash like their type codes.
NP2DT = {d.np: d for d in ALL}
for _d in ALL:
    NP2DT[_d.np.type] = _d
NP2DT[np.dtype(np.intc)] = int32
NP2DT[np.dtype(np.longlong)] = int64

ALIASES = {
    'float': float32, 'double': float64, 'half': float16,
    'long': int64, 'int': int32, 'short': int16, 'bool': bool_,
    'cfloat': complex64, 'cdouble': complex128,
}


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


class _Defaults:
    __slots__ = ('float',)


_defaults = _Defaults()
_defaults.float = float32


def get_default_dtype() -> dtype:
    """Returns the floating point dtype that new float tensors get (float32 unless changed)."""
    return _defaults.float


def set_default_dtype(d: dtype) -> None:
    """Sets the floating point dtype used for Python floats and ``torch.tensor([1.5])``."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f'only floating-point types are supported as the default type, got {d}')
    _defaults.float = d


def to_dtype(d) -> dtype:
    """Accepts a numtorch dtype, a NumPy dtype or a Python type and returns the numtorch dtype."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return _defaults.float
    if d is int:
        return int64
    if d is bool:
        return bool_
    if d is complex:
        return _defaults.float.to_complex()
    try:
        return NP2DT[np.dtype(d)]
    except (KeyError, TypeError):
        raise TypeError(f'unsupported dtype: {d!r}') from None


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype to which both ``a`` and ``b`` can be cast (PyTorch's table)."""
    if a is b:
        return a
    if a._cat != b._cat:
        if a._cat + b._cat == 5:
            # float + complex: a complex dtype wide enough for both real parts
            # (float64 + complex64 is complex128).
            return promote_types(a.to_real(), b.to_real()).to_complex()
        # A higher category wins outright: int64 + float16 is float16 in PyTorch.
        return a if a._cat > b._cat else b
    return NP2DT[np.promote_types(a.np, b.np)]


def default_complex() -> dtype:
    """The dtype of a Python complex number: the complex dtype of the default float."""
    return _defaults.float.to_complex()


def can_cast(from_: dtype, to: dtype) -> bool:
    """Whether a value of ``from_`` may be written into ``to`` by an in-place op."""
    return from_._cat <= to._cat


def _scalar_dtype(x) -> dtype:
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    if isinstance(x, float):
        return _defaults.float
    if isinstance(x, complex):
        return _defaults.float.to_complex()
    raise TypeError(f'unsupported operand type: {type(x).__name__}')


def result_dtype(operands) -> dtype:
    """torch.result_type over tensors and Python scalars.

    Dimensioned tensors decide first; a zero-dim tensor or a Python scalar only
    matters when it is of a higher category (bool < int < float).
    """
    dim = zero = wrapped = None
    for x in operands:
        data = getattr(x, '_data', None)
        if data is None:
            d = _scalar_dtype(x)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
        else:
            d = NP2DT[data.dtype]
            if data.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
    return _combine(dim, _combine(zero, wrapped))


def _combine(higher, lower):
    if higher is None:
        return lower
    if lower is None or higher._cat >= lower._cat:
        return higher
    if lower._cat == 3 and higher._cat == 2:
        # A complex scalar keeps a floating tensor's precision: float64 tensor * 1j is
        # complex128, float32 tensor + complex128 0-d tensor is complex64.
        return higher.to_complex()
    return lower


class finfo:
    """Machine limits of a floating point dtype (``torch.finfo``)."""

    def __init__(self, type: dtype | None = None) -> None:
        d = _defaults.float if type is None else to_dtype(type).to_real()
        if not d.is_floating_point:
            raise TypeError('torch.finfo() requires a floating point input type.')
        fi = np.finfo(d.np)
        self.dtype = d.name
        self.bits = fi.bits
        self.eps = float(fi.eps)
        self.max = float(fi.max)
        self.min = float(fi.min)
        self.tiny = float(fi.tiny)
        self.smallest_normal = float(fi.smallest_normal)
        self.resolution = float(fi.resolution)

    def __repr__(self) -> str:
        return (f'finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, '
                f'eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, '
                f'tiny={self.tiny:g}, dtype={self.dtype})')


class iinfo:
    """Machine limits of an integer dtype (``torch.iinfo``)."""

    def __init__(self, type: dtype) -> None:
        d = to_dtype(type)
        if d._cat >= 2:
            raise TypeError('torch.iinfo() requires an integer input type.')
        ii = np.iinfo(d.np) if d is not bool_ else np.iinfo(np.uint8)
        self.dtype = d.name
        self.bits = ii.bits
        self.max = int(ii.max)
        self.min = int(ii.min)

    def __repr__(self) -> str:
        return f'iinfo(min={self.min}, max={self.max}, dtype={self.dtype})'
