"""torch.autograd.forward_ad against PyTorch: dual tensors, JVPs through ops, views,
in-place ops, levels and their errors."""
import numpy as np
import pytest
import torch
import torch.autograd.forward_ad as tfw

import numtorch
import numtorch.autograd.forward_ad as nfw


def _arrays(shapes, seed):
    rng = np.random.default_rng(seed)
    return ([rng.standard_normal(s) for s in shapes], [rng.standard_normal(s) for s in shapes])


def _run(lib, fw, fn, arrs, tans, dtype, dual):
    with fw.dual_level():
        ins = []
        for i, (a, t) in enumerate(zip(arrs, tans)):
            x = lib.tensor(a, dtype=dtype)
            ins.append(fw.make_dual(x, lib.tensor(t, dtype=dtype)) if i in dual else x)
        out = fn(lib, *ins)
        outs = out if isinstance(out, tuple) else (out,)
        res = []
        for o in outs:
            p, t = fw.unpack_dual(o)
            res.append((p.detach().numpy().copy(), None if t is None else t.detach().numpy().copy(),
                        str(p.dtype).split('.')[-1]))
        return res


def check(fn, *shapes, dtype='float64', dual=None, seed=0):
    """Runs ``fn(lib, *inputs)`` in both libraries with tangents on the inputs in ``dual``
    (default: all) and compares primal, tangent and dtype of every output."""
    arrs, tans = _arrays(shapes, seed)
    dual = set(range(len(shapes))) if dual is None else set(dual)
    ref = _run(torch, tfw, fn, arrs, tans, getattr(torch, dtype), dual)
    got = _run(numtorch, nfw, fn, arrs, tans, getattr(numtorch, dtype), dual)
    tol = 1e-10 if dtype == 'float64' else 1e-5
    assert len(ref) == len(got)
    for (p1, t1, d1), (p2, t2, d2) in zip(ref, got):
        assert d1 == d2
        np.testing.assert_allclose(p2, p1, rtol=tol, atol=tol)
        assert (t1 is None) == (t2 is None)
        if t1 is not None:
            assert t1.shape == t2.shape
            np.testing.assert_allclose(t2, t1, rtol=tol, atol=tol)


def _f(lib):
    return lib.nn.functional


# -- JVPs through ops ------------------------------------------------------------------------
@pytest.mark.parametrize('fn', [
    lambda L, a, b: a + b, lambda L, a, b: a - b, lambda L, a, b: a * b,
    lambda L, a, b: a / (b * b + 1), lambda L, a, b: L.maximum(a, b),
    lambda L, a, b: L.atan2(a, b), lambda L, a, b: a.add(b, alpha=2.5),
    lambda L, a, b: L.where(a > 0, a, b),
])
def test_binary_broadcasting(fn):
    check(fn, (3, 4), (4,))
    check(fn, (3, 1), (1, 4), dual=[1])


@pytest.mark.parametrize('fn', [
    lambda L, a: a.sin(), lambda L, a: a.exp(), lambda L, a: (a * a + 1).log(),
    lambda L, a: a.tanh(), lambda L, a: a.sigmoid(), lambda L, a: a.relu(),
    lambda L, a: a.abs().sqrt(), lambda L, a: a ** 3, lambda L, a: 2.0 ** a,
    lambda L, a: -a + 1, lambda L, a: 3 - a, lambda L, a: 1 / (a * a + 1),
    lambda L, a: a.clamp(-0.5, 0.5), lambda L, a: _f(L).gelu(a), lambda L, a: a.erf(),
])
def test_unary(fn):
    check(fn, (3, 4))


def test_float32():
    check(lambda L, a, b: (a * b[0]).sin() @ b.t(), (3, 4), (2, 4), dtype='float32')


def test_matmul():
    check(lambda L, a, b: a @ b, (3, 4), (4, 2))
    check(lambda L, a, b: a @ b, (2, 3, 4), (4,))
    check(lambda L, a, b: L.bmm(a, b), (2, 3, 4), (2, 4, 5), dual=[0])
    check(lambda L, a, b, c: L.addmm(c, a, b), (3, 4), (4, 2), (2,))


