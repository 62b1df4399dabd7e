"""Estimates in the store: a named group of 2-5 saved plans, in order, with optimistic locking.

An estimate refers to plans by id: opening it shows each plan's latest version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from planner.errors import InputError
from planner.store.errors import NotFoundError, VersionConflict
from planner.store.plans import PlanStore, check_name, clean_author, new_id, utc
from planner.store.records import MAX_ESTIMATE_PLANS, MIN_ESTIMATE_PLANS, Estimate, SavedPlan
from planner.store.tables import estimate_plans, estimates, plans


class EstimateStore:
    """Estimates kept beside the plans of ``plan_store`` (same database)."""

    def __init__(self, plan_store: PlanStore) -> None:
        self.plans = plan_store

    def create(self, name: str, plan_ids: Sequence[int], *, author: str = "") -> Estimate:
        name = check_name(name, "estimate name")
        ids = _check_ids(plan_ids)
        now = datetime.now(UTC)
        with self.plans._write() as conn:
            self._check_plans(conn, ids)
            result = conn.execute(estimates.insert().values(
                name=name, version=1, author=clean_author(author), created_at=now, updated_at=now,
            ))
            estimate_id = new_id(result)
            _put_plans(conn, estimate_id, ids)
        return self.get(estimate_id)

    def get(self, estimate_id: int) -> Estimate:
        with self.plans._read() as conn:
            row = self._row(conn, estimate_id)
            return _record(row, _plan_ids(conn, estimate_id))

    def find(self, name_or_id: str) -> Estimate:
        """An estimate by id (``3`` or ``#3``) or by its exact name."""
        text = str(name_or_id).strip()
        if text.removeprefix("#").isdigit():
            return self.get(int(text.removeprefix("#")))
        with self.plans._read() as conn:
            ids = conn.execute(sa.select(estimates.c.id).where(
                estimates.c.name == text, estimates.c.deleted_at.is_(None),
            ).order_by(estimates.c.id)).scalars().all()
        if len(ids) != 1:
            listed = f" ({', '.join(f'#{i}' for i in ids)}): give the id instead" if ids else ""
            raise NotFoundError(f"{len(ids) or 'no'} estimates named {text!r}{listed}")
        return self.get(ids[0])

    def list_estimates(self, search: str = "") -> list[Estimate]:
        """Estimates (not deleted) whose name contains ``search``, most recent first."""
        query = sa.select(estimates).where(estimates.c.deleted_at.is_(None)).order_by(
            estimates.c.updated_at.desc(), estimates.c.id.desc())
        if search.strip():
            query = query.where(
                sa.func.lower(estimates.c.name).contains(search.strip().lower(), autoescape=True)
            )
        with self.plans._read() as conn:
            rows = conn.execute(query).mappings().all()
            return [_record(r, _plan_ids(conn, r["id"])) for r in rows]

    def update(
        self, estimate_id: int, *, name: str | None = None, plan_ids: Sequence[int] | None = None,
        author: str = "", expected_version: int | None = None,
    ) -> Estimate:
        """Rename it and/or change its plans; refused if someone saved it since ``expected_version``."""
        with self.plans._write() as conn:
            row = self._row(conn, estimate_id)
            if expected_version is not None and row["version"] != expected_version:
                raise _conflict(row, expected_version)
            values: dict[str, Any] = {
                "version": row["version"] + 1, "updated_at": datetime.now(UTC),
                "author": clean_author(author),
            }
            if name is not None:
                values["name"] = check_name(name, "estimate name")
            done = conn.execute(estimates.update().where(
                estimates.c.id == estimate_id, estimates.c.version == row["version"],
            ).values(**values))
            if done.rowcount != 1:
                raise _conflict(self._row(conn, estimate_id), row["version"])
            if plan_ids is not None:
                ids = _check_ids(plan_ids)
                self._check_plans(conn, ids)
                conn.execute(estimate_plans.delete().where(estimate_plans.c.estimate_id == estimate_id))
                _put_plans(conn, estimate_id, ids)
        return self.get(estimate_id)

    def delete(self, estimate_id: int) -> None:
        with self.plans._write() as conn:
            self._row(conn, estimate_id)
            conn.execute(estimates.update().where(estimates.c.id == estimate_id)
                         .values(deleted_at=datetime.now(UTC)))

    def saved_plans(self, estimate: Estimate) -> list[SavedPlan]:
        """The latest version of each of the estimate's plans, in its order."""
        return [self.plans.get(plan_id) for plan_id in estimate.plan_ids]

    @staticmethod
    def _row(conn: sa.Connection, estimate_id: int) -> sa.RowMapping:
        row = conn.execute(sa.select(estimates).where(
            estimates.c.id == estimate_id, estimates.c.deleted_at.is_(None),
        )).mappings().one_or_none()
        if row is None:
            raise NotFoundError(f"no saved estimate #{estimate_id}")
        return row

    @staticmethod
    def _check_plans(conn: sa.Connection, ids: tuple[int, ...]) -> None:
        found = set(conn.execute(sa.select(plans.c.id).where(
            plans.c.id.in_(ids), plans.c.deleted_at.is_(None),
        )).scalars())
        missing = [f"#{i}" for i in ids if i not in found]
        if missing:
            raise NotFoundError(f"estimate plans: no saved plan {', '.join(missing)}")


def _check_ids(plan_ids: Sequence[int]) -> tuple[int, ...]:
    ids = tuple(dict.fromkeys(int(i) for i in plan_ids))
    if not MIN_ESTIMATE_PLANS <= len(ids) <= MAX_ESTIMATE_PLANS:
        raise InputError(
            "estimate plans",
            f"an estimate groups {MIN_ESTIMATE_PLANS} to {MAX_ESTIMATE_PLANS} different plans "
            f"(got {len(ids)})",
        )
    return ids


def _put_plans(conn: sa.Connection, estimate_id: int, ids: tuple[int, ...]) -> None:
    conn.execute(estimate_plans.insert(), [
        {"estimate_id": estimate_id, "position": i, "plan_id": plan_id}
        for i, plan_id in enumerate(ids)
    ])


def _plan_ids(conn: sa.Connection, estimate_id: int) -> tuple[int, ...]:
    return tuple(conn.execute(
        sa.select(estimate_plans.c.plan_id).where(estimate_plans.c.estimate_id == estimate_id)
        .order_by(estimate_plans.c.position)
    ).scalars())


def _record(row: sa.RowMapping, plan_ids: tuple[int, ...]) -> Estimate:
    return Estimate(row["id"], row["name"], plan_ids, row["version"], row["author"],
                    utc(row["created_at"]), utc(row["updated_at"]))


def _conflict(row: sa.RowMapping, expected: int) -> VersionConflict:
    return VersionConflict(
        what="estimate", name=row["name"], record_id=row["id"], expected_version=expected,
        current_version=row["version"], saved_by=row["author"], saved_at=utc(row["updated_at"]),
    )
