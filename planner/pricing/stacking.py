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
  the running sum of the commitments in their order): its used and unused dollars, and the usage
  the pool spends those dollars on; usage at a plan rate of 0 is covered whole and counted to
  the pool's first commitment.

Time within a period follows :mod:`planner.pricing.savings_plan`: usages start at hour 0 and the
period is cut at each usage's end (segments). Each pool's ranking is built once
(:class:`RankedStack`); a period is then numpy work. A usage's cost at plan rates only falls from
one segment to the next (usages stop, earlier pools cover more), so a pool covers in full a prefix
of its ranking that only grows, binds (its usage costs more than its commitment) in its first
segments only, and leaves each usage as "all its instances up to some segment, none after, less
one partial cover per pool and segment" (:class:`_Left`). Running sums are taken over the binding
segments × the usages after the first segment's prefix only; the rest are sums over segments.
What each commitment covered of each usage is listed only on request (:func:`stack_period`):
those pairs can number commitments × usages, as a usage's place among the pool's dollars moves
whenever a usage ranked before it stops.
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
BoolArray = npt.NDArray[np.bool_]


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


@dataclass(frozen=True, slots=True)
class Pool:
    """Commitments applied together, and the usages they can cover in the order they cover them."""

    members: IntArray
    """Indices of the commitments, in their order (each owns the next slice of the pool)."""
    ranked: IntArray
    """Indices of the usages it can cover: highest discount first, ties to the lower plan rate,
    then by name."""
    rates: FloatArray
    """The plan rate of each ranked usage [USD per instance-hour]."""


@dataclass(frozen=True, slots=True)
class PeriodCover:
    """One period of a :class:`RankedStack` (arrays indexed like its commitments / usages)."""

    used_usd: FloatArray
    """Per commitment: dollars spent on usage [USD] (0 for a commitment not active)."""
    unused_usd: FloatArray
    """Per commitment: dollars paid but not used [USD] (0 for a commitment not active)."""
    on_demand_instance_hours: FloatArray
    """Per usage: instance-hours left to on-demand."""
    pool_instance_hours: tuple[tuple[IntArray, FloatArray], ...]
    """Per pool: the usages it covered something of and those instance-hours."""
    pair_commitment: IntArray
    pair_usage: IntArray
    pair_instance_hours: FloatArray
    """With ``pairs=True``: each (commitment, usage) pair that covers something and its
    instance-hours; empty otherwise."""


@dataclass(frozen=True, slots=True)
class RankedStack:
    """Commitments and usages with each pool's ranking built once: plan rates do not change from
    period to period, so each :meth:`period` is numpy work only."""

    usd_per_hour: FloatArray
    """Per commitment [USD/h]."""
    instances: FloatArray
    """Per usage [count]."""
    pools: tuple[Pool, ...]
    """In the order they are applied."""

    @classmethod
    def build(cls, commitments: Sequence[StackCommitment], usages: Sequence[StackUsage]) -> RankedStack:
        """Pool and rank ``commitments`` over ``usages`` (their ``hours`` are not used here)."""
        for c in commitments:
            if c.plan_type is SavingsPlanType.EC2_INSTANCE and c.family is None:
                raise InputError(f"savings plan {c.name!r}", "an EC2 Instance plan needs a family")
        grouped: dict[tuple[SavingsPlanType, str, str | None], list[int]] = {}
        for j, c in enumerate(commitments):
            grouped.setdefault((c.plan_type, c.rates_key, c.family), []).append(j)
        by_family: dict[str, list[int]] = {}
        for i, u in enumerate(usages):
            by_family.setdefault(u.family, []).append(i)
        pools = []
        for (_, key, family), members in sorted(
            grouped.items(), key=lambda g: g[0][0] is not SavingsPlanType.EC2_INSTANCE
        ):
            candidates = range(len(usages)) if family is None else by_family.get(family, [])
            entries = [(i, rate) for i in candidates if (rate := usages[i].rates.get(key)) is not None]
            entries.sort(key=lambda e: _rank(usages[e[0]], e[1]))
            pools.append(Pool(np.array(members, dtype=np.intp),
                              np.array([i for i, _ in entries], dtype=np.intp),
                              np.array([rate for _, rate in entries], dtype=np.float64)))
        return cls(np.array([c.usd_per_hour for c in commitments], dtype=np.float64),
                   np.array([u.instances for u in usages], dtype=np.float64), tuple(pools))

    def period(
        self, hours: FloatArray, active: BoolArray, period_hours: float, *, pairs: bool = False
    ) -> PeriodCover:
        """Apply the ``active`` commitments to usages running ``hours`` each [h] (from the
        period's start) over ``period_hours``; ``pairs``: also list what each commitment
        covered of each usage (up to commitments × usages of them)."""
        if not period_hours > 0:
            raise InputError("period_hours", "must be > 0")
        used = np.zeros(len(self.usd_per_hour))
        unused = np.where(active, self.usd_per_hour * period_hours, 0.0)
        overflow = np.zeros(len(self.instances))
        by_pool: list[tuple[IntArray, FloatArray]] = []
        found: list[tuple[IntArray, IntArray, FloatArray]] = []  # with pairs: (commitment,
        # column of left, instance-hours) per pool
        live = (hours > 0) & (self.instances > 0)
        where = np.flatnonzero(live)
        column = np.full(len(self.instances), -1, dtype=np.intp)
        column[where] = np.arange(len(where))
        cuts = np.unique(np.concatenate(([0.0, period_hours], hours[where][hours[where] < period_hours])))
        left = _Left(self.instances[where], np.searchsorted(cuts[:-1], hours[where]), cuts)
        empty = (np.zeros(0, dtype=np.intp), np.zeros(0))
        for pool in self.pools:
            members = pool.members[active[pool.members]]
            running = live[pool.ranked]
            if not members.size or not running.any():
                by_pool.append(empty)
                continue
            amounts = self.usd_per_hour[members]
            cols, covered, spent, paired = _apply_pool(
                left, column[pool.ranked[running]], pool.rates[running], amounts, pairs=pairs)
            if paired is not None:
                j, k, h = paired
                found.append((members[j], k, h))
            pool_used = _slice_dollars(amounts, spent, left.spans)
            used[members] = pool_used
            unused[members] = amounts * period_hours - pool_used
            some = covered > 0
            by_pool.append((where[cols[some]], covered[some]))
        overflow[where] = left.integral(np.arange(len(where)), 0, len(left.spans))
        j = np.concatenate([f[0] for f in found]) if found else empty[0]
        k = np.concatenate([f[1] for f in found]) if found else empty[0]
        h = np.concatenate([f[2] for f in found]) if found else empty[1]
        return PeriodCover(used, unused, overflow, tuple(by_pool), j, where[k], h)


