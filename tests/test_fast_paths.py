"""Pre-built look-ups and the linear savings-plan pooling give what the plain computations give."""

from __future__ import annotations

import math
from itertools import pairwise

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.billing import PurchaseOption
from planner.catalog.query import compute_rate, instance_spec, spot_advice
from planner.pricing.savings_plan import CommitmentUsage, cover_with_commitment
from planner.pricing.stacking import StackCommitment, StackUsage, apply_stack
from tests.catalog_fixtures import make_catalog, spec_row

R1, R2 = "us-east-1", "eu-west-1"
CATALOG = make_catalog(
    instance_specs=[spec_row("m5.xlarge", 4, 16), spec_row("c5.4xlarge", 16, 32)],
    compute_rates=[
        {"region": R1, "instance_type": "m5.xlarge", "purchase_option": "on_demand",
         "term_years": 0.0, "upfront_usd": 0.0, "hourly_usd": 0.192, "effective_hourly_usd": 0.192},
        {"region": R2, "instance_type": "m5.xlarge", "purchase_option": "on_demand",
         "term_years": 0.0, "upfront_usd": 0.0, "hourly_usd": 0.214, "effective_hourly_usd": 0.214,
         "as_of": "2025-01-02", "source": "eu feed"},
        {"region": R1, "instance_type": "m5.xlarge", "purchase_option": "reserved",
         "term_years": 1.0, "offering_class": "standard", "payment_option": "all_upfront",
         "upfront_usd": 1000.0, "hourly_usd": 0.0, "effective_hourly_usd": 1000 / 8760},
        {"region": R1, "instance_type": "m5.xlarge", "purchase_option": "reserved",
         "term_years": 3.0, "offering_class": "standard", "payment_option": "partial_upfront",
         "effective_hourly_usd": 0.08},  # split unknown: not billable
        {"region": R1, "instance_type": "c5.4xlarge", "purchase_option": "savings_plan",
         "term_years": 1.0, "payment_option": "no_upfront", "plan_type": "compute",
         "upfront_usd": 0.0, "hourly_usd": 0.5, "effective_hourly_usd": 0.5},
        {"region": R1, "instance_type": "c5.4xlarge", "purchase_option": "spot",
         "term_years": 0.0, "upfront_usd": 0.0, "hourly_usd": 0.3, "effective_hourly_usd": 0.3},
    ],
    spot_advisor=[
        {"region": R1, "instance_type": "m5.xlarge", "savings_pct_vs_on_demand": 62.0,
         "interruption_bucket": "<5%", "interruption_max_pct": 5.0},
        {"region": R2, "instance_type": "c5.4xlarge", "savings_pct_vs_on_demand": 55.0,
         "interruption_bucket": "10-15%", "interruption_max_pct": 15.0},
    ],
)

KEYS = [
    (R1, "m5.xlarge", "on_demand", 0, "", "", ""),
    (R2, "m5.xlarge", "on_demand", 0, "", "", ""),
    (R2, "c5.4xlarge", "on_demand", 0, "", "", ""),
    (R1, "m5.xlarge", "reserved", 1, "standard", "all_upfront", ""),
    (R1, "m5.xlarge", "reserved", 3, "standard", "partial_upfront", ""),
    (R1, "m5.xlarge", "reserved", 3, "standard", "all_upfront", ""),
    (R1, "c5.4xlarge", "savings_plan", 1, "", "no_upfront", "compute"),
    (R1, "c5.4xlarge", "spot", 0, "", "", ""),
]


def _rate_by_mask(region, itype, option, term, cls, payment, plan):  # type: ignore[no-untyped-def]
    """The plain way: filter the table, take the row (what the look-up replaces)."""
    rates = CATALOG.compute_rates
    row = rates[(rates["region"] == region) & (rates["instance_type"] == itype)
                & (rates["purchase_option"] == option) & (rates["term_years"] == float(term))
                & (rates["offering_class"] == cls) & (rates["payment_option"] == payment)
                & (rates["plan_type"] == plan)]
    if row.empty or pd.isna(row["upfront_usd"].iloc[0]) or pd.isna(row["hourly_usd"].iloc[0]):
        return None
    r = row.iloc[0]
    return (float(r["upfront_usd"]), float(r["hourly_usd"]), float(r["effective_hourly_usd"]),
            r["as_of"], r["source"])


@pytest.mark.parametrize("key", KEYS)
def test_compute_rate_equals_the_filtered_row(key: tuple) -> None:
    region, itype, option, term, cls, payment, plan = key
    found = compute_rate(CATALOG, region, itype, PurchaseOption(option), term_years=term,
                         offering_class=cls, payment=payment, plan_type=plan)
    expected = _rate_by_mask(*key)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (found.upfront_usd, found.hourly_usd, found.effective_hourly_usd, found.as_of,
                found.source) == expected
        assert (found.region, found.instance_type, found.term_years) == (region, itype, term)


