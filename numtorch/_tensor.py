"""class Tensor: a thin handle on one NumPy array, plus what autograd needs.

Every math method is a one-line delegation to the op family that defines it
(``numtorch/_ops/<family>.py``), so the method, ``numtorch.<fn>`` and
``nn.functional`` share one definition.
"""
from __future__ import annotations

import warnings

import numpy as np

from ._dtype import (NP2DT, ALIASES, dtype as _dtype_cls, get_default_dtype, to_dtype,
                     can_cast, _defaults)
from ._device import CPU, device as _device_cls, check_device
from ._size import Size
from ._state import state

__all__ = ['Tensor']

ndarray = np.ndarray
_new = object.__new__


def _wrap(arr) -> 'Tensor':
    """A new tensor (no grad) owning ``arr``; NumPy scalars become 0-dim arrays."""
    t = _new(Tensor)
    if type(arr) is not ndarray:
        arr = np.asarray(arr)
    t._data = arr
    t._rg = False
    t.grad_fn = None
    t._grad = None
    t._vc = None
    t._base = None
    t._x = {'inference': True} if state.inference else None
    return t


def _as_view(r: 'Tensor', x: 'Tensor', vfn=None) -> 'Tensor':
    """Marks ``r`` as a view of ``x``: shared version counter and base; ``vfn`` maps
    the base's array to this view's array (needed for in-place ops on views)."""
    base = x._base
    if base is None:
        base = x
    vc = base._vc
    if vc is None:
        vc = base._vc = [0]
    r._vc = vc
    r._base = base
    if r._x is not None and 'inference' in r._x and not (base._x and 'inference' in base._x):
        # A view made in inference mode is an inference tensor only if its base is one.
        del r._x['inference']
    if vfn is not None and (x._rg or base._rg):
        pf = x._x.get('vfn') if (x._x and x is not base) else None
        if pf is not None:
            inner = vfn
            vfn = (lambda a, pf=pf, inner=inner: inner(pf(a)))
        if r._x is None:
            r._x = {}
        r._x['vfn'] = vfn
    return r


def _shadow(t: 'Tensor') -> 'Tensor':
    """A copy of ``t``'s values that stands in ``t``'s place in the graph (for in-place ops
    whose backward must see the old values)."""
    s = _wrap(t._data.copy())
    s._rg = t._rg
    s.grad_fn = t.grad_fn
    if t.grad_fn is not None:
        s._oi = t._oi
    return s


def _bump(t: 'Tensor') -> None:
    vc = t._vc
    if vc is None:
        t._vc = [1]
    else:
        vc[0] += 1


_T_0D = 'Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.'
_T_ND = ('The use of `x.T` on tensors of dimension other than 2 to reverse their shape is '
         'deprecated and it will throw an error in a future release. Consider `x.mT` to '
         'transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to '
         'reverse the dimensions of a tensor.')
_warned: set = set()


def _warn_once(message: str) -> None:
    """A UserWarning given at most once per process, as PyTorch's TORCH_WARN_ONCE does."""
    if message not in _warned or _config.is_warn_always_enabled():
        _warned.add(message)
        warnings.warn(message, UserWarning, stacklevel=3)


def _inplace(self: 'Tensor', fn, *args, **kwargs) -> 'Tensor':
    """Runs the out-of-place ``fn(self, *args)`` and writes the result into ``self``,
    rewiring autograd history the way PyTorch does for in-place ops."""
    recording = state.enabled and (self._rg or any(
        isinstance(a, Tensor) and a._rg for a in args))
    if not recording:
        r = fn(self, *args, **kwargs)
        _store(self, r)
        _bump(self)
        return self
    base = self._base
    if self._rg and self.grad_fn is None and base is None:
        raise RuntimeError('a leaf Variable that requires grad is being used in an in-place '
                           'operation.')
    if base is not None and base._rg and base.grad_fn is None:
        raise RuntimeError('a view of a leaf Variable that requires grad is being used in an '
                           'in-place operation.')
    sh = _shadow(self)
    # An argument that is self (``y.mul_(y)``) must also read the old values.
    args = tuple(sh if a is self else a for a in args)
    r = fn(sh, *args, **kwargs)
    _store(self, r)
    _bump(self)
    if base is not None:
        from ._ops.shape import rebase_view
        rebase_view(self, r)
    else:
        self._rg = r._rg
        self.grad_fn = r.grad_fn
        if r.grad_fn is not None:
            self._oi = r._oi
    return self


def _ip(name: str):
    """The in-place method ``<name>_``: ``Tensor.<name>(self, ...)`` written back into self by
    ``_inplace`` (version bump, autograd rewiring, the cast and leaf checks of PyTorch)."""
    def method(self, *args, **kwargs):
        return _inplace(self, getattr(Tensor, name), *args, **kwargs)
    method.__name__ = method.__qualname__ = name + '_'
    method.__doc__ = f'In-place version of :meth:`Tensor.{name}`.'
    return method


def _ip_no_grad(name: str):
    """``_ip`` for the in-place ops PyTorch gives no derivative (acosh_, asinh_, atanh_): the
    values are written, and the recorded node raises PyTorch's error in backward."""
    def method(self):
        from ._ops.inplace import NoInplaceDerivative
        return _inplace(self, lambda t: NoInplaceDerivative(getattr(Tensor, name), name)
                        .apply1(t))
    method.__name__ = method.__qualname__ = name + '_'
    method.__doc__ = f'In-place version of :meth:`Tensor.{name}` (not differentiable).'
    return method


_CPP_TYPES = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half',
              'int64': 'long int', 'int32': 'int', 'int16': 'short int', 'int8': 'signed char',
              'uint8': 'unsigned char', 'bool': 'bool', 'complex64': 'c10::complex<float>',
              'complex128': 'c10::complex<double>'}


def _same_dtype_inplace(self: 'Tensor', dtype) -> None:
    """cumsum_/cumprod_ accept ``dtype`` only when it is self's own dtype."""
    if dtype is not None and to_dtype(dtype).np != self._data.dtype:
        raise RuntimeError(f'Bad in-place call: input tensor dtype '
                           f'{_CPP_TYPES[self._data.dtype.name]} and output tensor dtype '
                           f'{_CPP_TYPES[to_dtype(dtype).np.name]} should match')


def _store(self: 'Tensor', r: 'Tensor') -> None:
    rd = r._data
    sd = self._data
    if rd.dtype != sd.dtype and not can_cast(NP2DT[rd.dtype], NP2DT[sd.dtype]):
        raise RuntimeError(f"result type {_type_word(rd.dtype)} can't be cast to the desired "
                           f'output type {_type_word(sd.dtype)}')
    if rd.shape != sd.shape:
        try:
            np.broadcast_to(rd, sd.shape)
        except ValueError:
            raise RuntimeError(f"output with shape {list(sd.shape)} doesn't match the broadcast "
                               f'shape {list(np.broadcast_shapes(rd.shape, sd.shape))}') from None
    try:
        sd[...] = rd
    except ValueError:
        raise RuntimeError('unsupported operation: more than one element of the written-to '
                           'tensor refers to a single memory location. Please clone() the '
                           'tensor before performing the operation.') from None


def _write_out(result: 'Tensor', out: 'Tensor') -> 'Tensor':
    """Implements ``out=``: copies ``result`` into ``out``, resizing an empty ``out``."""
    if state.enabled and (result._rg or out._rg):
        raise RuntimeError(f'{result.grad_fn.name() if result.grad_fn else "op"}(): functions '
                           'with out=... arguments don\'t support automatic differentiation, '
                           'but one of the arguments requires grad.')
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    out._data[...] = result._data
    _bump(out)
    return out


_TYPE_WORDS = {'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble',
               'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'int64': 'Long',
               'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool'}


def _type_word(npdt) -> str:
    return _TYPE_WORDS[np.dtype(npdt).name]


def _real_item(t: 'Tensor', ctype: str):
    """``t.item()`` for float()/int(): a complex value with a nonzero imaginary part is
    refused with PyTorch's message (a zero one converts)."""
    v = t.item()
    if type(v) is complex:
        if v.imag:
            raise RuntimeError(f'value cannot be converted to type {ctype} without overflow')
        return v.real
    return v


class memory_format:
    """A memory layout name (``torch.contiguous_format``, ``torch.channels_last``, ...)."""
    __slots__ = ('name',)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return 'torch.' + self.name


contiguous_format = memory_format('contiguous_format')
preserve_format = memory_format('preserve_format')
channels_last = memory_format('channels_last')
channels_last_3d = memory_format('channels_last_3d')


def _check_format(mf) -> None:
    """numtorch keeps row-major layouts; other memory formats are refused, not ignored."""
    if mf is not None and mf is not contiguous_format and mf is not preserve_format:
        raise NotImplementedError(f'memory_format={mf!r} is not supported by numtorch (its '
                                  'tensors use the contiguous row-major layout)')


