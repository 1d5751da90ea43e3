"""More torch.distributions against torch: Geometric, Binomial, NegativeBinomial, Cauchy,
LogNormal, HalfNormal, HalfCauchy, Gumbel, StudentT, Chi2, Beta, Dirichlet, the
transforms and TransformedDistribution, and their KL divergences: values, gradients,
samples from the same seed (statistical checks besides), shapes, validation errors and reprs."""
import math

import numpy as np
import pytest
import torch

import numtorch
from numtorch import distributions as nd
from numtorch.distributions import transforms as nT
from torch import distributions as td
from torch.distributions import transforms as tT


def _nt(a, grad=False):
    return numtorch.tensor(np.array(a), requires_grad=grad)


def _th(a, grad=False):
    return torch.tensor(np.array(a), requires_grad=grad)


def _eq(a, b, rtol=1e-6, atol=1e-7):
    assert tuple(a.shape) == tuple(b.shape)
    assert str(a.dtype) == str(b.dtype)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


def _seed(s):
    numtorch.manual_seed(s)
    torch.manual_seed(s)


def _errors(fn_nt, fn_th):
    with pytest.raises(Exception) as ea:
        fn_nt()
    with pytest.raises(Exception) as eb:
        fn_th()
    assert type(ea.value) is type(eb.value)
    assert str(ea.value) == str(eb.value)


RNG = np.random.default_rng(7)
POS = RNG.uniform(0.5, 2.0, (2, 3))
POS2 = RNG.uniform(0.5, 2.0, (2, 3))
REAL = RNG.normal(size=(2, 3))
PROB = RNG.uniform(0.1, 0.9, (2, 3))
UNIT = RNG.uniform(0.05, 0.95, (4, 2, 3))

# name -> (parameters (float64), values for log_prob, has cdf and icdf)
CASES = {
    'LogNormal': (dict(loc=REAL, scale=POS), RNG.uniform(0.1, 3, (4, 2, 3)), True),
    'Cauchy': (dict(loc=REAL, scale=POS), RNG.normal(size=(4, 2, 3)), True),
    'HalfNormal': (dict(scale=POS), RNG.uniform(0, 3, (4, 2, 3)), True),
    'HalfCauchy': (dict(scale=POS), RNG.uniform(0, 3, (4, 2, 3)), True),
    'Gumbel': (dict(loc=REAL, scale=POS), RNG.normal(size=(4, 2, 3)), True),
    'StudentT': (dict(df=3 * POS, loc=REAL, scale=POS2), RNG.normal(size=(4, 2, 3)), False),
    'Chi2': (dict(df=3 * POS), RNG.uniform(0.1, 3, (4, 2, 3)), False),
    'Beta': (dict(concentration1=POS, concentration0=POS2), UNIT, False),
    'Geometric': (dict(probs=PROB), RNG.integers(0, 6, (4, 2, 3)).astype(float), False),
    'Binomial': (dict(total_count=np.full((2, 3), 10.0), probs=PROB),
                 RNG.integers(0, 11, (4, 2, 3)).astype(float), False),
    'NegativeBinomial': (dict(total_count=3 * POS, probs=PROB),
                         RNG.integers(0, 11, (4, 2, 3)).astype(float), False),
    'Pareto': (dict(scale=POS, alpha=2.5 + POS2), 2.0 + RNG.uniform(0, 3, (4, 2, 3)), True),
    'Weibull': (dict(scale=POS, concentration=POS2 + 0.5), RNG.uniform(0.1, 3, (4, 2, 3)),
                False),
    'Dirichlet': (dict(concentration=POS), np.array(
        [[[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]] * 2), False),
}
NO_ENTROPY = {'NegativeBinomial'}


def _pair(name, grad=False, dtype=np.float64):
    kw, value, _ = CASES[name]
    a = {k: _nt(v.astype(dtype), grad) for k, v in kw.items()}
    b = {k: _th(v.astype(dtype), grad) for k, v in kw.items()}
    return getattr(nd, name)(**a), getattr(td, name)(**b), a, b, value.astype(dtype)


@pytest.mark.parametrize('name', list(CASES))
def test_values_and_gradients_against_torch(name):
    p, q, a, b, value = _pair(name, grad=True)
    assert p.batch_shape == q.batch_shape and p.event_shape == q.event_shape
    assert repr(p) == repr(q)
    assert repr(p.support) == repr(q.support)
    assert p.has_rsample == q.has_rsample
    assert p.has_enumerate_support == q.has_enumerate_support
    for attr in ('mean', 'mode', 'variance', 'stddev'):
        _eq(getattr(p, attr), getattr(q, attr), 1e-12, 1e-12)
    lp, lq = p.log_prob(_nt(value)), q.log_prob(_th(value))
    _eq(lp, lq, 1e-11, 1e-12)
    total_p, total_q = lp.sum() + p.mean.nan_to_num(0, 0).sum(), lq.sum() + \
        q.mean.nan_to_num(0, 0).sum()
    if name in NO_ENTROPY:
        _errors(p.entropy, q.entropy)
    else:
        _eq(p.entropy(), q.entropy(), 1e-11, 1e-12)
        total_p, total_q = total_p + p.entropy().sum(), total_q + q.entropy().sum()
    total_p.backward()
    total_q.backward()
    for k in a:
        _eq(a[k].grad, b[k].grad, 1e-10, 1e-11)
    if CASES[name][2]:
        cp, cq = p.cdf(_nt(value)), q.cdf(_th(value))
        _eq(cp, cq, 1e-11, 1e-12)
        _eq(p.icdf(_nt(UNIT)), q.icdf(_th(UNIT)), 1e-11, 1e-12)


@pytest.mark.parametrize('name', ['LogNormal', 'Cauchy', 'HalfNormal', 'HalfCauchy',
                                  'Gumbel', 'Pareto', 'Weibull'])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_rsample_same_stream_and_gradients(name, dtype):
    p, q, a, b, _ = _pair(name, grad=True, dtype=dtype)
    _seed(3)
    sp, sq = p.rsample((5,)), q.rsample((5,))
    assert sp.shape == (5, 2, 3)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    _eq(sp, sq, rtol, 1e-6 if dtype == np.float32 else 1e-12)
    w = RNG.normal(size=sp.shape).astype(dtype)
    (sp * _nt(w)).sum().backward()
    (sq * _th(w)).sum().backward()
    for k in a:
        _eq(a[k].grad, b[k].grad, 10 * rtol, 1e-5 if dtype == np.float32 else 1e-11)
    _seed(4)
    s1, s2 = p.sample((2, 2)), q.sample((2, 2))
    assert not s1.requires_grad
    _eq(s1, s2, rtol, 1e-6 if dtype == np.float32 else 1e-12)
    assert numtorch.rand(1).item() == torch.rand(1).item()   # the streams stay in step


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_geometric_and_binomial_samples_are_torchs(dtype):
    pr = np.array([0.02, 0.3, 0.5, 0.77, 0.99, 1.0], dtype)
    _seed(11)
    _eq(nd.Geometric(_nt(pr)).sample((50,)), td.Geometric(_th(pr)).sample((50,)))
    _eq(nd.Geometric(logits=_nt(pr)).sample(), td.Geometric(logits=_th(pr)).sample())
    # every branch of PyTorch's sampler: p = 0 / 1, inversion (n p < 10), BTRS (n p >= 10),
    # and the same with p > 1/2 (sampled as n - Binomial(n, 1 - p))
    n = np.array([0, 1, 5, 20, 100, 1000, 37, 50000, 3, 200], dtype)
    p = np.array([0.3, 0.9, 0.5, 0.2, 0.45, 0.7, 0.99, 0.01, 1.0, 0.05], dtype)
    for seed in range(3):
        _seed(seed)
        a = nd.Binomial(_nt(n), _nt(p)).sample((40,))
        b = td.Binomial(_th(n), _th(p)).sample((40,))
        _eq(a, b, 0, 0)
        assert numtorch.rand(1).item() == torch.rand(1).item()
    _seed(2)
    _eq(nd.Binomial(7, logits=_nt(REAL.astype(dtype))).sample((3,)),
        td.Binomial(7, logits=_th(REAL.astype(dtype))).sample((3,)), 0, 0)


def test_discrete_extras():
    p, q = nd.Binomial(4, _nt(PROB)), td.Binomial(4, _th(PROB))
    _eq(p.enumerate_support(), q.enumerate_support())
    _eq(p.enumerate_support(False), q.enumerate_support(False))
    _eq(p.logits, q.logits)
    p = nd.Binomial(_nt([2.0, 3.0]), _nt([0.5, 0.5]))
    q = td.Binomial(_th([2.0, 3.0]), _th([0.5, 0.5]))
    _errors(p.entropy, q.entropy)
    _errors(p.enumerate_support, q.enumerate_support)
    # logits parameterization: log_prob and gradient
    lg = REAL
    a, b = _nt(lg, True), _th(lg, True)
    v = RNG.integers(0, 6, (3, 2, 3)).astype(float)
    lp = nd.Binomial(5, logits=a).log_prob(_nt(v))
    lq = td.Binomial(5, logits=b).log_prob(_th(v))
    _eq(lp, lq, 1e-12)
    lp.sum().backward()
    lq.sum().backward()
    _eq(a.grad, b.grad, 1e-12)
    # Geometric with p = 1 at k = 0 and logits
    g, h = nd.Geometric(_nt([1.0, 0.5])), td.Geometric(_th([1.0, 0.5]))
    _eq(g.log_prob(_nt([0.0, 2.0])), h.log_prob(_th([0.0, 2.0])))
    g, h = nd.Geometric(logits=_nt(lg)), td.Geometric(logits=_th(lg))
    _eq(g.log_prob(_nt(v)), h.log_prob(_th(v)), 1e-12)
    _eq(g.entropy(), h.entropy(), 1e-12)
    # NegativeBinomial with logits and total_count 0
    nb = nd.NegativeBinomial(_nt([0.0, 2.5]), logits=_nt([0.3, -1.0]))
    tb = td.NegativeBinomial(_th([0.0, 2.5]), logits=_th([0.3, -1.0]))
    _eq(nb.log_prob(_nt([0.0, 3.0])), tb.log_prob(_th([0.0, 3.0])), 1e-12)
    _eq(nb.mean, tb.mean, 1e-12)
    _eq(nb.mode, tb.mode)


def test_negative_binomial_samples_are_torchs():
    # a Poisson of a Gamma rate: PyTorch's draws for the same seed
    _seed(0)
    s = nd.NegativeBinomial(numtorch.tensor(3.0), numtorch.tensor(0.4)).sample((2000,))
    t = td.NegativeBinomial(torch.tensor(3.0), torch.tensor(0.4)).sample((2000,))
    assert s.dtype == numtorch.float32
    np.testing.assert_array_equal(s.numpy(), t.numpy())


def _moments_ok(x, m, v, kurt_excess):
    """Sample mean and variance within 5 standard errors of ``m`` and ``v``."""
    n = x.size
    assert abs(x.mean() - m) < 5 * math.sqrt(v / n)
    assert abs(x.var() - v) < 5 * math.sqrt((kurt_excess + 2) * v * v / n)


def test_beta_dirichlet_chi2_studentt_samples_are_distributed():
    numtorch.manual_seed(1)
    a, b = 2.0, 5.0
    x = nd.Beta(numtorch.tensor(a), numtorch.tensor(b)).sample((20000,)).numpy()
    assert x.dtype == np.float32 and ((x > 0) & (x < 1)).all()
    m, v = a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))
    k = (6 * ((a - b) ** 2 * (a + b + 1) - a * b * (a + b + 2))
         / (a * b * (a + b + 2) * (a + b + 3)))
    _moments_ok(x.astype(np.float64), m, v, k)
    c = numtorch.tensor([0.5, 1.0, 3.0], dtype=numtorch.float64)
    d = nd.Dirichlet(c).sample((20000,)).numpy()
    np.testing.assert_allclose(d.sum(-1), 1, rtol=1e-12)
    for i, ci in enumerate([0.5, 1.0, 3.0]):
        _moments_ok(d[:, i], ci / 4.5, ci * (4.5 - ci) / (4.5 ** 2 * 5.5), 3.0)
    x = nd.Chi2(numtorch.tensor(4.0)).sample((20000,)).numpy().astype(np.float64)
    _moments_ok(x, 4.0, 8.0, 12 / 4.0)
    loc, scale = numtorch.tensor(1.0, requires_grad=True), numtorch.tensor(2.0,
                                                                           requires_grad=True)
    s = nd.StudentT(numtorch.tensor(10.0), loc, scale).rsample((20000,))
    x = s.detach().numpy().astype(np.float64)
    _moments_ok(x, 1.0, 4.0 * 10 / 8, 6 / (10 - 4))
    s.sum().backward()    # d/dloc = n, d/dscale = sum((x - loc) / scale)
    assert loc.grad.item() == 20000
    np.testing.assert_allclose(scale.grad.item(), ((x - 1.0) / 2.0).sum(), rtol=1e-4)


