"""Spot capacity with checkpointing: interruption rates, the optimal checkpoint interval, and the
expected (and pessimistic) wall-clock time of a job that is interrupted and restarted.

Nomenclature (all times in hours [h]):

- ``T``  failure-free compute time of the job (what it would take on capacity never reclaimed).
- ``λ``  interruption rate of the job [1/h]; ``M = 1/λ`` the mean time between interruptions.
- ``τ``  checkpoint interval: compute time between two checkpoints.
- ``δ``  checkpoint write time (the job is paused while a checkpoint is written).
- ``R``  restart time after an interruption (new capacity, load the last checkpoint, warm up).

Models and sources:

- Interruption rate from the Spot Advisor bucket. AWS Spot Advisor's "frequency of interruption"
  is the share of instances of a type reclaimed in a region over the trailing month, published as a
  bucket (<5%, 5-10%, 10-15%, 15-20%, >20%). **Assumption**: the rate per running instance is the
  bucket's upper bound per month spread over a 730-hour month, λ = upper_pct / 100 / 730 [1/h]. The
  upper bound of the open ">20%" bucket is the snapshot's ``interruption_max_pct`` for that bucket,
  100 % (every instance reclaimed once a month). Using the upper bound makes the estimate err on the
  slow, expensive side inside a bucket.
- A job that needs all of its ``n`` instances (synchronous data-parallel training) stops when any
  one of them is reclaimed: λ_job = n · λ (independent interruptions, an **assumption**).
- Optimal checkpoint interval: Young 1974, "A first order approximation to the optimum checkpoint
  interval", CACM 17(9): τ_opt = sqrt(2 δ M).
- Expected wall-clock time: Daly 2006, "A higher order estimate of the optimum checkpoint interval
  for restart dumps", FGCS 22(3), eq. (13): exponential interruptions, a restart that can itself be
  interrupted and work lost back to the last completed checkpoint:
  W = M · e^{R/M} · (e^{(τ+δ)/M} − 1) · T / τ.
- Pessimistic bound (ours): every interruption strikes just before a checkpoint completes, so it
  loses a whole segment τ + δ plus the restart R, at the same rate:
  W_pess = T (1 + δ/τ) / (1 − λ (τ + δ + R)), unbounded (no guaranteed progress) when
  λ (τ + δ + R) ≥ 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.billing import HOURS_PER_MONTH_DEFAULT
from planner.errors import InputError

SPOT_BUCKETS: tuple[str, ...] = ("<5%", "5-10%", "10-15%", "15-20%", ">20%")
"""Spot Advisor interruption-frequency buckets, least to most interrupted."""

BUCKET_UPPER_PCT_PER_MONTH: dict[str, float] = {
    "<5%": 5.0,
    "5-10%": 10.0,
    "10-15%": 15.0,
    "15-20%": 20.0,
    ">20%": 100.0,
}
"""Upper bound of each bucket [% of instances reclaimed per month]. The open bucket's 100 % is the
``interruption_max_pct`` the Spot Advisor data gives for ">20%" (pricing_data/spot_advisor.csv)."""

INTERRUPTIONS_PER_HOUR_BY_BUCKET: dict[str, float] = {
    bucket: pct / 100.0 / HOURS_PER_MONTH_DEFAULT
    for bucket, pct in BUCKET_UPPER_PCT_PER_MONTH.items()
}
"""Assumed interruption rate per running instance [1/h]: bucket upper bound per month / 730 h.
'<5%' → 6.85e-5, '5-10%' → 1.37e-4, '10-15%' → 2.05e-4, '15-20%' → 2.74e-4, '>20%' → 1.37e-3."""

MAX_INTERRUPTIONS_PER_HOUR = 1000.0
"""Largest interruption rate accepted [1/h] (one every 3.6 s): beyond it the input is a typo."""


def _check_non_negative(field: str, value: float, *, upper: float = math.inf) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
        raise InputError(field, f"must be a number in [0, {upper:g}], got {value!r}")
    if value < 0 or value > upper:
        raise InputError(field, f"must be in [0, {upper:g}], got {value:g}")
    return float(value)


def check_positive(field: str, value: float, *, upper: float = math.inf) -> float:
    """``value`` as a float in (0, ``upper``]; else :class:`InputError` naming ``field``."""
    if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
        raise InputError(field, f"must be a number in (0, {upper:g}], got {value!r}")
    if value <= 0 or value > upper:
        raise InputError(field, f"must be in (0, {upper:g}], got {value:g}")
    return float(value)


def interruption_rate_per_hour(bucket: str) -> float:
    """Assumed interruption rate [1/h] of one instance in Spot Advisor bucket ``bucket``.

    See :data:`INTERRUPTIONS_PER_HOUR_BY_BUCKET` for the mapping and its assumption.
    Raises :class:`InputError` for a bucket name the Spot Advisor does not use.
    """
    try:
        return INTERRUPTIONS_PER_HOUR_BY_BUCKET[bucket]
    except KeyError:
        raise InputError(
            "interruption_bucket", f"{bucket!r} is not one of {', '.join(SPOT_BUCKETS)}"
        ) from None


def job_interruptions_per_hour(interruptions_per_hour: float, instances: int) -> float:
    """Interruption rate of a job that stops when any of its ``instances`` is reclaimed [1/h]."""
    rate = _check_non_negative(
        "interruptions_per_hour", interruptions_per_hour, upper=MAX_INTERRUPTIONS_PER_HOUR
    )
    if not isinstance(instances, int) or isinstance(instances, bool) or instances < 1:
        raise InputError("instances", f"must be a whole number ≥ 1, got {instances!r}")
    return rate * instances


def checkpoint_interval_array(
    checkpoint_write_hours: npt.ArrayLike, interruptions_per_hour: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Vectorised Young interval τ = sqrt(2 δ / λ) [h] (no validation; inputs broadcast together).

    λ = 0 → ``inf`` (never interrupted: never checkpoint); δ = 0 with λ > 0 → 0 (free checkpoints:
    checkpoint continuously, see :func:`runtime_factor_array`); λ NaN (rate unknown) → NaN.
    """
    delta = np.asarray(checkpoint_write_hours, dtype=float)
    lam = np.asarray(interruptions_per_hour, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.sqrt(2.0 * delta / lam)
    return np.asarray(np.where(lam == 0, np.inf, tau), dtype=float)


def optimal_checkpoint_interval_hours(
    checkpoint_write_hours: float, interruptions_per_hour: float
) -> float:
    """Young's optimal checkpoint interval τ = sqrt(2 δ M) [h] (Young 1974).

    ``checkpoint_write_hours`` is δ [h], ``interruptions_per_hour`` is λ = 1/M [1/h].
    Returns ``math.inf`` when λ = 0 (never interrupted: never checkpoint) and 0 when δ = 0.
    Example: δ = 0.1 h, M = 10 h → sqrt(2) ≈ 1.414 h.
    """
    delta = _check_non_negative("checkpoint_write_hours", checkpoint_write_hours)
    rate = _check_non_negative(
        "interruptions_per_hour", interruptions_per_hour, upper=MAX_INTERRUPTIONS_PER_HOUR
    )
    return float(checkpoint_interval_array(delta, rate))


def runtime_factor_array(
    interruptions_per_hour: npt.ArrayLike,
    checkpoint_interval_hours: npt.ArrayLike,
    checkpoint_write_hours: npt.ArrayLike,
    restart_hours: npt.ArrayLike,
) -> npt.NDArray[np.float64]:
    """Vectorised :func:`expected_runtime_factor` (no validation; inputs broadcast together).

    Uses ``expm1`` so that tiny rates keep full precision. Limits: λ = 0 gives (τ + δ) / τ (1 when
    τ = ∞); τ = ∞ with λ > 0 gives ∞ (no checkpoint, never finishes); τ = δ = 0 (free, continuous
    checkpoints) gives e^{Rλ}, only the restarts cost time. λ NaN (rate unknown) gives NaN.
    """
    lam = np.asarray(interruptions_per_hour, dtype=float)
    tau = np.asarray(checkpoint_interval_hours, dtype=float)
    delta = np.asarray(checkpoint_write_hours, dtype=float)
    restart = np.asarray(restart_hours, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # Daly 2006 eq. 13 divided by T:  M e^{R/M} (e^{(τ+δ)/M} − 1) / τ,  M = 1/λ
        failing = np.exp(restart * lam) * np.expm1((tau + delta) * lam) / (lam * tau)
        # τ → 0 with δ = 0: (e^{τλ} − 1)/(λτ) → 1
        failing = np.where((tau == 0) & (delta == 0), np.exp(restart * lam), failing)
        failing = np.where(np.isinf(tau), np.inf, failing)
        # λ → 0 limit; τ = ∞ (never checkpoint) or δ = 0 (free writes) with λ = 0 → 1
        calm = np.where(np.isinf(tau) | (delta == 0), 1.0, (tau + delta) / tau)
        factor = np.where(lam > 0, failing, calm)
        factor = np.where(np.isnan(factor) & ~np.isnan(lam), np.inf, factor)
    return np.asarray(np.where(np.isnan(lam), np.nan, factor), dtype=float)


def expected_runtime_factor(
    interruptions_per_hour: float,
    checkpoint_interval_hours: float,
    checkpoint_write_hours: float,
    restart_hours: float,
) -> float:
    """Expected wall-clock time / failure-free compute time (≥ 1), Daly 2006 eq. 13.

    ``interruptions_per_hour`` λ [1/h] of the whole job, ``checkpoint_interval_hours`` τ [h] (> 0,
    may be ``math.inf`` when λ = 0), ``checkpoint_write_hours`` δ [h], ``restart_hours`` R [h].
    Example: λ = 0.1/h, τ = 1 h, δ = 0.1 h, R = 0.2 h → 10 · e^{0.02} · (e^{0.11} − 1) / 1 ≈ 1.1863.
    """
    rate = _check_non_negative(
        "interruptions_per_hour", interruptions_per_hour, upper=MAX_INTERRUPTIONS_PER_HOUR
    )
    tau = check_positive("checkpoint_interval_hours", checkpoint_interval_hours)
    delta = _check_non_negative("checkpoint_write_hours", checkpoint_write_hours)
    restart = _check_non_negative("restart_hours", restart_hours)
    return float(runtime_factor_array(rate, tau, delta, restart))


def pessimistic_factor_array(
    interruptions_per_hour: npt.ArrayLike,
    checkpoint_interval_hours: npt.ArrayLike,
    checkpoint_write_hours: npt.ArrayLike,
    restart_hours: npt.ArrayLike,
) -> npt.NDArray[np.float64]:
    """Pessimistic wall-clock / compute time: each interruption loses τ + δ + R (see module doc).

    (1 + δ/τ) / (1 − λ (τ + δ + R)); ``inf`` when λ (τ + δ + R) ≥ 1; δ = 0 has no write
    overhead (also at τ = 0); λ NaN (rate unknown) gives NaN. No validation; inputs broadcast.
    Example: λ = 0.1/h, τ = 1, δ = 0.1, R = 0.2 → 1.1 / (1 − 0.13) ≈ 1.2644.
    """
    lam = np.asarray(interruptions_per_hour, dtype=float)
    tau = np.asarray(checkpoint_interval_hours, dtype=float)
    delta = np.asarray(checkpoint_write_hours, dtype=float)
    restart = np.asarray(restart_hours, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        overhead = np.where(np.isinf(tau) | (delta == 0), 1.0, 1.0 + delta / tau)
        lost = np.where(lam == 0, 0.0, lam * (tau + delta + restart))
        factor = np.where(lost < 1.0, overhead / (1.0 - lost), np.inf)
        factor = np.where(np.isnan(factor) & ~np.isnan(lam), np.inf, factor)
    return np.asarray(np.where(np.isnan(lam), np.nan, factor), dtype=float)


@dataclass(frozen=True, slots=True)
class SpotAssumptions:
    """Checkpointing inputs of a spot estimate; every field is shown next to the result.

    ``checkpoint_interval_hours`` None → Young's optimum for the job's interruption rate.
    ``interruptions_per_hour`` None → from the Spot Advisor bucket of the instance type.
    """

    checkpoint_write_hours: float = 0.1
    """δ [h]; default 6 minutes, an **assumption** (a multi-GB checkpoint to S3/FSx)."""
    restart_hours: float = 0.25
    """R [h]; default 15 minutes, an **assumption** (new capacity + load the checkpoint)."""
    checkpoint_interval_hours: float | None = None
    interruptions_per_hour: float | None = None

    def __post_init__(self) -> None:
        _check_non_negative("checkpoint_write_hours", self.checkpoint_write_hours, upper=1000.0)
        _check_non_negative("restart_hours", self.restart_hours, upper=1000.0)
        if self.checkpoint_interval_hours is not None:
            check_positive(
                "checkpoint_interval_hours", self.checkpoint_interval_hours, upper=100_000.0
            )
        if self.interruptions_per_hour is not None:
            _check_non_negative(
                "interruptions_per_hour",
                self.interruptions_per_hour,
                upper=MAX_INTERRUPTIONS_PER_HOUR,
            )
