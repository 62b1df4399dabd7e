"""``planner refresh --source public`` against a real HTTP server on 127.0.0.1 (no AWS account).

The server (tests/public_price_list.py) serves AWS's file layout with decoys. Every failure must
leave the data folder byte-for-byte unchanged (sha256 of every file compared).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from planner.cli.main import main
from planner.errors import InputError, RefreshError
from planner.refresh import swap
from planner.refresh.public_http import base_url
from planner.refresh.run import PriceSource, RefreshOptions, RefreshTable, refresh
from tests.public_price_list import (
    EC2_VERSION,
    SP_VERSION,
    Behaviour,
    ec2_csv,
    ec2_path,
    price_list_files,
    serve,
)

ROOT = Path(__file__).resolve().parents[1]
REPO_DATA = ROOT / "pricing_data"
SP_PATH = f"/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/{SP_VERSION}/us-east-1/index.csv"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "snap" / "pricing_data"
    shutil.copytree(REPO_DATA, target)
    return target


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def no_pause(_seconds: float) -> None:
    return None


def public(url: str, regions=("us-east-1",), **kw) -> RefreshOptions:
    return RefreshOptions(regions=regions, source=PriceSource.PUBLIC, price_list_url=url, **kw)


def prices(capsys, data_dir: Path, monkeypatch, *args: str) -> list[dict]:
    monkeypatch.setenv("PLANNER_DATA_DIR", str(data_dir))
    capsys.readouterr()
    assert main(["prices", *args, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    return out.get("prices") or out.get("sagemaker_prices")


def test_done_when_end_to_end(data_dir: Path, capsys, monkeypatch) -> None:
    """The issue's acceptance: refresh two regions from the local server through the CLI, then
    `planner prices` shows p3.2xlarge's on-demand, 12 reserved, 12 savings-plan and SageMaker
    prices exactly as in the files, dated by the files' publication dates."""
    with serve() as server:
        started = time.perf_counter()
        code = main(
            [
                "refresh",
                "--source",
                "public",
                "--price-list-url",
                server.url,
                "--regions",
                "us-east-1,eu-west-1",
                "--data-dir",
                str(data_dir),
            ]
        )
        seconds = time.perf_counter() - started
    assert code == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert "us-east-1: EC2 price list of us-east-1 (CSV)" in err and "eu-west-1: SageMaker" in err
    assert seconds < 30
    # only the two regions' files were fetched (no Local Zone, no us-west-2, no all-region file)
    fetched = server.paths()
    assert not [p for p in fetched if "bos-1" in p or "den-1" in p or "/current/index" in p]
    assert {
        p.split("/")[-2] for p in fetched if p.endswith(("index.csv", "/index.json")) and "/2026" in p
    } == {"us-east-1", "eu-west-1"}

    rows = prices(capsys, data_dir, monkeypatch, "--instance", "p3.2xlarge", "--region", "us-east-1")
    od = [r for r in rows if r["purchase_option"] == "on_demand"]
    assert [(r["hourly_usd"], r["as_of"]) for r in od] == [(3.06, "2026-11-20")]  # not the $0 Capacity Block
    reserved = {
        (r["term_years"], r["offering_class"], r["payment_option"]): r
        for r in rows
        if r["purchase_option"] == "reserved"
    }
    assert len(reserved) == 12
    assert {r["as_of"] for r in reserved.values()} == {"2026-11-20"}
    pu = reserved[(1, "standard", "partial_upfront")]
    # (8,935 + 1.02 × 8,760) / 8,760 = (8,935 + 8,935.2) / 8,760 = 17,870.2 / 8,760 = 2.03997716…
    assert (pu["upfront_usd"], pu["hourly_usd"]) == (8935, 1.02)
    assert pu["effective_hourly_usd"] == pytest.approx(17870.2 / 8760)
    au = reserved[(3, "convertible", "all_upfront")]
    assert (au["upfront_usd"], au["hourly_usd"]) == (41844, 0)  # 41,844 / 26,280 = 1.592237…
    assert au["effective_hourly_usd"] == pytest.approx(41844 / 26280)
    nu = reserved[(3, "standard", "no_upfront")]
    assert (nu["upfront_usd"], nu["hourly_usd"], nu["effective_hourly_usd"]) == (0, 1.469, 1.469)
    plans = {
        (r["plan_type"], r["term_years"], r["payment_option"]): r["hourly_usd"]
        for r in rows
        if r["purchase_option"] == "savings_plan"
    }
    assert plans == {
        ("compute", 1, "no_upfront"): 2.3256,
        ("compute", 1, "partial_upfront"): 2.2338,
        ("compute", 1, "all_upfront"): 2.1879,
        ("compute", 3, "no_upfront"): 1.6524,
        ("compute", 3, "partial_upfront"): 1.5606,
        ("compute", 3, "all_upfront"): 1.5147,
        ("ec2_instance", 1, "no_upfront"): 2.142,
        ("ec2_instance", 1, "partial_upfront"): 2.0502,
        ("ec2_instance", 1, "all_upfront"): 2.0043,
        ("ec2_instance", 3, "no_upfront"): 1.4688,
        ("ec2_instance", 3, "partial_upfront"): 1.377,
        ("ec2_instance", 3, "all_upfront"): 1.3311,
    }  # the Linux rates, not the Windows (×1.07) or dedicated (×1.1) decoys
    assert {r["as_of"] for r in rows if r["purchase_option"] == "savings_plan"} == {"2026-11-18"}

    eu = prices(
        capsys,
        data_dir,
        monkeypatch,
        "--instance",
        "p3.2xlarge",
        "--region",
        "eu-west-1",
        "--option",
        "on_demand",
    )
    assert [r["hourly_usd"] for r in eu] == [3.305]

    sm = prices(capsys, data_dir, monkeypatch, "--instance", "ml.p3.2xlarge", "--region", "us-east-1")
    assert {r["component"]: r["hourly_usd"] for r in sm} == {
        "training": 3.825,
        "hosting": 3.91,
        "notebook": 3.74,
        "processing": 3.8,
        "batch_transform": 3.87,
    }  # the us-west-2 decoy (9.99) and the serverless product are not picked
    assert {r["as_of"] for r in sm} == {"2026-11-15"}

    manifest = json.loads((data_dir / "manifest.json").read_text())
    ec2 = manifest["price_list_files"]["AmazonEC2 us-east-1"]
    assert (ec2["version"], ec2["publication_date"]) == (EC2_VERSION, "2026-11-20")
    assert ec2["etag"].startswith('"') and ec2["downloaded"] is True
    assert manifest["price_list_files"]["AWSComputeSavingsPlan eu-west-1"]["version"] == SP_VERSION
    assert manifest["last_refresh"]["source"] == "public"
    assert not swap.download_dir(data_dir).exists()  # the download cache is removed after success


