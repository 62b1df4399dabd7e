"""LoRA / QLoRA fine-tunes: frozen-base memory, adapter states, (4 + 6·r)·N FLOPs."""

from __future__ import annotations

import numpy as np
import pytest

from planner.errors import PlanFileError
from planner.workload.compare import compare
from planner.workload.memory import training_memory
from planner.workload.records import Sharding, TrainingWorkload, workload_from_dict
from tests.workload_fixtures import make_workload_catalog


def test_qlora_memory_7b_default_share() -> None:
    # QLoRA, r = 0.01 (default), bf16 compute, searched sharding → ZeRO-3 in training_memory:
    # weights 7e9 × (0.5 NF4 + 2 × 0.01 adapters) = 3.64e9 B; gradients 7e9 × 2 × 0.01 = 1.4e8;
    # master + Adam 7e9 × (4 + 8) × 0.01 = 8.4e8; all sharded: 7e9 × 0.66 = 4.62e9 B
    memory = training_memory(TrainingWorkload(parameters=7e9, tokens=1e9, finetune="qlora"))
    assert memory is not None
    assert memory.weights_bytes == pytest.approx(3.64e9)
    assert memory.gradients_bytes == pytest.approx(1.4e8)
    assert memory.optimizer_bytes == pytest.approx(8.4e8)
    assert memory.sharded_bytes == pytest.approx(4.62e9)
    assert memory.replicated_bytes_per_chip == 0.0


def test_lora_zero1_keeps_the_frozen_base_on_every_chip() -> None:
    # LoRA (bf16 base), r 0.01, ZeRO-1: weights 2 + 0.02 and gradients 0.02 B/param stay whole:
    # 7e9 × 2.04 = 1.428e10 B per chip; master + Adam 7e9 × 0.12 = 8.4e8 B sharded
    memory = training_memory(TrainingWorkload(
        parameters=7e9, tokens=1e9, finetune="lora", sharding=Sharding.OPTIMIZER,
    ))
    assert memory is not None
    assert memory.replicated_bytes_per_chip == pytest.approx(1.428e10)
    assert memory.sharded_bytes == pytest.approx(8.4e8)


def test_lora_int8_base_given_share_no_sharding() -> None:
    # int8 base 1 B + r 0.02 × (2 + 2 + 4 + 8) = 1 + 0.32 = 1.32 B/param → 1e9 × 1.32 = 1.32e9 B
    memory = training_memory(TrainingWorkload(
        parameters=1e9, tokens=1e9, finetune="lora", frozen_weight_precision="int8",
        trainable_fraction=0.02, sharding=Sharding.NONE,
    ))
    assert memory is not None
    assert memory.replicated_bytes_per_chip == pytest.approx(1.32e9)
    assert memory.sharded_bytes == 0.0


def test_lora_flops_skip_the_base_weight_gradients() -> None:
    # LoRA, r 0.01: (4 + 6 × 0.01) × 7e9 × 1e9 = 4.06 × 7e18 = 2.842e19 FLOP (full: 4.2e19)
    lora = TrainingWorkload(parameters=7e9, tokens=1e9, finetune="lora")
    assert lora.total_flops == pytest.approx(2.842e19)
    assert TrainingWorkload(parameters=7e9, tokens=1e9).total_flops == pytest.approx(4.2e19)
    # with the shape the attention term stays whole: + 12 × 32 × 4096 × 4096 × 1e9 = 6.4425e18
    shaped = TrainingWorkload(
        parameters=7e9, tokens=1e9, finetune="qlora", trainable_fraction=0.02,
        layers=32, hidden_size=4096, sequence_length=4096,
    )
    # (4 + 0.12) × 7e9 × 1e9 = 2.884e19; + 6.442450944e18 = 3.5282450944e19
    assert shaped.total_flops == pytest.approx(3.5282450944e19)


def test_finetune_fields_are_checked() -> None:
    base = {"kind": "training", "parameters": 7e9, "tokens": 1e9}
    with pytest.raises(PlanFileError, match="trainable_fraction: only with finetune lora or qlora"):
        workload_from_dict({**base, "trainable_fraction": 0.01})
    with pytest.raises(PlanFileError, match="frozen_weight_precision: qlora keeps the base in int4"):
        workload_from_dict({**base, "finetune": "qlora", "frozen_weight_precision": "bf16"})
    with pytest.raises(PlanFileError, match="finetune"):
        workload_from_dict({**base, "finetune": "adapters"})
    # an existing file means what it meant: a full fine-tune
    assert workload_from_dict(base).finetune == "full"


def test_lora_comparison_time_and_assumptions() -> None:
    # as tests/test_compare.py SEVEN_B on p4d, with 4.06·N instead of 6·N per token:
    # 4.06 × 7e9 × 2e12 / (8 × 312e12 × 0.53) / 3600 = 11,935.24 h
    lora = TrainingWorkload(parameters=7e9, tokens=2e12, finetune="lora")
    result = compare(lora, make_workload_catalog())
    rows = result.rows
    row = rows[(rows["instance_type"] == "p4d.24xlarge") & (rows["purchase_option"] == "on_demand")]
    assert float(row["wall_hours"].iloc[0]) == pytest.approx(
        4.06 * 7e9 * 2e12 / (8 * 312e12 * 0.53) / 3600
    )
    assert float(row["wall_hours"].iloc[0]) == pytest.approx(11_935.24, abs=0.01)
    assumptions = result.assumptions["performance"]
    assert "(4 + 6·r)·N" in assumptions["flops_rule"]
    finetune = assumptions["memory"]["finetune"]
    assert finetune["kind"] == "lora"
    assert finetune["frozen_bytes_per_parameter"] == 2.0
    assert finetune["trainable_fraction"] == 0.01


def test_lora_zero3_moves_adapter_gradients_and_gathers_the_frozen_base() -> None:
    # 2 instances × 1 chip, 1e14 FLOP/s achieved per chip, network 1e7 B/s × 0.8 = 8e6 B/s.
    # LoRA r 0.01, bf16 base: weights 2 + 0.02 B/param. Step compute:
    # 4,194,304 tokens × 4.06e9 FLOP / (2 × 1e14) = 85.1443712 s.
    # ZeRO-3: reduce-scatter of the adapter gradients 0.5 × 2 × 1e9 × 0.01 = 1e7 B + two gathers
    # of the weights 2.02e9 B = 2.03e9 B × ring 2·(2−1)/2 = 1 → 2.03e9 / 8e6 = 253.75 s, fully
    # overlappable (ZeRO-3 prefetch): exposed 253.75 − 85.1443712 = 168.6056288 s
    # → efficiency 85.1443712 / 253.75 = 0.335544
    from planner.perf.layout import Hardware, Layout, TrainingShape, step_efficiency
    from planner.perf.memory import StateBytes

    shape = TrainingShape(
        parameters=1e9, states=StateBytes(2.02, 0.02, 0.04, 0.08), layers=None, hidden_size=None,
        attention_heads=None, vocab_size=None, sequence_length=None, micro_batch=1,
        global_batch_tokens=4_194_304.0, trainable_fraction=0.01,
    )
    hw = Hardware(chips=np.array([1.0]), usable_bytes_per_chip=np.array([80e9]),
                  peak_flops=np.array([1e14]), link_bytes_per_s=np.array([3e11]),
                  network_bytes_per_s=np.array([1e7]))
    eff = step_efficiency(shape, Layout(1, 1, 3, "none"), hw, np.array([2.0]), 4.06e9)
    assert float(eff[0]) == pytest.approx(85.1443712 / 253.75)
