"""The price list views: compute rates joined with instance specs, and SageMaker prices by
component, filtered, in long form."""

from __future__ import annotations

from datetime import date

import pandas as pd

from planner.billing import PurchaseOption
from planner.catalog.loader import Catalog
from planner.catalog.query import check_instance_type, check_region
from planner.errors import InputError, UnknownNameError

PRICE_COLUMNS = (
    "region", "instance_type", "family", "vcpu", "memory_gib", "accelerator",
    "accelerator_count", "purchase_option", "term_years", "offering_class", "payment_option",
    "plan_type", "upfront_usd", "hourly_usd", "effective_hourly_usd", "as_of", "source",
)

SAGEMAKER_COLUMNS = ("region", "instance_type", "component", "hourly_usd", "as_of", "source")
"""Columns of :func:`sagemaker_table` (those of the ``sagemaker_rates`` snapshot table)."""

SAGEMAKER_PREFIX = "ml."
"""SageMaker instance types are EC2 types with this prefix (``ml.p3.2xlarge``)."""


def is_sagemaker_type(name: str | None) -> bool:
    """True for a SageMaker instance type or family name (``ml.p3.2xlarge``, ``ml.p3``)."""
    return bool(name) and str(name).startswith(SAGEMAKER_PREFIX)


def sagemaker_table(
    catalog: Catalog,
    *,
    region: str | None = None,
    family: str | None = None,
    instance_type: str | None = None,
    component: str | None = None,
) -> pd.DataFrame:
    """SageMaker prices [USD per instance-hour] matching every filter given, sorted by region,
    instance type and component. ``family`` is ``ml.p3`` style. Unknown names raise with the
    closest valid names."""
    rates = catalog.sagemaker_rates
    mask = pd.Series(True, index=rates.index)
    if region is not None:
        regions = set(rates["region"]) | catalog.region_set
        if region not in regions:
            raise UnknownNameError("region", region, regions)
        mask &= rates["region"] == region
    if instance_type is not None:
        types = set(rates["instance_type"])
        if instance_type not in types:
            raise UnknownNameError("SageMaker instance type", instance_type, types)
        mask &= rates["instance_type"] == instance_type
    if family is not None:
        families = {t.rsplit(".", 1)[0] for t in rates["instance_type"]}
        if family not in families:
            raise UnknownNameError("SageMaker family", family, families)
        mask &= rates["instance_type"].str.startswith(family + ".")
    if component is not None:
        components = set(rates["component"])
        if component not in components:
            raise UnknownNameError("SageMaker component", component, components)
        mask &= rates["component"] == component
    table = rates.loc[mask].sort_values(["region", "instance_type", "component"], kind="stable")
    return table.loc[:, list(SAGEMAKER_COLUMNS)].reset_index(drop=True)


def price_table(
    catalog: Catalog,
    *,
    region: str | None = None,
    family: str | None = None,
    instance_type: str | None = None,
    option: str | None = None,
) -> pd.DataFrame:
    """Rates matching every filter given, sorted by region, instance type and option.

    Unknown region, family or instance type raise with the closest valid names.
    """
    rates = catalog.compute_rates
    mask = pd.Series(True, index=rates.index)
    if region is not None:
        check_region(catalog, region)
        mask &= rates["region"] == region
    if instance_type is not None:
        check_instance_type(catalog, instance_type)
        mask &= rates["instance_type"] == instance_type
    if family is not None:
        families = set(catalog.instance_specs["family"])
        if family not in families:
            raise UnknownNameError("family", family, families)
        prefix = family + "."
        mask &= rates["instance_type"].str.startswith(prefix)
    if option is not None:
        try:
            PurchaseOption(option)
        except ValueError:
            allowed = ", ".join(o.value for o in PurchaseOption)
            raise InputError("option", f"must be one of {allowed} (got {option!r})") from None
        mask &= rates["purchase_option"] == option
    selected = rates.loc[mask]
    specs = catalog.instance_specs[
        ["instance_type", "family", "vcpu", "memory_gib", "accelerator", "accelerator_count"]
    ]
    table = selected.merge(specs, on="instance_type", how="left")
    table["term_years"] = table["term_years"].astype(int)
    table["vcpu"] = table["vcpu"].astype(int)
    table["accelerator_count"] = table["accelerator_count"].astype(int)
    order = {o.value: i for i, o in enumerate(PurchaseOption)}
    table = table.assign(_o=table["purchase_option"].map(order)).sort_values(
        ["region", "instance_type", "_o", "term_years"], kind="stable"
    )
    return table.loc[:, list(PRICE_COLUMNS)].reset_index(drop=True)


STALE_AFTER_DAYS = 90
"""A table whose newest price is older than this is flagged stale on the Price data page [days]."""


def stale_tables(
    catalog: Catalog, today: date, *, max_age_days: int = STALE_AFTER_DAYS
) -> list[tuple[str, str, int]]:
    """(table, as_of, age in days) of every table with prices dated more than ``max_age_days``
    before ``today``; undated tables are not listed (their rows say "undated")."""
    stale = []
    for info in catalog.tables.values():
        try:
            newest = date.fromisoformat(info.as_of)
        except ValueError:
            continue
        age = (today - newest).days
        if age > max_age_days:
            stale.append((info.name, info.as_of, age))
    return stale
