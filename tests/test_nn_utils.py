"""nn.utils: gradient clipping and parameter/vector conversion against PyTorch."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
from conftest import assert_close

RNG = np.random.default_rng(5)


def _params(lib, arrays, grads):
    ps = []
    for a, g in zip(arrays, grads):
        p = lib.nn.Parameter(lib.tensor(a))
        if g is not None:
            p.grad = lib.tensor(g)
        ps.append(p)
    return ps


def _setup():
    arrays = [RNG.standard_normal((3, 4)).astype(np.float32),
              RNG.standard_normal(5).astype(np.float32),
              RNG.standard_normal(2).astype(np.float32)]
    grads = [RNG.standard_normal((3, 4)).astype(np.float32) * 3,
             RNG.standard_normal(5).astype(np.float32), None]
    return arrays, grads


@pytest.mark.parametrize('norm_type', [2.0, 1, 3.5, math.inf, 'inf', 0])
@pytest.mark.parametrize('max_norm', [0.5, 100.0])
def test_clip_grad_norm(norm_type, max_norm):
    arrays, grads = _setup()
    pn, pp = _params(numtorch, arrays, grads), _params(torch, arrays, grads)
    tn = nn.utils.clip_grad_norm_(pn, max_norm, norm_type=norm_type)
    tp = torch.nn.utils.clip_grad_norm_(pp, max_norm, norm_type=norm_type)
    assert_close(tn, tp, rtol=1e-5)
    for a, b in zip(pn, pp):
        assert_close(a.grad, b.grad, rtol=1e-5)


def test_clip_grad_norm_single_tensor_generator_and_errors():
    p = nn.Parameter(numtorch.ones(4))
    p.grad = numtorch.full((4,), 2.0)
    total = nn.utils.clip_grad_norm_(p, 1.0)
    assert abs(total.item() - 4.0) < 1e-6 and abs(p.grad.norm().item() - 1.0) < 1e-5
    with pytest.warns(UserWarning, match='`parameters` is an empty generator'):
        r = nn.utils.clip_grad_norm_((q for q in []), 1.0)
    assert r.item() == 0.0 and r.dtype == numtorch.float32
    p.grad = numtorch.tensor([1.0, float('nan'), 0.0, 0.0])
    with pytest.raises(RuntimeError, match='The total norm of order 2.0 for gradients from '
                                           '`parameters` is non-finite'):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_clip_grad_value():
    arrays, grads = _setup()
    pn, pp = _params(numtorch, arrays, grads), _params(torch, arrays, grads)
    assert nn.utils.clip_grad_value_(pn, 0.7) is None
    torch.nn.utils.clip_grad_value_(pp, 0.7)
    for a, b in zip(pn, pp):
        assert_close(a.grad, b.grad)


def test_parameters_vector_roundtrip():
    mn = nn.Linear(3, 2)
    mp = torch.nn.Linear(3, 2)
    mn.load_state_dict({k: numtorch.tensor(v.detach().numpy())
                        for k, v in mp.state_dict().items()})
    vn = nn.utils.parameters_to_vector(mn.parameters())
    vp = torch.nn.utils.parameters_to_vector(mp.parameters())
    assert_close(vn, vp)
    assert vn.grad_fn is not None
    new = RNG.standard_normal(8).astype(np.float32)
    nn.utils.vector_to_parameters(numtorch.tensor(new), mn.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), mp.parameters())
    for a, b in zip(mn.parameters(), mp.parameters()):
        assert_close(a, b)
        assert isinstance(a, nn.Parameter)
    with pytest.raises(TypeError, match='expected torch.Tensor, but got: list'):
        nn.utils.vector_to_parameters([1.0], mn.parameters())
