"""Plans & export: the current plan's line items and totals, edit, save/load, compare, share."""

from __future__ import annotations

import streamlit as st

from planner import explorer
from planner.billing import MAX_HOURS_PER_MONTH, MIN_HOURS_PER_MONTH
from planner.costing import compare_plans, cost_plan
from planner.export import item_months_frame, line_items_frame, plan_cost_json, plan_csv
from planner.plan import item_hours, plan_from_json, plan_to_json
from planner.plan_check import item_rows, price_plan
from planner.share import share_link
from ui import charts, state, widgets
from ui.errors import user_errors
from ui.format import USD_COLUMN_FORMAT, USD_RATE_COLUMN_FORMAT, column_label, usd

P = "plans_"
catalog, plan = widgets.page_start()


def plan_key(name: str) -> str:
    """Key of a widget showing the current plan: a new plan (edited, loaded, shared) gets fresh
    widgets, since Streamlit keeps a keyed widget's own value and ignores a changed ``value=``."""
    return state.revision_key(P + name)


st.title("Plans & export")

# --- plan settings ------------------------------------------------------------------------------
with st.form(P + "settings_form", border=True):
    c1, c2, c3, c4 = st.columns([2, 1.2, 1, 1])
    name = c1.text_input("Plan name", value=plan.name, key=plan_key("name"), max_chars=120)
    region = widgets.region_select(c2, catalog, plan, plan_key("region"), persist=False)
    duration = c3.number_input("Duration (months)", min_value=1, max_value=120,
                               value=plan.duration_months, step=1, key=plan_key("duration"))
    hours = c4.number_input(
        "Hours per month", min_value=MIN_HOURS_PER_MONTH, max_value=MAX_HOURS_PER_MONTH,
        value=float(plan.hours_per_month), step=1.0, key=plan_key("hours_per_month"),
        help="730 h is the AWS Pricing Calculator convention",
    )
    if st.form_submit_button("Apply settings", key=P + "apply_settings"):
        with user_errors("Plan names are 1-120 characters; item hours may not exceed hours per month."):
            state.update_settings(name=name, region=region, duration_months=int(duration),
                                  hours_per_month=float(hours))
        state.flash("Plan settings applied.")
        st.rerun()

if not plan.items:
    st.info(
        "This plan has no items yet. Add instances on **Instance explorer** or **Workload "
        "planner**, storage on **Storage**, or load a plan JSON file below."
    )

priced = price_plan(plan, catalog)
cost = priced.cost
if priced.problems:
    st.error(
        "This plan cannot be priced until these are fixed: "
        + "".join(f"\n- **{name or 'Plan'}** — {problem}" for name, problem in priced.problems.items())
        + "\n\nChange the region in the settings above, or pick the item under **Edit an item** "
        "to change or remove it. The plan is kept as it is until then.",
        icon=":material/error:",
    )

# --- totals --------------------------------------------------------------------------------------
if cost is None and plan.items:
    st.subheader("Items")
    st.dataframe(item_rows(plan, priced.problems), hide_index=True, key=P + "problem_items")
if cost is not None:
    totals = cost.totals
    # A total that leaves out a missing price is marked; a saving against on-demand is not shown
    # at all then (a missing rate would otherwise read as money saved).
    mark = "" if totals.complete else " (incomplete)"
    # three to a row: a seven-figure total keeps its cents at 1440 px wide
    m = [*st.columns(3), *st.columns(3)]
    m[0].metric("Monthly" + mark, usd(totals.monthly_usd))
    m[1].metric("Upfront" + mark, usd(totals.upfront_usd))
    m[2].metric("First 12 months" + mark, usd(totals.first_year_usd))
    m[3].metric(f"Total over {plan.duration_months} months" + mark,
                usd(totals.duration_total_usd))
    m[4].metric(
        "Saved vs on-demand", usd(totals.savings_vs_on_demand_usd) if totals.complete else "—",
        help=(f"All on-demand over the duration: {usd(totals.on_demand_equivalent_usd)}"
              if totals.complete else "Not worked out while a price is missing."),
    )
    if not totals.complete:
        st.warning(
            "Some prices are not in the snapshot, so these totals leave them out (marked "
            "incomplete): " + "; ".join(cost.missing)
            + ". Type a price for the item below (Edit an item → price override) or refresh the "
            "data.",
            icon=":material/warning:",
        )

