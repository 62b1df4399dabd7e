"""Instance explorer: filter instance specs and lay prices side by side (vectorised, pandas).

Prices come straight from the snapshot's ``compute_rates`` (``effective_hourly_usd``: for a
reservation, ``(upfront + hourly × term hours) / term hours``). A price per month is the hourly price
× the plan's hours per month (730 h by AWS convention, :mod:`planner.billing`); a price per year is
the hourly price × hours per month × 12. Where the snapshot has no rate, the cell is missing (NaN),
never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np
import pandas as pd

from planner.billing import (
    HOURS_PER_MONTH_DEFAULT,
    MAX_HOURS_PER_MONTH,
    MIN_HOURS_PER_MONTH,
    MONTHS_PER_YEAR,
    term_hours,
)
from planner.catalog.loader import Catalog
from planner.catalog.query import check_instance_type, check_region
from planner.catalog.schema import ACCELERATOR_KINDS
from planner.errors import InputError

ON_DEMAND = "on_demand"
SPOT = "spot"

SPEC_COLUMNS = (
    "instance_type", "family", "vcpu", "memory_gib", "accelerator_kind", "accelerator",
    "accelerator_count", "accelerator_memory_gib_total", "network_gbps",
)
"""Spec columns shown beside the prices."""

"""The snapshot's accelerator kinds (``instance_specs.accelerator_kind``; empty = none)."""
CPU_KIND = "cpu"
"""The kind the filters use for instance types without an accelerator."""


class Period(StrEnum):
    """The time unit prices are shown in."""

    HOUR = "hour"
    MONTH = "month"
    YEAR = "year"


def period_hours(period: Period, hours_per_month: float = HOURS_PER_MONTH_DEFAULT) -> float:
    """Hours in one ``period`` [h]: 1, hours per month, or hours per month × 12."""
    if not MIN_HOURS_PER_MONTH <= hours_per_month <= MAX_HOURS_PER_MONTH:
        raise InputError(
            "hours per month",
            f"{hours_per_month:g} is outside {MIN_HOURS_PER_MONTH:g}-{MAX_HOURS_PER_MONTH:g} "
            "(730 is the AWS convention)",
        )
    if period is Period.HOUR:
        return 1.0
    if period is Period.MONTH:
        return hours_per_month
    return hours_per_month * MONTHS_PER_YEAR


MAX_FILTER_VALUE = 1e6
"""Largest minimum or maximum a spec filter takes (vCPU, GiB): far above any instance type, so a
bigger number is a typing slip the form flags."""

@dataclass(frozen=True, slots=True)
class SpecFilter:
    """What instance types to keep. Empty tuples mean "any"; ``None`` maxima mean "no limit"."""

    families: tuple[str, ...] = ()
    accelerator_kinds: tuple[str, ...] = ()
    """``gpu``, ``trainium``, ``inferentia`` or ``cpu`` (no accelerator)."""
    accelerators: tuple[str, ...] = ()
    min_vcpu: float = 0.0
    max_vcpu: float | None = None
    min_memory_gib: float = 0.0
    max_memory_gib: float | None = None
    min_accelerator_memory_gib: float = 0.0
    """Total accelerator memory per instance [GiB]."""

    def __post_init__(self) -> None:
        for name, low, high in (
            ("vCPU", self.min_vcpu, self.max_vcpu),
            ("memory (GiB)", self.min_memory_gib, self.max_memory_gib),
        ):
            if low < 0:
                raise InputError(f"minimum {name}", f"{low:g} is negative; use 0 or more")
            if high is not None and high < low:
                raise InputError(
                    f"{name} range",
                    f"minimum {low:g} exceeds maximum {high:g}; lower the minimum or raise the maximum",
                )
        if self.min_accelerator_memory_gib < 0:
            raise InputError("minimum accelerator memory (GiB)", "must be 0 or more")


def filter_specs(specs: pd.DataFrame, spec_filter: SpecFilter) -> pd.DataFrame:
    """Rows of ``specs`` (the ``instance_specs`` table) that pass ``spec_filter``."""
    keep = pd.Series(True, index=specs.index)
    if spec_filter.families:
        keep &= specs["family"].isin(spec_filter.families)
    if spec_filter.accelerator_kinds:
        kinds = specs["accelerator_kind"].replace("", CPU_KIND)
        keep &= kinds.isin(spec_filter.accelerator_kinds)
    if spec_filter.accelerators:
        keep &= specs["accelerator"].isin(spec_filter.accelerators)
    keep &= specs["vcpu"] >= spec_filter.min_vcpu
    if spec_filter.max_vcpu is not None:
        keep &= specs["vcpu"] <= spec_filter.max_vcpu
    keep &= specs["memory_gib"] >= spec_filter.min_memory_gib
    if spec_filter.max_memory_gib is not None:
        keep &= specs["memory_gib"] <= spec_filter.max_memory_gib
    if spec_filter.min_accelerator_memory_gib > 0:
        keep &= specs["accelerator_memory_gib_total"] >= spec_filter.min_accelerator_memory_gib
    return specs.loc[keep]


def option_keys(rates: pd.DataFrame) -> pd.Series:
    """One key per rate row naming its purchase option (vectorised string concatenation).

    ``on_demand``, ``spot``, ``reserved_1y_standard_all_upfront``,
    ``savings_plan_compute_3y_no_upfront``…
    """
    option = rates["purchase_option"].astype(str)
    term = rates["term_years"].astype(int).astype(str) + "y"
    reserved = (
        option + "_" + term + "_" + rates["offering_class"].astype(str) + "_"
        + rates["payment_option"].astype(str)
    )
    savings = (
        option + "_" + rates["plan_type"].astype(str) + "_" + term + "_"
        + rates["payment_option"].astype(str)
    )
    keys = np.where(
        option == "reserved", reserved, np.where(option == "savings_plan", savings, option)
    )
    return pd.Series(keys, index=rates.index, dtype=object)


def option_label(key: str) -> str:
    """A readable name for an option key: ``Reserved 1y standard all upfront``."""
    if key == ON_DEMAND:
        return "On-Demand"
    if key == SPOT:
        return "Spot (average)"
    parts = key.split("_")
    if key.startswith("reserved_"):
        return "Reserved " + " ".join(parts[1:])
    if key.startswith("savings_plan_"):
        return "Savings Plan " + " ".join(parts[2:])
    return key.replace("_", " ")


def _option_sort_key(key: str) -> tuple[int, str]:
    order = {ON_DEMAND: 0, SPOT: 9}
    return (order.get(key, 5), key)


@lru_cache(maxsize=8)
def _keyed_rates(catalog: Catalog) -> pd.DataFrame:
    """compute_rates with each row's option key (built once per catalog)."""
    rates = catalog.compute_rates[
        ["region", "instance_type", "purchase_option", "term_years", "offering_class",
         "payment_option", "plan_type", "upfront_usd", "hourly_usd", "effective_hourly_usd"]
    ].copy()
    rates["option"] = option_keys(rates)
    return rates


@lru_cache(maxsize=8)
def _region_rates(catalog: Catalog) -> dict[str, pd.DataFrame]:
    """Keyed rates split by region."""
    return {str(k): v for k, v in _keyed_rates(catalog).groupby("region", sort=False)}


@lru_cache(maxsize=8)
def _type_rates(catalog: Catalog) -> dict[str, pd.DataFrame]:
    """Keyed rates split by instance type."""
    return {str(k): v for k, v in _keyed_rates(catalog).groupby("instance_type", sort=False)}


def options_in_region(catalog: Catalog, region: str) -> list[str]:
    """The purchase-option keys the snapshot has for ``region``, on-demand first, spot last."""
    check_region(catalog, region)
    frame = _region_rates(catalog).get(region)
    if frame is None:
        return []
    return sorted(frame["option"].unique(), key=_option_sort_key)


