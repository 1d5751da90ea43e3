"""torch.autograd.Function: user-defined ops with a hand-written backward."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .._ops._op import DelayedError, Op, _type_name, saved_version_error, version_error
from .._state import state
from . import forward_ad as _fw

__all__ = ['Function', 'FunctionCtx', 'once_differentiable']


class FunctionCtx:
    """The ``ctx`` passed to ``forward`` and ``backward``: stash tensors and values here."""

    def __init__(self) -> None:
        self.to_save = ()
        self.saved_ver = ()
        self.needs_input_grad = ()
        self.materialize_grads = True
        self.non_differentiable = set()
        self.dirty = set()
        self.node = None

    def save_for_backward(self, *tensors) -> None:
        """Saves tensors (or None) for ``backward``, checked against later in-place changes."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError('save_for_backward can only save variables, but argument 0 is '
                                f'of type {type(t).__name__}')
        self.to_save = tensors
        ver = []
        for t in tensors:
            if t is None:
                ver.append(None)
                continue
            if t._vc is None:
                t._vc = [0]
            ver.append((t._vc, t._vc[0]))
        self.saved_ver = tuple(ver)

    save_for_forward = save_for_backward

    @property
    def saved_tensors(self):
        for t, sv in zip(self.to_save, self.saved_ver):
            if t is not None and sv[0][0] != sv[1]:
                node = self.node
                oi = None if node is None else node.out_index.get(id(t))
                if oi is None:
                    raise saved_version_error(t, sv[0][0], sv[1])
                # A saved output is named by this Function's node, as PyTorch does.
                raise version_error(_type_name(t._data.dtype), t.shape, node.name(), oi,
                                    sv[0][0], sv[1])
        return self.to_save

    def mark_dirty(self, *tensors) -> None:
        self.dirty = {id(t) for t in tensors}

    def mark_non_differentiable(self, *tensors) -> None:
        self.non_differentiable = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


class _FunctionNode(Op):
    """The graph node of one ``Function.apply`` call."""

    def __init__(self, fn_cls, ctx, tensor_pos, nargs):
        self.fn_cls = fn_cls
        self.ctx = ctx
        self.tensor_pos = tensor_pos
        self.nargs = nargs
        self._name = fn_cls.__name__ + 'Backward'

    def _call_backward(self, gys):
        ctx = self.ctx
        res = self.fn_cls.backward(ctx, *gys)
        if not isinstance(res, tuple):
            res = (res,)
        if len(res) != self.nargs and not (len(res) > self.nargs and
                                            all(r is None for r in res[self.nargs:])):
            raise RuntimeError(f'function {self._name} returned an incorrect number of gradients '
                               f'(expected {self.nargs}, got {len(res)})')
        return tuple(res[p] for p in self.tensor_pos)

    def backward(self, *gys):
        ts = []
        for g, (shape, dt) in zip(gys, self.meta):
            if g is None and self.ctx.materialize_grads:
                g = np.zeros(shape, dt)
            ts.append(None if g is None else _wrap(g))
        grads = self._call_backward(ts)
        out = []
        for g, t in zip(grads, self.inputs_meta):
            if g is None:
                out.append(None)
                continue
            if not isinstance(g, Tensor):
                raise TypeError(f'function {self._name} returned a gradient of type '
                                f'{type(g).__name__}, expected a Tensor or None')
            a = g._data
            if a.shape != t[0]:
                try:
                    a = np.broadcast_to(a, t[0]) if a.size == 1 else a.reshape(t[0])
                except ValueError:
                    raise RuntimeError(f'Function {self._name} returned an invalid gradient at '
                                       f'index 0 - got {list(a.shape)} but expected shape '
                                       f'compatible with {list(t[0])}') from None
            out.append(a)
        return tuple(out) if len(out) != 1 else out[0]

    def backward_t(self, *gys):
        grads = self._call_backward(gys)
        return tuple(grads) if len(grads) != 1 else grads[0]


class _FunctionMeta(type):
    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        cls._backward_cls = cls


