"""Stacked savings plans, the vectorised pools of :mod:`planner.pricing.stacking`.

``reference_apply_stack`` below is the implementation the planner used before (every commitment
applied on its own, segment by segment, in the plan's order, EC2 Instance plans first), kept as
the slow reference. Where the classes of one type are not interleaved in the plan's order, pooling
them gives the same figures, which the differential tests check; the hand-worked tests pin the
pooling rule where classes interleave, and the slices of a pool.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.billing import SavingsPlanType
from planner.costing import cost_plan
from planner.errors import InputError
from planner.plan import ComputeItem, Plan, plan_from_dict
from planner.pricing.compute import compute_quotes
from planner.pricing.stacked_cost import Usage, _commitments, _rate
from planner.pricing.stacking import (
    RankedStack,
    StackCommitment,
    StackResult,
    StackUsage,
    apply_stack,
    stack_period,
)
from planner.schedule import item_schedule
from tests.catalog_fixtures import make_catalog, spec_row

COMPUTE = SavingsPlanType.COMPUTE
EC2 = SavingsPlanType.EC2_INSTANCE


# --- the reference: the previous apply_stack, unchanged but for its names ------------------------


def _reference_discount(usage: StackUsage, commitment: str) -> float:
    if usage.on_demand_usd_per_hour <= 0:
        return 0.0
    return 1.0 - usage.rates[commitment] / usage.on_demand_usd_per_hour


@dataclass(frozen=True, slots=True)
class _ReferenceRanking:
    entries: list[tuple[str, float]]
    last_free: int


def _reference_rankings(
    commitments: Sequence[StackCommitment], usages: Sequence[StackUsage]
) -> tuple[dict[str, tuple[object, ...]], dict[tuple[object, ...], _ReferenceRanking]]:
    keys: dict[str, tuple[object, ...]] = {}
    out: dict[tuple[object, ...], _ReferenceRanking] = {}
    for c in commitments:
        eligible = [
            u for u in usages
            if c.name in u.rates and (c.family is None or c.family == u.family)
        ]
        key = tuple((u.name, u.rates[c.name]) for u in eligible)
        keys[c.name] = key
        if key in out:
            continue
        eligible.sort(key=lambda u: (-_reference_discount(u, c.name), u.rates[c.name], u.name))
        entries = [(u.name, u.rates[c.name]) for u in eligible]
        free = [i for i, (_, rate) in enumerate(entries) if rate == 0]
        out[key] = _ReferenceRanking(entries, free[-1] if free else -1)
    return keys, out


def reference_apply_stack(
    commitments: Sequence[StackCommitment], usages: Sequence[StackUsage], period_hours: float
) -> StackResult:
    """The REFERENCE (slow, previous) implementation: usage rates keyed by commitment name; each
    commitment applied on its own in every segment, in the given order, EC2 Instance plans first."""
    ordered = [c for c in commitments if c.plan_type is SavingsPlanType.EC2_INSTANCE] + [
        c for c in commitments if c.plan_type is not SavingsPlanType.EC2_INSTANCE
    ]
    covered = {c.name: dict.fromkeys((u.name for u in usages), 0.0) for c in commitments}
    used = dict.fromkeys((c.name for c in commitments), 0.0)
    unused = dict.fromkeys((c.name for c in commitments), 0.0)
    overflow = dict.fromkeys((u.name for u in usages), 0.0)
    keys, rankings = _reference_rankings(ordered, usages)
    cuts = sorted({0.0, period_hours, *(u.hours for u in usages if 0 < u.hours < period_hours)})
    for start, end in pairwise(cuts):
        span = end - start
        left = {u.name: u.instances for u in usages if u.hours > start}
        cursors = dict.fromkeys(rankings, 0)
        for c in ordered:
            remaining = c.usd_per_hour
            key = keys[c.name]
            ranking = rankings[key]
            entries = ranking.entries
            position = cursors[key]
            while position < len(entries) and left.get(entries[position][0], 0.0) <= 0:
                position += 1
            cursors[key] = position
            for index in range(position, len(entries)):
                name, rate = entries[index]
                instances = left.get(name, 0.0)
                if instances <= 0:
                    continue
                if rate == 0:
                    covered[c.name][name] += instances * span
                    left[name] = 0.0
                    continue
                if remaining <= 0 and index > ranking.last_free:
                    break
                spend = min(instances * rate, remaining)
                remaining -= spend
                share = spend / rate
                left[name] = instances - share
                covered[c.name][name] += share * span
                used[c.name] += spend * span
            unused[c.name] += remaining * span
        for name, instances in left.items():
            overflow[name] += max(instances, 0.0) * span
    return StackResult(covered, used, unused, overflow)


# --- differential: pools against the reference where classes are not interleaved ----------------

Case = tuple[list[StackCommitment], list[StackUsage], list[StackCommitment], list[StackUsage], float]


def _case(
    period: float,
    usages: list[tuple[str, float, float, float, dict[str, float]]],
    commitments: list[tuple[str, SavingsPlanType, float, str | None, str]],
) -> Case:
    """Inputs for the pools (rates keyed by class) and for the reference (keyed by name).

    ``usages``: (family, instances, hours, on-demand, {class: plan rate});
    ``commitments``: (name, type, USD/h, family, class)."""
    pooled_c = [StackCommitment(n, t, a, f, rate_class=k) for n, t, a, f, k in commitments]
    reference_c = [StackCommitment(n, t, a, f) for n, t, a, f, _ in commitments]
    pooled_u, reference_u = [], []
    for i, (family, instances, hours, od, rates) in enumerate(usages):
        pooled_u.append(StackUsage(f"u{i}", family, instances, hours, od, rates))
        by_name = {n: rates[k] for n, _, _, _, k in commitments if k in rates}
        reference_u.append(StackUsage(f"u{i}", family, instances, hours, od, by_name))
    return pooled_c, pooled_u, reference_c, reference_u, period


def _assert_same(case: Case) -> None:
    """Pools and reference agree on covered / used / unused / on-demand to 1e-9 relative (of the
    figure, or of the period's whole instance-hours or dollars for figures near 0)."""
    pooled_c, pooled_u, reference_c, reference_u, period = case
    got = apply_stack(pooled_c, pooled_u, period)
    sparse = stack_period(pooled_c, pooled_u, period)
    want = reference_apply_stack(reference_c, reference_u, period)
    hours_scale = period * max(1.0, sum(u.instances for u in pooled_u))
    usd_scale = period * max(1.0, sum(c.usd_per_hour for c in pooled_c))

    def close(a: float, b: float, scale: float) -> bool:
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * scale)

    for c in pooled_c:
        for u in pooled_u:
            h = want.covered_instance_hours[c.name][u.name]
            assert close(got.covered_instance_hours[c.name][u.name], h, hours_scale), (c, u)
            listed = sparse.covered_instance_hours.get(c.name, {}).get(u.name)
            assert listed is None or listed > 0
            assert close(listed or 0.0, h, hours_scale), (c, u)
        assert close(got.used_usd[c.name], want.used_usd[c.name], usd_scale), c
        assert close(got.unused_usd[c.name], want.unused_usd[c.name], usd_scale), c
    for u in pooled_u:
        assert close(got.on_demand_instance_hours[u.name], want.on_demand_instance_hours[u.name],
                     hours_scale), u
    # the costing path (no pairs) gives the same figures, and each pool covered of each usage
    # what its commitments' pairs add up to
    stack = RankedStack.build(pooled_c, pooled_u)
    cover = stack.period(np.array([u.hours for u in pooled_u]), np.ones(len(pooled_c), dtype=bool),
                         period)
    assert cover.used_usd.tolist() == [got.used_usd[c.name] for c in pooled_c]
    assert cover.unused_usd.tolist() == [got.unused_usd[c.name] for c in pooled_c]
    assert cover.on_demand_instance_hours.tolist() == [
        got.on_demand_instance_hours[u.name] for u in pooled_u]
    for pool, (usages, instance_hours) in zip(stack.pools, cover.pool_instance_hours, strict=True):
        by_usage = dict(zip(usages.tolist(), instance_hours.tolist(), strict=True))
        for i in pool.ranked.tolist():
            pairs = sum(got.covered_instance_hours[pooled_c[j].name][pooled_u[i].name]
                        for j in pool.members.tolist())
            assert close(by_usage.get(i, 0.0), pairs, hours_scale), (pool, i)


