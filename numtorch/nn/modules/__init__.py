"""All layer classes, re-exported as ``torch.nn.<Layer>``; one import line per family."""
from .module import Module
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .linear import Identity, Linear, Bilinear
from .flatten import Flatten, Unflatten
from .activation import (Threshold, ReLU, ReLU6, LeakyReLU, PReLU, ELU, CELU, SELU, GELU, SiLU,
                         Mish, Sigmoid, Tanh, Softplus, Hardtanh, Hardsigmoid, Hardswish,
                         LogSigmoid, Hardshrink, Softshrink, Tanhshrink, Softsign, GLU, Softmax,
                         Softmin, LogSoftmax, Softmax2d)
from .loss import (L1Loss, MSELoss, SmoothL1Loss, HuberLoss, CrossEntropyLoss, NLLLoss,
                   NLLLoss2d, BCELoss, BCEWithLogitsLoss, KLDivLoss, CosineEmbeddingLoss)
from .rnn import RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell
