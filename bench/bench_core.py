"""Speed figures for the price catalog and the pricing engine.

Prints: snapshot load time (cold process, then warm), `planner prices --instance p3.2xlarge` cold
start wall time, and the cost of a 50-item plan. Budgets: load < 0.5 s, prices cold < 1.5 s,
50-item plan < 50 ms.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from timing import median_ms  # noqa: E402


def cold(args: list[str], runs: int = 5) -> float:
    """Median wall time of a new process running ``args`` [ms]."""
    return median_ms(lambda: subprocess.run(args, cwd=ROOT, check=True, capture_output=True), runs)


def fifty_item_plan():
    from planner.plan import plan_from_dict

    compute_types = ["m5.xlarge", "c5.4xlarge", "r5.2xlarge", "p4d.24xlarge", "g5.xlarge",
                     "inf2.xlarge", "trn1.32xlarge", "p3.2xlarge", "g6.xlarge", "p5.48xlarge"]
    purchases = [
        {"option": "on_demand"},
        {"option": "spot"},
        {"option": "reserved", "term_years": 1, "payment": "all_upfront"},
        {"option": "reserved", "term_years": 3, "payment": "all_upfront"},
        {"option": "savings_plan", "term_years": 1, "commitment_usd_per_hour": 5.0},
    ]
    items: list[dict] = []
    for i in range(35):
        items.append({"kind": "compute", "name": f"c{i}", "instance_type": compute_types[i % 10],
                      "count": 1 + i % 4, "usage_hours_per_month": 100 + 10 * i,
                      "purchase": purchases[i % 5]})
    for i in range(5):
        items.append({"kind": "s3", "name": f"s{i}", "gb_month": 10_000 * (i + 1),
                      "put_requests": 1e6, "get_requests": 1e7})
    for i in range(5):
        items.append({"kind": "ebs", "name": f"e{i}", "volume_type": "gp3", "gb": 500,
                      "iops": 4000 + 1000 * i, "throughput_mibps": 200, "count": 2})
    for i in range(5):
        items.append({"kind": "efs", "name": f"f{i}", "gb_month": 100 * (i + 1)})
    return plan_from_dict({"name": "bench", "region": "us-east-1", "items": items})


def main() -> int:
    py = sys.executable
    load_cold = cold([py, "-c", "from planner.catalog import load_catalog; load_catalog()"])
    import_only = cold([py, "-c", "import pandas"])
    from planner.catalog import load_catalog

    load_warm = median_ms(load_catalog, 5)
    prices_cold = cold([py, "-m", "planner", "prices", "--instance", "p3.2xlarge"])
    help_cold = cold([py, "-m", "planner", "--help"])

    from planner.costing import cost_plan

    catalog = load_catalog()
    plan = fifty_item_plan()
    cost_plan(plan, catalog)  # build the per-catalog look-up indexes once
    plan_time = median_ms(lambda: cost_plan(plan, catalog), 20)

    print(f"snapshot load, in-process (median of 5):      {load_warm:7.0f} ms  (budget 500)")
    print(f"snapshot load, new process incl. imports:     {load_cold:7.0f} ms")
    print(f"  of which `import pandas` alone:             {import_only:7.0f} ms")
    print(f"`planner prices --instance p3.2xlarge`, cold: {prices_cold:7.0f} ms  (budget 1500)")
    print(f"`planner --help`, cold:                       {help_cold:7.0f} ms")
    print(f"cost of a 50-item plan, warm (median of 20):  {plan_time:7.1f} ms  (budget 50)")
    over = [name for name, ms, budget in (
        ("snapshot load", load_warm, 500), ("prices cold start", prices_cold, 1500),
        ("50-item plan", plan_time, 50),
    ) if ms > budget]
    print("over budget: " + ", ".join(over) if over else "within budget")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
