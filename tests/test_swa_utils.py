"""torch.optim.swa_utils: AveragedModel, SWALR, update_bn, the avg-fn factories (vs torch)."""
import warnings

import numpy as np
import pytest
import torch

import numtorch as nt
from numtorch.optim import swa_utils as nswa
from torch.optim import swa_utils as tswa


def _nets(lib, seed=0):
    lib.manual_seed(seed)
    return lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.BatchNorm1d(5), lib.nn.ReLU(),
                             lib.nn.Linear(5, 2))


def _train_and_average(lib, swa, make_avg, steps=5, seed=0):
    """SGD on fixed random data; the averaged model is updated after every step."""
    model = _nets(lib, seed)
    avg = make_avg(model)
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    lib.manual_seed(1)
    x = lib.randn(16, 4)
    y = lib.randn(16, 2)
    for _ in range(steps):
        opt.zero_grad()
        lib.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        avg.update_parameters(model)
    return avg


def _assert_same_state(a, b, exact=True):
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for k in sa:
        assert repr(sa[k].dtype) == repr(sb[k].dtype), k
        if exact:
            np.testing.assert_array_equal(sa[k].numpy(), sb[k].numpy(), err_msg=k)
        else:
            np.testing.assert_allclose(sa[k].numpy(), sb[k].numpy(), rtol=1e-6, atol=1e-7,
                                       err_msg=k)


@pytest.mark.parametrize('kind', ['default', 'swa_avg', 'ema_avg', 'swa_multi', 'ema_multi',
                                  'ema_multi_buffers'])