def _rank(usage: StackUsage, rate: float) -> tuple[float, float, str]:
    od = usage.on_demand_usd_per_hour
    return (-(1.0 - rate / od) if od > 0 else 0.0, rate, usage.name)


class _Left:
    """What is left uncovered of each live usage in each segment of a period, kept compactly: all
    its instances in segments [0, end), none after, less corrections (segment, usage, instances)
    where a pool covered part of it (at most one per pool and segment).

    A pool covers in full a prefix of its ranking that only grows from segment to segment, so what
    it leaves is again of this form: it lowers ``end`` and adds one correction per segment.
    """

    def __init__(self, instances: FloatArray, end: IntArray, cuts: FloatArray) -> None:
        self.instances = instances
        self.end = end
        """Per usage: the first segment from which nothing is left of it."""
        self.cuts = cuts
        self.spans = np.diff(cuts)
        self.t = np.zeros(0, dtype=np.intp)
        self.c = np.zeros(0, dtype=np.intp)
        self.v = np.zeros(0)

    def corrections(self, position: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
        """The corrections still in force on usages with ``position`` ≥ 0: (segment, position,
        instances)."""
        keep = self.t < self.end[self.c]
        self.t, self.c, self.v = self.t[keep], self.c[keep], self.v[keep]
        k = position[self.c]
        mine = k >= 0
        return self.t[mine], k[mine], self.v[mine]

    def correct(self, t: IntArray, c: IntArray, v: FloatArray) -> None:
        self.t = np.concatenate((self.t, t))
        self.c = np.concatenate((self.c, c))
        self.v = np.concatenate((self.v, v))

    def integral(self, cols: IntArray, lo: int, hi: int) -> FloatArray:
        """Instance-hours left of usages ``cols`` in segments [lo, hi)."""
        position = np.full(len(self.end), -1, dtype=np.intp)
        position[cols] = np.arange(len(cols))
        t, k, v = self.corrections(position)
        inside = (t >= lo) & (t < hi)
        reach = np.clip(self.end[cols], lo, hi)
        return (self.instances[cols] * (self.cuts[reach] - self.cuts[lo])
                - np.bincount(k[inside], weights=v[inside] * self.spans[t[inside]],
                              minlength=len(cols)))

    def matrix(self, cols: IntArray, rows: int, corrections: tuple[IntArray, IntArray, FloatArray]
               ) -> FloatArray:
        """Instances left of usages ``cols`` in segments [0, rows) (``corrections``: theirs)."""
        out = np.where(np.arange(rows)[:, None] < self.end[cols][None, :], self.instances[cols], 0.0)
        t, k, v = corrections
        inside = t < rows
        np.subtract.at(out, (t[inside], k[inside]), v[inside])
        return out


def _apply_pool(
    left: _Left, cols: IntArray, rates: FloatArray, amounts: FloatArray, *, pairs: bool
) -> tuple[IntArray, FloatArray, FloatArray, tuple[IntArray, IntArray, FloatArray] | None]:
    """Apply one pool of ``amounts`` [USD/h] to its ranked usages ``cols`` (positions in ``left``,
    updated) with their plan ``rates``; returns the usages it could still cover, the
    instance-hours it covered of each, its dollars per hour spent in each segment and, with
    ``pairs``, :func:`_attribute`'s (member, usage, instance-hours).

    In a segment the pool of A dollars per hour covers in full the ranked prefix whose cost stays
    within A, the next usage with what is left, and zero-rate usage whole. Costs only fall from
    segment to segment, so the pool binds (costs more than A) in its first segments only, and what
    it covers in full in the first segment it covers in full in every later one: running sums
    are needed over the binding segments × the usages after that prefix only.
    """
    spans = left.spans
    alive = left.end[cols] > 0
    cols, rates = cols[alive], rates[alive]
    position = np.full(len(left.end), -1, dtype=np.intp)
    position[cols] = np.arange(len(cols))
    fixes = left.corrections(position)
    t, k, v = fixes
    ends = left.end[cols]
    need = left.instances[cols] * rates

    def cost(upto: int) -> FloatArray:
        """Each segment's cost of the first ``upto`` ranked usages at plan rates [USD/h]."""
        by_end = np.bincount(ends[:upto], weights=need[:upto], minlength=len(spans) + 1)
        fixed = k < upto
        fixed_usd = np.bincount(t[fixed], weights=v[fixed] * rates[k[fixed]], minlength=len(spans))
        return np.asarray(np.cumsum(by_end[::-1])[::-1][1:] - fixed_usd, dtype=np.float64)

    amount = float(amounts.sum())
    paired = None
    if pairs:
        j, p, h = _attribute(amounts, rates, left.matrix(cols, len(spans), fixes), spans)
        paired = (j, cols[p], h)
    total = cost(len(cols))
    binding = np.flatnonzero(total > amount)
    rows = int(binding[-1]) + 1 if binding.size else 0  # segments [0, rows) bind
    if not rows:
        covered = left.integral(cols, 0, len(spans))
        left.end[cols] = 0
        return cols, covered, total, paired
    first = need * (ends > 0) - np.bincount(k[t == 0], weights=v[t == 0] * rates[k[t == 0]],
                                            minlength=len(cols))
    prefix = int(np.count_nonzero(np.cumsum(first) <= amount))
    base = cost(prefix)[:rows]  # the prefix's cost in each binding segment
    covered = np.zeros(len(cols))
    covered[:prefix] = left.integral(cols[:prefix], 0, len(spans))
    tail = cols[prefix:]
    covered[prefix:] = left.integral(tail, rows, len(spans))  # covered whole where it does not bind
    in_tail = k >= prefix
    lefts = left.matrix(tail, rows, (t[in_tail], k[in_tail] - prefix, v[in_tail]))
    tail_rates = rates[prefix:]
    cum = np.cumsum(lefts * tail_rates, axis=1) + base[:, None]
    full = np.maximum.accumulate(np.count_nonzero(cum <= amount, axis=1))
    whole = np.arange(len(tail))[None, :] < full[:, None]
    free = tail_rates == 0
    whole |= free
    seg = np.flatnonzero(full < len(tail))
    at = full[seg]
    before = np.where(at > 0, cum[seg, np.maximum(at - 1, 0)], base[seg])
    # instances the rest of the pool covers of usage `at` (never more than is left of it: the
    # running count of full prefixes is kept from falling back on a float tie)
    part = np.minimum((amount - before) / tail_rates[at], lefts[seg, at])
    covered[prefix:] += np.where(whole, lefts, 0.0).T @ spans[:rows]
    np.add.at(covered, prefix + at, part * spans[seg])
    left.end[cols[:prefix]] = 0
    first_whole = np.where(free, 0, np.searchsorted(full, np.arange(len(tail)), side="right"))
    left.end[tail] = np.minimum(left.end[tail], np.minimum(first_whole, rows))
    left.correct(seg, tail[at], part)
    return cols, covered, np.minimum(total, amount), paired


def _slice_dollars(amounts: FloatArray, spent: FloatArray, spans: FloatArray) -> FloatArray:
    """Dollars each commitment of a pool spent over the period [USD]: commitment j owns
    [low_j, high_j) of the pool's dollars per hour, so it spends clip(spent − low_j, 0, a_j) in a
    segment. With F(x) = Σ span × max(spent − x, 0) (from the segments sorted by spend), that is
    F(low_j) − F(high_j)."""
    highs = np.cumsum(amounts)
    lows = highs - amounts
    order = np.argsort(spent)
    s, w = spent[order], spans[order]
    tail_w = np.concatenate((np.cumsum(w[::-1])[::-1], [0.0]))
    tail_ws = np.concatenate((np.cumsum((w * s)[::-1])[::-1], [0.0]))

    def f(x: FloatArray) -> FloatArray:
        i = np.searchsorted(s, x, side="right")
        return tail_ws[i] - x * tail_w[i]

    return np.maximum(f(lows) - f(highs), 0.0)


def _attribute(
    amounts: FloatArray, rates: FloatArray, lefts: FloatArray, spans: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """(member, ranked position, instance-hours) of every pair that covers: in each segment
    usage k takes [prev, prev + spend) of the pool's dollars and commitment j owns [low_j, high_j);
    their overlap ÷ k's plan rate is what j covers of k."""
    highs = np.cumsum(amounts)
    lows = highs - amounts
    need = lefts * rates
    prev = np.cumsum(need, axis=1) - need
    free = rates == 0
    spend = np.minimum(np.maximum(highs[-1] - prev, 0.0), need)
    seg, k = np.nonzero(spend > 0)
    lo = prev[seg, k]
    hi = lo + spend[seg, k]
    last = len(amounts) - 1
    first_j = np.minimum(np.searchsorted(highs, lo, side="right"), last)
    last_j = np.minimum(np.searchsorted(highs, hi, side="left"), last)
    counts = np.maximum(last_j - first_j + 1, 1)
    row = np.repeat(np.arange(len(seg)), counts)
    j = first_j[row] + np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    dollars = np.minimum(highs[j], hi[row]) - np.maximum(lows[j], lo[row])
    keep = dollars > 0
    row, j = row[keep], j[keep]
    instance_hours = dollars[keep] / rates[k[row]] * spans[seg[row]]
    pair = j * len(rates) + k[row]
    if free.any():  # plan rate 0: covered whole, by the pool's first commitment
        free_k = np.flatnonzero(free)
        pair = np.concatenate((pair, free_k))
        instance_hours = np.concatenate((instance_hours, lefts[:, free_k].T @ spans))
    pairs, inverse = np.unique(pair, return_inverse=True)
    totals = np.asarray(np.bincount(inverse, weights=instance_hours, minlength=len(pairs)),
                        dtype=np.float64)
    some = totals > 0
    return pairs[some] // len(rates), pairs[some] % len(rates), totals[some]


def stack_period(
    commitments: Sequence[StackCommitment], usages: Sequence[StackUsage], period_hours: float
) -> StackResult:
    """Apply ``commitments`` to ``usages`` over ``period_hours`` (pools as the module says);
    ``covered_instance_hours`` lists only the pairs that cover something."""
    stack = RankedStack.build(commitments, usages)
    cover = stack.period(np.array([u.hours for u in usages], dtype=np.float64),
                         np.ones(len(commitments), dtype=bool), period_hours, pairs=True)
    covered: dict[str, dict[str, float]] = {}
    pairs = (cover.pair_commitment.tolist(), cover.pair_usage.tolist(),
             cover.pair_instance_hours.tolist())
    for j, i, h in zip(*pairs, strict=True):
        covered.setdefault(commitments[j].name, {})[usages[i].name] = h
    names = [c.name for c in commitments]
    return StackResult(
        covered,
        dict(zip(names, cover.used_usd.tolist(), strict=True)),
        dict(zip(names, cover.unused_usd.tolist(), strict=True)),
        {u.name: h for u, h in zip(usages, cover.on_demand_instance_hours.tolist(), strict=True)},
    )


def apply_stack(
    commitments: Sequence[StackCommitment], usages: Sequence[StackUsage], period_hours: float
) -> StackResult:
    """:func:`stack_period` with ``covered_instance_hours`` listing every (commitment, usage) pair,
    0.0 where nothing is covered."""
    result = stack_period(commitments, usages, period_hours)
    covered = {
        c.name: {u.name: result.covered_instance_hours.get(c.name, {}).get(u.name, 0.0)
                 for u in usages}
        for c in commitments
    }
    return StackResult(covered, result.used_usd, result.unused_usd, result.on_demand_instance_hours)