def test_rsample_gradients_in_the_concentrations():
    # (values against torch in test_distributions_gamma.py) Dirichlet, Beta and StudentT
    # rsample are differentiable in their gamma parameters
    c = _nt(POS, True)
    assert nd.Dirichlet(c).rsample().requires_grad
    assert nd.Beta(c, 1.0).rsample().requires_grad
    assert nd.StudentT(c).rsample().requires_grad
    with numtorch.no_grad():
        assert nd.Dirichlet(c).rsample((2,)).shape == (2, 2, 3)
    assert nd.Beta(_nt(POS), 1.0).rsample((4,)).shape == (4, 2, 3)


def test_shapes_expand_and_scalars():
    for name in CASES:
        p, q, _, _, _ = _pair(name)
        e, f = p.expand((5,) + tuple(p.batch_shape)), q.expand((5,) + tuple(q.batch_shape))
        assert e.batch_shape == f.batch_shape and e.event_shape == f.event_shape
        assert type(e) is type(p)
        assert e.sample((3,)).shape == f.sample((3,)).shape
        _eq(e.mean, f.mean, 1e-12)
    for n, args in [('LogNormal', (0.5, 1.5)), ('Cauchy', (0.5, 1.5)), ('HalfNormal', (1.5,)),
                    ('HalfCauchy', (1.5,)), ('Gumbel', (0.5, 1.5)), ('StudentT', (3.0,)),
                    ('Chi2', (3.0,)), ('Beta', (0.5, 1.5)), ('Geometric', (0.3,))]:
        p, q = getattr(nd, n)(*args), getattr(td, n)(*args)
        assert p.batch_shape == q.batch_shape and repr(p) == repr(q)
        assert p.sample((2,)).shape == q.sample((2,)).shape
        assert p.sample().dtype == numtorch.float32
        _eq(p.entropy(), q.entropy())


