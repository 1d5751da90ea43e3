"""Table-driven oracle tests: every tensor op against torch 2.13 on the same inputs.

Each entry is written once as ``fn(T, *tensors)`` where ``T`` is the library module
(numtorch or torch), so the same code runs on both. Forward values, dtypes, shapes and
the gradient of every input are compared; float64 finite-difference gradchecks run on
the differentiable ones.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st, HealthCheck

import numtorch
from conftest import assert_close

RNG = np.random.default_rng(1234)


class Case:
    def __init__(self, name, fn, shapes, domain='real', dtypes=('float32', 'float64'),
                 grad=True, rtol=1e-5, atol=1e-6, gradcheck=True, args_int=None):
        self.name = name
        self.fn = fn
        self.shapes = shapes
        self.domain = domain
        self.dtypes = dtypes
        self.grad = grad
        self.rtol = rtol
        self.atol = atol
        self.gradcheck = gradcheck and grad
        self.args_int = args_int or ()


U = [((3, 4),), ((),), ((0, 2),), ((2, 3, 4),)]
B = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)), ((5,), ()),
     ((0, 3), (3,))]
R = [((3, 4),), ((2, 3, 4),), ((5,),)]
ALL_DT = ('float32', 'float64', 'int64', 'int32')


def make(shape, dtype, domain):
    if domain == 'positive':
        a = RNG.uniform(0.5, 2.0, shape)
    elif domain == 'unit':
        a = RNG.uniform(-0.9, 0.9, shape)
    elif domain == 'nonzero':
        a = RNG.uniform(0.5, 2.0, shape) * RNG.choice([-1, 1], shape)
    elif domain == 'distinct':
        n = int(np.prod(shape))
        a = (RNG.permutation(n) - n / 2.0).reshape(shape) * 0.37
    else:
        a = RNG.standard_normal(shape) * 2
    if dtype.startswith('int'):
        a = np.round(a * 3)
        if domain in ('positive', 'nonzero'):
            a = np.where(a == 0, 1, a)
    return np.asarray(a).astype(dtype)


UNARY = [
    Case('neg', lambda T, x: -x, U, dtypes=ALL_DT),
    Case('abs', lambda T, x: T.abs(x), U, domain='nonzero', dtypes=ALL_DT),
    Case('sign', lambda T, x: T.sign(x), U, dtypes=ALL_DT, gradcheck=False),
    Case('exp', lambda T, x: T.exp(x), U, dtypes=ALL_DT),
    Case('expm1', lambda T, x: x.expm1(), U),
    Case('exp2', lambda T, x: T.exp2(x), U),
    Case('log', lambda T, x: T.log(x), U, domain='positive', dtypes=ALL_DT),
    Case('log2', lambda T, x: x.log2(), U, domain='positive'),
    Case('log10', lambda T, x: x.log10(), U, domain='positive'),
    Case('log1p', lambda T, x: T.log1p(x), U, domain='positive'),
    Case('sqrt', lambda T, x: T.sqrt(x), U, domain='positive', dtypes=ALL_DT),
    Case('rsqrt', lambda T, x: T.rsqrt(x), U, domain='positive'),
    Case('square', lambda T, x: T.square(x), U, dtypes=ALL_DT),
    Case('sin', lambda T, x: T.sin(x), U, dtypes=ALL_DT),
    Case('cos', lambda T, x: T.cos(x), U),
    Case('tan', lambda T, x: T.tan(x), U, domain='unit'),
    Case('asin', lambda T, x: T.asin(x), U, domain='unit'),
    Case('acos', lambda T, x: T.acos(x), U, domain='unit'),
    Case('atan', lambda T, x: T.atan(x), U),
    Case('sinh', lambda T, x: T.sinh(x), U, domain='unit'),
    Case('cosh', lambda T, x: T.cosh(x), U, domain='unit'),
    Case('tanh', lambda T, x: T.tanh(x), U, dtypes=ALL_DT),
    Case('asinh', lambda T, x: T.asinh(x), U),
    Case('atanh', lambda T, x: T.atanh(x), U, domain='unit'),
    Case('sigmoid', lambda T, x: T.sigmoid(x), U, dtypes=ALL_DT),
    Case('logit', lambda T, x: T.logit(T.sigmoid(x)), U),
    Case('relu', lambda T, x: T.relu(x), U, domain='nonzero', dtypes=ALL_DT),
    Case('erf', lambda T, x: T.erf(x), U),
    Case('erfc', lambda T, x: T.erfc(x), U),
    Case('erfinv', lambda T, x: T.erfinv(x), U, domain='unit', rtol=1e-4, atol=1e-5),
    Case('reciprocal', lambda T, x: T.reciprocal(x), U, domain='nonzero', dtypes=ALL_DT),
    Case('floor', lambda T, x: T.floor(x), U, dtypes=ALL_DT, gradcheck=False),
    Case('ceil', lambda T, x: T.ceil(x), U, dtypes=ALL_DT, gradcheck=False),
    Case('round', lambda T, x: T.round(x), U, dtypes=ALL_DT, gradcheck=False),
    Case('round_dec', lambda T, x: T.round(x, decimals=2), U, gradcheck=False),
    Case('trunc', lambda T, x: T.trunc(x), U, dtypes=ALL_DT, gradcheck=False),
    Case('frac', lambda T, x: T.frac(x), U),
    Case('clamp', lambda T, x: T.clamp(x, -1.0, 0.5), U, dtypes=ALL_DT),
    Case('clamp_min', lambda T, x: x.clamp(min=0.2), U),
    Case('clamp_max', lambda T, x: x.clamp(max=0.2), U),
    Case('clip_int', lambda T, x: T.clip(x, -2, 3), U, dtypes=ALL_DT),
    Case('pow2', lambda T, x: x ** 2, U, dtypes=ALL_DT),
    Case('pow3', lambda T, x: T.pow(x, 3), U),
    Case('pow_half', lambda T, x: x ** 0.5, U, domain='positive', dtypes=ALL_DT),
    Case('pow_neg', lambda T, x: x ** -1.5, U, domain='positive'),
    Case('rpow', lambda T, x: 2 ** x, U, dtypes=ALL_DT),
    Case('add_scalar', lambda T, x: x + 2.5, U, dtypes=ALL_DT),
    Case('radd_int', lambda T, x: 3 + x, U, dtypes=ALL_DT),
    Case('sub_scalar', lambda T, x: x - 1, U, dtypes=ALL_DT),
    Case('rsub_scalar', lambda T, x: 1 - x, U, dtypes=ALL_DT),
    Case('mul_scalar', lambda T, x: x * 1.5, U, dtypes=ALL_DT),
    Case('div_scalar', lambda T, x: x / 4, U, dtypes=ALL_DT),
    Case('rdiv_scalar', lambda T, x: 2 / x, U, domain='nonzero', dtypes=ALL_DT),
    Case('floordiv', lambda T, x: x // 2, U, dtypes=ALL_DT, grad=False),
    Case('mod', lambda T, x: x % 3, U, dtypes=ALL_DT, gradcheck=False),
    Case('clone', lambda T, x: x.clone(), U, dtypes=ALL_DT),
    Case('softmax0', lambda T, x: T.softmax(x, 0), [((3, 4),), ((5,),)]),
    Case('softmax1', lambda T, x: x.softmax(-1), [((3, 4),), ((2, 3, 4),)]),
    Case('log_softmax', lambda T, x: T.log_softmax(x, 1), [((3, 4),), ((2, 3, 4),)]),
    Case('nan_to_num', lambda T, x: T.nan_to_num(x), U),
    Case('sgn_mul', lambda T, x: x.sgn() * x, U),
]

BINARY = [
    Case('add', lambda T, a, b: a + b, B, dtypes=ALL_DT),
    Case('add_alpha', lambda T, a, b: T.add(a, b, alpha=2), B, dtypes=ALL_DT),
    Case('sub', lambda T, a, b: a - b, B, dtypes=ALL_DT),
    Case('sub_alpha', lambda T, a, b: a.sub(b, alpha=0.5), B),
    Case('mul', lambda T, a, b: a * b, B, dtypes=ALL_DT),
    Case('div', lambda T, a, b: a / b, B, domain='nonzero', dtypes=ALL_DT),
    Case('div_floor', lambda T, a, b: T.div(a, b, rounding_mode='floor'), B,
         domain='nonzero', dtypes=ALL_DT, gradcheck=False),
    Case('div_trunc', lambda T, a, b: T.div(a, b, rounding_mode='trunc'), B,
         domain='nonzero', dtypes=ALL_DT, gradcheck=False),
    Case('pow', lambda T, a, b: a ** b, B, domain='positive'),
    Case('maximum', lambda T, a, b: T.maximum(a, b), B, domain='distinct', dtypes=ALL_DT),
    Case('minimum', lambda T, a, b: T.minimum(a, b), B, domain='distinct', dtypes=ALL_DT),
    Case('atan2', lambda T, a, b: T.atan2(a, b), B, domain='nonzero'),
    Case('hypot', lambda T, a, b: T.hypot(a, b), B, domain='nonzero'),
    Case('remainder', lambda T, a, b: T.remainder(a, b), B, domain='positive',
         dtypes=ALL_DT, gradcheck=False),
    Case('fmod', lambda T, a, b: T.fmod(a, b), B, domain='positive', dtypes=ALL_DT,
         gradcheck=False),
    Case('lerp', lambda T, a, b: T.lerp(a, b, 0.3), B),
    Case('where', lambda T, a, b: T.where(a > 0, a, b), B, domain='nonzero'),
    Case('xlogy', lambda T, a, b: T.xlogy(a, b), B, domain='positive'),
    Case('mul_add', lambda T, a, b: (a * b + a) * 2 - b, B),
]

REDUCE = [
    Case('sum', lambda T, x: x.sum(), R + [((0, 3),)], dtypes=ALL_DT),
    Case('sum_dim', lambda T, x: T.sum(x, 0), R, dtypes=ALL_DT),
    Case('sum_dims_keep', lambda T, x: x.sum((0, -1), keepdim=True), R[:2]),
    Case('mean', lambda T, x: x.mean(), R),
    Case('mean_dim', lambda T, x: T.mean(x, -1, keepdim=True), R),
    Case('prod', lambda T, x: x.prod(), R, domain='nonzero', dtypes=ALL_DT),
    Case('prod_dim', lambda T, x: T.prod(x, 0), R, domain='nonzero'),
    Case('max', lambda T, x: x.max(), R, domain='distinct', dtypes=ALL_DT),
    Case('min', lambda T, x: T.min(x), R, domain='distinct', dtypes=ALL_DT),
    Case('max_dim', lambda T, x: x.max(0), R, domain='distinct', dtypes=ALL_DT),
    Case('min_dim_keep', lambda T, x: T.min(x, -1, keepdim=True), R, domain='distinct'),
    Case('amax', lambda T, x: T.amax(x, 0), R, domain='distinct'),
    Case('amin', lambda T, x: x.amin((0, -1)), R[:2], domain='distinct'),
    Case('argmax', lambda T, x: x.argmax(), R, dtypes=ALL_DT, grad=False),
    Case('argmax_dim', lambda T, x: T.argmax(x, -1, keepdim=True), R, grad=False),
    Case('argmin_dim', lambda T, x: x.argmin(0), R, dtypes=ALL_DT, grad=False),
    Case('std', lambda T, x: x.std(), R),
    Case('std_dim', lambda T, x: T.std(x, 0, unbiased=False), R),
    Case('var', lambda T, x: x.var(-1, keepdim=True), R),
    Case('var_corr', lambda T, x: T.var(x, dim=0, correction=2), [((4, 3),)]),
    Case('norm', lambda T, x: x.norm(), R),
    Case('norm_dim', lambda T, x: T.norm(x, dim=-1), R),
    Case('norm_p1', lambda T, x: x.norm(p=1), R, domain='nonzero'),
    Case('norm_p3', lambda T, x: T.norm(x, 3, dim=0), R, domain='nonzero'),
    Case('norm_inf', lambda T, x: x.norm(float('inf')), R, domain='distinct'),
    Case('logsumexp', lambda T, x: T.logsumexp(x, -1), R),
    Case('logsumexp_keep', lambda T, x: x.logsumexp(0, keepdim=True), R),
    Case('cumsum', lambda T, x: x.cumsum(0), R, dtypes=ALL_DT),
    Case('cumsum_last', lambda T, x: T.cumsum(x, -1), R),
    Case('cumprod', lambda T, x: x.cumprod(-1), R, domain='nonzero'),
    Case('all', lambda T, x: (x > 0).all(), R, grad=False),
    Case('any_dim', lambda T, x: T.any(x > 0, 0), R, grad=False),
    Case('sort', lambda T, x: T.sort(x), R, domain='distinct', dtypes=ALL_DT),
    Case('sort_desc', lambda T, x: x.sort(0, descending=True), R, domain='distinct'),
    Case('argsort', lambda T, x: T.argsort(x, -1), R, domain='distinct', grad=False),
    Case('topk', lambda T, x: x.topk(2), R, domain='distinct'),
    Case('topk_small', lambda T, x: T.topk(x, 2, 0, largest=False), R, domain='distinct'),
    Case('kthvalue', lambda T, x: x.kthvalue(2, 0), R, domain='distinct'),
    Case('median', lambda T, x: x.median(), R, domain='distinct'),
    Case('median_dim', lambda T, x: T.median(x, -1), R, domain='distinct'),
    Case('cummax', lambda T, x: T.cummax(x, 0), R, domain='distinct'),
    Case('cummin', lambda T, x: x.cummin(-1), R, domain='distinct'),
    Case('count_nonzero', lambda T, x: T.count_nonzero(x > 0, 0), R, grad=False),
    Case('nansum', lambda T, x: T.nansum(x, 0), R),
    Case('nanmean', lambda T, x: x.nanmean(-1), R),
    Case('var_mean', lambda T, x: T.var_mean(x, 0), R),
    Case('std_mean', lambda T, x: T.std_mean(x, -1, keepdim=True), R),
    Case('logcumsumexp', lambda T, x: T.logcumsumexp(x, 0), R),
    Case('mode', lambda T, x: T.mode(T.round(x), 0), R[:1], dtypes=('float32',), grad=False),
    Case('aminmax', lambda T, x: T.aminmax(x, dim=0), R, domain='distinct', grad=False),
    Case('quantile', lambda T, x: T.quantile(x, 0.3, dim=0), R, grad=False),
]

SHAPE = [
    Case('view', lambda T, x: x.view(4, 3), [((3, 4),)], dtypes=ALL_DT),
    Case('view_infer', lambda T, x: x.view(-1), [((2, 3, 4),)]),
    Case('reshape', lambda T, x: T.reshape(x.t(), (2, 6)), [((3, 4),)]),
    Case('view_as', lambda T, x: x.view_as(x.reshape(12, 1)), [((3, 4),)]),
    Case('flatten', lambda T, x: T.flatten(x, 1), [((2, 3, 4),)]),
    Case('unflatten', lambda T, x: x.unflatten(1, (2, 2)), [((3, 4),)]),
    Case('squeeze', lambda T, x: x.squeeze(), [((1, 3, 1, 4),)]),
    Case('squeeze_dim', lambda T, x: T.squeeze(x, 2), [((1, 3, 1, 4),)]),
    Case('unsqueeze', lambda T, x: T.unsqueeze(x, 1), [((3, 4),), ((2,),)]),
    Case('unsqueeze0', lambda T, x: x.unsqueeze(-1), [((),)]),
    Case('permute', lambda T, x: x.permute(2, 0, 1), [((2, 3, 4),)]),
    Case('transpose', lambda T, x: T.transpose(x, 0, -1), [((2, 3, 4),)]),
    Case('t', lambda T, x: x.t(), [((3, 4),), ((5,),)]),
    Case('T', lambda T, x: x.T, [((3, 4),)]),
    Case('mT', lambda T, x: x.mT, [((2, 3, 4),)]),
    Case('movedim', lambda T, x: T.movedim(x, 0, 2), [((2, 3, 4),)]),
    Case('expand', lambda T, x: x.expand(2, 3, 4), [((3, 1),)]),
    Case('expand_as', lambda T, x: x.unsqueeze(0).expand(5, -1, -1), [((3, 4),)]),
    Case('repeat', lambda T, x: x.repeat(2, 1, 3), [((3, 4),)]),
    Case('tile', lambda T, x: T.tile(x, (2,)), [((3, 4),)]),
    Case('repeat_interleave', lambda T, x: T.repeat_interleave(x, 2, dim=0), [((3, 4),)]),
    Case('flip', lambda T, x: T.flip(x, [0, 1]), [((3, 4),)]),
    Case('roll', lambda T, x: T.roll(x, 1, 0), [((3, 4),)]),
    Case('roll_flat', lambda T, x: x.roll(2), [((3, 4),)]),
    Case('rot90', lambda T, x: T.rot90(x, 1, [0, 1]), [((3, 4),)]),
    Case('tril', lambda T, x: x.tril(), [((3, 4),)], dtypes=ALL_DT),
    Case('triu', lambda T, x: T.triu(x, 1), [((3, 4),)]),
    Case('narrow', lambda T, x: x.narrow(1, 1, 2), [((3, 4),)]),
    Case('select', lambda T, x: T.select(x, 1, -1), [((3, 4),)]),
    Case('diagonal', lambda T, x: x.diagonal(), [((3, 4),)]),
    Case('diagonal_off', lambda T, x: T.diagonal(x, -1, 1, 2), [((2, 3, 4),)]),
    Case('diag', lambda T, x: T.diag(x), [((4,),), ((3, 4),)]),
    Case('diag_embed', lambda T, x: T.diag_embed(x), [((2, 3),)]),
    Case('unfold', lambda T, x: x.unfold(1, 2, 1), [((3, 4),)]),
    Case('split', lambda T, x: T.split(x, 2, 1), [((3, 4),)]),
    Case('split_sizes', lambda T, x: x.split([1, 3], 1), [((3, 4),)]),
    Case('chunk', lambda T, x: T.chunk(x, 2, 0), [((3, 4),)]),
    Case('unbind', lambda T, x: x.unbind(1), [((3, 4),)]),
    Case('tensor_split', lambda T, x: T.tensor_split(x, 3, 1), [((3, 4),)]),
    Case('contiguous', lambda T, x: x.t().contiguous(), [((3, 4),)]),
    Case('sum_to_size', lambda T, x: x.sum_to_size(1, 4), [((3, 4),)]),
    Case('getitem_int', lambda T, x: x[1], [((3, 4),)], dtypes=ALL_DT),
    Case('getitem_slice', lambda T, x: x[:, 1:3], [((3, 4),)]),
    Case('getitem_step', lambda T, x: x[::2, 1::2], [((5, 4),)]),
    Case('getitem_none_ell', lambda T, x: x[None, ..., 0], [((2, 3, 4),)]),
    Case('getitem_neg', lambda T, x: x[-1, -2], [((3, 4),)]),
    Case('getitem_list', lambda T, x: x[[0, 2, 0]], [((3, 4),)], dtypes=ALL_DT),
    Case('getitem_tensor', lambda T, x: x[T.tensor([[1, 0], [2, 2]])], [((3, 4),)]),
    Case('getitem_mask', lambda T, x: x[x > 0], [((3, 4),)], domain='nonzero'),
    Case('getitem_mixed', lambda T, x: x[1:, [0, 3]], [((3, 4),)]),
    Case('getitem_2adv', lambda T, x: x[[0, 1], [2, 3]], [((3, 4),)]),
    Case('gather', lambda T, x: T.gather(x, 1, T.tensor([[0, 0], [1, 0], [3, 2]])),
         [((3, 4),)]),
    Case('gather0', lambda T, x: x.gather(0, T.tensor([[0, 1, 2, 0]])), [((3, 4),)]),
    Case('index_select', lambda T, x: T.index_select(x, 1, T.tensor([3, 0, 3])), [((3, 4),)]),
    Case('masked_fill', lambda T, x: x.masked_fill(x > 0, 0.5), [((3, 4),)],
         domain='nonzero'),
    Case('masked_select', lambda T, x: T.masked_select(x, x > 0), [((3, 4),)],
         domain='nonzero'),
    Case('take', lambda T, x: T.take(x, T.tensor([0, 5, 11])), [((3, 4),)]),
    Case('take_along_dim', lambda T, x: T.take_along_dim(x, T.tensor([[0], [1], [2]]), 1),
         [((3, 4),)]),
]

MULTI = [
    Case('cat', lambda T, a, b: T.cat([a, b], 0), [((2, 3), (4, 3))], dtypes=ALL_DT),
    Case('cat1', lambda T, a, b: T.cat((a, b), dim=-1), [((2, 3), (2, 1))]),
    Case('stack', lambda T, a, b: T.stack([a, b], 1), [((2, 3), (2, 3))], dtypes=ALL_DT),
    Case('hstack', lambda T, a, b: T.hstack([a, b]), [((2, 3), (2, 3))]),
    Case('vstack', lambda T, a, b: T.vstack([a, b]), [((3,), (3,))]),
    Case('mm', lambda T, a, b: T.mm(a, b), [((2, 3), (3, 4))], dtypes=ALL_DT),
    Case('matmul_11', lambda T, a, b: a @ b, [((3,), (3,))]),
    Case('matmul_12', lambda T, a, b: a @ b, [((3,), (3, 4))]),
    Case('matmul_21', lambda T, a, b: T.matmul(a, b), [((2, 3), (3,))]),
    Case('matmul_22', lambda T, a, b: a @ b, [((2, 3), (3, 4))], dtypes=ALL_DT),
    Case('matmul_33', lambda T, a, b: a @ b, [((5, 2, 3), (5, 3, 4))]),
    Case('matmul_32', lambda T, a, b: a @ b, [((5, 2, 3), (3, 4))]),
    Case('matmul_23', lambda T, a, b: a @ b, [((2, 3), (5, 3, 4))]),
    Case('matmul_bcast', lambda T, a, b: a @ b, [((2, 1, 2, 3), (5, 3, 4))]),
    Case('matmul_31', lambda T, a, b: a @ b, [((5, 2, 3), (3,))]),
    Case('matmul_13', lambda T, a, b: a @ b, [((3,), (5, 3, 4))]),
    Case('bmm', lambda T, a, b: T.bmm(a, b), [((5, 2, 3), (5, 3, 4))]),
    Case('dot', lambda T, a, b: T.dot(a, b), [((3,), (3,))], dtypes=ALL_DT),
    Case('mv', lambda T, a, b: T.mv(a, b), [((2, 3), (3,))]),
    Case('outer', lambda T, a, b: T.outer(a, b), [((2,), (3,))]),
    Case('einsum_mm', lambda T, a, b: T.einsum('ij,jk->ik', a, b), [((2, 3), (3, 4))]),
    Case('einsum_batch', lambda T, a, b: T.einsum('bij,bjk->bik', a, b),
         [((5, 2, 3), (5, 3, 4))]),
    Case('einsum_sum', lambda T, a, b: T.einsum('ij,j->', a, b), [((2, 3), (3,))]),
    Case('einsum_ell', lambda T, a, b: T.einsum('...ij,...jk', a, b), [((5, 2, 3), (3, 4))]),
    Case('einsum_outer', lambda T, a, b: T.einsum('i,j->ij', a, b), [((2,), (3,))]),
    Case('addmm', lambda T, a, b: T.addmm(b[0], a, b), [((2, 3), (3, 4))]),
    Case('addmm_ab', lambda T, a, b: T.addmm(b[0], a, b, beta=0.5, alpha=2),
         [((2, 3), (3, 4))]),
    Case('scatter', lambda T, a, b: T.scatter(a, 1, T.tensor([[0, 1], [2, 0]]), b),
         [((2, 3), (2, 2))]),
    Case('scatter_add', lambda T, a, b: a.scatter_add(1, T.tensor([[0, 0], [2, 0]]), b),
         [((2, 3), (2, 2))]),
    Case('index_add', lambda T, a, b: a.index_add(0, T.tensor([0, 0]), b),
         [((2, 3), (2, 3))]),
    Case('masked_fill_t', lambda T, a, b: a.masked_fill(a > 0, b.sum()),
         [((2, 3), (2,))], domain='nonzero'),
    Case('addcmul', lambda T, a, b: T.addcmul(a, a, b, value=0.5), [((2, 3), (3,))]),
    Case('addcdiv', lambda T, a, b: T.addcdiv(a, a, b, value=2), [((2, 3), (3,))],
         domain='nonzero'),
    Case('clamp_t', lambda T, a, b: T.clamp(a, min=b), [((2, 3), (3,))], domain='distinct'),
    Case('det', lambda T, a, b: T.det(a + b), [((3, 3), (3, 3))], gradcheck=True),
    Case('fmax', lambda T, a, b: T.fmax(a, b), [((2, 3), (3,))], domain='distinct'),
    Case('fmin', lambda T, a, b: T.fmin(a, b), [((2, 3), (3,))], domain='distinct'),
    Case('copysign', lambda T, a, b: T.copysign(a, b), [((2, 3), (3,))], domain='nonzero'),
    Case('cross', lambda T, a, b: T.cross(a, b, dim=1), [((2, 3), (2, 3))]),
    Case('kron', lambda T, a, b: T.kron(a, b), [((2, 3), (2, 2))]),
    Case('tensordot', lambda T, a, b: T.tensordot(a, b, dims=([1], [0])), [((2, 3), (3, 2))]),
    Case('index_fill', lambda T, a, b: a.index_fill(1, T.tensor([0, 2]), -1.0) * b,
         [((2, 3), (3,))]),
    Case('index_copy', lambda T, a, b: a.index_copy(0, T.tensor([1]), b.unsqueeze(0)),
         [((2, 3), (3,))]),
    Case('index_put', lambda T, a, b: a.index_put((T.tensor([0, 1]), T.tensor([2, 0])),
                                                  b[:2], accumulate=True),
         [((2, 3), (3,))]),
    Case('masked_scatter', lambda T, a, b: a.masked_scatter(a > 0, b), [((2, 3), (6,))],
         domain='nonzero'),
    Case('scatter_reduce_sum', lambda T, a, b: a.scatter_reduce(
        1, T.tensor([[0, 0], [2, 0]]), b, 'sum'), [((2, 3), (2, 2))]),
    Case('scatter_reduce_mean', lambda T, a, b: a.scatter_reduce(
        1, T.tensor([[0, 0], [2, 0]]), b, 'mean', include_self=False), [((2, 3), (2, 2))]),
    Case('as_strided', lambda T, a, b: a.as_strided((2, 2), (1, 2)) * b[:2],
         [((2, 3), (3,))]),
    Case('broadcast_tensors', lambda T, a, b: T.broadcast_tensors(a, b), [((2, 1), (3,))]),
    Case('meshgrid', lambda T, a, b: T.meshgrid(a, b, indexing='ij'), [((2,), (3,))]),
    Case('meshgrid_xy', lambda T, a, b: T.meshgrid(a, b, indexing='xy'), [((2,), (3,))]),
    Case('inner', lambda T, a, b: T.inner(a, b), [((2, 3), (4, 3))]),
    Case('inverse', lambda T, a, b: T.inverse(a @ a.T + b.abs() + 1), [((3, 3), (3, 3))],
         rtol=1e-4, atol=1e-5),
]

CASES = UNARY + BINARY + REDUCE + SHAPE + MULTI


def _ids():
    out = []
    for c in CASES:
        for si, shapes in enumerate(c.shapes):
            for dt in c.dtypes:
                out.append(pytest.param(c, shapes, dt, id=f'{c.name}-{si}-{dt}'))
    return out


def _run(lib, c, arrays, requires_grad):
    ts = []
    for a in arrays:
        t = lib.tensor(a)
        if requires_grad:
            t.requires_grad_(True)
        ts.append(t)
    return ts, c.fn(lib, *ts)


def _flat_outputs(out):
    if isinstance(out, (tuple, list)):
        return [o for o in out]
    return [out]


@pytest.mark.parametrize('case,shapes,dtype', _ids())
def test_forward_and_backward(case, shapes, dtype):
    arrays = [make(s, dtype, case.domain) for s in shapes]
    is_float = dtype.startswith('float')
    want_grad = case.grad and is_float
    pt_in, pt_out = _run(torch, case, arrays, want_grad)
    nt_in, nt_out = _run(numtorch, case, arrays, want_grad)
    tol = dict(rtol=case.rtol if dtype == 'float64' else max(case.rtol, 1e-5),
               atol=case.atol if dtype == 'float64' else max(case.atol, 1e-5))
    pt_outs = _flat_outputs(pt_out)
    nt_outs = _flat_outputs(nt_out)
    assert len(pt_outs) == len(nt_outs)
    for a, b in zip(nt_outs, pt_outs):
        assert_close(a, b, **tol)
    if not want_grad:
        return
    diff = [(a, b) for a, b in zip(nt_outs, pt_outs)
            if isinstance(b, torch.Tensor) and b.requires_grad]
    if not diff:
        return
    pt_loss = 0
    nt_loss = 0
    for a, b in diff:
        g = RNG.standard_normal(tuple(b.shape)).astype(dtype)
        pt_loss = pt_loss + (b * torch.tensor(g)).sum()
        nt_loss = nt_loss + (a * numtorch.tensor(g)).sum()
    pt_loss.backward()
    nt_loss.backward()
    for a, b in zip(nt_in, pt_in):
        if b.grad is None:
            assert a.grad is None or np.all(a.grad._data == 0)
        else:
            assert_close(a.grad, b.grad, **tol)


def _gc_ids():
    out = []
    for c in CASES:
        if c.gradcheck:
            out.append(pytest.param(c, id=c.name))
    return out


@pytest.mark.parametrize('case', _gc_ids())
def test_gradcheck_float64(case):
    shapes = [s for s in case.shapes if all(0 not in x for x in s)][0]
    arrays = [make(s, 'float64', case.domain) for s in shapes]
    ts = [numtorch.tensor(a).requires_grad_() for a in arrays]

    def f(*xs):
        out = case.fn(numtorch, *xs)
        outs = _flat_outputs(out)
        return tuple(o for o in outs if o.dtype.is_floating_point)

    assert numtorch.autograd.gradcheck(f, ts, eps=1e-6, atol=1e-5, rtol=1e-4)


broadcastable = st.integers(1, 3).flatmap(
    lambda nd: st.tuples(
        st.lists(st.integers(1, 4), min_size=nd, max_size=nd),
        st.lists(st.booleans(), min_size=nd, max_size=nd),
        st.integers(0, nd)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=broadcastable, op=st.sampled_from(['add', 'sub', 'mul', 'div', 'maximum']))
def test_hypothesis_broadcasting(spec, op):
    dims, ones, drop = spec
    sa = tuple(dims)
    sb = tuple(1 if o else d for d, o in zip(dims, ones))[drop:]
    a = make(sa, 'float32', 'nonzero')
    b = make(sb, 'float32', 'distinct' if op == 'maximum' else 'nonzero')
    fn = {'add': lambda T, x, y: x + y, 'sub': lambda T, x, y: x - y,
          'mul': lambda T, x, y: x * y, 'div': lambda T, x, y: x / y,
          'maximum': lambda T, x, y: T.maximum(x, y)}[op]
    pa, pb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    na, nb = numtorch.tensor(a, requires_grad=True), numtorch.tensor(b, requires_grad=True)
    po, no = fn(torch, pa, pb), fn(numtorch, na, nb)
    assert_close(no, po, rtol=1e-5, atol=1e-6)
    po.sum().backward()
    no.sum().backward()
    assert_close(na.grad, pa.grad, rtol=1e-5, atol=1e-5)
    assert_close(nb.grad, pb.grad, rtol=1e-5, atol=1e-5)


PROMO = [
    ('int32', 'float32'), ('int64', 'float64'), ('uint8', 'int8'), ('bool', 'int64'),
    ('float16', 'float32'), ('int16', 'int32'), ('bool', 'float32'), ('uint8', 'bool'),
]


@pytest.mark.parametrize('da,db', PROMO)
@pytest.mark.parametrize('kind', ['dim-dim', 'dim-zero', 'zero-dim', 'dim-scalar-int',
                                  'dim-scalar-float', 'dim-scalar-bool'])
def test_type_promotion(da, db, kind):
    a = np.array([1, 0, 1]).astype(da)
    b = np.array([1, 1, 0]).astype(db)
    if kind == 'dim-dim':
        args = lambda T: (T.tensor(a), T.tensor(b))
    elif kind == 'dim-zero':
        args = lambda T: (T.tensor(a), T.tensor(b[0]))
    elif kind == 'zero-dim':
        args = lambda T: (T.tensor(a[0]), T.tensor(b))
    elif kind == 'dim-scalar-int':
        args = lambda T: (T.tensor(a), 3)
    elif kind == 'dim-scalar-float':
        args = lambda T: (T.tensor(a), 2.5)
    else:
        args = lambda T: (T.tensor(a), True)
    for fn in (lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x == y):
        try:
            pt = fn(*args(torch))
        except RuntimeError:
            continue
        nt = fn(*args(numtorch))
        assert str(nt.dtype) == str(pt.dtype)
        assert_close(nt, pt)
    pa = args(torch)
    na = args(numtorch)
    assert str(numtorch.result_type(*na)) == str(torch.result_type(*pa))
