"""``torch.nn``: modules, parameters, functional, init and utils (re-exports only)."""
from .parameter import Parameter, Buffer
from .modules.module import Module
from .modules.container import (Sequential, ModuleList, ModuleDict, ParameterList,
                                ParameterDict)
from .modules.linear import Identity, Linear, Bilinear
from .modules.flatten import Flatten, Unflatten
from .modules.activation import (Threshold, ReLU, ReLU6, LeakyReLU, PReLU, ELU, CELU, SELU,
                                 GELU, SiLU, Mish, Sigmoid, Tanh, Softplus, Hardtanh,
                                 Hardsigmoid, Hardswish, LogSigmoid, Hardshrink, Softshrink,
                                 Tanhshrink, Softsign, GLU, Softmax, Softmin, LogSoftmax,
                                 Softmax2d)
from . import modules, functional, init, utils
from .modules.loss import (L1Loss, MSELoss, SmoothL1Loss, HuberLoss, CrossEntropyLoss, NLLLoss,
                           NLLLoss2d, BCELoss, BCEWithLogitsLoss, KLDivLoss, CosineEmbeddingLoss)
from .modules.rnn import RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell
