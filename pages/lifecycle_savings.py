"""Lifecycle savings: purchase strategies month by month, and S3 lifecycle rules over time."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd
import streamlit as st

from planner.lifecycle import BILLING_HOURS, profile_from_dict, run_lifecycle
from planner.s3_lifecycle import policy_from_dict, simulate_s3_lifecycle
from ui import charts, lazy, widgets
from ui.errors import user_errors
from ui.format import usd
from ui.widgets import SESSION

P = "lifecycle_"
catalog, plan = widgets.page_start()

st.title("Lifecycle savings")
tab_compute, tab_s3 = lazy.tabs(["Compute purchase strategies", "S3 lifecycle rules"],
                                P + "view")

with tab_compute:
    if lazy.is_open(tab_compute):
        st.caption(
            "The same capacity bought several ways, month by month: cumulative cash out, the month "
            "a commitment breaks even against all on-demand, and the upfront cash it needs."
        )
        c1, c2, c3, c4, c5 = st.columns(5)
        instance_type = widgets.instance_type_select(c1, catalog, "Instance type", P + "type")
        region = widgets.region_select(c2, catalog, plan, P + "region")
        count = c3.number_input("Instances in month 1", min_value=0.0, value=4.0, step=1.0,
                                key=P + "count", **SESSION)
        growth = c4.number_input("Growth per month (%)", min_value=-50.0, max_value=100.0,
                                 value=0.0, step=1.0, key=P + "growth", **SESSION)
        horizon = c5.number_input("Horizon (months)", min_value=1, max_value=120, value=36,
                                  key=P + "horizon", **SESSION)
        c1, c2, c3, c4 = st.columns(4)
        hours = c1.number_input("Hours used per month", min_value=1.0, max_value=BILLING_HOURS,
                                value=BILLING_HOURS, step=10.0, key=P + "hours", **SESSION)
        baseline = c2.number_input("Baseline to commit (instances)", min_value=0.0, value=2.0,
                                   step=1.0, key=P + "baseline", **SESSION,
                                   help="Reserved instances / savings plan cover this many.")
        spot_share = c3.number_input("Spot share of the rest (%)", min_value=0.0, max_value=100.0,
                                     value=50.0, step=10.0, key=P + "spot_share", **SESSION)
        sp_discount = c4.number_input(
            "Savings plan discount (%), 0 = not priced", min_value=0.0, max_value=99.0, value=0.0,
            step=1.0, key=P + "sp_discount", **SESSION,
            help="The snapshot has no savings-plan rates: type the discount AWS quotes you.",
        )
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
        with user_errors("Change the field named above.", stop=False) as outcome:
            result = run_lifecycle(catalog, profile_from_dict(profile, source="lifecycle"))
        if not outcome.failed:
            # break_even_month as the CLI shows it: a month, "never", or empty (the baseline itself,
            # or a strategy without a price).
            summary = pd.DataFrame([
                {**asdict(s), "break_even_month": label if label is None else str(label)}
                for s in result.summary
                for label in [result.break_even_label(s)]
            ])
            if result.cheapest:
                best = next(s for s in result.summary if s.name == result.cheapest)
                # The strategy name runs long: its own row, so neither it nor the totals are cut.
                st.metric("Cheapest strategy", result.cheapest)
                m = st.columns(2)
                m[0].metric(f"Total over {int(horizon)} months", usd(best.total_usd))
                m[1].metric("Savings vs all on-demand", usd(best.savings_vs_on_demand_usd))
            view_summary, view_charts = lazy.tabs(["Summary", "Charts"], P + "compute_view")
            with view_summary:
                if lazy.is_open(view_summary):
                    st.dataframe(
                        summary, hide_index=True, key=P + "summary",
                        column_config=widgets.usd_columns(summary.columns),
                    )
            with view_charts:
                if lazy.is_open(view_charts):
                    # The baseline has no break-even month (it is what the others are measured against).
                    cumulative = result.monthly.set_index(["strategy", "month"])["cumulative_usd"]
                    markers = [
                        (float(s.break_even_month), float(cumulative[(s.name, s.break_even_month)]),
                         f"{s.name}: break-even in month {s.break_even_month}")
                        for s in result.summary
                        if s.break_even_month is not None
                    ]
                    st.plotly_chart(
                        charts.lines(result.monthly, "month", "cumulative_usd", "strategy",
                                     "Cumulative cost by strategy (◆ break-even against all on-demand)",
                                     "month", "cumulative USD", markers=markers),
                        key=P + "timeline",
                    )
                    upfront = result.monthly[result.monthly["upfront_usd"] > 0]
                    if not upfront.empty:
                        st.plotly_chart(
                            charts.stacked_bars(upfront, "month", "upfront_usd", "strategy",
                                                "Upfront cash by month", "USD", "month", barmode="group",
                                                height=260),
                            key=P + "upfront",
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

with tab_s3:
    if lazy.is_open(tab_s3):
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
        gir = c2.number_input("→ Glacier Instant after (0 = no)", min_value=0, value=90,
                              key=P + "gir", **SESSION)
        gfr = c3.number_input("→ Glacier Flexible after (0 = no)", min_value=0, value=0,
                              key=P + "gfr", **SESSION)
        gda = c4.number_input("→ Deep Archive after (0 = no)", min_value=0, value=365,
                              key=P + "gda", **SESSION)
        expire = c5.number_input("Expire after days (0 = never)", min_value=0, value=0,
                                 key=P + "expire", **SESSION)
        read_pct = st.number_input("Share of Standard data read each month (%)", min_value=0.0,
                                   max_value=100.0, value=10.0, key=P + "read_pct", **SESSION)
        policy = {
            "region": s3_region,
            "months": int(months),
            "datasets": [{
                "name": "data",
                "monthly_ingest_gb": ingest,
                "average_object_kb": object_kb,
                "rules": {
                    "standard_ia_days": ia or None, "glacier_ir_days": gir or None,
                    "glacier_flexible_days": gfr or None, "deep_archive_days": gda or None,
                    "expire_days": expire or None,
                },
                "read_pct_per_month": {"standard": read_pct},
            }],
        }
        with user_errors("Change the rule named above: classes follow Standard → IA → Glacier "
                         "Instant → Flexible → Deep Archive, each later than the one before.",
                         stop=False) as s3_outcome:
            s3 = simulate_s3_lifecycle(catalog, policy_from_dict(policy, source="S3 lifecycle"))
        if not s3_outcome.failed:
            totals = s3.totals()
            m = st.columns(3)
            m[0].metric("With lifecycle rules", usd(totals["lifecycle"]))
            m[1].metric("All Standard", usd(totals["all_standard"]))
            m[2].metric("Intelligent-Tiering", usd(totals["intelligent_tiering"]))
            if s3.missing:
                st.warning("Not in snapshot: " + "; ".join(s3.missing))
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
            breakdown = s3.breakdown[s3.breakdown["scenario"] == "lifecycle"]
            st.plotly_chart(
                charts.stacked_bars(breakdown, "month", "usd", "storage_class",
                                    "Monthly cost with lifecycle rules, by storage class", "USD",
                                    "month"),
                key=P + "s3_stacked",
            )
            with st.expander("Show calculation (prices used and notes)"):
                for price in s3.prices:
                    st.markdown(
                        f"- {price.storage_class} · {price.dimension}: "
                        + (f"${price.price_usd:,.6g} per {price.unit}" if price.price_usd is not None
                           else "not in snapshot")
                        + (" (volume tiers)" if price.tiered else "")
                        + f" — {price.as_of} {price.source}"
                    )
                for note in s3.notes:
                    st.markdown(f"- {note}")
