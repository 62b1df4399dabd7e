"""Parsers of AWS's public per-region price-list files other than the EC2 CSV.

- Savings Plans CSV (``/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/<version>/<region>/index.csv``):
  metadata rows (unquoted), a header of 24 named columns (``SKU, RateCode, Unit, EffectiveDate,
  DiscountedRate, Currency, DiscountedSKU, DiscountedServiceCode, …, Product Family,
  DiscountedRegionCode, DiscountedInstanceType``), then one row per (plan, covered usage). A rate
  covers an EC2 Linux shared-tenancy hour when its ``DiscountedSKU`` is the on-demand SKU of that
  instance type in the region's EC2 file: the join ec2instances.info uses. Read as a stream.
- Offer JSON (``/offers/v1.0/aws/<service>/<version>/<region>/index.json``): ``products``
  (sku → {productFamily, attributes}) and ``terms.OnDemand`` (sku → term → priceDimensions). Used
  for S3, S3 Glacier Deep Archive, EFS (through :func:`planner.refresh.storage.rows_from_items`)
  and SageMaker (``productFamily`` "ML Instance", one row per instance type and component).

Prices are copied from the files' strings; every row's ``as_of`` is the file's publication date.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from planner.catalog.schema import SAGEMAKER_COMPONENT_PATTERN
from planner.catalog.writer import format_number
from planner.refresh.records import (
    COMPUTE_KEY,
    LEASE_YEARS,
    PAYMENT_OPTIONS,
    Fetched,
    PayloadError,
    compute_row,
    dedupe,
    in_families,
    usage_suffix,
    usd,
)

SP_PLAN_TYPES = {"ComputeSavingsPlans": "compute", "EC2InstanceSavingsPlans": "ec2_instance"}
"""Savings Plans ``Product Family`` → the snapshot's ``plan_type``."""

SP_COLUMNS = (
    "Unit",
    "DiscountedRate",
    "Currency",
    "DiscountedSKU",
    "DiscountedServiceCode",
    "PurchaseOption",
    "LeaseContractLength",
    "Product Family",
)
MAX_METADATA_ROWS = 10
"""The header row (first cell ``SKU``) is looked for among the first rows; AWS writes 5
metadata rows before it."""


@dataclass(slots=True)
class FileFacts:
    """Publication date (YYYY-MM-DD) and version a price-list file states about itself."""

    publication_date: str = ""
    version: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def csv_header(reader: Iterator[list[str]], what: str) -> tuple[FileFacts, list[str]]:
    """Read the metadata rows and the header of a price-list CSV."""
    facts = FileFacts()
    for _ in range(MAX_METADATA_ROWS):
        try:
            row = next(reader)
        except StopIteration:
            raise PayloadError(f"{what} ends before its header row") from None
        if row and row[0] == "SKU":
            return facts, row
        if len(row) >= 2:
            facts.extra[row[0]] = row[1]
            if row[0] == "Publication Date":
                facts.publication_date = row[1][:10]
            elif row[0] == "Version":
                facts.version = row[1]
    raise PayloadError(f"{what} has no header row (a row starting with SKU) in its first rows")


def parse_savings_plans_csv(
    lines: Iterable[str],
    region: str,
    skus: dict[str, str],
    families: tuple[str, ...],
    *,
    source: str,
    as_of: str,
) -> tuple[Fetched, FileFacts]:
    """compute_rates rows ``savings_plan`` of one region's Savings Plans file.

    ``skus``: on-demand SKU → instance type of the Linux shared-tenancy products of the region's
    EC2 file; a rate whose ``DiscountedSKU`` is not among them (other OS, tenancy, Fargate,
    Lambda, another region) is not kept. ``hourly_usd`` = the plan rate, ``upfront_usd`` = 0 and
    effective = hourly: an upfront payment prepays the hourly commitment, it is no fee on top.
    """
    what = f"Savings Plans file of {region}"
    reader = csv.reader(lines)
    facts, header = csv_header(reader, what)
    index = {name: i for i, name in enumerate(header)}
    missing = [c for c in SP_COLUMNS if c not in index]
    if missing:
        raise PayloadError(f"{what}: header lacks {', '.join(missing)}")
    i_unit, i_rate, i_cur, i_sku, i_service, i_purchase, i_lease, i_family = (index[c] for c in SP_COLUMNS)
    i_lease_unit = index.get("LeaseContractLengthUnit")
    width = len(header)
    rows: list[dict[str, str]] = []
    number = 0
    for row in reader:
        number += 1
        if len(row) != width:
            raise PayloadError(
                f"{what}: data row {number} has {len(row)} columns, header has {width} (file cut short?)"
            )
        itype = skus.get(row[i_sku])
        if itype is None or row[i_service] != "AmazonEC2" or row[i_unit] != "Hrs":
            continue
        if row[i_cur] != "USD" or not in_families(itype, families):
            continue
        plan = SP_PLAN_TYPES.get(row[i_family])
        payment = PAYMENT_OPTIONS.get(row[i_purchase])
        lease = row[i_lease]
        if i_lease_unit is not None and row[i_lease_unit]:
            lease = f"{lease}yr" if row[i_lease_unit].startswith("year") else ""
        years = LEASE_YEARS.get(lease)
        if plan is None or payment is None or years is None:
            continue
        rows.append(
            compute_row(
                region,
                itype,
                "savings_plan",
                hourly_usd=usd(row[i_rate], f"{itype} in {what}"),
                term_years=years,
                payment_option=payment,
                plan_type=plan,
                as_of=as_of or facts.publication_date or "undated",
                source=source,
            )
        )
    out = Fetched()
    out.rows, out.warnings = dedupe(rows, COMPUTE_KEY, what, ("hourly_usd",))
    return out, facts


