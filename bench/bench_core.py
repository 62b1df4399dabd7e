"""Speed figures for the price catalog, the CLI and the pricing engine, each next to a reference
measured in the same run (medians of interleaved repeats; ratios, as the machine is shared).

- cold processes: `planner prices --instance p3.2xlarge` and `planner compare
  examples/workload_cpu.json --region all` against `python -c "import pandas"` (targets ≤ 1.2×
  and ≤ 1.5×). Child processes may write and use bytecode caches, as an installed package does
  (one untimed run of each first);
- snapshot load (`load_catalog`) against a plain `pyarrow.feather.read_feather` of the same
  columnar copies (target ≤ 2×) and against `pd.read_csv` of the CSVs (the old way);
- plan costing: 100 / 250 / 500-item mixed plans (on-demand, spot, reserved, savings-plan pools
  with distinct hours and windows, storage), the same with 3 plan-level savings plans stacked on
  them, and a stacking stress plan, per item (target: any 500-item plan < 150 ms, linear).

    .venv/bin/python bench/bench_core.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from timing import interleaved_ms, line  # noqa: E402

TYPES = ["m5.xlarge", "c5.4xlarge", "r5.2xlarge", "p4d.24xlarge", "g5.xlarge", "inf2.xlarge",
         "trn1.32xlarge", "p3.2xlarge", "g6.xlarge", "p5.48xlarge"]


def mixed_plan(n: int, *, stacked: bool = False):  # type: ignore[no-untyped-def]
    """``n`` items: 5/8 compute (on-demand, spot, reserved, two savings-plan pools with typed
    rates, distinct hours and start months), 3/8 storage (S3, EBS, EFS); 36 months."""
    from planner.plan import plan_from_dict

    purchases = [
        {"option": "on_demand"}, {"option": "spot"},
        {"option": "reserved", "term_years": 1, "payment": "all_upfront"},
        {"option": "savings_plan", "term_years": 1},
        {"option": "savings_plan", "term_years": 3, "payment": "no_upfront"},
    ]
    items: list[dict] = []
    for i in range(n):
        k = i % 8
        if k < 5:
            item = {"kind": "compute", "name": f"c{i}", "instance_type": TYPES[i % 10],
                    "count": 1 + i % 4, "usage_hours_per_month": 50 + (i * 0.731) % 680,
                    "start_month": 1 + i % 12, "purchase": purchases[k]}
            if k >= 3:
                item["unit_prices"] = {"hourly_usd": 0.1 + (i % 7) * 0.05}
            items.append(item)
        elif k == 5:
            items.append({"kind": "s3", "name": f"s{i}", "gb_month": 1000 * (i + 1),
                          "put_requests": 1e6, "get_requests": 1e7})
        elif k == 6:
            items.append({"kind": "ebs", "name": f"e{i}", "volume_type": "gp3", "gb": 500,
                          "iops": 4000, "throughput_mibps": 200, "count": 2})
        else:
            items.append({"kind": "efs", "name": f"f{i}", "gb_month": 100 * (i + 1)})
    plan = {"name": "bench", "region": "us-east-1", "duration_months": 36, "items": items}
    if stacked:
        plan["savings_plans"] = [
            {"name": f"sp{j}", "plan_type": "compute", "term_years": 1,
             "commitment_usd_per_hour": 5.0 + j} for j in range(3)
        ]
    return plan_from_dict(plan)


def pool_plan(n: int):  # type: ignore[no-untyped-def]
    """``n`` savings-plan items in one pool, each with its own hours and start month."""
    from planner.plan import plan_from_dict

    return plan_from_dict({"name": "pool", "region": "us-east-1", "duration_months": 36, "items": [
        {"kind": "compute", "name": f"c{i}", "instance_type": TYPES[i % 10], "count": 1 + i % 4,
         "usage_hours_per_month": 50 + (i * 0.731) % 680, "start_month": 1 + i % 12,
         "unit_prices": {"hourly_usd": 0.1 + (i % 7) * 0.05},
         "purchase": {"option": "savings_plan", "term_years": 1}} for i in range(n)]})


def stacking_stress_plan(n: int):  # type: ignore[no-untyped-def]
    """``n`` compute items that all stack: on-demand and savings plans of four classes in turn
    (three Compute, one EC2 Instance), typed plan rates for both plan types, every item its own
    hours and one of 36 start months (36 distinct months, as many segments as items), and
    2 Compute + 1 EC2 Instance plan-level plans."""
    from planner.plan import plan_from_dict

    purchases = [
        {"option": "on_demand"}, {"option": "savings_plan", "term_years": 1},
        {"option": "savings_plan", "term_years": 3},
        {"option": "savings_plan", "term_years": 1, "payment": "all_upfront"},
        {"option": "savings_plan", "term_years": 1, "plan_type": "ec2_instance"},
    ]
    items = []
    for i in range(n):
        od = 0.2 + (i % 13) * 0.37
        items.append({
            "kind": "compute", "name": f"c{i}", "instance_type": TYPES[i % 10], "count": 1 + i % 4,
            "usage_hours_per_month": 20 + (i * 1.37) % 700, "start_month": 1 + i % 36,
            "purchase": purchases[i % 5],
            "unit_prices": {"on_demand_hourly_usd": od, "hourly_usd": od * (0.5 + (i % 7) * 0.05),
                            "compute_sp_hourly_usd": od * (0.6 + (i % 5) * 0.05),
                            "ec2_instance_sp_hourly_usd": od * (0.45 + (i % 3) * 0.05)},
        })
    return plan_from_dict({
        "name": "stress", "region": "us-east-1", "duration_months": 36, "items": items,
        "savings_plans": [
            {"name": "sp0", "commitment_usd_per_hour": 20.0},
            {"name": "sp1", "commitment_usd_per_hour": 30.0},
            {"name": "p4d", "plan_type": "ec2_instance", "instance_family": "p4d",
             "commitment_usd_per_hour": 15.0},
        ],
    })


def cold(runs: int) -> None:
    """Cold processes against ``python -c "import pandas"``, interleaved. One untimed run of each
    first writes what an installed, once-run planner has: bytecode caches and the record of
    snapshot CSVs already hashed (:mod:`planner.catalog.trust`, in ``$PLANNER_CACHE_DIR`` or the
    user's cache folder)."""
    py = sys.executable
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    commands = {
        "import pandas": [py, "-c", "import pandas"],
        "planner prices --instance p3.2xlarge": [py, "-m", "planner", "prices", "--instance",
                                                 "p3.2xlarge"],
        "planner compare workload_cpu.json --region all": [
            py, "-m", "planner", "compare", "examples/workload_cpu.json", "--region", "all"],
        "planner --help": [py, "-m", "planner", "--help"],
    }

    def runner(args: list[str]):  # type: ignore[no-untyped-def]
        return lambda: subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True)

    fns = {name: runner(args) for name, args in commands.items()}
    for fn in fns.values():
        fn()  # bytecode caches written, files in the page cache
    ms = interleaved_ms(fns, runs)
    print(f"cold processes (median of {runs} interleaved runs; reference: import pandas):")
    for name, value in ms.items():
        print(line(name, value, ms["import pandas"]))


