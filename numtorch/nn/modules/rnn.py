"""Recurrent layers: RNN, LSTM, GRU and their single-step cells.

Parameter names, shapes, order and initialisation are PyTorch's, so a state_dict
moves between the two unchanged and, after the same ``manual_seed``, the initial
weights are equal. The work is done by the fused ops in ``numtorch/_ops/rnn.py``.
"""
from __future__ import annotations

import math
import numbers
import warnings

from ..._tensor import Tensor
from ..._ops.creation import empty, zeros
from ..._ops import rnn as _R
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module, _params

__all__ = ['RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell']


def _apply_permutation(tensor: Tensor, permutation: Tensor, dim: int = 1) -> Tensor:
    return tensor.index_select(dim, permutation)


class RNNBase(Module):
    """The parameters, checks and repr shared by :class:`RNN`, :class:`LSTM` and :class:`GRU`.

    ``mode`` is 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU'. Each layer and direction
    has ``weight_ih_l{k}``, ``weight_hh_l{k}`` and (with ``bias``) ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` (suffix ``_reverse`` for the backward direction), plus
    ``weight_hr_l{k}`` for an LSTM with ``proj_size``; all drawn from
    U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1
                or isinstance(dropout, bool)):
            raise ValueError('dropout should be a number in range [0, 1] representing the '
                             'probability of an element being zeroed')
        if dropout > 0 and num_layers == 1:
            warnings.warn('dropout option adds dropout after all but last recurrent layer, so '
                          'non-zero dropout expects num_layers greater than 1, but got '
                          f'dropout={dropout} and num_layers={num_layers}', stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f'bias should be of type bool, got: {type(bias).__name__}')
        if not isinstance(batch_first, bool):
            raise TypeError(f'batch_first should be of type bool, got: '
                            f'{type(batch_first).__name__}')
        if not isinstance(input_size, int):
            raise TypeError(f'input_size should be of type int, got: {type(input_size).__name__}')
        if input_size <= 0:
            raise ValueError('input_size must be greater than zero')
        if not isinstance(hidden_size, int):
            raise TypeError(f'hidden_size should be of type int, got: '
                            f'{type(hidden_size).__name__}')
        if hidden_size <= 0:
            raise ValueError('hidden_size must be greater than zero')
        if num_layers <= 0:
            raise ValueError('num_layers must be greater than zero')
        if proj_size < 0:
            raise ValueError('proj_size should be a positive integer or zero to disable '
                             'projections')
        if proj_size >= hidden_size:
            raise ValueError('proj_size has to be smaller than hidden_size')
        gates = {'LSTM': 4, 'GRU': 3, 'RNN_TANH': 1, 'RNN_RELU': 1}.get(mode)
        if gates is None:
            raise ValueError('Unrecognized RNN mode: ' + mode)
        gate_size = gates * hidden_size
        fk = {'device': device, 'dtype': dtype}
        self._flat_weights_names = []
        self._all_weights = []
        real_hidden = proj_size if proj_size > 0 else hidden_size
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                params = [Parameter(empty((gate_size, layer_input), **fk)),
                          Parameter(empty((gate_size, real_hidden), **fk))]
                names = ['weight_ih_l{}{}', 'weight_hh_l{}{}']
                if bias:
                    params += [Parameter(empty(gate_size, **fk)),
                               Parameter(empty(gate_size, **fk))]
                    names += ['bias_ih_l{}{}', 'bias_hh_l{}{}']
                if proj_size > 0:
                    params.append(Parameter(empty((proj_size, hidden_size), **fk)))
                    names.append('weight_hr_l{}{}')
                suffix = '_reverse' if direction == 1 else ''
                names = [n.format(layer, suffix) for n in names]
                for name, param in zip(names, params):
                    setattr(self, name, param)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self._init_flat_weights()
        self.reset_parameters()

    # NOTE: ``_flat_weights`` (the weights in PyTorch's flat order) is an attribute kept as
    # PyTorch keeps it, so that a pickled module's __dict__ is the one PyTorch expects:
    # ``torch.save(module)`` files load in either library. forward() reads the current
    # weights through _weights() instead, which no assignment can leave stale.
    def _init_flat_weights(self) -> None:
        self._flat_weights = [getattr(self, n) if hasattr(self, n) else None
                              for n in self._flat_weights_names]

    def _weights(self) -> list:
        """The weights in PyTorch's flat order (each layer-direction's group in turn)."""
        p = self._parameters
        return [p[n] if n in p else getattr(self, n, None) for n in self._flat_weights_names]

    def __setattr__(self, attr: str, value) -> None:
        names = self.__dict__.get('_flat_weights_names')
        if names is not None and attr in names:
            self._flat_weights[names.index(attr)] = value
        super().__setattr__(attr, value)

    def _apply(self, fn, recurse: bool = True) -> 'RNNBase':
        ret = super()._apply(fn, recurse)
        self._init_flat_weights()
        return ret

    def __getstate__(self) -> dict:
        self._init_flat_weights()
        return self.__dict__.copy()

    def __setstate__(self, d: dict) -> None:
        """Restores a pickled module, including the layouts older PyTorch versions wrote
        (``all_weights``, no ``proj_size``, ``_all_weights`` holding tensors)."""
        super().__setstate__(d)
        if 'all_weights' in d:
            self._all_weights = d['all_weights']
        if 'proj_size' not in d:
            self.proj_size = 0
        if not isinstance(self._all_weights[0][0], str):
            num_directions = 2 if self.bidirectional else 1
            self._flat_weights_names = []
            self._all_weights = []
            for layer in range(self.num_layers):
                for direction in range(num_directions):
                    suffix = '_reverse' if direction == 1 else ''
                    names = [n.format(layer, suffix) for n in
                             ('weight_ih_l{}{}', 'weight_hh_l{}{}', 'bias_ih_l{}{}',
                              'bias_hh_l{}{}', 'weight_hr_l{}{}')]
                    if not self.bias:
                        names = names[:2] + names[4:]
                    if self.proj_size == 0:
                        names = names[:-1]
                    self._all_weights.append(names)
                    self._flat_weights_names.extend(names)
            self._init_flat_weights()

    def flatten_parameters(self) -> None:
        """Packs weights into one buffer for cuDNN in PyTorch; nothing to do on numtorch."""

    def reset_parameters(self) -> None:
        """Redraws every weight from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def check_input(self, input: Tensor, batch_sizes: Tensor | None) -> None:
        wdt = self._weights()[0].dtype
        if input.dtype != wdt:
            raise ValueError(f'RNN input dtype ({input.dtype}) does not match weight dtype '
                             f'({wdt}). Convert input: input.to({wdt}), or convert model: '
                             f'model.to({input.dtype})')
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f'input must have {expected} dimensions, got {input.dim()}')
        if self.input_size != input.size(-1):
            raise RuntimeError(f'input.size(-1) must be equal to input_size. Expected '
                               f'{self.input_size}, got {input.size(-1)}')

    def get_expected_hidden_size(self, input: Tensor, batch_sizes: Tensor | None) -> tuple:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes._data[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        h = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, h)

    def check_hidden_size(self, hx: Tensor, expected_hidden_size: tuple,
                          msg: str = 'Expected hidden size {}, got {}') -> None:
        if tuple(hx.shape) != expected_hidden_size:
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.shape)))

    def check_forward_args(self, input: Tensor, hidden: Tensor,
                           batch_sizes: Tensor | None) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx: Tensor, permutation: Tensor | None):
        if permutation is None:
            return hx
        return _apply_permutation(hx, permutation)

    def extra_repr(self) -> str:
        s = '{input_size}, {hidden_size}'
        if self.proj_size != 0:
            s += ', proj_size={proj_size}'
        if self.num_layers != 1:
            s += ', num_layers={num_layers}'
        if self.bias is not True:
            s += ', bias={bias}'
        if self.batch_first is not False:
            s += ', batch_first={batch_first}'
        if self.dropout != 0:
            s += ', dropout={dropout}'
        if self.bidirectional is not False:
            s += ', bidirectional={bidirectional}'
        return s.format(**self.__dict__)

    @property
    def all_weights(self) -> list:
        """The parameters grouped per layer and direction."""
        return [[getattr(self, w) for w in ws] for ws in self._all_weights]

    def _prepare(self, input, hx, name: str):
        """Unpacks a PackedSequence or adds the batch dimension to unbatched input; returns
        (input, batch_sizes, sorted_indices, unsorted_indices, hx, unbatched, batch_dim)."""
        if isinstance(input, PackedSequence):
            data, batch_sizes, sorted_indices, unsorted_indices = input
            return data, batch_sizes, sorted_indices, unsorted_indices, hx, False, 0
        if input.dim() not in (2, 3):
            tail = ' tensor instead' if name == 'RNN' else ' instead'
            raise ValueError(f'{name}: Expected input to be 2D or 3D, got {input.dim()}D'
                             f'{tail}')
        batch_dim = 0 if self.batch_first else 1
        unbatched = input.dim() == 2
        if unbatched:
            input = input.unsqueeze(batch_dim)
        return input, None, None, None, hx, unbatched, batch_dim

    def _zeros(self, input: Tensor, batch_sizes, size: int) -> Tensor:
        nd = 2 if self.bidirectional else 1
        if batch_sizes is not None:
            b = int(batch_sizes._data[0])
        else:
            b = input.size(0) if self.batch_first else input.size(1)
        return zeros(self.num_layers * nd, b, size, dtype=input.dtype)

    def _simple_forward(self, fn, name: str, input, hx):
        """forward() of RNN and GRU: one hidden state tensor."""
        orig = input
        input, batch_sizes, sorted_indices, unsorted_indices, hx, unbatched, batch_dim = \
            self._prepare(input, hx, name)
        if hx is not None:
            if batch_sizes is None:
                if unbatched:
                    if hx.dim() != 2:
                        raise RuntimeError('For unbatched 2-D input, hx should also be 2-D but '
                                           f'got {hx.dim()}-D tensor')
                    hx = hx.unsqueeze(1)
                elif hx.dim() != 3:
                    raise RuntimeError('For batched 3-D input, hx should also be 3-D but got '
                                       f'{hx.dim()}-D tensor')
            hx = self.permute_hidden(hx, sorted_indices)
        else:
            hx = self._zeros(input, batch_sizes, self.hidden_size)
        self.check_forward_args(input, hx, batch_sizes)
        weights = self._weights()
        if batch_sizes is None:
            output, hidden = fn(input, hx, weights, self.bias, self.num_layers, self.dropout,
                                self.training, self.bidirectional, self.batch_first)
        else:
            output, hidden = fn(input, batch_sizes, hx, weights, self.bias, self.num_layers,
                                self.dropout, self.training, self.bidirectional)
        if isinstance(orig, PackedSequence):
            return (PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices),
                    self.permute_hidden(hidden, unsorted_indices))
        if unbatched:
            output = output.squeeze(batch_dim)
            hidden = hidden.squeeze(1)
        return output, hidden


