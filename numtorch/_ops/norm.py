"""Normalisation layers as single ops: batch_norm, layer_norm, group_norm, instance_norm.

Each normalises groups of elements to zero mean and unit (biased) variance, then applies
an optional per-channel (per-element for layer_norm) affine map. Forward and backward
are fused: the backward uses the closed form

    gx = w * invstd * (g - mean(g) - xhat * mean(g * xhat))

over each normalised group, so a whole normalisation is one graph node.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ._op import Op
from .reduction import norm as _norm

__all__ = ['batch_norm', 'layer_norm', 'group_norm', 'instance_norm', 'rms_norm',
           'norm_except_dim', '_weight_norm']


def _csum(a3: np.ndarray) -> np.ndarray:
    """Sum of an (N, C, L) array over N and L."""
    return a3.sum(axis=2).sum(axis=0)


def _check_dtypes(x: Tensor, *params) -> None:
    xd = x._data.dtype
    for p in params:
        if p is not None and p._data.dtype != xd:
            if xd == np.float32:
                raise RuntimeError('mixed dtype (CPU): expect parameter to have scalar type of '
                                   'Float')
            raise RuntimeError('mixed dtype (CPU): all inputs must share same datatype.')


# -- batch norm ----------------------------------------------------------------------------
class BatchNorm(Op):
    """Training mode: batch statistics (and a running-stat update); evaluation mode:
    the running statistics as constants."""
    _name = 'NativeBatchNormBackward0'
    checks = (0,)

    def __init__(self, rm, rv, training: bool, momentum: float, eps: float, has_w: bool,
                 has_b: bool):
        self.rm, self.rv = rm, rv
        self.training = training
        self.momentum = momentum
        self.eps = eps
        self.has_w, self.has_b = has_w, has_b

    def forward(self, x, *wb):
        n, c = x.shape[:2]
        x3 = x.reshape(n, c, -1)
        w = wb[0] if self.has_w else None
        b = wb[-1] if self.has_b else None
        dt = x.dtype
        if self.training:
            m = x3.shape[0] * x3.shape[2]
            mean = _csum(x3) / dt.type(m)
            xc = x3 - mean[:, None]
            var = _csum(np.square(xc)) / dt.type(m)
            invstd = (1 / np.sqrt(var + dt.type(self.eps))).astype(dt)
            rm, rv = self.rm, self.rv
            if rm is not None:
                mo = self.momentum
                rm[...] = (1 - mo) * rm + mo * mean
                rv[...] = (1 - mo) * rv + mo * (var * dt.type(m / max(m - 1, 1)))
            alpha = invstd if w is None else invstd * w
            y = xc * alpha[:, None]
            self.saved = (xc, invstd, w)
        else:
            invstd = (1 / np.sqrt(self.rv + dt.type(self.eps))).astype(dt)
            alpha = invstd if w is None else invstd * w
            beta = -self.rm * alpha
            if b is not None:
                beta = beta + b
            y = x3 * alpha[:, None] + beta[:, None]
            self.saved = (x3, invstd, w)
            self.mean = self.rm.copy()
            return y.reshape(x.shape)
        if b is not None:
            y += b[:, None]
        return y.reshape(x.shape)

    def backward(self, gy):
        xin, invstd, w = self.saved
        g = gy.reshape(xin.shape)
        needs = self.needs
        gx = gw = gb = None
        gsum = _csum(g)
        xc = xin if self.training else xin - self.mean[:, None]
        # sum(g * xhat) = invstd * sum(g * (x - mean))
        gxc = _csum(g * xc)
        k = self.has_w
        if (k and needs[1]) or (self.has_b and needs[-1]):
            if k and needs[1]:
                gw = gxc * invstd
            if self.has_b and needs[-1]:
                gb = gsum
        if needs[0]:
            scale = invstd if w is None else invstd * w
            if self.training:
                m = g.shape[0] * g.shape[2]
                # NOTE: gx = scale * (g - mean(g) - xc * invstd^2 * mean(g * xc)); the
                # per-channel constants are folded so the big arrays see three passes.
                k2 = -scale * invstd * invstd * gxc / m
                k3 = -scale * gsum / m
                gx = g * scale[:, None]
                gx += xc * k2[:, None]
                gx += k3[:, None]
            else:
                gx = g * scale[:, None]
            gx = gx.reshape(gy.shape)
        out = [gx]
        if self.has_w:
            out.append(gw)
        if self.has_b:
            out.append(gb)
        return tuple(out) if len(out) > 1 else gx

    def backward_t(self, gy):
        x = self.inputs[0]
        n, c = x.shape[:2]
        x3, g = x.reshape(n, c, -1), gy.reshape(n, c, -1)
        w = self.inputs[1].reshape(1, c, 1) if self.has_w else None
        if self.training:
            gx, xhat = _normalized_grads_t(x3, g, (0, 2), self.eps, w)
        else:  # (the running statistics are constants)
            invstd = _wrap(self.saved[1].reshape(1, c, 1))
            xhat = (x3 - _wrap(self.mean.reshape(1, c, 1))) * invstd
            gx = (g if w is None else g * w) * invstd
        return _affine_outputs(self, gx.reshape(gy.shape), lambda: (g * xhat).sum((0, 2)),
                               lambda: g.sum((0, 2)))


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalises each channel (dim 1) over the batch and spatial dims. In training the
    batch statistics are used and the running ones (if given) move towards them by
    ``momentum`` (the variance unbiased); in evaluation the running ones are used."""
    if momentum is None:
        raise TypeError("batch_norm(): argument 'momentum' (position 7) must be float, not "
                        'NoneType')
    shape = input._data.shape
    c = shape[1] if len(shape) > 1 else 0
    if training:
        size = shape[0] if shape else 1
        for s in shape[2:]:
            size *= s
        if size == 1:
            raise ValueError(f'Expected more than 1 value per channel when training, got input '
                             f'size torch.Size({list(shape)})')
    elif running_mean is None:
        raise RuntimeError('running_mean must be defined in evaluation mode')
    for name, t in (('running_mean', running_mean), ('running_var', running_var),
                    ('weight', weight), ('bias', bias)):
        if t is not None and t._data.size != c:
            raise RuntimeError(f'{name} should contain {c} elements not {t._data.size}')
    _check_dtypes(input, running_mean, running_var, weight, bias)
    rm = None if running_mean is None else running_mean._data
    rv = None if running_var is None else running_var._data
    op = BatchNorm(rm, rv, training, momentum, eps, weight is not None, bias is not None)
    ts = [input]
    if weight is not None:
        ts.append(weight)
    if bias is not None:
        ts.append(bias)
    return op.apply(*ts) if len(ts) > 1 else op.apply1(input)


