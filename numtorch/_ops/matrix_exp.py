"""torch.linalg.matrix_exp (and torch.matrix_exp / Tensor.matrix_exp): one
LinalgMatrixExpBackward0 node.

Forward, as PyTorch's: a Taylor polynomial with scaling and squaring. A matrix whose 1-norm
exceeds theta (where the degree-18 polynomial is accurate to the dtype's rounding) is divided
by 2^s to bring it under, and the result squared s times.
Backward: the gradient of exp at A applied to G is the upper-right block of
exp([[A^T, G], [0, A^T]]) (the Fréchet derivative of exp, adjoint form), so backward is one
matrix_exp of a doubled matrix, and double backward differentiates that same op.
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ._op import Op
from .decomposition import _square

__all__ = ['matrix_exp']

# (PyTorch's bounds on the 1-norm for its degree-18 Taylor polynomial)
_THETA = {np.dtype(np.float64): 1.090863719290036e+00, np.dtype(np.float32): 3.010066362817634,
          np.dtype(np.float16): 3.010066362817634}
_COEFS = [1 / math.factorial(k) for k in range(19)]


def _expm(a: np.ndarray) -> np.ndarray:
    n = a.shape[-1]
    if a.size == 0:
        return a.copy()
    norm = np.abs(a).sum(-2).max(-1)
    with np.errstate(divide='ignore'):
        s = np.maximum(0, np.ceil(np.log2(norm / _THETA[a.dtype]))).astype(np.int64)
    s = np.where(np.isfinite(norm), s, 0)
    x = a / np.exp2(s).astype(a.dtype)[..., None, None]
    eye = np.eye(n, dtype=a.dtype)
    # Horner's rule in x for sum_k x^k / k!
    y = x * a.dtype.type(_COEFS[18])
    for c in _COEFS[17:0:-1]:
        y = x @ (y + eye * a.dtype.type(c))
    y = y + eye
    for k in range(int(s.max(initial=0))):
        sq = y @ y
        y = np.where((k < s)[..., None, None], sq, y)
    return y.astype(a.dtype, copy=False)


def _block(a: np.ndarray, g: np.ndarray) -> np.ndarray:
    """[[A^T, G], [0, A^T]]."""
    n = a.shape[-1]
    at = np.swapaxes(a, -1, -2)
    m = np.zeros(a.shape[:-2] + (2 * n, 2 * n), a.dtype)
    m[..., :n, :n] = at
    m[..., n:, n:] = at
    m[..., :n, n:] = g
    return m


class MatrixExp(Op):
    _name = 'LinalgMatrixExpBackward0'
    checks = (0,)

    def forward(self, a):
        self.saved = a
        return _expm(a)

    def backward(self, gy):
        a = self.saved
        n = a.shape[-1]
        return _expm(_block(a, gy))[..., :n, n:]

    def backward_t(self, gy):
        from .shape import cat
        from .creation import zeros_like
        a = self.inputs[0]
        n = a.shape[-1]
        at = a.mT
        top = cat([at, gy], -1)
        bottom = cat([zeros_like(at), at], -1)
        return matrix_exp(cat([top, bottom], -2))[..., :n, n:]


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential sum_k A^k / k! of square matrices (batched)."""
    _square('linalg.matrix_exp', A)
    return MatrixExp().apply1(A)
