"""Recurrent layers and cells against PyTorch: same weights (moved by state_dict), same
inputs -> same outputs, final states and every gradient; packed sequences; the same
seed -> the same initial weights and dropout masks; repr; errors with PyTorch's
messages; gradchecks."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
from numtorch.autograd import gradcheck
from numtorch.nn.utils import rnn as U
from torch.nn.utils import rnn as TU
from conftest import assert_close

RNG = np.random.default_rng(11)
RTOL, ATOL = 2e-4, 2e-5


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def nt(a, rg=False):
    return numtorch.tensor(a, requires_grad=rg)


def pt(a, rg=False):
    return torch.tensor(a, requires_grad=rg)


def twin(cls_name, *args, dtype=None, **kwargs):
    """The torch module and a numtorch module loaded from its state_dict."""
    mp = getattr(torch.nn, cls_name)(*args, **kwargs)
    mn = getattr(nn, cls_name)(*args, **kwargs)
    if dtype == np.float64:
        mp, mn = mp.double(), mn.double()
    sd = {k: numtorch.tensor(v.detach().numpy()) for k, v in mp.state_dict().items()}
    mn.load_state_dict(sd)
    return mp, mn


def flat(out):
    """Output tensors of a recurrent module call, as a list."""
    res = []
    for o in out:
        if isinstance(o, (U.PackedSequence, TU.PackedSequence)):
            res.append(o.data)
        elif isinstance(o, tuple):
            res.extend(o)
        else:
            res.append(o)
    return res


def backward_both(outs_p, outs_n):
    """Backward of sum(out * random weights) in both; returns nothing."""
    lp = 0
    ln = 0
    for a, b in zip(outs_p, outs_n):
        g = rand(*a.shape, dtype=a.detach().numpy().dtype)
        lp = lp + (a * pt(g)).sum()
        ln = ln + (b * nt(g)).sum()
    lp.backward()
    ln.backward()


def compare_module(mp, mn, args_p, args_n, leaves):
    outs_p = flat(mp(*args_p))
    outs_n = flat(mn(*args_n))
    for a, b in zip(outs_n, outs_p):
        assert_close(a, b, RTOL, ATOL)
    backward_both(outs_p, outs_n)
    for a, b in leaves:
        assert_close(a.grad, b.grad, RTOL, ATOL)
    pn = dict(mn.named_parameters())
    for name, p in mp.named_parameters():
        assert_close(pn[name].grad, p.grad, RTOL, ATOL)


LAYER_CONFIGS = [  # num_layers, bidirectional, batch_first, with initial state
    (1, False, False, False),
    (1, True, True, True),
    (2, False, True, True),
    (2, True, False, False),
    (3, True, True, True),
    (3, False, False, True),
]
MODES = [('RNN', {}), ('RNN', {'nonlinearity': 'relu'}), ('LSTM', {}), ('GRU', {})]


def states(name, L, B, H, P=None):
    h = rand(L, B, P or H)
    if name == 'LSTM':
        return h, rand(L, B, H)
    return (h,)


@pytest.mark.parametrize('mode', MODES, ids=['rnn_tanh', 'rnn_relu', 'lstm', 'gru'])
@pytest.mark.parametrize('cfg', LAYER_CONFIGS, ids=lambda c: 'L{}-bi{:d}-bf{:d}-h0{:d}'.format(*c))
def test_layer_matches_torch(mode, cfg):
    name, kw = mode
    L, bi, bf, with_h0 = cfg
    I, H, T, B = 5, 7, 6, 4
    mp, mn = twin(name, I, H, L, bidirectional=bi, batch_first=bf, **kw)
    x = rand(B, T, I) if bf else rand(T, B, I)
    xp, xn = pt(x, True), nt(x, True)
    args_p, args_n, leaves = [xp], [xn], [(xn, xp)]
    if with_h0:
        hs = states(name, L * (2 if bi else 1), B, H)
        hp = [pt(h, True) for h in hs]
        hn = [nt(h, True) for h in hs]
        leaves += list(zip(hn, hp))
        args_p.append(tuple(hp) if name == 'LSTM' else hp[0])
        args_n.append(tuple(hn) if name == 'LSTM' else hn[0])
    compare_module(mp, mn, args_p, args_n, leaves)


@pytest.mark.parametrize('cfg', [(1, False, False), (2, True, True), (3, False, True)])
def test_lstm_proj_size(cfg):
    L, bi, bf = cfg
    I, H, P, T, B = 4, 6, 3, 5, 3
    mp, mn = twin('LSTM', I, H, L, bidirectional=bi, batch_first=bf, proj_size=P)
    assert [n for n, _ in mn.named_parameters()] == [n for n, _ in mp.named_parameters()]
    x = rand(B, T, I) if bf else rand(T, B, I)
    D = 2 if bi else 1
    h, c = rand(L * D, B, P), rand(L * D, B, H)
    xp, xn, hp, hn, cp, cn = pt(x, True), nt(x, True), pt(h, True), nt(h, True), pt(c, True), \
        nt(c, True)
    compare_module(mp, mn, [xp, (hp, cp)], [xn, (hn, cn)], [(xn, xp), (hn, hp), (cn, cp)])


@pytest.mark.parametrize('name', ['RNN', 'LSTM', 'GRU'])
def test_no_bias_float64_and_train_mode_zero_dropout(name):
    mp, mn = twin(name, 3, 4, 2, bias=False, bidirectional=True, dtype=np.float64)
    assert 'bias_ih_l0' not in dict(mn.named_parameters())
    mp.train(), mn.train()
    x = rand(5, 2, 3, dtype=np.float64)
    xp, xn = pt(x, True), nt(x, True)
    compare_module(mp, mn, [xp], [xn], [(xn, xp)])
    out, _ = mn(xn)
    assert out.dtype == numtorch.float64


@pytest.mark.parametrize('name', ['RNN', 'LSTM', 'GRU'])
def test_unbatched_input(name):
    mp, mn = twin(name, 3, 4, 2, bidirectional=True)
    x = rand(6, 3)
    hs = states(name, 4, 1, 4)
    hs = [h[:, 0] for h in hs]
    xp, xn = pt(x, True), nt(x, True)
    hp, hn = [pt(h, True) for h in hs], [nt(h, True) for h in hs]
    ap = [xp, tuple(hp) if name == 'LSTM' else hp[0]]
    an = [xn, tuple(hn) if name == 'LSTM' else hn[0]]
    compare_module(mp, mn, ap, an, [(xn, xp)] + list(zip(hn, hp)))
    out, h = mn(xn)
    assert tuple(out.shape) == (6, 8)
    mp2, mn2 = twin(name, 3, 4, batch_first=True)
    assert_close(mn2(xn)[0], mp2(xp)[0], RTOL, ATOL)


@pytest.mark.parametrize('name', ['RNN', 'LSTM', 'GRU'])
@pytest.mark.parametrize('trainable', ['bias_hh', 'weight_hh', 'weight_ih', 'bias_ih'])
def test_only_some_parameters_train(name, trainable):
    # Backward computes only what is asked for; each gradient still equals torch's.
    mp, mn = twin(name, 3, 4, 2, bidirectional=True)
    for m in (mp, mn):
        for k, p in m.named_parameters():
            p.requires_grad_(k.startswith(trainable))
    x = rand(5, 2, 3)
    outs_p, outs_n = flat(mp(pt(x))), flat(mn(nt(x)))
    backward_both(outs_p, outs_n)
    pn = dict(mn.named_parameters())
    for k, p in mp.named_parameters():
        assert (pn[k].grad is None) == (p.grad is None), k
        if p.grad is not None:
            assert_close(pn[k].grad, p.grad, RTOL, ATOL)


def test_one_graph_node_per_layer():
    m = nn.GRU(3, 4, 2, bidirectional=True)
    x = nt(rand(5, 2, 3), True)
    out, h = m(x)
    node = out.grad_fn
    leaves = [f[0].variable for f in node.next_functions if f[0] is not None
              and f[0].name() == 'torch::autograd::AccumulateGrad']
    # the last layer's node takes both directions' weights directly
    assert set(map(id, leaves)) == {id(p) for k, p in m.named_parameters() if '_l1' in k}
    below = [f[0] for f in node.next_functions if f[0] is not None and f[0].name() == node.name()]
    assert len(below) == 1  # the first layer's node


@pytest.mark.parametrize('name', ['RNN', 'LSTM', 'GRU'])
def test_several_graphs_alive_and_retain_graph(name):
    # Saved arrays come from a reuse pool (arrays of 64 KiB and more); graphs alive at
    # the same time must not share them.
    mp, mn = twin(name, 2, 32, 2, bidirectional=True, dtype=np.float64)
    xs = [rand(16, 16, 2, dtype=np.float64) for _ in range(3)]
    outs_p = [flat(mp(pt(x))) for x in xs]
    outs_n = [flat(mn(nt(x))) for x in xs]
    for _ in range(2):  # the second time through the same graphs
        lp = sum((o * (i + 1)).sum() for i, os_ in enumerate(outs_p) for o in os_)
        ln = sum((o * (i + 1)).sum() for i, os_ in enumerate(outs_n) for o in os_)
        lp.backward(retain_graph=True)
        ln.backward(retain_graph=True)
    pn = dict(mn.named_parameters())
    for k, p in mp.named_parameters():
        assert_close(pn[k].grad, p.grad, RTOL, ATOL)


@pytest.mark.parametrize('name', ['RNN', 'LSTM', 'GRU'])
@pytest.mark.parametrize('bi', [False, True])
def test_no_grad_outputs_match_and_stay_valid(name, bi):
    # Without a graph, outputs are views of pooled state buffers (and the layers skip
    # what only backward needs); a later call must not reuse an output still held.
    mp, mn = twin(name, 3, 40, 3, bidirectional=bi)
    xs = [rand(7, 50, 3) for _ in range(2)]
    with numtorch.no_grad():
        first = mn(nt(xs[0]))
        second = mn(nt(xs[1]))
    with torch.no_grad():
        expect = [mp(pt(x)) for x in xs]
    for got, exp in zip([first, second], expect):
        for a, b in zip(flat(got), flat(exp)):
            assert_close(a, b, RTOL, ATOL)


# -- packed sequences ------------------------------------------------------------------
@pytest.mark.parametrize('name', ['RNN', 'LSTM', 'GRU'])
@pytest.mark.parametrize('cfg', [(1, False, True, True), (2, True, False, True),
                                 (2, True, True, False), (3, False, False, False)],
                         ids=lambda c: 'L{}-bi{:d}-sorted{:d}-h0{:d}'.format(*c))
def test_packed_matches_torch(name, cfg):
    L, bi, sort, with_h0 = cfg
    I, H, T = 3, 5, 6
    lengths = [6, 4, 4, 2, 1] if sort else [2, 6, 1, 4, 4]
    B = len(lengths)
    mp, mn = twin(name, I, H, L, bidirectional=bi, batch_first=True)
    x = rand(B, T, I)
    xp, xn = pt(x, True), nt(x, True)
    pp = TU.pack_padded_sequence(xp, lengths, batch_first=True, enforce_sorted=sort)
    pn = U.pack_padded_sequence(xn, lengths, batch_first=True, enforce_sorted=sort)
    args_p, args_n, leaves = [pp], [pn], [(xn, xp)]
    if with_h0:
        hs = states(name, L * (2 if bi else 1), B, H)
        hp = [pt(h, True) for h in hs]
        hn = [nt(h, True) for h in hs]
        leaves += list(zip(hn, hp))
        args_p.append(tuple(hp) if name == 'LSTM' else hp[0])
        args_n.append(tuple(hn) if name == 'LSTM' else hn[0])
    outp, outn = mp(*args_p), mn(*args_n)
    assert isinstance(outn[0], U.PackedSequence)
    assert outn[0].batch_sizes.tolist() == outp[0].batch_sizes.tolist()
    yp, lp = TU.pad_packed_sequence(outp[0], batch_first=True, total_length=T + 1)
    yn, ln = U.pad_packed_sequence(outn[0], batch_first=True, total_length=T + 1)
    assert ln.tolist() == lp.tolist() == lengths
    fp = [yp] + flat(outp[1:])
    fn = [yn] + flat(outn[1:])
    for a, b in zip(fn, fp):
        assert_close(a, b, RTOL, ATOL)
    backward_both(fp, fn)
    for a, b in leaves:
        assert_close(a.grad, b.grad, RTOL, ATOL)
    pnm = dict(mn.named_parameters())
    for k, p in mp.named_parameters():
        assert_close(pnm[k].grad, p.grad, RTOL, ATOL)


@pytest.mark.parametrize('bi', [False, True])
def test_packed_lstm_with_projection(bi):
    mp, mn = twin('LSTM', 3, 5, 2, bidirectional=bi, proj_size=2)
    lengths = [1, 4, 3]
    seqs = [rand(n, 3) for n in lengths]
    sp = [pt(a, True) for a in seqs]
    sn = [nt(a, True) for a in seqs]
    op, (hp, cp) = mp(TU.pack_sequence(sp, enforce_sorted=False))
    on, (hn, cn) = mn(U.pack_sequence(sn, enforce_sorted=False))
    yp, _ = TU.pad_packed_sequence(op)
    yn, _ = U.pad_packed_sequence(on)
    for a, b in zip([yn, hn, cn], [yp, hp, cp]):
        assert_close(a, b, RTOL, ATOL)
    backward_both([yp, hp, cp], [yn, hn, cn])
    for a, b in zip(sn, sp):
        assert_close(a.grad, b.grad, RTOL, ATOL)
    pn = dict(mn.named_parameters())
    for k, p in mp.named_parameters():
        assert_close(pn[k].grad, p.grad, RTOL, ATOL)


def test_packed_final_state_is_taken_at_each_true_length():
    rnn = nn.GRU(2, 3)
    seqs = [nt(rand(n, 2)) for n in (4, 2, 3)]
    out, h = rnn(U.pack_sequence(seqs, enforce_sorted=False))
    for i, s in enumerate(seqs):
        _, hi = rnn(s[:, None])
        assert_close(h[:, i], torch.tensor(hi[:, 0]._data), 1e-5, 1e-6)


# Lengths that drive PyTorch's introsort into its heapsort fallback (found by running
# McIlroy's quicksort adversary against it), with ties.
HEAPSORT_LENGTHS = [10, 19, 1, 18, 2, 17, 3, 16, 4, 15, 2, 14, 4, 13, 1, 12, 5, 11, 9, 19, 18,
                    17, 16, 15, 14, 13, 12, 11, 10, 6, 5, 7, 6, 8, 7, 9, 8, 3]


@pytest.mark.parametrize('lengths', [
    [3, 1, 3, 2, 3, 1, 1, 2, 3, 2, 2, 1, 3, 3, 1, 2, 2],   # 17: past insertion sort
    RNG.integers(1, 4, 40).tolist(), RNG.integers(1, 7, 256).tolist(),
    sorted(RNG.integers(1, 5, 30).tolist()), HEAPSORT_LENGTHS],
    ids=['17', '40', '256', 'ascending', 'heapsort'])
def test_unsorted_packing_orders_equal_lengths_as_torch(lengths):
    # torch.sort (not stable) decides where tied sequences go in the packed batch.
    T, B = max(lengths), len(lengths)
    x = rand(T, B, 2)
    pp = TU.pack_padded_sequence(pt(x), lengths, enforce_sorted=False)
    pn = U.pack_padded_sequence(nt(x), lengths, enforce_sorted=False)
    assert pn.sorted_indices.tolist() == pp.sorted_indices.tolist()
    assert pn.unsorted_indices.tolist() == pp.unsorted_indices.tolist()
    assert pn.batch_sizes.tolist() == pp.batch_sizes.tolist()
    assert_close(pn.data, pp.data, 0, 0)
    seqs = [x[:n, i] for i, n in enumerate(lengths)]
    sp = TU.pack_sequence([pt(a) for a in seqs], enforce_sorted=False)
    sn = U.pack_sequence([nt(a) for a in seqs], enforce_sorted=False)
    assert sn.sorted_indices.tolist() == sp.sorted_indices.tolist()


# -- cells ------------------------------------------------------------------------------
CELLS = [('RNNCell', {}), ('RNNCell', {'nonlinearity': 'relu'}), ('RNNCell', {'bias': False}),
         ('LSTMCell', {}), ('LSTMCell', {'bias': False}), ('GRUCell', {}),
         ('GRUCell', {'bias': False})]


@pytest.mark.parametrize('cell', CELLS,
                         ids=lambda c: c[0] + ''.join(f'-{v}' for v in c[1].values()))
@pytest.mark.parametrize('batched', [True, False])
@pytest.mark.parametrize('with_h', [True, False])
def test_cell_matches_torch(cell, batched, with_h):
    name, kw = cell
    mp, mn = twin(name, 4, 3, **kw)
    shape = (5,) if batched else ()
    x = rand(*shape, 4)
    xp, xn = pt(x, True), nt(x, True)
    args_p, args_n, leaves = [xp], [xn], [(xn, xp)]
    if with_h:
        hs = [rand(*shape, 3) for _ in range(2 if name == 'LSTMCell' else 1)]
        hp = [pt(h, True) for h in hs]
        hn = [nt(h, True) for h in hs]
        leaves += list(zip(hn, hp))
        args_p.append(tuple(hp) if name == 'LSTMCell' else hp[0])
        args_n.append(tuple(hn) if name == 'LSTMCell' else hn[0])
    op, on = mp(*args_p), mn(*args_n)
    op = list(op) if isinstance(op, tuple) else [op]
    on = list(on) if isinstance(on, tuple) else [on]
    for a, b in zip(on, op):
        assert_close(a, b, RTOL, ATOL)
    backward_both(op, on)
    for a, b in leaves:
        assert_close(a.grad, b.grad, RTOL, ATOL)
    pn = dict(mn.named_parameters())
    for k, p in mp.named_parameters():
        assert_close(pn[k].grad, p.grad, RTOL, ATOL)


def test_cell_loop_over_time_matches_torch():
    mp, mn = twin('LSTMCell', 3, 4)
    x = rand(6, 2, 3)
    xp, xn = pt(x, True), nt(x, True)
    hp = cp = torch.zeros(2, 4)
    hn = cn = numtorch.zeros(2, 4)
    lp = ln = 0
    for t in range(6):
        hp, cp = mp(xp[t], (hp, cp))
        hn, cn = mn(xn[t], (hn, cn))
        lp = lp + hp.pow(2).sum()
        ln = ln + hn.pow(2).sum()
    assert_close(ln, lp, RTOL, ATOL)
    lp.backward()
    ln.backward()
    assert_close(xn.grad, xp.grad, RTOL, ATOL)
    assert_close(mn.weight_hh.grad, mp.weight_hh.grad, RTOL, ATOL)


# -- gradcheck (float64 finite differences) ----------------------------------------------
def _params64(shapes):
    return [nt(rand(*s, dtype=np.float64) * 0.5, True) for s in shapes]


@pytest.mark.parametrize('fn,gates', [(numtorch.rnn_tanh_cell, 1), (numtorch.rnn_relu_cell, 1),
                                      (numtorch.gru_cell, 3)])
def test_gradcheck_cells(fn, gates):
    x, h, wi, wh, bi, bh = _params64([(3, 2), (3, 4), (gates * 4, 2), (gates * 4, 4),
                                      (gates * 4,), (gates * 4,)])
    assert gradcheck(fn, (x, h, wi, wh, bi, bh))


def test_gradcheck_lstm_cell():
    x, h, c, wi, wh, bi, bh = _params64([(3, 2), (3, 4), (3, 4), (16, 2), (16, 4), (16,), (16,)])
    assert gradcheck(lambda *a: numtorch.lstm_cell(a[0], (a[1], a[2]), *a[3:]),
                     (x, h, c, wi, wh, bi, bh))


@pytest.mark.parametrize('name,gates', [('rnn_tanh', 1), ('rnn_relu', 1), ('gru', 3),
                                        ('lstm', 4)])
@pytest.mark.parametrize('bidirectional', [False, True])
def test_gradcheck_two_step_sequence(name, gates, bidirectional):
    H, I, B = 3, 2, 2
    D = 2 if bidirectional else 1
    shapes = [(2, B, I), (D, B, H)] + ([(D, B, H)] if name == 'lstm' else [])
    per = [(gates * H, I), (gates * H, H), (gates * H,), (gates * H,)]
    ts = _params64(shapes + per * D)
    fn = getattr(numtorch, name)
    k = 3 if name == 'lstm' else 2

    def f(*a):
        hx = (a[1], a[2]) if name == 'lstm' else a[1]
        return fn(a[0], hx, list(a[k:]), True, 1, 0.0, True, bidirectional, False)
    assert gradcheck(f, tuple(ts))


def test_gradcheck_packed_lstm_with_projection():
    bs = numtorch.tensor([3, 2, 1])
    data, h, c = _params64([(6, 2), (2, 3, 2), (2, 3, 3)])
    ws = _params64([(12, 2), (12, 2), (12,), (12,), (2, 3)] * 2)

    def f(data, h, c, *w):
        return numtorch.lstm(data, bs, (h, c), list(w), True, 1, 0.0, True, True)
    assert gradcheck(f, (data, h, c, *ws))


# -- initialisation, state_dict, repr ----------------------------------------------------
@pytest.mark.parametrize('ctor', [
    lambda m: m.RNN(3, 4, 2, bidirectional=True), lambda m: m.LSTM(3, 5, proj_size=2),
    lambda m: m.GRU(2, 3, 3, bias=False), lambda m: m.RNNCell(4, 2), lambda m: m.LSTMCell(3, 4),
    lambda m: m.GRUCell(3, 4)])
def test_initial_weights_equal_torch_after_same_seed(ctor):
    torch.manual_seed(5)
    numtorch.manual_seed(5)
    mp, mn = ctor(torch.nn), ctor(nn)
    np_ = list(mp.named_parameters())
    nn_ = list(mn.named_parameters())
    assert [k for k, _ in nn_] == [k for k, _ in np_]
    for (_, a), (_, b) in zip(nn_, np_):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    # a numtorch state_dict loads into torch unchanged
    mp.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mn.state_dict().items()})


@pytest.mark.parametrize('text', [
    'RNN(4, 2)', 'RNN(4, 2, num_layers=3, bias=False, batch_first=True, dropout=0.5, '
    'bidirectional=True)', 'GRU(100, 100, num_layers=2, bidirectional=True)',
    'LSTM(28, 64, batch_first=True)', 'LSTM(4, 3, proj_size=2, num_layers=2, dropout=0.5)',
    'RNNCell(4, 2)', 'RNNCell(4, 2, bias=False, nonlinearity=relu)', 'LSTMCell(3, 4)',
    'GRUCell(3, 4, bias=False)'])
def test_repr_like_torch(text):
    name, args = text.split('(', 1)
    call = f'{name}({args}'
    call = call.replace('nonlinearity=relu', "nonlinearity='relu'")
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        mp = eval('torch.nn.' + call)
        mn = eval('nn.' + call)
    assert repr(mn) == repr(mp) == text


def test_module_attributes():
    m = nn.LSTM(3, 4, 2, bidirectional=True)
    assert m.all_weights[1][0] is m.weight_ih_l0_reverse
    assert len(m._flat_weights) == 16 and m._flat_weights[4] is m.weight_ih_l0_reverse
    assert m._flat_weights_names[:4] == ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0',
                                         'bias_hh_l0']
    assert m.flatten_parameters() is None
    m.weight_hh_l0 = nn.Parameter(numtorch.zeros(16, 4))
    assert m._flat_weights[1] is m.weight_hh_l0
    r = nn.RNN(2, 3, 1, 'relu')
    assert r.nonlinearity == 'relu' and r.mode == 'RNN_RELU'


# -- dropout between layers -------------------------------------------------------------
@pytest.mark.parametrize('name,p', [('GRU', 0.5), ('LSTM', 0.3), ('RNN', 0.2)])
def test_dropout_between_layers_draws_torchs_masks(name, p):
    mp, mn = twin(name, 3, 4, 3, dropout=p, bidirectional=name == 'LSTM')
    x = rand(5, 2, 3)
    mp.eval(), mn.eval()
    assert_close(mn(nt(x))[0], mp(pt(x))[0], RTOL, ATOL)
    mp.train(), mn.train()
    torch.manual_seed(7)
    numtorch.manual_seed(7)
    xp, xn = pt(x, True), nt(x, True)
    compare_module(mp, mn, [xp], [xn], [(xn, xp)])
    a = mn(xn)[0]
    b = mn(xn)[0]
    assert not np.allclose(a._data, b._data)


# -- in-place use of outputs ------------------------------------------------------------
def test_inplace_on_outputs_as_torch():
    x = nt(rand(4, 2, 3), True)
    out, h = nn.GRU(3, 4)(x)
    out.relu_()
    out.sum().backward()  # allowed, as in torch: the op keeps its own copy
    out, (h, c) = nn.LSTM(3, 4)(x)
    out.mul_(2)
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        out.sum().backward()
    h = nn.RNNCell(3, 4)(x[0])
    h.relu_()
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        h.sum().backward()


# -- errors -----------------------------------------------------------------------------
def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we compare type and message
        return type(e), str(e)
    return None


ERROR_CASES = [
    ('feature', lambda m: m.RNN(10, 20)(M.randn(5, 3, 5))),
    ('feature_lstm', lambda m: m.LSTM(10, 20)(M.randn(5, 3, 5))),
    ('hidden', lambda m: m.GRU(10, 20, 2)(M.randn(5, 3, 10), M.randn(1, 3, 20))),
    ('hidden0', lambda m: m.LSTM(10, 20, 2)(M.randn(5, 3, 10),
                                            (M.randn(1, 3, 20), M.randn(2, 3, 20)))),
    ('hidden1', lambda m: m.LSTM(10, 20, 2)(M.randn(5, 3, 10),
                                            (M.randn(2, 3, 20), M.randn(2, 3, 21)))),
    ('rnn4d', lambda m: m.RNN(10, 20)(M.randn(5, 3, 10, 1))),
    ('lstm1d', lambda m: m.LSTM(10, 20)(M.randn(10))),
    ('gru4d', lambda m: m.GRU(10, 20)(M.randn(5, 3, 10, 1))),
    ('hx2d', lambda m: m.RNN(10, 20)(M.randn(5, 3, 10), M.randn(3, 20))),
    ('hx3d_unbatched', lambda m: m.RNN(10, 20)(M.randn(5, 10), M.randn(1, 3, 20))),
    ('lstm_hx3d_unbatched', lambda m: m.LSTM(10, 20)(M.randn(5, 10),
                                                     (M.randn(1, 3, 20), M.randn(1, 20)))),
    ('dtype', lambda m: m.RNN(10, 20)(M.randn(5, 3, 10).double())),
    ('empty_seq', lambda m: m.RNN(10, 20)(M.randn(0, 3, 10))),
    ('cell_feature', lambda m: m.RNNCell(10, 20)(M.randn(3, 5))),
    ('cell_batch', lambda m: m.RNNCell(10, 20)(M.randn(3, 10), M.randn(2, 20))),
    ('cell_hidden', lambda m: m.GRUCell(10, 20)(M.randn(3, 10), M.randn(3, 21))),
    ('lstmcell_c', lambda m: m.LSTMCell(10, 20)(M.randn(3, 10),
                                                (M.randn(3, 20), M.randn(3, 21)))),
    ('cell3d', lambda m: m.GRUCell(10, 20)(M.randn(3, 10, 1))),
    ('lstmcell_hx3d', lambda m: m.LSTMCell(10, 20)(M.randn(3, 10),
                                                   (M.randn(3, 20, 1), M.randn(3, 20)))),
    ('cell_nonlinearity', lambda m: m.RNNCell(10, 20, nonlinearity='sig')(M.randn(3, 10))),
    ('nonlinearity', lambda m: m.RNN(10, 20, nonlinearity='sig')),
    ('proj_gru', lambda m: m.GRU(10, 20, proj_size=2)),
    ('proj_big', lambda m: m.LSTM(10, 20, proj_size=20)),
    ('dropout', lambda m: m.LSTM(10, 20, dropout=1.5)),
    ('hidden_type', lambda m: m.LSTM(10, 2.0)),
    ('layers', lambda m: m.GRU(10, 20, 0)),
    ('packed_hidden', lambda m: m.RNN(10, 20)(
        R.pack_sequence([M.ones(3, 10), M.ones(2, 10)]), M.randn(1, 3, 20))),
    ('pack_unsorted', lambda m: R.pack_padded_sequence(M.randn(5, 3, 2), [3, 5, 2])),
    ('pack_zero', lambda m: R.pack_padded_sequence(M.randn(5, 3, 2), [5, 3, 0])),
    ('pack_zero_unsorted', lambda m: R.pack_padded_sequence(M.randn(5, 3, 2), [0, 3, 5],
                                                            enforce_sorted=False)),
    ('pack_count', lambda m: R.pack_padded_sequence(M.randn(5, 3, 2), [5, 3])),
    ('pack_2d_lengths', lambda m: R.pack_padded_sequence(M.randn(5, 3, 2), [[5, 3, 2]])),
    ('pack_sequence_unsorted', lambda m: R.pack_sequence([M.ones(2), M.ones(3)])),
    ('pad_total', lambda m: R.pad_packed_sequence(R.pack_sequence([M.ones(3), M.ones(2)]),
                                                  total_length=2)),
    ('pad_mismatch', lambda m: R.pad_sequence([M.ones(3), M.ones(2, 1)])),
    ('pad_empty', lambda m: R.pad_sequence([])),
    ('pad_side', lambda m: R.pad_sequence([M.ones(3)], padding_side='up')),
    ('pad_not_iterable', lambda m: R.pad_sequence(3)),
]
M = R = None


@pytest.mark.parametrize('case', ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors_match_torch(case):
    global M, R
    fn = case[1]
    M, R = torch, TU
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        expected = _err(lambda: fn(torch.nn))
        M, R = numtorch, U
        got = _err(lambda: fn(nn))
    assert expected is not None
    assert got == expected


def test_lengths_longer_than_sequence_are_refused():
    # PyTorch does not check this (it reads past the input); numtorch refuses.
    with pytest.raises(RuntimeError, match='larger than the sequence dimension'):
        U.pack_padded_sequence(numtorch.randn(5, 3, 2), [6, 5, 2])


def test_dropout_warning():
    with pytest.warns(UserWarning, match='non-zero dropout expects num_layers greater than 1'):
        nn.LSTM(3, 4, dropout=0.5)
