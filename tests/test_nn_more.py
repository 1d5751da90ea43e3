"""FractionalMaxPool3d, lazy transposed convolutions and norms, conv/BN fusion, stateless
functional_call, skip_init, nn.grad, and the remaining nn odds and ends, against PyTorch:
values, every gradient, grad_fn names, reprs, state_dict keys, errors (type and message) and
float64 gradchecks."""
from __future__ import annotations

import warnings

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


@pytest.mark.filterwarnings("ignore:input's size at dim=1 does not match num_features")
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
    # placeholders stay placeholders in a state_dict, and loading them keeps a module lazy
    for lib in (numtorch, torch):
        a, b = lib.nn.LazyConvTranspose2d(3, 2), lib.nn.LazyBatchNorm3d()
        a.load_state_dict(lib.nn.LazyConvTranspose2d(3, 2).state_dict())
        b.load_state_dict(lib.nn.LazyBatchNorm3d().state_dict())
        assert lib.nn.parameter.is_lazy(a.weight) and lib.nn.parameter.is_lazy(b.running_var)
        assert type(a.state_dict()['weight']).__name__ == 'UninitializedParameter'
        assert a(lib.ones(1, 4, 2, 2)).shape == (1, 3, 3, 3)
    src = nn.InstanceNorm2d(3, affine=True, track_running_stats=True)
    lazy = nn.LazyInstanceNorm2d()
    lazy.load_state_dict(src.state_dict())
    assert lazy.running_mean.shape == (3,)


# -- conv/linear + batch norm fusion ---------------------------------------------------------
def _trained_bn(lib, bn):
    """Running statistics that are not the initial ones, and affine parameters too."""
    lib.manual_seed(3)
    bn.train()
    for _ in range(2):
        bn(lib.randn(4, bn.num_features, *([3] * _BN_DIMS[type(bn).__name__])) * 2 + 1)
    if bn.affine:
        with lib.no_grad():
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-1, 1)
    return bn.eval()


_BN_DIMS = {'BatchNorm1d': 0, 'BatchNorm2d': 2, 'BatchNorm3d': 3}


@pytest.mark.parametrize('case', ['conv2d', 'conv1d_nobias_noaffine', 'convT2d', 'conv3d'])
def test_fuse_conv_bn_eval(case):
    def build(lib):
        lib.manual_seed(0)
        if case == 'conv2d':
            conv, bn, t = lib.nn.Conv2d(3, 4, 3, padding=1), lib.nn.BatchNorm2d(4), False
        elif case == 'conv1d_nobias_noaffine':
            conv, bn, t = lib.nn.Conv1d(2, 3, 2, bias=False), lib.nn.BatchNorm1d(3, affine=False), \
                False
        elif case == 'convT2d':
            conv, bn, t = lib.nn.ConvTranspose2d(3, 4, 2, stride=2), lib.nn.BatchNorm2d(4), True
        else:
            conv, bn, t = lib.nn.Conv3d(2, 3, 2), lib.nn.BatchNorm3d(3), False
        _trained_bn(lib, bn)
        conv.eval()
        fused = lib.nn.utils.fuse_conv_bn_eval(conv, bn, transpose=t)
        x = lib.tensor(RNG_FIXED[case])
        return conv, bn, fused, x
    cn, bn_n, fn, xn = build(numtorch)
    ct, bn_t, ft, xt = build(torch)
    assert type(fn) is type(cn) and fn is not cn and repr(fn) == repr(ft)
    assert list(fn.state_dict()) == list(ft.state_dict())
    assert_close(fn.weight, ft.weight, 1e-5, 1e-6)
    assert_close(fn.bias, ft.bias, 1e-5, 1e-6)
    assert type(fn.weight) is nn.Parameter and fn.weight.requires_grad
    # the fused layer computes conv then bn
    assert_close(fn(xn), bn_n(cn(xn)), 1e-4, 1e-5)
    assert_close(fn(xn), ft(xt), 1e-4, 1e-5)


