"""Hurwitz's zeta function ``zeta(x, q) = sum_{k >= 0} (k + q)^-x`` (torch.special.zeta).

Cephes' method, as PyTorch's kernel: direct summation while ``q + k <= 9`` (at least nine
terms), stopping early once a term no longer changes the sum, then the Euler-Maclaurin tail
with up to twelve Bernoulli terms. Always in float64 (PyTorch's CPU kernel accumulates
float32 in double too) with the C library's pow, vectorised over the elements still summing,
so that the values are PyTorch's to the bit. Domain: inf at
``x == 1`` and at non-positive integer ``q``; NaN for ``x < 1`` and for ``q <= 0`` with a
non-integer ``x``. The derivative exists for ``q`` only (``-x zeta(x + 1, q)``); asking for the
one in ``x`` raises NotImplementedError at backward, as in PyTorch.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ._op import Op, unbroadcast, cast
from .special_poly import float_args, result

__all__ = ['zeta']

f64 = np.float64
_MACHEP = 1.11022302462515654042E-16
# (2k)! / B_2k for k = 1..12: the Euler-Maclaurin denominators
_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
      -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
      1.8152105401943546773e17, -7.1661652561756670113e18)


_LD = np.longdouble if np.finfo(np.longdouble).nmant > 52 else f64


def _pow(a: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``a ** e`` in float64 as the C library's pow gives it (within half an ulp): NumPy's
    own vectorised float64 power is an ulp off now and then, long double's then rounded
    almost never is."""
    return np.power(a.astype(_LD), e.astype(_LD)).astype(f64)


def _zeta64(x: np.ndarray, q: np.ndarray, wt) -> np.ndarray:
    """zeta on flat float64 arrays of one shape; ``wt`` is the caller's dtype."""
    with np.errstate(all='ignore'):
        fq = np.floor(q)
        special = np.where(x == 1, np.inf, np.where(x < 1, np.nan, np.where(
            (q <= 0) & (q == fq), np.inf, np.nan)))
        is_special = (x == 1) | (x < 1) | ((q <= 0) & ((q == fq) | (x != np.floor(x))))
        out = special
        idx = np.flatnonzero(~is_special)
        if idx.size == 0:
            return out
        x, q = x[idx], q[idx]
        # NOTE: PyTorch's first term is pow(q, -x) in the input's own type (powf for
        # float32, correctly rounded); the sum then goes on in double.
        s = _pow(q.astype(wt), -x.astype(wt)).astype(wt).astype(f64)
        a = q.copy()
        b = np.zeros_like(q)
        done = np.zeros(q.shape, bool)
        # direct summation; `live` indexes the elements still summing (a very negative q
        # keeps a few going for a long time, so the others drop out of the arrays)
        live = np.arange(q.size)
        i = 0
        while live.size:
            i += 1
            al = a[live] + 1
            bl = _pow(al, -x[live])
            sl = s[live] + bl
            a[live], b[live], s[live] = al, bl, sl
            conv = (-_MACHEP * sl < bl) & (bl < _MACHEP * sl)
            done[live[conv]] = True
            live = live[~conv & ((i < 9) | (al <= 9))]
        # Euler-Maclaurin: the integral, half the last term, then the Bernoulli corrections
        w = a
        s = np.where(done, s, s + b * w / (x - 1) - 0.5 * b)
        a = np.ones_like(x)
        k = 0.0
        for coef in _A:
            a = a * (x + k)
            b = b / w
            t = a * b / coef
            s = np.where(done, s, s + t)
            done |= np.abs(t / s) < _MACHEP
            k += 1
            a = a * (x + k)
            b = b / w
            k += 1
        out[idx] = s
    return out


class Zeta(Op):
    """``zeta(x, q)`` over broadcast arrays of one float dtype."""
    _name = 'SpecialZetaBackward0'
    checks = (0, 1)

    def __init__(self, name: str = 'SpecialZetaBackward0') -> None:
        self._name = name

    def forward(self, x, q):
        self.saved = (x, q)
        return _zeta_arr(x, q)

    def backward(self, gy):
        if self.needs[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        x, q = self.saved
        xb = np.broadcast_to(x, gy.shape)
        gq = gy * -xb * _zeta_arr(xb + 1, np.broadcast_to(q, gy.shape))
        return None, unbroadcast(gq.astype(gy.dtype, copy=False), q.shape)

    def backward_t(self, gy):
        if self.needs[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        x, q = self.inputs
        g = gy * -x * zeta(x + 1, q)
        return None, g.sum_to_size(q.shape) if tuple(g.shape) != tuple(q.shape) else g


def _zeta_arr(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    x, q = np.broadcast_arrays(x, q)
    r = _zeta64(x.astype(f64).ravel(), q.astype(f64).ravel(), x.dtype.type)
    return r.reshape(x.shape).astype(x.dtype, copy=False)


def zeta(input, other, *, out=None) -> Tensor:
    """Hurwitz's zeta function ``sum_k (k + other)^-input`` (Riemann's at ``other == 1``).

    Either argument may be a Python number; the gradient flows to ``other`` only."""
    xa, _ = float_args('zeta', input, other, ('input', 'self', 'input'), 'other')
    dt = xa.dtype
    xt, qt = isinstance(input, Tensor), isinstance(other, Tensor)
    # PyTorch's node names: 0 for two tensors, 1 for a number x, 2 for a number q
    name = 'SpecialZetaBackward' + ('0' if xt and qt else '1' if qt else '2')
    x = cast(input, dt) if xt else _wrap(np.asarray(input, dt))
    q = cast(other, dt) if qt else _wrap(np.asarray(other, dt))
    return result(Zeta(name).apply2(x, q), out, 'zeta', differentiable=True)
