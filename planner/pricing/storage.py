"""Storage pricing: S3, EBS and EFS items → monthly line items.

The rules live in :mod:`planner.pricing.s3`, :mod:`planner.pricing.ebs` and
:mod:`planner.pricing.efs`; volume tiers in :mod:`planner.pricing.tiers`. Every function takes the
item, the loaded catalog, the plan's region and its hours per month, and returns one
:class:`~planner.lineitem.LineItem` per charged dimension (kind ``s3``/``ebs``/``efs``, resource =
storage class or volume type, dimension = the snapshot's dimension name). A price the snapshot
lacks gives a line with ``unit_price_usd=None``; ``unit_prices`` on the item overrides a dimension
by name and marks the line ``source="override"``.
"""

from __future__ import annotations

from planner.catalog.loader import Catalog
from planner.errors import InputError
from planner.lineitem import LineItem
from planner.plan import EbsItem, EfsItem, S3Item
from planner.pricing import ebs, efs, s3
from planner.pricing.ebs import price_ebs
from planner.pricing.efs import price_efs
from planner.pricing.s3 import price_s3
from planner.pricing.tiers import base_key

StorageItem = S3Item | EbsItem | EfsItem


def price_storage(
    item: StorageItem, catalog: Catalog, region: str, hours_per_month: float
) -> list[LineItem]:
    """Dispatch on the item's kind, after checking its ``unit_prices`` names (a misspelt override
    would otherwise be ignored without a word)."""
    unknown = sorted(
        key for key in item.unit_prices if base_key(key) not in set(override_keys(item))
    )
    if unknown:
        allowed = ", ".join(override_keys(item))
        raise InputError(
            "unit_prices",
            f"{unknown[0]!r} is not a price of this item; use one of {allowed} (a tiered one also "
            "per tier: <name>_tier1, _tier2, …)",
        )
    if isinstance(item, S3Item):
        return price_s3(item, catalog, region, hours_per_month)
    if isinstance(item, EbsItem):
        return price_ebs(item, catalog, region, hours_per_month)
    return price_efs(item, catalog, region, hours_per_month)


def override_keys(item: StorageItem) -> list[str]:
    """The ``unit_prices`` names that can override a line of ``item`` (for forms and help)."""
    if isinstance(item, S3Item):
        return s3.overridable_dimensions(item)
    if isinstance(item, EbsItem):
        return ebs.overridable_dimensions(item)
    return efs.overridable_dimensions(item)


__all__ = [
    "StorageItem",
    "override_keys",
    "price_ebs",
    "price_efs",
    "price_s3",
    "price_storage",
]
