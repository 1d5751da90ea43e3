"""Tensor basics against torch: dtypes, legacy constructors, creation functions, the
Python/NumPy protocol, in-place ops, devices and error messages."""
from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest
import torch

import numtorch
from conftest import assert_close


def both(fn):
    return fn(numtorch), fn(torch)


def same_error(fn_of_T):
    def err(f):
        try:
            f()
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e)
        return None
    e_nt, e_pt = err(lambda: fn_of_T(numtorch)), err(lambda: fn_of_T(torch))
    assert e_pt is not None and e_nt is not None, (e_nt, e_pt)
    assert e_nt == e_pt


DTYPES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64']


@pytest.mark.parametrize('name', DTYPES + ['float', 'double', 'half', 'long', 'int', 'short'])
def test_dtype_objects(name):
    d, t = getattr(numtorch, name), getattr(torch, name)
    assert repr(d) == repr(t) and str(d) == str(t)
    assert d.is_floating_point == t.is_floating_point
    assert d.is_signed == t.is_signed
    assert d.itemsize == t.itemsize


@pytest.mark.parametrize('cls', ['FloatTensor', 'DoubleTensor', 'HalfTensor', 'LongTensor',
                                 'IntTensor', 'ShortTensor', 'CharTensor', 'ByteTensor',
                                 'BoolTensor'])
def test_legacy_typed_constructors(cls):
    data = [[1, 0], [2, 3]]
    nt, pt = both(lambda T: getattr(T, cls)(data))
    assert_close(nt, pt)
    assert nt.type() == pt.type()
    assert isinstance(nt, getattr(numtorch, cls))
    assert_close(numtorch.ones(2).type(getattr(numtorch, cls)),
                 torch.ones(2).type(getattr(torch, cls)))
    assert_close(numtorch.ones(2).type('torch.' + cls), torch.ones(2).type('torch.' + cls))


def test_tensor_legacy_constructor_forms():
    for args in [([1, 2],), (2, 3), (), (np.array([1, 2]),)]:
        nt, pt = numtorch.Tensor(*args), torch.Tensor(*args)
        assert tuple(nt.shape) == tuple(pt.shape) and str(nt.dtype) == str(pt.dtype)
        if args and not isinstance(args[0], int):
            assert_close(nt, pt)
    assert numtorch.Tensor(numtorch.Size([2])).shape == (2,)


@pytest.mark.parametrize('conv', ['float', 'double', 'half', 'long', 'int', 'short', 'bool',
                                  'byte', 'char'])
def test_conversion_methods(conv):
    nt, pt = both(lambda T: getattr(T.tensor([[1.7, -2.2], [0.0, 3.5]]), conv)())
    assert_close(nt, pt)


@pytest.mark.parametrize('data', [
    1, 2.5, True, [1, 2, 3], [1.0, 2], [[1, 2], [3, 4]], [True, False], [],
    np.array([1, 2], dtype=np.int32), np.array([1.5], dtype=np.float64),
    np.array(3, dtype=np.uint8), [[1.5, 2.5]], [np.float32(1.5)],
])
def test_tensor_dtype_inference(data):
    nt, pt = both(lambda T: T.tensor(data))
    assert_close(nt, pt)


def test_tensor_with_dtype_and_requires_grad():
    nt, pt = both(lambda T: T.tensor([1, 2], dtype=T.float64, requires_grad=True))
    assert nt.requires_grad and str(nt.dtype) == str(pt.dtype)
    same_error(lambda T: T.tensor([[1, 2], [3]]))
    same_error(lambda T: T.tensor('a'))


def test_default_dtype():
    assert numtorch.get_default_dtype() is numtorch.float32
    numtorch.set_default_dtype(numtorch.float64)
    try:
        assert numtorch.tensor([1.5]).dtype is numtorch.float64
        assert numtorch.ones(2).dtype is numtorch.float64
        assert (numtorch.tensor([1, 2]) / 2).dtype is numtorch.float64
    finally:
        numtorch.set_default_dtype(numtorch.float32)
    with pytest.raises(TypeError):
        numtorch.set_default_dtype(numtorch.int64)