def prices_side_by_side(
    catalog: Catalog,
    region: str,
    spec_filter: SpecFilter,
    period: Period = Period.HOUR,
    hours_per_month: float = HOURS_PER_MONTH_DEFAULT,
    basis_option: str = ON_DEMAND,
) -> pd.DataFrame:
    """One row per instance type passing the filter; one ``<option>_usd`` column per purchase option.

    Each price column is USD per ``period`` (effective hourly × :func:`period_hours`). Also:
    ``usd_per_vcpu``, ``usd_per_gib`` and ``usd_per_accelerator`` (per period, of
    ``basis_option``; NaN where that price or an accelerator is missing). Instance types without
    any rate in ``region`` are left out. Sorted by the basis price, cheapest first, missing last.
    """
    check_region(catalog, region)
    hours = period_hours(period, hours_per_month)
    specs = filter_specs(catalog.instance_specs, spec_filter)
    rates = _region_rates(catalog).get(region)
    prices = [f"{o}_usd" for o in options_in_region(catalog, region)]
    # Prices first (after the name) so they stay on screen; the specs follow.
    order = [
        "instance_type", *prices, "usd_per_vcpu", "usd_per_gib", "usd_per_accelerator",
        *SPEC_COLUMNS[1:],
    ]
    if rates is None or specs.empty:
        return _empty(order)
    rates = rates.loc[rates["instance_type"].isin(specs["instance_type"])]
    if rates.empty:
        return _empty(order)
    wide = rates.pivot(index="instance_type", columns="option", values="effective_hourly_usd")
    options = sorted(wide.columns, key=_option_sort_key)
    wide = wide[options] * hours
    wide.columns = [f"{o}_usd" for o in options]
    # Options of the region that no filtered type has: all-missing columns (NaN), never dropped.
    wide = wide.reindex(columns=[*wide.columns, *(p for p in prices if p not in wide.columns)])
    table = specs[list(SPEC_COLUMNS)].merge(
        wide, left_on="instance_type", right_index=True, how="inner"
    )
    basis_column = f"{basis_option}_usd"
    basis = table[basis_column] if basis_column in table.columns else pd.Series(np.nan, index=table.index)
    table["usd_per_vcpu"] = basis / table["vcpu"].where(table["vcpu"] > 0)
    table["usd_per_gib"] = basis / table["memory_gib"].where(table["memory_gib"] > 0)
    table["usd_per_accelerator"] = basis / table["accelerator_count"].where(
        table["accelerator_count"] > 0
    )
    table = table.assign(_basis=basis).sort_values(
        ["_basis", "instance_type"], na_position="last", kind="stable"
    )
    return table.drop(columns="_basis").reset_index(drop=True)[order]


def regions_side_by_side(
    catalog: Catalog,
    instance_type: str,
    period: Period = Period.HOUR,
    hours_per_month: float = HOURS_PER_MONTH_DEFAULT,
) -> pd.DataFrame:
    """One row per region that prices ``instance_type``; ``<option>_usd`` columns per period.

    Sorted by on-demand price, cheapest first. Also ``on_demand_vs_cheapest_pct``: how much more
    the region's on-demand price is than the cheapest region's [%].
    """
    check_instance_type(catalog, instance_type)
    hours = period_hours(period, hours_per_month)
    rates = _type_rates(catalog).get(instance_type)
    if rates is None or rates.empty:
        return _empty(["region"])
    wide = rates.pivot(index="region", columns="option", values="effective_hourly_usd")
    options = sorted(wide.columns, key=_option_sort_key)
    wide = wide[options] * hours
    wide.columns = [f"{o}_usd" for o in options]
    wide = wide.reset_index()
    if f"{ON_DEMAND}_usd" in wide.columns:
        od = wide[f"{ON_DEMAND}_usd"]
        wide["on_demand_vs_cheapest_pct"] = (od / od.min() - 1.0) * 100.0
        wide = wide.sort_values([f"{ON_DEMAND}_usd", "region"], na_position="last", kind="stable")
    return wide.reset_index(drop=True)


def price_calculation(
    catalog: Catalog,
    region: str,
    instance_type: str,
    option: str,
    period: Period = Period.HOUR,
    hours_per_month: float = HOURS_PER_MONTH_DEFAULT,
) -> str:
    """How one cell of :func:`prices_side_by_side` is computed, in words and numbers."""
    check_region(catalog, region)
    check_instance_type(catalog, instance_type)
    hours = period_hours(period, hours_per_month)
    frame = _region_rates(catalog).get(region)
    rows = (
        frame.loc[(frame["instance_type"] == instance_type) & (frame["option"] == option)]
        if frame is not None
        else pd.DataFrame()
    )
    label = option_label(option)
    if rows.empty:
        return f"{instance_type} {label} in {region}: not in snapshot — refresh or enter a price"
    row = rows.iloc[0]
    effective = float(row["effective_hourly_usd"])
    lines = []
    term_years = int(row["term_years"])
    if term_years and pd.isna(row["upfront_usd"]):
        lines.append(
            f"effective hourly ${effective:,.6f}/h as the source gives it (upfront/hourly split unknown)"
        )
    elif term_years:
        term_h = term_hours(term_years)
        lines.append(
            f"effective hourly = (upfront ${float(row['upfront_usd']):,.2f} + "
            f"${float(row['hourly_usd']):,.6g}/h × {term_h:,.0f} h) / {term_h:,.0f} h = "
            f"${effective:,.6f}/h"
        )
    if period is Period.HOUR:
        lines.append(f"{instance_type} {label} in {region}: ${effective:,.6f} per hour")
    elif period is Period.MONTH:
        lines.append(
            f"${effective:,.6f}/h × {hours:,.6g} h/month = ${effective * hours:,.2f} per month"
        )
    else:
        lines.append(
            f"${effective:,.6f}/h × {hours_per_month:,.6g} h/month × 12 = "
            f"${effective * hours:,.2f} per year"
        )
    return "\n".join(lines)


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})


