"""Explicit forward-mode (JVP) formulas for the common ops, keyed by Op class.

``RULES[cls](op, xs, ts, ys, run)`` gets the op after its forward ran, its inputs ``xs``,
their tangents ``ts`` (None: that input is not dual) and its outputs ``ys``, and returns the
output tangent(s). The same formula serves two modes: on arrays (the tangent needs no
history), and on Tensors when the tangent must itself be differentiable (grad mode on and an
input or tangent requiring grad), where its operations record a graph. ``run(op, *args)``
evaluates the op's own forward on other arguments in the same mode (for ops linear in one
argument). Ops not listed here get their JVP by re-running a view op on the tangent, or from
their backward (``forward_ad._jvp_by_backward``): these formulas only save that reverse pass.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .._ops import arithmetic as _ar, conv as _cv, linalg as _la, reduction as _rd
from .._ops import unary as _un

RULES: dict = {}


def _acc(a, b):
    """a + b where either may be None (a missing tangent is zero)."""
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _sum_keep(x, axis):
    if isinstance(x, Tensor):
        return x.sum(axis, keepdim=True)
    return x.sum(axis=axis, keepdims=True)


def _exp(x):
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def _linear(op, xs, ts, ys, run):
    # The op is linear in its one input: its JVP is the op itself applied to the tangent.
    return run(op, ts[0])


for _cls in (_ar.MulS, _ar.DivS, _un.Neg, _rd.Sum, _rd.Mean):
    RULES[_cls] = _linear
RULES[_ar.AddS] = lambda op, xs, ts, ys, run: ts[0]
RULES[_ar.RSubS] = lambda op, xs, ts, ys, run: -ts[0]


def _add(op, xs, ts, ys, run):
    return _acc(*ts)


def _sub(op, xs, ts, ys, run):
    ta, tb = ts
    return ta if tb is None else _acc(ta, -tb)


def _add_scaled(op, xs, ts, ys, run):
    ta, tb = ts
    return _acc(ta, None if tb is None else tb * op.alpha)


def _mul(op, xs, ts, ys, run):
    a, b = xs
    ta, tb = ts
    return _acc(None if ta is None else ta * b, None if tb is None else a * tb)


def _div(op, xs, ts, ys, run):
    a, b = xs
    ta, tb = ts
    return _acc(None if ta is None else ta / b, None if tb is None else -tb * a / (b * b))


def _matmul(op, xs, ts, ys, run):
    a, b = xs
    ta, tb = ts
    return _acc(None if ta is None else ta @ b, None if tb is None else a @ tb)


RULES.update({_ar.Add: _add, _ar.Sub: _sub, _ar.AddScaled: _add_scaled, _ar.Mul: _mul,
              _ar.Div: _div, _la.Matmul: _matmul})


def _bilinear(op, xs, ts, run, bias_shape):
    """JVP of an op bilinear in (input 0, input 1) plus an optional bias (input 2):
    f(t0, w) + f(x, t1) + t2, computed with the op's own forward."""
    res = None
    if ts[0] is not None:
        res = run(op, ts[0], xs[1])
    if ts[1] is not None:
        res = _acc(res, run(op, xs[0], ts[1]))
    if len(ts) > 2 and ts[2] is not None:
        res = _acc(res, ts[2].reshape(bias_shape(tuple(ts[2].shape))))
    return res


def _lin(op, xs, ts, ys, run):
    return _bilinear(op, xs, ts, run, lambda s: s)


def _conv(op, xs, ts, ys, run):
    # The bias is per channel: dim 1 of the output.
    return _bilinear(op, xs, ts, run, lambda s: s + (1,) * (len(ys[0].shape) - 2))


RULES.update({_la.Linear: _lin, _cv.Conv: _conv})


def _exp_rule(op, xs, ts, ys, run):
    return ts[0] * ys[0]


def _tanh(op, xs, ts, ys, run):
    y = ys[0]
    return ts[0] * (1 - y * y)


def _sigmoid(op, xs, ts, ys, run):
    y = ys[0]
    return ts[0] * (y * (1 - y))


def _relu(op, xs, ts, ys, run):
    return ts[0] * (ys[0] > 0)


def _softmax(op, xs, ts, ys, run):
    y = ys[0]
    yt = y * ts[0]
    return yt - y * _sum_keep(yt, op.axis)


def _log_softmax(op, xs, ts, ys, run):
    t = ts[0]
    return t - _sum_keep(_exp(ys[0]) * t, op.axis)


RULES.update({_un.Exp: _exp_rule, _un.Tanh: _tanh, _un.Sigmoid: _sigmoid, _un.Relu: _relu,
              _rd.Softmax: _softmax, _rd.LogSoftmax: _log_softmax})


def _move_last(x, axis):
    return x.movedim(axis, -1) if isinstance(x, Tensor) else np.moveaxis(x, axis, -1)


def _move_back(x, axis):
    return x.movedim(-1, axis) if isinstance(x, Tensor) else np.moveaxis(x, -1, axis)


