"""Autograd corner cases against PyTorch: once_differentiable under create_graph, the
version-counter error message, the repr of a dual tensor, forward AD errors."""
import numpy as np
import pytest
import torch
import torch.autograd.forward_ad as tfwAD

import numtorch as nt
import numtorch.autograd.forward_ad as nfwAD


def _both(fn):
    """Runs ``fn(T)`` for torch and numtorch."""
    return fn(torch), fn(nt)


def _err(fn, T):
    with pytest.raises(Exception) as ei:
        fn(T)
    return type(ei.value), str(ei.value)


# -- once_differentiable ---------------------------------------------------------------------
def _once_fn(T):
    class F(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            ctx.save_for_backward(x, y)
            return x * y * k, x + y

        @staticmethod
        @T.autograd.function.once_differentiable
        def backward(ctx, g1, g2):
            x, y = ctx.saved_tensors
            assert not T.is_grad_enabled()
            return g1 * y + g2, g1 * x + g2, None
    return F


def _leaves(T):
    x = T.tensor([1., 2.], dtype=T.float64, requires_grad=True)
    y = T.tensor([3., -4.], dtype=T.float64, requires_grad=True)
    return x, y


def test_once_differentiable_create_graph_marks_error():
    def run(T):
        x, y = _leaves(T)
        a, b = _once_fn(T).apply(x, y, 2.)
        gx, gy = T.autograd.grad((a * a).sum() + b.sum(), (x, y), create_graph=True)
        info = [(g.detach().numpy(), g.requires_grad, g.is_leaf, g.grad_fn.name(),
                 repr(g).split('grad_fn=')[1], [n is None for n, _ in g.grad_fn.next_functions])
                for g in (gx, gy)]
        assert gx.grad_fn is gy.grad_fn
        return info, _err(lambda T: gx.sum().backward(), T)
    (ti, te), (ni, ne) = _both(run)
    assert ne == te
    assert te[0] is RuntimeError and 'differentiate twice' in te[1]
    for t, n in zip(ti, ni):
        np.testing.assert_allclose(n[0], t[0])
        assert n[1:] == t[1:]


def test_once_differentiable_plain_when_no_gradient_requires_grad():
    def run(T):
        x, y = _leaves(T)
        a, b = _once_fn(T).apply(x, y, 3.)
        gs = T.autograd.grad(a.sum() + b.sum(), (x, y), create_graph=True)
        return [(g.numpy(), g.requires_grad, g.grad_fn) for g in gs]
    t, n = _both(run)
    for a, b in zip(t, n):
        np.testing.assert_allclose(b[0], a[0])
        assert b[1:] == a[1:] == (False, None)


def test_once_differentiable_error_node_is_disconnected():
    """The error node hangs on fresh leaves: an incoming gradient's own graph is not reached."""
    def run(T):
        x, y = _leaves(T)
        a, b = _once_fn(T).apply(x, y, 1.)
        v = T.ones(2, dtype=T.float64, requires_grad=True)
        gx, _ = T.autograd.grad((a, b), (x, y), (v, T.ones(2, dtype=T.float64)),
                                create_graph=True)
        return gx.detach().numpy(), _err(lambda T: T.autograd.grad(gx.sum(), v), T)
    (tv, te), (nv, ne) = _both(run)
    np.testing.assert_allclose(nv, tv)
    assert ne == te


def test_once_differentiable_jvp_still_refused():
    class NoDouble(nt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        @nt.autograd.function.once_differentiable
        def backward(ctx, g):
            return g * 2
    with pytest.raises(NotImplementedError, match='once_differentiable'):
        nt.func.jvp(lambda x: NoDouble.apply(x) + x.sin(), (nt.ones(3),), (nt.ones(3),))


# -- the version-counter error ---------------------------------------------------------------
def _v(T, rg=True, dt=None):
    return T.tensor([0.5, 1.0, 1.5], dtype=dt or T.float32, requires_grad=rg)


def _fn_saving_input(T):
    class F(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, c):
            ctx.save_for_backward(x, c)
            return x * c

        @staticmethod
        def backward(ctx, g):
            x, c = ctx.saved_tensors
            return g * c, None
    return F


def _fn_saving_output(T):
    class Expo(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y
    return Expo


def _vc_leaf_input(T):
    w, c = _v(T), _v(T, False)
    y = w * c
    c.add_(1)
    y.sum().backward()


def _vc_nonleaf_input(T):
    h = _v(T) * 2
    y = h * h
    h.add_(1)
    y.sum().backward()


def _vc_output(name, T):
    y = getattr(_v(T), name)()
    y.mul_(2)
    y.sum().backward()


def _vc_output_2d(T):
    y = T.ones(2, 2, requires_grad=True).exp()
    y[0, 0] = 5
    y.sum().backward()


def _vc_view_modified(T):
    v = (_v(T) * 1)[:2]
    y = v * v
    v.add_(1)
    y.sum().backward()


def _vc_base_modified(T):
    h = _v(T).clone()
    y = h.view(3, 1).pow(2)
    h.add_(1)
    y.sum().backward()


def _vc_mm_double(T):
    a = T.ones(2, 3, dtype=T.float64, requires_grad=True)
    b = T.ones(3, 2, dtype=T.float64)
    y = a @ b
    b.mul_(2)
    y.sum().backward()


def _vc_multi_output(T):
    v = T.ones(2, 3, requires_grad=True).max(1).values
    y = v * v
    v.mul_(2)
    y.sum().backward()


def _vc_index(T):
    i = T.tensor([0, 2])
    y = _v(T)[i]
    i.add_(0)
    y.sum().backward()


def _vc_mask(T):
    m = T.tensor([True, False, True])
    y = _v(T)[m]
    m.logical_not_()
    y.sum().backward()


def _vc_function_input(T):
    c = _v(T, False)
    y = _fn_saving_input(T).apply(_v(T), c)
    c.add_(1)
    y.sum().backward()


def _vc_function_output(T):
    y = _fn_saving_output(T).apply(_v(T) * 2)
    y.add_(1)
    y.sum().backward()


@pytest.mark.parametrize('case', [
    _vc_leaf_input, _vc_nonleaf_input, _vc_output_2d, _vc_view_modified, _vc_base_modified,
    _vc_mm_double, _vc_multi_output, _vc_index, _vc_mask, _vc_function_input,
    _vc_function_output,
    lambda T: _vc_output('exp', T), lambda T: _vc_output('sigmoid', T),
    lambda T: _vc_output('tanh', T), lambda T: _vc_output('sqrt', T),
])
def test_version_counter_message(case):
    te, ne = _err(case, torch), _err(case, nt)
    assert te[0] is RuntimeError and 'check_nan=False)' in te[1]
    assert ne == te


# -- repr of a dual tensor -------------------------------------------------------------------
@pytest.mark.parametrize('case', [
    lambda T, F: F.make_dual(T.tensor([1., 2.]), T.tensor([3., 4.])),
    lambda T, F: F.make_dual(T.tensor([1., 2.]), T.tensor([3., 4.])).sin(),
    lambda T, F: F.make_dual(T.tensor([1., 2.], requires_grad=True), T.tensor([3., 4.])),
    lambda T, F: F.make_dual(T.tensor(1.5, dtype=T.float64), T.tensor(2., dtype=T.float64)),
    lambda T, F: F.make_dual(T.ones(2, 3), T.ones(2, 3) * 0.5),
    lambda T, F: F.make_dual(T.ones(2, dtype=T.float64),
                             T.tensor([1e-8, 3.], dtype=T.float64)),
    lambda T, F: F.make_dual(T.ones(0), T.ones(0)),
    lambda T, F: F.unpack_dual(F.make_dual(T.ones(2), T.ones(2))).primal,
])
def test_dual_tensor_repr(case):
    def run(T, F):
        with F.dual_level():
            d = case(T, F)
            inside = (repr(d), str(d))
        return inside, repr(d)
    assert run(nt, nfwAD) == run(torch, tfwAD)


# -- forward AD errors -----------------------------------------------------------------------
@pytest.mark.parametrize('case', [
    lambda T, F, d: T.unique(d),
    lambda T, F, d: d.unique(return_inverse=True, return_counts=True),
    lambda T, F, d: d.unique(sorted=False),
    lambda T, F, d: T.unique(d, dim=0),
    lambda T, F, d: T.unique_consecutive(d),
    lambda T, F, d: T.unique(d.detach()),
    lambda T, F, d: T.unique(F.unpack_dual(d).primal),
])
def test_unique_forward_ad(case):
    def run(T, F):
        with F.dual_level():
            d = F.make_dual(T.tensor([1., 2., 1.]), T.ones(3))
            try:
                r = case(T, F, d)
            except NotImplementedError as e:
                return str(e)
            return [(t.numpy().tolist(), F.unpack_dual(t).tangent)
                    for t in (r if isinstance(r, tuple) else (r,))]
    assert run(nt, nfwAD) == run(torch, tfwAD)


_RN_X = [[1., 2., 3.], [0.1, -0.2, 0.1], [0., 0., 0.]]
_RN_T = [[0.5, -1., 2.], [1., 1., 1.], [1., 2., 3.]]


@pytest.mark.parametrize('args', [(2, 0, 1.), (1, 1, 0.5), (3, 0, 1.), (float('inf'), 0, 1.),
                                  (float('inf'), 1, 0.1), (0.5, 1, 0.3), (2, -1, 0.),
                                  (2, 0, 100.)])
@pytest.mark.parametrize('dt', ['float32', 'float64'])
def test_renorm_forward_ad(args, dt):
    def run(T, F):
        dtype = getattr(T, dt)
        with F.dual_level():
            d = F.make_dual(T.tensor(_RN_X, dtype=dtype), T.tensor(_RN_T, dtype=dtype))
            r = d.renorm(*args)
            p, t = F.unpack_dual(r)
            return p.numpy(), t.dtype, t.numpy()
    (tp, tdt, tt), (np_, ndt, nt_) = run(torch, tfwAD), run(nt, nfwAD)
    tol = 1e-6 if dt == 'float32' else 1e-12
    np.testing.assert_allclose(np_, tp, rtol=tol, atol=tol)
    assert str(ndt) == str(tdt)
    np.testing.assert_allclose(nt_, tt, rtol=tol, atol=tol)


@pytest.mark.parametrize('args', [(2, 0, 1.), (3, 1, 0.5), (float('inf'), 0, 1.)])
def test_renorm_forward_ad_tangent_keeps_history(args):
    """With the primal and the tangent requiring grad, the tangent is differentiable in both."""
    def run(T, F):
        x = T.tensor(_RN_X[:2], dtype=T.float64, requires_grad=True)
        t = T.tensor(_RN_T[:2], dtype=T.float64, requires_grad=True)
        with F.dual_level():
            r = F.unpack_dual(F.make_dual(x, t).renorm(*args)).tangent
            w = T.arange(6.).reshape(2, 3).double().cos()
            gx, gt = T.autograd.grad((r * w).sum(), (x, t))
            return r.detach().numpy(), r.grad_fn.name(), gx.numpy(), gt.numpy()
    t, n = run(torch, tfwAD), run(nt, nfwAD)
    assert n[1] == t[1]
    for a, b in zip(t[::2] + t[3:], n[::2] + n[3:]):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
