"""Complex dtypes (complex64/complex128) and their ops, checked against PyTorch: promotion,
repr, views, errors, serialization and autograd (the conjugate Wirtinger convention)."""
import numpy as np
import pytest
import torch

import numtorch as nt

RNG = np.random.RandomState(0)
Z = RNG.randn(3, 4) + 1j * RNG.randn(3, 4)
Z2 = RNG.randn(3, 4) + 1j * RNG.randn(3, 4)
W = RNG.randn(4, 2) + 1j * RNG.randn(4, 2)
R = RNG.randn(3, 4)


def both(fn):
    """fn(lib) for numtorch and torch."""
    return fn(nt), fn(torch)


def close(a, b, rtol=1e-5, atol=1e-6):
    if isinstance(b, torch.Tensor):
        assert str(a.dtype) == str(b.dtype), (a.dtype, b.dtype)
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().resolve_conj().numpy(),
                                   rtol=rtol, atol=atol)
    else:
        assert a == pytest.approx(b)


def same_error(fn):
    with pytest.raises(Exception) as et:
        fn(torch)
    with pytest.raises(type(et.value)) as en:
        fn(nt)
    assert str(en.value) == str(et.value)


# -- dtypes ------------------------------------------------------------------------------------
def test_dtype_objects():
    assert nt.cfloat is nt.complex64 and nt.cdouble is nt.complex128
    for n in ('complex64', 'complex128'):
        d, t = getattr(nt, n), getattr(torch, n)
        assert repr(d) == repr(t)
        assert (d.is_complex, d.is_floating_point, d.is_signed, d.itemsize) == \
            (t.is_complex, t.is_floating_point, t.is_signed, t.itemsize)
        assert repr(d.to_real()) == repr(t.to_real())
        assert repr(d.to_complex()) == repr(t.to_complex())
    assert nt.float32.to_complex() is nt.complex64
    assert nt.float64.to_complex() is nt.complex128
    assert nt.float32.to_real() is nt.float32
    with pytest.raises(RuntimeError, match='Unknown Complex ScalarType for Long'):
        nt.int64.to_complex()
    with pytest.raises(NotImplementedError, match='complex32'):
        nt.float16.to_complex()
    for n in ('complex64', 'complex128'):
        fn, ft = nt.finfo(getattr(nt, n)), torch.finfo(getattr(torch, n))
        assert (fn.eps, fn.max, fn.tiny, fn.dtype) == (ft.eps, ft.max, ft.tiny, ft.dtype)


@pytest.mark.parametrize('a', ['bool', 'int32', 'int64', 'float16', 'float32', 'float64',
                               'complex64', 'complex128'])
@pytest.mark.parametrize('b', ['complex64', 'complex128'])
def test_promote_types(a, b):
    r = nt.promote_types(getattr(nt, a), getattr(nt, b))
    assert repr(r) == repr(torch.promote_types(getattr(torch, a), getattr(torch, b)))
    assert nt.can_cast(getattr(nt, b), getattr(nt, a)) == \
        torch.can_cast(getattr(torch, b), getattr(torch, a))


@pytest.mark.parametrize('case', [
    lambda m: m.ones(2) * 1j,
    lambda m: m.ones(2, dtype=m.float64) * 1j,
    lambda m: m.arange(3) * (2 + 1j),
    lambda m: m.ones(2, dtype=m.bool) + 1j,
    lambda m: m.ones(2) + m.tensor(1j, dtype=m.complex128),
    lambda m: m.arange(3) + m.tensor(1j, dtype=m.complex128),
    lambda m: m.ones(2, dtype=m.float64) + m.ones(2, dtype=m.complex64),
    lambda m: m.tensor([1 + 2j]) * m.tensor([2.]),
    lambda m: m.tensor([1, 2.5j]),
    lambda m: m.tensor(np.array([1 + 1j], np.complex64)),
    lambda m: m.tensor(np.array([1 + 1j])),
    lambda m: m.tensor([1.]).to(m.complex64) + 1.5,
    lambda m: m.full((2,), 1 + 2j),
    lambda m: m.zeros(2, dtype=m.cdouble),
    lambda m: m.tensor([1., 2]).cfloat(),
    lambda m: m.tensor([1., 2]).cdouble(),
    lambda m: m.linspace(0, 1, 3, dtype=m.complex64),
    lambda m: m.eye(2, dtype=m.complex64),
])
def test_creation_and_promotion(case):
    n, t = both(case)
    assert repr(n) == repr(t)


