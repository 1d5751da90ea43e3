"""Adafactor, Muon and SparseAdam against torch 2.13: trajectories, state_dict layout,
checkpoint round trips, argument checks and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
from numtorch.optim._muon import _bf16

SHAPES = [(6, 4), (6,), (3, 6), (2, 3, 4), ()]


def _init(shapes, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [np.asarray(rng.standard_normal(s) * 0.5, dtype=dtype) for s in shapes]


def _grads(shapes, step, dtype=np.float32):
    rng = np.random.default_rng(100 + step)
    return [np.asarray(rng.standard_normal(s), dtype=dtype) for s in shapes]


def to_torch(obj):
    if isinstance(obj, numtorch.Tensor):
        return torch.from_numpy(np.array(obj._data, copy=True))
    if isinstance(obj, dict):
        return {k: to_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_torch(v) for v in obj)
    return obj


def to_nt(obj):
    if isinstance(obj, torch.Tensor):
        return numtorch.from_numpy(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: to_nt(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_nt(v) for v in obj)
    return obj


def assert_same(nv, tv, rtol, atol, what=''):
    if isinstance(tv, torch.Tensor):
        assert isinstance(nv, numtorch.Tensor), what
        assert str(nv.dtype) == str(tv.dtype), (what, nv.dtype, tv.dtype)
        assert tuple(nv.shape) == tuple(tv.shape), what
        np.testing.assert_allclose(nv._data, tv.numpy(), rtol=rtol, atol=atol, err_msg=what)
    elif isinstance(tv, dict):
        assert list(nv) == list(tv), (what, list(nv), list(tv))
        for k in tv:
            assert_same(nv[k], tv[k], rtol, atol, f'{what}.{k}')
    elif isinstance(tv, (list, tuple)):
        assert type(nv) is type(tv) and len(nv) == len(tv), what
        for a, b in zip(nv, tv):
            assert_same(a, b, rtol, atol, what)
    else:
        assert nv == tv, (what, nv, tv)


def run_both(name, kwargs, shapes, steps=6, dtype=np.float32, rtol=1e-5, atol=1e-6,
             reload_at=3):
    """Steps both optimizers with the same gradients; after ``reload_at`` steps each side
    is rebuilt from the other side's state_dict. Checks params and state every step."""
    init = _init(shapes, dtype=dtype)
    nps = [numtorch.tensor(a, requires_grad=True) for a in init]
    tps = [torch.tensor(a, requires_grad=True) for a in init]
    nopt = getattr(numtorch.optim, name)(nps, **kwargs)
    topt = getattr(torch.optim, name)(tps, **kwargs)
    for t in range(steps):
        for p, q, g in zip(nps, tps, _grads(shapes, t, dtype)):
            p.grad = numtorch.tensor(g)
            q.grad = torch.tensor(g)
        nopt.step()
        topt.step()
        for i, (p, q) in enumerate(zip(nps, tps)):
            np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=rtol,
                                       atol=atol, err_msg=f'{name} step {t} param {i}')
        assert_same(nopt.state_dict(), topt.state_dict(), rtol, atol, name)
        if t + 1 == reload_at:
            nsd, tsd = nopt.state_dict(), topt.state_dict()
            nopt = getattr(numtorch.optim, name)(nps, **kwargs)
            topt = getattr(torch.optim, name)(tps, **kwargs)
            nopt.load_state_dict(to_nt(tsd))
            topt.load_state_dict(to_torch(nsd))
    return nopt, topt


@pytest.mark.parametrize('kwargs', [
    {},
    {'lr': 0.05, 'weight_decay': 0.1},
    {'maximize': True, 'beta2_decay': -0.5, 'd': 2.0},
    {'eps': (1e-3, 1e-2), 'foreach': False},
])
def test_adafactor_trajectory(kwargs):
    run_both('Adafactor', kwargs, SHAPES)


