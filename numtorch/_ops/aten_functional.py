"""PyTorch's top-level functional ops (``torch.batch_norm``, ``torch.embedding``,
``torch.convolution``, ``torch.kl_div``, ...) with their ATen signatures.

These differ from ``nn.functional``'s: arguments in ATen's order (``torch.embedding(weight,
indices)``, ``torch.batch_norm(input, weight, bias, running_mean, ...)``), integer
reductions (0 none, 1 mean, 2 sum; the Python binding's default is 0, i.e. unreduced),
integer grid-sampler modes, and multi-output ``native_*`` forms. Each one delegates to the
op that defines it (norm.py, embedding.py, conv.py, ...); nothing is computed twice except
the ``native_*`` statistics outputs, read off the same formulas the ops use. ``conv_tbc``,
an op of its own in PyTorch (its time-major layout and signed pad), is defined here.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap, _warn_once
from . import norm as _norm
from . import embedding as _emb
from . import activation as _act
from . import dropout as _do
from . import conv as _conv
from . import pool as _pool
from . import sampling as _smp
from . import loss as _loss
from .padding import pad as _pad
from .reduction import norm as _vnorm
from ._op import Op
from .shape import stack
from .random import _bernoulli_like

__all__ = ['batch_norm', 'native_batch_norm', 'layer_norm', 'native_layer_norm', 'group_norm',
           'native_group_norm', 'instance_norm', 'embedding', 'embedding_bag', 'selu', 'celu',
           'prelu', 'rrelu', 'threshold', 'hardshrink', 'kl_div', 'cosine_embedding_loss',
           'hinge_embedding_loss', 'margin_ranking_loss', 'triplet_margin_loss',
           'poisson_nll_loss', 'binary_cross_entropy_with_logits', 'native_dropout',
           'feature_dropout', 'constant_pad_nd', 'convolution', 'conv_tbc',
           'adaptive_max_pool1d', 'max_pool1d_with_indices', 'grid_sampler', 'grid_sampler_2d',
           'affine_grid_generator', 'frobenius_norm', 'nuclear_norm', 'chain_matmul', 'ctc_loss']

_REDUCTIONS = {0: 'none', 1: 'mean', 2: 'sum'}


def _reduction(fn: str, reduction) -> str:
    """ATen's integer reduction as nn.functional's name (values other than 1, 2: none)."""
    if type(reduction) is not int:
        raise TypeError(f"{fn}(): argument 'reduction' must be int, not "
                        f'{type(reduction).__name__}')
    return _REDUCTIONS.get(reduction, 'none')


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == 'none':
        return loss
    return loss.mean() if reduction == 'mean' else loss.sum()


def _F():
    # nn.functional imports the ops package; reached lazily to keep import order free.
    from ..nn import functional
    return functional


# -- normalisation ----------------------------------------------------------------------
def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
               running_mean: Tensor | None, running_var: Tensor | None, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool) -> Tensor:
    """Batch normalisation in ATen's argument order (see nn.functional.batch_norm)."""
    return _norm.batch_norm(input, running_mean, running_var, weight, bias, training,
                            momentum, eps)


def native_batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                      running_mean: Tensor | None, running_var: Tensor | None, training: bool,
                      momentum: float, eps: float) -> tuple:
    """``(output, save_mean, save_invstd)``: the batch statistics per channel in training,
    empty tensors in evaluation (neither is differentiable, as in PyTorch)."""
    out = _norm.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                           eps)
    x = input._data
    if not training:
        empty = np.empty((0,), x.dtype)
        return out, _wrap(empty), _wrap(empty.copy())
    n, c = x.shape[:2]
    x3 = x.reshape(n, c, -1)
    m = x3.shape[0] * x3.shape[2]
    mean = _norm._csum(x3) / x.dtype.type(m)
    var = _norm._csum(np.square(x3 - mean[:, None])) / x.dtype.type(m)
    invstd = (1 / np.sqrt(var + x.dtype.type(eps))).astype(x.dtype)
    return out, _wrap(mean), _wrap(invstd)


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enable: bool = True) -> Tensor:
    """Layer normalisation over the trailing ``normalized_shape`` dims."""
    return _norm.layer_norm(input, normalized_shape, weight, bias, eps)


