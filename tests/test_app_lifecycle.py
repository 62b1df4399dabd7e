"""Lifecycle savings page: purchase strategies over time and S3 lifecycle rules."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.app_fixtures import assert_clean, errors, metrics, open_app

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
    assert len(at.get("plotly_chart")) == 0  # charts are drawn when their tab is opened
    at.session_state["lifecycle_compute_view"] = "Charts"
    at.run()
    assert len(at.get("plotly_chart")) == 2  # cumulative cost, upfront cash
    open_s3(at)
    assert len(at.get("plotly_chart")) == 2  # S3: cumulative, by storage class


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


def open_s3(at):
    at.session_state["lifecycle_view"] = "S3 lifecycle rules"
    at.run()


def test_s3_rules_out_of_order_is_an_error(at):
    open_s3(at)
    at.number_input(key="lifecycle_gir").set_value(10).run()
    assert_clean(at)
    assert any("glacier_ir_days (10) must be greater than standard_ia_days (30)" in e
               for e in errors(at)), errors(at)
    at.session_state["lifecycle_view"] = "Compute purchase strategies"
    at.run()
    assert "Cheapest strategy" in metrics(at)  # the compute tab still renders


def test_s3_lifecycle_beats_all_standard(at):
    open_s3(at)
    m = metrics(at)
    lifecycle = float(m["With lifecycle rules"].strip("$").replace(",", ""))
    standard = float(m["All Standard"].strip("$").replace(",", ""))
    assert lifecycle < standard
