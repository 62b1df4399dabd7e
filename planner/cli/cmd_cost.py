"""``planner cost PLAN.json``: line items and totals of a plan."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from planner.cli.output import add_format_argument

if TYPE_CHECKING:
    from planner.costing import PlanCost

HELP = "cost a plan file: line items with unit prices, dates and sources, and totals"

TABLE_COLUMNS = (
    "item", "dimension", "quantity", "unit", "unit_price_usd", "upfront_usd", "monthly_usd",
    "as_of", "source",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", help="plan JSON file (schema version 1)")
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from planner.catalog import load_catalog
    from planner.costing import cost_plan
    from planner.plan import load_plan

    plan = load_plan(args.plan)
    write_cost(cost_plan(plan, load_catalog()), args.format)
    return 0


def write_cost(cost: PlanCost, fmt: str) -> None:
    """Print a plan's cost in ``fmt`` (table, csv or json) on stdout (also ``planner plans show``)."""
    from planner.cli.output import to_table
    from planner.costing import TOTAL_FIELDS
    from planner.export import line_record, plan_cost_json, plan_csv, total_or_missing

    plan = cost.plan
    if fmt == "json":
        sys.stdout.write(plan_cost_json(cost))
        return
    if fmt == "csv":
        sys.stdout.write(plan_csv(cost))
        return
    records = [line_record(line) for line in cost.line_items]
    out = sys.stdout
    out.write(f"{plan.name} — {plan.region}, {plan.duration_months} months, "
              f"{plan.hours_per_month:g} h/month\n\n")
    out.write(to_table(records, TABLE_COLUMNS))
    out.write("\nformulas:\n")
    for line in cost.line_items:
        out.write(f"  {line.item} · {line.dimension}: {line.formula}\n")
    out.write("\n")
    for field in TOTAL_FIELDS:
        value = total_or_missing(cost, field)
        shown = "—" if value is None else f"{value:,.2f}"
        out.write(f"{field:28s} {shown:>16s}\n")
    if cost.missing:
        out.write(
            "\nincomplete: no price in the snapshot for " + "; ".join(cost.missing)
            + " (run `planner refresh` or set unit_prices in the plan)\n"
        )