def _row_mean_rstd(x2: np.ndarray, eps: float):
    """Per-row mean and 1/std of a (R, L) array, as norm._row_stats computes them."""
    xc, rstd = _norm._row_stats(x2, eps)
    mean = x2.sum(axis=1) / x2.dtype.type(x2.shape[1])
    return mean, rstd


def native_layer_norm(input: Tensor, normalized_shape, weight: Tensor | None,
                      bias: Tensor | None, eps: float) -> tuple:
    """``(output, mean, rstd)``, the statistics shaped like the input with the normalised
    dims kept as size 1 (not differentiable)."""
    out = _norm.layer_norm(input, normalized_shape, weight, bias, eps)
    x = input._data
    k = len(tuple(normalized_shape))
    lead = x.shape[:x.ndim - k]
    mean, rstd = _row_mean_rstd(x.reshape(int(np.prod(lead, dtype=np.int64)), -1), eps)
    shape = lead + (1,) * k
    return out, _wrap(mean.reshape(shape)), _wrap(rstd.reshape(shape))


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5,
               cudnn_enabled: bool = True) -> Tensor:
    """Group normalisation (see nn.functional.group_norm)."""
    return _norm.group_norm(input, num_groups, weight, bias, eps)


def native_group_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, N: int,
                      C: int, HxW: int, group: int, eps: float) -> tuple:
    """``(output, mean, rstd)`` with statistics of shape (N, group). NOTE: PyTorch also
    differentiates through mean and rstd; here they are constants."""
    x = input._data
    if x.size != N * C * HxW:
        raise RuntimeError(f'Expected input to have {N * C * HxW} elements, but got '
                           f'{x.size} elements')
    if x.ndim < 2 or x.shape[0] != N or x.shape[1] != C:
        raise RuntimeError(f'Expected input of shape [{N}, {C}, *], got {list(x.shape)}')
    out = _norm.group_norm(input, group, weight, bias, eps)
    mean, rstd = _row_mean_rstd(x.reshape(N * group, -1), eps)
    return out, _wrap(mean.reshape(N, group)), _wrap(rstd.reshape(N, group))


def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                  running_mean: Tensor | None, running_var: Tensor | None,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool) -> Tensor:
    """Instance normalisation in ATen's argument order."""
    return _norm.instance_norm(input, running_mean, running_var, weight, bias,
                               use_input_stats, momentum, eps)


