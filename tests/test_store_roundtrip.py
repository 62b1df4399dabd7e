"""Property: any valid plan saved to the store (SQLite and PostgreSQL) loads back identical,
with the same totals as pricing it directly."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.catalog import load_catalog
from planner.plan import plan_from_dict
from planner.store import open_store

INSTANCE_TYPES = ["m5.large", "m5.2xlarge", "c5.xlarge", "c5.4xlarge", "r5.large", "p3.2xlarge"]
compute_items = st.builds(
    lambda t, count, hours, spot: {
        "kind": "compute", "instance_type": t, "count": count, "usage_hours_per_month": hours,
        "purchase": {"option": "spot", "savings_pct": spot} if spot is not None else {},
    },
    st.sampled_from(INSTANCE_TYPES), st.integers(1, 50),
    st.floats(1, 730, allow_nan=False).map(lambda h: round(h, 2)),
    st.none() | st.floats(0, 90).map(lambda p: round(p, 1)),
)
s3_items = st.builds(
    lambda gb, gets: {"kind": "s3", "gb_month": gb, "get_requests": gets},
    st.floats(0, 1e6).map(lambda g: round(g, 3)), st.integers(0, 10**9),
)
plans_strategy = st.builds(
    lambda name, months, items: plan_from_dict({
        "name": name, "region": "us-east-1", "duration_months": months,
        "items": [{**item, "name": f"item-{i}"} for i, item in enumerate(items)],
    }),
    # any name a plan file can hold: no NUL, no lone surrogate (not a valid string, refused
    # with a clear error by plan_from_dict itself)
    st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
            min_size=1, max_size=40)
    .filter(lambda s: s.strip()),
    st.integers(1, 60), st.lists(compute_items | s3_items, min_size=0, max_size=6),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(random_plan=plans_strategy)
def test_save_then_load_gives_identical_plans_and_totals(db_url: str, random_plan) -> None:
    store = _store_for(db_url)
    saved = store.plans.save(random_plan, author="property")
    loaded = store.plans.get(saved.plan_id)
    assert loaded.plan == random_plan
    assert loaded.totals == saved.totals == store.plans.totals(random_plan)
    assert loaded.totals.duration_total_usd is not None


_STORES: dict[str, Any] = {}


def _store_for(url: str) -> Any:
    if url not in _STORES:
        _STORES[url] = open_store(url, catalog=_catalog())
    return _STORES[url]


@pytest.fixture(scope="module", autouse=True)
def _close_stores() -> Any:
    yield
    for store in _STORES.values():
        store.close()
    _STORES.clear()


_CATALOG: list[Any] = []


def _catalog() -> Any:
    if not _CATALOG:
        _CATALOG.append(load_catalog())
    return _CATALOG[0]


def test_a_name_with_a_lone_surrogate_is_refused_naming_the_field() -> None:
    from planner.errors import PlannerError

    with pytest.raises(PlannerError, match="name"):
        plan_from_dict({"name": "budget \ud800", "region": "us-east-1", "items": []})
