"""The plan file (schema version 1): records, validation, load and save.

A plan is named line items (compute and storage) with a region, a duration in months and the hours in
a billing month. Field names and meanings follow the design's version-1 example; additions are
optional with defaults. Every bound below is the allowed range a bad file's error message quotes.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

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
from planner.plan_base import (
    BYTES_PER_GB,
    MAX_COUNT,
    MAX_DURATION_MONTHS,
    MAX_GB,
    MAX_REQUESTS,
    PLAN_SCHEMA_VERSION,
    DimensionName,
    Gb,
    Month,
    Price,
    Requests,
    Spans,
    StoredSpan,
    UnitPrices,
    UsageHours,
    _Record,
    _Windowed,
)
from planner.plan_kinds import (
    JOB_COMPONENTS,
    DataTransferItem,
    SageMakerComponent,
    SageMakerItem,
    SavingsPlanCommitment,
    TransferService,
    TransferType,
)
from planner.printable import echo
from planner.validation import validate_document

__all__ = [
    "BYTES_PER_GB", "JOB_COMPONENTS", "MAX_COUNT", "MAX_DURATION_MONTHS", "MAX_GB", "MAX_REQUESTS",
    "PLAN_SCHEMA_VERSION", "DataTransferItem", "Gb", "Month", "Price", "Requests",
    "SageMakerComponent", "SageMakerItem", "SavingsPlanCommitment", "StoredSpan", "TransferService",
    "TransferType", "UnitPrices", "UsageHours",
]


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



class ComputeItem(_Windowed):
    kind: Literal["compute"] = "compute"
    name: Annotated[str, Field(min_length=1, max_length=80)]
    instance_type: Annotated[str, Field(min_length=1, max_length=40)]
    count: Annotated[int, Field(ge=1, le=MAX_COUNT)] = 1
    usage_hours_per_month: UsageHours | None = None
    """Hours each instance runs per month [h]; default: the plan's hours_per_month."""
    total_hours: Annotated[
        float, Field(gt=0, le=MAX_DURATION_MONTHS * MAX_HOURS_PER_MONTH, allow_inf_nan=False)
    ] | None = None
    """A one-off job instead of monthly usage: hours each instance runs in all [h], from
    ``start_month`` at the plan's hours per month until used up; billed once."""
    purchase: Purchase = Purchase()
    unit_prices: dict[
        Literal[
            "hourly_usd", "upfront_usd", "on_demand_hourly_usd", "compute_sp_hourly_usd",
            "ec2_instance_sp_hourly_usd",
        ],
        Price,
    ] = Field(default_factory=dict, max_length=5)
    """Overrides: the option's hourly rate, the RI upfront fee, the on-demand rate used for usage
    beyond a savings plan and for the on-demand comparison, and the rates under the plan's
    Compute / EC2 Instance savings plans (``savings_plans``) [USD]."""

    @model_validator(mode="after")
    def _one_usage(self) -> ComputeItem:
        if self.total_hours is not None and self.usage_hours_per_month is not None:
            raise ValueError(
                "total_hours: give either total_hours (a one-off job) or usage_hours_per_month "
                "(monthly usage), not both"
            )
        return self

    @property
    def is_job(self) -> bool:
        """True for a one-off job (``total_hours``), billed once in the months it runs."""
        return self.total_hours is not None



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


class S3Item(_Windowed):
    kind: Literal["s3"] = "s3"
    name: Annotated[str, Field(min_length=1, max_length=80)]
    storage_class: S3StorageClass = S3StorageClass.STANDARD
    gb_month: Gb = 0.0
    """Average data stored over the month [GB-month]."""
    stored: Spans | None = None
    """Instead of ``gb_month``: data kept for part of the month, one span per size and duration
    (byte-hours in binary GB ÷ the plan's hours per month)."""
    upload_gb: Gb = 0.0
    """Express One Zone: data uploaded per month [GB] (billed per GB of PUT data)."""
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
    unit_prices: UnitPrices = Field(default_factory=dict)


class EbsVolumeType(StrEnum):
    GP2 = "gp2"
    GP3 = "gp3"
    IO1 = "io1"
    IO2 = "io2"
    ST1 = "st1"
    SC1 = "sc1"
    STANDARD = "standard"


