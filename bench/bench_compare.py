"""Time the workload comparison: every instance type × purchase option, one region and all regions.

Prints the median of several warm runs (the catalog loaded and its prepared frames cached, as in
the app after the first call) for each example workload. Budgets: one region < 100 ms, all
regions < 1 s.

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

from timing import median_ms  # noqa: E402

from planner.catalog import load_catalog  # noqa: E402
from planner.workload.compare import compare  # noqa: E402
from planner.workload.prepared import prepared  # noqa: E402
from planner.workload.records import load_workload  # noqa: E402

EXAMPLES = ROOT / "examples"


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
        print(f"{path.stem:<28} {len(one.rows):>13,} {one_ms:>12.1f} {len(every.rows):>9,} "
              f"{all_ms:>15.1f}")
        if one_ms > 100 or all_ms > 1000:
            over.append(path.stem)
    print(f"median of {args.runs} warm runs; budgets: one region < 100 ms, all regions < 1000 ms")
    print("over budget: " + ", ".join(over) if over else "within budget")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
