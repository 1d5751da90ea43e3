"""torch.autograd.functional (vjp, jvp, jacobian, hessian, vhp, hvp) against PyTorch."""
import numpy as np
import pytest
import torch

import numtorch as nt
import numtorch.autograd.functional as NF
import torch.autograd.functional as TF

RNG = np.random.default_rng(0)
X = RNG.standard_normal(3)
Y = RNG.standard_normal(3)
W = RNG.standard_normal((3, 2))
LIN_W = RNG.standard_normal((2, 3))
LIN_B = RNG.standard_normal(2)


def _t(T, a, rg=False):
    return T.tensor(a, dtype=T.float64, requires_grad=rg)


def _conv(T, v, rg=False):
    if isinstance(v, tuple):
        return tuple(_t(T, a, rg) for a in v)
    return _t(T, v, rg)


def _linear(T):
    """nn.Linear(3, 2) in float64 with the same weights in both libraries."""
    lin = T.nn.Linear(3, 2).double()
    with T.no_grad():
        lin.weight.copy_(_t(T, LIN_W))
        lin.bias.copy_(_t(T, LIN_B))
    return lin


def _same(a, b, path='r'):
    """Same nesting (tuples vs Tensors), shapes, dtypes, requires_grad and values."""
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b), (path, type(b))
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f'{path}[{i}]')
        return
    assert isinstance(b, nt.Tensor), (path, type(b))
    assert tuple(a.shape) == tuple(b.shape), (path, a.shape, b.shape)
    assert str(a.dtype) == str(b.dtype), path
    assert a.requires_grad == b.requires_grad, (path, a.requires_grad, b.requires_grad)
    np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), rtol=1e-10, atol=1e-12,
                               err_msg=path)


def _flat(r):
    if isinstance(r, tuple):
        return [t for x in r for t in _flat(x)]
    return [r]


def _both(name, f, ins, rg_inputs=False, **kw):
    """Runs ``name`` in both libraries; with ``rg_inputs`` also backpropagates the sum of every
    returned tensor (create_graph=True) and compares the inputs' gradients."""
    res, grads = [], []
    for T, F in ((torch, TF), (nt, NF)):
        args = {k: _conv(T, v) if isinstance(v, (np.ndarray, tuple)) else v
                for k, v in kw.items()}
        inputs = _conv(T, ins, rg_inputs)
        env = {'T': T, 'lin': _linear(T), 'W': _t(T, W)}
        r = getattr(F, name)(lambda *a: f(env, *a), inputs, **args)
        res.append(r)
        if rg_inputs:
            leaves = inputs if isinstance(inputs, tuple) else (inputs,)
            parts = [t.sum() for t in _flat(r) if t.requires_grad]
            gs = T.autograd.grad(sum(parts), leaves, allow_unused=True) if parts else \
                (None,) * len(leaves)
            grads.append(tuple(T.zeros_like(x) if g is None else g for x, g in zip(leaves, gs)))
    _same(res[0], res[1])
    if rg_inputs:
        _same(grads[0], grads[1], 'grad')
    return res


# functions of one tensor, of a tuple of tensors, with tuple outputs; `e` holds the library
FUNCS = {
    'poly': (lambda e, x: x ** 3 - 2 * x * x + 1, X),
    'matmul': (lambda e, x: x @ e['W'], X),
    'softmax': (lambda e, x: e['T'].softmax(x, 0), X),
    'linear': (lambda e, x: e['lin'](x).tanh(), X),
    'tuple_in': (lambda e, x, y: x * y.exp() + x.sin(), (X, Y)),
    'tuple_in_out': (lambda e, x, y: (x * y, (x ** 2).sum() + y.sin().sum()), (X, Y)),
    'tuple_out': (lambda e, x: (x.exp(), (x @ e['W']).sum()), X),
    'matrix_in': (lambda e, x: (x.view(3, 1) * x).tanh(), X),
}
SCALAR_FUNCS = {
    'poly': (lambda e, x: (x ** 3 - 2 * x * x).sum(), X),
    'logsumexp': (lambda e, x: e['T'].logsumexp(x, 0), X),
    'softmax': (lambda e, x: (e['T'].softmax(x, 0) * x).sum(), X),
    'linear': (lambda e, x: (e['lin'](x).tanh() ** 2).sum(), X),
    'tuple_in': (lambda e, x, y: (x * y.exp()).sum() + (x ** 3).sum() * y[0], (X, Y)),
}


