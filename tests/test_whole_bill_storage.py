"""Storage kept for part of a month, S3 Express One Zone, EBS snapshots and per-tier overrides,
each against an AWS published example (URL in the test) or a hand-worked case."""

from __future__ import annotations

import math

import pytest

from planner.errors import InputError, PlannerError
from planner.lineitem import OVERRIDE_SOURCE, LineItem
from planner.plan import EbsItem, EfsItem, S3Item, plan_from_dict
from planner.pricing.storage import price_ebs, price_efs, price_s3, price_storage
from tests.catalog_fixtures import make_catalog, storage_row

R1000 = "1,000 requests"
CATALOG = make_catalog(storage_rates=[
    storage_row("s3", "standard", "storage", 0.023, tier_end=51_200),
    storage_row("s3", "standard", "storage", 0.022, tier_begin=51_200, tier_end=512_000),
    storage_row("s3", "standard", "storage", 0.021, tier_begin=512_000),
    # S3 Express One Zone, us-east-1, as in the S3 FAQ example (after the 2025 price change)
    storage_row("s3", "express_onezone", "storage", 0.11),
    storage_row("s3", "express_onezone", "requests_put", 0.00113, unit=R1000),
    storage_row("s3", "express_onezone", "requests_get", 0.00003, unit=R1000),
    storage_row("s3", "express_onezone", "upload_gb", 0.0032, unit="GB"),
    storage_row("s3", "express_onezone", "retrieval_gb", 0.0006, unit="GB"),
    storage_row("ebs", "gp3", "storage", 0.08),
    storage_row("ebs", "gp3", "iops", 0.005, unit="IOPS-month", tier_begin=3_000),
    storage_row("ebs", "gp3", "throughput", 0.04, unit="MiBps-month", tier_begin=125),
    storage_row("ebs", "io1", "storage", 0.125),
    storage_row("ebs", "io1", "iops", 0.10, unit="IOPS-month"),
    storage_row("ebs", "io2", "storage", 0.125),
    storage_row("ebs", "io2", "iops", 0.065, unit="IOPS-month", tier_end=32_000),
    storage_row("ebs", "io2", "iops", 0.0455, unit="IOPS-month", tier_begin=32_000, tier_end=64_000),
    storage_row("ebs", "io2", "iops", 0.03185, unit="IOPS-month", tier_begin=64_000),
    storage_row("ebs", "snapshot", "storage", 0.05),
    storage_row("ebs", "snapshot_archive", "storage", 0.0125),
    storage_row("ebs", "snapshot_archive", "retrieval_gb", 0.03, unit="GB"),
    storage_row("efs", "standard", "storage", 0.30),
])
US = "us-east-1"


def dims(lines: list[LineItem]) -> dict[str, LineItem]:
    return {line.dimension: line for line in lines}


def total(lines: list[LineItem]) -> float:
    return math.fsum(line.monthly_usd for line in lines)


# --- storage for part of a month ------------------------------------------------------------------


def test_s3_faq_storage_example_march_byte_hours() -> None:
    # https://aws.amazon.com/s3/faqs/ ("How will I be charged and billed for my use of Amazon S3?",
    # storage example): 100 GB (107,374,182,400 bytes) for 15 days and 100 TB
    # (109,951,162,777,600 bytes) for the final 16 days of March → 42,259,901,212,262,400
    # byte-hours ÷ 1,073,741,824 ÷ 744 h = 52,900 GB-months;
    # 51,200 GB × $0.023 = $1,177.60 + 1,700 GB × $0.022 = $37.40 → $1,215.00.
    item = S3Item(name="d", stored=[
        {"bytes": 107_374_182_400, "days": 15}, {"bytes": 109_951_162_777_600, "days": 16},
    ])
    storage = dims(price_s3(item, CATALOG, US, 744))["storage"]
    assert storage.quantity == pytest.approx(52_900)
    assert round(storage.monthly_usd, 2) == 1_215.00
    assert "744 h" in storage.formula and "2^30" in storage.formula


def test_spans_in_a_30_day_month_hand_worked() -> None:
    # 720 GB for 12 h + 100 GB for 360 h in a 720-h month:
    # (720 × 12 + 100 × 360) / 720 = (8,640 + 36,000) / 720 = 62 GB-month × $0.023 = $1.426
    item = S3Item(name="d", stored=[{"gb": 720, "hours": 12}, {"gb": 100, "hours": 360}])
    assert dims(price_s3(item, CATALOG, US, 720))["storage"].monthly_usd == pytest.approx(1.426)
    # EFS Standard, the same spans: 62 × $0.30 = $18.60
    efs = EfsItem(name="e", stored=[{"gb": 720, "hours": 12}, {"gb": 100, "hours": 360}])
    assert price_efs(efs, CATALOG, US, 720)[0].monthly_usd == pytest.approx(18.60)


