"""Autograd semantics against torch: accumulation, retain_graph, grad(), create_graph,
hooks, retain_grad, version counters, in-place ops and views, Function, grad modes."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
from conftest import assert_close


def both(fn):
    """Runs ``fn(T)`` with T = torch and T = numtorch; returns (numtorch, torch) results."""
    return fn(numtorch), fn(torch)


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we compare the exception itself
        return type(e), str(e)
    return None


def same_error(fn_of_T):
    e_nt = err(lambda: fn_of_T(numtorch))
    e_pt = err(lambda: fn_of_T(torch))
    assert e_pt is not None, 'torch did not raise'
    assert e_nt is not None, f'numtorch did not raise; torch raised {e_pt}'
    assert e_nt[0].__name__ == e_pt[0].__name__, (e_nt, e_pt)
    assert e_nt[1] == e_pt[1], (e_nt[1], e_pt[1])


def test_accumulation_and_zeroing():
    def run(T):
        x = T.tensor([1., 2., 3.], requires_grad=True)
        (x * x).sum().backward()
        g1 = x.grad.clone()
        (x * 3).sum().backward()
        g2 = x.grad.clone()
        x.grad.zero_()
        (x ** 3).sum().backward()
        return g1, g2, x.grad
    nt, pt = both(run)
    assert_close(nt, pt)


def test_shared_subexpressions_and_diamond():
    def run(T):
        x = T.tensor([0.5, -1.5], requires_grad=True)
        y = x * 2
        a = y.exp()
        b = y.sin()
        z = (a * b + y).sum()
        z.backward()
        return x.grad
    nt, pt = both(run)
    assert_close(nt, pt)


def test_leaf_grads_do_not_alias():
    x = numtorch.ones(3, requires_grad=True)
    y = numtorch.ones(3, requires_grad=True)
    (x + y).sum().backward()
    x.grad += 1
    assert y.grad.tolist() == [1.0, 1.0, 1.0]
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_backward_with_gradient_argument():
    def run(T):
        x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        y = x * x
        y.backward(T.tensor([[1., 0.5], [2., 0.]]))
        return x.grad
    nt, pt = both(run)
    assert_close(nt, pt)


def test_retain_graph_and_freed_graph_error():
    def run(T):
        x = T.tensor([1., 2.], requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    nt, pt = both(run)
    assert_close(nt, pt)

    def freed(T):
        x = T.tensor([1., 2.], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        y.backward()
    same_error(freed)


@pytest.mark.parametrize('case', ['nonscalar', 'no_grad_fn', 'numpy', 'leaf_inplace',
                                  'view_leaf_inplace', 'unused', 'int_requires_grad',
                                  'nonleaf_requires_grad_false', 'mm_shapes', 'index'])
def test_errors_match_torch(case):
    def fn(T):
        x = T.tensor([1., 2.], requires_grad=True)
        if case == 'nonscalar':
            (x * 2).backward()
        elif case == 'no_grad_fn':
            T.tensor(1.).backward()
        elif case == 'numpy':
            (x * 2).numpy()
        elif case == 'leaf_inplace':
            x.add_(1)
        elif case == 'view_leaf_inplace':
            x[0].mul_(2)
        elif case == 'unused':
            T.autograd.grad((x * 2).sum(), [x, T.ones(2, requires_grad=True)])
        elif case == 'int_requires_grad':
            T.ones(2, dtype=T.long).requires_grad_()
        elif case == 'nonleaf_requires_grad_false':
            (x * 2).requires_grad_(False)
        elif case == 'mm_shapes':
            T.ones(2, 3) @ T.ones(4, 5)
        elif case == 'index':
            T.ones(3)[5]
    same_error(fn)


def test_inplace_modification_of_saved_tensor_is_caught():
    def fn(T):
        x = T.ones(3, requires_grad=True)
        y = x * 2
        z = y * y
        y.add_(1)
        z.sum().backward()
    e_nt = err(lambda: fn(numtorch))
    e_pt = err(lambda: fn(torch))
    assert e_nt[0] is RuntimeError and e_pt[0] is RuntimeError
    assert e_nt[1].startswith('one of the variables needed for gradient computation has been '
                              'modified by an inplace operation: [torch.FloatTensor [3]], which '
                              'is output 0 of Add')


def test_inplace_not_saved_is_fine():
    def run(T):
        x = T.ones(3, requires_grad=True)
        y = x * 2
        z = y + 1
        y.mul_(3)
        (z.sum() + y.sum()).backward()
        return x.grad
    nt, pt = both(run)
    assert_close(nt, pt)


def test_inplace_on_nonleaf_rewires_history():
    def run(T):
        x = T.tensor([1., -2., 3.], requires_grad=True)
        y = x * 2
        y.mul_(x)
        y.add_(x)
        y.relu_()
        y.sum().backward()
        return x.grad, y.grad_fn.name()
    (g_nt, n_nt), (g_pt, n_pt) = both(run)
    assert_close(g_nt, g_pt)


def test_setitem_with_grad_and_views():
    def run(T):
        x = T.tensor([1., 2., 3., 4.], requires_grad=True)
        w = T.tensor([0.5, 2.0], requires_grad=True)
        h = T.zeros(4)
        h[1:3] = x[:2] * w
        y = x.clone()
        y[0] = 0
        y[2:] *= 3
        (h.sum() * 2 + (y * y).sum()).backward()
        return x.grad, w.grad
    nt, pt = both(run)
    assert_close(nt, pt)


def test_views_share_memory_and_version():
    x = numtorch.zeros(2, 3)
    v = x[0]
    v[1] = 5
    assert x[0, 1].item() == 5
    t = x.t()
    t[2, 1] = 7
    assert x[1, 2].item() == 7
    r = x.view(6)
    r[0] = 1
    assert x[0, 0].item() == 1
    assert x._version == v._version == r._version


def test_from_numpy_shares_memory():
    a = np.zeros(3, np.float32)
    t = numtorch.from_numpy(a)
    t[0] = 2
    a[1] = 3
    assert a.tolist() == [2, 3, 0]
    assert t.tolist() == [2, 3, 0]
    assert t.numpy() is a


def test_autograd_grad_and_double_backward():
    def run(T):
        x = T.tensor([0.3, -1.2, 2.0], requires_grad=True)
        y = (x ** 3 * x.sin()).sum()
        g, = T.autograd.grad(y, x, create_graph=True)
        gg, = T.autograd.grad((g * g).sum(), x)
        return g, gg
    nt, pt = both(run)
    assert_close(nt, pt, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('fname', ['exp', 'tanh', 'sigmoid', 'log', 'sqrt', 'sin', 'cos',
                                   'reciprocal', 'softmax', 'matmul', 'div', 'mean', 'relu'])
def test_second_derivatives(fname):
    def run(T):
        x = T.tensor([[0.3, 1.2], [2.0, 0.7]], dtype=T.float64, requires_grad=True)
        w = T.tensor([[1.5, -0.5], [0.25, 2.0]], dtype=T.float64, requires_grad=True)
        f = {'exp': lambda: x.exp() * w, 'tanh': lambda: (x * w).tanh(),
             'sigmoid': lambda: (x * w).sigmoid(), 'log': lambda: x.log() * w,
             'sqrt': lambda: x.sqrt() * w, 'sin': lambda: x.sin() * w.cos(),
             'cos': lambda: (x * w).cos(), 'reciprocal': lambda: x.reciprocal() * w,
             'softmax': lambda: (x * w).softmax(-1) * w, 'matmul': lambda: (x @ w) @ x,
             'div': lambda: x / w, 'mean': lambda: (x * x).mean(0) * w,
             'relu': lambda: (x * w - 1).relu() * x}[fname]()
        g = T.autograd.grad(f.sum(), [x, w], create_graph=True)
        (g[0].pow(2).sum() + (g[1] * x).sum()).backward()
        return x.grad, w.grad
    nt, pt = both(run)
    assert_close(nt, pt, rtol=1e-9, atol=1e-9)


def test_gradgradcheck():
    x = numtorch.tensor([[0.3, 1.2], [2.0, 0.7]], dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradgradcheck(lambda a: (a.exp() * a.sin()).sum(1), (x,))


def test_gradcheck_detects_wrong_gradient():
    class Bad(numtorch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            a, = ctx.saved_tensors
            return g * a  # wrong: should be 2a

    x = numtorch.tensor([1.0, 2.0], dtype=numtorch.float64, requires_grad=True)
    with pytest.raises(numtorch.autograd.GradcheckError, match='Jacobian mismatch'):
        numtorch.autograd.gradcheck(Bad.apply, (x,))
    assert not numtorch.autograd.gradcheck(Bad.apply, (x,), raise_exception=False)


def test_hooks_and_retain_grad():
    def run(T):
        x = T.tensor([1., 2., 3.], requires_grad=True)
        seen = []
        x.register_hook(lambda g: seen.append(g.clone()))
        y = x * 2
        y.retain_grad()
        h = y.register_hook(lambda g: g * 10)
        z = (y * y).sum()
        z.backward(retain_graph=True)
        first = x.grad.clone()
        h.remove()
        x.grad = None
        z.backward()
        return first, x.grad, y.grad, seen[0], y.is_leaf, y.retains_grad
    nt, pt = both(run)
    for a, b in zip(nt[:4], pt[:4]):
        assert_close(a, b)
    assert nt[4:] == pt[4:]


def test_post_accumulate_grad_hook():
    x = numtorch.ones(2, requires_grad=True)
    calls = []
    x.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.clone()))
    (x * 3).sum().backward()
    assert calls[0].tolist() == [3.0, 3.0]


def test_no_grad_enable_grad_set_grad_enabled_inference_mode():
    x = numtorch.ones(2, requires_grad=True)
    with numtorch.no_grad():
        y = x * 2
        with numtorch.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad
    with numtorch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert numtorch.is_grad_enabled()
    numtorch.set_grad_enabled(False)
    assert not numtorch.is_grad_enabled()
    numtorch.set_grad_enabled(True)
    with numtorch.inference_mode():
        assert not (x * 2).requires_grad
        assert numtorch.is_inference_mode_enabled()

    @numtorch.no_grad()
    def f(a):
        return a * 2

    @numtorch.no_grad
    def g(a):
        return a * 2

    assert not f(x).requires_grad and not g(x).requires_grad
    assert numtorch.is_grad_enabled()


def test_custom_function():
    def run(T):
        class Cube(T.autograd.Function):
            @staticmethod
            def forward(ctx, a, k):
                ctx.save_for_backward(a)
                ctx.k = k
                return a ** 3 * k

            @staticmethod
            def backward(ctx, g):
                a, = ctx.saved_tensors
                return g * 3 * a ** 2 * ctx.k, None

        x = T.tensor([1., -2.], requires_grad=True)
        y = Cube.apply(x, 2.0)
        (y * y).sum().backward()
        return y, x.grad, type(y.grad_fn).__name__ if T is torch else y.grad_fn.name()
    nt, pt = both(run)
    assert_close(nt[:2], pt[:2])
    assert nt[2] == pt[2] == 'CubeBackward'


def test_variable_legacy_api():
    from numtorch.autograd import Variable
    t = numtorch.FloatTensor([[1, 2], [3, 4]])
    v = Variable(t, requires_grad=True)
    assert isinstance(t, Variable) and v is not t and not t.requires_grad
    out = numtorch.mean(v * v)
    out.backward()
    assert v.grad.tolist() == [[0.5, 1.0], [1.5, 2.0]]
    assert v.data.numpy().tolist() == [[1, 2], [3, 4]]


def test_detach_and_data():
    x = numtorch.tensor([1., 2.], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    d[0] = 5
    assert x[0].item() == 5
    x.data = numtorch.tensor([7., 8.])
    assert x.tolist() == [7., 8.] and x.requires_grad
    y = x * 2
    y.detach_()
    assert y.grad_fn is None and not y.requires_grad


def test_deep_graph_no_recursion():
    x = numtorch.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(20000):
        y = y * 1.0001
    y.backward()
    assert abs(x.grad.item() - 1.0001 ** 20000) < 1e-2


def test_grad_fn_names_and_next_functions():
    x = numtorch.ones(3, requires_grad=True)
    y = (x * 2).exp().sum()
    assert y.grad_fn.name() == 'SumBackward0'
    nf = y.grad_fn.next_functions
    assert nf[0][0].name() == 'ExpBackward0'
    leaf = nf[0][0].next_functions[0][0].next_functions[0][0]
    assert leaf.variable is x
    assert repr(y.grad_fn).startswith('<SumBackward0 object at 0x')


def test_backward_inputs_argument():
    def run(T):
        x = T.ones(2, requires_grad=True)
        w = T.ones(2, requires_grad=True)
        (x * w * 3).sum().backward(inputs=[w])
        return x.grad, w.grad
    nt, pt = both(run)
    assert nt[0] is None and pt[0] is None
    assert_close(nt[1], pt[1])


def test_grad_of_nonleaf_input():
    def run(T):
        x = T.tensor([1., 2.], requires_grad=True)
        y = x * 3
        z = (y * y).sum()
        return T.autograd.grad(z, y)[0]
    nt, pt = both(run)
    assert_close(nt, pt)


def test_anomaly_detection_reports_nan():
    x = numtorch.tensor([0.0], requires_grad=True)
    with numtorch.autograd.detect_anomaly():
        y = x.sqrt() * 0
        with pytest.raises(RuntimeError, match="returned nan values"):
            y.backward()
