"""numtorch.testing (assert_close, assert_allclose, make_tensor) against torch.testing, and the
top-level aliases cosine_similarity, pairwise_distance and argwhere."""
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import numtorch as nt


def _norm(s: str) -> str:
    return s.replace("numtorch._tensor.Tensor", "torch.Tensor").replace('numtorch', 'torch')


def _outcome(lib, make, **kw):
    """(exception type name, message) of ``lib.testing.assert_close`` on ``make(lib)``, or None
    when it passes."""
    a, e = make(lib)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            lib.testing.assert_close(a, e, **kw)
    except Exception as err:  # noqa: BLE001 - the type is part of what is compared
        return type(err).__name__, _norm(str(err))
    return None


def _same(make, expect_fail=None, **kw):
    t = _outcome(torch, make, **kw)
    n = _outcome(nt, make, **kw)
    assert n == t
    if expect_fail is not None:
        assert (t is not None) == expect_fail
    return n


def _f(vals, dtype='float32'):
    return lambda L: L.tensor(vals, dtype=getattr(L, dtype))


def _pair(a, b, da='float32', db=None):
    return lambda L: (L.tensor(a, dtype=getattr(L, da)), L.tensor(b, dtype=getattr(L, db or da)))


TENSOR_CASES = {
    'equal': (_pair([1., 2., 3.], [1., 2., 3.]), {}),
    'one_off': (_pair([1., 2., 3.], [1., 2.5, 3.]), {}),
    'tiny_within_tol': (_pair([1., 2., 3.], [1., 2.000001, 3.]), {}),
    'just_outside': (_pair([100., 2., 3.], [100.0002, 2., 3.]), {}),
    'all_off_2d': (_pair([[1., 2.], [3., 4.]], [[1.5, 2.5], [3.5, 5.]]), {}),
    'float64': (_pair([1., 2., 3.], [1., 2. + 1e-6, 3.], 'float64'), {}),
    'float64_within': (_pair([1., 2., 3.], [1., 2. + 1e-8, 3.], 'float64'), {}),
    'float16': (_pair([1., 2., 3.], [1., 2.01, 3.], 'float16'), {}),
    'int_exact': (_pair([1, 2, 3], [1, 2, 4], 'int64'), {}),
    'int32_neg': (_pair([-5, 2, 3], [1, 2, 3], 'int32'), {}),
    'uint8_wrap': (_pair([0, 200, 3], [255, 2, 3], 'uint8'), {}),
    'bool': (_pair([True, False], [True, True], 'bool'), {}),
    'expected_zero': (_pair([1., 0.5], [1., 0.], 'float32'), {}),
    'nan': (_pair([1., float('nan')], [1., float('nan')]), {}),
    'nan_equal': (_pair([1., float('nan')], [1., float('nan')]), {'equal_nan': True}),
    'nan_vs_number': (_pair([1., float('nan'), 3.], [1., 2., 5.]), {}),
    'inf': (_pair([1., float('inf')], [1., float('inf')]), {}),
    'inf_mismatch': (_pair([1., float('inf')], [1., -float('inf')]), {}),
    'scalar_tensor': (_pair(1.5, 1.6), {}),
    'scalar_tensor_int': (_pair(3, 4, 'int64'), {}),
    'custom_tol_pass': (_pair([1., 2.], [1.05, 2.]), {'rtol': 0.1, 'atol': 0.0}),
    'custom_tol_fail': (_pair([1., 2.], [1.5, 2.]), {'rtol': 0.1, 'atol': 0.01}),
    'zero_tol': (_pair([1., 2.], [1., 2.0000001]), {'rtol': 0, 'atol': 0}),
    'only_rtol': (_pair([1., 2.], [1., 2.]), {'rtol': 0.1}),
    'only_atol': (_pair([1., 2.], [1., 2.]), {'atol': 0.1}),
    'shape': (_pair([1., 2., 3.], [1., 2.]), {}),
    'shape_2d': (_pair([[1., 2.]], [1., 2.]), {}),
    'dtype': (_pair([1., 2.], [1., 2.], 'float32', 'float64'), {}),
    'dtype_unchecked': (_pair([1., 2.], [1., 2.], 'float32', 'float64'), {'check_dtype': False}),
    'dtype_unchecked_fail': (_pair([1., 2.], [1., 2.1], 'float32', 'float64'),
                             {'check_dtype': False}),
    'dtype_int_float': (_pair([1, 2], [1., 2.5], 'int64', 'float32'), {'check_dtype': False}),
    'empty': (_pair([], []), {}),
    'many_mismatches': (lambda L: (L.arange(12.).reshape(3, 4), L.arange(12.).reshape(3, 4) * 1.1),
                        {}),
    'stride': (lambda L: (L.zeros(2, 3).t(), L.zeros(3, 2)), {'check_stride': True}),
    'stride_unchecked': (lambda L: (L.zeros(2, 3).t(), L.zeros(3, 2)), {}),
    'msg_str': (_pair([1., 2.], [1., 3.]), {'msg': 'custom message'}),
    'msg_callable': (_pair([1., 2.], [1., 3.]), {'msg': lambda m: 'PREFIX ' + m}),
    'requires_grad': (lambda L: (L.ones(2, requires_grad=True), L.ones(2)), {}),
    'parameter_subclass': (lambda L: (L.nn.Parameter(L.ones(2)), L.ones(2)), {}),
    'parameter_no_subclasses': (lambda L: (L.nn.Parameter(L.ones(2)), L.ones(2)),
                                {'allow_subclasses': False}),
}


