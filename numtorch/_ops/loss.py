"""Loss functions as fused ops: cross_entropy (log_softmax + nll in one node), nll_loss,
mse / smooth_l1 / huber, binary_cross_entropy and its with-logits form, ctc_loss and
multilabel_margin_loss.

Each takes ``reduction`` as 0 (none), 1 (mean) or 2 (sum). Class targets, weights and
pos_weight are plain arrays (PyTorch does not differentiate through them either).
"""
from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor, _wrap, _type_word
from ._op import Op, unbroadcast, unbroadcast_t, promote2, broadcast_error
from .arithmetic import where as _where
from .unary import sigmoid_array

__all__ = ['cross_entropy', 'nll_loss', 'mse_loss', 'smooth_l1_loss', 'huber_loss',
           'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'reduction_enum',
           'ctc_loss', 'multilabel_margin_loss']

_REDUCTIONS = {'none': 0, 'mean': 1, 'sum': 2}


def reduction_enum(reduction: str) -> int:
    """'none'/'mean'/'sum' as 0/1/2; anything else is PyTorch's ValueError."""
    r = _REDUCTIONS.get(reduction)
    if r is None:
        raise ValueError(f'{reduction} is not a valid value for reduction')
    return r


def _reduce(loss: np.ndarray, red: int) -> np.ndarray:
    if red == 0:
        return loss
    s = loss.sum(dtype=loss.dtype)
    if red == 2:
        return np.asarray(s)
    return np.asarray(s / loss.dtype.type(loss.size) if loss.size else np.nan, loss.dtype)


def _grad_scale(gy: np.ndarray, red: int, n: int, dtype) -> np.ndarray:
    """The upstream gradient per element of the unreduced loss: ``gy`` itself for 'none',
    else a 0-d scale that broadcasts in the element-wise backward formulas."""
    return gy / dtype.type(n) if red == 1 else gy


def _onehot(shape, t: np.ndarray, values, dtype) -> Tensor:
    """A constant (N, C, ...) array with ``values`` at the target classes, 0 elsewhere."""
    a = np.zeros(shape, dtype)
    np.put_along_axis(a, t, np.asarray(values, dtype).reshape(t.shape) if np.ndim(values)
                      else values, 1)
    return _wrap(a)


def _scale_t(gy: Tensor, red: int, denom) -> Tensor:
    """Tensor form of the upstream gradient of a reduced loss (for double backward)."""
    if red == 1:
        return gy / float(denom)
    return gy


def _class_weights(target: np.ndarray, weight, ignore_index: int, dtype):
    """For a loss over class indices: the mask of targets that count, the targets as an
    (N, 1, ...) index array (ignored ones pointing at class 0), and each sample's weight,
    ``weight[t]`` (1 without weights) and 0 where the target is ``ignore_index``."""
    valid = target != ignore_index
    t = np.where(valid, target, 0)[:, None]
    wt = valid.astype(dtype) if weight is None else np.where(valid, weight[t[:, 0]], 0).astype(
        dtype)
    return valid, t, wt


def _reduce_weighted(op: Op, loss: np.ndarray, wt: np.ndarray, dtype) -> np.ndarray:
    """'sum' or 'mean' of a class-index loss. The mean divides by the summed sample weights
    (kept as ``op.denom`` for backward), not by the number of samples."""
    total = loss.sum(dtype=dtype)
    if op.red == 2:
        return np.asarray(total, dtype)
    op.denom = wt.sum(dtype=dtype)
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.asarray(total / op.denom, dtype)


def _sample_grads(op: Op, gy: np.ndarray, shape) -> np.ndarray:
    """The upstream gradient of each sample's loss (the inverse of ``_reduce_weighted``)."""
    if op.red == 0:
        return gy.reshape(shape)
    if op.red == 2:
        return np.broadcast_to(gy, shape)
    return np.broadcast_to(gy / op.denom, shape)


