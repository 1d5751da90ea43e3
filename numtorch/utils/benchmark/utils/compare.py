"""Compare: Measurements laid out as tables (one per label; rows: sub-label or statement per
thread count and env; columns: description), as torch.utils.benchmark.Compare prints them."""
from __future__ import annotations

import collections
import enum
import itertools
import math
import operator

import numpy as np

from . import common

__all__ = ['Colorize', 'Compare']

BEST = '\033[92m'
GOOD = '\033[34m'
BAD = '\033[2m\033[91m'
VERY_BAD = '\033[31m'
BOLD = '\033[1m'
TERMINATE = '\033[0m'


class Colorize(enum.Enum):
    NONE = 'none'
    COLUMNWISE = 'columnwise'
    ROWWISE = 'rowwise'


def _leading_digits(x: float) -> int:
    # NOTE: PyTorch computes ceil(log10(x)) on a float32 tensor
    return int(math.ceil(np.float32(np.log10(float(np.float32(x))))))


class _Column:
    """One description's cells: a shared number format wide enough for every row."""

    def __init__(self, grouped_results: list, time_scale: float, time_unit: str,
                 trim_significant_figures: bool, highlight_warnings: bool) -> None:
        self._grouped_results = grouped_results
        self._flat_results = list(itertools.chain.from_iterable(grouped_results))
        self._time_scale = time_scale
        self._time_unit = time_unit
        self._trim_significant_figures = trim_significant_figures
        self._highlight_warnings = highlight_warnings and any(
            r.has_warnings for r in self._flat_results if r)
        leading = [_leading_digits(r.median / time_scale) if r else None
                   for r in self._flat_results]
        unit_digits = max(d for d in leading if d is not None)
        if trim_significant_figures:
            decimal_digits = min(max(m.significant_figures - d, 0)
                                 for d, m in zip(leading, self._flat_results)
                                 if m is not None and d is not None)
        else:
            decimal_digits = 1
        length = unit_digits + decimal_digits + (1 if decimal_digits else 0)
        self._template = (f'{{:>{length}.{decimal_digits}f}}'
                          f'{{:>{7 if self._highlight_warnings else 0}}}')

    def get_results_for(self, group: int):
        return self._grouped_results[group]

    def num_to_str(self, value: float | None, estimated_sigfigs: int,
                   spread: float | None) -> str:
        if value is None:
            return ' ' * len(self.num_to_str(1, estimated_sigfigs, None))
        if self._trim_significant_figures:
            value = common.trim_sigfig(value, estimated_sigfigs)
        note = (f' (! {spread * 100:.0f}%)'
                if self._highlight_warnings and spread is not None else '')
        return self._template.format(value, note)


class _Row:
    def __init__(self, results: list, row_group: int, render_env: bool, env_str_len: int,
                 time_scale: float, colorize: Colorize, num_threads: int | None) -> None:
        self._results = results
        self._row_group = row_group
        self._render_env = render_env
        self._env_str_len = env_str_len
        self._time_scale = time_scale
        self._colorize = colorize
        self._columns: tuple = ()
        self._num_threads = num_threads

    def register_columns(self, columns: tuple) -> None:
        self._columns = columns

    def as_column_strings(self) -> list:
        concrete = [r for r in self._results if r is not None]
        env = f'({concrete[0].env})' if self._render_env else ''
        out = ['  ' + env.ljust(self._env_str_len + 4) + concrete[0].as_row_name]
        for m, col in zip(self._results, self._columns):
            if m is None:
                out.append(col.num_to_str(None, 1, None))
            else:
                out.append(col.num_to_str(m.median / self._time_scale, m.significant_figures,
                                          m.iqr / m.median if m.has_warnings else None))
        return out

    @staticmethod
    def color_segment(segment: str, value: float, best_value: float) -> str:
        if value <= best_value * 1.01 or value <= best_value + 1e-7:
            return BEST + BOLD + segment + TERMINATE * 2
        if value <= best_value * 1.1:
            return GOOD + BOLD + segment + TERMINATE * 2
        if value >= best_value * 5:
            return VERY_BAD + BOLD + segment + TERMINATE * 2
        if value >= best_value * 2:
            return BAD + segment + TERMINATE * 2
        return segment

    def row_separator(self, overall_width: int) -> list:
        if self._num_threads is None:
            return []
        return [f'{self._num_threads} threads: '.ljust(overall_width, '-')]

    def finalize_column_strings(self, column_strings: list, col_widths: list) -> list:
        best = [-1 for _ in column_strings]
        if self._colorize == Colorize.ROWWISE:
            row_min = min(r.median for r in self._results if r is not None)
            best = [row_min for _ in column_strings]
        elif self._colorize == Colorize.COLUMNWISE:
            best = []
            for column in self._columns:
                meds = [r.median for r in column.get_results_for(self._row_group)
                        if r is not None]
                best.append(min(meds) if meds else None)
        cells = [column_strings[0].ljust(col_widths[0])]
        for s, width, result, b in zip(column_strings[1:], col_widths[1:], self._results, best):
            s = s.center(width)
            if self._colorize != Colorize.NONE and result is not None and b is not None:
                s = self.color_segment(s, result.median, b)
            cells.append(s)
        return cells