class Tensor:
    """A multi-dimensional array with autograd, PyTorch's ``torch.Tensor``.

    ``Tensor(data)`` and ``Tensor(*sizes)`` are the legacy constructors; they
    always give the default floating dtype. Prefer ``numtorch.tensor``.
    """
    __slots__ = ('_data', '_rg', 'grad_fn', '_grad', '_oi', '_vc', '_base', '_x', '__weakref__')
    __array_priority__ = 1000
    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mkldnn = False
    is_nested = False
    layout = 'torch.strided'

    def __init__(self, *args, device=None, dtype=None) -> None:
        _legacy_init(self, args, to_dtype(dtype) if dtype is not None else get_default_dtype(),
                     device)

    # -- core attributes ------------------------------------------------------
    @property
    def data(self) -> 'Tensor':
        """The same values without autograd history (shares memory, not history)."""
        t = _wrap(self._data)
        t._base = self._base
        return t

    @data.setter
    def data(self, value: 'Tensor') -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f'data must be a Tensor, got {type(value).__name__}')
        self._data = value._data

    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    @property
    def grad(self):
        """The gradient accumulated by ``backward()`` (None until one runs)."""
        if self.grad_fn is not None and self._grad is None and not (
                self._x and '_retains' in self._x):
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
                "mistake, make sure you access the leaf Tensor instead.", UserWarning,
                stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f'assigned grad expected to be a Tensor or None but got grad of '
                                f'type {type(value).__name__}')
            if value._data.dtype != self._data.dtype:
                raise RuntimeError('assigned grad has data of a different type')
            if value._data.shape != self._data.shape:
                raise RuntimeError('assigned grad has data of a different size')
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded op (user-created, or requires_grad=False)."""
        return self.grad_fn is None

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def dtype(self) -> _dtype_cls:
        return NP2DT[self._data.dtype]

    @property
    def device(self) -> _device_cls:
        return CPU

    is_cuda = False
    is_cpu = True

    @property
    def real(self) -> 'Tensor':
        """The real parts (a view of a complex tensor; a real tensor itself)."""
        return _cx.real(self)

    @real.setter
    def real(self, value) -> None:
        _cx.real(self).copy_(value if isinstance(value, Tensor) else _cr.tensor(value))

    @property
    def imag(self) -> 'Tensor':
        """The imaginary parts (a view of a complex tensor)."""
        return _cx.imag(self)

    @imag.setter
    def imag(self, value) -> None:
        _cx.imag(self).copy_(value if isinstance(value, Tensor) else _cr.tensor(value))

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def _version(self) -> int:
        return 0 if self._vc is None else self._vc[0]

    @property
    def T(self) -> 'Tensor':
        nd = self._data.ndim
        if nd != 2:
            _warn_once(_T_0D if nd == 0 else _T_ND)
        return _sh.permute(self, tuple(range(nd - 1, -1, -1)))

    @property
    def mT(self) -> 'Tensor':
        return _sh.transpose(self, -2, -1)

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    @property
    def names(self):
        return (None,) * self._data.ndim

    def size(self, dim: int | None = None):
        """The shape as a ``torch.Size``, or the size of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_sh.wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def stride(self, dim: int | None = None):
        """Strides in elements, as PyTorch reports them."""
        it = self._data.itemsize
        st = tuple(s // it for s in self._data.strides)
        if self._data.size <= 1 or 0 in self._data.shape:
            # NumPy reports arbitrary strides for size-1 dims of tiny arrays; use contiguous ones.
            st = _contiguous_strides(self._data.shape)
        return st if dim is None else st[_sh.wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None) -> bool:
        _check_format(memory_format)
        return self._data.flags.c_contiguous

    def storage_offset(self) -> int:
        a = self._data
        root = a
        while isinstance(root.base, ndarray):
            root = root.base
        return (a.__array_interface__['data'][0] - root.__array_interface__['data'][0]) \
            // a.itemsize

    def data_ptr(self) -> int:
        return self._data.__array_interface__['data'][0]

    const_data_ptr = data_ptr

    def untyped_storage(self):
        from .storage import UntypedStorage
        return UntypedStorage._of(self)

    def get_device(self) -> int:
        return -1

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == 'f'

    def is_complex(self) -> bool:
        return self._data.dtype.kind == 'c'

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    def is_pinned(self) -> bool:
        return False

    def pin_memory(self) -> 'Tensor':
        return self

    def share_memory_(self) -> 'Tensor':
        return self

    def is_shared(self) -> bool:
        return False

    # -- conversion to Python / NumPy ----------------------------------------
    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f'a Tensor with {self._data.size} elements cannot be converted '
                               'to Scalar')
        return self._data.item() if self._data.ndim == 0 else self._data.reshape(()).item()

    def tolist(self):
        """The values as (nested) Python lists of numbers."""
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The values as a NumPy array sharing this tensor's memory."""
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = self._data
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        if copy:
            return a.copy()
        return a

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError('len() of a 0-d tensor')
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError('iteration over a 0-d tensor')
        return iter(_sh.unbind(self, 0))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            if self._data.size == 0:
                raise RuntimeError('Boolean value of Tensor with no values is ambiguous')
            raise RuntimeError('Boolean value of Tensor with more than one value is ambiguous')
        return bool(self._data.reshape(()))

    def __float__(self) -> float:
        return float(_real_item(self, 'double'))

    def __int__(self) -> int:
        return int(_real_item(self, 'int64_t'))

    def __index__(self) -> int:
        if self._data.dtype.kind not in 'iub' or self._data.size != 1:
            raise TypeError('only integer tensors of a single element can be converted to an '
                            'index')
        return int(self._data.reshape(()))

    def __complex__(self) -> complex:
        return complex(self.item())

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self, *, tensor_contents=None) -> str:
        from ._tensor_str import _str
        return _str(self, tensor_contents=tensor_contents)

    def __format__(self, spec: str) -> str:
        # A plain 0-d tensor formats as its Python number even without a spec, as PyTorch's.
        if self._data.ndim == 0 and (spec or type(self) is Tensor):
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, proto):
        from .serialization import _reduce_tensor
        return _reduce_tensor(self)

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError('Only Tensors created explicitly by the user (graph leaves) '
                               'support the deepcopy protocol at the moment.  If you were '
                               'attempting to deepcopy a module, this may be because of a '
                               'torch.nn.utils.weight_norm usage, see '
                               'https://github.com/pytorch/pytorch/pull/103001')
        if id(self) in memo:
            return memo[id(self)]
        new = _wrap(self._data.copy())
        if type(self) is not Tensor:
            new = type(self)._from_tensor(new, self._rg)
        new._rg = self._rg
        if self._grad is not None:
            new._grad = _wrap(self._grad._data.copy())
        memo[id(self)] = new
        return new

    # -- autograd -----------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> 'Tensor':
        """Sets whether autograd records operations on this (leaf) tensor."""
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach().")
            return self
        if requires_grad and self._data.dtype.kind not in 'fc':
            raise RuntimeError('only Tensors of floating point dtype can require gradients')
        self._rg = bool(requires_grad)
        return self

    def detach(self) -> 'Tensor':
        """A tensor sharing this one's memory (and version counter) with no history."""
        t = _wrap(self._data)
        return _as_view(t, self)

    def detach_(self) -> 'Tensor':
        if self._base is not None and self._base._rg:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._rg = False
        return self

    def retain_grad(self) -> None:
        """Keeps the ``.grad`` of this non-leaf tensor after ``backward()``."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None:
            return
        import weakref
        if self._x is None:
            self._x = {}
        self._x['_retains'] = True
        self.grad_fn._hook_table('retain')[self._oi] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        return bool(self.grad_fn is not None and self._x and self._x.get('_retains'))

    def register_hook(self, hook):
        """Registers ``hook(grad)`` to run when this tensor's gradient is computed; its
        return value (if not None) replaces the gradient."""
        from .utils.hooks import RemovableHandle
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        if self.grad_fn is None:
            if self._x is None:
                self._x = {}
            d = self._x.setdefault('hooks', {})
        else:
            d = self.grad_fn._hook_table('tensor').setdefault(self._oi, {})
        h = RemovableHandle(d)
        d[h.id] = hook
        return h

    def register_post_accumulate_grad_hook(self, hook):
        """Registers ``hook(tensor)`` to run after a gradient is accumulated into this leaf."""
        from .utils.hooks import RemovableHandle
        if self.grad_fn is not None:
            raise RuntimeError('post accumulate grad hooks cannot be registered on non-leaf '
                               'tensors')
        if self._x is None:
            self._x = {}
        d = self._x.setdefault('post_hooks', {})
        h = RemovableHandle(d)
        d[h.id] = hook
        return h

    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False,
                 inputs=None) -> None:
        """Computes the gradient of this tensor with respect to the graph leaves."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # -- dtype / device conversion -----------------------------------------
    def to(self, *args, **kwargs) -> 'Tensor':
        """Returns the tensor with the given dtype and/or device (itself if unchanged)."""
        dt, dev, copy = _parse_to(args, kwargs)
        check_device(dev)
        r = self if dt is None else _cr.to_dtype(self, dt)
        if copy and r is self:
            r = _un.clone(self)
        return r

    def type(self, dtype=None, non_blocking: bool = False, **kwargs):
        """Without arguments the type name (``'torch.FloatTensor'``); otherwise a cast."""
        if dtype is None:
            return 'torch.' + _type_word(self._data.dtype) + 'Tensor'
        if isinstance(dtype, str):
            dtype = _TYPE_BY_NAME.get(dtype)
            if dtype is None:
                raise ValueError(f'invalid type: {dtype!r}')
        if isinstance(dtype, type) and hasattr(dtype, '_dt'):
            dtype = dtype._dt
        return _cr.to_dtype(self, to_dtype(dtype))

    def type_as(self, other: 'Tensor') -> 'Tensor':
        return _cr.to_dtype(self, other.dtype)

    def cpu(self, memory_format=None) -> 'Tensor':
        return self

    def cuda(self, device=None, non_blocking: bool = False, memory_format=None) -> 'Tensor':
        check_device('cuda')
        return self

    def float(self, memory_format=None) -> 'Tensor':
        _check_format(memory_format)
        return _cr.to_dtype(self, _f32)

    def double(self, memory_format=None) -> 'Tensor':
        _check_format(memory_format)
        return _cr.to_dtype(self, _f64)

    def cfloat(self, memory_format=None) -> 'Tensor':
        _check_format(memory_format)
        return _cr.to_dtype(self, ALIASES['cfloat'])

    def cdouble(self, memory_format=None) -> 'Tensor':
        _check_format(memory_format)
        return _cr.to_dtype(self, ALIASES['cdouble'])

    def half(self, memory_format=None) -> 'Tensor':
        _check_format(memory_format)
        return _cr.to_dtype(self, _f16)

    def long(self, memory_format=None) -> 'Tensor':
        _check_format(memory_format)
        return _cr.to_dtype(self, _i64)

    def int(self, memory_format=None) -> 'Tensor':
        _check_format(memory_format)
        return _cr.to_dtype(self, _i32)

    def short(self, memory_format=None) -> 'Tensor':
        _check_format(memory_format)
        return _cr.to_dtype(self, ALIASES['short'])

    def char(self, memory_format=None) -> 'Tensor':
        _check_format(memory_format)
        return _cr.to_dtype(self, NP2DT[np.dtype(np.int8)])

    def byte(self, memory_format=None) -> 'Tensor':
        _check_format(memory_format)
        return _cr.to_dtype(self, NP2DT[np.dtype(np.uint8)])

    def bool(self, memory_format=None) -> 'Tensor':
        _check_format(memory_format)
        return _cr.to_dtype(self, ALIASES['bool'])

    # -- creation helpers ------------------------------------------------------
    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False) -> 'Tensor':
        return _cr.tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False) -> 'Tensor':
        return _cr.zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False) -> 'Tensor':
        return _cr.ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False) -> 'Tensor':
        return _cr.empty(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False,
                          layout=None, pin_memory=False) -> 'Tensor':
        return _ta.new_empty_strided(self, size, stride, dtype=dtype, device=device,
                                     requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None,
                 requires_grad=False) -> 'Tensor':
        return _cr.full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    # -- in-place fills and random ---------------------------------------------
    def zero_(self) -> 'Tensor':
        return _inplace(self, _cr._filled, 0)

    def fill_(self, value) -> 'Tensor':
        return _inplace(self, _cr._filled, value)

    def copy_(self, src: 'Tensor', non_blocking: bool = False) -> 'Tensor':
        return _inplace(self, _cr._copied, src)

    def uniform_(self, a: float = 0, b: float = 1, *, generator=None) -> 'Tensor':
        return _inplace(self, _rnd._uniform_like, a, b, generator)

    def normal_(self, mean: float = 0, std: float = 1, *, generator=None) -> 'Tensor':
        return _inplace(self, _rnd._normal_like, mean, std, generator)

    def bernoulli_(self, p=0.5, *, generator=None) -> 'Tensor':
        return _inplace(self, _rnd._bernoulli_like, p, generator)

    def random_(self, *args, generator=None, **kwargs) -> 'Tensor':
        return _inplace(self, _rnd._random_like, args, kwargs, generator)

    def exponential_(self, lambd: float = 1, *, generator=None) -> 'Tensor':
        return _inplace(self, _rnd._exponential_like, lambd, generator)

    def geometric_(self, p: float, *, generator=None) -> 'Tensor':
        return _inplace(self, _rnd._geometric_like, p, generator)

    def log_normal_(self, mean: float = 1, std: float = 2, *, generator=None) -> 'Tensor':
        return _inplace(self, _rnd._log_normal_like, mean, std, generator)

    def cauchy_(self, median: float = 0, sigma: float = 1, *, generator=None) -> 'Tensor':
        return _inplace(self, _rnd._cauchy_like, median, sigma, generator)

    def bernoulli(self, p=None, *, generator=None) -> 'Tensor':
        return _rnd.bernoulli(self, p, generator=generator)

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator=None) -> 'Tensor':
        return _rnd.multinomial(self, num_samples, replacement, generator=generator)

    def clone(self, *, memory_format=None) -> 'Tensor':
        _check_format(memory_format)
        return _un.clone(self)

    def contiguous(self, memory_format=None) -> 'Tensor':
        _check_format(memory_format)
        return _sh.contiguous(self)

    # -- operators -----------------------------------------------------------
    def __add__(self, other): return _ar.add(self, other)
    def __radd__(self, other): return _ar.add(self, other)
    def __iadd__(self, other): return _inplace(self, _ar.add, other)
    def __sub__(self, other): return _ar.sub(self, other)
    def __rsub__(self, other): return _ar.rsub(self, other)
    def __isub__(self, other): return _inplace(self, _ar.sub, other)
    def __mul__(self, other): return _ar.mul(self, other)
    def __rmul__(self, other): return _ar.mul(self, other)
    def __imul__(self, other): return _inplace(self, _ar.mul, other)
    def __truediv__(self, other): return _ar.div(self, other)
    def __rtruediv__(self, other): return _ar.rdiv(self, other)
    def __itruediv__(self, other): return _inplace(self, _ar.div, other)
    def __floordiv__(self, other): return _ar.floor_divide(self, other)
    def __rfloordiv__(self, other): return _ar.floor_divide(_cr.scalar_like(other, self), self)
    def __ifloordiv__(self, other): return _inplace(self, _ar.floor_divide, other)
    def __mod__(self, other): return _ar.remainder(self, other)
    def __rmod__(self, other): return _ar.remainder(_cr.scalar_like(other, self), self)
    def __imod__(self, other): return _inplace(self, _ar.remainder, other)
    def __pow__(self, other): return _ar.pow(self, other)
    def __rpow__(self, other): return _ar.pow(other, self)
    def __ipow__(self, other): return _inplace(self, _ar.pow, other)
    def __matmul__(self, other): return _la.matmul(self, other)
    def __rmatmul__(self, other): return _la.matmul(other, self)
    def __neg__(self): return _un.neg(self)
    def __pos__(self): return self
    def __abs__(self): return _un.abs(self)
    def __invert__(self): return _cmp.bitwise_not(self)
    def __and__(self, other): return _cmp.bitwise_and(self, other)
    def __rand__(self, other): return _cmp.bitwise_and(self, other)
    def __iand__(self, other): return _inplace(self, _cmp.bitwise_and, other)
    def __or__(self, other): return _cmp.bitwise_or(self, other)
    def __ror__(self, other): return _cmp.bitwise_or(self, other)
    def __ior__(self, other): return _inplace(self, _cmp.bitwise_or, other)
    def __xor__(self, other): return _cmp.bitwise_xor(self, other)
    def __rxor__(self, other): return _cmp.bitwise_xor(self, other)
    def __ixor__(self, other): return _inplace(self, _cmp.bitwise_xor, other)
    def __lshift__(self, other): return _cmp.bitwise_left_shift(self, other)
    def __rshift__(self, other): return _cmp.bitwise_right_shift(self, other)
    def __eq__(self, other): return _cmp.eq(self, other)
    def __ne__(self, other): return _cmp.ne(self, other)
    def __lt__(self, other): return _cmp.lt(self, other)
    def __le__(self, other): return _cmp.le(self, other)
    def __gt__(self, other): return _cmp.gt(self, other)
    def __ge__(self, other): return _cmp.ge(self, other)
    def __getitem__(self, key): return _ix.getitem(self, key)
    def __setitem__(self, key, value): _ix.setitem(self, key, value)

    # -- arithmetic ---------------------------------------------------------------
    def add(self, other, *, alpha=1): return _ar.add(self, other, alpha=alpha)
    def add_(self, other, *, alpha=1): return _inplace(self, _ar.add, other, alpha=alpha)
    def sub(self, other, *, alpha=1): return _ar.sub(self, other, alpha=alpha)
    def sub_(self, other, *, alpha=1): return _inplace(self, _ar.sub, other, alpha=alpha)
    subtract = sub
    def mul(self, other): return _ar.mul(self, other)
    def mul_(self, other): return _inplace(self, _ar.mul, other)
    multiply = mul
    def div(self, other, *, rounding_mode=None): return _ar.div(self, other, rounding_mode=rounding_mode)
    def div_(self, other, *, rounding_mode=None): return _inplace(self, _ar.div, other, rounding_mode=rounding_mode)
    divide = div
    true_divide = div
    def floor_divide(self, other): return _ar.floor_divide(self, other)
    def remainder(self, other): return _ar.remainder(self, other)
    def fmod(self, other): return _ar.fmod(self, other)
    def pow(self, exponent): return _ar.pow(self, exponent)
    def pow_(self, exponent): return _inplace(self, _ar.pow, exponent)
    def rsub(self, other, *, alpha=1): return _ar.rsub(self, other, alpha=alpha)
    def maximum(self, other): return _ar.maximum(self, other)
    def minimum(self, other): return _ar.minimum(self, other)
    def fmax(self, other): return _ar.fmax(self, other)
    def fmin(self, other): return _ar.fmin(self, other)
    def lerp(self, end, weight): return _ar.lerp(self, end, weight)
    def lerp_(self, end, weight): return _inplace(self, _ar.lerp, end, weight)
    def addcmul(self, t1, t2, *, value=1): return _ar.addcmul(self, t1, t2, value=value)
    def addcmul_(self, t1, t2, *, value=1): return _inplace(self, _ar.addcmul, t1, t2, value=value)
    def addcdiv(self, t1, t2, *, value=1): return _ar.addcdiv(self, t1, t2, value=value)
    def addcdiv_(self, t1, t2, *, value=1): return _inplace(self, _ar.addcdiv, t1, t2, value=value)
    def where(self, condition, other): return _ar.where(condition, self, other)
    def atan2(self, other): return _ar.atan2(self, other)
    arctan2 = atan2
    def hypot(self, other): return _ar.hypot(self, other)
    def logaddexp(self, other): return _ar.logaddexp(self, other)
    def logaddexp2(self, other): return _ar.logaddexp2(self, other)
    def heaviside(self, values): return _ar.heaviside(self, values)
    def float_power(self, exponent): return _ar.float_power(self, exponent)
    def xlogy(self, other): return _ar.xlogy(self, other)
    def copysign(self, other): return _ar.copysign(self, other)

    # -- unary math --------------------------------------------------------------
    def neg(self): return _un.neg(self)
    def neg_(self): return _inplace(self, _un.neg)
    negative = neg
    def abs(self): return _un.abs(self)
    def abs_(self): return _inplace(self, _un.abs_checked)
    absolute = abs
    def sign(self): return _un.sign(self)
    def sgn(self): return _un.sgn(self)
    def signbit(self): return _un.signbit(self)
    def exp(self): return _un.exp(self)
    def exp_(self): return _inplace(self, _un.exp)
    def exp2(self): return _un.exp2(self)
    def deg2rad(self): return _un.deg2rad(self)
    def rad2deg(self): return _un.rad2deg(self)
    def sinc(self): return _un.sinc(self)
    def expm1(self): return _un.expm1(self)
    def log(self): return _un.log(self)
    def log_(self): return _inplace(self, _un.log)
    def log2(self): return _un.log2(self)
    def log10(self): return _un.log10(self)
    def log1p(self): return _un.log1p(self)
    def sqrt(self): return _un.sqrt(self)
    def sqrt_(self): return _inplace(self, _un.sqrt)
    def rsqrt(self): return _un.rsqrt(self)
    def square(self): return _un.square(self)
    def square_(self): return _inplace(self, _un.square)
    def sin(self): return _un.sin(self)
    def sin_(self): return _inplace(self, _un.sin)
    def cos(self): return _un.cos(self)
    def cos_(self): return _inplace(self, _un.cos)
    def tan(self): return _un.tan(self)
    def asin(self): return _un.asin(self)
    def acos(self): return _un.acos(self)
    def atan(self): return _un.atan(self)
    arcsin = asin
    arccos = acos
    arctan = atan
    def sinh(self): return _un.sinh(self)
    def cosh(self): return _un.cosh(self)
    def tanh(self): return _un.tanh(self)
    def tanh_(self): return _inplace(self, _un.tanh)
    def asinh(self): return _un.asinh(self)
    def acosh(self): return _un.acosh(self)
    def atanh(self): return _un.atanh(self)
    arcsinh = asinh
    arccosh = acosh
    arctanh = atanh
    def sigmoid(self): return _un.sigmoid(self)
    def sigmoid_(self): return _inplace(self, _un.sigmoid)
    def logit(self, eps=None): return _un.logit(self, eps)
    def relu(self): return _un.relu(self)
    def relu_(self): return _inplace(self, _un.relu)
    def erf(self): return _un.erf(self)
    def erfc(self): return _un.erfc(self)
    def erfinv(self): return _un.erfinv(self)
    def lgamma(self): return _sp.lgamma(self)
    def digamma(self): return _sp.digamma(self)
    def polygamma(self, n): return _sp.polygamma(n, self)
    def reciprocal(self): return _un.reciprocal(self)
    def reciprocal_(self): return _inplace(self, _un.reciprocal)
    def floor(self): return _un.floor(self)
    def floor_(self): return _inplace(self, _un.floor)
    def ceil(self): return _un.ceil(self)
    def ceil_(self): return _inplace(self, _un.ceil)
    def round(self, *, decimals=0): return _un.round(self, decimals=decimals)
    def round_(self, *, decimals=0): return _inplace(self, _un.round, decimals=decimals)
    def trunc(self): return _un.trunc(self)
    def trunc_(self): return _inplace(self, _un.trunc)
    fix = trunc
    def frac(self): return _un.frac(self)
    def clamp(self, min=None, max=None): return _un.clamp(self, min, max)
    def clamp_(self, min=None, max=None): return _inplace(self, _un.clamp, min, max)
    clip = clamp
    clip_ = clamp_
    def clamp_min(self, min): return _un.clamp_min(self, min)
    def clamp_min_(self, min): return _inplace(self, _un.clamp_min, min)
    def clamp_max(self, max): return _un.clamp_max(self, max)
    def clamp_max_(self, max): return _inplace(self, _un.clamp_max, max)
    def nan_to_num(self, nan=0.0, posinf=None, neginf=None): return _un.nan_to_num(self, nan, posinf, neginf)
    def softmax(self, dim, dtype=None): return _red.softmax(self, dim, dtype=dtype)
    def log_softmax(self, dim, dtype=None): return _red.log_softmax(self, dim, dtype=dtype)

    # -- reductions ---------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, dtype=None): return _red.sum(self, dim, keepdim, dtype=dtype)
    def nansum(self, dim=None, keepdim=False, *, dtype=None): return _red.nansum(self, dim, keepdim, dtype=dtype)
    def mean(self, dim=None, keepdim=False, *, dtype=None): return _red.mean(self, dim, keepdim, dtype=dtype)
    def nanmean(self, dim=None, keepdim=False, *, dtype=None): return _red.nanmean(self, dim, keepdim, dtype=dtype)
    def prod(self, dim=None, keepdim=False, *, dtype=None): return _red.prod(self, dim, keepdim, dtype=dtype)
    def max(self, dim=None, keepdim=False): return _red.max(self, dim, keepdim)
    def min(self, dim=None, keepdim=False): return _red.min(self, dim, keepdim)
    def amax(self, dim=(), keepdim=False): return _red.amax(self, dim, keepdim)
    def amin(self, dim=(), keepdim=False): return _red.amin(self, dim, keepdim)
    def aminmax(self, *, dim=None, keepdim=False): return _red.aminmax(self, dim=dim, keepdim=keepdim)
    def argmax(self, dim=None, keepdim=False): return _red.argmax(self, dim, keepdim)
    def argmin(self, dim=None, keepdim=False): return _red.argmin(self, dim, keepdim)
    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None): return _red.std(self, dim, unbiased, keepdim, correction=correction)
    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None): return _red.var(self, dim, unbiased, keepdim, correction=correction)
    def norm(self, p='fro', dim=None, keepdim=False, dtype=None): return _red.norm(self, p, dim, keepdim, dtype=dtype)
    def logsumexp(self, dim, keepdim=False): return _red.logsumexp(self, dim, keepdim)
    def cumsum(self, dim, *, dtype=None): return _red.cumsum(self, dim, dtype=dtype)
    def cumsum_(self, dim, *, dtype=None):
        _same_dtype_inplace(self, dtype)
        return _inplace(self, _red.cumsum, dim)
    def cumprod(self, dim, *, dtype=None): return _red.cumprod(self, dim, dtype=dtype)
    def cummax(self, dim): return _red.cummax(self, dim)
    def cummin(self, dim): return _red.cummin(self, dim)
    def logcumsumexp(self, dim): return _red.logcumsumexp(self, dim)
    def all(self, dim=None, keepdim=False): return _red.all(self, dim, keepdim)
    def any(self, dim=None, keepdim=False): return _red.any(self, dim, keepdim)
    def count_nonzero(self, dim=None): return _red.count_nonzero(self, dim)
    def median(self, dim=None, keepdim=False): return _red.median(self, dim, keepdim)
    def nanmedian(self, dim=None, keepdim=False): return _red.nanmedian(self, dim, keepdim)
    def mode(self, dim=-1, keepdim=False): return _red.mode(self, dim, keepdim)
    def quantile(self, q, dim=None, keepdim=False, *, interpolation='linear'): return _red.quantile(self, q, dim, keepdim, interpolation=interpolation)
    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation='linear'): return _red.nanquantile(self, q, dim, keepdim, interpolation=interpolation)
    def sort(self, dim=-1, descending=False, stable=False): return _red.sort(self, dim, descending, stable=stable)
    def argsort(self, dim=-1, descending=False, stable=False): return _red.argsort(self, dim, descending, stable=stable)
    def msort(self): return _red.msort(self)
    def topk(self, k, dim=-1, largest=True, sorted=True): return _red.topk(self, k, dim, largest, sorted)
    def kthvalue(self, k, dim=-1, keepdim=False): return _red.kthvalue(self, k, dim, keepdim)
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None): return _red.unique(self, sorted, return_inverse, return_counts, dim)
    def bincount(self, weights=None, minlength=0): return _red.bincount(self, weights, minlength)
    def histc(self, bins=100, min=0, max=0): return _hist.histc(self, bins, min, max)

    def histogram(self, bins=100, *, range=None, weight=None, density=False, out=None):
        return _hist.histogram(self, bins, range=range, weight=weight, density=density, out=out)

    # -- shape ----------------------------------------------------------------------
    def view(self, *shape): return _sh.view(self, *shape)
    def view_as(self, other): return _sh.view(self, other.shape)
    def reshape(self, *shape): return _sh.reshape(self, *shape)
    def reshape_as(self, other): return _sh.reshape(self, other.shape)
    def flatten(self, start_dim=0, end_dim=-1): return _sh.flatten(self, start_dim, end_dim)
    def unflatten(self, dim, sizes): return _sh.unflatten(self, dim, sizes)
    def ravel(self): return _sh.ravel(self)
    def squeeze(self, dim=None): return _sh.squeeze(self, dim)
    def squeeze_(self, dim=None): return _sh.reshape_(self, _sh.squeeze(self, dim).shape)
    def unsqueeze(self, dim): return _sh.unsqueeze(self, dim)
    def unsqueeze_(self, dim): return _sh.reshape_(self, _sh.unsqueeze(self, dim).shape)
    def permute(self, *dims): return _sh.permute(self, *dims)
    def transpose(self, dim0, dim1): return _sh.transpose(self, dim0, dim1)
    def transpose_(self, dim0, dim1): return _sh.transpose_(self, dim0, dim1)
    swapaxes = transpose
    swapdims = transpose
    def t(self): return _sh.t(self)
    def t_(self): return _sh.transpose_(self, 0, -1) if self._data.ndim == 2 else self
    def adjoint(self): return _cx.conj(_sh.transpose(self, -2, -1))
    def movedim(self, source, destination): return _sh.movedim(self, source, destination)
    moveaxis = movedim
    def expand(self, *sizes): return _sh.expand(self, *sizes)
    def expand_as(self, other): return _sh.expand(self, other.shape)
    def broadcast_to(self, size): return _sh.expand(self, size)
    def repeat(self, *sizes): return _sh.repeat(self, *sizes)
    def repeat_interleave(self, repeats, dim=None, *, output_size=None): return _sh.repeat_interleave(self, repeats, dim)
    def tile(self, dims): return _sh.tile(self, dims)
    def split(self, split_size, dim=0): return _sh.split(self, split_size, dim)
    def tensor_split(self, indices_or_sections, dim=0): return _sh.tensor_split(self, indices_or_sections, dim)
    def hsplit(self, sections): return _sh.hsplit(self, sections)
    def vsplit(self, sections): return _sh.vsplit(self, sections)
    def dsplit(self, sections): return _sh.dsplit(self, sections)
    def diff(self, n=1, dim=-1, prepend=None, append=None): return _sh.diff(self, n, dim, prepend, append)
    def chunk(self, chunks, dim=0): return _sh.chunk(self, chunks, dim)
    def unbind(self, dim=0): return _sh.unbind(self, dim)
    def narrow(self, dim, start, length): return _sh.narrow(self, dim, start, length)
    def select(self, dim, index): return _sh.select(self, dim, index)
    def flip(self, *dims): return _sh.flip(self, *dims)
    def fliplr(self): return _sh.flip(self, 1)
    def flipud(self): return _sh.flip(self, 0)
    def roll(self, shifts, dims=None): return _sh.roll(self, shifts, dims)
    def rot90(self, k=1, dims=(0, 1)): return _sh.rot90(self, k, dims)
    def tril(self, diagonal=0): return _sh.tril(self, diagonal)
    def tril_(self, diagonal=0): return _inplace(self, _sh.tril, diagonal)
    def triu(self, diagonal=0): return _sh.triu(self, diagonal)
    def triu_(self, diagonal=0): return _inplace(self, _sh.triu, diagonal)
    def diagonal(self, offset=0, dim1=0, dim2=1): return _sh.diagonal(self, offset, dim1, dim2)
    def diag(self, diagonal=0): return _sh.diag(self, diagonal)
    def diag_embed(self, offset=0, dim1=-2, dim2=-1): return _sh.diag_embed(self, offset, dim1, dim2)
    def trace(self): return _la.trace(self)
    def diagflat(self, offset=0): return _sh.diagflat(self, offset)
    def gcd(self, other): return _ar.gcd(self, other)
    def lcm(self, other): return _ar.lcm(self, other)
    def cov(self, *, correction=1, fweights=None, aweights=None):
        from ._ops.statistics import cov
        return cov(self, correction=correction, fweights=fweights, aweights=aweights)
    def corrcoef(self):
        from ._ops.statistics import corrcoef
        return corrcoef(self)
    def dist(self, other, p=2): return _la.dist(self, other, p)
    def unfold(self, dimension, size, step): return _sh.unfold(self, dimension, size, step)
    def sum_to_size(self, *size): return _sh.sum_to_size(self, *size)
    def as_strided(self, size, stride, storage_offset=None): return _sh.as_strided(self, size, stride, storage_offset)
    def resize_(self, *sizes, memory_format=None):
        _check_format(memory_format)
        return _resize_(self, _sh._sizes(sizes))

    def resize_as_(self, the_template, *, memory_format=None):
        _check_format(memory_format)
        return _resize_(self, the_template._data.shape)

    # -- indexing -------------------------------------------------------------------
    def gather(self, dim, index, *, sparse_grad=False): return _ix.gather(self, dim, index)
    def scatter(self, dim, index, src=None, *, value=None, reduce=None): return _ix.scatter(self, dim, index, src, value=value, reduce=reduce)
    def scatter_(self, dim, index, src=None, *, value=None, reduce=None): return _inplace(self, _ix.scatter, dim, index, src, value=value, reduce=reduce)
    def scatter_add(self, dim, index, src): return _ix.scatter_add(self, dim, index, src)
    def scatter_add_(self, dim, index, src): return _inplace(self, _ix.scatter_add, dim, index, src)
    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True): return _ix.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    def index_select(self, dim, index): return _ix.index_select(self, dim, index)
    def index_add(self, dim, index, source, *, alpha=1): return _ix.index_add(self, dim, index, source, alpha=alpha)
    def index_add_(self, dim, index, source, *, alpha=1): return _inplace(self, _ix.index_add, dim, index, source, alpha=alpha)
    def index_fill(self, dim, index, value): return _ix.index_fill(self, dim, index, value)
    def index_fill_(self, dim, index, value): return _inplace(self, _ix.index_fill, dim, index, value)
    def index_copy(self, dim, index, source): return _ix.index_copy(self, dim, index, source)
    def index_copy_(self, dim, index, source): return _inplace(self, _ix.index_copy, dim, index, source)
    def index_put(self, indices, values, accumulate=False): return _ix.index_put_method(self, indices, values, accumulate)
    def index_put_(self, indices, values, accumulate=False): return _inplace(self, _ix.index_put_method, indices, values, accumulate)
    def masked_fill(self, mask, value): return _ix.masked_fill(self, mask, value)
    def masked_fill_(self, mask, value): return _inplace(self, _ix.masked_fill, mask, value)
    def masked_scatter(self, mask, source): return _ix.masked_scatter(self, mask, source)
    def masked_scatter_(self, mask, source): return _inplace(self, _ix.masked_scatter, mask, source)
    def masked_select(self, mask): return _ix.masked_select(self, mask)
    def nonzero(self, *, as_tuple=False): return _ix.nonzero(self, as_tuple=as_tuple)
    def argwhere(self): return _ix.nonzero(self)
    def take(self, index): return _ix.take(self, index)
    def take_along_dim(self, indices, dim=None): return _ix.take_along_dim(self, indices, dim)
    def put(self, index, source, accumulate=False): return _ta.put(self, index, source, accumulate)
    def put_(self, index, source, accumulate=False): return _ta.put_(self, index, source, accumulate)
    def nonzero_static(self, *, size, fill_value=-1): return _ta.nonzero_static(self, size=size, fill_value=fill_value)

    # -- linear algebra ---------------------------------------------------------------
    def mm(self, mat2): return _la.mm(self, mat2)
    def matmul(self, other): return _la.matmul(self, other)
    def bmm(self, mat2): return _la.bmm(self, mat2)
    def dot(self, other): return _la.dot(self, other)
    def inner(self, other): return _la.inner(self, other)
    def vdot(self, other): return _la.vdot(self, other)
    def mv(self, vec): return _la.mv(self, vec)
    def outer(self, vec2): return _la.outer(self, vec2)
    ger = outer
    def addmm(self, mat1, mat2, *, beta=1, alpha=1): return _la.addmm(self, mat1, mat2, beta=beta, alpha=alpha)
    def addmm_(self, mat1, mat2, *, beta=1, alpha=1): return _inplace(self, _la.addmm, mat1, mat2, beta=beta, alpha=alpha)
    def addmv(self, mat, vec, *, beta=1, alpha=1): return _la.addmv(self, mat, vec, beta=beta, alpha=alpha)
    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1): return _la.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def addbmm(self, batch1, batch2, *, beta=1, alpha=1): return _la.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def addr(self, vec1, vec2, *, beta=1, alpha=1): return _la.addr(self, vec1, vec2, beta=beta, alpha=alpha)
    def det(self): return _la.det(self)
    def inverse(self): return _la.inverse(self)
    def cross(self, other, dim=None): return _cross.cross(self, other, dim)
    def matrix_exp(self): return _mexp.matrix_exp(self)
    def geqrf(self): return _hh.geqrf(self)
    def orgqr(self, input2): return _hh.orgqr(self, input2)

    def ormqr(self, input2, input3, left=True, transpose=False):
        return _hh.ormqr(self, input2, input3, left, transpose)

    def igamma(self, other): return _ig.igamma(self, other)
    def igammac(self, other): return _ig.igammac(self, other)
    def i0(self): return _bessel.i0(self)
    def frexp(self): return _num.frexp(self)
    def ldexp(self, other): return _num.ldexp(self, other)
    def nextafter(self, other): return _num.nextafter(self, other)
    def qr(self, some=True): return _dec.qr_deprecated(self, some)
    def pinverse(self, rcond=1e-15): return _ls.pinverse(self, rcond)
    def cholesky(self, upper=False): return _chol.cholesky_deprecated(self, upper)
    def cholesky_solve(self, input2, upper=False): return _chol.cholesky_solve(self, input2, upper)
    def cholesky_inverse(self, upper=False): return _chol.cholesky_inverse(self, upper)
    def slogdet(self): return _legacy.slogdet(self)
    def logdet(self): return _legacy.logdet(self)
    def svd(self, some=True, compute_uv=True): return _legacy.svd(self, some, compute_uv)
    def matrix_power(self, n): return _dec.matrix_power(self, n)
    def kron(self, other): return _la.kron(self, other)
    def lu(self, pivot=True, get_infos=False): return _legacy.lu(self, pivot, get_infos)
    def lu_solve(self, LU_data, LU_pivots): return _legacy.lu_solve(self, LU_data, LU_pivots)
    def triangular_solve(self, A, upper=True, transpose=False, unitriangular=False): return _lu.triangular_solve(self, A, upper, transpose, unitriangular)
    def solve(self, A): return _legacy.solve_removed(self, A)

    @property
    def H(self) -> 'Tensor':
        if self._data.ndim != 2:
            raise RuntimeError(f'tensor.H is only supported on matrices (2-D tensors). Got '
                               f'{self._data.ndim}-D tensor. For batches of matrices, consider '
                               'using tensor.mH')
        return _cx.conj(_sh.transpose(self, 0, 1))

    @property
    def mH(self) -> 'Tensor':
        return _cx.conj(_sh.transpose(self, -2, -1))

    # -- comparison and logic ------------------------------------------------------------
    def eq(self, other): return _cmp.eq(self, other)
    def ne(self, other): return _cmp.ne(self, other)
    def lt(self, other): return _cmp.lt(self, other)
    def le(self, other): return _cmp.le(self, other)
    def gt(self, other): return _cmp.gt(self, other)
    def ge(self, other): return _cmp.ge(self, other)
    def eq_(self, other): return _inplace(self, _cmp.eq, other)
    def ne_(self, other): return _inplace(self, _cmp.ne, other)
    def lt_(self, other): return _inplace(self, _cmp.lt, other)
    def le_(self, other): return _inplace(self, _cmp.le, other)
    def gt_(self, other): return _inplace(self, _cmp.gt, other)
    def ge_(self, other): return _inplace(self, _cmp.ge, other)
    not_equal = ne
    greater = gt
    greater_equal = ge
    less = lt
    less_equal = le
    def equal(self, other): return _cmp.equal(self, other)
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False): return _cmp.isclose(self, other, rtol, atol, equal_nan)
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False): return _cmp.allclose(self, other, rtol, atol, equal_nan)
    def isnan(self): return _cmp.isnan(self)
    def isinf(self): return _cmp.isinf(self)
    def isposinf(self): return _cmp.isposinf(self)
    def isneginf(self): return _cmp.isneginf(self)
    def isfinite(self): return _cmp.isfinite(self)
    def isreal(self): return _cmp.isreal(self)
    def logical_and(self, other): return _cmp.logical_and(self, other)
    def logical_or(self, other): return _cmp.logical_or(self, other)
    def logical_xor(self, other): return _cmp.logical_xor(self, other)
    def logical_not(self): return _cmp.logical_not(self)
    def logical_not_(self): return _inplace(self, _cmp.logical_not)
    def bitwise_and(self, other): return _cmp.bitwise_and(self, other)
    def bitwise_or(self, other): return _cmp.bitwise_or(self, other)
    def bitwise_xor(self, other): return _cmp.bitwise_xor(self, other)
    def bitwise_not(self): return _cmp.bitwise_not(self)
    # -- small predicates and aliases ------------------------------------------------------
    def is_nonzero(self) -> bool: return self.__bool__()
    def is_same_size(self, other) -> bool: return self._data.shape == other._data.shape
    def is_neg(self) -> bool: return _ta.is_neg(self)
    def resolve_neg(self): return _ta.resolve_neg(self)
    def is_conj(self) -> bool: return _ta.is_conj(self)
    def conj(self): return _ta.conj(self)
    def angle(self): return _cx.angle(self)
    def resolve_conj(self): return _ta.resolve_conj(self)
    def conj_physical(self): return _ta.conj_physical(self)
    def conj_physical_(self): return _ta.conj_physical_(self)
    def is_set_to(self, tensor) -> bool: return _ta.is_set_to(self, tensor)
    def fill_diagonal_(self, fill_value, wrap=False): return _ta.fill_diagonal_(self, fill_value, wrap)
    def narrow_copy(self, dim, start, length): return _vc.narrow_copy(self, dim, start, length)
    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None): return _ta.dlpack(self, stream=stream, max_version=max_version, dl_device=dl_device, copy=copy)
    def __dlpack_device__(self): return _ta.dlpack_device(self)
    def is_inference(self) -> bool: return bool(self._x) and 'inference' in self._x
    output_nr = property(lambda self: self._oi if self.grad_fn is not None else 0)

    def positive(self):
        if self._data.dtype == np.bool_:
            raise RuntimeError('The `+` operator, on a bool tensor is not supported.')
        return self

    def split_with_sizes(self, split_sizes, dim=0):
        n = self._data.shape[_sh.wrap_dim(dim, self._data.ndim)]
        if sum(split_sizes) != n:
            raise RuntimeError(f'split_with_sizes expects split_sizes to sum exactly to {n} '
                               f"(input tensor's size at dimension {dim}), but got "
                               f'split_sizes={list(split_sizes)}')
        return _sh.split(self, list(split_sizes), dim)
    unsafe_split_with_sizes = split_with_sizes
    unsafe_split = split
    unsafe_chunk = chunk
    def hardshrink(self, lambd=0.5): return _act.hardshrink(self, lambd)
    def prelu(self, weight): return _act.prelu(self, weight)

    # -- storage, geometry and the legacy API ---------------------------------------------
    def set_(self, source=None, storage_offset=0, size=None, stride=None) -> 'Tensor':
        """Makes this tensor look at ``source``'s memory (a tensor or a storage), optionally
        with an explicit geometry; without ``source`` it becomes empty."""
        return _set(self, source, storage_offset, size, stride)

    def new(self, *args, device=None) -> 'Tensor':
        """The legacy constructor with this tensor's dtype: ``new()``, ``new(*sizes)``,
        ``new(data)``, ``new(tensor)`` (same dtype only)."""
        if len(args) == 1 and isinstance(args[0], Tensor) and \
                args[0]._data.dtype != self._data.dtype:
            raise TypeError(f'expected {_options(self._data.dtype)} (got '
                            f'{_options(args[0]._data.dtype)})')
        t = _new(Tensor)
        _legacy_init(t, args, NP2DT[self._data.dtype], device)
        return t

    def resize(self, *sizes) -> 'Tensor':
        """Deprecated: a reshaped copy-free view; the number of elements must not change."""
        warnings.warn('non-inplace resize is deprecated', UserWarning, stacklevel=2)
        return _resize(self, _sh._sizes(sizes))

    def resize_as(self, tensor: 'Tensor') -> 'Tensor':
        """Deprecated: ``resize(tensor.size())``."""
        warnings.warn('non-inplace resize_as is deprecated', UserWarning, stacklevel=2)
        return _resize(self, tensor._data.shape)

    def dim_order(self, *, ambiguity_check: bool = False) -> tuple:
        """The dims from outermost to innermost in memory (by decreasing stride)."""
        return _dim_order(self, ambiguity_check)

    def storage(self):
        """The deprecated TypedStorage under this tensor (with PyTorch's warning)."""
        from .storage import TypedStorage, UntypedStorage
        _warn_once('TypedStorage is deprecated. It will be removed in the future and '
                   'UntypedStorage will be the only storage class. This should only matter to '
                   'you if you are using storages directly.  To access UntypedStorage directly, '
                   'use tensor.untyped_storage() instead of tensor.storage()')
        return TypedStorage(wrap_storage=UntypedStorage._of(self), dtype=self.dtype,
                            _internal=True)

    def storage_type(self):
        """The legacy storage class of this tensor's dtype (``torch.FloatStorage``, ...)."""
        from ._legacy_storage import BY_DTYPE
        return BY_DTYPE[self.dtype]

    def __contains__(self, element) -> bool:
        if isinstance(element, (Tensor, int, float, complex, np.number)):
            return bool((element == self).any().item())
        raise RuntimeError(f'Tensor.__contains__ only supports Tensor or scalar, but you passed '
                           f'in a {type(element)}.')

    def __reversed__(self) -> 'Tensor':
        return self if self._data.ndim == 0 else _sh.flip(self, 0)

    def as_strided_(self, size, stride, storage_offset=None) -> 'Tensor':
        """Gives this tensor the geometry ``size``/``stride``/``storage_offset`` over its
        storage, in place."""
        return _as_strided_(self, size, stride, storage_offset)

    # -- view scatters, index_reduce, renorm, unique_consecutive ---------------------------
    def diagonal_scatter(self, src, offset=0, dim1=0, dim2=1): return _sv.diagonal_scatter(self, src, offset, dim1, dim2)
    def select_scatter(self, src, dim, index): return _sv.select_scatter(self, src, dim, index)
    def slice_scatter(self, src, dim=0, start=None, end=None, step=1): return _sv.slice_scatter(self, src, dim, start, end, step)
    def as_strided_scatter(self, src, size, stride, storage_offset=None): return _sv.as_strided_scatter(self, src, size, stride, storage_offset)
    def index_reduce(self, dim, index, source, reduce, *, include_self=True): return _ired.index_reduce(self, dim, index, source, reduce, include_self=include_self)
    def index_reduce_(self, dim, index, source, reduce, *, include_self=True): return _inplace(self, _ired.index_reduce, dim, index, source, reduce, include_self=include_self)
    def renorm(self, p, dim, maxnorm): return _renorm.renorm(self, p, dim, maxnorm)
    def renorm_(self, p, dim, maxnorm): return _inplace(self, _renorm.renorm, p, dim, maxnorm)
    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None): return _uc.unique_consecutive(self, return_inverse, return_counts, dim)
    def mvlgamma(self, p): return _special_mod().multigammaln(self, p)

    # -- Python callables applied element by element (CPU) ---------------------------------
    def apply_(self, callable) -> 'Tensor':
        """Replaces every element ``v`` by ``callable(v)`` (a Python number)."""
        return _map_py(self, 'apply_', callable, ())

    def map_(self, tensor: 'Tensor', callable) -> 'Tensor':
        """Replaces every element ``v`` by ``callable(v, w)``, ``w`` from ``tensor`` broadcast
        to this tensor's shape (``tensor`` must have this tensor's dtype)."""
        return _map_py(self, 'map_', callable, (tensor,))

    def map2_(self, x: 'Tensor', y: 'Tensor', callable) -> 'Tensor':
        """Replaces every element ``v`` by ``callable(v, a, b)`` with ``a``, ``b`` from ``x``
        and ``y`` broadcast to this tensor's shape."""
        return _map_py(self, 'map2_', callable, (x, y))

    def bitwise_left_shift(self, other): return _cmp.bitwise_left_shift(self, other)
    def bitwise_right_shift(self, other): return _cmp.bitwise_right_shift(self, other)
    def __ilshift__(self, other): return _inplace(self, _cmp.bitwise_left_shift, other)
    def __irshift__(self, other): return _inplace(self, _cmp.bitwise_right_shift, other)
    def __rlshift__(self, other): return _cmp.bitwise_left_shift(_cr.scalar_like(other, self), self)
    def __rrshift__(self, other): return _cmp.bitwise_right_shift(_cr.scalar_like(other, self), self)

    # -- in-place twins: one row per out-of-place method (aliases share the row) ----------
    acos_ = arccos_ = _ip('acos')
    asin_ = arcsin_ = _ip('asin')
    atan_ = arctan_ = _ip('atan')
    acosh_ = arccosh_ = _ip_no_grad('acosh')
    asinh_ = arcsinh_ = _ip_no_grad('asinh')
    atanh_ = arctanh_ = _ip_no_grad('atanh')
    atan2_ = arctan2_ = _ip('atan2')
    cosh_ = _ip('cosh')
    sinh_ = _ip('sinh')
    tan_ = _ip('tan')
    erf_ = _ip('erf')
    erfc_ = _ip('erfc')
    erfinv_ = _ip('erfinv')
    exp2_ = _ip('exp2')
    expm1_ = _ip('expm1')
    log10_ = _ip('log10')
    log1p_ = _ip('log1p')
    log2_ = _ip('log2')
    rsqrt_ = _ip('rsqrt')
    frac_ = _ip('frac')
    sinc_ = _ip('sinc')
    sign_ = _ip('sign')
    sgn_ = _ip('sgn')
    deg2rad_ = _ip('deg2rad')
    rad2deg_ = _ip('rad2deg')
    lgamma_ = _ip('lgamma')
    digamma_ = _ip('digamma')
    polygamma_ = _ip('polygamma')
    logit_ = _ip('logit')
    nan_to_num_ = _ip('nan_to_num')
    heaviside_ = _ip('heaviside')
    hypot_ = _ip('hypot')
    copysign_ = _ip('copysign')
    fmod_ = _ip('fmod')
    remainder_ = _ip('remainder')
    floor_divide_ = _ip('floor_divide')
    xlogy_ = _ip('xlogy')
    gcd_ = _ip('gcd')
    lcm_ = _ip('lcm')
    logical_and_ = _ip('logical_and')
    logical_or_ = _ip('logical_or')
    logical_xor_ = _ip('logical_xor')
    bitwise_and_ = _ip('bitwise_and')
    bitwise_or_ = _ip('bitwise_or')
    bitwise_xor_ = _ip('bitwise_xor')
    bitwise_not_ = _ip('bitwise_not')
    bitwise_left_shift_ = _ip('bitwise_left_shift')
    bitwise_right_shift_ = _ip('bitwise_right_shift')
    addmv_ = _ip('addmv')
    addr_ = _ip('addr')
    addbmm_ = _ip('addbmm')
    baddbmm_ = _ip('baddbmm')
    scatter_reduce_ = _ip('scatter_reduce')
    i0_ = _ip('i0')
    ldexp_ = _ip('ldexp')
    nextafter_ = _ip('nextafter')
    igamma_ = _ip('igamma')
    igammac_ = _ip('igammac')
    mvlgamma_ = _ip('mvlgamma')
    # Aliases of in-place methods defined above.
    fix_ = trunc_
    negative_ = neg_
    absolute_ = abs_
    multiply_ = mul_
    subtract_ = sub_
    divide_ = div_
    greater_ = gt_
    greater_equal_ = ge_
    less_ = lt_
    less_equal_ = le_
    not_equal_ = ne_
    swapaxes_ = swapdims_ = transpose_

    def true_divide_(self, other): return _inplace(self, _ar.div, other)

    def cumprod_(self, dim, *, dtype=None):
        _same_dtype_inplace(self, dtype)
        return _inplace(self, _red.cumprod, dim)

    def float_power_(self, exponent):
        if self._data.dtype != np.float64:
            raise RuntimeError(f'the base given to float_power_ has dtype '
                               f'{_type_word(self._data.dtype)} but the operation\'s result '
                               'requires dtype Double')
        return _inplace(self, _ar.float_power, exponent)