CREATION = [
    lambda T: T.zeros(2, 3), lambda T: T.zeros((2, 3), dtype=T.int32), lambda T: T.ones([4]),
    lambda T: T.full((2, 2), 7), lambda T: T.full((2,), 1.5), lambda T: T.full((2,), True),
    lambda T: T.zeros_like(T.ones(2, 3, dtype=T.int64)),
    lambda T: T.ones_like(T.ones(2), dtype=T.float64),
    lambda T: T.full_like(T.ones(3), 4), lambda T: T.empty(2, 3).shape,
    lambda T: T.arange(5), lambda T: T.arange(1, 4), lambda T: T.arange(0, 1, 0.1),
    lambda T: T.arange(5.0), lambda T: T.arange(10, 0, -3), lambda T: T.arange(0, 5, 2, dtype=T.float64),
    lambda T: T.linspace(-1, 1, 100), lambda T: T.linspace(-5, 5, 200), lambda T: T.linspace(1, 10, 10),
    lambda T: T.linspace(10, 1, 10), lambda T: T.linspace(0, 1, 1), lambda T: T.linspace(0, 1, 0),
    lambda T: T.linspace(-3.3, 7.1, 1234), lambda T: T.linspace(0, 10, 5, dtype=T.int64),
    lambda T: T.linspace(-math.pi, math.pi, 2000), lambda T: T.linspace(0, 1, 7, dtype=T.float64),
    lambda T: T.logspace(-2, 2, 9), lambda T: T.logspace(0, 3, 17, base=2),
    lambda T: T.eye(3), lambda T: T.eye(2, 4, dtype=T.int32),
    lambda T: T.tril_indices(3, 4), lambda T: T.triu_indices(4, 4, 1),
    lambda T: T.scalar_tensor(3), lambda T: T.as_tensor([1, 2]),
    lambda T: T.as_tensor(np.arange(3.0), dtype=T.float32),
]


@pytest.mark.parametrize('i', range(len(CREATION)))
def test_creation(i):
    nt, pt = both(CREATION[i])
    if isinstance(pt, torch.Size):
        assert tuple(nt) == tuple(pt)
    else:
        assert_close(nt, pt, rtol=0, atol=0)


def test_creation_errors():
    same_error(lambda T: T.zeros(-1))
    same_error(lambda T: T.arange(0, 10, -1))


def test_from_numpy_and_as_tensor_share_memory():
    a = np.arange(4, dtype=np.float64)
    t = numtorch.as_tensor(a)
    a[0] = 9
    assert t[0].item() == 9
    u = numtorch.tensor(a)
    a[1] = 7
    assert u[1].item() == 1
    same_error(lambda T: T.from_numpy(np.array(['a'])))


def test_python_protocol():
    t = numtorch.tensor([[1.5, 2.0], [3.0, 4.0]])
    p = torch.tensor([[1.5, 2.0], [3.0, 4.0]])
    assert t.tolist() == p.tolist()
    assert len(t) == len(p)
    assert [r.tolist() for r in t] == [r.tolist() for r in p]
    assert t[0, 0].item() == p[0, 0].item() and isinstance(t[0, 0].item(), float)
    assert isinstance(numtorch.tensor(3).item(), int)
    assert float(numtorch.tensor([2.5])) == 2.5
    assert int(numtorch.tensor(3.7)) == 3
    assert [0, 1, 2][numtorch.tensor(1)] == 1
    assert bool(numtorch.tensor([True])) and not bool(numtorch.tensor(0.0))
    assert np.asarray(t).tolist() == t.tolist()
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert f'{numtorch.tensor(2.5):.2f}' == '2.50'
    for fn in (lambda T: len(T.tensor(1.)), lambda T: bool(T.ones(2)),
               lambda T: T.ones(2).item(), lambda T: iter(T.tensor(1.)),
               lambda T: [0, 1][T.tensor(1.)], lambda T: bool(T.ones(0))):
        same_error(fn)


def test_numpy_functions_accept_tensors():
    t = numtorch.tensor([-1.0, 2.0])
    assert np.abs(t).tolist() == [1.0, 2.0]
    assert np.sin(t).shape == (2,)
    assert isinstance(np.ones(2) + t, numtorch.Tensor)


