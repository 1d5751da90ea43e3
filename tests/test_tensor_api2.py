"""addmv/addr/baddbmm/addbmm as single ops, logcumsumexp's node, the layouts of the *_like
factories, 0-d gather/scatter/index_select/flip/unfold, and the Tensor methods and torch
functions of round 5 (fill_diagonal_, nanquantile, put, nonzero_static, conj family, ...),
each against torch."""
import numpy as np
import pytest
import torch

import numtorch
from numtorch.autograd import gradcheck

RNG = np.random.default_rng(0)


def _same(n, t, tol=1e-12):
    assert tuple(n.shape) == tuple(t.shape)
    assert str(n.dtype) == str(t.dtype)
    np.testing.assert_allclose(n.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


def _err(fn_t, fn_n):
    with pytest.raises(Exception) as et:
        fn_t()
    with pytest.raises(type(et.value)) as en:
        fn_n()
    assert str(en.value) == str(et.value)


def _both(fn):
    """Runs ``fn(lib)`` with torch and numtorch."""
    return fn(torch), fn(numtorch)


# -- addmv / addr / baddbmm / addbmm ----------------------------------------------------
_ADD_CASES = [('addmv', [(3,), (3, 4), (4,)]), ('addmv', [(1,), (3, 4), (4,)]),
              ('addmv', [(), (3, 4), (4,)]), ('addr', [(3, 5), (3,), (5,)]),
              ('addr', [(5,), (3,), (5,)]), ('baddbmm', [(2, 3, 5), (2, 3, 4), (2, 4, 5)]),
              ('baddbmm', [(3, 5), (2, 3, 4), (2, 4, 5)]),
              ('addbmm', [(3, 5), (2, 3, 4), (2, 4, 5)]), ('addbmm', [(5,), (2, 3, 4), (2, 4, 5)])]


@pytest.mark.parametrize('name,shapes', _ADD_CASES)
def test_add_product_one_node(name, shapes):
    for beta, alpha in [(1, 1), (0.5, -2), (0, 3), (2, 0)]:
        arrs = [RNG.standard_normal(s) for s in shapes]
        T = [torch.tensor(a, requires_grad=True) for a in arrs]
        N = [numtorch.tensor(a, requires_grad=True) for a in arrs]
        rt = getattr(torch, name)(*T, beta=beta, alpha=alpha)
        rn = getattr(numtorch, name)(*N, beta=beta, alpha=alpha)
        assert rn.grad_fn.name() == rt.grad_fn.name()
        _same(rn, rt)
        g = RNG.standard_normal(tuple(rt.shape))
        rt.backward(torch.tensor(g))
        rn.backward(numtorch.tensor(g))
        for a, b in zip(T, N):
            _same(b.grad, a.grad)
        m = getattr(numtorch.Tensor, name)
        assert gradcheck(lambda *x: m(*x, beta=beta, alpha=alpha),
                         [numtorch.tensor(a, requires_grad=True) for a in arrs])


def test_add_product_nan_beta_alpha_zero():
    nan = float('nan')
    cases = [('addmv', [(3,), (3, 4), (4,)]), ('addr', [(3, 4), (3,), (4,)]),
             ('baddbmm', [(2, 3, 4), (2, 3, 2), (2, 2, 4)]),
             ('addbmm', [(3, 4), (2, 3, 2), (2, 2, 4)]), ('addmm', [(3, 4), (3, 2), (2, 4)])]
    for name, shapes in cases:
        for which in range(3):
            arrs = [np.ones(s, np.float32) for s in shapes]
            arrs[which][...] = nan
            kw = {'beta': 0} if which == 0 else {'alpha': 0}
            rt = getattr(torch, name)(*[torch.tensor(a) for a in arrs], **kw)
            rn = getattr(numtorch, name)(*[numtorch.tensor(a) for a in arrs], **kw)
            np.testing.assert_array_equal(rn.numpy(), rt.numpy())


def test_add_product_beta_zero_input_grad_and_inplace():
    for T in (torch, numtorch):
        x = T.ones(3, requires_grad=True)
        T.addmv(x, T.ones(3, 2), T.ones(2), beta=0).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]
        y = T.ones(2, requires_grad=True)
        T.addmm(y, T.ones(3, 2), T.ones(2, 2), beta=0).sum().backward()
        assert y.grad.tolist() == [0.0, 0.0]
    for name, shapes in _ADD_CASES[::3]:
        arrs = [RNG.standard_normal(s) for s in shapes]
        arrs[0] = RNG.standard_normal(tuple(getattr(torch, name)(
            *[torch.tensor(a) for a in arrs]).shape))
        wt = torch.tensor(arrs[1], requires_grad=True)
        wn = numtorch.tensor(arrs[1], requires_grad=True)
        xt, xn = torch.tensor(arrs[0]), numtorch.tensor(arrs[0])
        rt = getattr(xt, name + '_')(wt, torch.tensor(arrs[2]), beta=2, alpha=3)
        rn = getattr(xn, name + '_')(wn, numtorch.tensor(arrs[2]), beta=2, alpha=3)
        assert rn is xn and rn.grad_fn.name() == rt.grad_fn.name()
        _same(rn, rt)


