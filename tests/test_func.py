"""torch.func (vmap, grad, vjp, jvp, jacrev, jacfwd, hessian, linearize, functional_call,
stack_module_state) against PyTorch: the same function written once for both libraries."""
import numpy as np
import pytest
import torch
import torch.func as TF

import numtorch as nt
import numtorch.func as NF

RNG = np.random.default_rng(0)
A = RNG.standard_normal((4, 3))
B = RNG.standard_normal((3, 5))
V = RNG.standard_normal(3)


def _t(T, a, rg=False, dtype=None):
    return T.tensor(a, dtype=dtype or T.float64, requires_grad=rg)


def _np(x):
    return x.detach().numpy() if hasattr(x, 'detach') else x


def _same(a, b, atol=1e-10):
    """Recursively compares a numtorch result with a torch result (structure, shape, dtype,
    values)."""
    if isinstance(b, torch.Tensor):
        assert isinstance(a, nt.Tensor), type(a)
        assert tuple(a.shape) == tuple(b.shape), (a.shape, b.shape)
        assert str(a.dtype) == str(b.dtype), (a.dtype, b.dtype)
        np.testing.assert_allclose(_np(a), _np(b), atol=atol, rtol=1e-7)
    elif isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b)
        for k in b:
            _same(a[k], b[k], atol)
    elif isinstance(b, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), (type(a), type(b))
        for x, y in zip(a, b):
            _same(x, y, atol)
    else:
        assert a == b


def _both(fn):
    """fn(T, F) for (numtorch, numtorch.func) and (torch, torch.func)."""
    return fn(nt, NF), fn(torch, TF)


def _err(fn):
    """(type, message) raised by fn(T, F) in each library; they must agree."""
    out = []
    for T, F in ((nt, NF), (torch, TF)):
        with pytest.raises(Exception) as ei:
            fn(T, F)
        out.append((type(ei.value), str(ei.value)))
    assert out[0] == out[1]


# -- vmap ---------------------------------------------------------------------------------
@pytest.mark.parametrize('case', [
    lambda T, F: F.vmap(T.sin)(_t(T, A)),
    lambda T, F: F.vmap(T.dot)(_t(T, A[:, :2]), _t(T, A[:, 1:])),
    lambda T, F: F.vmap(T.mv, in_dims=(None, 0))(_t(T, B.T), _t(T, A)),
    lambda T, F: F.vmap(T.mm, in_dims=(1, None), out_dims=1)(_t(T, A[:, :, None] * A[:, None]),
                                                             _t(T, B)),
    lambda T, F: F.vmap(lambda x: x.sum(0), in_dims=-1)(_t(T, A)),
    lambda T, F: F.vmap(lambda x: (x * 2, [x.max(), {'k': x.cumsum(0)}]))(_t(T, A)),
    lambda T, F: F.vmap(lambda d, c: d['a'] * d['b'] + c, in_dims=({'a': 0, 'b': None}, 1))(
        {'a': _t(T, A), 'b': _t(T, V)}, _t(T, A.T)),
    lambda T, F: F.vmap(lambda x, y: (x + y, y), out_dims=(0, None), in_dims=(0, None))(
        _t(T, A), _t(T, V)),
    lambda T, F: F.vmap(lambda x: T.ones(2, dtype=T.float32), out_dims=None)(_t(T, A)),
    lambda T, F: F.vmap(lambda x, n: x ** n, in_dims=(0, None))(_t(T, A), 2),
    lambda T, F: F.vmap(lambda x, *, s: x * s)(_t(T, A), s=3.0),
    lambda T, F: F.vmap(F.vmap(T.outer))(_t(T, A[:2, None].repeat(2, 1)),
                                         _t(T, A[2:, None].repeat(2, 1))),
    lambda T, F: F.vmap(F.vmap(lambda x, y: x * y, in_dims=(None, 0)), in_dims=(0, None))(
        _t(T, V), _t(T, A[:, :2])),
    lambda T, F: F.vmap(T.trace, chunk_size=2)(_t(T, np.stack([A[:3]] * 5))),
    lambda T, F: F.vmap(lambda x: x.to(T.int64) + 1)(_t(T, A * 3)),
])
def test_vmap_values(case):
    _same(*_both(case))


