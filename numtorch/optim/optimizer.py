"""The Optimizer base class: parameter groups, per-parameter state, checkpoints, hooks.

Subclasses implement ``step()`` as PyTorch's single-tensor (``foreach=False``) code does,
but on the parameters' NumPy arrays directly: a few in-place ufunc calls per parameter,
state arrays allocated on the first step and reused after.
"""
from __future__ import annotations

import functools
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain
from typing import Any, Callable, Iterable

import numpy as np

from .._dtype import _defaults, float64 as _f64
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import enable_grad
from ..utils.hooks import RemovableHandle

__all__ = ['Optimizer', 'register_optimizer_step_pre_hook',
           'register_optimizer_step_post_hook', 'required']

_global_optimizer_pre_hooks: 'OrderedDict[int, Callable]' = OrderedDict()
_global_optimizer_post_hooks: 'OrderedDict[int, Callable]' = OrderedDict()

# Implementation switches of PyTorch's optimizers that numtorch has no second
# implementation for; only their default (falsy) values are accepted.
_UNSUPPORTED_FLAGS = ('foreach', 'fused', 'capturable', 'differentiable')


class _RequiredParameter:
    """Marks an option that every parameter group must give (it has no default)."""

    def __repr__(self) -> str:
        return '<required parameter>'


required = _RequiredParameter()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Registers ``hook(optimizer, args, kwargs)`` to run before every optimizer's step."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Registers ``hook(optimizer, args, kwargs)`` to run after every optimizer's step."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


def _typename(obj) -> str:
    """``torch.typename``: 'torch.FloatTensor' for tensors, else module-qualified name."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, '__module__', '') or ''
    if hasattr(obj, '__qualname__'):
        qualname = obj.__qualname__
    elif hasattr(obj, '__name__'):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ''
        qualname = obj.__class__.__qualname__
    if module in ('', 'builtins'):
        return qualname
    return f'{module}.{qualname}'


def _scalar_dtype():
    """The NumPy dtype of step counters and other scalar state (as ``_get_scalar_dtype``)."""
    return np.float64 if _defaults.float is _f64 else np.float32


def _zero_step() -> Tensor:
    """A fresh 0-dim step counter, ``torch.tensor(0.0)``."""
    return _wrap(np.zeros((), _scalar_dtype()))


def _scalar_state(value: float) -> Tensor:
    return _wrap(np.array(value, _scalar_dtype()))


def _tick(step: Tensor) -> float:
    """``step += 1`` on a 0-dim step tensor, returning the new value (as ``.item()``)."""
    a = step._data
    a.fill(a.item() + 1.0)
    return a.item()


def _view_as_real(a: np.ndarray) -> np.ndarray:
    """``torch.view_as_real``: a complex array's memory as real numbers, a trailing axis of
    (real, imaginary) pairs; writing the view writes the complex array."""
    return np.lib.stride_tricks.as_strided(a.real, a.shape + (2,),
                                           a.strides + (a.itemsize // 2,), writeable=True)


def _as_float(x) -> float:
    """A hyperparameter as a Python number (a 1-element tensor lr reads as its value)."""
    return x.item() if isinstance(x, Tensor) else x


def _bump(p: Tensor) -> None:
    """Counts an in-place update of ``p`` (autograd checks saved tensors' versions)."""
    vc = p._vc
    if vc is not None:
        vc[0] += 1


def _lerp_(a: np.ndarray, b: np.ndarray, w: float) -> None:
    """``a.lerp_(b, w)`` in place: PyTorch switches formula at |w| = 0.5 for accuracy."""
    t = b - a
    if abs(w) < 0.5:
        t *= w
        a += t
    else:
        t *= w - 1.0
        np.add(b, t, out=a)


def _add_wd(g: np.ndarray, d: np.ndarray, weight_decay: float) -> np.ndarray:
    """``grad.add(param, alpha=weight_decay)``: a new array, the gradient is not modified."""
    t = d * weight_decay
    t += g
    return t


def _apply_weight_decay(g: np.ndarray, d: np.ndarray, lr: float, weight_decay: float,
                        decoupled: bool) -> np.ndarray:
    """The gradient to step with under weight decay. Decoupled (AdamW's form) shrinks the
    parameter in place, ``p *= 1 - lr*wd``, and keeps the gradient; otherwise the decay
    enters through the gradient, ``g + wd*p`` (a new array)."""
    if decoupled:
        d *= 1 - lr * weight_decay
        return g
    return _add_wd(g, d, weight_decay)


def _check_lr(lr) -> None:
    """PyTorch's checks of a learning rate: a tensor holds one element, none is negative."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError('Tensor lr must be 1-element')
    if not 0.0 <= lr:
        raise ValueError(f'Invalid learning rate: {lr}')


def _check_nonnegative(value, what: str) -> None:
    """Raises PyTorch's ``Invalid <what> value: ...`` unless ``value >= 0`` (NaN fails too)."""
    if not 0.0 <= value:
        raise ValueError(f'Invalid {what} value: {value}')


def _check_adam_args(lr, betas, eps, weight_decay) -> None:
    """The argument checks of Adam, AdamW, Adamax, NAdam and RAdam, in their order."""
    _check_lr(lr)
    _check_nonnegative(eps, 'epsilon')
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f'Invalid beta parameter at index 0: {betas[0]}')
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f'Invalid beta parameter at index 1: {betas[1]}')
    _check_nonnegative(weight_decay, 'weight_decay')


