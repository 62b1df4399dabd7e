"""``planner refresh``: fetch today's AWS prices into the snapshot (or roll back to the last one).

Progress goes to stderr, one line per region and file or service; the summary (rows per table)
goes to stdout in ``--format table|csv|json``. ``--source public`` reads AWS's public price-list
files (no account; ``--price-list-url`` / ``$PLANNER_PRICE_LIST_URL`` for a mirror). The other
sources need AWS credentials (standard chain or ``--profile``) with pricing:GetProducts,
pricing:DescribeServices, pricing:ListPriceLists, pricing:GetPriceListFileUrl,
savingsplans:DescribeSavingsPlansOfferingRates and ec2:DescribeSpotPriceHistory.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from planner.cli.output import add_format_argument

HELP = "refresh prices from the AWS Price List, Savings Plans and spot APIs (or --rollback)"

TABLE_CHOICES = ("compute", "storage", "spot", "savings_plans", "sagemaker")
PRICING_REGIONS = ("us-east-1", "eu-central-1", "ap-south-1")
"""Copies of the refresh's choices for ``--help`` (kept here so --help does not import boto3);
``run`` checks against :mod:`planner.refresh.records` itself."""
COLUMNS = ("table", "new_rows", "replaced_rows")


def _csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--regions", default="us-east-1", help="comma-separated region codes (default us-east-1)"
    )
    parser.add_argument(
        "--families",
        default=None,
        help="comma-separated instance families (default: the planner's families; 'all' = every "
        "family, read from the bulk price-list file)",
    )
    parser.add_argument(
        "--tables",
        default=None,
        help=f"comma-separated subset of {','.join(TABLE_CHOICES)} (default: all the source has; "
        "spot needs credentials, sagemaker the public source)",
    )
    parser.add_argument("--profile", default=None, help="AWS profile name (default: standard chain)")
    parser.add_argument(
        "--pricing-region",
        default="us-east-1",
        help=f"Price List API endpoint region: {' | '.join(PRICING_REGIONS)}",
    )
    parser.add_argument("--days", type=int, default=7, help="days of spot history, 1–90 (default 7)")
    parser.add_argument(
        "--source",
        default="auto",
        choices=("auto", "api", "bulk", "public"),
        help="public: AWS's public price-list files, no account needed; with credentials: EC2 "
        "prices from GetProducts (api), the bulk CSV (bulk) or auto",
    )
    parser.add_argument(
        "--price-list-url",
        default=None,
        help="base URL of the public price-list files (default $PLANNER_PRICE_LIST_URL or "
        "https://pricing.us-east-1.amazonaws.com)",
    )
    parser.add_argument(
        "--rollback", action="store_true", help="put the previous snapshot back instead of refreshing"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="snapshot folder (default $PLANNER_DATA_DIR or pricing_data/)",
    )
    add_format_argument(parser)


def _progress(fraction: float, message: str) -> None:
    sys.stderr.write(f"[{fraction * 100:3.0f}%] {message}\n")
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from planner.cli.output import to_csv, to_json, to_table
    from planner.errors import InputError

    if args.rollback:
        from planner.refresh.run import rollback

        moved = rollback(args.data_dir)
        print(f"restored the previous snapshot; the replaced one is kept at {moved}")
        return 0

    from planner.refresh.run import (
        DEFAULT_FAMILIES,
        PriceSource,
        RefreshOptions,
        RefreshTable,
        refresh,
    )

    # RefreshOptions checks the values (pricing region, --days, regions, families); only the
    # names that must become enums first are checked here
    tables = None if args.tables is None else _csv_list(args.tables)
    valid = [str(t) for t in RefreshTable]
    bad = [t for t in tables or [] if t not in valid]
    if bad or tables == []:
        raise InputError("--tables", f"{','.join(bad) or 'empty'}: use a subset of {','.join(valid)}")
    if args.families is None:
        families: tuple[str, ...] = DEFAULT_FAMILIES
    elif args.families.strip().lower() == "all":
        families = ()
    else:
        families = tuple(_csv_list(args.families))
        if not families:
            raise InputError("--families", "name at least one family, e.g. p4d,m5, or 'all'")
    try:
        options = RefreshOptions(
            regions=tuple(_csv_list(args.regions)),
            families=families,
            tables=None if tables is None else tuple(RefreshTable(t) for t in tables),
            profile=args.profile,
            pricing_region=args.pricing_region,
            spot_days=args.days,
            source=PriceSource(args.source),
            price_list_url=args.price_list_url,
        )
    except InputError as exc:
        raise InputError(f"--{exc.field.replace('_', '-')}", exc.problem) from None
    report = refresh(options, args.data_dir, _progress)
    records: list[dict[str, Any]] = [
        {"table": name, "new_rows": report.rows[name], "replaced_rows": report.replaced_rows[name]}
        for name in report.rows
    ]
    for warning in report.warnings:
        sys.stderr.write(f"warning: {warning}\n")
    if args.format == "json":
        sys.stdout.write(
            to_json(
                {
                    "data_dir": str(report.data_dir),
                    "backup_dir": str(report.backup_dir),
                    "regions": list(report.regions),
                    "tables": records,
                    "skipped_instance_types": list(report.skipped_instance_types),
                    "warnings": list(report.warnings),
                }
            )
        )
    elif args.format == "csv":
        sys.stdout.write(to_csv(records, COLUMNS))
    else:
        sys.stdout.write(to_table(records, COLUMNS))
        sys.stdout.write(
            f"snapshot updated in {report.data_dir}; previous one kept at "
            f"{report.backup_dir} (undo: planner refresh --rollback)\n"
        )
    return 0
