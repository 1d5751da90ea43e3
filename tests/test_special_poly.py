"""torch.special's orthogonal polynomials, second Bessel family, Airy Ai and Hurwitz zeta
(numtorch/_ops/special_poly.py, bessel2.py, zeta.py) against torch."""
import numpy as np
import pytest
import torch

import numtorch
import numtorch.special as ns

POLYS = ['chebyshev_polynomial_t', 'chebyshev_polynomial_u', 'chebyshev_polynomial_v',
         'chebyshev_polynomial_w', 'shifted_chebyshev_polynomial_t',
         'shifted_chebyshev_polynomial_u', 'shifted_chebyshev_polynomial_v',
         'shifted_chebyshev_polynomial_w', 'hermite_polynomial_h', 'hermite_polynomial_he',
         'laguerre_polynomial_l', 'legendre_polynomial_p']
BESSELS = ['bessel_y0', 'bessel_y1', 'modified_bessel_i0', 'modified_bessel_i1',
           'modified_bessel_k0', 'modified_bessel_k1', 'scaled_modified_bessel_k0',
           'scaled_modified_bessel_k1', 'spherical_bessel_j0', 'airy_ai']
# the degree above which PyTorch uses the trigonometric form for |2x-1| < 1 / |x| < 1
TRIG_FROM = {'chebyshev_polynomial_t': 6, 'chebyshev_polynomial_u': 8,
             'chebyshev_polynomial_v': 8, 'chebyshev_polynomial_w': 8,
             'shifted_chebyshev_polynomial_t': 6, 'shifted_chebyshev_polynomial_u': 6,
             'shifted_chebyshev_polynomial_v': 6, 'shifted_chebyshev_polynomial_w': 4}


def _same(got, ref, rtol, atol=0.0, where=None):
    """Equal NaN pattern and infinities, finite values close."""
    got, ref = np.asarray(got), np.asarray(ref)
    assert got.dtype == ref.dtype and got.shape == ref.shape
    if where is not None:
        got, ref = got[where], ref[where]
    assert np.array_equal(np.isnan(got), np.isnan(ref))
    inf = np.isinf(ref)
    assert np.array_equal(got[inf], ref[inf])
    fin = np.isfinite(ref)
    np.testing.assert_allclose(got[fin], ref[fin], rtol=rtol, atol=atol)


def _poly_points():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-1.1, 1.1, 500), rng.uniform(-0.1, 1.1, 300),
                        rng.uniform(-4, 4, 200),
                        [0, 1, -1, 0.5, 1 - 2 ** -53, -1 + 2 ** -53, 1 - 2 ** -24, 2 ** -60,
                         np.inf, -np.inf, 1e10, -1e10, 1e300, 0, 1, 1]])
    n = rng.integers(-3, 40, x.size).astype(np.float64)
    n[:50] += rng.uniform(0, 1, 50)           # fractional degrees are truncated
    n[-16:] = [0, 1, 2, 3, 9, 13, 17, 40, 2, 5, 3, 7, 2, 200, 1000, 4097]
    return x, n


def _trig_zone(name, x, n):
    """Elements where PyTorch takes cos/sin of n acos(y): float32 noise grows with n there."""
    if name not in TRIG_FROM:
        return np.zeros(x.shape, bool)
    y = 2 * x - 1 if name.startswith('shifted') else x
    return (np.trunc(n) > TRIG_FROM[name]) & (np.abs(y) < 1)


@pytest.mark.parametrize('name', POLYS)
@pytest.mark.parametrize('dt', [np.float64, np.float32])
def test_polynomial_values(name, dt):
    x, n = _poly_points()
    with np.errstate(over='ignore'):
        x, n = x.astype(dt), n.astype(dt)
    got = getattr(ns, name)(numtorch.from_numpy(x), numtorch.from_numpy(n)).numpy()
    ref = getattr(torch.special, name)(torch.from_numpy(x), torch.from_numpy(n)).numpy()
    if dt == np.float64:
        # PyTorch's fused steps and libm calls reproduced: bitwise
        _same(got, ref, 1e-13, 1e-300)
        assert np.mean((got == ref) | np.isnan(ref)) > 0.999
    else:
        # Recurrences give PyTorch's numbers (its FMA steps reproduced); in the trigonometric
        # zone float32's rounding of n acos(x) shows, in PyTorch's result as in ours.
        trig = _trig_zone(name, x, n)
        _same(got, ref, 1e-6, 1e-7, ~trig)
        _same(got, ref, 1e-3, 2e-4, trig)