# -- classification ------------------------------------------------------------------------
class CrossEntropy(Op):
    """log_softmax over dim 1 followed by the weighted negative log likelihood of the target
    classes, with optional label smoothing: one node, hand-written backward."""
    checks = ()

    def __init__(self, target, weight, ignore_index, red, smoothing, name):
        self.t = target          # int array shaped like the input minus dim 1
        self.w = weight          # (C,) array or None
        self.ignore_index = ignore_index
        self.red = red
        self.eps = smoothing
        self._name = name

    single = False

    def forward(self, x):
        if self.single:
            x = x[None]
        C = x.shape[1]
        m = x.max(axis=1, keepdims=True)
        z = x - m
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        p = e
        p /= s                                           # softmax, kept for backward
        logs = np.log(s)
        valid, t, wt = _class_weights(self.t, self.w, self.ignore_index, x.dtype)
        nll = (logs - np.take_along_axis(z, t, 1))[:, 0]
        w = self.w
        loss = nll * wt
        if self.eps:
            # -sum_c w_c log p_c = sum_c w_c (log s - z_c)
            if w is None:
                smooth = (C * logs[:, 0] - z.sum(axis=1))
            else:
                wc = w.reshape((1, C) + (1,) * (x.ndim - 2))
                smooth = (wc.sum() * logs[:, 0] - (z * wc).sum(axis=1))
            smooth = np.where(valid, smooth, 0)
            loss = loss * (1 - self.eps) + smooth * (self.eps / C)
        self.saved = (p, t, valid, wt)
        if self.red == 0:
            return loss.astype(x.dtype, copy=False).reshape(loss.shape[1:] if self.single
                                                            else loss.shape)
        return _reduce_weighted(self, loss, wt, x.dtype)

    def backward(self, gy):
        p, t, valid, wt = self.saved
        C = p.shape[1]
        g = _sample_grads(self, gy, wt.shape)
        coef = (g * wt)[:, None]
        if self.eps:
            coef = coef * (1 - self.eps)
        gx = p * coef
        picked = np.take_along_axis(gx, t, 1) - coef
        np.put_along_axis(gx, t, picked, 1)
        if self.eps:
            k = (np.where(valid, g, 0) * (self.eps / C))[:, None]
            w = self.w
            if w is None:
                gx += k * (p * C - 1)
            else:
                wc = w.reshape((1, C) + (1,) * (p.ndim - 2)).astype(p.dtype, copy=False)
                gx += k * (p * wc.sum() - wc)
        return gx[0] if self.single else gx

    def backward_t(self, gy):
        p_, t, valid, wt = self.saved
        x = self.inputs[0]
        if self.single:
            x = x.unsqueeze(0)
        C = p_.shape[1]
        p = x.softmax(1)
        g = gy.reshape(wt.shape) if self.red == 0 else _scale_t(gy, self.red, getattr(
            self, 'denom', 1))
        coef = (g * _wrap(wt)).unsqueeze(1) * (1 - self.eps)
        gx = (p - _onehot(p_.shape, t, 1, p_.dtype)) * coef
        if self.eps:
            k = (g * _wrap(valid.astype(p_.dtype)) * (self.eps / C)).unsqueeze(1)
            if self.w is None:
                gx = gx + k * (p * C - 1)
            else:
                wc = self.w.reshape((1, C) + (1,) * (p_.ndim - 2)).astype(p_.dtype, copy=False)
                gx = gx + k * (p * float(wc.sum()) - _wrap(wc))
        return gx[0] if self.single else gx


class CrossEntropy2D(Op):
    """The common case of :class:`CrossEntropy`: (N, C) logits, every target a valid class,
    no weight, no smoothing. Fewer array passes, fancy indexing instead of along-axis."""
    _name = 'NllLossBackward0'

    def __init__(self, target, red):
        self.t = target
        self.red = red

    def forward(self, x):
        n = x.shape[0]
        rows = np.arange(n)
        m = x.max(axis=1, keepdims=True)
        p = x - m
        zt = p[rows, self.t]
        np.exp(p, out=p)
        s = p.sum(axis=1, keepdims=True)
        p /= s                                           # softmax, kept for backward
        loss = np.log(s[:, 0])
        loss -= zt                                       # -log_softmax at the target
        self.saved = (p, rows)
        if self.red == 0:
            return loss
        total = loss.sum(dtype=x.dtype)
        return np.asarray(total if self.red == 2 else total / x.dtype.type(n), x.dtype)

    def backward(self, gy):
        p, rows = self.saved
        if self.red == 0:
            g = gy[:, None]
            gx = p * g
            gx[rows, self.t] -= gy
            return gx
        g = gy if self.red == 2 else gy / p.dtype.type(p.shape[0])
        gx = p * g
        gx[rows, self.t] -= g
        return gx

    def backward_t(self, gy):
        p_, _ = self.saved
        n = p_.shape[0]
        g = gy.unsqueeze(1) if self.red == 0 else _scale_t(gy, self.red, n)
        onehot = _onehot(p_.shape, self.t[:, None], 1, p_.dtype)
        return (self.inputs[0].softmax(1) - onehot) * g


class CrossEntropyProbs(Op):
    """Cross entropy against class probabilities (soft targets) along dim 1."""
    checks = (0, 1)

    def __init__(self, weight, red, smoothing):
        self.w = weight
        self.red = red
        self.eps = smoothing
        self._name = 'DivBackward1' if red == 1 else 'NegBackward0'

    single = False

    def forward(self, x, target):
        if self.single:
            x, target = x[None], target[None]
        C = x.shape[1]
        m = x.max(axis=1, keepdims=True)
        z = x - m
        s = np.exp(z).sum(axis=1, keepdims=True)
        logp = z - np.log(s)
        tt = target
        if self.eps:
            tt = target * (1 - self.eps) + self.eps / C
        wt = tt if self.w is None else tt * self.w.reshape((1, C) + (1,) * (x.ndim - 2))
        self.saved = (logp, wt)
        loss = -(logp * wt).sum(axis=1)
        if self.red == 0:
            return loss.reshape(()) if self.single else loss
        total = loss.sum(dtype=x.dtype)
        if self.red == 2:
            return np.asarray(total, x.dtype)
        self.n = x.size // C if x.size else 0
        with np.errstate(invalid='ignore', divide='ignore'):
            return np.asarray(total / x.dtype.type(self.n) if self.n else np.nan, x.dtype)

    def backward(self, gy):
        logp, wt = self.saved
        if self.red == 0:
            g = gy.reshape((-1, 1) + logp.shape[2:])
        elif self.red == 2:
            g = gy
        else:
            g = gy / logp.dtype.type(self.n)
        gx = gt = None
        if self.needs[0]:
            # d/dx_j (-sum_c wt_c log p_c) = p_j * sum_c wt_c - wt_j
            gx = (np.exp(logp) * wt.sum(axis=1, keepdims=True) - wt) * g
        if self.needs[1]:
            w = 1 if self.w is None else self.w.reshape((1, -1) + (1,) * (logp.ndim - 2))
            gt = -logp * w * g
            if self.eps:
                gt = gt * (1 - self.eps)
        if self.single:
            return (None if gx is None else gx[0]), (None if gt is None else gt[0])
        return gx, gt

    def backward_t(self, gy):
        x, t = self.inputs
        if self.single:
            x, t = x.unsqueeze(0), t.unsqueeze(0)
        C = x._data.shape[1]
        logp = x.log_softmax(1)
        wc = None if self.w is None else _wrap(self.w.reshape((1, C) + (1,) * (x.ndim - 2)))
        tt = t * (1 - self.eps) + self.eps / C if self.eps else t
        wt = tt if wc is None else tt * wc
        if self.red == 0:
            g = gy.unsqueeze(1)
        else:
            g = _scale_t(gy, self.red, getattr(self, 'n', 1))
        gx = (logp.exp() * wt.sum(1, keepdim=True) - wt) * g
        gt = -logp * g if wc is None else -logp * wc * g
        if self.eps:
            gt = gt * (1 - self.eps)
        if self.single:
            return gx[0], gt[0]
        return gx, gt