@pytest.mark.parametrize('create_graph', [False, True])
@pytest.mark.parametrize('fname', list(FUNCS))
def test_jacobian(fname, create_graph):
    f, ins = FUNCS[fname]
    _both('jacobian', f, ins, create_graph=create_graph)


@pytest.mark.parametrize('fname', list(FUNCS))
def test_jacobian_create_graph_gradients(fname):
    f, ins = FUNCS[fname]
    _both('jacobian', f, ins, rg_inputs=True, create_graph=True)


@pytest.mark.parametrize('fname', ['poly', 'tuple_in_out', 'linear'])
def test_jacobian_vectorize(fname):
    f, ins = FUNCS[fname]
    _both('jacobian', f, ins, vectorize=True)
    _both('jacobian', f, ins, vectorize=True, create_graph=True)


@pytest.mark.parametrize('create_graph', [False, True])
@pytest.mark.parametrize('fname', list(SCALAR_FUNCS))
def test_hessian(fname, create_graph):
    f, ins = SCALAR_FUNCS[fname]
    _both('hessian', f, ins, create_graph=create_graph)


def test_hessian_create_graph_gradients_and_vectorize():
    f, ins = SCALAR_FUNCS['tuple_in']
    _both('hessian', f, ins, rg_inputs=True, create_graph=True)
    _both('hessian', f, ins, vectorize=True)


def _v_for(name, f, ins):
    """A v shaped like the outputs (vjp) or the inputs (jvp, hvp, vhp)."""
    if name != 'vjp':
        return tuple(a[::-1] + 0.5 for a in ins) if isinstance(ins, tuple) else ins[::-1] + 0.5
    out = f({'T': torch, 'lin': _linear(torch), 'W': _t(torch, W)}, *_conv(torch, (
        ins if isinstance(ins, tuple) else (ins,))))
    shapes = [o.shape for o in (out if isinstance(out, tuple) else (out,))]
    vs = tuple(RNG.standard_normal(tuple(s)) for s in shapes)
    return vs if isinstance(out, tuple) else vs[0]


@pytest.mark.parametrize('create_graph', [False, True])
@pytest.mark.parametrize('name', ['vjp', 'jvp'])
@pytest.mark.parametrize('fname', list(FUNCS))
def test_vjp_jvp(name, fname, create_graph):
    f, ins = FUNCS[fname]
    v = _v_for(name, f, ins)
    _both(name, f, ins, v=v, create_graph=create_graph)
    if create_graph:
        _both(name, f, ins, rg_inputs=True, v=v, create_graph=True)


@pytest.mark.parametrize('create_graph', [False, True])
@pytest.mark.parametrize('name', ['hvp', 'vhp'])
@pytest.mark.parametrize('fname', list(SCALAR_FUNCS))
def test_hvp_vhp(name, fname, create_graph):
    f, ins = SCALAR_FUNCS[fname]
    v = _v_for(name, f, ins)
    _both(name, f, ins, v=v, create_graph=create_graph)
    if create_graph:
        _both(name, f, ins, rg_inputs=True, v=v, create_graph=True)


def test_v_defaults_for_one_element():
    one = np.array([0.7])
    _both('vjp', lambda e, x: (x ** 3).sum(), X)
    _both('jvp', lambda e, x: x * x.exp(), one)
    _both('hvp', lambda e, x: (x ** 4).sum(), one)
    _both('vhp', lambda e, x: (x ** 4).sum(), one, create_graph=True)


