"""``torch.fft``: discrete Fourier transforms and their helpers, as PyTorch defines them.

Real integer/bool inputs are promoted to the default float dtype, float32 data gives
complex64 spectra and float64 complex128; ``norm`` is 'backward' (the default: no scale
forward, 1/n inverse), 'ortho' (1/sqrt(n) both ways) or 'forward' (1/n forward). ``n``/``s``
crop or zero-pad the signal along each transformed dimension first.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .._dtype import get_default_dtype, to_dtype
from .._ops._op import cast
from .._ops.spectral import c2c, r2c, c2r

__all__ = ['fft', 'ifft', 'fft2', 'ifft2', 'fftn', 'ifftn', 'rfft', 'irfft', 'rfft2', 'irfft2',
           'rfftn', 'irfftn', 'hfft', 'ihfft', 'hfft2', 'ihfft2', 'hfftn', 'ihfftn', 'fftfreq',
           'rfftfreq', 'fftshift', 'ifftshift']

_NORMS = ('backward', 'ortho', 'forward')
_DUAL = {'backward': 'forward', 'forward': 'backward', 'ortho': 'ortho'}


# -- argument handling (PyTorch's canonicalize_fft_shape_and_dim_args) ---------------------
def _norm(norm) -> str:
    if norm is None:
        return 'backward'
    if norm not in _NORMS:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _promote(x: Tensor, name: str, require_complex: bool = False,
             require_real: bool = False) -> Tensor:
    """PyTorch's promote_tensor_fft: integers become the default float; half is refused."""
    k = x._data.dtype.kind
    if k == 'c':
        if require_real:
            raise RuntimeError(f'{name} expects a real input tensor, but got '
                               f'{x.type()[6:-6]}')
        return x
    if x._data.dtype == np.float16:
        raise RuntimeError('Unsupported dtype Half')
    if k != 'f':
        x = cast(x, get_default_dtype().np)
    if require_complex:
        x = cast(x, x.dtype.to_complex().np)
    return x


def _wrap_dim(d: int, ndim: int) -> int:
    if ndim == 0:
        raise IndexError(f'Dimension specified as {d} but tensor has no dimensions')
    if not -ndim <= d < ndim:
        raise IndexError(f'Dimension out of range (expected to be in range of [{-ndim}, '
                         f'{ndim - 1}], but got {d})')
    return d % ndim


def _check_n(n: int) -> None:
    if n < 1:
        raise RuntimeError(f'Invalid number of data points ({n}) specified')


def _dims_1d(x: Tensor, n, dim: int):
    d = _wrap_dim(dim, x._data.ndim)
    if n is not None:
        _check_n(n)
    return (d,), (None if n is None else (n,))


def _dims_nd(x: Tensor, s, dim):
    """(axes, sizes or None) for the n-dimensional transforms."""
    nd = x._data.ndim
    if isinstance(dim, int):
        dim = (dim,)
    if s is not None:
        s = tuple(s)
    if dim is not None:
        axes = tuple(_wrap_dim(d, nd) for d in dim)
        if len(set(axes)) != len(axes):
            raise RuntimeError('FFT dims must be unique')
        if s is not None and len(s) != len(axes):
            raise RuntimeError('When given, dim and shape arguments must have the same length')
    elif s is not None:
        if len(s) > nd:
            raise RuntimeError(f'Got shape with {len(s)} values but input tensor only has '
                               f'{nd} dimensions.')
        axes = tuple(range(nd - len(s), nd))
    else:
        axes = tuple(range(nd))
    if s is None:
        return axes, None
    sizes = tuple(x._data.shape[a] if n == -1 else n for a, n in zip(axes, s))
    for n in sizes:
        _check_n(n)
    return axes, sizes


def _c2r_sizes(x: Tensor, axes: tuple, sizes):
    """The output sizes of a C2R transform: the last one is the full signal length."""
    shape = x._data.shape
    full = list(shape[a] for a in axes) if sizes is None else list(sizes)
    if sizes is None:
        full[-1] = 2 * (shape[axes[-1]] - 1)
    _check_n(full[-1])
    return tuple(full)


def _no_out(out) -> None:
    if out is not None:
        raise NotImplementedError('torch.fft functions: out= is not supported by numtorch')


# -- complex-to-complex ---------------------------------------------------------------------
def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
        out=None) -> Tensor:
    """The one-dimensional DFT of ``input`` along ``dim``."""
    _no_out(out)
    x = _promote(input, 'fft')
    axes, s = _dims_1d(x, n, dim)
    return c2c(x, axes, s, _norm(norm), False)


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
         out=None) -> Tensor:
    """The one-dimensional inverse DFT of ``input`` along ``dim``."""
    _no_out(out)
    x = _promote(input, 'ifft')
    axes, s = _dims_1d(x, n, dim)
    return c2c(x, axes, s, _norm(norm), True)


def fftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The N-dimensional DFT over ``dim`` (all dims, or the last ``len(s)``, by default)."""
    _no_out(out)
    x = _promote(input, 'fftn')
    axes, sizes = _dims_nd(x, s, dim)
    return c2c(x, axes, sizes, _norm(norm), False)


def ifftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The N-dimensional inverse DFT over ``dim``."""
    _no_out(out)
    x = _promote(input, 'ifftn')
    axes, sizes = _dims_nd(x, s, dim)
    return c2c(x, axes, sizes, _norm(norm), True)


def fft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:
    """The two-dimensional DFT (``fftn`` over the last two dims by default)."""
    return fftn(input, s, dim, norm, out=out)


def ifft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:
    """The two-dimensional inverse DFT."""
    return ifftn(input, s, dim, norm, out=out)


