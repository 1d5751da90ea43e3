"""Double backward (create_graph=True) through the pooling, padding, resampling, unfold/
fold, dropout, embedding, logsumexp, shape, masking, element-wise, reduction and linear
algebra ops: the first
gradients and the gradients of a loss of them against PyTorch's, in float64."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch

RNG = np.random.default_rng(21)
X4 = RNG.standard_normal((2, 3, 6, 7))

CASES = [  # (id, function of (library, *tensors), arrays)
    ('avg_pool2d', lambda m, x: m.nn.functional.avg_pool2d(x * x, 3, 2, 1, ceil_mode=True,
                                                          count_include_pad=False), (X4,)),
    ('avg_pool1d', lambda m, x: m.nn.functional.avg_pool1d(x * x, 3, 2),
     (RNG.standard_normal((2, 3, 9)),)),
    ('adaptive_avg_pool2d', lambda m, x: m.nn.functional.adaptive_avg_pool2d(x * x, (4, 3)),
     (X4,)),
    ('adaptive_max_pool2d', lambda m, x: m.nn.functional.adaptive_max_pool2d(x * x, (4, 3)),
     (X4,)),
    ('pad_constant', lambda m, x: m.nn.functional.pad(x * x, (1, 2, 0, -1), value=0.5), (X4,)),
    ('pad_reflect', lambda m, x: m.nn.functional.pad(x * x, (1, 2, 2, 1), mode='reflect'),
     (X4,)),
    ('pad_replicate', lambda m, x: m.nn.functional.pad(x * x, (1, 2, 2, 1), mode='replicate'),
     (X4,)),
    ('pad_circular', lambda m, x: m.nn.functional.pad(x * x, (1, 2, 2, 1), mode='circular'),
     (X4,)),
    ('interpolate_nearest', lambda m, x: m.nn.functional.interpolate(x * x, scale_factor=2),
     (X4,)),
    ('interpolate_bilinear', lambda m, x: m.nn.functional.interpolate(
        x * x, size=(9, 5), mode='bilinear', align_corners=False), (X4,)),
    ('pixel_shuffle', lambda m, x: m.nn.functional.pixel_shuffle(x * x, 2),
     (RNG.standard_normal((2, 8, 3, 3)),)),
    ('unfold', lambda m, x: m.nn.functional.unfold(x * x, (2, 3), padding=1, stride=2), (X4,)),
    ('fold', lambda m, x: m.nn.functional.fold(x * x, (5, 6), (2, 3)),
     (RNG.standard_normal((2, 12, 16)),)),
    ('dropout', lambda m, x: m.nn.functional.dropout(x * x, 0.3), (X4,)),
    ('alpha_dropout', lambda m, x: m.nn.functional.alpha_dropout(x * x, 0.3, True), (X4,)),
    ('embedding', lambda m, w, i: m.nn.functional.embedding(i, w * w, padding_idx=2),
     (RNG.standard_normal((5, 3)), np.array([[0, 2, 2], [4, 1, 2]]))),
    ('logsumexp', lambda m, x: (x * x).logsumexp((1, 3)), (X4,)),
    ('logsumexp_keepdim', lambda m, x: (x * x).logsumexp(2, keepdim=True), (X4,)),
]


A, B, C = (RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4)) + 3,
           RNG.standard_normal((4,)))
CASES += [
    ('roll', lambda m, x: (x * x).roll((1, -2), (0, 1)), (A,)),
    ('roll_flat', lambda m, x: (x * x).roll(3), (A,)),
    ('repeat', lambda m, x: (x * x).repeat(2, 1, 3), (A,)),
    ('diag_embed', lambda m, x: m.diag_embed(x * x, 1), (A,)),
    ('masked_select', lambda m, x: (x * x).masked_select(m.tensor(A > 0)), (A,)),
    ('masked_fill', lambda m, x: (x * x).masked_fill(m.tensor(A > 0), 2.0), (A,)),
    ('masked_fill_tensor', lambda m, x, v: (x * x).masked_fill(m.tensor(A > 0), v * v),
     (A, np.array(1.5))),
    ('frac', lambda m, x: (x * x * 3).frac() * x, (A,)),
    ('exp2', lambda m, x: (x * x).exp2(), (A,)),
    ('lerp_scalar', lambda m, x, y: m.lerp(x * x, y * y, 0.3), (A, C)),
    ('lerp_tensor', lambda m, x, y, w: m.lerp(x * x, y * y, w * w), (A, C, B)),
    ('addcmul', lambda m, x, y, z: m.addcmul(x * x, y * y, z * z, value=0.7), (A, C, B)),
    ('addcdiv', lambda m, x, y, z: m.addcdiv(x * x, y * y, z * z, value=0.7), (A, C, B)),
    ('hypot', lambda m, x, y: m.hypot(x * x, y * y), (A, B)),
    ('atan2', lambda m, x, y: m.atan2(x * x, y), (A, B)),
    ('xlogy', lambda m, x, y: m.xlogy(x * x, y * y), (A, B)),
    ('remainder', lambda m, x, y: m.remainder(x * x * 3, y), (A, B)),
    ('fmod', lambda m, x, y: m.fmod(x * x * 3, y), (A, B)),
]


M, V = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3), RNG.standard_normal(3)
CASES += [
    ('var', lambda m, x: (x * x).var(1), (A,)),
    ('var_all', lambda m, x: (x * x).var(), (A,)),
    ('std_keepdim', lambda m, x: (x * x).std(0, keepdim=True), (A,)),
    ('std_correction0', lambda m, x: (x * x).std((0, 1), correction=0), (A,)),
    ('amax', lambda m, x: (x * x).amax(1), (A,)),
    ('amax_ties', lambda m, x: (x * x).round().amax(1) * x.sum(),
     (np.array([[1.0, 1.0, -1.0], [2.0, 0.0, -2.0]]),)),
    ('amin_all', lambda m, x: (x * x).amin(), (A,)),
    ('max_all', lambda m, x: (x * x).max(), (A,)),
    ('logit', lambda m, x: (x * x / 10 + 0.05).logit(), (A,)),
    ('logit_eps', lambda m, x: (x * x / 10).logit(eps=0.1), (A,)),
    ('erfinv', lambda m, x: (x / 4).erfinv(), (A,)),
    ('copysign', lambda m, x, y: m.copysign(x * x, y - 3), (A, B)),
    ('det', lambda m, x: m.linalg.det(x * 1.0), (M,)),
    ('inv', lambda m, x: m.linalg.inv(x * 1.0), (M,)),
    ('vector_at_batch', lambda m, v, a: (v * v) @ (a * a), (V, M)),
    ('batch_at_vector', lambda m, a, v: (a * a) @ (v * v), (M, V)),
    ('einsum_bmm', lambda m, a, b: m.einsum('bij,bjk->bik', a * a, b), (M, M)),
    ('einsum_reduce', lambda m, a, b: m.einsum('ij,j->i', a * a, b), (A, RNG.standard_normal(4))),
    ('einsum_outer', lambda m, a, b: m.einsum('ij,k->ijk', a * a, b),
     (A, RNG.standard_normal(2))),
]


IDX = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])
Z = A.copy()
Z[0, 1] = Z[1, 2] = Z[1, 3] = 0
CASES += [
    ('clamp_tensor', lambda m, x, lo, hi: (x * x).clamp(lo - 1, hi + 1), (A, B - 3, C)),
    ('clamp_min_tensor', lambda m, x, lo: (x * x).clamp(min=lo), (A, B - 3)),
    ('index_add', lambda m, x, s: (x * x).index_add(1, m.tensor([0, 2, 2]), s * s, alpha=0.5),
     (A, RNG.standard_normal((3, 3)))),
    ('scatter', lambda m, x, s: (x * x).scatter(0, m.tensor(IDX), s * s),
     (A, RNG.standard_normal((2, 4)))),
    ('scatter_add', lambda m, x, s: (x * x).scatter_add(0, m.tensor(IDX), s * s),
     (A, RNG.standard_normal((2, 4)))),
    ('prod_dim', lambda m, x: (x * x + 0.5).prod(1), (A,)),
    ('prod_all', lambda m, x: (x * x + 0.5).prod(), (A,)),
    ('prod_with_zeros', lambda m, x: (x * x).prod(1, keepdim=True), (Z,)),
    ('prod_all_with_a_zero', lambda m, x: (x + 0).prod(), (np.array([[1.0, 0.0], [2.0, 3.0]]),)),
]


def test_scatter_from_a_larger_source_gradgradcheck():
    # (PyTorch's own double backward rejects a source larger than the index)
    x = numtorch.tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    s = numtorch.tensor(RNG.standard_normal((3, 5)), requires_grad=True)
    idx = numtorch.tensor(IDX[:, :3])
    assert numtorch.autograd.gradgradcheck(lambda x, s: (x * x).scatter(0, idx, s * s), (x, s))


def _second_order(lib, fn, arrays):
    lib.manual_seed(0)  # (the dropout masks: numtorch draws torch's)
    ts = [lib.tensor(a, requires_grad=a.dtype.kind == 'f') for a in arrays]
    y = fn(lib, *ts)
    r = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
    leaves = [t for t in ts if t.requires_grad]
    firsts = lib.autograd.grad((y * y * r).sum(), leaves, create_graph=True)
    sum((g * g).sum() for g in firsts).backward()
    return [y.detach().numpy()] + [g.detach().numpy() for g in firsts] + [
        (t.grad + 0).detach().numpy() for t in leaves]


@pytest.mark.parametrize('name,fn,arrays', CASES, ids=[c[0] for c in CASES])
def test_double_backward_matches_torch(name, fn, arrays):
    for a, b in zip(_second_order(numtorch, fn, arrays), _second_order(torch, fn, arrays)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


def test_embedding_scaled_by_frequency_gradgradcheck():
    # (PyTorch's second derivative here leaves out the 1/count scaling; numtorch's is the
    # derivative of its first one, which the numerical check confirms)
    w = numtorch.tensor(RNG.standard_normal((5, 3)), requires_grad=True)
    i = numtorch.tensor([[0, 2, 2], [4, 1, 1]])
    assert numtorch.autograd.gradgradcheck(
        lambda w: numtorch.nn.functional.embedding(i, w * w, padding_idx=2,
                                                   scale_grad_by_freq=True), (w,))


UNARY = {'asin': (-0.9, 0.9), 'acos': (-0.9, 0.9), 'atan': (-3, 3), 'sinh': (-2, 2),
         'cosh': (-2, 2), 'asinh': (-3, 3), 'acosh': (1.1, 4), 'atanh': (-0.9, 0.9),
         'erf': (-2, 2), 'erfc': (-2, 2)}


@pytest.mark.parametrize('name', list(UNARY))
def test_unary_double_backward_matches_torch(name):
    xs = np.linspace(*UNARY[name], 7)
    out = []
    for lib in (numtorch, torch):
        x = lib.tensor(xs, requires_grad=True)
        y = getattr(x, name)()
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        (g * g).sum().backward()
        out.append((g.detach().numpy(), x.grad.numpy(), g.grad_fn.name()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-10)
    assert out[0][2] == out[1][2]
