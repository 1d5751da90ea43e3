"""Activation checkpointing, as ``torch.utils.checkpoint``.

``checkpoint(fn, *args)`` runs ``fn`` without keeping the values its backward needs and runs
it again during backward to get them, trading compute for memory. The random state of the
forward is restored for the recomputation, so dropout draws the same masks.

Two variants, as in PyTorch:

* reentrant (``use_reentrant=True``): ``fn`` runs under ``no_grad`` inside an
  ``autograd.Function``; its backward recomputes ``fn`` with grad enabled and runs a nested
  ``backward`` through the recomputed graph. Gradients reach only through the tensor
  arguments, so some argument must require grad.
* non-reentrant (``use_reentrant=False``): ``fn`` runs with autograd recording, so the outputs
  carry the real graph (the same ``grad_fn`` nodes as without checkpointing), but the nodes'
  saved values are dropped. The first of these nodes reached by a backward recomputes ``fn``
  and hands every node its values back. PyTorch does this with saved-tensor hooks; numtorch's
  ops save arrays on their nodes, so the nodes created during ``fn`` are collected instead.
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Any, Callable, ContextManager, Iterable, Tuple

from .._ops._op import Op
from .._tensor import Tensor
from ..autograd import backward as _autograd_backward
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad, no_grad
from ..random import get_rng_state, set_rng_state

__all__ = ['checkpoint', 'checkpoint_sequential', 'CheckpointError', 'CheckpointFunction',
           'check_backward_validity', 'detach_variable', 'noop_context_fn']

_DETERMINISM_MODES = ['default', 'none']


class CheckpointError(RuntimeError):
    """Raised when the recomputation does not reproduce the original forward."""


def noop_context_fn() -> Tuple[ContextManager, ContextManager]:
    """The default ``context_fn``: no context around the forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def detach_variable(inputs: Tuple[Any, ...]) -> Tuple[Any, ...]:
    """The tuple with each tensor detached, keeping its ``requires_grad``."""
    if not isinstance(inputs, tuple):
        raise RuntimeError('Only tuple of tensors is supported. Got Unsupported input type: '
                           f'{type(inputs).__name__}')
    out = []
    for inp in inputs:
        if isinstance(inp, Tensor):
            x = inp.detach()
            x.requires_grad = inp.requires_grad
            out.append(x)
        else:
            out.append(inp)
    return tuple(out)


def check_backward_validity(inputs: Iterable[Any]) -> None:
    """Warns when no tensor input requires grad (the reentrant variant then gives none)."""
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        warnings.warn('None of the inputs have requires_grad=True. Gradients will be None',
                      stacklevel=2)


@contextlib.contextmanager
def _rng_as_in_forward(state, enabled: bool):
    """Runs the block from the generator state ``state``, restoring the current one after."""
    if not enabled:
        yield
        return
    current = get_rng_state()
    set_rng_state(state)
    try:
        yield
    finally:
        set_rng_state(current)


class CheckpointFunction(Function):
    """The reentrant checkpoint: forward under ``no_grad``, backward by recomputation."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        if preserve_rng_state:
            ctx.fwd_cpu_state = get_rng_state()
        # Non-tensor arguments are kept as they are; tensors go through save_for_backward
        # (which checks them against in-place changes).
        ctx.inputs = []
        ctx.tensor_indices = []
        tensor_inputs = []
        for i, arg in enumerate(args):
            if isinstance(arg, Tensor):
                tensor_inputs.append(arg)
                ctx.tensor_indices.append(i)
                ctx.inputs.append(None)
            else:
                ctx.inputs.append(arg)
        ctx.save_for_backward(*tensor_inputs)
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        inputs = list(ctx.inputs)
        for idx, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[idx] = t
        with _rng_as_in_forward(getattr(ctx, 'fwd_cpu_state', None), ctx.preserve_rng_state):
            detached = detach_variable(tuple(inputs))
            with enable_grad():
                outputs = ctx.run_function(*detached)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        outs_with_grad = []
        grads_with_grad = []
        for out, g in zip(outputs, grads):
            if isinstance(out, Tensor) and out.requires_grad:
                outs_with_grad.append(out)
                grads_with_grad.append(g)
        if not outs_with_grad:
            raise RuntimeError('none of output has requires_grad=True, this checkpoint() is not '
                               'necessary')
        _autograd_backward(outs_with_grad, grads_with_grad)
        return (None, None) + tuple(inp.grad if isinstance(inp, Tensor) else None
                                    for inp in detached)


# -- the non-reentrant variant -------------------------------------------------------------
# Nodes created while a checkpointed function runs are appended to the innermost list here.
_recorders: list[list[Op]] = []
_plain_record = Op._record


def _recording_record(self: Op, ts, out):
    r = _plain_record(self, ts, out)
    _recorders[-1].append(self)
    return r


@contextlib.contextmanager
def _collect_nodes():
    """Collects, in creation order, the graph nodes recorded inside the block."""
    nodes: list[Op] = []
    # NOTE: Op._record is swapped only while some checkpointed function runs, so ordinary
    # ops keep their plain path; nested checkpoints each collect their own nodes.
    if not _recorders:
        Op._record = _recording_record
    _recorders.append(nodes)
    try:
        yield nodes
    finally:
        _recorders.pop()
        if not _recorders:
            Op._record = _plain_record


# Stands in for the saved values of a node whose function has not been recomputed yet.
_CHECKPOINTED = ('checkpointed',)


class _Recomputation:
    """The state of one non-reentrant checkpoint: its nodes and how to rebuild them."""

    def __init__(self, function, args, kwargs, rng_state, recompute_ctx, check: bool):
        self.function = function
        self.args = args
        self.kwargs = kwargs
        self.rng_state = rng_state
        self.recompute_ctx = recompute_ctx
        self.check = check
        self.nodes: list[Op] = []
        self.handles: list = []
        self.done = False

    def drop_saved(self, nodes: list[Op]) -> None:
        """Frees the nodes' saved values and arms a pre-hook on each to bring them back."""
        self.nodes = nodes
        for node in nodes:
            if node.saved is not None:
                node.saved = _CHECKPOINTED
            node.inputs = None
            self.handles.append(node.register_prehook(self._hook))

    def _hook(self, grad_outputs) -> None:
        if not self.done:
            self.recompute()

    def recompute(self) -> None:
        self.done = True
        for h in self.handles:
            h.remove()
        self.handles = []
        args = detach_variable(self.args)
        with _rng_as_in_forward(self.rng_state, self.rng_state is not None):
            with enable_grad(), self.recompute_ctx, _collect_nodes() as fresh:
                self.function(*args, **self.kwargs)
        self._restore(fresh)
        self.function = self.args = self.kwargs = None

    def _restore(self, fresh: list[Op]) -> None:
        old = self.nodes
        if self.check:
            if len(fresh) != len(old):
                raise CheckpointError(
                    'torch.utils.checkpoint: A different number of graph nodes was recorded '
                    'during the original forward and recomputation.\n'
                    f'Number of nodes recorded during forward: {len(old)}\n'
                    f'Number of nodes recorded during recomputation: {len(fresh)}')
            for i, (a, b) in enumerate(zip(old, fresh)):
                if a.name() != b.name() or a.needs != b.needs:
                    raise CheckpointError(
                        'torch.utils.checkpoint: Recomputed values for the following tensors '
                        'have different metadata than during the forward pass.\n'
                        f'node {i}: {a.name()} (inputs needing grad: {a.needs}) during forward, '
                        f'{b.name()} (inputs needing grad: {b.needs}) during recomputation')
        for a, b in zip(old, fresh):
            # Everything forward computed (saved arrays, masks, shapes) comes from the rerun;
            # the node keeps its own edges, hooks and metadata.
            a.saved = b.saved
            a.inputs = b.inputs
            a.vers = b.vers
            for k, v in b.__dict__.items():
                if k != '_metadata':
                    a.__dict__[k] = v


