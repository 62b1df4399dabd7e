"""Builders of realistic AWS payloads for the offline refresh tests.

Shapes follow the botocore service models and the AWS Price List docs: a GetProducts ``PriceList``
element is a JSON *string* with ``product``, ``terms.OnDemand`` / ``terms.Reserved`` (term →
``priceDimensions`` keyed by rate code), ``publicationDate``; a spot history record has a string
``SpotPrice`` and a datetime ``Timestamp``; the bulk EC2 CSV has 5 metadata rows then the header.
Prices here are test figures chosen for easy hand arithmetic, not AWS prices.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import boto3

PUBLICATION = "2026-11-20T18:22:01Z"

RESERVED_CODES = {
    ("1yr", "standard", "No Upfront"): "4NA7Y494T4",
    ("1yr", "standard", "Partial Upfront"): "HU7G6KETJZ",
    ("1yr", "standard", "All Upfront"): "6QCMYABX3D",
    ("1yr", "convertible", "No Upfront"): "7NE97W5U4E",
    ("1yr", "convertible", "Partial Upfront"): "VJWZNREJX2",
    ("1yr", "convertible", "All Upfront"): "Z2E3P23VKM",
    ("3yr", "standard", "No Upfront"): "BPH4J8HBKS",
    ("3yr", "standard", "Partial Upfront"): "38NPMPTW36",
    ("3yr", "standard", "All Upfront"): "NQ3QZPMQV9",
    ("3yr", "convertible", "No Upfront"): "7NE97W5U4F",
    ("3yr", "convertible", "Partial Upfront"): "R5XV2EPZQZ",
    ("3yr", "convertible", "All Upfront"): "MZU6U2429S",
}


def fake_client(service: str, region: str = "us-east-1") -> Any:
    """A real botocore client with fake credentials and a fixed region (for Stubber)."""
    return boto3.client(
        service,
        region_name=region,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="fake-secret",
    )


def dim(
    sku: str,
    code: str,
    rate: str,
    unit: str,
    usd: str,
    description: str = "",
    begin: str | None = "0",
    end: str | None = "Inf",
) -> dict[str, Any]:
    d: dict[str, Any] = {
        "rateCode": f"{sku}.{code}.{rate}",
        "description": description,
        "unit": unit,
        "appliesTo": [],
        "pricePerUnit": {"USD": usd},
    }
    if begin is not None:
        d["beginRange"] = begin
    if end is not None:
        d["endRange"] = end
    return d


def ec2_item(
    instance_type: str,
    region: str,
    on_demand_usd: str,
    reserved: dict[tuple[str, str, str], tuple[str, str]] | None = None,
    *,
    sku: str | None = None,
    operating_system: str = "Linux",
) -> str:
    """A GetProducts PriceList string for one EC2 instance SKU.

    ``reserved`` maps (lease, class, purchase option) → (upfront USD, hourly USD).
    """
    sku = sku or (instance_type.replace(".", "").upper() + "SKU0000000")[:16]
    od_code = "JRTCKXETXF"
    item: dict[str, Any] = {
        "product": {
            "productFamily": "Compute Instance",
            "sku": sku,
            "attributes": {
                "servicecode": "AmazonEC2",
                "location": "US East (N. Virginia)",
                "locationType": "AWS Region",
                "instanceType": instance_type,
                "instanceFamily": "General purpose",
                "regionCode": region,
                "operatingSystem": operating_system,
                "tenancy": "Shared",
                "preInstalledSw": "NA",
                "capacitystatus": "Used",
                "licenseModel": "No License required",
                "usagetype": f"BoxUsage:{instance_type}",
                "operation": "RunInstances",
            },
        },
        "serviceCode": "AmazonEC2",
        "terms": {
            "OnDemand": {
                f"{sku}.{od_code}": {
                    "priceDimensions": {
                        f"{sku}.{od_code}.6YS6EN2CT7": dim(
                            sku,
                            od_code,
                            "6YS6EN2CT7",
                            "Hrs",
                            on_demand_usd,
                            f"${on_demand_usd} per On Demand Linux {instance_type} Instance Hour",
                        )
                    },
                    "sku": sku,
                    "effectiveDate": "2026-11-01T00:00:00Z",
                    "offerTermCode": od_code,
                    "termAttributes": {},
                }
            }
        },
        "version": "20261120182201",
        "publicationDate": PUBLICATION,
    }
    if reserved:
        terms: dict[str, Any] = {}
        for (lease, cls, purchase), (upfront, hourly) in reserved.items():
            code = RESERVED_CODES[(lease, cls, purchase)]
            dims = {
                f"{sku}.{code}.6YS6EN2CT7": dim(
                    sku,
                    code,
                    "6YS6EN2CT7",
                    "Hrs",
                    hourly,
                    "Linux/UNIX (Amazon VPC), reserved instance applied",
                ),
            }
            if purchase != "No Upfront":
                dims[f"{sku}.{code}.2TG2D8R56U"] = dim(
                    sku, code, "2TG2D8R56U", "Quantity", upfront, "Upfront Fee", None, None
                )
            terms[f"{sku}.{code}"] = {
                "priceDimensions": dims,
                "sku": sku,
                "effectiveDate": "2026-11-01T00:00:00Z",
                "offerTermCode": code,
                "termAttributes": {
                    "LeaseContractLength": lease,
                    "OfferingClass": cls,
                    "PurchaseOption": purchase,
                },
            }
        item["terms"]["Reserved"] = terms
    return json.dumps(item)


def storage_item(
    service_code: str,
    usagetype: str,
    unit: str,
    prices: list[tuple[str, str, str]],
    *,
    region: str = "us-east-1",
    family: str = "Storage",
    operation: str = "",
    sku: str = "STORAGESKU000001",
) -> str:
    """A storage PriceList string; ``prices`` = [(beginRange, endRange, USD), ...]."""
    code = "JRTCKXETXF"
    dims = {
        f"{sku}.{code}.R{i}": dim(sku, code, f"R{i}", unit, usd, f"{usagetype} tier {i}", b, e)
        for i, (b, e, usd) in enumerate(prices)
    }
    item = {
        "product": {
            "productFamily": family,
            "sku": sku,
            "attributes": {
                "servicecode": service_code,
                "regionCode": region,
                "usagetype": usagetype,
                "operation": operation,
                "locationType": "AWS Region",
            },
        },
        "serviceCode": service_code,
        "terms": {
            "OnDemand": {
                f"{sku}.{code}": {
                    "priceDimensions": dims,
                    "sku": sku,
                    "effectiveDate": "2026-11-01T00:00:00Z",
                    "offerTermCode": code,
                    "termAttributes": {},
                }
            }
        },
        "version": "20261120182201",
        "publicationDate": PUBLICATION,
    }
    return json.dumps(item)


def sp_result(
    instance_type: str, region: str, plan: str, payment: str, years: int, rate: str, usage_prefix: str = ""
) -> dict[str, Any]:
    """One describe_savings_plans_offering_rates search result."""
    family = instance_type.split(".")[0]
    return {
        "savingsPlanOffering": {
            "offeringId": f"off-{plan}-{payment}-{years}".replace(" ", ""),
            "paymentOption": payment,
            "planType": plan,
            "durationSeconds": 31_536_000 * years,
            "currency": "USD",
            "planDescription": f"{years} year {payment} {plan}",
        },
        "rate": rate,
        "unit": "Hrs",
        "productType": "EC2",
        "serviceCode": "AmazonEC2",
        "usageType": f"{usage_prefix}BoxUsage:{instance_type}",
        "operation": "RunInstances",
        "properties": [
            {"name": "instanceType", "value": instance_type},
            {"name": "region", "value": region},
            {"name": "instanceFamily", "value": family},
            {"name": "productDescription", "value": "Linux/UNIX"},
            {"name": "tenancy", "value": "shared"},
        ],
    }


def spot_record(az: str, instance_type: str, price: str, stamp: datetime) -> dict[str, Any]:
    return {
        "AvailabilityZone": az,
        "AvailabilityZoneId": az.replace("us-east-", "use") + "-az",
        "InstanceType": instance_type,
        "ProductDescription": "Linux/UNIX",
        "SpotPrice": price,
        "Timestamp": stamp,
    }


# --- bulk EC2 CSV -------------------------------------------------------------------------------

BULK_HEADER = [
    "SKU",
    "OfferTermCode",
    "RateCode",
    "TermType",
    "PriceDescription",
    "EffectiveDate",
    "StartingRange",
    "EndingRange",
    "Unit",
    "PricePerUnit",
    "Currency",
    "RelatedTo",
    "LeaseContractLength",
    "PurchaseOption",
    "OfferingClass",
    "Product Family",
    "serviceCode",
    "Location",
    "Location Type",
    "Instance Type",
    "Current Generation",
    "Instance Family",
    "vCPU",
    "Physical Processor",
    "Clock Speed",
    "Memory",
    "Storage",
    "Network Performance",
    "Processor Architecture",
    "Storage Media",
    "Volume Type",
    "Max Volume Size",
    "Max IOPS/volume",
    "Max IOPS Burst Performance",
    "Max throughput/volume",
    "Provisioned",
    "Tenancy",
    "EBS Optimized",
    "Operating System",
    "License Model",
    "Group",
    "Group Description",
    "Transfer Type",
    "From Location",
    "From Location Type",
    "To Location",
    "To Location Type",
    "usageType",
    "operation",
    "AvailabilityZone",
    "CapacityStatus",
    "ClassicNetworkingSupport",
    "Dedicated EBS Throughput",
    "ECU",
    "Elastic Graphics Type",
    "Enhanced Networking Supported",
    "From Region Code",
    "GPU",
    "GPU Memory",
    "Instance",
    "Instance Capacity - 10xlarge",
    "Instance Capacity - 12xlarge",
    "Instance Capacity - 16xlarge",
    "Instance Capacity - 18xlarge",
    "Instance Capacity - 24xlarge",
    "Instance Capacity - 2xlarge",
    "Instance Capacity - 32xlarge",
    "Instance Capacity - 4xlarge",
    "Instance Capacity - 8xlarge",
    "Instance Capacity - 9xlarge",
    "Instance Capacity - large",
    "Instance Capacity - medium",
    "Instance Capacity - metal",
    "Instance Capacity - xlarge",
    "instanceSKU",
    "Intel AVX2 Available",
    "Intel AVX Available",
    "Intel Turbo Available",
    "MarketOption",
    "Normalization Size Factor",
    "Physical Cores",
    "Pre Installed S/W",
    "Processor Features",
    "Product Type",
    "Region Code",
    "Resource Type",
    "serviceName",
    "SnapshotArchiveFeeType",
    "To Region Code",
    "Volume API Name",
    "VPCNetworkingSupport",
]
"""The EC2 offer-file CSV header (publication 2025-09-12), in the file's order."""

