"""``torch.nn``: modules, parameters, functional, init and utils (re-exports only)."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer
from .modules.module import Module
from .modules.container import (Sequential, ModuleList, ModuleDict, ParameterList,
                                ParameterDict)
from .modules.linear import Identity, Linear, Bilinear, LazyLinear
from .modules.flatten import Flatten, Unflatten
from .modules.activation import (Threshold, ReLU, ReLU6, LeakyReLU, PReLU, ELU, CELU, SELU,
                                 GELU, SiLU, Mish, Sigmoid, Tanh, Softplus, Hardtanh,
                                 Hardsigmoid, Hardswish, LogSigmoid, Hardshrink, Softshrink,
                                 Tanhshrink, Softsign, GLU, Softmax, Softmin, LogSoftmax,
                                 Softmax2d, MultiheadAttention, RReLU)
from . import modules, functional, init, utils
from . import grad, parallel
from . import attention
from .parallel import DataParallel
from .modules.loss import (L1Loss, MSELoss, SmoothL1Loss, HuberLoss, CrossEntropyLoss, NLLLoss,
                           NLLLoss2d, BCELoss, BCEWithLogitsLoss, KLDivLoss, CosineEmbeddingLoss,
                           MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss,
                           TripletMarginLoss, TripletMarginWithDistanceLoss,
                           PoissonNLLLoss, GaussianNLLLoss,
                           MultiLabelSoftMarginLoss, MultiMarginLoss)
from .modules.rnn import RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell
from .modules.conv import (Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, LazyConv1d,
                           LazyConv2d)
from .modules.pooling import (MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d,
                              AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, LPPool1d,
                              LPPool2d, MaxUnpool1d, MaxUnpool2d)
from .modules.conv import Conv3d, ConvTranspose3d, LazyConv3d
from .modules.conv import LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d
from .modules.batchnorm import LazyBatchNorm3d
from .modules.instancenorm import LazyInstanceNorm1d, LazyInstanceNorm2d, LazyInstanceNorm3d
from .modules.batchnorm import SyncBatchNorm
from .modules.normalization import CrossMapLRN2d
from .modules.container import Container
from .modules.pooling import (MaxPool3d, AvgPool3d, AdaptiveAvgPool3d, AdaptiveMaxPool3d,
                              LPPool3d, MaxUnpool3d)
from .modules.batchnorm import (BatchNorm1d, BatchNorm2d, BatchNorm3d, LazyBatchNorm1d,
                                LazyBatchNorm2d)
from .modules.instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .modules.normalization import LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm
from .modules.distance import PairwiseDistance, CosineSimilarity
from .modules.transformer import (Transformer, TransformerEncoder, TransformerDecoder,
                                  TransformerEncoderLayer, TransformerDecoderLayer)
from .modules.dropout import (Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout,
                              FeatureAlphaDropout)
from .modules.sparse import Embedding, EmbeddingBag
from .modules.padding import (ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad1d, ZeroPad2d,
                              ZeroPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                              ReplicationPad1d, ReplicationPad2d, ReplicationPad3d,
                              CircularPad1d, CircularPad2d, CircularPad3d)
from .modules.upsampling import Upsample, UpsamplingNearest2d, UpsamplingBilinear2d
from .modules.pixelshuffle import PixelShuffle, PixelUnshuffle
from .modules.channelshuffle import ChannelShuffle
from .modules.fold import Fold, Unfold
from .modules.loss import CTCLoss, MultiLabelMarginLoss
from .modules.pooling import FractionalMaxPool2d, FractionalMaxPool3d
from .modules.adaptive import AdaptiveLogSoftmaxWithLoss
