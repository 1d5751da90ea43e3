"""Convolutions (F.conv1d/conv2d/conv_transpose1d/2d, unfold/fold and their layers) against
PyTorch: outputs, input/weight/bias gradients over many argument combinations, errors,
repr, seeded initialisation, float64 gradchecks, and the seed documents' CNNs."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch._ops import conv as conv_ops
from numtorch.autograd import gradcheck
from conftest import assert_close

RNG = np.random.default_rng(11)


# -- helpers shared by the nn test files -------------------------------------------------------
def arr(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def copy_weights(nt_module, pt_module) -> None:
    """Loads the torch module's state into the numtorch module (through load_state_dict)."""
    nt_module.load_state_dict({k: numtorch.tensor(v.detach().numpy())
                               for k, v in pt_module.state_dict().items()})


def both(fn_nt, fn_pt, *arrays, rtol=1e-5, atol=1e-5, grad_rtol=1e-4, grad_atol=1e-4,
         grads=True):
    """Runs a function of tensors under both libraries on the same arrays (float ones
    require grad); compares outputs and the gradient of every float input."""
    xs_n = [numtorch.tensor(a, requires_grad=a.dtype.kind == 'f') for a in arrays]
    xs_p = [torch.tensor(a, requires_grad=a.dtype.kind == 'f') for a in arrays]
    yn, yp = fn_nt(*xs_n), fn_pt(*xs_p)
    if isinstance(yp, tuple):
        assert_close(yn[1:], yp[1:], rtol, atol)
        yn, yp = yn[0], yp[0]
    assert_close(yn, yp, rtol, atol)
    if grads and yp.grad_fn is not None:
        assert yn.grad_fn.name() == yp.grad_fn.name()
        g = RNG.standard_normal(tuple(yp.shape)).astype(yp.detach().numpy().dtype)
        yp.backward(torch.tensor(g))
        yn.backward(numtorch.tensor(g))
        for a, b in zip(xs_n, xs_p):
            if b.requires_grad:
                assert_close(a.grad, b.grad, grad_rtol, grad_atol)
    return yn, yp


def run_modules(mn, mp, *arrays, train=True, rtol=1e-5, atol=1e-5):
    """Forward + backward of two modules with equal weights; compares outputs, input
    gradients and every parameter gradient."""
    mn.train(train)
    mp.train(train)
    yn, yp = both(mn, mp, *arrays, rtol=rtol, atol=atol)
    pn = dict(mn.named_parameters())
    for name, p in mp.named_parameters():
        assert_close(pn[name].grad, p.grad, 1e-4, 1e-4)
    return yn, yp


def _sorted_sets(msg: str) -> str:
    # A Python set in a message prints in an order that depends on the process that
    # compiled the source, so set literals are compared as sorted lists.
    return re.sub(r'\{([^{}]*)\}', lambda m: str(sorted(m.group(1).split(', '))), msg)


def same_error(fn_nt, fn_pt):
    """Both calls raise the same exception type with the same message."""
    with pytest.raises(Exception) as ep:
        fn_pt()
    with pytest.raises(Exception) as en:
        fn_nt()
    assert en.type.__name__ == ep.type.__name__, (en.value, ep.value)
    assert _sorted_sets(str(en.value)) == _sorted_sets(str(ep.value))


# -- conv2d ------------------------------------------------------------------------------------
CONV2D_CASES = [
    # x shape, weight shape, kwargs
    ((2, 3, 9, 9), (4, 3, 3, 3), {}),
    ((2, 3, 9, 9), (4, 3, 3, 3), dict(padding=1)),
    ((2, 3, 9, 8), (4, 3, 3, 2), dict(stride=2, padding=(1, 0))),
    ((2, 3, 10, 9), (5, 3, 3, 3), dict(stride=(2, 3), padding=2, dilation=(2, 1))),
    ((2, 4, 8, 8), (6, 2, 3, 3), dict(groups=2, padding=1)),
    ((2, 4, 8, 8), (4, 1, 3, 3), dict(groups=4, stride=2)),
    ((3, 6, 7, 7), (6, 3, 2, 2), dict(groups=2, dilation=2, padding=1)),
    ((2, 3, 6, 7), (4, 3, 1, 1), {}),
    ((2, 3, 6, 7), (4, 3, 1, 1), dict(stride=2)),
    ((2, 3, 6, 7), (4, 3, 1, 1), dict(padding=1)),
    ((2, 3, 7, 7), (4, 3, 4, 4), dict(padding='same')),
    ((2, 3, 7, 6), (4, 3, 3, 2), dict(padding='same', dilation=2)),
    ((2, 3, 7, 6), (4, 3, 3, 2), dict(padding='valid')),
    ((3, 7, 7), (4, 3, 3, 3), dict(padding=1)),
    ((1, 1, 5, 5), (1, 1, 5, 5), {}),
    # Few columns per output (C*kh*kw < 4*O): the NCHW-ordered column path.
    ((2, 2, 9, 8), (12, 1, 3, 3), dict(groups=2, stride=2, padding=1, dilation=2)),
    ((3, 1, 10, 9), (16, 1, 3, 2), dict(padding=(2, 1), stride=(1, 2))),
    ((2, 2, 9, 9), (16, 2, 2, 2), dict(stride=2)),
    ((0, 3, 5, 5), (2, 3, 3, 3), {}),
]


