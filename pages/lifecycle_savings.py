"""Lifecycle savings: purchase strategies month by month, and S3 lifecycle rules over time."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd
import streamlit as st

from planner.savings.lifecycle import (
    BILLING_HOURS,
    LifecycleResult,
    ReservedPart,
    SavingsPlanPart,
    SpotPart,
    Usage,
    run_lifecycle,
)
from planner.savings.profile import profile_from_dict
from planner.savings.s3_lifecycle import (
    CLASS_LABELS,
    MONTHLY_COLUMNS,
    Dataset,
    S3LifecycleResult,
    monthly_csv,
    plan_items,
    simulate_s3_lifecycle,
)
from planner.savings.s3_policy import policy_from_dict
from planner.validation import field_bounds
from ui import charts, lazy, state, widgets
from ui.errors import user_errors
from ui.format import usd
from ui.widgets import SESSION

P = "lifecycle_"


def _bounds(model: Any, name: str) -> dict[str, float]:
    """The form's range for a field: the profile schema's own bounds."""
    low, high = field_bounds(model, name)
    return {"low": low, "high": high}

def _summary_frame(result: LifecycleResult) -> pd.DataFrame:
    """One row per strategy; break_even_month as the CLI shows it: a month, "never", or empty
    (the baseline itself, or a strategy without a price)."""
    return pd.DataFrame([
        {**asdict(s), "break_even_month": label if label is None else str(label)}
        for s in result.summary
        for label in [result.break_even_label(s)]
    ]).drop(columns=["break_even_note"])


def _timeline_figure(result: LifecycleResult) -> Any:
    """Cumulative cost by strategy, break-even marked (◆)."""
    # The baseline has no break-even month (it is what the others are measured against).
    cumulative = result.monthly.set_index(["strategy", "month"])["cumulative_usd"]
    markers = [
        (float(s.break_even_month), float(cumulative[(s.name, s.break_even_month)]),
         f"{s.name}: break-even in month {s.break_even_month}"
         + (f" ({s.break_even_months:.1f} months)" if s.break_even_months is not None else "")
         + "; from here on at or below all on-demand")
        for s in result.summary
        if s.break_even_month is not None
    ]
    return charts.lines(result.monthly, "month", "cumulative_usd", "strategy",
                        "Cumulative cost by strategy (◆ break-even: from there on at or below "
                        "all on-demand)", "month", "cumulative USD", markers=markers)


catalog, plan = widgets.page_start()

st.title("Lifecycle savings")


def _compute_strategies() -> None:
    st.caption(
        "The same capacity bought several ways, month by month: cumulative cash out, the month "
        "a commitment breaks even against all on-demand, and the upfront cash it needs."
    )
    c1, c2, c3, c4, c5 = st.columns(5)
    instance_type = widgets.instance_type_select(c1, catalog, "Instance type", P + "type")
    region = widgets.region_select(c2, catalog, plan, P + "region")
    count = widgets.checked_number(c3, "Instances in month 1", P + "count",
                                   **_bounds(Usage, "count"), value=4.0, step=1.0)
    growth = widgets.checked_number(c4, "Growth per month (%)", P + "growth",
                                    **_bounds(Usage, "monthly_growth_pct"), value=0.0, step=1.0)
    horizon = widgets.checked_number(c5, "Horizon (months)", P + "horizon",
                                     **_bounds(Usage, "horizon_months"), value=36, step=1)
    c1, c2, c3, c4 = st.columns(4)
    hours = widgets.checked_number(c1, "Hours used per month", P + "hours",
                                   **_bounds(Usage, "usage_hours_per_month"),
                                   value=BILLING_HOURS, step=10.0)
    baseline = widgets.checked_number(
        c2, "Baseline to commit (instances)", P + "baseline", **_bounds(ReservedPart, "count"),
        value=2.0, step=1.0, help="Reserved instances / savings plan cover this many.")
    spot_share = widgets.checked_number(c3, "Spot share of the rest (%)", P + "spot_share",
                                        **_bounds(SpotPart, "share_pct"), value=50.0, step=10.0)
    sp_discount = widgets.checked_number(
        c4, "Savings plan discount (%), 0 = not priced", P + "sp_discount",
        **_bounds(SavingsPlanPart, "discount_pct"), value=0.0, step=1.0,
        help="The snapshot has no savings-plan rates: type the discount AWS quotes you.",
    )
    values = (count, growth, horizon, hours, baseline, spot_share, sp_discount)
    if any(v is None for v in values):
        st.info("The results show again once every field above is in its range.",
                icon=":material/pending:")
    else:
        reserved_1y = {"count": baseline, "term_years": 1}
        strategies: list[dict[str, Any]] = [
            {"name": "All on-demand"},
            {"name": "RI 1y baseline + on-demand", "reserved": reserved_1y},
            {"name": "RI 3y baseline + on-demand", "reserved": {"count": baseline, "term_years": 3}},
            {"name": f"RI 1y baseline + {spot_share:g}% spot", "reserved": reserved_1y,
             "spot": {"share_pct": spot_share}},
            {"name": "Spot-heavy (90% spot)", "spot": {"share_pct": 90.0}},
        ]
        if sp_discount > 0:
            strategies.append({
                "name": "Savings plan 1y baseline + on-demand",
                "savings_plan": {"baseline_count": baseline, "discount_pct": sp_discount},
            })
        profile = {
            "name": f"{instance_type} in {region}",
            "usage": {"instance_type": instance_type, "region": region, "count": count,
                      "monthly_growth_pct": growth, "usage_hours_per_month": hours,
                      "horizon_months": int(horizon)},
            "strategies": strategies,
        }
        labels = {
            "usage.count": "Instances in month 1", "usage.monthly_growth_pct": "Growth per month (%)",
            "usage.horizon_months": "Horizon (months)",
            "usage.usage_hours_per_month": "Hours used per month",
            "strategies[].reserved.count": "Baseline to commit (instances)",
            "strategies[].savings_plan.baseline_count": "Baseline to commit (instances)",
            "strategies[].savings_plan.discount_pct": "Savings plan discount (%)",
            "strategies[].spot.share_pct": "Spot share of the rest (%)",
        }
        with user_errors("Change the field named above.", stop=False, labels=labels) as outcome:
            result = run_lifecycle(catalog, profile_from_dict(profile, source="lifecycle"))
        if not outcome.failed:
            if result.cheapest:
                best = next(s for s in result.summary if s.name == result.cheapest)
                # The strategy name runs long: its own row, so neither it nor the totals are cut.
                st.metric("Cheapest strategy", result.cheapest)
                m = st.columns(2)
                m[0].metric(f"Total over {int(horizon)} months", usd(best.total_usd))
                m[1].metric("Savings vs all on-demand", usd(best.savings_vs_on_demand_usd))
            view_table, view_chart, view_upfront = lazy.tabs(
                ["Strategies", "Cumulative cost chart", "Upfront cash chart"], P + "compute_view")
            with view_table:
                if lazy.is_open(view_table):
                    summary = _summary_frame(result)
                    st.dataframe(
                        summary, hide_index=True, key=P + "summary",
                        column_config={
                            **widgets.labelled_columns(summary.columns),
                            "name": "Strategy",
                            "break_even_months": st.column_config.NumberColumn(
                                "Break-even (months)", format="%.1f",
                                help="Months from the start at which the strategy reaches all "
                                "on-demand for good (6.8 = 80 % into month 7)"),
                            "break_even_month": "Break-even month",
                        },
                    )
            with view_chart:
                if lazy.is_open(view_chart):
                    st.plotly_chart(_timeline_figure(result), key=P + "timeline")
            with view_upfront:
                if lazy.is_open(view_upfront):
                    upfront = result.monthly[result.monthly["upfront_usd"] > 0]
                    if upfront.empty:
                        st.info("No strategy pays anything upfront.")
                    else:
                        st.plotly_chart(
                            charts.stacked_bars(upfront, "month", "upfront_usd", "strategy",
                                                "Upfront cash by month", "USD", "month",
                                                barmode="group", height=260),
                            key=P + "upfront",
                        )
            st.caption(
                "Break-even is the first month from which a strategy stays at or below all "
                "on-demand to the end, and in months from the start (6.8 = 80 % into month 7): "
                "upfront fees are paid on the month's first day, the rest accrues evenly. "
                "Lines can cross earlier and part again when a new term is paid for."
                + "".join(f"  \n- {s.break_even_note}." for s in result.summary
                          if s.break_even_note)
            )
            with st.expander("Show calculation (rates used and notes)"):
                for strategy in result.strategies:
                    st.markdown(f"**{strategy.name}**")
                    for rate in strategy.rates:
                        st.markdown(
                            f"- {rate.what}: "
                            + (f"${rate.usd_per_hour:,.6g}/h effective" if rate.usd_per_hour
                               is not None else "not in snapshot")
                            + f" (upfront ${rate.upfront_usd:,.2f}, hourly ${rate.hourly_usd:,.6g}; "
                            f"{rate.as_of} {rate.source})"
                        )
                    for note in strategy.notes:
                        st.markdown(f"- {note}")


def _s3_rules() -> None:
    st.caption(
        "Monthly data growth moving through storage classes by lifecycle rules, against keeping "
        "everything in S3 Standard and against Intelligent-Tiering."
    )
    c1, c2, c3, c4 = st.columns(4)
    s3_region = widgets.region_select(c1, catalog, plan, P + "s3_region", label="Region ")
    ingest = c2.number_input("New data per month (GB)", min_value=0.0, value=10_000.0,
                             step=1000.0, key=P + "ingest", **SESSION)
    object_kb = c3.number_input("Average object size (KB)", min_value=0.001, value=4096.0,
                                key=P + "object_kb", **SESSION)
    months = c4.number_input("Months", min_value=1, max_value=120, value=36, key=P + "months",
                             **SESSION)
    c1, c2, c3, c4, c5 = st.columns(5)
    ia = c1.number_input("→ Standard-IA after days (0 = no)", min_value=0, value=30,
                         key=P + "ia", **SESSION)
    gir = c2.number_input("→ Glacier Instant Retrieval after days (0 = no)", min_value=0, value=90,
                          key=P + "gir", **SESSION)
    gfr = c3.number_input("→ Glacier Flexible Retrieval after days (0 = no)", min_value=0, value=0,
                          key=P + "gfr", **SESSION)
    gda = c4.number_input("→ Glacier Deep Archive after days (0 = no)", min_value=0, value=365,
                          key=P + "gda", **SESSION)
    expire = c5.number_input("Expire after days (0 = never)", min_value=0, value=0,
                             key=P + "expire", **SESSION)
    c1, c2 = st.columns(2)
    read_pct = c1.number_input("Share of S3 Standard data read each month (%)", min_value=0.0,
                               max_value=100.0, value=10.0, key=P + "read_pct", **SESSION)
    initial = widgets.checked_number(
        c2, "Data already stored on day one (GB)", P + "initial_gb",
        **_bounds(Dataset, "initial_gb"), value=0.0, step=1000.0,
        help="Ages through the rules from day 0, like the first month's new data; it pays no "
        "PUT requests.")
    policy = {
        "region": s3_region,
        "months": int(months),
        "datasets": [{
            "name": "data",
            "monthly_ingest_gb": ingest,
            "initial_gb": initial,
            "average_object_kb": object_kb,
            "rules": {
                "standard_ia_days": ia or None, "glacier_ir_days": gir or None,
                "glacier_flexible_days": gfr or None, "deep_archive_days": gda or None,
                "expire_days": expire or None,
            },
            "read_pct_per_month": {"standard": read_pct},
        }],
    }
    s3: S3LifecycleResult | None = None
    if initial is None:
        st.info("The results show again once every field above is in its range.",
                icon=":material/pending:")
    else:
        s3_labels = {
            "months": "Months", "datasets[].monthly_ingest_gb": "New data per month (GB)",
            "datasets[].initial_gb": "Data already stored on day one (GB)",
            "datasets[].average_object_kb": "Average object size (KB)",
            "datasets[].rules.standard_ia_days": "→ Standard-IA after days",
            "datasets[].rules.glacier_ir_days": "→ Glacier Instant Retrieval after days",
            "datasets[].rules.glacier_flexible_days": "→ Glacier Flexible Retrieval after days",
            "datasets[].rules.deep_archive_days": "→ Glacier Deep Archive after days",
            "datasets[].rules.expire_days": "Expire after days",
            "datasets[].read_pct_per_month['standard']":
                "Share of S3 Standard data read each month (%)",
        }
        with user_errors("Change the rule named above: classes follow S3 Standard → Standard-IA → "
                         "Glacier Instant Retrieval → Glacier Flexible Retrieval → Glacier Deep "
                         "Archive, each later than the one before.",
                         stop=False, labels=s3_labels):
            s3 = simulate_s3_lifecycle(catalog, policy_from_dict(policy, source="S3 lifecycle"))
    if s3 is not None:
        totals = s3.totals()
        m = st.columns(3)
        m[0].metric("With lifecycle rules", usd(totals["lifecycle"]))
        m[1].metric("All Standard", usd(totals["all_standard"]))
        m[2].metric("Intelligent-Tiering", usd(totals["intelligent_tiering"]))
        if s3.missing:
            st.warning("Not in snapshot: " + "; ".join(s3.missing))
        view_months, view_cumulative, view_classes = lazy.tabs(
            ["Months", "Cumulative cost chart", "By storage class chart"], P + "s3_view")
        with view_months:
            if lazy.is_open(view_months):
                st.dataframe(s3.monthly[list(MONTHLY_COLUMNS)], hide_index=True,
                             key=P + "s3_months",
                             column_config=widgets.labelled_columns(MONTHLY_COLUMNS))
        with view_cumulative:
            if lazy.is_open(view_cumulative):
                cumulative = s3.monthly.melt(
                    id_vars=["month"],
                    value_vars=[f"{s}_cumulative_usd" for s in
                                ("lifecycle", "all_standard", "intelligent_tiering")],
                    var_name="scenario", value_name="usd",
                )
                cumulative["scenario"] = cumulative["scenario"].str.removesuffix("_cumulative_usd")
                st.plotly_chart(
                    charts.lines(cumulative, "month", "usd", "scenario",
                                 "Cumulative S3 cost: lifecycle rules vs all Standard vs "
                                 "Intelligent-Tiering", "month"),
                    key=P + "s3_cumulative",
                )
        with view_classes:
            if lazy.is_open(view_classes):
                breakdown = s3.breakdown[s3.breakdown["scenario"] == "lifecycle"].assign(
                    storage_class=lambda f: f["storage_class"].map(CLASS_LABELS))
                st.plotly_chart(
                    charts.stacked_bars(breakdown, "month", "usd", "storage_class",
                                        "Monthly cost with lifecycle rules, by storage class",
                                        "USD", "month"),
                    key=P + "s3_stacked",
                )
        with st.expander("Show calculation (prices used and notes)"):
            for price in s3.prices:
                st.markdown(
                    f"- {CLASS_LABELS.get(price.storage_class, price.storage_class)} · "
                    f"{price.dimension}: "
                    + (f"${price.price_usd:,.6g} per {price.unit}" if price.price_usd is not None
                       else "not in snapshot")
                    + (" (volume tiers)" if price.tiered else "")
                    + f" — {price.as_of} {price.source}"
                )
            for note in s3.notes:
                st.markdown(f"- {note}")
        c1, c2 = st.columns(2)
        c1.download_button(
            "Download months as CSV", monthly_csv(s3), file_name="s3-lifecycle.csv",
            mime="text/csv", key=P + "s3_csv", icon=":material/download:")
        to_add = plan_items(s3)
        if c2.button("Add to plan", key=P + "s3_add", type="primary", icon=":material/add:",
                     disabled=not to_add,
                     help="Adds the storage the rules keep in each class, at its average over "
                     f"the {int(months)} months; requests, transitions and reads are not added."):
            with user_errors():
                added = state.add_items(to_add)
            state.flash(f"Added {', '.join(item.name for item in added)} to {plan.name!r}.")
            st.rerun()
        widgets.other_region_note(plan, s3_region)


# Only the open tab runs: the other's widgets keep their values (persist_state), and its charts
# cost neither a figure nor a first paint.
tab_compute, tab_s3 = lazy.tabs(["Compute purchase strategies", "S3 lifecycle rules"], P + "view")
with tab_compute:
    if lazy.is_open(tab_compute):
        _compute_strategies()
with tab_s3:
    if lazy.is_open(tab_s3):
        _s3_rules()
