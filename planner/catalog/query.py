"""Look-ups on a loaded :class:`~planner.catalog.loader.Catalog` that return typed records.

Unknown names raise :class:`~planner.errors.UnknownNameError` with the closest valid names. A price
the snapshot lacks is ``None`` here (callers mark it "not in snapshot"), never a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from planner.billing import OfferingClass, PaymentOption, PurchaseOption, SavingsPlanType
from planner.catalog.loader import Catalog
from planner.errors import UnknownNameError


@dataclass(frozen=True, slots=True)
class InstanceSpec:
    """One EC2 instance type (DescribeInstanceTypes + accelerator specs)."""

    instance_type: str
    family: str
    vcpu: int
    memory_gib: float
    accelerator_kind: str
    """``gpu``, ``trainium``, ``inferentia`` or empty for CPU-only types."""
    accelerator: str
    """Chip name as in ``accelerators.csv`` (e.g. ``NVIDIA A100 40GB SXM``), or empty."""
    accelerator_count: int
    accelerator_memory_gib_total: float
    network_gbps: float | None
    """Network bandwidth [Gbit/s]; for "Up to N" types the burst figure N."""
    network_performance: str
    efa_supported: bool
    local_storage_gb: float
    as_of: str
    source: str


@dataclass(frozen=True, slots=True)
class ComputeRate:
    """One compute price row: the fees of a purchase option for one instance type in one region."""

    region: str
    instance_type: str
    purchase_option: PurchaseOption
    term_years: int
    offering_class: str
    payment_option: str
    plan_type: str
    upfront_usd: float
    """One-time fee per instance at the start of the term [USD]."""
    hourly_usd: float
    """Recurring fee per instance-hour [USD/h]."""
    effective_hourly_usd: float
    """(upfront + hourly × term hours) / term hours [USD/h]."""
    as_of: str
    source: str


@dataclass(frozen=True, slots=True)
class SpotAdvice:
    """Spot Instance Advisor figures for one type in one region."""

    savings_pct_vs_on_demand: float
    interruption_bucket: str
    """Monthly interruption frequency bucket: <5%, 5-10%, 10-15%, 15-20%, >20%."""
    interruption_max_pct: float
    as_of: str
    source: str


@dataclass(frozen=True, slots=True)
class StorageRate:
    """One storage price tier: the price per unit for quantity in [tier_begin, tier_end)."""

    region: str
    service: str
    storage_class: str
    dimension: str
    unit: str
    tier_begin: float
    tier_end: float
    price_usd: float
    as_of: str
    source: str


@dataclass(frozen=True, slots=True)
class SageMakerRate:
    """One SageMaker on-demand price: a ``ml.*`` instance type used by one component."""

    region: str
    instance_type: str
    """SageMaker instance type, e.g. ``ml.p3.2xlarge``."""
    component: str
    """``training``, ``hosting``, ``notebook``, ``processing``, ``batch_transform`` or another
    component the source names (see ``planner.catalog.schema.SAGEMAKER_COMPONENTS``)."""
    hourly_usd: float
    """Price per instance-hour [USD/h]."""
    as_of: str
    source: str


def check_region(catalog: Catalog, region: str) -> str:
    if region not in catalog.region_set:
        raise UnknownNameError("region", region, catalog.regions)
    return region


def check_instance_type(catalog: Catalog, instance_type: str) -> str:
    if instance_type not in _spec_records(catalog):
        raise UnknownNameError("instance type", instance_type, catalog.instance_types)
    return instance_type


def instance_spec(catalog: Catalog, instance_type: str) -> InstanceSpec:
    """The spec record of ``instance_type``; raises with suggestions when unknown."""
    check_instance_type(catalog, instance_type)
    return _spec_records(catalog)[instance_type]


def compute_rate(
    catalog: Catalog,
    region: str,
    instance_type: str,
    option: PurchaseOption,
    *,
    term_years: int = 0,
    offering_class: OfferingClass | str = "",
    payment: PaymentOption | str = "",
    plan_type: SavingsPlanType | str = "",
) -> ComputeRate | None:
    """The snapshot's rate for this combination, or ``None`` when the snapshot lacks it.

    A reserved row whose source gives only the effective rate (upfront/hourly split unknown) is
    ``None`` here too: the fees an invoice shows cannot be derived from it.

    Region and instance type are checked first (unknown names raise with suggestions). The
    region's rates are built into records on its first look-up; each later one is a dict look-up.
    """
    check_region(catalog, region)
    check_instance_type(catalog, instance_type)
    key = (
        instance_type,
        str(option),
        float(term_years),
        str(offering_class),
        str(payment),
        str(plan_type),
    )
    return _region_rates(catalog, region).get(key)


def sagemaker_rate(
    catalog: Catalog, region: str, instance_type: str, component: str
) -> SageMakerRate | None:
    """The SageMaker price of ``instance_type`` for ``component`` in ``region``, or ``None`` when
    the snapshot lacks it (no name check: SageMaker types are not in ``instance_specs``)."""
    position = _sagemaker_index(catalog).get((region, instance_type, component))
    if position is None:
        return None
    row = catalog.sagemaker_rates.iloc[position]
    return SageMakerRate(
        region=region,
        instance_type=instance_type,
        component=component,
        hourly_usd=float(row["hourly_usd"]),
        as_of=str(row["as_of"]),
        source=str(row["source"]),
    )


def spot_advice(catalog: Catalog, region: str, instance_type: str) -> SpotAdvice | None:
    """Spot Advisor figures, or ``None`` where the feed has no row (records built per region on
    its first look-up)."""
    return _region_advice(catalog, region).get(instance_type)


def storage_rates(
    catalog: Catalog, region: str, service: str, storage_class: str, dimension: str
) -> tuple[StorageRate, ...]:
    """The price tiers of one storage dimension, lowest tier first; empty when not in snapshot."""
    return _storage_index(catalog).get((region, service, storage_class, dimension), ())


# --- cached indexes (one per catalog object) ---------------------------------------------------


@lru_cache(maxsize=8)
def _spec_records(catalog: Catalog) -> dict[str, InstanceSpec]:
    """Every instance type's spec record (built once per loaded catalog)."""
    frame = catalog.instance_specs
    columns = [frame[c].tolist() for c in (
        "instance_type", "family", "vcpu", "memory_gib", "accelerator_kind", "accelerator",
        "accelerator_count", "accelerator_memory_gib_total", "network_gbps",
        "network_performance", "efa_supported", "local_storage_gb", "as_of", "source",
    )]
    out: dict[str, InstanceSpec] = {}
    for row in zip(*columns, strict=True):
        (itype, family, vcpu, memory, kind, chip, count, chip_memory, network, performance,
         efa, disk, as_of, source) = row
        out[str(itype)] = InstanceSpec(
            instance_type=str(itype),
            family=str(family),
            vcpu=int(vcpu),
            memory_gib=float(memory),
            accelerator_kind=str(kind),
            accelerator=str(chip),
            accelerator_count=int(count),
            accelerator_memory_gib_total=float(chip_memory),
            network_gbps=None if pd.isna(network) else float(network),
            network_performance=str(performance),
            efa_supported=efa == "true",
            local_storage_gb=float(disk),
            as_of=str(as_of),
            source=str(source),
        )
    return out


