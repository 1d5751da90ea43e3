"""Recurrent ops: RNN (tanh/relu), LSTM and GRU cells and whole-sequence layers.

One layer over a whole (possibly packed) sequence is ONE op, both directions
included: the input projection of every time step, gate and direction is a single
batched GEMM, each direction's recurrence is a tight loop that writes into
preallocated float arrays (no per-step Tensors), and backward is back-propagation
through time written by hand, keeping per-step gate values from forward and doing
the weight gradients as GEMMs over all steps afterwards. The cells are the same op
with one step.

Graph nodes carry the names PyTorch's CPU kernels give the same tensors: a layer's node
is named after the op that last produced its output (see ``_output_name``), ``h_n`` and
``c_n`` come from a small Stack node of the layers' final states, and an LSTM cell
leaves ``h' = o tanh(c')`` to a Mul and a Tanh node, as PyTorch's graph does.

Sequences are handled in packed form throughout: rows of ``data`` are grouped by
time step, step ``t`` holding ``batch_sizes[t]`` rows (non-increasing); a padded
``(T, B, *)`` input is the special case of ``T`` equal steps.

``rnn_tanh``, ``rnn_relu``, ``lstm`` and ``gru`` take PyTorch's ``_VF`` arguments
(a flat weight list, ``has_biases``, ``num_layers``, ``dropout``, ``train``,
``bidirectional``, ``batch_first``), with the packed overload
``(data, batch_sizes, hx, params, ...)``; the ``*_cell`` functions take one step.
"""
from __future__ import annotations

import sys

import numpy as np

from .._tensor import Tensor, _wrap
from .._state import state
from ._op import Op, broadcast_error, unbroadcast
from .random import default_generator
from .arithmetic import mul
from .unary import tanh
from .shape import cat

__all__ = ['rnn_tanh', 'rnn_relu', 'lstm', 'gru', 'rnn_tanh_cell', 'rnn_relu_cell',
           'lstm_cell', 'gru_cell']


# -- time-step schedules -------------------------------------------------------
class _Schedule:
    """The step structure of a batch of sequences, shared by every layer of one call.

    ``fwd``/``rev`` list, in processing order, one tuple per step:
    ``(r0, b, o0, p0, g)``: the step's rows ``r0:r0+b`` of the packed data, the row
    ``o0`` of the state buffer that receives its output, the row ``p0`` where the
    previous state starts, and ``g`` > 0 when only the first ``g`` previous rows come
    from the last step and the rest are initial states (a reverse pass over a packed
    batch, where the batch grows).

    The state buffer of a direction holds the outputs and the initial state:
    ``[h0; y]`` going forward, ``[y; h0]`` in reverse, so the previous state of a
    step is a contiguous slice in the common case.
    """
    __slots__ = ('bs', 'T', 'B', 'N', 'packed', 'off', 'fwd', 'rev', '_prev', '_last')

    def __init__(self, bs: tuple) -> None:
        self.bs = bs
        T = self.T = len(bs)
        B = self.B = bs[0]
        off = [0] * T
        for t in range(1, T):
            off[t] = off[t - 1] + bs[t - 1]
        self.off = off
        N = self.N = off[-1] + bs[-1]
        self.packed = bs[-1] != B
        self.fwd = [(off[t], bs[t], B + off[t], 0 if t == 0 else B + off[t - 1], 0)
                    for t in range(T)]
        self.rev = [(off[t], bs[t], off[t], N if t == T - 1 else off[t + 1],
                     bs[t + 1] if t < T - 1 and bs[t + 1] < bs[t] else 0)
                    for t in range(T - 1, -1, -1)]
        self._prev = [None, None]
        self._last = None

    def prev_rows(self, reverse: bool):
        """Where each data row's previous state sits in the state buffer: a start row
        (the rows are consecutive) or an index array (packed batches)."""
        if not self.packed:
            return self.B if reverse else 0
        idx = self._prev[reverse]
        if idx is None:
            parts = []
            N, bs = self.N, self.bs
            for t, b in enumerate(bs):
                j = np.arange(b)
                if reverse:
                    if t == self.T - 1:
                        parts.append(N + j)
                    else:
                        nb = bs[t + 1]
                        parts.append(np.where(j < nb, self.off[t + 1] + j, N + j))
                else:
                    parts.append(j if t == 0 else self.B + self.off[t - 1] + j)
            idx = self._prev[reverse] = np.concatenate(parts)
        return idx

    def last_rows(self, reverse: bool):
        """Rows of the state buffer holding each sequence's final state (as ``prev_rows``)."""
        if reverse:
            return 0
        if not self.packed:
            return self.N
        idx = self._last
        if idx is None:
            bs = np.asarray(self.bs)
            j = np.arange(self.B)
            lengths = (bs[None, :] > j[:, None]).sum(1)
            idx = self._last = self.B + np.asarray(self.off)[lengths - 1] + j
        return idx


_SCHEDULES: dict = {}


def _schedule(bs: tuple) -> _Schedule:
    s = _SCHEDULES.get(bs)
    if s is None:
        if len(_SCHEDULES) > 256:
            _SCHEDULES.clear()
        s = _SCHEDULES[bs] = _Schedule(bs)
    return s


def _take(buf: np.ndarray, rows, n: int) -> np.ndarray:
    """``n`` rows of ``buf`` named by ``rows`` (a start row or an index array)."""
    if type(rows) is int:
        return buf[rows:rows + n]
    return buf[rows]


