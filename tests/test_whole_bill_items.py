"""Data transfer and SageMaker plan items, against AWS's examples and hand-worked cases."""

from __future__ import annotations

import pytest

from planner.costing import cost_plan
from planner.errors import PlannerError
from planner.plan import plan_from_dict
from tests.catalog_fixtures import make_catalog, spec_row

R = "us-east-1"
SRC = "datatransfer feed (test)"


def _dt(kind: str, source: str, dest: str, price: float, begin: float = 0.0,
        end: float = float("inf"), unit: str = "GB") -> dict:
    return {"transfer_type": kind, "from_region": source, "to_region": dest, "unit": unit,
            "tier_begin": begin, "tier_end": end, "price_usd": price, "source": SRC}


TRANSFER = [
    _dt("internet_out", R, "internet", 0.09, 0, 10_240),
    _dt("internet_out", R, "internet", 0.085, 10_240, 51_200),
    _dt("internet_out", R, "internet", 0.07, 51_200, 153_600),
    _dt("internet_out", R, "internet", 0.05, 153_600),
    _dt("internet_in", R, "internet", 0.0),
    _dt("inter_region_out", R, "us-west-2", 0.02),
    _dt("internet_out_free_allowance", "ALL", "internet", 0.0, 0, 100, unit="GB-month"),
]
SAGEMAKER = [
    {"region": R, "instance_type": "ml.m5.xlarge", "component": "notebook", "hourly_usd": 0.23,
     "source": "sagemaker feed (test)"},
]
CATALOG = make_catalog(
    instance_specs=[spec_row("m5.xlarge", 4, 16)],
    compute_rates=[{"region": R, "instance_type": "m5.xlarge", "purchase_option": "on_demand",
                    "hourly_usd": 0.192, "upfront_usd": 0.0, "effective_hourly_usd": 0.192,
                    "term_years": 0.0}],
    data_transfer_rates=TRANSFER, sagemaker_rates=SAGEMAKER,
)


def cost(*items: dict, hours: float = 730, duration: int = 1):
    return cost_plan(plan_from_dict({"name": "p", "region": R, "hours_per_month": hours,
                                     "duration_months": duration, "items": list(items)}), CATALOG)


def line(c, name: str):
    (found,) = [x for x in c.line_items if x.item == name]
    return found


# --- data transfer ---------------------------------------------------------------------------------


def test_internet_out_beyond_the_free_allowance_repost_bill() -> None:
    # AWS re:Post, https://repost.aws/questions/QUAT1NfOeZSAK5z8KXXO9jgA (an AWS bill and the
    # answer): 107.330 GB out, the first 100 GB free, "$0.090 per GB - first 10 TB / month data
    # transfer out beyond the global free tier 7.330 GB $0.66".
    c = cost({"kind": "data_transfer", "name": "egress", "gb_per_month": 107.33})
    out = line(c, "egress")
    assert round(out.monthly_usd, 2) == 0.66
    assert out.monthly_usd == pytest.approx(7.33 * 0.09)
    assert "100 GB free allowance" in out.formula


def test_internet_out_crosses_three_tiers_hand_worked() -> None:
    # 60,000 GB − 100 free = 59,900 GB: 10,240 × 0.09 + 40,960 × 0.085 + 8,700 × 0.07
    # = 921.60 + 3,481.60 + 609.00 = $5,012.20
    c = cost({"kind": "data_transfer", "name": "egress", "gb_per_month": 60_000})
    assert line(c, "egress").monthly_usd == pytest.approx(5_012.20)


def test_ec2_and_s3_share_one_allowance_and_one_set_of_tiers() -> None:
    # EC2 60 GB + S3 60 GB = 120 GB − 100 free = 20 GB × $0.09 = $1.80, half each ($0.90)
    c = cost({"kind": "data_transfer", "name": "api", "gb_per_month": 60},
             {"kind": "data_transfer", "name": "bucket", "service": "s3", "gb_per_month": 60})
    assert line(c, "api").monthly_usd == pytest.approx(0.90)
    assert line(c, "bucket").monthly_usd == pytest.approx(0.90)
    assert c.totals.monthly_usd == pytest.approx(1.80)


def test_allowance_used_elsewhere_and_tier_override() -> None:
    # free_allowance_gb 0: 200 GB × $0.09 = $18; with internet_out_tier1 = $0.05: $10
    c = cost({"kind": "data_transfer", "name": "e", "gb_per_month": 200, "free_allowance_gb": 0})
    assert line(c, "e").monthly_usd == pytest.approx(18.0)
    c = cost({"kind": "data_transfer", "name": "e", "gb_per_month": 200, "free_allowance_gb": 0,
              "unit_prices": {"internet_out_tier1": 0.05}})
    assert line(c, "e").monthly_usd == pytest.approx(10.0) and line(c, "e").override


def test_windows_change_the_monthly_pool() -> None:
    # month 1: 150 GB alone → 50 GB billed = $4.50; month 2: a second item of 150 GB joins →
    # 300 − 100 = 200 GB × 0.09 = $18, half each = $9.00
    c = cost({"kind": "data_transfer", "name": "a", "gb_per_month": 150},
             {"kind": "data_transfer", "name": "b", "gb_per_month": 150, "start_month": 2},
             duration=2)
    a = line(c, "a")
    assert a.months_usd == pytest.approx((4.50, 9.00))
    assert c.months_usd == pytest.approx((4.50, 18.00))


