"""Timing and memory helpers shared by the benchmark modules.

These machines are noisy, so a figure is the best of several repeats and is always
printed beside a reference timed in the same run, as a ratio.
"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass


@dataclass
class Figure:
    """One benchmark figure: what we measured, against what, and whether the target is met.

    ``ratio`` is ``reference / ours`` for speed (larger is better: "4.0" means we are
    4× faster) unless the figure says otherwise in ``target``.
    """

    name: str
    ours: str
    reference: str
    ratio: float
    target: str
    met: bool


def best_time(fn, *, repeat: int = 5, number: int = 1) -> float:
    """Best wall-clock seconds per call of ``fn()`` over ``repeat`` rounds of ``number`` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def peak_memory(fn) -> tuple[float, int]:
    """Seconds and peak bytes allocated (tracemalloc: Python and NumPy) by one ``fn()``."""
    tracemalloc.start()
    try:
        start = time.perf_counter()
        fn()
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return seconds, peak


def fmt_seconds(seconds: float) -> str:
    """Human-readable duration: ms below one second."""
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"
