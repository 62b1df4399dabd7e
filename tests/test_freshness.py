"""Snapshot table ages and the 90-day staleness rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from planner.catalog.freshness import STALE_AFTER_DAYS, table_ages
from tests.catalog_fixtures import make_catalog, on_demand, spec_row


def _catalog(**dates: str):
    catalog = make_catalog(instance_specs=[spec_row("m5.xlarge", 4, 16)],
                           compute_rates=[on_demand("us-east-1", "m5.xlarge", 0.192)])
    for name, as_of in dates.items():
        catalog.tables[name] = replace(catalog.tables[name], as_of=as_of)
    return catalog


def test_each_table_has_its_own_age() -> None:
    catalog = _catalog(compute_rates="2026-09-03", storage_rates="2026-09-02")
    ages = {a.name: a for a in table_ages(catalog, date(2026, 12, 2))}
    # 2026-09-03 → 2026-12-02: 27 (rest of Sep) + 31 (Oct) + 30 (Nov) + 2 = 90 days: not stale
    assert ages["compute_rates"].age_days == STALE_AFTER_DAYS == 90
    assert not ages["compute_rates"].stale
    # one day older: 91 days, stale
    assert ages["storage_rates"].age_days == 91 and ages["storage_rates"].stale
    assert ages["compute_rates"].label == "Compute prices"


def test_undated_table_is_stale_and_names_filter() -> None:
    catalog = _catalog(compute_rates="undated")
    (age,) = table_ages(catalog, date(2026, 12, 2), names=["compute_rates"])
    assert age.age_days is None and age.stale
