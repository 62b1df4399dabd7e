"""S3 lifecycle simulation: cohorts of data moving through storage classes month by month.

Each month's ingest is a cohort that arrives on the first day of its month and ages through the
classes its lifecycle rules name (days after creation), until it expires or the horizon ends. Data
already stored on day one (``initial_gb``) is one more cohort that ages from day 0 like the first
month's ingest; it was written before the horizon, so it pays no PUT requests. The
simulation is a convolution of the monthly ingest with each class's per-age residence profile, so a
60-month run costs a handful of numpy calls per class.

Billing rules modelled (Amazon S3 pricing page and User Guide, "Transitioning objects using
Amazon S3 Lifecycle"; figures in the constants below):

* storage per GB-month by class (Standard and the Intelligent-Tiering frequent tier with their
  volume tiers, applied to the month's total across datasets);
* lifecycle transition requests per 1,000 objects, priced by the destination class;
* minimum storage duration: an object that leaves a class (transition or expiry) before the
  minimum is billed the remaining days at that class's storage rate, in the month it leaves;
* minimum billable object size of 128 KB in Standard-IA, One Zone-IA and Glacier Instant Retrieval;
  40 KB of index overhead per object in Glacier Flexible Retrieval and Deep Archive (32 KB at the
  class rate, 8 KB at the Standard rate);
* S3 Lifecycle by default does not transition objects smaller than 128 KB; a dataset whose average
  object is smaller stays in Standard unless ``transition_small_objects`` is set (the rule's
  ``ObjectSizeGreaterThan`` filter lowered);
* reads: GET requests per 1,000 at the class's rate, retrieval per GB (and per 1,000 requests for
  the Glacier restore tiers); lifecycle expiration is free; PUTs at ingest are charged per 1,000.

Compared against keeping everything in Standard and against Intelligent-Tiering. The
Intelligent-Tiering model tiers objects by days since upload (= access age for data not read again):
frequent access for the first 30 days, infrequent access from day 30, archive instant access from
day 90; the opt-in archive tiers are not enabled; objects under 128 KB are not monitored, not
charged the monitoring fee and always billed at the frequent-tier rate. Reads in Intelligent-Tiering
pay GET requests only; moving read objects back to the frequent tier is not modelled (this favours
Intelligent-Tiering when a large share of old data is read). Data transfer out is the same in every
scenario and left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from planner.catalog.loader import Catalog
from planner.catalog.query import StorageRate, check_region, storage_rates
from planner.lineitem import OVERRIDE_SOURCE
from planner.plan import S3StorageClass
from planner.pricing.s3 import (
    ARCHIVE_CLASSES,
    ARCHIVE_OVERHEAD_CLASS_KB,
    ARCHIVE_OVERHEAD_STANDARD_KB,
    IT_MONITORING_MIN_OBJECT_KB,
    MIN_OBJECT_KB,
    MIN_STORAGE_DAYS,
)
from planner.pricing.tiers import KIB_PER_GIB, tiered_costs
from planner.savings.s3_policy import (
    CLASS_LABELS,
    DAYS_PER_MONTH,
    IT_ARCHIVE_INSTANT_AFTER_DAYS,
    IT_INFREQUENT_AFTER_DAYS,
    LIFECYCLE_MIN_TRANSITION_KB,
    MONTHLY_COLUMNS,
    SCENARIOS,
    Dataset,
    S3Policy,
)

# --- quantities ---------------------------------------------------------------------------------


Key = tuple[str, str]
"""(storage class, snapshot dimension) of a priced quantity."""


@dataclass(slots=True)
class _Quantities:
    """Monthly billable quantities per (class, dimension, component), in the snapshot's units."""

    months: int
    values: dict[tuple[str, str, str], np.ndarray] = field(default_factory=dict)

    def add(self, key: Key, component: str, amount: np.ndarray) -> None:
        slot = (key[0], key[1], component)
        previous = self.values.get(slot)
        self.values[slot] = amount if previous is None else previous + amount


def _window_overlap(start: float, stop: float, months: int) -> np.ndarray:
    """Fraction of each month of age k (window [kD, (k+1)D)) spent in [start, stop)."""
    lo = np.arange(months) * DAYS_PER_MONTH
    hi = lo + DAYS_PER_MONTH
    overlap = np.clip(np.minimum(hi, stop) - np.maximum(lo, start), 0.0, None)
    return overlap / DAYS_PER_MONTH


