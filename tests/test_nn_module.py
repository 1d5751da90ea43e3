"""nn.Module, nn.Parameter and the containers, checked against PyTorch."""
from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from conftest import assert_close
from test_nn_conv import copy_weights


# -- the user's networks, defined identically for both libraries -------------------------
def make_net(lib, n_feature, n_hidden, n_output, out_name='predict'):
    Fn = lib.nn.functional

    class Net(lib.nn.Module):
        def __init__(self, n_feature, n_hidden, n_output):
            super(Net, self).__init__()
            self.hidden = lib.nn.Linear(n_feature, n_hidden)
            setattr(self, out_name, lib.nn.Linear(n_hidden, n_output))

        def forward(self, x):
            x = Fn.relu(self.hidden(x))
            return getattr(self, out_name)(x)

    return Net(n_feature, n_hidden, n_output)


def make_seq(lib, n_in, n_hidden, n_out):
    return lib.nn.Sequential(lib.nn.Linear(n_in, n_hidden), lib.nn.ReLU(),
                             lib.nn.Linear(n_hidden, n_out))


# -- Parameter --------------------------------------------------------------------------
def test_parameter_basics():
    t = numtorch.ones(2, 3)
    p = nn.Parameter(t)
    assert isinstance(p, numtorch.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    p.data[0, 0] = 5.0
    assert t[0, 0].item() == 5.0          # shares memory with its data, as in torch
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    with numtorch.no_grad():
        assert nn.Parameter(t).requires_grad
    e = nn.Parameter()
    assert e.shape == (0,) and e.dtype == numtorch.float32
    assert type(p.data) is numtorch.Tensor
    assert type(p * 2) is numtorch.Tensor


def test_parameter_repr():
    torch.manual_seed(0)
    pt = torch.nn.Parameter(torch.randn(2, 3))
    nt = nn.Parameter(numtorch.tensor(pt.detach().numpy()))
    assert repr(nt) == repr(pt)
    assert repr(nt).startswith('Parameter containing:\ntensor(')


def test_parameter_int_requires_grad_error():
    with pytest.raises(RuntimeError, match='Only Tensors of floating point'):
        nn.Parameter(numtorch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match='Only Tensors of floating point'):
        torch.nn.Parameter(torch.tensor([1, 2]))
    assert not nn.Parameter(numtorch.tensor([1, 2]), requires_grad=False).requires_grad


def test_parameter_deepcopy():
    p = nn.Parameter(numtorch.randn(3))
    p.grad = numtorch.ones(3)
    q = copy.deepcopy(p)
    assert type(q) is nn.Parameter and q.requires_grad
    assert np.array_equal(q._data, p._data) and q._data is not p._data
    assert np.array_equal(q.grad._data, np.ones(3, np.float32))
    # Through Tensor.__deepcopy__ and _from_tensor as well (a subclass keeps its type).
    r = numtorch.Tensor.__deepcopy__(p, {})
    assert type(r) is nn.Parameter and r.requires_grad
    f = nn.Parameter._from_tensor(numtorch.zeros(2), False)
    assert type(f) is nn.Parameter and not f.requires_grad


# -- registration ------------------------------------------------------------------------
class Holder(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(numtorch.ones(2))
        self.register_buffer('running', numtorch.zeros(2))
        self.register_buffer('temp', numtorch.zeros(1), persistent=False)
        self.sub = nn.Linear(2, 2)
        self.plain = 3


def test_registration_and_iteration():
    m = Holder()
    assert list(m._parameters) == ['w']
    assert list(m._buffers) == ['running', 'temp']
    assert list(m._modules) == ['sub']
    assert m.plain == 3 and 'plain' in m.__dict__
    assert [n for n, _ in m.named_parameters()] == ['w', 'sub.weight', 'sub.bias']
    assert [n for n, _ in m.named_buffers()] == ['running', 'temp']
    assert list(m.state_dict()) == ['w', 'running', 'sub.weight', 'sub.bias']
    assert [n for n, _ in m.named_modules()] == ['', 'sub']
    assert [n for n, _ in m.named_children()] == ['sub']
    assert list(m.children()) == [m.sub]
    assert len(list(m.parameters(recurse=False))) == 1
    # Re-assigning a tensor to a buffer name keeps it a buffer.
    m.running = numtorch.ones(2)
    assert 'running' in m._buffers
    # Parameters must stay parameters.
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' as parameter 'w' "
                                        r"\(torch.nn.Parameter or None expected\)"):
        m.w = numtorch.ones(2)
    m.w = None
    assert m.w is None and list(m.state_dict())[0] == 'running'
    del m.sub
    assert 'sub' not in m._modules
    with pytest.raises(AttributeError, match="'Holder' object has no attribute 'sub'"):
        m.sub


def test_getattr_error_message_matches_torch():
    def net(lib):
        class Net(lib.nn.Module):
            pass
        return Net()

    with pytest.raises(AttributeError) as e1:
        net(numtorch).x
    with pytest.raises(AttributeError) as e2:
        net(torch).x
    assert str(e1.value) == str(e2.value) == "'Net' object has no attribute 'x'"


def test_assign_before_init_errors():
    class Bad(nn.Module):
        def __init__(self):
            self.p = nn.Parameter(numtorch.ones(1))

    class BadM(nn.Module):
        def __init__(self):
            self.m = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r'cannot assign parameters before Module.__init__'):
        Bad()
    with pytest.raises(AttributeError, match=r'cannot assign module before Module.__init__'):
        BadM()


