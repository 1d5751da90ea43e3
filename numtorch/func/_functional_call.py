"""torch.func.functional_call and stack_module_state.

``functional_call`` runs a module with some of its parameters and buffers replaced by given
tensors, restoring the originals afterwards (even when the call raises), so a module's
forward becomes a function of its weights: the basis of ``grad``/``vmap`` over models.
"""
from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any, Dict, List, Tuple, Union

from .._tensor import Tensor
from .._ops.shape import stack

__all__ = ['functional_call', 'stack_module_state']

_MISSING = object()


def _untie(module, given: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """Extends ``given`` to every name tied (same tensor object) to a given name, refusing
    different values for names of one tied tensor."""
    named = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    by_tensor: Dict[int, set] = {}
    for name, t in named.items():
        by_tensor.setdefault(id(t), set()).add(name)
    tied = {n: names for names in by_tensor.values() if len(names) > 1 for n in names}
    given_tied = {n for n in given if n in tied}
    for n in given_tied:
        names = tied[n]
        here = names & given_tied
        if len(here) > 1 and len({id(given[m]) for m in here}) != 1:
            raise ValueError(f'functional_call got multiple values for keys {sorted(names)}, '
                             'which are tied. Consider using tie_weights=False')
    out = dict(given)
    for n in given_tied:
        for m in tied[n]:
            out[m] = given[n]
    return out


def _check_strict(module, given: Dict[str, Tensor]) -> None:
    valid = {n for n, _ in module.named_parameters(remove_duplicate=False)}
    valid |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
    keys = set(given)
    missing = sorted(valid - keys)
    unexpected = sorted(keys - valid)
    msgs = []
    if unexpected:
        msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if msgs:
        raise RuntimeError('Error(s) in reparametrizing for {}:\n\t{}'.format(
            module._get_name(), '\n\t'.join(msgs)))


def _swap(module, name: str, value):
    """Puts ``value`` (or removes it, for _MISSING) at attribute ``name`` of ``module`` where
    a parameter, buffer or plain attribute of that name lives; returns what was there."""
    if not isinstance(value, Tensor) and value is not None and value is not _MISSING:
        raise TypeError(f'{value} is not an instance of torch.Tensor')
    for slot in ('_parameters', '_buffers'):
        d = module.__dict__[slot]
        if name in d:
            orig = d[name]
            if value is _MISSING:
                del d[name]
            else:
                d[name] = value
            return orig
    orig = getattr(module, name, _MISSING)
    if orig is not _MISSING and not isinstance(orig, Tensor) and orig is not None:
        raise TypeError(f'attribute `{name}`: {orig} is not an instance of torch.Tensor')
    if value is _MISSING:
        if orig is not _MISSING:
            delattr(module, name)
    else:
        # object.__setattr__: a plain attribute, not a new registered parameter/buffer.
        object.__setattr__(module, name, value)
    return orig


def _owner(module, path: str) -> Tuple[Any, str]:
    prefix, _, name = path.rpartition('.')
    return (module.get_submodule(prefix) if prefix else module), name


@contextlib.contextmanager
def _reparametrize(module, tensors: Dict[str, Tensor], tie_weights: bool, strict: bool):
    if tie_weights:
        tensors = _untie(module, tensors)
    if strict:
        _check_strict(module, tensors)
    originals: List[Tuple[Any, str, Any]] = []
    try:
        for path, t in tensors.items():
            owner, name = _owner(module, path)
            originals.append((owner, name, _swap(owner, name, t)))
        yield
    finally:
        for owner, name, orig in reversed(originals):
            _swap(owner, name, orig)


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
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize(module, tensors, tie_weights, strict):
        return module(*args, **kwargs)


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
