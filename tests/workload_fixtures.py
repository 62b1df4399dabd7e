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

from planner.catalog.loader import Catalog
from tests.catalog_fixtures import make_catalog, on_demand, reserved, spec_row, spot

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


def make_workload_catalog(extra_rates: list[dict[str, Any]] | None = None) -> Catalog:
    """The catalog above; ``extra_rates`` are appended to the compute rates."""
    specs = [
        spec_row("p4d.24xlarge", 96, 1152.0, accelerator_kind="gpu",
                 accelerator=A100["accelerator"], accelerator_count=8,
                 accelerator_memory_gib_total=320.0, network_gbps=400.0),
        spec_row("p3.2xlarge", 8, 61.0, accelerator_kind="gpu", accelerator=V100["accelerator"],
                 accelerator_count=1, accelerator_memory_gib_total=16.0),
        spec_row("inf2.xlarge", 4, 16.0, accelerator_kind="inferentia",
                 accelerator=INF2["accelerator"], accelerator_count=1,
                 accelerator_memory_gib_total=32.0),
        spec_row("m5.large", 2, 8.0),
    ]
    rates = [
        on_demand(REGION, "p4d.24xlarge", 32.0),
        spot(REGION, "p4d.24xlarge", 10.0),
        # 140,160 / 8,760 h = $16/h effective
        reserved(REGION, "p4d.24xlarge", 1, 140_160.0),
        on_demand(REGION, "p3.2xlarge", 3.0),
        on_demand(REGION, "inf2.xlarge", 0.76),
        on_demand(REGION, "m5.large", 0.096),
        spot(REGION, "m5.large", 0.04),
        *(extra_rates or []),
    ]
    advisor = [
        {"region": REGION, "instance_type": "p4d.24xlarge", "savings_pct_vs_on_demand": 69.0,
         "interruption_bucket": "<5%", "interruption_max_pct": 5.0},
    ]
    return make_catalog(
        instance_specs=specs, compute_rates=rates, spot_advisor=advisor,
        accelerators=[A100, V100, INF2],
    )
