"""numtorch: the PyTorch API on NumPy. ``import numtorch as torch``.

This module only re-exports; every definition lives in the module named for it.
"""
from __future__ import annotations

import math as _math
import warnings as _warnings

__version__ = '0.1.0'


def _ignore_float_warnings() -> None:
    """Ignores NumPy's warnings about inf and NaN results raised inside numtorch.

    PyTorch computes inf and NaN silently. NumPy warns about them (divide by zero,
    overflow, invalid value, mean of an empty slice), attributing each warning to the
    function that called it: those raised in numtorch are PyTorch's silent results, while
    the user's own NumPy code still warns -- except in reductions (np.sum, ndarray.prod,
    np.cumprod, ...), whose warnings NumPy attributes to its own Python wrappers whoever
    calls them. (A filter costs nothing until a warning is raised; np.errstate around
    every op would cost ~1 us a call.)"""
    for module in (r'numtorch\.', r'numpy\.(_core|core)\.(_methods|fromnumeric)$'):
        _warnings.filterwarnings('ignore', category=RuntimeWarning, module=module)


_ignore_float_warnings()

from ._dtype import (dtype, get_default_dtype, set_default_dtype, promote_types, can_cast,
                     finfo, iinfo, bool_ as bool, uint8, int8, int16, int32, int64, float16,
                     float32, float64)
from ._dtype import ALIASES as _ALIASES
from ._dtype import complex64, complex128, complex64 as cfloat, complex128 as cdouble
from ._device import device
from ._size import Size
from ._tensor import (Tensor, FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor,
                      ShortTensor, CharTensor, ByteTensor, BoolTensor, memory_format,
                      contiguous_format, preserve_format, channels_last, channels_last_3d)
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,
                                 is_grad_enabled, is_inference_mode_enabled)
from . import return_types
from ._threads import set_num_threads, get_num_threads
from ._ops.complex import real, imag, view_as_real, view_as_complex, complex, polar, angle
from . import _alloc  # noqa: F401  (malloc keeps freed pages between steps; see _alloc.py)
from ._ops.arithmetic import (add, sub, subtract, mul, multiply, div, divide, true_divide,
                              floor_divide, remainder, fmod, pow, rsub, maximum, minimum, fmax,
                              fmin, lerp, addcmul, addcdiv, where, atan2, arctan2, hypot, xlogy,
                              copysign, logaddexp, logaddexp2, heaviside, float_power, gcd, lcm)
from ._ops.unary import (neg, negative, abs, absolute, sign, sgn, signbit, exp, exp2, expm1,
                         log, log2, log10, log1p, sqrt, rsqrt, square, sin, cos, tan, asin, acos,
                         atan, arcsin, arccos, arctan, sinh, cosh, tanh, asinh, acosh, atanh,
                         arcsinh, arccosh, arctanh, sigmoid, logit, relu, erf, erfc, erfinv,
                         reciprocal, floor, ceil, round, trunc, fix, frac, clamp, clip,
                         clamp_min, clamp_max, clone, nan_to_num, deg2rad, rad2deg, sinc)
from ._ops.reduction import (sum, nansum, mean, nanmean, prod, max, min, amax, amin, aminmax,
                             argmax, argmin, std, var, std_mean, var_mean, norm, logsumexp, cumsum,
                             cumprod, cummax, cummin, logcumsumexp, all, any, count_nonzero,
                             median, nanmedian, mode, quantile, sort, argsort, topk, kthvalue,
                             unique, bincount, softmax, log_softmax, msort)
from ._ops.shape import (reshape, flatten, unflatten, squeeze, unsqueeze, permute, transpose,
                         swapaxes, swapdims, t, movedim, moveaxis, repeat_interleave, tile, split,
                         tensor_split, chunk, unbind, narrow, select, flip, fliplr, flipud, roll,
                         rot90, tril, triu, diagonal, diag, diag_embed, as_strided, cat, concat,
                         concatenate, stack, hstack, vstack, row_stack, dstack, column_stack,
                         broadcast_tensors, broadcast_to, broadcast_shapes, atleast_1d, atleast_2d,
                         atleast_3d, meshgrid, diff, ravel, hsplit, vsplit, dsplit, cartesian_prod,
                         combinations, block_diag, diagflat)
from ._ops.indexing import (gather, scatter, scatter_add, scatter_reduce, index_select, index_add,
                            index_fill, index_copy, index_put, masked_fill, masked_scatter,
                            masked_select, nonzero, take, take_along_dim, unravel_index)
from ._ops.special import lgamma, digamma, polygamma
from ._ops.cross import cross
from ._ops.lu import lu_unpack, triangular_solve
from ._ops.matrix_exp import matrix_exp
from ._ops.decomposition import qr_deprecated as qr
from ._ops.householder import geqrf, orgqr, ormqr
from ._lowrank import svd_lowrank, pca_lowrank
from ._ops.least_squares import pinverse, lstsq_removed as lstsq
from ._ops.least_squares import matrix_rank_removed as matrix_rank
from ._ops.statistics import cov, corrcoef, trapezoid, cumulative_trapezoid
from ._ops.linalg import (mm, matmul, bmm, dot, vdot, inner, mv, outer, ger, addmm, addmv, baddbmm,
                          addbmm, addr, einsum, det, inverse, tensordot, kron, trace, cdist,
                          dist)
