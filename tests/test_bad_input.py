"""Bad input, one minimal reproducer each: no traceback, one printable line naming the field."""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

import pytest

from planner.cli.main import main
from planner.errors import CatalogError, PlanFileError, UnknownNameError
from planner.jsonfile import MAX_DEPTH, decode_json, nesting_depth
from planner.plan import plan_from_dict, plan_from_json
from planner.printable import echo, one_line, printable
from planner.share import (
    MAX_JSON_BYTES,
    MAX_LINK_CHARS,
    decode_plan,
    encode_plan,
    share_link,
)
from planner.workload.records import workload_from_dict

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NESTED = '{"kind":"cpu","vcpu_hours":' + "[" * 990 + "1" + "]" * 990 + "}"
LONG_INT = "1" * 5000
FILE_COMMANDS = [
    ("cost", NESTED), ("compare", NESTED), ("fit", NESTED), ("lifecycle", NESTED),
    ("s3-lifecycle", NESTED), ("cost", LONG_INT), ("compare", LONG_INT),
    ("lifecycle", LONG_INT), ("s3-lifecycle", LONG_INT),
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str) -> None:
    assert code == 2
    assert err.count("\n") == 1 and err.endswith("\n")
    assert "Traceback" not in err and "\x1b" not in err


# --- 1, 2: deeply nested JSON and huge integers ----------------------------------------------------


@pytest.mark.parametrize(("command", "text"), FILE_COMMANDS)
def test_pathological_json_files_are_one_line_errors(capsys, tmp_path, command, text) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, command, str(path))
    assert_one_line_error(code, err)
    assert out == ""


def test_nesting_is_refused_before_parsing() -> None:
    with pytest.raises(PlanFileError, match=f"nested more than {MAX_DEPTH} deep"):
        decode_json(NESTED, source="upload.json")
    # brackets inside strings do not count: '{"a": "[[[["}' is 1 deep
    assert nesting_depth('{"a": "[[[[", "b\\"[": [1]}') == 2
    assert nesting_depth("[" * 5 + "]" * 5) == 5


def test_huge_integer_names_its_field() -> None:
    with pytest.raises(PlanFileError, match=r"duration_months: must be a whole number in \[1, 120\], "
                                            r"got a 5,000-digit number"):
        plan_from_json('{"name": "x", "duration_months": ' + LONG_INT + "}", source="upload")
    with pytest.raises(PlanFileError, match=r"upload: a plan must be a JSON object, got a number"):
        plan_from_json(LONG_INT, source="upload")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_name_their_field(literal: str) -> None:
    with pytest.raises(PlanFileError, match=rf"hours_per_month: must be a number in \[672, 744\], "
                                            rf"got {literal}"):
        plan_from_json('{"name": "x", "hours_per_month": ' + literal + "}", source="p.json")


# --- 3, 5, 6: share links -------------------------------------------------------------------------


def _token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


def test_nested_share_token_is_a_plan_error() -> None:
    with pytest.raises(PlanFileError, match="share link: lists and objects nested"):
        decode_plan(_token(b"[" * 5000))


def test_truncated_share_token_is_refused() -> None:
    plan = plan_from_dict({"name": "cut", "items": [
        {"kind": "compute", "name": f"n{i}", "instance_type": "m5.large"} for i in range(3)]})
    token = encode_plan(plan)
    assert decode_plan(token) == plan
    for cut in range(1, 8):  # zlib's stream end and Adler-32 checksum are in the last 6 bytes
        with pytest.raises(PlanFileError, match="damaged"):
            decode_plan(token[:-cut])
    with pytest.raises(PlanFileError, match="damaged"):  # bytes after the stream's end
        decode_plan(_token(b'{"name":"x"}')[:-2] + "AAAA")


def _big_plan(items: int) -> dict:
    return {"name": "big", "items": [
        {"kind": "s3", "name": f"bucket-{i:04d}-" + "x" * 60, "gb_month": i,
         "unit_prices": {f"dimension_{k}": k for k in range(8)}} for i in range(items)]}


def test_share_refuses_at_encode_what_decode_would_refuse() -> None:
    plan = plan_from_dict(_big_plan(500))
    size = len(json.dumps(plan.model_dump(mode="json"), separators=(",", ":")))
    assert size > MAX_JSON_BYTES  # 500 items of about 600 bytes each
    with pytest.raises(PlanFileError, match="too large to share as a link"):
        encode_plan(plan)


