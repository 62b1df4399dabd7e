"""CLI: `planner prices` and `planner cost` on the shipped snapshot, and every bad-input case."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "plan_finetune_q1.json"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_prices_instance_region_json(capsys) -> None:
    code, out, _ = run(capsys, "prices", "--instance", "p3.2xlarge", "--region", "us-east-1",
                       "--format", "json")
    assert code == 0
    rows = json.loads(out)["prices"]
    od = [r for r in rows if r["purchase_option"] == "on_demand"]
    assert od[0]["hourly_usd"] == 3.06 and od[0]["as_of"] == "2026-07-20"


def test_prices_csv_family_option(capsys) -> None:
    code, out, _ = run(capsys, "prices", "--family", "p4d", "--option", "reserved",
                       "--region", "us-east-1", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows
    assert {r["term_years"] for r in rows} == {"1", "3"}
    assert all(r["instance_type"] == "p4d.24xlarge" for r in rows)


def test_prices_table(capsys) -> None:
    code, out, _ = run(capsys, "prices", "--instance", "m5.large", "--region", "eu-west-1")
    assert code == 0 and "m5.large" in out and "snapshot as of" in out


def test_cost_json_matches_hand_figures(capsys) -> None:
    # api: 3 × 730 h × $0.70 (override) = $1,533.00 a month.
    # datasets: 50,000 GB × $0.023 + 1,000 × $0.005 + 10,000 × $0.0004 = 1,150 + 5 + 4 = $1,159.
    code, out, _ = run(capsys, "cost", str(EXAMPLE), "--format", "json")
    assert code == 0
    data = json.loads(out)
    api = [li for li in data["line_items"] if li["item"] == "api"]
    assert api[0]["monthly_usd"] == pytest.approx(1533.0) and api[0]["source"] == "override"
    datasets = sum(li["monthly_usd"] for li in data["line_items"] if li["item"] == "datasets")
    assert datasets == pytest.approx(1159.0)
    totals = data["totals"]
    assert totals["monthly_usd"] == pytest.approx(
        sum(li["monthly_usd"] for li in data["line_items"]))


def test_cost_table(capsys) -> None:
    code, out, _ = run(capsys, "cost", str(EXAMPLE))
    assert code == 0 and "duration_total_usd" in out


SP_MISSING = {
    "schema_version": 1, "name": "SP", "region": "us-east-1", "duration_months": 12,
    "hours_per_month": 730,
    "items": [{"kind": "compute", "name": "sp", "instance_type": "p5e.48xlarge",
               "purchase": {"option": "savings_plan", "term_years": 1}}],
}
"""The snapshot has no savings-plan rate for p5e.48xlarge: the plan's totals are incomplete."""


def test_cost_json_missing_price_claims_no_saving(capsys, tmp_path) -> None:
    # The one line has no price, so the bill sums to $0 of a bill that is not $0: any saving
    # computed from it would be invented. It is null, and complete stays false.
    path = tmp_path / "sp.json"
    path.write_text(json.dumps(SP_MISSING))
    code, out, _ = run(capsys, "cost", str(path), "--format", "json")
    assert code == 0
    totals = json.loads(out)["totals"]
    assert totals["complete"] is False
    assert totals["savings_vs_on_demand_usd"] is None
    assert "sp: commitment_usd_per_hour" in totals["missing_prices"]
    assert totals["duration_total_usd"] == 0.0


def test_cost_table_and_csv_missing_price_show_saving_as_missing(capsys, tmp_path) -> None:
    path = tmp_path / "sp.json"
    path.write_text(json.dumps(SP_MISSING))
    code, out, _ = run(capsys, "cost", str(path))
    assert code == 0
    saving = [line for line in out.splitlines() if line.startswith("savings_vs_on_demand_usd")]
    assert saving[0].split() == ["savings_vs_on_demand_usd", "—"]
    assert "incomplete: no price in the snapshot for sp: commitment_usd_per_hour" in out
    assert "savings_vs_on_demand_usd" in out and "0.00" in out  # the sums are still shown
    code, out, _ = run(capsys, "cost", str(path), "--format", "csv")
    rows = [r for r in csv.DictReader(io.StringIO(out))
            if r["dimension"] == "savings_vs_on_demand_usd"]
    assert rows[0]["quantity"] == "" and rows[0]["price_missing"] == "true"


