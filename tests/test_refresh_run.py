"""End-to-end refresh on a copy of the snapshot with stubbed AWS clients (offline).

Every failure must leave the snapshot byte-for-byte unchanged (sha256 of every file compared).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import botocore.exceptions as bex
import pytest
from botocore.stub import Stubber

from planner.catalog import load_catalog
from planner.errors import RefreshError
from planner.refresh import swap
from planner.refresh.client import AwsClients
from planner.refresh.products import compute_filters, get_products_params
from planner.refresh.run import (
    PriceSource,
    RefreshOptions,
    RefreshTable,
    credentials_available,
    refresh,
    rollback,
)
from planner.refresh.savings_plans import offering_rate_params
from planner.refresh.spot import history_params
from planner.refresh.storage import QUERIES
from tests.refresh_payloads import (
    bulk_csv_lines,
    bulk_instance_rows,
    ec2_item,
    fake_client,
    sp_result,
    spot_record,
    storage_item,
)

REPO_DATA = Path(__file__).resolve().parents[1] / "pricing_data"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
RESERVED = {
    ("1yr", "standard", "Partial Upfront"): ("262.8", "0.0300"),
    ("3yr", "standard", "All Upfront"): ("1576.8", "0.0000"),
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "snap" / "pricing_data"
    shutil.copytree(REPO_DATA, target)
    return target


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def rows_of(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def no_pause(_seconds: float) -> None:
    return None


class Aws:
    """Stubbed clients with helpers to queue realistic responses."""

    def __init__(self, regions=("us-east-1",)) -> None:
        self.pricing = fake_client("pricing")
        self.sp = fake_client("savingsplans")
        self.ec2 = {r: fake_client("ec2", r) for r in regions}
        self.stubs = [Stubber(self.pricing), Stubber(self.sp)] + [Stubber(c) for c in self.ec2.values()]
        self.p, self.s = self.stubs[0], self.stubs[1]
        self.e = dict(zip(self.ec2, self.stubs[2:], strict=True))

    def clients(self) -> AwsClients:
        for stub in self.stubs:
            stub.activate()
        return AwsClients(
            pricing=self.pricing, savingsplans=self.sp, ec2_factory=lambda region: self.ec2[region]
        )

    def compute(self, region: str, items: list[str], *, token: str | None = None) -> None:
        params = get_products_params("AmazonEC2", compute_filters(region))
        response = {"FormatVersion": "aws_v1", "PriceList": items}
        if token:
            response["NextToken"] = token
        self.p.add_response("get_products", response, params)

    def storage(self, region: str) -> None:
        for _service, code, _family in QUERIES:
            items: list[str] = []
            if code == "AmazonS3":
                items = [
                    storage_item(
                        "AmazonS3",
                        "TimedStorage-ByteHrs",
                        "GB-Mo",
                        [("0", "51200", "0.025"), ("51200", "512000", "0.024"), ("512000", "Inf", "0.023")],
                        region=region,
                    )
                ]
            elif code == "AmazonEFS":
                items = [
                    storage_item(
                        "AmazonEFS", "TimedStorage-ByteHrs", "GB-Mo", [("0", "Inf", "0.33")], region=region
                    )
                ]
            elif _family == "Storage":
                items = [
                    storage_item(
                        "AmazonEC2", "EBS:VolumeUsage.gp3", "GB-Mo", [("0", "Inf", "0.088")], region=region
                    )
                ]
            self.p.add_response("get_products", {"PriceList": items}, None)

    def spot(self, region: str, days: int = 7) -> None:
        start = NOW - timedelta(days=days)
        self.e[region].add_response(
            "describe_spot_price_history",
            {
                "SpotPriceHistory": [
                    spot_record(f"{region}a", "m5.large", "0.040000", start - timedelta(hours=1)),
                    spot_record(f"{region}b", "m5.large", "0.044000", start + timedelta(days=1)),
                ]
            },
            history_params(start, NOW, ("m5",)),
        )

    def savings_plans(self, region: str) -> None:
        self.s.add_response(
            "describe_savings_plans_offering_rates",
            {
                "searchResults": [
                    sp_result("m5.large", region, "Compute", "No Upfront", 1, "0.0670"),
                    sp_result("m5.large", region, "EC2Instance", "All Upfront", 3, "0.0400"),
                ]
            },
            offering_rate_params(region, ("m5",)),
        )


def options(**kw) -> RefreshOptions:
    base = {"regions": ("us-east-1",), "families": ("m5",)}
    base.update(kw)
    return RefreshOptions(**base)


def test_full_refresh_of_one_region_merges_and_records_the_manifest(data_dir: Path):
    before = digests(data_dir)
    old_rates = rows_of(data_dir, "compute_rates.csv")
    aws = Aws()
    aws.compute(
        "us-east-1",
        [
            ec2_item("m5.large", "us-east-1", "0.1000000000", RESERVED),
            ec2_item("m5.99xlarge", "us-east-1", "9.9"),  # not in instance_specs: left out
        ],
    )
    aws.storage("us-east-1")
    aws.spot("us-east-1")
    aws.savings_plans("us-east-1")
    seen: list[tuple[float, str]] = []
    report = refresh(
        options(), data_dir, lambda f, m: seen.append((f, m)), clients=aws.clients(), now=NOW, sleep=no_pause
    )
    for stub in aws.stubs:
        stub.assert_no_pending_responses()

    rates = rows_of(data_dir, "compute_rates.csv")
    m5 = {
        (r["purchase_option"], r["term_years"], r["payment_option"], r["plan_type"]): r
        for r in rates
        if r["region"] == "us-east-1" and r["instance_type"] == "m5.large"
    }
    assert m5[("on_demand", "0", "", "")]["hourly_usd"] == "0.1"
    # 1y partial: (262.8 + 0.03 × 8,760) / 8,760 = 525.6 / 8,760 = 0.06
    assert m5[("reserved", "1", "partial_upfront", "")]["effective_hourly_usd"] == "0.06"
    # 3y all upfront: 1,576.8 / 26,280 = 0.06
    assert m5[("reserved", "3", "all_upfront", "")]["effective_hourly_usd"] == "0.06"
    assert m5[("savings_plan", "1", "no_upfront", "compute")]["hourly_usd"] == "0.067"
    assert m5[("savings_plan", "3", "all_upfront", "ec2_instance")]["hourly_usd"] == "0.04"
    # spot latest: (0.040 + 0.044) / 2 = 0.042
    assert m5[("spot", "0", "", "")]["hourly_usd"] == "0.042"
    assert m5[("on_demand", "0", "", "")]["source"] == (
        "AWS Price List API GetProducts (AmazonEC2) 2026-11-23"
    )
    assert m5[("on_demand", "0", "", "")]["as_of"] == "2026-11-20"

    # Outside the scope (other regions; other families in us-east-1): byte-identical rows.
    def untouched(r):
        return r["region"] != "us-east-1" or not r["instance_type"].startswith("m5.")

    assert [r for r in rates if untouched(r)] == [r for r in old_rates if untouched(r)]
    # In scope but absent from the payload (other m5 sizes): removed and reported.
    assert not any(r["instance_type"] == "m5.xlarge" and r["region"] == "us-east-1" for r in rates)
    assert any("no counterpart" in w for w in report.warnings)
    assert report.skipped_instance_types == ("m5.99xlarge",)
    assert report.rows["compute_rates"] == 1 + 2 + 2 + 1  # on-demand, 2 reserved, 2 plans, spot

    samples = {
        r["instance_type"]: r
        for r in rows_of(data_dir, "spot_price_samples.csv")
        if r["region"] == "us-east-1"
    }
    # a: 0.040 in effect all 7 days → 0.040; b: one record from day 1 → 0.044 (time before its
    # first record does not count)
    # mean over AZs: (0.040 + 0.044) / 2 = 0.042; min 0.04, max 0.044
    assert (
        samples["m5.large"]["spot_mean_usd_per_hour"],
        samples["m5.large"]["spot_min_usd_per_hour"],
        samples["m5.large"]["spot_max_usd_per_hour"],
    ) == ("0.042", "0.04", "0.044")
    storage = {
        (r["service"], r["storage_class"], r["dimension"], r["tier_begin"]): r["price_usd"]
        for r in rows_of(data_dir, "storage_rates.csv")
        if r["region"] == "us-east-1"
    }
    assert storage[("s3", "standard", "storage", "51200")] == "0.024"
    assert storage[("efs", "standard", "storage", "0")] == "0.33"
    assert storage[("ebs", "gp3", "storage", "0")] == "0.088"

    after = digests(data_dir)
    for name in ("instance_specs.csv", "accelerators.csv", "spot_advisor.csv"):
        assert after[name] == before[name]
    manifest = json.loads((data_dir / "manifest.json").read_text())
    tables = manifest["tables"]
    assert tables["compute_rates"]["origin"] == "refresh"
    assert tables["compute_rates"]["refreshed_regions"] == ["us-east-1"]
    assert tables["compute_rates"]["as_of"] == "2026-11-23"
    assert tables["spot_advisor"]["origin"] == "embedded"
    assert "AWS Price List API GetProducts (AmazonEC2) 2026-11-23" in manifest["sources"]
    load_catalog(data_dir)  # the installed snapshot passes the loader
    assert digests(report.backup_dir) == before
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert "us-east-1: spot price history" in [m for _, m in seen]


def test_partial_refresh_of_storage_merges_with_the_rest(data_dir: Path):
    before = digests(data_dir)
    old = rows_of(data_dir, "storage_rates.csv")
    aws = Aws(regions=("eu-west-1",))
    aws.storage("eu-west-1")
    report = refresh(
        options(regions=("eu-west-1",), tables=(RefreshTable.STORAGE,)),
        data_dir,
        clients=aws.clients(),
        now=NOW,
        sleep=no_pause,
    )
    after = digests(data_dir)
    changed = {name for name in before if before[name] != after[name]}
    # the refreshed table, its columnar copy and the manifest; every other file stays as it was
    assert changed == {"storage_rates.csv", "storage_rates.arrow", "manifest.json"}
    entry = json.loads((data_dir / "manifest.json").read_text())["tables"]["storage_rates"]
    assert entry["columnar"]["csv_sha256"] == entry["sha256"]  # the new copy is of the new CSV
    new = rows_of(data_dir, "storage_rates.csv")
    assert [r for r in new if r["region"] != "eu-west-1"] == [r for r in old if r["region"] != "eu-west-1"]
    # Replaced per (region, service, class, dimension) the refresh returned: S3 Standard storage
    # (3 tiers), EFS Standard storage, EBS gp3 storage. Every other eu-west-1 row stays as it was.
    group = lambda r: (r["service"], r["storage_class"], r["dimension"])  # noqa: E731
    refreshed = {("s3", "standard", "storage"), ("efs", "standard", "storage"),
                 ("ebs", "gp3", "storage")}
    west_new = [r for r in new if r["region"] == "eu-west-1"]
    west_old = [r for r in old if r["region"] == "eu-west-1"]
    assert sorted((r["service"], r["price_usd"]) for r in west_new if group(r) in refreshed) == [
        ("ebs", "0.088"),
        ("efs", "0.33"),
        ("s3", "0.023"),
        ("s3", "0.024"),
        ("s3", "0.025"),
    ]
    assert [r for r in west_new if group(r) not in refreshed] == [
        r for r in west_old if group(r) not in refreshed
    ]
    assert any(group(r) == ("efs", "elastic_throughput", "reads") for r in west_new)
    assert report.replaced_rows["storage_rates"] == sum(group(r) in refreshed for r in west_old)
    manifest = json.loads((data_dir / "manifest.json").read_text())
    assert manifest["tables"]["storage_rates"]["origin"] == "refresh"
    assert manifest["tables"]["compute_rates"]["origin"] == "embedded"
    assert manifest["last_refresh"]["tables"] == ["storage"]


def test_rollback_restores_the_previous_snapshot_and_can_be_undone(data_dir: Path):
    original = digests(data_dir)
    aws = Aws()
    aws.storage("us-east-1")
    refresh(options(tables=(RefreshTable.STORAGE,)), data_dir, clients=aws.clients(), now=NOW, sleep=no_pause)
    refreshed = digests(data_dir)
    assert refreshed != original
    rollback(data_dir)
    assert digests(data_dir) == original
    rollback(data_dir)
    assert digests(data_dir) == refreshed


def test_rollback_without_backup_says_so(data_dir: Path):
    with pytest.raises(RefreshError, match="no backup snapshot"):
        rollback(data_dir)


# --- failures leave the snapshot unchanged ------------------------------------------------------


def assert_unchanged(data_dir: Path, before: dict[str, str]) -> None:
    assert digests(data_dir) == before
    leftovers = [p.name for p in data_dir.parent.iterdir() if p.name != data_dir.name]
    assert leftovers == []  # no staging folder, no backup


def test_no_credentials(data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    for var in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    before = digests(data_dir)
    assert credentials_available() is False
    with pytest.raises(RefreshError, match="no AWS credentials found") as err:
        refresh(options(), data_dir, now=NOW)
    assert "pricing:GetProducts" in str(err.value) and "\n" not in str(err.value)
    assert_unchanged(data_dir, before)
    with pytest.raises(RefreshError, match="profile 'nope'"):
        refresh(options(profile="nope"), data_dir, now=NOW)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
    assert credentials_available() is True


def test_access_denied(data_dir: Path):
    before = digests(data_dir)
    aws = Aws()
    aws.p.add_client_error(
        "get_products", "AccessDeniedException", "User is not authorized", http_status_code=400
    )
    with pytest.raises(RefreshError) as err:
        refresh(options(), data_dir, clients=aws.clients(), now=NOW, sleep=no_pause)
    message = str(err.value)
    assert "AWS denied pricing:GetProducts" in message and "ec2:DescribeSpotPriceHistory" in message
    assert_unchanged(data_dir, before)


def test_throttling_after_retries(data_dir: Path):
    before = digests(data_dir)
    aws = Aws()
    for _ in range(5):
        aws.p.add_client_error("get_products", "ThrottlingException", http_status_code=400)
    with pytest.raises(RefreshError, match="throttled pricing:GetProducts .* after 5 tries"):
        refresh(options(), data_dir, clients=aws.clients(), now=NOW, sleep=no_pause)
    aws.p.assert_no_pending_responses()
    assert_unchanged(data_dir, before)


def test_invalid_payload(data_dir: Path):
    before = digests(data_dir)
    aws = Aws()
    aws.compute("us-east-1", ['{"product": {"attributes": {"instanceType": "m5.large"'])
    with pytest.raises(RefreshError, match="not valid JSON"):
        refresh(options(), data_dir, clients=aws.clients(), now=NOW, sleep=no_pause)
    assert_unchanged(data_dir, before)


def test_connection_dropped_mid_pagination(data_dir: Path):
    before = digests(data_dir)
    aws = Aws()
    aws.compute("us-east-1", [ec2_item("m5.large", "us-east-1", "0.1")], token="page2")
    calls = {"n": 0}

    class DropsSecondPage:
        """The stubbed client, but every try of page 2 fails like a reset connection."""

        def __init__(self, client):
            self.client = client

        def get_products(self, **params):
            calls["n"] += 1
            if "NextToken" in params:
                raise bex.ConnectionClosedError(endpoint_url="https://api.pricing.us-east-1.amazonaws.com")
            return self.client.get_products(**params)

    clients = aws.clients()
    clients.pricing = DropsSecondPage(clients.pricing)
    with pytest.raises(RefreshError, match=r"connection dropped .* \(page 2\)"):
        refresh(options(), data_dir, clients=clients, now=NOW, sleep=no_pause)
    assert calls["n"] == 1 + 5
    assert_unchanged(data_dir, before)


def test_failure_in_a_late_step_still_changes_nothing(data_dir: Path):
    before = digests(data_dir)
    aws = Aws()
    aws.compute("us-east-1", [ec2_item("m5.large", "us-east-1", "0.1", RESERVED)])
    aws.storage("us-east-1")
    aws.e["us-east-1"].add_client_error(
        "describe_spot_price_history", "UnauthorizedOperation", http_status_code=403
    )
    with pytest.raises(RefreshError, match="AWS denied ec2:DescribeSpotPriceHistory"):
        refresh(options(), data_dir, clients=aws.clients(), now=NOW, sleep=no_pause)
    assert_unchanged(data_dir, before)


class DroppingStream(io.RawIOBase):
    """A download that breaks after ``limit`` bytes, like a reset connection."""

    def __init__(self, data: bytes, limit: int) -> None:
        self.data, self.limit, self.pos = data, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.pos >= self.limit:
            raise ConnectionResetError(104, "Connection reset by peer")
        chunk = self.data[self.pos : min(self.pos + len(buffer), self.limit)]
        buffer[: len(chunk)] = chunk
        self.pos += len(chunk)
        return len(chunk)


def bulk_file() -> bytes:
    rows = bulk_instance_rows("m5.large", "us-east-1", "0.1000000000", RESERVED, sku="S1")
    return "".join(bulk_csv_lines(rows)).encode()


def queue_bulk(aws: Aws) -> None:
    arn = "arn:aws:pricing:::price-list/aws/AmazonEC2/USD/20261120182201/us-east-1"
    aws.p.add_response(
        "list_price_lists",
        {
            "PriceLists": [
                {
                    "PriceListArn": arn,
                    "RegionCode": "us-east-1",
                    "CurrencyCode": "USD",
                    "FileFormats": ["json", "csv"],
                }
            ]
        },
        {
            "ServiceCode": "AmazonEC2",
            "EffectiveDate": NOW,
            "CurrencyCode": "USD",
            "RegionCode": "us-east-1",
            "MaxResults": 100,
        },
    )
    aws.p.add_response(
        "get_price_list_file_url",
        {"Url": "https://pricing.example/index.csv"},
        {"PriceListArn": arn, "FileFormat": "csv"},
    )


def test_bulk_source_refresh(data_dir: Path):
    aws = Aws()
    queue_bulk(aws)
    data = bulk_file()
    refresh(
        options(tables=(RefreshTable.COMPUTE,), source=PriceSource.BULK),
        data_dir,
        clients=aws.clients(),
        opener=lambda url: io.BufferedReader(DroppingStream(data, len(data) + 1)),
        now=NOW,
        sleep=no_pause,
    )
    rates = [
        r
        for r in rows_of(data_dir, "compute_rates.csv")
        if r["region"] == "us-east-1" and r["instance_type"] == "m5.large"
    ]
    od = next(r for r in rates if r["purchase_option"] == "on_demand")
    assert od["hourly_usd"] == "0.1"
    assert od["source"].startswith("AWS Price List bulk file (AmazonEC2 us-east-1, publication 2026-11-20)")


def test_bulk_download_dropped_midway(data_dir: Path):
    before = digests(data_dir)
    aws = Aws()
    queue_bulk(aws)
    data = bulk_file()
    with pytest.raises(RefreshError, match="download of the EC2 price list of us-east-1 failed"):
        refresh(
            options(tables=(RefreshTable.COMPUTE,), source=PriceSource.BULK),
            data_dir,
            clients=aws.clients(),
            opener=lambda url: io.BufferedReader(DroppingStream(data, len(data) // 2)),
            now=NOW,
            sleep=no_pause,
        )
    assert_unchanged(data_dir, before)


def test_a_snapshot_that_fails_validation_is_not_installed(data_dir: Path, tmp_path: Path):
    before = digests(data_dir)
    staging = swap.staging_dir(data_dir)
    shutil.rmtree(staging)
    shutil.copytree(data_dir, staging)
    with (staging / "storage_rates.csv").open("a", encoding="utf-8") as f:
        f.write("us-east-1,s3,standard,storage,GB-month,0,inf,-1,2026-11-23,x\n")
    with pytest.raises(RefreshError, match="failed validation"):
        swap.install(staging, data_dir)
    shutil.rmtree(staging)
    assert_unchanged(data_dir, before)


def test_bad_options_name_the_field():
    from planner.errors import InputError

    with pytest.raises(InputError, match="pricing_region"):
        options(pricing_region="us-west-2")
    with pytest.raises(InputError, match="days: 0 is outside 1–90"):
        options(spot_days=0)
    with pytest.raises(InputError, match="regions"):
        options(regions=("US East",))


@pytest.mark.aws
def test_live_get_products_for_one_type():
    """Calls the real Price List API (needs credentials); deselected by default."""
    import boto3

    from planner.refresh.products import fetch_compute_rates

    pricing = boto3.client("pricing", region_name="us-east-1")
    fetched = fetch_compute_rates(pricing, "us-east-1", ("m5",), today=NOW.date().isoformat())
    assert any(r["instance_type"] == "m5.large" and r["purchase_option"] == "reserved" for r in fetched.rows)


def test_second_refresh_waits_its_turn(data_dir: Path):
    before = digests(data_dir)
    with swap.exclusive(data_dir), pytest.raises(RefreshError, match="another refresh or rollback"):
        refresh(options(regions=("eu-west-1",), tables=(RefreshTable.STORAGE,)), data_dir,
                clients=Aws(regions=("eu-west-1",)).clients(), now=NOW, sleep=no_pause)
    assert digests(data_dir) == before
    with swap.exclusive(data_dir):  # released: it can be taken again
        pass
