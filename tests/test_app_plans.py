"""Plans & export page: totals, editing, CSV/JSON downloads, load, compare, share link."""

from __future__ import annotations

import csv
import io
import json

import pytest

from planner.plan import plan_from_dict, plan_to_json
from planner.share import decode_plan
from tests.app_fixtures import assert_clean, errors, metrics, open_app, successes

PAGE = "pages/plans_export.py"


def key(at, name: str) -> str:
    """Key of a plans-page widget showing the plan: ``plans_<name>@<plan revision>``
    (as ``ui.state.revision_key`` makes it; a new plan gets fresh widgets)."""
    revision = at.session_state.get("plan_revision", 0)
    return f"plans_{name}@{revision}"


def edit_key(at, field: str, item: str = "trainer") -> str:
    """Key of an item-edit widget: per item and plan revision."""
    return key(at, f"edit_{field}:{item}")


RESERVED_PLAN = {
    "name": "Fine-tune Q1", "region": "us-east-1", "duration_months": 12,
    "items": [{
        "kind": "compute", "name": "trainer", "instance_type": "p4d.24xlarge", "count": 2,
        "usage_hours_per_month": 200,
        "purchase": {"option": "reserved", "term_years": 1, "offering_class": "standard",
                     "payment": "all_upfront"},
    }],
}


def with_plan(data: dict) -> object:
    at = open_app()
    at.session_state["plan_current"] = plan_from_dict(data)
    at.switch_page(PAGE).run()
    assert_clean(at)
    return at


def test_empty_plan_renders_with_a_hint():
    at = open_app(PAGE)
    assert any("no items yet" in i.value for i in at.info)
    assert metrics(at)["Monthly"] == "$0.00"


def test_reserved_plan_totals():
    at = with_plan(RESERVED_PLAN)
    m = metrics(at)
    # 2 reservations × $113,819 upfront (1y Standard All Upfront), hourly fee $0
    assert m["Upfront"] == "$227,638.00"
    assert m["Monthly"] == "$0.00"
    assert m["First 12 months"] == "$227,638.00"
    # all on-demand: 2 × 200 h × $21.957642 × 12 months = $105,396.68 → savings −$122,241.32
    assert m["Saved vs on-demand"] == "-$122,241.32"
    formulas = " ".join(md.value for md in at.markdown)
    assert "trainer · upfront_usd" in formulas


def test_edit_item_in_place_changes_the_totals():
    at = with_plan(RESERVED_PLAN)
    at.selectbox(key=edit_key(at, "option")).set_value("on_demand")
    at.number_input(key=edit_key(at, "hours")).set_value(730.0)
    at.number_input(key=edit_key(at, "count")).set_value(1)
    at.button(key="plans_edit_apply").click().run()
    assert_clean(at)
    m = metrics(at)
    # 1 × 730 h × $21.957642 = $16,029.08 per month; × 12 = $192,348.94
    assert m["Monthly"] == "$16,029.08"
    assert m["Total over 12 months"] == "$192,348.94"
    assert m["Saved vs on-demand"] == "$0.00"


def test_price_override_is_used_and_marked():
    at = with_plan(RESERVED_PLAN)
    at.selectbox(key=edit_key(at, "option")).set_value("savings_plan_compute_1y_no_upfront")
    at.button(key="plans_edit_apply").click().run()
    # the snapshot has no savings-plan rates: totals are incomplete and say what is missing
    assert any("not in the snapshot" in w.value for w in at.warning)
    assert "sets the hourly commitment" in at.number_input(key=edit_key(at, "override")).label
    at.number_input(key=edit_key(at, "override")).set_value(15.0)
    at.button(key="plans_edit_apply").click().run()
    assert_clean(at)
    lines = at.dataframe[0].value
    assert "override" in set(lines["source"])