FAMILIES = ["c5", "m5", "p4d"]
PRICES = [0.0, 0.5, 1.0, 2.0, 3.0, 4.0]
"""Few distinct prices: equal discounts and equal rates come up often."""


@st.composite
def _cases(draw: st.DrawFn) -> Case:
    period = draw(st.sampled_from([1.0, 730.0]))
    classes = {COMPUTE: ["x", "y", "z"][: draw(st.integers(1, 3))],
               EC2: ["e1", "e3"][: draw(st.integers(1, 2))]}
    hours = st.one_of(st.sampled_from([0.0, period / 2, period]),
                      st.floats(0.0, period, allow_nan=False))
    usages = draw(st.lists(st.tuples(
        st.sampled_from(FAMILIES), st.sampled_from([0.0, 1.0, 2.0, 3.5]), hours,
        st.sampled_from([0.0, 1.0, 2.0, 4.0]),
        st.fixed_dictionaries({}, optional={
            k: st.sampled_from(PRICES) for k in classes[COMPUTE] + classes[EC2]}),
    ), max_size=8))
    by_type: dict[SavingsPlanType, list[tuple[str, SavingsPlanType, float, str | None, str]]] = {}
    for plan_type, keys in classes.items():
        for k in draw(st.permutations(keys)):  # one block per class: not interleaved
            for _ in range(draw(st.integers(0, 3))):
                family = draw(st.sampled_from(["c5", "m5", "r5"])) if plan_type is EC2 else None
                amount = draw(st.sampled_from([0.0, 0.5, 1.0, 2.5, 7.0]))
                by_type.setdefault(plan_type, []).append(("", plan_type, amount, family, k))
    # the two types may alternate in any way (EC2 Instance plans are applied first anyway)
    merged: list[tuple[str, SavingsPlanType, float, str | None, str]] = []
    queues = [list(by_type.get(COMPUTE, [])), list(by_type.get(EC2, []))]
    while any(queues):
        q = queues[draw(st.integers(0, 1))] if all(queues) else next(q for q in queues if q)
        merged.append(q.pop(0))
    commitments = [(f"sp{j}", t, a, f, k) for j, (_, t, a, f, k) in enumerate(merged)]
    return _case(period, usages, commitments)