# -- row normalisation shared by layer_norm / group_norm / instance_norm --------------------
def _row_stats(x2: np.ndarray, eps: float):
    """Per-row centred values and 1/std of a (R, L) array."""
    dt = x2.dtype
    n = x2.shape[1]
    mean = x2.sum(axis=1) / dt.type(n)
    xc = x2 - mean[:, None]
    var = np.square(xc).sum(axis=1) / dt.type(n)
    invstd = (1 / np.sqrt(var + dt.type(eps))).astype(dt)
    return xc, invstd


def _row_backward(gh: np.ndarray, xc: np.ndarray, invstd: np.ndarray) -> np.ndarray:
    """Input gradient of row normalisation given the gradient ``gh`` w.r.t. xhat (R, L)."""
    n = gh.shape[1]
    k2 = -invstd * invstd * invstd * (gh * xc).sum(axis=1) / n
    k3 = -invstd * gh.sum(axis=1) / n
    gx = gh * invstd[:, None]
    gx += xc * k2[:, None]
    gx += k3[:, None]
    return gx


def _normalized_grads_t(x: Tensor, g: Tensor, axes: tuple, eps: float, w: Tensor | None):
    """Double-backward form of the closed-form gradient above, in Tensor ops: x and g
    grouped so that ``axes`` are the normalised ones, w broadcastable to them. Returns
    (gx, xhat)."""
    mean = x.mean(axes, keepdim=True)
    xc = x - mean
    invstd = ((xc * xc).mean(axes, keepdim=True) + eps).rsqrt()
    xhat = xc * invstd
    gh = g if w is None else g * w
    gx = invstd * (gh - gh.mean(axes, keepdim=True)
                   - xhat * (gh * xhat).mean(axes, keepdim=True))
    return gx, xhat


