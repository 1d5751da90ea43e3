"""Householder QR in LAPACK's compact form: torch.geqrf (the reflectors and their scales),
torch.linalg.householder_product / torch.orgqr (the product of the reflectors) and
torch.ormqr (that product times a matrix), each one graph node.

A reflector i (0-based) is H_i = I - tau_i v_i v_i^T with v_i zero above row i, 1 at row i
and A[i+1:, i] below (A's diagonal and upper triangle are not read), so H_i changes only rows
i and below. householder_product(A, tau) is the first n columns of H_0 H_1 ... H_{k-1}.

Backward of Q = H_0 ... H_{k-1} E (E the first columns of the identity), with G = dL/dQ:
dQ = sum_i L_i dH_i R_i E, L_i = H_0..H_{i-1}, R_i = H_{i+1}..H_{k-1}. With X_i = L_i^T G
and Q_i = R_i E, <G, L_i dH_i Q_i> = <M_i, dH_i>, M_i = X_i Q_i^T, and
dH_i = -dtau_i v v^T - tau_i (dv v^T + v dv^T), so
    dL/dtau_i = -(X_i^T v).(Q_i^T v),   dL/dv_i = -tau_i (X_i (Q_i^T v) + Q_i (X_i^T v)).
X_{i+1} = H_i X_i (H_i is symmetric) runs forward, Q_i = H_{i+1} Q_{i+1} backward: O(k m n).
"""
from __future__ import annotations

import numpy as np

from .. import return_types as _rt
from .._tensor import Tensor
from ._op import Op

__all__ = ['geqrf', 'householder_product', 'orgqr', 'ormqr']


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _dtype_name(t: Tensor) -> str:
    return t.type()[6:-6]


def _check_float(kernel: str, t: Tensor) -> None:
    if t._data.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype_name(t)}\'')


def _reflector(a: np.ndarray, i: int) -> np.ndarray:
    """v_i restricted to rows i.. (its leading 1 and A[i+1:, i]), for a batch."""
    v = a[..., i:, i].copy()
    v[..., 0] = 1
    return v


def _eye_cols(batch: tuple, m: int, n: int, dtype) -> np.ndarray:
    q = np.zeros(batch + (m, n), dtype)
    idx = np.arange(min(m, n))
    q[..., idx, idx] = 1
    return q


def _apply_reflectors(a: np.ndarray, tau: np.ndarray, q: np.ndarray, keep: bool = False):
    """H_0 ... H_{k-1} q, updating q in place (the last reflector first). With ``keep``,
    also the list of Q_i (q before H_i is applied), for the backward."""
    states = [None] * tau.shape[-1] if keep else None
    for i in range(tau.shape[-1] - 1, -1, -1):
        if keep:
            states[i] = q[..., i:, :].copy()
        v = _reflector(a, i)
        w = np.matmul(v[..., None, :], q[..., i:, :])
        q[..., i:, :] -= (tau[..., i, None, None] * v[..., :, None]) * w
    return states


def _product_backward(a, tau, g, ncols: int, needs):
    """(dL/dA, dL/dtau) of Q = (H_0 ... H_{k-1})[:, :ncols] given G = dL/dQ."""
    m, k = a.shape[-2], tau.shape[-1]
    batch = a.shape[:-2]
    dtype = np.result_type(a.dtype, g.dtype)
    qs = _apply_reflectors(a, tau, _eye_cols(batch, m, ncols, dtype), keep=True)
    x = np.array(g, dtype=dtype, copy=True)
    ga = np.zeros(a.shape, dtype) if needs[0] else None
    gtau = np.zeros(tau.shape, dtype) if needs[1] else None
    for i in range(k):
        v = _reflector(a, i)
        qi, xi = qs[i], x[..., i:, :]
        qv = np.matmul(v[..., None, :], qi)[..., 0, :]      # Q_i^T v
        xv = np.matmul(v[..., None, :], xi)[..., 0, :]      # X_i^T v
        t = tau[..., i]
        if ga is not None:
            gv = (np.matmul(xi[..., 1:, :], qv[..., :, None])
                  + np.matmul(qi[..., 1:, :], xv[..., :, None]))[..., 0]
            ga[..., i + 1:, i] = -t[..., None] * gv
        if gtau is not None:
            gtau[..., i] = -(xv * qv).sum(-1)
        xi -= (t[..., None, None] * v[..., :, None]) * xv[..., None, :]
    return ga, gtau


