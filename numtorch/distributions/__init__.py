"""torch.distributions: parameterizable probability distributions, their sampling,
log-densities and KL divergences."""
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .normal import Normal
from .uniform import Uniform
from .bernoulli import Bernoulli
from .categorical import Categorical
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .exponential import Exponential
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal
from .independent import Independent
from .gamma import Gamma
from .poisson import Poisson
from .kl import kl_divergence, register_kl

__all__ = ['Distribution', 'ExponentialFamily', 'Normal', 'Uniform', 'Bernoulli', 'Categorical',
           'OneHotCategorical', 'OneHotCategoricalStraightThrough', 'Exponential', 'Laplace',
           'MultivariateNormal', 'Independent', 'Gamma', 'Poisson', 'constraints',
           'kl_divergence', 'register_kl']