class RNN(RNNBase):
    """A multi-layer Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``
    (ReLU with ``nonlinearity='relu'``).

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``. Input ``(L, N, H_in)``
    (``(N, L, H_in)`` with ``batch_first``, ``(L, H_in)`` unbatched, or a
    PackedSequence) and optional ``h_0`` of ``(num_layers * num_directions, N, H)``;
    returns ``(output, h_n)``.
    """

    def __init__(self, *args, **kwargs) -> None:
        if 'proj_size' in kwargs:
            raise ValueError('proj_size argument is only supported for LSTM, not RNN or GRU')
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop('nonlinearity', 'tanh')
        if self.nonlinearity == 'tanh':
            mode = 'RNN_TANH'
        elif self.nonlinearity == 'relu':
            mode = 'RNN_RELU'
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx: Tensor | None = None):
        fn = _R.rnn_tanh if self.mode == 'RNN_TANH' else _R.rnn_relu
        return self._simple_forward(fn, 'RNN', input, hx)


class GRU(RNNBase):
    """A multi-layer gated recurrent unit RNN (gates r, z, n in PyTorch's order):
    ``r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)``, ``z`` likewise,
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``.

    Arguments, inputs and outputs as :class:`RNN` (without ``nonlinearity``).
    """

    def __init__(self, *args, **kwargs) -> None:
        if 'proj_size' in kwargs:
            raise ValueError('proj_size argument is only supported for LSTM, not RNN or GRU')
        super().__init__('GRU', *args, **kwargs)

    def forward(self, input, hx: Tensor | None = None):
        return self._simple_forward(_R.gru, 'GRU', input, hx)


