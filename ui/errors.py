"""Turn user errors into a message on the page, never a traceback."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st

from planner.errors import PlannerError


@dataclass
class Outcome:
    """Whether the guarded block failed with a user error (only useful with ``stop=False``)."""

    failed: bool = False


def on_screen(message: str, labels: Mapping[str, str]) -> str:
    """``message`` with each field path a page builds (``usage.count``) replaced by the label of
    the widget that sets it (**Instances in month 1**); ``[]`` in a key matches any list index
    (``strategies[].reserved.count``). Longer paths are replaced first."""
    for path in sorted(labels, key=len, reverse=True):
        pattern = re.escape(path).replace(r"\[\]", r"\[\d+\]")
        message = re.sub(rf"(?<![\w.\]])(?:\w[\w ]*: )?{pattern}:", f"**{labels[path]}**:", message)
    return message


@contextmanager
def user_errors(
    what_to_change: str = "", *, stop: bool = True, labels: Mapping[str, str] | None = None
) -> Iterator[Outcome]:
    """Show a :class:`PlannerError` as ``st.error`` (plus what to change).

    ``labels`` maps field paths of a document the page builds to the on-screen labels of the
    widgets that set them, so the message names what the user sees (see :func:`on_screen`).
    With ``stop`` (default) the script stops there; otherwise the block is left and
    ``outcome.failed`` is set, so the rest of the page (other tabs) still renders. Any other
    exception is a bug and propagates with its traceback.
    """
    outcome = Outcome()
    try:
        yield outcome
    except PlannerError as err:
        hint = f"\n\n{what_to_change}" if what_to_change else ""
        st.error(f"{on_screen(str(err), labels or {})}{hint}", icon=":material/error:")
        outcome.failed = True
        if stop:
            st.stop()
