"""Complex ``nn.Parameter``, ``Module.to(complex dtype)`` and optimizers stepping complex
parameters, compared with PyTorch."""
import warnings

import numpy as np
import pytest
import torch

import numtorch as nt


def _cx(shape, seed, dtype=np.complex64):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


def _close(a, b, rtol=1e-5, atol=1e-6):
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    a = a.detach().numpy() if isinstance(a, nt.Tensor) else a
    assert a.dtype == b.dtype
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def test_complex_parameter_repr_grad():
    v = np.array([1 + 2j, 3 - 1j, -0.5 + 0.25j], np.complex64)
    p, q = nt.nn.Parameter(nt.tensor(v)), torch.nn.Parameter(torch.tensor(v))
    assert repr(p) == repr(q)
    assert p.requires_grad and p.dtype == nt.complex64 and p.is_leaf
    (p.abs() ** 2).sum().backward()
    (q.abs() ** 2).sum().backward()
    _close(p.grad, q.grad)
    x = _cx(3, 1)
    p.grad = None
    q.grad = None
    (p * nt.tensor(x)).real.sum().backward()
    (q * torch.tensor(x)).real.sum().backward()
    assert p.grad.dtype == nt.complex64
    _close(p.grad, q.grad)
    # no grad: any dtype wraps; int still refuses requires_grad
    assert not nt.nn.Parameter(nt.tensor(v), requires_grad=False).requires_grad
    with pytest.raises(RuntimeError, match='floating point and complex'):
        nt.nn.Parameter(nt.tensor([1, 2]))


def test_complex_parameter_deepcopy_state_dict():
    import copy
    m, tm = nt.nn.Module(), torch.nn.Module()
    v = _cx((2, 2), 2, np.complex128)
    m.w = nt.nn.Parameter(nt.tensor(v))
    tm.w = torch.nn.Parameter(torch.tensor(v))
    c = copy.deepcopy(m)
    assert c.w.requires_grad and c.w.dtype == nt.complex128
    _close(c.state_dict()['w'], tm.state_dict()['w'])


