"""Column specifications of the snapshot tables in ``pricing_data/``.

Each table is a CSV with a header; ``manifest.json`` records per table its file, row count, sha256,
date (``as_of``) and origin (``embedded`` or ``refresh``). The loader checks every rule stated here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA_VERSION = 1
"""Version of the snapshot layout; the loader refuses any other."""

ACCELERATOR_KINDS = ("gpu", "trainium", "inferentia")
"""``instance_specs.accelerator_kind`` values of accelerated types (CPU-only types have "")."""


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One snapshot table: its file, columns, key, and which columns hold numbers."""

    file: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    numeric: tuple[str, ...] = ()
    """Columns parsed as finite, non-negative floats (empty allowed where ``optional``)."""
    optional: tuple[str, ...] = ()
    """Numeric columns that may be empty (the figure is not known)."""
    unbounded: tuple[str, ...] = ()
    """Numeric columns that may be infinite (the open end of the last price tier)."""
    allowed: dict[str, frozenset[str]] = field(default_factory=dict)
    patterns: dict[str, str] = field(default_factory=dict)
    """Text columns whose every value must match a regular expression (``re.fullmatch``)."""
    description: str = ""


_PROVENANCE = ("as_of", "source")

SAGEMAKER_COMPONENTS = (
    "training", "hosting", "notebook", "processing", "batch_transform",
)
"""SageMaker components every source names alike (``sagemaker_rates.component``); a source may
add others (``training_plan``, ``studio_notebook``, ``async_inference`` …), lower snake case."""

SAGEMAKER_COMPONENT_PATTERN = r"[a-z][a-z0-9_]*"
"""Form of every ``sagemaker_rates.component`` value."""

