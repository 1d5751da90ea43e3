"""torch.special: the special functions numtorch has, under their torch.special names."""
from __future__ import annotations

import math

from ._tensor import Tensor
from ._ops.special import (lgamma as gammaln, digamma, polygamma, ndtr, ndtri, log_ndtr, erfcx,
                           xlog1py, entr)
from ._ops.igamma import gammainc, gammaincc
from ._ops.bessel import i0, i0e, i1, i1e, bessel_j0, bessel_j1
from ._ops.bessel2 import (bessel_y0, bessel_y1, modified_bessel_i0, modified_bessel_i1,
                           modified_bessel_k0, modified_bessel_k1, scaled_modified_bessel_k0,
                           scaled_modified_bessel_k1, spherical_bessel_j0, airy_ai)
from ._ops.special_poly import (chebyshev_polynomial_t, chebyshev_polynomial_u,
                                chebyshev_polynomial_v, chebyshev_polynomial_w,
                                shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u,
                                shifted_chebyshev_polynomial_v, shifted_chebyshev_polynomial_w,
                                hermite_polynomial_h, hermite_polynomial_he,
                                laguerre_polynomial_l, legendre_polynomial_p)
from ._ops.zeta import zeta
from ._ops.unary import (erf, erfc, erfinv, exp2, expm1, log1p, sigmoid as expit, logit,
                         round, sinc)
from ._ops.arithmetic import xlogy
from ._ops.reduction import logsumexp, softmax, log_softmax

__all__ = ['gammaln', 'digamma', 'psi', 'polygamma', 'multigammaln', 'erf', 'erfc', 'erfinv',
           'exp2', 'expm1', 'log1p', 'expit', 'logit', 'round', 'sinc', 'xlogy', 'logsumexp',
           'softmax', 'log_softmax', 'ndtr', 'ndtri', 'log_ndtr', 'erfcx', 'xlog1py', 'entr',
           'gammainc', 'gammaincc', 'i0', 'i0e', 'i1', 'i1e', 'bessel_j0', 'bessel_j1',
           'bessel_y0', 'bessel_y1', 'modified_bessel_i0', 'modified_bessel_i1',
           'modified_bessel_k0', 'modified_bessel_k1', 'scaled_modified_bessel_k0',
           'scaled_modified_bessel_k1', 'spherical_bessel_j0', 'airy_ai',
           'chebyshev_polynomial_t', 'chebyshev_polynomial_u', 'chebyshev_polynomial_v',
           'chebyshev_polynomial_w', 'shifted_chebyshev_polynomial_t',
           'shifted_chebyshev_polynomial_u', 'shifted_chebyshev_polynomial_v',
           'shifted_chebyshev_polynomial_w', 'hermite_polynomial_h', 'hermite_polynomial_he',
           'laguerre_polynomial_l', 'legendre_polynomial_p', 'zeta']

psi = digamma


def multigammaln(input: Tensor, p: int) -> Tensor:
    """The log of the multivariate gamma function of dimension ``p``:
    ``p (p - 1) / 4 log(pi) + sum_{j < p} lgamma(input - j / 2)`` (like PyTorch 2.13, no
    check that the elements exceed ``(p - 1) / 2``)."""
    if p < 1:
        raise RuntimeError('p has to be greater than or equal to 1')
    j = input.new_tensor([-k / 2 for k in range(p)])
    return gammaln(input.unsqueeze(-1) + j).sum(-1) + p * (p - 1) / 4 * math.log(math.pi)