def _to_warnings(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        fn()
    return [(x.category, str(x.message).split(' (Triggered')[0]) for x in w]


@pytest.mark.parametrize('args,kwargs', [(('cfloat',), {}), ((), {'dtype': 'cdouble'}),
                                         (('cpu', 'cfloat'), {})])
def test_module_to_complex(args, kwargs):
    def conv(lib, v):
        return getattr(lib, v) if v in ('cfloat', 'cdouble') else v
    nt.manual_seed(0)
    torch.manual_seed(0)
    m, tm = nt.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    m.register_buffer('n', nt.tensor([1, 2]))
    tm.register_buffer('n', torch.tensor([1, 2]))
    w = m.weight
    got = _to_warnings(lambda: m.to(*[conv(nt, a) for a in args],
                                    **{k: conv(nt, a) for k, a in kwargs.items()}))
    want = _to_warnings(lambda: tm.to(*[conv(torch, a) for a in args],
                                      **{k: conv(torch, a) for k, a in kwargs.items()}))
    assert got == want
    assert m.weight is w and isinstance(w, nt.nn.Parameter) and w.requires_grad
    for k in ('weight', 'bias', 'n'):
        assert str(getattr(m, k).dtype) == str(getattr(tm, k).dtype)
        _close(getattr(m, k), getattr(tm, k))
    x = _cx(2, 3, w._data.dtype)
    ((m.weight.abs() ** 2).sum() + (m.bias * nt.tensor(x)).real.sum()).backward()
    ((tm.weight.abs() ** 2).sum() + (tm.bias * torch.tensor(x)).real.sum()).backward()
    _close(m.weight.grad, tm.weight.grad, rtol=1e-4)
    _close(m.bias.grad, tm.bias.grad, rtol=1e-4)
    # back to real: the imaginary parts are dropped (the warning about it is once per
    # process in both libraries, so which test sees it depends on the order)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        m.to(nt.float32)
        tm.to(torch.float32)
    assert m.weight.dtype == nt.float32
    _close(m.weight, tm.weight)
    # float()/double() leave complex tensors alone, as PyTorch
    with pytest.warns(UserWarning, match='^Complex modules are a new feature'):
        m.to(nt.cfloat)
    with pytest.warns(UserWarning, match='^Complex modules are a new feature'):
        tm.to(torch.cfloat)
    assert str(m.double().weight.dtype) == str(tm.double().weight.dtype)


def test_module_to_int_dtype_error():
    with pytest.raises(TypeError, match='floating point or complex dtypes, but got desired '
                                        'dtype=torch.int32'):
        nt.nn.Linear(2, 2).to(nt.int32)


def test_tensor_cfloat_cdouble():
    x = np.array([1.5, -2.0], np.float32)
    for name in ('cfloat', 'cdouble'):
        a, b = getattr(nt.tensor(x), name)(), getattr(torch.tensor(x), name)()
        assert str(a.dtype) == str(b.dtype)
        _close(a, b)


_OPTIMS = [
    ('SGD', {'lr': 0.1}),
    ('SGD', {'lr': 0.1, 'momentum': 0.9, 'weight_decay': 0.01}),
    ('SGD', {'lr': 0.1, 'momentum': 0.9, 'nesterov': True, 'maximize': True}),
    ('SGD', {'lr': 0.1, 'momentum': 0.5, 'dampening': 0.3}),
    ('Adam', {'lr': 0.01}),
    ('Adam', {'lr': 0.01, 'amsgrad': True, 'weight_decay': 0.1}),
    ('AdamW', {'lr': 0.01, 'weight_decay': 0.1}),
    ('AdamW', {'lr': 0.01, 'amsgrad': True, 'maximize': True}),
    ('RMSprop', {'lr': 0.01}),
    ('RMSprop', {'lr': 0.01, 'centered': True, 'momentum': 0.9, 'weight_decay': 0.1}),
    ('Adagrad', {'lr': 0.1}),
    ('Adagrad', {'lr': 0.1, 'lr_decay': 0.01, 'weight_decay': 0.1,
                 'initial_accumulator_value': 0.5}),
    ('Adamax', {'lr': 0.01, 'weight_decay': 0.1}),
    ('NAdam', {'lr': 0.01}),
    ('NAdam', {'lr': 0.01, 'decoupled_weight_decay': True, 'weight_decay': 0.1}),
    ('RAdam', {'lr': 0.01, 'weight_decay': 0.1}),
    ('Adadelta', {'lr': 1.0, 'weight_decay': 0.1}),
    ('ASGD', {'lr': 0.01, 't0': 1}),
    ('Rprop', {'lr': 0.01}),
]


def _state_close(a, b):
    assert type(a) is type(b) or isinstance(b, torch.Tensor)
    if isinstance(b, torch.Tensor):
        assert str(a.dtype) == str(b.dtype)
        _close(a, b, rtol=1e-4, atol=1e-6)
    elif isinstance(b, dict):
        assert a.keys() == b.keys()
        for k in b:
            _state_close(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _state_close(x, y)
    elif isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9)
    else:
        assert a == b


@pytest.mark.parametrize('name,kw', _OPTIMS)
def test_optimizer_complex_params(name, kw):
    vals = [_cx((3, 2), 10), _cx(4, 11)]
    ps = [nt.nn.Parameter(nt.tensor(v)) for v in vals]
    tps = [torch.nn.Parameter(torch.tensor(v)) for v in vals]
    # a real parameter alongside the complex ones
    r = np.linspace(-1, 1, 5).astype(np.float32)
    ps.append(nt.nn.Parameter(nt.tensor(r)))
    tps.append(torch.nn.Parameter(torch.tensor(r)))
    opt = getattr(nt.optim, name)(ps, **kw)
    topt = getattr(torch.optim, name)(tps, **kw)
    for i in range(4):
        for j, (p, tp) in enumerate(zip(ps, tps)):
            g = _cx(tp.shape, 100 * i + j) if tp.is_complex() else \
                np.cos(r * (i + 1)).astype(np.float32)
            p.grad = nt.tensor(g)
            tp.grad = torch.tensor(g)
        opt.step()
        topt.step()
    for p, tp in zip(ps, tps):
        assert str(p.dtype) == str(tp.dtype)
        _close(p, tp, rtol=1e-4, atol=1e-6)
    _state_close(opt.state_dict(), topt.state_dict())


def test_complex_param_through_loss_and_adam():
    # a real loss of complex parameters, optimized end to end
    v, x = _cx(3, 20), _cx(3, 21)
    p, tp = nt.nn.Parameter(nt.tensor(v)), torch.nn.Parameter(torch.tensor(v))
    opt, topt = nt.optim.Adam([p], lr=0.05), torch.optim.Adam([tp], lr=0.05)
    for _ in range(3):
        opt.zero_grad()
        topt.zero_grad()
        ((p - nt.tensor(x)).abs() ** 2).sum().backward()
        ((tp - torch.tensor(x)).abs() ** 2).sum().backward()
        opt.step()
        topt.step()
    _close(p, tp, rtol=1e-5)


@pytest.mark.parametrize('name', ['Adafactor', 'Muon'])
def test_optimizers_refusing_complex(name):
    v = _cx((2, 2), 30)
    for lib in (nt, torch):
        p, r = lib.nn.Parameter(lib.tensor(v)), lib.nn.Parameter(lib.ones(2, 2))
        opt = getattr(lib.optim, name)([r, p])
        r.grad = lib.ones(2, 2)
        p.grad = lib.ones_like(p)
        with pytest.raises(RuntimeError, match=f'^{name} does not support complex parameters$'):
            opt.step()
        # the check runs before any parameter of the group moves
        assert bool((r == 1).all())


def test_sparse_adam_refuses_complex():
    for lib in (nt, torch):
        ps = [lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.tensor(_cx(2, 31)))]
        with pytest.raises(ValueError, match=r'^Complex params at indices \[\[1, 0\]\]: '
                                             'SparseAdam does not support complex parameters$'):
            lib.optim.SparseAdam([{'params': ps[:1]}, {'params': ps[1:]}])


