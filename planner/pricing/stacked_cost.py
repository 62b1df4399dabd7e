"""Cost a plan's savings plans stacked together (``Plan.savings_plans``), month by month.

When a plan lists savings plans, they and every item-level savings plan are applied together to
the plan's on-demand and savings-plan compute usage by :class:`planner.pricing.stacking.RankedStack`
(EC2 Instance plans first, then Compute plans; highest discount first; ties to the lower rate;
leftover usage at on-demand; unused commitment still paid). AWS documents no order among several
plans of one type, so within each type the commitments of one class (plan type, term, payment;
EC2 Instance plans also their family) are applied as one pool of their summed commitment, the
classes in the order of their first commitment (item-level plans in item order, then the plan's
``savings_plans``); each commitment's share of a pool is its slice of the pool's dollars.

A usage's rate under a class comes from ``unit_prices`` (``compute_sp_hourly_usd`` /
``ec2_instance_sp_hourly_usd``), else its own savings-plan rate when the class is its plan type,
term and payment, else the snapshot; with no rate the class cannot cover it (said in the
formula). Rates are looked up once per (usage, class), each pool is ranked once per plan, and
the months with the same commitments and hours are stacked once.

The formulas name, for a usage, the pools that covered it (a pool by its first plans' names and a
count) and, for a commitment, its used and unused dollars (its slice of its pool) and what its
pool covered; each lists at most :data:`LISTED` entries, largest first, and counts the rest.
What one commitment of a shared pool covered of one usage is not listed: those pairs can number
commitments × usages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.billing import PaymentOption, PurchaseOption, SavingsPlanType, term_hours
from planner.catalog.loader import Catalog
from planner.catalog.query import compute_rate
from planner.lineitem import (
    MISSING_NOTE,
    LineItem,
    PriceQuote,
    billed,
    one_time,
    recurring,
    scheduled,
    usage_by_month,
)
from planner.plan import ComputeItem, Plan, SavingsPlanCommitment
from planner.pricing.compute import INSTANCE_HOUR, ComputeQuotes
from planner.pricing.savings_plan import commitment_upfront_usd, upfront_share
from planner.pricing.stacking import RankedStack, StackCommitment, StackUsage
from planner.pricing.tiers import fmt_money, fmt_num
from planner.schedule import Schedule, Terms, commitment_terms, purchase_months


@dataclass(frozen=True, slots=True)
class Usage:
    item: ComputeItem
    quotes: ComputeQuotes
    schedule: Schedule


@dataclass(frozen=True, slots=True)
class _Commitment:
    name: str
    owner: str
    """The plan item or savings plan whose cost carries this commitment's lines."""
    plan_type: SavingsPlanType
    term_years: int
    payment: PaymentOption
    usd_per_hour: float
    family: str | None
    terms: Terms
    elsewhere: bool = False
    """An EC2 Instance plan of another region: it covers none of this plan's usage."""

    @property
    def rate_class(self) -> str:
        """The plan rates it applies: commitments of one class rank usage alike."""
        return f"{self.plan_type.value} {self.term_years}y {self.payment.value}"


def _family(instance_type: str) -> str:
    return instance_type.split(".")[0]


def _commitments(plan: Plan, usages: Sequence[Usage]) -> list[_Commitment]:
    out = []
    for u in usages:
        p = u.item.purchase
        if p.option is not PurchaseOption.SAVINGS_PLAN:
            continue
        amount = p.commitment_usd_per_hour
        if amount is None:
            amount = u.item.count * (u.quotes.hourly.price_usd or 0.0)
        out.append(_Commitment(
            name=u.item.name, owner=u.item.name, plan_type=p.plan_type,
            term_years=p.term_years or 1, payment=p.payment_option, usd_per_hour=amount,
            family=_family(u.item.instance_type) if p.plan_type is SavingsPlanType.EC2_INSTANCE
            else None,
            terms=commitment_terms(u.schedule, 12 * (p.term_years or 1)),
        ))
    for c in plan.savings_plans:
        sched = item_schedule_window(c, plan)
        out.append(_Commitment(
            name=c.name, owner=c.name, plan_type=c.plan_type, term_years=c.term_years,
            payment=c.payment, usd_per_hour=c.commitment_usd_per_hour, family=c.instance_family,
            terms=commitment_terms(sched, 12 * c.term_years),
            elsewhere=c.region is not None and c.region != plan.region,
        ))
    return out


def item_schedule_window(commitment: SavingsPlanCommitment, plan: Plan) -> Schedule:
    """The months a plan-level savings plan is wanted (its window)."""
    first = commitment.start_month - 1
    last = (commitment.end_month or plan.duration_months) - 1
    hours = np.zeros(plan.duration_months)
    hours[first : last + 1] = 1.0
    return Schedule(first=first, last=last, hours=hours, job=False)