def test_add_product_dtypes_and_scalars():
    L = np.ones
    for name, shapes in [('addmv', [(3,), (3, 4), (4,)]), ('baddbmm', [(2, 3, 5), (2, 3, 4),
                                                                      (2, 4, 5)]),
                         ('addbmm', [(3, 5), (2, 3, 4), (2, 4, 5)])]:
        arrs = [L(s, np.int64) for s in shapes]
        for beta, alpha in [(2, 3), (1.9, -2.9), (True, 2)]:
            rt, rn = _both(lambda T: getattr(T, name)(*[T.tensor(a) for a in arrs],
                                                      beta=beta, alpha=alpha))
            _same(rn, rt)
    arrs = [L((3, 2), np.int64), L(3, np.int64), L(2, np.int64)]
    _err(lambda: torch.addr(*[torch.tensor(a) for a in arrs], beta=2.5),
         lambda: numtorch.addr(*[numtorch.tensor(a) for a in arrs], beta=2.5))
    _err(lambda: torch.addr(*[torch.tensor(a) for a in arrs], alpha=2.5),
         lambda: numtorch.addr(*[numtorch.tensor(a) for a in arrs], alpha=2.5))
    _err(lambda: torch.addr(*[torch.tensor(a) for a in arrs], beta=True),
         lambda: numtorch.addr(*[numtorch.tensor(a) for a in arrs], beta=True))
    f = [L((3, 2)), L(3), L(2)]
    _err(lambda: torch.addr(*[torch.tensor(a, dtype=torch.float32) for a in f], beta=True),
         lambda: numtorch.addr(*[numtorch.tensor(a, dtype=numtorch.float32) for a in f],
                               beta=True))
    b = [L((3, 2), bool), L(3, bool), L(2, bool)]
    for beta, alpha in [(True, False), (2, 0), (False, True)]:
        rt, rn = _both(lambda T: T.addr(*[T.tensor(a) for a in b], beta=beta, alpha=alpha))
        _same(rn, rt)
    # addr promotes like an elementwise op
    rt, rn = _both(lambda T: T.addr(T.ones(3, 2), T.ones(3, dtype=T.int64),
                                    T.ones(2, dtype=T.float64)))
    _same(rn, rt)


@pytest.mark.parametrize('name,shapes', [
    ('addmv', [(2,), (3, 4), (4,)]), ('addmv', [(3, 1), (3, 4), (4,)]),
    ('addmv', [(3,), (3, 4), (5,)]), ('addmv', [(3,), (3,), (4,)]),
    ('addr', [(3, 3), (3,), (2,)]), ('addr', [(3, 2), (3, 1), (2,)]),
    ('addr', [(3, 2), (3,), (2, 1)]), ('baddbmm', [(4, 5), (2, 3, 4), (2, 4, 5)]),
    ('baddbmm', [(2, 3, 5), (2, 3, 4), (3, 4, 5)]), ('baddbmm', [(2, 3, 5), (2, 3, 4), (2, 3, 5)]),
    ('addbmm', [(2, 3, 5), (2, 3, 4), (2, 4, 5)]), ('addbmm', [(4, 5), (2, 3, 4), (2, 4, 5)]),
    ('addbmm', [(3, 5), (2, 3, 4), (3, 4, 5)]), ('addbmm', [(3, 5), (2, 3, 4), (2, 3, 5)])])
def test_add_product_errors(name, shapes):
    _err(lambda: getattr(torch, name)(*[torch.ones(s) for s in shapes]),
         lambda: getattr(numtorch, name)(*[numtorch.ones(s) for s in shapes]))


@pytest.mark.parametrize('name,shapes', [('addmv', [(3,), (3, 4), (4,)]),
                                         ('baddbmm', [(2, 3, 5), (2, 3, 4), (2, 4, 5)]),
                                         ('addbmm', [(3, 5), (2, 3, 4), (2, 4, 5)])])
@pytest.mark.parametrize('which', [0, 2])
def test_add_product_dtype_errors(name, shapes, which):
    def run(T):
        ts = [T.ones(s) for s in shapes]
        ts[which] = ts[which].double()
        return getattr(T, name)(*ts)
    _err(lambda: run(torch), lambda: run(numtorch))


# -- logcumsumexp -------------------------------------------------------------------------
def test_logcumsumexp_node_values_grads():
    a = RNG.standard_normal((3, 4))
    g = RNG.standard_normal((3, 4))
    for dim in (0, 1, -1):
        xt = torch.tensor(a, requires_grad=True)
        xn = numtorch.tensor(a, requires_grad=True)
        rt, rn = torch.logcumsumexp(xt, dim), xn.logcumsumexp(dim)
        assert rn.grad_fn.name() == rt.grad_fn.name() == 'LogcumsumexpBackward0'
        _same(rn, rt)
        rt.backward(torch.tensor(g))
        rn.backward(numtorch.tensor(g))
        _same(xn.grad, xt.grad)
        assert gradcheck(lambda x: numtorch.logcumsumexp(x, dim),
                         [numtorch.tensor(a, requires_grad=True)])
    # a running log-add-exp: no global shift underflows a prefix
    inf = float('inf')
    for vals, gy in [([-1000., 1000., inf, -inf], None), ([0., 1000.], [1., -2.]),
                     ([-inf, -inf, -inf], [1., 1., 1.]), (2.0, 1.0)]:
        xt = torch.tensor(vals, requires_grad=True)
        xn = numtorch.tensor(vals, requires_grad=True)
        rt, rn = torch.logcumsumexp(xt, 0), numtorch.logcumsumexp(xn, 0)
        _same(rn, rt, 1e-6)
        if gy is not None:
            rt.backward(torch.tensor(gy))
            rn.backward(numtorch.tensor(gy))
            np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-6)
    rt, rn = _both(lambda T: T.logcumsumexp(T.tensor([0., 1., 3.], dtype=T.float16), 0))
    _same(rn, rt)
    _err(lambda: torch.logcumsumexp(torch.tensor([1, 2]), 0),
         lambda: numtorch.logcumsumexp(numtorch.tensor([1, 2]), 0))
    _err(lambda: torch.logcumsumexp(torch.ones(2), 1),
         lambda: numtorch.logcumsumexp(numtorch.ones(2), 1))


# -- *_like layouts ------------------------------------------------------------------------
def _layouts(T):
    a = T.arange(24.).reshape(2, 3, 4)
    return [a.permute(2, 0, 1), a[0].t(), a[:, :, ::2], a[:, :1].expand(2, 5, 4),
            a[:, :1].expand(2, 5, 4).transpose(0, 2), a[:, :1].transpose(1, 2),
            a[:, 1:, 1:].transpose(0, 2), T.arange(6.).reshape(3, 2)[:, :1], T.tensor(1.),
            T.arange(6.)[::2], a[:, :, ::2].transpose(0, 1), T.ones(4, 1).t(),
            T.ones(2, 1, 3).transpose(0, 1)]


