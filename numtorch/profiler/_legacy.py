"""torch.autograd.profiler: the older profiler API (``profile`` with ``enabled``, whose
results hang on the profiler itself) and ``record_function``, on numtorch's recorder."""
from __future__ import annotations

from typing import Optional

from ._util import EventList, FunctionEvent, FunctionEventAvg
from .profiler import _check_flags, _Recorder, record_function

__all__ = ['profile', 'record_function', 'EventList', 'FunctionEvent', 'FunctionEventAvg']


class profile:
    """``with torch.autograd.profiler.profile() as prof:`` records numtorch's ops, backward
    nodes and ``record_function`` ranges (CPU only); ``prof.table()``, ``prof.key_averages()``,
    ``prof.export_chrome_trace(path)`` read them once the block has exited."""

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False,
                 use_device: Optional[str] = None, record_shapes: bool = False,
                 with_flops: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_modules: bool = False,
                 use_kineto: bool = False, use_cpu: bool = True, experimental_config=None,
                 acc_events: bool = False, custom_trace_id_callback=None) -> None:
        _check_flags('profile', use_cuda=use_cuda, with_flops=with_flops,
                     with_modules=with_modules, acc_events=acc_events)
        if use_device not in (None, 'cpu'):
            raise NotImplementedError(f'profile: use_device={use_device!r} is not supported '
                                      'by numtorch')
        if not use_cpu:
            raise NotImplementedError('profile: use_cpu=False is not supported by numtorch '
                                      '(it profiles the CPU only)')
        for k, v in (('experimental_config', experimental_config),
                     ('custom_trace_id_callback', custom_trace_id_callback)):
            if v is not None:
                raise NotImplementedError(f'profile: {k} is not supported by numtorch')
        self.enabled = enabled
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.use_kineto = use_kineto
        self.entered = False
        self._rec: Optional[_Recorder] = None
        self.function_events: Optional[EventList] = None

    def __enter__(self) -> 'profile':
        if not self.enabled:
            return self
        if self.entered:
            raise RuntimeError('Profiler context manager is not reentrant')
        self.entered = True
        self._rec = _Recorder(self.record_shapes, self.profile_memory, self.with_stack)
        self._rec.start()
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        if not self.enabled or self._rec is None:
            return
        self._rec.stop()
        self.function_events = self._rec.function_events

    def _check_finish(self) -> EventList:
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running")
        return self.function_events

    def __str__(self) -> str:
        return str(self._check_finish())

    def table(self, sort_by: Optional[str] = None, row_limit: int = 100,
              max_src_column_width: int = 75, max_name_column_width: int = 55,
              max_shapes_column_width: int = 80, header: Optional[str] = None,
              top_level_events_only: bool = False) -> str:
        """The recorded events as PyTorch's text table (see ``EventList.table``)."""
        return self._check_finish().table(
            sort_by=sort_by, row_limit=row_limit, max_src_column_width=max_src_column_width,
            max_name_column_width=max_name_column_width,
            max_shapes_column_width=max_shapes_column_width, header=header,
            top_level_events_only=top_level_events_only)

    def export_chrome_trace(self, path: str) -> None:
        """Writes the recorded events as a Chrome trace JSON file."""
        self._check_finish().export_chrome_trace(path)

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """The events averaged per name (and input shapes when asked)."""
        return self._check_finish().key_averages(group_by_input_shape, group_by_stack_n,
                                                 group_by_overload_name)

    def total_average(self) -> FunctionEventAvg:
        return self._check_finish().total_average()

    @property
    def self_cpu_time_total(self) -> float:
        """The sum of every event's self CPU time, in microseconds."""
        return self._check_finish().self_cpu_time_total
