"""Row helpers for the lifecycle, S3 lifecycle and right-sizing tests' tiny Catalogs.

Only the columns the code under test reads need real values; ``tests/storage_fixtures.py`` fills
the rest with neutral defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import storage_fixtures

from planner.catalog.loader import Catalog


def spec_row(
    instance_type: str, vcpu: int, memory_gib: float, *, accelerator_kind: str = "",
    accelerator: str = "", accelerator_count: int = 0, accelerator_memory_gib_total: float = 0.0,
    architecture: str = "x86_64", current_generation: str = "true",
) -> dict[str, Any]:
    family, _, size = instance_type.partition(".")
    return {
        "instance_type": instance_type, "family": family, "size": size, "vcpu": vcpu,
        "memory_gib": memory_gib, "architecture": architecture,
        "accelerator_kind": accelerator_kind, "accelerator": accelerator,
        "accelerator_count": accelerator_count,
        "accelerator_memory_gib_total": accelerator_memory_gib_total,
        "network_gbps": 10.0, "network_performance": "10 Gigabit", "efa_supported": "false",
        "local_storage_gb": 0.0,
        "current_generation": current_generation,
    }


def on_demand(region: str, instance_type: str, usd_per_hour: float) -> dict[str, Any]:
    return {
        "region": region, "instance_type": instance_type, "purchase_option": "on_demand",
        "term_years": 0, "upfront_usd": 0.0, "hourly_usd": usd_per_hour,
        "effective_hourly_usd": usd_per_hour,
    }


def spot(region: str, instance_type: str, usd_per_hour: float) -> dict[str, Any]:
    row = on_demand(region, instance_type, usd_per_hour)
    row["purchase_option"] = "spot"
    return row


def reserved(
    region: str, instance_type: str, term_years: int, upfront_usd: float, hourly_usd: float = 0.0,
    *, payment: str = "all_upfront", offering_class: str = "standard",
) -> dict[str, Any]:
    effective = (upfront_usd + hourly_usd * 8760 * term_years) / (8760 * term_years)
    return {
        "region": region, "instance_type": instance_type, "purchase_option": "reserved",
        "term_years": term_years, "offering_class": offering_class, "payment_option": payment,
        "upfront_usd": upfront_usd, "hourly_usd": hourly_usd, "effective_hourly_usd": effective,
    }


def storage(
    region: str, service: str, storage_class: str, dimension: str, price_usd: float,
    *, unit: str = "GB-month", tier_begin: float = 0.0, tier_end: float = float("inf"),
) -> dict[str, Any]:
    return {
        "region": region, "service": service, "storage_class": storage_class,
        "dimension": dimension, "unit": unit, "tier_begin": tier_begin, "tier_end": tier_end,
        "price_usd": price_usd,
    }


def make_catalog(
    *, specs: Iterable[Mapping[str, Any]] = (), rates: Iterable[Mapping[str, Any]] = (),
    advisor: Iterable[Mapping[str, Any]] = (), storage_rates: Iterable[Mapping[str, Any]] = (),
    accelerators: Iterable[Mapping[str, Any]] = (),
) -> Catalog:
    """A tiny Catalog from row dicts (``storage_fixtures.make_catalog`` fills the other columns)."""
    return storage_fixtures.make_catalog(
        instance_specs=list(specs), compute_rates=list(rates), spot_advisor=list(advisor),
        storage_rates=list(storage_rates), accelerators=list(accelerators),
    )
