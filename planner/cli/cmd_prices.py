"""``planner prices``: the snapshot's compute prices, filtered; SageMaker prices by component for
``ml.*`` instance types or families (``--instance ml.p3.2xlarge``) or ``--component``."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from planner.cli.output import add_format_argument

if TYPE_CHECKING:
    from planner.catalog import Catalog

HELP = "list compute or SageMaker (ml.*) prices from the snapshot, filtered"

TABLE_COLUMNS = (
    "region", "instance_type", "purchase_option", "term_years", "offering_class",
    "payment_option", "plan_type", "upfront_usd", "hourly_usd", "effective_hourly_usd", "as_of",
    "source",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", help="AWS region code, e.g. us-east-1")
    parser.add_argument("--family", help="instance family, e.g. p4d, m5, trn1 (SageMaker: ml.p3)")
    parser.add_argument(
        "--instance", help="instance type, e.g. p3.2xlarge (SageMaker: ml.p3.2xlarge)"
    )
    parser.add_argument(
        "--component",
        help="SageMaker component, e.g. training, hosting, notebook, processing, batch_transform "
        "(lists SageMaker prices)",
    )
    parser.add_argument(
        "--option", choices=("on_demand", "reserved", "savings_plan", "spot"),
        help="purchase option",
    )
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from planner.catalog import load_catalog
    from planner.cli.output import frame_records, to_csv, to_json, to_table
    from planner.prices import PRICE_COLUMNS, is_sagemaker_type, price_table

    catalog = load_catalog()
    if args.component or is_sagemaker_type(args.instance) or is_sagemaker_type(args.family):
        return _sagemaker(args, catalog)
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


def _sagemaker(args: argparse.Namespace, catalog: Catalog) -> int:
    from planner.cli.output import frame_records, to_csv, to_json, to_table
    from planner.errors import InputError
    from planner.prices import SAGEMAKER_COLUMNS, sagemaker_table

    if args.option is not None:
        raise InputError("--option", "SageMaker prices are on-demand only; leave --option out")
    table = sagemaker_table(
        catalog, region=args.region, family=args.family, instance_type=args.instance,
        component=args.component,
    )
    records = frame_records(table)
    if args.format == "json":
        sys.stdout.write(to_json({"sagemaker_prices": records, "rows": len(records)}))
    elif args.format == "csv":
        sys.stdout.write(to_csv(records, SAGEMAKER_COLUMNS))
    elif not records:
        sys.stdout.write("no SageMaker prices match (the snapshot lacks this combination)\n")
    else:
        sys.stdout.write(to_table(records, SAGEMAKER_COLUMNS))
        sys.stdout.write(f"{len(records)} rows; USD per instance-hour; snapshot as of {catalog.as_of}\n")
    return 0
