"""Columnar copies of the snapshot tables: Arrow IPC files (Feather v2) beside the CSVs.

The CSVs stay the human-readable, diffable source. Each columnar copy holds the same table as the
validated CSV (numeric columns as float64, text as zstd-compressed dictionary-encoded strings) and
is recorded in the table's ``manifest.json`` entry::

    "columnar": {"file": "compute_rates.arrow", "sha256": "<of the .arrow file>",
                 "csv_sha256": "<sha256 of the CSV it was made from>"}

The loader trusts a copy without re-validating it only when its bytes hash to ``sha256`` and
``csv_sha256`` equals the table's own ``sha256`` (the copy was made from the CSV the manifest
vouches for). Anything else — no entry, a missing or unreadable file, another hash, other columns
or types, another row count — makes :func:`read_columnar` return ``None``, and the loader reads
and validates the CSV as it always did.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from planner.catalog.schema import TableSpec

COLUMNAR_SUFFIX = ".arrow"
COMPRESSION = "zstd"
"""Smallest files of the codecs Arrow ships; decoding the snapshot takes a few milliseconds."""


def columnar_file(spec: TableSpec) -> str:
    """File name of a table's columnar copy: ``compute_rates.csv`` → ``compute_rates.arrow``."""
    return spec.file.removesuffix(".csv") + COLUMNAR_SUFFIX


def arrow_bytes(frame: pd.DataFrame, spec: TableSpec) -> bytes:
    """A validated table as Arrow IPC file bytes: columns in schema order, numbers as float64,
    text dictionary-encoded (a few distinct regions, options and sources repeat on every row)."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    arrays = {}
    for column in spec.columns:
        values = frame[column]
        if column in spec.numeric:
            arrays[column] = pa.array(values.to_numpy(dtype=float), type=pa.float64())
        else:
            text = pa.array(values.astype(object).tolist(), type=pa.string())
            arrays[column] = text.dictionary_encode()
    table = pa.table(arrays)
    sink = pa.BufferOutputStream()
    options = ipc.IpcWriteOptions(compression=COMPRESSION)
    with ipc.new_file(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    data: bytes = sink.getvalue().to_pybytes()
    return data


def columnar_entry(spec: TableSpec, data: bytes, csv_sha256: str) -> dict[str, str]:
    """The manifest's record of a columnar copy written as ``data``."""
    return {
        "file": columnar_file(spec),
        "sha256": hashlib.sha256(data).hexdigest(),
        "csv_sha256": csv_sha256,
    }


def read_columnar(
    data_dir: Path, spec: TableSpec, entry: Mapping[str, Any]
) -> pd.DataFrame | None:
    """The table from its columnar copy, or ``None`` when the copy cannot be trusted (see the
    module text): the caller then reads and validates the CSV. Never raises for a bad copy."""
    record = entry.get("columnar")
    if not isinstance(record, Mapping):
        return None
    if record.get("file") != columnar_file(spec) or record.get("csv_sha256") != entry.get("sha256"):
        return None
    try:
        data = (data_dir / columnar_file(spec)).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != record.get("sha256"):
        return None
    return _decode(data, spec, entry.get("rows"))


def _decode(data: bytes, spec: TableSpec, rows: object) -> pd.DataFrame | None:
    """Arrow IPC bytes → the table as the CSV path gives it, or ``None`` when its layout differs."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    try:
        reader = ipc.open_file(pa.py_buffer(data), options=ipc.IpcReadOptions(use_threads=False))
        table = reader.read_all()
        if table.column_names != list(spec.columns) or table.num_rows != rows:
            return None
        fields = []
        for column, field in zip(spec.columns, table.schema, strict=True):
            kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
            if column in spec.numeric:
                if kind != pa.float64():
                    return None
            elif kind != pa.string():
                return None
            fields.append(pa.field(column, kind))
        table = table.cast(pa.schema(fields))
        return table.to_pandas(use_threads=False)
    except (pa.ArrowException, ValueError, TypeError, OSError):
        return None
