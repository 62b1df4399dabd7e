"""Cost a plan: line items per item, totals, and the all-on-demand equivalent.

Totals (all in USD):
- ``upfront_usd``: cash due at the start (RI upfront fees, savings-plan upfront share).
- ``monthly_usd``: the recurring bill of a month.
- ``first_year_usd``: upfront fees paid in months 1-12 + recurring charges of months 1-12.
- ``duration_total_usd``: everything owed for the plan's duration. A reservation or savings plan is
  paid for every hour of its term: terms are bought to cover the duration (renewed at each term end)
  and a term that runs past the plan's end is still owed in full.
- ``on_demand_equivalent_usd``: the same compute usage all at on-demand over the duration, with
  storage unchanged; ``savings_vs_on_demand_usd`` = that − ``duration_total_usd``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.billing import PurchaseOption, SavingsPlanType, term_hours
from planner.catalog.loader import Catalog
from planner.catalog.query import check_region
from planner.errors import InputError, UnknownNameError
from planner.lineitem import (
    LineItem,
    PriceQuote,
    billed,
    one_time,
    recurring,
    scheduled,
    usage_by_month,
)
from planner.plan import (
    ComputeItem,
    DataTransferItem,
    EbsItem,
    EfsItem,
    Plan,
    S3Item,
    SageMakerItem,
    TransferType,
)
from planner.pricing.compute import (
    INSTANCE_HOUR,
    ComputeQuotes,
    compute_quotes,
    price_job,
    price_reserved,
    price_simple,
)
from planner.pricing.sagemaker import price_sagemaker
from planner.pricing.savings_plan import (
    CommitmentUsage,
    commitment_upfront_usd,
    cover_with_commitment,
    upfront_share,
)
from planner.pricing.stacked_cost import Usage as StackUsage
from planner.pricing.stacked_cost import cost_stacked
from planner.pricing.storage import price_storage
from planner.pricing.transfer import Outbound, price_internet_out, price_transfer
from planner.schedule import (
    Schedule,
    Terms,
    commitment_terms,
    item_schedule,
    purchase_months,
)


@dataclass(frozen=True, slots=True)
class ItemCost:
    """One plan item's lines and its contribution to the totals [USD]."""

    name: str
    kind: str
    line_items: tuple[LineItem, ...]
    upfront_usd: float
    monthly_usd: float
    first_year_usd: float
    duration_total_usd: float
    on_demand_equivalent_usd: float | None
    """None when the on-demand price is missing."""
    committed_months: int
    """Months the item is paid for: its terms for reservations and savings plans, else its
    active months."""
    complete: bool
    months_usd: tuple[float, ...] = ()
    """What the item bills in each month from the plan's first [USD]; longer than the plan when a
    commitment term runs past its end."""


@dataclass(frozen=True, slots=True)
class Totals:
    upfront_usd: float
    monthly_usd: float
    first_year_usd: float
    duration_total_usd: float
    on_demand_equivalent_usd: float
    savings_vs_on_demand_usd: float
    complete: bool
    """False when any price is missing: the totals then leave those lines out."""
    after_plan_end_usd: float = 0.0
    """Owed for commitment terms that run past the plan's last month (in the duration total)."""


@dataclass(frozen=True, slots=True)
class PlanCost:
    plan: Plan
    line_items: tuple[LineItem, ...]
    items: tuple[ItemCost, ...]
    totals: Totals
    missing: tuple[str, ...] = field(default=())
    """One text per line whose price the snapshot lacks: ``item: dimension``."""
    months_usd: tuple[float, ...] = ()
    """The plan's bill in each of its months [USD] (upfront fees in the month they are paid)."""


