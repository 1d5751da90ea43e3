"""torch.distributions (numtorch/distributions) against torch: densities, moments, entropy,
cdf/icdf, samples from the same seed, reparameterized and log_prob gradients, KL, shapes,
validation errors and reprs."""
import math

import numpy as np
import pytest
import torch

import numtorch
from numtorch import distributions as nd
from torch import distributions as td


def _nt(a, grad=False):
    return numtorch.tensor(np.asarray(a), requires_grad=grad)


def _th(a, grad=False):
    return torch.tensor(np.asarray(a), requires_grad=grad)


def _eq(a, b, rtol=1e-6, atol=1e-7):
    assert tuple(a.shape) == tuple(b.shape)
    assert str(a.dtype) == str(b.dtype)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


RNG = np.random.default_rng(0)
POS = RNG.uniform(0.5, 2.0, (2, 3)).astype(np.float32)
REAL = RNG.normal(size=(2, 3)).astype(np.float32)
PROB = RNG.uniform(0.1, 0.9, (2, 3)).astype(np.float32)

# name -> (kwargs as arrays, value for log_prob, has cdf/icdf)
CASES = {
    'Normal': (dict(loc=REAL, scale=POS), RNG.normal(size=(4, 2, 3)).astype(np.float32), True),
    'Laplace': (dict(loc=REAL, scale=POS), RNG.normal(size=(4, 2, 3)).astype(np.float32), True),
    'Exponential': (dict(rate=POS), RNG.uniform(0, 3, (4, 2, 3)).astype(np.float32), True),
    'Uniform': (dict(low=REAL - 1, high=REAL + POS), REAL[None] - 0.5 + 0 * np.zeros((4, 1, 1),
                np.float32), True),
    'Bernoulli': (dict(probs=PROB), RNG.integers(0, 2, (4, 2, 3)).astype(np.float32), False),
}


def _pair(name, grad=False, **over):
    kw, value, _ = CASES[name]
    kw = {**kw, **over}
    a = {k: _nt(v, grad) for k, v in kw.items()}
    b = {k: _th(v, grad) for k, v in kw.items()}
    return getattr(nd, name)(**a), getattr(td, name)(**b), a, b, value


@pytest.mark.parametrize('name', list(CASES))
def test_univariate_against_torch(name):
    p, q, a, b, value = _pair(name, grad=True)
    assert p.batch_shape == q.batch_shape and p.event_shape == q.event_shape
    assert repr(p) == repr(q)
    for attr in ('mean', 'variance', 'stddev'):
        _eq(getattr(p, attr), getattr(q, attr))
    if name != 'Uniform':
        _eq(p.mode, q.mode)
    _eq(p.entropy(), q.entropy())
    lp, lq = p.log_prob(_nt(value)), q.log_prob(_th(value))
    _eq(lp, lq, 1e-5, 1e-6)
    lp.sum().backward()
    lq.sum().backward()
    for k in a:
        _eq(a[k].grad, b[k].grad, 1e-5, 1e-6)
    if CASES[name][2]:
        _eq(p.cdf(_nt(value)), q.cdf(_th(value)), 1e-5, 1e-6)
        u = RNG.uniform(0.05, 0.95, (4, 2, 3)).astype(np.float32)
        _eq(p.icdf(_nt(u)), q.icdf(_th(u)), 1e-5, 1e-6)


@pytest.mark.parametrize('name', ['Normal', 'Laplace', 'Exponential', 'Uniform'])
def test_rsample_same_stream_and_gradients(name):
    p, q, a, b, _ = _pair(name, grad=True)
    numtorch.manual_seed(3)
    torch.manual_seed(3)
    sp, sq = p.rsample((5,)), q.rsample((5,))
    _eq(sp, sq, 1e-6, 1e-6)
    w = RNG.normal(size=sp.shape).astype(np.float32)
    (sp * _nt(w)).sum().backward()
    (sq * _th(w)).sum().backward()
    for k in a:
        _eq(a[k].grad, b[k].grad, 1e-5, 1e-6)
    numtorch.manual_seed(4)
    torch.manual_seed(4)
    s1, s2 = p.sample((2, 2)), q.sample((2, 2))
    assert not s1.requires_grad
    _eq(s1, s2, 1e-6, 1e-6)