def _check_nll(x: Tensor, target: Tensor, weight) -> None:
    """Validates a (N, C, d1, ...) input against its class-index target, as PyTorch."""
    xd, td = x._data, target._data
    if xd.ndim < 1:
        raise ValueError(f'Expected 1 or more dimensions (got {xd.ndim})')
    if xd.ndim != 1 and td.ndim >= 1 and xd.shape[0] != td.shape[0]:
        raise ValueError(f'Expected input batch_size ({xd.shape[0]}) to match target '
                         f'batch_size ({td.shape[0]}).')
    if xd.ndim <= 2:
        if td.ndim > 1:
            raise RuntimeError('0D or 1D target tensor expected, multi-target not supported')
        n_target = td.shape[0] if td.ndim else -1
        if not (xd.ndim == 1 and td.ndim == 0) and xd.shape[0] != n_target:
            raise RuntimeError(f'size mismatch (got input: {list(xd.shape)}, target: '
                               f'{list(td.shape)})')
    else:
        want = (xd.shape[0],) + xd.shape[2:]
        if td.shape != want:
            raise RuntimeError(f'Expected target size {list(want)}, got {list(td.shape)}')
    if td.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f'expected target dtype to be Long or Byte, but got '
                           f'{_type_word(td.dtype)}')
    C = xd.shape[1] if xd.ndim > 1 else xd.shape[0]
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != C):
        raise RuntimeError(f'weight tensor should be defined either for all {C} classes or no '
                           f'classes but got weight tensor of shape: {list(weight._data.shape)}')


def _check_bounds(t: np.ndarray, C: int, ignore_index: int) -> None:
    bad = (t < 0) | (t >= C)
    if bad.any():
        bad &= t != ignore_index
        if bad.any():
            raise IndexError(f'Target {int(t[bad].flat[0])} is out of bounds.')


def _class_loss(input: Tensor, target: Tensor, weight, ignore_index: int, red: int,
                smoothing: float, logits: bool) -> Tensor:
    if input._data.dtype.kind != 'f':
        kernel = 'log_softmax_lastdim_kernel_impl' if logits else 'nll_loss_forward_out_frame'
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_type_word(input._data.dtype)}'")
    _check_nll(input, target, weight)
    x, t = input, target._data
    nd = x._data.ndim
    if nd == 1:
        # A single sample: the op sees (1, C) and gives back the unbatched shapes.
        t = t.reshape(1)
    out_shape = None
    if red == 0 and not smoothing and (nd == 3 or nd > 4):
        # As PyTorch: other N-d inputs go through the 4-D kernel and are viewed back.
        out_shape = t.shape
        x = x.reshape(x._data.shape[0], x._data.shape[1], 1, -1)
        t = t.reshape(t.shape[0], 1, -1)
    C = x._data.shape[1] if nd > 1 else x._data.shape[0]
    _check_bounds(t, C, ignore_index)
    w = None if weight is None else weight._data.astype(x._data.dtype, copy=False)
    if smoothing:
        name = 'AddBackward0'
    elif nd > 2:
        name = 'NllLoss2DBackward0'
    else:
        name = 'NllLossBackward0'
    t = t.astype(np.int64, copy=False)
    if logits:
        op = CrossEntropy(t, w, ignore_index, red, smoothing, name)
    else:
        op = NllLoss(t, w, ignore_index, red, name)
    op.single = nd == 1
    out = op.apply1(x)
    return out if out_shape is None else out.view(out_shape)


