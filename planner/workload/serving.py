"""The best serving replica layout per instance type (tensor-parallel degree, replicas per instance).

For every tensor-parallel degree t that divides an instance's chips (or equals them), a replica
of t chips gets t× the compute, bandwidth and memory of one chip, pays the multi-chip step
overhead of ``planner.perf.serving``, and the instance holds c // t replicas. The layout kept per
type is the one with the most output tokens per second per instance that fits (weights + one
full-context KV cache) and meets the latency target; when none meets it, the fitting one with
the lowest time per output token.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.perf.serving import platform, step_overhead, tp_choices
from planner.workload.performance import ServingEstimate, serving_throughput

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ReplicaLayout:
    """Per instance type: the chosen layout and its figures (NaN / False where none fits)."""

    tp: FloatArray
    replicas: FloatArray
    serving: ServingEstimate
    """Per replica."""
    tokens_per_s_per_instance: FloatArray
    fits: npt.NDArray[np.bool_]
    needed_bytes_per_replica: float


def best_replica_layout(
    *,
    parameters: float,
    layers: int,
    hidden_size: int,
    input_tokens: int,
    output_tokens: int,
    weight_bytes: float,
    kv_bytes_token: float,
    chips: FloatArray,
    kind: npt.ArrayLike,
    has_nvlink: npt.ArrayLike,
    link_bytes_per_s: FloatArray,
    peak_flops_per_chip: FloatArray,
    bandwidth_per_chip: FloatArray,
    usable_bytes_per_chip: FloatArray,
    compute_efficiency: float,
    memory_efficiency: FloatArray,
    max_batch: int,
    latency_target_s: float | None,
) -> ReplicaLayout:
    size = len(chips)
    interconnect = platform(kind, has_nvlink)
    kv_one = kv_bytes_token * (input_tokens + output_tokens)
    best_tokens = np.full(size, -np.inf)
    best_score = np.full(size, -np.inf)
    best_meets = np.zeros(size, bool)
    tp_out = np.full(size, np.nan)
    replicas_out = np.full(size, np.nan)
    fields = {k: np.full(size, np.nan) for k in ("batch", "tpot_s", "ttft_s", "tok", "req")}
    bound = np.zeros(size, bool)
    for t in tp_choices(chips):
        ok_tp = (chips >= t) & ((np.mod(chips, t) == 0) | (chips == t))
        free = usable_bytes_per_chip * t - weight_bytes
        fits = ok_tp & (free >= kv_one)
        if not fits.any():
            continue
        over = step_overhead(
            tp=t, layers=layers, hidden_size=hidden_size, interconnect=interconnect,
            link_bytes_per_s=link_bytes_per_s,
        )
        est = serving_throughput(
            parameters=parameters, input_tokens=input_tokens, output_tokens=output_tokens,
            weight_bytes=weight_bytes, kv_bytes_token=kv_bytes_token,
            peak_flops=peak_flops_per_chip * t, memory_bytes_per_s=bandwidth_per_chip * t,
            free_memory_bytes=np.maximum(free, 0.0), compute_efficiency=compute_efficiency,
            memory_efficiency=memory_efficiency, max_batch=max_batch,
            latency_target_s=latency_target_s, step_overhead_s=over.fixed_s,
            per_sequence_overhead_s=over.per_sequence_s,
        )
        replicas = np.floor(chips / t)
        tokens = est.output_tokens_per_s * replicas
        meets = (
            np.ones(size, bool) if latency_target_s is None else est.tpot_s <= latency_target_s
        )
        # meeting the target first; then most tokens/s per instance, or (nobody meets it) the
        # lowest time per output token
        score = np.nan_to_num(np.where(meets, tokens, -est.tpot_s), nan=-np.inf)
        better = fits & ((meets & ~best_meets) | ((meets == best_meets) & (score > best_score)))
        best_score = np.where(better, score, best_score)
        best_tokens = np.where(better, tokens, best_tokens)
        best_meets = np.where(better, meets, best_meets)
        tp_out = np.where(better, float(t), tp_out)
        replicas_out = np.where(better, replicas, replicas_out)
        for key, value in (("batch", est.batch), ("tpot_s", est.tpot_s), ("ttft_s", est.ttft_s),
                           ("tok", est.output_tokens_per_s), ("req", est.requests_per_s)):
            fields[key] = np.where(better, value, fields[key])
        bound = np.where(better, est.memory_bound, bound)
    found = ~np.isnan(tp_out)
    return ReplicaLayout(
        tp=tp_out,
        replicas=replicas_out,
        serving=ServingEstimate(
            batch=np.where(found, fields["batch"], 1.0), tpot_s=fields["tpot_s"],
            ttft_s=fields["ttft_s"], output_tokens_per_s=fields["tok"],
            requests_per_s=fields["req"], memory_bound=np.asarray(bound),
        ),
        tokens_per_s_per_instance=np.where(found, best_tokens, np.nan),
        fits=np.asarray(found),
        needed_bytes_per_replica=weight_bytes + kv_one,
    )
