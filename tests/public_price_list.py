"""A small copy of AWS's public Price List files, and a real HTTP server on 127.0.0.1 serving it.

Layout, key order and value formats follow ``shared/reference/aws_public_price_list.md``: the
offers index, per-service region indexes (an object keyed by region; the Savings Plans one a list),
per-region offer files (EC2 as CSV with 5 quoted metadata rows and the 91-column header, values
double-quoted and empty ones bare; S3, EFS, SageMaker as JSON) and the Savings Plans CSV (unquoted
metadata). Each region holds the prices under test plus decoys that must never be picked: Windows,
Windows BYOL, RHEL, SQL Server, dedicated and host tenancy, unused and allocated capacity
reservations, a Capacity Block, a Local Zone, Fargate/Lambda savings-plan rates, a serverless
SageMaker product. All figures are fixture values, chosen so each one is told apart.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.refresh_payloads import BULK_HEADER

EC2_VERSION = "20261120182201"
SP_VERSION = "20261118093000"
S3_VERSION = "20261117120000"
EFS_VERSION = "20261116120000"
SM_VERSION = "20261115120000"
GDA_VERSION = "20261114120000"
PUBLISHED = {  # file → publication date (ISO); every row's as_of is the date part
    "AmazonEC2": "2026-11-20T18:22:01Z",
    "AWSComputeSavingsPlan": "2026-11-18T09:30:00Z",
    "AmazonS3": "2026-11-17T12:00:00Z",
    "AmazonEFS": "2026-11-16T12:00:00Z",
    "AmazonSageMaker": "2026-11-15T12:00:00Z",
    "AmazonS3GlacierDeepArchive": "2026-11-14T12:00:00Z",
}
REGIONS = ("us-east-1", "eu-west-1")
PREFIX = {"us-east-1": "", "eu-west-1": "EU-"}
LOCATION = {"us-east-1": "US East (N. Virginia)", "eu-west-1": "EU (Ireland)"}
SM_PREFIX = {"us-east-1": "USE1-", "eu-west-1": "EU-"}

# p3.2xlarge reserved terms: (lease, class, purchase) → (upfront USD, hourly USD), per region factor
TERMS = {
    ("1yr", "standard", "No Upfront"): ("4NA7Y494T4", "", "2.1420000000"),
    ("1yr", "standard", "Partial Upfront"): ("HU7G6KETJZ", "8935", "1.0200000000"),
    ("1yr", "standard", "All Upfront"): ("6QCMYABX3D", "17513", "0.0000000000"),
    ("3yr", "standard", "No Upfront"): ("BPH4J8HBKS", "", "1.4690000000"),
    ("3yr", "standard", "Partial Upfront"): ("38NPMPTW36", "18397", "0.7000000000"),
    ("3yr", "standard", "All Upfront"): ("NQ3QZPMQV9", "34590", "0.0000000000"),
    ("1yr", "convertible", "No Upfront"): ("7NE97W5U4E", "", "2.4640000000"),
    ("1yr", "convertible", "Partial Upfront"): ("CUZHX8X6JH", "10291", "1.1750000000"),
    ("1yr", "convertible", "All Upfront"): ("VJWZNREJX2", "20170", "0.0000000000"),
    ("3yr", "convertible", "No Upfront"): ("Z2E3P23VKM", "", "1.7790000000"),
    ("3yr", "convertible", "Partial Upfront"): ("R5XV2EPZQZ", "22259", "0.8470000000"),
    ("3yr", "convertible", "All Upfront"): ("MZU6U2429S", "41844", "0.0000000000"),
}
ON_DEMAND = {"us-east-1": "3.0600000000", "eu-west-1": "3.3050000000"}
SP_RATES = {  # (plan family, years, purchase) → us-east-1 rate
    ("ComputeSavingsPlans", 1, "No Upfront"): "2.3256",
    ("ComputeSavingsPlans", 1, "Partial Upfront"): "2.2338",
    ("ComputeSavingsPlans", 1, "All Upfront"): "2.1879",
    ("ComputeSavingsPlans", 3, "No Upfront"): "1.6524",
    ("ComputeSavingsPlans", 3, "Partial Upfront"): "1.5606",
    ("ComputeSavingsPlans", 3, "All Upfront"): "1.5147",
    ("EC2InstanceSavingsPlans", 1, "No Upfront"): "2.142",
    ("EC2InstanceSavingsPlans", 1, "Partial Upfront"): "2.0502",
    ("EC2InstanceSavingsPlans", 1, "All Upfront"): "2.0043",
    ("EC2InstanceSavingsPlans", 3, "No Upfront"): "1.4688",
    ("EC2InstanceSavingsPlans", 3, "Partial Upfront"): "1.377",
    ("EC2InstanceSavingsPlans", 3, "All Upfront"): "1.3311",
}
SAGEMAKER = {  # usage operation, component attribute → us-east-1 $/h of ml.p3.2xlarge
    ("Train", "Training"): "3.8250000000",
    ("Host", "Hosting"): "3.9100000000",
    ("Notebk", "Notebook"): "3.7400000000",
    ("Processing", "Processing"): "3.8000000000",
    ("Tsform", "Batch Transform"): "3.8700000000",
}


def _q(row: list[str]) -> str:
    """AWS's EC2 CSV style: non-empty values double-quoted, empty ones bare."""
    return ",".join('"' + v.replace('"', '""') + '"' if v else "" for v in row) + "\n"