def test_bernoulli_logits_samples_and_enumerate():
    lg = REAL
    p, q = nd.Bernoulli(logits=_nt(lg)), td.Bernoulli(logits=_th(lg))
    _eq(p.probs, q.probs)
    _eq(p.entropy(), q.entropy())
    numtorch.manual_seed(1)
    torch.manual_seed(1)
    _eq(p.sample((7,)), q.sample((7,)))
    _eq(p.enumerate_support(), q.enumerate_support())
    _eq(p.enumerate_support(False), q.enumerate_support(False))
    m = nd.Bernoulli(_nt([0.2, 0.5, 0.9])).mode
    np.testing.assert_array_equal(m.numpy(), [0, np.nan, 1])
    assert repr(nd.Bernoulli(logits=0.3)) == repr(td.Bernoulli(logits=0.3))


def test_float64_parameters_and_scalar_broadcasting():
    p = nd.Normal(_nt(np.array([0.0, 1.0])), 2.0)
    q = td.Normal(_th(np.array([0.0, 1.0])), 2.0)
    assert p.scale.dtype == numtorch.float64 and p.batch_shape == (2,)
    _eq(p.log_prob(_nt(np.array([[0.5], [1.5]]))), q.log_prob(_th(np.array([[0.5], [1.5]]))))
    p0, q0 = nd.Normal(0.0, 1.0), td.Normal(0.0, 1.0)
    assert p0.batch_shape == () and repr(p0) == repr(q0) == 'Normal(loc: 0.0, scale: 1.0)'
    e = nd.Normal(_nt(REAL[0]), _nt(POS[0])).expand((4, 3))
    assert e.batch_shape == (4, 3) and e.sample().shape == (4, 3)


def test_categorical_against_torch():
    pr = RNG.uniform(0.1, 1, (2, 3, 4)).astype(np.float32)
    for kind in ('probs', 'logits'):
        a, b = _nt(pr, True), _th(pr, True)
        p, q = nd.Categorical(**{kind: a}), td.Categorical(**{kind: b})
        assert p.batch_shape == q.batch_shape == (2, 3)
        assert repr(p) == repr(q)
        _eq(p.probs, q.probs)
        _eq(p.logits, q.logits)
        _eq(p.entropy(), q.entropy())
        _eq(p.mode, q.mode)
        v = RNG.integers(0, 4, (5, 2, 3))
        lp, lq = p.log_prob(_nt(v)), q.log_prob(_th(v))
        _eq(lp, lq)
        (lp.sum() + p.entropy().sum()).backward()
        (lq.sum() + q.entropy().sum()).backward()
        _eq(a.grad, b.grad, 1e-5, 1e-6)
        numtorch.manual_seed(5)
        torch.manual_seed(5)
        _eq(p.sample((6, 2)), q.sample((6, 2)))
        _eq(p.sample(), q.sample())
        _eq(p.enumerate_support(), q.enumerate_support())
        assert np.isnan(p.mean.numpy()).all() and p.mean.shape == (2, 3)
    # a zero probability: entropy stays finite (0 log 0 = 0)
    z = np.array([0.0, 0.3, 0.7], np.float32)
    _eq(nd.Categorical(_nt(z)).entropy(), td.Categorical(_th(z)).entropy())