class EbsItem(_Windowed):
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
    stored: Spans | None = None
    """Instead of ``gb`` and ``usage_hours_per_month``: the volume's size over the month, one span
    per size and how long it had it (prorated by the second)."""
    snapshot_gb: Gb = 0.0
    """Snapshot data in the standard tier [GB-month] (incremental: changed blocks only)."""
    snapshot_archive_gb: Gb = 0.0
    """Snapshot data in the archive tier [GB-month] (full snapshots)."""
    snapshot_archive_days: Annotated[float, Field(gt=0, le=36500, allow_inf_nan=False)] | None = None
    """Days archived snapshots stay before deletion or permanent restore; below the 90-day
    minimum the remaining days are billed (early deletion)."""
    snapshot_restore_gb: Gb = 0.0
    """Archived snapshot data restored per month [GB] (archive retrieval, billed per GB)."""
    fast_snapshot_restore_dsu_hours: Annotated[
        float, Field(ge=0, le=1e7, allow_inf_nan=False)
    ] = 0.0
    """Fast Snapshot Restore enabled [DSU-hours per month] (per snapshot and Availability Zone)."""
    unit_prices: UnitPrices = Field(default_factory=dict)


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


class EfsItem(_Windowed):
    kind: Literal["efs"] = "efs"
    name: Annotated[str, Field(min_length=1, max_length=80)]
    storage_class: EfsStorageClass = EfsStorageClass.STANDARD
    gb_month: Gb = 0.0
    stored: Spans | None = None
    """Instead of ``gb_month``: data kept for part of the month (GB × hours ÷ hours per month)."""
    throughput_mode: EfsThroughputMode = EfsThroughputMode.ELASTIC
    provisioned_mibps: Annotated[float, Field(ge=0, le=100000, allow_inf_nan=False)] = 0.0
    read_gb: Gb = 0.0
    write_gb: Gb = 0.0
    unit_prices: UnitPrices = Field(default_factory=dict)


Item = Annotated[
    ComputeItem | S3Item | EbsItem | EfsItem | DataTransferItem | SageMakerItem,
    Field(discriminator="kind"),
]
ITEM_KINDS: dict[str, type[BaseModel]] = {
    "compute": ComputeItem, "s3": S3Item, "ebs": EbsItem, "efs": EfsItem,
    "data_transfer": DataTransferItem, "sagemaker": SageMakerItem,
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
    items: list[Item] = Field(default_factory=list, max_length=500)
    savings_plans: list[SavingsPlanCommitment] = Field(default_factory=list, max_length=50)
    """Savings plans bought for the plan as a whole, stacked as AWS applies them."""

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        names = [item.name for item in self.items] + [c.name for c in self.savings_plans]
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
            _check_window(i, item, self.duration_months, self.hours_per_month)
            _check_spans(i, item, self.hours_per_month)
        for i, commitment in enumerate(self.savings_plans):
            for field in ("start_month", "end_month"):
                month = getattr(commitment, field)
                if month is not None and month > self.duration_months:
                    raise ValueError(
                        f"savings_plans[{i}].{field}: must be in [1, duration_months = "
                        f"{self.duration_months}], got {month}"
                    )
        return self


def _check_spans(index: int, item: object, hours_per_month: float) -> None:
    """Spans fit in the month; ``stored`` replaces the single-figure fields."""
    spans = getattr(item, "stored", None)
    if spans is None:
        return
    for j, span in enumerate(spans):
        if span.duration_hours > hours_per_month + 1e-9:
            raise ValueError(
                f"items[{index}].stored[{j}]: {span.duration_hours:g} h is longer than the "
                f"month (hours_per_month = {hours_per_month:g})"
            )
    if isinstance(item, EbsItem):
        total = sum(span.duration_hours for span in spans)
        if total > hours_per_month + 1e-9:
            raise ValueError(
                f"items[{index}].stored: a volume's spans add up to {total:g} h, more than "
                f"hours_per_month = {hours_per_month:g}"
            )
        if item.usage_hours_per_month is not None:
            raise ValueError(
                f"items[{index}].stored: give either stored spans or usage_hours_per_month"
            )
    elif getattr(item, "gb_month", 0.0):
        raise ValueError(f"items[{index}].stored: give either stored spans or gb_month, not both")


def _check_window(index: int, item: _Windowed, duration: int, hours_per_month: float) -> None:
    """The item's window lies within the plan, and a job's hours fit in it."""
    for field in ("start_month", "end_month"):
        month = getattr(item, field)
        if month is not None and month > duration:
            raise ValueError(
                f"items[{index}].{field}: must be in [1, duration_months = {duration}], "
                f"got {month}"
            )
    total = getattr(item, "total_hours", None)
    if total is not None:
        last = item.end_month or duration
        needed = math.ceil(total / hours_per_month - 1e-9)
        if item.start_month + needed - 1 > last:
            raise ValueError(
                f"items[{index}].total_hours: {total:g} h at {hours_per_month:g} h a month needs "
                f"{needed} month(s) from start_month {item.start_month}, past month {last} "
                f"(allowed: at most {(last - item.start_month + 1) * hours_per_month:g} h)"
            )


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
