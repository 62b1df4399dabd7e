"""The ``sagemaker_rates`` table: loader rules, look-up and ``planner prices`` for ``ml.*`` types."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from planner.catalog import load_catalog
from planner.catalog.query import sagemaker_rate
from planner.catalog.schema import TABLES
from planner.cli.main import main
from planner.errors import SnapshotSchemaError
from tests.test_catalog_loader import _replace_cell, _rewrite

SNAPSHOT = Path(__file__).resolve().parents[1] / "pricing_data"


@pytest.fixture()
def snapshot_copy(tmp_path: Path) -> Path:
    target = tmp_path / "pricing_data"
    shutil.copytree(SNAPSHOT, target)
    return target


def test_columns_are_the_agreed_names() -> None:
    # SageMaker plan items read these exact names.
    assert TABLES["sagemaker_rates"].columns == (
        "region", "instance_type", "component", "hourly_usd", "as_of", "source",
    )


def test_embedded_notebook_price_and_gaps() -> None:
    catalog = load_catalog()
    # AWS SageMaker pricing feed (2025-06-16), us-east-1 ml.p3.2xlarge Studio notebook $3.825/h.
    rate = sagemaker_rate(catalog, "us-east-1", "ml.p3.2xlarge", "notebook")
    assert rate is not None and rate.hourly_usd == 3.825 and rate.as_of == "2025-06-16"
    # The reference has no on-demand training price: absent, not guessed.
    assert sagemaker_rate(catalog, "us-east-1", "ml.p3.2xlarge", "training") is None


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (1, "p3.2xlarge", "column 'instance_type', row 1: 'p3.2xlarge' does not match"),
        (2, "Training", "column 'component', row 1: 'Training' does not match"),
        (3, "-1", "column 'hourly_usd', row 1"),
        (4, "", "column 'as_of', row 1: empty"),
    ],
)
def test_loader_names_the_bad_cell(snapshot_copy: Path, column: int, value: str, expected: str) -> None:
    _rewrite(
        snapshot_copy, "sagemaker_rates.csv",
        lambda lines: [lines[0], _replace_cell(lines[1], column, value), *lines[2:]],
    )
    with pytest.raises(SnapshotSchemaError, match=expected.replace("(", r"\(")):
        load_catalog(snapshot_copy)


def test_a_snapshot_without_the_table_loads_it_empty(snapshot_copy: Path) -> None:
    # a snapshot written before SageMaker prices existed: every ml.* price is "not in snapshot"
    manifest = json.loads((snapshot_copy / "manifest.json").read_text())
    del manifest["tables"]["sagemaker_rates"]
    (snapshot_copy / "manifest.json").write_text(json.dumps(manifest))
    (snapshot_copy / "sagemaker_rates.csv").unlink()
    catalog = load_catalog(snapshot_copy)
    assert catalog.sagemaker_rates.empty
    assert list(catalog.sagemaker_rates.columns)[:4] == [
        "region", "instance_type", "component", "hourly_usd",
    ]


def test_prices_cli_lists_components(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["prices", "--instance", "ml.p3.2xlarge", "--region", "us-east-1", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(r["component"], r["hourly_usd"]) for r in out["sagemaker_prices"]] == [("notebook", 3.825)]


def test_prices_cli_table_has_a_component_column(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: no header wraps
    assert main(["prices", "--family", "ml.p4d", "--region", "us-east-1"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split()
    assert header == ["region", "instance_type", "component", "hourly_usd", "as_of", "source"]


def test_prices_cli_unknown_sagemaker_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "--instance", "ml.p3.2xlarg"]) != 0
    err = capsys.readouterr().err
    assert "unknown SageMaker instance type 'ml.p3.2xlarg'; did you mean ml.p3.2xlarge" in err
    assert "Traceback" not in err