def test_default_dtype_float64_gives_complex128():
    nt.set_default_dtype(nt.float64)
    torch.set_default_dtype(torch.float64)
    try:
        n, t = both(lambda m: (m.tensor([1j]), m.ones(2) * 1j, m.result_type(m.ones(1), 1j)))
        assert [repr(v) for v in n] == [repr(v) for v in t]
    finally:
        nt.set_default_dtype(nt.float32)
        torch.set_default_dtype(torch.float32)


def test_complex32_refused():
    with pytest.raises(NotImplementedError, match='complex32'):
        nt.ones(2, dtype=nt.float16) * 1j


# -- repr --------------------------------------------------------------------------------------
@pytest.mark.parametrize('case', [
    lambda m: m.tensor([1 + 2j, 3 - 1j]),
    lambda m: m.tensor(1 + 2j),
    lambda m: m.tensor([1.5 + 2j, -3.25 - 1e-3j]),
    lambda m: m.tensor([[1 + 2j, 3 - 1j], [0j, -0.0 - 0.0j]]),
    lambda m: m.tensor([1e10 + 1j, 1 - 1e-8j]),
    lambda m: m.tensor([1 + 2j], dtype=m.complex128),
    lambda m: m.tensor(np.arange(30).reshape(5, 6) * (1 + 0.5j)),
    lambda m: m.tensor(np.arange(3000) * (0.1 - 0.7j)),
    lambda m: m.tensor([complex('nan+1j'), complex(1, float('inf')),
                        complex(float('-inf'), float('nan'))]),
    lambda m: m.tensor([], dtype=m.complex64),
    lambda m: m.zeros(2, 0, dtype=m.complex128),
    lambda m: m.tensor([1 + 1j]).requires_grad_(),
    lambda m: m.tensor(np.linspace(-5, 5, 40).reshape(2, 20).astype(np.complex64) * (1 - 2j)),
    lambda m: m.tensor([[1 + 1j, 2], [3, 4j]]).abs(),
])
def test_repr(case):
    n, t = both(case)
    assert repr(n) == repr(t)


def test_repr_precision_and_sci_mode():
    for kw in ({'precision': 2}, {'sci_mode': True}, {'linewidth': 30}):
        nt.set_printoptions(**kw)
        torch.set_printoptions(**kw)
        try:
            n, t = both(lambda m: m.tensor(np.arange(8) * (0.123 + 4.56j)))
            assert repr(n) == repr(t)
        finally:
            nt.set_printoptions(profile='default')
            torch.set_printoptions(profile='default')


# -- conversions -------------------------------------------------------------------------------
def test_item_tolist_numpy_type():
    n, t = both(lambda m: m.tensor([[1 + 2j, 3]]))
    assert n.tolist() == t.tolist()
    assert n[0, 0].item() == t[0, 0].item() and type(n[0, 0].item()) is complex
    assert n.type() == t.type() == 'torch.ComplexFloatTensor'
    assert n.numpy().dtype == np.complex64
    assert n.is_complex() and nt.is_complex(n) and not nt.tensor([1.]).is_complex()
    assert not n.is_floating_point()
    a = np.array([1 + 1j, 2])
    f = nt.from_numpy(a)
    f[0] = 5j
    assert a[0] == 5j
    assert complex(nt.tensor(1 + 1j)) == 1 + 1j
    assert float(nt.tensor(2 + 0j)) == 2.0
    same_error(lambda m: float(m.tensor(1 + 1j)))


def test_to_real_warns_and_keeps_real_part():
    with pytest.warns(UserWarning, match='discards the imaginary part'):
        n = nt.tensor([1 + 2j, 3]).to(nt.float32)
    assert n.tolist() == [1.0, 3.0]
    same_error(lambda m: m.tensor([1., 2]).add_(m.tensor([1j, 2])))
    same_error(lambda m: m.tensor([1., 2]).mul_(1j))


def test_save_load_both_ways(tmp_path):
    p = str(tmp_path / 'n.pt')
    nt.save({'a': nt.tensor([[1 + 2j, 3 - 1j]], dtype=nt.complex128), 'b': nt.tensor([1j])}, p)
    d = torch.load(p)
    assert d['a'].dtype == torch.complex128 and d['a'].tolist() == [[1 + 2j, 3 - 1j]]
    assert d['b'].dtype == torch.complex64
    q = str(tmp_path / 't.pt')
    torch.save({'a': torch.tensor([1 + 2j, 5j]), 'b': torch.ones(2, dtype=torch.complex128)}, q)
    e = nt.load(q)
    assert repr(e['a']) == repr(torch.tensor([1 + 2j, 5j]))
    assert e['b'].dtype is nt.complex128


