"""Wall-clock timing shared by the bench scripts: repeated runs of a call, in milliseconds.

The scripts run as ``python bench/NAME.py``, so this folder is on ``sys.path`` and they import it
as ``from timing import ...``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def samples_ms(fn: Callable[[], object], runs: int, *, warm_up: bool = False) -> list[float]:
    """Wall time of ``runs`` calls of ``fn`` [ms]; with ``warm_up``, one untimed call first (fills
    caches, as the app's first call does)."""
    if warm_up:
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    return samples


def median_ms(fn: Callable[[], object], runs: int, *, warm_up: bool = False) -> float:
    """Median wall time of ``runs`` calls of ``fn`` [ms]."""
    return statistics.median(samples_ms(fn, runs, warm_up=warm_up))


def interleaved_ms(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median wall time of each call [ms], measured in interleaved rounds (each round calls every
    function once, in order), so a noisy machine slows all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - start) * 1000.0)
    return {name: statistics.median(values) for name, values in samples.items()}


def line(label: str, ms: float, reference_ms: float, width: int = 58) -> str:
    """``label ...  123.4 ms  1.23×`` (the ratio to the reference measured in the same run)."""
    return f"  {label:<{width}}{ms:9.1f} ms {ms / reference_ms:7.2f}×"
