"""Property tests: every input surface survives generated bad input.

Surfaces: plan, workload, lifecycle-profile and S3-policy documents (as files through every CLI
command that reads them, and as uploads), share tokens, and the arguments of every command. Bad
documents are made by mutating the shipped examples (a node replaced by a strange value, a key
dropped or added, a list blown up, raw text spliced in: 5,000-digit integers, deep nesting, NaN).

The properties: no traceback ever; a refusal is exit code 2 with exactly one printable line on
stderr (no raw control characters, at most :data:`MAX_MESSAGE_CHARS`); whatever is printed on
success is printable too; and input that breaks a rule every schema has (a non-finite number, a
list of more than 500 entries, a 5,000-digit integer, nesting over 32) is never accepted.
``max_examples`` is kept modest so the whole file runs in well under a minute; set
``PLANNER_FUZZ_SCALE=20`` for a deep run (twenty times as many inputs).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planner.catalog
from planner.cli.main import main
from planner.errors import PlanFileError, PlannerError, RefreshError
from planner.jsonfile import decode_json
from planner.plan import plan_from_json
from planner.plan_check import price_plan
from planner.printable import printable
from planner.share import decode_plan, encode_plan

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
MAX_MESSAGE_CHARS = 700
"""Longest error line accepted: source path + field path + allowed range + a capped echo."""

DOCUMENTS = {
    "cost": ["plan_finetune_q1.json"],
    "compare": ["workload_training_7b.json", "workload_inference_8b.json", "workload_cpu.json",
                "workload_baseline.json"],
    "fit": ["workload_training_7b.json", "workload_inference_8b.json", "workload_baseline.json"],
    "lifecycle": ["lifecycle_m5_fleet.json", "lifecycle_p4d_training.json"],
    "s3-lifecycle": ["s3_policy_small_logs.json", "s3_policy_training_data.json"],
}
SEEDS = {name: json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
         for names in DOCUMENTS.values() for name in names}
SCALE = max(1, int(os.environ.get("PLANNER_FUZZ_SCALE", "1")))
SETTINGS = settings(max_examples=60 * SCALE, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
RAW = "@@RAW@@"
"""Marker of a node whose JSON text is spliced in raw after json.dumps (not valid Python data)."""

_RAW_STRING = re.compile('"' + RAW + r'((?:[^"\\]|\\.)*)"')
GENERATED: dict[str, int] = {}
"""Inputs generated per surface in this run (reported by the last test)."""


@pytest.fixture(scope="module", autouse=True)
def shipped_catalog() -> Iterator[None]:
    """Load the shipped snapshot once; every command run in this module reuses it."""
    catalog = planner.catalog.load_catalog()
    original = planner.catalog.load_catalog
    planner.catalog.load_catalog = lambda *args, **kwargs: catalog  # type: ignore[assignment]
    try:
        yield
    finally:
        planner.catalog.load_catalog = original  # type: ignore[assignment]


def count(surface: str) -> None:
    GENERATED[surface] = GENERATED.get(surface, 0) + 1


# --- strategies -----------------------------------------------------------------------------------

STRANGE_TEXT = st.sampled_from([
    "", " ", "\x1b[2J", "a\rb", "\u202eevil", "\u2066x\u2069", "\x00", "\x7f", "x" * 5000,
    "m5.large", "p4d.24xlarg", "us-east-9", "on_demand", "reserved", "savings_plan", "gp2", "-1",
    "NaN", "1e999", "=cmd|' /C calc'!A0", "\ud7ff", "名前",
])
RAW_TEXTS = st.sampled_from([
    "1" * 5000, "-" + "9" * 400, "NaN", "Infinity", "-Infinity", "1e999", "-1e999",
    "[" * 100 + "]" * 100, "[" * 2000 + "]" * 2000, '{"a":' * 40 + "1" + "}" * 40, "1.5e-400",
])
SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**16, -(10**16)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), STRANGE_TEXT,
    RAW_TEXTS.map(lambda raw: RAW + raw),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _replace(node: Any, path: tuple[Any, ...], make: Any) -> Any:
    if not path:
        return make(node)
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[path[0]] = _replace(node[path[0]], path[1:], make)
    return copy


@st.composite
def mutated(draw: st.DrawFn, seed: dict[str, Any]) -> Any:
    """``seed`` with one to three mutations at random places."""
    doc: Any = seed
    blown_up = False
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(doc))
        path = draw(st.sampled_from(paths))
        kinds = ["replace", "replace", "replace", "drop", "add"] + ([] if blown_up else ["blow_up"])
        kind = draw(st.sampled_from(kinds))
        blown_up = blown_up or kind == "blow_up"  # once: a list of lists of 2,000 is slow to make
        if kind == "replace" or (not path and kind == "drop"):
            value = draw(VALUES)
            doc = _replace(doc, path, lambda _old, v=value: v)
        elif kind == "drop":
            parent, last = path[:-1], path[-1]

            def drop(node: Any, last: Any = last) -> Any:
                copy = dict(node) if isinstance(node, dict) else list(node)
                del copy[last]
                return copy

            doc = _replace(doc, parent, drop)
        elif kind == "add":
            key, value = draw(st.text(max_size=12)), draw(VALUES)
            doc = _replace(doc, path, lambda old, k=key, v=value: (
                {**old, k: v} if isinstance(old, dict) else [*old, v] if isinstance(old, list)
                else {k: v}))
        else:
            times = draw(st.sampled_from([501, 2000]))
            doc = _replace(doc, path, lambda old, n=times: [old] * n)
    return doc


def to_text(doc: Any) -> str:
    """JSON text of ``doc`` with the RAW-marked strings spliced in as raw text."""
    return _RAW_STRING.sub(lambda m: json.loads(f'"{m.group(1)}"'), json.dumps(doc, allow_nan=True))


def _never_valid(node: Any, depth: int = 0) -> bool:
    """True when ``node`` breaks a rule every schema has: so it must be refused."""
    if depth > 30:
        return True
    if isinstance(node, float):
        return not math.isfinite(node)
    if isinstance(node, int) and not isinstance(node, bool):
        return abs(node) > 10**40
    if isinstance(node, str):
        return (node.startswith(RAW) and any(
            node.endswith(x) for x in ("NaN", "Infinity", "1e999", "9" * 400, "1" * 5000)
        )) or node.startswith(RAW + "[" * 2000)
    if isinstance(node, list):
        return len(node) > 500 or any(_never_valid(v, depth + 1) for v in node)
    if isinstance(node, dict):
        return len(node) > 500 or any(_never_valid(v, depth + 1) for v in node.values())
    return False


# --- checks -----------------------------------------------------------------------------------------


def assert_one_line(message: str) -> None:
    assert "\n" not in message, message
    assert printable(message, keep="") == message, repr(message)
    assert len(message) <= MAX_MESSAGE_CHARS, len(message)


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def assert_cli_outcome(code: int, out: str, err: str, *, must_fail: bool = False) -> None:
    assert code in (0, 2), (code, err)
    if code == 2:
        assert err.endswith("\n") and err.count("\n") == 1, err
        assert_one_line(err[:-1])
    else:
        assert not must_fail, f"accepted invalid input; printed {out[:300]!r}"
        assert printable(out) == out, "raw control characters on stdout"


# --- documents through every command that reads them ----------------------------------------------

CASES = [(command, name) for command, names in DOCUMENTS.items() for name in names]


@pytest.mark.parametrize(("command", "seed_name"), CASES)
@SETTINGS
@given(data=st.data())
def test_documents_through_the_cli(tmp_path: Path, command: str, seed_name: str, data) -> None:
    doc = data.draw(mutated(SEEDS[seed_name]))
    path = tmp_path / "input.json"
    path.write_text(to_text(doc), encoding="utf-8")
    fmt = data.draw(st.sampled_from(["table", "json", "csv"]))
    code, out, err = run_cli(command, str(path), "--format", fmt)
    count(f"{command} file" + (" (accepted)" if code == 0 else ""))
    assert_cli_outcome(code, out, err, must_fail=_never_valid(doc))


# --- uploads and share links --------------------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_plan_uploads_and_their_share_links(data) -> None:
    """An upload is validated like a file; a plan that validates is priced or gets one problem
    per item, and its share link either opens the same plan or is refused at encode time."""
    doc = data.draw(mutated(SEEDS["plan_finetune_q1.json"]))
    raw = to_text(doc).encode("utf-8")
    count("plan upload")
    try:
        plan = plan_from_json(raw, source="upload.json")
    except PlanFileError as exc:
        assert_one_line(str(exc))
        return
    assert not _never_valid(doc)
    priced = price_plan(plan, planner.catalog.load_catalog())
    for problem in priced.problems.values():
        assert_one_line(problem)
    try:
        token = encode_plan(plan)
    except PlanFileError as exc:
        assert_one_line(str(exc))
        return
    assert decode_plan(token) == plan


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_uploaded_bytes(raw: bytes) -> None:
    count("upload bytes")
    try:
        plan_from_json(raw, source="upload.json")
    except PlanFileError as exc:
        assert_one_line(str(exc))


def _token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


GOOD_TOKEN = encode_plan(plan_from_json(json.dumps(SEEDS["plan_finetune_q1.json"]), source="x"))


@settings(max_examples=150 * SCALE, deadline=None, derandomize=True)
@given(token=st.one_of(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=",
            max_size=200),
    st.text(max_size=50),
    st.integers(1, len(GOOD_TOKEN) - 1).map(lambda cut: GOOD_TOKEN[:-cut]),
    st.integers(0, len(GOOD_TOKEN) - 1).map(lambda i: GOOD_TOKEN[:i] + "A" + GOOD_TOKEN[i + 1:]),
    st.sampled_from(["1" * 5000, "[" * 3000, "NaN", '{"name":"x","items":' + "[" * 50]).map(
        lambda t: _token(t.encode())),
))
def test_share_tokens(token: str) -> None:
    count("share token")
    try:
        plan = decode_plan(token)
    except PlanFileError as exc:
        assert_one_line(str(exc))
        return
    # a token that opens must be one that carries a whole, valid plan: re-encoding gives it back
    assert decode_plan(encode_plan(plan)) == plan
    assert token.rstrip("=") == GOOD_TOKEN or len(token) > 0


@pytest.mark.parametrize("seed_name", ["plan_finetune_q1.json"])
@settings(max_examples=60 * SCALE, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_share_links_of_mutated_plans(seed_name: str, data) -> None:
    doc = data.draw(mutated(SEEDS[seed_name]))
    count("share link of a mutated plan")
    try:
        decode_plan(_token(to_text(doc).encode()))
    except PlanFileError as exc:
        assert_one_line(str(exc))
        return
    assert not _never_valid(doc)


# --- arguments of every command -----------------------------------------------------------------------

NUMBERS = st.one_of(
    st.sampled_from(["-inf", "inf", "nan", "-nan", "1e999", "-1e999", "-0", "0", "1", "-1", "-5",
                     "1e3", "-1e3", "0.5", "1e7", "10000001", "65536", "99999999999999999999"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**12), 10**12).map(str),
    STRANGE_TEXT,
)
OPTIONS: dict[str, dict[str, Any]] = {
    "prices": {"--region": STRANGE_TEXT, "--family": STRANGE_TEXT, "--instance": STRANGE_TEXT,
               "--option": STRANGE_TEXT},
    "cost": {},
    "compare": {"--region": STRANGE_TEXT, "--top": NUMBERS, "--family": STRANGE_TEXT,
                "--accelerator": STRANGE_TEXT, "--max-hours": NUMBERS, "--max-budget": NUMBERS},
    "fit": {},
    "lifecycle": {"--monthly": None},
    "s3-lifecycle": {"--by-class": None},
    "rightsize": {"--instance": st.sampled_from(["m5.4xlarge", "p3.8xlarge", "x\x1b"]),
                  "--count": NUMBERS, "--hours": NUMBERS, "--region": STRANGE_TEXT,
                  "--cpu-peak": NUMBERS, "--cpu-avg": NUMBERS, "--memory-peak": NUMBERS,
                  "--memory-avg": NUMBERS, "--gpu-peak": NUMBERS, "--gpu-memory-peak": NUMBERS,
                  "--headroom": NUMBERS, "--size-on": STRANGE_TEXT, "--limit": NUMBERS},
    "refresh": {"--regions": STRANGE_TEXT, "--families": STRANGE_TEXT, "--tables": STRANGE_TEXT,
                "--pricing-region": STRANGE_TEXT, "--days": NUMBERS, "--source": STRANGE_TEXT,
                "--rollback": None, "--data-dir": STRANGE_TEXT},
    "app": {"--port": NUMBERS},
}
POSITIONAL = {"cost": "plan_finetune_q1.json", "compare": "workload_inference_8b.json",
              "fit": "workload_training_7b.json", "lifecycle": "lifecycle_m5_fleet.json",
              "s3-lifecycle": "s3_policy_small_logs.json"}


def _in_range(text: str, low: float, high: float, *, whole: bool = False) -> bool:
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        return False
    return math.isfinite(value) and low <= value <= high and not (low == 0 and value == 0)


ORACLES = {
    ("compare", "--max-hours"): lambda t: _in_range(t, 0, 1e7),
    ("compare", "--max-budget"): lambda t: _in_range(t, 0, 1e12),
    ("compare", "--top"): lambda t: _in_range(t, 0, math.inf, whole=True) or t.strip() == "0",
    ("app", "--port"): lambda t: _in_range(t, 1, 65535, whole=True),
}
"""Flags whose allowed range is known here: a value outside it must be refused."""


@pytest.fixture
def no_side_effects(monkeypatch: pytest.MonkeyPatch) -> None:
    """`app` must not replace the test process, `refresh` must not reach AWS."""
    import planner.cli.cmd_app
    import planner.refresh.run

    def stop(*_args: Any, **_kwargs: Any) -> Any:
        raise RefreshError("stubbed in tests")

    monkeypatch.setattr(planner.cli.cmd_app.os, "execv", lambda *_a: None)
    monkeypatch.setattr(planner.refresh.run, "refresh", stop)
    monkeypatch.setattr(planner.refresh.run, "rollback", stop)


@pytest.mark.parametrize("command", list(OPTIONS))
@settings(max_examples=40 * SCALE, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_arguments_of_every_command(no_side_effects: None, command: str, data) -> None:
    argv = [command]
    if command in POSITIONAL:
        argv.append(data.draw(st.sampled_from(
            [str(EXAMPLES / POSITIONAL[command]), "", "/nonexistent/x.json", str(EXAMPLES),
             "\x1b[2J.json", "-"])))
    chosen = data.draw(st.lists(st.sampled_from(sorted(OPTIONS[command])), max_size=4,
                                unique=True)) if OPTIONS[command] else []
    must_fail = False
    for flag in chosen:
        values = OPTIONS[command][flag]
        if values is None:
            argv.append(flag)
            continue
        value = data.draw(values)
        argv += [flag, value]
        oracle = ORACLES.get((command, flag))
        must_fail = must_fail or (oracle is not None and not oracle(value))
    if command == "prices" and not {"--family", "--instance"} & set(chosen):
        argv += ["--family", "p4d"]  # the whole snapshot (60,000 rows) is slow to print
    if command == "rightsize" and "--instance" not in chosen:
        argv += ["--instance", "m5.4xlarge", "--cpu-peak", "30", "--memory-peak", "40"]
    argv += data.draw(st.sampled_from([[], ["--format", "json"], ["--format", "csv"],
                                       ["--format", "\x1b"]]))
    code, out, err = run_cli(*argv)
    count(f"{command} arguments" + (" (accepted)" if code == 0 else ""))
    assert_cli_outcome(code, out, err, must_fail=must_fail)


def test_zz_report_how_many_inputs_were_generated(capsys) -> None:
    """Prints the count per surface (``pytest -s`` shows it); runs last in this file."""
    with capsys.disabled():
        total = sum(GENERATED.values())
        print(f"\ngenerated bad inputs: {total:,} — "
              + ", ".join(f"{k} {v}" for k, v in sorted(GENERATED.items())))
    assert total > 0 or not GENERATED


def test_raw_splicing_helper() -> None:
    """to_text splices the raw markers in: the text really holds what the strategies promise."""
    text = to_text({"a": RAW + "1" * 5000, "b": [RAW + "NaN"]})
    assert text == '{"a": ' + "1" * 5000 + ', "b": [NaN]}'
    with pytest.raises(PlannerError):
        decode_json('{"a": ' + "[" * 40 + "]" * 40 + "}", source="x")
