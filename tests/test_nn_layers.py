"""Layers (Linear, Bilinear, Flatten, activations) and their functionals against PyTorch:
same weights, same inputs -> same outputs, input and parameter gradients, repr, grad_fn;
same seed -> same initial weights; the user's seed training loops give PyTorch's losses."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck
from conftest import assert_close
from test_nn_conv import copy_weights

RNG = np.random.default_rng(7)


def run_both(mp, mn, *arrays, train=True):
    """Forward + backward of both modules on the same inputs; compares everything."""
    mp.train(train)
    mn.train(train)
    xs_p = [torch.tensor(a, requires_grad=a.dtype.kind == 'f') for a in arrays]
    xs_n = [numtorch.tensor(a, requires_grad=a.dtype.kind == 'f') for a in arrays]
    yp, yn = mp(*xs_p), mn(*xs_n)
    assert_close(yn, yp, 1e-5, 1e-6)
    if yp.grad_fn is not None:
        assert yn.grad_fn.name() == yp.grad_fn.name()
    g = RNG.standard_normal(tuple(yp.shape)).astype(yp.detach().numpy().dtype)
    yp.backward(torch.tensor(g))
    yn.backward(numtorch.tensor(g))
    for a, b in zip(xs_n, xs_p):
        if b.requires_grad:
            assert_close(a.grad, b.grad, 1e-4, 1e-5)
    pn = dict(mn.named_parameters())
    for name, p in mp.named_parameters():
        assert_close(pn[name].grad, p.grad, 1e-4, 1e-5)
    return yn


# -- Linear -----------------------------------------------------------------------------
@pytest.mark.parametrize('shape', [(5, 3), (3,), (2, 4, 3), (1, 2, 2, 3)])
@pytest.mark.parametrize('bias', [True, False])
@pytest.mark.parametrize('train', [True, False])
def test_linear(shape, bias, train):
    mp = torch.nn.Linear(3, 4, bias=bias)
    mn = nn.Linear(3, 4, bias=bias)
    copy_weights(mn, mp)
    run_both(mp, mn, RNG.standard_normal(shape).astype(np.float32), train=train)


def test_linear_float64_and_dtype_mismatch():
    mp = torch.nn.Linear(3, 2).double()
    mn = nn.Linear(3, 2).double()
    copy_weights(mn, mp)
    run_both(mp, mn, RNG.standard_normal((4, 3)))
    with pytest.raises(RuntimeError) as en:
        mn(numtorch.ones(2, 3))
    with pytest.raises(RuntimeError) as ep:
        mp(torch.ones(2, 3))
    assert str(en.value) == str(ep.value)


def test_linear_wrong_feature_size_message():
    mn, mp = nn.Linear(300, 10), torch.nn.Linear(300, 10)
    with pytest.raises(RuntimeError) as en:
        mn(numtorch.zeros(64, 320))
    with pytest.raises(RuntimeError) as ep:
        mp(torch.zeros(64, 320))
    assert str(en.value) == str(ep.value) == \
        'mat1 and mat2 shapes cannot be multiplied (64x320 and 300x10)'


def test_linear_default_init_equals_torch():
    for seed in (0, 1, 123):
        torch.manual_seed(seed)
        numtorch.manual_seed(seed)
        mp = torch.nn.Linear(7, 5)
        mn = nn.Linear(7, 5)
        mp2 = torch.nn.Bilinear(3, 4, 2)
        mn2 = nn.Bilinear(3, 4, 2)
        for a, b in zip(list(mn.parameters()) + list(mn2.parameters()),
                        list(mp.parameters()) + list(mp2.parameters())):
            np.testing.assert_array_equal(a._data, b.detach().numpy())
        # The generator state stays in step afterwards.
        np.testing.assert_array_equal(numtorch.rand(3)._data, torch.rand(3).numpy())


def test_seed_networks_same_initial_weights():
    def nets(lib):
        class Net(lib.nn.Module):
            def __init__(self, n_feature, n_hidden, n_output):
                super(Net, self).__init__()
                self.hidden = lib.nn.Linear(n_feature, n_hidden)
                self.predict = lib.nn.Linear(n_hidden, n_output)

            def forward(self, x):
                return self.predict(lib.nn.functional.relu(self.hidden(x)))
        lib.manual_seed(1)
        return Net(1, 10, 1), lib.nn.Sequential(lib.nn.Linear(2, 10), lib.nn.ReLU(),
                                                lib.nn.Linear(10, 2))
    for a, b in zip(nets(numtorch), nets(torch)):
        for (na, pa), (nb, pb) in zip(a.state_dict().items(), b.state_dict().items()):
            assert na == nb
            np.testing.assert_array_equal(pa._data, pb.numpy())


def test_linear_repr_and_attributes():
    assert repr(nn.Linear(2, 10)) == 'Linear(in_features=2, out_features=10, bias=True)'
    assert repr(nn.Linear(2, 10, bias=False)) == repr(torch.nn.Linear(2, 10, bias=False))
    m = nn.Linear(2, 3, dtype=numtorch.float64)
    assert m.weight.dtype == numtorch.float64 and m.bias.shape == (3,)
    assert m.in_features == 2 and m.out_features == 3


@pytest.mark.parametrize('bias', [True, False])
def test_bilinear(bias):
    mp = torch.nn.Bilinear(3, 4, 5, bias=bias)
    mn = nn.Bilinear(3, 4, 5, bias=bias)
    copy_weights(mn, mp)
    run_both(mp, mn, RNG.standard_normal((6, 3)).astype(np.float32),
             RNG.standard_normal((6, 4)).astype(np.float32))
    assert repr(mn) == repr(mp)


def test_identity_flatten_unflatten():
    x = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
    for mp, mn in [(torch.nn.Identity(54, unused=1), nn.Identity(54, unused=1)),
                   (torch.nn.Flatten(), nn.Flatten()),
                   (torch.nn.Flatten(0, 2), nn.Flatten(0, 2)),
                   (torch.nn.Unflatten(1, (3, 1)), nn.Unflatten(1, (3, 1)))]:
        run_both(mp, mn, x)
        assert repr(mn) == repr(mp)
    with pytest.raises(TypeError, match='unflattened_size must be tuple of ints'):
        nn.Unflatten(1, (2.0, 3))


# -- activations ------------------------------------------------------------------------
ACTIVATIONS = [
    ('ReLU', {}), ('ReLU', {'inplace': True}), ('ReLU6', {}), ('ReLU6', {'inplace': True}),
    ('LeakyReLU', {}), ('LeakyReLU', {'negative_slope': 0.2, 'inplace': True}),
    ('PReLU', {}), ('PReLU', {'num_parameters': 3, 'init': 0.1}),
    ('ELU', {}), ('ELU', {'alpha': 0.5, 'inplace': True}), ('CELU', {'alpha': 2.0}),
    ('SELU', {}), ('GELU', {}), ('GELU', {'approximate': 'tanh'}), ('SiLU', {}),
    ('Mish', {}), ('Sigmoid', {}), ('Tanh', {}), ('Softplus', {}),
    ('Softplus', {'beta': 2.0, 'threshold': 1.0}), ('Hardtanh', {}),
    ('Hardtanh', {'min_val': -0.5, 'max_val': 2.0, 'inplace': True}), ('Hardsigmoid', {}),
    ('Hardswish', {}), ('LogSigmoid', {}), ('Threshold', {'threshold': 0.1, 'value': 20.0}),
    ('Hardshrink', {}), ('Softshrink', {'lambd': 0.3}), ('Tanhshrink', {}), ('Softsign', {}),
    ('GLU', {'dim': -1}), ('Softmax', {'dim': 1}), ('Softmax', {'dim': -1}),
    ('LogSoftmax', {'dim': 1}), ('Softmin', {'dim': 2}), ('Softmax2d', {}),
]


@pytest.mark.parametrize('name,kw', ACTIVATIONS, ids=[f'{a}-{b}' for a, b in ACTIVATIONS])
@pytest.mark.parametrize('dtype,train', [(np.float32, True), (np.float32, False),
                                         (np.float64, True)])
def test_activation_modules(name, kw, dtype, train):
    mp = getattr(torch.nn, name)(**kw)
    mn = getattr(nn, name)(**kw)
    assert repr(mn) == repr(mp)
    copy_weights(mn, mp)
    if dtype == np.float64:
        mp.double()
        mn.double()
    # Values spread over every branch (around 0, +-3, beyond softplus' threshold).
    x = (RNG.standard_normal((2, 3, 4)) * 4).astype(dtype)
    x.flat[:6] = [0.0, 3.0, -3.0, 25.0, -0.3, 0.5]
    if kw.get('inplace'):
        # In-place on a leaf is an error (both libraries): run on a non-leaf instead.
        pairs = []
        for lib, m in ((torch, mp), (numtorch, mn)):
            leaf = lib.tensor(x, requires_grad=True)
            y = m(leaf * 1)
            y.sum().backward()
            pairs.append((y, leaf.grad))
        assert_close(pairs[1][0], pairs[0][0])
        assert_close(pairs[1][1], pairs[0][1])
        assert pairs[1][0].grad_fn.name() == pairs[0][0].grad_fn.name()
        with pytest.raises(RuntimeError, match='a leaf Variable that requires grad'):
            mn(numtorch.tensor(x, requires_grad=True))
    else:
        run_both(mp, mn, x, train=train)


def test_activation_reprs():
    cases = [nn.ReLU(), nn.ReLU(inplace=True), nn.LeakyReLU(), nn.LeakyReLU(0.2, True),
             nn.Softmax(dim=1), nn.Softmax(), nn.GELU(approximate='tanh'), nn.Hardtanh(-2, 2),
             nn.ELU(alpha=0.5), nn.Softplus(beta=2), nn.PReLU(3), nn.Threshold(0.1, 20),
             nn.Hardshrink(), nn.Softshrink(0.3), nn.ReLU6(True), nn.SiLU(True), nn.CELU()]
    expected = ['ReLU()', 'ReLU(inplace=True)', 'LeakyReLU(negative_slope=0.01)',
                'LeakyReLU(negative_slope=0.2, inplace=True)', 'Softmax(dim=1)',
                'Softmax(dim=None)', "GELU(approximate='tanh')",
                'Hardtanh(min_val=-2, max_val=2)', 'ELU(alpha=0.5)',
                'Softplus(beta=2, threshold=20.0)', 'PReLU(num_parameters=3)',
                'Threshold(threshold=0.1, value=20)', 'Hardshrink(0.5)', 'Softshrink(0.3)',
                'ReLU6(inplace=True)', 'SiLU(inplace=True)', 'CELU(alpha=1.0)']
    assert [repr(m) for m in cases] == expected
    assert nn.PReLU(3).weight.tolist() == [0.25, 0.25, 0.25]


FUNCTIONALS = [
    ('relu', {}), ('relu6', {}), ('leaky_relu', {'negative_slope': 0.3}), ('elu', {}),
    ('selu', {}), ('celu', {'alpha': 0.7}), ('gelu', {}), ('gelu', {'approximate': 'tanh'}),
    ('silu', {}), ('mish', {}), ('softplus', {'beta': 0.5}), ('hardtanh', {}),
    ('hardsigmoid', {}), ('hardswish', {}), ('logsigmoid', {}), ('sigmoid', {}), ('tanh', {}),
    ('threshold', {'threshold': 0.5, 'value': -1.0}), ('hardshrink', {}), ('softshrink', {}),
    ('tanhshrink', {}), ('softsign', {}), ('glu', {}), ('softmax', {'dim': 0}),
    ('log_softmax', {'dim': 1}), ('softmin', {'dim': 1}), ('normalize', {}),
    ('normalize', {'p': 1.0, 'dim': 0}),
]


@pytest.mark.parametrize('name,kw', FUNCTIONALS, ids=[f'{a}-{b}' for a, b in FUNCTIONALS])
def test_functional_gradcheck_and_torch(name, kw):
    x = RNG.standard_normal((3, 4)) * 2
    x[0, :3] = [0.7, -0.7, 2.5]
    # float64 finite differences (points kept away from kinks)
    xn = numtorch.tensor(x, requires_grad=True)
    assert gradcheck(lambda t: getattr(F, name)(t, **kw), (xn,))
    # and against torch in float32
    xp = torch.tensor(x.astype(np.float32), requires_grad=True)
    xn = numtorch.tensor(x.astype(np.float32), requires_grad=True)
    yp = getattr(torch.nn.functional, name)(xp, **kw)
    yn = getattr(F, name)(xn, **kw)
    assert_close(yn, yp)
    assert yn.grad_fn.name() == yp.grad_fn.name()
    yp.sum().backward()
    yn.sum().backward()
    assert_close(xn.grad, xp.grad, 1e-5, 1e-5)


def test_prelu_functional_and_errors():
    x = RNG.standard_normal((2, 3, 4))
    w = np.array([0.1, -0.2, 0.3])
    assert gradcheck(F.prelu, (numtorch.tensor(x, requires_grad=True),
                               numtorch.tensor(w, requires_grad=True)))
    for xs, ws in [((2, 3), (1,)), ((2, 5), (5,)), ((4,), (1,))]:
        a, b = RNG.standard_normal(xs), RNG.standard_normal(ws)
        xp, wp = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        xn, wn = numtorch.tensor(a, requires_grad=True), numtorch.tensor(b, requires_grad=True)
        yp, yn = torch.nn.functional.prelu(xp, wp), F.prelu(xn, wn)
        assert_close(yn, yp)
        yp.sum().backward()
        yn.sum().backward()
        assert_close(wn.grad, wp.grad)
        assert_close(xn.grad, xp.grad)
    with pytest.raises(RuntimeError, match='Mismatch of parameter numbers and input channel'):
        F.prelu(numtorch.ones(2, 3), numtorch.ones(2))


def test_activation_integer_inputs():
    x = numtorch.tensor([-1, 2, 3])
    xp = torch.tensor([-1, 2, 3])
    for name in ('relu', 'relu6', 'hardtanh'):
        assert_close(getattr(F, name)(x), getattr(torch.nn.functional, name)(xp))
    for name in ('gelu', 'silu', 'elu', 'leaky_relu', 'softplus', 'mish'):
        with pytest.raises(NotImplementedError) as en:
            getattr(F, name)(x)
        with pytest.raises(NotImplementedError) as ep:
            getattr(torch.nn.functional, name)(xp)
        assert str(en.value) == str(ep.value)


def test_softmax_implicit_dim_warns():
    for shape, dim in [((3,), 0), ((2, 3), 1), ((2, 3, 4), 0), ((2, 3, 4, 5), 1)]:
        x = numtorch.randn(*shape)
        with pytest.warns(UserWarning, match='Implicit dimension choice for softmax has been '
                                             'deprecated'):
            y = F.softmax(x)
        assert np.allclose(y._data, F.softmax(x, dim)._data)
    with pytest.warns(UserWarning, match='Implicit dimension choice for log_softmax'):
        nn.LogSoftmax()(numtorch.randn(2, 3))


def test_inplace_functional_returns_input():
    x = numtorch.randn(5)
    assert F.relu(x, inplace=True) is x and (x._data >= 0).all()
    y = numtorch.randn(5)
    assert F.leaky_relu_(y, 0.5) is y
    z = numtorch.randn(4, requires_grad=True)
    w = z * 1
    F.elu(w, inplace=True)
    assert w.grad_fn.name() == 'EluBackward1'


# -- other functionals -------------------------------------------------------------------
def test_one_hot():
    t = np.array([[0, 2], [1, 3]])
    assert_close(F.one_hot(numtorch.tensor(t)), torch.nn.functional.one_hot(torch.tensor(t)))
    assert_close(F.one_hot(numtorch.tensor(t), 6),
                 torch.nn.functional.one_hot(torch.tensor(t), 6))
    for bad, nc in [(numtorch.tensor([1.0]), -1), (numtorch.tensor([-1]), -1),
                    (numtorch.tensor([4]), 3), (numtorch.tensor([], dtype=numtorch.int64), -1)]:
        with pytest.raises(RuntimeError) as en:
            F.one_hot(bad, nc)
        with pytest.raises(RuntimeError) as ep:
            torch.nn.functional.one_hot(torch.tensor(bad._data), nc)
        assert str(en.value) == str(ep.value)


@pytest.mark.parametrize('dim', [0, 1, -1])
def test_cosine_similarity_pairwise_distance(dim):
    a, b = RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5))
    a[0] = 0.0
    for fn, kw in [('cosine_similarity', {'dim': dim}), ('pairwise_distance', {}),
                   ('pairwise_distance', {'p': 1.0, 'keepdim': True})]:
        an, bn = numtorch.tensor(a, requires_grad=True), numtorch.tensor(b, requires_grad=True)
        ap, bp = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        yn, yp = getattr(F, fn)(an, bn, **kw), getattr(torch.nn.functional, fn)(ap, bp, **kw)
        assert_close(yn, yp)
        yn.sum().backward()
        yp.sum().backward()
        assert_close(an.grad, ap.grad)
        assert_close(bn.grad, bp.grad)
    assert gradcheck(lambda u, v: F.cosine_similarity(u, v, dim),
                     (numtorch.tensor(RNG.standard_normal((3, 4)), requires_grad=True),
                      numtorch.tensor(RNG.standard_normal((3, 4)), requires_grad=True)))


def test_linear_bilinear_gradcheck():
    x = numtorch.tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    w = numtorch.tensor(RNG.standard_normal((2, 4)), requires_grad=True)
    b = numtorch.tensor(RNG.standard_normal(2), requires_grad=True)
    assert gradcheck(F.linear, (x, w, b))
    x2 = numtorch.tensor(RNG.standard_normal((3, 5)), requires_grad=True)
    wb = numtorch.tensor(RNG.standard_normal((2, 4, 5)), requires_grad=True)
    assert gradcheck(F.bilinear, (x, x2, wb, b))


# -- the user's training loops ------------------------------------------------------------------
def _regression(lib, steps=200):
    """Seed 002: Net(1, 10, 1) on noisy x^2, SGD lr=0.2, MSELoss."""
    F_ = lib.nn.functional
    lib.manual_seed(1)
    x = lib.unsqueeze(lib.linspace(-1, 1, 100), dim=1)
    y = x.pow(2) + 0.2 * lib.rand(x.size())

    class Net(lib.nn.Module):
        def __init__(self, n_feature, n_hidden, n_output):
            super(Net, self).__init__()
            self.hidden = lib.nn.Linear(n_feature, n_hidden)
            self.predict = lib.nn.Linear(n_hidden, n_output)

        def forward(self, x):
            x = F_.relu(self.hidden(x))
            return self.predict(x)

    net = Net(n_feature=1, n_hidden=10, n_output=1)
    loss_func = lib.nn.MSELoss()
    losses = []
    for _ in range(steps):
        prediction = net(x)
        loss = loss_func(prediction, y)
        net.zero_grad()
        loss.backward()
        with lib.no_grad():
            for p in net.parameters():
                p -= 0.2 * p.grad
        losses.append(loss.item())
    return np.array(losses)


def _classification(lib, steps=100):
    """Seed 002: Net(2, 10, 2) on two Gaussian blobs, SGD lr=0.02, CrossEntropyLoss."""
    lib.manual_seed(1)
    n_data = lib.ones(100, 2)
    x0 = lib.normal(2 * n_data, 1)
    y0 = lib.zeros(100)
    x1 = lib.normal(-2 * n_data, 1)
    y1 = lib.ones(100)
    x = lib.cat((x0, x1), 0).type(lib.FloatTensor)
    y = lib.cat((y0, y1), ).type(lib.LongTensor)
    net = lib.nn.Sequential(lib.nn.Linear(2, 10), lib.nn.ReLU(), lib.nn.Linear(10, 2))
    loss_func = lib.nn.CrossEntropyLoss()
    losses = []
    for _ in range(steps):
        out = net(x)
        loss = loss_func(out, y)
        net.zero_grad()
        loss.backward()
        with lib.no_grad():
            for p in net.parameters():
                p.data -= 0.02 * p.grad
        losses.append(loss.item())
    acc = float((lib.max(out, 1)[1] == y).sum().item()) / 200
    return np.array(losses), acc


@pytest.fixture
def torch_one_thread():
    # Tiny ops: torch's thread pool only adds contention (seconds on a loaded 2-core box).
    prev = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(prev)


@pytest.mark.usefixtures('torch_one_thread')
def test_seed_regression_matches_torch():
    ln, lp = _regression(numtorch), _regression(torch)
    np.testing.assert_allclose(ln, lp, rtol=2e-4, atol=1e-6)
    assert ln[-1] < 0.1 * ln[0]


@pytest.mark.usefixtures('torch_one_thread')
def test_seed_classification_matches_torch():
    (ln, an), (lp, ap) = _classification(numtorch), _classification(torch)
    np.testing.assert_allclose(ln, lp, rtol=2e-4, atol=1e-6)
    assert an == ap and an > 0.9


# -- double backward (create_graph=True) ---------------------------------------------------
GRADGRAD = [
    ('elu', lambda x: F.elu(x, 0.7)), ('selu', F.selu), ('celu', lambda x: F.celu(x, 0.5)),
    ('gelu', F.gelu), ('gelu_tanh', lambda x: F.gelu(x, approximate='tanh')),
    ('silu', F.silu), ('mish', F.mish), ('softplus', lambda x: F.softplus(x, 2.0, 1.0)),
    ('hardswish', F.hardswish), ('logsigmoid', F.logsigmoid), ('leaky_relu', F.leaky_relu),
    ('hardtanh', F.hardtanh), ('hardsigmoid', F.hardsigmoid), ('softshrink', F.softshrink),
    ('glu', F.glu), ('prelu', lambda x: F.prelu(x, numtorch.tensor([0.1, -0.2, 0.3, 0.4],
                                                                   dtype=numtorch.float64))),
]


@pytest.mark.parametrize('name,fn', GRADGRAD, ids=[g[0] for g in GRADGRAD])
def test_activation_gradgradcheck(name, fn):
    x = numtorch.tensor(RNG.standard_normal((3, 4)) * 2, requires_grad=True)
    assert numtorch.autograd.gradgradcheck(fn, (x,))


def test_gradient_penalty_matches_torch():
    """d/dW of ||d net(x) / dx||^2: double backward through Linear, Tanh, SiLU."""
    def run(lib):
        lib.manual_seed(0)
        net = lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 4),
                                lib.nn.SiLU(), lib.nn.Linear(4, 1))
        x = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3),
                       requires_grad=True)
        (g,) = lib.autograd.grad(net(x).sum(), x, create_graph=True)
        (g.pow(2).sum()).backward()
        return [p.grad for p in net.parameters()]
    for a, b in zip(run(numtorch), run(torch)):
        assert_close(a, b, 1e-4, 1e-6)


def test_relu_special_values_bit_for_bit():
    """-0.0 stays -0.0 and NaN stays NaN, as in PyTorch (in place too)."""
    x = np.array([-0.0, 0.0, np.nan, 1.5, -1.5, np.inf, -np.inf] * 40, np.float32)
    expect = torch.relu(torch.tensor(x)).numpy().view(np.int32)
    assert np.array_equal(F.relu(numtorch.tensor(x))._data.view(np.int32), expect)
    t = numtorch.tensor(x)
    F.relu(t, inplace=True)
    assert np.array_equal(t._data.view(np.int32), expect)
    assert F.relu(numtorch.tensor([-2, 0, 3])).tolist() == [0, 0, 3]