def test_size_stride_contiguity():
    def run(T):
        x = T.ones(2, 3, 4)
        return (tuple(x.size()), x.size(1), x.size(-1), x.dim(), x.ndim, x.numel(),
                x.stride(), x.stride(1), x.is_contiguous(), x.transpose(0, 2).is_contiguous(),
                x.transpose(0, 2).stride(), x.element_size(), x.nbytes,
                x[1].storage_offset(), x.T.contiguous().is_contiguous(), repr(x.shape),
                x.shape[1:], x.expand(5, 2, 3, 4).stride())
    nt, pt = both(run)
    assert [str(a) for a in nt] == [str(b) for b in pt]


def test_size_object():
    s = numtorch.Size([2, 3])
    assert repr(s) == 'torch.Size([2, 3])' and s.numel() == 6
    assert isinstance(s[1:], numtorch.Size) and s == (2, 3)
    same_error(lambda T: T.Size([2.5]))


def test_inplace_ops_and_versions():
    def run(T):
        x = T.tensor([1.0, 2.0, 3.0])
        x.add_(1).mul_(2).sub_(T.tensor([1.0, 1.0, 1.0]), alpha=2).div_(2)
        x.clamp_(min=1.5).pow_(2).neg_().abs_().sqrt_()
        y = T.zeros(3)
        y += x
        y *= 2
        y -= 1
        y /= 4
        y.fill_(3).zero_()
        z = T.tensor([1, 2, 3])
        z += 1
        z.copy_(T.tensor([4.9, 5.1, 6.0]))
        return x, y, z, x._version
    nt, pt = both(run)
    assert_close(nt[:3], pt[:3])
    assert nt[3] == pt[3]
    same_error(lambda T: T.tensor([1, 2]).add_(1.5))
    same_error(lambda T: T.ones(2).expand(3, 2).add_(1))


def test_out_argument():
    def run(T):
        out = T.empty(0)
        T.add(T.ones(2), T.ones(2), out=out)
        o2 = T.zeros(2, 2)
        T.mm(T.ones(2, 3), T.ones(3, 2), out=o2)
        return out, o2
    nt, pt = both(run)
    assert_close(nt, pt)


def test_device_api():
    d = numtorch.device('cpu')
    assert repr(d) == repr(torch.device('cpu')) and str(d) == 'cpu'
    assert repr(numtorch.device('cuda:0')) == repr(torch.device('cuda:0'))
    assert numtorch.device('cuda', 1) == numtorch.device('cuda:1')
    t = numtorch.ones(2)
    assert t.device == d and t.to('cpu') is t and t.cpu() is t and t.to(d) is t
    assert t.to(numtorch.float64).dtype is numtorch.float64
    assert t.to('cpu', numtorch.int32).dtype is numtorch.int32
    assert t.to(numtorch.ones(1, dtype=numtorch.int64)).dtype is numtorch.int64
    assert not numtorch.cuda.is_available() and numtorch.cuda.device_count() == 0
    dev = numtorch.device('cuda' if numtorch.cuda.is_available() else 'cpu')
    assert t.to(dev) is t
    with pytest.raises(AssertionError, match='Torch not compiled with CUDA enabled'):
        t.to('cuda')
    same_error(lambda T: T.device('foo'))


def test_clone_detach_requires_grad():
    x = numtorch.ones(2, requires_grad=True)
    c = x.clone()
    assert c.requires_grad and c.grad_fn.name() == 'CloneBackward0'
    d = x.detach()
    assert not d.requires_grad
    w = numtorch.ones(2)
    w.requires_grad = True
    assert w.requires_grad and w.is_leaf
    assert w.requires_grad_(False) is w and not w.requires_grad


def test_deepcopy():
    x = numtorch.tensor([[1.0, 2.0]], requires_grad=True)
    y = copy.deepcopy(x)
    assert y.requires_grad and y.tolist() == x.tolist() and y._data is not x._data


