"""Gamma and Dirichlet sampling as PyTorch's CPU kernels draw them, and their
reparameterized gradients (``torch._standard_gamma``, ``torch._sample_dirichlet``,
``torch._standard_gamma_grad``, ``torch._dirichlet_grad``).

Sampling follows PyTorch's ``sample_gamma`` element by element in memory order: Marsaglia and
Tsang's squeeze-and-reject on cubed normals, with ``alpha < 1`` boosted to ``alpha + 1`` and
scaled by ``(1 - U)^(1/alpha)``. Every uniform is a 53-bit double (two mt19937 words) and
every normal is the generator's one-at-a-time Box-Muller in double, whose cached second value
carries over between elements and calls. An element takes a variable number of draws, so the
loop is serial in Python; the arithmetic mixes float constants (``1.0f / 3.0f``,
``0.0331f``) and the tensor's own precision exactly where the C++ code does.

The gradients are PyTorch's approximations of ``-(d/dalpha cdf) / pdf`` (a Taylor series
for small ``x``, Rice's saddle point for large ``alpha``, a fitted rational function
elsewhere), vectorized over the elements.
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _wrap
from .._state import state
from ._op import DelayedError, Op
from ..autograd.function import _TWICE
from ._generator import _UniformStream
from .random import _gen, _not_implemented

__all__ = ['_standard_gamma', '_sample_dirichlet', '_standard_gamma_grad', '_dirichlet_grad']

f32, f64 = np.float32, np.float64
# The C++ float literals, as the doubles they become when mixed with doubles.
_THIRD_F = float(f32(1.0) / f32(3.0))
_SQUEEZE_F = float(f32(0.0331))


def _gamma_values(alpha: list, single: bool, gen) -> list:
    """PyTorch's ``sample_gamma`` for each value in ``alpha`` (Python floats), in order
    (index order: PyTorch's kernel walks a fresh contiguous output).

    ``single`` is True for float32 tensors, whose boost and ``d`` are computed in float.
    Values whose sampler never terminates in PyTorch (NaN, or ``alpha <= -1`` where ``d``
    goes negative) give NaN here without drawing.
    """
    stream = _UniformStream(gen, 2 * len(alpha) + 16)
    uniform = stream.next
    # The C library's functions (Python's math module), as PyTorch's scalar loop calls them.
    log, log1p, sqrt, cos, sin = math.log, math.log1p, math.sqrt, math.cos, math.sin
    two_pi = 2.0 * math.pi
    cache = gen._cache
    out = []
    try:
        for a in alpha:
            scale = 1.0
            if a < 1.0:
                if a == 0.0:
                    out.append(0.0)
                    continue
                if single:
                    e = float(f32(1.0) / f32(a))
                    a = float(f32(a) + f32(1.0))
                else:
                    e = 1.0 / a
                    a = a + 1.0
                try:
                    scale = math.pow(1.0 - uniform(), e)
                except OverflowError:
                    scale = math.inf
            d = float(f32(a) - f32(_THIRD_F)) if single else a - _THIRD_F
            if not d > 0.0:
                out.append(math.nan)
                continue
            c = 1.0 / sqrt(9.0 * d)
            while True:
                while True:
                    if cache is not None:
                        x = cache
                        cache = None
                    else:
                        u1 = uniform()
                        r = sqrt(-2.0 * log1p(-uniform()))
                        theta = two_pi * u1
                        cache = r * sin(theta)
                        x = r * cos(theta)
                    y = 1.0 + c * x
                    if y > 0.0:
                        break
                v = y * y * y
                u = 1.0 - uniform()
                xx = x * x
                if u < 1.0 - _SQUEEZE_F * xx * xx or log(u) < 0.5 * xx + d * (1.0 - v + log(v)):
                    out.append(scale * d * v)
                    break
    finally:
        gen._cache = cache
        stream.close()
    return out


class _StandardGamma(Op):
    """``torch._standard_gamma``: its gradient is the implicit reparameterization
    ``d sample / d alpha`` (PyTorch's ``_standard_gamma_grad``)."""
    _name = 'StandardGammaBackward0'
    saves_out = True

    def __init__(self, generator) -> None:
        self.gen = generator

    def forward(self, a):
        dt = a.dtype
        vals = _gamma_values(np.asarray(a, f64).reshape(-1).tolist(), dt == f32, self.gen)
        y = np.array(vals, f64).astype(dt).reshape(a.shape)
        # PyTorch clamps to the smallest normal number of the dtype (underflow to 0 included).
        np.maximum(y, np.finfo(dt).tiny, out=y)
        self.saved = y
        return y

    def backward(self, gy):
        return gy * _gamma_grad(self.inputs[0]._data, self.saved)

    def backward_t(self, gy):
        # Differentiable in gy; differentiating again in alpha reaches
        # StandardGammaGradBackward0, which raises as PyTorch's does.
        return gy * _standard_gamma_grad(self.inputs[0], _wrap(self.saved))


def _float_input(t: Tensor, kernel: str) -> np.ndarray:
    d = t._data
    if d.dtype != f32 and d.dtype != f64:
        raise _not_implemented(kernel, d.dtype)
    return d


def _standard_gamma(input: Tensor, generator=None) -> Tensor:
    """Gamma(``input``, 1) samples drawn as PyTorch draws them (differentiable in
    ``input`` through ``_standard_gamma_grad``)."""
    _float_input(input, 'gamma_cpu')
    return _StandardGamma(_gen(generator)).apply1(input)


def _sample_dirichlet(input: Tensor, generator=None) -> Tensor:
    """Dirichlet samples over the last dimension: double-precision gamma draws normalized
    by their sum, cast back and clamped into ``[tiny, 1 - eps/2]`` (PyTorch's
    ``_sample_dirichlet``; backward through it raises, as PyTorch's)."""
    a = _float_input(input, 'dirichlet')
    dt = a.dtype
    g = np.array(_gamma_values(a.astype(f64).reshape(-1).tolist(), False, _gen(generator)),
                 f64).reshape(a.shape)
    np.maximum(g, np.finfo(f64).tiny, out=g)
    if a.ndim:
        x = (g / g.sum(-1, keepdims=True)).astype(dt)
    else:
        x = (g / g).astype(dt)
    # std::max(tiny, NaN) is tiny: an infinite draw (inf / inf) ends at the lower bound.
    x[np.isnan(x)] = np.finfo(dt).tiny
    np.clip(x, np.finfo(dt).tiny, np.nextafter(dt.type(1), dt.type(0)), out=x)
    return _NoDerivative(x, '_sample_dirichlet', False).apply1(input)


# -- gradients -----------------------------------------------------------------------
_PSI_10 = 2.25175258906672110764
_DIGAMMA_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2,
              7.57575757575757575758E-3, -4.16666666666666666667E-3,
              3.96825396825396825397E-3, -8.33333333333333333333E-3,
              8.33333333333333333333E-2)


def _digamma_one(x: np.ndarray) -> np.ndarray:
    """PyTorch's ``digamma_one`` (Cephes: recur up to 10, then the asymptotic series),
    in ``x``'s own dtype for the recurrence as the C++ template does."""
    x = np.array(x, copy=True)
    dt = x.dtype
    with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
        extra = np.zeros(x.shape, f64)
        neg = x < 0
        if neg.any():
            pi = dt.type(math.pi)
            extra[neg] = -pi / np.tan(pi * x[neg])
            x[neg] = 1 - x[neg]
        res = np.zeros(x.shape, f64)
        small = x < 10
        while small.any():
            res[small] -= (1 / x[small]).astype(f64)
            x[small] += 1
            small = x < 10
        z = np.where(x < 1e17, 1.0 / (x * x).astype(f64), 0.0)
        poly = np.zeros(x.shape, f64)
        for c in _DIGAMMA_A:
            poly = poly * z + c
        out = res + np.log(x).astype(f64) - (f32(0.5) / x).astype(f64) - z * poly + extra
        out = np.where(x == 10, res + _PSI_10 + extra, out)
        bad = (x == 0) | (neg & (x == np.floor(x)))
        out[bad] = np.inf
    return out.astype(dt)


_GRAD_COEF = np.array([
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343,
     1, 0.32668115, 0.10406089, 0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758,
     0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777,
     0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-07]])