BULK_METADATA = [
    ["FormatVersion", "v1.0"],
    ["Disclaimer", "This pricing list is for informational purposes only."],
    ["Publication Date", "2026-11-20T18:22:01Z"],
    ["Version", "20261120182201"],
    ["OfferCode", "AmazonEC2"],
]


def bulk_row(**values: str) -> list[str]:
    """A CSV data row; unnamed columns are empty. Keys use header names with spaces as '_'."""
    named = {k.replace("_", " ") if k.replace("_", " ") in BULK_HEADER else k: v for k, v in values.items()}
    return [named.get(c, "") for c in BULK_HEADER]


def bulk_instance_rows(
    itype: str,
    region: str,
    od: str,
    reserved: dict[tuple[str, str, str], tuple[str, str]],
    *,
    sku: str,
    os_name: str = "Linux",
    tenancy: str = "Shared",
    sw: str = "NA",
    capacity: str = "Used",
) -> list[list[str]]:
    common = {
        "SKU": sku,
        "Product Family": "Compute Instance",
        "serviceCode": "AmazonEC2",
        "Location": "US East (N. Virginia)",
        "Location Type": "AWS Region",
        "Instance Type": itype,
        "Tenancy": tenancy,
        "Operating System": os_name,
        "License Model": "No License required",
        "Pre Installed S/W": sw,
        "CapacityStatus": capacity,
        "Region Code": region,
        "Currency": "USD",
        "usageType": f"BoxUsage:{itype}",
        "operation": "RunInstances",
    }
    rows = [
        bulk_row(
            **common,
            OfferTermCode="JRTCKXETXF",
            RateCode=f"{sku}.JRTCKXETXF.6YS6EN2CT7",
            TermType="OnDemand",
            PriceDescription=f"${od} per On Demand Linux {itype}",
            EffectiveDate="2026-11-01",
            StartingRange="0",
            EndingRange="Inf",
            Unit="Hrs",
            PricePerUnit=od,
        )
    ]
    for (lease, cls, purchase), (upfront, hourly) in reserved.items():
        code = RESERVED_CODES[(lease, cls, purchase)]
        term = dict(
            common,
            OfferTermCode=code,
            TermType="Reserved",
            EffectiveDate="2026-11-01",
            LeaseContractLength=lease,
            PurchaseOption=purchase,
            OfferingClass=cls,
        )
        rows.append(
            bulk_row(
                **term,
                RateCode=f"{sku}.{code}.6YS6EN2CT7",
                PriceDescription="Linux/UNIX (Amazon VPC), reserved instance applied",
                StartingRange="0",
                EndingRange="Inf",
                Unit="Hrs",
                PricePerUnit=hourly,
            )
        )
        if purchase != "No Upfront":
            rows.append(
                bulk_row(
                    **term,
                    RateCode=f"{sku}.{code}.2TG2D8R56U",
                    PriceDescription="Upfront Fee",
                    Unit="Quantity",
                    PricePerUnit=upfront,
                )
            )
    return rows


