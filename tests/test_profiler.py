"""numtorch.profiler against torch.profiler: table layout, op names, schedules, traces, and
that profiling leaves no hooks behind (including with forward AD's swapped entry points)."""
from __future__ import annotations

import gzip
import json
import os
import re
import time
import warnings

import numpy as np
import pytest
import torch
import torch.autograd.forward_ad as tfwAD
import torch.profiler as tprof

import numtorch
import numtorch.autograd.forward_ad as fwAD
import numtorch.profiler as nprof
from numtorch._ops._op import Op
from numtorch.profiler import _legacy
from numtorch.profiler._record import op_name


def _workload(lib, prof_mod, shapes=False, **kw):
    lib.manual_seed(0)
    lin = lib.nn.Linear(4, 3)
    x = lib.randn(2, 4)
    with prof_mod.profile(activities=[prof_mod.ProfilerActivity.CPU], record_shapes=shapes,
                          **kw) as prof:
        with prof_mod.record_function('model_inference'):
            y = lib.relu(lin(x)).sum()
        y.backward()
    return prof, lin


def _entry_points():
    from numtorch.autograd.function import Function
    return (Op.__dict__['apply'], Op.__dict__['apply1'], Op.__dict__['apply2'],
            fwAD._plain_apply, fwAD._plain_apply1, fwAD._plain_apply2,
            Function.__dict__['apply'])


def _backwards():
    out = {}
    todo = [Op]
    while todo:
        c = todo.pop()
        if 'backward' in c.__dict__:
            out[c] = c.__dict__['backward']
        todo.extend(c.__subclasses__())
    return out


_TIME = r'\d+\.\d{3}(?:us|ms|s)'
_PCT = r'\d+\.\d{2}%'


def _columns(sep: str):
    """The [start, end) character span of each column, from a separator line of dashes."""
    return [m.span() for m in re.finditer(r'-+', sep)]


def _check_rows(table: str, ref: str, with_shapes: bool) -> None:
    lines = table.split('\n')
    rlines = ref.split('\n')
    # Layout: separator, header, separator, rows, separator, footer, then a final newline.
    assert lines[0] == rlines[0] and lines[2] == rlines[0] and lines[1] == rlines[1]
    assert lines[-1] == '' and rlines[-1] == ''
    assert lines[-3] == lines[0]
    assert re.fullmatch('Self CPU time total: ' + _TIME, lines[-2])
    assert re.fullmatch('Self CPU time total: ' + _TIME, rlines[-2])
    cols = _columns(lines[0])
    for row in lines[3:-3]:
        assert len(row) == len(lines[0])
        f = [row[a:b] for a, b in cols]
        assert all(row[b:b + 2] == '  ' for _, b in cols)
        assert f[0].strip() and f[0] == f[0].strip().rjust(len(f[0]))
        for v, pat in zip(f[1:7], (_PCT, _TIME, _PCT, _TIME, _TIME, r'\d+')):
            assert re.fullmatch(r' *' + pat, v), (v, pat)
        if with_shapes:
            assert re.fullmatch(r' *\[.*\]', f[7])


