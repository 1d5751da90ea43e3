"""All layer classes, re-exported as ``torch.nn.<Layer>``; one import line per family."""
from .module import Module
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .linear import Identity, Linear, NonDynamicallyQuantizableLinear, Bilinear, LazyLinear
from .flatten import Flatten, Unflatten
from .activation import (Threshold, ReLU, ReLU6, LeakyReLU, PReLU, ELU, CELU, SELU, GELU, SiLU,
                         Mish, Sigmoid, Tanh, Softplus, Hardtanh, Hardsigmoid, Hardswish,
                         LogSigmoid, Hardshrink, Softshrink, Tanhshrink, Softsign, GLU, Softmax,
                         Softmin, LogSoftmax, Softmax2d, MultiheadAttention, RReLU)
from .loss import (L1Loss, MSELoss, SmoothL1Loss, HuberLoss, CrossEntropyLoss, NLLLoss,
                   NLLLoss2d, BCELoss, BCEWithLogitsLoss, KLDivLoss, CosineEmbeddingLoss,
                   MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss, TripletMarginLoss,
                   TripletMarginWithDistanceLoss,
                   PoissonNLLLoss, GaussianNLLLoss, MultiLabelSoftMarginLoss, MultiMarginLoss)
from .rnn import RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, LazyConv1d, LazyConv2d
from .pooling import (MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d,
                      AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, LPPool1d, LPPool2d,
                      MaxUnpool1d, MaxUnpool2d)
from .conv import Conv3d, ConvTranspose3d, LazyConv3d
from .conv import LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d
from .batchnorm import LazyBatchNorm3d
from .instancenorm import LazyInstanceNorm1d, LazyInstanceNorm2d, LazyInstanceNorm3d
from .batchnorm import SyncBatchNorm
from .normalization import CrossMapLRN2d
from .container import Container
from .pooling import (MaxPool3d, AvgPool3d, AdaptiveAvgPool3d, AdaptiveMaxPool3d, LPPool3d,
                      MaxUnpool3d)
from .batchnorm import (BatchNorm1d, BatchNorm2d, BatchNorm3d, LazyBatchNorm1d,
                        LazyBatchNorm2d)
from .instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .normalization import LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm
from .distance import PairwiseDistance, CosineSimilarity
from .transformer import (Transformer, TransformerEncoder, TransformerDecoder,
                          TransformerEncoderLayer, TransformerDecoderLayer)
from .dropout import Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout
from .sparse import Embedding, EmbeddingBag
from .padding import (ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad1d, ZeroPad2d,
                      ZeroPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                      ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, CircularPad1d,
                      CircularPad2d, CircularPad3d)
from .upsampling import Upsample, UpsamplingNearest2d, UpsamplingBilinear2d
from .pixelshuffle import PixelShuffle, PixelUnshuffle
from .channelshuffle import ChannelShuffle
from .fold import Fold, Unfold
from .loss import CTCLoss, MultiLabelMarginLoss
from .pooling import FractionalMaxPool2d, FractionalMaxPool3d
from .adaptive import AdaptiveLogSoftmaxWithLoss
