"""Lifecycle savings page: purchase strategies over time and S3 lifecycle rules."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from tests.app_fixtures import assert_clean, errors, metrics, open_app, open_view

PAGE = "pages/lifecycle_savings.py"


@pytest.fixture
def at():
    return open_app(PAGE)


def test_default_strategies(at):
    summary = at.dataframe[0].value.set_index("name")
    # all on-demand: 4 × p4d.24xlarge × 730 h × $21.957642 × 36 months = $2,308,187.33
    assert summary.loc["All on-demand", "total_usd"] == pytest.approx(2308187.33, abs=0.01)
    # RI 1y (all upfront): 2 × $113,819 = $227,638 at months 1, 13 and 25; the 2 reserved
    # instances save 2 × 730 h × $21.957642 = $32,058.157 of on-demand a month. Cumulative RI −
    # on-demand after month 14: 2 × $227,638 − 14 × $32,058.157 = $6,461.8 > 0; after month 15:
    # −$25,596.4, and it stays ≤ 0 (month 25: $682,914 − $801,453.9): break-even in month 15
    assert summary.loc["RI 1y baseline + on-demand", "break_even_month"] == "15"
    assert pd.isna(summary.loc["All on-demand", "break_even_month"])  # the baseline itself
    # fractional: month 15 starts $6,461.8 behind and gains $32,058.157 over the month:
    # 14 + 6,461.8 / 32,058.157 = 14.20 months
    assert summary.loc["RI 1y baseline + on-demand", "break_even_months"] == pytest.approx(
        14 + (2 * 227_638 - 14 * 2 * 730 * 21.957642) / (2 * 730 * 21.957642))
    # the chart shows an earlier crossing (month 8: $227,638 − 8 × $32,058.157 < 0) undone by the
    # renewal in month 13 ($455,276 − 13 × $32,058.157 = $38,520 > 0): the caption says so
    captions = " ".join(c.value for c in at.caption)
    assert ("RI 1y baseline + on-demand is at or below all on-demand from month 8, goes above it "
            "again in month 13") in captions
    assert "stays at or below it only from month 15 on" in captions
    # only what is on screen is drawn: the strategies table first, each chart when its view opens
    assert charts(at) == set()
    assert "With lifecycle rules" not in metrics(at)
    for view, chart in (("Cumulative cost chart", "lifecycle_timeline"),
                        ("Upfront cash chart", "lifecycle_upfront")):
        open_view(at, "lifecycle_compute_view", view)
        assert charts(at) == {chart}
        assert len(at.dataframe) == 0
    s3_tab(at)
    assert "Cheapest strategy" not in metrics(at)
    assert charts(at) == set()
    assert list(at.dataframe[0].value.columns[:3]) == ["month", "lifecycle_usd", "all_standard_usd"]
    for view, chart in (("Cumulative cost chart", "lifecycle_s3_cumulative"),
                        ("By storage class chart", "lifecycle_s3_stacked")):
        open_view(at, "lifecycle_s3_view", view)
        assert charts(at) == {chart}


def charts(at) -> set[str]:
    return {c.key for c in at.get("plotly_chart")}


def s3_tab(at) -> None:
    """Open the S3 lifecycle tab (a tab switch reruns the page)."""
    open_view(at, "lifecycle_view", "S3 lifecycle rules")


def test_inputs_survive_a_tab_switch(at):
    at.number_input(key="lifecycle_horizon").set_value(1).run()
    s3_tab(at)
    at.number_input(key="lifecycle_months").set_value(7).run()
    open_view(at, "lifecycle_view", "Compute purchase strategies")
    assert at.number_input(key="lifecycle_horizon").value == 1
    s3_tab(at)
    assert at.number_input(key="lifecycle_months").value == 7


def test_one_month_all_on_demand(at):
    at.number_input(key="lifecycle_horizon").set_value(1).run()
    at.number_input(key="lifecycle_count").set_value(1.0).run()
    summary = at.dataframe[0].value.set_index("name")
    # 1 × 730 h × $21.957642 = $16,029.08
    assert summary.loc["All on-demand", "total_usd"] == pytest.approx(16029.07866)


def test_short_horizon_never_breaks_even(at):
    at.number_input(key="lifecycle_horizon").set_value(6).run()
    summary = at.dataframe[0].value.set_index("name")
    # RI 1y after 6 months: $227,638 upfront − 6 × $32,058.157 saved = $35,289 still behind
    assert summary.loc["RI 1y baseline + on-demand", "break_even_month"] == "never"
    # 90 % spot is cheaper from the first month on
    assert summary.loc["Spot-heavy (90% spot)", "break_even_month"] == "1"


def test_s3_rules_out_of_order_is_an_error(at):
    s3_tab(at)
    at.number_input(key="lifecycle_gir").set_value(10).run()
    assert_clean(at)
    assert any("glacier_ir_days (10) must be greater than standard_ia_days (30)" in e
               for e in errors(at)), errors(at)


def test_s3_lifecycle_beats_all_standard(at):
    s3_tab(at)
    m = metrics(at)
    lifecycle = float(m["With lifecycle rules"].strip("$").replace(",", ""))
    standard = float(m["All Standard"].strip("$").replace(",", ""))
    assert lifecycle < standard


def test_out_of_range_is_flagged_at_the_field_and_no_old_result_stays(at):
    assert len(at.dataframe) == 1  # the summary of the default inputs
    # 200,000 instances to commit is above the 100,000 a strategy may hold: flagged under the
    # input itself, and the old results are gone rather than kept
    at.number_input(key="lifecycle_baseline").set_value(200_000.0).run()
    assert_clean(at)
    assert "Must be 0 to 100000; got 200000." in errors(at)
    assert len(at.dataframe) == 0
    open_view(at, "lifecycle_compute_view", "Cumulative cost chart")
    assert charts(at) == set()  # no chart of old results either


def test_errors_name_the_field_on_screen(at):
    # 0 hours passes the form's [0, 730] check but the profile needs more than 0: the message
    # names the input box, not the profile path usage.usage_hours_per_month
    at.number_input(key="lifecycle_hours").set_value(0.0).run()
    assert_clean(at)
    shown = errors(at)
    assert any(e.startswith("**Hours used per month**: must be in (0, 730], got 0")
               for e in shown), shown
    assert not any("usage_hours_per_month" in e for e in shown)


def _day_one_only(at) -> None:
    """1,000 GB stored on day one, nothing new, Standard-IA from day 30, 3 months, no reads."""
    s3_tab(at)
    for key, value in (("ingest", 0.0), ("initial_gb", 1000.0), ("months", 3), ("gir", 0),
                       ("gda", 0), ("read_pct", 0.0)):
        at.number_input(key="lifecycle_" + key).set_value(value)
    at.run()
    assert_clean(at)


def test_s3_day_one_data_csv_and_add_to_plan(served):
    at = open_app(PAGE)
    _day_one_only(at)
    # All Standard: 1,000 GB × $0.023 × 3 months = $69.00; the day-one data pays no PUTs
    assert metrics(at)["All Standard"] == "$69.00"
    button = next(b for b in at.get("download_button") if b.key == "lifecycle_s3_csv")
    rows = list(csv.DictReader(io.StringIO(served[button.proto.url].decode())))
    assert [float(r["all_standard_usd"]) for r in rows] == pytest.approx([23.0, 23.0, 23.0])
    at.button(key="lifecycle_s3_add").click().run()
    assert_clean(at)
    # S3 Standard: 30/30.41667 × 1,000 = 986.3014 GB in month 1 only → 328.7671 on average;
    # Standard-IA: 13.6986 + 1,000 + 1,000 → 671.2329; objects of 4,096 KB: 256 per GB
    items = {i.name: i for i in at.session_state["plan_current"].items}
    assert set(items) == {"data · S3 Standard", "data · S3 Standard-IA"}
    assert items["data · S3 Standard"].gb_month == pytest.approx(328.7671, rel=1e-6)
    assert items["data · S3 Standard-IA"].storage_class == "standard_ia"
    assert items["data · S3 Standard-IA"].gb_month == pytest.approx(671.2329, rel=1e-6)
    assert items["data · S3 Standard-IA"].object_count == pytest.approx(671.2329 * 256, rel=1e-6)


def test_s3_day_one_data_out_of_range_is_flagged_and_no_old_result_stays(at):
    s3_tab(at)
    assert "All Standard" in metrics(at)
    at.number_input(key="lifecycle_initial_gb").set_value(-5.0).run()
    assert_clean(at)
    assert "Must be 0 to 1e+12; got -5." in errors(at)
    assert "All Standard" not in metrics(at)