class Table:
    """The table of the Measurements sharing one label."""

    def __init__(self, results: list, colorize: Colorize, trim_significant_figures: bool,
                 highlight_warnings: bool) -> None:
        if len({r.label for r in results}) != 1:
            raise AssertionError('All results must share the same label')
        self.results = results
        self._colorize = colorize
        self._trim_significant_figures = trim_significant_figures
        self._highlight_warnings = highlight_warnings
        self.label = results[0].label
        self.time_unit, self.time_scale = common.select_unit(min(r.median for r in results))
        self.row_keys = common.ordered_unique([self.row_fn(r) for r in results])
        self.row_keys.sort(key=operator.itemgetter(slice(2)))
        self.column_keys = common.ordered_unique([self.col_fn(r) for r in results])
        self.rows, self.columns = self.populate_rows_and_columns()

    @staticmethod
    def row_fn(m: common.Measurement) -> tuple:
        return m.num_threads, m.env, m.as_row_name

    @staticmethod
    def col_fn(m: common.Measurement):
        return m.description

    def populate_rows_and_columns(self) -> tuple:
        ordered = [[None for _ in self.column_keys] for _ in self.row_keys]
        row_pos = {k: i for i, k in enumerate(self.row_keys)}
        col_pos = {k: i for i, k in enumerate(self.column_keys)}
        for r in self.results:
            ordered[row_pos[self.row_fn(r)]][col_pos[self.col_fn(r)]] = r
        envs = {r.env for r in self.results}
        render_env = len(envs) > 1
        env_str_len = max(len(e) for e in envs) if render_env else 0
        rows: list = []
        rows_by_group: list = []
        prior_threads, prior_env, group = -1, '', -1
        for (num_threads, env, _), row in zip(self.row_keys, ordered):
            new_group = num_threads != prior_threads
            if new_group:
                prior_threads, prior_env = num_threads, ''
                group += 1
                rows_by_group.append([])
            rows.append(_Row(row, group, render_env and env != prior_env, env_str_len,
                             self.time_scale, self._colorize,
                             num_threads if new_group else None))
            rows_by_group[-1].append(row)
            prior_env = env
        columns = tuple(
            _Column([tuple(row[i] for row in g) for g in rows_by_group], self.time_scale,
                    self.time_unit, self._trim_significant_figures, self._highlight_warnings)
            for i in range(len(self.column_keys)))
        for row in rows:
            row.register_columns(columns)
        return tuple(rows), columns

    def render(self) -> str:
        string_rows = [[''] + self.column_keys]
        string_rows.extend(r.as_column_strings() for r in self.rows)
        num_cols = max(len(r) for r in string_rows)
        for sr in string_rows:
            sr.extend('' for _ in range(num_cols - len(sr)))
        widths = [max(len(c) for c in col) for col in zip(*string_rows)]
        lines = ['  |  '.join(c.center(w) for c, w in zip(string_rows[0], widths))]
        overall = len(lines[0])
        for sr, row in zip(string_rows[1:], self.rows):
            lines.extend(row.row_separator(overall))
            lines.append('  |  '.join(row.finalize_column_strings(sr, widths)))
        warn = self._highlight_warnings and any(r.has_warnings for r in self.results)
        title = (' ' + (self.label or '') + ' ').center(overall - 2, '-')
        note = ('(! XX%) Measurement has high variance, where XX is the IQR / median * 100.\n'
                if warn else '')
        return (f'[{title}]\n' + '\n'.join(lines) + '\n\nTimes are in '
                f'{common.unit_to_english(self.time_unit)}s ({self.time_unit}).\n' + note)


class Compare:
    """Collects Measurements and prints them as tables: ``print(Compare(results))``.
    Replicates of the same task are merged first. ``trim_significant_figures()``,
    ``colorize(rowwise=False)`` and ``highlight_warnings()`` change the rendering."""

    def __init__(self, results: list) -> None:
        self._results: list = []
        self.extend_results(results)
        self._trim_significant_figures = False
        self._colorize = Colorize.NONE
        self._highlight_warnings = False

    def __str__(self) -> str:
        return '\n'.join(self._render())

    def extend_results(self, results) -> None:
        """Adds Measurements (anything else: ValueError)."""
        for r in results:
            if not isinstance(r, common.Measurement):
                raise ValueError('Expected an instance of `Measurement`, '
                                 f'got {type(r)} instead.')
        self._results.extend(results)

    def trim_significant_figures(self) -> None:
        """Rounds each time to the digits its spread supports."""
        self._trim_significant_figures = True

    def colorize(self, rowwise: bool = False) -> None:
        """Colours each time against the best of its column (or row)."""
        self._colorize = Colorize.ROWWISE if rowwise else Colorize.COLUMNWISE

    def highlight_warnings(self) -> None:
        """Marks times whose interquartile range is large."""
        self._highlight_warnings = True

    def print(self) -> None:
        print(str(self))

    def _render(self) -> list:
        groups: dict = collections.defaultdict(list)
        for r in common.Measurement.merge(self._results):
            groups[r.label].append(r)
        return [Table(g, self._colorize, self._trim_significant_figures,
                      self._highlight_warnings).render() for g in groups.values()]