def _logcumsumexp(op, xs, ts, ys, run):
    # NOTE: ty_i = sum_{j<=i} exp(x_j - y_i) t_j. Every weight is <= 1 (y_i is the log of a
    # sum that holds exp(x_j)); the j > i entries are masked to -inf before exp, so nothing
    # overflows, in value or in gradient. O(n^2) in the scanned dim, as the formula.
    a = op.axis
    x = _move_last(xs[0], a)
    y = _move_last(ys[0], a)
    t = _move_last(ts[0], a)
    n = x.shape[-1]
    upper = np.triu(np.ones((n, n), bool), 1)
    d = x[..., None, :] - y[..., :, None]
    if isinstance(d, Tensor):
        from .._tensor import _wrap
        d = d.masked_fill(_wrap(upper), float('-inf'))
    else:
        d = np.where(upper, -np.inf, d)
    return _move_back((_exp(d) * t[..., None, :]).sum(-1), a)


def _cumprod(op, xs, ts, ys, run):
    x, t, y = xs[0], ts[0], ys[0]
    a = op.axis
    tensors = isinstance(x, Tensor)
    if not bool((x == 0).any()):
        return y * (t / x).cumsum(a) if tensors else y * np.cumsum(t / x, axis=a)
    if tensors:
        raise NotImplementedError('numtorch: a differentiable forward-AD tangent of cumprod over '
                                  'an input holding zeros is not supported')
    # NOTE: with zeros, d y_j / d x_i = prod_{k<=j, k!=i} x_k, built one i at a time.
    xm = np.moveaxis(x, a, -1)
    tm = np.moveaxis(t, a, -1)
    out = np.zeros(np.broadcast_shapes(xm.shape, tm.shape), np.result_type(xm, tm))
    for i in range(xm.shape[-1]):
        others = xm.copy()
        others[..., i] = 1
        out[..., i:] += tm[..., i:i + 1] * np.cumprod(others, axis=-1)[..., i:]
    return np.moveaxis(out, -1, a)


RULES.update({_rd.LogCumSumExp: _logcumsumexp, _rd.Cumprod: _cumprod})


# -- linear algebra (array mode only: these ops have no differentiable backward, so a
# tangent that must keep history is refused for them) ---------------------------------
from .._ops import decomposition as _dec, lu as _lu  # noqa: E402

ARRAY_RULES: dict = {}


def _mT(a):
    return np.swapaxes(a, -1, -2)


def _solve_ex(op, xs, ts, ys, run):
    # A X = B: tX = A^-1 (tB - tA X); X A = B: tX = (tB - X tA) A^-1.
    a = xs[0]
    ta, tb = ts
    x = op.saved[1]
    r = 0
    if tb is not None:
        r = tb[..., None] if op.vector else tb
    if ta is not None:
        r = r - (ta @ x if op.left else x @ ta)
    r = np.broadcast_to(r, np.broadcast_shapes(np.shape(r), x.shape))
    tx = np.linalg.solve(a, r) if op.left else _mT(np.linalg.solve(_mT(a), _mT(r)))
    return tx[..., 0] if op.vector else tx


def _cholesky(op, xs, ts, ys, run):
    # A = L L^T: tL = L phi(L^-1 tA L^-T), phi keeping the lower triangle, half its diagonal.
    low = op.saved
    linv = np.linalg.inv(low)
    m = linv @ ts[0] @ _mT(linv)
    phi = np.tril(m, -1) + 0.5 * np.einsum('...ii->...i', m)[..., None] * np.eye(m.shape[-1])
    tl = low @ phi
    return _mT(tl) if op.upper else tl


def _eigh(op, xs, ts, ys, run):
    # tw = diag(V^T tA V); tV = V (F * V^T tA V), F_ij = 1 / (w_j - w_i) off the diagonal.
    w, v = op.saved
    m = _mT(v) @ ts[0] @ v
    e = w[..., None, :] - w[..., :, None]
    n = w.shape[-1]
    with np.errstate(divide='ignore'):
        f = np.where(np.eye(n, dtype=bool), 0, 1 / np.where(np.eye(n, dtype=bool), 1, e))
    return np.einsum('...ii->...i', m), v @ (f * m)


def _svd(op, xs, ts, ys, run):
    # NOTE: Townsend's formulas for A = U S V^T (reduced), F_ij = 1 / (s_j^2 - s_i^2) off the
    # diagonal: tS = diag(U^T tA V);
    # tU = U (F * (P S + S P^T)) + (I - U U^T) tA V S^-1, P = U^T tA V;
    # tV = V (F * (S P + P^T S)) + (I - V V^T) tA^T U S^-1.
    shape, u, s, vh = op.saved
    m, n = shape[-2:]
    if op.full and m != n:
        raise NotImplementedError('numtorch: forward AD of linalg.svd with '
                                  'full_matrices=True for a non-square input is not supported')
    ta = ts[0]
    v = _mT(vh)
    p = _mT(u) @ ta @ v
    k = s.shape[-1]
    eye = np.eye(k, dtype=bool)
    s2 = s * s
    with np.errstate(divide='ignore'):
        f = np.where(eye, 0, 1 / np.where(eye, 1, s2[..., None, :] - s2[..., :, None]))
    sr = s[..., None, :]    # right-multiplying by S scales columns
    sl = s[..., :, None]    # left-multiplying scales rows
    ts_ = np.einsum('...ii->...i', p)
    tu = u @ (f * (p * sr + sl * _mT(p)))
    tv = v @ (f * (sl * p + _mT(p) * sr))
    if m > k:
        tu = tu + (ta @ v - u @ p) / sr
    if n > k:
        tv = tv + (_mT(ta) @ u - v @ _mT(p)) / sr
    return tu, ts_, _mT(tv)


