"""Several savings plans at once, applied as AWS applies them in each hour.

AWS Savings Plans User Guide, "Understanding how Savings Plans apply to your AWS usage"
(https://docs.aws.amazon.com/savingsplans/latest/userguide/sp-applying.html): EC2 Instance
Savings Plans are applied before Compute Savings Plans; within a plan, usage with the highest
savings percentage against on-demand first; "If there are multiple usages with equal savings
percentages, Savings Plans are applied to the first usage with the lowest Savings Plans rate";
remaining usage is charged at on-demand rates; the commitment is paid whether used or not.

An EC2 Instance plan covers only its family (and region); a Compute plan covers every eligible
usage. Commitments of one type are applied one after another in the plan's order, each highest
discount first (with equal rates this is the same as applying them together). Time within a
period follows :mod:`planner.pricing.savings_plan`: usages start at hour 0 and the period is cut
at each usage's end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from planner.billing import SavingsPlanType
from planner.errors import InputError


@dataclass(frozen=True, slots=True)
class StackUsage:
    """Eligible usage in one period."""

    name: str
    family: str
    instances: float
    hours: float
    on_demand_usd_per_hour: float
    rates: Mapping[str, float]
    """Plan rate per instance-hour [USD/h] under each commitment (by name); a commitment missing
    here cannot cover this usage (its rate is unknown)."""


@dataclass(frozen=True, slots=True)
class StackCommitment:
    name: str
    plan_type: SavingsPlanType
    usd_per_hour: float
    family: str | None = None
    """EC2 Instance plans: the family they cover."""


@dataclass(frozen=True, slots=True)
class StackResult:
    """How each commitment covered each usage over one period."""

    covered_instance_hours: dict[str, dict[str, float]]
    """commitment → usage → instance-hours covered."""
    used_usd: dict[str, float]
    unused_usd: dict[str, float]
    on_demand_instance_hours: dict[str, float]
    """usage → instance-hours left to on-demand."""


def _discount(usage: StackUsage, commitment: str) -> float:
    if usage.on_demand_usd_per_hour <= 0:
        return 0.0
    return 1.0 - usage.rates[commitment] / usage.on_demand_usd_per_hour


@dataclass(frozen=True, slots=True)
class _Ranking:
    """A commitment's eligible usages as (name, plan rate), highest discount first, ties to the
    lower rate, then by name; fixed within a period, so it is built once per set of rates."""

    entries: list[tuple[str, float]]
    last_free: int
    """Index of the last usage whose plan rate is 0 (covered even when nothing is left); -1 if none."""


def _rankings(
    commitments: Sequence[StackCommitment], usages: Sequence[StackUsage]
) -> tuple[dict[str, tuple[object, ...]], dict[tuple[object, ...], _Ranking]]:
    """Each commitment's ranking key, and one ranking per key: commitments with the same rates
    over the same usages share it (and its cursor past exhausted usages within a segment)."""
    keys: dict[str, tuple[object, ...]] = {}
    out: dict[tuple[object, ...], _Ranking] = {}
    for c in commitments:
        eligible = [
            u for u in usages
            if c.name in u.rates and (c.family is None or c.family == u.family)
        ]
        key = tuple((u.name, u.rates[c.name]) for u in eligible)
        keys[c.name] = key
        if key in out:
            continue
        eligible.sort(key=lambda u: (-_discount(u, c.name), u.rates[c.name], u.name))
        entries = [(u.name, u.rates[c.name]) for u in eligible]
        free = [i for i, (_, rate) in enumerate(entries) if rate == 0]
        out[key] = _Ranking(entries, free[-1] if free else -1)
    return keys, out


def apply_stack(
    commitments: Sequence[StackCommitment], usages: Sequence[StackUsage], period_hours: float
) -> StackResult:
    """Apply ``commitments`` to ``usages`` over ``period_hours``: EC2 Instance plans first."""
    if not period_hours > 0:
        raise InputError("period_hours", "must be > 0")
    ordered = [c for c in commitments if c.plan_type is SavingsPlanType.EC2_INSTANCE] + [
        c for c in commitments if c.plan_type is not SavingsPlanType.EC2_INSTANCE
    ]
    covered = {c.name: dict.fromkeys((u.name for u in usages), 0.0) for c in commitments}
    used = dict.fromkeys((c.name for c in commitments), 0.0)
    unused = dict.fromkeys((c.name for c in commitments), 0.0)
    overflow = dict.fromkeys((u.name for u in usages), 0.0)
    keys, rankings = _rankings(ordered, usages)
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
                position += 1  # exhausted or stopped: so for every later commitment of this ranking
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
                    break  # nothing left to spend and no usage further on is free
                spend = min(instances * rate, remaining)
                remaining -= spend
                share = spend / rate
                left[name] = instances - share
                covered[c.name][name] += share * span
                used[c.name] += spend * span
            unused[c.name] += remaining * span
        for name, instances in left.items():
            overflow[name] += max(instances, 0.0) * span
    for c in commitments:
        if c.plan_type is SavingsPlanType.EC2_INSTANCE and c.family is None:
            raise InputError(f"savings plan {c.name!r}", "an EC2 Instance plan needs a family")
    return StackResult(covered, used, unused, overflow)
