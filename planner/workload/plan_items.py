"""A ranked row as plan-file items (a job billed once; a service's baseline and peaks), and a
service row's instances hour by hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.errors import InputError
from planner.workload.explain import describe_row
from planner.workload.options import (
    RATE_OPTION,
    SERVING_OPTIONS,
)

FloatArray = npt.NDArray[np.float64]


def hourly_instances(row: Mapping[str, Any]) -> pd.DataFrame:
    """A service row's instances hour by hour: ``hour`` (0-23), ``instances`` (all running),
    ``committed`` (the baseline bought for the term) and ``above_baseline`` (on the peak option).
    Empty for a row that does not fit."""
    counts = row.get("instances_by_hour")
    if counts is None or not isinstance(counts, list | tuple | np.ndarray):
        return pd.DataFrame(columns=["hour", "instances", "committed", "above_baseline"])
    committed = row.get("committed_instances")
    base = 0 if committed is None or pd.isna(committed) else int(committed)
    instances = np.asarray(counts, int)
    return pd.DataFrame({
        "hour": np.arange(len(instances)), "instances": instances,
        "committed": np.minimum(instances, base), "above_baseline": np.maximum(instances - base, 0),
    })


# --- a ranked row as plan items ---------------------------------------------------------------


def purchase_of(option: str) -> dict[str, Any]:
    """The plan-file ``purchase`` object of a rate option name (see :data:`RATE_OPTIONS`)."""
    spec = RATE_OPTION.get(option)
    if spec is None:
        allowed = ", ".join(RATE_OPTION)
        raise InputError("purchase_option", f"must be one of {allowed} (got {option!r})")
    purchase: dict[str, Any] = {"option": spec.purchase_option}
    if spec.term_years:
        purchase["term_years"] = spec.term_years
    if spec.offering_class:
        purchase["offering_class"] = spec.offering_class
    if spec.payment_option:
        purchase["payment"] = spec.payment_option
    if spec.purchase_option == "savings_plan":
        purchase["plan_type"] = "compute"
    return purchase


def plan_items_for_row(
    row: Mapping[str, Any], *, serving: bool, hours_per_month: float
) -> list[dict[str, Any]]:
    """Plan-file compute items for one ranked row (instances and hours; prices come from costing).

    A job becomes one item billed once: ``count`` instances for ``total_hours`` each (the row's
    expected wall-clock), from the plan's first month. A service becomes its committed baseline
    (every hour of the month) and, above it, the peak instances running the day's average share
    of the month: instance-hours a day above the baseline / (24 h × peak instances) × hours per
    month. A row without an instance count (it does not fit) raises :class:`InputError`.
    """
    count = row.get("instances")
    if count is None or pd.isna(count):
        raise InputError(
            "instances",
            f"{row['instance_type']} ({row['purchase_option']}) does not fit: no instance count",
        )
    instances = max(int(count), 1)
    itype = str(row["instance_type"])
    option = str(row["purchase_option"])
    if not serving:
        hours = float(row["wall_hours"])
        if not np.isfinite(hours):
            raise InputError("wall_hours", f"{describe_row(row)} has no known time")
        return [{
            "kind": "compute", "name": itype, "instance_type": itype, "count": instances,
            "total_hours": float(np.ceil(hours * 1000.0) / 1000.0),
            "purchase": purchase_of(option),
        }]
    spec = next((o for o in SERVING_OPTIONS if o.name == option), None)
    if spec is None:
        allowed = ", ".join(o.name for o in SERVING_OPTIONS)
        raise InputError("purchase_option", f"must be one of {allowed} (got {option!r})")
    committed = int(row.get("committed_instances") or 0) if spec.baseline else 0
    items: list[dict[str, Any]] = []
    if committed:
        items.append({
            "kind": "compute", "name": f"{itype} baseline", "instance_type": itype,
            "count": committed, "purchase": purchase_of(spec.baseline or ""),
        })
    above = float(row["instance_hours"]) - 24.0 * committed
    peak_count = instances - committed
    if peak_count > 0 and above > 0:
        usage = hours_per_month * above / (24.0 * peak_count)
        usage = min(max(usage, 1.0), hours_per_month)
        items.append({
            "kind": "compute", "name": f"{itype} peaks" if committed else itype,
            "instance_type": itype, "count": peak_count,
            "usage_hours_per_month": round(usage, 3), "purchase": purchase_of(spec.peak),
        })
    return items


SAGEMAKER_MAX_JOB_HOURS = 28 * 24.0
"""Longest SageMaker training job [h]: MaxRuntimeInSeconds allows up to 28 days (SageMaker API
reference, StoppingCondition)."""


def sagemaker_training_item(row: Mapping[str, Any]) -> dict[str, Any]:
    """The same training job as a SageMaker training job: a ``sagemaker`` plan item on the
    ``ml.`` twin of the row's instance type, ``count`` instances for the row's failure-free
    wall-clock (billed per second, once, in the plan's first month). Spot and commitment rows do
    not carry over (SageMaker bills training on-demand or by managed spot's billable seconds,
    which only a finished job reports): pass the on-demand row."""
    count = row.get("instances")
    if count is None or pd.isna(count):
        raise InputError("instances", f"{row['instance_type']} does not fit: no instance count")
    if row.get("purchase_option") != "on_demand":
        raise InputError(
            "purchase_option",
            f"a SageMaker training job is priced from the on-demand row (got {row['purchase_option']})",
        )
    hours = float(row["wall_hours"])
    if not np.isfinite(hours):
        raise InputError("wall_hours", f"{describe_row(row)} has no known time")
    if hours > SAGEMAKER_MAX_JOB_HOURS:
        raise InputError(
            "wall_hours",
            f"a SageMaker training job runs at most {SAGEMAKER_MAX_JOB_HOURS:,.0f} h (28 days); "
            f"{describe_row(row)} needs {hours:,.1f} h: split it or add more instances",
        )
    itype = str(row["instance_type"])
    return {
        "kind": "sagemaker", "name": f"{itype} SageMaker training", "component": "training",
        "instance_type": f"ml.{itype}", "count": max(int(count), 1),
        "job_seconds": float(np.ceil(hours * 3600.0)), "start_month": 1, "end_month": 1,
    }
