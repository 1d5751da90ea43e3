"""The regularized incomplete gamma functions ``igamma`` (P) and ``igammac`` (Q), in NumPy.

PyTorch evaluates them with SciPy's (Cephes') scheme, which this file follows regime for
regime, vectorized: boundary values first, Temme's uniform asymptotic expansion where ``a``
is large and ``x`` near it (DLMF 8.12.3/8.12.4), otherwise the power series of P (DLMF 8.11.4),
the series of Q that avoids cancellation (DLMF 8.7.3) or Q's continued fraction (DLMF 8.9.2),
whichever converges well, taking ``1 - `` the other function where that is the better one.
The prefactor ``x^a e^-x / Gamma(a)`` uses Boost's Lanczos sum near ``x = a``.

Every dtype is evaluated in float64 and rounded to it (PyTorch runs float32 in single
precision: its float32 results may differ from these by a few ulps).
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ._op import Op, unbroadcast, promote2, broadcast_error
from ._cephes_tables import IGAM_D
from ._erf import erfc as _erfc
from .special import _lgamma64, lgamma

__all__ = ['igamma', 'igammac', 'igamma_np']

f64 = np.float64
_MACHEP = 1.11022302462515654042E-16
_MAXLOG = 7.09782712893383996843E2
_MAXITER = 2000
_LANCZOS_G = 6.024680040776729583740234375
_LANCZOS_NUM = np.array((
    0.006061842346248906525783753964555936883222, 0.5098416655656676188125178644804694509993,
    19.51992788247617482847860966235652136208, 449.9445569063168119446858607650988409623,
    6955.999602515376140356310115515198987526, 75999.29304014542649875303443598909137092,
    601859.6171681098786670226533699352302507, 3481712.15498064590882071018964774556468,
    14605578.08768506808414169982791359218571, 43338889.32467613834773723740590533316085,
    86363131.28813859145546927288977868422342, 103794043.1163445451906271053616070238554,
    56906521.91347156388090791033559122686859))
_LANCZOS_DEN = np.array((1., 66., 1925., 32670., 357423., 2637558., 13339535., 45995730.,
                         105258076., 150917976., 120543840., 39916800., 0.))
_D = np.array(IGAM_D).reshape(25, 25)
# NOTE: PyTorch's asymptotic series divides by sqrt(2 * pi * a) with pi in single precision.
_TWO_PI_F = 2 * float(np.float32(math.pi))


def _lanczos_sum_expg_scaled(a: np.ndarray) -> np.ndarray:
    """Boost's rational Lanczos sum, evaluated in 1/a for a > 1 (as Cephes' ratevl)."""
    big = np.abs(a) > 1
    y = np.where(big, 1 / a, a)
    num = np.zeros_like(a)
    den = np.zeros_like(a)
    for cn, cd, rn, rd in zip(_LANCZOS_NUM, _LANCZOS_DEN, _LANCZOS_NUM[::-1],
                              _LANCZOS_DEN[::-1]):
        num = num * y + np.where(big, rn, cn)
        den = den * y + np.where(big, rd, cd)
    return num / den


def _fac(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``x^a e^-x / Gamma(a)`` (Cephes' igam_fac)."""
    out = np.empty_like(a)
    far = np.abs(a - x) > 0.4 * np.abs(a)
    if far.any():
        af, xf = a[far], x[far]
        ax = af * np.log(xf) - xf - _lgamma64(af)
        out[far] = np.where(ax < -_MAXLOG, 0.0, np.exp(ax))
    near = ~far
    if near.any():
        an, xn = a[near], x[near]
        fac = an + _LANCZOS_G - 0.5
        res = np.sqrt(fac / math.e) / _lanczos_sum_expg_scaled(an)
        small = (an < 200) & (xn < 200)
        numfac = (xn - an - _LANCZOS_G + 0.5) / fac
        res *= np.where(small, np.exp(an - xn) * (xn / fac) ** an,
                        np.exp(an * (np.log1p(numfac) - numfac) + xn * (0.5 - _LANCZOS_G) / fac))
        out[near] = res
    return out


def _igam_series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a, x) by its power series."""
    ax = _fac(a, x)
    out = np.zeros_like(a)
    idx = np.flatnonzero(ax != 0)
    r, xs = a[idx].copy(), x[idx]
    c = np.ones_like(r)
    ans = np.ones_like(r)
    for _ in range(_MAXITER):
        if not idx.size:
            break
        r += 1
        c *= xs / r
        ans += c
        done = c <= _MACHEP * ans
        if done.any():
            d = idx[done]
            out[d] = ans[done] * ax[d] / a[d]
            keep = ~done
            idx, r, xs, c, ans = idx[keep], r[keep], xs[keep], c[keep], ans[keep]
    out[idx] = ans * ax[idx] / a[idx]
    return out


def _igamc_series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) for small x, from the series of P with its leading term kept apart."""
    s = np.zeros_like(a)
    idx = np.arange(a.size)
    fac = np.ones_like(a)
    ai, xi, si = a, x, s.copy()
    for n in range(1, _MAXITER):
        if not idx.size:
            break
        fac *= -xi / n
        term = fac / (ai + n)
        si += term
        done = np.abs(term) <= _MACHEP * np.abs(si)
        if done.any():
            s[idx[done]] = si[done]
            keep = ~done
            idx, fac, ai, xi, si = idx[keep], fac[keep], ai[keep], xi[keep], si[keep]
    s[idx] = si
    logx = np.log(x)
    return -np.expm1(a * logx - _lgamma64(1 + a)) - np.exp(a * logx - _lgamma64(a)) * s