@pytest.mark.parametrize('fn', [
    lambda L, a: a.sum(), lambda L, a: a.sum(1, keepdim=True), lambda L, a: a.mean(0),
    lambda L, a: a.var(1), lambda L, a: a.prod(1), lambda L, a: a.amax(1),
    lambda L, a: a.max(), lambda L, a: a.max(1), lambda L, a: a.norm(),
    lambda L, a: a.logsumexp(1), lambda L, a: a.cumsum(1), lambda L, a: a.std(),
    lambda L, a: a.cumprod(1), lambda L, a: (a * (a > 0)).cumprod(1),
    lambda L, a: (a * 3).logcumsumexp(1), lambda L, a: a.logcumsumexp(0),
])
def test_reductions(fn):
    check(fn, (3, 4))


def test_softmax_log_softmax():
    check(lambda L, a: a.softmax(-1), (3, 4))
    check(lambda L, a: _f(L).log_softmax(a, dim=0), (3, 4))
    check(lambda L, a, b: _f(L).cross_entropy(a, b.softmax(1)), (3, 4), (3, 4))


def test_conv2d_linear():
    check(lambda L, x, w, b: _f(L).conv2d(x, w, b, padding=1, stride=2),
          (2, 3, 5, 5), (4, 3, 3, 3), (4,))
    check(lambda L, x, w: _f(L).conv2d(x, w, groups=2, dilation=2), (1, 4, 5, 5),
          (2, 2, 2, 2), dual=[1])
    check(lambda L, x, w, b: _f(L).conv1d(x, w, b, padding=2), (2, 3, 6), (4, 3, 3), (4,))
    check(lambda L, x, w, b: _f(L).linear(x, w, b), (2, 3), (4, 3), (4,))
    check(lambda L, x, w: _f(L).linear(x, w), (5, 2, 3), (4, 3), dual=[0])


def test_nn_module():
    def fn(L, x):
        L.manual_seed(0)
        m = L.nn.Sequential(L.nn.Conv2d(2, 3, 3), L.nn.ReLU(), L.nn.Flatten(),
                            L.nn.Linear(12, 2)).double()
        return m(x)
    check(fn, (2, 2, 4, 4))


def test_views():
    check(lambda L, a: a.t(), (3, 4))
    check(lambda L, a: a.transpose(0, 1)[1:3, ::2], (3, 4))
    check(lambda L, a: a.view(2, 6).unsqueeze(0).expand(3, 2, 6), (3, 4))
    check(lambda L, a: a[:, 1], (3, 4))
    check(lambda L, a: a[[0, 2]], (3, 4))
    check(lambda L, a: L.cat([a, a * 2], 1).split(3, 1), (3, 4))


def test_view_tangent_is_view_of_tangent():
    with nfw.dual_level():
        x = nfw.make_dual(numtorch.zeros(3, 4), numtorch.ones(3, 4))
        v = x[1]
        tv = nfw.unpack_dual(v).tangent
        tv.mul_(5)
        assert nfw.unpack_dual(x).tangent[1].tolist() == [5.0] * 4


# -- in-place ops ------------------------------------------------------------------------------
def test_inplace():
    def add_(L, a, b):
        c = a.clone()
        c.add_(b)
        return c
    check(add_, (3, 4), (4,))
    check(add_, (3, 4), (4,), dual=[0])
    check(add_, (3, 4), (4,), dual=[1])

    def mul_sin(L, a):
        c = a * 1
        c.mul_(a).sin_()
        return c
    check(mul_sin, (3,))

    def on_view(L, a, b):
        base = a * 1
        base[1:].mul_(b)
        return base
    check(on_view, (3, 4), (2, 4), dual=[1])
    check(on_view, (3, 4), (2, 4))

    def setitem(L, a, b):
        z = L.zeros(4, 3, dtype=L.float64)
        z[1] = b
        z[2:] += a
        return z
    check(setitem, (2, 3), (3,))

    def copy_zero(L, a, b):
        c = a * 2
        d = a * 3
        c.copy_(b.detach())
        d.zero_()
        return c, d
    check(copy_zero, (3,), (3,))


# -- autograd interplay ---------------------------------------------------------------------
def test_requires_grad_and_backward():
    res = []
    for lib, fw in ((torch, tfw), (numtorch, nfw)):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(x, lib.tensor([1.0, 2.0, 3.0]))
            assert d.requires_grad and not d.is_leaf and d._base is x
            assert d.grad_fn.name() == 'ViewBackward0'
            y = (d.sin() * 3).sum()
            y.backward()
            p, t = fw.unpack_dual(y)
            assert p.requires_grad
            res.append((x.grad.numpy().copy(), float(t.detach())))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-6)
    assert abs(res[1][1] - res[0][1]) < 1e-5


