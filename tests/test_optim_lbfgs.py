"""LBFGS against torch: the same closure-driven runs give the same parameters, losses,
evaluation counts and state (history lists included).

L-BFGS amplifies last-bit differences by orders of magnitude over its inner iterations
(float32 dot products are summed in a different order by NumPy's BLAS and PyTorch's MKL,
and a flipped termination test changes the evaluation count), so the full comparison of
every option runs in float64, where it stays within 1e-7 and every branch is taken alike;
the float32 runs keep to few inner iterations, where they agree within 1e-5.
"""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import numtorch
from test_optim import _data, _init, _loss, assert_state_equal, nt_to_torch, torch_to_nt


def _closure(lib, opt, ps, x, y, counter, loss_fn):
    def closure():
        counter[0] += 1
        opt.zero_grad()
        loss = loss_fn(lib, ps, x, y)
        loss.backward()
        return loss
    return closure


def run_lbfgs(kwargs, outer_steps=4, dtype=np.float64, atol=1e-7, swap_at=2):
    x, y = (a.astype(dtype) for a in _data())
    init = [a.astype(dtype) for a in _init()]
    loss_fn = _loss
    # The history scalars (al, ro) come from dot products with heavy cancellation; their
    # float32 relative error is larger than the parameters'.
    state_rtol = 1e-4 if dtype == np.float64 else 1e-3
    nps = [numtorch.tensor(a, requires_grad=True) for a in init]
    tps = [torch.tensor(a, requires_grad=True) for a in init]
    nopt = numtorch.optim.LBFGS(nps, **kwargs)
    topt = torch.optim.LBFGS(tps, **kwargs)
    assert repr(nopt) == repr(topt)
    ncount, tcount = [0], [0]
    nx, ny, tx, ty = numtorch.tensor(x), numtorch.tensor(y), torch.tensor(x), torch.tensor(y)
    for step in range(outer_steps):
        if step == swap_at:
            nsd, tsd = nopt.state_dict(), topt.state_dict()
            assert_state_equal(nsd, tsd, rtol=state_rtol, atol=atol)
            nopt = numtorch.optim.LBFGS(nps, **kwargs)
            nopt.load_state_dict(torch_to_nt(copy.deepcopy(tsd)))
            topt = torch.optim.LBFGS(tps, **kwargs)
            topt.load_state_dict(nt_to_torch(nsd))
        nloss = nopt.step(_closure(numtorch, nopt, nps, nx, ny, ncount, loss_fn))
        tloss = topt.step(_closure(torch, topt, tps, tx, ty, tcount, loss_fn))
        assert ncount == tcount, (step, ncount, tcount)
        assert isinstance(nloss, numtorch.Tensor)
        np.testing.assert_allclose(nloss.item(), tloss.item(), rtol=1e-5, atol=atol)
        for a, b in zip(nps, tps):
            np.testing.assert_allclose(a._data, b.detach().numpy(), rtol=0, atol=atol,
                                       err_msg=f'{kwargs} step {step}')
    nsd, tsd = nopt.state_dict(), topt.state_dict()
    assert_state_equal(nsd, tsd, rtol=state_rtol, atol=atol)
    return nopt, topt


CONFIGS = [
    {},
    {'lr': 0.5, 'max_iter': 5, 'history_size': 3},
    {'line_search_fn': 'strong_wolfe'},
    {'line_search_fn': 'strong_wolfe', 'max_iter': 6, 'history_size': 2, 'max_eval': 9},
    {'max_iter': 10, 'tolerance_change': 1e-3},
    {'max_iter': 10, 'tolerance_grad': 0.05},
]


@pytest.mark.parametrize('kwargs', CONFIGS)
def test_lbfgs_mlp_float64_matches_torch(kwargs):
    run_lbfgs(kwargs)


@pytest.mark.parametrize('kwargs', [
    {'lr': 0.5, 'max_iter': 4, 'history_size': 3},
    {'line_search_fn': 'strong_wolfe', 'max_iter': 3, 'history_size': 2},
])
def test_lbfgs_float32_matches_torch(kwargs):
    run_lbfgs(kwargs, outer_steps=3, dtype=np.float32, atol=1e-5, swap_at=1)


def test_lbfgs_state_holds_tensors_like_torch():
    nopt, topt = run_lbfgs({'max_iter': 3}, outer_steps=2, swap_at=-1, dtype=np.float32,
                           atol=1e-5)
    nst = nopt.state[nopt.param_groups[0]['params'][0]]
    tst = topt.state[topt.param_groups[0]['params'][0]]
    assert sorted(nst) == sorted(tst)
    assert nst['func_evals'] == tst['func_evals'] and nst['n_iter'] == tst['n_iter']
    assert isinstance(nst['d'], numtorch.Tensor) and nst['d'].shape == tst['d'].shape
    assert all(isinstance(r, numtorch.Tensor) and r.dim() == 0 for r in nst['ro'])
    assert len(nst['old_dirs']) == len(tst['old_dirs'])


def test_lbfgs_converged_start_returns_immediately():
    p = numtorch.tensor([0.0, 0.0], requires_grad=True)
    opt = numtorch.optim.LBFGS([p])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 0.0
    assert calls == [1] and p.tolist() == [0.0, 0.0]


def test_lbfgs_quadratic_converges():
    # A convex quadratic: L-BFGS with line search finds the minimiser.
    A = numtorch.tensor([[3.0, 0.5], [0.5, 1.0]], dtype=numtorch.float64)
    b = numtorch.tensor([1.0, -2.0], dtype=numtorch.float64)
    p = numtorch.zeros(2, dtype=numtorch.float64, requires_grad=True)
    opt = numtorch.optim.LBFGS([p], line_search_fn='strong_wolfe')

    def closure():
        opt.zero_grad()
        loss = 0.5 * (p @ (A @ p)) - b @ p
        loss.backward()
        return loss

    opt.step(closure)
    # PyTorch stops at the same point (its tolerance_change test), 7e-6 short of exact.
    np.testing.assert_allclose(p._data, [0.7272729726329848, -2.363643456162226],
                               rtol=1e-12)
    np.testing.assert_allclose(p._data, np.linalg.solve(A._data, b._data), atol=1e-5)
    assert opt.state[p]['func_evals'] == 6 and opt.state[p]['n_iter'] == 6


def test_lbfgs_errors():
    p = numtorch.zeros(2, requires_grad=True)
    q = numtorch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"^LBFGS doesn't support per-parameter options "
                                         r'\(parameter groups\)$'):
        numtorch.optim.LBFGS([{'params': [p]}, {'params': [q]}])
    opt = numtorch.optim.LBFGS([p])
    with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'closure'"):
        opt.step()
    with pytest.raises(ValueError, match='^Invalid learning rate: -1$'):
        numtorch.optim.LBFGS([p], lr=-1)
    bad = numtorch.optim.LBFGS([p], line_search_fn='armijo')

    def closure():
        bad.zero_grad()
        loss = ((p - 1) ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="^only 'strong_wolfe' is supported$"):
        bad.step(closure)
