"""Print the MFU defaults the ``fit`` rows of the calibration set imply (planner/perf/mfu.py).

For each (chip, precision, size band): the median over its fit rows of
current MFU × published / predicted — the MFU that would make the layout model match each row.
Run: ``python scripts/fit_perf_defaults.py``; copy the figures into ``planner.perf.mfu._FITTED``.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from planner.catalog import load_catalog
from planner.perf.mfu import size_band, table_mfu
from planner.workload.calibration import chips_from_table, load_rows, predict_training


def main() -> None:
    chips = chips_from_table(load_catalog().accelerators)
    implied: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for row in load_rows():
        if row["kind"] != "training" or row["split"] != "fit":
            continue
        n = float(row["parameters"])
        cell = table_mfu(row["chip"], n, row["precision"])
        if cell is None:
            continue
        predicted, _ = predict_training(row, chips[row["chip"]])
        implied[(row["chip"], row["precision"], size_band(n))].append(
            cell.value * float(row["published"]) / predicted
        )
    for key in sorted(implied):
        values = implied[key]
        print(f"{key[0]:<24} {key[1]:<5} {key[2]:<9} n={len(values):>3}  MFU {median(values):.2f}")


if __name__ == "__main__":
    main()
