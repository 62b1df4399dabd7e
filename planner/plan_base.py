"""Shared pieces of the plan file's records: bounds, the base record, active windows and storage
spans (data kept for part of a month)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from planner.billing import MAX_HOURS_PER_MONTH

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


Month = Annotated[int, Field(ge=1, le=MAX_DURATION_MONTHS)]
"""A month of the plan, 1-based."""


class _Windowed(_Record):
    """An item's active window: the months of the plan it runs in (inclusive)."""

    start_month: Month = 1
    """First month the item runs (1 = the plan's first month)."""
    end_month: Month | None = None
    """Last month the item runs (inclusive); default the plan's last month."""

    @model_validator(mode="after")
    def _window_order(self) -> _Windowed:
        if self.end_month is not None and self.end_month < self.start_month:
            raise ValueError(
                f"end_month: must be ≥ start_month = {self.start_month} "
                f"(and ≤ {MAX_DURATION_MONTHS}), got {self.end_month}"
            )
        return self


HOURS_PER_DAY = 24.0
SECONDS_PER_HOUR = 3600.0
BYTES_PER_GB = 1024.0**3
"""Bytes in a GB as AWS meters storage byte-hours (binary: 1 GB = 2^30 bytes)."""


class StoredSpan(_Record):
    """Data kept for part of a month: a size and how long it was stored.

    Give the size as ``gb`` (binary GB, 2^30 bytes) or ``bytes``, and the time as ``hours``,
    ``days`` (24 h) or ``seconds``. GB-months = GB × hours ÷ the plan's hours per month.
    """

    gb: Gb | None = None
    bytes: Annotated[float, Field(ge=0, le=MAX_GB * BYTES_PER_GB, allow_inf_nan=False)] | None = None
    hours: Annotated[float, Field(gt=0, le=MAX_HOURS_PER_MONTH, allow_inf_nan=False)] | None = None
    days: Annotated[float, Field(gt=0, le=MAX_HOURS_PER_MONTH / 24, allow_inf_nan=False)] | None = None
    seconds: Annotated[
        float, Field(gt=0, le=MAX_HOURS_PER_MONTH * 3600, allow_inf_nan=False)
    ] | None = None

    @model_validator(mode="after")
    def _one_each(self) -> StoredSpan:
        sizes = [f for f in ("gb", "bytes") if getattr(self, f) is not None]
        times = [f for f in ("hours", "days", "seconds") if getattr(self, f) is not None]
        if len(sizes) != 1:
            raise ValueError("give exactly one size: gb (binary GB) or bytes")
        if len(times) != 1:
            raise ValueError("give exactly one duration: hours, days or seconds")
        return self

    @property
    def size_gb(self) -> float:
        """The size in binary GB (bytes ÷ 2^30)."""
        return self.gb if self.gb is not None else float(self.bytes or 0.0) / BYTES_PER_GB

    @property
    def duration_hours(self) -> float:
        if self.hours is not None:
            return self.hours
        if self.days is not None:
            return self.days * HOURS_PER_DAY
        return float(self.seconds or 0.0) / SECONDS_PER_HOUR


Spans = Annotated[list[StoredSpan], Field(min_length=1, max_length=1000)]
