"""Purchase-strategy timeline on a tiny catalog: break-even, commitments, spot, missing rates."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import PlanFileError
from planner.savings.lifecycle import ON_DEMAND, LifecycleResult, break_even_month, run_lifecycle
from planner.savings.profile import profile_from_dict
from tests.catalog_fixtures import make_catalog, on_demand, reserved, spec_row, spot

R = "r1"
T = "m9.xlarge"
CATALOG = make_catalog(
    instance_specs=[spec_row(T, 4, 16)],
    compute_rates=[
        on_demand(R, T, 0.10),  # 730 h × $0.10 = $73.00 a month
        reserved(R, T, 1, 500.0),  # 1y all upfront: $500 per instance per term
        spot(R, T, 0.03),
    ],
    spot_advisor=[{"region": R, "instance_type": T, "savings_pct_vs_on_demand": 70.0,
              "interruption_bucket": "<5%", "interruption_max_pct": 5.0}],
)


def _run(strategies: list[dict[str, Any]], **usage: Any) -> LifecycleResult:
    profile = profile_from_dict({
        "usage": {"instance_type": T, "region": R, **usage}, "strategies": strategies,
    })
    return run_lifecycle(CATALOG, profile)


def _summary(result: LifecycleResult, name: str) -> Any:
    return next(s for s in result.summary if s.name == name)


def _series(result: LifecycleResult, name: str, column: str) -> list[float]:
    rows = result.monthly[result.monthly.strategy == name]
    return [float(x) for x in rows[column]]


def test_reserved_instance_breaks_even_in_month_7() -> None:
    result = _run([{"name": "ri", "reserved": {"count": 1}}], count=1, horizon_months=12)
    # on-demand cumulative = 73 k; RI = $500 paid in month 1, nothing after (all upfront).
    # 73 × 6 = 438 < 500, 73 × 7 = 511 ≥ 500 → break-even in month 7
    ri = _summary(result, "ri")
    assert ri.break_even_month == 7
    # fractional: $500 on day one against $73 a month accruing evenly: 500 / 73 = 6.849 months
    assert ri.break_even_months == pytest.approx(500 / 73)
    assert ri.break_even_note == ""  # the lines cross once
    assert ri.total_usd == pytest.approx(500.0)
    assert ri.upfront_total_usd == pytest.approx(500.0)
    # savings over 12 months: 12 × 73 − 500 = 876 − 500 = 376
    assert ri.savings_vs_on_demand_usd == pytest.approx(376.0)
    assert _series(result, "ri", "upfront_usd")[:2] == [500.0, 0.0]
    assert result.cheapest == "ri"


def test_renewal_pays_again_and_moves_break_even() -> None:
    result = _run([{"name": "ri", "reserved": {"count": 1}}], count=1, horizon_months=24)
    # renewal in month 13: RI cumulative 1,000 vs on-demand 73 × 13 = 949 (behind),
    # month 14: 73 × 14 = 1,022 ≥ 1,000 and stays ahead → break-even month 14
    ri = _summary(result, "ri")
    assert _series(result, "ri", "upfront_usd")[12] == 500.0
    assert ri.total_usd == pytest.approx(1000.0)
    assert ri.break_even_month == 14
    # fractional: 1,000 / 73 = 13.70 months (month 14: 51 behind at its start, 73 a month)
    assert ri.break_even_months == pytest.approx(1000 / 73)
    # the lines cross first in month 7 (500 ≤ 511), the renewal puts the RI above again in
    # month 13 (1,000 > 949): the note says why the break-even is month 14, not 7
    assert ri.break_even_note == (
        "ri is at or below all on-demand from month 7, goes above it again in month 13 (a new "
        "term's upfront fee or a commitment not used up) and stays at or below it only from "
        "month 14 on")


def test_lapsed_term_falls_back_to_on_demand() -> None:
    result = _run(
        [{"name": "ri", "reserved": {"count": 1, "at_term_end": "lapse"}}],
        count=1, horizon_months=24,
    )
    # months 13–24 on-demand: 500 + 12 × 73 = 1,376; still ahead from month 7
    ri = _summary(result, "ri")
    assert ri.total_usd == pytest.approx(1376.0)
    assert ri.break_even_month == 7


def test_savings_plan_with_unused_commitment() -> None:
    plan = {"commitment_usd_per_hour": 0.14, "plan_usd_per_hour": 0.07}
    result = _run([{"name": "sp", "savings_plan": plan}], monthly_counts=[2, 1, 0, 3],
                  horizon_months=4)
    # commitment paid every month: 0.14 × 730 = $102.20 (no upfront)
    # month 1: 2 × 0.07 = 0.14 $/h needed → all used, unused 0
    # month 2: 1 × 0.07 needed → 0.07 $/h unused × 730 = $51.10
    # month 3: nothing runs → all $102.20 unused
    # month 4: 3 instances: commitment covers 2, the third at on-demand 730 × 0.10 = $73.00
    assert _series(result, "sp", "unused_commitment_usd") == pytest.approx([0.0, 51.1, 102.2, 0.0])
    assert _series(result, "sp", "cost_usd") == pytest.approx([102.2, 102.2, 102.2, 175.2])
    # on-demand: 146, 73, 0, 219 → cumulative 146, 219, 219, 438 vs plan 102.2, 204.4, 306.6,
    # 481.8: behind at the end → never breaks even
    sp = _summary(result, "sp")
    assert sp.break_even_month is None
    assert sp.savings_vs_on_demand_usd == pytest.approx(438.0 - 481.8)
    assert sp.status == "override"


def test_savings_plan_part_time_use_leaves_commitment_idle() -> None:
    plan = {"baseline_count": 2, "plan_usd_per_hour": 0.07}
    result = _run([{"name": "sp", "savings_plan": plan}], count=2,
                  usage_hours_per_month=365, horizon_months=1)
    # commitment = 2 × 0.07 = 0.14 $/h; used the 365 h the instances run, idle the other 365 h:
    # unused = 0.14 × 365 = $51.10; paid 0.14 × 730 = $102.20
    assert _series(result, "sp", "unused_commitment_usd") == pytest.approx([51.1])
    assert _series(result, "sp", "cost_usd") == pytest.approx([102.2])


def test_savings_plan_all_upfront_cash_in_month_one() -> None:
    plan = {"commitment_usd_per_hour": 0.14, "plan_usd_per_hour": 0.07, "payment": "all_upfront"}
    result = _run([{"name": "sp", "savings_plan": plan}], count=2, horizon_months=2)
    # upfront = 0.14 × 8,760 h = $1,226.40 in month 1, then nothing recurring
    assert _series(result, "sp", "upfront_usd") == pytest.approx([1226.4, 0.0])
    assert _series(result, "sp", "cost_usd") == pytest.approx([1226.4, 0.0])


def test_savings_plan_without_a_rate_is_missing_not_dropped() -> None:
    result = _run([{"name": "sp", "savings_plan": {"commitment_usd_per_hour": 1.0}}],
                  horizon_months=3)
    sp = _summary(result, "sp")
    assert sp.total_usd is None
    assert sp.status.startswith("missing:")
    assert "plan_usd_per_hour or discount_pct" in sp.status
    assert all(math.isnan(x) for x in _series(result, "sp", "cost_usd"))
    assert result.cheapest == ON_DEMAND


def test_spot_discount_without_an_on_demand_rate_is_missing_not_the_snapshot_spot_price() -> None:
    # m9.large has a spot price ($0.03) but no on-demand row: a typed 70 % spot discount has
    # nothing to be taken off, so the strategy is missing rather than quietly priced at $0.03.
    bare = "m9.large"
    catalog = make_catalog(instance_specs=[spec_row(bare, 2, 8)], compute_rates=[spot(R, bare, 0.03)])
    profile = profile_from_dict({
        "usage": {"instance_type": bare, "region": R},
        "strategies": [{"name": "s", "spot": {"share_pct": 100, "discount_pct": 70}}],
    })
    s = _summary(run_lifecycle(catalog, profile), "s")
    assert s.total_usd is None
    assert "discount needs an on-demand rate" in s.status


def test_plan_discount_without_an_on_demand_rate_names_the_missing_on_demand_rate() -> None:
    # no on-demand row for this type: a typed discount_pct has nothing to be taken off, so the
    # plan is missing for want of the on-demand rate, not for want of plan_usd_per_hour
    bare = "m9.large"
    catalog = make_catalog(instance_specs=[spec_row(bare, 2, 8)], compute_rates=[on_demand(R, T, 0.10)])
    profile = profile_from_dict({
        "usage": {"instance_type": bare, "region": R},
        "strategies": [{"name": "sp", "savings_plan": {"commitment_usd_per_hour": 1.0,
                                                        "discount_pct": 30}}],
    })
    sp = _summary(run_lifecycle(catalog, profile), "sp")
    assert sp.total_usd is None
    assert "savings plan compute 1y no_upfront: discount needs an on-demand rate" in sp.status
    assert "enter plan_usd_per_hour or discount_pct" not in sp.status


def test_reserved_payment_not_in_snapshot_is_missing_until_a_discount_is_typed() -> None:
    missing = _run([{"name": "ri", "reserved": {"count": 1, "payment": "no_upfront"}}])
    assert _summary(missing, "ri").status.startswith("missing:")
    typed = _run(
        [{"name": "ri", "reserved": {"count": 1, "payment": "no_upfront", "discount_pct": 40}}],
        horizon_months=2,
    )
    # 40 % off $0.10 = $0.06/h, no upfront: 730 × 0.06 = $43.80 a month
    assert _series(typed, "ri", "cost_usd") == pytest.approx([43.8, 43.8])
    assert _summary(typed, "ri").status == "override"


def test_spot_share_pays_the_interruption_overhead() -> None:
    result = _run([{"name": "spot", "spot": {"share_pct": 50}}], count=2, horizon_months=1)
    # bucket <5% → λ = 5 % / 730 h = 6.849e-5 /h; δ = 0.1 h → τ = sqrt(2 δ / λ) = sqrt(2,920)
    # = 54.037 h; λτ = 0.00370116, (τ+δ)λ = 0.00370801, e^x − 1 = 0.00371489;
    # factor = e^{Rλ} (e^{(τ+δ)λ} − 1) / (λ τ) = 1.0000171 × 1.0037103 ≈ 1.003727 (R = 0.25 h)
    lam = 0.05 / 730
    tau = math.sqrt(2 * 0.1 / lam)
    factor = math.exp(0.25 * lam) * math.expm1((tau + 0.1) * lam) / (lam * tau)
    assert factor == pytest.approx(1.003727, abs=1e-6)
    # 1 instance on spot: 730 × 1.003727 × $0.03 = $21.9816; 1 on-demand: $73.00
    assert _series(result, "spot", "cost_usd") == pytest.approx([730 * factor * 0.03 + 73.0])


def test_mix_reserved_baseline_and_spot_above() -> None:
    strategy = {"name": "mix", "reserved": {"count": 1}, "spot": {"share_pct": 100,
                                                                   "spot_usd_per_hour": 0.02}}
    result = _run([strategy], count=3, horizon_months=1)
    # RI covers 1 ($500 upfront); the other 2 on spot at the override $0.02 with the <5% factor
    lam = 0.05 / 730
    tau = math.sqrt(2 * 0.1 / lam)
    factor = math.exp(0.25 * lam) * math.expm1((tau + 0.1) * lam) / (lam * tau)
    assert _series(result, "mix", "cost_usd") == pytest.approx([500 + 2 * 730 * factor * 0.02])


def test_unused_reservation_is_reported() -> None:
    result = _run([{"name": "ri", "reserved": {"count": 2}}], count=1, horizon_months=1)
    # 2 RIs, 1 instance: 730 idle RI hours × effective 500 / 8,760 = $41.667
    assert _series(result, "ri", "unused_commitment_usd") == pytest.approx([730 * 500 / 8760])


def test_break_even_helper() -> None:
    assert break_even_month(np.array([5.0, 6.0, 7.0]), np.array([4.0, 6.0, 8.0])) == 2
    assert break_even_month(np.array([1.0, 9.0]), np.array([2.0, 8.0])) is None
    assert break_even_month(np.array([1.0]), np.array([1.0])) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"usage": {"instance_type": T, "horizon_months": 61}, "strategies": [{"name": "a"}]},
         "usage.horizon_months"),
        ({"usage": {"instance_type": T, "monthly_counts": [1, 2], "horizon_months": 3},
          "strategies": [{"name": "a"}]}, "monthly_counts"),
        ({"usage": {"instance_type": T}, "strategies": [{"name": "a"}, {"name": "a"}]},
         "unique"),
        ({"usage": {"instance_type": T}, "strategies": [
            {"name": "a", "spot": {"share_pct": 120}}]}, "strategies[0].spot.share_pct"),
    ],
)
def test_bad_profile_names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(PlanFileError) as info:
        profile_from_dict(data)
    assert field in str(info.value)


_strategy = st.fixed_dictionaries({}, optional={
    "reserved": st.fixed_dictionaries({
        "count": st.floats(0, 20), "at_term_end": st.sampled_from(["renew", "lapse"]),
    }),
    "spot": st.fixed_dictionaries({"share_pct": st.floats(0, 100)}),
    "savings_plan": st.fixed_dictionaries({
        "commitment_usd_per_hour": st.floats(0, 5), "discount_pct": st.floats(0, 90),
        "payment": st.sampled_from(["no_upfront", "partial_upfront", "all_upfront"]),
        "term_years": st.sampled_from([1, 3]),
    }),
})


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.floats(0, 50), min_size=1, max_size=60),
    hours=st.floats(1, 730),
    strategies=st.lists(_strategy, min_size=1, max_size=6),
)
def test_cumulative_cost_never_decreases_and_on_demand_saves_nothing(
    counts: list[float], hours: float, strategies: list[dict[str, Any]]
) -> None:
    named = [{"name": f"s{i}", **s} for i, s in enumerate(strategies)]
    result = _run(named, monthly_counts=counts, horizon_months=len(counts),
                  usage_hours_per_month=hours)
    for name, rows in result.monthly.groupby("strategy"):
        cumulative = rows["cumulative_usd"].to_numpy()
        assert np.all(np.diff(cumulative) >= -1e-9), name
        assert np.all(rows["cost_usd"].to_numpy() >= -1e-9), name
    # the all-on-demand baseline pays every instance-hour at $0.10: counts[m] × hours × $0.10
    expected = [c * hours * 0.10 for c in counts]
    assert _series(result, result.baseline, "cost_usd") == pytest.approx(expected, abs=1e-9)


def test_shipped_snapshot_m5_reserved_vs_on_demand() -> None:
    from planner.catalog.loader import load_catalog

    profile = profile_from_dict({
        "usage": {"instance_type": "m5.xlarge", "region": "us-east-1", "count": 4,
                  "horizon_months": 36},
        "strategies": [{"name": "ri3", "reserved": {"count": 4, "term_years": 3}}],
    })
    result = run_lifecycle(load_catalog(), profile)
    ri = _summary(result, "ri3")
    # snapshot: $0.192/h on-demand, 3y all upfront $1,897 → 4 × 1,897 = $7,588 vs
    # 4 × 730 × 0.192 = $560.64 a month: 7,588 / 560.64 = 13.5 → break-even in month 14
    assert ri.total_usd == pytest.approx(7588.0)
    assert ri.break_even_month == 14


# --- issue 13: fractional break-even, spot for a service fleet ------------------------------------


def test_break_even_months_hand_worked() -> None:
    # strategy: 2,000 upfront then 500 a month; baseline: 800 a month, no upfront.
    # Cumulative difference after month m: 2,000 − 300 m: +200 after month 6, −100 after month 7
    # → month 7 is the first month at or below; crossing 6 + 200 / (200 + 100) = 6.6667 months
    from planner.savings.lifecycle import break_even_month, break_even_months

    months = 12
    cost = np.full(months, 500.0)
    cost[0] += 2000.0
    upfront = np.zeros(months)
    upfront[0] = 2000.0
    base = np.full(months, 800.0)
    assert break_even_month(np.cumsum(cost), np.cumsum(base)) == 7
    assert break_even_months(
        np.cumsum(cost), np.cumsum(base), upfront, np.zeros(months)
    ) == pytest.approx(6 + 2 / 3)
    # never: always behind
    assert break_even_months(
        np.cumsum(np.full(3, 900.0)), np.cumsum(np.full(3, 800.0)), np.zeros(3), np.zeros(3)
    ) is None
    # ahead from the start (no upfront, cheaper): 0 months
    assert break_even_months(
        np.cumsum(np.full(3, 700.0)), np.cumsum(base[:3]), np.zeros(3), np.zeros(3)
    ) == 0.0


def test_spot_service_fleet_has_no_checkpoint_overhead() -> None:
    from planner.savings.lifecycle import SpotPart, Usage, _spot_rate

    usage = Usage(instance_type="m5.xlarge", region="us-east-1", count=4)
    job = SpotPart(share_pct=50, discount_pct=60, interruption_bucket=">20%")
    service = SpotPart(share_pct=50, discount_pct=60, interruption_bucket=">20%", workload="service")
    _, job_factor, _ = _spot_rate(make_catalog_for_spot(), usage, job, 0.192)
    _, service_factor, how = _spot_rate(make_catalog_for_spot(), usage, service, 0.192)
    assert job_factor is not None and job_factor > 1.0
    assert service_factor == 1.0 and "no checkpoint/restart" in how


def make_catalog_for_spot():
    from tests.catalog_fixtures import make_catalog, on_demand, spec_row

    return make_catalog(instance_specs=[spec_row("m5.xlarge", 4, 16)],
                        compute_rates=[on_demand("us-east-1", "m5.xlarge", 0.192)])
