"""Top-level ATen-signature functions (torch.batch_norm, torch.embedding, torch.*_copy, ...)
and global settings, against PyTorch."""
import warnings

import numpy as np
import pytest
import torch

import numtorch as nt


def _pair(*shape, seed=0, dtype=np.float64, grad=True):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return (nt.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad))


def _np(t):
    return t.detach().numpy()


def _check(n_out, t_out, n_ins=(), t_ins=(), atol=1e-6, grad_fn=True):
    """Same structure, values, dtypes, grad_fn names and input gradients."""
    if isinstance(t_out, (tuple, list)):
        assert isinstance(n_out, (tuple, list)) and len(n_out) == len(t_out)
        assert type(n_out) is type(t_out) or isinstance(t_out, tuple)
        for a, b in zip(n_out, t_out):
            _check(a, b, grad_fn=grad_fn, atol=atol)
        outs = [(a, b) for a, b in zip(n_out, t_out) if b.requires_grad]
    else:
        assert tuple(n_out.shape) == tuple(t_out.shape)
        assert str(n_out.dtype) == str(t_out.dtype)
        np.testing.assert_allclose(_np(n_out), _np(t_out), atol=atol, rtol=1e-6)
        if grad_fn:
            tn = type(t_out.grad_fn).__name__ if t_out.grad_fn is not None else None
            nn_ = n_out.grad_fn.name() if n_out.grad_fn is not None else None
            assert nn_ == tn, (nn_, tn)
        assert n_out.requires_grad == t_out.requires_grad
        outs = [(n_out, t_out)] if t_out.requires_grad else []
    if not n_ins or not outs:
        return
    ws = [np.random.default_rng(7 + i).standard_normal(tuple(b.shape)) for i, (_, b) in
          enumerate(outs)]
    sn = sum((a * nt.tensor(w, dtype=a.dtype)).sum() for (a, _), w in zip(outs, ws))
    st = sum((b * torch.tensor(w, dtype=b.dtype)).sum() for (_, b), w in zip(outs, ws))
    gn = nt.autograd.grad(sn, [x for x in n_ins if x.requires_grad], allow_unused=True)
    gt = torch.autograd.grad(st, [x for x in t_ins if x.requires_grad], allow_unused=True)
    for a, b in zip(gn, gt):
        if b is None:
            assert a is None or not np.any(_np(a))
        else:
            np.testing.assert_allclose(_np(a), _np(b), atol=atol, rtol=1e-6)


def _raises(fn_n, fn_t):
    with pytest.raises(Exception) as et:
        fn_t()
    with pytest.raises(type(et.value)) as en:
        fn_n()
    assert str(en.value) == str(et.value)


# -- normalisation ------------------------------------------------------------------------
@pytest.mark.parametrize('training', [True, False])
def test_batch_norm_and_native(training):
    xn, xt = _pair(3, 2, 4)
    wn, wt = _pair(2, seed=1)
    bn, bt = _pair(2, seed=2)
    rm = np.array([0.1, -0.2])
    rv = np.array([1.5, 0.7])
    for fn in ('batch_norm', 'native_batch_norm'):
        rmn, rvn = nt.tensor(rm), nt.tensor(rv)
        rmt, rvt = torch.tensor(rm), torch.tensor(rv)
        extra = (True,) if fn == 'batch_norm' else ()
        on = getattr(nt, fn)(xn, wn, bn, rmn, rvn, training, 0.2, 1e-5, *extra)
        ot = getattr(torch, fn)(xt, wt, bt, rmt, rvt, training, 0.2, 1e-5, *extra)
        _check(on, ot, (xn, wn, bn), (xt, wt, bt))
        np.testing.assert_allclose(rmn.numpy(), rmt.numpy(), atol=1e-12)
        np.testing.assert_allclose(rvn.numpy(), rvt.numpy(), atol=1e-12)


