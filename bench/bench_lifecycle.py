"""Speed of the lifecycle timeline, the S3 lifecycle simulation and right-sizing.

Run: ``.venv/bin/python bench/bench_lifecycle.py``. Prints the median of interleaved repeats on
the shipped snapshot (catalog loaded once, one warm-up call each), each next to a reference
measured in the same rounds: building the result's own table (a pandas DataFrame of the same
rows and columns from numpy arrays, the least any of these calls must do), and for right-sizing a
bare-numpy filter of every instance type's vCPU and memory against the need. Targets: a
60-month timeline with 6 strategies < 50 ms; a 60-month S3 simulation with 12 datasets (each
with its own lifecycle rules: 12 cohort streams) < 50 ms. Exits 1 when a median is over its
target.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from timing import interleaved_ms, line  # noqa: E402

from planner.catalog import load_catalog  # noqa: E402
from planner.savings.lifecycle import run_lifecycle  # noqa: E402
from planner.savings.profile import profile_from_dict  # noqa: E402
from planner.savings.rightsizing import RightsizeRequest, Utilisation, rightsize  # noqa: E402
from planner.savings.s3_lifecycle import simulate_s3_lifecycle  # noqa: E402
from planner.savings.s3_policy import policy_from_dict  # noqa: E402

REPEATS = 30
TARGET_MS = 50.0


def timed(fns: dict[str, Callable[[], object]], repeats: int = REPEATS) -> dict[str, float]:
    """Median of ``repeats`` interleaved runs of each [ms], after one warm-up call each (fills
    the look-up caches, as the app's first call does)."""
    for fn in fns.values():
        fn()
    return interleaved_ms(fns, repeats)


def same_shape(frame: pd.DataFrame) -> Callable[[], object]:
    """The reference: a DataFrame of ``frame``'s rows and numeric columns built from numpy."""
    arrays = {c: frame[c].to_numpy() for c in frame.columns}
    return lambda: pd.DataFrame({c: a.copy() for c, a in arrays.items()})


def main() -> int:
    start = time.perf_counter()
    catalog = load_catalog()
    print(f"load_catalog: {(time.perf_counter() - start) * 1000:.1f} ms (once)")

    profile = profile_from_dict({
        "usage": {"instance_type": "m5.xlarge", "region": "us-east-1", "count": 10,
                  "monthly_growth_pct": 2, "horizon_months": 60},
        "strategies": [
            {"name": "all on-demand"},
            {"name": "RI 1y x8", "reserved": {"count": 8, "term_years": 1}},
            {"name": "RI 3y x8 lapse", "reserved": {"count": 8, "term_years": 3,
                                                    "at_term_end": "lapse"}},
            {"name": "SP 8 @28%", "savings_plan": {"baseline_count": 8, "discount_pct": 28}},
            {"name": "spot 70%", "spot": {"share_pct": 70}},
            {"name": "RI 3y + spot + SP", "reserved": {"count": 4, "term_years": 3},
             "spot": {"share_pct": 50},
             "savings_plan": {"commitment_usd_per_hour": 0.5, "discount_pct": 28}},
        ],
    })
    result = run_lifecycle(catalog, profile)
    ms = timed({"reference": same_shape(result.monthly),
                "timeline": lambda: run_lifecycle(catalog, profile)})
    median = ms["timeline"]
    over = median >= TARGET_MS
    verdict = "SLOW" if over else "ok"
    print(f"lifecycle timeline, 60 months × 6 strategies (target < {TARGET_MS:g} ms: {verdict}):")
    print(line(f"DataFrame of its {len(result.monthly)} result rows (reference)", ms["reference"],
               ms["reference"]))
    print(line("run_lifecycle", median, ms["reference"]))

    rules = [
        {"standard_ia_days": 30, "glacier_ir_days": 90, "deep_archive_days": 365,
         "expire_days": 1825},
        {"onezone_ia_days": 30, "glacier_flexible_days": 60, "expire_days": 400},
        {"glacier_ir_days": 0, "deep_archive_days": 180},
        {"standard_ia_days": 45, "onezone_ia_days": 60, "glacier_ir_days": 120,
         "glacier_flexible_days": 200, "deep_archive_days": 400, "expire_days": 1500},
    ]
    policy = policy_from_dict({
        "region": "us-east-1", "months": 60,
        "datasets": [
            {"name": f"d{i}", "monthly_ingest_gb": 1000.0 * (i + 1),
             "average_object_kb": [64, 512, 4096][i % 3], "transition_small_objects": True,
             "rules": rules[i % len(rules)],
             "read_pct_per_month": {"standard": 50, "standard_ia": 5, "onezone_ia": 5,
                                    "glacier_ir": 1, "glacier_flexible": 0.5,
                                    "deep_archive": 0.1}}
            for i in range(12)
        ],
    })
    s3 = simulate_s3_lifecycle(catalog, policy)
    ms = timed({"reference": same_shape(s3.breakdown.select_dtypes("number")),
                "simulation": lambda: simulate_s3_lifecycle(catalog, policy)})
    median = ms["simulation"]
    over = over or median >= TARGET_MS
    verdict = "SLOW" if median >= TARGET_MS else "ok"
    print(f"S3 lifecycle, 60 months × 12 datasets (rule sets) (target < {TARGET_MS:g} ms: "
          f"{verdict}):")
    print(line(f"DataFrame of its {len(s3.breakdown)} breakdown rows (reference)",
               ms["reference"], ms["reference"]))
    print(line("simulate_s3_lifecycle", median, ms["reference"]))

    request = RightsizeRequest("m5.4xlarge", 4, Utilisation(30.0), Utilisation(40.0))
    specs = catalog.instance_specs
    vcpu = specs["vcpu"].to_numpy(dtype=float)
    memory = specs["memory_gib"].to_numpy(dtype=float)

    def bare_numpy() -> object:  # the types with enough vCPU and memory for 30 % / 40 % of 16/64
        return np.flatnonzero((vcpu >= 16 * 0.3) & (memory >= 64 * 0.4))

    ms = timed({"reference": bare_numpy, "rightsize": lambda: rightsize(catalog, request)},
               repeats=10)
    print("right-sizing m5.4xlarge against the whole catalog:")
    print(line(f"bare-numpy fit filter over {len(specs)} types (reference)", ms["reference"],
               ms["reference"]))
    print(line("rightsize", ms["rightsize"], ms["reference"]))
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
