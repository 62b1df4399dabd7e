"""Several savings plans at once, applied as AWS applies them in each hour.

AWS Savings Plans User Guide, "Understanding how Savings Plans apply to your AWS usage"
(https://docs.aws.amazon.com/savingsplans/latest/userguide/sp-applying.html): EC2 Instance
Savings Plans are applied before Compute Savings Plans; within a plan, usage with the highest
savings percentage against on-demand first; "If there are multiple usages with equal savings
percentages, Savings Plans are applied to the first usage with the lowest Savings Plans rate";
remaining usage is charged at on-demand rates; the commitment is paid whether used or not.

An EC2 Instance plan covers only its family (and region); a Compute plan covers every eligible
usage. AWS documents no order among several plans of one type, so the planner fixes one:

- within EC2 Instance plans and within Compute plans, commitments of one *class* (the same plan
  rates, i.e. the same ``rate_class`` and family) form one pool of their summed commitment. They
  rank the usage alike, so applying them one after another equals applying the pool;
- the pools of a type are applied in the order of their first commitment (EC2 Instance pools,
  then Compute pools), each highest discount first, ties to the lower rate, then by name;
- within a pool, commitment j owns the slice [A_(j-1), A_j) of the pool's dollars per hour (A:
  the running sum of the commitments in their order) and covers the usage that the pool spends
  those dollars on; usage at a plan rate of 0 is covered whole and counted to the pool's first
  commitment.

Time within a period follows :mod:`planner.pricing.savings_plan`: usages start at hour 0 and the
period is cut at each usage's end. The work is vectorised over those segments: per pool, one
segments × ranked-usages matrix of what is left of each usage, its cost at plan rates and its
running sum; the commitments' slices are matched to that running sum by a sorted search, so only
(commitment, usage) pairs that cover something are produced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.billing import SavingsPlanType
from planner.errors import InputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class StackUsage:
    """Eligible usage in one period."""

    name: str
    family: str
    instances: float
    """Instances running at the same time [count]."""
    hours: float
    """Hours they run in the period, from its start [h]."""
    on_demand_usd_per_hour: float
    """On-demand price per instance-hour [USD/h]."""
    rates: Mapping[str, float]
    """Plan rate per instance-hour [USD/h] under each rate class (a commitment's
    :attr:`StackCommitment.rates_key`); a commitment whose key is missing here cannot cover this
    usage (its rate is unknown)."""


@dataclass(frozen=True, slots=True)
class StackCommitment:
    name: str
    plan_type: SavingsPlanType
    usd_per_hour: float
    """The hourly commitment [USD/h]."""
    family: str | None = None
    """EC2 Instance plans: the family they cover."""
    rate_class: str | None = None
    """Key of :attr:`StackUsage.rates` holding this commitment's plan rates; commitments of one
    plan type with the same class and family are applied as one pool. ``None``: its own name (a
    class of its own)."""

    @property
    def rates_key(self) -> str:
        return self.name if self.rate_class is None else self.rate_class


@dataclass(frozen=True, slots=True)
class StackResult:
    """How each commitment covered each usage over one period."""

    covered_instance_hours: dict[str, dict[str, float]]
    """commitment → usage → instance-hours covered. :func:`stack_period`: only the pairs that
    cover something; :func:`apply_stack`: every pair (0.0 where nothing is covered)."""
    used_usd: dict[str, float]
    """commitment → commitment dollars spent on usage at plan rates [USD]."""
    unused_usd: dict[str, float]
    """commitment → commitment dollars paid but not used [USD]."""
    on_demand_instance_hours: dict[str, float]
    """usage → instance-hours left to on-demand."""


def apply_stack(
    commitments: Sequence[StackCommitment], usages: Sequence[StackUsage], period_hours: float
) -> StackResult:
    """:func:`stack_period` with ``covered_instance_hours`` listing every (commitment, usage) pair,
    0.0 where nothing is covered: O(commitments × usages) for that listing alone."""
    result = stack_period(commitments, usages, period_hours)
    covered = {
        c.name: {u.name: result.covered_instance_hours.get(c.name, {}).get(u.name, 0.0)
                 for u in usages}
        for c in commitments
    }
    return StackResult(covered, result.used_usd, result.unused_usd, result.on_demand_instance_hours)


def stack_period(
    commitments: Sequence[StackCommitment], usages: Sequence[StackUsage], period_hours: float
) -> StackResult:
    """Apply ``commitments`` to ``usages`` over ``period_hours`` (pools as the module says);
    ``covered_instance_hours`` lists only the pairs that cover something."""
    if not period_hours > 0:
        raise InputError("period_hours", "must be > 0")
    for c in commitments:
        if c.plan_type is SavingsPlanType.EC2_INSTANCE and c.family is None:
            raise InputError(f"savings plan {c.name!r}", "an EC2 Instance plan needs a family")
    used = dict.fromkeys((c.name for c in commitments), 0.0)
    unused = {c.name: c.usd_per_hour * period_hours for c in commitments}
    overflow = dict.fromkeys((u.name for u in usages), 0.0)
    covered: dict[str, dict[str, float]] = {}
    live = [u for u in usages if u.instances > 0 and u.hours > 0]
    if not live:
        return StackResult(covered, used, unused, overflow)
    hours = np.array([u.hours for u in live])
    cuts = np.unique(np.concatenate(([0.0, period_hours], hours[hours < period_hours])))
    spans = np.diff(cuts)
    # left[t, i]: instances of live usage i not yet covered in segment t (0 once it has stopped)
    left = np.where(hours[None, :] > cuts[:-1, None], np.array([u.instances for u in live]), 0.0)
    by_family: dict[str, list[int]] = {}
    for i, u in enumerate(live):
        by_family.setdefault(u.family, []).append(i)
    for members in _pools(commitments):
        ranked, rates = _ranking(members[0], live, by_family)
        if len(ranked):
            _apply_pool(members, live, ranked, rates, left, spans, used, unused, covered)
    for u, instance_hours in zip(live, (left.T @ spans).tolist(), strict=True):
        overflow[u.name] = instance_hours
    return StackResult(covered, used, unused, overflow)


def _pools(commitments: Sequence[StackCommitment]) -> list[list[StackCommitment]]:
    """The commitments grouped by (plan type, rate class, family), each group in the given
    order; EC2 Instance pools first, then the others, each in the order of its first member."""
    pools: dict[tuple[SavingsPlanType, str, str | None], list[StackCommitment]] = {}
    for c in commitments:
        pools.setdefault((c.plan_type, c.rates_key, c.family), []).append(c)
    return sorted(pools.values(), key=lambda p: p[0].plan_type is not SavingsPlanType.EC2_INSTANCE)


def _ranking(
    commitment: StackCommitment, live: Sequence[StackUsage], by_family: Mapping[str, list[int]]
) -> tuple[IntArray, FloatArray]:
    """Indices into ``live`` of the usages the pool can cover, highest discount first, ties to the
    lower plan rate, then by name; and their plan rates [USD/h]."""
    key = commitment.rates_key
    candidates = range(len(live)) if commitment.family is None else by_family.get(commitment.family, [])
    entries = [(i, rate) for i in candidates if (rate := live[i].rates.get(key)) is not None]

    def order(entry: tuple[int, float]) -> tuple[float, float, str]:
        u, rate = live[entry[0]], entry[1]
        discount = 1.0 - rate / u.on_demand_usd_per_hour if u.on_demand_usd_per_hour > 0 else 0.0
        return (-discount, rate, u.name)

    entries.sort(key=order)
    return (np.array([i for i, _ in entries], dtype=np.intp),
            np.array([rate for _, rate in entries], dtype=np.float64))


def _apply_pool(
    members: Sequence[StackCommitment],
    live: Sequence[StackUsage],
    ranked: IntArray,
    rates: FloatArray,
    left: FloatArray,
    spans: FloatArray,
    used: dict[str, float],
    unused: dict[str, float],
    covered: dict[str, dict[str, float]],
) -> None:
    """Apply one pool in every segment at once; updates ``left`` and the per-commitment figures.

    need[t, k]: dollars per hour ranked usage k needs in segment t; the pool of A dollars per hour
    spends on k the part of [prev, prev + need) below A (prev: the need ranked before k).
    """
    bounds = np.cumsum([c.usd_per_hour for c in members], dtype=np.float64)
    amount = float(bounds[-1])
    lows = bounds - np.array([c.usd_per_hour for c in members])
    lefts = left[:, ranked]
    need = lefts * rates
    cum = np.cumsum(need, axis=1)
    prev = np.zeros_like(cum)
    prev[:, 1:] = cum[:, :-1]
    spend = np.minimum(np.maximum(amount - prev, 0.0), need)
    free = rates == 0
    whole = (cum <= amount) | free
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(whole, lefts, spend / np.where(free, 1.0, rates))
    left[:, ranked] = np.where(whole, 0.0, lefts - share)
    # each commitment's dollars: its slice [lows_j, bounds_j) of what the pool spent, per segment
    spent = np.minimum(cum[:, -1], amount)
    slice_used = np.minimum(np.maximum(spent[None, :] - lows[:, None], 0.0),
                            (bounds - lows)[:, None])
    used_usd = slice_used @ spans
    unused_usd = ((bounds - lows)[:, None] - slice_used) @ spans
    for c, u_usd, n_usd in zip(members, used_usd.tolist(), unused_usd.tolist(), strict=True):
        used[c.name] = u_usd
        unused[c.name] = n_usd
    _attribute(members, live, ranked, rates, bounds, lows, prev, spend, lefts, free, spans, covered)


def _attribute(
    members: Sequence[StackCommitment],
    live: Sequence[StackUsage],
    ranked: IntArray,
    rates: FloatArray,
    bounds: FloatArray,
    lows: FloatArray,
    prev: FloatArray,
    spend: FloatArray,
    lefts: FloatArray,
    free: npt.NDArray[np.bool_],
    spans: FloatArray,
    covered: dict[str, dict[str, float]],
) -> None:
    """Add each commitment's instance-hours on each ranked usage to ``covered`` (sparse): in each
    segment, usage k takes [prev, prev + spend) of the pool's dollars and commitment j owns
    [lows_j, bounds_j); their overlap ÷ k's plan rate is what j covers of k."""
    seg, k = np.nonzero(spend > 0)
    lo = prev[seg, k]
    hi = lo + spend[seg, k]
    last = len(members) - 1
    first_j = np.minimum(np.searchsorted(bounds, lo, side="right"), last)
    last_j = np.minimum(np.searchsorted(bounds, hi, side="left"), last)
    counts = np.maximum(last_j - first_j + 1, 1)
    row = np.repeat(np.arange(len(seg)), counts)
    j = first_j[row] + np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    dollars = np.minimum(bounds[j], hi[row]) - np.maximum(lows[j], lo[row])
    keep = dollars > 0
    row, j = row[keep], j[keep]
    instance_hours = dollars[keep] / rates[k[row]] * spans[seg[row]]
    pair = j * len(ranked) + k[row]
    if free.any():  # plan rate 0: covered whole, by the pool's first commitment
        free_k = np.flatnonzero(free)
        free_hours = lefts[:, free_k].T @ spans
        pair = np.concatenate((pair, free_k))
        instance_hours = np.concatenate((instance_hours, free_hours))
    pairs, where = np.unique(pair, return_inverse=True)
    totals = np.bincount(where, weights=instance_hours, minlength=len(pairs))
    for p, h in zip(pairs.tolist(), totals.tolist(), strict=True):
        if h > 0:
            jj, kk = divmod(p, len(ranked))
            covered.setdefault(members[jj].name, {})[live[int(ranked[kk])].name] = h
