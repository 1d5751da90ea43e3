"""nn.utils.parametrize, parametrizations.weight_norm/spectral_norm and the older hook-based
weight_norm/spectral_norm, against PyTorch: outputs, gradients of the original tensors,
power-iteration buffers (drawn from the shared random stream), state dicts, repr, errors."""
from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
from numtorch.autograd import gradcheck
from test_nn_conv import same_error

RNG = np.random.default_rng(21)
P_NT, P_PT = nn.utils.parametrize, torch.nn.utils.parametrize


def pair(make):
    """The same module built in both libraries from the same seed."""
    numtorch.manual_seed(5)
    torch.manual_seed(5)
    return make(numtorch), make(torch)


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def same_state(m_nt, m_pt, tol=1e-5):
    s_nt, s_pt = m_nt.state_dict(), m_pt.state_dict()
    assert list(s_nt) == list(s_pt)
    for k in s_pt:
        close(s_nt[k], s_pt[k], tol)


def train_steps(m_nt, m_pt, shape, steps=3, mode='train'):
    """A few forward/backward/SGD steps in both; outputs and gradients compared each time."""
    for lib, m in ((numtorch, m_nt), (torch, m_pt)):
        getattr(m, mode)()
    o_nt = numtorch.optim.SGD(m_nt.parameters(), lr=0.1)
    o_pt = torch.optim.SGD(m_pt.parameters(), lr=0.1)
    for _ in range(steps):
        x = RNG.standard_normal(shape).astype(np.float32)
        y_nt, y_pt = m_nt(numtorch.tensor(x)), m_pt(torch.tensor(x))
        close(y_nt, y_pt)
        g = RNG.standard_normal(tuple(y_pt.shape)).astype(np.float32)
        o_nt.zero_grad()
        o_pt.zero_grad()
        y_nt.backward(numtorch.tensor(g))
        y_pt.backward(torch.tensor(g))
        for (n1, p1), (n2, p2) in zip(m_nt.named_parameters(), m_pt.named_parameters()):
            assert n1 == n2
            close(p1.grad, p2.grad, 1e-4)
        o_nt.step()
        o_pt.step()
    same_state(m_nt, m_pt, 1e-4)


# -- weight norm and spectral norm as parametrizations ---------------------------------------
MODULES = [('linear', lambda lib: lib.nn.Linear(5, 4), (3, 5)),
           ('conv', lambda lib: lib.nn.Conv2d(2, 3, 3), (2, 2, 5, 5)),
           ('convT', lambda lib: lib.nn.ConvTranspose2d(2, 3, 3), (2, 2, 4, 4))]


@pytest.mark.parametrize('dim', [0, 1, None])
@pytest.mark.parametrize('name,make,shape', MODULES, ids=[m[0] for m in MODULES])
def test_weight_norm_parametrization(name, make, shape, dim):
    m_nt, m_pt = pair(make)
    nn.utils.parametrizations.weight_norm(m_nt, dim=dim)
    torch.nn.utils.parametrizations.weight_norm(m_pt, dim=dim)
    assert repr(m_nt) == repr(m_pt)
    same_state(m_nt, m_pt)
    assert m_nt.weight.grad_fn.name() == m_pt.weight.grad_fn.name()
    train_steps(m_nt, m_pt, shape)


@pytest.mark.parametrize('mode', ['train', 'eval'])
@pytest.mark.parametrize('name,make,shape', MODULES, ids=[m[0] for m in MODULES])
def test_spectral_norm_parametrization(name, make, shape, mode):
    m_nt, m_pt = pair(make)
    numtorch.manual_seed(9)
    torch.manual_seed(9)
    nn.utils.parametrizations.spectral_norm(m_nt, n_power_iterations=2)
    torch.nn.utils.parametrizations.spectral_norm(m_pt, n_power_iterations=2)
    assert repr(m_nt) == repr(m_pt)
    same_state(m_nt, m_pt)
    train_steps(m_nt, m_pt, shape, mode=mode)


def test_spectral_norm_of_a_vector_and_errors():
    for lib in (numtorch, torch):
        m = lib.nn.Module()
        m.register_parameter('w', lib.nn.Parameter(lib.tensor([3.0, 4.0])))
        lib.nn.utils.parametrizations.spectral_norm(m, 'w')
        np.testing.assert_allclose(m.w.detach().numpy(), [0.6, 0.8], rtol=1e-6)
    same_error(lambda: nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), 'nope'),
               lambda: torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(2, 2),
                                                                     'nope'))
    same_error(lambda: nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), dim=2),
               lambda: torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(2, 2),
                                                                     dim=2))
    same_error(lambda: nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2),
                                                               n_power_iterations=0),
               lambda: torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(2, 2),
                                                                     n_power_iterations=0))


def test_old_weight_norm_keys_load_into_the_parametrization():
    m_old, _ = pair(lambda lib: lib.nn.Linear(3, 2))
    with pytest.warns(FutureWarning, match='deprecated in favor of'):
        nn.utils.weight_norm(m_old)
    m_new = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))
    m_new.load_state_dict(m_old.state_dict())
    v = m_old.weight_v
    close(m_new.weight, v * (m_old.weight_g / v.norm(dim=1, keepdim=True)))


