"""Several processes on one database (SQLite file and PostgreSQL): migrations on start take turns,
a stale save is a conflict, and nothing is lost when everyone reloads and retries."""

from __future__ import annotations

import multiprocessing
import sys
import types
from collections.abc import Callable
from typing import Any
from unittest import mock

from planner.store import open_store
from tests import store_workers
from tests.store_helpers import plan

CTX = multiprocessing.get_context("spawn")
PROCESSES = 3


def run_all(target: Callable[..., None], *args: Any, processes: int = PROCESSES) -> list[Any]:
    barrier, results = CTX.Barrier(processes), CTX.Queue()
    workers = [CTX.Process(target=target, args=(*args, barrier, results, n))
               for n in range(processes)]
    # A spawned worker re-runs the parent's __main__; after an AppTest run that is the app
    # script, so the workers start from a bare __main__ instead.
    with mock.patch.dict(sys.modules, {"__main__": types.ModuleType("__main__")}):
        for w in workers:
            w.start()
    out = [results.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    return sorted(out)


def test_processes_starting_together_migrate_once(db_url: str) -> None:
    assert run_all(store_workers.open_together, db_url) == [
        (n, "0001_plans") for n in range(PROCESSES)]


def test_of_simultaneous_saves_of_one_version_exactly_one_wins(db_url: str) -> None:
    store = open_store(db_url)
    first = store.plans.save(plan(), author="Ann")
    outcomes = run_all(store_workers.save_once, db_url, first.plan_id)
    assert sorted(kind for _, kind, _ in outcomes) == ["conflict", "conflict", "saved"]
    assert all(version == 2 for _, _, version in outcomes)
    [winner] = [n for n, kind, _ in outcomes if kind == "saved"]
    latest = store.plans.get(first.plan_id)
    assert (latest.version, latest.author, latest.plan.duration_months) == (
        2, f"process {winner}", winner + 1)
    assert [v.version for v in store.plans.history(first.plan_id)] == [2, 1]
    store.close()


def test_reload_and_retry_loses_no_edit(db_url: str) -> None:
    store = open_store(db_url)
    first = store.plans.save(plan(), author="Ann")  # 2 instances
    rounds = 4
    outcomes = run_all(store_workers.keep_adding, db_url, first.plan_id, rounds)
    assert [saved for _, saved, _ in outcomes] == [rounds] * PROCESSES
    latest = store.plans.get(first.plan_id)
    assert latest.version == 1 + PROCESSES * rounds
    assert latest.plan.items[0].count == 2 + PROCESSES * rounds  # every +1 arrived
    versions = [v.version for v in store.plans.history(first.plan_id)]
    assert versions == list(range(1 + PROCESSES * rounds, 0, -1))
    store.close()
