"""``torch.nn.functional``: the functional form of every layer and loss.

The ops themselves live in ``numtorch/_ops/`` (one definition each); what is here
adapts them to nn.functional's signatures (``inplace=``, ``reduction=``, the implicit
softmax dim). Other op families add their functions with the imports at the end.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor, _wrap, _inplace
from .._ops import unary as _un
from .._ops import reduction as _red
from .._ops import activation as _act
from .._ops.linalg import linear, bilinear
from .._ops.unary import sigmoid, tanh
from .._ops import loss as _loss
from .._ops.arithmetic import xlogy as _xlogy, where as _where
from .._ops.creation import zeros_like as _zeros_like, ones_like as _ones_like
from .._ops.arithmetic import minimum as _minimum


# -- activations ----------------------------------------------------------------------
def _inplace_as(name: str, input: Tensor, fn, *args) -> Tensor:
    """Runs ``fn`` in place; where PyTorch's in-place kernel has its own grad_fn name
    (e.g. LeakyReluBackward1), the recorded node takes it."""
    before = input.grad_fn
    _inplace(input, fn, *args)
    node = input.grad_fn
    if node is not None and node is not before and node._name.endswith('Backward0'):
        node._name = name
    return input


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``."""
    if inplace:
        return _inplace(input, _un.relu)
    return _un.relu(input)