def _gamma_grad(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """PyTorch's ``standard_gamma_grad_one`` on arrays, in double, cast to the dtype."""
    dt = np.result_type(alpha, x)
    a, x = np.broadcast_arrays(np.asarray(alpha, f64), np.asarray(x, f64))
    out = np.empty(a.shape, f64)
    with np.errstate(all='ignore'):
        # Small x: the Taylor series of the incomplete gamma function.
        m = x < 0.8
        if m.any():
            xs, al = x[m], a[m]
            numer = np.ones_like(xs)
            denom = al.copy()
            s1 = numer / denom
            s2 = numer / (denom * denom)
            for i in range(1, 6):
                numer = numer * (-xs / i)
                denom = denom + 1
                s1 = s1 + numer / denom
                s2 = s2 + numer / (denom * denom)
            pxa = np.power(xs, al)
            pdf = np.power(xs, al - 1) * np.exp(-xs)
            cdf = pxa * s1
            cdf_a = (np.log(xs) - _digamma_one(al)) * cdf - pxa * s2
            r = -cdf_a / pdf
            out[m] = np.where(np.isnan(r), 0.0, r)
        # Large alpha: Rice's saddle point expansion.
        big = ~m & (a > 8.0)
        if big.any():
            xs, al = x[big], a[big]
            near = (0.9 * al <= xs) & (xs <= 1.1 * al)
            n1 = 1 + 24 * al * (1 + 12 * al)
            n2 = (1440 * (al * al) + 6 * xs * (53 - 120 * xs) - 65 * xs * xs / al
                  + al * (107 + 3600 * xs))
            den = 1244160 * (al * al) * (al * al)
            r_near = n1 * n2 / den
            den2 = np.sqrt(8 * al)
            t2 = den2 / (al - xs)
            t3 = np.power(xs - al - al * np.log(xs / al), -1.5)
            t23 = np.where(xs < al, t2 - t3, t2 + t3)
            t1 = np.log(xs / al) * t23 - np.sqrt(2 / al) * (al + xs) / ((al - xs) * (al - xs))
            stirling = 1 + 1 / (12 * al) * (1 + 1 / (24 * al))
            r_far = -stirling * (xs * t1) / den2
            out[big] = np.where(near, r_near, r_far)
        # Elsewhere: a bivariate rational approximation in log(x / alpha) and log(alpha).
        rest = ~m & ~big
        if rest.any():
            xs, al = x[rest], a[rest]
            u = np.log(xs / al)
            v = np.log(al)
            cv = [_GRAD_COEF[0, i] + u * (_GRAD_COEF[1, i] + u * _GRAD_COEF[2, i])
                  for i in range(8)]
            p = cv[0] + v * (cv[1] + v * (cv[2] + v * cv[3]))
            q = cv[4] + v * (cv[5] + v * (cv[6] + v * cv[7]))
            out[rest] = np.exp(p / q)
    return out.astype(dt)


class _NoDerivative(Op):
    """A value whose derivative PyTorch does not implement: recorded like any op, its
    backward raises PyTorch's error (which depends on how PyTorch declares the op)."""

    def __init__(self, value: np.ndarray, op: str, declared: bool) -> None:
        self.value = value
        self.op = op
        self.declared = declared
        # A declared op has a named node whose formula raises; an undeclared one gets
        # PyTorch's generic NotImplemented node.
        self._name = (op.title().replace('_', '') + 'Backward0' if declared
                      else 'torch::autograd::NotImplemented')

    def forward(self, *xs):
        return self.value

    def backward(self, gy):
        if self.declared:
            raise NotImplementedError(f"the derivative for '{self.op}' is not implemented.")
        raise RuntimeError(f'derivative for aten::{self.op} is not implemented')


def _standard_gamma_grad(self: Tensor, output: Tensor) -> Tensor:
    """``d output / d self`` for ``output ~ Gamma(self, 1)`` (``torch._standard_gamma_grad``;
    it has no derivative itself)."""
    a, x = _float_input(self, '_standard_gamma_grad_cpu'), output._data
    if a.shape != x.shape:
        raise RuntimeError(f'The size of tensor a ({a.shape}) must match the size of tensor b '
                           f'({x.shape})')
    g = _gamma_grad(a, x.astype(a.dtype, copy=False))
    return _NoDerivative(g, '_standard_gamma_grad', True).apply2(self, output)


# Fitted coefficients of PyTorch's rational correction for the Dirichlet gradient.
_DIR_COEF = np.array([
    [[[1.003668233, -0.01061107488, -0.0657888334, 0.01201642863],
      [0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033],
      [-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013]],
     [[0.221950385, -0.3187676331, 0.01799915743, 0.01074823814],
      [-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057],
      [0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05]],
     [[-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565],
      [0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181],
      [0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05]]],
    [[[1, -0.02924021934, -0.04438342661, 0.007285809825],
      [0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521],
      [-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149]],
     [[0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273],
      [0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956],
      [-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05]],
     [[0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05],
      [0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05],
      [-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06]]]])


def _beta_grad_alpha_small(x, alpha, beta):
    """Taylor expansion of the Beta(alpha, beta) gradient in alpha near x = 0 (in the
    tensor's dtype, as PyTorch computes it)."""
    factor = _digamma_one(alpha) - _digamma_one(alpha + beta) - np.log(x)
    numer = np.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        ci = x.dtype.type(i)
        numer = numer * ((ci - beta) * x / ci)
        denom = alpha + ci
        series = series + numer / denom * (factor + 1 / denom)
    r = x * np.power(1 - x, -beta) * series
    return np.where(np.isnan(r), 0, r)


def _beta_grad_beta_small(x, alpha, beta):
    """Taylor expansion of the Beta(alpha, beta) gradient in beta near x = 0."""
    factor = _digamma_one(alpha + beta) - _digamma_one(beta)
    numer = np.ones_like(x)
    betas = np.ones_like(x)
    dbetas = np.zeros_like(x)
    series = factor / alpha
    for i in range(1, 9):
        ci = x.dtype.type(i)
        numer = numer * (-x / ci)
        dbetas = dbetas * (beta - ci) + betas
        betas = betas * (beta - ci)
        series = series + numer / (alpha + ci) * (dbetas + factor * betas)
    r = -np.power(1 - x, 1 - beta) * series
    return np.where(np.isnan(r), 0, r)


def _beta_grad_alpha_mid(x, alpha, beta):
    """Rice's saddle point expansion of the Beta gradient when alpha and beta are both
    large (in double)."""
    total = alpha + beta
    mean = alpha / total
    std = np.sqrt(alpha * beta / (total + 1)) / total
    near = (mean - 0.1 * std <= x) & (x <= mean + 0.1 * std)
    bb = beta * beta
    poly = 47 * x * bb * bb + alpha * (
        (43 + 20 * (16 + 27 * beta) * x) * bb * beta + alpha * (
            3 * (59 + 180 * beta - 90 * x) * bb + alpha * (
                (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (
                    8 * (1 - x) * (135 * beta - 11)))))
    pre_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
    pre_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
    r_near = pre_num / (1 - x) * poly / pre_den
    prefactor = -x / np.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha))
                * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    t1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * bb
    axbx = alpha * (x - 1) + beta * x
    t1_den = np.sqrt(2 * alpha / beta) * np.power(total, 1.5) * axbx * axbx
    t2 = 0.5 * np.log(alpha / (total * x))
    t3 = np.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    t4 = np.power(beta * np.log(beta / (total * (1 - x))) + alpha * np.log(alpha / (total * x)),
                  -1.5)
    r_far = stirling * prefactor * (t1_num / t1_den + t2 * (t3 + np.where(x < mean, t4, -t4)))
    return np.where(near, r_near, r_far)