RNG_FIXED = {'conv2d': arr(2, 3, 5, 5), 'conv1d_nobias_noaffine': arr(2, 2, 6),
             'convT2d': arr(2, 3, 3, 3), 'conv3d': arr(1, 2, 3, 4, 3)}


def test_fuse_linear_bn_and_weights():
    def build(lib, nf):
        lib.manual_seed(0)
        lin = lib.nn.Linear(3, 4).eval()
        bn = _trained_bn(lib, lib.nn.BatchNorm1d(nf))
        return lin, bn
    (ln, bnn), (lt, bnt) = build(numtorch, 4), build(torch, 4)
    fn, ft = nn.utils.fuse_linear_bn_eval(ln, bnn), torch.nn.utils.fuse_linear_bn_eval(lt, bnt)
    assert_close(fn.weight, ft.weight, 1e-5, 1e-6)
    assert_close(fn.bias, ft.bias, 1e-5, 1e-6)
    x = arr(5, 3)
    assert_close(fn(numtorch.tensor(x)), bnn(ln(numtorch.tensor(x))), 1e-4, 1e-5)
    # the weights functions: dtypes and requires_grad follow the layer's weight and bias
    w, rm, rv, g, be = (arr(4, 3, dtype=np.float64), arr(4), np.abs(arr(4)) + .5, arr(4),
                        arr(4))
    args_n = [numtorch.tensor(w, requires_grad=True), None] + [numtorch.tensor(a)
                                                               for a in (rm, rv)]
    args_t = [torch.tensor(w, requires_grad=True), None] + [torch.tensor(a) for a in (rm, rv)]
    rn = nn.utils.fuse_linear_bn_weights(*args_n, 1e-3, numtorch.tensor(g),
                                         numtorch.tensor(be))
    rt = torch.nn.utils.fuse_linear_bn_weights(*args_t, 1e-3, torch.tensor(g), torch.tensor(be))
    for u, v in zip(rn, rt):
        assert u.dtype == getattr(numtorch, str(v.dtype).split('.')[1])
        assert u.requires_grad == v.requires_grad and type(u) is nn.Parameter
        assert_close(u, v, 1e-6, 1e-7)
    w4 = arr(4, 2, 3, 3)
    rn = nn.utils.fuse_conv_bn_weights(numtorch.tensor(w4), None, numtorch.tensor(rm),
                                       numtorch.tensor(rv), 1e-5, None, None)
    rt = torch.nn.utils.fuse_conv_bn_weights(torch.tensor(w4), None, torch.tensor(rm),
                                             torch.tensor(rv), 1e-5, None, None)
    for u, v in zip(rn, rt):
        assert u.requires_grad == v.requires_grad
        assert_close(u, v, 1e-6, 1e-7)
    # errors
    for lib in (numtorch, torch):
        lin, bn = build(lib, 3)
        with pytest.raises(AssertionError, match='To fuse, linear.out_features == bn.num_feat'):
            lib.nn.utils.fuse_linear_bn_eval(lin, bn)
        lin, bn = build(lib, 4)
        with pytest.raises(AssertionError, match='Fusion only for eval!'):
            lib.nn.utils.fuse_linear_bn_eval(lin.train(), bn)
        with pytest.raises(AssertionError, match='running_var must not be None'):
            lib.nn.utils.fuse_conv_bn_eval(lib.nn.Conv1d(2, 4, 1).eval(),
                                           lib.nn.BatchNorm1d(4, track_running_stats=False)
                                           .eval())