def relu_(input: Tensor) -> Tensor:
    return _inplace(input, _un.relu)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)``."""
    if inplace:
        return _inplace(input, _act.relu6)
    return _act.relu6(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    if inplace:
        return _inplace_as('LeakyReluBackward1', input, _act.leaky_relu, negative_slope)
    return _act.leaky_relu(input, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return _inplace_as('LeakyReluBackward1', input, _act.leaky_relu, negative_slope)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: in training each negative element's slope is drawn from
    U(lower, upper); in evaluation the slope is their mean."""
    if inplace:
        return _inplace_as('RreluWithNoiseBackward1', input, _act.rrelu, lower, upper,
                           training)
    return _act.rrelu(input, lower, upper, training)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    return _inplace_as('RreluWithNoiseBackward1', input, _act.rrelu, lower, upper, training)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    if inplace:
        return _inplace_as('EluBackward1', input, _act.elu, alpha)
    return _act.elu(input, alpha)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return _inplace_as('EluBackward1', input, _act.elu, alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """Scaled ELU with the self-normalising constants."""
    if inplace:
        return _inplace_as('EluBackward1', input, _act.selu)
    return _act.selu(input)


def selu_(input: Tensor) -> Tensor:
    return _inplace_as('EluBackward1', input, _act.selu)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if inplace:
        return _inplace_as('CeluBackward1', input, _act.celu, alpha)
    return _act.celu(input, alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return _inplace_as('CeluBackward1', input, _act.celu, alpha)


def gelu(input: Tensor, approximate: str = 'none') -> Tensor:
    """Gaussian error linear unit, exact or with the tanh approximation."""
    return _act.gelu(input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)``."""
    if inplace:
        return _inplace(input, _act.silu)
    return _act.silu(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``."""
    if inplace:
        return _inplace(input, _act.mish)
    return _act.mish(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta`` (linear above ``threshold``)."""
    return _act.softplus(input, beta, threshold)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """``x`` clipped to ``[min_val, max_val]``."""
    if inplace:
        return _inplace(input, _act.hardtanh, min_val, max_val)
    return _act.hardtanh(input, min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return _inplace(input, _act.hardtanh, min_val, max_val)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``clip(x / 6 + 1/2, 0, 1)``."""
    if inplace:
        return _inplace(input, _act.hardsigmoid)
    return _act.hardsigmoid(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * clip(x + 3, 0, 6) / 6``."""
    if inplace:
        return _inplace(input, _act.hardswish)
    return _act.hardswish(input)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x))``."""
    return _act.logsigmoid(input)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``."""
    if inplace:
        return _inplace_as('ThresholdBackward1', input, _act.threshold, threshold, value)
    return _act.threshold(input, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return _inplace_as('ThresholdBackward1', input, _act.threshold, threshold, value)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Leaky ReLU with learnable slopes."""
    return _act.prelu(input, weight)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0."""
    return _act.hardshrink(input, lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """Shrinks ``x`` towards 0 by ``lambd`` (0 inside ``[-lambd, lambd]``)."""
    return _act.softshrink(input, lambd)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``."""
    return input - input.tanh()


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``."""
    return input / (input.abs() + 1)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit over ``dim``."""
    return _act.glu(input, dim)


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(f'Implicit dimension choice for {name} has been deprecated. Change the call '
                  'to include dim=X as an argument.', stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim`` (implicit dim: deprecated, with a warning)."""
    if dim is None:
        dim = _softmax_dim('softmax', input.dim(), _stacklevel)
    return _red.softmax(input, dim, dtype=dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """``softmax(-x)`` along ``dim``."""
    if dim is None:
        dim = _softmax_dim('softmin', input.dim(), _stacklevel)
    return _red.softmax(-input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype=None) -> Tensor:
    """``log(softmax(x))`` along ``dim``, computed stably."""
    if dim is None:
        dim = _softmax_dim('log_softmax', input.dim(), _stacklevel)
    return _red.log_softmax(input, dim, dtype=dtype)


# -- distances and encodings -------------------------------------------------------
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim``."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    from .._tensor import _write_out
    return _write_out(input / denom, out)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (int64) to one-hot rows of length ``num_classes`` (int64)."""
    a = tensor._data
    if a.dtype != np.int64:
        raise RuntimeError('one_hot is only applicable to index tensor of type LongTensor.')
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError('Can not infer total number of classes from empty tensor.')
        num_classes = int(a.max()) + 1
    if a.size:
        if a.min() < 0:
            raise RuntimeError('Class values must be non-negative.')
        if a.max() >= num_classes:
            raise RuntimeError('Class values must be smaller than num_classes.')
    out = np.zeros(a.shape + (num_classes,), np.int64)
    np.put_along_axis(out, a[..., None], 1, axis=-1)
    return _wrap(out)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """A sample from the Gumbel-softmax distribution: softmax((logits + g) / tau) with Gumbel
    noise g; with ``hard``, the one-hot of its argmax in the forward pass and the soft
    sample's gradient in the backward one."""
    if eps != 1e-10:
        warnings.warn('`eps` parameter is deprecated and has no effect.', stacklevel=2)
    from .._ops.creation import empty_like
    gumbels = -empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Divides each element by (k + alpha * mean of the squares over ``size`` neighbouring
    channels) ** beta (AlexNet's normalisation across channels)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f'Expected 3D or higher dimensionality                          '
                         f'input (got {dim} dimensions)')
    if input.numel() == 0:
        return input
    sizes = input.shape
    div = input.mul(input).reshape(sizes[0], 1, sizes[1], -1)
    # (the window mean over channels: PyTorch's avg_pool3d over (N, 1, C, H, W) is this
    # avg_pool2d with the positions flattened)
    div = pad(div, (0, 0, size // 2, (size - 1) // 2))
    div = avg_pool2d(div, (size, 1), stride=1).reshape(sizes)
    return input / div.mul(alpha).add(k).pow(beta)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``."""
    from .._ops.shape import broadcast_tensors
    from ..autograd.grad_mode import no_grad
    a, b = broadcast_tensors(x1, x2)
    # NOTE: as PyTorch, the norms are clamped in place under no_grad, so the gradient
    # flows through the unclamped norm.
    na = a.norm(2, dim, keepdim=True).clone()
    nb = b.norm(2, dim, keepdim=True).clone()
    with no_grad():
        na.clamp_(min=eps)
        nb.clamp_(min=eps)
    return ((a / na) * (b / nb)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dimension."""
    last = max(x1.dim(), x2.dim()) - 1
    return _red.norm(x1 - x2 + eps, p, last, keepdim, _node='NormBackward1')


# -- losses ---------------------------------------------------------------------------
def _reduction(size_average, reduce, reduction: str) -> int:
    """The reduction as 0/1/2, honouring the deprecated ``size_average``/``reduce`` pair."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    return _loss.reduction_enum(reduction)


def _legacy_reduction(size_average, reduce, emit_warning: bool = True) -> str:
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    r = 'mean' if size_average and reduce else ('sum' if reduce else 'none')
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{r}' instead.", stacklevel=3)
    return r


def _reduce_composite(loss: Tensor, red: int) -> Tensor:
    """Reduces a loss built from Tensor ops: as is (0), its mean (1) or its sum (2)."""
    if red == 0:
        return loss
    return loss.mean() if red == 1 else loss.sum()


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = 'mean', label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy of logits ``input`` (N, C, ...) against class indices (N, ...) or
    class probabilities (shaped like ``input``); one fused log_softmax + nll op."""
    return _loss.cross_entropy(input, target, weight, ignore_index,
                               _reduction(size_average, reduce, reduction), label_smoothing)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = 'mean') -> Tensor:
    """Negative log likelihood of class indices; ``input`` holds log-probabilities."""
    return _loss.nll_loss(input, target, weight, ignore_index,
                          _reduction(size_average, reduce, reduction))


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = 'mean', weight: Tensor | None = None) -> Tensor:
    """Squared error ``(x - t)^2``, reduced."""
    if weight is not None:
        raise NotImplementedError('mse_loss(weight=...) is not supported by numtorch')
    return _loss.mse_loss(input, target, _reduction(size_average, reduce, reduction))


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = 'mean', weight: Tensor | None = None) -> Tensor:
    """Absolute error ``|x - t|``, reduced."""
    if weight is not None:
        raise NotImplementedError('l1_loss(weight=...) is not supported by numtorch')
    return _loss.l1_loss(input, target, _reduction(size_average, reduce, reduction))


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = 'mean', beta: float = 1.0) -> Tensor:
    """Squared error below ``beta`` (divided by beta), absolute error above."""
    return _loss.smooth_l1_loss(input, target, _reduction(size_average, reduce, reduction),
                                beta)


def huber_loss(input: Tensor, target: Tensor, reduction: str = 'mean', delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """Squared error below ``delta``, ``delta``-scaled absolute error above."""
    if weight is not None:
        raise NotImplementedError('huber_loss(weight=...) is not supported by numtorch')
    return _loss.huber_loss(input, target, _loss.reduction_enum(reduction), delta)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = 'mean') -> Tensor:
    """Binary cross entropy of probabilities ``input`` against ``target``."""
    return _loss.binary_cross_entropy(input, target, weight,
                                      _reduction(size_average, reduce, reduction))


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, size_average=None,
                                     reduce=None, reduction: str = 'mean',
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid and binary cross entropy in one numerically stable op."""
    return _loss.binary_cross_entropy_with_logits(
        input, target, weight, _reduction(size_average, reduce, reduction), pos_weight)


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = 'mean', log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence of ``target`` from log-probabilities ``input``;
    'batchmean' divides the sum by the batch size (the mathematical KL)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction == 'mean':
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    red = 2 if reduction == 'batchmean' else _loss.reduction_enum(reduction)
    if log_target:
        point = target.exp() * (target - input)
    else:
        point = _xlogy(target, target) - target * input
    out = _reduce_composite(point, red)
    if reduction == 'batchmean' and input.dim() != 0:
        out = out / input.size(0)
    return out


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor,
                          margin: float = 0.0, size_average=None, reduce=None,
                          reduction: str = 'mean') -> Tensor:
    """``1 - cos(x1, x2)`` where target is 1, ``max(0, cos(x1, x2) - margin)`` where -1."""
    red = _reduction(size_average, reduce, reduction)
    td = target.dim()
    if td not in (0, 1):
        raise RuntimeError('0D or 1D target tensor expected, multi-target not supported')
    if td == 1 and (input1.dim() != 2 or input2.dim() != 2):
        raise RuntimeError(f'1D target tensor expects 2D input tensors, but found inputs with '
                           f'sizes {list(input1.shape)} and {list(input2.shape)}.')
    if td == 0 and (input1.dim() != 1 or input2.dim() != 1):
        raise RuntimeError(f'0D target tensor expects 1D input tensors, but found inputs with '
                           f'sizes {list(input1.shape)} and {list(input2.shape)}.')
    eps = 1e-12
    prod = (input1 * input2).sum(td)
    mag1 = (input1 * input1).sum(td) + eps
    mag2 = (input2 * input2).sum(td) + eps
    cos = prod / (mag1 * mag2).sqrt()
    zeros = _zeros_like(cos)
    pos = 1 - cos
    neg = (cos - margin).clamp_min(0)
    out = _where(target == 1, pos, zeros) + _where(target == -1, neg, zeros)
    return _reduce_composite(out, red)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average=None, reduce=None, reduction: str = 'mean') -> Tensor:
    """``max(0, -y * (x1 - x2) + margin)``: ranks x1 above x2 where y = 1, below where -1."""
    red = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f'margin_ranking_loss : All input tensors should have same dimension '
                           f'but got sizes: input1: {input1.size()}, input2: {input2.size()}, '
                           f'target: {target.size()} ')
    return _reduce_composite((-target * (input1 - input2) + margin).clamp_min(0), red)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average=None, reduce=None, reduction: str = 'mean') -> Tensor:
    """``x`` where y = 1, ``max(0, margin - x)`` where y = -1 (x: a distance)."""
    red = _reduction(size_average, reduce, reduction)
    zeros = _zeros_like(input)
    out = (_where(target != 1, (margin - input).clamp_min(0), zeros)
           + _where(target != -1, input, zeros))
    return _reduce_composite(out, red)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = 'mean') -> Tensor:
    """Two-class logistic loss ``log(1 + exp(-y * x))``."""
    red = _reduction(size_average, reduce, reduction)
    return _reduce_composite((-input * target).exp().log1p(), red)


def _triplet(anchor: Tensor, positive: Tensor, negative: Tensor, distance, margin: float,
             swap: bool, red: int) -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))``, d(a, n) replaced by d(p, n) where smaller
    with ``swap``."""
    if margin <= 0:
        raise ValueError(f'margin must be greater than 0, got {margin}')
    a, po, ne = anchor.dim(), positive.dim(), negative.dim()
    if not (a == po == ne):
        raise RuntimeError(f'The anchor, positive, and negative tensors are expected to have '
                           f'the same number of dimensions, but got: anchor {a}D, positive '
                           f'{po}D, and negative {ne}D inputs')
    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = _minimum(d_neg, distance(positive, negative))
    return _reduce_composite((margin + d_pos - d_neg).clamp_min(0), red)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6, swap: bool = False,
                        size_average=None, reduce=None, reduction: str = 'mean') -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with the pairwise p-norm distance ``d``."""
    red = _reduction(size_average, reduce, reduction)
    return _triplet(anchor, positive, negative,
                    lambda x, y: pairwise_distance(x, y, p, eps), margin, swap, red)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = 'mean') -> Tensor:
    """The triplet margin loss with any ``distance_function`` (pairwise_distance by
    default)."""
    if reduction not in ('mean', 'sum', 'none'):
        raise ValueError(f'{reduction} is not a valid value for reduction')
    red = _reduction(None, None, reduction)
    return _triplet(anchor, positive, negative, distance_function or pairwise_distance,
                    margin, swap, red)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = 'mean') -> Tensor:
    """Negative log likelihood of ``target`` under Poisson(rate), the rate given as its log
    (``log_input``) or directly; ``full`` adds the Stirling term."""
    red = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + (target * (2 * np.pi)).log() * 0.5
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce_composite(loss, red)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False,
                      eps: float = 1e-6, reduction: str = 'mean') -> Tensor:
    """Negative log likelihood of ``target`` under N(input, var) (var clamped at eps)."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError('var has negative entry/entries')
        var = var * _ones_like(input)
    elif bool((var < 0).any()):
        raise ValueError('var has negative entry/entries')
    if var.size() != input.size():
        if input.size()[:-1] == var.size():
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(
                y for x, y in zip(input.size(), var.size()) if x != y) == 1:
            pass
        else:
            raise ValueError('var is of incorrect size')
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + ' is not valid')
    var = var.clone()
    from ..autograd.grad_mode import no_grad
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * float(np.log(2 * np.pi))
    return _reduce_composite(loss, _loss.reduction_enum(reduction))


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None,
                                reduction: str = 'mean') -> Tensor:
    """Per-class logistic loss averaged over the classes (last dim)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(class_dim) / input.size(class_dim)
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + ' is not valid')
    return _reduce_composite(loss, _loss.reduction_enum(reduction))


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average=None, reduce=None,
                      reduction: str = 'mean') -> Tensor:
    """Multi-class hinge loss: ``sum_{i != y} max(0, margin - x[y] + x[i])^p / C``."""
    red = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError('only p == 1 and p == 2 supported')
    if weight is not None and weight.dim() != 1:
        raise ValueError('weight must be one-dimensional')
    x = input if input.dim() == 2 else input.reshape(1, -1)
    t = target.reshape(-1)
    C = x.shape[1]
    td = t._data
    if td.size and (td.min() < 0 or td.max() >= C):
        raise RuntimeError('target out of range')
    z = (margin - x.gather(1, t.unsqueeze(1)) + x).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[t].unsqueeze(1)
    not_target = np.ones(x._data.shape, bool)
    not_target[np.arange(td.size), td] = False
    loss = (z * _wrap(not_target.astype(x._data.dtype))).sum(1) / C
    if input.dim() != 2 and red == 0:
        loss = loss.reshape(())
    return _reduce_composite(loss, red)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = 'mean') -> Tensor:
    """Multi-label hinge loss against -1-terminated lists of target classes."""
    return _loss.multilabel_margin_loss(input, target, _reduction(size_average, reduce, reduction))


# -- other op families (one import line each) ------------------------------------------
from .._ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d, unfold, fold
from .._ops.pool import (max_pool1d, max_pool2d, max_pool1d_with_indices,
                         max_pool2d_with_indices, avg_pool1d, avg_pool2d, adaptive_avg_pool1d,
                         adaptive_avg_pool2d, adaptive_max_pool1d, adaptive_max_pool2d,
                         adaptive_max_pool1d_with_indices, adaptive_max_pool2d_with_indices,
                         lp_pool1d, lp_pool2d, max_unpool1d, max_unpool2d)
from .._ops.conv3d import conv3d, conv_transpose3d
from .._ops.pool3d import (max_pool3d, max_pool3d_with_indices, avg_pool3d, adaptive_avg_pool3d,
                           adaptive_max_pool3d, adaptive_max_pool3d_with_indices, lp_pool3d,
                           max_unpool3d)
from .._ops.norm import batch_norm, layer_norm, group_norm, instance_norm, rms_norm
from .._ops.dropout import (dropout, dropout1d, dropout2d, dropout3d, alpha_dropout,
                            feature_alpha_dropout)
from .._ops.embedding import embedding, embedding_bag
from .._ops.attention import scaled_dot_product_attention, multi_head_attention_forward
from .._ops.sampling import affine_grid, grid_sample
from .._ops.padding import pad
from .._ops.interpolate import (interpolate, upsample, upsample_nearest, upsample_bilinear,
                                pixel_shuffle, pixel_unshuffle)
from .._ops.channelshuffle import channel_shuffle, native_channel_shuffle
from .._ops.loss import ctc_loss
from .._ops.fractional_pool import fractional_max_pool2d, fractional_max_pool2d_with_indices
from .._ops.fractional_pool import fractional_max_pool3d, fractional_max_pool3d_with_indices
from . import grad
from .._ops.aten_functional import conv_tbc
