"""price_plan: a plan that validates but cannot be priced names each item at fault."""

from __future__ import annotations

import pytest

from planner.plan import plan_from_dict
from planner.plan_check import WHOLE_PLAN, item_rows, price_plan
from tests.catalog_fixtures import make_catalog, on_demand, spec_row

R = "us-east-1"
CATALOG = make_catalog(
    instance_specs=[spec_row("m5.xlarge", 4, 16)],
    compute_rates=[on_demand(R, "m5.xlarge", 0.192)],
)


def _plan(*items: dict, region: str = R):
    return plan_from_dict({"name": "p", "region": region, "items": list(items)})


GOOD = {"kind": "compute", "name": "good", "instance_type": "m5.xlarge"}
TYPO = {"kind": "compute", "name": "typo", "instance_type": "m5.xlarg"}


def test_a_priceable_plan_has_its_cost() -> None:
    priced = price_plan(_plan(GOOD), CATALOG)
    assert priced.ok and not priced.problems
    # 1 × 730 h × $0.192 = $140.16 a month
    assert priced.cost is not None
    assert priced.cost.totals.monthly_usd == pytest.approx(140.16)


def test_each_item_at_fault_is_named() -> None:
    plan = _plan(GOOD, TYPO)
    priced = price_plan(plan, CATALOG)
    assert priced.cost is None
    assert priced.problems == {
        "typo": "instance_type: unknown instance type 'm5.xlarg'; did you mean m5.xlarge?"}
    rows = item_rows(plan, priced.problems)
    assert [(r["item"], r["type"], bool(r["problem"])) for r in rows] == [
        ("good", "m5.xlarge", False), ("typo", "m5.xlarg", True)]


def test_an_unknown_region_is_a_problem_of_the_whole_plan() -> None:
    priced = price_plan(_plan(GOOD, region="mars-1"), CATALOG)
    assert priced.problems == {WHOLE_PLAN: "region: unknown region 'mars-1'"}
