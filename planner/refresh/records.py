"""Options, results and snapshot-row builders shared by the refresh fetchers.

Rows are plain ``dict[str, str]`` in the column order of :data:`planner.catalog.schema.TABLES`,
with numbers written by :func:`planner.catalog.writer.format_number`, exactly as the embedded
snapshot writes them, so untouched rows and refreshed rows sit in one file byte-compatible.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from planner.billing import reserved_effective_hourly
from planner.catalog.writer import format_number
from planner.errors import InputError, RefreshError
from planner.refresh.public_http import base_url

REGION_RE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
FAMILY_RE = re.compile(r"^[a-z][a-z0-9-]*$")
USAGE_REGION_PREFIX_RE = re.compile(r"^[A-Z]{2,4}\d?-(?=[A-Za-z])")
"""Usage-type region prefix (``USE2-``, ``EUC1-``, ``APN1-``); us-east-1 usage types have none."""

DEFAULT_FAMILIES: tuple[str, ...] = (
    "m5",
    "c5",
    "r5",
    "p3",
    "p3dn",
    "p4d",
    "p4de",
    "g4dn",
    "g4ad",
    "trn1",
    "trn1n",
    "inf1",
    "inf2",
    "p5",
    "p5e",
    "p5en",
    "g5",
    "g6",
    "g6e",
    "trn2",
)
"""Instance families the planner covers (product design §3): refreshed unless told otherwise."""

PRICING_REGIONS = ("us-east-1", "eu-central-1", "ap-south-1")
"""Regions with a Price List API endpoint (botocore endpoints.json, partition aws)."""

MAX_SPOT_DAYS = 90
"""DescribeSpotPriceHistory looks back at most 90 days (EC2 API reference)."""


class RefreshTable(StrEnum):
    """What a refresh can fetch; each maps onto rows of the snapshot tables."""

    COMPUTE = "compute"
    """On-demand and reserved rows of compute_rates."""
    STORAGE = "storage"
    """storage_rates (S3, EBS, EFS)."""
    SPOT = "spot"
    """Spot rows of compute_rates and spot_price_samples."""
    SAVINGS_PLANS = "savings_plans"
    """Savings-plan rows of compute_rates."""
    SAGEMAKER = "sagemaker"
    """sagemaker_rates (SageMaker instance-hours by component; public price-list files only)."""


class PriceSource(StrEnum):
    """Where EC2 on-demand/reserved prices come from."""

    AUTO = "auto"
    """GetProducts for chosen families, the bulk price-list file when all families are asked."""
    API = "api"
    BULK = "bulk"
    PUBLIC = "public"
    """AWS's public price-list files over plain HTTPS: no account, no credentials."""


API_TABLES = (RefreshTable.COMPUTE, RefreshTable.STORAGE, RefreshTable.SPOT, RefreshTable.SAVINGS_PLANS)
"""What a refresh with credentials (``api``/``bulk``/``auto``) fetches by default."""

PUBLIC_TABLES = (
    RefreshTable.COMPUTE, RefreshTable.SAVINGS_PLANS, RefreshTable.STORAGE, RefreshTable.SAGEMAKER,
)
"""What the public price-list files hold (no spot prices: those need the EC2 API)."""


class PayloadError(RefreshError):
    """An AWS response does not have the documented shape."""