def test_independent_outputs_give_zeros():
    _both('jacobian', lambda e, x, y: (x * 2, y.detach() + 1), (X, Y))
    _both('jacobian', lambda e, x, y: x.sin(), (X, Y), create_graph=True)
    _both('vjp', lambda e, x, y: x * 2, (X, Y), v=Y)
    _both('jvp', lambda e, x, y: (x * 2, y.detach()), (X, Y), v=(Y, X))
    _both('hessian', lambda e, x, y: (x ** 3).sum() + y.sum(), (X, Y))
    _both('hvp', lambda e, x: x.sum() * 2, X, v=Y)
    _both('vhp', lambda e, x, y: (x ** 2).sum(), (X, Y), v=(Y, X))
    # a function that closes over the user's tensor instead of using its argument (PyTorch
    # gives it fresh input objects, so its gradient is zero)
    for T, F in ((torch, TF), (nt, NF)):
        x = _t(T, X)
        assert F.jacobian(lambda a: x * 2, x).abs().sum().item() == 0


def test_results_detached_and_grad_mode():
    for T, F in ((torch, TF), (nt, NF)):
        x = _t(T, X, rg=True)
        out, g = F.vjp(lambda a: a ** 2, x, _t(T, Y))
        assert not out.requires_grad and not g.requires_grad and out.grad_fn is None
        with T.no_grad():
            j = F.jacobian(lambda a: a ** 2, x, create_graph=True)
        assert j.requires_grad
        assert not x.requires_grad or x.grad is None


def _err(call):
    out = []
    for T, F in ((torch, TF), (nt, NF)):
        x = _t(T, X)
        y = _t(T, Y)
        with pytest.raises(Exception) as info:
            call(T, F, x, y)
        out.append((info.type, str(info.value).replace('numtorch', 'torch')))
    assert out[0] == out[1]
    return out[1]


ERRORS = {
    'nontensor_in': lambda T, F, x, y: F.jacobian(lambda a: a, [x]),
    'nontensor_in_tuple': lambda T, F, x, y: F.vjp(lambda a, b: a, (x, 3)),
    'nontensor_out': lambda T, F, x, y: F.jacobian(lambda a: 3.0, x),
    'nontensor_out_tuple': lambda T, F, x, y: F.jvp(lambda a: (a, [a]), x, x),
    'v_type': lambda T, F, x, y: F.vjp(lambda a: a, x, [x]),
    'v_none_vjp': lambda T, F, x, y: F.vjp(lambda a: a * 2, x),
    'v_none_jvp': lambda T, F, x, y: F.jvp(lambda a: a * 2, x),
    'v_none_hvp': lambda T, F, x, y: F.hvp(lambda a: a.sum(), x),
    'v_bad_len': lambda T, F, x, y: F.vjp(lambda a, b: (a, b), (x, y), (x,)),
    'v_bad_single': lambda T, F, x, y: F.vjp(lambda a: a, x, (x, y)),
    'v_bad_size': lambda T, F, x, y: F.vjp(lambda a, b: (a, b), (x, y), (x, y[:2])),
    'v_bad_size1': lambda T, F, x, y: F.jvp(lambda a: a, x, y[:2]),
    'strict_out': lambda T, F, x, y: F.jacobian(lambda a, b: (a * 2, b.detach()), (x, y),
                                                strict=True),
    'strict_indep': lambda T, F, x, y: F.jacobian(lambda a, b: a * 2, (x, y), strict=True),
    'strict_vjp': lambda T, F, x, y: F.vjp(lambda a, b: a * 2, (x, y), x, strict=True),
    'strict_jvp': lambda T, F, x, y: F.jvp(lambda a, b: a * 2, (x, y), (x, y), strict=True),
    'strict_jvp_cg': lambda T, F, x, y: F.jvp(lambda a: a * 2, x, y, strict=True,
                                              create_graph=True),
    'strict_vjp_cg': lambda T, F, x, y: F.vjp(lambda a: a * 2, x, x, strict=True,
                                              create_graph=True),
    'strict_jac_cg': lambda T, F, x, y: F.jacobian(lambda a: a * 2, x, strict=True,
                                                   create_graph=True),
    'strict_hess_linear': lambda T, F, x, y: F.hessian(lambda a: a.sum() * 2, x, strict=True),
    'strict_hess_quad_cg': lambda T, F, x, y: F.hessian(lambda a: (a ** 2).sum(), (x, y),
                                                        strict=True, create_graph=True),
    'strict_vhp_linear': lambda T, F, x, y: F.vhp(lambda a: a.sum() * 2, x, x, strict=True),
    'strict_vhp_indep': lambda T, F, x, y: F.vhp(lambda a, b: (a ** 2).sum(), (x, y), (x, y),
                                                 strict=True),
    'strict_hvp_linear': lambda T, F, x, y: F.hvp(lambda a: a.sum() * 2, x, x, strict=True),
    'strict_hvp_indep': lambda T, F, x, y: F.hvp(lambda a, b: (a ** 3).sum(), (x, y), (x, y),
                                                 strict=True),
    'hess_tuple_out': lambda T, F, x, y: F.hessian(lambda a: (a.sum(),), x),
    'hess_not_scalar': lambda T, F, x, y: F.hessian(lambda a: a ** 2, x),
    'hvp_not_scalar': lambda T, F, x, y: F.hvp(lambda a: a ** 2, x, x),
    'vhp_tuple_out': lambda T, F, x, y: F.vhp(lambda a: (a.sum(),), x, x),
    'vectorize_strict': lambda T, F, x, y: F.jacobian(lambda a: a ** 2, x, strict=True,
                                                      vectorize=True),
    'forward_mode': lambda T, F, x, y: F.jacobian(lambda a: a ** 2, x, strategy='forward-mode'),
    'forward_mode_cg': lambda T, F, x, y: F.jacobian(lambda a: a ** 2, x, create_graph=True,
                                                     strategy='forward-mode'),
    'forward_mode_strict': lambda T, F, x, y: F.jacobian(lambda a: a ** 2, x, strict=True,
                                                         strategy='forward-mode'),
    'bad_strategy': lambda T, F, x, y: F.jacobian(lambda a: a ** 2, x, strategy='x'),
    'hess_bad_strategy': lambda T, F, x, y: F.hessian(lambda a: (a ** 2).sum(), x,
                                                      outer_jacobian_strategy='x'),
}