@pytest.mark.parametrize('fn', ['zeros_like', 'ones_like', 'empty_like', 'full_like',
                                'rand_like', 'randn_like', 'randint_like'])
def test_like_factories_keep_dense_strides(fn):
    extra = {'full_like': (2.5,), 'randint_like': (7,)}.get(fn, ())
    for xt, xn in zip(_layouts(torch), _layouts(numtorch)):
        for mf in ({}, {'memory_format': torch.preserve_format},
                   {'memory_format': torch.contiguous_format}):
            mfn = {k: getattr(numtorch, str(v).split('.')[1]) for k, v in mf.items()}
            torch.manual_seed(3)
            numtorch.manual_seed(3)
            rt = getattr(torch, fn)(xt, *extra, **mf)
            rn = getattr(numtorch, fn)(xn, *extra, **mfn)
            assert rn.stride() == rt.stride(), (fn, tuple(xt.shape), xt.stride())
            assert rn.dtype == getattr(numtorch, str(rt.dtype).split('.')[1])
            if fn != 'empty_like':
                np.testing.assert_array_equal(rn.numpy(), rt.numpy())


# -- 0-d tensors in gather / scatter / index_select / take / flip / unfold ------------------
def _zero_d_cases(T):
    s = T.tensor(5., requires_grad=True)
    v = T.tensor([1., 2., 3.], requires_grad=True)
    i0 = T.tensor(0)
    return [
        lambda: T.gather(s, 0, i0), lambda: T.gather(s, -1, i0), lambda: T.gather(s, 1, i0),
        lambda: T.gather(s, 0, T.tensor([0, 0])), lambda: T.gather(s, 0, T.tensor(1)),
        lambda: T.gather(v, 0, T.tensor(2)), lambda: T.gather(s, 0, T.tensor([], dtype=T.int64)),
        lambda: T.scatter(s, 0, i0, T.tensor(7.)), lambda: T.scatter(s, 0, i0, 7.),
        lambda: T.scatter(v, 0, T.tensor(1), T.tensor(7.)),
        lambda: T.scatter(v, 0, T.tensor(1), T.tensor([7., 8])),
        lambda: T.scatter(v, 0, T.tensor([1]), 7.),
        lambda: T.scatter(s, 0, T.tensor([0]), T.tensor([7.])),
        lambda: T.scatter(s, 0, T.tensor(1), T.tensor(7.)),
        lambda: T.scatter_add(s, 0, i0, T.tensor(7.)),
        lambda: T.scatter_add(v, 0, T.tensor(1), T.tensor(7.)),
        lambda: T.scatter_add(s, 0, T.tensor([0, 0]), T.tensor([7., 1])),
        lambda: T.scatter_reduce(s, 0, i0, T.tensor(7.), 'sum'),
        lambda: T.scatter_reduce(s, 0, T.tensor([0, 0]), T.tensor([7., 1]), 'mean'),
        lambda: T.index_select(s, 0, i0), lambda: T.index_select(s, 0, T.tensor([0])),
        lambda: T.index_select(s, 0, T.tensor([0, 0])), lambda: T.index_select(s, 0, T.tensor([1])),
        lambda: T.index_select(s, 1, T.tensor([0])), lambda: T.index_select(v, 0, T.tensor(2)),
        lambda: T.index_select(s, 0, T.tensor([[0]])),
        lambda: T.flip(s, (0,)), lambda: T.flip(s, (-1,)), lambda: T.flip(s, ()),
        lambda: T.flip(s, (1,)), lambda: T.flip(v, (0, 0)), lambda: T.flip(v, (0, -1)),
        lambda: s.unfold(0, 1, 1), lambda: s.unfold(-1, 1, 2), lambda: s.unfold(0, 2, 1),
        lambda: s.unfold(0, 0, 1), lambda: s.unfold(0, 1, 0), lambda: s.unfold(1, 1, 1),
        lambda: T.take(s, i0), lambda: T.take(v, T.tensor([[0, 2], [2, -1]])),
        lambda: T.take(v, T.tensor([1.])), lambda: T.take(v, T.tensor([3])),
        lambda: T.take_along_dim(s, i0, 0), lambda: T.take_along_dim(s, i0, 1),
        lambda: T.take_along_dim(s, i0), lambda: T.take_along_dim(v, T.tensor([2, 0])),
    ], (s, v)


@pytest.mark.parametrize('k', range(46))
def test_zero_dim_indexing(k):
    ct, (st, vt) = _zero_d_cases(torch)
    assert len(ct) == 46
    cn, (sn, vn) = _zero_d_cases(numtorch)
    try:
        rt = ct[k]()
    except Exception as e:
        with pytest.raises(type(e)) as en:
            cn[k]()
        assert str(en.value) == str(e)
        return
    rn = cn[k]()
    _same(rn, rt)
    assert rn.grad_fn.name() == rt.grad_fn.name()
    g = RNG.standard_normal(tuple(rt.shape)).astype(np.float32)
    rt.backward(torch.tensor(g))
    rn.backward(numtorch.tensor(g))
    for a, b in ((st, sn), (vt, vn)):
        if a.grad is None:
            assert b.grad is None
        else:
            _same(b.grad, a.grad, 1e-6)