def _sku(*parts: str) -> str:
    return hashlib.sha1("/".join(parts).encode()).hexdigest()[:16].upper()


def _ec2_row(**values: str) -> list[str]:
    named = {k.replace("_", " ") if k.replace("_", " ") in BULK_HEADER else k: v for k, v in values.items()}
    return [named.get(c, "") for c in BULK_HEADER]


def _product(region: str, itype: str, sku: str, **over: str) -> dict[str, str]:
    base = {
        "SKU": sku,
        "Product Family": "Compute Instance",
        "serviceCode": "AmazonEC2",
        "Location": LOCATION[region],
        "Location Type": "AWS Region",
        "Instance Type": itype,
        "Current Generation": "Yes",
        "Instance Family": "GPU instance",
        "vCPU": "8",
        "Memory": "61 GiB",
        "Tenancy": "Shared",
        "Operating System": "Linux",
        "License Model": "No License required",
        "usageType": f"{PREFIX[region]}BoxUsage:{itype}",
        "operation": "RunInstances",
        "AvailabilityZone": "NA",
        "CapacityStatus": "Used",
        "GPU": "1",
        "MarketOption": "OnDemand",
        "Pre Installed S/W": "NA",
        "Region Code": region,
        "serviceName": "Amazon Elastic Compute Cloud",
    }
    base.update(over)
    return base


def _on_demand_row(product: dict[str, str], price: str) -> list[str]:
    sku = product["SKU"]
    return _ec2_row(
        **product,
        OfferTermCode="JRTCKXETXF",
        RateCode=f"{sku}.JRTCKXETXF.6YS6EN2CT7",
        TermType="OnDemand",
        PriceDescription=f"${price} per On Demand {product['Instance Type']} Instance Hour",
        EffectiveDate="2026-11-01",
        StartingRange="0",
        EndingRange="Inf",
        Unit="Hrs",
        PricePerUnit=price,
        Currency="USD",
    )


def _reserved_rows(product: dict[str, str], factor: float) -> list[list[str]]:
    rows = []
    sku = product["SKU"]
    for (lease, cls, purchase), (code, upfront, hourly) in TERMS.items():
        common = dict(
            product,
            OfferTermCode=code,
            TermType="Reserved",
            EffectiveDate="2026-11-20",
            Currency="USD",
            LeaseContractLength=lease,
            PurchaseOption=purchase,
            OfferingClass=cls,
        )
        hrs = f"{float(hourly) * factor:.10f}"
        rows.append(
            _ec2_row(
                **common,
                RateCode=f"{sku}.{code}.6YS6EN2CT7",
                StartingRange="0",
                EndingRange="Inf",
                PriceDescription="Linux/UNIX (Amazon VPC), reserved instance applied",
                Unit="Hrs",
                PricePerUnit=hrs,
            )
        )
        if upfront:
            rows.append(
                _ec2_row(
                    **common,
                    RateCode=f"{sku}.{code}.2TG2D8R56U",
                    PriceDescription="Upfront Fee",
                    Unit="Quantity",
                    PricePerUnit=str(round(int(upfront) * factor)),
                )
            )
    return rows


