"""A minimal pytree (nested containers of leaves) for the torch.func transforms.

Tuples, lists, dicts (in key order), OrderedDicts and namedtuples are containers; anything
else (a Tensor, a number, None) is a leaf. ``TreeSpec`` prints as PyTorch's
``torch.utils._pytree.TreeSpec`` does, because the transforms' error messages show it.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, List, Tuple

__all__ = ['TreeSpec', 'LEAF', 'tree_flatten', 'tree_unflatten', 'tree_map',
           'broadcast_prefix', 'treespec_pprint']


class TreeSpec:
    """The structure of a pytree: a container type, its context (dict keys) and children."""
    __slots__ = ('type', 'context', 'children', 'num_leaves')

    def __init__(self, typ, context, children: list) -> None:
        self.type = typ
        self.context = context
        self.children = children
        self.num_leaves = 1 if typ is None else sum(c.num_leaves for c in children)

    def is_leaf(self) -> bool:
        return self.type is None

    def __eq__(self, other) -> bool:
        return (isinstance(other, TreeSpec) and self.type is other.type
                and self.context == other.context and self.children == other.children)

    def __hash__(self) -> int:
        return hash((self.type, len(self.children)))

    def __repr__(self, indent: int = 0) -> str:
        if self.type is None:
            return '*'
        s = f'TreeSpec({self.type.__name__}, {_ctx_repr(self.type, self.context)}, ['
        if self.children:
            indent += 2
            s += self.children[0].__repr__(indent)
            if len(self.children) > 1:
                s += ','
            s += ','.join('\n' + ' ' * indent + c.__repr__(indent) for c in self.children[1:])
        return s + '])'


def _ctx_repr(typ, context) -> str:
    if context is None:
        return 'None'
    if _is_namedtuple_type(typ):
        return repr(typ)
    return repr(list(context))


LEAF = TreeSpec(None, None, [])


def _is_namedtuple_type(typ) -> bool:
    return issubclass(typ, tuple) and hasattr(typ, '_fields')


def _children(x):
    """(children, context) of a container, or None for a leaf."""
    t = type(x)
    if t is tuple or t is list:
        return list(x), None
    if t is dict or t is OrderedDict:
        keys = list(x.keys())
        return [x[k] for k in keys], keys
    if isinstance(x, tuple) and hasattr(t, '_fields'):
        return list(x), None
    return None


def tree_flatten(tree) -> Tuple[List[Any], TreeSpec]:
    """(the leaves in order, the structure)."""
    leaves: list = []
    return leaves, _flatten(tree, leaves)


def _flatten(x, leaves: list) -> TreeSpec:
    ch = _children(x)
    if ch is None:
        leaves.append(x)
        return LEAF
    kids, ctx = ch
    return TreeSpec(type(x), ctx, [_flatten(k, leaves) for k in kids])


def tree_unflatten(leaves, spec: TreeSpec):
    """Rebuilds the pytree of ``spec`` from ``leaves``."""
    it = iter(leaves)
    return _build(spec, it)


def _build(spec: TreeSpec, it):
    if spec.type is None:
        return next(it)
    kids = [_build(c, it) for c in spec.children]
    typ = spec.type
    if typ is tuple or typ is list:
        return typ(kids)
    if typ is dict or typ is OrderedDict:
        return typ(zip(spec.context, kids))
    return typ(*kids)  # namedtuple


def tree_map(fn: Callable, tree):
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def broadcast_prefix(prefix, spec: TreeSpec):
    """The leaves of ``prefix`` repeated over the leaves of the tree of ``spec`` that each
    covers, or None when ``prefix`` is not a prefix of that structure (vmap's in_dims)."""
    out: list = []
    return out if _broadcast(prefix, spec, out) else None


def _broadcast(p, spec: TreeSpec, out: list) -> bool:
    ch = _children(p)
    if ch is None:
        out.extend([p] * spec.num_leaves)
        return True
    kids, ctx = ch
    if spec.type is None or type(p) is not spec.type or len(kids) != len(spec.children):
        return False
    if ctx is not None and ctx != spec.context:
        if set(ctx) != set(spec.context):
            return False
        kids = [p[k] for k in spec.context]
    return all(_broadcast(k, c, out) for k, c in zip(kids, spec.children))


class _Star:
    __slots__ = ()

    def __repr__(self) -> str:
        return '*'


def treespec_pprint(spec: TreeSpec) -> str:
    """The structure written as its containers with ``*`` for leaves, e.g. ``(*, {'a': *})``."""
    return repr(tree_unflatten([_Star()] * spec.num_leaves, spec))