def _region_columns(frame: pd.DataFrame, region: str, columns: tuple[str, ...]) -> list[list[Any]]:
    """The given columns of ``frame``'s rows in ``region``, as Python lists (one pass each)."""
    rows = np.flatnonzero((frame["region"] == region).to_numpy(dtype=bool))
    return [frame[column].take(rows).tolist() for column in columns]


_RATE_COLUMNS = (
    "instance_type", "purchase_option", "term_years", "offering_class", "payment_option",
    "plan_type", "upfront_usd", "hourly_usd", "effective_hourly_usd", "as_of", "source",
)


@lru_cache(maxsize=128)
def _region_rates(
    catalog: Catalog, region: str
) -> dict[tuple[str, str, float, str, str, str], ComputeRate | None]:
    """Every compute rate of one region as a record, keyed by (instance type, option, term,
    class, payment, plan type); ``None`` where only the effective rate is known."""
    out: dict[tuple[str, str, float, str, str, str], ComputeRate | None] = {}
    for row in zip(*_region_columns(catalog.compute_rates, region, _RATE_COLUMNS), strict=True):
        itype, option, term, cls, payment, plan, upfront, hourly, effective, as_of, source = row
        key = (itype, option, term, cls, payment, plan)
        if math.isnan(upfront) or math.isnan(hourly):
            out[key] = None  # only the effective rate is known: its fees cannot be billed
            continue
        out[key] = ComputeRate(
            region=region, instance_type=itype, purchase_option=PurchaseOption(option),
            term_years=int(term), offering_class=cls, payment_option=payment, plan_type=plan,
            upfront_usd=float(upfront), hourly_usd=float(hourly),
            effective_hourly_usd=float(effective), as_of=str(as_of), source=str(source),
        )
    return out


@lru_cache(maxsize=128)
def _region_advice(catalog: Catalog, region: str) -> dict[str, SpotAdvice]:
    """Every Spot Advisor row of one region as a record, keyed by instance type."""
    columns = ("instance_type", "savings_pct_vs_on_demand", "interruption_bucket",
               "interruption_max_pct", "as_of", "source")
    out: dict[str, SpotAdvice] = {}
    for itype, pct, bucket, max_pct, as_of, source in zip(
        *_region_columns(catalog.spot_advisor, region, columns), strict=True
    ):
        out[itype] = SpotAdvice(
            savings_pct_vs_on_demand=float(pct), interruption_bucket=str(bucket),
            interruption_max_pct=float(max_pct), as_of=str(as_of), source=str(source),
        )
    return out


@lru_cache(maxsize=8)
def _sagemaker_index(catalog: Catalog) -> dict[tuple[str, str, str], int]:
    frame = catalog.sagemaker_rates
    keys = zip(frame["region"], frame["instance_type"], frame["component"], strict=True)
    return {key: i for i, key in enumerate(keys)}


@lru_cache(maxsize=8)
def _storage_index(catalog: Catalog) -> dict[tuple[str, str, str, str], tuple[StorageRate, ...]]:
    """Every storage rate as a record, grouped by (region, service, class, dimension), tiers sorted;
    built once per loaded catalog so pricing many items or months costs a dict look-up each."""
    frame = catalog.storage_rates
    groups: dict[tuple[str, str, str, str], list[StorageRate]] = {}
    for row in zip(
        frame["region"], frame["service"], frame["storage_class"], frame["dimension"],
        frame["unit"], frame["tier_begin"], frame["tier_end"], frame["price_usd"],
        frame["as_of"], frame["source"], strict=True,
    ):
        region, service, cls, dim, unit, begin, end, price, as_of, source = row
        groups.setdefault((region, service, cls, dim), []).append(
            StorageRate(
                region=str(region), service=str(service), storage_class=str(cls),
                dimension=str(dim), unit=str(unit), tier_begin=float(begin),
                tier_end=float(end), price_usd=float(price), as_of=str(as_of), source=str(source),
            )
        )
    return {key: tuple(sorted(rates, key=lambda r: r.tier_begin)) for key, rates in groups.items()}
