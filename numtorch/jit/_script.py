"""torch.jit.script and the objects it returns.

numtorch compiles no TorchScript: like ``numtorch.compile``, which hands the model back, the
objects made here run the same Python code eagerly, which gives the numbers the compiled
program gives. What differs is only what a compiler adds on top of the code: there is no
``.code``/``.graph`` to show (reading them raises NotImplementedError), no type checking of
the source, and no TorchScript archive to save. While a scripted object runs,
``torch.jit.is_scripting()`` is True, so code written with a scripting branch takes it, and a
``@torch.jit.unused`` function reached from there raises as the compiled stub does.
"""
from __future__ import annotations

import collections
import copy
import functools
import itertools
import inspect
import types
import typing
import warnings

from ..nn.modules.module import Module
from ._state import flags, run_as

__all__ = ['script', 'ScriptModule', 'RecursiveScriptModule', 'ScriptFunction', 'ignore',
           'unused', 'export', 'script_method', 'interface', 'Error', 'Attribute', 'Final',
           'annotate', 'isinstance', 'script_if_tracing', 'freeze', 'optimize_for_inference']

Final = typing.Final
Attribute = collections.namedtuple('Attribute', ['value', 'type'])
Attribute.__module__ = 'numtorch.jit'

_DEPRECATED = ('`torch.jit.{}` is deprecated. Please switch to `torch.compile` or '
               '`torch.export`.')


class Error(Exception):
    """Raised by the TorchScript interpreter (here: by a ``@torch.jit.unused`` function called
    from scripted code)."""


Error.__module__ = 'numtorch.jit'


def _no_compiled(owner: str, what: str):
    raise NotImplementedError(
        f'{owner}.{what}: numtorch compiles no TorchScript, so there is no {what} to show; '
        'the scripted object runs its Python source as written')


class ScriptFunction:
    """A function returned by ``torch.jit.script`` or ``torch.jit.trace``: calling it runs the
    original function (with is_scripting()/is_tracing() set accordingly)."""

    __slots__ = ('_fn', '_mode', 'name', '__weakref__')

    def __init__(self, fn, mode: str, name: str) -> None:
        self._fn = fn
        self._mode = mode
        self.name = name

    def __call__(self, *args, **kwargs):
        return run_as(self._mode, self._fn, args, kwargs)

    @property
    def qualified_name(self) -> str:
        return f'__torch__.{self.name}'

    @property
    def code(self):
        _no_compiled('ScriptFunction', 'code')

    @property
    def graph(self):
        _no_compiled('ScriptFunction', 'graph')

    @property
    def inlined_graph(self):
        _no_compiled('ScriptFunction', 'inlined_graph')

    @property
    def schema(self):
        _no_compiled('ScriptFunction', 'schema')

    def save(self, f, **kwargs):
        from ._serialization import save
        save(self, f)


ScriptFunction.__module__ = 'numtorch.jit'

# Keys of Module.__dict__ that a scripted copy rebuilds rather than copies.
_OWN = frozenset(('_parameters', '_buffers', '_modules', '_non_persistent_buffers_set'))


class ScriptModule(Module):
    """Base class of scripted and traced modules. Subclassing it directly (the old
    ``@torch.jit.script_method`` style) gives an ordinary module running its Python code."""

    @property
    def code(self):
        _no_compiled(type(self).__name__, 'code')

    @property
    def graph(self):
        _no_compiled(type(self).__name__, 'graph')

    @property
    def inlined_graph(self):
        _no_compiled(type(self).__name__, 'inlined_graph')

    @property
    def code_with_constants(self):
        _no_compiled(type(self).__name__, 'code_with_constants')

    def save(self, f, **kwargs):
        from ._serialization import save
        save(self, f)


class RecursiveScriptModule(ScriptModule):
    """What ``torch.jit.script(module)`` and ``torch.jit.trace(module, ...)`` return: a copy of
    the module tree sharing its parameters and buffers, whose methods are the original class's,
    run with the scripting (or tracing) flag set. Its repr shows ``original_name`` only, as
    PyTorch's does."""

    def forward(self, *args, **kwargs):
        d = self.__dict__
        frozen = d.get('_nt_frozen')
        if frozen is not None:
            return frozen(*args, **kwargs)
        return run_as(d['_nt_mode'], d['_nt_cls'].forward, (self,) + args, kwargs)

    def __getattr__(self, name: str):
        try:
            return Module.__getattr__(self, name)
        except AttributeError:
            pass
        d = self.__dict__
        cls = d.get('_nt_cls')
        frozen = d.get('_nt_frozen')
        if frozen is not None:
            if name in d['_nt_preserved']:
                return getattr(frozen, name)
        elif cls is not None:
            attr = inspect.getattr_static(cls, name, _MISSING)
            if attr is not _MISSING:
                if _builtin_isinstance(attr, types.FunctionType):
                    return _method(self, attr, d['_nt_mode'])
                if hasattr(attr, '__get__'):
                    return attr.__get__(self, type(self))
                return attr
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _delegate(self, name: str):
        fn = getattr(self.__dict__['_nt_cls'], name, None)
        if fn is None:
            raise TypeError(f"'{type(self).__name__}' object does not support {name}")
        return fn

    # NOTE: len()/iter()/[] look up dunder methods on the type, never through __getattr__, so
    # containers (Sequential, ModuleList, ModuleDict) need these explicit forwards.
    def __len__(self) -> int:
        return self._delegate('__len__')(self)

    def __iter__(self):
        return self._delegate('__iter__')(self)

    def __getitem__(self, idx):
        return self._delegate('__getitem__')(self, idx)

    def __contains__(self, key) -> bool:
        return self._delegate('__contains__')(self, key)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(dir(self.__dict__['_nt_cls'])))

    def extra_repr(self) -> str:
        return f'original_name={self.original_name}'