def test_cost_json_complete_plan_keeps_its_saving(capsys) -> None:
    # Every price known: the saving is a number (on-demand equivalent − duration total).
    code, out, _ = run(capsys, "cost", str(EXAMPLE), "--format", "json")
    totals = json.loads(out)["totals"]
    assert code == 0 and totals["complete"] is True
    assert totals["savings_vs_on_demand_usd"] == pytest.approx(
        totals["on_demand_equivalent_usd"] - totals["duration_total_usd"])


def _bad(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(text)
    return path


BASE = {"name": "x", "region": "us-east-1",
        "items": [{"kind": "compute", "name": "a", "instance_type": "m5.large", "count": 1}]}


def _with(**changes) -> str:
    data = json.loads(json.dumps(BASE))
    data["items"][0].update(changes.pop("item", {}))
    data.update(changes)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_with(item={"instance_type": "p3.2xlarg"}), "did you mean p3.2xlarge"),
        (_with(region="eu-wset-1"), "unknown region 'eu-wset-1'; did you mean eu-west-1"),
        (_with(item={"count": -3}), "items[0].count"),
        (_with(item={"count": "many"}), "items[0].count"),
        (_with(item={"usage_hours_per_month": 900}), "items[0].usage_hours_per_month"),
        (_with(item={"colour": "red"}), "items[0].colour: unknown field"),
        (_with(duration_months=0), "duration_months"),
        ('{"name": "x", "items": [', "not valid JSON"),
        ("", "not valid JSON"),
        ("[1, 2]", "a plan must be a JSON object"),
        (_with(schema_version=2), "schema_version 2 is not supported"),
    ],
)
def test_cost_bad_input_one_line(tmp_path, capsys, text: str, expected: str) -> None:
    code, out, err = run(capsys, "cost", str(_bad(tmp_path, text)))
    assert code == 2
    assert out == ""
    assert expected in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cost_storage_error_names_the_item(tmp_path, capsys) -> None:
    data = json.loads(_with())
    data["items"].append({"kind": "ebs", "name": "scratch", "volume_type": "gp2", "gb": 100,
                          "iops": 5000})
    code, _, err = run(capsys, "cost", str(_bad(tmp_path, json.dumps(data))))
    assert code == 2
    assert "items[1] (scratch).iops" in err and err.count("\n") == 1


def test_cost_missing_file(capsys, tmp_path) -> None:
    code, _, err = run(capsys, "cost", str(tmp_path / "nope.json"))
    assert code == 2 and "no such file" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["prices", "--instance", "p3.2xlarg"], "did you mean p3.2xlarge"),
        (["prices", "--region", "us-east-7"], "unknown region"),
        (["prices", "--family", "p44"], "unknown family"),
    ],
)
def test_prices_bad_name(capsys, args: list[str], expected: str) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2 and expected in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "args", [["prices", "--option", "lease"], ["prices", "--format", "xml"]]
)
def test_prices_bad_choice_is_an_argparse_exit(capsys, args: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "invalid choice" in err and err.count("\n") == 1


def test_no_traceback_in_a_real_process(tmp_path) -> None:
    path = _bad(tmp_path, _with(item={"count": -1}))
    proc = subprocess.run(
        [sys.executable, "-m", "planner", "cost", str(path)], capture_output=True, text=True,
        cwd=ROOT, check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("planner cost: error: ") and "Traceback" not in proc.stderr


def test_planner_does_not_import_ui_packages() -> None:
    code = (
        "import sys, planner.costing, planner.cli.main, planner.prices, planner.export, "
        "planner.share, planner.pricing.storage;"
        "bad = [m for m in ('streamlit', 'plotly', 'boto3', 'botocore') if m in sys.modules];"
        "print(','.join(bad))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          check=True)
    assert proc.stdout.strip() == ""


def test_help_for_every_command(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "prices" in capsys.readouterr().out
