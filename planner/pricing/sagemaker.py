"""Amazon SageMaker charges of one plan item: training and processing jobs, real-time endpoints,
notebooks.

Sources (AWS):
- Amazon SageMaker pricing, https://aws.amazon.com/sagemaker/pricing/ — instances billed per
  second by component (training, real-time inference, notebooks, processing), per instance.
- SageMaker API Reference, DescribeTrainingJob ``BillableTimeInSeconds``: "Multiply
  BillableTimeInSeconds by the number of instances (InstanceCount) in your training cluster to get
  the total compute time SageMaker bills you"; SageMaker Developer Guide, "Managed Spot Training":
  savings = (1 − BillableTimeInSeconds / TrainingTimeInSeconds) × 100.

Prices come from the snapshot's ``sagemaker_rates`` table (region, ``ml.*`` type, component) when
it has the row, else from ``unit_prices.hourly_usd``, else the line is missing ("not in snapshot —
refresh or enter a price").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from planner.catalog.loader import Catalog
from planner.lineitem import MISSING_NOTE, LineItem, PriceQuote, quote, recurring
from planner.plan import JOB_COMPONENTS, SageMakerComponent, SageMakerItem
from planner.pricing.tiers import fmt_money, fmt_num, fmt_usd

KIND = "sagemaker"
SECONDS_PER_HOUR = 3600.0
INSTANCE_HOUR = "instance-hour"


@lru_cache(maxsize=8)
def _index(catalog: Catalog) -> dict[tuple[str, str, str], tuple[float, str, str]]:
    frame = catalog.sagemaker_rates
    return {
        (str(r), str(t), str(c)): (float(p), str(a), str(s))
        for r, t, c, p, a, s in zip(
            frame["region"], frame["instance_type"], frame["component"], frame["hourly_usd"],
            frame["as_of"], frame["source"], strict=True,
        )
    }


def sagemaker_quote(
    catalog: Catalog, region: str, instance_type: str, component: SageMakerComponent
) -> PriceQuote | None:
    """The snapshot's hourly price of ``instance_type`` for ``component``, or None."""
    found = _index(catalog).get((region, instance_type, component.value))
    if found is None:
        return None
    price, as_of, source = found
    return PriceQuote(price_usd=price, as_of=as_of, source=source)


@dataclass(frozen=True, slots=True)
class SageMakerUsage:
    """What one item uses in a month it runs."""

    billed_instance_hours: float
    """Instance-hours billed [h] (managed spot: from billable seconds)."""
    on_demand_instance_hours: float
    """The same work without managed spot [instance-hours] (the on-demand comparison)."""
    spot_savings_pct: float | None
    """Managed spot: (1 − billable / training seconds) × 100 [%], as SageMaker reports it."""


def usage(item: SageMakerItem, hours_per_month: float) -> SageMakerUsage:
    if item.component in JOB_COMPONENTS:
        seconds = float(item.job_seconds or 0.0)
        billable = float(item.billable_seconds) if item.billable_seconds is not None else seconds
        per = item.count * item.jobs_per_month / SECONDS_PER_HOUR
        savings = (1 - billable / seconds) * 100 if item.managed_spot else None
        return SageMakerUsage(billable * per, seconds * per, savings)
    hours = item.usage_hours_per_month or hours_per_month
    return SageMakerUsage(item.count * hours, item.count * hours, None)


def price_sagemaker(
    item: SageMakerItem, catalog: Catalog, region: str, hours_per_month: float
) -> tuple[LineItem, float | None]:
    """The item's monthly line and its on-demand equivalent per month [USD] (None when the
    price is missing)."""
    price = quote("hourly_usd", sagemaker_quote(catalog, region, item.instance_type, item.component),
                  item.unit_prices)
    use = usage(item, hours_per_month)
    rate = f"(price {MISSING_NOTE})" if price.price_usd is None else f"{fmt_usd(price.price_usd)}/h"
    cost = "" if price.price_usd is None else f" = {fmt_money(use.billed_instance_hours * price.price_usd)}"
    if item.component in JOB_COMPONENTS:
        jobs = f" × {fmt_num(item.jobs_per_month)} jobs" if item.jobs_per_month != 1 else ""
        if item.managed_spot:
            formula = (
                f"{item.count} instance(s) × {fmt_num(item.billable_seconds or 0)} billable s "
                f"÷ 3,600{jobs} × {rate}{cost} (managed spot: training "
                f"{fmt_num(item.job_seconds or 0)} s, billable {fmt_num(item.billable_seconds or 0)}"
                f" s, savings (1 − billable/training) × 100 = {fmt_num(use.spot_savings_pct or 0, 4)}%)"
            )
        else:
            formula = (
                f"{item.count} instance(s) × {fmt_num(item.job_seconds or 0)} s ÷ 3,600{jobs} × "
                f"{rate}{cost} ({item.component.value} job, billed per second)"
            )
    else:
        hours = item.usage_hours_per_month or hours_per_month
        what = "real-time endpoint" if item.component is SageMakerComponent.HOSTING else "notebook"
        formula = f"{item.count} instance(s) × {fmt_num(hours)} h × {rate}{cost} ({what})"
    line = recurring(item.name, KIND, f"{item.instance_type} {item.component.value}",
                     f"{item.component.value}_hourly_usd", use.billed_instance_hours,
                     INSTANCE_HOUR, price, formula)
    on_demand = None if price.price_usd is None else use.on_demand_instance_hours * price.price_usd
    return line, on_demand
