"""nn.init against PyTorch: after the same seed the initialised values are equal."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
from numtorch.nn import init

CASES = [
    ('uniform_', (3, 4), {}), ('uniform_', (5,), {'a': -2.0, 'b': 3.0}),
    ('normal_', (3, 4), {}), ('normal_', (20, 3), {'mean': 1.0, 'std': 0.1}),
    ('constant_', (2, 3), {'val': 0.3}), ('ones_', (2, 2), {}), ('zeros_', (2, 2), {}),
    ('eye_', (3, 5), {}), ('dirac_', (4, 2, 3, 3), {}), ('dirac_', (4, 2, 3), {'groups': 2}),
    ('xavier_uniform_', (10, 7), {}), ('xavier_uniform_', (6, 3, 5, 5), {'gain': 2.0}),
    ('xavier_normal_', (10, 7), {}), ('xavier_normal_', (20, 3, 3), {'gain': 0.5}),
    ('kaiming_uniform_', (10, 7), {}),
    ('kaiming_uniform_', (8, 3, 5, 5), {'a': math.sqrt(5)}),
    ('kaiming_uniform_', (8, 4), {'mode': 'fan_out', 'nonlinearity': 'relu'}),
    ('kaiming_normal_', (10, 7), {}),
    ('kaiming_normal_', (30, 4), {'mode': 'fan_out', 'nonlinearity': 'tanh'}),
    ('kaiming_normal_', (30, 4), {'a': 0.2, 'nonlinearity': 'leaky_relu'}),
    ('trunc_normal_', (50, 40), {}), ('trunc_normal_', (30, 30), {'std': 0.02}),
    ('trunc_normal_', (40, 50), {'mean': 0.0, 'std': 1.0, 'a': 0.5, 'b': 1.0}),
    ('trunc_normal_', (7,), {'mean': 3.0, 'std': 2.0, 'a': -1.0, 'b': 1.0}),
    ('orthogonal_', (6, 4), {}), ('orthogonal_', (4, 6), {'gain': 2.0}),
    ('orthogonal_', (3, 2, 4), {}),
]


@pytest.mark.parametrize('name,shape,kw', CASES, ids=[f'{c[0]}-{c[1]}' for c in CASES])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_init_equals_torch(name, shape, kw, dtype):
    tp = torch.empty(shape, dtype=getattr(torch, dtype))
    tn = numtorch.empty(shape, dtype=getattr(numtorch, dtype))
    torch.manual_seed(42)
    numtorch.manual_seed(42)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        rp = getattr(torch.nn.init, name)(tp, **kw)
        rn = getattr(init, name)(tn, **kw)
    assert rn is tn and rp is tp
    if name != 'orthogonal_':
        np.testing.assert_array_equal(tn._data, tp.numpy())
    else:
        # Same normal draws; NumPy's and PyTorch's LAPACK QR may round differently.
        np.testing.assert_allclose(tn._data, tp.numpy(), rtol=1e-4, atol=1e-5)
    # Both generators consumed the same amount.
    np.testing.assert_array_equal(numtorch.rand(2)._data, torch.rand(2).numpy())


def test_init_on_parameter_keeps_leaf():
    p = nn.Parameter(numtorch.empty(3, 4))
    init.kaiming_uniform_(p, a=math.sqrt(5))
    assert p.is_leaf and p.requires_grad and p.grad_fn is None


def test_calculate_gain():
    for args in [('linear',), ('conv2d',), ('sigmoid',), ('tanh',), ('relu',),
                 ('leaky_relu',), ('leaky_relu', 0.2), ('leaky_relu', 1), ('selu',)]:
        assert init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)
    for bad in [('foo',), ('leaky_relu', 'x'), ('leaky_relu', True)]:
        with pytest.raises(ValueError) as en:
            init.calculate_gain(*bad)
        with pytest.raises(ValueError) as ep:
            torch.nn.init.calculate_gain(*bad)
        assert str(en.value) == str(ep.value)


def test_fan_in_fan_out_and_errors():
    for shape in [(3, 4), (8, 3, 5, 5), (2, 6, 7)]:
        assert init._calculate_fan_in_and_fan_out(numtorch.empty(shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    for fn, t in [(lambda m: m.nn.init._calculate_fan_in_and_fan_out, (3,)),
                  (lambda m: m.nn.init.eye_, (2, 2, 2)), (lambda m: m.nn.init.dirac_, (2, 2)),
                  (lambda m: m.nn.init.orthogonal_, (3,))]:
        with pytest.raises(ValueError) as en:
            fn(numtorch)(numtorch.empty(t))
        with pytest.raises(ValueError) as ep:
            fn(torch)(torch.empty(t))
        assert str(en.value) == str(ep.value)
    with pytest.raises(ValueError, match="Mode fan_avg not supported, please use one of"):
        init.kaiming_uniform_(numtorch.empty(2, 2), mode='fan_avg')
    with pytest.warns(UserWarning, match='Initializing zero-element tensors is a no-op'):
        init.kaiming_normal_(numtorch.empty(0, 3))


def test_deprecated_aliases_warn():
    with pytest.warns(FutureWarning, match='`nn.init.normal` is now deprecated in favor of '
                                           '`nn.init.normal_`.'):
        init.normal(numtorch.empty(2))


def test_orthogonal_is_orthogonal():
    w = init.orthogonal_(numtorch.empty(5, 3), gain=1.0)._data.astype(np.float64)
    np.testing.assert_allclose(w.T @ w, np.eye(3), atol=1e-5)


def test_sparse_matches_torch():
    tp, tn = torch.empty(6, 4), numtorch.empty(6, 4)
    torch.manual_seed(3)
    numtorch.manual_seed(3)
    torch.nn.init.sparse_(tp, 0.5)
    init.sparse_(tn, 0.5)
    np.testing.assert_array_equal(tn._data, tp.numpy())
    assert (tn._data == 0).sum(axis=0).tolist() == [3, 3, 3, 3]
