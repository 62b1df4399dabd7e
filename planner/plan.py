"""The plan file (schema version 1): records, validation, load and save.

A plan is named line items (compute and storage) with a region, a duration in months and the hours in
a billing month. Field names and meanings follow the design's version-1 example; additions are
optional with defaults. Every bound below is the allowed range a bad file's error message quotes.
"""

from __future__ import annotations

import json
import os
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from planner.billing import (
    HOURS_PER_MONTH_DEFAULT,
    MAX_HOURS_PER_MONTH,
    MIN_HOURS_PER_MONTH,
    OfferingClass,
    PaymentOption,
    PurchaseOption,
    SavingsPlanType,
)
from planner.errors import PlanFileError
from planner.jsonfile import decode_json, read_json_file
from planner.printable import echo
from planner.validation import validate_document

PLAN_SCHEMA_VERSION = 1
MAX_COUNT = 100_000
"""Largest instance/volume count an item may ask for (a sanity bound, not an AWS quota)."""
MAX_GB = 1e12
"""Largest storage quantity an item may ask for [GB] (one zettabyte; a sanity bound)."""
MAX_REQUESTS = 1e15
"""Largest request or object count per month an item may ask for (a sanity bound)."""
MAX_DURATION_MONTHS = 120


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


Price = Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)]
Gb = Annotated[float, Field(ge=0, le=MAX_GB, allow_inf_nan=False)]
Requests = Annotated[float, Field(ge=0, le=MAX_REQUESTS, allow_inf_nan=False)]
MAX_UNIT_PRICES = 50
"""Most price overrides an item may carry (a sanity bound; an item has fewer dimensions)."""
DimensionName = Annotated[str, Field(min_length=1, max_length=64)]
UnitPrices = Annotated[dict[DimensionName, Price], Field(max_length=MAX_UNIT_PRICES)]
"""Price overrides by dimension name [USD per the snapshot's unit]."""
UsageHours = Annotated[float, Field(gt=0, le=MAX_HOURS_PER_MONTH, allow_inf_nan=False)]
"""Hours an item runs in a month [h]; at most the plan's hours_per_month (checked on the plan)."""


class Purchase(_Record):
    """How an item's instances are bought."""

    option: PurchaseOption = PurchaseOption.ON_DEMAND
    term_years: Literal[1, 3] | None = None
    offering_class: OfferingClass = OfferingClass.STANDARD
    payment: PaymentOption | None = None
    """Reserved: default all_upfront; savings plans: default no_upfront."""
    plan_type: SavingsPlanType = SavingsPlanType.COMPUTE
    commitment_usd_per_hour: Price | None = None
    """Savings plans: the hourly commitment [USD/h]; default covers the item's count exactly."""
    savings_pct: Annotated[float, Field(ge=0, lt=100, allow_inf_nan=False)] | None = None
    """Spot: discount vs on-demand [%], instead of the snapshot's average spot price."""

    @model_validator(mode="after")
    def _term_needed(self) -> Purchase:
        needs_term = self.option in (PurchaseOption.RESERVED, PurchaseOption.SAVINGS_PLAN)
        if needs_term and self.term_years is None:
            raise ValueError(f"term_years is required for {self.option.value} (1 or 3)")
        if not needs_term and self.term_years is not None:
            raise ValueError(f"term_years applies only to reserved and savings_plan, not {self.option.value}")
        return self

    @property
    def payment_option(self) -> PaymentOption:
        if self.payment is not None:
            return self.payment
        if self.option is PurchaseOption.SAVINGS_PLAN:
            return PaymentOption.NO_UPFRONT
        return PaymentOption.ALL_UPFRONT


class ComputeItem(_Record):
    kind: Literal["compute"] = "compute"
    name: Annotated[str, Field(min_length=1, max_length=80)]
    instance_type: Annotated[str, Field(min_length=1, max_length=40)]
    count: Annotated[int, Field(ge=1, le=MAX_COUNT)] = 1
    usage_hours_per_month: UsageHours | None = None
    """Hours each instance runs per month [h]; default: the plan's hours_per_month."""
    purchase: Purchase = Purchase()
    unit_prices: Annotated[
        dict[Literal["hourly_usd", "upfront_usd", "on_demand_hourly_usd"], Price], Field(max_length=3)
    ] = {}
    """Overrides: the option's hourly rate, the RI upfront fee, and the on-demand rate used for
    usage beyond a savings plan and for the on-demand comparison [USD]."""


class S3StorageClass(StrEnum):
    STANDARD = "standard"
    INTELLIGENT_TIERING = "intelligent_tiering"
    STANDARD_IA = "standard_ia"
    ONEZONE_IA = "onezone_ia"
    GLACIER_IR = "glacier_ir"
    GLACIER_FLEXIBLE = "glacier_flexible"
    DEEP_ARCHIVE = "deep_archive"
    EXPRESS_ONEZONE = "express_onezone"


class RetrievalTier(StrEnum):
    EXPEDITED = "expedited"
    STANDARD = "standard"
    BULK = "bulk"


class S3Item(_Record):
    kind: Literal["s3"] = "s3"
    name: Annotated[str, Field(min_length=1, max_length=80)]
    storage_class: S3StorageClass = S3StorageClass.STANDARD
    gb_month: Gb = 0.0
    """Average data stored over the month [GB-month]."""
    object_count: Requests | None = None
    """Objects stored; enables minimum object size, Glacier overhead and monitoring charges."""
    put_requests: Requests = 0.0
    get_requests: Requests = 0.0
    transition_requests: Requests = 0.0
    """Lifecycle transitions into this class per month."""
    retrieval_gb: Gb = 0.0
    retrieval_requests: Requests = 0.0
    """Glacier restore requests per month."""
    retrieval_tier: RetrievalTier = RetrievalTier.STANDARD
    storage_days: Annotated[float, Field(gt=0, le=36500, allow_inf_nan=False)] | None = None
    """Days objects stay before deletion; below the class minimum the rest is still billed."""
    access_tier_fractions: Annotated[
        dict[DimensionName, Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]],
        Field(max_length=5),
    ] | None = None
    """Intelligent-Tiering: share of data per access tier (frequent, infrequent, archive_instant,
    archive, deep_archive); default all frequent."""
    unit_prices: UnitPrices = {}