# -- views -------------------------------------------------------------------------------------
def test_real_imag_are_writable_views():
    z = nt.tensor([1 + 2j, 3 - 1j])
    r, i = z.real, z.imag
    assert repr(r) == 'tensor([1., 3.])' and repr(i) == 'tensor([ 2., -1.])'
    r[0] = 7
    i.mul_(2)
    assert z.tolist() == [7 + 4j, 3 - 2j]
    z.real = nt.tensor([0., 0.])
    assert z.tolist() == [4j, -2j]
    x = nt.tensor([1., 2.])
    assert x.real is x
    same_error(lambda m: m.tensor([1., 2.]).imag)
    assert repr(nt.real(nt.tensor([[1j]]))) == repr(torch.real(torch.tensor([[1j]])))


def test_view_as_real_complex_share_memory():
    z = nt.tensor([1 + 2j, 3 - 4j])
    v = nt.view_as_real(z)
    assert repr(v) == repr(torch.view_as_real(torch.tensor([1 + 2j, 3 - 4j])))
    v[1, 1] = 9
    assert z.tolist() == [1 + 2j, 3 + 9j]
    x = nt.arange(6.).reshape(3, 2)
    c = nt.view_as_complex(x)
    assert repr(c) == repr(torch.view_as_complex(torch.arange(6.).reshape(3, 2)))
    c[0] = 5j
    assert x.tolist()[0] == [0.0, 5.0]
    same_error(lambda m: m.view_as_real(m.ones(2)))
    same_error(lambda m: m.view_as_complex(m.ones(3)))
    same_error(lambda m: m.view_as_complex(m.ones(2, 2).t()))
    same_error(lambda m: m.view_as_complex(m.ones(2, 2, dtype=m.int64)))
    same_error(lambda m: m.view_as_complex(m.ones(2, 4)[:, 1:3]))


def test_complex_polar_angle_conj():
    for case in (lambda m: m.complex(m.tensor([1., 2]), m.tensor([3., 4])),
                 lambda m: m.complex(m.ones(2, 1), m.zeros(3)),
                 lambda m: m.polar(m.tensor([1., 2]), m.tensor([0.5, 4])),
                 lambda m: m.tensor([1 + 1j, -1, 0]).angle(),
                 lambda m: m.tensor([1., -2, 0, float('nan')]).angle(),
                 lambda m: m.tensor([1, -2, 0]).angle(),
                 lambda m: m.tensor([3 + 4j]).conj(),
                 lambda m: m.tensor([3 + 4j]).conj_physical(),
                 lambda m: m.tensor([3 + 4j]).conj_physical_(),
                 lambda m: m.tensor([3 + 4j]).resolve_conj()):
        n, t = both(case)
        assert repr(n) == repr(t.resolve_conj())
    for bad in (lambda m: m.complex(m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int64)),
                lambda m: m.complex(m.ones(2), m.ones(2, dtype=m.float64)),
                lambda m: m.complex(m.ones(2), m.ones(3)),
                lambda m: m.polar(m.ones(2), m.ones(2, dtype=m.float64))):
        same_error(bad)
    # NOTE: numtorch materialises conj (PyTorch sets a lazy conjugate bit)
    z = nt.tensor([1j])
    assert not z.conj().is_conj()
    assert nt.tensor([1.]).conj().is_conj() == torch.tensor([1.]).conj().is_conj()


# -- ops ---------------------------------------------------------------------------------------
UNARY = ['exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh', 'asin',
         'acos', 'atan', 'asinh', 'acosh', 'atanh', 'sigmoid', 'reciprocal', 'square', 'neg',
         'abs', 'sgn', 'log2', 'log10', 'log1p', 'expm1', 'exp2', 'angle']


