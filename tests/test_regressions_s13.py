"""Regressions found in session 13, each checked against torch."""
import numpy as np
import pytest
import torch

import numtorch


def test_repr_drops_the_node_namespace():
    a = np.array([[4.0, 1.0], [1.0, 3.0]])
    tn = numtorch.tensor(a, requires_grad=True)
    tt = torch.tensor(a, requires_grad=True)
    ln = numtorch.linalg.ldl_factor(tn)[0]
    lt = torch.linalg.ldl_factor(tt)[0]
    assert ln.grad_fn.name() == lt.grad_fn.name() == 'torch::autograd::NotImplemented'
    assert repr(ln) == repr(lt)


def _sdpa_outcome(lib, sdpa_kernel, backends, q):
    import warnings
    with warnings.catch_warnings(record=True) as got, sdpa_kernel(backends):
        warnings.simplefilter('always')
        try:
            out = lib.nn.functional.scaled_dot_product_attention(q, q, q)
            result = ('ok', tuple(out.shape), out.detach().numpy())
        except RuntimeError as e:
            result = ('error', str(e), None)
    return result, [str(w.message).split(' (Triggered')[0] for w in got]


def test_sdpa_kernel_selection_reaches_scaled_dot_product_attention():
    from numtorch.nn.attention import sdpa_kernel as nk, SDPBackend as NB
    from torch.nn.attention import sdpa_kernel as tk, SDPBackend as TB
    q = np.random.default_rng(0).standard_normal((2, 3, 4, 8)).astype(np.float32)
    for shape in (q, q[0]):
        for nb, tb in (([NB.FLASH_ATTENTION], [TB.FLASH_ATTENTION]), ([], []),
                       ([NB.MATH], [TB.MATH])):
            (rn, wn) = _sdpa_outcome(numtorch, nk, nb, numtorch.tensor(shape))
            (rt, wt) = _sdpa_outcome(torch, tk, tb, torch.tensor(shape))
            assert rn[:2] == rt[:2] and wn == wt
            if rn[0] == 'ok':
                np.testing.assert_allclose(rn[2], rt[2], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('case', ['embedding', 'bag_offsets', 'bag_input', 'put', 'put_acc'])
def test_index_changed_in_place_before_backward(case):
    def run(lib):
        F = lib.nn.functional
        w = lib.arange(15.).reshape(5, 3).requires_grad_()
        i = lib.tensor([1, 2, 1])
        if case == 'embedding':
            y, bump = F.embedding(i, w), i
        elif case.startswith('bag'):
            o = lib.tensor([0, 2])
            y = F.embedding_bag(i, w, o)
            bump = o if case == 'bag_offsets' else i
        else:
            x = w.reshape(-1)
            y, bump = x.put(i[:2], lib.tensor([5., 6.]), accumulate=case == 'put_acc'), i
        bump.add_(0)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        return str(e.value)
    assert run(numtorch) == run(torch)


def _complex_draws():
    cases = []
    for cd in ('cfloat', 'cdouble'):
        for n in (1, 3, 8, 9, 20):
            cases += [
                lambda L, n=n, cd=cd: L.randn(n, dtype=getattr(L, cd)),
                lambda L, n=n, cd=cd: L.rand(n, 2, dtype=getattr(L, cd)),
                lambda L, n=n, cd=cd: L.zeros(n, 3, dtype=getattr(L, cd)).normal_(0.5, 2.0),
                lambda L, n=n, cd=cd: L.zeros(3, n, dtype=getattr(L, cd)).t().normal_(),
                lambda L, n=n, cd=cd: L.zeros(n, 3, dtype=getattr(L, cd)).uniform_(-1, 2),
                lambda L, n=n, cd=cd: L.randn_like(L.zeros(3, n, dtype=getattr(L, cd)).t()),
                lambda L, n=n, cd=cd: L.rand_like(L.zeros(3, n, dtype=getattr(L, cd)).t())]
    return cases


@pytest.mark.parametrize('i', range(len(_complex_draws())))
def test_complex_random_draws_equal_torch(i):
    fn = _complex_draws()[i]
    torch.manual_seed(3)
    a, ta = fn(torch), torch.rand(2)
    numtorch.manual_seed(3)
    b, tb = fn(numtorch), numtorch.rand(2)
    assert str(a.dtype) == str(b.dtype) and a.stride() == b.stride()
    assert np.array_equal(a.numpy(), b.numpy()) and np.array_equal(ta.numpy(), tb.numpy())


def test_dirichlet_double_backward_error_node_as_torch():
    def run(lib):
        c = lib.tensor([1., 2., 3.], requires_grad=True)
        lib.manual_seed(0)
        x = lib.distributions.Dirichlet(c).rsample()
        w = lib.ones(3, requires_grad=True)
        g, = lib.autograd.grad((x * w).sum(), c, create_graph=True)
        nxt = [type(f).__name__ for f, _ in g.grad_fn.next_functions]
        with pytest.raises(RuntimeError) as e:
            g.sum().backward()
        return g.grad_fn.name(), nxt, str(e.value)
    assert run(numtorch) == run(torch)


def _setitem_keys(L):
    t = L.tensor
    return [0, (slice(None), 1), t([0, 1]), t([True, False, True]), [0, 2], (Ellipsis, 0),
            (None, 1), (slice(0, 2), t([1, 0])), np.array([0, 1]), -1, slice(1, None, 2),
            (slice(0, 3), t([1, 0])), (slice(None), t([1, 0])), (0, t([1, 0])),
            (None, t([1, 0])), (Ellipsis, t([1, 0])), (t([1, 0]), slice(0, 1)), (t([1, 0]), 0),
            (slice(-3, None), t([1])), (t([True, False, True]), slice(None), slice(0, 1)),
            (Ellipsis, t([1, 0]), slice(None)), (slice(0, 5), t([1]))]


def test_setitem_node_is_copyslices_where_torch_writes_through_a_view():
    def names(L):
        out = []
        for key in _setitem_keys(L):
            x = L.zeros(3, 2, 2, requires_grad=True) * 1
            x[key] = 5.0
            z = L.zeros(3, 2, 2)
            z[key] = L.ones((), requires_grad=True)
            out.append((x.grad_fn.name(), z.grad_fn.name()))
        return out
    assert names(numtorch) == names(torch)


@pytest.mark.parametrize('norm_type', [2.0, 1.0, float('inf'), 3.0])
def test_clip_grad_norm_of_complex_gradients(norm_type):
    g = np.array([1 + 2j, -3 + 0.5j, 0.25 - 4j], np.complex64)
    out = {}
    for lib in (numtorch, torch):
        p = lib.nn.Parameter(lib.zeros(3, dtype=lib.complex64))
        p.grad = lib.tensor(g)
        q = lib.nn.Parameter(lib.zeros(2))
        q.grad = lib.tensor([0.5, -1.5])
        total = lib.nn.utils.clip_grad_norm_([p, q], 1.0, norm_type)
        out[lib] = (str(total.dtype), total.item(), p.grad.numpy(), q.grad.numpy())
    a, b = out[numtorch], out[torch]
    assert a[0] == b[0] and abs(a[1] - b[1]) <= 1e-6 * abs(b[1])
    np.testing.assert_allclose(a[2], b[2], rtol=1e-6)
    np.testing.assert_allclose(a[3], b[3], rtol=1e-6)


def test_complex_linear_and_addmm_train_as_torch():
    res = {}
    for lib in (torch, numtorch):
        rng = np.random.default_rng(0)
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 2, dtype=lib.cfloat)
        x = lib.tensor((rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3)))
                       .astype(np.complex64), requires_grad=True)
        opt = lib.optim.Adam(m.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            loss = (m(x).abs() ** 2).mean()
            loss.backward()
            opt.step()
        c = lib.tensor(rng.standard_normal(2).astype(np.complex64), requires_grad=True)
        a = lib.tensor((rng.standard_normal((2, 3)) + 1j).astype(np.complex64),
                       requires_grad=True)
        b = lib.tensor((rng.standard_normal((3, 2)) - 1j).astype(np.complex64),
                       requires_grad=True)
        z = lib.addmm(c, a, b, beta=0.5, alpha=2 - 1j)
        assert z.grad_fn.name() == 'AddmmBackward0'
        z.abs().sum().backward()
        res[lib] = [t.detach().numpy() for t in (m.weight, m.bias, x.grad, c.grad, a.grad,
                                                  b.grad)]
    for u, v in zip(res[numtorch], res[torch]):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)
