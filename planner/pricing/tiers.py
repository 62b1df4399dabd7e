"""Volume tiers and the priced line of one storage dimension (shared by S3, EBS and EFS).

A storage dimension's price comes as tiers: the rate for the part of the quantity in
``[tier_begin, tier_end)``. S3 Standard and Intelligent-Tiering Frequent Access storage has three
(0–51,200 GB, 51,200–512,000 GB, over 512,000 GB: "first 50 TB / next 450 TB / over 500 TB" with
1 TB = 1,024 GB, as the AWS Price List ranges say); EBS io2 IOPS has three per volume; EBS gp3 IOPS
and throughput have one tier that begins at the free baseline (3,000 IOPS, 125 MiB/s), so the part
of the quantity below the first tier's begin is not charged. Every other dimension is one tier
from 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

from planner.catalog.query import StorageRate
from planner.errors import InputError
from planner.lineitem import MISSING_NOTE, OVERRIDE_SOURCE, LineItem, PriceQuote, quote, recurring

KIB_PER_GIB = 1024.0 * 1024.0
"""KB in a GB as S3 counts object sizes (binary units: 1 KB = 1,024 bytes, 1 GB = 2^30 bytes)."""


@dataclass(frozen=True, slots=True)
class TierSegment:
    """The part of a quantity that falls in one price tier."""

    quantity: float
    price_usd: float
    tier_begin: float
    tier_end: float

    @property
    def cost_usd(self) -> float:
        return self.quantity * self.price_usd


def tier_segments(quantity: float, tiers: Sequence[StorageRate]) -> list[TierSegment]:
    """Split ``quantity`` over ``tiers`` (lowest first); parts in no tier are free."""
    segments: list[TierSegment] = []
    for tier in sorted(tiers, key=lambda t: t.tier_begin):
        amount = min(quantity, tier.tier_end) - tier.tier_begin
        if amount > 0:
            segments.append(TierSegment(amount, tier.price_usd, tier.tier_begin, tier.tier_end))
    return segments


def tiered_costs(quantity: np.ndarray, tiers: Sequence[StorageRate]) -> np.ndarray:
    """Cost [USD] of each quantity of an array under volume tiers:
    Σ over tiers (lowest first) of max(0, min(q, tier_end) − tier_begin) × price.

    Each tier charges its rate for the part of the quantity in ``[tier_begin, tier_end)``; the part
    below the first tier's begin (a free baseline such as gp3's 3,000 IOPS) costs nothing, and so
    does a quantity ≤ 0.
    """
    cost = np.zeros_like(quantity, dtype=float)
    for tier in sorted(tiers, key=lambda t: t.tier_begin):
        in_tier = np.clip(np.minimum(quantity, tier.tier_end) - tier.tier_begin, 0.0, None)
        cost += in_tier * tier.price_usd
    return cost


def tiered_cost(quantity: float, tiers: Sequence[StorageRate]) -> float:
    """Cost [USD] of ``quantity`` priced by volume tiers (one value of :func:`tiered_costs`).

    Example: 60,000 GB of S3 Standard = 51,200 × $0.023 + 8,800 × $0.022 = $1,371.20.
    """
    return float(tiered_costs(np.array([quantity], dtype=float), tiers)[0])


# --- per-tier overrides -----------------------------------------------------------------------

TIER_KEY = re.compile(r"^(?P<dimension>.+)_tier(?P<tier>[1-9][0-9]*)$")
"""``unit_prices`` key of one tier's rate: ``<dimension>_tier<n>`` (n = 1 for the lowest tier)."""


def base_key(key: str) -> str:
    """The dimension a ``unit_prices`` key prices: ``iops_tier2`` → ``iops``."""
    match = TIER_KEY.match(key)
    return match["dimension"] if match else key


def tier_overrides(key: str, overrides: Mapping[str, float] | None) -> dict[int, float]:
    """The per-tier rates given for dimension ``key``: {tier number (1-based): USD}."""
    found: dict[int, float] = {}
    for name, price in (overrides or {}).items():
        match = TIER_KEY.match(name)
        if match and match["dimension"] == key:
            found[int(match["tier"])] = float(price)
    return found


def apply_tier_overrides(
    key: str, tiers: Sequence[StorageRate], overrides: Mapping[str, float] | None
) -> tuple[list[StorageRate], list[int]]:
    """``tiers`` (lowest first) with the rates of ``<key>_tier<n>`` overrides put in; returns the
    tiers and the overridden tier numbers. A tier number the snapshot lacks is refused."""
    ordered = sorted(tiers, key=lambda t: t.tier_begin)
    given = tier_overrides(key, overrides)
    for number in sorted(given):
        if not ordered:
            raise InputError(
                "unit_prices",
                f"{key}_tier{number}: the snapshot has no tiers for {key}; give {key} (one rate "
                "for the whole dimension) instead",
            )
        if number > len(ordered):
            raise InputError(
                "unit_prices",
                f"{key}_tier{number}: {key} has {len(ordered)} tier(s); use {key}_tier1 to "
                f"{key}_tier{len(ordered)}",
            )
        ordered[number - 1] = replace(
            ordered[number - 1], price_usd=given[number], as_of="", source=OVERRIDE_SOURCE
        )
    return ordered, sorted(given)


# --- number formatting for formulas ------------------------------------------------------------


