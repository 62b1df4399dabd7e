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
    cuts = sorted({0.0, period_hours, *(u.hours for u in usages if 0 < u.hours < period_hours)})
    for start, end in pairwise(cuts):
        span = end - start
        left = {u.name: u.instances for u in usages if u.hours > start}
        for c in ordered:
            remaining = c.usd_per_hour
            eligible = [
                u for u in usages
                if u.name in left and c.name in u.rates
                and (c.family is None or c.family == u.family)
            ]
            eligible.sort(key=lambda u: (-_discount(u, c.name), u.rates[c.name], u.name))
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
                instances = spend / rate
                left[u.name] -= instances
                covered[c.name][u.name] += instances * span
                used[c.name] += spend * span
            unused[c.name] += remaining * span
        for name, instances in left.items():
            overflow[name] += max(instances, 0.0) * span
    for c in commitments:
        if c.plan_type is SavingsPlanType.EC2_INSTANCE and c.family is None:
            raise InputError(f"savings plan {c.name!r}", "an EC2 Instance plan needs a family")
    return StackResult(covered, used, unused, overflow)
