"""Estimates: a named group of 2-5 plans (scenarios A, B, C…) priced and compared side by side.

- :func:`cost_estimate` prices each plan; :func:`estimate_comparison` is one row per plan.
- :func:`estimate_csv`: one section per plan (the plan's own CSV), then the comparison table;
  sections are separated by a blank line and start with a ``# …`` title row.
- :func:`encode_estimate` / :func:`decode_estimate`: a self-contained share token of the whole
  estimate (``?estimate=``), built like a plan's share token (zlib + URL-safe base64).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from planner.catalog.loader import Catalog
from planner.costing import PlanCost, compare_plans, cost_plan
from planner.csvsafe import neutralise
from planner.errors import InputError, PlanFileError
from planner.export import plan_csv
from planner.plan import Plan, plan_from_dict, plan_to_dict
from planner.share import MAX_JSON_BYTES, MAX_TOKEN_CHARS

MIN_PLANS = 2
MAX_PLANS = 5
MAX_NAME_CHARS = 120
ESTIMATE_QUERY_PARAM = "estimate"


@dataclass(frozen=True, slots=True)
class EstimateCost:
    """An estimate's name and the cost of each of its plans, in order."""

    name: str
    costs: tuple[PlanCost, ...]


def check_estimate(name: str, plans: Sequence[Plan]) -> None:
    """Raise :class:`InputError` unless the name is 1-120 characters and there are 2-5 plans."""
    if not 1 <= len(name.strip()) <= MAX_NAME_CHARS:
        raise InputError("estimate name", f"must be 1 to {MAX_NAME_CHARS} characters "
                                          f"(got {len(name.strip())})")
    if not MIN_PLANS <= len(plans) <= MAX_PLANS:
        raise InputError("estimate plans",
                         f"an estimate groups {MIN_PLANS} to {MAX_PLANS} plans (got {len(plans)})")


def cost_estimate(name: str, plans: Sequence[Plan], catalog: Catalog) -> EstimateCost:
    check_estimate(name, plans)
    return EstimateCost(name.strip(), tuple(cost_plan(plan, catalog) for plan in plans))


def estimate_comparison(estimate: EstimateCost) -> pd.DataFrame:
    """One row per plan: region, duration and every total (see :func:`compare_plans`)."""
    return compare_plans(estimate.costs)


def estimate_csv(estimate: EstimateCost) -> str:
    """The whole estimate as one CSV: a section per plan, then the comparison table."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["# estimate", neutralise(estimate.name)])
    for i, cost in enumerate(estimate.costs, start=1):
        buffer.write("\n")
        writer.writerow([f"# plan {i} of {len(estimate.costs)}", neutralise(cost.plan.name)])
        buffer.write(plan_csv(cost))
    buffer.write("\n")
    writer.writerow(["# comparison", neutralise(estimate.name)])
    table = estimate_comparison(estimate)
    writer.writerow(list(table.columns))
    for row in table.itertuples(index=False):
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)
    return neutralise(value)


def encode_estimate(name: str, plans: Sequence[Plan]) -> str:
    """The share token of an estimate; too large a token is refused (download the CSV instead)."""
    check_estimate(name, plans)
    data = {"name": name.strip(), "plans": [plan_to_dict(p) for p in plans]}
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    token = base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")
    token = token.rstrip("=")
    if len(token) > MAX_TOKEN_CHARS:
        raise PlanFileError(
            f"estimate link: too large to share ({len(token):,} characters, limit "
            f"{MAX_TOKEN_CHARS:,}); share the saved estimate's link or the CSV instead"
        )
    return token


def decode_estimate(token: str) -> tuple[str, list[Plan]]:
    """The name and plans an estimate token carries, each plan validated like a plan file."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise PlanFileError(
            f"estimate link: token must be 1 to {MAX_TOKEN_CHARS:,} characters (got {len(token):,})"
        )
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        inflater = zlib.decompressobj()
        text = inflater.decompress(raw, MAX_JSON_BYTES)
        too_large = bool(inflater.unconsumed_tail)
        data = None if too_large else json.loads(text.decode("utf-8"))
    except (binascii.Error, ValueError, zlib.error, UnicodeDecodeError):
        raise PlanFileError("estimate link: the token is damaged (copy the whole link)") from None
    if too_large:
        raise PlanFileError(f"estimate link: larger than {MAX_JSON_BYTES:,} bytes")
    if not isinstance(data, dict) or not isinstance(data.get("plans"), list):
        raise PlanFileError("estimate link: the token holds no estimate")
    name = str(data.get("name") or "")
    plans = [plan_from_dict(p, source=f"estimate link, plan {i + 1}")
             for i, p in enumerate(data["plans"])]
    check_estimate(name, plans)
    return name.strip(), plans
