"""Build the embedded price snapshot in ``pricing_data/`` from the dated reference CSVs.

Usage::

    python scripts/build_snapshot.py [--reference DIR] [--out DIR]

The reference folder (default ``../shared/pricing_reference``) holds real, dated AWS price and spec
data with a ``SOURCES.md`` naming where each file came from. This script only reshapes it: every
price is copied unchanged (or derived by the stated formula, e.g. an All Upfront RI's upfront fee),
every row keeps ``as_of`` and ``source``, and a figure the reference lacks stays absent.

Newer reference files are merged in: Convertible and Standard No/Partial Upfront reserved rates
of GPU types (a Partial Upfront row keeps its effective rate with ``upfront_usd``/``hourly_usd``
empty: the split is unknown), the 2025-11 Spot Advisor feed (GPU types; it replaces the older row),
EBS prices of 24 regions (2022) plus us-east-1 snapshot prices, and SageMaker prices by component.

What is dropped, and why:
- Local Zone and Wavelength locations (``us-east-1-bos-1`` …): they are not regions.
- ``cn-north-1`` (prices in CNY): the planner is USD-only.
- EBS snapshot rows marked "not sourced from AWS data" in the reference: placeholders, not prices.
- Windows rows of the Spot Advisor feed: the planner prices Linux.
- Spot averages equal to the on-demand price (the cache's filler where it had no spot price).
- Spot Advisor rows with a negative saving (one: p5.48xlarge in ca-central-1, -62 %): spot is
  never billed above on-demand, so the figure is a feed error, not a saving.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.billing import GB_PER_TB, term_hours  # noqa: E402
from planner.catalog.loader import read_manifest  # noqa: E402
from planner.catalog.schema import TABLES  # noqa: E402
from planner.catalog.writer import format_number as fmt  # noqa: E402
from planner.catalog.writer import write_columnar_copies, write_manifest, write_table  # noqa: E402
from planner.pricing.ebs import GP3_INCLUDED_THROUGHPUT_MIBPS  # noqa: E402
from planner.refresh.records import REGION_RE, compute_row  # noqa: E402

# Rows carry a short citation; manifest.json's "sources" expands each one to the full reference.
VANTAGE = "AWS Price List via vantage cache@cbe0a516"
KARPENTER = "AWS Price List GetProducts via karpenter@{commit}"
MOTO_SPECS = "EC2 DescribeInstanceTypes via moto@{commit}"
SPOT_ADVISOR = "AWS Spot Advisor via spotinfo@{commit}"
EBS_CLOUDKEEP = "AWS Price List GetProducts (EBS) via cloudkeep@d76ed276"
SOURCE_DETAILS = {
    "AWS Price List via vantage cache@cbe0a516": (
        "jawaadjariwala/AWS-EC2-Pricing-Landscape-Analysis:data/ec2_pricing_tidy.parquet@"
        "cbe0a516e46dee177791ba3a7c21d681aa5b2e9a: tidy cache of instances.vantage.sh "
        "instances.json, built from the AWS Price List bulk offer files; fetched on or before "
        "2026-05-12. Reserved: Standard All Upfront effective $/h; upfront = effective x 8760 x years."
    ),
    "AWS Price List GetProducts via karpenter@6fc13b5236fd": (
        "aws/karpenter-provider-aws:pkg/providers/pricing/zz_generated.pricing_aws*.go@"
        "6fc13b5236fd04fd16ff3f9dc7490d0813994099, generated 2026-07-20 from GetProducts "
        "(Linux, Shared tenancy, preInstalledSw NA, capacitystatus Used)"
    ),
    "EC2 DescribeInstanceTypes via moto@34d6cad5abbb": (
        "getmoto/moto:moto/ec2/resources/instance_types.json@34d6cad5abbb7b91c97578f3249b39a7e2df1ed5 "
        "(monthly dump of EC2 DescribeInstanceTypes, 2026-08-02)"
    ),
    "EC2 DescribeInstanceTypes via moto@95a01280bd2c": (
        "getmoto/moto:moto/ec2/resources/instance_types.json@95a01280bd2c20fd7fcfb36deaf0820f5d3f0bfa "
        "(2026-04-01 dump; p3.*, dl1, f1 rows dropped from later dumps)"
    ),
    "AWS Spot Advisor via spotinfo@5eedf20a9961": (
        "alexei-led/spotinfo:internal/spot/data/spot-advisor-data.json@05e933139449 (file last "
        "changed in 5eedf20a9961, 2025-06-28): the AWS Spot Instance Advisor feed"
    ),
}
SAGEMAKER_FEEDS = {
    "notebook": "AWS SageMaker pricing feed (Studio notebook) via aws-price-watcher@a6645eb2",
    "training_plan": "AWS SageMaker pricing feed (training plan) via aws-price-watcher@a6645eb2",
}
SOURCE_DETAILS.update({
    SAGEMAKER_FEEDS["notebook"]: (
        "QuinnyPig/aws-price-watcher:raw/sagemaker-instances-studionotebook.json@"
        "a6645eb2e53e9399396a714cdc4f3c346c7f06c0: AWS pricing-page feed meteredUnitMaps/sagemaker/"
        "USD/current/sagemaker-instances-studionotebook.json, hawkFilePublicationDate "
        "2025-06-16T19:32:43Z; component Studio-Notebook, on-demand $ per instance-hour"
    ),
    SAGEMAKER_FEEDS["training_plan"]: (
        "QuinnyPig/aws-price-watcher:raw/sagemaker-training-plan.json@"
        "a6645eb2e53e9399396a714cdc4f3c346c7f06c0: AWS pricing-page feed, set TrainingPlan, "
        "2025-06-16; SageMaker Training Plan (pre-purchased capacity) $ per instance-hour, not "
        "the on-demand training price"
    ),
})
VANTAGE_GPU = "AWS Price List via vantage raw GPU records@2d0108c7"
SPOT_ADVISOR_GPU = "AWS Spot Advisor via vantage raw GPU records@2d0108c7"
SOURCE_DETAILS.update({
    VANTAGE_GPU: (
        "tsaol/aws-gpu:data/gpu_instances_raw.json@2d0108c7bd261c8e40493fbd35135437bd6c9099: raw "
        "instances.vantage.sh records of the GPU types (built from the AWS Price List Reserved "
        "terms), downloaded on or before 2025-11-30. Reserved Convertible (all payments) and "
        "Standard No/Partial Upfront; effective $/h as in the source; No Upfront hourly = "
        "effective; Convertible All Upfront upfront = effective x 8760 x years (about +/-$0.03); "
        "Partial Upfront: upfront/hourly split unknown (empty)."
    ),
    SPOT_ADVISOR_GPU: (
        "tsaol/aws-gpu:data/gpu_instances_raw.json@2d0108c7bd261c8e40493fbd35135437bd6c9099: "
        "pct_savings_od / pct_interrupt copied by the Vantage scraper from AWS's Spot Instance "
        "Advisor feed (spot-advisor-data.json), on or before 2025-11-30; GPU types only"
    ),
    EBS_CLOUDKEEP: (
        "cloudkeep-io/ebs-pricing:docs/ebs_pricing.json@d76ed2762d0a795a66285222321da0bb0aa801c3: "
        "AWS Price List GetProducts (AmazonEC2 Storage / System Operation / Provisioned "
        "Throughput), 2022-02-10; gp3 throughput 40.96 per GiBps-month = 0.04 per MiBps-month; "
        "IOPS tier bounds from the EBS documentation"
    ),
})
PAYMENT = {"No Upfront": "no_upfront", "Partial Upfront": "partial_upfront", "All Upfront": "all_upfront"}
SPOT_ADVISOR_DATE = "2025-06-28"
SPOT_SAMPLE_DATE = "2026-04-02"  # the sample entered anycloud-sh/catalog on this date (fetch time unknown)

def read(reference: Path, name: str) -> list[dict[str, str]]:
    with (reference / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def num(text: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def network_gbps(performance: str) -> str:
    match = re.search(r"([\d.]+)\s*Gigabit", performance or "")
    return match.group(1) if match else ""


# --- instance specs ---------------------------------------------------------------------------


def build_instance_specs(reference: Path) -> list[dict[str, str]]:
    curated = {r["instance_type"]: r for r in read(reference, "instance_specs.csv")}
    rows = []
    for r in read(reference, "ec2_instance_specs.csv"):
        itype = r["instance_type"]
        source = MOTO_SPECS.format(commit=r["spec_source_commit"])
        as_of = r["spec_snapshot_date"]
        row = {
            "instance_type": itype,
            "family": r["family"],
            "size": r["size"],
            "vcpu": r["vcpu"],
            "memory_gib": r["memory_gib"],
            "architecture": r["architectures"].split("|")[0],
            "accelerator_kind": "",
            "accelerator": "",
            "accelerator_count": "0",
            "accelerator_memory_gib_total": "0",
            "network_gbps": network_gbps(r["network_performance"]),
            "network_performance": r["network_performance"],
            "efa_supported": "true" if r["efa_supported"] == "True" else "false",
            "local_storage_gb": r["local_storage_total_gb"] or "0",
            "current_generation": "true" if r["current_generation"] == "True" else "false",
            "as_of": as_of,
            "source": source,
        }
        if r["gpu_count"] not in ("", "0"):
            row["accelerator_kind"] = "gpu"
            row["accelerator"] = f"{r['gpu_manufacturer']} {r['gpu_model']}".strip()
            row["accelerator_count"] = r["gpu_count"]
            row["accelerator_memory_gib_total"] = r["gpu_memory_gib_total"] or "0"
        elif r["accelerator_kind"] == "neuron":
            name = r["accelerator_name"]
            row["accelerator_kind"] = "trainium" if name.startswith("Trainium") else "inferentia"
            row["accelerator"] = f"AWS {name}"
            row["accelerator_count"] = r["accelerator_count"] or "0"
            row["accelerator_memory_gib_total"] = r["accelerator_memory_gib_total"] or "0"
        c = curated.get(itype)
        if c is not None:
            # The curated file names the chip exactly as accelerators.csv does, gives the network
            # bandwidth in Gbps and corrects trn2 memory (1,536 GiB per the Neuron docs).
            if c["accelerator"]:
                chip = c["accelerator"]
                row["accelerator"] = chip
                row["accelerator_kind"] = (
                    "trainium"
                    if "Trainium" in chip
                    else "inferentia"
                    if "Inferentia" in chip
                    else "gpu"
                )
                row["accelerator_count"] = c["accelerator_count"]
                row["accelerator_memory_gib_total"] = c["accelerator_memory_gib_total"]
            row["network_gbps"] = c["network_gbps"] or row["network_gbps"]
            row["source"] = f"{source}; {c['source']}"
        rows.append(row)
    described = {r["instance_type"] for r in rows}
    for itype in curated:  # curated rows missing from the moto dump
        if itype not in described:
            raise SystemExit(f"instance_specs.csv: {itype} has no DescribeInstanceTypes row")
    rows.sort(key=lambda r: r["instance_type"])
    return rows


def build_accelerators(reference: Path) -> list[dict[str, str]]:
    rows = []
    for r in read(reference, "accelerators.csv"):
        rows.append(
            {
                "accelerator": r["accelerator"],
                "vendor": r["vendor"],
                "memory_gib": r["memory_gb"],
                "memory_bandwidth_gbps": r["memory_bw_gbps"],
                "fp32_tflops": r["fp32_tflops"],
                "tf32_tflops": r["tf32_tflops"],
                "bf16_tflops": r["bf16_tflops"],
                "fp16_tflops": r["fp16_tflops"],
                "fp8_tflops": r["fp8_tflops"],
                "int8_tops": r["int8_tops"],
                "tdp_w": r["tdp_w"],
                "as_of": "2026-08-01",
                "source": r["source"],
            }
        )
    return rows


# --- compute rates ----------------------------------------------------------------------------


def build_compute_rates(reference: Path, known_types: set[str]) -> list[dict[str, str]]:
    rows: dict[tuple[str, ...], dict[str, str]] = {}

    def put(row: dict[str, str]) -> None:
        rows[tuple(row[k] for k in TABLES["compute_rates"].key)] = row

    for r in read(reference, "ec2_linux_prices_all_regions.csv"):
        region, itype = r["region"], r["instance_type"]
        if not REGION_RE.match(region) or itype not in known_types:
            continue
        od = num(r["ondemand_usd_per_hour"])
        if od is not None:
            put(compute_row(region, itype, "on_demand", hourly_usd=od, as_of=r["as_of"], source=VANTAGE))
        spot = num(r["spot_avg_usd_per_hour"])
        # Where the cache had no spot price it repeats the on-demand price with a 0 % saving
        # (111 rows, e.g. p3.2xlarge in ap-northeast-1): that is no spot price, so it is left out.
        if spot is not None and not (od is not None and spot >= od):
            put(
                compute_row(
                    region, itype, "spot", hourly_usd=spot, as_of=r["as_of"],
                    source=f"{VANTAGE} spot_avg",
                )
            )
        for years in (1, 3):
            eff = num(r[f"reserved_{years}yr_standard_all_upfront_effective_usd_per_hour"])
            if eff is None:
                continue
            # The source stores only the effective rate = upfront / (years × 8,760 h); an All
            # Upfront RI has no hourly fee, so upfront = effective × 8,760 × years.
            upfront = round(eff * term_hours(years), 2)
            put(
                compute_row(
                    region, itype, "reserved", hourly_usd=0.0, upfront_usd=upfront,
                    effective_hourly_usd=eff, term_years=years, offering_class="standard",
                    payment_option="all_upfront", as_of=r["as_of"], source=VANTAGE,
                )
            )
    # Newer on-demand prices (2026-07-20) for us-east-1 and GovCloud replace the older cache.
    for r in read(reference, "ec2_ondemand_linux.csv"):
        if r["currency"] != "USD" or r["instance_type"] not in known_types:
            continue
        put(
            compute_row(
                r["region"], r["instance_type"], "on_demand",
                hourly_usd=float(r["price_per_hour"]),
                as_of=r["generated_at_utc"][:10],
                source=KARPENTER.format(commit=r["source_commit"]),
            )
        )
    # Convertible (every payment) and Standard No/Partial Upfront reserved rates, GPU types only
    # (2025-11-30). Where the source gives only the effective rate (Partial Upfront) the split is
    # unknown: upfront and hourly stay empty, never derived.
    for r in read(reference, "ec2_reserved_rates_more.csv"):
        region, itype = r["region"], r["instance_type"]
        if not REGION_RE.match(region) or itype not in known_types:
            continue
        payment = PAYMENT[r["payment_option"]]
        row = compute_row(
            region, itype, "reserved", hourly_usd=num(r["hourly_usd"]) or 0.0,
            upfront_usd=num(r["upfront_usd"]) or 0.0,
            effective_hourly_usd=float(r["effective_hourly_usd"]), term_years=int(r["term_years"]),
            offering_class=r["offering_class"], payment_option=payment, as_of=r["as_of"],
            source=VANTAGE_GPU,
        )
        if num(r["upfront_usd"]) is None and num(r["hourly_usd"]) is None:
            row["upfront_usd"] = row["hourly_usd"] = ""  # split unknown
        put(row)
    for r in read(reference, "ec2_savings_plans_rates.csv"):  # header only today
        raise SystemExit(f"savings plan rows are not mapped yet: {r}")
    return sorted(rows.values(), key=lambda r: tuple(r[k] for k in TABLES["compute_rates"].key))


def build_spot_advisor(reference: Path, known_types: set[str]) -> list[dict[str, str]]:
    rows = []
    for r in read(reference, "ec2_spot_advisor.csv"):
        if r["operating_system"] != "Linux" or r["instance_type"] not in known_types:
            continue
        if not REGION_RE.match(r["region"]):
            continue
        if float(r["savings_pct_vs_ondemand"]) < 0:
            continue  # one feed row (p5.48xlarge, ca-central-1: -62 %) is not a possible saving
        rows.append(
            {
                "region": r["region"],
                "instance_type": r["instance_type"],
                "savings_pct_vs_on_demand": r["savings_pct_vs_ondemand"],
                "interruption_bucket": r["interruption_frequency"],
                "interruption_max_pct": r["interruption_max_pct"],
                "as_of": r["source_commit_date"],
                "source": SPOT_ADVISOR.format(commit=r["source_commit"]),
            }
        )
    # The 2025-11-30 feed (GPU types only) replaces the 2025-06-28 row of the same type and region.
    by_key = {(r["region"], r["instance_type"]): r for r in rows}
    for r in read(reference, "ec2_spot_advisor_2025_11.csv"):
        if r["operating_system"] != "Linux" or r["instance_type"] not in known_types:
            continue
        if not REGION_RE.match(r["region"]) or float(r["savings_pct_vs_ondemand"]) < 0:
            continue
        by_key[(r["region"], r["instance_type"])] = {
            "region": r["region"],
            "instance_type": r["instance_type"],
            "savings_pct_vs_on_demand": r["savings_pct_vs_ondemand"],
            "interruption_bucket": r["interruption_frequency"],
            "interruption_max_pct": r["interruption_max_pct"],
            "as_of": r["as_of"],
            "source": SPOT_ADVISOR_GPU,
        }
    return [by_key[k] for k in sorted(by_key)]


def build_spot_samples(reference: Path, known_types: set[str]) -> list[dict[str, str]]:
    by_key: dict[tuple[str, str], list[float]] = {}
    sources: dict[tuple[str, str], str] = {}
    for r in read(reference, "ec2_spot_ondemand_sample_by_az.csv"):
        spot = num(r["spot_usd_per_hour"])
        if spot is None or r["instance_type"] not in known_types:
            continue
        key = (r["region"], r["instance_type"])
        by_key.setdefault(key, []).append(spot)
        sources[key] = r["source"]
    rows = []
    for (region, itype), prices in sorted(by_key.items()):
        rows.append(
            {
                "region": region,
                "instance_type": itype,
                "spot_min_usd_per_hour": fmt(min(prices)),
                "spot_max_usd_per_hour": fmt(max(prices)),
                "spot_mean_usd_per_hour": fmt(round(sum(prices) / len(prices), 6)),
                "availability_zones": str(len(prices)),
                "as_of": SPOT_SAMPLE_DATE,
                "source": f"{sources[(region, itype)]} (per-AZ sample; fetch date not recorded)",
            }
        )
    return rows


# --- storage rates ----------------------------------------------------------------------------

S3_CLASSES = {
    "S3 Standard": ("standard", ""),
    "S3 Intelligent-Tiering": ("intelligent_tiering", ""),
    "S3 Intelligent-Tiering Frequent Access tier": ("intelligent_tiering", ""),
    "S3 Intelligent-Tiering Infrequent Access tier": ("intelligent_tiering", "infrequent_"),
    "S3 Intelligent-Tiering Archive Instant Access tier": ("intelligent_tiering", "archive_instant_"),
    "S3 Intelligent-Tiering Archive Access tier": ("intelligent_tiering", "archive_"),
    "S3 Intelligent-Tiering Deep Archive Access tier": ("intelligent_tiering", "deep_archive_"),
    "S3 Standard-IA": ("standard_ia", ""),
    "S3 One Zone-IA": ("onezone_ia", ""),
    "S3 Glacier Instant Retrieval": ("glacier_ir", ""),
    "S3 Glacier Flexible Retrieval": ("glacier_flexible", ""),
    "S3 Glacier Deep Archive": ("deep_archive", ""),
    "S3 Express One Zone": ("express_onezone", ""),
}
EFS_CLASSES = {
    ("EFS Standard", "storage"): ("standard", "storage"),
    ("EFS Infrequent Access (Elastic Throughput)", "storage"): ("infrequent_access", "storage_elastic"),
    ("EFS Infrequent Access (Bursting/Provisioned Throughput)", "storage"): (
        "infrequent_access",
        "storage",
    ),
    ("EFS Archive", "storage"): ("archive", "storage"),
    ("EFS One Zone", "storage"): ("one_zone", "storage"),
    ("EFS One Zone-IA", "storage"): ("one_zone_ia", "storage"),
    ("EFS Infrequent Access", "reads"): ("infrequent_access", "reads"),
    ("EFS Infrequent Access", "writes"): ("infrequent_access", "writes"),
    ("EFS Archive", "reads"): ("archive", "reads"),
    ("EFS Archive", "writes"): ("archive", "writes"),
    ("EFS Elastic Throughput", "reads"): ("elastic_throughput", "reads"),
    ("EFS Elastic Throughput", "writes"): ("elastic_throughput", "writes"),
    ("EFS Provisioned Throughput", "throughput"): ("provisioned_throughput", "throughput"),
    ("EFS Bursting Throughput", "throughput"): ("bursting_throughput", "throughput"),
}
EBS_CLASSES = {
    ("gp3", "storage"): ("gp3", "storage"),
    ("gp3", "provisioned IOPS above 3,000 free"): ("gp3", "iops"),
    ("gp3", "provisioned throughput above 125 MiB/s free"): ("gp3", "throughput"),
    ("gp2", "storage"): ("gp2", "storage"),
    ("io1", "storage"): ("io1", "storage"),
    ("io1", "provisioned IOPS"): ("io1", "iops"),
    ("io2", "storage"): ("io2", "storage"),
    ("io2", "provisioned IOPS tier 1"): ("io2", "iops"),
    ("io2", "provisioned IOPS tier 2"): ("io2", "iops"),
    ("io2", "provisioned IOPS tier 3"): ("io2", "iops"),
    ("st1", "storage"): ("st1", "storage"),
    ("sc1", "storage"): ("sc1", "storage"),
    ("standard (magnetic, previous generation)", "storage"): ("standard", "storage"),
    ("snapshot (standard tier)", "storage"): ("snapshot", "storage"),
    ("snapshot (archive tier)", "storage"): ("snapshot_archive", "storage"),
    ("snapshot (archive tier)", "restore/retrieval"): ("snapshot_archive", "retrieval_gb"),
}
UNITS = {
    "GB-Mo": "GB-month",
    "per GB": "GB",
    "GB": "GB",
    "per 1,000 requests": "1,000 requests",
    "per 1,000 objects-Mo": "1,000 objects-month",
    "MiBps-Mo": "MiBps-month",
    "IOPS-Mo": "IOPS-month",
    "per 1,000,000 I/O requests": "1,000,000 requests",
    "DSU-Hr (per snapshot per AZ per hour)": "DSU-hour",
}
EBS_REGION_DIMENSIONS = {
    "iops_tier1": "iops", "iops_tier2": "iops", "iops_tier3": "iops", "fsr_hour": "dsu_hours",
}
EBS_REGION_CLASSES = {
    "snapshot (standard tier)": "snapshot",
    "snapshot (archive tier)": "snapshot_archive",
    "fast snapshot restore": "fast_snapshot_restore",
}


def tier_gb(text: str) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    if text == "Inf":
        return "inf"
    if text.endswith("TB"):
        return fmt(float(text[:-2].strip()) * GB_PER_TB)
    return fmt(float(text))


def storage_row(
    region: str, service: str, cls: str, dim: str, unit: str, begin: str, end: str,
    price: str, as_of: str, source: str,
) -> dict[str, str]:
    return {
        "region": region,
        "service": service,
        "storage_class": cls,
        "dimension": dim,
        "unit": UNITS[unit],
        "tier_begin": begin or "0",
        "tier_end": end or "inf",
        "price_usd": fmt(float(price)),
        "as_of": as_of,
        "source": source,
    }


def build_storage_rates(reference: Path) -> list[dict[str, str]]:
    rows = []
    for r in read(reference, "storage_prices_by_region.csv"):
        service = r["service"]
        if service == "S3":
            cls, prefix = S3_CLASSES[r["storage_class_or_volume_type"]]
            dim = prefix + r["dimension"]
            begin, end = tier_gb(r["tier_begin"]), tier_gb(r["tier_end"])
        elif service == "EFS":
            cls, dim = EFS_CLASSES[(r["storage_class_or_volume_type"], r["dimension"])]
            begin = end = ""
        else:
            raise SystemExit(f"storage_prices_by_region.csv: unexpected service {service!r}")
        rows.append(
            storage_row(
                r["region"], service.lower(), cls, dim, r["unit"], begin, end, r["price_usd"],
                r["as_of"], f"{r['source']} ({r['feed_label']})",
            )
        )
    ebs_keys = set()
    for r in read(reference, "ebs_prices_by_region.csv"):
        name = r["storage_class_or_volume_type"]
        cls, dim = EBS_REGION_CLASSES.get(name, name.split(" ")[0]), r["dimension"]
        dim = EBS_REGION_DIMENSIONS.get(dim, dim)
        begin = tier_gb(r["tier_begin"].replace("IOPS", "").strip())
        end = tier_gb(r["tier_end"].replace("IOPS", "").strip())
        price = float(r["price_usd"])
        unit = r["unit"]
        if unit == "GiBps-Mo":  # gp3 throughput: 40.96 per GiBps-month = 0.04 per MiBps-month
            unit, price, begin = "MiBps-Mo", price / 1024, fmt(GP3_INCLUDED_THROUGHPUT_MIBPS)
        source = EBS_CLOUDKEEP
        if r["as_of"] == "undated":
            source = f"AWS EBS pricing-page feed copy in a test fixture ({r['feed_label']})"
        row = storage_row(r["region"], "ebs", cls, dim, unit, begin, end, fmt(price), r["as_of"], source)
        rows.append(row)
        ebs_keys.add((row["region"], cls, dim, row["tier_begin"]))
    for r in read(reference, "storage_prices_us_east_1.csv"):
        if r["service"] != "EBS":
            continue  # S3 and EFS come from the AWS feeds above (identical for us-east-1)
        if r["source"].startswith("not sourced from AWS data"):
            continue  # a placeholder, not a price: left for the refresh to fill
        cls, dim = EBS_CLASSES[(r["item"], r["dimension"])]
        # IOPS/throughput rows carry their own bands: gp3 bills only above 3,000 IOPS and
        # 125 MiB/s (tier_begin), io2 has three IOPS price tiers applied per volume.
        begin, end = r["tier_begin"], r["tier_end"]
        if (r["region"], cls, dim, tier_gb(begin) or "0") in ebs_keys:
            continue  # the dated AWS-derived row above has the same figure (13/13 checked)
        rows.append(
            storage_row(
                r["region"], "ebs", cls, dim, r["unit"], begin, end.replace("Inf", "inf"),
                r["price_usd"], "undated", f"{r['source']} (third-party; not checked against AWS data)",
            )
        )
    return sorted(rows, key=lambda r: tuple(r[k] for k in TABLES["storage_rates"].key))


def build_data_transfer_rates(reference: Path) -> list[dict[str, str]]:
    """Data transfer per GB: internet out (monthly volume tiers), internet in, between regions
    (charged to the source region), and the monthly free allowance to the internet (one row,
    ``from_region`` ALL, its quantity in ``tier_end``)."""
    rows = []
    for r in read(reference, "data_transfer_prices.csv"):
        begin = tier_gb(r["tier_begin"].replace("GB", ""))
        end = tier_gb(r["tier_end"].replace("GB", ""))
        rows.append({
            "transfer_type": r["transfer_type"],
            "from_region": r["from_region"],
            "to_region": r["to_region"],
            "unit": "GB-month" if r["unit"] == "GB-Mo" else "GB",
            "tier_begin": begin or "0",
            "tier_end": end or "inf",
            "price_usd": fmt(float(r["price_usd"])),
            "as_of": r["as_of"],
            "source": f"{r['source']} ({r['feed_label']})" if r["feed_label"] else r["source"],
        })
    return sorted(rows, key=lambda r: tuple(r[k] for k in TABLES["data_transfer_rates"].key))


# --- SageMaker ----------------------------------------------------------------------------------


def build_sagemaker_rates(reference: Path) -> list[dict[str, str]]:
    """sagemaker_prices.csv as is: Studio notebook prices (27 regions) and training-plan rates.

    The reference has no on-demand training, hosting or processing price (SOURCES.md): those
    components are absent here until a refresh fetches them.
    """
    rows = []
    for r in read(reference, "sagemaker_prices.csv"):
        component = r["component"]
        if component not in SAGEMAKER_FEEDS:
            raise SystemExit(f"sagemaker_prices.csv: component {component!r} is not mapped")
        rows.append(
            {
                "region": r["region"],
                "instance_type": r["instance_type"],
                "component": component,
                "hourly_usd": fmt(float(r["hourly_usd"])),
                "as_of": r["as_of"],
                "source": SAGEMAKER_FEEDS[component],
            }
        )
    return sorted(rows, key=lambda r: tuple(r[k] for k in TABLES["sagemaker_rates"].key))


# --- writing ----------------------------------------------------------------------------------


def build(reference: Path, out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    specs = build_instance_specs(reference)
    known = {r["instance_type"] for r in specs}
    tables = {
        "instance_specs": specs,
        "accelerators": build_accelerators(reference),
        "compute_rates": build_compute_rates(reference, known),
        "spot_advisor": build_spot_advisor(reference, known),
        "spot_price_samples": build_spot_samples(reference, known),
        "storage_rates": build_storage_rates(reference),
        "data_transfer_rates": build_data_transfer_rates(reference),
        "sagemaker_rates": build_sagemaker_rates(reference),
    }
    entries = {name: write_table(out, name, rows) for name, rows in tables.items()}
    write_manifest(
        out, entries, sources=SOURCE_DETAILS,
        built_from="shared pricing reference (see pricing_data/README.md)",
    )
    if not write_columnar_copies(out):  # validates the CSVs once; the copies are trusted after
        raise SystemExit(f"the snapshot written to {out} does not validate: no columnar copies")
    return read_manifest(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=ROOT.parent / "shared" / "pricing_reference")
    parser.add_argument("--out", type=Path, default=ROOT / "pricing_data")
    args = parser.parse_args()
    manifest = build(args.reference, args.out)
    for name, info in manifest["tables"].items():  # type: ignore[union-attr]
        print(f"{name:20s} {info['rows']:>7} rows  as_of {info['as_of']}")


if __name__ == "__main__":
    main()
