"""Streaming parser of the bulk EC2 price-list CSV (one region's ``index.csv``).

File layout (AWS Billing docs, "Reading the service price list file"): rows 1–5 are metadata
(``FormatVersion``, ``Disclaimer``, ``Publication Date``, ``Version``, ``OfferCode``), row 6 is the
header, then one row per (SKU, offer term, price dimension). Columns are read by header name, never
by position, because AWS adds columns over time.

The file is read row by row with :mod:`csv` (a one-region file is a few hundred MB and over
500,000 rows); only the rows of Linux, shared-tenancy, no-software, capacity-``Used`` compute
instances of the chosen families are kept, aggregated per (instance type, term), and turned into
the same ``compute_rates`` rows as :mod:`planner.refresh.products`.
"""

from __future__ import annotations

import csv
import http.client
import io
import operator
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from planner.errors import RefreshError
from planner.refresh.client import Sleep, call, pages
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

METADATA_ROWS = 5
TERM_COLUMNS = (
    "SKU",
    "OfferTermCode",
    "TermType",
    "Unit",
    "PricePerUnit",
    "Currency",
    "LeaseContractLength",
    "PurchaseOption",
    "OfferingClass",
    "Instance Type",
)
REQUIRED_COLUMNS = (*TERM_COLUMNS, *(f.column for f in EC2_PRODUCT))
PRODUCT_VALUES = tuple(f.value for f in EC2_PRODUCT)

ON_DEMAND_MARKET = ("MarketOption", "OnDemand")
"""Where the file has the column: Capacity Blocks (``CapacityBlock``, $0, same instance type and
capacity status) and other markets are not on-demand prices."""
LINUX_OPERATION = ("operation", "RunInstances")
"""Linux/UNIX instance-hours; other operating systems and licences have ``RunInstances:<code>``."""
BOX_USAGE = ("usageType", "BoxUsage")
"""On-demand shared-tenancy instance-hours (``BoxUsage:p3.2xlarge``, ``EU-BoxUsage:…``)."""

EBS_FAMILIES = frozenset({"Storage", "System Operation", "Provisioned Throughput", "Storage Snapshot"})
"""Product families of EBS prices inside the AmazonEC2 file."""


@dataclass(slots=True)
class _Term:
    """One reserved offer term being assembled from its price-dimension rows."""

    lease: str
    purchase: str
    offering_class: str
    date: str
    upfront_usd: float = 0.0
    hourly_usd: float = 0.0


@dataclass(slots=True)
class BulkParse:
    """Result of parsing one file: metadata, counts and the normalised rows."""

    metadata: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    rows_kept: int = 0
    fetched: Fetched = field(default_factory=Fetched)
    source: str = ""
    """The ``source`` of every row."""
    skus: dict[str, str] = field(default_factory=dict)
    """On-demand SKU → instance type of every kept product (Savings Plans rates join on it)."""
    storage_items: list[dict[str, Any]] = field(default_factory=list)
    """EBS prices (``storage=True``) as Price List items: ``{"product": {"attributes"}, "terms"}``
    with one on-demand price dimension each, for :func:`planner.refresh.storage.rows_from_items`."""

    @property
    def publication_date(self) -> str:
        return self.metadata.get("Publication Date", "")[:10]


def _metadata(reader: Iterator[list[str]]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for number in range(1, METADATA_ROWS + 1):
        try:
            row = next(reader)
        except StopIteration:
            raise PayloadError(f"price-list CSV ends in its metadata (row {number})") from None
        if len(row) < 2:
            raise PayloadError(f"price-list CSV row {number} is not a metadata row: {row[:2]}")
        meta[row[0]] = row[1]
    if meta.get("OfferCode", "AmazonEC2") != "AmazonEC2":
        raise PayloadError(f"price-list CSV is for {meta['OfferCode']!r}, not AmazonEC2")
    return meta


def _storage_item(row: list[str], index: dict[str, int], published: str) -> dict[str, Any]:
    """One EBS price row of the CSV as a Price List item with a single price dimension."""

    def cell(name: str) -> str:
        i = index.get(name)
        return row[i] if i is not None else ""

    return {
        "product": {
            "attributes": {
                "usagetype": cell("usageType"),
                "operation": cell("operation"),
                **({"regionCode": cell("Region Code")} if cell("Region Code") else {}),
            }
        },
        "publicationDate": published,
        "terms": {
            "OnDemand": {
                cell("SKU"): {
                    "effectiveDate": cell("EffectiveDate"),
                    "priceDimensions": {
                        cell("RateCode"): {
                            "unit": cell("Unit"),
                            "beginRange": cell("StartingRange"),
                            "endRange": cell("EndingRange"),
                            "pricePerUnit": {cell("Currency"): cell("PricePerUnit")},
                        }
                    },
                }
            }
        },
    }


def parse_ec2_csv(
    lines: Iterable[str],
    region: str,
    families: tuple[str, ...],
    *,
    source: str | Callable[[str], str],
    storage: bool = False,
) -> BulkParse:
    """Parse a one-region EC2 price-list CSV into compute_rates rows (on-demand + reserved).

    ``source``: the rows' source, or a function of the file's publication date (YYYY-MM-DD, empty
    when the metadata has none) that gives it. ``storage``: also collect the EBS prices.
    """
    reader = csv.reader(lines)
    result = BulkParse(metadata=_metadata(reader))
    result.source = source(result.publication_date) if callable(source) else source
    try:
        header = next(reader)
    except StopIteration:
        raise PayloadError("price-list CSV has no header row (row 6)") from None
    index = {name: i for i, name in enumerate(header)}
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    if missing:
        raise PayloadError(f"price-list CSV header lacks {', '.join(missing)}")
    (
        i_sku,
        i_term_code,
        i_term,
        i_unit,
        i_price,
        i_cur,
        i_lease,
        i_purchase,
        i_class,
        i_type,
    ) = (index[c] for c in TERM_COLUMNS)
    product_of = operator.itemgetter(*(index[f.column] for f in EC2_PRODUCT))
    i_license = index.get(EC2_LICENSE.column)
    i_region = index.get("Region Code")
    i_date = index.get("EffectiveDate")
    extra_filters = [
        (index[column], value)
        for column, value in (ON_DEMAND_MARKET, LINUX_OPERATION)
        if column in index
    ]
    i_usage = index.get(BOX_USAGE[0])
    i_family = index["Product Family"]
    width = len(header)
    on_demand: dict[str, list[float]] = {}
    reserved: dict[tuple[str, str], _Term] = {}
    rows_read = 0
    for row in reader:
        rows_read += 1
        if len(row) != width:
            raise PayloadError(
                f"price-list CSV data row {rows_read} has {len(row)} columns, header has {width} "
                "(file cut short?)"
            )
        if product_of(row) != PRODUCT_VALUES:
            if storage and row[i_family] in EBS_FAMILIES and row[i_term] == "OnDemand":
                result.storage_items.append(_storage_item(row, index, result.publication_date))
            continue
        if i_license is not None and row[i_license] not in (EC2_LICENSE.value, ""):
            continue
        if any(row[i] not in (value, "") for i, value in extra_filters):
            continue
        if i_usage is not None and row[i_usage] and BOX_USAGE[1] not in row[i_usage]:
            continue
        if i_region is not None and row[i_region] not in (region, ""):
            continue
        itype = row[i_type]
        if not itype or not in_families(itype, families) or row[i_cur] != "USD":
            continue
        what = f"{itype} (SKU {row[i_sku]})"
        price = usd(row[i_price], what)
        if row[i_term] == "OnDemand":
            if row[i_unit] == "Hrs":
                on_demand.setdefault(itype, []).append(price)
                result.skus[row[i_sku]] = itype
        elif row[i_term] == "Reserved":
            key = (itype, f"{row[i_sku]}.{row[i_term_code]}")
            entry = reserved.get(key)
            if entry is None:
                entry = reserved[key] = _Term(
                    row[i_lease],
                    row[i_purchase],
                    row[i_class],
                    row[i_date][:10] if i_date is not None else "",
                )
            if row[i_unit] == "Quantity":
                entry.upfront_usd += price
            elif row[i_unit] == "Hrs":
                entry.hourly_usd += price
        result.rows_kept += 1
    result.rows_read = rows_read
    published = result.publication_date  # as_of of every row; else the term's date, else undated
    row_source = result.source
    rows: list[dict[str, str]] = []
    for itype, prices in on_demand.items():
        as_of = published or "undated"
        rows.extend(
            compute_row(region, itype, "on_demand", hourly_usd=p, as_of=as_of, source=row_source)
            for p in prices
        )
    for (itype, _code), e in reserved.items():
        kind = reserved_term(e.lease, e.offering_class, e.purchase)
        if kind is None:
            continue
        rows.append(
            reserved_row(
                region,
                itype,
                kind,
                upfront_usd=e.upfront_usd,
                hourly_usd=e.hourly_usd,
                as_of=published or e.date or "undated",
                source=row_source,
            )
        )
    result.fetched.rows, result.fetched.warnings = dedupe(
        rows,
        COMPUTE_KEY,
        f"EC2 bulk prices in {region}",
        ("upfront_usd", "hourly_usd", "effective_hourly_usd"),
    )
    return result


SOURCE = "AWS Price List bulk file (AmazonEC2 {region}, publication {published}) {date}"

Opener = Callable[[str], BinaryIO]
"""Opens a URL for reading as a binary stream (default: HTTPS GET with urllib)."""

DOWNLOAD_TIMEOUT_S = 60
"""Socket timeout of the bulk-file download [s]: a stalled connection fails instead of hanging."""


def https_opener(url: str) -> BinaryIO:
    """Open a pre-signed price-list URL; only https is accepted."""
    if urllib.parse.urlsplit(url).scheme != "https":
        raise PayloadError(f"GetPriceListFileUrl returned a non-https URL ({url[:40]}…); refused")
    stream: BinaryIO = urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S)
    return stream


def find_price_list_arn(pricing: Any, region: str, *, now: datetime, sleep: Sleep) -> str:
    """The ARN of the current AmazonEC2 price list of ``region`` that has a CSV file."""
    params = {
        "ServiceCode": "AmazonEC2",
        "EffectiveDate": now,
        "CurrencyCode": "USD",
        "RegionCode": region,
        "MaxResults": 100,
    }
    for page in pages(pricing, "list_price_lists", params, what=f"EC2 price lists of {region}", sleep=sleep):
        for entry in page.get("PriceLists") or []:
            if entry.get("RegionCode") == region and "csv" in (entry.get("FileFormats") or []):
                return str(entry["PriceListArn"])
    raise RefreshError(
        f"AWS lists no AmazonEC2 CSV price list for {region}; check the region "
        "code, or refresh it with --source api"
    )


def fetch_bulk_compute_rates(
    pricing: Any,
    region: str,
    families: tuple[str, ...],
    *,
    now: datetime,
    opener: Opener = https_opener,
    sleep: Sleep = time.sleep,
) -> Fetched:
    """On-demand and reserved rows of ``region`` from its bulk price-list CSV, parsed as a stream."""
    arn = find_price_list_arn(pricing, region, now=now, sleep=sleep)
    url = call(
        pricing,
        "get_price_list_file_url",
        {"PriceListArn": arn, "FileFormat": "csv"},
        what=f"EC2 price list of {region}",
        sleep=sleep,
    ).get("Url")
    if not isinstance(url, str) or not url:
        raise PayloadError(f"GetPriceListFileUrl for {region} returned no Url; retry later")
    today = now.date().isoformat()

    def source(published: str) -> str:
        return SOURCE.format(region=region, published=published or "unknown", date=today)

    try:
        with opener(url) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            parsed = parse_ec2_csv(text, region, families, source=source)
    except (OSError, http.client.HTTPException, UnicodeDecodeError, csv.Error) as exc:
        raise RefreshError(
            f"the download of the EC2 price list of {region} failed ({type(exc).__name__}); "
            "check the network and retry"
        ) from None
    fetched = parsed.fetched
    fetched.sources[parsed.source] = (
        f"pricing.list_price_lists + get_price_list_file_url (csv) retrieved {today}, "
        f"version {parsed.metadata.get('Version', '?')}: Linux, Shared tenancy, "
        "Pre Installed S/W NA, CapacityStatus Used; on-demand and all reserved terms; "
        "as_of = the file's Publication Date"
    )
    return fetched
