"""The S3 policy: datasets (ingest, object size, reads) and the lifecycle rules to compare (a
validated JSON document), with its bounds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from planner.billing import HOURS_PER_MONTH_DEFAULT
from planner.jsonfile import read_json_file
from planner.plan import RetrievalTier
from planner.validation import validate_document

DAYS_PER_MONTH = HOURS_PER_MONTH_DEFAULT / 24.0
"""Days in a billing month [d]: 730 h / 24 = 30.4167 (AWS Pricing Calculator month)."""

LIFECYCLE_MIN_TRANSITION_KB = 128.0
"""Objects smaller than this are not transitioned by default (S3 User Guide, Sept 2024) [KB]."""

IA_MIN_RULE_DAYS = 30
"""Lifecycle constraint: objects must be ≥ 30 days old to move to Standard-IA or One Zone-IA."""

IT_INFREQUENT_AFTER_DAYS = 30.0
"""Intelligent-Tiering: not accessed for 30 consecutive days → Infrequent Access tier [d]."""

IT_ARCHIVE_INSTANT_AFTER_DAYS = 90.0
"""Intelligent-Tiering: not accessed for 90 consecutive days → Archive Instant Access tier [d]."""

MAX_MONTHS = 120
MAX_GB = 1e12
MAX_UNIT_PRICES = 200
"""Most price overrides a policy may carry (7 classes × about 20 priced dimensions)."""

LIFECYCLE_CLASSES: tuple[str, ...] = (
    "standard", "standard_ia", "onezone_ia", "glacier_ir", "glacier_flexible", "deep_archive",
)
"""The waterfall order in which lifecycle rules may move objects."""

SCENARIOS = ("lifecycle", "all_standard", "intelligent_tiering")

MONTHLY_COLUMNS = (
    "month", "lifecycle_usd", "all_standard_usd", "intelligent_tiering_usd",
    "lifecycle_cumulative_usd", "all_standard_cumulative_usd",
    "intelligent_tiering_cumulative_usd", "savings_vs_standard_cumulative_usd",
    "savings_vs_intelligent_tiering_cumulative_usd",
)
"""Columns of the month-by-month results (CSV export and ``planner s3-lifecycle``)."""

CLASS_LABELS = {
    "standard": "S3 Standard",
    "standard_ia": "S3 Standard-IA",
    "onezone_ia": "S3 One Zone-IA",
    "glacier_ir": "S3 Glacier Instant Retrieval",
    "glacier_flexible": "S3 Glacier Flexible Retrieval",
    "deep_archive": "S3 Glacier Deep Archive",
}
"""The storage classes as AWS names them (the Glacier classes are three different ones)."""

PRICED_DIMENSIONS = frozenset({
    "storage", "requests_put", "requests_get", "transition_requests", "retrieval_gb",
    *(f"retrieval_{kind}_{tier}" for kind in ("gb", "requests")
      for tier in ("standard", "bulk", "expedited")),
    "monitoring", "infrequent_storage", "archive_instant_storage",
})
"""Snapshot dimensions the simulation prices (the names ``unit_prices`` keys may use)."""


# --- input --------------------------------------------------------------------------------------


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Days = Annotated[int, Field(ge=0, le=36_500)]
Pct = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Gb = Annotated[float, Field(ge=0, le=MAX_GB, allow_inf_nan=False)]
Objects = Annotated[float, Field(ge=0, le=1e15, allow_inf_nan=False)]


class LifecycleRules(_Record):
    """Days after creation at which objects move to each class, and when they expire (retention)."""

    standard_ia_days: Annotated[int, Field(ge=IA_MIN_RULE_DAYS, le=36_500)] | None = None
    onezone_ia_days: Annotated[int, Field(ge=IA_MIN_RULE_DAYS, le=36_500)] | None = None
    glacier_ir_days: Days | None = None
    glacier_flexible_days: Days | None = None
    deep_archive_days: Days | None = None
    expire_days: Annotated[int, Field(ge=1, le=36_500)] | None = None
    """Retention: days after creation at which objects are deleted (None = kept)."""

    @model_validator(mode="after")
    def _ordered(self) -> LifecycleRules:
        previous: tuple[str, int] | None = None
        for cls in LIFECYCLE_CLASSES[1:]:
            days = getattr(self, f"{cls}_days")
            if days is None:
                continue
            if previous is not None and days <= previous[1]:
                raise ValueError(
                    f"{cls}_days ({days}) must be greater than {previous[0]}_days ({previous[1]}):"
                    " classes follow the order " + " → ".join(LIFECYCLE_CLASSES)
                )
            previous = (cls, days)
        expire = self.expire_days
        if expire is not None and previous is not None and expire <= previous[1]:
            raise ValueError(
                f"expire_days ({self.expire_days}) must be greater than {previous[0]}_days"
                f" ({previous[1]})"
            )
        return self

    def intervals(self) -> list[tuple[str, float, float]]:
        """(class, first day, end day) of the residence in each class the rules use."""
        starts = [("standard", 0.0)]
        for cls in LIFECYCLE_CLASSES[1:]:
            days = getattr(self, f"{cls}_days")
            if days is not None:
                starts.append((cls, float(days)))
        end = float(self.expire_days) if self.expire_days is not None else np.inf
        out = []
        for i, (cls, start) in enumerate(starts):
            stop = starts[i + 1][1] if i + 1 < len(starts) else end
            out.append((cls, start, stop))
        return out


class Dataset(_Record):
    """One stream of data under one set of lifecycle rules."""

    name: str = Field(default="data", min_length=1, max_length=80)
    monthly_ingest_gb: Gb | Annotated[list[Gb], Field(max_length=MAX_MONTHS)]
    """GB written per month: one figure for every month, or one per month of the horizon."""
    initial_gb: Gb = 0.0
    """GB already stored on day one: ages from day 0 like the first month's ingest (same object
    size), no PUT requests (written before the horizon)."""
    objects_per_month: Objects | Annotated[list[Objects], Field(max_length=MAX_MONTHS)] | None = None
    average_object_kb: Annotated[float, Field(gt=0, le=5e9, allow_inf_nan=False)] | None = None
    """Give either the objects written per month (one figure or one per month) or the average
    object size [KB]; from a count, the average size is Σ GB / Σ objects over the horizon."""
    rules: LifecycleRules = LifecycleRules()
    read_pct_per_month: dict[Literal[
        "standard", "standard_ia", "onezone_ia", "glacier_ir", "glacier_flexible", "deep_archive"
    ], Pct] = Field(default_factory=dict)
    """Share of the data stored in each class that is read each month [%]."""
    glacier_retrieval: RetrievalTier = RetrievalTier.STANDARD
    transition_small_objects: bool = False

    @model_validator(mode="after")
    def _size_given(self) -> Dataset:
        if (self.objects_per_month is None) == (self.average_object_kb is None):
            raise ValueError("give exactly one of objects_per_month or average_object_kb")
        if self.glacier_retrieval is RetrievalTier.EXPEDITED and (
            self.rules.deep_archive_days is not None
            and self.read_pct_per_month.get("deep_archive", 0) > 0
        ):
            raise ValueError("glacier_retrieval: Deep Archive has no expedited retrieval")
        return self


class S3Policy(_Record):
    """An S3 lifecycle what-if: datasets with rules, over a horizon, in one region."""

    name: str = Field(default="S3 lifecycle", max_length=200)
    region: Annotated[str, Field(min_length=1, max_length=40)] = "us-east-1"
    months: Annotated[int, Field(ge=1, le=MAX_MONTHS)] = 36
    datasets: Annotated[list[Dataset], Field(min_length=1, max_length=100)]
    unit_prices: Annotated[
        dict[Annotated[str, Field(min_length=1, max_length=80)],
             Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]],
        Field(max_length=MAX_UNIT_PRICES),
    ] = Field(default_factory=dict)
    """Overrides by ``class.dimension`` (``standard_ia.storage``), USD per the snapshot unit."""

    @model_validator(mode="after")
    def _lengths(self) -> S3Policy:
        for i, ds in enumerate(self.datasets):
            for name in ("monthly_ingest_gb", "objects_per_month"):
                values = getattr(ds, name)
                if isinstance(values, list) and len(values) != self.months:
                    raise ValueError(
                        f"datasets[{i}].{name} has {len(values)} figures; give one per month"
                        f" ({self.months}) or a single number"
                    )
            objects = ds.objects_per_month
            total_objects = (
                sum(objects) if isinstance(objects, list) else (objects or 0) * self.months
            )
            if ds.average_object_kb is None and total_objects <= 0:
                raise ValueError(f"datasets[{i}].objects_per_month must add up to more than 0")
        for key in self.unit_prices:
            cls, _, dim = key.partition(".")
            if cls not in (*LIFECYCLE_CLASSES, "intelligent_tiering"):
                raise ValueError(
                    f"unit_prices key {key!r} must be CLASS.DIMENSION, CLASS one of"
                    f" {', '.join((*LIFECYCLE_CLASSES, 'intelligent_tiering'))}"
                )
            if dim not in PRICED_DIMENSIONS:
                raise ValueError(
                    f"unit_prices key {key!r}: DIMENSION must be one of"
                    f" {', '.join(sorted(PRICED_DIMENSIONS))}"
                )
        return self


def policy_from_dict(data: Any, *, source: str = "policy") -> S3Policy:
    """Validate a decoded policy; raises :class:`PlanFileError` naming the field and its range."""
    return validate_document(S3Policy, data, source=source, what="policy")


def load_policy(path: Path | str) -> S3Policy:
    return policy_from_dict(read_json_file(path, what="policy"), source=str(path))
