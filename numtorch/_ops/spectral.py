"""The discrete Fourier transform ops behind ``numtorch.fft``.

Three ops, as in PyTorch's ATen: complex-to-complex (``_C2C``), real-to-complex (``_R2C``,
one-sided or full) and one-sided complex-to-real (``_C2R``). NumPy's pocketfft computes
them (in the input's precision). Gradients are PyTorch's (conjugate Wirtinger convention):
the adjoint of a transform is the transform the other way with the same scale, which in
NumPy's terms is the opposite direction with the *dual* ``norm`` ('backward' <-> 'forward',
'ortho' stays); zero padding and cropping to ``n``/``s`` are undone by cropping and padding.
"""
from __future__ import annotations

import numpy as np

from ._op import Op

_DUAL = {'backward': 'forward', 'forward': 'backward', 'ortho': 'ortho'}
_COMPLEX_OF = {np.dtype(np.float32): np.dtype(np.complex64),
               np.dtype(np.float64): np.dtype(np.complex128)}


def fit(a: np.ndarray, axes: tuple, sizes: tuple) -> np.ndarray:
    """``a`` cropped or zero-padded (at the end) to ``sizes`` along ``axes``."""
    for ax, n in zip(axes, sizes):
        m = a.shape[ax]
        if m > n:
            a = a[(slice(None),) * ax + (slice(0, n),)]
        elif m < n:
            pad = [(0, 0)] * a.ndim
            pad[ax] = (0, n - m)
            a = np.pad(a, pad)
    return a


class _C2C(Op):
    """fftn / ifftn over ``axes`` (a real input gives a full, two-sided spectrum)."""
    complex_ok = True

    def __init__(self, axes: tuple, s: tuple, norm: str, inverse: bool):
        self.axes = axes
        self.s = s
        self.norm = norm
        self.inverse = inverse

    def forward(self, x):
        self.real_in = x.dtype.kind != 'c'
        self.sizes = tuple(x.shape[a] for a in self.axes)
        fn = np.fft.ifftn if self.inverse else np.fft.fftn
        out = fn(x, s=self.s, axes=self.axes, norm=self.norm)
        return out.astype(_COMPLEX_OF.get(x.dtype, x.dtype), copy=False)

    def backward(self, gy):
        fn = np.fft.fftn if self.inverse else np.fft.ifftn
        g = fit(fn(gy, axes=self.axes, norm=_DUAL[self.norm]), self.axes, self.sizes)
        dt = gy.dtype
        if self.real_in:
            g = g.real
            dt = _real_of(dt)
        return np.ascontiguousarray(g).astype(dt, copy=False)


class _R2C(Op):
    """rfftn over ``axes`` (one-sided along the last); ``conj_out`` conjugates the result
    (ihfft, which is the conjugate of an rfft with the inverse's scale)."""
    _name = 'FftR2CBackward0'
    complex_ok = True

    def __init__(self, axes: tuple, s: tuple, norm: str, conj_out: bool):
        self.axes = axes
        self.s = s
        self.norm = norm
        self.conj_out = conj_out

    def forward(self, x):
        self.sizes = tuple(x.shape[a] for a in self.axes)
        # the signal lengths after cropping/padding to s
        self.n = self.sizes if self.s is None else self.s
        out = np.fft.rfftn(x, s=self.s, axes=self.axes, norm=self.norm)
        if self.conj_out:
            out = out.conj()
        return out.astype(_COMPLEX_OF[x.dtype], copy=False)

    def backward(self, gy):
        # NOTE: PyTorch's fft_r2c_backward: the one-sided gradient is placed in a zero
        # full-length spectrum and transformed back by a C2C; the real part is the gradient.
        if self.conj_out:
            gy = gy.conj()
        last = self.axes[-1]
        shape = list(gy.shape)
        shape[last] = self.n[-1]
        full = np.zeros(shape, gy.dtype)
        full[(slice(None),) * last + (slice(0, gy.shape[last]),)] = gy
        g = np.fft.ifftn(full, axes=self.axes, norm=_DUAL[self.norm]).real
        return np.ascontiguousarray(fit(g, self.axes, self.sizes)).astype(
            _real_of(gy.dtype), copy=False)


class _C2R(Op):
    """irfftn over ``axes`` to ``s`` (the last is the full length of the one-sided input);
    ``conj_in`` conjugates the input first (hfft)."""
    _name = 'FftC2RBackward0'
    complex_ok = True

    def __init__(self, axes: tuple, s: tuple, norm: str, conj_in: bool):
        self.axes = axes
        self.s = s
        self.norm = norm
        self.conj_in = conj_in

    def forward(self, x):
        self.sizes = tuple(x.shape[a] for a in self.axes)
        if self.conj_in:
            x = x.conj()
        out = np.fft.irfftn(x, s=self.s, axes=self.axes, norm=self.norm)
        return out.astype(_real_of(x.dtype), copy=False)

    def backward(self, gy):
        # NOTE: PyTorch's fft_c2r_backward: an R2C of the gradient, with the entries whose
        # mirror images the one-sided input stood for (indices 1 .. n - (n//2 + 1) of the
        # last axis) counted twice.
        g = np.fft.rfftn(gy, axes=self.axes, norm=_DUAL[self.norm])
        last = self.axes[-1]
        n = gy.shape[last]
        dbl = n - g.shape[last]
        if dbl > 0:
            g[(slice(None),) * last + (slice(1, 1 + dbl),)] *= 2
        g = fit(g, self.axes, self.sizes)
        if self.conj_in:
            g = g.conj()
        return np.ascontiguousarray(g).astype(_COMPLEX_OF[gy.dtype], copy=False)


def _real_of(dt: np.dtype) -> np.dtype:
    return np.dtype(np.float32) if dt in (np.complex64, np.float32) else np.dtype(np.float64)


def c2c(x, axes: tuple, s, norm: str, inverse: bool):
    """The C2C transform of tensor ``x`` (real or complex), as one graph node."""
    op = _C2C(axes, s, norm, inverse)
    real = x._data.dtype.kind != 'c'
    # PyTorch's top node: a real 1-D input goes through its R2C (ifft adds a conjugation);
    # over several dims the last step is a C2C.
    op._name = ('ConjBackward0' if inverse else 'FftR2CBackward0') \
        if real and len(axes) == 1 else 'FftC2CBackward0'
    return op.apply1(x)


def r2c(x, axes: tuple, s, norm: str, conj_out: bool = False):
    op = _R2C(axes, s, norm, conj_out)
    if conj_out:
        # ihfft: the conjugate of the R2C, then (over several dims) a C2C
        op._name = 'ConjBackward0' if len(axes) == 1 else 'FftC2CBackward0'
    return op.apply1(x)


def c2r(x, axes: tuple, s, norm: str, conj_in: bool = False):
    return _C2R(axes, s, norm, conj_in).apply1(x)
