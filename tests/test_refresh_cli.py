"""``planner refresh``: argument errors are one line and exit 2; --rollback works offline."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from planner.cli.main import main

REPO_DATA = Path(__file__).resolve().parents[1] / "pricing_data"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "pricing_data"
    shutil.copytree(REPO_DATA, target)
    return target


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--pricing-region", "us-west-2"], "--pricing-region"),
        (["--days", "0"], "--days"),
        (["--days", "91"], "--days"),
        (["--tables", "compute,gpu"], "--tables"),
        (["--regions", "Frankfurt"], "--regions"),
        (["--families", "P4D!"], "--families"),
    ],
)
def test_bad_arguments_name_the_field(args, field, data_dir, capsys):
    assert main(["refresh", "--data-dir", str(data_dir), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("planner refresh: error: ") and field in err and "\n" not in err


def test_rollback_without_backup_is_one_line(data_dir, capsys):
    assert main(["refresh", "--rollback", "--data-dir", str(data_dir)]) == 2
    assert "no backup snapshot" in capsys.readouterr().err


def test_rollback_restores(data_dir, capsys):
    backup = data_dir.with_name(".pricing_data.backup")
    shutil.copytree(data_dir, backup)
    (data_dir / "manifest.json").write_text("{}")  # the current snapshot is broken
    assert main(["refresh", "--rollback", "--data-dir", str(data_dir)]) == 0
    assert (
        hashlib.sha256((data_dir / "manifest.json").read_bytes()).digest()
        == hashlib.sha256((REPO_DATA / "manifest.json").read_bytes()).digest()
    )
    assert "restored the previous snapshot" in capsys.readouterr().out


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit):
        main(["refresh", "--help"])
    out = capsys.readouterr().out
    for option in (
        "--regions",
        "--families",
        "--tables",
        "--profile",
        "--pricing-region",
        "--days",
        "--rollback",
        "--data-dir",
    ):
        assert option in out
