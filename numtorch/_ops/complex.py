"""Complex-number ops: real/imag views, view_as_real/view_as_complex, complex, polar, angle
and conjugation.

Gradients follow PyTorch's convention for complex autograd: the gradient flowing into an op
is dL/d(conj z) of the real loss L (the conjugate Wirtinger derivative, scaled as PyTorch
scales it), so a holomorphic f has gz = gy * conj(f'(z)) and a real input of a complex op
receives the real part of its complex gradient.

NOTE: numtorch materialises conjugation: ``conj()`` of a complex tensor is a new tensor
holding the conjugated values (PyTorch returns a lazy view with the conjugate bit set), so
``is_conj()`` is always False and writes to ``z.conj()`` do not reach ``z``.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _as_view, _inplace
from .._dtype import NP2DT
from ._op import Op, unbroadcast, broadcast_error

__all__ = ['real', 'imag', 'view_as_real', 'view_as_complex', 'complex', 'polar', 'angle',
           'conj', 'conj_physical', 'conj_physical_', 'resolve_conj', 'resolve_neg',
           'is_conj', 'is_neg']

_REAL_OF = {np.dtype(np.complex64): np.dtype(np.float32),
            np.dtype(np.complex128): np.dtype(np.float64)}
_COMPLEX_OF = {np.dtype(np.float32): np.dtype(np.complex64),
               np.dtype(np.float64): np.dtype(np.complex128)}


def cj(a: np.ndarray) -> np.ndarray:
    """The conjugate of a complex array; a real array is returned as is (no copy)."""
    return a.conj() if a.dtype.kind == 'c' else a


def real_grad(g: np.ndarray, like: np.ndarray) -> np.ndarray:
    """A complex gradient reduced to the real part when its input ``like`` is real
    (PyTorch's handle_r_to_c)."""
    return g.real if g.dtype.kind == 'c' and like.dtype.kind != 'c' else g


# -- real / imag --------------------------------------------------------------------------
class _Real(Op):
    _name = 'SelectBackward0'
    complex_ok = True

    def forward(self, z):
        return z.real

    def backward(self, gy):
        return gy.astype(_COMPLEX_OF[gy.dtype])


class _Imag(Op):
    _name = 'SelectBackward0'
    complex_ok = True

    def forward(self, z):
        return z.imag

    def backward(self, gy):
        g = np.zeros(gy.shape, _COMPLEX_OF[gy.dtype])
        g.imag = gy
        return g


def real(input: Tensor) -> Tensor:
    """The real parts, as a view of a complex tensor (writes reach it); a real tensor is
    returned itself."""
    if input._data.dtype.kind != 'c':
        return input
    return _as_view(_Real().apply1(input), input, lambda a: a.real)


def imag(input: Tensor) -> Tensor:
    """The imaginary parts, as a view of a complex tensor (writes reach it)."""
    if input._data.dtype.kind != 'c':
        raise RuntimeError('imag is not implemented for tensors with non-complex dtypes.')
    return _as_view(_Imag().apply1(input), input, lambda a: a.imag)


# -- view_as_real / view_as_complex ----------------------------------------------------------
def _as_real(z: np.ndarray) -> np.ndarray:
    # A trailing size-1 axis makes the last axis contiguous, so NumPy can reinterpret each
    # complex element as its two parts in place.
    return z[..., None].view(_REAL_OF[z.dtype])


def _as_complex(x: np.ndarray) -> np.ndarray:
    return x.view(_COMPLEX_OF[x.dtype])[..., 0]


class _ViewAsReal(Op):
    _name = 'ViewAsRealBackward0'
    complex_ok = True

    def forward(self, z):
        return _as_real(z)

    def backward(self, gy):
        return gy[..., 0] + 1j * gy[..., 1]


class _ViewAsComplex(Op):
    _name = 'ViewAsComplexBackward0'
    complex_ok = True

    def forward(self, x):
        return _as_complex(x)

    def backward(self, gy):
        return np.stack((gy.real, gy.imag), axis=-1)


def view_as_real(input: Tensor) -> Tensor:
    """A real view of a complex tensor with a trailing dimension of 2 (real, imaginary)."""
    if input._data.dtype.kind != 'c':
        raise RuntimeError('view_as_real is only supported for complex tensors')
    return _as_view(_ViewAsReal().apply1(input), input, _as_real)


def view_as_complex(input: Tensor) -> Tensor:
    """A complex view of a float tensor whose last dimension (of size 2, stride 1) holds the
    real and imaginary parts."""
    a = input._data
    if a.dtype not in _COMPLEX_OF:
        name = 'Half' if a.dtype == np.float16 else NP2DT[a.dtype].name
        from .._dtype import _SCALAR_NAMES
        raise RuntimeError('view_as_complex is only supported for half, float and double '
                           'tensors, but got a tensor of scalar type: '
                           f'{_SCALAR_NAMES.get(name, name)}')
    if a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError('Tensor must have a last dimension of size 2')
    st = input.stride()
    if st[-1] != 1:
        raise RuntimeError('Tensor must have a last dimension with stride 1')
    if any(s % 2 for s in st[:-1]):
        raise RuntimeError('Tensor must have a stride divisible by 2 for all but last '
                           'dimension')
    if input.storage_offset() % 2:
        raise RuntimeError('Tensor must have a storage_offset divisible by 2')
    return _as_view(_ViewAsComplex().apply1(input), input, _as_complex)


# -- complex / polar ----------------------------------------------------------------------
def _check_parts(a: Tensor, b: Tensor) -> None:
    da, db = a._data.dtype, b._data.dtype
    if da.kind != 'f' or db.kind != 'f':
        from .._tensor import _type_word
        raise RuntimeError('Expected both inputs to be Half, Float or Double tensors but got '
                           f'{_type_word(da)} and {_type_word(db)}')
    if da != db:
        from .._tensor import _type_word
        raise RuntimeError(f'Expected object of scalar type {_type_word(da)} but got scalar '
                           f'type {_type_word(db)} for second argument')
    if da == np.float16:
        raise NotImplementedError('complex32 (torch.chalf) is not supported by numtorch')
    broadcast_error(a._data.shape, b._data.shape)


class _Complex(Op):
    _name = 'ComplexBackward0'
    complex_ok = True

    def forward(self, re, im):
        self.sa, self.sb = re.shape, im.shape
        out = np.empty(np.broadcast_shapes(re.shape, im.shape), _COMPLEX_OF[re.dtype])
        out.real = re
        out.imag = im
        return out

    def backward(self, gy):
        n = self.needs
        return (unbroadcast(gy.real, self.sa) if n[0] else None,
                unbroadcast(gy.imag, self.sb) if n[1] else None)


class _Polar(Op):
    _name = 'PolarBackward0'
    complex_ok = True
    checks = (0, 1)

    def forward(self, r, theta):
        self.sa, self.sb = r.shape, theta.shape
        out = np.empty(np.broadcast_shapes(r.shape, theta.shape), _COMPLEX_OF[r.dtype])
        out.real = r * np.cos(theta)
        out.imag = r * np.sin(theta)
        self.saved = out
        return out

    def backward(self, gy):
        # PyTorch's polar_backward: d|.| = Re(conj(g) sgn(out)), dangle = Re(conj(g) i out).
        out = self.saved
        gc = gy.conj()
        n = self.needs
        ga = gb = None
        if n[0]:
            ga = unbroadcast((gc * _sgn(out)).real, self.sa)
        if n[1]:
            gb = unbroadcast((gc * (1j * out)).real, self.sb)
        return ga, gb


def complex(real: Tensor, imag: Tensor, *, out=None) -> Tensor:
    """The complex tensor ``real + i imag`` (both float tensors of one dtype, broadcast)."""
    if out is not None:
        raise NotImplementedError('torch.complex: out= is not supported by numtorch')
    _check_parts(real, imag)
    return _Complex().apply2(real, imag)


def polar(abs: Tensor, angle: Tensor, *, out=None) -> Tensor:
    """The complex tensor ``abs * (cos(angle) + i sin(angle))``."""
    if out is not None:
        raise NotImplementedError('torch.polar: out= is not supported by numtorch')
    _check_parts(abs, angle)
    return _Polar().apply2(abs, angle)


def _sgn(z: np.ndarray) -> np.ndarray:
    """z / |z|, 0 where z is 0 (torch.sgn of a complex array)."""
    a = np.abs(z)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where(a == 0, 0, z / a).astype(z.dtype, copy=False)


class _Sgn(Op):
    _name = 'SgnBackward0'
    complex_ok = True
    checks = (0,)

    def forward(self, z):
        s = _sgn(z)
        self.saved = (z, s)
        return s

    def backward(self, gy):
        # NOTE: s = z / |z| has ds/dz = 1 / (2|z|) and ds/dconj(z) = -s^2 / (2|z|), so the
        # gradient gy * conj(ds/dz) + conj(gy) * ds/dconj(z) is (gy - conj(gy) s^2) / (2|z|);
        # 0 at z = 0, as PyTorch.
        z, s = self.saved
        a = np.abs(z)
        with np.errstate(invalid='ignore', divide='ignore'):
            g = (gy - gy.conj() * s * s) / (2 * a)
        return np.where(a == 0, 0, g).astype(z.dtype, copy=False)


def sgn(input: Tensor) -> Tensor:
    """``z / |z|`` for complex ``z`` (0 at 0)."""
    return _Sgn().apply1(input)


# -- angle --------------------------------------------------------------------------------
class _Angle(Op):
    _name = 'AngleBackward0'
    complex_ok = True
    checks = (0,)

    def forward(self, x):
        self.saved = x
        if x.dtype.kind == 'c':
            return np.angle(x).astype(_REAL_OF[x.dtype], copy=False)
        # PyTorch: pi for negative numbers, nan for nan, 0 otherwise.
        return np.where(x < 0, np.pi, np.where(np.isnan(x), x, 0)).astype(x.dtype)

    def backward(self, gy):
        z = self.saved
        if z.dtype.kind != 'c':
            return np.zeros_like(z)
        a2 = (z * z.conj()).real
        with np.errstate(invalid='ignore', divide='ignore'):
            g = gy * z / a2 * 1j
        return np.where(z == 0, 0, g).astype(z.dtype, copy=False)


def angle(input: Tensor) -> Tensor:
    """The argument (phase) of each element in radians; for real tensors pi where negative
    and 0 elsewhere (integers give the default float dtype)."""
    k = input._data.dtype.kind
    if k in 'biu':
        from .._dtype import get_default_dtype
        from ._op import cast
        input = cast(input, get_default_dtype().np)
    return _Angle().apply1(input)


# -- conjugation --------------------------------------------------------------------------
class _Conj(Op):
    _name = 'ConjBackward0'
    complex_ok = True

    def forward(self, z):
        return z.conj()

    def backward(self, gy):
        return gy.conj()

    def backward_t(self, gy):
        return conj(gy)


def conj(input: Tensor) -> Tensor:
    """The complex conjugate (materialised; see the module note); a real tensor is its own
    conjugate and is returned as is."""
    if input._data.dtype.kind != 'c':
        return input
    return _Conj().apply1(input)


def conj_physical(input: Tensor) -> Tensor:
    """The conjugate computed eagerly into new memory; a real tensor is returned as is."""
    if input._data.dtype.kind != 'c':
        return input
    op = _Conj()
    op._name = 'ConjPhysicalBackward0'
    return op.apply1(input)


class _ConjPhysicalReal(Op):
    """The in-place conjugation of a real tensor: no change, but PyTorch records its node."""
    _name = 'ConjPhysicalBackward1'

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy

    def backward_t(self, gy):
        return gy


def conj_physical_(input: Tensor) -> Tensor:
    """In-place ``conj_physical``; the values of a real tensor stay."""
    if input._data.dtype.kind != 'c':
        return _inplace(input, lambda t: _ConjPhysicalReal().apply1(t))

    def fn(t):
        op = _Conj()
        op._name = 'ConjPhysicalBackward1'
        return op.apply1(t)
    return _inplace(input, fn)


def resolve_conj(input: Tensor) -> Tensor:
    """``input`` with a pending conjugation materialised: numtorch never defers one, so the
    tensor itself."""
    return input


def resolve_neg(input: Tensor) -> Tensor:
    """``input`` with a pending negation materialised: numtorch never defers one."""
    return input


def is_conj(input: Tensor) -> bool:
    """Whether the conjugate bit is set: never in numtorch (conj() materialises)."""
    return False


def is_neg(input: Tensor) -> bool:
    return False


def refuse_complex(x: Tensor, msg: str, exc: type = NotImplementedError) -> None:
    """Raises PyTorch's error for an op it does not define on complex tensors; ``{T}`` in
    ``msg`` becomes the dtype's ScalarType name ('ComplexFloat')."""
    if x._data.dtype.kind == 'c':
        raise exc(msg.replace('{T}', x.type()[6:-6]))