def test_ebs_gp3_prorated_by_the_second_pricing_page_example() -> None:
    # https://aws.eu/ebs/pricing (Amazon EBS pricing, Example 1 – gp3): a 2,000 GB volume for
    # 12 hours (43,200 seconds) in a 30-day month, 10,000 IOPS, at EUR 0.09394/GB-month and
    # EUR 0.00592/IOPS-month: 0.09394 × 2,000 × 43,200 / (86,400 × 30) = 3.13133 and
    # 0.00592 × (10,000 − 3,000) × 43,200 / 2,592,000 = 0.690667.
    item = EbsItem(name="v", gb=2000, iops=10_000, stored=[{"gb": 2000, "seconds": 43_200}],
                   unit_prices={"storage": 0.09394, "iops": 0.00592})
    lines = dims(price_ebs(item, CATALOG, US, 720))
    assert lines["storage"].monthly_usd == pytest.approx(3.13133, abs=5e-6)
    assert lines["iops"].monthly_usd == pytest.approx(0.690667, abs=5e-7)
    # the same with usage hours: 12 h of a 720-h month
    same = EbsItem(name="v", gb=2000, iops=10_000, usage_hours_per_month=12,
                   unit_prices={"storage": 0.09394, "iops": 0.00592})
    assert total(price_ebs(same, CATALOG, US, 720)) == pytest.approx(total(list(lines.values())))


def test_ebs_io1_fifteen_days_pricing_page_example() -> None:
    # Amazon EBS pricing page (io1 text, https://aws.amazon.com/ebs/pricing/): "provision a volume
    # with 1000 IOPS, and keep this volume for 15 days in a 30 day month ... $0.10 per provisioned
    # IOPS-month ... $50 ($0.10 × 1000 IOPS × 15 days/30)".
    item = EbsItem(name="v", volume_type="io1", gb=100, iops=1000,
                   stored=[{"gb": 100, "days": 15}])
    assert dims(price_ebs(item, CATALOG, US, 720))["iops"].monthly_usd == pytest.approx(50.0)


def test_ebs_span_under_a_minute_bills_sixty_seconds() -> None:
    # 30 s is billed as 60 s: 3,600 GB × (60/3,600) h / 720 h = 0.083333 GB-month × $0.08
    item = EbsItem(name="v", gb=3600, stored=[{"gb": 3600, "seconds": 30}])
    assert dims(price_ebs(item, CATALOG, US, 720))["storage"].monthly_usd == pytest.approx(
        3600 / 60 / 720 * 0.08)


@pytest.mark.parametrize("bad, field", [
    ({"kind": "s3", "name": "x", "gb_month": 5, "stored": [{"gb": 1, "hours": 1}]}, "stored"),
    ({"kind": "s3", "name": "x", "stored": [{"gb": 1, "hours": 800}]}, "stored[0]"),
    ({"kind": "s3", "name": "x", "stored": [{"gb": 1, "bytes": 5, "hours": 1}]}, "stored"),
    ({"kind": "ebs", "name": "x", "stored": [{"gb": 1, "days": 20}, {"gb": 2, "days": 20}]},
     "stored"),
])
def test_bad_spans_name_the_field(bad: dict, field: str) -> None:
    with pytest.raises(PlannerError, match=r"stored"):
        plan_from_dict({"name": "p", "hours_per_month": 730, "items": [bad]})


# --- S3 Express One Zone ---------------------------------------------------------------------------


def test_express_one_zone_faq_example_1() -> None:
    # https://aws.amazon.com/s3/faqs/ (S3 Express One Zone, Example 1): 10 GB-month, 1,000,000
    # PUTs and 9,000,000 GETs of 10 KB: $1.10 + $1.13 + $0.27 + upload 10 KB / 1,048,576 ×
    # 1,000,000 × $0.0032 = $0.03 + retrieval 10 KB / 1,048,576 × 9,000,000 × $0.0006 = $0.05
    # → $2.58.
    kb = 10 / 1_048_576
    item = S3Item(name="x", storage_class="express_onezone", gb_month=10,
                  put_requests=1_000_000, get_requests=9_000_000,
                  upload_gb=kb * 1_000_000, retrieval_gb=kb * 9_000_000)
    lines = dims(price_s3(item, CATALOG, US, 720))
    assert round(lines["upload_gb"].monthly_usd, 2) == 0.03
    assert round(lines["retrieval_gb"].monthly_usd, 2) == 0.05
    assert round(total(list(lines.values())), 2) == 2.58


