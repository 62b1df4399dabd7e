"""The entrypoint: navigation, the snapshot date in the sidebar, share links on load."""

from __future__ import annotations

from planner.catalog import load_catalog
from planner.plan import plan_from_dict
from planner.share import encode_plan
from tests.app_fixtures import assert_clean, errors, open_app


def test_default_page_and_sidebar_show_the_snapshot_date():
    at = open_app()
    catalog = load_catalog()
    sidebar = [m.value for m in at.sidebar.markdown]
    assert "**Price dates**" in sidebar
    captions = " ".join(c.value for c in at.sidebar.caption)
    # each price table's own date, not one date for all
    assert f"Compute prices: {catalog.tables['compute_rates'].as_of}" in captions
    assert f"Storage prices: {catalog.tables['storage_rates'].as_of}" in captions
    for info in catalog.tables.values():
        assert f"**{info.name}** · {info.as_of}" in captions
    assert [t.value for t in at.title] == ["Workload planner"]


def test_share_link_opens_the_plan():
    plan = plan_from_dict({
        "name": "Shared budget", "region": "us-east-1",
        "items": [{"kind": "compute", "name": "trainer", "instance_type": "p4d.24xlarge",
                   "count": 2, "purchase": {"option": "on_demand"}}],
    })
    at = open_app(query={"plan": encode_plan(plan)})
    assert at.session_state["plan_current"] == plan
    assert "**Current plan:** Shared budget" in [m.value for m in at.sidebar.markdown]


def test_damaged_share_link_is_an_error_not_a_traceback():
    at = open_app(query={"plan": "not-a-valid-token!!"})
    assert_clean(at)
    assert any("share link" in e and "damaged" in e for e in errors(at)), errors(at)
    assert at.session_state["plan_current"].name == "My plan"


def test_sidebar_warns_of_stale_tables_the_page_uses():
    # the shipped Spot Advisor table is dated 2025-11-30: more than 90 days before any run of this
    # test. The Workload planner (the default page) uses it, so the sidebar warns, naming it, and
    # not the storage prices (also old, 2025-06-05) that the page does not use.
    from planner.catalog import load_catalog

    advisor_date = load_catalog().tables["spot_advisor"].as_of
    assert advisor_date <= "2025-11-30"
    at = open_app()
    warnings = [w.value for w in at.sidebar.warning]
    assert len(warnings) == 1, warnings
    assert "Spot Advisor (savings, interruptions)" in warnings[0]
    assert f"Spot Advisor (savings, interruptions): {advisor_date} :material/warning:" in " ".join(
        c.value for c in at.sidebar.caption)
    assert "Storage prices" not in warnings[0]