TABLES: dict[str, TableSpec] = {
    "instance_specs": TableSpec(
        file="instance_specs.csv",
        columns=(
            "instance_type", "family", "size", "vcpu", "memory_gib", "architecture",
            "accelerator_kind", "accelerator", "accelerator_count", "accelerator_memory_gib_total",
            "network_gbps", "network_performance", "efa_supported", "local_storage_gb",
            "current_generation", *_PROVENANCE,
        ),
        key=("instance_type",),
        numeric=(
            "vcpu", "memory_gib", "accelerator_count", "accelerator_memory_gib_total",
            "network_gbps", "local_storage_gb",
        ),
        optional=("network_gbps",),
        allowed={
            "accelerator_kind": frozenset({"", *ACCELERATOR_KINDS}),
            "efa_supported": frozenset({"true", "false"}),
            "current_generation": frozenset({"true", "false"}),
        },
        description="EC2 DescribeInstanceTypes (moto monthly dump) + curated accelerator specs",
    ),
    "accelerators": TableSpec(
        file="accelerators.csv",
        columns=(
            "accelerator", "vendor", "memory_gib", "memory_bandwidth_gbps", "fp32_tflops",
            "tf32_tflops", "bf16_tflops", "fp16_tflops", "fp8_tflops", "int8_tops", "tdp_w",
            *_PROVENANCE,
        ),
        key=("accelerator",),
        numeric=(
            "memory_gib", "memory_bandwidth_gbps", "fp32_tflops", "tf32_tflops", "bf16_tflops",
            "fp16_tflops", "fp8_tflops", "int8_tops", "tdp_w",
        ),
        optional=(
            "memory_bandwidth_gbps", "fp32_tflops", "tf32_tflops", "bf16_tflops", "fp16_tflops",
            "fp8_tflops", "int8_tops", "tdp_w",
        ),
        description="Chip datasheets and vendor docs (per-row source)",
    ),
    "compute_rates": TableSpec(
        file="compute_rates.csv",
        columns=(
            "region", "instance_type", "purchase_option", "term_years", "offering_class",
            "payment_option", "plan_type", "upfront_usd", "hourly_usd", "effective_hourly_usd",
            *_PROVENANCE,
        ),
        key=(
            "region", "instance_type", "purchase_option", "term_years", "offering_class",
            "payment_option", "plan_type",
        ),
        numeric=("term_years", "upfront_usd", "hourly_usd", "effective_hourly_usd"),
        optional=("upfront_usd", "hourly_usd"),
        allowed={
            "purchase_option": frozenset({"on_demand", "reserved", "savings_plan", "spot"}),
            "offering_class": frozenset({"", "standard", "convertible"}),
            "payment_option": frozenset({"", "no_upfront", "partial_upfront", "all_upfront"}),
            "plan_type": frozenset({"", "compute", "ec2_instance"}),
        },
        description="AWS Price List (on-demand, reserved, spot average), Linux, shared tenancy",
        # upfront_usd and hourly_usd are both empty on a reserved row whose source gives only the
        # effective rate (the upfront/hourly split is unknown); the loader allows nothing else.
    ),
    "spot_advisor": TableSpec(
        file="spot_advisor.csv",
        columns=(
            "region", "instance_type", "savings_pct_vs_on_demand", "interruption_bucket",
            "interruption_max_pct", *_PROVENANCE,
        ),
        key=("region", "instance_type"),
        numeric=("savings_pct_vs_on_demand", "interruption_max_pct"),
        allowed={"interruption_bucket": frozenset({"<5%", "5-10%", "10-15%", "15-20%", ">20%"})},
        description="AWS Spot Instance Advisor feed (Linux)",
    ),
    "spot_price_samples": TableSpec(
        file="spot_price_samples.csv",
        columns=(
            "region", "instance_type", "spot_min_usd_per_hour", "spot_max_usd_per_hour",
            "spot_mean_usd_per_hour", "availability_zones", *_PROVENANCE,
        ),
        key=("region", "instance_type"),
        numeric=(
            "spot_min_usd_per_hour", "spot_max_usd_per_hour", "spot_mean_usd_per_hour",
            "availability_zones",
        ),
        description="Per-AZ spot price sample (SkyPilot-format catalog)",
    ),
    "storage_rates": TableSpec(
        file="storage_rates.csv",
        columns=(
            "region", "service", "storage_class", "dimension", "unit", "tier_begin", "tier_end",
            "price_usd", *_PROVENANCE,
        ),
        key=("region", "service", "storage_class", "dimension", "tier_begin"),
        numeric=("tier_begin", "tier_end", "price_usd"),
        unbounded=("tier_end",),
        allowed={"service": frozenset({"s3", "ebs", "efs"})},
        description="AWS S3/EFS pricing-page feeds; EBS from third-party copies of AWS prices",
    ),
    "data_transfer_rates": TableSpec(
        file="data_transfer_rates.csv",
        columns=(
            "transfer_type", "from_region", "to_region", "unit", "tier_begin", "tier_end",
            "price_usd", *_PROVENANCE,
        ),
        key=("transfer_type", "from_region", "to_region", "tier_begin"),
        numeric=("tier_begin", "tier_end", "price_usd"),
        unbounded=("tier_end",),
        allowed={
            "transfer_type": frozenset(
                {"internet_out", "internet_in", "inter_region_out", "internet_out_free_allowance"}
            )
        },
        description="AWS pricing-page data-transfer feed (EC2 and S3 alike)",
    ),
    "sagemaker_rates": TableSpec(
        file="sagemaker_rates.csv",
        columns=("region", "instance_type", "component", "hourly_usd", *_PROVENANCE),
        key=("region", "instance_type", "component"),
        numeric=("hourly_usd",),
        patterns={
            "instance_type": r"ml\.[a-z0-9][a-z0-9-]*\.[a-z0-9-]+",
            "component": SAGEMAKER_COMPONENT_PATTERN,
        },
        description="Amazon SageMaker on-demand price per instance-hour [USD/h] by component",
    ),
}

OPTIONAL_TABLES = frozenset({"data_transfer_rates", "sagemaker_rates"})
"""Tables a snapshot may lack (not listed in its manifest): they load as empty tables, and every
price they would hold is "not in snapshot"."""