def test_torch_vmap_alias():
    assert nt.vmap is NF.vmap
    _same(nt.vmap(nt.neg)(_t(nt, A)), torch.vmap(torch.neg)(_t(torch, A)))


@pytest.mark.parametrize('case', [
    lambda T, F: F.vmap(T.sin)(T.tensor(1.)),
    lambda T, F: F.vmap(T.add)(T.ones(3), T.ones(4)),
    lambda T, F: F.vmap(T.add, in_dims=(0, 1))(T.ones(3, 2), T.ones(2, 4)),
    lambda T, F: F.vmap(T.sin, in_dims=1)(T.ones(3)),
    lambda T, F: F.vmap(T.sin, in_dims=-2)(T.ones(3)),
    lambda T, F: F.vmap(T.add, in_dims=(0,))(T.ones(3), T.ones(3)),
    lambda T, F: F.vmap(T.add, in_dims=(None, None))(T.ones(3), T.ones(3)),
    lambda T, F: F.vmap(lambda a, b: a * b, in_dims=(0, 0))(T.ones(3), 2),
    lambda T, F: F.vmap(lambda a: 3)(T.ones(3)),
    lambda T, F: F.vmap(lambda a: None)(T.ones(3)),
    lambda T, F: F.vmap(lambda a: a, out_dims=None)(T.ones(3, 2) * T.arange(3.)[:, None]),
    lambda T, F: F.vmap(lambda a: a, out_dims=(0, 1))(T.ones(3)),
    lambda T, F: F.vmap(lambda a: a, out_dims=[0])(T.ones(3)),
    lambda T, F: F.vmap(lambda a: a, out_dims='a')(T.ones(3)),
    lambda T, F: F.vmap(lambda a: a, out_dims=2)(T.ones(3, 4)),
    lambda T, F: F.vmap(lambda a: a, chunk_size=0),
    lambda T, F: F.vmap(lambda a: a, randomness='foo'),
    lambda T, F: F.vmap(lambda a: a, in_dims='a')(T.ones(3)),
    lambda T, F: F.vmap(lambda a: a, in_dims=[0])(T.ones(3)),
    lambda T, F: F.vmap(lambda a: a, in_dims=(1.0,))(T.ones(3)),
    lambda T, F: F.vmap(lambda a: a)(),
    lambda T, F: F.vmap(lambda d: d['a'], in_dims=({'a': 0, 'c': None},))(
        {'a': T.ones(3), 'b': T.ones(3)}),
    lambda T, F: F.vmap(lambda x: x + T.rand(3))(T.ones(2, 3)),
    lambda T, F: F.vmap(lambda x: T.nn.functional.dropout(x, 0.5))(T.ones(2, 3)),
    lambda T, F: F.vmap(lambda x: x.normal_())(T.ones(2, 3)),
])
def test_vmap_errors(case):
    _err(case)


def test_vmap_randomness():
    def run(T, F, mode):
        T.manual_seed(0)
        out = F.vmap(lambda x: x + T.rand(3), randomness=mode)(T.zeros(4, 3))
        return out, T.rand(2)
    for mode in ('same', 'different'):
        _same(*_both(lambda T, F: run(T, F, mode)))
    same = run(nt, NF, 'same')[0]
    assert (same == same[0]).all()
    # The generator is left usable after an error under randomness='error'.
    with pytest.raises(RuntimeError):
        NF.vmap(lambda x: x * nt.randn(()))(nt.ones(2))
    nt.manual_seed(1)
    torch.manual_seed(1)
    _same(nt.rand(3), torch.rand(3))


def test_vmap_grad_flows_through():
    def f(T, F):
        x = _t(T, A, rg=True)
        y = F.vmap(lambda r: (r.exp() * r).sum())(x)
        y.sum().backward()
        return y, x.grad
    _same(*_both(f))


# -- grad ---------------------------------------------------------------------------------
def _loss(T):
    def loss(w, x, y):
        return ((T.tanh(x @ w) - y) ** 2).mean()
    return loss


