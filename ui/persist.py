"""The current plan in the plan store: open from the URL, autosave, conflicts, URL sync.

Session keys (``st.session_state``):
- ``store_plan_id`` / ``store_plan_version``: the saved plan the current plan is a version of;
- ``store_baseline``: the plan document last saved or opened: autosave writes only when the
  current plan differs from it (an untouched default plan or an opened link is not saved);
- ``store_conflict``: the message of an unresolved version conflict (autosave waits for the
  user's choice: save as a new plan, or reload the saved version);
- ``store_notice``: why the last save failed (store down or read-only; edits stay in the session).

The store is opened once per process and database URL; a failure to open is remembered for a
minute (so a server that is down does not slow every rerun) and the app runs without saving.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from planner.errors import PlannerError
from planner.plan import Plan, plan_to_dict
from planner.share import QUERY_PARAM, encode_plan
from planner.store import NotFoundError, Store, StoreUnavailable, VersionConflict, open_store, store_url
from ui import data, state
from ui.errors import user_errors

PLAN_ID_PARAM = "plan_id"
ESTIMATE_ID_PARAM = "estimate_id"
ID_KEY = "store_plan_id"
VERSION_KEY = "store_plan_version"
BASELINE_KEY = "store_baseline"
CONFLICT_KEY = "store_conflict"
NOTICE_KEY = "store_notice"
OPENED_KEY = "store_opened_param"
AUTHOR_KEY = "store_author"
RETRY_OPEN_S = 60


@dataclass(frozen=True)
class Opened:
    store: Store | None
    problem: str = ""
    at_s: float = field(default_factory=time.monotonic)
    """When the store was opened (or failed to open) [monotonic s]."""


@st.cache_resource(show_spinner="Opening the plan store…")
def _open(url: str) -> Opened:
    try:
        return Opened(open_store(url, catalog=data.catalog()))
    except PlannerError as err:
        return Opened(None, str(err))


def _opened() -> Opened:
    opened = _open(store_url())
    if opened.store is None and time.monotonic() - opened.at_s > RETRY_OPEN_S:
        _open.clear()  # the server may be back: try again, at most once a minute
        opened = _open(store_url())
    return opened


def store() -> Store | None:
    """The plan store, or None when it cannot be opened (see :func:`store_problem`)."""
    opened = _opened()
    if opened.store is not None:
        opened.store.plans.catalog = data.catalog()  # totals follow a refreshed snapshot
    return opened.store


def store_problem() -> str:
    return _opened().problem


def author() -> str:
    return str(st.session_state.get(AUTHOR_KEY) or "")


def saved_id() -> int | None:
    value = st.session_state.get(ID_KEY)
    return int(value) if value is not None else None


def saved_version() -> int | None:
    value = st.session_state.get(VERSION_KEY)
    return int(value) if value is not None else None


def conflict() -> str:
    return str(st.session_state.get(CONFLICT_KEY) or "")


def notice() -> str:
    return str(st.session_state.get(NOTICE_KEY) or "")


def _baseline() -> dict[str, Any]:
    if BASELINE_KEY not in st.session_state:
        st.session_state[BASELINE_KEY] = plan_to_dict(state.current_plan())
    return dict(st.session_state[BASELINE_KEY])


def attach(plan: Plan, plan_id: int | None, version: int | None, *, make_current: bool) -> None:
    """Tie the session to a saved plan's version (after open, save or reload)."""
    if make_current:
        state.set_current_plan(plan)
    st.session_state[ID_KEY] = plan_id
    st.session_state[VERSION_KEY] = version
    st.session_state[BASELINE_KEY] = plan_to_dict(plan)
    st.session_state.pop(CONFLICT_KEY, None)


def detach() -> None:
    """The current plan is no longer a saved plan's copy (it was deleted); it is not re-saved
    until it changes."""
    attach(state.current_plan(), None, None, make_current=False)


def open_saved(plan_id: int) -> Plan:
    """Make the latest version of a saved plan the current plan."""
    opened = _require_store()
    saved = opened.plans.get(plan_id)
    attach(saved.plan, saved.plan_id, saved.version, make_current=True)
    st.session_state[OPENED_KEY] = str(plan_id)
    return saved.plan


def _require_store() -> Store:
    opened = store()
    if opened is None:
        raise StoreUnavailable(store_problem())
    return opened


