"""Shared timing helper: runs a numtorch workload and its PyTorch twin in one process,
interleaved, and reports the ratio of their best times."""
from __future__ import annotations

import time


def best_time(fn, number: int, repeat: int) -> float:
    """Best average seconds per call over ``repeat`` rounds of ``number`` calls."""
    best = float('inf')
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def compare(name: str, numtorch_fn, torch_fn, number: int = 100, repeat: int = 7,
            target: float | None = None) -> float:
    """Times both (warm-up first, rounds interleaved) and prints one line with the ratio."""
    numtorch_fn()
    torch_fn()
    t_nt = t_pt = float('inf')
    for _ in range(repeat):
        t_nt = min(t_nt, best_time(numtorch_fn, number, 1))
        t_pt = min(t_pt, best_time(torch_fn, number, 1))
    ratio = t_nt / t_pt
    goal = '' if target is None else f'  (target <= {target}x: {"ok" if ratio <= target else "MISSED"})'
    print(f'{name:<52} numtorch {t_nt * 1e6:10.1f} us   torch {t_pt * 1e6:10.1f} us   '
          f'ratio {ratio:5.2f}x{goal}')
    return ratio
