"""Lazy modules (LazyLinear, LazyConv1d/2d, LazyBatchNorm1d/2d) against PyTorch: repr
before and after the first forward, the parameters drawn then (same random stream),
state_dict keys, optimizers built before materialization, loading a state_dict into a
lazy module, and the d2l-style `net(X)` shape inference of a Sequential."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch

LAZY = [  # (id, constructor, input shape)
    ('linear', lambda m: m.nn.LazyLinear(4), (2, 3)),
    ('linear_no_bias', lambda m: m.nn.LazyLinear(4, bias=False), (5, 2, 3)),
    ('conv1d', lambda m: m.nn.LazyConv1d(6, 3, stride=2), (2, 4, 9)),
    ('conv2d', lambda m: m.nn.LazyConv2d(8, 3, padding=1, groups=2), (2, 4, 5, 5)),
    ('conv2d_unbatched', lambda m: m.nn.LazyConv2d(8, 3), (2, 5, 5)),
    ('batchnorm1d', lambda m: m.nn.LazyBatchNorm1d(), (4, 3)),
    ('batchnorm2d', lambda m: m.nn.LazyBatchNorm2d(momentum=0.3), (2, 3, 4, 4)),
]


def _run(lib, make, shape):
    lib.manual_seed(0)
    layer = make(lib)
    before = (repr(layer), list(layer.state_dict()), type(layer.weight).__name__)
    x = lib.tensor(np.linspace(-1, 1, int(np.prod(shape)), dtype=np.float32).reshape(shape))
    y = layer(x)
    (y * lib.tensor(np.linspace(1, 2, y.numel(), dtype=np.float32).reshape(tuple(y.shape)))
     ).sum().backward()
    after = (repr(layer), type(layer).__name__, list(layer.state_dict()))
    values = [y.detach().numpy()] + [t.detach().numpy() for t in layer.state_dict().values()]
    values += [p.grad.numpy() for p in layer.parameters()]
    return before, after, values


@pytest.mark.parametrize('name,make,shape', LAZY, ids=[c[0] for c in LAZY])
def test_lazy_layers_match_torch(name, make, shape):
    (b1, a1, v1), (b2, a2, v2) = _run(numtorch, make, shape), _run(torch, make, shape)
    assert b1 == b2 and a1 == a2
    for u, v in zip(v1, v2):
        np.testing.assert_allclose(u, v, rtol=1e-4, atol=1e-5)  # (float32)


def test_optimizer_built_before_materialization():
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        layer = lib.nn.LazyLinear(2)
        opt = lib.optim.SGD(layer.parameters(), lr=0.5)
        assert lib.nn.parameter.is_lazy(layer.weight)
        layer(lib.ones(1, 3)).sum().backward()
        before = layer.weight.detach().clone()
        opt.step()
        assert not lib.nn.parameter.is_lazy(layer.weight)
        np.testing.assert_allclose((before - layer.weight.detach()).numpy(), 0.5)


def test_load_state_dict_into_lazy_module():
    numtorch.manual_seed(0)
    src = numtorch.nn.Linear(3, 4)
    lazy = numtorch.nn.LazyLinear(4)
    lazy.load_state_dict(src.state_dict())
    np.testing.assert_array_equal(lazy.weight.detach().numpy(), src.weight.detach().numpy())
    x = numtorch.ones(2, 3)
    np.testing.assert_allclose(lazy(x).detach().numpy(), src(x).detach().numpy())
    assert type(lazy).__name__ == 'Linear'


def test_sequential_shape_inference():
    def net(lib):
        lib.manual_seed(0)
        n = lib.nn.Sequential(lib.nn.LazyConv2d(4, 3), lib.nn.ReLU(), lib.nn.Flatten(),
                              lib.nn.LazyLinear(10))
        n(lib.zeros(1, 1, 6, 6))
        return n
    a, b = net(numtorch), net(torch)
    assert repr(a) == repr(b)
    for u, v in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(u.detach().numpy(), v.detach().numpy())


def test_lazy_errors():
    with pytest.raises(ValueError, match='in_channels must be divisible by groups'):
        numtorch.nn.LazyConv2d(4, 3, groups=2)(numtorch.zeros(1, 3, 5, 5))
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        numtorch.nn.LazyLinear(3).weight.shape