# -- quantile / nanquantile ------------------------------------------------------------------
@pytest.mark.parametrize('fn', ['quantile', 'nanquantile'])
@pytest.mark.parametrize('dt', ['float32', 'float64'])
def test_quantile_values_grads(fn, dt):
    rng = np.random.default_rng(0)  # (its own stream: the same data in any test order)
    a = rng.standard_normal((3, 4, 5))
    a[2, 2, 2] = a[2, 2, 1]  # a tie
    # NOTE: one NaN only for quantile: with several, which NaN gets the gradient depends on
    # how the (unstable) sort orders them.
    a[0, 1, 2] = np.nan
    if fn == 'nanquantile':
        a[1, 3, 0] = a[1, 0, 4] = np.nan
    tol = 1e-6 if dt == 'float32' else 1e-12
    for q in [0.3, 1.0, [0.0, 0.5, 0.99]]:
        for dim, kd in [(None, False), (None, True), (0, False), (1, True), (-1, False)]:
            for interp in ['linear', 'lower', 'higher', 'midpoint', 'nearest']:
                xt = torch.tensor(a.astype(dt), requires_grad=True)
                xn = numtorch.tensor(a.astype(dt), requires_grad=True)
                qt = torch.tensor(q, dtype=getattr(torch, dt)) if isinstance(q, list) else q
                qn = numtorch.tensor(q, dtype=getattr(numtorch, dt)) if isinstance(q, list) else q
                rt = getattr(torch, fn)(xt, qt, dim, kd, interpolation=interp)
                rn = getattr(xn, fn)(qn, dim, kd, interpolation=interp)
                _same(rn, rt, tol)
                assert rn.grad_fn.name() == rt.grad_fn.name()
                g = rng.standard_normal(tuple(rt.shape)).astype(dt)
                rt.backward(torch.tensor(g))
                rn.backward(numtorch.tensor(g))
                _same(xn.grad, xt.grad, 10 * tol)
    x = numtorch.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda x: getattr(numtorch, fn)(x, numtorch.tensor([0.2, 0.7],
                                                                        dtype=numtorch.float64),
                                                     dim=1), [x])


def test_quantile_shapes_and_errors():
    for make in (lambda T: T.tensor(3.), lambda T: T.tensor([[3.]]),
                 lambda T: T.tensor([float('nan')] * 2)):
        for fn in ('quantile', 'nanquantile'):
            for args, kw in [((0.5,), {}), ((None, True), {'dim': 0, 'keepdim': True}),
                             ((None, True), {'keepdim': True})]:
                def run(T):
                    q = T.tensor([0.5, 0.7]) if args[0] is None else args[0]
                    return getattr(T, fn)(make(T), q, **kw)
                rt, rn = run(torch), run(numtorch)
                _same(rn, rt)
    cases = [lambda T: T.quantile(T.tensor([1, 2]), 0.5),
             lambda T: T.nanquantile(T.ones(3), 1.5),
             lambda T: T.quantile(T.ones(3), T.tensor([0.5, 1.5])),
             lambda T: T.quantile(T.ones(3), -0.1),
             lambda T: T.quantile(T.ones(3), T.tensor([0.5]).double()),
             lambda T: T.quantile(T.ones(3), T.ones(2, 2) * 0.5),
             lambda T: T.nanquantile(T.ones(3), 0.5, interpolation='foo'),
             lambda T: T.quantile(T.ones(0), 0.5),
             lambda T: T.quantile(T.ones(2, 0), 0.5, dim=1),
             lambda T: T.quantile(T.ones(3), T.tensor(0.5), dim=1),
             lambda T: T.quantile(T.ones(3, dtype=T.float16), 0.5),
             lambda T: T.quantile(T.ones(3), T.tensor(float('nan')))]
    for c in cases:
        _err(lambda: c(torch), lambda: c(numtorch))
    out = numtorch.empty(2)
    r = numtorch.quantile(numtorch.tensor([1., 2., 4.]), numtorch.tensor([0.5, 0.75]), out=out)
    assert r is out and out.tolist() == torch.quantile(
        torch.tensor([1., 2., 4.]), torch.tensor([0.5, 0.75])).tolist()