def _dirichlet_grad_values(x: np.ndarray, alpha: np.ndarray, total: np.ndarray) -> np.ndarray:
    """PyTorch's ``dirichlet_grad_one`` on arrays of one float dtype."""
    dt = x.dtype
    out = np.empty(x.shape, dt)
    with np.errstate(all='ignore'):
        beta = total - alpha
        boundary = total * x * (1 - x)
        left = (x <= 0.5) & (boundary < 2.5)
        right = ~left & (x >= 0.5) & (boundary < 0.75)
        mid = ~left & ~right & (alpha > 6) & (beta > 6)
        rest = ~left & ~right & ~mid
        if left.any():
            out[left] = _beta_grad_alpha_small(x[left], alpha[left], beta[left])
        if right.any():
            out[right] = -_beta_grad_beta_small(1 - x[right], beta[right], alpha[right])
        xd, ad, td = x.astype(f64), alpha.astype(f64), total.astype(f64)
        if mid.any():
            out[mid] = _beta_grad_alpha_mid(xd[mid], ad[mid], td[mid] - ad[mid])
        if rest.any():
            xr, ar, tr = xd[rest], ad[rest], td[rest]
            u = np.log(xr)
            a = np.log(ar) - u
            b = np.log(tr) - a
            pu = (np.ones_like(u), u, u * u)
            pa = (np.ones_like(a), a, a * a)
            p = np.zeros_like(u)
            q = np.zeros_like(u)
            c = _DIR_COEF
            for i in range(3):
                for j in range(3):
                    ua = pu[i] * pa[j]
                    p += ua * (c[0, i, j, 0] + b * (c[0, i, j, 1] + b * (c[0, i, j, 2]
                                                                         + b * c[0, i, j, 3])))
                    q += ua * (c[1, i, j, 0] + b * (c[1, i, j, 1] + b * (c[1, i, j, 2]
                                                                         + b * c[1, i, j, 3])))
            # digamma runs in the tensor's dtype (the C++ template's scalar_t).
            dg = (_digamma_one(total[rest]).astype(f64)
                  - _digamma_one(alpha[rest]).astype(f64))
            approx = xr * dg / (tr - ar)
            out[rest] = p / q * approx
    return out


