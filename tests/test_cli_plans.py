"""CLI: `planner plans …` on a SQLite store in a temporary folder."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from planner.cli.main import main
from planner.plan import plan_to_json
from tests.store_helpers import BASE_MONTHLY_USD, PLUS_BATCH_MONTHLY_USD, plan, with_batch

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "plan_finetune_q1.json"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PLANNER_DB_URL", f"sqlite:///{tmp_path / 'plans.db'}")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_show_json_is_the_cost_json(db: Path, capsys) -> None:
    assert run(capsys, "plans", "import", str(EXAMPLE), "--author", "Ann")[1] == (
        "imported plan 'Fine-tune Q1' as #1 version 1\n")
    _, by_name, _ = run(capsys, "plans", "show", "Fine-tune Q1", "--format", "json")
    _, by_id, _ = run(capsys, "plans", "show", "#1", "--format", "json")
    _, direct, _ = run(capsys, "cost", str(EXAMPLE), "--format", "json")
    assert by_name == by_id == direct
    assert json.loads(by_name)["totals"]["upfront_usd"] == pytest.approx(227_638.0)


def test_save_versions_history_diff_and_conflict(db: Path, capsys) -> None:
    v1 = write(db / "a.json", plan_to_json(plan()))
    v2 = write(db / "b.json", plan_to_json(with_batch()))
    assert run(capsys, "plans", "save", v1, "--author", "Ann")[0] == 0
    code, out, _ = run(capsys, "plans", "save", v2, "--to", "Scenario A", "--expected-version",
                       "1", "--author", "Bob", "--format", "json")
    assert code == 0 and json.loads(out) == {"id": 1, "name": "Scenario A", "version": 2,
                                             "author": "Bob"}
    code, out, err = run(capsys, "plans", "save", v1, "--to", "1", "--expected-version", "1")
    assert code == 2 and out == ""
    assert err == ("planner plans: error: plan 'Scenario A' (#1) changed while you edited version "
                   f"1: version 2 was saved by Bob at {err.split(' at ')[1].split(' UTC')[0]} UTC. "
                   "Nothing was overwritten: save yours as a new plan, or reload version 2.\n")
    code, out, _ = run(capsys, "plans", "save", v1, "--to", "1", "--expected-version", "1",
                       "--as-new")
    assert code == 0 and out == "saved plan 'Scenario A' as #2 version 1\n"
    _, out, _ = run(capsys, "plans", "history", "1", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["version"], r["author"]) for r in rows] == [("2", "Bob"), ("1", "Ann")]
    assert float(rows[0]["monthly_usd"]) == pytest.approx(PLUS_BATCH_MONTHLY_USD)
    _, out, _ = run(capsys, "plans", "diff", "1", "1", "2", "--format", "json")
    changes = json.loads(out)["changes"]
    assert changes[0] == {"change": "added", "item": "batch", "field": "", "before": None,
                          "after": None}
    monthly = next(c for c in changes if c["field"] == "monthly_usd")
    assert (monthly["before"], monthly["after"]) == pytest.approx((BASE_MONTHLY_USD,
                                                                   PLUS_BATCH_MONTHLY_USD))


def test_list_delete_undo_and_export(db: Path, capsys) -> None:
    run(capsys, "plans", "import", write(db / "a.json", plan_to_json(plan())),
        write(db / "b.json", plan_to_json(with_batch("Scenario B"))))
    _, out, _ = run(capsys, "plans", "list", "--format", "json")
    assert [(p["id"], p["name"]) for p in json.loads(out)["plans"]] == [(2, "Scenario B"),
                                                                        (1, "Scenario A")]
    assert run(capsys, "plans", "delete", "Scenario B")[1] == (
        "deleted plan 'Scenario B' (#2); undo with `planner plans delete 2 --undo`\n")
    _, out, _ = run(capsys, "plans", "list", "--search", "scenario", "--format", "csv")
    assert [r["name"] for r in csv.DictReader(io.StringIO(out))] == ["Scenario A"]
    assert run(capsys, "plans", "delete", "Scenario B", "--undo")[0] == 0
    _, out, _ = run(capsys, "plans", "export", "Scenario B")
    assert out == plan_to_json(with_batch("Scenario B"))
    code, _, err = run(capsys, "plans", "export", "1", "--version", "5")
    assert (code, err) == (2, "planner plans: error: plan 'Scenario A' (#1) has no version 5 "
                              "(versions 1 to 1)\n")


def test_bad_input_is_one_line(db: Path, capsys) -> None:
    bad = write(db / "bad.json", '{"name": "x", "duration_months": 999}')
    code, out, err = run(capsys, "plans", "import", bad)
    assert code == 2 and out == "" and err.count("\n") == 1 and "duration_months" in err
    code, _, err = run(capsys, "plans", "show", "nothing")
    assert (code, err) == (2, "planner plans: error: no saved plan named 'nothing' "
                              "(see `planner plans list`)\n")
    code, _, err = run(capsys, "plans", "list", "--db", "mysql://x@h/d")
    assert code == 2 and "database 'mysql' is not supported" in err
