"""Profiler results: FunctionEvent, FunctionEventAvg, EventList and its table, as in
torch.autograd.profiler_util (times are in microseconds)."""
from __future__ import annotations

import json
import os
from typing import Optional

__all__ = ['FunctionEvent', 'FunctionEventAvg', 'EventList']


def _format_time(time_us: float) -> str:
    if time_us >= 1e6:
        return f'{time_us / 1e6:.3f}s'
    if time_us >= 1e3:
        return f'{time_us / 1e3:.3f}ms'
    return f'{time_us:.3f}us'


def _format_time_share(time_us: float, total_us: float) -> str:
    if total_us == 0:
        return 'NaN'
    return f'{time_us * 100.0 / total_us:.2f}%'


def _in_unit(time_us: float, unit: Optional[str]) -> str:
    if unit == 's':
        return f'{time_us / 1e6:.3f}s'
    if unit == 'ms':
        return f'{time_us / 1e3:.3f}ms'
    if unit == 'us':
        return f'{time_us:.3f}us'
    return _format_time(time_us)


class _Timed:
    """The time fields and their formatted forms, shared by events and averages."""

    @property
    def cpu_time(self) -> float:
        return 0.0 if self.count == 0 else self.cpu_time_total / self.count

    @property
    def self_cpu_time_total_str(self) -> str:
        return _format_time(self.self_cpu_time_total)

    @property
    def cpu_time_total_str(self) -> str:
        return _format_time(self.cpu_time_total)

    @property
    def cpu_time_str(self) -> str:
        return _format_time(self.cpu_time)

    # No device activity is ever recorded by numtorch.
    self_device_time_total = 0.0
    device_time_total = 0.0
    device_time = 0.0
    self_device_memory_usage = 0
    device_memory_usage = 0
    node_id = -1
    is_async = False
    use_device = None
    overload_name = ''
    flops = 0


class Interval:
    """A start and end time in microseconds."""
    __slots__ = ('start', 'end')

    def __init__(self, start: float, end: float) -> None:
        self.start = start
        self.end = end

    def elapsed_us(self) -> float:
        return self.end - self.start

    def __repr__(self) -> str:
        return f'Interval(start={self.start}, end={self.end})'


class FunctionEvent(_Timed):
    """One recorded range: an op call, a record_function block or a backward node."""

    def __init__(self, id: int, name: str, thread: int, start_us: float, end_us: float,
                 input_shapes=None, cat: str = 'cpu_op') -> None:
        self.id = id
        self.name = name
        self.thread = thread
        self.start_us = start_us
        self.end_us = end_us
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.cat = cat
        self.cpu_children: list = []
        self.cpu_parent: Optional[FunctionEvent] = None
        self.count = 1
        self.stack: list = []
        self.trace_name = name
        self.self_cpu_memory_usage = 0

    @property
    def cpu_memory_usage(self) -> int:
        return self.self_cpu_memory_usage + sum(c.cpu_memory_usage for c in self.cpu_children)

    @property
    def key(self) -> str:
        return self.name

    @property
    def time_range(self) -> Interval:
        return Interval(self.start_us, self.end_us)

    @property
    def is_user_annotation(self) -> bool:
        return self.cat == 'user_annotation'

    @property
    def cpu_time_total(self) -> float:
        return self.end_us - self.start_us

    @property
    def self_cpu_time_total(self) -> float:
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    def __repr__(self) -> str:
        return (f'<FunctionEvent id={self.id} name={self.name} '
                f'cpu_time={self.cpu_time_total_str} start_us={self.start_us:.3f} '
                f'end_us={self.end_us:.3f} cpu_children={[c.id for c in self.cpu_children]} '
                f'input_shapes={self.input_shapes}>')


class FunctionEventAvg(_Timed):
    """The events of one key (name, and input shapes when grouped by them) added up."""

    def __init__(self) -> None:
        self.key: Optional[str] = None
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = 0
        self.self_cpu_memory_usage = 0
        self.input_shapes = None
        self.stack = None
        self.cpu_parent = None
        self.is_user_annotation = False

    def add(self, other) -> 'FunctionEventAvg':
        if self.key is None:
            self.key = other.key
            self.input_shapes = other.input_shapes
            self.cpu_parent = other.cpu_parent
            self.is_user_annotation = other.is_user_annotation
        self.count += other.count
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.cpu_memory_usage += other.cpu_memory_usage
        self.self_cpu_memory_usage += other.self_cpu_memory_usage
        return self

    __iadd__ = add

    def __repr__(self) -> str:
        return (f'<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str}'
                f' cpu_time={self.cpu_time_str} input_shapes={self.input_shapes}>')