def test_one_hot_categorical_against_torch():
    pr = RNG.uniform(0.1, 1, (3, 4)).astype(np.float32)
    p, q = nd.OneHotCategorical(_nt(pr)), td.OneHotCategorical(_th(pr))
    assert p.batch_shape == q.batch_shape and p.event_shape == q.event_shape == (4,)
    numtorch.manual_seed(2)
    torch.manual_seed(2)
    sp, sq = p.sample((5,)), q.sample((5,))
    _eq(sp, sq)
    _eq(p.log_prob(sp), q.log_prob(sq))
    _eq(p.mode, q.mode)
    _eq(p.variance, q.variance)
    _eq(p.enumerate_support(), q.enumerate_support())
    a, b = _nt(pr, True), _th(pr, True)
    numtorch.manual_seed(2)
    torch.manual_seed(2)
    rp = nd.OneHotCategoricalStraightThrough(a).rsample((3,))
    rq = td.OneHotCategoricalStraightThrough(b).rsample((3,))
    _eq(rp, rq)
    (rp * _nt(np.arange(4.0, dtype=np.float32))).sum().backward()
    (rq * _th(np.arange(4.0, dtype=np.float32))).sum().backward()
    _eq(a.grad, b.grad, 1e-5, 1e-6)


def _spd(n, batch=()):
    m = RNG.normal(size=batch + (n, n))
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


@pytest.mark.parametrize('kind', ['covariance_matrix', 'scale_tril', 'precision_matrix'])
def test_multivariate_normal_against_torch(kind):
    cov = _spd(3, (2,))
    mat = {'covariance_matrix': cov, 'scale_tril': np.linalg.cholesky(cov),
           'precision_matrix': np.linalg.inv(cov)}[kind]
    loc = RNG.normal(size=(3,))
    la, lb, ma, mb = _nt(loc, True), _th(loc, True), _nt(mat, True), _th(mat, True)
    p = nd.MultivariateNormal(la, **{kind: ma})
    q = td.MultivariateNormal(lb, **{kind: mb})
    assert p.batch_shape == q.batch_shape == (2,) and p.event_shape == (3,)
    assert repr(p) == repr(q)
    for attr in ('mean', 'variance', 'covariance_matrix', 'scale_tril', 'precision_matrix'):
        _eq(getattr(p, attr), getattr(q, attr), 1e-10, 1e-12)
    _eq(p.entropy(), q.entropy(), 1e-12)
    v = RNG.normal(size=(4, 2, 3))
    lp, lq = p.log_prob(_nt(v)), q.log_prob(_th(v))
    _eq(lp, lq, 1e-10, 1e-12)
    numtorch.manual_seed(9)
    torch.manual_seed(9)
    sp, sq = p.rsample((4,)), q.rsample((4,))
    _eq(sp, sq, 1e-10, 1e-12)
    (lp.sum() + sp.sum() + p.entropy().sum()).backward()
    (lq.sum() + sq.sum() + q.entropy().sum()).backward()
    _eq(la.grad, lb.grad, 1e-9, 1e-11)
    _eq(ma.grad, mb.grad, 1e-8, 1e-10)


def test_independent_against_torch():
    p = nd.Independent(nd.Normal(_nt(REAL), _nt(POS)), 1)
    q = td.Independent(td.Normal(_th(REAL), _th(POS)), 1)
    assert p.batch_shape == q.batch_shape == (2,) and p.event_shape == q.event_shape == (3,)
    assert repr(p) == repr(q)
    assert repr(p.support) == repr(q.support)
    v = RNG.normal(size=(5, 2, 3)).astype(np.float32)
    _eq(p.log_prob(_nt(v)), q.log_prob(_th(v)))
    _eq(p.entropy(), q.entropy())
    e = p.expand((4, 2))
    assert e.batch_shape == (4, 2) and e.event_shape == (3,) and e.sample().shape == (4, 2, 3)
    with pytest.raises(ValueError) as ei:
        nd.Independent(nd.Normal(0.0, 1.0), 1)
    with pytest.raises(ValueError) as et:
        td.Independent(td.Normal(0.0, 1.0), 1)
    assert str(ei.value) == str(et.value)


