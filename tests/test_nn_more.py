"""FractionalMaxPool3d, lazy transposed convolutions and norms, conv/BN fusion, stateless
functional_call, skip_init, nn.grad, and the remaining nn odds and ends, against PyTorch:
values, every gradient, grad_fn names, reprs, state_dict keys, errors (type and message) and
float64 gradchecks."""
from __future__ import annotations


import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck
from conftest import assert_close

RNG = np.random.default_rng(12)


def arr(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def pair(a, grad=True):
    """The same array as a numtorch and a torch tensor."""
    rg = grad and a.dtype.kind == 'f'
    return numtorch.tensor(a, requires_grad=rg), torch.tensor(a, requires_grad=rg)


def same_error(fn_nt, fn_pt, exc=None):
    """Both raise the same exception type with the same message."""
    with pytest.raises(Exception) as ep:
        fn_pt()
    with pytest.raises(type(ep.value)) as en:
        fn_nt()
    if exc is not None:
        assert type(ep.value) is exc
    assert str(en.value) == str(ep.value)


# -- fractional max pooling 3-D --------------------------------------------------------------
_FMP3_CASES = [((2, 3, 7, 8, 9), (2, 3, 2), dict(output_size=(4, 3, 5))),
               ((3, 6, 6, 7), 2, dict(output_ratio=0.5)),
               ((1, 2, 5, 6, 5), 3, dict(output_ratio=(0.4, 0.5, 0.4))),
               ((2, 1, 4, 4, 4), 2, dict(output_size=1))]


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('case', range(len(_FMP3_CASES)))
def test_fractional_max_pool3d_seeded(dtype, case):
    shape, k, kw = _FMP3_CASES[case]
    xn, xt = pair(arr(*shape, dtype=dtype))
    numtorch.manual_seed(5)
    torch.manual_seed(5)
    yn, i_n = F.fractional_max_pool3d(xn, k, return_indices=True, **kw)
    yt, it = torch.nn.functional.fractional_max_pool3d(xt, k, return_indices=True, **kw)
    assert_close(yn, yt, 0, 0)
    assert_close(i_n, it, 0, 0)
    assert yn.grad_fn.name() == yt.grad_fn.name() == 'FractionalMaxPool3DBackward0'
    g = arr(*yt.shape, dtype=dtype)
    yn.backward(numtorch.tensor(g))
    yt.backward(torch.tensor(g))
    assert_close(xn.grad, xt.grad, 1e-6, 1e-6)
    assert_close(numtorch.rand(3), torch.rand(3), 0, 0)


def test_fractional_max_pool3d_module_nan_ties_gradcheck():
    s = RNG.random((2, 3, 3))
    kw = dict(output_ratio=0.5, _random_samples=None)
    m_n = nn.FractionalMaxPool3d(2, output_ratio=0.5, _random_samples=numtorch.tensor(s))
    m_t = torch.nn.FractionalMaxPool3d(2, output_ratio=0.5, _random_samples=torch.tensor(s))
    assert repr(m_n) == repr(m_t) == 'FractionalMaxPool3d()'
    assert vars(m_n).keys() == vars(m_t).keys()
    assert list(m_n.state_dict()) == list(m_t.state_dict()) == ['_random_samples']
    assert (m_n.kernel_size, m_n.output_size, m_n.output_ratio) == \
        (m_t.kernel_size, m_t.output_size, m_t.output_ratio)
    m2n, m2t = nn.FractionalMaxPool3d((2, 3, 1), 3), torch.nn.FractionalMaxPool3d((2, 3, 1), 3)
    assert list(m2n.state_dict()) == list(m2t.state_dict()) == []
    assert (m2n.kernel_size, m2n.output_size) == (m2t.kernel_size, m2t.output_size)
    del kw
    xn, xt = pair(arr(2, 3, 8, 7, 6, dtype=np.float64))
    assert_close(m_n(xn), m_t(xt), 0, 0)
    m_n.return_indices = m_t.return_indices = True
    assert_close(m_n(xn)[1], m_t(xt)[1], 0, 0)
    # NaNs win their windows (the last one), ties go to the first maximum, as PyTorch
    x = np.round(arr(1, 2, 6, 6, 6, dtype=np.float64))
    x[0, 0, 2:4, 2:4, 1:3] = np.nan
    an, at = pair(x)
    sm = RNG.random((1, 2, 3))
    yn, i_n = F.fractional_max_pool3d(an, 2, 3, return_indices=True,
                                      _random_samples=numtorch.tensor(sm))
    yt, it = torch.nn.functional.fractional_max_pool3d(at, 2, 3, return_indices=True,
                                                       _random_samples=torch.tensor(sm))
    assert_close(yn, yt, 0, 0)
    assert_close(i_n, it, 0, 0)
    # empty output and an empty window (-inf, the window start as index)
    sm = RNG.random((1, 2, 3))
    for k, o in ((2, (0, 3, 3)), ((0, 2, 2), 3)):
        yn, i_n = F.fractional_max_pool3d(an, k, o, return_indices=True,
                                          _random_samples=numtorch.tensor(sm))
        yt, it = torch.nn.functional.fractional_max_pool3d(at, k, o, return_indices=True,
                                                           _random_samples=torch.tensor(sm))
        assert_close(yn, yt, 0, 0)
        assert_close(i_n, it, 0, 0)
    x = numtorch.tensor(arr(2, 2, 5, 6, 5, dtype=np.float64), requires_grad=True)
    smp = numtorch.tensor(RNG.random((2, 2, 3)))
    fn = lambda x: F.fractional_max_pool3d(x, 2, output_size=3, _random_samples=smp)  # noqa
    assert gradcheck(fn, (x,))
    assert numtorch.autograd.gradgradcheck(fn, (x,))


def test_fractional_max_pool3d_errors():
    xn, xt = pair(arr(2, 3, 7, 8, 9), grad=False)
    fn, ft = F.fractional_max_pool3d, torch.nn.functional.fractional_max_pool3d
    rs = arr(2, 3, 3)
    same_error(lambda: fn(xn, 2), lambda: ft(xt, 2), ValueError)
    same_error(lambda: fn(xn, 2, output_ratio=(.5, .5)), lambda: ft(xt, 2, output_ratio=(.5, .5)),
               IndexError)
    for o in ((7, 3, 3), (6, 3, 3), (3, 8, 3), (3, 3, 9), (3, 8, 9)):
        same_error(lambda: fn(xn, 2, output_size=o), lambda: ft(xt, 2, output_size=o))
    same_error(lambda: fn(xn, (2, 2), output_size=3), lambda: ft(xt, (2, 2), output_size=3))
    same_error(lambda: fn(xn, 2, output_size=(3, 3)), lambda: ft(xt, 2, output_size=(3, 3)))
    same_error(lambda: fn(xn[0, 0], 2, output_size=3, _random_samples=numtorch.tensor(rs)),
               lambda: ft(xt[0, 0], 2, output_size=3, _random_samples=torch.tensor(rs)))
    same_error(lambda: fn(xn[None], 2, output_size=3, _random_samples=numtorch.tensor(rs)),
               lambda: ft(xt[None], 2, output_size=3, _random_samples=torch.tensor(rs)))
    same_error(lambda: fn(xn[:, :, :0], 2, output_size=3),
               lambda: ft(xt[:, :, :0], 2, output_size=3))
    for bad in (rs[:, :, :2], rs[:1], arr(2, 4, 3), rs[..., None], rs.astype(np.float64)):
        same_error(lambda: fn(xn, 2, output_size=3, _random_samples=numtorch.tensor(bad)),
                   lambda: ft(xt, 2, output_size=3, _random_samples=torch.tensor(bad)))
    # pool-size checks come before the sample checks
    same_error(lambda: fn(xn, 2, output_size=7, _random_samples=numtorch.tensor(rs[:1])),
               lambda: ft(xt, 2, output_size=7, _random_samples=torch.tensor(rs[:1])))
    same_error(lambda: fn(xn, 2, output_size=(-1, 3, 3), _random_samples=numtorch.tensor(rs)),
               lambda: ft(xt, 2, output_size=(-1, 3, 3), _random_samples=torch.tensor(rs)))
    same_error(lambda: fn(xn.int(), 2, output_size=3, _random_samples=numtorch.tensor(rs).int()),
               lambda: ft(xt.int(), 2, output_size=3, _random_samples=torch.tensor(rs).int()),
               NotImplementedError)
    same_error(lambda: fn(xn.int(), 2, output_size=3), lambda: ft(xt.int(), 2, output_size=3))
    # an unbatched input's channel dim may be empty (as PyTorch)
    e = numtorch.zeros(0, 5, 5, 5)
    assert fn(e, 2, 3, _random_samples=numtorch.zeros(1, 0, 3)).shape == (0, 3, 3, 3)
    for args, exc in (((2,), ValueError),
                      ((2, None, 1.5), ValueError), ((2, None, (0.5, 0.5, 1.5)), ValueError),
                      ((2, None, (0.5, 0.5)), IndexError)):
        same_error(lambda: nn.FractionalMaxPool3d(*args),
                   lambda: torch.nn.FractionalMaxPool3d(*args), exc)
    same_error(lambda: nn.FractionalMaxPool3d(2, 3, 0.5),
               lambda: torch.nn.FractionalMaxPool3d(2, 3, 0.5), ValueError)


# -- lazy transposed convolutions and norms --------------------------------------------------
LAZY = [  # (id, constructor, input shape)
    ('convT1d', lambda m: m.nn.LazyConvTranspose1d(4, 3, stride=2), (2, 3, 5)),
    ('convT1d_unbatched', lambda m: m.nn.LazyConvTranspose1d(4, 3), (6, 5)),
    ('convT2d', lambda m: m.nn.LazyConvTranspose2d(4, 3, stride=2, output_padding=1, groups=2,
                                                   dilation=2, bias=False), (2, 6, 4, 4)),
    ('convT3d', lambda m: m.nn.LazyConvTranspose3d(3, 2, padding=1), (1, 2, 3, 4, 3)),
    ('bn3d', lambda m: m.nn.LazyBatchNorm3d(momentum=None), (2, 3, 2, 3, 2)),
    ('in1d', lambda m: m.nn.LazyInstanceNorm1d(), (2, 3, 5)),
    ('in2d', lambda m: m.nn.LazyInstanceNorm2d(affine=False, track_running_stats=False),
     (2, 3, 4, 4)),
    ('in3d', lambda m: m.nn.LazyInstanceNorm3d(eps=1e-3, momentum=0.3), (2, 3, 2, 3, 3)),
]


def _run_lazy(lib, make, shape):
    lib.manual_seed(0)
    layer = make(lib)
    before = (repr(layer), list(layer.state_dict()),
              [type(t).__name__ for t in layer.state_dict().values()])
    x = lib.tensor(np.linspace(-1, 1, int(np.prod(shape)), dtype=np.float32).reshape(shape),
                   requires_grad=True)
    y = layer(x)
    w = np.linspace(1, 2, y.numel(), dtype=np.float32).reshape(tuple(y.shape))
    (y * lib.tensor(w)).sum().backward()
    after = (repr(layer), type(layer).__name__, list(layer.state_dict()))
    values = [y.detach().numpy(), x.grad.numpy()]
    values += [t.detach().numpy() for t in layer.state_dict().values()]
    values += [p.grad.numpy() for p in layer.parameters()]
    return before, after, values


@pytest.mark.parametrize('name,make,shape', LAZY, ids=[c[0] for c in LAZY])
def test_lazy_layers_match_torch(name, make, shape):
    (b1, a1, v1), (b2, a2, v2) = _run_lazy(numtorch, make, shape), _run_lazy(torch, make, shape)
    assert b1 == b2 and a1 == a2
    assert len(v1) == len(v2)
    for u, v in zip(v1, v2):
        np.testing.assert_allclose(u, v, rtol=1e-4, atol=5e-5)  # (float32, cancellation)


def test_lazy_dtype_errors_and_loading():
    for lib in (numtorch, torch):
        m = lib.nn.LazyConvTranspose2d(3, 2, dtype=lib.float64)
        m(lib.zeros(1, 2, 3, 3, dtype=lib.float64))
        assert m.weight.dtype == m.bias.dtype == lib.float64 and m.weight.shape == (2, 3, 2, 2)
        m = lib.nn.LazyBatchNorm3d(dtype=lib.float64)
        m(lib.zeros(2, 4, 1, 1, 2, dtype=lib.float64))
        assert m.weight.dtype == m.running_var.dtype == lib.float64
    for make, bad in ((lambda m: m.nn.LazyConvTranspose2d(4, 3, groups=2), (2, 3, 5, 5)),
                      (lambda m: m.nn.LazyConvTranspose3d(4, 3), (5, 5)),
                      (lambda m: m.nn.LazyConv2d(4, 3), (5, 5)),
                      (lambda m: m.nn.LazyBatchNorm3d(), (2, 3, 5, 5)),
                      (lambda m: m.nn.LazyInstanceNorm1d(), (3, 5)),
                      (lambda m: m.nn.LazyInstanceNorm3d(), (3, 5))):
        mn, mt = make(numtorch), make(torch)
        same_error(lambda: mn(numtorch.zeros(*bad)), lambda: mt(torch.zeros(*bad)))
        assert repr(mn) == repr(mt)
    same_error(lambda: nn.LazyConvTranspose1d(4, 3, padding_mode='reflect'),
               lambda: torch.nn.LazyConvTranspose1d(4, 3, padding_mode='reflect'), ValueError)
    # a state_dict gives the placeholders their shapes
    src = nn.ConvTranspose1d(3, 4, 2)
    lazy = nn.LazyConvTranspose1d(4, 2)
    lazy.load_state_dict(src.state_dict())
    x = numtorch.ones(1, 3, 4)
    assert_close(lazy(x), src(x), 0, 0)
    assert type(lazy) is nn.ConvTranspose1d
    src = nn.InstanceNorm2d(3, affine=True, track_running_stats=True)
    lazy = nn.LazyInstanceNorm2d()
    lazy.load_state_dict(src.state_dict())
    assert lazy.running_mean.shape == (3,)
