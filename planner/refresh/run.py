"""Run a live price refresh: fetch, merge with the current snapshot, validate, swap in.

Public interface (used by ``planner refresh`` and the Streamlit Price data page)::

    from planner.refresh.run import (
        RefreshOptions, RefreshReport, RefreshTable, credentials_available, refresh, rollback,
    )

    if credentials_available(profile=None):           # local check only, no AWS call
        report = refresh(
            RefreshOptions(regions=("us-east-1",)),        # families/tables/days have defaults
            data_dir=None,                                  # None: planner.catalog.default_data_dir()
            progress=lambda fraction, message: ...,        # 0.0–1.0 and e.g. "us-east-1: spot"
        )
    rollback(data_dir=None)                            # put the previous snapshot back

- :func:`refresh` fetches, per region, the tables asked for (``compute``: on-demand and every
  reserved term; ``savings_plans``; ``spot``: last N days of spot history; ``storage``: S3, EBS,
  EFS), merges them with the current snapshot, writes the result to a staging folder, validates it
  with :func:`planner.catalog.load_catalog` and swaps it in, keeping the previous snapshot as the
  one backup. It returns a :class:`RefreshReport` (rows per table, replaced rows, instance types
  left out because ``instance_specs`` lacks them, warnings).
- Merge rule: rows in the refreshed scope — (region, table part, family) — are replaced by the
  fetched rows; every other row stays byte for byte. The manifest records per table its date,
  source, ``origin`` (``refresh`` once any of its rows came from a refresh, else ``embedded``) and
  the regions refreshed.
- Any failure (no credentials, access denied, throttling after retries, an invalid payload, a
  dropped connection mid-pagination, a snapshot that fails validation) raises
  :class:`planner.errors.RefreshError` with one line saying what failed and what to do, and
  leaves the current snapshot unchanged: nothing is written to it before the final swap.
- :func:`credentials_available` says whether the standard chain (or a profile) has credentials.
- Instance specs, accelerators and the Spot Advisor feed are not refreshed (no Price List source).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from planner.catalog.loader import default_data_dir, load_catalog, read_manifest
from planner.catalog.schema import OPTIONAL_TABLES, TABLES
from planner.catalog.writer import (
    MANIFEST_FILE,
    ORIGIN_REFRESH,
    read_table_rows,
    write_columnar_copies,
    write_manifest,
    write_table,
)
from planner.errors import CatalogError, RefreshError
from planner.refresh import swap
from planner.refresh.bulk_csv import Opener, fetch_bulk_compute_rates, https_opener
from planner.refresh.client import AwsClients, Sleep, make_clients
from planner.refresh.client import credentials_available as _credentials_available
from planner.refresh.products import fetch_compute_rates
from planner.refresh.public import PriceFile, fetch_public, files_manifest
from planner.refresh.public_http import PriceListHttp, base_url
from planner.refresh.records import (
    DEFAULT_FAMILIES,
    Fetched,
    PriceSource,
    RefreshOptions,
    RefreshReport,
    RefreshTable,
)
from planner.refresh.savings_plans import fetch_savings_plan_rates
from planner.refresh.scope import STORAGE_GROUP, Scope
from planner.refresh.spot import fetch_spot
from planner.refresh.storage import fetch_storage_rates

__all__ = [
    "DEFAULT_FAMILIES",
    "PriceSource",
    "RefreshOptions",
    "RefreshReport",
    "RefreshTable",
    "credentials_available",
    "refresh",
    "rollback",
]

Progress = Callable[[float, str], None]

LABELS = {
    RefreshTable.COMPUTE: "EC2 on-demand and reserved",
    RefreshTable.SAVINGS_PLANS: "Savings Plans rates",
    RefreshTable.SPOT: "spot price history",
    RefreshTable.STORAGE: "S3, EBS and EFS",
    RefreshTable.SAGEMAKER: "SageMaker",
}


SPEC_CHECKED = ("compute_rates", "spot_advisor", "spot_price_samples")
"""Tables whose instance types must be in ``instance_specs`` (the loader checks it)."""


def credentials_available(profile: str | None = None) -> bool:
    """True when AWS credentials can be found (standard chain or ``profile``); no AWS call."""
    return _credentials_available(profile)


def rollback(data_dir: Path | None = None) -> Path:
    """Swap the backup snapshot back in; return the folder now holding the replaced one."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    with swap.exclusive(data_dir):
        return swap.rollback(data_dir)


