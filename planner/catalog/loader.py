"""Load and validate the price snapshot (``pricing_data/``) into a :class:`Catalog`.

Validation is strict and names the file, column and first bad row (1-based data row, header not
counted): required columns, numeric columns finite and non-negative, allowed values, unique keys,
every rate's instance type present in the specs, manifest schema version, row counts and sha256.

A table with a trusted columnar copy (:mod:`planner.catalog.columnar`: its sha256 and the CSV's
recorded in ``manifest.json``) is read from that copy, which was validated when it was written;
every other table is read from its CSV and validated here. A CSV changed after its copy was
written (newer modification time) is hashed against the manifest, so a hand edit is still caught;
a CSV already hashed and not changed since (same inode, size, modification and change times, see
:mod:`planner.catalog.trust`) is not hashed again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.catalog.columnar import columnar_file, read_columnar
from planner.catalog.schema import OPTIONAL_TABLES, SCHEMA_VERSION, TABLES, TableSpec
from planner.catalog.trust import HashRecord
from planner.errors import CatalogError, SnapshotSchemaError

DATA_DIR_ENV = "PLANNER_DATA_DIR"
"""Environment variable that points the planner at another snapshot folder."""


def default_data_dir() -> Path:
    """The snapshot folder: ``$PLANNER_DATA_DIR`` or the embedded ``pricing_data/``."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "pricing_data"


@dataclass(frozen=True)
class TableInfo:
    """What the manifest says of one table."""

    name: str
    file: str
    rows: int
    sha256: str
    as_of: str
    as_of_oldest: str
    origin: str
    source: str


@dataclass(frozen=True, eq=False)
class Catalog:
    """The loaded snapshot: one DataFrame per table plus the manifest's table info.

    Compared and hashed by identity, so look-up indexes can be cached per loaded snapshot.
    """

    data_dir: Path
    instance_specs: pd.DataFrame
    accelerators: pd.DataFrame
    compute_rates: pd.DataFrame
    spot_advisor: pd.DataFrame
    spot_price_samples: pd.DataFrame
    storage_rates: pd.DataFrame
    tables: dict[str, TableInfo]
    sources: dict[str, str]
    """Short source citation (as on every row) → full reference, from manifest.json."""
    data_transfer_rates: pd.DataFrame = field(
        default_factory=lambda: empty_table("data_transfer_rates")
    )
    """Optional: per-GB data-transfer rates (internet out with tiers, between regions)."""
    sagemaker_rates: pd.DataFrame = field(default_factory=lambda: empty_table("sagemaker_rates"))
    """Optional: SageMaker on-demand price per instance-hour by component (``ml.*`` types: training,
    hosting, notebook, …) [USD/h]."""

    @cached_property
    def regions(self) -> list[str]:
        """Regions with at least one compute or storage price, sorted (computed once)."""
        return sorted(self.region_set)

    @cached_property
    def region_set(self) -> frozenset[str]:
        return frozenset(self.compute_rates["region"].unique()) | frozenset(
            self.storage_rates["region"].unique()
        )

    @cached_property
    def instance_types(self) -> list[str]:
        """Every instance type with specs, sorted (computed once)."""
        return sorted(self.instance_specs["instance_type"])

    @property
    def as_of(self) -> str:
        """The newest table date: what the UI shows as "prices as of"."""
        dates = [t.as_of for t in self.tables.values() if t.as_of != "undated"]
        return max(dates) if dates else "undated"


def empty_table(name: str) -> pd.DataFrame:
    """An empty table with the columns of ``name`` (numeric columns as float)."""
    spec = TABLES[name]
    return pd.DataFrame(
        {c: pd.Series(dtype=float if c in spec.numeric else object) for c in spec.columns}
    )


def _bad(spec: TableSpec, column: str, mask: pd.Series, problem: str) -> SnapshotSchemaError:
    first = int(np.flatnonzero(mask.to_numpy())[0])
    count = int(mask.sum())
    more = f" ({count} rows in all)" if count > 1 else ""
    return SnapshotSchemaError(f"{spec.file}: column {column!r}, row {first + 1}: {problem}{more}")


def _read_csv(path: Path, spec: TableSpec, *, typed: bool) -> pd.DataFrame:
    """Read one table; ``typed`` parses numeric columns as floats in the C parser (fast path)."""
    dtypes: dict[str, Any] = {c: str for c in spec.columns}
    na_values: dict[str, list[str]] = {}
    if typed:
        for column in spec.numeric:
            dtypes[column] = "float64"
            na_values[column] = [""]
    try:
        return pd.read_csv(
            path, dtype=dtypes, keep_default_na=False, na_values=na_values, engine="c"
        )
    except FileNotFoundError:
        raise SnapshotSchemaError(f"{spec.file}: file is missing from {path.parent}") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SnapshotSchemaError(f"{spec.file}: cannot be read as CSV ({first_line})") from None