def _options(npdt) -> str:
    return (f'TensorOptions(dtype={_CPP_TYPES[np.dtype(npdt).name]}, device=cpu, '
            'layout=Strided, requires_grad=false (default), pinned_memory=false (default), '
            'memory_format=(nullopt))')


def _special_mod():
    from . import special
    return special


def _set(self: Tensor, source, storage_offset: int, size, stride) -> Tensor:
    from .storage import TypedStorage, UntypedStorage
    if self._rg and state.enabled:
        if self.grad_fn is None:
            raise RuntimeError('a leaf Variable that requires grad is being used in an in-place '
                               'operation.')
        raise NotImplementedError('Tensor.set_ on a tensor with autograd history is not '
                                  'supported by numtorch')
    if isinstance(source, Tensor) and source._rg and state.enabled:
        raise NotImplementedError('Tensor.set_ with a source that requires grad is not '
                                  'supported by numtorch (PyTorch records a node without a '
                                  'derivative)')
    dt = self._data.dtype
    if source is None:
        arr = np.empty((0,), dt)
    elif isinstance(source, Tensor) and size is None:
        if source._data.dtype != dt:
            raise RuntimeError(f'Could not set tensor of type {_CPP_TYPES[source._data.dtype.name]}'
                               f' to a tensor of type {_CPP_TYPES[dt.name]}')
        arr = source._data
    else:
        if isinstance(source, Tensor):
            if source._data.dtype != dt:
                raise RuntimeError(f'Could not set tensor of type '
                                   f'{_CPP_TYPES[source._data.dtype.name]} to a tensor of type '
                                   f'{_CPP_TYPES[dt.name]}')
            untyped = UntypedStorage._of(source)
        elif isinstance(source, TypedStorage):
            untyped = source._untyped_storage
        elif isinstance(source, UntypedStorage):
            untyped = source
        else:
            raise TypeError(f'set_() received an invalid combination of arguments - got '
                            f'({type(source).__name__})')
        typed = TypedStorage(wrap_storage=untyped, dtype=NP2DT[dt], _internal=True)
        if size is None:
            size = (typed.size(),)
            stride = (1,)
        size = tuple(int(s) for s in size)
        stride = _contiguous_strides(size) if stride is None else tuple(int(s) for s in stride)
        try:
            arr = typed._view(int(storage_offset), size, stride)
        except RuntimeError:
            # PyTorch grows the storage instead, which a tensor's or storage's memory refuses.
            raise RuntimeError('Trying to resize storage that is not resizable') from None
    self._data = arr
    self._base = None
    _bump(self)
    return self