def test_adafactor_float64_and_tensor_lr():
    run_both('Adafactor', {}, SHAPES[:3], dtype=np.float64, rtol=1e-10, atol=1e-12)
    init = _init(SHAPES[:2])
    nps = [numtorch.tensor(a, requires_grad=True) for a in init]
    tps = [torch.tensor(a, requires_grad=True) for a in init]
    nopt = numtorch.optim.Adafactor(nps, lr=numtorch.tensor(0.02))
    topt = torch.optim.Adafactor(tps, lr=torch.tensor(0.02))
    for t in range(3):
        for p, q, g in zip(nps, tps, _grads(SHAPES[:2], t)):
            p.grad, q.grad = numtorch.tensor(g), torch.tensor(g)
        nopt.step()
        topt.step()
    for p, q in zip(nps, tps):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5)


def test_adafactor_eps1_from_first_param_dtype():
    # PyTorch fixes a missing eps1 from the first parameter's dtype for the whole group.
    init = [np.full(4, 0.5), np.full((3, 4), 0.5, np.float32)]
    grads = [np.full(4, 1e-9), np.full((3, 4), 1e-9, np.float32)]
    out = []
    for lib in (torch, numtorch):
        ps = [lib.tensor(a, requires_grad=True) for a in init]
        opt = lib.optim.Adafactor(ps)
        for p, g in zip(ps, grads):
            p.grad = lib.tensor(g)
        opt.step()
        out.append([p.detach().numpy() for p in ps])
    for a, b in zip(out[1], out[0]):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_adafactor_state_layout_and_defaults():
    p = numtorch.zeros(3, 4, requires_grad=True)
    v = numtorch.zeros(5, requires_grad=True)
    opt = numtorch.optim.Adafactor([p, v])
    topt = torch.optim.Adafactor([torch.zeros(3, 4, requires_grad=True)])
    assert opt.defaults == topt.defaults
    p.grad = numtorch.ones(3, 4)
    v.grad = numtorch.ones(5)
    opt.step()
    st = opt.state_dict()['state']
    assert list(st[0]) == ['step', 'row_var', 'col_var']
    assert tuple(st[0]['row_var'].shape) == (3, 1) and tuple(st[0]['col_var'].shape) == (1, 4)
    assert list(st[1]) == ['step', 'variance']
    assert st[0]['step'].dtype == numtorch.float32


@pytest.mark.parametrize('kwargs, msg', [
    ({'lr': -1.0}, 'Learning rate should be >= 0 but is: -1.0'),
    ({'beta2_decay': 0.5}, 'beta2_decay should be <= 0 but is: 0.5'),
    ({'eps': (-1.0, 1e-3)}, 'epsilon1 should be >= 0 but is: -1.0'),
    ({'eps': (None, -1.0)}, 'epsilon2 should be >= 0 but is: -1.0'),
    ({'d': 0.5}, 'Clipping threshold d should be >= 1 but is: 0.5'),
    ({'weight_decay': -0.1}, 'weight_decay should be >= 0 but is: -0.1'),
])
def test_adafactor_argument_errors(kwargs, msg):
    for lib in (torch, numtorch):
        with pytest.raises(ValueError) as e:
            lib.optim.Adafactor([lib.zeros(2, requires_grad=True)], **kwargs)
        assert str(e.value) == msg


def test_adafactor_foreach_true_not_supported():
    with pytest.raises(NotImplementedError, match='foreach'):
        numtorch.optim.Adafactor([numtorch.zeros(2, requires_grad=True)], foreach=True)


def test_bf16_rounding_matches_torch():
    rng = np.random.default_rng(3)
    a = np.concatenate([rng.standard_normal(2000).astype(np.float32) * 10.0 ** k
                        for k in range(-5, 6)])
    np.testing.assert_array_equal(_bf16(a), torch.from_numpy(a).bfloat16().float().numpy())
    # exact ties round to even
    ties = np.array([1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8, -1.0 - 2.0 ** -8], np.float32)
    np.testing.assert_array_equal(_bf16(ties),
                                  torch.from_numpy(ties).bfloat16().float().numpy())


