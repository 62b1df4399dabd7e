"""Plotly figures built from the planner's tidy DataFrames (no price arithmetic here).

Figures use ``plotly.graph_objects`` directly (plotly.express costs ~0.2 s per figure).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import plotly.graph_objects as go

HEIGHT = 380
PALETTE = (
    "#2E6FD8", "#E8871E", "#2A9D8F", "#C0392B", "#8E44AD", "#7F8C8D", "#D4AC0D", "#16A085",
    "#34495E", "#E84393",
)


MONEY_TICKS = "$,.0f"
"""d3 format of a money axis: ``-$98,485`` (a ``$`` tick prefix would draw ``$-98,485``)."""
MONEY_HOVER = "%{y:$,.2f}"


def _layout(fig: go.Figure, title: str, x_label: str = "", y_label: str = "USD",
            height: int = HEIGHT, money: bool = True) -> go.Figure:
    """Title at the top left; the legend in its own band at the bottom of the figure, below the
    x-axis title (never on it)."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        margin={"l": 10, "r": 10, "t": 50, "b": 40 if not x_label else 70},
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.0,
                "xanchor": "left", "x": 0},
        height=height + 40,
        xaxis_title=x_label,
        yaxis_title=y_label,
    )
    if money:
        fig.update_yaxes(tickformat=MONEY_TICKS)
    return fig


def _note_if_all_zero(fig: go.Figure, values: pd.Series, what: str) -> None:
    """An all-zero chart would draw an empty −1…1 axis: say why it is empty instead."""
    if len(values) == 0 or bool((values.fillna(0) == 0).all()):
        fig.update_yaxes(range=[0, 1], showticklabels=False)
        fig.add_annotation(text=what, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")


def price_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.endswith("_usd") and not c.startswith("usd_per")]


def option_bars(
    frame: pd.DataFrame,
    category: str,
    label: Callable[[str], str],
    period: str,
    title: str,
) -> go.Figure:
    """Grouped bars: one group per ``category`` value, one bar per purchase option column."""
    fig = go.Figure()
    for i, column in enumerate(price_columns(frame)):
        name = label(column.removesuffix("_usd"))
        fig.add_trace(go.Bar(
            x=frame[category], y=frame[column], name=name,
            marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate=f"%{{x}}<br>{name}: {MONEY_HOVER} per {period}<extra></extra>",
        ))
    fig.update_layout(barmode="group")
    return _layout(fig, title, "", f"USD per {period}")


def stacked_bars(
    frame: pd.DataFrame, x: str, y: str, color: str, title: str, y_label: str = "USD",
    x_label: str = "", barmode: str = "stack", height: int = HEIGHT,
    empty_note: str = "Every value is $0",
) -> go.Figure:
    """Bars of a cost column, one colour per ``color`` value: stacked (a cost breakdown) or
    side by side (``barmode="group"``); ``empty_note`` is shown when every value is 0."""
    fig = go.Figure()
    for i, (name, group) in enumerate(frame.groupby(color, sort=False)):
        fig.add_trace(go.Bar(
            x=group[x], y=group[y], name=str(name), marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate=f"{name}<br>%{{x}}: {MONEY_HOVER}<extra></extra>",
        ))
    fig.update_layout(barmode=barmode)
    _note_if_all_zero(fig, frame[y], empty_note)
    return _layout(fig, title, x_label, y_label, height)


def lines(
    frame: pd.DataFrame,
    x: str,
    y: str,
    color: str,
    title: str,
    x_label: str,
    y_label: str = "USD",
    markers: Sequence[tuple[float, float, str]] = (),
) -> go.Figure:
    """Lines (one per ``color`` value) and labelled markers (x, y, text)."""
    fig = go.Figure()
    for i, (name, group) in enumerate(frame.groupby(color, sort=False)):
        fig.add_trace(go.Scatter(
            x=group[x], y=group[y], name=str(name), mode="lines",
            line={"color": PALETTE[i % len(PALETTE)], "width": 2.5},
            hovertemplate=f"{name}<br>{x_label} %{{x}}: {MONEY_HOVER}<extra></extra>",
        ))
    if markers:
        fig.add_trace(go.Scatter(
            x=[m[0] for m in markers], y=[m[1] for m in markers], mode="markers",
            text=[m[2] for m in markers], name="break-even",
            marker={"size": 11, "symbol": "diamond", "color": "black"},
            hovertemplate=f"%{{text}}: {MONEY_HOVER}<extra></extra>",
        ))
    return _layout(fig, title, x_label, y_label)


def scatter(
    frame: pd.DataFrame, x: str, y: str, color: str, text: str, title: str,
    x_label: str, y_label: str, frontier: pd.DataFrame | None = None, log_x: bool = False,
) -> go.Figure:
    """Scatter of options (e.g. time vs cost); hover shows ``text``; optional frontier line."""
    fig = go.Figure()
    for i, (name, group) in enumerate(frame.groupby(color, sort=False)):
        fig.add_trace(go.Scatter(
            x=group[x], y=group[y], name=str(name), mode="markers", text=group[text],
            marker={"size": 9, "color": PALETTE[i % len(PALETTE)]},
            hovertemplate=(
                f"%{{text}}<br>{name}<br>{x_label}: %{{x:,.3g}}<br>{y_label}: {MONEY_HOVER}"
                "<extra></extra>"
            ),
        ))
    if frontier is not None and not frontier.empty:
        fig.add_trace(go.Scatter(
            x=frontier[x], y=frontier[y], mode="lines", name="Pareto frontier",
            line={"dash": "dot", "color": "gray"}, hoverinfo="skip",
        ))
    if log_x:
        fig.update_xaxes(type="log")
    return _layout(fig, title, x_label, y_label)


def hourly_instances(frame: pd.DataFrame, title: str) -> go.Figure:
    """Stacked bars of instances per hour of the day: committed baseline and the rest above it."""
    fig = go.Figure()
    for i, (column, name) in enumerate((("committed", "committed (every hour of the term)"),
                                        ("above_baseline", "above the baseline (peak option)"))):
        fig.add_trace(go.Bar(
            x=frame["hour"], y=frame[column], name=name, marker_color=PALETTE[i],
            hovertemplate=f"hour %{{x}}: %{{y}} {name}<extra></extra>",
        ))
    fig.update_layout(barmode="stack")
    fig = _layout(fig, title, "hour of the day", "instances", money=False)
    fig.update_yaxes(rangemode="tozero")
    fig.update_xaxes(dtick=2)
    return fig
