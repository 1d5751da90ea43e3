"""The autograd engine: one iterative walk of the graph in reverse topological order.

Gradients arriving at a node are summed per output before its backward runs
(a node runs once, when every consumer has contributed). Leaves accumulate into
``.grad``. Nothing recurses, so graphs thousands of nodes deep (long RNN loops) work.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .._ops._op import _FREED
from .._state import state

__all__ = ['run_backward']


class _Anomaly:
    __slots__ = ('enabled', 'check_nan')


anomaly = _Anomaly()
anomaly.enabled = False
anomaly.check_nan = True


def _add(a, b, create):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _graph(roots):
    """Counts, for every node reachable from ``roots``, how many edges lead into it."""
    deps = {}
    stack = []
    for fn in roots:
        if fn not in deps:
            deps[fn] = 0
            stack.append(fn)
    while stack:
        fn = stack.pop()
        for p in fn.parents:
            if p is None or isinstance(p, Tensor):
                continue
            if p in deps:
                deps[p] += 1
            else:
                deps[p] = 1
                stack.append(p)
    return deps


def _useful(deps, leaf_targets, node_targets):
    """Nodes whose backward leads to a requested gradient (autograd.grad / inputs=)."""
    memo = {}
    for start in deps:
        if start in memo:
            continue
        stack = [(start, False)]
        while stack:
            fn, done = stack.pop()
            if done:
                run = False
                for p in fn.parents:
                    if p is None:
                        continue
                    if isinstance(p, Tensor):
                        run = run or id(p) in leaf_targets
                    else:
                        run = run or memo[p][0] or memo[p][1]
                memo[fn] = (run, fn in node_targets)
                continue
            if fn in memo:
                continue
            stack.append((fn, True))
            for p in fn.parents:
                if p is not None and not isinstance(p, Tensor) and p not in memo:
                    stack.append((p, False))
    return memo


def run_backward(roots, root_grads, retain_graph: bool, create_graph: bool,
                 inputs=None, allow_unused: bool = False, accumulate: bool = True):
    """Backpropagates ``root_grads`` from ``roots``.

    With ``inputs`` given, gradients flow only towards those tensors; with
    ``accumulate=False`` (``autograd.grad``) they are returned instead of being
    added into ``.grad``.
    """
    prev = state.enabled
    state.enabled = create_graph
    try:
        if (inputs is None and not create_graph and len(roots) == 1
                and roots[0].grad_fn is not None and not anomaly.enabled):
            return _run_plain(roots[0].grad_fn, roots[0]._oi, root_grads[0], retain_graph)
        return _run(roots, root_grads, retain_graph, create_graph, inputs, allow_unused,
                    accumulate)
    finally:
        state.enabled = prev


def _run_plain(root, oi, grad, retain_graph):
    """``loss.backward()``: the general walk without its optional features' bookkeeping."""
    handed = {id(grad)}
    deps = _graph((root,))
    buffers = {}
    buf = [None] * root.nout
    buf[oi] = grad
    buffers[root] = buf
    ready = [root]
    while ready:
        fn = ready.pop()
        gys = buffers.pop(fn)
        hooks = fn.hooks
        if hooks:
            gys = _tensor_prehooks(hooks, gys, False)
        parents = fn.parents
        if fn.nout == 1:
            if gys[0] is None:
                gxs = (None,) * len(parents)
            else:
                fn.check_saved()
                gxs = fn.backward(gys[0])
                if len(parents) == 1:
                    gxs = (gxs,)
        else:
            gys = _fill(fn, gys, False)
            fn.check_saved()
            gxs = fn.backward(*gys)
            if len(parents) == 1:
                gxs = (gxs,)
        if hooks and hooks.get('post'):
            gxs = _node_hooks(hooks['post'], gxs, gys, False)
        if not retain_graph:
            if fn.saved is not None:
                fn.saved = _FREED
            fn.inputs = None
        for p, pi, g in zip(parents, fn.pidx, gxs):
            if p is None:
                continue
            if p.__class__ is Tensor or isinstance(p, Tensor):
                if g is not None:
                    _accumulate(p, g, False, handed)
                continue
            if g is not None:
                b = buffers.get(p)
                if b is None:
                    b = buffers[p] = [None] * p.nout
                    b[pi] = g
                elif b[pi] is None:
                    b[pi] = g
                else:
                    b[pi] = b[pi] + g
            n = deps[p] - 1
            deps[p] = n
            if n == 0:
                ready.append(p)
    return None