# -- skip_init, memory formats ---------------------------------------------------------------
def test_skip_init():
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        m = lib.nn.utils.skip_init(lib.nn.Linear, 3, 2, dtype=lib.float64)
        assert m.weight.shape == (2, 3) and m.weight.dtype == lib.float64
        assert type(m.weight) is lib.nn.Parameter and m.weight.requires_grad
        # the random stream did not move
        r = lib.rand(2)
        lib.manual_seed(0)
        assert lib.equal(r, lib.rand(2))
        m = lib.nn.utils.skip_init(lib.nn.BatchNorm1d, num_features=3)
        assert m.running_var.shape == (3,) and list(m.state_dict()) == [
            'weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
    same_error(lambda: nn.utils.skip_init(nn.ReLU), lambda: torch.nn.utils.skip_init(torch.nn.ReLU),
               RuntimeError)
    same_error(lambda: nn.utils.skip_init(int), lambda: torch.nn.utils.skip_init(int), RuntimeError)
    same_error(lambda: nn.utils.skip_init(nn.Linear, 3, 2, device='cuda'),
               lambda: torch.nn.utils.skip_init(torch.nn.Linear, 3, 2, device='cuda'),
               AssertionError)


def test_convert_conv_weight_memory_format():
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        net = lib.nn.Sequential(lib.nn.Conv2d(2, 3, 3), lib.nn.Sequential(
            lib.nn.ConvTranspose2d(3, 2, 2)), lib.nn.Conv3d(1, 1, 1), lib.nn.Linear(2, 2))
        w = [p.detach().clone() for p in net.parameters()]
        ids = [id(p) for p in net.parameters()]
        assert lib.nn.utils.convert_conv2d_weight_memory_format(
            net, lib.contiguous_format) is net
        assert lib.nn.utils.convert_conv3d_weight_memory_format(
            net, lib.contiguous_format) is net
        assert [id(p) for p in net.parameters()] == ids
        assert all(lib.equal(a, b) for a, b in zip(w, net.parameters()))
        assert net[0].weight.is_contiguous()
        # no convolution of that kind: nothing to convert
        lib.nn.utils.convert_conv3d_weight_memory_format(lib.nn.Linear(2, 2),
                                                         lib.channels_last_3d)
    with pytest.raises(NotImplementedError, match='channels_last'):
        nn.utils.convert_conv2d_weight_memory_format(nn.Conv2d(1, 1, 1), numtorch.channels_last)
    with pytest.raises(NotImplementedError, match='channels_last_3d'):
        nn.utils.convert_conv3d_weight_memory_format(nn.Sequential(nn.Conv3d(1, 1, 1)),
                                                     numtorch.channels_last_3d)


# -- stateless.functional_call ---------------------------------------------------------------
class _Tied:
    """A module (per library) with a buffer, a tied weight and a forward that reassigns an
    attribute."""

    @staticmethod
    def make(lib):
        class M(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.l1 = lib.nn.Linear(3, 3)
                self.l2 = lib.nn.Linear(3, 3)
                self.l2.weight = self.l1.weight
                self.register_buffer('shift', lib.ones(3))

            def forward(self, x, scale=1.0):
                self.shift = self.shift + 1
                return self.l2(self.l1(x)) * scale + self.shift
        lib.manual_seed(0)
        return M()


def test_stateless_functional_call():
    mods = {lib: _Tied.make(lib) for lib in (numtorch, torch)}
    x = arr(2, 3)
    w = arr(3, 3)
    outs = {}
    for lib, m in mods.items():
        params = {'l1.weight': lib.tensor(w, requires_grad=True), 'shift': lib.zeros(3)}
        before = {k: v.detach().clone() for k, v in m.state_dict().items()}
        with pytest.warns(FutureWarning, match='stateless.functional_call` is deprecated'):
            y = lib.nn.utils.stateless.functional_call(m, params, lib.tensor(x),
                                                       {'scale': 2.0})
        y.sum().backward()
        # the module is as before; the dict got the reassigned buffer
        assert all(lib.equal(before[k], v) for k, v in m.state_dict().items())
        assert m.l2.weight is m.l1.weight
        outs[lib] = (y, params['l1.weight'].grad, params['shift'])
        with pytest.warns(FutureWarning):
            y2 = lib.nn.utils.stateless.functional_call(
                m, {'l1.weight': lib.tensor(w)}, (lib.tensor(x),), tie_weights=False)
        outs[lib] += (y2,)
    for u, v in zip(outs[numtorch], outs[torch]):
        assert_close(u, v, 1e-5, 1e-6)
    mn, mt = mods[numtorch], mods[torch]
    fn = numtorch.nn.utils.stateless._functional_call
    ftc = torch.nn.utils.stateless._functional_call
    w2 = arr(3, 3)
    same_error(lambda: fn(mn, {'l1.weight': numtorch.tensor(w), 'l2.weight': numtorch.tensor(w2)},
                          numtorch.tensor(x)),
               lambda: ftc(mt, {'l1.weight': torch.tensor(w), 'l2.weight': torch.tensor(w2)},
                           torch.tensor(x)), ValueError)
    same_error(lambda: fn(mn, {'l1.weight': numtorch.tensor(w), 'bogus': numtorch.ones(1)},
                          numtorch.tensor(x), strict=True),
               lambda: ftc(mt, {'l1.weight': torch.tensor(w), 'bogus': torch.ones(1)},
                           torch.tensor(x), strict=True), RuntimeError)
    same_error(lambda: fn(mn, {'l1.weight': 3}, numtorch.tensor(x)),
               lambda: ftc(mt, {'l1.weight': 3}, torch.tensor(x)), TypeError)
    same_error(lambda: fn(mn, {'l9.weight': numtorch.ones(1)}, numtorch.tensor(x)),
               lambda: ftc(mt, {'l9.weight': torch.ones(1)}, torch.tensor(x)), AttributeError)
    same_error(lambda: fn(nn.DataParallel(mn), {}, numtorch.tensor(x)),
               lambda: ftc(torch.nn.DataParallel(mt), {}, torch.tensor(x)), RuntimeError)
    # a failing forward still restores the module
    with pytest.raises(RuntimeError):
        fn(mn, {'l1.weight': numtorch.ones(2, 2)}, numtorch.tensor(x))
    assert mn.l1.weight.shape == (3, 3) and type(mn.l1.weight) is nn.Parameter


# -- nn.grad -----------------------------------------------------------------------------------
_GRAD_CASES = [(1, (2, 4, 7), (6, 2, 3), dict(stride=2, padding=1, groups=2)),
               (2, (2, 3, 8, 7), (4, 3, 3, 2),
                dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2))),
               (2, (1, 1, 6, 6), (1, 1, 3, 3), dict(stride=2)),
               (3, (1, 2, 5, 6, 5), (4, 1, 2, 3, 2), dict(stride=2, padding=1, groups=2))]