def bulk_csv_lines(rows: list[list[str]]) -> Iterator[str]:
    """The file as lines: metadata, header, rows (all values double-quoted like AWS's file)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for row in [*BULK_METADATA, BULK_HEADER, *rows]:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


OS_NAMES = ("Linux", "Windows", "RHEL", "SUSE", "Red Hat Enterprise Linux with HA", "Ubuntu Pro")
TENANCIES = ("Shared", "Dedicated", "Host")
SOFTWARE = ("NA", "SQL Web", "SQL Std", "SQL Ent")
CAPACITY = ("Used", "UnusedCapacityReservation", "AllocatedCapacityReservation")
SIZES = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge")
FAMILIES = (
    "m5",
    "c5",
    "r5",
    "m6i",
    "c6i",
    "r6i",
    "m7i",
    "c7i",
    "r7i",
    "g5",
    "g6",
    "p4d",
    "p5",
    "inf2",
    "trn1",
    "t3",
    "m6g",
    "c6g",
    "r6g",
    "x2idn",
    "i4i",
    "d3",
    "z1d",
    "h1",
    "m6a",
    "c6a",
    "r6a",
    "m7g",
    "c7g",
    "r7g",
    "g4dn",
    "p3",
    "inf1",
    "trn2",
    "x2iedn",
    "i3",
    "m5d",
    "c5d",
    "r5d",
    "m5n",
)


def generate_bulk_rows(target_rows: int, region: str = "us-east-1") -> Iterator[list[str]]:
    """≈ ``target_rows`` data rows shaped like a one-region EC2 offer file.

    Every (family × size × OS × tenancy × software × capacity) SKU has an on-demand row and,
    for Used capacity, the 12 reserved terms (18 rows with upfront fees), as in the real file where
    Linux/shared/NA/Used is a small share of all rows. Prices follow a simple rule so they differ.
    """
    count = 0
    n = 0
    all_terms = list(RESERVED_CODES)
    while True:
        for fam in FAMILIES:
            for s_i, size in enumerate(SIZES):
                for os_name in OS_NAMES:
                    for tenancy in TENANCIES:
                        for sw in SOFTWARE:
                            for cap in CAPACITY:
                                n += 1
                                od = f"{0.05 * (s_i + 1) * (1 + n % 7 / 10):.4f}"
                                reserved = (
                                    {t: (f"{100 * (s_i + 1)}", f"{0.01 * (s_i + 1):.4f}") for t in all_terms}
                                    if cap == "Used"
                                    else {}
                                )
                                for row in bulk_instance_rows(
                                    f"{fam}.{size}",
                                    region,
                                    od,
                                    reserved,
                                    sku=f"SKU{n:013d}",
                                    os_name=os_name,
                                    tenancy=tenancy,
                                    sw=sw,
                                    capacity=cap,
                                ):
                                    yield row
                                    count += 1
                                    if count >= target_rows:
                                        return
