"""``planner prices``: the snapshot's compute prices, filtered."""

from __future__ import annotations

import argparse
import sys

from planner.cli.output import add_format_argument

HELP = "list compute prices from the snapshot (filter by region, family, instance, option)"

TABLE_COLUMNS = (
    "region", "instance_type", "purchase_option", "term_years", "payment_option",
    "upfront_usd", "hourly_usd", "effective_hourly_usd", "as_of", "source",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", help="AWS region code, e.g. us-east-1")
    parser.add_argument("--family", help="instance family, e.g. p4d, m5, trn1")
    parser.add_argument("--instance", help="instance type, e.g. p3.2xlarge")
    parser.add_argument(
        "--option", choices=("on_demand", "reserved", "savings_plan", "spot"),
        help="purchase option",
    )
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from planner.catalog import load_catalog
    from planner.cli.output import frame_records, to_csv, to_json, to_table
    from planner.prices import PRICE_COLUMNS, price_table

    catalog = load_catalog()
    table = price_table(
        catalog, region=args.region, family=args.family, instance_type=args.instance,
        option=args.option,
    )
    records = frame_records(table)
    if args.format == "json":
        sys.stdout.write(to_json({"prices": records, "rows": len(records)}))
    elif args.format == "csv":
        sys.stdout.write(to_csv(records, PRICE_COLUMNS))
    else:
        if not records:
            sys.stdout.write("no prices match (the snapshot lacks this combination)\n")
            return 0
        sys.stdout.write(to_table(records, TABLE_COLUMNS))
        sys.stdout.write(f"{len(records)} rows; snapshot as of {catalog.as_of}\n")
    return 0