@pytest.mark.parametrize('case', range(len(_GRAD_CASES)))
def test_nn_grad(case):
    nd, xs, ws, kw = _GRAD_CASES[case]
    x, w = arr(*xs, dtype=np.float64), arr(*ws, dtype=np.float64)
    conv = getattr(torch.nn.functional, f'conv{nd}d')
    gy = arr(*conv(torch.tensor(x), torch.tensor(w), **kw).shape, dtype=np.float64)
    (xn, xt), (wn, wt), (gn, gt) = pair(x), pair(w), pair(gy)
    assert F.grad is nn.grad
    for which in ('input', 'weight'):
        fn_n = getattr(nn.grad, f'conv{nd}d_{which}')
        fn_t = getattr(torch.nn.grad, f'conv{nd}d_{which}')
        if which == 'input':
            rn, rt = fn_n(xs, wn, gn, **kw), fn_t(xs, wt, gt, **kw)
            operands = (wn, gn)
        else:
            rn, rt = fn_n(xn, ws, gn, **kw), fn_t(xt, ws, gt, **kw)
            operands = (xn, gn)
        assert_close(rn, rt, 1e-10, 1e-12)
        assert rn.grad_fn.name() == rt.grad_fn.name() == 'ConvolutionBackwardBackward0'
        # differentiable in both operands, as PyTorch's
        r = arr(*rt.shape, dtype=np.float64)
        gs_n = numtorch.autograd.grad((rn * numtorch.tensor(r)).sum(), operands)
        gs_t = torch.autograd.grad((rt * torch.tensor(r)).sum(),
                                   (wt, gt) if which == 'input' else (xt, gt))
        for u, v in zip(gs_n, gs_t):
            assert_close(u, v, 1e-10, 1e-12)
    if case == 0:
        fi = lambda w, g: nn.grad.conv1d_input(xs, w, g, **kw)  # noqa: E731
        fw = lambda x, g: nn.grad.conv1d_weight(x, ws, g, **kw)  # noqa: E731
        assert gradcheck(fi, (wn, gn)) and gradcheck(fw, (xn, gn))
        assert numtorch.autograd.gradgradcheck(fi, (wn, gn))
        assert numtorch.autograd.gradgradcheck(fw, (xn, gn))