def test_layer_group_instance_norm():
    xn, xt = _pair(3, 4, 5)
    wn, wt = _pair(5, seed=1)
    bn, bt = _pair(5, seed=2)
    _check(nt.layer_norm(xn, [5], wn, bn, 1e-3, False), torch.layer_norm(xt, [5], wt, bt, 1e-3,
                                                                         False),
           (xn, wn, bn), (xt, wt, bt))
    _check(nt.native_layer_norm(xn, [4, 5], None, None, 1e-5),
           torch.native_layer_norm(xt, [4, 5], None, None, 1e-5), (xn,), (xt,))
    gw, gwt = _pair(4, seed=3)
    _check(nt.group_norm(xn, 2, gw), torch.group_norm(xt, 2, gwt), (xn, gw), (xt, gwt))
    on = nt.native_group_norm(xn, gw, None, 3, 4, 5, 2, 1e-5)
    ot = torch.native_group_norm(xt, gwt, None, 3, 4, 5, 2, 1e-5)
    _check(on[0], ot[0], (xn, gw), (xt, gwt))
    for a, b in zip(on[1:], ot[1:]):  # (statistics: constants here, see the report)
        np.testing.assert_allclose(_np(a), _np(b), atol=1e-12)
    _check(nt.instance_norm(xn, gw, None, None, None, True, 0.1, 1e-5, False),
           torch.instance_norm(xt, gwt, None, None, None, True, 0.1, 1e-5, False),
           (xn, gw), (xt, gwt), grad_fn=False)
    _check(nt.rms_norm(xn, [5], wn), torch.rms_norm(xt, [5], wt), (xn, wn), (xt, wt))


# -- embeddings -----------------------------------------------------------------------------
def test_embedding_order_and_padding():
    wn, wt = _pair(5, 3)
    i = np.array([[0, 2], [4, 2]])
    for pad in (-1, 2):
        _check(nt.embedding(wn, nt.tensor(i), pad), torch.embedding(wt, torch.tensor(i), pad),
               (wn,), (wt,))


@pytest.mark.parametrize('mode', [0, 1, 2])
@pytest.mark.parametrize('ilo,pad', [(False, None), (True, None), (False, 0)])
def test_embedding_bag_outputs(mode, ilo, pad):
    wn, wt = _pair(5, 3)
    i = np.array([0, 2, 0, 1, 4, 3])
    o = np.array([0, 2, 2, 6] if ilo else [0, 2, 2, 5])
    on = nt.embedding_bag(wn, nt.tensor(i), nt.tensor(o), False, mode, False, None, ilo, pad)
    ot = torch.embedding_bag(wt, torch.tensor(i), torch.tensor(o), False, mode, False, None,
                             ilo, pad)
    _check(on[0], ot[0], (wn,), (wt,))
    for a, b in zip(on[1:], ot[1:]):
        assert a.dtype == nt.int64 and a.tolist() == b.tolist()


# -- activations and losses -------------------------------------------------------------
def test_activations():
    xn, xt = _pair(2, 3)
    pn, pt = _pair(1, seed=4)
    for fn, args in (('selu', ()), ('celu', (0.7,)), ('threshold', (0.1, -2.0)),
                     ('hardshrink', (0.3,)), ('rrelu', (0.1, 0.3, False))):
        _check(getattr(nt, fn)(xn, *args), getattr(torch, fn)(xt, *args), (xn,), (xt,))
    _check(nt.prelu(xn, pn), torch.prelu(xt, pt), (xn, pn), (xt, pt))
    nt.manual_seed(3)
    torch.manual_seed(3)
    _check(nt.rrelu(xn, 0.1, 0.3, True), torch.rrelu(xt, 0.1, 0.3, True), (xn,), (xt,))


@pytest.mark.parametrize('red', [None, 0, 1, 2])
def test_losses_integer_reduction(red):
    kw = {} if red is None else {'reduction': red}
    xn, xt = _pair(3, 4)
    yn, yt = _pair(3, 4, seed=1)
    sign = np.where(np.random.default_rng(5).random((3, 4)) > 0.5, 1.0, -1.0)
    sn, st = nt.tensor(sign), torch.tensor(sign)
    p = np.random.default_rng(6).random((3, 4))
    prn, prt = nt.tensor(p), torch.tensor(p)
    cases = [
        (lambda m, x, y, s, q: m.kl_div(x, q, **kw)),
        (lambda m, x, y, s, q: m.kl_div(x, q.log(), **kw, log_target=True)),
        (lambda m, x, y, s, q: m.margin_ranking_loss(x, y, s, 0.3, **kw)),
        (lambda m, x, y, s, q: m.hinge_embedding_loss(x, s, 0.5, **kw)),
        (lambda m, x, y, s, q: m.cosine_embedding_loss(x, y, s[:, 0], 0.1, **kw)),
        (lambda m, x, y, s, q: m.triplet_margin_loss(x, y, x * 2, 1.0, 2.0, 1e-6, True, **kw)),
        (lambda m, x, y, s, q: m.binary_cross_entropy_with_logits(x, q, q, q[0] + 0.5, **kw)),
    ]
    if red is not None:
        cases.append(lambda m, x, y, s, q: m.poisson_nll_loss(x, q, True, True, 1e-8, red))
        cases.append(lambda m, x, y, s, q: m.poisson_nll_loss(x.exp(), q, False, False, 1e-8,
                                                              red))
    for c in cases:
        _check(c(nt, xn, yn, sn, prn), c(torch, xt, yt, st, prt), (xn, yn), (xt, yt))