# -- the hook-based forms ------------------------------------------------------------------
@pytest.mark.parametrize('dim', [0, None])
@pytest.mark.parametrize('name,make,shape', MODULES[:2], ids=[m[0] for m in MODULES[:2]])
def test_old_weight_norm(name, make, shape, dim):
    m_nt, m_pt = pair(make)
    with warnings.catch_warnings(record=True) as w_nt:
        warnings.simplefilter('always')
        nn.utils.weight_norm(m_nt, dim=dim)
    with warnings.catch_warnings(record=True) as w_pt:
        warnings.simplefilter('always')
        torch.nn.utils.weight_norm(m_pt, dim=dim)
    assert [str(w.message) for w in w_nt] == [str(w.message) for w in w_pt]
    assert repr(m_nt) == repr(m_pt)
    same_state(m_nt, m_pt)
    train_steps(m_nt, m_pt, shape)
    nn.utils.remove_weight_norm(m_nt)
    torch.nn.utils.remove_weight_norm(m_pt)
    same_state(m_nt, m_pt, 1e-4)
    same_error(lambda: nn.utils.remove_weight_norm(m_nt),
               lambda: torch.nn.utils.remove_weight_norm(m_pt))


@pytest.mark.parametrize('mode', ['train', 'eval'])
@pytest.mark.parametrize('name,make,shape', MODULES, ids=[m[0] for m in MODULES])
def test_old_spectral_norm(name, make, shape, mode):
    m_nt, m_pt = pair(make)
    nn.utils.spectral_norm(m_nt)
    torch.nn.utils.spectral_norm(m_pt)
    same_state(m_nt, m_pt)
    assert m_nt.state_dict()._metadata[''] == m_pt.state_dict()._metadata['']
    train_steps(m_nt, m_pt, shape, mode=mode)
    # a state dict round trip keeps u, v and the original weight
    m2 = make(numtorch)
    nn.utils.spectral_norm(m2)
    m2.load_state_dict(m_nt.state_dict())
    same_state(m2, m_pt, 1e-4)
    nn.utils.remove_spectral_norm(m_nt)
    torch.nn.utils.remove_spectral_norm(m_pt)
    same_state(m_nt, m_pt, 1e-4)
    same_error(lambda: nn.utils.remove_spectral_norm(m_nt),
               lambda: torch.nn.utils.remove_spectral_norm(m_pt))


def test_old_hooks_refuse_a_second_registration():
    for lib in (numtorch, torch):
        m = lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2))
        with pytest.raises(RuntimeError, match='Cannot register two spectral_norm hooks'):
            lib.nn.utils.spectral_norm(m)


# -- register_parametrization --------------------------------------------------------------
def symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(-1, -2)

        def right_inverse(self, a):
            return a.triu()
    return Symmetric()


def scaled(lib):
    class Scale(lib.nn.Module):
        def forward(self, x):
            return 2 * x

        def right_inverse(self, a):
            return a / 2
    return Scale()


def chained_pair():
    m_nt, m_pt = pair(lambda lib: lib.nn.Linear(3, 3))
    for lib, m, P in ((numtorch, m_nt, P_NT), (torch, m_pt, P_PT)):
        P.register_parametrization(m, 'weight', symmetric(lib))
        P.register_parametrization(m, 'weight', scaled(lib))
    return m_nt, m_pt


def test_register_chain_and_assign():
    m_nt, m_pt = chained_pair()
    for lib, m, P in ((numtorch, m_nt, P_NT), (torch, m_pt, P_PT)):
        assert P.is_parametrized(m) and P.is_parametrized(m, 'weight')
        assert not P.is_parametrized(m, 'bias')
        assert P.type_before_parametrizations(m) is lib.nn.Linear
    assert repr(m_nt) == repr(m_pt)
    same_state(m_nt, m_pt)
    close(m_nt.weight, m_pt.weight)
    close(m_nt.weight, m_nt.weight.T)
    train_steps(m_nt, m_pt, (4, 3))
    x = RNG.standard_normal((3, 3)).astype(np.float32)
    x = x + x.T
    m_nt.weight = numtorch.tensor(x)
    m_pt.weight = torch.tensor(x)
    close(m_nt.weight, m_pt.weight)
    same_state(m_nt, m_pt)
    c_nt = copy.deepcopy(m_nt)
    assert c_nt.parametrizations.weight.original is not m_nt.parametrizations.weight.original
    close(c_nt.weight, m_nt.weight)