def _rate(u: Usage, c: _Commitment, catalog: Catalog, region: str) -> float | None:
    key = f"{c.plan_type.value}_sp_hourly_usd"
    if key in u.item.unit_prices:
        return float(u.item.unit_prices[key])
    p = u.item.purchase
    if (p.option is PurchaseOption.SAVINGS_PLAN and p.plan_type is c.plan_type
            and p.term_years == c.term_years and p.payment_option is c.payment):
        return u.quotes.hourly.price_usd
    rate = compute_rate(catalog, region, u.item.instance_type, PurchaseOption.SAVINGS_PLAN,
                        term_years=c.term_years, payment=c.payment, plan_type=c.plan_type)
    return None if rate is None else rate.hourly_usd


ORDER_TEXT = (
    "applied EC2 Instance plans first, then Compute plans; plans of the same type, term and payment "
    "(EC2 Instance: and family) pooled, pools in the order of their first plan, as AWS documents no "
    "order among plans of one type; highest discount first; each plan covers its slice of its pool"
)
"""How the commitments were applied, as each commitment's formula says."""

LISTED = 3
"""A formula names at most this many covering plans or covered items (largest first) and counts
the rest."""


@dataclass(frozen=True, slots=True)
class StackedCost:
    lines: dict[str, list[LineItem]]
    """Lines per owner (item or plan-level savings plan name)."""
    on_demand_usd: dict[str, float | None]
    committed_months: dict[str, int]


def cost_stacked(usages: Sequence[Usage], plan: Plan, catalog: Catalog, region: str) -> StackedCost:
    hours = plan.hours_per_month
    duration = plan.duration_months
    commitments = _commitments(plan, usages)
    stacked = [c for c in commitments if not c.elsewhere]  # another region's plan covers nothing
    classes = {c.rate_class: c for c in stacked}
    eligible = [u for u in usages if u.quotes.on_demand.price_usd is not None]
    stack = RankedStack.build(
        [StackCommitment(c.name, c.plan_type, c.usd_per_hour, c.family, c.rate_class)
         for c in stacked],
        [StackUsage(
            name=u.item.name, family=_family(u.item.instance_type), instances=float(u.item.count),
            hours=0.0, on_demand_usd_per_hour=u.quotes.on_demand.price_usd or 0.0,
            rates={key: r for key, c in classes.items()
                   if (r := _rate(u, c, catalog, region)) is not None},
        ) for u in eligible],
    )
    usage_hours = np.array([u.schedule.hours for u in eligible], dtype=np.float64).reshape(
        len(eligible), duration)
    in_term = np.array([c.terms.covered[:duration] > 0 for c in stacked], dtype=bool).reshape(
        len(stacked), duration)
    months_alike: dict[bytes, list[int]] = {}
    for month in range(duration):
        key = in_term[:, month].tobytes() + usage_hours[:, month].tobytes()
        months_alike.setdefault(key, []).append(month)
    used = np.zeros(len(stacked))
    overflow = np.zeros((len(eligible), duration))
    pool_hours: dict[int, npt.NDArray[np.float64]] = {}  # pool → instance-hours per usage
    for months in months_alike.values():
        cover = stack.period(usage_hours[:, months[0]], in_term[:, months[0]], hours)
        used += cover.used_usd * len(months)
        overflow[:, months] = cover.on_demand_instance_hours[:, None]
        for p, (covered, instance_hours) in enumerate(cover.pool_instance_hours):
            if covered.size:
                into = pool_hours.setdefault(p, np.zeros(len(eligible)))
                np.add.at(into, covered, instance_hours * len(months))
    texts = _pool_texts(stack, stacked, eligible, pool_hours)
    used_of = {c.name: float(u) for c, u in zip(stacked, used, strict=True)}
    lines: dict[str, list[LineItem]] = {}
    on_demand: dict[str, float | None] = {}
    months_of: dict[str, int] = {}
    for c in commitments:
        lines.setdefault(c.owner, []).extend(
            _commitment_lines(c, texts.by_commitment.get(c.name, ": no usage"),
                              used_of.get(c.name, 0.0), hours))
        months_of[c.owner] = c.terms.months
        on_demand.setdefault(c.owner, 0.0)
    row = {u.item.name: i for i, u in enumerate(eligible)}
    for u in usages:
        name = u.item.name
        od = u.quotes.on_demand.price_usd
        total_hours = u.item.count * float(u.schedule.hours.sum())
        on_demand[name] = None if od is None else total_hours * od
        months_of.setdefault(name, u.schedule.active_months)
        i = row.get(name)
        lines.setdefault(name, []).append(_usage_line(
            u, None if i is None else overflow[i], texts.by_usage.get(name, [])))
    return StackedCost(lines, on_demand, months_of)


@dataclass(frozen=True, slots=True)
class _PoolTexts:
    by_commitment: dict[str, str]
    """commitment → ": <items covered>", or in a shared pool " as its slice of the pool …, which
    covered <items>" (what follows "used $X of $Y over N month(s)")."""
    by_usage: dict[str, list[tuple[str, float]]]
    """usage → (pool, instance-hours it covered), in the order the pools are applied."""