def test_no_grad_keeps_forward_ad_and_detach_drops_it():
    for lib, fw in ((torch, tfw), (numtorch, nfw)):
        with fw.dual_level():
            d = fw.make_dual(lib.randn(3), lib.ones(3))
            with lib.no_grad():
                assert fw.unpack_dual(d * 2).tangent.tolist() == [2.0] * 3
            assert fw.unpack_dual(d.detach()).tangent is None
            assert fw.unpack_dual(d > 0).tangent is None
            assert fw.unpack_dual(d.long()).tangent is None
            assert fw.unpack_dual(d.argmax()).tangent is None


# -- API and errors ------------------------------------------------------------------------------
def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - comparing whatever both libraries raise
        return type(e).__name__, str(e)
    return None


def test_unpack_and_make_dual():
    for lib, fw in ((torch, tfw), (numtorch, nfw)):
        x = lib.randn(3)
        t = lib.randn(3)
        assert fw.unpack_dual(x) == (x, None)
        with fw.dual_level() as lvl:
            assert lvl == 0
            d = fw.make_dual(x, t)
            u = fw.unpack_dual(d)
            assert isinstance(u, fw.UnpackedDualTensor)
            assert u.tangent is t and u.primal is not d and u.primal._base is x
            assert fw.unpack_dual(x).tangent is None
            assert fw.unpack_dual(d, level=0).tangent is t
            # A tangent with another layout is copied into the primal's layout.
            a = lib.randn(2, 3)
            ta = lib.randn(3, 2).t()
            tt = fw.unpack_dual(fw.make_dual(a, ta)).tangent
            assert tt is not ta and tt.stride() == a.stride() and lib.equal(tt, ta)
        assert fw.unpack_dual(d).tangent is None
    assert tfw.UnpackedDualTensor._fields == nfw.UnpackedDualTensor._fields


@pytest.mark.parametrize('case', range(9))
def test_errors(case):
    def run(lib, fw):
        x = lib.randn(3)
        if case == 0:
            return _err(lambda: fw.make_dual(x, lib.randn(3)))
        if case == 1:
            return _err(lambda: fw.exit_dual_level())
        with fw.dual_level():
            if case == 2:
                return _err(fw.enter_dual_level)
            if case == 3:
                return _err(lambda: fw.make_dual(x, lib.randn(4)))
            if case == 4:
                return _err(lambda: fw.make_dual(lib.arange(3), lib.randn(3)))
            if case == 5:
                return _err(lambda: fw.make_dual(x, lib.arange(3)))
            if case == 6:
                d = fw.make_dual(x, lib.randn(3))
                return _err(lambda: fw.make_dual(d, lib.randn(3)))
            if case == 7:
                return (_err(lambda: fw.make_dual(x, lib.randn(3), level=2)),
                        _err(lambda: fw.unpack_dual(x, level=2)),
                        _err(lambda: fw.exit_dual_level(level=1)))
            if case == 8:
                w = fw.make_dual(lib.randn(5, 3), lib.randn(5, 3))
                e = _err(lambda: lib.nn.functional.embedding_bag(
                    lib.tensor([0, 1, 2, 3]), w, lib.tensor([0, 2])))
                return e[0], e[1].startswith('Trying to use forward AD with '), \
                    'embedding_bag that does not support it' in e[1]
    got = run(numtorch, nfw)
    assert got == run(torch, tfw)
    assert got is not None


def test_levels_reenter_and_decorator():
    @nfw.dual_level()
    def f(x):
        d = nfw.make_dual(x, numtorch.ones(2))
        return nfw.unpack_dual(d * 3).tangent
    assert f(numtorch.zeros(2)).tolist() == [3.0, 3.0]
    assert nfw.enter_dual_level() == 0
    nfw.exit_dual_level(level=0)
    with nfw.dual_level():
        pass
    # Outside a level numtorch's ops run without the forward-AD hooks.
    from numtorch._ops._op import Op
    assert Op.apply1 is nfw._plain_apply1