@pytest.mark.parametrize('xs,ws,kw', CONV2D_CASES)
@pytest.mark.parametrize('bias', [True, False])
def test_conv2d(xs, ws, kw, bias):
    arrays = [arr(*xs), arr(*ws)] + ([arr(ws[0])] if bias else [])
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        both(lambda *t: F.conv2d(*t[:2], t[2] if bias else None, **kw),
             lambda *t: torch.nn.functional.conv2d(*t[:2], t[2] if bias else None, **kw),
             *arrays)


@pytest.mark.parametrize('kw', [{}, dict(stride=2)])
def test_conv2d_of_strided_views(kw):
    """Inputs that are views with gaps (every other row of a bigger array, a transposed
    array): a 1-channel conv reads its columns from the input itself."""
    for make in (lambda a: a[:, :, ::2], lambda a: a.transpose(2, 3)):
        x = arr(2, 1, 14, 7)
        w = arr(3, 1, 3, 3)
        xn = make(numtorch.tensor(x, requires_grad=True))
        xp = make(torch.tensor(x, requires_grad=True))
        yn = F.conv2d(xn, numtorch.tensor(w), **kw)
        yp = torch.nn.functional.conv2d(xp, torch.tensor(w), **kw)
        assert_close(yn, yp, 1e-5, 1e-5)


def test_conv2d_weight_only_and_input_only_gradients():
    x, w = arr(2, 3, 6, 6), arr(4, 3, 3, 3)
    xn = numtorch.tensor(x)
    wn = numtorch.tensor(w, requires_grad=True)
    F.conv2d(xn, wn).sum().backward()
    xp = torch.tensor(x)
    wp = torch.tensor(w, requires_grad=True)
    torch.nn.functional.conv2d(xp, wp).sum().backward()
    assert_close(wn.grad, wp.grad, 1e-4, 1e-4)
    xn = numtorch.tensor(x, requires_grad=True)
    F.conv2d(xn, numtorch.tensor(w)).sum().backward()
    xp = torch.tensor(x, requires_grad=True)
    torch.nn.functional.conv2d(xp, torch.tensor(w)).sum().backward()
    assert_close(xn.grad, xp.grad, 1e-4, 1e-4)


def test_conv2d_float64_and_integer():
    both(F.conv2d, torch.nn.functional.conv2d, arr(2, 2, 5, 5, dtype=np.float64),
         arr(3, 2, 3, 3, dtype=np.float64))
    x = RNG.integers(-3, 4, (1, 2, 5, 5))
    w = RNG.integers(-3, 4, (3, 2, 2, 2))
    assert_close(F.conv2d(numtorch.tensor(x), numtorch.tensor(w)),
                 torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w)))
    assert numtorch.conv2d is F.conv2d


# The conv kernels' paths: channels-last and NCHW columns (and a 1x1 conv's input as its
# columns), channels-last columns built one kernel row at a time (stride 1), the gy-column
# backward of stride-1 'same' convs and the col2im one of the rest,
# each with chunks of whole samples or of a few rows of one sample, and with GEMMs split
# into blocks of rows and columns (small chunk and GEMM limits force the latter two), in
# one thread or with the batch split between threads.
PATH_CASES = [
    ((3, 4, 7, 6), (5, 4, 3, 3), dict(padding=1)),
    ((2, 6, 9, 7), (4, 3, 3, 3), dict(padding='same', groups=2)),
    ((2, 3, 8, 9), (4, 3, 3, 3), dict(padding=2, dilation=2)),
    ((1, 5, 9, 9), (3, 5, 5, 5), dict(padding=2)),
    ((2, 3, 6, 7), (4, 3, 4, 2), dict(padding='same')),
    ((2, 5, 9, 8), (3, 5, 5, 5), {}),
    ((2, 4, 10, 10), (3, 4, 3, 3), {}),
    ((2, 6, 5, 5), (4, 3, 3, 3), dict(groups=2)),
    ((2, 4, 9, 9), (6, 4, 3, 3), dict(stride=2, padding=1)),
    ((2, 4, 9, 9), (6, 2, 3, 3), dict(stride=(1, 2), padding=(0, 1), groups=2)),
    ((2, 1, 13, 11), (4, 1, 3, 3), dict(padding=1)),
    ((2, 1, 13, 11), (4, 1, 5, 5), {}),
    ((1, 2, 12, 10), (4, 1, 3, 3), dict(groups=2, padding=(1, 0))),
    ((2, 6, 5, 5), (4, 6, 1, 1), {}),
    ((2, 6, 5, 5), (6, 2, 1, 1), dict(groups=3)),
    ((0, 3, 5, 5), (2, 3, 3, 3), dict(padding=1)),
    ((2, 12, 8, 8), (4, 12, 3, 3), dict(padding=2, dilation=2)),
    ((2, 8, 10, 9), (6, 4, 5, 3), dict(padding=(2, 1), groups=2)),
    ((2, 10, 13, 16), (4, 10, 4, 3), dict(stride=(1, 2), dilation=(2, 1))),
]


