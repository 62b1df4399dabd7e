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


# Three usages at $4/h on-demand and two compute classes (illustrative rates):
# 1y no upfront ("x"): m5 $1 (75% off), r5 $2 (50%), c5 $3 (25%);
# 3y no upfront ("y"): m5 $2, r5 $1; c5 none (the 3y class cannot cover it).
POOL_CATALOG = make_catalog(
    instance_specs=[spec_row("m5.4xlarge", 16, 64), spec_row("r5.2xlarge", 8, 64),
                    spec_row("c5.2xlarge", 8, 16)],
    compute_rates=[
        {"region": R, "instance_type": t, "purchase_option": "on_demand", "hourly_usd": 4.0,
         "upfront_usd": 0.0, "effective_hourly_usd": 4.0, "term_years": 0.0}
        for t in ("m5.4xlarge", "r5.2xlarge", "c5.2xlarge")
    ] + [
        {"region": R, "instance_type": t, "purchase_option": "savings_plan", "term_years": term,
         "payment_option": "no_upfront", "plan_type": "compute", "hourly_usd": rate,
         "upfront_usd": 0.0, "effective_hourly_usd": rate}
        for t, term, rate in (("m5.4xlarge", 1.0, 1.0), ("r5.2xlarge", 1.0, 2.0),
                              ("c5.2xlarge", 1.0, 3.0), ("m5.4xlarge", 3.0, 2.0),
                              ("r5.2xlarge", 3.0, 1.0))
    ],
)


def test_interleaved_classes_are_pooled_in_the_order_of_their_first_plan() -> None:
    # Commitments in plan order: u1's item plan (1y, $1/h), u2's item plan (3y, $1/h), then the
    # plan-level "shared" (1y, $2/h). AWS orders several plans of one type in no documented way;
    # the planner pools the 1y plans (u1's + shared = $3/h, first: u1's plan comes first), then
    # the 3y plan. 1y ranks u1 ($1), u2 ($2), u3 ($3): $3 covers u1 (u1's plan, the slice
    # [0, 1)) and u2 (shared, [1, 3)). The 3y plan finds u1 and u2 covered and cannot cover u3:
    # all unused. u3 on-demand: 730 h × $4 = $2,920 a month.
    # (Applied one by one in plan order, as before, the 3y plan would have covered u2 and the
    # shared plan 2/3 of u3: u3 would pay 1/3 × 730 × $4 = $973.33 a month.)
    c = cost_plan(plan_from_dict({
        "name": "p", "region": R, "duration_months": 12, "hours_per_month": 730,
        "items": [
            {"kind": "compute", "name": "u1", "instance_type": "m5.4xlarge",
             "purchase": {"option": "savings_plan", "term_years": 1,
                          "commitment_usd_per_hour": 1.0}},
            {"kind": "compute", "name": "u2", "instance_type": "r5.2xlarge",
             "purchase": {"option": "savings_plan", "term_years": 3,
                          "commitment_usd_per_hour": 1.0}},
            {"kind": "compute", "name": "u3", "instance_type": "c5.2xlarge"},
        ],
        "savings_plans": [{"name": "shared", "commitment_usd_per_hour": 2.0}],
    }), POOL_CATALOG)
    by_item = {i.name: i for i in c.items}
    assert by_item["u3"].months_usd == pytest.approx((2920.0,) * 12)
    # u1: its plan $1 × 730 h; u2: its 3y plan $730 a month for 36 months (past the plan's end),
    # nothing on-demand; shared $1,460
    assert by_item["u1"].months_usd == pytest.approx((730.0,) * 12)
    assert by_item["u2"].months_usd == pytest.approx((730.0,) * 36)
    assert by_item["shared"].months_usd == pytest.approx((1460.0,) * 12)
    assert c.months_usd == pytest.approx((5840.0,) * 12)
    # shared's slice: $2 × 8,760 h used; the pool covered u1 and u2 all 8,760 h each
    shared = by_item["shared"].line_items[0].formula
    assert ("used $17,520.00 of $17,520.00 over 12 month(s) as its slice of the pool u1 + shared "
            "(2 plans), which covered u1 8,760 instance-hours, u2 8,760 instance-hours; "
            "unused $0.00 still paid") in shared
    assert "AWS documents no order among plans of one type" in shared
    assert "used $8,760.00 of $8,760.00 over 12 month(s) as its slice" in (
        by_item["u1"].line_items[0].formula)
    # the 3y plan: $1 × 730 h × 36 months paid, none of it used
    assert "no usage; unused $26,280.00 still paid" in by_item["u2"].line_items[0].formula
    assert "covered by savings plans: u1 + shared 8,760;" in by_item["u2"].line_items[-1].formula