def test_validation_errors_match_torch():
    for n, good, bad in [('LogNormal', (0.0, 1.0), (0.0, -1.0)), ('Cauchy', (0.0, 1.0),
                         (0.0, -1.0)), ('HalfNormal', (1.0,), (-1.0,)),
                         ('HalfCauchy', (1.0,), (0.0,)), ('Gumbel', (0.0, 1.0), (0.0, -1.0)),
                         ('StudentT', (2.0,), (-2.0,)), ('Chi2', (2.0,), (-2.0,)),
                         ('Beta', (1.0, 2.0), (1.0, -2.0)), ('Geometric', (0.5,), (1.5,)),
                         ('Geometric', (0.5,), (0.0,))]:
        _errors(lambda: getattr(nd, n)(*bad), lambda: getattr(td, n)(*bad))
    _errors(lambda: nd.Geometric(_nt([0.5, 0.0])), lambda: td.Geometric(_th([0.5, 0.0])))
    _errors(lambda: nd.Binomial(_nt([2.5]), _nt([0.5])),
            lambda: td.Binomial(_th([2.5]), _th([0.5])))
    _errors(lambda: nd.Binomial(3), lambda: td.Binomial(3))
    _errors(lambda: nd.Geometric(), lambda: td.Geometric())
    _errors(lambda: nd.NegativeBinomial(2.0, _nt(1.0)),
            lambda: td.NegativeBinomial(2.0, _th(1.0)))
    _errors(lambda: nd.Dirichlet(_nt(1.0)), lambda: td.Dirichlet(_th(1.0)))
    _errors(lambda: nd.Dirichlet(_nt([1.0, -1.0])), lambda: td.Dirichlet(_th([1.0, -1.0])))
    _errors(lambda: nd.Dirichlet(_nt([1.0, 2.0])).log_prob(_nt([0.5, 0.6])),
            lambda: td.Dirichlet(_th([1.0, 2.0])).log_prob(_th([0.5, 0.6])))
    _errors(lambda: nd.LogNormal(0.0, 1.0).log_prob(_nt(-1.0)),
            lambda: td.LogNormal(0.0, 1.0).log_prob(_th(-1.0)))
    _errors(lambda: nd.HalfNormal(1.0).log_prob(_nt([-1.0])),
            lambda: td.HalfNormal(1.0).log_prob(_th([-1.0])))
    _errors(lambda: nd.Beta(1.0, 2.0).log_prob(_nt(1.5)),
            lambda: td.Beta(1.0, 2.0).log_prob(_th(1.5)))
    _errors(lambda: nd.Binomial(3, _nt(0.5)).log_prob(_nt(4.0)),
            lambda: td.Binomial(3, _th(0.5)).log_prob(_th(4.0)))
    _errors(lambda: nd.Geometric(0.5).log_prob(_nt(1.5)),
            lambda: td.Geometric(0.5).log_prob(_th(1.5)))
    _errors(lambda: nd.TransformedDistribution(nd.Normal(0.0, 1.0), 3),
            lambda: td.TransformedDistribution(td.Normal(0.0, 1.0), 3))
    _errors(lambda: nd.TransformedDistribution(nd.Normal(0.0, 1.0), [3]),
            lambda: td.TransformedDistribution(td.Normal(0.0, 1.0), [3]))
    _errors(lambda: nd.TransformedDistribution(nd.Normal(0.0, 1.0), nT.SoftmaxTransform()),
            lambda: td.TransformedDistribution(td.Normal(0.0, 1.0), tT.SoftmaxTransform()))
    _errors(lambda: nT.ExpTransform(cache_size=2), lambda: tT.ExpTransform(cache_size=2))
    _errors(lambda: nT.ReshapeTransform((2, 3), (4,)),
            lambda: tT.ReshapeTransform((2, 3), (4,)))
    _errors(lambda: nT.AffineTransform(0.0, 1.0).with_cache(2),
            lambda: tT.AffineTransform(0.0, 1.0).with_cache(2))


