"""Compute pricing: on-demand, reserved, savings plans and spot for one plan item.

Conventions (AWS EC2 pricing pages and the Reserved Instances User Guide):
- On-Demand: billed per instance-hour used.
- Reserved Instance: an upfront fee per reservation plus an hourly fee for EVERY hour of the term,
  used or not; effective hourly = (upfront + hourly × term hours) / term hours.
- Savings Plan: an hourly commitment for every hour of the term; usage it covers is billed at plan
  rates, the rest at on-demand (see :mod:`planner.pricing.savings_plan`).
- Spot: billed per instance-hour used at the spot price (snapshot average, a savings % the user
  gives, or the Spot Advisor's savings % against on-demand).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.billing import PurchaseOption
from planner.catalog.loader import Catalog
from planner.catalog.query import ComputeRate, compute_rate, spot_advice
from planner.lineitem import (
    MISSING,
    LineItem,
    PriceQuote,
    one_time,
    quote,
    recurring,
    usage_by_month,
)
from planner.plan import ComputeItem

INSTANCE_HOUR = "instance-hour"


@dataclass(frozen=True, slots=True)
class ComputeQuotes:
    """The unit prices an item needs, each with provenance (or missing)."""

    on_demand: PriceQuote
    hourly: PriceQuote
    """The purchase option's hourly price (on-demand, RI hourly fee, SP rate or spot)."""
    upfront: PriceQuote
    """Reserved: upfront fee per reservation; otherwise 0 (not applicable)."""


def _from_rate(rate: ComputeRate | None, field: str) -> PriceQuote | None:
    if rate is None:
        return None
    return PriceQuote(price_usd=float(getattr(rate, field)), as_of=rate.as_of, source=rate.source)


def compute_quotes(item: ComputeItem, catalog: Catalog, region: str) -> ComputeQuotes:
    """Resolve the on-demand and purchase-option prices of ``item`` (overrides first)."""
    purchase = item.purchase
    overrides = item.unit_prices
    od_rate = compute_rate(catalog, region, item.instance_type, PurchaseOption.ON_DEMAND)
    od_snapshot = _from_rate(od_rate, "hourly_usd")
    on_demand = quote("on_demand_hourly_usd", od_snapshot, overrides)
    zero = PriceQuote(price_usd=0.0, as_of="", source="not applicable")
    if purchase.option is PurchaseOption.ON_DEMAND:
        hourly = quote("hourly_usd", od_snapshot, overrides)
        return ComputeQuotes(on_demand=hourly, hourly=hourly, upfront=zero)
    if purchase.option is PurchaseOption.RESERVED:
        rate = compute_rate(
            catalog, region, item.instance_type, PurchaseOption.RESERVED,
            term_years=purchase.term_years or 0,
            offering_class=purchase.offering_class,
            payment=purchase.payment_option,
        )
        return ComputeQuotes(
            on_demand=on_demand,
            hourly=quote("hourly_usd", _from_rate(rate, "hourly_usd"), overrides),
            upfront=quote("upfront_usd", _from_rate(rate, "upfront_usd"), overrides),
        )
    if purchase.option is PurchaseOption.SAVINGS_PLAN:
        rate = compute_rate(
            catalog, region, item.instance_type, PurchaseOption.SAVINGS_PLAN,
            term_years=purchase.term_years or 0,
            payment=purchase.payment_option,
            plan_type=purchase.plan_type,
        )
        return ComputeQuotes(
            on_demand=on_demand,
            hourly=quote("hourly_usd", _from_rate(rate, "hourly_usd"), overrides),
            upfront=zero,
        )
    return ComputeQuotes(
        on_demand=on_demand,
        hourly=quote("hourly_usd", _spot_quote(item, catalog, region, on_demand), overrides),
        upfront=zero,
    )


