"""torch.linalg.ldl_factor / ldl_factor_ex / ldl_solve against torch 2.13 (MKL's sytrf):
LD, pivots and info exactly for the unblocked sizes, solutions to rounding, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch

LA = numtorch.linalg


def _sym_cases(seed: int = 0):
    """Random matrices (only the lower triangle is read) biased towards 2x2 pivots, zero
    columns and ties."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(120):
        n = int(rng.integers(1, 10))
        a = rng.standard_normal((n, n))
        if i % 3 == 0:
            a[np.diag_indices(n)] *= 0.01
        if i % 5 == 0:
            a = np.round(a)
        if i % 7 == 0 and n > 2:
            a[:, 1] = 0
            a[1, :] = 0
        out.append(a.astype(np.float32 if i % 2 else np.float64))
    return out


def test_factor_matches_lapack_exactly():
    n2x2 = 0
    for a in _sym_cases():
        t = torch.linalg.ldl_factor_ex(torch.from_numpy(a.copy()))
        r = LA.ldl_factor_ex(numtorch.from_numpy(a.copy()))
        assert r.LD.dtype == (numtorch.float64 if a.dtype == np.float64 else numtorch.float32)
        assert r.pivots.dtype == numtorch.int32 and r.info.dtype == numtorch.int32
        np.testing.assert_array_equal(r.pivots._data, t.pivots.numpy())
        np.testing.assert_array_equal(r.info._data, t.info.numpy())
        np.testing.assert_array_equal(r.LD._data, t.LD.numpy())
        n2x2 += int((t.pivots < 0).any())
    assert n2x2 > 20   # the cases exercise 2x2 blocks


def test_factor_larger_and_batched():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 3, 40, 40)).astype(np.float32)
    a[..., np.arange(40), np.arange(40)] *= 0.01
    t = torch.linalg.ldl_factor(torch.from_numpy(a))
    r = LA.ldl_factor(numtorch.from_numpy(a))
    assert type(r).__name__ == 'linalg_ldl_factor' and r._fields == ('LD', 'pivots')
    assert repr(r).startswith('torch.return_types.linalg_ldl_factor(\nLD=tensor(')
    np.testing.assert_array_equal(r.pivots._data, t.pivots.numpy())
    np.testing.assert_array_equal(r.LD._data, t.LD.numpy())
    # Past LAPACK's block size sytrf factors by panels: same pivots, rounding differs.
    b = rng.standard_normal((100, 100))
    t = torch.linalg.ldl_factor(torch.from_numpy(b), hermitian=True)
    r = LA.ldl_factor(numtorch.from_numpy(b), hermitian=True)
    np.testing.assert_array_equal(r.pivots._data, t.pivots.numpy())
    np.testing.assert_allclose(r.LD._data, t.LD.numpy(), rtol=1e-9, atol=1e-9)


def test_factor_nan_pivoting():
    rng = np.random.default_rng(5)
    for _ in range(60):
        n = int(rng.integers(2, 7))
        a = rng.standard_normal((n, n))
        a[np.diag_indices(n)] *= 0.01
        a[rng.random((n, n)) < 0.1] = np.nan
        t = torch.linalg.ldl_factor_ex(torch.from_numpy(a.copy()))
        r = LA.ldl_factor_ex(numtorch.from_numpy(a.copy()))
        np.testing.assert_array_equal(r.pivots._data, t.pivots.numpy())
        assert r.info.item() == t.info.item()
        np.testing.assert_allclose(r.LD._data, t.LD.numpy(), rtol=1e-12, equal_nan=True)


def test_singular_info_and_errors():
    z = np.zeros((2, 3, 3), np.float32)
    z[0] = np.eye(3)
    t = torch.linalg.ldl_factor_ex(torch.from_numpy(z))
    r = LA.ldl_factor_ex(numtorch.from_numpy(z))
    np.testing.assert_array_equal(r.info._data, t.info.numpy())
    np.testing.assert_array_equal(r.LD._data, t.LD.numpy())
    for f, args, kw in [('ldl_factor', (z,), {}), ('ldl_factor_ex', (z,), {'check_errors': True}),
                        ('ldl_factor', (z[1],), {})]:
        with pytest.raises(RuntimeError) as et:
            getattr(torch.linalg, f)(*[torch.from_numpy(x) for x in args], **kw)
        with pytest.raises(RuntimeError) as er:
            getattr(LA, f)(*[numtorch.from_numpy(x) for x in args], **kw)
        assert str(er.value) == str(et.value)


@pytest.mark.parametrize('make', [
    lambda lib: lib.zeros(3, 4),
    lambda lib: lib.zeros(3),
    lambda lib: lib.zeros(3, 3, dtype=lib.int64),
    lambda lib: lib.zeros(3, 3, dtype=lib.float16),
])
def test_factor_input_errors(make):
    with pytest.raises(Exception) as et:
        torch.linalg.ldl_factor(make(torch))
    with pytest.raises(Exception) as er:
        LA.ldl_factor(make(numtorch))
    assert type(er.value) is type(et.value)
    assert str(er.value) == str(et.value)


