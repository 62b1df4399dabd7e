"""The snapshot's columnar copies: used when the manifest vouches for them, otherwise the CSV is
read and validated, with the same resulting tables."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from planner.catalog import load_catalog
from planner.catalog import loader as loader_module
from planner.catalog.columnar import arrow_bytes, columnar_entry
from planner.catalog.schema import TABLES
from planner.catalog.writer import write_columnar_copies
from planner.errors import SnapshotSchemaError

SNAPSHOT = Path(__file__).resolve().parents[1] / "pricing_data"


@pytest.fixture(scope="module")
def from_csv() -> dict[str, pd.DataFrame]:
    """Every table as the validating CSV path reads it."""
    catalog = load_catalog(SNAPSHOT, columnar=False)
    return {name: getattr(catalog, name) for name in TABLES}


@pytest.fixture()
def snapshot_copy(tmp_path: Path) -> Path:
    target = tmp_path / "pricing_data"
    shutil.copytree(SNAPSHOT, target)
    return target


@pytest.fixture()
def csv_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CSV files the loader reads (and validates) during a test."""
    seen: list[str] = []
    original = loader_module._read_table

    def spy(path: Path, spec):  # type: ignore[no-untyped-def]
        seen.append(path.name)
        return original(path, spec)

    monkeypatch.setattr(loader_module, "_read_table", spy)
    return seen


def _manifest(data_dir: Path) -> dict:
    return json.loads((data_dir / "manifest.json").read_text())


def _write_manifest(data_dir: Path, manifest: dict) -> None:
    (data_dir / "manifest.json").write_text(json.dumps(manifest))


def _same_tables(catalog, expected: dict[str, pd.DataFrame]) -> None:
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(getattr(catalog, name), frame)


