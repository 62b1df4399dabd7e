"""A tiny Catalog for the workload planner tests: four instance types, one region.

Figures are real chip facts (accelerators.csv) with round prices chosen for hand arithmetic:
- p4d.24xlarge: 8 × A100 40GB (312 bf16 TFLOPS, 1555 GB/s), 320 GiB, 400 Gbps; on-demand $32/h,
  spot $10/h (Spot Advisor bucket '<5%'), reserved 1y all upfront $140,160 (= $16/h); no 3y row.
- p3.2xlarge: 1 × V100 16GB (125 fp16, no bf16/fp8), 16 GiB; on-demand $3/h.
- inf2.xlarge: 1 × Inferentia2 (190 bf16, 820 GiB/s), 32 GiB; on-demand $0.76/h.
- m5.large: 2 vCPU, 8 GiB; on-demand $0.096/h, spot $0.04/h with no Spot Advisor row.
"""

from __future__ import annotations

from typing import Any

import storage_fixtures

from planner.catalog.loader import Catalog

REGION = "us-east-1"

A100: dict[str, Any] = {
    "accelerator": "NVIDIA A100 40GB SXM", "vendor": "NVIDIA", "memory_gib": 40.0,
    "memory_bandwidth_gbps": 1555.0, "fp32_tflops": 19.5, "tf32_tflops": 156.0,
    "bf16_tflops": 312.0, "fp16_tflops": 312.0, "int8_tops": 624.0, "tdp_w": 400.0,
}
V100: dict[str, Any] = {
    "accelerator": "NVIDIA V100 16GB", "vendor": "NVIDIA", "memory_gib": 16.0,
    "memory_bandwidth_gbps": 900.0, "fp32_tflops": 15.7, "fp16_tflops": 125.0, "tdp_w": 300.0,
}
INF2: dict[str, Any] = {
    "accelerator": "AWS Inferentia2", "vendor": "AWS", "memory_gib": 32.0,
    "memory_bandwidth_gbps": 820.0, "fp32_tflops": 47.5, "tf32_tflops": 190.0,
    "bf16_tflops": 190.0, "fp16_tflops": 190.0, "fp8_tflops": 190.0, "int8_tops": 380.0,
}


def _spec(
    instance_type: str, vcpu: int, memory_gib: float, kind: str = "", chip: str = "",
    count: int = 0, chip_memory_gib_total: float = 0.0, network_gbps: float = 10.0,
) -> dict[str, Any]:
    family, _, size = instance_type.partition(".")
    return {
        "instance_type": instance_type, "family": family, "size": size, "vcpu": vcpu,
        "memory_gib": memory_gib, "architecture": "x86_64", "accelerator_kind": kind,
        "accelerator": chip, "accelerator_count": count,
        "accelerator_memory_gib_total": chip_memory_gib_total, "network_gbps": network_gbps,
        "network_performance": f"{network_gbps:g} Gigabit", "efa_supported": "false",
        "local_storage_gb": 0.0, "current_generation": "true",
    }


def _rate(
    instance_type: str, option: str, hourly: float, *, term: int = 0, upfront: float = 0.0,
    effective: float | None = None,
) -> dict[str, Any]:
    reserved = option == "reserved"
    return {
        "region": REGION, "instance_type": instance_type, "purchase_option": option,
        "term_years": term, "offering_class": "standard" if reserved else "",
        "payment_option": "all_upfront" if reserved else "", "upfront_usd": upfront,
        "hourly_usd": hourly, "effective_hourly_usd": hourly if effective is None else effective,
    }


def make_workload_catalog(extra_rates: list[dict[str, Any]] | None = None) -> Catalog:
    """The catalog above; ``extra_rates`` are appended to the compute rates."""
    specs = [
        _spec("p4d.24xlarge", 96, 1152.0, "gpu", A100["accelerator"], 8, 320.0, 400.0),
        _spec("p3.2xlarge", 8, 61.0, "gpu", V100["accelerator"], 1, 16.0),
        _spec("inf2.xlarge", 4, 16.0, "inferentia", INF2["accelerator"], 1, 32.0),
        _spec("m5.large", 2, 8.0),
    ]
    rates = [
        _rate("p4d.24xlarge", "on_demand", 32.0),
        _rate("p4d.24xlarge", "spot", 10.0),
        # 140,160 / 8,760 h = $16/h effective
        _rate("p4d.24xlarge", "reserved", 0.0, term=1, upfront=140_160.0, effective=16.0),
        _rate("p3.2xlarge", "on_demand", 3.0),
        _rate("inf2.xlarge", "on_demand", 0.76),
        _rate("m5.large", "on_demand", 0.096),
        _rate("m5.large", "spot", 0.04),
        *(extra_rates or []),
    ]
    advisor = [
        {"region": REGION, "instance_type": "p4d.24xlarge", "savings_pct_vs_on_demand": 69.0,
         "interruption_bucket": "<5%", "interruption_max_pct": 5.0},
    ]
    return storage_fixtures.make_catalog(
        instance_specs=specs, compute_rates=rates, spot_advisor=advisor,
        accelerators=[A100, V100, INF2],
    )
