"""torch.jit: TorchScript's Python API on a library that compiles nothing.

``script``/``trace`` hand back objects that run the same Python code (see _script.py and
_trace.py for what that keeps and what it cannot); the decorators and helpers behave as they
do in eager PyTorch; TorchScript archives (``save``/``load``) are not supported.
"""
from ._state import is_scripting, is_tracing
from ._script import (script, ScriptModule, RecursiveScriptModule, ScriptFunction, ignore,
                      unused, export, script_method, interface, Error, Attribute, Final,
                      annotate, isinstance, script_if_tracing, freeze,
                      optimize_for_inference)
from ._trace import trace, trace_module
from ._async import Future, fork, wait
from ._serialization import save, load

__all__ = ['script', 'trace', 'trace_module', 'ScriptModule', 'RecursiveScriptModule',
           'ScriptFunction', 'ignore', 'unused', 'export', 'script_method', 'interface',
           'Error', 'Attribute', 'Final', 'annotate', 'isinstance', 'script_if_tracing',
           'is_scripting', 'is_tracing', 'Future', 'fork', 'wait', 'save', 'load', 'freeze',
           'optimize_for_inference']
