"""torch.autograd.forward_ad: forward-mode automatic differentiation with dual tensors.

Inside a ``dual_level``, ``make_dual(x, t)`` gives a tensor whose value is ``x`` and whose
tangent (forward gradient) is ``t``; every op run on it gives an output whose tangent is the
op's Jacobian-vector product, and ``unpack_dual`` reads both parts back.

How numtorch does it: a tangent lives in the tensor's extension dict (``t._x['fwd']``) as
``(level_token, tangent_tensor)``; a new token per level makes tangents of an exited level
invisible without walking every tensor. While a level is active, ``Op.apply``/``apply1``/
``apply2``, ``_inplace`` (every in-place op) and ``indexing.setitem`` are swapped
for versions that also propagate tangents, so code outside a dual level pays nothing for
forward AD. The JVP of an op comes from
``numtorch.autograd._fwd_rules`` (explicit formulas for the common ops), from re-running the
op on the tangent for a view, or else from the op's differentiable backward (``backward_t``,
linear in the output gradient ``u``): ``J t = d/du <backward_t(u), t>``, one reverse pass.
"""
from __future__ import annotations

import copy
import re
import sys
from typing import Any, NamedTuple, Optional

import numpy as np

from .._state import state
from .._dtype import NP2DT as _NP2DT
from .._tensor import Tensor, _wrap, _as_view
from .. import _tensor as _tensor_mod
from .._ops._op import Op, cast
from .._ops import indexing as _ix

__all__ = ['UnpackedDualTensor', 'enter_dual_level', 'exit_dual_level', 'make_dual',
           'unpack_dual', 'dual_level']

# The current level (-1: none) and its token; only one level at a time, as in PyTorch.
_current_level = -1
_token: Optional[object] = None
# True while a JVP is being computed, so that the ops it runs propagate no tangents.
_busy = False
# Reverse passes (autograd.grad / backward) run inside a level: they carry no tangents, so
# torch.func.jvp, which counts them, then differentiates the other way.
_backward_runs = 0

_plain_apply = Op.apply
_plain_apply1 = Op.apply1
_plain_apply2 = Op.apply2
_plain_inplace = _tensor_mod._inplace
_plain_setitem = _ix.setitem


# -- tangent storage --------------------------------------------------------------------
def _tangent(t: Tensor) -> Optional[Tensor]:
    """The tangent of ``t`` at the current level, or None."""
    x = t._x
    if x is not None:
        e = x.get('fwd')
        if e is not None and e[0] is _token:
            return e[1]
    return None


def _set_tangent(t: Tensor, tangent: Optional[Tensor]) -> None:
    x = t._x
    if tangent is None:
        if x is not None:
            x.pop('fwd', None)
        return
    if x is None:
        x = t._x = {}
    x['fwd'] = (_token, tangent)


def _as_tangent(arr, out: np.ndarray) -> Tensor:
    """Wraps a computed JVP as the tangent of an output array ``out`` (its shape and dtype)."""
    if arr.dtype != out.dtype:
        arr = arr.astype(out.dtype)
    if arr.shape != out.shape:
        arr = np.array(np.broadcast_to(arr, out.shape))
    return _wrap(arr)


# -- propagation through ops ------------------------------------------------------------
def _fw_apply1(self: Op, x: Tensor) -> Tensor:
    out = _plain_apply1(self, x)
    if not _busy:
        tx = _tangent(x)
        if tx is not None:
            _propagate(self, (x,), (tx,), out)
    return out


def _fw_apply2(self: Op, a: Tensor, b: Tensor) -> Tensor:
    out = _plain_apply2(self, a, b)
    if not _busy:
        ta = _tangent(a)
        tb = _tangent(b)
        if ta is not None or tb is not None:
            _propagate(self, (a, b), (ta, tb), out)
    return out


def _fw_apply(self: Op, *ts: Tensor):
    out = _plain_apply(self, *ts)
    if not _busy:
        tans = tuple(_tangent(t) for t in ts)
        for tn in tans:
            if tn is not None:
                _propagate(self, ts, tans, out)
                break
    return out


def _op_label(op: Op) -> str:
    """The ATen-style name of an op from its node name (EmbeddingBagBackward0 -> embedding_bag)."""
    name = re.sub(r'Backward[0-9]*$', '', op.name().split('::')[-1])
    return re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()


def _unsupported(op: Op) -> NotImplementedError:
    return unsupported_error(_op_label(op))


def unsupported_error(label: str) -> NotImplementedError:
    """PyTorch's error for forward AD through the ATen function ``label``, which has no
    forward-AD formula."""
    return NotImplementedError(
        f'Trying to use forward AD with {label} that does not support it because it has not '
        'been implemented yet.\nPlease file an issue to PyTorch at https://github.com/pytorch/'
        'pytorch/issues/new?template=feature-request.yml so that we can prioritize its '
        'implementation or submit a PR adding the implementation to derivatives.yaml')


