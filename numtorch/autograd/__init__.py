"""torch.autograd: backward, grad, Function, Variable, gradcheck and grad modes."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,
                        is_grad_enabled, is_inference_mode_enabled)
from .engine import run_backward, anomaly
from .function import Function, FunctionCtx, once_differentiable
from .variable import Variable
from .gradcheck import gradcheck, gradgradcheck, GradcheckError
from . import graph
from . import functional
from . import forward_ad

__all__ = ['backward', 'grad', 'Function', 'FunctionCtx', 'Variable', 'gradcheck',
           'gradgradcheck', 'no_grad', 'enable_grad', 'set_grad_enabled', 'inference_mode',
           'set_detect_anomaly', 'detect_anomaly', 'is_anomaly_enabled', 'once_differentiable']


def _seq(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _root_grads(outputs, grads, create_graph, is_grads_batched=False):
    out = []
    grads = grads or [None] * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f'grad requires one grad_output per output: got {len(grads)} '
                           f'grad_outputs and {len(outputs)} outputs')
    for i, (o, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if o._data.size != 1:
                raise RuntimeError('grad can be implicitly created only for scalar outputs')
            if o._data.dtype.kind != 'f':
                raise RuntimeError(f'grad can be implicitly created only for real scalar '
                                   f'outputs but got {o.dtype}')
            a = np.ones(o._data.shape, o._data.dtype)
            out.append(_wrap(a) if create_graph else a)
            continue
        if not isinstance(g, Tensor):
            g = _wrap(np.asarray(g, o._data.dtype))
        if g._data.shape != o._data.shape:
            raise RuntimeError(f'Mismatch in shape: grad_output[{i}] has a shape of '
                               f'{g.shape} and output[{i}] has a shape of {o.shape}.')
        if create_graph:
            out.append(g)
        else:
            a = g._data
            out.append(a if a.dtype == o._data.dtype else a.astype(o._data.dtype))
    return out


def _check_roots(outputs):
    for i, o in enumerate(outputs):
        if not o._rg:
            raise RuntimeError(f'element {i} of tensors does not require grad and does not have '
                               'a grad_fn')


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             grad_variables=None, inputs=None) -> None:
    """Accumulates into the ``.grad`` of the leaves the gradients of ``tensors``."""
    outs = _seq(tensors)
    _check_roots(outs)
    if forward_ad._current_level >= 0:
        forward_ad._backward_runs += 1
    grads = _root_grads(outs, _seq(grad_tensors if grad_tensors is not None else grad_variables),
                        create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    ins = _seq(inputs)
    if ins is not None and not ins:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(outs, grads, retain_graph, create_graph, inputs=ins)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused=None, is_grads_batched: bool = False,
         materialize_grads: bool = False):
    """Returns the gradients of ``outputs`` with respect to ``inputs`` (without touching
    ``.grad``)."""
    if is_grads_batched:
        raise NotImplementedError('autograd.grad(is_grads_batched=True) is not supported by '
                                  'numtorch')
    outs = _seq(outputs)
    ins = _seq(inputs)
    _check_roots(outs)
    if forward_ad._current_level >= 0:
        forward_ad._backward_runs += 1
    for t in ins:
        if not t._rg:
            raise RuntimeError('One of the differentiated Tensors does not require grad')
    grads = _root_grads(outs, _seq(grad_outputs), create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    allow = bool(allow_unused) or materialize_grads
    res = run_backward(outs, grads, retain_graph, create_graph, inputs=ins,
                       allow_unused=allow, accumulate=False)
    final = []
    for t, g in zip(ins, res):
        if g is None:
            final.append(t.new_zeros(t.shape) if materialize_grads else None)
        elif create_graph:
            final.append(g)
        else:
            final.append(_wrap(g if g.base is None and g.flags.writeable else g.copy()))
    return tuple(final)


class set_detect_anomaly:
    """Turns anomaly detection (NaN checks on every backward output) on or off."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (anomaly.enabled, anomaly.check_nan)
        anomaly.enabled = mode
        anomaly.check_nan = check_nan

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        anomaly.enabled, anomaly.check_nan = self.prev


class detect_anomaly(set_detect_anomaly):
    """Context manager that enables anomaly detection inside its block."""

    def __init__(self, check_nan: bool = True) -> None:
        super().__init__(True, check_nan)


def is_anomaly_enabled() -> bool:
    return anomaly.enabled


from . import profiler  # noqa: E402  (torch.autograd.profiler, the legacy profiler API)
