"""Loader tests on broken snapshots: each names the file, column and row."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from planner.catalog import load_catalog
from planner.catalog.loader import DATA_DIR_ENV, default_data_dir
from planner.errors import CatalogError, SnapshotSchemaError

SNAPSHOT = Path(__file__).resolve().parents[1] / "pricing_data"


@pytest.fixture()
def snapshot_copy(tmp_path: Path) -> Path:
    target = tmp_path / "pricing_data"
    shutil.copytree(SNAPSHOT, target)
    return target


def _rewrite(data_dir: Path, file: str, transform) -> None:
    """Edit a table and refresh its sha256/rows in the manifest, so only the edit is wrong."""
    path = data_dir / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = transform(lines)
    path.write_text("".join(lines), encoding="utf-8")
    manifest = json.loads((data_dir / "manifest.json").read_text())
    for entry in manifest["tables"].values():
        if entry["file"] == file:
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
            entry["rows"] = len(lines) - 1
    (data_dir / "manifest.json").write_text(json.dumps(manifest))


def _replace_cell(line: str, column_index: int, value: str) -> str:
    import csv
    import io

    row = next(csv.reader([line]))
    row[column_index] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    return out.getvalue()


def test_snapshot_copy_loads(snapshot_copy: Path) -> None:
    catalog = load_catalog(snapshot_copy)
    assert catalog.data_dir == snapshot_copy  # (the broken-copy tests below show it reads the copy)


def test_env_variable_points_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert default_data_dir() == tmp_path


def test_missing_folder_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="manifest.json is missing"):
        load_catalog(tmp_path)


def test_negative_price_names_file_column_row(snapshot_copy: Path) -> None:
    # compute_rates.csv column 8 is hourly_usd; data row 3 gets -1.
    def edit(lines):
        lines[3] = _replace_cell(lines[3], 8, "-1")
        return lines

    _rewrite(snapshot_copy, "compute_rates.csv", edit)
    with pytest.raises(SnapshotSchemaError, match=r"compute_rates.csv: column 'hourly_usd', row 3"):
        load_catalog(snapshot_copy)


def test_text_in_price_column(snapshot_copy: Path) -> None:
    def edit(lines):
        lines[2] = _replace_cell(lines[2], 7, "free")
        return lines

    _rewrite(snapshot_copy, "compute_rates.csv", edit)
    with pytest.raises(SnapshotSchemaError, match=r"'upfront_usd', row 2: 'free' is not a number"):
        load_catalog(snapshot_copy)


def test_infinite_price_refused(snapshot_copy: Path) -> None:
    def edit(lines):
        lines[1] = _replace_cell(lines[1], 7, "inf")
        return lines

    _rewrite(snapshot_copy, "storage_rates.csv", edit)
    with pytest.raises(SnapshotSchemaError, match=r"storage_rates.csv: column 'price_usd', row 1"):
        load_catalog(snapshot_copy)


def test_duplicate_key(snapshot_copy: Path) -> None:
    _rewrite(snapshot_copy, "spot_advisor.csv", lambda lines: [*lines, lines[1]])
    with pytest.raises(SnapshotSchemaError, match="duplicate key"):
        load_catalog(snapshot_copy)


def test_unknown_instance_type_in_rates(snapshot_copy: Path) -> None:
    def edit(lines):
        lines[1] = _replace_cell(lines[1], 1, "zz9.huge")
        return lines

    _rewrite(snapshot_copy, "compute_rates.csv", edit)
    with pytest.raises(SnapshotSchemaError, match="'zz9.huge' is not in instance_specs.csv"):
        load_catalog(snapshot_copy)


def test_bad_option_value(snapshot_copy: Path) -> None:
    def edit(lines):
        lines[1] = _replace_cell(lines[1], 2, "lease")
        return lines

    _rewrite(snapshot_copy, "compute_rates.csv", edit)
    with pytest.raises(SnapshotSchemaError, match="'purchase_option', row 1: 'lease' is not one of"):
        load_catalog(snapshot_copy)


def test_missing_column(snapshot_copy: Path) -> None:
    def edit(lines):
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in csv.reader(lines):
            writer.writerow(row[:-1])  # drop the last column, "source"
        return out.getvalue().splitlines(keepends=True)

    _rewrite(snapshot_copy, "accelerators.csv", edit)
    with pytest.raises(SnapshotSchemaError, match=r"accelerators.csv: missing column\(s\) source"):
        load_catalog(snapshot_copy)


def test_hand_edit_detected_by_sha256(snapshot_copy: Path) -> None:
    path = snapshot_copy / "storage_rates.csv"
    path.write_text(path.read_text().replace("0.023", "0.001", 1))
    with pytest.raises(SnapshotSchemaError, match="sha256 does not match"):
        load_catalog(snapshot_copy)


def test_truncated_file(snapshot_copy: Path) -> None:
    _rewrite(snapshot_copy, "instance_specs.csv", lambda lines: [*lines[:1], lines[1][:30] + "\n"])
    with pytest.raises(SnapshotSchemaError, match="instance_specs.csv"):
        load_catalog(snapshot_copy)


def test_wrong_schema_version(snapshot_copy: Path) -> None:
    manifest = json.loads((snapshot_copy / "manifest.json").read_text())
    manifest["schema_version"] = 99
    (snapshot_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotSchemaError, match="schema_version 99; this planner reads 1"):
        load_catalog(snapshot_copy)


def test_malformed_manifest(snapshot_copy: Path) -> None:
    (snapshot_copy / "manifest.json").write_text("{not json")
    with pytest.raises(SnapshotSchemaError, match="manifest.json: not valid JSON"):
        load_catalog(snapshot_copy)


def test_empty_source_refused(snapshot_copy: Path) -> None:
    def edit(lines):
        lines[1] = _replace_cell(lines[1], 11, "")
        return lines

    _rewrite(snapshot_copy, "compute_rates.csv", edit)
    with pytest.raises(SnapshotSchemaError, match="'source', row 1: empty"):
        load_catalog(snapshot_copy)


def test_fee_split_is_unknown_on_both_or_neither(snapshot_copy: Path) -> None:
    # a Partial Upfront row with only the hourly fee emptied: upfront without hourly is refused
    def transform(lines: list[str]) -> list[str]:
        out = list(lines)
        i = next(n for n, line in enumerate(out) if ",reserved,1,convertible,partial_upfront,,,," in line)
        out[i] = out[i].replace(",partial_upfront,,,,", ",partial_upfront,,100,,", 1)
        return out

    _rewrite(snapshot_copy, "compute_rates.csv", transform)
    with pytest.raises(SnapshotSchemaError, match="upfront_usd and hourly_usd are empty together"):
        load_catalog(snapshot_copy)


def test_fee_split_unknown_only_on_reserved_rows(snapshot_copy: Path) -> None:
    def transform(lines: list[str]) -> list[str]:
        i = next(n for n, line in enumerate(lines) if ",on_demand,0,,,," in line)
        row = lines[i].split(",")
        row[7] = row[8] = ""  # upfront_usd, hourly_usd of an on-demand rate
        return [*lines[:i], ",".join(row), *lines[i + 1:]]

    _rewrite(snapshot_copy, "compute_rates.csv", transform)
    with pytest.raises(SnapshotSchemaError, match="only a reserved rate may leave"):
        load_catalog(snapshot_copy)
