"""Recurrent ops: RNN (tanh/relu), LSTM and GRU cells and whole-sequence layers.

One layer-direction over a whole (possibly packed) sequence is ONE op: the input
projection of every time step is a single GEMM, the recurrence is a tight loop
that writes into preallocated float arrays (no per-step Tensors), and backward is
back-propagation through time written by hand, storing per-step gate values in
forward and doing the weight gradients as one GEMM over all steps afterwards.

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
from .shape import stack, cat

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
            for t, (r0, b) in enumerate(zip(self.off, bs)):
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


def _to_rows(x: np.ndarray, layout: int, N: int) -> np.ndarray:
    if layout == _BF:
        x = x.transpose(1, 0, 2)
    if not x.flags.c_contiguous:
        c = _buf(x.shape, x.dtype)
        np.copyto(c, x)
        x = c
    return x.reshape(N, x.shape[-1])


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
        return np.ascontiguousarray(g.reshape(s.T, s.B, g.shape[-1]).transpose(1, 0, 2))
    if layout == _TM:
        return g.reshape(s.T, s.B, g.shape[-1])
    return g


def _prev_state(buf: np.ndarray, p0: int, b: int, g: int, N: int) -> np.ndarray:
    if g:
        # The batch grows here (reverse pass, packed): new sequences start from h0.
        return np.concatenate((buf[p0:p0 + g], buf[N + g:N + b]))
    return buf[p0:p0 + b]


# -- the layer ops -------------------------------------------------------------
class _Layer(Op):
    """Shared set-up of the recurrent layer ops.

    Inputs: ``x, h0, [c0], W_ih, W_hh, [b_ih, b_hh], [W_hr]``; outputs ``(y, h_n[, c_n])``
    for a sequence, or the new state (``h`` or ``(h, c)``) for a cell.
    """
    nstate = 1

    def __init__(self, s: _Schedule, reverse: bool, bias: bool, layout_in: int,
                 layout_out: int, hshape: tuple, cell: bool = False, copy_out: bool = False,
                 proj: bool = False) -> None:
        self.s = s
        self.reverse = reverse
        self.bias = bias
        self.lin = layout_in
        self.lout = layout_out
        self.hshape = hshape
        self.cell = cell
        self.copy_out = copy_out
        self.proj = proj
        k = self.nstate
        # Backward reads x and the weights: guard them against in-place changes.
        self.checks = (0,) + tuple(range(1 + k, 3 + k))

    def _weights(self, arrays):
        k = 1 + self.nstate
        Wi, Wh = arrays[k], arrays[k + 1]
        bi = bh = Wr = None
        if self.bias:
            bi, bh = arrays[k + 2], arrays[k + 3]
        if self.proj:
            Wr = arrays[-1]
        return Wi, Wh, bi, bh, Wr

    def _out(self, Y: np.ndarray) -> np.ndarray:
        y = _from_rows(Y, self.lout, self.s)
        return y.copy() if self.copy_out else y

    def _final(self, buf: np.ndarray, k: int = 0) -> np.ndarray:
        s = self.s
        rows = s.last_rows(self.reverse)
        if type(rows) is int:
            h = buf[rows:rows + s.B].copy()
        else:
            h = buf[rows]
        return h.reshape(self.hshape[k])


class _RNNLayer(_Layer):
    """Elman RNN, ``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)`` with act tanh or relu."""
    _name = 'RnnTanhBackward0'

    def __init__(self, *args, relu: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.relu = relu
        if relu:
            self._name = 'RnnReluBackward0'

    def forward(self, *arrays):
        s = self.s
        x, h0 = arrays[0], arrays[1]
        self.h0s = h0.shape
        Wi, Wh, bi, bh, _ = self._weights(arrays)
        N, B = s.N, s.B
        H = Wh.shape[0]
        X = _to_rows(x, self.lin, N)
        ybuf = _buf((N + B, H), Wh.dtype)
        if self.reverse:
            Y = ybuf[:N]
            ybuf[N:] = h0.reshape(B, H)
            steps = s.rev
        else:
            Y = ybuf[B:]
            ybuf[:B] = h0.reshape(B, H)
            steps = s.fwd
        np.matmul(X, Wi.T, out=Y)
        if bi is not None:
            Y += bi + bh
        WhT = np.ascontiguousarray(Wh.T)
        tmp = np.empty((B, H), Wh.dtype)
        act = np.maximum if self.relu else None
        for r0, b, o0, p0, g in steps:
            hp = _prev_state(ybuf, p0, b, g, N)
            t = tmp[:b]
            np.matmul(hp, WhT, out=t)
            y = ybuf[o0:o0 + b]
            y += t
            if act is None:
                np.tanh(y, out=y)
            else:
                act(y, 0, out=y)
        self.saved = (X, ybuf, Wi, Wh)
        if self.cell:
            return Y
        return self._out(Y), self._final(ybuf)

    def backward(self, *gys):
        X, ybuf, Wi, Wh = self.saved
        s = self.s
        N, B = s.N, s.B
        H = Wh.shape[0]
        Y = ybuf[:N] if self.reverse else ybuf[B:]
        if self.relu:
            D = np.greater(Y, 0, out=_buf(Y.shape, Y.dtype))
        else:
            D = np.multiply(Y, Y, out=_buf(Y.shape, Y.dtype))
            np.subtract(1, D, out=D)
        if self.cell:
            gY = gys[0]
            dh = np.zeros((B, H), Y.dtype)
        else:
            gY = _rows_of_grad(gys[0], self.lout, N)
            dh = gys[1].reshape(B, H).copy()
        steps = s.fwd if self.reverse else s.rev
        for r0, b, _, _, _ in steps:
            dhb = dh[:b]
            dhb += gY[r0:r0 + b]
            d = D[r0:r0 + b]
            np.multiply(dhb, d, out=d)
            np.matmul(d, Wh, out=dhb)
        needs = self.needs
        gx = _grad_from_rows(np.matmul(D, Wi), self.lin, s) if needs[0] else None
        gh0 = dh.reshape(self.h0s) if needs[1] else None
        out = [gx, gh0]
        out.append(np.matmul(D.T, X) if needs[2] else None)
        if needs[3]:
            hprev = _take(ybuf, s.prev_rows(self.reverse), N)
            out.append(np.matmul(D.T, hprev))
        else:
            out.append(None)
        if self.bias:
            gb = D.sum(0) if needs[4] or needs[5] else None
            out += [gb, None if gb is None else gb.copy()]
        return tuple(out)


# NOTE on layout: gate pre-activations are kept gate-major, (G, N, H), not (N, G*H): each
# gate of a step is then one contiguous (b, H) block, and NumPy's element-wise loops run
# several times faster on contiguous blocks than on column slices of a wide array. The
# matmuls become batched over gates: (N, I) @ (G, I, H) -> (G, N, H).
_ONES: dict = {}


def _ones(n: int, dt) -> np.ndarray:
    key = (n, dt)
    o = _ONES.get(key)
    if o is None:
        if len(_ONES) > 64:
            _ONES.clear()
        o = _ONES[key] = np.ones(n, dt)
    return o


def _colsum(a: np.ndarray) -> np.ndarray:
    """Sum over the rows of each gate block of a (G, N, H) array, as a GEMV."""
    return np.matmul(_ones(a.shape[1], a.dtype), a)


def _gates_by_rows(D: np.ndarray, W3: np.ndarray, N: int) -> np.ndarray:
    """sum_g D[g] @ W3[g]: the (N, I) product of gate-major gradients with weights."""
    t = np.matmul(D, W3, out=_buf((D.shape[0], N, W3.shape[2]), D.dtype))
    out = np.add(t[0], t[1])
    for g in range(2, D.shape[0]):
        out += t[g]
    return out


# Internal LSTM gate order (i, f, o, g) keeps the three sigmoid gates adjacent;
# PyTorch's is (i, f, g, o). The permutation is its own inverse.
_LSTM_ORDER = [0, 1, 3, 2]


class _LSTMLayer(_Layer):
    """LSTM: ``i, f, o = sigmoid(.)``, ``g = tanh(.)``, ``c' = f c + i g``, ``h' = o tanh(c')``
    (and ``h' = (o tanh(c')) W_hr^T`` with a projection)."""
    _name = 'LstmBackward0'
    nstate = 2

    def forward(self, *arrays):
        s = self.s
        x, h0, c0 = arrays[0], arrays[1], arrays[2]
        self.h0s = h0.shape
        self.c0s = c0.shape
        Wi, Wh, bi, bh, Wr = self._weights(arrays)
        N, B = s.N, s.B
        H4, P = Wh.shape
        H = H4 // 4
        I = Wi.shape[1]
        dt = Wh.dtype
        X = _to_rows(x, self.lin, N)
        # NOTE: sigmoid(a) = (1 + tanh(a / 2)) / 2: the sigmoid gates' weights are halved
        # once here, so that one tanh call per step serves all four gates.
        Wis = Wi.reshape(4, H, I)[_LSTM_ORDER]
        Wis[:3] *= 0.5
        Whs = Wh.reshape(4, H, P)[_LSTM_ORDER]
        Whs[:3] *= 0.5
        A = np.matmul(X, Wis.transpose(0, 2, 1), out=_buf((4, N, H), dt))
        if bi is not None:
            b = (bi + bh).reshape(4, 1, H)[_LSTM_ORDER]
            b[:3] *= 0.5
            A += b
        WhsT = Whs.transpose(0, 2, 1)
        ybuf = _buf((N + B, P), dt)
        cbuf = _buf((N + B, H), dt)
        TC = _buf((N, H), dt)
        M = _buf((N, H), dt) if Wr is not None else None
        if self.reverse:
            Y = ybuf[:N]
            ybuf[N:] = h0.reshape(B, P)
            cbuf[N:] = c0.reshape(B, H)
            steps = s.rev
        else:
            Y = ybuf[B:]
            ybuf[:B] = h0.reshape(B, P)
            cbuf[:B] = c0.reshape(B, H)
            steps = s.fwd
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
            np.multiply(a[1], cp, out=c)
            t2 = tmp2[:b]
            np.multiply(a[0], a[3], out=t2)
            c += t2
            tc = TC[r0:r1]
            np.tanh(c, out=tc)
            if M is None:
                np.multiply(a[2], tc, out=ybuf[o0:o0 + b])
            else:
                m = M[r0:r1]
                np.multiply(a[2], tc, out=m)
                np.matmul(m, WrT, out=ybuf[o0:o0 + b])
        self.saved = (X, A, ybuf, cbuf, TC, M, Wi, Wh, Wr)
        if self.cell:
            return Y, cbuf[B:].copy()
        return self._out(Y), self._final(ybuf), self._final(cbuf, 1)

    def backward(self, *gys):
        X, A, ybuf, cbuf, TC, M, Wi, Wh, Wr = self.saved
        s = self.s
        N, B = s.N, s.B
        H4, P = Wh.shape
        H = H4 // 4
        I = Wi.shape[1]
        dt = Wh.dtype
        if self.cell:
            gY, gc = gys
            dh = np.zeros((B, P), dt)
            dc = gc.reshape(B, H).copy()
        else:
            gY = _rows_of_grad(gys[0], self.lout, N)
            dh = gys[1].reshape(B, P).copy()
            dc = gys[2].reshape(B, H).copy()
        # Derivatives of the activations w.r.t. the (unscaled) gate pre-activations,
        # for every step at once; the loop turns D into the gate gradients in place.
        D = _buf((4, N, H), dt)
        S = A[:3]
        np.subtract(1, S, out=D[:3])
        D[:3] *= S
        np.multiply(A[3], A[3], out=D[3])
        np.subtract(1, D[3], out=D[3])
        K = np.multiply(TC, TC, out=_buf((N, H), dt))
        np.subtract(1, K, out=K)
        K *= A[2]
        cprev = _take(cbuf, s.prev_rows(self.reverse), N)
        Wh3 = Wh.reshape(4, H, P)[_LSTM_ORDER]
        Pb = _buf((4, B, H), dt)
        tmp = np.empty((B, H), dt)
        tmp4 = _buf((4, B, P), dt)
        if Wr is not None:
            GHs = _buf((N, P), dt)
            dmb_all = np.empty((B, H), dt)
        steps = s.fwd if self.reverse else s.rev
        for r0, b, _, _, _ in steps:
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
            p = Pb[:, :b]
            a = A[:, r0:r1]
            np.multiply(dmb, TC[r0:r1], out=p[2])
            t = tmp[:b]
            np.multiply(dmb, K[r0:r1], out=t)
            dcb += t
            np.multiply(dcb, a[3], out=p[0])
            np.multiply(dcb, cprev[r0:r1], out=p[1])
            np.multiply(dcb, a[0], out=p[3])
            d = D[:, r0:r1]
            np.multiply(p, d, out=d)
            dcb *= a[1]
            t4 = tmp4[:, :b]
            np.matmul(d, Wh3, out=t4)
            np.add(t4[0], t4[1], out=dhb)
            dhb += t4[2]
            dhb += t4[3]
        needs = self.needs
        out = [None] * len(needs)
        if needs[0]:
            gx = _gates_by_rows(D, Wi.reshape(4, H, I)[_LSTM_ORDER], N)
            out[0] = _grad_from_rows(gx, self.lin, s)
        if needs[1]:
            out[1] = dh.reshape(self.h0s)
        if needs[2]:
            out[2] = dc.reshape(self.c0s)
        DT = D.transpose(0, 2, 1)
        if needs[3]:
            out[3] = np.matmul(DT, X)[_LSTM_ORDER].reshape(H4, I)
        if needs[4]:
            hprev = _take(ybuf, s.prev_rows(self.reverse), N)
            out[4] = np.matmul(DT, hprev)[_LSTM_ORDER].reshape(H4, P)
        if self.bias and (needs[5] or needs[6]):
            gb = _colsum(D)[_LSTM_ORDER].reshape(H4)
            out[5] = gb
            out[6] = gb.copy()
        if Wr is not None and needs[-1]:
            out[-1] = np.matmul(GHs.T, M)
        return tuple(out)


class _GRULayer(_Layer):
    """GRU: ``r, z = sigmoid(.)``, ``n = tanh(W_in x + b_in + r (W_hn h + b_hn))``,
    ``h' = (1 - z) n + z h``."""
    _name = 'GruBackward0'

    def forward(self, *arrays):
        s = self.s
        x, h0 = arrays[0], arrays[1]
        self.h0s = h0.shape
        Wi, Wh, bi, bh, _ = self._weights(arrays)
        N, B = s.N, s.B
        H3, H = Wh.shape
        I = Wi.shape[1]
        dt = Wh.dtype
        X = _to_rows(x, self.lin, N)
        # Sigmoid gates via tanh of half the pre-activation (see _LSTMLayer).
        Wis = Wi.reshape(3, H, I).copy()
        Wis[:2] *= 0.5
        Whs = Wh.reshape(3, H, H).copy()
        Whs[:2] *= 0.5
        U = np.matmul(X, Wis.transpose(0, 2, 1), out=_buf((3, N, H), dt))
        bhn = None
        if bi is not None:
            b = bi.reshape(3, 1, H).copy()
            b[:2, 0] += bh.reshape(3, H)[:2]
            b[:2] *= 0.5
            U += b
            bhn = bh[2 * H:]
        WhsT = Whs.transpose(0, 2, 1)
        ybuf = _buf((N + B, H), dt)
        if self.reverse:
            Y = ybuf[:N]
            ybuf[N:] = h0.reshape(B, H)
            steps = s.rev
        else:
            Y = ybuf[B:]
            ybuf[:B] = h0.reshape(B, H)
            steps = s.fwd
        GH = _buf((3, N, H), dt)
        RZ = _buf((2, N, H), dt)
        NN = _buf((N, H), dt)
        HMN = _buf((N, H), dt)
        for r0, b, o0, p0, g in steps:
            r1 = r0 + b
            hp = _prev_state(ybuf, p0, b, g, N)
            gh = GH[:, r0:r1]
            np.matmul(hp, WhsT, out=gh)
            ghn = gh[2]
            if bhn is not None:
                ghn += bhn
            rz = RZ[:, r0:r1]
            np.add(U[:2, r0:r1], gh[:2], out=rz)
            np.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5
            n = NN[r0:r1]
            np.multiply(rz[0], ghn, out=n)
            n += U[2, r0:r1]
            np.tanh(n, out=n)
            d = HMN[r0:r1]
            np.subtract(hp, n, out=d)
            y = ybuf[o0:o0 + b]
            np.multiply(d, rz[1], out=y)
            y += n
        self.saved = (X, ybuf, GH, RZ, NN, HMN, Wi, Wh)
        if self.cell:
            return Y
        return self._out(Y), self._final(ybuf)

    def backward(self, *gys):
        X, ybuf, GH, RZ, NN, HMN, Wi, Wh = self.saved
        s = self.s
        N, B = s.N, s.B
        H3, H = Wh.shape
        I = Wi.shape[1]
        dt = Wh.dtype
        if self.cell:
            gY = gys[0]
            dh = np.zeros((B, H), dt)
        else:
            gY = _rows_of_grad(gys[0], self.lout, N)
            dh = gys[1].reshape(B, H).copy()
        R = RZ[0]
        Z = RZ[1]
        # Per-step factors, for all steps at once:
        # d pre_n = dh (1 - z)(1 - n^2); d pre_z = dh (h - n) z (1 - z); d pre_r = d pre_n ghn r (1 - r)
        Dn = np.multiply(NN, NN, out=_buf((N, H), dt))
        np.subtract(1, Dn, out=Dn)
        omz = np.subtract(1, Z, out=_buf((N, H), dt))
        Dn *= omz
        Dz = np.multiply(HMN, Z, out=_buf((N, H), dt))
        Dz *= omz
        Dr = np.subtract(1, R, out=omz)
        Dr *= R
        Dr *= GH[2]
        # Gate gradients, gate-major (n_i, r, z, n_h): [0:3] are those of the input
        # projection (in the order n, r, z), [1:4] those of the hidden one (r, z, n).
        DG = _buf((4, N, H), dt)
        Wh3 = Wh.reshape(3, H, H)
        tmp = np.empty((B, H), dt)
        tmp3 = _buf((3, B, H), dt)
        steps = s.fwd if self.reverse else s.rev
        for r0, b, _, _, _ in steps:
            r1 = r0 + b
            dhb = dh[:b]
            dhb += gY[r0:r1]
            dn = DG[0, r0:r1]
            np.multiply(dhb, Dn[r0:r1], out=dn)
            np.multiply(dhb, Dz[r0:r1], out=DG[2, r0:r1])
            np.multiply(dn, Dr[r0:r1], out=DG[1, r0:r1])
            np.multiply(dn, R[r0:r1], out=DG[3, r0:r1])
            t = tmp[:b]
            np.multiply(dhb, Z[r0:r1], out=t)
            t3 = tmp3[:, :b]
            np.matmul(DG[1:, r0:r1], Wh3, out=t3)
            np.add(t3[0], t3[1], out=dhb)
            dhb += t3[2]
            dhb += t
        needs = self.needs
        out = [None] * len(needs)
        nrz = [1, 2, 0]
        if needs[0]:
            gx = _gates_by_rows(DG[:3], Wi.reshape(3, H, I)[[2, 0, 1]], N)
            out[0] = _grad_from_rows(gx, self.lin, s)
        if needs[1]:
            out[1] = dh.reshape(self.h0s)
        if needs[2]:
            out[2] = np.matmul(DG[:3].transpose(0, 2, 1), X)[nrz].reshape(H3, I)
        if needs[3]:
            hprev = _take(ybuf, s.prev_rows(self.reverse), N)
            out[3] = np.matmul(DG[1:].transpose(0, 2, 1), hprev).reshape(H3, H)
        if self.bias and (needs[4] or needs[5]):
            sums = _colsum(DG)
            if needs[4]:
                out[4] = sums[:3][nrz].reshape(H3)
            if needs[5]:
                out[5] = sums[1:].reshape(H3)
        return tuple(out)


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


