"""The Op base class: one differentiable operation and, once recorded, its graph node.

An op's ``forward`` takes arrays and returns an array (or a tuple of arrays);
its ``backward`` takes the output gradient(s) as arrays and returns one gradient
per input (a single array for a one-input op, or None where not needed).
``backward_t`` is the same in Tensor ops, used under ``create_graph=True`` so
that gradients are themselves differentiable.
"""
from __future__ import annotations

import copy
import re

import numpy as np

from .._dtype import NP2DT, result_dtype, _defaults
from .._tensor import Tensor, _wrap, _TYPE_WORDS
from .._state import state

ndarray = np.ndarray
_FREED = ('freed',)
_BOTH = 2


class Op:
    """Base of every differentiable op (see module docstring)."""
    __slots__ = ('parents', 'pidx', 'needs', 'inputs', 'vers', 'nout', 'meta', 'hooks',
                 '__dict__', '__weakref__')
    _name = 'Backward'
    # What backward needs, set by forward; freed (set to _FREED) after a backward pass.
    saved = None
    # Indices of inputs whose values backward reads, and whether it reads the output:
    # these are checked against in-place modification before backward runs.
    checks = ()
    saves_out = False
    # Whether backward is right for complex inputs/outputs (conjugate Wirtinger convention):
    # False, True (backward only) or _BOTH (backward_t too); a complex backward the op does
    # not declare right raises NotImplementedError rather than give wrong numbers.
    complex_ok = False

    # -- forward ---------------------------------------------------------------
    def apply1(self, x: Tensor) -> Tensor:
        out = self.forward(x._data)
        if state.enabled and x._rg:
            return self._record((x,), out)
        return _wrap(out)

    def apply2(self, a: Tensor, b: Tensor) -> Tensor:
        out = self.forward(a._data, b._data)
        if state.enabled and (a._rg or b._rg):
            return self._record((a, b), out)
        return _wrap(out)

    def apply(self, *ts: Tensor):
        out = self.forward(*[t._data for t in ts])
        if state.enabled:
            for t in ts:
                if t._rg:
                    return self._record(ts, out)
        if type(out) is tuple:
            return tuple(_wrap(o) for o in out)
        return _wrap(out)

    def _record(self, ts, out):
        parents = []
        pidx = []
        needs = []
        cx = False
        for t in ts:
            if t._rg:
                fn = t.grad_fn
                parents.append(t if fn is None else fn)
                pidx.append(0 if fn is None else t._oi)
                needs.append(True)
                if t._data.dtype.kind == 'c':
                    cx = True
            else:
                parents.append(None)
                pidx.append(0)
                needs.append(False)
        self.parents = parents
        self.pidx = pidx
        self.needs = needs
        self.inputs = ts
        self.hooks = None
        if self.checks:
            vers = []
            for i in self.checks:
                vc = ts[i]._vc
                if vc is None:
                    vc = ts[i]._vc = [0]
                vers.append((vc, vc[0], i))
            self.vers = vers
        else:
            self.vers = None
        if type(out) is tuple:
            if cx or out[0].dtype.kind == 'c':
                self._complex_guard()
            self.nout = len(out)
            self.meta = [(o.shape, o.dtype) for o in out]
            res = []
            for i, o in enumerate(out):
                r = _wrap(o)
                if o.dtype.kind in 'fc':
                    r._rg = True
                    r.grad_fn = self
                    r._oi = i
                res.append(r)
            return tuple(res)
        self.nout = 1
        r = _wrap(out)
        k = r._data.dtype.kind
        if k not in 'fc':
            return r
        if cx or k == 'c':
            self._complex_guard()
        r._rg = True
        r.grad_fn = self
        r._oi = 0
        if self.saves_out:
            r._vc = vc = [0]
            if self.vers is None:
                self.vers = []
            self.vers.append((vc, 0, -1))
            self.meta = [(out.shape, out.dtype)]  # names the output in the version error
        return r

    # -- backward helpers ----------------------------------------------------
    def check_saved(self) -> None:
        """Raises PyTorch's errors for freed or in-place-modified saved values."""
        if self.saved is _FREED:
            raise RuntimeError(
                'Trying to backward through the graph a second time (or directly access saved '
                'tensors after they have already been freed). Saved intermediate values of the '
                'graph are freed when you call .backward() or autograd.grad(). Specify '
                'retain_graph=True if you need to backward through the graph a second time or '
                'if you need to access saved tensors after calling backward.')
        if self.vers:
            for vc, v, i in self.vers:
                if vc[0] != v:
                    raise self._version_error(i, vc[0], v)

    def _version_error(self, i: int, now: int, expected: int) -> RuntimeError:
        """PyTorch's error for saved input ``i`` (-1: the saved output) changed in place."""
        if i < 0:
            # The saved output is named by this node, as PyTorch's SavedVariable keeps it.
            # (An op that marks its output saved by hand may not have set meta; the message
            # then cannot name the output's type and shape.)
            meta = getattr(self, 'meta', None)
            shape, dt = meta[0] if meta else ((), np.dtype(np.float32))
            return version_error(_type_name(dt), shape, self.name(), 0, now, expected)
        return saved_version_error(self.inputs[i], now, expected)

    def _complex_guard(self) -> None:
        """For a node with a complex output or a complex input that needs a gradient: the
        backward (the double backward, for a ``complex_ok`` op) becomes an error unless the
        op declares it right for complex. (A real input that meets a complex one is cast to
        complex first, so a complex input without grad does not need checking.)"""
        ok = self.complex_ok
        if ok is _BOTH:
            return
        self.backward_t = self._no_complex_grad
        if not ok:
            self.backward = self._no_complex_grad

    def _no_complex_grad(self, *gys):
        raise NotImplementedError(f'{self.name()}: the derivative for complex tensors is not '
                                  'implemented in numtorch')

    def linear_copy(self) -> 'Op':
        """For a linear op (see LinearAdjoint): a copy whose forward is the linear map alone
        (an op that adds a constant drops it here)."""
        return copy.copy(self)

    def backward_t(self, *gys):
        raise NotImplementedError(
            f'double backward (create_graph=True) through {self.name()} is not supported '
            'by numtorch')

    # -- introspection, as torch.autograd.graph.Node -------------------------
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<{self._name.rpartition('::')[2]} object at {hex(id(self))}>"

    @property
    def next_functions(self):
        out = []
        for p, i in zip(self.parents, self.pidx):
            if p is None:
                out.append((None, 0))
            elif isinstance(p, Tensor):
                out.append((AccumulateGrad(p), 0))
            else:
                out.append((p, i))
        return tuple(out)

    @property
    def metadata(self) -> dict:
        d = self.__dict__.get('_metadata')
        if d is None:
            d = self.__dict__['_metadata'] = {}
        return d

    def _hook_table(self, kind: str) -> dict:
        """The hooks of one kind on this node, all kept in ``self.hooks`` so the engine
        tests a single slot: 'post' (node hooks), 'pre' (node pre-hooks), 'tensor'
        (per-output tensor hooks), 'retain' (per-output retain_grad)."""
        if self.hooks is None:
            self.hooks = {}
        return self.hooks.setdefault(kind, {})

    def register_hook(self, fn):
        """Registers ``fn(grad_inputs, grad_outputs)`` to run after this node's backward."""
        from ..utils.hooks import RemovableHandle
        d = self._hook_table('post')
        h = RemovableHandle(d)
        d[h.id] = fn
        return h

    def register_prehook(self, fn):
        """Registers ``fn(grad_outputs)`` to run before this node's backward."""
        from ..utils.hooks import RemovableHandle
        d = self._hook_table('pre')
        h = RemovableHandle(d)
        d[h.id] = fn
        return h