def _qr_square(q, r, ta):
    # NOTE: A = Q R with m >= n: C = Q^T tA R^-1, O its strictly lower part minus that part's
    # transpose (Q^T tQ is skew); tQ = Q O + (I - Q Q^T) tA R^-1, tR = (C - O) R (upper).
    ar = _mT(np.linalg.solve(_mT(r), _mT(ta)))      # tA R^-1
    c = _mT(q) @ ar
    low = np.tril(c, -1)
    om = low - _mT(low)
    return q @ om + ar - q @ (_mT(q) @ ar), (c - om) @ r


def _qr(op, xs, ts, ys, run):
    if op.mode == 'r':
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                           "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                           "are going to differentiate through linalg.qr.")
    q, r = op.saved
    m, n = q.shape[-2], r.shape[-1]
    if op.mode == 'complete' and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                           "and nrows > ncols.")
    ta = ts[0]
    if m >= n:
        return _qr_square(q, r, ta)
    # A = [X Y] = Q [U V]: (Q, U) is X's QR, and V = Q^T Y.
    tq, tu = _qr_square(q, r[..., :m], ta[..., :m])
    tv = _mT(q) @ (ta[..., m:] - tq @ r[..., m:])
    return tq, np.concatenate([tu, tv], -1)


ARRAY_RULES.update({_dec.Qr: _qr, _dec.Svd: _svd, _lu.SolveEx: _solve_ex, _dec.Cholesky: _cholesky,
                    _lu.CholeskyEx: _cholesky, _dec.Eigh: _eigh})


# -- renorm ----------------------------------------------------------------------------------
from .._ops import renorm as _rn  # noqa: E402


def _renorm_tracked(op, x, t):
    """:func:`_renorm` in Tensor ops, for a tangent that keeps history."""
    from .. import where
    from ..linalg import vector_norm
    p, axes, mx = op.p, op.axes, op.maxnorm
    norm = vector_norm(x, p, axes, keepdim=True)
    zero = norm == 0
    safe = where(zero, 1., norm)
    if p == 1:
        nj = (x.sign() * t).sum(axes, keepdim=True)
    elif p == np.inf:
        ax = x.abs()
        mask = (ax == norm) | ax.isnan()
        nj = (x.sign() * t * mask).sum(axes, keepdim=True) / mask.sum(axes, keepdim=True)
    else:
        w = x if p == 2 else where(x == 0, 0., x.abs() ** (p - 1)) * x.sign()
        den = safe if p == 2 else safe ** (p - 1)
        nj = where(zero, 0., (w * t).sum(axes, keepdim=True) / den)
    inv = 1 / (norm + 1e-7)
    return where(norm > mx, inv * mx * (t - x * inv * nj), t)


def _renorm(op, xs, ts, ys, run):
    # PyTorch's renorm_jvp: where a slice was scaled, d(x * mx / (n + eps)) with n's JVP
    # from its norm_jvp (an inf-norm spreads over the ties, and counts a NaN as one).
    if isinstance(xs[0], Tensor):
        return _renorm_tracked(op, xs[0], ts[0])
    x, norm = op.saved  # x upcast to float32 for float16, as the forward reduced it
    t = ts[0].astype(x.dtype, copy=False)
    p, axes, mx = op.p, op.axes, op.maxnorm
    # NOTE: for float16 PyTorch takes only the norm in float32: the products, their sum and
    # the norm's JVP are rounded to float16 as they are made.
    rnd = ((lambda a: a.astype(np.float16).astype(np.float32)) if ts[0].dtype == np.float16
           else (lambda a: a))
    safe = np.where(norm == 0, 1, norm)
    if p == 1:
        s = (rnd(np.sign(x) * t)).sum(axis=axes, keepdims=True)
        nj = rnd(s)
    elif p == np.inf:
        ax = np.abs(x)
        mask = (ax == norm) | np.isnan(ax)
        s = rnd(rnd(np.sign(x) * t * mask).sum(axis=axes, keepdims=True))
        nj = rnd(s / mask.sum(axis=axes, keepdims=True))
    else:
        if p == 2:
            w = x
        else:
            with np.errstate(divide='ignore'):
                w = np.where(x == 0, 0, np.abs(x) ** (p - 1)) * np.sign(x)
        s = rnd(rnd(w * t).sum(axis=axes, keepdims=True))
        nj = rnd(np.where(norm == 0, 0, s / (safe if p == 2 else safe ** (p - 1))))
    inv = 1 / (norm + 1e-7)
    return np.where(norm > mx, inv * mx * (t - x * inv * nj), t)


RULES[_rn.Renorm] = _renorm
