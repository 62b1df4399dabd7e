"""Right-sizing: from an instance's observed utilisation to cheaper types that still fit.

The need of one instance is what it uses times a headroom margin:
``need = capacity × utilisation% / 100 × (1 + headroom% / 100)``, for vCPUs, memory, accelerator
memory (total and per device) and accelerator compute (peak TFLOPS at FP16, else BF16, else FP32,
from ``accelerators.csv``). A candidate fits when its capacity ≥ the need on every dimension (a
relative tolerance of 1e-9 absorbs float rounding, so a candidate at exactly the need fits). The
fleet keeps its instance count: each new instance replaces one current instance.

Candidates: every size of the current family first, then current-generation types of other
families with the same CPU architecture and the same accelerator kind (a GPU workload only moves to
GPU types, a CPU-only one to CPU-only types; Trainium and Inferentia need a port and stay within
their kind). Burstable types (t2, t3, t3a, t4g) are left out of other families: their sustained CPU
is a baseline share, not their vCPU count. Mac types are left out (dedicated hosts only).

Costs per month for the fleet (``count`` instances): on-demand and spot at ``hours_per_month`` of
use; reserved at the effective hourly rate for every hour of the 730-h billing month (an RI is paid
whether used or not). Savings Plans rates are not in the snapshot and are not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import cast, overload

import numpy as np
import pandas as pd

from planner.billing import HOURS_PER_MONTH_DEFAULT, MAX_HOURS_PER_MONTH, MONTHS_PER_YEAR
from planner.catalog.loader import Catalog
from planner.catalog.query import check_region, instance_spec
from planner.errors import InputError

FIT_TOLERANCE = 1e-9
"""Relative tolerance of the capacity ≥ need test (float rounding of percent arithmetic)."""

COMPUTE_PRECISIONS = ("fp16_tflops", "bf16_tflops", "fp32_tflops")
"""Accelerator peak figures compared for compute need, first available wins."""

BURSTABLE_FAMILIES = frozenset({"t1", "t2", "t3", "t3a", "t4g"})
MAX_HEADROOM_PCT = 200.0
MAX_COUNT = 100_000


class SizeOn(StrEnum):
    """Which observed figure the need is sized on."""

    PEAK = "peak"
    AVERAGE = "average"


@dataclass(frozen=True, slots=True)
class Utilisation:
    """Observed utilisation of one resource [%, 0–100]; average is optional."""

    peak_pct: float
    average_pct: float | None = None

    def basis(self, size_on: SizeOn) -> float:
        if size_on is SizeOn.AVERAGE and self.average_pct is not None:
            return self.average_pct
        return self.peak_pct


@dataclass(frozen=True, slots=True)
class RightsizeRequest:
    """What runs today and how busy it is."""

    instance_type: str
    count: int
    cpu: Utilisation
    memory: Utilisation
    gpu: Utilisation | None = None
    """Accelerator compute utilisation; required for accelerated instances."""
    gpu_memory: Utilisation | None = None
    region: str = "us-east-1"
    hours_per_month: float = HOURS_PER_MONTH_DEFAULT
    headroom_pct: float = 20.0
    size_on: SizeOn = SizeOn.PEAK
    limit: int = 15
    """Other-family candidates to list (cheapest fitting first)."""


@dataclass(frozen=True, slots=True)
class Need:
    """Capacity one instance must have, headroom included."""

    vcpu: float
    memory_gib: float
    accelerator_memory_gib: float
    accelerator_memory_per_device_gib: float
    accelerator_tflops: float
    precision: str
    """Which peak figure ``accelerator_tflops`` uses (``fp16_tflops``…), or empty."""


@dataclass(frozen=True, slots=True)
class RightsizeResult:
    """Candidates with their fit, reasons, monthly costs and savings.

    ``candidates`` columns: instance_type, family, group (``current``, ``same family``,
    ``other family``), fits, reason, caution (what a move there changes beyond size: fewer
    accelerators, lower memory bandwidth; empty if nothing), vcpu, memory_gib,
    accelerator_memory_gib_total,
    accelerator_tflops, and for each option in ``options`` ``<option>_monthly_usd``,
    ``<option>_savings_monthly_usd`` and ``<option>_savings_yearly_usd`` (NaN = not in snapshot).
    """

    request: RightsizeRequest
    need: Need
    candidates: pd.DataFrame
    options: tuple[str, ...]
    others_checked: int
    """Types of other families compared."""
    others_fitting: int
    """Of those, the ones that fit the need."""
    others_cheaper: int
    """Of those, the ones cheaper on-demand than the current type; the cheapest ``limit`` of them
    are listed."""
    notes: tuple[str, ...]


OPTIONS = ("on_demand", "reserved_1y", "reserved_3y", "spot")
"""Purchase options compared (the snapshot's reserved rates are Standard All Upfront)."""


def _check_pct(field: str, value: float | None, *, required: bool) -> None:
    if value is None:
        if required:
            raise InputError(field, "required for this instance type (0–100 %)")
        return
    if not (0.0 <= value <= 100.0):
        raise InputError(field, f"must be 0–100 % (got {value:g})")


def validate(catalog: Catalog, request: RightsizeRequest) -> None:
    """Raise :class:`InputError` naming the first bad field and its range."""
    check_region(catalog, request.region)
    spec = instance_spec(catalog, request.instance_type)
    if not 1 <= request.count <= MAX_COUNT:
        raise InputError("count", f"must be 1–{MAX_COUNT:,} (got {request.count})")
    if not 0 < request.hours_per_month <= MAX_HOURS_PER_MONTH:
        raise InputError(
            "hours_per_month",
            f"must be > 0 and ≤ {MAX_HOURS_PER_MONTH:g} (got {request.hours_per_month:g})",
        )
    if not 0 <= request.headroom_pct <= MAX_HEADROOM_PCT:
        raise InputError(
            "headroom_pct", f"must be 0–{MAX_HEADROOM_PCT:g} % (got {request.headroom_pct:g})"
        )
    if request.limit < 0:
        raise InputError("limit", f"must be ≥ 0 (got {request.limit})")
    accelerated = spec.accelerator_count > 0
    for name, use in (("cpu", request.cpu), ("memory", request.memory),
                      ("gpu", request.gpu), ("gpu_memory", request.gpu_memory)):
        required = name in ("cpu", "memory") or accelerated
        _check_pct(f"{name}_peak_pct", None if use is None else use.peak_pct, required=required)
        if use is not None:
            _check_pct(f"{name}_avg_pct", use.average_pct, required=False)
            if not accelerated and name.startswith("gpu") and use.peak_pct > 0:
                raise InputError(
                    f"{name}_peak_pct", f"{request.instance_type} has no accelerator; leave it out"
                )


def _peak_tflops(accelerators: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per chip: the first available peak of COMPUTE_PRECISIONS and which one it is."""
    value = pd.Series(np.nan, index=accelerators.index)
    which = pd.Series("", index=accelerators.index, dtype=object)
    for column in reversed(COMPUTE_PRECISIONS):
        present = accelerators[column].notna()
        value = value.where(~present, accelerators[column])
        which = which.where(~present, column)
    return value, which


@lru_cache(maxsize=8)
def _specs_wide(catalog: Catalog) -> pd.DataFrame:
    """Instance specs indexed by type, with the columns the fit test compares: ``arch`` (i386
    counted as x86_64), the chip's peak TFLOPS and its precision, the instance's accelerator TFLOPS
    and memory per device.

    Cached per catalog; callers must not modify the frame.
    """
    specs = catalog.instance_specs.copy()
    specs["arch"] = specs["architecture"].replace({"i386": "x86_64"})
    tflops, precision = _peak_tflops(catalog.accelerators)
    chip = catalog.accelerators["accelerator"]
    specs["chip_tflops"] = specs["accelerator"].map(pd.Series(tflops.to_numpy(), index=chip))
    specs["chip_precision"] = specs["accelerator"].map(pd.Series(precision.to_numpy(), index=chip))
    specs["accelerator_tflops"] = specs["chip_tflops"] * specs["accelerator_count"]
    devices = specs["accelerator_count"].where(specs["accelerator_count"] > 0)
    specs["memory_per_device_gib"] = (specs["accelerator_memory_gib_total"] / devices).fillna(0.0)
    bandwidth = pd.Series(catalog.accelerators["memory_bandwidth_gbps"].to_numpy(), index=chip)
    specs["memory_bandwidth_gbps"] = specs["accelerator"].map(bandwidth)
    specs.index = pd.Index(specs["instance_type"].to_numpy())
    return specs


@overload
def _fits(capacity: pd.Series, needed: float) -> pd.Series: ...
@overload
def _fits(capacity: float, needed: float) -> bool: ...
def _fits(capacity: pd.Series | float, needed: float) -> pd.Series | bool:
    """Capacity ≥ need, with the relative FIT_TOLERANCE (a Series gives one answer per row)."""
    return capacity >= needed - FIT_TOLERANCE * max(1.0, abs(needed))


@lru_cache(maxsize=32)
def _rates_wide(catalog: Catalog, region: str) -> pd.DataFrame:
    """Effective hourly rate per instance type and option in ``region`` (NaN = not in snapshot).

    Cached per (catalog, region); callers must not modify the frame.
    """
    rates = catalog.compute_rates
    rates = rates[rates["region"] == region]
    od = rates["purchase_option"] == "on_demand"
    spot = rates["purchase_option"] == "spot"
    ri = (
        (rates["purchase_option"] == "reserved")
        & (rates["offering_class"] == "standard")
        & (rates["payment_option"] == "all_upfront")
    )
    parts = {
        "on_demand": rates[od],
        "reserved_1y": rates[ri & (rates["term_years"] == 1)],
        "reserved_3y": rates[ri & (rates["term_years"] == 3)],
        "spot": rates[spot],
    }
    wide = pd.DataFrame({
        name: part.set_index("instance_type")["effective_hourly_usd"]
        for name, part in parts.items()
    })
    return wide.reindex(columns=list(OPTIONS))


def rightsize(catalog: Catalog, request: RightsizeRequest) -> RightsizeResult:
    """Candidates that fit the observed need with headroom, and what each saves per option."""
    validate(catalog, request)
    current_spec = instance_spec(catalog, request.instance_type)
    margin = 1.0 + request.headroom_pct / 100.0
    size_on = request.size_on

    specs = _specs_wide(catalog)
    current = cast(pd.Series, specs.loc[request.instance_type])

    accelerated = current_spec.accelerator_count > 0
    gpu_pct = request.gpu.basis(size_on) if (accelerated and request.gpu) else 0.0
    gmem_pct = request.gpu_memory.basis(size_on) if (accelerated and request.gpu_memory) else 0.0
    current_tflops = float(current["accelerator_tflops"]) if accelerated else 0.0
    compute_known = not (accelerated and np.isnan(current_tflops))
    need = Need(
        vcpu=current_spec.vcpu * request.cpu.basis(size_on) / 100.0 * margin,
        memory_gib=current_spec.memory_gib * request.memory.basis(size_on) / 100.0 * margin,
        accelerator_memory_gib=current_spec.accelerator_memory_gib_total * gmem_pct / 100 * margin,
        accelerator_memory_per_device_gib=float(current["memory_per_device_gib"]) * gmem_pct / 100
        * margin,
        accelerator_tflops=(current_tflops * gpu_pct / 100.0 * margin) if compute_known else 0.0,
        precision=str(current["chip_precision"]) if accelerated and compute_known else "",
    )

    same = specs["family"] == current_spec.family
    kind_ok = specs["accelerator_kind"] == current_spec.accelerator_kind
    other = (
        ~same & kind_ok & (specs["arch"] == current["arch"])
        & (specs["current_generation"] == "true") & ~specs["family"].isin(BURSTABLE_FAMILIES)
    )
    pool = specs[same | other].copy()
    pool["group"] = np.where(pool["family"] == current_spec.family, "same family", "other family")
    pool.loc[pool["instance_type"] == request.instance_type, "group"] = "current"

    checks = {
        "vCPU": (pool["vcpu"], need.vcpu, ""),
        "memory": (pool["memory_gib"], need.memory_gib, " GiB"),
    }
    if accelerated:
        checks["accelerator memory"] = (
            pool["accelerator_memory_gib_total"], need.accelerator_memory_gib, " GiB"
        )
        checks["memory per accelerator"] = (
            pool["memory_per_device_gib"], need.accelerator_memory_per_device_gib, " GiB"
        )
        if compute_known:
            checks["accelerator compute"] = (
                pool["accelerator_tflops"].fillna(-1.0), need.accelerator_tflops, " TFLOPS"
            )
    fits = pd.Series(True, index=pool.index)
    for capacity, needed, _ in checks.values():
        fits &= _fits(capacity, needed)
    pool["fits"] = fits

    all_rates = _rates_wide(catalog, request.region)
    wide = all_rates.reindex(pool.index)
    current_rates = all_rates.reindex([request.instance_type]).iloc[0]
    for option in OPTIONS:
        reserved = option.startswith("reserved")
        hours = HOURS_PER_MONTH_DEFAULT if reserved else request.hours_per_month
        monthly = wide[option] * hours * request.count
        current_monthly = float(current_rates[option]) * hours * request.count
        pool[f"{option}_monthly_usd"] = monthly
        pool[f"{option}_savings_monthly_usd"] = current_monthly - monthly
        pool[f"{option}_savings_yearly_usd"] = (current_monthly - monthly) * MONTHS_PER_YEAR

    pool = pool.sort_values(["on_demand_monthly_usd", "vcpu", "instance_type"], na_position="last")
    is_other = pool["group"] == "other family"
    others = pool[is_other]
    cheaper = others["fits"] & (others["on_demand_savings_monthly_usd"] > 0)
    shown_others = others[cheaper].head(request.limit)
    order = {"current": 0, "same family": 1, "other family": 2}
    listed = pd.concat([pool[~is_other], shown_others])
    listed = listed.assign(_order=listed["group"].map(order)).sort_values(
        ["_order", "on_demand_monthly_usd"], kind="stable", na_position="last"
    )
    listed["reason"] = _reasons(listed, checks)
    listed["caution"] = _cautions(listed, current) if accelerated else ""
    columns = [
        "instance_type", "family", "group", "fits", "reason", "caution", "vcpu", "memory_gib",
        "accelerator_memory_gib_total", "accelerator_tflops",
        *(f"{o}_{part}" for o in OPTIONS for part in (
            "monthly_usd", "savings_monthly_usd", "savings_yearly_usd"
        )),
    ]
    notes = [
        f"need per instance = used × (1 + {request.headroom_pct:g} %), sized on {size_on.value}",
        "reserved = Standard All Upfront effective rate × 730 h (paid whether used or not);"
        " Savings Plans rates are not in the snapshot",
    ]
    if accelerated and not compute_known:
        notes.append(
            f"{current_spec.accelerator} has no peak TFLOPS figure in the snapshot:"
            " accelerator compute is not compared"
        )
    if np.isnan(float(current_rates["on_demand"])):
        notes.append(f"{request.instance_type} has no on-demand price in {request.region}")
    return RightsizeResult(
        request=request,
        need=need,
        candidates=listed[columns].reset_index(drop=True),
        options=OPTIONS,
        others_checked=int(is_other.sum()),
        others_fitting=int(others["fits"].sum()),
        others_cheaper=int(cheaper.sum()),
        notes=tuple(notes),
    )


def _cautions(listed: pd.DataFrame, current: pd.Series) -> list[str]:
    """What a move to each candidate changes that the fit test does not weigh: fewer accelerators
    (a multi-device job must be re-partitioned, e.g. 4 GPUs → 1) and lower memory bandwidth per
    device (memory-bound work, such as LLM decoding, runs slower: time ∝ 1 / bandwidth)."""
    devices_now = int(current["accelerator_count"])
    bandwidth_now = float(current["memory_bandwidth_gbps"])
    out = []
    for _, row in listed.iterrows():
        parts = []
        devices = int(row["accelerator_count"])
        if row["instance_type"] != current["instance_type"] and devices < devices_now:
            parts.append(f"{devices} accelerator{'s' if devices != 1 else ''} instead of"
                         f" {devices_now}: the job must be split over fewer devices")
        bandwidth = float(row["memory_bandwidth_gbps"])
        if bandwidth < bandwidth_now:  # NaN compares False: unknown is not flagged as lower
            parts.append(f"memory bandwidth {bandwidth:,.0f} GB/s per device, now"
                         f" {bandwidth_now:,.0f} GB/s: memory-bound work runs slower")
        out.append("; ".join(parts))
    return out


def _reasons(
    listed: pd.DataFrame, checks: dict[str, tuple[pd.Series, float, str]]
) -> list[str]:
    """Why each listed candidate fits (every check) or not (the failing checks), in words."""
    columns = [
        (label, capacity.reindex(listed.index).to_numpy(dtype=float), needed, unit)
        for label, (capacity, needed, unit) in checks.items()
    ]
    out = []
    for i, fits in enumerate(listed["fits"].to_numpy(dtype=bool)):
        parts = []
        for label, capacity, needed, unit in columns:
            have = float(capacity[i])
            ok = _fits(have, needed)
            if fits or not ok:
                shown = "unknown" if have < 0 else f"{have:,.4g}{unit}"
                sign = "≥" if ok else "<"
                parts.append(f"{label} {shown} {sign} {needed:,.4g}{unit} needed")
        out.append(("fits: " if fits else "too small: ") + "; ".join(parts))
    return out