def _event_month(day: float, months: int) -> np.ndarray:
    """1 at the age month k whose window holds ``day``, else 0."""
    out = np.zeros(months)
    if np.isfinite(day):
        k = int(day // DAYS_PER_MONTH)
        if k < months:
            out[k] = 1.0
    return out


def _cohorts(ingest: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """Sum over cohorts: month m gets Σ_i ingest[i] × profile[m − i]."""
    return np.convolve(ingest, profile)[: len(ingest)]


@dataclass(frozen=True, slots=True)
class _DatasetShape:
    ingest_gb: np.ndarray
    """GB arriving in each month; month 1 includes the data already stored on day one."""
    objects: np.ndarray
    """Objects arriving in each month (as ``ingest_gb``)."""
    put_objects: np.ndarray
    """Objects written in each month (the PUTs): the ingest without the day-one data."""
    object_kb: float
    objects_per_gb: float


def _shape(ds: Dataset, months: int) -> _DatasetShape:
    ingest = ds.monthly_ingest_gb
    gb = np.asarray(ingest if isinstance(ingest, list) else [ingest] * months, dtype=float)
    if ds.average_object_kb is not None:
        object_kb = float(ds.average_object_kb)
    else:
        count = ds.objects_per_month
        total_objects = float(sum(count) if isinstance(count, list) else (count or 0.0) * months)
        total_gb = float(gb.sum())
        # no data at all: any size not below the transition minimum keeps the rules as written
        object_kb = (
            total_gb * KIB_PER_GIB / total_objects if total_gb > 0 else LIFECYCLE_MIN_TRANSITION_KB
        )
    objects_per_gb = KIB_PER_GIB / object_kb
    arriving = gb.copy()
    arriving[0] += float(ds.initial_gb)
    return _DatasetShape(
        arriving, arriving * objects_per_gb, gb * objects_per_gb, object_kb, objects_per_gb
    )


def _lifecycle_quantities(
    ds: Dataset, shape: _DatasetShape, q: _Quantities, notes: list[str]
) -> dict[str, np.ndarray]:
    """Add one dataset's lifecycle-scenario quantities to ``q``; return GB-months by class."""
    months = q.months
    intervals = ds.rules.intervals()
    small = shape.object_kb < LIFECYCLE_MIN_TRANSITION_KB
    if small and len(intervals) > 1 and not ds.transition_small_objects:
        notes.append(
            f"{ds.name}: average object {shape.object_kb:,.1f} KB < 128 KB, so lifecycle does not"
            " transition it (set transition_small_objects to override); it stays in Standard"
        )
        end = intervals[-1][2]
        intervals = [("standard", 0.0, end)]
    gb_months: dict[str, np.ndarray] = {}
    reads = {str(k): float(v) for k, v in ds.read_pct_per_month.items()}
    for cls, start, stop in intervals:
        stored = _cohorts(shape.ingest_gb, _window_overlap(start, stop, months))
        gb_months[cls] = stored
        q.add((cls, "storage"), "storage", stored)
        min_size_factor = _min_size_factor(cls, shape.object_kb)
        if min_size_factor > 0:
            q.add((cls, "storage"), "min_size", stored * min_size_factor)
        if cls in ARCHIVE_CLASSES:
            object_months = stored * shape.objects_per_gb
            q.add(
                (cls, "storage"), "overhead",
                object_months * ARCHIVE_OVERHEAD_CLASS_KB / KIB_PER_GIB,
            )
            q.add(
                ("standard", "storage"), "overhead",
                object_months * ARCHIVE_OVERHEAD_STANDARD_KB / KIB_PER_GIB,
            )
        if cls != "standard":
            moved = _cohorts(shape.objects, _event_month(start, months))
            q.add((cls, "transition_requests"), "transition", moved / 1000.0)
        resident = stop - start
        short_days = MIN_STORAGE_DAYS.get(S3StorageClass(cls), 0.0) - resident
        if np.isfinite(stop) and short_days > 0:
            billable_per_gb = 1.0 + min_size_factor
            early = _cohorts(shape.ingest_gb, _event_month(stop, months))
            q.add(
                (cls, "storage"), "early_delete",
                early * billable_per_gb * short_days / DAYS_PER_MONTH,
            )
        pct = reads.get(cls, 0.0)
        if pct > 0:
            read_gb = stored * pct / 100.0
            requests_k = read_gb * shape.objects_per_gb / 1000.0
            q.add((cls, "requests_get"), "get_requests", requests_k)
            if cls in ARCHIVE_CLASSES:  # read through a restore at the dataset's retrieval tier
                tier = ds.glacier_retrieval
                q.add((cls, f"retrieval_gb_{tier}"), "retrieval", read_gb)
                q.add((cls, f"retrieval_requests_{tier}"), "retrieval", requests_k)
            elif cls != "standard":
                q.add((cls, "retrieval_gb"), "retrieval", read_gb)
    q.add(("standard", "requests_put"), "put_requests", shape.put_objects / 1000.0)
    return gb_months


def _min_size_factor(cls: str, object_kb: float) -> float:
    """Extra billable GB per stored GB from the class's minimum object size (0 when none)."""
    minimum_kb = MIN_OBJECT_KB.get(S3StorageClass(cls))
    return 0.0 if minimum_kb is None else max(minimum_kb / object_kb, 1.0) - 1.0


def _read_requests_k(
    ds: Dataset, gb_months: Mapping[str, np.ndarray], objects_per_gb: float
) -> np.ndarray:
    reads = {str(k): float(v) for k, v in ds.read_pct_per_month.items()}
    total = np.zeros(len(next(iter(gb_months.values()))))
    for cls, stored in gb_months.items():
        total = total + stored * reads.get(cls, 0.0) / 100.0
    return total * objects_per_gb / 1000.0


def _standard_quantities(
    ds: Dataset, shape: _DatasetShape, q: _Quantities, reads_k: np.ndarray
) -> None:
    end = float(ds.rules.expire_days) if ds.rules.expire_days is not None else np.inf
    stored = _cohorts(shape.ingest_gb, _window_overlap(0.0, end, q.months))
    q.add(("standard", "storage"), "storage", stored)
    q.add(("standard", "requests_put"), "put_requests", shape.put_objects / 1000.0)
    q.add(("standard", "requests_get"), "get_requests", reads_k)


def _intelligent_tiering_quantities(
    ds: Dataset, shape: _DatasetShape, q: _Quantities, reads_k: np.ndarray
) -> None:
    end = float(ds.rules.expire_days) if ds.rules.expire_days is not None else np.inf
    months = q.months
    it = "intelligent_tiering"
    monitored = shape.object_kb >= IT_MONITORING_MIN_OBJECT_KB
    if monitored:
        tiers = [
            ("storage", 0.0, min(IT_INFREQUENT_AFTER_DAYS, end)),
            (
                "infrequent_storage", IT_INFREQUENT_AFTER_DAYS,
                min(IT_ARCHIVE_INSTANT_AFTER_DAYS, end),
            ),
            ("archive_instant_storage", IT_ARCHIVE_INSTANT_AFTER_DAYS, end),
        ]
    else:
        tiers = [("storage", 0.0, end)]
    total = np.zeros(months)
    for dim, start, stop in tiers:
        if stop <= start:
            continue
        stored = _cohorts(shape.ingest_gb, _window_overlap(start, stop, months))
        total = total + stored
        q.add((it, dim), "storage", stored)
    if monitored:
        q.add((it, "monitoring"), "monitoring", total * shape.objects_per_gb / 1000.0)
    q.add((it, "requests_put"), "put_requests", shape.put_objects / 1000.0)
    q.add((it, "requests_get"), "get_requests", reads_k)


# --- pricing ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriceUsed:
    """A unit price the simulation used, with its provenance (or missing)."""

    storage_class: str
    dimension: str
    unit: str
    price_usd: float | None
    """Flat price, or the first tier's price for tiered dimensions; None when missing."""
    tiered: bool
    as_of: str
    source: str


class _Pricer:
    def __init__(self, catalog: Catalog, region: str, overrides: Mapping[str, float]) -> None:
        self.catalog = catalog
        self.region = region
        self.overrides = overrides
        self.used: dict[Key, PriceUsed] = {}

    def tiers(self, key: Key) -> Sequence[StorageRate] | None:
        cls, dim = key
        name = f"{cls}.{dim}"
        if name in self.overrides:
            price = float(self.overrides[name])
            rate = StorageRate(
                self.region, "s3", cls, dim, "", 0.0, np.inf, price, "", OVERRIDE_SOURCE
            )
            self.used[key] = PriceUsed(cls, dim, "", price, False, "", OVERRIDE_SOURCE)
            return [rate]
        rates = storage_rates(self.catalog, self.region, "s3", cls, dim)
        if not rates:
            self.used[key] = PriceUsed(cls, dim, "", None, False, "", "not in snapshot")
            return None
        self.used[key] = PriceUsed(
            cls, dim, rates[0].unit, rates[0].price_usd, len(rates) > 1, rates[0].as_of,
            rates[0].source,
        )
        return rates


def _price(q: _Quantities, pricer: _Pricer) -> dict[str, dict[str, np.ndarray]]:
    """USD per month by class and component; tiered storage applied to each class's whole volume."""
    by_price_key: dict[Key, list[tuple[str, str, np.ndarray]]] = {}
    for (cls, dim, component), amount in q.values.items():
        by_price_key.setdefault((cls, dim), []).append((component, cls, amount))
    out: dict[str, dict[str, np.ndarray]] = {}
    for key, parts in by_price_key.items():
        if not any(np.any(a > 0) for _, _, a in parts):
            continue
        tiers = pricer.tiers(key)
        total_qty = sum((a for _, _, a in parts), np.zeros(q.months))
        if tiers is None:
            unit_cost = np.full(q.months, np.nan)
        else:
            # a tiered total is split over its components pro rata to quantity
            total_cost = tiered_costs(total_qty, tiers)
            unit_cost = total_cost / np.where(total_qty > 0, total_qty, 1.0)
        for component, cls, amount in parts:
            cost = np.where(amount > 0, amount * unit_cost, 0.0)
            slot = out.setdefault(cls, {})
            slot[component] = slot.get(component, np.zeros(q.months)) + cost
    return out


# --- result -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class S3LifecycleResult:
    """Monthly costs of the lifecycle policy and of the two baselines.

    ``monthly``: one row per month with ``month`` (1-based), ``<scenario>_usd`` and
    ``<scenario>_cumulative_usd`` for each scenario, and cumulative savings of the policy against
    all-Standard and Intelligent-Tiering. ``breakdown``: long form (scenario, month, storage_class,
    component, usd). A cost that needs a missing price is NaN and the price is listed in
    ``missing``. ``stored``: what the lifecycle rules keep in each class, long form (dataset,
    storage_class, month, gb, objects), GB-months and object-months in that month.
    """

    policy: S3Policy
    monthly: pd.DataFrame
    breakdown: pd.DataFrame
    stored: pd.DataFrame
    prices: tuple[PriceUsed, ...]
    missing: tuple[str, ...]
    notes: tuple[str, ...]

    def totals(self) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for s in SCENARIOS:
            value = float(self.monthly[f"{s}_usd"].sum(skipna=False))
            out[s] = None if np.isnan(value) else value
        return out


def simulate_s3_lifecycle(catalog: Catalog, policy: S3Policy) -> S3LifecycleResult:
    """Run the cohort simulation of ``policy`` against its two baselines."""
    check_region(catalog, policy.region)
    months = policy.months
    notes: list[str] = []
    quantities = {s: _Quantities(months) for s in SCENARIOS}
    stored_labels: list[tuple[str, str]] = []
    stored_gb: list[np.ndarray] = []
    stored_objects: list[np.ndarray] = []
    for ds in policy.datasets:
        shape = _shape(ds, months)
        gb_months = _lifecycle_quantities(ds, shape, quantities["lifecycle"], notes)
        for cls, gb in gb_months.items():
            stored_labels.append((ds.name, cls))
            stored_gb.append(gb)
            stored_objects.append(gb * shape.objects_per_gb)
        reads_k = _read_requests_k(ds, gb_months, shape.objects_per_gb)
        _standard_quantities(ds, shape, quantities["all_standard"], reads_k)
        _intelligent_tiering_quantities(ds, shape, quantities["intelligent_tiering"], reads_k)
    pricer = _Pricer(catalog, policy.region, policy.unit_prices)
    month_index = np.arange(1, months + 1)
    monthly: dict[str, np.ndarray] = {"month": month_index}
    labels: list[tuple[str, str, str]] = []
    series: list[np.ndarray] = []
    for scenario in SCENARIOS:
        costs = _price(quantities[scenario], pricer)
        total = np.zeros(months)
        for cls, components in costs.items():
            for component, usd in components.items():
                total = total + usd
                labels.append((scenario, cls, component))
                series.append(usd)
        monthly[f"{scenario}_usd"] = total
        monthly[f"{scenario}_cumulative_usd"] = np.cumsum(total)
    monthly["savings_vs_standard_cumulative_usd"] = (
        monthly["all_standard_cumulative_usd"] - monthly["lifecycle_cumulative_usd"]
    )
    monthly["savings_vs_intelligent_tiering_cumulative_usd"] = (
        monthly["intelligent_tiering_cumulative_usd"] - monthly["lifecycle_cumulative_usd"]
    )
    breakdown = _long_frame(
        labels, series, months, ("scenario", "storage_class", "component"), "usd"
    )
    prices = tuple(sorted(pricer.used.values(), key=lambda p: (p.storage_class, p.dimension)))
    missing = tuple(f"{p.storage_class}.{p.dimension}" for p in prices if p.price_usd is None)
    if missing:
        notes.append(
            f"not in snapshot for {policy.region}: {', '.join(missing)} — enter them in"
            " unit_prices to complete the comparison"
        )
    stored = _long_frame(stored_labels, stored_gb, months, ("dataset", "storage_class"), "gb")
    stored["objects"] = np.concatenate(stored_objects) if stored_objects else np.zeros(0)
    return S3LifecycleResult(
        policy=policy,
        monthly=pd.DataFrame(monthly),
        breakdown=breakdown,
        stored=stored,
        prices=prices,
        missing=missing,
        notes=tuple(notes),
    )



def _long_frame(
    labels: Sequence[tuple[str, ...]], series: Sequence[np.ndarray], months: int,
    label_columns: Sequence[str], value_column: str,
) -> pd.DataFrame:
    """One long-form frame from per-label monthly arrays, built in one go (no per-label frames)."""
    data: dict[str, Any] = {}
    n = len(labels)
    for i, column in enumerate(label_columns):
        data[column] = np.repeat(np.array([lab[i] for lab in labels], dtype=object), months)
        if column == label_columns[0]:
            data["month"] = np.tile(np.arange(1, months + 1), n)
    data[value_column] = np.concatenate(series) if series else np.zeros(0)
    return pd.DataFrame(data)


# --- export -------------------------------------------------------------------------------------


def monthly_csv(result: S3LifecycleResult) -> str:
    """The month-by-month results as CSV (``MONTHLY_COLUMNS``; a missing price leaves the cell
    empty), as the page's download and ``planner s3-lifecycle --format csv`` write it."""
    from planner.cli.output import frame_records, to_csv

    return to_csv(frame_records(result.monthly[list(MONTHLY_COLUMNS)]), MONTHLY_COLUMNS)


def plan_items(result: S3LifecycleResult) -> list[dict[str, Any]]:
    """The S3 storage the lifecycle rules imply, as plan items (plan-file field names): one per
    dataset and class the data stays in, at the average GB and objects stored over the horizon
    (a plan item bills the same every month). Requests, transitions, reads and early-deletion fees
    are not carried over; objects are given so the plan bills minimum object sizes and Glacier
    per-object overhead as the simulation does. A price override of a class's storage is carried
    over."""
    policy = result.policy
    averages = (
        result.stored.groupby(["dataset", "storage_class"], sort=False)[["gb", "objects"]].sum()
        / policy.months
    )
    items: list[dict[str, Any]] = []
    for key, row in averages.iterrows():
        dataset, cls = (str(part) for part in cast(tuple[str, str], key))
        gb = float(row["gb"])
        if gb <= 0:
            continue
        item: dict[str, Any] = {
            "kind": "s3",
            "name": f"{dataset} · {CLASS_LABELS[cls]}",
            "storage_class": cls,
            "gb_month": gb,
            "object_count": float(row["objects"]),
        }
        override = policy.unit_prices.get(f"{cls}.storage")
        if override is not None:
            item["unit_prices"] = {"storage": override}
        items.append(item)
    return items