def test_polynomial_recurrence_is_bitwise_in_float32():
    rng = np.random.default_rng(1)
    x = rng.uniform(-3, 3, 400).astype(np.float32)
    n = rng.integers(2, 30, 400).astype(np.float32)
    for name in ['hermite_polynomial_h', 'hermite_polynomial_he', 'laguerre_polynomial_l',
                 'legendre_polynomial_p']:
        got = getattr(ns, name)(numtorch.from_numpy(x), numtorch.from_numpy(n)).numpy()
        ref = getattr(torch.special, name)(torch.from_numpy(x), torch.from_numpy(n)).numpy()
        assert np.array_equal(got, ref, equal_nan=True), name


@pytest.mark.parametrize('name', POLYS)
def test_polynomial_special_degrees_and_points(name):
    f, g = getattr(ns, name), getattr(torch.special, name)
    x = np.array([0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 2.0, 1.0, -1.0, 0.0, 1.0, 0.0])
    n = np.array([-1, -0.5, np.nan, np.inf, -np.inf, 1e30, 2.7, 5, 5, 6, 6, 7])
    _same(f(numtorch.from_numpy(x), numtorch.from_numpy(n)).numpy(),
          g(torch.from_numpy(x), torch.from_numpy(n)).numpy(), 1e-12)
    # a NaN x with degree >= 2: PyTorch's loop returns an unset variable; numtorch says NaN
    r = f(numtorch.tensor([np.nan, np.nan, np.nan]), numtorch.tensor([0., 1., 5.])).numpy()
    assert r[0] == 1 and np.isnan(r[1]) and np.isnan(r[2])


def test_hermite_degree_cap():
    for dt, cap in [(np.float32, 128), (np.float64, 512)]:
        x = np.full(4, 0.5, dt)
        n = np.array([cap - 1, cap, cap + 1, 3 * cap], dt)
        for name in ['hermite_polynomial_h', 'hermite_polynomial_he']:
            got = getattr(ns, name)(numtorch.from_numpy(x), numtorch.from_numpy(n)).numpy()
            ref = getattr(torch.special, name)(torch.from_numpy(x), torch.from_numpy(n))
            _same(got, ref.numpy(), 1e-5 if dt == np.float32 else 1e-9)
            assert np.isnan(got[2:]).all()


def test_polynomial_promotion_scalars_and_broadcasting():
    f, g = ns.chebyshev_polynomial_u, torch.special.chebyshev_polynomial_u
    cases = [
        (lambda m: m.tensor([1, 2, 3]), lambda m: m.tensor([2, 3, 4])),
        (lambda m: m.tensor([1, 2], dtype=m.int32), lambda m: m.tensor(2., dtype=m.float64)),
        (lambda m: m.tensor([0.5, 2.]), lambda m: m.tensor([2, 3], dtype=m.float64)),
        (lambda m: m.tensor([True, False]), lambda m: m.tensor([2])),
        (lambda m: m.tensor([0.25, 3.]), lambda m: 3),
        (lambda m: m.tensor([1, 2]), lambda m: 2.5),
        (lambda m: 2., lambda m: m.tensor([1, 2, 9])),
        (lambda m: 0.3, lambda m: m.tensor([12, 2])),
        (lambda m: m.tensor([[0.1], [0.7], [1.5]]), lambda m: m.tensor([0., 4., 11., 30.])),
        (lambda m: m.tensor(0.3), lambda m: m.tensor(9)),
        (lambda m: m.zeros(0, 3), lambda m: m.tensor([1., 2., 3.])),
    ]
    for mx, mn in cases:
        got, ref = f(mx(numtorch), mn(numtorch)), g(mx(torch), mn(torch))
        assert str(got.dtype) == str(ref.dtype) and tuple(got.shape) == tuple(ref.shape)
        _same(got.numpy(), ref.numpy(), 1e-6)


def test_polynomial_errors_out_and_no_grad():
    f = ns.legendre_polynomial_p
    with pytest.raises(NotImplementedError,
                       match='"legendre_polynomial_p_cpu" not implemented for \'Half\''):
        f(numtorch.ones(2, dtype=numtorch.float16), 2)
    with pytest.raises(TypeError, match='invalid combination of arguments'):
        f(0.5, 2)
    with pytest.raises(RuntimeError, match=r'The size of tensor a \(2\) must match'):
        f(numtorch.ones(2), numtorch.ones(3))
    out = numtorch.empty(0, dtype=numtorch.float64)
    r = f(numtorch.tensor([0.5, 0.25]), 3, out=out)
    ref = torch.special.legendre_polynomial_p(torch.tensor([0.5, 0.25]), 3)
    assert r is out and out.dtype == numtorch.float64
    _same(out.numpy(), ref.double().numpy(), 1e-7)
    with pytest.raises(RuntimeError,
                       match="result type Float can't be cast to the desired output type Long"):
        f(numtorch.ones(2), 2, out=numtorch.empty(2, dtype=numtorch.int64))
    x = numtorch.tensor([0.5, 0.25], requires_grad=True)
    y = f(x, 3)
    assert not y.requires_grad and y.grad_fn is None
    assert not torch.special.legendre_polynomial_p(torch.tensor([.5], requires_grad=True),
                                                   3).requires_grad


