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
from dataclasses import dataclass, field

import pandas as pd

from planner.billing import PurchaseOption, SavingsPlanType, term_hours
from planner.catalog.loader import Catalog
from planner.catalog.query import check_region
from planner.errors import InputError, UnknownNameError
from planner.lineitem import LineItem, PriceQuote, one_time, recurring
from planner.plan import ComputeItem, EbsItem, EfsItem, Plan, S3Item
from planner.pricing.compute import (
    INSTANCE_HOUR,
    ComputeQuotes,
    compute_quotes,
    price_reserved,
    price_simple,
)
from planner.pricing.savings_plan import (
    CommitmentUsage,
    commitment_upfront_usd,
    cover_with_commitment,
    upfront_share,
)
from planner.pricing.storage import price_storage


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
    """Months the item is paid for: its terms for reservations and savings plans, else duration."""
    complete: bool


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


@dataclass(frozen=True, slots=True)
class PlanCost:
    plan: Plan
    line_items: tuple[LineItem, ...]
    items: tuple[ItemCost, ...]
    totals: Totals
    missing: tuple[str, ...] = field(default=())
    """One text per line whose price the snapshot lacks: ``item: dimension``."""


def cost_plan(plan: Plan, catalog: Catalog) -> PlanCost:
    """Price every item of ``plan`` against ``catalog`` in the plan's region."""
    region = check_region(catalog, plan.region)
    items: list[ItemCost] = []
    pools: dict[tuple[str, int, str], list[tuple[ComputeItem, ComputeQuotes]]] = {}
    for index, item in enumerate(plan.items):
        try:
            _price_item(item, catalog, region, plan, items, pools)
        except InputError as exc:
            raise InputError(f"items[{index}] ({item.name}).{exc.field}", exc.problem) from None
        except UnknownNameError as exc:
            raise exc.at(f"items[{index}] ({item.name}).{exc.what.replace(' ', '_')}") from None
    for (plan_type, term_years, payment), members in pools.items():
        items.extend(_savings_plan_costs(members, plan, plan_type, term_years, payment))
    order = {item.name: i for i, item in enumerate(plan.items)}
    items.sort(key=lambda c: order[c.name])
    return _assemble(plan, items)


def _price_item(
    item: ComputeItem | S3Item | EbsItem | EfsItem,
    catalog: Catalog,
    region: str,
    plan: Plan,
    items: list[ItemCost],
    pools: dict[tuple[str, int, str], list[tuple[ComputeItem, ComputeQuotes]]],
) -> None:
    """Price one item into ``items``, or queue a savings-plan item into its pool."""
    hours = plan.hours_per_month
    if not isinstance(item, ComputeItem):
        items.append(_storage_cost(item, catalog, region, plan))
        return
    quotes = compute_quotes(item, catalog, region)
    option = item.purchase.option
    if option is PurchaseOption.SAVINGS_PLAN:
        key = (
            item.purchase.plan_type.value,
            item.purchase.term_years or 0,
            item.purchase.payment_option.value,
        )
        pools.setdefault(key, []).append((item, quotes))
        return
    if option is PurchaseOption.RESERVED:
        lines = price_reserved(item, quotes, hours)
        term_months = 12 * (item.purchase.term_years or 0)
    else:
        lines = price_simple(item, quotes, hours)
        term_months = 0
    items.append(_compute_cost(item, lines, quotes, plan, term_months))


def _assemble(plan: Plan, items: list[ItemCost]) -> PlanCost:
    lines = tuple(line for item in items for line in item.line_items)
    od_parts = [i.on_demand_equivalent_usd for i in items]
    od_total = sum(v for v in od_parts if v is not None)
    duration_total = sum(i.duration_total_usd for i in items)
    complete = all(i.complete for i in items) and all(v is not None for v in od_parts)
    totals = Totals(
        upfront_usd=sum(i.upfront_usd for i in items),
        monthly_usd=sum(i.monthly_usd for i in items),
        first_year_usd=sum(i.first_year_usd for i in items),
        duration_total_usd=duration_total,
        on_demand_equivalent_usd=od_total,
        savings_vs_on_demand_usd=od_total - duration_total,
        complete=complete,
    )
    missing = tuple(f"{line.item}: {line.dimension}" for line in lines if line.price_missing)
    return PlanCost(plan=plan, line_items=lines, items=tuple(items), totals=totals, missing=missing)