@pytest.mark.parametrize('keep', [True, False])
def test_remove_parametrizations(keep):
    m_nt, m_pt = chained_pair()
    train_steps(m_nt, m_pt, (4, 3))
    P_NT.remove_parametrizations(m_nt, 'weight', leave_parametrized=keep)
    P_PT.remove_parametrizations(m_pt, 'weight', leave_parametrized=keep)
    assert type(m_nt) is nn.Linear and repr(m_nt) == repr(m_pt)
    assert isinstance(m_nt.weight, nn.Parameter)
    same_state(m_nt, m_pt, 1e-4)
    same_error(lambda: P_NT.remove_parametrizations(nn.Linear(2, 2), 'weight'),
               lambda: P_PT.remove_parametrizations(torch.nn.Linear(2, 2), 'weight'))


def test_optimizer_built_before_keeps_training_the_original():
    m = nn.Linear(2, 2)
    opt = numtorch.optim.SGD(m.parameters(), lr=1.0)
    w = m.weight
    P_NT.register_parametrization(m, 'weight', symmetric(numtorch))
    assert m.parametrizations.weight.original is w
    m(numtorch.ones(1, 2)).sum().backward()
    before = w.detach().clone()
    opt.step()
    assert not numtorch.equal(before, w.detach())


def test_cached_computes_once():
    calls = []

    class Counting(nn.Module):
        def forward(self, x):
            calls.append(1)
            return x * 1

    m = P_NT.register_parametrization(nn.Linear(2, 2), 'weight', Counting())
    calls.clear()
    with P_NT.cached():
        a, b = m.weight, m.weight
    assert a is b and len(calls) == 1
    m.weight
    assert len(calls) == 2


def test_errors_match_torch():
    def shape_change(lib):
        class Flatten(lib.nn.Module):
            def forward(self, x):
                return x.flatten()
        return Flatten()

    def dtype_change(lib):
        class Double(lib.nn.Module):
            def forward(self, x):
                return x.double()
        return Double()

    for make in (shape_change, dtype_change):
        same_error(lambda: P_NT.register_parametrization(nn.Linear(2, 2), 'weight',
                                                         make(numtorch)),
                   lambda: P_PT.register_parametrization(torch.nn.Linear(2, 2), 'weight',
                                                         make(torch)))
        # and as a second parametrization of the same tensor
        sym_nt = P_NT.register_parametrization(nn.Linear(2, 2), 'weight', symmetric(numtorch))
        sym_pt = P_PT.register_parametrization(torch.nn.Linear(2, 2), 'weight',
                                               symmetric(torch))
        same_error(lambda: P_NT.register_parametrization(sym_nt, 'weight', make(numtorch)),
                   lambda: P_PT.register_parametrization(sym_pt, 'weight', make(torch)))
    m_nt = P_NT.register_parametrization(nn.Linear(2, 2), 'weight', shape_change(numtorch),
                                         unsafe=True)
    m_pt = P_PT.register_parametrization(torch.nn.Linear(2, 2), 'weight', shape_change(torch),
                                         unsafe=True)
    assert tuple(m_nt.weight.shape) == tuple(m_pt.weight.shape) == (4,)
    same_error(lambda: P_NT.register_parametrization(nn.Linear(2, 2), 'nope',
                                                     symmetric(numtorch)),
               lambda: P_PT.register_parametrization(torch.nn.Linear(2, 2), 'nope',
                                                     symmetric(torch)))
    with pytest.raises(RuntimeError, match='only supported through state_dict'):
        pickle.dumps(P_NT.register_parametrization(nn.Linear(2, 2), 'weight',
                                                   symmetric(numtorch)))


def test_transfer_parametrizations_and_params():
    src = P_NT.register_parametrization(nn.Linear(3, 3), 'weight', symmetric(numtorch))
    dst = P_NT.transfer_parametrizations_and_params(src, nn.Linear(3, 3))
    assert dst.parametrizations.weight.original is src.parametrizations.weight.original
    close(dst.weight, src.weight)


def test_weight_norm_gradcheck():
    v = numtorch.tensor(RNG.standard_normal((3, 4, 2)), requires_grad=True)
    for dim, gshape in ((0, (3, 1, 1)), (2, (1, 1, 2)), (1, (1, 4, 1)), (-1, ())):
        g = numtorch.tensor(RNG.standard_normal(gshape), requires_grad=True)
        assert gradcheck(lambda a, b: numtorch._weight_norm(a, b, dim), (v, g))
        assert numtorch.autograd.gradgradcheck(lambda a, b: numtorch._weight_norm(a, b, dim),
                                               (v, g))
        ref = torch._weight_norm(torch.tensor(v.detach().numpy()),
                                 torch.tensor(g.detach().numpy()), dim)
        close(numtorch._weight_norm(v, g, dim), ref, 1e-12)
        n_nt = numtorch.norm_except_dim(v, 2, dim)
        n_pt = torch.norm_except_dim(torch.tensor(v.detach().numpy(), requires_grad=True), 2,
                                     dim)
        close(n_nt, n_pt, 1e-12)
        assert n_nt.grad_fn.name() == n_pt.grad_fn.name()
    same_error(lambda: numtorch._weight_norm(v, g, 3),
               lambda: torch._weight_norm(torch.tensor(v.detach().numpy()),
                                          torch.tensor(g.detach().numpy()), 3))