def test_table_layout_matches_torch():
    p, _ = _workload(numtorch, nprof)
    t, _ = _workload(torch, tprof)
    a = p.key_averages().table(sort_by='cpu_time_total', row_limit=10)
    b = t.key_averages().table(sort_by='cpu_time_total', row_limit=10)
    assert a.split('\n')[1].split() == ['Name', 'Self', 'CPU', '%', 'Self', 'CPU', 'CPU',
                                        'total', '%', 'CPU', 'total', 'CPU', 'time', 'avg',
                                        '#', 'of', 'Calls']
    _check_rows(a, b, False)
    # Rows are sorted by CPU total, descending, and row_limit is respected.
    evs = sorted(p.key_averages(), key=lambda e: e.cpu_time_total, reverse=True)
    names = [ln[:55].strip() for ln in a.split('\n')[3:-3]]
    assert names == [e.key for e in evs][:10]
    assert len(p.key_averages().table(row_limit=3).split('\n')) == 3 + 3 + 3
    # Grouped by input shapes: the extra column, as torch.
    a = p.key_averages(group_by_input_shape=True).table(row_limit=5)
    p2, _ = _workload(numtorch, nprof, shapes=True)
    t2, _ = _workload(torch, tprof, shapes=True)
    a = p2.key_averages(group_by_input_shape=True).table(sort_by='self_cpu_time_total')
    b = t2.key_averages(group_by_input_shape=True).table(sort_by='self_cpu_time_total')
    assert a.split('\n')[1].split()[-2:] == b.split('\n')[1].split()[-2:] == ['Input', 'Shapes']
    _check_rows(a, a, True)
    rows = {ln[:55].strip(): ln for ln in a.split('\n')[3:-3]}
    assert rows['aten::relu'].rstrip().endswith('[[2, 3]]')
    # The footer's total is the sum of the self times, and self <= total for every event.
    evs = p2.key_averages()
    tot = sum(e.self_cpu_time_total for e in evs)
    assert a.split('\n')[-2] == 'Self CPU time total: ' + nprof._util._format_time(tot)
    assert all(0 <= e.self_cpu_time_total <= e.cpu_time_total + 1e-9 for e in evs)
    # Without record_shapes there is no shapes column.
    assert 'Input Shapes' not in p.key_averages(group_by_input_shape=True).table()


def test_op_names_match_torch():
    p, _ = _workload(numtorch, nprof)
    t, _ = _workload(torch, tprof)
    mine = {e.key for e in p.key_averages()}
    theirs = {e.key for e in t.key_averages()}
    expected = {'model_inference', 'aten::addmm', 'aten::relu', 'aten::sum'}
    for n in ('AddmmBackward0', 'ReluBackward0', 'SumBackward0'):
        expected |= {n, 'autograd::engine::evaluate_function: ' + n}
    assert expected <= mine
    assert mine <= theirs, mine - theirs
    # Nesting: the block holds the forward ops, each evaluate_function holds its node.
    evs = p.events()
    block = next(e for e in evs if e.name == 'model_inference')
    assert {c.name for c in block.cpu_children} == {'aten::addmm', 'aten::relu', 'aten::sum'}
    ev = next(e for e in evs if e.name.startswith('autograd::engine::evaluate_function: Relu'))
    assert [c.name for c in ev.cpu_children] == ['ReluBackward0']
    assert ev.cpu_parent is None
    assert block.time_range.elapsed_us() == pytest.approx(block.cpu_time_total)
    assert block.time_range.start <= block.cpu_children[0].time_range.start
    assert abs(block.self_cpu_time_total + sum(c.cpu_time_total for c in block.cpu_children)
               - block.cpu_time_total) < 1e-6


def test_op_name_rule():
    from numtorch._ops._op import ToCopy
    cls = type('NativeLayerNormOp', (Op,), {'_name': 'NativeLayerNormBackward0'})
    assert op_name(cls) == 'aten::native_layer_norm'
    assert op_name(type('T', (Op,), {'_name': 'TBackward0'})) == 'aten::t'
    assert op_name(ToCopy) == 'aten::to_copy'
    for grad_fn, aten in (('MaxPool2DWithIndicesBackward0', 'max_pool2d_with_indices'),
                          ('AdaptiveAvgPool3DBackward0', 'adaptive_avg_pool3d'),
                          ('Col2ImBackward0', 'col2im'), ('Log1PBackward0', 'log1p'),
                          ('SpecialXlog1PyBackward0', 'special_xlog1py'),
                          ('MseLossBackward0', 'mse_loss'), ('SumBackward1', 'sum')):
        assert op_name(type('X', (Op,), {'_name': grad_fn})) == 'aten::' + aten
    assert op_name(type('Odd', (Op,), {'_name': 'torch::autograd::CopySlices'})) == \
        'numtorch::Odd'