def test_embedded_snapshot_lists_a_copy_of_every_table() -> None:
    tables = _manifest(SNAPSHOT)["tables"]
    for name, entry in tables.items():
        record = entry["columnar"]
        assert record["file"] == TABLES[name].file.replace(".csv", ".arrow")
        assert record["csv_sha256"] == entry["sha256"]
        data = (SNAPSHOT / record["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == record["sha256"]


def test_copies_are_read_when_their_hash_matches(
    snapshot_copy: Path, csv_reads: list[str], from_csv: dict[str, pd.DataFrame]
) -> None:
    catalog = load_catalog(snapshot_copy)
    assert csv_reads == []  # no CSV parsed or re-validated
    _same_tables(catalog, from_csv)  # same values, columns and dtypes as the CSV path


def test_missing_copy_falls_back_to_the_csv(
    snapshot_copy: Path, csv_reads: list[str], from_csv: dict[str, pd.DataFrame]
) -> None:
    (snapshot_copy / "compute_rates.arrow").unlink()
    catalog = load_catalog(snapshot_copy)
    assert csv_reads == ["compute_rates.csv"]
    _same_tables(catalog, from_csv)


def test_corrupt_copy_falls_back_to_the_csv(
    snapshot_copy: Path, csv_reads: list[str], from_csv: dict[str, pd.DataFrame]
) -> None:
    path = snapshot_copy / "storage_rates.arrow"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    (snapshot_copy / "spot_advisor.arrow").write_bytes(b"not arrow at all")
    catalog = load_catalog(snapshot_copy)
    assert sorted(csv_reads) == ["spot_advisor.csv", "storage_rates.csv"]
    _same_tables(catalog, from_csv)
    assert (snapshot_copy / "storage_rates.csv").read_bytes() == (
        SNAPSHOT / "storage_rates.csv"
    ).read_bytes()  # the snapshot itself is untouched


def test_copy_with_a_matching_hash_but_other_columns_is_not_trusted(
    snapshot_copy: Path, csv_reads: list[str], from_csv: dict[str, pd.DataFrame]
) -> None:
    spec = TABLES["accelerators"]
    frame = from_csv["accelerators"].rename(columns={"vendor": "maker"})
    bad_spec = type(spec)(file=spec.file, columns=tuple(frame.columns), key=spec.key,
                          numeric=spec.numeric)
    data = arrow_bytes(frame, bad_spec)
    (snapshot_copy / "accelerators.arrow").write_bytes(data)
    manifest = _manifest(snapshot_copy)
    entry = manifest["tables"]["accelerators"]
    entry["columnar"] = columnar_entry(spec, data, entry["sha256"])
    _write_manifest(snapshot_copy, manifest)
    catalog = load_catalog(snapshot_copy)
    assert csv_reads == ["accelerators.csv"]
    _same_tables(catalog, from_csv)


def test_hash_mismatch_and_wrong_row_count_fall_back(
    snapshot_copy: Path, csv_reads: list[str], from_csv: dict[str, pd.DataFrame]
) -> None:
    manifest = _manifest(snapshot_copy)
    manifest["tables"]["instance_specs"]["columnar"]["sha256"] = "0" * 64
    del manifest["tables"]["accelerators"]["columnar"]
    _write_manifest(snapshot_copy, manifest)
    catalog = load_catalog(snapshot_copy)
    assert sorted(csv_reads) == ["accelerators.csv", "instance_specs.csv"]
    _same_tables(catalog, from_csv)


def test_copy_of_an_older_csv_is_not_used(snapshot_copy: Path, csv_reads: list[str]) -> None:
    """The CSV changed and the manifest vouches for the new CSV: the old copy is stale."""
    path = snapshot_copy / "accelerators.csv"
    lines = path.read_text().splitlines(keepends=True)
    lines = [lines[0], *[line.replace("NVIDIA", "Nvidia") for line in lines[1:]]]
    path.write_text("".join(lines))
    manifest = _manifest(snapshot_copy)
    manifest["tables"]["accelerators"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    _write_manifest(snapshot_copy, manifest)
    catalog = load_catalog(snapshot_copy)
    assert csv_reads == ["accelerators.csv"]
    assert catalog.accelerators["vendor"].str.contains("Nvidia").any()


def test_csv_edited_by_hand_is_still_caught(snapshot_copy: Path) -> None:
    path = snapshot_copy / "storage_rates.csv"
    path.write_text(path.read_text().replace("0.023", "0.001", 1))
    copy = snapshot_copy / "storage_rates.arrow"
    stamp = copy.stat().st_mtime_ns - 10**9
    os.utime(copy, ns=(stamp, stamp))  # the copy is older than the edit
    with pytest.raises(SnapshotSchemaError, match="storage_rates.csv: sha256 does not match"):
        load_catalog(snapshot_copy)


def test_missing_csv_is_an_error_even_with_a_copy(snapshot_copy: Path) -> None:
    (snapshot_copy / "spot_price_samples.csv").unlink()
    with pytest.raises(SnapshotSchemaError, match="spot_price_samples.csv: file is missing"):
        load_catalog(snapshot_copy)


def test_writer_validates_first_and_writes_no_copy_of_a_broken_snapshot(snapshot_copy: Path) -> None:
    before = {p.name: p.read_bytes() for p in snapshot_copy.iterdir()}
    path = snapshot_copy / "accelerators.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([lines[0], lines[1], *lines[1:]]))  # a duplicate key
    manifest = _manifest(snapshot_copy)
    manifest["tables"]["accelerators"]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest["tables"]["accelerators"]["rows"] += 1
    _write_manifest(snapshot_copy, manifest)
    assert write_columnar_copies(snapshot_copy) is False
    assert (snapshot_copy / "accelerators.arrow").read_bytes() == before["accelerators.arrow"]
    with pytest.raises(SnapshotSchemaError, match="accelerators.csv: .*duplicate key"):
        load_catalog(snapshot_copy)  # the stale copy is not trusted: the CSV's error shows


def test_writer_adds_copies_that_the_loader_then_trusts(
    snapshot_copy: Path, csv_reads: list[str], from_csv: dict[str, pd.DataFrame]
) -> None:
    for path in snapshot_copy.glob("*.arrow"):
        path.unlink()
    manifest = _manifest(snapshot_copy)
    for entry in manifest["tables"].values():
        del entry["columnar"]
    _write_manifest(snapshot_copy, manifest)
    assert write_columnar_copies(snapshot_copy) is True
    csv_reads.clear()
    catalog = load_catalog(snapshot_copy)
    assert csv_reads == []
    _same_tables(catalog, from_csv)
    assert (snapshot_copy / "compute_rates.arrow").read_bytes() == (
        SNAPSHOT / "compute_rates.arrow"
    ).read_bytes()  # the same table always gives the same bytes