def _fetch(
    options: RefreshOptions,
    clients: AwsClients,
    progress: Progress,
    *,
    now: datetime,
    opener: Opener,
    sleep: Sleep,
) -> tuple[dict[str, Fetched], list[Scope], list[str]]:
    today = now.date().isoformat()
    fams = options.families
    fetched = {name: Fetched() for name in ("compute_rates", "spot_price_samples", "storage_rates")}
    scopes: list[Scope] = []
    warnings: list[str] = []
    steps = [(r, t) for r in options.regions for t in options.table_list]
    for number, (region, table) in enumerate(steps):
        progress(number / (len(steps) + 1), f"{region}: {LABELS[table]}")
        if table is RefreshTable.COMPUTE:
            if options.use_bulk:
                got = fetch_bulk_compute_rates(
                    clients.pricing, region, fams, now=now, opener=opener, sleep=sleep
                )
            else:
                got = fetch_compute_rates(clients.pricing, region, fams, today=today, sleep=sleep)
            if not got.rows:
                raise RefreshError(
                    f"AWS returned no EC2 prices for {region} and families "
                    f"{', '.join(fams) or 'all'}; check the region code and --families"
                )
            fetched["compute_rates"].extend(got)
            scopes.append(Scope("compute_rates", region, frozenset({"on_demand", "reserved"}), fams))
        elif table is RefreshTable.SAVINGS_PLANS:
            got = fetch_savings_plan_rates(clients.savingsplans, region, fams, today=today, sleep=sleep)
            if got.rows:
                fetched["compute_rates"].extend(got)
                scopes.append(Scope("compute_rates", region, frozenset({"savings_plan"}), fams))
            else:
                warnings.append(
                    f"no Savings Plans rates returned for {region}; its existing savings-plan rows were kept"
                )
        elif table is RefreshTable.SPOT:
            rates, samples = fetch_spot(
                clients.ec2(region), region, fams, days=options.spot_days, now=now, sleep=sleep
            )
            if rates.rows:
                fetched["compute_rates"].extend(rates)
                fetched["spot_price_samples"].extend(samples)
                scopes.append(Scope("compute_rates", region, frozenset({"spot"}), fams))
                scopes.append(Scope("spot_price_samples", region, frozenset(), fams))
            else:
                warnings.append(f"no spot prices returned for {region}; its existing spot rows were kept")
        else:
            got = fetch_storage_rates(clients.pricing, region, today=today, sleep=sleep)
            if not got.rows:
                raise RefreshError(f"AWS returned no S3/EBS/EFS prices for {region}; check the region code")
            fetched["storage_rates"].extend(got)
            scopes.append(Scope.of_groups("storage_rates", region, STORAGE_GROUP, got.rows))
    for got in fetched.values():
        warnings.extend(got.warnings)
    return fetched, scopes, warnings


def _sort_key(name: str) -> Callable[[dict[str, str]], tuple[str, ...]]:
    key = TABLES[name].key
    return lambda row: tuple(row[k] for k in key)


def _write_snapshot(
    staging: Path,
    data_dir: Path,
    fetched: dict[str, Fetched],
    scopes: list[Scope],
    options: RefreshOptions,
    known_types: set[str],
    now: datetime,
    files: list[PriceFile] | None = None,
) -> tuple[dict[str, int], dict[str, int], list[str], list[str]]:
    """Write the merged snapshot to ``staging``; return (rows, replaced, skipped types, warnings).

    ``files``: the public price-list files used, recorded in the manifest's ``price_list_files``.
    """
    old_manifest = read_manifest(data_dir)
    entries: dict[str, Any] = dict(old_manifest.get("tables", {}))
    sources: dict[str, str] = dict(old_manifest.get("sources", {}))
    counts: dict[str, int] = {}
    replaced: dict[str, int] = {}
    skipped: set[str] = set()
    warnings: list[str] = []
    today = now.date().isoformat()
    for name, spec in TABLES.items():
        table_scopes = [s for s in scopes if s.table == name]
        if not table_scopes:
            if name in OPTIONAL_TABLES and not (data_dir / spec.file).exists():
                continue  # an optional table the snapshot does not have stays absent
            shutil.copyfile(data_dir / spec.file, staging / spec.file)
            continue
        new_rows = []
        for row in fetched[name].rows:
            if name in SPEC_CHECKED and row["instance_type"] not in known_types:
                skipped.add(row["instance_type"])
                continue
            new_rows.append(row)
        old_rows = read_table_rows(data_dir, name)
        kept: list[dict[str, str]] = []
        gone: list[dict[str, str]] = []
        for row in old_rows:
            (gone if any(s.covers(row) for s in table_scopes) else kept).append(row)
        new_keys = {tuple(r[k] for k in spec.key) for r in new_rows}
        dropped = [r for r in gone if tuple(r[k] for k in spec.key) not in new_keys]
        if dropped:
            warnings.append(
                f"{spec.file}: {len(dropped)} earlier rows have no counterpart in the refreshed "
                f"data and were removed (e.g. {', '.join(dropped[0][k] for k in spec.key)}); "
                "`planner refresh --rollback` restores them"
            )
        rows = sorted(kept + new_rows, key=_sort_key(name))
        short_sources = sorted({r["source"] for r in new_rows})
        regions = sorted({s.region for s in table_scopes})
        old_entry = entries.get(name, {})
        entry = write_table(
            staging,
            name,
            rows,
            origin=ORIGIN_REFRESH,
            source=(
                f"refresh {today} ({', '.join(regions)}): {'; '.join(short_sources)}; "
                f"other rows: {spec.description}"
            ),
        )
        entry["refreshed_regions"] = sorted(set(old_entry.get("refreshed_regions", [])) | set(regions))
        entry["refreshed_at"] = now.isoformat(timespec="seconds")
        entries[name] = entry
        counts[name] = len(new_rows)
        replaced[name] = len(gone)
        sources.update({s: d for s, d in fetched[name].sources.items() if s in short_sources})
    for extra in data_dir.iterdir():  # e.g. a README kept with the snapshot
        if (
            extra.is_file()
            and extra.name != MANIFEST_FILE
            and extra.name not in {spec.file for spec in TABLES.values()}
        ):
            shutil.copy2(extra, staging / extra.name)
    write_manifest(
        staging,
        entries,
        sources=sources,
        built_from=str(old_manifest.get("built_from", "")),
        extra={
            "last_refresh": {
                "at": now.isoformat(timespec="seconds"),
                "source": str(options.source),
                "regions": list(options.regions),
                "tables": [str(t) for t in options.table_list],
                "families": list(options.families) or ["all"],
            },
            **(
                {
                    "price_list_files": files_manifest(
                        files or [], old_manifest.get("price_list_files") or {},
                        now.isoformat(timespec="seconds"),
                    )
                }
                if files or old_manifest.get("price_list_files")
                else {}
            ),
        },
    )
    write_columnar_copies(staging)  # validated here once; a snapshot that fails keeps none new
    return counts, replaced, sorted(skipped), warnings


