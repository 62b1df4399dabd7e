"""The app with the plan store: autosave, reload by ?plan_id=, version conflicts, the Saved plans
page (search, open, duplicate, rename, delete and undo, estimates and their links), and a store
that cannot be written. Each test has its own SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.estimate import decode_estimate
from planner.store import open_store
from tests.app_fixtures import assert_clean, metrics, open_app, successes
from tests.store_helpers import plan, with_batch

PLANS_PAGE = "pages/plans_export.py"
SAVED_PAGE = "pages/saved_plans.py"


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    monkeypatch.setenv("PLANNER_DB_URL", url)
    return url


def frame_with(at, column: str):
    """The first dataframe on the page that has ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def edit(at, new_plan, page: str = PLANS_PAGE):
    """Change the current plan as a page would, then run a page (which autosaves)."""
    at.session_state["plan_current"] = new_plan
    at.session_state["plan_revision"] = at.session_state["plan_revision"] + 1 if (
        "plan_revision" in at.session_state) else 1
    at.switch_page(page).run()
    assert_clean(at)
    return at


def test_a_changed_plan_is_saved_and_its_link_reopens_it(db_url: str) -> None:
    at = open_app()
    assert "plan_id" not in at.query_params  # the untouched default plan is not saved
    edit(at, plan())
    assert at.query_params["plan_id"] == "1"
    assert metrics(at)["Monthly"] == "$140.16"
    edit(at, with_batch())
    assert at.query_params["plan_id"] == "1"
    store = open_store(db_url)
    assert [v.version for v in store.plans.history(1)] == [2, 1]
    # reload = a new session with the same URL
    again = open_app(PLANS_PAGE, query={"plan_id": "1", "plan": at.query_params["plan"]})
    assert again.session_state["plan_current"] == with_batch()
    assert metrics(again)["Monthly"] == "$157.16"  # $140.16 + 100 h × $0.17
    assert again.session_state["store_plan_version"] == 2
    store.close()


def test_the_share_token_follows_the_plan(db_url: str) -> None:
    from planner.share import decode_plan

    at = edit(open_app(), plan())
    assert decode_plan(at.query_params["plan"]) == plan()
    edit(at, with_batch())
    assert decode_plan(at.query_params["plan"]) == with_batch()


def test_a_stale_tab_sees_the_conflict_and_can_save_as_new_or_reload(db_url: str) -> None:
    store = open_store(db_url)
    store.plans.save(plan(), author="Ann")
    first = open_app(PLANS_PAGE, query={"plan_id": "1"})
    second = open_app(PLANS_PAGE, query={"plan_id": "1"})
    third = open_app(PLANS_PAGE, query={"plan_id": "1"})
    edit(first, with_batch())
    assert store.plans.get(1).version == 2
    edit(second, plan(duration_months=6))
    [warning] = [w.value for w in second.warning]
    assert "'Scenario A' (#1) changed while you edited version 1: version 2 was saved" in warning
    assert store.plans.get(1).plan == with_batch()  # nothing overwritten
    second.button(key="store_save_as_new").click().run()
    assert_clean(second)
    assert successes(second) == ["Saved your plan as a new plan (#2)."]
    assert store.plans.get(2).plan == plan(duration_months=6)
    assert second.query_params["plan_id"] == "2"
    edit(third, plan(duration_months=3))
    third.button(key="store_reload").click().run()
    assert third.session_state["plan_current"] == with_batch()
    assert third.session_state["store_plan_version"] == 2
    assert not third.warning
    store.close()


def test_saved_plans_search_open_duplicate_rename_delete_undo(db_url: str) -> None:
    store = open_store(db_url)
    store.plans.save(plan(), author="Ann")
    store.plans.save(with_batch("Scenario B"), author="Bob")
    at = open_app(SAVED_PAGE)
    assert list(at.dataframe[0].value["name"]) == ["Scenario B", "Scenario A"]
    at.text_input(key="saved_search").input("b").run()
    assert list(at.dataframe[0].value["name"]) == ["Scenario B"]
    at.text_input(key="saved_search").input("").run()
    at.selectbox(key="saved_choice").select(1).run()
    at.button(key="saved_open").click().run()
    assert at.session_state["plan_current"] == plan()
    assert at.session_state["store_plan_id"] == 1
    at.button(key="saved_duplicate").click().run()
    assert successes(at) == ["Saved a copy as 'Scenario A (copy)' (#3)."]
    at.text_input(key="saved_rename:1").input("Scenario A2")
    at.button(key="saved_rename").click().run()
    assert store.plans.get(1).plan.name == "Scenario A2"
    assert at.session_state["plan_current"].name == "Scenario A2"
    at.selectbox(key="saved_choice").select(2).run()
    at.button(key="saved_delete").click().run()
    assert [i.value for i in at.info] == ["Deleted 'Scenario B'."]
    assert [s.plan_id for s in store.plans.list_plans()] == [1, 3]
    at.button(key="saved_undo").click().run()
    assert sorted(s.plan_id for s in store.plans.list_plans()) == [1, 2, 3]
    store.close()


