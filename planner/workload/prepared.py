"""The catalog joined once per loaded snapshot, and the per-instance-type figures a workload gets.

Prepared frames are cached per loaded :class:`Catalog` (it hashes by identity); the figures are
numpy arrays aligned with the instance specs, computed once per type and broadcast onto the
(region, type, option) grid by :mod:`planner.workload.grid`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.catalog import Catalog
from planner.spot import (
    INTERRUPTIONS_PER_HOUR_BY_BUCKET,
)
from planner.workload.memory import (
    FitResult,
)
from planner.workload.options import RATE_OPTIONS
from planner.workload.performance import (
    PEAK_COLUMN,
    bandwidth_scale,
)
from planner.workload.records import (
    Precision,
)

FloatArray = npt.NDArray[np.float64]




# --- prepared, cached frames -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Prepared:
    """Catalog tables joined once: specs × chips, and rates pivoted to one row per (region, type)."""

    specs: pd.DataFrame
    """instance_specs + accelerator columns, positional index 0..T-1."""
    type_codes: dict[str, int]
    rate_region: npt.NDArray[np.object_]
    rate_region_code: npt.NDArray[np.int64]
    rate_type_pos: npt.NDArray[np.int64]
    region_rows: dict[str, npt.NDArray[np.int64]]
    option_columns: dict[str, dict[str, np.ndarray]]
    """option name → effective_hourly_usd, upfront_usd, hourly_usd, as_of, source (per rate row)."""
    spot_bucket: npt.NDArray[np.object_]
    spot_rate: FloatArray


@lru_cache(maxsize=8)
def prepared(catalog: Catalog) -> Prepared:
    """Join and pivot the catalog tables for the comparison (cached per catalog object)."""
    chips = catalog.accelerators.drop(columns=["as_of", "source"]).rename(
        columns={"memory_gib": "chip_memory_gib"}
    )
    specs = catalog.instance_specs.merge(chips, on="accelerator", how="left").reset_index(drop=True)
    specs["bandwidth_bytes_per_s"] = specs["memory_bandwidth_gbps"].to_numpy(float) * bandwidth_scale(
        specs["accelerator"].to_numpy(object)
    )
    type_codes = {t: i for i, t in enumerate(specs["instance_type"])}

    rates = catalog.compute_rates
    keys = rates[["region", "instance_type"]].drop_duplicates().sort_values(
        ["region", "instance_type"]
    ).reset_index(drop=True)
    keys["_row"] = np.arange(len(keys))
    regions = sorted(keys["region"].unique())
    region_code_map = {r: i for i, r in enumerate(regions)}
    option_columns: dict[str, dict[str, np.ndarray]] = {}
    n = len(keys)
    for option in RATE_OPTIONS:
        mask = (rates["purchase_option"] == option.purchase_option) & (
            rates["term_years"] == option.term_years
        )
        if option.offering_class:
            mask &= rates["offering_class"] == option.offering_class
        if option.payment_option:
            mask &= rates["payment_option"] == option.payment_option
        if option.purchase_option == "savings_plan":
            mask &= rates["plan_type"] == "compute"
        sub = rates.loc[mask].drop_duplicates(["region", "instance_type"])
        joined = sub.merge(keys, on=["region", "instance_type"], how="inner")
        rows = joined["_row"].to_numpy(int)
        cols: dict[str, np.ndarray] = {
            "effective_hourly_usd": np.full(n, np.nan),
            "upfront_usd": np.full(n, np.nan),
            "hourly_usd": np.full(n, np.nan),
            "as_of": np.full(n, None, dtype=object),
            "source": np.full(n, None, dtype=object),
        }
        for name in ("effective_hourly_usd", "upfront_usd", "hourly_usd"):
            cols[name][rows] = joined[name].to_numpy(float)
        for name in ("as_of", "source"):
            cols[name][rows] = joined[name].to_numpy(object)
        option_columns[option.name] = cols
    advisor = catalog.spot_advisor[["region", "instance_type", "interruption_bucket"]]
    with_bucket = keys.merge(advisor, on=["region", "instance_type"], how="left")
    bucket = with_bucket["interruption_bucket"].to_numpy(object)
    spot_rate = np.array(
        [INTERRUPTIONS_PER_HOUR_BY_BUCKET.get(b, np.nan) if isinstance(b, str) else np.nan
         for b in bucket],
        dtype=float,
    )
    region_arr = keys["region"].to_numpy(object)
    region_code = np.array([region_code_map[r] for r in region_arr], dtype=np.int64)
    type_pos = np.array([type_codes[t] for t in keys["instance_type"]], dtype=np.int64)
    region_rows = {r: np.flatnonzero(region_code == i) for r, i in region_code_map.items()}
    return Prepared(
        specs=specs,
        type_codes=type_codes,
        rate_region=region_arr,
        rate_region_code=region_code,
        rate_type_pos=type_pos,
        region_rows=region_rows,
        option_columns=option_columns,
        spot_bucket=bucket,
        spot_rate=spot_rate,
    )


# --- per instance type evaluation -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TypeFigures:
    """What a workload needs and achieves on each instance type (arrays aligned with specs)."""

    eligible: npt.NDArray[np.bool_]
    instances: FloatArray
    """Instances used (NaN where it does not fit)."""
    fit: FitResult
    wall_hours: FloatArray
    """Failure-free wall-clock time of the job [h] (training/CPU); NaN for inference."""
    instance_hours: FloatArray
    """Instance-hours of the job (training/CPU) or per day (inference)."""
    meets_deadline: npt.NDArray[np.object_]
    work: dict[str, float]
    """Units of work for unit costs: pflop_hours, tokens, output_tokens, requests, vcpu_hours."""
    extra: dict[str, np.ndarray]
    """Kind-specific columns (tpot_ms, ttft_ms, mfu, scaling_efficiency, …)."""
    checkpoint_write_hours: float
    restart_hours: float
    interruptions_per_hour: float | None
    assumptions: dict[str, Any]
    excluded: dict[str, int]
    """Reason → how many instance types were not considered for it."""


def chip_peak_tflops(specs: pd.DataFrame, precision: Precision) -> FloatArray:
    return specs[PEAK_COLUMN[precision]].to_numpy(float)


def supported_precisions(specs: pd.DataFrame, chip: str) -> list[str]:
    row = specs.loc[specs["accelerator"] == chip].iloc[0]
    return [str(p) for p, col in PEAK_COLUMN.items() if not pd.isna(row[col])]


def deadline_count(
    t1_hours: FloatArray, deadline: float | None, base: FloatArray, eff_at: Any, cap: int
) -> FloatArray:
    """Instances to meet a deadline: n = ceil(T1 / (deadline · eff(n))), one fixed-point step,
    never below ``base`` (the fewest that fit); NaN where ``base`` is NaN (does not fit)."""
    if deadline is None:
        return base
    with np.errstate(invalid="ignore", divide="ignore"):
        n0 = np.maximum(np.ceil(t1_hours / deadline), 1.0)
        n0 = np.where(np.isfinite(n0), np.minimum(n0, cap), np.nan)
        n1 = np.ceil(t1_hours / (deadline * eff_at(np.where(np.isnan(n0), 1.0, n0))))
        n1 = np.where(np.isfinite(n1), np.minimum(n1, cap), np.nan)
    return np.where(np.isnan(base), np.nan, np.fmax(base, n1))


def meets(hours: FloatArray, target: float | None) -> npt.NDArray[np.object_]:
    """True where ``hours`` is known and within ``target``; False where it is over or unknown;
    None everywhere when there is no target."""
    out = np.full(len(hours), None, dtype=object)
    if target is not None:
        with np.errstate(invalid="ignore"):
            out[:] = ((~np.isnan(hours)) & (hours <= target)).tolist()
    return out
