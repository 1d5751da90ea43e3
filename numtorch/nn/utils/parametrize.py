"""``torch.nn.utils.parametrize``: a tensor of a module computed from other tensors.

``register_parametrization(module, 'weight', P)`` moves the parameter (or buffer) into
``module.parametrizations.weight.original`` and makes ``module.weight`` a property that
returns ``P(original)`` each time it is read, so training updates ``original`` while the
module only ever sees the constrained tensor. As in PyTorch, this is done by giving the
module a new class, ``Parametrized<Class>``, that subclasses its own and holds the
property; assigning ``module.weight = X`` calls ``P.right_inverse(X)`` to set ``original``.
"""
from __future__ import annotations

import collections.abc
import copyreg
from contextlib import contextmanager
from copy import deepcopy

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..modules.container import ModuleDict, ModuleList
from ..modules.module import Module
from ..parameter import Parameter

__all__ = ['cached', 'ParametrizationList', 'register_parametrization', 'is_parametrized',
           'remove_parametrizations', 'type_before_parametrizations',
           'transfer_parametrizations_and_params']

_cache_enabled = 0
_cache: dict = {}


@contextmanager
def cached():
    """Within this context each parametrized tensor is computed once, at its first read,
    and the same tensor is returned by later reads (the cache empties on exit)."""
    global _cache_enabled, _cache
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register_parameter_or_buffer(module: Module, name: str, x: Tensor) -> None:
    if isinstance(x, Parameter):
        module.register_parameter(name, x)
    else:
        module.register_buffer(name, x)


def _assign(dest: Tensor, src: Tensor) -> None:
    """``dest.set_(src)``: ``dest`` takes ``src``'s values and shape (sharing memory)."""
    with no_grad():
        dest.data = src


class ParametrizationList(ModuleList):
    """The chain of parametrizations of one tensor, holding the unconstrained tensor as
    ``original`` (or ``original0``, ``original1``, ... when the first parametrization's
    ``right_inverse`` splits it into several). Calling it returns the constrained tensor."""

    def __init__(self, modules, original: Tensor, unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ValueError('ParametrizationList requires one or more modules.')
        super().__init__(modules)
        self.unsafe = unsafe
        shape, dtype = original.shape, original.dtype
        with no_grad():
            new = original
            for module in reversed(self):
                if hasattr(module, 'right_inverse'):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass
        if not isinstance(new, (Tensor, collections.abc.Sequence)):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors "
                             f'(list, tuple...). Got {type(new).__name__}')
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if new.dtype != dtype:
                raise ValueError('When `right_inverse` outputs one tensor, it may not change '
                                 f'the dtype.\noriginal.dtype: {dtype}\n'
                                 f'right_inverse(original).dtype: {new.dtype}')
            # (the original tensor object stays the registered one: optimizers built
            # before the parametrization keep updating it)
            _assign(original, new)
            _register_parameter_or_buffer(self, 'original', original)
        else:
            for i, t in enumerate(new):
                if not isinstance(t, Tensor):
                    raise ValueError("'right_inverse' must return a Tensor or a Sequence of "
                                     f'tensors (list, tuple...). Got element {i} of the '
                                     f'sequence with type {type(t).__name__}.')
                if isinstance(original, Parameter):
                    t = Parameter(t, original.requires_grad)
                t.requires_grad_(original.requires_grad)
                _register_parameter_or_buffer(self, f'original{i}', t)
        if not self.unsafe:
            z = self()
            if not isinstance(z, Tensor):
                raise ValueError(f'A parametrization must return a tensor. Got '
                                 f'{type(z).__name__}.')
            if z.dtype != dtype:
                raise ValueError('Registering a parametrization may not change the dtype of '
                                 'the tensor, unless `unsafe` flag is enabled.\n'
                                 f'unparametrized dtype: {dtype}\nparametrized dtype: '
                                 f'{z.dtype}')
            if z.shape != shape:
                raise ValueError('Registering a parametrization may not change the shape of '
                                 'the tensor, unless `unsafe` flag is enabled.\n'
                                 f'unparametrized shape: {shape}\nparametrized shape: '
                                 f'{z.shape}')

    def right_inverse(self, value: Tensor) -> None:
        """Sets the original tensor(s) so that the chain returns ``value``: each
        parametrization's ``right_inverse``, last to first."""
        with no_grad():
            for module in reversed(self):
                if not hasattr(module, 'right_inverse'):
                    raise RuntimeError(f'parametrization {type(module).__name__} does not '
                                       'implement right_inverse.')
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError('`right_inverse` should return a tensor. Got '
                                     f'{type(value).__name__}')
                if value.dtype != self.original.dtype:
                    raise ValueError(f'The tensor returned by `right_inverse` has dtype '
                                     f'{value.dtype} while `original` has dtype '
                                     f'{self.original.dtype}')
                _assign(self.original, value)
                return
            if not isinstance(value, collections.abc.Sequence):
                raise ValueError("'right_inverse' must return a sequence of tensors. Got "
                                 f'{type(value).__name__}.')
            if len(value) != self.ntensors:
                raise ValueError("'right_inverse' must return a sequence of tensors of length "
                                 f'{self.ntensors}. Got a sequence of length {len(value)}.')
            for i, t in enumerate(value):
                original = getattr(self, f'original{i}')
                if not isinstance(t, Tensor):
                    raise ValueError("'right_inverse' must return a sequence of tensors or "
                                     'reference-type opaques. Got element '
                                     f'{i} of type {type(t).__name__}.')
                if original.dtype != t.dtype:
                    raise ValueError(f'Tensor {i} returned by `right_inverse` has dtype '
                                     f'{t.dtype} while `original{i}` has dtype '
                                     f'{original.dtype}')
                _assign(original, t)

    def forward(self) -> Tensor:
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f'original{i}') for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def _getstate(self):
    raise RuntimeError('Serialization of parametrized modules is only supported through '
                       'state_dict(). See:\nhttps://pytorch.org/tutorials/beginner/'
                       'saving_loading_models.html#saving-loading-a-general-checkpoint-'
                       'for-inference-and-or-resuming-training')