def _kl_pairs():
    a, b = RNG.uniform(0.5, 2, (2, 3)), RNG.uniform(0.5, 2, (2, 3))
    c, d = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))
    pr1, pr2 = RNG.uniform(0.1, 1, (2, 4)), RNG.uniform(0.1, 1, (2, 4))
    cov1, cov2 = _spd(3, (2,)), _spd(3)
    return [
        ('Normal', dict(loc=c, scale=a), dict(loc=d, scale=b)),
        ('Laplace', dict(loc=c, scale=a), dict(loc=d, scale=b)),
        ('Exponential', dict(rate=a), dict(rate=b)),
        ('Bernoulli', dict(probs=a / 2.5), dict(logits=c)),
        ('Categorical', dict(probs=pr1), dict(logits=pr2)),
        ('OneHotCategorical', dict(logits=pr1), dict(probs=pr2)),
        ('Uniform', dict(low=c - 1, high=c + a), dict(low=c - 2, high=c + a + b)),
        ('MultivariateNormal', dict(loc=c, covariance_matrix=cov1),
         dict(loc=d[0], scale_tril=np.linalg.cholesky(cov2))),
    ]


@pytest.mark.parametrize('case', _kl_pairs(), ids=lambda c: c[0])
def test_kl_divergence_values_and_gradients(case):
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
    for k in pa:
        _eq(pa[k].grad, pb[k].grad, 1e-9, 1e-11)
    for k in qa:
        _eq(qa[k].grad, qb[k].grad, 1e-9, 1e-11)


def test_kl_special_cases_and_dispatch():
    # disjoint supports and zero probabilities give inf / 0 as in torch
    args = ([0.0, 0.0], [1.0, 1.0]), ([0.5, -1.0], [2.0, 3.0])
    ka = nd.kl_divergence(nd.Uniform(*map(_nt, args[0])), nd.Uniform(*map(_nt, args[1])))
    kb = td.kl_divergence(td.Uniform(*map(_th, args[0])), td.Uniform(*map(_th, args[1])))
    _eq(ka, kb)
    p, q = [0.0, 0.5, 1.0], [0.5, 0.0, 1.0]
    _eq(nd.kl_divergence(nd.Bernoulli(_nt(p)), nd.Bernoulli(_nt(q))),
        td.kl_divergence(td.Bernoulli(_th(p)), td.Bernoulli(_th(q))))
    _eq(nd.kl_divergence(nd.Categorical(_nt([0.0, 1.0])), nd.Categorical(_nt([0.5, 0.5]))),
        td.kl_divergence(td.Categorical(_th([0.0, 1.0])), td.Categorical(_th([0.5, 0.5]))))
    i = nd.kl_divergence(nd.Independent(nd.Normal(_nt(REAL), 1.0), 1),
                         nd.Independent(nd.Normal(0.0, _nt(POS)), 1))
    j = td.kl_divergence(td.Independent(td.Normal(_th(REAL), 1.0), 1),
                         td.Independent(td.Normal(0.0, _th(POS)), 1))
    _eq(i, j)
    with pytest.raises(NotImplementedError) as ei:
        nd.kl_divergence(nd.Categorical(numtorch.ones(2)), nd.Normal(0.0, 1.0))
    with pytest.raises(NotImplementedError) as et:
        td.kl_divergence(td.Categorical(torch.ones(2)), td.Normal(0.0, 1.0))
    assert str(ei.value) == str(et.value)
    with pytest.raises(ValueError) as ei:
        nd.kl_divergence(nd.MultivariateNormal(numtorch.zeros(2), numtorch.eye(2)),
                         nd.MultivariateNormal(numtorch.zeros(3), numtorch.eye(3)))
    with pytest.raises(ValueError) as et:
        td.kl_divergence(td.MultivariateNormal(torch.zeros(2), torch.eye(2)),
                         td.MultivariateNormal(torch.zeros(3), torch.eye(3)))
    assert str(ei.value) == str(et.value)

    class MyNormal(nd.Normal):
        pass

    @nd.register_kl(MyNormal, nd.Normal)
    def _kl_mine(p, q):
        return numtorch.tensor(42.0)

    assert nd.kl_divergence(MyNormal(0.0, 1.0), nd.Normal(0.0, 1.0)).item() == 42.0
    assert nd.kl_divergence(nd.Normal(0.0, 1.0), MyNormal(0.0, 1.0)).item() == 0.0