def ec2_skus(region: str) -> dict[str, str]:
    """Name → SKU of the products of the region's EC2 file (the Savings Plans file joins on them)."""
    names = (
        "linux",
        "windows",
        "byol",
        "rhel",
        "sql",
        "dedicated",
        "host",
        "unused",
        "allocated",
        "block",
        "m5",
    )
    return {n: _sku(region, n) for n in names}


def ec2_csv(region: str, *, pad_rows: int = 0) -> bytes:
    """The region's EC2 file. ``pad_rows`` adds that many Windows decoy rows (a big file)."""
    factor = 1.0 if region == "us-east-1" else 1.08
    skus = ec2_skus(region)
    p = PREFIX[region]
    it = "p3.2xlarge"
    linux = _product(region, it, skus["linux"])
    decoys = [
        (
            _product(
                region,
                it,
                skus["windows"],
                **{"Operating System": "Windows", "operation": "RunInstances:0002"},
            ),
            "3.2440000000",
        ),
        (
            _product(
                region,
                it,
                skus["byol"],
                **{
                    "Operating System": "Windows",
                    "License Model": "Bring your own license",
                    "operation": "RunInstances:0800",
                },
            ),
            "3.0600000000",
        ),
        (
            _product(
                region, it, skus["rhel"], **{"Operating System": "RHEL", "operation": "RunInstances:0010"}
            ),
            "3.1900000000",
        ),
        (
            _product(
                region, it, skus["sql"], **{"Pre Installed S/W": "SQL Std", "operation": "RunInstances:0004"}
            ),
            "3.5400000000",
        ),
        (
            _product(region, it, skus["dedicated"], Tenancy="Dedicated", usageType=f"{p}DedicatedUsage:{it}"),
            "3.3660000000",
        ),
        (
            _product(region, it, skus["host"], Tenancy="Host", usageType=f"{p}HostBoxUsage:{it}"),
            "0.0000000000",
        ),
        (
            _product(
                region,
                it,
                skus["unused"],
                CapacityStatus="UnusedCapacityReservation",
                usageType=f"{p}UnusedBox:{it}",
            ),
            "3.0600000000",
        ),
        (
            _product(
                region,
                it,
                skus["allocated"],
                CapacityStatus="AllocatedCapacityReservation",
                usageType=f"{p}Reservation:{it}",
            ),
            "0.0000000000",
        ),
        (
            _product(region, it, skus["block"], MarketOption="CapacityBlock", operation="RunInstances:CB"),
            "0.0000000000",
        ),
    ]
    rows = [_on_demand_row(linux, ON_DEMAND[region]), *_reserved_rows(linux, factor)]
    for product, price in decoys:
        rows.append(_on_demand_row(product, price))
        rows.extend(_reserved_rows(product, factor * 1.5))
    m5 = _product(region, "m5.large", skus["m5"], **{"Instance Family": "General purpose", "GPU": ""})
    rows.append(_on_demand_row(m5, "0.0960000000" if region == "us-east-1" else "0.1070000000"))
    for usage, unit, begin, end, price, family in (
        ("EBS:VolumeUsage.gp3", "GB-Mo", "0", "Inf", "0.0800000000", "Storage"),
        ("EBS:VolumeP-IOPS.gp3", "IOPS-Mo", "0", "Inf", "0.0050000000", "System Operation"),
        ("EBS:VolumeP-Throughput.gp3", "GiBps-mo", "0", "Inf", "40.9600000000", "Provisioned Throughput"),
        ("EBS:VolumeUsage.gp2", "GB-Mo", "0", "Inf", "0.1000000000", "Storage"),
    ):
        sku = _sku(region, usage)
        scaled = f"{float(price) * factor:.10f}"
        rows.append(
            _ec2_row(
                SKU=sku,
                OfferTermCode="JRTCKXETXF",
                RateCode=f"{sku}.JRTCKXETXF.6YS6EN2CT7",
                TermType="OnDemand",
                PriceDescription=f"${scaled} per {unit}",
                EffectiveDate="2026-11-01",
                StartingRange=begin,
                EndingRange=end,
                Unit=unit,
                PricePerUnit=scaled,
                Currency="USD",
                **{"Product Family": family},
                serviceCode="AmazonEC2",
                Location=LOCATION[region],
                usageType=f"{p}{usage}",
                operation="CreateVolume-Gp3",
                **{"Region Code": region},
            )
        )
    for n in range(pad_rows):
        rows.append(
            _on_demand_row(
                _product(
                    region, f"c5.{n}xlarge", _sku(region, "pad", str(n)), **{"Operating System": "Windows"}
                ),
                "1.0000000000",
            )
        )
    meta = [
        ["FormatVersion", "v1.0"],
        ["Disclaimer", "This pricing list is for informational purposes only."],
        ["Publication Date", PUBLISHED["AmazonEC2"]],
        ["Version", EC2_VERSION],
        ["OfferCode", "AmazonEC2"],
    ]
    return "".join(_q(r) for r in [*meta, BULK_HEADER, *rows]).encode()


