"""``planner prices``: the snapshot's compute prices, filtered; SageMaker prices by component for
``ml.*`` instance types or families (``--instance ml.p3.2xlarge``) or ``--component``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

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
    from planner.cli.output import frame_records
    from planner.prices import PRICE_COLUMNS, is_sagemaker_type, price_table

    catalog = load_catalog()
    if args.component or is_sagemaker_type(args.instance) or is_sagemaker_type(args.family):
        return _sagemaker(args, catalog)
    table = price_table(
        catalog, region=args.region, family=args.family, instance_type=args.instance,
        option=args.option,
    )
    return _write(args.format, frame_records(table), key="prices", csv_columns=PRICE_COLUMNS,
                  table_columns=TABLE_COLUMNS, what="prices",
                  footer=f"snapshot as of {catalog.as_of}")


def _sagemaker(args: argparse.Namespace, catalog: Catalog) -> int:
    from planner.cli.output import frame_records
    from planner.errors import InputError
    from planner.prices import SAGEMAKER_COLUMNS, sagemaker_table

    if args.option is not None:
        raise InputError("--option", "SageMaker prices are on-demand only; leave --option out")
    table = sagemaker_table(
        catalog, region=args.region, family=args.family, instance_type=args.instance,
        component=args.component,
    )
    return _write(args.format, frame_records(table), key="sagemaker_prices",
                  csv_columns=SAGEMAKER_COLUMNS, table_columns=SAGEMAKER_COLUMNS,
                  what="SageMaker prices",
                  footer=f"USD per instance-hour; snapshot as of {catalog.as_of}")


def _write(fmt: str, records: list[dict[str, Any]], *, key: str, csv_columns: Sequence[str],
           table_columns: Sequence[str], what: str, footer: str) -> int:
    """Print price records as JSON (``{key: [...], "rows": n}``), CSV or a table."""
    from planner.cli.output import to_csv, to_json, to_table

    if fmt == "json":
        sys.stdout.write(to_json({key: records, "rows": len(records)}))
    elif fmt == "csv":
        sys.stdout.write(to_csv(records, csv_columns))
    elif not records:
        sys.stdout.write(f"no {what} match (the snapshot lacks this combination)\n")
    else:
        sys.stdout.write(to_table(records, table_columns))
        sys.stdout.write(f"{len(records)} rows; {footer}\n")
    return 0
