"""Plan outputs: a tidy line-item table, CSV (spreadsheet-safe) and JSON.

JSON carries the unrounded floats. The CSV writes unit prices at full precision (so quantity × unit
price in a spreadsheet gives the line's cost), line money to a millionth of a dollar (no float
noise such as ``3539.6626499999993``) and totals to the cent; display rounding is in the CLI table
and the UI.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

import pandas as pd

from planner.costing import TOTAL_FIELDS, PlanCost
from planner.csvsafe import neutralise
from planner.lineitem import LineItem

LINE_COLUMNS = (
    "item", "kind", "resource", "dimension", "quantity", "unit", "unit_price_usd",
    "upfront_usd", "monthly_usd", "total_usd", "first_month", "last_month", "as_of", "source",
    "override", "price_missing", "formula",
)
def line_record(line: LineItem) -> dict[str, Any]:
    return {
        "item": line.item,
        "kind": line.kind,
        "resource": line.resource,
        "dimension": line.dimension,
        "quantity": line.quantity,
        "unit": line.unit,
        "unit_price_usd": line.unit_price_usd,
        "upfront_usd": line.upfront_usd,
        "monthly_usd": line.monthly_usd,
        "total_usd": line.total_usd,
        "first_month": line.first_month,
        "last_month": line.last_month,
        "as_of": line.as_of,
        "source": line.source,
        "override": line.override,
        "price_missing": line.price_missing,
        "formula": line.formula,
    }


def line_items_frame(cost: PlanCost) -> pd.DataFrame:
    """One row per line item (the columns of :data:`LINE_COLUMNS`)."""
    return pd.DataFrame([line_record(line) for line in cost.line_items], columns=list(LINE_COLUMNS))


SAVINGS_FIELD = "savings_vs_on_demand_usd"
"""The one total that is a difference of two sums: with a price missing it would compare a partial
bill with a partial on-demand equivalent, so it is reported as missing instead."""


def total_or_missing(cost: PlanCost, field: str) -> float | None:
    """A total of ``cost``, or ``None`` for the saving vs on-demand when a price is missing (the
    saving would depend on the missing price; the sums themselves are shown, marked incomplete)."""
    if field == SAVINGS_FIELD and not cost.totals.complete:
        return None
    return float(getattr(cost.totals, field))


def totals_record(cost: PlanCost) -> dict[str, Any]:
    """The totals as JSON prints them: ``savings_vs_on_demand_usd`` is ``None`` (``null``) when
    ``complete`` is false."""
    record: dict[str, Any] = {f: total_or_missing(cost, f) for f in TOTAL_FIELDS}
    record["complete"] = cost.totals.complete
    record["missing_prices"] = list(cost.missing)
    return record


def plan_cost_dict(cost: PlanCost) -> dict[str, Any]:
    """``{"plan": ..., "line_items": [...], "totals": {...}}`` as the CLI's JSON prints it."""
    plan = cost.plan
    return {
        "plan": {
            "name": plan.name,
            "region": plan.region,
            "duration_months": plan.duration_months,
            "hours_per_month": plan.hours_per_month,
        },
        "line_items": [line_record(line) for line in cost.line_items],
        "totals": totals_record(cost),
        "months": month_records(cost),
    }


def month_records(cost: PlanCost) -> list[dict[str, Any]]:
    """``[{"month": 1, "usd": ...}, ...]``: the plan's bill in each of its months."""
    return [{"month": i + 1, "usd": usd} for i, usd in enumerate(cost.months_usd)]


def plan_cost_json(cost: PlanCost) -> str:
    return json.dumps(plan_cost_dict(cost), indent=2, allow_nan=False) + "\n"


def item_months_frame(cost: PlanCost) -> pd.DataFrame:
    """What each item bills in each month of the plan: columns ``month`` (1-based), ``item``,
    ``usd``; months past the plan's end (commitment terms that run on) are left out."""
    duration = cost.plan.duration_months
    rows = [
        {"month": m + 1, "item": item.name, "usd": usd}
        for item in cost.items for m, usd in enumerate(item.months_usd[:duration])
    ]
    return pd.DataFrame(rows, columns=["month", "item", "usd"])


def plan_csv(cost: PlanCost) -> str:
    """CSV: a header naming the plan, one row per line item with every input, then the totals.

    Text cells a spreadsheet would run as a formula (first character ``= + - @``) are prefixed with
    a single quote; numeric cells are written as numbers.
    """
    plan = cost.plan
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = ["plan", "region", "duration_months", "hours_per_month", *LINE_COLUMNS]
    writer.writerow(columns)
    prefix = [plan.name, plan.region, plan.duration_months, _number(plan.hours_per_month)]
    for line in cost.line_items:
        record = line_record(line)
        writer.writerow(
            [neutralise(v) for v in prefix]
            + [neutralise(_cell(round(record[c], 6) if c in MONEY_COLUMNS and record[c] is not None
                                else record[c])) for c in LINE_COLUMNS]
        )
    # Every TOTAL and MONTH row has its amount in the same column (quantity, unit USD) and leaves
    # the money columns empty, so summing upfront_usd, monthly_usd or total_usd down the file gives
    # the lines' sum.
    for field in TOTAL_FIELDS:
        value = total_or_missing(cost, field)
        row = [neutralise(v) for v in prefix] + [""] * len(LINE_COLUMNS)
        row[columns.index("item")] = "TOTAL"
        row[columns.index("dimension")] = field
        row[columns.index("unit")] = "USD"
        row[columns.index("quantity")] = "" if value is None else _cents(value)
        row[columns.index("price_missing")] = "false" if cost.totals.complete else "true"
        writer.writerow(row)
    for month in month_records(cost):
        row = [neutralise(v) for v in prefix] + [""] * len(LINE_COLUMNS)
        row[columns.index("item")] = "MONTH"
        row[columns.index("dimension")] = f"month {month['month']}"
        row[columns.index("unit")] = "USD"
        row[columns.index("first_month")] = month["month"]
        row[columns.index("last_month")] = month["month"]
        row[columns.index("quantity")] = _cents(month["usd"])
        writer.writerow(row)
    return buffer.getvalue()


MONEY_COLUMNS = frozenset({"upfront_usd", "monthly_usd", "total_usd"})
"""Line-item columns written to a millionth of a dollar."""


def _cents(value: float) -> str:
    """A total to the cent: ``3539.66``; ``-0.00`` is written ``0.00``."""
    if not math.isfinite(value):
        raise ValueError(f"non-finite value {value}")
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def _number(value: float) -> str:
    """A float at full precision (shortest text that reads back as the same float); whole numbers
    without ``.0``. Unit prices such as a blended tier rate must survive the round trip, so that
    quantity × unit price in a spreadsheet gives the line's cost."""
    if not math.isfinite(value):
        raise ValueError(f"non-finite value {value}")
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    return value
