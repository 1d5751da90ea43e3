"""The recording machinery behind numtorch.profiler: a global timeline of nested ranges.

While at least one profiler is recording, ``Op.apply``/``apply1``/``apply2`` are replaced by
versions that open a range named after the op around the call; when none is, the original
methods are back in place, so code run outside a profiler pays nothing.

NOTE: forward AD (numtorch/autograd/forward_ad.py) also swaps these methods while a dual
level is open: its versions call the module globals ``_plain_apply*`` and its exit restores
``Op.apply*`` from those same globals. The profiler therefore replaces both the globals and,
when no dual level has taken them over, the class attributes. Whichever opens first, the call
chain is then forward AD -> profiler -> the original op, and each side's exit restores only
what it installed.

NOTE (names): an op is recorded as ``aten::<snake_case of its grad_fn name without
'Backward<N>'>``: 'AddmmBackward0' -> 'aten::addmm', 'ReluBackward0' -> 'aten::relu',
'NativeLayerNormBackward0' -> 'aten::native_layer_norm', 'MaxPool2DWithIndicesBackward0' ->
'aten::max_pool2d_with_indices'. This is PyTorch's aten name for most ops; it differs where
PyTorch's op name has a leading underscore or a break the grad_fn name hides
(ToCopyBackward0 -> 'aten::to_copy', PyTorch: 'aten::_to_copy'; GridSampler2DBackward0 ->
'aten::grid_sampler2d', PyTorch: 'aten::grid_sampler_2d'). An op class with no
'...Backward<N>' name is recorded as 'numtorch::<ClassName>'. Composite PyTorch ops that
numtorch runs as one fused op (aten::linear around aten::t/aten::addmm) appear only as the
fused op. A graph node's backward that runs while recording is recorded as
'autograd::engine::evaluate_function: XBackward0' around 'XBackward0', as PyTorch names them
(every op class that defines ``backward`` gets a timed one while recording); the ops PyTorch
runs inside (aten::mm, aten::t, ...) are NumPy calls here and do not appear, nor do
AccumulateGrad's ranges. A custom ``autograd.Function`` call is recorded under its class
name around the ops its forward runs, as PyTorch does.

NOTE (coverage): only ops that run through ``Op`` (the differentiable ones) are seen. Tensor
creation (ones, randn, ...), comparisons and integer-valued results (argmax, ...) are plain
NumPy calls in numtorch and are not recorded; an in-place op appears under its out-of-place
name ('aten::add' for ``add_``), and a view under its grad_fn's name ('aten::slice' for
``x[0]``, PyTorch: 'aten::select').
"""
from __future__ import annotations

import os
import re
import sys
import threading
import time
from types import FunctionType
from typing import Optional

import numpy as np

from .._ops._op import Op

_perf_ns = time.perf_counter_ns


class Range:
    """One recorded range: its name, start and end (ns), input shapes, category, nesting
    depth in its thread, thread id and the bytes its op allocated for its outputs."""
    __slots__ = ('name', 'start', 'end', 'shapes', 'cat', 'depth', 'tid', 'mem')

    def __init__(self, name: str, start: int, shapes, cat: str, depth: int, tid: int) -> None:
        self.name = name
        self.start = start
        self.end = -1
        self.shapes = shapes
        self.cat = cat
        self.depth = depth
        self.tid = tid
        self.mem = 0


class _Timeline:
    """Every range opened while any recorder is active, in opening order, and the stack of
    ranges open in each thread."""
    __slots__ = ('ranges', 'open', 'record_shapes', 'memory', 'stack', 'recorders')

    def __init__(self) -> None:
        self.ranges: list = []
        self.open: dict = {}
        self.record_shapes = 0
        self.memory = 0
        self.stack = 0
        self.recorders = 0


_tl = _Timeline()
_get_ident = threading.get_ident


def active() -> bool:
    return _tl.recorders > 0


def begin(name: str, shapes=None, cat: str = 'cpu_op') -> Range:
    tid = _get_ident()
    st = _tl.open.get(tid)
    if st is None:
        st = _tl.open[tid] = []
    r = Range(name, _perf_ns(), shapes if shapes is not None else [], cat, len(st), tid)
    _tl.ranges.append(r)
    st.append(r)
    return r


def end(r: Range) -> None:
    r.end = _perf_ns()
    st = _tl.open.get(r.tid)
    # Ranges left open inside ``r`` (an exception skipped their exit) end with it.
    while st:
        x = st.pop()
        if x.end < 0:
            x.end = r.end
        if x is r:
            break


