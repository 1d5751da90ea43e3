"""Tensor.set_/new/resize/dim_order/__contains__/__reversed__/is_inference/storage, the view
scatters, index_reduce, renorm, unique_consecutive, apply_/map_/map2_, the in-place special
functions and linalg.inv's singular error, against torch."""
import warnings

import numpy as np
import pytest
import torch

import numtorch
from numtorch.autograd import gradcheck


def _pair(a, dtype=None, rg=False):
    a = np.asarray(a, dtype)
    t = torch.tensor(a, requires_grad=rg)
    n = numtorch.tensor(a, requires_grad=rg)
    return t, n


def _same(n, t, tol=1e-6):
    assert tuple(n.shape) == tuple(t.shape)
    assert str(n.dtype) == str(t.dtype)
    np.testing.assert_allclose(n.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


def _err(fn_t, fn_n):
    with pytest.raises(Exception) as et:
        fn_t()
    with pytest.raises(type(et.value)) as en:
        fn_n()
    assert str(en.value) == str(et.value)


RNG = np.random.default_rng(0)
A34 = RNG.standard_normal((3, 4))


# -- view scatters -------------------------------------------------------------------------
SCATTERS = [
    ('diagonal_scatter', (3, 4), (3,), (0, 0, 1), 'DiagonalScatterBackward0'),
    ('diagonal_scatter', (3, 4), (2,), (2,), 'DiagonalScatterBackward0'),
    ('diagonal_scatter', (2, 3, 4), (2, 2), (-1, 1, 2), 'DiagonalScatterBackward0'),
    ('select_scatter', (3, 4), (3,), (1, -1), 'SelectScatterBackward0'),
    ('select_scatter', (3, 4), (4,), (0, 2), 'SelectScatterBackward0'),
    ('slice_scatter', (3, 4), (3, 2), (1, 0, 4, 2), 'SliceScatterBackward0'),
    ('slice_scatter', (3, 4), (1, 4), (0, -2, -1), 'SliceScatterBackward0'),
    ('slice_scatter', (3, 4), (3, 0), (1, 10, 12), 'SliceScatterBackward0'),
    ('as_strided_scatter', (3, 4), (2, 2), ((2, 2), (1, 2)), 'AsStridedScatterBackward0'),
    ('as_strided_scatter', (3, 4), (2, 3), ((2, 3), (4, 1), 5), 'AsStridedScatterBackward0'),
]


@pytest.mark.parametrize('name,xs,ss,args,gname', SCATTERS)
def test_view_scatters_values_and_gradients(name, xs, ss, args, gname):
    x = RNG.standard_normal(xs)
    s = RNG.standard_normal(ss)
    g = RNG.standard_normal(xs)
    xt, xn = _pair(x, np.float32, True)
    st, sn = _pair(s, np.float32, True)
    yt = getattr(torch, name)(xt, st, *args)
    yn = getattr(numtorch, name)(xn, sn, *args)
    _same(yn, yt)
    assert yn.grad_fn.name() == yt.grad_fn.name() == gname
    yt.backward(torch.tensor(g, dtype=torch.float32))
    yn.backward(numtorch.tensor(g, dtype=numtorch.float32))
    if name == 'as_strided_scatter':
        # NOTE: torch 2.13 keeps the gradient only AT the overwritten positions (its own
        # gradcheck fails); numtorch gives the true gradient, the complement of torch's.
        _same(xn.grad, torch.tensor(g, dtype=torch.float32) - xt.grad)
    else:
        _same(xn.grad, xt.grad)
    _same(sn.grad, st.grad)
    _same(getattr(xn.detach(), name)(sn.detach(), *args), yt)
    x64, s64 = numtorch.tensor(x, requires_grad=True), numtorch.tensor(s, requires_grad=True)
    assert gradcheck(lambda a, b: getattr(numtorch, name)(a, b, *args), (x64, s64))


def test_view_scatter_dtypes():
    xt, xn = _pair(A34, np.int64)
    st, sn = _pair([1.7, 2.2, -3.9])
    _same(numtorch.diagonal_scatter(xn, sn), torch.diagonal_scatter(xt, st))
    xt, xn = _pair(A34, np.float32, True)
    st, sn = _pair([[1., 2.]] * 3, np.float64, True)
    yt = torch.slice_scatter(xt, st, 1, 1, 3)
    yn = numtorch.slice_scatter(xn, sn, 1, 1, 3)
    _same(yn, yt)
    (yt ** 2).sum().backward()
    (yn ** 2).sum().backward()
    _same(sn.grad, st.grad)


def test_as_strided_scatter_storage_geometry():
    base_t, base_n = torch.arange(12.).reshape(3, 4), numtorch.arange(12.).reshape(3, 4)
    src_t, src_n = -torch.arange(1., 5).reshape(2, 2), -numtorch.arange(1., 5).reshape(2, 2)
    for f in (lambda b: b[:, 1:], lambda b: b[1:], lambda b: b[:, 1:].t()):
        for off in (None, 4):
            rt = torch.as_strided_scatter(f(base_t), src_t, (2, 2), (1, 2), off)
            rn = numtorch.as_strided_scatter(f(base_n), src_n, (2, 2), (1, 2), off)
            _same(rn, rt)
            assert rn.stride() == rt.stride()
            assert rn.storage_offset() == rt.storage_offset()


@pytest.mark.parametrize('call', [
    lambda m, x: m.diagonal_scatter(x, m.ones(2)),
    lambda m, x: m.diagonal_scatter(x, m.ones(3), 0, 1, 1),
    lambda m, x: m.select_scatter(x, m.ones(4), 0, 5),
    lambda m, x: m.select_scatter(x, m.ones(3), 0, 0),
    lambda m, x: m.select_scatter(x, m.ones(3), 2, 0),
    lambda m, x: m.slice_scatter(x, m.ones(3, 3), 1, 0, 4, 2),
    lambda m, x: m.slice_scatter(x, m.ones(3, 2), 1, 0, 4, 0),
    lambda m, x: m.as_strided_scatter(x, m.ones(2, 3), (2, 2), (1, 2)),
    lambda m, x: m.as_strided_scatter(x, m.ones(2, 2), (2, 2), (1, 2), 20),
    lambda m, x: m.as_strided_scatter(x, m.ones(2, 2), (2, 2), (0, 1), 1),
    lambda m, x: m.as_strided_scatter(x, m.ones(2, 2), (2, 2), (1,)),
])
def test_view_scatter_errors(call):
    _err(lambda: call(torch, torch.zeros(3, 4)), lambda: call(numtorch, numtorch.zeros(3, 4)))


def test_as_strided_scatter_requires_contiguous_for_grad():
    _err(lambda: torch.as_strided_scatter(torch.zeros(3, 4, requires_grad=True).t(),
                                          torch.ones(2, 2), (2, 2), (1, 1)),
         lambda: numtorch.as_strided_scatter(numtorch.zeros(3, 4, requires_grad=True).t(),
                                             numtorch.ones(2, 2), (2, 2), (1, 1)))


# -- index_reduce ---------------------------------------------------------------------------
@pytest.mark.parametrize('reduce', ['prod', 'mean', 'amax', 'amin'])
@pytest.mark.parametrize('include_self', [True, False])
@pytest.mark.parametrize('dim', [0, 1])
def test_index_reduce_values_and_gradients(reduce, include_self, dim):
    x = np.round(RNG.standard_normal((4, 5)), 1)
    idx = np.array([0, 2, 0, 3, 0])[: (4 if dim == 0 else 5) - (0 if dim else 1)]
    idx = np.array([0, 2, 0]) if dim == 0 else np.array([1, 1, 4, 0])
    ss = (3, 5) if dim == 0 else (4, 4)
    s = np.round(RNG.standard_normal(ss), 1)
    if reduce in ('amax', 'amin'):
        s.flat[0] = s.flat[5 if dim == 0 else 1]      # a tie inside one slot
        x.flat[0] = 5.0 if reduce == 'amin' else -5.0
    if reduce == 'prod':
        s.flat[0] = 0.0                                 # a lone zero in a slot
        x.flat[7] = 0.0
    g = RNG.standard_normal((4, 5))
    xt, xn = _pair(x, None, True)
    st, sn = _pair(s, None, True)
    it, inn = torch.tensor(idx), numtorch.tensor(idx)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        yt = xt.index_reduce(dim, it, st, reduce, include_self=include_self)
    yn = xn.index_reduce(dim, inn, sn, reduce, include_self=include_self)
    _same(yn, yt, 1e-12)
    assert yn.grad_fn.name() == 'IndexReduceBackward0'
    yt.backward(torch.tensor(g))
    yn.backward(numtorch.tensor(g))
    _same(xn.grad, xt.grad, 1e-12)
    _same(sn.grad, st.grad, 1e-12)


def test_index_reduce_inplace_int_mean_and_top_level():
    xt, xn = _pair(np.ones((3, 4)), np.int64)
    st, sn = _pair(np.arange(8).reshape(2, 4) * 3 - 7, np.int64)
    for inc in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            rt = torch.index_reduce(xt, 0, torch.tensor([0, 0]), st, 'mean', include_self=inc)
        rn = numtorch.index_reduce(xn, 0, numtorch.tensor([0, 0]), sn, 'mean', include_self=inc)
        _same(rn, rt)
    at, an = xt.float(), xn.float()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert at.index_reduce_(1, torch.tensor([3, 1, 3, 0]),
                                torch.arange(12.).reshape(3, 4) - 6, 'amax') is at
    assert an.index_reduce_(1, numtorch.tensor([3, 1, 3, 0]),
                            numtorch.arange(12.).reshape(3, 4) - 6, 'amax') is an
    _same(an, at)


@pytest.mark.parametrize('call', [
    lambda m, x, s: x.index_reduce(0, m.tensor([0, 0]), s, 'sum'),
    lambda m, x, s: x.index_reduce(0, m.tensor([0., 0.]), s, 'prod'),
    lambda m, x, s: x.index_reduce(0, m.tensor([[0, 1]]), s, 'prod'),
    lambda m, x, s: x.index_reduce(0, m.tensor([0, 5]), s, 'prod'),
    lambda m, x, s: x.index_reduce(0, m.tensor([0, -1]), s, 'amax'),
    lambda m, x, s: x.index_reduce(0, m.tensor([0, 1, 2]), s, 'prod'),
    lambda m, x, s: x.index_reduce(0, m.tensor([0, 1]), s.double(), 'prod'),
    lambda m, x, s: x.index_reduce(0, m.tensor([0, 1]), m.ones(2, 3), 'prod'),
    lambda m, x, s: x.index_reduce(2, m.tensor([0, 1]), s, 'prod'),
])
def test_index_reduce_errors(call):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        _err(lambda: call(torch, torch.ones(3, 4), torch.ones(2, 4)),
             lambda: call(numtorch, numtorch.ones(3, 4), numtorch.ones(2, 4)))


# -- renorm --------------------------------------------------------------------------------
@pytest.mark.parametrize('p,dim,maxnorm', [(2, 0, 2.0), (1, 1, 1.5), (float('inf'), 1, 1.0),
                                           (3, -1, 1.2), (2, 0, 100.0)])
def test_renorm_values_and_gradients(p, dim, maxnorm):
    x = RNG.standard_normal((3, 4, 2))
    xt, xn = _pair(x, np.float32, True)
    yt, yn = xt.renorm(p, dim, maxnorm), xn.renorm(p, dim, maxnorm)
    _same(yn, yt, 1e-5)
    assert yn.grad_fn.name() == yt.grad_fn.name() == 'RenormBackward0'
    g = RNG.standard_normal(x.shape)
    yt.backward(torch.tensor(g, dtype=torch.float32))
    yn.backward(numtorch.tensor(g, dtype=numtorch.float32))
    _same(xn.grad, xt.grad, 1e-5)
    x64 = numtorch.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: numtorch.renorm(a, p, dim, maxnorm), (x64,))


