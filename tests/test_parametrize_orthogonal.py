"""nn.utils.parametrizations.orthogonal against PyTorch: the weight after registration (the
same random completion of a tall base from the shared generator), its values and gradients
for a moved ``original``, assignment through right_inverse, use_trivialization=False, the
householder map (the default for non-square weights), and PyTorch's errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch
from test_nn_conv import same_error

RNG = np.random.default_rng(3)
CASES = [('matrix_exp', (4, 4)), ('cayley', (4, 4)), ('matrix_exp', (3, 5)),
         ('cayley', (5, 3)), ('matrix_exp', (2, 3, 3)), ('cayley', (2, 4, 2)),
         ('householder', (3, 5)), ('householder', (5, 3)), ('householder', (4, 4)),
         ('householder', (2, 4, 2))]


def _module(lib, shape):
    lib.manual_seed(0)
    m = lib.nn.Module()
    m.weight = lib.nn.Parameter(lib.randn(*shape, dtype=lib.float64))
    return m


@pytest.mark.parametrize('triv', [True, False])
@pytest.mark.parametrize('omap,shape', CASES)
def test_orthogonal_matches_torch(omap, shape, triv):
    x = 0.3 * RNG.standard_normal(shape)
    if omap == 'householder':
        # (householder reads its column signs from the diagonal, +-1)
        idx = np.arange(min(shape[-2:]))
        x[..., idx, idx] = np.where(RNG.random(shape[:-2] + idx.shape) < 0.5, -1., 1.)
    g = RNG.standard_normal(shape)
    res = []
    for lib in (numtorch, torch):
        m = _module(lib, shape)
        P = lib.nn.utils.parametrizations
        P.orthogonal(m, orthogonal_map=omap, use_trivialization=triv)
        w0 = m.weight.detach().numpy().copy()
        orig = m.parametrizations.weight.original
        with lib.no_grad():
            orig.copy_(lib.tensor(x))
        w = m.weight
        (w * lib.tensor(g)).sum().backward()
        base = getattr(m.parametrizations.weight[0], 'base', None)
        res.append((w0, w.detach().numpy(), orig.grad.numpy(), w.grad_fn.name(),
                    None if base is None else base.numpy(),
                    type(m.parametrizations.weight[0]).__name__))
    (a0, a1, ag, an, ab, at), (b0, b1, bg, bn, bb, bt) = res
    assert (an, at) == (bn, bt)
    for p, q in ((a0, b0), (a1, b1), (ag, bg)):
        np.testing.assert_allclose(p, q, rtol=1e-9, atol=1e-10)
    assert (ab is None) == (bb is None)
    if ab is not None:
        np.testing.assert_allclose(ab, bb, rtol=1e-9, atol=1e-10)
    n, k = sorted(shape[-2:], reverse=True)
    w = a1 if shape[-2] >= shape[-1] else np.swapaxes(a1, -1, -2)
    np.testing.assert_allclose(np.swapaxes(w, -1, -2) @ w, np.broadcast_to(
        np.eye(k), shape[:-2] + (k, k)), atol=1e-12)


@pytest.mark.parametrize('shape', [(4, 4), (3, 5)])
def test_orthogonal_assignment(shape):
    q = np.linalg.qr(RNG.standard_normal((max(shape), min(shape))))[0]
    if shape[0] < shape[1]:
        q = q.T
    r = RNG.standard_normal(shape)
    res = []
    for lib in (numtorch, torch):
        m = _module(lib, shape)
        lib.nn.utils.parametrizations.orthogonal(
            m, orthogonal_map='matrix_exp' if shape[0] == shape[1] else 'cayley')
        out = []
        for v in (q, r):   # an orthogonal value is kept, another one orthogonalised by QR
            m.weight = lib.tensor(v)
            out.append((m.weight.detach().numpy(),
                        m.parametrizations.weight.original.detach().numpy()))
        res.append(out)
    for (p1, p2), (q1, q2) in zip(*res):
        np.testing.assert_allclose(p1, q1, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(p2, q2)


ERRORS = [
    lambda m: m.nn.utils.parametrizations.orthogonal(m.nn.Linear(3, 3), 'bias'),
    lambda m: m.nn.utils.parametrizations.orthogonal(m.nn.Linear(3, 3), 'nothing'),
    lambda m: m.nn.utils.parametrizations.orthogonal(m.nn.Linear(3, 3), orthogonal_map='qr'),
    lambda m: setattr(m.nn.utils.parametrizations.orthogonal(m.nn.Linear(3, 3)), 'weight',
                      m.eye(4)),
    lambda m: setattr(m.nn.utils.parametrizations.orthogonal(
        m.nn.Linear(3, 3), use_trivialization=False), 'weight', m.eye(3)),
]


@pytest.mark.parametrize('i', range(len(ERRORS)))
def test_orthogonal_errors(i):
    same_error(lambda: ERRORS[i](numtorch), lambda: ERRORS[i](torch))


@pytest.mark.parametrize('triv', [True, False])
@pytest.mark.parametrize('shape', [(3, 5), (5, 3)])
def test_householder_linear_default(shape, triv):
    """orthogonal(nn.Linear) with the default map (householder for non-square weights), from
    the same seed: the same initial weight, output and gradients as PyTorch (float32)."""
    x = RNG.standard_normal((2, shape[0])).astype(np.float32)
    res = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        m = lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(*shape),
                                                     use_trivialization=triv)
        y = m(lib.tensor(x))
        y.pow(2).sum().backward()
        res.append((m.weight.detach().numpy(), y.detach().numpy(),
                    m.parametrizations.weight.original.grad.numpy(), m.bias.grad.numpy(),
                    m.parametrizations.weight.original.detach().numpy()))
    for p, q in zip(*res):
        np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('shape', [(5, 3), (3, 4)])
@pytest.mark.parametrize('upper', [False, True])
def test_householder_assignment_without_trivialization(shape, upper):
    """right_inverse by geqrf: the reflectors below the diagonal, R's signs on it (flipped
    back where LAPACK made no reflection, tau = 0: an already upper-triangular column)."""
    r = RNG.standard_normal(shape)
    if upper:
        r = np.triu(r) if shape[0] >= shape[1] else np.tril(r)
    res = []
    for lib in (numtorch, torch):
        m = _module(lib, shape)
        lib.nn.utils.parametrizations.orthogonal(m, use_trivialization=False)
        m.weight = lib.tensor(r)
        res.append((m.weight.detach().numpy(),
                    m.parametrizations.weight.original.detach().numpy()))
    for p, q in zip(*res):
        np.testing.assert_allclose(p, q, rtol=1e-9, atol=1e-12)