@pytest.mark.parametrize('case', list(TENSOR_CASES))
def test_assert_close_tensors(case):
    make, kw = TENSOR_CASES[case]
    _same(make, **kw)


OTHER_CASES = {
    'ints': (lambda L: (1, 1), {}, False),
    'ints_differ': (lambda L: (1, 2), {}, True),
    'floats_close': (lambda L: (1.0, 1.0 + 1e-9), {}, False),
    'floats_far': (lambda L: (1.0, 1.1), {}, True),
    'float_zero': (lambda L: (0.5, 0.0), {}, True),
    'int_vs_float': (lambda L: (1, 1.0), {}, True),
    'int_vs_float_unchecked': (lambda L: (1, 1.0), {'check_dtype': False}, False),
    'complex': (lambda L: (1 + 2j, 1 + 2.5j), {}, True),
    'nan_scalars': (lambda L: (float('nan'), float('nan')), {}, True),
    'nan_scalars_equal': (lambda L: (float('nan'), float('nan')), {'equal_nan': True}, False),
    'numpy_scalar': (lambda L: (np.float64(1.0), 1.0), {}, False),
    'numpy_scalar_far': (lambda L: (np.float32(1.0), 2.0), {}, True),
    'bools': (lambda L: (True, False), {}, True),
    'bools_ok': (lambda L: (True, np.bool_(True)), {}, False),
    'bool_vs_int': (lambda L: (True, 1), {}, True),
    'nested_bool_vs_int': (lambda L: ({'k': [0, True]}, {'k': [0, 1]}), {}, True),
    'none': (lambda L: (None, None), {}, False),
    'none_vs_int': (lambda L: (None, 1), {}, True),
    'strings': (lambda L: ('a', 'a'), {}, True),
    'list_of_numbers': (lambda L: ([1.0, 2.0], [1.0, 2.5]), {}, True),
    'list_length': (lambda L: ([1.0, 2.0], [1.0]), {}, True),
    'nested_list_tensors': (lambda L: ([L.ones(2), (L.zeros(1), 3)],
                                       [L.ones(2), (L.ones(1), 3)]), {}, True),
    'nested_length_after_mismatch': (lambda L: ([L.zeros(1), [1, 2]], [L.ones(1), [1]]), {},
                                     True),
    'dict': (lambda L: ({'a': L.ones(2), 'b': 1.0}, {'a': L.ones(2), 'b': 1.0}), {}, False),
    'dict_mismatch': (lambda L: ({'a': L.ones(2), 'b': L.zeros(2)},
                                 {'a': L.ones(2), 'b': L.tensor([0., 1.])}), {}, True),
    'dict_keys': (lambda L: ({'a': 1, 'b': 2}, {'a': 1, 'c': 2}), {}, True),
    'ordered_dict': (lambda L: (OrderedDict(w=L.ones(3)), {'w': L.ones(3) * 2}), {}, True),
    'nested_msg_callable': (lambda L: ([L.ones(2)], [L.zeros(2)]),
                            {'msg': lambda m: m.upper()}, True),
    'nested_msg_str': (lambda L: ([1, L.ones(2)], [1, L.zeros(2)]), {'msg': 'bad'}, True),
    'tensor_vs_list': (lambda L: (L.ones(2), [1.0, 1.0]), {}, True),
    'tensor_vs_number': (lambda L: (L.ones(()), 1.0), {}, True),
    'numpy_arrays': (lambda L: (np.ones(3), np.ones(3)), {}, False),
    'numpy_arrays_differ': (lambda L: (np.ones(3), np.array([1., 2., 1.])), {}, True),
    'tensor_vs_numpy': (lambda L: (L.ones(3), np.ones(3)), {}, True),
    'numpy_vs_tensor': (lambda L: (np.ones(3), L.ones(3)), {}, True),
}


