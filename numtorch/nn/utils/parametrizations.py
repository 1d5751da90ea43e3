"""``torch.nn.utils.parametrizations``: orthogonal matrices, weight normalisation and
spectral normalisation as parametrizations (see parametrize.py)."""
from __future__ import annotations

import numpy as np

from ..._ops.creation import eye, zeros_like
from ..._ops.random import randn
from ..._ops.decomposition import qr
from ..._ops.householder import geqrf, householder_product
from ..._ops.linalg import mv, vdot
from ..._ops.lu import solve
from ..._ops.matrix_exp import matrix_exp
from ..._ops.shape import cat
from ..._ops.norm import _weight_norm, norm_except_dim
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from .. import functional as F
from ..modules.conv import ConvTranspose1d, ConvTranspose2d
from ..modules.module import Module
from . import parametrize

__all__ = ['orthogonal', 'weight_norm', 'spectral_norm']


_ORTH_MAPS = ('matrix_exp', 'cayley', 'householder')


def _is_orthogonal(Q: Tensor) -> bool:
    n, k = Q.size(-2), Q.size(-1)
    eps = 10. * n * float(np.finfo(Q._data.dtype).eps)
    return bool((Q.mT @ Q).sub(eye(k, dtype=Q.dtype)).abs().le(eps).all())


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q of A = QR (A tall) with R's diagonal made non-negative."""
    Q, R = qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


class _Orthogonal(Module):
    """An orthogonal (n, k) matrix (or batch) from an unconstrained one X: the tall form
    (transposed if wide) is the first k columns of map(A), A = L - L^T the skew-symmetric
    matrix of X's lower triangle, map the matrix exponential or the Cayley transform
    (I - A/2)^-1 (I + A/2); or, for 'householder', the product of the reflectors stored
    below X's diagonal with columns signed by its diagonal. With ``use_trivialization``, the
    buffer ``base`` (orthogonal) multiplies it from the left, so assigning a weight moves
    ``base`` and resets X to -I."""

    def __init__(self, weight: Tensor, orthogonal_map: str, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer('base', None)

    def forward(self, X: Tensor) -> Tensor:
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map == 'householder':
            # NOTE: tau = 2 / ||v||^2 makes each reflector of X's strict lower triangle
            # orthogonal; X's diagonal (+-1) flips columns, cast to int so it gets no gradient
            A = X.tril(diagonal=-1)
            tau = 2. / (1. + (A * A).sum(dim=-2))
            Q = householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        else:
            X = X.tril()
            if n != k:
                # (embedded in a square matrix)
                X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mT
            if self.orthogonal_map == 'matrix_exp':
                Q = matrix_exp(A)
            else:
                Id = eye(n, dtype=A.dtype)
                Q = solve(Id - 0.5 * A, Id + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        if 'base' in self._buffers:
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        with no_grad():
            if Q.shape != self.shape:
                raise ValueError(f'Expected a matrix or batch of matrices of shape {self.shape}. '
                                 f'Got a tensor of shape {Q.shape}.')
            Q_init = Q
            n, k = Q.size(-2), Q.size(-1)
            transpose = n < k
            if transpose:
                Q = Q.mT
                n, k = k, n
            if 'base' not in self._buffers:
                if self.orthogonal_map != 'householder':
                    raise NotImplementedError('It is not possible to assign to the matrix '
                                              'exponential or the Cayley parametrizations when '
                                              'use_trivialization=False.')
                # NOTE: geqrf's R diagonal sign goes on X's diagonal (so Q R has R >= 0 on
                # it); where LAPACK skipped a reflection (tau == 0) the sign is flipped back.
                A, tau = geqrf(Q)
                d = A.diagonal(dim1=-2, dim2=-1)
                d.copy_(d.sign() * (1. - 2. * (tau == 0.).to(d.dtype)))
                return A.mT if transpose else A
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:
                # (completed into a square orthogonal matrix by random columns, as PyTorch)
                N = randn(*(tuple(Q.size()[:-2]) + (n, n - k)), dtype=Q.dtype)
                Q = _make_orthogonal(cat([Q, N], dim=-1))
            self.base = Q
            # NOTE: -I, not 0: PyTorch's choice, so householder(0) would be eye(m, n)
            neg_id = zeros_like(Q_init)
            neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.)
            return neg_id


def orthogonal(module: Module, name: str = 'weight', orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Constrains ``module.<name>`` (a matrix or batch of them) to be orthogonal (orthonormal
    columns if tall, rows if wide). ``orthogonal_map`` defaults to 'matrix_exp' for square
    weights and 'householder' (a product of Householder reflectors) otherwise. The weight's
    value is kept: it becomes the ``base`` of the trivialization (orthogonalised by QR if it
    is not orthogonal); without trivialization, householder's X is read from its geqrf."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError('Expected a matrix or batch of matrices. '
                         f'Got a tensor of {weight.ndim} dimensions.')
    if orthogonal_map is None:
        orthogonal_map = 'matrix_exp' if weight.size(-2) == weight.size(-1) else 'householder'
    if orthogonal_map not in _ORTH_MAPS:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f'Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


class _WeightNorm(Module):
    """weight = g * v / ||v||, the norm over every dim but ``dim``."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = 'weight', dim: int | None = 0) -> Module:
    """Reparametrizes ``module.<name>`` by its magnitude ``original0`` (the norm over every
    dim but ``dim``; ``dim=None`` for the whole tensor) and direction ``original1``.
    State dicts saved with the old ``nn.utils.weight_norm`` (``<name>_g``/``<name>_v``)
    still load."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def load_old_keys(state_dict, prefix, local_metadata, strict, missing_keys,
                      unexpected_keys, error_msgs) -> None:
        g_key, v_key = f'{prefix}{name}_g', f'{prefix}{name}_v'
        if g_key in state_dict and v_key in state_dict:
            state_dict[f'{prefix}parametrizations.{name}.original0'] = state_dict.pop(g_key)
            state_dict[f'{prefix}parametrizations.{name}.original1'] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(load_old_keys)
    return module


