"""The answer in words: headlines (cheapest that meets the target, fastest, best cost per unit of
work), a row described in a line, and the arithmetic behind each row's cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.workload.grid import PRICE_MISSING, RankedRows
from planner.workload.options import (
    RATE_OPTION,
    SERVING_OPTIONS,
)

FloatArray = npt.NDArray[np.float64]


# --- headlines --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headlines:
    """The answers a person looks for first, as rows of the ranked frame (None: no such row)."""

    cheapest: dict[str, Any] | None
    """Cheapest usable row that meets the target (with no target: the cheapest)."""
    fastest: dict[str, Any] | None
    best_unit_cost: dict[str, Any] | None
    target: str | None
    """The target in words ("deadline 720 h"), None when the workload sets none."""
    target_met: bool | None
    """Whether any row meets the target (None without a target)."""
    message: str | None
    """One line when no option meets the target, naming the fastest option."""


def _row(rows: pd.DataFrame | RankedRows, order: npt.NDArray[np.intp]) -> dict[str, Any] | None:
    """The first row of ``order`` (positions in ``rows``) as a dict; None when empty."""
    if len(order) == 0:
        return None
    if isinstance(rows, RankedRows):
        return rows.record(int(order[0]))
    return {str(k): v for k, v in rows.iloc[int(order[0])].items()}


def _column(
    rows: pd.DataFrame | RankedRows, name: str, at: npt.NDArray[np.intp] | None = None
) -> np.ndarray:
    """Column ``name`` of ranked ``rows`` (only at positions ``at`` when given)."""
    if isinstance(rows, RankedRows):
        return rows.column(name, at)
    values = rows[name].to_numpy()
    return values if at is None else values[at]


def time_text(value: float) -> str:
    """A time for people: ``1,234.5``, ``12.3``, ``0.0104`` (three significant digits below 10)."""
    if value is None or not np.isfinite(value):
        return "—"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"


def describe_row(row: Mapping[str, Any]) -> str:
    """``p4d.24xlarge × 2 · on demand`` (instance type, count, option)."""
    count = row.get("instances")
    counted = "" if count is None or pd.isna(count) else f" × {int(count)}"
    return f"{row['instance_type']}{counted} · {str(row['purchase_option']).replace('_', ' ')}"


def headlines(
    rows: pd.DataFrame | RankedRows, *, time_col: str, cost_col: str, unit_col: str,
    target: str | None, time_label: str,
) -> Headlines:
    """Cheapest that meets the target, fastest and best cost per unit of work of ranked ``rows``.

    Picked on the columns' arrays (stable sorts, missing values last); only the chosen rows are
    turned into dicts."""
    cost = np.asarray(_column(rows, cost_col), float)
    usable = np.flatnonzero(np.asarray(_column(rows, "fits"), bool) & ~np.isnan(cost))
    on_time = np.asarray(_column(rows, "meets_target", usable), object) == True  # noqa: E712 (None/bool)
    meeting = usable if target is None else usable[on_time]
    time = np.asarray(_column(rows, time_col), float)
    timed = usable[~np.isnan(time[usable])]
    fastest = _row(rows, timed[np.lexsort((cost[timed], time[timed]))]) if len(timed) else None
    best_unit = None
    if unit_col in rows.columns and len(usable):
        unit = np.asarray(_column(rows, unit_col), float)
        best_unit = _row(rows, usable[np.lexsort((time[usable], unit[usable]))])
    met = None if target is None else len(meeting) > 0
    message = None
    if met is False:
        message = f"No option meets the {target}" + (
            f"; the fastest is {describe_row(fastest)} at {time_text(fastest[time_col])} "
            f"{time_label}."
            if fastest is not None else "; no option has a known time and price."
        )
    return Headlines(
        cheapest=_row(rows, meeting), fastest=fastest, best_unit_cost=best_unit, target=target,
        target_met=met, message=message,
    )


# --- the calculation behind each row ----------------------------------------------------------


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _rate(value: float) -> str:
    return f"${value:,.6g}/h"


def job_calculation(row: Mapping[str, Any], reuse_fraction: float) -> str:
    """The arithmetic of a job row's ``cost_usd`` with the row's own numbers."""
    price, n, cost = row["usd_per_instance_hour"], row["instances"], row["cost_usd"]
    if pd.isna(n):
        return "does not fit: no instance count"
    if pd.isna(price):
        return PRICE_MISSING
    option = RATE_OPTION[str(row["purchase_option"])]
    if pd.isna(cost):
        return "time unknown: " + str(row.get("note") or "no estimate")
    if not option.commits:
        hours = row["wall_hours"]
        what = "expected h with interruptions" if option.name == "spot" else "h"
        return (f"{int(n)} × {hours:,.2f} {what} × {_rate(price)} = {_money(cost)}")
    terms, committed = row["commitment_terms"], row["committed_usd"]
    text = (
        f"{int(terms)} × {option.term_hours:,.0f} h term × {int(n)} × {_rate(price)} = "
        f"{_money(committed)} committed; the job uses {row['wall_hours'] * n:,.1f} of "
        f"{terms * option.term_hours * n:,.0f} instance-hours"
    )
    if reuse_fraction > 0:
        unused = row["unused_committed_instance_hours"]
        text += (
            f"; − {reuse_fraction:.0%} reused × {unused:,.1f} unused instance-hours × "
            f"{_rate(price)} = {_money(cost)}"
        )
    return text


def serving_calculation(row: Mapping[str, Any]) -> str:
    """The arithmetic of a service row's ``cost_usd`` (per day) with the row's own numbers."""
    n, cost = row["instances"], row["cost_usd"]
    if pd.isna(n):
        return "does not fit: no instance count"
    if pd.isna(cost):
        return PRICE_MISSING
    option = next(o for o in SERVING_OPTIONS if o.name == row["purchase_option"])
    hours = row["instance_hours"]
    if option.baseline is None:
        return f"{hours:,.1f} instance-hours/day × {_rate(row['peak_usd_per_hour'])} = {_money(cost)}/day"
    b = row["committed_instances"]
    base = RATE_OPTION[option.baseline]
    above = row["peak_instance_hours"]
    text = f"{int(b)} committed × 24 h × {_rate(row['baseline_usd_per_hour'])}"
    if above > 0:
        text += f" + {above:,.1f} instance-hours on {option.peak.replace('_', '-')} × " + _rate(
            row["peak_usd_per_hour"]
        )
    return (
        f"{text} = {_money(cost)}/day; commitment {int(b)} × {base.term_hours:,.0f} h × "
        f"{_rate(row['baseline_usd_per_hour'])} = {_money(row['committed_usd'])}"
    )


def calculations(
    records: list[dict[str, Any]], *, serving: bool, reuse_fraction: float
) -> list[str]:
    """The ``calculation`` text of each row record (:func:`job_calculation` /
    :func:`serving_calculation`)."""
    if serving:
        return [serving_calculation(r) for r in records]
    return [job_calculation(r, reuse_fraction) for r in records]


def with_calculations(
    frame: pd.DataFrame, *, serving: bool, reuse_fraction: float
) -> pd.DataFrame:
    """``frame`` with a ``calculation`` column (:func:`calculations` of its rows). Text per row
    costs time: call it on the rows that are shown or written."""
    records: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    return frame.assign(
        calculation=calculations(records, serving=serving, reuse_fraction=reuse_fraction)
    )