def test_renorm_inplace_half_and_errors():
    xt, xn = _pair([[1., 2, 3], [4, 5, 6]])
    _same(xn.half().renorm(2, 0, 5), xt.half().renorm(2, 0, 5), 1e-3)
    assert xn.renorm_(2, 0, 5) is xn
    xt.renorm_(2, 0, 5)
    _same(xn, xt)
    for call in (lambda m, x: x.renorm(0, 0, 5), lambda m, x: x.renorm(2, 0, -5),
                 lambda m, x: x.renorm(2, 2, 5), lambda m, x: x.long().renorm(2, 0, 5),
                 lambda m, x: m.renorm(m.tensor(3.), 2, 0, 1)):
        _err(lambda: call(torch, xt), lambda: call(numtorch, xn))


# -- unique_consecutive --------------------------------------------------------------------
@pytest.mark.parametrize('data,dim', [
    ([1, 1, 2, 2, 3, 1, 1, 2], None), ([[1, 1], [1, 1], [2, 3]], 0),
    ([[1, 1], [1, 1], [2, 3]], 1), ([[1, 1], [1, 1], [2, 3]], None), (5, None), ([], None),
    ([float('nan'), float('nan'), 1.], None)])
def test_unique_consecutive(data, dim):
    xt, xn = _pair(data)
    for ri in (False, True):
        for rc in (False, True):
            rt = torch.unique_consecutive(xt, return_inverse=ri, return_counts=rc, dim=dim)
            rn = xn.unique_consecutive(return_inverse=ri, return_counts=rc, dim=dim)
            if not (ri or rc):
                rt, rn = (rt,), (rn,)
            assert len(rt) == len(rn)
            for a, b in zip(rn, rt):
                _same(a, b)


