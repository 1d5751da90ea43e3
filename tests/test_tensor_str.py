"""repr/str of numtorch tensors against PyTorch's, character for character."""
from __future__ import annotations

import sys
import time
import types

import numpy as np
import pytest
import torch

import numtorch
from numtorch import _tensor_str

DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64,
          np.float16, np.float32, np.float64]
SHAPES = [(), (1,), (5,), (2, 3), (2, 3, 4), (2, 1, 2, 3), (0,), (0, 3), (2, 0, 4)]


@pytest.fixture(autouse=True)
def _restore_options():
    """Every test starts and ends with the default print options and default dtype."""
    yield
    torch.set_printoptions(profile='default')
    numtorch.set_printoptions(profile='default')
    torch.set_default_dtype(torch.float32)
    numtorch.set_default_dtype(numtorch.float32)


def _values(dtype, shape, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype is np.bool_:
        return rng.random(shape) > 0.5
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        lo, hi = max(info.min, -1000), min(info.max, 1000)
        return rng.integers(lo, hi, shape, endpoint=True).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def check(arr: np.ndarray) -> None:
    """repr and str of ``tensor(arr)`` equal torch's."""
    nt = numtorch.tensor(arr)
    pt = torch.tensor(arr)
    assert repr(nt) == repr(pt)
    assert str(nt) == str(pt)


def both_options(**kw) -> None:
    torch.set_printoptions(**kw)
    numtorch.set_printoptions(**kw)


# -- dtypes x shapes ------------------------------------------------------------
@pytest.mark.parametrize('dtype', DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize('shape', SHAPES, ids=str)
def test_dtype_shape(dtype, shape):
    check(_values(dtype, shape, hash((np.dtype(dtype).name, shape)) % 1000))


@pytest.mark.parametrize('dtype', DTYPES, ids=lambda d: np.dtype(d).name)
def test_scalars_and_extremes(dtype):
    if dtype is np.bool_:
        vals = [True, False]
    elif np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        vals = [0, 1, info.max, info.min]
    else:
        info = np.finfo(dtype)
        vals = [0.0, -0.0, 1.0, -2.5, float(info.max), float(info.min), float(info.tiny),
                float(info.eps), np.nan, np.inf, -np.inf]
    for v in vals:
        check(np.array(v, dtype=dtype))
    check(np.array(vals, dtype=dtype))
    check(np.array(vals, dtype=dtype).reshape(-1, 1))


# -- float magnitudes, fixed/scientific choice ------------------------------------
@pytest.mark.parametrize('dtype', [np.float16, np.float32, np.float64],
                         ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize('scale', [1e-8, 1e-5, 1e-4, 1e-3, 1e-1, 1.0, 10.0, 1e3, 1e5, 1e8,
                                   1e10])
def test_scales(dtype, scale):
    rng = np.random.default_rng(int(np.log10(scale)) + 20)
    with np.errstate(over='ignore'):
        check((rng.standard_normal((3, 4)) * scale).astype(dtype))
        check((np.abs(rng.standard_normal(7)) * scale).astype(dtype))


SPECIAL = [
    [1., 2., -3.],
    [0., 0., 0.],
    [0., -0.],
    [-0.],
    [1e9, 2.],
    [1e8, 1.],
    [1e-4, 1.],
    [0.1, 100.],
    [0.1, 100.1],
    [0.5, 1000.],
    [1., 1001.],
    [123456789., 1.],
    [1., np.nan],
    [1., np.nan, -np.inf],
    [np.nan, np.inf],
    [np.nan],
    [-np.inf, 0.],
    [1.5, np.nan, np.inf, -np.inf],
    [1e-30, 1e30],
    [1e-300, 1e300],
    [1e-100, 5.],
    [9.99995e99, 1.0],
    [0.99999, 1.00001],
    [0.00005, 0.00015],
    [-1e-5, 1e-5],
    [12345.678, -0.5],
    [-1., 10., -100., 1000.],
    [3.14159265358979],
    [2.0 ** 60, 3.0],
]


@pytest.mark.parametrize('vals', SPECIAL, ids=str)
@pytest.mark.parametrize('dtype', [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_special_values(vals, dtype):
    with np.errstate(over='ignore', under='ignore'):
        check(np.array(vals, dtype=dtype))
        check(np.array(vals[0], dtype=dtype))


def test_float16_specials():
    check(np.array([65504., 1., 0.5], np.float16))
    check(np.array([6e-8, 1.], np.float16))
    check(np.array([1e-3, 2048., np.inf], np.float16))
    check(np.array(1.0009765625, np.float16))


def test_integral_floats_nd():
    check(np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 12)
    check(np.array([[1., -0.], [np.nan, 7.]], np.float32))


# -- summarisation and wrapping ----------------------------------------------------
@pytest.mark.parametrize('shape', [(1001,), (2000,), (50, 50), (10, 10, 20), (3, 1001),
                                   (1001, 2), (7, 7, 7, 7), (2, 2, 2, 200)], ids=str)
@pytest.mark.parametrize('dtype', [np.float32, np.int64, np.bool_, np.int16],
                         ids=lambda d: np.dtype(d).name)
def test_summarized(shape, dtype):
    check(_values(dtype, shape, 7))


def test_summarized_formatter_sees_only_shown_values():
    # The hidden middle holds a huge value: PyTorch's width ignores it.
    a = np.ones(2001, np.float32)
    a[1000] = 1e12
    check(a)
    b = np.arange(3000, dtype=np.int64)
    b[1500] = -10 ** 15
    check(b)


@pytest.mark.parametrize('n', [30, 100, 333])
def test_long_rows_wrap(n):
    rng = np.random.default_rng(n)
    check(rng.standard_normal(n).astype(np.float32))
    check(rng.integers(-10 ** 9, 10 ** 9, (3, n)))
    check((rng.standard_normal((2, n)) * 1e6).astype(np.float64))
    check(rng.random(n) > 0.3)


def test_big_tensor_fast():
    a = np.random.default_rng(0).standard_normal((1000, 1000)).astype(np.float32)
    nt = numtorch.tensor(a)
    t0 = time.perf_counter()
    s = repr(nt)
    dt = time.perf_counter() - t0
    assert s == repr(torch.tensor(a))
    assert dt < 0.1, dt


# -- suffixes ----------------------------------------------------------------------
def test_requires_grad_leaf():
    for a in [np.array([1., 2.5]), np.array(3.0), np.zeros((2, 0)),
              np.ones((3, 30), np.float32)]:
        nt = numtorch.tensor(a, requires_grad=True)
        pt = torch.tensor(a, requires_grad=True)
        assert repr(nt) == repr(pt)


GRAD_OPS = [
    lambda m, x: x * 2,
    lambda m, x: x + 1,
    lambda m, x: x - x,
    lambda m, x: x / 3,
    lambda m, x: -x,
    lambda m, x: x.sum(),
    lambda m, x: x.mean(),
    lambda m, x: x.abs(),
    lambda m, x: x.pow(2),
    lambda m, x: x.t(),
    lambda m, x: x[0],
    lambda m, x: x.reshape(-1),
    lambda m, x: x @ x.t(),
    lambda m, x: x.max(0)[0],
    lambda m, x: m.relu(x),
]


@pytest.mark.parametrize('i', range(len(GRAD_OPS)))
@pytest.mark.parametrize('dtype', [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_grad_fn_suffix(i, dtype):
    # Multiples of 1/4: every op here is exact or correctly rounded, so the libraries agree.
    a = (np.round(np.random.default_rng(i).standard_normal((3, 4)) * 4) / 4).astype(dtype)
    nt = GRAD_OPS[i](numtorch, numtorch.tensor(a, requires_grad=True))
    pt = GRAD_OPS[i](torch, torch.tensor(a, requires_grad=True))
    assert repr(nt) == repr(pt)


def test_suffix_wrapping():
    # Suffixes move to a new line when the last line would pass linewidth.
    for n in range(8, 14):
        a = np.arange(n, dtype=np.float64) + 0.5
        nt = numtorch.tensor(a, requires_grad=True) * 2
        pt = torch.tensor(a, requires_grad=True) * 2
        assert repr(nt) == repr(pt)
    a = np.arange(5, dtype=np.int16)
    check(a)
    check(np.arange(17, dtype=np.int32) * 1000)


def test_grad_fn_of_custom_function():
    class Double(numtorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class DoubleT(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    nt = Double.apply(numtorch.ones(2, requires_grad=True))
    pt = DoubleT.apply(torch.ones(2, requires_grad=True))
    assert repr(nt).replace('DoubleBackward', 'X') == repr(pt).replace('DoubleTBackward', 'X')


# -- print options -----------------------------------------------------------------
OPTION_SAMPLES = [
    np.array([1.123456789, -22.5, 0.001], np.float32),
    np.array([1e-6, 1.0, 1e6], np.float64),
    np.array([1., 2., 300.], np.float32),
    np.array(3.14159),
    np.random.default_rng(1).standard_normal((4, 25)).astype(np.float32),
    np.random.default_rng(2).integers(-99, 99, (40, 3)),
    np.arange(20, dtype=np.float32).reshape(4, 5),
    np.random.default_rng(3).standard_normal((6, 7, 8)).astype(np.float32),
    np.array([True, False] * 9),
    np.zeros((0, 2), np.int32),
]
OPTIONS = [
    dict(precision=2), dict(precision=0), dict(precision=8), dict(sci_mode=True),
    dict(sci_mode=False), dict(linewidth=40), dict(linewidth=120), dict(threshold=5),
    dict(threshold=5, edgeitems=1), dict(threshold=5, edgeitems=0), dict(edgeitems=0),
    dict(profile='full'), dict(profile='short'), dict(profile='full', precision=3),
    dict(precision=2, sci_mode=True, linewidth=50), dict(threshold=0),
]


@pytest.mark.parametrize('opts', OPTIONS, ids=str)
def test_printoptions(opts):
    both_options(**opts)
    assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    numtorch_opts = numtorch.get_printoptions()
    assert numtorch_opts == torch._tensor_str.get_printoptions()
    for a in OPTION_SAMPLES:
        check(a)
    nt = numtorch.tensor(OPTION_SAMPLES[4], requires_grad=True) * 2
    pt = torch.tensor(OPTION_SAMPLES[4], requires_grad=True) * 2
    assert repr(nt) == repr(pt)


def test_profile_full_prints_everything():
    both_options(profile='full')
    check(np.arange(1500, dtype=np.int64))
    check(np.random.default_rng(0).standard_normal((40, 40)).astype(np.float32))


def test_set_printoptions_semantics():
    # sci_mode is reset by every call; the other options persist.
    both_options(sci_mode=True, precision=3)
    both_options(linewidth=60)
    assert numtorch.get_printoptions() == torch._tensor_str.get_printoptions()
    assert numtorch.get_printoptions()['sci_mode'] is None
    both_options(profile='nonsense')
    assert numtorch.get_printoptions() == torch._tensor_str.get_printoptions()
    both_options(profile='default')
    assert numtorch.get_printoptions() == {'precision': 4, 'threshold': 1000, 'edgeitems': 3,
                                           'linewidth': 80, 'sci_mode': None}


def test_printoptions_context_manager():
    with _tensor_str.printoptions(precision=1), torch._tensor_str.printoptions(precision=1):
        check(np.array([1.25, 2.5]))
    assert numtorch.get_printoptions()['precision'] == 4
    check(np.array([1.25, 2.5]))


# -- default dtype -----------------------------------------------------------------
def test_default_dtype_float64():
    torch.set_default_dtype(torch.float64)
    numtorch.set_default_dtype(numtorch.float64)
    for a in [np.array([1.5, 2.]), np.array([1.5, 2.], np.float32), np.zeros((0,)),
              np.zeros((0,), np.float32), np.array([1, 2]), np.zeros((2, 0), np.int64),
              np.array(2.5, np.float16), np.array([True])]:
        check(a)
    assert repr(numtorch.tensor([1.5, 2.])) == repr(torch.tensor([1.5, 2.]))
    assert repr(numtorch.ones(2, 3)) == repr(torch.ones(2, 3))


# -- other entry points --------------------------------------------------------------
def test_python_constructed_tensors():
    for data in [[1, 2, 3], [1.5, 2.0], 2.0, 7, True, [[True, False]], [], [[]]]:
        assert repr(numtorch.tensor(data)) == repr(torch.tensor(data))
    assert repr(numtorch.arange(10)) == repr(torch.arange(10))
    assert repr(numtorch.zeros(2, 3, dtype=numtorch.int8)) == \
        repr(torch.zeros(2, 3, dtype=torch.int8))


def test_return_types():
    a = np.random.default_rng(5).standard_normal((3, 4)).astype(np.float32)
    nx, px = numtorch.tensor(a), torch.tensor(a)
    assert repr(nx.max(0)) == repr(px.max(0))
    assert repr(nx.min(1)) == repr(px.min(1))
    nr = numtorch.tensor(a, requires_grad=True).max(1)
    pr = torch.tensor(a, requires_grad=True).max(1)
    assert repr(nr) == repr(pr)
    assert str(nr) == str(pr)


def test_tensor_contents_and_subclass():
    nt = numtorch.tensor([1., 2.], requires_grad=True)
    pt = torch.tensor([1., 2.], requires_grad=True)
    assert nt.__repr__(tensor_contents='[...]') == pt.__repr__(tensor_contents='[...]')

    class Sub(numtorch.Tensor):
        pass

    class SubT(torch.Tensor):
        pass

    assert repr(Sub([1., 2.])) == repr(SubT([1., 2.])).replace('SubT', 'Sub')


def test_parameter_prefix(monkeypatch):
    # nn.Parameter prints with the plain 'tensor(' prefix; a subclass of it with its own name
    # wrapped in 'Parameter(...)', as in PyTorch. A stand-in module provides the class.
    class Parameter(numtorch.Tensor):
        pass

    class Buffer(Parameter):
        pass

    mod = types.ModuleType('numtorch.nn.parameter')
    mod.Parameter = Parameter
    monkeypatch.setitem(sys.modules, 'numtorch.nn.parameter', mod)
    p = Parameter([1., 2.])
    p.requires_grad_(True)
    assert repr(p) == 'tensor([1., 2.], requires_grad=True)'
    b = Buffer([1., 2.])
    assert repr(b) == 'Parameter(Buffer([1., 2.]))'
    tp = torch.nn.Parameter(torch.tensor([1., 2.]))
    assert 'Parameter containing:\n' + repr(p) == repr(tp)