def cost_plan(plan: Plan, catalog: Catalog) -> PlanCost:
    """Price every item of ``plan`` against ``catalog`` in the plan's region."""
    region = check_region(catalog, plan.region)
    items: list[ItemCost] = []
    pools: dict[tuple[str, int, str], list[_PoolMember]] = {}
    outbound: list[Outbound] = []
    stacked: list[StackUsage] = []
    for index, item in enumerate(plan.items):
        try:
            if isinstance(item, DataTransferItem) and item.transfer_type is TransferType.INTERNET_OUT:
                outbound.append(Outbound(item, item_schedule(item, plan).active * item.gb_per_month))
                continue
            if plan.savings_plans and isinstance(item, ComputeItem) and item.purchase.option in (
                PurchaseOption.ON_DEMAND, PurchaseOption.SAVINGS_PLAN
            ):
                quotes = compute_quotes(item, catalog, region)
                stacked.append(StackUsage(item, quotes, item_schedule(item, plan)))
                continue
            _price_item(item, catalog, region, plan, items, pools)
        except InputError as exc:
            raise InputError(f"items[{index}] ({item.name}).{exc.field}", exc.problem) from None
        except UnknownNameError as exc:
            raise exc.at(f"items[{index}] ({item.name}).{exc.what.replace(' ', '_')}") from None
    if outbound:
        try:
            lines = price_internet_out(outbound, catalog, region)
        except InputError as exc:
            raise InputError(f"items (internet out).{exc.field}", exc.problem) from None
        for member, line in zip(outbound, lines, strict=True):
            items.append(_own_cost(member.item.name, member.item.kind, [line],
                                   item_schedule(member.item, plan).active_months))
    for (plan_type, term_years, _payment), members in pools.items():
        items.extend(_savings_plan_costs(members, plan, plan_type, term_years))
    if plan.savings_plans:
        result = cost_stacked(stacked, plan, catalog, region)
        kinds = {u.item.name: "compute" for u in stacked}
        for name, lines in result.lines.items():
            items.append(_item_cost(name, kinds.get(name, "savings_plan"), lines,
                                    result.on_demand_usd[name], result.committed_months[name]))
    names = [item.name for item in plan.items] + [c.name for c in plan.savings_plans]
    order = {name: i for i, name in enumerate(names)}
    items.sort(key=lambda c: order[c.name])
    return _assemble(plan, items)


@dataclass(frozen=True, slots=True)
class _PoolMember:
    item: ComputeItem
    quotes: ComputeQuotes
    schedule: Schedule


def _price_item(
    item: ComputeItem | S3Item | EbsItem | EfsItem | DataTransferItem | SageMakerItem,
    catalog: Catalog,
    region: str,
    plan: Plan,
    items: list[ItemCost],
    pools: dict[tuple[str, int, str], list[_PoolMember]],
) -> None:
    """Price one item into ``items``, or queue a savings-plan item into its pool."""
    hours = plan.hours_per_month
    sched = item_schedule(item, plan)
    if isinstance(item, DataTransferItem):
        line = scheduled(price_transfer(item, catalog, region), sched.active)
        items.append(_own_cost(item.name, item.kind, [line], sched.active_months))
        return
    if isinstance(item, SageMakerItem):
        sm_line, od_month = price_sagemaker(item, catalog, region, hours)
        od = None if od_month is None else od_month * sched.active_months
        items.append(_item_cost(item.name, item.kind, [scheduled(sm_line, sched.active)], od,
                                sched.active_months))
        return
    if not isinstance(item, ComputeItem):
        items.append(_storage_cost(item, catalog, region, plan, sched))
        return
    quotes = compute_quotes(item, catalog, region)
    option = item.purchase.option
    if option is PurchaseOption.SAVINGS_PLAN:
        key = (
            item.purchase.plan_type.value,
            item.purchase.term_years or 0,
            item.purchase.payment_option.value,
        )
        pools.setdefault(key, []).append(_PoolMember(item, quotes, sched))
        return
    if option is PurchaseOption.RESERVED:
        terms = commitment_terms(sched, 12 * (item.purchase.term_years or 0))
        upfront, hourly = price_reserved(item, quotes, hours)
        lines = [scheduled(upfront, purchase_months(terms)), scheduled(hourly, terms.covered)]
        committed = terms.months
    elif sched.job:
        lines = price_job(item, quotes, sched.hours)
        committed = sched.active_months
    else:
        lines = [scheduled(line, sched.active) for line in price_simple(item, quotes, hours)]
        committed = sched.active_months
    items.append(_compute_cost(item, lines, quotes, sched, committed))