def test_csv_and_json_downloads(served):
    at = with_plan(RESERVED_PLAN)
    buttons = {b.key: b for b in at.get("download_button")}
    assert {"plans_csv", "plans_cost_json", "plans_plan_json"} <= set(buttons)
    # what the page serves: the bytes behind each download button
    assert plan_from_dict(json.loads(served[buttons["plans_plan_json"].proto.url])) == (
        plan_from_dict(RESERVED_PLAN)
    )
    text = served[buttons["plans_csv"].proto.url].decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    totals = {r["dimension"]: r for r in rows if r["item"] == "TOTAL"}
    assert float(totals["upfront_usd"]["quantity"]) == pytest.approx(227638.0)
    assert [r["item"] for r in rows if r["item"] not in ("TOTAL", "MONTH")] == ["trainer", "trainer"]


def test_share_link_round_trips():
    at = with_plan(RESERVED_PLAN)
    link = next(c.value for c in at.code if "?plan=" in c.value)
    assert link.startswith("http://localhost:8501/plans_export?plan=")
    assert decode_plan(link.split("?plan=", 1)[1]) == plan_from_dict(RESERVED_PLAN)


def test_load_plan_json_and_bad_file():
    at = open_app(PAGE)
    plan = plan_from_dict(RESERVED_PLAN)
    at.file_uploader(key="plans_upload").upload("q1.plan.json", plan_to_json(plan).encode(),
                                                "application/json")
    at.run()
    assert_clean(at)
    assert any("Loaded plan 'Fine-tune Q1'" in s for s in successes(at))
    assert metrics(at)["Upfront"] == "$227,638.00"
    bad = json.loads(plan_to_json(plan))
    bad["items"][0]["count"] = 0
    at.file_uploader(key="plans_upload").upload("bad.json", json.dumps(bad).encode(),
                                                "application/json")
    at.run()
    assert_clean(at)
    assert any("items[0].count" in e for e in errors(at)), errors(at)


def test_compare_two_plans():
    at = with_plan(RESERVED_PLAN)
    at.button(key="plans_keep").click().run()
    at.text_input(key=key(at, "name")).set_value("All on-demand")
    at.button(key="plans_apply_settings").click().run()
    at.selectbox(key=edit_key(at, "option")).set_value("on_demand")
    at.button(key="plans_edit_apply").click().run()
    assert_clean(at)
    compared = next(d.value for d in at.dataframe if "plan" in d.value.columns)
    compared = compared.set_index("plan")
    assert compared.loc["Fine-tune Q1", "upfront_usd"] == pytest.approx(227638.0)
    # on-demand: 2 × 200 h × $21.957642 = $8,783.06 per month
    assert compared.loc["All on-demand", "monthly_usd"] == pytest.approx(8783.0568)


def test_bad_settings_are_an_error():
    at = with_plan({**RESERVED_PLAN, "items": [{**RESERVED_PLAN["items"][0],
                                                "usage_hours_per_month": 730}]})
    at.number_input(key=key(at, "hours_per_month")).set_value(700.0)
    at.button(key="plans_apply_settings").click().run()
    assert_clean(at)
    assert any("exceeds hours_per_month" in e for e in errors(at)), errors(at)


TWO_ITEMS = {
    "name": "Two trainers", "region": "us-east-1", "duration_months": 12,
    "items": [
        {"kind": "compute", "name": "a", "instance_type": "p4d.24xlarge", "count": 1,
         "usage_hours_per_month": 100, "purchase": {"option": "on_demand"}},
        {"kind": "compute", "name": "b", "instance_type": "p4d.24xlarge", "count": 3,
         "usage_hours_per_month": 200, "purchase": {"option": "on_demand"}},
    ],
}


def test_edit_form_shows_the_chosen_item_and_changes_only_it():
    at = with_plan(TWO_ITEMS)
    assert at.number_input(key=edit_key(at, "count", "a")).value == 1
    at.selectbox(key="plans_edit_item").set_value("b").run()
    assert at.number_input(key=edit_key(at, "count", "b")).value == 3
    assert at.number_input(key=edit_key(at, "hours", "b")).value == 200.0
    at.number_input(key=edit_key(at, "count", "b")).set_value(4)
    at.button(key="plans_edit_apply").click().run()
    assert_clean(at)
    a, b = at.session_state["plan_current"].items
    assert (a.name, a.count, a.usage_hours_per_month) == ("a", 1, 100.0)
    assert (b.name, b.count, b.usage_hours_per_month) == ("b", 4, 200.0)
    # on-demand $21.957642/h: a 1 × 100 h = $2,195.7642; b 4 × 200 h = $17,566.1136
    # → $19,761.8778 per month
    assert metrics(at)["Monthly"] == "$19,761.88"


