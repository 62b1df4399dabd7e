"""The shipped calibration set and the model's predictions for it (fidelity figures).

``data/calibration_set.csv`` holds published measurements, one per row: the model and its shape,
the chips and the parallel layout they ran with, the published figure, its unit, source URL and
date. Kinds: ``training`` (tokens/s per chip), ``inference`` (ms per output token at a batch, or
output tokens/s per chip), ``memory`` (model-state GB per chip). ``split`` says whether a row was
used to fit a default (``fit``) or only checks it (``holdout``).

Predictions run the planner's own model for the published layout (not the searched one), with
the defaults of ``planner.perf``; nothing is tuned per row.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import numpy as np

from planner.perf.constants import GIB
from planner.perf.layout import Hardware, Layout, TrainingShape, memory_per_chip, step_efficiency
from planner.perf.memory import model_state_bytes_per_chip, state_bytes
from planner.perf.mfu import effective_mfu, table_mfu
from planner.perf.serving import step_overhead

CALIBRATION_SET = Path(__file__).with_name("data") / "calibration_set.csv"

DEFAULT_NETWORK_GBPS = 3200.0
"""Network per 8-GPU node when a source does not say [Gbit/s] — **assumption**: the p5.48xlarge
figure (llm-foundry's H100 tables do not name their interconnect)."""

TRAINING_OVERHEAD = 0.10
"""Memory held back per chip in the fit check, as ``memory_fit.TRAINING_OVERHEAD_FRACTION``."""


@dataclass(frozen=True, slots=True)
class Chip:
    """What the predictions need of an accelerator (from the catalog's accelerator table)."""

    peak_tflops: Mapping[str, float]
    """Precision → dense peak [TFLOPS]."""
    bandwidth_bytes_per_s: float
    memory_bytes: float
    link_bytes_per_s: float
    neuron: bool


@dataclass(frozen=True, slots=True)
class Prediction:
    id: int
    kind: str
    split: str
    model: str
    metric: str
    published: float
    predicted: float
    fits: bool | None
    """Training: the published layout fits in chip memory under the model (None otherwise)."""

    @property
    def error(self) -> float:
        return self.predicted / self.published - 1.0


def load_rows(path: Path = CALIBRATION_SET) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _f(row: Mapping[str, str], key: str) -> float | None:
    value = row.get(key, "")
    return float(value) if value not in ("", None) else None


def _i(row: Mapping[str, str], key: str) -> int | None:
    value = _f(row, key)
    return None if value is None else int(value)


def predict_training(row: Mapping[str, str], chip: Chip) -> tuple[float, bool]:
    """(tokens/s per chip, published layout fits in memory) for a training row."""
    n = float(row["parameters"])
    layers, d, seq = _i(row, "layers"), _i(row, "hidden_size"), _i(row, "sequence_length")
    shape = TrainingShape(
        parameters=n, states=state_bytes(fp32_training=False), layers=layers, hidden_size=d,
        attention_heads=_i(row, "attention_heads"), vocab_size=_i(row, "vocab_size"),
        sequence_length=seq, micro_batch=_i(row, "micro_batch") or 1,
        global_batch_tokens=float(row["global_batch_tokens"]),
    )
    linear = 6.0 * n
    attention = 12.0 * layers * seq * d if layers and d and seq else 0.0
    precision = row["precision"]
    mfu_cell = table_mfu(row["chip"], n, precision)
    if mfu_cell is None:
        raise KeyError(f"no MFU default for {row['chip']} {precision}")
    mfu = effective_mfu(mfu_cell.value, row["chip"], linear, attention)
    peak = chip.peak_tflops[precision] * 1e12
    c = float(row["chips_per_instance"])
    hw = Hardware(
        chips=np.array([c]),
        usable_bytes_per_chip=np.array([chip.memory_bytes * (1 - TRAINING_OVERHEAD)]),
        peak_flops=np.array([peak * mfu]),
        link_bytes_per_s=np.array([chip.link_bytes_per_s]),
        network_bytes_per_s=np.array([(_f(row, "network_gbps") or DEFAULT_NETWORK_GBPS) * 1e9 / 8]),
    )
    layout = Layout(int(row["tp"]), int(row["pp"]), int(row["zero_stage"]), row["recomputation"])  # type: ignore[arg-type]
    instances = np.array([float(row["chips"]) / c])
    eff = float(step_efficiency(shape, layout, hw, instances, linear + attention)[0])
    fits = bool(memory_per_chip(shape, layout, hw, instances)[0] <= hw.usable_bytes_per_chip[0])
    return peak * mfu * eff / (linear + attention), fits


def predict_inference(row: Mapping[str, str], chip: Chip, memory_efficiency: float) -> float:
    """Time per output token [ms] at the published batch, or output tokens/s per chip."""
    from planner.workload.performance import COMPUTE_EFFICIENCY, kv_bytes_per_token, serving_throughput

    n = float(row["parameters"])
    tp = int(row["tp"])
    layers, d = int(row["layers"]), int(row["hidden_size"])
    heads, kv_heads = int(row["attention_heads"]), int(row["kv_heads"])
    precision = row["precision"]
    kv_bytes = 1.0 if precision == "fp8" else 2.0
    kv = kv_bytes_per_token(layers, d, kv_bytes, kv_heads, heads)
    interconnect = "neuron" if chip.neuron else "nvlink"
    overhead = step_overhead(
        tp=tp, layers=layers, hidden_size=d, interconnect=[interconnect],
        link_bytes_per_s=[chip.link_bytes_per_s],
    )
    batch = int(row["batch"])
    inp, out = int(row["input_tokens"]), int(row["output_tokens"])
    est = serving_throughput(
        parameters=n, input_tokens=inp, output_tokens=out,
        weight_bytes=n * float(row["weight_bytes"]), kv_bytes_token=kv,
        peak_flops=tp * chip.peak_tflops[precision] * 1e12,
        memory_bytes_per_s=tp * chip.bandwidth_bytes_per_s, free_memory_bytes=1e18,
        compute_efficiency=COMPUTE_EFFICIENCY.value, memory_efficiency=memory_efficiency,
        max_batch=batch, step_overhead_s=overhead.fixed_s, per_sequence_overhead_s=overhead.per_sequence_s,
    )
    if row["metric"] == "tpot_ms":
        return float(est.tpot_s[0]) * 1000.0
    return float(est.output_tokens_per_s[0]) / tp


def predict_memory(row: Mapping[str, str]) -> float:
    """Model-state GB (1e9 B) per chip under the row's ZeRO stage and data-parallel degree."""
    n = float(row["parameters"])
    states = state_bytes(fp32_training=False)
    per_chip = float(model_state_bytes_per_chip(n, states, int(row["zero_stage"]), int(row["dp"])))
    largest = _f(row, "largest_layer_parameters")
    if largest and int(row["zero_stage"]) >= 3:
        per_chip += 4.0 * largest  # DeepSpeed: 16-bit params + grads of the largest layer
    return per_chip / 1e9


def predictions(
    chips: Mapping[str, Chip], memory_efficiency: Mapping[str, float],
    rows: list[dict[str, str]] | None = None,
) -> list[Prediction]:
    """Every row of the set against the model. ``memory_efficiency``: "gpu"/"neuron" → eff_m."""
    out = []
    for row in rows if rows is not None else load_rows():
        kind = row["kind"]
        fits: bool | None = None
        if kind == "training":
            value, fits = predict_training(row, chips[row["chip"]])
        elif kind == "inference":
            chip = chips[row["chip"]]
            value = predict_inference(row, chip, memory_efficiency["neuron" if chip.neuron else "gpu"])
        else:
            value = predict_memory(row)
        out.append(Prediction(int(row["id"]), kind, row["split"], row["model"], row["metric"],
                              float(row["published"]), value, fits))
    return out


@dataclass(frozen=True, slots=True)
class Score:
    kind: str
    split: str
    cases: int
    median_abs_error: float
    within_25: float
    """Share of cases within ±25 % [fraction]."""


def scores(preds: list[Prediction]) -> list[Score]:
    """Median |error| and share within ±25 % per (kind, split) and per kind over both splits."""
    out = []
    for kind in ("training", "inference", "memory"):
        for split in ("fit", "holdout", "all"):
            chosen = [p for p in preds if p.kind == kind and (split == "all" or p.split == split)]
            if not chosen:
                continue
            errors = [abs(p.error) for p in chosen]
            out.append(Score(kind, split, len(chosen), median(errors),
                             sum(e <= 0.25 for e in errors) / len(errors)))
    return out


def chips_from_table(accelerators: object) -> dict[str, Chip]:
    """Chip records from the catalog's accelerator table (a pandas DataFrame)."""
    from planner.perf.constants import LINK_BYTES_PER_S, PCIE_BYTES_PER_S

    frame = accelerators  # pandas.DataFrame; typed loosely to keep pandas out of this module's API
    out: dict[str, Chip] = {}
    for rec in frame.to_dict("records"):  # type: ignore[attr-defined]
        name = str(rec["accelerator"])
        neuron = name.startswith("AWS")
        peaks = {p: float(rec[col]) for p, col in (("bf16", "bf16_tflops"), ("fp16", "fp16_tflops"),
                                                    ("fp8", "fp8_tflops"), ("fp32", "fp32_tflops"))
                 if rec[col] == rec[col] and rec[col] is not None}
        bw_unit = GIB if name in ("AWS Trainium1", "AWS Inferentia1", "AWS Inferentia2") else 1e9
        bw = float(rec["memory_bandwidth_gbps"]) * bw_unit if rec["memory_bandwidth_gbps"] == rec[
            "memory_bandwidth_gbps"] else float("nan")
        link = LINK_BYTES_PER_S.get(name, PCIE_BYTES_PER_S).value
        out[name] = Chip(peaks, bw, float(rec["memory_gib"]) * GIB, link, neuron)
    return out