def _resize(self: Tensor, sizes: tuple) -> Tensor:
    """The deprecated out-of-place resize: PyTorch's autograd Function ``Resize``."""
    n = int(np.prod(sizes))
    if n != self._data.size:
        raise RuntimeError(f"requested resize to {'x'.join(map(str, sizes))} ({n} elements in "
                           f"total), but the given tensor has a size of "
                           f"{'x'.join(map(str, self._data.shape))} ({self._data.size} elements)."
                           " autograd's resize can only change the shape of a given tensor, "
                           'while preserving the number of elements. ')
    op = _sh.Reshape(tuple(sizes))
    op._name = 'ResizeBackward'
    return op.apply1(_sh.contiguous(self))


def _resize_(self: Tensor, sizes: tuple) -> Tensor:
    if self._rg:
        raise RuntimeError('cannot resize variables that require grad')
    for s in sizes:
        if s < 0:
            raise RuntimeError(f'Trying to create tensor with negative dimension {s}: '
                               f'{list(sizes)}')
    if sizes != self._data.shape:
        _sh.resize_(self, sizes)
        _bump(self)
    return self


def _dim_order(self: Tensor, ambiguity_check) -> tuple:
    """PyTorch's logical-to-physical permutation: contiguous tensors keep their order, others
    get an insertion sort of the dims, innermost first, by stride (zero strides compare
    equal; equal strides put the larger dim outside)."""
    if not isinstance(ambiguity_check, bool):
        if isinstance(ambiguity_check, list):
            raise NotImplementedError('dim_order(ambiguity_check=<list of memory formats>) is '
                                      'not supported by numtorch')
        raise TypeError('The ambiguity_check argument must be a bool or a list of memory '
                        'formats.')
    shape, st = self._data.shape, self.stride()
    nd = len(shape)
    if ambiguity_check and (any(a == b for a, b in zip(st, st[1:])) or 1 in shape):
        raise RuntimeError('The tensor does not have unique dim order, or cannot map to exact '
                           'one of the given memory formats.')
    if nd < 2 or self._data.flags.c_contiguous:
        return tuple(range(nd))

    def ge(a: int, b: int) -> bool:
        return True if b == 0 else (False if a == 0 else (a >= b or a % b == 0))

    def cmp(a: int, b: int) -> int:
        if st[a] == 0 or st[b] == 0:
            return 0
        if st[a] == st[b]:
            return 0 if ge(shape[b], shape[a]) else 1
        return -1 if ge(st[b], st[a]) else (1 if ge(st[a], st[b]) else 0)

    perm = list(range(nd - 1, -1, -1))
    for i in range(1, nd):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = cmp(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    if ambiguity_check and any(cmp(perm[k], perm[k + 1]) != -1 for k in range(nd - 1)):
        raise RuntimeError('The tensor does not have unique dim order.')
    return tuple(reversed(perm))


def _as_strided_(self: Tensor, size, stride, storage_offset) -> Tensor:
    from .storage import TypedStorage, UntypedStorage
    if self._rg and state.enabled:
        if self.grad_fn is None and self._base is None:
            raise RuntimeError('a leaf Variable that requires grad is being used in an in-place '
                               'operation.')
        raise NotImplementedError('Tensor.as_strided_ on a tensor that requires grad is not '
                                  'supported by numtorch (use as_strided)')
    off = self.storage_offset() if storage_offset is None else int(storage_offset)
    typed = TypedStorage(wrap_storage=UntypedStorage._of(self), dtype=self.dtype, _internal=True)
    self._data = typed._view(off, tuple(int(s) for s in size), tuple(int(s) for s in stride))
    return self


def _map_py(self: Tensor, name: str, fn, others: tuple) -> Tensor:
    """apply_/map_/map2_: ``fn`` called on Python numbers, results cast to self's dtype."""
    for t in (self,) + others:
        if t._rg:
            raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                               f'var.detach().{name}() instead.')
    for i, t in enumerate(others):
        if t._data.dtype != self._data.dtype:
            arg = 'other' if name == 'map_' else ('x', 'y')[i]
            raise TypeError(f"{name}: expected {self.type()} for '{arg}' (got {t.type()})")
    d = self._data
    srcs = [_sh.expand(t, d.shape)._data for t in others]
    py = int if d.dtype.kind in 'iu' else (bool if d.dtype.kind == 'b' else float)
    flat = [a.reshape(-1).tolist() for a in [d] + srcs]
    res = [fn(*vals) for vals in zip(*flat)]
    for r in res:
        if not isinstance(r, (int, float, np.number)):
            raise TypeError(f'must be real number, not {type(r).__name__}')
    d[...] = np.array([py(r) for r in res], d.dtype).reshape(d.shape)
    _bump(self)
    return self


