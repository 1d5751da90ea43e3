"""Every scheduler's learning rates (and cycled momenta) over 100 epochs equal PyTorch's,
with several parameter groups, mid-run state_dict round trips and the error messages."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import numtorch

EPOCHS = 100


def _optimizers(opt_name='SGD', groups=2, **kw):
    """The same optimizer over two parameter groups (lr 0.1 and 0.05) in both libraries."""
    kw = {'lr': 0.1, **({'momentum': 0.9} if opt_name == 'SGD' else {}), **kw}
    out = []
    for lib in (numtorch, torch):
        ps = [lib.zeros(2, requires_grad=True) for _ in range(groups)]
        spec = [{'params': [ps[0]]}] + [{'params': [p], 'lr': 0.05} for p in ps[1:]]
        out.append(getattr(lib.optim, opt_name)(spec, **kw))
    return out


def _make(lib, opt, spec):
    name, args = spec
    sch = lib.optim.lr_scheduler
    if name == 'SequentialLR':
        return sch.SequentialLR(opt, [sch.LinearLR(opt, 0.2, total_iters=10),
                                      sch.ExponentialLR(opt, 0.95),
                                      sch.StepLR(opt, 7, 0.5)], milestones=[10, 40])
    if name == 'ChainedScheduler':
        return sch.ChainedScheduler([sch.ConstantLR(opt, 0.5, total_iters=5),
                                     sch.ExponentialLR(opt, 0.97),
                                     sch.CosineAnnealingLR(opt, 30, 1e-3)])
    return getattr(sch, name)(opt, **args)


SCHEDULERS = [
    ('StepLR', {'step_size': 7}),
    ('StepLR', {'step_size': 3, 'gamma': 0.7}),
    ('MultiStepLR', {'milestones': [10, 30, 30, 70], 'gamma': 0.5}),
    ('ExponentialLR', {'gamma': 0.97}),
    ('LambdaLR', {'lr_lambda': lambda e: 1 / (1 + e)}),
    ('LambdaLR', {'lr_lambda': [lambda e: 0.99 ** e, lambda e: (e % 5 + 1) / 5]}),
    ('MultiplicativeLR', {'lr_lambda': lambda e: 0.98 if e % 3 else 1.01}),
    ('CosineAnnealingLR', {'T_max': 30}),
    ('CosineAnnealingLR', {'T_max': 17, 'eta_min': 1e-3}),
    ('CosineAnnealingWarmRestarts', {'T_0': 10}),
    ('CosineAnnealingWarmRestarts', {'T_0': 5, 'T_mult': 2, 'eta_min': 1e-4}),
    ('LinearLR', {}),
    ('LinearLR', {'start_factor': 0.1, 'end_factor': 0.8, 'total_iters': 40}),
    ('ConstantLR', {}),
    ('ConstantLR', {'factor': 0.25, 'total_iters': 12}),
    ('PolynomialLR', {'total_iters': 60, 'power': 2.0}),
    ('OneCycleLR', {'max_lr': 1.0, 'total_steps': EPOCHS + 1}),
    ('OneCycleLR', {'max_lr': [1.0, 0.5], 'epochs': 10, 'steps_per_epoch': 11,
                    'anneal_strategy': 'linear', 'pct_start': 0.25}),
    ('OneCycleLR', {'max_lr': 0.3, 'total_steps': EPOCHS + 1, 'three_phase': True,
                    'div_factor': 10.0, 'final_div_factor': 100.0}),
    ('OneCycleLR', {'max_lr': 0.3, 'total_steps': EPOCHS + 1, 'cycle_momentum': False}),
    ('CyclicLR', {'base_lr': 0.01, 'max_lr': 0.1, 'step_size_up': 7}),
    ('CyclicLR', {'base_lr': [0.01, 0.02], 'max_lr': 0.1, 'step_size_up': 5,
                  'step_size_down': 9, 'mode': 'triangular2'}),
    ('CyclicLR', {'base_lr': 0.01, 'max_lr': 0.1, 'step_size_up': 6, 'mode': 'exp_range',
                  'gamma': 0.98, 'base_momentum': 0.7, 'max_momentum': 0.95}),
    ('CyclicLR', {'base_lr': 0.01, 'max_lr': 0.1, 'step_size_up': 4,
                  'scale_fn': lambda x: 0.5 ** x, 'scale_mode': 'iterations',
                  'cycle_momentum': False}),
    ('SequentialLR', None),
    ('ChainedScheduler', None),
]


def _groups_view(opt):
    keys = ('lr', 'momentum', 'betas', 'initial_lr', 'max_lr', 'min_lr', 'max_momentum',
            'base_momentum')
    return [{k: g[k] for k in keys if k in g} for g in opt.param_groups]


def _run(spec, opt_name='SGD', round_trip_at=None):
    nopt, topt = _optimizers(opt_name)
    nsch = _make(numtorch, nopt, spec)
    tsch = _make(torch, topt, spec)
    assert nsch.get_last_lr() == tsch.get_last_lr()
    for epoch in range(EPOCHS):
        nopt.step()
        topt.step()
        nsch.step()
        tsch.step()
        # The same Python float arithmetic in the same order: exactly equal.
        assert nsch.get_last_lr() == tsch.get_last_lr(), (spec, epoch)
        assert _groups_view(nopt) == _groups_view(topt), (spec, epoch)
        assert getattr(nsch, "last_epoch", None) == getattr(tsch, "last_epoch", None)
        if epoch == round_trip_at:
            sd = nsch.state_dict()
            tsd = tsch.state_dict()
            assert sorted(sd) == sorted(tsd)
            fresh_opt, _ = _optimizers(opt_name)
            nsch = _make(numtorch, fresh_opt, spec)
            nsch.load_state_dict(sd)
            fresh_opt.load_state_dict(nopt.state_dict())
            nopt = fresh_opt
            if hasattr(nsch, '_schedulers'):
                for s in nsch._schedulers:
                    s.optimizer = nopt


IDS = [f'{n}{i}' for i, (n, _) in enumerate(SCHEDULERS)]
# Plain functions (lambdas, scale_fn) are not saved in state dicts, as in PyTorch.
SAVABLE = [s for s in SCHEDULERS if s[0] not in ('LambdaLR', 'MultiplicativeLR')
           and not (s[0] == 'CyclicLR' and 'scale_fn' in s[1])]


@pytest.mark.parametrize('spec', SCHEDULERS, ids=IDS)
def test_lr_sequence_matches_torch(spec):
    _run(spec)


@pytest.mark.parametrize('spec', SAVABLE, ids=lambda s: s[0])
def test_state_dict_round_trip_continues_the_sequence(spec):
    _run(spec, round_trip_at=37)


@pytest.mark.parametrize('spec', [
    ('OneCycleLR', {'max_lr': 0.01, 'total_steps': EPOCHS + 1}),
    ('CyclicLR', {'base_lr': 0.001, 'max_lr': 0.01, 'step_size_up': 7,
                  'base_momentum': 0.8, 'max_momentum': 0.95}),
], ids=lambda s: s[0])
def test_momentum_cycling_drives_adam_beta1(spec):
    _run(spec, opt_name='Adam')


def test_state_dict_layout_matches_torch():
    nopt, topt = _optimizers()
    nsch = numtorch.optim.lr_scheduler.StepLR(nopt, 3)
    tsch = torch.optim.lr_scheduler.StepLR(topt, 3)
    assert nsch.state_dict() == tsch.state_dict()
    nopt.step()
    topt.step()
    for _ in range(5):
        nsch.step()
        tsch.step()
    assert nsch.state_dict() == tsch.state_dict()
    assert nopt.state_dict()['param_groups'] == topt.state_dict()['param_groups']


@pytest.mark.parametrize('kwargs', [
    {},
    {'mode': 'max', 'factor': 0.5, 'patience': 2},
    {'threshold_mode': 'abs', 'threshold': 0.01, 'patience': 3, 'cooldown': 2},
    {'mode': 'max', 'threshold_mode': 'abs', 'threshold': 0.05, 'patience': 1,
     'min_lr': [0.01, 0.002]},
    {'patience': 0, 'factor': 0.9, 'min_lr': 0.03, 'eps': 1e-3},
])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    nopt, topt = _optimizers()
    nsch = numtorch.optim.lr_scheduler.ReduceLROnPlateau(nopt, **kwargs)
    tsch = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
    rng = np.random.default_rng(0)
    # Falling then plateauing, noisy losses; also fed as 0-dim tensors.
    losses = 1 / (1 + np.arange(EPOCHS) / 10) + rng.uniform(0, 0.05, EPOCHS)
    losses[40:] = losses[40]
    for epoch, loss in enumerate(losses):
        nsch.step(numtorch.tensor(loss) if epoch % 2 else float(loss))
        tsch.step(torch.tensor(loss) if epoch % 2 else float(loss))
        assert nsch.get_last_lr() == tsch.get_last_lr(), epoch
        assert (nsch.num_bad_epochs, nsch.cooldown_counter, nsch.best) == (
            tsch.num_bad_epochs, tsch.cooldown_counter, tsch.best)
    assert nsch.state_dict() == {k: v for k, v in tsch.state_dict().items()}


def test_scheduler_step_before_optimizer_step_warns_like_torch():
    for lib in (numtorch, torch):
        opt, _ = _optimizers()
        if lib is torch:
            _, opt = _optimizers()
        s = lib.optim.lr_scheduler.StepLR(opt, 3)
        with pytest.warns(UserWarning, match='^Detected call of `lr_scheduler.step\\(\\)` '
                                             'before `optimizer.step\\(\\)`'):
            s.step()
        opt.step()
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            s.step()
    opt, _ = _optimizers()
    s = numtorch.optim.lr_scheduler.StepLR(opt, 3)
    opt.step = lambda closure=None: None
    with pytest.warns(UserWarning, match='^Seems like `optimizer.step\\(\\)` has been '
                                         'overridden'):
        s.step()


def test_closed_form_with_explicit_epoch():
    nopt, topt = _optimizers()
    ns = numtorch.optim.lr_scheduler.StepLR(nopt, 4, 0.5)
    ts = torch.optim.lr_scheduler.StepLR(topt, 4, 0.5)
    nopt.step()
    topt.step()
    for e in (9, 3, 17):
        with pytest.warns(UserWarning, match='The epoch parameter'):
            ns.step(e)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            ts.step(e)
        assert ns.get_last_lr() == ts.get_last_lr()


def test_warm_restarts_fractional_epochs():
    nopt, topt = _optimizers()
    ns = numtorch.optim.lr_scheduler.CosineAnnealingWarmRestarts(nopt, 5, 2)
    ts = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(topt, 5, 2)
    nopt.step()
    topt.step()
    for e in np.arange(0, 40, 0.37):
        ns.step(float(e))
        ts.step(float(e))
        assert ns.get_last_lr() == ts.get_last_lr()
    with pytest.raises(ValueError, match='^Expected non-negative epoch, but got -1$'):
        ns.step(-1)


def test_get_lr_outside_step_warns():
    nopt, _ = _optimizers()
    s = numtorch.optim.lr_scheduler.StepLR(nopt, 3)
    with pytest.warns(UserWarning, match='please use `get_last_lr\\(\\)`'):
        s.get_lr()


def test_resume_needs_initial_lr():
    nopt, _ = _optimizers()
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in "
                                       "param_groups\\[0\\]"):
        numtorch.optim.lr_scheduler.StepLR(nopt, 3, last_epoch=5)
    s = numtorch.optim.lr_scheduler.ExponentialLR(nopt, 0.9)
    nopt.step()
    s.step()
    r = numtorch.optim.lr_scheduler.ExponentialLR(nopt, 0.9, last_epoch=1)
    assert r.last_epoch == 2 and r.base_lrs == [0.1, 0.05]


def test_tensor_lr_is_filled_in_place():
    lr = numtorch.tensor(0.1)
    p = numtorch.zeros(2, requires_grad=True)
    opt = numtorch.optim.SGD([p], lr=lr)
    s = numtorch.optim.lr_scheduler.ExponentialLR(opt, 0.5)
    opt.step()
    s.step()
    assert opt.param_groups[0]['lr'] is lr
    assert lr.item() == pytest.approx(0.05)
    assert isinstance(s.get_last_lr()[0], numtorch.Tensor)


def test_scheduler_errors_match_torch():
    nopt, topt = _optimizers()
    pairs = [
        (lambda lib, o: lib.optim.lr_scheduler.StepLR('sgd', 3), TypeError),
        (lambda lib, o: lib.optim.lr_scheduler.ConstantLR(o, factor=1.5), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, start_factor=0), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, end_factor=2), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, [lambda e: 1]), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.MultiplicativeLR(o, [1, 2]), TypeError),
        (lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, mode='avg'), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, threshold_mode='x'),
         ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]),
         ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, 0.1, 1.0, mode='sine'),
         ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, [0.1], 1.0), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, 0), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, 3, 1.5),
         ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, 1.0), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, 1.0, total_steps=0), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, 1.0, epochs=2,
                                                          steps_per_epoch=-1), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, 1.0, 10, pct_start=1),
         ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, 1.0, 10, anneal_strategy='x'),
         ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.SequentialLR(o, [], []), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.SequentialLR(
            o, [lib.optim.lr_scheduler.StepLR(o, 2)], [3]), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.SequentialLR(
            o, [lib.optim.lr_scheduler.ReduceLROnPlateau(o)], []), ValueError),
        (lambda lib, o: lib.optim.lr_scheduler.ChainedScheduler([]), ValueError),
    ]
    for make, exc in pairs:
        with pytest.raises(exc) as tinfo:
            make(torch, topt)
        with pytest.raises(exc) as ninfo:
            make(numtorch, nopt)
        assert str(ninfo.value) == str(tinfo.value)


def test_cycle_momentum_needs_momentum_option():
    for lib in (numtorch, torch):
        p = lib.zeros(1, requires_grad=True)
        opt = lib.optim.Adagrad([p])
        with pytest.raises(ValueError, match='^optimizer must support momentum or beta1 with '
                                             '`cycle_momentum` option enabled$'):
            lib.optim.lr_scheduler.CyclicLR(opt, 0.1, 1.0)
        with pytest.raises(ValueError, match='optimizer must support momentum'):
            lib.optim.lr_scheduler.OneCycleLR(opt, 1.0, 10)


def test_one_cycle_steps_past_total_raise():
    nopt, _ = _optimizers()
    s = numtorch.optim.lr_scheduler.OneCycleLR(nopt, 1.0, total_steps=3)
    nopt.step()
    for _ in range(3):
        s.step()
    with pytest.raises(ValueError, match='^Tried to step 4 times. The specified number of '
                                         'total steps is 3$'):
        s.step()


def test_scheduler_reads_initial_lr_from_first_scheduler():
    # Two schedulers on one optimizer share initial_lr (setdefault) like torch.
    nopt, topt = _optimizers()
    for lib, opt in ((numtorch, nopt), (torch, topt)):
        first = lib.optim.lr_scheduler.ExponentialLR(opt, 0.5)
        opt.step()
        first.step()
        lib.optim.lr_scheduler.StepLR(opt, 2)
    assert _groups_view(nopt) == _groups_view(topt)
    assert math.isclose(nopt.param_groups[0]['lr'], 0.05)
