"""S3, EBS and EFS prices (with tiers) from GetProducts, in the ``storage_rates`` schema.

The storage classes, dimensions and units are the SAME names the embedded snapshot uses (see
``scripts/build_snapshot.py``: S3_CLASSES, EBS_CLASSES, EFS_CLASSES, UNITS), so a refreshed row
replaces the embedded row of the same key. Products are recognised by their ``usagetype`` with the
region prefix (``USE2-``, ``EUC1-`` …) removed, and for S3 lifecycle transitions by ``operation``;
a product this module does not know is skipped and named in the report, never guessed at.

Queries per region (TERM_MATCH regionCode): AmazonS3, AmazonS3GlacierDeepArchive, AmazonEFS, and
AmazonEC2 with productFamily Storage, System Operation, Provisioned Throughput, Storage Snapshot.

Units are converted to the snapshot's: ``Requests`` → per 1,000 requests (× 1,000), ``Objects``
(Intelligent-Tiering monitoring) → per 1,000 objects-month (× 1,000), ``GiBps-mo`` (gp3
throughput) → per MiBps-month (÷ 1,024). Tiers come from ``beginRange``/``endRange`` (GB for S3
volume tiers); where the Price List publishes a band as 0–Inf but billing starts above an included
amount, the band is set from the EBS documentation: gp3 bills IOPS above 3,000 and throughput above
125 MiB/s; io2 IOPS tiers are 0–32,000, 32,000–64,000 and above 64,000 per volume.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from planner.catalog.writer import format_number
from planner.pricing.ebs import GP3_INCLUDED_IOPS, GP3_INCLUDED_THROUGHPUT_MIBPS
from planner.refresh.client import Sleep, pages
from planner.refresh.products import get_products_params, item_date, load_item, term_filter
from planner.refresh.records import Fetched, PayloadError, dedupe, usage_suffix, usd

UNITS: dict[str, tuple[str, float]] = {
    "GB-Mo": ("GB-month", 1.0),
    "GB-month": ("GB-month", 1.0),
    "GB": ("GB", 1.0),
    "Requests": ("1,000 requests", 1000.0),
    "Objects": ("1,000 objects-month", 1000.0),
    "IOPS-Mo": ("IOPS-month", 1.0),
    "MiBps-Mo": ("MiBps-month", 1.0),
    "GiBps-mo": ("MiBps-month", 1.0 / 1024.0),
}
"""Price List unit → (snapshot unit, multiplier on the price)."""

IO2_TIER_IOPS = (0, 32000, 64000)
"""io2 Block Express IOPS price tiers per volume (Amazon EBS pricing page)."""

S3_USAGE: dict[str, tuple[str, str]] = {
    "TimedStorage-ByteHrs": ("standard", "storage"),
    "TimedStorage-INT-FA-ByteHrs": ("intelligent_tiering", "storage"),
    "TimedStorage-INT-IA-ByteHrs": ("intelligent_tiering", "infrequent_storage"),
    "TimedStorage-INT-AIA-ByteHrs": ("intelligent_tiering", "archive_instant_storage"),
    "TimedStorage-INT-AA-ByteHrs": ("intelligent_tiering", "archive_storage"),
    "TimedStorage-INT-DAA-ByteHrs": ("intelligent_tiering", "deep_archive_storage"),
    "TimedStorage-SIA-ByteHrs": ("standard_ia", "storage"),
    "TimedStorage-ZIA-ByteHrs": ("onezone_ia", "storage"),
    "TimedStorage-GIR-ByteHrs": ("glacier_ir", "storage"),
    "TimedStorage-GlacierByteHrs": ("glacier_flexible", "storage"),
    "TimedStorage-GDA-ByteHrs": ("deep_archive", "storage"),
    "TimedStorage-XZ-ByteHrs": ("express_onezone", "storage"),
    "Requests-Tier1": ("standard", "requests_put"),
    "Requests-Tier2": ("standard", "requests_get"),
    "Requests-INT-Tier1": ("intelligent_tiering", "requests_put"),
    "Requests-INT-Tier2": ("intelligent_tiering", "requests_get"),
    "Requests-SIA-Tier1": ("standard_ia", "requests_put"),
    "Requests-SIA-Tier2": ("standard_ia", "requests_get"),
    "Requests-ZIA-Tier1": ("onezone_ia", "requests_put"),
    "Requests-ZIA-Tier2": ("onezone_ia", "requests_get"),
    "Requests-GIR-Tier1": ("glacier_ir", "requests_put"),
    "Requests-GIR-Tier2": ("glacier_ir", "requests_get"),
    "Requests-GLACIER-Tier1": ("glacier_flexible", "requests_put"),
    "Requests-GLACIER-Tier2": ("glacier_flexible", "requests_get"),
    "Requests-GDA-Tier1": ("deep_archive", "requests_put"),
    "Requests-GDA-Tier2": ("deep_archive", "requests_get"),
    "Requests-GDA-Tier3": ("deep_archive", "retrieval_requests_standard"),
    "Requests-GDA-Tier5": ("deep_archive", "retrieval_requests_bulk"),
    "Requests-Tier3": ("glacier_flexible", "retrieval_requests_standard"),
    "Requests-Tier5": ("glacier_flexible", "retrieval_requests_bulk"),
    "Requests-Tier6": ("glacier_flexible", "retrieval_requests_expedited"),
    "Requests-XZ-Tier1": ("express_onezone", "requests_put"),
    "Requests-XZ-Tier2": ("express_onezone", "requests_get"),
    "Retrieval-SIA": ("standard_ia", "retrieval_gb"),
    "Retrieval-ZIA": ("onezone_ia", "retrieval_gb"),
    "Retrieval-GIR": ("glacier_ir", "retrieval_gb"),
    "Retrieval-XZ": ("express_onezone", "retrieval_gb"),
    "Upload-XZ": ("express_onezone", "upload_gb"),
    "Monitoring-Automation-INT": ("intelligent_tiering", "monitoring"),
}
"""S3 usage type (AmazonS3) → (storage_class, dimension) of the snapshot."""

S3_DEEP_ARCHIVE_USAGE: dict[str, tuple[str, str]] = {
    **{
        usage: S3_USAGE[usage]
        for usage in (
            "TimedStorage-GDA-ByteHrs",
            "Requests-GDA-Tier1",
            "Requests-GDA-Tier3",
            "Requests-GDA-Tier5",
        )
    },
    "Standard-Retrieval-Bytes": ("deep_archive", "retrieval_gb_standard"),
    "Bulk-Retrieval-Bytes": ("deep_archive", "retrieval_gb_bulk"),
}
"""Usage types of the separate AmazonS3GlacierDeepArchive price list. Deep Archive GET requests
(``Requests-GDA-Tier2``) are read from the AmazonS3 list (S3_USAGE), as the embedded snapshot reads
them from s3.json; they are not mapped here, so the two lists cannot price one key twice."""

S3_TRANSITIONS: dict[str, str] = {
    "S3-GlacierTransition": "glacier_flexible",
    "S3-GDATransition": "deep_archive",
    "S3-SIATransition": "standard_ia",
    "S3-ZIATransition": "onezone_ia",
    "S3-INTTransition": "intelligent_tiering",
    "S3-GIRTransition": "glacier_ir",
}
"""S3 lifecycle-transition ``operation`` → storage class (dimension ``transition_requests``)."""

EBS_USAGE: dict[str, tuple[str, str]] = {
    "EBS:VolumeUsage.gp3": ("gp3", "storage"),
    "EBS:VolumeUsage.gp2": ("gp2", "storage"),
    "EBS:VolumeUsage.piops": ("io1", "storage"),
    "EBS:VolumeUsage.io2": ("io2", "storage"),
    "EBS:VolumeUsage.st1": ("st1", "storage"),
    "EBS:VolumeUsage.sc1": ("sc1", "storage"),
    "EBS:VolumeUsage": ("standard", "storage"),
    "EBS:VolumeP-IOPS.gp3": ("gp3", "iops"),
    "EBS:VolumeP-Throughput.gp3": ("gp3", "throughput"),
    "EBS:VolumeP-IOPS.piops": ("io1", "iops"),
    "EBS:VolumeP-IOPS.io2": ("io2", "iops"),
    "EBS:VolumeP-IOPS.io2.tier2": ("io2", "iops"),
    "EBS:VolumeP-IOPS.io2.tier3": ("io2", "iops"),
    "EBS:SnapshotUsage": ("snapshot", "storage"),
    "EBS:SnapshotArchiveStorage": ("snapshot_archive", "storage"),
    "EBS:SnapshotArchiveRetrieval": ("snapshot_archive", "retrieval_gb"),
}
"""EBS usage type (AmazonEC2) → (volume type, dimension) of the snapshot."""

EBS_BANDS: dict[str, tuple[float, float]] = {
    "EBS:VolumeP-IOPS.gp3": (GP3_INCLUDED_IOPS, float("inf")),
    "EBS:VolumeP-Throughput.gp3": (GP3_INCLUDED_THROUGHPUT_MIBPS, float("inf")),
    "EBS:VolumeP-IOPS.io2": (IO2_TIER_IOPS[0], IO2_TIER_IOPS[1]),
    "EBS:VolumeP-IOPS.io2.tier2": (IO2_TIER_IOPS[1], IO2_TIER_IOPS[2]),
    "EBS:VolumeP-IOPS.io2.tier3": (IO2_TIER_IOPS[2], float("inf")),
}
"""Bands set from the EBS docs when the Price List gives the dimension as 0–Inf."""

EFS_USAGE: dict[str, tuple[str, str]] = {
    "TimedStorage-ByteHrs": ("standard", "storage"),
    "IATimedStorage-ByteHrs": ("infrequent_access", "storage"),
    "ArchiveTimedStorage-ByteHrs": ("archive", "storage"),
    "TimedStorage-OneZone-ByteHrs": ("one_zone", "storage"),
    "TimedStorage-OneZone-IA-ByteHrs": ("one_zone_ia", "storage"),
    "ProvisionedTP-MiBpsHrs": ("provisioned_throughput", "throughput"),
}
"""EFS usage type (AmazonEFS) → (storage class, dimension) of the snapshot."""

QUERIES: tuple[tuple[str, str, str | None], ...] = (
    ("s3", "AmazonS3", None),
    ("s3", "AmazonS3GlacierDeepArchive", None),
    ("ebs", "AmazonEC2", "Storage"),
    ("ebs", "AmazonEC2", "System Operation"),
    ("ebs", "AmazonEC2", "Provisioned Throughput"),
    ("ebs", "AmazonEC2", "Storage Snapshot"),
    ("efs", "AmazonEFS", None),
)
"""(snapshot service, Price List service code, productFamily filter) per GetProducts query."""

SOURCE = "AWS Price List API GetProducts ({service_code}) {date}"


def classify(service: str, service_code: str, attrs: dict[str, Any]) -> tuple[str, str] | None:
    """(storage_class, dimension) of a product, or None when it is not a priced dimension here."""
    usage = usage_suffix(str(attrs.get("usagetype", "")))
    if service == "s3":
        transition = S3_TRANSITIONS.get(str(attrs.get("operation", "")))
        if transition is not None:
            return transition, "transition_requests"
        table = S3_DEEP_ARCHIVE_USAGE if service_code == "AmazonS3GlacierDeepArchive" else S3_USAGE
        return table.get(usage)
    if service == "ebs":
        return EBS_USAGE.get(usage)
    return EFS_USAGE.get(usage)


def _tier(text: object) -> float:
    if text in (None, ""):
        return 0.0
    if str(text).strip().lower() == "inf":
        return float("inf")
    return usd(text, "a tier bound")


def rows_from_items(
    raws: Iterable[object], region: str, service: str, service_code: str, source: str
) -> tuple[list[dict[str, str]], list[str]]:
    """storage_rates rows of one query's PriceList items, and the usage types left unmapped."""
    rows: list[dict[str, str]] = []
    unmapped: set[str] = set()
    for raw in raws:
        item = load_item(raw, f"GetProducts {service_code} {region}")
        attrs = item["product"].get("attributes") or {}
        if attrs.get("regionCode", region) != region:
            continue
        mapped = classify(service, service_code, attrs)
        if mapped is None:
            unmapped.add(usage_suffix(str(attrs.get("usagetype", "?"))))
            continue
        cls, dim = mapped
        usage = usage_suffix(str(attrs.get("usagetype", "")))
        what = f"{service_code} {usage} in {region}"
        for term in ((item.get("terms") or {}).get("OnDemand") or {}).values():
            for d in (term.get("priceDimensions") or {}).values():
                unit = UNITS.get(str(d.get("unit", "")))
                if unit is None:
                    unmapped.add(f"{usage} [{d.get('unit')}]")
                    continue
                prices = d.get("pricePerUnit") or {}
                if "USD" not in prices:
                    raise PayloadError(f"{what} has no USD price; retry later")
                begin, end = _tier(d.get("beginRange")), _tier(d.get("endRange"))
                if service == "ebs" and usage in EBS_BANDS and (begin, end) == (0, float("inf")):
                    begin, end = EBS_BANDS[usage]
                rows.append(
                    {
                        "region": region,
                        "service": service,
                        "storage_class": cls,
                        "dimension": dim,
                        "unit": unit[0],
                        "tier_begin": format_number(begin),
                        "tier_end": "inf" if end == float("inf") else format_number(end),
                        "price_usd": format_number(usd(prices["USD"], what) * unit[1]),
                        "as_of": item_date(item, term),
                        "source": source,
                    }
                )
    return rows, sorted(unmapped)


