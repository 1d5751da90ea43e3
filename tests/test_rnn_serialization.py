"""Whole recurrent modules through ``torch.save`` / ``torch.load`` (weights_only=False) in
both directions: numtorch's files load into real PyTorch and run there, PyTorch's load
into numtorch (including the layouts older PyTorch versions pickled), with the same
``_flat_weights`` / ``_flat_weights_names`` / ``_all_weights`` attributes."""
from __future__ import annotations

import io

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
from conftest import assert_close

RNG = np.random.default_rng(5)
CTORS = ['LSTM(3, 4, 2, bidirectional=True)', 'GRU(3, 4, bias=False, batch_first=True)',
         "RNN(3, 4, nonlinearity='relu')", 'LSTM(3, 4, proj_size=2, num_layers=2)',
         'GRU(3, 4, 2, dropout=0.5)']


def _saved(lib, obj) -> io.BytesIO:
    buf = io.BytesIO()
    lib.save(obj, buf)
    buf.seek(0)
    return buf


def _outputs_equal(mn, mp) -> None:
    mn.eval(), mp.eval()
    x = RNG.standard_normal((5, 2, 3)).astype(np.float32)
    on, op = mn(numtorch.tensor(x)), mp(torch.tensor(x))
    flat_n = [on[0]] + (list(on[1]) if isinstance(on[1], tuple) else [on[1]])
    flat_p = [op[0]] + (list(op[1]) if isinstance(op[1], tuple) else [op[1]])
    for a, b in zip(flat_n, flat_p):
        assert_close(a, b, 1e-5, 1e-6)


@pytest.mark.filterwarnings('ignore:LSTM with projections')
@pytest.mark.parametrize('ctor', CTORS)
def test_numtorch_module_loads_into_torch(ctor):
    mn = eval('nn.' + ctor)
    mn.weight_hh_l0 = nn.Parameter(numtorch.randn(*mn.weight_hh_l0.shape))  # kept current
    mp = torch.load(_saved(numtorch, mn), weights_only=False)
    assert type(mp) is getattr(torch.nn, ctor.split('(')[0])
    assert repr(mp) == repr(mn)
    assert mp._flat_weights_names == mn._flat_weights_names
    assert mp._all_weights == mn._all_weights
    assert all(a is b for a, b in zip(mp._flat_weights, mp.parameters()))
    _outputs_equal(mn, mp)
    mp.train()
    out = mp(torch.randn(4, 2, 3))[0]
    out.sum().backward()  # trains in torch
    assert mp.weight_ih_l0.grad is not None


@pytest.mark.filterwarnings('ignore:LSTM with projections')
@pytest.mark.parametrize('ctor', CTORS)
def test_torch_module_loads_into_numtorch(ctor):
    mp = eval('torch.nn.' + ctor)
    mn = numtorch.load(_saved(torch, mp), weights_only=False)
    assert type(mn) is getattr(nn, ctor.split('(')[0])
    assert repr(mn) == repr(mp)
    assert mn._flat_weights_names == mp._flat_weights_names
    assert [a is b for a, b in zip(mn._flat_weights, mn.parameters())] == \
        [True] * len(mp._flat_weights)
    assert '_flat_weight_refs' not in mn.__dict__
    _outputs_equal(mn, mp)
    # and back to torch again
    mp2 = torch.load(_saved(numtorch, mn), weights_only=False)
    _outputs_equal(mn, mp2)


def test_same_attributes_as_torch():
    mn, mp = nn.LSTM(3, 4, 2, bidirectional=True), torch.nn.LSTM(3, 4, 2, bidirectional=True)
    assert set(mn.__getstate__()) == set(mp.__getstate__())
    m = nn.GRU(2, 3)
    m.weight_ih_l0 = nn.Parameter(numtorch.ones(9, 2))
    assert m._flat_weights[0] is m.weight_ih_l0
    m.double()
    assert m._flat_weights[0] is m.weight_ih_l0 and m._flat_weights[0].dtype == numtorch.float64


def _legacy_file(mp, state) -> io.BytesIO:
    """``mp`` pickled with ``state`` as its __dict__ (the layout an older PyTorch wrote)."""
    cls = type(mp)
    had = cls.__dict__.get('__getstate__')
    cls.__getstate__ = lambda self: state
    try:
        return _saved(torch, mp)
    finally:
        if had is None:
            del cls.__getstate__
        else:
            cls.__getstate__ = had


@pytest.mark.parametrize('layout', ['tensors_in_all_weights', 'all_weights_key'])
@pytest.mark.parametrize('ctor', ['LSTM(3, 4, 2, bidirectional=True)', 'GRU(3, 4, bias=False)'])
def test_old_pytorch_layouts_load(layout, ctor):
    mp = eval('torch.nn.' + ctor)
    state = mp.__getstate__()
    del state['proj_size']
    if layout == 'tensors_in_all_weights':
        state['_all_weights'] = [[getattr(mp, n) for n in ns] for ns in state['_all_weights']]
        del state['_flat_weights_names'], state['_flat_weights']
    else:
        state['all_weights'] = state.pop('_all_weights')
    buf = _legacy_file(mp, state)
    tp = torch.load(buf, weights_only=False)
    buf.seek(0)
    tn = numtorch.load(buf, weights_only=False)
    assert tn.proj_size == tp.proj_size == 0
    assert tn._all_weights == tp._all_weights
    assert tn._flat_weights_names == tp._flat_weights_names
    assert [a is b for a, b in zip(tn._flat_weights, tn.parameters())] == \
        [True] * len(tp._flat_weights)
    _outputs_equal(tn, tp)
