"""The lifecycle profile: the usage to cover and the purchase strategies to compare (a
validated JSON document), with its bounds and defaults.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from planner.billing import (
    HOURS_PER_MONTH_DEFAULT,
    OfferingClass,
    PaymentOption,
    SavingsPlanType,
)
from planner.jsonfile import read_json_file
from planner.spot import (
    SpotAssumptions,
)
from planner.validation import validate_document

MAX_HORIZON_MONTHS = 60
MAX_COUNT = 100_000.0
MAX_STRATEGIES = 12
BILLING_HOURS = HOURS_PER_MONTH_DEFAULT
"""Hours a reservation or commitment is paid for each month [h] (730, AWS Pricing Calculator)."""

DISCOUNT_NEEDS_ON_DEMAND = "discount needs an on-demand rate"
"""Why a rate typed as a discount is missing when the on-demand rate is."""

ON_DEMAND = "all on-demand"
"""Name of the baseline strategy, added when the profile does not name one."""

_DEFAULT_SPOT = SpotAssumptions()


# --- input --------------------------------------------------------------------------------------


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Price = Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]
Count = Annotated[float, Field(ge=0, le=MAX_COUNT, allow_inf_nan=False)]
Discount = Annotated[float, Field(ge=0, lt=100, allow_inf_nan=False)]


class AtTermEnd(StrEnum):
    RENEW = "renew"
    LAPSE = "lapse"


class Usage(_Record):
    """The capacity to buy: instances of one type over a horizon."""

    instance_type: Annotated[str, Field(min_length=1, max_length=64)]
    region: Annotated[str, Field(min_length=1, max_length=40)] = "us-east-1"
    count: Count = 1.0
    """Instances in month 1."""
    monthly_growth_pct: Annotated[float, Field(ge=-50, le=100, allow_inf_nan=False)] = 0.0
    """Compound growth of the count per month [%]."""
    monthly_counts: Annotated[list[Count], Field(max_length=MAX_HORIZON_MONTHS)] | None = None
    """Instances per month, one per month of the horizon (replaces count and growth)."""
    usage_hours_per_month: Annotated[
        float, Field(gt=0, le=BILLING_HOURS, allow_inf_nan=False)
    ] = BILLING_HOURS
    """Hours each instance runs per month [h], at most the 730-h billing month the timeline uses."""
    horizon_months: Annotated[int, Field(ge=1, le=MAX_HORIZON_MONTHS)] = 36
    on_demand_usd_per_hour: Price | None = None
    """Override of the on-demand rate [USD/h]."""

    @model_validator(mode="after")
    def _counts_cover_horizon(self) -> Usage:
        if self.monthly_counts is not None and len(self.monthly_counts) != self.horizon_months:
            raise ValueError(
                f"monthly_counts has {len(self.monthly_counts)} figures; give one per month of"
                f" the horizon ({self.horizon_months})"
            )
        return self

    def counts(self) -> np.ndarray:
        if self.monthly_counts is not None:
            return np.asarray(self.monthly_counts, dtype=float)
        growth = 1.0 + self.monthly_growth_pct / 100.0
        return self.count * growth ** np.arange(self.horizon_months)


class ReservedPart(_Record):
    """Reserved Instances for a baseline count."""

    count: Count
    term_years: Literal[1, 3] = 1
    offering_class: OfferingClass = OfferingClass.STANDARD
    payment: PaymentOption = PaymentOption.ALL_UPFRONT
    at_term_end: AtTermEnd = AtTermEnd.RENEW
    upfront_usd: Price | None = None
    """Override: upfront fee per instance per term [USD] (with ``hourly_usd``)."""
    hourly_usd: Price | None = None
    """Override: hourly fee per instance [USD/h] (with ``upfront_usd``)."""
    discount_pct: Discount | None = None
    """Override: effective discount against on-demand [%]."""

    @model_validator(mode="after")
    def _one_override(self) -> ReservedPart:
        fees = (self.upfront_usd is not None) or (self.hourly_usd is not None)
        if fees and self.discount_pct is not None:
            raise ValueError("give upfront_usd/hourly_usd or discount_pct, not both")
        return self


class SavingsPlanPart(_Record):
    """A Savings Plan commitment covering a baseline."""

    commitment_usd_per_hour: Price | None = None
    baseline_count: Count | None = None
    """Instead of a commitment: the instances it should cover (commitment = count × plan rate)."""
    term_years: Literal[1, 3] = 1
    plan_type: SavingsPlanType = SavingsPlanType.COMPUTE
    payment: PaymentOption = PaymentOption.NO_UPFRONT
    at_term_end: AtTermEnd = AtTermEnd.RENEW
    plan_usd_per_hour: Price | None = None
    """Override: the plan rate per instance-hour [USD/h]."""
    discount_pct: Discount | None = None
    """Override: the plan's discount against on-demand [%]."""

    @model_validator(mode="after")
    def _size_given(self) -> SavingsPlanPart:
        if (self.commitment_usd_per_hour is None) == (self.baseline_count is None):
            raise ValueError("give exactly one of commitment_usd_per_hour or baseline_count")
        if self.plan_usd_per_hour is not None and self.discount_pct is not None:
            raise ValueError("give plan_usd_per_hour or discount_pct, not both")
        return self


