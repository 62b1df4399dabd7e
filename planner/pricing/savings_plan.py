"""Savings Plans: an hourly commitment [USD/h] that covers usage at plan rates.

How AWS applies a Savings Plan (AWS Savings Plans User Guide, "How Savings Plans apply to your usage"):
each hour, the commitment pays for eligible usage at the plan's discounted rates, starting with the
usage that has the highest discount percentage; usage beyond the commitment is billed at on-demand
rates; commitment not used in an hour is still paid.

Model of time within a billing period: every usage starts at hour 0 and runs its ``instances``
concurrently for its ``hours``; the period is cut at each usage's end and the commitment is applied
segment by segment. This is exact for usage that runs together and errs towards less unused
commitment than staggered usage would leave, which the formula text states.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from planner.billing import PaymentOption, term_hours
from planner.errors import InputError

PARTIAL_UPFRONT_SHARE = 0.5
"""Share of a Partial Upfront commitment paid at purchase. AWS: "at least half of your commitment
upfront" (Savings Plans User Guide, payment options); the planner uses exactly half."""


@dataclass(frozen=True, slots=True)
class CommitmentUsage:
    """One stream of usage eligible for a commitment within a billing period."""

    name: str
    instances: float
    """Instances running at the same time [count]."""
    hours: float
    """Hours they run in the period, from its start [h]."""
    on_demand_usd_per_hour: float
    """On-demand price per instance-hour [USD/h]."""
    plan_usd_per_hour: float
    """Savings-plan price per instance-hour [USD/h] (≤ on-demand)."""

    @property
    def discount(self) -> float:
        """Fractional discount of the plan rate against on-demand [0–1]."""
        if self.on_demand_usd_per_hour <= 0:
            return 0.0
        return 1.0 - self.plan_usd_per_hour / self.on_demand_usd_per_hour


@dataclass(frozen=True, slots=True)
class UsageCoverage:
    name: str
    covered_instance_hours: float
    on_demand_instance_hours: float
    commitment_used_usd: float
    """Commitment dollars spent on this usage at plan rates [USD]."""
    on_demand_usd: float
    """Leftover usage billed at on-demand [USD]."""


@dataclass(frozen=True, slots=True)
class CommitmentResult:
    """What a commitment costs over one period and how it covered each usage."""

    period_hours: float
    commitment_usd_per_hour: float
    commitment_usd: float
    """Commitment × period hours: paid whether used or not [USD]."""
    unused_commitment_usd: float
    on_demand_usd: float
    """Usage beyond the commitment, at on-demand [USD]."""
    usages: tuple[UsageCoverage, ...]

    @property
    def total_usd(self) -> float:
        return self.commitment_usd + self.on_demand_usd


def cover_with_commitment(
    commitment_usd_per_hour: float,
    usages: Sequence[CommitmentUsage],
    period_hours: float,
) -> CommitmentResult:
    """Apply an hourly commitment to ``usages`` over ``period_hours``, highest discount first."""
    if not commitment_usd_per_hour >= 0:
        raise InputError("commitment_usd_per_hour", "must be ≥ 0")
    if not period_hours > 0:
        raise InputError("period_hours", "must be > 0")
    for u in usages:
        if u.instances < 0 or u.hours < 0:
            raise InputError(f"usage {u.name!r}", "instances and hours must be ≥ 0")
        if u.hours > period_hours:
            raise InputError(
                f"usage {u.name!r}.hours", f"must be ≤ the period's {period_hours:g} h"
            )
        if u.plan_usd_per_hour < 0 or u.on_demand_usd_per_hour < 0:
            raise InputError(f"usage {u.name!r}", "prices must be ≥ 0")
    covered, uncovered, spent, unused = _cover(commitment_usd_per_hour, usages, period_hours)
    coverages = tuple(
        UsageCoverage(
            name=u.name,
            covered_instance_hours=covered[i],
            on_demand_instance_hours=uncovered[i],
            commitment_used_usd=spent[i],
            on_demand_usd=uncovered[i] * u.on_demand_usd_per_hour,
        )
        for i, u in enumerate(usages)
    )
    return CommitmentResult(
        period_hours=period_hours,
        commitment_usd_per_hour=commitment_usd_per_hour,
        commitment_usd=commitment_usd_per_hour * period_hours,
        unused_commitment_usd=unused,
        on_demand_usd=sum(c.on_demand_usd for c in coverages),
        usages=coverages,
    )