def test_loss_reduction_must_be_int():
    xn, xt = _pair(3)
    _raises(lambda: nt.margin_ranking_loss(xn, xn, xn, reduction='mean'),
            lambda: torch.margin_ranking_loss(xt, xt, xt, reduction='mean'))


# -- dropout ------------------------------------------------------------------------------
@pytest.mark.parametrize('train', [True, False, None])
def test_native_dropout(train):
    xn, xt = _pair(4, 5, dtype=np.float32)
    nt.manual_seed(11)
    torch.manual_seed(11)
    on = nt.native_dropout(xn, 0.3, train)
    ot = torch.native_dropout(xt, 0.3, train)
    _check(on, ot, (xn,), (xt,))
    assert on[1].dtype == nt.bool


def test_feature_dropout():
    xn, xt = _pair(3, 4, 2, dtype=np.float32)
    nt.manual_seed(5)
    torch.manual_seed(5)
    _check(nt.feature_dropout(xn, 0.5, True), torch.feature_dropout(xt, 0.5, True), (xn,), (xt,))
    _check(nt.feature_dropout(xn, 0.5, False), torch.feature_dropout(xt, 0.5, False))


# -- padding, convolution, pooling, sampling ----------------------------------------------
def test_constant_pad_nd_and_convolution():
    xn, xt = _pair(2, 3, 6)
    _check(nt.constant_pad_nd(xn, [1, -2], 0.5), torch.constant_pad_nd(xt, [1, -2], 0.5),
           (xn,), (xt,))
    wn, wt = _pair(4, 3, 2, seed=1)
    bn, bt = _pair(4, seed=2)
    _check(nt.convolution(xn, wn, bn, [2], [1], [1], False, [0], 1),
           torch.convolution(xt, wt, bt, [2], [1], [1], False, [0], 1), (xn, wn, bn),
           (xt, wt, bt))
    wtn, wtt = _pair(3, 2, 3, seed=3)
    _check(nt.convolution(xn, wtn, None, [2], [1], [1], True, [1], 1),
           torch.convolution(xt, wtt, None, [2], [1], [1], True, [1], 1), (xn, wtn), (xt, wtt))
    x2n, x2t = _pair(1, 2, 5, 5, seed=4)
    w2n, w2t = _pair(4, 1, 3, 3, seed=5)
    _check(nt.convolution(x2n, w2n, None, [1, 1], [1, 0], [1, 1], False, [0, 0], 2),
           torch.convolution(x2t, w2t, None, [1, 1], [1, 0], [1, 1], False, [0, 0], 2),
           (x2n, w2n), (x2t, w2t))


def test_conv_tbc():
    xn, xt = _pair(7, 2, 3)
    wn, wt = _pair(3, 3, 4, seed=1)
    bn, bt = _pair(4, seed=2)
    _check(nt.conv_tbc(xn, wn, bn, 1), torch.conv_tbc(xt, wt, bt, 1), (xn, wn, bn),
           (xt, wt, bt), grad_fn=False)


def test_pool_with_indices():
    xn, xt = _pair(2, 3, 7)
    _check(nt.adaptive_max_pool1d(xn, 3), torch.adaptive_max_pool1d(xt, 3), (xn,), (xt,),
           grad_fn=False)
    _check(nt.max_pool1d_with_indices(xn, 2), torch.max_pool1d_with_indices(xt, 2), (xn,),
           (xt,), grad_fn=False)
    _check(nt.max_pool1d_with_indices(xn, 3, [2], 1, 1, True),
           torch.max_pool1d_with_indices(xt, 3, [2], 1, 1, True), (xn,), (xt,), grad_fn=False)