TRANSFORMS = [
    ('ExpTransform', (), (2, 3)),
    ('SigmoidTransform', (), (2, 3)),
    ('TanhTransform', (), (2, 3)),
    ('SoftplusTransform', (), (2, 3)),
    ('AffineTransform', (lambda m: m.tensor(REAL), lambda m: m.tensor(POS - 1.2)), (4, 2, 3)),
    ('AffineTransform', (lambda m: 0.5, lambda m: -2.0), (2, 3)),
    ('PowerTransform', (lambda m: m.tensor(POS),), (2, 3)),
    ('StickBreakingTransform', (), (2, 3)),
    ('LowerCholeskyTransform', (), (2, 3, 3)),
]


def _make(mod, name, args):
    T = mod.distributions.transforms
    return getattr(T, name)(*[f(mod) for f in args])


@pytest.mark.parametrize('case', TRANSFORMS, ids=lambda c: c[0])
def test_transforms_against_torch(case):
    name, args, shape = case
    tn, tt = _make(numtorch, name, args), _make(torch, name, args)
    assert repr(tn) == repr(tt) and repr(tn.inv) == repr(tt.inv)
    assert repr(tn.domain) == repr(tt.domain) and repr(tn.codomain) == repr(tt.codomain)
    assert tn.bijective == tt.bijective
    x = RNG.uniform(0.2, 1.5, shape) if name == 'PowerTransform' else RNG.normal(size=shape)
    xa, xb = _nt(x, True), _th(x, True)
    ya, yb = tn(xa), tt(xb)
    _eq(ya, yb, 1e-12, 1e-12)
    _eq(tn.inv(ya), tt.inv(yb), 1e-9, 1e-9)
    if name not in ('LowerCholeskyTransform',):
        ja, jb = tn.log_abs_det_jacobian(xa, ya), tt.log_abs_det_jacobian(xb, yb)
        _eq(ja, jb, 1e-11, 1e-12)
        _eq(tn.inv.log_abs_det_jacobian(ya, xa), tt.inv.log_abs_det_jacobian(yb, xb), 1e-11,
            1e-12)
        (ya.sum() + ja.sum()).backward()
        (yb.sum() + jb.sum()).backward()
        _eq(xa.grad, xb.grad, 1e-10, 1e-11)
    assert tn.forward_shape(shape) == tt.forward_shape(shape)
    assert tn.inverse_shape(tuple(yb.shape)) == tt.inverse_shape(tuple(yb.shape))
    if name in ('ExpTransform', 'SigmoidTransform', 'TanhTransform', 'AffineTransform'):
        s1, s2 = tn.sign, tt.sign
        assert (s1 == s2) if isinstance(s2, int) else (s1.numpy() == s2.numpy()).all()


