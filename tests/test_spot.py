"""Spot with checkpointing: hand-worked rates, intervals and runtime factors."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from planner.errors import InputError
from planner.spot import (
    INTERRUPTIONS_PER_HOUR_BY_BUCKET,
    SpotAssumptions,
    checkpoint_interval_array,
    expected_runtime_factor,
    interruption_rate_per_hour,
    job_interruptions_per_hour,
    optimal_checkpoint_interval_hours,
    pessimistic_factor_array,
    runtime_factor_array,
)


@pytest.mark.parametrize(
    ("bucket", "rate"),
    [
        ("<5%", 0.05 / 730),  # 5 % a month over 730 h = 6.849e-5 /h
        ("5-10%", 0.10 / 730),
        ("10-15%", 0.15 / 730),
        ("15-20%", 0.20 / 730),
        (">20%", 1.00 / 730),  # open bucket: upper bound 100 % (snapshot interruption_max_pct)
    ],
)
def test_bucket_rates(bucket: str, rate: float) -> None:
    assert interruption_rate_per_hour(bucket) == pytest.approx(rate)
    assert INTERRUPTIONS_PER_HOUR_BY_BUCKET[bucket] == pytest.approx(rate)


def test_unknown_bucket_names_the_field() -> None:
    with pytest.raises(InputError, match=r"interruption_bucket: '30%' is not one of <5%"):
        interruption_rate_per_hour("30%")


def test_young_interval() -> None:
    # δ = 0.1 h, M = 10 h (λ = 0.1/h): sqrt(2 · 0.1 · 10) = sqrt(2) ≈ 1.41421 h
    assert optimal_checkpoint_interval_hours(0.1, 0.1) == pytest.approx(math.sqrt(2))


def test_interval_array_matches_scalar_and_keeps_unknown_rates() -> None:
    # δ = 0.1: λ = 0.1 → sqrt(2 · 0.1 / 0.1) = sqrt(2); λ = 0 → ∞ (never checkpoint);
    # λ unknown (NaN) → NaN; δ = 0, λ = 0.1 → 0 (free checkpoints: continuously)
    taus = checkpoint_interval_array([0.1, 0.1, 0.1, 0.0], [0.1, 0.0, math.nan, 0.1])
    assert taus[0] == pytest.approx(math.sqrt(2)) == optimal_checkpoint_interval_hours(0.1, 0.1)
    assert taus[1] == math.inf
    assert math.isnan(taus[2])
    assert taus[3] == 0.0 == optimal_checkpoint_interval_hours(0.0, 0.1)


def test_unknown_rate_gives_unknown_factors() -> None:
    # a NaN rate is "not known", never "never interrupted": both factors stay NaN
    assert math.isnan(float(runtime_factor_array(math.nan, 1.0, 0.1, 0.2)))
    assert math.isnan(float(pessimistic_factor_array(math.nan, 1.0, 0.1, 0.2)))


def test_free_continuous_checkpoints_limit() -> None:
    # τ = δ = 0: (e^{τλ} − 1)/(λτ) → 1, so the factor is e^{Rλ} = e^{0.2 · 0.1} = e^{0.02}
    #   = 1.0202013; the pessimistic bound loses R per interruption: 1/(1 − 0.1 · 0.2) = 1.0204082
    assert float(runtime_factor_array(0.1, 0.0, 0.0, 0.2)) == pytest.approx(1.0202013, abs=1e-7)
    assert float(pessimistic_factor_array(0.1, 0.0, 0.0, 0.2)) == pytest.approx(
        1.0204082, abs=1e-7
    )
    # δ = 0 → Young τ = 0; with R = 0.25 the factor is e^{0.25 · 0.1} = 1.0253151
    tau = optimal_checkpoint_interval_hours(0.0, 0.1)
    assert tau == 0.0
    assert float(runtime_factor_array(0.1, tau, 0.0, 0.25)) == pytest.approx(1.0253151, abs=1e-7)


def test_interval_without_interruptions_is_infinite() -> None:
    assert optimal_checkpoint_interval_hours(0.1, 0.0) == math.inf
    assert expected_runtime_factor(0.0, math.inf, 0.1, 0.2) == 1.0


def test_expected_runtime_factor_hand_worked() -> None:
    # λ = 0.1 → M = 10; τ = 1, δ = 0.1, R = 0.2:
    # 10 · e^{0.2/10} · (e^{1.1/10} − 1) / 1 = 10 · 1.0202013 · 0.1162781 = 1.186270
    assert expected_runtime_factor(0.1, 1.0, 0.1, 0.2) == pytest.approx(1.186270, abs=1e-6)


def test_factor_without_interruptions_is_checkpoint_overhead() -> None:
    # λ = 0: only the writes cost time, (τ + δ)/τ = (2 + 0.1)/2 = 1.05
    assert expected_runtime_factor(0.0, 2.0, 0.1, 0.5) == pytest.approx(1.05)


def test_pessimistic_factor_hand_worked() -> None:
    # (1 + 0.1/1) / (1 − 0.1 · (1 + 0.1 + 0.2)) = 1.1 / 0.87 = 1.264368
    assert float(pessimistic_factor_array(0.1, 1.0, 0.1, 0.2)) == pytest.approx(1.264368, abs=1e-6)
    # λ(τ + δ + R) ≥ 1: no guaranteed progress
    assert float(pessimistic_factor_array(1.0, 1.0, 0.1, 0.2)) == math.inf


def test_job_rate_scales_with_instances() -> None:
    # 8 instances, each at 1e-3 /h → job rate 8e-3 /h
    assert job_interruptions_per_hour(1e-3, 8) == pytest.approx(8e-3)
    with pytest.raises(InputError, match="instances"):
        job_interruptions_per_hour(1e-3, 0)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: optimal_checkpoint_interval_hours(-0.1, 0.1), "checkpoint_write_hours"),
        (lambda: optimal_checkpoint_interval_hours(0.1, -1.0), "interruptions_per_hour"),
        (lambda: expected_runtime_factor(0.1, 0.0, 0.1, 0.1), "checkpoint_interval_hours"),
        (lambda: expected_runtime_factor(0.1, 1.0, 0.1, -1), "restart_hours"),
        (lambda: SpotAssumptions(checkpoint_write_hours=float("nan")), "checkpoint_write_hours"),
    ],
)
def test_bad_inputs_name_the_field(call: Callable[[], object], field: str) -> None:
    with pytest.raises(InputError, match=field):
        call()


def test_job_of_four_instances_hand_worked() -> None:
    # 4 instances, each λ = 1/730 per hour ('>20%') → job λ = 4/730 = 0.0054795 /h
    # δ = 0.1, R = 0.25; Young τ = sqrt(2 · 0.1 / 0.0054795) = sqrt(36.5) = 6.0415 h
    # factor = M e^{R/M} (e^{(τ+δ)/M} − 1)/τ with M = 182.5: 182.5 · 1.0013708 · 0.0342248 / 6.041523
    #        = 1.035267 → a 100 h job takes 103.527 h expected
    job_rate = job_interruptions_per_hour(interruption_rate_per_hour(">20%"), 4)
    tau = optimal_checkpoint_interval_hours(0.1, job_rate)
    assert tau == pytest.approx(math.sqrt(36.5))
    assert 100 * expected_runtime_factor(job_rate, tau, 0.1, 0.25) == pytest.approx(103.527, abs=1e-3)


@given(
    lam=st.floats(0, 10),
    tau=st.floats(1e-3, 1e3),
    delta=st.floats(0, 10),
    restart=st.floats(0, 10),
)
def test_factors_at_least_one(lam: float, tau: float, delta: float, restart: float) -> None:
    expected = expected_runtime_factor(lam, tau, delta, restart)
    assert expected >= 1.0 - 1e-12
    # the pessimistic bound is never below (τ+δ)/τ either
    assert float(pessimistic_factor_array(lam, tau, delta, restart)) >= 1.0 - 1e-12


@given(lam=st.floats(1e-6, 1.0), delta=st.floats(1e-4, 1.0), restart=st.floats(0, 1.0))
def test_young_interval_is_near_optimal(lam: float, delta: float, restart: float) -> None:
    # Young's τ is a first-order optimum (valid for δ ≪ M): halving or doubling it never helps
    # by more than 1 %
    assume(delta * lam < 0.01)
    tau = optimal_checkpoint_interval_hours(delta, lam)
    best = float(runtime_factor_array(lam, tau, delta, restart))
    for other in (tau / 2, tau * 2):
        assert best <= float(runtime_factor_array(lam, other, delta, restart)) * 1.01
