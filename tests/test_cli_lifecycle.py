"""CLI: `planner lifecycle`, `planner s3-lifecycle` and `planner rightsize` on the shipped snapshot."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from planner.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _write(tmp_path: Path, data: Any) -> str:
    path = tmp_path / "input.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def _one_line_error(code: int, out: str, err: str, expected: str) -> None:
    assert code == 2
    assert out == ""
    assert expected in err, err
    assert err.count("\n") == 1 and "Traceback" not in err


# --- lifecycle ----------------------------------------------------------------------------------

M5_RI = {
    "usage": {"instance_type": "m5.xlarge", "region": "us-east-1", "count": 1,
              "horizon_months": 12},
    "strategies": [{"name": "ri", "reserved": {"count": 1}},
                   {"name": "sp", "savings_plan": {"commitment_usd_per_hour": 0.1}}],
}


def test_lifecycle_json_break_even_on_snapshot(tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "lifecycle", _write(tmp_path, M5_RI), "--format", "json")
    assert code == 0
    data = json.loads(out)
    summary = {s["strategy"]: s for s in data["summary"]}
    # snapshot m5.xlarge us-east-1: on-demand $0.192/h → 730 × 0.192 = $140.16 a month;
    # RI 1y all upfront $989: 989 / 140.16 = 7.06 → break-even in month 8; 12-month saving
    # 12 × 140.16 − 989 = 1,681.92 − 989 = 692.92
    assert summary["ri"]["break_even_month"] == 8
    assert summary["ri"]["total_usd"] == pytest.approx(989.0)
    assert summary["ri"]["savings_vs_on_demand_usd"] == pytest.approx(692.92)
    assert summary["all on-demand"]["savings_vs_on_demand_usd"] == 0.0
    # no savings-plan rate in the snapshot: reported, not dropped
    assert summary["sp"]["total_usd"] is None
    assert summary["sp"]["status"].startswith("missing:")
    assert data["cheapest"] == "ri"
    assert len(data["monthly"]) == 3 * 12


def test_lifecycle_csv_and_table(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, M5_RI)
    code, out, _ = run(capsys, "lifecycle", path, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 36
    assert float(rows[0]["cost_usd"]) == pytest.approx(140.16)
    code, out, _ = run(capsys, "lifecycle", path, "--monthly")
    assert code == 0
    assert "cheapest: ri" in out and "cumulative cost" in out and "missing" in out


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("lifecycle_*.json")))
def test_lifecycle_examples_run(example: Path, capsys) -> None:
    code, out, _ = run(capsys, "lifecycle", str(example), "--format", "json")
    assert code == 0 and json.loads(out)["cheapest"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({**M5_RI, "usage": {**M5_RI["usage"], "horizon_months": 61}}, "usage.horizon_months"),
        ({**M5_RI, "usage": {**M5_RI["usage"], "instance_type": "m5.xlarg"}},
         "unknown instance type 'm5.xlarg'"),
        ({**M5_RI, "strategies": [{"name": "r", "reserved": {"count": -1}}]},
         "strategies[0].reserved.count"),
        ({**M5_RI, "extra": 1}, "extra: unknown field"),
        ("{not json", "not valid JSON"),
    ],
)
def test_lifecycle_bad_input_one_line(tmp_path: Path, capsys, data: Any, expected: str) -> None:
    _one_line_error(*run(capsys, "lifecycle", _write(tmp_path, data)), expected)


def test_lifecycle_missing_file(tmp_path: Path, capsys) -> None:
    _one_line_error(*run(capsys, "lifecycle", str(tmp_path / "nope.json")), "no such file")


# --- s3-lifecycle -------------------------------------------------------------------------------

POLICY = {
    "region": "us-east-1", "months": 2,
    "datasets": [{"monthly_ingest_gb": [1000, 0], "average_object_kb": 1024, "rules": {}}],
}


def test_s3_lifecycle_json_on_snapshot(tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "s3-lifecycle", _write(tmp_path, POLICY), "--format", "json")
    assert code == 0
    data = json.loads(out)
    # no rules: 1,000 GB in Standard at $0.023 = $23.00 a month + 1,024 thousand PUTs × $0.005
    assert data["totals_usd"]["lifecycle"] == pytest.approx(23.0 * 2 + 5.12)
    assert data["totals_usd"]["all_standard"] == pytest.approx(23.0 * 2 + 5.12)
    assert data["missing"] == []


def test_s3_lifecycle_csv_with_data_stored_on_day_one(tmp_path: Path, capsys) -> None:
    # the same 1,000 GB, already stored on day one: $23.00 a month and no PUTs
    policy = {**POLICY, "datasets": [{"monthly_ingest_gb": 0, "initial_gb": 1000,
                                      "average_object_kb": 1024, "rules": {}}]}
    code, out, _ = run(capsys, "s3-lifecycle", _write(tmp_path, policy), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [float(r["all_standard_usd"]) for r in rows] == pytest.approx([23.0, 23.0])
    assert float(rows[-1]["lifecycle_cumulative_usd"]) == pytest.approx(46.0)


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("s3_policy_*.json")))
def test_s3_policy_examples_run(example: Path, capsys) -> None:
    code, out, _ = run(capsys, "s3-lifecycle", str(example), "--by-class")
    assert code == 0 and "total over the horizon" in out


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"months": 0}, "months"),
        ({"region": "mars-1"}, "unknown region 'mars-1'"),
        ({"datasets": [{"monthly_ingest_gb": 1, "average_object_kb": 1,
                        "rules": {"standard_ia_days": 5}}]},
         "datasets[0].rules.standard_ia_days"),
        ({"unit_prices": {"standard.storage.x": 1}}, "unit_prices"),
    ],
)
def test_s3_lifecycle_bad_input_one_line(
    tmp_path: Path, capsys, change: dict[str, Any], expected: str
) -> None:
    _one_line_error(*run(capsys, "s3-lifecycle", _write(tmp_path, {**POLICY, **change})),
                    expected)


# --- rightsize ----------------------------------------------------------------------------------


def test_rightsize_json_on_snapshot(capsys) -> None:
    code, out, _ = run(
        capsys, "rightsize", "--instance", "m5.4xlarge", "--count", "4", "--cpu-peak", "30",
        "--memory-peak", "40", "--format", "json",
    )
    assert code == 0
    data = json.loads(out)
    # need = 16 × 30 % × 1.2 = 5.76 vCPU; 64 × 40 % × 1.2 = 30.72 GiB
    assert data["need_per_instance"]["vcpu"] == pytest.approx(5.76)
    rows = {r["instance_type"]: r for r in data["candidates"]}
    assert rows["m5.2xlarge"]["fits"] is True
    # 4 × 730 h × ($0.768 − $0.384) = $1,121.28 a month
    assert rows["m5.2xlarge"]["on_demand_savings_monthly_usd"] == pytest.approx(1121.28)


def test_rightsize_table_explains_each_candidate(capsys) -> None:
    code, out, _ = run(capsys, "rightsize", "--instance", "m5.4xlarge", "--cpu-peak", "30",
                       "--memory-peak", "40", "--limit", "2")
    assert code == 0
    assert "m5.xlarge: too small: vCPU 4 < 5.76 needed" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--cpu-peak", "130", "--memory-peak", "40"], "--cpu-peak: must be 0–100"),
        (["--cpu-peak", "abc", "--memory-peak", "40"], "--cpu-peak"),
        (["--cpu-peak", "30"], "--memory-peak"),
        (["--cpu-peak", "30", "--memory-peak", "40", "--headroom", "-5"], "--headroom"),
        # headroom may go up to 200 %, so its messages give that range, not 0–100
        (["--cpu-peak", "30", "--memory-peak", "40", "--headroom", "abc"],
         "--headroom: 'abc' is not a number (0–200)"),
        (["--cpu-peak", "30", "--memory-peak", "40", "--headroom", "250"],
         "--headroom: must be 0–200 %"),
        (["--cpu-peak", "30", "--memory-peak", "40", "--gpu-peak", "10"], "--gpu-peak"),
        (["--cpu-peak", "30", "--memory-peak", "40", "--count", "0"], "--count"),
    ],
)
def test_rightsize_bad_input_one_line(capsys, args: list[str], expected: str) -> None:
    _one_line_error(*run(capsys, "rightsize", "--instance", "m5.4xlarge", *args), expected)


def test_rightsize_headroom_above_100_is_accepted(capsys) -> None:
    code, out, err = run(capsys, "rightsize", "--instance", "m5.4xlarge", "--cpu-peak", "30",
                         "--memory-peak", "40", "--headroom", "150", "--format", "json")
    assert code == 0, err
    # m5.4xlarge = 16 vCPU: 16 × 30 % × (1 + 150 %) = 4.8 × 2.5 = 12 vCPU needed
    assert json.loads(out)["need_per_instance"]["vcpu"] == pytest.approx(12.0)


def test_rightsize_gpu_type_needs_gpu_figures(capsys) -> None:
    code, out, err = run(capsys, "rightsize", "--instance", "p3.2xlarge", "--cpu-peak", "30",
                         "--memory-peak", "40")
    _one_line_error(code, out, err, "--gpu-peak: required")