# -- fill_diagonal_, nonzero_static, put, conj family, is_set_to, narrow_copy, strided -------
def _api_cases(T):
    x = T.arange(6.).reshape(2, 3)
    xs = T.tensor([[0, 1, 0], [2, 0, 3]])
    y = T.zeros(2, 3)
    s = T.tensor([1., 2, 3])
    return [
        lambda: T.zeros(5, 3).fill_diagonal_(2.), lambda: T.zeros(7, 3).fill_diagonal_(1, True),
        lambda: T.zeros(7, 3).fill_diagonal_(1), lambda: T.zeros(3, 7).fill_diagonal_(1, True),
        lambda: T.zeros(2, 2, 2).fill_diagonal_(1), lambda: T.zeros(3).fill_diagonal_(1),
        lambda: T.zeros(2, 3, 2).fill_diagonal_(1), lambda: T.zeros(0, 0).fill_diagonal_(1),
        lambda: T.zeros(3, 3, dtype=T.long).fill_diagonal_(2.7),
        lambda: T.zeros(3, 3).t().fill_diagonal_(1),
        lambda: T.zeros(3, 3).fill_diagonal_(T.tensor(2.)),
        lambda: T.zeros(4, 2).fill_diagonal_(5, True),
        lambda: T.zeros(11, 3).fill_diagonal_(5, True),
        lambda: T.zeros(6, 6)[::2, ::2].fill_diagonal_(1, wrap=True),
        lambda: T.zeros(3, 3, requires_grad=True).fill_diagonal_(1),
        lambda: T.zeros(3, 3, dtype=T.bool).fill_diagonal_(True),
        lambda: T.nonzero_static(xs, size=4), lambda: T.nonzero_static(xs, size=2),
        lambda: xs.nonzero_static(size=5, fill_value=9),
        lambda: T.nonzero_static(T.tensor(3.), size=2),
        lambda: T.nonzero_static(xs, size=-1), lambda: T.nonzero_static(T.zeros(3), size=0),
        lambda: T.put(y, T.tensor([0, 5, 0]), s),
        lambda: T.put(y, T.tensor([0, 5, 0]), s, accumulate=True),
        lambda: y.put(T.tensor([0, -1]), s[:2]), lambda: y.put(T.tensor([0, 6]), s[:2]),
        lambda: y.put(T.tensor([0, 1]), s), lambda: y.put(T.tensor([0, 1.]), s[:2]),
        lambda: y.put(T.tensor([0, 1]), s[:2].double()),
        lambda: y.put(T.tensor([[0], [1]]), T.ones(1, 2)),
        lambda: y.clone().put_(T.tensor([[0], [-6]]), T.ones(1, 2), accumulate=True),
        lambda: x.conj() is x, lambda: T.conj(x) is x, lambda: x.resolve_conj() is x,
        lambda: x.resolve_neg() is x, lambda: x.is_conj(), lambda: T.is_conj(x),
        lambda: T.is_neg(x), lambda: x.conj_physical() is x, lambda: T.conj_physical(x) is x,
        lambda: T.resolve_conj(x) is x, lambda: T.resolve_neg(x) is x,
        lambda: (x.conj_physical_() is x, T.conj_physical_(x) is x, x._version),
        lambda: x.is_set_to(x), lambda: x.is_set_to(x.view(6)), lambda: x.is_set_to(x[:]),
        lambda: x.is_set_to(x.clone()), lambda: x.is_set_to(x.view(2, 3)),
        lambda: x.is_set_to(x[1:]), lambda: x.is_set_to(x.t()),
        lambda: x.is_set_to(x.view(T.int32)), lambda: x.const_data_ptr() == x.data_ptr(),
        lambda: x.narrow_copy(1, 1, 2), lambda: T.narrow_copy(x, 0, 1, 1),
        lambda: x.narrow_copy(1, 2, 2), lambda: x.narrow_copy(1, -1, 1),
        lambda: x.narrow_copy(2, 0, 1), lambda: x.narrow_copy(-1, 0, 1),
        lambda: x.new_empty_strided((2, 3), (1, 2)).stride(),
        lambda: str(x.new_empty_strided((2, 3), (1, 2), dtype=T.int64).dtype),
        lambda: x.new_empty_strided((2, 3), (1, 2), requires_grad=True).requires_grad,
        lambda: T.empty_strided((2, 3), (1, 2)).stride(),
        lambda: T.empty_strided((2, 3), (0, 1)).fill_(3).tolist(),
        lambda: T.empty_strided((2, 3), (1,)), lambda: T.empty_strided((2, 3), (-1, 2)),
        lambda: T.empty_strided((2, -1), (1, 2)),
        lambda: T.empty_strided((2, 3), (4, 1)).untyped_storage().nbytes(),
    ]


@pytest.mark.parametrize('k', range(67))
def test_tensor_api_cases(k):
    ct, cn = _api_cases(torch), _api_cases(numtorch)
    assert len(ct) == 67
    try:
        rt = ct[k]()
    except Exception as e:
        with pytest.raises(type(e)) as en:
            cn[k]()
        assert str(en.value) == str(e)
        return
    rn = cn[k]()
    if isinstance(rt, torch.Tensor):
        _same(rn, rt)
    else:
        assert rn == rt


def test_fill_diagonal_and_put_autograd():
    a = RNG.standard_normal((4, 3))
    g = RNG.standard_normal((4, 3))
    res = []
    for T in (torch, numtorch):
        x = T.tensor(a, requires_grad=True)
        y = (x * 2).fill_diagonal_(3., wrap=True)
        y.backward(T.tensor(g))
        res.append((y.grad_fn.name(), y.detach().numpy(), x.grad.numpy()))
    assert res[0][0] == res[1][0]
    np.testing.assert_array_equal(res[0][1], res[1][1])
    np.testing.assert_array_equal(res[0][2], res[1][2])
    for acc in (False, True):
        res = []
        for T in (torch, numtorch):
            x = T.tensor(a, requires_grad=True)
            s = T.tensor([1., 2., 3.], dtype=T.float64, requires_grad=True)
            y = T.put(x, T.tensor([1, 4, 1]), s, accumulate=acc)
            y.backward(T.tensor(g))
            z = (x * 1).put_(T.tensor([0]), s[:1], accumulate=acc)
            res.append((y.grad_fn.name(), z.grad_fn.name(), y.detach().numpy(),
                        x.grad.numpy(), s.grad.numpy()))
        assert res[0][:2] == res[1][:2]
        for u, v in zip(res[0][2:], res[1][2:]):
            np.testing.assert_array_equal(u, v)
        idx = numtorch.tensor([1, 4, 1] if acc else [1, 4, 7])
        assert gradcheck(lambda x, s: numtorch.put(x, idx, s, accumulate=acc),
                         [numtorch.tensor(a, requires_grad=True),
                          numtorch.tensor([1., 2., 3.], dtype=numtorch.float64,
                                          requires_grad=True)])
    for T in (torch, numtorch):
        y = (T.ones(2, 2, requires_grad=True) * 1).conj_physical_()
        assert y.grad_fn.name() == 'ConjPhysicalBackward1'
        n = T.ones(2, 3, requires_grad=True).narrow_copy(1, 1, 2)
        assert n.grad_fn.name() == 'NarrowCopyBackward0'


# -- torch.binomial: the same draws as PyTorch's CPU kernel ----------------------------------
@pytest.mark.parametrize('dt', ['float32', 'float64'])
def test_binomial_matches_torch_stream(dt):
    c = np.array([10., 100, 5, 0, 3, 1e6, 2e7, 50, 37, 1000, 12, 7])
    p = np.array([0.5, 0.3, 0.9, 0.5, 0., 0.5, 0.3, 0.95, 0.2, 0.001, 1.0, np.nan])
    big_c = RNG.integers(0, 60, size=(20, 30)).astype(dt)
    big_p = RNG.random((20, 30)).astype(dt)
    for seed in range(2):
        torch.manual_seed(seed)
        numtorch.manual_seed(seed)
        for cc, pp in ((c, p), (big_c, big_p)):
            rt = torch.binomial(torch.tensor(cc.astype(dt)), torch.tensor(pp.astype(dt)))
            rn = numtorch.binomial(numtorch.tensor(cc.astype(dt)), numtorch.tensor(pp.astype(dt)))
            np.testing.assert_array_equal(rn.numpy(), rt.numpy())
            assert rn.dtype == getattr(numtorch, dt)
        assert numtorch.rand(3).tolist() == torch.rand(3).tolist()  # same stream position
    g_t, g_n = torch.Generator().manual_seed(5), numtorch.Generator().manual_seed(5)
    rt = torch.binomial(torch.full((4, 5), 30.), torch.full((5,), 0.4), generator=g_t)
    rn = numtorch.binomial(numtorch.full((4, 5), 30.), numtorch.full((5,), 0.4), generator=g_n)
    np.testing.assert_array_equal(rn.numpy(), rt.numpy())