def offer_facts(offer: dict[str, Any], what: str) -> FileFacts:
    """Publication date and version of an offer JSON file; PayloadError if it is not one."""
    if not isinstance(offer.get("products"), dict) or not isinstance(offer.get("terms"), dict):
        raise PayloadError(f"{what} has no 'products'/'terms' objects; check --price-list-url")
    published = offer.get("publicationDate")
    return FileFacts(
        publication_date=published[:10] if isinstance(published, str) else "",
        version=str(offer.get("version", "")),
    )


def offer_items(offer: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The offer file as Price List items ``{"product", "terms": {"OnDemand"}, "publicationDate"}``
    (the shape GetProducts returns), one per product that has on-demand terms."""
    on_demand = offer["terms"].get("OnDemand") or {}
    published = offer.get("publicationDate", "")
    for sku, product in offer["products"].items():
        if not isinstance(product, dict) or sku not in on_demand:
            continue
        yield {"product": product, "terms": {"OnDemand": on_demand[sku]}, "publicationDate": published}


SAGEMAKER_USAGE = {
    "Train": "training",
    "Host": "hosting",
    "Notebk": "notebook",
    "Processing": "processing",
    "Tsform": "batch_transform",
}
"""SageMaker usage-type operation (``USE1-Train:ml.p3.2xlarge``) → component."""

SAGEMAKER_COMPONENT_NAMES = {
    "training": "training",
    "hosting": "hosting",
    "realtimeinference": "hosting",
    "notebook": "notebook",
    "notebookinstance": "notebook",
    "processing": "processing",
    "batchtransform": "batch_transform",
    "transform": "batch_transform",
    "asyncinf": "async_inference",
    "studionotebook": "studio_notebook",
    "spottraining": "spot_training",
}
"""Other spellings of the ``component`` / ``platoinstancetype`` attribute (letters only, lower
case) → component; a name not listed is kept in lower snake case."""

ML_TYPE = re.compile(r"ml\.[a-z0-9][a-z0-9-]*\.[a-z0-9-]+")


def sagemaker_component(attrs: dict[str, Any]) -> str | None:
    """The component of a SageMaker product: from its usage type, else its component attribute."""
    usage = usage_suffix(str(attrs.get("usagetype", "")))
    operation = usage.split(":", 1)[0]
    if operation in SAGEMAKER_USAGE:
        return SAGEMAKER_USAGE[operation]
    name = str(attrs.get("component") or attrs.get("platoinstancetype") or "")
    key = re.sub(r"[^a-z]", "", name.lower())
    if not key:
        return None
    snake = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    component = SAGEMAKER_COMPONENT_NAMES.get(key, snake)
    return component if re.fullmatch(SAGEMAKER_COMPONENT_PATTERN, component) else None


def sagemaker_instance(attrs: dict[str, Any]) -> str | None:
    """``ml.p3.2xlarge`` from ``instanceName``, the usage type (``USE1-Host:ml.p3.2xlarge``) or
    ``instanceType`` (``ml.p3.2xlarge-Hosting`` style: the component suffix is dropped)."""
    usage = str(attrs.get("usagetype", ""))
    for text in (str(attrs.get("instanceName", "")), usage.split(":", 1)[1] if ":" in usage else ""):
        if ML_TYPE.fullmatch(text):
            return text
    bare = re.sub(r"-[A-Z][A-Za-z]*$", "", str(attrs.get("instanceType", "")))
    return bare if ML_TYPE.fullmatch(bare) else None


def sagemaker_rows(offer: dict[str, Any], region: str, *, source: str, as_of: str) -> Fetched:
    """sagemaker_rates rows: on-demand $ per instance-hour of every ``ml.*`` type by component."""
    what = f"SageMaker file of {region}"
    rows: list[dict[str, str]] = []
    skipped: set[str] = set()
    for item in offer_items(offer):
        product = item["product"]
        attrs = product.get("attributes") or {}
        if product.get("productFamily") != "ML Instance":
            continue
        if (
            attrs.get("regionCode", region) != region
            or attrs.get("locationType", "AWS Region") != "AWS Region"
        ):
            continue
        itype = sagemaker_instance(attrs)
        component = sagemaker_component(attrs)
        if itype is None or component is None:
            skipped.add(str(attrs.get("usagetype", "?")))
            continue
        for term in item["terms"]["OnDemand"].values():
            for dim in (term.get("priceDimensions") or {}).values():
                prices = dim.get("pricePerUnit") or {}
                if dim.get("unit") not in ("Hrs", "Hours", "hours") or "USD" not in prices:
                    continue
                price = usd(prices["USD"], f"{itype} {component} in {what}")
                if price == 0:
                    continue  # free-tier or included hours, not a price per hour
                rows.append(
                    {
                        "region": region,
                        "instance_type": itype,
                        "component": component,
                        "hourly_usd": format_number(price),
                        "as_of": as_of or "undated",
                        "source": source,
                    }
                )
    out = Fetched()
    out.rows, out.warnings = dedupe(rows, ("region", "instance_type", "component"), what, ("hourly_usd",))
    if skipped:
        shown = ", ".join(sorted(skipped)[:5])
        out.warnings.append(f"{what}: {len(skipped)} ML Instance products not recognised (left out): {shown}")
    return out