def test_compose_abs_softmax_and_caching():
    parts_n = [nT.AffineTransform(0.5, 2.0), nT.ExpTransform(), nT.PowerTransform(_nt(0.5))]
    parts_t = [tT.AffineTransform(0.5, 2.0), tT.ExpTransform(), tT.PowerTransform(_th(0.5))]
    cn, ct = nT.ComposeTransform(parts_n), tT.ComposeTransform(parts_t)
    assert repr(cn) == repr(ct) and repr(cn.inv) == repr(ct.inv)
    assert cn.inv.inv is cn and cn.bijective and int(cn.sign) == int(ct.sign)
    x = RNG.normal(size=(3, 2))
    _eq(cn(_nt(x)), ct(_th(x)), 1e-12)
    _eq(cn.log_abs_det_jacobian(_nt(x), cn(_nt(x))),
        ct.log_abs_det_jacobian(_th(x), ct(_th(x))), 1e-12)
    assert repr(nT.identity_transform) == repr(tT.identity_transform)
    assert cn == nT.ComposeTransform(list(parts_n)) and not cn == nT.ComposeTransform([])
    assert nT.ExpTransform() == nT.ExpTransform() and nT.ExpTransform().inv == \
        nT.ExpTransform().inv
    assert nT.AffineTransform(0.0, _nt([1.0, 2.0])) == nT.AffineTransform(0.0, _nt([1.0, 2.0]))
    assert nT.AffineTransform(0.0, 1.0) != nT.AffineTransform(0.0, 2.0)
    # an event-dim AffineTransform sums its Jacobian over the event
    an, at = nT.AffineTransform(0.0, _nt(POS), event_dim=1), tT.AffineTransform(
        0.0, _th(POS), event_dim=1)
    xt = x[:2].T.copy()
    _eq(an.log_abs_det_jacobian(_nt(xt), None), at.log_abs_det_jacobian(_th(xt), None), 1e-12)
    # AbsTransform: not bijective, the inverse is the identity; Softmax: log
    _eq(nT.AbsTransform()(_nt(x)), tT.AbsTransform()(_th(x)))
    _eq(nT.AbsTransform().inv(_nt(x)), tT.AbsTransform().inv(_th(x)))
    assert not nT.AbsTransform().bijective and not nT.SoftmaxTransform().bijective
    _eq(nT.SoftmaxTransform()(_nt(x)), tT.SoftmaxTransform()(_th(x)), 1e-12)
    _eq(nT.SoftmaxTransform().inv(_nt(PROB)), tT.SoftmaxTransform().inv(_th(PROB)), 1e-12)
    _errors(lambda: nT.AbsTransform().log_abs_det_jacobian(_nt(x), _nt(x)),
            lambda: tT.AbsTransform().log_abs_det_jacobian(_th(x), _th(x)))
    _errors(lambda: nT.AbsTransform().sign, lambda: tT.AbsTransform().sign)
    # caching: with cache_size=1 the same object in gives the same object out, both ways
    t = nT.ExpTransform(cache_size=1)
    xa = _nt(x)
    y = t(xa)
    assert t(xa) is y and t.inv(y) is xa
    assert t.with_cache(1) is t and nT.ExpTransform().with_cache(1)._cache_size == 1
    u = nT.ExpTransform()
    assert u(xa) is not u(xa)
    tc = nT.TanhTransform(cache_size=1)
    big = _nt([30.0])
    assert tc.inv(tc(big)).item() == 30.0      # atanh(1.0) would be inf without the cache
    cc = nT.ComposeTransform([nT.ExpTransform(), nT.AffineTransform(1.0, 2.0)], cache_size=1)
    assert all(p._cache_size == 1 for p in cc.parts)
    assert nT.ComposeTransform([nT.ExpTransform()]).with_cache(1)._cache_size == 1
    inv = nT.ExpTransform(cache_size=1).inv
    assert inv._cache_size == 1 and inv.with_cache(0)._cache_size == 0
    # IndependentTransform and ReshapeTransform
    itn = nT.IndependentTransform(nT.ExpTransform(), 1)
    itt = tT.IndependentTransform(tT.ExpTransform(), 1)
    assert repr(itn) == repr(itt) and repr(itn.domain) == repr(itt.domain)
    _eq(itn.log_abs_det_jacobian(_nt(x), itn(_nt(x))),
        itt.log_abs_det_jacobian(_th(x), itt(_th(x))), 1e-12)
    rn, rt = nT.ReshapeTransform((3, 2), (6,)), tT.ReshapeTransform((3, 2), (6,))
    _eq(rn(_nt(x)), rt(_th(x)))
    _eq(rn.log_abs_det_jacobian(_nt(x), rn(_nt(x))), rt.log_abs_det_jacobian(_th(x),
                                                                             rt(_th(x))))
    assert rn.forward_shape((4, 3, 2)) == rt.forward_shape((4, 3, 2))
    _errors(lambda: rn.forward_shape((4, 2, 3)), lambda: rt.forward_shape((4, 2, 3)))


def test_transformed_distribution_against_torch():
    loc, scale = _nt(REAL, True), _nt(POS, True)
    tl, ts = _th(REAL, True), _th(POS, True)
    p = nd.TransformedDistribution(nd.Normal(loc, scale), [nT.TanhTransform(),
                                                           nT.AffineTransform(1.0, -3.0)])
    q = td.TransformedDistribution(td.Normal(tl, ts), [tT.TanhTransform(),
                                                       tT.AffineTransform(1.0, -3.0)])
    assert repr(p) == repr(q) and repr(p.support) == repr(q.support)
    assert p.batch_shape == q.batch_shape and p.has_rsample
    v = 1.0 - 3.0 * RNG.uniform(-0.9, 0.9, (4, 2, 3))
    lp, lq = p.log_prob(_nt(v)), q.log_prob(_th(v))
    _eq(lp, lq, 1e-11, 1e-12)
    # a decreasing transform flips the cdf
    _eq(p.cdf(_nt(v)), q.cdf(_th(v)), 1e-11, 1e-12)
    _eq(p.icdf(_nt(UNIT)), q.icdf(_th(UNIT)), 1e-11, 1e-12)
    _seed(5)
    sp, sq = p.rsample((3,)), q.rsample((3,))
    _eq(sp, sq, 1e-12)
    (lp.sum() + sp.sum()).backward()
    (lq.sum() + sq.sum()).backward()
    _eq(loc.grad, tl.grad, 1e-10, 1e-11)
    _eq(scale.grad, ts.grad, 1e-10, 1e-11)
    e, f = p.expand((5, 2, 3)), q.expand((5, 2, 3))
    assert e.batch_shape == f.batch_shape and e.sample().shape == (5, 2, 3)
    # an event-coupling transform: Normal -> softmax via StickBreaking makes an event dim
    p = nd.TransformedDistribution(nd.Normal(_nt(REAL), 1.0), nT.StickBreakingTransform())
    q = td.TransformedDistribution(td.Normal(_th(REAL), 1.0), tT.StickBreakingTransform())
    assert p.batch_shape == q.batch_shape == (2,) and p.event_shape == q.event_shape == (4,)
    y = q.sample((3,))
    _eq(p.log_prob(_nt(y.numpy())), q.log_prob(y), 1e-10, 1e-11)
    assert repr(p.support) == repr(q.support)
    # scalar base broadcast by the transforms' parameters
    p = nd.TransformedDistribution(nd.Normal(0.0, 1.0), nT.AffineTransform(_nt(REAL), 2.0))
    q = td.TransformedDistribution(td.Normal(0.0, 1.0), tT.AffineTransform(_th(REAL), 2.0))
    assert p.batch_shape == q.batch_shape == (2, 3)
    _eq(p.log_prob(_nt(REAL)), q.log_prob(_th(REAL)))