class NllLoss(Op):
    """``-w[t] * x[t]`` per sample (input holds log-probabilities along dim 1)."""
    checks = ()

    def __init__(self, target, weight, ignore_index, red, name):
        self.t = target
        self.w = weight
        self.ignore_index = ignore_index
        self.red = red
        self._name = name

    single = False

    def forward(self, x):
        if self.single:
            x = x[None]
        _, t, wt = _class_weights(self.t, self.w, self.ignore_index, x.dtype)
        loss = -np.take_along_axis(x, t, 1)[:, 0] * wt
        self.saved = (t, wt)
        self.shape = x.shape
        if self.red == 0:
            return loss.reshape(()) if self.single else loss
        return _reduce_weighted(self, loss, wt, x.dtype)

    def backward(self, gy):
        t, wt = self.saved
        g = _sample_grads(self, gy, wt.shape)
        gx = np.zeros(self.shape, gy.dtype)
        np.put_along_axis(gx, t, (-g * wt)[:, None], 1)
        return gx[0] if self.single else gx

    def backward_t(self, gy):
        t, wt = self.saved
        g = gy.reshape(wt.shape).unsqueeze(1) if self.red == 0 else _scale_t(
            gy, self.red, getattr(self, 'denom', 1))
        gx = _onehot(self.shape, t, -wt[:, None] if wt.ndim else -wt, wt.dtype) * g
        return gx[0] if self.single else gx


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  ignore_index: int = -100, reduction: int = 1,
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy between logits ``input`` (N, C, ...) and class indices or class
    probabilities ``target``, as one op."""
    xd, td = input._data, target._data
    if (weight is None and not label_smoothing and xd.ndim == 2 and td.ndim == 1
            and td.dtype == np.int64 and xd.dtype.kind == 'f' and td.shape[0] == xd.shape[0]
            and td.size and not 0 <= ignore_index < xd.shape[1]
            and td.view(np.uint64).max() < xd.shape[1]):
        # Hot path: all targets in [0, C) (negatives wrap to huge unsigned values).
        return CrossEntropy2D(td, reduction).apply1(input)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f'label_smoothing must be between 0.0 and 1.0. Got: '
                           f'{label_smoothing}')
    if xd.shape == td.shape:
        if target._data.dtype.kind != 'f':
            raise RuntimeError(f'Expected floating point type for target with class '
                               f'probabilities, got {_type_word(target._data.dtype)}')
        x, t = promote2(input, target)
        C = x._data.shape[1] if x._data.ndim > 1 else x._data.shape[0]
        if weight is not None and (weight._data.ndim != 1 or weight._data.size != C):
            raise RuntimeError(f'weight tensor should be defined either for all {C} classes '
                               f'or no classes but got weight tensor of shape: '
                               f'{list(weight._data.shape)}')
        w = None if weight is None else weight._data.astype(x._data.dtype, copy=False)
        op = CrossEntropyProbs(w, reduction, label_smoothing)
        op.single = x._data.ndim == 1
        return op.apply2(x, t)
    return _class_loss(input, target, weight, ignore_index, reduction, label_smoothing, True)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             ignore_index: int = -100, reduction: int = 1) -> Tensor:
    """Negative log likelihood of the target classes, ``input`` holding log-probabilities."""
    return _class_loss(input, target, weight, ignore_index, reduction, 0.0, False)


# -- regression ------------------------------------------------------------------------------
class _PointLoss(Op):
    """A loss of ``d = x - t`` element-wise (with broadcasting), then reduced."""
    checks = (0, 1)

    def __init__(self, red):
        self.red = red

    def forward(self, x, t):
        d = x - t
        self.saved = d
        self.shapes = (x.shape, t.shape)
        return _reduce(self.f(d), self.red)

    def backward(self, gy):
        d = self.saved
        if self.red == 0:
            g = self.dfdd(d) * gy
        else:
            # A 0-d scale broadcasts by itself; no expanded copy of the upstream gradient.
            scale = gy if self.red == 2 else gy / d.dtype.type(d.size)
            g = self.dfdd(d, scale)
        sx, st = self.shapes
        return (unbroadcast(g, sx) if self.needs[0] else None,
                unbroadcast(-g, st) if self.needs[1] else None)

    def backward_t(self, gy):
        x, t = self.inputs
        d = x - t
        if self.red == 0:
            g = self.dfdd_t(d) * gy
        else:
            g = self.dfdd_t(d) * _scale_t(gy, self.red, d._data.size)
        sx, st = self.shapes
        return unbroadcast_t(g, sx), unbroadcast_t(-g, st)


class MseLoss(_PointLoss):
    _name = 'MseLossBackward0'

    def f(self, d):
        return d * d

    def dfdd(self, d, scale=None):
        return d * (2 if scale is None else scale * 2)

    def dfdd_t(self, d):
        return d * 2


class SmoothL1Loss(_PointLoss):
    _name = 'SmoothL1LossBackward0'

    def __init__(self, red, beta):
        self.red = red
        self.beta = beta

    def f(self, d):
        a = np.abs(d)
        return np.where(a < self.beta, d * d * (0.5 / self.beta), a - 0.5 * self.beta)

    def dfdd(self, d, scale=None):
        g = np.where(np.abs(d) < self.beta, d / d.dtype.type(self.beta), np.sign(d))
        return g if scale is None else g * scale

    def dfdd_t(self, d):
        a = d._data
        return _where(_wrap(np.abs(a) < self.beta), d / self.beta, _wrap(np.sign(a)))


class HuberLoss(_PointLoss):
    _name = 'HuberLossBackward0'

    def __init__(self, red, delta):
        self.red = red
        self.delta = delta

    def f(self, d):
        a = np.abs(d)
        return np.where(a < self.delta, d * d * 0.5, (a - 0.5 * self.delta) * self.delta)

    def dfdd(self, d, scale=None):
        g = np.where(np.abs(d) < self.delta, d, np.sign(d) * d.dtype.type(self.delta))
        return g if scale is None else g * scale

    def dfdd_t(self, d):
        a = d._data
        return _where(_wrap(np.abs(a) < self.delta), d,
                      _wrap(np.sign(a) * a.dtype.type(self.delta)))


def _pair(input: Tensor, target: Tensor, warn: bool = True):
    """Promotes the pair and checks the shapes broadcast (warning when they differ)."""
    si, st = input._data.shape, target._data.shape
    if si != st:
        if warn:
            warnings.warn(f'Using a target size ({target.shape}) that is different to the input '
                          f'size ({input.shape}). This will likely lead to incorrect results '
                          f'due to broadcasting. Please ensure they have the same size.',
                          stacklevel=3)
        try:
            np.broadcast_shapes(si, st)
        except ValueError:
            broadcast_error(si, st)
    return promote2(input, target)


def mse_loss(input: Tensor, target: Tensor, reduction: int = 1) -> Tensor:
    """Mean squared error ``(x - t)^2``, reduced."""
    x, t = _pair(input, target)
    return MseLoss(reduction).apply2(x, t)


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: int = 1,
                   beta: float = 1.0) -> Tensor:
    """Squared error below ``beta`` (scaled by 1/beta), absolute error above."""
    if beta < 0:
        raise RuntimeError('smooth_l1_loss does not support negative values for beta.')
    x, t = _pair(input, target)
    if beta == 0.0:
        return l1_loss(x, t, reduction, warn=False)
    return SmoothL1Loss(reduction, beta).apply2(x, t)


def huber_loss(input: Tensor, target: Tensor, reduction: int = 1,
               delta: float = 1.0) -> Tensor:
    """Squared error below ``delta``, ``delta``-scaled absolute error above."""
    if delta <= 0:
        raise RuntimeError('huber_loss does not support non-positive values for delta.')
    x, t = _pair(input, target)
    return HuberLoss(reduction, delta).apply2(x, t)


def l1_loss(input: Tensor, target: Tensor, reduction: int = 1, warn: bool = True) -> Tensor:
    """Mean absolute error (composite: ``|x - t|`` then the reduction, as PyTorch)."""
    x, t = _pair(input, target, warn)
    d = (x - t).abs()
    if reduction == 0:
        return d
    return d.mean() if reduction == 1 else d.sum()


# -- binary ------------------------------------------------------------------------------------
class BinaryCrossEntropy(Op):
    _name = 'BinaryCrossEntropyBackward0'
    checks = (0, 1)

    def __init__(self, weight, red):
        self.w = weight
        self.red = red

    def forward(self, x, t):
        with np.errstate(divide='ignore'):
            lx = np.maximum(np.log(x), -100)
            l1x = np.maximum(np.log1p(-x), -100)
        loss = -(t * lx + (1 - t) * l1x)
        if self.w is not None:
            loss = loss * self.w
        self.saved = (x, t)
        return _reduce(loss.astype(x.dtype, copy=False), self.red)

    def backward(self, gy):
        x, t = self.saved
        g = _grad_scale(gy, self.red, x.size, x.dtype)
        if self.w is not None:
            g = g * self.w
        gx = gt = None
        if self.needs[0]:
            gx = g * (x - t) / np.maximum((1 - x) * x, x.dtype.type(1e-12))
        if self.needs[1]:
            # NOTE: unlike the loss, the target gradient uses the unclamped logs (as PyTorch).
            with np.errstate(divide='ignore'):
                gt = g * (np.log1p(-x) - np.log(x))
        return gx, gt

    def backward_t(self, gy):
        x, t = self.inputs
        g = _scale_t(gy, self.red, x._data.size)
        if self.w is not None:
            g = g * _wrap(self.w)
        gx = g * (x - t) / ((1 - x) * x).clamp(min=1e-12)
        gt = g * ((-x).log1p() - x.log())
        return gx, gt


class BinaryCrossEntropyWithLogits(Op):
    _name = 'BinaryCrossEntropyWithLogitsBackward0'
    checks = (0, 1)

    def __init__(self, weight, pos_weight, red):
        self.w = weight
        self.pw = pos_weight
        self.red = red

    def forward(self, x, t):
        # log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))
        ls = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
        if self.pw is None:
            loss = (1 - t) * x - ls
        else:
            loss = (1 - t) * x - (1 + (self.pw - 1) * t) * ls
        if self.w is not None:
            loss = loss * self.w
        self.saved = (x, t, ls)
        return _reduce(loss.astype(x.dtype, copy=False), self.red)

    def backward(self, gy):
        x, t, ls = self.saved
        g = _grad_scale(gy, self.red, x.size, x.dtype)
        if self.w is not None:
            g = g * self.w
        gx = gt = None
        if self.needs[0]:
            s = sigmoid_array(x)
            if self.pw is None:
                gx = (s - t) * g
            else:
                pt = self.pw * t
                gx = ((pt + 1 - t) * s - pt) * g
        if self.needs[1]:
            if self.pw is None:
                gt = -x * g
            else:
                gt = ((ls - x) - ls * self.pw) * g
        return (unbroadcast(gx, x.shape) if gx is not None else None,
                unbroadcast(gt, t.shape) if gt is not None else None)

    def backward_t(self, gy):
        from .activation import logsigmoid
        x, t = self.inputs
        g = _scale_t(gy, self.red, x._data.size)
        if self.w is not None:
            g = g * _wrap(self.w)
        s = x.sigmoid()
        if self.pw is None:
            gx = (s - t) * g
            gt = -x * g
        else:
            pw = _wrap(self.pw)
            pt = t * pw
            gx = ((pt + 1 - t) * s - pt) * g
            ls = logsigmoid(x)
            gt = ((ls - x) - ls * pw) * g
        return unbroadcast_t(gx, x.shape), unbroadcast_t(gt, t.shape)


def _weight_array(weight, like: np.ndarray, name: str = 'weight'):
    if weight is None:
        return None
    w = weight._data.astype(like.dtype, copy=False)
    try:
        np.broadcast_shapes(w.shape, like.shape)
    except ValueError:
        broadcast_error(like.shape, w.shape)
    return w


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         reduction: int = 1) -> Tensor:
    """``-w (t log x + (1 - t) log(1 - x))`` for probabilities ``x`` (logs clamped at -100)."""
    if target._data.shape != input._data.shape:
        raise ValueError(f'Using a target size ({target.shape}) that is different to the input '
                         f'size ({input.shape}) is deprecated. Please ensure they have the same '
                         'size.')
    x, t = promote2(input, target)
    xd = x._data
    if xd.size and (xd.min() < 0 or xd.max() > 1 or np.isnan(xd).any()):
        raise RuntimeError('all elements of input should be between 0 and 1')
    w = _weight_array(weight, xd)
    return BinaryCrossEntropy(w, reduction).apply2(x, t)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, reduction: int = 1,
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid + binary cross entropy in one numerically stable op; ``pos_weight`` scales
    the positive term (per class, broadcast over the last dim)."""
    if target._data.shape != input._data.shape:
        raise ValueError(f'Target size ({target.shape}) must be the same as input size '
                         f'({input.shape})')
    x, t = promote2(input, target)
    xd = x._data
    w = _weight_array(weight, xd)
    pw = _weight_array(pos_weight, xd, 'pos_weight')
    return BinaryCrossEntropyWithLogits(w, pw, reduction).apply2(x, t)


