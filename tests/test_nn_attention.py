"""torch.nn.attention against PyTorch: the backend enum, sdpa_kernel's state, and the CPU
flash-attention rules that decide, with the math backend off, whether attention runs."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import numtorch
from numtorch.nn.attention import SDPBackend, _backends, _cur_sdpa_kernel_backends, sdpa_kernel
from torch.nn.attention import SDPBackend as TSDPBackend, sdpa_kernel as t_sdpa_kernel


def test_enum():
    assert [(k, int(v)) for k, v in SDPBackend.__members__.items()] == \
        [(k, int(v)) for k, v in TSDPBackend.__members__.items()]
    for name in ('MATH', 'FLASH_ATTENTION', 'ERROR'):
        nb, tb = getattr(SDPBackend, name), getattr(TSDPBackend, name)
        assert (repr(nb), str(nb), nb.name, nb.value) == (repr(tb), str(tb), tb.name, tb.value)


def _t_enabled():
    b = torch.backends.cuda
    return [b.cudnn_sdp_enabled(), b.flash_sdp_enabled(), b.mem_efficient_sdp_enabled(),
            b.math_sdp_enabled()]


def _n_enabled():
    s = _backends.state
    return [s.cudnn, s.flash, s.mem_efficient, s.math]


def test_sdpa_kernel_state():
    assert _n_enabled() == _t_enabled() == [True] * 4
    for sel in (SDPBackend.MATH, [SDPBackend.FLASH_ATTENTION, SDPBackend.CUDNN_ATTENTION],
                [SDPBackend.MATH, SDPBackend.MATH], []):
        tsel = ([getattr(TSDPBackend, b.name) for b in sel] if isinstance(sel, list)
                else getattr(TSDPBackend, sel.name))
        with sdpa_kernel(sel) as a, t_sdpa_kernel(tsel) as b:
            assert a == b == {}
            assert _n_enabled() == _t_enabled()
        assert _n_enabled() == _t_enabled() == [True] * 4
    with sdpa_kernel([SDPBackend.MATH, SDPBackend.FLASH_ATTENTION], set_priority=True):
        assert _backends.state.priority == [0, 1, 2, 3, 4]
        assert _cur_sdpa_kernel_backends(with_priority=True)[:2] == [SDPBackend.MATH,
                                                                     SDPBackend.FLASH_ATTENTION]
    assert _backends.state.priority == torch._C._get_sdp_priority_order()
    with pytest.raises(AssertionError) as ea:
        with sdpa_kernel('math'):
            pass
    with pytest.raises(AssertionError) as eb:
        with t_sdpa_kernel('math'):
            pass
    assert str(ea.value) == str(eb.value)
    with pytest.raises(ValueError):  # the previous state comes back after an error
        with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
            raise ValueError
    assert _n_enabled() == [True] * 4


def _r(*shape, seed=[0]):
    seed[0] += 1
    return np.random.RandomState(seed[0]).randn(*shape).astype(np.float32)


CASES = {
    'ok': ((1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), {}),
    'dropout': ((1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), {'dropout_p': 0.1}),
    '3d': ((2, 3, 4), (2, 3, 4), (2, 3, 4), {}),
    'batch': ((2, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), {}),
    'heads': ((1, 4, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), {}),
    'gqa_bad': ((1, 3, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), {'enable_gqa': True}),
    'gqa_kv': ((1, 4, 3, 4), (1, 2, 3, 4), (1, 1, 3, 4), {'enable_gqa': True}),
    'gqa_ok': ((1, 4, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), {'enable_gqa': True}),
    'mask3d': ((1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4), {'attn_mask': ('bool', (2, 3, 5))}),
    'mask_bad': ((1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4), {'attn_mask': ('bool', (3, 4))}),
    'mask2d_ok': ((1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4), {'attn_mask': ('bool', (3, 1))}),
    'mask4d_ok': ((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4), {'attn_mask': ('f', (1, 2, 1, 5))}),
    'mask4d_bad': ((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4), {'attn_mask': ('f', (3, 2, 3, 5))}),
    'mask_grad': ((1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), {'attn_mask': ('grad', (3, 3))}),
    'headdim': ((1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 6), {}),
    'stride': ((1, 2, 4, 3), (1, 2, 3, 4), (1, 2, 3, 4), {'transpose_q': True}),
}


def _inputs(lib, q, k, v, kw):
    kw = dict(kw)
    qa = lib.tensor(_r(*q))
    if kw.pop('transpose_q', False):
        qa = qa.transpose(-1, -2)
    ts = [qa, lib.tensor(_r(*k)), lib.tensor(_r(*v))]
    if 'attn_mask' in kw:
        kind, shape = kw['attn_mask']
        if kind == 'bool':
            kw['attn_mask'] = lib.ones(shape, dtype=lib.bool)
        else:
            kw['attn_mask'] = lib.zeros(shape, requires_grad=kind == 'grad')
    return ts, kw


def _outcome(run):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            run()
            res = 'ran'
        except RuntimeError as e:
            res = str(e)
    return res, [str(x.message).split(' (Triggered internally')[0] for x in w]


@pytest.mark.parametrize('name', list(CASES))
def test_flash_only_rules_match_pytorch(name):
    q, k, v, kw = CASES[name]
    (tq, tk, tv), tkw = _inputs(torch, q, k, v, kw)
    (nq, nk, nv), nkw = _inputs(numtorch, q, k, v, kw)
    with t_sdpa_kernel(TSDPBackend.FLASH_ATTENTION):
        expect = _outcome(lambda: TF.scaled_dot_product_attention(tq, tk, tv, **tkw))
    with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
        got = _outcome(lambda: _backends.check_without_math(
            nq, nk, nv, nkw.get('attn_mask'), nkw.get('dropout_p', 0.0),
            nkw.get('enable_gqa', False)))
    assert got == expect


def test_no_backend_left():
    q = numtorch.zeros(1, 1, 2, 2)
    tq = torch.zeros(1, 1, 2, 2)
    for sel in ([SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION], []):
        tsel = [getattr(TSDPBackend, b.name) for b in sel]
        with t_sdpa_kernel(tsel):
            expect = _outcome(lambda: TF.scaled_dot_product_attention(tq, tq, tq))
        with sdpa_kernel(sel):
            got = _outcome(lambda: _backends.check_without_math(q, q, q, None, 0.0, False))
        assert got == expect and expect[0].startswith('No viable backend')


@pytest.mark.parametrize('L,S', [(2, 4), (4, 4), (3, 2)])
@pytest.mark.parametrize('variant', ['causal_upper_left', 'causal_lower_right'])
def test_causal_bias(L, S, variant):
    import numtorch.nn.attention.bias as nbias
    import torch.nn.attention.bias as tbias
    with warnings.catch_warnings(record=True) as wn:
        warnings.simplefilter('always')
        nb = getattr(nbias, variant)(L, S)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter('always')
        tb = getattr(tbias, variant)(L, S)
    assert [str(w.message) for w in wn] == [str(w.message) for w in wt]
    assert repr(nb) == repr(tb)
    assert (nb.variant, nb.seq_len_q, nb.seq_len_kv) == (tb.variant, tb.seq_len_q, tb.seq_len_kv)
    assert int(nb.variant) == int(tb.variant) and nb.variant.name == tb.variant.name
    np.testing.assert_array_equal(nb._materialize().numpy(), tb._materialize().numpy())
    q, k, v = _r(2, 2, L, 4), _r(2, 2, S, 4), _r(2, 2, S, 3)
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    nq, nk, nv = (numtorch.tensor(a, requires_grad=True) for a in (q, k, v))
    to = TF.scaled_dot_product_attention(tq, tk, tv, attn_mask=tb)
    no = numtorch.nn.functional.scaled_dot_product_attention(nq, nk, nv, attn_mask=nb)
    np.testing.assert_allclose(no.detach().numpy(), to.detach().numpy(), atol=1e-6)
    g = _r(2, 2, L, 3)
    to.backward(torch.tensor(g))
    no.backward(numtorch.tensor(g))
    for a, b in ((nq, tq), (nk, tk), (nv, tv)):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-6)


def test_causal_bias_errors():
    from numtorch.nn.attention.bias import CausalBias, causal_upper_left
    with pytest.raises(AssertionError, match='only supports 2D tensors'):
        causal_upper_left(2, 3, 4)
    with pytest.raises(AssertionError, match='variant must be a CausalVariant, got int'):
        CausalBias(1, 2, 2)
