"""Fidelity of the performance model against the shipped calibration set (published figures).

Prints, per kind (training, inference, memory) and split (fit: rows the defaults were fitted
on; holdout: rows only checked), the median absolute % error and the share within ±25 %, and
how many published training layouts fit in chip memory under the model.
Run: ``python bench/bench_fidelity.py``. ``tests/test_calibration.py`` pins these figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.catalog import load_catalog
from planner.workload.calibration import Prediction, chips_from_table, predictions, scores
from planner.workload.performance import MEMORY_EFFICIENCY_GPU, MEMORY_EFFICIENCY_NEURON


def run() -> list[Prediction]:
    chips = chips_from_table(load_catalog().accelerators)
    return predictions(chips, {"gpu": MEMORY_EFFICIENCY_GPU.value,
                               "neuron": MEMORY_EFFICIENCY_NEURON.value})


def main() -> int:
    preds = run()
    print(f"{'kind':<10} {'split':<8} {'cases':>5} {'median |err|':>13} {'within ±25 %':>13}")
    for s in scores(preds):
        print(f"{s.kind:<10} {s.split:<8} {s.cases:>5} {s.median_abs_error:>12.1%} {s.within_25:>12.0%}")
    training = [p for p in preds if p.kind == "training"]
    fit = sum(bool(p.fits) for p in training)
    print(f"published training layouts that fit in chip memory under the model: {fit} of {len(training)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
