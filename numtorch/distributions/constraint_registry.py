"""Transforms from unconstrained space onto a constraint's support, looked up by constraint.

``biject_to(c)`` gives a bijective transform onto ``c`` (usable inside a
TransformedDistribution, with ``log_abs_det_jacobian``); ``transform_to(c)`` gives some
transform onto ``c``, not necessarily invertible but cheaper or better conditioned for
optimization (``SoftmaxTransform`` for the simplex where ``biject_to`` uses stick breaking).
Both are :class:`ConstraintRegistry` objects keyed by constraint class, and more pairs can
be registered with ``register``, directly or as a decorator.
"""
from __future__ import annotations

from typing import Callable

from . import constraints, transforms

__all__ = ['ConstraintRegistry', 'biject_to', 'transform_to']

_NUMBER = (int, float, bool)


class ConstraintRegistry:
    """A table from constraint classes to factories ``constraint -> Transform``."""

    def __init__(self) -> None:
        self._registry = {}
        super().__init__()

    def register(self, constraint, factory: Callable | None = None):
        """Registers ``factory`` for a constraint class (or the class of a constraint
        instance); without ``factory`` it returns a decorator that registers the function
        it decorates. Returns the factory."""
        if factory is None:
            return lambda factory: self.register(constraint, factory)
        # Instances such as ``constraints.positive`` stand for their class.
        if isinstance(constraint, constraints.Constraint):
            constraint = type(constraint)
        if not isinstance(constraint, type) or not issubclass(constraint,
                                                              constraints.Constraint):
            raise TypeError('Expected constraint to be either a Constraint subclass or '
                            f'instance, but got {constraint}')
        self._registry[constraint] = factory
        return factory

    def __call__(self, constraint) -> transforms.Transform:
        """The transform for ``constraint``, from the factory registered for its class;
        NotImplementedError when none is."""
        try:
            factory = self._registry[type(constraint)]
        except KeyError:
            raise NotImplementedError(
                f'Cannot transform {type(constraint).__name__} constraints') from None
        return factory(constraint)


biject_to = ConstraintRegistry()
transform_to = ConstraintRegistry()


# NOTE: the table is keyed by class, so the later greater_than registration also serves
# ``positive`` and ``nonnegative`` (instances of the same classes): PyTorch's
# ``biject_to(positive)`` is ``ExpTransform`` composed with ``AffineTransform(0, 1)``.
@biject_to.register(constraints.real)
@transform_to.register(constraints.real)
def _transform_to_real(constraint):
    return transforms.identity_transform


@biject_to.register(constraints.independent)
def _biject_to_independent(constraint):
    return transforms.IndependentTransform(biject_to(constraint.base_constraint),
                                           constraint.reinterpreted_batch_ndims)


@transform_to.register(constraints.independent)
def _transform_to_independent(constraint):
    return transforms.IndependentTransform(transform_to(constraint.base_constraint),
                                           constraint.reinterpreted_batch_ndims)


@biject_to.register(constraints.positive)
@biject_to.register(constraints.nonnegative)
@transform_to.register(constraints.positive)
@transform_to.register(constraints.nonnegative)
def _transform_to_positive(constraint):
    return transforms.ExpTransform()


@biject_to.register(constraints.greater_than)
@biject_to.register(constraints.greater_than_eq)
@transform_to.register(constraints.greater_than)
@transform_to.register(constraints.greater_than_eq)
def _transform_to_greater_than(constraint):
    return transforms.ComposeTransform([transforms.ExpTransform(),
                                        transforms.AffineTransform(constraint.lower_bound, 1)])


@biject_to.register(constraints.less_than)
@transform_to.register(constraints.less_than)
def _transform_to_less_than(constraint):
    return transforms.ComposeTransform([transforms.ExpTransform(),
                                        transforms.AffineTransform(constraint.upper_bound, -1)])


@biject_to.register(constraints.interval)
@biject_to.register(constraints.half_open_interval)
@transform_to.register(constraints.interval)
@transform_to.register(constraints.half_open_interval)
def _transform_to_interval(constraint):
    lo, hi = constraint.lower_bound, constraint.upper_bound
    # The unit interval (with plain-number bounds) is the sigmoid alone.
    if isinstance(lo, _NUMBER) and lo == 0 and isinstance(hi, _NUMBER) and hi == 1:
        return transforms.SigmoidTransform()
    return transforms.ComposeTransform([transforms.SigmoidTransform(),
                                        transforms.AffineTransform(lo, hi - lo)])


@biject_to.register(constraints.simplex)
def _biject_to_simplex(constraint):
    return transforms.StickBreakingTransform()


@transform_to.register(constraints.simplex)
def _transform_to_simplex(constraint):
    return transforms.SoftmaxTransform()


# Lower-Cholesky and positive-definite targets have no registered bijection (as PyTorch).
@transform_to.register(constraints.lower_cholesky)
def _transform_to_lower_cholesky(constraint):
    return transforms.LowerCholeskyTransform()


@transform_to.register(constraints.positive_definite)
@transform_to.register(constraints.positive_semidefinite)
def _transform_to_positive_definite(constraint):
    return transforms.PositiveDefiniteTransform()


@biject_to.register(constraints.corr_cholesky)
@transform_to.register(constraints.corr_cholesky)
def _transform_to_corr_cholesky(constraint):
    return transforms.CorrCholeskyTransform()


@biject_to.register(constraints.cat)
def _biject_to_cat(constraint):
    return transforms.CatTransform([biject_to(c) for c in constraint.cseq], constraint.dim,
                                   constraint.lengths)


@transform_to.register(constraints.cat)
def _transform_to_cat(constraint):
    return transforms.CatTransform([transform_to(c) for c in constraint.cseq], constraint.dim,
                                   constraint.lengths)


@biject_to.register(constraints.stack)
def _biject_to_stack(constraint):
    return transforms.StackTransform([biject_to(c) for c in constraint.cseq], constraint.dim)


@transform_to.register(constraints.stack)
def _transform_to_stack(constraint):
    return transforms.StackTransform([transform_to(c) for c in constraint.cseq],
                                     constraint.dim)