def test_lbfgs_complex():
    v, t = _cx(3, 40, np.complex128), _cx(3, 41, np.complex128)
    r = np.array([0.5, -1.0], np.float64)
    res = []
    for lib in (nt, torch):
        p = lib.nn.Parameter(lib.tensor(v))
        q = lib.nn.Parameter(lib.tensor(r))
        opt = lib.optim.LBFGS([p, q], lr=0.5, max_iter=4, history_size=3)
        tt = lib.tensor(t)

        def closure():
            opt.zero_grad()
            loss = ((p - tt).abs() ** 4).sum() + (q ** 2).sum() + (p.real[:2] * q).sum()
            loss.backward()
            return loss
        for _ in range(2):
            opt.step(closure)
        res.append((p, q, opt.state_dict()))
    (p, q, sd), (tp, tq, tsd) = res
    _close(p, tp, rtol=1e-10, atol=1e-12)
    _close(q, tq, rtol=1e-10, atol=1e-12)
    _state_close(sd, tsd)


def test_complex_adam_state_dict_round_trip():
    v = _cx((2, 3), 50)
    libs = []
    for lib in (nt, torch):
        p = lib.nn.Parameter(lib.tensor(v))
        opt = lib.optim.Adam([p], lr=0.1, amsgrad=True)
        p.grad = lib.tensor(_cx((2, 3), 51))
        opt.step()
        p2 = lib.nn.Parameter(p.detach().clone())
        opt2 = lib.optim.Adam([p2], lr=0.1, amsgrad=True)
        opt2.load_state_dict(opt.state_dict())
        p2.grad = lib.tensor(_cx((2, 3), 52))
        opt2.step()
        libs.append((p2, opt2.state_dict()))
    _close(libs[0][0], libs[1][0], rtol=1e-5)
    _state_close(libs[0][1], libs[1][1])
    assert libs[0][1]['state'][0]['exp_avg'].dtype == nt.complex64


def test_averaged_model_complex():
    from numtorch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
    from torch.optim.swa_utils import AveragedModel as TAveragedModel
    from torch.optim.swa_utils import get_ema_multi_avg_fn as tget
    outs = []
    for lib, AM, ema in ((nt, AveragedModel, get_ema_multi_avg_fn),
                         (torch, TAveragedModel, tget)):
        m = lib.nn.Module()
        m.w = lib.nn.Parameter(lib.tensor(_cx(3, 60)))
        for kw in ({}, {'multi_avg_fn': ema(0.9)}):
            avg = AM(m, **kw)
            for i in range(3):
                with lib.no_grad():
                    m.w.copy_(lib.tensor(_cx(3, 61 + i)))
                avg.update_parameters(m)
            outs.append(avg.module.w)
    _close(outs[0], outs[2])
    _close(outs[1], outs[3])