class Geqrf(Op):
    _name = 'GeqrfBackward0'

    def forward(self, a):
        m, n = a.shape[-2:]
        k = min(m, n)
        if k == 0:
            return a.copy(), np.zeros(a.shape[:-2] + (0,), a.dtype)
        h, tau = np.linalg.qr(a, mode='raw')
        # (LAPACK's column-major result comes back transposed)
        h = np.ascontiguousarray(_mT(h))
        return h.astype(a.dtype, copy=False), tau.astype(a.dtype, copy=False)

    def backward(self, ga, gtau=None):
        raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


def geqrf(input: Tensor):
    """LAPACK's geqrf: the QR decomposition of ``input`` (*, m, n) in compact form, ``a``
    holding R on and above its diagonal and the Householder vectors below it, ``tau`` (*,
    min(m, n)) their scales. Not differentiable (its backward raises, as PyTorch's)."""
    if input.dim() < 2:
        raise RuntimeError('torch.geqrf: input must have at least 2 dimensions.')
    _check_float('geqrf_cpu', input)
    a, tau = Geqrf().apply(input)
    return _rt.geqrf(a, tau)


class HouseholderProduct(Op):
    _name = 'LinalgHouseholderProductBackward0'
    checks = (0, 1)

    def forward(self, a, tau):
        q = _eye_cols(a.shape[:-2], a.shape[-2], a.shape[-1], a.dtype)
        _apply_reflectors(a, tau, q)
        return q

    def backward(self, g):
        a, tau = self.inputs[0]._data, self.inputs[1]._data
        if a.size == 0 or tau.size == 0:
            return None, None       # (no gradient at all, as PyTorch's undefined one)
        return _product_backward(a, tau, g, a.shape[-1], self.needs)


def _check_batch(name: str, what: str, t: Tensor, input: Tensor) -> None:
    if t.shape[:-2 if what == 'other' else -1] != input.shape[:-2]:
        got = list(t.shape[:-2 if what == 'other' else -1])
        raise RuntimeError(f'{name}: Expected batch dimensions of {what} to be equal to '
                           f'input.shape[:-2], but got {got}')


def householder_product(input: Tensor, tau: Tensor) -> Tensor:
    """The first n columns of H_0 H_1 ... H_{k-1}, the product of the Householder reflectors
    I - tau_i v_i v_i^T whose vectors v_i are the columns of ``input`` (*, m, n) below the
    diagonal (with an implicit 1 on it); ``tau`` is (*, k), k <= n <= m."""
    name = 'torch.linalg.householder_product'
    if input.dim() < 2:
        raise RuntimeError(f'{name}: input must have at least 2 dimensions.')
    if input.shape[-2] < input.shape[-1]:
        raise RuntimeError(f'{name}: input.shape[-2] must be greater than or equal to '
                           'input.shape[-1]')
    if tau.dim() == 0:
        raise IndexError('Dimension specified as -1 but tensor has no dimensions')
    if input.shape[-1] < tau.shape[-1]:
        raise RuntimeError(f'{name}: input.shape[-1] must be greater than or equal to '
                           'tau.shape[-1]')
    if input.dim() - tau.dim() != 1:
        raise RuntimeError(f'{name}: Expected tau to have one dimension less than input, but '
                           f'got tau.ndim equal to {tau.dim()} and input.ndim is equal to '
                           f'{input.dim()}')
    _check_batch(name, 'tau', tau, input)
    if tau.dtype != input.dtype:
        raise RuntimeError(f'{name}: tau dtype {_dtype_name(tau)} does not match input dtype '
                           f'{_dtype_name(input)}')
    _check_float('orgqr_cpu', input)
    return HouseholderProduct().apply(input, tau)


