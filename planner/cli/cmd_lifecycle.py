"""``planner lifecycle PROFILE.json``: month-by-month cost of purchase strategies, break-even."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from planner.cli.output import add_format_argument

HELP = "compare purchase strategies month by month: cumulative cost, upfront cash, break-even"

SUMMARY_COLUMNS = (
    "strategy", "total_usd", "upfront_total_usd", "unused_commitment_total_usd",
    "savings_vs_on_demand_usd", "break_even_month", "break_even_months", "status",
)
MONTHLY_COLUMNS = (
    "strategy", "month", "instances", "cost_usd", "cumulative_usd", "upfront_usd",
    "unused_commitment_usd", "savings_vs_on_demand_usd", "cumulative_savings_vs_on_demand_usd",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("profile", help="usage profile and strategies (JSON; see examples/)")
    parser.add_argument(
        "--monthly", action="store_true",
        help="table format: also print cumulative cost per strategy for every month",
    )
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from planner.catalog import load_catalog
    from planner.cli.output import frame_records, to_csv, to_json, to_table
    from planner.savings.lifecycle import run_lifecycle
    from planner.savings.profile import load_profile

    profile = load_profile(args.profile)
    result = run_lifecycle(load_catalog(), profile)
    monthly = frame_records(result.monthly[list(MONTHLY_COLUMNS)])
    summary = [
        {
            "strategy": s.name, "total_usd": s.total_usd, "upfront_total_usd": s.upfront_total_usd,
            "unused_commitment_total_usd": s.unused_commitment_total_usd,
            "savings_vs_on_demand_usd": s.savings_vs_on_demand_usd,
            "break_even_month": result.break_even_label(s),
            "break_even_months": (None if s.break_even_months is None
                                  else round(s.break_even_months, 2)),
            "status": s.status,
            "break_even_note": s.break_even_note,
        }
        for s in result.summary
    ]
    rates: dict[str, dict[str, list[Any]]] = {
        r.name: {
            "rates": [
                {"what": x.what, "usd_per_hour": x.usd_per_hour, "upfront_usd": x.upfront_usd,
                 "hourly_usd": x.hourly_usd, "as_of": x.as_of, "source": x.source}
                for x in r.rates
            ],
            "notes": list(r.notes),
        }
        for r in result.strategies
    }
    if args.format == "json":
        usage = profile.usage
        sys.stdout.write(to_json({
            "name": profile.name,
            "usage": usage.model_dump(mode="json"),
            "cheapest": result.cheapest,
            "summary": summary,
            "strategies": rates,
            "monthly": monthly,
        }))
        return 0
    if args.format == "csv":
        sys.stdout.write(to_csv(monthly, MONTHLY_COLUMNS))
        return 0
    out = sys.stdout
    usage = profile.usage
    out.write(
        f"{profile.name} — {usage.instance_type} in {usage.region}, {usage.horizon_months}"
        f" months, {usage.usage_hours_per_month:g} h/month per instance\n\n"
    )
    out.write(to_table(summary, SUMMARY_COLUMNS))
    out.write(f"\ncheapest: {result.cheapest or '— (no strategy has every rate)'}\n")
    out.write("break-even: the first month from which a strategy stays at or below all"
              " on-demand; break_even_months counts from the start (6.85 = 85 % into month 7)\n")
    for s in result.summary:
        if s.break_even_note:
            out.write(f"  {s.break_even_note}\n")
    for name, detail in rates.items():
        out.write(f"\n{name}:\n")
        for x in detail["rates"]:
            price = "missing" if x["usd_per_hour"] is None else f"${x['usd_per_hour']:,.6g}/h"
            dated = f", {x['as_of']}" if x["as_of"] else ""
            out.write(f"  {x['what']}: {price} ({x['source']}{dated})\n")
        for note in detail["notes"]:
            out.write(f"  {note}\n")
    if args.monthly:
        wide = result.monthly.pivot(index="month", columns="strategy", values="cumulative_usd")
        wide = wide[[r.name for r in result.strategies]]
        rows = frame_records(wide.reset_index())
        out.write("\ncumulative cost [USD]\n")
        out.write(to_table(rows, ["month", *[str(c) for c in wide.columns]]))
    return 0
