"""Workload planner: describe a training, inference or CPU job → ranked instance options."""

from __future__ import annotations

from typing import Any

import streamlit as st

from planner.compare import compare, fit_table, plan_item_for_row
from planner.explorer import ACCELERATOR_KINDS
from planner.workload import Precision, Sharding, workload_from_dict
from ui import charts, state, widgets
from ui.errors import user_errors
from ui.format import USD_COLUMN_FORMAT, number, usd
from ui.presets import MODEL_PRESETS, TRAFFIC_SHAPES
from ui.widgets import SESSION, zero_means_none

P = "workload_"
catalog, plan = widgets.page_start()

KINDS = {
    "training": "Training (model size and tokens)",
    "training_baseline": "Training (measured baseline)",
    "inference": "Inference (LLM serving)",
    "cpu": "CPU work",
}

st.title("Workload planner")
st.caption(
    "Describe the work; every instance type that can run it is ranked by cost, with time, cost per "
    "unit of work and whether the model fits in accelerator memory."
)

c1, c2, c3, c4 = st.columns([1.6, 1.2, 1.2, 1])
kind = c1.radio("Workload", list(KINDS), format_func=KINDS.get, key=P + "kind", **SESSION)
region = widgets.region_select(c2, catalog, plan, P + "region")
accelerator = c3.selectbox(
    "Accelerator", ["any", *ACCELERATOR_KINDS], key=P + "accelerator", **SESSION,
    help="Only instance types with this accelerator kind (CPU work ignores this).",
)
budget = zero_means_none(c4, "Max budget USD (0 = none)", P + "budget", step=1000.0)

