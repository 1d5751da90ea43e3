"""SciPy-style windows of ``M`` points (``sym=False``: the periodic window, for spectral
analysis), composed of tensor ops as PyTorch composes them: a ``linspace`` that carries
``requires_grad`` and an elementwise formula, so their graphs match PyTorch's."""
from __future__ import annotations

import math
from collections.abc import Iterable

import numtorch as torch
from numtorch import Tensor

__all__ = ['bartlett', 'blackman', 'cosine', 'exponential', 'gaussian', 'general_cosine',
           'general_hamming', 'hamming', 'hann', 'kaiser', 'nuttall']


def _checks(name: str, M: int, dtype, layout) -> None:
    """The checks every window makes first (PyTorch's _window_function_checks)."""
    if M < 0:
        raise ValueError(f'{name} requires non-negative window length, got M={M}')
    if layout not in (None, torch.strided):
        raise ValueError(f'{name} is implemented for strided tensors only, got: {layout}')
    if dtype not in (torch.float32, torch.float64):
        raise ValueError(f'{name} expects float32 or float64 dtypes, got: {dtype}')


def _empty(dtype, device, requires_grad: bool) -> Tensor:
    return torch.empty((0,), dtype=dtype, device=device, requires_grad=requires_grad)


def _ones(dtype, device, requires_grad: bool) -> Tensor:
    return torch.ones((1,), dtype=dtype, device=device, requires_grad=requires_grad)


def exponential(M: int, *, center: float | None = None, tau: float = 1.0, sym: bool = True,
                dtype=None, layout=torch.strided, device=None,
                requires_grad: bool = False) -> Tensor:
    """The exponential (Poisson) window ``exp(-|n - center| / tau)``."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _checks('exponential', M, dtype, layout)
    if tau <= 0:
        raise ValueError(f'Tau must be positive, got: {tau} instead.')
    if sym and center is not None:
        raise ValueError('Center must be None for symmetric windows')
    if M == 0:
        return _empty(dtype, device, requires_grad)
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    c = 1 / tau
    k = torch.linspace(-center * c, (-center + (M - 1)) * c, M, dtype=dtype, device=device,
                       requires_grad=requires_grad)
    return torch.exp(-torch.abs(k))


def cosine(M: int, *, sym: bool = True, dtype=None, layout=torch.strided, device=None,
           requires_grad: bool = False) -> Tensor:
    """The cosine (sine) window ``sin(pi (n + 0.5) / M)``, as SciPy defines it."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _checks('cosine', M, dtype, layout)
    if M == 0:
        return _empty(dtype, device, requires_grad)
    c = math.pi / (M + 1 if not sym and M > 1 else M)
    k = torch.linspace(0.5 * c, (0.5 + (M - 1)) * c, M, dtype=dtype, device=device,
                       requires_grad=requires_grad)
    return torch.sin(k)


def gaussian(M: int, *, std: float = 1.0, sym: bool = True, dtype=None,
             layout=torch.strided, device=None, requires_grad: bool = False) -> Tensor:
    """The Gaussian window ``exp(-(n - c)^2 / (2 std^2))``."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _checks('gaussian', M, dtype, layout)
    if std <= 0:
        raise ValueError(f'Standard deviation must be positive, got: {std} instead.')
    if M == 0:
        return _empty(dtype, device, requires_grad)
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    c = 1 / (std * math.sqrt(2))
    k = torch.linspace(start * c, (start + (M - 1)) * c, M, dtype=dtype, device=device,
                       requires_grad=requires_grad)
    return torch.exp(-k ** 2)


def kaiser(M: int, *, beta: float = 12.0, sym: bool = True, dtype=None,
           layout=torch.strided, device=None, requires_grad: bool = False) -> Tensor:
    """The Kaiser window ``I0(sqrt(beta^2 - k^2)) / I0(beta)``, k from -beta to beta."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _checks('kaiser', M, dtype, layout)
    if beta < 0:
        raise ValueError(f'beta must be non-negative, got: {beta} instead.')
    if M == 0:
        return _empty(dtype, device, requires_grad)
    if M == 1:
        return _ones(dtype, device, requires_grad)
    beta = torch.tensor(beta, dtype=dtype, device=device)
    start = -beta
    c = 2.0 * beta / (M if not sym else M - 1)
    end = torch.minimum(beta, start + (M - 1) * c)
    k = torch.linspace(start, end, M, dtype=dtype, device=device, requires_grad=requires_grad)
    return torch.i0(torch.sqrt(beta * beta - torch.pow(k, 2))) / torch.i0(beta)


def hamming(M: int, *, sym: bool = True, dtype=None, layout=torch.strided, device=None,
            requires_grad: bool = False) -> Tensor:
    """The Hamming window (general_hamming with alpha 0.54)."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M: int, *, sym: bool = True, dtype=None, layout=torch.strided, device=None,
         requires_grad: bool = False) -> Tensor:
    """The Hann window (general_hamming with alpha 0.5)."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M: int, *, sym: bool = True, dtype=None, layout=torch.strided, device=None,
             requires_grad: bool = False) -> Tensor:
    """The Blackman window (general_cosine with a = 0.42, 0.5, 0.08)."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _checks('blackman', M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def bartlett(M: int, *, sym: bool = True, dtype=None, layout=torch.strided, device=None,
             requires_grad: bool = False) -> Tensor:
    """The Bartlett (triangular) window ``1 - |k|``, k from -1 to 1."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _checks('bartlett', M, dtype, layout)
    if M == 0:
        return _empty(dtype, device, requires_grad)
    if M == 1:
        return _ones(dtype, device, requires_grad)
    c = 2 / (M if not sym else M - 1)
    k = torch.linspace(-1, -1 + (M - 1) * c, M, dtype=dtype, device=device,
                       requires_grad=requires_grad)
    return 1 - torch.abs(k)


def general_cosine(M, *, a: Iterable, sym: bool = True, dtype=None, layout=torch.strided,
                   device=None, requires_grad: bool = False) -> Tensor:
    """The sum of cosines ``sum_i (-1)^i a_i cos(2 pi i n / (M - 1))``."""
    if dtype is None:
        dtype = torch.get_default_dtype()
    _checks('general_cosine', M, dtype, layout)
    if M == 0:
        return _empty(dtype, device, requires_grad)
    if M == 1:
        return _ones(dtype, device, requires_grad)
    if not isinstance(a, Iterable):
        raise TypeError('Coefficients must be a list/tuple')
    if not a:
        raise ValueError('Coefficients cannot be empty')
    c = 2 * math.pi / (M if not sym else M - 1)
    k = torch.linspace(0, (M - 1) * c, M, dtype=dtype, device=device,
                       requires_grad=requires_grad)
    a_i = torch.tensor([(-1) ** i * w for i, w in enumerate(a)], device=device, dtype=dtype,
                       requires_grad=requires_grad)
    i = torch.arange(a_i.shape[0], dtype=a_i.dtype, device=a_i.device,
                     requires_grad=a_i.requires_grad)
    return (a_i.unsqueeze(-1) * torch.cos(i.unsqueeze(-1) * k)).sum(0)


def general_hamming(M, *, alpha: float = 0.54, sym: bool = True, dtype=None,
                    layout=torch.strided, device=None, requires_grad: bool = False) -> Tensor:
    """``alpha - (1 - alpha) cos(2 pi n / (M - 1))`` (general_cosine with two terms)."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def nuttall(M: int, *, sym: bool = True, dtype=None, layout=torch.strided, device=None,
            requires_grad: bool = False) -> Tensor:
    """Nuttall's minimum 4-term Blackman-Harris window (general_cosine)."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)