def _dirichlet_grad(x: Tensor, alpha: Tensor, total: Tensor) -> Tensor:
    """``torch._dirichlet_grad``: the scaled reparameterized gradient of a Beta(alpha,
    total - alpha) sample ``x`` with respect to ``alpha`` (not differentiable itself)."""
    xd = _float_input(x, '_dirichlet_grad_cpu')
    ad, td = alpha._data, total._data
    if not (xd.shape == ad.shape == td.shape):
        raise RuntimeError(f'_dirichlet_grad: expected x, alpha and total of one shape, got '
                           f'{list(xd.shape)}, {list(ad.shape)} and {list(td.shape)}')
    dt = xd.dtype
    g = _dirichlet_grad_values(xd, ad.astype(dt), td.astype(dt))
    return _NoDerivative(g, '_dirichlet_grad', False).apply(x, alpha, total)


class _Dirichlet(Op):
    """A Dirichlet ``rsample``: PyTorch's ``_Dirichlet`` autograd function, whose backward
    maps the output gradient through ``_dirichlet_grad`` and the simplex projection."""
    _name = '_DirichletBackward'

    def __init__(self, generator) -> None:
        self.gen = generator

    def forward(self, a):
        x = _sample_dirichlet(_wrap(a), self.gen)._data
        self.saved = x
        return x

    def backward(self, gy):
        x = self.saved
        a = self.inputs[0]._data
        total = np.broadcast_to(a.sum(-1, keepdims=True), a.shape)
        grad = _dirichlet_grad_values(np.ascontiguousarray(x), np.ascontiguousarray(a),
                                      np.ascontiguousarray(total))
        return grad * (gy - (x * gy).sum(-1, keepdims=True))

    def backward_t(self, gy):
        # PyTorch's _Dirichlet is once_differentiable: the gradient is a constant of the
        # graph, which only an output gradient that requires grad marks with an error node.
        g = self.backward(gy._data)
        if state.enabled and gy._rg:
            return DelayedError(_TWICE).mark((_wrap(g),))[0]
        return _wrap(g)


def _dirichlet_rsample(concentration: Tensor, generator=None) -> Tensor:
    """A differentiable Dirichlet sample (``torch.distributions.dirichlet._Dirichlet``)."""
    _float_input(concentration, 'dirichlet')
    return _Dirichlet(_gen(generator)).apply1(concentration)