def test_finfo_iinfo_result_type_promote():
    assert numtorch.finfo(numtorch.float32).eps == torch.finfo(torch.float32).eps
    assert numtorch.finfo().max == torch.finfo().max
    assert numtorch.iinfo(numtorch.int8).min == -128
    assert str(numtorch.promote_types(numtorch.uint8, numtorch.int8)) == 'torch.int16'
    assert str(numtorch.promote_types(numtorch.int64, numtorch.float16)) == 'torch.float16'
    assert str(numtorch.result_type(numtorch.tensor([1], dtype=numtorch.int32), 2.5)) == \
        'torch.float32'


def test_named_tuple_results():
    r = numtorch.tensor([[1., 3.], [2., 0.]]).max(1)
    v, i = r
    assert r.values is v and r.indices is i and type(r).__name__ == 'max'
    assert i.dtype is numtorch.int64


def test_comparison_and_logic_vs_torch():
    def run(T):
        a = T.tensor([1, 2, 3])
        b = T.tensor([3.0, 2.0, 1.0])
        return (a == b, a < b, a >= 2, b != 2.0, (a > 1) & (b > 1), (a > 1) | (b > 2),
                ~(a > 1), (a > 1) ^ (b > 1), T.isnan(T.tensor([1.0, float('nan')])),
                T.isinf(T.tensor([1.0, float('inf')])), T.isfinite(b),
                T.isclose(b, T.tensor([3.0, 2.00001, 0.0])), a & 2, a | 4, a ^ 1,
                T.logical_and(a, b), T.logical_not(a), a.eq(2))
    nt, pt = both(run)
    assert_close(nt, pt)
    assert numtorch.equal(numtorch.ones(2), numtorch.ones(2))
    assert not numtorch.equal(numtorch.ones(2), numtorch.ones(3))
    assert numtorch.allclose(numtorch.ones(2), numtorch.ones(2) + 1e-9)
    assert (numtorch.ones(2) == None) is False  # noqa: E711


def test_nonzero_where_unique():
    def run(T):
        x = T.tensor([[1, 0, 2], [0, 0, 3]])
        return (x.nonzero(), T.nonzero(x, as_tuple=True), T.where(x > 0),
                T.unique(T.tensor([3, 1, 3, 2])),
                T.unique(T.tensor([3, 1, 3, 2]), return_inverse=True, return_counts=True),
                T.bincount(T.tensor([0, 2, 2, 5])), T.argwhere(x) if hasattr(T, 'argwhere')
                else x.nonzero())
    nt, pt = both(run)
    assert_close(nt, pt)


def test_bool_and_uint8_masks():
    x = numtorch.arange(6).view(2, 3)
    assert x[x > 2].tolist() == [3, 4, 5]
    assert x[numtorch.tensor([True, False])].tolist() == [[0, 1, 2]]
    x[x > 3] = 0
    assert x.tolist() == [[0, 1, 2], [3, 0, 0]]
    same_error(lambda T: T.ones(3).masked_fill(T.tensor([1, 0, 1]), 1))


def test_setitem_variants():
    def run(T):
        x = T.zeros(3, 4)
        x[0] = 1
        x[1, 1:3] = T.tensor([2.0, 3.0])
        x[:, -1] = T.arange(3).float()
        x[x == 0] = -1
        x[[2, 2], [0, 1]] = 5
        x[..., 0] += 1
        return x
    nt, pt = both(run)
    assert_close(nt, pt)
    same_error(lambda T: T.zeros(3).__setitem__(slice(0, 2), T.ones(3)))
    same_error(lambda T: T.zeros(3)[5])


def test_memory_formats():
    x = numtorch.ones(1, 2, 3, 3)
    assert x.contiguous(memory_format=numtorch.contiguous_format) is x
    assert x.clone(memory_format=numtorch.preserve_format).shape == x.shape
    assert repr(numtorch.channels_last) == repr(torch.channels_last)
    with pytest.raises(NotImplementedError, match='channels_last'):
        x.contiguous(memory_format=numtorch.channels_last)
    with pytest.raises(NotImplementedError, match='channels_last'):
        x.to(memory_format=numtorch.channels_last)


