"""Draw only what is on screen, and keep a session's last results for its reruns.

- :func:`tabs`: tabs that rerun the page when another is picked, so a page draws only the open
  tab; a chart in a tab that is not open costs neither its figure nor its first paint.
- :func:`per_session`: the last result of a computation, kept in the session's own state (one
  entry per name). A rerun with the same inputs (a widget elsewhere on the page, a tab switch)
  reuses it; it goes away with the session, so nothing grows in the server across sessions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")

_PREFIX = "_last_result_"


def tabs(labels: Sequence[str], key: str) -> Sequence[Any]:
    """``st.tabs`` that tracks the open tab (a rerun on change); test ``is_open(tab)``."""
    return st.tabs(list(labels), key=key, on_change="rerun")


def is_open(tab: Any) -> bool:
    """True when ``tab`` is the open one (tabs that do not track state count as open)."""
    return getattr(tab, "open", None) is not False


def per_session(name: str, inputs: object, compute: Callable[[], T]) -> T:
    """``compute()``, or its kept value when this session last computed ``name`` for equal
    ``inputs`` (compared with ``==``; include the catalog object, which compares by identity).
    Errors are not kept: a failing computation runs again next time."""
    slot = _PREFIX + name
    kept = st.session_state.get(slot)
    if kept is not None and kept[0] == inputs:
        return kept[1]
    value = compute()
    st.session_state[slot] = (inputs, value)
    return value
