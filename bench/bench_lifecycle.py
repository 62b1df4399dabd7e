"""Speed of the lifecycle timeline, the S3 lifecycle simulation and right-sizing.

Run: ``.venv/bin/python bench/bench_lifecycle.py``. Prints the median and best of repeated runs on
the shipped snapshot (catalog loaded once, first run discarded as warm-up). Targets: a 60-month
timeline with 6 strategies < 50 ms; a 60-month S3 simulation with 12 datasets (each with its own
lifecycle rules: 12 cohort streams) < 50 ms. Exits 1 when a median is over its target.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from timing import samples_ms  # noqa: E402

from planner.catalog import load_catalog  # noqa: E402
from planner.savings.lifecycle import run_lifecycle  # noqa: E402
from planner.savings.profile import profile_from_dict  # noqa: E402
from planner.savings.rightsizing import RightsizeRequest, Utilisation, rightsize  # noqa: E402
from planner.savings.s3_lifecycle import simulate_s3_lifecycle  # noqa: E402
from planner.savings.s3_policy import policy_from_dict  # noqa: E402

REPEATS = 30
TARGET_MS = 50.0


def timed(fn: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    """(median, best) of ``repeats`` runs [ms] after one warm-up run (fills the look-up caches)."""
    samples = samples_ms(fn, repeats, warm_up=True)
    return statistics.median(samples), min(samples)


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
    median, best = timed(lambda: run_lifecycle(catalog, profile))
    over = median >= TARGET_MS
    verdict = "SLOW" if over else "ok"
    print(f"lifecycle timeline, 60 months × 6 strategies: median {median:.2f} ms,"
          f" best {best:.2f} ms (target < {TARGET_MS:g} ms: {verdict})")

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
    median, best = timed(lambda: simulate_s3_lifecycle(catalog, policy))
    over = over or median >= TARGET_MS
    verdict = "SLOW" if median >= TARGET_MS else "ok"
    print(f"S3 lifecycle, 60 months × 12 datasets (rule sets): median {median:.2f} ms,"
          f" best {best:.2f} ms (target < {TARGET_MS:g} ms: {verdict})")

    request = RightsizeRequest("m5.4xlarge", 4, Utilisation(30.0), Utilisation(40.0))
    median, best = timed(lambda: rightsize(catalog, request), repeats=10)
    print(f"right-sizing m5.4xlarge against the whole catalog: median {median:.2f} ms,"
          f" best {best:.2f} ms")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
