"""repr/str of tensors, character for character as PyTorch prints them.

The algorithm follows PyTorch's ``torch/_tensor_str.py``: one formatter per tensor decides
from the (summarised) values whether to print integral floats (``2.``), fixed point or
scientific notation and how wide every element is; rows wrap at ``linewidth``; tensors with
more than ``threshold`` elements show only ``edgeitems`` items at each end of every dimension;
suffixes (``dtype=``, ``size=``, ``requires_grad=True``, ``grad_fn=<...>``) follow the values.
Work that touches every element (int-mode test, min/max, width) is done with NumPy; only the
elements actually printed are formatted one by one.
"""
from __future__ import annotations

import contextlib
import math
import sys
from typing import Any, Iterator

import numpy as np

from ._dtype import get_default_dtype, int64, bool_
from ._tensor import Tensor

__all__ = ['set_printoptions', 'get_printoptions', 'printoptions', 'PRINT_OPTS']


class _PrinterOptions:
    """The current print options (PyTorch keeps them in one module-level object too)."""
    __slots__ = ('precision', 'threshold', 'edgeitems', 'linewidth', 'sci_mode')

    def __init__(self) -> None:
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None

    def __repr__(self) -> str:
        body = ', '.join(f'{k}={getattr(self, k)!r}' for k in self.__slots__)
        return f'_PrinterOptions({body})'


PRINT_OPTS = _PrinterOptions()

# profile name -> (precision, threshold, edgeitems, linewidth)
_PROFILES = {
    'default': (4, 1000, 3, 80),
    'short': (2, 1000, 2, 80),
    'full': (4, math.inf, 3, 80),
}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Sets how tensors print.

    ``profile`` ('default', 'short' or 'full') first resets precision, threshold, edgeitems
    and linewidth to a preset (PyTorch ignores any other profile name); the explicit arguments
    then override it. ``sci_mode`` is always assigned: True/False forces scientific/fixed
    notation, None (also what omitting it means) lets each tensor choose.
    """
    if profile is not None and profile in _PROFILES:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options as a dict that ``set_printoptions(**d)`` accepts."""
    return {k: getattr(PRINT_OPTS, k) for k in _PrinterOptions.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs) -> Iterator[None]:
    """Context manager: the print options in ``kwargs`` hold only inside the ``with`` block."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Decides how every element of one tensor prints and turns elements into strings.

    Built from the values that will be shown (the summarised data when summarising), like
    PyTorch: integral finite floats print as ``3.``; scientific notation is used when the
    nonzero finite magnitudes span more than 1000x, exceed 1e8 or go below 1e-4 (unless
    ``sci_mode`` forces a choice); all elements are right-aligned to a common width.
    """
    __slots__ = ('max_width', '_spec')

    def __init__(self, a: np.ndarray) -> None:
        self.max_width = 1
        kind = a.dtype.kind
        if kind == 'b':
            if a.size:
                # 'False' is one character longer than 'True'.
                self.max_width = 4 if a.all() else 5
            self._spec = None
            return
        if kind != 'f':
            if a.size:
                # The longest decimal string is that of the largest or the most negative value.
                self.max_width = max(len(str(a.max())), len(str(a.min())))
            self._spec = f'>{self.max_width}'
            return
        p = PRINT_OPTS.precision
        flat = a.reshape(-1)
        nz = flat[np.isfinite(flat) & (flat != 0)]
        if nz.size == 0:
            # Nothing finite and nonzero: PyTorch stays in int mode, fixed notation, width 1.
            self._spec = '>#1.0f'
            return
        mag = np.abs(nz).astype(np.float64)
        lo = float(mag.min())
        hi = float(mag.max())
        int_mode = bool((nz == np.ceil(nz)).all())
        sci = PRINT_OPTS.sci_mode
        if sci is None:
            sci = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        # '#' keeps the '.' that PyTorch appends to integral floats ('3.'), not to nan/inf.
        alt, tail = ('', f'.{p}e') if sci else ('#', '.0f') if int_mode else ('', f'.{p}f')
        # NOTE: for one sign the printed length grows with the rounded magnitude (fixed point)
        # or with the exponent's digit count, which peaks at the smallest or the largest
        # magnitude (scientific); so the widest element is one of these four extremes and
        # formatting them alone gives the width PyTorch finds by formatting every value.
        pos = nz[nz > 0]
        neg = nz[nz < 0]
        ends = []
        if pos.size:
            ends += [pos.min(), pos.max()]
        if neg.size:
            ends += [neg.min(), neg.max()]
        self.max_width = max(len(format(float(v), alt + tail)) for v in ends)
        # nan/inf are not counted in the width (PyTorch's rule), so they may stick out.
        self._spec = f'>{alt}{self.max_width}{tail}'

    def width(self) -> int:
        return self.max_width

    def fmt(self, vals: list) -> list:
        """Strings for the Python scalars ``vals`` (from ``ndarray.tolist()``), padded."""
        spec = self._spec
        if spec is None:
            w = self.max_width
            return [str(v).rjust(w) for v in vals]
        return [format(v, spec) for v in vals]


