"""Embedding's weight gradient (rows of the output gradient summed per index, without
np.add.at) against PyTorch: many repeated indices, small and large vocabularies, every
index dtype and shape, padding_idx, scale_grad_by_freq, max_norm; float64 gradcheck."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck
from conftest import assert_close
from test_nn_conv import same_error

RNG = np.random.default_rng(21)
TF = torch.nn.functional


def _both(idx, w, g, **kw):
    wn = numtorch.tensor(w, requires_grad=True)
    wp = torch.tensor(w, requires_grad=True)
    yn = F.embedding(numtorch.tensor(idx), wn, **kw)
    yp = TF.embedding(torch.tensor(idx), wp, **kw)
    assert_close(yn, yp, 1e-6, 1e-7)
    yn.backward(numtorch.tensor(g))
    yp.backward(torch.tensor(g))
    assert_close(wn.grad, wp.grad, 1e-5, 1e-5)
    return wn.grad


@pytest.mark.parametrize('vocab,shape,dim', [(128, (10, 256), 12), (7, (300,), 5),
                                             (5000, (4, 33), 8), (3, (2, 3, 4), 2)])
@pytest.mark.parametrize('kw', [{}, dict(padding_idx=1), dict(scale_grad_by_freq=True),
                                dict(padding_idx=-1, scale_grad_by_freq=True),
                                dict(max_norm=1.0)])
def test_weight_gradient_matches_torch(vocab, shape, dim, kw):
    idx = RNG.integers(0, vocab, shape)
    idx.reshape(-1)[:3] = 1  # a padding row that does occur
    w = RNG.standard_normal((vocab, dim)).astype(np.float32)
    g = RNG.standard_normal(shape + (dim,)).astype(np.float32)
    gw = _both(idx, w, g, **kw)
    unused = np.setdiff1d(np.arange(vocab), idx)
    assert not gw._data[unused].any()


@pytest.mark.parametrize('dtype', [np.int64, np.int32])
def test_index_dtypes_sorted_and_all_equal_indices(dtype):
    w = RNG.standard_normal((6, 3)).astype(np.float32)
    for idx in (np.arange(6, dtype=dtype), np.full(9, 4, dtype), np.array([5, 5, 0, 0, 5], dtype)):
        g = RNG.standard_normal(idx.shape + (3,)).astype(np.float32)
        _both(idx, w, g, scale_grad_by_freq=True)


def test_empty_index():
    w = RNG.standard_normal((4, 3)).astype(np.float32)
    gw = _both(np.zeros((0, 2), np.int64), w, np.zeros((0, 2, 3), np.float32))
    assert gw.shape == (4, 3) and not gw._data.any()


def test_float64_gradcheck():
    w = numtorch.tensor(RNG.standard_normal((5, 3)), requires_grad=True)
    idx = numtorch.tensor([[0, 4, 4], [2, 0, 4]])
    # (padding_idx and scale_grad_by_freq deliberately differ from the true derivative)
    assert gradcheck(lambda w: F.embedding(idx, w), (w,))


# -- EmbeddingBag ------------------------------------------------------------------------------
BAG_W = np.random.default_rng(7).standard_normal((10, 4))
BAG_X = np.array([1, 2, 4, 5, 4, 3, 2, 9, 0, 0])
BAG_OFF = np.array([0, 4, 4, 7])  # (an empty bag in the middle)
BAGS = [  # (id, input, offsets, keyword arguments, per-sample weights)
    ('sum', BAG_X, BAG_OFF, dict(mode='sum'), None),
    ('mean', BAG_X, BAG_OFF, dict(mode='mean'), None),
    ('max', BAG_X, BAG_OFF, dict(mode='max'), None),
    ('mean_padding', BAG_X, BAG_OFF, dict(mode='mean', padding_idx=2), None),
    ('per_sample_weights', BAG_X, BAG_OFF, dict(mode='sum'),
     np.linspace(-1, 2, BAG_X.size)),
    ('per_sample_weights_padding', BAG_X, BAG_OFF, dict(mode='sum', padding_idx=0),
     np.linspace(-1, 2, BAG_X.size)),
    ('include_last_offset', BAG_X, np.array([0, 3, 6, 10]),
     dict(mode='mean', include_last_offset=True), None),
    ('two_d_max_padding', BAG_X.reshape(2, 5), None, dict(mode='max', padding_idx=4), None),
    ('two_d_mean', BAG_X.reshape(5, 2), None, dict(mode='mean'), None),
    ('all_padding_max', np.array([2, 2, 2]), np.array([0, 1]), dict(mode='max', padding_idx=2),
     None),
]


def _bag(lib, x, offsets, kw, psw):
    w = lib.tensor(BAG_W, requires_grad=True)
    ps = None if psw is None else lib.tensor(psw, requires_grad=True)
    y = lib.nn.functional.embedding_bag(lib.tensor(x), w,
                                        None if offsets is None else lib.tensor(offsets),
                                        per_sample_weights=ps, **kw)
    r = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
    (y * y * r).sum().backward()
    grads = [w.grad.numpy()] + ([] if ps is None else [ps.grad.numpy()])
    return [y.detach().numpy()] + grads, y.grad_fn.name()


@pytest.mark.parametrize('name,x,offsets,kw,psw', BAGS, ids=[b[0] for b in BAGS])
def test_embedding_bag_matches_torch(name, x, offsets, kw, psw):
    (a, na), (b, nb) = _bag(numtorch, x, offsets, kw, psw), _bag(torch, x, offsets, kw, psw)
    assert na == nb
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12)


def test_embedding_bag_scale_grad_by_freq_as_embedding():
    """Each index's gradient divided by its frequency in the batch, as F.embedding does.
    (PyTorch's embedding_bag divides by other counts here: not followed.)"""
    w1 = numtorch.tensor(BAG_W, requires_grad=True)
    numtorch.nn.functional.embedding_bag(numtorch.tensor(BAG_X), w1, numtorch.tensor(BAG_OFF),
                                         mode='sum', scale_grad_by_freq=True).sum().backward()
    w2 = torch.tensor(BAG_W, requires_grad=True)
    torch.nn.functional.embedding(torch.tensor(BAG_X), w2,
                                  scale_grad_by_freq=True).sum().backward()
    np.testing.assert_allclose(w1.grad.numpy(), w2.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize('ctor', ['EmbeddingBag(10, 3)', "EmbeddingBag(5, 2, norm_type=1.0, "
                                  "mode='max')", "EmbeddingBag(10, 3, mode='sum', padding_idx=2, "
                                  "max_norm=1.0, scale_grad_by_freq=True, "
                                  "include_last_offset=True)"])
def test_embedding_bag_layer(ctor):
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    a, b = eval('numtorch.nn.' + ctor), eval('torch.nn.' + ctor)
    assert repr(a) == repr(b)
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    frozen = numtorch.nn.EmbeddingBag.from_pretrained(numtorch.tensor(BAG_W), mode='max')
    assert not frozen.weight.requires_grad and frozen.mode == 'max'


def test_embedding_bag_errors():
    x, off = BAG_X, BAG_OFF
    cases = [
        lambda m: m.nn.EmbeddingBag(10, 3)(m.tensor(x.reshape(2, 5)), m.tensor([0, 1])),
        lambda m: m.nn.EmbeddingBag(10, 3)(m.tensor(x)),
        lambda m: m.nn.EmbeddingBag(10, 3)(m.tensor(x), m.tensor(off),
                                           per_sample_weights=m.ones(10)),
        lambda m: m.nn.EmbeddingBag(10, 3)(m.tensor([1, 20]), m.tensor([0])),
        lambda m: m.nn.EmbeddingBag(10, 3)(m.tensor(x), m.tensor([1, 4])),
        lambda m: m.nn.functional.embedding_bag(m.tensor(x), m.ones(10, 3), m.tensor(off),
                                                mode='foo'),
    ]
    for case in cases:
        same_error(lambda: case(numtorch), lambda: case(torch))