# -- connectionist temporal classification -------------------------------------------------
def _lse3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """log(exp(a) + exp(b) + exp(c)) as PyTorch's CTC kernel computes it: shifted by the
    maximum, with a shift of 0 where all three are -inf (so the result stays -inf)."""
    m = np.maximum(np.maximum(a, b), c)
    m[m == -np.inf] = 0
    return np.log(np.exp(a - m) + np.exp(b - m) + np.exp(c - m)) + m


class CtcLoss(Op):
    """The negative log likelihood of each target sequence under (T, N, C) log-probabilities,
    summed over all CTC alignments (one value per batch element)."""
    _name = 'CtcLossBackward0'
    checks = (0,)

    def __init__(self, ext: np.ndarray, il: np.ndarray, tl: np.ndarray, zero_infinity: bool):
        self.ext = ext        # (N, 2S+1) extended targets: blank, l0, blank, l1, ..., blank
        self.il = il
        self.tl = tl
        self.zi = zero_infinity

    def forward(self, lp):
        T, N, C = lp.shape
        ext, il, tl = self.ext, self.il, self.tl
        L = ext.shape[1]
        dt = lp.dtype
        ninf = dt.type(-np.inf)
        # the log-probability of each extended label at each step: (T, N, L)
        lpx = lp[:, np.arange(N)[:, None], ext]
        s = np.arange(L)
        # a label may be reached from two positions back unless it is a blank or repeats
        skip = (s >= 2) & (s % 2 == 1)
        skip = skip & (ext != np.roll(ext, 2, axis=1))
        Tm = int(il.max()) if N else 0
        la = np.full((max(Tm, 1), N, L), ninf, dt)
        a = la[0]
        a[:, 0] = lpx[0, :, 0] if T else ninf
        if L > 1 and T:
            a[:, 1] = np.where(tl > 0, lpx[0, :, 1], ninf)
        a2 = np.full((N, L), ninf, dt)
        a3 = np.full((N, L), ninf, dt)
        with np.errstate(invalid='ignore', over='ignore'):
            # NOTE: positions past a sequence's 2 * target_length only feed positions further
            # right, so the padded tail never disturbs the valid part of the recursion.
            for t in range(1, Tm):
                prev = la[t - 1]
                a2[:, 1:] = prev[:, :-1]
                a3[:, 2:] = prev[:, :-2]
                np.copyto(a3, ninf, where=~skip)
                la[t] = _lse3(prev, a2, a3) + lpx[t]
            b = np.arange(N)
            last = np.maximum(il - 1, 0)
            l1 = la[last, b, 2 * tl]
            l2 = np.where(tl > 0, la[last, b, np.maximum(2 * tl - 1, 0)], ninf)
            m = np.maximum(l1, l2)
            m[m == -np.inf] = 0
            ll = np.log(np.exp(l1 - m) + np.exp(l2 - m)) + m
        # an empty input explains only an empty target
        ll = np.where(il == 0, np.where(tl == 0, dt.type(0), ninf), ll).astype(dt, copy=False)
        nll = -ll
        self.saved = (lp, lpx, la, skip, nll)
        return nll

    def backward(self, gy):
        lp, lpx, la, skip, nll = self.saved
        ext, il, tl = self.ext, self.il, self.tl
        T, N, C = lp.shape
        Tm, _, L = la.shape
        dt = lp.dtype
        if T == 0:
            return np.zeros_like(lp)
        ninf = dt.type(-np.inf)
        s = np.arange(L)
        valid = s[None, :] <= 2 * tl[:, None]
        ends = valid & (s[None, :] >= 2 * tl[:, None] - 1)
        # from s, the step s -> s + 2 is allowed exactly where s + 2 may skip back to s
        skip2 = np.zeros_like(skip)
        skip2[:, :-2] = skip[:, 2:]
        lb = np.full((Tm, N, L), ninf, dt)
        b2 = np.full((N, L), ninf, dt)
        b3 = np.full((N, L), ninf, dt)
        with np.errstate(invalid='ignore', over='ignore'):
            nxt = lb[Tm - 1]
            for t in range(Tm - 1, -1, -1):
                b2[:, :-1] = nxt[:, 1:]
                b3[:, :-2] = nxt[:, 2:]
                np.copyto(b3, ninf, where=~skip2)
                cur = _lse3(nxt, b2, b3) + lpx[t]
                inner = (t < il - 1)[:, None] & valid
                start = (t == il - 1)[:, None] & ends
                cur = np.where(inner, cur, np.where(start, lpx[t], ninf))
                lb[t] = cur
                nxt = cur
            # NOTE: PyTorch's gradient is exp(lp) - (posterior occupancy of each class): the
            # gradient with respect to the logits of a log_softmax, not of log_probs.
            occ = np.exp(la + lb + nll[None, :, None] - lpx[:Tm])       # (Tm, N, L)
        onehot = np.zeros((N, L, C), dt)
        np.put_along_axis(onehot, ext[:, :, None], 1, axis=2)
        occ_c = np.matmul(occ.transpose(1, 0, 2), onehot).transpose(1, 0, 2)  # (Tm, N, C)
        g = np.zeros_like(lp)
        g[:Tm] = (np.exp(lp[:Tm]) - occ_c) * gy.astype(dt, copy=False)[None, :, None]
        keep = np.arange(T)[:, None] < il[None, :]
        if self.zi:
            keep = keep & (nll != np.inf)[None, :]
        # (assigned, not multiplied: a NaN outside the mask must still become 0)
        g[~np.broadcast_to(keep[:, :, None], g.shape)] = 0
        return g