SP_HEADER = [
    "SKU",
    "RateCode",
    "Unit",
    "EffectiveDate",
    "DiscountedRate",
    "Currency",
    "DiscountedSKU",
    "DiscountedServiceCode",
    "DiscountedUsageType",
    "DiscountedOperation",
    "PurchaseOption",
    "LeaseContractLength",
    "LeaseContractLengthUnit",
    "ServiceCode",
    "UsageType",
    "Operation",
    "Description",
    "Instance Family",
    "Location",
    "Location Type",
    "Granularity",
    "Product Family",
    "DiscountedRegionCode",
    "DiscountedInstanceType",
]


def sp_csv(region: str) -> bytes:
    factor = 1.0 if region == "us-east-1" else 1.08
    skus = ec2_skus(region)
    p = PREFIX[region]
    lines = [
        "FormatVersion,v1.0",
        "Disclaimer,This pricing list is for informational purposes only.",
        f"Publication Date,{PUBLISHED['AWSComputeSavingsPlan']}",
        f"Version,{SP_VERSION}",
        "OfferCode,AmazonComputeSavingsPlan",
        ",".join(SP_HEADER),
    ]

    def row(
        plan: str,
        years: int,
        purchase: str,
        rate: str,
        sku: str,
        service: str = "AmazonEC2",
        usage: str = "",
        operation: str = "RunInstances",
        unit: str = "Hrs",
    ) -> str:
        pay = purchase.replace(" ", "")
        kind = "ComputeSP" if plan == "ComputeSavingsPlans" else f"{p}EC2SP:p3"
        plan_sku = _sku(plan, str(years), purchase, region)
        return ",".join(
            [
                plan_sku,
                f"{plan_sku}.{sku}",
                unit,
                "2026-11-01T00:00:00Z",
                rate,
                "USD",
                sku,
                service,
                usage or f"{p}BoxUsage:p3.2xlarge",
                operation,
                purchase,
                str(years),
                "year",
                "ComputeSavingsPlans",
                f"{kind}:{years}yr{pay}" if plan == "ComputeSavingsPlans" else f"{kind}.{years}yr{pay}",
                "",
                f"{years} year {purchase} {plan}",
                "p3" if plan != "ComputeSavingsPlans" else "",
                LOCATION[region] if plan != "ComputeSavingsPlans" else "Any",
                "AWS Region",
                "hourly",
                plan,
                region,
                "p3.2xlarge",
            ]
        )

    for (plan, years, purchase), rate in SP_RATES.items():
        value = f"{float(rate) * factor:.6g}"
        lines.append(row(plan, years, purchase, value, skus["linux"]))
        lines.append(
            row(
                plan,
                years,
                purchase,
                f"{float(rate) * 1.07:.6g}",
                skus["windows"],
                operation="RunInstances:0002",
            )
        )
        lines.append(
            row(
                plan,
                years,
                purchase,
                f"{float(rate) * 1.1:.6g}",
                skus["dedicated"],
                usage=f"{p}DedicatedUsage:p3.2xlarge",
            )
        )
    lines.append(
        row(
            "ComputeSavingsPlans",
            1,
            "No Upfront",
            "0.0333",
            "FARGATEVCPUSKU00",
            service="AmazonECS",
            usage=f"{p}Fargate-vCPU-Hours:perCPU",
            operation="FargateTask",
        )
    )
    lines.append(
        row(
            "ComputeSavingsPlans",
            1,
            "No Upfront",
            "0.0000139",
            "LAMBDAGBSECSKU00",
            service="AWSLambda",
            usage=f"{p}Lambda-GB-Second",
            operation="Invoke",
            unit="Lambda-GB-Second",
        )
    )
    return ("\n".join(lines) + "\n").encode()