# -- workspace -----------------------------------------------------------------
class _Workspace:
    """Recycles the large arrays the recurrent ops save between forward and backward.

    A fresh large allocation comes from the OS as untouched pages, and the page faults
    of touching them cost about as much as the arithmetic of a layer; reusing memory
    across training steps avoids them. A buffer is handed out again only once nothing
    refers to it (its reference count is back to the pool's own), so a graph that is
    still alive keeps its arrays. Sizes are rounded up (at most 1/8) so that batches of
    slightly different lengths share buffers; at most ``limit`` bytes are kept.
    """
    __slots__ = ('bufs', 'total', 'limit')

    def __init__(self, limit: int) -> None:
        self.bufs: dict = {}
        self.total = 0
        self.limit = limit

    def get(self, shape: tuple, dt) -> np.ndarray:
        n = 1
        for d in shape:
            n *= d
        nbytes = n * dt.itemsize
        if nbytes < 65536:
            return np.empty(shape, dt)
        size = _bucket(nbytes)
        lst = self.bufs.get(size)
        if lst is None:
            lst = self.bufs[size] = []
        for a in lst:
            if sys.getrefcount(a) == _FREE_RC:
                return a[:nbytes].view(dt).reshape(shape)
        if self.total + size > self.limit and not self._evict(size):
            return np.empty(shape, dt)
        a = np.empty(size, np.uint8)
        lst.append(a)
        self.total += size
        return a[:nbytes].view(dt).reshape(shape)

    def _evict(self, need: int) -> bool:
        for size, lst in self.bufs.items():
            for a in list(lst):
                if sys.getrefcount(a) == _FREE_RC + 1:
                    lst.remove(a)
                    self.total -= size
                    if self.total + need <= self.limit:
                        return True
        return False

    def clear(self) -> None:
        self.bufs.clear()
        self.total = 0