@dataclass(frozen=True, slots=True)
class RefreshOptions:
    """What to refresh. ``families`` empty means every family in the payload."""

    regions: tuple[str, ...]
    families: tuple[str, ...] = DEFAULT_FAMILIES
    tables: tuple[RefreshTable, ...] | None = None
    """None: :data:`PUBLIC_TABLES` for the public source, else :data:`API_TABLES`."""
    profile: str | None = None
    pricing_region: str = "us-east-1"
    spot_days: int = 7
    """Days of spot price history to summarise (1–90)."""
    source: PriceSource = PriceSource.AUTO
    price_list_url: str | None = None
    """Base URL of the public price-list files (None: ``$PLANNER_PRICE_LIST_URL`` or AWS's)."""

    @property
    def table_list(self) -> tuple[RefreshTable, ...]:
        """The tables to refresh (the default of the source when none were named)."""
        if self.tables is not None:
            return self.tables
        return PUBLIC_TABLES if self.source is PriceSource.PUBLIC else API_TABLES

    def __post_init__(self) -> None:
        if not self.regions:
            raise InputError("regions", "name at least one region, e.g. us-east-1")
        for region in self.regions:
            if not REGION_RE.match(region):
                raise InputError("regions", f"{region!r} is not a region code like us-east-1")
        for family in self.families:
            if not FAMILY_RE.match(family):
                raise InputError("families", f"{family!r} is not an instance family like p4d")
        if self.tables is not None and not self.tables:
            raise InputError("tables", f"name at least one of {', '.join(RefreshTable)}")
        if self.source is PriceSource.PUBLIC and RefreshTable.SPOT in self.table_list:
            raise InputError(
                "tables", "spot: AWS publishes no spot price file; refresh spot with --source api "
                "(needs AWS credentials)"
            )
        if self.source is not PriceSource.PUBLIC and RefreshTable.SAGEMAKER in self.table_list:
            raise InputError("tables", "sagemaker: SageMaker prices come from --source public")
        if self.pricing_region not in PRICING_REGIONS:
            raise InputError(
                "pricing_region", f"{self.pricing_region!r} is not one of {', '.join(PRICING_REGIONS)}"
            )
        if not 1 <= self.spot_days <= MAX_SPOT_DAYS:
            raise InputError("days", f"{self.spot_days} is outside 1–{MAX_SPOT_DAYS}")
        if self.source is PriceSource.PUBLIC:
            base_url(self.price_list_url)  # raises InputError naming price_list_url

    @property
    def use_bulk(self) -> bool:
        """True when EC2 compute prices come from the bulk price-list file."""
        if self.source is PriceSource.AUTO:
            return not self.families
        return self.source is PriceSource.BULK


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """What a refresh did; ``rows`` counts the new rows per snapshot table."""

    data_dir: Path
    backup_dir: Path
    regions: tuple[str, ...]
    tables: tuple[RefreshTable, ...]
    rows: dict[str, int]
    replaced_rows: dict[str, int]
    skipped_instance_types: tuple[str, ...] = ()
    """Instance types AWS priced but instance_specs does not describe (left out)."""
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class Fetched:
    """Rows from one fetcher plus the citations and warnings that go with them."""

    rows: list[dict[str, str]] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    """Short source (as on each row) → full description for manifest.json."""
    warnings: list[str] = field(default_factory=list)

    def extend(self, other: Fetched) -> None:
        self.rows.extend(other.rows)
        self.sources.update(other.sources)
        self.warnings.extend(other.warnings)


def family_of(instance_type: str) -> str:
    """``p4d.24xlarge`` → ``p4d``."""
    return instance_type.split(".", 1)[0]


def usage_suffix(usage_type: str) -> str:
    """``USE2-EBS:VolumeUsage.gp3`` → ``EBS:VolumeUsage.gp3`` (the usage type without its region)."""
    return USAGE_REGION_PREFIX_RE.sub("", usage_type, count=1)


def in_families(instance_type: str, families: Iterable[str]) -> bool:
    wanted = tuple(families)
    return not wanted or family_of(instance_type) in wanted


