"""Line items: one priced dimension of one plan item (the unit of every cost output)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

OVERRIDE_SOURCE = "override"
"""``source`` of a line whose unit price the user typed (``unit_prices`` in the plan)."""

MISSING_NOTE = "not in snapshot — refresh or enter a price"


@dataclass(frozen=True, slots=True)
class PriceQuote:
    """A unit price with its provenance, or a missing one (``price_usd is None``)."""

    price_usd: float | None
    as_of: str
    source: str

    @property
    def missing(self) -> bool:
        return self.price_usd is None

    @property
    def override(self) -> bool:
        return self.source == OVERRIDE_SOURCE


MISSING = PriceQuote(price_usd=None, as_of="", source=MISSING_NOTE)


def quote(
    dimension: str,
    snapshot: PriceQuote | None,
    overrides: Mapping[Any, float] | None,
) -> PriceQuote:
    """The price to use for ``dimension``: the user's override first, then the snapshot's."""
    if overrides and dimension in overrides:
        return PriceQuote(price_usd=float(overrides[dimension]), as_of="", source=OVERRIDE_SOURCE)
    return snapshot if snapshot is not None else MISSING


@dataclass(frozen=True, slots=True)
class LineItem:
    """One charge of a plan item.

    ``quantity`` is per month for recurring charges (``monthly_usd = quantity × unit price``) and
    one-time for upfront charges (``upfront_usd = quantity × unit price``). A missing price leaves
    both costs at 0 and ``price_missing`` set, so totals say they are incomplete.
    """

    item: str
    kind: str
    resource: str
    dimension: str
    quantity: float
    unit: str
    unit_price_usd: float | None
    upfront_usd: float
    monthly_usd: float
    as_of: str
    source: str
    formula: str
    """How the line was computed, in words and numbers, for "show calculation"."""
    months_usd: tuple[float, ...] = ()
    """The line's charge in each month from the plan's first [USD] (longer than the plan when a
    commitment term runs past its end); empty until the line is scheduled."""
    first_month: int = 0
    """First month (1-based) the line is billed in; 0 when it is billed in none."""
    last_month: int = 0
    """Last month (1-based, inclusive) the line is billed in; 0 when it is billed in none."""

    @property
    def total_usd(self) -> float:
        """Everything the line bills over its months [USD]."""
        return math.fsum(self.months_usd)

    @property
    def override(self) -> bool:
        return self.source == OVERRIDE_SOURCE

    @property
    def price_missing(self) -> bool:
        return self.unit_price_usd is None


def recurring(
    item: str, kind: str, resource: str, dimension: str, quantity: float, unit: str,
    price: PriceQuote, formula: str = "",
) -> LineItem:
    """A monthly charge: quantity per month × unit price."""
    monthly = 0.0 if price.price_usd is None else quantity * price.price_usd
    return LineItem(
        item=item, kind=kind, resource=resource, dimension=dimension, quantity=quantity,
        unit=unit, unit_price_usd=price.price_usd, upfront_usd=0.0, monthly_usd=_clean(monthly),
        as_of=price.as_of, source=price.source,
        formula=formula or _default_formula(quantity, unit, price),
    )


def one_time(
    item: str, kind: str, resource: str, dimension: str, quantity: float, unit: str,
    price: PriceQuote, formula: str = "",
) -> LineItem:
    """An upfront charge: quantity × unit price, paid once at the start."""
    upfront = 0.0 if price.price_usd is None else quantity * price.price_usd
    return LineItem(
        item=item, kind=kind, resource=resource, dimension=dimension, quantity=quantity,
        unit=unit, unit_price_usd=price.price_usd, upfront_usd=_clean(upfront), monthly_usd=0.0,
        as_of=price.as_of, source=price.source,
        formula=formula or _default_formula(quantity, unit, price),
    )


def _default_formula(quantity: float, unit: str, price: PriceQuote) -> str:
    if price.price_usd is None:
        return f"{quantity:,.6g} {unit} × (price {MISSING_NOTE})"
    return f"{quantity:,.6g} {unit} × ${price.price_usd:,.6g}"


def _clean(value: float) -> float:
    """Guard against -0.0 and float dust below a millionth of a cent."""
    if not math.isfinite(value):
        raise ValueError(f"non-finite cost {value}")
    return 0.0 if abs(value) < 1e-9 else value


def scheduled(line: LineItem, weights: Sequence[float] | npt.NDArray[np.float64]) -> LineItem:
    """``line`` billed in months by ``weights``: how many times its upfront or monthly charge is
    due in each month (1 in an active month, 0 elsewhere; upfront: 1 at each purchase)."""
    w = np.asarray(weights, float)
    amount = line.upfront_usd + line.monthly_usd
    return _with_months(line, w * amount, w > 0)


def usage_by_month(
    item: str, kind: str, resource: str, dimension: str, quantities: npt.NDArray[np.float64],
    unit: str, price: PriceQuote, formula: str = "",
) -> LineItem:
    """A one-off usage line (a job): ``quantities`` per month, billed once; its ``quantity`` is
    the whole job and ``monthly_usd`` 0 (it does not recur)."""
    total = float(quantities.sum())
    unit_price = 0.0 if price.price_usd is None else price.price_usd
    line = LineItem(
        item=item, kind=kind, resource=resource, dimension=dimension, quantity=total, unit=unit,
        unit_price_usd=price.price_usd, upfront_usd=0.0, monthly_usd=0.0, as_of=price.as_of,
        source=price.source, formula=formula or _default_formula(total, unit, price),
    )
    return _with_months(line, quantities * unit_price, quantities > 0)


def billed(line: LineItem, months_usd: npt.NDArray[np.float64]) -> LineItem:
    """``line`` with its charge in each month given directly [USD] (usage that varies by month)."""
    return _with_months(line, months_usd, months_usd > 0)


def _with_months(
    line: LineItem, months: npt.NDArray[np.float64], billed: npt.NDArray[np.bool_]
) -> LineItem:
    where = np.flatnonzero(billed)
    first, last = (int(where[0]) + 1, int(where[-1]) + 1) if len(where) else (0, 0)
    return replace(line, months_usd=_clean_months(months), first_month=first, last_month=last)


def _clean_months(months: npt.NDArray[np.float64]) -> tuple[float, ...]:
    """:func:`_clean` of every month, at once."""
    values = np.asarray(months, dtype=float)
    if not np.isfinite(values).all():
        raise ValueError(f"non-finite cost {values[~np.isfinite(values)][0]}")
    return tuple(np.where(np.abs(values) < 1e-9, 0.0, values).tolist())