def test_register_errors():
    m = nn.Module()
    with pytest.raises(KeyError, match='buffer name can.+t contain'):
        m.register_buffer('a.b', numtorch.ones(1))
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'x'"):
        m.register_buffer('x', 3)
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' object to parameter"):
        m.register_parameter('p', numtorch.ones(1))
    m.register_parameter('p', None)
    assert m.p is None and list(m.parameters()) == []
    with pytest.raises(KeyError, match="attribute 'p' already exists"):
        m.add_module('p', nn.Linear(1, 1))
    with pytest.raises(TypeError, match='is not a Module subclass'):
        m.add_module('q', 5)
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'z'"):
        w = numtorch.ones(1, requires_grad=True) * 2
        p = nn.Parameter(numtorch.ones(1))
        p.grad_fn = w.grad_fn
        m.register_parameter('z', p)


def test_shared_parameter_counted_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert [n for n, _ in seq.named_modules()] == ['', '0', '1']


def test_dir_lists_children():
    m = Holder()
    d = dir(m)
    for k in ('w', 'running', 'sub', 'plain', 'forward', 'parameters'):
        assert k in d


def test_train_eval_requires_grad_apply():
    m = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    assert all(x.training for x in m.modules())
    assert m.eval() is m
    assert not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    with pytest.raises(ValueError, match='training mode is expected to be boolean'):
        m.train(1)
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ['Linear', 'ReLU', 'Linear', 'Sequential', 'Sequential']


def test_zero_grad():
    m = nn.Linear(3, 2)
    m(numtorch.ones(4, 3)).sum().backward()
    assert m.weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert np.all(m.weight.grad._data == 0)
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None


def test_dtype_conversion_keeps_parameter_objects():
    m = nn.Sequential(nn.Linear(2, 3))
    m[0].register_buffer('count', numtorch.tensor(3))
    w = m[0].weight
    m(numtorch.ones(1, 2)).sum().backward()
    assert m.double() is m
    assert m[0].weight is w and w.dtype == numtorch.float64 and w.grad.dtype == numtorch.float64
    assert m[0].count.dtype == numtorch.int64        # only floating tensors are cast
    assert isinstance(m[0].weight, nn.Parameter) and m[0].weight.requires_grad
    m.float()
    assert w.dtype == numtorch.float32
    m.to(numtorch.float64)
    assert w.dtype == numtorch.float64
    m.to('cpu').to(numtorch.device('cpu'))
    m.half()
    assert w.dtype == numtorch.float16
    assert m.cpu() is m
    with pytest.raises(TypeError, match='nn.Module.to only accepts floating point'):
        m.to(numtorch.int64)


