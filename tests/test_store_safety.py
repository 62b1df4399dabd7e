"""A store that is corrupt, of a newer schema, foreign, read-only or unreachable: one clear line,
and the database is never modified."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from planner.store import StoreError, StoreSchemaError, StoreUnavailable, open_store
from tests.store_helpers import plan

ROOT = Path(__file__).resolve().parents[1]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_that_is_not_a_database_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "plans.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    before = digest(path)
    with pytest.raises(StoreSchemaError) as caught:
        open_store(f"sqlite:///{path}")
    message = str(caught.value)
    assert message == (
        f"plan store sqlite:///{path} is not a plan database or is damaged (file is not a "
        "database); it was left unchanged: point PLANNER_DB_URL at another database or move the "
        "file away"
    )
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans.db"]  # no journal left behind


def _set_revision(url: str, revision: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def _state(url: str) -> tuple[list[str], list[str], int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tables = sorted(sa.inspect(conn).get_table_names())
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
        count = conn.execute(sa.text("SELECT count(*) FROM plan_versions")).scalar_one()
    engine.dispose()
    return tables, revision, count


def test_a_newer_schema_is_refused_and_not_touched(db_url: str) -> None:
    store = open_store(db_url)
    store.plans.save(plan())
    store.close()
    _set_revision(db_url, "0099_from_the_future")
    before = _state(db_url)
    file_before = digest(Path(db_url.removeprefix("sqlite:///"))) if db_url.startswith("sqlite") else ""
    with pytest.raises(StoreSchemaError, match="has schema revision '0099_from_the_future', newer "
                                               "than this planner knows \\(newest '0001_plans'\\); "
                                               "it was left unchanged"):
        open_store(db_url)
    assert _state(db_url) == before
    if db_url.startswith("sqlite"):
        assert digest(Path(db_url.removeprefix("sqlite:///"))) == file_before


def test_plan_store_tables_without_a_revision_are_not_migrated_over(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE plans (id INTEGER PRIMARY KEY, note TEXT)"))
        conn.execute(sa.text("INSERT INTO plans (id, note) VALUES (1, 'someone else''s')"))
    with pytest.raises(StoreSchemaError, match="has tables named like the plan store's \\(plans\\) "
                                               "but no schema revision"):
        open_store(db_url)
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == ["plans"]
        assert conn.execute(sa.text("SELECT note FROM plans")).scalar_one() == "someone else's"
    engine.dispose()


def test_a_read_only_store_reads_but_refuses_writes_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "plans.db"
    writable = open_store(f"sqlite:///{path}")
    saved = writable.plans.save(plan(), author="Ann")
    writable.close()
    before = digest(path)
    read_only = open_store(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert read_only.plans.get(saved.plan_id).plan == plan()
    with pytest.raises(StoreUnavailable) as caught:
        read_only.plans.save(plan(), plan_id=saved.plan_id, expected_version=1)
    assert str(caught.value) == (
        f"plan store sqlite:///file:{path}?mode=ro&uri=true is read-only; nothing was changed"
    )
    with pytest.raises(StoreUnavailable, match="is read-only"):
        read_only.plans.delete(saved.plan_id)
    read_only.close()
    assert digest(path) == before


def test_a_server_that_is_down_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://planner:secret@/planner?host={tmp_path}&port=5999"
    with pytest.raises(StoreUnavailable) as caught:
        open_store(url)
    message = str(caught.value)
    assert message.startswith(
        f"plan store postgresql+psycopg://planner:***@/planner?host={str(tmp_path).replace('/', '%2F')}"
        "&port=5999 cannot be reached or written (connection ")
    assert message.endswith('.s.PGSQL.5999" failed: No such file or directory); nothing was changed')
    assert "secret" not in message and "\n" not in message


@pytest.mark.parametrize(("url", "problem"), [
    ("not a url", "PLANNER_DB_URL: not a database URL"),
    ("mysql://x@localhost/db", "PLANNER_DB_URL: database 'mysql' is not supported"),
    ("postgresql+psycopg2://x@localhost/db", "PLANNER_DB_URL: use the psycopg 3 driver"),
])
def test_bad_database_urls(url: str, problem: str) -> None:
    with pytest.raises(StoreError, match=problem):
        open_store(url)


def test_the_cli_says_one_line_for_a_corrupt_store(tmp_path: Path) -> None:
    path = tmp_path / "plans.db"
    path.write_bytes(b"\x00garbage" * 64)
    done = subprocess.run(
        [sys.executable, "-m", "planner", "plans", "list", "--db", f"sqlite:///{path}"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("planner plans: error: plan store sqlite:///")