def _errors(fn_nt, fn_th):
    with pytest.raises(Exception) as ea:
        fn_nt()
    with pytest.raises(Exception) as eb:
        fn_th()
    assert type(ea.value) is type(eb.value)
    assert str(ea.value) == str(eb.value)


def test_validation_errors_match_torch():
    _errors(lambda: nd.Normal(0.0, -1.0), lambda: td.Normal(0.0, -1.0))
    _errors(lambda: nd.Normal(_nt([0.0, 1.0]), _nt([1.0, 0.0])),
            lambda: td.Normal(_th([0.0, 1.0]), _th([1.0, 0.0])))
    _errors(lambda: nd.Normal(0.0, 1.0).log_prob(_nt([math.nan])),
            lambda: td.Normal(0.0, 1.0).log_prob(_th([math.nan])))
    _errors(lambda: nd.Normal(_nt([0.0, 1.0]), 1.0).log_prob(_nt([1.0, 2.0, 3.0])),
            lambda: td.Normal(_th([0.0, 1.0]), 1.0).log_prob(_th([1.0, 2.0, 3.0])))
    _errors(lambda: nd.Normal(0.0, 1.0).log_prob(1.0), lambda: td.Normal(0.0, 1.0).log_prob(1.0))
    _errors(lambda: nd.Bernoulli(probs=_nt([0.2, 1.5])),
            lambda: td.Bernoulli(probs=_th([0.2, 1.5])))
    _errors(lambda: nd.Bernoulli(0.3).log_prob(_nt(0.5)),
            lambda: td.Bernoulli(0.3).log_prob(_th(0.5)))
    _errors(lambda: nd.Bernoulli(), lambda: td.Bernoulli())
    _errors(lambda: nd.Uniform(1.0, 0.0), lambda: td.Uniform(1.0, 0.0))
    _errors(lambda: nd.Uniform(0.0, 1.0).log_prob(_nt(2.0)),
            lambda: td.Uniform(0.0, 1.0).log_prob(_th(2.0)))
    _errors(lambda: nd.Exponential(_nt([1.0, -1.0])), lambda: td.Exponential(_th([1.0, -1.0])))
    _errors(lambda: nd.Exponential(1.0).log_prob(_nt(-1.0)),
            lambda: td.Exponential(1.0).log_prob(_th(-1.0)))
    _errors(lambda: nd.Categorical(_nt([0.5, -0.5])), lambda: td.Categorical(_th([0.5, -0.5])))
    _errors(lambda: nd.Categorical(_nt(0.5)), lambda: td.Categorical(_th(0.5)))
    _errors(lambda: nd.Categorical(logits=_nt([0.0, 1.0])).log_prob(_nt(2)),
            lambda: td.Categorical(logits=_th([0.0, 1.0])).log_prob(_th(2)))
    _errors(lambda: nd.OneHotCategorical(_nt([0.5, 0.5])).log_prob(_nt([1.0, 1.0])),
            lambda: td.OneHotCategorical(_th([0.5, 0.5])).log_prob(_th([1.0, 1.0])))
    bad = np.array([[1.0, 2.0], [2.0, 1.0]])
    _errors(lambda: nd.MultivariateNormal(_nt([0.0, 0.0]), _nt(bad)),
            lambda: td.MultivariateNormal(_th([0.0, 0.0]), _th(bad)))
    _errors(lambda: nd.MultivariateNormal(_nt([0.0, 0.0]), scale_tril=_nt(-np.eye(2))),
            lambda: td.MultivariateNormal(_th([0.0, 0.0]), scale_tril=_th(-np.eye(2))))
    _errors(lambda: nd.MultivariateNormal(_nt([0.0, 0.0])),
            lambda: td.MultivariateNormal(_th([0.0, 0.0])))
    _errors(lambda: nd.MultivariateNormal(_nt(0.0), _nt(np.eye(2))),
            lambda: td.MultivariateNormal(_th(0.0), _th(np.eye(2))))
    _errors(lambda: nd.Distribution.set_default_validate_args(3),
            lambda: td.Distribution.set_default_validate_args(3))


