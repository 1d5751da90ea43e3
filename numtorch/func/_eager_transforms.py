"""torch.func's autodiff transforms: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian,
linearize.

Each call differentiates ``func`` with numtorch's tape (``autograd.grad``), never touching the
inputs' ``.grad``. An input that does not require grad is replaced by a fresh leaf that does;
one that does (the user's autograd, or an enclosing transform) is replaced by a view of itself,
so gradients of the result can flow back through it. Results keep a graph only when the
computation reaches a tensor requiring grad from outside this transform (grad mode on): then
``create_graph=True`` makes them differentiable, which is how ``grad(grad(f))`` and
``jacrev(grad(f))`` compose; otherwise they are detached, as PyTorch's unwrapped results.

NOTE: ``jvp`` runs ``func`` once on dual tensors (``autograd.forward_ad``) where that gives
PyTorch's result. Otherwise, and always for ``jacfwd`` and ``linearize`` (which reuse one
recorded backward for every tangent instead of rerunning ``func`` per tangent), forward mode is
the double backward trick: ``u -> J^T u`` is linear in ``u``, so differentiating it with respect
to ``u`` against a tangent ``t`` gives ``J t``. This needs every op of ``func`` to support
double backward; one that does not raises NotImplementedError naming its node.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Optional, Tuple, Union

from .._tensor import Tensor
from .._ops._op import reaches_error
from .._ops.creation import zeros_like
from .._ops.shape import stack
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from .. import autograd as _autograd
from ..autograd import forward_ad as _fwad
from ._pytree import tree_flatten, tree_unflatten, tree_map, treespec_pprint
from ._vmap import _Randomness

__all__ = ['grad', 'grad_and_value', 'vjp', 'jvp', 'jacrev', 'jacfwd', 'hessian', 'linearize']

ArgNums = Union[int, Tuple[int, ...]]


# -- argnums ------------------------------------------------------------------------------
def _check_argnums(argnums, nargs: int) -> ArgNums:
    """``argnums`` made non-negative, with PyTorch's errors."""
    if isinstance(argnums, tuple):
        if len(argnums) == 0:
            raise RuntimeError('argnums must be non-empty')
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f'argnums elements must be unique, got {argnums}')
    elif not isinstance(argnums, int):
        raise RuntimeError(f'argnums must be int or Tuple[int, ...], got: {type(argnums)}')
    return (_check_argnum(argnums, nargs) if isinstance(argnums, int)
            else tuple(_check_argnum(a, nargs) for a in argnums))


def _check_argnum(a, nargs: int) -> int:
    if not isinstance(a, int):
        raise RuntimeError(f'argnum must be int, got: {type(a)}')
    if 0 <= a < nargs:
        return a
    if -nargs <= a < 0:
        return a + nargs
    raise RuntimeError(f'Got argnum={a}, but only {nargs} positional inputs')


# -- levels -------------------------------------------------------------------------------
class _Level:
    """The differentiable inputs of one transform call: their replacements (fresh leaves or
    views of tensors that already require grad) and the ids of the fresh leaves."""
    __slots__ = ('leaves', 'spec', 'fresh')

    def __init__(self, tree) -> None:
        flat, self.spec = tree_flatten(tree)
        self.leaves = []
        self.fresh = set()
        for x in flat:
            if not isinstance(x, Tensor):
                raise ValueError(f'Thing passed to transform API must be Tensor, got {type(x)}')
            if x.requires_grad:
                y = x.view_as(x)
            else:
                y = x.detach().requires_grad_()
                self.fresh.add(id(y))
            self.leaves.append(y)

    def tree(self):
        return tree_unflatten(self.leaves, self.spec)

    def reaches_outer(self, outs) -> bool:
        """Whether the graph of ``outs`` reaches a tensor requiring grad other than this
        level's fresh leaves: then results must stay differentiable (``create_graph``)."""
        fresh = self.fresh
        seen = set()
        stack_ = [o.grad_fn for o in outs if isinstance(o, Tensor) and o.requires_grad]
        for o in outs:
            if isinstance(o, Tensor) and o.requires_grad and o.grad_fn is None \
                    and id(o) not in fresh:
                return True
        while stack_:
            fn = stack_.pop()
            if fn is None or id(fn) in seen:
                continue
            seen.add(id(fn))
            parents = getattr(fn, 'parents', None)
            if parents is None:
                return True
            for p in parents:
                if p is None:
                    continue
                if isinstance(p, Tensor):
                    if id(p) not in fresh:
                        return True
                else:
                    stack_.append(p)
        return False


def _call_at_level(func: Callable, args: tuple, kwargs: dict, argnums: ArgNums,
                   has_aux: bool, where: str):
    """Calls ``func`` with the differentiated args (``argnums``, checked here) replaced by the
    leaves of a fresh level: ``(level, output, aux)`` (aux None without ``has_aux``)."""
    argnums = _check_argnums(argnums, len(args))
    if isinstance(argnums, int):
        level = _Level(args[argnums])
        new = level.tree()
        new_args = tuple(new if i == argnums else a for i, a in enumerate(args))
    else:
        level = _Level(tuple(args[i] for i in argnums))
        repl = dict(zip(argnums, level.tree()))
        new_args = tuple(repl.get(i, a) for i, a in enumerate(args))
    out, aux = _split_aux(func(*new_args, **kwargs), has_aux, where)
    return level, out, aux


def _detach_tree(tree, keep: bool):
    if keep:
        return tree
    return tree_map(lambda t: t.detach() if isinstance(t, Tensor) else t, tree)


def _grads(outs, gos, inputs, create_graph: bool):
    """Gradients of ``outs`` (with output grads ``gos``) w.r.t. ``inputs``; zeros where an
    input is unused, and no pass at all when no output requires grad."""
    pairs = [(o, g) for o, g in zip(outs, gos) if o.requires_grad]
    if pairs:
        res = _autograd.grad([p[0] for p in pairs], inputs, [p[1] for p in pairs],
                             retain_graph=True, create_graph=create_graph, allow_unused=True)
    else:
        res = (None,) * len(inputs)
    return [zeros_like(x) if g is None else g for g, x in zip(res, inputs)]


def _double_backward(fn):
    """Runs ``fn`` and names the double-backward trick when an op lacks double backward."""
    try:
        return fn()
    except NotImplementedError as e:
        if 'double backward' not in str(e):
            raise
        raise NotImplementedError(f'{e} (numtorch computes forward-mode AD, as jvp/jacfwd/'
                                  'linearize use, with the double backward trick)') from None


def _split_aux(out, has_aux: bool, where: str):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f'{where}: output of function f should be a tuple: (output, aux) if '
                           'has_aux is True')
    return out


def _tensor_leaves(out, msg: str):
    leaves, spec = tree_flatten(out)
    for x in leaves:
        if not isinstance(x, Tensor):
            raise RuntimeError(f'{msg}, got unsupported type {type(x)}')
    return leaves, spec


# -- grad ---------------------------------------------------------------------------------
def grad_and_value(func: Callable, argnums: ArgNums = 0, has_aux: bool = False) -> Callable:
    """Returns a function computing ``(gradient, value)`` of the scalar ``func`` with respect
    to the positional arguments ``argnums`` (an int: that argument's pytree of gradients; a
    tuple: a tuple of them). With ``has_aux``, ``func`` returns ``(value, aux)`` and the
    result is ``(gradient, (value, aux))``. Inputs need not require grad; ``.grad`` is never
    written."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        outer = is_grad_enabled()
        with enable_grad():
            level, out, aux = _call_at_level(func, args, kwargs, argnums, has_aux,
                                             'grad_and_value(f)(*args)')
            if not isinstance(out, Tensor):
                raise RuntimeError('grad_and_value(f)(*args): Expected f(*args) to return a '
                                   f'Tensor, got {type(out)}')
            if out.dim() != 0:
                raise RuntimeError('grad_and_value(f)(*args): Expected f(*args) to return a '
                                   f'scalar Tensor, got tensor with {out.dim()} dims. Maybe you '
                                   'wanted to use the vjp or jacrev APIs instead?')
            keep = outer and level.reaches_outer([out])
            gs = _grads([out], [None], level.leaves, keep)
        g = tree_unflatten(gs, level.spec)
        out = out if keep else out.detach()
        if has_aux:
            return g, (out, _detach_tree(aux, keep))
        return g, out

    return wrapper


def grad(func: Callable, argnums: ArgNums = 0, has_aux: bool = False) -> Callable:
    """Returns a function computing the gradient of the scalar ``func`` with respect to the
    positional arguments ``argnums`` (``(gradient, aux)`` with ``has_aux``). Composes with
    itself and with vmap: ``vmap(grad(loss), in_dims=(None, 0, 0))`` gives per-sample
    gradients."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        if has_aux:
            return g, value[1]
        return g

    return wrapper


# -- vjp ----------------------------------------------------------------------------------
def vjp(func: Callable, *primals, has_aux: bool = False):
    """Returns ``(func(*primals), vjp_fn)`` (and ``aux`` with ``has_aux``). ``vjp_fn(ct)``
    takes cotangents shaped like the output pytree and returns a tuple with one gradient
    pytree per primal; it may be called many times."""
    outer = is_grad_enabled()
    with enable_grad():
        level = _Level(primals)
        out, aux = _split_aux(func(*level.tree()), has_aux, 'vjp(f, *primals)')
        outs, out_spec = _tensor_leaves(out, 'vjp(f, *primals): expected f(*primals) to '
                                             'return only tensors')
    keep = outer and level.reaches_outer(outs)

    def vjp_fn(cotangents, *, retain_graph: bool = True, create_graph: Optional[bool] = None):
        cts, ct_spec = tree_flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError('Expected pytree structure of cotangents to be the same as pytree '
                               'structure of outputs to the function. cotangents: '
                               f'{treespec_pprint(ct_spec)}, primal output: '
                               f'{treespec_pprint(out_spec)}')
        for i, (c, o) in enumerate(zip(cts, outs)):
            if c is None:
                continue
            if not isinstance(c, Tensor):
                raise TypeError('gradients can be either Tensors or None, but got '
                                f'{type(c).__name__}')
            if c.shape != o.shape:
                raise RuntimeError(f'Mismatch in shape: grad_output[{i}] has a shape of '
                                   f'{c.shape} and output[{i}] has a shape of {o.shape}.')
        create = create_graph
        if create is None:
            create = is_grad_enabled() and (keep or any(c is not None and c.requires_grad
                                                        for c in cts))
        # A None cotangent is autograd.grad's: implicit ones for a one-element output.
        with enable_grad():
            gs = _grads(outs, cts, level.leaves, create)
        return tree_unflatten(gs, level.spec)

    res = (_detach_tree(out, keep), vjp_fn)
    if has_aux:
        return res + (_detach_tree(aux, keep),)
    return res


# -- jvp ----------------------------------------------------------------------------------
_JVP = 'jvp(f, primals, tangents)'


def _check_jvp_args(primals, tangents):
    if not isinstance(primals, tuple):
        raise RuntimeError(f'{_JVP}: Expected primals to be a tuple. E.g. it should be valid '
                           'to call f(*primals).')
    p_leaves, p_spec = tree_flatten(primals)
    t_leaves, t_spec = tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(f'{_JVP}: Expected primals and tangents to have the same python '
                           'structure. For example, if primals is a tuple of 3 tensors, '
                           'tangents also must be. Got primals with structure '
                           f'{p_spec!r} and tangents with structure {t_spec!r}')
    if not p_leaves:
        raise RuntimeError(f'{_JVP}: Expected primals to contain at least one Tensor.')
    for what, leaves in (('primals', p_leaves), ('tangents', t_leaves)):
        for x in leaves:
            if not isinstance(x, Tensor):
                raise RuntimeError(f'{_JVP}: Expected {what} to only contain Tensors, got '
                                   f'{type(x)}')
    for p, t in zip(p_leaves, t_leaves):
        if p.shape != t.shape:
            raise RuntimeError('Trying to set a forward gradient that has a different size than '
                               'that of the original Tensor, this is not supported. Tensor is of '
                               f'size {list(p.shape)} while the given forward gradient is of '
                               f'size {list(t.shape)}.')
    return t_leaves


