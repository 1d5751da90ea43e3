"""Matrix products: mm, matmul (every broadcasting case), bmm, dot, mv, outer, addmm,
the fused linear layer, einsum, and a few small linear-algebra functions."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap, _type_word
from .._dtype import NP2DT
from .complex import cj
from ._op import Op, unbroadcast, unbroadcast_t, cast

__all__ = ['mm', 'matmul', 'bmm', 'dot', 'inner', 'mv', 'outer', 'addmm', 'addmv', 'baddbmm',
           'addbmm', 'addr', 'linear', 'bilinear', 'einsum', 'det', 'inverse', 'tensordot', 'kron',
           'trace', 'cdist', 'dist']

_TYPE = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'int64': 'long int',
         'int32': 'int', 'int16': 'short int', 'int8': 'signed char', 'uint8': 'unsigned char',
         'bool': 'bool', 'complex64': 'c10::complex<float>',
         'complex128': 'c10::complex<double>'}


def _same_dtype(a: Tensor, b: Tensor) -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f'expected m1 and m2 to have the same dtype, but got: '
                           f'{_TYPE[a._data.dtype.name]} != {_TYPE[b._data.dtype.name]}')


def _mT(a: np.ndarray) -> np.ndarray:
    return a.swapaxes(-1, -2)


class Matmul(Op):
    """``a @ b`` for a, b of at least 2 dims (batched dims broadcast)."""
    _name = 'MmBackward0'
    complex_ok = True
    checks = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return a @ b

    def backward(self, gy):
        a, b = self.saved
        n = self.needs
        ga = unbroadcast(gy @ _mT(cj(b)), a.shape) if n[0] else None
        gb = unbroadcast(_mT(cj(a)) @ gy, b.shape) if n[1] else None
        return ga, gb

    def backward_t(self, gy):
        a, b = self.inputs
        return (unbroadcast_t(gy @ b.mT, a.shape), unbroadcast_t(a.mT @ gy, b.shape))


class Dot(Op):
    _name = 'DotBackward0'
    complex_ok = True
    checks = (0, 1)

    def forward(self, a, b):
        self.saved = (a, b)
        return np.dot(a, b)

    def backward(self, gy):
        a, b = self.saved
        return gy * cj(b), gy * cj(a)

    def backward_t(self, gy):
        a, b = self.inputs
        return gy * b, gy * a


class Mv(Op):
    _name = 'MvBackward0'
    complex_ok = True
    checks = (0, 1)

    def forward(self, m, v):
        self.saved = (m, v)
        return m @ v

    def backward(self, gy):
        m, v = self.saved
        n = self.needs
        return (np.outer(gy, cj(v)) if n[0] else None, gy @ cj(m) if n[1] else None)

    def backward_t(self, gy):
        m, v = self.inputs
        return outer(gy, v), gy @ m


class VecMat(Op):
    """1-D @ 2-D."""
    _name = 'SqueezeBackward4'
    complex_ok = True
    checks = (0, 1)

    def forward(self, v, m):
        self.saved = (v, m)
        return v @ m

    def backward(self, gy):
        v, m = self.saved
        n = self.needs
        return (cj(m) @ gy if n[0] else None, np.outer(cj(v), gy) if n[1] else None)

    def backward_t(self, gy):
        v, m = self.inputs
        return m @ gy, outer(v, gy)


class BatchVec(Op):
    """N-D @ 1-D or 1-D @ N-D (N > 2), via the 2-D case with a unit dim."""
    _name = 'UnsafeViewBackward0'

    def __init__(self, left_vec):
        self.left_vec = left_vec

    def forward(self, a, b):
        self.saved = (a, b)
        return a @ b

    def backward(self, gy):
        a, b = self.saved
        if self.left_vec:
            g = gy[..., None, :]
            ga = unbroadcast((g @ _mT(b))[..., 0, :], a.shape)
            gb = unbroadcast(a[:, None] * g, b.shape)
        else:
            g = gy[..., None]
            ga = unbroadcast(g * b, a.shape)
            gb = unbroadcast((_mT(a) @ g)[..., 0], b.shape)
        return ga, gb

    def backward_t(self, gy):
        a, b = self.inputs
        if self.left_vec:
            g = gy.unsqueeze(-2)
            return (unbroadcast_t((g @ b.mT).squeeze(-2), a.shape),
                    unbroadcast_t(a.unsqueeze(1) * g, b.shape))
        g = gy.unsqueeze(-1)
        return unbroadcast_t(g * b, a.shape), unbroadcast_t((a.mT @ g).squeeze(-1), b.shape)


class Addmm(Op):
    """``beta * input + alpha * (mat1 @ mat2)``."""
    _name = 'AddmmBackward0'
    complex_ok = True
    checks = (1, 2)

    def __init__(self, beta, alpha):
        self.beta = beta
        self.alpha = alpha

    def forward(self, c, a, b):
        self.saved = (a, b)
        self.sc = c.shape
        if self.alpha == 0:
            # a GEMM with alpha == 0 never reads mat1 and mat2 (their NaNs vanish)
            y = np.zeros((a.shape[0], b.shape[1]), np.result_type(a, b))
        else:
            y = a @ b
            if self.alpha != 1:
                y *= self.alpha
        if self.beta == 0:
            return y
        y += c if self.beta == 1 else self.beta * c
        return y

    def backward(self, gy):
        a, b = self.saved
        n = self.needs
        # (complex operands: conjugates, PyTorch's convention; a no-op for real ones)
        g = gy if self.alpha == 1 else gy * self.alpha.conjugate()
        gc = None
        if n[0]:
            gc = unbroadcast(gy if self.beta == 1 else gy * self.beta.conjugate(), self.sc)
        return (gc, g @ cj(b).T if n[1] else None, cj(a).T @ g if n[2] else None)

    def backward_t(self, gy):
        c, a, b = self.inputs
        g = gy * self.alpha
        return (unbroadcast_t(gy * self.beta, self.sc), g @ b.t(), a.t() @ g)


class Linear(Op):
    """``x @ W.T + b`` over the last dim of x: one GEMM forward, two backward."""
    _name = 'AddmmBackward0'
    complex_ok = True
    checks = (0, 1)

    def forward(self, x, W, b=None):
        self.saved = (x, W)
        self.has_bias = b is not None
        if x.ndim == 2:
            y = x @ W.T
        else:
            y = (x.reshape(-1, x.shape[-1]) @ W.T).reshape(x.shape[:-1] + (W.shape[0],))
        if b is not None:
            y += b
        return y

    def backward(self, gy):
        x, W = self.saved
        n = self.needs
        g2 = gy if gy.ndim == 2 else gy.reshape(-1, gy.shape[-1])
        gx = None
        if n[0]:
            gx = g2 @ cj(W)
            if gy.ndim != 2:
                gx = gx.reshape(x.shape)
        gW = None
        if n[1]:
            x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
            gW = g2.T @ cj(x2)
        if not self.has_bias:
            return gx, gW
        return gx, gW, (g2.sum(0) if n[2] else None)

    def backward_t(self, gy):
        x, W = self.inputs[:2]
        gx = gy @ W
        g2 = gy.reshape(-1, gy.shape[-1])
        gW = g2.t() @ x.reshape(-1, x.shape[-1])
        if not self.has_bias:
            return gx, gW
        return gx, gW, g2.sum(0)


# -- public functions ------------------------------------------------------------------
def mm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Matrix product of two 2-D tensors."""
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError('self must be a matrix')
    if b.ndim != 2:
        raise RuntimeError('mat2 must be a matrix')
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]}'
                           f' and {b.shape[0]}x{b.shape[1]})')
    _same_dtype(input, mat2)
    r = Matmul().apply2(input, mat2)
    return r if out is None else _out(r, out)


def matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Matrix product with NumPy's ``matmul`` semantics: vectors, matrices and broadcast
    batches of matrices."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(f'matmul(): argument must be Tensor, not '
                        f'{type(other if isinstance(input, Tensor) else input).__name__}')
    a, b = input._data, other._data
    na, nb = a.ndim, b.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f'both arguments to matmul need to be at least 1D, but they are '
                           f'{na}D and {nb}D')
    _same_dtype(input, other)
    if na == 1 and nb == 1:
        r = dot(input, other)
    elif na == 2 and nb == 2:
        r = mm(input, other)
    elif na == 2 and nb == 1:
        r = mv(input, other)
    elif na == 1 and nb == 2:
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied (1x{a.shape[0]} and '
                               f'{b.shape[0]}x{b.shape[1]})')
        r = VecMat().apply2(input, other)
    else:
        if na == 1 or nb == 1:
            k_a = a.shape[-1]
            k_b = b.shape[0] if nb == 1 else b.shape[-2]
            if k_a != k_b:
                sa = f'1x{k_a}' if na == 1 else f'{int(np.prod(a.shape[:-1]))}x{k_a}'
                sb = f'{k_b}x1' if nb == 1 else f'{k_b}x{b.shape[-1]}'
                raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})')
            r = BatchVec(na == 1).apply2(input, other)
        else:
            if a.shape[-1] != b.shape[-2]:
                if na == 3 and nb == 3 and a.shape[0] == b.shape[0]:
                    raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor '
                                       f'to be: [{b.shape[0]}, {a.shape[-1]}] but got: '
                                       f'[{b.shape[0]}, {b.shape[-2]}].')
                raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied '
                                   f'({int(np.prod(a.shape[:-1]))}x{a.shape[-1]} and '
                                   f'{b.shape[-2]}x{b.shape[-1]})')
            try:
                np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
            except ValueError:
                from ._op import broadcast_error
                broadcast_error(a.shape[:-2], b.shape[:-2])
            op = Matmul()
            # PyTorch's last node: a batched product is viewed back (UnsafeView), except
            # that a matrix (or a single-batch 3-D) left operand that requires grad is
            # folded into the batch of the right one and the result copied back
            # transposed (Clone).
            flat_left = na == 2 or (na == 3 and nb == 3 and a.shape[0] == 1 < b.shape[0])
            op._name = ('CloneBackward0' if flat_left and input.requires_grad
                        else 'UnsafeViewBackward0')
            r = op.apply2(input, other)
    return r if out is None else _out(r, out)


