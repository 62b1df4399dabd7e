"""Build a small in-memory :class:`Catalog` for tests, without files, and its rows.

``make_catalog(compute_rates=..., storage_rates=..., instance_specs=..., ...)`` takes, per table,
a DataFrame or an iterable of row dicts with the columns of ``planner/catalog/schema.py`` TABLES.
Columns a row leaves out get neutral values: ``as_of``/``source`` a test date and label, other
numeric columns NaN (``tier_begin`` 0, ``tier_end`` inf), text columns "". Tables not given are
empty with the right columns. ``spec_row``, ``on_demand``, ``spot``, ``reserved``,
``savings_plan`` and ``storage_row`` build one row each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from planner.billing import reserved_effective_hourly
from planner.catalog.loader import Catalog, TableInfo
from planner.catalog.schema import TABLES

AS_OF = "2025-06-05"
SOURCE = "test fixture"
INF = float("inf")

_DEFAULTS: dict[str, Any] = {"tier_begin": 0.0, "tier_end": INF}

TableInput = pd.DataFrame | Iterable[Mapping[str, Any]] | None


def frame(table: str, rows: TableInput = None) -> pd.DataFrame:
    """A DataFrame of ``table`` with exactly the schema's columns, numeric columns as float."""
    spec = TABLES[table]
    if rows is None:
        records: list[dict[str, Any]] = []
    elif isinstance(rows, pd.DataFrame):
        records = rows.to_dict("records")
    else:
        records = [dict(row) for row in rows]
    filled = []
    for row in records:
        unknown = set(row) - set(spec.columns)
        if unknown:
            raise KeyError(f"{table}: unknown column(s) {sorted(unknown)}")
        record: dict[str, Any] = {}
        for column in spec.columns:
            if column in row:
                record[column] = row[column]
            elif column == "as_of":
                record[column] = AS_OF
            elif column == "source":
                record[column] = SOURCE
            elif column in spec.numeric:
                record[column] = _DEFAULTS.get(column, float("nan"))
            else:
                record[column] = ""
        filled.append(record)
    result = pd.DataFrame(filled, columns=list(spec.columns))
    for column in spec.columns:
        if column in spec.numeric:
            result[column] = result[column].astype(float)
        else:
            result[column] = result[column].astype(object)
    return result


def make_catalog(
    *,
    compute_rates: TableInput = None,
    storage_rates: TableInput = None,
    instance_specs: TableInput = None,
    accelerators: TableInput = None,
    spot_advisor: TableInput = None,
    spot_price_samples: TableInput = None,
    sagemaker_rates: TableInput = None,
) -> Catalog:
    """A :class:`Catalog` built directly from the given rows (no files, no manifest)."""
    given = {
        "compute_rates": compute_rates,
        "storage_rates": storage_rates,
        "instance_specs": instance_specs,
        "accelerators": accelerators,
        "spot_advisor": spot_advisor,
        "spot_price_samples": spot_price_samples,
        "sagemaker_rates": sagemaker_rates,
    }
    frames = {name: frame(name, rows) for name, rows in given.items()}
    tables = {
        name: TableInfo(
            name=name, file=TABLES[name].file, rows=len(df), sha256="", as_of=AS_OF,
            as_of_oldest=AS_OF, origin="test", source=SOURCE,
        )
        for name, df in frames.items()
    }
    return Catalog(
        data_dir=Path("."),
        tables=tables,
        sources={SOURCE: SOURCE},
        **frames,
    )


def storage_row(
    service: str,
    storage_class: str,
    dimension: str,
    price_usd: float,
    *,
    region: str = "us-east-1",
    unit: str = "GB-month",
    tier_begin: float = 0.0,
    tier_end: float = INF,
    as_of: str = AS_OF,
    source: str = SOURCE,
) -> dict[str, Any]:
    """One row of the storage_rates table."""
    return {
        "region": region, "service": service, "storage_class": storage_class,
        "dimension": dimension, "unit": unit, "tier_begin": tier_begin, "tier_end": tier_end,
        "price_usd": price_usd, "as_of": as_of, "source": source,
    }


def spec_row(
    instance_type: str, vcpu: int, memory_gib: float, *, accelerator_kind: str = "",
    accelerator: str = "", accelerator_count: int = 0, accelerator_memory_gib_total: float = 0.0,
    network_gbps: float = 10.0, architecture: str = "x86_64", current_generation: str = "true",
) -> dict[str, Any]:
    """One row of instance_specs."""
    family, _, size = instance_type.partition(".")
    return {
        "instance_type": instance_type, "family": family, "size": size, "vcpu": vcpu,
        "memory_gib": memory_gib, "architecture": architecture,
        "accelerator_kind": accelerator_kind, "accelerator": accelerator,
        "accelerator_count": accelerator_count,
        "accelerator_memory_gib_total": accelerator_memory_gib_total,
        "network_gbps": network_gbps, "network_performance": f"{network_gbps:g} Gigabit",
        "efa_supported": "false", "local_storage_gb": 0.0, "current_generation": current_generation,
    }


def on_demand(region: str, instance_type: str, usd_per_hour: float) -> dict[str, Any]:
    """One on-demand compute_rates row."""
    return {
        "region": region, "instance_type": instance_type, "purchase_option": "on_demand",
        "term_years": 0, "upfront_usd": 0.0, "hourly_usd": usd_per_hour,
        "effective_hourly_usd": usd_per_hour,
    }


def spot(region: str, instance_type: str, usd_per_hour: float) -> dict[str, Any]:
    """One spot compute_rates row."""
    return {**on_demand(region, instance_type, usd_per_hour), "purchase_option": "spot"}


def reserved(
    region: str, instance_type: str, term_years: int, upfront_usd: float, hourly_usd: float = 0.0,
    *, payment: str = "all_upfront", offering_class: str = "standard",
) -> dict[str, Any]:
    """One reserved compute_rates row; its effective rate follows from upfront and hourly."""
    return {
        "region": region, "instance_type": instance_type, "purchase_option": "reserved",
        "term_years": term_years, "offering_class": offering_class, "payment_option": payment,
        "upfront_usd": upfront_usd, "hourly_usd": hourly_usd,
        "effective_hourly_usd": reserved_effective_hourly(upfront_usd, hourly_usd, term_years),
    }


def savings_plan(
    region: str, instance_type: str, usd_per_hour: float, *, term_years: int = 1,
    payment: str = "no_upfront", plan_type: str = "compute",
) -> dict[str, Any]:
    """One savings-plan compute_rates row (plan rate per instance-hour)."""
    return {
        "region": region, "instance_type": instance_type, "purchase_option": "savings_plan",
        "term_years": term_years, "payment_option": payment, "plan_type": plan_type,
        "upfront_usd": 0.0, "hourly_usd": usd_per_hour, "effective_hourly_usd": usd_per_hour,
    }