from ._ops.comparison import (eq, ne, lt, le, gt, ge, greater, greater_equal, less, less_equal,
                              not_equal, equal, isclose, allclose, isnan, isinf, isposinf,
                              isneginf, isfinite, isreal, logical_and, logical_or, logical_xor,
                              logical_not, bitwise_and, bitwise_or, bitwise_xor, bitwise_not,
                              bitwise_left_shift, bitwise_right_shift, isin, searchsorted,
                              bucketize)
from ._ops.creation import (tensor, as_tensor, asarray, from_numpy, frombuffer, zeros, ones,
                            full, empty, empty_strided, zeros_like, ones_like, full_like,
                            empty_like, arange, range, linspace, logspace, eye, tril_indices,
                            triu_indices, scalar_tensor)
from ._ops.random import (Generator, default_generator, manual_seed, seed, initial_seed,
                          get_rng_state, set_rng_state, rand, rand_like, randn, randn_like,
                          randint, randint_like, randperm, normal, bernoulli, multinomial,
                          poisson)
from ._ops.gamma import _standard_gamma, _sample_dirichlet, _standard_gamma_grad, _dirichlet_grad
from ._dtype import result_dtype as _result_dtype
from ._tensor_str import set_printoptions, get_printoptions
from . import autograd, cuda, backends, utils, linalg, multiprocessing
from ._ops.rnn import (rnn_tanh, rnn_relu, lstm, gru, rnn_tanh_cell, rnn_relu_cell, lstm_cell,
                       gru_cell)
from ._ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from ._ops.pool import max_pool1d, max_pool2d, avg_pool1d, adaptive_avg_pool1d
from ._ops.conv3d import conv3d, conv_transpose3d
from ._ops.pool3d import max_pool3d
from ._ops.dropout import dropout, alpha_dropout, feature_alpha_dropout
from ._ops.interpolate import pixel_shuffle, pixel_unshuffle
from ._ops.channelshuffle import channel_shuffle, native_channel_shuffle
from ._ops.norm import norm_except_dim, _weight_norm
from . import nn
from . import optim
from . import random
from . import special
from . import distributions
from . import testing
from . import func
from .func import vmap
from . import quasirandom
from . import fft
from . import jit
from . import hub
from . import profiler
from .nn.functional import cosine_similarity, pairwise_distance
from ._ops.indexing import argwhere
from .serialization import save, load
from .storage import UntypedStorage, TypedStorage
# (after nn: the in-place and aten-level functions wrap nn.functional's)
from ._ops.inplace import *  # noqa: F401,F403  (torch.sin_, torch.relu_, ...)
from ._ops.aten_functional import *  # noqa: F401,F403  (torch.batch_norm, torch.embedding, ...)
from ._ops.view_copy import *  # noqa: F401,F403  (torch.view_copy, torch.split_with_sizes, ...)
from ._ops.tensor_info import *  # noqa: F401,F403  (torch.is_nonzero, torch.typename, ...)
from ._config import *  # noqa: F401,F403  (torch.set_default_device, ...)
from ._ops.fill import fill, empty_permuted
from ._ops.norm import rms_norm
from ._ops.cholesky import cholesky_solve, cholesky_inverse, cholesky_deprecated as cholesky
from ._ops.linalg_legacy import svd, lu, lu_solve, logdet, slogdet, solve_removed as solve
from ._ops.decomposition import matrix_power
from ._ops.igamma import igamma, igammac
from ._ops.bessel import i0
from ._ops.numerics import frexp, ldexp, nextafter, vander
from .special import multigammaln as mvlgamma
from ._ops.gradient import gradient, trapz
from ._ops.pdist import pdist
from ._ops.histogram import histogram, histogramdd, histc
from ._ops.lobpcg import lobpcg
from ._ops.reduction import nanquantile
from ._ops.binomial import binomial
from ._ops.segment_reduce import segment_reduce
from ._ops.linalg import bilinear
from ._ops.tensor_api import *  # noqa: F401,F403  (torch.put, conj, from_dlpack, ...)
from .utils import dlpack as _utils_dlpack  # noqa: F401  (torch.utils.dlpack)
from ._legacy_storage import *  # noqa: F401,F403  (torch.FloatStorage, ...)
from ._ops.scatter_views import (diagonal_scatter, select_scatter, slice_scatter,
                                 as_strided_scatter)
from ._ops.index_reduce import index_reduce
from ._ops.renorm import renorm
from ._ops.unique_consecutive import unique_consecutive
from ._ops.window import (hann_window, hamming_window, blackman_window, bartlett_window,
                          kaiser_window)

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16

strided = 'torch.strided'
inf = _math.inf
nan = _math.nan
pi = _math.pi
e = _math.e

from . import signal  # noqa: E402  (its window signatures default to torch.strided)


def is_tensor(obj) -> bool:
    """True if ``obj`` is a numtorch tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def is_complex(input: Tensor) -> bool:
    return input.is_complex()


def numel(input: Tensor) -> int:
    return input.numel()


def result_type(tensor1, tensor2) -> dtype:
    """The dtype an arithmetic op on the two operands returns (PyTorch's promotion)."""
    return _result_dtype((tensor1, tensor2))


def is_storage(obj) -> bool:
    return False


def compile(model=None, **kwargs):
    """No compiler here: returns the model (or a decorator that returns the function)."""
    if model is None:
        return lambda m: m
    return model
