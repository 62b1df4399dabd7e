"""Display formatting: the only place numbers are rounded (the planner keeps full precision)."""

from __future__ import annotations

import math

MISSING_TEXT = "not in snapshot"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def usd(value: float | None, decimals: int = 2) -> str:
    """``$16,029.08``; negative as ``-$12.00``; missing as "not in snapshot"."""
    if _missing(value):
        return MISSING_TEXT
    assert value is not None
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.{decimals}f}"


COLUMN_LABELS = {
    "upfront_usd": "Upfront",
    "monthly_usd": "Monthly",
    "first_year_usd": "First 12 months",
    "duration_total_usd": "Total over the duration",
    "on_demand_equivalent_usd": "All on-demand equivalent",
    "savings_vs_on_demand_usd": "Saved vs on-demand",
    "meets_target": "Meets target",
    "usd_per_pflop_hour": "USD per PFLOP-hour",
    "usd_per_1m_output_tokens": "USD per 1M output tokens",
    "usd_per_1m_requests": "USD per 1M requests",
    "usd_per_vcpu_hour": "USD per vCPU-hour",
}
"""Field name → the label a person reads, where the generic rule below is not good enough."""


def column_label(name: str) -> str:
    """The on-screen label of a field: ``total_usd`` → "Total", ``break_even_month`` →
    "Break even month" (``COLUMN_LABELS`` first)."""
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    words = name.removesuffix("_usd").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def number(value: float | None, decimals: int = 0) -> str:
    """``1,152`` or ``1,152.5``; missing as an em dash."""
    if _missing(value):
        return "—"
    assert value is not None
    return f"{value:,.{decimals}f}"


USD_COLUMN_FORMAT = "dollar"
"""``st.column_config.NumberColumn`` format for USD amounts: ``$1,234.57`` and ``-$98,485.00``
(a printf format such as ``$%,.2f`` would write ``$-98,485.00``)."""
USD_RATE_COLUMN_FORMAT = "$%,.6f"
"""``st.column_config.NumberColumn`` format for unit prices."""