def _run(cls, x: Tensor, s: _Schedule, layout: int, hxs: list, params, has_biases: bool,
         num_layers: int, dropout: float, train: bool, bidirectional: bool,
         proj: bool = False, **kw):
    """Runs a stack of recurrent layers; returns the last layer's output and the final
    states (each ``(num_layers * num_directions, B, H)``)."""
    ndir = 2 if bidirectional else 1
    per = (4 if has_biases else 2) + (1 if proj else 0)
    nlay = num_layers * ndir
    if len(params) != nlay * per:
        raise RuntimeError(f'Expected {nlay * per} weight tensors for {num_layers} layer(s) '
                           f'and {ndir} direction(s), got {len(params)}')
    single = nlay == 1
    recording = state.enabled and (x._rg or any(h._rg for h in hxs)
                                   or any(w._rg for w in params))
    is_lstm = cls is _LSTMLayer
    inner = _ROWS if layout == _ROWS else _TM
    finals = [[] for _ in hxs]
    inp = x
    lin = layout
    out = None
    for layer in range(num_layers):
        last = layer == num_layers - 1
        lout = layout if last else inner
        direct = last and ndir == 1
        outs = []
        for d in range(ndir):
            i = layer * ndir + d
            states = hxs if single else [h[i] for h in hxs]
            hshape = [st._data.shape for st in states]
            op = cls(s, d == 1, has_biases, lin, lout, hshape, False,
                     recording and direct and not is_lstm, proj, **kw)
            res = op.apply(inp, *states, *params[i * per:(i + 1) * per])
            if recording and direct and is_lstm:
                _track_output(op, res[0])
            outs.append(res[0])
            for k, f in enumerate(finals):
                f.append(res[1 + k])
        out = outs[0] if ndir == 1 else cat(outs, -1)
        if dropout and train and not last:
            out = _dropout(out, dropout)
        inp = out
        lin = inner
    return out, [f[0] if single else stack(f) for f in finals]


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


def _cell(cls, x, hs, W_ih, W_hh, b_ih, b_hh, **kw):
    _cell_check(x, hs, W_ih, W_hh)
    s = _schedule((x._data.shape[0],))
    bias = b_ih is not None
    op = cls(s, False, bias, _ROWS, _ROWS, None, True, False, False, **kw)
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
    return _cell(_LSTMLayer, input, tuple(hx), w_ih, w_hh, b_ih, b_hh)[1]


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