def test_share_link_limit_is_the_whole_link() -> None:
    plan = plan_from_dict({"name": "small"})
    link = share_link(plan, "https://planner.example/Plans?x=1")
    assert link.startswith("https://planner.example/Plans?plan=")
    assert decode_plan(link.split("?plan=", 1)[1]) == plan
    with pytest.raises(PlanFileError, match=f"limit {MAX_LINK_CHARS:,}"):
        share_link(plan, "https://planner.example/" + "p" * MAX_LINK_CHARS)


# --- 4: the snapshot folder is a file -------------------------------------------------------------


def test_data_dir_that_is_a_file(capsys, tmp_path, monkeypatch) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "refresh", "--data-dir", str(afile))
    assert_one_line_error(code, err)
    assert "is a file, not a snapshot folder" in err
    code, _, err = run(capsys, "refresh", "--rollback", "--data-dir", str(afile))
    assert_one_line_error(code, err)
    monkeypatch.setenv("PLANNER_DATA_DIR", str(afile))
    code, _, err = run(capsys, "prices", "--instance", "m5.large")
    assert_one_line_error(code, err)
    assert "it is a file, not a folder" in err
    from planner.catalog import load_catalog

    with pytest.raises(CatalogError):
        load_catalog(afile / "inside")


# --- 8: every list and mapping is bounded ---------------------------------------------------------


def test_huge_lists_and_mappings_are_refused_with_their_size() -> None:
    with pytest.raises(PlanFileError, match=r"architectures: must be a list \(1-2 entries\) of one "
                                            r"of x86_64, arm64, got a list of 100,000 entries"):
        workload_from_dict({"kind": "cpu", "vcpu_hours": 1, "memory_gib": 1,
                            "architectures": ["arm64"] * 100_000})
    prices = {f"k{i}": 1 for i in range(100_000)}
    with pytest.raises(PlanFileError, match=r"items\[0\].unit_prices: must be an object \(up to 50 "
                                            r"entries\).*got a mapping of 100,000 entries"):
        plan_from_dict({"name": "x", "items": [{"kind": "s3", "name": "a", "unit_prices": prices}]})


# --- messages -------------------------------------------------------------------------------------


def test_printable_escapes_terminal_controls() -> None:
    assert printable("a\x1b[2Jb\nc") == "a\\x1b[2Jb\nc"
    assert one_line("a\r\nb\tc\x7f\u202e\u2066") == "a\\x0d\\x0ab\\x09c\\x7f\\u202e\\u2066"
    assert one_line("prix été 東京") == "prix été 東京"  # letters of any script stay
    assert echo(list(range(100_000))) == "a list of 100,000 entries"
    assert len(echo("x" * 1000)) == 60 and echo("x" * 1000).endswith("…")


def test_cost_table_escapes_control_characters(capsys, tmp_path) -> None:
    plan = json.loads((EXAMPLES / "plan_finetune_q1.json").read_text(encoding="utf-8"))
    plan["name"] = "\x1b[2J\rplan\u202e"
    plan["items"][0]["name"] = "\x1b]0;title\x07trainer"
    path = tmp_path / "p.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    code, out, _ = run(capsys, "cost", str(path))
    assert code == 0
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out and "\x07" not in out
    assert "\\x1b[2J\\x0dplan\\u202e" in out and "\\x1b]0;title\\x07trainer" in out


def test_error_with_control_characters_is_one_escaped_line(capsys, tmp_path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"name": "x", "items": [
        {"kind": "compute", "name": "a\nb\x1b[2J", "instance_type": "m5.large"},
        {"kind": "compute", "name": "a\nb\x1b[2J", "instance_type": "m5.large"}]}),
        encoding="utf-8")
    code, _, err = run(capsys, "cost", str(path))
    assert_one_line_error(code, err)
    assert "repeated: a\\x0ab\\x1b[2J" in err


@pytest.mark.parametrize(
    ("policy_change", "message"),
    [
        ({"monthly_ingest_gb": -3}, r"datasets\[0\].monthly_ingest_gb: must be in \[0, 1e\+12\], got -3"),
        ({"monthly_ingest_gb": [1, -2]},
         r"datasets\[0\].monthly_ingest_gb\[1\]: must be in \[0, 1e\+12\], got -2"),
        ({"monthly_ingest_gb": "lots"},
         r"monthly_ingest_gb: must be a number in \[0, 1e\+12\] or a list \(up to 120 entries\) "
         r"of numbers in \[0, 1e\+12\], got 'lots'"),
        ({"read_pct_per_month": {"standard": 101}},
         r"read_pct_per_month\['standard'\]: must be in \[0, 100\], got 101"),
    ],
)
def test_union_list_and_mapping_messages(policy_change, message) -> None:
    from planner.savings.s3_policy import policy_from_dict

    dataset = {"monthly_ingest_gb": 1, "average_object_kb": 512, **policy_change}
    with pytest.raises(PlanFileError, match=message):
        policy_from_dict({"datasets": [dataset]})


