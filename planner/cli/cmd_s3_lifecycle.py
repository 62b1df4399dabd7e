"""``planner s3-lifecycle POLICY.json``: S3 lifecycle rules vs all-Standard and Intelligent-Tiering."""

from __future__ import annotations

import argparse
import sys

from planner.cli.output import add_format_argument

HELP = "simulate S3 lifecycle rules month by month against all-Standard and Intelligent-Tiering"

TABLE_COLUMNS = (
    "month", "lifecycle_usd", "all_standard_usd", "intelligent_tiering_usd",
    "savings_vs_standard_cumulative_usd", "savings_vs_intelligent_tiering_cumulative_usd",
)
BREAKDOWN_COLUMNS = ("scenario", "storage_class", "component", "usd")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("policy", help="datasets, lifecycle rules and horizon (JSON; see examples/)")
    parser.add_argument(
        "--by-class", action="store_true",
        help="table format: also print the whole-horizon cost by scenario, class and component",
    )
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from planner.catalog import load_catalog
    from planner.cli.output import frame_records, to_json, to_table
    from planner.savings.s3_lifecycle import MONTHLY_COLUMNS, monthly_csv, simulate_s3_lifecycle
    from planner.savings.s3_policy import load_policy

    policy = load_policy(args.policy)
    result = simulate_s3_lifecycle(load_catalog(), policy)
    monthly = frame_records(result.monthly[list(MONTHLY_COLUMNS)])
    grouped = (
        result.breakdown.groupby(["scenario", "storage_class", "component"], sort=False)["usd"]
        .sum(min_count=1).reset_index()
    )
    breakdown = frame_records(grouped)
    totals = result.totals()
    if args.format == "json":
        sys.stdout.write(to_json({
            "name": policy.name,
            "region": policy.region,
            "months": policy.months,
            "totals_usd": totals,
            "monthly": monthly,
            "breakdown_usd": breakdown,
            "prices": [
                {"storage_class": p.storage_class, "dimension": p.dimension, "unit": p.unit,
                 "price_usd": p.price_usd, "tiered": p.tiered, "as_of": p.as_of,
                 "source": p.source}
                for p in result.prices
            ],
            "missing": list(result.missing),
            "notes": list(result.notes),
        }))
        return 0
    if args.format == "csv":
        sys.stdout.write(monthly_csv(result))
        return 0
    out = sys.stdout
    out.write(f"{policy.name} — {policy.region}, {policy.months} months,"
              f" {len(policy.datasets)} dataset(s)\n\n")
    out.write(to_table(monthly, TABLE_COLUMNS))
    out.write("\ntotal over the horizon [USD]\n")
    for scenario, total in totals.items():
        shown = "missing" if total is None else f"{total:,.2f}"
        out.write(f"  {scenario:22s} {shown:>16s}\n")
    if args.by_class:
        out.write("\nby class and component, whole horizon [USD]\n")
        out.write(to_table(breakdown, BREAKDOWN_COLUMNS))
    for note in result.notes:
        out.write(f"\nnote: {note}")
    if result.notes:
        out.write("\n")
    return 0