@settings(max_examples=400, deadline=None)
@given(_cases())
def test_pools_equal_the_reference_when_classes_are_not_interleaved(case: Case) -> None:
    _assert_same(case)


@pytest.mark.parametrize("seed", range(12))
def test_pools_equal_the_reference_on_larger_random_stacks(seed: int) -> None:
    # 60 usages with their own hours (up to 61 segments), 40 commitments in 5 class blocks: many
    # slices of a pool cross several usages and several usages share one slice
    rng = random.Random(seed)
    period = 730.0
    keys = {COMPUTE: ["x", "y", "z"], EC2: ["e1", "e3"]}
    usages = []
    for _ in range(60):
        od = rng.choice([1.0, 2.0, 4.0, 8.0])
        rates = {k: round(od * rng.choice([0.0, 0.3, 0.5, 0.5, 0.7, 0.9]), 3)
                 for k in keys[COMPUTE] + keys[EC2] if rng.random() < 0.9}
        hours = rng.choice([0.0, period, round(rng.uniform(0, period), 2)])
        usages.append((rng.choice(FAMILIES), float(rng.randint(0, 4)), hours, od, rates))
    commitments = []
    for plan_type, ks in keys.items():
        for k in rng.sample(ks, len(ks)):
            for _ in range(rng.randint(1, 8 if plan_type is COMPUTE else 6)):
                family = rng.choice(FAMILIES) if plan_type is EC2 else None
                commitments.append((f"sp{len(commitments)}", plan_type,
                                    rng.choice([0.0, 0.4, 1.3, 3.0, 6.5]), family, k))
    rng.shuffle(commitments)  # then restore each type's class blocks, keeping types interleaved
    blocks = {t: iter(sorted((c for c in commitments if c[1] is t),
                             key=lambda c: keys[t].index(c[4]))) for t in keys}
    commitments = [next(blocks[c[1]]) for c in commitments]
    _assert_same(_case(period, usages, commitments))


