"""Refresh from AWS's public price-list files (``planner refresh --source public``): no account.

The files are followed through their own indexes, never through hard-coded versions:

1. offers index ``/offers/v1.0/aws/index.json`` → per service ``currentRegionIndexUrl`` (and, for
   AmazonEC2, ``currentSavingsPlanIndexUrl``);
2. service region index → ``regions[<region>].currentVersionUrl`` (an object keyed by region);
   Savings Plans region index → ``regions[] {regionCode, versionUrl}`` (a list);
3. the per-region file of each region asked for, and no other.

Per region and table:

- ``compute``: the EC2 file as CSV (``.json`` → ``.csv``; hundreds of MB, parsed as a stream):
  on-demand and the 12 reserved terms of Linux, shared-tenancy, no-software, on-demand-capacity
  instances (:func:`planner.refresh.bulk_csv.parse_ec2_csv`);
- ``savings_plans``: the Savings Plans file as CSV, joined to the EC2 file's on-demand SKUs;
- ``storage``: EBS from the EC2 file, S3, S3 Glacier Deep Archive and EFS from their JSON offers;
- ``sagemaker``: the AmazonSageMaker JSON offer, ``ML Instance`` products by component.

Every row's ``as_of`` is its file's publication date; the manifest records each file's URL,
version, publication date and ETag (:class:`PriceFile`).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from planner.errors import RefreshError
from planner.refresh.bulk_csv import BulkParse, parse_ec2_csv
from planner.refresh.public_http import Download, PriceListHttp
from planner.refresh.public_parse import (
    FileFacts,
    offer_facts,
    offer_items,
    parse_savings_plans_csv,
    sagemaker_rows,
)
from planner.refresh.records import Fetched, RefreshOptions, RefreshTable, dedupe
from planner.refresh.scope import SAGEMAKER_GROUP, STORAGE_GROUP, Scope
from planner.refresh.storage import rows_from_items

OFFERS_INDEX = "/offers/v1.0/aws/index.json"

EC2 = "AmazonEC2"
SAGEMAKER = "AmazonSageMaker"
STORAGE_OFFERS: tuple[tuple[str, str, bool], ...] = (
    ("s3", "AmazonS3", True),
    ("s3", "AmazonS3GlacierDeepArchive", False),
    ("efs", "AmazonEFS", True),
)
"""(snapshot service, offer code, required): storage offers read besides EBS (in AmazonEC2). A
region without a Deep Archive file keeps its embedded Deep Archive rows (a warning says so)."""

SOURCE = "AWS public price list {offer} {region} v{version} ({published})"

Progress = Callable[[float, str], None]


@dataclass(frozen=True, slots=True)
class PriceFile:
    """One price-list file a refresh used, as the manifest records it."""

    offer: str
    region: str
    url: str
    version: str
    publication_date: str
    etag: str
    bytes: int
    downloaded: bool
    """False when a copy already in the download cache was used (same version or ETag)."""

    @property
    def key(self) -> str:
        return f"{self.offer} {self.region}"


@dataclass(slots=True)
class PublicResult:
    fetched: dict[str, Fetched]
    scopes: list[Scope]
    warnings: list[str]
    files: list[PriceFile]


class _Run:
    """State of one public refresh: the HTTP fetcher, indexes read so far, progress."""

    def __init__(self, options: RefreshOptions, http: PriceListHttp, progress: Progress) -> None:
        self.options = options
        self.http = http
        self.report = progress
        self.files: list[PriceFile] = []
        self.indexes: dict[str, dict[str, Any]] = {}
        self.done = 0
        self.total = 1

    def step(self, message: str) -> None:
        self.report(min(self.done / self.total, 0.99), message)
        self.done += 1

    def offers(self) -> dict[str, Any]:
        if "offers" not in self.indexes:
            data = self.http.json(OFFERS_INDEX, "the price-list offers index")
            offers = data.get("offers")
            if not isinstance(offers, dict):
                raise RefreshError(
                    f"the offers index at {self.http.url(OFFERS_INDEX)} has no 'offers' object; "
                    "check --price-list-url"
                )
            self.indexes["offers"] = offers
        return self.indexes["offers"]

    def offer_url(self, offer: str, key: str) -> str | None:
        entry = self.offers().get(offer)
        value = entry.get(key) if isinstance(entry, dict) else None
        return value if isinstance(value, str) and value else None

    def region_path(
        self, offer: str, region: str, *, required: bool, savings_plans: bool = False
    ) -> str | None:
        """The path of ``region``'s file of ``offer`` from its region index (None if optional and
        absent)."""
        key = "currentSavingsPlanIndexUrl" if savings_plans else "currentRegionIndexUrl"
        name = f"{offer} Savings Plans" if savings_plans else offer
        index_path = self.offer_url(offer, key)
        if index_path is None:
            if not required:
                return None
            raise RefreshError(f"the offers index lists no {key} for {offer}; check --price-list-url")
        if index_path not in self.indexes:
            self.indexes[index_path] = self.http.json(index_path, f"the {name} region index")
        regions = self.indexes[index_path].get("regions")
        if isinstance(regions, list):  # Savings Plans: [{regionCode, versionUrl}]
            found = [
                r.get("versionUrl") for r in regions if isinstance(r, dict) and r.get("regionCode") == region
            ]
            path = found[0] if found else None
        elif isinstance(regions, dict):  # offers: {region: {regionCode, currentVersionUrl}}
            entry = regions.get(region)
            path = entry.get("currentVersionUrl") if isinstance(entry, dict) else None
        else:
            raise RefreshError(f"the {name} region index has no 'regions'; check --price-list-url")
        if not isinstance(path, str) or not path:
            if not required:
                return None
            raise RefreshError(
                f"AWS's price list has no {name} file for region {region}; check the region code"
            )
        return path

    def download(self, offer: str, region: str, path: str, what: str) -> Download:
        self.step(f"{region}: {what}")
        return self.http.file(path, what)

    def record(self, offer: str, region: str, got: Download, facts: FileFacts) -> str:
        """Note the file for the manifest; return the short source of its rows."""
        self.files.append(
            PriceFile(
                offer,
                region,
                got.url,
                facts.version,
                facts.publication_date,
                got.etag,
                got.bytes,
                got.fetched,
            )
        )
        return SOURCE.format(
            offer=offer,
            region=region,
            version=facts.version or "?",
            published=facts.publication_date or "undated",
        )


def _csv_path(path: str) -> str:
    return path[: -len(".json")] + ".csv" if path.endswith(".json") else path


def _read_ec2(run: _Run, region: str, storage: bool) -> tuple[BulkParse, Download]:
    path = _csv_path(run.region_path(EC2, region, required=True) or "")
    got = run.download(EC2, region, path, f"EC2 price list of {region} (CSV)")
    try:
        with got.path.open(encoding="utf-8", newline="") as text:
            parsed = parse_ec2_csv(text, region, run.options.families, source="", storage=storage)
    except RefreshError as exc:
        run.http.forget(got)
        raise RefreshError(f"the EC2 price list of {region} at {got.url} is malformed ({exc})") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        run.http.forget(got)
        raise RefreshError(
            f"the EC2 price list of {region} at {got.url} is malformed ({type(exc).__name__}: {exc})"
        ) from None
    return parsed, got


def _offer_json(
    run: _Run, offer: str, region: str, path: str, what: str
) -> tuple[dict[str, Any], Download, FileFacts]:
    got = run.download(offer, region, path, what)
    data = run.http.load_json(got, what)
    try:
        facts = offer_facts(data, f"{what} at {got.url}")
    except RefreshError:
        run.http.forget(got)
        raise
    return data, got, facts


def fetch_public(options: RefreshOptions, http: PriceListHttp, progress: Progress) -> PublicResult:
    """Fetch and normalise every table of ``options`` for each region (see the module doc)."""
    run = _Run(options, http, progress)
    http.progress = lambda message: progress(min(run.done / run.total, 0.99), message)
    tables = options.table_list
    fams = options.families
    fetched = {name: Fetched() for name in ("compute_rates", "storage_rates", "sagemaker_rates")}
    scopes: list[Scope] = []
    warnings: list[str] = []
    need_ec2 = bool({RefreshTable.COMPUTE, RefreshTable.SAVINGS_PLANS, RefreshTable.STORAGE} & set(tables))
    per_region = (
        int(need_ec2)
        + int(RefreshTable.SAVINGS_PLANS in tables)
        + len(STORAGE_OFFERS) * int(RefreshTable.STORAGE in tables)
        + int(RefreshTable.SAGEMAKER in tables)
    )
    run.total = 1 + per_region * len(options.regions)
    run.step("reading the price-list offers index")
    run.offers()
    for region in options.regions:
        if need_ec2:
            parsed, got = _read_ec2(run, region, RefreshTable.STORAGE in tables)
            facts = FileFacts(parsed.publication_date, parsed.metadata.get("Version", ""))
            source = run.record(EC2, region, got, facts)
            _describe(
                fetched["compute_rates"],
                source,
                got,
                "Linux, Shared tenancy, no pre-installed "
                "software, capacity Used, market OnDemand; on-demand and every reserved term",
            )
            for row in parsed.fetched.rows:
                row["source"] = source
            if RefreshTable.COMPUTE in tables:
                if not parsed.fetched.rows:
                    raise RefreshError(
                        f"the EC2 price list of {region} has no Linux prices for families "
                        f"{', '.join(fams) or 'all'}; check --families"
                    )
                fetched["compute_rates"].extend(parsed.fetched)
                scopes.append(Scope("compute_rates", region, frozenset({"on_demand", "reserved"}), fams))
            if RefreshTable.SAVINGS_PLANS in tables:
                _savings_plans(run, region, parsed, fetched["compute_rates"], scopes, warnings)
            if RefreshTable.STORAGE in tables:
                _storage(run, region, parsed, source, got, fetched["storage_rates"], scopes, warnings)
        if RefreshTable.SAGEMAKER in tables:
            _sagemaker(run, region, fetched["sagemaker_rates"], scopes, warnings)
    for got_rows in fetched.values():
        warnings.extend(got_rows.warnings)
    return PublicResult(fetched, scopes, warnings, run.files)


def _describe(out: Fetched, source: str, got: Download, what: str) -> None:
    out.sources[source] = (
        f"{got.url} (ETag {got.etag or 'none'}): {what}; as_of = the file's publication date"
    )


def _savings_plans(
    run: _Run, region: str, ec2: BulkParse, out: Fetched, scopes: list[Scope], warnings: list[str]
) -> None:
    path = _csv_path(run.region_path(EC2, region, required=True, savings_plans=True) or "")
    what = f"Savings Plans rates of {region} (CSV)"
    got = run.download("AWSComputeSavingsPlan", region, path, what)
    try:
        with got.path.open(encoding="utf-8", newline="") as text:
            rates, facts = parse_savings_plans_csv(
                text, region, ec2.skus, run.options.families, source="", as_of=""
            )
    except (RefreshError, UnicodeDecodeError, csv.Error) as exc:
        run.http.forget(got)
        raise RefreshError(f"the Savings Plans file of {region} at {got.url} is malformed ({exc})") from None
    source = run.record("AWSComputeSavingsPlan", region, got, facts)
    for row in rates.rows:
        row["source"] = source
    if not rates.rows:
        warnings.append(
            f"the Savings Plans file of {region} covers none of the instance types asked for; "
            "its existing savings-plan rows were kept"
        )
        return
    _describe(
        rates,
        source,
        got,
        "Compute and EC2 Instance Savings Plans, rates joined on the EC2 file's "
        "Linux on-demand SKUs (DiscountedSKU); hourly = plan rate, upfront 0",
    )
    out.extend(rates)
    scopes.append(Scope("compute_rates", region, frozenset({"savings_plan"}), run.options.families))


def _storage(
    run: _Run,
    region: str,
    ec2: BulkParse,
    ec2_source: str,
    ec2_got: Download,
    out: Fetched,
    scopes: list[Scope],
    warnings: list[str],
) -> None:
    rows, unmapped = rows_from_items(ec2.storage_items, region, "ebs", EC2, ec2_source)
    _describe(out, ec2_source, ec2_got, "EBS volumes, IOPS, throughput and snapshots")
    for service, offer, required in STORAGE_OFFERS:
        path = run.region_path(offer, region, required=required)
        if path is None:
            warnings.append(f"AWS's price list has no {offer} file for {region}; its embedded rows were kept")
            continue
        data, got, facts = _offer_json(run, offer, region, path, f"{offer} price list of {region}")
        source = run.record(offer, region, got, facts)
        found, skipped = rows_from_items(offer_items(data), region, service, offer, source)
        _describe(out, source, got, "usage types mapped to the snapshot's classes and dimensions")
        rows.extend(found)
        unmapped.extend(skipped)
    key = ("region", "service", "storage_class", "dimension", "tier_begin")
    kept, conflicts = dedupe(rows, key, f"storage prices in {region}", ("price_usd",))
    if not kept:
        raise RefreshError(
            f"the price-list files of {region} have no S3/EBS/EFS prices; check the region code"
        )
    out.rows.extend(kept)
    out.warnings.extend(conflicts)
    if unmapped:
        shown = ", ".join(sorted(set(unmapped))[:8])
        warnings.append(f"storage prices in {region}: usage types not mapped (left out): {shown}")
    scopes.append(Scope.of_groups("storage_rates", region, STORAGE_GROUP, kept))


def _sagemaker(run: _Run, region: str, out: Fetched, scopes: list[Scope], warnings: list[str]) -> None:
    path = run.region_path(SAGEMAKER, region, required=False)
    if path is None:
        warnings.append(f"AWS's price list has no SageMaker file for {region}; its SageMaker rows were kept")
        return
    data, got, facts = _offer_json(run, SAGEMAKER, region, path, f"SageMaker price list of {region}")
    source = run.record(SAGEMAKER, region, got, facts)
    rows = sagemaker_rows(data, region, source=source, as_of=facts.publication_date)
    if not rows.rows:
        warnings.append(
            f"the SageMaker file of {region} has no instance prices; its SageMaker rows were kept"
        )
        return
    _describe(rows, source, got, "ML Instance products, on-demand $ per instance-hour by component")
    out.extend(rows)
    scopes.append(Scope.of_groups("sagemaker_rates", region, SAGEMAKER_GROUP, rows.rows))


def files_manifest(files: list[PriceFile], old: dict[str, Any], retrieved_at: str) -> dict[str, Any]:
    """The manifest's ``price_list_files``: the earlier entries, updated with this refresh's files."""
    merged = {k: v for k, v in old.items() if isinstance(v, dict)}
    for f in files:
        entry = asdict(f)
        entry["retrieved_at"] = retrieved_at
        merged[f.key] = entry
    return dict(sorted(merged.items()))