def _run(roots, root_grads, retain_graph, create_graph, inputs, allow_unused, accumulate):
    handed = set()   # ids of arrays already owned by some .grad: never share one
    for g in root_grads:
        if not create_graph:
            handed.add(id(g))
    fns = [r.grad_fn for r in roots if r.grad_fn is not None]
    deps = _graph(fns)

    leaf_targets = node_targets = useful = None
    results = None
    if inputs is not None:
        leaf_targets = {}
        node_targets = {}
        for i, t in enumerate(inputs):
            if t.grad_fn is None:
                leaf_targets[id(t)] = i
            else:
                node_targets.setdefault(t.grad_fn, []).append((t._oi, i))
        useful = _useful(deps, leaf_targets, node_targets)
        results = [None] * len(inputs)

    buffers = {}

    def deliver_leaf(t, g):
        if leaf_targets is not None:
            i = leaf_targets.get(id(t))
            if i is None:
                return
            if not accumulate:
                results[i] = _add(results[i], g, create_graph)
                return
        _accumulate(t, g, create_graph, handed)

    for r, g in zip(roots, root_grads):
        fn = r.grad_fn
        if fn is None:
            deliver_leaf(r, g)
        else:
            buf = buffers.get(fn)
            if buf is None:
                buf = buffers[fn] = [None] * fn.nout
            buf[r._oi] = _add(buf[r._oi], g, create_graph)

    ready = [fn for fn in fns if deps[fn] == 0]
    seen_ready = set()
    while ready:
        fn = ready.pop()
        if fn in seen_ready:
            continue
        seen_ready.add(fn)
        gys = buffers.pop(fn, None) or [None] * fn.nout
        hooks = fn.hooks
        if hooks:
            gys = _tensor_prehooks(hooks, gys, create_graph)
        if useful is not None:
            run, is_target = useful.get(fn, (False, False))
            if is_target:
                for oi, i in node_targets[fn]:
                    g = gys[oi]
                    if g is not None and not accumulate:
                        results[i] = _add(results[i], g, create_graph)
                    elif g is not None:
                        _accumulate_nonleaf(inputs[i], g, create_graph)
            if not run:
                continue
        parents = fn.parents
        if fn.nout == 1 and gys[0] is None:
            # Nothing flowed here; parents still count this edge as done.
            gxs = (None,) * len(parents)
        else:
            if fn.nout > 1:
                gys = _fill(fn, gys, create_graph)
            fn.check_saved()
            gxs = fn.backward_t(*gys) if create_graph else fn.backward(*gys)
            if len(parents) == 1:
                gxs = (gxs,)
        if hooks and hooks.get('post'):
            gxs = _node_hooks(hooks['post'], gxs, gys, create_graph)
        if anomaly.enabled and anomaly.check_nan and not create_graph:
            for k, g in enumerate(gxs):
                if g is not None and np.isnan(g).any():
                    raise RuntimeError(f"Function '{fn.name()}' returned nan values in its "
                                       f'{k}th output.')
        if not retain_graph:
            if fn.saved is not None:
                fn.saved = _FREED
            fn.inputs = None
        for p, oi, g in zip(parents, fn.pidx, gxs):
            if p is None:
                continue
            if isinstance(p, Tensor):
                if g is not None:
                    deliver_leaf(p, g)
                continue
            if g is not None:
                buf = buffers.get(p)
                if buf is None:
                    buf = buffers[p] = [None] * p.nout
                buf[oi] = _add(buf[oi], g, create_graph)
            n = deps[p] - 1
            deps[p] = n
            if n == 0:
                ready.append(p)

    if results is not None and not allow_unused and not accumulate:
        for i, g in enumerate(results):
            if g is None:
                raise RuntimeError(f'The differentiated Tensor at index {i} appears to not have '
                                   'been used in the graph. Set allow_unused=True if this is the '
                                   'desired behavior.')
    return results