def _kl_cases():
    return [
        ('Beta', dict(concentration1=POS, concentration0=POS2),
         dict(concentration1=POS2, concentration0=POS[0])),
        ('Dirichlet', dict(concentration=POS), dict(concentration=POS2[0])),
        ('Geometric', dict(probs=PROB), dict(logits=REAL)),
        ('Binomial', dict(total_count=5.0, probs=PROB), dict(total_count=5.0, logits=REAL)),
        ('Gumbel', dict(loc=REAL, scale=POS), dict(loc=REAL[::-1].copy(), scale=POS2)),
        ('HalfNormal', dict(scale=POS), dict(scale=POS2)),
        ('Cauchy', dict(loc=REAL, scale=POS), dict(loc=REAL[0], scale=POS2)),
        ('LogNormal', dict(loc=REAL, scale=POS), dict(loc=REAL[0], scale=POS2)),
        ('Chi2', dict(df=POS), dict(df=POS2)),
        ('Poisson', dict(rate=POS), dict(rate=POS2)),
        ('Pareto', dict(scale=POS, alpha=POS2), dict(scale=PROB, alpha=POS)),
    ]


@pytest.mark.parametrize('case', _kl_cases(), ids=lambda c: c[0])
def test_kl_values_and_gradients(case):
    name, kp, kq = case
    pa = {k: _nt(v, True) for k, v in kp.items()}
    pb = {k: _th(v, True) for k, v in kp.items()}
    qa = {k: _nt(v, True) for k, v in kq.items()}
    qb = {k: _th(v, True) for k, v in kq.items()}
    ka = nd.kl_divergence(getattr(nd, name)(**pa), getattr(nd, name)(**qa))
    kb = td.kl_divergence(getattr(td, name)(**pb), getattr(td, name)(**qb))
    _eq(ka, kb, 1e-10, 1e-12)
    ka.sum().backward()
    kb.sum().backward()
    for d_a, d_b in ((pa, pb), (qa, qb)):
        for k in d_a:
            if d_b[k].grad is None:   # total_count: the inf fill cuts it off in both
                assert d_a[k].grad is None
                continue
            _eq(d_a[k].grad, d_b[k].grad, 1e-9, 1e-11)


def test_kl_special_cases():
    # Binomial: more trials in p is infinite, fewer is not implemented
    p = nd.Binomial(_nt([5.0, 6.0]), _nt([0.3, 0.3]))
    q = nd.Binomial(_nt([5.0, 5.0]), _nt([0.4, 0.4]))
    _eq(nd.kl_divergence(p, q), td.kl_divergence(
        td.Binomial(_th([5.0, 6.0]), _th([0.3, 0.3])),
        td.Binomial(_th([5.0, 5.0]), _th([0.4, 0.4]))))
    _errors(lambda: nd.kl_divergence(q, p), lambda: td.kl_divergence(
        td.Binomial(_th([5.0, 5.0]), _th([0.4, 0.4])),
        td.Binomial(_th([5.0, 6.0]), _th([0.3, 0.3]))))
    # transformed distributions with different transforms have no KL
    _errors(lambda: nd.kl_divergence(nd.LogNormal(0.0, 1.0), nd.HalfNormal(1.0)),
            lambda: td.kl_divergence(td.LogNormal(0.0, 1.0), td.HalfNormal(1.0)))
    _errors(lambda: nd.kl_divergence(nd.Weibull(1.0, 2.0), nd.Weibull(1.0, 3.0)),
            lambda: td.kl_divergence(td.Weibull(1.0, 2.0), td.Weibull(1.0, 3.0)))
    _eq(nd.kl_divergence(nd.Weibull(_nt(POS), 2.0), nd.Weibull(_nt(POS), 2.0)),
        td.kl_divergence(td.Weibull(_th(POS), 2.0), td.Weibull(_th(POS), 2.0)))
    # the exponential family fallback: Bregman divergence, and its cross-family error
    from numtorch.distributions.kl import _kl_expfamily_expfamily
    a, b = nd.Exponential(_nt(POS)), nd.Exponential(_nt(POS2))
    _eq(_kl_expfamily_expfamily(a, b).detach(), nd.kl_divergence(a, b), 1e-12)
    _errors(lambda: nd.kl_divergence(nd.Poisson(_nt(POS)), nd.Normal(0.0, 1.0)),
            lambda: td.kl_divergence(td.Poisson(_th(POS)), td.Normal(0.0, 1.0)))


