"""Instance explorer page against the shipped snapshot."""

from __future__ import annotations

import pytest

from planner.plan import plan_from_dict
from tests.app_fixtures import assert_clean, errors, open_app, open_view, successes

PAGE = "pages/instance_explorer.py"


@pytest.fixture
def at():
    return open_app(PAGE)


def test_default_render_lists_accelerated_types(at):
    table = at.dataframe[0].value
    assert len(table) > 50
    assert set(table["accelerator_kind"]) <= {"gpu", "trainium", "inferentia"}
    assert [t.value for t in at.title] == ["Instance explorer"]


def test_p4d_per_month_in_us_east_1(at):
    at.multiselect(key="explorer_families").set_value(["p4d"]).run()
    at.segmented_control(key="explorer_period").set_value("month").run()
    assert_clean(at)
    row = at.dataframe[0].value.set_index("instance_type").loc["p4d.24xlarge"]
    # on-demand $21.957642/h × 730 h = $16,029.07866 per month
    assert row["on_demand_usd"] == pytest.approx(16029.07866)
    # reserved 1y all upfront: $113,819 / 8,760 h = $12.993037/h × 730 = $9,484.92
    assert row["reserved_1y_standard_all_upfront_usd"] == pytest.approx(9484.917, abs=0.01)
    # per accelerator: $16,029.08 / 8 A100s = $2,003.63
    assert row["usd_per_accelerator"] == pytest.approx(2003.6348, abs=1e-3)
    code = [c.value for c in at.code]
    assert "$21.957642/h × 730 h/month = $16,029.08 per month" in code


def test_bad_vcpu_range_is_a_clear_error(at):
    at.number_input(key="explorer_min_vcpu").set_value(64).run()
    at.number_input(key="explorer_max_vcpu").set_value(8).run()
    assert_clean(at)
    assert any("vCPU range: minimum 64 exceeds maximum 8" in e for e in errors(at))


def test_add_to_plan_and_state_survives_page_switch(at):
    at.multiselect(key="explorer_families").set_value(["p4d"]).run()
    at.selectbox(key="explorer_option").set_value("reserved_1y_standard_all_upfront").run()
    at.number_input(key="explorer_count").set_value(2).run()
    at.number_input(key="explorer_hours").set_value(200.0).run()
    at.button(key="explorer_add").click().run()
    assert_clean(at)
    assert any("Added p4d.24xlarge" in s for s in successes(at))
    item = at.session_state["plan_current"].items[0]
    assert (item.instance_type, item.count, item.usage_hours_per_month) == ("p4d.24xlarge", 2, 200)
    assert item.purchase.option == "reserved" and item.purchase.term_years == 1
    at.switch_page("pages/price_data.py").run()
    at.switch_page(PAGE).run()
    assert at.multiselect(key="explorer_families").value == ["p4d"]
    assert len(at.session_state["plan_current"].items) == 1


def test_regions_side_by_side(at):
    open_view(at, "explorer_view", "Regions side by side")  # drawn when opened
    at.selectbox(key="explorer_region_type").set_value("p4d.24xlarge").run()
    assert_clean(at)
    regions = next(
        d.value for d in at.dataframe if "region" in d.value.columns
    ).set_index("region")
    assert regions.loc["us-east-1", "on_demand_usd"] == pytest.approx(21.957642)
    assert regions["on_demand_usd"].is_monotonic_increasing


def test_item_hours_are_capped_at_the_plan_hours():
    at = open_app()
    at.session_state["plan_current"] = plan_from_dict(
        {"name": "short months", "region": "us-east-1", "hours_per_month": 700}
    )
    at.switch_page(PAGE).run()
    assert_clean(at)
    hours = at.number_input(key="explorer_hours")
    assert hours.value == 700.0
    hours.set_value(701.0).run()
    assert_clean(at)
    assert "Must be 1 to 700; got 701." in errors(at)
    assert at.button(key="explorer_add").disabled
    at.switch_page("pages/storage.py")
    open_view(at, "storage_view", "EBS")  # the EBS tab open
    at.number_input(key="storage_ebs_hours").set_value(701.0).run()
    assert "Must be 1 to 700; got 701." in errors(at)


def test_savings_plan_from_the_explorer_with_its_rate(at):
    at.multiselect(key="explorer_families").set_value(["p4d"]).run()
    override = at.number_input(key="explorer_override")
    assert override.label == "Price override (USD/h, 0 = snapshot)"
    at.selectbox(key="explorer_option").set_value("savings_plan_compute_1y_no_upfront").run()
    assert_clean(at)
    override = at.number_input(key="explorer_override")
    assert "sets the hourly commitment" in override.label
    at.number_input(key="explorer_count").set_value(2).run()
    at.number_input(key="explorer_override").set_value(15.0).run()
    assert_clean(at)
    # commitment = 2 instances × $15/h plan rate = $30/h
    assert any("Hourly commitment: 2 × $15/h = $30/h" in c.value for c in at.caption)
    at.button(key="explorer_add").click().run()
    assert_clean(at)
    item = at.session_state["plan_current"].items[0]
    assert (item.purchase.option, item.purchase.plan_type, item.purchase.term_years) == (
        "savings_plan", "compute", 1)
    assert item.unit_prices == {"hourly_usd": 15.0} and item.count == 2


def test_out_of_range_count_is_flagged_and_nothing_is_added(at):
    at.number_input(key="explorer_count").set_value(0).run()
    assert_clean(at)
    assert "Must be 1 to 100000; got 0." in errors(at)
    assert at.button(key="explorer_add").disabled
    at.number_input(key="explorer_override").set_value(-1.0).run()
    assert "Must be 0 to 1e+09; got -1." in errors(at)


def test_out_of_range_filter_is_flagged_and_no_old_table_stays(at):
    assert len(at.dataframe) == 1
    at.number_input(key="explorer_min_vcpu").set_value(-1.0).run()
    assert_clean(at)
    assert "Must be 0 to 1e+06; got -1." in errors(at)
    assert len(at.dataframe) == 0  # no table of the last valid filters
    assert any("every filter above is in its range" in i.value for i in at.info)
    at.number_input(key="explorer_min_vcpu").set_value(96.0).run()
    assert_clean(at)
    table = at.dataframe[0].value
    assert len(table) > 0 and (table["vcpu"] >= 96).all()


def test_typed_rate_survives_switching_to_a_savings_plan(at):
    at.number_input(key="explorer_override").set_value(15.0).run()
    at.selectbox(key="explorer_option").set_value("savings_plan_compute_1y_no_upfront").run()
    assert_clean(at)
    override = at.number_input(key="explorer_override")
    assert "sets the hourly commitment" in override.label and override.value == 15.0