def test_averaged_weights_match_torch(kind):
    def maker(mod):
        def make(model):
            if kind == 'default':
                return mod.AveragedModel(model)
            if kind == 'swa_avg':
                return mod.AveragedModel(model, avg_fn=mod.get_swa_avg_fn())
            if kind == 'ema_avg':
                return mod.AveragedModel(model, avg_fn=mod.get_ema_avg_fn(0.9))
            if kind == 'swa_multi':
                return mod.AveragedModel(model, multi_avg_fn=mod.get_swa_multi_avg_fn())
            if kind == 'ema_multi':
                return mod.AveragedModel(model, multi_avg_fn=mod.get_ema_multi_avg_fn(0.9))
            return mod.AveragedModel(model, multi_avg_fn=mod.get_ema_multi_avg_fn(0.8),
                                     use_buffers=True)
        return make

    a = _train_and_average(nt, nswa, maker(nswa))
    b = _train_and_average(torch, tswa, maker(tswa))
    assert int(a.n_averaged) == int(b.n_averaged) == 5
    # NOTE: the averages are sums of a few float32 roundings; the integer count buffer
    # (num_batches_tracked) must be identical.
    _assert_same_state(a, b, exact=False)
    if kind == 'ema_multi_buffers':
        # num_batches_tracked (int64) is averaged by the integer branch: 5 updates of 0.8/0.2
        assert int(a.state_dict()['module.1.num_batches_tracked']) == \
            int(b.state_dict()['module.1.num_batches_tracked'])
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    a.eval()
    b.eval()
    np.testing.assert_allclose(a(nt.tensor(x)).detach().numpy(),
                               b(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_first_update_copies_and_mean_is_exact():
    lin = nt.nn.Linear(3, 2)
    avg = nswa.AveragedModel(lin)
    ws = []
    for k in range(4):
        with nt.no_grad():
            lin.weight.fill_(float(k + 1))
        ws.append(k + 1)
        avg.update_parameters(lin)
        np.testing.assert_allclose(avg.module.weight.detach().numpy(), np.mean(ws))
    assert avg.n_averaged.dtype == nt.int64 and avg.n_averaged.shape == ()
    assert not avg.module.weight.grad_fn and avg.module.weight.requires_grad


def test_buffers_follow_model_without_use_buffers():
    model = _nets(nt)
    avg = nswa.AveragedModel(model)
    model.train()
    model(nt.randn(8, 4))
    avg.update_parameters(model)
    np.testing.assert_array_equal(avg.module[1].running_mean.numpy(),
                                  model[1].running_mean.numpy())
    assert int(avg.module[1].num_batches_tracked) == 1


def test_state_dict_repr_and_load():
    a = nswa.AveragedModel(_nets(nt))
    b = tswa.AveragedModel(_nets(torch))
    assert list(a.state_dict()) == list(b.state_dict())
    assert repr(a) == repr(b)
    b.n_averaged += 3
    a.load_state_dict({k: nt.tensor(v.numpy()) for k, v in b.state_dict().items()})
    assert int(a.n_averaged) == 3
    assert not hasattr(a.state_dict(), 'avg_fn') and 'avg_fn' not in a.state_dict()


def test_errors():
    lin = nt.nn.Linear(2, 2)
    with pytest.raises(AssertionError, match='Only one of avg_fn and multi_avg_fn'):
        nswa.AveragedModel(lin, avg_fn=nswa.get_swa_avg_fn(),
                           multi_avg_fn=nswa.get_swa_multi_avg_fn())
    for f in (nswa.get_ema_avg_fn, nswa.get_ema_multi_avg_fn):
        with pytest.raises(ValueError) as e:
            f(1.5)
        with pytest.raises(ValueError) as te:
            getattr(tswa, f.__name__)(1.5)
        assert str(e.value) == str(te.value)


def _lr_sequence(lib, mod, n=16, **kw):
    model = lib.nn.Linear(2, 2)
    opt = lib.optim.SGD([{'params': [model.weight]}, {'params': [model.bias], 'lr': 0.3}],
                        lr=1.0)
    sched = mod.SWALR(opt, **kw)
    out = [[g['lr'] for g in opt.param_groups]]
    for _ in range(n):
        opt.step()
        sched.step()
        out.append(list(sched.get_last_lr()))
    return out, sched


@pytest.mark.parametrize('kw', [
    dict(swa_lr=0.05), dict(swa_lr=0.05, anneal_strategy='linear', anneal_epochs=5),
    dict(swa_lr=[0.01, 0.2], anneal_epochs=3), dict(swa_lr=0.5, anneal_epochs=0),
    dict(swa_lr=0.1, anneal_epochs=1, anneal_strategy='linear')])
def test_swalr_sequences_match_torch(kw):
    a, sa = _lr_sequence(nt, nswa, **kw)
    b, sb = _lr_sequence(torch, tswa, **kw)
    assert a == b
    assert sorted(sa.state_dict()) == sorted(sb.state_dict())
    assert 'anneal_func' not in sa.state_dict()


def test_swalr_after_other_scheduler_and_state_dict():
    def run(lib, mod):
        model = lib.nn.Linear(2, 2)
        opt = lib.optim.SGD(model.parameters(), lr=0.5)
        s1 = lib.optim.lr_scheduler.StepLR(opt, 2, gamma=0.5)
        lrs = []
        for _ in range(5):
            opt.step()
            s1.step()
            lrs.append(opt.param_groups[0]['lr'])
        s2 = mod.SWALR(opt, swa_lr=0.01, anneal_epochs=4)
        for _ in range(6):
            opt.step()
            s2.step()
            lrs.append(opt.param_groups[0]['lr'])
        return lrs, s2
    a, sa = run(nt, nswa)
    b, sb = run(torch, tswa)
    assert a == b
    state = sa.state_dict()
    assert state['_anneal_strategy'] == 'cos'
    model = nt.nn.Linear(2, 2)
    opt = nt.optim.SGD(model.parameters(), lr=0.5)
    s3 = nswa.SWALR(opt, swa_lr=0.2, anneal_strategy='linear')
    s3.load_state_dict(state)
    assert s3.anneal_func is nswa.SWALR._cosine_anneal and s3.anneal_epochs == 4


def test_swalr_errors_and_warning():
    opt = nt.optim.SGD(nt.nn.Linear(2, 2).parameters(), lr=0.1)
    topt = torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=0.1)
    for kw in (dict(swa_lr=0.1, anneal_strategy='exp'), dict(swa_lr=0.1, anneal_epochs=-1),
               dict(swa_lr=0.1, anneal_epochs=2.0), dict(swa_lr=[0.1, 0.2])):
        with pytest.raises(ValueError) as e:
            nswa.SWALR(opt, **kw)
        with pytest.raises(ValueError) as te:
            tswa.SWALR(topt, **kw)
        assert str(e.value) == str(te.value)
    s = nswa.SWALR(opt, swa_lr=0.1)
    with pytest.warns(UserWarning, match='get_last_lr'):
        s.get_lr()


def _bn_net(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Conv2d(2, 3, 3), lib.nn.BatchNorm2d(3, momentum=0.3),
                             lib.nn.ReLU(), lib.nn.Flatten(), lib.nn.Linear(12, 4),
                             lib.nn.BatchNorm1d(4))


def test_update_bn_matches_torch():
    rng = np.random.default_rng(0)
    data = [rng.standard_normal((5, 2, 4, 4)).astype(np.float32) * (i + 1) for i in range(3)]
    labels = [np.zeros(5, np.int64)] * 3
    a, b = _bn_net(nt), _bn_net(torch)
    a.eval()
    b.eval()
    # tuples (data, label) for one model, bare tensors for the other: both forms are read
    nswa.update_bn([(nt.tensor(d), nt.tensor(y)) for d, y in zip(data, labels)], a)
    tswa.update_bn([torch.tensor(d) for d in data], b)
    assert not a.training and a[1].momentum == 0.3 and a[5].momentum == 0.1
    _assert_same_state(a, b, exact=False)
    assert int(a[1].num_batches_tracked) == 3
    # running stats are the plain mean over batches (momentum None), not an EMA
    assert not np.allclose(a[1].running_mean.numpy(), 0)


def test_update_bn_on_averaged_model_and_no_bn():
    model = _bn_net(nt)
    avg = nswa.AveragedModel(model)
    avg.update_parameters(model)
    loader = [nt.randn(4, 2, 4, 4) for _ in range(2)]
    nswa.update_bn(loader, avg)
    assert int(avg.module[1].num_batches_tracked) == 2
    plain = nt.nn.Linear(2, 2)
    plain.eval()
    nswa.update_bn([nt.randn(2, 2)], plain)   # nothing to do: the model is not run
    assert not plain.training


def test_no_grad_in_averaging():
    model = nt.nn.Linear(2, 2)
    avg = nswa.AveragedModel(model, avg_fn=nswa.get_ema_avg_fn())
    avg.update_parameters(model)
    avg.update_parameters(model)
    assert avg.module.weight.grad_fn is None and avg.module.weight.is_leaf
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        nswa.get_swa_avg_fn()(nt.ones(2, requires_grad=True), nt.zeros(2), 1)


@pytest.mark.parametrize('kind', ['default', 'swa_avg', 'ema_avg', 'swa_multi', 'ema_multi'])
def test_average_of_given_weights_is_bit_exact(kind):
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal((7, 9)).astype(np.float32) for _ in range(6)]
    res = []
    for lib, mod in ((nt, nswa), (torch, tswa)):
        kw = {'default': {}, 'swa_avg': dict(avg_fn=mod.get_swa_avg_fn()),
              'ema_avg': dict(avg_fn=mod.get_ema_avg_fn(0.9)),
              'swa_multi': dict(multi_avg_fn=mod.get_swa_multi_avg_fn()),
              'ema_multi': dict(multi_avg_fn=mod.get_ema_multi_avg_fn(0.9))}[kind]
        lin = lib.nn.Linear(9, 7, bias=False)
        avg = mod.AveragedModel(lin, **kw)
        for w in ws:
            with lib.no_grad():
                lin.weight.copy_(lib.tensor(w))
            avg.update_parameters(lin)
        res.append(avg.module.weight.detach().numpy())
    np.testing.assert_array_equal(res[0], res[1])


@pytest.mark.parametrize('dt', [np.float32, np.float16])
def test_lerp_is_pytorchs_fma_formula(dt):
    # regression (core fix): lerp rounds as PyTorch's fused kernel, on both sides of 0.5
    rng = np.random.default_rng(1)
    s = rng.standard_normal(300).astype(dt)
    e = rng.standard_normal(300).astype(dt)
    w = (rng.standard_normal(300) * 2).astype(dt)
    for weight in (0.5, 1 / 3, 0.9, 1e-3, -0.7, 1.5):
        np.testing.assert_array_equal(nt.lerp(nt.tensor(s), nt.tensor(e), weight).numpy(),
                                      torch.lerp(torch.tensor(s), torch.tensor(e),
                                                 weight).numpy())
    np.testing.assert_array_equal(nt.lerp(nt.tensor(s), nt.tensor(e), nt.tensor(w)).numpy(),
                                  torch.lerp(torch.tensor(s), torch.tensor(e),
                                             torch.tensor(w)).numpy())
