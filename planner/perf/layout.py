"""Parallel layouts for training: memory per chip, communication per step, and the search.

A layout is (tensor parallel t, pipeline parallel p, ZeRO stage z, recomputation); the data-
parallel degree follows from the chips used: N_d = instances · chips per instance / (t·p).
Tensor parallelism stays inside an instance (NVLink / NeuronLink); a pipeline may span
instances; data parallelism crosses instances over the network.

Time of one optimizer step, per chip (every term vectorised over instance types):
- compute: step FLOPs / (chips · peak · MFU) × recomputation factor;
- tensor parallel (Megatron-LM with sequence parallelism, Korthikanti 2022 §4.2.2): per layer and
  micro-batch 4 collectives (2 forward, 2 backward) of b·s·d·2 bytes, each 2·(t−1)/t of it over
  the link, not overlapped;
- pipeline bubble (1F1B, Narayanan et al. 2021, arXiv:2104.04473 §2.2): (p − 1)/m of the compute
  with m micro-batches per pipeline per step;
- data parallel: 2·(N_d−1)/N_d × 2 B/param of the model part an instance holds over its network
  (× 1.5 under ZeRO-3), hidden behind ``DP_OVERLAP`` of the compute; inside one instance the
  same volume per chip over the link.
Efficiency = compute / (compute + exposed communication).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
import numpy.typing as npt

from planner.perf.constants import (
    ASPECT_RATIO,
    DP_OVERLAP,
    LINK_EFFICIENCY,
    NETWORK_EFFICIENCY,
    ZERO3_COMM_FACTOR,
)
from planner.perf.memory import (
    Recomputation,
    StateBytes,
    activation_bytes,
    model_state_split,
    zero3_gather_bytes,
)

FloatArray = npt.NDArray[np.float64]

TP_CHOICES = (1, 2, 4, 8, 16)
PP_CHOICES = (1, 2, 4, 8, 16, 32)
SEARCHED_RECOMPUTATION: tuple[Recomputation, ...] = ("none", "full")
"""Recomputation the search tries: with FlashAttention "selective" keeps as much as "none"."""

FULL_RECOMPUTE_TIME_FACTOR = 1.0
"""Step-time factor of full recomputation against the MFU defaults [ratio]. The MFU defaults are
fitted on llm-foundry runs that mostly use full activation checkpointing (its MFU column
already includes the extra forward pass), so no further factor is applied; see
``planner.perf.mfu``."""


@dataclass(frozen=True, slots=True)
class Layout:
    tp: int
    pp: int
    zero: int
    recompute: Recomputation

    def label(self, data_parallel: float | None = None) -> str:
        dp = "" if data_parallel is None or np.isnan(data_parallel) else f" DP{int(data_parallel)}"
        return f"TP{self.tp} PP{self.pp}{dp} ZeRO-{self.zero} recompute {self.recompute}"


@dataclass(frozen=True, slots=True)
class TrainingShape:
    """What the layout model needs of a training workload (plain numbers)."""

    parameters: float
    states: StateBytes
    layers: int | None
    hidden_size: int | None
    attention_heads: int | None
    vocab_size: int | None
    sequence_length: int | None
    micro_batch: int
    global_batch_tokens: float
    activation_bytes_per_value: float = 2.0
    flash_attention: bool = True
    trainable_fraction: float = 1.0
    """Trained parameters per parameter: 1, or the LoRA/QLoRA adapter share r (only the adapters'
    gradients are reduced; ``planner.workload.finetune``)."""

    @property
    def shape_given(self) -> bool:
        return None not in (self.layers, self.hidden_size, self.sequence_length)

    def approx_shape(self) -> tuple[int, int]:
        """(L, d): as given, else from N ≈ 12·L·d² with d = ASPECT_RATIO · L."""
        if self.layers is not None and self.hidden_size is not None:
            return self.layers, self.hidden_size
        layers = max(1, round((self.parameters / (12.0 * ASPECT_RATIO.value**2)) ** (1 / 3)))
        return layers, int(ASPECT_RATIO.value * layers)


@dataclass(frozen=True, slots=True)
class Hardware:
    """Per instance type (arrays aligned with the instance specs)."""

    chips: FloatArray
    """Chips per instance."""
    usable_bytes_per_chip: FloatArray
    peak_flops: FloatArray
    """Dense peak at the training precision per chip × MFU [FLOP/s] — the achieved rate."""
    link_bytes_per_s: FloatArray
    network_bytes_per_s: FloatArray
    """Per instance [B/s]."""


def candidate_layouts(
    *, tp: int | None, pp: int | None, zero: int | None, recompute: Recomputation | None,
    layers: int | None,
) -> list[Layout]:
    """Layouts a practitioner would try; a given degree/stage/recomputation pins that axis.

    ZeRO-2/3 only without a pipeline (DeepSpeed does not combine them with pipeline parallelism);
    ZeRO-1 with any pipeline; plain DDP (ZeRO-0) only when asked for. Pipeline degree ≤ layers.
    """
    tps = (tp,) if tp is not None else TP_CHOICES
    pps = (pp,) if pp is not None else PP_CHOICES
    stages = (zero,) if zero is not None else (1, 2, 3)
    recomputes = (recompute,) if recompute is not None else SEARCHED_RECOMPUTATION
    out = []
    for t, p, z, r in product(tps, pps, stages, recomputes):
        if zero is None and z >= 2 and p > 1:
            continue
        if layers is not None and p > layers:
            continue
        out.append(Layout(t, p, z, r))
    return out


def memory_parts(shape: TrainingShape, layout: Layout) -> tuple[float, float]:
    """(bytes per chip that do not shrink with N_d, model-state bytes sharded over N_d)."""
    mp = layout.tp * layout.pp
    replicated, sharded = model_state_split(shape.parameters, shape.states, layout.zero, mp)
    fixed = replicated
    if layout.zero >= 3:
        fixed += zero3_gather_bytes(shape.hidden_size, layout.tp)
    if shape.shape_given:
        assert shape.layers and shape.hidden_size and shape.sequence_length
        fixed += activation_bytes(
            layers=shape.layers, hidden_size=shape.hidden_size,
            sequence_length=shape.sequence_length, micro_batch=shape.micro_batch,
            attention_heads=shape.attention_heads or max(1, shape.hidden_size // 128),
            vocab_size=shape.vocab_size, tensor_parallel=layout.tp,
            recomputation=layout.recompute, flash_attention=shape.flash_attention,
            bytes_per_value=shape.activation_bytes_per_value,
        )
    return fixed, sharded


def valid(layout: Layout, hw: Hardware) -> npt.NDArray[np.bool_]:
    """Tensor parallel inside an instance: t divides the chips per instance."""
    c = hw.chips
    return np.asarray((c >= layout.tp) & (np.mod(c, layout.tp) == 0) & (c > 0))


def group_instances(layout: Layout, hw: Hardware) -> FloatArray:
    """Instances one model replica (t·p chips) spans: a multiple of this is needed [count]."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mp = float(layout.tp * layout.pp)
        per = np.where(mp > hw.chips, np.ceil(mp / hw.chips), 1.0)
        # several replicas share an instance only when t·p divides the chips
        ok = (mp > hw.chips) | (np.mod(hw.chips, mp) == 0)
    return np.asarray(np.where(ok & (hw.chips > 0), per, np.nan), float)