def _assemble(plan: Plan, items: list[ItemCost]) -> PlanCost:
    lines = tuple(line for item in items for line in item.line_items)
    od_parts = [i.on_demand_equivalent_usd for i in items]
    od_total = sum(v for v in od_parts if v is not None)
    months = _add_months([i.months_usd for i in items], plan.duration_months)
    duration_total = math.fsum(months)
    plan_months = months[: plan.duration_months]
    complete = all(i.complete for i in items) and all(v is not None for v in od_parts)
    totals = Totals(
        upfront_usd=sum(i.upfront_usd for i in items),
        monthly_usd=sum(i.monthly_usd for i in items),
        first_year_usd=math.fsum(months[:12]),
        duration_total_usd=duration_total,
        on_demand_equivalent_usd=od_total,
        savings_vs_on_demand_usd=od_total - duration_total,
        complete=complete,
        after_plan_end_usd=math.fsum(months[plan.duration_months:]),
    )
    missing = tuple(f"{line.item}: {line.dimension}" for line in lines if line.price_missing)
    return PlanCost(plan=plan, line_items=lines, items=tuple(items), totals=totals, missing=missing,
                    months_usd=tuple(float(v) for v in plan_months))


def _add_months(vectors: Sequence[Sequence[float]], at_least: int) -> npt.NDArray[np.float64]:
    """Element-wise sum of month vectors of different lengths (zero-padded)."""
    horizon = max([at_least, *(len(v) for v in vectors)])
    total = np.zeros(horizon)
    for v in vectors:
        total[: len(v)] += np.asarray(v, float)
    return total


def _item_cost(
    name: str, kind: str, lines: Sequence[LineItem], on_demand: float | None, committed: int,
) -> ItemCost:
    months = _add_months([line.months_usd for line in lines], 0)
    return ItemCost(
        name=name,
        kind=kind,
        line_items=tuple(lines),
        upfront_usd=sum(line.upfront_usd for line in lines),
        monthly_usd=sum(line.monthly_usd for line in lines),
        first_year_usd=math.fsum(months[:12]),
        duration_total_usd=math.fsum(months),
        on_demand_equivalent_usd=on_demand,
        committed_months=committed,
        complete=not any(line.price_missing for line in lines),
        months_usd=tuple(float(v) for v in months),
    )


def _compute_cost(
    item: ComputeItem, lines: list[LineItem], quotes: ComputeQuotes, sched: Schedule,
    committed: int,
) -> ItemCost:
    """The item's cost; its on-demand equivalent is the same instance-hours at on-demand."""
    od_price = quotes.on_demand.price_usd
    od_equivalent = None if od_price is None else item.count * float(sched.hours.sum()) * od_price
    return _item_cost(item.name, "compute", lines, od_equivalent, committed)


def _savings_plan_costs(
    members: list[_PoolMember], plan: Plan, plan_type: str, term_years: int,
) -> list[ItemCost]:
    """Pool the commitments of items sharing a plan type, term and payment; apply them together.

    Each item's commitment defaults to count × its plan rate (covers it exactly while it runs).
    The pooled commitment covers the pooled usage highest discount first (EC2 Instance plans only
    apply within one family: items of other families each form their own pool).
    """
    if plan_type == SavingsPlanType.EC2_INSTANCE.value:
        by_family: dict[str, list[_PoolMember]] = {}
        for member in members:
            by_family.setdefault(member.item.instance_type.split(".")[0], []).append(member)
        groups = list(by_family.values())
    else:
        groups = [members]
    costs: list[ItemCost] = []
    for group in groups:
        costs.extend(_one_pool(group, plan, f"{plan_type} savings plan {term_years}y", term_years))
    return costs


@dataclass(frozen=True, slots=True)
class _PoolMonths:
    """How a pooled commitment covered each member, month by month over the plan."""

    covered_hours: dict[str, npt.NDArray[np.float64]]
    overflow_hours: dict[str, npt.NDArray[np.float64]]
    unused_usd: dict[str, float]
    """Commitment a member paid for and nobody used over the plan [USD] (shared pro rata)."""