def test_settings_form_follows_a_loaded_plan():
    at = open_app(PAGE)
    assert at.text_input(key=key(at, "name")).value == "My plan"
    at.file_uploader(key="plans_upload").upload(
        "q1.plan.json", plan_to_json(plan_from_dict(RESERVED_PLAN)).encode(), "application/json"
    )
    at.run()
    assert at.text_input(key=key(at, "name")).value == "Fine-tune Q1"
    at.button(key="plans_apply_settings").click().run()  # applying keeps the loaded plan's name
    assert at.session_state["plan_current"] == plan_from_dict(RESERVED_PLAN)
    # a plan loaded while the page shows another: the form shows the loaded plan's settings
    other = plan_from_dict({**RESERVED_PLAN, "name": "Other budget", "duration_months": 6})
    at.file_uploader(key="plans_upload").upload("other.plan.json", plan_to_json(other).encode(),
                                                "application/json")
    at.run()
    assert_clean(at)
    assert at.text_input(key=key(at, "name")).value == "Other budget"
    assert at.number_input(key=key(at, "duration")).value == 6
    at.button(key="plans_apply_settings").click().run()
    assert at.session_state["plan_current"] == other


def test_editing_keeps_other_price_overrides():
    item = {**RESERVED_PLAN["items"][0], "unit_prices": {"upfront_usd": 100000.0}}
    at = with_plan({**RESERVED_PLAN, "items": [item]})
    # 2 reservations × $100,000 typed upfront
    assert metrics(at)["Upfront"] == "$200,000.00"
    at.number_input(key=edit_key(at, "count")).set_value(3)
    at.number_input(key=edit_key(at, "override")).set_value(0.5)
    at.button(key="plans_edit_apply").click().run()
    assert_clean(at)
    assert at.session_state["plan_current"].items[0].unit_prices == {
        "upfront_usd": 100000.0, "hourly_usd": 0.5,
    }
    m = metrics(at)
    # 3 × $100,000 = $300,000 (the snapshot's $113,819 would give $341,457)
    assert m["Upfront"] == "$300,000.00"
    # a reservation bills every hour of the month: 3 × 730 h × $0.50 typed = $1,095.00
    assert m["Monthly"] == "$1,095.00"
    at.number_input(key=edit_key(at, "override")).set_value(0.0)
    at.button(key="plans_edit_apply").click().run()
    assert at.session_state["plan_current"].items[0].unit_prices == {"upfront_usd": 100000.0}


def test_edited_item_follows_the_plan_hours():
    on_demand = {"kind": "compute", "name": "trainer", "instance_type": "p4d.24xlarge",
                 "count": 2, "purchase": {"option": "on_demand"}}
    at = with_plan({**RESERVED_PLAN, "items": [on_demand]})
    assert at.number_input(key=edit_key(at, "hours")).max == 730.0  # the plan's hours
    at.number_input(key=edit_key(at, "count")).set_value(1)
    at.button(key="plans_edit_apply").click().run()
    assert at.session_state["plan_current"].items[0].usage_hours_per_month is None
    at.number_input(key=key(at, "hours_per_month")).set_value(700.0)
    at.button(key="plans_apply_settings").click().run()
    assert_clean(at)
    assert not errors(at)
    # 1 × 700 h × $21.957642 = $15,370.3494
    assert metrics(at)["Monthly"] == "$15,370.35"
    assert at.number_input(key=edit_key(at, "hours")).max == 700.0


