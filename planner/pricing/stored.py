"""Storage kept for part of a month: spans of (size, duration) → GB-months.

AWS meters storage in byte-hours and bills the month's total ÷ the hours in that month (Amazon S3
FAQ, "How will I be charged": TimedStorage-ByteHrs; 1 GB = 1,073,741,824 bytes). A span of
``gb`` binary GB kept ``hours`` hours is ``gb × hours ÷ hours_per_month`` GB-months; the plan's
hours per month is the month's length (744 h in a 31-day month). EBS bills provisioned storage per
second with a 60-second minimum (Amazon EBS pricing).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from planner.plan import StoredSpan
from planner.pricing.tiers import fmt_num

EBS_MINIMUM_SECONDS = 60.0
"""EBS bills a volume for at least 60 seconds (Amazon EBS pricing, per-second billing)."""


def span_hours(span: StoredSpan, minimum_seconds: float = 0.0) -> float:
    """A span's billed duration [h], at least ``minimum_seconds``."""
    return max(span.duration_hours, minimum_seconds / 3600.0)


def _span_text(span: StoredSpan, minimum_seconds: float) -> str:
    size = f"{fmt_num(span.bytes)} bytes" if span.bytes is not None else f"{fmt_num(span.size_gb)} GB"
    if span.seconds is not None:
        billed = max(span.seconds, minimum_seconds)
        time = f"{fmt_num(billed)} s ÷ 3,600"
    elif span.days is not None:
        time = f"{fmt_num(span.days)} days × 24 h"
    else:
        time = f"{fmt_num(span.duration_hours)} h"
    return f"{size} × {time}"


def stored_gb_month(
    spans: Sequence[StoredSpan], hours_per_month: float, *, minimum_seconds: float = 0.0
) -> tuple[float, str]:
    """(GB-months, formula text) of ``spans`` in a month of ``hours_per_month`` hours."""
    gb_hours = math.fsum(s.size_gb * span_hours(s, minimum_seconds) for s in spans)
    gb_month = gb_hours / hours_per_month
    parts = " + ".join(_span_text(s, minimum_seconds) for s in spans)
    binary = " (1 GB = 2^30 bytes)" if any(s.bytes is not None for s in spans) else ""
    text = (
        f"stored ({parts}) = {fmt_num(gb_hours)} GB-hours ÷ {fmt_num(hours_per_month)} h in the "
        f"month = {fmt_num(gb_month)} GB-month{binary}"
    )
    return gb_month, text
