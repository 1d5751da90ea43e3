"""torch.linalg: the linear-algebra functions numtorch has, under their torch.linalg names."""
from __future__ import annotations

from ._ops.linalg import det, inverse as inv, matmul
from ._ops.cross import linalg_cross as cross
from ._ops.decomposition import (LinAlgError, cholesky, slogdet, eigh, eigvalsh, svd,
                                 svdvals, multi_dot, matrix_power, vecdot, qr, eig, eigvals)
from ._ops.householder import householder_product
from ._ops.linalg_compose import diagonal, vander, tensorinv, tensorsolve
from ._ops.least_squares import lstsq, pinv, matrix_rank
from ._ops.ldl import ldl_factor, ldl_factor_ex, ldl_solve
from ._ops.lu import (lu_factor, lu_factor_ex, lu, lu_solve, solve_triangular, inv_ex, cholesky_ex,
                      solve_ex, solve)
from ._ops.matrix_exp import matrix_exp
from ._ops.matrix_norm import matrix_norm, norm, cond
from ._ops.reduction import norm as _norm
from ._tensor import Tensor

__all__ = ['det', 'inv', 'cross', 'matmul', 'vector_norm', 'norm', 'LinAlgError', 'solve',
           'cholesky', 'slogdet', 'eigh', 'eigvalsh', 'svd', 'svdvals', 'multi_dot',
           'matrix_power', 'vecdot', 'qr', 'eig', 'eigvals', 'lstsq', 'pinv', 'matrix_rank',
           'matrix_norm', 'cond', 'lu_factor', 'lu_factor_ex', 'lu', 'lu_solve', 'solve_triangular',
           'inv_ex', 'cholesky_ex', 'solve_ex', 'matrix_exp', 'householder_product', 'diagonal',
           'vander', 'tensorinv', 'tensorsolve', 'ldl_factor', 'ldl_factor_ex', 'ldl_solve']


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (all elements by default)."""
    return _norm(x, ord, dim, keepdim, dtype=dtype)