# -- state_dict -------------------------------------------------------------------------
def test_state_dict_matches_torch_keys_and_metadata():
    pt = make_net(torch, 2, 10, 2, 'out')
    nt = make_net(numtorch, 2, 10, 2, 'out')
    sd_pt, sd_nt = pt.state_dict(), nt.state_dict()
    assert list(sd_nt) == list(sd_pt)
    assert isinstance(sd_nt, OrderedDict)
    assert dict(sd_nt._metadata) == dict(sd_pt._metadata)
    for v in sd_nt.values():
        assert type(v) is numtorch.Tensor and not v.requires_grad
    # Values share memory with the parameters (detached views).
    sd_nt['hidden.bias'][0] = 42.0
    assert nt.hidden.bias[0].item() == 42.0
    kv = nt.state_dict(keep_vars=True)
    assert kv['hidden.weight'] is nt.hidden.weight


def test_load_state_dict_copies_and_returns_keys():
    pt = make_net(torch, 1, 10, 1)
    nt = make_net(numtorch, 1, 10, 1)
    w = nt.hidden.weight
    res = nt.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in pt.state_dict().items()})
    assert repr(res) == '<All keys matched successfully>'
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert nt.hidden.weight is w                         # copied in place
    assert np.array_equal(w._data, pt.hidden.weight.detach().numpy())


def _errors(lib, net, sd, strict=True):
    with pytest.raises(RuntimeError) as e:
        net.load_state_dict(sd, strict=strict)
    return str(e.value)


def test_load_state_dict_errors_match_torch():
    pt = make_seq(torch, 2, 10, 2)
    nt = make_seq(numtorch, 2, 10, 2)
    good_pt = pt.state_dict()
    good_nt = {k: numtorch.tensor(v.numpy()) for k, v in good_pt.items()}
    # Missing + unexpected keys.
    bad_pt = dict(good_pt)
    bad_nt = dict(good_nt)
    del bad_pt['2.bias'], bad_nt['2.bias']
    bad_pt['3.weight'] = torch.ones(1)
    bad_nt['3.weight'] = numtorch.ones(1)
    bad_pt['extra'] = torch.ones(1)
    bad_nt['extra'] = numtorch.ones(1)
    m_pt = _errors(torch, pt, bad_pt)
    m_nt = _errors(numtorch, nt, bad_nt)
    assert m_nt == m_pt
    assert m_nt.startswith('Error(s) in loading state_dict for Sequential:\n\tMissing key(s) '
                           'in state_dict: "2.bias". ')
    # Mis-shaped key.
    bad_pt = dict(good_pt, **{'0.weight': torch.ones(3, 2)})
    bad_nt = dict(good_nt, **{'0.weight': numtorch.ones(3, 2)})
    assert _errors(numtorch, nt, bad_nt) == _errors(torch, pt, bad_pt)
    assert 'size mismatch for 0.weight: copying a param with shape torch.Size([3, 2]) from ' \
           'checkpoint, the shape in current model is torch.Size([10, 2]).' in \
           _errors(numtorch, nt, bad_nt)
    # Non-strict: mismatched names are reported, not raised.
    del bad_nt['0.weight']
    bad_nt['zzz'] = numtorch.ones(1)
    r = nt.load_state_dict(bad_nt, strict=False)
    bad_pt = dict(good_pt)
    del bad_pt['0.weight']
    bad_pt['zzz'] = torch.ones(1)
    r_pt = pt.load_state_dict(bad_pt, strict=False)
    assert r.missing_keys == r_pt.missing_keys == ['0.weight']
    assert r.unexpected_keys == r_pt.unexpected_keys == ['zzz']
    assert repr(r) == repr(r_pt)
    with pytest.raises(TypeError, match='Expected state_dict to be dict-like'):
        nt.load_state_dict([1, 2])


