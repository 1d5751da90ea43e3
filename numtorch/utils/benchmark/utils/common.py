"""TaskSpec and Measurement: what a Timer measured and how it prints."""
from __future__ import annotations

import collections
import contextlib
import dataclasses
import math
import textwrap
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

__all__ = ['TaskSpec', 'Measurement', 'select_unit', 'unit_to_english', 'trim_sigfig',
           'ordered_unique', 'set_torch_threads']

_MAX_SIGNIFICANT_FIGURES = 4
_MIN_CONFIDENCE_INTERVAL = 25e-9  # 25 ns
# an interquartile range above these fractions of the median earns a warning in the repr
_IQR_WARN_THRESHOLD = 0.1
_IQR_GROSS_WARN_THRESHOLD = 0.25


@dataclasses.dataclass(init=True, repr=False, eq=True, frozen=True)
class TaskSpec:
    """What was timed: the statement, its setup and the labels given to the Timer."""

    stmt: str
    setup: str
    global_setup: str = ''
    label: str | None = None
    sub_label: str | None = None
    description: str | None = None
    env: str | None = None
    num_threads: int = 1

    @property
    def title(self) -> str:
        """The label (else the one-line statement), with the sub-label after a colon."""
        if self.label is not None:
            return self.label + (f': {self.sub_label}' if self.sub_label else '')
        if '\n' not in self.stmt:
            return self.stmt + (f': {self.sub_label}' if self.sub_label else '')
        return (f"stmt:{f' ({self.sub_label})' if self.sub_label else ''}\n"
                f"{textwrap.indent(self.stmt, '  ')}")

    def setup_str(self) -> str:
        if self.setup == 'pass' or not self.setup:
            return ''
        if '\n' in self.setup:
            return f"setup:\n{textwrap.indent(self.setup, '  ')}"
        return f'setup: {self.setup}'

    def summarize(self) -> str:
        """The task's lines of a Measurement's repr."""
        sections = [self.title, self.description or '', self.setup_str()]
        return '\n'.join([f'{i}\n' if '\n' in i else i for i in sections if i])


_TASKSPEC_FIELDS = tuple(f.name for f in dataclasses.fields(TaskSpec))