def test_nn_grad_errors():
    w, g = numtorch.ones(1, 1, 3, 3), numtorch.ones(1, 1, 2, 2)
    wt, gt = torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2)
    same_error(lambda: nn.grad.conv2d_input([1, 6, 6], w, g[0]),
               lambda: torch.nn.grad.conv2d_input([1, 6, 6], wt, gt[0]), RuntimeError)
    same_error(lambda: nn.grad.conv2d_weight(numtorch.ones(1, 6, 6), [1, 1, 3, 3], g[0]),
               lambda: torch.nn.grad.conv2d_weight(torch.ones(1, 6, 6), [1, 1, 3, 3], gt[0]))
    same_error(lambda: nn.grad.conv2d_input([1, 1, 6, 6], w, numtorch.ones(1, 1, 3, 3), stride=2),
               lambda: torch.nn.grad.conv2d_input([1, 1, 6, 6], wt, torch.ones(1, 1, 3, 3),
                                                  stride=2))
    with pytest.raises(RuntimeError, match="argument 'padding'"):
        nn.grad.conv2d_input([1, 1, 6, 6], w, g, padding='same')
    same_error(lambda: nn.grad.conv1d_input([1, 1, 6], w, g),
               lambda: torch.nn.grad.conv1d_input([1, 1, 6], wt, gt))
    same_error(lambda: nn.grad.conv2d_input([1, 6, 6], w[0], g[0]),
               lambda: torch.nn.grad.conv2d_input([1, 6, 6], wt[0], gt[0]))
    same_error(lambda: nn.grad.conv3d_weight(numtorch.ones(1, 1, 6, 6), [1, 1, 3, 3], g),
               lambda: torch.nn.grad.conv3d_weight(torch.ones(1, 1, 6, 6), [1, 1, 3, 3], gt))


# -- DataParallel ------------------------------------------------------------------------------
def test_data_parallel_on_cpu():
    mods = {}
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        inner = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3))
        dp = lib.nn.DataParallel(inner, device_ids=None, output_device=None, dim=0)
        assert dp.module is inner and dp.device_ids == [] and not hasattr(dp, 'dim')
        assert lib.nn.parallel.DataParallel is lib.nn.DataParallel
        mods[lib] = dp
    dn, dt = mods[numtorch], mods[torch]
    assert repr(dn) == repr(dt)
    assert list(dn.state_dict()) == list(dt.state_dict())
    assert list(dn.state_dict())[0] == 'module.0.weight'
    xn, xt = pair(arr(4, 2))
    yn, yt = dn(xn), dt(xt)
    assert_close(yn, yt, 1e-5, 1e-6)
    # (a weighted sum: the plain sum of a batch norm's output has a zero gradient, whose
    # rounding noise the two libraries need not share)
    c = np.arange(12, dtype=np.float32).reshape(4, 3)
    (yn * numtorch.tensor(c)).sum().backward()
    (yt * torch.tensor(c)).sum().backward()
    # (float32 through a batch norm of 4 samples: its backward cancels, so a few ulps of
    # difference in the statistics reach the gradients at ~1e-5 of their scale)
    assert_close(xn.grad, xt.grad, 1e-4, 1e-5)
    assert_close(dn.module[0].weight.grad, dt.module[0].weight.grad, 1e-4, 1e-5)
    same_error(lambda: dn(xn, xn), lambda: dt(xt, xt), TypeError)
    same_error(lambda: numtorch.nn.parallel.data_parallel(dn.module, xn),
               lambda: torch.nn.parallel.data_parallel(dt.module, xt), RuntimeError)