workload: dict[str, Any] = {"kind": kind}
with st.container(border=True):
    if kind in ("training", "inference"):
        c1, c2, c3, c4, c5 = st.columns(5)
        preset_name = c1.selectbox("Model preset", list(MODEL_PRESETS), index=2,
                                   key=P + "preset", **SESSION)
        preset = MODEL_PRESETS[preset_name]
        params_b = c2.number_input("Parameters (billions)", min_value=0.001, max_value=10000.0,
                                   value=preset.parameters_b, key=P + f"params_{preset_name}", **SESSION)
        layers = c3.number_input("Layers", min_value=1, max_value=1000, value=preset.layers,
                                 key=P + f"layers_{preset_name}", **SESSION)
        hidden = c4.number_input("Hidden size", min_value=1, max_value=100_000,
                                 value=preset.hidden_size, key=P + f"hidden_{preset_name}", **SESSION)
        precision = c5.selectbox("Precision", [p.value for p in Precision],
                                 index=list(Precision).index(Precision.BF16),
                                 key=P + "precision", **SESSION)
        workload.update(name=f"{preset_name}-sized model", parameters=params_b * 1e9,
                        layers=int(layers), hidden_size=int(hidden), precision=precision,
                        attention_heads=preset.attention_heads)
    if kind == "training":
        c1, c2, c3, c4 = st.columns(4)
        tokens_b = c1.number_input("Training tokens (billions)", min_value=0.001, value=20.0,
                                   step=10.0, key=P + "tokens", **SESSION)
        seq = c2.number_input("Sequence length", min_value=1, max_value=10_000_000, value=4096,
                              key=P + "seq", **SESSION)
        deadline = zero_means_none(c3, "Deadline hours (0 = none)", P + "deadline", step=24.0)
        sharding = c4.selectbox(
            "Sharding", [s.value for s in Sharding], index=list(Sharding).index(Sharding.FULL),
            key=P + "sharding", **SESSION,
            help="ZeRO-3/FSDP full, ZeRO-2 gradients, ZeRO-1 optimizer, or plain data parallel",
        )
        workload.update(tokens=tokens_b * 1e9, sequence_length=int(seq), sharding=sharding,
                        deadline_hours=deadline)
    elif kind == "training_baseline":
        c1, c2, c3, c4 = st.columns(4)
        base_type = widgets.instance_type_select(c1, catalog, "Measured on", P + "base_type")
        base_hours = c2.number_input("It took (hours)", min_value=0.01, value=100.0,
                                     key=P + "base_hours", **SESSION)
        base_n = c3.number_input("On instances", min_value=1, value=1, key=P + "base_n", **SESSION)
        deadline = zero_means_none(c4, "Deadline hours (0 = none)", P + "deadline_b", step=24.0)
        workload.update(name="measured training job", baseline_instance_type=base_type,
                        baseline_hours=base_hours, baseline_instances=int(base_n),
                        deadline_hours=deadline)
    elif kind == "inference":
        c1, c2, c3, c4, c5 = st.columns(5)
        rps = c1.number_input("Peak requests/s", min_value=0.001, value=20.0, key=P + "rps", **SESSION)
        tin = c2.number_input("Input tokens/request", min_value=1, value=1024, key=P + "tin", **SESSION)
        tout = c3.number_input("Output tokens/request", min_value=1, value=256, key=P + "tout",
                               **SESSION)
        latency = zero_means_none(c4, "Target ms per output token (0 = none)", P + "latency",
                                  value=50.0)
        shape = c5.selectbox("Daily traffic", list(TRAFFIC_SHAPES), key=P + "shape", **SESSION)
        workload.update(requests_per_second=rps, input_tokens=int(tin), output_tokens=int(tout),
                        latency_target_ms_per_output_token=latency,
                        hourly_shape=TRAFFIC_SHAPES[shape], kv_heads=preset.kv_heads)
    else:
        c1, c2, c3 = st.columns(3)
        vcpu_hours = c1.number_input("vCPU-hours of work", min_value=0.01, value=2000.0,
                                     step=100.0, key=P + "vcpu_hours", **SESSION)
        mem = c2.number_input("Memory per instance (GiB)", min_value=0.01, value=30.0,
                              key=P + "cpu_mem", **SESSION)
        deadline = zero_means_none(c3, "Deadline hours (0 = none)", P + "deadline_c", value=24.0)
        workload.update(name="CPU job", vcpu_hours=vcpu_hours, memory_gib=mem,
                        deadline_hours=deadline)

    if kind != "inference":
        with st.expander("Assumptions (utilisation, scaling, spot checkpointing)"):
            c1, c2, c3, c4 = st.columns(4)
            if kind != "cpu":
                mfu = zero_means_none(
                    c1, "MFU (0 = per-chip default)", P + "mfu", max_value=1.0, step=0.05,
                    help="Model FLOPs utilisation; the defaults per chip are listed under "
                    "'Show calculation'.",
                )
                eff = zero_means_none(c2, "Multi-node efficiency (0 = default)", P + "eff",
                                      max_value=1.0, step=0.05)
                workload.update(mfu=mfu, multi_node_efficiency=eff)
            ckpt = c3.number_input("Checkpoint write (hours)", min_value=0.0, value=0.1,
                                   step=0.05, key=P + "ckpt", **SESSION)
            restart = c4.number_input("Restart after interruption (hours)", min_value=0.0,
                                      value=0.25, step=0.05, key=P + "restart", **SESSION)
            workload.update(checkpoint_write_hours=ckpt, restart_hours=restart)

with user_errors("Change the field named above; its allowed range is given."):
    parsed = workload_from_dict(workload, source="workload")
    result = compare(
        parsed, catalog, region=region,
        accelerator=None if accelerator == "any" or kind == "cpu" else accelerator,
        max_budget_usd=budget,
    )

rows = result.rows
serving = kind == "inference"
time_col, cost_col = result.time_column, result.cost_column
unit_col = {
    "training": "usd_per_1m_tokens", "training_baseline": "usd_per_pflop_hour",
    "inference": "usd_per_1m_output_tokens", "cpu": "usd_per_vcpu_hour",
}[kind]
if rows.empty:
    st.warning("No option is left: raise the budget or widen the accelerator filter.")
    st.stop()

best = rows.iloc[0]
m = st.columns([1.6, 1, 1, 1])
m[0].metric("Cheapest option", f"{best['instance_type']} × {number(best['instances'])}")
m[1].metric("Purchase option", str(best["purchase_option"]).replace("_", " "))
if serving:
    m[2].metric("Time per output token", f"{number(best['tpot_ms'], 1)} ms")
    m[3].metric("Cost per day", usd(best["cost_usd"]))
else:
    m[2].metric("Wall-clock", f"{number(best['wall_hours'], 1)} h")
    m[3].metric("Job cost", usd(best["cost_usd"]))

