"""Workload planner page: each workload kind, a hand-checked CPU job, errors, add to plan."""

from __future__ import annotations

import pytest

from tests.app_fixtures import assert_clean, errors, metrics, open_app, successes


@pytest.fixture
def at():
    return open_app()  # the default page


def ranked(at):
    return next(d.value for d in at.dataframe if "purchase_option" in d.value.columns)


def test_default_training_form_ranks_options(at):
    assert [t.value for t in at.title] == ["Workload planner"]
    table = ranked(at)
    assert len(table) > 20
    assert list(table["rank"][:3]) == [1, 2, 3]
    costs = table.loc[table["price_status"] == "snapshot", "cost_usd"].dropna()
    fits = table.loc[costs.index, "fits"]
    assert costs[fits].is_monotonic_increasing  # cheapest first among fitting priced rows
    assert "Job cost" in metrics(at)


@pytest.mark.parametrize("kind", ["training_baseline", "inference", "cpu"])
def test_every_kind_renders(at, kind):
    at.radio(key="workload_kind").set_value(kind).run()
    assert_clean(at)
    assert not errors(at)
    assert "Cheapest option" in metrics(at)


def test_cpu_job_hand_checked(at):
    at.radio(key="workload_kind").set_value("cpu").run()
    at.number_input(key="workload_vcpu_hours").set_value(2000.0).run()
    table = ranked(at)
    on_demand = table[table["purchase_option"] == "on_demand"]
    row = on_demand.iloc[0]
    # cheapest on-demand: t3a.2xlarge (8 vCPU); one would take 2,000 / 8 = 250 h, so the 24 h
    # deadline needs ceil(250 / 24) = 11 instances: 2,000 / 88 = 22.73 h;
    # cost 11 × 22.73 h × $0.3008 = 2,000 / 8 × $0.3008 = $75.20
    assert row["instance_type"] == "t3a.2xlarge"
    assert row["instances"] == 11
    assert row["wall_hours"] == pytest.approx(2000 / 88)
    assert row["cost_usd"] == pytest.approx(75.20)
    assert row["meets_target"]
    c6a = on_demand[on_demand["instance_type"] == "c6a.metal"].iloc[0]
    # one c6a.metal (192 vCPU): 2,000 / 192 = 10.4167 h × $7.344 = $76.50, meets 24 h
    assert c6a["wall_hours"] == pytest.approx(2000 / 192)
    assert c6a["cost_usd"] == pytest.approx(76.50)
    assert c6a["meets_target"]


def test_impossible_filter_is_a_clear_error(at):
    at.selectbox(key="workload_accelerator").set_value("inferentia").run()
    assert_clean(at)
    assert any("accelerator" in e and "inferentia" in e for e in errors(at)), errors(at)


def test_add_ranked_row_to_plan(at):
    at.radio(key="workload_kind").set_value("cpu").run()
    at.button(key="workload_add").click().run()
    assert_clean(at)
    assert any(s.startswith("Added ") for s in successes(at))
    item = at.session_state["plan_current"].items[0]
    top = ranked(at).iloc[0]
    assert item.instance_type == top["instance_type"]
    assert item.count == int(top["instances"])


def test_add_choice_offers_only_fitting_rows(at):
    at.radio(key="workload_kind").set_value("inference").run()
    at.selectbox(key="workload_preset").set_value("Llama 3.1 70B").run()
    at.selectbox(key="workload_accelerator").set_value("gpu").run()
    table = ranked(at)
    fitting = table[table["fits"] & table["instances"].notna()]
    # 70B weights do not fit on many GPU types: fewer fitting rows than the 50 offered at most
    assert 0 < len(fitting) < 50 < len(table)
    offered = at.selectbox(key="workload_pick").options
    assert len(offered) == len(fitting)
    # labels read "<rank>. <instance type> × <instances> · ..."
    assert [label.split(" ")[1] for label in offered] == list(fitting["instance_type"])