def test_load_state_dict_assign_and_buffers():
    m = nn.Linear(2, 2)
    m.register_buffer('stat', numtorch.zeros(2))
    m.register_buffer('tmp', numtorch.zeros(2), persistent=False)
    sd = {'weight': numtorch.ones(2, 2), 'bias': numtorch.ones(2), 'stat': numtorch.ones(2)}
    m.load_state_dict(sd)
    assert m.stat.tolist() == [1, 1]
    m.load_state_dict(sd, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    assert m.weight._data is sd['weight']._data
    with pytest.raises(RuntimeError, match='Unexpected key'):
        m.load_state_dict(dict(sd, tmp=numtorch.zeros(2)))


def test_state_dict_roundtrip_between_libraries():
    pt = make_seq(torch, 3, 5, 2)
    nt = make_seq(numtorch, 3, 5, 2)
    copy_weights(nt, pt)
    back = make_seq(torch, 3, 5, 2)
    back.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                          for k, v in nt.state_dict().items()})
    x = torch.randn(4, 3)
    assert_close(nt(numtorch.tensor(x.numpy())), back(x))


# -- repr ------------------------------------------------------------------------------
def test_repr_of_seed_networks():
    for args in ((1, 10, 1), (2, 10, 2)):
        assert repr(make_net(numtorch, *args)) == repr(make_net(torch, *args))
        assert repr(make_net(numtorch, *args, out_name='out')) == \
            repr(make_net(torch, *args, out_name='out'))
        assert repr(make_seq(numtorch, *args)) == repr(make_seq(torch, *args))
    assert repr(make_seq(numtorch, 2, 10, 2)) == (
        'Sequential(\n'
        '  (0): Linear(in_features=2, out_features=10, bias=True)\n'
        '  (1): ReLU()\n'
        '  (2): Linear(in_features=10, out_features=2, bias=True)\n'
        ')')


def test_repr_nested_and_multiline_extra():
    def build(lib):
        class Block(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = lib.nn.Sequential(lib.nn.Linear(2, 2, bias=False),
                                               lib.nn.Sequential(lib.nn.Tanh()))
                self.plist = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2, 3)),
                                                   lib.ones(4)])
                self.pdict = lib.nn.ParameterDict({'b': lib.nn.Parameter(lib.ones(1)),
                                                   'a': lib.zeros(2, 2)})
                self.ml = lib.nn.ModuleList([lib.nn.ReLU(), lib.nn.ReLU(), lib.nn.Tanh(),
                                             lib.nn.Linear(1, 1)])
                self.md = lib.nn.ModuleDict({'act': lib.nn.Sigmoid(), 'id': lib.nn.Identity()})
                self.empty = lib.nn.ModuleList()

            def extra_repr(self):
                return 'line one\nline two'
        return Block()
    assert repr(build(numtorch)) == repr(build(torch))
    assert str(build(numtorch)) == str(build(torch))


# -- containers ------------------------------------------------------------------------
def test_sequential_operations():
    a, b, c, d = (nn.Linear(1, 1) for _ in range(4))
    s = nn.Sequential(a, b, c)
    assert len(s) == 3 and s[0] is a and s[-1] is c
    assert list(s) == [a, b, c]
    sl = s[1:]
    assert type(sl) is nn.Sequential and list(sl) == [b, c] and list(sl._modules) == ['1', '2']
    s.append(d)
    assert s[3] is d
    s.insert(0, nn.ReLU())
    assert isinstance(s[0], nn.ReLU) and s[1] is a and list(s._modules) == list('01234')
    del s[0]
    assert s[0] is a and list(s._modules) == list('0123')
    s[1] = nn.Tanh()
    assert isinstance(s[1], nn.Tanh)
    s.extend([nn.ReLU()])
    assert len(s) == 5
    with pytest.raises(IndexError, match='index 9 is out of range'):
        s[9]
    assert len(s + nn.Sequential(nn.ReLU())) == 6
    assert len(nn.Sequential(a) * 3) == 3
    assert s.pop(0) is a
    named = nn.Sequential(OrderedDict([('fc', nn.Linear(2, 2)), ('act', nn.ReLU())]))
    assert list(named._modules) == ['fc', 'act'] and isinstance(named.act, nn.ReLU)
    assert 'fc.weight' in named.state_dict()


