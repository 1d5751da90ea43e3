"""CTC loss, multi-label margin loss, adaptive log-softmax and fractional max pooling against
PyTorch: values, every gradient, grad_fn names, reduction modes, errors (type and message),
reprs, seeded initialisation and float64 gradchecks."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck
from conftest import assert_close

RNG = np.random.default_rng(7)


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


# -- CTC -------------------------------------------------------------------------------------
def _ctc_case(T=7, N=4, C=5, S=3, dtype=np.float64):
    lp = torch.tensor(arr(T, N, C, dtype=dtype)).log_softmax(2).numpy()
    tg = RNG.integers(1, C, (N, S))
    tg[0, :2] = tg[0, -1]   # repeated labels need a blank between them
    il = np.array([T, T - 1, 3, T][:N])
    tl = np.array([S, min(2, S), S, 0][:N])
    return lp, tg, il, tl


@pytest.mark.parametrize('reduction', ['none', 'mean', 'sum'])
@pytest.mark.parametrize('zero_infinity', [False, True])
@pytest.mark.parametrize('concat', [False, True])
def test_ctc_values_and_grads(reduction, zero_infinity, concat):
    lp, tg, il, tl = _ctc_case()
    if concat:
        tg = np.concatenate([tg[i, :tl[i]] for i in range(len(tl))])
    ln, lt = pair(lp)
    args_n = (numtorch.tensor(tg), numtorch.tensor(il), numtorch.tensor(tl))
    args_t = (torch.tensor(tg), torch.tensor(il), torch.tensor(tl))
    yn = F.ctc_loss(ln, *args_n, reduction=reduction, zero_infinity=zero_infinity)
    yt = torch.nn.functional.ctc_loss(lt, *args_t, reduction=reduction,
                                      zero_infinity=zero_infinity)
    assert_close(yn, yt, 1e-10, 1e-10)
    assert yn.grad_fn.name() == yt.grad_fn.name()
    yn.sum().backward()
    yt.sum().backward()
    assert_close(ln.grad, lt.grad, 1e-9, 1e-10)


def test_ctc_node_and_impossible_alignment():
    lp, tg, il, tl = _ctc_case()
    il[2] = 2   # 3 labels cannot fit in 2 steps: infinite loss, NaN gradient (as PyTorch)
    ln, lt = pair(lp)
    yn = F.ctc_loss(ln, numtorch.tensor(tg), tuple(il), tuple(tl), reduction='none')
    yt = torch.nn.functional.ctc_loss(lt, torch.tensor(tg), tuple(il), tuple(tl),
                                      reduction='none')
    assert yn.grad_fn.name() == 'CtcLossBackward0' == yt.grad_fn.name()
    assert_close(yn, yt, 1e-10, 1e-10)
    assert np.isinf(yn._data[2])
    yn.sum().backward()
    yt.sum().backward()
    assert_close(ln.grad, lt.grad, 1e-9, 1e-10)
    assert np.isnan(ln.grad._data[:2, 2]).all() and (ln.grad._data[2:, 2] == 0).all()


def test_ctc_float32_blank_and_empty_lengths():
    lp, tg, il, tl = _ctc_case(T=9, N=4, C=6, S=4, dtype=np.float32)
    tg[tg == 3] = 0     # label 0 is an ordinary class when blank = 3
    il[1], tl[1] = 0, 0
    il[3], tl[3] = 0, 2
    ln, lt = pair(lp)
    for red in ('none', 'sum'):
        yn = F.ctc_loss(ln, numtorch.tensor(tg), numtorch.tensor(il), numtorch.tensor(tl),
                        blank=3, reduction=red)
        yt = torch.nn.functional.ctc_loss(lt, torch.tensor(tg), torch.tensor(il),
                                          torch.tensor(tl), blank=3, reduction=red)
        assert_close(yn, yt, 1e-5, 1e-5)
    ln.grad = None
    lt.grad = None
    yn = F.ctc_loss(ln, numtorch.tensor(tg), numtorch.tensor(il), numtorch.tensor(tl), blank=3,
                    zero_infinity=True)
    yt = torch.nn.functional.ctc_loss(lt, torch.tensor(tg), torch.tensor(il),
                                      torch.tensor(tl), blank=3, zero_infinity=True)
    yn.backward()
    yt.backward()
    assert_close(yn, yt, 1e-5, 1e-5)
    assert_close(ln.grad, lt.grad, 1e-4, 1e-6)


def test_ctc_unbatched_and_int_targets():
    lp, tg, il, tl = _ctc_case()
    ln, lt = pair(lp[:, 0])
    for red in ('none', 'mean'):
        yn = F.ctc_loss(ln, numtorch.tensor(tg[0].astype(np.int32)), numtorch.tensor(il[0]),
                        numtorch.tensor(tl[0]), reduction=red)
        yt = torch.nn.functional.ctc_loss(lt, torch.tensor(tg[0].astype(np.int32)),
                                          torch.tensor(il[0]), torch.tensor(tl[0]),
                                          reduction=red)
        assert_close(yn, yt, 1e-10, 1e-10)
        assert yn.grad_fn.name() == yt.grad_fn.name()
    yn.backward()
    yt.backward()
    assert_close(ln.grad, lt.grad, 1e-9, 1e-10)


def test_ctc_module_and_gradcheck():
    lp, tg, il, tl = _ctc_case(T=5, N=3, C=4, S=2)
    m_n, m_t = nn.CTCLoss(blank=0, reduction='sum'), torch.nn.CTCLoss(reduction='sum')
    assert repr(m_n) == repr(m_t) == 'CTCLoss()'
    assert vars(m_n).keys() == vars(m_t).keys()
    ln, lt = pair(lp)
    assert_close(m_n(ln, numtorch.tensor(tg), numtorch.tensor(il), numtorch.tensor(tl)),
                 m_t(lt, torch.tensor(tg), torch.tensor(il), torch.tensor(tl)), 1e-10, 1e-10)
    # PyTorch's CTC gradient is the one of the logits under log_softmax, so gradcheck there
    x = numtorch.tensor(arr(5, 3, 4, dtype=np.float64), requires_grad=True)
    t_ = (numtorch.tensor(tg), numtorch.tensor(il), numtorch.tensor(tl))
    assert gradcheck(lambda x: F.ctc_loss(x.log_softmax(2), *t_, reduction='none'), (x,))


def test_ctc_errors():
    lp, tg, il, tl = _ctc_case()
    ln, lt = pair(lp, grad=False)
    tn, tt = numtorch.tensor(tg), torch.tensor(tg)
    iln, ilt = numtorch.tensor(il), torch.tensor(il)
    tln, tlt = numtorch.tensor(tl), torch.tensor(tl)
    fn, ft = F.ctc_loss, torch.nn.functional.ctc_loss
    same_error(lambda: fn(ln, tn, iln, tln, blank=5), lambda: ft(lt, tt, ilt, tlt, blank=5))
    same_error(lambda: fn(ln, tn, iln, tln, blank=-1), lambda: ft(lt, tt, ilt, tlt, blank=-1))
    same_error(lambda: fn(ln, tn, iln[:2], tln), lambda: ft(lt, tt, ilt[:2], tlt))
    same_error(lambda: fn(ln, tn, iln, tln[:2]), lambda: ft(lt, tt, ilt, tlt[:2]))
    same_error(lambda: fn(ln, tn, iln + 1, tln), lambda: ft(lt, tt, ilt + 1, tlt))
    same_error(lambda: fn(ln, tn, iln - 4, tln), lambda: ft(lt, tt, ilt - 4, tlt))
    same_error(lambda: fn(ln, tn, iln, tln + 1), lambda: ft(lt, tt, ilt, tlt + 1))
    same_error(lambda: fn(ln, tn, iln, tln - 1), lambda: ft(lt, tt, ilt, tlt - 1))
    same_error(lambda: fn(ln, tn, iln.float(), tln), lambda: ft(lt, tt, ilt.float(), tlt))
    same_error(lambda: fn(ln, tn[:2], iln, tln), lambda: ft(lt, tt[:2], ilt, tlt))
    same_error(lambda: fn(ln, tn.reshape(-1)[:7], iln, tln),
               lambda: ft(lt, tt.reshape(-1)[:7], ilt, tlt))
    same_error(lambda: fn(ln, tn[:, :, None], iln, tln), lambda: ft(lt, tt[:, :, None], ilt, tlt))
    same_error(lambda: fn(ln[0, 0], tn, iln, tln), lambda: ft(lt[0, 0], tt, ilt, tlt))
    same_error(lambda: fn(ln.int(), tn, iln, tln), lambda: ft(lt.int(), tt, ilt, tlt))
    same_error(lambda: fn(ln, tn, iln, tln, reduction='avg'),
               lambda: ft(lt, tt, ilt, tlt, reduction='avg'), ValueError)


def test_ctc_speed():
    """T=50, N=16, C=20, S=10 forward + backward stays in the few-millisecond range."""
    import time
    T, N, C, S = 50, 16, 20, 10
    x = numtorch.tensor(arr(T, N, C), requires_grad=True)
    lp = x.log_softmax(2)
    tg = numtorch.tensor(RNG.integers(1, C, (N, S)))
    il = numtorch.full((N,), T, dtype=numtorch.long)
    tl = numtorch.tensor(RNG.integers(5, S + 1, (N,)))
    best = 1e9
    for _ in range(3):
        t0 = time.perf_counter()
        F.ctc_loss(lp, tg, il, tl).backward(retain_graph=True)
        best = min(best, time.perf_counter() - t0)
    assert best < 0.05, best


# -- multilabel margin -------------------------------------------------------------------------
_MLM_Y = np.array([[3, 0, -1, 1], [0, 1, 2, 3], [-1, 1, 2, 0], [2, 2, -1, -1]])


@pytest.mark.parametrize('reduction', ['none', 'mean', 'sum'])
@pytest.mark.parametrize('rows', [slice(None), 0, 3, slice(0, 0)])
def test_multilabel_margin(reduction, rows):
    x = arr(4, 4, dtype=np.float64) * 0.5
    xn, xt = pair(x[rows].copy())
    y = _MLM_Y[rows]
    yn = F.multilabel_margin_loss(xn, numtorch.tensor(y), reduction=reduction)
    yt = torch.nn.functional.multilabel_margin_loss(xt, torch.tensor(y), reduction=reduction)
    assert_close(yn, yt, 1e-12, 1e-12)
    assert yn.grad_fn.name() == yt.grad_fn.name() == 'MultilabelMarginLossBackward0'
    yn.sum().backward()
    yt.sum().backward()
    assert_close(xn.grad, xt.grad, 1e-12, 1e-12)


def test_multilabel_margin_module_float32_and_gradcheck():
    m_n, m_t = nn.MultiLabelMarginLoss(), torch.nn.MultiLabelMarginLoss()
    assert repr(m_n) == repr(m_t)
    xn, xt = pair(arr(4, 4))
    yn, yt = m_n(xn, numtorch.tensor(_MLM_Y)), m_t(xt, torch.tensor(_MLM_Y))
    assert_close(yn, yt)
    yn.backward()
    yt.backward()
    assert_close(xn.grad, xt.grad)
    x = numtorch.tensor(arr(4, 4, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda x: F.multilabel_margin_loss(x, numtorch.tensor(_MLM_Y),
                                                        reduction='none'), (x,))
    with pytest.warns(UserWarning):
        a = F.multilabel_margin_loss(xn, numtorch.tensor(_MLM_Y), size_average=False)
    assert_close(a, torch.nn.functional.multilabel_margin_loss(xt, torch.tensor(_MLM_Y),
                                                               reduction='sum'))


def test_multilabel_margin_errors():
    xn, xt = pair(arr(3, 4), grad=False)
    y = _MLM_Y[:3]
    yn, yt = numtorch.tensor(y), torch.tensor(y)
    fn, ft = F.multilabel_margin_loss, torch.nn.functional.multilabel_margin_loss
    same_error(lambda: fn(xn, yn[:2]), lambda: ft(xt, yt[:2]))
    same_error(lambda: fn(xn, yn[:, :3]), lambda: ft(xt, yt[:, :3]))
    same_error(lambda: fn(xn, yn.int()), lambda: ft(xt, yt.int()))
    same_error(lambda: fn(xn, yn + 1), lambda: ft(xt, yt + 1))
    same_error(lambda: fn(xn, yn - 1), lambda: ft(xt, yt - 1))
    same_error(lambda: fn(xn[None], yn[None]), lambda: ft(xt[None], yt[None]))
    same_error(lambda: fn(xn.long(), yn), lambda: ft(xt.long(), yt))
    same_error(lambda: fn(xn[0, 0], yn[0, 0]), lambda: ft(xt[0, 0], yt[0, 0]))
    same_error(lambda: fn(xn, yn, reduction='x'), lambda: ft(xt, yt, reduction='x'))


# -- fractional max pooling ------------------------------------------------------------------
_FMP_CASES = [((2, 3, 9, 9), 2, dict(output_size=5)),
              ((3, 10, 7), (3, 2), dict(output_ratio=(0.5, 0.7))),
              ((2, 2, 8, 8), 3, dict(output_size=(6, 4))),
              ((1, 1, 6, 6), 2, dict(output_size=1))]


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('case', range(len(_FMP_CASES)))
def test_fractional_max_pool2d_seeded(dtype, case):
    shape, k, kw = _FMP_CASES[case]
    x = arr(*shape, dtype=dtype)
    xn, xt = pair(x)
    numtorch.manual_seed(11)
    torch.manual_seed(11)
    yn, i_n = F.fractional_max_pool2d(xn, k, return_indices=True, **kw)
    yt, it = torch.nn.functional.fractional_max_pool2d(xt, k, return_indices=True, **kw)
    assert_close(yn, yt, 0, 0)
    assert_close(i_n, it, 0, 0)
    assert yn.grad_fn.name() == yt.grad_fn.name() == 'FractionalMaxPool2DBackward0'
    assert yn.grad_fn.next_functions[0][0].name() == 'torch::autograd::AccumulateGrad'
    g = arr(*yt.shape, dtype=dtype)
    yn.backward(numtorch.tensor(g))
    yt.backward(torch.tensor(g))
    assert_close(xn.grad, xt.grad, 1e-6, 1e-6)
    # the generator advanced as PyTorch's did
    assert_close(numtorch.rand(3), torch.rand(3), 0, 0)


def test_fractional_max_pool2d_module_samples_and_gradcheck():
    s = RNG.random((2, 3, 2))
    m_n = nn.FractionalMaxPool2d(2, output_ratio=0.5, _random_samples=numtorch.tensor(s))
    m_t = torch.nn.FractionalMaxPool2d(2, output_ratio=0.5, _random_samples=torch.tensor(s))
    assert repr(m_n) == repr(m_t) == 'FractionalMaxPool2d()'
    assert vars(m_n).keys() == vars(m_t).keys()
    assert list(m_n.state_dict()) == list(m_t.state_dict())
    xn, xt = pair(arr(2, 3, 8, 8, dtype=np.float64))
    assert_close(m_n(xn), m_t(xt), 0, 0)
    m_n.return_indices = m_t.return_indices = True
    assert_close(m_n(xn)[1], m_t(xt)[1], 0, 0)
    # NaNs win their windows (the last one, as PyTorch)
    x = arr(1, 2, 7, 7, dtype=np.float64)
    x[0, 0, 2:4, 2:4] = np.nan
    an, at = pair(x)
    sm = RNG.random((1, 2, 2))
    yn, i_n = F.fractional_max_pool2d(an, 2, 4, return_indices=True,
                                      _random_samples=numtorch.tensor(sm))
    yt, it = torch.nn.functional.fractional_max_pool2d(at, 2, 4, return_indices=True,
                                                       _random_samples=torch.tensor(sm))
    assert_close(yn, yt, 0, 0)
    assert_close(i_n, it, 0, 0)
    x = numtorch.tensor(arr(2, 2, 7, 7, dtype=np.float64), requires_grad=True)
    smp = numtorch.tensor(RNG.random((2, 2, 2)))
    assert gradcheck(lambda x: F.fractional_max_pool2d(x, 3, output_size=4, _random_samples=smp),
                     (x,))
    with pytest.raises(ValueError, match='output_ratio must be between 0 and 1'):
        nn.FractionalMaxPool2d(2, output_ratio=1.5)
    with pytest.raises(ValueError, match='only one of output_size and output_ratio'):
        nn.FractionalMaxPool2d(2, 3, 0.5)
    with pytest.raises(ValueError, match='requires specifying either an output size'):
        nn.FractionalMaxPool2d(2)


def test_fractional_max_pool2d_errors():
    xn, xt = pair(arr(2, 3, 9, 9), grad=False)
    fn, ft = F.fractional_max_pool2d, torch.nn.functional.fractional_max_pool2d
    rs = arr(2, 4, 2)
    same_error(lambda: fn(xn, 2), lambda: ft(xt, 2), ValueError)
    same_error(lambda: fn(xn, 2, output_ratio=0.5), lambda: ft(xt, 2, output_ratio=0.5),
               TypeError)
    same_error(lambda: fn(xn, 2, output_ratio=(.5, .5, .5)),
               lambda: ft(xt, 2, output_ratio=(.5, .5, .5)), ValueError)
    same_error(lambda: fn(xn, 5, output_size=6), lambda: ft(xt, 5, output_size=6))
    same_error(lambda: fn(xn, (1, 3), output_size=8), lambda: ft(xt, (1, 3), output_size=8))
    same_error(lambda: fn(xn, 2, output_size=(5, 5, 5)), lambda: ft(xt, 2, output_size=(5, 5, 5)))
    same_error(lambda: fn(xn, (2, 2, 2), output_size=5), lambda: ft(xt, (2, 2, 2), output_size=5))
    same_error(lambda: fn(xn[None], 2, output_size=5, _random_samples=numtorch.tensor(rs[:1, :2])),
               lambda: ft(xt[None], 2, output_size=5, _random_samples=torch.tensor(rs[:1, :2])))
    same_error(lambda: fn(xn, 2, output_size=5, _random_samples=numtorch.tensor(rs)),
               lambda: ft(xt, 2, output_size=5, _random_samples=torch.tensor(rs)))
    same_error(lambda: fn(xn, 2, output_size=5, _random_samples=numtorch.tensor(rs[:1, :3])),
               lambda: ft(xt, 2, output_size=5, _random_samples=torch.tensor(rs[:1, :3])))
    same_error(lambda: fn(xn, 2, output_size=5, _random_samples=numtorch.tensor(rs[:, :3, 0])),
               lambda: ft(xt, 2, output_size=5, _random_samples=torch.tensor(rs[:, :3, 0])))
    rs3 = np.concatenate([rs, rs], 2)
    same_error(lambda: fn(xn, 2, output_size=5, _random_samples=numtorch.tensor(rs3[:, :3])),
               lambda: ft(xt, 2, output_size=5, _random_samples=torch.tensor(rs3[:, :3])))
    same_error(lambda: fn(xn, 2, output_size=5,
                          _random_samples=numtorch.tensor(rs[:, :3].astype(np.float64))),
               lambda: ft(xt, 2, output_size=5,
                          _random_samples=torch.tensor(rs[:, :3].astype(np.float64))))
    same_error(lambda: fn(xn[:, :, :0], 2, output_size=5),
               lambda: ft(xt[:, :, :0], 2, output_size=5))
    same_error(lambda: fn(xn.long(), 2, output_size=5), lambda: ft(xt.long(), 2, output_size=5))


# -- adaptive log-softmax ----------------------------------------------------------------------
def _asm_pair(head_bias, seed=0, cutoffs=(4, 10, 15), div_value=2.0):
    numtorch.manual_seed(seed)
    torch.manual_seed(seed)
    mn = nn.AdaptiveLogSoftmaxWithLoss(16, 20, cutoffs, div_value=div_value, head_bias=head_bias)
    mt = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, cutoffs, div_value=div_value,
                                             head_bias=head_bias)
    return mn, mt


@pytest.mark.parametrize('head_bias', [False, True])
def test_adaptive_log_softmax(head_bias):
    mn, mt = _asm_pair(head_bias)
    assert repr(mn) == repr(mt)
    sd_n, sd_t = mn.state_dict(), mt.state_dict()
    assert list(sd_n) == list(sd_t)
    for k in sd_t:
        assert_close(sd_n[k], sd_t[k], 0, 0)
    y = np.array([0, 5, 11, 19, 3, 16, 7, 12])
    xn, xt = pair(arr(8, 16))
    on, ot = mn(xn, numtorch.tensor(y)), mt(xt, torch.tensor(y))
    assert type(on).__name__ == '_ASMoutput' and on._fields == ('output', 'loss')
    assert_close(on.output, ot.output)
    assert_close(on.loss, ot.loss)
    assert on.output.grad_fn.name() == ot.output.grad_fn.name()
    assert on.loss.grad_fn.name() == ot.loss.grad_fn.name()
    on.loss.backward()
    ot.loss.backward()
    assert_close(xn.grad, xt.grad, 1e-5, 1e-6)
    for (k, p), q in zip(mn.named_parameters(), mt.parameters()):
        assert_close(p.grad, q.grad, 1e-5, 1e-6)
    assert_close(mn.log_prob(xn), mt.log_prob(xt), 1e-5, 1e-6)
    # unbatched
    o1, o2 = mn(xn[1], numtorch.tensor(y[1])), mt(xt[1], torch.tensor(y[1]))
    assert_close(o1.output, o2.output)
    assert_close(o1.loss, o2.loss)


def test_adaptive_log_softmax_predict_and_gradcheck():
    mn, mt = _asm_pair(True, seed=3)
    xn, xt = pair(arr(10, 16), grad=False)
    assert_close(mn.predict(xn), mt.predict(xt), 0, 0)
    # push some rows (then all rows) to a cluster entry so the tails run
    for bias in ([0, 0, 0, 0, 1.5, 0, 0], [0, 0, 0, 0, 50, 0, 0]):
        with numtorch.no_grad():
            mn.head.bias.copy_(numtorch.tensor(bias))
        with torch.no_grad():
            mt.head.bias.copy_(torch.tensor(bias))
        pn, pt = mn.predict(xn), mt.predict(xt)
        assert_close(pn, pt, 0, 0)
    assert (pt >= 4).all()
    m64 = nn.AdaptiveLogSoftmaxWithLoss(6, 8, [2, 5], div_value=2.0).double()
    x = numtorch.tensor(arr(4, 6, dtype=np.float64), requires_grad=True)
    y = numtorch.tensor([0, 3, 7, 5])
    assert gradcheck(lambda x: m64(x, y).output, (x,))


def test_adaptive_log_softmax_errors():
    for cut in ([], [5, 3], [0, 4], [4, 20], [4, 4], [2.5]):
        with pytest.raises(ValueError) as en:
            nn.AdaptiveLogSoftmaxWithLoss(8, 20, cut)
        with pytest.raises(ValueError) as et:
            torch.nn.AdaptiveLogSoftmaxWithLoss(8, 20, cut)
        assert str(en.value) == str(et.value)
    mn, mt = _asm_pair(False)
    xn, xt = pair(arr(4, 16), grad=False)
    cases = [(xn, [0, 1, 2]), (xn[0], [1]), (xn, [[1]]), (xn[0, 0], 1), (xn, [0, 1, 20, 3]),
             (xn, [0, -1, 2, 3])]
    for x, y in cases:
        xt_ = torch.tensor(x.numpy())
        same_error(lambda: mn(x, numtorch.tensor(y)), lambda: mt(xt_, torch.tensor(y)),
                   RuntimeError)