def test_binomial_errors_and_grad():
    cases = [lambda T: T.binomial(T.tensor([10, 100]), T.tensor([0.5, 0.3])),
             lambda T: T.binomial(T.tensor([10., 100]), T.tensor([0.5, 0.3]).double()),
             lambda T: T.binomial(T.tensor([10., 100]), 0.5),
             lambda T: T.binomial(T.tensor([1., 2.], dtype=T.float16),
                                  T.tensor([0.5, 0.3], dtype=T.float16)),
             lambda T: T.binomial(T.tensor([10., 100]),
                                  T.tensor([0.5, 0.3], requires_grad=True)).sum().backward()]
    for c in cases:
        _err(lambda: c(torch), lambda: c(numtorch))
    r = numtorch.binomial(numtorch.tensor([3.]), numtorch.tensor([0.5], requires_grad=True))
    assert r.grad_fn.name() == torch.binomial(
        torch.tensor([3.]), torch.tensor([0.5], requires_grad=True)).grad_fn.name()


# -- DLPack -------------------------------------------------------------------------------------
def test_dlpack_round_trips_share_memory():
    t = numtorch.arange(6.).reshape(2, 3)
    tt = torch.from_dlpack(t)
    assert tt.dtype == torch.float32 and tt.tolist() == t.tolist()
    tt[0, 0] = 99
    assert t[0, 0].item() == 99.0
    src = torch.arange(4.)
    n = numtorch.from_dlpack(src)
    n[1] = 50
    assert src.tolist() == [0., 50., 2., 3.]
    assert numtorch.from_dlpack(torch.arange(4)).dtype == numtorch.int64
    # capsules both ways, and NumPy
    assert numtorch.from_dlpack(numtorch.utils.dlpack.to_dlpack(t)).tolist() == t.tolist()
    assert torch.from_dlpack(numtorch.to_dlpack(t)).tolist() == t.tolist()
    c = torch.utils.dlpack.to_dlpack(torch.ones(2, dtype=torch.int32))
    assert numtorch.from_dlpack(c).dtype == numtorch.int32
    np.testing.assert_array_equal(np.from_dlpack(t), t.numpy())
    # strides travel (transposed, expanded, sliced), and bool
    for mk in (lambda T: T.arange(6.).reshape(2, 3).t(), lambda T: T.ones(3).expand(2, 3),
               lambda T: T.zeros(2, 3)[:, 1]):
        assert torch.from_dlpack(mk(numtorch)).stride() == mk(torch).stride()
        assert numtorch.from_dlpack(mk(torch)).stride() == mk(numtorch).stride()
    assert torch.from_dlpack(numtorch.tensor([True, False])).tolist() == [True, False]
    assert t.__dlpack_device__() == torch.ones(1).__dlpack_device__()
    assert numtorch.utils.dlpack.DLDeviceType.kDLCPU == 1
    _err(lambda: torch.ones(2, requires_grad=True).__dlpack__(),
         lambda: numtorch.ones(2, requires_grad=True).__dlpack__())


# -- legacy typed storages ------------------------------------------------------------------------
def _storage_cases(T):
    return [
        lambda: T.FloatStorage(3).size(), lambda: T.FloatStorage([1, 2.5]),
        lambda: T.LongStorage([1, 2]).tolist(),
        lambda: isinstance(T.ones(2).storage(), T.FloatStorage),
        lambda: isinstance(T.ones(2).storage(), T.DoubleStorage), lambda: T.FloatStorage.dtype,
        lambda: T.ones(2).storage_type(), lambda: T.FloatStorage(2, dtype=T.float64),
        lambda: T.FloatStorage(), lambda: T.ByteStorage.from_buffer(b'abc'),
        lambda: T.FloatStorage([1, 2])[1], lambda: T.FloatStorage([1, 2]).element_size(),
        lambda: T.DoubleStorage([1, 2]).dtype,
        lambda: isinstance(T.LongStorage([1]), T.LongStorage),
        lambda: type(T.LongStorage([1])).__name__,
        lambda: T.FloatStorage(wrap_storage=T.ones(2).untyped_storage()).tolist(),
        lambda: T.ShortStorage.from_buffer(b'\x01\x00\x02\x00', 'little'),
        lambda: T.ShortStorage.from_buffer(b'\x01\x00\x02\x00', 'big'),
        lambda: T.FloatStorage(1, 2), lambda: T.IntStorage([1, 2]).nbytes(),
        lambda: [T.BoolStorage, T.ByteStorage, T.CharStorage, T.ShortStorage, T.IntStorage,
                 T.HalfStorage],
        lambda: T.tensor([1, 2], dtype=T.int8).storage_type(),
        lambda: T.tensor(T.FloatStorage([1, 2])),
    ]


def test_legacy_storages():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ct, cn = _storage_cases(torch), _storage_cases(numtorch)
        for a, b in zip(ct, cn):
            try:
                rt = a()
            except Exception as e:
                with pytest.raises(type(e)) as en:
                    b()
                assert str(en.value) == str(e)
                continue
            assert repr(b()) == repr(rt)


