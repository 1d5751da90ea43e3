"""torch.func.vmap: map a function over a dimension of its inputs.

NOTE: PyTorch runs ``func`` once on BatchedTensors, each op applying a batching rule. numtorch
has no batching rules: it runs ``func`` once per batch element, on views that select that
element (``Tensor.select``), and stacks the results along ``out_dims``. The values, shapes and
gradients are the same; what differs is cost (one Python call per element) and these limits:
- a batch of size 0 is refused (there is no element to learn the output shapes from);
- ``out_dims=None`` checks that an output is unbatched by comparing the per-element results
  (an output that depends on the batch but happens to be equal for every element passes);
- ``.item()`` and data-dependent Python control flow work per element instead of raising;
- ``randomness='different'`` draws each element's numbers in turn, which equals PyTorch's one
  batched draw for ops that consume the stream element by element (``rand``, ``randint``,
  ``bernoulli``, normals of fewer than 16 values), not for block-wise fills (larger ``randn``).
  ``randomness='error'`` and ``'same'`` act on the default generator; draws from an explicit
  ``generator=`` are neither refused nor repeated.
Nesting (``vmap(vmap(f))``) and composition with ``grad``/``vjp`` work: each level is a loop.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Optional

import numpy as np

from .._tensor import Tensor
from .._ops.shape import stack
from ._pytree import tree_flatten, tree_unflatten, broadcast_prefix

__all__ = ['vmap']

_RANDOM_ERROR = ("vmap: called random operation while in randomness error mode. Please either "
                 "use the 'same' or 'different' randomness flags on vmap or perform the "
                 "randomness operation out of vmap")


def _fn_name(func) -> str:
    return getattr(func, '__name__', repr(func))


class _RandomnessError:
    """Stands in for the default generator's bit generator while ``randomness='error'``:
    every random op reaches the bit generator, so any draw raises PyTorch's error."""
    __slots__ = ()

    def __getattr__(self, name):
        raise RuntimeError(_RANDOM_ERROR)


class _Randomness:
    """Applies one ``randomness`` mode around each per-element call."""
    __slots__ = ('mode', 'gen', 'saved', 'prev')

    def __init__(self, mode: str) -> None:
        from .._ops.random import default_generator
        self.mode = mode
        self.gen = default_generator
        self.saved = None
        self.prev = None
        if mode == 'same':
            # Every element draws from the same state, so all see the same numbers and the
            # generator ends where one unbatched draw would leave it, as in PyTorch.
            g = default_generator
            self.saved = (g._bg.state, g._cache, g._fcache)

    def enter(self) -> None:
        g = self.gen
        if self.mode == 'error':
            self.prev = g._bg
            g._bg = _RandomnessError()
        elif self.mode == 'same':
            g._bg.state, g._cache, g._fcache = self.saved

    def exit(self) -> None:
        if self.mode == 'error':
            self.gen._bg = self.prev


def _check_out_dims(out_dims, name: str) -> None:
    leaves, _ = tree_flatten(out_dims)
    for d in leaves:
        if d is not None and not isinstance(d, int):
            raise ValueError(f'vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an '
                             'int, None or a python collection of ints representing where in '
                             'the outputs the vmapped dimension should appear.')


def vmap(func: Callable, in_dims: Any = 0, out_dims: Any = 0, randomness: str = 'error', *,
         chunk_size: Optional[int] = None) -> Callable:
    """Returns a function that maps ``func`` over dimension ``in_dims`` of its inputs and
    puts the mapped dimension of the outputs at ``out_dims``.

    ``in_dims`` is an int, or a (nested) tuple matching the positional arguments whose
    leaves are dims or None (not mapped); dicts and lists inside the arguments are pytrees
    too. ``out_dims`` likewise for the outputs. Keyword arguments are passed unmapped.
    ``randomness`` is 'error' (random ops raise), 'different' (each element draws its own
    numbers) or 'same' (all elements share one draw). ``chunk_size`` only changes how many
    elements PyTorch computes at once, never the values, so numtorch just validates it.
    See the module NOTE: numtorch loops over the elements.
    """
    if randomness not in ('error', 'different', 'same'):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f'vmap: chunk_size should be None or greater than 0. (got {chunk_size})')

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        name = _fn_name(func)
        _check_out_dims(out_dims, name)
        flat, dims, size = _flat_inputs(args, in_dims, name)
        outs = []
        rnd = _Randomness(randomness)
        for i in range(size):
            leaves = [x if d is None else x.select(d, i) for x, d in zip(flat[0], dims)]
            rnd.enter()
            try:
                outs.append(func(*tree_unflatten(leaves, flat[1]), **kwargs))
            finally:
                rnd.exit()
        return _stack_outputs(outs, out_dims, name)

    return wrapped