def _affine_outputs(op, gx, gw, gb):
    """backward's return layout: the input gradient, then the weight's and bias's."""
    out = [gx if op.needs[0] else None]
    if op.has_w:
        out.append(gw() if op.needs[1] else None)
    if op.has_b:
        out.append(gb() if op.needs[-1] else None)
    return tuple(out) if len(out) > 1 else out[0]


class LayerNorm(Op):
    _name = 'NativeLayerNormBackward0'
    checks = (0,)

    def __init__(self, nl: int, eps: float, has_w: bool, has_b: bool):
        self.nl, self.eps, self.has_w, self.has_b = nl, eps, has_w, has_b

    def forward(self, x, *wb):
        x2 = x.reshape(-1, self.nl)
        xc, invstd = _row_stats(x2, self.eps)
        y = xc * invstd[:, None]
        w = wb[0].reshape(-1) if self.has_w else None
        if w is not None:
            y *= w
        if self.has_b:
            y += wb[-1].reshape(-1)
        self.saved = (xc, invstd, w)
        return y.reshape(x.shape)

    def backward(self, gy):
        xc, invstd, w = self.saved
        g = gy.reshape(xc.shape)
        needs = self.needs
        out = []
        gh = g if w is None else g * w
        out.append(_row_backward(gh, xc, invstd).reshape(gy.shape) if needs[0] else None)
        if self.has_w:
            out.append((g * xc * invstd[:, None]).sum(axis=0).reshape(self.wshape)
                       if needs[1] else None)
        if self.has_b:
            out.append(g.sum(axis=0).reshape(self.wshape) if needs[-1] else None)
        return tuple(out) if len(out) > 1 else out[0]

    def backward_t(self, gy):
        x = self.inputs[0]
        x2, g = x.reshape(-1, self.nl), gy.reshape(-1, self.nl)
        w = self.inputs[1].reshape(-1) if self.has_w else None
        gx, xhat = _normalized_grads_t(x2, g, (1,), self.eps, w)
        return _affine_outputs(self, gx.reshape(gy.shape),
                               lambda: (g * xhat).sum(0).reshape(self.wshape),
                               lambda: g.sum(0).reshape(self.wshape))


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalises over the trailing ``normalized_shape`` dims of each sample, then
    ``* weight + bias`` (elementwise, of shape ``normalized_shape``)."""
    if isinstance(normalized_shape, int):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple "
                        "of ints, not int")
    ns = tuple(int(s) for s in normalized_shape)
    shape = input._data.shape
    if len(ns) == 0 or len(shape) < len(ns) or shape[len(shape) - len(ns):] != ns:
        raise RuntimeError(f'Given normalized_shape={list(ns)}, expected input with shape '
                           f'[*, {", ".join(map(str, ns))}], but got input of size'
                           f'{list(shape)}')
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and tuple(t._data.shape) != ns:
            raise RuntimeError(f'Expected {name} to be of same shape as normalized_shape, but '
                               f'got {name} of shape {list(t.shape)} and normalized_shape = '
                               f'{list(ns)}')
    _check_dtypes(input, weight, bias)
    nl = 1
    for s in ns:
        nl *= s
    op = LayerNorm(nl, eps, weight is not None, bias is not None)
    op.wshape = ns
    ts = [t for t in (input, weight, bias) if t is not None]
    return op.apply(*ts) if len(ts) > 1 else op.apply1(input)


class GroupNorm(Op):
    """Normalises each (sample, group of channels) over its channels and positions;
    the affine map is per channel."""
    _name = 'NativeGroupNormBackward0'
    checks = (0,)

    def __init__(self, groups: int, eps: float, has_w: bool, has_b: bool):
        self.groups, self.eps, self.has_w, self.has_b = groups, eps, has_w, has_b

    def forward(self, x, *wb):
        n, c = x.shape[:2]
        g = self.groups
        xc, invstd = _row_stats(x.reshape(n * g, -1), self.eps)
        y = (xc * invstd[:, None]).reshape(n, c, -1)
        w = wb[0] if self.has_w else None
        if w is not None:
            y *= w[:, None]
        if self.has_b:
            y += wb[-1][:, None]
        self.saved = (xc, invstd, w)
        return y.reshape(x.shape)

    def backward(self, gy):
        xc, invstd, w = self.saved
        n, c = gy.shape[:2]
        g3 = gy.reshape(n, c, -1)
        needs = self.needs
        out = []
        if needs[0]:
            gh = g3 if w is None else g3 * w[:, None]
            out.append(_row_backward(gh.reshape(xc.shape), xc, invstd).reshape(gy.shape))
        else:
            out.append(None)
        if self.has_w:
            if needs[1]:
                xh = (xc * invstd[:, None]).reshape(n, c, -1)
                out.append(_csum(g3 * xh))
            else:
                out.append(None)
        if self.has_b:
            out.append(_csum(g3) if needs[-1] else None)
        return tuple(out) if len(out) > 1 else out[0]

    def backward_t(self, gy):
        x = self.inputs[0]
        n, c = x.shape[:2]
        rows = (n * self.groups, -1)
        g3 = gy.reshape(n, c, -1)
        w = self.inputs[1].reshape(1, c, 1).expand(g3.shape) if self.has_w else None
        gx, xhat = _normalized_grads_t(x.reshape(rows), g3.reshape(rows), (1,), self.eps,
                                       None if w is None else w.reshape(rows))
        xhat3 = xhat.reshape(n, c, -1)
        return _affine_outputs(self, gx.reshape(gy.shape), lambda: (g3 * xhat3).sum((0, 2)),
                               lambda: g3.sum((0, 2)))


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Splits the channels into ``num_groups`` groups and normalises each group of each
    sample; then a per-channel ``* weight + bias``."""
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError(f'Expected at least 2 dimensions for input tensor but received '
                           f'{len(shape)}')
    c = shape[1]
    if c % num_groups:
        raise RuntimeError(f'Expected number of channels in input to be divisible by '
                           f'num_groups, but got input of shape {list(shape)} and '
                           f'num_groups={num_groups}')
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and (t.dim() != 1 or t._data.size != c):
            raise RuntimeError(f'Expected {name} to be a vector of size equal to the number of '
                               f'channels in input, but got {name} of shape {list(t.shape)} '
                               f'and input of shape {list(shape)}')
    _check_dtypes(input, weight, bias)
    op = GroupNorm(num_groups, eps, weight is not None, bias is not None)
    ts = [t for t in (input, weight, bias) if t is not None]
    return op.apply(*ts) if len(ts) > 1 else op.apply1(input)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalises each channel of each sample over its positions. As in PyTorch this is
    batch_norm over the input viewed as one sample of N*C channels; running statistics,
    if given, move towards the batch average of the per-instance statistics."""
    shape = input._data.shape
    size = 1
    for s in shape[2:]:
        size *= s
    if use_input_stats and size == 1:
        raise ValueError(f'Expected more than 1 spatial element when training, got input size '
                         f'torch.Size({list(shape)})')
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    n, c = shape[:2]
    if running_mean is not None or running_var is not None:
        x2 = input._data.reshape(n * c, -1)
        mean = x2.mean(axis=1).reshape(n, c).mean(axis=0)
        var = x2.var(axis=1, ddof=1).reshape(n, c).mean(axis=0)
        if running_mean is not None:
            rm = running_mean._data
            rm[...] = (1 - momentum) * rm + momentum * mean
        if running_var is not None:
            rv = running_var._data
            rv[...] = (1 - momentum) * rv + momentum * var
    w = weight.repeat(n) if weight is not None else None
    b = bias.repeat(n) if bias is not None else None
    out = batch_norm(input.reshape((1, n * c) + shape[2:]), None, None, w, b, True, momentum,
                     eps)
    return out.view(shape)


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """Divides by the root mean square over the trailing ``normalized_shape`` dims (plus
    ``eps``, by default the dtype's machine epsilon), then ``* weight``. Composed of
    tensor ops, as PyTorch composes it (so its graph is theirs: pow, mean, rsqrt, mul);
    half-precision inputs are normalised in float32."""
    ns = (int(normalized_shape),) if isinstance(normalized_shape, int) else tuple(
        int(s) for s in normalized_shape)
    shape = tuple(input._data.shape)
    if len(shape) < len(ns) or shape[len(shape) - len(ns):] != ns:
        raise RuntimeError(f'Given normalized_shape={list(ns)}, expected input with shape '
                           f'[*{", ".join(map(str, ns))}], but got input of size{list(shape)}')
    if weight is not None and tuple(weight._data.shape) != ns:
        raise RuntimeError(f'Expected weight to be of same shape as normalized_shape, but got '
                           f'weight of shape {list(weight.shape)} and normalized_shape = '
                           f'{list(ns)}')
    x = input if input._data.dtype.itemsize >= 4 else input.float()
    if eps is None:
        eps = float(np.finfo(x._data.dtype).eps)
    dims = tuple(range(-len(ns), 0))
    out = x * (x.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out if x is input else out.type_as(input)


# -- weight norm -----------------------------------------------------------------------------
def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of ``v`` over every dim but ``dim``, shaped to broadcast against
    ``v`` (size 1 except along ``dim``); ``dim=-1`` takes the norm of the whole tensor.
    Composed of view/transpose and at::norm's nodes as PyTorch composes it."""
    if dim == -1:
        return _norm(v, pow, _node='NormBackward0')
    last = v.dim() - 1
    if dim == 0:
        flat = _norm(v.contiguous().view(v.shape[0], -1), pow, 1, _node='NormBackward1')
        return flat.view((v.shape[0],) + (1,) * last)
    if dim == last:
        flat = _norm(v.contiguous().view(-1, v.shape[last]), pow, 0, _node='NormBackward1')
        return flat.view((1,) * last + (v.shape[last],))
    return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)


