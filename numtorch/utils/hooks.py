"""RemovableHandle: what ``register_hook`` and friends return."""
from __future__ import annotations

import itertools

__all__ = ['RemovableHandle']

_ids = itertools.count()


class RemovableHandle:
    """A handle whose ``remove()`` unregisters the hook it was returned for."""

    def __init__(self, hooks_dict: dict) -> None:
        self.hooks_dict = hooks_dict
        self.id = next(_ids)

    def remove(self) -> None:
        self.hooks_dict.pop(self.id, None)

    def __enter__(self) -> 'RemovableHandle':
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
