"""The plan store against real databases: every test runs on SQLite (a temporary file) and on a
real PostgreSQL server (see ``db_url`` in conftest). No mocks: each test opens a fresh database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from planner.catalog import load_catalog
from planner.errors import InputError
from planner.store import (
    NotFoundError,
    Store,
    VersionConflict,
    diff_rows,
    open_store,
)
from tests.store_helpers import (
    BASE_MONTHLY_USD,
    BASE_TOTAL_USD,
    PLUS_BATCH_MONTHLY_USD,
    PLUS_BATCH_TOTAL_USD,
    plan,
    with_batch,
)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def store(db_url: str, catalog) -> Iterator[Store]:
    opened = open_store(db_url, catalog=catalog)
    yield opened
    opened.close()


def test_save_and_load_keep_the_plan_and_its_totals(store: Store) -> None:
    saved = store.plans.save(plan(), author="Ann")
    assert (saved.plan_id, saved.version, saved.author) == (1, 1, "Ann")
    loaded = store.plans.get(saved.plan_id)
    assert loaded.plan == plan()
    assert loaded.totals.monthly_usd == pytest.approx(BASE_MONTHLY_USD)
    assert loaded.totals.duration_total_usd == pytest.approx(BASE_TOTAL_USD)
    assert loaded.totals.prices_complete is True
    assert loaded.totals.snapshot_as_of == load_catalog().as_of  # the snapshot it was priced on
    assert loaded.saved_at.tzinfo is not None
    [row] = store.plans.list_plans()
    assert (row.name, row.region, row.duration_months, row.item_count) == ("Scenario A",
                                                                           "us-east-1", 12, 1)
    assert row.totals.monthly_usd == pytest.approx(BASE_MONTHLY_USD)


def test_every_save_is_a_version_with_its_author_and_history(store: Store) -> None:
    first = store.plans.save(plan(), author="Ann")
    second = store.plans.save(with_batch(), author="Bob", plan_id=first.plan_id,
                              expected_version=1)
    third = store.plans.save(with_batch().model_copy(update={"name": "Scenario A2"}),
                             author="  Cy  ", plan_id=first.plan_id, expected_version=2)
    assert (second.version, third.version) == (2, 3)
    history = store.plans.history(first.plan_id)
    assert [(v.version, v.author, v.name) for v in history] == [
        (3, "Cy", "Scenario A2"), (2, "Bob", "Scenario A"), (1, "Ann", "Scenario A")]
    assert history[0].totals.monthly_usd == pytest.approx(PLUS_BATCH_MONTHLY_USD)
    assert history[2].totals.monthly_usd == pytest.approx(BASE_MONTHLY_USD)
    old = store.plans.get(first.plan_id, version=1)
    assert old.plan == plan() and old.latest_version == 3 and old.author == "Ann"
    with pytest.raises(NotFoundError, match="has no version 7 \\(versions 1 to 3\\)"):
        store.plans.get(first.plan_id, version=7)


def test_restore_saves_the_old_version_as_the_newest(store: Store) -> None:
    first = store.plans.save(plan(), author="Ann")
    store.plans.save(with_batch(), plan_id=first.plan_id, expected_version=1)
    restored = store.plans.restore(first.plan_id, 1, author="Dee", expected_version=2)
    assert restored.version == 3 and restored.plan == plan()
    assert store.plans.get(first.plan_id).totals.duration_total_usd == pytest.approx(BASE_TOTAL_USD)
    assert store.plans.history(first.plan_id)[0].note == "restored version 1"


def test_diff_names_items_added_removed_changed_and_the_totals(store: Store) -> None:
    first = store.plans.save(with_batch())
    changed = plan(region="us-east-1", duration_months=6, items=[
        {"kind": "compute", "name": "web", "instance_type": "m5.large", "count": 3},
        {"kind": "s3", "name": "data", "gb_month": 1000},
    ])
    store.plans.save(changed, plan_id=first.plan_id, expected_version=1)
    diff = store.plans.diff(first.plan_id, 1, 2)
    assert [(f.field, f.before, f.after) for f in diff.settings] == [("duration_months", 12, 6)]
    summary = [(c.name, c.change, [(f.field, f.before, f.after) for f in c.fields])
               for c in diff.items]
    assert summary == [("batch", "removed", []), ("web", "changed", [("count", 2, 3)]),
                       ("data", "added", [])]
    assert diff.totals_before.monthly_usd == pytest.approx(PLUS_BATCH_MONTHLY_USD)
    # after: 3 × 730 × $0.096 = $210.24 plus 1,000 GB × $0.023 = $23.00
    assert diff.totals_after.monthly_usd == pytest.approx(233.24)
    totals = {r["field"]: (r["before"], r["after"]) for r in diff_rows(diff) if r["change"] == "total"}
    assert totals["duration_total_usd"] == pytest.approx((PLUS_BATCH_TOTAL_USD, 6 * 233.24))


def test_a_stale_save_is_a_conflict_and_writes_nothing(store: Store) -> None:
    first = store.plans.save(plan(), author="Ann")
    store.plans.save(with_batch(), author="Bob", plan_id=first.plan_id, expected_version=1)
    with pytest.raises(VersionConflict) as caught:
        store.plans.save(plan(duration_months=3), author="Cy", plan_id=first.plan_id,
                         expected_version=1)
    conflict = caught.value
    assert (conflict.expected_version, conflict.current_version, conflict.saved_by) == (1, 2, "Bob")
    message = str(conflict)
    assert "version 2 was saved by Bob" in message and "save yours as a new plan" in message
    assert "\n" not in message
    assert len(store.plans.history(first.plan_id)) == 2
    assert store.plans.get(first.plan_id).plan == with_batch()


def test_names_are_data_never_sql(store: Store) -> None:
    nasty = ["Robert'); DROP TABLE plans;--", "100% off_peak", 'quote " and \\ backslash', "ünïcode ✓"]
    ids = [store.plans.save(plan(name=name)).plan_id for name in nasty]
    assert [store.plans.get(i).plan.name for i in ids] == nasty
    assert [s.name for s in store.plans.list_plans("%")] == ["100% off_peak"]
    assert [s.name for s in store.plans.list_plans("_")] == ["100% off_peak"]
    assert [s.name for s in store.plans.list_plans("DROP table")] == [nasty[0]]
    assert store.plans.find(nasty[0]).plan_id == ids[0]
    assert len(store.plans.list_plans()) == 4


def test_a_nul_character_is_refused_naming_the_field(store: Store) -> None:
    bad = with_batch().model_copy(update={"name": "A\x00B"})
    with pytest.raises(InputError, match=r"^name: text may not contain the NUL character"):
        store.plans.save(bad)
    items = [*plan().items, plan().items[0].model_copy(update={"name": "x\x00"})]
    with pytest.raises(InputError, match=r"^items\[1\]\.name: text may not contain"):
        store.plans.save(plan().model_copy(update={"items": items}))
    assert store.plans.list_plans() == []


def test_find_by_id_or_name_and_ambiguous_names(store: Store) -> None:
    a = store.plans.save(plan(name="Budget"))
    b = store.plans.save(plan(name="Budget"))
    store.plans.save(plan(name="2"))
    assert store.plans.find(f"#{a.plan_id}").plan_id == a.plan_id
    with pytest.raises(NotFoundError, match=f"2 saved plans are named 'Budget' \\(#{a.plan_id}, "
                                            f"#{b.plan_id}\\): give the id instead"):
        store.plans.find("Budget")
    with pytest.raises(NotFoundError, match="no saved plan named 'Nope'"):
        store.plans.find("Nope")
    with pytest.raises(NotFoundError, match="no saved plan #99"):
        store.plans.find("#99")


def test_rename_duplicate_delete_and_undo(store: Store) -> None:
    first = store.plans.save(plan(), author="Ann")
    renamed = store.plans.rename(first.plan_id, "Scenario B", author="Bob", expected_version=1)
    assert renamed.version == 2 and renamed.plan.name == "Scenario B"
    assert store.plans.history(first.plan_id)[0].note == "renamed from Scenario A"
    with pytest.raises(InputError, match="plan name: must be 1 to 120 characters \\(got 0\\)"):
        store.plans.rename(first.plan_id, "   ")
    copy = store.plans.duplicate(first.plan_id, author="Cy")
    assert copy.plan_id != first.plan_id and copy.version == 1
    assert copy.plan.name == "Scenario B (copy)" and copy.plan.items == plan().items
    store.plans.delete(first.plan_id)
    assert [s.plan_id for s in store.plans.list_plans()] == [copy.plan_id]
    assert {s.plan_id for s in store.plans.list_plans(include_deleted=True)} == {
        first.plan_id, copy.plan_id}
    with pytest.raises(NotFoundError, match="was deleted; save yours as a new plan"):
        store.plans.save(plan(), plan_id=first.plan_id, expected_version=2)
    store.plans.undelete(first.plan_id)
    assert store.plans.get(first.plan_id).version == 2
    assert len(store.plans.list_plans()) == 2


def test_estimates_group_two_to_five_plans(store: Store) -> None:
    ids = [store.plans.save(plan(name=f"S{i}")).plan_id for i in range(6)]
    estimate = store.estimates.create("Q3 options", ids[:2], author="Ann")
    assert (estimate.name, estimate.plan_ids, estimate.version) == ("Q3 options", tuple(ids[:2]), 1)
    assert [p.plan.name for p in store.estimates.saved_plans(estimate)] == ["S0", "S1"]
    with pytest.raises(InputError, match="estimate plans: an estimate groups 2 to 5 different "
                                         "plans \\(got 1\\)"):
        store.estimates.create("Too few", [ids[0], ids[0]])
    with pytest.raises(InputError, match="\\(got 6\\)"):
        store.estimates.create("Too many", ids)
    with pytest.raises(NotFoundError, match="no saved plan #999"):
        store.estimates.create("Ghost", [ids[0], 999])
    updated = store.estimates.update(estimate.estimate_id, plan_ids=[ids[2], ids[0], ids[1]],
                                     author="Bob", expected_version=1)
    assert updated.plan_ids == (ids[2], ids[0], ids[1]) and updated.version == 2
    with pytest.raises(VersionConflict, match="estimate 'Q3 options'.*version 2 was saved by Bob"):
        store.estimates.update(estimate.estimate_id, name="Mine", expected_version=1)
    assert store.estimates.find("Q3 options").estimate_id == estimate.estimate_id
    assert [e.name for e in store.estimates.list_estimates("q3")] == ["Q3 options"]
    store.estimates.delete(estimate.estimate_id)
    assert store.estimates.list_estimates() == []
    with pytest.raises(NotFoundError, match=f"no saved estimate #{estimate.estimate_id}"):
        store.estimates.get(estimate.estimate_id)


def test_reopening_keeps_everything_and_does_not_migrate_again(db_url: str, catalog) -> None:
    first = open_store(db_url, catalog=catalog)
    saved = first.plans.save(plan(), author="Ann")
    first.close()
    again = open_store(db_url)
    assert again.revision == "0001_plans"
    assert again.plans.get(saved.plan_id).plan == plan()
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [
            "0001_plans"]
    engine.dispose()
    again.close()