class WeightNorm(Op):
    """w = v * (g / ||v||), the norm taken over every dim but ``dim`` (the first or last)."""
    _name = 'WeightNormInterfaceBackward0'

    def __init__(self, dim: int):
        self.dim = dim

    def forward(self, v, g):
        axes = tuple(a for a in range(v.ndim) if a != self.dim)
        n = np.sqrt(np.square(v).sum(axes, keepdims=True))
        w = v * (g.reshape(n.shape) / n)
        self.saved = (v, g, n, axes)
        return w

    def backward(self, gw):
        v, g, n, axes = self.saved
        gr = g.reshape(n.shape)
        # with d = sum(gw * v) over the normed dims: dw/dg gives d / n, and the
        # projection of gw off v (scaled by g / n) is the gradient of v.
        d = (gw * v).sum(axes, keepdims=True)
        gv = gr / n * (gw - v * (d / (n * n))) if self.needs[0] else None
        gg = (d / n).reshape(g.shape) if self.needs[1] else None
        return gv, gg

    def backward_t(self, gw):
        v, g = self.inputs
        axes = tuple(a for a in range(v.dim()) if a != self.dim)

        def total(t):  # (an empty dim list would sum everything)
            return t.sum(axes, keepdim=True) if axes else t
        n = total(v.square()).sqrt()
        d = total(gw * v)
        gr = g.reshape(n.shape)
        return gr / n * (gw - v * (d / (n * n))), (d / n).reshape(g.shape)


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """``v * (g / norm_except_dim(v, 2, dim))``: one fused node when ``dim`` is literally
    the first or last dim (as PyTorch picks its kernel), composed of tensor ops otherwise."""
    if v.dim() and dim in (0, v.dim() - 1):
        return WeightNorm(dim).apply2(v, g)
    return v * (g / norm_except_dim(v, 2, dim))
