"""Weight-only quantisation for serving: stored weight bytes in the memory fit and the decode
roofline, compute at the activation precision."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.errors import PlanFileError
from planner.workload.compare import compare, fit_table
from planner.workload.memory import inference_weight_bytes
from planner.workload.records import InferenceWorkload, Precision, workload_from_dict
from tests.workload_fixtures import make_workload_catalog

CATALOG = make_workload_catalog()
SHAPE = {
    "parameters": 14e9, "layers": 40, "hidden_size": 5120, "attention_heads": 40, "kv_heads": 8,
    "requests_per_second": 1.0, "input_tokens": 100, "output_tokens": 100, "max_batch_size": 1,
    "precision": Precision.FP16,
}


def _p3(rows: pd.DataFrame) -> pd.Series:
    row = rows[rows["instance_type"] == "p3.2xlarge"]
    if "purchase_option" in row:
        row = row[row["purchase_option"] == "on_demand"]
    assert len(row) == 1
    return row.iloc[0]


def test_weight_bytes_by_precision() -> None:
    # 14e9 × 2 (fp16, default) = 2.8e10 B; int8 × 1 = 1.4e10 B; int4 × 0.5 = 7e9 B
    assert inference_weight_bytes(InferenceWorkload(**SHAPE)) == 2.8e10
    assert inference_weight_bytes(InferenceWorkload(**SHAPE, weight_precision="int8")) == 1.4e10
    assert inference_weight_bytes(InferenceWorkload(**SHAPE, weight_precision="fp8")) == 1.4e10
    assert inference_weight_bytes(InferenceWorkload(**SHAPE, weight_precision="int4")) == 7e9


def test_int4_weights_fit_and_halve_the_bytes_read_per_token() -> None:
    # p3.2xlarge: 1 × V100 16 GiB, usable 16 × 0.9 = 14.4 GiB = 1.5462e10 B.
    # fp16 weights 2.8e10 B do not fit; int4 7e9 B + KV 200 × 163,840 B (2 B × 2 × 40 × 5120 ×
    # 8/40) = 7.0328e9 B do. Decode, batch 1, average context 100 + 100/2 = 150 tokens:
    # t_m = (7e9 + 150 × 163,840) / (900e9 × 0.7) = 7.024576e9 / 6.3e11 = 11.1501 ms;
    # t_c = 2 × 14e9 / (125e12 fp16 × 0.5) = 0.448 ms → memory-bound, 11.1501 ms per token
    full = _p3(fit_table(InferenceWorkload(**SHAPE), CATALOG))
    assert not bool(full["fits"])
    assert _p3(fit_table(InferenceWorkload(**SHAPE, weight_precision="int4"), CATALOG))["fits"]
    result = compare(InferenceWorkload(**SHAPE, weight_precision="int4"), CATALOG)
    row = _p3(result.rows)
    assert row["tpot_ms"] == pytest.approx(7.024576e9 / 6.3e11 * 1000)
    assert row["tpot_ms"] == pytest.approx(11.1501, abs=1e-4)
    assert row["decode_regime"] == "memory-bound"
    # int8: (1.4e10 + 2.4576e7) / 6.3e11 = 22.2612 ms
    int8 = _p3(compare(InferenceWorkload(**SHAPE, weight_precision="int8"), CATALOG).rows)
    assert int8["tpot_ms"] == pytest.approx(22.2612, abs=1e-4)
    performance = result.assumptions["performance"]
    assert performance["weight_bytes_per_parameter"] == 0.5
    assert performance["weight_precision"]["value"] == "int4"
    assert "compute precision fp16" in performance["weight_precision"]["rule"]


def test_weight_precision_is_checked() -> None:
    base = {"kind": "inference", **{k: v for k, v in SHAPE.items() if k != "precision"}}
    with pytest.raises(PlanFileError, match="weight_precision: bf16 weights are wider than the fp8"):
        workload_from_dict({**base, "precision": "fp8", "weight_precision": "bf16"})
    with pytest.raises(PlanFileError, match="weight_precision"):
        workload_from_dict({**base, "weight_precision": "int2"})
    # an existing file means what it meant: weights at the compute precision
    assert workload_from_dict(base).weight_precision is None