def _pool_texts(
    stack: RankedStack, stacked: Sequence[_Commitment], eligible: Sequence[Usage],
    pool_hours: dict[int, npt.NDArray[np.float64]],
) -> _PoolTexts:
    """The formula texts of each pool, built once per pool: its members share what it covered."""
    by_commitment: dict[str, str] = {}
    by_usage: dict[str, list[tuple[str, float]]] = {}
    for p, pool in enumerate(stack.pools):
        names = [stacked[j].name for j in pool.members.tolist()]
        label = " + ".join(names[:LISTED]) + (f" + {len(names) - LISTED} more" if len(names) > LISTED
                                                else "")
        covered = pool_hours.get(p)
        entries = [] if covered is None else [
            (eligible[i].item.name, float(covered[i])) for i in np.flatnonzero(covered).tolist()
        ]
        items = _listed(entries, " instance-hours", "item") or "no usage"
        for name in names:
            by_commitment[name] = (
                f": {items}" if len(names) == 1 else
                f" as its slice of the pool {label} ({len(names)} plans), which covered {items}"
            )
        for usage, instance_hours in entries:
            by_usage.setdefault(usage, []).append((label, instance_hours))
    return _PoolTexts(by_commitment, by_usage)


def _listed(entries: Sequence[tuple[str, float]], unit: str, noun: str) -> str:
    """The :data:`LISTED` largest ``(name, instance-hours)`` entries, largest first (ties in the
    given order), then how many more of ``noun`` (plural past one) and their instance-hours."""
    ranked = sorted(entries, key=lambda e: -e[1])
    text = ", ".join(f"{name} {fmt_num(h)}{unit}" for name, h in ranked[:LISTED])
    rest = ranked[LISTED:]
    if rest:
        text += (f" and {len(rest)} more {noun}{'s' if len(rest) > 1 else ''} "
                 f"({fmt_num(sum(h for _, h in rest))}{unit})")
    return text


def _commitment_lines(c: _Commitment, covered: str, used_usd: float, hours: float) -> list[LineItem]:
    """``covered``: what the commitment (or its pool) covered, from :class:`_PoolTexts`."""
    share = upfront_share(c.payment)
    paid = c.usd_per_hour * hours * c.terms.months
    where = " (another region: covers none of this plan's usage)" if c.elsewhere else ""
    label = (
        f"{c.plan_type.value} savings plan {c.term_years}y {c.payment.value}"
        f"{' ' + c.family if c.family else ''}{where}"
    )
    usage_text = (
        f"used {fmt_money(used_usd)} of {fmt_money(paid)} over {c.terms.months} month(s)"
        f"{covered}; unused {fmt_money(paid - used_usd)} still paid"
    )
    lines = []
    quote = PriceQuote(price_usd=c.usd_per_hour * (1 - share), as_of="", source="commitment")
    if share > 0:
        upfront = commitment_upfront_usd(c.usd_per_hour, c.term_years, c.payment)
        lines.append(scheduled(one_time(
            c.owner, "savings_plan", c.name, "commitment_upfront_usd", 1.0, "purchase",
            PriceQuote(upfront, "", "commitment"),
            formula=f"{share:.0%} × ${c.usd_per_hour:,.6g}/h × {term_hours(c.term_years):,.0f} h "
            f"({label}, paid at each term start)",
        ), purchase_months(c.terms)))
    lines.append(scheduled(recurring(
        c.owner, "savings_plan", c.name, "commitment_usd_per_hour", hours, "hour", quote,
        formula=f"${c.usd_per_hour:,.6g}/h × {1 - share:.0%} billed hourly × {fmt_num(hours)} h "
        f"({label}; {ORDER_TEXT}; {usage_text})",
    ), c.terms.covered))
    return lines


def _usage_line(
    u: Usage, overflow: npt.NDArray[np.float64] | None, covered_by: Sequence[tuple[str, float]]
) -> LineItem:
    """``covered_by``: (pool, instance-hours it covered over the plan), in the order applied."""
    item = u.item
    od = u.quotes.on_demand
    if overflow is None or od.price_usd is None:
        line = recurring(item.name, "compute", item.instance_type, "on_demand_hourly_usd", 0.0,
                         INSTANCE_HOUR, od, formula=f"on-demand price {MISSING_NOTE}")
        return scheduled(line, u.schedule.active)
    by = _listed(covered_by, "", "pool") or "none"
    total = item.count * float(u.schedule.hours.sum())
    left = float(overflow.sum())
    formula = (
        f"{fmt_num(total)} instance-hours in all; covered by savings plans: {by}; "
        f"{fmt_num(left)} left × ${od.price_usd:,.6g}/h on-demand = {fmt_money(left * od.price_usd)}"
    )
    if u.schedule.job:  # a one-off job bills its leftover once, in the months it runs
        return usage_by_month(item.name, "compute", item.instance_type, "on_demand_hourly_usd",
                              overflow, INSTANCE_HOUR, od, formula=formula)
    per_month = left / max(u.schedule.active_months, 1)
    line = recurring(
        item.name, "compute", item.instance_type, "on_demand_hourly_usd", per_month,
        INSTANCE_HOUR, od, formula=formula,
    )
    return billed(line, overflow * od.price_usd)