def _deepcopy(self, memo):
    """copy.deepcopy of a parametrized module: its ``__dict__`` copied, in its class."""
    done = memo.get(id(self))
    if done is not None:
        return done
    replica = self.__new__(self.__class__)
    memo[id(self)] = replica
    replica.__dict__ = deepcopy(self.__dict__, memo)
    for slot in copyreg._slotnames(self.__class__):
        if hasattr(self, slot):
            setattr(replica, slot, deepcopy(getattr(self, slot), memo))
    return replica


def _inject_new_class(module: Module) -> None:
    """Gives ``module`` its own subclass, ``Parametrized<Class>``, to hold the properties
    (pickling it is refused, as PyTorch refuses it: save the state_dict instead)."""
    cls = module.__class__
    namespace = {'__getstate__': _getstate}
    if not hasattr(cls, '__deepcopy__'):
        namespace['__deepcopy__'] = _deepcopy
    module.__class__ = type(f'Parametrized{cls.__name__}', (cls,), namespace)


def _inject_property(module: Module, name: str) -> None:
    if hasattr(module, name):
        raise AssertionError(f"Module already has an attribute named '{name}'")

    def get(self) -> Tensor:
        chain = self.parametrizations[name]
        if not _cache_enabled:
            return chain()
        key = (id(self), name)
        t = _cache.get(key)
        if t is None:
            t = _cache[key] = chain()
        return t

    def set_(self, value: Tensor) -> None:
        self.parametrizations[name].right_inverse(value)

    setattr(module.__class__, name, property(get, set_))