_MISSING = object()


def _method(sm: RecursiveScriptModule, fn, mode: str):
    """fn bound to the scripted module, run under its mode (ignored and unused functions
    keep plain Python, as their wrappers decide for themselves)."""
    bound = fn.__get__(sm, type(sm))
    if getattr(fn, '_nt_jit_modifier', None) in ('ignore', 'unused'):
        return bound

    @functools.wraps(fn)
    def method(*args, **kwargs):
        return run_as(mode, bound, args, kwargs)
    return method


def _wrap_module(module: Module, mode: str) -> RecursiveScriptModule:
    if isinstance(module, ScriptModule):
        return module
    sm = RecursiveScriptModule.__new__(RecursiveScriptModule)
    d = sm.__dict__
    for k, v in module.__dict__.items():
        if k in _OWN:
            continue
        if isinstance(v, collections.OrderedDict) and k.startswith('_'):
            v = collections.OrderedDict(v)  # hook tables: the copy gets its own
        elif isinstance(v, Attribute):
            v = v.value
        d[k] = v
    d['_parameters'] = dict(module._parameters)
    d['_buffers'] = dict(module._buffers)
    d['_non_persistent_buffers_set'] = set(module._non_persistent_buffers_set)
    d['_modules'] = {k: None if m is None else _wrap_module(m, mode)
                     for k, m in module._modules.items()}
    d['_nt_cls'] = type(module)
    d['_nt_mode'] = mode
    d['original_name'] = type(module).__name__
    return sm


def freeze(mod: ScriptModule, preserved_attrs: list | None = None,
           optimize_numerics: bool = True) -> RecursiveScriptModule:
    """A frozen copy of an eval-mode scripted module: its parameters and buffers become
    constants (copied now, no longer trainable), so the result has no parameters, buffers,
    submodules or other attributes left to read; only ``forward`` and the methods or
    attributes named in ``preserved_attrs`` remain. Its outputs equal the module's."""
    if not _builtin_isinstance(mod, ScriptModule):
        raise RuntimeError('Freezing expects a ScriptModule as input. Please use '
                           "torch.jit.script or torch.jit.trace to script your 'nn.Module'.")
    if mod.training:
        raise RuntimeError('Freezing is currently only implemented for modules in eval mode. '
                           'Please call .eval() on your module before freezing.')
    inner = copy.deepcopy(mod)
    for t in itertools.chain(inner.parameters(), inner.buffers()):
        t.requires_grad_(False)
    fm = RecursiveScriptModule.__new__(RecursiveScriptModule)
    d = fm.__dict__
    for k, v in Module().__dict__.items():
        if k != 'training':  # a frozen module has no training flag either
            d[k] = v
    d['_nt_cls'] = inner.__dict__.get('_nt_cls', type(mod))
    d['_nt_mode'] = 'script'
    d['_nt_frozen'] = inner
    d['_nt_preserved'] = frozenset(preserved_attrs or ())
    d['original_name'] = getattr(mod, 'original_name', type(mod).__name__)
    return fm


def optimize_for_inference(mod: ScriptModule, other_methods: list | None = None
                           ) -> RecursiveScriptModule:
    """``freeze(mod.eval())`` keeping ``other_methods``. PyTorch then rewrites the graph
    for speed (folding batch norms into convolutions, ...); with no graph here, the frozen
    module runs the Python code as is."""
    if not _builtin_isinstance(mod, ScriptModule):
        raise RuntimeError('optimize_for_inference expects a ScriptModule as input. Please use '
                           "torch.jit.script or torch.jit.trace to script your 'nn.Module'.")
    if '_nt_frozen' in mod.__dict__:
        return mod
    return freeze(mod.eval(), preserved_attrs=other_methods)