class LinearAdjoint(Op):
    """The backward of a linear op (its gradient map gy -> gx), as an op of its own so that
    it can be differentiated again: being linear, its own gradient is the op's forward,
    re-run on ``op.linear_copy()``. A linear op's backward_t is ``LinearAdjoint(op)``."""

    def __init__(self, op: Op):
        self.op = op
        self._name = op._name.replace('Backward0', 'BackwardBackward0')

    def forward(self, gy):
        return self.op.backward(gy)

    def backward(self, g):
        return self.op.linear_copy().forward(g)

    def backward_t(self, g):
        return self.op.linear_copy().apply1(g)


class DelayedError(Op):
    """The node PyTorch puts on a gradient computed by a once-differentiable backward
    under ``create_graph=True``: differentiating through it raises ``msg``."""
    _name = 'torch::autograd::Error'

    def __init__(self, msg: str) -> None:
        self.msg = msg

    def forward(self, *xs):
        return xs if len(xs) != 1 else xs[0]

    def backward(self, *gys):
        raise RuntimeError(self.msg)

    backward_t = backward

    def mark(self, values) -> tuple:
        """``values`` (Tensors or None) as aliases whose grad_fn is this node, each output
        hung on a detached leaf that requires grad (so nothing upstream is reached)."""
        leaves = []
        for v in values:
            if v is None:
                leaves.append(None)
                continue
            leaf = _wrap(v._data)
            leaf._rg = v._data.dtype.kind in 'fc'
            leaves.append(leaf)
        self.parents = [None if t is None or not t._rg else t for t in leaves]
        self.pidx = [0] * len(leaves)
        self.needs = [p is not None for p in self.parents]
        self.inputs = tuple(leaves)
        self.hooks = None
        self.vers = None
        self.nout = len(leaves)
        # (A None output gets a placeholder: the engine may fill a zero gradient for it.)
        self.meta = [((), np.dtype(np.float32)) if t is None else (t._data.shape, t._data.dtype)
                     for t in leaves]
        out = []
        for i, t in enumerate(leaves):
            if t is None:
                out.append(None)
                continue
            r = _wrap(t._data)
            if t._rg:
                r._rg = True
                r.grad_fn = self
                r._oi = i
            out.append(r)
        return tuple(out)