def test_clamp_variants_and_errors():
    def run(T):
        x = T.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        y = x * 1
        y.clamp_min_(0)
        return (x.clamp_min(0).grad_fn.name(), x.clamp_max(0).grad_fn.name(),
                x.clamp(0, 1).grad_fn.name(), y.tolist())
    nt, pt = both(run)
    assert nt[:3] == tuple(type(n).__name__ if not isinstance(n, str) else n for n in nt[:3])
    assert nt[3] == pt[3]
    assert nt[0] == 'ClampMinBackward0' and nt[1] == 'ClampMaxBackward0'
    same_error(lambda T: T.softmax(T.tensor([1, 2]), 0))
    same_error(lambda T: T.broadcast_tensors(T.ones(2), T.ones(3)))


def test_view_as_other_dtype_reinterprets_bits():
    def run(T):
        x = T.arange(3.)
        return x.view(T.int32), x.view(T.int16), T.ones(4, dtype=T.int8).view(T.int32)
    nt, pt = both(run)
    assert_close(nt, pt, rtol=0, atol=0)
    same_error(lambda T: T.ones(3).view(T.float64))


def test_backends_linalg_multiprocessing_modules():
    import numtorch.backends.cudnn as cudnn
    import numtorch.multiprocessing as mp
    cudnn.benchmark = True
    assert numtorch.backends.cudnn.benchmark is True and not cudnn.is_available()
    assert not numtorch.backends.mps.is_available()
    assert callable(mp.get_context)
    a = np.array([[2.0, 1.0], [1.0, 3.0]], dtype=np.float32)
    assert_close(numtorch.linalg.inv(numtorch.tensor(a)), torch.linalg.inv(torch.tensor(a)),
                 rtol=1e-5)
    assert_close(numtorch.linalg.det(numtorch.tensor(a)), torch.linalg.det(torch.tensor(a)))
    assert_close(numtorch.linalg.norm(numtorch.tensor(a)), torch.linalg.norm(torch.tensor(a)))
    assert_close(numtorch.linalg.vector_norm(numtorch.tensor(a), 1, dim=0),
                 torch.linalg.vector_norm(torch.tensor(a), 1, dim=0))


def test_set_num_threads_drives_blas():
    before = numtorch.get_num_threads()
    try:
        numtorch.set_num_threads(1)
        assert numtorch.get_num_threads() == 1
    finally:
        numtorch.set_num_threads(before)
    with pytest.raises(RuntimeError):
        numtorch.set_num_threads(0)


def test_T_warns_once_per_process_off_2d(monkeypatch):
    """Like PyTorch's TORCH_WARN_ONCE: x.T on a tensor that is not 2-D warns once."""
    import numtorch._tensor as tensor_module
    monkeypatch.setattr(tensor_module, '_warned', set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        numtorch.zeros(2, 3).T
        assert numtorch.zeros(2, 3, 4).T.shape == (4, 3, 2)
        numtorch.zeros(3).T
        assert numtorch.tensor(1.0).T.shape == ()
        numtorch.tensor(2.0).T
    texts = [str(w.message) for w in caught]
    assert len(texts) == 2 and all(w.category is UserWarning for w in caught)
    assert texts[0].startswith('The use of `x.T` on tensors of dimension other than 2')
    assert texts[1] == ('Tensor.T is deprecated on 0-D tensors. This function is the '
                        'identity in these cases.')


def test_inf_and_nan_results_do_not_warn():
    """PyTorch computes inf and NaN silently; NumPy's warnings about them are ignored when
    raised inside numtorch (the user's own NumPy code still warns)."""
    import warnings
    z = numtorch.tensor([0.0, -1.0, 1000.0, np.inf, np.nan, -np.inf])
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings('always', append=True)  # (after numtorch's filters)
        z / z, 1 / z, z.exp(), z ** -1, z.sqrt(), z.log(), z.tan(), z.fmod(0.0)
        z.prod(), z.sum(), z.var(), z.cumprod(0), numtorch.tensor([]).mean()
        z.to(numtorch.int64), numtorch.tensor([6e4], dtype=numtorch.float16) * 10
        x = numtorch.tensor([0.0, -1.0], requires_grad=True)
        (x.sqrt().sum() + x.log().sum() + (1 / x).sum()).backward()
        np.array([1.0]) / np.array([0.0])
    assert [str(w.message) for w in caught] == ['divide by zero encountered in divide']
