"""``planner fit``: does the workload fit in memory, per instance type, and on how many?"""

from __future__ import annotations

import argparse
import sys

from planner.cli.output import add_format_argument

HELP = "memory fit of a workload file per instance type (fewest instances, or the shortfall)"

COLUMNS = (
    "instance_type", "accelerator", "accelerators_per_instance", "memory_gib_per_instance",
    "usable_gib_per_instance", "needed_gib_per_instance", "instances_to_fit", "result",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workload", metavar="WORKLOAD.json", help="workload file")
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from planner.catalog import load_catalog
    from planner.cli.output import frame_records, to_csv, to_json, to_table
    from planner.workload.compare import fit_table
    from planner.workload.figures import type_figures
    from planner.workload.records import load_workload

    workload = load_workload(args.workload)
    catalog = load_catalog()
    figs = type_figures(workload, catalog)
    table = fit_table(workload, catalog, figs)
    rows = frame_records(table)
    if args.format == "json":
        memory = figs.assumptions.get("memory") or {
            k: v for k, v in figs.assumptions.items()
            if k in ("weights_gib", "kv_cache_bytes_per_token", "memory_overhead_fraction",
                     "replicas", "memory_fit", "kv_rule")
        }
        sys.stdout.write(to_json({"rows": rows, "row_count": len(rows), "assumptions": memory,
                                  "workload": workload.model_dump(mode="json")}))
    elif args.format == "csv":
        sys.stdout.write(to_csv(rows, list(table.columns)))
    else:
        sys.stdout.write(f"{workload.name} — memory fit per instance type\n")
        sys.stdout.write(to_table(rows, COLUMNS))
        fits = int(table["fits"].sum())
        sys.stdout.write(f"{fits} of {len(rows)} instance types fit\n")
    return 0
