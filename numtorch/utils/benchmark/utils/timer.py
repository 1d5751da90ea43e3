"""Timer: timeit with warm-up, a fixed thread count and replicate blocks."""
from __future__ import annotations

import enum
import statistics
import textwrap
import timeit as _timeit
from collections.abc import Callable
from typing import Any

from . import common

__all__ = ['Timer', 'timer', 'Language']


def timer() -> float:
    """The default clock (numtorch has no asynchronous device to synchronize first)."""
    return _timeit.default_timer()


class Language(enum.Enum):
    PYTHON = 0
    CPP = 1


class Timer:
    """Times a Python statement (a string, run with ``setup`` first, in ``globals`` plus
    ``torch``) as ``torch.utils.benchmark.Timer`` does: ``timeit(number)`` runs it ``number``
    times after a warm-up; ``blocked_autorange`` picks a block size whose timer overhead is
    negligible and times blocks for at least ``min_run_time`` seconds;
    ``adaptive_autorange`` keeps timing until the spread is below ``threshold``. Each returns
    a Measurement. The statement runs with ``num_threads`` threads (default 1).
    ``label``/``sub_label``/``description``/``env`` only label the results. C++ statements and
    Callgrind instruction counts are not supported."""

    _timer_cls: type = _timeit.Timer

    def __init__(self, stmt: str = 'pass', setup: str = 'pass', global_setup: str = '',
                 timer: Callable[[], float] = timer, globals: dict | None = None,
                 label: str | None = None, sub_label: str | None = None,
                 description: str | None = None, env: str | None = None,
                 num_threads: int = 1, language: Language | str = Language.PYTHON) -> None:
        if not isinstance(stmt, str):
            raise ValueError('Currently only a `str` stmt is supported.')
        import numtorch
        self._globals = dict(globals or {})
        if language in (Language.PYTHON, 'py', 'python'):
            self._globals.setdefault('torch', numtorch)
            self._language = Language.PYTHON
            if global_setup:
                raise ValueError(f'global_setup is C++ only, got `{global_setup}`. Most likely '
                                 'this code can simply be moved to `setup`.')
        elif language in (Language.CPP, 'cpp', 'c++'):
            raise NotImplementedError('numtorch.utils.benchmark.Timer: C++ statements '
                                      '(language=Language.CPP) are not supported')
        else:
            raise ValueError(f'Invalid language `{language}`.')
        stmt = textwrap.dedent(stmt)
        stmt = (stmt[1:] if stmt and stmt[0] == '\n' else stmt).rstrip()
        setup = textwrap.dedent(setup)
        setup = (setup[1:] if setup and setup[0] == '\n' else setup).rstrip()
        self._timer = self._timer_cls(stmt=stmt, setup=setup, timer=timer,
                                      globals=self._globals)
        self._task_spec = common.TaskSpec(stmt=stmt, setup=setup, global_setup=global_setup,
                                          label=label, sub_label=sub_label,
                                          description=description, env=env,
                                          num_threads=num_threads)

    def _timeit(self, number: int) -> float:
        # a zero reading would break the statistics downstream
        return max(self._timer.timeit(number), 1e-9)

    def timeit(self, number: int = 1000000) -> common.Measurement:
        """Runs the statement ``number`` times (after ``number // 100`` warm-up runs, at
        least 2) and returns one measurement of that block, as timeit.Timer.timeit."""
        with common.set_torch_threads(self._task_spec.num_threads):
            self._timeit(number=max(int(number // 100), 2))
            return common.Measurement(number_per_run=number,
                                      raw_times=[self._timeit(number=number)],
                                      task_spec=self._task_spec)

    def repeat(self, repeat: int = -1, number: int = -1) -> None:
        raise NotImplementedError('See `Timer.blocked_autorange.`')

    def autorange(self, callback: Callable[[int, float], Any] | None = None) -> None:
        raise NotImplementedError('See `Timer.blocked_autorange.`')

    def _measurement_loop(self, number: int, stop_hook: Callable[[list], bool],
                          min_run_time: float, max_run_time: float | None = None,
                          callback: Callable[[int, float], Any] | None = None) -> list:
        total_time = 0.0
        can_stop = False
        times: list = []
        with common.set_torch_threads(self._task_spec.num_threads):
            while total_time < min_run_time or not can_stop:
                spent = self._timeit(number)
                times.append(spent)
                total_time += spent
                if callback:
                    callback(number, spent)
                can_stop = stop_hook(times)
                if max_run_time and total_time > max_run_time:
                    break
        return times

    def _estimate_block_size(self, min_run_time: float) -> int:
        """Grows the block tenfold until the clock's own overhead is at most 0.01% of it (and
        the block takes at least min_run_time / 1000), or the block alone exceeds
        min_run_time."""
        with common.set_torch_threads(self._task_spec.num_threads):
            overhead = statistics.median_low([self._timeit(0) for _ in range(5)])
            number = 1
            while True:
                taken = self._timeit(number)
                if overhead / taken <= 1e-4 and taken >= min_run_time / 1000:
                    break
                if taken > min_run_time or number * 10 > 2147483647:
                    break
                number *= 10
        return number

    def blocked_autorange(self, callback: Callable[[int, float], Any] | None = None,
                          min_run_time: float = 0.2) -> common.Measurement:
        """Times blocks of a self-chosen size until ``min_run_time`` seconds are spent;
        ``callback(number, seconds)`` sees each block."""
        number = self._estimate_block_size(min_run_time)
        times = self._measurement_loop(number, lambda times: True, min_run_time,
                                       callback=callback)
        return common.Measurement(number_per_run=number, raw_times=times,
                                  task_spec=self._task_spec)

    def adaptive_autorange(self, threshold: float = 0.1, *, min_run_time: float = 0.01,
                           max_run_time: float = 10.0,
                           callback: Callable[[int, float], Any] | None = None
                           ) -> common.Measurement:
        """Like blocked_autorange, but goes on (up to ``max_run_time`` seconds) until more
        than 3 blocks have an interquartile range below ``threshold`` times the median."""
        number = self._estimate_block_size(min_run_time=0.05)

        def stop_hook(times: list) -> bool:
            if len(times) > 3:
                return common.Measurement(number_per_run=number, raw_times=times,
                                          task_spec=self._task_spec
                                          ).meets_confidence(threshold=threshold)
            return False
        times = self._measurement_loop(number, stop_hook, min_run_time, max_run_time,
                                       callback=callback)
        return common.Measurement(number_per_run=number, raw_times=times,
                                  task_spec=self._task_spec)

    def collect_callgrind(self, number: int = 100, *, repeats: int | None = None,
                          collect_baseline: bool = True, retain_out_file: bool = False):
        raise NotImplementedError('numtorch.utils.benchmark.Timer.collect_callgrind: '
                                  'Callgrind instruction counts are not supported')
