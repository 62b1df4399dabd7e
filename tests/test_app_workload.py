"""Workload planner page: each workload kind, a hand-checked CPU job, errors, add to plan."""

from __future__ import annotations

import pytest

from tests.app_fixtures import assert_clean, errors, metrics, open_app, open_view, successes


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
    shown = metrics(at)
    assert {"Cheapest", "Fastest", "Best $ per 1M tokens"} <= set(shown)
    # the cheapest headline is the first ranked row's job cost (no deadline in the default form)
    first = table.iloc[0]
    assert shown["Cheapest"] == f"${first['cost_usd']:,.2f}"
    assert first["committed_usd"] == first["cost_usd"]  # on-demand or spot: nothing more signed


@pytest.mark.parametrize("kind", ["training_baseline", "inference", "cpu"])
def test_every_kind_renders(at, kind):
    at.radio(key="workload_kind").set_value(kind).run()
    assert_clean(at)
    assert not errors(at)
    assert any(label.startswith("Fastest") for label in metrics(at))
    assert any(label.startswith("Cheapest") for label in metrics(at))


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
    # a job is billed once: its wall-clock hours in all, not every month
    assert item.usage_hours_per_month is None
    assert item.total_hours == pytest.approx(top["wall_hours"], abs=0.001)


def test_a_deadline_nothing_meets_is_a_warning_naming_the_fastest(at):
    at.radio(key="workload_kind").set_value("cpu").run()
    # 2,000 vCPU-hours in 0.001 h would need 2,000,000 vCPUs; at most 1,000 instances are allowed
    at.number_input(key="workload_deadline_c").set_value(0.001).run()
    assert_clean(at)
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith("No option meets the deadline of 0.001 h; the fastest is ")
    table = ranked(at)
    assert not table["meets_target"].astype(bool).any()
    assert metrics(at)["Cheapest that meets the deadline"] == "none"


def test_inference_shows_the_day_and_adds_baseline_and_peaks(at):
    at.radio(key="workload_kind").set_value("inference").run()
    at.selectbox(key="workload_shape").set_value("Business day (peak 10:00-14:00)").run()
    assert_clean(at)
    table = ranked(at)
    for column in ("ttft_ms", "batch", "output_tokens_per_s_per_instance", "usd_per_1m_requests",
                   "usd_per_1m_tokens", "committed_instances", "committed_usd"):
        assert column in table.columns
    assert len(at.get("plotly_chart")) == 0  # charts are drawn when their tab is opened
    for tab in ("Time vs cost", "Instances over the day"):
        open_view(at, "workload_view", tab)
        assert len(at.get("plotly_chart")) == 1, tab
    open_view(at, "workload_view", "Ranked options")
    blends = table[(table["purchase_option"] == "reserved_1y+on_demand")
                   & table["price_status"].eq("snapshot") & table["fits"]]
    row = blends.iloc[0]
    assert 0 < row["committed_instances"] < row["instances"]
    at.number_input(key="workload_pick").set_value(int(row["rank"])).run()
    at.button(key="workload_add").click().run()
    assert_clean(at)
    base, peaks = at.session_state["plan_current"].items
    assert base.count == row["committed_instances"] and base.purchase.option == "reserved"
    assert base.usage_hours_per_month is None  # every hour
    assert peaks.count == row["instances"] - row["committed_instances"]
    assert peaks.purchase.option == "on_demand"


def test_picking_a_row_that_does_not_fit_is_an_error(at):
    at.radio(key="workload_kind").set_value("inference").run()
    at.selectbox(key="workload_preset").set_value("Llama 3.1 70B").run()
    at.selectbox(key="workload_accelerator").set_value("gpu").run()
    table = ranked(at)
    misfit = table[~table["fits"]].iloc[0]
    at.number_input(key="workload_pick").set_value(int(misfit["rank"])).run()
    at.button(key="workload_add").click().run()
    assert_clean(at)
    assert any("does not fit" in e for e in errors(at)), errors(at)
    assert not at.session_state["plan_current"].items


def test_reruns_with_the_same_inputs_reuse_the_comparison(at, monkeypatch):
    import planner.workload.compare as compare_module

    calls = []
    original = compare_module.compare

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(compare_module, "compare", counted)
    open_view(at, "workload_view", "Memory fit")  # a tab switch reruns the page
    open_view(at, "workload_view", "Ranked options")
    assert calls == []  # kept in the session since the first run
    at.number_input(key="workload_tokens").set_value(40.0).run()
    assert calls == [1]  # new inputs: computed again


def test_a_training_job_added_as_a_sagemaker_training_job(at):
    table = ranked(at)
    at.button(key="workload_add_sagemaker").click().run()
    assert_clean(at)
    assert not errors(at)
    (item,) = at.session_state["plan_current"].items
    top = table.iloc[0]
    od = table[(table["instance_type"] == top["instance_type"])
               & (table["purchase_option"] == "on_demand")].iloc[0]
    assert item.kind == "sagemaker" and item.instance_type == "ml." + top["instance_type"]
    assert item.count == int(od["instances"])
    assert item.job_seconds == pytest.approx(od["wall_hours"] * 3600, abs=1.0)
