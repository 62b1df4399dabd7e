"""Workload records: what an ML engineer wants to run, validated, with a JSON file format.

Four kinds, told apart by ``"kind"``:

- ``training`` — model-based: parameters N, training tokens D (or samples × epochs × FLOPs per
  sample), precision; optional transformer shape for the attention term and activation memory.
- ``training_baseline`` — measured: "this job takes H hours on instance X", scaled to others.
- ``inference`` — LLM serving: requests per second (peak and a 24-hour shape), tokens per request,
  model size and shape (for the KV cache), a latency target per output token.
- ``cpu`` — CPU work: vCPU-hours and the memory one instance needs.

Every numeric bound below is a sanity range, quoted in the error a bad file gets (one line naming
the field and the allowed range). File format: a JSON object with ``"schema_version": 1``.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from planner.errors import PlanFileError
from planner.jsonfile import read_json_file
from planner.printable import echo
from planner.validation import describe_validation_error

WORKLOAD_SCHEMA_VERSION = 1

MAX_PARAMETERS = 1e13
"""Largest model accepted [parameters] (10 trillion; a sanity bound, not a hardware limit)."""
MAX_TOKENS = 1e16
"""Largest training-token count accepted [tokens] (≈ 500× the largest published runs)."""
MAX_FLOPS = 1e30
"""Largest total training compute accepted [FLOP]."""
MAX_INSTANCES = 100_000
MAX_HOURS = 1e6
"""Largest time accepted [h] (≈ 114 years)."""
MAX_MEASURED_TYPES = 2000
"""Most instance types a workload may give measured throughput for (the snapshot has ~1,400)."""


class Precision(StrEnum):
    """Numeric precision of the matrix maths; names the peak-TFLOPS column of the accelerators."""

    FP32 = "fp32"
    TF32 = "tf32"
    BF16 = "bf16"
    FP16 = "fp16"
    FP8 = "fp8"
    INT8 = "int8"


class Sharding(StrEnum):
    """How training state is split across the job's accelerators (data-parallel degree).

    ``none``: every accelerator holds everything (DDP); ``optimizer``: ZeRO-1; ``gradients``:
    ZeRO-2 (gradients + optimizer); ``full``: ZeRO-3 / FSDP (weights + gradients + optimizer).
    """

    NONE = "none"
    OPTIMIZER = "optimizer"
    GRADIENTS = "gradients"
    FULL = "full"


def _bounded(low: float, high: float, *, inclusive_low: bool = False) -> Any:
    if inclusive_low:
        return Field(ge=low, le=high, allow_inf_nan=False)
    return Field(gt=low, le=high, allow_inf_nan=False)


Parameters = Annotated[float, _bounded(0, MAX_PARAMETERS)]
Hours = Annotated[float, _bounded(0, MAX_HOURS)]
PauseHours = Annotated[float, _bounded(0, 1000, inclusive_low=True)]
"""A pause of the job [h], 0 allowed: checkpoint write, restart."""
PerHour = Annotated[float, _bounded(0, 1000, inclusive_low=True)]
"""A rate [1/h], 0 allowed (spot interruptions per instance)."""
Fraction = Annotated[float, _bounded(0, 1)]
Count = Annotated[int, Field(ge=1, le=MAX_INSTANCES)]
Layers = Annotated[int, Field(ge=1, le=1000)]
Hidden = Annotated[int, Field(ge=1, le=1_000_000)]
SeqLen = Annotated[int, Field(ge=1, le=10_000_000)]
Heads = Annotated[int, Field(ge=1, le=10_000)]
BytesPerParam = Annotated[float, _bounded(0, 64, inclusive_low=True)]


class _Workload(BaseModel):
    # defer_build: a kind's validator is built the first time it validates, so a process that
    # reads one workload builds one validator, not all four (the union below is built on demand)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    schema_version: Literal[1] = 1
    name: Annotated[str, Field(min_length=1, max_length=200)] = "workload"


class _Job(_Workload):
    """What every batch job (training or CPU) says about its scale, deadline and spot restarts."""

    instances: Count | None = None
    """Fix the instance count; default: the fewest that fit (more if a deadline needs them)."""
    max_instances: Count = 512
    deadline_hours: Hours | None = None
    interruptions_per_hour: PerHour | None = None
    """Spot: per-instance interruption rate [1/h]; default from the Spot Advisor bucket."""
    checkpoint_write_hours: PauseHours = 0.1
    restart_hours: PauseHours = 0.25
    commitment_reuse_fraction: Annotated[float, _bounded(0, 1, inclusive_low=True)] = 0.0
    """Share [0–1] of a reservation's or savings plan's committed instance-hours left after the
    job that other work will use; the job is charged the rest. 0 (default): the job pays the whole
    commitment."""


class _TrainingRun(_Job):
    """What every training workload adds: memory per parameter, sharding, batch, utilisation."""

    optimizer_bytes_per_parameter: BytesPerParam = 8.0
    """AdamW: two fp32 moments = 8 B/param [S6]."""
    weight_bytes_per_parameter: BytesPerParam | None = None
    """Default 6 (fp32 master + 16-bit copy) for 16/8-bit training, 4 for fp32/tf32 [S6]."""
    gradient_bytes_per_parameter: BytesPerParam | None = None
    """Default 4 [S6]."""
    sharding: Sharding | None = None
    """ZeRO stage; default: searched (ZeRO-1/2/3, whichever is fastest and fits)."""
    tensor_parallel: Annotated[int, Field(ge=1, le=64)] | None = None
    """Tensor-parallel degree (inside one instance); default: searched (1, 2, 4, 8, 16)."""
    pipeline_parallel: Annotated[int, Field(ge=1, le=256)] | None = None
    """Pipeline-parallel degree (may span instances); default: searched (1 … 32)."""
    recomputation: Literal["none", "selective", "full"] | None = None
    """Activation recomputation; default: searched (none or full), or ``activation_recomputation``
    when that is given."""
    global_batch_tokens: Annotated[float, _bounded(0, 1e9)] = 4_194_304.0
    """Tokens per optimizer step (all-reduce check); default 4M (2^22), the Llama 2 batch."""
    mfu: Fraction | None = None
    """Model FLOPs utilisation for every chip; default per chip (see performance.DEFAULT_MFU)."""
    multi_node_efficiency: Fraction | None = None
    finetune: Literal["full", "lora", "qlora"] = "full"
    """``full`` (every parameter trained), ``lora`` (frozen base + adapters) or ``qlora`` (frozen
    4-bit NF4 base + adapters); see ``planner.workload.finetune``."""
    frozen_weight_precision: Literal["bf16", "int8", "int4"] | None = None
    """LoRA/QLoRA: precision of the frozen base (2 / 1 / 0.5 B/param); default bf16 for LoRA,
    int4 (NF4) for QLoRA."""
    trainable_fraction: Annotated[float, _bounded(0, 1)] | None = None
    """LoRA/QLoRA: adapter parameters as a share of the model; default 0.01 (an assumption, see
    ``finetune.DEFAULT_TRAINABLE_FRACTION``)."""

    @model_validator(mode="after")
    def _finetune_fields(self) -> _TrainingRun:
        if self.finetune == "full":
            for name in ("frozen_weight_precision", "trainable_fraction"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name}: only with finetune lora or qlora (got finetune full)")
        if self.finetune == "qlora" and self.frozen_weight_precision not in (None, "int4"):
            raise ValueError(
                "frozen_weight_precision: qlora keeps the base in int4 (NF4); "
                f"got {self.frozen_weight_precision} (use finetune lora)"
            )
        return self


class TrainingWorkload(_TrainingRun):
    """Model-based training: FLOPs ≈ 6·N·D (+ attention), unless FLOPs per sample are given."""

    kind: Literal["training"] = "training"
    parameters: Parameters
    """N, trainable (non-embedding) parameters."""
    tokens: Annotated[float, _bounded(0, MAX_TOKENS)] | None = None
    """D, training tokens (all epochs)."""
    samples: Annotated[float, _bounded(0, 1e15)] | None = None
    epochs: Annotated[float, _bounded(0, 1e6)] = 1.0
    flops_per_sample: Annotated[float, _bounded(0, 1e24)] | None = None
    """Training FLOPs per sample (forward + backward); with ``samples`` replaces 6·N·D."""
    precision: Precision = Precision.BF16
    sequence_length: SeqLen | None = None
    layers: Layers | None = None
    hidden_size: Hidden | None = None
    attention_heads: Heads | None = None
    vocab_size: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    attention_flops: bool = True
    """Add the attention term 12·L·s·d per token (llm-foundry's definition) when the shape is given."""
    micro_batch_size: Annotated[int, Field(ge=1, le=100_000)] = 1
    """Sequences per accelerator per step (activation memory)."""
    activation_recomputation: bool = True
    """Older switch: true = full recomputation, false = none (used when ``recomputation`` is not
    given and this field is set explicitly)."""
    flash_attention: bool = True
    """Attention that never stores the s×s score matrices (FlashAttention): activation memory."""

    @model_validator(mode="after")
    def _work_given(self) -> TrainingWorkload:
        if self.tokens is None and (self.samples is None or self.flops_per_sample is None):
            raise ValueError(
                "tokens: give tokens (0 < tokens ≤ 1e16) or samples with flops_per_sample"
            )
        if self.tokens is not None and self.flops_per_sample is not None:
            raise ValueError("flops_per_sample: give tokens or flops_per_sample, not both")
        if self.total_flops > MAX_FLOPS:
            raise ValueError(
                f"tokens: total training compute {self.total_flops:.3g} FLOP is above {MAX_FLOPS:g}"
            )
        return self

    @property
    def has_shape(self) -> bool:
        return None not in (self.layers, self.hidden_size, self.sequence_length)

    @property
    def counts_attention(self) -> bool:
        """The token route adds the attention term (``attention_flops`` and the shape given)."""
        return self.tokens is not None and self.attention_flops and self.has_shape

    @property
    def flops_per_token(self) -> float | None:
        """Training FLOPs per token [FLOP] (see performance.flops_per_token); None on the
        samples route (``flops_per_sample`` × ``samples``), which has no per-token figure."""
        from planner.workload.finetune import linear_flops_per_parameter
        from planner.workload.performance import flops_per_token

        if self.tokens is None:
            return None
        linear = linear_flops_per_parameter(self.finetune, self.trainable_fraction)
        if self.counts_attention:
            return flops_per_token(
                self.parameters,
                layers=self.layers,
                sequence_length=self.sequence_length,
                hidden_size=self.hidden_size,
                linear_per_parameter=linear,
            )
        return flops_per_token(self.parameters, linear_per_parameter=linear)

    @property
    def total_flops(self) -> float:
        """Total training compute [FLOP]: FLOPs per token × tokens, or per sample × samples × epochs."""
        per_token = self.flops_per_token
        if per_token is not None and self.tokens is not None:
            return per_token * self.tokens
        assert self.flops_per_sample is not None and self.samples is not None
        return self.flops_per_sample * self.samples * self.epochs


class TrainingBaselineWorkload(_TrainingRun):
    """Measured: the job takes ``baseline_hours`` on ``baseline_instances`` × ``baseline_instance_type``."""

    kind: Literal["training_baseline"] = "training_baseline"
    baseline_instance_type: Annotated[str, Field(min_length=1, max_length=64)]
    baseline_hours: Hours
    baseline_instances: Count = 1
    precision: Precision = Precision.BF16
    parameters: Parameters | None = None
    """For the memory-fit check (mixed-precision AdamW, 16-18 B/param); omitted → fit not checked."""


class InferenceWorkload(_Workload):
    """LLM serving: a decode roofline per instance, instances needed hour by hour."""

    kind: Literal["inference"] = "inference"
    parameters: Parameters
    precision: Precision = Precision.BF16
    kv_cache_precision: Precision | None = None
    """Default: ``precision`` (fp32/tf32 → 4 B, 16-bit → 2 B, 8-bit → 1 B per value)."""
    weight_precision: Literal["bf16", "fp8", "int8", "int4"] | None = None
    """Weight-only quantisation: how the weights are stored (2 / 1 / 1 / 0.5 B/param, see
    ``performance.WEIGHT_BYTES_PER_PARAMETER``), read per decode step; the maths stays at
    ``precision``. Default: ``precision``'s bytes."""
    layers: Layers
    hidden_size: Hidden
    attention_heads: Heads | None = None
    kv_heads: Heads | None = None
    """Grouped-query attention: KV heads; default = attention heads (multi-head)."""
    requests_per_second: Annotated[float, _bounded(0, 1e7)]
    """Peak request rate [1/s]."""
    hourly_shape: Annotated[list[Annotated[float, _bounded(0, 1, inclusive_low=True)]], Field(
        min_length=24, max_length=24
    )] | None = None
    """24 fractions of the peak, hour 0..23 (default: peak all day)."""
    input_tokens: SeqLen
    output_tokens: SeqLen
    latency_target_ms_per_output_token: Annotated[float, _bounded(0, 1e6)] | None = None
    max_batch_size: Annotated[int, Field(ge=1, le=100_000)] = 256
    min_instances: Annotated[int, Field(ge=0, le=MAX_INSTANCES)] = 1
    measured_output_tokens_per_second: Annotated[dict[
        Annotated[str, Field(min_length=1, max_length=64)], Annotated[float, _bounded(0, 1e9)]
    ], Field(max_length=MAX_MEASURED_TYPES)] = Field(default_factory=dict)
    """Instance type → measured output tokens/s per instance, used instead of the roofline."""
    compute_efficiency: Fraction | None = None
    memory_efficiency: Fraction | None = None
    memory_overhead_fraction: Annotated[float, _bounded(0, 0.9, inclusive_low=True)] = 0.1

    @model_validator(mode="after")
    def _heads(self) -> InferenceWorkload:
        if self.kv_heads is not None and self.attention_heads is None:
            raise ValueError("attention_heads: required with kv_heads (1 ≤ attention_heads ≤ 10000)")
        if (
            self.kv_heads is not None
            and self.attention_heads is not None
            and self.kv_heads > self.attention_heads
        ):
            raise ValueError(
                f"kv_heads: must be in [1, attention_heads = {self.attention_heads}], "
                f"got {self.kv_heads}"
            )
        if self.weight_precision is not None:
            from planner.workload.performance import BYTES_PER_VALUE, WEIGHT_BYTES_PER_PARAMETER

            if WEIGHT_BYTES_PER_PARAMETER[self.weight_precision] > BYTES_PER_VALUE[self.precision]:
                raise ValueError(
                    f"weight_precision: {self.weight_precision} weights are wider than the "
                    f"{self.precision} compute precision (weight-only quantisation narrows them)"
                )
        if self.hourly_shape is not None and max(self.hourly_shape) <= 0:
            raise ValueError("hourly_shape: at least one hour must be above 0 (values in [0, 1])")
        return self

    @property
    def shape(self) -> list[float]:
        return list(self.hourly_shape) if self.hourly_shape is not None else [1.0] * 24


class CpuWorkload(_Job):
    """CPU work: total vCPU-hours and the memory one instance needs."""

    kind: Literal["cpu"] = "cpu"
    vcpu_hours: Annotated[float, _bounded(0, 1e9)]
    memory_gib: Annotated[float, _bounded(0, 100_000)]
    """Memory each instance needs [GiB]."""
    architectures: list[Literal["x86_64", "arm64"]] = Field(
        default=["x86_64"], min_length=1, max_length=2
    )
    max_instances: Count = 1000
    parallel_efficiency: Fraction = 1.0
    """Share of the vCPUs the work keeps busy (1 = embarrassingly parallel)."""
    checkpoint_write_hours: PauseHours = 0.0
    restart_hours: PauseHours = 0.05


Workload = TrainingWorkload | TrainingBaselineWorkload | InferenceWorkload | CpuWorkload


@cache
def _union() -> TypeAdapter[Any]:
    """Every kind as one union tagged by ``kind`` (built on first use: a document whose kind is
    missing or unknown, or one that fails validation, is described as this union reports it)."""
    return TypeAdapter(Annotated[Workload, Field(discriminator="kind")])


_MODELS: dict[str, type[BaseModel]] = {
    "training": TrainingWorkload,
    "training_baseline": TrainingBaselineWorkload,
    "inference": InferenceWorkload,
    "cpu": CpuWorkload,
}


def describe_workload_error(error: ValidationError) -> str:
    """The first problem as one line: ``field: what is allowed (got …)``."""
    return describe_validation_error(error, tags=_MODELS, what="workload")


def workload_from_dict(data: Any, *, source: str = "workload") -> Workload:
    """Validate a decoded workload; raises :class:`PlanFileError` naming the field and its range."""
    if not isinstance(data, dict):
        raise PlanFileError(f"{source}: a workload must be a JSON object, got {type(data).__name__}")
    version = data.get("schema_version", WORKLOAD_SCHEMA_VERSION)
    if version != WORKLOAD_SCHEMA_VERSION:
        raise PlanFileError(
            f"{source}: schema_version: {echo(version)} is not supported (this planner reads 1)"
        )
    kind = data.get("kind")
    model = _MODELS.get(kind) if isinstance(kind, str) else None
    if model is not None:  # the member the union would pick by its tag, validated on its own
        try:
            return model.model_validate(data)  # type: ignore[return-value]
        except ValidationError:
            pass  # reported below exactly as the tagged union reports it
    try:
        workload: Workload = _union().validate_python(data)
    except ValidationError as exc:
        raise PlanFileError(f"{source}: {describe_workload_error(exc)}") from None
    return workload


def load_workload(path: Path | str) -> Workload:
    """Read and validate a workload file; errors name the file, the field and the allowed range."""
    return workload_from_dict(read_json_file(path, what="workload"), source=str(path))