def _propagate(op: Op, ts, tans, out) -> None:
    """Sets on the float outputs of ``op`` (run on ``ts``) the JVP of the input tangents."""
    global _busy
    outs = out if type(out) is tuple else (out,)
    if not any(o._data.dtype.kind == 'f' for o in outs):
        return
    targs = tuple(None if tn is None else tn._data for tn in tans)
    from . import _fwd_rules
    _busy = True
    prev = state.enabled
    # With grad mode on and an input or a tangent requiring grad, the output tangent must
    # be differentiable too (PyTorch computes it with differentiable ops): Tensor ops then.
    hist = prev and (any(t._rg for t in ts) or any(tn is not None and tn._rg for tn in tans))
    try:
        rule = _fwd_rules.RULES.get(type(op))
        if rule is None and not hist:
            rule = _fwd_rules.ARRAY_RULES.get(type(op))
        if rule is not None:
            if hist:
                res = rule(op, ts, tans, outs, _run_tracked)
            else:
                res = rule(op, tuple(t._data for t in ts), targs, tuple(o._data for o in outs),
                           _run_arrays)
        elif hist:
            res = _jvp_tracked(op, ts, tans, outs)
        elif _is_view(ts, outs):
            res = copy.copy(op).forward(targs[0])
        else:
            state.enabled = True
            res = _jvp_by_backward(op, ts, targs, outs)
    finally:
        _busy = False
        state.enabled = prev
    if type(res) is not tuple:
        res = (res,)
    for o, r in zip(outs, res):
        if r is not None and o._data.dtype.kind == 'f':
            if isinstance(r, Tensor):
                if r._data.dtype != o._data.dtype:
                    r = r.to(_NP2DT[o._data.dtype])
                if r._data.shape != o._data.shape:
                    r = r.expand(o._data.shape).clone()
                _set_tangent(o, r)
            else:
                _set_tangent(o, _as_tangent(r, o._data))


def _run_arrays(op: Op, *args):
    """The op's forward on other arrays (for a formula linear in some of its inputs)."""
    return copy.copy(op).forward(*args)


def _run_tracked(op: Op, *args):
    """The op on other tensors, recorded for autograd."""
    return _plain_apply(copy.copy(op), *args)


def _jvp_tracked(op, ts, tans, outs):
    """The JVP as tensors with autograd history (see ``_jvp_by_backward``; here the inputs
    stay attached and the reverse pass records its graph, so the tangent is differentiable
    in the inputs and in the input tangents)."""
    if _is_view(ts, outs):
        return _plain_apply(copy.copy(op), tans[0])
    return _reverse_jvp(op, ts, tans, outs, True)


def _is_view(ts, outs) -> bool:
    """Whether the op made its one output as a view of its one input.

    NOTE: such an op selects elements of its input, so it is linear, and its tangent is the
    same view of the input's tangent (in-place writes through either reach both, as in
    PyTorch): the op re-run on the tangent."""
    return len(ts) == 1 and len(outs) == 1 and np.may_share_memory(outs[0]._data, ts[0]._data)


def _jvp_by_backward(op: Op, ts, targs, outs):
    """The JVP of ``op`` from its differentiable backward: ``backward_t(u)`` is linear in
    the output gradient ``u``, so its gradient w.r.t. ``u`` for the cotangent ``t`` is
    ``J t`` (one small reverse pass instead of a formula per op)."""
    # Detached inputs: the reverse pass must stay inside this op's backward graph.
    return _reverse_jvp(op, tuple(_wrap(t._data) for t in ts), targs, outs, False)


def _reverse_jvp(op: Op, inputs, tans, outs, tracked: bool):
    """The reverse pass of the two JVPs above: ``tans`` are tensors (``tracked``: the pass
    records its graph) or arrays."""
    from .engine import run_backward
    if type(op).backward_t is Op.backward_t:
        raise _unsupported(op)
    op2 = copy.copy(op)
    op2.inputs = inputs
    op2.needs = [tn is not None for tn in tans]
    us = []
    for o in outs:
        u = _wrap(np.zeros(o._data.shape, o._data.dtype))
        if o._data.dtype.kind == 'f':
            u._rg = True
        us.append(u)
    try:
        gxs = op2.backward_t(*us)
    except NotImplementedError:
        raise _unsupported(op) from None
    if type(gxs) is not tuple:
        gxs = (gxs,)
    roots = []
    cots = []
    for gx, tn in zip(gxs, tans):
        if tn is None or not isinstance(gx, Tensor) or not gx._rg:
            continue
        gd = gx._data
        if tracked:
            if tn._data.dtype != gd.dtype:
                tn = tn.to(_NP2DT[gd.dtype])
            if tn._data.shape != gd.shape:
                tn = tn.expand(gd.shape)
        else:
            tn = tn if tn.dtype == gd.dtype else tn.astype(gd.dtype)
            if tn.shape != gd.shape:
                tn = np.array(np.broadcast_to(tn, gd.shape))
        roots.append(gx)
        cots.append(tn)
    fus = [u for u in us if u._rg]
    if not roots:
        res = [None] * len(fus)
    else:
        res = run_backward(roots, cots, tracked, tracked, inputs=fus, allow_unused=True,
                           accumulate=False)
    it = iter(res)
    out = []
    for u in us:
        if not u._rg:
            out.append(None)
            continue
        r = next(it)
        out.append(np.zeros(u._data.shape, u._data.dtype) if r is None else r)
    return tuple(out)