def fetch_storage_rates(pricing: Any, region: str, *, today: str, sleep: Sleep = time.sleep) -> Fetched:
    """S3, EBS and EFS rows of ``region``."""
    out = Fetched()
    rows: list[dict[str, str]] = []
    unmapped: set[str] = set()
    for service, service_code, family in QUERIES:
        filters = [term_filter("regionCode", region)]
        if family:
            filters.append(term_filter("productFamily", family))
        source = SOURCE.format(service_code=service_code, date=today)
        raws: list[object] = []
        what = f"{service_code} prices in {region}"
        for page in pages(
            pricing, "get_products", get_products_params(service_code, filters), what=what, sleep=sleep
        ):
            items = page.get("PriceList")
            if not isinstance(items, list):
                raise PayloadError(f"GetProducts for {what} returned no PriceList list")
            raws.extend(items)
        found, skipped = rows_from_items(raws, region, service, service_code, source)
        rows.extend(found)
        unmapped.update(skipped)
        out.sources[source] = (
            f"pricing.get_products(ServiceCode={service_code}) retrieved {today}, TERM_MATCH "
            "regionCode (and productFamily for EBS); usage types mapped to the snapshot's "
            "classes and dimensions; as_of = the price list publicationDate"
        )
    key = ("region", "service", "storage_class", "dimension", "tier_begin")
    out.rows, out.warnings = dedupe(rows, key, f"storage prices in {region}", ("price_usd",))
    if unmapped:
        shown = ", ".join(sorted(unmapped)[:8])
        more = f" and {len(unmapped) - 8} more" if len(unmapped) > 8 else ""
        out.warnings.append(f"storage prices in {region}: usage types not mapped (left out): {shown}{more}")
    return out