class EventList(list):
    """A list of events with PyTorch's summaries: ``table``, ``key_averages``,
    ``total_average``, ``export_chrome_trace``."""

    def __init__(self, *args, use_device: Optional[str] = None, profile_memory: bool = False,
                 with_flops: bool = False) -> None:
        if use_device not in (None, 'cpu'):
            raise NotImplementedError(f'EventList: use_device={use_device!r} is not supported '
                                      'by numtorch')
        if with_flops:
            raise NotImplementedError('EventList: with_flops=True is not supported by numtorch')
        super().__init__(*args)
        self._profile_memory = profile_memory

    @property
    def self_cpu_time_total(self) -> float:
        return sum(e.self_cpu_time_total for e in self)

    def key_averages(self, group_by_input_shapes: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> 'EventList':
        """The events grouped by name (and input shapes if asked), in first-seen order."""
        if group_by_overload_name:
            raise NotImplementedError('key_averages: group_by_overload_name is not supported '
                                      'by numtorch (ops have no overload names)')
        groups: dict = {}
        for e in self:
            # NOTE: as in PyTorch's profiler, events carry no stacks (with_stack records
            # Python calls as events of their own), so grouping by stack adds nothing.
            k = (e.key, str(e.input_shapes) if group_by_input_shapes else None,
                 tuple(e.stack[:group_by_stack_n]))
            g = groups.get(k)
            if g is None:
                g = groups[k] = FunctionEventAvg()
            g.add(e)
        if not group_by_input_shapes:
            for g in groups.values():
                g.input_shapes = ''
        return EventList(groups.values(), profile_memory=self._profile_memory)

    def total_average(self) -> FunctionEventAvg:
        tot = FunctionEventAvg()
        for e in self:
            tot.add(e)
            tot.key = None
        tot.key = 'Total'
        return tot

    def table(self, sort_by: Optional[str] = None, row_limit: int = 100,
              max_src_column_width: int = 75, max_name_column_width: int = 55,
              max_shapes_column_width: int = 80, header: Optional[str] = None,
              top_level_events_only: bool = False, time_unit: Optional[str] = None) -> str:
        """The events as a text table, laid out as PyTorch's: one row per event, sorted
        descending by the attribute ``sort_by`` (e.g. 'cpu_time_total'), at most
        ``row_limit`` rows, then 'Self CPU time total'."""
        return _build_table(self, sort_by, header, row_limit, max_name_column_width,
                            max_shapes_column_width, top_level_events_only, time_unit,
                            self._profile_memory)

    def export_chrome_trace(self, path: str) -> None:
        """Writes the (unaggregated) events as a Chrome trace JSON file."""
        _write_trace(self, path, {})

    def __str__(self) -> str:
        return self.table()


def _format_memory(nbytes: int) -> str:
    for unit, size in (('GB', 1 << 30), ('MB', 1 << 20), ('KB', 1 << 10)):
        if abs(nbytes) >= size:
            return f'{nbytes / size:.2f} {unit}'
    return f'{nbytes} B'


def _build_table(events, sort_by, header, row_limit, max_name_w, max_shapes_w,
                 top_level_only, time_unit, memory) -> str:
    if len(events) == 0:
        return ''
    if sort_by is not None:
        key = sort_by.replace('cuda', 'device').replace('xpu', 'device')
        events = sorted(events, key=lambda e: getattr(e, key), reverse=True)
    has_shapes = any(e.input_shapes for e in events)
    name_w = max(len(e.key) for e in events) + 4
    if max_name_w is not None:
        name_w = min(name_w, max_name_w)
    shapes_w = max(len(str(e.input_shapes)) for e in events) + 4
    if max_shapes_w is not None:
        shapes_w = min(shapes_w, max_shapes_w)
    # Columns: name, five time columns, two memory columns if asked, and the call count,
    # each 12 wide, two spaces after every column (the last included), right-aligned.
    headers = ['Name', 'Self CPU %', 'Self CPU', 'CPU total %', 'CPU total', 'CPU time avg']
    if memory:
        headers += ['CPU Mem', 'Self CPU Mem']
    headers.append('# of Calls')
    widths = [name_w] + [12] * (len(headers) - 1)
    if has_shapes:
        headers.append('Input Shapes')
        widths.append(shapes_w)
    fmt = ''.join('{:>' + str(w) + '}  ' for w in widths)
    sep = ''.join('-' * w + '  ' for w in widths)
    line_len = sum(w + 2 for w in widths) - 2
    total = sum(e.self_cpu_time_total for e in events)
    out = []
    if header is not None:
        out += ['=' * line_len, header]
    if top_level_only:
        out += ['=' * line_len, 'This report only display top-level ops statistics']
    out += [sep, fmt.format(*headers), sep]
    shown = 0
    for e in events:
        if shown == row_limit:
            break
        if top_level_only and e.cpu_parent is not None:
            continue
        shown += 1
        name = e.key
        if max_name_w is not None and len(name) >= max_name_w - 3:
            name = name[:max_name_w - 3] + '...'
        row = [name, _format_time_share(e.self_cpu_time_total, total),
               _in_unit(e.self_cpu_time_total, time_unit),
               _format_time_share(e.cpu_time_total, total),
               _in_unit(e.cpu_time_total, time_unit), _in_unit(e.cpu_time, time_unit)]
        if memory:
            row += [_format_memory(e.cpu_memory_usage), _format_memory(e.self_cpu_memory_usage)]
        row.append(e.count)
        if has_shapes:
            row.append(str(e.input_shapes)[:shapes_w])
        out.append(fmt.format(*row))
    out += [sep, f'Self CPU time total: {_in_unit(total, time_unit)}']
    return '\n'.join(out) + '\n'


def _write_trace(events, path: str, meta: dict) -> None:
    """Chrome trace format: one complete ('X') event per range, times in microseconds."""
    pid = os.getpid()
    evs = []
    for i, e in enumerate(sorted(events, key=lambda e: (e.start_us, -e.end_us))):
        args = {'External id': e.id, 'Ev Idx': i}
        if e.input_shapes:
            args['Input Dims'] = e.input_shapes
        evs.append({'ph': 'X', 'cat': e.cat, 'name': e.trace_name, 'pid': pid, 'tid': e.thread,
                    'ts': round(e.start_us, 3), 'dur': round(e.end_us - e.start_us, 3),
                    'args': args})
    doc = {'schemaVersion': 1, 'deviceProperties': [], **meta, 'traceEvents': evs,
           'traceName': path, 'displayTimeUnit': 'ms'}
    if path.endswith('.gz'):
        import gzip
        with gzip.open(path, 'wt') as f:
            json.dump(doc, f)
    else:
        with open(path, 'w') as f:
            json.dump(doc, f)
