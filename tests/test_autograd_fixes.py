"""Autograd corner cases against PyTorch: once_differentiable under create_graph, the
version-counter error message, the repr of a dual tensor, forward AD errors."""
import re

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