def bmm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Batched matrix product of two 3-D tensors with equal batch sizes."""
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError('batch1 must be a 3D tensor')
    if b.ndim != 3:
        raise RuntimeError('batch2 must be a 3D tensor')
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: '
                           f'[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].')
    _same_dtype(input, mat2)
    op = Matmul()
    op._name = 'BmmBackward0'
    r = op.apply2(input, mat2)
    return r if out is None else _out(r, out)


def dot(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Inner product of two 1-D tensors."""
    a, b = input._data, other._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f'1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors')
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f'inconsistent tensor size, expected tensor [{a.shape[0]}] and src '
                           f'[{b.shape[0]}] to have the same number of elements, but got '
                           f'{a.shape[0]} and {b.shape[0]} elements respectively')
    _same_dtype(input, other)
    r = Dot().apply2(input, other)
    return r if out is None else _out(r, out)


def vdot(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``sum(conj(input) * other)`` of two 1-D tensors (``dot`` for real tensors)."""
    if input._data.dtype.kind == 'c':
        from .complex import conj
        input = conj(input)
    return dot(input, other, out=out)


def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sum-product over the last dims (``dot`` for vectors)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    if input._data.ndim == 1 and other._data.ndim == 1:
        return dot(input, other)
    return matmul(input, other.transpose(-1, -2) if other._data.ndim > 1 else other)


def mv(input: Tensor, vec: Tensor, *, out=None) -> Tensor:
    """Matrix-vector product."""
    a, b = input._data, vec._data
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f'vector + matrix @ vector expected, got {a.ndim}, {a.ndim}, '
                           f'{b.ndim}')
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f'size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x'
                           f'{a.shape[1]}), vec ({b.shape[0]})')
    _same_dtype(input, vec)
    r = Mv().apply2(input, vec)
    return r if out is None else _out(r, out)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two 1-D tensors."""
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)`` as one op."""
    a, b = mat1._data, mat2._data
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError('mat1 must be a matrix, got ' + f'{a.ndim}-D tensor')
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]}'
                           f' and {b.shape[0]}x{b.shape[1]})')
    _same_dtype(mat1, mat2)
    r = Addmm(beta, alpha).apply(input, mat1, mat2)
    return r if out is None else _out(r, out)


_NAMES = {'mv': 'Addmv', 'r': 'Addr', 'bmm': 'Baddbmm', 'sumbmm': 'Addbmm'}


class AddProduct(Op):
    """``beta * input + alpha * product(a, b)`` for addmv (``a @ b``, matrix-vector), addr
    (outer product), baddbmm (batched ``a @ b``) and addbmm (batched ``a @ b`` summed over
    the batch, done as one GEMM): one node each, as in PyTorch."""
    checks = (1, 2)

    def __init__(self, kind: str, beta, alpha, npdt):
        self.kind = kind
        self._name = _NAMES[kind] + 'Backward0'
        self.beta = beta
        self.alpha = alpha
        self.npdt = npdt

    def _product(self, a, b):
        k = self.kind
        if k == 'r':
            return np.multiply.outer(a, b)
        if k == 'sumbmm':
            # sum_i a[i] @ b[i] == [a[0] | a[1] | ...] @ [b[0]; b[1]; ...]
            return a.transpose(1, 0, 2).reshape(a.shape[1], -1) @ b.reshape(-1, b.shape[2])
        return a @ b

    def forward(self, c, a, b):
        dt = self.npdt
        self.dts = (c.dtype, a.dtype, b.dtype)
        c, a, b = c.astype(dt, copy=False), a.astype(dt, copy=False), b.astype(dt, copy=False)
        self.saved = (a, b)
        self.sc = c.shape
        alpha, beta = self.alpha, self.beta
        k = self.kind
        if dt == np.bool_:
            p = self._product(a, b) if alpha else None
            y = np.broadcast_to(c, self._shape(a, b)).copy() if beta else None
            if y is None:
                return p if p is not None else np.zeros(self._shape(a, b), np.bool_)
            return y if p is None else (y | p)
        # NOTE: a BLAS product (addmv, addbmm) with alpha == 0 never reads a and b, so NaNs
        # there vanish; the elementwise outer product and the batched GEMM keep them.
        if alpha == 0 and k in ('mv', 'sumbmm'):
            y = np.zeros(self._shape(a, b), dt)
        else:
            y = self._product(a, b)
            if alpha != 1:
                y = y * np.asarray(alpha, dt)
        if beta == 0:
            # beta == 0 ignores input, NaNs included
            return y
        y += c if beta == 1 else c * np.asarray(beta, dt)
        return y

    def _shape(self, a, b) -> tuple:
        k = self.kind
        if k == 'mv':
            return (a.shape[0],)
        if k == 'r':
            return (a.shape[0], b.shape[0])
        if k == 'sumbmm':
            return (a.shape[1], b.shape[2])
        return (a.shape[0], a.shape[1], b.shape[2])

    def backward(self, gy):
        a, b = self.saved
        n = self.needs
        dc, da, db = self.dts
        k = self.kind
        gc = ga = gb = None
        if n[0]:
            gc = unbroadcast(gy if self.beta == 1 else gy * self.beta, self.sc).astype(dc)
        g = gy if self.alpha == 1 else gy * self.alpha
        if k == 'mv':
            ga = np.multiply.outer(g, b) if n[1] else None
            gb = a.T @ g if n[2] else None
        elif k == 'r':
            ga = g @ b if n[1] else None
            gb = g.T @ a if n[2] else None
        else:
            # batched: for addbmm g is one matrix, broadcast against every batch
            ga = g @ _mT(b) if n[1] else None
            gb = _mT(a) @ g if n[2] else None
        return (gc, None if ga is None else ga.astype(da, copy=False),
                None if gb is None else gb.astype(db, copy=False))

    def backward_t(self, gy):
        c, a, b = self.inputs
        dc, da, db = (NP2DT[d] for d in self.dts)
        k = self.kind
        g = gy * self.alpha
        if k == 'mv':
            ga, gb = outer(g, b), a.t() @ g
        elif k == 'r':
            ga, gb = g @ b, g.t() @ a
        else:
            ga, gb = g @ b.mT, a.mT @ g
        return (unbroadcast_t(gy * self.beta, self.sc).to(dc), ga.to(da), gb.to(db))


def _scalars(name: str, npdt, beta, alpha, int_floats_ok: bool):
    """beta and alpha as PyTorch takes them: truncated to int for an integral result (addr
    refuses a float there), and booleans only for a boolean result (addr)."""
    if npdt == np.bool_:
        return bool(beta), bool(alpha)
    if name == 'addr':
        for what, v in (('beta', beta), ('alpha', alpha)):
            if isinstance(v, bool):
                raise RuntimeError(f'Boolean {what} only supported for Boolean results.')
    if npdt.kind in 'iu':
        for what, v in (('beta', beta), ('alpha', alpha)):
            if isinstance(v, float) and not int_floats_ok:
                raise RuntimeError(f'For integral input tensors, argument {what} must not be a '
                                   f'floating point number.')
        return int(beta), int(alpha)
    return beta, alpha


def _expand_check(c: np.ndarray, shape: tuple) -> None:
    """PyTorch's expand error when ``input`` does not broadcast to the product's shape."""
    if c.ndim > len(shape):
        raise RuntimeError(f'expand(torch.{_type_word(c.dtype)}Tensor{{{list(c.shape)}}}, '
                           f'size={list(shape)}): the number of sizes provided ({len(shape)}) '
                           f'must be greater or equal to the number of dimensions in the '
                           f'tensor ({c.ndim})')
    off = len(shape) - c.ndim
    for i in range(c.ndim - 1, -1, -1):
        if c.shape[i] != 1 and c.shape[i] != shape[off + i]:
            raise RuntimeError(f'The expanded size of the tensor ({shape[off + i]}) must match '
                               f'the existing size ({c.shape[i]}) at non-singleton dimension '
                               f'{off + i}.  Target sizes: {list(shape)}.  Tensor sizes: '
                               f'{list(c.shape)}')


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat @ vec)`` as one op (AddmvBackward0)."""
    c, a, b = input._data, mat._data, vec._data
    if not (a.ndim == 2 and b.ndim == 1 and c.ndim <= 1):
        raise RuntimeError(f'vector + matrix @ vector expected, got {c.ndim}, {a.ndim}, '
                           f'{b.ndim}')
    if a.shape[1] != b.shape[0] or (c.ndim == 1 and c.shape[0] not in (1, a.shape[0])):
        raise RuntimeError(f'size mismatch, got input ({c.shape[0] if c.ndim else 1}), mat '
                           f'({a.shape[0]}x{a.shape[1]}), vec ({b.shape[0]})')
    if not c.dtype == a.dtype == b.dtype:
        raise RuntimeError(f'addmv input tensors must have the same dtype, but got '
                           f'{_type_word(c.dtype)}, {_type_word(a.dtype)}, and '
                           f'{_type_word(b.dtype)}')
    beta, alpha = _scalars('addmv', c.dtype, beta, alpha, True)
    r = AddProduct('mv', beta, alpha, c.dtype).apply(input, mat, vec)
    return r if out is None else _out(r, out)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)`` as one op (AddrBackward0); the three
    dtypes promote as an elementwise op's."""
    c, a, b = input._data, vec1._data, vec2._data
    if a.ndim != 1:
        raise RuntimeError(f'addr: Expected 1-D argument vec1, but got {a.ndim}-D')
    if b.ndim != 1:
        raise RuntimeError(f'addr: Expected 1-D argument vec2, but got {b.ndim}-D')
    _expand_check(c, (a.shape[0], b.shape[0]))
    from .._dtype import result_dtype
    dt = result_dtype((input, vec1, vec2)).np
    beta, alpha = _scalars('addr', dt, beta, alpha, False)
    r = AddProduct('r', beta, alpha, dt).apply(input, vec1, vec2)
    return r if out is None else _out(r, out)