def orgqr(input: Tensor, tau: Tensor) -> Tensor:
    """``torch.orgqr``: an alias of torch.linalg.householder_product."""
    return householder_product(input, tau)


class Ormqr(Op):
    _name = 'OrmqrBackward0'
    checks = (0, 1, 2)

    def __init__(self, left: bool, transpose: bool):
        self.left = left
        self.transpose = transpose

    def _q(self, a, tau):
        m = a.shape[-2]
        q = _eye_cols(a.shape[:-2], m, m, a.dtype)
        _apply_reflectors(a, tau, q)
        return q

    def forward(self, a, tau, c):
        q = self._q(a, tau)
        op = _mT(q) if self.transpose else q
        return np.matmul(op, c) if self.left else np.matmul(c, op)

    def backward(self, g):
        a, tau, c = (t._data for t in self.inputs)
        gc = None
        if self.needs[2]:
            opt = self._q(a, tau)
            opt = opt if self.transpose else _mT(opt)
            gc = np.matmul(opt, g) if self.left else np.matmul(g, opt)
        ga = gtau = None
        if (self.needs[0] or self.needs[1]) and a.size and tau.size:
            # (the gradient of op(Q), then of Q itself)
            gop = np.matmul(g, _mT(c)) if self.left else np.matmul(_mT(c), g)
            gq = _mT(gop) if self.transpose else gop
            ga, gtau = _product_backward(a, tau, gq, a.shape[-2], self.needs)
        return ga, gtau, gc


def ormqr(input: Tensor, tau: Tensor, other: Tensor, left: bool = True,
          transpose: bool = False) -> Tensor:
    """op(Q) @ other (``left``) or other @ op(Q), op(Q) = Q^T with ``transpose``, where Q
    (m, m) is the full product of the Householder reflectors stored in ``input`` (*, m, k)
    and ``tau`` (*, min(m, k)), as geqrf returns them."""
    name = 'torch.ormqr'
    if input.dim() < 2:
        raise RuntimeError(f'{name}: input must have at least 2 dimensions.')
    if other.dim() < 2:
        raise RuntimeError(f'{name}: other must have at least 2 dimensions.')
    side = -2 if left else -1
    if other.shape[side] != input.shape[-2]:
        raise RuntimeError(f'{name}: other.shape[{side}] must be equal to input.shape[-2]')
    if tau.dim() == 0 or tau.shape[-1] != min(other.shape[side], input.shape[-1]):
        raise RuntimeError(f'{name}: tau.shape[-1] must be equal to min(other.shape[{side}], '
                           'input.shape[-1])')
    if input.dim() - tau.dim() != 1:
        raise RuntimeError(f'{name}: Expected tau to have one dimension less than input, but '
                           f'got tau.ndim equal to {tau.dim()} and input.ndim is equal to '
                           f'{input.dim()}')
    if input.dim() != other.dim():
        raise RuntimeError(f'{name}: Expected other to have the same number of dimensions as '
                           f'input, but got other.ndim equal to {other.dim()} and input.ndim '
                           f'is equal to {input.dim()}')
    _check_batch(name, 'tau', tau, input)
    _check_batch(name, 'other', other, input)
    for what, t in (('other', other), ('tau', tau)):
        if t.dtype != input.dtype:
            # (PyTorch's message has no space after "dtype" here)
            raise RuntimeError(f'{name}: Expected input and {what} to have the same dtype, but '
                               f'input has dtype{_dtype_name(input)} and {what} has dtype '
                               f'{_dtype_name(t)}')
    _check_float('ormqr_cpu', input)
    return Ormqr(left, transpose).apply(input, tau, other)
