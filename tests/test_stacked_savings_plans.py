"""Savings plans stacked as AWS applies them, with the AWS Savings Plans User Guide's rates.

https://docs.aws.amazon.com/savingsplans/latest/userguide/sp-applying.html (pricing example,
illustrative rates): c5.9xlarge on-demand $4.00, Compute SP $2.00 (50%), EC2 Instance SP $1.00
(75%); c5.24xlarge on-demand $10.00, Compute SP $8.00 (20%), EC2 Instance SP $6.00 (40%).
"""

from __future__ import annotations

import pytest

from planner.billing import SavingsPlanType
from planner.costing import cost_plan
from planner.errors import PlannerError
from planner.plan import plan_from_dict
from planner.pricing.stacking import StackCommitment, StackUsage, apply_stack
from tests.catalog_fixtures import make_catalog, spec_row

R = "us-east-1"
CATALOG = make_catalog(
    instance_specs=[spec_row("c5.9xlarge", 36, 72), spec_row("c5.24xlarge", 96, 192),
                    spec_row("m5.xlarge", 4, 16)],
    compute_rates=[
        {"region": R, "instance_type": t, "purchase_option": "on_demand", "hourly_usd": p,
         "upfront_usd": 0.0, "effective_hourly_usd": p, "term_years": 0.0}
        for t, p in (("c5.9xlarge", 4.0), ("c5.24xlarge", 10.0), ("m5.xlarge", 0.2))
    ],
)
RATES = {"compute_sp_hourly_usd": 2.0, "ec2_instance_sp_hourly_usd": 1.0}
RATES_24 = {"compute_sp_hourly_usd": 8.0, "ec2_instance_sp_hourly_usd": 6.0}
COMPUTE = SavingsPlanType.COMPUTE
EC2 = SavingsPlanType.EC2_INSTANCE


def usage(name: str, od: float, **rates: float) -> StackUsage:
    return StackUsage(name=name, family="c5", instances=1, hours=1, on_demand_usd_per_hour=od,
                      rates=rates)


def test_guide_scenario_1_compute_plan_covers_all_ec2_usage() -> None:
    # Scenario 1 (EC2 part): a Compute SP covers c5.9xlarge at $2 and c5.24xlarge at $8; a
    # $10/h commitment covers both, nothing at on-demand, nothing unused.
    r = apply_stack([StackCommitment("sp", COMPUTE, 10.0)],
                    [usage("nine", 4.0, sp=2.0), usage("big", 10.0, sp=8.0)], 1.0)
    assert r.covered_instance_hours["sp"] == {"nine": 1.0, "big": 1.0}
    assert r.unused_usd["sp"] == 0 and r.on_demand_instance_hours == {"nine": 0.0, "big": 0.0}


def test_highest_discount_first_then_on_demand() -> None:
    # $5/h Compute SP: c5.9xlarge (50%) first for $2; $3 left covers 3/8 of c5.24xlarge;
    # 5/8 × $10 = $6.25 on-demand → the hour costs $5 + $6.25 = $11.25
    r = apply_stack([StackCommitment("sp", COMPUTE, 5.0)],
                    [usage("big", 10.0, sp=8.0), usage("nine", 4.0, sp=2.0)], 1.0)
    assert r.covered_instance_hours["sp"]["nine"] == 1.0
    assert r.on_demand_instance_hours["big"] == pytest.approx(5 / 8)
    assert 5.0 + r.on_demand_instance_hours["big"] * 10.0 == pytest.approx(11.25)


def test_ec2_instance_plan_first_then_compute_plan() -> None:
    # EC2 Instance SP c5 $1/h (listed second) is applied first: c5.9xlarge (75%) at $1; then the
    # Compute SP $8/h covers c5.24xlarge at $8. Without that order the Compute SP would spend
    # $2 on c5.9xlarge and leave 2/8 of c5.24xlarge at on-demand.
    r = apply_stack([StackCommitment("compute", COMPUTE, 8.0),
                     StackCommitment("c5", EC2, 1.0, family="c5")],
                    [usage("nine", 4.0, compute=2.0, c5=1.0), usage("big", 10.0, compute=8.0, c5=6.0)],
                    1.0)
    assert r.covered_instance_hours["c5"] == {"nine": 1.0, "big": 0.0}
    assert r.covered_instance_hours["compute"] == {"nine": 0.0, "big": 1.0}
    assert r.unused_usd == {"compute": 0.0, "c5": 0.0}