@pytest.mark.parametrize('case', list(OTHER_CASES))
def test_assert_close_numbers_and_containers(case):
    make, kw, fails = OTHER_CASES[case]
    _same(make, expect_fail=fails, **kw)


def test_assert_close_message_text():
    with pytest.raises(AssertionError) as info:
        nt.testing.assert_close(nt.tensor([1., 2., 3.]), nt.tensor([1., 2.5, 3.]))
    assert str(info.value) == (
        'Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n'
        'Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n'
        'Greatest relative difference: 0.20000000298023224 at index (1,) '
        '(up to 1.3e-06 allowed)')


def test_assert_close_random_tensors_match_torch():
    # many random float32/float64 pairs near the tolerance boundary: same verdict, same text
    rng = np.random.default_rng(1)
    for trial in range(40):
        dt = ('float32', 'float64')[trial % 2]
        a = rng.standard_normal((3, 4)).astype(dt)
        b = a + rng.standard_normal((3, 4)).astype(dt) * 10.0 ** -rng.integers(4, 9)
        _same(lambda L: (L.tensor(a), L.tensor(b)))


def test_assert_allclose_deprecated():
    cases = [
        (lambda L: (L.tensor([1., 2.]), [1.0, 2.00001]), {}),
        (lambda L: (L.tensor([1., 2.]), [1.0, 2.1]), {}),
        (lambda L: (L.tensor([1., float('nan')]), [1.0, float('nan')]), {}),
        (lambda L: (L.tensor([1., 2.], dtype=L.float64), L.tensor([1., 2.0000001])), {}),
        (lambda L: ([1, 2], [1, 3]), {}),
        (lambda L: (L.tensor([1., 2.]), [1.0, 2.1]), {'msg': 'mine'}),
        (lambda L: (L.tensor([1., 2.]), [1.0, 2.1]), {'rtol': 0.1, 'atol': 0.0}),
    ]
    for make, kw in cases:
        out = []
        for L in (torch, nt):
            a, e = make(L)
            with pytest.warns(FutureWarning, match='assert_allclose'):
                try:
                    L.testing.assert_allclose(a, e, **kw)
                    out.append(None)
                except AssertionError as err:
                    out.append(_norm(str(err)))
        assert out[0] == out[1]