# -- in-place ops -----------------------------------------------------------------------
def _fw_inplace(self: Tensor, fn, *args, **kwargs) -> Tensor:
    """``_tensor._inplace`` with tangents: the out-of-place result's tangent is written
    into ``self``'s tangent (made, with zeros elsewhere, when ``self`` had none)."""
    global _busy
    if _busy:
        return _plain_inplace(self, fn, *args, **kwargs)
    old = _tangent(self)
    got = []

    def run(s, *a, **k):
        # ``s`` is ``self`` or the copy of its old values that stands in for it.
        # (An argument that was ``self`` is that same copy.)
        if s is not self and old is not None:
            _set_tangent(s, old)
        global _busy
        _busy = False
        try:
            r = fn(s, *a, **k)
        finally:
            _busy = True
        got.append(r)
        return r

    # The history rewiring of a view (CopySlices) must not propagate tangents itself.
    _busy = True
    try:
        _plain_inplace(self, run, *args, **kwargs)
    finally:
        _busy = False
    tr = _tangent(got[0]) if got else None
    if tr is None and old is None:
        return self
    if old is None:
        old = _new_tangent(self)
    if tr is None:
        old._data[...] = 0
    else:
        old._data[...] = tr._data
        if tr._rg:
            # The written values, and their history, are the new tangent's.
            _set_tangent(self, tr)
    return self


def _new_tangent(t: Tensor) -> Tensor:
    """A zero tangent for ``t``; for a view, a view of a new zero tangent of its base (so
    the base, as in PyTorch, becomes dual too)."""
    base = t._base
    d = t._data
    if base is None or base._data.dtype != d.dtype:
        tan = _wrap(np.zeros_like(d))
        _set_tangent(t, tan)
        return tan
    btan = _tangent(base)
    if btan is None:
        btan = _wrap(np.zeros_like(base._data))
        _set_tangent(base, btan)
    bd = base._data
    bt = btan._data
    if bt.strides != bd.strides or bt.dtype != bd.dtype:
        raise NotImplementedError('numtorch cannot give a forward-AD tangent to this view: its '
                                  'base already has a tangent with another memory layout')
    # The view's tangent: the same byte offset and strides inside the base's tangent.
    off = d.__array_interface__['data'][0] - bd.__array_interface__['data'][0]
    own = bt
    while isinstance(own.base, np.ndarray):
        own = own.base
    start = bt.__array_interface__['data'][0] - own.__array_interface__['data'][0]
    arr = np.ndarray(d.shape, d.dtype, buffer=own, offset=start + off, strides=d.strides)
    tan = _wrap(arr)
    _set_tangent(t, tan)
    return tan


def _fw_setitem(self: Tensor, key, value) -> None:
    """``self[key] = value`` with tangents: the write goes through the in-place machinery
    (``index_put``) whenever either side is dual."""
    if _busy or (_tangent(self) is None and not (isinstance(value, Tensor)
                                                 and _tangent(value) is not None)):
        return _plain_setitem(self, key, value)
    k, _ = _ix._convert_key(key)
    if not isinstance(value, Tensor):
        value = _wrap(np.asarray(value, self._data.dtype))
    elif value._data.dtype != self._data.dtype:
        value = cast(value, self._data.dtype)
    _fw_inplace(self, _ix._index_put_fn, k, value, key)
    return None


def _install(on: bool) -> None:
    """Swaps in (or back out) the tangent-propagating entry points: outside a dual level
    numtorch's ops run exactly the code they run without forward AD."""
    if on:
        Op.apply = _fw_apply
        Op.apply1 = _fw_apply1
        Op.apply2 = _fw_apply2
        _ix.setitem = _fw_setitem
        old, new = _plain_inplace, _fw_inplace
    else:
        Op.apply = _plain_apply
        Op.apply1 = _plain_apply1
        Op.apply2 = _plain_apply2
        _ix.setitem = _plain_setitem
        old, new = _fw_inplace, _plain_inplace
    for mod in _inplace_holders():
        if getattr(mod, '_inplace', None) is old:
            mod._inplace = new