class _ComplexFormatter:
    """PyTorch's pair of formatters for a complex tensor: one built from the real parts, one
    from the imaginary parts; an element prints as ``re+imj`` (``re-imj``), the real part
    padded to its formatter's width and the imaginary part unpadded."""
    __slots__ = ('re', 'im')

    def __init__(self, a: np.ndarray) -> None:
        self.re = _Formatter(a.real)
        self.im = _Formatter(a.imag)

    def width(self) -> int:
        # the two parts, and the 'j'
        return self.re.width() + self.im.width() + 1

    def fmt(self, vals: list) -> list:
        res = self.re.fmt([v.real for v in vals])
        ims = self.im.fmt([v.imag for v in vals])
        out = []
        for r, i in zip(res, ims):
            i = i.lstrip()
            # negative parts (and -0.) bring their own sign; others get a '+'
            out.append(r + i + 'j' if i[0] in '+-' else r + '+' + i + 'j')
        return out


def _summarized_data(a: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows: ``edgeitems`` at each end of every long dim."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        n = a.shape[0]
        # NOTE: with edgeitems == 0 PyTorch concatenates a[:0] and a[-0:], i.e. all of a.
        return np.concatenate((a[:e], a[-e:])) if n > 2 * e else a
    if not e:
        return a[(slice(0, 0),) * a.ndim]
    for ax, n in enumerate(a.shape):
        if n > 2 * e:
            a = np.take(a, np.r_[0:e, n - e:n], axis=ax)
    return a


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fm: _Formatter) -> str:
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fm.width() + 2)))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ['...']
    elif summarize and a.shape[0] > 2 * e:
        data = fm.fmt(a[:e].tolist()) + [' ...'] + fm.fmt(a[-e:].tolist())
    else:
        data = fm.fmt(a.tolist())
    sep = ',\n' + ' ' * (indent + 1)
    return '[' + sep.join(', '.join(data[i:i + per_line])
                          for i in range(0, len(data), per_line)) + ']'


def _tensor_str_with_formatter(a: np.ndarray, indent: int, summarize: bool,
                               fm: _Formatter) -> str:
    dim = a.ndim
    if dim == 0:
        return fm.fmt([a.item()])[0]
    if dim == 1:
        return _vector_str(a, indent, summarize, fm)
    e = PRINT_OPTS.edgeitems
    n = a.shape[0]
    if summarize and n > 2 * e:
        slices = ([_tensor_str_with_formatter(a[i], indent + 1, summarize, fm)
                   for i in range(e)]
                  + ['...']
                  + [_tensor_str_with_formatter(a[i], indent + 1, summarize, fm)
                     for i in range(n - e, n)])
    else:
        slices = [_tensor_str_with_formatter(a[i], indent + 1, summarize, fm) for i in range(n)]
    return '[' + (',' + '\n' * (dim - 1) + ' ' * (indent + 1)).join(slices) + ']'


