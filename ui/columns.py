"""Labels with units for the ranked workload options, and their Streamlit column configs."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.format import USD_COLUMN_FORMAT

_MONEY = "money"
_RATE = "rate"
_HOURS = "hours"
_COUNT = "count"
_TEXT = "text"
_FLAG = "flag"
_FRACTION = "fraction"

_JOB: dict[str, tuple[str, str]] = {
    "cost_usd": ("Job cost", _MONEY),
    "committed_usd": ("Committed (whole term)", _MONEY),
}
_SERVING: dict[str, tuple[str, str]] = {
    "cost_usd": ("Cost per day", _MONEY),
    "committed_usd": ("Committed (term, or per day)", _MONEY),
    "instance_hours": ("Instance-hours per day", _HOURS),
    "usd_per_1m_tokens": ("$ per 1M tokens (input + output)", _RATE),
    "usd_per_instance_hour": ("Blended $ per instance-hour", _RATE),
    "instances": ("Instances at peak", _COUNT),
}
_COMMON: dict[str, tuple[str, str]] = {
    "rank": ("#", _COUNT),
    "region": ("Region", _TEXT),
    "instance_type": ("Instance type", _TEXT),
    "purchase_option": ("Purchase option", _TEXT),
    "instances": ("Instances", _COUNT),
    "committed_instances": ("Committed instances", _COUNT),
    "fits": ("Fits in memory", _FLAG),
    "wall_hours": ("Wall-clock (h)", _HOURS),
    "pessimistic_hours": ("Pessimistic wall-clock (h)", _HOURS),
    "checkpoint_interval_hours": ("Checkpoint every (h)", _HOURS),
    "interruption_bucket": ("Spot interruptions / month", _TEXT),
    "instance_hours": ("Instance-hours", _HOURS),
    "usd_per_instance_hour": ("$ per instance-hour", _RATE),
    "commitment_terms": ("Terms bought", _COUNT),
    "meets_target": ("Meets target", _FLAG),
    "price_status": ("Price", _TEXT),
    "note": ("Note", _TEXT),
    "calculation": ("Calculation", _TEXT),
    "tpot_ms": ("Time per output token (ms)", _HOURS),
    "ttft_ms": ("Time to first token (ms)", _HOURS),
    "batch": ("Batch (requests)", _COUNT),
    "output_tokens_per_s_per_instance": ("Output tokens/s per instance", _HOURS),
    "usd_per_1m_requests": ("$ per 1M requests", _RATE),
    "usd_per_1m_output_tokens": ("$ per 1M output tokens", _RATE),
    "usd_per_1m_tokens": ("$ per 1M tokens", _RATE),
    "usd_per_pflop_hour": ("$ per PFLOP-hour", _RATE),
    "usd_per_vcpu_hour": ("$ per vCPU-hour", _RATE),
    "pareto": ("On the time-cost front", _FLAG),
    "layout": ("Parallel layout", _TEXT),
    "tp": ("Tensor parallel per replica", _COUNT),
    "replicas_per_instance": ("Replicas per instance", _COUNT),
    "mfu": ("MFU", _FRACTION),
}


def label(column: str, *, serving: bool) -> str:
    """The on-screen label of a ranked-row column, with its unit."""
    table = _SERVING if serving else _JOB
    return (table.get(column) or _COMMON.get(column) or (column, _TEXT))[0]


def column_config(columns: list[str], *, serving: bool) -> dict[str, Any]:
    """Streamlit column configs (label and number format) for ``columns`` of the ranked rows."""
    config: dict[str, Any] = {}
    table = _SERVING if serving else _JOB
    for column in columns:
        text, kind = table.get(column) or _COMMON.get(column) or (column, _TEXT)
        if kind == _MONEY:
            config[column] = st.column_config.NumberColumn(text, format=USD_COLUMN_FORMAT)
        elif kind == _RATE:
            config[column] = st.column_config.NumberColumn(text, format="$%,.4f")
        elif kind == _HOURS:
            config[column] = st.column_config.NumberColumn(text, format="%,.1f")
        elif kind == _FRACTION:
            config[column] = st.column_config.NumberColumn(text, format="%.2f")
        elif kind == _COUNT:
            config[column] = st.column_config.NumberColumn(text, format="%d")
        elif kind == _FLAG:
            config[column] = st.column_config.CheckboxColumn(text)
        else:
            config[column] = st.column_config.TextColumn(text)
    return config
