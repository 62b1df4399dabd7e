"""Price data: snapshot date and source per table, row counts, searchable tables, live refresh."""

from __future__ import annotations

import streamlit as st

from planner.refresh.records import DEFAULT_FAMILIES, RefreshOptions, RefreshTable
from planner.refresh.run import credentials_available, refresh
from ui import data
from ui.errors import user_errors
from ui.widgets import SESSION

P = "prices_"
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
st.dataframe(rows.head(5000), hide_index=True, key=P + "rows", height=360)
if len(rows) > 5000:
    st.caption("Showing the first 5,000 rows: narrow the search to see the rest.")

st.subheader("Refresh from AWS")
c1, c2, c3 = st.columns([1, 2, 2])
profile = c1.text_input("AWS profile (empty: default chain)", key=P + "profile",
                        **SESSION)
regions = c2.multiselect("Regions", catalog.regions, default=["us-east-1"],
                         key=P + "refresh_regions", **SESSION)
tables = c3.multiselect("What to refresh", [t.value for t in RefreshTable],
                        default=[t.value for t in RefreshTable], key=P + "refresh_tables",
                        **SESSION)
if not credentials_available(profile or None):
    st.warning(
        "No AWS credentials found"
        + (f" for profile {profile!r}" if profile else "")
        + ". Configure them with `aws configure` (or set AWS_PROFILE, or "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), then reload this page. The app keeps "
        "working from the embedded snapshot.",
        icon=":material/key_off:",
    )
elif st.button("Refresh prices now", key=P + "refresh", type="primary"):
    bar = st.progress(0.0, text="Starting…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    with user_errors("The old snapshot was kept unchanged."):
        report = refresh(
            RefreshOptions(regions=tuple(regions), families=DEFAULT_FAMILIES,
                           tables=tuple(RefreshTable(t) for t in tables),
                           profile=profile or None),
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