# -- embeddings -------------------------------------------------------------------------
def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` at ``indices`` (note ATen's order: weight first). A negative
    ``padding_idx`` means none."""
    return _emb.embedding(indices, weight, None if padding_idx < 0 else padding_idx,
                          None, 2.0, scale_grad_by_freq, sparse)


_BAG_MODES = ('sum', 'mean', 'max')


def embedding_bag(weight: Tensor, indices: Tensor, offsets: Tensor,
                  scale_grad_by_freq: bool = False, mode: int = 0, sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> tuple:
    """``(output, offset2bag, bag_size, max_indices)`` as ATen returns them: mode 0 sum,
    1 mean, 2 max; offset2bag is the bag of each index (empty for a sum needing no
    gradient), bag_size the non-padding count per bag (zeros for sum), max_indices the
    winning row per bag and feature for max (bag_size for mean, zeros for sum)."""
    if mode not in (0, 1, 2):
        raise RuntimeError(f'Unknown mode for embedding_bag_backward with mode = {mode}')
    out = _emb.embedding_bag(indices, weight, offsets, None, 2, scale_grad_by_freq,
                             _BAG_MODES[mode], sparse, per_sample_weights, include_last_offset,
                             padding_idx)
    idx = indices._data.reshape(-1).astype(np.int64)
    if indices._data.ndim == 2:
        width = indices._data.shape[1]
        starts = np.arange(indices._data.shape[0], dtype=np.int64) * width
    else:
        starts = offsets._data.astype(np.int64)
    nbags = out._data.shape[0]
    n = weight._data.shape[0]
    pad = -1 if padding_idx is None else (padding_idx if padding_idx >= 0 else n + padding_idx)
    o2b = np.searchsorted(starts[:nbags], np.arange(idx.size), side='right') - 1
    o2b = np.maximum(o2b, 0).astype(np.int64)
    keep = idx != pad
    bag_size = np.bincount(o2b[keep], minlength=nbags)[:nbags].astype(np.int64)
    if mode == 0:
        # (PyTorch's fast sum path, taken when no gradient is needed, skips offset2bag)
        from .._state import state
        fast = padding_idx is None and not (state.enabled and weight.requires_grad)
        offset2bag = np.empty((0,), np.int64) if fast else o2b
        return out, _wrap(offset2bag), _wrap(np.zeros(nbags, np.int64)), \
            _wrap(np.zeros(nbags, np.int64))
    if mode == 1:
        return out, _wrap(o2b), _wrap(bag_size), _wrap(bag_size.copy())
    w = weight._data
    arg = np.zeros((nbags, w.shape[1]), np.int64)
    ends = np.append(starts[1:nbags], idx.size) if not include_last_offset else starts[1:]
    for b in range(nbags):
        rows = idx[starts[b]:ends[b]]
        rows = rows[rows != pad]
        if rows.size:
            arg[b] = rows[np.argmax(w[rows], axis=0)]
    return out, _wrap(o2b), _wrap(bag_size), _wrap(arg)


# -- activations ------------------------------------------------------------------------
def selu(input: Tensor) -> Tensor:
    return _act.selu(input)


def celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    return _act.celu(input, alpha)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    return _act.prelu(input, weight)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, generator=None) -> Tensor:
    """Randomized leaky ReLU (slopes drawn from the default generator)."""
    if generator is not None:
        raise NotImplementedError('torch.rrelu(generator=...) is not supported by numtorch')
    return _act.rrelu(input, lower, upper, training)


def threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    return _act.threshold(input, threshold, value)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    return _act.hardshrink(input, lambd)


# -- losses (integer reductions; unreduced by default, as PyTorch's Python binding) -------
def kl_div(input: Tensor, target: Tensor, reduction: int = 0, *,
           log_target: bool = False) -> Tensor:
    """Pointwise KL divergence terms, reduced by ``reduction`` (1 is the plain mean)."""
    r = _reduction('kl_div', reduction)
    return _reduce(_F().kl_div(input, target, reduction='none', log_target=log_target), r)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          reduction: int = 0) -> Tensor:
    r = _reduction('cosine_embedding_loss', reduction)
    return _F().cosine_embedding_loss(input1, input2, target, margin, reduction=r)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         reduction: int = 0) -> Tensor:
    r = _reduction('hinge_embedding_loss', reduction)
    return _F().hinge_embedding_loss(input, target, margin, reduction=r)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: int = 0) -> Tensor:
    r = _reduction('margin_ranking_loss', reduction)
    return _F().margin_ranking_loss(input1, input2, target, margin, reduction=r)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                        swap: bool = False, reduction: int = 0) -> Tensor:
    r = _reduction('triplet_margin_loss', reduction)
    return _F().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                    reduction=r)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float,
                     reduction: int) -> Tensor:
    r = _reduction('poisson_nll_loss', reduction)
    return _F().poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=r)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None,
                                     reduction: int = 0) -> Tensor:
    """The fused sigmoid + binary cross entropy (note ATen's order: pos_weight before
    reduction)."""
    r = _reduction('binary_cross_entropy_with_logits', reduction)
    return _loss.binary_cross_entropy_with_logits(input, target, weight,
                                                  _loss.reduction_enum(r), pos_weight)


# -- dropout ----------------------------------------------------------------------------
def native_dropout(input: Tensor, p: float, train: bool | None) -> tuple:
    """``(output, mask)``: in training the mask keeps each element with probability 1 - p
    (drawn as dropout draws it) and output = input * mask / (1 - p); in evaluation the
    mask is all True. ``train=None`` draws as training (its gradient is the mask alone)."""
    d = input._data
    if train is None or train:
        keep = _bernoulli_like(_wrap(np.empty(d.shape, d.dtype)), 1 - p, None)._data
        scale = d.dtype.type(0.0 if p == 1 else 1.0 / (1.0 - p))
        noise = keep * scale
        mask = keep.astype(bool)
    else:
        noise = np.ones((), d.dtype)
        mask = np.ones(d.shape, bool)
    op = _do.MulNoise(noise)
    op._name = 'NativeDropoutBackward0'
    out = op.apply1(input)
    if train is None:
        # NOTE: PyTorch's backward scales by 1 / (1 - p) only when train is given as True;
        # with train=None the gradient is masked but not scaled.
        op.noise = keep
    return out, _wrap(mask)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Dropout of whole channels (dims 0 and 1 index them) with probability ``p``."""
    _do._check_p(p)
    return _do._dropout_impl(input, p, train, False, True, False)


# -- padding, convolution, pooling --------------------------------------------------------
def constant_pad_nd(input: Tensor, pad, value: float = 0) -> Tensor:
    """Pads (or, with negative amounts, crops) the last dims by ``pad`` with ``value``."""
    return _pad(input, list(pad), 'constant', value)


def _conv_fns(nd: int):
    if nd == 3:
        from . import conv3d
        return conv3d.conv3d, conv3d.conv_transpose3d
    if nd == 2:
        return _conv.conv2d, _conv.conv_transpose2d
    if nd == 1:
        return _conv.conv1d, _conv.conv_transpose1d
    raise NotImplementedError(f'torch.convolution of {nd}-d inputs is not supported by numtorch')


def convolution(input: Tensor, weight: Tensor, bias: Tensor | None, stride, padding, dilation,
                transposed: bool, output_padding, groups: int) -> Tensor:
    """The generic ATen convolution: conv{1,2,3}d, or their transposes when ``transposed``
    (with ``output_padding``), chosen by the weight's dims."""
    conv, conv_t = _conv_fns(weight.dim() - 2)
    if transposed:
        return conv_t(input, weight, bias, stride, padding, output_padding, groups, dilation)
    if any(int(p) for p in output_padding):
        raise RuntimeError('output_padding is only supported for transposed convolutions')
    return conv(input, weight, bias, stride, padding, dilation, groups)


def _tbc(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, pad: int,
         copy: bool | None = None) -> np.ndarray:
    """``out[o] = b + sum_k x[o + k - pad] @ w[k]`` (terms outside ``x`` are zero) for
    ``o < len(x) - len(w) + 1 + 2 pad``: one GEMM per kernel tap, as PyTorch's kernel.
    A negative ``pad`` crops that many steps from each end of ``x``. ``copy=False``:
    each time slice of ``x`` must be viewable as a (t * batch, channels) matrix."""
    ilen, nb, cin = x.shape
    kw, _, cout = w.shape
    olen = ilen - kw + 1 + 2 * pad
    if olen < 0:
        raise RuntimeError(f'Trying to create tensor with negative dimension {olen}: '
                           f'[{olen}, {nb}, {cout}]')
    out = np.zeros((olen, nb, cout), x.dtype)
    if b is not None:
        out[...] = b
    half = x.dtype == np.float16
    for k in range(kw):
        i0, o0 = max(0, k - pad), max(0, pad - k)
        t = min(ilen + pad - k, olen) - o0
        if t > 0:
            if w.dtype != x.dtype:
                raise RuntimeError(f'self and mat2 must have the same dtype, but got '
                                   f'{_SCALAR[x.dtype.name]} and {_SCALAR[w.dtype.name]}')
            try:
                xk = x[i0:i0 + t].reshape(t * nb, cin, copy=copy)
            except ValueError:
                # (PyTorch's kernel views the slice; its input is not copied)
                raise RuntimeError("view size is not compatible with input tensor's size and "
                                   'stride (at least one dimension spans across two '
                                   'contiguous subspaces). Use .reshape(...) instead.') from None
            if half:
                # (each tap is one half GEMM: products summed in float, rounded once)
                o = out[o0:o0 + t]
                o[...] = o + (xk.astype(np.float32) @ w[k].astype(np.float32)).reshape(o.shape)
            else:
                out[o0:o0 + t] += (xk @ w[k]).reshape(t, nb, cout)
    return out


def _tbc_weight_grad(x, gy, kw: int, pad: int) -> list:
    """Per kernel tap ``k``: ``sum_o x[o + k - pad]^T gy[o]`` over time and batch, a
    (C_in, C_out) matrix (None for a tap that meets no input); NumPy arrays or Tensors."""
    ilen, nb, cin = x.shape
    olen, _, cout = gy.shape
    taps = []
    for k in range(kw):
        i0, o0 = max(0, k - pad), max(0, pad - k)
        t = min(ilen + pad - k, olen) - o0
        taps.append(x[i0:i0 + t].reshape(t * nb, cin).T @ gy[o0:o0 + t].reshape(t * nb, cout)
                    if t > 0 else None)
    return taps


_SCALAR = {'float16': 'Half', 'float32': 'Float', 'float64': 'Double', 'int64': 'Long',
           'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool'}


class ConvTbc(Op):
    """``conv_tbc``: one node; its input gradient is a ``conv_tbc`` again and its weight
    gradient one GEMM per tap, as PyTorch's (both differentiable to any order)."""
    _name = 'ConvTbcBackward0'
    checks = (0, 1, 2)   # PyTorch saves all three (its backward takes the bias too)

    def __init__(self, pad: int, copy: bool | None = False):
        self.pad = pad
        self.copy = copy   # False: PyTorch's input view check (see _tbc)

    def forward(self, x, w, b):
        self.saved = (x, w)
        self.b_dtype = b.dtype
        return _tbc(x, w, b, self.pad, self.copy)

    def backward(self, gy):
        x, w = self.saved
        kw = w.shape[0]
        gy = np.ascontiguousarray(gy)   # (a broadcast gradient would keep GEMMs off BLAS)
        # NOTE: d/dx is a conv_tbc of gy with the taps reversed and transposed, padded by
        # kw - 1 - pad.
        gx = (_tbc(gy, w[::-1].transpose(0, 2, 1), None, kw - 1 - self.pad) if self.needs[0]
              else None)
        gw = None
        if self.needs[1]:
            f = np.float32 if x.dtype == np.float16 else x.dtype   # (half: float sums)
            taps = _tbc_weight_grad(x.astype(f, copy=False), gy.astype(f, copy=False), kw,
                                    self.pad)
            gw = np.zeros(w.shape, w.dtype)
            for k, g in enumerate(taps):
                if g is not None:
                    gw[k] = g
        gb = gy.sum((0, 1)).astype(self.b_dtype, copy=False)
        return gx, gw, gb

    def backward_t(self, gy):
        x, w, b = self.inputs
        kw = w.shape[0]
        gx = ConvTbc(kw - 1 - self.pad, None).apply(gy, w.flip(0).transpose(1, 2),
                                                    gy.new_zeros(w.shape[1]))
        taps = _tbc_weight_grad(x, gy, kw, self.pad)
        gw = (stack([gy.new_zeros(w.shape[1:]) if g is None else g for g in taps]) if kw
              else gy.new_zeros(w.shape))
        gb = gy.sum((0, 1))
        return gx, gw, gb if gb.dtype == b.dtype else gb.to(b.dtype)


def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:
    """1-D convolution in (time, batch, channel) layout: ``input`` (T, B, C_in), ``weight``
    (K, C_in, C_out), ``bias`` (C_out,); returns (T + 2 pad - K + 1, B, C_out), in
    ``input``'s dtype. ``pad`` zero steps are added at each end of the time axis (a
    negative ``pad`` removes that many)."""
    if isinstance(pad, bool) or not hasattr(pad, '__index__'):
        raise TypeError(f"conv_tbc(): argument 'pad' (position 4) must be int, not "
                        f'{type(pad).__name__}')
    if input.dim() != 3:
        raise RuntimeError('Input must have 3 dims: time, batch, in_channel')
    if weight.dim() != 3:
        raise RuntimeError('Weight tensor must have 3 dims: kernel_width, in_channels, '
                           'out_channels.')
    if bias.dim() != 1:
        raise RuntimeError('Bias must be 1-D')
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError('Input dim 2 (input channels) is not == dim 1 in the weight tensor')
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError('Bias size must equal dim 2 in the weight tensor (output channels).')
    return ConvTbc(pad.__index__()).apply(input, weight, bias)


def adaptive_max_pool1d(input: Tensor, output_size) -> tuple:
    """``(values, indices)`` of adaptive max pooling over the last dim."""
    return _pool.adaptive_max_pool1d(input, output_size, True)


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode: bool = False) -> tuple:
    """``(values, indices)`` of 1-D max pooling (an empty ``stride`` means kernel_size)."""
    if isinstance(stride, (tuple, list)) and len(stride) == 0:
        stride = None
    return _pool.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# -- sampling ---------------------------------------------------------------------------
_GRID_MODES = ('bilinear', 'nearest', 'bicubic')
_GRID_PADDINGS = ('zeros', 'border', 'reflection')


def grid_sampler(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                 align_corners: bool) -> Tensor:
    """grid_sample with ATen's integer modes: interpolation 0 bilinear, 1 nearest,
    2 bicubic; padding 0 zeros, 1 border, 2 reflection."""
    if interpolation_mode not in (0, 1, 2):
        raise RuntimeError(f'grid_sampler(): Expected interpolation_mode to be one of 0, 1, 2 '
                           f'but got {interpolation_mode}')
    if padding_mode not in (0, 1, 2):
        raise RuntimeError(f'grid_sampler(): Expected padding_mode to be one of 0, 1, 2 but '
                           f'got {padding_mode}')
    return _smp.grid_sample(input, grid, _GRID_MODES[interpolation_mode],
                            _GRID_PADDINGS[padding_mode], bool(align_corners))


def grid_sampler_2d(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                    align_corners: bool) -> Tensor:
    """grid_sampler for 4-D inputs only."""
    if input.dim() != 4:
        raise RuntimeError(f'grid_sampler(): expected 4D input and grid with same number of '
                           f'dimensions, but got input with sizes {list(input.shape)} and grid '
                           f'with sizes {list(grid.shape)}')
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def affine_grid_generator(theta: Tensor, size, align_corners: bool) -> Tensor:
    """The sampling grid of the affine maps ``theta`` for an output of ``size``."""
    return _smp.affine_grid(theta, list(size), bool(align_corners))


# -- deprecated norms and products ----------------------------------------------------------
_FROB_WARNING = ('at::frobenius_norm is deprecated and it is just left for JIT compatibility. '
                 'It will be removed in a future PyTorch release. Please use '
                 '`linalg.vector_norm(A, 2., dim, keepdim)` instead')
_NUC_WARNING = ('at::nuclear_norm is deprecated and it is just left for JIT compatibility. It '
                'will be removed in a future PyTorch release. Please use '
                "`linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead")