def _cover_months(
    priced: list[_PoolMember], commitments: dict[str, float], terms: dict[str, Terms],
    plan: Plan,
) -> _PoolMonths:
    """Apply the pool's commitment month by month: in each month the commitments whose term
    covers it, against the usage of that month. Months alike (the same members paying and the
    same hours) are computed once, so the work grows with the members, not members × months."""
    hours = plan.hours_per_month
    duration = plan.duration_months
    names = [m.item.name for m in priced]
    if not priced:
        return _PoolMonths({}, {}, {})
    usage = np.array([m.schedule.hours[:duration] for m in priced], dtype=float)
    paying = np.array([terms[name].covered[:duration] > 0 for name in names], dtype=bool)
    amounts = [commitments[name] for name in names]
    covered = np.zeros((len(priced), duration))
    overflow = np.zeros((len(priced), duration))
    unused = np.zeros(len(priced))
    groups: dict[bytes, list[int]] = {}
    for month in range(duration):
        key = paying[:, month].tobytes() + usage[:, month].tobytes()
        groups.setdefault(key, []).append(month)
    for months in groups.values():
        month = months[0]
        payers = [int(k) for k in np.flatnonzero(paying[:, month])]
        pool = sum(amounts[k] for k in payers)
        running = [int(k) for k in np.flatnonzero(usage[:, month] > 0)]
        usages = tuple(
            CommitmentUsage(
                name=names[k], instances=float(priced[k].item.count), hours=float(usage[k, month]),
                on_demand_usd_per_hour=priced[k].quotes.on_demand.price_usd or 0.0,
                plan_usd_per_hour=priced[k].quotes.hourly.price_usd or 0.0,
            )
            for k in running
        )
        result = cover_with_commitment(pool, usages, hours)
        cells = np.ix_(np.asarray(running, dtype=np.intp), np.asarray(months, dtype=np.intp))
        covered[cells] = np.array([c.covered_instance_hours for c in result.usages])[:, None]
        overflow[cells] = np.array([c.on_demand_instance_hours for c in result.usages])[:, None]
        if pool:
            share = result.unused_commitment_usd / pool * len(months)
            for k in payers:
                unused[k] += share * amounts[k]
    for k, name in enumerate(names):  # term months past the plan's end: paid, unused
        unused[k] += amounts[k] * hours * float(terms[name].covered[duration:].sum())
    return _PoolMonths(
        covered_hours=dict(zip(names, covered, strict=True)),
        overflow_hours=dict(zip(names, overflow, strict=True)),
        unused_usd={name: float(unused[k]) for k, name in enumerate(names)},
    )


def _one_pool(members: list[_PoolMember], plan: Plan, label: str, term_years: int) -> list[ItemCost]:
    hours = plan.hours_per_month
    payment_option = members[0].item.purchase.payment_option
    label = f"{label} {payment_option.value}"
    share = upfront_share(payment_option)
    priced = [
        m for m in members
        if m.quotes.hourly.price_usd is not None and m.quotes.on_demand.price_usd is not None
    ]
    commitments = {
        m.item.name: (
            m.item.purchase.commitment_usd_per_hour
            if m.item.purchase.commitment_usd_per_hour is not None
            else m.item.count * (m.quotes.hourly.price_usd or 0.0)
        )
        for m in members
    }
    terms = {m.item.name: commitment_terms(m.schedule, 12 * term_years) for m in members}
    cover = _cover_months(priced, commitments, terms, plan)
    costs = []
    for m in members:
        item, q, sched = m.item, m.quotes, m.schedule
        name = item.name
        commitment = commitments[name]
        term = terms[name]
        if name not in cover.covered_hours:  # a price is missing: report, do not guess
            missing_commitment = PriceQuote(None, "", q.hourly.source)
            lines = [
                recurring(name, "compute", item.instance_type, "commitment_usd_per_hour",
                          hours, "hour", missing_commitment),
            ]
            if q.on_demand.price_usd is None:
                lines.append(recurring(name, "compute", item.instance_type,
                                       "on_demand_hourly_usd", 0.0, INSTANCE_HOUR, q.on_demand))
            lines = [scheduled(line, sched.active) for line in lines]
            costs.append(_compute_cost(item, lines, q, sched, term.months))
            continue
        covered_h = float(cover.covered_hours[name].sum())
        overflow = cover.overflow_hours[name]
        overflow_h = float(overflow.sum())
        covered_text = (
            f"covers {covered_h:,.6g} of {covered_h + overflow_h:,.6g} instance-hours at "
            f"${q.hourly.price_usd:,.6g}/h; unused commitment ${cover.unused_usd[name]:,.2f} "
            f"over {term.months} month(s)"
        )
        lines = []
        if share > 0:
            upfront = commitment_upfront_usd(commitment, term_years, payment_option)
            prepaid = PriceQuote(price_usd=upfront, as_of=q.hourly.as_of, source=q.hourly.source)
            lines.append(scheduled(one_time(
                name, "compute", item.instance_type, "commitment_upfront_usd", 1.0,
                "purchase", prepaid,
                formula=f"{share:.0%} × ${commitment:,.6g}/h × {term_hours(term_years):,.0f} h "
                f"({label}, paid at each term start)",
            ), purchase_months(term)))
        commitment_source = PriceQuote(price_usd=commitment * (1 - share), as_of=q.hourly.as_of,
                                       source=q.hourly.source)
        lines.append(scheduled(recurring(
            name, "compute", item.instance_type, "commitment_usd_per_hour", hours, "hour",
            commitment_source,
            formula=f"${commitment:,.6g}/h commitment × {1 - share:.0%} billed hourly × "
            f"{hours:g} h ({label}; {covered_text})",
        ), term.covered))
        if overflow_h > 0:
            lines.append(_overflow_line(item, sched, overflow, q))
        costs.append(_compute_cost(item, lines, q, sched, term.months))
    return costs


