"""``nn.Module``: the base class of every layer and network.

A Module keeps its parameters, buffers and child modules in three ordered dicts
(``_parameters``, ``_buffers``, ``_modules``); ``__setattr__`` files an assigned
value into the right one and ``__getattr__`` finds it there, exactly as PyTorch
does, so ``state_dict`` keys, ``repr`` and iteration order match PyTorch's.
"""
from __future__ import annotations

import functools
import itertools
import warnings
from collections import OrderedDict, namedtuple
from typing import Any, Callable, Iterator

from ..._tensor import Tensor, _wrap, _parse_to
from ..._ops._op import Op
from ..._device import check_device
from ..._state import state
from ...utils.hooks import RemovableHandle
from ..parameter import Parameter, Buffer

__all__ = ['Module', 'register_module_forward_pre_hook', 'register_module_forward_hook',
           'register_module_full_backward_hook', 'register_module_full_backward_pre_hook']

_EXTRA_STATE_KEY_SUFFIX = '_extra_state'
_COMPLEX_MODULE_WARNING = (
    'Complex modules are a new feature under active development whose design may change, and '
    'some modules might not work as expected when using complex tensors as parameters or '
    'buffers. Please file an issue at '
    'https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml if a complex module '
    'does not work as expected.')

# Hooks that run for every module (``register_module_forward_hook`` and friends).
_global_forward_pre_hooks: dict = OrderedDict()
_global_forward_hooks: dict = OrderedDict()
_global_forward_hooks_always_called: dict = OrderedDict()
_global_backward_hooks: dict = OrderedDict()
_global_backward_pre_hooks: dict = OrderedDict()


class _IncompatibleKeys(namedtuple('IncompatibleKeys', ['missing_keys', 'unexpected_keys'])):
    """What ``load_state_dict`` returns: the keys it could not match."""
    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return '<All keys matched successfully>'
        return super().__repr__()

    __str__ = __repr__


def _addindent(s: str, n: int) -> str:
    """Indents every line but the first of ``s`` by ``n`` spaces (blank lines stay empty)."""
    lines = s.split('\n')
    if len(lines) == 1:
        return s
    first = lines.pop(0)
    return first + '\n' + '\n'.join((' ' * n) + ln if ln.strip() else '' for ln in lines)