def test_unique_consecutive_grad_and_errors():
    t = torch.unique_consecutive(torch.tensor([1., 1, 2], requires_grad=True))
    n = numtorch.unique_consecutive(numtorch.tensor([1., 1, 2], requires_grad=True))
    assert n.grad_fn.name() == t.grad_fn.name()
    _err(lambda: t.sum().backward(), lambda: n.sum().backward())
    _err(lambda: torch.unique_consecutive(torch.ones(2, 2), dim=2),
         lambda: numtorch.unique_consecutive(numtorch.ones(2, 2), dim=2))
    zt = torch.unique_consecutive(torch.zeros(0, 3), return_inverse=True, return_counts=True,
                                  dim=0)
    zn = numtorch.unique_consecutive(numtorch.zeros(0, 3), return_inverse=True,
                                     return_counts=True, dim=0)
    for a, b in zip(zn, zt):
        _same(a, b)


# -- apply_ / map_ / map2_ -----------------------------------------------------------------
def test_apply_map_map2():
    xt, xn = _pair([[1., 2, 3], [4, 5, 6]], np.float32)
    _same(xn.clone().apply_(lambda v: v * 2 + 1), xt.clone().apply_(lambda v: v * 2 + 1))
    _same(xn.long().apply_(lambda v: v / 2), xt.long().apply_(lambda v: v / 2))
    _same(xn.clone().map_(numtorch.tensor([10., 20, 30]), lambda a, b: a * b),
          xt.clone().map_(torch.tensor([10., 20, 30]), lambda a, b: a * b))
    _same(xn.clone().map2_(numtorch.tensor([10., 20, 30]), numtorch.tensor([[1.], [2.]]),
                           lambda a, b, c: a + b * c),
          xt.clone().map2_(torch.tensor([10., 20, 30]), torch.tensor([[1.], [2.]]),
                           lambda a, b, c: a + b * c))
    y = xn.clone()
    v = y._version
    y.apply_(abs)
    assert y._version > v
    for call in (lambda m, x: x.clone().apply_(lambda v: 'a'),
                 lambda m, x: x.clone().requires_grad_().apply_(abs),
                 lambda m, x: x.clone().map_(m.tensor([10, 20, 30]), max),
                 lambda m, x: x.clone().map_(m.tensor([10., 20]), max),
                 lambda m, x: x.clone().map_(m.tensor([1., 2, 3], requires_grad=True), max)):
        _err(lambda: call(torch, xt), lambda: call(numtorch, xn))


# -- in-place special functions ------------------------------------------------------------
@pytest.mark.parametrize('name,args', [
    ('i0_', ()), ('ldexp_', ('other',)), ('nextafter_', ('other',)), ('igamma_', ('other',)),
    ('igammac_', ('other',)), ('mvlgamma_', (2,))])
def test_new_inplace_methods(name, args):
    x = np.array([1.5, 2.0, 3.25, 4.0])
    o = np.array([0.5, 1.0, 2.0, 3.0])
    for rg in (False, True):
        xt, xn = _pair(x, None, rg)
        ot, on = _pair(o)
        at = tuple(ot if a == 'other' else a for a in args)
        an = tuple(on if a == 'other' else a for a in args)
        lt, ln = xt, xn
        if rg:
            xt, xn = xt * 1, xn * 1
        rt, rn = getattr(xt, name)(*at), getattr(xn, name)(*an)
        assert rn is xn
        _same(rn, rt, 1e-12)
        if rg and name in ('i0_', 'ldexp_', 'mvlgamma_'):
            rt.sum().backward()
            rn.sum().backward()
            _same(ln.grad, lt.grad, 1e-10)
            if name != 'mvlgamma_':       # (numtorch's mvlgamma is composite: AddBackward0)
                assert rn.grad_fn.name() == rt.grad_fn.name()
    if name in ('i0_', 'ldexp_'):
        xt, xn = _pair(x)
        _same(getattr(numtorch, name)(xn, *an), getattr(torch, name)(xt, *at), 1e-12)


