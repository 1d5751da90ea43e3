"""Finite-difference checks of gradients (``torch.autograd.gradcheck``/``gradgradcheck``)."""
from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor, _wrap

__all__ = ['gradcheck', 'gradgradcheck', 'GradcheckError']


class GradcheckError(RuntimeError):
    """Raised when numerical and analytical gradients disagree."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(func, inputs):
    out = _as_tuple(func(*inputs))
    return [o for o in out if isinstance(o, Tensor) and o._data.dtype.kind == 'f']


def _numerical(func, inputs, i, out_idx, eps):
    x = inputs[i]
    flat = x._data.reshape(-1)
    n_out = _outputs(func, inputs)[out_idx]._data.size
    jac = np.zeros((flat.size, n_out))
    for k in range(flat.size):
        orig = flat[k]
        flat[k] = orig + eps
        hi = _outputs(func, inputs)[out_idx]._data.astype(np.float64).reshape(-1).copy()
        flat[k] = orig - eps
        lo = _outputs(func, inputs)[out_idx]._data.astype(np.float64).reshape(-1).copy()
        flat[k] = orig
        jac[k] = (hi - lo) / (2 * eps)
    return jac


def _analytical(func, inputs, diff_idx, out_idx):
    from . import grad as _grad
    out = _outputs(func, inputs)[out_idx]
    n_out = out._data.size
    jacs = [np.zeros((inputs[i]._data.size, n_out)) for i in diff_idx]
    if not out._rg:
        return jacs
    for j in range(n_out):
        g = np.zeros(out._data.shape, out._data.dtype)
        g.reshape(-1)[j] = 1
        grads = _grad([out], [inputs[i] for i in diff_idx], [_wrap(g)], retain_graph=True,
                      allow_unused=True)
        for col, gr in zip(jacs, grads):
            if gr is not None:
                col[:, j] = gr._data.reshape(-1)
    return jacs


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked=None) -> bool:
    """Compares the gradients autograd computes for ``func`` at ``inputs`` with central
    finite differences; the inputs should be float64 tensors with ``requires_grad=True``."""
    if check_forward_ad or check_batched_grad or check_batched_forward_grad:
        raise NotImplementedError('gradcheck: forward-mode and batched checks are not '
                                  'supported by numtorch')
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x._rg]
    if not diff_idx:
        raise ValueError('gradcheck expects at least one input tensor to require gradient, but '
                         'none of the them have requires_grad=True.')
    for i in diff_idx:
        if inputs[i]._data.dtype != np.float64:
            warnings.warn(f'Input #{i} requires gradient and is not a double precision floating '
                          'point or complex. This check will likely fail if all the inputs are '
                          'not of double precision floating point or complex. ', UserWarning)
    n_outputs = len(_outputs(func, inputs))
    for o in range(n_outputs):
        analytical = _analytical(func, inputs, diff_idx, o)
        for a, i in zip(analytical, diff_idx):
            num = _numerical(func, inputs, i, o, eps)
            if not np.allclose(a, num, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(f'Jacobian mismatch for output {o} with respect to input '
                                     f'{i},\nnumerical:{_wrap(num)!r}\nanalytical:'
                                     f'{_wrap(a)!r}\n')
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, **kwargs) -> bool:
    """Checks second derivatives: gradcheck of the first derivatives computed with
    ``create_graph=True``."""
    from . import grad as _grad
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x._rg]
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [_wrap(rng.standard_normal(o._data.shape)).requires_grad_()
                        for o in outs]
    grad_outputs = list(_as_tuple(grad_outputs))

    def first(*args):
        xs = args[:len(inputs)]
        gos = args[len(inputs):]
        out = _outputs(func, xs)
        gs = _grad(out, [xs[i] for i in diff_idx], list(gos), create_graph=True,
                   allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