def test_formulas_name_the_three_largest_and_count_the_rest() -> None:
    # "big" ($100/h Compute) covers items a-e (c5.9xlarge at $2, counts 1-5) every hour of 12 × 730:
    # count × 8,760 instance-hours: e 43,800, d 35,040, c 26,280; b + a = 17,520 + 8,760 = 26,280.
    # Used $2 × 15 × 8,760 = $262,800 of $876,000.
    items = [{"kind": "compute", "name": n, "instance_type": "c5.9xlarge", "count": k,
              "unit_prices": RATES} for k, n in enumerate("abcde", start=1)]
    c = cost_plan(plan_from_dict({
        "name": "p", "region": R, "duration_months": 12, "hours_per_month": 730, "items": items,
        "savings_plans": [{"name": "big", "commitment_usd_per_hour": 100.0}]}), CATALOG)
    formula = next(i for i in c.items if i.name == "big").line_items[0].formula
    assert ("used $262,800.00 of $876,000.00 over 12 month(s): e 43,800 instance-hours, "
            "d 35,040 instance-hours, c 26,280 instance-hours and 2 more items "
            "(26,280 instance-hours); unused $613,200.00 still paid") in formula
    # one usage, 5 × c5.9xlarge at $2 = $10/h, and five Compute plans of five classes (terms and
    # payments), so five pools, applied in plan order: each covers amount / $2 of the 5 instances
    # × 8,760 h: p1 $1 → 4,380, p2 $1.5 → 6,570, p3 $2 → 8,760, p4 $2.5 → 10,950,
    # p5 $3 → 13,140; the two smallest: 4,380 + 6,570 = 10,950
    classes = [(1, "no_upfront"), (1, "partial_upfront"), (3, "no_upfront"), (3, "all_upfront"),
               (1, "all_upfront")]
    c = cost_plan(plan_from_dict({
        "name": "p", "region": R, "duration_months": 12, "hours_per_month": 730,
        "items": [{"kind": "compute", "name": "nine", "instance_type": "c5.9xlarge", "count": 5,
                   "unit_prices": RATES}],
        "savings_plans": [{"name": f"p{j}", "commitment_usd_per_hour": a, "term_years": term,
                           "payment": payment}
                          for j, (a, (term, payment)) in
                          enumerate(zip((1.0, 1.5, 2.0, 2.5, 3.0), classes, strict=True), start=1)],
    }), CATALOG)
    usage = next(i for i in c.items if i.name == "nine").line_items[0].formula
    assert usage == ("43,800 instance-hours in all; covered by savings plans: p5 13,140, "
                     "p4 10,950, p3 8,760 and 2 more pools (10,950); 0 left × $4/h on-demand "
                     "= $0.00")


def test_plans_of_one_class_share_one_pool_and_are_named_together() -> None:
    # The same five amounts, all 1y no upfront: one pool of $10/h covering the $10/h of usage.
    # The usage line names the pool (its first three plans and a count); each plan's line says
    # what its slice used: p4 $2.5 × 8,760 h = $21,900 of $21,900, and what the pool covered.
    c = cost_plan(plan_from_dict({
        "name": "p", "region": R, "duration_months": 12, "hours_per_month": 730,
        "items": [{"kind": "compute", "name": "nine", "instance_type": "c5.9xlarge", "count": 5,
                   "unit_prices": RATES}],
        "savings_plans": [{"name": f"p{j}", "commitment_usd_per_hour": a}
                          for j, a in enumerate((1.0, 1.5, 2.0, 2.5, 3.0), start=1)]}), CATALOG)
    by_item = {i.name: i for i in c.items}
    assert ("covered by savings plans: p1 + p2 + p3 + 2 more 43,800; 0 left"
            in by_item["nine"].line_items[0].formula)
    assert ("used $21,900.00 of $21,900.00 over 12 month(s) as its slice of the pool "
            "p1 + p2 + p3 + 2 more (5 plans), which covered nine 43,800 instance-hours; "
            "unused $0.00 still paid") in by_item["p4"].line_items[0].formula