class LSTM(RNNBase):
    """A multi-layer long short-term memory RNN (gates i, f, g, o in PyTorch's order):
    ``c' = f * c + i * g``, ``h' = o * tanh(c')``; with ``proj_size > 0`` the hidden
    state is projected, ``h' = (o * tanh(c')) W_hr^T``.

    ``LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False, proj_size=0)``; ``forward(input, (h_0, c_0))``
    returns ``(output, (h_n, c_n))``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__('LSTM', *args, **kwargs)

    def get_expected_cell_size(self, input: Tensor, batch_sizes: Tensor | None) -> tuple:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes._data[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.hidden_size)

    def check_forward_args(self, input: Tensor, hidden, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               'Expected hidden[0] size {}, got {}')
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               'Expected hidden[1] size {}, got {}')

    def permute_hidden(self, hx, permutation: Tensor | None):
        if permutation is None:
            return hx
        return (_apply_permutation(hx[0], permutation), _apply_permutation(hx[1], permutation))

    def forward(self, input, hx=None):
        orig = input
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        input, batch_sizes, sorted_indices, unsorted_indices, hx, unbatched, batch_dim = \
            self._prepare(input, hx, 'LSTM')
        if hx is None:
            hx = (self._zeros(input, batch_sizes, real_hidden),
                  self._zeros(input, batch_sizes, self.hidden_size))
        elif batch_sizes is None:
            if not unbatched:
                if hx[0].dim() != 3 or hx[1].dim() != 3:
                    raise RuntimeError('For batched 3-D input, hx and cx should also be 3-D but '
                                       f'got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors')
            else:
                if hx[0].dim() != 2 or hx[1].dim() != 2:
                    raise RuntimeError('For unbatched 2-D input, hx and cx should also be 2-D '
                                       f'but got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors')
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        else:
            hx = self.permute_hidden(hx, sorted_indices)
        self.check_forward_args(input, hx, batch_sizes)
        weights = self._weights()
        if batch_sizes is None:
            output, hn, cn = _R.lstm(input, hx, weights, self.bias, self.num_layers,
                                     self.dropout, self.training, self.bidirectional,
                                     self.batch_first)
        else:
            output, hn, cn = _R.lstm(input, batch_sizes, hx, weights, self.bias,
                                     self.num_layers, self.dropout, self.training,
                                     self.bidirectional)
        if isinstance(orig, PackedSequence):
            return (PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices),
                    self.permute_hidden((hn, cn), unsorted_indices))
        if unbatched:
            output = output.squeeze(batch_dim)
            hn, cn = hn.squeeze(1), cn.squeeze(1)
        return output, (hn, cn)


class RNNCellBase(Module):
    """Parameters of the single-step cells: ``weight_ih`` (chunks*hidden, input),
    ``weight_hh`` (chunks*hidden, hidden), ``bias_ih``, ``bias_hh``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        fk = {'device': device, 'dtype': dtype}
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), **fk))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), **fk))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **fk))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **fk))
        else:
            self.register_parameter('bias_ih', None)
            self.register_parameter('bias_hh', None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = '{input_size}, {hidden_size}'
        if 'bias' in self.__dict__ and self.bias is not True:
            s += ', bias={bias}'
        if 'nonlinearity' in self.__dict__ and self.nonlinearity != 'tanh':
            s += ', nonlinearity={nonlinearity}'
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        """Redraws every weight from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _cell_weights(self) -> list:
        return _params(self, 'weight_ih', 'weight_hh', 'bias_ih', 'bias_hh')

    def _batched(self, name: str, input: Tensor, hx: Tensor | None):
        if input.dim() not in (1, 2):
            raise ValueError(f'{name}: Expected input to be 1D or 2D, got {input.dim()}D '
                             'instead')
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f'{name}: Expected hidden to be 1D or 2D, got {hx.dim()}D '
                             'instead')
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = zeros(input.size(0), self.hidden_size, dtype=input.dtype)
        elif not batched:
            hx = hx.unsqueeze(0)
        return input, hx, batched


class RNNCell(RNNCellBase):
    """One Elman RNN step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ReLU).

    ``forward(input, hx=None)`` with input ``(N, input_size)`` or ``(input_size,)``.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = 'tanh', device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, batched = self._batched('RNNCell', input, hx)
        if self.nonlinearity == 'tanh':
            ret = _R.rnn_tanh_cell(input, hx, *self._cell_weights())
        elif self.nonlinearity == 'relu':
            ret = _R.rnn_relu_cell(input, hx, *self._cell_weights())
        else:
            raise RuntimeError(f'Unknown nonlinearity: {self.nonlinearity}')
        return ret if batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; ``forward(input, (h, c))`` returns ``(h', c')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f'LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D '
                             'instead')
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(f'LSTMCell: Expected hx[{idx}] to be 1D or 2D, got '
                                     f'{value.dim()}D instead')
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            z = zeros(input.size(0), self.hidden_size, dtype=input.dtype)
            hx = (z, z)
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h, c = _R.lstm_cell(input, hx, *self._cell_weights())
        if not batched:
            return h.squeeze(0), c.squeeze(0)
        return h, c


class GRUCell(RNNCellBase):
    """One GRU step (equations as :class:`GRU`); ``forward(input, hx=None)``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, batched = self._batched('GRUCell', input, hx)
        ret = _R.gru_cell(input, hx, *self._cell_weights())
        return ret if batched else ret.squeeze(0)
