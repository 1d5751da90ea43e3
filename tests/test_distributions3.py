"""torch.distributions, third part, against torch: Multinomial, MixtureSameFamily,
LowRankMultivariateNormal, the relaxed Bernoulli / one-hot categorical, ContinuousBernoulli,
VonMises, FisherSnedecor, Kumaraswamy, LogisticNormal, InverseGamma, GeneralizedPareto,
Wishart, LKJCholesky; the CorrCholesky, PositiveDefinite, Cat, Stack and
CumulativeDistribution transforms, the cat/stack constraints and the new KL pairs. Values
and gradients, samples from the same seed where PyTorch's sampler is reproducible
(statistical checks where it is gamma-based), shapes, validation errors and reprs."""
import warnings

import numpy as np
import pytest
import torch

import numtorch

RNG = np.random.default_rng(11)
POS = RNG.uniform(0.5, 2.0, (2, 3))
POS2 = RNG.uniform(0.5, 2.0, (2, 3))
REAL = RNG.normal(size=(2, 3))
PROB = np.array([[0.1, 0.4995, 0.7], [0.3, 0.5, 0.95]])
SIMPLEX = RNG.uniform(0.2, 1.0, (2, 3))
SIMPLEX /= SIMPLEX.sum(-1, keepdims=True)
SPD = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.0]])


def _lkj_value():
    m = torch.distributions.transforms.CorrCholeskyTransform()(
        torch.tensor(RNG.normal(size=(4, 3)) * 0.7))
    return m.numpy()


def _wishart_value():
    a = RNG.normal(size=(4, 1, 3, 5))
    return a @ a.transpose(0, 1, 3, 2) + 0.5 * np.eye(3)


def _lib(mod):
    return mod.distributions


def _tensors(mod, params, grad):
    return {k: mod.tensor(v, requires_grad=grad) if isinstance(v, np.ndarray) else v
            for k, v in params.items()}


# name -> (constructor(D, p), parameters, value for log_prob, the properties to compare)
CASES = {
    'Multinomial': (lambda D, p: D.Multinomial(5, probs=p['probs']), dict(probs=SIMPLEX),
                    np.array([[[1., 2., 2.], [0., 5., 0.]], [[5., 0., 0.], [2., 2., 1.]]]),
                    ('mean', 'variance', 'entropy')),
    'Multinomial_logits': (lambda D, p: D.Multinomial(4, logits=p['logits']),
                           dict(logits=REAL), np.array([[1., 1., 2.], [0., 4., 0.]]),
                           ('mean', 'variance', 'entropy')),
    'LowRankMultivariateNormal': (
        lambda D, p: D.LowRankMultivariateNormal(p['loc'], p['W'], p['D']),
        dict(loc=REAL, W=RNG.normal(size=(3, 2)), D=POS), RNG.normal(size=(4, 2, 3)),
        ('mean', 'variance', 'entropy', 'scale_tril', 'covariance_matrix',
         'precision_matrix')),
    'RelaxedBernoulli': (lambda D, p: D.RelaxedBernoulli(p['t'], probs=p['probs']),
                         dict(t=np.array(0.6), probs=PROB), RNG.uniform(0.05, 0.95, (4, 2, 3)),
                         ()),
    'LogitRelaxedBernoulli': (
        lambda D, p: D.relaxed_bernoulli.LogitRelaxedBernoulli(p['t'], logits=p['l']),
                              dict(t=np.array(1.3), l=REAL), RNG.normal(size=(4, 2, 3)), ()),
    'RelaxedOneHotCategorical': (
        lambda D, p: D.RelaxedOneHotCategorical(p['t'], probs=p['probs']),
        dict(t=np.array(0.8), probs=SIMPLEX), np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]), ()),
    'ExpRelaxedCategorical': (
        lambda D, p: D.relaxed_categorical.ExpRelaxedCategorical(p['t'], logits=p['l']),
        dict(t=np.array(0.8), l=REAL), np.log([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]), ()),
    'ContinuousBernoulli': (lambda D, p: D.ContinuousBernoulli(probs=p['probs']),
                            dict(probs=PROB), RNG.uniform(0.01, 0.99, (4, 2, 3)),
                            ('mean', 'variance', 'stddev', 'entropy', 'cdf', 'icdf')),
    'ContinuousBernoulli_logits': (lambda D, p: D.ContinuousBernoulli(logits=p['l']),
                                   dict(l=REAL), RNG.uniform(0.01, 0.99, (2, 3)),
                                   ('mean', 'variance', 'entropy', 'cdf', 'icdf')),
    'VonMises': (lambda D, p: D.VonMises(p['loc'], p['k']),
                 dict(loc=REAL, k=np.array([[0.3, 2.0, 5.0], [1e-6, 3.74, 3.76]])),
                 RNG.uniform(-3, 3, (4, 2, 3)), ('mean', 'mode', 'variance')),
    'FisherSnedecor': (lambda D, p: D.FisherSnedecor(p['a'], p['b']),
                       dict(a=3 * POS, b=np.array([[5., 6., 9.], [4.5, 12., 7.]])),
                       RNG.uniform(0.1, 3, (4, 2, 3)), ('mean', 'variance', 'mode')),
    'Kumaraswamy': (lambda D, p: D.Kumaraswamy(p['a'], p['b']), dict(a=POS + 0.6, b=POS2 + 0.6),
                    RNG.uniform(0.05, 0.95, (4, 2, 3)), ('mean', 'variance', 'mode', 'entropy')),
    'LogisticNormal': (lambda D, p: D.LogisticNormal(p['loc'], p['scale']),
                       dict(loc=REAL, scale=POS), np.array([[0.1, 0.2, 0.3, 0.4]] * 2), ()),
    'InverseGamma': (lambda D, p: D.InverseGamma(p['a'], p['b']),
                     dict(a=np.array([[0.5, 1.5, 3.], [2.5, 4., 0.9]]), b=POS),
                     RNG.uniform(0.1, 3, (4, 2, 3)), ('mean', 'variance', 'mode', 'entropy')),
    'GeneralizedPareto': (lambda D, p: D.GeneralizedPareto(p['loc'], p['s'], p['c']),
                          # float32: PyTorch's isclose against a float32 0 rejects float64
                          dict(loc=REAL.astype(np.float32), s=POS.astype(np.float32),
                               c=np.array([[0.3, -0.2, 0.0], [0.7, 0.1, 0.4]], np.float32)),
                          (REAL + RNG.uniform(0.05, 1.0, (4, 2, 3))).astype(np.float32),
                          ('mean', 'variance', 'mode', 'entropy', 'cdf', 'icdf')),
    'Wishart': (lambda D, p: D.Wishart(p['df'], covariance_matrix=p['cov']),
                dict(df=np.array([4.0, 6.5]), cov=SPD), _wishart_value(),
                ('mean', 'variance', 'mode', 'entropy', 'precision_matrix')),
    'Wishart_tril': (lambda D, p: D.Wishart(p['df'], scale_tril=p['L']),
                     dict(df=np.array(5.0), L=np.linalg.cholesky(SPD)), _wishart_value(),
                     ('mean', 'entropy')),
    'Wishart_precision': (lambda D, p: D.Wishart(p['df'], precision_matrix=p['P']),
                          dict(df=np.array(3.5), P=SPD), _wishart_value(),
                          ('mean', 'variance')),
    'LKJCholesky': (lambda D, p: D.LKJCholesky(3, p['c']), dict(c=np.array([0.5, 1.0, 2.5, 4.0])),
                    _lkj_value(), ()),
    'MixtureSameFamily': (
        lambda D, p: D.MixtureSameFamily(D.Categorical(logits=p['l']),
                                         D.Normal(p['loc'], p['scale'])),
        dict(l=REAL, loc=RNG.normal(size=(2, 3)), scale=POS), RNG.normal(size=(4, 2)),
        ('mean', 'variance', 'cdf')),
    'MixtureSameFamily_mvn': (
        lambda D, p: D.MixtureSameFamily(
            D.Categorical(probs=p['w']),
            D.Independent(D.Normal(p['loc'], p['scale']), 1)),
        dict(w=SIMPLEX[0], loc=RNG.normal(size=(3, 2)), scale=RNG.uniform(0.5, 2, (3, 2))),
        RNG.normal(size=(5, 2)), ('mean', 'variance')),
}