def test_validate_args_off():
    p = nd.Normal(0.0, -1.0, validate_args=False)
    assert math.isnan(p.log_prob(_nt(0.0)).item())
    try:
        nd.Distribution.set_default_validate_args(False)
        nd.Uniform(1.0, 0.0)
        assert nd.Normal(0.0, 1.0).log_prob(_nt(math.nan)).isnan().item()
    finally:
        nd.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        nd.Uniform(1.0, 0.0)
    # arguments are checked after expand only through the original instance
    e = nd.Normal(_nt([0.0]), _nt([1.0])).expand((3,))
    assert e._validate_args and e.log_prob(_nt([1.0, 2.0, 3.0])).shape == (3,)


def test_constraint_reprs():
    c = nd.constraints
    t = td.constraints
    for name in ('real', 'positive', 'nonnegative', 'unit_interval', 'simplex', 'boolean',
                 'real_vector', 'nonnegative_integer', 'positive_definite', 'lower_cholesky',
                 'one_hot'):
        assert repr(getattr(c, name)) == repr(getattr(t, name))
    assert repr(c.interval(0.0, 2.0)) == repr(t.interval(0.0, 2.0))
    assert repr(c.integer_interval(0, 3)) == repr(t.integer_interval(0, 3))
    assert repr(nd.Uniform(0.0, 2.0).support) == repr(td.Uniform(0.0, 2.0).support)
    assert repr(nd.Categorical(numtorch.ones(3)).support) == \
        repr(td.Categorical(torch.ones(3)).support)


def test_exponential_family_entropy_by_autograd():
    # the generic Bregman entropy (used by families without a closed form) agrees with
    # the closed forms
    from numtorch.distributions.exp_family import ExponentialFamily
    p = nd.Normal(_nt(REAL.astype(np.float64)), _nt(POS.astype(np.float64)))
    np.testing.assert_allclose(ExponentialFamily.entropy(p).detach().numpy(),
                               p.entropy().numpy(), rtol=1e-12)
    b = nd.Exponential(_nt(POS.astype(np.float64)))
    np.testing.assert_allclose(ExponentialFamily.entropy(b).detach().numpy(),
                               b.entropy().numpy(), rtol=1e-12)


def test_perplexity_and_sample_shapes():
    p = nd.Normal(_nt(REAL), _nt(POS))
    _eq(p.perplexity(), td.Normal(_th(REAL), _th(POS)).perplexity())
    assert p.sample().shape == (2, 3) and p.rsample((4, 5)).shape == (4, 5, 2, 3)
    assert p.sample(numtorch.Size([7])).shape == (7, 2, 3)
    c = nd.Categorical(logits=_nt(REAL))
    assert c.sample((4, 5)).shape == (4, 5, 2) and c.sample().dtype == numtorch.int64


