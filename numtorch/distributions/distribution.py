"""The Distribution base class: shapes, argument and sample validation, and the API every
distribution implements (sample/rsample, log_prob, cdf/icdf, entropy, moments)."""
from __future__ import annotations

import warnings
from numbers import Number

import numtorch as torch
from numtorch import Tensor
from numtorch._size import Size
from . import constraints
from .utils import lazy_property

__all__ = ['Distribution']


class Distribution:
    """The base of all probability distributions.

    ``batch_shape`` is the shape over which parameters are batched and ``event_shape`` the
    shape of one sample. With ``validate_args`` (by default on, as Python's ``assert``:
    off under ``python -O``) parameters are checked against ``arg_constraints`` on
    construction and values against ``support`` in ``log_prob``/``cdf``.
    """
    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turns argument validation on or off for distributions made afterwards without an
        explicit ``validate_args``."""
        if value not in [True, False]:
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=Size(), event_shape=Size(),
                 validate_args: bool | None = None) -> None:
        self._batch_shape = batch_shape
        self._event_shape = event_shape
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            try:
                arg_constraints = self.arg_constraints
            except NotImplementedError:
                arg_constraints = {}
                warnings.warn(f'{self.__class__} does not define `arg_constraints`. Please set '
                              '`arg_constraints = {}` or initialize the distribution with '
                              '`validate_args=False` to turn off validation.', stacklevel=2)
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                if param not in self.__dict__ and isinstance(getattr(type(self), param),
                                                             lazy_property):
                    continue  # a parameter computed lazily from the one given
                value = getattr(self, param)
                if not bool(constraint.check(value).all()):
                    raise ValueError(
                        f'Expected parameter {param} ({type(value).__name__} of shape '
                        f'{tuple(value.shape)}) of distribution {self!r} to satisfy the '
                        f'constraint {constraint!r}, but found invalid values:\n{value}')
        super().__init__()

    def expand(self, batch_shape, _instance=None):
        """A new distribution with the parameters expanded to ``batch_shape`` (no copies,
        no new validation)."""
        raise NotImplementedError

    @property
    def batch_shape(self) -> Size:
        """The shape over which the parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        """The shape of a single sample (without batching)."""
        return self._event_shape

    @property
    def arg_constraints(self) -> dict:
        """The constraint each tensor parameter must satisfy, by name."""
        raise NotImplementedError

    @property
    def support(self):
        """The constraint describing the values a sample can take."""
        raise NotImplementedError

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f'{self.__class__} does not implement mode')

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def sample(self, sample_shape=Size()) -> Tensor:
        """A sample of shape ``sample_shape + batch_shape + event_shape``, without gradient."""
        with torch.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=Size()) -> Tensor:
        """A reparameterized sample: differentiable with respect to the parameters."""
        raise NotImplementedError

    def sample_n(self, n: int) -> Tensor:
        """``sample((n,))`` (deprecated in PyTorch)."""
        warnings.warn('`sample_n(n)` will be deprecated. Use `sample((n,))` instead.',
                      FutureWarning, stacklevel=2)
        return self.sample(Size((n,)))

    def log_prob(self, value: Tensor) -> Tensor:
        """The log of the density (or mass) at ``value``."""
        raise NotImplementedError

    def cdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def icdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def enumerate_support(self, expand: bool = True) -> Tensor:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        raise NotImplementedError

    def perplexity(self) -> Tensor:
        return torch.exp(self.entropy())

    def _extended_shape(self, sample_shape=Size()) -> Size:
        """``sample_shape + batch_shape + event_shape``."""
        if not isinstance(sample_shape, Size):
            sample_shape = Size(sample_shape)
        return Size(sample_shape + self._batch_shape + self._event_shape)

    def _validate_sample(self, value: Tensor) -> None:
        """Raises PyTorch's ValueError unless ``value`` is a tensor whose shape broadcasts
        with ``batch_shape + event_shape`` and whose values lie in the support."""
        if not isinstance(value, Tensor):
            raise ValueError('The value argument to log_prob must be a Tensor')
        start = len(value.size()) - len(self._event_shape)
        if value.size()[start:] != self._event_shape:
            raise ValueError(f'The right-most size of value must match event_shape: '
                             f'{value.size()} vs {self._event_shape}.')
        actual = value.size()
        expected = self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f'Value is not broadcastable with batch_shape+event_shape: '
                                 f'{actual} vs {expected}.')
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(f'{self.__class__} does not define `support` to enable sample '
                          'validation. Please initialize the distribution with '
                          '`validate_args=False` to turn off validation.', stacklevel=2)
            return
        if not bool(support.check(value).all()):
            raise ValueError(
                f'Expected value argument ({type(value).__name__} of shape '
                f'{tuple(value.shape)}) to be within the support ({support!r}) of the '
                f'distribution {self!r}, but found invalid values:\n{value}')

    def _set_params(self, validate_args, **params) -> None:
        """Stores the parameters broadcast against each other and initialises the base with
        their shape as the batch shape (() when every parameter is a Python number)."""
        from .utils import broadcast_all
        tensors = broadcast_all(*params.values())
        for name, t in zip(params, tensors):
            setattr(self, name, t)
        numbers = all(isinstance(v, Number) for v in params.values())
        Distribution.__init__(self, Size() if numbers else tensors[0].size(),
                              validate_args=validate_args)

    def _expand_params(self, cls, batch_shape, _instance, *names: str):
        """``expand`` of a distribution given by the parameters ``names``: each expanded to
        ``batch_shape``, no validation, the validation setting kept."""
        new = self._get_checked_instance(cls, _instance)
        batch_shape = Size(batch_shape)
        for name in names:
            setattr(new, name, getattr(self, name).expand(batch_shape))
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _get_checked_instance(self, cls, _instance=None):
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(
                f'Subclass {self.__class__.__name__} of {cls.__name__} that defines a custom '
                '__init__ method must also define a custom .expand() method.')
        return self.__new__(type(self)) if _instance is None else _instance

    def __repr__(self) -> str:
        # A one-element parameter shows its value, a larger one its size.
        parts = []
        for k in self.arg_constraints:
            if k in self.__dict__:
                v = self.__dict__[k]
                parts.append(f'{k}: {v if v.numel() == 1 else v.size()}')
        return f"{type(self).__name__}({', '.join(parts)})"
