"""torch.func.functional_call and stack_module_state.

``functional_call`` runs a module with some of its parameters and buffers replaced by given
tensors, restoring the originals afterwards (even when the call raises), so a module's
forward becomes a function of its weights: the basis of ``grad``/``vmap`` over models. As in
PyTorch, it merges its dicts and runs ``nn.utils.stateless._functional_call``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Dict, Tuple, Union

from .._tensor import Tensor
from .._ops.shape import stack
from ..nn.utils.stateless import _functional_call

__all__ = ['functional_call', 'stack_module_state']


def functional_call(module, parameter_and_buffer_dicts: Union[Dict[str, Tensor], Sequence],
                    args: Any = None, kwargs: Dict[str, Any] | None = None, *,
                    tie_weights: bool = True, strict: bool = False):
    """Calls ``module(*args, **kwargs)`` with the parameters and buffers named (dotted
    names) in ``parameter_and_buffer_dicts`` (a dict, or a list/tuple of dicts with distinct
    keys) in place of the module's own. ``args`` that is not a tuple is one argument.
    ``tie_weights``: a value given for one of several tied names is used for all of them.
    ``strict``: the given names must be exactly the module's parameters and buffers."""
    if isinstance(parameter_and_buffer_dicts, dict):
        tensors = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError('Expected all elements of parameter_and_buffer_dicts to be '
                             'dictionaries')
        counts: Dict[str, int] = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f'{repeated} appeared in multiple dictionaries; behavior of '
                             'functional call is ambiguous')
        tensors = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError('Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of '
                         f'dicts, but got {type(parameter_and_buffer_dicts)}')
    return _functional_call(module, tensors, args, kwargs, tie_weights=tie_weights,
                            strict=strict)


def _stacked_leaf(ts: tuple, name: str) -> Tensor:
    rg = [t.requires_grad for t in ts]
    if any(rg) and not all(rg):
        raise RuntimeError(f'Expected {name} from each model to have the same .requires_grad')
    res = stack(ts)
    if all(rg):
        res = res.detach().requires_grad_()
    return res


def stack_module_state(models) -> Tuple[Dict[str, Tensor], Dict[str, Tensor]]:
    """Stacks the parameters and the buffers of same-class models along a new leading dim:
    ``(params, buffers)`` dicts for ``vmap(functional_call)`` over an ensemble. Stacked
    parameters are new leaves (requiring grad when the models' do)."""
    if len(models) == 0:
        raise RuntimeError('stack_module_state: Expected at least one model, got 0.')
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError('stack_module_state: Expected all models to have the same '
                           'training/eval mode.')
    typ = type(models[0])
    if not all(type(m) is typ for m in models):
        raise RuntimeError('stack_module_state: Expected all models to be of the same class.')
    all_params = [dict(m.named_parameters()) for m in models]
    params = {k: _stacked_leaf(tuple(p[k] for p in all_params), k) for k in all_params[0]}
    all_bufs = [dict(m.named_buffers()) for m in models]
    bufs = {k: _stacked_leaf(tuple(b[k] for b in all_bufs), k) for k in all_bufs[0]}
    return params, bufs