def _json(data: object) -> bytes:
    return json.dumps(data, indent=2, separators=(",", " : ")).encode()


def _offer(code: str, version: str, products: dict, on_demand: dict) -> bytes:
    return _json(
        {
            "formatVersion": "v1.0",
            "disclaimer": "This pricing list is for informational purposes only.",
            "offerCode": code,
            "version": version,
            "publicationDate": PUBLISHED[code],
            "products": products,
            "terms": {"OnDemand": on_demand},
            "attributesList": {},
        }
    )


def _priced(sku: str, dims: list[tuple[str, str, str, str]], date: str = "2026-11-01T00:00:00Z") -> dict:
    """OnDemand terms of one SKU: dims = [(unit, begin, end, USD)]."""
    term = f"{sku}.JRTCKXETXF"
    return {
        term: {
            "offerTermCode": "JRTCKXETXF",
            "sku": sku,
            "effectiveDate": date,
            "termAttributes": {},
            "priceDimensions": {
                f"{term}.{i:010d}": {
                    "rateCode": f"{term}.{i:010d}",
                    "description": "fixture",
                    "beginRange": b,
                    "endRange": e,
                    "unit": u,
                    "pricePerUnit": {"USD": usd},
                    "appliesTo": [],
                }
                for i, (u, b, e, usd) in enumerate(dims)
            },
        }
    }


def s3_json(region: str) -> bytes:
    p = PREFIX[region]
    std, ia, put, loose = (_sku(region, "s3", n) for n in ("std", "ia", "put", "loose"))
    products = {
        std: {
            "sku": std,
            "productFamily": "Storage",
            "attributes": {
                "servicecode": "AmazonS3",
                "regionCode": region,
                "storageClass": "General Purpose",
                "volumeType": "Standard",
                "usagetype": f"{p}TimedStorage-ByteHrs",
                "operation": "",
            },
        },
        ia: {
            "sku": ia,
            "productFamily": "Storage",
            "attributes": {
                "regionCode": region,
                "usagetype": f"{p}TimedStorage-SIA-ByteHrs",
                "operation": "",
            },
        },
        put: {
            "sku": put,
            "attributes": {  # many S3 products have no productFamily
                "regionCode": region,
                "usagetype": f"{p}Requests-Tier1",
                "operation": "PutObject",
            },
        },
        loose: {
            "sku": loose,
            "attributes": {"regionCode": region, "usagetype": f"{p}TimedStorage-GDA-Staging"},
        },
    }
    terms = {
        std: _priced(
            std,
            [
                ("GB-Mo", "0", "51200", "0.0230000000"),
                ("GB-Mo", "51200", "512000", "0.0220000000"),
                ("GB-Mo", "512000", "Inf", "0.0210000000"),
            ],
        ),
        ia: _priced(ia, [("GB-Mo", "0", "Inf", "0.0125000000")]),
        put: _priced(put, [("Requests", "0", "Inf", "0.0000050000")]),
        loose: _priced(loose, [("GB-Mo", "0", "Inf", "0.0210000000")]),
    }
    return _offer("AmazonS3", S3_VERSION, products, terms)