def test_spot_advice_and_specs_equal_the_rows() -> None:
    advice = spot_advice(CATALOG, R1, "m5.xlarge")
    assert advice is not None
    assert (advice.savings_pct_vs_on_demand, advice.interruption_bucket) == (62.0, "<5%")
    assert spot_advice(CATALOG, R1, "c5.4xlarge") is None  # the feed has it in eu-west-1 only
    eu = spot_advice(CATALOG, R2, "c5.4xlarge")
    assert eu is not None and eu.interruption_max_pct == 15.0
    spec = instance_spec(CATALOG, "c5.4xlarge")
    assert (spec.vcpu, spec.memory_gib, spec.family) == (16, 32.0, "c5")


# --- pooling: the linear pass against the segment-by-segment computation ----------------------


def _cover_by_segments(commitment: float, usages: list[CommitmentUsage], period: float):  # type: ignore[no-untyped-def]
    """Reference: each segment of the period, the commitment from the top of the ranking down."""
    order = sorted(range(len(usages)), key=lambda i: (-usages[i].discount, usages[i].name))
    cuts = sorted({0.0, period, *(u.hours for u in usages if 0 < u.hours < period)})
    covered = [0.0] * len(usages)
    uncovered = [0.0] * len(usages)
    unused = 0.0
    for start, end in pairwise(cuts):
        span, remaining = end - start, commitment
        for i in order:
            u = usages[i]
            if u.hours <= start or u.instances == 0:
                continue
            need = u.instances * u.plan_usd_per_hour
            if need == 0:
                covered[i] += u.instances * span
                continue
            used = min(need, remaining)
            remaining -= used
            covered[i] += u.instances * used / need * span
            uncovered[i] += u.instances * (1 - used / need) * span
        unused += remaining * span
    return covered, uncovered, unused


usage_strategy = st.builds(
    CommitmentUsage,
    name=st.sampled_from("abcdefgh"),
    instances=st.sampled_from([0.0, 1.0, 2.0, 3.0, 8.0]),
    hours=st.sampled_from([0.0, 50.0, 100.0, 365.0, 500.5, 730.0]),
    on_demand_usd_per_hour=st.sampled_from([1.0, 2.5, 4.0, 10.0]),
    plan_usd_per_hour=st.sampled_from([0.0, 0.5, 0.8, 1.0, 2.0]),
)


@settings(max_examples=300, deadline=None)
@given(
    commitment=st.sampled_from([0.0, 0.5, 1.0, 2.5, 4.0, 7.3, 20.0]),
    usages=st.lists(usage_strategy, max_size=8, unique_by=lambda u: u.name),
)
def test_linear_pooling_equals_segment_by_segment(commitment: float, usages: list) -> None:
    usages = [u for u in usages if u.plan_usd_per_hour <= u.on_demand_usd_per_hour]
    result = cover_with_commitment(commitment, usages, 730.0)
    covered, uncovered, unused = _cover_by_segments(commitment, usages, 730.0)
    for got, c, o in zip(result.usages, covered, uncovered, strict=True):
        assert got.covered_instance_hours == pytest.approx(c, rel=1e-9, abs=1e-6)
        assert got.on_demand_instance_hours == pytest.approx(o, rel=1e-9, abs=1e-6)
    assert result.unused_commitment_usd == pytest.approx(unused, rel=1e-9, abs=1e-6)
    total_hours = sum(u.instances * u.hours for u in usages)
    assert sum(g.covered_instance_hours + g.on_demand_instance_hours for g in result.usages) == (
        pytest.approx(total_hours, rel=1e-9, abs=1e-6)
    )


def test_pool_worked_by_hand() -> None:
    """$3/h over a 730 h month. A: 2 × $1/h plan vs $2 on-demand (50 %), 730 h. B: 1 × $2/h plan
    vs $2.5 (20 %), 365 h. C: 1 × $1/h vs $1.25 (20 %, after B by name), 100 h.
    Hours 0-100: A takes $2, B the last $1 (half of B), C nothing.
    Hours 100-365: the same (C has stopped; it was never reached).
    Hours 365-730: A takes $2, $1 unused.
    A covered 2 × 730 = 1,460; B covered 0.5 × 365 = 182.5, uncovered 182.5; C uncovered 100;
    unused $1 × 365 = $365."""
    result = cover_with_commitment(3.0, [
        CommitmentUsage("A", 2, 730, 2.0, 1.0), CommitmentUsage("B", 1, 365, 2.5, 2.0),
        CommitmentUsage("C", 1, 100, 1.25, 1.0),
    ], 730.0)
    a, b, c = result.usages
    assert (a.covered_instance_hours, a.on_demand_instance_hours) == (1460.0, 0.0)
    assert (b.covered_instance_hours, b.on_demand_instance_hours) == (182.5, 182.5)
    assert (c.covered_instance_hours, c.on_demand_instance_hours) == (0.0, 100.0)
    assert result.unused_commitment_usd == 365.0
    assert b.commitment_used_usd == 365.0 and a.commitment_used_usd == 2 * 730.0
    assert result.on_demand_usd == 182.5 * 2.5 + 100 * 1.25


