"""Plan items with active windows and one-off jobs, costed month by month (hand-worked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.costing import cost_plan
from planner.errors import PlanFileError
from planner.export import plan_cost_dict
from planner.plan import plan_from_dict
from planner.share import decode_plan, encode_plan
from tests.catalog_fixtures import make_catalog, on_demand, reserved, savings_plan, spec_row

R = "us-east-1"
CATALOG = make_catalog(
    instance_specs=[spec_row("m5.xlarge", 4, 16)],
    compute_rates=[
        on_demand(R, "m5.xlarge", 0.192),
        reserved(R, "m5.xlarge", 1, 989.0),
        reserved(R, "m5.xlarge", 1, 500.0, 0.05, payment="partial_upfront"),
        savings_plan(R, "m5.xlarge", 0.12),
    ],
)


def _plan(*items: dict, duration: int = 24, hours: float = 730) -> dict:
    return {"name": "t", "region": R, "duration_months": duration, "hours_per_month": hours,
            "items": list(items)}


def _item(**fields) -> dict:
    return {"kind": "compute", "name": "job", "instance_type": "m5.xlarge", "count": 2, **fields}


def test_a_job_starting_in_month_13_costs_nothing_in_the_first_year() -> None:
    # 2 instances × 1,000 h: 730 h in month 13, 270 h in month 14.
    # month 13: 2 × 730 × $0.192 = $280.32; month 14: 2 × 270 × $0.192 = $103.68; all: $384.00
    c = cost_plan(plan_from_dict(_plan(_item(total_hours=1000, start_month=13))), CATALOG)
    assert c.totals.first_year_usd == 0.0
    assert c.totals.duration_total_usd == pytest.approx(384.00)
    assert c.totals.monthly_usd == 0.0  # a job does not recur
    assert len(c.months_usd) == 24
    assert c.months_usd[12] == pytest.approx(280.32) and c.months_usd[13] == pytest.approx(103.68)
    assert sum(c.months_usd) == pytest.approx(384.00)
    (line,) = c.line_items
    assert line.quantity == 2000 and line.monthly_usd == 0.0
    assert (line.first_month, line.last_month) == (13, 14)
    assert line.total_usd == pytest.approx(384.00)
    assert c.totals.on_demand_equivalent_usd == pytest.approx(384.00)
    assert c.totals.savings_vs_on_demand_usd == pytest.approx(0.0)


def test_a_job_is_billed_once_not_every_month() -> None:
    # 721.6 h on 1 instance in a 12-month plan: once, 721.6 × $0.192 = $138.5472 (not × 12)
    c = cost_plan(plan_from_dict(_plan(_item(count=1, total_hours=721.6), duration=12)), CATALOG)
    assert c.totals.duration_total_usd == pytest.approx(138.5472)
    assert c.months_usd[0] == pytest.approx(138.5472) and sum(c.months_usd[1:]) == 0.0


def test_a_reserved_job_pays_its_whole_term_from_its_start_month() -> None:
    # 1,000 h from month 13 of 24 on 2 reserved 1y all-upfront: one term bought in month 13,
    # 2 × $989 = $1,978 upfront then; nothing in the first year.
    item = _item(total_hours=1000, start_month=13,
                 purchase={"option": "reserved", "term_years": 1, "payment": "all_upfront"})
    c = cost_plan(plan_from_dict(_plan(item)), CATALOG)
    assert c.totals.first_year_usd == 0.0
    assert c.months_usd[12] == pytest.approx(1978.0)
    assert c.totals.duration_total_usd == pytest.approx(1978.0)


def test_a_term_running_past_the_plan_is_owed_after_its_end() -> None:
    # 1 partial-upfront 1y RI ($500 + $0.05/h) from month 7 of a 12-month plan: $500 in month 7,
    # 730 × $0.05 = $36.50 in months 7-12 (6 × 36.50 = $219) and months 13-18 after the plan.
    item = _item(count=1, start_month=7,
                 purchase={"option": "reserved", "term_years": 1, "payment": "partial_upfront"})
    c = cost_plan(plan_from_dict(_plan(item, duration=12)), CATALOG)
    assert c.months_usd[:6] == (0.0,) * 6
    assert c.months_usd[6] == pytest.approx(536.50)
    assert c.totals.after_plan_end_usd == pytest.approx(219.0)
    assert c.totals.duration_total_usd == pytest.approx(500 + 12 * 36.50)  # $938
    assert c.totals.first_year_usd == pytest.approx(500 + 6 * 36.50)  # months 1-12: $719


def test_an_end_month_limits_recurring_usage() -> None:
    # on-demand months 3-5 only: 3 × (2 × 730 × $0.192 = $280.32) = $840.96
    c = cost_plan(plan_from_dict(_plan(_item(start_month=3, end_month=5), duration=12)), CATALOG)
    assert c.totals.duration_total_usd == pytest.approx(840.96)
    assert [i + 1 for i, v in enumerate(c.months_usd) if v] == [3, 4, 5]
    assert c.totals.monthly_usd == pytest.approx(280.32)


def test_a_savings_plan_job_pays_the_commitment_for_the_term() -> None:
    # 1 instance, 365 h in month 1 under a 1y Compute SP at $0.12/h: commitment $0.12/h for every
    # hour of 12 months = 0.12 × 730 × 12 = $1,051.20; all 365 h covered, none on-demand.
    item = _item(count=1, total_hours=365,
                 purchase={"option": "savings_plan", "term_years": 1})
    c = cost_plan(plan_from_dict(_plan(item, duration=12)), CATALOG)
    assert c.totals.duration_total_usd == pytest.approx(1051.20)
    assert all(v == pytest.approx(87.60) for v in c.months_usd)
    assert "covers 365 of 365 instance-hours" in c.line_items[0].formula


def test_a_job_that_cannot_finish_in_its_window_is_refused() -> None:
    with pytest.raises(PlanFileError, match=r"items\[0\].total_hours: 1000 h at 730 h a month needs "
                       r"2 month\(s\) from start_month 24, past month 24"):
        plan_from_dict(_plan(_item(total_hours=1000, start_month=24)))
    with pytest.raises(PlanFileError, match="total_hours"):
        plan_from_dict(_plan(_item(total_hours=10, usage_hours_per_month=10)))
    with pytest.raises(PlanFileError, match="end_month"):
        plan_from_dict(_plan(_item(start_month=5, end_month=4)))
    with pytest.raises(PlanFileError, match=r"start_month: must be in \[1, duration_months = 24\]"):
        plan_from_dict(_plan(_item(start_month=25)))


def test_cost_json_months_and_share_link_carry_the_windows(tmp_path: Path) -> None:
    data = _plan(_item(total_hours=1000, start_month=13))
    plan = plan_from_dict(data)
    assert decode_plan(encode_plan(plan)) == plan
    out = plan_cost_dict(cost_plan(plan, CATALOG))
    assert out["months"][12] == {"month": 13, "usd": pytest.approx(280.32)}
    assert out["line_items"][0]["first_month"] == 13
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    run = subprocess.run(
        [sys.executable, "-m", "planner", "cost", str(path), "--format", "json"],
        capture_output=True, text=True, check=True,
    )
    printed = json.loads(run.stdout)
    assert len(printed["months"]) == 24
    # the real snapshot's m5.xlarge rate, whatever it is: month 13 is 730/1000 of the job
    job = printed["totals"]["duration_total_usd"]
    assert printed["months"][12]["usd"] == pytest.approx(job * 730 / 1000)
    assert printed["totals"]["first_year_usd"] == 0


def test_the_example_plan_with_a_job_and_a_late_service() -> None:
    from planner.catalog import load_catalog
    from planner.plan import load_plan

    root = Path(__file__).resolve().parents[1]
    c = cost_plan(load_plan(root / "examples" / "plan_training_job.json"), load_catalog())
    assert c.totals.complete
    storage = next(line for line in c.line_items if line.item == "datasets")
    # nothing runs before month 12; in month 12 only the datasets bucket is billed
    assert c.months_usd[:11] == (0.0,) * 11
    assert c.months_usd[11] == pytest.approx(storage.monthly_usd)
    assert c.totals.first_year_usd == pytest.approx(storage.monthly_usd)
    job = next(line for line in c.line_items if line.item == "pretrain")
    assert (job.first_month, job.last_month) == (13, 14)  # 1,000 h: 730 h + 270 h