def test_counts_and_record_shapes():
    x = numtorch.ones(3, 2)
    with nprof.profile(record_shapes=True) as p:
        for _ in range(3):
            x = x * 2.0
        numtorch.mm(x, numtorch.ones(2, 4))
    avg = {e.key: e for e in p.key_averages()}
    assert avg['aten::mul'].count == 3
    assert avg['aten::mm'].count == 1
    shapes = {e.key: e.input_shapes for e in p.key_averages(group_by_input_shape=True)}
    assert shapes['aten::mm'] == [[3, 2], [2, 4]]
    assert avg['aten::mm'].cpu_time == avg['aten::mm'].cpu_time_total


def _run_schedule(prof_mod, lib, sched_kw, nsteps):
    calls = []

    def ready(prof):
        steps = sorted({e.name for e in prof.events() if e.name.startswith('ProfilerStep#')})
        ops = [e.name for e in prof.events() if e.name == 'aten::mul']
        calls.append((prof.step_num, steps, len(ops)))

    x = lib.ones(2)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        sched = prof_mod.schedule(**sched_kw)
        with prof_mod.profile(activities=[prof_mod.ProfilerActivity.CPU], schedule=sched,
                              on_trace_ready=ready) as p:
            for _ in range(nsteps):
                x = x * 1.5
                p.step()
    return calls


@pytest.mark.parametrize('kw,n', [
    (dict(wait=1, warmup=1, active=2, repeat=2, skip_first=1), 12),
    (dict(wait=0, warmup=0, active=1), 3),
    (dict(wait=2, warmup=1, active=3, repeat=1), 4),      # stops while recording
    (dict(wait=5, warmup=1, active=2, skip_first=2, skip_first_wait=1), 9),
])
def test_schedule_semantics_match_torch(kw, n):
    assert _run_schedule(nprof, numtorch, kw, n) == _run_schedule(tprof, torch, kw, n)


def test_schedule_function_and_errors():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for kw in (dict(wait=1, warmup=2, active=3, repeat=2, skip_first=3),
                   dict(wait=2, warmup=0, active=1, skip_first_wait=1)):
            a = nprof.schedule(**kw)
            b = tprof.schedule(**kw)
            assert [a(i).name for i in range(25)] == [b(i).name for i in range(25)]
    with pytest.warns(UserWarning, match="won't be using warmup"):
        nprof.schedule(wait=1, warmup=0, active=1)
    with pytest.raises(AssertionError, match=r'active=0 \(need > 0\)'):
        nprof.schedule(wait=1, warmup=1, active=0)
    assert [a.name for a in nprof.ProfilerAction] == \
        ['NONE', 'WARMUP', 'RECORD', 'RECORD_AND_SAVE']
    assert {a.name: a.value for a in nprof.ProfilerActivity} == \
        {k: int(v) for k, v in tprof.ProfilerActivity.__members__.items()}
    assert str(nprof.ProfilerActivity.CPU) == str(tprof.ProfilerActivity.CPU)


def test_chrome_trace_and_tensorboard_handler(tmp_path):
    p, _ = _workload(numtorch, nprof, shapes=True)
    path = str(tmp_path / 'trace.json')
    p.export_chrome_trace(path)
    with open(path) as f:
        doc = json.load(f)
    evs = doc['traceEvents']
    names = {e['name'] for e in evs}
    assert {'model_inference', 'aten::addmm', 'AddmmBackward0'} <= names
    assert all(e['ph'] == 'X' and e['dur'] >= 0 and e['pid'] == os.getpid() for e in evs)
    cats = {e['name']: e['cat'] for e in evs}
    assert cats['model_inference'] == 'user_annotation' and cats['aten::relu'] == 'cpu_op'
    relu = next(e for e in evs if e['name'] == 'aten::relu')
    assert relu['args']['Input Dims'] == [[2, 3]]
    assert len(evs) == len(p.events())
    p.export_chrome_trace(str(tmp_path / 'trace.json.gz'))
    with gzip.open(tmp_path / 'trace.json.gz', 'rt') as f:
        assert len(json.load(f)['traceEvents']) == len(evs)
    # The TensorBoard handler: one file per trace, named <worker>.<ns>.pt.trace.json.
    d = tmp_path / 'tb'
    sched = nprof.schedule(wait=0, warmup=1, active=1, repeat=2)
    x = numtorch.ones(2)
    with nprof.profile(schedule=sched,
                       on_trace_ready=nprof.tensorboard_trace_handler(str(d), 'w0')) as prof:
        for _ in range(5):
            x = x + 1.0
            prof.step()
    files = sorted(os.listdir(d))
    assert len(files) == 2 and all(re.fullmatch(r'w0\.\d+\.pt\.trace\.json', f) for f in files)
    with open(d / files[0]) as f:
        names = [e['name'] for e in json.load(f)['traceEvents']]
    assert names == ['ProfilerStep#1', 'aten::add']


