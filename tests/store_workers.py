"""Work done in separate processes by the concurrency tests (importable by spawned children)."""

from __future__ import annotations

from typing import Any

from planner.store import VersionConflict, open_store


def open_together(url: str, barrier: Any, results: Any, n: int) -> None:
    """Open (and so migrate) the same fresh database at the same moment as the others."""
    barrier.wait(timeout=60)
    store = open_store(url)
    results.put((n, store.revision))
    store.close()


def save_once(url: str, plan_id: int, barrier: Any, results: Any, n: int) -> None:
    """Read the plan, wait for the others, then save an edit of what was read."""
    store = open_store(url)
    current = store.plans.get(plan_id)
    edited = current.plan.model_copy(update={"duration_months": n + 1})
    barrier.wait(timeout=60)
    try:
        saved = store.plans.save(edited, author=f"process {n}", plan_id=plan_id,
                                 expected_version=current.version)
        results.put((n, "saved", saved.version))
    except VersionConflict as conflict:
        results.put((n, "conflict", conflict.current_version))
    store.close()


def keep_adding(url: str, plan_id: int, rounds: int, barrier: Any, results: Any, n: int) -> None:
    """``rounds`` times: reload, add one instance to the first item, save; on a conflict reload
    and try again (what a user who picks "reload" does). Reports saves and conflicts seen."""
    store = open_store(url)
    barrier.wait(timeout=60)
    saved = conflicts = 0
    while saved < rounds:
        current = store.plans.get(plan_id)
        data = current.plan.model_dump(mode="json")
        data["items"][0]["count"] += 1
        try:
            store.plans.save(type(current.plan).model_validate(data), author=f"process {n}",
                             plan_id=plan_id, expected_version=current.version)
            saved += 1
        except VersionConflict:
            conflicts += 1
    results.put((n, saved, conflicts))
    store.close()