def _lengths(v, name: str) -> np.ndarray:
    if isinstance(v, Tensor):
        if v._data.dtype.kind not in 'iu':
            raise RuntimeError(f'{name} must be integral')
        return v._data.reshape(-1).astype(np.int64)
    if isinstance(v, (list, tuple)):
        return np.array([int(x) for x in v], np.int64).reshape(-1)
    raise TypeError(f'ctc_loss(): argument \'{name}\' must be tuple of ints or Tensor, not '
                    f'{type(v).__name__}')


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths,
             blank: int = 0, reduction: str = 'mean', zero_infinity: bool = False) -> Tensor:
    """The Connectionist Temporal Classification loss of (T, N, C) (or unbatched (T, C))
    log-probabilities against padded (N, S) or concatenated 1-D targets. One
    CtcLossBackward0 node; 'mean' divides each loss by its target length, then averages."""
    red = reduction_enum(reduction)
    lpd = log_probs._data
    if lpd.dtype.kind != 'f' or lpd.dtype == np.float16:
        raise NotImplementedError(f'"ctc_loss_cpu" not implemented for '
                                  f"'{_type_word(lpd.dtype)}'")
    batched = lpd.ndim == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    c = ' (while checking arguments for ctc_loss_allocate_outputs)'
    if lp.dim() != 3:
        raise RuntimeError(f'Expected 3-dimensional tensor, but got {lp.dim()}-dimensional '
                           f"tensor for argument #1 'log_probs'{c}")
    tg = targets._data
    if not 1 <= tg.ndim <= 2:
        raise RuntimeError(f'Expected 1 to 2 dimensions, but got {tg.ndim}-dimensional tensor '
                           f"for argument #2 'targets'{c}")
    T, N, C = lp.shape
    il = _lengths(input_lengths, 'input_lengths')
    tl = _lengths(target_lengths, 'target_lengths')
    if not 0 <= blank < C:
        raise RuntimeError('blank must be in label range')
    if il.size != N:
        raise RuntimeError('input_lengths must be of size batch_size')
    if tl.size != N:
        raise RuntimeError('target_lengths must be of size batch_size')
    for v in tl:
        if v < 0:
            raise RuntimeError(f'Expected target_lengths to have value at least 0, but got '
                               f'value {v}{c}')
    S = int(tl.max()) if N else 0
    tg = tg.astype(np.int64)
    if tg.ndim == 1:
        if tg.shape[0] != int(tl.sum()):
            raise RuntimeError(f'Expected tensor to have size {int(tl.sum())} at dimension 0, '
                               f"but got size {tg.shape[0]} for argument #2 'targets'{c}")
        pad = np.full((N, S), blank, np.int64)
        pos = np.arange(S)[None, :] < tl[:, None]
        pad[pos] = tg
    else:
        if tg.shape[0] != N:
            raise RuntimeError(f'Expected tensor to have size {N} at dimension 0, but got size '
                               f"{tg.shape[0]} for argument #2 'targets'{c}")
        if tg.shape[1] < S:
            raise RuntimeError(f'Expected tensor to have size at least {S} at dimension 1, but '
                               f"got size {tg.shape[1]} for argument #2 'targets'{c}")
        pos = np.arange(S)[None, :] < tl[:, None]
        pad = np.where(pos, tg[:, :S], blank)
    for v in il:
        if v < 0:
            raise RuntimeError(f'Expected input_lengths to have value at least 0, but got '
                               f'value {v}{c}')
        if v > T:
            raise RuntimeError(f'Expected input_lengths to have value at most {T}, but got '
                               f'value {v}{c}')
    # NOTE: PyTorch does not check the labels' range (reading out of range is undefined
    # there); here an out-of-range label raises numpy's IndexError.
    ext = np.full((N, 2 * S + 1), blank, np.int64)
    ext[:, 1::2] = pad
    res = CtcLoss(ext, il, tl, zero_infinity).apply1(lp)
    if zero_infinity:
        res = _where(res == np.inf, _wrap(np.zeros((), res._data.dtype)), res)
    if red == 1:
        den = _wrap(np.maximum(tl, 1).astype(res._data.dtype))
        return (res / den).mean()
    if red == 2:
        return res.sum()
    return res if batched else res.squeeze(0)


# -- multi-label margin ------------------------------------------------------------------
class MultilabelMarginLoss(Op):
    """``sum_{j, i} max(0, 1 - (x[y_j] - x[i])) / C`` over the target classes ``y_j`` (the
    entries of each target row before its first -1) and the non-target classes ``i``."""
    _name = 'MultilabelMarginLossBackward0'
    checks = (0,)

    def __init__(self, y: np.ndarray, red: int, squeeze: bool):
        self.y = y              # (N, C) class indices, -1 terminated
        self.red = red
        self.squeeze = squeeze  # a 1-D (or 0-d) input gives a 0-d unreduced loss

    def forward(self, x):
        shape = x.shape
        x = x.reshape(-1, shape[-1] if x.ndim else 1)
        N, C = x.shape
        y = self.y
        dt = x.dtype
        used = np.cumsum(y == -1, axis=1) == 0           # entries before the first -1
        onehot = np.zeros((N, C, C), dt)                # onehot[n, j, c]: target j is class c
        np.put_along_axis(onehot, np.where(used, y, 0)[:, :, None], 1, axis=2)
        onehot *= used[:, :, None]
        is_t = onehot.any(1)
        xy = np.take_along_axis(x, np.where(used, y, 0), 1)
        z = 1 - xy[:, :, None] + x[:, None, :]
        act = (z > 0) & used[:, :, None] & ~is_t[:, None, :]
        loss = (np.where(act, z, 0).sum((1, 2)) / dt.type(C)).astype(dt, copy=False)
        # the constant gradient of each sample's loss (the loss is piecewise linear)
        ai = act.sum(1, dtype=dt)
        aj = act.sum(2, dtype=dt)
        G = (ai - np.matmul(aj[:, None, :], onehot)[:, 0, :]) / dt.type(C)
        self.saved = (G.reshape(shape), N)
        if self.red == 0:
            return loss.reshape(()) if self.squeeze else loss
        s = loss.sum(dtype=dt)
        if self.red == 1 and N:
            s = s / dt.type(N)
        return np.asarray(s, dt)

    def backward(self, gy):
        G, N = self.saved
        if self.red == 0:
            return G * (gy if self.squeeze else gy.reshape((-1,) + (1,) * (G.ndim - 1)))
        return G * (gy / G.dtype.type(N) if self.red == 1 else gy)

    def backward_t(self, gy):
        G, N = self.saved
        Gt = _wrap(G)
        if self.red == 0:
            return Gt * (gy if self.squeeze else gy.reshape((-1,) + (1,) * (G.ndim - 1)))
        return Gt * (gy / float(N) if self.red == 1 else gy)