COVER_TOLERANCE = 1e-12
"""Relative slack when a usage's cost meets the commitment left: float rounding of the sums must
not leave a sliver of an instance uncovered when the commitment is exactly the usage's cost."""


def _cover(
    commitment: float, usages: Sequence[CommitmentUsage], period_hours: float
) -> tuple[list[float], list[float], list[float], float]:
    """(covered instance-hours, uncovered instance-hours, commitment spent [USD]) per usage and
    the unused commitment [USD], in O(n log n) for n usages.

    The usages that need commitment are ranked once, highest discount first. In each segment of
    the period (cut at each usage's end) the commitment covers a prefix of the ranking still
    running in full, the next usage in part and the rest not at all. Usages only stop, so the
    covered prefix only grows: one pointer walks the ranking once over the whole period, and each
    usage is uncovered until the pointer reaches it, in part while it points at it, and covered
    from the segment in which it passes it to the usage's end.
    """
    n = len(usages)
    covered, uncovered, spent = [0.0] * n, [0.0] * n, [0.0] * n
    ranked = []
    for i, u in enumerate(usages):
        if u.instances == 0 or u.hours <= 0:
            continue
        if u.plan_usd_per_hour == 0:
            covered[i] = u.instances * u.hours  # costs no commitment: always covered
        else:
            ranked.append(i)
    ranked.sort(key=lambda i: (-usages[i].discount, usages[i].name))
    need = [usages[i].instances * usages[i].plan_usd_per_hour for i in ranked]
    ends = sorted(range(len(ranked)), key=lambda k: usages[ranked[k]].hours)
    running = [True] * len(ranked)
    reached: list[float | None] = [None] * len(ranked)
    passed: list[float | None] = [None] * len(ranked)
    slack = commitment * COVER_TOLERANCE
    cuts = sorted({0.0, period_hours, *(u.hours for u in usages if 0 < u.hours < period_hours)})
    pointer, before, total, stopped = 0, 0.0, sum(need), 0
    unused = 0.0
    for start, end in pairwise(cuts):
        span = end - start
        while stopped < len(ends) and usages[ranked[ends[stopped]]].hours <= start:
            k = ends[stopped]
            running[k] = False
            total -= need[k]
            if k < pointer:
                before -= need[k]
            stopped += 1
        while pointer < len(ranked) and (
            not running[pointer] or before + need[pointer] <= commitment + slack
        ):
            if running[pointer]:
                before += need[pointer]
                passed[pointer] = start
                if reached[pointer] is None:
                    reached[pointer] = start
            pointer += 1
        if pointer == len(ranked):
            unused += max(commitment - before, 0.0) * span
            continue
        if reached[pointer] is None:
            reached[pointer] = start
        i = ranked[pointer]
        left = max(commitment - before, 0.0)
        share = left / need[pointer]
        covered[i] += usages[i].instances * share * span
        uncovered[i] += usages[i].instances * (1 - share) * span
        spent[i] += left * span
    for k, i in enumerate(ranked):
        u = usages[i]
        first_reached = reached[k]
        uncovered[i] += u.instances * (u.hours if first_reached is None else min(first_reached, u.hours))
        first_passed = passed[k]
        if first_passed is not None:
            covered[i] += u.instances * (u.hours - first_passed)
            spent[i] += need[k] * (u.hours - first_passed)
    return covered, uncovered, spent, unused


def upfront_share(payment: PaymentOption) -> float:
    """Share of the whole-term commitment paid at purchase [0–1]."""
    return {
        PaymentOption.NO_UPFRONT: 0.0,
        PaymentOption.PARTIAL_UPFRONT: PARTIAL_UPFRONT_SHARE,
        PaymentOption.ALL_UPFRONT: 1.0,
    }[payment]


def commitment_upfront_usd(
    commitment_usd_per_hour: float, term_years: int, payment: PaymentOption
) -> float:
    """Cash paid at purchase for a commitment [USD]: share × commitment × term hours."""
    return upfront_share(payment) * commitment_usd_per_hour * term_hours(term_years)
