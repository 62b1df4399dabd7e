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


@dataclass(frozen=True, slots=True)
class Coded:
    """A text column as codes into a short table of values (row ``i`` holds
    ``values[codes[i]]``): only the rows gathered become Python objects, and a table of a few
    distinct values is shared by every row that holds one."""

    codes: npt.NDArray[np.intp]
    values: npt.NDArray[np.object_]

    def __getitem__(self, positions: npt.NDArray[np.intp] | slice) -> npt.NDArray[np.object_]:
        """The values of rows ``positions`` (an object array)."""
        return self.values[self.codes[positions]]

    def __len__(self) -> int:
        return len(self.codes)


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
    option_columns: dict[str, dict[str, FloatArray]]
    """option name → effective_hourly_usd, upfront_usd, hourly_usd (per rate row; NaN: no rate)."""
    option_text: dict[str, dict[str, Coded]]
    """option name → as_of, source (per rate row; None: no rate). Every option's codes of a
    column point into the same values."""
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
    # one row per (region, instance type) with a rate, sorted by region then type: integer pair
    # codes of the two sorted factorizations (no string joins or merges); one stable sort puts the
    # rate rows in pair order, each pair's rows in file order
    region_code_of_rate, regions = pd.factorize(rates["region"], sort=True)
    type_code_of_rate, rate_types = pd.factorize(rates["instance_type"], sort=True)
    n_types = max(len(rate_types), 1)
    pair = region_code_of_rate.astype(np.int64) * n_types + type_code_of_rate
    by_pair = np.argsort(pair, kind="stable")
    new_pair = _starts_of_runs(pair[by_pair])
    pairs = pair[by_pair][new_pair]
    pair_of_rate = np.empty(len(pair), np.intp)  # position in ``pairs`` of each rate row's pair
    pair_of_rate[by_pair] = np.cumsum(new_pair) - 1
    n = len(pairs)
    text = {name: _text_codes(rates[name]) for name in ("as_of", "source")}

    equal: dict[tuple[str, str], npt.NDArray[np.bool_]] = {}

    def where(column: str, value: str) -> npt.NDArray[np.bool_]:
        if (column, value) not in equal:
            equal[column, value] = (rates[column] == value).to_numpy(dtype=bool)
        return equal[column, value]

    term = rates["term_years"].to_numpy(float)
    numbers = {c: rates[c].to_numpy(float) for c in ("effective_hourly_usd", "upfront_usd", "hourly_usd")}
    option_columns: dict[str, dict[str, FloatArray]] = {}
    option_text: dict[str, dict[str, Coded]] = {}
    for option in RATE_OPTIONS:
        mask = where("purchase_option", option.purchase_option) & (term == option.term_years)
        if option.offering_class:
            mask &= where("offering_class", option.offering_class)
        if option.payment_option:
            mask &= where("payment_option", option.payment_option)
        if option.purchase_option == "savings_plan":
            mask &= where("plan_type", "compute")
        ordered = by_pair[mask[by_pair]]  # the option's rate rows in pair order
        first = _starts_of_runs(pair_of_rate[ordered])  # its first row in the file per pair
        source_rows = ordered[first]
        rows = pair_of_rate[source_rows]
        cols: dict[str, FloatArray] = {}
        for name in ("effective_hourly_usd", "upfront_usd", "hourly_usd"):
            cols[name] = np.full(n, np.nan)
            cols[name][rows] = numbers[name][source_rows]
        option_columns[option.name] = cols
        option_text[option.name] = {}
        for name, (row_codes, values) in text.items():
            codes = np.full(n, len(values) - 1, np.intp)  # the last value: None, no rate
            codes[rows] = row_codes[source_rows]
            option_text[option.name][name] = Coded(codes, values)
    region_code = pairs // n_types
    region_arr = np.asarray(regions, dtype=object)[region_code]
    spec_pos_of_rate_type = pd.Index(specs["instance_type"]).get_indexer(rate_types)
    type_pos = spec_pos_of_rate_type[pairs % n_types]
    if (type_pos < 0).any():
        unknown = np.asarray(rate_types)[pairs % n_types][type_pos < 0][0]
        raise KeyError(unknown)
    type_pos = type_pos.astype(np.int64)
    advisor = catalog.spot_advisor
    advisor_region = pd.Index(regions).get_indexer(advisor["region"])
    advisor_type = pd.Index(rate_types).get_indexer(advisor["instance_type"])
    known = (advisor_region >= 0) & (advisor_type >= 0)
    advisor_pair = advisor_region[known].astype(np.int64) * n_types + advisor_type[known]
    at = np.searchsorted(pairs, advisor_pair)
    hit = at < n
    hit[hit] &= pairs[at[hit]] == advisor_pair[hit]
    bucket = np.full(n, np.nan, dtype=object)
    spot_rate = np.full(n, np.nan)
    advisor_rows = np.flatnonzero(known)[hit]
    bucket_codes, bucket_names = pd.factorize(advisor["interruption_bucket"])
    bucket[at[hit]] = _decoded(
        advisor["interruption_bucket"], bucket_codes, np.asarray(bucket_names, dtype=object),
        advisor_rows,
    )
    per_hour = [INTERRUPTIONS_PER_HOUR_BY_BUCKET.get(b, np.nan) for b in bucket_names]
    spot_rate[at[hit]] = np.array([*per_hour, np.nan])[bucket_codes[advisor_rows]]  # -1: none
    region_rows = {str(r): np.flatnonzero(region_code == i) for i, r in enumerate(regions)}
    return Prepared(
        specs=specs,
        type_codes=type_codes,
        rate_region=region_arr,
        rate_region_code=region_code.astype(np.int64),
        rate_type_pos=type_pos,
        region_rows=region_rows,
        option_columns=option_columns,
        option_text=option_text,
        spot_bucket=bucket,
        spot_rate=spot_rate,
    )


def _starts_of_runs(values: npt.NDArray[np.integer]) -> npt.NDArray[np.bool_]:
    """True at each position of sorted ``values`` that differs from the one before."""
    starts = np.ones(len(values), bool)
    starts[1:] = values[1:] != values[:-1]
    return starts


def _text_codes(column: pd.Series) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]:
    """A text column as codes into a table of its values (each distinct value one Python object),
    the table ending with None (for "no value"); a missing value keeps its own entry, as
    ``column.to_numpy(object)`` gives it."""
    found, uniques = pd.factorize(column)
    values = [*np.asarray(uniques, dtype=object)]
    missing = np.flatnonzero(found < 0)
    if len(missing):
        found = found.copy()
        found[missing] = len(values) + np.arange(len(missing))
        values.extend(column.take(missing).to_numpy(object))
    table = np.empty(len(values) + 1, dtype=object)
    table[:-1] = values
    return found.astype(np.intp, copy=False), table


def _decoded(
    column: pd.Series, codes: npt.NDArray[np.intp], uniques: npt.NDArray[np.object_],
    rows: npt.NDArray[np.intp],
) -> npt.NDArray[np.object_]:
    """``column``'s values at ``rows`` from its factorization (``codes`` into ``uniques``, -1 for
    missing): the same Python object for every row of a value; a missing value as
    ``column.to_numpy(object)`` gives it."""
    picked = codes[rows]
    values = np.append(uniques, np.array([None], dtype=object))[picked]  # -1: replaced below
    if (picked < 0).any():
        values[picked < 0] = column.take(rows[picked < 0]).to_numpy(object)
    return values


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
