"""Money a job uses vs money it commits, deadlines, service blends: hand-worked on tiny catalogs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from planner.errors import InputError
from planner.workload.compare import compare
from planner.workload.explain import headlines
from planner.workload.options import job_costs, serving_costs
from planner.workload.plan_items import plan_items_for_row
from planner.workload.records import InferenceWorkload, TrainingWorkload
from tests.catalog_fixtures import reserved, spot
from tests.workload_fixtures import REGION, make_workload_catalog

# p4d.24xlarge: on-demand $32/h, spot $10/h, reserved 1y $140,160 upfront (= $16/h); add a 3-year
# all-upfront reservation of $262,800 (= $10/h × 26,280 h).
CATALOG = make_workload_catalog([reserved(REGION, "p4d.24xlarge", 3, 262_800.0)])
# 6 × 7e9 × 2e12 = 8.4e22 FLOP take 18,696.58 h on one p4d (8 × 312e12 × 0.5 = 1.248e15 FLOP/s);
# a two-week job (336 h) is 336 / 18,696.58 of those tokens. MFU is fixed at 0.5 in these workloads
# so that the figures follow from the chip's peak alone.
P4D_HOURS_2T = 8.4e22 / 1.248e15 / 3600
TWO_WEEKS = TrainingWorkload(parameters=7e9, tokens=2e12 * 336 / P4D_HOURS_2T, mfu=0.5)


def _row(rows: pd.DataFrame, itype: str, option: str) -> pd.Series:
    (index,) = np.flatnonzero((rows["instance_type"] == itype) & (rows["purchase_option"] == option))
    return rows.iloc[index]


def test_job_costs_one_and_three_year_terms() -> None:
    # 2 instances for a 336 h job. 1y reserved at $16/h: 1 term × 8,760 h × 2 × $16 = $280,320.
    # 3y reserved at $10/h: 1 term × 26,280 h × 2 × $10 = $525,600. On-demand: 2 × 336 × $32.
    out = job_costs(
        commits=np.array([True, True, False]), term_hours_=np.array([8760.0, 26280.0, 0.0]),
        instances=np.full(3, 2.0), job_hours=np.full(3, 336.0), instance_hours=np.full(3, 672.0),
        usd_per_hour=np.array([16.0, 10.0, 32.0]), reuse_fraction=0.0,
    )
    assert out.committed_usd.tolist() == pytest.approx([280_320.0, 525_600.0, 21_504.0])
    assert out.cost_usd.tolist() == pytest.approx([280_320.0, 525_600.0, 21_504.0])
    # unused: 1y 2 × (8,760 − 336) = 16,848; 3y 2 × (26,280 − 336) = 51,888 instance-hours
    assert out.unused_instance_hours[:2].tolist() == pytest.approx([16_848.0, 51_888.0])
    assert out.terms[:2].tolist() == [1.0, 1.0] and math.isnan(out.terms[2])


def test_reuse_share_is_taken_off_the_unused_hours_only() -> None:
    # 1y at $16/h, 1 instance, 336 h job, half of what is left used later:
    # 140,160 − 0.5 × (8,760 − 336) × $16 = 140,160 − 67,392 = $72,768; committed stays $140,160.
    out = job_costs(
        commits=np.array([True]), term_hours_=np.array([8760.0]), instances=np.array([1.0]),
        job_hours=np.array([336.0]), instance_hours=np.array([336.0]),
        usd_per_hour=np.array([16.0]), reuse_fraction=0.5,
    )
    assert out.cost_usd[0] == pytest.approx(72_768.0)
    assert out.committed_usd[0] == pytest.approx(140_160.0)


def test_a_job_longer_than_a_term_buys_another_term() -> None:
    # 10,000 h > 8,760 h → ceil(10,000 / 8,760) = 2 terms: 2 × 8,760 × $16 = $280,320
    out = job_costs(
        commits=np.array([True]), term_hours_=np.array([8760.0]), instances=np.array([1.0]),
        job_hours=np.array([10_000.0]), instance_hours=np.array([10_000.0]),
        usd_per_hour=np.array([16.0]), reuse_fraction=0.0,
    )
    assert out.terms[0] == 2 and out.committed_usd[0] == pytest.approx(280_320.0)


def test_two_week_job_never_ranks_a_commitment_first() -> None:
    result = compare(TWO_WEEKS, CATALOG)
    rows = result.rows
    od = _row(rows, "p4d.24xlarge", "on_demand")
    assert od["wall_hours"] == pytest.approx(336.0)
    assert od["cost_usd"] == pytest.approx(336 * 32.0)  # $10,752
    r1, r3 = _row(rows, "p4d.24xlarge", "reserved_1y"), _row(rows, "p4d.24xlarge", "reserved_3y")
    assert r1["committed_usd"] == pytest.approx(140_160.0) and r1["cost_usd"] == r1["committed_usd"]
    assert r3["committed_usd"] == pytest.approx(262_800.0)
    assert rows.iloc[0]["purchase_option"] in ("spot", "on_demand")
    order = list(rows["purchase_option"][rows["instance_type"] == "p4d.24xlarge"])
    assert order.index("on_demand") < order.index("reserved_1y") < order.index("reserved_3y")
    assert result.headlines.cheapest is not None
    assert result.headlines.cheapest["purchase_option"] == "spot"


def test_budget_filters_on_the_money_committed() -> None:
    # $100,000 keeps on-demand ($10,752) and spot, drops both reservations ($140,160 and $262,800)
    rows = compare(TWO_WEEKS, CATALOG, max_budget_usd=100_000).rows
    kept = set(rows.loc[rows["instance_type"] == "p4d.24xlarge", "purchase_option"])
    assert {"on_demand", "spot"} <= kept
    assert not kept & {"reserved_1y", "reserved_3y"}


def test_spot_just_over_the_deadline_does_not_meet_it() -> None:
    # 18,696.58 h on one p4d meets a 18,700 h deadline on-demand; spot with checkpoints expects
    # 18,696.58 × 1.003727 = 18,766.27 h (bucket '<5%', see test_compare) → misses it.
    w = TrainingWorkload(parameters=7e9, tokens=2e12, deadline_hours=18_700, mfu=0.5)
    result = compare(w, CATALOG)
    rows = result.rows
    spot_row = _row(rows, "p4d.24xlarge", "spot")
    assert spot_row["wall_hours"] == pytest.approx(18_766.27, abs=0.01)
    assert spot_row["meets_target"] is False
    assert spot_row["pessimistic_hours"] >= spot_row["wall_hours"]
    assert _row(rows, "p4d.24xlarge", "on_demand")["meets_target"] is True
    # spot is the cheapest ($187,663) but misses. Of those that meet it: 3y reserved buys one
    # 26,280 h term × $10 = $262,800; 1y buys ceil(18,696.58 / 8,760) = 3 terms = $420,480;
    # on-demand $598,291 → the cheapest that meets the deadline is reserved 3y
    cheapest = result.headlines.cheapest
    assert cheapest is not None and cheapest["purchase_option"] == "reserved_3y"
    assert cheapest["cost_usd"] == pytest.approx(262_800.0)
    assert _row(rows, "p4d.24xlarge", "reserved_1y")["cost_usd"] == pytest.approx(420_480.0)
    assert rows.iloc[0]["purchase_option"] == "reserved_3y"  # rows that meet it rank first
    assert result.headlines.target_met is True and result.headlines.message is None


def test_nothing_meets_the_deadline_names_the_fastest() -> None:
    # a 100 h deadline with at most 4 instances: 18,696.58 / 4 = 4,674.1 h at best (the gradient
    # reduce hides behind compute: efficiency 1), on on-demand and both reservations alike; the
    # tie goes to the cheapest of them: reserved 1y 1 term × 8,760 h × 4 × $16 = $560,640
    # (on-demand 4 × 4,674.1 × $32 = $598,291; 3y 26,280 × 4 × $10 = $1,051,200)
    w = TrainingWorkload(parameters=7e9, tokens=2e12, deadline_hours=100, max_instances=4,
                         mfu=0.5)
    heads = compare(w, CATALOG).headlines
    assert heads.target_met is False and heads.cheapest is None
    assert heads.fastest is not None
    assert heads.fastest["cost_usd"] == pytest.approx(560_640.0)
    assert heads.message == (
        "No option meets the deadline of 100 h; the fastest is p4d.24xlarge × 4 · reserved 1y at "
        "4,674.1 h."
    )


def test_rows_without_a_time_never_meet_a_deadline() -> None:
    # spot with no interruption rate in the snapshot (m5.large has no Spot Advisor row): no time
    frame = pd.DataFrame({
        "instance_type": ["a", "b"], "purchase_option": ["on_demand", "spot"],
        "instances": [1.0, 1.0], "fits": [True, True], "wall_hours": [10.0, np.nan],
        "cost_usd": [5.0, np.nan], "usd_per_pflop_hour": [1.0, np.nan],
        "meets_target": [True, False],
    })
    heads = headlines(frame, time_col="wall_hours", cost_col="cost_usd",
                      unit_col="usd_per_pflop_hour", target="deadline of 12 h", time_label="h")
    assert heads.cheapest is not None and heads.cheapest["instance_type"] == "a"
    assert heads.fastest is not None and heads.fastest["instance_type"] == "a"


# --- a service: baseline committed, peaks on on-demand or spot ---------------------------------

# inf2.xlarge: on-demand $0.76/h; add spot $0.30/h and a 1-year reservation of $4,380 ($0.50/h).
SERVING_CATALOG = make_workload_catalog([
    spot(REGION, "inf2.xlarge", 0.30), reserved(REGION, "inf2.xlarge", 1, 4_380.0),
])
# 100 output tokens per request at a measured 100 tokens/s = 1 request/s per instance; the peak of
# 5 requests/s runs 12 hours a day, 40 % of it (2 requests/s) the other 12 → 2 and 5 instances.
SERVICE = InferenceWorkload(
    parameters=1e9, layers=16, hidden_size=2048, requests_per_second=5.0, input_tokens=100,
    output_tokens=100, hourly_shape=[0.4] * 12 + [1.0] * 12,
    measured_output_tokens_per_second={"inf2.xlarge": 100.0},
)


def test_serving_costs_blend_baseline_two_peak_five() -> None:
    # counts: 12 h × 2 + 12 h × 5 = 84 instance-hours a day; baseline 2 → 36 above it.
    # blend: 2 × 24 × $0.50 + 36 × $0.76 = 24 + 27.36 = $51.36/day;
    # committed: 2 × 8,760 × $0.50 = $8,760. All on-demand: 84 × $0.76 = $63.84/day.
    out = serving_costs(
        has_baseline=np.array([True, False]), term_hours_=np.array([8760.0, 0.0]),
        baseline_instances=np.array([2.0, 2.0]), instance_hours_per_day=np.array([84.0, 84.0]),
        baseline_usd_per_hour=np.array([0.50, np.nan]), peak_usd_per_hour=np.array([0.76, 0.76]),
    )
    assert out.cost_usd_per_day.tolist() == pytest.approx([51.36, 63.84])
    assert out.committed_usd.tolist() == pytest.approx([8_760.0, 63.84])
    assert out.peak_instance_hours_per_day.tolist() == pytest.approx([36.0, 84.0])
    assert out.committed_instances.tolist() == [2.0, 0.0]


def test_service_rows_hour_by_hour_and_their_plan_items() -> None:
    result = compare(SERVICE, SERVING_CATALOG)
    rows = result.explained()
    blend = _row(rows, "inf2.xlarge", "reserved_1y+on_demand")
    assert blend["instances_by_hour"] == [2] * 12 + [5] * 12
    assert blend["instances"] == 5 and blend["committed_instances"] == 2
    assert blend["cost_usd"] == pytest.approx(51.36)
    assert blend["committed_usd"] == pytest.approx(8_760.0)
    # 84 instance-hours × 3,600 s × 1 request/s = 302,400 requests a day → $51.36 / 0.3024
    assert blend["usd_per_1m_requests"] == pytest.approx(51.36 / 0.3024)
    # input + output = 200 tokens a request: 60.48M tokens a day
    assert blend["usd_per_1m_tokens"] == pytest.approx(51.36 / 60.48)
    # spot peaks: 24 + 36 × $0.30 = $34.80/day; all spot: 84 × $0.30 = $25.20/day
    assert _row(rows, "inf2.xlarge", "reserved_1y+spot")["cost_usd"] == pytest.approx(34.80)
    assert _row(rows, "inf2.xlarge", "spot")["cost_usd"] == pytest.approx(25.20)
    assert "2 committed × 24 h × $0.5/h + 36.0 instance-hours on on-demand × $0.76/h = " \
        "$51.36/day" in blend["calculation"]
    base, peaks = plan_items_for_row(blend.to_dict(), serving=True, hours_per_month=730)
    assert base["count"] == 2 and base["purchase"]["option"] == "reserved"
    assert "usage_hours_per_month" not in base  # every hour of the month
    # 3 peak instances share 36 instance-hours a day: 36 / (24 × 3) = 0.5 → 365 h a month
    assert peaks["count"] == 3 and peaks["usage_hours_per_month"] == 365.0
    assert peaks["purchase"] == {"option": "on_demand"}


def test_a_measured_serving_row_ranks_by_its_cost() -> None:
    # The only inf2.xlarge throughput is measured (no modelled time per token): its rows still
    # rank by cost and head the answer; all spot is cheapest at $25.20/day (see above).
    result = compare(SERVICE, SERVING_CATALOG)
    top = result.rows.iloc[0]
    assert (top["instance_type"], top["purchase_option"]) == ("inf2.xlarge", "spot")
    assert result.headlines.cheapest is not None
    assert result.headlines.cheapest["cost_usd"] == pytest.approx(25.20)


def test_a_training_row_as_a_sagemaker_training_job() -> None:
    from planner.workload.plan_items import sagemaker_training_item

    # 3 × p4d for 21.2 h on-demand → ml.p4d.24xlarge × 3, 21.2 × 3,600 = 76,320 s, billed once
    item = sagemaker_training_item({"instance_type": "p4d.24xlarge", "instances": 3.0,
                                    "wall_hours": 21.2, "purchase_option": "on_demand"})
    assert item["instance_type"] == "ml.p4d.24xlarge" and item["count"] == 3
    assert item["job_seconds"] == 76_320 and (item["start_month"], item["end_month"]) == (1, 1)
    with pytest.raises(InputError, match="priced from the on-demand row"):
        sagemaker_training_item({"instance_type": "p4d.24xlarge", "instances": 3.0,
                                 "wall_hours": 21.2, "purchase_option": "spot"})
    # 700 h > 28 days × 24 h = 672 h: SageMaker's longest job
    with pytest.raises(InputError, match="at most 672 h"):
        sagemaker_training_item({"instance_type": "p4d.24xlarge", "instances": 3.0,
                                 "wall_hours": 700.0, "purchase_option": "on_demand"})
