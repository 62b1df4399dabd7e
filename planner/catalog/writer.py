"""Write snapshot tables and ``manifest.json`` in the layout :mod:`planner.catalog.loader` reads.

Used by ``scripts/build_snapshot.py`` (the embedded snapshot) and by :mod:`planner.refresh` (a
live refresh). Numbers are written by :func:`format_number` (at most 10 decimals, no trailing
zeros) so the same price always gives the same bytes, and the manifest records per table its row
count, sha256, newest and oldest ``as_of`` date, origin (``embedded`` or ``refresh``) and source.
:func:`write_columnar_copies` then validates the written CSVs once and adds the fast columnar copy
of each table (:mod:`planner.catalog.columnar`), recorded in the manifest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from planner.catalog.columnar import arrow_bytes, columnar_entry, columnar_file
from planner.catalog.schema import SCHEMA_VERSION, TABLES
from planner.errors import CatalogError

MANIFEST_FILE = "manifest.json"
ORIGIN_EMBEDDED = "embedded"
ORIGIN_REFRESH = "refresh"


def format_number(value: float | None) -> str:
    """A price or quantity as snapshot text: ≤ 10 decimals, trailing zeros dropped; None → ''."""
    if value is None:
        return ""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text or "0"


def table_dates(rows: Iterable[Mapping[str, str]]) -> tuple[str, str]:
    """(newest, oldest) ``as_of`` of dated rows; ``("undated", "undated")`` when none is dated."""
    dates = sorted({r["as_of"] for r in rows if r.get("as_of") and r["as_of"] != "undated"})
    return (dates[-1], dates[0]) if dates else ("undated", "undated")


def write_table(
    out: Path,
    name: str,
    rows: Iterable[dict[str, str]],
    *,
    origin: str = ORIGIN_EMBEDDED,
    source: str | None = None,
) -> dict[str, Any]:
    """Write table ``name`` (columns in schema order) to ``out``; return its manifest entry."""
    spec = TABLES[name]
    rows = list(rows)
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=list(spec.columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = text.getvalue().encode("utf-8")
    (out / spec.file).write_bytes(data)
    newest, oldest = table_dates(rows)
    return {
        "file": spec.file,
        "rows": len(rows),
        "sha256": hashlib.sha256(data).hexdigest(),
        "as_of": newest,
        "as_of_oldest": oldest,
        "origin": origin,
        "source": spec.description if source is None else source,
    }


def read_table_rows(data_dir: Path, name: str) -> list[dict[str, str]]:
    """The rows of one snapshot table as text, exactly as written (no number parsing)."""
    spec = TABLES[name]
    with (data_dir / spec.file).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_manifest(
    out: Path,
    tables: Mapping[str, Mapping[str, Any]],
    *,
    sources: Mapping[str, str],
    built_from: str,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Write ``manifest.json`` (schema version, currency USD, sources, per-table entries)."""
    manifest: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "currency": "USD",
        "built_from": built_from,
        "sources": dict(sources),
    }
    if extra:
        manifest.update(extra)
    manifest["tables"] = {name: dict(entry) for name, entry in tables.items()}
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def write_columnar_copies(out: Path) -> bool:
    """Validate the snapshot in ``out`` from its CSVs (every loader rule) and write the columnar
    copy of each listed table beside its CSV, recording it in ``manifest.json``.

    Returns False and writes nothing when the CSVs do not validate: the snapshot then keeps no
    trusted copy of a changed table, and loading it reports the broken rule from the CSV.
    """
    from planner.catalog.loader import load_catalog, read_manifest

    try:
        catalog = load_catalog(out, columnar=False)
    except CatalogError:
        return False
    manifest = read_manifest(out)
    entries: dict[str, dict[str, Any]] = manifest["tables"]
    for name, info in catalog.tables.items():
        spec = TABLES[name]
        data = arrow_bytes(getattr(catalog, name), spec)
        path = out / columnar_file(spec)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        os.replace(partial, path)
        entries[name]["columnar"] = columnar_entry(spec, data, info.sha256)
    text = json.dumps(manifest, indent=2) + "\n"
    partial = out / (MANIFEST_FILE + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, out / MANIFEST_FILE)
    return True
