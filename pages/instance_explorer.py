"""Instance explorer: filter instance types, prices per purchase option side by side."""

from __future__ import annotations

import streamlit as st

from planner import explorer
from planner.explorer import ACCELERATOR_KINDS, Period, SpecFilter
from planner.plan import ComputeItem, Purchase
from planner.validation import field_bounds
from ui import charts, lazy, state, widgets
from ui.errors import user_errors
from ui.format import USD_COLUMN_FORMAT, USD_RATE_COLUMN_FORMAT
from ui.widgets import SESSION

P = "explorer_"


def _bounds(model: type[ComputeItem] | type[Purchase], name: str) -> dict[str, float]:
    """The form's range for a field: the plan schema's own bounds."""
    low, high = field_bounds(model, name)
    return {"low": low, "high": high}


catalog, plan = widgets.page_start()
choices = explorer.spec_choices(catalog)

st.title("Instance explorer")
st.caption(
    "Every instance type of the snapshot with its price per purchase option. Reserved prices are "
    "effective hourly rates (upfront fee spread over the term)."
)

with st.container(border=True):
    c1, c2, c3, c4 = st.columns([1.2, 1.6, 1.6, 1.6])
    region = widgets.region_select(c1, catalog, plan, P + "region")
    kinds = c2.multiselect(
        "Accelerator", choices.accelerator_kinds, key=P + "kinds", **SESSION,
        default=list(ACCELERATOR_KINDS),
        help="gpu, trainium, inferentia, or cpu for types without an accelerator",
    )
    families = c3.multiselect(
        "Family", choices.families, key=P + "families", **SESSION,
        placeholder="any family",
    )
    chips = c4.multiselect(
        "Accelerator chip", choices.accelerators, key=P + "chips", **SESSION,
        placeholder="any chip",
    )
    c5, c6, c7, c8, c9 = st.columns(5)
    limit = {"low": 0.0, "high": explorer.MAX_FILTER_VALUE}
    min_vcpu = widgets.checked_number(c5, "Min vCPU", P + "min_vcpu", **limit, value=0.0,
                                      step=1.0)
    max_vcpu = widgets.checked_number(c6, "Max vCPU (0 = any)", P + "max_vcpu", **limit,
                                      value=0.0, step=1.0)
    min_mem = widgets.checked_number(c7, "Min memory (GiB)", P + "min_mem", **limit, value=0.0,
                                     step=1.0)
    max_mem = widgets.checked_number(c8, "Max memory (GiB, 0 = any)", P + "max_mem", **limit,
                                     value=0.0, step=1.0)
    min_acc_mem = widgets.checked_number(c9, "Min accelerator memory (GiB)", P + "min_acc_mem",
                                         **limit, value=0.0, step=8.0)
    if None in (min_vcpu, max_vcpu, min_mem, max_mem, min_acc_mem):
        st.info("The instance types show again once every filter above is in its range.",
                icon=":material/pending:")
        st.stop()

c1, c2 = st.columns([1, 1])
period = Period(
    c1.segmented_control(
        "Show prices per", [p.value for p in Period], default=Period.HOUR.value,
        key=P + "period", **SESSION, required=True,
    )
)
options = explorer.options_in_region(catalog, region)
basis = c2.selectbox(
    "Price per vCPU / GiB / accelerator based on", options, format_func=explorer.option_label,
    key=P + "basis", **SESSION,
)

with user_errors("Change the filters above: each maximum must be at least its minimum."):
    spec_filter = SpecFilter(
        families=tuple(families),
        accelerator_kinds=tuple(kinds),
        accelerators=tuple(chips),
        min_vcpu=min_vcpu or 0.0,
        max_vcpu=max_vcpu or None,
        min_memory_gib=min_mem or 0.0,
        max_memory_gib=max_mem or None,
        min_accelerator_memory_gib=min_acc_mem or 0.0,
    )
    table = explorer.prices_side_by_side(
        catalog, region, spec_filter, period, plan.hours_per_month, basis
    )

price_format = USD_RATE_COLUMN_FORMAT if period is Period.HOUR else USD_COLUMN_FORMAT
column_config = {
    "instance_type": st.column_config.TextColumn("Instance", pinned=True),
    "vcpu": st.column_config.NumberColumn("vCPU", format="%d"),
    "memory_gib": st.column_config.NumberColumn("Memory GiB", format="%.1f"),
    "accelerator_kind": "Kind",
    "accelerator_count": st.column_config.NumberColumn("Acc.", format="%d"),
    "accelerator_memory_gib_total": st.column_config.NumberColumn("Acc. mem GiB", format="%.0f"),
    "network_gbps": st.column_config.NumberColumn("Network Gbps", format="%.1f"),
    "usd_per_vcpu": st.column_config.NumberColumn(f"$/vCPU/{period}", format=price_format),
    "usd_per_gib": st.column_config.NumberColumn(f"$/GiB/{period}", format=price_format),
    "usd_per_accelerator": st.column_config.NumberColumn(f"$/acc./{period}", format=price_format),
}
for key in options:
    column_config[f"{key}_usd"] = st.column_config.NumberColumn(
        f"{explorer.option_label(key)} /{period}", format=price_format
    )

