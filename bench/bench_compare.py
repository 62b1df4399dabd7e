"""Time the workload comparison: every instance type × purchase option, one region and all regions.

Prints the median of several warm runs (the catalog loaded and its prepared frames cached, as in
the app after the first call) for each example workload. Budgets: one region < 100 ms, all
regions < 1 s. Then, for each workload over all regions, the comparison next to two lower-bound
references measured in the same interleaved rounds: the core arithmetic in bare numpy (price ×
instances × hours for every rate row and option, ranked by lexsort, every column gathered in
that order) and the same plus building a DataFrame with as many columns as the comparison's.
``compare()`` ranks the grid's columns and gathers rows only when asked (the CLI table shows
twenty): ``compare().rows`` is the same plus every row as a DataFrame, as the app and CSV/JSON
take them.

    .venv/bin/python bench/bench_compare.py [--runs 7]
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from timing import interleaved_ms, line, median_ms  # noqa: E402

from planner.catalog import load_catalog  # noqa: E402
from planner.workload.compare import compare  # noqa: E402
from planner.workload.figures import type_figures  # noqa: E402
from planner.workload.options import JOB_OPTION_NAMES  # noqa: E402
from planner.workload.prepared import prepared  # noqa: E402
from planner.workload.records import load_workload  # noqa: E402

EXAMPLES = ROOT / "examples"


def bare_numpy(catalog, figs, frame_columns: int) -> object:  # type: ignore[no-untyped-def]
    """The comparison's core arithmetic for every eligible rate row × job option, ranked, in bare numpy;
    with ``frame_columns`` > 0 also a DataFrame of that many columns in ranked order."""
    prep = prepared(catalog)
    rows = np.arange(len(prep.rate_type_pos))
    rows = rows[np.asarray(figs.eligible, bool)[prep.rate_type_pos]]  # the types it can run on
    t = prep.rate_type_pos[rows]
    instances = np.asarray(figs.instances, float)[t]
    hours = np.nan_to_num(np.asarray(figs.instance_hours, float)[t])
    prices = [prep.option_columns[name]["effective_hourly_usd"][rows] for name in JOB_OPTION_NAMES]
    price = np.concatenate(prices)
    cost = price * np.tile(instances * hours, len(prices))
    region = np.tile(prep.rate_region_code[rows], len(prices))
    types = np.tile(t, len(prices))
    option = np.repeat(np.arange(len(prices)), len(rows))
    order = np.lexsort((option, types, region, np.nan_to_num(cost, nan=np.inf)))
    arrays = [cost[order], price[order], region[order], types[order], option[order]]
    if not frame_columns:
        return arrays
    return pd.DataFrame({f"c{i}": arrays[i % len(arrays)] for i in range(frame_columns)})


def _every_row(workload, catalog) -> object:  # type: ignore[no-untyped-def]
    return compare(workload, catalog, region=None).rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    start = time.perf_counter()
    catalog = load_catalog()
    load_ms = (time.perf_counter() - start) * 1000.0
    start = time.perf_counter()
    prepared(catalog)
    prep_ms = (time.perf_counter() - start) * 1000.0
    print(f"catalog load {load_ms:.0f} ms; prepared frames (once per catalog) {prep_ms:.0f} ms")
    print(f"{'workload':<28} {'rows 1 region':>13} {'1 region ms':>12} {'rows all':>9} "
          f"{'all regions ms':>15}")
    over: list[str] = []
    for path in sorted(EXAMPLES.glob("workload_*.json")):
        workload = load_workload(path)
        one = compare(workload, catalog, region="us-east-1")
        every = compare(workload, catalog, region=None)
        one_ms = median_ms(partial(compare, workload, catalog, region="us-east-1"), args.runs)
        all_ms = median_ms(partial(compare, workload, catalog, region=None), args.runs)
        print(f"{path.stem:<28} {one.row_count:>13,} {one_ms:>12.1f} {every.row_count:>9,} "
              f"{all_ms:>15.1f}")
        if one_ms > 100 or all_ms > 1000:
            over.append(path.stem)
    print(f"median of {args.runs} warm runs; budgets: one region < 100 ms, all regions < 1000 ms")
    print(f"all regions against bare-numpy references (median of {args.runs} interleaved):")
    for path in sorted(EXAMPLES.glob("workload_*.json")):
        workload = load_workload(path)
        columns = len(compare(workload, catalog, region=None).columns)
        figs = type_figures(workload, catalog)
        ms = interleaved_ms({
            "bare numpy": partial(bare_numpy, catalog, figs, 0),
            "bare numpy + DataFrame": partial(bare_numpy, catalog, figs, columns),
            "compare()": partial(compare, workload, catalog, region=None),
            "compare().rows (every row as a DataFrame)": partial(_every_row, workload, catalog),
        }, args.runs)
        print(f" {path.stem}:")
        for name, value in ms.items():
            print(line(name, value, ms["bare numpy"]))
    print("over budget: " + ", ".join(over) if over else "within budget")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
