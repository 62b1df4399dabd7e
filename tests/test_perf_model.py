"""ZeRO model-state accounting, the multi-chip step overhead, and the replica and layout searches."""

from __future__ import annotations

import numpy as np
import pytest

from planner.perf.layout import Hardware, Layout, TrainingShape, fewest_instances, step_efficiency
from planner.perf.memory import model_state_bytes_per_chip, state_bytes
from planner.perf.serving import step_overhead


@pytest.mark.parametrize(("stage", "gb"), [(0, 120.0), (1, 31.40625), (2, 16.640625), (3, 1.875)])
def test_zero_stages_match_the_zero_paper(stage: int, gb: float) -> None:
    # Ψ 7.5e9, N_d 64, 2 + 2 + 12 B: stage 0 16·Ψ = 120e9; stage 1 4·Ψ + 12·Ψ/64 = 31.40625e9;
    # stage 2 2·Ψ + 14·Ψ/64 = 16.640625e9; stage 3 16·Ψ/64 = 1.875e9 (paper: 120, 31.4, 16.6, 1.9 GB)
    states = state_bytes(fp32_training=False)
    assert float(model_state_bytes_per_chip(7.5e9, states, stage, 64)) == pytest.approx(gb * 1e9)


def test_neuron_step_overhead_worked_example() -> None:
    # t 12, L 80, neuron: fixed 5 ms + 2 · 80 · 60 µs = 14.6 ms; one chip pays nothing
    over = step_overhead(tp=12, layers=80, hidden_size=8192, interconnect=["neuron"],
                         link_bytes_per_s=[1e12])
    assert float(over.fixed_s[0]) == pytest.approx(14.6e-3)
    # per sequence: 160 · 2 · 11/12 · 8192 · 2 B / (1e12 × 0.85) = 5.65e-6 s
    assert float(over.per_sequence_s[0]) == pytest.approx(160 * 2 * 11 / 12 * 8192 * 2 / 0.85e12)
    single = step_overhead(tp=1, layers=80, hidden_size=8192, interconnect=["neuron"],
                           link_bytes_per_s=[1e12])
    assert float(single.fixed_s[0]) == 0.0


def _shape(params: float) -> TrainingShape:
    return TrainingShape(parameters=params, states=state_bytes(fp32_training=False), layers=None,
                         hidden_size=None, attention_heads=None, vocab_size=None,
                         sequence_length=None, micro_batch=1, global_batch_tokens=4_194_304.0)


def test_fewest_instances_per_layout() -> None:
    # 10e9 params × 16 B = 160e9 B; 8 chips × 20e9 B usable per instance.
    # ZeRO-3 TP1 PP1: N_d ≥ 160e9 / 20e9 = 8 → 1 instance.
    # ZeRO-1 TP1 PP1: 4 B × 10e9 = 40e9 B replicated > 20e9 per chip → never fits.
    hw = Hardware(chips=np.array([8.0]), usable_bytes_per_chip=np.array([20e9]),
                  peak_flops=np.array([1e14]), link_bytes_per_s=np.array([3e11]),
                  network_bytes_per_s=np.array([5e10]))
    assert fewest_instances(_shape(10e9), Layout(1, 1, 3, "none"), hw, 64).tolist() == [1.0]
    assert np.isnan(fewest_instances(_shape(10e9), Layout(1, 1, 1, "none"), hw, 64)[0])


def test_pipeline_bubble() -> None:
    # PP 4, one instance of 8 chips, TP 1 → N_d 2; micro-batches per pipeline
    # m = 4,194,304 / (2048 (no shape: 2048 tokens) · 1 · 2) = 1024; bubble (4 − 1) / 1024 of the
    # compute; the gradient reduce over the link (2 · 1/2 · 2e9 B / 4 stages / 2.55e11 B/s =
    # 2 ms) hides behind 4,194,304 · 6e9 / (8 · 1e14) = 31.5 s → efficiency 1 / (1 + 3/1024)
    hw = Hardware(chips=np.array([8.0]), usable_bytes_per_chip=np.array([80e9]),
                  peak_flops=np.array([1e14]), link_bytes_per_s=np.array([3e11]),
                  network_bytes_per_s=np.array([5e10]))
    eff = step_efficiency(_shape(1e9), Layout(1, 4, 1, "none"), hw, np.array([1.0]), 6e9)
    assert float(eff[0]) == pytest.approx(1 / (1 + 3 / 1024))