def test_bernoulli_of_expanded_probabilities_draws_in_index_order():
    # regression (numtorch/_ops/random.py): an expanded tensor's result is contiguous in
    # PyTorch (empty_like of a non-dense tensor), so its draws go in index order
    p = RNG.uniform(0.1, 0.9, (2, 3)).astype(np.float32)
    numtorch.manual_seed(1)
    torch.manual_seed(1)
    a = numtorch.bernoulli(numtorch.tensor(p).expand(7, 2, 3))
    b = torch.bernoulli(torch.tensor(p).expand(7, 2, 3))
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_gamma_against_torch():
    c, r = POS.astype(np.float64), (POS[::-1] + 0.2).astype(np.float64)
    ca, ra, cb, rb = _nt(c, True), _nt(r, True), _th(c, True), _th(r, True)
    p, q = nd.Gamma(ca, ra), td.Gamma(cb, rb)
    assert repr(p) == repr(q)
    for attr in ('mean', 'variance', 'mode'):
        _eq(getattr(p, attr), getattr(q, attr), 1e-12)
    v = RNG.uniform(0.1, 4, (3, 2, 3))
    lp, lq = p.log_prob(_nt(v)), q.log_prob(_th(v))
    _eq(lp, lq, 1e-12)
    _eq(p.entropy(), q.entropy(), 1e-12)
    (lp.sum() + p.entropy().sum()).backward()
    (lq.sum() + q.entropy().sum()).backward()
    _eq(ca.grad, cb.grad, 1e-11)
    _eq(ra.grad, rb.grad, 1e-11)
    kp = nd.kl_divergence(nd.Gamma(_nt(c), _nt(r)), nd.Gamma(_nt(r), _nt(c)))
    kq = td.kl_divergence(td.Gamma(_th(c), _th(r)), td.Gamma(_th(r), _th(c)))
    _eq(kp, kq, 1e-11)
    _errors(lambda: nd.Gamma(1.0, 1.0).log_prob(_nt(-1.0)),
            lambda: td.Gamma(1.0, 1.0).log_prob(_th(-1.0)))
    # rsample is differentiable in concentration too (PyTorch's _standard_gamma_grad)
    ca, cb = _nt(c, True), _th(c, True)
    numtorch.manual_seed(4)
    torch.manual_seed(4)
    sp, sq = nd.Gamma(ca, 1.0).rsample(), td.Gamma(cb, 1.0).rsample()
    _eq(sp, sq, 1e-13)
    sp.sum().backward()
    sq.sum().backward()
    _eq(ca.grad, cb.grad, 1e-12)


@pytest.mark.parametrize('conc', [0.3, 2.5, 40.0])
def test_gamma_samples_are_torchs(conc):
    # PyTorch's draws for the same seed, and the rate gradient d(x / rate) / d rate
    rates = []
    for lib, D in ((numtorch, nd), (torch, td)):
        lib.manual_seed(0)
        rate = lib.tensor(2.0, requires_grad=True)
        s = D.Gamma(lib.tensor(conc), rate).rsample((2000,))
        s.sum().backward()
        rates.append((s, rate.grad))
    (sn, gn), (st, gt) = rates
    assert sn.dtype == numtorch.float32
    np.testing.assert_array_equal(sn.detach().numpy(), st.detach().numpy())
    np.testing.assert_allclose(gn.item(), gt.item(), rtol=1e-5)


def test_poisson_against_torch():
    r = np.array([0.5, 3.0, 15.0], np.float32)
    a, b = _nt(r, True), _th(r, True)
    p, q = nd.Poisson(a), td.Poisson(b)
    v = np.array([[0.0, 2.0, 14.0], [1.0, 5.0, 20.0]], np.float32)
    lp, lq = p.log_prob(_nt(v)), q.log_prob(_th(v))
    _eq(lp, lq, 1e-6, 1e-6)
    lp.sum().backward()
    lq.sum().backward()
    _eq(a.grad, b.grad, 1e-6)
    numtorch.manual_seed(3)
    torch.manual_seed(3)
    _eq(p.sample((4,)), q.sample((4,)))
    # (PyTorch's Poisson has no entropy: its carrier measure's mean is not defined)
    _errors(lambda: nd.Poisson(_nt(r)).entropy(), lambda: td.Poisson(_th(r)).entropy())
    _errors(lambda: nd.Poisson(2.0).log_prob(_nt(0.5)), lambda: td.Poisson(2.0).log_prob(_th(0.5)))