USAGE_DIMENSIONS = frozenset({"on_demand_hourly_usd"})


def _term_purchases(duration_months: int, term_months: int) -> int:
    """How many terms are bought to cover the duration (one at each term start)."""
    return math.ceil(duration_months / term_months)


@dataclass(frozen=True, slots=True)
class _OverTime:
    """An item's lines added up over the plan [USD], and the months it is paid for."""

    upfront_usd: float
    monthly_usd: float
    first_year_usd: float
    duration_total_usd: float
    committed_months: int


def _over_time(lines: Sequence[LineItem], duration: int, term_months: int) -> _OverTime:
    """Upfront and monthly charges over ``duration`` months; with a term, whole terms are bought
    (one at each term start) and their committed charges run to the last term's end. Usage beyond
    a savings-plan commitment is billed only while the plan runs, not for the term."""
    upfront = sum(line.upfront_usd for line in lines)
    monthly = sum(line.monthly_usd for line in lines)
    if not term_months:
        return _OverTime(upfront, monthly, upfront + monthly * min(12, duration),
                         upfront + monthly * duration, duration)
    usage_monthly = sum(line.monthly_usd for line in lines if line.dimension in USAGE_DIMENSIONS)
    committed_monthly = monthly - usage_monthly
    purchases = _term_purchases(duration, term_months)
    committed = purchases * term_months
    starts_in_first_year = len(range(0, min(12, committed), term_months))
    first_year = (
        upfront * starts_in_first_year
        + committed_monthly * min(12, committed)
        + usage_monthly * min(12, duration)
    )
    total = upfront * purchases + committed_monthly * committed + usage_monthly * duration
    return _OverTime(upfront, monthly, first_year, total, committed)


def _item_cost(
    name: str, kind: str, lines: Sequence[LineItem], over: _OverTime, on_demand: float | None
) -> ItemCost:
    return ItemCost(
        name=name,
        kind=kind,
        line_items=tuple(lines),
        upfront_usd=over.upfront_usd,
        monthly_usd=over.monthly_usd,
        first_year_usd=over.first_year_usd,
        duration_total_usd=over.duration_total_usd,
        on_demand_equivalent_usd=on_demand,
        committed_months=over.committed_months,
        complete=not any(line.price_missing for line in lines),
    )


def _compute_cost(
    item: ComputeItem,
    lines: list[LineItem],
    quotes: ComputeQuotes,
    plan: Plan,
    term_months: int,
) -> ItemCost:
    over = _over_time(lines, plan.duration_months, term_months)
    usage_hours = item.usage_hours_per_month or plan.hours_per_month
    od_price = quotes.on_demand.price_usd
    od_equivalent = (
        None if od_price is None else item.count * usage_hours * od_price * plan.duration_months
    )
    return _item_cost(item.name, "compute", lines, over, od_equivalent)


def _savings_plan_costs(
    members: list[tuple[ComputeItem, ComputeQuotes]],
    plan: Plan,
    plan_type: str,
    term_years: int,
    payment: str,
) -> list[ItemCost]:
    """Pool the commitments of items sharing a plan type, term and payment; apply them together.

    Each item's commitment defaults to count × its plan rate (covers it exactly while it runs).
    The pooled commitment covers the pooled usage highest discount first (EC2 Instance plans only
    apply within one family: items of other families each form their own pool).
    """
    if plan_type == SavingsPlanType.EC2_INSTANCE.value:
        by_family: dict[str, list[tuple[ComputeItem, ComputeQuotes]]] = {}
        for member in members:
            by_family.setdefault(member[0].instance_type.split(".")[0], []).append(member)
        groups = list(by_family.values())
    else:
        groups = [members]
    costs: list[ItemCost] = []
    for group in groups:
        costs.extend(_one_pool(group, plan, plan_type, term_years, payment))
    return costs


