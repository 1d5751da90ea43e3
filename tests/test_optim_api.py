"""The Optimizer API around the update rules: argument errors with PyTorch's messages,
parameter groups, state_dict/load_state_dict layout and errors, hooks, repr, copies."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import numtorch

OPTIMIZERS = ['SGD', 'Adam', 'AdamW', 'Adamax', 'Adagrad', 'Adadelta', 'RMSprop', 'Rprop',
              'ASGD', 'NAdam', 'RAdam', 'LBFGS']


def _params(lib, n=3):
    return [lib.ones(2, requires_grad=True) for _ in range(n)]


def same_error(make, exc=(ValueError, TypeError, RuntimeError)):
    """``make(lib, params)`` raises the same exception type and message in both."""
    with pytest.raises(exc) as tinfo:
        make(torch, _params(torch))
    with pytest.raises(type(tinfo.value)) as ninfo:
        make(numtorch, _params(numtorch))
    assert str(ninfo.value) == str(tinfo.value)
    return str(ninfo.value)


@pytest.mark.parametrize('name', OPTIMIZERS)
def test_defaults_repr_and_signature_match_torch(name):
    nopt = getattr(numtorch.optim, name)(_params(numtorch))
    topt = getattr(torch.optim, name)(_params(torch))
    assert repr(nopt) == repr(topt)
    assert nopt.defaults == topt.defaults


@pytest.mark.parametrize('name', OPTIMIZERS)
def test_empty_and_negative_lr(name):
    assert same_error(lambda lib, ps: getattr(lib.optim, name)([])) == \
        'optimizer got an empty parameter list'
    assert same_error(lambda lib, ps: getattr(lib.optim, name)(ps, lr=-0.1)) == \
        'Invalid learning rate: -0.1'


@pytest.mark.parametrize('name,kwargs', [
    ('SGD', {'momentum': -0.5}),
    ('SGD', {'weight_decay': -1}),
    ('SGD', {'nesterov': True}),
    ('SGD', {'nesterov': True, 'momentum': 0.9, 'dampening': 0.1}),
    ('Adam', {'betas': (1.0, 0.999)}),
    ('Adam', {'betas': (0.9, -0.1)}),
    ('Adam', {'betas': (0.9, 0)}),
    ('Adam', {'eps': -1e-8}),
    ('Adam', {'weight_decay': -0.1}),
    ('AdamW', {'betas': (0.9, 1.5)}),
    ('Adamax', {'betas': (-0.1, 0.9)}),
    ('Adamax', {'eps': -1.0}),
    ('Adagrad', {'lr_decay': -1}),
    ('Adagrad', {'initial_accumulator_value': -0.5}),
    ('Adagrad', {'eps': -1}),
    ('Adagrad', {'weight_decay': -2}),
    ('Adadelta', {'rho': 1.5}),
    ('Adadelta', {'eps': -1}),
    ('RMSprop', {'alpha': -0.1}),
    ('RMSprop', {'momentum': -0.1}),
    ('RMSprop', {'eps': -1}),
    ('Rprop', {'etas': (1.5, 1.2)}),
    ('Rprop', {'etas': (0.5, 0.9)}),
    ('ASGD', {'weight_decay': -1}),
    ('NAdam', {'momentum_decay': -1}),
    ('NAdam', {'betas': (0.9, 1.0)}),
    ('RAdam', {'eps': -1}),
    ('RAdam', {'weight_decay': -1}),
])
def test_invalid_options(name, kwargs):
    same_error(lambda lib, ps: getattr(lib.optim, name)(ps, **kwargs))


def test_bad_params():
    assert same_error(lambda lib, ps: lib.optim.SGD(ps[0], lr=0.1)).startswith(
        'params argument given to the optimizer should be an iterable of Tensors or dicts, '
        'but got torch.FloatTensor')
    assert same_error(lambda lib, ps: lib.optim.SGD([1.0], lr=0.1)) == \
        'optimizer can only optimize Tensors, but one of the params is float'
    assert same_error(lambda lib, ps: lib.optim.SGD([ps[0] * 2], lr=0.1)) == \
        "can't optimize a non-leaf Tensor"
    same_error(lambda lib, ps: lib.optim.SGD([{'params': set(ps)}], lr=0.1))
    assert same_error(lambda lib, ps: lib.optim.SGD(
        [{'params': ps[:2]}, {'params': ps[1:]}], lr=0.1)) == \
        'some parameters appear in more than one parameter group'
    same_error(lambda lib, ps: lib.optim.SGD(ps, lr=0.1).add_param_group(ps))
    same_error(lambda lib, ps: lib.optim.SGD([('a', ps[0]), ps[1]], lr=0.1))
    same_error(lambda lib, ps: lib.optim.SGD([('a', ps[0])], lr=0.1).add_param_group(
        {'params': [ps[1]]}))
    with pytest.warns(UserWarning, match='duplicate parameters'):
        numtorch.optim.SGD([_params(numtorch)[0]] * 2, lr=0.1)


def test_named_parameters_are_recorded():
    ps = _params(numtorch)
    opt = numtorch.optim.SGD([('w', ps[0]), ('b', ps[1])], lr=0.1)
    assert opt.param_groups[0]['param_names'] == ['w', 'b']
    assert opt.state_dict()['param_groups'][0]['param_names'] == ['w', 'b']


def test_required_option():
    class Custom(numtorch.optim.Optimizer):
        def __init__(self, params, lr=numtorch.optim.optimizer.required):
            super().__init__(params, {'lr': lr})

    from torch.optim.optimizer import required

    class TCustom(torch.optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, {'lr': lr})

    with pytest.raises(ValueError) as t:
        TCustom(_params(torch))
    with pytest.raises(ValueError) as n:
        Custom(_params(numtorch))
    assert str(n.value) == str(t.value)
    assert repr(numtorch.optim.optimizer.required) == '<required parameter>'
    with pytest.raises(NotImplementedError):
        Custom([{'params': _params(numtorch), 'lr': 0.1}]).step()


@pytest.mark.parametrize('flag,name', [('foreach', 'SGD'), ('fused', 'Adam'),
                                       ('capturable', 'Adam'), ('differentiable', 'RMSprop'),
                                       ('foreach', 'Adagrad'), ('capturable', 'NAdam')])
def test_other_implementations_are_refused(flag, name):
    with pytest.raises(NotImplementedError, match=f'{flag}=True is not supported'):
        getattr(numtorch.optim, name)(_params(numtorch), **{flag: True})
    opt = getattr(numtorch.optim, name)(_params(numtorch), **{flag: False})
    with pytest.raises(NotImplementedError, match=f'{flag}=True'):
        opt.add_param_group({'params': _params(numtorch, 1), flag: True})


def test_add_param_group_fills_defaults_and_steps_it():
    nps, tps = _params(numtorch), _params(torch)
    nopt = numtorch.optim.Adam(nps[:1], lr=0.1)
    topt = torch.optim.Adam(tps[:1], lr=0.1)
    nopt.add_param_group({'params': nps[1:], 'betas': (0.5, 0.9)})
    topt.add_param_group({'params': tps[1:], 'betas': (0.5, 0.9)})
    assert repr(nopt) == repr(topt)
    for ps in (nps, tps):
        for i, p in enumerate(ps):
            p.grad = p.detach() * (i + 1)
    nopt.step()
    topt.step()
    for a, b in zip(nps, tps):
        np.testing.assert_allclose(a._data, b.detach().numpy(), rtol=1e-6)


def _stepped(lib, name='Adam', n=3, groups=True, **kw):
    ps = _params(lib, n)
    spec = [{'params': ps[:1]}, {'params': ps[1:], 'lr': 0.5}] if groups else ps
    opt = getattr(lib.optim, name)(spec, **kw)
    for i, p in enumerate(ps[:-1]):  # the last parameter never gets a gradient
        p.grad = lib.full((2,), float(i + 1))
    opt.step()
    return opt, ps


def test_state_dict_layout_and_sharing():
    nopt, nps = _stepped(numtorch)
    topt, tps = _stepped(torch)
    nsd, tsd = nopt.state_dict(), topt.state_dict()
    assert list(nsd) == ['state', 'param_groups']
    assert nsd['param_groups'] == tsd['param_groups']
    assert list(nsd['state']) == list(tsd['state']) == [0, 1]
    for i in (0, 1):
        assert list(nsd['state'][i]) == list(tsd['state'][i])
        assert nsd['state'][i]['step'].shape == () and nsd['state'][i]['step'].item() == 1.0
    # Live state, not copies (as torch).
    assert nsd['state'][0] is nopt.state[nps[0]]
    assert nsd['state'][0]['exp_avg'] is nopt.state[nps[0]]['exp_avg']
    assert isinstance(nopt.state, type(topt.state))


def test_load_state_dict_errors():
    nopt, _ = _stepped(numtorch)
    topt, _ = _stepped(torch)
    nsd, tsd = nopt.state_dict(), topt.state_dict()
    one_n, _ = _stepped(numtorch, groups=False)
    one_t, _ = _stepped(torch, groups=False)
    with pytest.raises(ValueError) as t:
        one_t.load_state_dict(tsd)
    with pytest.raises(ValueError) as n:
        one_n.load_state_dict(nsd)
    assert str(n.value) == str(t.value) == \
        'loaded state dict has a different number of parameter groups'
    other_n, _ = _stepped(numtorch, n=4)
    other_t, _ = _stepped(torch, n=4)
    with pytest.raises(ValueError) as t:
        other_t.load_state_dict(tsd)
    with pytest.raises(ValueError) as n:
        other_n.load_state_dict(nsd)
    assert str(n.value) == str(t.value) == ("loaded state dict contains a parameter group "
                                            "that doesn't match the size of optimizer's group")


def test_load_state_dict_restores_options_casts_dtype_and_keeps_step_dtype():
    nopt, _ = _stepped(numtorch, lr=0.3)
    sd = copy.deepcopy(nopt.state_dict())
    ps64 = [numtorch.ones(2, dtype=numtorch.float64, requires_grad=True) for _ in range(3)]
    fresh = numtorch.optim.Adam([{'params': ps64[:1]}, {'params': ps64[1:]}], lr=0.01)
    fresh.load_state_dict(sd)
    assert [g['lr'] for g in fresh.param_groups] == [0.3, 0.5]
    assert fresh.param_groups[0]['params'][0] is ps64[0]
    st = fresh.state[ps64[1]]
    assert st['exp_avg'].dtype == numtorch.float64
    assert st['step'].dtype == numtorch.float32
    assert ps64[2] not in fresh.state


def test_old_checkpoints_with_number_steps_load():
    nopt, _ = _stepped(numtorch, 'NAdam')
    sd = copy.deepcopy(nopt.state_dict())
    for st in sd['state'].values():
        st['step'] = 1
        st['mu_product'] = st['mu_product'].item()
    fresh, _ = _stepped(numtorch, 'NAdam')
    fresh.load_state_dict(sd)
    for st in fresh.state.values():
        assert isinstance(st['step'], numtorch.Tensor) and st['step'].item() == 1.0
        assert isinstance(st['mu_product'], numtorch.Tensor)


def test_state_dict_and_load_hooks():
    opt, _ = _stepped(numtorch)
    calls = []
    opt.register_state_dict_pre_hook(lambda o: calls.append('pre'))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, 'extra': 1})
    opt.register_state_dict_post_hook(lambda o, sd: calls.append('post0'), prepend=True)
    sd = opt.state_dict()
    assert calls == ['pre', 'post0'] and sd['extra'] == 1
    opt.register_load_state_dict_pre_hook(lambda o, sd: calls.append('lpre'))
    opt.register_load_state_dict_post_hook(lambda o: calls.append('lpost'))
    opt.load_state_dict(sd)
    assert calls[-2:] == ['lpre', 'lpost']


def test_step_hooks():
    ps = _params(numtorch)
    opt = numtorch.optim.SGD(ps, lr=0.1)
    seen = []
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: seen.append(('pre', args)))
    opt.register_step_post_hook(lambda o, args, kwargs: seen.append(('post', args)))
    g = numtorch.optim.optimizer.register_optimizer_step_pre_hook(
        lambda o, args, kwargs: seen.append(('global', args)))
    try:
        opt.step()
    finally:
        g.remove()
    assert seen == [('global', ()), ('pre', ()), ('post', ())]
    h1.remove()
    closure_calls = []

    def swap(o, args, kwargs):
        return (lambda: closure_calls.append(1) or 7.0,), {}

    opt.register_step_pre_hook(swap)
    assert opt.step() == 7.0 and closure_calls == [1]
    opt.register_step_pre_hook(lambda o, a, k: 'bad')
    with pytest.raises(RuntimeError, match='must return None or a tuple'):
        opt.step()


def test_parameters_without_grad_are_skipped_everywhere():
    for name in OPTIMIZERS[:-1]:
        ps = _params(numtorch, 2)
        opt = getattr(numtorch.optim, name)(ps)
        ps[0].grad = numtorch.ones(2)
        opt.step()
        assert ps[1].tolist() == [1.0, 1.0], name
        assert ps[0].tolist() != [1.0, 1.0], name
        if name != 'Adagrad':  # Adagrad creates all state in its constructor, like torch
            assert ps[1] not in opt.state, name


def test_deepcopy_round_trip():
    opt, ps = _stepped(numtorch)
    numtorch.optim.lr_scheduler.StepLR(opt, 2)  # wraps opt.step, must not break copies
    dup = copy.deepcopy(opt)
    assert dup.param_groups[0]['params'][0] is not ps[0]
    np.testing.assert_array_equal(
        dup.state[dup.param_groups[0]['params'][0]]['exp_avg']._data,
        opt.state[ps[0]]['exp_avg']._data)
    assert repr(dup) == repr(opt)
    dup.step()


def test_lr_as_tensor():
    for lib in (numtorch, torch):
        with pytest.raises(ValueError, match='^Tensor lr must be 1-element$'):
            lib.optim.SGD(_params(lib), lr=lib.tensor([0.1, 0.2]))
    nps, tps = _params(numtorch), _params(torch)
    nopt = numtorch.optim.Adam(nps, lr=numtorch.tensor(0.01))
    topt = torch.optim.Adam(tps, lr=torch.tensor(0.01))
    for ps in (nps, tps):
        for p in ps:
            p.grad = p.detach() * 0.5
    nopt.step()
    topt.step()
    for a, b in zip(nps, tps):
        np.testing.assert_allclose(a._data, b.detach().numpy(), rtol=1e-6)


def _sig(fn):
    import inspect
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


SCHEDULERS = ['LambdaLR', 'MultiplicativeLR', 'StepLR', 'MultiStepLR', 'ConstantLR',
              'LinearLR', 'ExponentialLR', 'SequentialLR', 'CosineAnnealingLR',
              'ChainedScheduler', 'ReduceLROnPlateau', 'CyclicLR',
              'CosineAnnealingWarmRestarts', 'OneCycleLR', 'PolynomialLR', 'LRScheduler']


@pytest.mark.parametrize('name', OPTIMIZERS)
def test_optimizer_signatures_match_torch(name):
    assert _sig(getattr(numtorch.optim, name).__init__) == \
        _sig(getattr(torch.optim, name).__init__)


@pytest.mark.parametrize('name', SCHEDULERS)
def test_scheduler_signatures_match_torch(name):
    n = getattr(numtorch.optim.lr_scheduler, name)
    t = getattr(torch.optim.lr_scheduler, name)
    assert _sig(n.__init__) == _sig(t.__init__)
    assert _sig(n.step) == _sig(t.step)


def test_lbfgs_without_closure_message():
    same_error(lambda lib, ps: lib.optim.LBFGS(ps).step(), TypeError)


@pytest.mark.parametrize('name', OPTIMIZERS)
def test_step_signatures_match_torch(name):
    assert _sig(getattr(numtorch.optim, name).step) == _sig(getattr(torch.optim, name).step)
