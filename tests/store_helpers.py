"""Plans for the store tests, with hand-worked costs on the shipped snapshot (us-east-1,
on-demand m5.large $0.096/h and c5.xlarge $0.17/h, 730 h a month, 12 months)."""

from __future__ import annotations

from typing import Any

from planner.plan import Plan, plan_from_dict

BASE: dict[str, Any] = {
    "name": "Scenario A", "region": "us-east-1", "duration_months": 12,
    "items": [{"kind": "compute", "name": "web", "instance_type": "m5.large", "count": 2}],
}
BASE_MONTHLY_USD = 140.16
"""2 × 730 h × $0.096."""
BASE_TOTAL_USD = 1681.92
"""12 × $140.16."""
PLUS_BATCH_MONTHLY_USD = 157.16
"""$140.16 + 1 × 100 h × $0.17."""
PLUS_BATCH_TOTAL_USD = 1885.92


def plan(**changes: Any) -> Plan:
    return plan_from_dict({**BASE, **changes})


def with_batch(name: str = "Scenario A") -> Plan:
    items = [*BASE["items"], {"kind": "compute", "name": "batch", "instance_type": "c5.xlarge",
                              "usage_hours_per_month": 100}]
    return plan(name=name, items=items)
