"""The current plan (and plans kept for comparison) in ``st.session_state``.

Plans are the planner's validated :class:`~planner.plan.Plan` records; every change goes through
:func:`planner.plan.plan_from_dict`, so a bad value becomes a :class:`PlanFileError` naming the field.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from planner.errors import InputError
from planner.plan import ComputeItem, EbsItem, EfsItem, Plan, S3Item, plan_from_dict, plan_to_dict
from planner.plan_kinds import DataTransferItem, SageMakerItem
from planner.share import QUERY_PARAM, decode_plan

CURRENT_KEY = "plan_current"
SAVED_KEY = "plan_saved"
SHARE_TOKEN_KEY = "plan_share_token_loaded"
REVISION_KEY = "plan_revision"

DEFAULT_PLAN_NAME = "My plan"
MAX_SAVED_PLANS = 3

PlanItem = ComputeItem | S3Item | EbsItem | EfsItem | DataTransferItem | SageMakerItem


def current_plan() -> Plan:
    plan = st.session_state.get(CURRENT_KEY)
    if not isinstance(plan, Plan):
        plan = Plan(name=DEFAULT_PLAN_NAME)
        st.session_state[CURRENT_KEY] = plan
    return plan


def set_current_plan(plan: Plan) -> None:
    st.session_state[CURRENT_KEY] = plan
    st.session_state[REVISION_KEY] = plan_revision() + 1


def plan_revision() -> int:
    """How many times the current plan was replaced this session (edited, loaded, shared).

    Forms showing the plan put it in their widget keys, so a new plan gets fresh widgets that show
    its values (Streamlit keeps a keyed widget's own value and ignores a changed ``value=``).
    """
    return int(st.session_state.get(REVISION_KEY, 0))


def revision_key(key: str) -> str:
    """``key`` tied to the current :func:`plan_revision`."""
    return f"{key}@{plan_revision()}"


def _rebuild(plan: Plan, **changes: Any) -> Plan:
    data = plan_to_dict(plan)
    data.update(changes)
    return plan_from_dict(data, source="plan")


def unique_name(plan: Plan, wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``… when the plan already has an item of that name."""
    return _unique({item.name for item in plan.items}, wanted)


def _unique(names: set[str], wanted: str) -> str:
    name, n = wanted, 2
    while name in names:
        name, n = f"{wanted}-{n}", n + 1
    return name


def add_item(item_data: dict[str, Any]) -> PlanItem:
    """Add an item (plan-file field names) to the current plan under a unique name; returns it."""
    return add_items([item_data])[0]


def add_items(items_data: list[dict[str, Any]]) -> list[PlanItem]:
    """Add items to the current plan, each under a unique name, in one change; returns them."""
    plan = current_plan()
    items = list(plan_to_dict(plan)["items"])
    names = {item["name"] for item in items}
    for item_data in items_data:
        data = dict(item_data)
        name = _unique(names, str(data.get("name") or data.get("instance_type") or "item"))
        names.add(name)
        data["name"] = name
        items.append(data)
    new_plan = _rebuild(plan, items=items)
    set_current_plan(new_plan)
    return list(new_plan.items[len(new_plan.items) - len(items_data):])


def replace_item(name: str, item_data: dict[str, Any]) -> None:
    plan = current_plan()
    items = [
        item_data if item["name"] == name else item for item in plan_to_dict(plan)["items"]
    ]
    set_current_plan(_rebuild(plan, items=items))


def remove_item(name: str) -> None:
    plan = current_plan()
    items = [item for item in plan_to_dict(plan)["items"] if item["name"] != name]
    set_current_plan(_rebuild(plan, items=items))


def update_settings(**settings: Any) -> None:
    """Change plan-level fields (name, region, duration_months, hours_per_month)."""
    set_current_plan(_rebuild(current_plan(), **settings))


def item_dict(name: str) -> dict[str, Any]:
    for item in plan_to_dict(current_plan())["items"]:
        if item["name"] == name:
            return dict(item)
    raise InputError("item", f"no item named {name!r} in the current plan")


def saved_plans() -> dict[str, Plan]:
    saved = st.session_state.get(SAVED_KEY)
    if not isinstance(saved, dict):
        saved = {}
        st.session_state[SAVED_KEY] = saved
    return saved


def keep_for_comparison(plan: Plan) -> None:
    """Keep a copy of ``plan`` (by name) to compare; at most :data:`MAX_SAVED_PLANS`."""
    saved = dict(saved_plans())
    if plan.name not in saved and len(saved) >= MAX_SAVED_PLANS:
        raise InputError(
            "plans to compare",
            f"at most {MAX_SAVED_PLANS}; remove one before keeping {plan.name!r}",
        )
    saved[plan.name] = plan
    st.session_state[SAVED_KEY] = saved


def forget_saved(name: str) -> None:
    saved = dict(saved_plans())
    saved.pop(name, None)
    st.session_state[SAVED_KEY] = saved


def apply_share_link() -> bool:
    """Load the plan of a share link (``?plan=<token>``) once; True when one was loaded.

    A bad token raises the planner's error (shown by the caller); the same token is not
    re-applied on later reruns, so edits made after opening a link are kept.
    """
    token = st.query_params.get(QUERY_PARAM)
    if not token or st.session_state.get(SHARE_TOKEN_KEY) == token:
        return False
    st.session_state[SHARE_TOKEN_KEY] = token
    set_current_plan(decode_plan(token))
    return True


FLASH_KEY = "ui_flash"


def flash(message: str) -> None:
    """Keep a success message to show after the rerun an action triggers."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def preview_plan(item_data: dict[str, Any], region: str, what: str) -> Plan:
    """A one-item plan (current plan's hours and duration) to price a form before adding it."""
    plan = current_plan()
    return plan_from_dict(
        {
            "name": f"{what} preview",
            "region": region,
            "duration_months": plan.duration_months,
            "hours_per_month": plan.hours_per_month,
            "items": [item_data],
        },
        source=what,
    )
