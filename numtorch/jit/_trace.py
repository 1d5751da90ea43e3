"""torch.jit.trace and trace_module.

PyTorch records the tensor operations of one run on example inputs and replays that record
afterwards. numtorch has no recorder: it runs the function once on the example inputs (to
report the errors a trace would) and hands back an object that runs the Python code on every
call, with ``torch.jit.is_tracing()`` True. For code whose operations do not depend on the
values of its inputs (the code tracing is meant for) the results are the same; where Python
control flow depends on tensor values, PyTorch's trace keeps the branch taken during tracing
(and warns), while numtorch takes the branch each call's values select.
"""
from __future__ import annotations

import warnings

from .._tensor import Tensor
from ..nn.modules.module import Module
from ._script import _DEPRECATED, ScriptFunction, ScriptModule, _wrap_module
from ._state import run_as

__all__ = ['trace', 'trace_module']


def _as_tuple(example_inputs) -> tuple:
    if isinstance(example_inputs, tuple):
        return example_inputs
    return (example_inputs,)


def _check_output(out) -> None:
    ok = isinstance(out, Tensor) or (
        isinstance(out, (list, tuple)) and all(_tensors_only(x) for x in out)) or (
        isinstance(out, dict) and all(_tensors_only(x) for x in out.values()))
    if not ok:
        raise RuntimeError('Only tensors, lists, tuples of tensors, or dictionary of tensors '
                           'can be output from traced functions')


def _tensors_only(x) -> bool:
    if isinstance(x, Tensor):
        return True
    if isinstance(x, (list, tuple)):
        return all(_tensors_only(y) for y in x)
    if isinstance(x, dict):
        return all(_tensors_only(y) for y in x.values())
    return False


def _run_example(fn, example_inputs, example_kwarg_inputs) -> None:
    if example_kwarg_inputs is not None:
        if not isinstance(example_kwarg_inputs, dict):
            raise RuntimeError('example_kwarg_inputs should be a dict')
        out = run_as('trace', fn, (), example_kwarg_inputs)
    else:
        out = run_as('trace', fn, _as_tuple(example_inputs), {})
    _check_output(out)


def trace(func, example_inputs=None, optimize=None, check_trace: bool = True,
          check_inputs=None, check_tolerance: float = 1e-5, strict: bool = True,
          _force_outplace: bool = False, _module_class=None, _compilation_unit=None,
          example_kwarg_inputs=None, _store_inputs: bool = True):
    """Runs ``func`` once on ``example_inputs`` (a tensor or a tuple of arguments) and returns
    a ScriptFunction (for a module: a RecursiveScriptModule) that runs it on later inputs.
    ``check_trace``/``check_inputs`` compare a replayed trace with the Python code; with no
    recorded trace the two are the same code, so there is nothing to compare."""
    warnings.warn(_DEPRECATED.format('trace'), DeprecationWarning, stacklevel=1)
    if isinstance(func, (ScriptModule, ScriptFunction)):
        warnings.warn('The input to trace is already a ScriptModule, tracing it is a no-op. '
                      'Returning the object as is.', stacklevel=2)
        return func
    if example_inputs is None and example_kwarg_inputs is None:
        raise RuntimeError('example_kwarg_inputs or example_inputs must be provided '
                           'to trace')
    if isinstance(func, Module):
        if example_kwarg_inputs is not None:
            return trace_module(func, {'forward': example_kwarg_inputs},
                                example_inputs_is_kwarg=True)
        return trace_module(func, {'forward': example_inputs})
    _run_example(func, example_inputs, example_kwarg_inputs)
    return ScriptFunction(func, 'trace', getattr(func, '__name__', type(func).__name__))


def trace_module(mod: Module, inputs: dict, optimize=None, check_trace: bool = True,
                 check_inputs=None, check_tolerance: float = 1e-5, strict: bool = True,
                 _force_outplace: bool = False, _module_class=None, _compilation_unit=None,
                 example_inputs_is_kwarg: bool = False, _store_inputs: bool = True):
    """Traces the methods named in ``inputs`` (method name -> example inputs) of ``mod``
    and returns the traced module (see ``trace``)."""
    warnings.warn(_DEPRECATED.format('trace_method'), DeprecationWarning, stacklevel=1)
    if not isinstance(mod, Module):
        raise AttributeError('expected torch.nn.Module as the first argument')
    if not isinstance(inputs, dict):
        raise AttributeError('expected a dictionary of (method_name, input) pairs')
    traced = _wrap_module(mod, 'trace')
    for name, example in inputs.items():
        method = getattr(traced, name)
        if example_inputs_is_kwarg:
            _run_example(method, None, example)
        else:
            _run_example(method, example, None)
    return traced