def test_custom_function_jvp():
    class Tw(numtorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_forward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            raise AssertionError

        @staticmethod
        def jvp(ctx, tx):
            x, = ctx.saved_tensors
            return 2 * x * tx

    class NoJvp(numtorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    with nfw.dual_level():
        d = nfw.make_dual(numtorch.tensor([1.0, 2.0]), numtorch.tensor([1.0, 1.0]))
        assert nfw.unpack_dual(Tw.apply(d)).tangent.tolist() == [2.0, 4.0]
        with pytest.raises(NotImplementedError, match='You must implement the jvp function'):
            NoJvp.apply(d)


def test_inplace_on_views_with_grad():
    res = []
    for lib, fw in ((torch, tfw), (numtorch, nfw)):
        x = lib.tensor([[0.5, 1.0, 2.0], [1.0, 2.0, 3.0]], dtype=lib.float64, requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(x, lib.ones(2, 3, dtype=lib.float64))
            b = d * 2
            b[1].mul_(d[0])
            b[:, 0].sin_()
            y = (b * b).sum()
            y.backward()
            res.append((fw.unpack_dual(b).tangent.detach().numpy().copy(),
                        x.grad.numpy().copy(), float(fw.unpack_dual(y).tangent.detach())))
    for r, g in zip(res[0], res[1]):
        np.testing.assert_allclose(g, r, rtol=1e-12)


def test_tangents_are_differentiable():
    res = []
    for lib, fw in ((torch, tfw), (numtorch, nfw)):
        x = lib.tensor([[0.5, 1.0, 2.0], [1.0, 2.0, 3.0]], dtype=lib.float64, requires_grad=True)
        W = lib.tensor([[0.5, -1.0], [0.3, 0.2], [1.0, -2.0]], dtype=lib.float64,
                       requires_grad=True)
        tg = lib.ones(2, 3, dtype=lib.float64, requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(x, tg)
            y = ((d @ W).tanh() * d[:, :2]).sin().sum()
            t = fw.unpack_dual(y).tangent
            assert t.requires_grad
            g = lib.autograd.grad(t, (x, W, tg))
            res.append([float(t.detach())] + [a.numpy().copy() for a in g])
    for r, g in zip(res[0], res[1]):
        np.testing.assert_allclose(g, r, rtol=1e-12)


def _func_jvp_results(lib):
    F = lib.func
    x = lib.tensor([0.5, 1.0, 2.0], dtype=lib.float64)
    v = lib.tensor([1.0, -1.0, 0.5], dtype=lib.float64)
    W = lib.tensor([[0.5, -1.0, 0.2], [0.3, 0.2, 1.0]], dtype=lib.float64, requires_grad=True)
    b = lib.tensor([0.1, -0.2], dtype=lib.float64, requires_grad=True)

    def f(x):
        return (lib.nn.functional.linear(x.sin(), W, b).relu() + 1).log_softmax(0)
    r = []
    o, t = F.jvp(f, (x,), (v,))
    r += [o.requires_grad, t.requires_grad, o, t]
    r += list(lib.autograd.grad(t.sum() + (t * t).sum(), (W, b)))
    o, t = F.jvp(F.grad(lambda x: (x.sin() * x).sum()), (x,), (v,))
    r += [o, t]
    o, t = F.jvp(lambda a: F.jvp(lambda c: (c * c).sin(), (a,), (v,))[1], (x,), (v,))
    r += [o, t]
    with lib.no_grad():
        o, t = F.jvp(f, (x,), (v,))
    r += [o.requires_grad, t.requires_grad, o, t]
    return r


def test_func_jvp():
    """torch.func.jvp: forward mode, with differentiable tangents when parameters require
    grad, and compositions (jvp of grad, jvp of jvp)."""
    for p, q in zip(_func_jvp_results(torch), _func_jvp_results(numtorch)):
        if isinstance(p, bool):
            assert p == q
        else:
            np.testing.assert_allclose(q.detach().numpy(), p.detach().numpy(), rtol=1e-12,
                                       atol=1e-14)


def test_differentiable_tangents_through_conv_and_fallback_ops():
    rng = np.random.default_rng(3)
    xs = [rng.standard_normal(s) for s in ((2, 2, 5, 5), (3, 2, 3, 3), (3,), (2, 2, 5, 5))]
    res = []
    for lib, fw in ((torch, tfw), (numtorch, nfw)):
        x, w, b, tx = [lib.tensor(a, requires_grad=i in (1, 2)) for i, a in enumerate(xs)]
        with fw.dual_level():
            d = fw.make_dual(x, tx)
            y = lib.nn.functional.conv2d(d, w, b, padding=1).flatten(1)
            z = (y.tanh() * y.atan() - y.sigmoid() / 3 + y.max(1, keepdim=True)[0]
                 + (y / 8).cumprod(1)).sum()
            t = fw.unpack_dual(z).tangent
            res.append([t.detach().numpy().copy()]
                       + [g.numpy().copy() for g in lib.autograd.grad(t, (w, b))])
    for r, g in zip(res[0], res[1]):
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-12)


def test_differentiable_tangent_gradcheck():
    """A tangent computed with history is differentiable in the primal: gradcheck of
    x -> JVP(x) (logcumsumexp: PyTorch's own double-mode formula fails here)."""
    t = numtorch.tensor([[0.3, -1.0, 2.0, 0.5], [1.0, 0.0, -0.5, 0.25]], dtype=numtorch.float64)

    def jvp_of(fn):
        def f(x):
            with nfw.dual_level():
                return nfw.unpack_dual(fn(nfw.make_dual(x, t))).tangent
        return f
    x = numtorch.tensor([[0.5, 2.0, -1.0, 0.1], [3.0, -2.0, 0.7, 1.5]], dtype=numtorch.float64,
                        requires_grad=True)
    for fn in (lambda d: d.logcumsumexp(1), lambda d: d.cumprod(1), lambda d: d.atan() * d,
               lambda d: (d @ d.t()).softmax(0), lambda d: d.max(1)[0]):
        assert numtorch.autograd.gradcheck(jvp_of(fn), (x,))
        with numtorch.no_grad():
            plain = jvp_of(fn)(x.detach())
        np.testing.assert_allclose(jvp_of(fn)(x).detach().numpy(), plain.numpy(), rtol=1e-12)


@pytest.mark.parametrize('fn', [
    lambda L, a: _f(L).relu(a * 1, inplace=True),
    lambda L, a: L.nn.ReLU(inplace=True)(a * 1),
    lambda L, a: _f(L).hardtanh(a * 1, inplace=True),
    lambda L, a: _f(L).dropout(a * 1, 0.0, inplace=True),
    lambda L, a: (a * 1).masked_fill_(a > 0, 2.0),
    lambda L, a: (a * 1).index_put_((L.tensor([0, 2]),), a[1] * 3),
    lambda L, a: (a * 1).clamp_(-0.3, 0.3).fill_(1.0),
    lambda L, a: (a * 1).addcmul_(a, a, value=2).div_(a * a + 1),
])
def test_inplace_functions(fn):
    """In-place ops reached through nn.functional, modules and Tensor methods."""
    check(fn, (3, 4))


def _spd(L, a):
    return a @ a.mT + 3 * L.eye(a.shape[-1], dtype=a.dtype)


def _sym(a):
    return a + a.mT


@pytest.mark.parametrize('fn', [
    lambda L, a, b: L.linalg.solve(_spd(L, a), b),
    lambda L, a, b: L.linalg.solve(_spd(L, a), b[..., 0]),
    lambda L, a, b: L.linalg.solve(_spd(L, a), b.mT, left=False),
    lambda L, a, b: L.linalg.cholesky(_spd(L, a)),
    lambda L, a, b: L.linalg.cholesky(_spd(L, a), upper=True),
    lambda L, a, b: L.linalg.cholesky_ex(_spd(L, a))[0],
    lambda L, a, b: L.linalg.eigh(_sym(a)),
    lambda L, a, b: L.linalg.eigvalsh(_sym(a), UPLO='U'),
])
def test_linalg(fn):
    check(fn, (2, 3, 3), (2, 3, 2))
    check(fn, (2, 3, 3), (2, 3, 2), dual=[1])


@pytest.mark.parametrize('shape', [(4, 3), (3, 4), (2, 3, 3)])
def test_svd(shape):
    def svd(L, a):
        # Squares: the columns' signs are LAPACK's choice, which may differ between builds.
        u, s, vh = L.linalg.svd(a, full_matrices=False)
        return u * u, s, vh * vh, u @ (s[..., None] * vh)
    check(svd, shape)
    check(lambda L, a: L.linalg.svdvals(a), shape)


@pytest.mark.parametrize('shape', [(4, 3), (3, 5), (2, 3, 3)])
def test_qr(shape):
    check(lambda L, a: L.linalg.qr(a), shape)
    check(lambda L, a: L.linalg.qr(a, mode='complete')[1], shape[:-1] + (shape[-2],))


def test_qr_errors():
    def run(lib, fw):
        with fw.dual_level():
            d = fw.make_dual(lib.randn(4, 3), lib.randn(4, 3))
            return [_err(lambda: lib.linalg.qr(d, mode=m)) for m in ('r', 'complete')]
    got = run(numtorch, nfw)
    assert got == run(torch, tfw)
    assert got[0][0] == got[1][0] == 'RuntimeError'
