"""nn.Transformer and its encoder/decoder layers and stacks against PyTorch: repr, the
init-time warning, outputs and every gradient (masks, key padding, batch_first, norm_first,
gelu, dropout from torch's random stream), evaluation under no_grad (PyTorch's nested-tensor
path: padded positions zeroed), the causal mask helper and errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import numtorch
from test_nn_conv import same_error

RNG = np.random.default_rng(41)
E = 8
PAD = np.array([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0], [0, 0, 0, 0, 1]], bool)
CAUSAL4 = np.triu(np.full((4, 4), -np.inf), 1)


def _build(lib, kind, kw):
    lib.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        if kind == 'encoder':
            m = lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(**kw), 2,
                                          lib.nn.LayerNorm(kw['d_model']))
        elif kind == 'decoder':
            m = lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(**kw), 2)
        else:
            m = lib.nn.Transformer(**kw)
    return m.double(), [str(w.message) for w in caught]


def _run(lib, kind, kw, arrays, fwd, train, no_grad):
    m, warned = _build(lib, kind, kw)
    m.train(train)
    ts = [lib.tensor(a, requires_grad=not no_grad) for a in arrays]
    fwd = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in fwd.items()}
    lib.manual_seed(1)
    if no_grad:
        with lib.no_grad():
            return [m(*ts, **fwd).numpy()], warned, repr(m)
    y = m(*ts, **fwd)
    r = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
    (y * y * r).sum().backward()
    values = [y.detach().numpy()] + [t.grad.numpy() for t in ts]
    return values + [p.grad.numpy() for p in m.parameters()], warned, repr(m)


def _kw(**extra):
    return dict(dict(d_model=E, nhead=2, dim_feedforward=16, dropout=0.0), **extra)


CASES = [  # (id, kind, constructor arguments, input shapes, forward arguments, train, no_grad)
    ('encoder', 'encoder', _kw(), [(5, 3, E)], {}, False, False),
    ('encoder_norm_first_gelu_padding', 'encoder',
     _kw(batch_first=True, norm_first=True, activation='gelu'), [(3, 5, E)],
     dict(src_key_padding_mask=PAD), False, False),
    ('encoder_causal_mask', 'encoder', _kw(), [(5, 3, E)],
     dict(mask=np.triu(np.full((5, 5), -np.inf), 1)), False, False),
    ('encoder_dropout', 'encoder', _kw(dropout=0.2), [(5, 3, E)], {}, True, False),
    ('encoder_batch_first_dropout', 'encoder', _kw(dropout=0.2, batch_first=True),
     [(3, 5, E)], {}, True, False),
    ('decoder', 'decoder', _kw(), [(4, 3, E), (5, 3, E)], dict(tgt_mask=CAUSAL4), False,
     False),
    ('transformer', 'transformer',
     dict(d_model=E, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16,
          dropout=0.1, batch_first=True), [(3, 5, E), (3, 4, E)],
     dict(tgt_mask=CAUSAL4, src_key_padding_mask=PAD), True, False),
    ('encoder_inference_padding', 'encoder', _kw(batch_first=True), [(3, 5, E)],
     dict(src_key_padding_mask=PAD), False, True),
]


@pytest.mark.parametrize('name,kind,kw,shapes,fwd,train,no_grad', CASES,
                         ids=[c[0] for c in CASES])
def test_matches_torch(name, kind, kw, shapes, fwd, train, no_grad):
    arrays = [RNG.standard_normal(s) for s in shapes]
    a, wa, ra = _run(numtorch, kind, kw, arrays, fwd, train, no_grad)
    b, wb, rb = _run(torch, kind, kw, arrays, fwd, train, no_grad)
    assert ra == rb and wa == wb and len(a) == len(b)
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-8, atol=1e-9)


def test_square_subsequent_mask():
    for dtype in (None, 'float64'):
        a = numtorch.nn.Transformer.generate_square_subsequent_mask(
            4, dtype=None if dtype is None else numtorch.float64)
        b = torch.nn.Transformer.generate_square_subsequent_mask(
            4, dtype=None if dtype is None else torch.float64)
        assert str(a.dtype)[6:] == str(b.dtype)[6:]
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_errors():
    def tf(m, src, tgt, **kw):
        m.manual_seed(0)
        model = m.nn.Transformer(d_model=E, nhead=2, num_encoder_layers=1,
                                 num_decoder_layers=1, dim_feedforward=8, **kw)
        return lambda: model(m.zeros(src), m.zeros(tgt))
    same_error(tf(numtorch, (5, 3, E), (4, 2, E)), tf(torch, (5, 3, E), (4, 2, E)))
    same_error(tf(numtorch, (5, 3, E), (4, 3, 6)), tf(torch, (5, 3, E), (4, 3, 6)))
    same_error(lambda: numtorch.nn.TransformerEncoderLayer(E, 2, activation='tanh'),
               lambda: torch.nn.TransformerEncoderLayer(E, 2, activation='tanh'))