def reaches_error(fn) -> bool:
    """Whether the graph behind node ``fn`` holds a :class:`DelayedError` node."""
    seen = set()
    stack = [fn]
    while stack:
        n = stack.pop()
        if n is None or isinstance(n, Tensor) or id(n) in seen:
            continue
        if isinstance(n, DelayedError):
            return True
        seen.add(id(n))
        stack.extend(getattr(n, 'parents', ()) or ())
    return False


class AccumulateGrad:
    """The node that stands for a leaf tensor in ``next_functions``."""
    __slots__ = ('variable',)

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return 'torch::autograd::AccumulateGrad'

    next_functions = ()

    def __repr__(self) -> str:
        return f'<AccumulateGrad object at {hex(id(self))}>'

    def __eq__(self, other) -> bool:
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)


def _type_name(dt) -> str:
    """PyTorch's type string of a CPU tensor of NumPy dtype ``dt`` (as in its messages)."""
    if dt == np.bool_:
        return 'CPUBoolType'
    return 'torch.' + _TYPE_WORDS[np.dtype(dt).name] + 'Tensor'


def version_error(tname: str, shape, node: str | None, output_nr: int, now: int,
                  expected: int) -> RuntimeError:
    """PyTorch's error for a tensor saved for backward and then modified in place: ``tname``
    is its type string, ``node`` the name of the node that made it (None for a tensor
    without history, which PyTorch's message then leaves out)."""
    src = '' if node is None else (f", which is output {output_nr} of "
                                   f"{re.sub(r'Backward[0-9]*$', '', node)},")
    return RuntimeError(
        'one of the variables needed for gradient computation has been modified by an '
        f'inplace operation: [{tname} {list(shape)}]{src} is at version {now}; expected '
        f'version {expected} instead. Hint: enable anomaly detection to find the operation '
        'that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, '
        'check_nan=False).')


def saved_version_error(t: Tensor, now: int, expected: int) -> RuntimeError:
    """:func:`version_error` for a saved input ``t``, named by its node as PyTorch does."""
    fn = t.grad_fn
    src, oi = (None, 0) if fn is None else (fn.name(), t._oi)
    base = t._base
    if base is not None and (fn is not None or base._rg):
        # NOTE: PyTorch regenerates a view's grad_fn as AsStridedBackward0 once the view
        # or its base has been changed in place, and names that node.
        src, oi = 'AsStridedBackward0', 0
    return version_error(_type_name(t._data.dtype), t.shape, src, oi, now, expected)


