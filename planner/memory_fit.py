"""Memory fit: does the workload fit in accelerator memory, and on how few instances?

Capacity is AWS's usable accelerator memory per instance (``accelerator_memory_gib_total``, from
DescribeInstanceTypes, e.g. 22 GiB per A10G, not 24 GB), minus a reserved overhead fraction.

Training, per parameter [S6 training/performance/README.md, mixed precision + AdamW]: weights 6 B
(fp32 master + 16-bit copy; 4 B when training in fp32/tf32), gradients 4 B, optimizer 8 B → 18 B.
Sharding (ZeRO/FSDP) divides the sharded parts by the data-parallel degree (every accelerator of
the job); activations are per accelerator (Korthikanti et al. 2022, arXiv:2205.05198: per layer
s·b·d·(34 + 5·a·s/d) bytes at 16-bit; with full recomputation only 2·s·b·d per layer is kept
plus one layer's working set) plus fp32 logits 4·b·s·vocab [S6].

Per instance with c accelerators and n instances: need(n) = sharded / n + c · (replicated + act),
so the fewest instances that fit is ceil(sharded / (usable − c · (replicated + act))).

Inference: one replica per instance (tensor parallel inside it): weights N × bytes/param + the KV
cache of at least one full-context sequence must fit; what is left holds more sequences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.performance import BYTES_PER_VALUE, GIB, kv_bytes_per_token
from planner.workload import (
    InferenceWorkload,
    Precision,
    Sharding,
    TrainingBaselineWorkload,
    TrainingWorkload,
)

FloatArray = npt.NDArray[np.float64]

TRAINING_OVERHEAD_FRACTION = 0.10
"""Share of accelerator memory held back in training (CUDA/Neuron runtime, allocator
fragmentation) — **assumption** (perf_facts §5.3 suggests reserving 10-20 %)."""

DEFAULT_HEAD_DIM = 128
"""Head dimension used when ``attention_heads`` is not given (a = d / 128) — **assumption**, the
head size of Llama/GPT-3-class models."""


@dataclass(frozen=True, slots=True)
class TrainingMemory:
    """Training memory in bytes: what is sharded across the job and what each accelerator holds."""

    weights_bytes: float
    gradients_bytes: float
    optimizer_bytes: float
    sharded_bytes: float
    """Total bytes split over all accelerators of the job."""
    replicated_bytes_per_chip: float
    """Bytes of weights/gradients/optimizer every accelerator keeps whole."""
    activation_bytes_per_chip: float
    activations_counted: bool
    """False when the model shape (layers, hidden size, sequence length) was not given."""


def weight_bytes_per_parameter(precision: Precision) -> float:
    """Training default: fp32 master + 16/8-bit copy = 6 B; fp32/tf32 training keeps 4 B [S6]."""
    return 4.0 if precision in (Precision.FP32, Precision.TF32) else 6.0


def activation_bytes_per_chip(
    *,
    layers: int,
    hidden_size: int,
    sequence_length: int,
    micro_batch_size: int,
    attention_heads: int | None,
    vocab_size: int | None,
    recomputation: bool,
    bytes_per_value: float = 2.0,
) -> float:
    """Activation memory of one accelerator [B] (Korthikanti 2022; logits from S6).

    Example (no recomputation, no vocab): L 2, d 1024, s 512, b 1, a 8 at 16-bit:
    per layer 512 · 1024 · (34 + 5 · 8 · 512 / 1024) = 524,288 · 54 = 28,311,552 B; × 2 layers.
    """
    heads = attention_heads or max(1, hidden_size // DEFAULT_HEAD_DIM)
    sbh = float(sequence_length) * micro_batch_size * hidden_size
    per_layer = sbh * (34.0 + 5.0 * heads * sequence_length / hidden_size)
    scale = bytes_per_value / 2.0
    kept = 2.0 * sbh * layers + per_layer if recomputation else per_layer * layers
    total = kept * scale
    if vocab_size:
        total += 4.0 * micro_batch_size * sequence_length * vocab_size
    return total


def training_memory(workload: TrainingWorkload | TrainingBaselineWorkload) -> TrainingMemory | None:
    """The training memory split of ``workload`` (None when its parameter count is unknown)."""
    if workload.parameters is None:
        return None
    n = workload.parameters
    w_pp = (
        workload.weight_bytes_per_parameter
        if workload.weight_bytes_per_parameter is not None
        else weight_bytes_per_parameter(workload.precision)
    )
    g_pp = (
        workload.gradient_bytes_per_parameter
        if workload.gradient_bytes_per_parameter is not None
        else 4.0
    )
    weights, grads, optim = n * w_pp, n * g_pp, n * workload.optimizer_bytes_per_parameter
    sharded = {
        Sharding.NONE: 0.0,
        Sharding.OPTIMIZER: optim,
        Sharding.GRADIENTS: grads + optim,
        Sharding.FULL: weights + grads + optim,
    }[workload.sharding]
    replicated = weights + grads + optim - sharded
    act = 0.0
    counted = False
    if (
        isinstance(workload, TrainingWorkload)
        and workload.has_shape
        and workload.layers is not None
        and workload.hidden_size is not None
        and workload.sequence_length is not None
    ):
        act = activation_bytes_per_chip(
            layers=workload.layers,
            hidden_size=workload.hidden_size,
            sequence_length=workload.sequence_length,
            micro_batch_size=workload.micro_batch_size,
            attention_heads=workload.attention_heads,
            vocab_size=workload.vocab_size,
            recomputation=workload.activation_recomputation,
            bytes_per_value=max(2.0, BYTES_PER_VALUE[workload.precision]),
        )
        counted = True
    return TrainingMemory(weights, grads, optim, sharded, replicated, act, counted)


@dataclass(frozen=True, slots=True)
class FitResult:
    """Vectorised fit answer, one element per instance type."""

    instances: FloatArray
    """Fewest instances that fit (NaN: does not fit within the allowed count)."""
    needed_gib_per_instance: FloatArray
    """Memory one instance needs at that count (at the max count when it does not fit) [GiB]."""
    usable_gib_per_instance: FloatArray
    shortfall_gib: FloatArray
    """How much more memory one instance would need at the max count [GiB]; 0 when it fits."""

    @property
    def fits(self) -> npt.NDArray[np.bool_]:
        return np.asarray(~np.isnan(self.instances))


def instances_to_fit(
    *,
    sharded_bytes: float,
    per_chip_bytes: float,
    chips_per_instance: npt.ArrayLike,
    capacity_gib: npt.ArrayLike,
    overhead_fraction: float = TRAINING_OVERHEAD_FRACTION,
    max_instances: int = 512,
) -> FitResult:
    """Fewest instances with sharded / n + c · per_chip ≤ capacity × (1 − overhead) [bytes].

    Example: 10 GiB sharded, 1 GiB per chip, 4 chips, 16 GiB, no overhead:
    (16 − 4) GiB left → ceil(10 / 12) = 1 instance.
    """
    chips = np.atleast_1d(np.asarray(chips_per_instance, float))
    usable = np.atleast_1d(np.asarray(capacity_gib, float)) * GIB * (1.0 - overhead_fraction)
    fixed = chips * per_chip_bytes
    room = usable - fixed
    with np.errstate(divide="ignore", invalid="ignore"):
        if sharded_bytes > 0:
            n = np.where(room > 0, np.ceil(sharded_bytes / room), np.inf)
        else:
            n = np.where(room >= 0, 1.0, np.inf)
    n = np.maximum(n, 1.0)
    fits = (n <= max_instances) & (chips > 0)
    count = np.where(fits, n, np.nan)
    at = np.where(fits, n, float(max_instances))
    needed = (sharded_bytes / at + fixed) / GIB
    shortfall = np.where(fits, 0.0, np.maximum(needed - usable / GIB, 0.0))
    return FitResult(
        instances=np.asarray(count, float),
        needed_gib_per_instance=np.asarray(needed, float),
        usable_gib_per_instance=np.asarray(usable / GIB, float),
        shortfall_gib=np.asarray(shortfall, float),
    )


def training_fit(
    memory: TrainingMemory,
    chips_per_instance: npt.ArrayLike,
    capacity_gib: npt.ArrayLike,
    *,
    max_instances: int,
    overhead_fraction: float = TRAINING_OVERHEAD_FRACTION,
) -> FitResult:
    """Fewest instances of each type that hold the training state (see module doc)."""
    return instances_to_fit(
        sharded_bytes=memory.sharded_bytes,
        per_chip_bytes=memory.replicated_bytes_per_chip + memory.activation_bytes_per_chip,
        chips_per_instance=chips_per_instance,
        capacity_gib=capacity_gib,
        overhead_fraction=overhead_fraction,
        max_instances=max_instances,
    )


def inference_weight_bytes(workload: InferenceWorkload) -> float:
    """Model weights at the serving precision [B] = N × bytes/param [S6]."""
    return workload.parameters * BYTES_PER_VALUE[workload.precision]


def inference_kv_bytes_per_token(workload: InferenceWorkload) -> float:
    """KV-cache bytes per token of context [B] (see performance.kv_bytes_per_token)."""
    kv_precision = workload.kv_cache_precision or workload.precision
    return kv_bytes_per_token(
        workload.layers,
        workload.hidden_size,
        BYTES_PER_VALUE[kv_precision],
        workload.kv_heads,
        workload.attention_heads,
    )


def inference_fit(
    workload: InferenceWorkload, capacity_gib: npt.ArrayLike, chips_per_instance: npt.ArrayLike
) -> tuple[FitResult, FloatArray]:
    """Fit of one replica per instance: weights + one full-context KV cache ≤ usable memory.

    Returns the fit and the bytes left for KV cache per instance (≤ 0 where it does not fit).
    """
    weights = inference_weight_bytes(workload)
    kv_one = inference_kv_bytes_per_token(workload) * (
        workload.input_tokens + workload.output_tokens
    )
    fit = instances_to_fit(
        sharded_bytes=0.0,
        per_chip_bytes=0.0,
        chips_per_instance=np.ones_like(np.asarray(capacity_gib, float)),
        capacity_gib=np.asarray(capacity_gib, float),
        overhead_fraction=workload.memory_overhead_fraction,
        max_instances=1,
    )
    usable = fit.usable_gib_per_instance * GIB
    needed = weights + kv_one
    fits = (usable >= needed) & (np.asarray(chips_per_instance, float) > 0)
    free = usable - weights
    return (
        FitResult(
            instances=np.where(fits, 1.0, np.nan),
            needed_gib_per_instance=np.full_like(usable, needed / GIB),
            usable_gib_per_instance=fit.usable_gib_per_instance,
            shortfall_gib=np.where(fits, 0.0, np.maximum(needed - usable, 0.0) / GIB),
        ),
        np.asarray(free, float),
    )
