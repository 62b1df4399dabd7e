"""The comparison on a tiny hand-made Catalog: time, cost, options, Pareto, filters, errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from planner.errors import InputError
from planner.workload.compare import compare, fit_table
from planner.workload.grid import PRICE_MISSING, pareto_front
from planner.workload.plan_items import plan_items_for_row
from planner.workload.records import (
    CpuWorkload,
    InferenceWorkload,
    Precision,
    TrainingBaselineWorkload,
    TrainingWorkload,
)
from tests.catalog_fixtures import AS_OF, savings_plan
from tests.workload_fixtures import make_workload_catalog

CATALOG = make_workload_catalog()
SEVEN_B = TrainingWorkload(parameters=7e9, tokens=2e12, precision=Precision.BF16)
# 6 × 7e9 × 2e12 = 8.4e22 FLOP; p4d: 8 × 312e12 × 0.53 (A100 40GB, 1.5-10B band MFU) =
# 1.32288e15 FLOP/s → 6.3498e7 s = 17,638.28 h on one instance (7e9 × 16 B = 112e9 B fits
# 8 × 40 GiB × 0.9; the step's gradient reduce over NVLink hides behind 133 s of compute)
P4D_HOURS = 8.4e22 / (8 * 312e12 * 0.53) / 3600


def _row(frame: pd.DataFrame, instance_type: str, option: str) -> pd.Series:
    rows = frame[(frame["instance_type"] == instance_type) & (frame["purchase_option"] == option)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_training_time_and_cost_on_p4d() -> None:
    rows = compare(SEVEN_B, CATALOG).rows
    on_demand = _row(rows, "p4d.24xlarge", "on_demand")
    assert on_demand["instances"] == 1
    assert on_demand["wall_hours"] == pytest.approx(17_638.28, abs=0.01)
    # 17,638.28 h × $32 = $564,425.09
    assert on_demand["cost_usd"] == pytest.approx(P4D_HOURS * 32.0)
    assert on_demand["cost_usd"] == pytest.approx(564_425.09, abs=0.1)
    # $ per PFLOP-hour delivered: 564,425.09 / (8.4e22 / 1e15 / 3600 = 23,333.3) = $24.19
    assert on_demand["usd_per_pflop_hour"] == pytest.approx(564_425.09 / 23_333.33, rel=1e-5)


def test_reserved_job_pays_every_term_it_buys() -> None:
    rows = compare(SEVEN_B, CATALOG).explained()
    r1 = _row(rows, "p4d.24xlarge", "reserved_1y")
    # 18,696.58 h needs ceil(18,696.58 / 8,760) = 3 one-year terms; each is $140,160 upfront
    # ($16/h effective × 8,760 h) → 3 × 8,760 × 1 × $16 = $420,480 committed, all of it the job's
    assert r1["commitment_terms"] == 3
    assert r1["committed_usd"] == pytest.approx(420_480.0)
    assert r1["cost_usd"] == pytest.approx(420_480.0)
    # unused: 26,280 − 18,696.58 = 7,583.42 instance-hours
    assert r1["unused_committed_instance_hours"] == pytest.approx(26_280 - P4D_HOURS)
    assert "3 × 8,760 h term × 1 × $16/h = $420,480.00 committed" in r1["calculation"]


def test_missing_prices_are_listed_not_dropped() -> None:
    rows = compare(SEVEN_B, CATALOG).rows
    for option in ("reserved_3y", "savings_plan_1y"):
        row = _row(rows, "p4d.24xlarge", option)
        assert row["price_status"] == PRICE_MISSING
        assert math.isnan(row["cost_usd"])
    # priced rows come first, then the unpriced ones
    assert list(rows["price_status"]) == ["snapshot"] * 3 + [PRICE_MISSING] * 2


def test_spot_expected_time_with_checkpointing() -> None:
    rows = compare(SEVEN_B, CATALOG).rows
    spot = _row(rows, "p4d.24xlarge", "spot")
    # bucket '<5%' → λ = 0.05/730 /h, M = 14,600 h; δ = 0.1 h, R = 0.25 h (defaults)
    # Young τ = sqrt(2 · 0.1 · 14,600) = sqrt(2,920) = 54.037 h
    # factor = M e^{R/M} (e^{(τ+δ)/M} − 1)/τ = 14,600 · 1.0000171 · 0.0037149 / 54.037 ≈ 1.003727
    m, delta, restart = 14_600.0, 0.1, 0.25
    tau = math.sqrt(2 * delta * m)
    factor = m * math.exp(restart / m) * math.expm1((tau + delta) / m) / tau
    assert factor == pytest.approx(1.003727, abs=1e-6)
    assert spot["checkpoint_interval_hours"] == pytest.approx(tau)
    assert spot["wall_hours"] == pytest.approx(P4D_HOURS * factor)
    assert spot["cost_usd"] == pytest.approx(P4D_HOURS * factor * 10.0)
    assert spot["pessimistic_hours"] >= spot["wall_hours"]


def test_order_and_pareto() -> None:
    rows = compare(SEVEN_B, CATALOG).rows
    # costs: spot ≈ $187,663 (18,766.27 h × $10) < reserved 1y $420,480 < on-demand $598,291
    assert list(rows["purchase_option"][:3]) == ["spot", "reserved_1y", "on_demand"]
    # spot is cheapest; reserved 1y is faster than spot and cheaper than on-demand;
    # on-demand is as fast as reserved but dearer → dominated
    assert list(rows["pareto"][:3]) == [True, True, False]


def test_deterministic() -> None:
    first = compare(SEVEN_B, CATALOG).rows
    second = compare(SEVEN_B, CATALOG).rows
    pd.testing.assert_frame_equal(first, second)


def test_filters() -> None:
    # budget $300,000 (on the money committed) drops on-demand ($598k) and reserved 1y
    # ($420k committed); 18,700 h drops spot (18,766 h)
    budget = compare(SEVEN_B, CATALOG, max_budget_usd=300_000).rows
    assert "on_demand" not in set(budget["purchase_option"])
    assert "reserved_1y" not in set(budget["purchase_option"])
    assert PRICE_MISSING in set(budget["price_status"])  # unpriced rows are kept
    fast = compare(SEVEN_B, CATALOG, max_hours=17_640).rows
    assert "spot" not in set(fast["purchase_option"])
    with pytest.raises(InputError, match="max_hours"):
        compare(SEVEN_B, CATALOG, max_hours=-1)


def test_fp16_brings_in_v100_with_sharding() -> None:
    w = TrainingWorkload(parameters=7e9, tokens=2e12, precision=Precision.FP16)
    rows = compare(w, CATALOG, families=["p3"]).rows
    od = _row(rows, "p3.2xlarge", "on_demand")
    # ZeRO-3: 7e9 × 16 B = 112e9 B sharded over 16 GiB × 0.9 = 15.46e9 B → ceil(7.24) = 8
    assert od["instances"] == 8


def test_fp8_on_v100_is_an_input_error() -> None:
    w = TrainingWorkload(parameters=7e9, tokens=2e12, precision=Precision.FP8)
    with pytest.raises(InputError, match=r"precision: fp8 is not supported .*V100 16GB: fp32, fp16"):
        compare(w, CATALOG, families=["p3"])
    baseline = TrainingBaselineWorkload(
        baseline_instance_type="p3.2xlarge", baseline_hours=10, precision=Precision.FP8
    )
    with pytest.raises(InputError, match=r"precision: fp8 is not supported by NVIDIA V100"):
        compare(baseline, CATALOG)


def test_baseline_scales_by_throughput() -> None:
    # 10 h on one p3.2xlarge in fp16: 125e12 × 0.35 = 4.375e13 FLOP/s → 1.575e18 FLOP-equivalent;
    # p4d fp16: 8 × 312e12 × 0.5 = 1.248e15 → 1.575e18 / 1.248e15 = 1,262 s = 0.35056 h
    w = TrainingBaselineWorkload(
        baseline_instance_type="p3.2xlarge", baseline_hours=10, precision=Precision.FP16
    )
    rows = compare(w, CATALOG).rows
    assert _row(rows, "p3.2xlarge", "on_demand")["wall_hours"] == pytest.approx(10.0)
    assert _row(rows, "p4d.24xlarge", "on_demand")["wall_hours"] == pytest.approx(
        10 * 125e12 * 0.35 / (8 * 312e12 * 0.5)
    )
    bad = TrainingBaselineWorkload(baseline_instance_type="p4.24xlarge", baseline_hours=1)
    with pytest.raises(InputError, match="baseline_instance_type: unknown instance type"):
        compare(bad, CATALOG)


def test_inference_costs_per_million() -> None:
    # measured 100 output tok/s on inf2.xlarge, 100 output tokens/request → 1 request/s each;
    # 2.5 requests/s all day → ceil(2.5) = 3 instances × 24 h = 72 instance-hours/day
    # cost 72 × $0.76 = $54.72/day; output tokens/day 2.5 × 86,400 × 100 = 21.6e6
    # → $2.5333 per 1M output tokens; 216,000 requests/day → $253.33 per 1M requests
    w = InferenceWorkload(
        parameters=1e9, layers=16, hidden_size=2048, requests_per_second=2.5,
        input_tokens=100, output_tokens=100,
        measured_output_tokens_per_second={"inf2.xlarge": 100.0},
    )
    rows = compare(w, CATALOG).rows
    row = _row(rows, "inf2.xlarge", "on_demand")
    assert row["instances"] == 3
    assert row["instance_hours"] == 72
    assert row["cost_usd"] == pytest.approx(54.72)
    assert row["usd_per_1m_output_tokens"] == pytest.approx(54.72 / 21.6)
    assert row["usd_per_1m_requests"] == pytest.approx(54.72 / 0.216)
    assert row["throughput_source"] == "measured"
    # the p4d is priced by the roofline; a CPU type is never a candidate
    assert _row(rows, "p4d.24xlarge", "on_demand")["throughput_source"] == "roofline"
    assert "m5.large" not in set(rows["instance_type"])


def test_cpu_work_and_spot_without_advisor() -> None:
    # 100 vCPU-hours on m5.large (2 vCPU) → 50 h; on-demand 50 × $0.096 = $4.80
    w = CpuWorkload(vcpu_hours=100, memory_gib=4)
    rows = compare(w, CATALOG).rows
    assert list(rows["instance_type"].unique()) == ["m5.large"]
    od = _row(rows, "m5.large", "on_demand")
    assert od["wall_hours"] == pytest.approx(50.0)
    assert od["cost_usd"] == pytest.approx(4.8)
    spot = _row(rows, "m5.large", "spot")
    assert math.isnan(spot["cost_usd"])
    assert "interruption rate not in snapshot" in spot["note"]
    # with a given rate λ = 0 → τ = ∞ (never checkpoint), factor (τ + δ)/τ → 1
    # → 50 h × $0.04 = $2.00
    given = compare(CpuWorkload(vcpu_hours=100, memory_gib=4, interruptions_per_hour=0.0),
                    CATALOG).rows
    assert _row(given, "m5.large", "spot")["cost_usd"] == pytest.approx(2.0)
    # 16 GiB needed: m5.large (8 GiB) does not fit, short by 8 GiB
    big = compare(CpuWorkload(vcpu_hours=100, memory_gib=16), CATALOG).rows
    assert not big["fits"].any()


def test_fit_table() -> None:
    table = fit_table(TrainingWorkload(parameters=7e9, tokens=2e12, precision=Precision.FP16), CATALOG)
    assert list(table["instance_type"]) == ["p4d.24xlarge", "p3.2xlarge"]
    assert list(table["instances_to_fit"]) == [1.0, 8.0]
    assert table["result"].iloc[1] == "fits on 8 instance(s)"
    huge = fit_table(TrainingWorkload(parameters=1e13, tokens=1e9, precision=Precision.FP16,
                                      max_instances=2), CATALOG)
    assert not huge["fits"].any()
    assert huge["result"].iloc[0].startswith("does not fit: short by")


def test_pareto_front_four_points() -> None:
    # A(1 h, $10) B(2 h, $5) C(3 h, $6) D(4 h, $1): C is beaten by B on both → front A, B, D
    time = np.array([1.0, 2.0, 3.0, 4.0])
    cost = np.array([10.0, 5.0, 6.0, 1.0])
    assert pareto_front(time, cost).tolist() == [True, True, False, True]
    # order does not matter
    perm = [3, 1, 0, 2]
    assert pareto_front(time[perm], cost[perm]).tolist() == [True, True, True, False]
    # NaN (unpriced) points are never on the front
    assert pareto_front([1.0, 2.0], [np.nan, 5.0]).tolist() == [False, True]


def test_unknown_region() -> None:
    with pytest.raises(Exception, match="unknown region"):
        compare(SEVEN_B, CATALOG, region="us-east-9")


def test_plan_item_for_a_job_row_and_a_serving_row() -> None:
    # Job: 3 instances for 21.2 wall-clock hours → one item billed once, 21.2 h each, reserved 1y.
    (job,) = plan_items_for_row(
        {"instance_type": "p4d.24xlarge", "instances": 3, "wall_hours": 21.2,
         "instance_hours": 63.6, "purchase_option": "reserved_1y"},
        serving=False, hours_per_month=730,
    )
    assert job["count"] == 3 and job["total_hours"] == 21.2
    assert "usage_hours_per_month" not in job
    assert job["purchase"] == {"option": "reserved", "term_years": 1,
                               "offering_class": "standard", "payment": "all_upfront"}
    # Serving: peak 4 instances, 48 instance-hours a day → 48 / (24 × 4) = 0.5 of the month
    # = 365 h each.
    (serve,) = plan_items_for_row(
        {"instance_type": "inf2.xlarge", "instances": 4, "wall_hours": 24.0,
         "instance_hours": 48.0, "purchase_option": "spot"},
        serving=True, hours_per_month=730,
    )
    assert serve["count"] == 4 and serve["usage_hours_per_month"] == 365.0
    assert serve["purchase"] == {"option": "spot"}
    # A job longer than a month keeps all its hours (the plan spreads them over the months).
    (long,) = plan_items_for_row(
        {"instance_type": "m5.large", "instances": 1, "wall_hours": 2000.0,
         "instance_hours": 2000.0, "purchase_option": "on_demand"},
        serving=False, hours_per_month=730,
    )
    assert long["total_hours"] == 2000


def test_deadline_adds_instances() -> None:
    # 17,638.28 h on one p4d; deadline 5,000 h → n0 = ceil(17,638.28 / 5,000) = 4; at 4 the
    # layout's gradient reduce (2 · 31/32 · 1.4e10 B / (400 Gbps / 8 × 0.8 = 4e10 B/s) = 0.68 s)
    # hides behind 33.3 s of compute per step → efficiency 1 → n = 4 (memory alone needs 1)
    # → 17,638.28 / 4 = 4,409.57 h ≤ 5,000 h; on-demand 4,409.57 h × 4 × $32 = $564,425.09
    w = TrainingWorkload(parameters=7e9, tokens=2e12, deadline_hours=5_000)
    od = _row(compare(w, CATALOG).rows, "p4d.24xlarge", "on_demand")
    assert od["instances"] == 4
    assert od["wall_hours"] == pytest.approx(P4D_HOURS / 4)
    assert od["wall_hours"] == pytest.approx(4_409.57, abs=0.01)
    assert od["cost_usd"] == pytest.approx(P4D_HOURS * 32.0)
    assert od["meets_target"] is True


def test_deadline_never_gives_a_count_to_a_type_that_does_not_fit() -> None:
    # 70e9 × 16 B = 1.12e12 B over p4d's 8 × 40 GiB × 0.9 = 309.2e9 B → 4 instances > 3 allowed
    # under any layout: no instance count, no cost, not meeting the deadline (a deadline of
    # 1e5 h alone would have asked for 1 instance)
    w = TrainingWorkload(parameters=70e9, tokens=1e12, precision=Precision.FP16, max_instances=3,
                         deadline_hours=1e5)
    rows = compare(w, CATALOG).rows
    od = _row(rows, "p4d.24xlarge", "on_demand")
    assert not od["fits"]
    assert math.isnan(od["instances"])
    assert math.isnan(od["cost_usd"])
    assert od["meets_target"] is False  # no known time: it cannot be said to meet the deadline
    assert od["note"] == "does not fit in accelerator memory"
    assert rows["instances"].isna().all()


def test_fixed_instances() -> None:
    # instances = 2 (fp16: the fitted table has no fp16 cell → per-chip default MFU 0.50):
    # 8.4e22 / (2 × 8 × 312e12 × 0.50) = 9,348.29 h (the gradient
    # reduce hides behind the step's compute → efficiency 1); p3.2xlarge needs 8 → does not fit
    # on 2: the least-memory layout needs 7e9 × 16 B / 2 = 56e9 B = 52.15 GiB of 14.4 → short 37.75
    w = TrainingWorkload(parameters=7e9, tokens=2e12, precision=Precision.FP16, instances=2)
    rows = compare(w, CATALOG).rows
    p4d = _row(rows, "p4d.24xlarge", "on_demand")
    assert p4d["instances"] == 2
    assert p4d["wall_hours"] == pytest.approx(8.4e22 / (2 * 8 * 312e12 * 0.50) / 3600)
    assert p4d["wall_hours"] == pytest.approx(9_348.29, abs=0.01)
    p3 = _row(rows, "p3.2xlarge", "on_demand")
    assert not p3["fits"] and math.isnan(p3["instances"]) and math.isnan(p3["cost_usd"])
    assert p3["shortfall_gib"] == pytest.approx(7e9 * 16 / 2**30 / 2 - 14.4)
    assert p3["shortfall_gib"] == pytest.approx(37.75, abs=0.01)


def test_spot_with_unknown_rate_has_no_times() -> None:
    # m5.large has no Spot Advisor row: expected and pessimistic times and the interval are unknown
    spot = _row(compare(CpuWorkload(vcpu_hours=100, memory_gib=4), CATALOG).rows, "m5.large",
                "spot")
    for column in ("wall_hours", "pessimistic_hours", "checkpoint_interval_hours", "cost_usd"):
        assert math.isnan(spot[column]), column
    assert spot["note"] == "interruption rate not in snapshot (give interruptions_per_hour)"


def test_spot_with_free_checkpoints() -> None:
    # CPU default write time δ = 0 and λ = 1e-3/h: Young τ = 0 (checkpoint continuously);
    # factor = e^{Rλ} = e^{0.05 × 1e-3} = 1.00005 → 50 h × 1.00005 = 50.0025 h × $0.04 = $2.0001;
    # pessimistic 1 / (1 − 1e-3 × 0.05) = 1.0000500 → 50.0025 h
    w = CpuWorkload(vcpu_hours=100, memory_gib=4, interruptions_per_hour=1e-3)
    spot = _row(compare(w, CATALOG).rows, "m5.large", "spot")
    assert spot["checkpoint_interval_hours"] == 0.0
    assert spot["wall_hours"] == pytest.approx(50.0 * math.exp(0.05e-3))
    assert spot["wall_hours"] == pytest.approx(50.0025, abs=1e-4)
    assert spot["cost_usd"] == pytest.approx(2.0001, abs=1e-4)
    assert spot["pessimistic_hours"] == pytest.approx(50.0 / (1 - 0.05e-3))


def test_cpu_rows_that_do_not_fit_name_instance_memory() -> None:
    rows = compare(CpuWorkload(vcpu_hours=100, memory_gib=16), CATALOG).rows
    assert set(rows["note"]) == {"does not fit in instance memory"}


def test_savings_plan_note_follows_the_snapshot() -> None:
    notes = compare(SEVEN_B, CATALOG).notes
    assert any("no Compute Savings Plan rates in us-east-1" in n for n in notes)
    with_plan = make_workload_catalog([savings_plan("us-east-1", "p4d.24xlarge", 20.0)])
    result = compare(SEVEN_B, with_plan)
    # a $20/h commitment for ceil(18,696.58 / 8,760) = 3 years: 3 × 8,760 h × $20 = $525,600
    assert _row(result.rows, "p4d.24xlarge", "savings_plan_1y")["cost_usd"] == pytest.approx(
        525_600.0
    )
    assert not any("no Compute Savings Plan rates" in n for n in result.notes)
    assert any("Savings plans: Compute Savings Plan 1-year" in n for n in result.notes)


def test_fit_table_reuses_the_comparison_figures() -> None:
    w = TrainingWorkload(parameters=7e9, tokens=2e12, precision=Precision.FP16)
    result = compare(w, CATALOG)
    pd.testing.assert_frame_equal(
        fit_table(w, CATALOG, result.figures), fit_table(w, CATALOG)
    )


def test_plan_item_refuses_a_row_that_does_not_fit() -> None:
    row = {"instance_type": "p4d.24xlarge", "instances": float("nan"), "wall_hours": float("nan"),
           "instance_hours": float("nan"), "purchase_option": "on_demand"}
    with pytest.raises(InputError, match=r"p4d.24xlarge \(on_demand\) does not fit: no instance"):
        plan_items_for_row(row, serving=False, hours_per_month=730)


@pytest.mark.parametrize(
    "workload",
    [SEVEN_B, CpuWorkload(vcpu_hours=100, memory_gib=4, deadline_hours=30),
     InferenceWorkload(parameters=1e9, layers=16, hidden_size=2048, requests_per_second=5.0,
                       input_tokens=100, output_tokens=100,
                       latency_target_ms_per_output_token=50.0)],
    ids=["training", "cpu", "inference"],
)
def test_shown_rows_are_the_head_of_every_row(workload: object) -> None:
    # the table gathers only the rows it shows; they are the first rows of the whole frame, and
    # a headline row holds what the frame's row holds (values and their types)
    result = compare(workload, CATALOG)  # type: ignore[arg-type]
    head = result.head(3)
    assert "rows" not in vars(result)  # nothing gathered for every row yet
    rows = result.rows
    assert result.row_count == len(rows) > 3 and result.columns == list(rows.columns)
    pd.testing.assert_frame_equal(head, rows.head(3))
    assert list(head.dtypes) == list(rows.head(3).dtypes)
    for rank in (0, len(rows) - 1):
        record = result.ranked.record(rank)
        frame_row = dict(rows.iloc[rank].items())
        assert list(record) == list(frame_row)
        for name, value in frame_row.items():
            assert type(record[name]) is type(value), name
            assert record[name] == value or (pd.isna(value) and pd.isna(record[name])), name


def test_budget_and_time_filters_keep_rank_order() -> None:
    every = compare(SEVEN_B, CATALOG).rows
    # budget: drops on-demand ($564,425 committed), keeps the unpriced rows; time: drops spot
    kept = compare(SEVEN_B, CATALOG, max_budget_usd=500_000.0, max_hours=17_700.0).rows
    expected = every[(every["wall_hours"] <= 17_700.0)
                     & ~(every["committed_usd"] > 500_000.0)].reset_index(drop=True)
    assert list(kept["purchase_option"]) == ["reserved_1y", "reserved_3y", "savings_plan_1y"]
    pd.testing.assert_frame_equal(kept.drop(columns="pareto"), expected.drop(columns="pareto"))


def test_prepared_text_is_the_catalog_text() -> None:
    # as_of/source per option and the spot bucket per rate row are the catalog's values; a
    # missing one (a hand-made catalog) stays missing, with no interruption rate
    import dataclasses

    from planner.workload.prepared import prepared

    rates = CATALOG.compute_rates.copy()
    rates.loc[rates["purchase_option"] == "on_demand", "source"] = None
    advisor = CATALOG.spot_advisor.copy()
    advisor["interruption_bucket"] = None
    catalog = dataclasses.replace(CATALOG, compute_rates=rates, spot_advisor=advisor)
    prep, full = prepared(catalog), prepared(CATALOG)
    priced = ~np.isnan(prep.option_columns["on_demand"]["hourly_usd"])
    assert priced.any() and all(s is None for s in prep.option_text["on_demand"]["source"][priced])
    assert list(prep.option_text["spot"]["source"][:]) == list(full.option_text["spot"]["source"][:])
    as_of = full.option_text["on_demand"]["as_of"][:]
    assert list(as_of) == [None if np.isnan(h) else AS_OF
                           for h in full.option_columns["on_demand"]["hourly_usd"]]
    assert set(full.spot_bucket[~pd.isna(full.spot_bucket)]) == {"<5%"}
    assert all(b is None or (isinstance(b, float) and math.isnan(b)) for b in prep.spot_bucket)
    assert np.isnan(prep.spot_rate).all() and not np.isnan(full.spot_rate).all()