def _check_batches(a: np.ndarray, b: np.ndarray) -> None:
    if a.ndim != 3:
        raise RuntimeError('batch1 must be a 3D tensor')
    if b.ndim != 3:
        raise RuntimeError('batch2 must be a 3D tensor')


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1,
            out=None) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)`` as one op (BaddbmmBackward0)."""
    c, a, b = input._data, batch1._data, batch2._data
    _check_batches(a, b)
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: '
                           f'[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].')
    if a.dtype != b.dtype:
        raise RuntimeError(f'expected scalar type {_type_word(a.dtype)} but found '
                           f'{_type_word(b.dtype)}')
    if c.dtype != a.dtype:
        raise RuntimeError(f'Input dtypes must be the same, got: input {_TYPE[c.dtype.name]}, '
                           f'batch1: {_TYPE[a.dtype.name]}, batch2: {_TYPE[b.dtype.name]}')
    _expand_check(c, (a.shape[0], a.shape[1], b.shape[2]))
    beta, alpha = _scalars('baddbmm', c.dtype, beta, alpha, True)
    r = AddProduct('bmm', beta, alpha, c.dtype).apply(input, batch1, batch2)
    return r if out is None else _out(r, out)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1,
           out=None) -> Tensor:
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]`` as one op (AddbmmBackward0)."""
    c, a, b = input._data, batch1._data, batch2._data
    _check_batches(a, b)
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f'batch1 and batch2 must have same number of batches, got '
                           f'{a.shape[0]} and {b.shape[0]}')
    if a.shape[2] != b.shape[1]:
        raise RuntimeError(f'Incompatible matrix sizes for bmm ({a.shape[1]}x{a.shape[2]} and '
                           f'{b.shape[1]}x{b.shape[2]})')
    for x in (a, b):
        if x.dtype != c.dtype:
            raise RuntimeError(f'self and mat2 must have the same dtype, but got '
                               f'{_type_word(c.dtype)} and {_type_word(x.dtype)}')
    _expand_check(c, (a.shape[1], b.shape[2]))
    beta, alpha = _scalars('addbmm', c.dtype, beta, alpha, True)
    r = AddProduct('sumbmm', beta, alpha, c.dtype).apply(input, batch1, batch2)
    return r if out is None else _out(r, out)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``, one GEMM (``torch.nn.functional.linear``)."""
    x, W = input._data, weight._data
    if W.ndim != 2 or x.ndim == 0 or x.shape[-1] != W.shape[1]:
        if W.ndim == 2 and x.ndim >= 1:
            rows = int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
            raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({rows}x'
                               f'{x.shape[-1]} and {W.shape[1]}x{W.shape[0]})')
        if W.ndim == 1 and x.ndim >= 1 and x.shape[-1] == W.shape[0]:
            r = matmul(input, weight)
            return r if bias is None else r + bias
        raise RuntimeError(f'both arguments to linear need to be at least 1D, but they are '
                           f'{x.ndim}D and {W.ndim}D')
    if x.dtype != W.dtype:
        raise RuntimeError(f'mat1 and mat2 must have the same dtype, but got '
                           f'{_type_word(x.dtype)} and {_type_word(W.dtype)}')
    op = Linear()
    if bias is None:
        if x.ndim != 2:
            # PyTorch's grad_fn names for the non-2-D cases.
            op._name = 'SqueezeBackward4' if x.ndim == 1 else 'UnsafeViewBackward0'
        else:
            op._name = 'MmBackward0'
        return op.apply2(input, weight)
    if x.ndim != 2:
        op._name = 'ViewBackward0'
    if bias._data.dtype != x.dtype:
        bias = cast(bias, x.dtype)
    return op.apply(input, weight, bias)


class Einsum(Op):
    _name = 'EinsumBackward0'

    def __init__(self, ins, out):
        self.ins = ins
        self.out = out

    def forward(self, *xs):
        self.saved = xs
        return np.einsum(','.join(self.ins) + '->' + self.out, *xs, optimize=len(xs) > 2)

    def _plan(self, i: int, shape: tuple):
        """Operand i's gradient as an einsum of gy and the other operands: (equation, their
        positions, and (permutation, shape) to broadcast its result back where operand i
        has indices found nowhere else, or None)."""
        s = self.ins[i]
        if len(set(s)) != len(s):
            raise NotImplementedError('the gradient of einsum with a repeated index in one '
                                      'operand is not supported by numtorch')
        others = [j for j in range(len(self.ins)) if j != i]
        avail = set(self.out).union(*[set(self.ins[j]) for j in others])
        kept = ''.join(c for c in s if c in avail)
        eq = ','.join([self.out] + [self.ins[j] for j in others]) + '->' + kept
        back = None
        if kept != s:
            back = ([kept.index(c) for c in s if c in kept],
                    [shape[s.index(c)] if c in kept else 1 for c in s])
        return eq, others, back

    def _grads(self, gy, xs, product, broadcast) -> tuple:
        """Each needed operand's gradient: ``product(equation, gy, *others)``, then
        ``broadcast(g, back, x)`` where _plan says so (arrays or tensors alike)."""
        grads = []
        for i, x in enumerate(xs):
            if not self.needs[i]:
                grads.append(None)
                continue
            eq, others, back = self._plan(i, x.shape)
            g = product(eq, gy, *[xs[j] for j in others])
            grads.append(g if back is None else broadcast(g, back, x))
        return tuple(grads)

    def backward(self, gy):
        grads = self._grads(
            gy, self.saved, lambda eq, *a: np.einsum(eq, *a, optimize=len(a) > 2),
            lambda g, back, x: np.broadcast_to(g.transpose(back[0]).reshape(back[1]), x.shape))
        # (np.asarray(order='C'), not np.ascontiguousarray, which makes 0-d operands 1-d)
        grads = tuple(None if g is None else np.asarray(g, dtype=x.dtype, order='C')
                      for g, x in zip(grads, self.saved))
        return grads if len(grads) > 1 else grads[0]   # (one operand: one gradient, no tuple)

    def backward_t(self, gy):
        grads = self._grads(gy, self.inputs, einsum, lambda g, back, x:
                            g.permute(back[0]).reshape(back[1]).expand(x.shape))
        return grads if len(grads) > 1 else grads[0]


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """``y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j] + b[o]`` (``torch.bilinear``,
    which ``nn.functional.bilinear`` is): one einsum over the flattened batch."""
    d1, d2, w = input1._data, input2._data, weight._data
    ts = (('input1', d1), ('input2', d2), ('weight', w)) + (
        (('bias', bias._data),) if bias is not None else ())
    if len({d.dtype for _, d in ts}) > 1:
        raise RuntimeError('All tensors must have the same dtype, got ' + ', '.join(
            f'{n}: {_TYPE[d.dtype.name]}' for n, d in ts))
    if d1.ndim != d2.ndim:
        raise RuntimeError(f'bilinear(): input dimensions do not match: got {d1.ndim} and '
                           f'{d2.ndim}')
    for i in range(d1.ndim - 1):
        if d1.shape[i] != d2.shape[i]:
            raise RuntimeError(f'bilinear(): input batch dimensions do not match at dim {i}: '
                               f'got {d1.shape[i]} and {d2.shape[i]}')
    if d1.shape[-1] != w.shape[1]:
        raise RuntimeError(f'bilinear(): input1 size does not match weight size: got '
                           f'{d1.shape[-1]} but expected {w.shape[1]}')
    if w.ndim < 3 or d2.shape[-1] != w.shape[2]:
        raise RuntimeError(f'bilinear(): input2 size does not match weight size: got '
                           f'{d2.shape[-1]} but expected {w.shape[2] if w.ndim > 2 else 1}')
    if bias is not None and (bias._data.shape[:1] or (1,))[0] != w.shape[0]:
        raise RuntimeError(f'bilinear(): bias size does not match weight size: got '
                           f'{(bias._data.shape[:1] or (1,))[0]} but expected {w.shape[0]}')
    lead = d1.shape[:-1]
    x1 = input1.reshape(-1, w.shape[1])
    x2 = input2.reshape(-1, w.shape[2])
    y = einsum('ni,oij,nj->no', x1, weight, x2).reshape(*lead, w.shape[0])
    return y if bias is None else y + bias


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, e.g. ``einsum('ij,jk->ik', a, b)``."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = equation.replace(' ', '')
    lhs, arrow, rhs = eq.partition('->')
    ins = lhs.split(',')
    if len(ins) != len(operands):
        raise RuntimeError('einsum(): more operands were provided than specified in the '
                           'equation' if len(operands) > len(ins) else
                           'einsum(): fewer operands were provided than specified in the '
                           'equation')
    letters = [c for c in 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
               if c not in eq]
    ell_nd = max((o._data.ndim - (len(s) - 3) for s, o in zip(ins, operands) if '...' in s),
                 default=0)
    ell = ''.join(letters[:ell_nd])
    new_ins = []
    for s, o in zip(ins, operands):
        if '...' in s:
            k = o._data.ndim - (len(s) - 3)
            s = s.replace('...', ell[ell_nd - k:])
        if len(s) != o._data.ndim:
            raise RuntimeError(f'einsum(): the number of subscripts in the equation ({len(s)}) '
                               f'does not match the number of dimensions '
                               f'({o._data.ndim}) for operand {len(new_ins)}'
                               + (' and no ellipsis was given' if '...' not in s else ''))
        new_ins.append(s)
    if arrow:
        out = rhs.replace('...', ell)
    else:
        counts = {}
        for s in new_ins:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + ''.join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    from .._dtype import result_dtype
    dt = result_dtype(list(operands)).np
    ops = [cast(o, dt) for o in operands]
    return Einsum(new_ins, out).apply(*ops)


def tensordot(a: Tensor, b: Tensor, dims=2) -> Tensor:
    """Sum-product over the last ``dims`` dims of ``a`` and the first of ``b`` (or given pairs)."""
    if isinstance(dims, int):
        da = list(range(a._data.ndim - dims, a._data.ndim))
        db = list(range(dims))
    else:
        da, db = [list(d) if isinstance(d, (list, tuple)) else [d] for d in dims]
    la = 'abcdefghijklm'[:a._data.ndim]
    lb = list('nopqrstuvwxyz'[:b._data.ndim])
    for i, j in zip(da, db):
        lb[j] = la[i]
    lb = ''.join(lb)
    out = ''.join(c for i, c in enumerate(la) if i not in da) + ''.join(
        c for j, c in enumerate(lb) if j not in db)
    return einsum(f'{la},{lb}->{out}', a, b)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """Kronecker product."""
    a, b = input, other
    nd = max(a._data.ndim, b._data.ndim)
    a = a.reshape((1,) * (nd - a._data.ndim) + tuple(a.shape))
    b = b.reshape((1,) * (nd - b._data.ndim) + tuple(b.shape))
    sa, sb = a.shape, b.shape
    ai = a.reshape([x for s in sa for x in (s, 1)])
    bi = b.reshape([x for s in sb for x in (1, s)])
    return (ai * bi).reshape([x * y for x, y in zip(sa, sb)])


class Det(Op):
    _name = 'LinalgDetBackward0'
    checks = (0,)

    def forward(self, a):
        d = np.linalg.det(a).astype(a.dtype)
        self.saved = (a, d)
        return d

    def backward(self, gy):
        a, d = self.saved
        inv_t = np.swapaxes(np.linalg.inv(a), -1, -2)
        return (gy * d)[..., None, None] * inv_t

    def backward_t(self, gy):
        a, = self.inputs
        return (gy * det(a)).unsqueeze(-1).unsqueeze(-1) * inverse(a).mT


def det(input: Tensor) -> Tensor:
    """Determinant of square matrices (batched)."""
    return Det().apply1(input)


class Inverse(Op):
    _name = 'LinalgInvExBackward0'
    saves_out = True

    def forward(self, a):
        try:
            y = np.linalg.inv(a).astype(a.dtype)
        except np.linalg.LinAlgError:
            # NOTE: PyTorch names getrf's first zero pivot (1-based) and the first singular
            # matrix of a batch; NumPy's error says neither, so redo the LU to find them.
            from .lu import _check, _getrf, _LinAlgError
            _check('linalg.inv', _getrf(a)[2], lambda i: f'The diagonal element {i} is zero, '
                   'the inversion could not be completed because the input matrix is singular.')
            raise _LinAlgError('linalg.inv: The inversion could not be completed because the '
                               'input matrix is singular.') from None
        self.saved = y
        return y

    def backward(self, gy):
        y = self.saved
        yt = np.swapaxes(y, -1, -2)
        return -(yt @ gy @ yt)

    def backward_t(self, gy):
        yt = inverse(self.inputs[0]).mT
        return -(yt @ gy @ yt)


def inverse(input: Tensor) -> Tensor:
    """Inverse of square matrices (batched)."""
    return Inverse().apply1(input)


def _out(result: Tensor, out: Tensor) -> Tensor:
    from .._tensor import _write_out
    return _write_out(result, out)


class Trace(Op):
    """The sum of a matrix's diagonal."""
    _name = 'TraceBackward0'
    complex_ok = True

    def forward(self, a):
        self.shape = a.shape
        return np.asarray(np.trace(a), a.dtype if a.dtype.kind in 'fc' else np.int64)

    def backward(self, gy):
        g = np.zeros(self.shape, gy.dtype)
        np.fill_diagonal(g, gy)
        return g

    def backward_t(self, gy):
        from .creation import eye
        return gy * eye(*self.shape, dtype=gy.dtype)