def test_record_function_decorator_and_nesting():
    @nprof.record_function('my_fn')
    def f(x):
        return (x * 2.0).exp()

    with nprof.profile() as p:
        f(numtorch.ones(2))
        with nprof.record_function('outer'):
            f(numtorch.ones(2))
    avg = {e.key: e for e in p.key_averages()}
    assert avg['my_fn'].count == 2 and avg['outer'].count == 1
    outer = next(e for e in p.events() if e.name == 'outer')
    assert [c.name for c in outer.cpu_children] == ['my_fn']
    assert [c.name for c in outer.cpu_children[0].cpu_children] == ['aten::mul', 'aten::exp']
    # Outside a profiler a record_function is harmless.
    assert f(numtorch.ones(1)).item() == pytest.approx(np.exp(2.0))


def test_no_hooks_remain_and_no_recording_outside():
    before = _entry_points()
    bw = _backwards()
    try:
        with nprof.profile():
            assert Op.__dict__['apply1'] is not before[1]
            numtorch.ones(2, requires_grad=True).exp().sum().backward()
            raise ValueError('boom')
    except ValueError:
        pass
    assert _entry_points() == before
    assert _backwards() == bw
    assert not nprof._record.active()
    # A graph built while profiling and run after the exit records nothing anywhere.
    with nprof.profile() as p:
        y = numtorch.ones(2, requires_grad=True).exp().sum()
    y.backward()
    assert not any('Backward' in e.name for e in p.events())
    assert _entry_points() == before and _backwards() == bw


def _fwd_ad_case(lib, ad, prof_mod, inside: bool):
    x = lib.tensor([0.3, -1.2, 2.0], dtype=lib.float64)
    t = lib.tensor([1.0, 0.5, -2.0], dtype=lib.float64)
    if inside:   # profile inside a dual level
        with ad.dual_level():
            d = ad.make_dual(x, t)
            with prof_mod.profile() as p:
                y = (d * d).sin()
            tan = ad.unpack_dual(y).tangent
    else:        # dual level inside a profile
        with prof_mod.profile() as p:
            with ad.dual_level():
                d = ad.make_dual(x, t)
                y = (d * d).sin()
                tan = ad.unpack_dual(y).tangent
    return np.asarray(tan.tolist()), {e.key for e in p.key_averages()}


@pytest.mark.parametrize('inside', [True, False])
def test_composes_with_forward_ad(inside):
    before = _entry_points()
    got, names = _fwd_ad_case(numtorch, fwAD, nprof, inside)
    ref, _ = _fwd_ad_case(torch, tfwAD, tprof, inside)
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    assert {'aten::mul', 'aten::sin'} <= names
    assert _entry_points() == before
    # Forward AD still works after both have exited.
    with fwAD.dual_level():
        y = fwAD.make_dual(numtorch.tensor([1.0]), numtorch.tensor([1.0])).exp()
        assert fwAD.unpack_dual(y).tangent.item() == pytest.approx(np.e)
    assert _entry_points() == before


