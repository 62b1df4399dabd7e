"""Training memory per chip: ZeRO/FSDP model states and activations under a parallel layout.

Model states, per parameter, mixed precision with Adam (Rajbhandari et al. 2020, "ZeRO",
arXiv:1910.02054, §3.1 and Figure 1): a 16-bit working copy of the weights (2 B), 16-bit
gradients (2 B) and K = 12 B of optimizer state (fp32 master copy 4 B + two fp32 Adam moments
8 B) → 16 B/param. Training in fp32/tf32 keeps the weights in fp32 (4 B), fp32 gradients (4 B),
and needs no separate master copy (Adam 8 B) → 16 B/param.

ZeRO stage z shards over the data-parallel degree N_d (each chip holds 1/N_d):
z ≥ 1 the master copy and optimizer moments; z ≥ 2 the gradients; z = 3 (FSDP FULL_SHARD) the
16-bit weights too. Tensor (t) and pipeline (p) parallelism split every part by t·p first.
Figure 1 of the paper (Ψ = 7.5B, N_d = 64): 120 GB, 31.4 GB, 16.6 GB, 1.9 GB for stages 0-3.

Activations per chip (Korthikanti et al. 2022, arXiv:2205.05198, eq. 2-6, 16-bit values): one
transformer layer keeps s·b·d·(34 + 5·a·s/d) bytes without parallelism; with tensor parallelism
and sequence parallelism everything divides by t: s·b·d·(34 + 5·a·s/d)/t. FlashAttention
(Dao et al. 2022) never stores the s×s score matrices, so the 5·a·s/d term goes. Under a 1F1B
pipeline schedule the first stage keeps p micro-batches of L/p layers, i.e. L layers' worth.
Full recomputation keeps only each layer's input (2·s·b·d/t per layer) plus one layer's working
set. Selective recomputation (recompute the attention core) keeps 34·s·b·d/t per layer — the
same as no recomputation when FlashAttention already drops the scores. Logits: 4·b·s·V/t (fp32,
vocabulary-parallel) [S6].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Recomputation = Literal["none", "selective", "full"]

FloatArray = npt.NDArray[np.float64]

ADAM_BYTES = 8.0
"""Two fp32 Adam moments [B/param] (ZeRO paper §3.1: K = 12 includes the 4 B master copy)."""
MASTER_BYTES = 4.0
"""fp32 master copy of the weights in mixed precision [B/param] (ZeRO paper §3.1)."""

LAYER_PARAMETERS_PER_D2 = 12.0
"""Parameters of one transformer block ≈ 12·d² (attention 4·d², MLP 8·d² at 4× expansion) —
Kaplan et al. 2020, arXiv:2001.08361, Table 1. Used for the ZeRO-3 gather buffer."""


@dataclass(frozen=True, slots=True)
class StateBytes:
    """Bytes per parameter of each part of the model states."""

    weights: float
    """Working copy used by forward/backward [B/param]: 2 for 16/8-bit training, 4 for fp32."""
    gradients: float
    master: float
    """fp32 master copy [B/param]; 0 when the working copy is already fp32."""
    optimizer: float

    @property
    def total(self) -> float:
        return self.weights + self.gradients + self.master + self.optimizer


def state_bytes(
    *,
    fp32_training: bool,
    optimizer: float = ADAM_BYTES,
    weights_override: float | None = None,
    gradients_override: float | None = None,
) -> StateBytes:
    """Default bytes per parameter (module doc), with the workload's overrides.

    ``weights_override`` is the older "weights incl. master copy" figure (6 = 2 + 4): the first
    2 B (4 B in fp32) are the working copy, the rest the master copy.

    Example: bf16 AdamW → 2 + 2 + 4 + 8 = 16 B/param; fp32 → 4 + 4 + 0 + 8 = 16 B/param.
    """
    working = 4.0 if fp32_training else 2.0
    if weights_override is None:
        weights, master = working, (0.0 if fp32_training else MASTER_BYTES)
    else:
        weights = min(weights_override, working)
        master = weights_override - weights
    grads = working if gradients_override is None else gradients_override
    return StateBytes(weights, grads, master, optimizer)


def model_state_split(
    parameters: float, states: StateBytes, zero_stage: int, model_parallel: int
) -> tuple[float, float]:
    """(replicated, sharded) model-state bytes of one chip before dividing by N_d [B].

    A chip holds replicated + sharded / N_d. Both are already divided by t·p = ``model_parallel``.

    Example: Ψ = 7.5e9, 16 B/param, stage 1, t·p = 1: replicated (2 + 2)·Ψ = 3e10, sharded
    12·Ψ = 9e10 → at N_d = 64: 3e10 + 9e10/64 = 3.14e10 B = 31.4 GB (ZeRO Figure 1).
    """
    n = parameters / model_parallel
    sharded = states.master + states.optimizer if zero_stage >= 1 else 0.0
    if zero_stage >= 2:
        sharded += states.gradients
    if zero_stage >= 3:
        sharded += states.weights
    return n * (states.total - sharded), n * sharded


def model_state_bytes_per_chip(
    parameters: float, states: StateBytes, zero_stage: int, data_parallel: npt.ArrayLike,
    model_parallel: int = 1,
) -> FloatArray:
    """Model-state bytes one chip holds [B] (vectorised over the data-parallel degree)."""
    replicated, sharded = model_state_split(parameters, states, zero_stage, model_parallel)
    dp = np.maximum(np.asarray(data_parallel, float), 1.0)
    return np.asarray(replicated + sharded / dp, float)


def zero3_gather_bytes(hidden_size: int | None, tensor_parallel: int, prefetch_layers: int = 2) -> float:
    """ZeRO-3 working buffer [B]: 16-bit parameters and gradients of the gathered layers.

    DeepSpeed's estimator counts 4 B × the largest layer's parameters; one transformer block has
    ≈ 12·d² parameters, and the prefetch keeps ``prefetch_layers`` gathered at once. 0 when the
    shape is unknown. Example: d 4096, t 1, 2 layers: 2 × 4 × 12 × 4096² = 1.61e9 B.
    """
    if hidden_size is None:
        return 0.0
    return prefetch_layers * 4.0 * LAYER_PARAMETERS_PER_D2 * float(hidden_size) ** 2 / tensor_parallel


def activation_bytes(
    *,
    layers: int,
    hidden_size: int,
    sequence_length: int,
    micro_batch: int,
    attention_heads: int,
    vocab_size: int | None,
    tensor_parallel: int = 1,
    recomputation: Recomputation = "none",
    flash_attention: bool = True,
    bytes_per_value: float = 2.0,
) -> float:
    """Activation bytes one chip keeps under a 1F1B schedule (module doc) [B].

    Example: L 2, d 1024, s 512, b 1, a 8, t 1, 16-bit, no recomputation, FlashAttention:
    34 · 512 · 1024 = 17,825,792 B per layer, × 2 = 35,651,584 B.
    """
    sbd = float(sequence_length) * micro_batch * hidden_size
    scores = 0.0 if flash_attention else 5.0 * attention_heads * sequence_length / hidden_size
    kept_scores = 0.0 if recomputation == "selective" else scores
    per_layer = sbd * (34.0 + kept_scores) / tensor_parallel
    if recomputation == "full":
        kept = 2.0 * sbd * layers / tensor_parallel + sbd * (34.0 + scores) / tensor_parallel
    else:
        kept = per_layer * layers
    total = kept * bytes_per_value / 2.0
    if vocab_size:
        total += 4.0 * micro_batch * sequence_length * vocab_size / tensor_parallel
    return total