class SpotPart(_Record):
    """Spot for a share of the usage the reservations leave."""

    share_pct: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
    spot_usd_per_hour: Price | None = None
    """Override of the spot rate [USD/h]."""
    discount_pct: Discount | None = None
    """Override: spot discount against on-demand [%]."""
    interruption_bucket: Literal["<5%", "5-10%", "10-15%", "15-20%", ">20%"] | None = None
    """Override of the Spot Advisor bucket."""
    instances_per_job: Annotated[int, Field(ge=1, le=10_000)] = 1
    """Instances that must all run for a job to progress (one reclaimed stops the job)."""
    checkpoint_write_hours: Annotated[float, Field(gt=0, le=100)] = (
        _DEFAULT_SPOT.checkpoint_write_hours
    )
    restart_hours: Annotated[float, Field(ge=0, le=100)] = _DEFAULT_SPOT.restart_hours
    workload: Literal["job", "service"] = "job"
    """``job``: training/batch work that checkpoints and restarts (runtime stretched by
    interruptions); ``service``: a node group serving traffic, whose reclaimed instances are
    replaced — no checkpoint/restart overhead, instance-hours unchanged."""

    @model_validator(mode="after")
    def _one_override(self) -> SpotPart:
        if self.spot_usd_per_hour is not None and self.discount_pct is not None:
            raise ValueError("give spot_usd_per_hour or discount_pct, not both")
        return self


class Strategy(_Record):
    name: str = Field(min_length=1, max_length=80)
    reserved: ReservedPart | None = None
    savings_plan: SavingsPlanPart | None = None
    spot: SpotPart | None = None


class LifecycleProfile(_Record):
    """A usage profile and the strategies to compare on it."""

    name: str = Field(default="Lifecycle", max_length=200)
    usage: Usage
    strategies: Annotated[list[Strategy], Field(min_length=1, max_length=MAX_STRATEGIES)]

    @model_validator(mode="after")
    def _unique_names(self) -> LifecycleProfile:
        names = [s.name for s in self.strategies]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"strategy names must be unique: {', '.join(duplicates)} repeated")
        return self


def profile_from_dict(data: Any, *, source: str = "profile") -> LifecycleProfile:
    """Validate a decoded profile; raises :class:`PlanFileError` naming the field and its range."""
    return validate_document(LifecycleProfile, data, source=source, what="profile")


def load_profile(path: Path | str) -> LifecycleProfile:
    data = read_json_file(path, what="profile")
    return profile_from_dict(data, source=str(path))