def script(obj, optimize=None, _frames_up: int = 0, _rcb=None, example_inputs=None):
    """Returns an object that runs ``obj`` as TorchScript would: a module becomes a
    RecursiveScriptModule, a function a ScriptFunction, a class is returned as is.
    (``example_inputs`` only guides TorchScript's type inference, which numtorch has no use
    for.)"""
    warnings.warn(_DEPRECATED.format('script'), DeprecationWarning, stacklevel=1)
    if isinstance(obj, (ScriptModule, ScriptFunction)):
        return obj
    if isinstance(obj, Module):
        return _wrap_module(obj, 'script')
    if inspect.isclass(obj):
        if obj.__module__ == 'builtins':
            raise TypeError(f'{obj} is a built-in class')
        return obj
    if isinstance(obj, (dict, list)):
        raise NotImplementedError(f'numtorch.jit.script({type(obj).__name__}): ScriptDict and '
                                  'ScriptList are not supported')
    if not callable(obj):
        if type(obj).__module__ == 'builtins':
            raise TypeError(f'{type(obj)} is a built-in class')
        raise NotImplementedError(f'numtorch.jit.script: cannot script a '
                                  f'{type(obj).__name__} object')
    return ScriptFunction(obj, 'script', getattr(obj, '__name__', type(obj).__name__))


def _modified(fn, kind: str):
    fn._nt_jit_modifier = kind
    return fn


def ignore(drop=False, **kwargs):
    """Marks a function to stay Python: called from scripted code it runs as plain Python
    (``is_scripting()`` False inside). ``drop=True`` is the old spelling of ``unused``.
    Usable as ``@ignore`` or ``@ignore(drop=...)``."""
    if callable(drop):
        return _ignored(drop)
    if 'drop_on_export' in kwargs:
        drop = kwargs.pop('drop_on_export') or drop
    if kwargs:
        raise TypeError(f'ignore() got an unexpected keyword argument {next(iter(kwargs))!r}')
    return unused if drop else _ignored


def _ignored(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if flags.scripting or flags.tracing:
            return run_as(None, fn, args, kwargs)
        return fn(*args, **kwargs)
    return _modified(wrapper, 'ignore')


def unused(fn):
    """Marks a function (or property) that scripted code must not call: from plain Python it
    runs normally; reached from a scripted object it raises ``torch.jit.Error``, as the stub
    TorchScript compiles in its place does."""
    if isinstance(fn, property):
        return property(unused(fn.fget) if fn.fget else None,
                        unused(fn.fset) if fn.fset else None, fn.fdel, fn.__doc__)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if flags.scripting:
            raise Error('The following operation failed in the TorchScript interpreter.\n'
                        'RuntimeError: This Python function is annotated to be ignored')
        return fn(*args, **kwargs)
    return _modified(wrapper, 'unused')


def export(fn):
    """Marks a method to compile besides ``forward`` (every method is available here)."""
    return _modified(fn, 'export')


def script_method(fn):
    """The legacy ``ScriptModule`` method decorator: the method runs as written."""
    return fn


def interface(obj):
    """Declares a TorchScript interface type; in Python it is the class itself."""
    if not inspect.isclass(obj):
        raise RuntimeError('interface must be applied to a class')
    return obj


def script_if_tracing(fn):
    """Scripts ``fn`` the first time it is called under tracing; here it runs as written."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def annotate(the_type, the_value):
    """Gives TorchScript the type of ``the_value``; returns the value unchanged."""
    return the_value


_builtin_isinstance = isinstance


def isinstance(obj, target_type) -> bool:  # noqa: A001  (torch.jit.isinstance)
    """``isinstance`` that understands typing containers (List[int], Dict[str, Tensor],
    Optional[...], Tuple[...], Union[...]). Like PyTorch in eager mode, an empty container
    matches any element type (with a warning)."""
    origin = typing.get_origin(target_type)
    if origin is None:
        if target_type is typing.Any:
            return True
        if target_type is None or target_type is type(None):
            return obj is None
        return _builtin_isinstance(obj, target_type)
    args = typing.get_args(target_type)
    if origin is typing.Union or origin is types.UnionType:
        return any(isinstance(obj, a) for a in args)
    if origin is list:
        if not _builtin_isinstance(obj, list):
            return False
        if not obj:
            _warn_empty()
            return True
        return all(isinstance(x, args[0]) for x in obj) if args else True
    if origin is dict:
        if not _builtin_isinstance(obj, dict):
            return False
        if not obj:
            _warn_empty()
            return True
        return all(isinstance(k, args[0]) and isinstance(v, args[1]) for k, v in obj.items())
    if origin is tuple:
        if not _builtin_isinstance(obj, tuple):
            return False
        return len(obj) == len(args) and all(isinstance(x, a) for x, a in zip(obj, args))
    return _builtin_isinstance(obj, origin)


def _warn_empty() -> None:
    warnings.warn('The inner type of a container is lost when calling torch.jit.isinstance in '
                  'eager mode. For example, List[int] would become list and therefore falsely '
                  'return True for List[float] or List[str].', stacklevel=3)
