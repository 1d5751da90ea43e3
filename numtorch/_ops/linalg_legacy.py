"""PyTorch's pre-``torch.linalg`` API kept for old code: ``torch.svd`` (returns V, not V^H),
``torch.lu`` / ``torch.lu_solve`` (deprecated, warned once), ``torch.logdet``, and the removed
``torch.solve`` (raises PyTorch's error). Each delegates to its ``torch.linalg`` op."""
from __future__ import annotations

from .._tensor import Tensor, _warn_once
from ..return_types import _make
from . import decomposition as _dec
from . import lu as _lu

__all__ = ['svd', 'slogdet', 'lu', 'lu_solve', 'logdet', 'solve_removed']

svd_type = _make('svd', ('U', 'S', 'V'))
slogdet_type = _make('slogdet', ('sign', 'logabsdet'))
lu_with_info_type = _make('_lu_with_info', ('LU', 'pivots', 'info'))


def svd(input: Tensor, some: bool = True, compute_uv: bool = True, *, out=None):
    """(U, S, V) with input = U diag(S) V^T; ``some`` keeps min(m, n) columns; without
    ``compute_uv`` U and V are zero matrices of shapes (m, m) and (n, n)."""
    if out is not None:
        raise NotImplementedError('torch.svd(out=...) is not supported by numtorch')
    if not compute_uv:
        from .creation import zeros
        m, n = input.shape[-2:]
        s = _dec.svdvals(input)
        batch = tuple(input.shape[:-2])
        return svd_type(zeros(*batch, m, m, dtype=input.dtype), s,
                        zeros(*batch, n, n, dtype=input.dtype))
    u, s, vh = _dec.svd(input, full_matrices=not some)
    return svd_type(u, s, vh.mT)


_LU_WARNING = (
    'torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and '
    'will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\n'
    'should be replaced with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n'
    'LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\n'
    'LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)')
_LU_SOLVE_WARNING = (
    'torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a '
    'future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\n'
    'X = torch.lu_solve(B, LU, pivots)\nshould be replaced with\n'
    'X = torch.linalg.lu_solve(LU, pivots, B)')


def lu(A: Tensor, pivot: bool = True, get_infos: bool = False, out=None):
    """Deprecated: (LU, pivots), or (LU, pivots, infos) with ``get_infos``, of linalg's
    lu_factor_ex."""
    if out is not None:
        raise NotImplementedError('torch.lu(out=...) is not supported by numtorch')
    _warn_once(_LU_WARNING)
    f, piv, info = _lu.lu_factor_ex(A, pivot=pivot)
    if get_infos:
        return lu_with_info_type(f, piv, info)
    return f, piv


def lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor, *, out=None) -> Tensor:
    """Deprecated: linalg.lu_solve(LU_data, LU_pivots, b)."""
    if out is not None:
        raise NotImplementedError('torch.lu_solve(out=...) is not supported by numtorch')
    _warn_once(_LU_SOLVE_WARNING)
    return _lu.lu_solve(LU_data, LU_pivots, b)


def slogdet(input: Tensor):
    """(sign, log|det|) of square matrices, as ``torch.slogdet`` names its result."""
    return slogdet_type(*_dec.slogdet(input))


def logdet(input: Tensor) -> Tensor:
    """log(det(input)) of square matrices: nan where the determinant is negative."""
    from .arithmetic import where
    from .creation import scalar_tensor
    _dec._square('logdet', input)
    # Composed as PyTorch composes it (its node is WhereBackward0; no gradient at nan).
    sign, logabs = _dec.slogdet(input)
    return where(sign < 0, scalar_tensor(float('nan'), dtype=logabs.dtype), logabs)


def solve_removed(input, A, *, out=None):
    """``torch.solve``: removed from PyTorch; raises its RuntimeError."""
    raise RuntimeError(
        'This function was deprecated since version 1.9 and is now removed. `torch.solve` is '
        'deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has its arguments '
        'reversed and does not return the LU factorization.\n\nTo get the LU factorization see '
        '`torch.lu`, which can be used with `torch.lu_solve` or `torch.lu_unpack`.\n'
        'X = torch.solve(B, A).solution should be replaced with:\n'
        'X = torch.linalg.solve(A, B)')
