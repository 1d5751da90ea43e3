"""Matrix norms and condition numbers (torch.linalg.matrix_norm, norm, cond), composed as
PyTorch composes them so that the graph holds the same nodes: vector norms with amax/amin
for the 1- and inf-norms, singular values for the 2- and nuclear norms."""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _wrap
from ._op import Op

__all__ = ['matrix_norm', 'norm', 'cond']


def _ord_str(ord) -> str:
    if isinstance(ord, str):
        return ord
    if math.isinf(ord):
        return 'inf' if ord > 0 else '-inf'
    return str(int(ord)) if float(ord).is_integer() else str(ord)


def _checks(A: Tensor, dim, name: str = 'linalg.matrix_norm') -> tuple:
    from .shape import wrap_dim
    if A.dim() < 2:
        raise RuntimeError(f'{name}: The input tensor A must have at least 2 dimensions.')
    if A._data.dtype.kind != 'f':
        raise RuntimeError(f'{name}: Expected a floating point or complex tensor as input. '
                           f'Got {A.type()[6:-6]}')
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) != 2:
        shown = dims[0] if len(dims) == 1 else list(dims)
        raise RuntimeError(f'{name}: dim must be a 2-tuple. Got {shown}')
    d0, d1 = (wrap_dim(d, A.dim()) for d in dims)
    if d0 == d1:
        raise RuntimeError(f'{name}: dims must be different. Got ({d0}, {d1})')
    return d0, d1


def matrix_norm(A: Tensor, ord='fro', dim=(-2, -1), keepdim: bool = False, *,
                dtype=None) -> Tensor:
    """The matrix ``ord``-norm over the two dims ``dim``: 'fro', 'nuc' (sum of singular
    values), 2 / -2 (largest / smallest singular value), 1 / -1 (max / min column sum of
    absolute values), inf / -inf (max / min row sum)."""
    from ..linalg import vector_norm
    from .decomposition import svdvals
    if isinstance(ord, str):
        if ord not in ('fro', 'nuc'):
            raise RuntimeError(f'linalg.matrix_norm: Order {ord} not supported.')
    elif abs(ord) not in (1, 2, math.inf):
        raise RuntimeError(f'linalg.matrix_norm: Order {_ord_str(ord)} not supported.')
    d0, d1 = _checks(A, dim)
    if ord == 'fro':
        return vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype)
    if ord == 'nuc' or abs(ord) == 2:
        x = A if dtype is None else A.to(dtype)
        perm = [i for i in range(A.dim()) if i not in (d0, d1)] + [d0, d1]
        s = svdvals(x.permute(perm))
        if ord == 'nuc':
            r = s.sum(-1, keepdim)
        else:
            r = s.amax(-1, keepdim) if ord > 0 else s.amin(-1, keepdim)
        if keepdim:
            r = r.unsqueeze(-1).permute(list(np.argsort(perm)))
        return r
    if math.isinf(ord):
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    v = vector_norm(A, 1, d0, keepdim, dtype=dtype)
    return v.amax(d1, keepdim) if ord > 0 else v.amin(d1, keepdim)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """A vector norm (2-norm of all elements by default; ``ord`` over one ``dim``, or over
    1-D input) or a matrix norm (``ord`` over two dims, or over 2-D input)."""
    from ..linalg import vector_norm
    if dim is not None:
        dim = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dim) not in (1, 2):
            raise RuntimeError(f'linalg.norm: If dim is specified, it must be of length 1 or 2. '
                               f'Got {list(dim)}')
    elif ord is not None and A.dim() not in (1, 2):
        raise RuntimeError(f'linalg.norm: If dim is not specified but ord is, the input must be '
                           f'1D or 2D. Got {A.dim()}D.')
    if isinstance(ord, str) or (ord is not None and (len(dim) == 2 if dim is not None
                                                    else A.dim() == 2)):
        return matrix_norm(A, ord, (0, 1) if dim is None else dim, keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


class _NanToInf(Op):
    """``nan_to_num_(inf, inf, -inf)`` of the condition number (0 * inf is inf, as NumPy's
    cond gives); the gradient passes where the value was finite."""
    _name = 'NanToNumBackward0'

    def forward(self, x):
        self.saved = np.isfinite(x)
        return np.nan_to_num(x, nan=np.inf, posinf=np.inf, neginf=-np.inf)

    def backward(self, g):
        return g * self.saved


def cond(A: Tensor, p=None) -> Tensor:
    """The condition number of A in the ``p``-norm: for None/2/-2 the ratio of extreme
    singular values (any shape); for 'fro', 'nuc', 1, -1, inf, -inf of square A,
    norm(A) * norm(A^-1), infinite for singular A."""
    from .decomposition import svdvals
    from .creation import zeros
    from .linalg import inverse
    ord = 2 if p is None else p
    if isinstance(ord, str):
        if A.dim() >= 2 and A.shape[-1] != A.shape[-2]:
            _square_error(A, ord)
        if ord not in ('fro', 'nuc'):
            raise RuntimeError(f'linalg.cond got an invalid norm type: {ord}')
    else:
        if A.dim() < 2:
            raise RuntimeError('linalg.cond: The input tensor must have at least 2 dimensions.')
        if abs(ord) not in (1, 2, math.inf):
            raise RuntimeError(f'linalg.cond got an invalid norm type: {_ord_str(ord)}')
    if A.dim() < 2:
        raise RuntimeError('linalg.cond: The input tensor must have at least 2 dimensions.')
    if ord not in (2, -2) and A.shape[-1] != A.shape[-2]:
        _square_error(A, ord)
    if A.numel() == 0:
        return zeros(A.shape[:-2], dtype=A.dtype)
    if ord in (2, -2):
        s = svdvals(A)
        hi, lo = s.narrow(-1, 0, 1), s.narrow(-1, -1, 1)
        return (lo / hi if ord == -2 else hi / lo).squeeze(-1)
    if ord == 'nuc':
        return matrix_norm(A, ord) * matrix_norm(inverse(A), ord)
    bad = _singular(A._data)
    if bad.any():
        # (PyTorch's inv_ex leaves singular matrices' inverses to be filled with inf)
        m = _wrap(bad[..., None, None])
        safe = A.masked_fill(m, 0) + _wrap(bad[..., None, None] * np.eye(A.shape[-1],
                                                                          dtype=A._data.dtype))
        inv = inverse(safe).masked_fill(m, math.inf)
    else:
        inv = inverse(A)
    return _NanToInf().apply1(matrix_norm(A, ord) * matrix_norm(inv, ord))


def _singular(a: np.ndarray) -> np.ndarray:
    """Which matrices of the batch numpy cannot invert."""
    try:
        np.linalg.inv(a)
        return np.zeros(a.shape[:-2], bool)
    except np.linalg.LinAlgError:
        pass
    flat = a.reshape((-1,) + a.shape[-2:])
    bad = np.zeros(len(flat), bool)
    for i, m in enumerate(flat):
        try:
            np.linalg.inv(m)
        except np.linalg.LinAlgError:
            bad[i] = True
    return bad.reshape(a.shape[:-2])


def _square_error(A: Tensor, ord) -> None:
    raise RuntimeError(f'linalg.cond(ord={_ord_str(ord)}): A must be batches of square '
                       f'matrices, but they are {A.shape[-2]} by {A.shape[-1]} matrices')