def open_from_url() -> str:
    """Open ``?plan_id=`` once per session (or when it changes); returns a message to show.

    Without a usable store the self-contained ``?plan=`` token (if any) opens instead.
    """
    wanted = st.query_params.get(PLAN_ID_PARAM)
    if not wanted or st.session_state.get(OPENED_KEY) == wanted:
        return ""
    st.session_state[OPENED_KEY] = wanted
    if not wanted.isdigit():
        raise NotFoundError(f"{PLAN_ID_PARAM}: must be a plan number (got {wanted!r})")
    if store() is None:
        return ""
    plan = open_saved(int(wanted))
    token = st.query_params.get(QUERY_PARAM)
    if token:  # the id wins; its token must not be applied over it
        st.session_state[state.SHARE_TOKEN_KEY] = token
    return f"Opened the saved plan {plan.name!r} (#{wanted})"


def opened_from_token() -> None:
    """A share token was just applied: that plan is the baseline (saved once it is edited)."""
    attach(state.current_plan(), None, None, make_current=False)


def autosave() -> None:
    """Save the current plan as a new version when it changed since the last save or open."""
    opened = store()
    if opened is None or conflict():
        return
    plan = state.current_plan()
    if plan_to_dict(plan) == _baseline():
        return
    try:
        saved = opened.plans.save(plan, author=author(), plan_id=saved_id(),
                                  expected_version=saved_version())
    except (VersionConflict, NotFoundError) as err:
        st.session_state[CONFLICT_KEY] = str(err)
        return
    except StoreUnavailable as err:
        st.session_state[NOTICE_KEY] = f"{err}. Your edits are kept in this browser tab."
        return
    except PlannerError as err:  # e.g. text the database cannot hold
        st.session_state[NOTICE_KEY] = f"Not saved: {err}. Your edits are kept in this browser tab."
        return
    st.session_state.pop(NOTICE_KEY, None)
    attach(saved.plan, saved.plan_id, saved.version, make_current=False)
    st.session_state[OPENED_KEY] = str(saved.plan_id)


def save_as_new() -> int:
    """Resolve a conflict by saving the current plan as a new saved plan; returns its id."""
    saved = _require_store().plans.save(state.current_plan(), author=author(),
                                        note="saved as new after a version conflict")
    attach(saved.plan, saved.plan_id, saved.version, make_current=False)
    st.session_state[OPENED_KEY] = str(saved.plan_id)
    return saved.plan_id


def reload_saved() -> None:
    """Resolve a conflict by dropping this tab's edits for the saved plan's latest version."""
    plan_id = saved_id()
    if plan_id is None:
        raise NotFoundError("the current plan is not a saved plan")
    open_saved(plan_id)


def conflict_banner() -> None:
    """When a save met a version conflict: say so and offer the two ways out."""
    message = conflict()
    if not message:
        return
    st.warning(message, icon=":material/sync_problem:")
    b1, b2, _ = st.columns([1, 1, 2])
    if b1.button("Save as a new plan", key="store_save_as_new", icon=":material/library_add:"):
        with user_errors():
            new_id = save_as_new()
        state.flash(f"Saved your plan as a new plan (#{new_id}).")
        st.rerun()
    if b2.button("Reload the saved version", key="store_reload", icon=":material/refresh:"):
        with user_errors():
            reload_saved()
        state.flash("Reloaded the latest saved version; this tab's unsaved edits were dropped.")
        st.rerun()


def on_page() -> None:
    """Every page's start: save a changed plan, show a conflict, keep the URL current."""
    autosave()
    conflict_banner()
    sync_url()


def sync_url() -> None:
    """Put the saved plan's id and the plan's self-contained token in the address bar.

    An untouched new session writes nothing: a link's own parameters may not be applied yet."""
    plan_id = saved_id()
    if plan_id is None and state.plan_revision() == 0:
        return
    if plan_id is not None and st.query_params.get(PLAN_ID_PARAM) != str(plan_id):
        st.query_params[PLAN_ID_PARAM] = str(plan_id)
    try:
        token = encode_plan(state.current_plan())
    except PlannerError:  # too large for a link: the id alone reopens it
        st.query_params.pop(QUERY_PARAM, None)
        return
    if st.query_params.get(QUERY_PARAM) != token:
        st.query_params[QUERY_PARAM] = token
    st.session_state[state.SHARE_TOKEN_KEY] = token  # our own token is not "opened" again
