"""Regression tests (round 4 "bugs"): each against PyTorch, the spec."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import numtorch

LIBS = (torch, numtorch)


def _np(t) -> np.ndarray:
    return t.detach().numpy()


def _run(lib, fn):
    """Runs ``fn(lib, x, s)`` on a float64 vector ``x`` and a 0-d ``s``, backward through a
    sum; returns the output and both gradients."""
    x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    s = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
    y = fn(lib, x, s)
    y.sum().backward()
    return y, x.grad, s.grad


# -- 1. 0-d arrays stay 0-d (np.ascontiguousarray makes them 1-d) ---------------------
def _setitem(lib, x, s):
    y = x * 1
    y[0] = s
    return y


ZERO_D = {
    'sum': lambda L, x, s: x.sum(),
    'expand': lambda L, x, s: s.expand(3),
    'expand_0d': lambda L, x, s: s.expand(()),
    'mean_0d': lambda L, x, s: s.mean(),
    'amax': lambda L, x, s: x.amax(),
    'dot': lambda L, x, s: x @ x,
    'matmul_1d_0d_grad': lambda L, x, s: (x * s) @ x,
    'select': lambda L, x, s: x[1] * s,
    'setitem_0d': _setitem,
    'index_put_0d': lambda L, x, s: (x * 1).index_put((L.tensor([0]),), s * 1),
    'contiguous_0d': lambda L, x, s: (s * 1).contiguous(),
    'sum_to_size_0d': lambda L, x, s: s.expand(3).sum_to_size(()),
    'einsum_0d': lambda L, x, s: L.einsum('i,->', x, s),
    'diag_embed': lambda L, x, s: L.diag_embed(x * s),
    'take_0d': lambda L, x, s: L.take(s, L.tensor([0, 0])),
    'interpolate': lambda L, x, s: L.nn.functional.interpolate(
        (x * s).view(1, 1, 3), size=1)[0, 0, 0],
}


@pytest.mark.parametrize('name', sorted(ZERO_D))
def test_zero_d_shapes_and_grads(name):
    fn = ZERO_D[name]
    (y, gx, gs), (yt, gxt, gst) = _run(numtorch, fn), _run(torch, fn)
    assert tuple(y.shape) == tuple(yt.shape)
    np.testing.assert_allclose(_np(y), _np(yt))
    for g, gt in ((gx, gxt), (gs, gst)):
        assert (g is None) == (gt is None)
        if g is not None:
            assert tuple(g.shape) == tuple(gt.shape), name
            assert g.dtype == numtorch.float64
            np.testing.assert_allclose(_np(g), _np(gt))


def test_ascontiguous_helper_keeps_0d():
    from numtorch._ops._op import ascontiguous
    a = np.float32(3.0)
    assert ascontiguous(a).shape == () and isinstance(ascontiguous(a), np.ndarray)
    assert ascontiguous(np.zeros(())).shape == ()
    t = np.arange(6.0).reshape(2, 3).T
    c = ascontiguous(t)
    assert c.flags.c_contiguous and np.array_equal(c, t)
    u = np.arange(3.0)
    assert ascontiguous(u) is u


# -- 2. random ops on non-contiguous inputs draw in PyTorch's order -------------------
def _same_draws(fn, tol=0.0):
    out = []
    for L in LIBS:
        L.manual_seed(7)
        p = L.tensor(np.random.RandomState(0).rand(4, 5).astype(np.float32))
        out.append(fn(L, p))
    t, n = out
    assert n.dtype == numtorch.float32 if t.dtype == torch.float32 else True
    assert tuple(n.shape) == tuple(t.shape)
    assert tuple(n.stride()) == tuple(t.stride())
    if tol:
        np.testing.assert_allclose(_np(n), _np(t), rtol=tol, atol=1e-6)
    else:
        np.testing.assert_array_equal(_np(n), _np(t))


RANDOM_NONCONTIG = {
    'bernoulli_t': lambda L, p: L.bernoulli(p.t()),
    'bernoulli_t_f64': lambda L, p: L.bernoulli(p.double().t()),
    'bernoulli_t_p': lambda L, p: L.bernoulli(p.t(), 0.3),
    'bernoulli_big_t': lambda L, p: L.bernoulli(p.repeat(4, 8).t()),
    'bernoulli_slice': lambda L, p: L.bernoulli(p[:, ::2]),
    'bernoulli_expanded': lambda L, p: L.bernoulli(p[:1].expand(3, 5)),
    'bernoulli__t': lambda L, p: p.t().bernoulli_(0.3),
    'bernoulli__t_tensor_p': lambda L, p: p.t().bernoulli_(p.t().contiguous()),
    'normal_mean_t': lambda L, p: L.normal(p.t(), 1.0),
    'normal_std_t': lambda L, p: L.normal(0.0, p.t()),
    'normal_both_t': lambda L, p: L.normal(p.t(), p.t().contiguous()),
    'poisson_t': lambda L, p: L.poisson(p.t() * 5),
    'multinomial_t': lambda L, p: L.multinomial(p.t(), 2),
    'multinomial_t_repl': lambda L, p: L.multinomial(p.t(), 4, replacement=True),
    'rand_like_t': lambda L, p: L.rand_like(p.t()),
    'rand_like_t_contiguous': lambda L, p: L.rand_like(p.t(),
                                                       memory_format=L.contiguous_format),
    'rand_like_not_dense': lambda L, p: L.rand_like(p.t()[:, ::2]),
    'rand_like_f64': lambda L, p: L.rand_like(p.t(), dtype=L.float64),
    'rand_like_expanded': lambda L, p: L.rand_like(p[:, :1].expand(4, 3).t()),
    'rand_like_3d': lambda L, p: L.rand_like(p.view(2, 2, 5).permute(2, 0, 1)[::2]),
    'randint_like_t': lambda L, p: L.randint_like(p.t(), 10),
    'dropout_t': lambda L, p: L.nn.functional.dropout(p.t(), 0.5),
    'alpha_dropout_t': lambda L, p: L.nn.functional.alpha_dropout(p.t(), 0.5, True),
    'rrelu_t': lambda L, p: L.nn.functional.rrelu(p.t() - 0.5, training=True),
}


@pytest.mark.parametrize('name', sorted(RANDOM_NONCONTIG))
def test_random_noncontiguous_order(name):
    _same_draws(RANDOM_NONCONTIG[name])


@pytest.mark.parametrize('fn', [lambda L, p: L.randn_like(p.t()),
                                lambda L, p: L.randn_like(p[:2, :3].t()),
                                lambda L, p: L.randn_like(p.repeat(2, 2).t()),
                                lambda L, p: L.randn_like(p)])
def test_randn_like_noncontiguous_order(fn):
    # (the one-pair-at-a-time normal kernel calls libm, correct to an ulp or two)
    _same_draws(fn, tol=1e-6)


# -- 3. embedding_bag(include_last_offset=True) keeps trailing indices -----------------
@pytest.mark.parametrize('mode', ['sum', 'mean', 'max'])
@pytest.mark.parametrize('offsets', [[0, 2, 4], [0, 2], [0, 3, 6], [0, 0, 2]])
def test_embedding_bag_include_last_offset_trailing(mode, offsets):
    res = []
    for L in LIBS:
        w = L.tensor(np.random.RandomState(1).randn(10, 3), requires_grad=True)
        psw = L.tensor(np.linspace(0.5, 2.0, 6), requires_grad=True)
        kw = {'per_sample_weights': psw} if mode == 'sum' else {}
        y = L.nn.functional.embedding_bag(L.tensor([1, 2, 3, 4, 5, 6]), w, L.tensor(offsets),
                                          mode=mode, include_last_offset=True, **kw)
        y.pow(2).sum().backward()
        res.append((y, w.grad, psw.grad))
    (y, gw, gp), (yt, gwt, gpt) = res[1], res[0]
    np.testing.assert_allclose(_np(y), _np(yt), rtol=1e-12)
    np.testing.assert_allclose(_np(gw), _np(gwt), rtol=1e-12)
    assert (gp is None) == (gpt is None)
    if gp is not None:
        np.testing.assert_allclose(_np(gp), _np(gpt), rtol=1e-12)


# -- 4. convolution dtype mismatches: PyTorch's words for each backend -----------------
def _conv_error(lib, nd, tr, n, xdt, wdt, bdt, stride, k, groups, batched=True):
    F = lib.nn.functional
    f = {(1, False): F.conv1d, (2, False): F.conv2d, (3, False): F.conv3d,
         (1, True): F.conv_transpose1d, (2, True): F.conv_transpose2d,
         (3, True): F.conv_transpose3d}[nd, tr]
    c = 4
    xs = ((n,) if batched else ()) + (c,) + (6,) * nd
    ws = ((4, c // groups) if not tr else (c, 4 // groups)) + (k,) * nd
    x = lib.zeros(xs, dtype=getattr(lib, xdt))
    w = lib.zeros(ws, dtype=getattr(lib, wdt))
    b = None if bdt is None else lib.zeros(4, dtype=getattr(lib, bdt))
    try:
        f(x, w, b, stride=stride, groups=groups)
    except (RuntimeError, NotImplementedError) as e:
        return type(e).__name__, str(e)
    return 'OK'


CONV_DTYPE_CASES = [
    # (nd, transposed, n, x dtype, w dtype, b dtype, stride, k, groups)
    (2, False, 1, 'float32', 'float64', None, 1, 3, 1),      # native: "expected scalar type"
    (2, False, 2, 'float32', 'float64', None, 1, 3, 1),      # oneDNN: batch > 1
    (2, False, 1, 'float32', 'float64', None, 1, 4, 1),      # oneDNN: kernel > 3x3
    (2, False, 1, 'float32', 'float64', None, 1, 3, 2),      # oneDNN: groups
    (2, False, 2, 'float32', 'float64', None, 2, 1, 1),      # oneDNN: strided 1x1
    (2, False, 2, 'float64', 'float32', None, 1, 3, 1),      # double input: never oneDNN
    (2, False, 2, 'float32', 'float16', None, 1, 3, 1),
    (2, False, 2, 'float32', 'int64', None, 1, 3, 1),
    (2, False, 2, 'float32', 'uint8', None, 1, 3, 1),
    (2, False, 2, 'float32', 'bool', None, 1, 3, 1),
    (2, False, 2, 'int64', 'float32', None, 1, 3, 1),
    (2, False, 1, 'float32', 'int8', None, 1, 3, 1),
    (2, False, 2, 'float32', 'float32', 'float64', 1, 3, 1),  # bias is checked first
    (2, False, 2, 'float32', 'float64', 'float64', 1, 3, 1),
    (2, False, 2, 'float32', 'float64', 'float32', 1, 3, 1),
    (2, False, 2, 'float64', 'float32', 'float64', 1, 3, 1),
    (2, False, 2, 'bool', 'bool', None, 1, 3, 1),
    (2, True, 2, 'float32', 'float64', None, 1, 3, 1),
    (2, True, 1, 'float32', 'float64', None, 1, 3, 1),
    (2, True, 2, 'float64', 'float32', None, 1, 3, 1),
    (2, True, 2, 'bool', 'bool', None, 1, 3, 1),
    (1, False, 2, 'float32', 'float64', None, 1, 3, 1),
    (1, False, 1, 'float32', 'float64', None, 1, 5, 1),      # 1-d: kernel height is 1
    (1, True, 2, 'float32', 'float64', None, 1, 3, 1),
    (1, True, 1, 'float32', 'float64', None, 1, 3, 1),
    (3, False, 2, 'float32', 'float64', None, 1, 3, 1),
    (3, False, 1, 'float32', 'float64', None, 1, 3, 1),
    (3, True, 2, 'float32', 'float64', None, 1, 3, 1),
    (3, False, 2, 'float32', 'float32', 'float64', 1, 3, 1),
]


@pytest.mark.parametrize('case', CONV_DTYPE_CASES)
def test_conv_dtype_mismatch_messages(case):
    assert _conv_error(numtorch, *case) == _conv_error(torch, *case)


def test_conv_dtype_mismatch_unbatched():
    case = (2, False, 1, 'float32', 'float64', None, 1, 4, 1)
    assert (_conv_error(numtorch, *case, batched=False)
            == _conv_error(torch, *case, batched=False))


def _error(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 (the type is compared too)
        return type(e).__name__, str(e)
    return 'no error'


# -- 5-7. movedim's repeated dims, scatter/index_add dtypes, bitwise dtype words --------
ERRORS = {
    'movedim_repeated_source': lambda L: L.zeros(2, 3, 4).movedim((0, 0), (1, 2)),
    'movedim_repeated_wrapped': lambda L: L.zeros(2, 3, 4).movedim((0, -3), (1, 2)),
    'movedim_repeated_destination': lambda L: L.zeros(2, 3, 4).movedim((0, 1), (2, 2)),
    'movedim_lengths': lambda L: L.zeros(2, 3, 4).movedim((0, 1), (1,)),
    'movedim_out_of_range': lambda L: L.zeros(2, 3, 4).movedim(5, 0),
    'tensorsolve_repeated_dims': lambda L: L.linalg.tensorsolve(
        L.eye(4).reshape(2, 2, 2, 2), L.ones(2, 2), dims=(0, 0)),
    'scatter_reduce_dtype': lambda L: L.zeros(3).scatter_reduce(
        0, L.tensor([0, 1]), L.ones(2, dtype=L.float64), 'sum'),
    'scatter_reduce_dtype_before_reduce': lambda L: L.zeros(3).scatter_reduce(
        0, L.tensor([0, 1]), L.ones(2, dtype=L.float64), 'bad'),
    'scatter_reduce_dtype_before_bounds': lambda L: L.zeros(3).scatter_reduce_(
        0, L.tensor([0, 5]), L.ones(2, dtype=L.float64), 'amax'),
    'scatter_add_dtype': lambda L: L.zeros(3).scatter_add(
        0, L.tensor([0, 1]), L.ones(2, dtype=L.float64)),
    'index_add_dtype': lambda L: L.zeros(3).index_add(
        0, L.tensor([0, 1]), L.ones(2, dtype=L.float64)),
    'and_double': lambda L: L.zeros(3, dtype=L.float64) & L.ones(3, dtype=L.float64),
    'or_float_scalar': lambda L: L.zeros(3) | 1,
    'xor_double_scalar': lambda L: L.zeros(3, dtype=L.float64) ^ 1,
    'not_double': lambda L: L.bitwise_not(L.zeros(3, dtype=L.float64)),
    'not_half': lambda L: L.bitwise_not(L.zeros(3, dtype=L.float16)),
    'lshift_double': lambda L: L.zeros(3, dtype=L.float64) << 1,
    'rshift_double': lambda L: L.zeros(3, dtype=L.float64) >> L.zeros(3, dtype=L.float64),
    'and_half': lambda L: L.zeros(3, dtype=L.float16) & L.zeros(3, dtype=L.float16),
    'and_promoted': lambda L: L.bitwise_and(L.zeros(3, dtype=L.int64),
                                            L.zeros(3, dtype=L.float64)),
    'and_int_float_scalar': lambda L: L.zeros(3, dtype=L.int64) & 1.5,
    'or_half_double': lambda L: L.zeros(3, dtype=L.float16) | L.zeros(3, dtype=L.float64),
}


@pytest.mark.parametrize('name', sorted(ERRORS))
def test_errors_match_torch(name):
    assert _error(ERRORS[name], numtorch) == _error(ERRORS[name], torch)


def test_movedim_still_moves():
    for src, dst in (((0, 1), (2, 0)), (-1, 0), ((0, 2), (-1, -3))):
        a = numtorch.zeros(2, 3, 4).movedim(src, dst)
        b = torch.zeros(2, 3, 4).movedim(src, dst)
        assert tuple(a.shape) == tuple(b.shape)


# -- 8. grad_fn names: nan_to_num and fmod/remainder ------------------------------------
NODES = {
    'nan_to_num': lambda L, x, y: L.nan_to_num(x),
    'nan_to_num_args': lambda L, x, y: L.nan_to_num(x, 1.0, 2.0, -3.0),
    'fmod_tensor': lambda L, x, y: L.fmod(x, y),
    'fmod_scalar': lambda L, x, y: L.fmod(x, 2),
    'remainder_tensor': lambda L, x, y: L.remainder(x, y),
    'remainder_scalar': lambda L, x, y: L.remainder(x, 2),
}


@pytest.mark.parametrize('name', sorted(NODES))
def test_grad_fn_names_and_grads(name):
    res = []
    for L in LIBS:
        x = L.tensor([1.5, -2.0, float('nan'), float('inf'), -float('inf'), 7.0],
                     dtype=L.float64, requires_grad=True)
        y = L.tensor([1.0, 1.5, 2.0, 3.0, -2.5, -4.0], dtype=L.float64, requires_grad=True)
        r = NODES[name](L, x, y)
        (r * L.arange(6.0, dtype=L.float64)).sum().backward()
        res.append((r, r.grad_fn.name(), x.grad, y.grad))
    (r, node, gx, gy), (rt, nodet, gxt, gyt) = res[1], res[0]
    assert node == nodet
    np.testing.assert_array_equal(_np(r), _np(rt))
    np.testing.assert_array_equal(_np(gx), _np(gxt))
    assert (gy is None) == (gyt is None)
    if gy is not None:
        np.testing.assert_array_equal(_np(gy), _np(gyt))


def test_nan_to_num_gradcheck_and_double_backward():
    x = numtorch.tensor([0.5, -1.5, 2.0], dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda t: numtorch.nan_to_num(t * 2), (x,))
    assert numtorch.autograd.gradgradcheck(lambda t: numtorch.nan_to_num(t * t), (x,))
    assert numtorch.nan_to_num(numtorch.tensor([1, 2])).dtype == numtorch.int64