@pytest.mark.parametrize('name', UNARY)
def test_unary(name):
    n, t = both(lambda m: getattr(m.tensor(Z.astype(np.complex64)), name)())
    close(n, t, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('case', [
    lambda m, a, b: a + b, lambda m, a, b: a - b, lambda m, a, b: a * b,
    lambda m, a, b: a / b, lambda m, a, b: a ** b, lambda m, a, b: a ** 2,
    lambda m, a, b: a ** 0.5, lambda m, a, b: 2 ** a, lambda m, a, b: (1 + 2j) / a,
    lambda m, a, b: a - 1j, lambda m, a, b: a * (2 - 1j), lambda m, a, b: a.add(b, alpha=2),
    lambda m, a, b: a @ b.t(), lambda m, a, b: m.dot(a[0], b[0]),
    lambda m, a, b: m.vdot(a[0], b[0]), lambda m, a, b: a.mv(b[0]),
    lambda m, a, b: m.outer(a[0], b[1]), lambda m, a, b: a.sum(), lambda m, a, b: a.sum(0),
    lambda m, a, b: a.mean(1), lambda m, a, b: a.prod(1), lambda m, a, b: a.prod(),
    lambda m, a, b: a.cumsum(1), lambda m, a, b: a.var(), lambda m, a, b: a.std(0),
    lambda m, a, b: a.norm(), lambda m, a, b: m.cat([a, b]), lambda m, a, b: m.stack([a, b]),
    lambda m, a, b: a.reshape(4, 3)[1:, ::2].t(), lambda m, a, b: a.flip(0),
    lambda m, a, b: m.where(a.real > 0, a, b), lambda m, a, b: a == b[0, 0],
    lambda m, a, b: a != a, lambda m, a, b: a.isfinite(), lambda m, a, b: a.isreal(),
    lambda m, a, b: m.isclose(a, a + 1e-9), lambda m, a, b: a.eq(1j),
    lambda m, a, b: a.unsqueeze(0).expand(2, 3, 4), lambda m, a, b: a[a.real > 0],
    lambda m, a, b: a.trace(), lambda m, a, b: a.sum(dtype=m.complex128),
    lambda m, a, b: a.real.to(m.complex64) * b, lambda m, a, b: m.lerp(a, b, 0.25),
    lambda m, a, b: m.lerp(a, b, 0.75), lambda m, a, b: m.float_power(a, 2),
    lambda m, a, b: m.float_power(a.real, 1j), lambda m, a, b: a.cumprod(1),
    lambda m, a, b: a.logsumexp(0), lambda m, a, b: a.diff(), lambda m, a, b: a.tril(),
    lambda m, a, b: m.det(a[:, :3]), lambda m, a, b: m.inverse(a[:, :3]),
])
def test_binary_and_reductions(case):
    n, t = both(lambda m: case(m, m.tensor(Z.astype(np.complex64)),
                               m.tensor(Z2.astype(np.complex64))))
    close(n, t, rtol=1e-4, atol=1e-5)
    assert nt.allclose(nt.tensor(Z), nt.tensor(Z + 1e-12))


@pytest.mark.parametrize('case', [
    lambda m, a: a.max(), lambda m, a: a.max(0), lambda m, a: a.min(), lambda m, a: a.min(1),
    lambda m, a: a.amax(), lambda m, a: a.amin(), lambda m, a: a.aminmax(),
    lambda m, a: a.argmax(), lambda m, a: a.argmin(0), lambda m, a: a.sort(),
    lambda m, a: a.argsort(), lambda m, a: a.msort(), lambda m, a: a.topk(1),
    lambda m, a: a.kthvalue(1), lambda m, a: a.median(), lambda m, a: a.median(0),
    lambda m, a: a.cummax(0), lambda m, a: a.mode(), lambda m, a: a.unique(),
    lambda m, a: a.quantile(0.5), lambda m, a: a < a, lambda m, a: a <= 1,
    lambda m, a: a > 1j, lambda m, a: a >= a, lambda m, a: m.maximum(a, a),
    lambda m, a: m.minimum(a, a), lambda m, a: m.fmax(a, a), lambda m, a: a.softmax(0),
    lambda m, a: a.log_softmax(0), lambda m, a: a.clamp(0, 1), lambda m, a: a.relu(),
    lambda m, a: a // 2, lambda m, a: a % 2, lambda m, a: m.fmod(a, 2), lambda m, a: a.sign(),
    lambda m, a: a.floor(), lambda m, a: a.ceil(), lambda m, a: a.round(),
    lambda m, a: a.trunc(), lambda m, a: a.erf(), lambda m, a: a.deg2rad(),
    lambda m, a: a.signbit(), lambda m, a: a.nansum(), lambda m, a: a.isposinf(),
    lambda m, a: m.arange(3, dtype=m.complex64), lambda m, a: a.round(decimals=1),
    lambda m, a: m.xlogy(a, 2), lambda m, a: m.hypot(a, a), lambda m, a: m.atan2(a, a),
    lambda m, a: m.copysign(a, 1.), lambda m, a: m.heaviside(a, a),
    lambda m, a: a @ m.ones(2, 2),
])
def test_ops_refused_for_complex(case):
    same_error(lambda m: case(m, m.tensor([[1 + 1j, 2], [3, 4j]])))


# -- autograd ----------------------------------------------------------------------------------
def _grads(m, fn, arrays):
    ts = [m.tensor(a, dtype=m.complex128 if np.iscomplexobj(a) else m.float64,
                   requires_grad=True) for a in arrays]
    out = fn(m, *ts)
    w = m.tensor(np.cos(np.arange(out.numel())).reshape(out.shape), dtype=m.float64)
    loss = ((out.abs() if out.is_complex() else out) * w).sum()
    if out.is_complex():
        loss = loss + (out.imag * w).sum() * 0.5
    loss.backward()
    return out, [t.grad for t in ts]


GRAD_CASES = {
    'add': (lambda m, a, b: a + b, Z, Z2), 'add_real': (lambda m, a, b: a + b, Z, R),
    'sub_real': (lambda m, a, b: b - a, Z, R), 'mul': (lambda m, a, b: a * b, Z, Z2),
    'mul_real': (lambda m, a, b: a * b, Z, R), 'mul_s': (lambda m, a: a * (2 - 1j), Z),
    'real_cs': (lambda m, a: a * (2 - 1j), R), 'div': (lambda m, a, b: a / b, Z, Z2),
    'div_real': (lambda m, a, b: b / a, Z, R), 'div_s': (lambda m, a: a / (1 + 2j), Z),
    'rdiv': (lambda m, a: (1 + 2j) / a, Z), 'pow2': (lambda m, a: a ** 2, Z),
    'pow_f': (lambda m, a: a ** 2.5, Z), 'pow_t': (lambda m, a, b: a ** (b * 0.3), Z, Z2),
    'rpow': (lambda m, a: 2 ** a, Z), 'abs': (lambda m, a: a.abs(), Z),
    'angle': (lambda m, a: a.angle(), Z), 'real': (lambda m, a: a.real * 2, Z),
    'imag': (lambda m, a: a.imag * 2, Z), 'var': (lambda m, a: a.var(), Z),
    'std': (lambda m, a: a.std(0), Z), 'norm': (lambda m, a: a.norm(), Z),
    'view_as_real': (lambda m, a: m.view_as_real(a) ** 2, Z),
    'view_as_complex': (lambda m, a: m.view_as_complex(a) * (1 + 1j), RNG.randn(3, 2)),
    'complex': (lambda m, a, b: m.complex(a, b) ** 2, R, R[::-1].copy()),
    'polar': (lambda m, a, b: m.polar(a, b) ** 2, R, R[::-1].copy()),
    'conj': (lambda m, a: a.conj() * (1 + 2j), Z), 'exp': (lambda m, a: a.exp(), Z),
    'log': (lambda m, a: a.log(), Z), 'sqrt': (lambda m, a: a.sqrt(), Z),
    'sin': (lambda m, a: a.sin(), Z), 'cos': (lambda m, a: a.cos(), Z),
    'tanh': (lambda m, a: a.tanh(), Z), 'sigmoid': (lambda m, a: a.sigmoid(), Z),
    'asin': (lambda m, a: a.asin(), Z), 'reciprocal': (lambda m, a: a.reciprocal(), Z),
    'sum': (lambda m, a: a.sum(0) * (1 + 1j), Z), 'mean': (lambda m, a: a.mean() * 1j, Z),
    'prod': (lambda m, a: a.prod(1), Z), 'matmul': (lambda m, a, b: a @ b, Z, W),
    'matmul_rc': (lambda m, a, b: a.to(m.complex128) @ b, R, W),
    'mv': (lambda m, a, b: a.mv(b), Z, W[:, 0].copy()),
    'vdot': (lambda m, a, b: m.vdot(a, b), Z[0].copy(), Z[1].copy()),
    'index': (lambda m, a: a.reshape(4, 3)[1:, ::2].t() * 1j, Z),
    'cat': (lambda m, a, b: m.cat([a, b.to(m.complex128)]) * 1j, Z, R),
    'where': (lambda m, a: m.where(a.real > 0, a, a * 2), Z),
    'sgn': (lambda m, a: a.sgn() * (1 + 2j), Z),
    'sgn_zero': (lambda m, a: a.sgn(), np.array([0j, 3 - 1j, 1j])),
    'mH': (lambda m, a: a.mH @ a, Z),
    'lerp': (lambda m, a, b: m.lerp(a, b, 0.3), Z, Z2),
    'lerp_t': (lambda m, a, b: m.lerp(a, b, a * 0.1), Z, Z2),
}


@pytest.mark.parametrize('name', list(GRAD_CASES))
def test_gradients_match_torch(name):
    fn, *arrays = GRAD_CASES[name]
    (on, gn), (ot, gt) = both(lambda m: _grads(m, fn, arrays))
    close(on, ot, rtol=1e-7, atol=1e-9)
    for a, b in zip(gn, gt):
        close(a, b, rtol=1e-7, atol=1e-9)


def _as_real_fn(fn):
    """fn of complex tensors as a map between real tensors (last dim: real, imaginary)."""
    def f(*xs):
        out = fn(*[nt.view_as_complex(x) for x in xs])
        return nt.view_as_real(out) if out.is_complex() else out
    return f


@pytest.mark.parametrize('fn', [lambda a, b: a * b / (b + 2), lambda a, b: (a @ b.t()).exp(),
                                lambda a, b: a.abs() * b.angle(), lambda a, b: a.conj() * b,
                                lambda a, b: (a - b.real).sqrt().sum()])
def test_gradcheck_through_real_views(fn):
    xs = [nt.tensor(np.stack([Z.real, Z.imag], -1), requires_grad=True, dtype=nt.float64),
          nt.tensor(np.stack([Z2.real, Z2.imag], -1), requires_grad=True, dtype=nt.float64)]
    assert nt.autograd.gradcheck(_as_real_fn(fn), xs)


def test_unsupported_complex_gradient_is_refused():
    z = nt.tensor(Z, requires_grad=True)
    y = z.cumprod(1).abs().sum()
    with pytest.raises(NotImplementedError, match='CumprodBackward0'):
        y.backward()
    # real tensors keep their gradients
    x = nt.tensor(R, requires_grad=True)
    x.sign().sum().backward()
    assert x.grad.abs().sum().item() == 0


def test_requires_grad_and_implicit_grad_error():
    z = nt.tensor([1j], requires_grad=True)
    assert repr(z) == repr(torch.tensor([1j], requires_grad=True))
    same_error(lambda m: (m.tensor([1j], requires_grad=True) * 2).sum().backward())
    same_error(lambda m: m.tensor([1], dtype=m.int64).requires_grad_())


def test_adjoint_and_misc_methods():
    for case in (lambda m: m.tensor([[1 + 2j, 1]]).mH, lambda m: m.tensor([[1 + 2j, 1]]).H,
                 lambda m: m.tensor([[1 + 2j, 1]]).adjoint(),
                 lambda m: m.tensor([1 + 2j, 3 - 1j]).mul_(2),
                 lambda m: m.tensor([1 + 2j, 3 - 1j]).add_(1j),
                 lambda m: m.tensor([1 + 2j, 3 - 1j]).exp_(),
                 lambda m: m.tensor([1 + 2j, 3 - 1j]).sub_(m.tensor([1., 2.])),
                 lambda m: m.tensor([1 + 2j]).copy_(m.tensor([3.])),
                 lambda m: m.zeros(2, dtype=m.complex64).scatter_add(
                     0, m.tensor([1, 0]), m.tensor([1 + 2j, 3 - 1j])),
                 lambda m: m.einsum('i,i->', m.tensor([1 + 2j, 3j]), m.tensor([1j, 2])),
                 lambda m: m.tensor([0j, 1j]).nonzero(),
                 lambda m: m.full_like(m.tensor([1j]), 1 + 1j)):
        n, t = both(case)
        assert repr(n) == repr(t)
    same_error(lambda m: m.tensor([1 + 2j]).abs_())
    nt.testing.assert_close(nt.tensor([1 + 2j]), nt.tensor([1 + 2j + 1e-7]))
    with pytest.raises(AssertionError) as et:
        torch.testing.assert_close(torch.tensor([1 + 2j]), torch.tensor([1 + 3j]))
    with pytest.raises(AssertionError) as en:
        nt.testing.assert_close(nt.tensor([1 + 2j]), nt.tensor([1 + 3j]))
    assert str(en.value) == str(et.value)