def test_a_job_moved_to_month_13_leaves_the_first_year_empty() -> None:
    # 2 × 100 h on-demand p4d, moved from month 1 to month 13 of a 24-month plan: the first 12
    # months then cost nothing and the whole job falls in month 13.
    at = with_plan({
        "name": "Job", "region": "us-east-1", "duration_months": 24,
        "items": [{"kind": "compute", "name": "trainer", "instance_type": "p4d.24xlarge",
                   "count": 2, "total_hours": 100}],
    })
    before = metrics(at)
    assert before["First 12 months"] == before["Total over 24 months"] != "$0.00"
    assert before["Monthly"] == "$0.00"  # a job does not recur
    at.number_input(key=edit_key(at, "start")).set_value(13)
    at.button(key="plans_edit_apply").click().run()
    assert_clean(at)
    assert not errors(at)
    item = at.session_state["plan_current"].items[0]
    assert item.start_month == 13 and item.total_hours == 100
    after = metrics(at)
    assert after["First 12 months"] == "$0.00"
    assert after["Total over 24 months"] == before["Total over 24 months"]
    assert any("Cost by month" in c.proto.spec for c in at.get("plotly_chart"))


UNPRICEABLE_PLAN = {
    "name": "Typo plan", "region": "us-east-1",
    "items": [
        {"kind": "compute", "name": "good", "instance_type": "m5.large"},
        {"kind": "compute", "name": "trainer", "instance_type": "p4d.24xlarg"},
        {"kind": "ebs", "name": "scratch", "volume_type": "gp2", "gb": 100, "iops": 3000},
    ],
}


def test_unpriceable_upload_keeps_the_page_usable():
    at = open_app(PAGE)
    at.file_uploader(key="plans_upload").upload(
        "typo.plan.json", json.dumps(UNPRICEABLE_PLAN).encode(), "application/json")
    at.run()
    assert_clean(at)
    problems = " ".join(errors(at))
    assert "**trainer** — instance_type: unknown instance type 'p4d.24xlarg'" in problems
    assert "**scratch** — iops: gp2 volumes have no provisioned IOPS" in problems
    # the item list, the editor, the plan download and the uploader stay
    items = at.dataframe[0].value
    assert list(items["item"]) == ["good", "trainer", "scratch"]
    assert items.loc[items["item"] == "good", "problem"].item() == ""
    assert at.file_uploader(key="plans_upload") is not None
    assert "Save plan (JSON)" in [b.label for b in at.get("download_button")]
    # fix the typo in the editor: the plan prices again except the gp2 volume
    at.selectbox(key="plans_edit_item").set_value("trainer").run()
    assert any("**trainer** cannot be priced" in e for e in errors(at))
    at.selectbox(key=edit_key(at, "instance_type")).set_value("p4d.24xlarge")
    at.button(key="plans_edit_apply").click().run()
    assert_clean(at)
    assert "trainer" not in " ".join(errors(at))
    # drop the gp2 volume: every item prices, totals are back
    at.selectbox(key="plans_edit_item").set_value("scratch").run()
    at.button(key="plans_remove").click().run()
    assert_clean(at)
    assert not errors(at)
    assert [i.name for i in at.session_state["plan_current"].items] == ["good", "trainer"]
    assert "Monthly" in metrics(at) and "Download CSV" in [
        b.label for b in at.get("download_button")]


def test_unpriceable_share_link_keeps_the_plan():
    from planner.share import encode_plan

    plan = plan_from_dict(UNPRICEABLE_PLAN)
    at = open_app(query={"plan": encode_plan(plan)})
    assert at.session_state["plan_current"] == plan
    at.switch_page(PAGE).run()
    assert_clean(at)
    assert any("cannot be priced" in e for e in errors(at))
    assert at.file_uploader(key="plans_upload") is not None


def test_missing_price_never_reads_as_savings():
    # a compute savings plan on a type the snapshot has no savings-plan rate for: the line's price
    # is missing, so totals are marked incomplete and no saving is claimed
    at = with_plan({"name": "SP", "region": "us-east-1", "items": [
        {"kind": "compute", "name": "sp", "instance_type": "p5e.48xlarge",
         "purchase": {"option": "savings_plan", "term_years": 1}}]})
    shown = metrics(at)
    assert shown["Saved vs on-demand"] == "—", shown
    assert "Monthly (incomplete)" in shown
    assert any("marked incomplete" in w.value for w in at.warning)