def fewest_instances(
    shape: TrainingShape, layout: Layout, hw: Hardware, max_instances: int
) -> FloatArray:
    """Fewest instances where the layout fits (NaN: not within ``max_instances``)."""
    fixed, sharded = memory_parts(shape, layout)
    room = hw.usable_bytes_per_chip - fixed
    g = group_instances(layout, hw)
    mp = float(layout.tp * layout.pp)
    with np.errstate(divide="ignore", invalid="ignore"):
        dp_needed = np.where(room > 0, np.maximum(np.ceil(sharded / room - 1e-9), 1.0), np.inf)
        n = np.ceil(dp_needed * mp / hw.chips - 1e-9)
        n = np.ceil(n / g) * g
    ok = valid(layout, hw) & np.isfinite(n) & (n <= max_instances)
    return np.asarray(np.where(ok, np.maximum(n, 1.0), np.nan), float)


def memory_per_chip(
    shape: TrainingShape, layout: Layout, hw: Hardware, instances: npt.ArrayLike
) -> FloatArray:
    """Bytes one chip needs at ``instances`` instances [B]."""
    fixed, sharded = memory_parts(shape, layout)
    with np.errstate(divide="ignore", invalid="ignore"):
        dp = np.asarray(instances, float) * hw.chips / (layout.tp * layout.pp)
    return np.asarray(fixed + sharded / np.maximum(dp, 1.0), float)


def step_efficiency(
    shape: TrainingShape, layout: Layout, hw: Hardware, instances: npt.ArrayLike,
    flops_per_token: float,
) -> FloatArray:
    """Compute share of a step under ``layout`` at ``instances`` (module doc) [fraction]."""
    n = np.asarray(instances, float)
    t, p = layout.tp, layout.pp
    chips_total = n * hw.chips
    dp = chips_total / (t * p)
    layers, d = shape.approx_shape()
    seq = shape.sequence_length or 2048
    tokens = shape.global_batch_tokens
    recompute = FULL_RECOMPUTE_TIME_FACTOR if layout.recompute == "full" else 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        compute = tokens * flops_per_token / (chips_total * hw.peak_flops) * recompute
        micro_tokens = float(seq) * shape.micro_batch
        m = np.maximum(tokens / (micro_tokens * dp), 1.0)  # micro-batches per pipeline per step
        link = hw.link_bytes_per_s * LINK_EFFICIENCY.value
        tp_bytes = 4.0 * 2.0 * (t - 1) / t * micro_tokens * d * 2.0 * layers / p
        tp_time = np.where(t > 1, m * tp_bytes / link, 0.0)
        bubble = compute * (p - 1) / m
        grad_bytes = 2.0 * shape.parameters * shape.trainable_fraction
        ring = 2.0 * (dp - 1.0) / dp
        zf = ZERO3_COMM_FACTOR.value if layout.zero >= 3 else 1.0
        if shape.trainable_fraction < 1.0 and layout.zero >= 3:
            # LoRA under ZeRO-3: reduce-scatter of the adapters' gradients (half an all-reduce)
            # + two all-gathers of the weights (= 1.5 × 2·N for a full bf16 fine-tune)
            grad_bytes = 0.5 * grad_bytes + shape.states.weights * shape.parameters
            zf = 1.0
        held = np.minimum(1.0, hw.chips / (t * p))  # model share an instance holds
        net = hw.network_bytes_per_s * NETWORK_EFFICIENCY.value
        inter = ring * grad_bytes * held * zf / net
        intra = ring * grad_bytes / (t * p) * zf / link
        dp_time = np.where(dp > 1, np.where(n > 1, inter, intra), 0.0)
        overlap = 1.0 if layout.zero >= 3 else DP_OVERLAP.value
        exposed = np.maximum(dp_time - overlap * compute, 0.0)
        eff = compute / (compute + tp_time + bubble + exposed)
    return np.asarray(np.where(np.isfinite(eff), eff, np.nan), float)


@dataclass(frozen=True, slots=True)
class Choice:
    """The fastest fitting layout per instance type at a given instance count."""

    efficiency: FloatArray
    """NaN where no layout fits at that count."""
    index: npt.NDArray[np.int64]
    """Index into the candidate layouts (−1: none)."""


def fewest_over_layouts(
    shape: TrainingShape, layouts: list[Layout], hw: Hardware, max_instances: int
) -> FloatArray:
    """Fewest instances over all candidate layouts [count] (NaN: none fits)."""
    best = np.full(len(hw.chips), np.inf)
    for layout in layouts:
        best = np.fmin(best, fewest_instances(shape, layout, hw, max_instances))
    return np.asarray(np.where(np.isfinite(best), best, np.nan), float)


def best_at(
    shape: TrainingShape, layouts: list[Layout], hw: Hardware, instances: npt.ArrayLike,
    flops_per_token: float,
) -> Choice:
    """Fastest layout that fits at ``instances`` per type; ties keep the earlier candidate."""
    n = np.asarray(instances, float)
    best = np.full(len(hw.chips), -np.inf)
    index = np.full(len(hw.chips), -1, np.int64)
    for i, layout in enumerate(layouts):
        g = group_instances(layout, hw)
        with np.errstate(invalid="ignore"):
            whole = np.mod(n, g) == 0
            fits = memory_per_chip(shape, layout, hw, n) <= hw.usable_bytes_per_chip
        ok = valid(layout, hw) & whole & fits & ~np.isnan(n)
        if not ok.any():
            continue
        eff = step_efficiency(shape, layout, hw, n, flops_per_token)
        better = ok & (np.nan_to_num(eff, nan=-np.inf) > best + 1e-12)
        best = np.where(better, eff, best)
        index = np.where(better, i, index)
    return Choice(np.asarray(np.where(index >= 0, best, np.nan), float), index)