def test_mapping_key_message() -> None:
    with pytest.raises(PlanFileError, match=r"items\[0\].unit_prices\['hourly'\] \(the name\): "
                                            r"must be 'hourly_usd', 'upfront_usd', "
                                            r"'on_demand_hourly_usd', 'compute_sp_hourly_usd' or "
                                            r"'ec2_instance_sp_hourly_usd', got 'hourly'"):
        plan_from_dict({"name": "x", "items": [{"kind": "compute", "name": "a",
                                                "instance_type": "m5.large",
                                                "unit_prices": {"hourly": 1}}]})


def test_unknown_instance_type_names_the_item(capsys, tmp_path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"name": "x", "items": [
        {"kind": "compute", "name": "trainer", "instance_type": "m5.xlarg"}]}), encoding="utf-8")
    code, _, err = run(capsys, "cost", str(path))
    assert_one_line_error(code, err)
    assert "items[0] (trainer).instance_type: unknown instance type 'm5.xlarg'" in err


def test_unknown_name_error_keeps_its_class() -> None:
    err = UnknownNameError("instance type", "m5.xlarg", ["m5.xlarge"]).at("items[0].instance_type")
    assert isinstance(err, UnknownNameError)
    assert str(err) == ("items[0].instance_type: unknown instance type 'm5.xlarg'; "
                        "did you mean m5.xlarge?")


@pytest.mark.parametrize("value", ["-inf", "-5", "-1e3", "nan", "inf"])
def test_negative_looking_numbers_are_values(capsys, value: str) -> None:
    code, _, err = run(capsys, "compare", str(EXAMPLES / "workload_training_7b.json"),
                       "--max-hours", value)
    assert_one_line_error(code, err)
    assert "--max-hours: must be" in err and "(0, 1e+07]" in err


# --- the CLI table never cuts a value -------------------------------------------------------------


def test_table_wraps_names_and_text_instead_of_cutting() -> None:
    from planner.cli.output import to_table

    rows = [{"instance_type": "g5.48xlarge", "result": "fits on 1 instance(s)",
             "unused_commitment_total_usd": 1234.5, "note": "a long note " * 4}]
    columns = ["instance_type", "result", "unused_commitment_total_usd", "note"]
    wide = to_table(rows, columns, width=200)
    assert "g5.48xlarge" in wide and "fits on 1 instance(s)" in wide and "…" not in wide
    assert wide.splitlines()[0].split() == columns  # room enough: names on one line
    # 80 columns: the names wrap after their underscores, the note wraps at spaces (to 24
    # characters: 11 + 21 + 11 + 24 + 3 × 2 = 73 ≤ 80); every value is still there whole
    narrow = to_table(rows, columns, width=80)
    text = " ".join(narrow.split())
    assert "…" not in narrow and "g5.48xlarge" in narrow and "fits on 1 instance(s)" in narrow
    assert "unused_" in narrow.splitlines()[0] and "1,234.50" in narrow
    assert all(len(line) <= 80 for line in narrow.splitlines())
    assert text.count("a long note") == 4
    # 30 columns: what cannot fit is left out whole, and the last line says which
    tiny = to_table(rows, columns, width=30)
    assert tiny.splitlines()[-1].startswith("(left out to fit 30 columns:")
    assert "g5.48xlarge" in tiny and "fits on 1 instance(s)" in tiny


def test_field_bounds_are_the_schema_bounds() -> None:
    from planner.savings.lifecycle import SavingsPlanPart, Usage
    from planner.validation import field_bounds

    assert field_bounds(Usage, "count") == (0, 100_000)
    assert field_bounds(Usage, "monthly_growth_pct") == (-50, 100)
    assert field_bounds(Usage, "usage_hours_per_month") == (0, 730)  # (0, 730]: open at 0
    assert field_bounds(SavingsPlanPart, "discount_pct") == (0, 100)  # inside X | None
