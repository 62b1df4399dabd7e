"""Memory fit at the boundary, sharding, activations, inference."""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.workload.memory import (
    activation_bytes_per_chip,
    inference_fit,
    instances_to_fit,
    training_fit,
    training_memory,
)
from planner.workload.records import InferenceWorkload, Sharding, TrainingWorkload

GIB = 2**30


def test_exactly_fits_and_one_byte_over() -> None:
    # 16 GiB needed per chip, 16 GiB capacity, no overhead → fits on 1 instance
    exact = instances_to_fit(
        sharded_bytes=0.0, per_chip_bytes=16 * GIB, chips_per_instance=1, capacity_gib=16,
        overhead_fraction=0.0, max_instances=8,
    )
    assert exact.instances.tolist() == [1.0]
    # one byte more: replicated memory never shrinks with more instances → does not fit,
    # shortfall 1 byte = 1/2^30 GiB
    over = instances_to_fit(
        sharded_bytes=0.0, per_chip_bytes=16 * GIB + 1, chips_per_instance=1, capacity_gib=16,
        overhead_fraction=0.0, max_instances=8,
    )
    assert math.isnan(float(over.instances[0]))
    assert float(over.shortfall_gib[0]) == pytest.approx(1 / GIB)


def test_sharded_boundary_needs_one_more_instance() -> None:
    # 32 GiB sharded over 16 GiB instances: exactly 2 instances; one byte more → 3
    two = instances_to_fit(
        sharded_bytes=32 * GIB, per_chip_bytes=0.0, chips_per_instance=1, capacity_gib=16,
        overhead_fraction=0.0,
    )
    three = instances_to_fit(
        sharded_bytes=32 * GIB + 1, per_chip_bytes=0.0, chips_per_instance=1, capacity_gib=16,
        overhead_fraction=0.0,
    )
    assert two.instances.tolist() == [2.0]
    assert three.instances.tolist() == [3.0]


def test_does_not_fit_reports_shortfall_at_max_instances() -> None:
    # 100 GiB sharded, 4 GiB per chip × 2 chips, capacity 10 GiB, max 10 instances:
    # at 10: 100/10 + 8 = 18 GiB needed vs 10 → short by 8 GiB
    result = instances_to_fit(
        sharded_bytes=100 * GIB, per_chip_bytes=4 * GIB, chips_per_instance=2, capacity_gib=10,
        overhead_fraction=0.0, max_instances=10,
    )
    # room = 10 − 8 = 2 GiB → ceil(100/2) = 50 > 10 → does not fit
    assert not result.fits[0]
    assert float(result.shortfall_gib[0]) == pytest.approx(8.0)
    assert float(result.needed_gib_per_instance[0]) == pytest.approx(18.0)


def test_training_bytes_16_per_parameter() -> None:
    # ZeRO paper accounting, bf16 AdamW: weights 2 + gradients 2 + (fp32 master 4 + Adam 8) = 16
    # B/param; 1e9 params → 1.6e10 B, all sharded under the default (searched → ZeRO-3 here)
    w = TrainingWorkload(parameters=1e9, tokens=1e9)
    memory = training_memory(w)
    assert memory is not None
    assert memory.weights_bytes == 2e9
    assert memory.gradients_bytes == 2e9
    assert memory.optimizer_bytes == 12e9
    assert memory.sharded_bytes == 1.6e10
    assert memory.replicated_bytes_per_chip == 0.0


def test_explicit_zero_byte_overrides_are_kept() -> None:
    # weight_bytes_per_parameter = 0 (weights incl. master copy) is an explicit value:
    # 1e9 × (0 + 2 + 0 + 8) = 1.0e10 B; gradients 0 likewise → 1e9 × (2 + 0 + 4 + 8) = 1.4e10 B
    no_weights = training_memory(
        TrainingWorkload(parameters=1e9, tokens=1e9, weight_bytes_per_parameter=0)
    )
    assert no_weights is not None
    assert no_weights.weights_bytes == 0.0
    assert no_weights.sharded_bytes == 1.0e10
    no_grads = training_memory(
        TrainingWorkload(parameters=1e9, tokens=1e9, gradient_bytes_per_parameter=0)
    )
    assert no_grads is not None
    assert no_grads.sharded_bytes == 1.4e10


