"""numtorch's NumPy erf/erfc (numtorch/_ops/_erf.py) against the C library's and PyTorch's."""
import math

import numpy as np
import pytest
import torch

import numtorch
from numtorch._ops import _erf


def _grid() -> np.ndarray:
    tiny = np.geomspace(1e-300, 1.0, 400)
    big = np.geomspace(1.0, 1e300, 200)
    return np.concatenate([np.linspace(-30, 30, 24001), tiny, -tiny, big, -big,
                           [1.0, 2.0, 4.0, 6.0, 8.0, 27.5, np.nextafter(1.0, 0), 5e-324]])


def _ulps(got: np.ndarray, ref: np.ndarray) -> float:
    keep = np.abs(ref) > 1e-300  # (below, erfc is subnormal: no relative accuracy)
    return float(np.max(np.abs(got[keep] - ref[keep]) / np.spacing(np.abs(ref[keep]))))


@pytest.mark.parametrize('name', ['erf', 'erfc'])
def test_float64_within_a_few_ulps_of_libm(name):
    x = _grid()
    ref = np.array([getattr(math, name)(v) for v in x])
    got = getattr(_erf, name)(x)
    # libm is itself within about an ulp; erfc near |x| = 1 inherits erf's error times
    # erf/erfc (at most ~5)
    assert _ulps(got, ref) <= (3 if name == 'erf' else 10)


def test_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e308, -1e308])
    e = _erf.erf(x)
    assert e[:4].tolist() == [0.0, 0.0, 1.0, -1.0] and np.signbit(e[1])
    assert np.isnan(e[4]) and e[5:].tolist() == [1.0, -1.0]
    c = _erf.erfc(x)
    assert c[[0, 1, 2, 3, 5, 6]].tolist() == [1.0, 1.0, 0.0, 2.0, 0.0, 2.0]
    assert np.isnan(c[4])


@pytest.mark.parametrize('shape', [(), (0,), (3, 0, 2), (5,), (4, 3, 2)])
@pytest.mark.parametrize('dtype', [np.float16, np.float32, np.float64])
def test_shapes_and_dtypes_kept(shape, dtype):
    x = (np.random.default_rng(0).standard_normal(shape) * 3).astype(dtype)
    for name in ('erf', 'erfc'):
        got = getattr(_erf, name)(x)
        assert got.shape == x.shape and got.dtype == x.dtype
        ref = getattr(torch, name)(torch.from_numpy(np.array(x)))
        np.testing.assert_allclose(got, ref.numpy(), rtol=2e-3 if dtype == np.float16 else 2e-7,
                                   atol=1e-7)


@pytest.mark.parametrize('name', ['erf', 'erfc'])
def test_float32_within_an_ulp_of_torch(name):
    x = np.random.default_rng(1).standard_normal(200000).astype(np.float32) * 2.5
    ref = getattr(torch, name)(torch.from_numpy(x)).numpy()
    got = getattr(numtorch, name)(numtorch.from_numpy(x)).numpy()
    keep = ref != 0
    assert np.max(np.abs(got[keep] - ref[keep]) / np.spacing(np.abs(ref[keep]))) <= 1