# --- hand-worked: slices of a pool, zero rates, interleaved classes ------------------------------


def _u(name: str, od: float, rates: dict[str, float], *, instances: float = 1.0,
       hours: float = 1.0, family: str = "c5") -> StackUsage:
    return StackUsage(name, family, instances, hours, od, rates)


def test_a_pool_is_sliced_among_its_commitments_in_their_order() -> None:
    # class x pool: c1 $1.5 then c2 $2.5 = $4/h, one hour. Ranked: a (75% off, $1/h × 1 = $1),
    # b ($1 vs $3: 66.7%, × 2 = $2), c (50%, $2 × 1 = $2). Pool axis: a [0, 1), b [1, 3),
    # c [3, 5) of which [3, 4) is paid. c1 owns [0, 1.5): a 1, b 0.5 / $1 = 0.5 instance;
    # c2 owns [1.5, 4): b 1.5 / $1 = 1.5, c 1 / $2 = 0.5 instance; c: 0.5 instance on-demand
    r = stack_period([StackCommitment("c1", COMPUTE, 1.5, rate_class="x"),
                      StackCommitment("c2", COMPUTE, 2.5, rate_class="x")],
                     [_u("a", 4.0, {"x": 1.0}), _u("b", 3.0, {"x": 1.0}, instances=2),
                      _u("c", 4.0, {"x": 2.0})], 1.0)
    assert r.covered_instance_hours == {"c1": {"a": 1.0, "b": 0.5},
                                        "c2": {"b": 1.5, "c": 0.5}}
    assert r.used_usd == {"c1": 1.5, "c2": 2.5} and r.unused_usd == {"c1": 0.0, "c2": 0.0}
    assert r.on_demand_instance_hours == {"a": 0.0, "b": 0.0, "c": 0.5}


def test_slices_move_when_a_usage_stops() -> None:
    # p1 $1 + p2 $1, one class, 730 h. a: 75% off at $1, runs 365 h; b: 50% off at $1, 730 h.
    # Hours 0-365: a takes [0, 1) → p1, b [1, 2) → p2. Hours 365-730: b takes [0, 1) → p1, p2 idle.
    # p1: a 365 + b 365 instance-hours, used $730; p2: b 365, used $365, unused $1 × 365 = $365
    r = stack_period([StackCommitment("p1", COMPUTE, 1.0, rate_class="x"),
                      StackCommitment("p2", COMPUTE, 1.0, rate_class="x")],
                     [_u("a", 4.0, {"x": 1.0}, hours=365.0), _u("b", 2.0, {"x": 1.0}, hours=730.0)],
                     730.0)
    assert r.covered_instance_hours == {"p1": {"a": 365.0, "b": 365.0}, "p2": {"b": 365.0}}
    assert r.used_usd == {"p1": 730.0, "p2": 365.0}
    assert r.unused_usd == {"p1": 0.0, "p2": 365.0}
    assert r.on_demand_instance_hours == {"a": 0.0, "b": 0.0}


