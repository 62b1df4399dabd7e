"""What changed between two versions of a plan: settings, items added/removed/changed, totals.

Pure functions on :class:`~planner.plan.Plan` records; the store adds each version's totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from planner.plan import Plan, plan_to_dict
from planner.store.records import StoredTotals

SETTINGS = ("name", "region", "duration_months", "hours_per_month")
TOTALS = ("upfront_usd", "monthly_usd", "first_year_usd", "duration_total_usd",
          "on_demand_equivalent_usd")
DIFF_COLUMNS = ("change", "item", "field", "before", "after")


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    """Dotted path inside the item (``purchase.option``) or a plan setting."""
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class ItemChange:
    name: str
    change: Literal["added", "removed", "changed"]
    fields: tuple[FieldChange, ...] = ()
    """For ``changed``: every field that differs."""


@dataclass(frozen=True, slots=True)
class PlanDiff:
    plan_id: int
    version_before: int
    version_after: int
    settings: tuple[FieldChange, ...]
    items: tuple[ItemChange, ...]
    totals_before: StoredTotals
    totals_after: StoredTotals

    @property
    def unchanged(self) -> bool:
        return not self.settings and not self.items


def diff_plans(before: Plan, after: Plan) -> tuple[tuple[FieldChange, ...], tuple[ItemChange, ...]]:
    """Plan settings that differ, then items removed, changed and added (matched by name)."""
    a, b = plan_to_dict(before), plan_to_dict(after)
    settings = tuple(FieldChange(k, a[k], b[k]) for k in SETTINGS if a[k] != b[k])
    items_a = {item["name"]: _flatten(item) for item in a["items"]}
    items_b = {item["name"]: _flatten(item) for item in b["items"]}
    changes: list[ItemChange] = [
        ItemChange(name, "removed") for name in items_a if name not in items_b
    ]
    for name, fields_b in items_b.items():
        fields_a = items_a.get(name)
        if fields_a is None:
            continue
        keys = list(dict.fromkeys([*fields_a, *fields_b]))
        differ = tuple(
            FieldChange(k, fields_a.get(k), fields_b.get(k))
            for k in keys if fields_a.get(k) != fields_b.get(k)
        )
        if differ:
            changes.append(ItemChange(name, "changed", differ))
    changes += [ItemChange(name, "added") for name in items_b if name not in items_a]
    return settings, tuple(changes)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def diff_rows(diff: PlanDiff) -> list[dict[str, Any]]:
    """The diff as table rows (:data:`DIFF_COLUMNS`): settings, items, then the totals."""
    rows: list[dict[str, Any]] = [
        {"change": "setting", "item": "", "field": f.field, "before": f.before, "after": f.after}
        for f in diff.settings
    ]
    for item in diff.items:
        if item.change == "changed":
            rows += [
                {"change": "changed", "item": item.name, "field": f.field, "before": f.before,
                 "after": f.after}
                for f in item.fields
            ]
        else:
            rows.append({"change": item.change, "item": item.name, "field": "", "before": None,
                         "after": None})
    for total in TOTALS:
        rows.append({"change": "total", "item": "", "field": total,
                     "before": getattr(diff.totals_before, total),
                     "after": getattr(diff.totals_after, total)})
    return rows
