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


def number(value: float | None, decimals: int = 0) -> str:
    """``1,152`` or ``1,152.5``; missing as an em dash."""
    if _missing(value):
        return "—"
    assert value is not None
    return f"{value:,.{decimals}f}"


USD_COLUMN_FORMAT = "$%,.2f"
"""``st.column_config.NumberColumn`` format for USD amounts."""
USD_RATE_COLUMN_FORMAT = "$%,.6f"
"""``st.column_config.NumberColumn`` format for unit prices."""