@pytest.fixture
def threads():
    """Runs a test with numtorch's intra-op threads set to the parameter, then back to 1."""
    def use(n):
        numtorch.set_num_threads(n)
    yield use
    numtorch.set_num_threads(1)


@pytest.mark.parametrize('chunk,small,nthreads', [
    (1 << 20, 1 << 20, 1), (100, 1 << 20, 1), (4000, 4096, 1), (1 << 20, 1 << 20, 3),
    (400, 4096, 2)])
@pytest.mark.parametrize('needs', ['xw', 'x', 'w'])
def test_conv2d_kernel_paths(monkeypatch, threads, chunk, small, nthreads, needs):
    monkeypatch.setattr(conv_ops, '_CHUNK', chunk)
    monkeypatch.setattr(conv_ops, '_SMALL_GEMM', small)
    if small < 1 << 20:
        monkeypatch.setattr(conv_ops, '_COL2IM_ROWS', 8)
    # The batch split between threads (any convolution, however small, when nthreads > 1).
    monkeypatch.setattr(conv_ops, '_PARALLEL_MIN', 0)
    threads(nthreads)
    for xs, ws, kw in PATH_CASES:
        x, w, b = arr(*xs), arr(*ws), arr(ws[0])
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            g = arr(*torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), **kw).shape)
        grads = []
        for lib in (numtorch, torch):
            t = [lib.tensor(x, requires_grad='x' in needs),
                 lib.tensor(w, requires_grad='w' in needs), lib.tensor(b, requires_grad=True)]
            with warnings.catch_warnings():  # 'same' with an even kernel
                warnings.simplefilter('ignore')
                y = lib.nn.functional.conv2d(*t, **kw)
            y.backward(lib.tensor(g))
            grads.append([y] + [e.grad for e in t])
        for a, e in zip(*grads):
            assert_close(a, e, 1e-4, 1e-4)


# -- conv1d ------------------------------------------------------------------------------------
CONV1D_CASES = [
    ((2, 3, 11), (4, 3, 3), {}),
    ((2, 3, 11), (4, 3, 3), dict(stride=2, padding=1)),
    ((2, 4, 12), (6, 2, 3), dict(groups=2, dilation=2)),
    ((2, 3, 10), (4, 3, 4), dict(padding='same')),
    ((3, 9), (4, 3, 2), dict(stride=3)),
    ((2, 3, 8), (5, 3, 1), {}),
]


@pytest.mark.parametrize('xs,ws,kw', CONV1D_CASES)
@pytest.mark.parametrize('bias', [True, False])
def test_conv1d(xs, ws, kw, bias):
    arrays = [arr(*xs), arr(*ws)] + ([arr(ws[0])] if bias else [])
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        both(lambda *t: F.conv1d(*t[:2], t[2] if bias else None, **kw),
             lambda *t: torch.nn.functional.conv1d(*t[:2], t[2] if bias else None, **kw),
             *arrays)


# -- transposed convolutions -------------------------------------------------------------------
CONVT2D_CASES = [
    ((2, 4, 5, 5), (4, 3, 3, 3), {}),
    ((2, 4, 5, 6), (4, 3, 3, 2), dict(stride=2, padding=1, output_padding=1)),
    ((2, 4, 5, 6), (4, 2, 3, 2), dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2),
                                      groups=2, dilation=(1, 2))),
    ((4, 5, 6), (4, 2, 3, 2), dict(stride=2, dilation=3, output_padding=2)),
    ((2, 3, 4, 4), (3, 2, 1, 1), {}),
    ((2, 3, 4, 4), (3, 2, 4, 4), dict(stride=2, padding=1)),
]


@pytest.mark.parametrize('xs,ws,kw', CONVT2D_CASES)
@pytest.mark.parametrize('bias', [True, False])
def test_conv_transpose2d(xs, ws, kw, bias):
    nout = ws[1] * kw.get('groups', 1)
    arrays = [arr(*xs), arr(*ws)] + ([arr(nout)] if bias else [])
    both(lambda *t: F.conv_transpose2d(*t[:2], t[2] if bias else None, **kw),
         lambda *t: torch.nn.functional.conv_transpose2d(*t[:2], t[2] if bias else None, **kw),
         *arrays)


