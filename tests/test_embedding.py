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