if cost is not None and plan.items:
    lines = line_items_frame(cost)
    st.subheader("Line items")
    st.dataframe(
        lines.drop(columns=["formula"]), hide_index=True, key=P + "lines",
        column_config={
            "unit_price_usd": st.column_config.NumberColumn("Unit price", format=USD_RATE_COLUMN_FORMAT),
            "upfront_usd": st.column_config.NumberColumn("Upfront", format=USD_COLUMN_FORMAT),
            "monthly_usd": st.column_config.NumberColumn("Monthly", format=USD_COLUMN_FORMAT),
            "total_usd": st.column_config.NumberColumn("Over the plan", format=USD_COLUMN_FORMAT),
            "first_month": st.column_config.NumberColumn("From month", format="%d"),
            "last_month": st.column_config.NumberColumn("To month", format="%d"),
            "quantity": st.column_config.NumberColumn("Quantity", format="%,.4g"),
            "item": "Item", "kind": "Kind", "resource": "Resource", "dimension": "Charge",
            "unit": "Unit", "as_of": "As of", "source": "Source", "override": "Override",
            "price_missing": "Price missing",
        },
    )
    st.caption("Monthly: what a line bills in a month it runs (a one-off job bills once: see "
               "'Over the plan'); terms that run past the plan's end are in the total.")
    with st.expander("Show calculation"):
        for line in cost.line_items:
            st.markdown(f"**{line.item} · {line.dimension}** — {line.formula}")
        st.caption(
            "Totals are summed from unrounded line items; the displayed lines may differ from the "
            "totals by a cent. Reservations and savings plans are paid for every hour of their term."
        )
    st.plotly_chart(
        charts.stacked_bars(item_months_frame(cost), "month", "usd", "item",
                            "Cost by month (upfront fees in the month they are paid)",
                            "USD per month", "month of the plan",
                            empty_note="Nothing is billed in the plan's months"),
        key=P + "breakdown_chart",
    )

# --- edit one item -------------------------------------------------------------------------------
if plan.items:
    st.subheader("Edit an item")
    names = [item.name for item in plan.items]
    c1, c2 = st.columns([2, 1])
    chosen = c1.selectbox("Item", names, key=P + "edit_item")
    current = state.item_dict(chosen)
    if chosen in priced.problems:
        st.error(f"**{chosen}** cannot be priced: {priced.problems[chosen]}",
                 icon=":material/error:")
    if current["kind"] == "compute":
        options = explorer.plan_options(catalog, plan.region)
        current_option = explorer.option_for_purchase(current["purchase"])
        if current_option not in options:
            options.append(current_option)
        unit_prices = dict(current.get("unit_prices") or {})
        types = list(catalog.instance_types)
        if current["instance_type"] not in types:  # unknown to the snapshot: kept until changed
            types.insert(0, current["instance_type"])

        def edit_key(field: str) -> str:
            """Per item as well: picking another item shows that item's values."""
            return plan_key(f"edit_{field}:{chosen}")

        with st.form(P + "edit_form"):
            e0, e1, e2, e3, e4 = st.columns([1.4, 0.8, 1, 1.2, 1.2])
            instance_type = e0.selectbox("Instance type", types,
                                         index=types.index(current["instance_type"]),
                                         key=edit_key("instance_type"))
            count = e1.number_input("Count", min_value=1, max_value=100_000,
                                    value=int(current["count"]), step=1, key=edit_key("count"))
            usage = e2.number_input(
                "Hours per month each", min_value=1.0, max_value=plan.hours_per_month,
                value=min(float(current["usage_hours_per_month"] or plan.hours_per_month),
                          plan.hours_per_month),
                step=10.0, key=edit_key("hours"),
            )
            option = e3.selectbox("Purchase option", options, index=options.index(current_option),
                                  format_func=explorer.option_label, key=edit_key("option"))
            # the form sends its values on Apply, so the label follows the item's saved option
            override = e4.number_input(
                explorer.price_override_label(current_option), min_value=0.0, max_value=1e6,
                value=min(float(unit_prices.get("hourly_usd", 0.0)), 1e6),
                step=0.01, format="%.6f", key=edit_key("override"),
                help="Replaces the snapshot's hourly price. For a savings plan it is the plan "
                "rate per instance-hour, and the item's hourly commitment is count × rate.",
            )
            w1, w2, w3 = st.columns(3)
            start = w1.number_input("Start month", min_value=1, max_value=plan.duration_months,
                                    value=int(current.get("start_month") or 1), step=1,
                                    key=edit_key("start"))
            end = w2.number_input(
                "End month (0 = the plan's last)", min_value=0, max_value=plan.duration_months,
                value=int(current.get("end_month") or 0), step=1, key=edit_key("end"),
            )
            job_hours = w3.number_input(
                "One-off job: hours each (0 = every month)", min_value=0.0,
                max_value=float(plan.duration_months * plan.hours_per_month),
                value=float(current.get("total_hours") or 0.0), step=10.0,
                key=edit_key("total_hours"),
                help="A job runs from the start month at the plan's hours per month until its "
                "hours are used up, and is billed once; 'Hours per month each' is then ignored.",
            )
            if st.form_submit_button("Apply changes", key=P + "edit_apply"):
                # Only the hourly override is edited here: other overrides (upfront, on-demand
                # reference) stay; the plan's own hours are stored as "not given", so the item
                # follows a later change of the plan's hours per month.
                if override > 0:
                    unit_prices["hourly_usd"] = override
                else:
                    unit_prices.pop("hourly_usd", None)
                updated = dict(current)
                updated.update(
                    instance_type=instance_type,
                    count=int(count),
                    usage_hours_per_month=(
                        None if job_hours > 0 else item_hours(usage, plan.hours_per_month)
                    ),
                    total_hours=float(job_hours) or None,
                    start_month=int(start),
                    end_month=int(end) or None,
                    purchase=explorer.purchase_for_option(option),
                    unit_prices=unit_prices,
                )
                with user_errors("Hours per item may not exceed the plan's hours per month, and a "
                                 "job's hours must fit between its start and end month."):
                    state.replace_item(chosen, updated)
                state.flash(f"Updated {chosen}.")
                st.rerun()
    elif current["kind"] in ("data_transfer", "sagemaker"):
        c2.caption(f"{current['kind']} items are edited in the plan file (download, edit, upload).")
    else:
        c2.caption(f"{current['kind'].upper()} items are edited on the Storage page.")
    if c2.button("Remove this item", key=P + "remove", icon=":material/delete:"):
        with user_errors():
            state.remove_item(chosen)
        state.flash(f"Removed {chosen}.")
        st.rerun()

