"""Memory fit: does the workload fit in accelerator memory, and on how few instances?

Capacity is AWS's usable accelerator memory per instance (``accelerator_memory_gib_total``, from
DescribeInstanceTypes, e.g. 22 GiB per A10G, not 24 GB), minus a reserved overhead fraction.

Training (``planner.perf.memory``, ZeRO paper accounting): 16-bit weights 2 B, 16-bit gradients
2 B, fp32 master 4 B + Adam 8 B per parameter (fp32 training: 4 + 4 + 0 + 8). ZeRO-1 shards the
master copy and optimizer over every accelerator of the job, ZeRO-2 adds the gradients, ZeRO-3 /
FSDP the weights too. Activations per accelerator (Korthikanti et al. 2022, FlashAttention: no
score matrices) plus fp32 logits 4·b·s·vocab [S6]. The comparison searches parallel layouts
(``planner.workload.training``); this module answers the plain data-parallel case.

Per instance with c accelerators and n instances: need(n) = sharded / n + c · (replicated + act),
so the fewest instances that fit is ceil(sharded / (usable − c · (replicated + act))).

Inference: one replica per instance (tensor parallel inside it): weights N × bytes/param (the
stored ``weight_precision`` under weight-only quantisation) + the KV
cache of at least one full-context sequence must fit; what is left holds more sequences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.perf.memory import (
    Recomputation,
    StateBytes,
    activation_bytes,
    model_state_split,
    state_bytes,
)
from planner.workload.finetune import FROZEN_BYTES_PER_PARAMETER, frozen_precision, trainable_share
from planner.workload.performance import (
    BYTES_PER_VALUE,
    GIB,
    WEIGHT_BYTES_PER_PARAMETER,
    kv_bytes_per_token,
)
from planner.workload.records import (
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

ZERO_STAGE: dict[Sharding, int] = {
    Sharding.NONE: 0, Sharding.OPTIMIZER: 1, Sharding.GRADIENTS: 2, Sharding.FULL: 3,
}
"""Sharding name → ZeRO stage."""

DEFAULT_HEAD_DIM = 128
"""Head dimension used when ``attention_heads`` is not given (a = d / 128) — **assumption**, the
head size of Llama/GPT-3-class models."""


@dataclass(frozen=True, slots=True)
class TrainingMemory:
    """Training memory in bytes: what is sharded across the job and what each accelerator holds."""

    weights_bytes: float
    gradients_bytes: float
    optimizer_bytes: float
    """fp32 master copy + optimizer moments [B]."""
    sharded_bytes: float
    """Total bytes split over all accelerators of the job."""
    replicated_bytes_per_chip: float
    """Bytes of weights/gradients/optimizer every accelerator keeps whole."""
    activation_bytes_per_chip: float
    activations_counted: bool
    """False when the model shape (layers, hidden size, sequence length) was not given."""


def state_bytes_of(workload: TrainingWorkload | TrainingBaselineWorkload) -> StateBytes:
    """Bytes per (base) parameter of the workload's model states (defaults and its overrides).

    LoRA/QLoRA (``planner.workload.finetune``): the overrides and defaults apply to the trainable
    adapter share r only; the frozen base adds its precision's bytes to the weights.
    Example: QLoRA, r 0.01, bf16: weights 0.5 + 2·0.01, gradients 0.02, master 0.04, Adam 0.08.
    """
    trainable = state_bytes(
        fp32_training=workload.precision in (Precision.FP32, Precision.TF32),
        optimizer=workload.optimizer_bytes_per_parameter,
        weights_override=workload.weight_bytes_per_parameter,
        gradients_override=workload.gradient_bytes_per_parameter,
    )
    frozen = frozen_precision(workload.finetune, workload.frozen_weight_precision)
    if frozen is None:
        return trainable
    r = trainable_share(workload.finetune, workload.trainable_fraction)
    return StateBytes(
        weights=FROZEN_BYTES_PER_PARAMETER[frozen] + r * trainable.weights,
        gradients=r * trainable.gradients,
        master=r * trainable.master,
        optimizer=r * trainable.optimizer,
    )


def recomputation_of(workload: TrainingWorkload) -> Recomputation | None:
    """The workload's recomputation: ``recomputation``, else the older boolean when it was given,
    else None (searched)."""
    if workload.recomputation is not None:
        return workload.recomputation
    if "activation_recomputation" in workload.model_fields_set:
        return "full" if workload.activation_recomputation else "none"
    return None


def activation_bytes_per_chip(
    *,
    layers: int,
    hidden_size: int,
    sequence_length: int,
    micro_batch_size: int,
    attention_heads: int | None,
    vocab_size: int | None,
    recomputation: bool | Recomputation,
    bytes_per_value: float = 2.0,
    flash_attention: bool = True,
    tensor_parallel: int = 1,
) -> float:
    """Activation memory of one accelerator [B] (see ``planner.perf.memory.activation_bytes``).

    ``recomputation``: True = full, False = none, or the name.
    """
    named: dict[bool, Recomputation] = {True: "full", False: "none"}
    mode = named[recomputation] if isinstance(recomputation, bool) else recomputation
    return activation_bytes(
        layers=layers, hidden_size=hidden_size, sequence_length=sequence_length,
        micro_batch=micro_batch_size,
        attention_heads=attention_heads or max(1, hidden_size // DEFAULT_HEAD_DIM),
        vocab_size=vocab_size, tensor_parallel=tensor_parallel, recomputation=mode,
        flash_attention=flash_attention, bytes_per_value=bytes_per_value,
    )


def training_memory(workload: TrainingWorkload | TrainingBaselineWorkload) -> TrainingMemory | None:
    """Plain data-parallel memory split of ``workload`` (None when its parameter count is unknown).

    ``sharding`` None (searched) is taken as ZeRO-3 here, the layout needing the least memory.
    """
    if workload.parameters is None:
        return None
    n = workload.parameters
    states = state_bytes_of(workload)
    stage = ZERO_STAGE[workload.sharding or Sharding.FULL]
    replicated, sharded = model_state_split(n, states, stage, 1)
    act = 0.0
    counted = False
    if (
        isinstance(workload, TrainingWorkload)
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
            recomputation=recomputation_of(workload) or "full",
            bytes_per_value=max(2.0, BYTES_PER_VALUE[workload.precision]),
            flash_attention=workload.flash_attention,
        )
        counted = True
    return TrainingMemory(
        n * states.weights, n * states.gradients, n * (states.master + states.optimizer),
        sharded, replicated, act, counted,
    )


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


def inference_weight_bytes_per_parameter(workload: InferenceWorkload) -> float:
    """Stored bytes per weight [B/param]: ``weight_precision`` when given (weight-only
    quantisation), else the compute precision's bytes [S6]."""
    if workload.weight_precision is not None:
        return WEIGHT_BYTES_PER_PARAMETER[workload.weight_precision]
    return BYTES_PER_VALUE[workload.precision]


def inference_weight_bytes(workload: InferenceWorkload) -> float:
    """Model weights as stored [B] = N × bytes/param [S6]; what the memory fit holds and what a
    memory-bound decode step reads.

    Example: 7e9 parameters, int4 weights: 7e9 × 0.5 = 3.5e9 B (bf16: 1.4e10 B).
    """
    return workload.parameters * inference_weight_bytes_per_parameter(workload)


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