def _bucket(nbytes: int) -> int:
    step = 1 << max(nbytes.bit_length() - 4, 6)
    return -(-nbytes // step) * step


def _free_refcount() -> int:
    # The count getrefcount reports, in _Workspace.get's loop, for an array only the
    # pool's list refers to (measured rather than assumed: interpreters differ).
    lst = [np.empty(1)]
    for a in lst:
        return sys.getrefcount(a)


_FREE_RC = _free_refcount()
_WS = _Workspace(512 << 20)
_buf = _WS.get


# -- data layouts --------------------------------------------------------------
# An op's input and output sequence is in one of three layouts: packed rows (N, F),
# time-major (T, B, F), or batch-first (B, T, F); inside, it is always packed rows.
_ROWS, _TM, _BF = 0, 1, 2


def _input_rows(x: np.ndarray, layout: int, N: int, aug: bool) -> np.ndarray:
    """The input sequence as contiguous (N, F) rows; with ``aug`` a column of ones is
    appended, which carries the biases through the projection GEMM."""
    if layout == _BF:
        x = x.transpose(1, 0, 2)
    F = x.shape[-1]
    if not aug:
        if x.flags.c_contiguous:
            return x.reshape(N, F)
        out = _buf(x.shape, x.dtype)
        np.copyto(out, x)
        return out.reshape(N, F)
    out = _buf((N, F + 1), x.dtype)
    np.copyto(out.reshape(x.shape[:-1] + (F + 1,))[..., :F], x)
    out[:, F] = 1
    return out


def _from_rows(y: np.ndarray, layout: int, s: _Schedule) -> np.ndarray:
    if layout == _ROWS:
        return y
    y = y.reshape(s.T, s.B, y.shape[-1])
    return y.transpose(1, 0, 2) if layout == _BF else y


def _rows_of_grad(g: np.ndarray, layout: int, N: int) -> np.ndarray:
    """An output gradient as (N, F) rows; a strided view is fine (read step by step)."""
    if layout == _BF:
        g = g.transpose(1, 0, 2)
    return g.reshape(N, g.shape[-1])


def _grad_from_rows(g: np.ndarray, layout: int, s: _Schedule) -> np.ndarray:
    if layout == _BF:
        out = _buf((s.B, s.T, g.shape[-1]), g.dtype)
        np.copyto(out, g.reshape(s.T, s.B, g.shape[-1]).transpose(1, 0, 2))
        return out
    if layout == _TM:
        return g.reshape(s.T, s.B, g.shape[-1])
    return g


def _prev_state(buf: np.ndarray, p0: int, b: int, g: int, N: int) -> np.ndarray:
    if g:
        # The batch grows here (reverse pass, packed): new sequences start from h0.
        return np.concatenate((buf[p0:p0 + g], buf[N + g:N + b]))
    return buf[p0:p0 + b]


_ONES: dict = {}


def _colsum(a: np.ndarray) -> np.ndarray:
    """Sum over the rows of each gate block of a (G, N, H) array, as one GEMV."""
    key = (a.shape[1], a.dtype)
    o = _ONES.get(key)
    if o is None:
        if len(_ONES) > 64:
            _ONES.clear()
        o = _ONES[key] = np.ones(a.shape[1], a.dtype)
    return np.matmul(o, a)


# -- the layer op --------------------------------------------------------------
class _Layer(Op):
    """One layer of a recurrent stack, all its directions, over a whole sequence (or one
    step, for the cells).

    Inputs: ``x, h0, [c0]``, then each direction's ``W_ih, W_hh, [b_ih, b_hh], [W_hr]``;
    ``h0`` (and ``c0``) is ``(num_directions, B, H)``, or ``(B, H)`` for a cell. Outputs
    ``(y, h_n[, c_n])`` with the directions side by side in y's last dimension; a cell
    returns the new state (``h``, or ``(h, c)``).

    The input projection of every step, gate and direction is one batched GEMM over the
    input with a column of ones appended, so the biases ride along. Each direction's
    recurrence then runs over preallocated arrays, keeping what backward needs (for the
    LSTM and GRU, backward's derivative factors are formed from them in as few passes as
    possible). In backward each direction runs BPTT into gate-gradient arrays; the input
    gradient of all directions is one GEMM over those laid out as rows, the W_ih/bias
    gradients one GEMM per direction, each W_hh gradient one GEMM over all steps.

    Gate pre-activations are kept gate-major, (G, N, H): each gate of a step is then a
    contiguous (b, H) block, and NumPy's element-wise loops are several times faster on
    contiguous blocks than on column slices of a wide (N, G*H) array. The cost of the
    loops is the number of passes over those blocks, not the number of calls.
    """
    G = 1
    nstate = 1
    # The gradient of b_hh equals that of b_ih (both add to the same pre-activation).
    hidden_bias_is_input_bias = True

    def __init__(self, s: _Schedule, ndir: int, bias: bool, layout_in: int, layout_out: int,
                 cell: bool = False, copy_out: bool = False, proj: bool = False,
                 aug_out: bool = False, xaug: np.ndarray | None = None,
                 grad: bool = True) -> None:
        self.s = s
        # Whether backward may run (forward then also keeps what only backward needs).
        self.grad = grad
        self.aug_out = aug_out
        self.xaug = xaug
        self.ndir = ndir
        self.bias = bias
        self.lin = layout_in
        self.lout = layout_out
        self.cell = cell
        self.copy_out = copy_out
        self.proj = proj
        per = self.per = (4 if bias else 2) + (1 if proj else 0)
        k = self.k = 1 + self.nstate
        # Backward reads x and the weights: guard them against in-place changes.
        self.checks = (0,) + tuple(k + d * per + j for d in range(ndir) for j in (0, 1))

    def _dir_weights(self, arrays, d: int):
        w = arrays[self.k + d * self.per:self.k + (d + 1) * self.per]
        bi = bh = Wr = None
        if self.bias:
            bi, bh = w[2], w[3]
        if self.proj:
            Wr = w[-1]
        return w[0], w[1], bi, bh, Wr

    def forward(self, *arrays):
        s = self.s
        D, G, N, B = self.ndir, self.G, s.N, s.B
        ws = [self._dir_weights(arrays, d) for d in range(D)]
        Wi, Wh = ws[0][0], ws[0][1]
        dt = Wh.dtype
        H = Wh.shape[0] // G
        P = Wh.shape[1]
        states = arrays[1:self.k]
        self.sshape = [a.shape for a in states]
        X = self.xaug
        self.xaug = None
        if X is None:
            X = _input_rows(arrays[0], self.lin, N, self.bias)
        Ii = Wi.shape[1]
        WiT = np.empty((D * G, X.shape[1], H), dt)
        for d, w in enumerate(ws):
            self._input_weights(WiT[d * G:(d + 1) * G], Ii, *w)
        U = np.matmul(X, WiT, out=_buf((D * G, N, H), dt))
        if D == 1:
            ybufs = [_buf((N + B, P), dt)]
        else:
            # Both directions' states in one buffer, side by side: the forward one in rows
            # [0, N + B) ([h0; y]), the reverse one in rows [B, N + 2B) ([y; h0]), so rows
            # [B, N + B) are the layer's output with no copy. With ``aug_out`` a column of
            # ones follows: the next layer's input with its bias column (see _input_rows).
            S = _buf((N + 2 * B, D * P + self.aug_out), dt)
            ybufs = [S[:N + B, :P], S[B:, P:2 * P]]
            if self.aug_out:
                S[B:N + B, 2 * P] = 1
                self.xaug = S[B:N + B]
        saved = []
        for d, w in enumerate(ws):
            st = [a.reshape(D, B, a.shape[-1])[d] for a in states]
            saved.append(self._forward_dir(d == 1, U[d * G:(d + 1) * G], st, w, ybufs[d]))
        self.saved = (X, saved, ws)
        if self.cell:
            return self._cell_outputs(saved[0])
        Y = ybufs[0][B:] if D == 1 else S[B:N + B, :D * P]
        if self.copy_out:
            Yc = _buf(Y.shape, dt)
            np.copyto(Yc, Y)
            Y = Yc
        y = _from_rows(Y, self.lout, s)
        finals = []
        for k in range(self.nstate):
            w = self.sshape[k][-1]
            f = np.empty((D, B, w), dt)
            for d in range(D):
                rows = s.last_rows(d == 1)
                buf = saved[d][k]
                f[d] = buf[rows:rows + B] if type(rows) is int else buf[rows]
            finals.append(f.reshape(self.sshape[k]))
        return (y, *finals)

    def backward(self, *gys):
        X, saved, ws = self.saved
        s = self.s
        D, G, N, B = self.ndir, self.G, s.N, s.B
        Wi, Wh = ws[0][0], ws[0][1]
        dt = Wh.dtype
        H = Wh.shape[0] // G
        P = Wh.shape[1]
        needs = self.needs
        out = [None] * len(needs)
        if self.cell:
            gY = gys[0]
            gst = [None] + [g.reshape(1, B, g.shape[-1]) for g in gys[1:]]
        else:
            gY = _rows_of_grad(gys[0], self.lout, N)
            gst = [g.reshape(D, B, g.shape[-1]) for g in gys[1:]]
        full, inx = self._grad_buffers(D, N, H, dt)
        dstates = [np.empty((D, B, shp[-1]), dt) for shp in self.sshape]
        for d in range(D):
            gYd = gY if D == 1 else gY[:, d * P:(d + 1) * P]
            init = [None if g is None else g[d] for g in gst]
            res = self._backward_dir(d, saved[d], ws[d], gYd, init, full[d], out)
            for k, r in enumerate(res):
                dstates[k][d] = r
        for k in range(self.nstate):
            if needs[1 + k]:
                out[1 + k] = dstates[k].reshape(self.sshape[k])
        per, k0 = self.per, self.k
        nb = 3 if self.hidden_bias_is_input_bias else 2
        need_wi = any(needs[k0 + d * per] or (self.bias and (needs[k0 + d * per + 2]
                                                             or needs[k0 + d * per + nb]))
                      for d in range(D))
        R = None
        if needs[0]:
            R = _buf((N, D * G * H), dt)
            np.copyto(R.reshape(N, D, G, H), inx.transpose(2, 0, 1, 3))
            Wrow = np.concatenate([self._input_grad_weights(w[0], H) for w in ws])
            gx = np.matmul(R, Wrow, out=_buf((N, Wrow.shape[1]), dt))
            out[0] = _grad_from_rows(gx, self.lin, s)
        if need_wi:
            Ii = Wi.shape[1]
            GH = G * H
            if R is not None:
                dWall = np.matmul(R.T, X).reshape(D, G, H, -1)
            order = self.order
            for d in range(D):
                # (G, H, F) in internal gate order, from the rows when they exist, else as
                # X^T @ gates (no row copy needed).
                if R is not None:
                    dW = dWall[d]
                else:
                    dW = np.matmul(X.T, inx[d]).transpose(0, 2, 1)
                dW = dW[order]
                i = k0 + d * per
                if needs[i]:
                    out[i] = dW[:, :, :Ii].reshape(GH, Ii)
                if self.bias:
                    b = dW[:, :, Ii].reshape(GH)
                    if needs[i + 2]:
                        out[i + 2] = b
                    if needs[i + 3] and out[i + 3] is None:
                        out[i + 3] = b.copy()
        return tuple(out)

    def _hidden_prev(self, ybuf: np.ndarray, reverse: bool) -> np.ndarray:
        return _take(ybuf, self.s.prev_rows(reverse), self.s.N)

    def _init_state(self, reverse: bool, buf: np.ndarray, h0: np.ndarray):
        s = self.s
        if reverse:
            buf[s.N:] = h0
            return s.rev
        buf[:s.B] = h0
        return s.fwd


class _RNNLayer(_Layer):
    """Elman RNN, ``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)`` with act tanh or relu."""
    _name = 'TanhBackward0'

    def __init__(self, *args, relu: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.relu = relu
        if relu:
            # A cell's output is the non-linearity's; _run renames a layer's op.
            self._name = 'ReluBackward0'

    @staticmethod
    def _input_weights(dst, ni, Wi, Wh, bi, bh, Wr):
        dst[0, :ni] = Wi.T
        if bi is not None:
            np.add(bi, bh, out=dst[0, ni])

    @staticmethod
    def _input_grad_weights(Wi, H):
        return Wi

    order = [0]

    def _grad_buffers(self, D, N, H, dt):
        full = _buf((D, 1, N, H), dt)
        return full, full

    def _cell_outputs(self, sv):
        return sv[0][self.s.B:]

    def _forward_dir(self, reverse, U, st, w, ybuf):
        s = self.s
        N, B = s.N, s.B
        Wh = w[1]
        H = Wh.shape[0]
        steps = self._init_state(reverse, ybuf, st[0])
        WhT = np.ascontiguousarray(Wh.T)
        tmp = np.empty((B, H), Wh.dtype)
        # Element-wise loops write strided rows (a view of a shared buffer) at half speed:
        # such a state is computed in ``tmp`` and copied.
        contig = ybuf.flags.c_contiguous
        u = U[0]
        relu = self.relu
        for r0, b, o0, p0, g in steps:
            hp = _prev_state(ybuf, p0, b, g, N)
            t = tmp[:b]
            np.matmul(hp, WhT, out=t)
            y = ybuf[o0:o0 + b] if contig else t
            np.add(t, u[r0:r0 + b], out=y)
            if relu:
                np.maximum(y, 0, out=y)
            else:
                np.tanh(y, out=y)
            if not contig:
                ybuf[o0:o0 + b] = t
        return (ybuf,)

    def _backward_dir(self, d, sv, w, gY, init, full, out):
        ybuf, = sv
        s = self.s
        N, B = s.N, s.B
        Wh = w[1]
        H = Wh.shape[0]
        reverse = d == 1
        Y = ybuf[:N] if reverse else ybuf[B:]
        Dd = full[0]
        if self.relu:
            np.greater(Y, 0, out=Dd)
        else:
            np.multiply(Y, Y, out=Dd)
            np.subtract(1, Dd, out=Dd)
        dh = np.zeros((B, H), Wh.dtype) if init[0] is None else init[0].copy()
        for r0, b, _, _, _ in (s.fwd if reverse else s.rev):
            dhb = dh[:b]
            dhb += gY[r0:r0 + b]
            dd = Dd[r0:r0 + b]
            np.multiply(dhb, dd, out=dd)
            np.matmul(dd, Wh, out=dhb)
        i = self.k + d * self.per
        if self.needs[i + 1]:
            out[i + 1] = np.matmul(Dd.T, self._hidden_prev(ybuf, reverse),
                                   out=_buf((H, H), Wh.dtype))
        return (dh,)


# Internal LSTM gate order (o, i, f, g): the three sigmoid gates are adjacent, and so
# are the three gates whose gradients are products with the cell-state gradient.
# PyTorch's order is (i, f, g, o); _LSTM_ORDER[k] is the PyTorch gate at internal
# position k, _LSTM_INV[k] the internal position of PyTorch's gate k.
_LSTM_ORDER = [3, 0, 1, 2]
_LSTM_INV = [1, 2, 3, 0]


class _LSTMLayer(_Layer):
    """LSTM: ``i, f, o = sigmoid(.)``, ``g = tanh(.)``, ``c' = f c + i g``, ``h' = o tanh(c')``
    (and ``h' = (o tanh(c')) W_hr^T`` with a projection)."""
    # A cell's c' = f c + i g; _run renames a layer's op.
    _name = 'AddBackward0'
    G = 4
    nstate = 2
    # A recorded cell outputs (o, c') and leaves h' = o tanh(c') to a Mul and a Tanh node,
    # as PyTorch's graph has them; backward then gets o's gradient (not h's) and the whole
    # gradient of c'.
    split = False

    @staticmethod
    def _input_weights(dst, ni, Wi, Wh, bi, bh, Wr):
        H = Wh.shape[0] // 4
        dst[:, :ni] = Wi.reshape(4, H, ni)[_LSTM_ORDER].transpose(0, 2, 1)
        if bi is not None:
            dst[:, ni] = (bi + bh).reshape(4, H)[_LSTM_ORDER]
        # NOTE: sigmoid(a) = (1 + tanh(a / 2)) / 2: the sigmoid gates' weights are halved
        # here, so that one tanh call per step serves all four gates.
        dst[:3] *= 0.5

    @staticmethod
    def _input_grad_weights(Wi, H):
        return Wi.reshape(4, H, -1)[_LSTM_ORDER].reshape(4 * H, -1)

    order = _LSTM_INV

    def _grad_buffers(self, D, N, H, dt):
        full = _buf((D, 4, N, H), dt)
        return full, full

    def _cell_outputs(self, sv):
        B = self.s.B
        if self.split:
            return sv[2][0].copy(), sv[1][B:].copy()
        return sv[0][B:], sv[1][B:].copy()

    def _forward_dir(self, reverse, A, st, w, ybuf):
        s = self.s
        N, B = s.N, s.B
        Wh, Wr = w[1], w[4]
        H4, P = Wh.shape
        H = H4 // 4
        dt = Wh.dtype
        Whs = Wh.reshape(4, H, P)[_LSTM_ORDER]
        Whs[:3] *= 0.5
        # A contiguous (P, H) block per gate: BLAS is markedly slower on transposed views.
        WhsT = np.ascontiguousarray(Whs.transpose(0, 2, 1))
        contig = ybuf.flags.c_contiguous
        ytmp = None if contig else np.empty((B, P), dt)
        cbuf = _buf((N + B, H), dt)
        TC = _buf((N, H), dt)
        M = _buf((N, H), dt) if Wr is not None else None
        steps = self._init_state(reverse, ybuf, st[0])
        self._init_state(reverse, cbuf, st[1])
        WrT = Wr.T if Wr is not None else None
        tmp = _buf((4, B, H), dt)
        tmp2 = np.empty((B, H), dt)
        for r0, b, o0, p0, g in steps:
            r1 = r0 + b
            hp = _prev_state(ybuf, p0, b, g, N)
            cp = _prev_state(cbuf, p0, b, g, N)
            t = tmp[:, :b]
            np.matmul(hp, WhsT, out=t)
            a = A[:, r0:r1]
            a += t
            np.tanh(a, out=a)
            sg = a[:3]
            sg *= 0.5
            sg += 0.5
            c = cbuf[o0:o0 + b]
            np.multiply(a[2], cp, out=c)
            t2 = tmp2[:b]
            np.multiply(a[1], a[3], out=t2)
            c += t2
            tc = TC[r0:r1]
            np.tanh(c, out=tc)
            y = ybuf[o0:o0 + b] if contig else ytmp[:b]
            if M is None:
                np.multiply(a[0], tc, out=y)
            else:
                m = M[r0:r1]
                np.multiply(a[0], tc, out=m)
                np.matmul(m, WrT, out=y)
            if not contig:
                ybuf[o0:o0 + b] = y
        return ybuf, cbuf, A, TC, M

    def _backward_dir(self, d, sv, w, gY, init, D, out):
        ybuf, cbuf, A, TC, M = sv
        s = self.s
        N, B = s.N, s.B
        Wh, Wr = w[1], w[4]
        H4, P = Wh.shape
        H = H4 // 4
        dt = Wh.dtype
        reverse = d == 1
        dh = np.zeros((B, P), dt) if init[0] is None else init[0].copy()
        dc = init[1].copy()
        # NOTE: with m = o tanh(c) (= h without a projection), for every step at once:
        #   d pre_o = dm * [o (1 - o) tanh(c)],   dc += dm * [o (1 - tanh(c)^2)],
        #   d pre_i = dc * [i (1 - i) g],  d pre_f = dc * [f (1 - f) c_prev],
        #   d pre_g = dc * [(1 - g^2) i],  and dc_prev = dc * f.
        # The bracketed factors are computed here in bulk, into D (gates o, i, f, g) and K;
        # the loop then turns D into the gate gradients in place, two products per step.
        cprev = _take(cbuf, s.prev_rows(reverse), N)
        S = A[:3]
        np.subtract(1, S, out=D[:3])
        D[:3] *= S
        if not self.split:
            D[0] *= TC
        D[1] *= A[3]
        D[2] *= cprev
        np.multiply(A[3], A[3], out=D[3])
        np.subtract(1, D[3], out=D[3])
        D[3] *= A[1]
        K = np.multiply(TC, TC, out=_buf((N, H), dt))
        np.subtract(1, K, out=K)
        K *= A[0]
        F = A[2]
        Wh3 = Wh.reshape(4, H, P)[_LSTM_ORDER]
        tmp = np.empty((B, H), dt)
        tmp4 = _buf((4, B, P), dt)
        if Wr is not None:
            GHs = _buf((N, P), dt)
            dmb_all = np.empty((B, H), dt)
        add = np.add
        mul = np.multiply
        for r0, b, _, _, _ in (s.fwd if reverse else s.rev):
            r1 = r0 + b
            dhb = dh[:b]
            dcb = dc[:b]
            dhb += gY[r0:r1]
            if Wr is not None:
                GHs[r0:r1] = dhb
                dmb = dmb_all[:b]
                np.matmul(dhb, Wr, out=dmb)
            else:
                dmb = dhb
            dd = D[:, r0:r1]
            d0 = dd[0]
            mul(dmb, d0, out=d0)
            if not self.split:
                t = tmp[:b]
                mul(dmb, K[r0:r1], out=t)
                dcb += t
            d3 = dd[1:]
            mul(dcb, d3, out=d3)
            dcb *= F[r0:r1]
            t4 = tmp4[:, :b]
            np.matmul(dd, Wh3, out=t4)
            add.reduce(t4, axis=0, out=dhb)
        i = self.k + d * self.per
        needs = self.needs
        if needs[i + 1]:
            hprev = self._hidden_prev(ybuf, reverse)
            gW = np.matmul(D.transpose(0, 2, 1), hprev, out=_buf((4, H, P), dt))
            out[i + 1] = gW[_LSTM_INV].reshape(H4, P)
        if Wr is not None and needs[i + self.per - 1]:
            out[i + self.per - 1] = np.matmul(GHs.T, M)
        return dh, dc


class _GRULayer(_Layer):
    """GRU: ``r, z = sigmoid(.)``, ``n = tanh(W_in x + b_in + r (W_hn h + b_hn))``,
    ``h' = (1 - z) n + z h``."""
    # A cell's h' = n + z (h - n); _run renames a layer's op.
    _name = 'AddBackward0'
    G = 3
    hidden_bias_is_input_bias = False

    @staticmethod
    def _input_weights(dst, ni, Wi, Wh, bi, bh, Wr):
        H = Wh.shape[1]
        dst[:, :ni] = Wi.reshape(3, H, ni).transpose(0, 2, 1)
        if bi is not None:
            b = dst[:, ni]
            b[:] = bi.reshape(3, H)
            b[:2] += bh.reshape(3, H)[:2]
        dst[:2] *= 0.5  # sigmoid via tanh of half the pre-activation (see _LSTMLayer)

    @staticmethod
    def _input_grad_weights(Wi, H):
        # Gate-gradient rows of the input side are in the order (n, r, z).
        return Wi.reshape(3, H, -1)[[2, 0, 1]].reshape(3 * H, -1)

    # Internal position of PyTorch's gates r, z, n among the input-side gate gradients.
    order = [1, 2, 0]

    def _grad_buffers(self, D, N, H, dt):
        # Per direction (n_i, r, z, n_h): [0:3] are the input projection's gate
        # gradients, [1:4] the hidden projection's (r and z are shared).
        full = _buf((D, 4, N, H), dt)
        return full, full[:, :3]

    def _cell_outputs(self, sv):
        return sv[0][self.s.B:]

    def _forward_dir(self, reverse, U, st, w, ybuf):
        s = self.s
        N, B = s.N, s.B
        Wh, bh = w[1], w[3]
        H = Wh.shape[1]
        dt = Wh.dtype
        Whs = Wh.reshape(3, H, H)
        # Contiguous (H, H) blocks (BLAS is slower on transposed views); r and z halved
        # for sigmoid through tanh, as in _input_weights.
        WrzT = np.ascontiguousarray(Whs[:2].transpose(0, 2, 1))
        WrzT *= 0.5
        WnT = np.ascontiguousarray(Whs[2].T)
        bhn = bh[2 * H:] if bh is not None else None
        steps = self._init_state(reverse, ybuf, st[0])
        # U becomes (r, z, n) in place, GHn holds W_hn h + b_hn. When backward will run,
        # the derivative factors it needs are formed here, while each step's values are in
        # cache, over arrays that are no longer needed: U[2] <- (1 - z)(1 - n^2),
        # GHn <- (W_hn h + b_hn) r (1 - r), ZD <- (h - n) z (1 - z).
        GHn = _buf((N, H), dt)
        grad = self.grad
        ZD = _buf((N, H), dt) if grad else None
        trz = _buf((2, B, H), dt)
        tmp = np.empty((B, H), dt)
        tmp2 = np.empty((B, H), dt)
        contig = ybuf.flags.c_contiguous
        # A strided state (shared buffer) is computed in a contiguous array, copied, and
        # read from there by the next step.
        ytmp = None if contig else np.empty((2, B, H), dt)
        mul, add, sub, tanh = np.multiply, np.add, np.subtract, np.tanh
        prev = None
        for k, (r0, b, o0, p0, g) in enumerate(steps):
            r1 = r0 + b
            hp = _prev_state(ybuf, p0, b, g, N) if prev is None or g else prev[:b]
            t2 = trz[:, :b]
            np.matmul(hp, WrzT, out=t2)
            ghn = GHn[r0:r1]
            np.matmul(hp, WnT, out=ghn)
            if bhn is not None:
                add(ghn, bhn, out=ghn)
            rz = U[:2, r0:r1]
            add(rz, t2, out=rz)
            tanh(rz, out=rz)
            mul(rz, 0.5, out=rz)
            add(rz, 0.5, out=rz)
            r, z = rz
            n = U[2, r0:r1]
            t = tmp[:b]
            mul(r, ghn, out=t)
            add(n, t, out=n)
            tanh(n, out=n)
            # y = n + z (h - n)
            d = ZD[r0:r1] if grad else tmp2[:b]
            sub(hp, n, out=d)
            mul(d, z, out=d)
            y = ybuf[o0:o0 + b] if contig else ytmp[k & 1, :b]
            add(d, n, out=y)
            if not contig:
                ybuf[o0:o0 + b] = y
                prev = y
            if grad:
                omz = tmp2[:b]
                sub(1, z, out=omz)
                mul(d, omz, out=d)
                mul(n, n, out=n)
                sub(1, n, out=n)
                mul(n, omz, out=n)
                sub(1, r, out=t)
                mul(t, r, out=t)
                mul(ghn, t, out=ghn)
        return ybuf, U, GHn, ZD

    def _backward_dir(self, d, sv, w, gY, init, DG, out):
        ybuf, U, Dr, Dz = sv
        s = self.s
        B = s.B
        Wh = w[1]
        H = Wh.shape[1]
        dt = Wh.dtype
        reverse = d == 1
        dh = np.zeros((B, H), dt) if init[0] is None else init[0].copy()
        # d pre_n = dh Dn, d pre_z = dh Dz, d pre_r = d pre_n Dr (factors from forward).
        R, Z, Dn = U
        Wh3 = Wh.reshape(3, H, H)
        tmp = np.empty((B, H), dt)
        tmp3 = _buf((3, B, H), dt)
        mul, add = np.multiply, np.add
        for r0, b, _, _, _ in (s.fwd if reverse else s.rev):
            r1 = r0 + b
            dhb = dh[:b]
            add(dhb, gY[r0:r1], out=dhb)
            dn = DG[0, r0:r1]
            mul(dhb, Dn[r0:r1], out=dn)
            mul(dhb, Dz[r0:r1], out=DG[2, r0:r1])
            mul(dn, Dr[r0:r1], out=DG[1, r0:r1])
            mul(dn, R[r0:r1], out=DG[3, r0:r1])
            t = tmp[:b]
            mul(dhb, Z[r0:r1], out=t)
            t3 = tmp3[:, :b]
            np.matmul(DG[1:, r0:r1], Wh3, out=t3)
            add(t3[0], t3[1], out=dhb)
            add(dhb, t3[2], out=dhb)
            add(dhb, t, out=dhb)
        i = self.k + d * self.per
        needs = self.needs
        if needs[i + 1]:
            hprev = self._hidden_prev(ybuf, reverse)
            gW = np.matmul(DG[1:].transpose(0, 2, 1), hprev, out=_buf((3, H, H), dt))
            out[i + 1] = gW.reshape(3 * H, H)
        if self.bias and needs[i + 3]:
            out[i + 3] = _colsum(DG[1:]).reshape(3 * H)
        return (dh,)


# -- stacking layers and directions -------------------------------------------
def _track_output(op: Op, y: Tensor) -> None:
    """Makes backward refuse to run if ``y`` (whose array the op saved) is changed in place."""
    if y.grad_fn is op:
        vc = y._vc = [0]
        if op.vers is None:
            op.vers = []
        op.vers.append((vc, 0, -1))


def _dropout(x: Tensor, p: float) -> Tensor:
    """Dropout between layers as PyTorch draws it: a Bernoulli(1 - p) mask from the
    default generator, divided by 1 - p, times the input."""
    d = x._data
    if p == 1:
        return mul(x, _wrap(np.zeros((), d.dtype)))
    q = 1.0 - p
    noise = (default_generator._uniform(d.size, np.float64) < q).astype(d.dtype)
    noise *= d.dtype.type(1) / d.dtype.type(q)
    return mul(x, _wrap(noise.reshape(d.shape)))


class _StackFinals(Op):
    """``h_n`` (or ``c_n``) of a stack: the layers' final states, each
    ``(num_directions, B, H)``, one after the other. PyTorch stacks the per-layer,
    per-direction finals, so ``h_n`` has a node of its own, distinct from the output's."""
    _name = 'StackBackward0'

    def forward(self, *fs):
        self.sizes = [f.shape[0] for f in fs]
        return np.concatenate(fs, 0)

    def backward(self, gy):
        if len(self.sizes) == 1:
            return gy
        gs = []
        i = 0
        for need, n in zip(self.needs, self.sizes):
            gs.append(gy[i:i + n] if need else None)
            i += n
        return tuple(gs)


def _output_name(is_lstm: bool, layout: int, ndir: int, proj: bool, dt) -> str:
    """The grad_fn name PyTorch's CPU kernels give a layer's output: the op that produced
    it last (the padded output of a packed run, the transpose back to batch-first, the
    concatenation of two directions, the stack of steps, or oneDNN's fused LSTM layer)."""
    if layout == _ROWS or (ndir == 2 and layout != _BF):
        return 'CatBackward0'
    if layout == _BF:
        # NOTE: the generic kernels transpose their result in place (transpose_); the
        # LSTM path transposes out of place, also when it falls back from oneDNN.
        return 'TransposeBackward0' if is_lstm else 'TransposeBackward1'
    if is_lstm and not proj and dt == np.float32:
        return 'MkldnnRnnLayerBackward0'
    return 'StackBackward0'


def _run(cls, x: Tensor, s: _Schedule, layout: int, hxs: list, params, has_biases: bool,
         num_layers: int, dropout: float, train: bool, bidirectional: bool,
         proj: bool = False, **kw):
    """Runs a stack of recurrent layers, one op per layer; returns the last layer's output
    and the final states (each ``(num_layers * num_directions, B, H)``)."""
    ndir = 2 if bidirectional else 1
    per = (4 if has_biases else 2) + (1 if proj else 0)
    if len(params) != num_layers * ndir * per:
        raise RuntimeError(f'Expected {num_layers * ndir * per} weight tensors for '
                           f'{num_layers} layer(s) and {ndir} direction(s), got {len(params)}')
    recording = state.enabled and (x._rg or any(h._rg for h in hxs)
                                   or any(w._rg for w in params))
    is_lstm = cls is _LSTMLayer
    inner = _ROWS if layout == _ROWS else _TM
    finals = [[] for _ in hxs]
    inp = x
    lin = layout
    drop = dropout and train
    xaug = None
    for layer in range(num_layers):
        last = layer == num_layers - 1
        # The last layer's output is a view of what backward reads. PyTorch lets it be
        # changed in place except for a one-direction LSTM: copy it, or track its version.
        aliased = recording and last
        track = aliased and is_lstm and ndir == 1
        # A two-direction layer feeding the next one directly hands over its output with
        # the bias column of ones already in place.
        aug = not last and ndir == 2 and has_biases and not drop
        states = hxs if num_layers == 1 else [h[layer * ndir:(layer + 1) * ndir] for h in hxs]
        lout = layout if last else inner
        op = cls(s, ndir, has_biases, lin, lout, False, aliased and not track, proj, aug, xaug,
                 recording, **kw)
        op._name = _output_name(is_lstm, lout, ndir, proj, x._data.dtype)
        res = op.apply(inp, *states, *params[layer * ndir * per:(layer + 1) * ndir * per])
        xaug = op.xaug
        op.xaug = None
        if track:
            _track_output(op, res[0])
        for k, f in enumerate(finals):
            f.append(res[1 + k])
        inp = res[0]
        if drop and not last:
            inp = _dropout(inp, dropout)
        lin = inner
    if not recording:
        return inp, [f[0] if num_layers == 1 else cat(f, 0) for f in finals]
    return inp, [_StackFinals().apply(*f) for f in finals]


def _schedule_of(x: Tensor, batch_sizes, batch_first: bool):
    """The schedule and layout of an input: packed data with ``batch_sizes``, or a 3-D
    (T, B, F) / (B, T, F) tensor."""
    if batch_sizes is not None:
        return _schedule(tuple(batch_sizes._data.tolist())), _ROWS
    if x._data.ndim != 3:
        raise RuntimeError(f'input must have 3 dimensions, got {x._data.ndim}')
    if batch_first:
        B, T = x._data.shape[:2]
    else:
        T, B = x._data.shape[:2]
    if T == 0:
        raise RuntimeError('Expected sequence length to be larger than 0 in RNN')
    return _schedule((B,) * T), (_BF if batch_first else _TM)


def _check_dtypes(x: Tensor, params) -> None:
    dt = x._data.dtype
    for w in params:
        if w._data.dtype != dt:
            raise RuntimeError(f'expected scalar type {_TYPE[w._data.dtype.name]} but found '
                               f'{_TYPE[dt.name]}')


_TYPE = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half'}


def _packed_args(args, nstate_is_tuple: bool):
    """Splits ``_VF`` arguments into (x, batch_sizes, hx, rest) for either overload."""
    if nstate_is_tuple:
        packed = isinstance(args[1], Tensor)
    else:
        packed = isinstance(args[2], Tensor)
    if packed:
        x, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidir = args
        batch_first = False
    else:
        x, hx, params, has_biases, num_layers, dropout, train, bidir, batch_first = args
        batch_sizes = None
    return x, batch_sizes, hx, list(params), has_biases, num_layers, dropout, train, bidir, \
        batch_first


def _simple(cls, args, **kw):
    (x, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidir,
     batch_first) = _packed_args(args, False)
    s, layout = _schedule_of(x, batch_sizes, batch_first)
    _check_dtypes(x, params)
    out, (hn,) = _run(cls, x, s, layout, [hx], params, has_biases, num_layers, float(dropout),
                      bool(train), bool(bidir), **kw)
    return out, hn


def rnn_tanh(*args):
    """A stack of tanh RNN layers over a whole sequence; PyTorch's ``_VF.rnn_tanh``:
    ``(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
    batch_first)`` or ``(data, batch_sizes, hx, params, ...)``. Returns ``(output, h_n)``."""
    return _simple(_RNNLayer, args)


def rnn_relu(*args):
    """As :func:`rnn_tanh` with ReLU as the non-linearity."""
    return _simple(_RNNLayer, args, relu=True)


def gru(*args):
    """A stack of GRU layers over a whole sequence (arguments as :func:`rnn_tanh`)."""
    return _simple(_GRULayer, args)


def lstm(*args):
    """A stack of LSTM layers over a whole sequence; ``hx`` is ``(h_0, c_0)``; a projection
    is used when ``h_0`` is narrower than ``c_0`` (then each layer has a 5th weight,
    ``W_hr``). Returns ``(output, h_n, c_n)``."""
    (x, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidir,
     batch_first) = _packed_args(args, True)
    h0, c0 = hx
    proj = h0.shape[-1] != c0.shape[-1]
    s, layout = _schedule_of(x, batch_sizes, batch_first)
    _check_dtypes(x, params)
    out, (hn, cn) = _run(_LSTMLayer, x, s, layout, [h0, c0], params, has_biases, num_layers,
                         float(dropout), bool(train), bool(bidir), proj=proj)
    return out, hn, cn


# -- cells ---------------------------------------------------------------------
def _cell_check(x: Tensor, hs, W_ih: Tensor, W_hh: Tensor) -> None:
    if x._data.shape[-1] != W_ih._data.shape[1]:
        raise RuntimeError(f'input has inconsistent input_size: got {x._data.shape[-1]} '
                           f'expected {W_ih._data.shape[1]}')
    B = x._data.shape[0]
    H = W_hh._data.shape[1]
    for k, h in enumerate(hs):
        hb = h._data.shape[0]
        if hb != B:
            raise RuntimeError(f"Input batch size {B} doesn't match hidden{k} batch size {hb}")
        if h._data.shape[1] != H:
            raise RuntimeError(f'hidden{k} has inconsistent hidden_size: got '
                               f'{h._data.shape[1]}, expected {H}')
    _check_dtypes(x, [W_ih, W_hh] + list(hs))


def _cell(cls, x, hs, W_ih, W_hh, b_ih, b_hh, split: bool = False, **kw):
    _cell_check(x, hs, W_ih, W_hh)
    s = _schedule((x._data.shape[0],))
    bias = b_ih is not None
    op = cls(s, 1, bias, _ROWS, _ROWS, True, False, False, **kw)
    if split:
        op.split = True
    ws = (W_ih, W_hh, b_ih, b_hh) if bias else (W_ih, W_hh)
    return op, op.apply(x, *hs, *ws)


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One tanh RNN step for a (B, input_size) input and (B, hidden_size) state."""
    op, h = _cell(_RNNLayer, input, (hx,), w_ih, w_hh, b_ih, b_hh)
    _track_output(op, h)
    return h


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One ReLU RNN step (see :func:`rnn_tanh_cell`)."""
    op, h = _cell(_RNNLayer, input, (hx,), w_ih, w_hh, b_ih, b_hh, relu=True)
    _track_output(op, h)
    return h


def lstm_cell(input: Tensor, hx, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None):
    """One LSTM step; ``hx`` is ``(h, c)``; returns ``(h', c')``."""
    hx = tuple(hx)
    if not (state.enabled and (input._rg or any(t is not None and t._rg
                                                for t in (*hx, w_ih, w_hh, b_ih, b_hh)))):
        return _cell(_LSTMLayer, input, hx, w_ih, w_hh, b_ih, b_hh)[1]
    o, c = _cell(_LSTMLayer, input, hx, w_ih, w_hh, b_ih, b_hh, split=True)[1]
    return mul(o, tanh(c)), c


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,
             b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One GRU step (see :func:`rnn_tanh_cell`)."""
    return _cell(_GRULayer, input, (hx,), w_ih, w_hh, b_ih, b_hh)[1]


# -- packing and padding -------------------------------------------------------
class PackPadded(Op):
    """Gathers the valid steps of a padded (T, B, *) or (B, T, *) batch into packed rows."""
    _name = 'PackPaddedSequenceBackward0'

    def __init__(self, idx: np.ndarray) -> None:
        self.idx = idx

    def forward(self, x):
        self.shape = x.shape
        return x.reshape((-1,) + x.shape[2:])[self.idx]

    def backward(self, gy):
        g = np.zeros((self.shape[0] * self.shape[1],) + self.shape[2:], gy.dtype)
        g[self.idx] = gy
        return g.reshape(self.shape)


class PadPacked(Op):
    """Scatters packed rows into a padded batch filled with ``padding_value``."""
    _name = 'torch::autograd::CopySlices'

    def __init__(self, idx: np.ndarray, shape: tuple, value: float) -> None:
        self.idx = idx
        self.shape = shape
        self.value = value

    def forward(self, data):
        out = np.full(self.shape, self.value, data.dtype)
        out.reshape((-1,) + self.shape[2:])[self.idx] = data
        return out

    def backward(self, gy):
        return np.ascontiguousarray(gy).reshape((-1,) + self.shape[2:])[self.idx]


class PadSequence(Op):
    """Stacks sequences of different lengths into one padded tensor."""
    _name = 'torch::autograd::CopySlices'

    def __init__(self, batch_first: bool, value: float, left: bool) -> None:
        self.batch_first = batch_first
        self.value = value
        self.left = left

    def _slot(self, out, i, n, L):
        start = L - n if self.left else 0
        if self.batch_first:
            return out[i, start:start + n]
        return out[start:start + n, i]

    def forward(self, *seqs):
        first = seqs[0]
        L = max(s.shape[0] for s in seqs)
        trail = first.shape[1:]
        shape = ((len(seqs), L) if self.batch_first else (L, len(seqs))) + trail
        out = np.full(shape, self.value, first.dtype)
        self.meta_in = [(s.shape, s.dtype) for s in seqs]
        self.L = L
        for i, s in enumerate(seqs):
            dst = self._slot(out, i, s.shape[0], L)
            if dst.shape != s.shape:
                try:
                    b = np.broadcast_shapes(dst.shape, s.shape)
                except ValueError:
                    broadcast_error(dst.shape, s.shape)
                if b != dst.shape:
                    raise RuntimeError(f"output with shape {list(dst.shape)} doesn't match the "
                                       f'broadcast shape {list(b)}')
            dst[...] = s
        return out

    def backward(self, gy):
        gs = []
        for i, (sh, dt) in enumerate(self.meta_in):
            if self.needs[i]:
                g = unbroadcast(self._slot(gy, i, sh[0], self.L), sh)
                gs.append(g.astype(dt, copy=False))
            else:
                gs.append(None)
        return gs[0] if len(gs) == 1 else tuple(gs)