@pytest.mark.parametrize('case', [
    lambda T, F: F.grad(lambda x: (x.sin() * x).sum())(_t(T, V)),
    lambda T, F: F.grad(lambda x, y: (x @ y).pow(2).sum(), argnums=1)(_t(T, A), _t(T, B)),
    lambda T, F: F.grad(lambda x, y: (x @ y).pow(2).sum(), argnums=(0, 1))(_t(T, A), _t(T, B)),
    lambda T, F: F.grad(lambda x, y: (x @ y).pow(2).sum(), argnums=-1)(_t(T, A), _t(T, B)),
    lambda T, F: F.grad(lambda x, y: x.sum())(_t(T, V), _t(T, V)),
    lambda T, F: F.grad(lambda x, y: x.sum(), argnums=1)(_t(T, V), _t(T, V)),
    lambda T, F: F.grad(lambda d: (d['a'] * d['b']).sum())({'a': _t(T, V), 'b': _t(T, V + 1)}),
    lambda T, F: F.grad(lambda x: ((x * x).sum(), {'a': x * 2}), has_aux=True)(_t(T, V)),
    lambda T, F: F.grad_and_value(lambda x: x.exp().mean())(_t(T, A)),
    lambda T, F: F.grad_and_value(lambda x: (x.exp().mean(), x.max()), has_aux=True)(_t(T, A)),
    lambda T, F: F.grad(lambda x: T.tensor(1.0))(_t(T, V)),
    lambda T, F: F.grad(F.grad(lambda x: x.sin().sum() * 1.0))(_t(T, 0.7)),
    lambda T, F: F.grad(F.grad(F.grad(lambda x: x ** 4)))(_t(T, 0.7)),
    lambda T, F: F.grad(lambda x: F.grad(lambda y: (x * y ** 2).sum())(x).sum())(_t(T, V)),
    lambda T, F: F.grad(lambda x: x.sum())(T.tensor([1., 2.])),
    lambda T, F: F.vmap(F.grad(lambda x: x.sin().sum()))(_t(T, A)),
    lambda T, F: F.vmap(F.grad(_loss(T)), in_dims=(None, 0, 0))(
        _t(T, B[:, :1]), _t(T, A[:, None]), _t(T, V[:, None].repeat(2, 0)[:4])),
    lambda T, F: F.grad(lambda x: F.vmap(lambda r: r.exp().sum())(x).sum())(_t(T, A)),
])
def test_grad_values(case):
    _same(*_both(case))


@pytest.mark.parametrize('case', [
    lambda T, F: F.grad(lambda x: x)(T.ones(3)),
    lambda T, F: F.grad(lambda x: 3.0)(T.ones(3)),
    lambda T, F: F.grad(lambda x: (x, x))(T.ones(3)),
    lambda T, F: F.grad(lambda x: x.sum(), has_aux=True)(T.ones(3)),
    lambda T, F: F.grad(lambda x: (x.sum(), 1, 2), has_aux=True)(T.ones(3)),
    lambda T, F: F.grad(lambda x: x.sum(), argnums=1)(T.ones(3)),
    lambda T, F: F.grad(lambda x: x.sum(), argnums=-2)(T.ones(3)),
    lambda T, F: F.grad(lambda x: x.sum(), argnums=(0, 0))(T.ones(3)),
    lambda T, F: F.grad(lambda x: x.sum(), argnums=())(T.ones(3)),
    lambda T, F: F.grad(lambda x: x.sum(), argnums=1.0)(T.ones(3)),
    lambda T, F: F.grad(lambda x: x.sum(), argnums=[0])(T.ones(3)),
    lambda T, F: F.grad(lambda x: x.sum())(3.0),
    lambda T, F: F.grad(lambda x: x.sum())(T.tensor([1, 2])),
    lambda T, F: F.grad(lambda x: x.sum())(),
])
def test_grad_errors(case):
    _err(case)


def test_grad_is_functional():
    """No .grad is written; a user's requires_grad input keeps the result differentiable;
    closed-over tensors that require grad connect the result to the outer graph."""
    res = []
    for T, F in ((nt, NF), (torch, TF)):
        x = _t(T, V, rg=True)
        g = F.grad(lambda x: (x ** 3).sum())(x)
        assert x.grad is None and g.requires_grad
        g.sum().backward()
        w = _t(T, V * 2, rg=True)
        xp = _t(T, V)
        g2 = F.grad(lambda x: (x * w).sum())(xp)
        gv, v = F.grad_and_value(lambda x: (x * x).sum())(xp)
        assert not gv.requires_grad and not v.requires_grad and xp.grad is None
        with T.no_grad():
            g3 = F.grad(lambda x: (x ** 3).sum())(x)
        assert not g3.requires_grad
        res.append((g, x.grad, g2.requires_grad, g3))
    _same(*res)