def gda_json(region: str) -> bytes:
    sku = _sku(region, "gda")
    products = {
        sku: {
            "sku": sku,
            "productFamily": "Storage",
            "attributes": {"regionCode": region, "usagetype": f"{PREFIX[region]}TimedStorage-GDA-ByteHrs"},
        }
    }
    return _offer(
        "AmazonS3GlacierDeepArchive",
        GDA_VERSION,
        products,
        {sku: _priced(sku, [("GB-Mo", "0", "Inf", "0.0009900000")])},
    )


def efs_json(region: str) -> bytes:
    p = SM_PREFIX[region]
    std, ia = _sku(region, "efs", "std"), _sku(region, "efs", "ia")
    products = {
        std: {
            "sku": std,
            "productFamily": "Storage",
            "attributes": {
                "regionCode": region,
                "storageClass": "General Purpose",
                "usagetype": f"{p}TimedStorage-ByteHrs",
            },
        },
        ia: {
            "sku": ia,
            "productFamily": "Storage",
            "attributes": {
                "regionCode": region,
                "storageClass": "Infrequent Access",
                "usagetype": f"{p}IATimedStorage-ByteHrs",
            },
        },
    }
    terms = {
        std: _priced(std, [("GB-Mo", "0", "Inf", "0.3000000000")]),
        ia: _priced(ia, [("GB-Mo", "0", "Inf", "0.0250000000")]),
    }
    return _offer("AmazonEFS", EFS_VERSION, products, terms)


def sagemaker_json(region: str) -> bytes:
    factor = 1.0 if region == "us-east-1" else 1.1
    p = SM_PREFIX[region]
    products: dict = {}
    terms: dict = {}
    for (operation, component), price in SAGEMAKER.items():
        sku = _sku(region, "sm", operation)
        products[sku] = {
            "sku": sku,
            "productFamily": "ML Instance",
            "attributes": {
                "servicecode": "AmazonSageMaker",
                "location": LOCATION[region],
                "locationType": "AWS Region",
                "instanceType": f"ml.p3.2xlarge-{component.replace(' ', '')}",
                "instanceName": "ml.p3.2xlarge",
                "component": component,
                "usagetype": f"{p}{operation}:ml.p3.2xlarge",
                "operation": "RunInstance",
                "regionCode": region,
            },
        }
        terms[sku] = _priced(sku, [("Hrs", "0", "Inf", f"{float(price) * factor:.10f}")])
    for name, attrs, price in (
        ("serverless", {"usagetype": f"{p}ServerlessInf:Mem-4GB", "component": "Serverless"}, "0.0000800000"),
        (
            "other-region",
            {
                "usagetype": "USW2-Train:ml.p3.2xlarge",
                "regionCode": "us-west-2",
                "instanceName": "ml.p3.2xlarge",
                "component": "Training",
            },
            "9.9900000000",
        ),
    ):
        sku = _sku(region, "sm", name)
        family = "ML Serverless" if name == "serverless" else "ML Instance"
        products[sku] = {
            "sku": sku,
            "productFamily": family,
            "attributes": {"locationType": "AWS Region", **attrs},
        }
        terms[sku] = _priced(sku, [("Hrs", "0", "Inf", price)])
    return _offer("AmazonSageMaker", SM_VERSION, products, terms)


