"""Build a small in-memory :class:`Catalog` for tests, without files.

``make_catalog(compute_rates=..., storage_rates=..., instance_specs=..., ...)`` takes, per table,
a DataFrame or an iterable of row dicts with the columns of ``planner/catalog/schema.py`` TABLES.
Columns a row leaves out get neutral values: ``as_of``/``source`` a test date and label, other
numeric columns NaN (``tier_begin`` 0, ``tier_end`` inf), text columns "". Tables not given are
empty with the right columns. ``storage_row(...)`` builds one storage price row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from planner.catalog.loader import Catalog, TableInfo
from planner.catalog.schema import TABLES

AS_OF = "2025-06-05"
SOURCE = "storage test fixture"
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
) -> Catalog:
    """A :class:`Catalog` built directly from the given rows (no files, no manifest)."""
    given = {
        "compute_rates": compute_rates,
        "storage_rates": storage_rates,
        "instance_specs": instance_specs,
        "accelerators": accelerators,
        "spot_advisor": spot_advisor,
        "spot_price_samples": spot_price_samples,
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