def trace(input: Tensor) -> Tensor:
    """The sum of the diagonal of a 2-D tensor."""
    if input.dim() != 2:
        raise RuntimeError(f'trace: expected a matrix, but got tensor with dim {input.dim()}')
    return Trace().apply1(input)


class Cdist(Op):
    """The p-norm distances between the rows of x1 (..., P, M) and of x2 (..., R, M)."""
    _name = 'CdistBackward0'
    checks = (0, 1)

    def __init__(self, p: float):
        self.p = p

    def forward(self, x1, x2):
        self.shapes = (x1.shape, x2.shape)
        d = x1[..., :, None, :] - x2[..., None, :, :]
        p = self.p
        a = np.abs(d)
        if p == 2:
            y = np.sqrt((d * d).sum(-1))
        elif p == 1:
            y = a.sum(-1)
        elif p == 0:
            y = (a != 0).sum(-1).astype(d.dtype)
        elif p == np.inf:
            y = a.max(-1, initial=0)
        else:
            y = (a ** p).sum(-1) ** (1 / p)
        self.saved = (d, y)
        return y.astype(x1.dtype, copy=False)

    def backward(self, gy):
        d, y = self.saved
        p = self.p
        g, yk = gy[..., None], y[..., None]
        with np.errstate(divide='ignore', invalid='ignore'):
            if p == 0:
                gd = np.zeros_like(d)
            elif p == 1:
                gd = g * np.sign(d)
            elif p == 2:
                gd = np.where(yk == 0, 0, g * d / yk)
            elif p == np.inf:
                gd = g * np.sign(d) * (np.abs(d) == yk)
            else:
                gd = np.where((yk == 0) | (d == 0), 0,
                              g * np.sign(d) * np.abs(d) ** (p - 1) / yk ** (p - 1))
        gd = gd.astype(gy.dtype, copy=False)
        return unbroadcast(gd.sum(-2), self.shapes[0]), unbroadcast(-gd.sum(-3), self.shapes[1])


