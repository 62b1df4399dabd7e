"""A plan that validates but cannot be priced: which items are at fault, and why.

A plan file or share link can be well formed and still name an instance type the snapshot does not
know, a region it lacks, or a combination a price rule refuses (a gp2 volume with provisioned IOPS).
:func:`price_plan` then returns no cost but one problem per offending item, so the app can keep the
plan open, show each problem on its item, and let the user fix or drop it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.catalog.loader import Catalog
from planner.catalog.query import check_region
from planner.costing import PlanCost, cost_plan
from planner.errors import PlannerError
from planner.plan import Plan

WHOLE_PLAN = ""
"""Key of a problem of the plan itself (its region), not of one item."""


@dataclass(frozen=True)
class PricedPlan:
    """The cost of a plan, or what stops it being priced."""

    cost: PlanCost | None
    """None when any problem is found."""
    problems: dict[str, str] = field(default_factory=dict)
    """Item name (or :data:`WHOLE_PLAN`) → the one-line error that item gets."""

    @property
    def ok(self) -> bool:
        return self.cost is not None


def price_plan(plan: Plan, catalog: Catalog) -> PricedPlan:
    """Cost ``plan``; on a user error, find every item at fault by pricing each alone."""
    try:
        return PricedPlan(cost_plan(plan, catalog))
    except PlannerError as first:
        failure = first
    try:
        check_region(catalog, plan.region)
    except PlannerError as exc:
        return PricedPlan(None, {WHOLE_PLAN: f"region: {exc}"})
    problems: dict[str, str] = {}
    for item in plan.items:
        try:
            cost_plan(plan.model_copy(update={"items": [item]}), catalog)
        except PlannerError as exc:
            problems[item.name] = _without_item_prefix(str(exc))
    if not problems:  # only the items together fail (e.g. a shared savings-plan pool)
        problems[WHOLE_PLAN] = str(failure)
    return PricedPlan(None, problems)


def item_rows(plan: Plan, problems: dict[str, str]) -> list[dict[str, str]]:
    """One row per item for a plan that cannot be priced: name, kind, what it is, its problem."""
    rows = []
    for item in plan.items:
        what = getattr(item, "instance_type", None) or getattr(item, "storage_class", None) or getattr(
            item, "volume_type", "")
        rows.append({"item": item.name, "kind": item.kind, "type": str(getattr(what, "value", what)),
                     "problem": problems.get(item.name, "")})
    return rows


def _without_item_prefix(message: str) -> str:
    """``items[0] (trainer).instance_type: …`` → ``instance_type: …`` (the item is shown apart;
    its index in a one-item plan would be wrong)."""
    if message.startswith("items[0] ("):
        _, _, rest = message.partition(").")
        return rest if rest else message
    return message