# -- aten-level forms: torch.ctc_loss, torch.bilinear -------------------------------------------
def test_aten_ctc_loss_and_bilinear():
    a = RNG.standard_normal((5, 2, 4))
    res = []
    for T in (torch, numtorch):
        lp = T.tensor(a).log_softmax(2).requires_grad_()
        t = T.tensor([[1, 2], [1, 1]])
        rs = [T.ctc_loss(lp, t, [5, 5], [2, 2]), T.ctc_loss(lp, t, [5, 5], [2, 2], 0, 1),
              T.ctc_loss(lp, t, [5, 4], [2, 1], 0, 2, False),
              T.ctc_loss(lp, t, T.tensor([5, 5]), T.tensor([2, 2]), reduction=3)]
        rs[1].backward()
        res.append(([r.detach().numpy() for r in rs], [r.grad_fn.name() for r in rs],
                    lp.grad.numpy()))
    for u, v in zip(res[0][0], res[1][0]):
        np.testing.assert_allclose(v, u, rtol=1e-10)
    assert res[0][1] == res[1][1]
    np.testing.assert_allclose(res[1][2], res[0][2], rtol=1e-9, atol=1e-12)
    _err(lambda: torch.ctc_loss(torch.zeros(5, 2, 4), torch.ones(2, 2, dtype=torch.long),
                                [5, 5], [2, 2], 0, 'mean'),
         lambda: numtorch.ctc_loss(numtorch.zeros(5, 2, 4), numtorch.ones(2, 2,
                                                                         dtype=numtorch.long),
                                   [5, 5], [2, 2], 0, 'mean'))
    x1, x2, w, b = (RNG.standard_normal(s) for s in ((2, 3), (2, 4), (5, 3, 4), (5,)))
    rt = torch.bilinear(*(torch.tensor(v) for v in (x1, x2, w, b)))
    rn = numtorch.bilinear(*(numtorch.tensor(v) for v in (x1, x2, w, b)))
    _same(rn, rt)
    assert numtorch.bilinear is numtorch.nn.functional.bilinear
    bad = [((2, 3), (2, 4), (5, 3, 4), (4,)), ((2, 3), (2, 4), (5, 3, 4), (1, 5)),
           ((2, 3), (2, 4), (5, 3, 4), (5, 1)), ((2, 3), (2, 1, 4), (5, 3, 4), None),
           ((2, 3), (3, 4), (5, 3, 4), None), ((2, 3), (2, 4), (3, 4), None),
           ((2, 3), (2, 4), (5, 3, 5), None), ((2, 2), (2, 4), (5, 3, 4), None)]
    for shapes in bad:
        arrs = [None if s is None else RNG.standard_normal(s) for s in shapes]
        _err(lambda: torch.bilinear(*(None if v is None else torch.tensor(v) for v in arrs)),
             lambda: numtorch.bilinear(*(None if v is None else numtorch.tensor(v)
                                         for v in arrs)))
    _err(lambda: torch.bilinear(torch.ones(2, 3), torch.ones(2, 4), torch.ones(5, 3, 4).double()),
         lambda: numtorch.bilinear(numtorch.ones(2, 3), numtorch.ones(2, 4),
                                   numtorch.ones(5, 3, 4).double()))
    for shapes in (((3,), (4,), (5, 3, 4), (5,)), ((2, 6, 3), (2, 6, 4), (5, 3, 4), (5,))):
        arrs = [RNG.standard_normal(s) for s in shapes]
        T = [torch.tensor(v, requires_grad=True) for v in arrs]
        N = [numtorch.tensor(v, requires_grad=True) for v in arrs]
        rt, rn = torch.bilinear(*T), numtorch.bilinear(*N)
        _same(rn, rt)
        assert rn.grad_fn.name() == rt.grad_fn.name()
        rt.sum().backward()
        rn.sum().backward()
        for u, v in zip(T, N):
            _same(v.grad, u.grad)


# -- torch.segment_reduce -------------------------------------------------------------------------
@pytest.mark.parametrize('red', ['sum', 'mean', 'max', 'min', 'prod', 'amax'])
def test_segment_reduce(red):
    d = np.array([2., 2, 1, 0, 3, 0, 0, 5, 0.5])  # ties and zeros
    for init in (None, 2.):
        for kw in ({'lengths': [3, 2, 1, 0, 3]}, {'offsets': [0, 3, 5, 6, 6, 9]}):
            xt = torch.tensor(d, requires_grad=True)
            xn = numtorch.tensor(d, requires_grad=True)
            rt = torch.segment_reduce(xt, red, initial=init,
                                      **{k: torch.tensor(v) for k, v in kw.items()})
            rn = numtorch.segment_reduce(xn, red, initial=init,
                                         **{k: numtorch.tensor(v) for k, v in kw.items()})
            _same(rn, rt)
            assert rn.grad_fn.name() == rt.grad_fn.name()
            g = np.arange(1., 6)
            rt.backward(torch.tensor(g))
            rn.backward(numtorch.tensor(g))
            _same(xn.grad, xt.grad)
    D = RNG.standard_normal((2, 7, 3))
    L = np.array([[3, 0, 4], [1, 5, 1]])
    xt = torch.tensor(D, requires_grad=True)
    xn = numtorch.tensor(D, requires_grad=True)
    rt = torch.segment_reduce(xt, red, lengths=torch.tensor(L), axis=1, initial=0.5)
    rn = numtorch.segment_reduce(xn, red, lengths=numtorch.tensor(L), axis=1, initial=0.5)
    _same(rn, rt)
    g = RNG.standard_normal(tuple(rt.shape))
    rt.backward(torch.tensor(g))
    rn.backward(numtorch.tensor(g))
    _same(xn.grad, xt.grad)
    L2 = numtorch.tensor([[3, 1, 3], [1, 5, 1]])
    assert gradcheck(lambda x: numtorch.segment_reduce(x, red, lengths=L2, axis=1),
                     [numtorch.tensor(D, requires_grad=True)])


