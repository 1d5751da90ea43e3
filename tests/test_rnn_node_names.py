"""grad_fn names of the recurrent cells and layers, against PyTorch's (CPU).

numtorch runs a whole layer (or a cell) as one fused graph node; that node carries the name
PyTorch's kernels give the output (TanhBackward0 for an RNN cell, StackBackward0 for a
layer's steps, CatBackward0 for two directions or a packed run, TransposeBackward* for
batch_first, MkldnnRnnLayerBackward0 for a float32 LSTM), and h_n / c_n get their own
StackBackward0 node, as in PyTorch. Gradients through those nodes are checked too.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
from numtorch.nn.utils.rnn import pack_padded_sequence as nt_pack

pytestmark = pytest.mark.filterwarnings('ignore:LSTM with projections:UserWarning')


def name(t) -> str | None:
    return None if t.grad_fn is None else t.grad_fn.name()


def flat(out) -> list:
    """The tensors of a module's result; a PackedSequence (a tuple too) gives its data."""
    if hasattr(out, 'batch_sizes'):
        return [out.data]
    if isinstance(out, tuple):
        return [x for o in out for x in flat(o)]
    return [out]


def names(out) -> list:
    return [name(t) for t in flat(out)]


def twin(cls: str, *args, dtype=np.float32, **kw):
    mp = getattr(torch.nn, cls)(*args, **kw).to(getattr(torch, np.dtype(dtype).name))
    mn = getattr(numtorch.nn, cls)(*args, **kw).to(getattr(numtorch, np.dtype(dtype).name))
    mn.load_state_dict({k: numtorch.tensor(v.detach().numpy()) for k, v in
                        mp.state_dict().items()})
    return mp, mn


def run_both(cls, shape, *args, dtype=np.float32, packed=None, **kw):
    mp, mn = twin(cls, *args, dtype=dtype, **kw)
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    xp = torch.tensor(x, requires_grad=True)
    xn = numtorch.tensor(x, requires_grad=True)
    ip, inn = xp, xn
    if packed is not None:
        ip = torch.nn.utils.rnn.pack_padded_sequence(xp, packed)
        inn = nt_pack(xn, packed)
    return mp(ip), mn(inn), (xp, xn), (mp, mn)


CELLS = [('RNNCell', {}), ('RNNCell', {'nonlinearity': 'relu'}),
         ('RNNCell', {'bias': False}), ('GRUCell', {}), ('GRUCell', {'bias': False}),
         ('LSTMCell', {}), ('LSTMCell', {'bias': False})]


@pytest.mark.parametrize('cls,kw', CELLS)
@pytest.mark.parametrize('batched', [True, False])
def test_cell_names(cls, kw, batched):
    shape = (2, 3) if batched else (3,)
    op, on, _, _ = run_both(cls, shape, 3, 4, **kw)
    assert names(on) == names(op)


LAYER_KW = [{}, {'num_layers': 2}, {'bias': False}, {'bidirectional': True},
            {'batch_first': True}, {'num_layers': 2, 'bidirectional': True},
            {'num_layers': 2, 'bidirectional': True, 'batch_first': True},
            {'num_layers': 2, 'dropout': 0.5}]


@pytest.mark.parametrize('cls', ['RNN', 'GRU', 'LSTM'])
@pytest.mark.parametrize('kw', LAYER_KW)
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_layer_names(cls, kw, dtype):
    op, on, _, _ = run_both(cls, (5, 2, 3), 3, 4, dtype=dtype, **kw)
    assert names(on) == names(op)
    # unbatched (2-D) input
    op, on, _, _ = run_both(cls, (5, 3), 3, 4, dtype=dtype, **kw)
    assert names(on) == names(op)


def test_rnn_relu_layer_names():
    op, on, _, _ = run_both('RNN', (5, 2, 3), 3, 4, nonlinearity='relu')
    assert names(on) == names(op)


@pytest.mark.parametrize('kw', [{'proj_size': 2}, {'proj_size': 2, 'batch_first': True},
                                {'proj_size': 2, 'num_layers': 2, 'bidirectional': True}])
def test_lstm_proj_names(kw):
    op, on, _, _ = run_both('LSTM', (5, 2, 3), 3, 4, **kw)
    assert names(on) == names(op)


@pytest.mark.parametrize('cls', ['RNN', 'GRU', 'LSTM'])
@pytest.mark.parametrize('kw', [{}, {'num_layers': 2, 'bidirectional': True}])
def test_packed_names(cls, kw):
    op, on, _, _ = run_both(cls, (5, 2, 3), 3, 4, packed=[5, 3], **kw)
    assert names(on) == names(op)


def test_float16_lstm_is_not_onednn():
    op, on, _, _ = run_both('LSTM', (3, 2, 3), 3, 4, dtype=np.float16)
    assert names(on) == names(op) == ['StackBackward0'] * 3


def test_weights_only_and_no_grad():
    mp, mn = twin('GRU', 3, 4, 2)
    x = np.ones((4, 2, 3), np.float32)
    assert names(mn(numtorch.tensor(x))) == names(mp(torch.tensor(x)))
    with torch.no_grad(), numtorch.no_grad():
        assert names(mn(numtorch.tensor(x))) == names(mp(torch.tensor(x))) == [None, None]


@pytest.mark.parametrize('cls,kw,shape', [
    ('RNN', {'num_layers': 2, 'bidirectional': True}, (4, 2, 3)),
    ('LSTM', {'num_layers': 2, 'batch_first': True}, (2, 4, 3)),
    ('GRU', {}, (4, 2, 3)),
    ('LSTMCell', {}, (2, 3)),
])
def test_grads_through_renamed_nodes(cls, kw, shape):
    # Gradients of the final states alone, and of every output with separate weights,
    # reach the input and weights as in PyTorch (h_n goes through its own Stack node).
    op, on, (xp, xn), (mp, mn) = run_both(cls, shape, 3, 4, dtype=np.float64, **kw)
    fp, fn = flat(op), flat(on)
    rng = np.random.default_rng(1)
    for k in range(len(fp) + 1):
        ws = [rng.standard_normal(t.shape) for t in fp]
        sel = range(len(fp)) if k == len(fp) else [k]
        lp = sum((fp[i] * torch.tensor(ws[i])).sum() for i in sel)
        ln = sum((fn[i] * numtorch.tensor(ws[i])).sum() for i in sel)
        gp = torch.autograd.grad(lp, [xp, *mp.parameters()], retain_graph=True)
        gn = numtorch.autograd.grad(ln, [xn, *mn.parameters()], retain_graph=True)
        for a, b in zip(gn, gp):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)