def _tensor_str(a: np.ndarray, indent: int) -> str:
    """The bracketed values of array ``a`` for a repr whose values start at column ``indent``."""
    if a.size == 0:
        return '[]'
    summarize = a.size > PRINT_OPTS.threshold
    fm = (_ComplexFormatter if a.dtype.kind == 'c' else _Formatter)(
        _summarized_data(a) if summarize else a)
    return _tensor_str_with_formatter(a, indent, summarize, fm)


def _add_suffixes(tensor_str: str, suffixes: list, indent: int, force_newline: bool) -> str:
    """Appends ``, suffix`` items, moving one to a new line where it would pass linewidth."""
    out = [tensor_str]
    # NOTE: PyTorch's count is 2 too high on a single-line repr (rfind gives -1); kept as is
    # because it decides where the suffixes wrap.
    last_line_len = len(tensor_str) - tensor_str.rfind('\n') + 1
    for suffix in suffixes:
        n = len(suffix)
        if force_newline or last_line_len + n + 2 > PRINT_OPTS.linewidth:
            out.append(',\n' + ' ' * indent + suffix)
            last_line_len = indent + n
            force_newline = False
        else:
            out.append(', ' + suffix)
            last_line_len += n + 2
    out.append(')')
    return ''.join(out)


def _parameter_cls() -> type | None:
    # numtorch.nn is imported lazily by users; without it no Parameter can exist.
    mod = sys.modules.get('numtorch.nn.parameter')
    return getattr(mod, 'Parameter', None) if mod is not None else None


def _str(self, *, tensor_contents: str | None = None) -> str:
    """``repr(tensor)``: ``tensor(<values>[, suffixes])`` exactly as PyTorch prints it.

    ``tensor_contents`` replaces the printed values (PyTorch uses this for wrappers). Plain
    tensors and ``nn.Parameter`` print with the ``tensor(`` prefix; other Tensor subclasses use
    their class name, and subclasses of Parameter are additionally wrapped in ``Parameter(...)``.
    """
    cls = type(self)
    param_cls = _parameter_cls()
    is_plain = cls is Tensor or (param_cls is not None and cls is param_cls)
    prefix = 'tensor(' if is_plain else f'{cls.__name__}('
    indent = len(prefix)
    a = self._data
    dt = self.dtype
    default = get_default_dtype()
    default_complex = default.to_complex() if default.name != 'float16' else None
    suffixes = []
    dev = self.device
    if dev.type != 'cpu':
        suffixes.append(f"device='{dev}'")
    if a.size == 0:
        # Match NumPy: print the shape unless it is (0,); an empty tensor has no values to
        # reveal an integer dtype, so every non-default dtype is named (int64 and bool too).
        if a.ndim != 1:
            suffixes.append('size=' + str(tuple(a.shape)))
        if dt != default:
            suffixes.append('dtype=' + str(dt))
        tensor_str = '[]' if tensor_contents is None else tensor_contents
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append('size=' + str(tuple(a.shape)))
        if dt != default and dt != int64 and dt != bool_ and dt != default_complex:
            suffixes.append('dtype=' + str(dt))
        tensor_str = _tensor_str(a, indent) if tensor_contents is None else tensor_contents
    grad_fn = self.grad_fn
    if grad_fn is not None:
        # (PyTorch prints the node's name without its C++ namespace)
        suffixes.append(f"grad_fn=<{grad_fn.name().rpartition('::')[2]}>")
    elif self.requires_grad:
        suffixes.append('requires_grad=True')
    x = self._x
    if x is not None and 'fwd' in x:
        from .autograd.forward_ad import _tangent
        tangent = _tangent(self)
        if tangent is not None:
            # NOTE: formatted, not repr'd, as PyTorch: a 0-d tangent prints as its number.
            suffixes.append(f'tangent={tangent}')
    out = _add_suffixes(prefix + tensor_str, suffixes, indent, False)
    if param_cls is not None and not is_plain and isinstance(self, param_cls):
        out = f'Parameter({out})'
    return out