def test_sequential_forward_matches_torch():
    pt = make_seq(torch, 4, 8, 3)
    nt = make_seq(numtorch, 4, 8, 3)
    copy_weights(nt, pt)
    x = torch.randn(5, 4, requires_grad=True)
    xn = numtorch.tensor(x.detach().numpy(), requires_grad=True)
    yp, yn = pt(x), nt(xn)
    assert_close(yn, yp)
    yp.sum().backward()
    yn.sum().backward()
    assert_close(xn.grad, x.grad)
    for (n1, p1), (n2, p2) in zip(nt.named_parameters(), pt.named_parameters()):
        assert n1 == n2
        assert_close(p1.grad, p2.grad)


def test_modulelist_moduledict():
    ml = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
    ml.append(nn.Tanh())
    ml.extend([nn.Sigmoid()])
    ml.insert(1, nn.Identity())
    assert [type(m).__name__ for m in ml] == ['Linear', 'Identity', 'ReLU', 'Tanh', 'Sigmoid']
    assert isinstance(ml[-1], nn.Sigmoid) and len(ml[1:3]) == 2
    del ml[0]
    assert list(ml._modules) == list('0123')
    assert len(list(ml.parameters())) == 0
    with pytest.raises(TypeError, match='ModuleList.extend should be called with an iterable'):
        ml.extend(nn.ReLU)
    md = nn.ModuleDict({'a': nn.Linear(1, 2)})
    md['b'] = nn.ReLU()
    md.update([('c', nn.Tanh())])
    assert list(md.keys()) == ['a', 'b', 'c'] and 'b' in md and len(md) == 3
    assert isinstance(md.pop('b'), nn.ReLU) and list(md) == ['a', 'c']
    assert [n for n, _ in md.named_parameters()] == ['a.weight', 'a.bias']


def test_parameterlist_parameterdict():
    pl = nn.ParameterList([nn.Parameter(numtorch.ones(2)), numtorch.zeros(3)])
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(pl) == 2
    pl.append(numtorch.ones(1))
    assert [n for n, _ in pl.named_parameters()] == ['0', '1', '2']
    assert len(pl[1:]) == 2
    with pytest.raises(RuntimeError, match='ParameterList should not be called.'):
        pl(1)
    pd = nn.ParameterDict({'w': numtorch.ones(2)})
    pd['b'] = nn.Parameter(numtorch.zeros(1))
    assert list(pd.keys()) == ['w', 'b'] and isinstance(pd['w'], nn.Parameter)
    assert [n for n, _ in pd.named_parameters()] == ['w', 'b']
    assert pd.get('zz') is None and 'w' in pd
    k, v = pd.popitem()
    assert k == 'b' and len(pd) == 1


# -- hooks -------------------------------------------------------------------------------
def test_forward_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    x = numtorch.ones(1, 2)
    y = lin(x)
    ref = F.linear(x * 2, lin.weight, lin.bias) + 1
    assert np.allclose(y._data, ref._data) and calls == [(1, 2)]
    h1.remove()
    h2.remove()
    assert np.allclose(lin(x)._data, F.linear(x, lin.weight, lin.bias)._data)
    got = {}
    lin.register_forward_pre_hook(lambda m, a, k: ((a[0],), {}), with_kwargs=True)
    lin.register_forward_hook(lambda m, a, k, o: got.update(kw=k), with_kwargs=True)
    lin(x)
    assert got['kw'] == {}
    h = nn.modules.module.register_module_forward_hook(lambda m, a, o: calls.append('g'))
    try:
        nn.ReLU()(x)
    finally:
        h.remove()
    assert calls[-1] == 'g'


def test_forward_hook_always_call_on_error():
    lin = nn.Linear(2, 2)
    seen = []
    lin.register_forward_hook(lambda m, a, o: seen.append(o), always_call=True)
    with pytest.raises(RuntimeError, match='mat1 and mat2 shapes cannot be multiplied'):
        lin(numtorch.ones(1, 3))
    assert seen == [None]