def _out_bytes(out, ts) -> int:
    """The bytes of an op's outputs that are new memory, not views of its inputs.

    NOTE: this is what PyTorch's profile_memory reports for most ops (the storage an op
    allocates for its result); NumPy temporaries an op frees before returning, and frees
    (PyTorch's '[memory]' rows), are not seen.
    """
    n = 0
    for o in (out if type(out) is tuple else (out,)):
        a = o._data
        for t in ts:
            if np.may_share_memory(a, t._data):
                break
        else:
            n += a.nbytes
    return n


# -- op names -------------------------------------------------------------------------------
_names: dict = {}
# Word breaks: lower -> Upper, and before the last capital of a run followed by lower case;
# never after a digit, so that 'MaxPool2DWithIndices' -> 'max_pool2d_with_indices' and
# 'Col2Im' -> 'col2im', as PyTorch spells them.
_CAMEL = re.compile(r'(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])')
_BWD = re.compile(r'^([A-Za-z0-9]+?)Backward\d*$')


def op_name(cls) -> str:
    """The recorded name of an op class (see the module NOTE)."""
    n = _names.get(cls)
    if n is None:
        m = _BWD.match(cls._name)
        if m:
            n = 'aten::' + _CAMEL.sub('_', m.group(1)).lower()
        else:
            n = 'numtorch::' + cls.__name__
        _names[cls] = n
    return n


def _shapes(ts) -> list:
    return [list(t._data.shape) for t in ts]


# -- the hooks ------------------------------------------------------------------------------
_orig: Optional[tuple] = None     # (apply, apply1, apply2, and their wrappers)
_patched: list = []               # (class, its own backward) for every wrapped backward


def _all_op_classes() -> list:
    out = []
    todo = [Op]
    while todo:
        c = todo.pop()
        out.append(c)
        todo.extend(c.__subclasses__())
    return out


_in_backward: set = set()         # ids of the nodes whose timed backward is running


def _wrap_backward(fn):
    def backward(self, *gys):
        key = id(self)
        if key in _in_backward:   # a subclass's backward calling super().backward()
            return fn(self, *gys)
        label = self._name
        r0 = begin('autograd::engine::evaluate_function: ' + label)
        r1 = begin(label)
        _in_backward.add(key)
        try:
            return fn(self, *gys)
        finally:
            _in_backward.discard(key)
            end(r1)
            end(r0)
    return backward


def _patch_backwards() -> None:
    """Times every node's backward: each op class that defines one gets a timed version."""
    for c in _all_op_classes():
        fn = c.__dict__.get('backward')
        if isinstance(fn, FunctionType):
            _patched.append((c, fn))
            c.backward = _wrap_backward(fn)


def _unpatch_backwards() -> None:
    for c, fn in _patched:
        c.backward = fn
    _patched.clear()


def _make_wrappers(apply, apply1, apply2):
    def p_apply1(self, x):
        ts = (x,)
        r = begin(op_name(type(self)), [list(x._data.shape)] if _tl.record_shapes else None)
        try:
            out = apply1(self, x)
        finally:
            end(r)
        if _tl.memory:
            r.mem = _out_bytes(out, ts)
        return out

    def p_apply2(self, a, b):
        ts = (a, b)
        r = begin(op_name(type(self)),
                  [list(a._data.shape), list(b._data.shape)] if _tl.record_shapes else None)
        try:
            out = apply2(self, a, b)
        finally:
            end(r)
        if _tl.memory:
            r.mem = _out_bytes(out, ts)
        return out

    def p_apply(self, *ts):
        r = begin(op_name(type(self)), _shapes(ts) if _tl.record_shapes else None)
        try:
            out = apply(self, *ts)
        finally:
            end(r)
        if _tl.memory:
            r.mem = _out_bytes(out, ts)
        return out

    return p_apply, p_apply1, p_apply2


_fn_apply: Optional[classmethod] = None   # autograd.Function.apply, as found at install


def _patch_function_apply() -> None:
    """Records each custom ``autograd.Function`` call under its class name, as PyTorch."""
    global _fn_apply
    from ..autograd.function import Function
    orig = Function.__dict__['apply']
    call = orig.__func__

    def apply(cls, *args, **kwargs):
        r = begin(cls.__name__)
        try:
            return call(cls, *args, **kwargs)
        finally:
            end(r)

    _fn_apply = orig
    Function.apply = classmethod(apply)


def _unpatch_function_apply() -> None:
    global _fn_apply
    from ..autograd.function import Function
    Function.apply = _fn_apply
    _fn_apply = None


def _fwd_ad():
    from ..autograd import forward_ad
    return forward_ad if hasattr(forward_ad, '_plain_apply1') else None


