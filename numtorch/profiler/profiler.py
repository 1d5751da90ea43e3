"""torch.profiler.profile, schedule, tensorboard_trace_handler and record_function.

The profiler times numtorch's op calls (named as PyTorch's aten ops, see
numtorch/profiler/_record.py), the backward of graph nodes and ``record_function`` blocks, on
the CPU (numtorch has no other device), with Python's performance counter.
"""
from __future__ import annotations

import contextlib
import enum
import os
import socket
import time
import warnings
from typing import Any, Callable, Iterable, Optional

from . import _record
from ._util import EventList, FunctionEvent, _write_trace

__all__ = ['profile', 'schedule', 'record_function', 'ProfilerActivity', 'ProfilerAction',
           'tensorboard_trace_handler', 'supported_activities', 'kineto_available']


class ProfilerActivity(enum.Enum):
    """The kinds of activity a profiler can record (numtorch records CPU only)."""
    CPU = 0
    XPU = 1
    CUDA = 2
    HPU = 3
    MTIA = 4
    PrivateUse1 = 5

    def __str__(self) -> str:
        return f'ProfilerActivity.{self.name}'


class ProfilerAction(enum.Enum):
    """What a schedule asks the profiler to do at a step."""
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities() -> set:
    """The activities numtorch can profile: the CPU."""
    return {ProfilerActivity.CPU}


def kineto_available() -> bool:
    """numtorch's profiler is its own, not Kineto."""
    return False


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
             skip_first_wait: int = 0) -> Callable[[int], ProfilerAction]:
    """A step -> action function: skip ``skip_first`` steps, then cycles of ``wait`` idle,
    ``warmup`` warm-up and ``active`` recorded steps (the last one RECORD_AND_SAVE, which
    hands the trace to ``on_trace_ready``), ``repeat`` times (0: until the end).
    ``skip_first_wait`` drops the first cycle's wait."""

    def schedule_fn(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f'Step must be non-negative. Got {step}.')
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        n = wait + warmup + active
        if repeat > 0 and step / n >= repeat:
            return ProfilerAction.NONE
        m = step % n
        if m < wait:
            return ProfilerAction.NONE
        if m < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if m < n - 1 else ProfilerAction.RECORD_AND_SAVE

    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f'Invalid profiler schedule arguments. Got wait={wait} (need >= 0), '
            f'warmup={warmup} (need >= 0), active={active} (need > 0), repeat={repeat} '
            f'(need >= 0), skip_first={skip_first} (need >= 0).')
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results",
                      stacklevel=2)
    return schedule_fn


def _default_schedule_fn(_: int) -> ProfilerAction:
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name: str, worker_name: Optional[str] = None,
                              use_gzip: bool = False, use_python_export: bool = False):
    """An ``on_trace_ready`` handler that writes each trace as
    ``<dir_name>/<worker_name>.<time_ns>.pt.trace.json[.gz]`` (worker name by default
    '<hostname>_<pid>'), the layout TensorBoard's profiler plugin reads."""

    def handler_fn(prof) -> None:
        nonlocal worker_name
        if not os.path.isdir(dir_name):
            try:
                os.makedirs(dir_name, exist_ok=True)
            except Exception as e:
                raise RuntimeError("Can't create directory: " + dir_name) from e
        if not worker_name:
            worker_name = f'{socket.gethostname()}_{os.getpid()}'
        name = f'{worker_name}.{time.time_ns()}.pt.trace.json'
        if use_gzip:
            name += '.gz'
        prof.export_chrome_trace(os.path.join(dir_name, name))

    return handler_fn


class record_function(contextlib.ContextDecorator):
    """Marks a block (``with record_function('name'):``) or a function (as a decorator) as a
    named range in the profile; it costs next to nothing when no profiler is recording."""

    def __init__(self, name: str, args: Optional[str] = None) -> None:
        self.name = name
        self.args = args
        self._open: list = []

    def __enter__(self) -> 'record_function':
        self._open.append(_record.begin(self.name, None, 'user_annotation')
                          if _record.active() else None)
        return self

    def __exit__(self, *exc: Any) -> None:
        r = self._open.pop()
        if r is not None and r.end < 0:
            _record.end(r)


