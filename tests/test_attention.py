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


# -- nn.MultiheadAttention ---------------------------------------------------------------------
MHA = [  # (id, constructor arguments, input shapes, forward arguments, which inputs coincide)
    ('cross', dict(embed_dim=8, num_heads=2), ((5, 3, 8), (6, 3, 8), (6, 3, 8)), {}, None),
    ('self', dict(embed_dim=8, num_heads=2), ((5, 3, 8),) * 3, {}, 'qkv'),
    ('batch_first_kv', dict(embed_dim=8, num_heads=2, batch_first=True),
     ((3, 5, 8), (3, 6, 8), (3, 6, 8)), {}, 'kv'),
    ('kdim_vdim', dict(embed_dim=8, num_heads=4, kdim=5, vdim=7),
     ((5, 3, 8), (6, 3, 5), (6, 3, 7)), {}, None),
    ('bias_kv_zero_attn_padding', dict(embed_dim=8, num_heads=2, add_bias_kv=True,
                                       add_zero_attn=True),
     ((5, 3, 8), (6, 3, 8), (6, 3, 8)),
     dict(key_padding_mask=np.array([[0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 1], [0] * 6], bool)),
     None),
    ('bool_mask_per_head', dict(embed_dim=8, num_heads=2), ((5, 3, 8), (6, 3, 8), (6, 3, 8)),
     dict(attn_mask=np.triu(np.ones((5, 6), bool), 1), average_attn_weights=False), None),
    ('float_mask_3d', dict(embed_dim=8, num_heads=2), ((5, 3, 8), (6, 3, 8), (6, 3, 8)),
     dict(attn_mask=RNG.standard_normal((6, 5, 6))), None),
    ('no_weights', dict(embed_dim=8, num_heads=2), ((5, 3, 8), (6, 3, 8), (6, 3, 8)),
     dict(need_weights=False, attn_mask=np.triu(np.ones((5, 6), bool), 1)), None),
    ('causal_hint', dict(embed_dim=8, num_heads=2), ((5, 3, 8),) * 3,
     dict(need_weights=False, attn_mask=np.triu(np.ones((5, 5), bool), 1), is_causal=True),
     None),
    ('unbatched', dict(embed_dim=8, num_heads=2), ((5, 8), (6, 8), (6, 8)),
     dict(key_padding_mask=np.array([0, 0, 0, 1, 1, 0], bool)), None),
    ('no_bias', dict(embed_dim=8, num_heads=2, bias=False), ((5, 3, 8), (6, 3, 8), (6, 3, 8)),
     dict(need_weights=False), None),
    ('dropout', dict(embed_dim=8, num_heads=2, dropout=0.3), ((5, 3, 8), (6, 3, 8), (6, 3, 8)),
     {}, None),
]


def _mha_run(lib, ctor, arrays, fwd, same):
    lib.manual_seed(0)  # (PyTorch's initialisation and dropout streams)
    m = lib.nn.MultiheadAttention(**ctor).double()
    m.train('dropout' in ctor)
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    q, k, v = ts
    if same == 'qkv':
        k = v = q
    elif same == 'kv':
        v = k
    kw = {n: lib.tensor(a) if isinstance(a, np.ndarray) else a for n, a in fwd.items()}
    out, w = m(q, k, v, **kw)
    r = lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)))
    ((out * out * r).sum() + (0 if w is None else (w * w).sum())).backward()
    values = [out.detach().numpy(), None if w is None else w.detach().numpy()]
    values += [None if t.grad is None else t.grad.numpy() for t in ts]
    values += [p.grad.numpy() for p in m.parameters()]
    names = (out.grad_fn.name(), None if w is None else w.grad_fn.name(),
             [n for n, _ in m.named_parameters()], repr(m))
    return values, names


