"""Records the plan store hands out: frozen dataclasses, no database types.

Money is in USD, times are timezone-aware UTC datetimes, versions count from 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from planner.plan import Plan

MAX_AUTHOR_CHARS = 80
"""Longest author text kept with a version [characters]; longer text is cut."""
MIN_ESTIMATE_PLANS = 2
MAX_ESTIMATE_PLANS = 5


@dataclass(frozen=True, slots=True)
class StoredTotals:
    """A plan's totals when it was saved (``None`` when it could not be priced then)."""

    upfront_usd: float | None = None
    monthly_usd: float | None = None
    first_year_usd: float | None = None
    duration_total_usd: float | None = None
    on_demand_equivalent_usd: float | None = None
    prices_complete: bool | None = None
    """False when some line had no price in the snapshot (those lines are not in the totals)."""
    snapshot_as_of: str | None = None
    """Date of the price snapshot the totals come from (YYYY-MM-DD)."""


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """One row of the plan list: the searchable columns of a plan's latest version."""

    plan_id: int
    name: str
    region: str
    duration_months: int
    item_count: int
    version: int
    totals: StoredTotals
    created_at: datetime
    updated_at: datetime
    updated_by: str
    deleted: bool


@dataclass(frozen=True, slots=True)
class SavedPlan:
    """A plan as stored: the validated plan of one version, with its metadata."""

    plan_id: int
    version: int
    """The version this record holds."""
    latest_version: int
    """The plan's newest version (equal to ``version`` unless an older one was asked for)."""
    plan: Plan
    author: str
    saved_at: datetime
    created_at: datetime
    totals: StoredTotals
    note: str
    deleted: bool


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One line of a plan's history."""

    plan_id: int
    version: int
    name: str
    author: str
    saved_at: datetime
    note: str
    """What the save did when it was not a plain edit: created, renamed, restored version N…"""
    totals: StoredTotals


@dataclass(frozen=True, slots=True)
class Estimate:
    """A named group of 2-5 saved plans (scenarios A, B, C…), compared side by side."""

    estimate_id: int
    name: str
    plan_ids: tuple[int, ...]
    version: int
    author: str
    created_at: datetime
    updated_at: datetime