def _custom_fn(lib):
    class Sq(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    x = lib.tensor([1.0, -2.0], requires_grad=True)
    with lib.profiler.profile() as outer:
        with lib.profiler.profile() as inner:
            Sq.apply(x).sum().backward()
        x.exp()
    return x.grad.tolist(), outer, inner


def test_custom_function_and_nested_profiles():
    before = _entry_points()
    g, outer, inner = _custom_fn(numtorch)
    assert g == [2.0, -4.0]
    names = [e.name for e in outer.events()]
    assert {'Sq', 'aten::mul', 'SqBackward', 'autograd::engine::evaluate_function: SqBackward',
            'aten::exp'} <= set(names)
    sq = next(e for e in outer.events() if e.name == 'Sq')
    assert [c.name for c in sq.cpu_children] == ['aten::mul']
    # torch names the same ranges (its nested profilers share one session, so compare with
    # an unnested run).
    t = torch.ones(2, requires_grad=True)

    class Sq(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, gy):
            return gy

    with tprof.profile() as tp:
        Sq.apply(t).sum().backward()
    assert {'Sq', 'SqBackward'} <= {e.name for e in tp.events()}
    # The inner recording ends at its exit; the outer one keeps recording.
    assert 'aten::exp' not in {e.name for e in inner.events()}
    assert 'Sq' in {e.name for e in inner.events()}
    assert _entry_points() == before


def test_subclass_backward_calling_super_is_one_node():
    from numtorch._ops.unary import Exp
    calls = []

    class MyExp(Exp):
        _name = 'MyExpBackward0'

        def backward(self, gy):
            calls.append(1)
            return super().backward(gy)

    x = numtorch.tensor([0.5, 1.0], requires_grad=True)
    with nprof.profile() as p:
        MyExp().apply1(x).sum().backward()
    names = [e.name for e in p.events()]
    assert names.count('autograd::engine::evaluate_function: MyExpBackward0') == 1
    assert names.count('MyExpBackward0') == 1 and 'aten::my_exp' in names
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, 1.0]), rtol=1e-6)
    assert calls == [1]