def test_commitment_equal_to_the_usage_leaves_no_sliver_uncovered() -> None:
    usages = [CommitmentUsage(n, 3, 730, 0.3, 0.1 + k / 10) for k, n in enumerate("abc")]
    pool = sum(u.instances * u.plan_usd_per_hour for u in usages)
    result = cover_with_commitment(pool, usages, 730.0)
    assert all(u.on_demand_instance_hours == 0.0 for u in result.usages)


# --- stacked plans: ranking once per period, as the per-segment ranking did --------------------


def _stack_by_segments(commitments, usages, period):  # type: ignore[no-untyped-def]
    """Reference: rank the eligible usages again in every segment."""
    ordered = [c for c in commitments if c.plan_type.value == "ec2_instance"] + [
        c for c in commitments if c.plan_type.value != "ec2_instance"]
    covered = {c.name: dict.fromkeys((u.name for u in usages), 0.0) for c in commitments}
    overflow = dict.fromkeys((u.name for u in usages), 0.0)
    unused = dict.fromkeys((c.name for c in commitments), 0.0)
    cuts = sorted({0.0, period, *(u.hours for u in usages if 0 < u.hours < period)})
    for start, end in pairwise(cuts):
        span = end - start
        left = {u.name: u.instances for u in usages if u.hours > start}
        for c in ordered:
            remaining = c.usd_per_hour
            eligible = sorted(
                (u for u in usages if u.name in left and c.name in u.rates
                 and (c.family is None or c.family == u.family)),
                key=lambda u, c=c: (-(1 - u.rates[c.name] / u.on_demand_usd_per_hour),
                                    u.rates[c.name], u.name))
            for u in eligible:
                rate = u.rates[c.name]
                if left[u.name] <= 0:
                    continue
                if rate == 0:
                    covered[c.name][u.name] += left[u.name] * span
                    left[u.name] = 0.0
                    continue
                spend = min(left[u.name] * rate, remaining)
                remaining -= spend
                left[u.name] -= spend / rate
                covered[c.name][u.name] += spend / rate * span
            unused[c.name] += remaining * span
        for name, instances in left.items():
            overflow[name] += max(instances, 0.0) * span
    return covered, overflow, unused


@settings(max_examples=150, deadline=None)
@given(
    amounts=st.lists(st.sampled_from([0.0, 0.5, 1.0, 3.0]), min_size=1, max_size=4),
    usages=st.lists(st.tuples(
        st.sampled_from(["c5", "m5"]), st.sampled_from([1.0, 2.0, 4.0]),
        st.sampled_from([100.0, 365.0, 730.0]), st.sampled_from([1.0, 2.0, 4.0]),
        st.sampled_from([0.0, 0.5, 1.0]),
    ), max_size=6),
)
def test_stack_ranked_once_equals_ranked_per_segment(amounts: list, usages: list) -> None:
    from planner.billing import SavingsPlanType

    commitments = [
        StackCommitment(f"sp{k}", SavingsPlanType.EC2_INSTANCE if k % 2 else SavingsPlanType.COMPUTE,
                        amount, "c5" if k % 2 else None)
        for k, amount in enumerate(amounts)
    ]
    stack_usages = [
        StackUsage(f"u{k}", family, instances, hours, od,
                   {c.name: (rate if k % 3 else rate / 2) for c in commitments})
        for k, (family, instances, hours, od, rate) in enumerate(usages)
    ]
    result = apply_stack(commitments, stack_usages, 730.0)
    covered, overflow, unused = _stack_by_segments(commitments, stack_usages, 730.0)
    for c in commitments:
        for u in stack_usages:
            assert math.isclose(result.covered_instance_hours[c.name][u.name],
                                covered[c.name][u.name], rel_tol=1e-9, abs_tol=1e-6)
        assert math.isclose(result.unused_usd[c.name], unused[c.name], rel_tol=1e-9, abs_tol=1e-6)
    for u in stack_usages:
        assert math.isclose(result.on_demand_instance_hours[u.name], overflow[u.name],
                            rel_tol=1e-9, abs_tol=1e-6)
