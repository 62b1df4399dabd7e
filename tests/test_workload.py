"""Workload records: validation errors name the field and the allowed range."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.errors import PlanFileError
from planner.workload.records import (
    CpuWorkload,
    InferenceWorkload,
    TrainingBaselineWorkload,
    TrainingWorkload,
    load_workload,
    workload_from_dict,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

TRAINING = {"kind": "training", "parameters": 7e9, "tokens": 2e12, "precision": "bf16"}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("workload_training_7b.json", TrainingWorkload),
        ("workload_inference_8b.json", InferenceWorkload),
        ("workload_baseline.json", TrainingBaselineWorkload),
        ("workload_cpu.json", CpuWorkload),
    ],
)
def test_examples_load(name: str, kind: type) -> None:
    assert isinstance(load_workload(EXAMPLES / name), kind)


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("workload_*.json")))
def test_a_kind_validates_alone_as_the_tagged_union_does(name: str) -> None:
    from planner.workload.records import _union

    data = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    workload = workload_from_dict(data)
    assert workload == _union().validate_python(data)
    assert type(workload) is type(_union().validate_python(data))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({k: v for k, v in TRAINING.items() if k != "kind"}, r"kind: required field is missing"),
        ({**TRAINING, "kind": ["training"]}, r"kind: must be one of training, training_baseline"),
        ({**TRAINING, "parameters": -1}, r"parameters: must be in \(0, 1e\+13\], got -1"),
        ({"kind": "cpu", "vcpu_hours": 1, "memory_gib": 1, "spare": 1}, r"spare: unknown field"),
    ],
)
def test_kind_errors_read_as_before(data: dict[str, object], message: str) -> None:
    with pytest.raises(PlanFileError, match=r"^workload: " + message):
        workload_from_dict(data)


def test_reading_one_kind_builds_only_its_validator() -> None:
    code = (
        "from planner.workload import records as r;"
        f"r.load_workload({str(EXAMPLES / 'workload_cpu.json')!r});"
        "print([m.__name__ for m in r._MODELS.values() if m.__pydantic_complete__])"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "['CpuWorkload']"


def test_total_flops_6nd() -> None:
    # 6 × 7e9 × 2e12 = 8.4e22 FLOP
    workload = workload_from_dict(TRAINING)
    assert isinstance(workload, TrainingWorkload)
    assert workload.total_flops == pytest.approx(8.4e22)


def test_flops_per_token() -> None:
    # token route: 6·N = 6 × 7e9 = 4.2e10 FLOP/token; with the shape (L 32, s 2048, d 4096) the
    # attention term adds 12 × 32 × 2048 × 4096 = 3,221,225,472 → 45,221,225,472 FLOP/token
    plain = workload_from_dict(TRAINING)
    assert isinstance(plain, TrainingWorkload)
    assert plain.flops_per_token == pytest.approx(4.2e10)
    shaped = workload_from_dict(
        {**TRAINING, "layers": 32, "sequence_length": 2048, "hidden_size": 4096}
    )
    assert isinstance(shaped, TrainingWorkload)
    assert shaped.flops_per_token == pytest.approx(45_221_225_472)
    # × 2e12 tokens = 9.0442e22 FLOP
    assert shaped.total_flops == pytest.approx(45_221_225_472 * 2e12)
    # attention_flops off → 6·N again
    off = TrainingWorkload(**{**shaped.model_dump(), "attention_flops": False})
    assert off.flops_per_token == pytest.approx(4.2e10)


def test_baseline_takes_the_shared_training_fields() -> None:
    # global batch and byte overrides are on every training workload, measured ones included
    baseline = workload_from_dict(
        {"kind": "training_baseline", "baseline_instance_type": "p4d.24xlarge",
         "baseline_hours": 5, "global_batch_tokens": 1e6, "weight_bytes_per_parameter": 2}
    )
    assert isinstance(baseline, TrainingBaselineWorkload)
    assert baseline.global_batch_tokens == 1e6
    assert baseline.weight_bytes_per_parameter == 2
    assert TrainingWorkload(parameters=7e9, tokens=2e12).global_batch_tokens == 4_194_304


def test_total_flops_from_samples() -> None:
    # 1e6 samples × 3 epochs × 2e12 FLOP/sample = 6e18 FLOP
    workload = workload_from_dict(
        {"kind": "training", "parameters": 1e8, "samples": 1e6, "epochs": 3,
         "flops_per_sample": 2e12}
    )
    assert isinstance(workload, TrainingWorkload)
    assert workload.total_flops == pytest.approx(6e18)
    assert workload.flops_per_token is None  # no per-token figure on the samples route


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"parameters": 0}, r"parameters: must be in \(0, 1e\+13\], got 0"),
        ({"parameters": -5}, r"parameters: must be in \(0, 1e\+13\], got -5"),
        ({"parameters": 1e30}, r"parameters: must be in \(0, 1e\+13\], got 1e\+30"),
        ({"tokens": -1.0}, r"tokens: must be in \(0, 1e\+16\], got -1.0"),
        ({"precision": "fp4"}, r"precision: must be 'fp32', 'tf32', .*got 'fp4'"),
        ({"sharding": "zero9"}, r"sharding: must be"),
        ({"colour": "red"}, r"colour: unknown field"),
        ({"deadline_hours": 0}, r"deadline_hours: must be in \(0, 1e\+06\]"),
        ({"mfu": 1.5}, r"mfu: must be in \(0, 1\], got 1.5"),
    ],
)
def test_bad_training_fields(change: dict[str, object], message: str) -> None:
    with pytest.raises(PlanFileError, match=message):
        workload_from_dict({**TRAINING, **change})


def test_missing_field_names_it_and_range() -> None:
    data = dict(TRAINING)
    del data["parameters"]
    with pytest.raises(PlanFileError, match=r"parameters: required field is missing \(allowed"):
        workload_from_dict(data)


def test_missing_tokens() -> None:
    data = dict(TRAINING)
    del data["tokens"]
    with pytest.raises(PlanFileError, match=r"workload: tokens: give tokens"):
        workload_from_dict(data)


def test_unknown_kind() -> None:
    with pytest.raises(PlanFileError, match=r"kind: must be one of training, training_baseline"):
        workload_from_dict({**TRAINING, "kind": "finetune"})


def test_absurd_compute() -> None:
    # 1e13 parameters × 1e16 tokens × 6 = 6e29 is allowed; every field in range on the samples
    # route, but 1e9 samples × 1e22 FLOP/sample × 1e6 epochs = 1e37 FLOP > MAX_FLOPS = 1e30
    assert workload_from_dict({**TRAINING, "parameters": 1e13, "tokens": 1e16}).total_flops == (
        pytest.approx(6e29)
    )
    with pytest.raises(PlanFileError, match=r"total training compute 1e\+37 FLOP is above 1e\+30"):
        workload_from_dict(
            {"kind": "training", "parameters": 1e9, "samples": 1e9, "flops_per_sample": 1e22,
             "epochs": 1e6}
        )


def test_inference_kv_heads_bound() -> None:
    with pytest.raises(PlanFileError, match=r"kv_heads: must be in \[1, attention_heads = 8\]"):
        workload_from_dict(
            {"kind": "inference", "parameters": 1e9, "layers": 2, "hidden_size": 64,
             "attention_heads": 8, "kv_heads": 16, "requests_per_second": 1,
             "input_tokens": 10, "output_tokens": 10}
        )


def test_hourly_shape_length() -> None:
    expected = r"hourly_shape: must be a list \(24 entries\) of numbers in \[0, 1\], got \[1.0\]"
    with pytest.raises(PlanFileError, match=expected):
        workload_from_dict(
            {"kind": "inference", "parameters": 1e9, "layers": 2, "hidden_size": 64,
             "requests_per_second": 1, "input_tokens": 10, "output_tokens": 10,
             "hourly_shape": [1.0]}
        )


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="no such file"):
        load_workload(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(PlanFileError, match="not valid JSON"):
        load_workload(bad)
    nan = tmp_path / "nan.json"
    nan.write_text(json.dumps(TRAINING).replace("7000000000.0", "NaN"), encoding="utf-8")
    # NaN is not JSON: the error names the field that holds it and that field's range
    with pytest.raises(PlanFileError, match=r"parameters: must be a number in \(0, 1e\+13\], got NaN"):
        load_workload(nan)
    version = tmp_path / "v2.json"
    version.write_text(json.dumps({**TRAINING, "schema_version": 2}), encoding="utf-8")
    with pytest.raises(PlanFileError, match="schema_version"):
        load_workload(version)