def _to_events(ranges: list, t0: int, memory: bool) -> EventList:
    """Ranges (in opening order) to FunctionEvents linked to their enclosing event in the
    same thread."""
    evs = []
    stacks: dict = {}
    for i, r in enumerate(ranges):
        name = r.name
        # As PyTorch, the events (and so the tables) merge all steps as 'ProfilerStep*';
        # the Chrome trace keeps each step's own name.
        if name.startswith('ProfilerStep#'):
            name = 'ProfilerStep*'
        e = FunctionEvent(i + 1, name, r.tid, (r.start - t0) / 1000.0, (r.end - t0) / 1000.0,
                          r.shapes, r.cat)
        e.trace_name = r.name
        e.self_cpu_memory_usage = r.mem
        e._depth = r.depth
        stack = stacks.setdefault(r.tid, [])
        while stack and stack[-1]._depth >= r.depth:
            stack.pop()
        if stack:
            e.cpu_parent = stack[-1]
            stack[-1].cpu_children.append(e)
        stack.append(e)
        evs.append(e)
    return EventList(evs, profile_memory=memory)


class _Recorder:
    """One recording window over the shared timeline."""

    def __init__(self, record_shapes: bool, profile_memory: bool, with_stack: bool) -> None:
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.first: Optional[int] = None
        self.function_events: Optional[EventList] = None

    def start(self) -> None:
        self.t0 = time.perf_counter_ns()
        self.wall0 = time.time_ns()
        self.first = _record.start_recording(self.record_shapes, self.profile_memory,
                                             self.with_stack)

    def stop(self) -> None:
        if self.first is None:
            return
        ranges = _record.stop_recording(self.first, self.record_shapes, self.profile_memory,
                                        self.with_stack)
        self.first = None
        self.function_events = _to_events(ranges, self.t0, self.profile_memory)


def _check_flags(owner: str, **flags) -> None:
    for k, v in flags.items():
        if v:
            raise NotImplementedError(f'{owner}: {k}=True is not supported by numtorch')


_warned_clear = [False]


class _KinetoProfile:
    """A profiler without a schedule: ``start()`` records until ``stop()``."""

    def __init__(self, *, activities: Optional[Iterable[ProfilerActivity]] = None,
                 record_shapes: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_flops: bool = False,
                 with_modules: bool = False, experimental_config=None,
                 execution_trace_observer=None, acc_events: bool = False,
                 custom_trace_id_callback=None) -> None:
        # NOTE: numtorch does not count FLOPs or record modules per op; asking for them is an
        # error rather than columns of zeros. profile_memory counts the bytes of each op's
        # new outputs (see _record._out_bytes); with_stack records Python calls (see
        # _record._tracer).
        _check_flags('profile', with_flops=with_flops, with_modules=with_modules,
                     acc_events=acc_events)
        for k, v in (('experimental_config', experimental_config),
                     ('execution_trace_observer', execution_trace_observer),
                     ('custom_trace_id_callback', custom_trace_id_callback)):
            if v is not None:
                raise NotImplementedError(f'profile: {k} is not supported by numtorch')
        acts = set(activities) if activities is not None else supported_activities()
        if not acts:
            raise AssertionError('No valid profiler activities found')
        for a in acts:
            if a is not ProfilerActivity.CPU:
                raise NotImplementedError(f'profile: activity {a} is not supported by numtorch '
                                          '(it records ProfilerActivity.CPU only)')
        self.activities = acts
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.with_modules = with_modules
        self.profiler: Optional[_Recorder] = None
        self._metadata: dict = {}

    def start(self) -> None:
        self.prepare_trace()
        self.start_trace()

    def stop(self) -> None:
        self.stop_trace()

    def prepare_trace(self) -> None:
        if self.profiler is not None and not _warned_clear[0]:
            _warned_clear[0] = True
            warnings.warn('Warning: Profiler clears events at the end of each cycle. Only '
                          'events from the current cycle will be reported. To keep events '
                          'across cycles, set acc_events=True.')
        self.profiler = _Recorder(self.record_shapes, self.profile_memory, self.with_stack)

    def start_trace(self) -> None:
        self.profiler.start()

    def stop_trace(self) -> None:
        if self.profiler is None:
            raise AssertionError('Profiler must be initialized before stopping trace')
        self.profiler.stop()

    def _events(self) -> EventList:
        if self.profiler is None or self.profiler.function_events is None:
            raise AssertionError('Profiler must be initialized before accessing events')
        return self.profiler.function_events

    def events(self) -> EventList:
        """The recorded (unaggregated) events of the last finished recording."""
        return self._events()

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """The events averaged per name (and per input shapes when ``group_by_input_shape``;
        that needs ``record_shapes=True``)."""
        return self._events().key_averages(group_by_input_shape, group_by_stack_n,
                                           group_by_overload_name)

    def export_chrome_trace(self, path: str, use_python_export: bool = False) -> None:
        """Writes the last recording as a Chrome trace JSON file (gzipped if the path ends
        in '.gz'); open it in chrome://tracing or Perfetto."""
        meta = dict(self._metadata)
        meta['baseTimeNanoseconds'] = self.profiler.wall0 if self.profiler else 0
        _write_trace(self._events(), path, meta)

    def add_metadata(self, key: str, value: str) -> None:
        """Adds a string entry to the exported trace's top level."""
        self._metadata[key] = value


