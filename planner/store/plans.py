"""The plan store: saved plans with a version per save, history, restore, diff, soft delete.

Every save appends a version (with a free-text author) and updates the plan's row, whose columns
make the list searchable. Saves use optimistic locking: a save names the version it was edited
from (``expected_version``) and is refused with :class:`VersionConflict` when another save came
first; the row is updated only ``WHERE version = <the version read>``, so two concurrent writers
can never both win. Names and search text are bound parameters: data, never SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from planner.errors import InputError, PlannerError
from planner.plan import Plan, plan_from_dict, plan_to_dict
from planner.store.diff import PlanDiff, diff_plans
from planner.store.engine import WRITE, database_errors
from planner.store.errors import NotFoundError, VersionConflict
from planner.store.records import (
    MAX_AUTHOR_CHARS,
    PlanSummary,
    SavedPlan,
    StoredTotals,
    VersionInfo,
)
from planner.store.tables import NAME_CHARS, TOTALS_COLUMNS, plan_versions, plans

if TYPE_CHECKING:
    from planner.catalog.loader import Catalog

MAX_LIST_ROWS = 1000


def new_id(result: sa.CursorResult[Any]) -> int:
    """The id an INSERT gave its row."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes: they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def clean_author(author: str) -> str:
    return " ".join(str(author or "").replace("\x00", "").split())[:MAX_AUTHOR_CHARS]


def check_name(name: str, what: str = "plan name") -> str:
    name = str(name or "").strip()
    check_text(name, what)
    if not 1 <= len(name) <= NAME_CHARS:
        raise InputError(what, f"must be 1 to {NAME_CHARS} characters (got {len(name)})")
    return name