def test_inter_region_from_the_snapshot_and_inter_az_each_way() -> None:
    # us-east-1 → us-west-2 500 GB × $0.02 = $10.00 (charged to the source region)
    c = cost({"kind": "data_transfer", "name": "x", "transfer_type": "inter_region",
              "to_region": "us-west-2", "gb_per_month": 500})
    assert line(c, "x").monthly_usd == pytest.approx(10.0)
    # between AZs: EC2 pricing page "$0.01/GB in each direction": 1,000 GB → 2,000 GB × $0.01 = $20
    c = cost({"kind": "data_transfer", "name": "az", "transfer_type": "inter_az",
              "gb_per_month": 1000, "unit_prices": {"inter_az": 0.01}})
    assert line(c, "az").monthly_usd == pytest.approx(20.0)
    # without a typed rate the line is missing, not guessed
    c = cost({"kind": "data_transfer", "name": "az", "transfer_type": "inter_az", "gb_per_month": 1})
    assert line(c, "az").price_missing and not c.totals.complete


@pytest.mark.parametrize("item, match", [
    ({"kind": "data_transfer", "name": "x", "transfer_type": "inter_region"}, "to_region"),
    ({"kind": "data_transfer", "name": "x", "to_region": "us-west-2"}, "to_region"),
    ({"kind": "data_transfer", "name": "x", "gb_per_month": -1}, "gb_per_month"),
])
def test_bad_transfer_items(item: dict, match: str) -> None:
    with pytest.raises(PlannerError, match=match):
        cost(item)


def test_unknown_override_is_refused() -> None:
    with pytest.raises(PlannerError, match="unit_prices"):
        cost({"kind": "data_transfer", "name": "x", "transfer_type": "inter_az",
              "gb_per_month": 1, "unit_prices": {"internet_out": 0.1}})


# --- SageMaker --------------------------------------------------------------------------------------


def test_managed_spot_savings_as_the_developer_guide_computes_it() -> None:
    # https://docs.aws.amazon.com/sagemaker/latest/dg/model-managed-spot-training.html:
    # savings = (1 − BillableTimeInSeconds / TrainingTimeInSeconds) × 100; billable 100 s of
    # training 500 s → 80%. Billed: BillableTimeInSeconds × InstanceCount (DescribeTrainingJob):
    # 2 × 100 s ÷ 3,600 × $3.825 typed = $0.2125; on demand it would be 2 × 500 s = $1.0625.
    c = cost({"kind": "sagemaker", "name": "t", "instance_type": "ml.p3.2xlarge", "count": 2,
              "job_seconds": 500, "managed_spot": True, "billable_seconds": 100,
              "unit_prices": {"hourly_usd": 3.825}})
    t = line(c, "t")
    assert t.monthly_usd == pytest.approx(0.2125)
    assert "= 80%" in t.formula
    assert c.totals.on_demand_equivalent_usd == pytest.approx(1.0625)
    assert c.totals.savings_vs_on_demand_usd == pytest.approx(0.85)


def test_training_without_a_snapshot_price_is_missing() -> None:
    c = cost({"kind": "sagemaker", "name": "t", "instance_type": "ml.p4d.24xlarge",
              "job_seconds": 36_000})
    t = line(c, "t")
    assert t.price_missing and "refresh or enter a price" in t.formula
    assert not c.totals.complete


def test_endpoint_and_notebook_instance_hours() -> None:
    # endpoint: 3 instances × 730 h × $0.269 typed = $589.11
    c = cost({"kind": "sagemaker", "name": "ep", "component": "hosting",
              "instance_type": "ml.m5.xlarge", "count": 3, "unit_prices": {"hourly_usd": 0.269}})
    assert line(c, "ep").monthly_usd == pytest.approx(589.11)
    # notebook from the snapshot: 1 × 160 h × $0.23 = $36.80, dated and sourced
    c = cost({"kind": "sagemaker", "name": "nb", "component": "notebook",
              "instance_type": "ml.m5.xlarge", "usage_hours_per_month": 160})
    nb = line(c, "nb")
    assert nb.monthly_usd == pytest.approx(36.80) and nb.source == "sagemaker feed (test)"


def test_training_jobs_per_month_and_window() -> None:
    # 4 jobs a month × 2 instances × 5,400 s ÷ 3,600 × $1.00 = $12.00, months 2-3 of 3
    c = cost({"kind": "sagemaker", "name": "t", "instance_type": "ml.g5.xlarge", "count": 2,
              "job_seconds": 5400, "jobs_per_month": 4, "start_month": 2,
              "unit_prices": {"hourly_usd": 1.0}}, duration=3)
    assert c.months_usd == pytest.approx((0.0, 12.0, 12.0))


@pytest.mark.parametrize("item, match", [
    ({"instance_type": "p3.2xlarge", "job_seconds": 1}, "instance_type"),
    ({"instance_type": "ml.p3.2xlarge"}, "job_seconds"),
    ({"instance_type": "ml.p3.2xlarge", "job_seconds": 100, "managed_spot": True}, "billable_seconds"),
    ({"instance_type": "ml.p3.2xlarge", "job_seconds": 100, "managed_spot": True,
      "billable_seconds": 200}, "billable_seconds"),
    ({"instance_type": "ml.m5.xlarge", "component": "hosting", "job_seconds": 5}, "job_seconds"),
])
def test_bad_sagemaker_items(item: dict, match: str) -> None:
    with pytest.raises(PlannerError, match=match):
        cost({"kind": "sagemaker", "name": "s", **item})
