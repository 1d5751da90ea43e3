"""torch.distributions: parameterizable probability distributions, their sampling,
log-densities and KL divergences."""
from . import constraints
from . import transforms
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
from .geometric import Geometric
from .binomial import Binomial
from .negative_binomial import NegativeBinomial
from .cauchy import Cauchy
from .chi2 import Chi2
from .studentT import StudentT
from .dirichlet import Dirichlet
from .beta import Beta
from .transformed_distribution import TransformedDistribution
from .log_normal import LogNormal
from .half_normal import HalfNormal
from .half_cauchy import HalfCauchy
from .gumbel import Gumbel
from .pareto import Pareto
from .weibull import Weibull
from .multinomial import Multinomial
from .mixture_same_family import MixtureSameFamily
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .relaxed_bernoulli import RelaxedBernoulli
from .relaxed_categorical import RelaxedOneHotCategorical
from .continuous_bernoulli import ContinuousBernoulli
from .von_mises import VonMises
from .fishersnedecor import FisherSnedecor
from .kumaraswamy import Kumaraswamy
from .logistic_normal import LogisticNormal
from .inverse_gamma import InverseGamma
from .generalized_pareto import GeneralizedPareto
from .wishart import Wishart
from .lkj_cholesky import LKJCholesky
from .transforms import (AbsTransform, AffineTransform, CatTransform, ComposeTransform,
                         CorrCholeskyTransform, CumulativeDistributionTransform,
                         ExpTransform, IndependentTransform, LowerCholeskyTransform,
                         PositiveDefiniteTransform, PowerTransform, ReshapeTransform,
                         SigmoidTransform, SoftmaxTransform, SoftplusTransform,
                         StackTransform, StickBreakingTransform, TanhTransform, Transform,
                         identity_transform)
from .kl import kl_divergence, register_kl
from . import constraint_registry
from .constraint_registry import biject_to, transform_to

__all__ = ['Distribution', 'ExponentialFamily', 'Normal', 'Uniform', 'Bernoulli', 'Categorical',
           'OneHotCategorical', 'OneHotCategoricalStraightThrough', 'Exponential', 'Laplace',
           'MultivariateNormal', 'Independent', 'Gamma', 'Poisson', 'Geometric', 'Binomial',
           'NegativeBinomial', 'Cauchy', 'Chi2', 'StudentT', 'Dirichlet', 'Beta',
           'TransformedDistribution', 'LogNormal', 'HalfNormal', 'HalfCauchy', 'Gumbel',
           'Pareto', 'Weibull', 'Multinomial', 'MixtureSameFamily',
           'LowRankMultivariateNormal', 'RelaxedBernoulli', 'RelaxedOneHotCategorical',
           'ContinuousBernoulli',
           'VonMises', 'FisherSnedecor', 'Kumaraswamy', 'LogisticNormal', 'InverseGamma',
           'GeneralizedPareto', 'Wishart', 'LKJCholesky',
           'AbsTransform', 'AffineTransform', 'CatTransform', 'ComposeTransform',
           'CorrCholeskyTransform', 'CumulativeDistributionTransform', 'ExpTransform',
           'IndependentTransform', 'LowerCholeskyTransform', 'PositiveDefiniteTransform',
           'PowerTransform', 'ReshapeTransform', 'StackTransform', 'SigmoidTransform',
           'SoftmaxTransform', 'SoftplusTransform',
           'StickBreakingTransform', 'TanhTransform', 'Transform', 'identity_transform',
           'constraints', 'transforms', 'kl_divergence', 'register_kl', 'biject_to',
           'transform_to']