def check_text(value: Any, path: str = "plan") -> None:
    """Refuse a NUL character in any text (PostgreSQL cannot store it; the same on SQLite)."""
    if isinstance(value, str) and "\x00" in value:
        raise InputError(path, "text may not contain the NUL character (\\x00)")
    if isinstance(value, dict):
        for key, item in value.items():
            check_text(item, f"{path}.{key}" if path != "plan" else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_text(item, f"{path}[{i}]")


def totals_from(row: Mapping[Any, Any]) -> StoredTotals:
    return StoredTotals(**{c: row[c] for c in TOTALS_COLUMNS})


class PlanStore:
    """Saved plans in one database (see :func:`planner.store.open_store`)."""

    def __init__(self, engine: Engine, *, where: str, catalog: Catalog | None = None) -> None:
        self.engine = engine
        self.where = where
        """The database, password hidden (for messages)."""
        self.catalog = catalog
        """Prices the searchable totals of each save; without it the totals stay empty."""

    # --- transactions -------------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with database_errors(self.where), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with database_errors(self.where), self.engine.connect().execution_options(**WRITE) as conn, \
                conn.begin():
            yield conn

    # --- saving ------------------------------------------------------------------------------

    def totals(self, plan: Plan) -> StoredTotals:
        """The plan's totals against the store's catalog (empty when it cannot be priced)."""
        if self.catalog is None:
            return StoredTotals()
        from planner.costing import cost_plan  # pandas: only when pricing

        try:
            t = cost_plan(plan, self.catalog).totals
        except PlannerError:
            return StoredTotals(snapshot_as_of=self.catalog.as_of)
        return StoredTotals(t.upfront_usd, t.monthly_usd, t.first_year_usd, t.duration_total_usd,
                            t.on_demand_equivalent_usd, t.complete, self.catalog.as_of)

    def save(
        self, plan: Plan, *, author: str = "", plan_id: int | None = None,
        expected_version: int | None = None, note: str = "",
    ) -> SavedPlan:
        """Save ``plan`` as a new plan (no ``plan_id``) or as the next version of ``plan_id``.

        With ``expected_version`` the save is refused (:class:`VersionConflict`, nothing written)
        unless that is still the plan's latest version.
        """
        plan = plan_from_dict(plan_to_dict(plan), source="plan")  # stored only when valid
        author = clean_author(author)
        document = plan_to_dict(plan)
        check_text(document)
        totals = self.totals(plan)
        now = datetime.now(UTC)
        columns = {
            "name": plan.name, "region": plan.region, "duration_months": plan.duration_months,
            "hours_per_month": plan.hours_per_month, "item_count": len(plan.items),
            "document": document, "updated_at": now, "updated_by": author,
            **{c: getattr(totals, c) for c in TOTALS_COLUMNS},
        }
        with self._write() as conn:
            if plan_id is None:
                result = conn.execute(plans.insert().values(**columns, version=1, created_at=now))
                plan_id = new_id(result)
                version, created, note = 1, now, note or "created"
            else:
                row = self._row(conn, plan_id)
                if row["deleted_at"] is not None:
                    raise NotFoundError(
                        f"plan {row['name']!r} (#{plan_id}) was deleted; save yours as a new plan "
                        "(or undo the delete on Saved plans)"
                    )
                if expected_version is not None and row["version"] != expected_version:
                    raise self._conflict(row, expected_version)
                version, created = row["version"] + 1, utc(row["created_at"])
                updated = conn.execute(
                    plans.update()
                    .where(plans.c.id == plan_id, plans.c.version == row["version"])
                    .values(**columns, version=version)
                )
                if updated.rowcount != 1:  # another writer slipped in between read and update
                    raise self._conflict(self._row(conn, plan_id), row["version"])
            conn.execute(plan_versions.insert().values(
                plan_id=plan_id, version=version, name=plan.name, document=document,
                author=author, saved_at=now, note=note[:200],
                **{c: getattr(totals, c) for c in TOTALS_COLUMNS},
            ))
        return SavedPlan(plan_id, version, version, plan, author, now, created, totals, note, False)

    @staticmethod
    def _conflict(row: sa.RowMapping, expected: int) -> VersionConflict:
        return VersionConflict(
            what="plan", name=row["name"], record_id=row["id"], expected_version=expected,
            current_version=row["version"], saved_by=row["updated_by"],
            saved_at=utc(row["updated_at"]),
        )

    def _row(self, conn: sa.Connection, plan_id: int) -> sa.RowMapping:
        row = conn.execute(sa.select(plans).where(plans.c.id == plan_id)).mappings().one_or_none()
        if row is None:
            raise NotFoundError(f"no saved plan #{plan_id}")
        return row

    # --- reading -----------------------------------------------------------------------------

    def get(self, plan_id: int, version: int | None = None) -> SavedPlan:
        """The plan's latest version, or ``version``."""
        with self._read() as conn:
            row = self._row(conn, plan_id)
            if version is None or version == row["version"]:
                stored: Mapping[Any, Any] = {
                    **row, "author": row["updated_by"], "saved_at": row["updated_at"],
                    "note": "",
                }
            else:
                found = conn.execute(sa.select(plan_versions).where(
                    plan_versions.c.plan_id == plan_id, plan_versions.c.version == version,
                )).mappings().one_or_none()
                if found is None:
                    raise NotFoundError(
                        f"plan {row['name']!r} (#{plan_id}) has no version {version} "
                        f"(versions 1 to {row['version']})"
                    )
                stored = found
        plan = plan_from_dict(stored["document"], source=f"saved plan #{plan_id}")
        return SavedPlan(
            plan_id, version or row["version"], row["version"], plan, stored["author"],
            utc(stored["saved_at"]), utc(row["created_at"]), totals_from(stored), stored["note"],
            row["deleted_at"] is not None,
        )

    def find(self, name_or_id: str) -> SavedPlan:
        """A plan by id (``12`` or ``#12``) or by its exact name (not deleted ones)."""
        text = str(name_or_id).strip()
        digits = text.removeprefix("#")
        if digits.isdigit():
            try:
                return self.get(int(digits))
            except NotFoundError:
                if text.startswith("#"):
                    raise
        with self._read() as conn:
            ids = conn.execute(
                sa.select(plans.c.id).where(plans.c.name == text, plans.c.deleted_at.is_(None))
                .order_by(plans.c.id)
            ).scalars().all()
        if not ids:
            raise NotFoundError(f"no saved plan named {text!r} (see `planner plans list`)")
        if len(ids) > 1:
            raise NotFoundError(
                f"{len(ids)} saved plans are named {text!r} "
                f"({', '.join(f'#{i}' for i in ids)}): give the id instead"
            )
        return self.get(ids[0])

    def list_plans(self, search: str = "", *, include_deleted: bool = False) -> list[PlanSummary]:
        """Plans whose name contains ``search`` (any case), most recently updated first."""
        query = sa.select(plans).order_by(plans.c.updated_at.desc(), plans.c.id.desc())
        if search.strip():
            query = query.where(
                sa.func.lower(plans.c.name).contains(search.strip().lower(), autoescape=True)
            )
        if not include_deleted:
            query = query.where(plans.c.deleted_at.is_(None))
        with self._read() as conn:
            rows = conn.execute(query.limit(MAX_LIST_ROWS)).mappings().all()
        return [
            PlanSummary(
                r["id"], r["name"], r["region"], r["duration_months"], r["item_count"],
                r["version"], totals_from(r), utc(r["created_at"]), utc(r["updated_at"]),
                r["updated_by"], r["deleted_at"] is not None,
            )
            for r in rows
        ]

    def history(self, plan_id: int) -> list[VersionInfo]:
        """Every version of the plan, newest first."""
        with self._read() as conn:
            self._row(conn, plan_id)
            rows = conn.execute(
                sa.select(plan_versions).where(plan_versions.c.plan_id == plan_id)
                .order_by(plan_versions.c.version.desc())
            ).mappings().all()
        return [
            VersionInfo(plan_id, r["version"], r["name"], r["author"], utc(r["saved_at"]),
                        r["note"], totals_from(r))
            for r in rows
        ]

    def diff(self, plan_id: int, version_before: int, version_after: int) -> PlanDiff:
        """What changed from one version to another (items by name; totals as saved)."""
        before = self.get(plan_id, version_before)
        after = self.get(plan_id, version_after)
        settings, items = diff_plans(before.plan, after.plan)
        return PlanDiff(plan_id, version_before, version_after, settings, items,
                        before.totals, after.totals)

    # --- changing ----------------------------------------------------------------------------

    def restore(self, plan_id: int, version: int, *, author: str = "",
                expected_version: int | None = None) -> SavedPlan:
        """Save an old version's plan as the newest version (history keeps everything)."""
        old = self.get(plan_id, version)
        return self.save(old.plan, author=author, plan_id=plan_id,
                         expected_version=expected_version, note=f"restored version {version}")

    def rename(self, plan_id: int, name: str, *, author: str = "",
               expected_version: int | None = None) -> SavedPlan:
        name = check_name(name)
        current = self.get(plan_id)
        renamed = current.plan.model_copy(update={"name": name})
        return self.save(renamed, author=author, plan_id=plan_id,
                         expected_version=expected_version, note=f"renamed from {current.plan.name}")

    def duplicate(self, plan_id: int, *, name: str | None = None, author: str = "") -> SavedPlan:
        """A new plan with the latest version's content (named "<name> (copy)" by default)."""
        source = self.get(plan_id)
        new_name = check_name(name or f"{source.plan.name} (copy)"[:NAME_CHARS])
        return self.save(source.plan.model_copy(update={"name": new_name}), author=author,
                         note=f"copied from #{plan_id} version {source.version}")

    def delete(self, plan_id: int) -> None:
        """Hide the plan from lists (its versions stay; :meth:`undelete` brings it back)."""
        self._set_deleted(plan_id, datetime.now(UTC))

    def undelete(self, plan_id: int) -> None:
        self._set_deleted(plan_id, None)

    def _set_deleted(self, plan_id: int, when: datetime | None) -> None:
        with self._write() as conn:
            self._row(conn, plan_id)
            conn.execute(plans.update().where(plans.c.id == plan_id).values(deleted_at=when))