def _read_table(path: Path, spec: TableSpec) -> pd.DataFrame:
    try:
        frame = _read_csv(path, spec, typed=True)
    except SnapshotSchemaError:
        raise
    except (ValueError, TypeError):
        frame = _read_csv(path, spec, typed=False)  # slow path, to name the bad cell
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        raise SnapshotSchemaError(f"{spec.file}: missing column(s) {', '.join(missing)}")
    frame = frame[list(spec.columns)]
    for column, allowed in spec.allowed.items():
        bad = ~frame[column].isin(allowed)
        if bad.any():
            raise _bad(
                spec, column, bad,
                f"{frame[column][bad].iloc[0]!r} is not one of {sorted(allowed)}",
            )
    for column, pattern in spec.patterns.items():
        bad = ~frame[column].str.fullmatch(pattern).astype(bool)
        if bad.any():
            raise _bad(spec, column, bad, f"{frame[column][bad].iloc[0]!r} does not match {pattern}")
    for column in spec.numeric:
        frame[column] = _numbers(frame[column], column, spec)
    for column in ("as_of", "source"):
        empty = frame[column].str.strip() == ""
        if empty.any():
            raise _bad(spec, column, empty, "empty; every row must say its date and source")
    dup = frame.duplicated(list(spec.key), keep="first")
    if dup.any():
        key = ", ".join(f"{k}={frame.loc[dup, k].iloc[0]}" for k in spec.key)
        raise _bad(spec, ",".join(spec.key), dup, f"duplicate key ({key})")
    return frame


def _numbers(column_values: pd.Series, column: str, spec: TableSpec) -> pd.Series:
    """A numeric column as floats: text is parsed first (slow path), then one set of checks —
    required, finite unless ``spec.unbounded``, non-negative."""
    values = column_values
    if values.dtype != float:
        text = values.str.strip()
        values = pd.to_numeric(text.where(text != "", "nan"), errors="coerce")
        unparsable = values.isna() & (text != "")
        if unparsable.any():
            raise _bad(spec, column, unparsable, f"{text[unparsable].iloc[0]!r} is not a number")
    empty = values.isna()
    if column not in spec.optional and empty.any():
        raise _bad(spec, column, empty, "empty, a number is required")
    bad = (values < 0) | (np.isinf(values) & (column not in spec.unbounded))
    if bad.any():
        raise _bad(spec, column, bad, f"{column_values[bad].iloc[0]!r} is not a finite, non-negative number")
    return values.astype(float)


def _check_fee_split(rates: pd.DataFrame, reserved: pd.Series) -> None:
    """Empty ``upfront_usd``/``hourly_usd`` means "split unknown": only on a reserved row whose
    source gives the effective rate alone, and then both are empty."""
    spec = TABLES["compute_rates"]
    up, hourly = rates["upfront_usd"].isna(), rates["hourly_usd"].isna()
    half = up != hourly
    if half.any():
        raise _bad(spec, "upfront_usd", half, "upfront_usd and hourly_usd are empty together or not at all")
    unknown_elsewhere = up & ~reserved
    if unknown_elsewhere.any():
        raise _bad(spec, "upfront_usd", unknown_elsewhere, "empty, a number is required (only a "
                   "reserved rate may leave its upfront/hourly split unknown)")


