"""``planner compare``: rank every instance option for a workload on time and money."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from planner.cli.output import add_format_argument

HELP = "rank instance types × purchase options for a workload file (time, cost, fit, Pareto)"

TRAINING_COLUMNS = (
    "region", "instance_type", "purchase_option", "instances", "layout", "mfu", "wall_hours",
    "cost_usd", "committed_usd", "usd_per_pflop_hour", "meets_target", "pareto", "price_status",
    "note",
)
INFERENCE_COLUMNS = (
    "region", "instance_type", "purchase_option", "instances", "committed_instances", "tp",
    "replicas_per_instance", "batch", "tpot_ms", "ttft_ms", "cost_usd", "committed_usd",
    "usd_per_1m_output_tokens", "usd_per_1m_requests", "meets_target", "pareto", "price_status",
    "note",
)
CPU_COLUMNS = (
    "region", "instance_type", "purchase_option", "instances", "wall_hours", "cost_usd",
    "committed_usd", "usd_per_vcpu_hour", "meets_target", "pareto", "price_status", "note",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workload", metavar="WORKLOAD.json", help="workload file")
    parser.add_argument("--region", default="us-east-1", help="region code, or 'all'")
    parser.add_argument("--top", type=int, default=20, help="rows to show (table; 0 = all)")
    parser.add_argument(
        "--family", action="append", help="instance family to keep (repeatable), e.g. p5"
    )
    parser.add_argument(
        "--accelerator", help="chip name part or kind: H100, A10G, trainium, inferentia, gpu"
    )
    parser.add_argument("--max-hours", type=float, help="drop options slower than this [h]")
    parser.add_argument(
        "--max-budget", type=float,
        help="drop options dearer than this [USD]: a job's committed_usd, a service's cost per day",
    )
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from planner.catalog import load_catalog
    from planner.cli.output import frame_records, to_csv, to_json, to_table
    from planner.errors import InputError
    from planner.workload.compare import compare
    from planner.workload.explain import describe_row, time_text
    from planner.workload.records import CpuWorkload, InferenceWorkload, load_workload

    if args.top < 0:
        raise InputError("--top", f"must be ≥ 0, got {args.top}")
    workload = load_workload(args.workload)
    catalog = load_catalog()
    region = None if args.region == "all" else args.region
    result = compare(
        workload, catalog, region=region, families=args.family, accelerator=args.accelerator,
        max_hours=args.max_hours, max_budget_usd=args.max_budget,
    )
    if args.format in ("json", "csv"):
        rows, names = explained_records(result)
    if args.format == "json":
        sys.stdout.write(to_json({
            "rows": rows, "row_count": len(rows), "assumptions": result.assumptions,
            "notes": result.notes, "time_column": result.time_column,
            "cost_column": result.cost_column, "unit_column": result.unit_column,
            "headlines": headlines_record(result),
        }))
        return 0
    if args.format == "csv":
        sys.stdout.write(to_csv(rows, names))
        return 0
    total = result.row_count
    rows = frame_records(result.rows if args.top == 0 else result.head(args.top))
    columns: tuple[str, ...] = (
        INFERENCE_COLUMNS if isinstance(workload, InferenceWorkload)
        else CPU_COLUMNS if isinstance(workload, CpuWorkload) else TRAINING_COLUMNS
    )
    if region is not None:
        columns = tuple(c for c in columns if c != "region")
    shown = rows
    sys.stdout.write(f"{workload.name} — region {args.region}, snapshot as of {catalog.as_of}\n")
    if not shown:
        sys.stdout.write("no option matches the filters\n")
    else:
        sys.stdout.write(to_table(shown, [c for c in columns if c in result.columns]))
    sys.stdout.write(f"{len(shown)} of {total} rows shown (best first; pareto = on the "
                     f"time-cost front of {result.time_column} vs {result.cost_column})\n")
    heads = result.headlines
    if heads.message:
        sys.stdout.write(heads.message + "\n")
    per = " per day" if result.serving else ""
    for title, row in (
        ("cheapest" + (" that meets the target" if heads.target else ""), heads.cheapest),
        ("fastest", heads.fastest), (f"best {result.unit_column}", heads.best_unit_cost),
    ):
        if row is not None:
            sys.stdout.write(
                f"  {title}: {describe_row(row)}, ${row['cost_usd']:,.2f}{per}, "
                f"{result.time_column} {time_text(row[result.time_column])}\n"
            )
    perf = result.assumptions["performance"]
    for key in ("total_flops", "flops_rule", "time_rule", "roofline", "instances_rule"):
        if key in perf:
            sys.stdout.write(f"  {key}: {perf[key]}\n")
    for note in result.notes:
        sys.stdout.write(f"  note: {note}\n")
    sys.stdout.write("  every assumption: --format json\n")
    return 0


def explained_records(result: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Every ranked row as a plain record with its ``calculation``, and the column names: what
    ``frame_records(result.explained())`` gives, converting the frame to records once."""
    from planner.cli.output import plain_record
    from planner.workload.explain import calculations

    records: list[dict[str, Any]] = result.rows.to_dict("records")
    texts = calculations(records, serving=result.serving, reuse_fraction=result.reuse_fraction)
    rows = [plain_record({**r, "calculation": t}) for r, t in zip(records, texts, strict=True)]
    return rows, [*map(str, result.rows.columns), "calculation"]


def headlines_record(result: Any) -> dict[str, Any]:
    """The comparison's headlines for JSON: each as its ranked row (or null)."""
    from planner.cli.output import plain_record

    heads = result.headlines
    out: dict[str, Any] = {
        "target": heads.target, "target_met": heads.target_met, "message": heads.message,
    }
    for name in ("cheapest", "fastest", "best_unit_cost"):
        row = getattr(heads, name)
        out[name] = None if row is None else plain_record(row)
    return out
