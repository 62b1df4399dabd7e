"""Right-sizing page."""

from __future__ import annotations

import pytest

from tests.app_fixtures import assert_clean, errors, metrics, open_app, successes

PAGE = "pages/right_sizing.py"


@pytest.fixture
def at():
    return open_app(PAGE)


def test_default_gpu_instance(at):
    m = metrics(at)
    # need = used × 1.2: 96 vCPU × 30 % × 1.2 = 34.56; 1,152 GiB × 20 % × 1.2 = 276.48 GiB
    assert m["Needed vCPU"] == "34.6"
    assert m["Needed memory"] == "276.5 GiB"
    # 320 GiB GPU memory × 30 % × 1.2 = 115.2 GiB
    assert m["Needed accelerator memory"] == "115.2 GiB"


def test_m5_4xlarge_down_to_2xlarge(at):
    at.selectbox(key="rightsize_type").set_value("m5.4xlarge").run()
    assert_clean(at)
    table = at.dataframe[0].value.set_index("instance_type")
    # m5.2xlarge: $0.384/h × 730 h = $280.32/month vs m5.4xlarge $0.768 × 730 = $560.64
    assert table.loc["m5.2xlarge", "fits"]
    assert table.loc["m5.2xlarge", "on_demand_monthly_usd"] == pytest.approx(280.32)
    assert table.loc["m5.2xlarge", "on_demand_savings_monthly_usd"] == pytest.approx(280.32)
    assert table.loc["m5.2xlarge", "on_demand_savings_yearly_usd"] == pytest.approx(3363.84)
    assert not table.loc["m5.xlarge", "fits"]  # 4 vCPU < 16 × 30 % × 1.2 = 5.76
    at.selectbox(key="rightsize_pick").set_value("m5.2xlarge").run()
    at.button(key="rightsize_add").click().run()
    assert any("Added m5.2xlarge" in s for s in successes(at))


def test_average_sizing_needs_averages(at):
    at.selectbox(key="rightsize_size_on").set_value("average").run()
    assert_clean(at)
    # without averages the peak is used: same need as sizing on peak
    assert metrics(at)["Needed vCPU"] == "34.6"
    assert not errors(at)


def test_counts_match_the_list_and_moves_are_flagged(at):
    # default: p4d.24xlarge (8 × A100 40 GB, 1,555 GB/s each). In the shipped snapshot 7 other
    # types fit, 2 of them cheaper (g6e.12xlarge and g6e.24xlarge: 4 × L40S, 864 GB/s): the
    # caption says so, the table lists exactly those 2, and both moves are flagged
    table = at.dataframe[0].value
    others = table[table["group"] == "other family"]
    caption = " ".join(c.value for c in at.caption)
    assert "7 fit, 2 of them cheaper on-demand than p4d.24xlarge (the 2 cheapest are listed)" in caption
    assert sorted(others["instance_type"]) == ["g6e.12xlarge", "g6e.24xlarge"]
    for caution in others["caution"]:
        assert caution.startswith("4 accelerators instead of 8")
        assert "memory bandwidth 864 GB/s per device, now 1,555 GB/s" in caution
    assert table.loc[table["group"] == "current", "caution"].tolist() == [""]