def _euclidean_cdist(x1: Tensor, x2: Tensor) -> Tensor:
    """PyTorch's matrix-product form of the 2-norm distances, |a|^2 - 2 a.b + |b|^2 (for
    the row counts where it uses it: faster, less exact near 0)."""
    from .creation import ones_like
    from .shape import cat
    n1, n2 = x1.pow(2).sum(-1, keepdim=True), x2.pow(2).sum(-1, keepdim=True)
    a = cat([x1.mul(-2), n1, ones_like(n1)], -1)
    b = cat([x2, ones_like(n2), n2], -1)
    r = matmul(a, b.mT)
    r.clamp_min_(1e-30).sqrt_()
    return r


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = 'use_mm_for_euclid_dist_if_necessary') -> Tensor:
    """The p-norm distance between each row of ``x1`` (B, P, M) and each row of ``x2``
    (B, R, M): a (B, P, R) tensor (batch dims broadcast)."""
    for name, t in (('X1', x1), ('X2', x2)):
        if t.dim() < 2:
            raise RuntimeError(f'cdist only supports at least 2D tensors, {name} got: '
                               f'{t.dim()}D')
    for name, t in (('X1', x1), ('X2', x2)):
        if t._data.dtype.kind != 'f':
            raise RuntimeError(f'cdist only supports floating-point dtypes, {name} got: '
                               f'{t.type()[6:-6]}')
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f'X1 and X2 must have the same number of columns. X1: '
                           f'{x1.shape[-1]} X2: {x2.shape[-1]}')
    if p < 0:
        raise RuntimeError('cdist only supports non-negative p values')
    if compute_mode not in ('use_mm_for_euclid_dist_if_necessary', 'use_mm_for_euclid_dist',
                            'donot_use_mm_for_euclid_dist'):
        raise ValueError(f'{compute_mode} is not a valid value for compute_mode')
    batch = np.broadcast_shapes(tuple(x1.shape[:-2]), tuple(x2.shape[:-2]))
    r1, r2, m = x1.shape[-2], x2.shape[-2], x1.shape[-1]
    use_mm = p == 2 and (compute_mode == 'use_mm_for_euclid_dist' or (
        compute_mode == 'use_mm_for_euclid_dist_if_necessary' and (r1 > 25 or r2 > 25)))
    if use_mm:
        nb = int(np.prod(batch)) if batch else 1
        a = x1.expand(batch + (r1, m)).reshape(nb, r1, m)
        b = x2.expand(batch + (r2, m)).reshape(nb, r2, m)
        return _euclidean_cdist(a, b).view(batch + (r1, r2))
    return Cdist(float(p)).apply2(x1, x2)


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of ``input - other`` (broadcast) over all elements."""
    from .reduction import norm
    return norm(input - other, p, _node='DistBackward0')