def refresh(
    options: RefreshOptions,
    data_dir: Path | None = None,
    progress: Progress | None = None,
    *,
    clients: AwsClients | None = None,
    opener: Opener = https_opener,
    now: datetime | None = None,
    sleep: Sleep = time.sleep,
) -> RefreshReport:
    """Refresh prices for ``options`` into the snapshot at ``data_dir`` (see module doc).

    ``clients``, ``opener``, ``now`` and ``sleep`` are for tests (stubbed AWS clients, a fake
    download, a fixed clock, no back-off pauses).
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    with swap.exclusive(data_dir):
        return _refresh(options, data_dir, progress, clients, opener, now, sleep)


def _refresh(
    options: RefreshOptions,
    data_dir: Path,
    progress: Progress | None,
    clients: AwsClients | None,
    opener: Opener,
    now: datetime | None,
    sleep: Sleep,
) -> RefreshReport:
    report = progress or (lambda _fraction, _message: None)
    now = now or datetime.now(UTC)
    try:
        current = load_catalog(data_dir)
    except CatalogError as exc:
        raise RefreshError(
            f"the current snapshot at {data_dir} cannot be loaded ({exc}); "
            "restore it (planner refresh --rollback) before refreshing"
        ) from None
    known_types = set(current.instance_specs["instance_type"])
    files: list[PriceFile] = []
    http: PriceListHttp | None = None
    if options.source is PriceSource.PUBLIC:
        http = PriceListHttp(base_url(options.price_list_url), swap.download_dir(data_dir), sleep=sleep)
        public = fetch_public(options, http, report)
        fetched, scopes, warnings, files = public.fetched, public.scopes, public.warnings, public.files
    else:
        if clients is None:
            clients = make_clients(options.profile, options.pricing_region)
        fetched, scopes, warnings = _fetch(options, clients, report, now=now, opener=opener, sleep=sleep)
    report(0.99, "validating and installing the new snapshot")
    staging = swap.staging_dir(data_dir)
    try:
        counts, replaced, skipped, merge_warnings = _write_snapshot(
            staging, data_dir, fetched, scopes, options, known_types, now, files
        )
        backup = swap.install(staging, data_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise RefreshError(
            f"could not write the new snapshot beside {data_dir} ({exc.strerror or exc}); free some "
            "disk space and retry; the current snapshot was left unchanged"
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if http is not None:
        http.clear()
    report(1.0, "done")
    if skipped:
        warnings.append(
            f"{len(skipped)} instance types priced by AWS are not in instance_specs and were "
            f"left out: {', '.join(skipped[:10])}{' …' if len(skipped) > 10 else ''}"
        )
    return RefreshReport(
        data_dir=data_dir,
        backup_dir=backup,
        regions=options.regions,
        tables=options.table_list,
        rows=counts,
        replaced_rows=replaced,
        skipped_instance_types=tuple(skipped),
        warnings=tuple(warnings + merge_warnings),
    )