def multilabel_margin_loss(input: Tensor, target: Tensor, reduction: int = 1) -> Tensor:
    """Multi-class multi-label hinge loss; each target row lists class indices and ends at
    its first -1. Takes (C,) or (N, C) inputs."""
    x = input._data
    y = target._data
    if x.dtype.kind != 'f' or x.dtype == np.float16:
        raise NotImplementedError('"multilabel_margin_loss_forward_out_frame" not implemented '
                                  f"for '{_type_word(x.dtype)}'")
    if x.ndim > 2 or (x.ndim == 2 and x.shape[1] == 0) or (x.ndim == 1 and x.size == 0):
        raise RuntimeError('Expected non-empty vector or matrix with optional 0-dim batch '
                           f'size, but got: {list(x.shape)}')
    if y.dtype != np.int64:
        raise RuntimeError(f'expected scalar type Long but found {_type_word(y.dtype)}')
    if x.ndim <= 1:
        if y.ndim > 1 or y.size != max(x.size, 1):
            raise RuntimeError(f'inconsistent target size: {list(y.shape)} for input of size: '
                               f'{list(x.shape)}')
        C = max(x.size, 1)
        y2 = y.reshape(1, C)
    else:
        if y.shape != x.shape:
            raise RuntimeError(f'inconsistent target size: {list(y.shape)} for input of size: '
                               f'{list(x.shape)}')
        C = x.shape[1]
        y2 = y
    if y2.size and (y2.min() < -1 or y2.max() >= C):
        raise RuntimeError("argument #2 'target' is out of range")
    return MultilabelMarginLoss(y2, reduction, x.ndim <= 1).apply1(input)