class Function(metaclass=_FunctionMeta):
    """Base class for custom differentiable operations.

    Subclasses define static ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``
    (or ``forward(*args)`` plus ``setup_context(ctx, inputs, output)``) and are called
    through ``apply``.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError('You must implement the forward function for custom '
                                  'autograd.Function.')

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError('You must implement either the backward or vjp method for '
                                  'your custom autograd.Function to use it with backward mode '
                                  'AD.')

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        """The forward-mode derivative: one tangent per ``forward`` input (None for a
        non-tensor or non-dual input) in, one tangent per output out."""
        raise NotImplementedError('You must implement the jvp function for custom '
                                  'autograd.Function to use it with forward mode AD.')

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        tensor_pos = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg for a in args)
        custom_setup = cls.setup_context is not Function.setup_context
        prev = state.enabled
        state.enabled = False
        tangents = None
        if _fw._current_level >= 0 and not _fw._busy:
            tangents = [_fw._tangent(a) if isinstance(a, Tensor) else None for a in args]
            if all(t is None for t in tangents):
                tangents = None
            else:
                # forward's own ops must not propagate tangents: jvp gives them.
                _fw._busy = True
        try:
            if custom_setup:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
            if tangents is not None:
                _forward_ad(cls, ctx, out, tangents)
        finally:
            state.enabled = prev
            if tangents is not None:
                _fw._busy = False
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        tins = [args[i] for i in tensor_pos]
        record = prev and any(t._rg for t in tins)
        if not record:
            return out
        node = _FunctionNode(cls, ctx, tensor_pos, len(args))
        res = []
        ids = {id(t) for t in tins}
        for o in outs:
            if isinstance(o, Tensor) and id(o) in ids and id(o) not in ctx.dirty:
                alias = _wrap(o._data)
                alias._vc = o._vc
                o = alias
            res.append(o)
        tensor_outs = [o for o in res if isinstance(o, Tensor)]
        node.parents = [t.grad_fn if t.grad_fn is not None else (t if t._rg else None)
                        for t in tins]
        node.pidx = [t._oi if t.grad_fn is not None else 0 for t in tins]
        node.needs = [t._rg for t in tins]
        node.inputs = tuple(tins)
        node.inputs_meta = [(t._data.shape, t._data.dtype) for t in tins]
        node.hooks = None
        node.vers = None
        node.nout = len(tensor_outs)
        node.meta = [(o._data.shape, o._data.dtype) for o in tensor_outs]
        node.out_index = {id(o): i for i, o in enumerate(tensor_outs)}
        ctx.node = node
        for i, o in enumerate(tensor_outs):
            if id(o) in ctx.non_differentiable or o._data.dtype.kind != 'f':
                continue
            o._rg = True
            o.grad_fn = node
            o._oi = i
        return res[0] if single else tuple(res)


def _forward_ad(cls, ctx, out, tangents) -> None:
    """Sets on ``out`` the tangents given by ``cls.jvp`` (forward AD through a Function)."""
    if cls.jvp is Function.jvp:
        Function.jvp(ctx)
    res = cls.jvp(ctx, *tangents)
    outs = out if isinstance(out, tuple) else (out,)
    res = res if isinstance(res, tuple) else (res,)
    if len(res) != len(outs):
        raise RuntimeError(f'{cls.__name__}.jvp returned {len(res)} tangents for '
                           f'{len(outs)} outputs')
    for o, t in zip(outs, res):
        if isinstance(o, Tensor) and t is not None and o._data.dtype.kind == 'f':
            if tuple(t.shape) != tuple(o.shape):
                raise RuntimeError(f'{cls.__name__}.jvp returned a tangent of shape '
                                   f'{list(t.shape)} for an output of shape {list(o.shape)}')
            _fw._set_tangent(o, _wrap(t._data))


def once_differentiable(fn):
    """Marks a backward as not differentiable twice: it runs without recording, and under
    ``create_graph=True`` with an incoming gradient that requires grad its results hang on
    an error node, so that differentiating them again raises (PyTorch's behaviour)."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        prev = state.enabled
        state.enabled = False
        try:
            outputs = fn(ctx, *args)
        finally:
            state.enabled = prev
        if not prev or not any(isinstance(a, Tensor) and a._rg for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        res = DelayedError(_TWICE).mark((outputs,) if single else outputs)
        return res[0] if single else res
    return wrapper


_TWICE = 'trying to differentiate twice a function that was marked with @once_differentiable'