MAKE_CASES = [
    ((3, 4), 'float32', {}),
    ((5,), 'float64', {'low': -1, 'high': 1}),
    ((2, 3), 'float16', {}),
    ((4, 4), 'int64', {}),
    ((6,), 'int32', {'low': 0, 'high': 3}),
    ((6,), 'int8', {'low': -200, 'high': 200}),
    ((8,), 'uint8', {}),
    ((7,), 'int16', {'low': 1.5, 'high': 4.2}),
    ((3, 3), 'bool', {}),
    ((2, 5), 'float32', {'noncontiguous': True}),
    ((9,), 'int64', {'low': -1, 'high': 2, 'exclude_zero': True}),
    ((9,), 'bool', {'exclude_zero': True}),
    ((3,), 'float32', {'requires_grad': True}),
    ((3,), 'float32', {'low': 0, 'high': 1e-40, 'exclude_zero': True}),
    ((2,), 'float32', {'low': -float('inf'), 'high': float('inf')}),
    ((4,), 'int64', {'low': -2 ** 70, 'high': 2 ** 70}),
    ((), 'float32', {}),
    ([2, 2], 'float64', {}),
]


@pytest.mark.parametrize('shape,dtype,kw', MAKE_CASES)
def test_make_tensor_same_draws(shape, dtype, kw):
    res = []
    for L in (torch, nt):
        L.manual_seed(7)
        args = (shape,) if isinstance(shape, list) else shape
        t = L.testing.make_tensor(*args, dtype=getattr(L, dtype), device='cpu', **kw)
        res.append((t.tolist(), tuple(t.shape), str(t.dtype), t.requires_grad,
                    t.is_contiguous(), t.stride()))
        res.append(L.rand(2).tolist())   # the generator advanced by the same amount
    assert res[0:2] == res[2:4]


MAKE_ERRORS = [
    ((3,), 'int64', {'requires_grad': True}),
    ((3,), 'float32', {'low': 2, 'high': 1}),
    ((3,), 'float32', {'low': float('nan')}),
    ((3,), 'uint8', {'low': -5, 'high': -1}),
    ((3,), 'int8', {'low': 200, 'high': 300}),
    ((3,), 'float32', {'noncontiguous': True, 'memory_format': 'contiguous'}),
]


@pytest.mark.parametrize('shape,dtype,kw', MAKE_ERRORS)
def test_make_tensor_errors(shape, dtype, kw):
    out = []
    for L in (torch, nt):
        kw2 = dict(kw)
        if kw2.get('memory_format') == 'contiguous':
            kw2['memory_format'] = L.contiguous_format
        with pytest.raises(Exception) as info:
            L.testing.make_tensor(*shape, dtype=getattr(L, dtype), device='cpu', **kw2)
        out.append((info.type, _norm(str(info.value))))
    assert out[0] == out[1]


def test_make_tensor_low_equal_high_warns():
    for L in (torch, nt):
        with pytest.warns(FutureWarning, match='low==high'):
            t = L.testing.make_tensor(2, dtype=L.float32, device='cpu', low=1, high=1)
        assert t.tolist() == [1.0, 1.0]


def test_top_level_aliases():
    assert nt.cosine_similarity is nt.nn.functional.cosine_similarity
    assert nt.pairwise_distance is nt.nn.functional.pairwise_distance
    a = np.random.default_rng(0).standard_normal((4, 3))
    b = np.random.default_rng(1).standard_normal((4, 3))
    for name in ('cosine_similarity', 'pairwise_distance'):
        r = [getattr(L, name)(L.tensor(a), L.tensor(b)).numpy() for L in (torch, nt)]
        np.testing.assert_allclose(r[1], r[0], rtol=1e-6)


@pytest.mark.parametrize('vals', [[[1, 0, 2], [0, 0, 3]], [0.0, 1.5, 0.0], 5, 0, [[[True]]], []])
def test_argwhere(vals):
    r = []
    for L in (torch, nt):
        x = L.tensor(vals)
        a, m = L.argwhere(x), x.argwhere()
        r.append((a.tolist(), tuple(a.shape), str(a.dtype), m.tolist(), tuple(m.shape)))
    assert r[0] == r[1]
    with pytest.raises(TypeError):
        nt.argwhere(nt.tensor([1, 0]), as_tuple=True)