def _one_pool(
    members: list[tuple[ComputeItem, ComputeQuotes]],
    plan: Plan,
    plan_type: str,
    term_years: int,
    payment: str,
) -> list[ItemCost]:
    hours = plan.hours_per_month
    label = f"{plan_type} savings plan {term_years}y {payment}"
    payment_option = members[0][0].purchase.payment_option
    share = upfront_share(payment_option)
    priced = [
        (item, q) for item, q in members
        if q.hourly.price_usd is not None and q.on_demand.price_usd is not None
    ]
    commitments = {
        item.name: (
            item.purchase.commitment_usd_per_hour
            if item.purchase.commitment_usd_per_hour is not None
            else item.count * (q.hourly.price_usd or 0.0)
        )
        for item, q in members
    }
    pool_commitment = sum(commitments[item.name] for item, _ in priced)
    result = cover_with_commitment(
        pool_commitment,
        [
            CommitmentUsage(
                name=item.name,
                instances=float(item.count),
                hours=item.usage_hours_per_month or hours,
                on_demand_usd_per_hour=q.on_demand.price_usd or 0.0,
                plan_usd_per_hour=q.hourly.price_usd or 0.0,
            )
            for item, q in priced
        ],
        hours,
    )
    coverage = {c.name: c for c in result.usages}
    term_months = 12 * term_years
    costs = []
    for item, q in members:
        commitment = commitments[item.name]
        commitment_source = PriceQuote(price_usd=commitment * (1 - share), as_of=q.hourly.as_of,
                                       source=q.hourly.source)
        if item.name not in coverage:  # a price is missing: report, do not guess
            missing_commitment = PriceQuote(None, "", q.hourly.source)
            lines = [
                recurring(item.name, "compute", item.instance_type, "commitment_usd_per_hour",
                          hours, "hour", missing_commitment),
            ]
            if q.on_demand.price_usd is None:
                lines.append(recurring(item.name, "compute", item.instance_type,
                                       "on_demand_hourly_usd", 0.0, INSTANCE_HOUR, q.on_demand))
            costs.append(_compute_cost(item, lines, q, plan, term_months))
            continue
        c = coverage[item.name]
        unused_share = (
            result.unused_commitment_usd * commitment / pool_commitment if pool_commitment else 0.0
        )
        covered_text = (
            f"covers {c.covered_instance_hours:,.6g} of "
            f"{c.covered_instance_hours + c.on_demand_instance_hours:,.6g} instance-hours at "
            f"${q.hourly.price_usd:,.6g}/h; unused commitment ${unused_share:,.2f}/month"
        )
        lines = []
        if share > 0:
            upfront = commitment_upfront_usd(commitment, term_years, payment_option)
            prepaid = PriceQuote(price_usd=upfront,
                                 as_of=q.hourly.as_of, source=q.hourly.source)
            lines.append(one_time(
                item.name, "compute", item.instance_type, "commitment_upfront_usd", 1.0,
                "purchase", prepaid,
                formula=f"{share:.0%} × ${commitment:,.6g}/h × {term_hours(term_years):,.0f} h "
                f"({label}, paid at each term start)",
            ))
        lines.append(recurring(
            item.name, "compute", item.instance_type, "commitment_usd_per_hour", hours, "hour",
            commitment_source,
            formula=f"${commitment:,.6g}/h commitment × {1 - share:.0%} billed hourly × "
            f"{hours:g} h ({label}; {covered_text})",
        ))
        if c.on_demand_instance_hours > 0:
            lines.append(recurring(
                item.name, "compute", item.instance_type, "on_demand_hourly_usd",
                c.on_demand_instance_hours, INSTANCE_HOUR, q.on_demand,
                formula=f"{c.on_demand_instance_hours:,.6g} instance-hours beyond the commitment × "
                f"${q.on_demand.price_usd:,.6g}/h on-demand",
            ))
        costs.append(_compute_cost(item, lines, q, plan, term_months))
    return costs


def _storage_cost(item: S3Item | EbsItem | EfsItem, catalog: Catalog, region: str,
                  plan: Plan) -> ItemCost:
    """Storage has no purchase option: its on-demand equivalent is its own cost."""
    lines = price_storage(item, catalog, region, plan.hours_per_month)
    over = _over_time(lines, plan.duration_months, 0)
    return _item_cost(item.name, item.kind, lines, over, over.duration_total_usd)


TOTAL_FIELDS = (
    "upfront_usd", "monthly_usd", "first_year_usd", "duration_total_usd",
    "on_demand_equivalent_usd", "savings_vs_on_demand_usd",
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