def test_training_sharding_optimizer_only() -> None:
    # ZeRO-1: fp32 master + Adam 12e9 sharded; 16-bit weights + gradients 4e9 on every chip
    memory = training_memory(TrainingWorkload(parameters=1e9, tokens=1e9, sharding=Sharding.OPTIMIZER))
    assert memory is not None
    assert memory.sharded_bytes == 12e9
    assert memory.replicated_bytes_per_chip == 4e9


def test_training_fit_7b_on_a100_40gb() -> None:
    # 7e9 × 16 B = 1.12e11 B = 104.31 GiB, FSDP; p4d 320 GiB × 0.9 = 288 GiB → 1 instance;
    # V100 16 GB instance (1 chip): 14.4 GiB usable → ceil(104.31 / 14.4) = 8 instances
    memory = training_memory(TrainingWorkload(parameters=7e9, tokens=1e9))
    assert memory is not None
    fit = training_fit(memory, np.array([8, 1]), np.array([320.0, 16.0]), max_instances=64)
    assert fit.instances.tolist() == [1.0, 8.0]


def test_activation_memory_hand_worked() -> None:
    # FlashAttention, no recomputation: per layer 34·s·b·d = 34 · 512 · 1024 = 17,825,792 B;
    # 2 layers → 35,651,584 B
    assert activation_bytes_per_chip(
        layers=2, hidden_size=1024, sequence_length=512, micro_batch_size=1, attention_heads=8,
        vocab_size=None, recomputation=False,
    ) == 35_651_584
    # without FlashAttention the scores add 5·a·s/d: 524,288 · (34 + 20) = 28,311,552 B per layer
    assert activation_bytes_per_chip(
        layers=2, hidden_size=1024, sequence_length=512, micro_batch_size=1, attention_heads=8,
        vocab_size=None, recomputation=False, flash_attention=False,
    ) == 56_623_104
    # full recomputation: 2·s·b·d·L + one layer = 2·524,288·2 + 17,825,792 = 19,922,944 B
    assert activation_bytes_per_chip(
        layers=2, hidden_size=1024, sequence_length=512, micro_batch_size=1, attention_heads=8,
        vocab_size=None, recomputation=True,
    ) == 19_922_944
    # tensor parallel 4 with sequence parallelism divides everything: 35,651,584 / 4 = 8,912,896
    assert activation_bytes_per_chip(
        layers=2, hidden_size=1024, sequence_length=512, micro_batch_size=1, attention_heads=8,
        vocab_size=None, recomputation="none", tensor_parallel=4,
    ) == 8_912_896


def test_inference_fit() -> None:
    # 8e9 params bf16 = 1.6e10 B = 14.90 GiB; KV 131,072 B × (1024 + 1024) = 0.25 GiB;
    # needed 15.15 GiB; 16 GiB × 0.9 = 14.4 GiB usable → does not fit (short 0.75 GiB);
    # 24 GiB × 0.9 = 21.6 → fits
    w = InferenceWorkload(
        parameters=8e9, layers=32, hidden_size=4096, attention_heads=32, kv_heads=8,
        requests_per_second=1, input_tokens=1024, output_tokens=1024,
    )
    fit, free = inference_fit(w, np.array([16.0, 24.0]), np.array([1, 1]))
    assert fit.fits.tolist() == [False, True]
    needed = (1.6e10 + 131_072 * 2048) / GIB
    assert float(fit.shortfall_gib[0]) == pytest.approx(needed - 14.4)
    assert float(free[1]) == pytest.approx(21.6 * GIB - 1.6e10)
