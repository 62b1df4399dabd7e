"""When a plan item is billed: its active months, its hours in each, and the terms it commits.

Months are the plan's months, 1-based in the plan file and 0-based in the arrays here. An item runs
from ``start_month`` to ``end_month`` (default the plan's last month). A one-off job
(``total_hours``) runs from ``start_month`` at the plan's hours per month until its hours are used
up: a 1,000-hour job in a 730-hour month runs 730 h in its first month and 270 h in the next.
A reservation or savings plan is bought at the item's first month and renewed at each term end
while the item runs; each term is paid to its end, also past the plan's last month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.plan import (
    ComputeItem,
    DataTransferItem,
    EbsItem,
    EfsItem,
    Plan,
    S3Item,
    SageMakerItem,
)

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Schedule:
    """An item's months: usage per month and, for a commitment, the months its terms cover."""

    first: int
    """First active month, 0-based."""
    last: int
    """Last active month, 0-based, inclusive."""
    hours: FloatArray
    """Hours each instance runs in each plan month [h] (0 outside the window); storage: the
    share of the month it is kept (1 inside the window)."""
    job: bool
    """True for a one-off job (``total_hours``)."""

    @property
    def active(self) -> FloatArray:
        """1.0 in active months, 0.0 elsewhere (length: the plan's duration)."""
        out = np.zeros(len(self.hours))
        out[self.first : self.last + 1] = 1.0
        return out

    @property
    def active_months(self) -> int:
        return self.last - self.first + 1


def item_schedule(
    item: ComputeItem | S3Item | EbsItem | EfsItem | DataTransferItem | SageMakerItem, plan: Plan
) -> Schedule:
    """The months ``item`` runs in ``plan`` and its hours per instance in each."""
    duration = plan.duration_months
    first = item.start_month - 1
    last = (item.end_month or duration) - 1
    hours = np.zeros(duration)
    if isinstance(item, ComputeItem) and item.total_hours is not None:
        hpm = plan.hours_per_month
        full, rest = divmod(item.total_hours, hpm)
        months = int(full)
        hours[first : first + months] = hpm
        if rest > 1e-9:
            hours[first + months] = rest
            months += 1
        return Schedule(first=first, last=first + months - 1, hours=hours, job=True)
    per_month = (
        (item.usage_hours_per_month or plan.hours_per_month) if isinstance(item, ComputeItem)
        else 1.0
    )
    hours[first : last + 1] = per_month
    return Schedule(first=first, last=last, hours=hours, job=False)


@dataclass(frozen=True, slots=True)
class Terms:
    """Commitment terms bought for an item: purchases at term starts, months they cover."""

    purchases: int
    starts: tuple[int, ...]
    """0-based months of each purchase."""
    covered: FloatArray
    """1.0 in every month a term covers (may run past the plan's end), length :attr:`horizon`."""

    @property
    def horizon(self) -> int:
        return len(self.covered)

    @property
    def months(self) -> int:
        return int(self.covered.sum())


def commitment_terms(schedule: Schedule, term_months: int) -> Terms:
    """Terms bought at the item's first month and renewed while it runs (whole terms)."""
    purchases = math.ceil(schedule.active_months / term_months)
    starts = tuple(schedule.first + k * term_months for k in range(purchases))
    end = schedule.first + purchases * term_months
    covered = np.zeros(max(end, len(schedule.hours)))
    covered[schedule.first : end] = 1.0
    return Terms(purchases=purchases, starts=starts, covered=covered)


def spread(weights: FloatArray, horizon: int) -> FloatArray:
    """``weights`` zero-padded to ``horizon`` months."""
    if len(weights) >= horizon:
        return weights
    return np.concatenate([weights, np.zeros(horizon - len(weights))])


def purchase_months(terms: Terms) -> FloatArray:
    """1.0 in each month a term is bought, length :attr:`Terms.horizon`."""
    out = np.zeros(terms.horizon)
    out[list(terms.starts)] = 1.0
    return out