def _spot_quote(
    item: ComputeItem, catalog: Catalog, region: str, on_demand: PriceQuote
) -> PriceQuote | None:
    """Spot price: the user's savings %, else the snapshot's average, else the Advisor's %."""
    pct = item.purchase.savings_pct
    if pct is not None:
        if on_demand.price_usd is None:
            return MISSING
        return PriceQuote(
            price_usd=on_demand.price_usd * (1 - pct / 100),
            as_of=on_demand.as_of,
            source=f"on-demand less {pct:g}% (user-given spot saving); {on_demand.source}",
        )
    rate = compute_rate(catalog, region, item.instance_type, PurchaseOption.SPOT)
    if rate is not None:
        return _from_rate(rate, "hourly_usd")
    advice = spot_advice(catalog, region, item.instance_type)
    if advice is not None and on_demand.price_usd is not None:
        return PriceQuote(
            price_usd=on_demand.price_usd * (1 - advice.savings_pct_vs_on_demand / 100),
            as_of=advice.as_of,
            source=f"on-demand less Spot Advisor saving {advice.savings_pct_vs_on_demand:g}%; "
            f"{advice.source}",
        )
    return None


def price_simple(
    item: ComputeItem, quotes: ComputeQuotes, hours_per_month: float
) -> list[LineItem]:
    """On-demand and spot: instance-hours used × hourly price."""
    usage_hours = item.usage_hours_per_month or hours_per_month
    instance_hours = item.count * usage_hours
    option = item.purchase.option.value
    return [
        recurring(
            item.name, "compute", item.instance_type, "hourly_usd", instance_hours, INSTANCE_HOUR,
            quotes.hourly,
            formula=_hours_formula(item.count, usage_hours, quotes.hourly, option),
        )
    ]


def price_job(
    item: ComputeItem, quotes: ComputeQuotes, hours_by_month: npt.NDArray[np.float64]
) -> list[LineItem]:
    """A one-off job on on-demand or spot: count × hours in each month it runs × hourly price,
    billed once (``total_hours`` per instance in all)."""
    option = item.purchase.option.value
    months = np.flatnonzero(hours_by_month > 0) + 1
    span = f"month {months[0]}" if len(months) == 1 else f"months {months[0]}-{months[-1]}"
    return [
        usage_by_month(
            item.name, "compute", item.instance_type, "hourly_usd",
            item.count * hours_by_month, INSTANCE_HOUR, quotes.hourly,
            formula=f"{item.count} × {item.total_hours:g} h (one-off job, {span}) × "
            f"{_price_text(quotes.hourly)}/h ({option})",
        )
    ]


def price_reserved(
    item: ComputeItem, quotes: ComputeQuotes, hours_per_month: float
) -> list[LineItem]:
    """Reserved: upfront per reservation, and the hourly fee for every hour of the month."""
    purchase = item.purchase
    label = (
        f"reserved {purchase.term_years}y {purchase.offering_class.value} "
        f"{purchase.payment_option.value}"
    )
    billed_hours = item.count * hours_per_month
    return [
        one_time(
            item.name, "compute", item.instance_type, "upfront_usd", float(item.count),
            "reservation", quotes.upfront,
            formula=f"{item.count} reservation(s) × upfront "
            + _price_text(quotes.upfront)
            + f" ({label}; paid at the start of each {purchase.term_years}-year term)",
        ),
        recurring(
            item.name, "compute", item.instance_type, "hourly_usd", billed_hours, INSTANCE_HOUR,
            quotes.hourly,
            formula=f"{item.count} × {hours_per_month:g} h × "
            + _price_text(quotes.hourly)
            + f" ({label}: every hour of the term is billed, used or not)",
        ),
    ]


def _price_text(price: PriceQuote) -> str:
    return "(price not in snapshot)" if price.price_usd is None else f"${price.price_usd:,.6g}"


def _hours_formula(count: int, hours: float, price: PriceQuote, label: str) -> str:
    return f"{count} × {hours:g} h × {_price_text(price)}/h ({label})"