def _flat_inputs(args: tuple, in_dims, name: str):
    """((leaves, spec), per-leaf dim or None, batch size) with PyTorch's checks."""
    if not args:
        raise ValueError(f'vmap({name})(<inputs>): got no inputs. Maybe you forgot to add '
                         'inputs, or you are trying to vmap over a function with no inputs. '
                         'The latter is unsupported.')
    where = f'vmap({name}, in_dims={in_dims}, ...)(<inputs>)'
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(f'{where}: expected `in_dims` to be int or a (potentially nested) '
                         f'tuple matching the structure of inputs, got: {type(in_dims)}.')
    leaves, spec = tree_flatten(args)
    if isinstance(in_dims, int):
        dims = [in_dims] * len(leaves)
    else:
        dims = broadcast_prefix(in_dims, spec)
        if dims is None:
            raise ValueError(f'{where}: in_dims is not compatible with the structure of '
                             f'`inputs`. in_dims has structure {tree_flatten(in_dims)[1]!r} '
                             f'but inputs has structure {spec!r}.')
    sizes = []
    norm = []
    for x, d in zip(leaves, dims):
        if d is None:
            norm.append(None)
            continue
        if not isinstance(d, int):
            raise ValueError(f'{where}: Got in_dim={d} for an input but in_dim must be either '
                             'an integer dimension or None.')
        if not isinstance(x, Tensor):
            raise ValueError(f'{where}: Got in_dim={d} for an input but the input is of type '
                             f'{type(x)}. We cannot vmap over non-Tensor arguments, please use '
                             'None as the respective in_dim')
        n = x.dim()
        if not -n <= d < n:
            raise ValueError(f'{where}: Got in_dim={d} for some input, but that input is a '
                             f'Tensor of dimensionality {n} so expected in_dim to satisfy '
                             f'-{n} <= in_dim < {n}.')
        d %= n
        norm.append(d)
        sizes.append(x.shape[d])
    if not sizes:
        raise ValueError('vmap: Expected at least one Tensor to vmap over')
    if any(s != sizes[0] for s in sizes):
        raise ValueError('vmap: Expected all tensors to have the same size in the mapped '
                         f'dimension, got sizes {sizes} for the mapped dimension')
    if sizes[0] == 0:
        raise NotImplementedError('vmap over a dimension of size 0 is not supported by numtorch '
                                  '(it runs the function once per element)')
    return (leaves, spec), norm, sizes[0]


def _same(ts: list) -> bool:
    a = ts[0]
    for t in ts[1:]:
        if not isinstance(t, Tensor) or t.shape != a.shape or t.dtype != a.dtype:
            return False
        if not np.array_equal(t._data, a._data, equal_nan=a._data.dtype.kind in 'fc'):
            return False
    return True


def _stack_outputs(outs: list, out_dims, name: str):
    flats = [tree_flatten(o) for o in outs]
    spec = flats[0][1]
    for _, s in flats[1:]:
        if s != spec:
            raise RuntimeError(f'vmap({name}, ...): `{name}` returned outputs of different '
                               'structures for different batch elements')
    if isinstance(out_dims, int) or out_dims is None:
        dims = [out_dims] * spec.num_leaves
    else:
        dims = broadcast_prefix(out_dims, spec)
        if dims is None:
            raise ValueError(f'vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is '
                             'not compatible with the structure of `outputs`. out_dims has '
                             f'structure {tree_flatten(out_dims)[1]!r} but outputs has '
                             f'structure {spec!r}.')
    res = []
    for k, d in enumerate(dims):
        per = [f[0][k] for f in flats]
        if d is None:
            if isinstance(per[0], Tensor) and not _same(per):
                raise ValueError(f'vmap({name}, ...): `{name}` can not return a BatchedTensor '
                                 'when out_dim is None')
            res.append(per[0])
            continue
        if not isinstance(per[0], Tensor):
            raise ValueError(f'vmap({name}, ...): `{name}` must only return Tensors, got type '
                             f'{type(per[0])}. Did you mean to set out_dims= to None for '
                             'output?')
        res.append(stack(per, d))
    return tree_unflatten(res, spec)
