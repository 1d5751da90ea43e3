"""torch.distributions.biject_to / transform_to and ConstraintRegistry against torch: the
transform each registered constraint maps to (type, repr, parts), its values, inverse and
log-determinant, and the registry's errors and registration."""
import numpy as np
import pytest
import torch

import numtorch
from numtorch import distributions as nd
from numtorch.distributions import constraint_registry as ncr
from torch import distributions as td
from torch.distributions import constraint_registry as tcr


def _cons(lib, C):
    T = lambda v: lib.tensor(np.array(v, np.float64))  # noqa: E731
    return {
        'real': C.real,
        'positive': C.positive,
        'nonnegative': C.nonnegative,
        'greater_than': C.greater_than(2.0),
        'greater_than_eq_tensor': C.greater_than_eq(T([1.0, -2.0, 0.5, 3.0])),
        'less_than': C.less_than(-1.5),
        'unit_interval': C.unit_interval,
        'interval': C.interval(-1.0, 2.0),
        'interval_tensor': C.interval(T(0.0), T(1.0)),
        'half_open_interval': C.half_open_interval(0, 1),
        'simplex': C.simplex,
        'independent': C.independent(C.positive, 1),
        'real_vector': C.real_vector,
        'corr_cholesky': C.corr_cholesky,
        'lower_cholesky': C.lower_cholesky,
        'positive_definite': C.positive_definite,
        'positive_semidefinite': C.positive_semidefinite,
        'cat': C.cat([C.positive, C.interval(0.0, 3.0)], -1, [2, 2]),
        'stack': C.stack([C.positive, C.real, C.less_than(1.0), C.unit_interval], -1),
    }


# The unconstrained input each target takes: a vector of 6 for the Cholesky factors
# (CorrCholesky) and a 3x3 matrix for lower Cholesky / positive definite.
X = np.random.default_rng(0).normal(size=(2, 4))
INPUT = {'corr_cholesky': np.random.default_rng(1).normal(size=(2, 6)),
         'lower_cholesky': np.random.default_rng(2).normal(size=(2, 3, 3)),
         'positive_definite': np.random.default_rng(3).normal(size=(2, 3, 3)),
         'positive_semidefinite': np.random.default_rng(3).normal(size=(2, 3, 3))}
NAMES = sorted(_cons(torch, td.constraints))


def _describe(t):
    """The transform's class, its parts and repr (the structure to compare)."""
    parts = [type(t).__name__, repr(t)]
    for attr in ('parts', 'transforms'):
        for p in getattr(t, attr, ()) or ():
            parts.append(_describe(p))
    if hasattr(t, 'base_transform'):
        parts.append(_describe(t.base_transform))
    return parts


def _check_same(tn, tt, name):
    assert _describe(tn) == _describe(tt)
    assert tn.bijective == tt.bijective
    assert (tn.domain.event_dim, tn.codomain.event_dim) == (tt.domain.event_dim,
                                                            tt.codomain.event_dim)
    x = INPUT.get(name, X)
    xn, xt = numtorch.tensor(x), torch.tensor(x)
    yn, yt = tn(xn), tt(xt)
    np.testing.assert_allclose(yn.numpy(), yt.numpy(), rtol=1e-12, atol=1e-14)
    assert bool(tn.codomain.check(yn).all())
    if tt.bijective:
        np.testing.assert_allclose(tn.inv(yn).numpy(), tt.inv(yt).numpy(), rtol=1e-9,
                                   atol=1e-12)
        np.testing.assert_allclose(tn.log_abs_det_jacobian(xn, yn).numpy(),
                                   tt.log_abs_det_jacobian(xt, yt).numpy(), rtol=1e-10,
                                   atol=1e-12)


@pytest.mark.parametrize('name', NAMES)
@pytest.mark.parametrize('which', ['biject_to', 'transform_to'])
def test_registered_transforms_are_torchs(name, which):
    cn = _cons(numtorch, nd.constraints)[name]
    ct = _cons(torch, td.constraints)[name]
    rn, rt = getattr(nd, which), getattr(td, which)
    assert rn is getattr(ncr, which)
    try:
        tt = rt(ct)
    except NotImplementedError as e:
        with pytest.raises(NotImplementedError) as en:
            rn(cn)
        assert str(en.value) == str(e)
        return
    _check_same(rn(cn), tt, name)


def test_unregistered_constraints_raise_as_torch():
    for cn, ct in ((nd.constraints.boolean, td.constraints.boolean),
                   (nd.constraints.integer_interval(0, 3), td.constraints.integer_interval(0, 3)),
                   (nd.constraints.lower_triangular, td.constraints.lower_triangular)):
        for reg in ('biject_to', 'transform_to'):
            with pytest.raises(NotImplementedError) as en:
                getattr(nd, reg)(cn)
            with pytest.raises(NotImplementedError) as et:
                getattr(td, reg)(ct)
            assert str(en.value) == str(et.value)


def test_register_instance_class_and_decorator():
    class MyTransformN(nd.transforms.ExpTransform):
        pass

    reg = ncr.ConstraintRegistry()
    f = reg.register(nd.constraints.positive, lambda c: MyTransformN())
    assert isinstance(reg(nd.constraints.greater_than(3.0)), MyTransformN)
    assert f(None).__class__ is MyTransformN

    @reg.register(type(nd.constraints.simplex))
    def _simplex(c):
        return nd.transforms.SoftmaxTransform()

    assert _simplex(None).__class__ is nd.transforms.SoftmaxTransform
    assert isinstance(reg(nd.constraints.simplex), nd.transforms.SoftmaxTransform)
    with pytest.raises(NotImplementedError, match='Cannot transform _Real constraints'):
        reg(nd.constraints.real)
    for bad in (3, int):
        with pytest.raises(TypeError) as en:
            reg.register(bad, lambda c: None)
        with pytest.raises(TypeError) as et:
            tcr.ConstraintRegistry().register(bad, lambda c: None)
        assert str(en.value) == str(et.value)


def test_transform_to_optimizes_a_constrained_parameter():
    # The documented use: an unconstrained parameter mapped onto a distribution's support.
    u = numtorch.zeros(3, requires_grad=True)
    scale = nd.transform_to(nd.Normal.arg_constraints['scale'])(u)
    nd.Normal(0.0, scale).log_prob(numtorch.tensor([0.5, 1.0, 2.0])).sum().backward()
    ut = torch.zeros(3, requires_grad=True)
    st = td.transform_to(td.Normal.arg_constraints['scale'])(ut)
    td.Normal(0.0, st).log_prob(torch.tensor([0.5, 1.0, 2.0])).sum().backward()
    np.testing.assert_allclose(u.grad.numpy(), ut.grad.numpy(), rtol=1e-6)