def refuse_forward_ad(t: Tensor, label: str) -> None:
    """For a function that runs no Op and has no forward-AD formula (ATen name ``label``):
    PyTorch's NotImplementedError when ``t`` carries a tangent, rather than no tangent."""
    x = t._x
    if x is not None and 'fwd' in x:
        from ..autograd import forward_ad
        if forward_ad._tangent(t) is not None:
            raise forward_ad.unsupported_error(label)


def unbroadcast(g: ndarray, shape: tuple) -> ndarray:
    """Sums ``g`` down to ``shape``: the gradient of a broadcast."""
    if g.shape == shape:
        return g
    nd = g.ndim - len(shape)
    axes = tuple(range(nd)) + tuple(nd + i for i, s in enumerate(shape)
                                     if s == 1 and g.shape[nd + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def ascontiguous(a) -> ndarray:
    """``a`` as a C-contiguous array, copied only when it is not one already.

    NOTE: ``np.ascontiguousarray`` makes a 0-d array (or a NumPy scalar, which indexing
    returns) 1-d under NumPy 2, so a 0-d gradient would come back with shape (1,).
    """
    return np.ascontiguousarray(a) if a.ndim else np.asarray(a)


def unbroadcast_t(g: Tensor, shape: tuple) -> Tensor:
    """Tensor version of :func:`unbroadcast`, differentiable."""
    if tuple(g.shape) == tuple(shape):
        return g
    return g.sum_to_size(shape)


# -- dtype plumbing shared by every op family ---------------------------------
class ToCopy(Op):
    """A dtype conversion; its gradient converts back."""
    _name = 'ToCopyBackward0'
    complex_ok = True

    def __init__(self, dt):
        self.dt = dt

    def forward(self, x):
        self.src = x.dtype
        if x.dtype.kind == 'c' and self.dt.kind != 'c':
            x = x.real  # (PyTorch's cast keeps the real part; NumPy's would warn)
        return x.astype(self.dt)

    def backward(self, gy):
        if gy.dtype.kind == 'c' and self.src.kind != 'c':
            # The gradient of a real-to-complex cast is the real part.
            gy = gy.real
        return gy.astype(self.src)

    def backward_t(self, gy):
        if gy.is_complex() and self.src.kind != 'c':
            gy = gy.real
        return gy.to(NP2DT[self.src])


def cast(t: Tensor, npdt) -> Tensor:
    """``t`` converted to the NumPy dtype ``npdt`` (differentiable; no copy if equal)."""
    if t._data.dtype == npdt:
        return t
    return ToCopy(npdt).apply1(t)


def promote2(a: Tensor, b: Tensor):
    """Casts two tensors to their ``torch.result_type``."""
    da = a._data.dtype
    db = b._data.dtype
    if da == db:
        return a, b
    rd = result_dtype((a, b)).np
    return cast(a, rd), cast(b, rd)


def scalar_operand(t: Tensor, s):
    """Prepares ``t op s`` for a Python scalar ``s``: a float scalar makes an integer
    tensor float (the default dtype), an int scalar makes a bool tensor int64."""
    k = t._data.dtype.kind
    ts = type(s)
    if ts is float:
        if k not in 'fc':
            t = cast(t, _defaults.float.np)
        return t, s
    if ts is int:
        if k == 'b':
            t = cast(t, np.dtype(np.int64))
        return t, s
    if ts is bool:
        return t, s
    if isinstance(s, np.generic):
        return scalar_operand(t, s.item())
    if isinstance(s, (int, float)):
        return scalar_operand(t, (float if isinstance(s, float) else int)(s))
    if isinstance(s, complex):
        if k != 'c':
            d = NP2DT[t._data.dtype]
            t = cast(t, (d.to_complex() if k == 'f' else _defaults.float.to_complex()).np)
        return t, s
    raise TypeError(f"unsupported operand type(s): 'Tensor' and '{type(s).__name__}'")


def broadcast_error(sa, sb) -> None:
    """Raises PyTorch's RuntimeError if shapes ``sa`` and ``sb`` do not broadcast."""
    sa, sb = tuple(sa), tuple(sb)
    n = max(len(sa), len(sb))
    for i in range(1, n + 1):
        x = sa[-i] if i <= len(sa) else 1
        y = sb[-i] if i <= len(sb) else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f'The size of tensor a ({x}) must match the size of tensor b '
                               f'({y}) at non-singleton dimension {n - i}')