def test_empty():
    for shape in [(0, 0), (2, 0, 0)]:
        t = torch.linalg.ldl_factor_ex(torch.zeros(shape))
        r = LA.ldl_factor_ex(numtorch.zeros(shape))
        for x, y in zip(r, t):
            assert tuple(x.shape) == tuple(y.shape) and str(x.dtype) == str(y.dtype)


def test_no_derivative():
    a = np.random.default_rng(2).standard_normal((3, 3))
    for lib in (torch, numtorch):
        x = lib.tensor(a, requires_grad=True)
        res = lib.linalg.ldl_factor_ex(x)
        assert res.LD.requires_grad and not res.pivots.requires_grad
        assert not res.info.requires_grad
        assert 'NotImplemented' in res.LD.grad_fn.name()
        with pytest.raises(RuntimeError,
                           match='derivative for aten::linalg_ldl_factor_ex is not implemented'):
            res.LD.sum().backward()
        b = lib.ones(3, 2, dtype=lib.float64, requires_grad=True)
        s = lib.linalg.ldl_solve(res.LD.detach(), res.pivots, b)
        assert s.requires_grad
        with pytest.raises(RuntimeError,
                           match='derivative for aten::linalg_ldl_solve is not implemented'):
            s.sum().backward()


def test_solve_matches_torch():
    rng = np.random.default_rng(3)
    for a in _sym_cases(4):
        n = a.shape[0]
        t = torch.linalg.ldl_factor_ex(torch.from_numpy(a.copy()))
        if t.info.item() != 0:
            continue
        b = rng.standard_normal((n, 3)).astype(a.dtype)
        xt = torch.linalg.ldl_solve(t.LD, t.pivots, torch.from_numpy(b))
        xr = LA.ldl_solve(numtorch.from_numpy(t.LD.numpy()), numtorch.from_numpy(t.pivots.numpy()),
                          numtorch.from_numpy(b))
        assert xr.dtype == (numtorch.float64 if a.dtype == np.float64 else numtorch.float32)
        tol = 1e-9 if a.dtype == np.float64 else 2e-3
        scale = max(1.0, float(np.abs(xt.numpy()).max()))
        np.testing.assert_allclose(xr._data, xt.numpy(), rtol=tol, atol=tol * scale)


def test_solve_batched_broadcast_and_int64_pivots():
    rng = np.random.default_rng(6)
    a = rng.standard_normal((2, 5, 5))
    a[..., np.arange(5), np.arange(5)] *= 0.01
    sym = np.tril(a) + np.swapaxes(np.tril(a, -1), -1, -2)
    ld, piv = LA.ldl_factor(numtorch.from_numpy(a))
    for b in [rng.standard_normal((5, 2)), rng.standard_normal((2, 5, 4)),
              rng.standard_normal((5, 0))]:
        tl = torch.linalg.ldl_factor(torch.from_numpy(a))
        xt = torch.linalg.ldl_solve(tl.LD, tl.pivots, torch.from_numpy(b))
        xr = LA.ldl_solve(ld, piv, numtorch.from_numpy(b))
        assert tuple(xr.shape) == tuple(xt.shape)
        np.testing.assert_allclose(xr._data, xt.numpy(), rtol=1e-10, atol=1e-10)
        if b.size:
            np.testing.assert_allclose(sym @ xr._data, np.broadcast_to(b, xr.shape), atol=1e-9)
    x64 = LA.ldl_solve(ld, piv.long(), numtorch.from_numpy(b))
    assert tuple(x64.shape) == (2, 5, 0)
    one = LA.ldl_solve(ld[0], piv[0].long(), numtorch.from_numpy(np.eye(5)))
    np.testing.assert_allclose(sym[0] @ one._data, np.eye(5), atol=1e-9)


@pytest.mark.parametrize('make', [
    lambda lib, ld, p, b: (ld, p.double(), b),
    lambda lib, ld, p, b: (ld.long(), p, b.long()),
    lambda lib, ld, p, b: (ld[0], p, b),
    lambda lib, ld, p, b: (ld[:, :3], p, b),
    lambda lib, ld, p, b: (ld, p[:3], b),
    lambda lib, ld, p, b: (ld, p, b.float()),
    lambda lib, ld, p, b: (ld, p, b[0]),
    lambda lib, ld, p, b: (ld, p, b[:3]),
    lambda lib, ld, p, b: (ld, p.bool(), b),
    lambda lib, ld, p, b: (ld.half(), p, b.half()),
    lambda lib, ld, p, b: (ld.expand(2, 4, 4), p.expand(2, 4), b.expand(3, 4, 2)),
])
def test_solve_errors(make):
    a = np.random.default_rng(7).standard_normal((4, 4))
    b = np.ones((4, 2))
    with pytest.raises(Exception) as et:
        ld, p = torch.linalg.ldl_factor(torch.from_numpy(a))
        torch.linalg.ldl_solve(*make(torch, ld, p, torch.from_numpy(b)))
    with pytest.raises(Exception) as er:
        ld, p = LA.ldl_factor(numtorch.from_numpy(a))
        LA.ldl_solve(*make(numtorch, ld, p, numtorch.from_numpy(b)))
    assert type(er.value) is type(et.value)
    assert str(er.value) == str(et.value)