def _bessel_points():
    rng = np.random.default_rng(2)
    return np.concatenate([
        rng.uniform(-3, 3, 300), rng.uniform(-30, 30, 300), rng.uniform(0, 120, 200),
        10 ** rng.uniform(-8, 3, 150), -10 ** rng.uniform(-8, 3, 50),
        [0, -0., 1, -1, 2, 2.09, -2.09, 5, 8, 8.3203353, 26.05, 26.3, 88, 89, 103.89, 103.9,
         0.5, -0.5, 1e-300, np.nan, np.inf, -np.inf, 1e10, -1e10]])


@pytest.mark.parametrize('name', BESSELS)
@pytest.mark.parametrize('dt', [np.float64, np.float32])
def test_bessel_values(name, dt):
    x = _bessel_points().astype(dt)
    got = getattr(ns, name)(numtorch.from_numpy(x)).numpy()
    ref = getattr(torch.special, name)(torch.from_numpy(x)).numpy()
    # PyTorch's steps in its precision, FMAs included: bitwise nearly everywhere, a few ulps
    # where libm's exp/log/sin/cos round otherwise now and then (more, relatively, where Y0,
    # Y1 and Ai cancel near their zeros)
    exact = (got == ref) | (np.isnan(got) & np.isnan(ref))
    assert exact.mean() > 0.98
    if dt == np.float64:
        _same(got, ref, 2e-13, 1e-15)
    else:
        _same(got, ref, 1e-6, 1e-7)
        tiny = np.abs(ref) < 1e-7
        _same(got, ref, 1e-5, 1e-44, tiny)


def test_bessel_dtypes_errors_out_and_no_grad():
    for name in BESSELS:
        f, g = getattr(ns, name), getattr(torch.special, name)
        for make in [lambda m: m.tensor([1, 2]), lambda m: m.tensor(3),
                     lambda m: m.tensor([True]), lambda m: m.zeros(2, 0)]:
            got, ref = f(make(numtorch)), g(make(torch))
            assert str(got.dtype) == str(ref.dtype) and tuple(got.shape) == tuple(ref.shape)
            _same(got.numpy(), ref.numpy(), 1e-6)
        with pytest.raises(NotImplementedError, match=f'"{name}_cpu" not implemented'):
            f(numtorch.ones(1, dtype=numtorch.float16))
        with pytest.raises(TypeError, match='must be Tensor, not float'):
            f(2.0)
        out = numtorch.empty(3, dtype=numtorch.float64)
        assert f(numtorch.tensor([0.5, 1.5, 2.5]), out=out) is out
        _same(out.numpy(), g(torch.tensor([0.5, 1.5, 2.5])).double().numpy(), 1e-6)
        x = numtorch.tensor([0.5, 1.5], requires_grad=True)
        assert f(x).grad_fn is None and not f(x).requires_grad


def _zeta_points():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(0.5, 12, 300), rng.integers(1, 8, 100),
                        [1, 2, 3, np.nan, np.inf, 2, 2, 2, 2, 2, 1.5, 2, 30, 2, 4]])
    q = np.concatenate([rng.uniform(-20, 20, 300), rng.uniform(-5, 5, 100),
                        [1, 0, -2, 1, 3, np.nan, np.inf, -np.inf, 1e-300, 1e10, -3.5, -3.5,
                         0.5, -7.25, -250.5]])
    return x, q


@pytest.mark.parametrize('dt', [np.float64, np.float32])
def test_zeta_values(dt):
    x, q = _zeta_points()
    x, q = x.astype(dt), q.astype(dt)
    got = ns.zeta(numtorch.from_numpy(x), numtorch.from_numpy(q)).numpy()
    ref = torch.special.zeta(torch.from_numpy(x), torch.from_numpy(q)).numpy()
    # float64 agrees to the last bit or two; float32 (summed in double by both) to an ulp
    _same(got, ref, 1e-12 if dt == np.float64 else 2e-7, 0)


