"""How old each price table of the snapshot is, and which are stale.

Each table has its own date (``manifest.json``: the newest ``as_of`` of its rows). A page shows
the date of every table and warns when a table it uses is older than :data:`STALE_AFTER_DAYS`:
AWS changes prices without notice, and a quarter is long enough for a new generation or a price
cut to appear.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from planner.catalog.loader import Catalog

STALE_AFTER_DAYS = 90
"""A table whose date is more than this many days before today is stale [d]."""

TABLE_LABELS = {
    "compute_rates": "Compute prices",
    "storage_rates": "Storage prices",
    "spot_price_samples": "Spot prices",
    "spot_advisor": "Spot Advisor (savings, interruptions)",
    "instance_specs": "Instance specs",
    "accelerators": "Accelerator specs",
}
"""Table name → what the app calls it."""


@dataclass(frozen=True)
class TableAge:
    name: str
    label: str
    as_of: str
    """The table's date (ISO), or "undated"."""
    age_days: int | None
    """Days from ``as_of`` to today; None when undated."""
    stale: bool
    """Older than :data:`STALE_AFTER_DAYS`, or undated."""


def table_ages(catalog: Catalog, today: date, names: Iterable[str] | None = None) -> list[TableAge]:
    """The age of each table in ``names`` (default: all, in :data:`TABLE_LABELS` order)."""
    wanted = list(names) if names is not None else [n for n in TABLE_LABELS if n in catalog.tables]
    ages = []
    for name in wanted:
        info = catalog.tables[name]
        try:
            age: int | None = (today - date.fromisoformat(info.as_of)).days
        except ValueError:
            age = None
        ages.append(TableAge(
            name=name, label=TABLE_LABELS.get(name, name), as_of=info.as_of, age_days=age,
            stale=age is None or age > STALE_AFTER_DAYS,
        ))
    return ages
