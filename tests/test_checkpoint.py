"""torch.utils.checkpoint: checkpoint / checkpoint_sequential against torch and the plain run."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.checkpoint as tcp

import numtorch as nt
import numtorch.utils.checkpoint as ncp


def _block(lib, seed=0):
    lib.manual_seed(seed)
    return lib.nn.Sequential(lib.nn.Linear(6, 8), lib.nn.Tanh(), lib.nn.Dropout(0.4),
                             lib.nn.Linear(8, 8), lib.nn.GELU(), lib.nn.Dropout(0.3),
                             lib.nn.Linear(8, 3))


def _run(lib, cp, use_reentrant, checkpointed=True, x_grad=True):
    net = _block(lib)
    x = lib.tensor(np.linspace(-1, 1, 24, dtype=np.float32).reshape(4, 6),
                   requires_grad=x_grad)
    lib.manual_seed(7)
    y = cp.checkpoint(net, x, use_reentrant=use_reentrant) if checkpointed else net(x)
    after = lib.rand(3)   # the generator continues as after the plain forward
    (y * y).sum().backward()
    grads = [p.grad.numpy().copy() for p in net.parameters()]
    return (y.detach().numpy(), None if x.grad is None else x.grad.numpy(), grads,
            after.numpy(), lib.rand(2).numpy())


@pytest.mark.parametrize('use_reentrant', [True, False])
def test_dropout_gradients_equal_plain_run_and_torch(use_reentrant):
    plain = _run(nt, ncp, use_reentrant, checkpointed=False)
    ours = _run(nt, ncp, use_reentrant)
    theirs = _run(torch, tcp, use_reentrant)
    for a, b, c in zip(ours[:2] + ours[3:], plain[:2] + plain[3:], theirs[:2] + theirs[3:]):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-6)
    for a, b, c in zip(ours[2], plain[2], theirs[2]):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-6)


def test_without_preserve_rng_state_masks_differ():
    net = _block(nt)
    x = nt.randn(4, 6, requires_grad=True)
    nt.manual_seed(7)
    plain = net(x)
    (plain * plain).sum().backward()
    g_plain = x.grad.clone()
    x.grad = None
    nt.manual_seed(7)
    y = ncp.checkpoint(net, x, use_reentrant=False, preserve_rng_state=False)
    np.testing.assert_array_equal(y.detach().numpy(), plain.detach().numpy())
    (y * y).sum().backward()
    assert not np.array_equal(x.grad.numpy(), g_plain.numpy())


def test_non_reentrant_keeps_real_graph_and_recomputes_once():
    calls = []
    lin = nt.nn.Linear(3, 3)

    def fn(a, scale=1.0):
        calls.append(1)
        return (lin(a).relu() * scale).exp()

    x = nt.randn(2, 3, requires_grad=True)
    y = ncp.checkpoint(fn, x, use_reentrant=False, scale=2.0)
    assert y.grad_fn.name() == 'ExpBackward0' and len(calls) == 1
    # the graph's saved values were dropped ...
    assert y.grad_fn.saved is ncp._CHECKPOINTED
    ref = fn(x, scale=2.0)
    g, = nt.autograd.grad(y.sum(), x)           # works with autograd.grad (non-reentrant)
    assert len(calls) == 3
    g_ref, = nt.autograd.grad(ref.sum(), x)
    np.testing.assert_array_equal(g.numpy(), g_ref.numpy())
    with pytest.raises(RuntimeError, match='backward through the graph a second time'):
        y.sum().backward()


def test_non_reentrant_parameters_get_grads_without_input_grad():
    lin = nt.nn.Linear(3, 2)
    tlin = torch.nn.Linear(3, 2)
    with torch.no_grad():
        tlin.weight.copy_(torch.tensor(lin.weight.detach().numpy()))
        tlin.bias.copy_(torch.tensor(lin.bias.detach().numpy()))
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        ncp.checkpoint(lin, nt.tensor(x), use_reentrant=False).pow(2).sum().backward()
        tcp.checkpoint(tlin, torch.tensor(x), use_reentrant=False).pow(2).sum().backward()
    np.testing.assert_allclose(lin.weight.grad.numpy(), tlin.weight.grad.numpy(), rtol=1e-6)


def test_retain_graph_allows_second_backward():
    x = nt.randn(3, requires_grad=True)
    y = ncp.checkpoint(lambda a: a.sin() * a, x, use_reentrant=False)
    y.sum().backward(retain_graph=True)
    g1 = x.grad.clone()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * g1.numpy())


def test_reentrant_no_input_requires_grad_warns_and_gives_no_graph():
    lin = nt.nn.Linear(2, 2)
    tlin = torch.nn.Linear(2, 2)
    with pytest.warns(UserWarning) as rec:
        y = ncp.checkpoint(lin, nt.ones(1, 2), use_reentrant=True)
    with pytest.warns(UserWarning) as trec:
        ty = tcp.checkpoint(tlin, torch.ones(1, 2), use_reentrant=True)
    assert [str(w.message) for w in rec] == [str(w.message) for w in trec] == [
        'None of the inputs have requires_grad=True. Gradients will be None']
    assert y.requires_grad is ty.requires_grad is False
    assert rec[0].filename == __file__ or 'checkpoint' in rec[0].filename


def test_use_reentrant_not_passed_warns_like_torch():
    x = nt.ones(2, requires_grad=True)
    tx = torch.ones(2, requires_grad=True)
    with pytest.warns(UserWarning) as rec:
        y = ncp.checkpoint(lambda a: a * 2, x)
    with pytest.warns(UserWarning) as trec:
        ty = tcp.checkpoint(lambda a: a * 2, tx)
    assert [str(w.message) for w in rec] == [str(w.message) for w in trec]
    assert rec[0].filename == __file__
    # without use_reentrant the reentrant variant runs
    assert y.grad_fn.name() == ty.grad_fn.name() == 'CheckpointFunctionBackward'
    seq = [nt.nn.Linear(2, 2), nt.nn.ReLU()]
    tseq = [torch.nn.Linear(2, 2), torch.nn.ReLU()]
    with pytest.warns(UserWarning) as rec:
        ncp.checkpoint_sequential(seq, 2, x)
    with pytest.warns(UserWarning) as trec:
        tcp.checkpoint_sequential(tseq, 2, tx)
    assert [str(w.message) for w in rec] == [str(w.message) for w in trec]


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - compared by type and message
        return type(e).__name__, str(e)
    return None


def test_argument_errors_match_torch():
    x, tx = nt.ones(1, requires_grad=True), torch.ones(1, requires_grad=True)
    cases = [dict(use_reentrant=True, foo=1), dict(use_reentrant=True, debug=True),
             dict(use_reentrant=True, context_fn=lambda: None),
             dict(use_reentrant=False, determinism_check='x')]
    for kw in cases:
        tkw = dict(kw)
        if 'context_fn' in kw:
            tkw['context_fn'] = kw['context_fn']
        a = _err(lambda: ncp.checkpoint(lambda t: t * 1, x, **kw))
        b = _err(lambda: tcp.checkpoint(lambda t: t * 1, tx, **tkw))
        assert a == b and a is not None, (kw, a, b)
    assert _err(lambda: ncp.checkpoint_sequential([nt.nn.ReLU()], 1, x, use_reentrant=False,
                                                  foo=1)) == \
        _err(lambda: tcp.checkpoint_sequential([torch.nn.ReLU()], 1, tx,
                                               use_reentrant=False, foo=1))
    with pytest.raises(NotImplementedError, match='debug'):
        ncp.checkpoint(lambda t: t * 1, x, use_reentrant=False, debug=True)


def test_reentrant_output_without_grad_raises_in_backward():
    x = nt.ones(2, requires_grad=True)
    y = ncp.checkpoint(lambda a: (a * 2, a.detach() + 1), x, use_reentrant=True)
    # the Function marks both outputs; the recomputed second one does not require grad
    y[0].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2, 2])


def test_determinism_check_raises_checkpoint_error():
    state = {'n': 0}

    def fn(a):
        state['n'] += 1
        return a.exp() if state['n'] == 1 else a.sin().exp()

    x = nt.randn(3, requires_grad=True)
    y = ncp.checkpoint(fn, x, use_reentrant=False)
    with pytest.raises(ncp.CheckpointError):
        y.sum().backward()
    assert issubclass(ncp.CheckpointError, RuntimeError)


def test_context_fn_enters_forward_and_recompute_contexts():
    import contextlib
    seen = []

    @contextlib.contextmanager
    def tag(name):
        seen.append(name)
        yield

    x = nt.randn(3, requires_grad=True)
    y = ncp.checkpoint(lambda a: a.tanh(), x, use_reentrant=False,
                       context_fn=lambda: (tag('fwd'), tag('recompute')))
    assert seen == ['fwd']
    y.sum().backward()
    assert seen == ['fwd', 'recompute']
    np.testing.assert_allclose(x.grad.numpy(), 1 - np.tanh(x.detach().numpy()) ** 2, rtol=1e-6)


@pytest.mark.parametrize('use_reentrant', [True, False])
@pytest.mark.parametrize('segments', [1, 2, 3])
def test_checkpoint_sequential_matches_torch(use_reentrant, segments):
    res = []
    for lib, cp in ((nt, ncp), (torch, tcp)):
        net = _block(lib)
        x = lib.tensor(np.linspace(-2, 2, 24, dtype=np.float32).reshape(4, 6),
                       requires_grad=True)
        lib.manual_seed(3)
        y = cp.checkpoint_sequential(net, segments, x, use_reentrant=use_reentrant)
        y.pow(2).mean().backward()
        res.append([y.detach().numpy(), x.grad.numpy()]
                   + [p.grad.numpy() for p in net.parameters()])
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_nested_checkpoint():
    x = nt.randn(4, requires_grad=True)

    def inner(a):
        return a.sin() * a

    def outer(a):
        return ncp.checkpoint(inner, a.exp(), use_reentrant=False).cos()

    y = ncp.checkpoint(outer, x, use_reentrant=False)
    y.sum().backward()
    g = x.grad.clone()
    x.grad = None
    outer_plain = (lambda a: inner(a.exp()).cos())(x)
    outer_plain.sum().backward()
    np.testing.assert_allclose(g.numpy(), x.grad.numpy(), rtol=1e-6)


def test_detach_variable_and_helpers():
    a = nt.ones(2, requires_grad=True) * 2
    d = ncp.detach_variable((a, 3))
    assert d[1] == 3 and d[0].requires_grad and d[0].grad_fn is None
    assert _err(lambda: ncp.detach_variable([a])) == \
        _err(lambda: tcp.detach_variable([torch.ones(1)]))
    f, r = ncp.noop_context_fn()
    with f, r:
        pass
