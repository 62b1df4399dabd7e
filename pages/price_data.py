"""Price data: snapshot date and source per table, row counts, stale-table warnings, searchable
tables, refresh (with AWS credentials, else from AWS's public price-list files)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from planner.prices import STALE_AFTER_DAYS, stale_tables
from planner.refresh.records import (
    API_TABLES,
    DEFAULT_FAMILIES,
    PUBLIC_TABLES,
    PriceSource,
    RefreshOptions,
    RefreshTable,
)
from planner.refresh.run import credentials_available, refresh
from ui import data
from ui.errors import user_errors
from ui.widgets import SESSION

P = "prices_"
SHOWN_ROWS = 1_000
"""Rows of a searched table sent to the browser (1,000 rows of compute_rates are about 250 KB;
the search narrows the rest)."""
catalog = data.catalog()
data_dir = str(catalog.data_dir)

st.title("Price data")
st.caption(
    f"Snapshot folder `{catalog.data_dir}` · newest table {catalog.as_of}. Every price row keeps its "
    "own date (`as_of`) and source; a price the snapshot lacks is shown as missing, never guessed."
)

overview = data.table_overview(data_dir)
st.dataframe(
    overview, hide_index=True, key=P + "overview",
    column_config={
        "rows": st.column_config.NumberColumn("Rows", format="localized"),
        "as_of": "Newest row",
        "as_of_oldest": "Oldest row",
        "sha256": "sha256 (first 12)",
    },
)

for name, as_of, age in stale_tables(catalog, date.today()):
    st.warning(
        f"`{name}` is {age} days old (newest price {as_of}; over {STALE_AFTER_DAYS} days): "
        "refresh it below before relying on it.",
        icon=":material/history:",
    )

with st.expander("Sources (full references)"):
    for short, full in catalog.sources.items():
        st.markdown(f"- **{short}** — {full}")

st.subheader("Browse a table")
c1, c2 = st.columns([1, 2])
table = c1.selectbox("Table", data.TABLE_NAMES, key=P + "table", **SESSION,
                     index=data.TABLE_NAMES.index("compute_rates"))
query = c2.text_input(
    "Search (every word must appear, e.g. `us-east-1 p4d on_demand`)", key=P + "search",
    **SESSION,
)
rows = data.search_table(data_dir, table, query)
st.caption(f"{len(rows):,} of {len(getattr(catalog, table)):,} rows")
st.dataframe(rows.head(SHOWN_ROWS), hide_index=True, key=P + "rows", height=360)
if len(rows) > SHOWN_ROWS:
    st.caption(f"Showing the first {SHOWN_ROWS:,} rows: narrow the search to see the rest.")

st.subheader("Refresh from AWS")
c1, c2, c3 = st.columns([1, 2, 2])
profile = c1.text_input("AWS profile (empty: default chain)", key=P + "profile",
                        **SESSION)
has_credentials = credentials_available(profile or None)
choices = API_TABLES if has_credentials else PUBLIC_TABLES
regions = c2.multiselect("Regions", catalog.regions, default=["us-east-1"],
                         key=P + "refresh_regions", **SESSION)
tables = c3.multiselect("What to refresh", [t.value for t in choices],
                        default=[t.value for t in choices], key=P + "refresh_tables",
                        **SESSION)
if has_credentials:
    source = PriceSource.AUTO
    button = "Refresh prices now"
else:
    source = PriceSource.PUBLIC
    button = "Refresh from AWS's public price list"
    st.info(
        "No AWS credentials found"
        + (f" for profile {profile!r}" if profile else "")
        + ": the refresh reads AWS's public price-list files instead (no account needed; "
        "every purchase option and SageMaker, no spot prices). With credentials (`aws configure`, "
        "AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) it also fetches spot "
        "history. The region's EC2 file is a few hundred MB.",
        icon=":material/key_off:",
    )
if st.button(button, key=P + "refresh", type="primary"):
    bar = st.progress(0.0, text="Starting…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    with user_errors("The old snapshot was kept unchanged."):
        report = refresh(
            RefreshOptions(regions=tuple(regions), families=DEFAULT_FAMILIES,
                           tables=tuple(RefreshTable(t) for t in tables),
                           profile=profile or None, source=source),
            catalog.data_dir, progress,
        )
    data.reload_catalog()
    st.success(
        "Snapshot refreshed: "
        + ", ".join(f"{table} {rows:,} rows" for table, rows in report.rows.items())
        + f". The previous snapshot is kept in {report.backup_dir}."
    )
    for warning in report.warnings:
        st.warning(warning)