_holders: list = []
_modules_seen = 0


def _inplace_holders() -> list:
    """The numtorch modules that imported ``_inplace`` by name (nn.functional's relu_,
    dropout, masked_fill_, ...): each holds its own reference to swap. Rescanned only when
    modules were imported since the last scan."""
    global _modules_seen
    if len(sys.modules) != _modules_seen:
        _modules_seen = len(sys.modules)
        _holders[:] = [m for n, m in list(sys.modules.items())
                       if (n == 'numtorch' or n.startswith('numtorch.'))
                       and getattr(m, '_inplace', None) in (_plain_inplace, _fw_inplace)]
    return _holders


# -- public API ---------------------------------------------------------------------------
def enter_dual_level() -> int:
    """Enters a new forward-AD level and returns it (0: only one level at a time)."""
    global _current_level, _token
    if _current_level >= 0:
        raise RuntimeError('Nested forward mode AD is not supported at the moment')
    _current_level = 0
    _token = object()
    _install(True)
    return 0


def exit_dual_level(*, level: Optional[int] = None) -> None:
    """Exits the current forward-AD level: every tangent made in it is dropped."""
    global _current_level, _token
    if level is None:
        level = _current_level
    if level != _current_level:
        raise RuntimeError('Trying to exit a forward AD level that was not the last one that '
                           'was created. This is not supported.')
    if level < 0:
        raise RuntimeError('Dual level must be a positive number.')
    _install(False)
    _current_level = -1
    _token = None


def _check_level(level, fn: str) -> int:
    if level is None:
        level = _current_level
    if level >= 0 and level != _current_level:
        raise RuntimeError(f'Invalid level given to {fn}')
    return level


def make_dual(tensor: Tensor, tangent: Tensor, *, level: Optional[int] = None) -> Tensor:
    """A view of ``tensor`` whose tangent is ``tangent`` (kept as is when it has
    ``tensor``'s memory layout, else copied into it). Backward-differentiable in ``tensor``."""
    if level is None:
        level = _current_level
    if level < 0:
        raise RuntimeError('Trying to create a dual Tensor for forward AD but no level exists, '
                           'make sure to enter_dual_level() first.')
    if tensor._data.dtype.kind == 'c' or tangent._data.dtype.kind == 'c':
        raise NotImplementedError('forward AD with complex tensors is not supported by numtorch')
    if tensor._data.dtype.kind != 'f':
        raise ValueError(f'Expected primal to be floating point or complex, but got: '
                         f'{tensor.dtype}')
    if tangent._data.dtype.kind != 'f':
        raise ValueError(f'Expected tangent to be floating point or complex, but got: '
                         f'{tangent.dtype}')
    _check_level(level, '_make_dual')
    if _tangent(tensor) is not None:
        raise RuntimeError('Making a dual Tensor based on a Tensor that already has a forward '
                           f'gradient at the same level {level} is not supported.')
    if tangent._data.shape != tensor._data.shape:
        raise RuntimeError('Trying to set a forward gradient that has a different size than '
                           'that of the original Tensor, this is not supported. Tensor is of '
                           f'size {list(tensor.shape)} while the given forward gradient is of '
                           f'size {list(tangent.shape)}.')
    from .._ops.shape import Reshape
    r = _as_view(_plain_apply1(Reshape(tensor._data.shape), tensor), tensor,
                 lambda a: a.reshape(a.shape))
    td = tangent._data
    if td.strides != tensor._data.strides:
        if tangent._rg and state.enabled:
            tangent = tangent.clone()
        else:
            a = np.empty_like(tensor._data, dtype=td.dtype)
            a[...] = td
            tangent = _wrap(a)
    _set_tangent(r, tangent)
    return r


class UnpackedDualTensor(NamedTuple):
    """What :func:`unpack_dual` returns: the primal and the tangent (None if not dual)."""
    primal: Tensor
    tangent: Optional[Tensor]


def unpack_dual(tensor: Tensor, *, level: Optional[int] = None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of ``tensor``: the primal is a view of it without tangent
    (backward-differentiable), the tangent is the stored tensor itself, or None."""
    if level is None:
        level = _current_level
    if level < 0:
        return UnpackedDualTensor(tensor, None)
    tangent = _tangent(tensor)
    if tangent is not None:
        _check_level(level, '_fw_primal')
    from .._ops.shape import Reshape
    op = Reshape(tensor._data.shape)
    op._name = 'torch::autograd::Identity'  # PyTorch's node for the _fw_primal view
    p = _as_view(_plain_apply1(op, tensor), tensor, lambda a: a.reshape(a.shape))
    return UnpackedDualTensor(p, tangent)


class dual_level:
    """Context manager (or decorator) for a forward-AD level: entered on ``__enter__``
    (returning the level), exited, with all its tangents, on ``__exit__``."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        exit_dual_level()

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper
