"""torch.utils.benchmark against PyTorch: Measurement statistics and reprs and Compare tables
from fixed times (exact text), and Timer's measuring loops on cheap statements."""
import re

import pytest
import torch.utils.benchmark as tb

import numtorch
import numtorch.utils.benchmark as nb

TIMES = [[1.2e-6, 1.3e-6, 1.25e-6, 1.1e-6, 1.22e-6],
         [3.0e-3],
         [2.0e-5, 2.1e-5, 2.05e-5, 3.0e-5, 2.2e-5, 2.0e-5],
         [4.0e-1, 9.0e-1, 5.0e-1, 4.2e-1],
         [1e-6, 1e-6, 1e-6, 1e-6]]


def _pair(times, number=10, **spec):
    spec.setdefault('stmt', 'x + 1')
    spec.setdefault('setup', 'pass')
    ms = []
    for lib in (nb, tb):
        ts = lib.TaskSpec(**spec)
        ms.append(lib.Measurement(number_per_run=number, raw_times=list(times), task_spec=ts))
    return ms


def _body(m):
    return repr(m).split('\n', 1)[1]


@pytest.mark.parametrize('times', TIMES)
def test_measurement_stats_and_repr(times):
    n, t = _pair(times, label='Add', description='n=4', setup='x = torch.ones(4)',
                 num_threads=2)
    assert n.times == t.times
    for attr in ('median', 'mean', 'iqr'):
        assert getattr(n, attr) == pytest.approx(getattr(t, attr), rel=1e-12, abs=0)
    assert n.significant_figures == t.significant_figures
    assert n.has_warnings == t.has_warnings
    assert _body(n) == _body(t)
    assert repr(n).startswith('<numtorch.utils.benchmark.utils.common.Measurement object at ')
    assert (n.stmt, n.label, n.num_threads, n.title) == (t.stmt, t.label, t.num_threads, t.title)


def test_measurement_multiline_and_merge():
    n, t = _pair(TIMES[0], stmt='y = x * 2\ny.sum()', setup='x = 1\nz = 2', sub_label='s')
    assert _body(n) == _body(t)
    n2, t2 = _pair(TIMES[2], number=3, stmt='y = x * 2\ny.sum()', setup='x = 1\nz = 2',
                   sub_label='s')
    mn = nb.Measurement.merge([n, n2])
    mt = tb.Measurement.merge([t, t2])
    assert len(mn) == len(mt) == 1
    assert mn[0].times == mt[0].times and mn[0].number_per_run == 1
    assert _body(mn[0]) == _body(mt[0])


def test_units_and_sigfig():
    for x in (3e-10, 1e-9, 7.7e-8, 1e-6, 4.2e-4, 1e-3, 0.25, 1.0, 12.0):
        assert nb.select_unit(x) == tb.select_unit(x)
        assert nb.trim_sigfig(x * 1.2345, 2) == tb.trim_sigfig(x * 1.2345, 2)
    assert nb.unit_to_english('us') == 'microsecond'
    assert nb.ordered_unique([3, 1, 3, 2, 1]) == tb.ordered_unique([3, 1, 3, 2, 1])


def _results(lib):
    out = []
    for i, (desc, times) in enumerate(zip(['n=1', 'n=8', 'n=64'], TIMES[:3] + TIMES[2:])):
        for sub, scale in (('float', 1.0), ('int', 1.7)):
            for threads in (1, 4):
                ts = lib.TaskSpec(stmt='f(x)', setup='pass', label='Op', sub_label=sub,
                                  description=desc, num_threads=threads)
                out.append(lib.Measurement(10, [t * scale / threads for t in times], ts))
    ts = lib.TaskSpec(stmt='g(x)', setup='pass', label='Other', env='A',
                      description='n=1')
    out.append(lib.Measurement(1, TIMES[3], ts))
    ts = lib.TaskSpec(stmt='g(x)', setup='pass', label='Other', env='B',
                      description='n=8')
    out.append(lib.Measurement(1, TIMES[4], ts))
    return out


def test_compare_tables():
    cn, ct = nb.Compare(_results(nb)), tb.Compare(_results(tb))
    assert str(cn) == str(ct)
    cn.trim_significant_figures()
    ct.trim_significant_figures()
    assert str(cn) == str(ct)
    cn.highlight_warnings()
    ct.highlight_warnings()
    assert str(cn) == str(ct)
    for rowwise in (False, True):
        cn.colorize(rowwise=rowwise)
        ct.colorize(rowwise=rowwise)
        assert str(cn) == str(ct)
    with pytest.raises(ValueError, match='Expected an instance of `Measurement`'):
        nb.Compare([1])
    for lib in (nb, tb):  # a table needs descriptions for its column heads
        ts = lib.TaskSpec(stmt='g(x)', setup='pass')
        with pytest.raises(TypeError):
            str(lib.Compare([lib.Measurement(1, [1e-3, 2e-3], ts)]))


def test_timer_runs_statement():
    calls = []
    timer = nb.Timer('f(x)', setup='x = torch.ones(3)', globals={'f': calls.append},
                     label='L', num_threads=2)
    m = timer.timeit(50)
    assert m.number_per_run == 50 and len(m.raw_times) == 1
    assert len(calls) == 52  # 2 warm-up runs, then the timed 50
    assert isinstance(calls[0], numtorch.Tensor)
    assert re.fullmatch(r'<numtorch\.utils\.benchmark\.utils\.common\.Measurement object at '
                        r'0x[0-9a-f]+>\nL\nsetup: x = torch.ones\(3\)\n  \d+\.\d\d [num]?s\n'
                        r'  1 measurement, 50 runs , 2 threads', repr(m)), repr(m)
    assert numtorch.get_num_threads() == 1  # restored


def test_blocked_and_adaptive_autorange():
    timer = nb.Timer('x.sum()', setup='x = torch.ones(8)')
    seen = []
    m = timer.blocked_autorange(callback=lambda n, t: seen.append((n, t)), min_run_time=0.02)
    assert sum(m.raw_times) >= 0.02 and len(seen) == len(m.raw_times)
    assert m.number_per_run >= 1 and str(m.number_per_run).strip('0') == '1'
    assert all(n == m.number_per_run for n, _ in seen)
    m2 = timer.adaptive_autorange(threshold=0.5, min_run_time=0.005, max_run_time=0.5)
    assert len(m2.raw_times) >= 4 or sum(m2.raw_times) > 0.5
    for meth in ('repeat', 'autorange'):
        with pytest.raises(NotImplementedError, match='blocked_autorange'):
            getattr(timer, meth)()
    with pytest.raises(ValueError, match='only a `str` stmt'):
        nb.Timer(lambda: 0)
    with pytest.raises(ValueError, match='global_setup is C\\+\\+ only'):
        nb.Timer('pass', global_setup='#include <x>')
    with pytest.raises(NotImplementedError, match='C\\+\\+'):
        nb.Timer('pass', language='cpp')
