"""The planner's error tree: one base class, every user error a subclass of it.

User errors (bad input, a missing price, a broken file) derive from :class:`PlannerError` and carry a
message fit to show as it is: the UI turns them into ``st.error`` and the CLI into one line and a
non-zero exit. Anything else is a bug and surfaces with its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from planner.printable import echo


class PlannerError(Exception):
    """Base of every error a user can cause and fix."""


class CatalogError(PlannerError):
    """The price snapshot is missing, unreadable or invalid."""


class SnapshotSchemaError(ValueError, CatalogError):
    """A snapshot file breaks the schema; the message names the file, column and row."""


class InputError(ValueError, PlannerError):
    """A user input is out of range or malformed; the message names the field and the range."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class UnknownNameError(LookupError, PlannerError):
    """A name (instance type, region, storage class…) that the snapshot does not know."""

    def __init__(
        self, what: str, name: str, choices: Iterable[str], *, field: str | None = None
    ) -> None:
        self.what = what
        self.name = name
        self.choices = tuple(choices)
        self.suggestions = suggest(name, self.choices)
        self.field = field
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        where = f"{field}: " if field else ""
        super().__init__(f"{where}unknown {what} {echo(name)}{hint}")

    def at(self, field: str) -> UnknownNameError:
        """The same error, naming the input field (``items[0] (trainer).instance_type``)."""
        return UnknownNameError(self.what, self.name, self.choices, field=field)

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return str(self.args[0])


class PlanFileError(ValueError, PlannerError):
    """A plan or workload file is malformed; the message names the field."""


class RefreshError(PlannerError):
    """A live price refresh failed; the snapshot in place was left unchanged."""


def suggest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Closest valid names for ``name`` (difflib ratio ≥ 0.6), best first; none for a name of
    more than 64 characters (no AWS name is that long, and difflib is quadratic in the length)."""
    if len(name) > 64:
        return []
    return difflib.get_close_matches(name, sorted(set(choices)), n=n, cutoff=0.6)