class profile(_KinetoProfile):
    """The profiler context manager: ``with profile(...) as prof:`` records numtorch's ops
    (see the module docstring); with a ``schedule``, ``prof.step()`` marks step ends,
    each step is a 'ProfilerStep#<n>' range, and ``on_trace_ready(prof)`` runs at the end of
    each active cycle (and at exit if recording)."""

    def __init__(self, *, activities: Optional[Iterable[ProfilerActivity]] = None,
                 schedule: Optional[Callable[[int], ProfilerAction]] = None,
                 on_trace_ready: Optional[Callable[..., Any]] = None,
                 record_shapes: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_flops: bool = False,
                 with_modules: bool = False, experimental_config=None,
                 execution_trace_observer=None, acc_events: bool = False,
                 use_cuda: Optional[bool] = None, custom_trace_id_callback=None) -> None:
        if use_cuda is not None:
            warnings.warn('`use_cuda` is deprecated, use `activities` argument instead',
                          FutureWarning, stacklevel=2)
            if use_cuda:
                raise NotImplementedError('profile: use_cuda=True is not supported by numtorch')
        super().__init__(activities=activities, record_shapes=record_shapes,
                         profile_memory=profile_memory, with_stack=with_stack,
                         with_flops=with_flops, with_modules=with_modules,
                         experimental_config=experimental_config,
                         execution_trace_observer=execution_trace_observer,
                         acc_events=acc_events,
                         custom_trace_id_callback=custom_trace_id_callback)
        if schedule:
            self.schedule = schedule
            self.record_steps = True
        else:
            self.schedule = _default_schedule_fn
            self.record_steps = False
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.current_action = self.schedule(self.step_num)
        self.step_rec_fn: Optional[record_function] = None
        A = ProfilerAction
        prep, start, stop, ready = (self.prepare_trace, self.start_trace, self.stop_trace,
                                    self._trace_ready)

        def warn(msg):
            return lambda: warnings.warn(msg)

        # What to do on each (previous action, new action) transition; None: the end.
        self.action_map = {
            (A.NONE, A.WARMUP): [prep],
            (A.NONE, A.RECORD): [prep, start],
            (A.NONE, A.RECORD_AND_SAVE): [prep, start],
            (A.WARMUP, A.NONE): [warn('Incorrect schedule: WARMUP followed by NONE'),
                                 start, stop],
            (A.WARMUP, A.RECORD): [start],
            (A.WARMUP, A.RECORD_AND_SAVE): [start],
            (A.RECORD, A.NONE): [warn('Incorrect schedule: RECORD followed by NONE'), stop],
            (A.RECORD, A.WARMUP): [warn('Incorrect schedule: RECORD followed by WARMUP'),
                                   stop],
            (A.RECORD_AND_SAVE, A.NONE): [stop, ready],
            (A.RECORD_AND_SAVE, A.WARMUP): [stop, ready, prep],
            (A.RECORD_AND_SAVE, A.RECORD): [stop, ready, prep, start],
            (A.RECORD_AND_SAVE, A.RECORD_AND_SAVE): [stop, ready, prep, start],
            (A.WARMUP, None): [start, stop],
            (A.RECORD, None): [stop, ready],
            (A.RECORD_AND_SAVE, None): [stop, ready],
        }

    def __enter__(self) -> 'profile':
        self.start()
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        self.stop()

    def start(self) -> None:
        self._transit_action(ProfilerAction.NONE, self.current_action)
        if self.record_steps:
            self.step_rec_fn = record_function('ProfilerStep#' + str(self.step_num))
            self.step_rec_fn.__enter__()

    def stop(self) -> None:
        if self.record_steps and self.step_rec_fn:
            self.step_rec_fn.__exit__(None, None, None)
            self.step_rec_fn = None
        self._transit_action(self.current_action, None)

    def step(self) -> None:
        """Ends the current step and starts the next, acting on the schedule's answer."""
        if self.record_steps and self.step_rec_fn:
            self.step_rec_fn.__exit__(None, None, None)
            self.step_rec_fn = None
        prev = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        self._transit_action(prev, self.current_action)
        if self.record_steps:
            self.step_rec_fn = record_function('ProfilerStep#' + str(self.step_num))
            self.step_rec_fn.__enter__()

    def _trace_ready(self) -> None:
        if self.on_trace_ready:
            self.on_trace_ready(self)

    def _transit_action(self, prev, current) -> None:
        for action in self.action_map.get((prev, current), ()):
            action()