def _build(mod, name, grad):
    make, params, _, _ = CASES[name]
    p = _tensors(mod, params, grad)
    return make(_lib(mod), p), p


def _compare(a, b, rtol=1e-7, atol=1e-9):
    assert tuple(a.shape) == tuple(b.shape)
    assert str(a.dtype) == str(b.dtype)
    if a.dtype == numtorch.float32:
        rtol, atol = max(rtol, 2e-6), max(atol, 1e-6)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize('name', list(CASES))
def test_values_and_gradients_against_torch(name):
    value = CASES[name][2]
    props = CASES[name][3]
    da, pa = _build(numtorch, name, True)
    db, pb = _build(torch, name, True)
    assert da.batch_shape == db.batch_shape and da.event_shape == db.event_shape
    outs = []
    for prop in ('log_prob',) + props:
        if prop in ('log_prob', 'cdf'):
            xa, xb = getattr(da, prop)(numtorch.tensor(value)), getattr(db, prop)(
                torch.tensor(value))
        elif prop == 'icdf':
            u = RNG.uniform(0.05, 0.95, value.shape)
            xa, xb = da.icdf(numtorch.tensor(u)), db.icdf(torch.tensor(u))
        elif prop == 'entropy':
            xa, xb = da.entropy(), db.entropy()
        else:
            xa, xb = getattr(da, prop), getattr(db, prop)
        _compare(xa, xb)
        finite = np.isfinite(xb.detach().numpy())
        outs.append((xa[numtorch.tensor(finite)].sum(), xb[torch.tensor(finite)].sum()))
    sa = sum(o[0] for o in outs)
    sb = sum(o[1] for o in outs)
    sa.backward()
    sb.backward()
    for k in pb:
        if isinstance(pb[k], torch.Tensor):
            ga, gb = pa[k].grad, pb[k].grad
            if gb is None:
                assert ga is None or not ga.numpy().any()
            else:
                np.testing.assert_allclose(ga.numpy(), gb.numpy(), rtol=1e-6, atol=1e-9)


# name -> (sample shape, whether samples carry gradient)
SAME_STREAM = {'Multinomial': ((3,), False), 'Multinomial_logits': ((2, 2), False),
               'LowRankMultivariateNormal': ((3,), True), 'RelaxedBernoulli': ((3,), True),
               'LogitRelaxedBernoulli': ((2,), True), 'RelaxedOneHotCategorical': ((3,), True),
               'ExpRelaxedCategorical': ((3,), True), 'ContinuousBernoulli': ((3,), True),
               'ContinuousBernoulli_logits': ((), True), 'VonMises': ((40,), False),
               'Kumaraswamy': ((3,), True), 'LogisticNormal': ((3,), True),
               'GeneralizedPareto': ((3,), True), 'MixtureSameFamily': ((6,), False),
               'MixtureSameFamily_mvn': ((2, 3), False)}


@pytest.mark.parametrize('name', list(SAME_STREAM))
def test_same_samples_for_the_same_seed(name):
    shape, rs = SAME_STREAM[name]
    da, pa = _build(numtorch, name, rs)
    db, pb = _build(torch, name, rs)
    numtorch.manual_seed(4)
    torch.manual_seed(4)
    sa = da.rsample(shape) if rs else da.sample(shape)
    sb = db.rsample(shape) if rs else db.sample(shape)
    _compare(sa, sb, rtol=1e-9, atol=1e-12)
    assert numtorch.rand(1).item() == torch.rand(1).item()   # the same draws consumed
    if rs:
        w = RNG.normal(size=tuple(sb.shape))
        (sa * numtorch.tensor(w)).sum().backward()
        (sb * torch.tensor(w)).sum().backward()
        for k in pb:
            if isinstance(pb[k], torch.Tensor) and pb[k].grad is not None:
                # (float32 parameters: NumPy's and PyTorch's log1p/expm1 differ by an ulp
                # on some inputs, which the gradients' formulas can amplify tenfold)
                tol = 1e-5 if pb[k].dtype == torch.float32 else 1e-6
                np.testing.assert_allclose(pa[k].grad.numpy(), pb[k].grad.numpy(),
                                           rtol=tol, atol=1e-9)


def test_von_mises_float32_samples_and_expand():
    loc = np.array([0.5, -3.0, 3.1], np.float32)
    k = np.array([0.01, 1.0, 40.0], np.float32)
    a = numtorch.distributions.VonMises(numtorch.tensor(loc), numtorch.tensor(k))
    b = torch.distributions.VonMises(torch.tensor(loc), torch.tensor(k))
    numtorch.manual_seed(9)
    torch.manual_seed(9)
    _compare(a.sample((30,)), b.sample((30,)), rtol=0, atol=0)
    ea, eb = a.expand((2, 3)), b.expand((2, 3))
    _compare(ea.sample(), eb.sample(), rtol=0, atol=0)
    assert ea.batch_shape == eb.batch_shape


def _stats(sample, mean, var, n):
    s = sample.numpy().astype(np.float64)
    m = s.mean(0)
    assert np.all(np.abs(m - mean) < 5 * np.sqrt(var / n) + 1e-3), (m, mean)


def test_gamma_based_samples_are_distributed():
    numtorch.manual_seed(0)
    D = numtorch.distributions
    n = 4000
    f = D.FisherSnedecor(numtorch.tensor([4.0, 10.0]), numtorch.tensor([9.0, 12.0]))
    s = f.rsample((n,))
    assert s.shape == (n, 2) and bool((s > 0).all())
    _stats(s, f.mean.numpy(), f.variance.numpy(), n)
    g = D.InverseGamma(numtorch.tensor([5.0, 7.0]), numtorch.tensor([2.0, 1.0]))
    s = g.rsample((n,))
    _stats(s, g.mean.numpy(), g.variance.numpy(), n)
    w = D.Wishart(numtorch.tensor(5.0), covariance_matrix=numtorch.tensor(SPD))
    s = w.rsample((n,))
    assert s.shape == (n, 3, 3)
    _stats(s, w.mean.numpy(), w.variance.numpy(), n)
    assert bool(numtorch.distributions.constraints.positive_definite.check(s).all())
    lkj = D.LKJCholesky(3, numtorch.tensor([0.7, 3.0]))
    s = lkj.sample((n,))
    assert s.shape == (n, 2, 3, 3)
    assert bool(D.constraints.corr_cholesky.check(s).all())
    # The off-diagonal correlations are Beta(c + 1/2, c + 1/2) on [-1, 1] for dim 3:
    # variance 1 / (2 c + 2).
    corr = (s @ s.mT)[..., 1, 0].numpy()
    np.testing.assert_allclose(corr.var(0), 1 / (2 * np.array([0.7, 3.0]) + 2), rtol=0.12)
    # the log density of the sampler's output integrates consistently with torch's
    lp = lkj.log_prob(s[:5])
    lt = torch.distributions.LKJCholesky(3, torch.tensor([0.7, 3.0])).log_prob(
        torch.tensor(s[:5].numpy()))
    np.testing.assert_allclose(lp.numpy(), lt.numpy(), rtol=1e-6)


def test_rsample_gradient_wishart_and_fisher_through_scale():
    L = numtorch.tensor(np.linalg.cholesky(SPD), requires_grad=True)
    w = numtorch.distributions.Wishart(numtorch.tensor(6.0), scale_tril=L)
    numtorch.manual_seed(1)
    s = w.rsample((2,))
    s.sum().backward()
    assert L.grad is not None and L.grad.shape == (3, 3)


def test_shapes_expand_and_sample_shapes():
    D = numtorch.distributions
    TD = torch.distributions
    for name in CASES:
        if name.startswith('Wishart') or name == 'LKJCholesky':
            continue
        da, _ = _build(numtorch, name, False)
        db, _ = _build(torch, name, False)
        new = (5,) + tuple(db.batch_shape)
        ea, eb = da.expand(new), db.expand(new)
        assert ea.batch_shape == eb.batch_shape and ea.event_shape == eb.event_shape
        assert type(ea) is type(da)
        if name in SAME_STREAM:
            numtorch.manual_seed(2)
            torch.manual_seed(2)
            _compare(ea.sample((2,)), eb.sample((2,)), rtol=1e-9, atol=1e-12)
    w = D.Wishart(numtorch.tensor([4.0, 5.0]), covariance_matrix=numtorch.tensor(SPD))
    wt = TD.Wishart(torch.tensor([4.0, 5.0]), covariance_matrix=torch.tensor(SPD))
    ew, et = w.expand((3, 2)), wt.expand((3, 2))
    assert ew.batch_shape == et.batch_shape
    _compare(ew.mean, et.mean)
    assert ew.sample((2,)).shape == (2, 3, 2, 3, 3)
    lk = D.LKJCholesky(4, 2.0).expand((2,))
    assert lk.batch_shape == (2,) and lk.event_shape == (4, 4)
    assert lk.sample((3,)).shape == (3, 2, 4, 4)
    assert D.FisherSnedecor(2.0, 3.0).batch_shape == ()
    assert D.GeneralizedPareto(0.0, 1.0, 0.1).sample((4,)).shape == (4,)
    assert D.LogisticNormal(0.0, 1.0).event_shape == (2,)
    assert D.ContinuousBernoulli(0.3).sample().shape == ()


def test_multinomial_extras():
    p = numtorch.tensor([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]])
    q = torch.tensor(p.numpy())
    a = numtorch.distributions.Multinomial(6, p)
    b = torch.distributions.Multinomial(6, q)
    v = [[0.0, 3.0, 3.0], [1.0, 2.0, 3.0]]
    _compare(a.log_prob(numtorch.tensor(v)), b.log_prob(torch.tensor(v)))
    assert a.support.upper_bound == 6 and repr(a.support) == repr(b.support)
    assert a.param_shape == b.param_shape
    _compare(a.logits, b.logits)
    with pytest.raises(NotImplementedError, match='inhomogeneous total_count'):
        numtorch.distributions.Multinomial(numtorch.tensor(3.0), p)


def test_generalized_pareto_support_and_survival():
    args = (numtorch.tensor([0.0, 1.0]), numtorch.tensor([2.0, 0.5]),
            numtorch.tensor([-0.5, 0.2]))
    a = numtorch.distributions.GeneralizedPareto(*args)
    b = torch.distributions.GeneralizedPareto(*[torch.tensor(x.numpy()) for x in args])
    _compare(a.support.upper_bound, b.support.upper_bound)
    x = [1.0, 2.0]
    _compare(a.log_survival_function(numtorch.tensor(x)),
             b.log_survival_function(torch.tensor(x)))
    _compare(a.log_cdf(numtorch.tensor(x)), b.log_cdf(torch.tensor(x)))


def _errors(fa, fb):
    with pytest.raises(Exception) as ea:
        fa()
    with pytest.raises(Exception) as eb:
        fb()
    # by name: PyTorch's _LinAlgError is its own class
    assert type(ea.value).__name__ == type(eb.value).__name__
    assert str(ea.value) == str(eb.value)


@pytest.mark.parametrize('make', [
    lambda T, D: D.Multinomial(3, T([[0.5, -0.1, 0.6]])),
    lambda T, D: D.Multinomial(3, T([0.2, 0.8])).log_prob(T([-1.0, 1.0])),
    lambda T, D: D.Multinomial(3, T([0.2, 0.8])).log_prob(T([4.0, 1.0])),
    lambda T, D: D.Multinomial(3),
    lambda T, D: D.LowRankMultivariateNormal(T(0.0), T([[1.0]]), T([1.0])),
    lambda T, D: D.LowRankMultivariateNormal(T([0.0, 1.0]), T([1.0, 2.0]), T([1.0, 1.0])),
    lambda T, D: D.LowRankMultivariateNormal(T([0.0, 1.0]), T([[1.0, 2.0]]), T([1.0, 1.0])),
    lambda T, D: D.LowRankMultivariateNormal(T([0.0, 1.0]), T([[1.0], [2.0]]), T([1.0])),
    lambda T, D: D.LowRankMultivariateNormal(T([0.0, 1.0]), T([[1.0], [2.0]]),
                                             T([1.0, -1.0])),
    lambda T, D: D.LowRankMultivariateNormal(T([[0.0, 1.0]] * 3), T([[[1.0], [2.0]]] * 2),
                                             T([1.0, 1.0])),
    lambda T, D: D.RelaxedBernoulli(T(0.5)),
    lambda T, D: D.RelaxedBernoulli(T(0.5), probs=T([1.5])),
    lambda T, D: D.RelaxedBernoulli(T(0.5), probs=T([0.5])).log_prob(T([1.5])),
    lambda T, D: D.RelaxedOneHotCategorical(T(0.5), probs=T([-0.5, 1.5])),
    lambda T, D: D.ContinuousBernoulli(probs=T([1.5]), validate_args=True),
    lambda T, D: D.ContinuousBernoulli(logits=T([0.5])).log_prob(T([1.5])),
    lambda T, D: D.ContinuousBernoulli(),
    lambda T, D: D.VonMises(T([0.0]), T([-1.0])),
    lambda T, D: D.FisherSnedecor(T([1.0]), T([0.0])),
    lambda T, D: D.FisherSnedecor(T([1.0]), T([2.0])).log_prob(T([-1.0])),
    lambda T, D: D.Kumaraswamy(T([1.0]), T([-2.0])),
    lambda T, D: D.Kumaraswamy(T([1.0]), T([2.0])).log_prob(T([1.5])),
    lambda T, D: D.LogisticNormal(T([0.0]), T([0.0])),
    lambda T, D: D.InverseGamma(T([0.0]), T([1.0])),
    lambda T, D: D.GeneralizedPareto(T([0.0]), T([-1.0]), T([0.1])),
    lambda T, D: D.GeneralizedPareto(T([0.0]), T([1.0]), T([-0.5])).log_prob(T([3.0])),
    lambda T, D: D.Wishart(T(2.0), covariance_matrix=T([[1.0, 0.0], [0.0, 1.0]]),
                           scale_tril=T([[1.0, 0.0], [0.0, 1.0]])),
    lambda T, D: D.Wishart(T(0.5), covariance_matrix=T([[1.0, 0.0], [0.0, 1.0]])),
    lambda T, D: D.Wishart(T(3.0), covariance_matrix=T([1.0, 1.0])),
    lambda T, D: D.Wishart(T(3.0), covariance_matrix=T([[1.0, 2.0], [2.0, 1.0]])),
    lambda T, D: D.LKJCholesky(1),
    lambda T, D: D.LKJCholesky(3, T(-1.0)),
    lambda T, D: D.LKJCholesky(2, T(1.0)).log_prob(T([[1.0, 0.0], [0.5, 0.5]])),
    lambda T, D: D.MixtureSameFamily(D.Normal(T([0.0]), T([1.0])), D.Normal(T([0.0]),
                                                                            T([1.0]))),
    lambda T, D: D.MixtureSameFamily(D.Categorical(T([0.5, 0.5])), 3),
    lambda T, D: D.MixtureSameFamily(D.Categorical(T([[0.5, 0.5]] * 2)),
                                     D.Normal(T([[0.0, 1.0]] * 3), T(1.0))),
    lambda T, D: D.MixtureSameFamily(D.Categorical(T([0.5, 0.5])),
                                     D.Normal(T([0.0, 0.0, 1.0]), T(1.0))),
    lambda T, D: D.MixtureSameFamily(D.Categorical(T([0.5, 0.5])),
                                     D.Exponential(T([1.0, 2.0]))).log_prob(T([-1.0])),
])
def test_validation_errors_match_torch(make):
    _errors(lambda: make(numtorch.tensor, numtorch.distributions),
            lambda: make(torch.tensor, torch.distributions))


def test_reprs():
    for name in CASES:
        da, _ = _build(numtorch, name, False)
        db, _ = _build(torch, name, False)
        assert repr(da) == repr(db), name
    D, TD = numtorch.distributions, torch.distributions
    assert repr(D.VonMises(numtorch.tensor(0.5), numtorch.tensor(2.0))) == repr(
        TD.VonMises(torch.tensor(0.5), torch.tensor(2.0)))
    assert repr(D.FisherSnedecor(numtorch.tensor(0.5), numtorch.tensor(2.0))) == repr(
        TD.FisherSnedecor(torch.tensor(0.5), torch.tensor(2.0)))
    m = D.MixtureSameFamily(D.Categorical(numtorch.tensor([0.5, 0.5])),
                            D.Normal(numtorch.tensor([0.0, 1.0]), numtorch.tensor(1.0)))
    assert repr(m.support) == 'MixtureSameFamilyConstraint(Real())'
    assert m.support.event_dim == 0 and not m.support.is_discrete


def test_mixture_support_checks_all_components():
    D = numtorch.distributions
    m = D.MixtureSameFamily(D.Categorical(numtorch.tensor([0.5, 0.5])),
                            D.Uniform(numtorch.tensor([0.0, 0.5]), numtorch.tensor([2.0, 3.0])))
    t = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(torch.tensor([0.5, 0.5])),
        torch.distributions.Uniform(torch.tensor([0.0, 0.5]), torch.tensor([2.0, 3.0])))
    with pytest.raises(ValueError):
        t.log_prob(torch.tensor([0.2]))
    with pytest.raises(ValueError):
        m.log_prob(numtorch.tensor([0.2]))
    _compare(m.log_prob(numtorch.tensor([0.7, 1.5])), t.log_prob(torch.tensor([0.7, 1.5])))


# -- transforms and constraints ------------------------------------------------------
def _transform_pair(make):
    return make(numtorch.distributions), make(torch.distributions)