def test_storage_rows_exactly_as_in_the_files(data_dir: Path, capsys, monkeypatch) -> None:
    with serve() as server:
        report = refresh(public(server.url, tables=(RefreshTable.STORAGE,)), data_dir, sleep=no_pause)
    # S3: Standard 3 tiers + Standard-IA + PUT = 5; Deep Archive 1; EFS 2; EBS gp3 storage, IOPS,
    # throughput + gp2 storage = 4: 5 + 1 + 2 + 4 = 12 (the GDA staging product is not mapped)
    assert report.rows == {"storage_rates": 12}
    from planner.catalog import load_catalog
    from planner.catalog.query import storage_rates

    catalog = load_catalog(data_dir)
    tiers = storage_rates(catalog, "us-east-1", "s3", "standard", "storage")
    assert [(t.tier_begin, t.price_usd, t.as_of) for t in tiers] == [
        (0, 0.023, "2026-11-17"),
        (51200, 0.022, "2026-11-17"),
        (512000, 0.021, "2026-11-17"),
    ]
    put = storage_rates(catalog, "us-east-1", "s3", "standard", "requests_put")
    assert [t.price_usd for t in put] == [0.005]  # $0.000005 per request × 1,000
    throughput = storage_rates(catalog, "us-east-1", "ebs", "gp3", "throughput")
    assert [(t.tier_begin, t.price_usd) for t in throughput] == [(125, pytest.approx(0.04))]  # 40.96 / 1,024
    assert [t.price_usd for t in storage_rates(catalog, "us-east-1", "efs", "standard", "storage")] == [0.3]


