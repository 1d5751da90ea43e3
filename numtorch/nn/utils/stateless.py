"""Calling a module with some of its parameters and buffers replaced by given tensors (the
module's forward as a function of its weights); the originals are put back afterwards, even
when the call raises. ``torch.func.functional_call`` is built on ``_functional_call``."""
from __future__ import annotations

import contextlib
import warnings
from typing import Any, Dict

from ..._tensor import Tensor

__all__ = ['functional_call']

_MISSING: Any = object()


def _untie_named_tensors_map(module, parameters_and_buffers: Dict[str, Tensor]) -> dict:
    """``parameters_and_buffers`` extended to every name tied (the same tensor object) to a
    given name; different values given for names of one tied tensor are an error."""
    named = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    by_tensor: Dict[int, set] = {}
    for name, t in named.items():
        by_tensor.setdefault(id(t), set()).add(name)
    tied = {n: names for names in by_tensor.values() if len(names) > 1 for n in names}
    given_tied = {n for n in parameters_and_buffers if n in tied}
    for n in given_tied:
        names = tied[n]
        if (len(names & given_tied) > 1
                and len({id(parameters_and_buffers[m]) for m in names
                         if m in parameters_and_buffers}) != 1):
            raise ValueError(f'functional_call got multiple values for keys {sorted(names)}, '
                             'which are tied. Consider using tie_weights=False')
    untied = dict(parameters_and_buffers)
    for n in given_tied:
        for m in tied[n]:
            untied[m] = parameters_and_buffers[n]
    return untied


def _swap_tensor(module, name: str, tensor):
    """Puts ``tensor`` (or nothing, for _MISSING) where ``module``'s parameter, buffer or
    attribute ``name`` is; returns what was there (_MISSING if nothing)."""
    if tensor is not _MISSING and not isinstance(tensor, Tensor) and tensor is not None:
        raise TypeError(f'{tensor} is not an instance of torch.Tensor')
    if '.' in name:
        raise KeyError('tensor name can\'t contain "."')
    if name == '':
        raise KeyError('tensor name can\'t be empty string ""')
    for table in (module._parameters, module._buffers):
        if name in table:
            orig = table[name]
            if tensor is _MISSING:
                del table[name]
            else:
                table[name] = tensor
            return orig
    orig = getattr(module, name) if hasattr(module, name) else _MISSING
    if orig is not _MISSING and not isinstance(orig, Tensor) and orig is not None:
        raise TypeError(f'attribute `{name}`: {orig} is not an instance of torch.Tensor')
    if tensor is not _MISSING:
        setattr(module, name, tensor)
    elif hasattr(module, name):
        delattr(module, name)
    return orig


def _submodule(module, path: str):
    if not path:
        return module
    prefix, _, attr = path.rpartition('.')
    parent = _submodule(module, prefix)
    try:
        sub = getattr(parent, attr)
    except AttributeError as ex:
        raise AttributeError(f'{parent._get_name()} has no attribute `{attr}`') from ex
    from ..modules.module import Module
    if not isinstance(sub, Module):
        raise TypeError(f'submodule `{path}`: {sub} is not an instance of torch.nn.Module')
    return sub


def _swap_all(module, named: Dict[str, Any]) -> Dict[str, Any]:
    """Swaps every (dotted name, tensor) in; returns the previous values. On an error the
    ones already swapped are put back."""
    orig: Dict[str, Any] = {}
    try:
        for path, t in named.items():
            prefix, _, attr = path.rpartition('.')
            orig[path] = _swap_tensor(_submodule(module, prefix), attr, t)
    except Exception:
        for path, t in orig.items():
            prefix, _, attr = path.rpartition('.')
            _swap_tensor(_submodule(module, prefix), attr, t)
        raise
    return orig


@contextlib.contextmanager
def _reparametrize_module(module, parameters_and_buffers: Dict[str, Tensor],
                          tie_weights: bool = False, strict: bool = False):
    """Within the block, ``module`` uses the given tensors (dotted names) in place of its
    own. Afterwards the originals return, and the dict gets whatever the module left at
    those names (a forward that reassigns ``self.x`` updates ``parameters_and_buffers``)."""
    untied = (_untie_named_tensors_map(module, parameters_and_buffers) if tie_weights
              else parameters_and_buffers)
    if strict:
        valid = {n for n, _ in module.named_parameters(remove_duplicate=False)}
        valid |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing, unexpected = sorted(valid - set(untied)), sorted(set(untied) - valid)
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError('Error(s) in reparametrizing for {}:\n\t{}'.format(
                module._get_name(), '\n\t'.join(msgs)))
    orig: Dict[str, Any] = {}
    try:
        orig = _swap_all(module, untied)
        yield
    finally:
        new = _swap_all(module, orig)
        parameters_and_buffers.update({k: new[k] for k in parameters_and_buffers if k in new})


def _functional_call(module, parameters_and_buffers: Dict[str, Tensor], args=None,
                     kwargs: Dict[str, Any] | None = None, *, tie_weights: bool = True,
                     strict: bool = False):
    """``module(*args, **kwargs)`` run with ``parameters_and_buffers`` in place of the
    module's own (see ``functional_call``)."""
    from ..parallel.data_parallel import DataParallel
    if isinstance(module, DataParallel):
        raise RuntimeError("The stateless API can't be used with nn.DataParallel module")
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights,
                               strict=strict):
        return module(*args, **kwargs)


def functional_call(module, parameters_and_buffers: Dict[str, Tensor], args=None,
                    kwargs: Dict[str, Any] | None = None, *, tie_weights: bool = True,
                    strict: bool = False):
    """Calls ``module(*args, **kwargs)`` with the tensors of ``parameters_and_buffers``
    (keyed by dotted name) in place of the module's parameters and buffers. ``args`` that is
    not a tuple is one argument. ``tie_weights``: a value given for one of several tied names
    serves them all (different values for them are an error). ``strict``: the names must be
    exactly the module's parameters and buffers. Deprecated (FutureWarning) in favour of
    ``torch.func.functional_call``, as in PyTorch."""
    warnings.warn('`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 '
                  'and will be removed in a future version of PyTorch. Please use '
                  '`torch.func.functional_call` instead which is a drop-in replacement.',
                  FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)