@pytest.mark.parametrize('xs,ws,kw', [
    ((2, 4, 7), (4, 2, 3), dict(stride=2, padding=1, groups=2)),
    ((2, 4, 7), (4, 3, 2), dict(stride=3, output_padding=2)),
    ((4, 6), (4, 3, 3), {}),
])
def test_conv_transpose1d(xs, ws, kw):
    nout = ws[1] * kw.get('groups', 1)
    both(lambda *t: F.conv_transpose1d(*t, **kw),
         lambda *t: torch.nn.functional.conv_transpose1d(*t, **kw),
         arr(*xs), arr(*ws), arr(nout))


# -- unfold / fold -----------------------------------------------------------------------------
@pytest.mark.parametrize('kw', [dict(kernel_size=3), dict(kernel_size=(2, 3), stride=2,
                                                          padding=1, dilation=(1, 2))])
@pytest.mark.parametrize('batched', [True, False])
def test_unfold_fold(kw, batched):
    xs = (2, 3, 7, 6) if batched else (3, 7, 6)
    yn, yp = both(lambda t: F.unfold(t, **kw), lambda t: torch.nn.functional.unfold(t, **kw),
                  arr(*xs))
    both(lambda t: F.fold(t, (7, 6), **kw), lambda t: torch.nn.functional.fold(t, (7, 6), **kw),
         yp.detach().numpy())
    un, up = nn.Unfold(**kw), torch.nn.Unfold(**kw)
    assert repr(un) == repr(up)
    assert repr(nn.Fold((7, 6), **kw)) == repr(torch.nn.Fold((7, 6), **kw))


# -- layers ----------------------------------------------------------------------------------
@pytest.mark.parametrize('args,kw', [
    ((1, 10, 5), {}),
    ((10, 20), dict(kernel_size=5)),
    ((16, 24), dict(kernel_size=5, padding=2)),
    ((4, 6, 3), dict(stride=2, padding=1, dilation=2, groups=2, bias=False)),
    ((4, 6, (3, 2)), dict(padding='same')),
    ((4, 6, 3), dict(padding='valid')),
    ((4, 6, 3), dict(padding=1, padding_mode='reflect')),
    ((4, 6, 3), dict(padding=(2, 1), padding_mode='replicate')),
    ((4, 6, 3), dict(padding=1, padding_mode='circular', stride=2)),
    ((4, 6, 4), dict(padding='same', padding_mode='reflect')),
])
@pytest.mark.parametrize('train', [True, False])
@pytest.mark.filterwarnings('ignore:Using padding')
def test_conv2d_module(args, kw, train):
    torch.manual_seed(5)
    numtorch.manual_seed(5)
    mp = torch.nn.Conv2d(*args, **kw)
    mn = nn.Conv2d(*args, **kw)
    assert repr(mn) == repr(mp)
    # The same seed draws the same initial weights (kaiming_uniform_ then the bias).
    assert_close(mn.weight, mp.weight, 0, 0)
    if mp.bias is not None:
        assert_close(mn.bias, mp.bias, 0, 0)
    assert list(dict(mn.named_parameters())) == list(dict(mp.named_parameters()))
    run_modules(mn, mp, arr(2, args[0], 9, 8), train=train)


@pytest.mark.parametrize('args,kw', [
    ((3, 5, 3), {}),
    ((4, 6, 3), dict(stride=2, padding=1, dilation=2, groups=2, bias=False)),
    ((4, 6, 4), dict(padding='same', padding_mode='circular')),
    ((4, 6, 3), dict(padding=2, padding_mode='reflect')),
])
def test_conv1d_module(args, kw):
    torch.manual_seed(6)
    numtorch.manual_seed(6)
    mp = torch.nn.Conv1d(*args, **kw)
    mn = nn.Conv1d(*args, **kw)
    assert repr(mn) == repr(mp)
    assert_close(mn.weight, mp.weight, 0, 0)
    run_modules(mn, mp, arr(2, args[0], 11))


@pytest.mark.parametrize('cls', ['ConvTranspose1d', 'ConvTranspose2d'])
@pytest.mark.parametrize('kw', [{}, dict(stride=2, padding=1, output_padding=1),
                                dict(stride=2, groups=2, bias=False, dilation=2)])
def test_conv_transpose_module(cls, kw):
    torch.manual_seed(7)
    numtorch.manual_seed(7)
    mp = getattr(torch.nn, cls)(4, 6, 3, **kw)
    mn = getattr(nn, cls)(4, 6, 3, **kw)
    assert repr(mn) == repr(mp)
    assert_close(mn.weight, mp.weight, 0, 0)
    xs = (2, 4, 5) if cls == 'ConvTranspose1d' else (2, 4, 5, 6)
    run_modules(mn, mp, arr(*xs))


def test_conv_transpose2d_output_size():
    mp = torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    mn = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    copy_weights(mn, mp)
    x = arr(1, 3, 4, 5)
    for size in [(8, 10), [1, 2, 7, 9], (7, 10)]:
        yn = mn(numtorch.tensor(x), output_size=size)
        yp = mp(torch.tensor(x), output_size=size)
        assert_close(yn, yp, 1e-5, 1e-5)
    same_error(lambda: mn(numtorch.tensor(x), output_size=(12, 12)),
               lambda: mp(torch.tensor(x), output_size=(12, 12)))
    same_error(lambda: nn.ConvTranspose2d(3, 2, 3, padding_mode='reflect'),
               lambda: torch.nn.ConvTranspose2d(3, 2, 3, padding_mode='reflect'))


