"""F.affine_grid and F.grid_sample against PyTorch: outputs and the gradients of input,
grid and theta for every mode, padding mode and corner alignment, with grids reaching
outside the input; warnings and errors; a spatial transformer's forward and backward."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import numtorch
from test_nn_conv import same_error

RNG = np.random.default_rng(51)
X = RNG.standard_normal((2, 3, 5, 6))


def _sample(lib, xs, gs, **kw):
    x, g = lib.tensor(xs, requires_grad=True), lib.tensor(gs, requires_grad=True)
    y = lib.nn.functional.grid_sample(x, g, **kw)
    r = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
    (y * y * r).sum().backward()
    return [y.detach().numpy(), x.grad.numpy(), g.grad.numpy()], y.grad_fn.name()


@pytest.mark.parametrize('reach', [0.9, 1.6])  # (1.6: past the borders)
@pytest.mark.parametrize('mode', ['bilinear', 'nearest'])
@pytest.mark.parametrize('padding_mode', ['zeros', 'border', 'reflection'])
@pytest.mark.parametrize('align_corners', [True, False])
def test_grid_sample_matches_torch(reach, mode, padding_mode, align_corners):
    grid = RNG.uniform(-reach, reach, (2, 4, 7, 2))
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    (a, na), (b, nb) = _sample(numtorch, X, grid, **kw), _sample(torch, X, grid, **kw)
    assert na == nb
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize('size', [(2, 3, 4, 5), (2, 1, 1, 3), (2, 1, 3, 1)])
@pytest.mark.parametrize('align_corners', [True, False])
def test_affine_grid_matches_torch(size, align_corners):
    theta = RNG.standard_normal((2, 2, 3))
    out = []
    for lib in (numtorch, torch):
        t = lib.tensor(theta, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            g = lib.nn.functional.affine_grid(t, size, align_corners=align_corners)
        r = lib.tensor(np.linspace(-1, 1, g.numel()).reshape(tuple(g.shape)))
        (g * g * r).sum().backward()
        out.append(([g.detach().numpy(), t.grad.numpy()], g.grad_fn.name(),
                    [str(w.message) for w in caught]))
    (a, na, wa), (b, nb, wb) = out
    assert na == nb and wa == wb
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12)


def test_default_align_corners_warns():
    for lib in (numtorch, torch):
        with pytest.warns(UserWarning, match='align_corners=False since 1.3.0'):
            g = lib.nn.functional.affine_grid(lib.zeros(1, 2, 3), (1, 1, 2, 2))
        with pytest.warns(UserWarning, match='align_corners=False since 1.3.0'):
            lib.nn.functional.grid_sample(lib.zeros(1, 1, 2, 2), g)


def test_errors():
    x = numtorch.tensor(X)
    g = numtorch.nn.functional.affine_grid(numtorch.zeros(2, 2, 3), (2, 3, 4, 5), False)
    xt, gt = torch.tensor(X), torch.tensor(g.numpy())
    th, tht = numtorch.zeros(2, 2, 3), torch.zeros(2, 2, 3)
    for fn in (lambda F, x, g, t: F.affine_grid(t.int(), (2, 3, 4, 5), align_corners=False),
               lambda F, x, g, t: F.affine_grid(t, (2, 3, 4), align_corners=False),
               lambda F, x, g, t: F.affine_grid(t, (3, 3, 4, 5), align_corners=False),
               lambda F, x, g, t: F.affine_grid(t, (2, 3, 0, 5), align_corners=False),
               lambda F, x, g, t: F.grid_sample(x, g, mode='foo', align_corners=False),
               lambda F, x, g, t: F.grid_sample(x, g, padding_mode='foo', align_corners=False),
               lambda F, x, g, t: F.grid_sample(x[0], g, align_corners=False),
               lambda F, x, g, t: F.grid_sample(x, g[:1], align_corners=False),
               lambda F, x, g, t: F.grid_sample(x, g[..., :1], align_corners=False)):
        same_error(lambda: fn(numtorch.nn.functional, x, g, th),
                   lambda: fn(torch.nn.functional, xt, gt, tht))


def test_spatial_transformer_matches_torch():
    """The localisation net -> theta -> affine_grid -> grid_sample pipeline of PyTorch's
    spatial transformer tutorial: output and every parameter gradient."""
    images = RNG.standard_normal((4, 1, 12, 12))
    out = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        loc = lib.nn.Sequential(lib.nn.Conv2d(1, 4, 5), lib.nn.MaxPool2d(2), lib.nn.ReLU(),
                                lib.nn.Flatten(), lib.nn.Linear(64, 6)).double()
        x = lib.tensor(images)
        theta = loc(x).view(-1, 2, 3)
        grid = lib.nn.functional.affine_grid(theta, x.size(), align_corners=False)
        y = lib.nn.functional.grid_sample(x, grid, align_corners=False)
        y.pow(2).sum().backward()
        out.append([y.detach().numpy()] + [p.grad.numpy() for p in loc.parameters()])
    for u, v in zip(*out):
        np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-10)