def _contiguous_strides(shape) -> tuple:
    st = []
    acc = 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


def _parse_to(args, kwargs):
    """Parses the overloads of ``Tensor.to``: (dtype), (device, dtype), (tensor), kwargs."""
    dt = kwargs.pop('dtype', None)
    dev = kwargs.pop('device', None)
    copy = kwargs.pop('copy', False)
    kwargs.pop('non_blocking', None)
    _check_format(kwargs.pop('memory_format', None))
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, Tensor):
            dt = a.dtype
        elif isinstance(a, _dtype_cls):
            dt = a
        elif isinstance(a, (str, _device_cls, int)) and not isinstance(a, bool):
            dev = a
        elif isinstance(a, bool):
            pass
        else:
            dt = to_dtype(a)
    return dt, dev, copy


def _legacy_init(self: Tensor, args, dt, device) -> None:
    check_device(device)
    self._rg = False
    self.grad_fn = None
    self._grad = None
    self._vc = None
    self._base = None
    self._x = None
    if len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]
        self._data = src._data if src._data.dtype == dt.np else src._data.astype(dt.np)
        return
    if len(args) == 0:
        self._data = np.empty((0,), dt.np)
        return
    if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or (
            len(args) == 1 and isinstance(args[0], Size)):
        shape = tuple(args[0]) if isinstance(args[0], Size) else tuple(int(a) for a in args)
        self._data = np.zeros(shape, dt.np)
        return
    if len(args) == 1:
        self._data = _cr._to_array(args[0], dt)
        return
    raise TypeError(f'new() received an invalid combination of arguments - got '
                    f'({", ".join(type(a).__name__ for a in args)})')


