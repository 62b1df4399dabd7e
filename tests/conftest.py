"""Suite-wide fixtures: the plan store and the record of hashed snapshot files never touch the
user's folders during tests, and PostgreSQL for the store tests.

- Every test process gets ``PLANNER_DB_URL`` = a SQLite file in a temporary folder (the app and the
  CLI under test save there), unless a test sets its own; and ``PLANNER_CACHE_DIR`` = a temporary
  folder (:mod:`planner.catalog.trust` keeps its record there).
- ``pg_server`` is a real PostgreSQL server: ``PLANNER_TEST_PG_URL`` when set (``.ci/run`` starts
  one), else a throwaway cluster started here with ``scripts/pg_throwaway.sh`` when Debian's
  postgresql is installed, else the PostgreSQL tests are skipped, saying why. With ``CI=true`` a
  missing server fails them instead.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_ENV = "PLANNER_TEST_PG_URL"


@pytest.fixture(scope="session", autouse=True)
def _store_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    folder = tmp_path_factory.mktemp("plan-store")
    settings = {
        "PLANNER_DB_URL": f"sqlite:///{folder / 'plans.db'}",
        "PLANNER_CACHE_DIR": str(tmp_path_factory.mktemp("planner-cache")),
    }
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    yield
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's database the tests may create databases from."""
    url = os.environ.get(PG_ENV)
    if url:
        yield url
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{PG_ENV} is not set: .ci/run must start PostgreSQL for the store tests")
    folder = Path(tempfile.mkdtemp(prefix="planner-pg-")) / "cluster"
    script = ROOT / "scripts" / "pg_throwaway.sh"
    started = subprocess.run(["bash", str(script), "start", str(folder)], capture_output=True,
                             text=True, timeout=120, env={**os.environ, "PG_TEST_PORT": "54331"})
    if started.returncode != 0:
        subprocess.run(["bash", str(script), "stop", str(folder)], capture_output=True, timeout=60)
        reason = (started.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"no PostgreSQL server: {PG_ENV} is unset and none could be started "
                    f"({reason}); apt-get install postgresql, or set {PG_ENV}")
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run(["bash", str(script), "stop", str(folder)], capture_output=True, timeout=60)


def fresh_pg_database(server_url: str) -> str:
    """Create an empty database on the server; returns its URL (dropped with the server)."""
    import psycopg
    from sqlalchemy import make_url

    url = make_url(server_url)
    name = f"t_{uuid.uuid4().hex[:12]}"
    host = url.query.get("host")
    params = {"host": host if isinstance(host, str) else url.host, "port": url.port or
              int(str(url.query.get("port", 5432))), "user": url.username, "dbname": url.database}
    if url.password:
        params["password"] = url.password
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None},
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty plan-store database: a SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return fresh_pg_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Bytes the app hands to Streamlit's media storage (download buttons), by their URL."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
        file_id = original(self, path_or_data, mimetype, kind, filename)
        files[self.get_url(file_id)] = self.get_file(file_id).content
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return files