def test_zero_rate_usage_is_covered_whole_by_the_pools_first_commitment() -> None:
    # free: plan rate $0, 2 instances × 730 h = 1,460 instance-hours, counted to p0 (the pool's
    # first commitment, though it commits $0). late: on-demand $0, so its discount is 0 and it
    # ranks last; it is covered whole too (730), by p0, after the pool ran out. paid: 50% off at
    # $1, needs $1 but the pool has $0.5 (p1's): 0.5 × 730 = 365 covered by p1, 365 on-demand
    r = stack_period([StackCommitment("p0", COMPUTE, 0.0, rate_class="x"),
                      StackCommitment("p1", COMPUTE, 0.5, rate_class="x")],
                     [_u("free", 1.0, {"x": 0.0}, instances=2, hours=730.0),
                      _u("late", 0.0, {"x": 0.0}, hours=730.0),
                      _u("paid", 2.0, {"x": 1.0}, hours=730.0)], 730.0)
    assert r.covered_instance_hours == {"p0": {"free": 1460.0, "late": 730.0},
                                        "p1": {"paid": 365.0}}
    assert r.used_usd == {"p0": 0.0, "p1": 365.0} and r.unused_usd == {"p0": 0.0, "p1": 0.0}
    assert r.on_demand_instance_hours == {"free": 0.0, "late": 0.0, "paid": 365.0}


INTERLEAVED = [StackCommitment("a", COMPUTE, 1.0, rate_class="x"),
               StackCommitment("b", COMPUTE, 1.0, rate_class="y"),
               StackCommitment("c", COMPUTE, 2.0, rate_class="x")]
THREE = [_u("u1", 4.0, {"x": 1.0, "y": 2.0}), _u("u2", 4.0, {"x": 2.0, "y": 1.0}),
         _u("u3", 4.0, {"x": 3.0})]


def test_interleaved_classes_are_pooled_in_the_order_of_their_first_commitment() -> None:
    # Plan order a (class x), b (y), c (x); one hour; every usage on-demand $4, 1 instance.
    # Pools: x = a + c = $3 (first, as a comes first), then y = b = $1.
    # x ranks u1 (75% off, $1), u2 (50%, $2), u3 (25%, $3): axis u1 [0, 1), u2 [1, 3), u3 [3, 6);
    # $3 covers u1 and u2; a owns [0, 1) → u1, c owns [1, 3) → u2 ($2 / $2 = 1 instance).
    # y: u1 and u2 are covered, u3 has no y rate: b unused $1. u3 on-demand: 1 instance-hour.
    # The hour costs $4 committed + $4 on-demand = $8.
    r = apply_stack(INTERLEAVED, THREE, 1.0)
    assert r.covered_instance_hours == {"a": {"u1": 1.0, "u2": 0.0, "u3": 0.0},
                                        "b": {"u1": 0.0, "u2": 0.0, "u3": 0.0},
                                        "c": {"u1": 0.0, "u2": 1.0, "u3": 0.0}}
    assert r.used_usd == {"a": 1.0, "b": 0.0, "c": 2.0}
    assert r.unused_usd == {"a": 0.0, "b": 1.0, "c": 0.0}
    assert r.on_demand_instance_hours == {"u1": 0.0, "u2": 0.0, "u3": 1.0}


def test_the_reference_applied_interleaved_classes_one_by_one() -> None:
    # What the planner did before, for the same inputs: a ($1, x) covers u1 ($1); b ($1, y)
    # covers u2 at its y rate $1; c ($2, x) finds only u3 ($3 at x): 2/3 instance, 1/3 on-demand.
    # The hour cost $4 + 1/3 × $4 = $5.33 (the new rule: $8, test above).
    by_name = [StackUsage(u.name, u.family, u.instances, u.hours, u.on_demand_usd_per_hour,
                          {c.name: u.rates[c.rates_key] for c in INTERLEAVED
                           if c.rates_key in u.rates}) for u in THREE]
    r = reference_apply_stack([StackCommitment(c.name, c.plan_type, c.usd_per_hour)
                               for c in INTERLEAVED], by_name, 1.0)
    assert r.covered_instance_hours["c"]["u3"] == pytest.approx(2 / 3)
    assert r.on_demand_instance_hours["u3"] == pytest.approx(1 / 3)
    assert r.unused_usd == {"a": 0.0, "b": 0.0, "c": 0.0}