def _overflow_line(
    item: ComputeItem, sched: Schedule, overflow: npt.NDArray[np.float64], q: ComputeQuotes,
) -> LineItem:
    """Usage beyond the commitment at on-demand: a job's once, a recurring item's per month
    (its average over the months it runs; the months themselves are exact)."""
    price = q.on_demand.price_usd or 0.0
    total = float(overflow.sum())
    formula = (
        f"{total:,.6g} instance-hours beyond the commitment × ${price:,.6g}/h on-demand"
    )
    if sched.job:
        return usage_by_month(item.name, "compute", item.instance_type, "on_demand_hourly_usd",
                              overflow, INSTANCE_HOUR, q.on_demand, formula=formula)
    per_month = total / sched.active_months
    line = recurring(
        item.name, "compute", item.instance_type, "on_demand_hourly_usd", per_month,
        INSTANCE_HOUR, q.on_demand,
        formula=f"{per_month:,.6g} instance-hours a month beyond the commitment × "
        f"${price:,.6g}/h on-demand",
    )
    return billed(line, overflow * price)


def _storage_cost(item: S3Item | EbsItem | EfsItem, catalog: Catalog, region: str,
                  plan: Plan, sched: Schedule) -> ItemCost:
    """Storage has no purchase option: its on-demand equivalent is its own cost."""
    lines = [
        scheduled(line, sched.active)
        for line in price_storage(item, catalog, region, plan.hours_per_month)
    ]
    return _own_cost(item.name, item.kind, lines, sched.active_months)


def _own_cost(name: str, kind: str, lines: Sequence[LineItem], months: int) -> ItemCost:
    """An item without a purchase option: its on-demand equivalent is its own cost."""
    cost = _item_cost(name, kind, lines, None, months)
    return replace(cost, on_demand_equivalent_usd=cost.duration_total_usd)


TOTAL_FIELDS = (
    "upfront_usd", "monthly_usd", "first_year_usd", "duration_total_usd",
    "on_demand_equivalent_usd", "savings_vs_on_demand_usd", "after_plan_end_usd",
)


def compare_plans(costs: Sequence[PlanCost]) -> pd.DataFrame:
    """Totals of several plans side by side: one row per plan, one column per total."""
    rows = []
    for cost in costs:
        row: dict[str, object] = {
            "plan": cost.plan.name,
            "region": cost.plan.region,
            "duration_months": cost.plan.duration_months,
        }
        row.update({f: getattr(cost.totals, f) for f in TOTAL_FIELDS})
        row["complete"] = cost.totals.complete
        rows.append(row)
    return pd.DataFrame(rows, columns=["plan", "region", "duration_months", *TOTAL_FIELDS, "complete"])
