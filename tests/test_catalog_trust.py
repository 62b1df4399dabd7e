"""The record of hashed snapshot CSVs: an unchanged CSV is hashed once, an edited one always."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from planner.catalog import load_catalog, trust
from planner.catalog import loader as loader_module
from planner.catalog.schema import TABLES
from planner.errors import SnapshotSchemaError

SNAPSHOT = Path(__file__).resolve().parents[1] / "pricing_data"
HOUR_NS = 3600 * 10**9

pytestmark = pytest.mark.skipif(not trust.ENABLED, reason="the record is kept on POSIX only")


@pytest.fixture()
def snapshot_copy(tmp_path: Path) -> Path:
    """A snapshot whose CSVs are all newer than their columnar copies (as after a checkout)."""
    target = tmp_path / "pricing_data"
    shutil.copytree(SNAPSHOT, target)
    for path in target.glob("*.arrow"):
        old = path.with_suffix(".csv").stat().st_mtime_ns - HOUR_NS
        os.utime(path, ns=(old, old))
    return target


@pytest.fixture()
def record_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(trust.CACHE_DIR_ENV, str(folder))
    return folder


@pytest.fixture()
def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash as if an hour after the files were written (they are not "racily" new)."""
    monkeypatch.setattr(trust, "_now_ns", lambda: time.time_ns() + HOUR_NS)


@pytest.fixture()
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sizes of the files the loader hashes [bytes]."""
    sizes: list[int] = []

    class Counting:
        @staticmethod
        def sha256(data: bytes):  # type: ignore[no-untyped-def]
            sizes.append(len(data))
            return hashlib.sha256(data)

    monkeypatch.setattr(loader_module, "hashlib", Counting)
    return sizes


def test_an_unchanged_csv_is_hashed_once(
    snapshot_copy: Path, record_dir: Path, later: None, hashed: list[int]
) -> None:
    load_catalog(snapshot_copy)
    assert len(hashed) == len(TABLES)  # every CSV is newer than its copy
    record = json.loads((record_dir / trust.RECORD_FILE).read_text())
    assert len(record["files"]) == len(TABLES)
    hashed.clear()
    load_catalog(snapshot_copy)
    assert hashed == []


def test_an_edit_after_hashing_is_still_caught(
    snapshot_copy: Path, record_dir: Path, later: None
) -> None:
    load_catalog(snapshot_copy)
    path = snapshot_copy / "storage_rates.csv"
    stat = path.stat()
    text = path.read_text()
    path.write_text(text.replace("0.023", "0.001", 1))  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and its old modification time
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    with pytest.raises(SnapshotSchemaError, match="storage_rates.csv: sha256 does not match"):
        load_catalog(snapshot_copy)


def test_a_replaced_file_is_hashed_again(
    snapshot_copy: Path, record_dir: Path, later: None, hashed: list[int]
) -> None:
    load_catalog(snapshot_copy)
    path = snapshot_copy / "accelerators.csv"
    shutil.copy2(path, path.with_suffix(".tmp"))  # the same bytes and times, another inode
    os.replace(path.with_suffix(".tmp"), path)
    hashed.clear()
    load_catalog(snapshot_copy)
    assert hashed == [path.stat().st_size]


def test_the_manifest_decides_which_hash_is_expected(
    snapshot_copy: Path, record_dir: Path, later: None
) -> None:
    load_catalog(snapshot_copy)
    manifest_path = snapshot_copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["accelerators"]["sha256"] = "0" * 64  # the recorded hash no longer vouched
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(SnapshotSchemaError, match="accelerators.csv: sha256 does not match"):
        load_catalog(snapshot_copy)


def test_a_file_changed_just_before_it_was_hashed_is_not_recorded(
    snapshot_copy: Path, record_dir: Path, hashed: list[int]
) -> None:
    load_catalog(snapshot_copy)  # the copied CSVs changed a moment ago: an edit could hide
    assert not (record_dir / trust.RECORD_FILE).exists()
    hashed.clear()
    load_catalog(snapshot_copy)
    assert len(hashed) == len(TABLES)


@pytest.mark.parametrize("content", ["{not json", "[]", '{"version": 1, "files": []}',
                                     '{"version": 99, "files": {}}'])
def test_a_broken_record_is_ignored(
    snapshot_copy: Path, record_dir: Path, later: None, hashed: list[int], content: str
) -> None:
    record_dir.mkdir()
    (record_dir / trust.RECORD_FILE).write_text(content)
    load_catalog(snapshot_copy)
    assert len(hashed) == len(TABLES)
    assert json.loads((record_dir / trust.RECORD_FILE).read_text())["version"] == 1


def test_an_unwritable_record_only_costs_time(
    snapshot_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, later: None,
    hashed: list[int],
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(trust.CACHE_DIR_ENV, str(blocker / "cache"))  # cannot be a folder
    load_catalog(snapshot_copy)
    load_catalog(snapshot_copy)
    assert len(hashed) == 2 * len(TABLES)


def test_no_home_folder_only_costs_time(
    snapshot_copy: Path, monkeypatch: pytest.MonkeyPatch, later: None, hashed: list[int]
) -> None:
    monkeypatch.delenv(trust.CACHE_DIR_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(trust.Path, "home", staticmethod(no_home))
    assert trust.record_path() is None
    load_catalog(snapshot_copy)
    load_catalog(snapshot_copy)
    assert len(hashed) == 2 * len(TABLES)
