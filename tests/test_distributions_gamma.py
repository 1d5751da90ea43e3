"""Gamma-family sampling against torch: ``_standard_gamma`` and ``_sample_dirichlet`` give
PyTorch's draws for the same seed (and leave the generator where PyTorch leaves it), the
distributions built on them (Gamma, Chi2, StudentT, Beta, Dirichlet, FisherSnedecor,
InverseGamma, NegativeBinomial, Wishart, LKJCholesky) sample PyTorch's values, and their
``rsample`` gradients (``_standard_gamma_grad``, ``_dirichlet_grad``) are PyTorch's."""
import warnings

import numpy as np
import pytest
import torch

import numtorch
from numtorch import distributions as nd
from numtorch._ops.gamma import (_standard_gamma, _sample_dirichlet, _standard_gamma_grad,
                                 _dirichlet_grad)
from torch import distributions as td

DTYPES = ['float32', 'float64']
# Both sides of the boost (alpha < 1), zero, infinity, underflowing boosts.
ALPHAS = [0.3, 1.0, 2.5, 10.0, 0.05, 100.0, 0.0, 0.999, 7.5, 1e-3, np.inf, 1e-30]


def _seed(s):
    numtorch.manual_seed(s)
    torch.manual_seed(s)


def _pair(v, dt, grad=False):
    a = np.array(v, dtype=dt)
    return (numtorch.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad))


def _same(n, t, rtol=0.0):
    assert tuple(n.shape) == tuple(t.shape) and str(n.dtype) == str(t.dtype)
    if rtol:
        np.testing.assert_allclose(n.detach().numpy(), t.detach().numpy(), rtol=rtol,
                                   atol=rtol * 1e-3)
    else:
        np.testing.assert_array_equal(n.detach().numpy(), t.detach().numpy())


@pytest.mark.parametrize('dt', DTYPES)
def test_standard_gamma_draws_are_torchs(dt):
    a = np.array(ALPHAS * 6, dt).reshape(6, -1)
    na, ta = _pair(a, dt)
    _seed(3)
    # An odd number of scalar normals first leaves a cached Box-Muller value behind.
    _same(numtorch.randn(3, dtype=numtorch.float64), torch.randn(3, dtype=torch.float64))
    _same(_standard_gamma(na), torch._standard_gamma(ta))
    # A transposed (non-contiguous) input and a second call continue the same stream.
    _same(_standard_gamma(na.t()), torch._standard_gamma(ta.t()))
    _same(numtorch.randn(5, dtype=numtorch.float64), torch.randn(5, dtype=torch.float64))
    _same(numtorch.rand(4), torch.rand(4))
    gn, gt = numtorch.Generator().manual_seed(11), torch.Generator().manual_seed(11)
    _same(_standard_gamma(na[0], generator=gn), torch._standard_gamma(ta[0], generator=gt))
    _same(numtorch.rand(3, generator=gn), torch.rand(3, generator=gt))


@pytest.mark.parametrize('dt', DTYPES)
def test_sample_dirichlet_draws_are_torchs(dt):
    c = np.array([[0.4, 2.0, 1.0, 0.05], [5.0, 6.0, 0.1, 30.0], [1e-3, 1e-3, 1e-3, 1e-3]], dt)
    nc, tc = _pair(c, dt)
    _seed(5)
    _same(_sample_dirichlet(nc), torch._sample_dirichlet(tc))
    _same(_sample_dirichlet(nc[0]), torch._sample_dirichlet(tc[0]))
    # An infinite concentration draws inf, and inf / inf ends at the lower clamp.
    nc, tc = _pair([[np.inf, 1.0], [np.inf, np.inf]], dt)
    _same(_sample_dirichlet(nc), torch._sample_dirichlet(tc))
    _same(numtorch.rand(3), torch.rand(3))


def test_sampler_errors():
    for dt in ('int64', 'float16'):
        n, t = numtorch.ones(2, dtype=getattr(numtorch, dt)), torch.ones(2, dtype=getattr(
            torch, dt))
        for fn_n, fn_t in ((_standard_gamma, torch._standard_gamma),
                           (_sample_dirichlet, torch._sample_dirichlet)):
            with pytest.raises(Exception) as en:
                fn_n(n)
            with pytest.raises(Exception) as et:
                fn_t(t)
            assert type(en.value) is type(et.value) and str(en.value) == str(et.value)


def _raises_alike(fn_n, fn_t):
    with pytest.raises(Exception) as en:
        fn_n()
    with pytest.raises(Exception) as et:
        fn_t()
    assert type(en.value) is type(et.value) and str(en.value) == str(et.value)


