"""``torch.binomial``: binomial samples drawn as PyTorch's CPU kernel draws them.

The per-element sampler (inversion below 10 expected successes, BTRS above, both on the
generator's 53-bit uniform doubles) lives with the Binomial distribution
(numtorch/distributions/binomial.py); this is the tensor function around it.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor, _type_word
from ._generator import _UniformStream
from .histogram import _finish
from .random import _gen

__all__ = ['binomial']


def binomial(count: Tensor, prob: Tensor, generator=None) -> Tensor:
    """Samples of Binomial(count, prob), element by element in order, from ``generator``
    (the default one when None). Not differentiable."""
    if not isinstance(prob, Tensor):
        raise TypeError(f"binomial(): argument 'prob' (position 2) must be Tensor, not "
                        f'{type(prob).__name__}')
    c, p = count._data, prob._data
    if c.dtype.kind != 'f':
        raise ValueError(f'binomial only supports floating-point dtypes for count, got: '
                         f'{_type_word(c.dtype)}')
    if p.dtype != c.dtype:
        raise RuntimeError(f'Found dtype {_type_word(p.dtype)} but expected '
                           f'{_type_word(c.dtype)}')
    if c.dtype == np.float16:
        raise NotImplementedError('"binomial_cpu" not implemented for \'Half\'')
    shape = np.broadcast_shapes(c.shape, p.shape)
    if shape != c.shape:
        # (PyTorch's kernel writes into a result shaped like count, then resizes it)
        warnings.warn(f'An output with one or more elements was resized since it had shape '
                      f'{list(c.shape)}, which does not match the required output shape '
                      f'{list(shape)}. This behavior is deprecated, and in a future PyTorch '
                      'release outputs will not be resized unless they have zero elements. '
                      'You can explicitly reuse an out tensor t by resizing it, inplace, to '
                      'zero elements with t.resize_(0).', UserWarning, stacklevel=2)
    from ..distributions.binomial import _binomial_one
    ft = c.dtype.type
    cs = np.broadcast_to(c, shape).ravel().tolist()
    ps = np.broadcast_to(p, shape).ravel().tolist()
    stream = _UniformStream(_gen(generator), 4 * len(cs))
    try:
        vals = [_binomial_one(ft(x), ft(y), stream.next, ft) for x, y in zip(cs, ps)]
    finally:
        stream.close()
    out = np.array(vals, np.float64).astype(c.dtype).reshape(shape)
    return _finish((out,), [count, prob], 'binomial')[0]
