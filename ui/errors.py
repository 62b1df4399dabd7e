"""Turn user errors into a message on the page, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st

from planner.errors import PlannerError


@dataclass
class Outcome:
    """Whether the guarded block failed with a user error (only useful with ``stop=False``)."""

    failed: bool = False


@contextmanager
def user_errors(what_to_change: str = "", *, stop: bool = True) -> Iterator[Outcome]:
    """Show a :class:`PlannerError` as ``st.error`` (plus what to change).

    With ``stop`` (default) the script stops there; otherwise the block is left and
    ``outcome.failed`` is set, so the rest of the page (other tabs) still renders. Any other
    exception is a bug and propagates with its traceback.
    """
    outcome = Outcome()
    try:
        yield outcome
    except PlannerError as err:
        hint = f"\n\n{what_to_change}" if what_to_change else ""
        st.error(f"{err}{hint}", icon=":material/error:")
        outcome.failed = True
        if stop:
            st.stop()