@pytest.mark.parametrize('kwargs', [
    {},
    {'lr': 0.02, 'nesterov': False, 'adjust_lr_fn': 'match_rms_adamw'},
    {'momentum': 0.9, 'weight_decay': 0.0, 'ns_steps': 3, 'adjust_lr_fn': 'original'},
    {'ns_coefficients': (2.0, -1.5, 0.5)},
])
def test_muon_trajectory(kwargs):
    # bfloat16 Newton-Schulz: float accumulation order differs from PyTorch's kernels, so
    # the orthogonalised update agrees to bfloat16 precision (a few units in 2**-8).
    lr = kwargs.get('lr', 1e-3)
    run_both('Muon', kwargs, [(6, 4), (3, 8), (5, 5)], steps=5, rtol=0, atol=lr * 0.01)


def test_muon_update_is_near_orthogonal():
    p = numtorch.zeros(4, 8, requires_grad=True)
    opt = numtorch.optim.Muon([p], lr=1.0, weight_decay=0.0, momentum=0.0, nesterov=False)
    p.grad = numtorch.tensor(np.random.default_rng(0).standard_normal((4, 8)),
                             dtype=numtorch.float32)
    opt.step()
    s = np.linalg.svd(-p.detach().numpy(), compute_uv=False)
    assert np.all((s > 0.5) & (s < 1.5))


def test_muon_errors():
    for lib in (torch, numtorch):
        with pytest.raises(ValueError) as e:
            lib.optim.Muon([lib.zeros(2, 2, requires_grad=True),
                            lib.zeros(3, requires_grad=True)])
        assert str(e.value) == ('Muon only supports 2D parameters whereas we found a '
                                'parameter with size: torch.Size([3])')
        for kw, msg in [({'lr': -1.0}, 'Learning rate should be >= 0 but is: -1.0'),
                        ({'momentum': -1.0}, 'momentum should be >= 0 but is: -1.0'),
                        ({'weight_decay': -1.0}, 'weight decay should be >= 0 but is: -1.0'),
                        ({'adjust_lr_fn': 'x'},
                         'Adjust learning rate function x is not supported')]:
            with pytest.raises(ValueError) as e:
                lib.optim.Muon([lib.zeros(2, 2, requires_grad=True)], **kw)
            assert str(e.value) == msg
        p = lib.zeros(2, 2, requires_grad=True)
        opt = lib.optim.Muon([p], ns_steps=100)
        p.grad = lib.ones(2, 2)
        with pytest.raises(ValueError) as e:
            opt.step()
        assert str(e.value) == ('Number of steps must be less than 100 for computational '
                                'efficiency')
        opt = lib.optim.Muon([p], ns_coefficients=(1.0, 2.0))
        with pytest.raises(ValueError) as e:
            opt.step()
        assert str(e.value) == 'Coefficients must be a tuple of exactly 3 values'


def test_sparse_adam():
    for lib in (torch, numtorch):
        p = lib.zeros(3, requires_grad=True)
        q = lib.zeros(2, requires_grad=True)
        opt = lib.optim.SparseAdam([p, q], lr=0.1)
        assert opt.step(lambda: 1.5) == 1.5  # no gradients: nothing happens
        assert opt.state_dict()['state'] == {}
        assert opt.state_dict()['param_groups'] == [
            {'lr': 0.1, 'betas': (0.9, 0.999), 'eps': 1e-8, 'maximize': False,
             'params': [0, 1]}]
        q.grad = lib.ones(2)
        with pytest.raises(RuntimeError) as e:
            opt.step()
        assert str(e.value) == ('SparseAdam does not support dense gradients, please '
                                'consider Adam instead')
        for kw, msg in [({'lr': 0.0}, 'Invalid learning rate: 0.0'),
                        ({'eps': 0.0}, 'Invalid epsilon value: 0.0'),
                        ({'betas': (1.0, 0.9)}, 'Invalid beta parameter at index 0: 1.0'),
                        ({'betas': (0.9, -0.1)}, 'Invalid beta parameter at index 1: -0.1')]:
            with pytest.raises(ValueError) as e:
                lib.optim.SparseAdam([p], **kw)
            assert str(e.value) == msg
        with pytest.raises(ValueError) as e:
            lib.optim.SparseAdam([p], lr=lib.tensor([0.1, 0.2]))
        assert str(e.value) == 'Tensor lr must be 1-element'