class _SpectralNorm(Module):
    """weight / sigma, sigma the largest singular value of the weight (as a matrix with
    ``dim`` first), estimated by power iteration on the buffers ``_u`` and ``_v``: one
    ``n_power_iterations`` round per forward in training mode, none in eval mode."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f'Dimension out of range (expected to be in range of [-{ndim}, '
                             f'{ndim - 1}] but got {dim})')
        if n_power_iterations <= 0:
            raise ValueError('Expected n_power_iterations to be positive, but got '
                             f'n_power_iterations={n_power_iterations}')
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            mat = self._reshape_weight_to_matrix(weight)
            h, w = mat.shape
            u = mat.new_empty(h).normal_(0, 1)
            v = mat.new_empty(w).normal_(0, 1)
            self.register_buffer('_u', F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer('_v', F.normalize(v, dim=0, eps=self.eps))
            # (u and v start from 15 rounds, so the first sigma is already close)
            self._power_method(mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, mat: Tensor, n_power_iterations: int) -> None:
        # NOTE: u and v are updated in place (buffers shared with replicas stay current),
        # and forward multiplies by clones of them: a second forward before backward
        # (a GAN's D(real) - D(fake)) must not change what the first one saved.
        with no_grad():
            for _ in range(n_power_iterations):
                self._u = F.normalize(mv(mat, self._v), dim=0, eps=self.eps,
                                      out=self._u)
                self._v = F.normalize(mv(mat.t(), self._u), dim=0,
                                      eps=self.eps, out=self._v)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = vdot(u, mv(mat, v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        # (any weight is its own preimage: sigma is recomputed from it)
        return value


def spectral_norm(module: Module, name: str = 'weight', n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Divides ``module.<name>`` by its spectral norm (largest singular value), estimated
    by power iteration; ``dim`` (default 0, 1 for transposed convolutions) is the output
    dim of the weight seen as a matrix."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d)) else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