def test_zeta_scalars_promotion_and_errors():
    for mx, mq in [(lambda m: 2., lambda m: m.tensor([1., 2.5])),
                   (lambda m: m.tensor([2, 3]), lambda m: 1.5),
                   (lambda m: m.tensor([2, 3]), lambda m: m.tensor([1, 2])),
                   (lambda m: m.tensor([[3.], [2.]], dtype=m.float64),
                    lambda m: m.tensor([1.5, 2.])),
                   (lambda m: m.tensor(4.), lambda m: m.tensor(2, dtype=m.int32))]:
        got, ref = ns.zeta(mx(numtorch), mq(numtorch)), torch.special.zeta(mx(torch), mq(torch))
        assert str(got.dtype) == str(ref.dtype) and tuple(got.shape) == tuple(ref.shape)
        _same(got.numpy(), ref.numpy(), 1e-7)
    with pytest.raises(NotImplementedError, match='"zeta_cpu" not implemented for \'Half\''):
        ns.zeta(numtorch.ones(1, dtype=numtorch.float16), 2.)
    with pytest.raises(TypeError) as ours:
        ns.zeta(2, 1)
    with pytest.raises(TypeError) as theirs:
        torch.special.zeta(2, 1)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(TypeError) as ours:
        ns.hermite_polynomial_h([1.], 1)
    with pytest.raises(TypeError) as theirs:
        torch.special.hermite_polynomial_h([1.], 1)
    assert str(ours.value) == str(theirs.value)


def test_zeta_gradient_in_q():
    x = np.array([[2.], [3.5], [5.]])
    q = np.array([0.7, 2., 3.5, -1.5])
    qn = numtorch.tensor(q, requires_grad=True)
    qt = torch.tensor(q, requires_grad=True)
    yn = ns.zeta(numtorch.tensor(x), qn)
    yt = torch.special.zeta(torch.tensor(x), qt)
    assert yn.grad_fn.name() == yt.grad_fn.name() == 'SpecialZetaBackward0'
    w = np.linspace(-1, 1, 12).reshape(3, 4)
    gn, = numtorch.autograd.grad(yn, qn, numtorch.tensor(w), create_graph=True)
    gt, = torch.autograd.grad(yt, qt, torch.tensor(w), create_graph=True)
    _same(gn.detach().numpy(), gt.detach().numpy(), 1e-12)
    # double backward: d/dq of -x zeta(x + 1, q)
    _same(numtorch.autograd.grad(gn.sum(), qn)[0].numpy(),
          torch.autograd.grad(gt.sum(), qt)[0].numpy(), 1e-12)
    q64 = numtorch.tensor([0.7, 2.2, 3.5], dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda t: ns.zeta(numtorch.tensor(x), t), (q64,))
    # a number x (node 1), a 0-dim q broadcast over x, float32
    qn = numtorch.tensor(2., requires_grad=True)
    qt = torch.tensor(2., requires_grad=True)
    ns.zeta(numtorch.tensor([2., 3.]), qn).sum().backward()
    torch.special.zeta(torch.tensor([2., 3.]), qt).sum().backward()
    _same(qn.grad.numpy(), qt.grad.numpy(), 1e-6)
    qn = numtorch.tensor([1.5, 2.], requires_grad=True)
    y = ns.zeta(3, qn)
    assert y.grad_fn.name() == 'SpecialZetaBackward1'
    y.sum().backward()
    _same(qn.grad.numpy(), np.float32(-3) * ns.zeta(4, qn.detach()).numpy(), 1e-6)


def test_zeta_gradient_in_x_is_not_implemented():
    for q in [2., numtorch.tensor([2., 3.])]:
        x = numtorch.tensor([2., 3.], requires_grad=True)
        y = ns.zeta(x, q)
        assert y.requires_grad
        assert y.grad_fn.name() == ('SpecialZetaBackward2' if isinstance(q, float)
                                    else 'SpecialZetaBackward0')
        with pytest.raises(NotImplementedError,
                           match="the derivative for 'zeta' is not implemented."):
            y.sum().backward()
    with pytest.raises(RuntimeError, match=r"special_zeta\(\): functions with out=\.\.\. "
                       "arguments don't support automatic differentiation"):
        ns.zeta(numtorch.tensor([2.]), numtorch.tensor([1.], requires_grad=True),
                out=numtorch.empty(1))


def test_out_of_a_non_differentiable_op_may_require_grad_and_is_resized_with_a_warning():
    # PyTorch refuses such an out only for ops with a derivative (zeta, tested above)
    w = numtorch.zeros(2, requires_grad=True)
    assert ns.hermite_polynomial_h(numtorch.ones(2), 3, out=w) is w
    assert w.requires_grad and w.is_leaf and w._version == 1
    _same(w.detach().numpy(), np.array([-4., -4.], np.float32), 0)
    w = numtorch.zeros(3)
    with pytest.warns(UserWarning, match=r'An output with one or more elements was resized since '
                                         r'it had shape \[3\], which does not match the required '
                                         r'output shape \[2\]'):
        ns.airy_ai(numtorch.ones(2), out=w)
    _same(w.numpy(), torch.special.airy_ai(torch.ones(2)).numpy(), 1e-6)
