"""torch.jit against PyTorch: scripted/traced objects compute the same numbers, print the same,
and the helpers behave as in eager PyTorch."""
from typing import Dict, List, Optional, Tuple

import numpy as np
import pytest
import torch

import numtorch

pytestmark = pytest.mark.filterwarnings('ignore::DeprecationWarning')


def branchy(x, y: int = 2):
    if torch.jit.is_scripting():
        return x * 10
    return x + y


def nt_branchy(x, y: int = 2):
    if numtorch.jit.is_scripting():
        return x * 10
    return x + y


def make_net(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
            self.seq = nn.Sequential(nn.Linear(4, 2), nn.ReLU())
            self.k = 3

        def forward(self, x):
            h = self.fc(x) * self.k
            if lib.jit.is_tracing():
                h = h + 1
            return self.seq(h) + self.helper(h).sum()

        def helper(self, h):
            return h * 2

        @lib.jit.unused
        def unused_fn(self, x):
            return x - 1

        @lib.jit.ignore
        def ignored(self, x):
            return x + 1 if not lib.jit.is_scripting() else x * 0

        @lib.jit.export
        def exported(self, x):
            return x * 5

    class UsesUnused(nn.Module):
        def forward(self, x):
            return self.gone(x)

        @lib.jit.unused
        def gone(self, x):
            return x

    return Net, UsesUnused


def same(a, b):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-6)


def twin_nets():
    NNet, _ = make_net(numtorch)
    TNet, _ = make_net(torch)
    n, t = NNet(), TNet()
    n.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in t.state_dict().items()})
    return n, t


def test_script_function():
    s, ts = numtorch.jit.script(nt_branchy), torch.jit.script(branchy)
    x = np.arange(3, dtype=np.float32)
    same(s(numtorch.tensor(x)), ts(torch.tensor(x)))
    same(nt_branchy(numtorch.tensor(x)), branchy(torch.tensor(x)))
    assert (s.name, ts.name) == ('nt_branchy', 'branchy')
    assert type(s).__name__ == type(ts).__name__ == 'ScriptFunction'
    assert numtorch.jit.script(s) is s
    for attr in ('code', 'graph'):
        with pytest.raises(NotImplementedError, match=attr):
            getattr(s, attr)
    with pytest.raises(TypeError, match="<class 'int'> is a built-in class"):
        numtorch.jit.script(3)
    with pytest.raises(TypeError, match="<class 'int'> is a built-in class"):
        torch.jit.script(3)

    class Point:
        def __init__(self, x: int):
            self.x = x
    assert numtorch.jit.script(Point) is Point


def test_script_module_forward_repr_params():
    n, t = twin_nets()
    sn, st = numtorch.jit.script(n), torch.jit.script(t)
    assert repr(sn) == repr(st)
    assert repr(sn.fc) == repr(st.fc) == 'RecursiveScriptModule(original_name=Linear)'
    assert sn.original_name == st.original_name == 'Net'
    assert sn.k == st.k == 3
    assert sn.fc.weight is n.fc.weight and st.fc.weight is t.fc.weight
    assert list(sn.state_dict()) == list(st.state_dict())
    assert [k for k, _ in sn.named_modules()] == [k for k, _ in st.named_modules()]
    assert isinstance(sn, numtorch.jit.ScriptModule) and isinstance(sn, numtorch.nn.Module)
    assert not isinstance(sn.fc, numtorch.nn.Linear) and not isinstance(st.fc, torch.nn.Linear)
    assert len(sn.seq) == len(st.seq) == 2
    x = np.random.RandomState(0).randn(2, 3).astype(np.float32)
    xn, xt = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    on, ot = sn(xn), st(xt)
    same(on, ot)
    on.sum().backward()
    ot.sum().backward()
    same(xn.grad, xt.grad)
    same(sn.fc.weight.grad, st.fc.weight.grad)
    same(n.fc.weight.grad, t.fc.weight.grad)  # shared with the original module
    same(sn.ignored(xn), st.ignored(xt))
    same(sn.exported(xn), st.exported(xt))
    same(sn.unused_fn(xn), st.unused_fn(xt))  # from Python an unused method still runs
    sn.eval()
    st.eval()
    assert sn.training is st.training is False and sn.fc.training is st.fc.training is False
    assert numtorch.jit.script(sn) is sn
    with pytest.raises(NotImplementedError, match='code'):
        sn.code
    with pytest.raises(NotImplementedError, match='graph'):
        sn.graph


def test_unused_reached_from_script_raises():
    _, NUses = make_net(numtorch)
    _, TUses = make_net(torch)
    with pytest.raises(torch.jit.Error, match='annotated to be ignored'):
        torch.jit.script(TUses())(torch.ones(1))
    with pytest.raises(numtorch.jit.Error, match='annotated to be ignored'):
        numtorch.jit.script(NUses())(numtorch.ones(1))
    same(NUses()(numtorch.ones(1)), TUses()(torch.ones(1)))


