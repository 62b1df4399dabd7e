"""Multi-chip serving: tensor-parallel replicas, their collective cost, the best replica layout.

A replica of t chips (tensor parallel degree t) decodes with t× the compute and memory bandwidth
of one chip (the roofline of ``planner.workload.performance``) plus a fixed cost per step that one chip
does not pay:
- a per-token floor (host-side scheduling, sampling, kernel launches) on top of the roofline;
- per layer, 2 all-reduces of the activations (Megatron-LM tensor parallelism: after attention
  and after the MLP), each a latency α plus 2·(t−1)/t · B·d·2 bytes over the chip-to-chip link.
An instance of c chips holds c // t replicas; the best layout per instance type is the t with
the most output tokens per second per instance that fits in memory and meets the latency
target. Replicas spanning instances are not modelled (a model that needs more than one
instance's memory is shown as not fitting).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.perf.constants import LINK_EFFICIENCY, Sourced

FloatArray = npt.NDArray[np.float64]

ALLREDUCE_LATENCY_S: dict[str, Sourced] = {
    "neuron": Sourced(
        60e-6, "fitted: inf2.48xlarge Llama-2-70B / Llama-3-8B decode rows of the calibration set "
        "(aws-neuron-sdk benchmarks inf2/throughput_data_decoder.csv)"
    ),
    "nvlink": Sourced(8e-6, "assumption: NCCL small-message all-reduce latency inside an NVLink node"),
    "pcie": Sourced(25e-6, "assumption: all-reduce latency over PCIe without NVLink"),
}
"""Latency of one tensor-parallel all-reduce [s], by interconnect."""

STEP_FLOOR_S: dict[str, Sourced] = {
    "neuron": Sourced(
        5e-3, "fitted: same inf2.48xlarge rows (per-token time not explained by the roofline and "
        "the per-layer all-reduces)"
    ),
    "gpu": Sourced(
        0.0, "assumption: single-GPU decode matches the roofline (no floor); multi-GPU cost is in "
        "the per-layer all-reduce"
    ),
}
"""Fixed time per decode step of a multi-chip replica [s], by platform."""

ALLREDUCES_PER_LAYER = 2
"""Tensor-parallel all-reduces per layer in decode (Megatron-LM: attention output, MLP output)."""


def tp_choices(chips_per_instance: npt.ArrayLike) -> list[int]:
    """Tensor-parallel degrees worth trying: powers of two and every distinct chip count."""
    counts = {int(c) for c in np.asarray(chips_per_instance, float) if c >= 1}
    powers = {1, 2, 4, 8, 16, 32, 64}
    return sorted({p for p in powers if p <= max(counts, default=1)} | counts)


def platform(kind: npt.ArrayLike, has_nvlink: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """Interconnect class per type: "neuron", "nvlink" or "pcie"."""
    k = np.asarray(kind, dtype=object)
    nv = np.asarray(has_nvlink, bool)
    neuron = np.isin(k, ("trainium", "inferentia"))
    return np.where(neuron, "neuron", np.where(nv, "nvlink", "pcie")).astype(object)


@dataclass(frozen=True, slots=True)
class StepOverhead:
    """Per-replica decode overhead [s]: fixed per step and per sequence of the batch."""

    fixed_s: FloatArray
    per_sequence_s: FloatArray


def step_overhead(
    *, tp: int, layers: int, hidden_size: int, interconnect: npt.ArrayLike,
    link_bytes_per_s: npt.ArrayLike, bytes_per_value: float = 2.0,
    latency_s: dict[str, float] | None = None, floor_s: dict[str, float] | None = None,
) -> StepOverhead:
    """Overhead of one decode step of a t-chip replica (0 for t = 1).

    fixed = floor + 2·L·α;  per sequence = 2·L · 2·(t−1)/t · d · bytes / (link × efficiency).
    Example (neuron, t 12, L 80): 5 ms + 160 × 60 µs = 14.6 ms per step.
    """
    ic = np.asarray(interconnect, dtype=object)
    lat = latency_s or {k: s.value for k, s in ALLREDUCE_LATENCY_S.items()}
    flo = floor_s or {k: s.value for k, s in STEP_FLOOR_S.items()}
    if tp <= 1:
        zero = np.zeros(len(ic))
        return StepOverhead(zero, zero.copy())
    alpha = np.array([lat[str(i)] for i in ic], float)
    floor = np.array([flo["neuron" if i == "neuron" else "gpu"] for i in ic], float)
    n_ar = ALLREDUCES_PER_LAYER * layers
    link = np.asarray(link_bytes_per_s, float) * LINK_EFFICIENCY.value
    with np.errstate(divide="ignore", invalid="ignore"):
        per_seq = n_ar * 2.0 * (tp - 1) / tp * hidden_size * bytes_per_value / link
    return StepOverhead(np.asarray(floor + n_ar * alpha, float), np.asarray(per_seq, float))