def _checkpoint_without_reentrant(function, preserve: bool, context_fn, determinism_check: str,
                                  args, kwargs):
    if determinism_check not in _DETERMINISM_MODES:
        raise ValueError(f'determinism_check should be one of {_DETERMINISM_MODES}, but got '
                         f'{determinism_check}')
    forward_ctx, recompute_ctx = context_fn()
    rng_state = get_rng_state() if preserve else None
    with forward_ctx, _collect_nodes() as nodes:
        out = function(*args, **kwargs)
    if nodes:
        rec = _Recomputation(function, args, kwargs, rng_state, recompute_ctx,
                             determinism_check == 'default')
        rec.drop_saved(nodes)
    return out


def checkpoint(function: Callable, *args, use_reentrant: bool | None = None,
               context_fn: Callable[[], Tuple[ContextManager, ContextManager]] = noop_context_fn,
               determinism_check: str = 'default', debug: bool = False,
               early_stop: bool = True, **kwargs):
    """Runs ``function(*args)`` without keeping its intermediate values for backward; they
    are recomputed when backward needs them (with the forward's random state restored
    unless ``preserve_rng_state=False``).

    ``use_reentrant`` should be given; without it PyTorch warns and uses the reentrant
    variant. Only the non-reentrant variant takes keyword arguments for ``function``,
    ``context_fn`` (two context managers: around the forward and around the
    recomputation) and ``determinism_check`` ('default' compares the recomputed graph with
    the original, 'none' skips that). The recomputation always reruns all of ``function``,
    which gives what ``early_stop`` would.
    """
    if use_reentrant is None:
        warnings.warn(
            'torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. '
            'Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an '
            'exception. use_reentrant=False is recommended, but if you need to preserve the '
            'current default behavior, you can pass use_reentrant=True. Refer to docs for more '
            'details on the differences between the two variants.', stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop('preserve_rng_state', True)
    if kwargs and use_reentrant:
        raise ValueError('Unexpected keyword arguments: ' + ','.join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError('Passing `context_fn` or `debug` is only supported when '
                             'use_reentrant=False.')
        return CheckpointFunction.apply(function, preserve, *args)
    if debug:
        raise NotImplementedError('torch.utils.checkpoint: debug=True (operator traces of the '
                                  'forward and the recomputation) is not supported by numtorch')
    return _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check,
                                         args, kwargs)


def checkpoint_sequential(functions, segments: int, input: Tensor,
                          use_reentrant: bool | None = None, **kwargs):
    """Runs a sequence of modules (or an ``nn.Sequential``) in ``segments`` chunks, every
    chunk but the last under :func:`checkpoint`."""
    if use_reentrant is None:
        warnings.warn(
            'torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should '
            'be passed explicitly. In version 2.9 we will raise an exception if use_reentrant '
            'is not passed. use_reentrant=False is recommended, but if you need to preserve the '
            'current default behavior, you can pass use_reentrant=True. Refer to docs for more '
            'details on the differences between the two variants.', stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop('preserve_rng_state', True)
    if kwargs:
        raise ValueError('Unexpected keyword arguments: ' + ','.join(arg for arg in kwargs))

    def run_function(start: int, end: int, functions):
        def forward(input):
            for j in range(start, end + 1):
                input = functions[j](input)
            return input
        return forward

    from ..nn.modules.container import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    # The last segment runs normally: its values are needed right away by backward.
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input,
                           use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