def test_derivatives_pytorch_lacks():
    (na, ta), (nx, tx) = _pair([0.5, 2.0], 'float64', grad=True), _pair([0.3, 0.6], 'float64')
    # _sample_dirichlet and the gradient functions record a node whose backward raises.
    yn, yt = _sample_dirichlet(na), torch._sample_dirichlet(ta)
    assert yn.grad_fn.name() == yt.grad_fn.name()
    _raises_alike(lambda: yn.sum().backward(), lambda: yt.sum().backward())
    tot_n, tot_t = _pair([3.0, 3.0], 'float64')
    _raises_alike(lambda: _dirichlet_grad(nx, na, tot_n).sum().backward(),
                  lambda: torch._dirichlet_grad(tx, ta, tot_t).sum().backward())
    gn, gt = _standard_gamma_grad(na, nx), torch._standard_gamma_grad(ta, tx)
    assert gn.grad_fn.name() == gt.grad_fn.name()
    _raises_alike(lambda: gn.sum().backward(), lambda: gt.sum().backward())
    # Double backward: StandardGammaBackward0 is differentiable in its output gradient only.
    _seed(0)
    sn, st = _standard_gamma(na), torch._standard_gamma(ta)
    (dn,), (dt,) = (numtorch.autograd.grad(sn.sum(), na, create_graph=True),
                    torch.autograd.grad(st.sum(), ta, create_graph=True))
    _same(dn, dt, 1e-12)
    assert dn.grad_fn.name() == dt.grad_fn.name()
    _raises_alike(lambda: dn.sum().backward(), lambda: dt.sum().backward())
    # The Dirichlet rsample is once differentiable.
    _seed(0)
    (wn, wt) = _pair([1.0, 2.0], 'float64', grad=True)
    xn, xt = nd.Dirichlet(na).rsample(), td.Dirichlet(ta).rsample()
    (dn,), (dt,) = (numtorch.autograd.grad((xn * wn).sum(), na, create_graph=True),
                    torch.autograd.grad((xt * wt).sum(), ta, create_graph=True))
    _same(dn, dt, 1e-12)
    _raises_alike(lambda: dn.sum().backward(), lambda: dt.sum().backward())
    (dn,), (dt,) = (numtorch.autograd.grad(xn.sum() * 2, na, create_graph=True),
                    torch.autograd.grad(xt.sum() * 2, ta, create_graph=True))
    assert not dn.requires_grad and not dt.requires_grad


SPD = [[2.0, 0.3], [0.3, 1.0]]
CASES = {
    'Gamma': lambda D, T: D.Gamma(T([0.4, 2.0, 7.0]), T([1.5, 0.5, 2.0])),
    'Chi2': lambda D, T: D.Chi2(T([0.7, 3.0])),
    'StudentT': lambda D, T: D.StudentT(T([0.7, 3.0]), T([0.1, -1.0]), T([1.0, 2.0])),
    'Beta': lambda D, T: D.Beta(T([0.4, 2.0]), T([3.0, 0.5])),
    'Dirichlet': lambda D, T: D.Dirichlet(T([[0.4, 2.0, 1.0], [5.0, 6.0, 0.1]])),
    'FisherSnedecor': lambda D, T: D.FisherSnedecor(T([4.0, 10.0]), T([9.0, 12.0])),
    'InverseGamma': lambda D, T: D.InverseGamma(T([5.0, 0.7]), T([2.0, 1.0])),
    'NegativeBinomial': lambda D, T: D.NegativeBinomial(T([3.0, 20.0]), T([0.3, 0.6])),
    # Matrix products and the onion method's arithmetic round differently: close, not equal.
    'Wishart': lambda D, T: D.Wishart(T([4.0, 5.0]), covariance_matrix=T(SPD)),
    'LKJCholesky': lambda D, T: D.LKJCholesky(3, T([0.7, 3.0])),
}
ROUNDED = {'Wishart', 'LKJCholesky'}


@pytest.mark.parametrize('name', sorted(CASES))
@pytest.mark.parametrize('dt', DTYPES)
def test_distribution_samples_are_torchs(name, dt):
    def make(lib, D):
        return CASES[name](D, lambda v: lib.tensor(v, dtype=getattr(lib, dt)))
    rtol = (1e-5 if dt == 'float32' else 1e-12) if name in ROUNDED else 0.0
    _seed(7)
    with warnings.catch_warnings():
        # PyTorch's Wishart warns on its first redraw (numtorch repeats it).
        warnings.simplefilter('ignore', UserWarning)
        _same(make(numtorch, nd).sample((4,)), make(torch, td).sample((4,)), rtol)
        _same(make(numtorch, nd).sample(), make(torch, td).sample(), rtol)
    _same(numtorch.rand(3), torch.rand(3))


def test_wishart_warns_as_torch():
    _seed(1)
    with pytest.warns(UserWarning, match='Singular sample detected'):
        nd.Wishart(numtorch.tensor(3.0), covariance_matrix=numtorch.eye(2)).sample()


def _grads(lib, D, dt, name):
    T = lambda v: lib.tensor(np.array(v, dt), requires_grad=True)  # noqa: E731
    params = {
        'Gamma': ([[0.4, 2.0, 9.5, 30.0], [1.5, 0.5, 2.0, 3.0]], lambda a, b: D.Gamma(a, b)),
        'Chi2': ([[0.7, 3.0, 25.0]], lambda a: D.Chi2(a)),
        'StudentT': ([[0.7, 3.0], [0.1, -1.0], [1.0, 2.0]], lambda a, b, c: D.StudentT(a, b, c)),
        'Beta': ([[0.4, 2.0, 8.0, 0.05], [3.0, 0.5, 9.0, 2.0]], lambda a, b: D.Beta(a, b)),
        'Dirichlet': ([[[0.4, 2.0, 1.0], [7.0, 8.0, 0.1], [30.0, 40.0, 50.0]]],
                      lambda a: D.Dirichlet(a)),
        'FisherSnedecor': ([[4.0, 10.0], [9.0, 12.0]], lambda a, b: D.FisherSnedecor(a, b)),
        'InverseGamma': ([[5.0, 0.7], [2.0, 1.0]], lambda a, b: D.InverseGamma(a, b)),
    }[name]
    ts = [T(v) for v in params[0]]
    s = params[1](*ts).rsample((3,))
    w = np.linspace(0.5, 1.5, s.numel()).reshape(tuple(s.shape)).astype(dt)
    (s * lib.tensor(w)).sum().backward()
    return s, [t.grad for t in ts]


@pytest.mark.parametrize('name', ['Gamma', 'Chi2', 'StudentT', 'Beta', 'Dirichlet',
                                  'FisherSnedecor', 'InverseGamma'])
@pytest.mark.parametrize('dt', DTYPES)
def test_rsample_gradients_are_torchs(name, dt):
    _seed(2)
    sn, gn = _grads(numtorch, nd, dt, name)
    _seed(2)
    st, gt = _grads(torch, td, dt, name)
    rtol = 1e-5 if dt == 'float32' else 1e-12
    _same(sn, st, rtol)
    for a, b in zip(gn, gt):
        _same(a, b, rtol)


def test_grad_fn_names():
    n, t = _pair([0.5, 2.0], 'float64', grad=True)
    assert _standard_gamma(n).grad_fn.name() == torch._standard_gamma(t).grad_fn.name()
    assert nd.Dirichlet(n).rsample().grad_fn.name() == '_DirichletBackward'
    assert type(td.Dirichlet(t).rsample().grad_fn).__name__ == '_DirichletBackward'
    assert nd.Gamma(n, 1.0).rsample().grad_fn.name() == td.Gamma(t, 1.0).rsample().grad_fn.name()


@pytest.mark.parametrize('dt', DTYPES)
def test_standard_gamma_grad_is_torchs(dt):
    rng = np.random.default_rng(0)
    a = np.concatenate([rng.uniform(0.01, 3, 40), rng.uniform(3, 8, 40), rng.uniform(8, 60, 40)])
    x = np.concatenate([rng.gamma(a), a * rng.uniform(0.85, 1.15, a.size)])
    x = np.maximum(x, 1e-20)
    a = np.concatenate([a, a])
    (na, ta), (nx, tx) = _pair(a, dt), _pair(x, dt)
    _same(_standard_gamma_grad(na, nx), torch._standard_gamma_grad(ta, tx),
          5e-6 if dt == 'float32' else 1e-13)


@pytest.mark.parametrize('dt', DTYPES)
def test_dirichlet_grad_is_torchs(dt):
    rng = np.random.default_rng(1)
    al = np.concatenate([rng.uniform(0.05, 15, 300), rng.uniform(6, 60, 100)])
    tot = al + np.concatenate([rng.uniform(0.05, 15, 300), rng.uniform(6, 60, 100)])
    x = np.clip(rng.beta(al, tot - al), 1e-6, 1 - 1e-6)
    (nx, tx), (na, ta), (nt, tt) = _pair(x, dt), _pair(al, dt), _pair(tot, dt)
    # float32 goes through the C library's logf/powf in PyTorch: a few values differ in
    # their last bits.
    _same(_dirichlet_grad(nx, na, nt), torch._dirichlet_grad(tx, ta, tt),
          5e-5 if dt == 'float32' else 1e-12)


def test_wishart_rsample_gradient():
    # PyTorch redraws every first Bartlett sample (see wishart.py's note), and its backward
    # then fails on the mask it modified in place; numtorch's gives the gradient, equal to
    # that of PyTorch's second Bartlett draw.
    spd = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.5]])
    out = []
    for lib, D in ((numtorch, nd), (torch, td)):
        lib.manual_seed(1)
        L = lib.tensor(np.linalg.cholesky(spd), requires_grad=True)
        df = lib.tensor([4.0, 6.5], requires_grad=True)
        w = D.Wishart(df, scale_tril=L)
        if lib is torch:
            w._bartlett_sampling((2,))
            s = w._bartlett_sampling((2,))
        else:
            with pytest.warns(UserWarning, match='Singular sample detected'):
                s = w.rsample((2,))
        (s * lib.arange(36.0, dtype=lib.float64).reshape(2, 2, 3, 3)).sum().backward()
        out.append((s, L.grad, df.grad))
    for a, b in zip(*out):
        _same(a, b, 1e-12)
