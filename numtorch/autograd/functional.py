"""torch.autograd.functional: vjp, jvp, jacobian, hessian, vhp and hvp of a Python function.

Each function runs ``func`` on fresh copies of its inputs that require grad and differentiates
the result with ``autograd.grad``. Forward-mode products (``jvp``, ``hvp``) use the double
backward trick as PyTorch does: the vjp is linear in its grad_outputs ``u``, so differentiating
``u -> J^T u`` with respect to ``u`` against ``v`` gives ``J v``.

Return structure follows PyTorch: a single Tensor in gives a single Tensor out, a tuple gives a
tuple, and a Jacobian of tuple outputs w.r.t. tuple inputs is a tuple (per output) of tuples
(per input). Inputs an output does not depend on get zeros, or an error under ``strict=True``.
"""
from __future__ import annotations

from typing import Callable, Optional, Tuple, Union

from .._tensor import Tensor
from .._ops.creation import zeros_like
from .._ops.shape import stack
from .grad_mode import enable_grad, set_grad_enabled, is_grad_enabled
from .. import autograd as _autograd  # (its grad() is defined after this module loads)

__all__ = ['vjp', 'jvp', 'jacobian', 'hessian', 'hvp', 'vhp']

Tensors = Union[Tensor, Tuple[Tensor, ...]]


def _as_tuple(x, arg_name: str, fn_name: str):
    """(was ``x`` a tuple, ``x`` as a tuple of Tensors), with PyTorch's TypeError otherwise."""
    is_tuple = isinstance(x, tuple)
    items = x if is_tuple else (x,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f'value at index {i}' if is_tuple else f'given {arg_name}'
            raise TypeError(f'The {arg_name} given to {fn_name} must be either a Tensor or a '
                            f'tuple of Tensors but the {where} has type {type(el)}.')
    return is_tuple, items


def _unpack(res, is_tuple):
    return res if is_tuple else res[0]


def _unpack2(res, is_out_tuple, is_in_tuple):
    """Inverts two levels of ``_as_tuple`` (outputs outside, inputs inside)."""
    if not is_in_tuple:
        res = tuple(r[0] for r in res)
    return res if is_out_tuple else res[0]


def _prepare(inputs, create_graph: bool, need_graph: bool):
    """New Tensor objects for ``inputs``: so that ``func`` capturing the user's tensors from
    its closure is not mistaken for a use of the arguments. With ``create_graph`` and an input
    that requires grad, the copy stays attached (a view) so higher-order gradients reach it."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(need_graph))
    return tuple(out)


def _finish(res, create_graph: bool):
    """Detaches results (recursively through tuples) unless the caller asked for a graph."""
    if create_graph:
        return res
    return tuple(r.detach() if isinstance(r, Tensor) else _finish(r, False) for r in res)


def _check_v(v, ref, is_ref_tuple: bool) -> None:
    if len(v) != len(ref):
        if is_ref_tuple:
            raise RuntimeError(f'v is a tuple of invalid length: should be {len(ref)} but got '
                               f'{len(v)}.')
        raise RuntimeError('The given v should contain a single Tensor.')
    for i, (a, b) in enumerate(zip(v, ref)):
        if a.shape != b.shape:
            where = f'Entry {i} in ' if is_ref_tuple else ''
            raise RuntimeError(f'{where}v has invalid size: should be {b.size()} but got '
                               f'{a.size()}.')


def _strict_check(ts, kind: str, strict: bool) -> None:
    """PyTorch's strict-mode errors for outputs / gradients that do not require grad."""
    if not strict:
        return
    for i, t in enumerate(ts):
        if t is None:
            raise RuntimeError(f'The output of the user-provided function is independent of '
                               f'input {i}. This is not allowed in strict mode.')
        if t.requires_grad:
            continue
        if kind == 'outputs':
            raise RuntimeError(f'Output {i} of the user-provided function does not require '
                               'gradients. The outputs must be computed in a differentiable '
                               'manner from the input when running in strict mode.')
        if kind == 'grad_inputs':
            raise RuntimeError(f'The gradient with respect to input {i} is independent of the '
                               'inputs of the user-provided function. This is not allowed in '
                               'strict mode.')
        if kind == 'jacobian':
            raise RuntimeError('While computing the hessian, found that the jacobian of the '
                               f'user-provided function with respect to input {i} is '
                               'independent of the input. This is not allowed in strict mode. '
                               'You should ensure that your function is twice differentiable '
                               'and that the jacobian depends on the inputs (this would be '
                               'violated by a linear function for example).')
        raise RuntimeError(f'The hessian of the user-provided function with respect to input '
                           f'{i} is independent of the input. This is not allowed in strict '
                           'mode. You should ensure that your function is thrice '
                           'differentiable and that the hessian depends on the inputs.')


def _grad_or_none(outputs, inputs, grad_outputs=None, create_graph: bool = False,
                  retain_graph: Optional[bool] = None):
    """``autograd.grad`` that skips outputs which are None or do not require grad, returning
    None for every input when nothing is left to differentiate."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    outs, gos = [], []
    for o, g in zip(outputs, grad_outputs):
        if o is not None and o.requires_grad:
            outs.append(o)
            gos.append(g)
    if not outs:
        return (None,) * len(inputs)
    return _autograd.grad(outs, inputs, gos, retain_graph=retain_graph,
                          create_graph=create_graph, allow_unused=True)


_NONE_MSG = {
    'back': 'The output of the user-provided function is independent of input {i}. This is '
            'not allowed in strict mode.',
    'back_trick': 'The gradient with respect to the input is independent of entry {i} in the '
                  'grad_outputs when using the double backward trick to compute forward mode '
                  'gradients. This is not allowed in strict mode.',
    'double_back': 'The jacobian of the user-provided function is independent of input {i}. '
                   'This is not allowed in strict mode.',
    'double_back_trick': 'The hessian of the user-provided function is independent of entry '
                         '{i} in the grad_jacobian. This is not allowed in strict mode as it '
                         'prevents from using the double backward trick to replace forward '
                         'mode AD.',
}


def _zeros_for_none(grads, refs, strict: bool, create_graph: bool, stage: str):
    """Replaces missing gradients by zeros shaped like ``refs`` (errors under strict)."""
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_NONE_MSG[stage].format(i=i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = 'hessian' if 'double' in stage else 'jacobian'
            raise RuntimeError(f'The {what} of the user-provided function is independent of '
                               f'input {i}. This is not allowed in strict mode when '
                               'create_graph=True.')
        res.append(g)
    return tuple(res)


def _v_or_default(v, ref, is_ref_tuple, create_graph, fn_name, none_msg):
    if v is None:
        if len(ref) != 1 or ref[0].numel() != 1:
            raise RuntimeError(none_msg)
        return None
    _, v = _as_tuple(v, 'v', fn_name)
    v = _prepare(v, create_graph, False)
    _check_v(v, ref, is_ref_tuple)
    return v


_V_NONE_INPUT = ('The vector v can only be None if the input to the user-provided function is '
                 'a single Tensor with a single element.')


def vjp(func: Callable, inputs: Tensors, v: Optional[Tensors] = None, create_graph: bool = False,
        strict: bool = False):
    """Returns ``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``.

    ``v`` has the outputs' shapes (optional for a single one-element output). The product has
    the inputs' shapes; inputs the outputs do not depend on get zeros (an error if ``strict``).
    """
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, 'inputs', 'vjp')
        inputs = _prepare(inputs, create_graph, True)
        out_tuple, outputs = _as_tuple(func(*inputs), 'outputs of the user-provided function',
                                       'vjp')
        _strict_check(outputs, 'outputs', strict)
        v = _v_or_default(v, outputs, out_tuple, create_graph, 'vjp',
                          'The vector v can only be None if the user-provided function returns '
                          'a single Tensor with a single element.')
    with set_grad_enabled(create_graph or is_grad_enabled()):
        res = _grad_or_none(outputs, inputs, v, create_graph)
        res = _zeros_for_none(res, inputs, strict, create_graph, 'back')
    return (_unpack(_finish(outputs, create_graph), out_tuple),
            _unpack(_finish(res, create_graph), in_tuple))


def jvp(func: Callable, inputs: Tensors, v: Optional[Tensors] = None, create_graph: bool = False,
        strict: bool = False):
    """Returns ``(func(inputs), J v)``: the Jacobian-vector product at ``inputs``.

    ``v`` has the inputs' shapes (optional for a single one-element input); the product has
    the outputs' shapes. Computed with the double backward trick, so ``func`` must be twice
    differentiable in the sense that its backward is recorded (create_graph).
    """
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, 'inputs', 'jvp')
        inputs = _prepare(inputs, create_graph, True)
        v = _v_or_default(v, inputs, in_tuple, create_graph, 'jvp', _V_NONE_INPUT)
        out_tuple, outputs = _as_tuple(func(*inputs), 'outputs of the user-provided function',
                                       'jvp')
        _strict_check(outputs, 'outputs', strict)
        # NOTE: J^T u is linear in u, so u's value never matters; zeros keep inf/nan out.
        us = tuple(zeros_like(o, requires_grad=True) for o in outputs)
        grad_inputs = _grad_or_none(outputs, inputs, us, create_graph=True)
        _strict_check(grad_inputs, 'grad_inputs', strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        res = _grad_or_none(grad_inputs, us, v, create_graph)
        res = _zeros_for_none(res, outputs, strict, create_graph, 'back_trick')
    return (_unpack(_finish(outputs, create_graph), out_tuple),
            _unpack(_finish(res, create_graph), out_tuple))


def _jacobian_rows(out: Tensor, inputs, create_graph: bool, strict: bool, out_idx: int):
    """Per input, the list of gradients of each element of ``out`` (in row-major order)."""
    rows = tuple([] for _ in inputs)
    n = out.numel()
    for j in range(n):
        # A one-hot grad_output is the gradient of out.reshape(-1)[j]; seeding it directly
        # skips recording a view and a select per element.
        seed = out.new_zeros((n,))
        seed._data[j] = 1
        gs = _grad_or_none((out,), inputs, (seed.view(out.shape),), create_graph,
                           retain_graph=True)
        for k, (g, t) in enumerate(zip(gs, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(f'Output {out_idx} of the user-provided function is '
                                       f'independent of input {k}. This is not allowed in '
                                       'strict mode.')
                g = zeros_like(t)
            elif strict and create_graph and not g.requires_grad:
                # (PyTorch's message names the output index here.)
                raise RuntimeError(f'The jacobian of the user-provided function is independent '
                                   f'of input {out_idx}. This is not allowed in strict mode '
                                   'when create_graph=True.')
            rows[k].append(g)
    return rows


def jacobian(func: Callable, inputs: Tensors, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = 'reverse-mode'):
    """The Jacobian of ``func`` at ``inputs``, one reverse pass per output element.

    Entry ``[i][j]`` (unpacked where output/input were single Tensors) has shape
    ``outputs[i].shape + inputs[j].shape``. ``vectorize=True`` (PyTorch's vmap over the
    standard basis) gives the same values; numtorch computes them with the same loop.
    """
    if strategy not in ('forward-mode', 'reverse-mode'):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, '
                             '"forward-mode" tends to be more performant. Otherwise, prefer to '
                             'use "reverse-mode".')
    if strategy == 'forward-mode':
        if create_graph:
            raise NotImplementedError('torch.autograd.functional.jacobian: `create_graph=True` '
                                      'and `strategy="forward-mode"` are not supported together '
                                      '(yet). Please either set `create_graph=False` or '
                                      '`strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError('torch.autograd.functional.jacobian: `strict=True` and '
                               '`strategy="forward-mode"` are not supported together (yet). '
                               'Please either set `strict=False` or `strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError('Computing Jacobian using forward-AD or forward-over-'
                                      'reverse Hessian isonly implemented for `vectorize=True`.')
        raise NotImplementedError("jacobian(strategy='forward-mode') is not supported by "
                                  'numtorch (it has no forward-mode AD)')
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, 'inputs', 'jacobian')
        inputs = _prepare(inputs, create_graph, True)
        out_tuple, outputs = _as_tuple(func(*inputs), 'outputs of the user-provided function',
                                       'jacobian')
        _strict_check(outputs, 'outputs', strict)
        if vectorize and strict:
            raise RuntimeError('torch.autograd.functional.jacobian: `strict=True` and '
                               '`vectorized=True` are not supported together. Please either '
                               'set `strict=False` or `vectorize=False`.')
        jac = []
        for i, out in enumerate(outputs):
            rows = _jacobian_rows(out, inputs, create_graph, strict, i)
            jac.append(tuple(stack(r, 0).view(out.shape + t.shape)
                             for r, t in zip(rows, inputs)))
        jac = _finish(tuple(jac), create_graph)
        return _unpack2(jac, out_tuple, in_tuple)


def hessian(func: Callable, inputs: Tensors, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = 'reverse-mode'):
    """The Hessian of a scalar function: the Jacobian of its gradient.

    With tuple inputs entry ``[i][j]`` has shape ``inputs[i].shape + inputs[j].shape``.
    """
    in_tuple, inputs = _as_tuple(inputs, 'inputs', 'hessian')
    if outer_jacobian_strategy not in ('forward-mode', 'reverse-mode'):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*inp):
        out = func(*inp)
        out_is_tuple, t_out = _as_tuple(out, 'outputs of the user-provided function', 'hessian')
        _strict_check(t_out, 'outputs', strict)
        if out_is_tuple or not isinstance(out, Tensor):
            raise RuntimeError('The function given to hessian should return a single Tensor')
        if out.numel() != 1:
            raise RuntimeError('The Tensor returned by the function given to hessian should '
                               'contain a single element')
        return out.squeeze()

    def grad_func(*inp):
        jac = jacobian(scalar_func, inp, create_graph=True)
        _strict_check(jac, 'jacobian', strict)
        return jac

    res = jacobian(grad_func, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _unpack2(res, in_tuple, in_tuple)


def _scalar_output(func, inputs, name: str, strict: bool):
    out_tuple, outputs = _as_tuple(func(*inputs), 'outputs of the user-provided function', name)
    _strict_check(outputs, 'outputs', strict)
    if out_tuple or not isinstance(outputs[0], Tensor):
        raise RuntimeError(f'The function given to {name} should return a single Tensor')
    if outputs[0].numel() != 1:
        raise RuntimeError(f'The Tensor returned by the function given to {name} should '
                           'contain a single element')
    return out_tuple, outputs


def vhp(func: Callable, inputs: Tensors, v: Optional[Tensors] = None, create_graph: bool = False,
        strict: bool = False):
    """Returns ``(func(inputs), v^T H)`` for a scalar ``func``, ``H`` its Hessian."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, 'inputs', 'vhp')
        inputs = _prepare(inputs, create_graph, True)
        v = _v_or_default(v, inputs, in_tuple, create_graph, 'vhp', _V_NONE_INPUT)
        out_tuple, outputs = _scalar_output(func, inputs, 'vhp', strict)
        jac = _grad_or_none(outputs, inputs, create_graph=True)
        _strict_check(jac, 'jacobian', strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        res = _grad_or_none(jac, inputs, v, create_graph)
        res = _zeros_for_none(res, inputs, strict, create_graph, 'double_back')
    return (_unpack(_finish(outputs, create_graph), out_tuple),
            _unpack(_finish(res, create_graph), in_tuple))


def hvp(func: Callable, inputs: Tensors, v: Optional[Tensors] = None, create_graph: bool = False,
        strict: bool = False):
    """Returns ``(func(inputs), H v)`` for a scalar ``func`` (the double backward trick on the
    gradient; equal to ``vhp`` for a symmetric Hessian)."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, 'inputs', 'hvp')
        inputs = _prepare(inputs, create_graph, True)
        v = _v_or_default(v, inputs, in_tuple, create_graph, 'hvp', _V_NONE_INPUT)
        out_tuple, outputs = _scalar_output(func, inputs, 'hvp', strict)
        jac = _grad_or_none(outputs, inputs, create_graph=True)
        _strict_check(jac, 'jacobian', strict)
        us = tuple(zeros_like(t, requires_grad=True) for t in inputs)
        double_back = _grad_or_none(jac, inputs, us, create_graph=True)
        _strict_check(jac, 'hessian', strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        res = _grad_or_none(double_back, us, v, create_graph)
        res = _zeros_for_none(res, inputs, strict, create_graph, 'double_back_trick')
    return (_unpack(_finish(outputs, create_graph), out_tuple),
            _unpack(_finish(res, create_graph), in_tuple))
