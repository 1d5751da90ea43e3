"""Every optimizer and option follows PyTorch's trajectory step for step.

The same 3-8-2 tanh MLP (50 parameters, float32) starts from the same weights in numtorch
and torch; both train 50 steps on the same data and the parameters must agree to 1e-5
after every step. Halfway, each side's optimizer is rebuilt from the OTHER side's
``state_dict()`` (converted tensor by tensor), so the checkpoint layout is PyTorch's and
a resumed run continues the same trajectory.
"""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import numtorch

SHAPES = [(8, 3), (8,), (2, 8), (2,)]
STEPS = 50
ATOL = 1e-5


def _data():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 3)).astype(np.float32)
    y = rng.standard_normal((16, 2)).astype(np.float32)
    return x, y


def _init(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(s) * 0.5).astype(np.float32) for s in SHAPES]


def _loss(lib, ps, x, y):
    W1, b1, W2, b2 = ps
    h = lib.tanh(x @ W1.T + b1)
    out = h @ W2.T + b2
    return ((out - y) ** 2).mean()


def nt_to_torch(obj):
    """A numtorch state dict with every tensor turned into a torch tensor."""
    if isinstance(obj, numtorch.Tensor):
        return torch.from_numpy(np.array(obj._data, copy=True))
    if isinstance(obj, dict):
        return {k: nt_to_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(nt_to_torch(v) for v in obj)
    return obj


def torch_to_nt(obj):
    if isinstance(obj, torch.Tensor):
        return numtorch.from_numpy(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: torch_to_nt(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(torch_to_nt(v) for v in obj)
    return obj


def assert_same_value(nv, tv, rtol, atol, what=''):
    """A numtorch state value equals a torch one: tensors by dtype and values, lists
    item by item, everything else exactly."""
    if isinstance(tv, torch.Tensor):
        assert isinstance(nv, numtorch.Tensor), what
        assert str(nv.dtype) == str(tv.dtype), (what, nv.dtype, tv.dtype)
        np.testing.assert_allclose(nv._data, tv.numpy(), rtol=rtol, atol=atol, err_msg=what)
    elif isinstance(tv, (list, tuple)):
        assert type(nv) is type(tv) and len(nv) == len(tv), what
        for a, b in zip(nv, tv):
            assert_same_value(a, b, rtol, atol, what)
    elif isinstance(tv, float):
        assert nv == pytest.approx(tv, rel=rtol, abs=atol), what
    else:
        assert nv == tv, what


def assert_state_equal(nsd, tsd, rtol=1e-4, atol=ATOL):
    """Same layout (keys, groups, ids) and the same values in two state dicts."""
    assert nsd['param_groups'] == tsd['param_groups']
    assert sorted(nsd['state']) == sorted(tsd['state'])
    for i, tst in tsd['state'].items():
        nst = nsd['state'][i]
        assert list(nst) == list(tst)
        for k, tv in tst.items():
            assert_same_value(nst[k], tv, rtol, atol, k)


def _groups(lib_params, groups):
    if groups is None:
        return lib_params
    return [{**g, 'params': [lib_params[i] for i in g['params']]} for g in groups]


def run_both(name: str, kwargs: dict, groups=None, steps: int = STEPS, swap_at: int = 25,
             unused_param: bool = True, inject: bool = False):
    """Trains both; asserts equal parameters after each step and swaps state at
    ``swap_at``. Returns the final (numtorch, torch) optimizers.

    With ``inject`` numtorch's parameters receive torch's gradients, which isolates the
    update rule from the model's own last-bit differences: then the parameters must agree
    to float32 rounding (1e-6), not just 1e-5.
    """
    atol = 1e-6 if inject else ATOL
    # State holds normalised quantities (e.g. g/sqrt(v)) that amplify last-bit gradient
    # differences relative to the parameters, hence the relative tolerance.
    state_tol = {'rtol': 1e-5, 'atol': 1e-6} if inject else {'rtol': 1e-4, 'atol': ATOL}
    x, y = _data()
    init = _init()
    nps = [numtorch.tensor(a, requires_grad=True) for a in init]
    tps = [torch.tensor(a, requires_grad=True) for a in init]
    if unused_param:
        # A parameter that never gets a gradient: skipped, no state.
        nps.append(numtorch.ones(3, requires_grad=True))
        tps.append(torch.ones(3, requires_grad=True))
    ncls = getattr(numtorch.optim, name)
    tcls = getattr(torch.optim, name)
    nopt = ncls(_groups(nps, groups), **kwargs)
    topt = tcls(_groups(tps, groups), **kwargs)
    assert repr(nopt) == repr(topt)
    nx, ny = numtorch.tensor(x), numtorch.tensor(y)
    tx, ty = torch.tensor(x), torch.tensor(y)
    for step in range(steps):
        if step == swap_at:
            nsd = nopt.state_dict()
            tsd = topt.state_dict()
            assert_state_equal(nsd, tsd, **state_tol)
            nopt = ncls(_groups(nps, groups), **kwargs)
            nopt.load_state_dict(torch_to_nt(copy.deepcopy(tsd)))
            topt = tcls(_groups(tps, groups), **kwargs)
            topt.load_state_dict(nt_to_torch(nsd))
        nopt.zero_grad()
        _loss(numtorch, nps[:4], nx, ny).backward()
        topt.zero_grad()
        _loss(torch, tps[:4], tx, ty).backward()
        if inject:
            for a, b in zip(nps[:4], tps):
                a.grad._data[...] = b.grad.numpy()
        nopt.step()
        topt.step()
        for a, b in zip(nps, tps):
            np.testing.assert_allclose(a._data, b.detach().numpy(), rtol=0, atol=atol,
                                       err_msg=f'{name} {kwargs} step {step}')
    assert_state_equal(nopt.state_dict(), topt.state_dict(), **state_tol)
    return nopt, topt


CONFIGS = [
    ('SGD', {'lr': 0.1}),
    ('SGD', {'lr': 0.1, 'momentum': 0.9}),
    ('SGD', {'lr': 0.1, 'momentum': 0.9, 'dampening': 0.3}),
    ('SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True}),
    ('SGD', {'lr': 0.1, 'momentum': 0.5, 'weight_decay': 0.05}),
    ('SGD', {'lr': 0.01, 'momentum': 0.5, 'maximize': True}),
    ('SGD', {'lr': 0.1, 'foreach': False}),
    ('Adam', {'lr': 0.01}),
    ('Adam', {'lr': 0.01, 'betas': (0.8, 0.9), 'eps': 1e-3}),
    ('Adam', {'lr': 0.01, 'amsgrad': True}),
    ('Adam', {'lr': 0.01, 'weight_decay': 0.1}),
    ('Adam', {'lr': 0.01, 'weight_decay': 0.1, 'decoupled_weight_decay': True}),
    ('Adam', {'lr': 0.005, 'maximize': True}),
    ('Adam', {'lr': 0.01, 'betas': (0.3, 0.999)}),
    ('AdamW', {'lr': 0.01}),
    ('AdamW', {'lr': 0.01, 'weight_decay': 0.1, 'amsgrad': True}),
    ('Adamax', {'lr': 0.01}),
    ('Adamax', {'lr': 0.01, 'betas': (0.8, 0.9), 'eps': 1e-3, 'weight_decay': 0.1}),
    ('Adamax', {'lr': 0.005, 'maximize': True}),
    ('Adagrad', {'lr': 0.1}),
    ('Adagrad', {'lr': 0.1, 'lr_decay': 0.05, 'initial_accumulator_value': 0.1}),
    ('Adagrad', {'lr': 0.1, 'eps': 1e-3, 'weight_decay': 0.1}),
    ('Adagrad', {'lr': 0.01, 'maximize': True}),
    ('Adadelta', {}),
    ('Adadelta', {'lr': 0.5, 'rho': 0.5, 'eps': 1e-4, 'weight_decay': 0.1}),
    ('Adadelta', {'maximize': True}),
    ('RMSprop', {'lr': 0.01}),
    ('RMSprop', {'lr': 0.01, 'alpha': 0.9, 'eps': 1e-4}),
    ('RMSprop', {'lr': 0.01, 'centered': True}),
    ('RMSprop', {'lr': 0.005, 'momentum': 0.5}),
    ('RMSprop', {'lr': 0.005, 'centered': True, 'momentum': 0.5, 'weight_decay': 0.1}),
    ('RMSprop', {'lr': 0.005, 'maximize': True}),
    ('Rprop', {}),
    ('Rprop', {'lr': 0.02, 'etas': (0.3, 1.5), 'step_sizes': (1e-3, 0.05)}),
    ('Rprop', {'lr': 0.005, 'step_sizes': (1e-6, 0.01), 'maximize': True}),
    ('ASGD', {'lr': 0.05}),
    ('ASGD', {'lr': 0.05, 'lambd': 1e-2, 'alpha': 0.5, 't0': 10, 'weight_decay': 0.05}),
    ('ASGD', {'lr': 0.01, 't0': 5, 'maximize': True}),
    ('NAdam', {'lr': 0.01}),
    ('NAdam', {'lr': 0.01, 'momentum_decay': 1e-2, 'weight_decay': 0.1}),
    ('NAdam', {'lr': 0.005, 'weight_decay': 0.1, 'decoupled_weight_decay': True}),
    ('NAdam', {'lr': 0.005, 'betas': (0.8, 0.99), 'maximize': True}),
    ('RAdam', {'lr': 0.01}),
    ('RAdam', {'lr': 0.01, 'weight_decay': 0.1}),
    ('RAdam', {'lr': 0.01, 'weight_decay': 0.1, 'decoupled_weight_decay': True}),
    ('RAdam', {'lr': 0.005, 'betas': (0.8, 0.99), 'eps': 1e-4, 'maximize': True}),
]


@pytest.mark.parametrize('name,kwargs', CONFIGS,
                         ids=[f'{n}-{"-".join(map(str, k.items()))}' for n, k in CONFIGS])
def test_trajectory_matches_torch(name, kwargs):
    run_both(name, kwargs)


@pytest.mark.parametrize('name,kwargs', CONFIGS,
                         ids=[f'{n}-{"-".join(map(str, k.items()))}' for n, k in CONFIGS])
def test_update_rule_matches_torch_to_rounding(name, kwargs):
    run_both(name, kwargs, inject=True)


GROUPS = [{'params': [0, 1]}, {'params': [2, 3, 4], 'lr': 0.02}]


@pytest.mark.parametrize('name,kwargs,group_opts', [
    ('SGD', {'lr': 0.1, 'momentum': 0.9}, {'momentum': 0.5, 'nesterov': True}),
    ('Adam', {'lr': 0.01}, {'betas': (0.5, 0.9), 'amsgrad': True}),
    ('RMSprop', {'lr': 0.005}, {'centered': True, 'momentum': 0.3}),
    ('Adagrad', {'lr': 0.1, 'initial_accumulator_value': 0.2}, {'lr_decay': 0.1}),
    ('ASGD', {'lr': 0.05, 't0': 3}, {'lambd': 1e-3}),
])
def test_param_groups_with_own_options(name, kwargs, group_opts):
    groups = [GROUPS[0], {**GROUPS[1], **group_opts}]
    nopt, topt = run_both(name, kwargs, groups=groups)
    assert len(nopt.param_groups) == 2
    assert nopt.param_groups[1]['lr'] == 0.02


def test_float64_parameters():
    x, y = _data()
    init = [a.astype(np.float64) for a in _init()]
    nps = [numtorch.tensor(a, requires_grad=True) for a in init]
    tps = [torch.tensor(a, requires_grad=True) for a in init]
    nopt = numtorch.optim.Adam(nps, lr=0.01, amsgrad=True)
    topt = torch.optim.Adam(tps, lr=0.01, amsgrad=True)
    sides = ((nopt, numtorch, nps), (topt, torch, tps))
    for _ in range(20):
        for opt, lib, ps in sides:
            xx = lib.tensor(x, dtype=lib.float64)
            yy = lib.tensor(y, dtype=lib.float64)
            opt.zero_grad()
            _loss(lib, ps, xx, yy).backward()
            opt.step()
    for a, b in zip(nps, tps):
        assert a.dtype == numtorch.float64
        np.testing.assert_allclose(a._data, b.detach().numpy(), rtol=1e-12, atol=1e-12)
    st = nopt.state[nps[0]]
    assert st['exp_avg'].dtype == numtorch.float64
    assert st['step'].dtype == numtorch.float32


def test_step_returns_closure_loss_and_runs_it_with_grad():
    p = numtorch.tensor([1.0, -2.0], requires_grad=True)
    opt = numtorch.optim.SGD([p], lr=0.1)
    calls = []

    def closure():
        opt.zero_grad()
        calls.append(numtorch.is_grad_enabled())
        loss = (p * p).sum()
        loss.backward()
        return loss

    with numtorch.no_grad():
        loss = opt.step(closure)
    assert calls == [True]
    assert loss.item() == 5.0
    np.testing.assert_allclose(p._data, [0.8, -1.6], rtol=1e-6)
    assert opt.step() is None


def test_step_bumps_version_so_stale_graphs_fail():
    w = numtorch.tensor([1.0, 2.0], requires_grad=True)
    opt = numtorch.optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    pending = (w * w).sum()
    opt.step()
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        pending.backward()


def test_zero_grad():
    p = numtorch.tensor([1.0, 2.0], requires_grad=True)
    q = numtorch.tensor([1.0], requires_grad=True)
    opt = numtorch.optim.SGD([p, q], lr=0.1)
    (p.sum() * 3).backward()
    g = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and p.grad.tolist() == [0.0, 0.0]
    assert q.grad is None
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize('name,kwargs', CONFIGS,
                         ids=[f'{n}-{"-".join(map(str, k.items()))}' for n, k in CONFIGS])
def test_own_checkpoint_resumes_bit_for_bit(name, kwargs):
    """Save at step 25, continue to 50; then restore the step-25 weights and a fresh
    optimizer from the (deep-copied) checkpoint: the second run repeats the first exactly."""
    x, y = (numtorch.tensor(a) for a in _data())
    ps = [numtorch.tensor(a, requires_grad=True) for a in _init()]
    cls = getattr(numtorch.optim, name)
    opt = cls(ps, **kwargs)

    def train(opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            _loss(numtorch, ps, x, y).backward()
            opt.step()

    train(opt, 25)
    saved_weights = [p._data.copy() for p in ps]
    saved = copy.deepcopy(opt.state_dict())
    train(opt, 25)
    first = [p._data.copy() for p in ps]
    for p, w in zip(ps, saved_weights):
        p._data[...] = w
    resumed = cls(ps, **kwargs)
    resumed.load_state_dict(saved)
    train(resumed, 25)
    for a, b in zip(ps, first):
        np.testing.assert_array_equal(a._data, b)
