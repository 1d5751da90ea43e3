"""Dropout, embedding, padding, interpolation and pixel shuffle (functional and layers)
against PyTorch: values (dropout masks drawn from the shared RNG stream equal torch's),
gradients, train/eval behaviour, errors, repr, gradchecks."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck
from conftest import assert_close
from test_nn_conv import both, run_modules, same_error

RNG = np.random.default_rng(14)
TF = torch.nn.functional


def arr(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def seeded(seed, fn_nt, fn_pt):
    """Wraps two functions so each runs right after seeding its own library."""
    def n(*a):
        numtorch.manual_seed(seed)
        return fn_nt(*a)

    def p(*a):
        torch.manual_seed(seed)
        return fn_pt(*a)
    return n, p


# -- dropout ---------------------------------------------------------------------------------
DROPOUTS = [('dropout', (40, 5)), ('dropout1d', (2, 3, 4)), ('dropout1d', (3, 4)),
            ('dropout2d', (2, 3, 4, 4)), ('dropout3d', (2, 3, 2, 2, 2)),
            ('dropout3d', (3, 2, 2, 2)), ('alpha_dropout', (3, 7)),
            ('feature_alpha_dropout', (2, 3, 4))]


@pytest.mark.parametrize('fn,shape', DROPOUTS)
@pytest.mark.parametrize('p', [0.3, 0.5, 1.0, 0.0])
def test_dropout_matches_torch_stream(fn, shape, p):
    fn_n, fn_p = seeded(3, lambda t: getattr(F, fn)(t, p, True),
                        lambda t: getattr(TF, fn)(t, p, True))
    yn, yp = both(fn_n, fn_p, arr(*shape), rtol=1e-6, atol=1e-6)
    # The generator is left where torch leaves it.
    assert numtorch.rand(3).tolist() == pytest.approx(torch.rand(3).tolist())


def test_dropout_identity_cases_return_the_input():
    x = numtorch.randn(4, 3, requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert F.dropout2d(numtorch.randn(2, 3, 4, 4), 0.5, training=False) is not None
    e = numtorch.ones(0, 3)
    assert F.dropout(e, 0.5) is e


def test_dropout_p_one_and_float64():
    both(lambda t: F.dropout(t, 1.0), lambda t: TF.dropout(t, 1.0), arr(3, 4))
    fn_n, fn_p = seeded(4, lambda t: F.dropout(t, 0.25), lambda t: TF.dropout(t, 0.25))
    both(fn_n, fn_p, arr(6, 5, dtype=np.float64), rtol=1e-12, atol=1e-12)


def test_dropout_inplace():
    x = arr(5, 6)
    tn, tp = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    hn, hp = tn * 2, tp * 2
    numtorch.manual_seed(9)
    torch.manual_seed(9)
    rn, rp = F.dropout(hn, 0.4, inplace=True), TF.dropout(hp, 0.4, inplace=True)
    assert rn is hn
    assert_close(hn, hp, 1e-6, 1e-6)
    assert rn.grad_fn.name() == rp.grad_fn.name()
    hn.sum().backward()
    hp.sum().backward()
    assert_close(tn.grad, tp.grad, 1e-6, 1e-6)
    same_error(lambda: F.dropout(numtorch.ones(2, requires_grad=True), 0.5, inplace=True),
               lambda: TF.dropout(torch.ones(2, requires_grad=True), 0.5, inplace=True))


@pytest.mark.parametrize('cls,shape', [('Dropout', (8, 5)), ('Dropout1d', (2, 3, 5)),
                                       ('Dropout2d', (2, 3, 4, 4)),
                                       ('Dropout3d', (2, 3, 2, 2, 2)),
                                       ('AlphaDropout', (6, 5)),
                                       ('FeatureAlphaDropout', (2, 3, 4, 4))])
def test_dropout_layers(cls, shape):
    mn, mp = getattr(nn, cls)(0.3), getattr(torch.nn, cls)(0.3)
    assert repr(mn) == repr(mp)
    assert repr(getattr(nn, cls)(p=0.2, inplace=True)) == repr(
        getattr(torch.nn, cls)(p=0.2, inplace=True))
    numtorch.manual_seed(2)
    torch.manual_seed(2)
    both(mn, mp, arr(*shape), rtol=1e-6, atol=1e-6)
    mn.eval()
    x = numtorch.tensor(arr(*shape))
    assert mn(x) is x


def test_dropout2d_warnings_and_errors():
    with pytest.warns(UserWarning, match='Received a 3D input to dropout2d'):
        F.dropout2d(numtorch.ones(2, 3, 4))
    with pytest.warns(UserWarning, match='Received a 2-D input to dropout2d'):
        F.dropout2d(numtorch.ones(2, 3))
    for p in (1.5, -0.1):
        same_error(lambda: F.dropout(numtorch.ones(2), p), lambda: TF.dropout(torch.ones(2), p))
        same_error(lambda: nn.Dropout(p), lambda: torch.nn.Dropout(p))
    same_error(lambda: F.dropout1d(numtorch.ones(2, 3, 4, 5)),
               lambda: TF.dropout1d(torch.ones(2, 3, 4, 5)))
    same_error(lambda: F.dropout(numtorch.ones(3, dtype=numtorch.long), 0.5),
               lambda: TF.dropout(torch.ones(3, dtype=torch.long), 0.5))


# -- embedding -------------------------------------------------------------------------------
IDX = np.array([[1, 2, 2, 0], [9, 2, 5, 1]])


@pytest.mark.parametrize('kw', [{}, dict(padding_idx=2), dict(padding_idx=-1),
                                dict(scale_grad_by_freq=True), dict(max_norm=1.0),
                                dict(max_norm=1.5, norm_type=1.0),
                                dict(max_norm=0.5, norm_type=float('inf'))])
def test_embedding_functional(kw):
    w = arr(10, 4)
    wn, wp = numtorch.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    yn = F.embedding(numtorch.tensor(IDX), wn, **kw)
    yp = TF.embedding(torch.tensor(IDX), wp, **kw)
    assert_close(yn, yp, 1e-6, 1e-6)
    assert_close(wn, wp, 1e-6, 1e-6)  # max_norm renormalises the weight in place
    assert yn.grad_fn.name() == yp.grad_fn.name()
    g = arr(*yp.shape)
    yn.backward(numtorch.tensor(g))
    yp.backward(torch.tensor(g))
    assert_close(wn.grad, wp.grad, 1e-5, 1e-6)


def test_embedding_layer():
    torch.manual_seed(0)
    numtorch.manual_seed(0)
    mp = torch.nn.Embedding(10, 3, padding_idx=1)
    mn = nn.Embedding(10, 3, padding_idx=1)
    assert repr(mn) == repr(mp)
    assert_close(mn.weight, mp.weight, 0, 0)  # N(0, 1) from the shared stream, row 1 zero
    run_modules(mn, mp, IDX)
    for kw in [dict(max_norm=2.0, norm_type=1.0, scale_grad_by_freq=True), dict(padding_idx=-2)]:
        assert repr(nn.Embedding(10, 3, **kw)) == repr(torch.nn.Embedding(10, 3, **kw))
    mn.eval()
    mp.eval()
    run_modules(mn, mp, IDX[0])


def test_embedding_from_pretrained():
    w = arr(4, 3)
    wt = numtorch.tensor(w)
    en, ep = nn.Embedding.from_pretrained(wt), torch.nn.Embedding.from_pretrained(torch.tensor(w))
    assert repr(en) == repr(ep)
    assert not en.weight.requires_grad
    assert np.shares_memory(en.weight._data, wt._data)
    idx = np.array([3, 0, 3])
    assert_close(en(numtorch.tensor(idx)), ep(torch.tensor(idx)))
    en = nn.Embedding.from_pretrained(numtorch.tensor(w), freeze=False, padding_idx=0)
    ep = torch.nn.Embedding.from_pretrained(torch.tensor(w), freeze=False, padding_idx=0)
    assert en.weight.requires_grad
    run_modules(en, ep, idx)
    same_error(lambda: nn.Embedding.from_pretrained(numtorch.ones(3)),
               lambda: torch.nn.Embedding.from_pretrained(torch.ones(3)))


@pytest.mark.parametrize('name,fn', [
    ('out_of_range', lambda m: m.nn.functional.embedding(m.tensor([0, 10]), m.ones(10, 3))),
    ('negative', lambda m: m.nn.functional.embedding(m.tensor([-1]), m.ones(10, 3))),
    ('float_idx', lambda m: m.nn.functional.embedding(m.tensor([0.0]), m.ones(10, 3))),
    ('padding_idx', lambda m: m.nn.Embedding(10, 3, padding_idx=10)),
    ('padding_idx_neg', lambda m: m.nn.Embedding(10, 3, padding_idx=-11)),
    ('f_padding_idx', lambda m: m.nn.functional.embedding(m.tensor([0]), m.ones(10, 3),
                                                          padding_idx=12)),
    ('weight_shape', lambda m: m.nn.Embedding(10, 3, _weight=m.ones(3, 3))),
])
def test_embedding_errors(name, fn):
    same_error(lambda: fn(numtorch), lambda: fn(torch))


def test_embedding_sparse_is_refused():
    with pytest.raises(NotImplementedError, match='sparse'):
        nn.Embedding(5, 2, sparse=True)
    with pytest.raises(NotImplementedError, match='sparse'):
        F.embedding(numtorch.tensor([1]), numtorch.ones(5, 2), sparse=True)


# -- pad ---------------------------------------------------------------------------------------
PADS = [
    ((2, 3, 4, 5), (1, 1), 'constant', {}),
    ((2, 3, 4, 5), (1, 2, 0, 3), 'constant', dict(value=2.5)),
    ((2, 3, 4, 5), (-1, 2, 1, -1), 'constant', {}),
    ((2, 3, 4, 5), (1, 1, 1, 1, 1, 1, 1, 1), 'constant', {}),
    ((2, 3, 5), (1, 2), 'reflect', {}),
    ((3, 5), (2, 3), 'reflect', {}),
    ((2, 3, 4, 5), (2, 1, 1, 2), 'reflect', {}),
    ((2, 3, 4, 5), (-1, 2, 1, 0), 'reflect', {}),
    ((2, 3, 4, 5, 4), (1, 1, 1, 2, 2, 1), 'reflect', {}),
    ((2, 3, 5), (1, 2), 'replicate', {}),
    ((2, 3, 4, 5), (3, 3, 1, 4), 'replicate', {}),
    ((2, 3, 4, 5), (-1, -1, 1, 1), 'replicate', {}),
    ((2, 3, 4, 5, 4), (1, 1, 1, 1, 1, 1), 'replicate', {}),
    ((2, 3, 5), (1, 2), 'circular', {}),
    ((1, 2, 4, 5), (2, 1, 3, 0), 'circular', {}),
    ((1, 2, 4, 5), (-1, 2, 1, 0), 'circular', {}),
    ((1, 2, 4, 5, 4), (1, 2, 2, 1, 1, 0), 'circular', {}),
]


@pytest.mark.parametrize('shape,pad,mode,kw', PADS)
def test_pad(shape, pad, mode, kw):
    names_differ = mode == 'circular'  # torch composes circular padding of slices (CopySlices)
    yn, yp = both(lambda t: F.pad(t, pad, mode, **kw), lambda t: TF.pad(t, pad, mode, **kw),
                  arr(*shape), grads=not names_differ)
    if names_differ:
        xn = numtorch.tensor(arr(*shape), requires_grad=True)
        xp = torch.tensor(xn._data.copy(), requires_grad=True)
        g = arr(*yp.shape)
        F.pad(xn, pad, mode).backward(numtorch.tensor(g))
        TF.pad(xp, pad, mode).backward(torch.tensor(g))
        assert_close(xn.grad, xp.grad, 1e-5, 1e-6)


def test_pad_integer_and_value():
    x = RNG.integers(0, 9, (2, 3))
    assert_close(F.pad(numtorch.tensor(x), (1, 1), value=1.5), TF.pad(torch.tensor(x), (1, 1),
                                                                      value=1.5))


PAD_ERRORS = [
    ('odd', lambda m: m.nn.functional.pad(m.ones(1, 2, 3, 3), (1,))),
    ('too_long', lambda m: m.nn.functional.pad(m.ones(1, 2, 3, 3), (1,) * 10)),
    ('crop_too_much', lambda m: m.nn.functional.pad(m.ones(1, 2, 3, 3), (-2, -2))),
    ('reflect_dims', lambda m: m.nn.functional.pad(m.ones(1, 2, 3, 3), (1, 1), 'reflect')),
    ('reflect_1d', lambda m: m.nn.functional.pad(m.ones(3), (1, 1), 'reflect')),
    ('reflect_too_big', lambda m: m.nn.functional.pad(m.ones(1, 2, 3, 3), (3, 3, 1, 1),
                                                      'reflect')),
    ('circular_wrap', lambda m: m.nn.functional.pad(m.ones(1, 2, 3, 3), (4, 3, 1, 1),
                                                    'circular')),
    ('mode', lambda m: m.nn.functional.pad(m.ones(1, 2, 3, 3), (1, 1), 'foo')),
    ('value', lambda m: m.nn.functional.pad(m.ones(1, 2, 3, 3), (1, 1, 1, 1), 'reflect',
                                            value=2)),
    ('empty', lambda m: m.nn.functional.pad(m.ones(2, 0, 3, 3), (1, 1, 1, 1), 'reflect')),
    ('circular_module', lambda m: m.nn.CircularPad2d(1)(m.ones(2, 3))),
]


@pytest.mark.parametrize('name,fn', PAD_ERRORS, ids=[e[0] for e in PAD_ERRORS])
def test_pad_errors(name, fn):
    same_error(lambda: fn(numtorch), lambda: fn(torch))


@pytest.mark.parametrize('ctor,shape', [
    (lambda m: m.nn.ZeroPad2d(2), (1, 2, 3, 3)),
    (lambda m: m.nn.ZeroPad2d((1, 0, 2, 1)), (1, 2, 3, 3)),
    (lambda m: m.nn.ZeroPad1d(1), (2, 3)),
    (lambda m: m.nn.ZeroPad3d(1), (1, 1, 2, 2, 2)),
    (lambda m: m.nn.ConstantPad1d(2, 1), (2, 3)),
    (lambda m: m.nn.ConstantPad2d((1, 2, 3, 4), 3.5), (1, 2, 3, 3)),
    (lambda m: m.nn.ConstantPad3d(1, -1.0), (1, 1, 2, 2, 2)),
    (lambda m: m.nn.ReflectionPad1d((1, 2)), (2, 3, 4)),
    (lambda m: m.nn.ReflectionPad2d(1), (1, 2, 3, 3)),
    (lambda m: m.nn.ReflectionPad3d(1), (1, 1, 2, 3, 3)),
    (lambda m: m.nn.ReplicationPad1d(2), (2, 3, 4)),
    (lambda m: m.nn.ReplicationPad2d((1, 2, 3, 4)), (1, 2, 3, 3)),
    (lambda m: m.nn.ReplicationPad3d(1), (1, 1, 2, 2, 2)),
    (lambda m: m.nn.CircularPad1d(1), (2, 3, 4)),
    (lambda m: m.nn.CircularPad2d((1, 2, 0, 1)), (1, 2, 3, 3)),
    (lambda m: m.nn.CircularPad3d(1), (1, 1, 2, 2, 2)),
])
def test_pad_layers(ctor, shape):
    mn, mp = ctor(numtorch), ctor(torch)
    assert repr(mn) == repr(mp)
    circular = 'Circular' in type(mp).__name__
    yn, yp = both(mn, mp, arr(*shape), grads=not circular)


# -- interpolate ---------------------------------------------------------------------------
INTERP = [
    dict(scale_factor=2), dict(size=(5, 7)), dict(size=(2, 3)), dict(scale_factor=1.7),
    dict(scale_factor=(0.6, 2.3)), dict(size=(5, 7), mode='nearest-exact'),
    dict(scale_factor=1.7, mode='nearest-exact'), dict(size=(5, 7), mode='bilinear'),
    dict(size=(5, 7), mode='bilinear', align_corners=True), dict(size=(2, 3), mode='bilinear'),
    dict(scale_factor=1.7, mode='bilinear'),
    dict(scale_factor=1.7, mode='bilinear', recompute_scale_factor=True),
    dict(scale_factor=(0.5, 3), mode='bilinear', align_corners=True),
    dict(size=(5, 7), mode='bicubic'), dict(size=(5, 7), mode='bicubic', align_corners=True),
    dict(scale_factor=0.7, mode='bicubic'), dict(size=(3, 4), mode='area'),
    dict(scale_factor=0.5, mode='area'),
]


@pytest.mark.parametrize('kw', INTERP)
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_interpolate_2d(kw, dtype):
    tol = 1e-5 if dtype == np.float32 else 1e-12
    both(lambda t: F.interpolate(t, **kw), lambda t: TF.interpolate(t, **kw),
         arr(2, 3, 4, 5, dtype=dtype), rtol=tol, atol=tol)


@pytest.mark.parametrize('shape,kw', [
    ((2, 3, 5), dict(size=9, mode='linear')),
    ((2, 3, 5), dict(scale_factor=2.5, mode='linear', align_corners=True)),
    ((2, 3, 5), dict(scale_factor=2.5)),
    ((2, 3, 5), dict(size=3, mode='area')),
    ((2, 3, 6), dict(size=8, mode='nearest-exact')),
    ((1, 2, 3, 4, 5), dict(scale_factor=2, mode='trilinear')),
    ((1, 2, 3, 4, 5), dict(size=(2, 5, 3), mode='trilinear', align_corners=True)),
    ((1, 2, 3, 4, 5), dict(size=(2, 5, 3))),
    ((2, 3, 5, 6, 7), dict(size=(3, 4, 2), mode='area')),
])
def test_interpolate_1d_3d(shape, kw):
    both(lambda t: F.interpolate(t, **kw), lambda t: TF.interpolate(t, **kw), arr(*shape))


def test_interpolate_uint8_nearest():
    x = RNG.integers(0, 255, (1, 2, 3, 4)).astype(np.uint8)
    assert_close(F.interpolate(numtorch.tensor(x), scale_factor=2),
                 TF.interpolate(torch.tensor(x), scale_factor=2))


INTERP_ERRORS = [
    ('linear_4d', lambda m: m.nn.functional.interpolate(m.ones(1, 2, 3, 4), size=(5, 7),
                                                        mode='linear')),
    ('trilinear_4d', lambda m: m.nn.functional.interpolate(m.ones(1, 2, 3, 4), size=(5, 7),
                                                           mode='trilinear')),
    ('align_nearest', lambda m: m.nn.functional.interpolate(m.ones(1, 2, 3, 4), size=(5, 7),
                                                            align_corners=True)),
    ('both', lambda m: m.nn.functional.interpolate(m.ones(1, 2, 3, 4), size=(5, 7),
                                                   scale_factor=2)),
    ('neither', lambda m: m.nn.functional.interpolate(m.ones(1, 2, 3, 4))),
    ('size_len', lambda m: m.nn.functional.interpolate(m.ones(1, 2, 3, 4), size=(5, 7, 3))),
    ('scale_len', lambda m: m.nn.functional.interpolate(m.ones(1, 2, 3, 4),
                                                        scale_factor=(2, 3, 4))),
    ('mode', lambda m: m.nn.functional.interpolate(m.ones(1, 2, 3, 4), size=(5, 7),
                                                   mode='foo')),
    ('dims', lambda m: m.nn.functional.interpolate(m.ones(2, 3), size=5)),
    ('long', lambda m: m.nn.functional.interpolate(m.ones(2, 3, 4, dtype=m.long), size=5)),
    ('long_linear', lambda m: m.nn.functional.interpolate(m.ones(2, 3, 4, dtype=m.long),
                                                          size=5, mode='linear')),
    ('zero_size', lambda m: m.nn.functional.interpolate(m.ones(1, 2, 3, 4), size=(0, 7))),
    ('recompute_size', lambda m: m.nn.functional.interpolate(m.ones(1, 2, 3, 4), size=(5, 7),
                                                             recompute_scale_factor=True)),
    ('antialias_mode', lambda m: m.nn.functional.interpolate(m.ones(1, 2, 3, 4), size=(5, 7),
                                                             antialias=True)),
    ('lanczos', lambda m: m.nn.functional.interpolate(m.ones(1, 2, 3, 4), size=(5, 7),
                                                      mode='lanczos')),
    ('bicubic_3d', lambda m: m.nn.functional.interpolate(m.ones(1, 2, 3), size=5,
                                                         mode='bicubic')),
    ('bilinear_5d', lambda m: m.nn.functional.interpolate(m.ones(1, 1, 2, 3, 4), size=(5, 6, 7),
                                                          mode='bilinear')),
]


@pytest.mark.parametrize('name,fn', INTERP_ERRORS, ids=[e[0] for e in INTERP_ERRORS])
def test_interpolate_errors(name, fn):
    same_error(lambda: fn(numtorch), lambda: fn(torch))


def test_interpolate_antialias_is_refused():
    with pytest.raises(NotImplementedError, match='antialias'):
        F.interpolate(numtorch.ones(1, 2, 3, 4), size=(5, 7), mode='bilinear', antialias=True)


@pytest.mark.parametrize('ctor', [
    lambda m: m.nn.Upsample(scale_factor=2),
    lambda m: m.nn.Upsample(size=(3, 4), mode='bilinear', align_corners=True),
    lambda m: m.nn.Upsample(scale_factor=(2.0, 3)),
    lambda m: m.nn.Upsample(size=(5, 6), mode='bicubic'),
    lambda m: m.nn.UpsamplingNearest2d(scale_factor=2),
    lambda m: m.nn.UpsamplingBilinear2d(size=4),
])
def test_upsample_layers(ctor):
    mn, mp = ctor(numtorch), ctor(torch)
    assert repr(mn) == repr(mp)
    both(mn, mp, arr(2, 3, 3, 4))


def test_deprecated_upsample_functions():
    for name in ('upsample', 'upsample_nearest', 'upsample_bilinear'):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            both(lambda t: getattr(F, name)(t, scale_factor=2),
                 lambda t: getattr(TF, name)(t, scale_factor=2), arr(1, 2, 3, 3))
        with pytest.warns(UserWarning, match='deprecated'):
            getattr(F, name)(numtorch.ones(1, 1, 2, 2), scale_factor=2)


# -- pixel shuffle ---------------------------------------------------------------------------
def test_pixel_shuffle():
    both(lambda t: F.pixel_shuffle(t, 2), lambda t: TF.pixel_shuffle(t, 2), arr(2, 8, 3, 4))
    both(lambda t: F.pixel_shuffle(t, 3), lambda t: TF.pixel_shuffle(t, 3), arr(18, 3, 4))
    both(lambda t: F.pixel_unshuffle(t, 2), lambda t: TF.pixel_unshuffle(t, 2), arr(2, 2, 4, 6))
    mn, mp = nn.PixelShuffle(2), torch.nn.PixelShuffle(2)
    assert repr(mn) == repr(mp)
    both(mn, mp, arr(1, 4, 2, 2))
    mn, mp = nn.PixelUnshuffle(3), torch.nn.PixelUnshuffle(3)
    assert repr(mn) == repr(mp)
    both(mn, mp, arr(1, 1, 3, 6))
    for fn in [lambda m: m.nn.functional.pixel_shuffle(m.ones(1, 7, 2, 2), 2),
               lambda m: m.nn.functional.pixel_shuffle(m.ones(2, 2), 2),
               lambda m: m.nn.functional.pixel_unshuffle(m.ones(1, 2, 5, 4), 2)]:
        same_error(lambda: fn(numtorch), lambda: fn(torch))


# -- gradchecks ----------------------------------------------------------------------------
def _t(*shape):
    return numtorch.tensor(RNG.standard_normal(shape), requires_grad=True)


def test_gradcheck_misc():
    assert gradcheck(lambda x: F.pad(x, (1, 2, -1, 1), value=0.5), (_t(1, 2, 3, 3),))
    assert gradcheck(lambda x: F.pad(x, (2, 1, 1, 2), 'reflect'), (_t(1, 1, 3, 3),))
    assert gradcheck(lambda x: F.pad(x, (2, 1), 'replicate'), (_t(2, 3),))
    assert gradcheck(lambda x: F.pad(x, (1, 2, 1, 0), 'circular'), (_t(1, 1, 2, 3),))
    assert gradcheck(lambda x: F.interpolate(x, size=(3, 4), mode='bilinear'),
                     (_t(1, 1, 2, 3),))
    assert gradcheck(lambda x: F.interpolate(x, scale_factor=1.5, mode='bicubic',
                                             align_corners=True), (_t(1, 1, 2, 2),))
    assert gradcheck(lambda x: F.interpolate(x, size=5), (_t(1, 2, 3),))
    assert gradcheck(lambda x: F.pixel_shuffle(x, 2), (_t(1, 4, 2, 1),))
    w = _t(5, 3)
    # (padding_idx and scale_grad_by_freq deliberately alter the true gradient; plain lookup.)
    assert gradcheck(lambda w: F.embedding(numtorch.tensor([[0, 2], [2, 4]]), w), (w,))
    numtorch.manual_seed(0)
    mask_seed = 5

    def drop(x):
        numtorch.manual_seed(mask_seed)  # the same mask for every evaluation
        return F.dropout(x, 0.4)
    assert gradcheck(drop, (_t(3, 4),))


@pytest.mark.parametrize('make', [lambda m: m.nn.PairwiseDistance(),
                                  lambda m: m.nn.PairwiseDistance(p=1.0, eps=1e-3, keepdim=True),
                                  lambda m: m.nn.CosineSimilarity(),
                                  lambda m: m.nn.CosineSimilarity(dim=0, eps=1e-3)])
def test_distance_layers_match_torch(make):
    a, b = make(numtorch), make(torch)
    assert repr(a) == repr(b)
    x1, x2 = RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5))
    both(lambda u, v: a(u, v), lambda u, v: b(u, v), x1, x2, rtol=1e-10, atol=1e-12,
         grad_rtol=1e-10, grad_atol=1e-12)


NORM_PS = [math.inf, -math.inf, 0, 1, 2, 3, 0.5, -1, 1.5, 'fro']


@pytest.mark.parametrize('p', NORM_PS, ids=str)
@pytest.mark.parametrize('dim,keepdim', [(1, False), (0, True), (None, False), ((0, 1), False)])
def test_vector_norm_one_node_with_torchs_gradients(p, dim, keepdim):
    """Every p-norm is one LinalgVectorNormBackward0 node with PyTorch's gradient (none for
    p = 0, ties sharing it for +-inf, 0 where the norm is 0), and its double backward."""
    xs = np.array([[1.0, -3.0, 3.0], [0.0, 0.0, 0.0], [2.0, -0.0, 1.0], [0.5, -0.25, 4.0]])
    if p == 'fro' and isinstance(dim, int):
        dim = (dim,)
    out = []
    for lib in (numtorch, torch):
        x = lib.tensor(xs, requires_grad=True)
        y = x.norm(p, dim, keepdim)
        r = lib.tensor(np.linspace(1, 2, y.numel()).reshape(tuple(y.shape)))
        (y * r).sum().backward(retain_graph=True)
        first = None if x.grad is None else x.grad.numpy().copy()
        second = None
        if p != 0:
            x.grad = None
            (g,) = lib.autograd.grad((y * r).sum(), x, create_graph=True)
            (g * g).sum().backward()
            second = (x.grad + 0).detach().numpy()
        out.append((y.detach().numpy(), first, second, y.grad_fn.name()))
    (yn, gn, hn, nn_), (yp, gp, hp, np_) = out
    assert nn_ == np_
    np.testing.assert_allclose(yn, yp, rtol=1e-12)
    assert (gn is None) == (gp is None)
    if gn is not None:
        np.testing.assert_allclose(gn, gp, rtol=1e-12, atol=1e-14)
    if hn is not None:
        # (PyTorch's second derivative is NaN at zero elements for some p; numtorch's 0)
        ok = ~np.isnan(hp)
        np.testing.assert_allclose(hn[ok], hp[ok], rtol=1e-10, atol=1e-12)


def test_vector_norm_of_empty_dimension():
    for p in (math.inf, -1):
        same_error(lambda: numtorch.linalg.vector_norm(numtorch.empty(0, 3), p, dim=0),
                   lambda: torch.linalg.vector_norm(torch.empty(0, 3), p, dim=0))
    assert numtorch.empty(0, 3).norm(math.inf, 1).shape == (0,)


@pytest.mark.parametrize('perm', [(1, 0, 2), (2, 0, 1), (0, 2, 1)])
def test_dropout_of_a_transposed_tensor_matches_torch(perm):
    """PyTorch draws the mask in the input's memory order (empty_like keeps a transposed
    layout): so does numtorch."""
    x = RNG.standard_normal((3, 4, 5))
    outs = []
    for lib in (numtorch, torch):
        t = lib.tensor(x).permute(*perm)
        lib.manual_seed(3)
        outs.append(lib.nn.functional.dropout(t, 0.4).numpy())
    np.testing.assert_array_equal(outs[0], outs[1])


# -- RReLU, LocalResponseNorm, gumbel_softmax, MaxUnpool, triplet with distance ----------------
@pytest.mark.parametrize('ctor', [
    'RReLU()', 'RReLU(0.1, 0.3, inplace=True)', 'LocalResponseNorm(3)',
    'LocalResponseNorm(4, alpha=1e-3, beta=0.5, k=2.0)', 'MaxUnpool2d(2)', 'MaxUnpool1d(3, 2, 1)',
    'MaxUnpool2d((2, 3), stride=(1, 2), padding=1)',
    'TripletMarginWithDistanceLoss(margin=0.5, swap=True)'])
def test_more_layers_repr(ctor):
    assert repr(eval('nn.' + ctor)) == repr(eval('torch.nn.' + ctor))


def _unpool2d(m, x, k=2, s=None, p=0, size=None):
    y, i = m.nn.functional.max_pool2d(x, k, s, p, return_indices=True)
    return m.nn.functional.max_unpool2d(y * 1.0, i, k, s, p, output_size=size)


def _unpool1d(m, x):
    y, i = m.nn.functional.max_pool1d(x, 3, 2, 1, return_indices=True)
    return m.nn.functional.max_unpool1d(y * 1.0, i, 3, 2, 1)


X4 = RNG.standard_normal((2, 6, 5, 4))
TRIPLETS = [RNG.standard_normal((4, 5)) for _ in range(3)]
MORE = [  # (id, function of (library, *tensors), arrays, tolerance)
    ('rrelu_train', lambda m, x: m.nn.functional.rrelu(x * 1.0, 0.1, 0.3, training=True),
     (X4,), 1e-12),
    ('rrelu_eval', lambda m, x: m.nn.functional.rrelu(x * 1.0), (X4,), 1e-12),
    ('rrelu_inplace', lambda m, x: m.nn.functional.rrelu(x * 1.0, training=True, inplace=True),
     (X4,), 1e-12),
    ('rrelu_float32', lambda m, x: m.nn.functional.rrelu(x * 1.0, training=True),
     (X4.astype(np.float32),), 1e-6),
    ('lrn_4d', lambda m, x: m.nn.functional.local_response_norm(x, 3), (X4,), 1e-12),
    ('lrn_3d', lambda m, x: m.nn.functional.local_response_norm(x, 4, 1e-2, 0.6, 1.5),
     (X4[0],), 1e-12),
    ('lrn_5d', lambda m, x: m.nn.functional.local_response_norm(x, 2),
     (RNG.standard_normal((2, 5, 3, 2, 2)),), 1e-12),
    ('gumbel_softmax', lambda m, x: m.nn.functional.gumbel_softmax(x, tau=0.7), (X4,), 1e-12),
    ('gumbel_softmax_hard', lambda m, x: m.nn.functional.gumbel_softmax(x, hard=True, dim=1),
     (X4,), 1e-12),
    ('triplet_with_distance', lambda m, a, p, n: m.nn.functional.triplet_margin_with_distance_loss(
        a, p, n, margin=0.7, swap=True), TRIPLETS, 1e-12),
    ('triplet_with_cosine', lambda m, a, p, n: m.nn.functional.triplet_margin_with_distance_loss(
        a, p, n, distance_function=lambda u, v: 1 - m.nn.functional.cosine_similarity(u, v),
        reduction='none'), TRIPLETS, 1e-12),
    ('max_unpool2d', lambda m, x: _unpool2d(m, x), (X4,), 1e-12),
    ('max_unpool2d_stride_padding', lambda m, x: _unpool2d(m, x, 3, 2, 1),
     (RNG.standard_normal((2, 3, 5, 5)),), 1e-12),
    ('max_unpool2d_output_size', lambda m, x: _unpool2d(m, x, 2, None, 0, (5, 5)), (X4,), 1e-12),
    ('max_unpool1d', _unpool1d, (RNG.standard_normal((2, 3, 9)),), 1e-12),
]


@pytest.mark.parametrize('name,fn,arrays,tol', MORE, ids=[c[0] for c in MORE])
def test_more_functionals_match_torch(name, fn, arrays, tol):
    out = []
    for lib in (numtorch, torch):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        lib.manual_seed(0)  # (the random slopes and Gumbel noise come from torch's stream)
        y = fn(lib, *ts)
        r = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
        (y * y * r).sum().backward()
        out.append(([y.detach().numpy()] + [t.grad.numpy() for t in ts], y.grad_fn.name()))
    (a, na), (b, nb) = out
    assert na == nb
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=tol, atol=tol)


def test_more_functional_errors():
    def pooled(m):
        return m.nn.functional.max_pool2d(m.tensor(X4), 2, return_indices=True)
    for call in (lambda m: m.nn.functional.max_unpool2d(*pooled(m), 2, output_size=(9, 9)),
                 lambda m: m.nn.functional.local_response_norm(m.zeros(3, 4), 2),
                 lambda m: m.nn.TripletMarginWithDistanceLoss(margin=0)):
        same_error(lambda: call(numtorch), lambda: call(torch))
    y, i = pooled(numtorch)
    with pytest.raises(RuntimeError, match=r'Found an invalid max index: \d+ \(output volumes '
                                           r'are of size 4x4\)'):
        numtorch.nn.functional.max_unpool2d(y, i * 100, 2)
