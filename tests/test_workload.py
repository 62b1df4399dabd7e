"""Workload records: validation errors name the field and the allowed range."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.errors import PlanFileError
from planner.workload import (
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


def test_total_flops_6nd() -> None:
    # 6 × 7e9 × 2e12 = 8.4e22 FLOP
    workload = workload_from_dict(TRAINING)
    assert isinstance(workload, TrainingWorkload)
    assert workload.total_flops == pytest.approx(8.4e22)


def test_total_flops_from_samples() -> None:
    # 1e6 samples × 3 epochs × 2e12 FLOP/sample = 6e18 FLOP
    workload = workload_from_dict(
        {"kind": "training", "parameters": 1e8, "samples": 1e6, "epochs": 3,
         "flops_per_sample": 2e12}
    )
    assert isinstance(workload, TrainingWorkload)
    assert workload.total_flops == pytest.approx(6e18)


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
    # 1e13 parameters × 1e16 tokens × 6 = 6e29 is allowed; flops_per_sample route above 1e30 is not
    with pytest.raises(PlanFileError, match=r"flops_per_sample: must be in \(0, 1e\+24\]"):
        workload_from_dict(
            {"kind": "training", "parameters": 1e9, "samples": 1e9, "flops_per_sample": 1e25}
        )


def test_inference_kv_heads_bound() -> None:
    with pytest.raises(PlanFileError, match=r"kv_heads: must be in \[1, attention_heads = 8\]"):
        workload_from_dict(
            {"kind": "inference", "parameters": 1e9, "layers": 2, "hidden_size": 64,
             "attention_heads": 8, "kv_heads": 16, "requests_per_second": 1,
             "input_tokens": 10, "output_tokens": 10}
        )


def test_hourly_shape_length() -> None:
    with pytest.raises(PlanFileError, match=r"hourly_shape: List should have at least 24"):
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
    with pytest.raises(PlanFileError, match="not valid JSON"):
        load_workload(nan)
    version = tmp_path / "v2.json"
    version.write_text(json.dumps({**TRAINING, "schema_version": 2}), encoding="utf-8")
    with pytest.raises(PlanFileError, match="schema_version"):
        load_workload(version)