def test_stacked_strided_convs_keep_their_gradients():
    """Two stride-2 convs (the col2im backward path) in a row: the input gradient one
    returns must survive the other's backward (work buffers are reused between calls)."""
    torch.manual_seed(3)
    numtorch.manual_seed(3)

    def net(m):
        return m.nn.Sequential(m.nn.Conv2d(1, 40, 2, stride=2),
                               m.nn.Conv2d(40, 40, 1, stride=2, bias=False))
    mp, mn = net(torch), net(numtorch)
    copy_weights(mn, mp)
    run_modules(mn, mp, arr(2, 1, 8, 8))


def test_conv_state_dict_and_double():
    mp = torch.nn.Conv2d(2, 3, 3)
    mn = nn.Conv2d(2, 3, 3)
    copy_weights(mn, mp)
    assert list(mn.state_dict()) == list(mp.state_dict())
    mn.double()
    mp.double()
    run_modules(mn, mp, arr(1, 2, 5, 5, dtype=np.float64))


# -- errors ------------------------------------------------------------------------------------
ERROR_CASES = [
    ('conv_wrong_channels', lambda m, t: m.nn.Conv2d(1, 10, 5)(t.ones(64, 3, 28, 28))),
    ('conv_2d_input', lambda m, t: m.nn.Conv2d(1, 10, 5)(t.ones(28, 28))),
    ('conv_unbatched_channels', lambda m, t: m.nn.Conv2d(1, 10, 5)(t.ones(3, 28, 28))),
    ('kernel_too_big', lambda m, t: m.nn.Conv2d(1, 10, 5)(t.ones(1, 1, 2, 2))),
    ('kernel_too_big_dilated', lambda m, t: m.nn.Conv2d(1, 10, 5, dilation=2)(t.ones(1, 1, 8, 8))),
    ('conv1d_1d_input', lambda m, t: m.nn.Conv1d(1, 10, 5)(t.ones(28))),
    ('conv1d_channels', lambda m, t: m.nn.Conv1d(1, 10, 5)(t.ones(2, 3, 28))),
    ('groups_channels', lambda m, t: m.nn.Conv2d(4, 10, 5, groups=2)(t.ones(1, 3, 8, 8))),
    ('in_groups', lambda m, t: m.nn.Conv2d(4, 10, 5, groups=3)),
    ('out_groups', lambda m, t: m.nn.Conv2d(4, 9, 5, groups=2)),
    ('groups_zero', lambda m, t: m.nn.Conv2d(4, 9, 5, groups=0)),
    ('same_strided', lambda m, t: m.nn.Conv2d(4, 10, 5, padding='same', stride=2)),
    ('bad_padding_str', lambda m, t: m.nn.Conv2d(4, 10, 5, padding='foo')),
    ('bad_padding_mode', lambda m, t: m.nn.Conv2d(4, 10, 5, padding_mode='foo')),
    ('bias_size', lambda m, t: m.nn.functional.conv2d(t.ones(1, 1, 8, 8), t.ones(2, 1, 3, 3),
                                                      t.ones(3))),
    ('dtype_mismatch', lambda m, t: m.nn.functional.conv2d(t.ones(1, 1, 8, 8).double(),
                                                           t.ones(2, 1, 3, 3))),
    ('dtype_mismatch2', lambda m, t: m.nn.functional.conv2d(t.ones(1, 1, 8, 8),
                                                            t.ones(2, 1, 3, 3).double())),
    ('bias_dtype', lambda m, t: m.nn.functional.conv2d(t.ones(1, 1, 8, 8), t.ones(2, 1, 3, 3),
                                                       t.ones(2).double())),
    ('weight_dims', lambda m, t: m.nn.functional.conv2d(t.ones(1, 1, 8, 8), t.ones(2, 1, 3))),
    ('weight_2d', lambda m, t: m.nn.functional.conv2d(t.ones(1, 1, 8, 8), t.ones(2, 1))),
    ('stride_zero', lambda m, t: m.nn.functional.conv2d(t.ones(1, 1, 8, 8), t.ones(2, 1, 3, 3),
                                                        stride=0)),
    ('padding_neg', lambda m, t: m.nn.functional.conv2d(t.ones(1, 1, 8, 8), t.ones(2, 1, 3, 3),
                                                        padding=-1)),
    ('stride_len', lambda m, t: m.nn.functional.conv2d(t.ones(1, 1, 8, 8), t.ones(2, 1, 3, 3),
                                                       stride=(1, 2, 3))),
    ('same_strided_f', lambda m, t: m.nn.functional.conv2d(t.ones(1, 1, 8, 8),
                                                           t.ones(2, 1, 3, 3), padding='same',
                                                           stride=2)),
    ('bad_padding_f', lambda m, t: m.nn.functional.conv2d(t.ones(1, 1, 8, 8),
                                                          t.ones(2, 1, 3, 3), padding='foo')),
    ('kernel_zero', lambda m, t: m.nn.functional.conv2d(t.ones(1, 1, 8, 8), t.ones(2, 1, 0, 3))),
    ('weight_groups', lambda m, t: m.nn.functional.conv2d(t.ones(1, 2, 8, 8), t.ones(3, 1, 3, 3),
                                                          groups=2)),
    ('bool_conv', lambda m, t: m.nn.functional.conv2d(t.ones(1, 1, 8, 8, dtype=t.bool),
                                                      t.ones(2, 1, 3, 3, dtype=t.bool))),
    ('convt_channels', lambda m, t: m.nn.functional.conv_transpose2d(t.ones(1, 2, 8, 8),
                                                                     t.ones(3, 1, 4, 4))),
    ('convt_output_padding', lambda m, t: m.nn.functional.conv_transpose2d(
        t.ones(1, 2, 8, 8), t.ones(2, 1, 4, 4), output_padding=2)),
    ('convt_2d', lambda m, t: m.nn.functional.conv_transpose2d(t.ones(8, 8), t.ones(2, 1, 4, 4))),
    ('convt_too_small', lambda m, t: m.nn.functional.conv_transpose2d(
        t.ones(1, 2, 1, 1), t.ones(2, 1, 1, 1), padding=1)),
    ('convt_padding_str', lambda m, t: m.nn.functional.conv_transpose2d(
        t.ones(1, 2, 8, 8), t.ones(2, 1, 4, 4), padding='same')),
    ('unfold_small', lambda m, t: m.nn.functional.unfold(t.ones(1, 2, 2, 2), 3)),
    ('unfold_2d', lambda m, t: m.nn.functional.unfold(t.ones(8, 8), 3)),
    ('unfold_1d', lambda m, t: m.nn.functional.unfold(t.ones(8), 3)),
    ('unfold_5d', lambda m, t: m.nn.functional.unfold(t.ones(1, 1, 1, 4, 4), 2)),
    ('fold_4d', lambda m, t: m.nn.functional.fold(t.ones(1, 1, 4, 4), (3, 3), 2)),
    ('fold_blocks', lambda m, t: m.nn.functional.fold(t.ones(1, 18, 35), (8, 8), 3)),
    ('fold_channels', lambda m, t: m.nn.functional.fold(t.ones(1, 17, 36), (8, 8), 3)),
]