def test_as_strided_inplace():
    at, an = torch.arange(6.), numtorch.arange(6.)
    assert an.as_strided_((2, 2), (1, 2), 1) is an
    at.as_strided_((2, 2), (1, 2), 1)
    _same(an, at)
    assert an.stride() == at.stride()
    _same(numtorch.as_strided_(numtorch.arange(6.), (3,), (2,)),
          torch.as_strided_(torch.arange(6.), (3,), (2,)))
    _err(lambda: torch.arange(6.).as_strided_((2, 2), (1, 2), 10),
         lambda: numtorch.arange(6.).as_strided_((2, 2), (1, 2), 10))
    _err(lambda: torch.zeros(4, requires_grad=True).as_strided_((2,), (1,)),
         lambda: numtorch.zeros(4, requires_grad=True).as_strided_((2,), (1,)))


# -- set_, new, resize, dim_order, contains, reversed, is_inference, storage ---------------
def test_set_():
    for lib in (torch, numtorch):
        s = lib.arange(5.)
        z = lib.zeros(2)
        assert z.set_(s) is z
        assert z.data_ptr() == s.data_ptr() and list(z.shape) == [5]
        z[0] = 7
        assert s[0].item() == 7
    st, sn = torch.arange(5.), numtorch.arange(5.)
    _same(numtorch.zeros(2).set_(sn, 1, (2,), (2,)), torch.zeros(2).set_(st, 1, (2,), (2,)))
    _same(numtorch.zeros(2).set_(sn[1:]), torch.zeros(2).set_(st[1:]))
    assert numtorch.zeros(2).set_(sn[1:]).storage_offset() == 1
    _same(numtorch.zeros(2).set_(), torch.zeros(2).set_())
    _same(numtorch.zeros(2).set_(sn.untyped_storage()),
          torch.zeros(2).set_(st.untyped_storage()))
    _err(lambda: torch.zeros(2).set_(st.long()), lambda: numtorch.zeros(2).set_(sn.long()))
    _err(lambda: torch.zeros(2).set_(st, 3, (2,), (2,)),
         lambda: numtorch.zeros(2).set_(sn, 3, (2,), (2,)))
    _err(lambda: torch.zeros(2, requires_grad=True).set_(st),
         lambda: numtorch.zeros(2, requires_grad=True).set_(sn))


def test_new_legacy_constructor():
    xt, xn = _pair([[1, 2], [3, 4]])
    _same(xn.new(), xt.new())
    assert xn.new(2, 3).shape == xt.new(2, 3).shape and xn.new(2, 3).dtype == numtorch.int64
    _same(xn.new([1.5, 2]), xt.new([1.5, 2]))
    _same(xn.new((1, 2)), xt.new((1, 2)))
    assert xn.new(numtorch.Size([2])).shape == (2,)
    _same(xn.new(numtorch.tensor([1, 2])), xt.new(torch.tensor([1, 2])))
    _err(lambda: xt.new(torch.tensor([1., 2])), lambda: xn.new(numtorch.tensor([1., 2])))