class _Linearized:
    """``func`` run once at the primals, with the first backward ``u -> J^T u`` recorded:
    each ``apply(tangents)`` is then one more backward (the double backward trick)."""
    __slots__ = ('outs', 'spec', 'level', 'us', 'gts', 'keep')

    def __init__(self, level: '_Level', outs, spec, outer: bool) -> None:
        self.level = level
        self.outs = outs
        self.spec = spec
        self.keep = outer and level.reaches_outer(outs)
        # NOTE: J^T u is linear in u, so u's value never matters; zeros keep inf/nan out.
        self.us = [zeros_like(o, requires_grad=True) for o in outs]
        live = [(o, u) for o, u in zip(outs, self.us) if o.requires_grad]
        if live:
            self.gts = _double_backward(lambda: _autograd.grad(
                [p[0] for p in live], level.leaves, [p[1] for p in live], retain_graph=True,
                create_graph=True, allow_unused=True))
        else:
            self.gts = (None,) * len(level.leaves)
        for g in self.gts:
            if g is not None and reaches_error(g.grad_fn):
                # J^T u came through a backward that was not recorded (a once_differentiable
                # Function): its link to u is an error node, and skipping it would give zeros.
                raise NotImplementedError(
                    'torch.func forward-mode AD (jvp/jacfwd/linearize) uses the double backward '
                    'trick in numtorch, and a backward in this function is not differentiable '
                    '(an autograd.Function marked once_differentiable)')

    def apply(self, tangents, create: bool):
        """``J t`` per output, for tangents ``t`` matching the level's leaves."""
        pairs = [(g, t) for g, t in zip(self.gts, tangents)
                 if g is not None and g.requires_grad]
        with enable_grad():
            if pairs:
                res = _double_backward(lambda: _autograd.grad(
                    [p[0] for p in pairs], self.us, [p[1] for p in pairs], retain_graph=True,
                    create_graph=create, allow_unused=True))
            else:
                res = (None,) * len(self.us)
        return [zeros_like(o) if r is None else r for r, o in zip(res, self.outs)]


class _UseDoubleBackward(Exception):
    """Raised inside the forward-mode run when its result would not be PyTorch's."""


def _jvp_forward_mode(func: Callable, primals: tuple, t_leaves, strict: bool, has_aux: bool):
    """``jvp`` by forward-mode AD (``autograd.forward_ad``): one run of ``func`` on dual
    tensors. Returns None where that cannot give PyTorch's result, and ``jvp`` then uses the
    double backward trick: inside another dual level (numtorch has one level), for non-float
    primals, when ``func`` runs a reverse pass (``jvp(grad(f))``: a reverse pass carries no
    tangents), or when an op or Function has no forward-mode derivative."""
    p_leaves, p_spec = tree_flatten(primals)
    if _fwad._current_level >= 0 or not all(p.is_floating_point() for p in p_leaves):
        return None
    runs = _fwad._backward_runs
    try:
        with _fwad.dual_level():
            duals = [_fwad.make_dual(p, t) for p, t in zip(p_leaves, t_leaves)]
            try:
                out = func(*tree_unflatten(duals, p_spec))
            except NotImplementedError:
                raise _UseDoubleBackward from None
            if _fwad._backward_runs != runs:
                raise _UseDoubleBackward
            out, aux = _split_aux(out, has_aux, _JVP)
            outs, spec = _tensor_leaves(out, f'{_JVP}: expected f(*primals) to return only '
                                             'tensors')
            tans = [_fwad.unpack_dual(o).tangent for o in outs]
    except _UseDoubleBackward:
        return None
    if strict and any(t is None for t in tans):
        raise RuntimeError('jvp(f, primals, tangents, strict=True): The output of f is '
                           'independent of the inputs. This is not allowed with strict=True.')
    jv = [zeros_like(o) if t is None else t for o, t in zip(outs, tans)]
    res = (out, tree_unflatten(jv, spec))
    if has_aux:
        _tensor_leaves(aux, 'Expected tensors')
        return res + (aux,)
    return res


def jvp(func: Callable, primals: tuple, tangents: tuple, *, strict: bool = False,
        has_aux: bool = False):
    """Returns ``(func(*primals), J @ tangents)`` (and ``aux`` with ``has_aux``): the
    Jacobian-vector product, tangents shaped like the primals. See the module NOTE (double
    backward trick). ``strict=True`` refuses an output independent of the inputs."""
    t_leaves = _check_jvp_args(primals, tangents)
    res = _jvp_forward_mode(func, primals, t_leaves, strict, has_aux)
    if res is not None:
        return res
    outer = is_grad_enabled()
    with enable_grad():
        level = _Level(primals)
        out, aux = _split_aux(func(*level.tree()), has_aux, _JVP)
        outs, spec = _tensor_leaves(out, f'{_JVP}: expected f(*primals) to return only tensors')
        if strict and not all(o.requires_grad for o in outs):
            raise RuntimeError('jvp(f, primals, tangents, strict=True): The output of f is '
                               'independent of the inputs. This is not allowed with '
                               'strict=True.')
        lin = _Linearized(level, outs, spec, outer)
    create = outer and (lin.keep or any(t.requires_grad for t in t_leaves))
    jv = lin.apply(t_leaves, create)
    res = (_detach_tree(out, lin.keep), tree_unflatten(jv, spec))
    if has_aux:
        _tensor_leaves(aux, 'Expected tensors')
        return res + (_detach_tree(aux, lin.keep),)
    return res


def linearize(func: Callable, *primals) -> Tuple[Any, Callable]:
    """Returns ``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is the Jacobian-vector
    product at ``primals``, reusing one recorded backward for every call."""
    outer = is_grad_enabled()
    with enable_grad():
        level = _Level(primals)
        out = func(*level.tree())
        outs, spec = _tensor_leaves(out, f'{_JVP}: expected f(*primals) to return only tensors')
        lin = _Linearized(level, outs, spec, outer)
    p_spec = tree_flatten(primals)[1]

    def jvp_fn(*tangents):
        t_leaves, t_spec = tree_flatten(tangents)
        if t_spec != p_spec:
            raise RuntimeError(f'Expected the tangents {t_spec!r} to have the same argspec as '
                               f'the primals {p_spec!r}')
        for i, (t, p) in enumerate(zip(t_leaves, level.leaves)):
            if not isinstance(t, Tensor):
                raise RuntimeError(f'Expected tensors, got unsupported type {type(t)}')
            if t.shape != p.shape:
                raise RuntimeError(f'tangent:{i} with shape {t.shape} in flattened pytree '
                                   f"doesn't match the shape {p.shape} of the corresponding "
                                   'primal.')
        create = is_grad_enabled() and (lin.keep or any(t.requires_grad for t in t_leaves))
        return tree_unflatten(lin.apply(t_leaves, create), spec)

    return _detach_tree(out, lin.keep), jvp_fn


# -- Jacobians ----------------------------------------------------------------------------
def _jac_tree(blocks, out_spec, level: '_Level'):
    """Jacobian blocks ``blocks[i][k]`` (output leaf i, input leaf k) in PyTorch's layout:
    the output pytree, each leaf holding the argnums structure of input pytrees."""
    return tree_unflatten([tree_unflatten(row, level.spec) for row in blocks], out_spec)


def _empty_jac(o: Tensor, x: Tensor) -> Tensor:
    return o.new_zeros(tuple(o.shape) + tuple(x.shape))