TRANSFORMS = {
    'CorrCholesky': (lambda D: D.transforms.CorrCholeskyTransform(),
                     RNG.normal(size=(2, 6))),
    'PositiveDefinite': (lambda D: D.transforms.PositiveDefiniteTransform(),
                         RNG.normal(size=(2, 3, 3))),
    'Cat': (lambda D: D.transforms.CatTransform(
        [D.transforms.ExpTransform(), D.transforms.AffineTransform(1.0, 3.0),
         D.transforms.SigmoidTransform()], dim=1, lengths=[1, 2, 2]),
        RNG.normal(size=(3, 5))),
    'Cat_event': (lambda D: D.transforms.CatTransform(
        [D.transforms.IndependentTransform(D.transforms.ExpTransform(), 1),
         D.transforms.AffineTransform(0.5, 2.0, event_dim=1)], dim=-1, lengths=[2, 2]),
        RNG.normal(size=(3, 4))),
    'Stack': (lambda D: D.transforms.StackTransform(
        [D.transforms.ExpTransform(), D.transforms.TanhTransform()], dim=-1),
        RNG.normal(size=(3, 2))),
    'CDF': (lambda D: D.transforms.CumulativeDistributionTransform(
        D.Normal(0.5, 2.0)), RNG.normal(size=(3, 2))),
}


@pytest.mark.parametrize('name', list(TRANSFORMS))
def test_transforms_against_torch(name):
    make, x = TRANSFORMS[name]
    ta, tb = _transform_pair(make)
    xa = numtorch.tensor(x, requires_grad=True)
    xb = torch.tensor(x, requires_grad=True)
    ya, yb = ta(xa), tb(xb)
    _compare(ya, yb)
    if name == 'PositiveDefinite':   # PyTorch defines no Jacobian for it
        _errors(lambda: ta.log_abs_det_jacobian(xa, ya),
                lambda: tb.log_abs_det_jacobian(xb, yb))
        la, lb = ya.sum((-2, -1)), yb.sum((-2, -1))
    else:
        la, lb = ta.log_abs_det_jacobian(xa, ya), tb.log_abs_det_jacobian(xb, yb)
    _compare(la, lb)
    ia, ib = ta.inv(ya.detach()), tb.inv(yb.detach())
    _compare(ia, ib, rtol=1e-6, atol=1e-8)
    w = RNG.normal(size=tuple(yb.shape))
    ((ya * numtorch.tensor(w)).sum() + la.sum()).backward()
    ((yb * torch.tensor(w)).sum() + lb.sum()).backward()
    np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy(), rtol=1e-6, atol=1e-9)
    assert ta.bijective == tb.bijective
    assert repr(ta.domain) == repr(tb.domain) and repr(ta.codomain) == repr(tb.codomain)
    assert ta.domain.event_dim == tb.domain.event_dim
    assert ta.codomain.event_dim == tb.codomain.event_dim
    if name not in ('CDF',):
        _compare(ta.domain.check(xa.detach()), tb.domain.check(xb.detach()))
        _compare(ta.codomain.check(ya.detach()), tb.codomain.check(yb.detach()))
    assert tuple(ta.forward_shape(xa.shape)) == tuple(tb.forward_shape(xb.shape))
    cached = ta.with_cache(1)
    assert cached.inv(cached(xa)) is xa


def test_corr_cholesky_shapes_and_errors():
    ta, tb = _transform_pair(lambda D: D.transforms.CorrCholeskyTransform())
    assert ta.inverse_shape((2, 4, 4)) == tb.inverse_shape((2, 4, 4)) == (2, 6)
    for shape in [(5,), ()]:
        _errors(lambda: ta.forward_shape(shape), lambda: tb.forward_shape(shape))
    _errors(lambda: ta.inverse_shape((2, 3)), lambda: tb.inverse_shape((2, 3)))
    assert ta == numtorch.distributions.transforms.CorrCholeskyTransform()
    from numtorch.distributions.utils import tril_matrix_to_vec, vec_to_tril_matrix
    from torch.distributions.utils import vec_to_tril_matrix as tv
    _errors(lambda: vec_to_tril_matrix(numtorch.zeros(5)), lambda: tv(torch.zeros(5)))
    _errors(lambda: tril_matrix_to_vec(numtorch.zeros(3, 3), 3),
            lambda: torch.distributions.utils.tril_matrix_to_vec(torch.zeros(3, 3), 3))
    _compare(vec_to_tril_matrix(numtorch.arange(6.0), 0), tv(torch.arange(6.0), 0))


def test_cat_stack_errors_and_transformed_distribution():
    D, TD = numtorch.distributions, torch.distributions
    for args in [([D.transforms.ExpTransform()], [1, 2]), ([3], None)]:
        targs = ([TD.transforms.ExpTransform()], [1, 2]) if args[0][0] != 3 else ([3], None)
        _errors(lambda: D.transforms.CatTransform(args[0], lengths=args[1]),
                lambda: TD.transforms.CatTransform(targs[0], lengths=targs[1]))
    ca = D.transforms.CatTransform([D.transforms.ExpTransform()] * 2, dim=0, lengths=[1, 1])
    cb = TD.transforms.CatTransform([TD.transforms.ExpTransform()] * 2, dim=0, lengths=[1, 1])
    _errors(lambda: ca(numtorch.zeros(3)), lambda: cb(torch.zeros(3)))
    _errors(lambda: ca(numtorch.zeros(())), lambda: cb(torch.zeros(())))
    sa = D.transforms.StackTransform([D.transforms.ExpTransform()] * 2, dim=1)
    sb = TD.transforms.StackTransform([TD.transforms.ExpTransform()] * 2, dim=1)
    _errors(lambda: sa(numtorch.zeros(2, 3)), lambda: sb(torch.zeros(2, 3)))
    _errors(lambda: sa.inv(numtorch.zeros(2, 3)), lambda: sb.inv(torch.zeros(2, 3)))
    # A TransformedDistribution through a StackTransform.
    base_a = D.Normal(numtorch.zeros(4, 2), numtorch.ones(4, 2))
    base_b = TD.Normal(torch.zeros(4, 2), torch.ones(4, 2))
    da = D.TransformedDistribution(base_a, [sa.with_cache(0)])
    db = TD.TransformedDistribution(base_b, [sb])
    v = RNG.uniform(0.2, 2, (4, 2))
    _compare(da.log_prob(numtorch.tensor(v, dtype=numtorch.float32)),
             db.log_prob(torch.tensor(v, dtype=torch.float32)), rtol=1e-6)
    # CDF transform of a distribution onto the unit interval and back.
    ua = D.TransformedDistribution(D.Exponential(numtorch.tensor([2.0])),
                                   [D.transforms.CumulativeDistributionTransform(
                                       D.Exponential(numtorch.tensor([2.0])))])
    ub = TD.TransformedDistribution(TD.Exponential(torch.tensor([2.0])),
                                    [TD.transforms.CumulativeDistributionTransform(
                                        TD.Exponential(torch.tensor([2.0])))])
    _compare(ua.log_prob(numtorch.tensor([0.3])), ub.log_prob(torch.tensor([0.3])), atol=1e-6)