def test_resize_family():
    xt, xn = _pair([[1, 2], [3, 4]])
    with pytest.warns(UserWarning, match='non-inplace resize is deprecated'):
        rn = xn.resize(4)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        _same(rn, xt.resize(4))
        _same(xn.resize_as(numtorch.zeros(1, 4)), xt.resize_as(torch.zeros(1, 4)))
        at, an = torch.rand(2, 2, requires_grad=True), numtorch.rand(2, 2, requires_grad=True)
        rn = (an * 1).resize(4)
        assert rn.grad_fn.name() == (at * 1).resize(4).grad_fn.name()
        rn.sum().backward()
        assert an.grad.shape == (2, 2)
        _err(lambda: xt.resize(3), lambda: xn.resize(3))
    with pytest.warns(UserWarning, match='non-inplace resize_as is deprecated'):
        xn.resize_as(numtorch.zeros(4))
    ct, cn = xt.clone(), xn.clone()
    assert cn.resize_(3) is cn
    ct.resize_(3)
    _same(cn, ct)
    _same(cn.resize_as_(numtorch.zeros(1, 2)), ct.resize_as_(torch.zeros(1, 2)))
    r = numtorch.zeros(2, requires_grad=True)
    _err(lambda: torch.zeros(2, requires_grad=True).resize_(3), lambda: r.resize_(3))
    _err(lambda: (torch.zeros(2, requires_grad=True) * 1).resize_(2), lambda: (r * 1).resize_(2))


@pytest.mark.parametrize('make', [
    lambda m: m.zeros(2, 3), lambda m: m.zeros(2, 3).t(),
    lambda m: m.zeros(2, 3, 4).permute(2, 0, 1), lambda m: m.zeros(2, 1, 4),
    lambda m: m.zeros(3, 4)[:, ::2], lambda m: m.zeros(3).expand(2, 3)])
def test_dim_order(make):
    assert make(numtorch).dim_order() == make(torch).dim_order()
    try:
        expect = make(torch).dim_order(ambiguity_check=True)
    except RuntimeError:
        _err(lambda: make(torch).dim_order(ambiguity_check=True),
             lambda: make(numtorch).dim_order(ambiguity_check=True))
    else:
        assert make(numtorch).dim_order(ambiguity_check=True) == expect


def test_contains_and_reversed():
    xt, xn = _pair([[1, 2], [3, 4]])
    for e in (3, 7, 2.0, True):
        assert (e in xn) == (e in xt)
    for e in ([1, 2], [1, 5], 2):
        assert (numtorch.tensor(e) in xn) == (torch.tensor(e) in xt)
    for e in ('a', [1]):
        _err(lambda: e in xt, lambda: e in xn)
    _same(reversed(xn), reversed(xt))
    _same(reversed(numtorch.tensor(3)), reversed(torch.tensor(3)))


def test_is_inference():
    x = numtorch.ones(2)
    with numtorch.inference_mode():
        a = numtorch.ones(2)
        b = x + 1
        v = x[0]
        w = a[0]
    with numtorch.no_grad():
        c = numtorch.ones(2)
    assert (a.is_inference(), b.is_inference(), x.is_inference(), (a + 1).is_inference(),
            c.is_inference(), v.is_inference(), w.is_inference()) == \
        (True, True, False, False, False, False, True)


def test_storage():
    xt, xn = _pair([[1, 2], [3, 4]])
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert repr(xn.storage()) == repr(xt.storage())
        assert xn[1:].storage().tolist() == xt[1:].storage().tolist()
    assert repr(xn.storage_type()) == repr(xt.storage_type())  # <class 'torch.LongStorage'>


# -- linalg.inv of a singular matrix --------------------------------------------------------
@pytest.mark.parametrize('a', [
    [[0., 0], [0, 0]], [[1., 2], [2, 4]], [[[1., 0], [0, 1]], [[1., 2], [2, 4]]],
    [[1., 0, 0], [0, 1, 0], [0, 0, 0]]])
def test_inv_singular_raises_linalg_error(a):
    for f in ('inv', 'inverse'):
        with pytest.raises(torch.linalg.LinAlgError) as et:
            getattr(torch.linalg, f, torch.inverse)(torch.tensor(a))
        with pytest.raises(numtorch.linalg.LinAlgError) as en:
            getattr(numtorch.linalg, f, numtorch.inverse)(numtorch.tensor(a))
        assert str(en.value) == str(et.value)
        assert isinstance(en.value, RuntimeError)