def _igamc_cf(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) for large x by its continued fraction (rescaled against overflow)."""
    big, biginv = 4.503599627370496e15, 2.22044604925031308085e-16
    ax = _fac(a, x)
    out = np.zeros_like(a)
    idx = np.flatnonzero(ax != 0)
    xs = x[idx]
    y = 1 - a[idx]
    z = xs + y + 1
    c = np.zeros_like(xs)
    pkm2 = np.ones_like(xs)
    qkm2 = xs.copy()
    pkm1 = xs + 1
    qkm1 = z * xs
    ans = pkm1 / qkm1
    with np.errstate(invalid='ignore', divide='ignore'):
        for _ in range(_MAXITER):
            if not idx.size:
                break
            c += 1
            y += 1
            z += 2
            yc = y * c
            pk = pkm1 * z - pkm2 * yc
            qk = qkm1 * z - qkm2 * yc
            nz = qk != 0
            r = np.where(nz, pk / np.where(nz, qk, 1), ans)
            t = np.where(nz, np.abs((ans - r) / r), 1.0)
            ans = r
            pkm2, pkm1, qkm2, qkm1 = pkm1, pk, qkm1, qk
            s = np.where(np.abs(pk) > big, biginv, 1.0)
            pkm2, pkm1, qkm2, qkm1 = pkm2 * s, pkm1 * s, qkm2 * s, qkm1 * s
            done = t <= _MACHEP
            if done.any():
                out[idx[done]] = ans[done] * ax[idx[done]]
                keep = ~done
                idx, y, z, c, ans = idx[keep], y[keep], z[keep], c[keep], ans[keep]
                pkm2, pkm1, qkm2, qkm1 = pkm2[keep], pkm1[keep], qkm2[keep], qkm1[keep]
    out[idx] = ans * ax[idx]
    return out


def _asymptotic(a: np.ndarray, x: np.ndarray, lower: bool) -> np.ndarray:
    """Temme's uniform expansion for large a, x near a: P (lower) or Q."""
    sgn = -1.0 if lower else 1.0
    sigma = (x - a) / a
    eta = np.sqrt(-2 * (np.log1p(sigma) - sigma))
    eta = np.where(x > a, eta, np.where(x < a, -eta, 0.0))
    res = 0.5 * _erfc(sgn * eta * np.sqrt(a / 2))
    etapow = [np.ones_like(a)]
    for _ in range(24):
        etapow.append(etapow[-1] * eta)
    total = np.zeros_like(a)
    afac = np.ones_like(a)
    old = np.full_like(a, np.inf)
    live = np.ones(a.shape, bool)
    for k in range(25):
        ck = np.full_like(a, _D[k, 0])
        open_ = np.ones(a.shape, bool)
        for n in range(1, 25):
            term = _D[k, n] * etapow[n]
            ck = np.where(open_, ck + term, ck)
            open_ &= ~(np.abs(term) < _MACHEP * np.abs(ck))
            if not open_.any():
                break
        term = ck * afac
        absterm = np.abs(term)
        live &= ~(absterm > old)
        total = np.where(live, total + term, total)
        live &= ~(absterm < _MACHEP * np.abs(total))
        if not live.any():
            break
        old = absterm
        afac = afac / a
    return res + sgn * np.exp(-0.5 * a * eta * eta) * total / np.sqrt(_TWO_PI_F * a)


