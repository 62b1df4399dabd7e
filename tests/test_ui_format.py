"""Money formatting, labels and chart layout shared by the pages."""

from __future__ import annotations

import pandas as pd

from ui import charts
from ui.format import USD_COLUMN_FORMAT, column_label, usd


def test_negative_money_has_the_sign_before_the_dollar() -> None:
    assert usd(-98_485.0) == "-$98,485.00"
    assert usd(3_645_130.5) == "$3,645,130.50"
    # the table format is Streamlit's "dollar" preset (Intl currency: -$98,485.00), not a printf
    # format, which would write $-98,485.00
    assert USD_COLUMN_FORMAT == "dollar"


def test_field_names_become_labels() -> None:
    assert column_label("upfront_usd") == "Upfront"
    assert column_label("meets_target") == "Meets target"
    assert column_label("break_even_month") == "Break even month"
    assert column_label("total_usd") == "Total"


def test_money_axis_and_legend_band() -> None:
    frame = pd.DataFrame({"x": ["a", "b"], "usd": [-98_485.0, 10.0], "c": ["p", "q"]})
    fig = charts.stacked_bars(frame, "x", "usd", "c", "Title", x_label="Month")
    assert fig.layout.yaxis.tickformat == "$,.0f" and fig.layout.yaxis.tickprefix is None
    # the legend sits in its own band at the bottom of the figure, not on the x-axis title
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0
    assert fig.layout.margin.b == 70
    assert not fig.layout.annotations


def test_all_zero_chart_says_why_it_is_empty() -> None:
    frame = pd.DataFrame({"x": ["a", "b"], "usd": [0.0, 0.0], "c": ["p", "q"]})
    fig = charts.stacked_bars(frame, "x", "usd", "c", "Monthly", empty_note="All paid upfront")
    assert [a.text for a in fig.layout.annotations] == ["All paid upfront"]
    assert tuple(fig.layout.yaxis.range) == (0, 1)


def test_field_paths_become_on_screen_labels() -> None:
    from ui.errors import on_screen

    labels = {"usage.count": "Instances in month 1",
              "strategies[].spot.share_pct": "Spot share of the rest (%)"}
    assert on_screen("lifecycle: usage.count: must be in [0, 100000], got -1", labels) == (
        "**Instances in month 1**: must be in [0, 100000], got -1")
    assert on_screen("lifecycle: strategies[3].spot.share_pct: must be in [0, 100], got 101",
                     labels) == "**Spot share of the rest (%)**: must be in [0, 100], got 101"
    # a path the page does not label is left as it is
    assert on_screen("lifecycle: usage.region: unknown", labels) == "lifecycle: usage.region: unknown"