def test_cat_stack_constraints():
    C, TC = numtorch.distributions.constraints, torch.distributions.constraints
    x = RNG.normal(size=(3, 4))
    ca = C.cat([C.positive, C.real, C.interval(-1.0, 1.0)], dim=1, lengths=[1, 2, 1])
    cb = TC.cat([TC.positive, TC.real, TC.interval(-1.0, 1.0)], dim=1, lengths=[1, 2, 1])
    _compare(ca.check(numtorch.tensor(x)), cb.check(torch.tensor(x)))
    assert ca.event_dim == cb.event_dim and ca.is_discrete == cb.is_discrete
    sa = C.stack([C.positive, C.nonnegative_integer], dim=-1)
    sb = TC.stack([TC.positive, TC.nonnegative_integer], dim=-1)
    y = np.array([[1.0, 2.0], [-1.0, 0.5], [0.5, 0.0]])
    _compare(sa.check(numtorch.tensor(y)), sb.check(torch.tensor(y)))
    assert sa.is_discrete and sa.event_dim == sb.event_dim
    s2a, s2b = C.stack([C.simplex], dim=-1), TC.stack([TC.simplex], dim=-1)
    assert s2a.event_dim == s2b.event_dim
    _errors(lambda: C.cat([1]), lambda: TC.cat([1]))
    _errors(lambda: C.cat([C.real], lengths=[1, 2]), lambda: TC.cat([TC.real], lengths=[1, 2]))
    _errors(lambda: sa.check(numtorch.zeros(())), lambda: sb.check(torch.zeros(())))
    _errors(lambda: C.MixtureSameFamilyConstraint(3), lambda: TC.MixtureSameFamilyConstraint(3))


# -- KL divergences -------------------------------------------------------------------
KL_W = RNG.normal(size=(3, 2))


def _cb(D, T):
    return D.ContinuousBernoulli(probs=T(PROB[0], requires_grad=True))


KL_CASES = {
    'cb_cb': (lambda D, T: _cb(D, T),
              lambda D, T: D.ContinuousBernoulli(logits=T(REAL[0], requires_grad=True))),
    'beta_cb': (lambda D, T: D.Beta(T(POS[0], requires_grad=True), T(POS2[0])),
                lambda D, T: _cb(D, T)),
    'cb_exp': (lambda D, T: _cb(D, T), lambda D, T: D.Exponential(T(POS[0], requires_grad=True))),
    'cb_normal': (lambda D, T: _cb(D, T),
                  lambda D, T: D.Normal(T(REAL[0], requires_grad=True), T(POS[0]))),
    'cb_uniform': (lambda D, T: _cb(D, T), lambda D, T: D.Uniform(T([-1.0, 0.1, 0.0]),
                                                                  T([2.0, 1.0, 0.9]))),
    'uniform_cb': (lambda D, T: D.Uniform(T([0.1, 0.0, 0.3], requires_grad=True),
                                          T([0.8, 0.9, 1.0])), lambda D, T: _cb(D, T)),
    'cb_pareto': (lambda D, T: _cb(D, T), lambda D, T: D.Pareto(T(POS[0]), T(POS2[0]))),
    'normal_cb': (lambda D, T: D.Normal(T(REAL[0]), T(POS[0])), lambda D, T: _cb(D, T)),
    'exp_cb': (lambda D, T: D.Exponential(T(POS[0])), lambda D, T: _cb(D, T)),
    'gamma_cb': (lambda D, T: D.Gamma(T(POS[0]), T(POS2[0])), lambda D, T: _cb(D, T)),
    'gumbel_cb': (lambda D, T: D.Gumbel(T(REAL[0]), T(POS[0])), lambda D, T: _cb(D, T)),
    'laplace_cb': (lambda D, T: D.Laplace(T(REAL[0]), T(POS[0])), lambda D, T: _cb(D, T)),
    'pareto_cb': (lambda D, T: D.Pareto(T(POS[0]), T(POS2[0])), lambda D, T: _cb(D, T)),
    'lowrank_lowrank': (
        lambda D, T: D.LowRankMultivariateNormal(T(REAL, requires_grad=True),
                                                 T(KL_W, requires_grad=True),
                                                 T(POS, requires_grad=True)),
        lambda D, T: D.LowRankMultivariateNormal(T(REAL[0] * 2), T(np.ones((3, 1)),
                                                                   requires_grad=True),
                                                 T(POS2[0], requires_grad=True))),
    'mvn_lowrank': (
        lambda D, T: D.MultivariateNormal(T(REAL, requires_grad=True),
                                          covariance_matrix=T(SPD, requires_grad=True)),
        lambda D, T: D.LowRankMultivariateNormal(T(REAL[0] * 2), T(np.ones((3, 2)) * 0.3,
                                                                   requires_grad=True),
                                                 T(POS2, requires_grad=True))),
    'lowrank_mvn': (
        lambda D, T: D.LowRankMultivariateNormal(T(REAL, requires_grad=True),
                                                 T(np.ones((2, 3, 1)) * 0.4, requires_grad=True),
                                                 T(POS2[0], requires_grad=True)),
        lambda D, T: D.MultivariateNormal(T(REAL[0] * 2),
                                          scale_tril=T(np.linalg.cholesky(SPD),
                                                       requires_grad=True))),
}


