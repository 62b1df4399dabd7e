"""Show an estimate: the plans' totals side by side, a chart, the CSV and its links."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from planner.catalog import Catalog
from planner.estimate import cost_estimate, estimate_comparison, estimate_csv
from planner.plan import Plan
from ui import charts, widgets
from ui.errors import user_errors
from ui.format import column_label

TOTALS_SHOWN = ["upfront_usd", "monthly_usd", "first_year_usd", "duration_total_usd"]


def slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name).strip("-").lower() or "estimate"


def show_estimate(name: str, plans: Sequence[Plan], catalog: Catalog, key: str,
                  links: dict[str, str]) -> None:
    """The comparison table, a grouped bar chart, the CSV download and the given links."""
    with user_errors("A plan of this estimate no longer prices against this snapshot: open it "
                     "and fix the item named above.", stop=False) as outcome:
        estimate = cost_estimate(name, plans, catalog)
    if outcome.failed:
        return
    table = estimate_comparison(estimate)
    config = {c: column_label(c) for c in table.columns}
    config.update(widgets.usd_columns(table.columns))
    st.dataframe(table, hide_index=True, key=f"{key}_table", column_config=config)
    long = table.melt(id_vars=["plan"], value_vars=TOTALS_SHOWN, var_name="total", value_name="usd")
    long["total"] = long["total"].map(column_label)
    st.plotly_chart(
        charts.stacked_bars(long, "total", "usd", "plan", f"{name}: plans side by side", "USD",
                            barmode="group"),
        key=f"{key}_chart",
    )
    st.download_button("Download estimate CSV", estimate_csv(estimate),
                       file_name=f"{slug(name)}.csv", mime="text/csv", key=f"{key}_csv",
                       icon=":material/download:")
    for label, link in links.items():
        st.caption(label)
        st.code(link, language=None, wrap_lines=True)