def test_trace_and_trace_module():
    n, t = twin_nets()
    x = np.random.RandomState(1).randn(2, 3).astype(np.float32)
    tn = numtorch.jit.trace(n, numtorch.tensor(x))
    tt = torch.jit.trace(t, torch.tensor(x), check_trace=False)
    assert repr(tn) == repr(tt)
    y = np.random.RandomState(2).randn(5, 3).astype(np.float32)
    same(tn(numtorch.tensor(y)), tt(torch.tensor(y)))  # the is_tracing() branch is kept
    same(n(numtorch.tensor(y)), t(torch.tensor(y)))
    mn = numtorch.jit.trace_module(n, {'forward': numtorch.tensor(x)})
    mt = torch.jit.trace_module(t, {'forward': torch.tensor(x)}, check_trace=False)
    same(mn(numtorch.tensor(y)), mt(torch.tensor(y)))

    def double(v):
        return v * 2
    fn = numtorch.jit.trace(double, (numtorch.ones(2),))
    assert fn.name == torch.jit.trace(double, (torch.ones(2),)).name == 'double'
    same(fn(numtorch.tensor(y)), torch.tensor(y) * 2)
    with pytest.raises(RuntimeError) as en:
        numtorch.jit.trace(lambda v: 3, numtorch.ones(2))
    with pytest.raises(RuntimeError) as et:
        torch.jit.trace(lambda v: 3, torch.ones(2))
    assert str(en.value) == str(et.value)
    with pytest.warns(UserWarning, match='already a ScriptModule'):
        assert numtorch.jit.trace(tn, numtorch.ones(1, 3)) is tn


def test_fork_wait_future():
    fut = numtorch.jit.fork(nt_branchy, numtorch.ones(2), 3)
    tfut = torch.jit.fork(branchy, torch.ones(2), 3)
    assert fut.done() and tfut.done()
    same(numtorch.jit.wait(fut), torch.jit.wait(tfut))
    same(fut.value(), tfut.value())
    same(fut.then(lambda f: f.wait() + 1).wait(), tfut.then(lambda f: f.wait() + 1).wait())
    with pytest.raises(RuntimeError, match='completed once'):
        fut.set_result(1)
    f2 = numtorch.jit.Future()
    seen = []
    f2.add_done_callback(lambda f: seen.append(f.done()))
    f2.set_exception(ValueError('boom'))
    with pytest.raises(ValueError, match='boom'):
        f2.wait()
    assert seen == [True]


def test_helpers():
    for lib in (numtorch, torch):
        assert lib.jit.annotate(List[int], [1]) == [1]
        assert lib.jit.Final is __import__('typing').Final
        assert not lib.jit.is_scripting() and not lib.jit.is_tracing()
        assert repr(lib.jit.Attribute(1, int)) == "Attribute(value=1, type=<class 'int'>)"
    cases = [([1, 2], List[int]), ([1, 'a'], List[int]), ({'a': 1}, Dict[str, int]),
             ({'a': 1}, Dict[int, int]), (None, Optional[int]), (3, Optional[int]),
             ((1, 'a'), Tuple[int, str]), ((1, 2), Tuple[int, str]), (3, int), ([1], int),
             ((1, 2, 3), Tuple[int, ...])]
    for obj, typ in cases:
        assert numtorch.jit.isinstance(obj, typ) == torch.jit.isinstance(obj, typ), (obj, typ)
    with pytest.warns(UserWarning, match='inner type of a container is lost'):
        assert numtorch.jit.isinstance([], List[int])


def test_save_load_refuse(tmp_path):
    n, _ = twin_nets()
    sn = numtorch.jit.script(n)
    for call in (lambda: numtorch.jit.save(sn, tmp_path / 'm.pt'),
                 lambda: sn.save(str(tmp_path / 'm.pt')),
                 lambda: numtorch.jit.load(tmp_path / 'm.pt')):
        with pytest.raises(NotImplementedError, match='TorchScript archives are not supported'):
            call()
    assert not (tmp_path / 'm.pt').exists()


def test_freeze_and_optimize_for_inference():
    n, t = twin_nets()
    sn, st = numtorch.jit.script(n), torch.jit.script(t)
    errs = []
    for lib, mod, plain in ((numtorch, sn, n), (torch, st, t)):
        with pytest.raises(RuntimeError) as e1:
            lib.jit.freeze(mod)  # still in training mode
        with pytest.raises(RuntimeError) as e2:
            lib.jit.freeze(plain.eval())
        with pytest.raises(RuntimeError) as e3:
            lib.jit.optimize_for_inference(plain)
        errs.append((str(e1.value), str(e2.value), str(e3.value)))
    assert errs[0] == errs[1]
    fn, ft = numtorch.jit.freeze(sn.eval()), torch.jit.freeze(st.eval())
    assert repr(fn) == repr(ft) == 'RecursiveScriptModule(original_name=Net)'
    assert list(fn.parameters()) == list(ft.parameters()) == []
    assert list(fn.state_dict()) == list(ft.state_dict()) == []
    assert [k for k, _ in fn.named_modules()] == [k for k, _ in ft.named_modules()] == ['']
    for f in (fn, ft):
        for attr in ('training', 'fc', 'exported'):
            assert not hasattr(f, attr)
    x = np.random.RandomState(3).randn(2, 3).astype(np.float32)
    same(fn(numtorch.tensor(x)), ft(torch.tensor(x)))
    with numtorch.no_grad():
        n.fc.weight.mul_(2)  # the frozen copy keeps the weights it was frozen with
    same(fn(numtorch.tensor(x)), ft(torch.tensor(x)))
    pn = numtorch.jit.freeze(sn, preserved_attrs=['exported'])
    pt = torch.jit.freeze(st, preserved_attrs=['exported'])
    same(pn.exported(numtorch.tensor(x)), pt.exported(torch.tensor(x)))
    on = numtorch.jit.optimize_for_inference(numtorch.jit.script(make_net(numtorch)[0]()))
    assert list(on.parameters()) == [] and repr(on) == 'RecursiveScriptModule(original_name=Net)'