@pytest.mark.parametrize('name,fn', ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors(name, fn):
    same_error(lambda: fn(numtorch, numtorch), lambda: fn(torch, torch))


def test_same_padding_warning_for_even_kernels():
    with pytest.warns(UserWarning, match="padding='same' with even kernel"):
        F.conv2d(numtorch.ones(1, 1, 5, 5), numtorch.ones(1, 1, 2, 2), padding='same')


# -- float64 gradchecks ------------------------------------------------------------------------
def _t(*shape):
    return numtorch.tensor(RNG.standard_normal(shape), requires_grad=True)


def test_gradcheck_conv():
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, dilation=1),
                     (_t(1, 2, 4, 4), _t(2, 2, 3, 3), _t(2)))
    assert gradcheck(lambda x, w: F.conv2d(x, w, groups=2, dilation=2, padding=1),
                     (_t(1, 4, 4, 4), _t(2, 2, 2, 2)))
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding='same'),
                     (_t(2, 3, 5, 4), _t(2, 3, 3, 3), _t(2)))
    assert gradcheck(lambda x, w: F.conv2d(x, w), (_t(1, 3, 4, 5), _t(2, 3, 1, 1)))
    assert gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride=2, padding='valid'),
                     (_t(2, 2, 7), _t(3, 2, 3), _t(3)))
    assert gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                        output_padding=1),
                     (_t(1, 2, 2, 3), _t(2, 1, 3, 3), _t(1)))
    assert gradcheck(lambda x, w: F.conv_transpose1d(x, w, groups=2, dilation=2),
                     (_t(1, 2, 3), _t(2, 1, 2)))
    assert gradcheck(lambda x: F.unfold(x, 2, padding=1, stride=2), (_t(1, 2, 3, 3),))
    assert gradcheck(lambda x: F.fold(x, (3, 4), 2), (_t(1, 4, 6),))