@dataclasses.dataclass(init=True, repr=False)
class Measurement:
    """The times of one or more blocks of ``number_per_run`` runs of a statement, with their
    statistics (``median``, ``mean``, ``iqr``, per run) and PyTorch's summary repr."""

    number_per_run: int
    raw_times: list
    task_spec: TaskSpec
    metadata: dict | None = None  # free for the user

    def __post_init__(self) -> None:
        self._sorted_times: tuple = ()
        self._warnings: tuple = ()
        self._median = -1.0
        self._mean = -1.0
        self._p25 = -1.0
        self._p75 = -1.0

    def __getattr__(self, name: str) -> Any:
        # the TaskSpec's fields read through (m.stmt, m.label, ...)
        if name in _TASKSPEC_FIELDS:
            return getattr(self.task_spec, name)
        return super().__getattribute__(name)

    @property
    def times(self) -> list:
        """Seconds per run of each block."""
        return [t / self.number_per_run for t in self.raw_times]

    @property
    def median(self) -> float:
        self._lazy_init()
        return self._median

    @property
    def mean(self) -> float:
        self._lazy_init()
        return self._mean

    @property
    def iqr(self) -> float:
        self._lazy_init()
        return self._p75 - self._p25

    @property
    def significant_figures(self) -> int:
        """A rough count of trustworthy digits, from the spread of the middle half of the
        times (z = 1.645), between 1 and 4; Compare uses it to round."""
        self._lazy_init()
        n_total = len(self._sorted_times)
        lower = n_total // 4
        upper = int(math.ceil(np.float32(3 * n_total / 4)))
        middle = np.array(self._sorted_times[lower:upper], dtype=np.float32)
        std = float(middle.std())
        sqrt_n = float(np.sqrt(np.float32(len(middle))))
        ci = max(1.645 * std / sqrt_n, _MIN_CONFIDENCE_INTERVAL)
        relative_ci = float(np.log10(np.float32(self._median / ci)))
        return min(max(int(math.floor(np.float32(relative_ci))), 1), _MAX_SIGNIFICANT_FIGURES)

    @property
    def has_warnings(self) -> bool:
        self._lazy_init()
        return bool(self._warnings)

    def _lazy_init(self) -> None:
        if self.raw_times and not self._sorted_times:
            self._sorted_times = tuple(sorted(self.times))
            st = np.array(self._sorted_times, dtype=np.float64)
            self._median = float(np.quantile(st, .5))
            self._mean = float(st.mean())
            self._p25 = float(np.quantile(st, .25))
            self._p75 = float(np.quantile(st, .75))

            def add_warning(msg: str) -> None:
                rel_iqr = self.iqr / self.median * 100
                self._warnings += (f'  WARNING: Interquartile range is {rel_iqr:.1f}% '
                                   f'of the median measurement.\n           {msg}',)
            if not self.meets_confidence(_IQR_GROSS_WARN_THRESHOLD):
                add_warning('This suggests significant environmental influence.')
            elif not self.meets_confidence(_IQR_WARN_THRESHOLD):
                add_warning('This could indicate system fluctuation.')

    def meets_confidence(self, threshold: float = _IQR_WARN_THRESHOLD) -> bool:
        return self.iqr / self.median < threshold

    @property
    def title(self) -> str:
        return self.task_spec.title

    @property
    def env(self) -> str:
        return 'Unspecified env' if self.task_spec.env is None else self.task_spec.env

    @property
    def as_row_name(self) -> str:
        return self.sub_label or self.stmt or '[Unknown]'

    def __repr__(self) -> str:
        self._lazy_init()
        n = len(self._sorted_times)
        unit, scale = select_unit(self._median)
        lines = [object.__repr__(self), self.task_spec.summarize(),
                 f"  {'Median: ' if n > 1 else ''}{self._median / scale:.2f} {unit}"]
        if n >= 4:
            lines.append(f'  IQR:    {self.iqr / scale:.2f} {unit} ({self._p25 / scale:.2f} '
                         f'to {self._p75 / scale:.2f})')
        threads = self.task_spec.num_threads
        lines.append(f"  {n} measurement{'s' if n > 1 else ''}, {self.number_per_run} runs "
                     f"{'per measurement,' if n > 1 else ','} {threads} "
                     f"thread{'s' if threads > 1 else ''}")
        lines.extend(self._warnings)
        return '\n'.join(lines).strip()

    @staticmethod
    def merge(measurements: Iterable['Measurement']) -> list:
        """Pools replicates of the same TaskSpec into one Measurement per task (times per run,
        so number_per_run 1; metadata dropped)."""
        groups: dict = collections.defaultdict(list)
        for m in measurements:
            groups[m.task_spec].append(m)
        return [Measurement(number_per_run=1, raw_times=[t for m in g for t in m.times],
                            task_spec=spec, metadata=None) for spec, g in groups.items()]


Measurement.__module__ = __name__


def select_unit(t: float) -> tuple:
    """The unit ('ns', 'us', 'ms' or 's') that brings ``t`` seconds to 1..999, and its
    scale."""
    # NOTE: PyTorch takes log10 of a float32 tensor (rounded once to float32) and floor-divides
    # by 3 in float32; the same steps give the same unit at the edges (1e-6 -> 'us')
    if not t > 0:
        raise ValueError('cannot convert float NaN to integer')  # log10 <= 0, as PyTorch
    exp = int(np.floor(np.float32(np.log10(float(np.float32(t)))) / np.float32(3)))
    unit = {-3: 'ns', -2: 'us', -1: 'ms'}.get(exp, 's')
    return unit, {'ns': 1e-9, 'us': 1e-6, 'ms': 1e-3, 's': 1}[unit]


def unit_to_english(u: str) -> str:
    return {'ns': 'nanosecond', 'us': 'microsecond', 'ms': 'millisecond', 's': 'second'}[u]


def trim_sigfig(x: float, n: int) -> float:
    """``x`` rounded to ``n`` significant figures (3.14159, 2 -> 3.1)."""
    if n != int(n):
        raise AssertionError('Number of significant figures must be an integer')
    magnitude = int(np.ceil(np.log10(np.abs(np.float32(x)))))
    scale = 10 ** (magnitude - n)
    return float(np.round(np.float32(x / scale)) * scale)


def ordered_unique(elements: Iterable[Any]) -> list:
    return list(dict.fromkeys(elements))


@contextlib.contextmanager
def set_torch_threads(n: int) -> Iterator[None]:
    """Runs the block with numtorch's thread count set to ``n``."""
    from ...._threads import get_num_threads, set_num_threads
    prior = get_num_threads()
    try:
        set_num_threads(n)
        yield
    finally:
        set_num_threads(prior)