def test_broadcast_tensors_returns_a_tensor_already_of_the_shape():
    # regression (numtorch/_ops/shape.py): PyTorch returns such a tensor itself (no
    # ExpandBackward0 node), so a distribution's parameter is the tensor passed in
    a, b = numtorch.ones(2, 3, requires_grad=True), numtorch.ones(3, requires_grad=True)
    x, y = numtorch.broadcast_tensors(a, b)
    assert x is a and y.grad_fn.name() == 'ExpandBackward0' and y.shape == (2, 3)
    loc = numtorch.zeros(2, requires_grad=True)
    assert nd.Normal(loc, numtorch.ones(2)).loc is loc


_X = dict(
    Beta=dict(concentration1=POS, concentration0=POS2),
    Exponential=dict(rate=POS), Gamma=dict(concentration=POS, rate=POS2),
    Normal=dict(loc=REAL, scale=POS), Gumbel=dict(loc=REAL, scale=POS2),
    Laplace=dict(loc=REAL, scale=POS2), Poisson=dict(rate=POS), Bernoulli=dict(probs=PROB),
    Binomial=dict(total_count=3.0, probs=PROB),
    Uniform=dict(low=PROB - 0.1, high=PROB + 0.05),
    Chi2=dict(df=POS), Pareto=dict(scale=PROB, alpha=2.0 + POS),
)
_CROSS = [('Bernoulli', 'Poisson'), ('Beta', 'Exponential'), ('Beta', 'Gamma'),
          ('Beta', 'Normal'), ('Beta', 'Uniform'), ('Exponential', 'Beta'),
          ('Exponential', 'Uniform'), ('Exponential', 'Gamma'), ('Exponential', 'Gumbel'),
          ('Exponential', 'Normal'), ('Gamma', 'Beta'), ('Gamma', 'Uniform'),
          ('Gamma', 'Exponential'), ('Gamma', 'Gumbel'), ('Gamma', 'Normal'),
          ('Gumbel', 'Beta'), ('Gumbel', 'Exponential'), ('Gumbel', 'Gamma'),
          ('Gumbel', 'Uniform'), ('Gumbel', 'Normal'), ('Laplace', 'Beta'),
          ('Laplace', 'Exponential'), ('Laplace', 'Gamma'), ('Laplace', 'Uniform'),
          ('Laplace', 'Normal'), ('Normal', 'Beta'), ('Normal', 'Exponential'),
          ('Normal', 'Gamma'), ('Normal', 'Uniform'), ('Normal', 'Gumbel'),
          ('Normal', 'Laplace'), ('Poisson', 'Bernoulli'), ('Poisson', 'Binomial'),
          ('Uniform', 'Beta'), ('Uniform', 'Exponential'), ('Uniform', 'Gamma'),
          ('Uniform', 'Gumbel'), ('Uniform', 'Normal'), ('Chi2', 'Normal'),
          ('Pareto', 'Beta'), ('Pareto', 'Uniform'), ('Pareto', 'Exponential'),
          ('Pareto', 'Gamma'), ('Pareto', 'Normal'), ('Uniform', 'Pareto'),
          ('Beta', 'Pareto'), ('Normal', 'Pareto'), ('Gamma', 'Pareto')]


@pytest.mark.parametrize('pair', _CROSS, ids=lambda c: '-'.join(c))
def test_kl_between_different_families(pair):
    args = []
    for mod, grad in ((numtorch, True), (torch, True)):
        mk = _nt if mod is numtorch else _th
        ds, leaves = [], []
        for name in pair:
            kw = {k: mk(v, grad) for k, v in _X[name].items()}
            leaves += list(kw.values())
            lib = nd if mod is numtorch else td
            ds.append(getattr(lib, name)(**kw))
        args.append((ds, leaves))
    (pa, qa), la = args[0]
    (pb, qb), lb = args[1]
    ka, kb = nd.kl_divergence(pa, qa), td.kl_divergence(pb, qb)
    _eq(ka, kb, 1e-10, 1e-12)
    if not np.isfinite(kb.detach().numpy()).all():
        return
    ka.sum().backward()
    kb.sum().backward()
    for a, b in zip(la, lb):
        if b.grad is None:
            assert a.grad is None
        else:
            _eq(a.grad, b.grad, 1e-9, 1e-11)