def test_segment_reduce_errors():
    cases = [lambda T: T.segment_reduce(T.ones(6), 'foo', lengths=T.tensor([6])),
             lambda T: T.segment_reduce(T.ones(6), 'sum', lengths=T.tensor([5])),
             lambda T: T.segment_reduce(T.ones(6), 'sum', lengths=T.tensor([-1, 7])),
             lambda T: T.segment_reduce(T.ones(6), 'sum'),
             lambda T: T.segment_reduce(T.ones(6), 'sum', indices=T.tensor([0, 0, 1, 1, 1, 2])),
             lambda T: T.segment_reduce(T.ones(6), 'sum', lengths=[2, 4]),
             lambda T: T.segment_reduce(T.ones(6), 'sum', lengths=T.tensor([2., 4])),
             lambda T: T.segment_reduce(T.ones(6), 'sum',
                                        lengths=T.tensor([2, 4], dtype=T.int32)),
             lambda T: T.segment_reduce(T.tensor([1, 2]), 'sum', lengths=T.tensor([2])),
             lambda T: T.segment_reduce(T.ones(2, 3), 'sum', lengths=T.tensor([1, 2]), axis=1),
             lambda T: T.segment_reduce(T.ones(2, 3), 'sum', lengths=T.tensor([[1, 2]])),
             lambda T: T.segment_reduce(T.ones(3), 'sum', lengths=T.tensor([1, 2]),
                                        offsets=T.tensor([0, 1, 3])),
             lambda T: T.segment_reduce(T.ones(3), 'sum', offsets=T.tensor([1, 1, 3])),
             lambda T: T.segment_reduce(T.tensor([1., float('nan'), 3]), 'max',
                                        lengths=T.tensor([2, 1]))]
    for c in cases:
        try:
            rt = c(torch)
        except Exception as e:
            with pytest.raises(type(e)) as en:
                c(numtorch)
            assert str(en.value) == str(e)
            continue
        _same(c(numtorch), rt)


# -- double backward through the new single nodes ------------------------------------------------
def test_double_backward():
    from numtorch.autograd import gradgradcheck

    def t(*s):
        return numtorch.tensor(RNG.standard_normal(s), requires_grad=True)
    L = numtorch.tensor([[3, 1, 3], [1, 5, 1]])
    q = numtorch.tensor([0.2, 0.9], dtype=numtorch.float64)
    cases = [(lambda c, a, b: numtorch.addmv(c, a, b, beta=0.5, alpha=2), [t(3), t(3, 4), t(4)]),
             (lambda c, a, b: numtorch.addr(c, a, b, beta=0.5, alpha=2), [t(3, 4), t(3), t(4)]),
             (lambda c, a, b: numtorch.baddbmm(c, a, b, alpha=2),
              [t(2, 3, 4), t(2, 3, 2), t(2, 2, 4)]),
             (lambda c, a, b: numtorch.addbmm(c, a, b, beta=2), [t(3, 4), t(2, 3, 2), t(2, 2, 4)]),
             (lambda x: numtorch.logcumsumexp(x, 1), [t(3, 4)]),
             (lambda x: numtorch.quantile(x, q, dim=1, keepdim=True), [t(3, 4)]),
             (lambda x: numtorch.nanquantile(x, 0.3), [t(3, 4)]),
             (lambda x, s: numtorch.put(x, numtorch.tensor([1, 4]), s), [t(3, 4), t(2)]),
             (lambda x: numtorch.take(x, numtorch.tensor([1, 4, 1])), [t(3, 4)]),
             (lambda x: numtorch.index_select(x, 0, numtorch.tensor([0])), [t()]),
             (lambda x: (x * 1).fill_diagonal_(2.), [t(3, 3)]),
             (lambda x: numtorch.segment_reduce(x, 'max', lengths=L, axis=1, initial=0.3),
              [t(2, 7, 3)])]
    for f, args in cases:
        assert gradgradcheck(f, args)
    # against torch's second derivative of logcumsumexp
    a = RNG.standard_normal((3, 4))
    res = []
    for T in (torch, numtorch):
        x = T.tensor(a, requires_grad=True)
        g, = T.autograd.grad((T.logcumsumexp(x, 1) * T.tensor(a[::-1].copy())).sum(), x,
                             create_graph=True)
        res.append(T.autograd.grad((g ** 2).sum(), x)[0].numpy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-10, atol=1e-12)


# -- index_put ------------------------------------------------------------------------------------
def _index_put_cases(T):
    x = T.zeros(3, 4)
    i = T.tensor
    return [
        lambda: x.index_put((i([0, 0, 2]), i([1, 1, 3])), i([1., 2, 3])),
        lambda: x.index_put((i([0, 0, 2]), i([1, 1, 3])), i([1., 2, 3]), accumulate=True),
        lambda: x.index_put((i([0, 2]),), i([5.])),
        lambda: x.index_put((i([True, False, True]),), i(7.)),
        lambda: x.index_put((i([0, 2]),), i([1, 2, 3, 4])),
        lambda: x.index_put((i([0, 5]),), i(1.)),
        lambda: x.index_put((i([0, 1]), i([0, 1]), i([0])), i(1.)),
        lambda: x.index_put((i([0., 1]),), i(1.)),
        lambda: x.index_put((None, i([0, 1])), i(1.)),
        lambda: T.index_put(x, (None, i([0, 1])), i(1.)),
        lambda: x.index_put((i([[0], [2]]), i([1, 3])), i(9.)),
        lambda: x.index_put((i([0, 2]),), i([1., 2, 3, 4]).double()),
        lambda: x.clone().index_put_((i([1]),), i(3.)),
        lambda: x.clone().index_put_((i([1]),), i(3)),
    ]


@pytest.mark.parametrize('k', range(14))
def test_index_put(k):
    ct, cn = _index_put_cases(torch), _index_put_cases(numtorch)
    assert len(ct) == 14
    try:
        rt = ct[k]()
    except Exception as e:
        with pytest.raises(type(e)) as en:
            cn[k]()
        assert str(en.value) == str(e)
        return
    _same(cn[k](), rt)