# --- export and share ------------------------------------------------------------------------------
st.subheader("Export and share")
c1, c2, c3, c4 = st.columns(4)
slug = "".join(ch if ch.isalnum() else "-" for ch in plan.name).strip("-").lower() or "plan"
if cost is not None:
    c1.download_button("Download CSV", plan_csv(cost), file_name=f"{slug}.csv", mime="text/csv",
                       key=P + "csv", icon=":material/download:", type="primary")
    c2.download_button("Download cost JSON", plan_cost_json(cost), file_name=f"{slug}-cost.json",
                       mime="application/json", key=P + "cost_json", icon=":material/download:")
else:
    c1.caption("The CSV and cost JSON need every item priced.")
c3.download_button("Save plan (JSON)", plan_to_json(plan), file_name=f"{slug}.plan.json",
                   mime="application/json", key=P + "plan_json", icon=":material/save:")
with user_errors(stop=False):  # a plan too large for a link keeps the rest of the page
    link = share_link(plan, st.context.url or "")
    c4.link_button("Open share link", link, icon=":material/link:")
    st.caption("Share link (opens this exact plan; copy with the button at the right):")
    st.code(link, language=None, wrap_lines=True)

uploaded = st.file_uploader("Load a plan JSON file", type=["json"], key=P + "upload")
if uploaded is not None and st.session_state.get(P + "loaded_file") != uploaded.file_id:
    with user_errors("Fix the field named above in the file, or start from a saved plan.",
                     stop=False) as upload:
        loaded = plan_from_json(uploaded.getvalue(), source=uploaded.name)
    st.session_state[P + "loaded_file"] = uploaded.file_id
    if not upload.failed:
        state.set_current_plan(loaded)
        state.flash(f"Loaded plan {loaded.name!r} from {uploaded.name}.")
        st.rerun()

# --- compare plans -------------------------------------------------------------------------------
st.subheader("Compare plans")
st.caption(
    f"Keep up to {state.MAX_SAVED_PLANS} plans, then change or load another: the current plan is "
    "compared with the kept ones."
)
b1, b2 = st.columns([1, 3])
if b1.button("Keep this plan for comparison", key=P + "keep", icon=":material/bookmark_add:"):
    with user_errors():
        state.keep_for_comparison(plan)
    state.flash(f"Kept {plan.name!r} for comparison.")
    st.rerun()
saved = state.saved_plans()
if saved:
    forget = b2.selectbox("Kept plans", list(saved), key=P + "forget_choice")
    if b2.button("Forget it", key=P + "forget"):
        state.forget_saved(forget)
        st.rerun()
    others = [p for n, p in saved.items() if n != plan.name]
    if cost is None:
        st.info("Fix the current plan's items above to compare it with the kept plans.")
        st.stop()
    with user_errors("A kept plan no longer prices against this snapshot: forget it."):
        compared = compare_plans([cost, *(cost_plan(p, catalog) for p in others)])
    st.dataframe(compared, hide_index=True, key=P + "compare",
                 column_config=widgets.usd_columns(compared.columns))
    long = compared.melt(
        id_vars=["plan"],
        value_vars=["upfront_usd", "monthly_usd", "first_year_usd", "duration_total_usd"],
        var_name="total", value_name="usd",
    )
    long["total"] = long["total"].map(column_label)
    st.plotly_chart(
        charts.stacked_bars(long, "total", "usd", "plan", "Plans side by side", "USD",
                            barmode="group"),
        key=P + "compare_chart",
    )