# -- real-to-complex (one-sided) and complex-to-real -----------------------------------------
def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
         out=None) -> Tensor:
    """The DFT of a real signal: only the ``n // 2 + 1`` non-redundant frequencies."""
    _no_out(out)
    x = _promote(input, 'rfft', require_real=True)
    axes, s = _dims_1d(x, n, dim)
    return r2c(x, axes, s, _norm(norm))


def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
          out=None) -> Tensor:
    """The inverse of :func:`rfft`: a real signal of length ``n`` (``2 * (m - 1)`` by
    default) from its one-sided spectrum."""
    _no_out(out)
    x = _promote(input, 'irfft', require_complex=True)
    axes, s = _dims_1d(x, n, dim)
    return c2r(x, axes, _c2r_sizes(x, axes, s), _norm(norm))


def rfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The N-dimensional DFT of a real signal, one-sided along the last of ``dim``."""
    _no_out(out)
    x = _promote(input, 'rfftn', require_real=True)
    axes, sizes = _dims_nd(x, s, dim)
    return r2c(x, axes, sizes, _norm(norm))


def irfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The inverse of :func:`rfftn`."""
    _no_out(out)
    x = _promote(input, 'irfftn', require_complex=True)
    axes, sizes = _dims_nd(x, s, dim)
    return c2r(x, axes, _c2r_sizes(x, axes, sizes), _norm(norm))


def rfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *,
          out=None) -> Tensor:
    """The two-dimensional :func:`rfftn`."""
    return rfftn(input, s, dim, norm, out=out)


def irfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *,
           out=None) -> Tensor:
    """The two-dimensional :func:`irfftn`."""
    return irfftn(input, s, dim, norm, out=out)


# -- Hermitian: hfft is an irfft of the conjugate with the forward scale ---------------------
def hfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
         out=None) -> Tensor:
    """The DFT of a Hermitian-symmetric signal given by its first half: a real spectrum of
    length ``n`` (``2 * (m - 1)`` by default)."""
    _no_out(out)
    x = _promote(input, 'hfft', require_complex=True)
    axes, s = _dims_1d(x, n, dim)
    return c2r(x, axes, _c2r_sizes(x, axes, s), _DUAL[_norm(norm)], conj_in=True)


def ihfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
          out=None) -> Tensor:
    """The inverse of :func:`hfft`: the one-sided inverse DFT of a real signal."""
    _no_out(out)
    x = _promote(input, 'ihfft', require_real=True)
    axes, s = _dims_1d(x, n, dim)
    return r2c(x, axes, s, _DUAL[_norm(norm)], conj_out=True)


def hfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The N-dimensional :func:`hfft` (Hermitian along the last of ``dim``)."""
    _no_out(out)
    x = _promote(input, 'hfftn', require_complex=True)
    axes, sizes = _dims_nd(x, s, dim)
    return c2r(x, axes, _c2r_sizes(x, axes, sizes), _DUAL[_norm(norm)], conj_in=True)


def ihfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The N-dimensional :func:`ihfft`."""
    _no_out(out)
    x = _promote(input, 'ihfftn', require_real=True)
    axes, sizes = _dims_nd(x, s, dim)
    return r2c(x, axes, sizes, _DUAL[_norm(norm)], conj_out=True)


def hfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *,
          out=None) -> Tensor:
    """The two-dimensional :func:`hfftn`."""
    return hfftn(input, s, dim, norm, out=out)


def ihfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *,
           out=None) -> Tensor:
    """The two-dimensional :func:`ihfftn`."""
    return ihfftn(input, s, dim, norm, out=out)


# -- frequencies and shifts -------------------------------------------------------------------
def _freq_tensor(k: np.ndarray, n: int, d: float, dtype, requires_grad: bool) -> Tensor:
    dt = get_default_dtype() if dtype is None else to_dtype(dtype)
    if not (dt.is_floating_point or dt.is_complex):
        raise NotImplementedError(f'torch.fft frequencies in {dt} are not supported by numtorch')
    # PyTorch multiplies the integer ramp, in the output dtype, by 1 / (n * d) rounded to it.
    a = k.astype(dt.np) * np.asarray(1.0 / (n * d) if n else 0.0, dt.np)
    t = _wrap(a)
    if requires_grad:
        t.requires_grad_(True)
    return t


def fftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """The sample frequencies of an ``n``-point DFT with sample spacing ``d``:
    ``[0, 1, ..., (n-1)//2, -(n//2), ..., -1] / (d * n)``."""
    _no_out(out)
    from .._device import check_device
    check_device(device)
    k = np.concatenate((np.arange((n - 1) // 2 + 1), np.arange(-(n // 2), 0)))
    return _freq_tensor(k, n, d, dtype, requires_grad)


def rfftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """The non-negative sample frequencies of :func:`rfft`: ``[0, ..., n//2] / (d * n)``."""
    _no_out(out)
    from .._device import check_device
    check_device(device)
    return _freq_tensor(np.arange(n // 2 + 1), n, d, dtype, requires_grad)


def _shift(input: Tensor, dim, inverse: bool) -> Tensor:
    from .._ops.shape import roll
    nd = input._data.ndim
    if dim is None:
        dims = tuple(range(nd))
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(_wrap_dim(d, nd) for d in dims)
    shape = input._data.shape
    shifts = tuple((shape[d] + 1) // 2 if inverse else shape[d] // 2 for d in dims)
    if not dims:
        return input.clone()
    return roll(input, shifts, dims)


def fftshift(input: Tensor, dim=None) -> Tensor:
    """Moves the zero frequency to the centre (a roll by ``n // 2`` along each of ``dim``,
    all dims by default)."""
    return _shift(input, dim, False)


def ifftshift(input: Tensor, dim=None) -> Tensor:
    """The inverse of :func:`fftshift` (a roll by ``-(n // 2)``)."""
    return _shift(input, dim, True)