def fmt_num(value: float, significant: int = 8) -> str:
    """A plain number with thousands separators and no exponent: 51,200 · 0.00003 · 1,177.6."""
    if value == 0:
        return "0"
    rounded = Decimal(f"{value:.{significant}g}")
    text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fmt_usd(value: float) -> str:
    """A unit price: $0.023 · $0.00099 · $6."""
    return "$" + fmt_num(value)


def fmt_money(value: float) -> str:
    """A cost to the cent: $1,371.20."""
    return f"${value:,.2f}"


# --- one priced line ----------------------------------------------------------------------------


def snapshot_quote(tiers: Sequence[StorageRate], price_usd: float) -> PriceQuote:
    """A snapshot quote at ``price_usd`` carrying the tiers' date and source."""
    dates = sorted({t.as_of for t in tiers if t.as_of} or {""})
    sources = list(dict.fromkeys(t.source for t in tiers))
    return PriceQuote(price_usd=price_usd, as_of=dates[-1], source="; ".join(sources))


@dataclass(frozen=True, slots=True)
class Charge:
    """What a line charges for, before pricing: a per-unit quantity priced by tiers × a scale."""

    dimension: str
    """The snapshot's dimension name; also the key of ``unit_prices`` that overrides it."""
    quantity: float
    """Quantity the tiers apply to (per volume for EBS, per item otherwise)."""
    unit: str
    tiers: Sequence[StorageRate]
    scale: float = 1.0
    """Multiplier after tiering (volume count × share of the month)."""
    scale_text: str = ""
    """How the scale reads in a formula, e.g. " × 2 volumes × 200/730 h"."""
    free_below: float = 0.0
    """Documented free baseline used only when the snapshot has no tiers."""
    note: str = ""
    """Extra explanation appended to the formula."""
    override_key: str | None = None
    """Key of ``unit_prices`` to use instead of ``dimension`` (a line priced at another's rate)."""
    quantity_text: str = ""
    """How a one-tier quantity reads in a formula instead of "N unit" ("2,000 requests ÷ 1,000")."""


def price_charge(
    item_name: str,
    kind: str,
    resource: str,
    charge: Charge,
    overrides: Mapping[str, float] | None,
) -> LineItem:
    """One monthly line: billable quantity × (override, or blended tier rate, or missing).

    With tiers, the unit price is the blended rate (tiered cost / billable quantity) and the formula
    shows each tier. An override replaces the whole dimension by one flat rate.
    """
    key = charge.override_key or charge.dimension
    tiers, tier_override = apply_tier_overrides(key, charge.tiers, overrides)
    # Billable: the part inside the tiers, or (no tiers in the snapshot) the part above
    # ``free_below``, so a missing price still shows the quantity it would apply to.
    segments = tier_segments(charge.quantity, tiers) if tiers else []
    billable = (
        sum(s.quantity for s in segments) if tiers else max(0.0, charge.quantity - charge.free_below)
    )
    total_quantity = billable * charge.scale
    note = f"; {charge.note}" if charge.note else ""
    unit = charge.unit
    amount = charge.quantity_text or f"{fmt_num(billable)} {unit}"
    if overrides and key in overrides:
        price = quote(key, None, overrides)
        assert price.price_usd is not None
        formula = (
            f"{amount} × {fmt_usd(price.price_usd)} (override){charge.scale_text}"
            f" = {fmt_money(total_quantity * price.price_usd)}{note}"
        )
        return recurring(
            item_name, kind, resource, charge.dimension, total_quantity, unit, price, formula
        )
    if not tiers:
        formula = f"{amount}{charge.scale_text} × (price {MISSING_NOTE}){note}"
        price = quote(key, None, None)
        return recurring(
            item_name, kind, resource, charge.dimension, total_quantity, unit, price, formula
        )
    cost_per_unit = sum(s.cost_usd for s in segments)
    if len(segments) == 1:
        blended = segments[0].price_usd  # exact, no float dust from the division
    elif billable > 0:
        blended = cost_per_unit / billable
    else:
        blended = min(tiers, key=lambda t: t.tier_begin).price_usd
    parts = " + ".join(f"{fmt_num(s.quantity)} {unit} × {fmt_usd(s.price_usd)}" for s in segments)
    if len(segments) == 1 and charge.quantity_text and segments[0].tier_begin == 0:
        parts = f"{charge.quantity_text} × {fmt_usd(segments[0].price_usd)}"
    if not parts:
        parts = f"0 {unit} × {fmt_usd(blended)}"
    if charge.free_below > 0 or min(t.tier_begin for t in tiers) > 0:
        included = min(charge.quantity, min(t.tier_begin for t in tiers))
        parts = f"({parts}; first {fmt_num(included)} {unit} included)" if included > 0 else parts
    elif len(segments) > 1 and charge.scale_text:
        parts = f"({parts})"
    if tier_override:
        numbers = ", ".join(str(n) for n in tier_override)
        snapshot = [t for t in tiers if t.source != OVERRIDE_SOURCE]
        kept = f"; other tiers {snapshot_quote(snapshot, 0).source}" if snapshot else ""
        note = f"{note}; tier {numbers} rate is an override{kept}"
    formula = f"{parts}{charge.scale_text} = {fmt_money(cost_per_unit * charge.scale)}{note}"
    price = snapshot_quote(tiers, blended)
    if tier_override:
        price = PriceQuote(price_usd=blended, as_of=price.as_of, source=OVERRIDE_SOURCE)
    return recurring(
        item_name, kind, resource, charge.dimension, total_quantity, unit, price, formula
    )
