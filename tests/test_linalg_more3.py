"""torch.linalg.cross / torch.cross, the *_ex functions, LU (lu_factor, lu, lu_solve),
solve_triangular / torch.triangular_solve, matrix_exp, and the small helpers, against
PyTorch: values, every gradient (float64 gradcheck and direct comparison), batched and empty
shapes, errors, graph node names."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import numtorch
from numtorch.autograd import gradcheck
from test_nn_conv import same_error

RNG = np.random.default_rng(11)


def _arr(*shape):
    return RNG.standard_normal(shape)


def _compare(fn, arrays, grad=True, atol=1e-10, rtol=1e-8):
    """fn(lib, *tensors) -> tensor or tuple: values, dtypes, shapes, node names and the
    gradients of a weighted sum of the differentiable outputs, in numtorch and torch."""
    res = []
    for lib in (numtorch, torch):
        ts = [lib.tensor(a, requires_grad=grad and a.dtype.kind == 'f') for a in arrays]
        out = fn(lib, *ts)
        outs = tuple(out) if isinstance(out, tuple) else (out,)
        names = [o.grad_fn.name() if o.grad_fn is not None else None for o in outs]
        vals = [(o.detach().numpy(), str(o.dtype)[6:], tuple(o.shape)) for o in outs]
        grads = []
        if grad:
            loss = sum((o * lib.tensor(np.linspace(1, 2, o.numel()).reshape(tuple(o.shape))))
                       .sum() for o in outs if o.requires_grad)
            grads = [g.numpy() for g in lib.autograd.grad(
                loss, [t for t in ts if t.requires_grad])]
        res.append((type(out).__name__, vals, names, grads))
    (ta, va, na, ga), (tb, vb, nb, gb) = res
    assert (ta, na) == (tb, nb)
    for (a, da, sa), (b, db, sb) in zip(va, vb):
        assert (da, sa) == (db, sb)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    assert len(ga) == len(gb)
    for a, b in zip(ga, gb):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def _both(fn, *arrays):
    """fn(lib, *tensors) in numtorch and torch (no grad), as NumPy arrays."""
    return [fn(lib, *[lib.tensor(a) for a in arrays]) for lib in (numtorch, torch)]


# -- cross -------------------------------------------------------------------------------
CROSS_CASES = [((3,), (3,), -1), ((4, 3), (4, 3), -1), ((2, 1, 3), (1, 4, 3), -1),
               ((3, 4), (3, 1), 0), ((2, 3, 5), (2, 3, 5), 1), ((0, 3), (0, 3), -1),
               ((2, 3, 1), (1, 3, 5), -2)]


@pytest.mark.parametrize('sa,sb,dim', CROSS_CASES)
def test_linalg_cross_matches_torch(sa, sb, dim):
    _compare(lambda m, a, b: m.linalg.cross(a, b, dim=dim), (_arr(*sa), _arr(*sb)))
    _compare(lambda m, a, b: m.cross(a, b, dim=dim), (_arr(*sa), _arr(*sb)))
    _compare(lambda m, a, b: a.cross(b, dim), (_arr(*sa), _arr(*sb)))
    if 0 not in sa:
        ts = [numtorch.tensor(_arr(*s), requires_grad=True) for s in (sa, sb)]
        assert gradcheck(lambda a, b: numtorch.linalg.cross(a, b, dim=dim), ts)


def test_cross_double_backward_and_dtypes():
    a, b = _arr(2, 3), _arr(2, 3)
    res = []
    for lib in (numtorch, torch):
        x = lib.tensor(a, requires_grad=True)
        y = lib.tensor(b, requires_grad=True)
        g, = lib.autograd.grad(lib.linalg.cross(x, y).pow(2).sum(), x, create_graph=True)
        res.append(lib.autograd.grad((g * g).sum(), [x, y]))
    for p, q in zip(*res):
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-10)
    for dt in ('int64', 'int32', 'uint8', 'float16', 'float32'):
        n, t = _both(lambda m, x, y: m.linalg.cross(x, y), np.array([1, 2, 3], dt),
                     np.array([4, 5, 6], dt))
        assert str(n.dtype) == str(t.dtype)
        np.testing.assert_array_equal(n.numpy(), t.numpy())


def test_torch_cross_default_dim_warns_once():
    from numtorch import _tensor
    _tensor._warned.discard(numtorch._ops.cross._CROSS_WARNING)
    a, b = _arr(3, 4, 3), _arr(3, 4, 3)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        n = numtorch.cross(numtorch.tensor(a), numtorch.tensor(b))
        numtorch.tensor(a).cross(numtorch.tensor(b))
        t = torch.cross(torch.tensor(a), torch.tensor(b))
    mine = [str(x.message) for x in w if 'torch.cross without' in str(x.message)]
    # (torch's own copy carries its C++ location; the text before it is the same)
    assert len(mine) == 2 and mine[1].startswith(mine[0])
    np.testing.assert_allclose(n.numpy(), t.numpy(), rtol=1e-12)   # dim 0: the first of size 3
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        n, t = _both(lambda m, x, y: m.cross(x, y), _arr(1, 3), _arr(4, 3))
        np.testing.assert_allclose(n.numpy(), t.numpy(), rtol=1e-12)


CROSS_ERRORS = [
    lambda m: m.linalg.cross(m.zeros(3, 4), m.zeros(3, 4)),
    lambda m: m.linalg.cross(m.zeros(2, 3), m.zeros(3)),
    lambda m: m.linalg.cross(m.zeros(2, 4), m.zeros(3, 4, 5)),
    lambda m: m.linalg.cross(m.zeros(2, 3), m.zeros(4, 3)),
    lambda m: m.linalg.cross(m.zeros(2, 4), m.zeros(4, 3)),
    lambda m: m.linalg.cross(m.zeros(3), m.zeros(3), dim=2),
    lambda m: m.linalg.cross(m.zeros(4, 3), m.zeros(4, 3, dtype=m.float64), dim=5),
    lambda m: m.linalg.cross(m.zeros(3), m.zeros(3, dtype=m.float64)),
    lambda m: m.linalg.cross(m.zeros(3, dtype=m.int32), m.zeros(3)),
    lambda m: m.linalg.cross(m.tensor(1.), m.tensor(2.)),
    lambda m: m.linalg.cross(m.zeros(3, dtype=m.bool), m.zeros(3, dtype=m.bool)),
    lambda m: m.linalg.cross(m.zeros(3), m.zeros(3), dim=0.5),
    lambda m: m.cross(m.zeros(2, 4), m.zeros(2, 4)),
    lambda m: m.cross(m.zeros(3, 4), m.zeros(3, 4), dim=1),
]


@pytest.mark.parametrize('i', range(len(CROSS_ERRORS)))
def test_cross_errors(i):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        same_error(lambda: CROSS_ERRORS[i](numtorch), lambda: CROSS_ERRORS[i](torch))
