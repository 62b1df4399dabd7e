"""Performance model: FLOPs, training time, all-reduce check, inference roofline regimes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.workload.performance import (
    allreduce_seconds,
    bandwidth_scale,
    decode_step_seconds,
    kv_bytes_per_token,
    prefill_seconds,
    scaling_efficiency,
    serving_throughput,
    training_flops,
    training_seconds,
)


def test_flops_6nd() -> None:
    # 6 × 7e9 × 2e12 = 8.4e22
    assert training_flops(7e9, 2e12) == pytest.approx(8.4e22)


def test_flops_with_attention_term() -> None:
    # 6·N·D + 12·L·s·d·D = 6·1e9·1e9 + 12·24·2048·2048·1e9 = 6e18 + 1.2080e18 = 7.2080e18
    assert training_flops(1e9, 1e9, layers=24, sequence_length=2048, hidden_size=2048) == (
        pytest.approx(6e18 + 12 * 24 * 2048 * 2048 * 1e9)
    )


def test_training_time_worked_example() -> None:
    # perf_facts §5.5: 8.0e22 FLOP on one p5.48xlarge (8 × 989e12 × 0.40 = 3.1648e15 FLOP/s)
    # = 2.5278e7 s = 7,022 h
    seconds = training_seconds(8.0e22, 8, 989.0, 0.40)
    assert float(seconds) / 3600 == pytest.approx(7021.7, rel=1e-4)


def test_allreduce_and_scaling() -> None:
    # 7e9 params × 2 B = 1.4e10 B; 4 instances at 400 Gbps (5e10 B/s):
    # 2 · 3/4 · 1.4e10 / 5e10 = 0.42 s
    comm = allreduce_seconds(1.4e10, 4, 400.0)
    assert float(comm) == pytest.approx(0.42)
    # one instance: no inter-node all-reduce
    assert float(allreduce_seconds(1.4e10, 1, 400.0)) == 0.0
    # compute 0.21 s per step < comm 0.42 s → 0.9 × 0.21/0.42 = 0.45
    assert float(scaling_efficiency(4, 0.21, 0.42, 0.9)) == pytest.approx(0.45)
    # compute longer than comm → only the multi-node factor
    assert float(scaling_efficiency(4, 1.0, 0.42, 0.9)) == pytest.approx(0.9)
    assert float(scaling_efficiency(1, 1.0, 5.0, 0.9)) == 1.0


def test_neuron_bandwidth_is_gib() -> None:
    # 820 GiB/s = 820 × 2^30 B/s; NVIDIA GB/s stays decimal
    scale = bandwidth_scale(["AWS Inferentia2", "NVIDIA H100 SXM 80GB"])
    assert 820 * scale[0] == 820 * 2**30
    assert 3350 * scale[1] == 3.35e12


def test_kv_bytes_llama3_8b() -> None:
    # 2 B × 2 × 32 layers × 4096 × 8/32 = 131,072 B/token (≈ 0.131 MB, perf_facts §5.3)
    assert kv_bytes_per_token(32, 4096, 2.0, kv_heads=8, attention_heads=32) == 131_072


# Roofline chip: 100 TFLOP/s, 1 TB/s; model 1e9 params in bf16 = 2e9 B; eff_c 0.5, eff_m 1.0
PEAK, BW, N, W = 100e12, 1e12, 1e9, 2e9


def test_batch_one_is_memory_bound() -> None:
    # t_c = 2·1e9·1/(1e14·0.5) = 4e-5 s; t_m = 2e9/1e12 = 2e-3 s → memory-bound, step 2 ms
    step, t_c, t_m = decode_step_seconds(N, 1, 0, W, 0.0, PEAK, BW, 0.5, 1.0)
    assert float(t_c) == pytest.approx(4e-5)
    assert float(t_m) == pytest.approx(2e-3)
    assert float(step) == pytest.approx(2e-3)


def test_large_batch_is_compute_bound() -> None:
    # B = 100: t_c = 2·1e9·100/5e13 = 4e-3 s > t_m = 2e-3 s → compute-bound
    step, t_c, t_m = decode_step_seconds(N, 100, 0, W, 0.0, PEAK, BW, 0.5, 1.0)
    assert float(t_c) > float(t_m)
    assert float(step) == pytest.approx(4e-3)


def test_compute_and_memory_time_meet_at_the_crossover_batch() -> None:
    # crossover peak·eff_c / (2 · bw / bytes_per_param) = 5e13 / (2 · 1e12 / 2) = 50 sequences:
    # at B = 50 both times are equal: 2·1e9·50/5e13 = 2e-3 = 2e9/1e12
    _, t_c, t_m = decode_step_seconds(N, 50, 0, W, 0.0, PEAK, BW, 0.5, 1.0)
    assert float(t_c) == pytest.approx(float(t_m))


def test_prefill() -> None:
    # 2 · 1e9 · 1000 tokens / 5e13 = 0.04 s
    assert float(prefill_seconds(N, 1000, PEAK, 0.5)) == pytest.approx(0.04)


def test_serving_batch_limited_by_memory() -> None:
    # KV 1e5 B/token, context 100 + 100 = 200 tokens → 2e7 B per sequence;
    # free 1e9 B → 50 sequences (below max_batch 256)
    est = serving_throughput(
        parameters=N, input_tokens=100, output_tokens=100, weight_bytes=W, kv_bytes_token=1e5,
        peak_flops=PEAK, memory_bytes_per_s=BW, free_memory_bytes=1e9,
        compute_efficiency=0.5, memory_efficiency=1.0,
    )
    assert float(est.batch) == 50
    # step: t_c = 2e9·50/5e13 = 2e-3; t_m = (2e9 + 50·150·1e5)/1e12 = 2.75e-3 → 2.75 ms
    assert float(est.tpot_s) == pytest.approx(2.75e-3)
    # per request: prefill 2e9·100/5e13 = 4e-3 s + 100 · 2.75e-3 / 50 = 5.5e-3 → 9.5e-3 s
    assert float(est.requests_per_s) == pytest.approx(1 / 9.5e-3)
    assert bool(est.memory_bound)


def test_serving_batch_limited_by_latency() -> None:
    # latency 2.5 ms: compute 4e-5 s/seq → 62; memory (2.5e-3 − 2e-3)/(150·1e5/1e12 = 1.5e-5) = 33
    est = serving_throughput(
        parameters=N, input_tokens=100, output_tokens=100, weight_bytes=W, kv_bytes_token=1e5,
        peak_flops=PEAK, memory_bytes_per_s=BW, free_memory_bytes=1e12,
        compute_efficiency=0.5, memory_efficiency=1.0, latency_target_s=2.5e-3,
    )
    assert float(est.batch) == 33
    assert float(est.tpot_s) <= 2.5e-3


@given(b1=st.integers(1, 10_000), b2=st.integers(1, 10_000))
def test_step_time_monotone_in_batch(b1: int, b2: int) -> None:
    lo, hi = sorted((b1, b2))
    s1, _, _ = decode_step_seconds(N, lo, 500, W, 1e5, PEAK, BW)
    s2, _, _ = decode_step_seconds(N, hi, 500, W, 1e5, PEAK, BW)
    assert float(s1) <= float(s2)
    # throughput (tokens/s = B / step) never falls as the batch grows
    assert lo / float(s1) <= hi / float(s2) * (1 + 1e-12)


def test_vectorised_over_types() -> None:
    times = training_seconds(1e21, np.array([1, 8]), np.array([100.0, 100.0]), 0.5)
    # 1e21 / (1 · 1e14 · 0.5) = 2e7 s; 8 chips → 2.5e6 s
    assert times.tolist() == pytest.approx([2e7, 2.5e6])
