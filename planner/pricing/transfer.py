"""Data transfer: out to the internet, in, between regions and between Availability Zones.

Sources (AWS):
- Amazon EC2 on-demand pricing, "Data Transfer" (the same table sits on the S3 pricing page;
  both are driven by the ``datatransfer`` pricing-page feed): data transfer out to the internet
  per GB in monthly volume tiers (first 10 TB, next 40 TB, next 100 TB, over 150 TB), the tiers
  counted on the account's total across services, EC2 and S3 alike; data transfer in is free;
  data transfer to another region per GB, charged to the source region; "data transferred across
  Availability Zones ... $0.01/GB in each direction" (not in any reachable feed: typed rate).
- Amazon S3 pricing: the first 100 GB a month out to the internet is free, aggregated across
  services and regions (per account).

Modelling choice: the plan's internet-out items share one set of tiers and one allowance per
month; each item pays its share (its GB ÷ the month's total) of the tiered charge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from planner.catalog.loader import Catalog
from planner.catalog.query import StorageRate
from planner.errors import InputError
from planner.lineitem import (
    MISSING,
    MISSING_NOTE,
    OVERRIDE_SOURCE,
    LineItem,
    PriceQuote,
    billed,
    recurring,
)
from planner.plan import DataTransferItem, TransferType
from planner.pricing.tiers import (
    Charge,
    apply_tier_overrides,
    base_key,
    fmt_money,
    fmt_num,
    fmt_usd,
    price_charge,
    snapshot_quote,
    tiered_costs,
)

KIND = "data_transfer"
INTERNET = "internet"
ALLOWANCE_TYPE = "internet_out_free_allowance"
DIMENSION: dict[TransferType, str] = {
    TransferType.INTERNET_OUT: "internet_out",
    TransferType.INTERNET_IN: "internet_in",
    TransferType.INTER_REGION: "inter_region",
    TransferType.INTER_AZ: "inter_az",
}
"""Transfer type → line dimension (also its ``unit_prices`` key)."""
INTER_AZ_DIRECTIONS = 2
"""Traffic between Availability Zones is billed out of one and into the other (each direction)."""


def overridable_dimensions(item: DataTransferItem) -> list[str]:
    return [DIMENSION[item.transfer_type]]


def check_overrides(item: DataTransferItem) -> None:
    allowed = overridable_dimensions(item)
    for key in item.unit_prices:
        if base_key(key) not in allowed:
            extra = " (a tier: internet_out_tier1 … _tier4)" if allowed == ["internet_out"] else ""
            raise InputError(
                "unit_prices", f"{key!r} is not a price of this item; use {allowed[0]}{extra}"
            )


@lru_cache(maxsize=8)
def _index(catalog: Catalog) -> dict[tuple[str, str, str], tuple[StorageRate, ...]]:
    frame = catalog.data_transfer_rates
    groups: dict[tuple[str, str, str], list[StorageRate]] = {}
    for kind, source, dest, unit, begin, end, price, as_of, src in zip(
        frame["transfer_type"], frame["from_region"], frame["to_region"], frame["unit"],
        frame["tier_begin"], frame["tier_end"], frame["price_usd"], frame["as_of"],
        frame["source"], strict=True,
    ):
        groups.setdefault((str(kind), str(source), str(dest)), []).append(StorageRate(
            region=str(source), service=KIND, storage_class=str(kind), dimension=str(kind),
            unit=str(unit), tier_begin=float(begin), tier_end=float(end),
            price_usd=float(price), as_of=str(as_of), source=str(src),
        ))
    return {k: tuple(sorted(v, key=lambda r: r.tier_begin)) for k, v in groups.items()}


def transfer_rates(
    catalog: Catalog, transfer_type: str, from_region: str, to_region: str
) -> tuple[StorageRate, ...]:
    """The snapshot's tiers for one transfer, lowest first; empty when it lacks them."""
    return _index(catalog).get((transfer_type, from_region, to_region), ())


def free_allowance(catalog: Catalog) -> StorageRate | None:
    """The monthly free allowance out to the internet (its GB in ``tier_end``), if in snapshot."""
    rates = _index(catalog).get((ALLOWANCE_TYPE, "ALL", INTERNET), ())
    return rates[0] if rates else None