def usd(text: object, what: str) -> float:
    """A price string from a payload as a finite, non-negative float, else PayloadError."""
    try:
        value = float(str(text))
    except ValueError:
        raise PayloadError(
            f"invalid price {text!r} in {what}; the AWS response is malformed, retry later"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise PayloadError(f"invalid price {text!r} in {what}; retry later")
    return value


def compute_row(
    region: str,
    instance_type: str,
    option: str,
    *,
    hourly_usd: float,
    upfront_usd: float = 0.0,
    effective_hourly_usd: float | None = None,
    term_years: int = 0,
    offering_class: str = "",
    payment_option: str = "",
    plan_type: str = "",
    as_of: str,
    source: str,
) -> dict[str, str]:
    """One compute_rates row (effective defaults to the hourly rate)."""
    effective = hourly_usd if effective_hourly_usd is None else effective_hourly_usd
    return {
        "region": region,
        "instance_type": instance_type,
        "purchase_option": option,
        "term_years": str(term_years),
        "offering_class": offering_class,
        "payment_option": payment_option,
        "plan_type": plan_type,
        "upfront_usd": format_number(upfront_usd),
        "hourly_usd": format_number(hourly_usd),
        "effective_hourly_usd": format_number(effective),
        "as_of": as_of,
        "source": source,
    }


LEASE_YEARS = {"1yr": 1, "3yr": 3, "1 yr": 1, "3 yr": 3}
PAYMENT_OPTIONS = {
    "No Upfront": "no_upfront",
    "Partial Upfront": "partial_upfront",
    "All Upfront": "all_upfront",
}
OFFERING_CLASSES = {"standard": "standard", "convertible": "convertible"}


class ReservedTerm(NamedTuple):
    """A reserved offer term in the snapshot's words."""

    years: int
    offering_class: str
    payment_option: str


def reserved_term(lease: str, offering_class: str, purchase: str) -> ReservedTerm | None:
    """The term of AWS's LeaseContractLength / OfferingClass / PurchaseOption texts; None for an
    offer the snapshot does not carry (e.g. legacy "Heavy Utilization" offers, no longer sold)."""
    years = LEASE_YEARS.get(lease)
    offering = OFFERING_CLASSES.get(offering_class)
    payment = PAYMENT_OPTIONS.get(purchase)
    if years is None or offering is None or payment is None:
        return None
    return ReservedTerm(years, offering, payment)


def reserved_row(
    region: str,
    instance_type: str,
    term: ReservedTerm,
    *,
    upfront_usd: float,
    hourly_usd: float,
    as_of: str,
    source: str,
) -> dict[str, str]:
    """One reserved compute_rates row; effective = (upfront + hourly × term h) / term h."""
    return compute_row(
        region,
        instance_type,
        "reserved",
        hourly_usd=hourly_usd,
        upfront_usd=upfront_usd,
        effective_hourly_usd=reserved_effective_hourly(upfront_usd, hourly_usd, term.years),
        term_years=term.years,
        offering_class=term.offering_class,
        payment_option=term.payment_option,
        as_of=as_of,
        source=source,
    )


class ProductFilter(NamedTuple):
    """One attribute an EC2 product must have to be priced, named as each AWS source names it."""

    attribute: str
    """GetProducts attribute (a TERM_MATCH filter field)."""
    column: str
    """Column of the bulk price-list CSV."""
    value: str


EC2_PRODUCT: tuple[ProductFilter, ...] = (
    ProductFilter("productFamily", "Product Family", "Compute Instance"),
    ProductFilter("operatingSystem", "Operating System", "Linux"),
    ProductFilter("tenancy", "Tenancy", "Shared"),
    ProductFilter("preInstalledSw", "Pre Installed S/W", "NA"),
    ProductFilter("capacitystatus", "CapacityStatus", "Used"),
)
"""The EC2 products the planner prices: Linux compute instances, shared tenancy, no pre-installed
software, on-demand capacity (not capacity reservations)."""

EC2_LICENSE = ProductFilter("licenseModel", "License Model", "No License required")
"""Also required where the source has it (older bulk files have no License Model column)."""

COMPUTE_KEY = (
    "region",
    "instance_type",
    "purchase_option",
    "term_years",
    "offering_class",
    "payment_option",
    "plan_type",
)


def dedupe(
    rows: Iterable[dict[str, str]], key: tuple[str, ...], what: str, price_columns: tuple[str, ...]
) -> tuple[list[dict[str, str]], list[str]]:
    """Drop exact repeats; a key priced two different ways is dropped and reported (never guessed)."""
    kept: dict[tuple[str, ...], dict[str, str]] = {}
    conflicts: set[tuple[str, ...]] = set()
    for row in rows:
        k = tuple(row[c] for c in key)
        if k in kept:
            if any(kept[k][c] != row[c] for c in price_columns):
                conflicts.add(k)
            continue
        kept[k] = row
    warnings = [
        f"{what}: {', '.join(k)} has two different prices in the AWS response; left out"
        for k in sorted(conflicts)
    ]
    return [r for k, r in kept.items() if k not in conflicts], warnings