def test_ec2_instance_pools_come_first_and_each_covers_its_family() -> None:
    # Compute x $2 listed first, then EC2 Instance c5 plans e1 $1 and e2 $1 (one class, one pool:
    # $2) and an m5 plan of the same class ($5, its own pool, no m5 usage: all unused).
    # c5 pool: n (75% off at $1) [0, 1) → e1, k (50% at $2, 1 instance) [1, 3): e2 covers half.
    # Compute x: k's other half at its x rate $3 → $1.5; x unused $0.5.
    r = stack_period([StackCommitment("x", COMPUTE, 2.0, rate_class="x"),
                      StackCommitment("e1", EC2, 1.0, "c5", rate_class="e"),
                      StackCommitment("m", EC2, 5.0, "m5", rate_class="e"),
                      StackCommitment("e2", EC2, 1.0, "c5", rate_class="e")],
                     [_u("n", 4.0, {"e": 1.0, "x": 2.0}), _u("k", 4.0, {"e": 2.0, "x": 3.0})], 1.0)
    assert r.covered_instance_hours == {"e1": {"n": 1.0}, "e2": {"k": 0.5}, "x": {"k": 0.5}}
    assert r.used_usd == {"x": 1.5, "e1": 1.0, "m": 0.0, "e2": 1.0}
    assert r.unused_usd == {"x": 0.5, "e1": 0.0, "m": 5.0, "e2": 0.0}
    assert r.on_demand_instance_hours == {"n": 0.0, "k": 0.0}


def test_commitments_without_eligible_usage_and_bad_input() -> None:
    # no usage at all: one segment of 730 h, all unused
    r = stack_period([StackCommitment("x", COMPUTE, 2.0)], [], 730.0)
    assert r.unused_usd == {"x": 1460.0} and r.used_usd == {"x": 0.0}
    assert r.covered_instance_hours == {}
    with pytest.raises(InputError, match="period_hours"):
        stack_period([], [], 0.0)
    with pytest.raises(InputError, match="needs a family"):
        stack_period([StackCommitment("e", EC2, 1.0)], [], 730.0)


# --- whole plans: cost_plan against the reference applied month by month ------------------------

PLAN_TYPES = ["m5.xlarge", "c5.xlarge", "r5.xlarge"]
PLAN_CATALOG = make_catalog(
    instance_specs=[spec_row(t, 4, 16) for t in PLAN_TYPES],
    compute_rates=[
        {"region": "us-east-1", "instance_type": t, "purchase_option": "on_demand",
         "hourly_usd": od, "upfront_usd": 0.0, "effective_hourly_usd": od, "term_years": 0.0}
        for t, od in zip(PLAN_TYPES, (0.2, 0.17, 0.25), strict=True)
    ] + [
        {"region": "us-east-1", "instance_type": t, "purchase_option": "savings_plan",
         "term_years": term, "payment_option": "no_upfront", "plan_type": plan_type,
         "hourly_usd": rate, "upfront_usd": 0.0, "effective_hourly_usd": rate}
        for t, od in zip(PLAN_TYPES, (0.2, 0.17, 0.25), strict=True)
        for plan_type, term, rate in (("compute", 1.0, od * 0.7), ("compute", 3.0, od * 0.5),
                                      ("ec2_instance", 1.0, od * 0.6))
    ],
)
CLASSES = [("compute", 1), ("compute", 3), ("ec2_instance", 1)]