# -- CrossMapLRN2d, SyncBatchNorm, Container -------------------------------------------------
@pytest.mark.parametrize('size,alpha,beta,k,C', [(3, 1e-4, 0.75, 1, 6), (5, 0.5, 0.6, 2, 7),
                                                 (4, 2.0, 1.0, 0.5, 5), (7, 1.0, 0.75, 1, 3),
                                                 (2, 1.0, 0.5, 1, 4)])
def test_cross_map_lrn2d(size, alpha, beta, k, C):
    mn, mt = nn.CrossMapLRN2d(size, alpha, beta, k), torch.nn.CrossMapLRN2d(size, alpha, beta, k)
    assert repr(mn) == repr(mt)
    assert list(mn.state_dict()) == list(mt.state_dict()) == []
    for dtype, tol in ((np.float32, 1e-5), (np.float64, 1e-12)):
        xn, xt = pair(arr(2, C, 3, 2, dtype=dtype) * 2)
        yn, yt = mn(xn), mt(xt)
        assert yn.grad_fn.name() == yt.grad_fn.name() == 'CrossMapLRN2dBackward'
        assert yn.dtype == xn.dtype
        assert_close(yn, yt, tol, tol)
        g = arr(*yn.shape, dtype=dtype)
        yn.backward(numtorch.tensor(g))
        yt.backward(torch.tensor(g))
        assert_close(xn.grad, xt.grad, tol, tol)


def test_cross_map_lrn2d_errors():
    mn, mt = nn.CrossMapLRN2d(3), torch.nn.CrossMapLRN2d(3)
    same_error(lambda: mn(numtorch.ones(3, 2, 2)), lambda: mt(torch.ones(3, 2, 2)), ValueError)
    same_error(lambda: mn(numtorch.ones(1, 3, 2, 2, dtype=numtorch.int32)),
               lambda: mt(torch.ones(1, 3, 2, 2, dtype=torch.int32)), RuntimeError)
    xn, xt = pair(arr(1, 3, 2, 2))
    same_error(lambda: nn.CrossMapLRN2d(1)(xn).sum().backward(),
               lambda: torch.nn.CrossMapLRN2d(1)(xt).sum().backward(), RuntimeError)
    same_error(lambda: numtorch.autograd.grad(mn(xn).sum(), xn, create_graph=True),
               lambda: torch.autograd.grad(mt(xt).sum(), xt, create_graph=True), RuntimeError)


def test_sync_batch_norm_on_cpu():
    for shape in ((4, 3), (4, 3, 5), (2, 3, 2, 2, 2)):
        mn, mt = nn.SyncBatchNorm(3, momentum=0.2), torch.nn.SyncBatchNorm(3, momentum=0.2)
        assert repr(mn) == repr(mt) and mn.process_group is None
        assert list(mn.state_dict()) == list(mt.state_dict())
        assert vars(mn).keys() == vars(mt).keys()
        xn, xt = pair(arr(*shape))
        for train in (True, False):
            mn.train(train)
            mt.train(train)
            yn, yt = mn(xn), mt(xt)
            assert yn.grad_fn.name() == yt.grad_fn.name()
            assert_close(yn, yt, 1e-5, 1e-6)
            g = arr(*shape)
            xn.grad = xt.grad = None
            yn.backward(numtorch.tensor(g))
            yt.backward(torch.tensor(g))
            assert_close(xn.grad, xt.grad, 1e-4, 1e-5)
            assert_close(mn.weight.grad, mt.weight.grad, 1e-4, 1e-5)
            for k, v in mn.state_dict().items():
                assert_close(v, mt.state_dict()[k], 1e-5, 1e-6)
    m2n = nn.SyncBatchNorm(3, 1e-3, None, False, False, process_group=None)
    m2t = torch.nn.SyncBatchNorm(3, 1e-3, None, False, False, process_group=None)
    assert repr(m2n) == repr(m2t) and list(m2n.state_dict()) == []
    same_error(lambda: m2n(numtorch.ones(3)), lambda: m2t(torch.ones(3)), ValueError)
    same_error(lambda: nn.SyncBatchNorm(0)(numtorch.ones(2, 0)),
               lambda: torch.nn.SyncBatchNorm(0)(torch.ones(2, 0)), ValueError)
    same_error(lambda: nn.SyncBatchNorm(3)(numtorch.ones(1, 3)),
               lambda: torch.nn.SyncBatchNorm(3)(torch.ones(1, 3)), ValueError)


def test_convert_sync_batchnorm():
    out = {}
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        s = lib.nn.Sequential(lib.nn.Conv2d(2, 3, 1), lib.nn.BatchNorm2d(3),
                              lib.nn.Sequential(lib.nn.BatchNorm1d(3, affine=False)),
                              lib.nn.InstanceNorm1d(3))
        s[1].running_mean.fill_(2)
        s.eval()
        w = s[1].weight
        c = lib.nn.SyncBatchNorm.convert_sync_batchnorm(s)
        assert c is s and c[1].weight is w and not c[1].training
        assert type(c[3]).__name__ == 'InstanceNorm1d'
        single = lib.nn.SyncBatchNorm.convert_sync_batchnorm(lib.nn.BatchNorm3d(2, eps=1e-3))
        out[lib] = (repr(c), list(c.state_dict()), repr(single), c[1].running_mean.tolist())
    assert out[numtorch] == out[torch]


def test_container_deprecated():
    with pytest.warns(FutureWarning, match='`nn.Container` is deprecated. All of its'):
        cn = nn.Container(a=nn.Linear(2, 2), b=nn.ReLU())
    with pytest.warns(FutureWarning):
        ct = torch.nn.Container(a=torch.nn.Linear(2, 2), b=torch.nn.ReLU())
    assert repr(cn) == repr(ct)
    assert list(cn.state_dict()) == list(ct.state_dict())
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        same_error(lambda: nn.Container(a=3), lambda: torch.nn.Container(a=3), TypeError)
        same_error(lambda: nn.Container()(numtorch.ones(1)),
                   lambda: torch.nn.Container()(torch.ones(1)), NotImplementedError)


def test_functional_conv_tbc():
    assert F.conv_tbc is numtorch.conv_tbc
    for pad in (0, 1, 2):
        (xn, xt), (wn, wt), (bn_, bt) = (pair(arr(7, 2, 3, dtype=np.float64)),
                                         pair(arr(3, 3, 4, dtype=np.float64)),
                                         pair(arr(4, dtype=np.float64)))
        yn, yt = F.conv_tbc(xn, wn, bn_, pad), torch.nn.functional.conv_tbc(xt, wt, bt, pad)
        assert_close(yn, yt, 1e-12, 1e-12)
        g = arr(*yt.shape, dtype=np.float64)
        yn.backward(numtorch.tensor(g))
        yt.backward(torch.tensor(g))
        for u, v in ((xn, xt), (wn, wt), (bn_, bt)):
            assert_close(u.grad, v.grad, 1e-12, 1e-12)
    xn, xt = pair(arr(7, 2, 3), grad=False)
    wn, wt = pair(arr(3, 3, 4), grad=False)
    bn_, bt = pair(arr(4), grad=False)
    for args_n, args_t in (((xn[0], wn, bn_), (xt[0], wt, bt)), ((xn, wn[0], bn_), (xt, wt[0], bt)),
                           ((xn, wn, bn_[None]), (xt, wt, bt[None])),
                           ((xn, wn[:, :2], bn_), (xt, wt[:, :2], bt)),
                           ((xn, wn, bn_[:3]), (xt, wt, bt[:3]))):
        same_error(lambda: F.conv_tbc(*args_n), lambda: torch.nn.functional.conv_tbc(*args_t),
                   RuntimeError)
