"""Storage pricing rules (S3, EBS, EFS) on a tiny hand-made catalog; figures worked by hand.

Prices below copy the snapshot's us-east-1 figures so the arithmetic is familiar; eu-west-1 holds
only S3 Standard storage, to exercise prices the catalog lacks.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.catalog.query import storage_rates
from planner.errors import InputError, UnknownNameError
from planner.lineitem import OVERRIDE_SOURCE, LineItem
from planner.plan import EbsItem, EfsItem, S3Item
from planner.pricing.storage import (
    override_keys,
    price_ebs,
    price_efs,
    price_s3,
    price_storage,
)
from planner.pricing.tiers import tiered_cost
from tests.catalog_fixtures import INF, SOURCE, make_catalog, storage_row

HOURS = 730.0
R1000 = "1,000 requests"


def _rows() -> list[dict[str, object]]:
    s3, ebs, efs = "s3", "ebs", "efs"
    rows = [
        # S3 Standard: 3 volume tiers (51,200 GB = 50 TB and 512,000 GB = 500 TB)
        storage_row(s3, "standard", "storage", 0.023, tier_end=51_200),
        storage_row(s3, "standard", "storage", 0.022, tier_begin=51_200, tier_end=512_000),
        storage_row(s3, "standard", "storage", 0.021, tier_begin=512_000),
        storage_row(s3, "standard", "requests_put", 0.005, unit=R1000),
        storage_row(s3, "standard", "requests_get", 0.0004, unit=R1000),
        # Intelligent-Tiering
        storage_row(s3, "intelligent_tiering", "storage", 0.023, tier_end=51_200),
        storage_row(
            s3, "intelligent_tiering", "storage", 0.022, tier_begin=51_200, tier_end=512_000
        ),
        storage_row(s3, "intelligent_tiering", "storage", 0.021, tier_begin=512_000),
        storage_row(s3, "intelligent_tiering", "infrequent_storage", 0.0125),
        storage_row(s3, "intelligent_tiering", "archive_instant_storage", 0.004),
        storage_row(s3, "intelligent_tiering", "archive_storage", 0.0036),
        storage_row(s3, "intelligent_tiering", "deep_archive_storage", 0.00099),
        storage_row(s3, "intelligent_tiering", "monitoring", 0.0025, unit="1,000 objects-month"),
        storage_row(s3, "intelligent_tiering", "archive_retrieval_gb_expedited", 0.03, unit="GB"),
        storage_row(
            s3, "intelligent_tiering", "archive_retrieval_requests_expedited", 10.0, unit=R1000
        ),
        # Standard-IA, One Zone-IA, Glacier IR
        storage_row(s3, "standard_ia", "storage", 0.0125),
        storage_row(s3, "standard_ia", "retrieval_gb", 0.01, unit="GB"),
        storage_row(s3, "standard_ia", "transition_requests", 0.01, unit=R1000),
        storage_row(s3, "onezone_ia", "storage", 0.01),
        storage_row(s3, "glacier_ir", "storage", 0.004),
        # Glacier Flexible Retrieval and Deep Archive
        storage_row(s3, "glacier_flexible", "storage", 0.0036),
        storage_row(s3, "glacier_flexible", "retrieval_gb_expedited", 0.03, unit="GB"),
        storage_row(s3, "glacier_flexible", "retrieval_requests_expedited", 10.0, unit=R1000),
        storage_row(s3, "glacier_flexible", "retrieval_gb_standard", 0.01, unit="GB"),
        storage_row(s3, "glacier_flexible", "retrieval_requests_standard", 0.05, unit=R1000),
        storage_row(s3, "deep_archive", "storage", 0.00099),
        storage_row(s3, "deep_archive", "retrieval_gb_bulk", 0.0025, unit="GB"),
        storage_row(s3, "deep_archive", "retrieval_requests_bulk", 0.025, unit=R1000),
        # EBS (us-east-1 only; no snapshot prices)
        storage_row(ebs, "gp3", "storage", 0.08),
        storage_row(ebs, "gp3", "iops", 0.005, unit="IOPS-month", tier_begin=3_000),
        storage_row(ebs, "gp3", "throughput", 0.04, unit="MiBps-month", tier_begin=125),
        storage_row(ebs, "gp2", "storage", 0.10),
        storage_row(ebs, "st1", "storage", 0.045),
        storage_row(ebs, "io1", "storage", 0.125),
        storage_row(ebs, "io1", "iops", 0.065, unit="IOPS-month"),
        storage_row(ebs, "io2", "storage", 0.125),
        storage_row(ebs, "io2", "iops", 0.065, unit="IOPS-month", tier_end=32_000),
        storage_row(
            ebs, "io2", "iops", 0.0455, unit="IOPS-month", tier_begin=32_000, tier_end=64_000
        ),
        storage_row(ebs, "io2", "iops", 0.03185, unit="IOPS-month", tier_begin=64_000),
        # EFS
        storage_row(efs, "standard", "storage", 0.30),
        storage_row(efs, "infrequent_access", "storage", 0.025),
        storage_row(efs, "infrequent_access", "storage_elastic", 0.016),
        storage_row(efs, "infrequent_access", "reads", 0.01, unit="GB"),
        storage_row(efs, "infrequent_access", "writes", 0.01, unit="GB"),
        storage_row(efs, "archive", "storage", 0.008),
        storage_row(efs, "archive", "reads", 0.03, unit="GB"),
        storage_row(efs, "one_zone_ia", "storage", 0.0133),
        storage_row(efs, "elastic_throughput", "reads", 0.03, unit="GB"),
        storage_row(efs, "elastic_throughput", "writes", 0.06, unit="GB"),
        storage_row(efs, "provisioned_throughput", "throughput", 6.0, unit="MiBps-month"),
        storage_row(efs, "bursting_throughput", "throughput", 0.0, unit="MiBps-month"),
        # a second region with S3 Standard storage only
        storage_row(s3, "standard", "storage", 0.023, region="eu-west-1"),
    ]
    return rows


CATALOG = make_catalog(storage_rates=_rows())
US = "us-east-1"


def by_dim(lines: list[LineItem]) -> dict[str, LineItem]:
    dims = [line.dimension for line in lines]
    assert len(dims) == len(set(dims)), f"duplicate dimensions {dims}"
    return {line.dimension: line for line in lines}


def total(lines: list[LineItem]) -> float:
    return math.fsum(line.monthly_usd for line in lines)


# --- the fixture helper -----------------------------------------------------------------------


def test_make_catalog_has_schema_columns_and_empty_defaults() -> None:
    catalog = make_catalog()
    assert catalog.storage_rates.empty and catalog.compute_rates.empty
    assert list(catalog.storage_rates.columns)[:3] == ["region", "service", "storage_class"]
    assert CATALOG.regions == ["eu-west-1", "us-east-1"]
    tiers = storage_rates(CATALOG, US, "s3", "standard", "storage")
    assert [t.tier_begin for t in tiers] == [0, 51_200, 512_000]
    assert tiers[-1].tier_end == INF and tiers[0].source == SOURCE


# --- tiers --------------------------------------------------------------------------------------


def test_tiered_cost_two_and_three_tiers() -> None:
    tiers = storage_rates(CATALOG, US, "s3", "standard", "storage")
    # 60,000 GB = 51,200 × 0.023 + 8,800 × 0.022 = 1,177.60 + 193.60 = 1,371.20
    assert tiered_cost(60_000, tiers) == pytest.approx(1_371.20)
    # 600,000 GB = 1,177.60 + 460,800 × 0.022 (10,137.60) + 88,000 × 0.021 (1,848) = 13,163.20
    assert tiered_cost(600_000, tiers) == pytest.approx(13_163.20)
    # below the first tier: 1,000 × 0.023 = 23
    assert tiered_cost(1_000, tiers) == pytest.approx(23.0)
    assert tiered_cost(0, tiers) == 0.0


def test_tiered_cost_free_baseline_below_first_tier() -> None:
    tiers = storage_rates(CATALOG, US, "ebs", "gp3", "iops")
    assert tiered_cost(3_000, tiers) == 0.0  # all inside the included 3,000 IOPS
    assert tiered_cost(5_000, tiers) == pytest.approx(10.0)  # 2,000 × 0.005


# --- S3 -----------------------------------------------------------------------------------------


def test_s3_standard_across_two_tiers_is_one_blended_line() -> None:
    lines = price_s3(S3Item(name="lake", gb_month=60_000), CATALOG, US, HOURS)
    (storage,) = lines
    assert (storage.kind, storage.resource, storage.dimension) == ("s3", "standard", "storage")
    assert storage.monthly_usd == pytest.approx(1_371.20)
    assert storage.quantity == 60_000
    assert storage.unit_price_usd == pytest.approx(1_371.20 / 60_000)  # blended $0.0228533
    assert "51,200 GB-month × $0.023 + 8,800 GB-month × $0.022" in storage.formula
    assert storage.source == SOURCE and not storage.override


def test_s3_requests_per_thousand() -> None:
    item = S3Item(name="a", gb_month=0, put_requests=2_000_000, get_requests=30_000_000)
    lines = by_dim(price_s3(item, CATALOG, US, HOURS))
    assert lines["storage"].monthly_usd == 0.0  # storage line kept even at 0 GB
    # 2,000,000 / 1,000 × $0.005 = $10
    assert lines["requests_put"].quantity == 2_000
    assert lines["requests_put"].monthly_usd == pytest.approx(10.0)
    assert "2,000,000 requests ÷ 1,000" in lines["requests_put"].formula
    # 30,000,000 / 1,000 × $0.0004 = $12
    assert lines["requests_get"].monthly_usd == pytest.approx(12.0)
    assert "transition_requests" not in lines  # zero quantity omitted


def test_s3_transitions_into_ia_and_not_into_standard() -> None:
    item = S3Item(name="t", storage_class="standard_ia", gb_month=10, transition_requests=1e6)
    # 1,000,000 / 1,000 × $0.01 = $10
    lines = by_dim(price_s3(item, CATALOG, US, HOURS))
    assert lines["transition_requests"].monthly_usd == pytest.approx(10.0)
    with pytest.raises(InputError, match="transition_requests"):
        price_s3(S3Item(name="t", transition_requests=5), CATALOG, US, HOURS)


def test_s3_ia_minimum_object_size() -> None:
    # 1,000,000 objects × 128 KB = 128,000,000 KB / 1,048,576 KB per GB = 122.0703125 GB > 10 GB
    # billed 122.0703125 × $0.0125 = $1.52587890625
    small = S3Item(name="s", storage_class="standard_ia", gb_month=10, object_count=1_000_000)
    (line,) = price_s3(small, CATALOG, US, HOURS)
    assert line.quantity == pytest.approx(122.0703125)
    assert line.monthly_usd == pytest.approx(1.52587890625)
    assert "128 KB minimum" in line.formula and "average size" in line.formula
    # 1,000 objects × 128 KB = 0.12207 GB < 10 GB stored → 10 × $0.0125 = $0.125
    large = S3Item(name="l", storage_class="standard_ia", gb_month=10, object_count=1_000)
    assert price_s3(large, CATALOG, US, HOURS)[0].monthly_usd == pytest.approx(0.125)
    # no object_count: nothing applied, and the formula says so
    unknown = S3Item(name="u", storage_class="glacier_ir", gb_month=10)
    (line,) = price_s3(unknown, CATALOG, US, HOURS)
    assert line.monthly_usd == pytest.approx(0.04)  # 10 × 0.004
    assert "object_count not given" in line.formula


def test_s3_glacier_per_object_overhead() -> None:
    # 1,048,576 objects: 32 KB each = 32 GB at the Glacier rate, 8 KB each = 8 GB at Standard
    item = S3Item(
        name="g", storage_class="glacier_flexible", gb_month=1_000, object_count=1_048_576
    )
    lines = by_dim(price_s3(item, CATALOG, US, HOURS))
    # (1,000 + 32) GB × $0.0036 = $3.7152
    assert lines["storage"].quantity == pytest.approx(1_032)
    assert lines["storage"].monthly_usd == pytest.approx(3.7152)
    # 8 GB × $0.023 = $0.184, on an S3 Standard line
    overhead = lines["overhead_standard_storage"]
    assert overhead.resource == "standard"
    assert overhead.quantity == pytest.approx(8.0)
    assert overhead.monthly_usd == pytest.approx(0.184)
    assert total(list(lines.values())) == pytest.approx(3.8992)


def test_s3_early_deletion_charges_rest_of_minimum() -> None:
    # Standard-IA kept 10 days of a 30-day minimum: 300 GB × (30 − 10) / 10 = 600 GB-month
    # × $0.0125 = $7.50, on top of 300 × 0.0125 = $3.75 storage
    ia = S3Item(name="ia", storage_class="standard_ia", gb_month=300, storage_days=10)
    lines = by_dim(price_s3(ia, CATALOG, US, HOURS))
    assert lines["early_deletion"].quantity == pytest.approx(600)
    assert lines["early_deletion"].monthly_usd == pytest.approx(7.5)
    assert lines["storage"].monthly_usd == pytest.approx(3.75)
    # Deep Archive kept 90 of 180 days: 1,000 × 90 / 90 = 1,000 GB-month × $0.00099 = $0.99
    deep = S3Item(name="d", storage_class="deep_archive", gb_month=1_000, storage_days=90)
    assert by_dim(price_s3(deep, CATALOG, US, HOURS))["early_deletion"].monthly_usd == (
        pytest.approx(0.99)
    )
    # kept past the minimum, or a class without one: no line
    for item in (
        S3Item(name="x", storage_class="standard_ia", gb_month=300, storage_days=30),
        S3Item(name="y", storage_class="intelligent_tiering", gb_month=300, storage_days=1),
        S3Item(name="z", gb_month=300, storage_days=1),
    ):
        assert "early_deletion" not in by_dim(price_s3(item, CATALOG, US, HOURS))


def test_s3_intelligent_tiering_split_and_monitoring() -> None:
    item = S3Item(
        name="it",
        storage_class="intelligent_tiering",
        gb_month=100_000,
        object_count=10_000_000,
        access_tier_fractions={"frequent": 0.6, "infrequent": 0.3, "archive_instant": 0.1},
    )
    lines = by_dim(price_s3(item, CATALOG, US, HOURS))
    # frequent 60,000 GB, volume-tiered: 51,200 × 0.023 + 8,800 × 0.022 = $1,371.20
    assert lines["storage"].monthly_usd == pytest.approx(1_371.20)
    # infrequent 30,000 × $0.0125 = $375; archive instant 10,000 × $0.004 = $40
    assert lines["infrequent_storage"].monthly_usd == pytest.approx(375.0)
    assert lines["archive_instant_storage"].monthly_usd == pytest.approx(40.0)
    # average object 100,000 GB × 1,048,576 KB / 10,000,000 = 10,485.76 KB ≥ 128 KB
    # → monitoring 10,000,000 / 1,000 × $0.0025 = $25
    assert lines["monitoring"].monthly_usd == pytest.approx(25.0)
    assert "average" in lines["monitoring"].formula
    assert total(list(lines.values())) == pytest.approx(1_811.20)


def test_s3_intelligent_tiering_small_objects_no_monitoring() -> None:
    # 1 GB / 100,000 objects = 10.49 KB average < 128 KB: no fee, all at Frequent Access rates
    item = S3Item(
        name="tiny",
        storage_class="intelligent_tiering",
        gb_month=1,
        object_count=100_000,
        access_tier_fractions={"frequent": 0.5, "archive": 0.5},
    )
    lines = by_dim(price_s3(item, CATALOG, US, HOURS))
    assert set(lines) == {"storage"}
    assert lines["storage"].monthly_usd == pytest.approx(0.023)  # 1 GB × $0.023
    assert "not monitored" in lines["storage"].formula


def test_s3_intelligent_tiering_fraction_errors() -> None:
    bad_sum = S3Item(
        name="b", storage_class="intelligent_tiering", gb_month=1,
        access_tier_fractions={"frequent": 0.5, "infrequent": 0.4},
    )
    with pytest.raises(InputError, match=r"access_tier_fractions.*sum to 1") as exc:
        price_s3(bad_sum, CATALOG, US, HOURS)
    assert exc.value.field == "access_tier_fractions"
    unknown = S3Item(
        name="u", storage_class="intelligent_tiering", gb_month=1,
        access_tier_fractions={"frequent": 0.5, "glacier": 0.5},
    )
    with pytest.raises(InputError, match=r"'glacier'.*frequent, infrequent, archive_instant"):
        price_s3(unknown, CATALOG, US, HOURS)
    # within 1e-6 is accepted
    close = S3Item(
        name="c", storage_class="intelligent_tiering", gb_month=1,
        access_tier_fractions={"frequent": 0.5, "infrequent": 0.5000005},
    )
    assert price_s3(close, CATALOG, US, HOURS)


def test_s3_intelligent_tiering_archive_restores() -> None:
    item = S3Item(
        name="r", storage_class="intelligent_tiering", gb_month=100,
        access_tier_fractions={"frequent": 0.5, "archive": 0.5},
        retrieval_gb=100, retrieval_requests=2_000, retrieval_tier="expedited",
    )
    lines = by_dim(price_s3(item, CATALOG, US, HOURS))
    # 100 GB × $0.03 = $3; 2,000 / 1,000 × $10 = $20
    assert lines["archive_retrieval_gb_expedited"].monthly_usd == pytest.approx(3.0)
    assert lines["archive_retrieval_requests_expedited"].monthly_usd == pytest.approx(20.0)


def test_s3_glacier_retrieval_tiers() -> None:
    item = S3Item(
        name="g", storage_class="glacier_flexible", gb_month=0, retrieval_gb=100,
        retrieval_requests=2_000, retrieval_tier="expedited",
    )
    lines = by_dim(price_s3(item, CATALOG, US, HOURS))
    # 100 GB × $0.03 = $3; 2,000 / 1,000 × $10 = $20
    assert lines["retrieval_gb_expedited"].monthly_usd == pytest.approx(3.0)
    assert lines["retrieval_requests_expedited"].monthly_usd == pytest.approx(20.0)
    deep = S3Item(
        name="d", storage_class="deep_archive", gb_month=0, retrieval_gb=1_000,
        retrieval_requests=4_000, retrieval_tier="bulk",
    )
    lines = by_dim(price_s3(deep, CATALOG, US, HOURS))
    # 1,000 GB × $0.0025 = $2.50; 4,000 / 1,000 × $0.025 = $0.10
    assert lines["retrieval_gb_bulk"].monthly_usd == pytest.approx(2.5)
    assert lines["retrieval_requests_bulk"].monthly_usd == pytest.approx(0.1)


def test_s3_deep_archive_has_no_expedited_retrieval() -> None:
    item = S3Item(name="d", storage_class="deep_archive", gb_month=1, retrieval_tier="expedited")
    with pytest.raises(InputError, match=r"retrieval_tier.*standard, bulk") as exc:
        price_s3(item, CATALOG, US, HOURS)
    assert exc.value.field == "retrieval_tier"


def test_s3_ia_retrieval_per_gb_and_standard_has_none() -> None:
    ia = S3Item(name="ia", storage_class="standard_ia", gb_month=0, retrieval_gb=50)
    # 50 GB × $0.01 = $0.50
    assert by_dim(price_s3(ia, CATALOG, US, HOURS))["retrieval_gb"].monthly_usd == (
        pytest.approx(0.5)
    )
    std = S3Item(name="s", gb_month=1, retrieval_gb=50)
    (line,) = price_s3(std, CATALOG, US, HOURS)
    assert "no retrieval charge" in line.formula


def test_s3_override_marks_line_and_replaces_tiers() -> None:
    item = S3Item(name="o", gb_month=60_000, get_requests=1_000, unit_prices={"storage": 0.02})
    lines = by_dim(price_s3(item, CATALOG, US, HOURS))
    # flat 60,000 × $0.02 = $1,200 (the override replaces the volume tiers)
    assert lines["storage"].monthly_usd == pytest.approx(1_200.0)
    assert lines["storage"].source == OVERRIDE_SOURCE and lines["storage"].override
    assert "(override)" in lines["storage"].formula
    assert not lines["requests_get"].override


def test_s3_early_deletion_follows_storage_override() -> None:
    item = S3Item(
        name="o", storage_class="standard_ia", gb_month=100, storage_days=15,
        unit_prices={"storage": 0.01},
    )
    early = by_dim(price_s3(item, CATALOG, US, HOURS))["early_deletion"]
    # 100 × (30 − 15) / 15 = 100 GB-month × $0.01 = $1
    assert early.monthly_usd == pytest.approx(1.0) and early.override


def test_s3_missing_price_is_reported_not_dropped() -> None:
    item = S3Item(name="m", gb_month=100, put_requests=1_000)
    lines = by_dim(price_s3(item, CATALOG, "eu-west-1", HOURS))
    assert lines["storage"].monthly_usd == pytest.approx(2.3)  # 100 × 0.023
    put = lines["requests_put"]
    assert put.unit_price_usd is None and put.price_missing
    assert put.monthly_usd == 0.0 and put.quantity == 1.0
    assert "not in snapshot" in put.formula


def test_s3_unknown_region() -> None:
    with pytest.raises(UnknownNameError, match="region"):
        price_s3(S3Item(name="x"), CATALOG, "us-east-9", HOURS)


# --- EBS ----------------------------------------------------------------------------------------


def test_ebs_gp3_extra_iops_and_throughput() -> None:
    item = EbsItem(name="scratch", volume_type="gp3", gb=1_000, iops=6_000,
                   throughput_mibps=250, count=2)
    lines = by_dim(price_ebs(item, CATALOG, US, HOURS))
    # storage 1,000 GB × 2 × $0.08 = $160
    assert lines["storage"].quantity == 2_000
    assert lines["storage"].monthly_usd == pytest.approx(160.0)
    # IOPS (6,000 − 3,000 included) × 2 × $0.005 = $30
    assert lines["iops"].quantity == 6_000
    assert lines["iops"].monthly_usd == pytest.approx(30.0)
    assert "3,000 IOPS-month included" in lines["iops"].formula
    # throughput (250 − 125) × 2 × $0.04 = $10
    assert lines["throughput"].monthly_usd == pytest.approx(10.0)
    assert total(list(lines.values())) == pytest.approx(200.0)


def test_ebs_gp3_defaults_add_no_performance_lines() -> None:
    lines = by_dim(price_ebs(EbsItem(name="g", gb=100), CATALOG, US, HOURS))
    assert set(lines) == {"storage"}
    assert lines["storage"].monthly_usd == pytest.approx(8.0)  # 100 × 0.08


def test_ebs_io2_iops_tiers_apply_per_volume() -> None:
    item = EbsItem(name="db", volume_type="io2", gb=500, iops=80_000, count=3)
    lines = by_dim(price_ebs(item, CATALOG, US, HOURS))
    # storage 500 × 3 × $0.125 = $187.50
    assert lines["storage"].monthly_usd == pytest.approx(187.5)
    # per volume 32,000 × 0.065 (2,080) + 32,000 × 0.0455 (1,456) + 16,000 × 0.03185 (509.60)
    # = $4,045.60; × 3 volumes = $12,136.80 (pooling 240,000 IOPS would give $9,141.60)
    assert lines["iops"].monthly_usd == pytest.approx(12_136.8)
    assert lines["iops"].quantity == 240_000
    assert lines["iops"].unit_price_usd == pytest.approx(4_045.6 / 80_000)


def test_ebs_io1_bills_every_provisioned_iops() -> None:
    item = EbsItem(name="io", volume_type="io1", gb=200, iops=10_000)
    lines = by_dim(price_ebs(item, CATALOG, US, HOURS))
    # 200 × $0.125 = $25; 10,000 × $0.065 = $650
    assert lines["storage"].monthly_usd == pytest.approx(25.0)
    assert lines["iops"].monthly_usd == pytest.approx(650.0)


def test_ebs_proration_by_hours_used() -> None:
    half = EbsItem(name="h", volume_type="gp2", gb=1_000, usage_hours_per_month=365)
    # 1,000 GB × $0.10 × 365/730 = $50
    (line,) = price_ebs(half, CATALOG, US, HOURS)
    assert line.monthly_usd == pytest.approx(50.0)
    assert line.quantity == pytest.approx(500.0)
    assert "365/730 h" in line.formula
    gp3 = EbsItem(name="q", gb=100, iops=4_000, count=2, usage_hours_per_month=180)
    lines = by_dim(price_ebs(gp3, CATALOG, US, 720))
    # share 180/720 = 0.25: storage 100 × 2 × 0.25 × 0.08 = $4;
    # IOPS (4,000 − 3,000) × 2 × 0.25 × 0.005 = $2.50
    assert lines["storage"].monthly_usd == pytest.approx(4.0)
    assert lines["iops"].monthly_usd == pytest.approx(2.5)


def test_ebs_snapshot_prices_missing_unless_overridden() -> None:
    item = EbsItem(name="s", gb=100, snapshot_gb=500, snapshot_archive_gb=2_000)
    lines = by_dim(price_ebs(item, CATALOG, US, HOURS))
    for dim, quantity in (("snapshot_storage", 500), ("snapshot_archive_storage", 2_000)):
        line = lines[dim]
        assert line.unit_price_usd is None and line.price_missing
        assert line.monthly_usd == 0.0 and line.quantity == quantity
    assert "90 days" in lines["snapshot_archive_storage"].formula
    priced = EbsItem(name="s", gb=100, snapshot_gb=500, unit_prices={"snapshot_storage": 0.05})
    line = by_dim(price_ebs(priced, CATALOG, US, HOURS))["snapshot_storage"]
    # 500 GB × $0.05 = $25, marked as an override; the volume's storage keeps the snapshot price
    assert line.monthly_usd == pytest.approx(25.0) and line.override
    assert not by_dim(price_ebs(priced, CATALOG, US, HOURS))["storage"].override


def test_ebs_missing_region_prices() -> None:
    lines = price_ebs(EbsItem(name="e", gb=100, iops=6_000), CATALOG, "eu-west-1", HOURS)
    assert [line.dimension for line in lines] == ["storage", "iops"]
    assert all(line.price_missing for line in lines)
    # the missing IOPS line still shows the billable IOPS above the documented 3,000
    assert lines[1].quantity == 3_000


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"volume_type": "gp2", "iops": 3_000}, "iops", "no provisioned IOPS"),
        ({"volume_type": "st1", "throughput_mibps": 200, "gb": 500}, "throughput_mibps", "gp3"),
        ({"volume_type": "st1", "gb": 100}, "gb", "125–16,384 GiB"),
        ({"volume_type": "standard", "gb": 2_000}, "gb", "1–1,024 GiB"),
        ({"volume_type": "gp3", "iops": 90_000}, "iops", "3,000–80,000 IOPS"),
        ({"volume_type": "gp3", "iops": 2_000}, "iops", "3,000–80,000 IOPS"),
        ({"volume_type": "gp3", "throughput_mibps": 100}, "throughput_mibps", "125–2,000 MiB/s"),
        ({"volume_type": "io1", "iops": 70_000}, "iops", "100–64,000 IOPS"),
        ({"volume_type": "io2", "iops": None}, "iops", "100–256,000 IOPS"),
        ({"volume_type": "io2", "gb": 2, "iops": 1_000}, "gb", "4–65,536 GiB"),
    ],
)
def test_ebs_bad_inputs_name_field_and_range(kwargs: dict, field: str, text: str) -> None:
    item = EbsItem(name="bad", **kwargs)
    with pytest.raises(InputError, match=text) as exc:
        price_ebs(item, CATALOG, US, HOURS)
    assert exc.value.field == field
    assert str(exc.value).startswith(f"{field}:")


def test_ebs_usage_hours_above_month() -> None:
    item = EbsItem(name="h", gb=100, usage_hours_per_month=740)
    with pytest.raises(InputError, match="usage_hours_per_month"):
        price_ebs(item, CATALOG, US, 730)


# --- EFS ----------------------------------------------------------------------------------------


def test_efs_standard_storage() -> None:
    (line,) = price_efs(EfsItem(name="shared", gb_month=500), CATALOG, US, HOURS)
    assert line.monthly_usd == pytest.approx(150.0)  # 500 × $0.30
    assert (line.kind, line.resource, line.dimension) == ("efs", "standard", "storage")


def test_efs_ia_rate_depends_on_throughput_mode() -> None:
    elastic = EfsItem(name="e", storage_class="infrequent_access", gb_month=1_000)
    bursting = EfsItem(
        name="b", storage_class="infrequent_access", gb_month=1_000, throughput_mode="bursting"
    )
    (e,) = price_efs(elastic, CATALOG, US, HOURS)
    (b,) = price_efs(bursting, CATALOG, US, HOURS)
    assert (e.dimension, e.monthly_usd) == ("storage_elastic", pytest.approx(16.0))  # × 0.016
    assert (b.dimension, b.monthly_usd) == ("storage", pytest.approx(25.0))  # × 0.025


def test_efs_access_charges_elastic_vs_bursting() -> None:
    common = {"storage_class": "infrequent_access", "gb_month": 1_000, "read_gb": 200,
              "write_gb": 100}
    lines = by_dim(price_efs(EfsItem(name="e", **common), CATALOG, US, HOURS))
    # IA storage 16 + IA reads 200 × 0.01 (2) + IA writes 100 × 0.01 (1)
    # + Elastic reads 200 × 0.03 (6) + Elastic writes 100 × 0.06 (6) = $31
    assert lines["reads"].monthly_usd == pytest.approx(2.0)
    assert lines["writes"].monthly_usd == pytest.approx(1.0)
    assert lines["elastic_reads"].monthly_usd == pytest.approx(6.0)
    assert lines["elastic_reads"].resource == "elastic_throughput"
    assert lines["elastic_writes"].monthly_usd == pytest.approx(6.0)
    assert total(list(lines.values())) == pytest.approx(31.0)
    bursting = by_dim(
        price_efs(EfsItem(name="b", throughput_mode="bursting", **common), CATALOG, US, HOURS)
    )
    # 25 + 2 + 1 = $28, no throughput charges
    assert set(bursting) == {"storage", "reads", "writes"}
    assert total(list(bursting.values())) == pytest.approx(28.0)


def test_efs_one_zone_ia_access_uses_ia_rates() -> None:
    item = EfsItem(
        name="oz", storage_class="one_zone_ia", gb_month=100, read_gb=50,
        throughput_mode="bursting",
    )
    lines = by_dim(price_efs(item, CATALOG, US, HOURS))
    assert lines["storage"].monthly_usd == pytest.approx(1.33)  # 100 × 0.0133
    assert lines["reads"].monthly_usd == pytest.approx(0.5)  # 50 × 0.01 (IA rate)
    assert "infrequent_access rates" in lines["reads"].formula


def test_efs_provisioned_throughput_billed_above_bursting_baseline() -> None:
    # 1,024 GB in Standard earn 1,024 × 50 KiB/s = 50 MiB/s; 100 − 50 = 50 MiB/s × $6 = $300
    item = EfsItem(name="p", gb_month=1_024, throughput_mode="provisioned", provisioned_mibps=100)
    lines = by_dim(price_efs(item, CATALOG, US, HOURS))
    assert lines["throughput"].quantity == pytest.approx(50.0)
    assert lines["throughput"].monthly_usd == pytest.approx(300.0)
    assert lines["storage"].monthly_usd == pytest.approx(307.2)  # 1,024 × 0.30
    # IA data earns no baseline: all 100 MiB/s × $6 = $600
    ia = EfsItem(
        name="i", storage_class="infrequent_access", gb_month=1_024,
        throughput_mode="provisioned", provisioned_mibps=100,
    )
    assert by_dim(price_efs(ia, CATALOG, US, HOURS))["throughput"].monthly_usd == (
        pytest.approx(600.0)
    )
    # 4,096 GB earn 200 MiB/s ≥ 100 provisioned: nothing billed
    big = EfsItem(name="b", gb_month=4_096, throughput_mode="provisioned", provisioned_mibps=100)
    assert by_dim(price_efs(big, CATALOG, US, HOURS))["throughput"].monthly_usd == 0.0


def test_efs_bad_inputs() -> None:
    with pytest.raises(InputError, match=r"throughput_mode.*elastic") as exc:
        price_efs(
            EfsItem(name="a", storage_class="archive", gb_month=1, throughput_mode="bursting"),
            CATALOG, US, HOURS,
        )
    assert exc.value.field == "throughput_mode"
    with pytest.raises(InputError, match="provisioned_mibps"):
        price_efs(EfsItem(name="e", provisioned_mibps=10), CATALOG, US, HOURS)
    with pytest.raises(InputError, match="provisioned_mibps"):
        price_efs(EfsItem(name="p", throughput_mode="provisioned"), CATALOG, US, HOURS)


def test_efs_override() -> None:
    item = EfsItem(name="o", gb_month=100, unit_prices={"storage": 0.2})
    (line,) = price_efs(item, CATALOG, US, HOURS)
    assert line.monthly_usd == pytest.approx(20.0) and line.override


def test_price_storage_dispatches() -> None:
    assert price_storage(EfsItem(name="x", gb_month=1), CATALOG, US, HOURS)[0].kind == "efs"
    assert price_storage(EbsItem(name="x"), CATALOG, US, HOURS)[0].kind == "ebs"
    assert price_storage(S3Item(name="x"), CATALOG, US, HOURS)[0].kind == "s3"


def test_misspelt_override_is_refused() -> None:
    item = S3Item(name="x", gb_month=10, unit_prices={"storgae": 0.01})
    with pytest.raises(InputError, match="unit_prices: 'storgae' is not a price of this item"):
        price_storage(item, CATALOG, US, HOURS)


def test_override_keys_cover_every_line_dimension() -> None:
    items = [
        S3Item(name="a", storage_class="glacier_flexible", gb_month=10, object_count=100,
               put_requests=1, get_requests=1, transition_requests=1, retrieval_gb=1,
               retrieval_requests=1, storage_days=1),
        S3Item(name="b", storage_class="intelligent_tiering", gb_month=10, object_count=1,
               access_tier_fractions={"frequent": 0.5, "archive": 0.5}, retrieval_gb=1),
        EbsItem(name="c", gb=100, iops=4_000, throughput_mibps=200, snapshot_gb=1,
                snapshot_archive_gb=1),
        EfsItem(name="d", storage_class="infrequent_access", read_gb=1, write_gb=1),
        EfsItem(name="e", throughput_mode="provisioned", provisioned_mibps=10),
    ]
    for item in items:
        keys = set(override_keys(item)) | {"early_deletion"}
        dims = {line.dimension for line in price_storage(item, CATALOG, US, HOURS)}
        assert dims <= keys, (item.name, dims - keys)


# --- properties -----------------------------------------------------------------------------------

gb = st.floats(min_value=0, max_value=2e6, allow_nan=False)
requests = st.floats(min_value=0, max_value=1e10, allow_nan=False)
s3_classes = st.sampled_from(
    ["standard", "intelligent_tiering", "standard_ia", "onezone_ia", "glacier_ir",
     "glacier_flexible", "deep_archive"]
)


@settings(max_examples=150, deadline=None)
@given(s3_classes, gb, gb, requests, requests, st.one_of(st.none(), requests))
def test_s3_cost_never_negative_and_monotone_in_gb(
    cls: str, a: float, b: float, puts: float, gets: float, objects: float | None
) -> None:
    low, high = sorted((a, b))

    def cost(g: float, p: float) -> float:
        item = S3Item(name="p", storage_class=cls, gb_month=g, put_requests=p, get_requests=gets,
                      object_count=objects)
        lines = price_s3(item, CATALOG, US, HOURS)
        assert all(line.monthly_usd >= 0 for line in lines)
        return total(lines)

    assert cost(low, puts) <= cost(high, puts) + 1e-9
    assert cost(low, puts) <= cost(low, puts * 2) + 1e-9


@settings(max_examples=150, deadline=None)
@given(gb, gb)
def test_tiered_cost_monotone_and_blended_rate_falls(a: float, b: float) -> None:
    tiers = storage_rates(CATALOG, US, "s3", "standard", "storage")
    low, high = sorted((a, b))
    assert 0 <= tiered_cost(low, tiers) <= tiered_cost(high, tiers) + 1e-9
    if low > 1e-6:  # (tiny subnormal quantities underflow to a cost of 0)
        assert tiered_cost(high, tiers) / high <= tiered_cost(low, tiers) / low + 1e-12


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["gp3", "io1", "io2"]),
    st.floats(min_value=4, max_value=16_384),
    st.floats(min_value=3_000, max_value=64_000),
    st.floats(min_value=3_000, max_value=64_000),
    st.integers(min_value=1, max_value=20),
)
def test_ebs_cost_never_negative_and_monotone_in_iops(
    vt: str, size: float, i1: float, i2: float, count: int
) -> None:
    low, high = sorted((i1, i2))

    def cost(iops: float) -> float:
        lines = price_ebs(
            EbsItem(name="v", volume_type=vt, gb=size, iops=iops, count=count), CATALOG, US, HOURS
        )
        assert all(line.monthly_usd >= 0 for line in lines)
        return total(lines)

    assert cost(low) <= cost(high) + 1e-9