def _random_plan(rng: random.Random) -> Plan:
    """Compute items (on-demand and no-upfront savings plans in one block per class, each with
    its own hours, start and window) and plan-level plans of the last class or of a new one."""
    months = rng.choice([3, 12])
    classes = rng.sample(CLASSES, rng.randint(1, 3))
    items = []
    blocks: list[tuple[str, int] | None] = [*classes, None]  # None: on-demand items only
    for block in blocks:
        for _ in range(rng.randint(1, 6)):
            item: dict = {
                "kind": "compute", "name": f"i{len(items)}", "instance_type": rng.choice(PLAN_TYPES),
                "count": rng.randint(1, 3), "start_month": rng.randint(1, months),
                "usage_hours_per_month": rng.choice([730, 365, round(rng.uniform(1, 730), 1)]),
            }
            if block is not None and rng.random() < 0.7:
                item["purchase"] = {"option": "savings_plan", "term_years": block[1],
                                    "plan_type": block[0]}
                if rng.random() < 0.5:
                    item["purchase"]["commitment_usd_per_hour"] = rng.choice([0.0, 0.1, 0.3])
            if rng.random() < 0.2:
                item["unit_prices"] = {"compute_sp_hourly_usd": rng.choice([0.0, 0.08])}
            items.append(item)
    plan_type, term = rng.choice([classes[-1], *[c for c in CLASSES if c not in classes]])
    savings_plans: list[dict] = [
        {"name": f"sp{j}", "plan_type": plan_type, "term_years": term,
         "commitment_usd_per_hour": rng.choice([0.2, 0.5, 1.5]),
         "start_month": rng.randint(1, months)}
        for j in range(rng.randint(1, 3))
    ]
    for sp in savings_plans:
        if plan_type == "ec2_instance":
            sp["instance_family"] = rng.choice(["m5", "c5", "r5"])
    return plan_from_dict({"name": "r", "region": "us-east-1", "duration_months": months,
                           "hours_per_month": 730, "items": items, "savings_plans": savings_plans})


def _reference_months_usd(plan: Plan) -> dict[str, list[float]]:
    """Each compute item's bill per month [USD]: its no-upfront commitment in the months its
    terms cover, plus what the reference leaves uncovered × its on-demand price."""
    usages = [Usage(i, compute_quotes(i, PLAN_CATALOG, plan.region), item_schedule(i, plan))
              for i in plan.items if isinstance(i, ComputeItem)]
    commitments = _commitments(plan, usages)
    rates = {u.item.name: {c.name: r for c in commitments
                           if (r := _rate(u, c, PLAN_CATALOG, plan.region)) is not None}
             for u in usages}
    out = {}
    for u in usages:
        own = next((c for c in commitments if c.owner == u.item.name), None)
        out[u.item.name] = [own.usd_per_hour * plan.hours_per_month * own.terms.covered[m]
                            if own else 0.0 for m in range(plan.duration_months)]
    for m in range(plan.duration_months):
        active = [StackCommitment(c.name, c.plan_type, c.usd_per_hour, c.family)
                  for c in commitments if c.terms.covered[m]]
        running = [StackUsage(u.item.name, u.item.instance_type.split(".")[0],
                              float(u.item.count), float(u.schedule.hours[m]),
                              u.quotes.on_demand.price_usd or 0.0, rates[u.item.name])
                   for u in usages if u.schedule.hours[m] > 0]
        result = reference_apply_stack(active, running, plan.hours_per_month)
        for s in running:
            out[s.name][m] += result.on_demand_instance_hours[s.name] * s.on_demand_usd_per_hour
    return out


@pytest.mark.parametrize("seed", range(15))
def test_whole_plans_equal_the_reference_month_by_month(seed: int) -> None:
    # classes are not interleaved, so pooling must not change any figure: every compute item's
    # bill in every month of the plan is the reference's, to 1e-9 of the item's largest month
    plan = _random_plan(random.Random(seed))
    expected = _reference_months_usd(plan)
    got = {i.name: i.months_usd for i in cost_plan(plan, PLAN_CATALOG).items}
    for name, months in expected.items():
        scale = max(1.0, *map(abs, months))
        assert got[name][: len(months)] == pytest.approx(months, rel=1e-9, abs=1e-9 * scale), name
