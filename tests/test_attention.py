"""F.scaled_dot_product_attention against PyTorch: outputs, gradients, second-order
gradients, graph node names, masks (boolean, float, causal, fully masked rows), scale,
grouped-query heads, dropout (PyTorch's random stream) and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
from test_nn_conv import same_error

RNG = np.random.default_rng(31)
S4 = ((2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 4))
S4_EV = ((2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 7))  # (values of another head size)
FLOAT_MASK = RNG.standard_normal((5, 6))
ROWS_MASKED = np.ones((5, 6), bool)
ROWS_MASKED[1:3] = False

CASES = [  # (id, shapes, keyword arguments, second order compared?)
    # (PyTorch's fused CPU kernel, used for 4-D inputs without dropout whose values have
    # the queries' head size, has no double backward: numtorch's is gradgradchecked below)
    ('plain', S4, {}, False),
    ('causal', S4, dict(is_causal=True), False),
    ('bool_mask', S4, dict(attn_mask=np.tri(5, 6, dtype=bool)[::-1].copy()), False),
    ('float_mask_scale', S4, dict(attn_mask=FLOAT_MASK, scale=0.3), False),
    ('fully_masked_rows', S4, dict(attn_mask=ROWS_MASKED), False),
    ('grouped_query', ((2, 4, 5, 4), (2, 2, 6, 4), (2, 2, 6, 4)), dict(enable_gqa=True), False),
    ('value_head_size', S4_EV, {}, True),
    ('three_dims', ((3, 5, 4), (3, 6, 4), (3, 6, 7)), {}, True),
    ('two_dims_causal', ((5, 4), (6, 4), (6, 7)), dict(is_causal=True), True),
    ('dropout', S4, dict(dropout_p=0.4), True),
]


def _run(lib, arrays, kw, second):
    lib.manual_seed(0)
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    kw = dict(kw)
    if 'attn_mask' in kw:
        kw['attn_mask'] = lib.tensor(kw['attn_mask'])
    y = lib.nn.functional.scaled_dot_product_attention(*ts, **kw)
    r = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
    firsts = lib.autograd.grad((y * y * r).sum(), ts, create_graph=second)
    out = [y.detach().numpy()] + [g.detach().numpy() for g in firsts]
    if second:
        sum((g * g).sum() for g in firsts).backward()
        out += [t.grad.numpy() for t in ts]
    return out, y.grad_fn.name()


@pytest.mark.parametrize('name,shapes,kw,second', CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, shapes, kw, second):
    arrays = [RNG.standard_normal(s) for s in shapes]
    (a, na), (b, nb) = _run(numtorch, arrays, kw, second), _run(torch, arrays, kw, second)
    assert na == nb
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-10)


def test_float32_matches_torch():
    arrays = [RNG.standard_normal(s).astype(np.float32) for s in S4]
    yn = numtorch.nn.functional.scaled_dot_product_attention(
        *[numtorch.tensor(a) for a in arrays], is_causal=True)
    yp = torch.nn.functional.scaled_dot_product_attention(
        *[torch.tensor(a) for a in arrays], is_causal=True)
    assert yn.dtype == numtorch.float32
    np.testing.assert_allclose(yn.numpy(), yp.numpy(), rtol=1e-5, atol=1e-6)


def test_errors():
    def call(m, q, k, v, **kw):
        return lambda: m.nn.functional.scaled_dot_product_attention(
            m.zeros(q), m.zeros(k), m.zeros(v), **kw)
    same_error(call(numtorch, (2, 3, 5, 4), (2, 3, 6, 3), (2, 3, 6, 4)),
               call(torch, (2, 3, 5, 4), (2, 3, 6, 3), (2, 3, 6, 4)))
    same_error(call(numtorch, (5, 4), (6, 4), (6, 4), is_causal=True,
                    attn_mask=numtorch.ones(5, 6, dtype=numtorch.bool)),
               call(torch, (5, 4), (6, 4), (6, 4), is_causal=True,
                    attn_mask=torch.ones(5, 6, dtype=torch.bool)))
    same_error(lambda: numtorch.nn.functional.scaled_dot_product_attention(
        numtorch.zeros(5, 4, dtype=numtorch.float64), numtorch.zeros(6, 4), numtorch.zeros(6, 4)),
        lambda: torch.nn.functional.scaled_dot_product_attention(
            torch.zeros(5, 4, dtype=torch.float64), torch.zeros(6, 4), torch.zeros(6, 4)))


def test_fused_double_backward_gradgradcheck():
    q, k, v = (numtorch.tensor(RNG.standard_normal(s), requires_grad=True)
               for s in ((1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)))
    mask = numtorch.tensor(ROWS_MASKED[:3, :5])
    assert numtorch.autograd.gradgradcheck(
        lambda q, k, v: numtorch.nn.functional.scaled_dot_product_attention(
            q, k, v, attn_mask=mask), (q, k, v))
    assert numtorch.autograd.gradgradcheck(
        lambda q, k, v: numtorch.nn.functional.scaled_dot_product_attention(
            q, k, v, is_causal=True, scale=0.7), (q, k, v))
