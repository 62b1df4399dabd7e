"""ML Cost Planner: the Streamlit entrypoint (page config, navigation, the shared sidebar)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from planner.catalog.freshness import STALE_AFTER_DAYS, table_ages
from planner.errors import PlannerError
from ui import data, persist, state
from ui.errors import user_errors

st.set_page_config(
    page_title="ML Cost Planner",
    page_icon=":material/calculate:",
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = {
    "Plan": [
        st.Page("pages/workload_planner.py", title="Workload planner",
                icon=":material/model_training:", default=True),
        st.Page("pages/instance_explorer.py", title="Instance explorer", icon=":material/memory:"),
        st.Page("pages/storage.py", title="Storage", icon=":material/database:"),
        st.Page("pages/right_sizing.py", title="Right-sizing", icon=":material/compress:"),
    ],
    "Budget": [
        st.Page("pages/lifecycle_savings.py", title="Lifecycle savings", icon=":material/savings:"),
        st.Page("pages/plans_export.py", title="Plans & export", icon=":material/request_quote:"),
        st.Page("pages/saved_plans.py", title="Saved plans", icon=":material/folder_open:"),
    ],
    "Data": [
        st.Page("pages/price_data.py", title="Price data", icon=":material/table_view:"),
    ],
}

page = st.navigation(PAGES)

with user_errors("The price snapshot could not be loaded: run `planner refresh` or restore pricing_data/."):
    catalog = data.catalog()

try:
    opened = persist.open_from_url()
    if opened:
        st.toast(opened, icon=":material/folder_open:")
except PlannerError as err:
    st.error(f"The saved plan of this link could not be opened: {err}. Find it on Saved plans.",
             icon=":material/link_off:")

try:
    if state.apply_share_link():
        persist.opened_from_token()
        st.toast(f"Opened the shared plan {state.current_plan().name!r}", icon=":material/link:")
except PlannerError as err:
    st.error(
        f"The share link could not be opened: {err}. Ask the sender for a new link "
        "(or load the plan's JSON file on Plans & export).",
        icon=":material/link_off:",
    )

persist.autosave()  # (pages call it too, with the conflict banner: see ui.widgets.page_start)

with st.sidebar:
    st.markdown("**Price dates**")
    ages = table_ages(catalog, date.today())
    st.caption("  \n".join(
        f"{a.label}: {a.as_of}" + (" :material/warning:" if a.stale else "") for a in ages
    ) + "  \nLinux, shared tenancy, USD")
    used = data.PAGE_TABLES.get(page.title, ())
    stale = [a for a in ages if a.stale and a.name in used]
    if stale:
        st.warning(
            f"Over {STALE_AFTER_DAYS} days old and used on this page: "
            + ", ".join(a.label for a in stale)
            + ". Prices may have changed: refresh on **Price data**.",
            icon=":material/schedule:",
        )
    with st.expander("Snapshot dates and sources"):  # one element: every rerun redraws it
        st.caption("\n\n".join(
            f"**{info.name}** · {info.as_of} · {info.origin}  \n{info.source}"
            for info in catalog.tables.values()
        ))
    plan = state.current_plan()
    st.divider()
    st.markdown(f"**Current plan:** {plan.name}")
    st.caption(
        f"{len(plan.items)} item{'s' if len(plan.items) != 1 else ''} · {plan.region} · "
        f"{plan.duration_months} months"
    )
    if persist.store() is None:
        st.caption(f":material/cloud_off: Plans are not saved: {persist.store_problem()}")
    elif persist.notice():
        st.warning(persist.notice(), icon=":material/cloud_off:")
    elif persist.saved_id() is not None:
        st.caption(f":material/cloud_done: Saved as #{persist.saved_id()} · "
                   f"version {persist.saved_version()}")
    else:
        st.caption("Saved automatically once you change it.")
    st.text_input("Your name (kept with each saved version)", key=persist.AUTHOR_KEY,
                  max_chars=80, placeholder="optional")

persist.sync_url()
page.run()
persist.autosave()
persist.sync_url()