# -- double backward (create_graph=True) -------------------------------------------------------
DOUBLE = [  # (function name, x shape, weight shape, keyword arguments)
    ('conv2d', (2, 4, 9, 8), (6, 4, 3, 2), {}),
    ('conv2d', (2, 4, 9, 8), (6, 4, 3, 2), dict(stride=2, padding=1)),
    ('conv2d', (2, 4, 11, 9), (6, 4, 3, 3), dict(stride=3, padding=1)),  # rows in no window
    ('conv2d', (2, 4, 9, 8), (6, 2, 4, 3), dict(padding='same', dilation=2, groups=2)),
    ('conv2d', (2, 4, 9, 8), (6, 4, 4, 3), dict(padding='same')),  # asymmetric padding
    ('conv2d', (2, 4, 9, 8), (6, 2, 3, 2), dict(stride=2, padding=2, dilation=2, groups=2)),
    ('conv1d', (2, 4, 11), (6, 2, 3), dict(stride=2, padding=1, groups=2)),
    ('conv_transpose2d', (2, 4, 5, 6), (4, 6, 3, 2), {}),
    ('conv_transpose2d', (2, 4, 5, 6), (4, 6, 3, 2), dict(stride=2, padding=1,
                                                          output_padding=1)),
    ('conv_transpose2d', (2, 4, 5, 6), (4, 3, 3, 2), dict(stride=2, output_padding=1,
                                                          dilation=2, groups=2)),
    # an output_padding past the stride (allowed by the dilation): the conv is a row longer
    ('conv_transpose2d', (2, 4, 5, 6), (4, 6, 3, 2), dict(stride=2, padding=1,
                                                          output_padding=2, dilation=3)),
    ('conv_transpose1d', (2, 4, 7), (4, 3, 3), dict(stride=3, padding=1, output_padding=2,
                                                    groups=2)),
]


def _gradient_penalty(lib, name, xs, ws, bs, kw):
    """d/d(x, W, b) of a loss of the first gradients, taken with create_graph=True."""
    x, w, b = (lib.tensor(a, requires_grad=True) for a in (xs, ws, bs))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # ('same' with an even kernel)
        y = getattr(lib.nn.functional, name)(x, w, b, **kw)
    r = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
    gx, gw = lib.autograd.grad((y * y * r).sum(), (x, w), create_graph=True)
    (gx.pow(2).sum() + (gw * gw.detach()).sum() + gw.sum()).backward()
    return [t.numpy() for t in (gx.detach(), x.grad, w.grad, b.grad)]


@pytest.mark.parametrize('name,xshape,wshape,kw', DOUBLE)
def test_double_backward_matches_torch(name, xshape, wshape, kw):
    xs, ws = arr(*xshape, dtype=np.float64), arr(*wshape, dtype=np.float64)
    out = wshape[1] * kw.get('groups', 1) if 'transpose' in name else wshape[0]
    bs = arr(out, dtype=np.float64)
    for a, b in zip(_gradient_penalty(numtorch, name, xs, ws, bs, kw),
                    _gradient_penalty(torch, name, xs, ws, bs, kw)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


def test_gradgradcheck_conv():
    assert numtorch.autograd.gradgradcheck(
        lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), (_t(1, 2, 5, 4), _t(2, 2, 3, 2),
                                                                 _t(2)))
    assert numtorch.autograd.gradgradcheck(
        lambda x, w: F.conv_transpose2d(x, w, stride=2, output_padding=1, groups=2),
        (_t(1, 2, 3, 2), _t(2, 1, 2, 3)))


def test_gradient_penalty_through_seed_cnn_matches_torch():
    """A WGAN-GP-style penalty on the seed CNN (conv, max-pool, relu, linear): the weight
    gradients of ||d net(x) / dx||^2."""
    def run(lib):
        lib.manual_seed(0)
        net = seed_classes(lib)['Net']()
        x = lib.tensor(np.linspace(-1, 1, 2 * 784, dtype=np.float32).reshape(2, 1, 28, 28),
                       requires_grad=True)
        (g,) = lib.autograd.grad(net(x).pow(2).sum(), x, create_graph=True)
        g.pow(2).sum().backward()
        return [p.grad.numpy() for p in net.parameters()]
    for a, b in zip(run(numtorch), run(torch)):
        assert_close(a, b, 1e-3, 1e-6)


