"""Errors of the plan store; each is a :class:`~planner.errors.PlannerError` with one clear line."""

from __future__ import annotations

from datetime import datetime

from planner.errors import PlannerError


class StoreError(PlannerError):
    """The plan store cannot do what was asked; the message says why and what to do."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or written (server down, read-only file, disk full).

    Nothing was changed; the caller keeps its data (the app keeps working in the session)."""


class StoreSchemaError(StoreError):
    """The database is not a plan store this planner can use (corrupt, foreign, or a newer
    schema). It is left exactly as it was: no migration, no write."""


class NotFoundError(LookupError, StoreError):
    """No plan or estimate by that id or name (or that version)."""

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return str(self.args[0])


class VersionConflict(StoreError):
    """Optimistic locking: the plan was saved by someone else since this copy was opened.

    Nothing was written. The caller offers "save as a new plan" or "reload the latest version".
    """

    def __init__(
        self, *, what: str, name: str, record_id: int, expected_version: int, current_version: int,
        saved_by: str, saved_at: datetime | None,
    ) -> None:
        self.record_id = record_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.saved_by = saved_by
        self.saved_at = saved_at
        when = f" at {saved_at:%Y-%m-%d %H:%M} UTC" if saved_at else ""
        who = f" by {saved_by}" if saved_by else ""
        super().__init__(
            f"{what} {name!r} (#{record_id}) changed while you edited version {expected_version}: "
            f"version {current_version} was saved{who}{when}. Nothing was overwritten: save "
            f"yours as a new {what}, or reload version {current_version}."
        )
