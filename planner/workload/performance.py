"""Performance model: training FLOPs and time, multi-node scaling, and the inference roofline.

Every function works on scalars and on numpy arrays (one element per instance type), so the
comparison computes all instance types at once. Sources are tagged as in the reference notes:

- [S4] aws-neuron/aws-neuron-sdk@81ce03ae, neuron-hardware/*.rst (Trainium/Inferentia chip facts).
- [S5] aws-neuron/aws-neuron-sdk@81ce03ae, benchmarks/trn1/trn1_trn1n_nlp_data.csv (Trainium MFU).
- [S6] stas00/ml-engineering@744d01e1 (training/performance and inference READMEs: MFU, memory
  anatomy, KV-cache formula).
- [S10] mosaicml/llm-foundry:scripts/train/benchmarking/README.md@061f2c7c (measured MFU on
  H100/A100, BF16 and FP8; attention FLOPs definition).
- [W5] glennklockwood.com/garden/llama-3.1 (Llama 3 405B: 380-430 TFLOPS per H100, 38-43 % MFU).
- [W7] EleutherAI "Transformer Math 101" (C ≈ 6·N·D); Kaplan et al. 2020, arXiv:2001.08361.
- Korthikanti et al. 2022, arXiv:2205.05198 (activation memory per layer).

Nomenclature: N parameters, D tokens, L layers, d hidden size, s sequence length, B batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.perf.constants import GIB as GIB  # re-exported
from planner.perf.constants import Sourced as Sourced  # re-exported
from planner.workload.records import Precision

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

PEAK_COLUMN: dict[Precision, str] = {
    Precision.FP32: "fp32_tflops",
    Precision.TF32: "tf32_tflops",
    Precision.BF16: "bf16_tflops",
    Precision.FP16: "fp16_tflops",
    Precision.FP8: "fp8_tflops",
    Precision.INT8: "int8_tops",
}
"""Precision → column of ``accelerators.csv`` holding the dense peak [TFLOPS or TOPS]."""

BYTES_PER_VALUE: dict[Precision, float] = {
    Precision.FP32: 4.0,
    Precision.TF32: 4.0,  # tf32 is a matmul mode; the tensors stay fp32 in memory
    Precision.BF16: 2.0,
    Precision.FP16: 2.0,
    Precision.FP8: 1.0,
    Precision.INT8: 1.0,
}
"""Bytes per weight / KV value at each precision [B] [S6 inference/README.md]."""

WEIGHT_BYTES_PER_PARAMETER: dict[str, float] = {"bf16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}
"""Stored bytes per weight under weight-only quantisation [B/param]: 16 / 8 / 8 / 4 bits [S6
inference/README.md, bytes per parameter by dtype]. The per-group scales of int4 schemes (AWQ,
GPTQ: one 16-bit scale per 128 weights ≈ 0.016 B/param) are left out."""


DEFAULT_MFU: dict[str, Sourced] = {
    "NVIDIA H100 SXM 80GB": Sourced(0.40, "S10 H100 BF16 26-46 %; W5 Llama 3 38-43 %"),
    "NVIDIA H200 141GB": Sourced(0.40, "as H100 (same compute) [S10, W5]"),
    "NVIDIA A100 40GB SXM": Sourced(0.50, "S6 Megatron 41-56 %; S10 36-64 %"),
    "NVIDIA A100 80GB SXM": Sourced(0.50, "S6 Megatron 41-56 %; S10 43-64 %"),
    "AWS Trainium1": Sourced(0.28, "S5 reported 15-33 %, derived 19-28 %"),
    "AWS Trainium2": Sourced(0.30, "assumption: no published Trainium2 MFU"),
    "NVIDIA V100 16GB": Sourced(0.35, "assumption: no calibration source collected"),
    "NVIDIA V100 32GB": Sourced(0.35, "assumption: no calibration source collected"),
    "NVIDIA A10G": Sourced(0.35, "assumption: no end-to-end LLM training MFU published"),
    "NVIDIA L4": Sourced(0.35, "assumption: no end-to-end LLM training MFU published"),
    "NVIDIA L40S": Sourced(0.35, "assumption: no end-to-end LLM training MFU published"),
    "NVIDIA T4": Sourced(0.35, "assumption: no end-to-end LLM training MFU published"),
}
"""Default model FLOPs utilisation for training, against the dense peak at the training precision.
Chips not listed (Inferentia, Radeon Pro V520) have no training default: they are inference or
graphics parts."""

FP8_MFU = Sourced(0.25, "S10 H100 amp_fp8 14-30 % of FP8 peak; other chips: assumption")
"""Default MFU against the FP8 peak when training in FP8."""

TRAINING_CHIP_KINDS = ("gpu", "trainium")
"""Accelerator kinds that train; Inferentia is an inference part [S4]."""

MULTI_NODE_EFFICIENCY = Sourced(
    1.0,
    "llm-foundry (S10): MFU flat from 8 to 64-128 GPUs (e.g. A100-40GB 7B: 50.9 % on 8, 50.1 % on "
    "128); communication is modelled per parallel layout, so no further penalty by default",
)
"""Extra factor on multi-instance throughput (a user can lower it); 1 = only the layout model."""

COMPUTE_EFFICIENCY = Sourced(0.5, "perf_facts §5.4 default eff_c for decode/prefill")
MEMORY_EFFICIENCY_NEURON = Sourced(
    0.7, "fitted with the multi-chip step floor and all-reduce latency (planner.perf.serving) on "
    "the inf2.48xlarge decode rows of the calibration set [S5]"
)
MEMORY_EFFICIENCY_GPU = Sourced(
    0.7, "assumption: 0.6-0.8 end-to-end; raw HBM streaming reaches ~92 % (W12)"
)

NEURON_GIB_BANDWIDTH_CHIPS = frozenset({"AWS Trainium1", "AWS Inferentia1", "AWS Inferentia2"})
"""Chips whose ``memory_bandwidth_gbps`` the Neuron docs state in GiB/s, not GB/s [S4]."""



def training_flops(
    parameters: float,
    tokens: float,
    *,
    layers: int | None = None,
    sequence_length: int | None = None,
    hidden_size: int | None = None,
    linear_per_parameter: float = 6.0,
) -> float:
    """Total training compute [FLOP]: 6·N·D (Kaplan 2020; W7), plus 12·L·s·d per token for
    attention when the shape is given (llm-foundry's definition, no causal discount [S10]).
    ``linear_per_parameter`` replaces the 6 (LoRA: 4 + 6·r, see ``planner.workload.finetune``).

    Example: N = 7e9, D = 2e12 → 6 × 7e9 × 2e12 = 8.4e22 FLOP.
    """
    flops = linear_per_parameter * float(parameters) * float(tokens)
    if layers is not None and sequence_length is not None and hidden_size is not None:
        flops += 12.0 * layers * sequence_length * hidden_size * float(tokens)
    return flops


def flops_per_token(
    parameters: float,
    *,
    layers: int | None = None,
    sequence_length: int | None = None,
    hidden_size: int | None = None,
    linear_per_parameter: float = 6.0,
) -> float:
    """Training FLOPs per token [FLOP]: 6·N (+ 12·L·s·d with the shape); LoRA (4 + 6·r)·N."""
    return training_flops(
        parameters, 1.0, layers=layers, sequence_length=sequence_length, hidden_size=hidden_size,
        linear_per_parameter=linear_per_parameter,
    )


def bandwidth_scale(chips: ArrayLike) -> FloatArray:
    """Vectorised unit of ``memory_bandwidth_gbps`` per chip name [B/s per table unit]."""
    names = np.asarray(chips, dtype=object)
    neuron = np.isin(names, list(NEURON_GIB_BANDWIDTH_CHIPS))
    return np.where(neuron, GIB, 1e9)


def training_seconds(
    flops: ArrayLike, chips: ArrayLike, peak_tflops: ArrayLike, mfu: ArrayLike,
    efficiency: ArrayLike = 1.0,
) -> FloatArray:
    """Wall-clock training time [s] = C / (chips × peak × MFU × scaling efficiency)."""
    denom = (
        np.asarray(chips, float) * np.asarray(peak_tflops, float) * 1e12
        * np.asarray(mfu, float) * np.asarray(efficiency, float)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.asarray(flops, float) / denom, dtype=float)


def allreduce_seconds(
    gradient_bytes: ArrayLike, instances: ArrayLike, network_gbps: ArrayLike
) -> FloatArray:
    """Ring all-reduce of the gradients across instances [s]: 2·(n−1)/n · bytes / bandwidth.

    ``network_gbps`` per instance [Gbit/s] (bits → bytes ÷ 8); 0 for one instance [perf_facts §5.2].
    """
    n = np.asarray(instances, float)
    bandwidth = np.asarray(network_gbps, float) * 1e9 / 8.0
    with np.errstate(divide="ignore", invalid="ignore"):
        seconds = 2.0 * (n - 1.0) / n * np.asarray(gradient_bytes, float) / bandwidth
    return np.asarray(np.where(n > 1, seconds, 0.0), dtype=float)


def scaling_efficiency(
    instances: ArrayLike,
    step_compute_seconds: ArrayLike,
    step_allreduce_seconds: ArrayLike,
    multi_node_efficiency: float = MULTI_NODE_EFFICIENCY.value,
) -> FloatArray:
    """Share of single-instance throughput kept when training on ``instances`` instances.

    1 on one instance; otherwise ``multi_node_efficiency`` × compute / max(compute, all-reduce):
    the all-reduce overlaps the backward pass, and only the part longer than the step's compute
    slows the step down.
    """
    n = np.asarray(instances, float)
    compute = np.asarray(step_compute_seconds, float)
    comm = np.asarray(step_allreduce_seconds, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = np.where(comm > compute, compute / comm, 1.0)
    return np.asarray(np.where(n > 1, multi_node_efficiency * overlap, 1.0), dtype=float)


# --- inference roofline -----------------------------------------------------------------------


def kv_bytes_per_token(
    layers: int, hidden_size: int, bytes_per_value: float, kv_heads: int | None = None,
    attention_heads: int | None = None,
) -> float:
    """KV-cache bytes per token [B] = bytes × 2 × L × d × (kv_heads / heads) [S6].

    Example: Llama-3.1-8B bf16 (L 32, d 4096, 8 of 32 heads) → 2 × 2 × 32 × 4096 / 4 = 131,072 B.
    """
    ratio = 1.0 if kv_heads is None or attention_heads is None else kv_heads / attention_heads
    return bytes_per_value * 2.0 * layers * hidden_size * ratio


def decode_step_seconds(
    parameters: float,
    batch: ArrayLike,
    context_tokens: float,
    weight_bytes: float,
    kv_bytes_token: float,
    peak_flops: ArrayLike,
    memory_bytes_per_s: ArrayLike,
    compute_efficiency: float = COMPUTE_EFFICIENCY.value,
    memory_efficiency: ArrayLike = MEMORY_EFFICIENCY_GPU.value,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One decode step for ``batch`` sequences [s]: (max, compute time, memory time) [perf_facts §5.4].

    t_c = 2·N·B / (peak × eff_c);  t_m = (weights + B × ctx × kv) / (bw × eff_m).
    ``peak_flops`` [FLOP/s], ``memory_bytes_per_s`` [B/s].
    """
    b = np.asarray(batch, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_c = 2.0 * parameters * b / (np.asarray(peak_flops, float) * compute_efficiency)
        t_m = (weight_bytes + b * context_tokens * kv_bytes_token) / (
            np.asarray(memory_bytes_per_s, float) * np.asarray(memory_efficiency, float)
        )
    return np.maximum(t_c, t_m), np.asarray(t_c, float), np.asarray(t_m, float)


def prefill_seconds(
    parameters: float, prompt_tokens: float, peak_flops: ArrayLike,
    compute_efficiency: float = COMPUTE_EFFICIENCY.value,
) -> FloatArray:
    """Prefill of one prompt (compute-bound) [s] = 2·N·P / (peak × eff_c) → time to first token."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(
            2.0 * parameters * prompt_tokens / (np.asarray(peak_flops, float) * compute_efficiency),
            dtype=float,
        )


@dataclass(frozen=True, slots=True)
class ServingEstimate:
    """Per-instance serving figures (arrays, one per instance type)."""

    batch: FloatArray
    """Concurrent sequences decoded per step."""
    tpot_s: FloatArray
    """Time per output token (decode step) [s]."""
    ttft_s: FloatArray
    """Time to first token (prefill of one prompt) [s]."""
    output_tokens_per_s: FloatArray
    """Output tokens per second per instance, prefill time included."""
    requests_per_s: FloatArray
    memory_bound: npt.NDArray[np.bool_]


def serving_throughput(
    *,
    parameters: float,
    input_tokens: int,
    output_tokens: int,
    weight_bytes: float,
    kv_bytes_token: float,
    peak_flops: ArrayLike,
    memory_bytes_per_s: ArrayLike,
    free_memory_bytes: ArrayLike,
    compute_efficiency: float = COMPUTE_EFFICIENCY.value,
    memory_efficiency: ArrayLike = MEMORY_EFFICIENCY_GPU.value,
    max_batch: int = 256,
    latency_target_s: float | None = None,
    step_overhead_s: ArrayLike = 0.0,
    per_sequence_overhead_s: ArrayLike = 0.0,
) -> ServingEstimate:
    """Roofline serving throughput of one model replica per instance.

    Batch B = min(max_batch, sequences whose full-context KV cache fits in ``free_memory_bytes``,
    the largest B whose decode step meets ``latency_target_s``), at least 1. A request costs
    its prefill (compute-bound) plus ``output_tokens`` decode steps shared by B sequences; prefill
    and decode do not overlap (conservative). Decode reads an average context of
    input + output/2 tokens; memory is sized for the full input + output. A multi-chip replica
    adds ``step_overhead_s`` (per-token floor and collective latency) and
    ``per_sequence_overhead_s`` × B (collective bandwidth) to every decode step.
    """
    peak = np.asarray(peak_flops, float)
    bw = np.asarray(memory_bytes_per_s, float) * np.asarray(memory_efficiency, float)
    full_ctx = float(input_tokens + output_tokens)
    avg_ctx = input_tokens + output_tokens / 2.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        by_memory = np.floor(np.asarray(free_memory_bytes, float) / (full_ctx * kv_bytes_token))
        batch = np.minimum(by_memory, float(max_batch))
        if latency_target_s is not None:
            fixed = np.asarray(step_overhead_s, float)
            per_seq_x = np.asarray(per_sequence_overhead_s, float)
            per_seq_c = 2.0 * parameters / (peak * compute_efficiency) + per_seq_x
            fixed_m = weight_bytes / bw + fixed
            per_seq_m = avg_ctx * kv_bytes_token / bw + per_seq_x
            by_latency = np.floor(
                np.minimum(
                    (latency_target_s - fixed) / per_seq_c, (latency_target_s - fixed_m) / per_seq_m
                )
            )
            batch = np.minimum(batch, by_latency)
        batch = np.where(np.isfinite(batch), np.maximum(batch, 1.0), 1.0)
        step, t_c, t_m = decode_step_seconds(
            parameters, batch, avg_ctx, weight_bytes, kv_bytes_token, peak,
            np.asarray(memory_bytes_per_s, float), compute_efficiency, memory_efficiency,
        )
        step = step + np.asarray(step_overhead_s, float) + batch * np.asarray(
            per_sequence_overhead_s, float
        )
        ttft = prefill_seconds(parameters, input_tokens, peak, compute_efficiency)
        seconds_per_request = ttft + output_tokens * step / batch
        requests = 1.0 / seconds_per_request
    return ServingEstimate(
        batch=np.asarray(batch, float),
        tpot_s=np.asarray(step, float),
        ttft_s=np.asarray(ttft, float),
        output_tokens_per_s=np.asarray(requests * output_tokens, float),
        requests_per_s=np.asarray(requests, float),
        memory_bound=np.asarray(t_m >= t_c),
    )
