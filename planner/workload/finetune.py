"""LoRA / QLoRA fine-tunes: memory of a frozen base with trainable adapters, and their FLOPs.

A LoRA fine-tune (Hu et al. 2021, "LoRA", arXiv:2106.09685) freezes the base model and trains
low-rank adapters (r·(d_in + d_out) parameters per adapted matrix). QLoRA (Dettmers et al. 2023,
arXiv:2305.14314) keeps the frozen base in 4-bit NormalFloat (NF4) and computes in bf16.

Memory, per base parameter (N), with a trainable share r of adapter parameters on top of the
base (mixed precision AdamW, ZeRO paper accounting as ``planner.perf.memory``):

- frozen base weights at their precision f (bf16 2 B, int8 1 B, int4/NF4 0.5 B) plus the 16-bit
  adapter weights 2·r — sharded only under ZeRO-3 / FSDP, like every weight;
- 16-bit gradients 2·r, fp32 master copy 4·r and Adam moments 8·r — for the adapters only.

Example: 7e9 parameters, QLoRA, r = 0.01: 0.5 + 0.02 + 0.02 + 0.04 + 0.08 = 0.66 B/param
→ 4.62e9 B, against 16 B/param = 1.12e11 B for a full fine-tune.

FLOPs per token: a full step is 6·N (forward 2·N, backward 4·N: 2·N for the activation
gradients and 2·N for the weight gradients; Kaplan et al. 2020, arXiv:2001.08361 §2.1; EleutherAI
Transformer Math 101 [W7]). The frozen base needs no weight gradients, so a LoRA step is
4·N, plus 6·r·N for the adapters themselves: (4 + 6·r)·N. The attention term (12·L·s·d) has
no weights and is unchanged.
"""

from __future__ import annotations

from typing import Literal

from planner.perf.constants import Sourced

Finetune = Literal["full", "lora", "qlora"]
FrozenPrecision = Literal["bf16", "int8", "int4"]

FROZEN_BYTES_PER_PARAMETER: dict[str, float] = {"bf16": 2.0, "int8": 1.0, "int4": 0.5}
"""Bytes per frozen base parameter [B]: 16 / 8 / 4 bits. int4 is QLoRA's NF4 (Dettmers et al.
2023 §3); its block-wise quantisation constants (≈ 0.127 bit/param with double quantisation,
§3 "Double Quantization") are left out (< 4 % of 0.5 B)."""

DEFAULT_FROZEN_PRECISION: dict[str, FrozenPrecision] = {"lora": "bf16", "qlora": "int4"}
"""Frozen base precision by fine-tune kind: LoRA keeps the 16-bit base, QLoRA 4-bit NF4."""

DEFAULT_TRAINABLE_FRACTION = Sourced(
    0.01,
    "assumption: adapters of rank 16-64 on every linear layer of Llama-2-7B hold 0.6-2.4 % of "
    "its parameters (r·(d_in + d_out) per matrix: rank 64 → 5.0e6 per layer × 32 = 1.6e8 of "
    "6.7e9; QLoRA paper arXiv:2305.14314 uses rank 64 on all linear layers)",
)
"""Adapter parameters as a share of the base model's parameters [fraction]."""

FULL_FLOPS_PER_PARAMETER = 6.0
"""Training FLOPs per parameter per token, full step (Kaplan et al. 2020; W7)."""
LORA_BASE_FLOPS_PER_PARAMETER = 4.0
"""Frozen base FLOPs per parameter per token: forward 2 + activation gradients 2 (no weight
gradients) — derived from the 6·N split above."""


def frozen_precision(finetune: Finetune, given: FrozenPrecision | None) -> FrozenPrecision | None:
    """The frozen base precision of a LoRA/QLoRA fine-tune (None for a full fine-tune)."""
    if finetune == "full":
        return None
    return given or DEFAULT_FROZEN_PRECISION[finetune]


def trainable_share(finetune: Finetune, given: float | None) -> float:
    """Trainable parameters per base parameter: 1 for a full fine-tune, else the adapter share."""
    if finetune == "full":
        return 1.0
    return DEFAULT_TRAINABLE_FRACTION.value if given is None else given


def linear_flops_per_parameter(finetune: Finetune, trainable_fraction: float | None) -> float:
    """Weight FLOPs per parameter per token [FLOP]: 6 (full) or 4 + 6·r (LoRA/QLoRA).

    Example: LoRA, r = 0.01 → 4 + 0.06 = 4.06.
    """
    if finetune == "full":
        return FULL_FLOPS_PER_PARAMETER
    return LORA_BASE_FLOPS_PER_PARAMETER + FULL_FLOPS_PER_PARAMETER * trainable_share(
        finetune, trainable_fraction
    )


def flops_rule(finetune: Finetune, trainable_fraction: float | None) -> str:
    """The FLOPs rule for the assumptions ('' for a full fine-tune)."""
    if finetune == "full":
        return ""
    r = trainable_share(finetune, trainable_fraction)
    return (
        f"{finetune}: (4 + 6·r)·N per token, r = {r:g} trainable share — the frozen base skips "
        "its weight-gradient GEMMs (6·N = forward 2·N + activation gradients 2·N + weight "
        "gradients 2·N; Kaplan 2020)"
    )