def test_spot_with_the_public_source_names_the_field() -> None:
    with pytest.raises(InputError, match="tables: spot: AWS publishes no spot price file"):
        RefreshOptions(regions=("us-east-1",), source=PriceSource.PUBLIC, tables=(RefreshTable.SPOT,))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://mirror", "not an http"),
        ("http://pricing.example.com", "use https"),
        ("https://", "not an http"),
    ],
)
def test_price_list_url_is_checked(url: str, message: str) -> None:
    with pytest.raises(InputError, match=f"price_list_url: .*{message}"):
        base_url(url)


def test_environment_variable_sets_the_base(monkeypatch) -> None:
    monkeypatch.setenv("PLANNER_PRICE_LIST_URL", "http://127.0.0.1:9/")
    assert base_url(None) == "http://127.0.0.1:9"
    assert base_url("https://mirror.example/prices/") == "https://mirror.example/prices"


def _malformed_ec2() -> bytes:
    data = ec2_csv("us-east-1")
    return data[: len(data) * 2 // 3] + b'"cut\n'  # a row with too few columns


@pytest.mark.parametrize(
    ("path", "behaviour", "files", "message"),
    [
        (ec2_path("us-east-1"), Behaviour(status=404), None, "HTTP 404"),
        ("/offers/v1.0/aws/index.json", Behaviour(status=403), None, "HTTP 403"),
        # every answer stops after 20,000 bytes; each try resumes: 4 tries × 20,000 = 80,000 bytes
        (ec2_path("us-east-1"), Behaviour(cut=20000, mode="truncate"), None, "4 times .received 80,000 of"),
        (ec2_path("us-east-1"), Behaviour(cut=20000, mode="reset"), None, "failed 4 times"),
        (SP_PATH, Behaviour(cut=500, mode="reset"), None, "failed 4 times"),
        (ec2_path("us-east-1"), None, {ec2_path("us-east-1"): _malformed_ec2()}, "malformed"),
        (
            "/offers/v1.0/aws/AmazonSageMaker/current/region_index.json",
            None,
            {"/offers/v1.0/aws/AmazonSageMaker/current/region_index.json": b'{"regions": {'},
            "not valid JSON",
        ),
        (
            "/offers/v1.0/aws/index.json",
            None,
            {"/offers/v1.0/aws/index.json": b'{"offers": 3}'},
            "no 'offers'",
        ),
    ],
)
def test_every_failure_leaves_the_snapshot_byte_identical(
    data_dir: Path, path: str, behaviour: Behaviour | None, files: dict | None, message: str
) -> None:
    before = digests(data_dir)
    served = price_list_files()
    served.update(files or {})
    with serve(served) as server:
        if behaviour is not None:
            server.behaviours[path] = behaviour
        with pytest.raises(RefreshError, match=message):
            refresh(public(server.url, regions=("us-east-1", "eu-west-1")), data_dir, sleep=no_pause)
    assert digests(data_dir) == before
    assert not swap.backup_dir(data_dir).exists()
    assert [p.name for p in data_dir.parent.iterdir() if "refresh-" in p.name] == []  # no staging left


def test_a_region_without_files(data_dir: Path) -> None:
    before = digests(data_dir)
    with serve() as server, pytest.raises(RefreshError, match="no AmazonEC2 file for region ap-south-2"):
        refresh(public(server.url, regions=("us-east-1", "ap-south-2")), data_dir, sleep=no_pause)
    assert digests(data_dir) == before


def test_connection_reset_once_resumes_where_it_stopped(data_dir: Path) -> None:
    """A reset mid-file is retried with Range: bytes=N- and If-Range: the rest only is sent."""
    with serve() as server:
        server.behaviours[ec2_path("us-east-1")] = Behaviour(cut=30000, mode="truncate", times=1)
        refresh(public(server.url, tables=(RefreshTable.COMPUTE,)), data_dir, sleep=no_pause)
        tries = [h for p, h in server.requests if p == ec2_path("us-east-1")]
    assert len(tries) == 2
    assert "Range" not in tries[0] and tries[1]["Range"] == "bytes=30000-"
    assert tries[1]["If-Range"].startswith('"')


def test_retry_after_failure_does_not_download_again(data_dir: Path) -> None:
    """A refresh that fails at the SageMaker file keeps what it downloaded; the retry asks only
    for the indexes (If-None-Match → 304) and the missing file, never the versioned EC2 file."""
    before = digests(data_dir)
    with serve() as server:
        server.behaviours["/offers/v1.0/aws/AmazonSageMaker/current/region_index.json"] = Behaviour(
            status=503
        )
        with pytest.raises(RefreshError, match="HTTP 503"):
            refresh(public(server.url), data_dir, sleep=no_pause)
        assert digests(data_dir) == before
        assert (swap.download_dir(data_dir) / ec2_path("us-east-1").lstrip("/")).is_file()
        first = len(server.requests)
        server.behaviours.clear()
        refresh(public(server.url), data_dir, sleep=no_pause)
        again = server.requests[first:]
    paths = [p for p, _h in again]
    assert ec2_path("us-east-1") not in paths and SP_PATH not in paths
    index = [h for p, h in again if p == "/offers/v1.0/aws/index.json"]
    assert index and index[0]["If-None-Match"].startswith('"')
    assert "/offers/v1.0/aws/AmazonSageMaker/current/region_index.json" in paths
    manifest = json.loads((data_dir / "manifest.json").read_text())
    assert manifest["price_list_files"]["AmazonEC2 us-east-1"]["downloaded"] is False


def test_partial_refresh_merges_and_rollback_restores(data_dir: Path) -> None:
    before = digests(data_dir)
    old = (data_dir / "compute_rates.csv").read_text().splitlines()
    old_c5_eu = [line for line in old if line.startswith("eu-west-1,c5.large,")]
    with serve() as server:
        refresh(
            public(server.url, tables=(RefreshTable.COMPUTE,), families=("p3",)), data_dir, sleep=no_pause
        )
    new = (data_dir / "compute_rates.csv").read_text().splitlines()
    assert [line for line in new if line.startswith("eu-west-1,c5.large,")] == old_c5_eu  # other region
    assert [line for line in new if line.startswith("us-east-1,m5.large,")] == [
        line for line in old if line.startswith("us-east-1,m5.large,")
    ]  # other family kept
    for name in ("storage_rates.csv", "sagemaker_rates.csv", "spot_advisor.csv"):
        assert hashlib.sha256((data_dir / name).read_bytes()).hexdigest() == before[name]
    assert main(["refresh", "--rollback", "--data-dir", str(data_dir)]) == 0
    assert digests(data_dir) == before


def _cli_with_file_limit(data_dir: Path, url: str, limit_bytes: int) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # a disk that fills: writes past the limit fail (EFBIG) instead of SIGXFSZ
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "refresh",
            "--source",
            "public",
            "--price-list-url",
            url,
            "--regions",
            "us-east-1",
            "--data-dir",
            str(data_dir),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize(
    ("limit_bytes", "message"),
    [
        (400_000, "the disk is full while saving EC2 price list"),
        (2_000_000, "could not write the new snapshot"),
    ],
)
def test_disk_full_leaves_the_snapshot_unchanged(data_dir: Path, limit_bytes: int, message: str) -> None:
    # The EC2 file is padded to about 1 MB: 400 kB fails in the download, 2 MB while writing
    # the ~10 MB compute_rates.csv of the new snapshot.
    before = digests(data_dir)
    served = price_list_files()
    served[ec2_path("us-east-1")] = ec2_csv("us-east-1", pad_rows=1500)
    assert 400_000 < len(served[ec2_path("us-east-1")]) < 2_000_000
    with serve(served) as server:
        done = _cli_with_file_limit(data_dir, server.url, limit_bytes)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("planner refresh: error: ") and message in last
    assert "Traceback" not in done.stderr
    assert digests(data_dir) == before
