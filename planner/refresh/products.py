"""EC2 on-demand and reserved rates from the Price List API (``pricing.get_products``).

One paginated GetProducts query per region (TERM_MATCH on regionCode, Linux, Shared tenancy,
no pre-installed software, capacitystatus Used, no license, product family Compute Instance) returns
one product per instance type with its ``OnDemand`` and ``Reserved`` terms; the family filter is
applied here, on the instance type, because the API's ``instanceFamily`` attribute holds a category
("GPU instance"), not the family code.

Normalisation (one row per option, schema of ``compute_rates``):

- On-demand: the ``Hrs`` price dimension → ``hourly_usd`` = ``effective_hourly_usd``.
- Reserved: every term (1yr/3yr × standard/convertible × No/Partial/All Upfront); the ``Quantity``
  dimension ("Upfront Fee") → ``upfront_usd``, the ``Hrs`` dimension → ``hourly_usd``;
  ``effective_hourly_usd`` = (upfront + hourly × term h) / term h with 8,760 h per year.
- ``as_of`` = the payload's ``publicationDate`` (date part), else the term's ``effectiveDate``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from planner.refresh.client import Sleep, pages
from planner.refresh.records import (
    COMPUTE_KEY,
    EC2_LICENSE,
    EC2_PRODUCT,
    Fetched,
    PayloadError,
    compute_row,
    dedupe,
    in_families,
    reserved_row,
    reserved_term,
    usd,
)

PAGE_SIZE = 100
"""GetProducts MaxResults upper bound (botocore pricing service model: 1–100)."""

SOURCE = "AWS Price List API GetProducts (AmazonEC2) {date}"


def term_filter(field: str, value: str) -> dict[str, str]:
    return {"Type": "TERM_MATCH", "Field": field, "Value": value}


def compute_filters(region: str) -> list[dict[str, str]]:
    """GetProducts filters for Linux, shared-tenancy, on-demand-capacity EC2 instances."""
    return [
        term_filter("regionCode", region),
        *(term_filter(f.attribute, f.value) for f in (*EC2_PRODUCT, EC2_LICENSE)),
    ]


def get_products_params(service_code: str, filters: list[dict[str, str]]) -> dict[str, Any]:
    """Request parameters of one GetProducts query (without NextToken)."""
    return {
        "ServiceCode": service_code,
        "Filters": filters,
        "FormatVersion": "aws_v1",
        "MaxResults": PAGE_SIZE,
    }


def load_item(raw: object, what: str) -> dict[str, Any]:
    """One PriceList element (a JSON string, or a dict) as a dict, else PayloadError."""
    try:
        item = json.loads(raw) if isinstance(raw, str | bytes) else raw
    except json.JSONDecodeError as exc:
        raise PayloadError(f"a PriceList item of {what} is not valid JSON ({exc.msg}); retry later") from None
    if not isinstance(item, dict) or not isinstance(item.get("product"), dict):
        raise PayloadError(f"a PriceList item of {what} has no 'product'; retry later")
    return item


def item_date(item: dict[str, Any], term: dict[str, Any] | None = None) -> str:
    """The price's date: publicationDate, else the term's effectiveDate (YYYY-MM-DD)."""
    for text in (item.get("publicationDate"), (term or {}).get("effectiveDate")):
        if isinstance(text, str) and len(text) >= 10:
            return text[:10]
    raise PayloadError("a PriceList item has neither publicationDate nor effectiveDate")


def _dimensions(term: dict[str, Any], what: str) -> list[dict[str, Any]]:
    dims = term.get("priceDimensions")
    if not isinstance(dims, dict) or not dims:
        raise PayloadError(f"a term of {what} has no priceDimensions; retry later")
    return [d for d in dims.values() if isinstance(d, dict)]


def _price_usd(dim: dict[str, Any], what: str) -> float:
    prices = dim.get("pricePerUnit")
    if not isinstance(prices, dict) or "USD" not in prices:
        raise PayloadError(f"a price dimension of {what} has no USD price; retry later")
    return usd(prices["USD"], what)


def rates_from_item(item: dict[str, Any], region: str, source: str) -> list[dict[str, str]]:
    """compute_rates rows (on-demand + every reserved term) of one EC2 PriceList item."""
    attrs = item["product"].get("attributes") or {}
    itype = attrs.get("instanceType")
    if not isinstance(itype, str) or not itype:
        raise PayloadError("an EC2 PriceList item has no instanceType attribute")
    item_region = attrs.get("regionCode", region)
    if item_region != region:
        return []  # a product of another region: the filter was not applied; ignore it
    what = f"{itype} in {region}"
    terms = item.get("terms") or {}
    rows: list[dict[str, str]] = []
    for term in (terms.get("OnDemand") or {}).values():
        for dim in _dimensions(term, what):
            if dim.get("unit") == "Hrs":
                rows.append(
                    compute_row(
                        region,
                        itype,
                        "on_demand",
                        hourly_usd=_price_usd(dim, what),
                        as_of=item_date(item, term),
                        source=source,
                    )
                )
    for term in (terms.get("Reserved") or {}).values():
        ta = term.get("termAttributes") or {}
        kind = reserved_term(
            str(ta.get("LeaseContractLength", "")),
            str(ta.get("OfferingClass", "")),
            str(ta.get("PurchaseOption", "")),
        )
        if kind is None:
            continue  # legacy utilisation-based offers (e.g. "Heavy Utilization"): not sold
        upfront = 0.0
        hourly = 0.0
        for dim in _dimensions(term, what):
            if dim.get("unit") == "Quantity":
                upfront += _price_usd(dim, what)
            elif dim.get("unit") == "Hrs":
                hourly += _price_usd(dim, what)
        rows.append(
            reserved_row(
                region,
                itype,
                kind,
                upfront_usd=upfront,
                hourly_usd=hourly,
                as_of=item_date(item, term),
                source=source,
            )
        )
    return rows


def rates_from_items(raws: Iterable[object], region: str, families: tuple[str, ...], source: str) -> Fetched:
    """Normalise PriceList items of one region; duplicates priced differently are left out."""
    out = Fetched()
    rows: list[dict[str, str]] = []
    for raw in raws:
        item = load_item(raw, f"GetProducts AmazonEC2 {region}")
        itype = (item["product"].get("attributes") or {}).get("instanceType", "")
        if isinstance(itype, str) and itype and not in_families(itype, families):
            continue
        rows.extend(rates_from_item(item, region, source))
    out.rows, out.warnings = dedupe(
        rows,
        COMPUTE_KEY,
        f"EC2 prices in {region}",
        ("upfront_usd", "hourly_usd", "effective_hourly_usd"),
    )
    return out


def fetch_compute_rates(
    pricing: Any, region: str, families: tuple[str, ...], *, today: str, sleep: Sleep = time.sleep
) -> Fetched:
    """On-demand and reserved rows of ``region`` via paginated GetProducts."""
    source = SOURCE.format(date=today)
    raws: list[object] = []
    params = get_products_params("AmazonEC2", compute_filters(region))
    for page in pages(pricing, "get_products", params, what=f"EC2 prices in {region}", sleep=sleep):
        items = page.get("PriceList")
        if not isinstance(items, list):
            raise PayloadError(f"GetProducts for EC2 prices in {region} returned no PriceList list")
        raws.extend(items)
    fetched = rates_from_items(raws, region, families, source)
    fetched.sources[source] = (
        f"pricing.get_products(ServiceCode=AmazonEC2, FormatVersion=aws_v1) retrieved {today}: "
        "TERM_MATCH regionCode, productFamily=Compute Instance, operatingSystem=Linux, "
        "tenancy=Shared, preInstalledSw=NA, capacitystatus=Used, licenseModel=No License required; "
        "on-demand and all reserved terms; as_of = the price list publicationDate"
    )
    return fetched