@pytest.mark.parametrize('name,ctor,shapes,fwd,same', MHA, ids=[c[0] for c in MHA])
def test_multihead_attention_matches_torch(name, ctor, shapes, fwd, same):
    arrays = [RNG.standard_normal(s) for s in shapes]
    (a, na), (b, nb) = (_mha_run(numtorch, ctor, arrays, fwd, same),
                        _mha_run(torch, ctor, arrays, fwd, same))
    assert na == nb
    for u, v in zip(a, b):
        assert (u is None) == (v is None)
        if u is not None:
            np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-10)


def test_multihead_attention_inference_float32():
    """Evaluation under no_grad (PyTorch's fused fast path) agrees to float32 rounding."""
    x = RNG.standard_normal((2, 5, 8)).astype(np.float32)
    pad = np.array([[0, 0, 0, 0, 1], [0] * 5], bool)
    outs = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        m = lib.nn.MultiheadAttention(8, 2, batch_first=True).eval()
        with lib.no_grad():
            t = lib.tensor(x)
            outs.append([o.numpy() for o in m(t, t, t, key_padding_mask=lib.tensor(pad))])
    for u, v in zip(*outs):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)


def test_multihead_attention_errors():
    for ctor in (lambda m: m.nn.MultiheadAttention(8, 3), lambda m: m.nn.MultiheadAttention(0, 2)):
        same_error(lambda: ctor(numtorch), lambda: ctor(torch))

    def call(m, q, k, **kw):
        mod = m.nn.MultiheadAttention(8, 2)
        return lambda: mod(m.zeros(q), m.zeros(k), m.zeros(k), **kw)
    for q, k, kw in [((5, 3, 8), (6, 8), {}), ((5, 3, 6), (6, 3, 6), {}),
                     ((5, 3, 8), (6, 3, 8), dict(is_causal=True)),
                     ((4, 2, 3, 8), (6, 3, 8), {})]:
        same_error(call(numtorch, q, k, **kw), call(torch, q, k, **kw))
    for mask in (np.zeros((4, 6), bool), np.zeros((5, 5, 6), bool)):
        same_error(call(numtorch, (5, 3, 8), (6, 3, 8), attn_mask=numtorch.tensor(mask)),
                   call(torch, (5, 3, 8), (6, 3, 8), attn_mask=torch.tensor(mask)))


def _gpt_losses(lib, steps=12):
    """A small nanoGPT-style model (causal attention with dropout, GELU MLP, weight tying)
    trained with AdamW: its loss at each step."""
    nn, F = lib.nn, lib.nn.functional

    class Block(nn.Module):
        def __init__(self, d, heads, p):
            super().__init__()
            self.heads, self.p = heads, p
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.fc, self.proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
            self.drop = nn.Dropout(p)

        def forward(self, x):
            b, t, c = x.size()
            q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2)
                       for z in self.c_attn(self.ln1(x)).split(c, dim=2))
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.p if self.training
                                               else 0, is_causal=True)
            x = x + self.drop(self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c)))
            return x + self.drop(self.proj(F.gelu(self.fc(self.ln2(x)))))

    class GPT(nn.Module):
        def __init__(self, vocab=50, block=16, d=32, heads=4, layers=2, p=0.1):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(block, d)
            self.drop = nn.Dropout(p)
            self.blocks = nn.ModuleList([Block(d, heads, p) for _ in range(layers)])
            self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, vocab, bias=False)
            self.wte.weight = self.head.weight

        def forward(self, idx, targets):
            x = self.drop(self.wte(idx) + self.wpe(lib.arange(idx.size(1))))
            for blk in self.blocks:
                x = blk(x)
            logits = self.head(self.ln(x))
            return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    lib.manual_seed(0)
    model = GPT()
    opt = lib.optim.AdamW(model.parameters(), lr=1e-3)
    data = np.random.default_rng(0).integers(0, 50, (8, 17))
    x, y = lib.tensor(data[:, :-1]), lib.tensor(data[:, 1:])
    losses = []
    for _ in range(steps):
        loss = model(x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_small_gpt_trains_like_torch():
    np.testing.assert_allclose(_gpt_losses(numtorch), _gpt_losses(torch), rtol=2e-6)
