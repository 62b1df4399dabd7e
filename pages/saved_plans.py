"""Saved plans: search, open, duplicate, rename, delete (with undo), history, restore, diff, and
estimates (groups of 2-5 plans) with their comparison, CSV and links."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner.estimate import ESTIMATE_QUERY_PARAM, decode_estimate, encode_estimate
from planner.store import DIFF_COLUMNS, MAX_ESTIMATE_PLANS, diff_rows
from ui import persist, state, widgets
from ui.errors import user_errors
from ui.estimate_view import show_estimate

P = "saved_"
catalog, plan = widgets.page_start()
base = (st.context.url or "").split("?")[0]

st.title("Saved plans")

token = st.query_params.get(ESTIMATE_QUERY_PARAM)
if token:
    with user_errors("Ask the sender for a new estimate link.", stop=False) as outcome:
        shared_name, shared_plans = decode_estimate(token)
    if not outcome.failed:
        st.subheader(f"Shared estimate: {shared_name}")
        show_estimate(shared_name, shared_plans, catalog, P + "shared", {})

store = persist.store()
if store is None:
    st.warning(f"Plans cannot be saved: {persist.store_problem()}. The app works as before; "
               "use the plan's JSON file or share link to keep it.", icon=":material/cloud_off:")
    st.stop()
st.caption(f"Database: {store.where} · every change to the current plan is saved as a new "
           "version (set PLANNER_DB_URL to share one database with a team)")

# --- the plans ----------------------------------------------------------------------------------
deleted = st.session_state.get(P + "deleted")
if deleted:
    d1, d2 = st.columns([4, 1])
    d1.info(f"Deleted {deleted[1]!r}.", icon=":material/delete:")
    if d2.button("Undo delete", key=P + "undo", icon=":material/undo:"):
        with user_errors():
            store.plans.undelete(deleted[0])
        st.session_state.pop(P + "deleted")
        state.flash(f"Brought back {deleted[1]!r}.")
        st.rerun()

search = st.text_input("Search plans by name", key=P + "search", placeholder="any part of a name")
with user_errors():
    summaries = store.plans.list_plans(search)
if not summaries:
    st.info("No plan name contains that text." if search.strip() else
            "No saved plans yet: change the current plan (add an item on any page) and it is "
            "saved here automatically.")
else:
    st.dataframe(pd.DataFrame([{
        "id": s.plan_id, "name": s.name, "region": s.region, "months": s.duration_months,
        "items": s.item_count, "version": s.version, "monthly_usd": s.totals.monthly_usd,
        "duration_total_usd": s.totals.duration_total_usd, "prices_as_of": s.totals.snapshot_as_of,
        "updated": s.updated_at.strftime("%Y-%m-%d %H:%M"), "by": s.updated_by,
    } for s in summaries]), hide_index=True, key=P + "list",
        column_config=widgets.usd_columns(["monthly_usd", "duration_total_usd"]))
    names = {s.plan_id: s.name for s in summaries}
    ids = list(names)
    current_id = persist.saved_id()
    chosen = st.selectbox("Plan", ids, index=ids.index(current_id) if current_id in ids else 0,
                          format_func=lambda i: f"{names[i]} · #{i}", key=P + "choice")
    b1, b2, b3 = st.columns(3)
    if b1.button("Open as the current plan", key=P + "open", icon=":material/folder_open:",
                 type="primary"):
        with user_errors():
            opened = persist.open_saved(chosen)
        state.flash(f"Opened {opened.name!r} (#{chosen}).")
        st.rerun()
    if b2.button("Duplicate", key=P + "duplicate", icon=":material/content_copy:"):
        with user_errors():
            copy = store.plans.duplicate(chosen, author=persist.author())
        state.flash(f"Saved a copy as {copy.plan.name!r} (#{copy.plan_id}).")
        st.rerun()
    if b3.button("Delete", key=P + "delete", icon=":material/delete:"):
        with user_errors():
            store.plans.delete(chosen)
        if chosen == current_id:
            persist.detach()
        st.session_state[P + "deleted"] = (chosen, names[chosen])
        st.rerun()
    with st.form(P + "rename_form"):
        r1, r2 = st.columns([3, 1])
        new_name = r1.text_input("New name", value=names[chosen], max_chars=120,
                                 key=f"{P}rename:{chosen}")
        if r2.form_submit_button("Rename", key=P + "rename"):
            with user_errors("A plan name is 1 to 120 characters."):
                renamed = store.plans.rename(chosen, new_name, author=persist.author())
            if chosen == current_id:
                persist.attach(renamed.plan, renamed.plan_id, renamed.version, make_current=True)
            state.flash(f"Renamed to {renamed.plan.name!r}.")
            st.rerun()

    with st.expander("History, restore and compare versions", expanded=False):
        with user_errors():
            history = store.plans.history(chosen)
        st.dataframe(pd.DataFrame([{
            "version": v.version, "saved": v.saved_at.strftime("%Y-%m-%d %H:%M:%S"),
            "by": v.author, "name": v.name, "note": v.note, "monthly_usd": v.totals.monthly_usd,
            "duration_total_usd": v.totals.duration_total_usd,
        } for v in history]), hide_index=True, key=P + "history",
            column_config=widgets.usd_columns(["monthly_usd", "duration_total_usd"]))
        versions = [v.version for v in history]
        h1, h2, h3 = st.columns(3)
        restore = h1.selectbox("Restore version", versions, key=f"{P}restore:{chosen}")
        if h1.button("Restore it as the newest version", key=P + "restore_button"):
            with user_errors():
                restored = store.plans.restore(chosen, restore, author=persist.author(),
                                               expected_version=versions[0])
            if chosen == current_id:
                persist.attach(restored.plan, restored.plan_id, restored.version, make_current=True)
            state.flash(f"Restored version {restore} as version {restored.version}.")
            st.rerun()
        before = h2.selectbox("Compare version", versions, index=min(1, len(versions) - 1),
                              key=f"{P}diff_a:{chosen}")
        after = h3.selectbox("with version", versions, index=0, key=f"{P}diff_b:{chosen}")
        with user_errors():
            rows = diff_rows(store.plans.diff(chosen, before, after))
        st.dataframe(pd.DataFrame(rows, columns=list(DIFF_COLUMNS)).astype({"before": str, "after": str}),
                     hide_index=True, key=P + "diff")

# --- estimates ----------------------------------------------------------------------------------
st.subheader("Estimates")
st.caption(f"An estimate groups 2 to {MAX_ESTIMATE_PLANS} saved plans (scenario A, B, C…) to "
           "compare them; its link reopens the latest version of each.")
with st.form(P + "estimate_form"):
    e1, e2 = st.columns([1, 2])
    estimate_name = e1.text_input("Estimate name", key=P + "estimate_name", max_chars=120)
    members = e2.multiselect("Plans", [s.plan_id for s in summaries], key=P + "estimate_plans",
                             format_func=lambda i: f"{names[i]} · #{i}" if summaries else str(i),
                             max_selections=MAX_ESTIMATE_PLANS)
    if st.form_submit_button("Save estimate", key=P + "estimate_save", icon=":material/save:"):
        with user_errors("Name it and pick 2 to 5 plans."):
            created = store.estimates.create(estimate_name, members, author=persist.author())
        st.session_state[P + "estimate_open"] = created.estimate_id
        st.query_params[persist.ESTIMATE_ID_PARAM] = str(created.estimate_id)
        state.flash(f"Saved the estimate {created.name!r} (#{created.estimate_id}).")
        st.rerun()

with user_errors():
    estimates = store.estimates.list_estimates()
if estimates:
    by_id = {e.estimate_id: e for e in estimates}
    wanted = st.query_params.get(persist.ESTIMATE_ID_PARAM, "")
    open_id = int(wanted) if wanted.isdigit() and int(wanted) in by_id else st.session_state.get(
        P + "estimate_open")
    order = list(by_id)
    shown = st.selectbox("Estimate", order,
                         index=order.index(open_id) if open_id in by_id else 0,
                         format_func=lambda i: f"{by_id[i].name} · #{i}",
                         key=f"{P}estimate_choice:{open_id}")
    st.query_params[persist.ESTIMATE_ID_PARAM] = str(shown)
    estimate = by_id[shown]
    with user_errors():
        estimate_plans = [saved.plan for saved in store.estimates.saved_plans(estimate)]
    links = {"Link to this saved estimate (for people using the same database):":
             f"{base}?{persist.ESTIMATE_ID_PARAM}={shown}"}
    with user_errors(stop=False):
        links["Self-contained link (for anyone, opens a copy):"] = (
            f"{base}?{ESTIMATE_QUERY_PARAM}={encode_estimate(estimate.name, estimate_plans)}")
    show_estimate(estimate.name, estimate_plans, catalog, f"{P}estimate:{shown}", links)
    if st.button("Delete this estimate", key=P + "estimate_delete", icon=":material/delete:"):
        with user_errors():
            store.estimates.delete(shown)
        st.query_params.pop(persist.ESTIMATE_ID_PARAM, None)
        state.flash(f"Deleted the estimate {estimate.name!r} (its plans stay).")
        st.rerun()
elif st.query_params.get(persist.ESTIMATE_ID_PARAM):
    st.error(f"No saved estimate #{st.query_params.get(persist.ESTIMATE_ID_PARAM)} in this "
             "database.", icon=":material/link_off:")