def _fill(fn, gys, create_graph):
    """Zero gradients for the outputs of a multi-output node that received none."""
    out = list(gys)
    for i, g in enumerate(out):
        if g is None:
            shape, dt = fn.meta[i]
            z = np.zeros(shape, dt)
            out[i] = _wrap(z) if create_graph else z
    return out


def _tensor_prehooks(d, gys, create_graph):
    """Runs a node's pre-hooks and the hooks of its output tensors
    (``register_hook``/``retain_grad``)."""
    pre = d.get('pre')
    if pre:
        for hook in list(pre.values()):
            res = hook(tuple(_as_t(g, create_graph) for g in gys))
            if res is not None:
                gys = [_unwrap(g, create_graph) for g in res]
    th = d.get('tensor')
    if th:
        gys = list(gys)
        for oi, hooks in th.items():
            if gys[oi] is None:
                continue
            for hook in list(hooks.values()):
                res = hook(_as_t(gys[oi], create_graph))
                if res is not None:
                    gys[oi] = _unwrap(res, create_graph)
    ret = d.get('retain')
    if ret:
        for oi, ref in ret.items():
            t = ref()
            if t is not None and gys[oi] is not None:
                _accumulate_nonleaf(t, gys[oi], create_graph)
    return gys


def _node_hooks(post, gxs, gys, create_graph):
    gi = tuple(_as_t(g, create_graph) for g in gxs)
    go = tuple(_as_t(g, create_graph) for g in gys)
    for hook in list(post.values()):
        res = hook(gi, go)
        if res is not None:
            gi = tuple(res)
    return tuple(_unwrap(g, create_graph) for g in gi)


def _as_t(g, create_graph):
    if g is None or create_graph:
        return g
    return _wrap(g)


def _unwrap(g, create_graph):
    if g is None or create_graph:
        return g
    return g._data


def _accumulate_nonleaf(t, g, create_graph):
    if create_graph:
        t._grad = g if t._grad is None else t._grad + g
    elif t._grad is None:
        t._grad = _wrap(np.array(g, copy=True))
    else:
        t._grad = _wrap(t._grad._data + g)


def _accumulate(t, g, create_graph, handed):
    """AccumulateGrad: adds ``g`` into the leaf's ``.grad``, running its hooks."""
    x = t._x
    if x is not None:
        hooks = x.get('hooks')
        if hooks:
            for hook in list(hooks.values()):
                res = hook(g if create_graph else _wrap(g))
                if res is not None:
                    g = res if create_graph else res._data
    if create_graph:
        if t._grad is None:
            t._grad = g
        else:
            t._grad = t._grad + g
    else:
        if g.dtype != t._data.dtype:
            g = g.astype(t._data.dtype)
        if g.shape != t._data.shape:
            g = np.broadcast_to(g, t._data.shape)
        cur = t._grad
        if cur is None:
            if g.base is not None or id(g) in handed or not g.flags.writeable:
                g = g.copy()
            handed.add(id(g))
            t._grad = _wrap(g)
        elif state.enabled or not cur._data.flags.writeable:
            t._grad = _wrap(cur._data + g)
        else:
            np.add(cur._data, g, out=cur._data)
    if x is not None:
        post = x.get('post_hooks')
        if post:
            for hook in list(post.values()):
                hook(t)
