"""torch.svd_lowrank and torch.pca_lowrank: randomized truncated SVD (Halko, Martinsson and
Tropp 2009, algorithms 4.4 and 5.1), composed of differentiable ops as PyTorch composes
them. The random test matrix comes from the shared generator, so with the same seed the
result is PyTorch's."""
from __future__ import annotations

from ._ops.decomposition import qr, svd
from ._ops.random import randn
from ._tensor import Tensor

__all__ = ['svd_lowrank', 'pca_lowrank', 'get_approximate_basis']


def _floating_dtype(A: Tensor):
    # (integer inputs work in float32, as PyTorch's _linalg_utils.get_floating_dtype)
    return A.dtype if A._data.dtype.kind == 'f' else randn(0).dtype


def get_approximate_basis(A: Tensor, q: int, niter: int | None = 2,
                          M: Tensor | None = None) -> Tensor:
    """Q (*, m, q) with orthonormal columns such that Q Q^T (A - M) approximates A - M: the
    range of (A - M) R for a Gaussian R (n, q), refined by ``niter`` power iterations with
    a QR orthonormalisation after every product."""
    niter = 2 if niter is None else niter
    R = randn(A.shape[-1], q, dtype=_floating_dtype(A))
    X = A @ R
    if M is not None:
        X = X - M @ R
    Q = qr(X).Q
    for _ in range(niter):
        X = A.mT @ Q
        if M is not None:
            X = X - M.mT @ Q
        Q = qr(X).Q
        X = A @ Q
        if M is not None:
            X = X - M @ Q
        Q = qr(X).Q
    return Q


def _svd_lowrank(A: Tensor, q: int | None = 6, niter: int | None = 2,
                 M: Tensor | None = None):
    q = 6 if q is None else q
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.size())
    # (the algorithm wants a tall matrix: a wide one is transposed and U, V swapped back)
    if m < n:
        A = A.mT
        if M is not None:
            M = M.mT
    Q = get_approximate_basis(A, q, niter=niter, M=M)
    B = Q.mT @ A
    if M is not None:
        B = B - Q.mT @ M
    U, S, Vh = svd(B, full_matrices=False)
    V = Vh.mT
    U = Q.matmul(U)
    if m < n:
        U, V = V, U
    return U, S, V


def svd_lowrank(A: Tensor, q: int | None = 6, niter: int | None = 2,
                M: Tensor | None = None):
    """(U, S, V) of a rank-``q`` approximate SVD of A - M (M broadcast to A), A (*, m, n):
    U (*, m, q), S (*, q), V (*, n, q), by a randomized range finder with ``niter`` power
    iterations. Differentiable through the ops it is made of."""
    return _svd_lowrank(A, q=q, niter=niter, M=M)


def pca_lowrank(A: Tensor, q: int | None = None, center: bool = True, niter: int = 2):
    """(U, S, V) of the approximate SVD of A with its column means subtracted (``center``):
    V's columns are the principal directions, S**2 / (m - 1) the variances along them;
    ``q`` defaults to min(6, m, n)."""
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (0 <= q <= min(m, n)):
        raise ValueError(f'q(={q}) must be non-negative integer and not greater than '
                         f'min(m, n)={min(m, n)}')
    if not niter >= 0:
        raise ValueError(f'niter(={niter}) must be non-negative integer')
    if not center:
        return _svd_lowrank(A, q, niter=niter, M=None)
    C = A.mean(dim=(-2,), keepdim=True)
    return _svd_lowrank(A - C, q, niter=niter, M=None)
