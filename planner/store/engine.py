"""Where the plan store lives, how to connect, and its schema migrations.

The database URL is ``PLANNER_DB_URL`` when set (``postgresql+psycopg://user:pass@host/db`` for a
team server, or any ``sqlite:///path``), else a SQLite file in the user's data folder
(platformdirs). Opening checks the schema before anything is written: a file that is not a
database, a database of something else, or a schema newer than this planner knows is reported in
one line and left untouched; otherwise the Alembic migrations are applied up to the newest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from planner.store.errors import StoreError, StoreSchemaError, StoreUnavailable
from planner.store.tables import metadata

ENV_URL = "PLANNER_DB_URL"
APP_DIR_NAME = "ml-cost-planner"
DB_FILE_NAME = "plans.db"
SQLITE_BUSY_TIMEOUT_S = 30.0
"""How long a SQLite writer waits for another process's write to finish [s]."""
PG_CONNECT_TIMEOUT_S = 5
"""How long to wait for a PostgreSQL server before saying it is down [s]."""
MIGRATION_LOCK_KEY = 7_141_014
"""PostgreSQL advisory-lock key held while migrating, so app processes starting together take
turns (the first migrates, the others find the schema current)."""
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
WRITE = {"sqlite_begin": "IMMEDIATE"}
"""Execution options of a write transaction: on SQLite take the write lock at BEGIN, so two
writers queue instead of failing when one upgrades a read lock."""


def default_url() -> str:
    """A SQLite file in the user's data folder (e.g. ``~/.local/share/ml-cost-planner``)."""
    folder = Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))
    return f"sqlite:///{folder / DB_FILE_NAME}"


def store_url(url: str | None = None) -> str:
    """``url``, else ``PLANNER_DB_URL``, else :func:`default_url`."""
    return url or os.environ.get(ENV_URL) or default_url()


def describe_url(url: str | sa.URL) -> str:
    """The URL with any password hidden, fit for messages and logs."""
    if str(url).startswith("sqlite"):
        return str(url)  # no password to hide; keep the path as written
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return "(unreadable URL)"


def make_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite (its folder created) or PostgreSQL through psycopg 3."""
    try:
        parsed = sa.make_url(url)
    except sa_exc.ArgumentError:
        raise StoreError(
            f"{ENV_URL}: not a database URL; use sqlite:///PATH or "
            "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        if parsed.get_driver_name() != "psycopg":
            raise StoreError(f"{ENV_URL}: use the psycopg 3 driver (postgresql+psycopg://…)")
        return sa.create_engine(
            parsed, pool_pre_ping=True, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S},
        )
    raise StoreError(
        f"{ENV_URL}: database {backend!r} is not supported; use sqlite:///PATH or "
        "postgresql+psycopg://…"
    )


def _sqlite_engine(parsed: sa.URL) -> Engine:
    database = parsed.database or ""
    options: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S}}
    if database in ("", ":memory:"):
        options["poolclass"] = StaticPool
        options["connect_args"]["check_same_thread"] = False
    elif not (str(parsed.query.get("uri", "")).lower() == "true" and database.startswith("file:")):
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(
                f"plan store {database}: cannot create its folder ({exc.strerror})"
            ) from None
    engine = sa.create_engine(parsed, **options)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite would start transactions itself, late and never for DDL; we say BEGIN.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")

    return engine


@contextmanager
def database_errors(where: str) -> Iterator[None]:
    """Turn driver errors into the store's one-line errors; ``where`` names the database."""
    try:
        yield
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:
        raise StoreUnavailable(_unavailable(where, exc)) from None
    except sa_exc.DatabaseError as exc:
        text = _first_line(exc)
        if "read-only" in text or "readonly" in text:
            raise StoreUnavailable(_unavailable(where, exc)) from None
        if "not a database" in text or "malformed" in text:
            raise StoreSchemaError(
                f"plan store {where} is not a plan database or is damaged ({text}); it was "
                f"left unchanged: point {ENV_URL} at another database or move the file away"
            ) from None
        raise


def _first_line(exc: sa_exc.DBAPIError) -> str:
    lines = str(exc.orig).strip().splitlines()
    return lines[0] if lines else type(exc.orig).__name__


def _unavailable(where: str, exc: sa_exc.DBAPIError) -> str:
    text = _first_line(exc)
    if "readonly" in text or "read-only" in text:
        reason = "is read-only"
    elif "unable to open" in text:
        reason = "cannot be opened (check the file's folder and permissions)"
    else:
        reason = f"cannot be reached or written ({text})"
    return f"plan store {where} {reason}; nothing was changed"


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest schema revision this planner knows."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def migrate(engine: Engine, where: str) -> str:
    """Check the schema, then upgrade it to the newest revision; returns that revision.

    Raises :class:`StoreSchemaError` (database untouched) for a corrupt database, tables of the
    plan store without a schema revision, or a revision this planner does not know (newer).
    """
    config = _alembic_config()
    script = ScriptDirectory.from_config(config)
    known = {rev.revision for rev in script.walk_revisions()}
    head = head_revision()
    with database_errors(where), engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        tables = set(sa.inspect(conn).get_table_names())
        conn.rollback()
    _check_schema(where, current, known, head, tables)
    if current == head:
        return head
    with database_errors(where), engine.connect().execution_options(**WRITE) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return head


def _check_schema(where: str, current: str | None, known: set[str], head: str,
                  tables: set[str]) -> None:
    if current is not None and current not in known:
        raise StoreSchemaError(
            f"plan store {where} has schema revision {current!r}, newer than this planner knows "
            f"(newest {head!r}); it was left unchanged: update the planner to use it"
        )
    ours = set(metadata.tables)
    if current is None and tables & ours:
        raise StoreSchemaError(
            f"plan store {where} has tables named like the plan store's "
            f"({', '.join(sorted(tables & ours))}) but no schema revision; it was left "
            f"unchanged: point {ENV_URL} at an empty database"
        )