def _check_unchanged(x, y, name: str) -> None:
    """A further parametrization of ``module.<name>`` (value ``y``) must map it to a tensor
    of the same dtype and shape (``x``)."""
    if not isinstance(x, Tensor):
        raise ValueError(f'A parametrization must return a tensor. Got {type(x).__name__}.')
    for what in ('dtype', 'shape'):
        a, b = getattr(x, what), getattr(y, what)
        if a != b:
            raise ValueError(f'Registering a parametrization may not change the {what} of '
                             'the tensor, unless the `unsafe` flag is enabled.\n'
                             f'module.{name}.{what}: {b}\n'
                             f'parametrization(module.{name}).{what}: {a}')


def _check_inverse(z, y, name: str) -> None:
    """... and its right inverse must map back to the same dtype and shape."""
    if not isinstance(z, Tensor):
        raise ValueError('parametrization.right_inverse must return a tensor. Got: '
                         f'{type(z).__name__}')
    for what in ('dtype', 'shape'):
        a, b = getattr(z, what), getattr(y, what)
        if a != b:
            raise ValueError('The tensor returned by parametrization.right_inverse must '
                             f'have the same {what} as module.{name}, unless the `unsafe` '
                             f'flag is enabled.\nmodule.{name}.{what}: {b}\n'
                             f'returned {what}: {a}')


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    """Makes ``module.<tensor_name>`` the output of ``parametrization`` applied to the
    current tensor (which becomes ``module.parametrizations[tensor_name].original``).
    Registering a second parametrization on the same name chains it after the first.
    Unless ``unsafe``, the parametrization may not change the tensor's dtype or shape."""
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            y = getattr(module, tensor_name)
            x = parametrization(y)
            _check_unchanged(x, y, tensor_name)
            if hasattr(parametrization, 'right_inverse'):
                try:
                    z = parametrization.right_inverse(x)
                except NotImplementedError:
                    pass
                else:
                    _check_inverse(z, y, tensor_name)
        chain = module.parametrizations[tensor_name]
        chain.append(parametrization)
        chain.unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        chain = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = chain
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                         f"parametrized element with name '{tensor_name}'")
    return module


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization (on ``tensor_name``, if given)."""
    chains = module.__dict__.get('_modules', {}).get('parametrizations')
    if not isinstance(chains, ModuleDict):
        return False
    return len(chains) > 0 if tensor_name is None else tensor_name in chains


def remove_parametrizations(module: Module, tensor_name: str,
                            leave_parametrized: bool = True) -> Module:
    """Undoes the parametrizations on ``tensor_name``: the tensor becomes a plain
    parameter (or buffer) again, holding its current parametrized value when
    ``leave_parametrized`` (else the original, unconstrained one). The module gets its
    own class back when no parametrization remains."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f'Module {module} does not have a parametrization on {tensor_name}')
    chain = module.parametrizations[tensor_name]
    if chain.is_tensor:
        original = chain.original
        if leave_parametrized:
            with no_grad():
                t = getattr(module, tensor_name)
            _assign(original, t)
    elif leave_parametrized:
        t = getattr(module, tensor_name)
        original = Parameter(t) if t.requires_grad else t
    else:
        raise ValueError('Cannot leave unparametrized (`leave_parametrized=False`) a tensor '
                         'that is parametrized in terms of a sequence of tensors.')
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, 'parametrizations')
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module: Module) -> type:
    """The module's class as it was before any parametrization was registered."""
    return module.__class__.__bases__[0] if is_parametrized(module) else type(module)


def transfer_parametrizations_and_params(from_module: Module, to_module: Module,
                                         tensor_name: str | None = None) -> Module:
    """Registers ``from_module``'s parametrizations (of ``tensor_name``, or all) on
    ``to_module`` and makes it share their original tensors."""
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        if not hasattr(to_module, name):
            setattr(to_module, name, Parameter(getattr(from_module, name)))
        for p in from_module.parametrizations[name]:
            register_parametrization(to_module, name, p)
        source = from_module.parametrizations[name]
        target = to_module.parametrizations[name]
        if hasattr(source, 'original'):
            target.original = source.original
        else:
            i = 0
            while hasattr(source, f'original{i}'):
                setattr(target, f'original{i}', getattr(source, f'original{i}'))
                i += 1
    return to_module
