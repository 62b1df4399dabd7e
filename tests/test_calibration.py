"""Fidelity pins: the model against the shipped calibration set (bench/bench_fidelity.py).

Each bound is the figure the current defaults reach, rounded to the next worse percent: a change
that makes the model worse on published measurements fails here. Holdout rows were not used to
fit any default (see planner/perf/mfu.py and planner/perf/serving.py for which rows were).
"""

from __future__ import annotations

import csv

import pytest

from bench.bench_fidelity import run
from planner.workload.calibration import CALIBRATION_SET, scores

# (kind, split) → (max median |error|, min share within ±25 %)
PINS = {
    ("training", "fit"): (0.05, 0.95),
    ("training", "holdout"): (0.07, 0.93),
    ("inference", "fit"): (0.03, 0.71),
    ("inference", "holdout"): (0.09, 0.92),
    ("memory", "holdout"): (0.02, 0.85),
}


@pytest.fixture(scope="module")
def figures() -> dict[tuple[str, str], tuple[float, float]]:
    return {(s.kind, s.split): (s.median_abs_error, s.within_25) for s in scores(run())}


@pytest.mark.parametrize(("key", "pin"), list(PINS.items()))
def test_fidelity_does_not_get_worse(
    figures: dict[tuple[str, str], tuple[float, float]], key: tuple[str, str],
    pin: tuple[float, float],
) -> None:
    median_err, within = figures[key]
    assert median_err <= pin[0], key
    assert within >= pin[1], key


def test_published_layouts_mostly_fit() -> None:
    # 210 of 221 published training layouts fit; the 11 that do not are small models at large
    # micro-batches without checkpointing (Korthikanti's 34·s·b·d per layer over-counts fused
    # kernels); the layout search still fits those jobs with recomputation
    fits = [p.fits for p in run() if p.kind == "training"]
    assert sum(bool(f) for f in fits) >= 210


def test_every_row_names_its_source() -> None:
    with CALIBRATION_SET.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        assert row["source_url"].startswith("https://"), row["id"]
        assert row["source_date"], row["id"]
        assert row["split"] in ("fit", "holdout"), row["id"]
        assert float(row["published"]) > 0, row["id"]
