"""Purchase options in a workload comparison: what each makes a job or a service pay and commit.

Rules (DESIGN §10, "money you commit vs money a job uses"):
- A one-off job (training, CPU batch) pays on-demand or spot by the instance-hour. A reservation
  or savings plan bought for it is owed for every hour of its term: the job is charged the whole
  commitment (``committed_usd``), less only the share of the hours left after the job that the
  user says other work will use (``commitment_reuse_fraction``, 0 by default):
  ``cost = committed − reuse × unused instance-hours × effective $/h``.
- A service (inference) needs an instance count hour by hour. A reservation or savings plan is
  paid every hour, so the sensible buy commits the always-on baseline (the fewest instances of any
  hour) and runs the peaks on on-demand or spot; committing the peak is the same blend when the
  traffic is flat.

Everything here is numpy over rows, one entry per (rate row, option); no pandas, no catalog.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.billing import term_hours

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """A purchase option priced from the snapshot, and the snapshot rows that price it."""

    name: str
    purchase_option: str
    term_years: int
    offering_class: str = ""
    payment_option: str = ""

    @property
    def commits(self) -> bool:
        """True for options owed for a whole term (reserved, savings plan)."""
        return self.purchase_option in ("reserved", "savings_plan")

    @property
    def term_hours(self) -> float:
        """Hours of one term [h] (0 for on-demand and spot)."""
        return term_hours(self.term_years)


RATE_OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec("on_demand", "on_demand", 0),
    OptionSpec("reserved_1y", "reserved", 1, "standard", "all_upfront"),
    OptionSpec("reserved_3y", "reserved", 3, "standard", "all_upfront"),
    OptionSpec("spot", "spot", 0),
    OptionSpec("savings_plan_1y", "savings_plan", 1, "", "no_upfront"),
)
"""Rates the comparison reads, in the order ties are broken. Reserved: Standard All Upfront (the
snapshot's only RI rows); savings plans: Compute Savings Plan 1-year No Upfront when the snapshot
has it."""

RATE_OPTION = {o.name: o for o in RATE_OPTIONS}


@dataclass(frozen=True, slots=True)
class ServingOption:
    """How a service buys its hour-by-hour instances: a committed baseline plus a peak option."""

    name: str
    baseline: str | None
    """Rate option committing the always-on baseline (None: nothing committed)."""
    peak: str
    """Rate option for the instances above the baseline (on_demand or spot)."""


SERVING_OPTIONS: tuple[ServingOption, ...] = (
    ServingOption("on_demand", None, "on_demand"),
    ServingOption("spot", None, "spot"),
    *(
        ServingOption(f"{base}+{peak}", base, peak)
        for base in ("reserved_1y", "reserved_3y", "savings_plan_1y")
        for peak in ("on_demand", "spot")
    ),
)
"""Options offered for a service, in the order ties are broken."""

JOB_OPTION_NAMES = tuple(o.name for o in RATE_OPTIONS)
SERVING_OPTION_NAMES = tuple(o.name for o in SERVING_OPTIONS)


@dataclass(frozen=True, slots=True)
class JobCosts:
    """What a job pays per row [USD], and the commitment behind it."""

    cost_usd: FloatArray
    committed_usd: FloatArray
    terms: FloatArray
    """Terms bought (commitment rows; NaN otherwise)."""
    unused_instance_hours: FloatArray
    """Committed instance-hours the job leaves unused (commitment rows; NaN otherwise)."""


def job_costs(
    *,
    commits: npt.NDArray[np.bool_],
    term_hours_: FloatArray,
    instances: FloatArray,
    job_hours: FloatArray,
    instance_hours: FloatArray,
    usd_per_hour: FloatArray,
    reuse_fraction: float,
) -> JobCosts:
    """Cost and commitment of a job under each row's option.

    ``job_hours``: the job's wall-clock [h] (the hours a commitment must cover);
    ``instance_hours``: instance-hours it uses (spot: with interruptions); ``usd_per_hour``: the
    option's effective hourly rate per instance (reserved: (upfront + hourly × term h) / term h;
    savings plan: the plan rate). Commitment rows buy ``ceil(job_hours / term_hours)`` terms of
    ``instances`` each: ``committed = terms × term h × instances × usd_per_hour``.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        safe_term = np.where(commits, term_hours_, 1.0)
        terms = np.where(commits, np.maximum(np.ceil(job_hours / safe_term - 1e-9), 1.0), np.nan)
        committed_hours = terms * term_hours_ * instances
        unused = np.where(commits, np.maximum(committed_hours - job_hours * instances, 0.0), np.nan)
        committed = np.where(commits, committed_hours * usd_per_hour, instance_hours * usd_per_hour)
        credit = np.where(commits, reuse_fraction * unused * usd_per_hour, 0.0)
    return JobCosts(
        cost_usd=committed - credit, committed_usd=committed, terms=terms,
        unused_instance_hours=unused,
    )


@dataclass(frozen=True, slots=True)
class ServingCosts:
    """What a service pays per day [USD] under each row's option, and the commitment behind it."""

    cost_usd_per_day: FloatArray
    committed_usd: FloatArray
    """Whole-term commitment of the baseline; for on-demand/spot rows the day's cost."""
    committed_instances: FloatArray
    """Instances committed for the term (0 for on-demand/spot)."""
    peak_instance_hours_per_day: FloatArray
    """Instance-hours a day above the committed baseline, on the peak option."""
    usd_per_instance_hour: FloatArray
    """Blended $/instance-hour of the day."""


def serving_costs(
    *,
    has_baseline: npt.NDArray[np.bool_],
    term_hours_: FloatArray,
    baseline_instances: FloatArray,
    instance_hours_per_day: FloatArray,
    baseline_usd_per_hour: FloatArray,
    peak_usd_per_hour: FloatArray,
) -> ServingCosts:
    """Per-day cost of a service: the committed baseline paid all 24 hours, the rest at the peak
    rate. ``cost = b × 24 × base $/h + (instance-hours − 24·b) × peak $/h``;
    ``committed = b × term h × base $/h`` (b = baseline instances)."""
    b = np.where(has_baseline, baseline_instances, 0.0)
    above = instance_hours_per_day - 24.0 * b
    base_cost = np.where(b > 0, b * 24.0 * baseline_usd_per_hour, 0.0)
    peak_cost = np.where(above > 0, above * peak_usd_per_hour, 0.0)
    cost = base_cost + peak_cost
    committed = np.where(has_baseline, b * term_hours_ * baseline_usd_per_hour, cost)
    with np.errstate(invalid="ignore", divide="ignore"):
        blended = cost / instance_hours_per_day
    return ServingCosts(
        cost_usd_per_day=cost, committed_usd=committed, committed_instances=b,
        peak_instance_hours_per_day=above, usd_per_instance_hour=blended,
    )