def igamma_np(a: np.ndarray, x: np.ndarray, lower: bool) -> np.ndarray:
    """P(a, x) (``lower``) or Q(a, x) of broadcast float64 arrays, PyTorch's boundary values
    included."""
    a, x = np.broadcast_arrays(np.asarray(a, f64), np.asarray(x, f64))
    shape = a.shape
    a, x = a.reshape(-1), x.reshape(-1)
    out = np.full(a.shape, np.nan)
    one, zero = (1.0, 0.0) if lower else (0.0, 1.0)
    with np.errstate(all='ignore'):
        bad = (x < 0) | (a < 0) | np.isnan(a) | np.isnan(x)
        a0 = ~bad & (a == 0)
        out[a0 & (x > 0)] = one
        x0 = ~bad & ~a0 & (x == 0)
        out[x0] = zero
        rest = ~bad & ~a0 & ~x0
        ainf = rest & np.isinf(a)
        out[ainf & ~np.isinf(x)] = zero
        rest &= ~ainf
        xinf = rest & np.isinf(x)
        out[xinf] = one
        rest &= ~xinf
        ratio = np.abs(x - a) / a
        asym = rest & (((a > 20) & (a < 200) & (ratio < 0.3))
                       | ((a > 200) & (ratio < 4.5 / np.sqrt(a))))
        if asym.any():
            out[asym] = _asymptotic(a[asym], x[asym], lower)
        rest &= ~asym
        if lower:
            via_q = rest & (x > 1) & (x > a)
            p_series = rest & ~via_q
            q_cf = via_q
            q_series = np.zeros_like(rest)
        else:
            # P's series where it converges fast, Q's continued fraction or series elsewhere.
            logx = np.log(x)
            p_series = rest & (((x > 1.1) & (x < a))
                               | ((x <= 0.5) & (-0.4 / logx < a))
                               | ((x > 0.5) & (x <= 1.1) & (x * 1.1 < a)))
            q_cf = rest & (x > 1.1) & ~p_series
            q_series = rest & ~p_series & ~q_cf
        if p_series.any():
            p = _igam_series(a[p_series], x[p_series])
            out[p_series] = p if lower else 1 - p
        if q_cf.any():
            q = _igamc_cf(a[q_cf], x[q_cf])
            out[q_cf] = 1 - q if lower else q
        if q_series.any():
            out[q_series] = _igamc_series(a[q_series], x[q_series])
    return out.reshape(shape)


class Igamma(Op):
    """P(a, x) or Q(a, x); PyTorch differentiates only with respect to x."""
    checks = (0, 1)

    def __init__(self, lower: bool):
        self.lower = lower
        self._name = 'IgammaBackward0' if lower else 'IgammacBackward0'

    def forward(self, a, x):
        self.saved = (a, x)
        return igamma_np(a, x, self.lower).astype(a.dtype, copy=False)

    def _no_input_grad(self):
        fn = 'igamma' if self.lower else 'igammac'
        raise NotImplementedError(f"the derivative for '{fn}: input' is not implemented.")

    def backward(self, gy):
        a, x = self.saved
        if self.needs[0]:
            self._no_input_grad()
        with np.errstate(all='ignore'):
            # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a), in the tensors' dtype as PyTorch.
            d = np.exp((a - 1) * np.log(x) - x - _lgamma64(a).astype(a.dtype))
        gx = gy * d if self.lower else -gy * d
        return None, unbroadcast(gx.astype(gy.dtype, copy=False), x.shape)

    def backward_t(self, gy):
        a, x = self.inputs
        if self.needs[0]:
            self._no_input_grad()
        d = ((a.detach() - 1) * x.log() - x - lgamma(a.detach())).exp()
        gx = gy * d if self.lower else -gy * d
        return None, gx.sum_to_size(x.shape)


_INT_NAMES = {'b': 'Bool', 'u1': 'Byte', 'i1': 'Char', 'i2': 'Short', 'i4': 'Int', 'i8': 'Long'}


def _igamma(name: str, input, other, lower: bool, out) -> Tensor:
    for pos, (arg, t) in enumerate((('input', input), ('other', other)), 1):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, "
                            f'not {type(t).__name__}')
    a, x = promote2(input, other)
    dt = a._data.dtype
    if dt.kind != 'f':
        key = 'b' if dt.kind == 'b' else f'{dt.kind}{dt.itemsize}'
        kernel = 'igamma' if lower else 'igammac'
        raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'{_INT_NAMES[key]}\'')
    try:
        np.broadcast_shapes(a._data.shape, x._data.shape)
    except ValueError:
        broadcast_error(a.shape, x.shape)
    r = Igamma(lower).apply2(a, x)
    if out is not None:
        from .._tensor import _write_out
        return _write_out(r, out)
    return r


def igamma(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The regularized lower incomplete gamma function
    ``P(a, x) = 1/Gamma(a) int_0^x t^(a-1) e^-t dt`` of ``a = input`` and ``x = other``,
    broadcast. Differentiable in ``other`` only, as in PyTorch."""
    return _igamma('igamma', input, other, True, out)


def igammac(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The regularized upper incomplete gamma function ``Q(a, x) = 1 - P(a, x)``."""
    return _igamma('igammac', input, other, False, out)


def gammainc(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``torch.special.gammainc``: :func:`igamma` under SciPy's name."""
    return _igamma('special_gammainc', input, other, True, out)


def gammaincc(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``torch.special.gammaincc``: :func:`igammac` under SciPy's name."""
    return _igamma('special_gammaincc', input, other, False, out)
