"""``planner compare`` and ``planner fit`` end to end on the shipped snapshot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _write(tmp_path: Path, data: dict[str, object]) -> str:
    path = tmp_path / "w.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "name", ["training_7b", "inference_8b", "baseline", "cpu"]
)
def test_compare_json_carries_assumptions(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compare", str(EXAMPLES / f"workload_{name}.json"), "--format", "json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["row_count"] == len(out["rows"]) > 0
    assumptions = out["assumptions"]
    assert assumptions["region"] == "us-east-1"
    assert assumptions["snapshot_as_of"]
    assert "performance" in assumptions and "spot" in assumptions
    assert {"price not in snapshot", "snapshot"} <= {r["price_status"] for r in out["rows"]}
    assert any(r["pareto"] for r in out["rows"])


def test_compare_table_top(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compare", str(EXAMPLES / "workload_training_7b.json"), "--top", "3",
                 "--family", "p5", "--family", "trn1"])
    assert code == 0
    out = capsys.readouterr().out
    assert "3 of " in out
    lines = out.split("\n")
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))  # names may wrap
    rows = [line for line in lines[rule + 1:] if line and not line.startswith(" ")]  # wrapped cells
    body = rows[:3]
    assert all(line.startswith(("p5", "trn1")) for line in body), body


def test_compare_csv_all_regions(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compare", str(EXAMPLES / "workload_baseline.json"), "--region", "all",
                 "--format", "csv", "--accelerator", "H100"])
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("region,instance_type")
    assert len({line.split(",")[0] for line in lines[1:]}) > 1


def test_fit_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit", str(EXAMPLES / "workload_training_7b.json"), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["assumptions"]["checked"] is True
    assert any(r["fits"] for r in out["rows"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "training", "parameters": 0, "tokens": 1e9}, "parameters: must be in (0, 1e+13]"),
        ({"kind": "training", "parameters": 1e30, "tokens": 1e9},
         "parameters: must be in (0, 1e+13], got 1e+30"),
        ({"kind": "training", "tokens": 1e9}, "parameters: required field is missing"),
        ({"kind": "training", "parameters": 1e9, "tokens": -3}, "tokens: must be in (0, 1e+16]"),
        ({"kind": "training_baseline", "baseline_instance_type": "p3.2xlarge",
          "baseline_hours": 5, "precision": "fp8"},
         "precision: fp8 is not supported by NVIDIA V100 16GB on p3.2xlarge"),
    ],
)
def test_bad_workload_one_line_exit_2(
    tmp_path: Path, data: dict[str, object], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["compare", _write(tmp_path, data)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err
    assert "Traceback" not in err


def test_fp8_on_p3_family(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, {"kind": "training", "parameters": 1e9, "tokens": 1e9,
                             "precision": "fp8"})
    assert main(["compare", path, "--family", "p3"]) == 2
    err = capsys.readouterr().err
    assert "precision: fp8 is not supported by the selected chips" in err
    assert err.count("\n") == 1


def test_bad_region(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compare", str(EXAMPLES / "workload_cpu.json"), "--region", "us-east-9"])
    assert code == 2
    assert "unknown region" in capsys.readouterr().err


def test_compare_loads_only_what_it_uses() -> None:
    # a cold `planner compare` of CPU work over every region: no UI, plotting, store or database
    # packages, and none of the training/serving models a CPU workload does not use
    code = "\n".join([
        "import contextlib, io, sys",
        "from planner.cli.main import main",
        "out = io.StringIO()",
        "with contextlib.redirect_stdout(out):",
        f"    code = main(['compare', {str(EXAMPLES / 'workload_cpu.json')!r}, '--region', 'all'])",
        "assert code == 0 and 'rows shown' in out.getvalue(), out.getvalue()",
        "unwanted = ('streamlit', 'plotly', 'sqlalchemy', 'alembic', 'planner.store',",
        "            'planner.workload.training_figures', 'planner.workload.serving_figures',",
        "            'planner.perf.layout', 'planner.catalog.query')",
        "print(','.join(m for m in unwanted if m in sys.modules))",
    ])
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          check=True)
    assert proc.stdout.strip() == ""


def test_a_process_prints_everything_and_exits_with_the_code() -> None:
    # `python -m planner` freezes what is alive before the interpreter exits: the output is whole
    # (every CSV row), and a user error still exits 2 with its one line
    data = EXAMPLES / "workload_baseline.json"
    proc = subprocess.run(
        [sys.executable, "-m", "planner", "compare", str(data), "--region", "all", "--format",
         "csv"], capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert proc.returncode == 0 and proc.stderr == ""
    from planner.catalog import load_catalog
    from planner.workload.compare import compare
    from planner.workload.records import load_workload

    rows = compare(load_workload(data), load_catalog(), region=None).row_count
    assert proc.stdout.count("\n") == rows + 1  # header + one line per row (no multi-line cells)
    bad = subprocess.run(
        [sys.executable, "-m", "planner", "compare", str(data), "--region", "us-east-9"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("planner compare: error: ")


def test_main_with_arguments_leaves_the_collector_alone(capsys: pytest.CaptureFixture[str]) -> None:
    import gc

    before = gc.get_freeze_count()
    assert main(["compare", str(EXAMPLES / "workload_cpu.json"), "--top", "1"]) == 0
    assert gc.get_freeze_count() == before


def test_cli_output_is_escaped_as_printable_escapes_it() -> None:
    # the CLI's stdout escapes line by line (fast for a 70,000-line CSV); the text is the same
    import io
    import random

    from planner.cli.main import _Printable
    from planner.printable import printable

    pieces = ["a", "\n", "\n\n", "\r", "\x1b[2J", "\t", "\x7f", "\x85", "\u202e", "\u2028",
              "\u2029", "\u061c", "\ud800", "é", "—", "\u00a0", " ", "\U0001f600"]
    rng = random.Random(15)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        out = io.StringIO()
        assert _Printable(out).write(text) == len(text)
        assert out.getvalue() == printable(text), repr(text)