def _backward_hook_trace(lib):
    lib.manual_seed(0)
    lin = lib.nn.Linear(3, 2)
    rec = {}

    def pre(m, gout):
        rec['pre'] = [g.detach().numpy().copy() for g in gout]

    def post(m, gin, gout):
        rec['gin'] = [None if g is None else g.detach().numpy().copy() for g in gin]
        rec['gout'] = [g.detach().numpy().copy() for g in gout]
        return (gin[0] * 3,)

    lin.register_full_backward_pre_hook(pre)
    lin.register_full_backward_hook(post)
    x = lib.arange(6.0).reshape(2, 3).requires_grad_()
    (lin(x) ** 2).sum().backward()
    rec['xgrad'] = x.grad.numpy().copy()
    rec['wgrad'] = lin.weight.grad.numpy().copy()
    return rec


def test_full_backward_hooks_match_torch():
    a, b = _backward_hook_trace(numtorch), _backward_hook_trace(torch)
    assert a.keys() == b.keys()
    for k in a:
        for u, v in zip(a[k] if isinstance(a[k], list) else [a[k]],
                        b[k] if isinstance(b[k], list) else [b[k]]):
            np.testing.assert_allclose(u, v, rtol=1e-5)


def test_backward_hook_without_input_grad():
    for lib in (numtorch, torch):
        lin = lib.nn.Linear(2, 1)
        got = []
        lin.register_full_backward_hook(lambda m, gi, go: got.append((gi, go[0].shape)))
        with pytest.warns(UserWarning, match='Full backward hook is firing when gradients are '
                                             'computed with respect to module outputs'):
            lin(lib.ones(3, 2)).sum().backward()
        assert got[0][0] == (None,) and tuple(got[0][1]) == (3, 1)


def test_state_dict_and_load_hooks():
    m = nn.Linear(1, 1)
    m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: sd.update(extra=1))
    assert m.state_dict()['extra'] == 1
    seen = []
    m.register_load_state_dict_post_hook(lambda mod, keys: seen.append(list(keys.missing_keys)))
    m.load_state_dict({'weight': numtorch.ones(1, 1)}, strict=False)
    assert seen == [['bias']]


# -- misc ------------------------------------------------------------------------------
def test_forward_missing():
    with pytest.raises(NotImplementedError,
                       match='Module \\[Module\\] is missing the required "forward" function'):
        nn.Module()(1)


def test_call_passes_args_and_kwargs():
    class Add(nn.Module):
        def forward(self, a, b=1):
            return a + b

    assert Add()(1, b=2) == 3


def test_module_deepcopy():
    m = make_seq(numtorch, 2, 3, 1)
    m2 = copy.deepcopy(m)
    assert repr(m2) == repr(m)
    for p, q in zip(m.parameters(), m2.parameters()):
        assert type(q) is nn.Parameter and p is not q and np.array_equal(p._data, q._data)
    x = numtorch.ones(4, 2)
    assert np.array_equal(m2(x)._data, m(x)._data)


def test_get_submodule_parameter():
    m = nn.Sequential(OrderedDict(fc=nn.Linear(1, 1), block=nn.Sequential(nn.Linear(1, 2))))
    assert m.get_submodule('block.0') is m.block[0]
    assert m.get_parameter('block.0.bias') is m.block[0].bias
    with pytest.raises(AttributeError, match='Sequential has no attribute `nope`'):
        m.get_submodule('nope')


def test_call_without_super_init():
    class NoInit(nn.Module):
        def __init__(self):
            pass

        def forward(self, x):
            return x

    with pytest.raises(AttributeError, match="'NoInit' object has no attribute"):
        NoInit()(1)


def test_linear_weight_replaced_by_plain_attribute():
    lin = nn.Linear(2, 3)
    w = lin.weight.detach() * 2
    del lin.weight
    lin.weight = w                       # a plain tensor attribute now
    x = numtorch.ones(1, 2)
    np.testing.assert_allclose(lin(x)._data, (x._data @ w._data.T) + lin.bias._data)
    assert [n for n, _ in lin.named_parameters()] == ['bias']