def _recording(mod, made):
    """A tensor factory that records the tensors made with requires_grad."""
    def make(v, requires_grad=False):
        t = mod.tensor(np.array(v), requires_grad=requires_grad)
        if requires_grad:
            made.append(t)
        return t
    return make


@pytest.mark.parametrize('case', list(KL_CASES))
def test_kl_values_and_gradients(case):
    mp, mq = KL_CASES[case]
    la, lb = [], []
    Tn, Tt = _recording(numtorch, la), _recording(torch, lb)
    pa, qa = mp(numtorch.distributions, Tn), mq(numtorch.distributions, Tn)
    pb, qb = mp(torch.distributions, Tt), mq(torch.distributions, Tt)
    ka = numtorch.distributions.kl_divergence(pa, qa)
    kb = torch.distributions.kl_divergence(pb, qb)
    _compare(ka, kb, rtol=1e-6, atol=1e-9)
    finite = np.isfinite(kb.detach().numpy())
    if finite.any() and kb.requires_grad:
        ka[numtorch.tensor(finite)].sum().backward()
        kb[torch.tensor(finite)].sum().backward()
        for x, y in zip(la, lb):
            if y.grad is None:
                assert x.grad is None or not x.grad.numpy().any()
            else:
                np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), rtol=1e-6,
                                           atol=1e-9)


def test_kl_gradients_lowrank_against_torch():
    W = RNG.normal(size=(3, 2))
    args = [REAL, W, POS]
    A = [numtorch.tensor(a, requires_grad=True) for a in args]
    B = [torch.tensor(a, requires_grad=True) for a in args]
    Q = [REAL[1], np.ones((3, 1)), POS2[1]]
    ka = numtorch.distributions.kl_divergence(
        numtorch.distributions.LowRankMultivariateNormal(*A),
        numtorch.distributions.LowRankMultivariateNormal(*[numtorch.tensor(q) for q in Q]))
    kb = torch.distributions.kl_divergence(
        torch.distributions.LowRankMultivariateNormal(*B),
        torch.distributions.LowRankMultivariateNormal(*[torch.tensor(q) for q in Q]))
    ka.sum().backward()
    kb.sum().backward()
    for a, b in zip(A, B):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6, atol=1e-9)
    p = numtorch.tensor(PROB[1], requires_grad=True)
    pt = torch.tensor(PROB[1], requires_grad=True)
    ka = numtorch.distributions.kl_divergence(
        numtorch.distributions.ContinuousBernoulli(p),
        numtorch.distributions.Normal(numtorch.tensor(REAL[0]), numtorch.tensor(POS[0])))
    kb = torch.distributions.kl_divergence(
        torch.distributions.ContinuousBernoulli(pt),
        torch.distributions.Normal(torch.tensor(REAL[0]), torch.tensor(POS[0])))
    ka.sum().backward()
    kb.sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), pt.grad.numpy(), rtol=1e-6)


def test_kl_event_shape_errors():
    D, TD = numtorch.distributions, torch.distributions
    for ctor in [lambda M, T: (M.LowRankMultivariateNormal(T([0.0, 0.0]), T([[1.0], [1.0]]),
                                                           T([1.0, 1.0])),
                               M.LowRankMultivariateNormal(T([0.0]), T([[1.0]]), T([1.0]))),
                 lambda M, T: (M.MultivariateNormal(T([0.0, 0.0]), T([[1.0, 0.0], [0.0, 1.0]])),
                               M.LowRankMultivariateNormal(T([0.0]), T([[1.0]]), T([1.0]))),
                 lambda M, T: (M.LowRankMultivariateNormal(T([0.0]), T([[1.0]]), T([1.0])),
                               M.MultivariateNormal(T([0.0, 0.0]),
                                                    T([[1.0, 0.0], [0.0, 1.0]])))]:
        pa, qa = ctor(D, numtorch.tensor)
        pb, qb = ctor(TD, torch.tensor)
        _errors(lambda: D.kl_divergence(pa, qa), lambda: TD.kl_divergence(pb, qb))


def test_wishart_singular_warning_and_low_df():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter('always')
        numtorch.distributions.Wishart(numtorch.tensor(1.5), covariance_matrix=numtorch.eye(2))
    assert any('Low df values detected' in str(r.message) for r in rec)
