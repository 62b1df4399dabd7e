"""Cost a plan's savings plans stacked together (``Plan.savings_plans``), month by month.

When a plan lists savings plans, they and every item-level savings plan are applied together to
the plan's on-demand and savings-plan compute usage by :func:`planner.pricing.stacking.apply_stack`
(EC2 Instance plans first, then Compute plans; highest discount first; ties to the lower rate;
leftover usage at on-demand; unused commitment still paid). A usage's rate under a commitment comes
from ``unit_prices`` (``compute_sp_hourly_usd`` / ``ec2_instance_sp_hourly_usd``), else its own
savings-plan rate when the commitment is of its plan type, term and payment, else the snapshot;
with no rate the commitment cannot cover it (said in the formula).
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
from planner.pricing.stacking import StackCommitment, StackResult, StackUsage, apply_stack
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
    rates = {
        u.item.name: {
            c.name: r for c in commitments
            if not c.elsewhere and (r := _rate(u, c, catalog, region)) is not None
        }
        for u in usages if u.quotes.on_demand.price_usd is not None
    }
    covered = {c.name: {u: np.zeros(duration) for u in rates} for c in commitments}
    overflow = {u: np.zeros(duration) for u in rates}
    used = {c.name: 0.0 for c in commitments}
    memo: dict[tuple[object, ...], StackResult] = {}
    for month in range(duration):
        active = [
            StackCommitment(c.name, c.plan_type, c.usd_per_hour, c.family)
            for c in commitments if c.terms.covered[month]
        ]
        stack_usages = tuple(
            StackUsage(
                name=u.item.name, family=_family(u.item.instance_type),
                instances=float(u.item.count), hours=float(u.schedule.hours[month]),
                on_demand_usd_per_hour=u.quotes.on_demand.price_usd or 0.0,
                rates=rates[u.item.name],
            )
            for u in usages if u.item.name in rates and u.schedule.hours[month] > 0
        )
        key = (tuple(active), tuple((s.name, s.instances, s.hours) for s in stack_usages))
        if key not in memo:
            memo[key] = apply_stack(active, stack_usages, hours)
        result = memo[key]
        for c_name, per in result.covered_instance_hours.items():
            for u_name, h in per.items():
                covered[c_name][u_name][month] = h
            used[c_name] += result.used_usd[c_name]
        for u_name, h in result.on_demand_instance_hours.items():
            overflow[u_name][month] = h
    lines: dict[str, list[LineItem]] = {}
    on_demand: dict[str, float | None] = {}
    months: dict[str, int] = {}
    for c in commitments:
        lines.setdefault(c.owner, []).extend(_commitment_lines(c, covered[c.name], used[c.name], hours))
        months[c.owner] = c.terms.months
        on_demand.setdefault(c.owner, 0.0)
    for u in usages:
        name = u.item.name
        od = u.quotes.on_demand.price_usd
        total_hours = u.item.count * float(u.schedule.hours.sum())
        on_demand[name] = None if od is None else total_hours * od
        months.setdefault(name, u.schedule.active_months)
        lines.setdefault(name, []).append(_usage_line(u, overflow.get(name), covered, commitments))
    return StackedCost(lines, on_demand, months)


def _commitment_lines(
    c: _Commitment, covered: dict[str, npt.NDArray[np.float64]], used_usd: float, hours: float
) -> list[LineItem]:
    share = upfront_share(c.payment)
    paid = c.usd_per_hour * hours * c.terms.months
    by_item = ", ".join(
        f"{name} {fmt_num(float(h.sum()))} instance-hours" for name, h in covered.items() if h.sum() > 0
    ) or "no usage"
    where = " (another region: covers none of this plan's usage)" if c.elsewhere else ""
    label = (
        f"{c.plan_type.value} savings plan {c.term_years}y {c.payment.value}"
        f"{' ' + c.family if c.family else ''}{where}"
    )
    usage_text = (
        f"used {fmt_money(used_usd)} of {fmt_money(paid)} over {c.terms.months} month(s): "
        f"{by_item}; unused {fmt_money(paid - used_usd)} still paid"
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
        f"({label}; applied EC2 Instance plans first, highest discount first; {usage_text})",
    ), c.terms.covered))
    return lines


def _usage_line(
    u: Usage, overflow: npt.NDArray[np.float64] | None,
    covered: dict[str, dict[str, npt.NDArray[np.float64]]],
    commitments: Sequence[_Commitment],
) -> LineItem:
    item = u.item
    od = u.quotes.on_demand
    if overflow is None or od.price_usd is None:
        line = recurring(item.name, "compute", item.instance_type, "on_demand_hourly_usd", 0.0,
                         INSTANCE_HOUR, od, formula=f"on-demand price {MISSING_NOTE}")
        return scheduled(line, u.schedule.active)
    by = ", ".join(
        f"{c.name} {fmt_num(float(covered[c.name][item.name].sum()))}"
        for c in commitments if covered[c.name][item.name].sum() > 0
    ) or "none"
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