def _install() -> None:
    global _orig
    fa = _fwd_ad()
    if fa is not None:
        base = (fa._plain_apply, fa._plain_apply1, fa._plain_apply2)
    else:
        base = (Op.apply, Op.apply1, Op.apply2)
    _orig = base
    w = _make_wrappers(*base)
    if fa is not None:
        fa._plain_apply, fa._plain_apply1, fa._plain_apply2 = w
    # With a dual level open Op.apply* are forward AD's, which call the globals set above.
    if Op.__dict__['apply'] is base[0]:
        Op.apply = w[0]
    if Op.__dict__['apply1'] is base[1]:
        Op.apply1 = w[1]
    if Op.__dict__['apply2'] is base[2]:
        Op.apply2 = w[2]
    _orig = base + w
    _patch_backwards()
    _patch_function_apply()


def _uninstall() -> None:
    global _orig
    base, w = _orig[:3], _orig[3:]
    fa = _fwd_ad()
    if fa is not None:
        fa._plain_apply, fa._plain_apply1, fa._plain_apply2 = base
    for name, b, x in zip(('apply', 'apply1', 'apply2'), base, w):
        if Op.__dict__[name] is x:
            setattr(Op, name, b)
    _orig = None
    _unpatch_backwards()
    _unpatch_function_apply()


# -- Python calls (with_stack) -----------------------------------------------------------
# NOTE: PyTorch's with_stack=True runs a Python tracer: every Python function call becomes an
# event named '<file>(<line>): <function>' (file relative to its sys.path entry, line of the
# ``def``; frames already running when recording starts are named at their current line) and
# every builtin call '<built-in ...>' (its repr), nested with the ops. numtorch does the same
# with sys.setprofile, in the thread that started the recording, leaving out the profiler's
# own frames.
_OWN_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# numtorch's files are named from the package ('numtorch/_ops/unary.py'), wherever it is.
_PKG_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_pystack: list = []
_short: dict = {}
_prev_profile = None


def _short_path(path: str) -> str:
    s = _short.get(path)
    if s is None:
        best = ''
        for p in sys.path + [_PKG_PARENT]:
            if p and path.startswith(p.rstrip(os.sep) + os.sep) and len(p) > len(best):
                best = p.rstrip(os.sep)
        s = _short[path] = path[len(best) + 1:] if best else path
    return s


def _py_name(code, line: int) -> str:
    return f'{_short_path(code.co_filename)}({line}): {code.co_name}'


def _tracer(frame, event: str, arg) -> None:
    if frame.f_code.co_filename.startswith(_OWN_DIR):
        return
    if event == 'call':
        _pystack.append(begin(_py_name(frame.f_code, frame.f_code.co_firstlineno), None,
                              'python_function'))
    elif event == 'c_call':
        _pystack.append(begin(repr(arg), None, 'python_function'))
    elif _pystack:   # 'return', 'c_return', 'c_exception'
        end(_pystack.pop())


def _start_python_tracer() -> None:
    global _prev_profile
    frames = []
    f = sys._getframe()
    while f is not None:
        if not f.f_code.co_filename.startswith(_OWN_DIR):
            frames.append(f)
        f = f.f_back
    for f in reversed(frames):
        _pystack.append(begin(_py_name(f.f_code, f.f_lineno), None, 'python_function'))
    _prev_profile = sys.getprofile()
    sys.setprofile(_tracer)


def _stop_python_tracer() -> None:
    global _prev_profile
    sys.setprofile(_prev_profile)
    _prev_profile = None
    _pystack.clear()


def start_recording(record_shapes: bool, memory: bool, stack: bool) -> int:
    """Starts a recorder; returns the timeline index its ranges begin at."""
    if _tl.recorders == 0:
        _tl.ranges = []
        _tl.open = {}
        _install()
    _tl.recorders += 1
    _tl.record_shapes += bool(record_shapes)
    _tl.memory += bool(memory)
    first = len(_tl.ranges)
    if stack:
        if _tl.stack == 0:
            _start_python_tracer()
        _tl.stack += 1
    return first


def stop_recording(first: int, record_shapes: bool, memory: bool, stack: bool) -> list:
    """Stops a recorder started at ``first``; returns its ranges (open ones end now)."""
    if stack:
        _tl.stack -= 1
        if _tl.stack == 0:
            _stop_python_tracer()
    now = _perf_ns()
    ranges = _tl.ranges[first:]
    for r in ranges:
        if r.end < 0:
            r.end = now
    _tl.recorders -= 1
    _tl.record_shapes -= bool(record_shapes)
    _tl.memory -= bool(memory)
    if _tl.recorders == 0:
        _uninstall()
        _tl.ranges = []
        _tl.open = {}
    return ranges