def _typename(obj) -> str:
    """``torch.typename``: 'torch.FloatTensor' for tensors, the qualified class otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    mod = getattr(type(obj), '__module__', '') or ''
    name = type(obj).__qualname__
    return name if mod in ('', 'builtins') else f'{mod}.{name}'


def _params(module: 'Module', *names: str) -> list:
    """The named parameters of ``module``, as a layer's forward reads them.

    NOTE: straight from ``_parameters`` (skipping Module.__getattr__, about 1 us a call on
    the hot path); a tensor moved out of it -- parametrized, or recomputed by a forward
    pre-hook such as the old weight_norm -- is read as an attribute instead."""
    p = module._parameters
    try:
        return [p[n] for n in names]
    except KeyError:
        return [getattr(module, n) for n in names]


def _forward_unimplemented(self, *input: Any) -> None:
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                              '"forward" function')


class Module:
    """Base class for all neural network modules; subclass it and define ``forward``.

    Submodules, :class:`Parameter` s and buffers assigned as attributes are
    registered automatically, so ``parameters()``, ``state_dict()``, ``to()`` and
    ``repr`` see the whole tree.
    """
    dump_patches = False
    _version = 1
    training: bool
    call_super_init = False
    forward: Callable[..., Any] = _forward_unimplemented

    def __init__(self, *args, **kwargs) -> None:
        if self.call_super_init is False and bool(kwargs):
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword "
                            f"argument '{next(iter(kwargs))}'")
        if self.call_super_init is False and bool(args):
            raise TypeError(f'{type(self).__name__}.__init__() takes 1 positional argument '
                            f'but {len(args) + 1} were given')
        d = self.__dict__
        d['training'] = True
        d['_parameters'] = {}
        d['_buffers'] = {}
        d['_non_persistent_buffers_set'] = set()
        d['_backward_pre_hooks'] = OrderedDict()
        d['_backward_hooks'] = OrderedDict()
        d['_is_full_backward_hook'] = None
        d['_forward_hooks'] = OrderedDict()
        d['_forward_hooks_with_kwargs'] = OrderedDict()
        d['_forward_hooks_always_called'] = OrderedDict()
        d['_forward_pre_hooks'] = OrderedDict()
        d['_forward_pre_hooks_with_kwargs'] = OrderedDict()
        d['_state_dict_hooks'] = OrderedDict()
        d['_state_dict_pre_hooks'] = OrderedDict()
        d['_load_state_dict_pre_hooks'] = OrderedDict()
        d['_load_state_dict_post_hooks'] = OrderedDict()
        d['_modules'] = {}
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    # -- calling ------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        # NOTE: the hook-free path is a bare forward call; it is the hot path of every net.
        d = self.__dict__
        try:
            hooked = (d['_forward_pre_hooks'] or d['_forward_hooks'] or d['_backward_hooks']
                      or d['_backward_pre_hooks'])
        except KeyError:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute "
                                 "'_forward_pre_hooks' (did its __init__ call "
                                 "super().__init__()?)") from None
        if (hooked or _global_forward_pre_hooks or _global_forward_hooks
                or _global_backward_hooks or _global_backward_pre_hooks):
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    _call_impl = __call__

    def _call_with_hooks(self, args, kwargs):
        called_always = set()
        result = None
        try:
            for hid, hook in (*_global_forward_pre_hooks.items(),
                              *self._forward_pre_hooks.items()):
                if hid in self._forward_pre_hooks_with_kwargs:
                    res = hook(self, args, kwargs)
                    if res is not None:
                        if isinstance(res, tuple) and len(res) == 2:
                            args, kwargs = res
                        else:
                            raise RuntimeError('forward pre-hook must return None or a tuple '
                                               f'of (new_args, new_kwargs), but got {res}.')
                else:
                    res = hook(self, args)
                    if res is not None:
                        args = res if isinstance(res, tuple) else (res,)

            full_hooks, legacy_hooks = self._get_backward_hooks()
            pre_hooks = [*_global_backward_pre_hooks.values(),
                         *self._backward_pre_hooks.values()]
            bw = None
            if (full_hooks or pre_hooks) and state.enabled:
                bw = _BackwardHook(self, full_hooks, pre_hooks)
                args = bw.setup_input_hook(args)

            result = self.forward(*args, **kwargs)

            for hid, hook in (*_global_forward_hooks.items(), *self._forward_hooks.items()):
                if hid in self._forward_hooks_always_called or \
                        hid in _global_forward_hooks_always_called:
                    called_always.add(hid)
                if hid in self._forward_hooks_with_kwargs:
                    res = hook(self, args, kwargs, result)
                else:
                    res = hook(self, args, result)
                if res is not None:
                    result = res

            if bw is not None:
                if not isinstance(result, (Tensor, tuple)):
                    warnings.warn('For backward hooks to be called, module output should be a '
                                  'Tensor or a tuple of Tensors but received '
                                  f'{type(result)}', stacklevel=2)
                result = bw.setup_output_hook(result)

            if legacy_hooks:
                var = result
                while not isinstance(var, Tensor):
                    var = next(v for v in var.values() if isinstance(v, Tensor)) \
                        if isinstance(var, dict) else var[0]
                if var.grad_fn is not None:
                    for hook in legacy_hooks:
                        var.grad_fn.register_hook(functools.partial(hook, self))
            return result
        except Exception:
            for hid, hook in (*_global_forward_hooks.items(), *self._forward_hooks.items()):
                if (hid in self._forward_hooks_always_called or
                        hid in _global_forward_hooks_always_called) and hid not in called_always:
                    try:
                        if hid in self._forward_hooks_with_kwargs:
                            res = hook(self, args, kwargs, result)
                        else:
                            res = hook(self, args, result)
                        if res is not None:
                            result = res
                    except Exception as e:
                        warnings.warn('module forward hook with ``always_call=True`` raised an '
                                      'exception that was silenced as another error was raised '
                                      f'in forward: {e}', stacklevel=2)
            raise

    def _get_backward_hooks(self):
        full, legacy = [], []
        if _global_backward_hooks or self._backward_hooks:
            if self._is_full_backward_hook is True or _global_backward_hooks:
                full = [*_global_backward_hooks.values()]
            if self._is_full_backward_hook is True:
                full += list(self._backward_hooks.values())
            elif self._is_full_backward_hook is False:
                legacy = list(self._backward_hooks.values())
        return full, legacy

    # -- attribute registration ----------------------------------------------------
    def __getattr__(self, name: str):
        d = self.__dict__
        if '_parameters' in d:
            p = d['_parameters']
            if name in p:
                return p[name]
        if '_buffers' in d:
            b = d['_buffers']
            if name in b:
                return b[name]
        if '_modules' in d:
            m = d['_modules']
            if name in m:
                return m[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__

        def remove_from(*containers):
            for c in containers:
                if name in c:
                    if isinstance(c, dict):
                        del c[name]
                    else:
                        c.discard(name)

        params = d.get('_parameters')
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError('cannot assign parameters before Module.__init__() call')
            remove_from(d, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                '(torch.nn.Parameter or None expected)')
            self.register_parameter(name, value)
        else:
            modules = d.get('_modules')
            if isinstance(value, Module):
                if modules is None:
                    raise AttributeError('cannot assign module before Module.__init__() call')
                remove_from(d, self._parameters, self._buffers, self._non_persistent_buffers_set)
                modules[name] = value
            elif modules is not None and name in modules:
                if value is not None:
                    raise TypeError(f"cannot assign '{_typename(value)}' as child module "
                                    f"'{name}' (torch.nn.Module or None expected)")
                modules[name] = value
            else:
                buffers = d.get('_buffers')
                if isinstance(value, Buffer) or (buffers is not None and name in buffers):
                    if value is not None and not isinstance(value, Tensor):
                        raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                        '(torch.nn.Buffer, torch.Tensor or None expected)')
                    if isinstance(value, Buffer):
                        persistent = value._x['persistent']
                    else:
                        persistent = name not in self._non_persistent_buffers_set
                    self.register_buffer(name, value, persistent)
                else:
                    object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        attrs = list(self.__dict__.keys())
        keys = (dir(self.__class__) + attrs + list(self._parameters) + list(self._modules)
                + list(self._buffers))
        return sorted(k for k in set(keys) if not k[0].isdigit())

    def __setstate__(self, st: dict) -> None:
        self.__dict__.update(st)

    def _check_slot_name(self, kind: str, slots: str, name) -> None:
        """PyTorch's checks of the name a buffer or parameter is registered under: a
        non-empty string without dots, not already taken by another attribute."""
        if slots not in self.__dict__:
            raise AttributeError(f'cannot assign {kind} before Module.__init__() call')
        if not isinstance(name, str):
            raise TypeError(f'{kind} name should be a string. Got {_typename(name)}')
        if '.' in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == '':
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in self.__dict__[slots]:
            raise KeyError(f"attribute '{name}' already exists")

    def register_buffer(self, name: str, tensor: Tensor | None,
                        persistent: bool = True) -> None:
        """Adds a tensor that is module state but not a parameter (e.g. running means).

        Persistent buffers appear in ``state_dict()``; ``None`` registers an empty slot.
        """
        self._check_slot_name('buffer', '_buffers', name)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            '(torch Tensor or None required)')
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Adds a parameter (or a ``None`` placeholder) under ``name``."""
        self._check_slot_name('parameter', '_parameters', name)
        if param is None:
            self._parameters[name] = None
        elif not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            '(torch.nn.Parameter or None required)')
        elif param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model "
                             f"parameters must be created explicitly. To express '{name}' as a "
                             'function of another Tensor, compute the value in the forward() '
                             'method.')
        else:
            self._parameters[name] = param

    def add_module(self, name: str, module: 'Module | None') -> None:
        """Adds a child module, reachable as the attribute ``name``."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f'{_typename(module)} is not a Module subclass')
        if not isinstance(name, str):
            raise TypeError(f'module name should be a string. Got {_typename(name)}')
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if '.' in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == '':
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module

    def register_module(self, name: str, module: 'Module | None') -> None:
        """Alias of :meth:`add_module`."""
        self.add_module(name, module)

    def get_submodule(self, target: str) -> 'Module':
        """The submodule at the dotted path ``target`` ('' is this module)."""
        if target == '':
            return self
        mod = self
        for item in target.split('.'):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + ' has no attribute `' + item + '`')
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError('`' + item + '` is not an nn.Module')
        return mod

    def set_submodule(self, target: str, module: 'Module', strict: bool = False) -> None:
        """Replaces (or with ``strict=False`` adds) the submodule at the dotted path."""
        if target == '':
            raise ValueError('Cannot set the submodule without a target name!')
        atoms = target.split('.')
        if not isinstance(module, Module):
            raise ValueError('`module` is not an nn.Module, found ' + str(type(module)))
        parent = self.get_submodule('.'.join(atoms[:-1]))
        if strict and not hasattr(parent, atoms[-1]):
            raise AttributeError(parent._get_name() + ' has no attribute `' + atoms[-1] + '`')
        if hasattr(parent, atoms[-1]) and not isinstance(getattr(parent, atoms[-1]), Module):
            raise AttributeError('`' + atoms[-1] + '` is not an nn.Module')
        setattr(parent, atoms[-1], module)

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target``."""
        mod_path, _, name = target.rpartition('.')
        mod = self.get_submodule(mod_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + ' has no attribute `' + name + '`')
        p = getattr(mod, name)
        if not isinstance(p, Parameter):
            raise AttributeError('`' + name + '` is not an nn.Parameter')
        return p

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target``."""
        mod_path, _, name = target.rpartition('.')
        mod = self.get_submodule(mod_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + ' has no attribute `' + name + '`')
        if name not in mod._buffers:
            raise AttributeError('`' + name + '` is not a buffer')
        return getattr(mod, name)

    def get_extra_state(self) -> Any:
        raise RuntimeError('Reached a code path in Module.get_extra_state() that should never '
                           'be called. Please file an issue at '
                           'https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml'
                           ' to report this bug.')

    def set_extra_state(self, state: Any) -> None:
        raise RuntimeError('Reached a code path in Module.set_extra_state() that should never '
                           'be called. Please file an issue at '
                           'https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml'
                           ' to report this bug.')

    # -- iteration ---------------------------------------------------------------
    def _named_members(self, get_members, prefix: str = '', recurse: bool = True,
                       remove_duplicate: bool = True):
        memo = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for k, v in get_members(module):
                if v is None or id(v) in memo:
                    continue
                if remove_duplicate:
                    memo.add(id(v))
                yield (module_prefix + ('.' if module_prefix else '') + k, v)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Yields every parameter (each shared parameter once)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_parameters(self, prefix: str = '', recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Yields ``(dotted name, parameter)`` pairs, in registration order."""
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse,
                                   remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Yields every buffer."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_buffers(self, prefix: str = '', recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Yields ``(dotted name, buffer)`` pairs."""
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse,
                                   remove_duplicate)

    def children(self) -> Iterator['Module']:
        """Yields the direct child modules."""
        for _, m in self.named_children():
            yield m

    def named_children(self) -> Iterator[tuple[str, 'Module']]:
        """Yields ``(name, child)`` for the direct children (each child once)."""
        memo = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in memo:
                memo.add(id(m))
                yield name, m

    def modules(self) -> Iterator['Module']:
        """Yields this module and every descendant, depth first."""
        for _, m in self.named_modules():
            yield m

    def named_modules(self, memo: set | None = None, prefix: str = '',
                      remove_duplicate: bool = True):
        """Yields ``(dotted name, module)`` for this module ('') and every descendant."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ('.' if prefix else '') + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    # NOTE: modules hash by identity (named_modules keeps them in a set), never by value.
    __hash__ = object.__hash__

    # -- modes and gradients -------------------------------------------------------
    def train(self, mode: bool = True) -> 'Module':
        """Sets training mode on this module and all descendants (affects Dropout, BatchNorm)."""
        if not isinstance(mode, bool):
            raise ValueError('training mode is expected to be boolean')
        self.training = mode
        for m in self.children():
            m.train(mode)
        return self

    def eval(self) -> 'Module':
        """Sets evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> 'Module':
        """Sets ``requires_grad`` on every parameter."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Resets the gradients of all parameters: to None by default, else to zeros."""
        for p in self.parameters():
            g = p._grad
            if g is None:
                continue
            if set_to_none:
                p._grad = None
            else:
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                g.zero_()

    def share_memory(self) -> 'Module':
        return self

    # -- conversion ---------------------------------------------------------------
    def _apply(self, fn, recurse: bool = True) -> 'Module':
        if recurse:
            for m in self.children():
                m._apply(fn)
        prev = state.enabled
        state.enabled = False
        try:
            for key, p in self._parameters.items():
                if p is None:
                    continue
                new = fn(p)
                # The Parameter object is kept (optimizers hold references to it); its
                # array is swapped, as PyTorch's ``param.data = fn(param)``.
                p._data = new._data
                if p._grad is not None:
                    p._grad = _wrap(fn(p._grad)._data)
            for key, b in self._buffers.items():
                if b is not None:
                    self._buffers[key] = fn(b)
        finally:
            state.enabled = prev
        return self

    def apply(self, fn: Callable[['Module'], None]) -> 'Module':
        """Calls ``fn`` on every descendant (children first), then on this module."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs) -> 'Module':
        """Moves/casts parameters and buffers: ``to(device)``, ``to(dtype)``,
        ``to(device, dtype)`` or ``to(tensor)``. Only floating and complex tensors change
        dtype; a complex ``dtype`` makes floating ones complex (with PyTorch's warning), a
        floating one drops complex tensors' imaginary parts."""
        dt, dev, _ = _parse_to(args, dict(kwargs))
        check_device(dev)
        if dt is None:
            return self
        if not (dt.is_floating_point or dt.is_complex):
            raise TypeError('nn.Module.to only accepts floating point or complex dtypes, but '
                            f'got desired dtype={dt}')
        if dt.is_complex:
            warnings.warn(_COMPLEX_MODULE_WARNING)
        return self._apply(lambda t: t.to(dt) if t._data.dtype.kind in 'fc' else t)

    def cpu(self) -> 'Module':
        return self

    def cuda(self, device=None) -> 'Module':
        check_device('cuda')
        return self

    def type(self, dst_type) -> 'Module':
        """Casts all parameters and buffers to ``dst_type``."""
        return self._apply(lambda t: t.type(dst_type))

    def float(self) -> 'Module':
        """Casts floating parameters and buffers to float32."""
        return self._apply(lambda t: t.float() if t._data.dtype.kind == 'f' else t)

    def double(self) -> 'Module':
        """Casts floating parameters and buffers to float64."""
        return self._apply(lambda t: t.double() if t._data.dtype.kind == 'f' else t)

    def half(self) -> 'Module':
        """Casts floating parameters and buffers to float16."""
        return self._apply(lambda t: t.half() if t._data.dtype.kind == 'f' else t)

    def bfloat16(self) -> 'Module':
        raise NotImplementedError('bfloat16 is not supported by numtorch')

    def to_empty(self, *, device=None, recurse: bool = True) -> 'Module':
        check_device(device)
        return self

    # -- state dict ---------------------------------------------------------------
    def _save_to_state_dict(self, destination, prefix: str, keep_vars: bool) -> None:
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix: str = '', keep_vars: bool = False):
        """An ordered dict of every parameter and persistent buffer, keyed by dotted name.

        Values are detached tensors sharing memory with the module (unless ``keep_vars``).
        """
        if args:
            # The deprecated positional form state_dict(destination, prefix, keep_vars).
            if destination is None:
                destination = args[0]
            if len(args) > 1 and prefix == '':
                prefix = args[1]
            if len(args) > 2 and keep_vars is False:
                keep_vars = args[2]
            warnings.warn('Positional args are being deprecated, use kwargs instead. Refer to '
                          'https://pytorch.org/docs/main/generated/torch.nn.Module.html'
                          '#torch.nn.Module.state_dict for details.', FutureWarning,
                          stacklevel=2)
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = dict(version=self._version)
        if hasattr(destination, '_metadata'):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + '.',
                                  keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            res = hook(self, destination, prefix, local_metadata)
            if res is not None:
                destination = res
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        for hook in self._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                 error_msgs)
        local_state = {k: v for k, v in itertools.chain(
            self._parameters.items(),
            ((k, v) for k, v in self._buffers.items()
             if k not in self._non_persistent_buffers_set)) if v is not None}
        assign = local_metadata.get('assign_to_params_buffers', False)
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected '
                                  'torch.Tensor or Tensor-like object from checkpoint but '
                                  f'received {type(value)}')
                continue
            if param.ndim == 0 and value.ndim == 1 and value.shape[0] == 1:
                value = value[0]
            if value.shape != param.shape:
                error_msgs.append(f'size mismatch for {key}: copying a param with shape '
                                  f'{value.shape} from checkpoint, the shape in current model '
                                  f'is {param.shape}.')
                continue
            try:
                prev = state.enabled
                state.enabled = False
                try:
                    if assign:
                        if isinstance(param, Parameter):
                            if not isinstance(value, Parameter):
                                value = Parameter(value, requires_grad=param.requires_grad)
                            else:
                                value.requires_grad_(param.requires_grad)
                        setattr(self, name, value)
                    else:
                        param.copy_(value)
                finally:
                    state.enabled = prev
            except Exception as ex:
                error_msgs.append(f'While copying the parameter named "{key}", whose dimensions '
                                  f'in the model are {param.size()} and whose dimensions in the '
                                  f'checkpoint are {value.size()}, an exception occurred : '
                                  f'{ex.args}.')
        extra_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if key.startswith(prefix) and key != extra_key:
                    head = key[len(prefix):].split('.', 1)
                    if len(head) > 1:
                        if head[0] not in self._modules:
                            unexpected_keys.append(key)
                    elif head[0] not in local_state:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copies parameters and buffers from ``state_dict`` into this module tree.

        With ``strict`` the keys must match ``state_dict()``'s exactly; mismatched shapes
        always fail. Returns ``_IncompatibleKeys(missing_keys, unexpected_keys)``.
        """
        from collections.abc import Mapping
        if not isinstance(state_dict, Mapping):
            raise TypeError(f'Expected state_dict to be dict-like, got {type(state_dict)}.')
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        metadata = getattr(state_dict, '_metadata', None)
        state_dict = OrderedDict(state_dict)
        if metadata is not None:
            state_dict._metadata = metadata

        def load(module, local_sd, prefix=''):
            local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
            if assign:
                local_metadata['assign_to_params_buffers'] = assign
            module._load_from_state_dict(local_sd, prefix, local_metadata, True, missing,
                                         unexpected, errors)
            for name, child in module._modules.items():
                if child is not None:
                    cp = prefix + name + '.'
                    load(child, {k: v for k, v in local_sd.items() if k.startswith(cp)}, cp)
            keys = _IncompatibleKeys(missing, unexpected)
            for hook in module._load_state_dict_post_hooks.values():
                if hook(module, keys) is not None:
                    raise AssertionError(
                        'Hooks registered with ``register_load_state_dict_post_hook`` are not '
                        'expected to return new values, if incompatible_keys need to be '
                        'modified, it should be done inplace.')

        load(self, state_dict)
        if strict:
            if unexpected:
                errors.insert(0, 'Unexpected key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, 'Missing key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError('Error(s) in loading state_dict for {}:\n\t{}'.format(
                type(self).__name__, '\n\t'.join(errors)))
        return _IncompatibleKeys(missing, unexpected)

    def register_state_dict_pre_hook(self, hook) -> RemovableHandle:
        """``hook(module, prefix, keep_vars)`` runs before ``state_dict()`` saves."""
        h = RemovableHandle(self._state_dict_pre_hooks)
        self._state_dict_pre_hooks[h.id] = hook
        return h

    def register_state_dict_post_hook(self, hook) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata)`` runs after saving."""
        h = RemovableHandle(self._state_dict_hooks)
        self._state_dict_hooks[h.id] = hook
        return h

    _register_state_dict_hook = register_state_dict_post_hook

    def register_load_state_dict_pre_hook(self, hook) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` runs before this module loads."""
        h = RemovableHandle(self._load_state_dict_pre_hooks)
        self._load_state_dict_pre_hooks[h.id] = functools.partial(hook, self)
        return h

    def _register_load_state_dict_pre_hook(self, hook, with_module: bool = False):
        h = RemovableHandle(self._load_state_dict_pre_hooks)
        self._load_state_dict_pre_hooks[h.id] = (functools.partial(hook, self)
                                                 if with_module else hook)
        return h

    def register_load_state_dict_post_hook(self, hook) -> RemovableHandle:
        """``hook(module, incompatible_keys)`` runs after this module and its children load."""
        h = RemovableHandle(self._load_state_dict_post_hooks)
        self._load_state_dict_post_hooks[h.id] = hook
        return h

    # -- hooks ----------------------------------------------------------------------
    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args)`` (or ``hook(module, args, kwargs)``) runs before forward;
        a non-None result replaces the inputs."""
        h = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[h.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[h.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(h.id, last=False)
        return h

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output)`` runs after forward; a non-None result replaces
        the output."""
        h = RemovableHandle(self._forward_hooks)
        self._forward_hooks[h.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[h.id] = True
        if always_call:
            self._forward_hooks_always_called[h.id] = True
        if prepend:
            self._forward_hooks.move_to_end(h.id, last=False)
        return h

    def register_full_backward_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output)`` runs when the gradients w.r.t. the module's outputs
        are known; a non-None result replaces them."""
        h = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[h.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(h.id, last=False)
        return h

    def register_full_backward_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` runs when the gradients w.r.t. the
        module's inputs are computed; a non-None result replaces ``grad_input``."""
        if self._is_full_backward_hook is False:
            raise RuntimeError('Cannot use both regular backward hooks and full backward hooks '
                               'on a single Module. Please use only one of them.')
        self._is_full_backward_hook = True
        h = RemovableHandle(self._backward_hooks)
        self._backward_hooks[h.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(h.id, last=False)
        return h

    def register_backward_hook(self, hook) -> RemovableHandle:
        """Deprecated: a hook on the grad_fn of the module's output node."""
        if self._is_full_backward_hook is True:
            raise RuntimeError('Cannot use both regular backward hooks and full backward hooks '
                               'on a single Module. Please use only one of them.')
        self._is_full_backward_hook = False
        h = RemovableHandle(self._backward_hooks)
        self._backward_hooks[h.id] = hook
        return h

    # -- repr -------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text between the parentheses of this module's repr (override in layers)."""
        return ''

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split('\n') if extra else []
        child_lines = ['(' + key + '): ' + _addindent(repr(m), 2)
                       for key, m in self._modules.items()]
        lines = extra_lines + child_lines
        s = self._get_name() + '('
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                s += extra_lines[0]
            else:
                s += '\n  ' + '\n  '.join(lines) + '\n'
        return s + ')'

    def _replicate_for_data_parallel(self) -> 'Module':
        replica = self.__new__(type(self))
        replica.__dict__ = self.__dict__.copy()
        replica._parameters = dict()
        replica._buffers = replica._buffers.copy()
        replica._modules = replica._modules.copy()
        replica._is_replica = True
        return replica


def _global_handle(d: dict, hook) -> RemovableHandle:
    h = RemovableHandle(d)
    d[h.id] = hook
    return h


def register_module_forward_pre_hook(hook) -> RemovableHandle:
    """Registers ``hook(module, args)`` to run before every module's forward."""
    return _global_handle(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs: bool = False,
                                 always_call: bool = False) -> RemovableHandle:
    """Registers ``hook(module, args, output)`` to run after every module's forward."""
    if with_kwargs:
        raise NotImplementedError('register_module_forward_hook(with_kwargs=True) is not '
                                  'supported by numtorch')
    h = _global_handle(_global_forward_hooks, hook)
    if always_call:
        _global_forward_hooks_always_called[h.id] = True
    return h


def register_module_full_backward_hook(hook) -> RemovableHandle:
    """Registers a full backward hook on every module."""
    return _global_handle(_global_backward_hooks, hook)


def register_module_full_backward_pre_hook(hook) -> RemovableHandle:
    """Registers a full backward pre-hook on every module."""
    return _global_handle(_global_backward_pre_hooks, hook)


class _HookIdentity(Op):
    """Identity on a group of tensors whose backward hands the gradients to a callback."""
    _name = 'BackwardHookFunctionBackward'

    def __init__(self, callback):
        self.callback = callback

    def forward(self, *xs):
        return xs

    def backward(self, *gys):
        gs = self.callback(gys)
        return gs if len(gs) != 1 else gs[0]

    backward_t = backward


class _BackwardHook:
    """Runs a module's full backward (pre-)hooks: identity nodes around the module's tensor
    inputs and outputs catch ``grad_output`` and ``grad_input`` as backward passes them."""

    def __init__(self, module: Module, hooks: list, pre_hooks: list) -> None:
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_hooked = False

    def setup_input_hook(self, args: tuple) -> tuple:
        pos = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.n_inputs = len(pos)
        if not any(args[i]._rg for i in pos):
            return args
        self.input_hooked = True
        outs = _HookIdentity(self._on_input_grads).apply(*[args[i] for i in pos])
        new = list(args)
        for i, o in zip(pos, outs):
            new[i] = o
        return tuple(new)

    def setup_output_hook(self, result):
        single = isinstance(result, Tensor)
        items = (result,) if single else result
        if not isinstance(items, tuple):
            return result
        pos = [i for i, a in enumerate(items) if isinstance(a, Tensor)]
        if not any(items[i]._rg for i in pos):
            return result
        outs = _HookIdentity(self._on_output_grads).apply(*[items[i] for i in pos])
        new = list(items)
        for i, o in zip(pos, outs):
            new[i] = o
        return new[0] if single else tuple(new)

    @staticmethod
    def _tensors(gs):
        return tuple(None if g is None else (g if isinstance(g, Tensor) else _wrap(g))
                     for g in gs)

    @staticmethod
    def _arrays(gs):
        # Back to what the engine passes: arrays, or Tensors under create_graph.
        return tuple(g._data if isinstance(g, Tensor) and not state.enabled else g for g in gs)

    def _on_output_grads(self, gys):
        go = self._tensors(gys)
        for hook in self.pre_hooks:
            res = hook(self.module, go)
            if res is not None:
                go = tuple(res) if isinstance(res, (tuple, list)) else (res,)
        self.grad_outputs = go
        if not self.input_hooked and self.hooks:
            warnings.warn('Full backward hook is firing when gradients are computed with '
                          'respect to module outputs since no inputs require gradients. See '
                          'https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html'
                          '#torch.nn.Module.register_full_backward_hook for more details.',
                          stacklevel=2)
            gi = (None,) * self.n_inputs
            for hook in self.hooks:
                res = hook(self.module, gi, go)
                if res is not None and any(r is not None for r in res):
                    raise RuntimeError('Backward hook for Modules where no input requires '
                                       'gradient should always return None or None for all '
                                       'gradients.')
        return self._arrays(go)

    def _on_input_grads(self, gxs):
        gi = self._tensors(gxs)
        for hook in self.hooks:
            res = hook(self.module, gi, self.grad_outputs)
            if res is not None:
                res = tuple(res) if isinstance(res, (tuple, list)) else (res,)
                if len(res) != len(gi):
                    raise RuntimeError(f'Backward hook returned an invalid number of grad_input, '
                                       f'got {len(res)}, but expected {len(gi)}')
                gi = res
        return self._arrays(gi)