def price_list_files() -> dict[str, bytes]:
    """Every file of the fixture, by URL path."""
    offers = {}
    for code in ("AmazonEC2", "AmazonS3", "AmazonS3GlacierDeepArchive", "AmazonEFS", "AmazonSageMaker"):
        entry = {
            "offerCode": code,
            "versionIndexUrl": f"/offers/v1.0/aws/{code}/index.json",
            "currentVersionUrl": f"/offers/v1.0/aws/{code}/current/index.json",
            "currentRegionIndexUrl": f"/offers/v1.0/aws/{code}/current/region_index.json",
        }
        if code == "AmazonEC2":
            entry["savingsPlanVersionIndexUrl"] = (
                "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/current/index.json"
            )
            entry["currentSavingsPlanIndexUrl"] = (
                "/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/current/region_index.json"
            )
        offers[code] = entry
    files = {
        "/offers/v1.0/aws/index.json": _json(
            {
                "formatVersion": "v1.0",
                "disclaimer": "This pricing list is for informational purposes only.",
                "publicationDate": "2026-11-20T23:25:36Z",
                "offers": offers,
            }
        )
    }
    versions = {
        "AmazonEC2": EC2_VERSION,
        "AmazonS3": S3_VERSION,
        "AmazonEFS": EFS_VERSION,
        "AmazonSageMaker": SM_VERSION,
        "AmazonS3GlacierDeepArchive": GDA_VERSION,
    }
    builders = {
        "AmazonS3": s3_json,
        "AmazonEFS": efs_json,
        "AmazonSageMaker": sagemaker_json,
        "AmazonS3GlacierDeepArchive": gda_json,
    }
    for code, version in versions.items():
        regions = REGIONS if code != "AmazonS3GlacierDeepArchive" else ("us-east-1",)
        listed = {
            r: {"regionCode": r, "currentVersionUrl": f"/offers/v1.0/aws/{code}/{version}/{r}/index.json"}
            for r in (*regions, "us-east-1-bos-1")
        }
        files[f"/offers/v1.0/aws/{code}/current/region_index.json"] = _json(
            {
                "formatVersion": "v1.0",
                "disclaimer": "...",
                "publicationDate": PUBLISHED[code],
                "regions": listed,
            }
        )
        for region in regions:
            base = f"/offers/v1.0/aws/{code}/{version}/{region}/index"
            if code == "AmazonEC2":
                files[base + ".csv"] = ec2_csv(region)
            else:
                files[base + ".json"] = builders[code](region)
    sp_regions = [
        {
            "regionCode": r,
            "versionUrl": f"/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/{SP_VERSION}/{r}/index.json",
        }
        for r in (*REGIONS, "us-west-2-den-1")
    ]
    files["/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/current/region_index.json"] = _json(
        {
            "disclaimer": "...",
            "publicationDate": PUBLISHED["AWSComputeSavingsPlan"],
            "regions": sp_regions,
            "formatVersion": "v1.0",
        }
    )
    for region in REGIONS:
        files[f"/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/{SP_VERSION}/{region}/index.csv"] = sp_csv(region)
    return files


def ec2_path(region: str) -> str:
    return f"/offers/v1.0/aws/AmazonEC2/{EC2_VERSION}/{region}/index.csv"


@dataclass
class Behaviour:
    """How the server answers one path: ``status`` (e.g. 404), or a body cut after ``cut`` bytes
    (``mode`` "truncate": Content-Length of the whole file, then the connection closes; "reset":
    the connection is reset), for the first ``times`` requests (None: every request)."""

    status: int | None = None
    cut: int | None = None
    mode: str = "truncate"
    times: int | None = None


@dataclass
class PriceListServer:
    files: dict[str, bytes]
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        return [p for p, _h in self.requests]


def _etag(data: bytes) -> str:
    return '"' + hashlib.md5(data).hexdigest() + '"'


def _handler(state: PriceListServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            return None

        def do_GET(self) -> None:
            path = self.path
            state.requests.append((path, {k: v for k, v in self.headers.items()}))
            rule = state.behaviours.get(path)
            if rule is not None and rule.times is not None:
                if rule.times <= 0:
                    rule = None
                else:
                    rule.times -= 1
            if rule is not None and rule.status:
                self._send(rule.status, b"<Error><Code>NoSuchKey</Code></Error>")
                return
            data = state.files.get(path)
            if data is None:
                self._send(404, b"<Error><Code>NoSuchKey</Code></Error>")
                return
            etag = _etag(data)
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            start = 0
            wanted = self.headers.get("Range", "")
            if wanted.startswith("bytes=") and self.headers.get("If-Range") == etag:
                start = int(wanted[6:].split("-")[0])
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(data) - start))
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            body = data[start:]
            if rule is not None and rule.cut is not None:
                self.wfile.write(body[: rule.cut])
                self.wfile.flush()
                if rule.mode == "reset":  # RST instead of FIN: the client sees a connection reset
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            self.wfile.write(body)

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serve(files: dict[str, bytes] | None = None) -> Iterator[PriceListServer]:
    """Serve ``files`` (default: :func:`price_list_files`) on 127.0.0.1, an ephemeral port."""
    state = PriceListServer(files if files is not None else price_list_files())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
