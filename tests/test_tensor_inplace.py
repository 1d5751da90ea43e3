"""In-place Tensor methods (``x.acos_()``, ``x.hypot_(y)``, ...) and the top-level
``torch.<name>_`` functions against PyTorch: values and dtypes, the tensor modified in place
(same object, version bumped, views see it), grad_fn names and gradients through in-place
ops on non-leaf tensors, the leaf error and the integer-cast errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
from test_nn_conv import same_error

RNG = np.random.default_rng(7)
SHAPE = (3, 4)
INPUTS = {  # input kinds: arrays every entry of a kind starts from
    'any': RNG.standard_normal(SHAPE),
    'unit': RNG.uniform(-0.8, 0.8, SHAPE),
    'prob': RNG.uniform(0.1, 0.9, SHAPE),
    'pos': RNG.uniform(0.3, 3.0, SHAPE),
    'gt1': RNG.uniform(1.2, 3.0, SHAPE),
    'int': RNG.integers(-6, 7, SHAPE),
    'nat': RNG.integers(1, 13, SHAPE),
    'bool': RNG.integers(0, 2, SHAPE).astype(bool),
}
OTHER = RNG.standard_normal(SHAPE)
OTHER_POS = RNG.uniform(0.5, 2.0, SHAPE)
OTHER_INT = RNG.integers(1, 9, SHAPE)
OTHER_BOOL = RNG.integers(0, 2, SHAPE).astype(bool)
MAT = RNG.standard_normal((3, 5))
VEC3 = RNG.standard_normal(3)
VEC4 = RNG.standard_normal(4)
VEC5 = RNG.standard_normal(5)
B1 = RNG.standard_normal((2, 3, 5))
B2 = RNG.standard_normal((2, 5, 4))


def t(lib, a, dtype=None):
    """A tensor of ``a`` in ``lib``; float arrays in ``dtype`` (the input's own dtype)."""
    x = lib.tensor(a)
    if dtype is not None and x.is_floating_point():
        x = x.to(getattr(lib, str(dtype).split('.')[-1]))
    return x


NONE = lambda m, d: ((), {})  # noqa: E731


def one(a):
    return lambda m, d: ((t(m, a, d),), {})


# (method, input kind, arguments as a function of (library, float dtype), differentiable)
TABLE = [
    ('acos_', 'unit', NONE, True), ('arccos_', 'unit', NONE, True),
    ('asin_', 'unit', NONE, True), ('arcsin_', 'unit', NONE, True),
    ('atan_', 'any', NONE, True), ('arctan_', 'any', NONE, True),
    ('acosh_', 'gt1', NONE, False), ('arccosh_', 'gt1', NONE, False),
    ('asinh_', 'any', NONE, False), ('arcsinh_', 'any', NONE, False),
    ('atanh_', 'unit', NONE, False), ('arctanh_', 'unit', NONE, False),
    ('cosh_', 'any', NONE, True), ('sinh_', 'any', NONE, True), ('tan_', 'unit', NONE, True),
    ('erf_', 'any', NONE, True), ('erfc_', 'any', NONE, True), ('erfinv_', 'unit', NONE, True),
    ('exp2_', 'any', NONE, True), ('expm1_', 'any', NONE, True),
    ('log10_', 'pos', NONE, True), ('log1p_', 'pos', NONE, True), ('log2_', 'pos', NONE, True),
    ('rsqrt_', 'pos', NONE, True), ('frac_', 'any', NONE, True), ('fix_', 'any', NONE, True),
    ('sinc_', 'any', NONE, True), ('sgn_', 'any', NONE, True), ('sign_', 'any', NONE, True),
    ('deg2rad_', 'any', NONE, True), ('rad2deg_', 'any', NONE, True),
    ('lgamma_', 'pos', NONE, True), ('digamma_', 'pos', NONE, True),
    ('polygamma_', 'pos', lambda m, d: ((0,), {}), True),
    ('logit_', 'prob', NONE, True), ('logit_', 'any', lambda m, d: ((0.2,), {}), True),
    ('nan_to_num_', 'any', lambda m, d: ((), dict(nan=1.0, posinf=2.0)), True),
    ('negative_', 'any', NONE, True), ('absolute_', 'any', NONE, True),
    ('atan2_', 'any', one(OTHER), True), ('arctan2_', 'any', one(OTHER), True),
    ('hypot_', 'any', one(OTHER), True), ('copysign_', 'any', one(OTHER), True),
    ('fmod_', 'any', one(OTHER_POS), True), ('remainder_', 'any', lambda m, d: ((0.7,), {}), True),
    ('xlogy_', 'any', one(OTHER_POS), True),
    ('heaviside_', 'any', one(OTHER), False),
    ('true_divide_', 'any', one(OTHER_POS), True), ('divide_', 'any', one(OTHER_POS), True),
    ('divide_', 'any', lambda m, d: ((t(m, OTHER_POS, d),), dict(rounding_mode='trunc')), True),
    ('multiply_', 'any', one(OTHER), True),
    ('subtract_', 'any', lambda m, d: ((t(m, OTHER, d),), dict(alpha=2)), True),
    ('floor_divide_', 'any', one(OTHER_POS), False),
    ('floor_divide_', 'int', one(OTHER_INT), False),
    ('greater_', 'any', one(OTHER), False), ('greater_equal_', 'any', one(OTHER), False),
    ('less_', 'any', one(OTHER), False), ('less_equal_', 'any', one(OTHER), False),
    ('not_equal_', 'int', one(OTHER_INT), False),
    ('logical_and_', 'any', one(OTHER), False), ('logical_or_', 'bool', one(OTHER_BOOL), False),
    ('logical_xor_', 'int', one(OTHER_BOOL), False),
    ('bitwise_and_', 'int', one(OTHER_INT), False), ('bitwise_or_', 'bool', one(OTHER_BOOL), False),
    ('bitwise_xor_', 'int', one(OTHER_INT), False), ('bitwise_not_', 'int', NONE, False),
    ('bitwise_left_shift_', 'nat', one(OTHER_INT), False),
    ('bitwise_right_shift_', 'nat', lambda m, d: ((2,), {}), False),
    ('gcd_', 'int', one(OTHER_INT), False), ('lcm_', 'nat', one(OTHER_INT), False),
    ('cumprod_', 'any', lambda m, d: ((1,), {}), True),
    ('addmv_', 'any', lambda m, d: ((t(m, MAT, d), t(m, VEC5, d)), dict(beta=0.5)), True),
    ('addr_', 'any', lambda m, d: ((t(m, VEC3, d), t(m, VEC4, d)), dict(alpha=2)), True),
    ('addbmm_', 'any', lambda m, d: ((t(m, B1, d), t(m, B2, d)), {}), True),
    ('baddbmm_', 'any', lambda m, d: ((t(m, B1, d)[:1], t(m, B2, d)[:1]), dict(beta=2)), True),
    ('scatter_reduce_', 'any',
     lambda m, d: ((1, m.tensor([[0, 1], [2, 2], [3, 0]]), t(m, OTHER[:, :2], d), 'sum'), {}),
     True),
]
IDS = [f'{e[0]}-{i}' for i, e in enumerate(TABLE)]


def _input(lib, kind, dtype):
    x = lib.tensor(INPUTS[kind])
    return x.to(dtype) if x.is_floating_point() else x


@pytest.mark.parametrize('entry', TABLE, ids=IDS)
def test_values_in_place(entry):
    name, kind, args, _ = entry
    res = []
    for lib, dt in ((torch, torch.float32), (numtorch, numtorch.float32)):
        x = _input(lib, kind, dt)
        if kind == 'any' and name == 'addmv_':
            x = x[:, 0].contiguous()
        elif name in ('addbmm_', 'baddbmm_'):
            x = x.reshape(1, 3, 4) if name == 'baddbmm_' else x
        view = x.view(-1)
        v0 = x._version
        a, kw = args(lib, dt)
        r = getattr(x, name)(*a, **kw)
        assert r is x
        assert x._version == v0 + 1
        res.append((x, view))
    (px, pv), (nx, nv) = res
    assert str(nx.dtype) == str(px.dtype)
    assert tuple(nx.shape) == tuple(px.shape)
    np.testing.assert_allclose(nx.numpy(), px.numpy(), rtol=2e-5, atol=1e-5)
    np.testing.assert_allclose(nv.numpy(), pv.numpy(), rtol=2e-5, atol=1e-5)


def _grad_run(lib, entry):
    name, kind, args, _ = entry
    x = lib.tensor(INPUTS[kind], requires_grad=True)
    if name == 'addmv_':
        x = lib.tensor(INPUTS[kind][:, 0].copy(), requires_grad=True)
    a, kw = args(lib, lib.float64)
    a = tuple(u.detach().requires_grad_() if isinstance(u, lib.Tensor) and u.is_floating_point()
              else u for u in a)
    y = x * 1
    if name == 'baddbmm_':
        y = y.reshape(1, 3, 4)
    getattr(y, name)(*a, **kw)
    w = lib.tensor(np.arange(1, y.numel() + 1, dtype=np.float64).reshape(y.shape))
    (y * w).sum().backward()
    grads = [x.grad] + [u.grad for u in a if isinstance(u, lib.Tensor) and u.requires_grad]
    return y.grad_fn.name(), y.detach(), grads


# (method, PyTorch's node name): numtorch's node name, where numtorch's out-of-place op is a
# composite or shares another op's node (a deviation of the out-of-place op, not of in-place).
NAME_DEVIATIONS = {
    ('divide_', 'DivBackward2'): 'TruncBackward0',
    ('polygamma_', 'PolygammaBackward1'): 'DigammaBackward0',
}


@pytest.mark.parametrize('entry', [e for e in TABLE if e[3]],
                         ids=[i for i, e in zip(IDS, TABLE) if e[3]])
def test_autograd_through_in_place(entry):
    pname, pv, pg = _grad_run(torch, entry)
    nname, nv, ng = _grad_run(numtorch, entry)
    if (entry[0], pname) in NAME_DEVIATIONS:
        # numtorch's out-of-place op already records another node; the in-place one follows it
        assert nname == NAME_DEVIATIONS[entry[0], pname]
    else:
        assert nname == pname
    np.testing.assert_allclose(nv.numpy(), pv.numpy(), rtol=1e-10, atol=1e-12)
    assert len(ng) == len(pg)
    for a, b in zip(ng, pg):
        np.testing.assert_allclose(a.numpy(), b.numpy(force=True), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize('entry', [e for e in TABLE if e[3]][::3], ids=lambda e: e[0])
def test_leaf_error(entry):
    name, kind, args, _ = entry

    def run(lib):
        x = lib.tensor(INPUTS[kind], requires_grad=True)
        a, kw = args(lib, lib.float64)
        return getattr(x, name)(*a, **kw)
    same_error(lambda: run(numtorch), lambda: run(torch))


@pytest.mark.parametrize('entry', [e for e in TABLE if e[1] in ('any', 'unit', 'pos', 'prob')
                                   # (scatter_reduce: numtorch misses PyTorch's dtype check)
                                   and e[0] not in ('scatter_reduce_',)],
                         ids=lambda e: e[0])
def test_integer_self(entry):
    """On an int64 tensor an op either gives PyTorch's int values or raises its error (a
    float result can't be written into an integer tensor)."""
    name, kind, args, _ = entry
    ints = np.round(INPUTS[kind] * 3).astype(np.int64)
    ints[ints == 0] = 1

    def run(lib):
        x = lib.tensor(ints)
        a, kw = args(lib, lib.float32)
        return getattr(x, name)(*a, **kw)
    try:
        expected = run(torch)
    except Exception:
        same_error(lambda: run(numtorch), lambda: run(torch))
        return
    got = run(numtorch)
    assert str(got.dtype) == str(expected.dtype)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_view_in_place_autograd():
    """An in-place op on a view rewrites the base's history (CopySlices) as in PyTorch."""
    out = []
    for lib in (torch, numtorch):
        x = lib.tensor(INPUTS['unit'], requires_grad=True)
        y = x * 2
        y[1].asin_()
        assert y.grad_fn.name().endswith('CopySlices')
        (y * y).sum().backward()
        out.append((y.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=1e-6)
    np.testing.assert_allclose(out[1][1], out[0][1], rtol=1e-6)


@pytest.mark.parametrize('name', ['acosh_', 'arcsinh_', 'atanh_'])
def test_in_place_without_derivative(name):
    """PyTorch records acosh_/asinh_/atanh_ with a node whose backward raises."""
    src = INPUTS['gt1'] if 'cosh' in name else INPUTS['unit']
    ys = []
    for lib in (torch, numtorch):
        x = lib.tensor(src, requires_grad=True)
        y = x * 1
        assert getattr(y, name)() is y
        ys.append(y)
    assert ys[1].grad_fn.name() == ys[0].grad_fn.name()
    np.testing.assert_allclose(ys[1].detach().numpy(), ys[0].detach().numpy(), rtol=1e-12)
    same_error(lambda: ys[1].sum().backward(), lambda: ys[0].sum().backward())


def test_saved_tensor_modified_error():
    """An in-place op on a tensor a node saved makes backward raise PyTorch's error."""
    def run(lib):
        x = lib.tensor(INPUTS['pos'], requires_grad=True)
        y = x * 1
        z = y.log2()
        y.rsqrt_()
        z.sum().backward()
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        run(numtorch)
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        run(torch)


ERRORS = [
    ('float_power_ on float32', lambda m: m.ones(2).float_power_(2)),
    ('float_power_ on int', lambda m: m.ones(2, dtype=m.int64).float_power_(2)),
    ('cumprod_ dtype', lambda m: m.ones(2).cumprod_(0, dtype=m.float64)),
    ('cumsum_ dtype', lambda m: m.ones(2, dtype=m.int64).cumsum_(0, dtype=m.int32)),
    ('true_divide_ int', lambda m: m.ones(2, dtype=m.int64).true_divide_(2)),
    ('shape mismatch', lambda m: m.ones(2).hypot_(m.ones(3, 2))),
    ('gcd_ float', lambda m: m.ones(2).gcd_(m.ones(2, dtype=m.int64))),
    ('bitwise_and_ float', lambda m: m.ones(2).bitwise_and_(1)),
    ('heaviside_ dtypes', lambda m: m.ones(2, dtype=m.int64).heaviside_(m.ones(2))),
    ('neg_ bool', lambda m: m.ones(2, dtype=m.bool).negative_()),
]


@pytest.mark.parametrize('case', ERRORS, ids=[c[0] for c in ERRORS])
def test_errors(case):
    same_error(lambda: case[1](numtorch), lambda: case[1](torch))


def test_float_power_and_cumprod_dtype_ok():
    for lib in (torch, numtorch):
        x = lib.tensor([1.5, 2.0], dtype=lib.float64)
        assert x.float_power_(2) is x and x.tolist() == [2.25, 4.0]
        y = lib.ones(3)
        y.cumprod_(0, dtype=lib.float32)


def test_out_of_place_aliases_and_shifts():
    a, b = INPUTS['unit'], OTHER
    for name in ('arcsinh', 'arccosh', 'arctanh'):
        src = INPUTS['gt1'] if name == 'arccosh' else a
        np.testing.assert_allclose(getattr(numtorch.tensor(src), name)().numpy(),
                                   getattr(torch.tensor(src), name)().numpy())
    np.testing.assert_allclose(numtorch.tensor(a).arctan2(numtorch.tensor(b)).numpy(),
                               torch.tensor(a).arctan2(torch.tensor(b)).numpy())
    n, o = INPUTS['nat'], OTHER_INT
    for lib_fn in (lambda m, x, y: x.bitwise_left_shift(y),
                   lambda m, x, y: x.bitwise_right_shift(y),
                   lambda m, x, y: 3 << y, lambda m, x, y: 300 >> y):
        np.testing.assert_array_equal(lib_fn(numtorch, numtorch.tensor(n), numtorch.tensor(o)),
                                      lib_fn(torch, torch.tensor(n), torch.tensor(o)))
    for lib in (numtorch, torch):
        x = lib.tensor(n)
        x0 = x
        x <<= 2
        x >>= 1
        assert x is x0 and x._version == 2
    np.testing.assert_array_equal(x0.numpy(), lib.tensor(n).numpy() * 2)


TOP_LEVEL = [
    ('abs_', 'any', ()), ('acos_', 'unit', ()), ('arcsinh_', 'any', ()), ('ceil_', 'any', ()),
    ('clamp_', 'any', (-0.5, 0.5)), ('clamp_min_', 'any', (0.1,)), ('clip_', 'any', (None, 0.)),
    ('cos_', 'any', ()), ('deg2rad_', 'any', ()), ('erf_', 'any', ()), ('exp_', 'any', ()),
    ('fill_', 'any', (2.5,)), ('fix_', 'any', ()), ('frac_', 'any', ()), ('log_', 'pos', ()),
    ('logit_', 'prob', ()), ('nan_to_num_', 'any', ()), ('neg_', 'any', ()),
    ('reciprocal_', 'pos', ()), ('relu_', 'any', ()), ('round_', 'any', ()),
    ('rsqrt_', 'pos', ()), ('sigmoid_', 'any', ()), ('sin_', 'any', ()), ('sqrt_', 'pos', ()),
    ('square_', 'any', ()), ('tanh_', 'any', ()), ('trunc_', 'any', ()), ('zero_', 'any', ()),
    ('celu_', 'any', (0.5,)), ('selu_', 'any', ()), ('threshold_', 'any', (0.1, -1.0)),
    ('gcd_', 'int', 'other'), ('xlogy_', 'pos', 'other'),
]


@pytest.mark.parametrize('case', TOP_LEVEL, ids=[c[0] for c in TOP_LEVEL])
def test_top_level_functions(case):
    name, kind, extra = case
    out = []
    for lib in (torch, numtorch):
        x = lib.tensor(INPUTS[kind])
        if extra == 'other':
            extra_args = (lib.tensor(OTHER_INT if kind == 'int' else OTHER_POS),)
        else:
            extra_args = extra
        assert getattr(lib, name)(x, *extra_args) is x
        out.append(x)
    assert out[1].dtype == getattr(numtorch, str(out[0].dtype)[6:])
    np.testing.assert_allclose(out[1].numpy(), out[0].numpy(), rtol=1e-6, atol=1e-7)


def test_top_level_list_complete():
    """Every public ``torch.<name>_`` function exists in numtorch except the complex and sparse
    ones listed here."""
    missing = {n for n in dir(torch) if n.endswith('_') and not n.startswith('_')
               and not hasattr(numtorch, n)}
    assert missing <= {'conj_physical_', 'resize_as_sparse_'}


def test_dropout_variants_match_torch_stream():
    x = RNG.standard_normal((4, 3, 5))
    for fn, args in (('dropout_', (0.3, True)), ('feature_dropout_', (0.4, True)),
                     ('alpha_dropout_', (0.2, True)), ('feature_alpha_dropout_', (0.5, True)),
                     ('feature_dropout', (0.4, True)), ('dropout_', (0.3, False))):
        torch.manual_seed(3)
        numtorch.manual_seed(3)
        p = torch.tensor(x, dtype=torch.float32)
        n = numtorch.tensor(x, dtype=numtorch.float32)
        pr = getattr(torch, fn)(p, *args)
        nr = getattr(numtorch, fn)(n, *args)
        assert (nr is n) == (pr is p)
        np.testing.assert_allclose(nr.numpy(), pr.numpy(), rtol=1e-6, atol=1e-7)


def test_embedding_renorm_():
    w = RNG.standard_normal((5, 3)) * 2
    idx = [0, 3, 3]
    for max_norm, p in ((1.0, 2.0), (0.5, 1.0), (1.5, float('inf'))):
        a, b = torch.tensor(w), numtorch.tensor(w)
        assert numtorch.embedding_renorm_(b, numtorch.tensor(idx), max_norm, p) is b
        torch.embedding_renorm_(a, torch.tensor(idx), max_norm, p)
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-12)
        assert b._version == 1
    same_error(lambda: numtorch.embedding_renorm_(numtorch.ones(3), numtorch.tensor([0]), 1, 2),
               lambda: torch.embedding_renorm_(torch.ones(3), torch.tensor([0]), 1, 2))
    same_error(lambda: numtorch.embedding_renorm_(numtorch.ones(3, 2, requires_grad=True),
                                                  numtorch.tensor([0]), 1, 2),
               lambda: torch.embedding_renorm_(torch.ones(3, 2, requires_grad=True),
                                               torch.tensor([0]), 1, 2))
