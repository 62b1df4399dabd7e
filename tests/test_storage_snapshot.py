"""Storage pricing against the shipped snapshot: the design's example items, worked by hand from
the us-east-1 rows of pricing_data/storage_rates.csv."""

from __future__ import annotations

import math

import pytest

from planner.catalog import load_catalog
from planner.catalog.loader import Catalog
from planner.lineitem import LineItem
from planner.plan import EbsItem, EfsItem, S3Item, plan_from_dict
from planner.pricing.storage import price_ebs, price_s3, price_storage

HOURS = 730.0
US = "us-east-1"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def total(lines: list[LineItem]) -> float:
    return math.fsum(line.monthly_usd for line in lines)


def test_design_example_datasets_s3(catalog: Catalog) -> None:
    item = S3Item(name="datasets", gb_month=50_000, put_requests=1e6, get_requests=1e7)
    lines = price_s3(item, catalog, US, HOURS)
    # 50,000 GB (all in the first 51,200 GB tier) × $0.023 = $1,150
    # + 1,000,000 / 1,000 × $0.005 = $5 + 10,000,000 / 1,000 × $0.0004 = $4 → $1,159
    assert [line.monthly_usd for line in lines] == pytest.approx([1_150.0, 5.0, 4.0])
    assert total(lines) == pytest.approx(1_159.0)
    assert all(line.as_of == "2025-06-05" for line in lines)


def test_design_example_scratch_gp3(catalog: Catalog) -> None:
    item = EbsItem(
        name="scratch", volume_type="gp3", gb=1_000, iops=6_000, throughput_mibps=250, count=2
    )
    lines = price_ebs(item, catalog, US, HOURS)
    # storage 1,000 GB × 2 × $0.08 = $160; IOPS (6,000 − 3,000) × 2 × $0.005 = $30;
    # throughput (250 − 125) × 2 × $0.04 = $10 → $200
    assert [line.dimension for line in lines] == ["storage", "iops", "throughput"]
    assert [line.monthly_usd for line in lines] == pytest.approx([160.0, 30.0, 10.0])
    assert total(lines) == pytest.approx(200.0)


def test_design_example_plan_storage_items(catalog: Catalog) -> None:
    plan = plan_from_dict({
        "schema_version": 1, "name": "Fine-tune Q1", "region": US, "hours_per_month": 730,
        "items": [
            {"kind": "s3", "name": "datasets", "storage_class": "standard", "gb_month": 50000,
             "put_requests": 1000000, "get_requests": 10000000},
            {"kind": "ebs", "name": "scratch", "volume_type": "gp3", "gb": 1000, "iops": 6000,
             "throughput_mibps": 250, "count": 2},
            {"kind": "efs", "name": "shared", "storage_class": "standard", "gb_month": 500},
        ],
    })
    per_item = {}
    for item in plan.items:
        assert isinstance(item, S3Item | EbsItem | EfsItem)
        lines = price_storage(item, catalog, plan.region, plan.hours_per_month)
        per_item[item.name] = total(lines)
    # EFS: 500 GB × $0.30 = $150 (Elastic mode, no reads or writes given)
    assert per_item == pytest.approx({"datasets": 1_159.0, "scratch": 200.0, "shared": 150.0})
    assert sum(per_item.values()) == pytest.approx(1_509.0)


def test_ebs_snapshot_storage_is_priced_in_us_east_1(catalog: Catalog) -> None:
    lines = price_ebs(EbsItem(name="s", gb=100, snapshot_gb=200), catalog, US, HOURS)
    snapshot = lines[-1]
    assert snapshot.dimension == "snapshot_storage"
    # AWS EBS page feed (us-east-1 only, undated copy): $0.05 per GB-month × 200 GB = $10
    assert not snapshot.price_missing and snapshot.monthly_usd == pytest.approx(10.0)
    assert lines[0].monthly_usd == pytest.approx(8.0)  # 100 × $0.08
    eu = price_ebs(EbsItem(name="s", gb=100, snapshot_gb=200), catalog, "eu-west-1", HOURS)
    assert eu[-1].price_missing  # no snapshot price outside us-east-1


def test_ebs_in_eu_west_1_from_the_2022_price_list(catalog: Catalog) -> None:
    lines = price_ebs(EbsItem(name="e", gb=100), catalog, "eu-west-1", HOURS)
    # cloudkeep copy of GetProducts (2022-02-10): gp3 $0.088 per GB-month × 100 GB = $8.80
    assert not any(line.price_missing for line in lines)
    assert lines[0].monthly_usd == pytest.approx(8.8)


def test_efs_ia_elastic_and_provisioned_from_snapshot(catalog: Catalog) -> None:
    ia = EfsItem(name="ia", storage_class="infrequent_access", gb_month=1_000, read_gb=100)
    lines = price_storage(ia, catalog, US, HOURS)
    # 1,000 × $0.016 (IA, Elastic) + 100 × $0.01 (IA reads) + 100 × $0.03 (Elastic reads) = $20
    assert total(lines) == pytest.approx(20.0)
    prov = EfsItem(name="p", gb_month=500, throughput_mode="provisioned", provisioned_mibps=100)
    lines = price_storage(prov, catalog, US, HOURS)
    # 500 × $0.30 = $150; baseline 500 × 50 / 1,024 = 24.4140625 MiB/s;
    # (100 − 24.4140625) × $6 = $453.515625 → $603.515625
    assert total(lines) == pytest.approx(603.515625)


def test_s3_glacier_deep_archive_from_snapshot(catalog: Catalog) -> None:
    item = S3Item(
        name="cold", storage_class="deep_archive", gb_month=10_000, object_count=1_048_576,
        retrieval_gb=1_000, retrieval_requests=1_000, retrieval_tier="bulk",
    )
    lines = {line.dimension: line for line in price_s3(item, catalog, US, HOURS)}
    # (10,000 + 32) GB × $0.00099 = $9.93168; 8 GB × $0.023 = $0.184;
    # 1,000 GB × $0.0025 = $2.50; 1,000 / 1,000 × $0.025 = $0.025 → $12.64068
    assert lines["storage"].monthly_usd == pytest.approx(9.93168)
    assert lines["overhead_standard_storage"].monthly_usd == pytest.approx(0.184)
    assert lines["retrieval_gb_bulk"].monthly_usd == pytest.approx(2.5)
    assert lines["retrieval_requests_bulk"].monthly_usd == pytest.approx(0.025)
    assert total(list(lines.values())) == pytest.approx(12.64068)