def purchase_for_option(key: str) -> dict[str, object]:
    """The plan file's ``purchase`` object for an option key of :func:`option_keys`.

    >>> purchase_for_option("reserved_1y_standard_all_upfront")
    {'option': 'reserved', 'term_years': 1, 'offering_class': 'standard', 'payment': 'all_upfront'}
    """
    if key in (ON_DEMAND, SPOT):
        return {"option": key}
    parts = key.split("_")
    if key.startswith("reserved_") and len(parts) >= 4:
        return {
            "option": "reserved",
            "term_years": int(parts[1].removesuffix("y")),
            "offering_class": parts[2],
            "payment": "_".join(parts[3:]),
        }
    if key.startswith("savings_plan_"):
        rest = key.removeprefix("savings_plan_")
        for plan_type in ("ec2_instance", "compute"):
            if rest.startswith(plan_type + "_"):
                term, _, payment = rest.removeprefix(plan_type + "_").partition("_")
                return {
                    "option": "savings_plan",
                    "plan_type": plan_type,
                    "term_years": int(term.removesuffix("y")),
                    "payment": payment,
                }
    raise InputError("purchase option", f"{key!r} is not an option of the snapshot")


@dataclass(frozen=True, slots=True)
class SpecChoices:
    """The values the explorer's filters offer, taken from the snapshot."""

    families: tuple[str, ...]
    accelerator_kinds: tuple[str, ...]
    accelerators: tuple[str, ...]


@lru_cache(maxsize=8)
def spec_choices(catalog: Catalog) -> SpecChoices:
    specs = catalog.instance_specs
    accelerators = specs.loc[specs["accelerator"] != "", "accelerator"]
    return SpecChoices(
        families=tuple(sorted(specs["family"].unique())),
        accelerator_kinds=(*ACCELERATOR_KINDS, CPU_KIND),
        accelerators=tuple(sorted(accelerators.unique())),
    )


def option_for_purchase(purchase: dict[str, object]) -> str:
    """The option key of a plan file's ``purchase`` object (inverse of :func:`purchase_for_option`)."""
    option = str(purchase.get("option", ON_DEMAND))
    if option == "reserved":
        return (
            f"reserved_{purchase.get('term_years')}y_{purchase.get('offering_class') or 'standard'}_"
            f"{purchase.get('payment') or 'all_upfront'}"
        )
    if option == "savings_plan":
        return (
            f"savings_plan_{purchase.get('plan_type') or 'compute'}_{purchase.get('term_years')}y_"
            f"{purchase.get('payment') or 'no_upfront'}"
        )
    return option


SAVINGS_PLAN_OPTIONS = (
    "savings_plan_compute_1y_no_upfront",
    "savings_plan_compute_3y_no_upfront",
    "savings_plan_ec2_instance_1y_no_upfront",
    "savings_plan_ec2_instance_3y_no_upfront",
)
"""Savings-plan options offered in plans even when the snapshot has no rate (then: type a price)."""


def is_savings_plan(option: str) -> bool:
    """Whether an option key is a savings plan (its hourly price sets the commitment)."""
    return option.startswith("savings_plan_")


def price_override_label(option: str) -> str:
    """The label of the hourly price override for ``option``: for a savings plan the price is the
    plan rate per instance-hour, and the item's hourly commitment defaults to count × that rate."""
    if is_savings_plan(option):
        return "Savings plan rate (USD/h each, 0 = snapshot): sets the hourly commitment"
    return "Price override (USD/h, 0 = snapshot)"


def plan_options(catalog: Catalog, region: str) -> list[str]:
    """Options a plan item can use in ``region``: the snapshot's, plus the savings plans."""
    keys = options_in_region(catalog, region)
    extra = [k for k in SAVINGS_PLAN_OPTIONS if k not in keys]
    return sorted([*keys, *extra], key=_option_sort_key)