def _step_hooked(func: Callable) -> Callable:
    """Wraps a subclass's ``step`` so the registered step pre/post hooks run around it."""
    @functools.wraps(func)
    def step(self, *args, **kwargs):
        if _global_optimizer_pre_hooks or self._optimizer_step_pre_hooks:
            for pre_hook in chain(_global_optimizer_pre_hooks.values(),
                                  self._optimizer_step_pre_hooks.values()):
                result = pre_hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(f'{func} must return None or a tuple of '
                                           f'(new_args, new_kwargs), but got {result}.')
        out = func(self, *args, **kwargs)
        if self._optimizer_step_post_hooks or _global_optimizer_post_hooks:
            for post_hook in chain(self._optimizer_step_post_hooks.values(),
                                   _global_optimizer_post_hooks.values()):
                post_hook(self, args, kwargs)
        return out
    step.hooked = True
    return step


class Optimizer:
    """Base class of all optimizers, PyTorch's ``torch.optim.Optimizer``.

    ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts
    (parameter groups, each with its own options); ``defaults`` gives the options a
    group leaves out. ``state`` maps each parameter to its optimizer state.
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get('step')
        if step is not None and not getattr(step, 'hooked', False):
            cls.step = _step_hooked(step)

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError('params argument given to the optimizer should be an iterable of '
                            'Tensors or dicts, but got ' + _typename(params))
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError('optimizer got an empty parameter list')
        if not isinstance(param_groups[0], dict):
            param_groups = [{'params': param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self) -> dict[str, Any]:
        return {'defaults': self.defaults, 'state': self.state,
                'param_groups': self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in ('_optimizer_step_pre_hooks', '_optimizer_step_post_hooks',
                     '_optimizer_state_dict_pre_hooks', '_optimizer_state_dict_post_hooks',
                     '_optimizer_load_state_dict_pre_hooks',
                     '_optimizer_load_state_dict_post_hooks'):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault('differentiable', False)

    def __repr__(self) -> str:
        s = self.__class__.__name__ + ' ('
        for i, group in enumerate(self.param_groups):
            s += f'\nParameter Group {i}\n'
            for key in sorted(group.keys()):
                if key != 'params':
                    s += f'    {key}: {group[key]}\n'
        return s + ')'

    # -- parameter groups ------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Adds a group of parameters (a dict with 'params' and optional options)."""
        if not isinstance(param_group, dict):
            raise TypeError(f'param_group must be a dict, but got {type(param_group)}')
        params = param_group['params']
        if isinstance(params, Tensor):
            param_group['params'] = [params]
        elif isinstance(params, set):
            raise TypeError('optimizer parameters need to be organized in ordered collections, '
                            'but the ordering of tensors in sets will change between runs. '
                            'Please use a list instead.')
        else:
            param_group['params'] = list(params)

        tensors = []
        names = []
        for param in param_group['params']:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group['params'] = tensors
        if names:
            if len(names) == len(tensors):
                param_group['param_names'] = names
            else:
                raise ValueError('all optimizer params should be with/without names. Some '
                                 'param names are missing')

        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError('optimizer can only optimize Tensors, but one of the params is '
                                + _typename(param))
            if not self.defaults.get('differentiable', None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f'optimization parameter {name}')
            param_group.setdefault(name, default)
        for flag in _UNSUPPORTED_FLAGS:
            if param_group.get(flag):
                raise NotImplementedError(
                    f'numtorch.optim.{type(self).__name__}: {flag}=True is not supported; '
                    'numtorch has only the single-tensor (for-loop) implementation')

        if len(tensors) != len(set(tensors)):
            import warnings
            warnings.warn('optimizer contains a parameter group with duplicate parameters; '
                          'in future, this will cause an error; see '
                          'github.com/pytorch/pytorch/issues/40967 for more information',
                          stacklevel=3)

        param_set: set = set()
        for group in self.param_groups:
            param_set.update(group['params'])
            if ('param_names' in param_group) != ('param_names' in group):
                txt = 'with names' if 'param_names' in param_group else 'without names'
                raise ValueError('all optimizer param groups should be with/without names. '
                                 f'cannot add param group {txt} to the optimizer')
        if not param_set.isdisjoint(tensors):
            raise ValueError('some parameters appear in more than one parameter group')
        self.param_groups.append(param_group)

    # -- gradients and steps ---------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Resets every parameter's ``.grad``: to None (default) or to zeros in place."""
        for group in self.param_groups:
            for p in group['params']:
                g = p._grad
                if g is not None:
                    if set_to_none:
                        p._grad = None
                    else:
                        if g.grad_fn is not None:
                            g.detach_()
                        else:
                            g._rg = False
                        g._data.fill(0)
                        vc = g._vc
                        if vc is not None:
                            vc[0] += 1

    def step(self, closure: Callable[[], float] | None = None):
        """Performs one optimization step (the subclass's update rule)."""
        raise NotImplementedError

    @staticmethod
    def _closure_loss(closure):
        """Runs ``closure`` with gradient recording on, as PyTorch's steps do."""
        with enable_grad():
            return closure()

    # -- hooks -----------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Registers ``hook(optimizer, args, kwargs)`` to run before ``step``; it may return
        replacement ``(args, kwargs)``."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """Registers ``hook(optimizer, args, kwargs)`` to run after ``step``."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    @staticmethod
    def _register(hooks: OrderedDict, hook: Callable, prepend: bool) -> RemovableHandle:
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook: Callable,
                                     prepend: bool = False) -> RemovableHandle:
        """Registers ``hook(optimizer)`` to run before ``state_dict()``."""
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable,
                                      prepend: bool = False) -> RemovableHandle:
        """Registers ``hook(optimizer, state_dict)`` to run after ``state_dict()``; a
        returned dict replaces the result."""
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable,
                                          prepend: bool = False) -> RemovableHandle:
        """Registers ``hook(optimizer, state_dict)`` to run before ``load_state_dict``; a
        returned dict is loaded instead."""
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable,
                                           prepend: bool = False) -> RemovableHandle:
        """Registers ``hook(optimizer)`` to run after ``load_state_dict``."""
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # -- checkpoints -------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as PyTorch lays it out.

        ``{'state': {index: {...}}, 'param_groups': [{options..., 'params': [index, ...]}]}``
        where a parameter's index is its position counting through all groups. The state
        dicts and tensors are the live ones, not copies (as in PyTorch).
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        mapping: dict[int, int] = {}
        start = 0

        def pack_group(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start
            packed = {k: v for k, v in group.items() if k != 'params'}
            for i, p in enumerate(group['params'], start):
                mapping.setdefault(id(p), i)
            packed['params'] = [mapping[id(p)] for p in group['params']]
            start += len(packed['params'])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        state_dict = {'state': packed_state, 'param_groups': param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param: Tensor, value: Tensor, param_id,
                                                 param_groups, key=None) -> Tensor:
        # 'step' keeps its own dtype; other floating state follows the parameter's dtype.
        if key == 'step':
            return value
        if param.is_floating_point() and value.dtype != param.dtype:
            return value.to(dtype=param.dtype)
        return value

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Loads a state from ``state_dict()`` (this optimizer's, or one laid out alike).

        Groups are matched by position and parameters by their index, so the optimizer
        must have been built over parameters in the same order.
        """
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict['param_groups'])
        if len(groups) != len(saved_groups):
            raise ValueError('loaded state dict has a different number of parameter groups')
        if any(len(g['params']) != len(s['params']) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g['params'] for g in saved_groups),
                          chain.from_iterable(g['params'] for g in groups)))

        def cast(param, value, param_id=None, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, state_dict['param_groups'], key)
            if isinstance(value, dict):
                return {k: cast(param, v, param_id, k) for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
                return type(value)(cast(param, v, param_id) for v in value)
            return value

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict['state'].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v, k)
            else:
                state[k] = v

        def update_group(group: dict[str, Any], new_group: dict[str, Any]) -> dict[str, Any]:
            new_group['params'] = group['params']
            if 'param_names' in group and 'param_names' not in new_group:
                new_group['param_names'] = group['param_names']
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({'state': state, 'param_groups': param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    def _refuse_complex(self, group: dict[str, Any]) -> None:
        """PyTorch's error for an optimizer without complex support, raised before any
        parameter of ``group`` that has a gradient is updated."""
        for p in group['params']:
            if p._grad is not None and p._data.dtype.kind == 'c':
                raise RuntimeError(f'{type(self).__name__} does not support complex parameters')

    def _params_with_grad(self, group: dict[str, Any]):
        """Yields ``(p, gradient array, parameter array, state dict)`` for each parameter of
        ``group`` that has a gradient, in order. A parameter's empty state is first filled by
        the subclass's ``_init_state(state, p, group)`` (PyTorch's ``_init_group``)."""
        state = self.state
        for p in group['params']:
            gt = p._grad
            if gt is not None:
                st = state[p]
                if not st:
                    self._init_state(st, p, group)
                d = p._data
                if d.dtype.kind == 'c':
                    # NOTE: as PyTorch's element-wise optimizers, a complex parameter steps as
                    # its real view: real and imaginary parts are independent coordinates
                    # (so Adam's g*g is re^2 and im^2, not a complex square).
                    st = {k: _wrap(_view_as_real(v._data))
                          if isinstance(v, Tensor) and v._data.dtype.kind == 'c' else v
                          for k, v in st.items()}
                    yield p, _view_as_real(gt._data), _view_as_real(d), st
                else:
                    yield p, gt._data, d, st

    def _setdefault_in_groups(self, **defaults: Any) -> None:
        """Gives every group the options it lacks, in the order given: a checkpoint written
        before an option existed loads with that option's default (PyTorch's
        ``__setstate__`` runs ``group.setdefault`` for each)."""
        for group in self.param_groups:
            for key, value in defaults.items():
                group.setdefault(key, value)

    def _steps_to_tensors(self, keys: tuple[str, ...] = ('step',)) -> None:
        """After loading an old-style checkpoint: scalar state given as Python numbers
        becomes 0-dim tensors, as PyTorch's ``__setstate__`` converts them."""
        for group in self.param_groups:
            for p in group['params']:
                st = self.state.get(p)
                if st:
                    for key in keys:
                        if key in st and not isinstance(st[key], Tensor):
                            st[key] = _scalar_state(float(st[key]))