_CHAIN_WARNING = ('torch.chain_matmul is deprecated and will be removed in a future PyTorch '
                  'release. Use torch.linalg.multi_dot instead, which accepts a list of two or '
                  'more tensors rather than multiple parameters.')


def frobenius_norm(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """Deprecated: the 2-norm over ``dim`` (at most two dims)."""
    dims = list(dim) if isinstance(dim, (tuple, list)) else [dim]
    if len(dims) > 2:
        raise RuntimeError(f'Expected at most 2 dimensions, but got {len(dims)} dimensions '
                           f'instead.')
    _warn_once(_FROB_WARNING)
    return _vnorm(input, 2, dims if dims else None, keepdim, _node='NormBackward1')


def nuclear_norm(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Deprecated: the sum of singular values over the two dims ``dim`` (the last two
    when omitted); ``nuclear_norm(input, keepdim)`` is also accepted."""
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    _warn_once(_NUC_WARNING)
    from .matrix_norm import matrix_norm
    if dim is None:
        dim = (-2, -1)
    return matrix_norm(input, 'nuc', tuple(dim), keepdim)


def chain_matmul(*matrices: Tensor) -> Tensor:
    """Deprecated: the product of the matrices (linalg.multi_dot's order of products)."""
    _warn_once(_CHAIN_WARNING)
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError('chain_matmul(): Expected one or more matrices')
    if len(matrices) == 1:
        m = matrices[0]
        if m.dim() != 2:
            raise RuntimeError(f'Tensor dimension is {m.dim()}, expected 2 instead.')
        return m.clone()
    from .decomposition import multi_dot
    return multi_dot(list(matrices))


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths,
             blank: int = 0, reduction: int = 0, zero_infinity: bool = False) -> Tensor:
    """``torch.ctc_loss``: :func:`torch.nn.functional.ctc_loss` with the reduction given as
    ATen's integer (0 none, 1 mean, 2 sum; any other integer reduces nothing, as ATen's
    kernel does; unreduced by default, as the binding).
    """
    if isinstance(reduction, bool) or not isinstance(reduction, (int, np.integer)):
        lens = ('Tensor' if isinstance(input_lengths, Tensor) else type(input_lengths).__name__,
                'Tensor' if isinstance(target_lengths, Tensor) else type(target_lengths).__name__)
        raise TypeError(
            f'ctc_loss() received an invalid combination of arguments - got (Tensor, Tensor, '
            f'{lens[0]}, {lens[1]}, {type(blank).__name__}, {type(reduction).__name__}), but '
            'expected one of:\n'
            ' * (Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of ints '
            'target_lengths, int blank = 0, int reduction = at::Reduction::Mean, bool '
            'zero_infinity = False)\n'
            ' * (Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, '
            'int blank = 0, int reduction = at::Reduction::Mean, bool zero_infinity = False)\n')
    red = _REDUCTIONS.get(int(reduction), 'none')
    return _loss.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, red,
                          zero_infinity)