def load(runs: int) -> None:
    import pandas as pd
    import pyarrow.feather as feather

    from planner.catalog import load_catalog
    from planner.catalog.columnar import columnar_file
    from planner.catalog.loader import default_data_dir
    from planner.catalog.schema import TABLES

    data = default_data_dir()

    def read_feather() -> None:
        for spec in TABLES.values():
            feather.read_feather(data / columnar_file(spec), use_threads=False)

    def read_csv() -> None:
        for spec in TABLES.values():
            pd.read_csv(data / spec.file, dtype=str, keep_default_na=False)

    ms = interleaved_ms({
        "pyarrow.feather.read_feather, same tables": read_feather,
        "load_catalog()": load_catalog,
        "load_catalog(columnar=False): CSV, validated": lambda: load_catalog(columnar=False),
        "pd.read_csv of the CSVs (text only)": read_csv,
    }, runs)
    ref = ms["pyarrow.feather.read_feather, same tables"]
    print(f"snapshot load, in-process (median of {runs}; reference: read_feather):")
    for name, value in ms.items():
        print(line(name, value, ref))
    csv = ms["pd.read_csv of the CSVs (text only)"]
    print(f"  load_catalog() / plain pd.read_csv: {ms['load_catalog()'] / csv:.2f}×")


def costing(runs: int) -> None:
    from planner.catalog import load_catalog
    from planner.costing import cost_plan

    catalog = load_catalog()
    plans = {f"{n} items": mixed_plan(n) for n in (100, 250, 500)}
    plans.update({f"{n} items, all in one savings-plan pool": pool_plan(n) for n in (250, 500)})
    plans.update({f"{n} items + 3 plan-level savings plans": mixed_plan(n, stacked=True)
                  for n in (100, 250, 500)})
    plans["500 items, stacking stress (all compute, 36 starts)"] = stacking_stress_plan(500)
    for plan in plans.values():
        cost_plan(plan, catalog)  # the per-region look-ups are built once
    ms = interleaved_ms({name: (lambda p=p: cost_plan(p, catalog)) for name, p in plans.items()},
                        runs)
    per_100 = ms["100 items"] / 100
    print(f"plan costing, 36 months, mixed items incl. savings-plan pools (median of {runs}; "
          "reference: the 100-item plan per item):")
    for name, value in ms.items():
        n = int(name.split()[0])
        print(f"  {name:<58}{value:9.1f} ms  {1000 * value / n:6.0f} µs/item  "
              f"{value / n / per_100:5.2f}× per item")
    for name in ("500 items", "500 items + 3 plan-level savings plans",
                 "500 items, stacking stress (all compute, 36 starts)"):
        verdict = "within" if ms[name] < 150 else "OVER"
        print(f"  {name}: {ms[name]:.0f} ms ({verdict} the 150 ms target)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    cold(args.runs)
    load(args.runs)
    costing(args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
