"""Price data page: table overview, search, refresh action."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from planner.catalog import default_data_dir, load_catalog
from tests.app_fixtures import assert_clean, errors, open_app
from ui import data

PAGE = "pages/price_data.py"


@pytest.fixture
def at(monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_SESSION_TOKEN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return open_app(PAGE)


def test_overview_lists_every_table_with_dates(at):
    overview = at.dataframe[0].value.set_index("table")
    catalog = load_catalog()
    for name, info in catalog.tables.items():
        assert overview.loc[name, "rows"] == info.rows
        assert overview.loc[name, "as_of"] == info.as_of


def test_search(at):
    at.text_input(key="prices_search").set_value("us-east-1 p4d.24xlarge on_demand").run()
    rows = at.dataframe[1].value
    assert len(rows) == 1
    assert rows.iloc[0]["hourly_usd"] == pytest.approx(21.957642)


def test_an_unsearched_table_sends_its_first_thousand_rows_and_says_so(at):
    rows = at.dataframe[1].value
    total = len(load_catalog().compute_rates)
    assert total > 1000 and len(rows) == 1000
    assert f"{total:,} of {total:,} rows" in [c.value for c in at.caption]
    assert "Showing the first 1,000 rows: narrow the search to see the rest." in [
        c.value for c in at.caption]


def test_no_credentials_offers_the_public_source(at):
    assert_clean(at)
    assert any("No AWS credentials found" in i.value and "public price-list files" in i.value
               for i in at.info)
    assert at.button(key="prices_refresh").label == "Refresh from AWS's public price list"
    assert at.multiselect(key="prices_refresh_tables").value == [
        "compute", "savings_plans", "storage", "sagemaker"]
    assert not errors(at)


def test_stale_tables_are_flagged():
    from datetime import date

    from planner.prices import stale_tables

    catalog = load_catalog()
    # storage_rates' newest row is 2025-06-05: on 2025-09-03 it is 90 days old (not stale), on
    # 2025-09-04 91 days (stale); 2025-06-05 → 2025-09-03 = 25 + 31 + 31 + 3 = 90 days.
    assert catalog.tables["storage_rates"].as_of == "2025-06-05"
    assert "storage_rates" not in [n for n, _a, _d in stale_tables(catalog, date(2025, 9, 3))]
    assert ("storage_rates", "2025-06-05", 91) in stale_tables(catalog, date(2025, 9, 4))


def test_public_refresh_from_the_page(monkeypatch, tmp_path):
    """Without credentials the page refreshes from the public files (a local server here)."""
    from tests.public_price_list import serve

    snapshot = tmp_path / "pricing_data"
    shutil.copytree(default_data_dir(), snapshot)
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("PLANNER_DATA_DIR", str(snapshot))
    with serve() as server:
        monkeypatch.setenv("PLANNER_PRICE_LIST_URL", server.url)
        at = open_app(PAGE)
        at.button(key="prices_refresh").click().run()
    assert_clean(at)
    assert not errors(at)
    # us-east-1: p3.2xlarge on-demand 1 + reserved 12 + savings plans 12, m5.large on-demand 1 = 26
    assert any(s.value.startswith("Snapshot refreshed: compute_rates 26 rows") for s in at.success)
    data.reload_catalog()
    refreshed = load_catalog(snapshot)
    assert refreshed.tables["sagemaker_rates"].origin == "refresh"


def _drop_row(snapshot: Path, table: str, line_start: str) -> None:
    """Rewrite one table of a snapshot copy without the row starting ``line_start``."""
    path = snapshot / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(line_start)]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept), encoding="utf-8")
    manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["tables"][table]
    entry["rows"] -= 1
    entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (snapshot / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_reload_forgets_search_results(tmp_path):
    snapshot = tmp_path / "pricing_data"
    shutil.copytree(default_data_dir(), snapshot)
    query = "us-east-1 p4d.24xlarge on_demand"
    assert len(data.search_table(str(snapshot), "compute_rates", query)) == 1
    # a refresh rewrote the snapshot, here without that one rate
    _drop_row(snapshot, "compute_rates", "us-east-1,p4d.24xlarge,on_demand,")
    data.reload_catalog()
    assert len(data.search_table(str(snapshot), "compute_rates", query)) == 0
