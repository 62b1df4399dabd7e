"""Storage page: S3, EBS, EFS calculators."""

from __future__ import annotations

import pytest

from tests.app_fixtures import assert_clean, errors, metrics, open_app, open_view, successes

PAGE = "pages/storage.py"


@pytest.fixture
def at():
    return open_app(PAGE)


def monthly(at) -> list[str]:
    return [m.value for m in at.metric if m.label == "Monthly"]


def open_tab(at, tab: str) -> None:
    """Open the S3, EBS or EFS tab (a tab switch reruns the page; only the open tab runs)."""
    open_view(at, "storage_view", tab)


def all_monthly(at) -> list[str]:
    """The Monthly figure of each tab in turn (a tab whose inputs are out of range shows none)."""
    shown = []
    for tab in ("S3", "EBS", "EFS"):
        open_tab(at, tab)
        shown += monthly(at)
    return shown


def test_defaults(at):
    # S3 Standard 1,000 GB-month × $0.023 = $23.00; EBS gp3 1,000 GB × $0.08 = $80.00;
    # EFS Standard 500 GB-month × $0.30 = $150.00 (us-east-1)
    assert monthly(at) == ["$23.00"]  # the S3 tab is open: only it is drawn
    assert all_monthly(at) == ["$23.00", "$80.00", "$150.00"]


def test_gp3_with_extra_iops_and_throughput(at):
    open_tab(at, "EBS")
    at.number_input(key="storage_ebs_iops").set_value(6000.0).run()
    at.number_input(key="storage_ebs_throughput").set_value(250.0).run()
    at.number_input(key="storage_ebs_count").set_value(2).run()
    assert_clean(at)
    # per volume: 1,000 GB × $0.08 = $80; (6,000 − 3,000 included) IOPS × $0.005 = $15;
    # (250 − 125 included) MiB/s × $0.04 = $5 → $100 × 2 volumes = $200.00
    assert monthly(at) == ["$200.00"]
    lines = at.dataframe[0].value.set_index("dimension")
    assert lines.loc["iops", "monthly_usd"] == pytest.approx(30.0)
    assert lines.loc["throughput", "monthly_usd"] == pytest.approx(10.0)


def test_iops_on_st1_is_an_error_other_tabs_still_render(at):
    open_tab(at, "EBS")
    at.selectbox(key="storage_ebs_type").set_value("st1").run()
    at.number_input(key="storage_ebs_iops").set_value(6000.0).run()
    assert_clean(at)
    assert any("st1 volumes have no provisioned IOPS" in e for e in errors(at))
    assert all_monthly(at) == ["$23.00", "$150.00"]  # S3 and EFS still priced
    open_tab(at, "EBS")  # the inputs were kept across the tab switches
    assert any("st1 volumes have no provisioned IOPS" in e for e in errors(at))


def test_s3_infrequent_access_with_retrieval(at):
    at.selectbox(key="storage_s3_class").set_value("standard_ia").run()
    at.number_input(key="storage_s3_retrieval").set_value(100.0).run()
    assert_clean(at)
    lines = at.dataframe[0].value.set_index("dimension")
    # Standard-IA: 1,000 GB-month × $0.0125 = $12.50; retrieval 100 GB × $0.01 = $1.00
    assert lines.loc["storage", "monthly_usd"] == pytest.approx(12.5)
    assert monthly(at)[0] == "$13.50"


def test_add_storage_to_plan(at):
    open_tab(at, "EFS")
    at.button(key="storage_efs_add").click().run()
    assert_clean(at)
    assert any("Added efs-standard" in s for s in successes(at))
    item = at.session_state["plan_current"].items[0]
    assert (item.kind, item.gb_month) == ("efs", 500.0)
    assert metrics(at)  # the page still renders after the rerun


@pytest.mark.parametrize(("key", "value", "shown", "left"), [
    # EBS size above the 65,536 GB a volume may have: flagged at the field, no EBS cost
    ("storage_ebs_gb", 70_000.0, "Must be 1 to 65536; got 70000.", ["$23.00", "$150.00"]),
    ("storage_ebs_iops", 300_000.0, "Must be 0 to 256000; got 300000.", ["$23.00", "$150.00"]),
    ("storage_s3_gb", -1.0, "Must be 0 to 1e+12; got -1.", ["$80.00", "$150.00"]),
    ("storage_efs_reads", -5.0, "Must be 0 to 1e+12; got -5.", ["$23.00", "$80.00"]),
])
def test_out_of_range_is_flagged_at_the_field_and_no_old_cost_stays(at, key, value, shown, left):
    tab = key.split("_")[1].upper()
    open_tab(at, tab)
    at.number_input(key=key).set_value(value).run()
    assert_clean(at)
    assert shown in errors(at)
    assert monthly(at) == []
    assert any("once every field above is in its range" in i.value for i in at.info)
    assert all_monthly(at) == left


def test_back_in_range_shows_the_new_cost_not_the_old(at):
    at.number_input(key="storage_s3_gb").set_value(-1.0).run()
    at.number_input(key="storage_s3_gb").set_value(2000.0).run()
    assert_clean(at)
    # 2,000 GB-month × $0.023 = $46.00
    assert monthly(at)[0] == "$46.00"


def test_another_region_than_the_plans_is_said_under_add_to_plan(at):
    captions = lambda: " ".join(c.value for c in at.caption)  # noqa: E731
    assert "is priced in" not in captions()
    at.selectbox(key="storage_region").set_value("eu-west-1").run()
    assert_clean(at)
    assert "is priced in us-east-1, not eu-west-1: change its region on Plans & export" in captions()