# -- vjp / jvp / linearize -----------------------------------------------------------------
def test_vjp():
    def f(T, F):
        out, fn = F.vjp(lambda x, y: (x @ y, {'s': x.sum()}), _t(T, A), _t(T, B))
        ct = (_t(T, np.ones((4, 5))), {'s': _t(T, 2.0)})
        out2, fn2, aux = F.vjp(lambda x: (x.sin(), x.cos()), _t(T, V), has_aux=True)
        return (out, fn(ct), fn(ct), fn((ct[0], {'s': None})), out2, fn2(_t(T, V + 1)),
                aux)
    _same(*_both(f))


@pytest.mark.parametrize('case', [
    lambda T, F: F.vjp(lambda x: x * 2, T.ones(3))[1](T.ones(2)),
    lambda T, F: F.vjp(lambda x: x * 2, T.ones(3))[1]((T.ones(3),)),
    lambda T, F: F.vjp(lambda x: x * 2, T.ones(3), has_aux=True),
    lambda T, F: F.vjp(lambda x: 3, T.ones(3)),
    lambda T, F: F.vjp(lambda x: x * 2, 3),
    lambda T, F: F.vjp(lambda x: x * 2, T.ones(3))[1](3.0),
    lambda T, F: F.vjp(lambda x: x * 2, T.ones(3))[1](None),
])
def test_vjp_errors(case):
    _err(case)


def test_jvp_and_linearize():
    def f(T, F):
        fn = lambda x, y: ((x @ y).tanh(), x.exp().sum())  # noqa: E731
        r1 = F.jvp(fn, (_t(T, A), _t(T, B)), (_t(T, A * 0 + 1), _t(T, B * 0.5)))
        r2 = F.jvp(lambda x: (x * x, x.sum()), (_t(T, V),), (_t(T, V + 2),), has_aux=True)
        r3 = F.jvp(lambda x, y: x * 3, (_t(T, V), _t(T, V)), (_t(T, V), _t(T, V)))
        out, jfn = F.linearize(lambda x: x.sin() * x, _t(T, V))
        return r1, r2, r3, out, jfn(_t(T, V)), jfn(_t(T, V * 2))
    _same(*_both(f))


@pytest.mark.parametrize('case', [
    lambda T, F: F.jvp(lambda x: x * 2, T.ones(3), T.ones(3)),
    lambda T, F: F.jvp(lambda x: x * 2, (T.ones(3),), (T.ones(3), T.ones(3))),
    lambda T, F: F.jvp(lambda x: x * 2, (T.ones(3),), [T.ones(3)]),
    lambda T, F: F.jvp(lambda x: x * 2, (T.ones(3),), (T.ones(2),)),
    lambda T, F: F.jvp(lambda x: x * 2, (), ()),
    lambda T, F: F.jvp(lambda x: 3, (T.ones(3),), (T.ones(3),)),
    lambda T, F: F.jvp(lambda x: x * 2, (3.,), (T.ones(3),)),
    lambda T, F: F.jvp(lambda x: x * 2, (T.ones(3),), (T.ones(3),), has_aux=True),
    lambda T, F: F.jvp(lambda x: T.ones(3), (T.ones(3),), (T.ones(3),), strict=True),
    lambda T, F: F.linearize(lambda x: x.sin(), T.ones(3))[1](T.ones(2)),
    lambda T, F: F.linearize(lambda x: x.sin(), T.ones(3))[1](T.ones(3), T.ones(3)),
])
def test_jvp_errors(case):
    _err(case)


def test_forward_mode_needs_double_backward():
    """Forward mode is the double backward trick: an op without double backward is named in
    a NotImplementedError, and a once_differentiable Function is refused (never zeros)."""
    from numtorch._ops._op import Op

    class Twice(Op):
        _name = 'TwiceBackward0'

        def forward(self, x):
            return x * 2

        def backward(self, gy):
            return gy * 2

    for fn in (NF.jvp, lambda f, p, t: NF.linearize(f, *p)[1](*t)):
        with pytest.raises(NotImplementedError, match='TwiceBackward0'):
            fn(lambda x: Twice().apply1(x).sum(), (nt.ones(3),), (nt.ones(3),))
    with pytest.raises(NotImplementedError, match='TwiceBackward0'):
        NF.jacfwd(lambda x: Twice().apply1(x))(nt.ones(3))
    # jacrev needs only one backward.
    np.testing.assert_array_equal(NF.jacrev(lambda x: Twice().apply1(x))(nt.ones(2)).numpy(),
                                  2 * np.eye(2, dtype=np.float32))

    class NoDouble(nt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        @nt.autograd.function.once_differentiable
        def backward(ctx, g):
            return g * 2
    with pytest.raises(NotImplementedError, match='once_differentiable'):
        NF.jvp(NoDouble.apply, (nt.ones(3),), (nt.ones(3),))


# -- Jacobians, Hessian --------------------------------------------------------------------
@pytest.mark.parametrize('jac', ['jacrev', 'jacfwd'])
@pytest.mark.parametrize('case', [
    lambda T, J: J(lambda x: x.sin() * x)(_t(T, V)),
    lambda T, J: J(lambda x, y: x @ y, argnums=(0, 1))(_t(T, A), _t(T, B)),
    lambda T, J: J(lambda x, y: (x @ y).softmax(-1), argnums=1)(_t(T, A), _t(T, B)),
    lambda T, J: J(lambda x: (x * 2, x.sum()))(_t(T, V)),
    lambda T, J: J(lambda x: (x.exp(), {'a': x * 1}), has_aux=True)(_t(T, V)),
    lambda T, J: J(lambda d: d['p'] * d['q'].sum())({'p': _t(T, V), 'q': _t(T, A)}),
    lambda T, J: J(lambda x: x.norm())(_t(T, A)),
])
def test_jacobians(jac, case):
    _same(*_both(lambda T, F: case(T, getattr(F, jac))))


def test_jacobian_compositions_and_hessian():
    def f(T, F):
        fn = lambda x: (x.sin() * x.sum()).sum()  # noqa: E731
        g = lambda x, y: (x.exp() * y ** 2).sum()  # noqa: E731
        return (F.hessian(fn)(_t(T, V)), F.hessian(g, argnums=(0, 1))(_t(T, V), _t(T, V + 1)),
                F.jacfwd(F.jacrev(fn))(_t(T, V)), F.jacrev(F.grad(fn))(_t(T, V)),
                F.vmap(F.jacrev(T.sin))(_t(T, A)))
    _same(*_both(f))


@pytest.mark.parametrize('case', [
    lambda T, F: F.jacrev(lambda x: x * 2, argnums=2)(T.ones(3)),
    lambda T, F: F.jacrev(lambda x: 3)(T.ones(3)),
    lambda T, F: F.jacrev(lambda x: x, chunk_size=0)(T.ones(3)),
    lambda T, F: F.jacrev(lambda x: x * 2, has_aux=True)(T.ones(3)),
    lambda T, F: F.jacfwd(lambda x: x * 2, argnums=2)(T.ones(3)),
    lambda T, F: F.jacfwd(lambda x: x, randomness='foo')(T.ones(3)),
    lambda T, F: F.jacfwd(lambda x: x * T.rand(3))(T.ones(3)),
    lambda T, F: F.jacfwd(lambda x: x * 2, has_aux=True)(T.ones(3)),
    lambda T, F: F.jacfwd(lambda x: 3)(T.ones(3)),
])
def test_jacobian_errors(case):
    _err(case)


def test_jacfwd_randomness():
    def f(T, F, mode):
        T.manual_seed(0)
        return F.jacfwd(lambda x: x * T.rand(3), randomness=mode)(T.ones(3)), T.rand(2)
    for mode in ('same', 'different'):
        _same(*_both(lambda T, F: f(T, F, mode)))


# -- functional_call, stack_module_state ---------------------------------------------------
def _mlp(T):
    T.manual_seed(0)
    return T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 2)).double()


def test_functional_call_and_per_sample_grads():
    def f(T, F):
        model = _mlp(T)
        params = {k: v.detach() * 2 for k, v in model.named_parameters()}
        x = _t(T, A)
        y = _t(T, A[:, :2])
        out = F.functional_call(model, params, (x,))
        out2 = F.functional_call(model, ({'0.weight': params['0.weight']},
                                         {'2.bias': params['2.bias']}), x)
        orig = model(x)

        def loss(p, xb, yb):
            pred = F.functional_call(model, p, (xb[None],))
            return ((pred - yb[None]) ** 2).mean()
        per_sample = F.vmap(F.grad(loss), in_dims=(None, 0, 0))(params, x, y)
        full = F.grad(loss)(params, x[0], y[0])
        assert all(p.grad is None for p in model.parameters())
        return out, out2, orig, per_sample, full
    _same(*_both(f))


def test_functional_call_buffers_ties_strict():
    def make(T):
        T.manual_seed(0)
        m = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.BatchNorm1d(2), T.nn.Linear(2, 2))
        m[2].weight = m[0].weight
        return m.double().eval()

    def f(T, F):
        m = make(T)
        x = _t(T, A[:, :2])
        w = _t(T, np.eye(2) * 3)
        bufs = {'1.running_mean': _t(T, [1., 2.]), '1.running_var': _t(T, [4., 9.])}
        a = F.functional_call(m, ({'0.weight': w}, bufs), (x,))
        b = F.functional_call(m, {'0.weight': w}, (x,), tie_weights=False)
        c = F.functional_call(m, {'0.weight': w, '2.weight': w}, (x,))
        return a, b, c, m(x), m[1].running_mean
    _same(*_both(f))
    _err(lambda T, F: F.functional_call(make(T), {'0.weight': T.eye(2, dtype=T.float64),
                                                  '2.weight': T.ones(2, 2, dtype=T.float64)},
                                        (T.ones(1, 2, dtype=T.float64),)))
    _err(lambda T, F: F.functional_call(make(T), {'0.weight': T.eye(2), 'zz': T.ones(1)},
                                        (T.ones(1, 2, dtype=T.float64),), strict=True))
    _err(lambda T, F: F.functional_call(make(T), ({'a': T.ones(1)}, {'a': T.ones(1)}), ()))
    _err(lambda T, F: F.functional_call(make(T), 3, ()))


def test_functional_call_restores_on_error():
    m = _mlp(nt)
    w = m[0].weight
    with pytest.raises(Exception):
        NF.functional_call(m, {'0.weight': nt.ones(5, 5, dtype=nt.float64)},
                           (nt.ones(1, 3, dtype=nt.float64),))
    assert m[0].weight is w and isinstance(m[0].weight, nt.nn.Parameter)


def test_stack_module_state_ensemble():
    def f(T, F):
        T.manual_seed(0)
        models = [T.nn.Linear(3, 2).double() for _ in range(3)]
        params, bufs = F.stack_module_state(models)
        base = models[0]

        def call(p, x):
            return F.functional_call(base, p, (x,))
        out = F.vmap(call, in_dims=(0, None))(params, _t(T, A))
        out.sum().backward()
        return params, bufs, out, {k: v.grad for k, v in params.items()}, \
            params['weight'].is_leaf
    _same(*_both(f))
    _err(lambda T, F: F.stack_module_state([]))
    _err(lambda T, F: F.stack_module_state([T.nn.Linear(1, 1), T.nn.Linear(1, 1).eval()]))
    _err(lambda T, F: F.stack_module_state([T.nn.Linear(1, 1), T.nn.Tanh()]))
    _err(lambda T, F: F.stack_module_state([T.nn.Linear(1, 1),
                                            T.nn.Linear(1, 1).requires_grad_(False)]))


# -- debug_unwrap, replace_all_batch_norm_modules_ --------------------------
def test_debug_unwrap():
    x = nt.ones(2)
    assert NF.debug_unwrap(x) is x
    NF.vmap(lambda r: NF.debug_unwrap(r))(x[:, None])


def test_replace_all_batch_norm_modules_vmap():
    def f(T, F):
        T.manual_seed(0)
        m = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.BatchNorm1d(4)).double()
        assert F.replace_all_batch_norm_modules_(m) is m
        x = _t(T, np.stack([A, A[::-1] * 2]))
        out = F.vmap(m)(x)
        return out, m[1].running_mean, m[1].track_running_stats
    _same(*_both(f))


def test_vmap_inplace_on_batched_input():
    def f(T, F):
        x = _t(T, A)
        y = F.vmap(lambda r: r.mul_(2).add_(1))(x)
        return x, y
    _same(*_both(f))