def test_express_upload_can_be_typed_and_other_classes_refuse_it() -> None:
    item = S3Item(name="x", storage_class="express_onezone", upload_gb=100,
                  unit_prices={"upload_gb": 0.002, "retrieval_gb": 0.001})
    assert dims(price_storage(item, CATALOG, US, 730))["upload_gb"].monthly_usd == pytest.approx(0.2)
    with pytest.raises(InputError, match="upload_gb"):
        price_storage(S3Item(name="x", upload_gb=1), CATALOG, US, 730)


# --- EBS snapshots ----------------------------------------------------------------------------------


def test_snapshot_archive_user_guide_examples() -> None:
    # https://docs.aws.amazon.com/ebs/latest/userguide/snapshot-archive-pricing.html:
    # a 100 GiB archived snapshot is $1.25 a month (100 × $0.0125); restoring it is $3 once
    # (100 × $0.03); deleted after 40 days it is billed the remaining 50 days of the 90-day
    # minimum. In a 30-day month: 100 GiB kept 40 days = 133.33 GB-month stored, early deletion
    # 133.33 × 50/40 = 166.67 GB-month → $2.083 (= 100 × $0.0125 × 50/30), 90 days in all $3.75.
    month = EbsItem(name="v", snapshot_archive_gb=100, snapshot_restore_gb=100)
    lines = dims(price_ebs(month, CATALOG, US, 720))
    assert lines["snapshot_archive_storage"].monthly_usd == pytest.approx(1.25)
    assert lines["snapshot_archive_retrieval"].monthly_usd == pytest.approx(3.00)
    early = EbsItem(name="v", snapshot_archive_gb=100 * 40 / 30, snapshot_archive_days=40)
    lines = dims(price_ebs(early, CATALOG, US, 720))
    assert lines["snapshot_archive_early_delete"].monthly_usd == pytest.approx(100 * 0.0125 * 50 / 30)
    both = lines["snapshot_archive_storage"].monthly_usd + lines["snapshot_archive_early_delete"].monthly_usd
    assert both == pytest.approx(3.75)


def test_snapshot_standard_tier_and_fast_restore_typed() -> None:
    # 105 GB standard × $0.05 = $5.25; FSR has no snapshot price: 10 DSU-hours × $0.75 typed = $7.50
    item = EbsItem(name="v", snapshot_gb=105, fast_snapshot_restore_dsu_hours=10)
    lines = dims(price_ebs(item, CATALOG, US, 730))
    assert lines["snapshot_storage"].monthly_usd == pytest.approx(5.25)
    assert lines["fast_snapshot_restore"].price_missing
    typed = EbsItem(name="v", fast_snapshot_restore_dsu_hours=10,
                    unit_prices={"fast_snapshot_restore": 0.75})
    assert dims(price_storage(typed, CATALOG, US, 730))["fast_snapshot_restore"].monthly_usd == 7.5


def test_archive_kept_past_the_minimum_has_no_early_deletion() -> None:
    item = EbsItem(name="v", snapshot_archive_gb=100, snapshot_archive_days=120)
    assert "snapshot_archive_early_delete" not in dims(price_ebs(item, CATALOG, US, 730))


# --- per-tier overrides ---------------------------------------------------------------------------


def test_io2_iops_tier_2_override() -> None:
    # 80,000 IOPS: 32,000 × $0.065 + 32,000 × $0.04 (override) + 16,000 × $0.03185
    # = 2,080 + 1,280 + 509.60 = $3,869.60
    item = EbsItem(name="v", volume_type="io2", gb=100, iops=80_000,
                   unit_prices={"iops_tier2": 0.04})
    iops = dims(price_storage(item, CATALOG, US, 730))["iops"]
    assert iops.monthly_usd == pytest.approx(3_869.60)
    assert iops.source == OVERRIDE_SOURCE and "tier 2" in iops.formula


def test_s3_standard_second_tier_override() -> None:
    # 60,000 GB: 51,200 × $0.023 + 8,800 × $0.020 (override) = 1,177.60 + 176 = $1,353.60
    item = S3Item(name="d", gb_month=60_000, unit_prices={"storage_tier2": 0.020})
    assert dims(price_storage(item, CATALOG, US, 730))["storage"].monthly_usd == pytest.approx(1_353.60)


def test_a_tier_the_snapshot_lacks_is_refused() -> None:
    item = S3Item(name="d", gb_month=1, unit_prices={"storage_tier4": 0.02})
    with pytest.raises(InputError, match="storage_tier4.*3 tier"):
        price_storage(item, CATALOG, US, 730)
    with pytest.raises(InputError, match="unit_prices"):
        price_storage(S3Item(name="d", unit_prices={"nonsense_tier1": 1}), CATALOG, US, 730)