@pytest.mark.parametrize('mode,pad,align', [(0, 0, False), (1, 1, True), (0, 2, True)])
def test_grid_sampler(mode, pad, align):
    xn, xt = _pair(1, 2, 4, 5)
    g = np.random.default_rng(3).uniform(-1.2, 1.2, (1, 3, 2, 2))
    gn, gt = nt.tensor(g, requires_grad=True), torch.tensor(g, requires_grad=True)
    for fn in ('grid_sampler', 'grid_sampler_2d'):
        _check(getattr(nt, fn)(xn, gn, mode, pad, align),
               getattr(torch, fn)(xt, gt, mode, pad, align), (xn, gn), (xt, gt))
    tn, tt = _pair(2, 2, 3)
    _check(nt.affine_grid_generator(tn, [2, 1, 3, 4], align),
           torch.affine_grid_generator(tt, [2, 1, 3, 4], align), (tn,), (tt,))


# -- deprecated norms and products ---------------------------------------------------------
def test_frobenius_nuclear_chain_matmul():
    xn, xt = _pair(2, 3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for dim, keep in (([1, 2], False), ([1], True), ([], False)):
            _check(nt.frobenius_norm(xn, dim, keep), torch.frobenius_norm(xt, dim, keep),
                   (xn,), (xt,))
        _raises(lambda: nt.frobenius_norm(xn, [0, 1, 2]),
                lambda: torch.frobenius_norm(xt, [0, 1, 2]))
        _check(nt.nuclear_norm(xn), torch.nuclear_norm(xt), (xn,), (xt,), atol=1e-5,
               grad_fn=False)
        _check(nt.nuclear_norm(xn, [0, 2], True), torch.nuclear_norm(xt, [0, 2], True), (xn,),
               (xt,), atol=1e-5, grad_fn=False)
        mn, mt = _pair(3, 3)
        for k in (1, 2, 3):
            _check(nt.chain_matmul(*[mn] * k), torch.chain_matmul(*[mt] * k), (mn,), (mt,),
                   grad_fn=(k != 2))
        _raises(lambda: nt.chain_matmul(), lambda: torch.chain_matmul())


# -- view copies and views ----------------------------------------------------------------
_VIEW_CASES = [
    ('view_copy', ([6, 4],)), ('permute_copy', ([2, 0, 1],)), ('transpose_copy', (0, 2)),
    ('expand_copy', None), ('squeeze_copy', None), ('unsqueeze_copy', (1,)),
    ('select_copy', (1, -1)), ('slice_copy', (2, 1, None, 2)), ('slice_copy', (1, -2, 100)),
    ('diagonal_copy', (1, 1, 2)), ('split_copy', (3, 2)), ('split_with_sizes_copy', ([1, 3], 2)),
    ('unbind_copy', (1,)), ('unfold_copy', (2, 2, 1)), ('alias_copy', ()),
    ('as_strided_copy', ([2, 2], [1, 2], 1)), ('narrow_copy', (1, 1, 2)),
    ('split_with_sizes', ([1, 3], 2)), ('unsafe_split', (3, 2)),
    ('unsafe_split_with_sizes', ([1, 3], 2)), ('unsafe_chunk', (2, 2)), ('adjoint', ()),
]


@pytest.mark.parametrize('fn,args', _VIEW_CASES)
def test_view_copy_functions(fn, args):
    xn, xt = _pair(2, 3, 4)
    if args is None:  # (ops of a size-1 dim)
        an, at = xn[:, :1], xt[:, :1]
        args = ([2, 3, 4],) if fn == 'expand_copy' else ()
    else:
        an, at = xn, xt
    on, ot = getattr(nt, fn)(an, *args), getattr(torch, fn)(at, *args)
    _check(on, ot, (xn,), (xt,))
    outs = on if isinstance(on, (list, tuple)) else [on]
    if fn.endswith('_copy'):
        for o in outs:  # (fresh memory, contiguous)
            assert o._base is None and o._data.flags.c_contiguous
            assert not np.shares_memory(o._data, xn._data)


def test_view_copy_variants_and_errors():
    xn, xt = _pair(2, 3, 4)
    _check(nt.view_copy(xn.transpose(0, 1), [-1]), torch.view_copy(xt.transpose(0, 1), [-1]),
           (xn,), (xt,))
    _check(nt.squeeze_copy(xn[:, :1], [1, 0]), torch.squeeze_copy(xt[:, :1], [1, 0]), (xn,),
           (xt,))
    vn, vt = _pair(3)
    _check(nt.t_copy(vn), torch.t_copy(vt), (vn,), (vt,))
    _check(nt.view_copy(xn, nt.int64), torch.view_copy(xt, torch.int64), grad_fn=False)
    dn, dt = nt.detach_copy(xn), torch.detach_copy(xt)
    assert dn.requires_grad == dt.requires_grad and dn.grad_fn.name() == dt.grad_fn.name()
    _raises(lambda: dn.sum().backward(), lambda: dt.sum().backward())
    _raises(lambda: nt.slice_copy(xn, 0, 0, 2, 0), lambda: torch.slice_copy(xt, 0, 0, 2, 0))
    _raises(lambda: nt.split_with_sizes(xn, [1, 2], 2),
            lambda: torch.split_with_sizes(xt, [1, 2], 2))
    _raises(lambda: nt.narrow_copy(xn, 1, 2, 2), lambda: torch.narrow_copy(xt, 1, 2, 2))
    _raises(lambda: nt.adjoint(vn), lambda: torch.adjoint(vt))
    _raises(lambda: nt.positive(nt.zeros(2, dtype=nt.bool)),
            lambda: torch.positive(torch.zeros(2, dtype=torch.bool)))
    assert nt.positive(xn) is xn
    d = nt.detach(xn)
    assert not d.requires_grad and d._base is xn
    assert nt.split_with_sizes(xn, [1, 3], 2)[0]._base is xn
    assert nt.unsafe_split(xn, 2, 2)[0]._base is None


# -- small functions ------------------------------------------------------------------------
def test_fill():
    xn, xt = _pair(2, 3)
    _check(nt.fill(xn, 2.5), torch.fill(xt, 2.5), (xn,), (xt,))
    vn = nt.tensor(3.0, dtype=nt.float64, requires_grad=True)
    vt = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    _check(nt.fill(xn.float(), vn), torch.fill(xt.float(), vt), (xn, vn), (xt, vt))
    _check(nt.fill(nt.zeros(2, dtype=nt.int64), 2.7), torch.fill(torch.zeros(2,
                                                                 dtype=torch.int64), 2.7))
    _raises(lambda: nt.fill(xn, nt.zeros(2)), lambda: torch.fill(xt, torch.zeros(2)))


def test_predicates_and_typename():
    for v in ([], [1, 2]):
        _raises(lambda: nt.is_nonzero(nt.tensor(v)), lambda: torch.is_nonzero(torch.tensor(v)))
    for v in ([0.0], [3], 1):
        assert nt.is_nonzero(nt.tensor(v)) == torch.is_nonzero(torch.tensor(v))
    assert nt.is_same_size(nt.zeros(2), nt.zeros(2, 1)) is False
    assert nt.is_same_size(nt.zeros(2, 1), nt.ones(2, 1)) is True
    for d in ('uint8', 'bool', 'int8', 'float32'):
        assert nt.is_signed(nt.zeros(1, dtype=getattr(nt, d))) == torch.is_signed(
            torch.zeros(1, dtype=getattr(torch, d)))
    pairs = [(nt.zeros(2), torch.zeros(2)), (nt.zeros(2, dtype=nt.int64),
                                             torch.zeros(2, dtype=torch.int64)),
             (3, 3), ('a', 'a'), (None, None), (nt.nn.Linear(1, 1), torch.nn.Linear(1, 1)),
             (nt.nn.Linear, torch.nn.Linear)]
    for a, b in pairs:
        assert nt.typename(a) == torch.typename(b)


def test_empty_permuted():
    for layout in ((0, 2, 1), (2, 0, 1), (0, 1, 2)):
        a = nt.empty_permuted((2, 3, 4), layout)
        b = torch.empty_permuted((2, 3, 4), layout)
        assert a.shape == b.shape and a.stride() == b.stride()
    a = nt.empty_permuted((2, 3), (1, 0), dtype=nt.int64, requires_grad=False)
    assert a.dtype == nt.int64
    assert nt.empty_permuted((2, 3), (1, 0), requires_grad=True).requires_grad
    _raises(lambda: nt.empty_permuted((2, 3, 4), (0, 2)),
            lambda: torch.empty_permuted((2, 3, 4), (0, 2)))
    _raises(lambda: nt.empty_permuted((2, 3), (1, 1)),
            lambda: torch.empty_permuted((2, 3), (1, 1)))


# -- settings -------------------------------------------------------------------------------
def test_default_device_round_trip():
    try:
        assert nt.get_default_device() == nt.device('cpu')
        nt.set_default_device('cpu:0')
        assert str(nt.get_default_device()) == str(torch.device('cpu:0'))
        nt.set_default_device(None)
        assert nt.get_default_device() == nt.device('cpu')
        with pytest.raises(AssertionError, match='not compiled with CUDA'):
            nt.set_default_device('cuda')
    finally:
        nt.set_default_device(None)


def test_matmul_precision_warn_always_flush_denormal():
    assert nt.get_float32_matmul_precision() == 'highest'
    try:
        nt.set_float32_matmul_precision('medium')
        assert nt.get_float32_matmul_precision() == 'medium'
        with pytest.warns(UserWarning, match="bad is not one of 'highest'"):
            nt.set_float32_matmul_precision('bad')
        assert nt.get_float32_matmul_precision() == 'medium'
    finally:
        nt.set_float32_matmul_precision('highest')
    assert nt.is_warn_always_enabled() is False
    try:
        nt.set_warn_always(True)
        assert nt.is_warn_always_enabled() is True
        _raises(lambda: nt.set_warn_always(1), lambda: torch.set_warn_always(1))
    finally:
        nt.set_warn_always(False)
    assert nt.set_flush_denormal(False) is True
    assert nt.set_flush_denormal(True) is False  # (numtorch keeps denormals: unsupported)


def test_anomaly_threads_tensor_type():
    try:
        assert not nt.is_anomaly_enabled() and nt.is_anomaly_check_nan_enabled()
        nt.set_anomaly_enabled(True, False)
        assert nt.is_anomaly_enabled() and nt.autograd.is_anomaly_enabled()
        assert not nt.is_anomaly_check_nan_enabled()
    finally:
        nt.set_anomaly_enabled(False)
    assert nt.is_anomaly_check_nan_enabled()
    n = nt.get_num_interop_threads()
    assert isinstance(n, int) and n >= 1
    nt.set_num_interop_threads(n)
    assert nt.get_num_interop_threads() == n
    _raises(lambda: nt.set_num_interop_threads(0), lambda: torch.set_num_interop_threads(0))
    assert nt.init_num_threads() is None
    try:
        with pytest.warns(UserWarning, match='set_default_tensor_type\\(\\) is deprecated'):
            nt.set_default_tensor_type(nt.DoubleTensor)
        assert nt.get_default_dtype() == nt.float64
        with pytest.warns(UserWarning):
            nt.set_default_tensor_type('torch.FloatTensor')
        assert nt.get_default_dtype() == nt.float32
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            _raises(lambda: nt.set_default_tensor_type(nt.LongTensor),
                    lambda: torch.set_default_tensor_type(torch.LongTensor))
            _raises(lambda: nt.set_default_tensor_type('torch.cuda.FloatTensor'),
                    lambda: torch.set_default_tensor_type('torch.cuda.FloatTensor'))
    finally:
        nt.set_default_dtype(nt.float32)


def test_deterministic_modes():
    try:
        assert nt.get_deterministic_debug_mode() == 0
        assert not nt.are_deterministic_algorithms_enabled()
        for mode, num, on, warn in (('warn', 1, True, True), (2, 2, True, False),
                                    ('default', 0, False, False)):
            nt.set_deterministic_debug_mode(mode)
            assert nt.get_deterministic_debug_mode() == num
            assert nt.are_deterministic_algorithms_enabled() is on
            assert nt.is_deterministic_algorithms_warn_only_enabled() is warn
        nt.use_deterministic_algorithms(True, warn_only=True)
        assert nt.get_deterministic_debug_mode() == 1
        for bad in ('x', 3, 1.0):
            _raises(lambda: nt.set_deterministic_debug_mode(bad),
                    lambda: torch.set_deterministic_debug_mode(bad))
    finally:
        nt.use_deterministic_algorithms(False)