class _TypedTensorMeta(type):
    """``torch.FloatTensor`` and friends: constructors and ``isinstance`` targets."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls._dt.np

    def __call__(cls, *args, device=None):
        t = _new(Tensor)
        _legacy_init(t, args, cls._dt, device)
        return t

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _typed(name: str, dt) -> type:
    return _TypedTensorMeta(name, (), {'_dt': dt, 'dtype': dt, 'is_cuda': False})


_f16, _f32, _f64 = (NP2DT[np.dtype(n)] for n in ('float16', 'float32', 'float64'))
_i32, _i64 = NP2DT[np.dtype('int32')], NP2DT[np.dtype('int64')]

FloatTensor = _typed('FloatTensor', _f32)
DoubleTensor = _typed('DoubleTensor', _f64)
HalfTensor = _typed('HalfTensor', _f16)
LongTensor = _typed('LongTensor', _i64)
IntTensor = _typed('IntTensor', _i32)
ShortTensor = _typed('ShortTensor', ALIASES['short'])
CharTensor = _typed('CharTensor', NP2DT[np.dtype('int8')])
ByteTensor = _typed('ByteTensor', NP2DT[np.dtype('uint8')])
BoolTensor = _typed('BoolTensor', ALIASES['bool'])
_TYPED = (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor,
          ByteTensor, BoolTensor)
_TYPE_BY_NAME = {}
for _c in _TYPED:
    _TYPE_BY_NAME['torch.' + _c.__name__] = _c._dt
    _TYPE_BY_NAME[_c.__name__] = _c._dt
    _TYPE_BY_NAME['torch.' + _c._dt.name] = _c._dt
    _TYPE_BY_NAME[_c._dt.name] = _c._dt

# The op families are imported last: they import Tensor from here.
from ._ops import arithmetic as _ar  # noqa: E402
from ._ops import unary as _un  # noqa: E402
from ._ops import reduction as _red  # noqa: E402
from ._ops import shape as _sh  # noqa: E402
from ._ops import indexing as _ix  # noqa: E402
from ._ops import linalg as _la  # noqa: E402
from ._ops import decomposition as _dec  # noqa: E402
from ._ops import cross as _cross  # noqa: E402
from ._ops import matrix_exp as _mexp  # noqa: E402
from ._ops import householder as _hh  # noqa: E402
from ._ops import histogram as _hist  # noqa: E402
from . import _config  # noqa: E402
from ._ops import igamma as _ig  # noqa: E402
from ._ops import bessel as _bessel  # noqa: E402
from ._ops import numerics as _num  # noqa: E402
from ._ops import least_squares as _ls  # noqa: E402
from ._ops import comparison as _cmp  # noqa: E402
from ._ops import creation as _cr  # noqa: E402
from ._ops import random as _rnd  # noqa: E402
from ._ops import special as _sp  # noqa: E402
from ._ops import cholesky as _chol  # noqa: E402
from ._ops import linalg_legacy as _legacy  # noqa: E402
from ._ops import lu as _lu  # noqa: E402
from ._ops import activation as _act  # noqa: E402
from ._ops import scatter_views as _sv  # noqa: E402
from ._ops import index_reduce as _ired  # noqa: E402
from ._ops import renorm as _renorm  # noqa: E402
from ._ops import unique_consecutive as _uc  # noqa: E402
from ._ops import tensor_api as _ta  # noqa: E402
from ._ops import complex as _cx  # noqa: E402
# Indexing ops are linear with 0/1 coefficients, so their backward is right for complex
# tensors as written (ScatterReduce's prod/amax/amin reductions are not, and stay refused).
for _c in (_ix.Index, _ix.IndexPut, _ix.Gather, _ix.Scatter, _ix.IndexSelect, _ix.IndexAdd,
           _ix.MaskedFill, _ix.MaskedSelect, _ix.Take):
    _c.complex_ok = True
from ._ops import view_copy as _vc  # noqa: E402
