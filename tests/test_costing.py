"""Plan costing: every compute purchase rule with hand-worked numbers, and the totals' invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.costing import cost_plan
from planner.errors import UnknownNameError
from planner.plan import plan_from_dict
from planner.pricing.savings_plan import CommitmentUsage, cover_with_commitment
from tests.catalog_fixtures import (
    AS_OF,
    SOURCE,
    make_catalog,
    on_demand,
    reserved,
    savings_plan,
    spec_row,
    spot,
)

R = "us-east-1"


CATALOG = make_catalog(
    instance_specs=[spec_row("m5.xlarge", 4, 16), spec_row("c5.xlarge", 4, 8), spec_row("r5.xlarge", 4, 32)],
    compute_rates=[
        on_demand(R, "m5.xlarge", 0.192),
        on_demand(R, "c5.xlarge", 0.17),
        on_demand(R, "r5.xlarge", 0.252),
        reserved(R, "m5.xlarge", 1, 989.0),
        reserved(R, "m5.xlarge", 1, 500.0, 0.05, payment="partial_upfront"),
        spot(R, "m5.xlarge", 0.08),
        savings_plan(R, "m5.xlarge", 0.12),
        savings_plan(R, "m5.xlarge", 0.11, payment="all_upfront"),
        savings_plan(R, "c5.xlarge", 0.119),
    ],
    spot_advisor=[{"region": R, "instance_type": "c5.xlarge", "savings_pct_vs_on_demand": 60.0,
              "interruption_bucket": "<5%", "interruption_max_pct": 5.0}],
)


def _plan(*items: dict, duration: int = 12, hours: float = 730) -> dict:
    return {"name": "t", "region": R, "duration_months": duration, "hours_per_month": hours,
            "items": list(items)}


def _compute(name: str = "a", itype: str = "m5.xlarge", count: int = 1, usage: float | None = None,
             **purchase) -> dict:
    item = {"kind": "compute", "name": name, "instance_type": itype, "count": count,
            "purchase": purchase or {"option": "on_demand"}}
    if usage is not None:
        item["usage_hours_per_month"] = usage
    return item


def cost(data: dict):
    return cost_plan(plan_from_dict(data), CATALOG)


def test_on_demand_usage_hours() -> None:
    # 3 instances × 200 h × $0.192 = $115.20 a month; 12 months = $1,382.40.
    c = cost(_plan(_compute(count=3, usage=200)))
    (line,) = c.line_items
    assert line.quantity == 600 and line.unit == "instance-hour"
    assert line.monthly_usd == pytest.approx(115.20)
    assert c.totals.duration_total_usd == pytest.approx(1382.40)
    assert c.totals.savings_vs_on_demand_usd == pytest.approx(0.0)
    assert line.as_of == AS_OF and line.source == SOURCE


def test_reserved_all_upfront_bills_the_whole_term() -> None:
    # 2 RIs × $989 upfront; hourly fee 0. Duration 6 months still buys one 1-year term.
    # On-demand equivalent: 2 × 730 h × $0.192 × 6 = $1,681.92 → savings 1,681.92 − 1,978 = −296.08.
    c = cost(_plan(_compute(count=2, option="reserved", term_years=1,
                            payment="all_upfront"), duration=6))
    assert c.totals.upfront_usd == pytest.approx(1978.0)
    assert c.totals.monthly_usd == pytest.approx(0.0)
    assert c.totals.duration_total_usd == pytest.approx(1978.0)
    assert c.totals.on_demand_equivalent_usd == pytest.approx(1681.92)
    assert c.totals.savings_vs_on_demand_usd == pytest.approx(-296.08)


def test_reserved_partial_upfront_renews_each_term() -> None:
    # Upfront $500 + $0.05/h × 730 h = $36.50 a month, billed even though the item runs 100 h.
    # 18 months → 2 one-year terms: 2 × 500 + 24 × 36.50 = 1,000 + 876 = $1,876;
    # first year: 500 + 12 × 36.50 = $938.
    c = cost(_plan(_compute(usage=100, option="reserved", term_years=1,
                            payment="partial_upfront"), duration=18))
    assert c.totals.monthly_usd == pytest.approx(36.50)
    assert c.totals.first_year_usd == pytest.approx(938.0)
    assert c.totals.duration_total_usd == pytest.approx(1876.0)
    assert c.items[0].committed_months == 24


def test_missing_reserved_option_is_reported_not_guessed() -> None:
    c = cost(_plan(_compute(option="reserved", term_years=3, offering_class="convertible",
                            payment="no_upfront")))
    assert not c.totals.complete
    assert c.missing == ("a: upfront_usd", "a: hourly_usd")
    assert all(line.unit_price_usd is None for line in c.line_items)
    assert "not in snapshot" in c.line_items[0].source


def test_override_fills_a_missing_rate_and_is_marked() -> None:
    # Convertible 3y no-upfront at a negotiated $0.10/h, upfront $0: 730 × 0.10 = $73 a month.
    item = _compute(option="reserved", term_years=3, offering_class="convertible",
                    payment="no_upfront")
    item["unit_prices"] = {"hourly_usd": 0.10, "upfront_usd": 0}
    c = cost(_plan(item))
    assert c.totals.complete
    assert c.totals.monthly_usd == pytest.approx(73.0)
    assert all(line.override and line.source == "override" for line in c.line_items)


def test_spot_snapshot_average() -> None:
    # 2 × 100 h × $0.08 = $16.
    c = cost(_plan(_compute(count=2, usage=100, option="spot")))
    assert c.totals.monthly_usd == pytest.approx(16.0)


def test_spot_user_savings_pct() -> None:
    # $0.192 × (1 − 0.70) = $0.0576/h × 730 h = $42.048.
    c = cost(_plan(_compute(option="spot", savings_pct=70)))
    assert c.totals.monthly_usd == pytest.approx(42.048)


def test_spot_from_advisor_when_no_price() -> None:
    # c5.xlarge has no spot price; Advisor says 60 % off: $0.17 × 0.4 = $0.068/h × 730 = $49.64.
    c = cost(_plan(_compute(itype="c5.xlarge", option="spot")))
    assert c.totals.monthly_usd == pytest.approx(49.64)
    assert "Spot Advisor" in c.line_items[0].source


def test_spot_missing_everywhere() -> None:
    c = cost(_plan(_compute(itype="r5.xlarge", option="spot")))
    assert not c.totals.complete and c.missing == ("a: hourly_usd",)


def test_savings_plan_default_commitment_covers_the_item() -> None:
    # Commitment = 2 × $0.12 = $0.24/h × 730 h = $175.20; nothing spills to on-demand.
    c = cost(_plan(_compute(count=2, option="savings_plan", term_years=1)))
    assert c.totals.monthly_usd == pytest.approx(175.20)
    assert [line.dimension for line in c.line_items] == ["commitment_usd_per_hour"]


def test_savings_plan_too_small_spills_to_on_demand() -> None:
    # $0.12/h covers one of two instances; the other: 730 h × $0.192 = $140.16.
    # Monthly = 0.12 × 730 + 140.16 = 87.60 + 140.16 = $227.76.
    c = cost(_plan(_compute(count=2, option="savings_plan", term_years=1,
                            commitment_usd_per_hour=0.12)))
    assert c.totals.monthly_usd == pytest.approx(227.76)
    spill = [line for line in c.line_items if line.dimension == "on_demand_hourly_usd"]
    assert spill[0].quantity == pytest.approx(730.0)


def test_savings_plan_unused_commitment_is_still_paid() -> None:
    # Commitment $0.24/h for 730 h = $175.20 even though the two instances run 365 h.
    c = cost(_plan(_compute(count=2, usage=365, option="savings_plan", term_years=1)))
    assert c.totals.monthly_usd == pytest.approx(175.20)
    # unused: $0.24/h × 365 h = $87.60 a month, × 12 months of the term = $1,051.20
    assert "unused commitment $1,051.20 over 12 month(s)" in c.line_items[0].formula


def test_savings_plan_all_upfront_prepays_the_term() -> None:
    # All-upfront plan rate $0.11/h: commitment 2 × 0.11 = $0.22/h × 8,760 h = $1,927.20 paid at
    # the start, nothing hourly.
    c = cost(_plan(_compute(count=2, option="savings_plan", term_years=1, payment="all_upfront")))
    assert c.totals.upfront_usd == pytest.approx(1927.20)
    assert c.totals.monthly_usd == pytest.approx(0.0)


def test_savings_plan_missing_rate_reported() -> None:
    c = cost(_plan(_compute(itype="r5.xlarge", option="savings_plan", term_years=1)))
    assert not c.totals.complete
    assert c.missing == ("a: commitment_usd_per_hour",)


def test_commitment_applies_highest_discount_first() -> None:
    # $0.15/h over 100 h. m5 discount 1 − 0.12/0.192 = 37.5 % beats c5 1 − 0.119/0.17 = 30 %.
    # m5 takes $0.12; c5 gets the remaining $0.03 of its $0.119 need: covered 0.03/0.119 = 25.21 %.
    # c5 on-demand: (1 − 0.252101) × 100 h × $0.17 = $12.7143. Total = 0.15 × 100 + 12.7143.
    result = cover_with_commitment(
        0.15,
        [CommitmentUsage("c5", 1, 100, 0.17, 0.119), CommitmentUsage("m5", 1, 100, 0.192, 0.12)],
        100,
    )
    by_name = {u.name: u for u in result.usages}
    assert by_name["m5"].on_demand_usd == pytest.approx(0.0)
    assert by_name["c5"].on_demand_usd == pytest.approx(12.714286, rel=1e-6)
    assert result.total_usd == pytest.approx(27.714286, rel=1e-6)
    assert result.unused_commitment_usd == pytest.approx(0.0)


def test_commitment_segments_for_usage_that_stops() -> None:
    # $0.24/h over 730 h; 2 instances at $0.12 run only the first 365 h → unused 0.24 × 365 = 87.60.
    result = cover_with_commitment(0.24, [CommitmentUsage("m5", 2, 365, 0.192, 0.12)], 730)
    assert result.unused_commitment_usd == pytest.approx(87.60)
    assert result.usages[0].covered_instance_hours == pytest.approx(730.0)


def test_unknown_instance_type_suggests() -> None:
    with pytest.raises(UnknownNameError, match="did you mean m5.xlarge"):
        cost(_plan(_compute(itype="m5.xlarg")))


def test_unknown_region_suggests() -> None:
    data = _plan(_compute())
    data["region"] = "us-east-9"
    with pytest.raises(UnknownNameError, match="unknown region 'us-east-9'"):
        cost(data)


OPTIONS = st.sampled_from([
    {"option": "on_demand"},
    {"option": "spot"},
    {"option": "reserved", "term_years": 1, "payment": "all_upfront"},
    {"option": "reserved", "term_years": 1, "payment": "partial_upfront"},
    {"option": "savings_plan", "term_years": 1},
])


@settings(max_examples=60, deadline=None)
@given(
    purchase=OPTIONS,
    count=st.integers(1, 50),
    usage=st.floats(1, 730),
    duration=st.integers(1, 60),
)
def test_invariants(purchase: dict, count: int, usage: float, duration: int) -> None:
    c = cost(_plan(_compute(count=count, usage=usage, **purchase), duration=duration))
    more = cost(_plan(_compute(count=count + 1, usage=usage, **purchase), duration=duration))
    t = c.totals
    # Never negative; totals are the sums of the line items; monotone in count.
    assert all(line.monthly_usd >= 0 and line.upfront_usd >= 0 for line in c.line_items)
    assert t.monthly_usd == pytest.approx(sum(line.monthly_usd for line in c.line_items))
    assert t.upfront_usd == pytest.approx(sum(line.upfront_usd for line in c.line_items))
    assert t.duration_total_usd >= t.first_year_usd - 1e-9 or duration < 12
    assert more.totals.duration_total_usd >= t.duration_total_usd - 1e-9
    if purchase["option"] == "on_demand":
        assert t.savings_vs_on_demand_usd == pytest.approx(0.0, abs=1e-6)


def test_item_hours_follow_the_plan_when_they_are_the_whole_month() -> None:
    from planner.plan import item_hours

    assert item_hours(730, 730) is None  # the whole month: follows the plan's hours
    assert item_hours(200, 730) == 200.0