class EbsVolumeType(StrEnum):
    GP2 = "gp2"
    GP3 = "gp3"
    IO1 = "io1"
    IO2 = "io2"
    ST1 = "st1"
    SC1 = "sc1"
    STANDARD = "standard"


class EbsItem(_Record):
    kind: Literal["ebs"] = "ebs"
    name: Annotated[str, Field(min_length=1, max_length=80)]
    volume_type: EbsVolumeType = EbsVolumeType.GP3
    gb: Annotated[float, Field(ge=1, le=65536, allow_inf_nan=False)] = 100.0
    """Provisioned size per volume [GiB, billed as GB-month]."""
    iops: Annotated[float, Field(ge=0, le=256000, allow_inf_nan=False)] | None = None
    throughput_mibps: Annotated[float, Field(ge=0, le=2000, allow_inf_nan=False)] | None = None
    count: Annotated[int, Field(ge=1, le=MAX_COUNT)] = 1
    usage_hours_per_month: UsageHours | None = None
    """Hours the volume exists per month [h] (EBS bills per second); default the whole month."""
    snapshot_gb: Gb = 0.0
    snapshot_archive_gb: Gb = 0.0
    unit_prices: UnitPrices = {}


class EfsStorageClass(StrEnum):
    STANDARD = "standard"
    INFREQUENT_ACCESS = "infrequent_access"
    ARCHIVE = "archive"
    ONE_ZONE = "one_zone"
    ONE_ZONE_IA = "one_zone_ia"


class EfsThroughputMode(StrEnum):
    ELASTIC = "elastic"
    BURSTING = "bursting"
    PROVISIONED = "provisioned"


class EfsItem(_Record):
    kind: Literal["efs"] = "efs"
    name: Annotated[str, Field(min_length=1, max_length=80)]
    storage_class: EfsStorageClass = EfsStorageClass.STANDARD
    gb_month: Gb = 0.0
    throughput_mode: EfsThroughputMode = EfsThroughputMode.ELASTIC
    provisioned_mibps: Annotated[float, Field(ge=0, le=100000, allow_inf_nan=False)] = 0.0
    read_gb: Gb = 0.0
    write_gb: Gb = 0.0
    unit_prices: UnitPrices = {}


Item = Annotated[ComputeItem | S3Item | EbsItem | EfsItem, Field(discriminator="kind")]
ITEM_KINDS: dict[str, type[BaseModel]] = {
    "compute": ComputeItem, "s3": S3Item, "ebs": EbsItem, "efs": EfsItem,
}


class Plan(_Record):
    """A named plan: items, region, duration and billing hours per month."""

    schema_version: Literal[1] = 1
    name: Annotated[str, Field(min_length=1, max_length=120)]
    region: Annotated[str, Field(min_length=1, max_length=40)] = "us-east-1"
    duration_months: Annotated[int, Field(ge=1, le=MAX_DURATION_MONTHS)] = 12
    hours_per_month: Annotated[
        float, Field(ge=MIN_HOURS_PER_MONTH, le=MAX_HOURS_PER_MONTH, allow_inf_nan=False)
    ] = HOURS_PER_MONTH_DEFAULT
    """Billing hours in a month [h]: 730 by AWS convention; 672 (28 days) to 744 (31 days)."""
    items: Annotated[list[Item], Field(max_length=500)] = []

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        names = [item.name for item in self.items]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"item names must be unique; repeated: {', '.join(duplicates)}")
        for i, item in enumerate(self.items):
            hours = getattr(item, "usage_hours_per_month", None)
            if hours is not None and hours > self.hours_per_month:
                raise ValueError(
                    f"items[{i}].usage_hours_per_month: {hours:g} exceeds hours_per_month "
                    f"{self.hours_per_month:g}"
                )
        return self


def item_hours(hours: float, hours_per_month: float) -> float | None:
    """An item's ``usage_hours_per_month`` for a form value: ``None`` when it runs the plan's whole
    month, so the item follows a later change of the plan's hours per month."""
    return None if float(hours) == float(hours_per_month) else float(hours)


# --- reading and writing ----------------------------------------------------------------------


def plan_from_dict(data: Any, *, source: str = "plan") -> Plan:
    """Validate a decoded plan; raises :class:`PlanFileError` naming the field and its range."""
    version = data.get("schema_version", PLAN_SCHEMA_VERSION) if isinstance(data, dict) else 1
    if version != PLAN_SCHEMA_VERSION:
        raise PlanFileError(
            f"{source}: schema_version {echo(version)} is not supported (this planner reads 1)"
        )
    return validate_document(Plan, data, source=source, what="plan", tags=ITEM_KINDS)


def plan_from_json(text: str | bytes, *, source: str = "plan") -> Plan:
    return plan_from_dict(decode_json(text, source=source), source=source)


def load_plan(path: Path | str) -> Plan:
    return plan_from_dict(read_json_file(path, what="plan"), source=str(path))


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    return plan.model_dump(mode="json", exclude_defaults=False)


def plan_to_json(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), indent=2) + "\n"


def save_plan(plan: Plan, path: Path | str) -> None:
    """Write atomically: a temporary file in the same folder, then a rename."""
    path = Path(path)
    text = plan_to_json(plan)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