def price_transfer(item: DataTransferItem, catalog: Catalog, region: str) -> LineItem:
    """One monthly line for inter-region, inter-AZ or inbound transfer."""
    check_overrides(item)
    kind = item.transfer_type
    dim = DIMENSION[kind]
    resource = f"{item.service.value} {kind.value}"
    if kind is TransferType.INTER_REGION:
        dest = item.to_region or ""
        if dest == region:
            raise InputError("to_region", f"must differ from the plan's region {region}")
        if dest not in {k[2] for k in _index(catalog) if k[0] == "inter_region_out"} and (
            dim not in item.unit_prices
        ) and len(catalog.data_transfer_rates):
            known = sorted({k[2] for k in _index(catalog) if k[0] == "inter_region_out"})
            raise InputError("to_region", f"unknown region {dest!r}; known: {', '.join(known[:8])}, …")
        tiers = transfer_rates(catalog, "inter_region_out", region, dest)
        charge = Charge(dim, item.gb_per_month, "GB", tiers,
                        note=f"{region} → {dest}, charged to {region}")
    elif kind is TransferType.INTER_AZ:
        charge = Charge(
            dim, item.gb_per_month, "GB", (), scale=INTER_AZ_DIRECTIONS,
            scale_text=" × 2 directions",
            note="billed out of one Availability Zone and into the other; the snapshot has no "
            "inter-AZ rate (AWS page: $0.01/GB in each direction), enter it as unit_prices.inter_az",
        )
    else:
        tiers = transfer_rates(catalog, "internet_in", region, INTERNET)
        charge = Charge(dim, item.gb_per_month, "GB", tiers, note="data in from the internet")
    return price_charge(item.name, KIND, resource, charge, item.unit_prices)


@dataclass(frozen=True, slots=True)
class Outbound:
    """One internet-out item and its GB in each month of the plan."""

    item: DataTransferItem
    gb: npt.NDArray[np.float64]


def price_internet_out(
    members: Sequence[Outbound], catalog: Catalog, region: str
) -> list[LineItem]:
    """Lines of the plan's internet-out items, month by month: the month's total GB less the
    shared free allowance is priced by the volume tiers; each item pays its share."""
    snapshot_tiers = transfer_rates(catalog, "internet_out", region, INTERNET)
    allowance_row = free_allowance(catalog)
    given = [m.item.free_allowance_gb for m in members if m.item.free_allowance_gb is not None]
    if given:
        allowance, allowance_text = min(given), "free allowance (given)"
    elif allowance_row is not None:
        allowance = allowance_row.tier_end
        allowance_text = f"free allowance ({allowance_row.source}, {allowance_row.as_of})"
    else:
        allowance, allowance_text = 0.0, "free allowance not in snapshot"
    total = np.sum([m.gb for m in members], axis=0)
    billable = np.clip(total - allowance, 0.0, None)
    lines = []
    for m in members:
        item = m.item
        check_overrides(item)
        share = np.divide(m.gb, total, out=np.zeros_like(total), where=total > 0)
        resource = f"{item.service.value} internet_out"
        flat = item.unit_prices.get("internet_out")
        tiers, overridden = apply_tier_overrides("internet_out", snapshot_tiers, item.unit_prices)
        month = int(np.flatnonzero(m.gb)[0]) if m.gb.any() else 0
        if flat is None and not tiers:
            line = recurring(item.name, KIND, resource, "internet_out", float(m.gb[month]), "GB",
                             MISSING,
                             formula=f"{fmt_num(m.gb[month])} GB × (price {MISSING_NOTE})")
            lines.append(billed(line, np.zeros_like(total)))
            continue
        if flat is not None:
            cost = billable * flat
            rate_text = f"{fmt_usd(flat)} (override)"
        else:
            cost = tiered_costs(billable, tiers)
            rate_text = _tier_text(float(billable[month]), tiers)
        months_usd = cost * share
        gb = float(m.gb[month])
        first = float(months_usd[month])
        unit = first / gb if gb > 0 else 0.0
        quote = snapshot_quote(tiers, unit) if flat is None and not overridden else None
        price = quote or PriceQuote(price_usd=unit, as_of="", source=OVERRIDE_SOURCE)
        formula = (
            f"month {month + 1}: plan's internet out {fmt_num(float(total[month]))} GB − "
            f"{fmt_num(allowance)} GB {allowance_text} = {fmt_num(float(billable[month]))} GB: "
            f"{rate_text} = {fmt_money(float(cost[month]))}; this item's share "
            f"{fmt_num(gb)}/{fmt_num(float(total[month]))} GB = {fmt_money(first)} "
            f"(tiers and allowance counted on the account's total, EC2 and S3 alike)"
        )
        line = recurring(item.name, KIND, resource, "internet_out", gb, "GB", price, formula)
        lines.append(billed(line, months_usd))
    return lines


def _tier_text(quantity: float, tiers: Sequence[StorageRate]) -> str:
    parts = []
    for tier in tiers:
        amount = min(quantity, tier.tier_end) - tier.tier_begin
        if amount > 0:
            parts.append(f"{fmt_num(amount)} GB × {fmt_usd(tier.price_usd)}")
    return "(" + (" + ".join(parts) or "0 GB") + ")"
