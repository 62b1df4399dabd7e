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