tab_rank, tab_chart, tab_fit, tab_spot = st.tabs(
    ["Ranked options", "Time vs cost", "Memory fit", "Spot with checkpointing"]
)
money = st.column_config.NumberColumn
with tab_rank:
    shown = [
        "instance_type", "purchase_option", "instances", "layout", "tp", "replicas_per_instance",
        "mfu", "fits", time_col, "instance_hours",
        "usd_per_instance_hour", "cost_usd", unit_col, "meets_target", "price_status", "note",
    ]
    if "wall_hours" not in shown:
        shown.insert(4, "wall_hours")
    shown = [c for c in dict.fromkeys(shown) if c in rows.columns]
    st.caption(
        f"{len(rows):,} options in {region}, cheapest first ("
        + ("cost per day of serving" if serving else "cost of the whole job")
        + "); options without a price stay listed as 'price not in snapshot'."
    )
    st.dataframe(
        rows[shown].head(1000).rename_axis("rank").reset_index().assign(rank=lambda f: f["rank"] + 1),
        hide_index=True, key=P + "ranked", height=360,
        column_config={
            "cost_usd": money("Cost per day" if serving else "Job cost", format=USD_COLUMN_FORMAT),
            "usd_per_instance_hour": money("$/instance-hour", format="$%.4f"),
            unit_col: money(unit_col.replace("usd_per_", "$/").replace("_", " "), format="$%.4f"),
            "wall_hours": money("Wall-clock h", format="%.1f"),
            "instance_hours": money("Instance-hours" + (" per day" if serving else ""),
                                    format="%.1f"),
            "instances": money("Instances", format="%d"),
        },
    )
with tab_chart:
    priced = rows.dropna(subset=[time_col, cost_col])
    priced = priced[priced["fits"]]
    frontier = priced[priced["pareto"]].sort_values(time_col)
    st.plotly_chart(
        charts.scatter(
            priced.assign(label=priced["instance_type"] + " × "
                          + priced["instances"].astype(int).astype(str)),
            time_col, cost_col, "purchase_option", "label",
            "Time vs cost (lower left is better; dotted: Pareto frontier)",
            "ms per output token" if serving else "wall-clock hours",
            "$ per 1M output tokens" if serving else "job cost (USD)",
            frontier=frontier, log_x=not serving,
        ),
        key=P + "pareto_chart",
    )
with tab_fit:
    with user_errors():
        fit = fit_table(parsed, catalog, result.figures)
    st.caption("Accelerator memory needed per instance (weights, gradients, optimizer, "
               "activations or KV cache) against what each instance has.")
    st.dataframe(fit, hide_index=True, key=P + "fit", height=320)
with tab_spot:
    spot = rows[rows["purchase_option"] == "spot"]
    columns = [c for c in ("instance_type", "instances", "interruption_bucket", "wall_hours",
                           "pessimistic_hours", "checkpoint_interval_hours", "cost_usd", "note")
               if c in spot.columns]
    st.caption("Expected wall-clock with checkpoints at the optimal interval (Young/Daly), and "
               "the pessimistic bound where every interruption loses a whole interval.")
    st.dataframe(spot[columns], hide_index=True, key=P + "spot",
                 column_config={"cost_usd": money("Cost", format=USD_COLUMN_FORMAT)})

with st.expander("Show calculation (every assumption)"):
    for note in result.notes:
        st.markdown(f"- {note}")
    st.json(result.assumptions, expanded=1)

st.subheader("Add an option to the plan")
# Only rows a plan item can be made of: the model fits and the instance count is known.
top = rows[rows["fits"] & rows["instances"].notna()].head(50).reset_index(drop=True)
if top.empty:
    st.info("No ranked option fits in accelerator memory: pick a larger instance family.")
    st.stop()
labels = [
    f"{i + 1}. {r.instance_type} × {int(r.instances)} · {str(r.purchase_option).replace('_', ' ')}"
    f" · {usd(r.cost_usd)}"
    for i, r in enumerate(top.itertuples())
]
c1, c2 = st.columns([3, 1])
pick = c1.selectbox("Option", range(len(labels)), format_func=lambda i: labels[i],
                    key=P + "pick")
c2.write("")
if c2.button("Add to plan", key=P + "add", type="primary", icon=":material/add:"):
    with user_errors("This option cannot be added as it is: change count or hours on Plans & export."):
        item = state.add_item(plan_item_for_row(
            top.iloc[int(pick)].to_dict(), serving=serving, hours_per_month=plan.hours_per_month,
        ))
    state.flash(f"Added {item.name} to {plan.name!r} (see Plans & export).")
    st.rerun()
