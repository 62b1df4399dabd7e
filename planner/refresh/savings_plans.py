"""Savings Plans rates (Compute and EC2 Instance, 1y/3y × payment options) for EC2 Linux.

Source: ``savingsplans.describe_savings_plans_offering_rates`` (global endpoint, no botocore
paginator: the ``nextToken`` loop is :func:`planner.refresh.client.pages`). Filters: region,
tenancy ``shared``, product description ``Linux/UNIX``, and the instance families asked for.
Only ``BoxUsage`` usage types (on-demand instance hours) are kept.

Normalisation into ``compute_rates``: purchase_option ``savings_plan``, plan_type ``compute`` |
``ec2_instance``, term_years from ``durationSeconds`` (31,536,000 s = 1 y, 94,608,000 s = 3 y),
payment_option from ``paymentOption``, ``hourly_usd`` = the plan rate. A plan rate is the all-in
price of one covered instance-hour whatever the payment option: an All or Partial Upfront plan
prepays part of the hourly *commitment* (a sum chosen per plan, not per instance), it adds no fee on
top. So ``upfront_usd`` = 0 and ``effective_hourly_usd`` = ``hourly_usd``; the upfront cash of a
plan is worked out from its commitment where plans are costed. The response carries no date, so
``as_of`` is the retrieval date.
"""

from __future__ import annotations

import time
from typing import Any

from planner.refresh.client import Sleep, pages
from planner.refresh.records import (
    COMPUTE_KEY,
    PAYMENT_OPTIONS,
    Fetched,
    PayloadError,
    compute_row,
    dedupe,
    in_families,
    usage_suffix,
    usd,
)

PAGE_SIZE = 1000
"""describe_savings_plans_offering_rates maxResults upper bound (botocore model: 0–1000)."""

SECONDS_PER_YEAR = 31_536_000
"""365 × 86,400 s: the durationSeconds of a 1-year plan."""

BOX_USAGE = "BoxUsage:"
"""Usage-type prefix (after the region prefix) of on-demand shared-tenancy instance hours."""

PLAN_TYPES = {"Compute": "compute", "EC2Instance": "ec2_instance"}
SOURCE = "AWS Savings Plans API DescribeSavingsPlansOfferingRates {date}"


def offering_rate_params(region: str, families: tuple[str, ...]) -> dict[str, Any]:
    """Request parameters (without nextToken) for one region."""
    filters: list[dict[str, Any]] = [
        {"name": "region", "values": [region]},
        {"name": "tenancy", "values": ["shared"]},
        {"name": "productDescription", "values": ["Linux/UNIX"]},
    ]
    if families:
        filters.append({"name": "instanceFamily", "values": list(families)})
    return {
        "savingsPlanTypes": list(PLAN_TYPES),
        "products": ["EC2"],
        "serviceCodes": ["AmazonEC2"],
        "filters": filters,
        "maxResults": PAGE_SIZE,
    }


def rows_from_results(
    results: list[dict[str, Any]],
    region: str,
    families: tuple[str, ...],
    *,
    as_of: str,
    source: str,
) -> Fetched:
    """compute_rates rows of savings-plan search results of one region."""
    out = Fetched()
    rows = []
    what = f"Savings Plans rates in {region}"
    for result in results:
        if not isinstance(result, dict):
            raise PayloadError(f"a search result of {what} is not an object")
        offering = result.get("savingsPlanOffering") or {}
        props = {p.get("name"): p.get("value") for p in result.get("properties") or [] if isinstance(p, dict)}
        itype = props.get("instanceType")
        usage = usage_suffix(str(result.get("usageType", "")))
        if not itype or not usage.startswith(BOX_USAGE) or props.get("region", region) != region:
            continue
        if not in_families(itype, families):
            continue
        plan = PLAN_TYPES.get(str(offering.get("planType", "")))
        payment = PAYMENT_OPTIONS.get(str(offering.get("paymentOption", "")))
        seconds = offering.get("durationSeconds")
        years = {SECONDS_PER_YEAR: 1, 3 * SECONDS_PER_YEAR: 3}.get(
            int(seconds) if isinstance(seconds, int | float) else -1
        )
        if plan is None or payment is None or years is None or result.get("unit") != "Hrs":
            continue
        if offering.get("currency", "USD") != "USD":
            continue
        rate = usd(result.get("rate"), f"{itype} in {what}")
        rows.append(
            compute_row(
                region,
                itype,
                "savings_plan",
                hourly_usd=rate,
                term_years=years,
                payment_option=payment,
                plan_type=plan,
                as_of=as_of,
                source=source,
            )
        )
    out.rows, out.warnings = dedupe(rows, COMPUTE_KEY, what, ("hourly_usd",))
    return out


def fetch_savings_plan_rates(
    savingsplans: Any,
    region: str,
    families: tuple[str, ...],
    *,
    today: str,
    sleep: Sleep = time.sleep,
) -> Fetched:
    """Savings-plan rows of ``region``."""
    source = SOURCE.format(date=today)
    results: list[dict[str, Any]] = []
    params = offering_rate_params(region, families)
    for page in pages(
        savingsplans,
        "describe_savings_plans_offering_rates",
        params,
        what=f"Savings Plans rates in {region}",
        token_in="nextToken",
        token_out="nextToken",
        sleep=sleep,
    ):
        found = page.get("searchResults")
        if not isinstance(found, list):
            raise PayloadError(f"Savings Plans rates in {region}: response has no searchResults")
        results.extend(found)
    fetched = rows_from_results(results, region, families, as_of=today, source=source)
    fetched.sources[source] = (
        f"savingsplans.describe_savings_plans_offering_rates retrieved {today}: Compute and "
        "EC2Instance plans, product EC2, tenancy shared, Linux/UNIX, BoxUsage usage types; "
        "hourly_usd = plan rate, upfront 0 (the upfront payment prepays the commitment)"
    )
    return fetched