def jacrev(func: Callable, argnums: ArgNums = 0, *, has_aux: bool = False,
           chunk_size: Optional[int] = None, _preallocate_and_copy: bool = False) -> Callable:
    """Returns a function computing the Jacobian of ``func`` with respect to the arguments
    ``argnums`` by reverse mode: one backward per output element. Each block has shape
    ``output.shape + input.shape``. ``chunk_size`` (how many rows PyTorch vmaps at once)
    does not change the values; numtorch computes the rows one at a time."""
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError('jacrev: `chunk_size` should be greater than 0.')

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        outer = is_grad_enabled()
        with enable_grad():
            level, out, aux = _call_at_level(func, args, kwargs, argnums, has_aux,
                                             'vjp(f, *primals)')
            outs, out_spec = _tensor_leaves(out, 'vjp(f, *primals): expected f(*primals) to '
                                                 'return only tensors')
            keep = outer and level.reaches_outer(outs)
            blocks = []
            for o in outs:
                n = o.numel()
                rows = [[] for _ in level.leaves]
                for j in range(n):
                    seed = o.new_zeros((n,))
                    seed._data[j] = 1
                    gs = _grads([o], [seed.view(o.shape)], level.leaves, keep)
                    for k, g in enumerate(gs):
                        rows[k].append(g)
                blocks.append([stack(r, 0).view(tuple(o.shape) + tuple(x.shape)) if n
                               else _empty_jac(o, x) for r, x in zip(rows, level.leaves)])
        jac = _jac_tree(blocks, out_spec, level)
        if has_aux:
            return jac, _detach_tree(aux, keep)
        return jac

    return wrapper


def jacfwd(func: Callable, argnums: ArgNums = 0, has_aux: bool = False, *,
           randomness: str = 'error') -> Callable:
    """Returns a function computing the Jacobian of ``func`` with respect to the arguments
    ``argnums`` column by column, each column a Jacobian-vector product with a basis vector
    (see the module NOTE). ``randomness`` is as vmap's over the columns: 'error' refuses random
    ops, 'same' shares one draw, 'different' reruns ``func`` per column with fresh numbers."""
    if randomness not in ('error', 'different', 'same'):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        outer = is_grad_enabled()
        nums = _check_argnums(argnums, len(args))
        rnd = _Randomness('error' if randomness == 'error' else 'different')

        def linearized():
            rnd.enter()
            try:
                with enable_grad():
                    level, out, aux = _call_at_level(func, args, kwargs, nums, has_aux, _JVP)
                    outs, spec = _tensor_leaves(out, f'{_JVP}: expected f(*primals) to return '
                                                     'only tensors')
                    if has_aux:
                        _tensor_leaves(aux, 'Expected tensors')
                    return _Linearized(level, outs, spec, outer), out, aux
            finally:
                rnd.exit()

        lin, out, aux = linearized()
        level = lin.level
        sizes = [x.numel() for x in level.leaves]
        cols = [[[] for _ in level.leaves] for _ in lin.outs]
        first = True
        for k, x in enumerate(level.leaves):
            for m in range(sizes[k]):
                if randomness == 'different' and not first:
                    lin = linearized()[0]
                first = False
                tangents = [zeros_like(y) for y in level.leaves]
                tangents[k].view(-1)._data[m] = 1
                create = outer and lin.keep
                for i, c in enumerate(lin.apply(tangents, create)):
                    cols[i][k].append(c)
        blocks = []
        for i, o in enumerate(lin.outs):
            row = []
            for k, x in enumerate(level.leaves):
                if sizes[k] and o.numel():
                    j = stack(cols[i][k], -1)
                    row.append(j.view(tuple(o.shape) + tuple(x.shape)))
                else:
                    row.append(_empty_jac(o, x))
            blocks.append(row)
        jac = _jac_tree(blocks, lin.spec, level)
        if has_aux:
            return jac, _detach_tree(aux, lin.keep)
        return jac

    return wrapper


def hessian(func: Callable, argnums: ArgNums = 0) -> Callable:
    """Returns a function computing the Hessian of the scalar ``func`` with respect to the
    arguments ``argnums``: the Jacobian of its Jacobian.

    NOTE: PyTorch composes ``jacfwd(jacrev(func))``; without forward AD numtorch composes
    ``jacrev(jacrev(func))``, which needs only double backward and gives the same values."""
    return jacrev(jacrev(func, argnums), argnums)
