"""``nn.Parameter`` (a tensor that a Module registers as learnable) and ``nn.Buffer``."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .._tensor import Tensor, _new, _wrap

__all__ = ['Parameter', 'Buffer', 'UninitializedParameter', 'UninitializedBuffer', 'is_lazy']


def _alias(cls, data: Tensor, requires_grad: bool):
    """An instance of ``cls`` sharing ``data``'s array and version counter, no history."""
    t = _new(cls)
    t._data = data._data
    t.grad_fn = None
    t._grad = None
    vc = data._vc
    if vc is None:
        vc = data._vc = [0]
    t._vc = vc
    t._base = None
    t._x = None
    t._rg = False
    if requires_grad:
        t.requires_grad_(True)
    return t


class Parameter(Tensor):
    """A tensor that is a learnable parameter of a Module.

    Assigning a Parameter as a Module attribute registers it, so it shows up in
    ``parameters()`` and ``state_dict()``. It shares memory with ``data`` (an empty
    tensor when omitted) and requires grad by default, even under ``no_grad``.
    """
    # A __dict__ (no __slots__): users and libraries attach attributes to parameters.

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            from .._ops.creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f'Parameter(): argument \'data\' (position 1) must be Tensor, not '
                            f'{type(data).__name__}')
        if requires_grad and data._data.dtype.kind not in 'fc':
            raise RuntimeError('Only Tensors of floating point and complex dtype can require '
                               'gradients')
        return _alias(cls, data, requires_grad)

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    @classmethod
    def _from_tensor(cls, t: Tensor, requires_grad: bool) -> 'Parameter':
        """Wraps ``t``'s array as a Parameter (used by ``Tensor.__deepcopy__``)."""
        return _alias(cls, t, requires_grad and t._data.dtype.kind in 'fc')

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = _alias(type(self), _copy_of(self), self._rg)
        if self._grad is not None:
            result._grad = _copy_of(self._grad)
        if self.__dict__:
            import copy
            result.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = result
        return result

    def __repr__(self) -> str:
        return 'Parameter containing:\n' + super().__repr__()

    def __reduce_ex__(self, proto):
        # As torch: rebuilt from a plain tensor (pickled by the tensor's own reduce).
        return (_rebuild_parameter, (_wrap(self._data), self._rg, OrderedDict()))


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks) -> Parameter:
    return Parameter(data, requires_grad)


def _copy_of(t: Tensor) -> Tensor:
    return _wrap(np.array(t._data, copy=True))


class _BufferMeta(type):
    # isinstance(t, Buffer) holds for tensors marked by Buffer(...).
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and bool(obj._x) and '_is_buffer' in obj._x


class Buffer(metaclass=_BufferMeta):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute.

    ``Buffer(data, persistent=True)`` returns ``data`` (detached) tagged as a buffer;
    ``persistent=False`` keeps it out of ``state_dict()``.
    """

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            from .._ops.creation import empty
            data = empty(0)
        t = data.detach()
        if t._x is None:
            t._x = {}
        t._x['_is_buffer'] = True
        t._x['persistent'] = persistent
        return t


class _Uninitialized:
    """A placeholder with no shape yet: a lazy module materializes it, in place (the same
    object, so optimizers built before still hold it), at its first forward."""
    __slots__ = ()
    cls_to_become: type = Tensor

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Gives the placeholder an (uninitialized) array of ``shape`` and makes it a
        plain Parameter (or tensor)."""
        from .._dtype import to_dtype
        # the dtype defaults to the placeholder's own (the default dtype when it was made)
        dt = self._data.dtype if dtype is None else to_dtype(dtype).np
        self._data = np.empty(tuple(shape), dt)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. "
                           'This error usually happens in `load_state_dict` when trying to '
                           'load an uninitialized parameter into an initialized one. Call '
                           '`forward` to initialize the parameters before accessing their '
                           'attributes.')

    def __repr__(self) -> str:
        return f'<{type(self).__name__}>'


class UninitializedParameter(_Uninitialized, Parameter):
    """A Parameter whose shape a lazy module infers from its first input."""
    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        from .._ops.creation import empty
        return Parameter.__new__(cls, empty(0, dtype=dtype), requires_grad)

    def __init__(self, requires_grad: bool = True, device=None, dtype=None) -> None:
        pass


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer whose shape a lazy module infers from its first input."""
    __slots__ = ()

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None):
        from .._ops.creation import empty
        t = _alias(cls, empty(0, dtype=dtype), False)
        return t

    def __init__(self, requires_grad: bool = False, device=None, dtype=None) -> None:
        pass


def is_lazy(param) -> bool:
    """Whether ``param`` is a parameter or buffer not yet materialized."""
    return isinstance(param, _Uninitialized)