# -- the seed documents' networks --------------------------------------------------------------
def seed_classes(m):
    """The CNNs of the user's notes (seeds/003), written against module ``m`` (torch or
    numtorch) exactly as the notes write them."""
    F_ = m.nn.functional

    class Net(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = m.nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = m.nn.Conv2d(10, 20, kernel_size=5)
            self.pooling = m.nn.MaxPool2d(2)
            self.fc = m.nn.Linear(320, 10)

        def forward(self, x):
            batch_size = x.size(0)
            x = F_.relu(self.pooling(self.conv1(x)))
            x = F_.relu(self.pooling(self.conv2(x)))
            x = x.view(batch_size, -1)
            return self.fc(x)

    class InceptionA(m.nn.Module):
        def __init__(self, in_channels):
            super().__init__()
            self.brach1x1 = m.nn.Conv2d(in_channels, 16, kernel_size=1)
            self.brach5x5_1 = m.nn.Conv2d(in_channels, 16, kernel_size=1)
            self.brach5x5_2 = m.nn.Conv2d(16, 24, kernel_size=5, padding=2)
            self.brach3x3_1 = m.nn.Conv2d(in_channels, 16, kernel_size=1)
            self.brach3x3_2 = m.nn.Conv2d(16, 24, kernel_size=3, padding=1)
            self.brach3x3_3 = m.nn.Conv2d(24, 24, kernel_size=3, padding=1)
            self.brach_pool = m.nn.Conv2d(in_channels, 24, kernel_size=1)

        def forward(self, x):
            brach1x1 = self.brach1x1(x)
            brach5x5 = self.brach5x5_1(x)
            brach5x5 = self.brach5x5_2(brach5x5)
            brach3x3 = self.brach3x3_1(x)
            brach3x3 = self.brach3x3_2(brach3x3)
            brach3x3 = self.brach3x3_3(brach3x3)
            brach_pool = F_.avg_pool2d(x, kernel_size=3, stride=1, padding=1)
            brach_pool = self.brach_pool(brach_pool)
            outputs = [brach1x1, brach5x5, brach3x3, brach_pool]
            return m.cat(outputs, dim=1)

    class InceptionNet(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = m.nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = m.nn.Conv2d(88, 20, kernel_size=5)
            self.incep1 = InceptionA(in_channels=10)
            self.incep2 = InceptionA(in_channels=20)
            self.mp = m.nn.MaxPool2d(2)
            self.fc = m.nn.Linear(1408, 10)

        def forward(self, x):
            in_size = x.size(0)
            x = F_.relu(self.mp(self.conv1(x)))
            x = self.incep1(x)
            x = F_.relu(self.mp(self.conv2(x)))
            x = self.incep2(x)
            x = x.view(in_size, -1)
            return self.fc(x)

    class ResidualBlock(m.nn.Module):
        def __init__(self, channels):
            super(ResidualBlock, self).__init__()
            self.channels = channels
            self.conv1 = m.nn.Conv2d(channels, channels, kernel_size=3, padding=1)
            self.conv2 = m.nn.Conv2d(channels, channels, kernel_size=3, padding=1)

        def forward(self, x):
            y = F_.relu(self.conv1(x))
            y = self.conv2(y)
            return F_.relu(x + y)

    class ResNet(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = m.nn.Conv2d(1, 16, kernel_size=5)
            self.conv2 = m.nn.Conv2d(16, 32, kernel_size=5)
            self.mp = m.nn.MaxPool2d(2)
            self.rblock1 = ResidualBlock(16)
            self.rblock2 = ResidualBlock(32)
            self.fc = m.nn.Linear(512, 10)

        def forward(self, x):
            in_size = x.size(0)
            x = self.mp(F_.relu(self.conv1(x)))
            x = self.rblock1(x)
            x = self.mp(F_.relu(self.conv2(x)))
            x = self.rblock2(x)
            x = x.view(in_size, -1)
            return self.fc(x)

    return dict(Net=Net, InceptionA=lambda: InceptionA(10), InceptionNet=InceptionNet,
                ResidualBlock=lambda: ResidualBlock(16), ResNet=ResNet)


SEED_SHAPES = {'Net': (3, 1, 28, 28), 'InceptionA': (2, 10, 12, 12),
               'InceptionNet': (2, 1, 28, 28), 'ResidualBlock': (2, 16, 6, 6),
               'ResNet': (2, 1, 28, 28)}


@pytest.mark.parametrize('name', list(SEED_SHAPES))
def test_seed_networks(name):
    torch.manual_seed(0)
    numtorch.manual_seed(0)
    mp = seed_classes(torch)[name]()
    mn = seed_classes(numtorch)[name]()
    assert repr(mn) == repr(mp)
    for (kn, vn), (kp, vp) in zip(mn.state_dict().items(), mp.state_dict().items()):
        assert kn == kp
        assert_close(vn, vp, 0, 0)
    run_modules(mn, mp, arr(*SEED_SHAPES[name]), rtol=1e-4, atol=1e-5)


def test_seed_cnn_training_steps_match_torch():
    """A few SGD steps of the seed CNN on the same batches keep both nets in step."""
    torch.manual_seed(1)
    numtorch.manual_seed(1)
    mp = seed_classes(torch)['Net']()
    mn = seed_classes(numtorch)['Net']()
    op = torch.optim.SGD(mp.parameters(), lr=0.05, momentum=0.5)
    on = numtorch.optim.SGD(mn.parameters(), lr=0.05, momentum=0.5)
    for _ in range(3):
        x = arr(8, 1, 28, 28)
        y = RNG.integers(0, 10, 8)
        lp = torch.nn.functional.cross_entropy(mp(torch.tensor(x)), torch.tensor(y))
        ln = F.cross_entropy(mn(numtorch.tensor(x)), numtorch.tensor(y))
        assert abs(lp.item() - ln.item()) < 1e-4
        op.zero_grad()
        on.zero_grad()
        lp.backward()
        ln.backward()
        op.step()
        on.step()
    for (kn, vn), (kp, vp) in zip(mn.state_dict().items(), mp.state_dict().items()):
        assert_close(vn, vp, 1e-4, 1e-5)
