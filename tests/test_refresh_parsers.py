"""Normalisation of AWS payloads into snapshot rows, checked against hand-worked figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.stub import Stubber

from planner.billing import reserved_effective_hourly
from planner.errors import RefreshError
from planner.refresh.bulk_csv import parse_ec2_csv
from planner.refresh.products import (
    compute_filters,
    fetch_compute_rates,
    get_products_params,
    rates_from_items,
)
from planner.refresh.records import PayloadError, ReservedTerm, reserved_row, reserved_term
from planner.refresh.savings_plans import fetch_savings_plan_rates, offering_rate_params
from planner.refresh.spot import SpotRecord, fetch_spot, history_params, summarise
from planner.refresh.storage import rows_from_items
from tests.refresh_payloads import (
    BULK_HEADER,
    bulk_csv_lines,
    bulk_instance_rows,
    ec2_item,
    fake_client,
    sp_result,
    spot_record,
    storage_item,
)

SRC = "test source"
M5_RESERVED = {
    ("1yr", "standard", "No Upfront"): ("0", "0.0600"),
    ("1yr", "standard", "Partial Upfront"): ("262.8", "0.0300"),
    ("1yr", "standard", "All Upfront"): ("525.6", "0.0000"),
    ("3yr", "convertible", "Partial Upfront"): ("2750", "0.1046300000"),
}


def by_option(rows):
    return {
        (r["purchase_option"], r["term_years"], r["offering_class"], r["payment_option"]): r for r in rows
    }


def test_get_products_item_gives_on_demand_and_every_reserved_term():
    fetched = rates_from_items(
        [ec2_item("m5.large", "us-east-1", "0.0960000000", M5_RESERVED)], "us-east-1", ("m5",), SRC
    )
    rows = by_option(fetched.rows)
    assert len(rows) == 5
    od = rows[("on_demand", "0", "", "")]
    assert (od["hourly_usd"], od["effective_hourly_usd"], od["upfront_usd"]) == ("0.096", "0.096", "0")
    assert od["as_of"] == "2026-11-20" and od["source"] == SRC
    # No Upfront 1y: no fee; effective = hourly = 0.06
    nu = rows[("reserved", "1", "standard", "no_upfront")]
    assert (nu["upfront_usd"], nu["hourly_usd"], nu["effective_hourly_usd"]) == ("0", "0.06", "0.06")
    # Partial 1y: (262.8 + 0.03 × 8,760) / 8,760 = (262.8 + 262.8) / 8,760 = 0.06
    pu = rows[("reserved", "1", "standard", "partial_upfront")]
    assert (pu["upfront_usd"], pu["hourly_usd"], pu["effective_hourly_usd"]) == ("262.8", "0.03", "0.06")
    # All Upfront 1y: 525.6 / 8,760 = 0.06
    au = rows[("reserved", "1", "standard", "all_upfront")]
    assert (au["upfront_usd"], au["hourly_usd"], au["effective_hourly_usd"]) == ("525.6", "0", "0.06")
    # Convertible Partial 3y: (2,750 + 0.10463 × 26,280) / 26,280 = (2,750 + 2,749.6764) / 26,280
    #   = 5,499.6764 / 26,280 = 0.209272313546…
    cp = rows[("reserved", "3", "convertible", "partial_upfront")]
    assert cp["upfront_usd"] == "2750" and cp["hourly_usd"] == "0.10463"
    assert float(cp["effective_hourly_usd"]) == pytest.approx(0.209272313546, abs=1e-10)


def test_other_families_and_regions_are_ignored():
    items = [
        ec2_item("m5.large", "us-east-1", "0.096"),
        ec2_item("c5.large", "us-east-1", "0.085"),
        ec2_item("m5.xlarge", "us-west-2", "0.192"),
    ]
    fetched = rates_from_items(items, "us-east-1", ("m5",), SRC)
    assert [(r["instance_type"], r["hourly_usd"]) for r in fetched.rows] == [("m5.large", "0.096")]


def test_a_type_priced_two_ways_is_left_out_and_reported():
    items = [
        ec2_item("m5.large", "us-east-1", "0.096", sku="AAAAAAAAAAAAAAAA"),
        ec2_item("m5.large", "us-east-1", "0.100", sku="BBBBBBBBBBBBBBBB"),
    ]
    fetched = rates_from_items(items, "us-east-1", (), SRC)
    assert fetched.rows == []
    assert "two different prices" in fetched.warnings[0]


@pytest.mark.parametrize("raw", ["{not json", '{"terms": {}}', ec2_item("m5.large", "us-east-1", "-1")])
def test_malformed_items_raise_payload_error(raw):
    with pytest.raises(PayloadError):
        rates_from_items([raw], "us-east-1", (), SRC)


def test_get_products_follows_next_token_over_three_pages():
    pricing = fake_client("pricing")
    params = get_products_params("AmazonEC2", compute_filters("eu-west-1"))
    pages = [
        [ec2_item("m5.large", "eu-west-1", "0.107")],
        [ec2_item("m5.xlarge", "eu-west-1", "0.214")],
        [ec2_item("m5.2xlarge", "eu-west-1", "0.428")],
    ]
    with Stubber(pricing) as stub:
        stub.add_response(
            "get_products", {"FormatVersion": "aws_v1", "PriceList": pages[0], "NextToken": "t1"}, params
        )
        stub.add_response(
            "get_products",
            {"FormatVersion": "aws_v1", "PriceList": pages[1], "NextToken": "t2"},
            {**params, "NextToken": "t1"},
        )
        stub.add_response(
            "get_products", {"FormatVersion": "aws_v1", "PriceList": pages[2]}, {**params, "NextToken": "t2"}
        )
        fetched = fetch_compute_rates(pricing, "eu-west-1", ("m5",), today="2026-11-23", sleep=lambda s: None)
        stub.assert_no_pending_responses()
    assert sorted((r["instance_type"], r["hourly_usd"]) for r in fetched.rows) == [
        ("m5.2xlarge", "0.428"),
        ("m5.large", "0.107"),
        ("m5.xlarge", "0.214"),
    ]
    assert {r["source"] for r in fetched.rows} == {"AWS Price List API GetProducts (AmazonEC2) 2026-11-23"}


def test_throttling_is_retried_then_succeeds():
    pricing = fake_client("pricing")
    params = get_products_params("AmazonEC2", compute_filters("us-east-1"))
    pauses: list[float] = []
    with Stubber(pricing) as stub:
        stub.add_client_error("get_products", "ThrottlingException", http_status_code=400)
        stub.add_client_error("get_products", "ThrottlingException", http_status_code=400)
        stub.add_response("get_products", {"PriceList": [ec2_item("m5.large", "us-east-1", "0.096")]}, params)
        fetched = fetch_compute_rates(pricing, "us-east-1", ("m5",), today="2026-11-23", sleep=pauses.append)
    assert len(fetched.rows) == 1
    # back-off doubles: 0.5 s then 1 s, each with up to +50 % jitter
    assert len(pauses) == 2 and 0.5 <= pauses[0] <= 0.75 and 1.0 <= pauses[1] <= 1.5


# --- spot ---------------------------------------------------------------------------------------

T0 = datetime(2026, 11, 16, tzinfo=UTC)
T_END = T0 + timedelta(days=4)


def test_spot_summary_time_weighted_hand_worked():
    records = [
        # AZ a: 0.30 in effect from before the window to day 1, then 0.50 to the end.
        SpotRecord("us-east-1a", "m5.large", 0.30, T0 - timedelta(days=2)),
        SpotRecord("us-east-1a", "m5.large", 0.50, T0 + timedelta(days=1)),
        # AZ b: 0.20 over the whole window; an older price before it has no weight.
        SpotRecord("us-east-1b", "m5.large", 0.90, T0 - timedelta(days=5)),
        SpotRecord("us-east-1b", "m5.large", 0.20, T0 - timedelta(days=1)),
    ]
    s = summarise(records, T0, T_END)["m5.large"]
    # a: (0.30 × 1 d + 0.50 × 3 d) / 4 d = 1.8 / 4 = 0.45; b: 0.20 → mean (0.45 + 0.20) / 2 = 0.325
    assert s.mean_usd_per_hour == pytest.approx(0.325)
    # latest: (0.50 + 0.20) / 2 = 0.35; min 0.20, max 0.50 (0.90 was never in effect in the window)
    assert s.latest_usd_per_hour == pytest.approx(0.35)
    assert (s.min_usd_per_hour, s.max_usd_per_hour, s.availability_zones) == (0.20, 0.50, 2)


def test_spot_history_pages_into_rows():
    ec2 = fake_client("ec2")
    params = history_params(T0, T_END, ("m5",))
    with Stubber(ec2) as stub:
        stub.add_response(
            "describe_spot_price_history",
            {
                "SpotPriceHistory": [
                    spot_record("us-east-1a", "m5.large", "0.040000", T0 + timedelta(days=2)),
                ],
                "NextToken": "n1",
            },
            params,
        )
        stub.add_response(
            "describe_spot_price_history",
            {
                "SpotPriceHistory": [
                    spot_record("us-east-1a", "m5.large", "0.030000", T0 - timedelta(days=1)),
                    spot_record("us-east-1b", "m5.large", "0.036000", T0 - timedelta(hours=1)),
                ],
                "NextToken": "",
            },
            {**params, "NextToken": "n1"},
        )
        rates, samples = fetch_spot(ec2, "us-east-1", ("m5",), days=4, now=T_END, sleep=lambda s: None)
    # latest: a 0.04, b 0.036 → 0.038; mean: a (0.03 × 2 + 0.04 × 2) / 4 = 0.035, b 0.036 → 0.0355
    assert rates.rows[0]["hourly_usd"] == "0.038" and rates.rows[0]["as_of"] == "2026-11-20"
    sample = samples.rows[0]
    assert (
        sample["spot_min_usd_per_hour"],
        sample["spot_max_usd_per_hour"],
        sample["spot_mean_usd_per_hour"],
        sample["availability_zones"],
    ) == ("0.03", "0.04", "0.0355", "2")


# --- savings plans ------------------------------------------------------------------------------


def test_savings_plan_rates_follow_next_token_and_normalise():
    sp = fake_client("savingsplans")
    params = offering_rate_params("us-east-1", ("m5",))
    page1 = [
        sp_result("m5.large", "us-east-1", "Compute", "No Upfront", 1, "0.0670"),
        sp_result("m5.large", "us-east-1", "EC2Instance", "All Upfront", 3, "0.0400"),
        # not on-demand instance usage: ignored
        sp_result("m5.large", "us-east-1", "Compute", "No Upfront", 1, "0.9", usage_prefix="Dedicated"),
    ]
    page2 = [sp_result("m5.xlarge", "us-east-1", "Compute", "Partial Upfront", 3, "0.1000")]
    with Stubber(sp) as stub:
        stub.add_response(
            "describe_savings_plans_offering_rates", {"searchResults": page1, "nextToken": "s1"}, params
        )
        stub.add_response(
            "describe_savings_plans_offering_rates", {"searchResults": page2}, {**params, "nextToken": "s1"}
        )
        fetched = fetch_savings_plan_rates(sp, "us-east-1", ("m5",), today="2026-11-23", sleep=lambda s: None)
    got = {
        (r["instance_type"], r["plan_type"], r["term_years"], r["payment_option"]): (
            r["upfront_usd"],
            r["hourly_usd"],
            r["effective_hourly_usd"],
        )
        for r in fetched.rows
    }
    assert got == {
        ("m5.large", "compute", "1", "no_upfront"): ("0", "0.067", "0.067"),
        ("m5.large", "ec2_instance", "3", "all_upfront"): ("0", "0.04", "0.04"),
        ("m5.xlarge", "compute", "3", "partial_upfront"): ("0", "0.1", "0.1"),
    }
    assert all(r["purchase_option"] == "savings_plan" and r["as_of"] == "2026-11-23" for r in fetched.rows)


# --- storage ------------------------------------------------------------------------------------


def test_storage_tiers_units_and_bands():
    s3 = [
        storage_item(
            "AmazonS3",
            "TimedStorage-ByteHrs",
            "GB-Mo",
            [("0", "51200", "0.023"), ("51200", "512000", "0.022"), ("512000", "Inf", "0.021")],
        ),
        storage_item("AmazonS3", "Requests-Tier1", "Requests", [("0", "Inf", "0.000005")]),
        storage_item("AmazonS3", "Monitoring-Automation-INT", "Objects", [("0", "Inf", "0.0000025")]),
        storage_item(
            "AmazonS3", "Requests-Tier4", "Requests", [("0", "Inf", "0.00001")], operation="S3-SIATransition"
        ),
        storage_item("AmazonS3", "DataTransfer-Out-Bytes", "GB", [("0", "Inf", "0.09")]),
    ]
    rows, unmapped = rows_from_items(s3, "us-east-1", "s3", "AmazonS3", SRC)
    got = {
        (r["storage_class"], r["dimension"], r["tier_begin"]): (r["unit"], r["tier_end"], r["price_usd"])
        for r in rows
    }
    assert got[("standard", "storage", "51200")] == ("GB-month", "512000", "0.022")
    assert got[("standard", "storage", "512000")] == ("GB-month", "inf", "0.021")
    # 0.000005 per request × 1,000 = 0.005 per 1,000 requests
    assert got[("standard", "requests_put", "0")] == ("1,000 requests", "inf", "0.005")
    # 0.0000025 per object × 1,000 = 0.0025 per 1,000 objects-month
    assert got[("intelligent_tiering", "monitoring", "0")] == ("1,000 objects-month", "inf", "0.0025")
    assert got[("standard_ia", "transition_requests", "0")] == ("1,000 requests", "inf", "0.01")
    assert unmapped == ["DataTransfer-Out-Bytes"]
    ebs = [
        storage_item(
            "AmazonEC2",
            "USE2-EBS:VolumeP-Throughput.gp3",
            "GiBps-mo",
            [("0", "Inf", "40.96")],
            region="us-east-2",
            family="Provisioned Throughput",
        ),
        storage_item(
            "AmazonEC2",
            "USE2-EBS:VolumeP-IOPS.io2.tier2",
            "IOPS-Mo",
            [("0", "Inf", "0.0455")],
            region="us-east-2",
            family="System Operation",
        ),
    ]
    rows, _ = rows_from_items(ebs, "us-east-2", "ebs", "AmazonEC2", SRC)
    got = {
        (r["storage_class"], r["dimension"]): (r["unit"], r["tier_begin"], r["tier_end"], r["price_usd"])
        for r in rows
    }
    # 40.96 USD per GiBps-month / 1,024 = 0.04 USD per MiBps-month, billed above 125 MiB/s
    assert got[("gp3", "throughput")] == ("MiBps-month", "125", "inf", "0.04")
    assert got[("io2", "iops")] == ("IOPS-month", "32000", "64000", "0.0455")


# --- bulk CSV -----------------------------------------------------------------------------------


def test_bulk_csv_keeps_only_linux_shared_used_and_matches_hand_figures():
    rows = (
        bulk_instance_rows("m5.large", "us-east-1", "0.0960000000", M5_RESERVED, sku="S1")
        + bulk_instance_rows("m5.large", "us-east-1", "0.188", {}, sku="S2", os_name="Windows")
        + bulk_instance_rows("m5.large", "us-east-1", "0.5", {}, sku="S3", tenancy="Dedicated")
        + bulk_instance_rows(
            "m5.large", "us-east-1", "0.096", {}, sku="S4", capacity="UnusedCapacityReservation"
        )
        + bulk_instance_rows("c5.large", "us-east-1", "0.085", {}, sku="S5")
    )
    parsed = parse_ec2_csv(bulk_csv_lines(rows), "us-east-1", ("m5",), source=SRC)
    assert parsed.metadata["Version"] == "20261120182201" and parsed.publication_date == "2026-11-20"
    assert parsed.rows_read == len(rows)
    got = by_option(parsed.fetched.rows)
    assert len(got) == 5
    assert got[("on_demand", "0", "", "")]["hourly_usd"] == "0.096"
    # same hand figures as the GetProducts test: partial 1y (262.8 + 0.03 × 8,760) / 8,760 = 0.06
    assert got[("reserved", "1", "standard", "partial_upfront")]["effective_hourly_usd"] == "0.06"
    assert got[("reserved", "1", "standard", "all_upfront")]["upfront_usd"] == "525.6"
    assert all(r["as_of"] == "2026-11-20" for r in parsed.fetched.rows)


def test_bulk_csv_reads_columns_by_name_not_position():
    rows = bulk_instance_rows("m5.large", "us-east-1", "0.096", {}, sku="S1")
    order = list(reversed(range(len(BULK_HEADER))))
    lines = list(bulk_csv_lines(rows))
    import csv as _csv

    shuffled = []
    for line in lines[5:]:
        cells = next(_csv.reader([line]))
        shuffled.append(",".join(f'"{cells[i]}"' for i in order) + "\n")
    parsed = parse_ec2_csv(lines[:5] + shuffled, "us-east-1", (), source=SRC)
    assert [r["hourly_usd"] for r in parsed.fetched.rows] == ["0.096"]


def test_bulk_csv_cut_short_is_an_error():
    lines = list(bulk_csv_lines(bulk_instance_rows("m5.large", "us-east-1", "0.096", M5_RESERVED, sku="S1")))
    lines[-1] = lines[-1][: len(lines[-1]) // 3]  # a row cut mid-way
    with pytest.raises(RefreshError, match="cut short"):
        parse_ec2_csv(lines, "us-east-1", (), source=SRC)
    with pytest.raises(PayloadError, match="header"):
        parse_ec2_csv(list(bulk_csv_lines([]))[:5], "us-east-1", (), source=SRC)


def test_reserved_row_effective_rate_is_the_hand_worked_figure():
    # Partial Upfront 1y: upfront $262.80, $0.03/h → (262.8 + 0.03 × 8,760) / 8,760
    # = (262.8 + 262.8) / 8,760 = 525.6 / 8,760 = $0.06/h
    term = reserved_term("1yr", "standard", "Partial Upfront")
    assert term == ReservedTerm(1, "standard", "partial_upfront")
    row = reserved_row("us-east-1", "m5.large", term, upfront_usd=262.8, hourly_usd=0.03,
                       as_of="2026-11-20", source=SRC)
    assert (row["upfront_usd"], row["hourly_usd"], row["effective_hourly_usd"]) == (
        "262.8", "0.03", "0.06"
    )
    # All Upfront 3y: $1,576.80 / 26,280 h = $0.06/h
    assert reserved_effective_hourly(1576.8, 0.0, 3) == pytest.approx(0.06)
    # a legacy utilisation-based offer is not a term the snapshot carries
    assert reserved_term("1yr", "standard", "Heavy Utilization") is None