tab_prices, tab_compare, tab_regions = lazy.tabs(
    ["Prices", "Compare selected", "Regions side by side"], P + "view"
)

with tab_prices:
    st.caption(
        f"{len(table):,} instance types in {region}, cheapest {explorer.option_label(basis)} first. "
        "Empty cells: not in snapshot."
    )
    if table.empty:
        st.info("No instance type matches these filters: widen them (clear a family, lower a minimum).")
    st.dataframe(table, hide_index=True, column_config=column_config, height=420,
                 key=P + "table")

with tab_compare:
    if lazy.is_open(tab_compare):
        picked = st.multiselect(
            "Instances to compare", table["instance_type"].tolist(), key=P + "compare",
            max_selections=8, **SESSION,
            default=[t for t in table["instance_type"].head(3)],
        )
        if picked:
            subset = table.loc[table["instance_type"].isin(picked)]
            st.plotly_chart(
                charts.option_bars(subset, "instance_type", explorer.option_label, str(period),
                                   f"Price per {period} in {region}"),
                key=P + "compare_chart",
            )
            st.dataframe(subset, hide_index=True, column_config=column_config, key=P + "compare_table")

with tab_regions:
    if lazy.is_open(tab_regions):
        one_type = widgets.instance_type_select(
            st, catalog, "Instance type", P + "region_type",
            default=table["instance_type"].iloc[0] if not table.empty else "",
        )
        with user_errors():
            by_region = explorer.regions_side_by_side(catalog, one_type, period, plan.hours_per_month)
        if by_region.empty:
            st.info(f"The snapshot has no price for {one_type} in any region.")
        else:
            region_config = dict(column_config)
            region_config["on_demand_vs_cheapest_pct"] = st.column_config.NumberColumn(
                "On-Demand vs cheapest region", format="+%.1f%%"
            )
            st.plotly_chart(
                charts.option_bars(by_region, "region", explorer.option_label, str(period),
                                   f"{one_type}: price per {period} by region"),
                key=P + "region_chart",
            )
            st.dataframe(by_region, hide_index=True, column_config=region_config, key=P + "region_table")

st.subheader("Show calculation / add to plan")
if table.empty:
    st.caption("Pick an instance type above first.")
else:
    c1, c2, c3, c4, c5 = st.columns([1.3, 1.6, 0.8, 1, 1.4])
    chosen = c1.selectbox("Instance type", table["instance_type"].tolist(), key=P + "chosen")
    # the plan's options: the snapshot's, plus the savings plans (priced by the rate typed here
    # when the snapshot has none)
    option = c2.selectbox("Purchase option", explorer.plan_options(catalog, region),
                          format_func=explorer.option_label, key=P + "option")
    count = widgets.checked_number(c3, "Count", P + "count", **_bounds(ComputeItem, "count"),
                                   value=1, step=1)
    hours = widgets.checked_number(c4, "Hours per month each", P + "hours", low=1.0,
                                   high=plan.hours_per_month, value=float(plan.hours_per_month),
                                   step=10.0)
    override = widgets.checked_number(
        c5, explorer.price_override_label(option), P + "override",
        **_bounds(Purchase, "commitment_usd_per_hour"), value=0.0, step=0.01,
        help="Replaces the snapshot's hourly price for this item. For a savings plan it is the "
        "plan rate per instance-hour, and the item's hourly commitment is count × rate.",
    )
    with st.expander("Show calculation", expanded=True), user_errors():
        st.code(
            explorer.price_calculation(catalog, region, chosen, option, period,
                                       plan.hours_per_month),
            language=None,
        )
        if explorer.is_savings_plan(option) and override and count:
            st.caption(f"Hourly commitment: {int(count)} × ${override:,.6g}/h = "
                       f"${count * override:,.6g}/h, paid every hour of the term.")
    ready = None not in (count, hours, override)
    if not ready:
        st.info("Add to plan is back once every field above is in its range.",
                icon=":material/pending:")
    if st.button("Add to plan", key=P + "add", type="primary", icon=":material/add:",
                 disabled=not ready):
        assert count is not None and hours is not None and override is not None
        with user_errors("Check count (1-100,000) and hours (up to the plan's hours per month)."):
            item = state.add_item({
                "kind": "compute",
                "name": chosen,
                "instance_type": chosen,
                "count": int(count),
                "usage_hours_per_month": float(hours),
                "purchase": explorer.purchase_for_option(option),
                "unit_prices": {"hourly_usd": override} if override > 0 else {},
            })
        state.flash(f"Added {item.name} ({explorer.option_label(option)}) to {plan.name!r}.")
        st.rerun()
    widgets.other_region_note(plan, region)
