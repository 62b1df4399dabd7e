"""Saved plans in a database: versions, history, diff, estimates (the only SQLAlchemy user).

``open_store()`` connects to ``PLANNER_DB_URL`` (or a SQLite file in the user's data folder),
checks the schema and applies the migrations, and returns a :class:`Store`: ``store.plans``
(:class:`PlanStore`) and ``store.estimates`` (:class:`EstimateStore`). Every failure is a
:class:`~planner.errors.PlannerError` with one line: :class:`StoreUnavailable` (cannot reach or
write it), :class:`StoreSchemaError` (not ours, corrupt or newer; left unchanged),
:class:`VersionConflict` (saved by someone else meanwhile), :class:`NotFoundError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from planner.store.diff import DIFF_COLUMNS, PlanDiff, diff_rows
from planner.store.engine import ENV_URL, default_url, describe_url, make_engine, migrate, store_url
from planner.store.errors import (
    NotFoundError,
    StoreError,
    StoreSchemaError,
    StoreUnavailable,
    VersionConflict,
)
from planner.store.estimates import EstimateStore
from planner.store.plans import PlanStore
from planner.store.records import (
    MAX_ESTIMATE_PLANS,
    MIN_ESTIMATE_PLANS,
    Estimate,
    PlanSummary,
    SavedPlan,
    StoredTotals,
    VersionInfo,
)

if TYPE_CHECKING:
    from planner.catalog.loader import Catalog

__all__ = [
    "DIFF_COLUMNS", "ENV_URL", "MAX_ESTIMATE_PLANS", "MIN_ESTIMATE_PLANS", "Estimate",
    "EstimateStore", "NotFoundError", "PlanDiff", "PlanStore", "PlanSummary", "SavedPlan", "Store",
    "StoreError", "StoreSchemaError", "StoreUnavailable", "StoredTotals", "VersionConflict",
    "VersionInfo", "default_url", "diff_rows", "open_store", "store_url",
]


@dataclass(frozen=True, slots=True)
class Store:
    """One database's plans and estimates."""

    plans: PlanStore
    estimates: EstimateStore
    where: str
    """The database URL, password hidden."""
    revision: str
    """The schema revision in force."""

    def close(self) -> None:
        """Close the pooled connections."""
        self.plans.engine.dispose()


def open_store(url: str | None = None, *, catalog: Catalog | None = None) -> Store:
    """Connect, check and migrate the store at ``url`` (else ``PLANNER_DB_URL``, else the user's
    data folder). ``catalog`` prices the totals kept with each save."""
    resolved = store_url(url)
    where = describe_url(resolved)
    engine = make_engine(resolved)
    try:
        revision = migrate(engine, where)
    except BaseException:
        engine.dispose()
        raise
    plan_store = PlanStore(engine, where=where, catalog=catalog)
    return Store(plan_store, EstimateStore(plan_store), where, revision)
