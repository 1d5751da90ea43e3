"""Lazy modules: layers whose input size is inferred from their first input (LazyLinear,
LazyConv1d/2d/3d, LazyConvTranspose1d/2d/3d, LazyBatchNorm1d/2d/3d,
LazyInstanceNorm1d/2d/3d). Until then their parameters are placeholders
(UninitializedParameter); the first forward materializes and initializes them (drawing
from the random stream as the equivalent eager layer does) and turns the module into
that layer (``cls_to_become``)."""
from __future__ import annotations

from ..parameter import is_lazy

__all__ = ['LazyModuleMixin']


class LazyModuleMixin:
    """Turns a layer lazy: subclasses set ``cls_to_become`` and ``initialize_parameters``."""
    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters)

    def has_uninitialized_params(self) -> bool:
        """Whether any parameter or buffer is still a placeholder."""
        return any(is_lazy(t) for t in (*self._parameters.values(), *self._buffers.values()))

    def _save_to_state_dict(self, destination, prefix: str, keep_vars: bool) -> None:
        # Placeholders go in as they are (a detached copy would look like a real empty
        # tensor, and loading it would materialize a (0,)-shaped parameter).
        for table, skip in ((self._parameters, ()), (self._buffers,
                                                     self._non_persistent_buffers_set)):
            for name, t in table.items():
                if t is not None and name not in skip:
                    destination[prefix + name] = t if keep_vars or is_lazy(t) else t.detach()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        # A placeholder takes the shape of the tensor loaded into it; one loaded with a
        # placeholder stays as it is (the key counts as matched): it is kept out of the
        # copying below, which would ask both for their shapes.
        hidden = []
        for table in (self._parameters, self._buffers):
            for name, t in table.items():
                key = prefix + name
                if is_lazy(t) and key in state_dict:
                    if is_lazy(state_dict[key]):
                        hidden.append((table, name, key))
                    else:
                        t.materialize(tuple(state_dict[key].shape), dtype=state_dict[key].dtype)
        if not hidden:
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                          missing_keys, unexpected_keys, error_msgs)
            return
        orders = [list(self._parameters), list(self._buffers)]
        kept = [(table, name, table.pop(name), state_dict.pop(key))
                for table, name, key in hidden]
        try:
            super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                          missing_keys, unexpected_keys, error_msgs)
        finally:
            for table, name, t, _ in kept:
                table[name] = t
            for table, order in zip((self._parameters, self._buffers), orders):
                items = dict(table)
                table.clear()
                table.update((n, items[n]) for n in order)
            for (table, name, key), (_, _, _, v) in zip(hidden, kept):
                state_dict[key] = v

    def initialize_parameters(self, *args, **kwargs) -> None:
        raise NotImplementedError(f'initialize_parameters is not implemented for '
                                  f'{type(self).__name__}')


def _infer_parameters(module, args):
    """The first forward's pre-hook: shapes from ``args``, then the eager class."""
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f'module {module._get_name()} has not been fully initialized')
    module._initialize_hook.remove()
    del module._initialize_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become