def test_ties_go_to_the_lower_rate() -> None:
    # both 50% off: the $1 rate usage is covered first by a $1/h commitment
    r = apply_stack([StackCommitment("sp", COMPUTE, 1.0)],
                    [usage("a", 4.0, sp=2.0), usage("b", 2.0, sp=1.0)], 1.0)
    assert r.covered_instance_hours["sp"] == {"a": 0.0, "b": 1.0}


def test_an_ec2_instance_plan_covers_only_its_family() -> None:
    r = apply_stack([StackCommitment("m5", EC2, 3.0, family="m5")],
                    [usage("nine", 4.0, m5=1.0)], 1.0)
    assert r.covered_instance_hours["m5"]["nine"] == 0 and r.unused_usd["m5"] == 3.0


def _plan(**extra: object) -> dict:
    return {
        "name": "p", "region": R, "duration_months": 12, "hours_per_month": 730,
        "items": [
            {"kind": "compute", "name": "nine", "instance_type": "c5.9xlarge", "unit_prices": RATES},
            {"kind": "compute", "name": "big", "instance_type": "c5.24xlarge", "unit_prices": RATES_24},
            {"kind": "compute", "name": "late", "instance_type": "m5.xlarge", "start_month": 7,
             "unit_prices": {"compute_sp_hourly_usd": 0.12}},
        ],
        **extra,
    }


def test_plan_level_stack_month_by_month_with_windows() -> None:
    # EC2 Instance c5 $1/h + Compute $8/h, 12 months of 730 h. c5.9xlarge covered by the c5 plan,
    # c5.24xlarge by the Compute plan; from month 7 the m5.xlarge ($0.12 Compute rate, 40%) joins
    # and the Compute plan, already spent on c5.24xlarge (20%)... m5 has the higher discount, so
    # it is covered first: $0.12, and 0.12/8 of c5.24xlarge goes to on-demand:
    # 0.015 × 730 h × $10 = $109.50 a month for months 7-12.
    c = cost_plan(plan_from_dict(_plan(savings_plans=[
        {"name": "c5 plan", "plan_type": "ec2_instance", "instance_family": "c5",
         "commitment_usd_per_hour": 1.0},
        {"name": "compute plan", "commitment_usd_per_hour": 8.0},
    ])), CATALOG)
    by_item = {i.name: i for i in c.items}
    assert by_item["c5 plan"].monthly_usd == pytest.approx(730.0)
    assert by_item["compute plan"].duration_total_usd == pytest.approx(8 * 730 * 12)
    big = by_item["big"]
    assert big.months_usd[:6] == pytest.approx((0.0,) * 6)
    assert big.months_usd[6:] == pytest.approx((109.50,) * 6)
    assert by_item["late"].duration_total_usd == pytest.approx(0.0)
    assert "used" in by_item["compute plan"].line_items[0].formula
    assert "unused $0.00" in by_item["c5 plan"].line_items[0].formula
    # total: (1 + 8) × 730 × 12 + 6 × 109.50 = 78,840 + 657 = 79,497
    assert c.totals.duration_total_usd == pytest.approx(79_497.0)


def test_unused_commitment_is_paid_and_shown() -> None:
    # a $20/h Compute plan against $10/h of usage at plan rates ($2 + $8) for months 1-6, then
    # m5 adds $0.12: unused = (20 − 10) × 730 × 6 + (20 − 10.12) × 730 × 6 = 43,800 + 43,274.40
    c = cost_plan(plan_from_dict(_plan(savings_plans=[
        {"name": "big plan", "commitment_usd_per_hour": 20.0}])), CATALOG)
    line = next(i for i in c.items if i.name == "big plan").line_items[0]
    assert "unused $87,074.40 still paid" in line.formula


def test_a_commitment_for_another_region_covers_nothing() -> None:
    with pytest.raises(PlannerError, match="instance_family"):
        plan_from_dict(_plan(savings_plans=[{"name": "x", "plan_type": "ec2_instance",
                                             "commitment_usd_per_hour": 1}]))
    c = cost_plan(plan_from_dict(_plan(savings_plans=[
        {"name": "eu", "plan_type": "ec2_instance", "instance_family": "c5", "region": "eu-west-1",
         "commitment_usd_per_hour": 1.0}])), CATALOG)
    assert "another region" in next(i for i in c.items if i.name == "eu").line_items[0].formula
    # all usage on-demand: (4 + 10) × 730 × 12 + 0.2 × 730 × 6 = 122,640 + 876, plus $1 × 8,760
    assert c.totals.duration_total_usd == pytest.approx(122_640 + 876 + 8_760)