def read_manifest(data_dir: Path) -> dict[str, Any]:
    path = data_dir / "manifest.json"
    if data_dir.exists() and not data_dir.is_dir():
        raise CatalogError(f"no price snapshot at {data_dir}: it is a file, not a folder")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        raise CatalogError(f"no price snapshot at {data_dir} (manifest.json is missing)") from None
    except PermissionError:
        raise CatalogError(f"no price snapshot at {data_dir}: permission denied") from None
    except IsADirectoryError:
        raise SnapshotSchemaError("manifest.json: is a folder, not a file") from None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError, ValueError) as exc:
        raise SnapshotSchemaError(f"manifest.json: not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("schema_version") != SCHEMA_VERSION:
        found = manifest.get("schema_version") if isinstance(manifest, dict) else None
        raise SnapshotSchemaError(
            f"manifest.json: schema_version {found!r}; this planner reads {SCHEMA_VERSION}"
        )
    if manifest.get("currency") != "USD":
        raise SnapshotSchemaError("manifest.json: currency must be 'USD'")
    return manifest


def load_catalog(
    data_dir: Path | None = None, *, verify_hashes: bool = True, columnar: bool = True
) -> Catalog:
    """Read and validate the snapshot at ``data_dir`` (default: :func:`default_data_dir`).

    ``columnar=False`` reads and validates every CSV even where a trusted columnar copy exists
    (how a copy is made). Raises :class:`SnapshotSchemaError` naming file, column and row for any
    broken rule.
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    manifest = read_manifest(data_dir)
    entries = manifest.get("tables")
    if not isinstance(entries, dict):
        raise SnapshotSchemaError("manifest.json: 'tables' must be an object")
    frames: dict[str, pd.DataFrame] = {}
    infos: dict[str, TableInfo] = {}
    validated: set[str] = set()
    hashed = HashRecord() if verify_hashes else None
    for name, spec in TABLES.items():
        entry = entries.get(name)
        if entry is None and name in OPTIONAL_TABLES:
            frames[name] = empty_table(name)
            continue
        if not isinstance(entry, dict):
            raise SnapshotSchemaError(f"manifest.json: table {name!r} is not listed")
        path = data_dir / spec.file
        frame = read_columnar(data_dir, spec, entry) if columnar else None
        if frame is not None:
            if hashed is not None and _changed_since_copy(path, data_dir / columnar_file(spec), spec):
                _check_sha256(path, spec, entry, hashed)
        else:
            if hashed is not None and path.exists():
                _check_sha256(path, spec, entry, hashed)
            frame = _read_table(path, spec)
            if len(frame) != entry.get("rows"):
                raise SnapshotSchemaError(
                    f"{spec.file}: {len(frame)} rows but manifest.json says {entry.get('rows')}"
                )
            validated.add(name)
        frames[name] = frame
        infos[name] = _table_info(name, spec, entry)
    if validated:
        _check_across_tables(frames)
    sources = manifest.get("sources", {})
    if not isinstance(sources, dict):
        raise SnapshotSchemaError("manifest.json: 'sources' must be an object")
    if hashed is not None:
        hashed.save()
    return Catalog(data_dir=data_dir, tables=infos, sources=dict(sources), **frames)


def _check_sha256(path: Path, spec: TableSpec, entry: dict[str, Any], hashed: HashRecord) -> None:
    """Raise unless ``path`` hashes to the manifest's sha256 (skipped when ``hashed`` records
    this very file, unchanged, with that sha256)."""
    expected = entry.get("sha256")
    try:
        before = path.stat()
    except OSError:
        before = None  # reading it raises below, as before
    if before is not None and hashed.verified(path, str(expected), before):
        return
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise SnapshotSchemaError(
            f"{spec.file}: sha256 does not match manifest.json (file edited by hand?)"
        )
    if before is not None:
        hashed.remember(path, digest, before)


def _changed_since_copy(csv_path: Path, copy_path: Path, spec: TableSpec) -> bool:
    """True when the CSV was modified after its columnar copy was written (then it is hashed).
    A missing CSV is an error, as on the CSV path: the CSV is the snapshot's source."""
    try:
        csv_time = csv_path.stat().st_mtime_ns
    except FileNotFoundError:
        raise SnapshotSchemaError(f"{spec.file}: file is missing from {csv_path.parent}") from None
    try:
        return csv_time > copy_path.stat().st_mtime_ns
    except OSError:
        return True


def _table_info(name: str, spec: TableSpec, entry: dict[str, Any]) -> TableInfo:
    try:
        return TableInfo(
            name=name,
            file=spec.file,
            rows=int(entry["rows"]),
            sha256=str(entry["sha256"]),
            as_of=str(entry["as_of"]),
            as_of_oldest=str(entry.get("as_of_oldest", entry["as_of"])),
            origin=str(entry.get("origin", "embedded")),
            source=str(entry.get("source", "")),
        )
    except KeyError as exc:
        raise SnapshotSchemaError(f"manifest.json: table {name!r} lacks {exc}") from None


def _check_across_tables(frames: dict[str, pd.DataFrame]) -> None:
    """Rules that join tables: rates name known instance types; reserved terms and fee splits."""
    known = set(frames["instance_specs"]["instance_type"])
    for name in ("compute_rates", "spot_advisor", "spot_price_samples"):
        spec = TABLES[name]
        unknown = ~frames[name]["instance_type"].isin(known)
        if unknown.any():
            raise _bad(
                spec, "instance_type", unknown,
                f"{frames[name]['instance_type'][unknown].iloc[0]!r} is not in instance_specs.csv",
            )
    rates = frames["compute_rates"]
    reserved = rates["purchase_option"] == "reserved"
    bad_term = ~rates["term_years"].isin([0.0, 1.0, 3.0])
    if bad_term.any():
        raise _bad(TABLES["compute_rates"], "term_years", bad_term, "must be 0, 1 or 3")
    no_term = reserved & (rates["term_years"] == 0)
    if no_term.any():
        raise _bad(TABLES["compute_rates"], "term_years", no_term, "a reserved rate needs a term")
    _check_fee_split(rates, reserved)