@pytest.mark.parametrize('case', list(ERRORS))
def test_errors_match_torch(case):
    _err(ERRORS[case])


def test_forward_mode_vectorized_not_supported():
    x = nt.tensor([1.0, 2.0])
    with pytest.raises(NotImplementedError, match="strategy='forward-mode'"):
        NF.jacobian(lambda a: a ** 2, x, strategy='forward-mode', vectorize=True)
    with pytest.raises(NotImplementedError, match="strategy='forward-mode'"):
        NF.hessian(lambda a: (a ** 2).sum(), x, outer_jacobian_strategy='forward-mode',
                   vectorize=True)


def test_single_input_stack_cat_einsum_gradients():
    # regression: Stack/Cat/Einsum of ONE tensor returned a 1-tuple as that input's gradient
    for cg in (False, True):
        r = []
        for T in (torch, nt):
            x = _t(T, X, rg=True)
            y = (T.stack([x], 1) ** 2).sum() + T.cat([x]).exp().sum() + T.einsum('i->', x) ** 2
            g, = T.autograd.grad(y, x, create_graph=cg)
            r.append(g.detach().numpy())
        np.testing.assert_allclose(r[1], r[0], rtol=1e-12)


def test_strict_passes_when_everything_depends():
    f, ins = SCALAR_FUNCS['tuple_in']
    _both('hessian', f, ins, strict=True)
    _both('hvp', f, ins, v=(Y, X), strict=True, create_graph=True)
    _both('jacobian', FUNCS['tuple_in_out'][0], (X, Y), strict=True, create_graph=True)


def test_sum_to_size_scalar_shape():
    # regression: np.ascontiguousarray made sum_to_size(()) return shape (1,)
    x = nt.ones(3, requires_grad=True)
    y = x.sum_to_size(())
    assert tuple(y.shape) == tuple(torch.ones(3).sum_to_size(()).shape) == ()
    y.backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


def test_einsum_zero_dim_operand_gradient():
    # regression: np.ascontiguousarray gave the 0-d operand's gradient shape (1,)
    r = []
    for T in (torch, nt):
        x = _t(T, X, rg=True)
        s = T.tensor(2.0, dtype=T.float64, requires_grad=True)
        T.einsum('i,->i', x, s).sum().backward()
        r.append((tuple(s.grad.shape), s.grad.item(), x.grad.tolist()))
    assert r[0] == r[1]