def test_threads_nest_separately():
    import threading

    def work(tag):
        with nprof.record_function(tag):
            y = numtorch.ones(4)
            for _ in range(50):
                y = y * 1.0
                time.sleep(0)   # lets the threads' ranges interleave

    with nprof.profile() as p:
        ts = [threading.Thread(target=work, args=(f't{i}',)) for i in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    blocks = [e for e in p.events() if e.name in ('t0', 't1')]
    assert len(blocks) == 2
    for b in blocks:
        assert len(b.cpu_children) == 50
        assert all(c.thread == b.thread and c.name == 'aten::mul' for c in b.cpu_children)


def _stack_case(lib, prof_mod):
    lib.manual_seed(0)
    x = lib.randn(3)

    def my_python_fn(t):
        return lib.exp(t)

    with prof_mod.profile(with_stack=True) as p:
        my_python_fn(x)
    return p


def test_with_stack_records_python_calls():
    prev = __import__('sys').getprofile()
    p = _stack_case(numtorch, nprof)
    q = _stack_case(torch, tprof)
    assert __import__('sys').getprofile() is prev
    pat = r'(?:.*/)?test_profiler\.py\(\d+\): my_python_fn'
    for prof in (p, q):
        fn = [e for e in prof.events() if re.fullmatch(pat, e.name)]
        assert len(fn) == 1, [e.name for e in prof.events()][:10]
        # The op runs inside the Python call that made it.
        sub, todo = set(), list(fn[0].cpu_children)
        while todo:
            e = todo.pop()
            sub.add(e.name)
            todo.extend(e.cpu_children)
        assert 'aten::exp' in sub
        # The frame that was running when recording began holds the call.
        assert fn[0].cpu_parent.name.endswith(': _stack_case')
    mine = next(e for e in p.events() if re.fullmatch(pat, e.name))
    theirs = next(e for e in q.events() if re.fullmatch(pat, e.name))
    assert mine.name.split('(')[1] == theirs.name.split('(')[1]   # the def line
    assert not [e for e in p.events() if 'numtorch/profiler' in e.name]
    assert p.key_averages(group_by_stack_n=5).table().split('\n')[1] == \
        p.key_averages().table().split('\n')[1]
    # Python events are only recorded when asked for.
    with nprof.profile() as p2:
        numtorch.ones(2).exp()
    assert [e.name for e in p2.events()] == ['aten::exp']


def test_unsupported_arguments():
    for kw in (dict(acc_events=True), dict(with_flops=True), dict(with_modules=True),
               dict(activities=[nprof.ProfilerActivity.CUDA])):
        with pytest.raises(NotImplementedError):
            nprof.profile(**kw)
    assert nprof.supported_activities() == {nprof.ProfilerActivity.CPU}
    with nprof.profile() as p:
        numtorch.ones(2).exp()
    with pytest.raises(NotImplementedError, match='group_by_overload_name'):
        p.key_averages(group_by_overload_name=True)


def _memory_case(lib, prof_mod):
    lib.manual_seed(0)
    lin = lib.nn.Linear(4, 3)
    x = lib.randn(2, 4)
    with prof_mod.profile(profile_memory=True) as p:
        with prof_mod.record_function('blk'):
            y = lib.relu(lin(x))
            (y * 2).sum()
        x.view(8)
    return p


def test_profile_memory_matches_torch():
    p = _memory_case(numtorch, nprof)
    q = _memory_case(torch, tprof)
    mine = {e.key: e for e in p.key_averages()}
    theirs = {e.key: e for e in q.key_averages()}
    # (A block's total differs: PyTorch subtracts the frees inside it, numtorch sees none.)
    for k in ('aten::addmm', 'aten::relu', 'aten::mul', 'aten::sum', 'aten::view'):
        assert mine[k].cpu_memory_usage == theirs[k].cpu_memory_usage, k
    assert mine['aten::addmm'].self_cpu_memory_usage == 24
    a = p.key_averages().table()
    b = q.key_averages().table()
    assert a.split('\n')[1].split() == b.split('\n')[1].split()
    rows = {ln.split()[0]: ln.split() for ln in a.split('\n')[3:-3]}
    assert rows['aten::relu'][-5:] == ['24', 'B', '24', 'B', '1']
    assert rows['blk'][-5:] == ['76', 'B', '0', 'B', '1']
    # Without profile_memory there are no memory columns.
    assert 'CPU Mem' not in _workload(numtorch, nprof)[0].key_averages().table()


def test_legacy_autograd_profiler():
    with _legacy.profile(record_shapes=True) as p:
        with _legacy.record_function('blk'):
            numtorch.ones(2, requires_grad=True).exp().sum().backward()
    with torch.autograd.profiler.profile(record_shapes=True) as q:
        with torch.autograd.profiler.record_function('blk'):
            torch.ones(2, requires_grad=True).exp().sum().backward()
    mine = {e.key for e in p.key_averages()}
    assert {'blk', 'aten::exp', 'aten::sum', 'ExpBackward0'} <= mine
    assert mine <= {e.key for e in q.key_averages()}
    a = p.table(sort_by='cpu_time_total')
    assert a.split('\n')[1].split()[:3] == q.table().split('\n')[1].split()[:3]
    assert p.self_cpu_time_total == pytest.approx(p.function_events.self_cpu_time_total)
    assert p.total_average().key == 'Total'
    with pytest.raises(RuntimeError, match="didn't finish"):
        _legacy.profile().table()
    with _legacy.profile(enabled=False) as off:
        numtorch.ones(1).exp()
    assert off.function_events is None and not nprof._record.active()


def test_legacy_autograd_profiler_is_reachable():
    import numtorch
    assert numtorch.autograd.profiler.profile is numtorch.profiler._legacy.profile
    with numtorch.autograd.profiler.profile() as p:
        (numtorch.ones(3, requires_grad=True) * 2).sum().backward()
    names = {e.key for e in p.key_averages()}
    assert {'aten::mul', 'aten::sum'} <= names
