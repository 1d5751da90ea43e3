"""3-D convolutions and pooling (F.conv3d/conv_transpose3d, max/avg/adaptive/lp pooling,
max_unpool3d and their layers) against PyTorch: outputs, input/weight/bias gradients over
argument combinations, grad_fn names, errors (type and message), repr, state_dict keys,
seeded initialisation, float64 gradchecks and double backward."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck, gradgradcheck
from conftest import assert_close

RNG = np.random.default_rng(3)


def arr(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def both(fn_nt, fn_pt, *arrays, rtol=1e-5, atol=1e-5, gtol=1e-4):
    """Runs a function under both libraries on the same arrays (float ones require grad);
    compares outputs (and extra outputs such as indices), grad_fn names and the gradient
    of every float input."""
    xs_n = [None if a is None else numtorch.tensor(a, requires_grad=a.dtype.kind == 'f')
            for a in arrays]
    xs_p = [None if a is None else torch.tensor(a, requires_grad=a.dtype.kind == 'f')
            for a in arrays]
    yn, yp = fn_nt(*xs_n), fn_pt(*xs_p)
    if isinstance(yp, tuple):
        assert_close(yn[1:], yp[1:], 0, 0)
        yn, yp = yn[0], yp[0]
    assert_close(yn, yp, rtol, atol)
    assert yn.grad_fn.name() == yp.grad_fn.name()
    g = RNG.standard_normal(tuple(yp.shape)).astype(yp.detach().numpy().dtype)
    yp.backward(torch.tensor(g))
    yn.backward(numtorch.tensor(g))
    for a, b in zip(xs_n, xs_p):
        if b is not None and b.requires_grad:
            assert_close(a.grad, b.grad, gtol, gtol)


def raises_like(fn_nt, fn_pt):
    """Both calls raise the same exception type with the same message."""
    with pytest.raises(Exception) as ep:
        fn_pt()
    with pytest.raises(type(ep.value), match='^' + re.escape(str(ep.value)) + '$'):
        fn_nt()


def copy_weights(mn, mp) -> None:
    mn.load_state_dict({k: numtorch.tensor(v.detach().numpy())
                        for k, v in mp.state_dict().items()})


# -- conv3d ----------------------------------------------------------------------------------------
CONV_CASES = [
    ((2, 4, 5, 6, 7), (6, 4, 3, 2, 3), True, {}),
    ((2, 4, 5, 6, 7), (6, 2, 3, 2, 3), True, dict(stride=(2, 1, 3), padding=(1, 0, 2),
                                                  dilation=(1, 2, 1), groups=2)),
    ((1, 3, 4, 5, 6), (3, 1, 1, 1, 1), False, dict(groups=3)),
    ((2, 2, 4, 4, 5), (4, 2, 2, 3, 2), True, dict(padding='same', dilation=(2, 1, 1))),
    ((2, 2, 4, 4, 5), (4, 2, 2, 2, 3), False, dict(padding='valid', stride=2)),
    ((3, 4, 5, 6), (2, 3, 1, 2, 3), True, dict(padding=1, dilation=2)),
    ((0, 3, 4, 5, 6), (2, 3, 1, 2, 3), True, {}),
]


@pytest.mark.parametrize('xs,ws,bias,kw', CONV_CASES)
def test_conv3d_matches_torch(xs, ws, bias, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        both(lambda x, w, b: F.conv3d(x, w, b, **kw),
             lambda x, w, b: torch.nn.functional.conv3d(x, w, b, **kw),
             arr(*xs), arr(*ws), arr(ws[0]) if bias else None)


def test_conv3d_same_padding_warns_like_torch():
    x, w = numtorch.randn(1, 1, 4, 4, 4), numtorch.randn(1, 1, 2, 3, 3)
    with pytest.warns(UserWarning, match="padding='same' with even kernel lengths"):
        F.conv3d(x, w, padding='same')


def test_conv3d_torch_namespace_and_integer_dtypes():
    x = RNG.integers(-5, 5, (1, 2, 3, 4, 4))
    w = RNG.integers(-5, 5, (3, 2, 2, 2, 2))
    assert_close(numtorch.conv3d(numtorch.tensor(x), numtorch.tensor(w)),
                 torch.conv3d(torch.tensor(x), torch.tensor(w)), 0, 0)


TCONV_CASES = [
    ((2, 4, 3, 4, 5), (4, 3, 3, 2, 3), True, {}),
    ((2, 4, 3, 4, 5), (4, 3, 3, 2, 3), True, dict(stride=(2, 1, 3), padding=(1, 0, 2),
                                                  output_padding=(1, 0, 2),
                                                  dilation=(1, 2, 1), groups=2)),
    ((4, 3, 4, 5), (4, 3, 3, 2, 3), False, dict(stride=2, dilation=3, output_padding=2)),
    ((1, 6, 2, 3, 2), (6, 1, 2, 2, 2), True, dict(groups=3, stride=(1, 2, 2), padding=1)),
]


@pytest.mark.parametrize('xs,ws,bias,kw', TCONV_CASES)
def test_conv_transpose3d_matches_torch(xs, ws, bias, kw):
    nout = ws[1] * kw.get('groups', 1)
    both(lambda x, w, b: F.conv_transpose3d(x, w, b, **kw),
         lambda x, w, b: torch.nn.functional.conv_transpose3d(x, w, b, **kw),
         arr(*xs), arr(*ws), arr(nout) if bias else None)
    assert numtorch.conv_transpose3d is F.conv_transpose3d


def test_conv3d_gradcheck_and_double_backward():
    x = numtorch.tensor(arr(1, 2, 3, 4, 3, dtype=np.float64), requires_grad=True)
    w = numtorch.tensor(arr(4, 1, 2, 2, 2, dtype=np.float64), requires_grad=True)
    b = numtorch.tensor(arr(4, dtype=np.float64), requires_grad=True)
    for kw in (dict(stride=(1, 2, 1), padding=(1, 0, 1), groups=2),
               dict(padding='same', dilation=(1, 1, 2), groups=2)):
        def f(x, w, b):
            return F.conv3d(x, w, b, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # (the 'same' even-kernel warning)
            assert gradcheck(f, (x, w, b))
            assert gradgradcheck(f, (x, w, b))


def test_conv_transpose3d_gradcheck_and_double_backward():
    x = numtorch.tensor(arr(1, 4, 2, 3, 2, dtype=np.float64), requires_grad=True)
    w = numtorch.tensor(arr(4, 1, 2, 2, 3, dtype=np.float64), requires_grad=True)
    b = numtorch.tensor(arr(2, dtype=np.float64), requires_grad=True)

    def f(x, w, b):
        return F.conv_transpose3d(x, w, b, stride=(2, 1, 2), padding=(0, 1, 1),
                                  output_padding=(1, 0, 0), groups=2, dilation=(1, 2, 1))
    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))


def test_conv3d_double_backward_matches_torch():
    xa, wa = arr(2, 2, 3, 4, 4, dtype=np.float64), arr(3, 2, 2, 3, 2, dtype=np.float64)
    res = []
    for lib in (numtorch, torch):
        x = lib.tensor(xa, requires_grad=True)
        w = lib.tensor(wa, requires_grad=True)
        y = lib.nn.functional.conv3d(x, w, stride=(1, 2, 1), padding=(1, 1, 0))
        gx, gw = lib.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        res.append(lib.autograd.grad((gx * gx).sum() + (gw ** 3).sum(), (x, w)))
    assert_close(res[0], res[1], 1e-9, 1e-9)


CONV_ERRORS = [
    lambda F, x: F.conv3d(x, x.new_zeros(6, 3, 3, 3, 3)),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 7, 3, 3)),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 3, 3, 3), stride=(1, 2)),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 3, 3, 3), padding=(1, 2)),
    lambda F, x: F.conv3d(x[0, 0], x.new_zeros(6, 4, 3, 3, 3)),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 3, 3)),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 3, 3, 3), groups=4),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 3, 3, 3), x.new_zeros(5)),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 3, 3, 3), stride=2, padding='same'),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 3, 3, 3), padding='full'),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 3, 3, 3).double()),
    lambda F, x: F.conv3d(x.double(), x.new_zeros(6, 4, 3, 3, 3)),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 3, 3, 3), x.new_zeros(6).double()),
    lambda F, x: F.conv3d(x.bool(), x.new_zeros(6, 4, 3, 3, 3).bool()),
    lambda F, x: F.conv3d(x.double(), x.new_zeros(6, 4, 0, 3, 3).double()),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 3, 3, 3), stride=0),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 3, 3, 3), padding=-1),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 3, 3, 3), dilation=0),
    lambda F, x: F.conv3d(x, x.new_zeros(6, 4, 3, 3, 3), groups=0),
    lambda F, x: F.conv_transpose3d(x, x.new_zeros(4, 2, 3, 3, 3), stride=2, output_padding=2),
    lambda F, x: F.conv_transpose3d(x, x.new_zeros(4, 2, 3, 3, 3), output_padding=-1),
    lambda F, x: F.conv_transpose3d(x, x.new_zeros(4, 2, 3, 3, 3), output_padding=(1, 1)),
    lambda F, x: F.conv_transpose3d(x.double(), x.new_zeros(4, 2, 3, 3, 3).double(),
                                    padding=4),
    lambda F, x: F.conv_transpose3d(x, x.new_zeros(4, 2, 3, 3, 3), padding='same'),
    lambda F, x: F.conv_transpose3d(x, x.new_zeros(3, 2, 3, 3, 3)),
    lambda F, x: F.conv_transpose3d(x, x.new_zeros(4, 2, 3, 3, 3), groups=3),
    lambda F, x: F.conv_transpose3d(x, x.new_zeros(4, 2, 3, 3, 3), x.new_zeros(3)),
    lambda F, x: F.conv_transpose3d(x.double(), x.new_zeros(4, 2, 0, 3, 3).double()),
    lambda F, x: F.conv_transpose3d(x.bool(), x.new_zeros(4, 2, 3, 3, 3).bool()),
    lambda F, x: F.conv_transpose3d(x[0, 0], x.new_zeros(4, 2, 3, 3, 3)),
]


@pytest.mark.parametrize('case', range(len(CONV_ERRORS)))
def test_conv3d_errors_match_torch(case):
    f = CONV_ERRORS[case]
    raises_like(lambda: f(F, numtorch.zeros(2, 4, 5, 5, 5)),
                lambda: f(torch.nn.functional, torch.zeros(2, 4, 5, 5, 5)))


# -- conv layers -----------------------------------------------------------------------------------
LAYERS = [
    ('Conv3d', (4, 6, 3), dict(padding=1, groups=2, bias=False, dilation=2), (2, 4, 6, 6, 5)),
    ('Conv3d', (3, 2, (1, 2, 3)), dict(stride=(1, 2, 1), padding=(0, 1, 1),
                                       padding_mode='reflect'), (2, 3, 3, 5, 4)),
    ('Conv3d', (3, 2, 2), dict(padding=1, padding_mode='replicate'), (3, 3, 4, 4)),
    ('Conv3d', (2, 2, 3), dict(padding='same', padding_mode='circular'), (1, 2, 3, 4, 5)),
    ('Conv3d', (2, 4, 2), dict(padding='valid', stride=2), (1, 2, 4, 4, 5)),
    ('ConvTranspose3d', (4, 6, (1, 2, 3)), dict(output_padding=1, stride=2, groups=2),
     (2, 4, 2, 3, 2)),
    ('ConvTranspose3d', (2, 3, 2), dict(padding=1, dilation=2, bias=False), (2, 3, 3, 2)),
]


@pytest.mark.parametrize('name,args,kw,xs', LAYERS)
def test_conv_layers_match_torch(name, args, kw, xs):
    torch.manual_seed(7)
    mp = getattr(torch.nn, name)(*args, **kw)
    numtorch.manual_seed(7)
    mn = getattr(nn, name)(*args, **kw)
    assert repr(mn) == repr(mp)
    assert list(mn.state_dict()) == list(mp.state_dict())
    for k, v in mp.state_dict().items():   # same seed, same default initialisation
        assert_close(mn.state_dict()[k], v, 0, 0)
    x = arr(*xs)
    xn = numtorch.tensor(x, requires_grad=True)
    xp = torch.tensor(x, requires_grad=True)
    yn, yp = mn(xn), mp(xp)
    assert_close(yn, yp, 1e-5, 1e-5)
    g = arr(*yp.shape)
    yn.backward(numtorch.tensor(g))
    yp.backward(torch.tensor(g))
    assert_close(xn.grad, xp.grad, 1e-4, 1e-4)
    for (k, a), (_, b) in zip(mn.named_parameters(), mp.named_parameters()):
        assert_close(a.grad, b.grad, 1e-4, 1e-4)


def test_conv_transpose3d_output_size():
    torch.manual_seed(1)
    mp = torch.nn.ConvTranspose3d(4, 2, 3, stride=2)
    mn = nn.ConvTranspose3d(4, 2, 3, stride=2)
    copy_weights(mn, mp)
    x = arr(2, 4, 5, 5, 5)
    for size in ((12, 11, 11), (2, 2, 11, 12, 12)):
        assert_close(mn(numtorch.tensor(x), output_size=size),
                     mp(torch.tensor(x), output_size=size), 1e-5, 1e-5)
    for size in ((9, 9), (20, 11, 11)):
        raises_like(lambda: mn(numtorch.tensor(x), output_size=size),
                    lambda: mp(torch.tensor(x), output_size=size))


def test_conv3d_layer_errors_and_lazy():
    raises_like(lambda: nn.ConvTranspose3d(4, 2, 3, padding_mode='reflect'),
                lambda: torch.nn.ConvTranspose3d(4, 2, 3, padding_mode='reflect'))
    raises_like(lambda: nn.Conv3d(4, 6, 3, groups=4), lambda: torch.nn.Conv3d(4, 6, 3, groups=4))
    raises_like(lambda: nn.Conv3d(4, 6, 3, stride=2, padding='same'),
                lambda: torch.nn.Conv3d(4, 6, 3, stride=2, padding='same'))
    m = nn.LazyConv3d(5, 2)
    y = m(numtorch.randn(1, 3, 3, 3, 3))
    assert type(m) is nn.Conv3d and tuple(m.weight.shape) == (5, 3, 2, 2, 2)
    assert tuple(y.shape) == (1, 5, 2, 2, 2)


# -- pooling ---------------------------------------------------------------------------------------
POOL_CASES = [
    ('max_pool3d', (2, 3, 5, 6, 7), (2,), {}),
    ('max_pool3d', (2, 3, 5, 6, 7), ((3, 2, 3),),
     dict(stride=(1, 2, 2), padding=(1, 1, 0), dilation=(1, 2, 1), ceil_mode=True,
          return_indices=True)),
    ('max_pool3d', (3, 5, 6, 7), (3,),
     dict(stride=2, padding=1, ceil_mode=True, return_indices=True)),
    ('avg_pool3d', (2, 3, 5, 6, 7), (2,), {}),
    ('avg_pool3d', (2, 3, 5, 6, 7), ((3, 2, 3),),
     dict(stride=(1, 2, 2), padding=(1, 1, 0), ceil_mode=True, count_include_pad=False)),
    ('avg_pool3d', (3, 5, 6, 7), (3,),
     dict(stride=2, padding=1, ceil_mode=True, divisor_override=5)),
    ('adaptive_avg_pool3d', (2, 3, 5, 6, 7), ((2, 4, 3),), {}),
    ('adaptive_avg_pool3d', (3, 5, 6, 7), ((3, None, 9),), {}),
    ('adaptive_avg_pool3d', (2, 3, 5, 6, 7), (1,), {}),
    ('adaptive_max_pool3d', (2, 3, 5, 6, 7), ((2, 4, 3),), dict(return_indices=True)),
    ('adaptive_max_pool3d', (3, 5, 6, 7), ((3, None, 9),), dict(return_indices=True)),
    ('adaptive_max_pool3d', (2, 3, 5, 6, 7), (1,), {}),
    ('lp_pool3d', (2, 3, 5, 6, 7), (2, 2), {}),
    ('lp_pool3d', (2, 3, 5, 6, 7), (3., (2, 3, 2)), dict(stride=1, ceil_mode=True)),
]


@pytest.mark.parametrize('name,xs,args,kw', POOL_CASES)
def test_pool3d_matches_torch(name, xs, args, kw):
    x = arr(*xs)
    if name == 'lp_pool3d':
        x = np.abs(x) + 0.1
    both(lambda t: getattr(F, name)(t, *args, **kw),
         lambda t: getattr(torch.nn.functional, name)(t, *args, **kw), x)


def test_max_pool3d_ties_nan_and_all_minus_inf_pick_torch_indices():
    x = np.zeros((1, 2, 3, 4, 4), np.float32)
    x[0, 1, 1, 1, 1] = np.nan
    x[0, 1, 2, 3, 3] = np.nan
    x[0, 0, 0] = -np.inf
    for kw in (dict(kernel_size=2, stride=1, padding=1, return_indices=True),
               dict(kernel_size=(1, 3, 2), stride=1, padding=(0, 1, 1), dilation=(1, 1, 2),
                    return_indices=True)):
        both(lambda t: F.max_pool3d(t, **kw), lambda t: torch.nn.functional.max_pool3d(t, **kw),
             x)
        both(lambda t: F.adaptive_max_pool3d(t, (2, 3, 3), True),
             lambda t: torch.nn.functional.adaptive_max_pool3d(t, (2, 3, 3), True), x)


def test_pool3d_integer_inputs():
    x = RNG.integers(-20, 20, (1, 2, 3, 4, 5))
    for nf, pf in ((lambda t: F.avg_pool3d(t, 2, ceil_mode=True, count_include_pad=False),
                    lambda t: torch.nn.functional.avg_pool3d(t, 2, ceil_mode=True,
                                                             count_include_pad=False)),
                   (lambda t: F.avg_pool3d(t, 2, padding=1),
                    lambda t: torch.nn.functional.avg_pool3d(t, 2, padding=1)),
                   (lambda t: numtorch.max_pool3d(t, 2, 1), lambda t: torch.max_pool3d(t, 2, 1))):
        assert_close(nf(numtorch.tensor(x)), pf(torch.tensor(x)), 0, 0)


def test_pool3d_gradchecks():
    x = numtorch.tensor(arr(1, 2, 4, 5, 4, dtype=np.float64), requires_grad=True)
    fns = [lambda t: F.max_pool3d(t, 2, stride=(1, 2, 1), padding=1, ceil_mode=True),
           lambda t: F.max_pool3d(t, (2, 1, 2), dilation=(1, 2, 2)),
           lambda t: F.avg_pool3d(t, 3, stride=2, padding=1, count_include_pad=False),
           lambda t: F.avg_pool3d(t, 2, ceil_mode=True, divisor_override=3),
           lambda t: F.adaptive_avg_pool3d(t, (3, 2, 3)),
           lambda t: F.adaptive_max_pool3d(t, (3, 2, 3)),
           lambda t: F.lp_pool3d(t, 2., 2)]
    for f in fns:
        assert gradcheck(f, (x,))
        assert gradgradcheck(f, (x,))


def test_max_unpool3d_matches_torch():
    x = arr(2, 3, 5, 6, 7)
    yp, ip = torch.nn.functional.max_pool3d(torch.tensor(x), 2, return_indices=True)
    yn, i_n = F.max_pool3d(numtorch.tensor(x), 2, return_indices=True)
    for size in (None, (5, 6, 7), (2, 3, 5, 6, 7)):
        if size is None:
            # (the default size is too small here; which bad index torch names varies)
            with pytest.raises(RuntimeError, match=r'^Found an invalid max index: \d+ \(output '
                               r'volumes are of size 4x6x6\)$'):
                torch.nn.functional.max_unpool3d(yp, ip, 2)
            with pytest.raises(RuntimeError, match=r'^Found an invalid max index: \d+ \(output '
                               r'volumes are of size 4x6x6\)$'):
                F.max_unpool3d(yn, i_n, 2)
            continue
        both(lambda t: nn.MaxUnpool3d(2)(t, i_n, output_size=size),
             lambda t: torch.nn.MaxUnpool3d(2)(t, ip, output_size=size), yp.numpy())
    for args in (((9, 6, 7),), ((5, 6),)):
        raises_like(lambda: F.max_unpool3d(yn, i_n, 2, output_size=args[0]),
                    lambda: torch.nn.functional.max_unpool3d(yp, ip, 2, output_size=args[0]))
    raises_like(lambda: F.max_unpool3d(yn, i_n[:, :1], 2, output_size=(5, 6, 7)),
                lambda: torch.nn.functional.max_unpool3d(yp, ip[:, :1], 2, output_size=(5, 6, 7)))
    bad_p, bad_n = ip.clone(), i_n.clone()
    bad_p[1, 2, 1, 2, 0] = bad_n[1, 2, 1, 2, 0] = 1000
    raises_like(lambda: F.max_unpool3d(yn, bad_n, 2, output_size=(5, 6, 7)),
                lambda: torch.nn.functional.max_unpool3d(yp, bad_p, 2, output_size=(5, 6, 7)))
    raises_like(lambda: F.max_unpool3d(yn[0, 0], i_n[0, 0], 2),
                lambda: torch.nn.functional.max_unpool3d(yp[0, 0], ip[0, 0], 2))
    t = numtorch.tensor(yp.numpy(), dtype=numtorch.float64, requires_grad=True)
    assert gradcheck(lambda v: F.max_unpool3d(v, i_n, 2, output_size=(5, 6, 7)), (t,))


POOL_ERRORS = [
    lambda F, x: F.max_pool3d(x, (2, 2)),
    lambda F, x: F.max_pool3d(x, 2, stride=(1, 2)),
    lambda F, x: F.max_pool3d(x, 2, padding=(1, 2)),
    lambda F, x: F.max_pool3d(x, 2, dilation=(1, 2)),
    lambda F, x: F.max_pool3d(x, 2, padding=2),
    lambda F, x: F.max_pool3d(x, 2, padding=2, dilation=3),
    lambda F, x: F.max_pool3d(x, 0),
    lambda F, x: F.max_pool3d(x, 0, stride=1),
    lambda F, x: F.max_pool3d(x, 2, stride=-1),
    lambda F, x: F.max_pool3d(x, 2, padding=-1),
    lambda F, x: F.max_pool3d(x, 2, dilation=0),
    lambda F, x: F.max_pool3d(x[0, 0], 2),
    lambda F, x: F.max_pool3d(x[:, :, :1], 2),
    lambda F, x: F.max_pool3d(x[:, :0], 2),
    lambda F, x: F.max_pool3d(x[0, :, :, :0], 2),
    lambda F, x: F.max_pool3d(x.bool(), 2),
    lambda F, x: F.avg_pool3d(x, (2, 2)),
    lambda F, x: F.avg_pool3d(x, 2, stride=(1, 2)),
    lambda F, x: F.avg_pool3d(x, 2, padding=(1, 2)),
    lambda F, x: F.avg_pool3d(x, 2, padding=2),
    lambda F, x: F.avg_pool3d(x, 0, stride=1),
    lambda F, x: F.avg_pool3d(x, 2, divisor_override=0),
    lambda F, x: F.avg_pool3d(x[0, 0], 2),
    lambda F, x: F.avg_pool3d(x[:, :, :1], 2, padding=1),
    lambda F, x: F.avg_pool3d(x[:, :, :, :0], 2),
    lambda F, x: F.avg_pool3d(x.int(), 2),
    lambda F, x: F.avg_pool3d(x.bool(), 2),
    lambda F, x: F.adaptive_avg_pool3d(x, (2, 3)),
    lambda F, x: F.adaptive_avg_pool3d(x[0, 0], 2),
    lambda F, x: F.adaptive_avg_pool3d(x.long(), 2),
    lambda F, x: F.adaptive_avg_pool3d(x[:, :0], 2),
    lambda F, x: F.adaptive_avg_pool3d(x, (2, -1, 3)),
    lambda F, x: F.adaptive_max_pool3d(x, (2, 3)),
    lambda F, x: F.adaptive_max_pool3d(x[0, 0], 2),
    lambda F, x: F.adaptive_max_pool3d(x.long(), 2),
    lambda F, x: F.adaptive_max_pool3d(x[:, :0], 2),
    lambda F, x: F.adaptive_max_pool3d(x, (2, -3, 4)),
]


@pytest.mark.parametrize('case', range(len(POOL_ERRORS)))
def test_pool3d_errors_match_torch(case):
    f = POOL_ERRORS[case]
    raises_like(lambda: f(F, numtorch.zeros(2, 3, 5, 6, 7)),
                lambda: f(torch.nn.functional, torch.zeros(2, 3, 5, 6, 7)))


POOL_LAYERS = [
    ('MaxPool3d', (2,), {}),
    ('MaxPool3d', ((1, 2, 3),), dict(stride=1, padding=(0, 1, 1), dilation=2,
                                     return_indices=True, ceil_mode=True)),
    ('AvgPool3d', (2,), {}),
    ('AvgPool3d', ((1, 2, 3),), dict(stride=1, padding=(0, 1, 1), ceil_mode=True,
                                     count_include_pad=False, divisor_override=3)),
    ('AdaptiveAvgPool3d', ((2, None, 3),), {}),
    ('AdaptiveMaxPool3d', (2,), dict(return_indices=True)),
    ('LPPool3d', (2, 3), {}),
]


@pytest.mark.parametrize('name,args,kw', POOL_LAYERS)
def test_pool_layers_match_torch(name, args, kw):
    mn, mp = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(mn) == repr(mp)
    assert list(mn.state_dict()) == list(mp.state_dict()) == []
    x = np.abs(arr(2, 3, 4, 5, 6)) + 0.1
    both(mn, mp, x)


def test_unpool_layer_repr_and_attributes():
    for args, kw in (((2,), {}), (((1, 2, 3),), dict(stride=1, padding=(0, 1, 1)))):
        mn, mp = nn.MaxUnpool3d(*args, **kw), torch.nn.MaxUnpool3d(*args, **kw)
        assert repr(mn) == repr(mp)
        assert (mn.kernel_size, mn.stride, mn.padding) == (mp.kernel_size, mp.stride,
                                                           mp.padding)


def test_3d_network_trains_like_torch():
    """A small 3-D CNN (conv, batch norm, pools, transposed conv) gives torch's loss and
    gradients from the same seed."""
    def build(lib):
        lib.manual_seed(0)
        n = lib.nn
        return n.Sequential(n.Conv3d(2, 4, 3, padding=1), n.BatchNorm3d(4), n.ReLU(),
                            n.MaxPool3d(2), n.Conv3d(4, 4, 3, padding=1, groups=2),
                            n.AvgPool3d(2, ceil_mode=True), n.ConvTranspose3d(4, 2, 2, stride=2),
                            n.AdaptiveAvgPool3d(1), n.Flatten())
    mn, mp = build(numtorch), build(torch)
    x = arr(2, 2, 6, 6, 6)
    ln = mn(numtorch.tensor(x)).square().sum()
    lp = mp(torch.tensor(x)).square().sum()
    assert_close(ln, lp, 1e-4, 1e-5)
    ln.backward()
    lp.backward()
    for a, b in zip(mn.parameters(), mp.parameters()):
        assert_close(a.grad, b.grad, 1e-3, 1e-5)