def test_history_restore_and_diff_on_the_page(db_url: str) -> None:
    store = open_store(db_url)
    store.plans.save(plan(), author="Ann")
    store.plans.save(with_batch(), author="Bob", plan_id=1, expected_version=1)
    at = open_app(SAVED_PAGE)
    history = frame_with(at, "saved")
    assert list(history["version"]) == [2, 1] and list(history["by"]) == ["Bob", "Ann"]
    diff = frame_with(at, "change")
    assert list(diff[diff["change"] == "added"]["item"]) == ["batch"]
    at.selectbox(key="saved_restore:1").select(1).run()
    at.button(key="saved_restore_button").click().run()
    assert successes(at) == ["Restored version 1 as version 3."]
    assert store.plans.get(1).plan == plan()
    store.close()


def test_an_estimate_groups_plans_and_its_links_reopen_it(db_url: str) -> None:
    store = open_store(db_url)
    store.plans.save(plan(), author="Ann")
    store.plans.save(with_batch("Scenario B"), author="Bob")
    at = open_app(SAVED_PAGE)
    at.text_input(key="saved_estimate_name").input("Q3 options")
    at.multiselect(key="saved_estimate_plans").select(1).select(2)
    at.button(key="saved_estimate_save").click().run()
    assert_clean(at)
    assert successes(at) == ["Saved the estimate 'Q3 options' (#1)."]
    assert at.query_params["estimate_id"] == "1"
    table = frame_with(at, "first_year_usd")
    assert list(table["plan"]) == ["Scenario A", "Scenario B"]
    assert list(table["monthly_usd"].round(2)) == [140.16, 157.16]
    links = [c.value for c in at.code]
    assert links[0] == "http://localhost:8501/saved_plans?estimate_id=1"
    name, plans = decode_estimate(links[1].split("?estimate=")[1])
    assert name == "Q3 options" and plans == [plan(), with_batch("Scenario B")]
    # the stored link in a new session; the self-contained one needs no store
    again = open_app(SAVED_PAGE, query={"estimate_id": "1"})
    assert list(frame_with(again, "first_year_usd")["plan"]) == [
        "Scenario A", "Scenario B"]
    shared = open_app(SAVED_PAGE, query={"estimate": links[1].split("?estimate=")[1]})
    assert next(s.value for s in shared.subheader) == "Shared estimate: Q3 options"
    assert list(frame_with(shared, "first_year_usd")["monthly_usd"].round(2)) == [
        140.16, 157.16]
    store.close()


def test_a_read_only_store_keeps_the_app_usable_and_the_edits(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plans.db"
    store = open_store(f"sqlite:///{path}")
    store.plans.save(plan(), author="Ann")
    store.close()
    monkeypatch.setenv("PLANNER_DB_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    at = open_app(PLANS_PAGE, query={"plan_id": "1"})
    assert at.session_state["plan_current"] == plan()
    edit(at, with_batch())
    assert "is read-only; nothing was changed. Your edits are kept in this browser tab." in (
        at.session_state["store_notice"])
    assert metrics(at)["Monthly"] == "$157.16"
    assert at.session_state["plan_current"] == with_batch()


def test_a_store_that_is_down_leaves_the_app_working(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_DB_URL", f"postgresql+psycopg://x@/x?host={tmp_path}&port=5998")
    at = edit(open_app(), plan())
    assert metrics(at)["Monthly"] == "$140.16"
    at.switch_page(SAVED_PAGE).run()
    assert_clean(at)
    [warning] = [w.value for w in at.warning]
    assert warning.startswith("Plans cannot be saved: plan store postgresql+psycopg://x@/x?host=")
    assert "cannot be reached or written" in warning
