"""Widgets several pages share; the caller passes the key, so session state and tests keep it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from planner.catalog import Catalog
from planner.plan import Plan
from ui import data, persist, state
from ui.format import USD_COLUMN_FORMAT, column_label

SESSION: dict[str, Any] = {"persist_state": "session"}
"""Keep a widget's value when the user switches pages (``**SESSION``)."""

DEFAULT_INSTANCE_TYPE = "p4d.24xlarge"


def page_start() -> tuple[Catalog, Plan]:
    """The loaded snapshot and the current plan; saves a changed plan to the plan store (and
    shows a version conflict); shows the message an action left for this run."""
    catalog = data.catalog()
    persist.on_page()
    state.show_flash()
    return catalog, state.current_plan()


def region_select(
    where: Any, catalog: Catalog, plan: Plan, key: str, label: str = "Region",
    persist: bool = True,
) -> str:
    """A region selectbox that starts at the plan's region (the first region if it has none)."""
    regions = catalog.regions
    return str(where.selectbox(
        label, regions, key=key, index=regions.index(plan.region) if plan.region in regions else 0,
        **(SESSION if persist else {}),
    ))


def instance_type_select(
    where: Any, catalog: Catalog, label: str, key: str, default: str = DEFAULT_INSTANCE_TYPE,
) -> str:
    """An instance-type selectbox that starts at ``default`` (the first type if absent)."""
    types = catalog.instance_types
    return str(where.selectbox(
        label, types, key=key, index=types.index(default) if default in types else 0, **SESSION,
    ))


def zero_means_none(
    where: Any, label: str, key: str, *, value: float = 0.0, max_value: float | None = None,
    step: float | None = None, **kwargs: Any,
) -> float | None:
    """A non-negative number input where 0 means "not given": returns None for 0."""
    number = where.number_input(label, min_value=0.0, max_value=max_value, value=value, step=step,
                                key=key, **SESSION, **kwargs)
    return float(number) or None


def checked_number(
    where: Any, label: str, key: str, *, low: float, high: float, value: float,
    step: float | None = None, help: str | None = None,
) -> float | None:
    """A number input whose range the page checks, not the browser: the widget takes any number,
    and one outside ``[low, high]`` is flagged right under the field (not in a hover tooltip) and
    gives None, so the page shows no result rather than keeping the last one."""
    number = where.number_input(label, value=value, step=step, key=key, help=help, **SESSION)
    if not low <= number <= high:
        where.error(f"Must be {low:g} to {high:g}; got {number:g}.", icon=":material/error:")
        return None
    return number


def labelled_columns(columns: Iterable[str]) -> dict[str, Any]:
    """Column configs giving every column its on-screen label (dollars for ``*_usd``)."""
    columns = list(columns)
    return {**{c: column_label(c) for c in columns}, **usd_columns(columns)}


def usd_columns(columns: Iterable[str]) -> dict[str, Any]:
    """Column configs for the ``*_usd`` columns: ``monthly_usd`` → "Monthly" in dollars."""
    return {
        c: st.column_config.NumberColumn(column_label(c), format=USD_COLUMN_FORMAT)
        for c in columns if c.endswith("_usd")
    }


def other_region_note(plan: Plan, region: str) -> None:
    """Say so under an "Add to plan" when the page prices ``region`` and the plan another one."""
    if region != plan.region:
        st.caption(
            f"The plan {plan.name!r} is priced in {plan.region}, not {region}: change its region "
            "on Plans & export if you want these prices."
        )
