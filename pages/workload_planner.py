"""Workload planner: describe a training, inference or CPU job → ranked instance options."""

from __future__ import annotations

from typing import Any

import streamlit as st

from planner.errors import InputError
from planner.explorer import ACCELERATOR_KINDS
from planner.workload.compare import compare, fit_table
from planner.workload.explain import describe_row, time_text
from planner.workload.grid import sort_rows
from planner.workload.plan_items import (
    hourly_instances,
    plan_items_for_row,
    sagemaker_training_item,
)
from planner.workload.records import Precision, Sharding, workload_from_dict
from ui import charts, columns, lazy, state, widgets
from ui.errors import user_errors
from ui.format import usd
from ui.presets import MODEL_PRESETS, TRAFFIC_SHAPES
from ui.widgets import SESSION, zero_means_none

P = "workload_"
catalog, plan = widgets.page_start()

FINETUNES = {
    "full": "Full (every parameter)",
    "lora": "LoRA (bf16 base)",
    "lora_int8": "LoRA (int8 base)",
    "qlora": "QLoRA (4-bit NF4 base)",
}
FINETUNES_FIELDS: dict[str, dict[str, str]] = {
    "full": {},
    "lora": {"finetune": "lora", "frozen_weight_precision": "bf16"},
    "lora_int8": {"finetune": "lora", "frozen_weight_precision": "int8"},
    "qlora": {"finetune": "qlora", "frozen_weight_precision": "int4"},
}

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
budget = zero_means_none(
    c4, "Max budget USD (0 = none)", P + "budget", step=1000.0,
    help="A job: the money committed (a reservation or savings plan: its whole term). "
    "A service: its cost per day.",
)

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
        c1, c2, _, _ = st.columns(4)
        tune = c1.selectbox(
            "Fine-tune", list(FINETUNES), format_func=FINETUNES.get, key=P + "finetune", **SESSION,
            help="LoRA/QLoRA: the base stays frozen (bf16, int8 or 4-bit NF4); only the adapters "
            "have gradients and optimizer states, and a step skips the base's weight gradients.",
        )
        if FINETUNES_FIELDS[tune]:
            share_pct = c2.number_input(
                "Trainable share (%)", min_value=0.01, max_value=100.0, value=1.0, step=0.5,
                key=P + "trainable_pct", **SESSION,
                help="Adapter parameters as a share of the model (rank 16-64 on every linear "
                "layer of a 7B model: about 0.6-2.4 %).",
            )
            workload.update(**FINETUNES_FIELDS[tune], trainable_fraction=share_pct / 100.0)
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
        c1, _, _, _, _ = st.columns(5)
        weights = c1.selectbox(
            "Weight precision", ["same", "bf16", "fp8", "int8", "int4"], key=P + "weight_precision",
            format_func=lambda w: "as precision" if w == "same" else w, **SESSION,
            help="Weight-only quantisation: the weights are stored (and read every decode step) "
            "at this precision; the maths runs at the precision above.",
        )
        if weights != "same":
            workload.update(weight_precision=weights)
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
            reuse_pct = c1.number_input(
                "Commitment reused after the job (%)", min_value=0.0, max_value=100.0, value=0.0,
                step=10.0, key=P + "reuse", **SESSION,
                help="Share of a reservation's or savings plan's hours left after this job that "
                "other work will use. 0: the job pays the whole commitment.",
            )
            workload.update(checkpoint_write_hours=ckpt, restart_hours=restart,
                            commitment_reuse_fraction=reuse_pct / 100.0)

with user_errors("Change the field named above; its allowed range is given."):
    parsed = workload_from_dict(workload, source="workload")
    chip = None if accelerator == "any" or kind == "cpu" else accelerator
    result = lazy.per_session(
        "workload_compare", (catalog, parsed, region, chip, budget),
        lambda: compare(parsed, catalog, region=region, accelerator=chip, max_budget_usd=budget),
    )

rows = result.rows
serving = result.serving
time_col, cost_col, unit_col = result.time_column, result.cost_column, result.unit_column
heads = result.headlines
if rows.empty:
    st.warning("No option is left: raise the budget or widen the accelerator filter.")
    st.stop()
if heads.message:
    st.warning(heads.message, icon=":material/schedule:")

per = " per day" if serving else ""
time_unit = "ms per output token" if serving else "h wall-clock"
cards = (
    ("Cheapest" + (f" that meets the {heads.target.split(' of ')[0]}" if heads.target else ""),
     heads.cheapest, cost_col if not serving else "cost_usd"),
    ("Fastest", heads.fastest, "cost_usd"),
    ("Best " + columns.label(unit_col, serving=serving), heads.best_unit_cost, unit_col),
)
for where, (title, row, value_col) in zip(st.columns(3), cards, strict=True):
    with where.container(border=True):
        if row is None:
            st.metric(title, "none")
            st.caption("No option with a known time and price" + (" meets the target." if
                       heads.target else "."))
            continue
        value = usd(row[value_col], 4 if value_col == unit_col else 2)
        st.metric(title + (per if value_col == "cost_usd" else ""), value)
        st.caption(f"{describe_row(row)} · {time_text(row[time_col])} {time_unit}"
                   + ("" if serving else f" · committed {usd(row['committed_usd'])}"))

SORTABLE = [c for c in (
    "cost_usd", "committed_usd", time_col, unit_col, "instance_hours", "instances",
    "usd_per_1m_requests", "ttft_ms",
) if c in rows.columns]
c1, c2, c3 = st.columns([2, 1, 3])
sort_by = c1.selectbox("Sort by", ["rank", *dict.fromkeys(SORTABLE)], key=P + "sort",
                       format_func=lambda c: "Ranking (meets the target, then cost)" if c == "rank"
                       else columns.label(c, serving=serving), **SESSION)
descending = c2.toggle("Largest first", key=P + "sort_desc", **SESSION)
shown_rows = rows.rename_axis("rank").reset_index().assign(rank=lambda f: f["rank"] + 1)
if sort_by != "rank":
    shown_rows = sort_rows(shown_rows, sort_by, ascending=not descending)
elif descending:
    shown_rows = shown_rows.iloc[::-1]

tabs = ["Ranked options", "Time vs cost", "Memory fit"]
tabs += ["Instances over the day"] if serving else ["Spot with checkpointing"]
tab_rank, tab_chart, tab_fit, tab_extra = lazy.tabs(tabs, P + "view")
with tab_rank:
    shown = ["rank", "instance_type", "purchase_option", "instances", "fits", time_col,
             "cost_usd", "committed_usd", unit_col, "meets_target"]
    shown += (["committed_instances", "ttft_ms", "batch", "output_tokens_per_s_per_instance",
               "usd_per_1m_requests", "usd_per_1m_tokens", "tp", "replicas_per_instance"]
              if serving else ["layout", "mfu"])
    shown += ["instance_hours", "usd_per_instance_hour", "price_status", "note", "calculation"]
    shown = [c for c in dict.fromkeys(shown) if c in shown_rows.columns]
    st.caption(
        f"{len(rows):,} options in {region}. "
        + ("Costs are per day of serving; reserved and savings-plan options commit the always-on "
           "baseline for their whole term and run the rest on on-demand or spot."
           if serving else "Cost is what the job makes you pay: a reservation or savings plan "
           "bought for it is charged its whole term.")
        + " Options without a price stay listed as 'price not in snapshot'; missing values sort "
        "last."
    )
    shown_rows = result.explained(shown_rows.head(1000))
    st.dataframe(shown_rows[shown], hide_index=True, key=P + "ranked", height=360,
                 column_config=columns.column_config(shown, serving=serving))
with tab_chart:
    if lazy.is_open(tab_chart):
        priced = rows.dropna(subset=[time_col, cost_col])
        priced = priced[priced["fits"]]
        frontier = priced[priced["pareto"]].sort_values(time_col)
        st.plotly_chart(
            charts.scatter(
                priced.assign(label=priced["instance_type"] + " × "
                              + priced["instances"].astype(int).astype(str)),
                time_col, cost_col, "purchase_option", "label",
                "Time vs cost (lower left is better; dotted: Pareto frontier)",
                columns.label(time_col, serving=serving), columns.label(cost_col, serving=serving),
                frontier=frontier, log_x=not serving,
            ),
            key=P + "pareto_chart",
        )
with tab_fit:
    if lazy.is_open(tab_fit):
        with user_errors():
            fit = fit_table(parsed, catalog, result.figures)
        st.caption("Accelerator memory needed per instance (weights, gradients, optimizer, "
                   "activations or KV cache) against what each instance has.")
        st.dataframe(fit, hide_index=True, key=P + "fit", height=320)

st.subheader("Add an option to the plan")
c1, c2 = st.columns([1, 3])
pick = int(c1.number_input("Option # (from the ranked table)", min_value=1, max_value=len(rows),
                           value=1, step=1, key=P + "pick"))
chosen = result.explained(rows.iloc[[pick - 1]]).iloc[0]
c2.markdown(f"**{describe_row(chosen)}** — {chosen['calculation']}")

with tab_extra:
    if lazy.is_open(tab_extra):
        if serving:
            hourly = hourly_instances(chosen)
            st.caption(f"Option #{pick}: {describe_row(chosen)}. Committed instances run every hour of "
                       "the term; the rest follow the traffic on the peak option.")
            if hourly.empty:
                st.info("This option does not fit: no instance count.")
            else:
                st.plotly_chart(charts.hourly_instances(hourly, "Instances hour by hour"),
                                key=P + "hourly_chart")
        else:
            spot = rows[rows["purchase_option"] == "spot"]
            spot_cols = [c for c in ("instance_type", "instances", "interruption_bucket", "wall_hours",
                                     "pessimistic_hours", "checkpoint_interval_hours", "cost_usd",
                                     "meets_target", "note") if c in spot.columns]
            st.caption("Expected wall-clock with checkpoints at the optimal interval (Young/Daly), "
                       "and the pessimistic bound where every interruption loses a whole interval.")
            st.dataframe(spot[spot_cols], hide_index=True, key=P + "spot",
                         column_config=columns.column_config(spot_cols, serving=False))

with st.expander("Show calculation (every assumption)"):
    for note in result.notes:
        st.markdown(f"- {note}")
    st.json(result.assumptions, expanded=1)

what = "the baseline and peak items" if serving else "one job item, billed once"
b1, b2 = st.columns([1, 3])
if kind in ("training", "training_baseline") and b2.button(
    "Add as a SageMaker training job", key=P + "add_sagemaker", icon=":material/science:",
    help="The same job on the ml. twin of this instance type, for its on-demand wall-clock, "
    "billed per second; SageMaker's price comes from the snapshot or a rate you type in the plan.",
):
    with user_errors("Pick an option that fits, with a known time of at most 28 days."):
        on_demand = rows[(rows["instance_type"] == chosen["instance_type"])
                         & (rows["region"] == chosen["region"])
                         & (rows["purchase_option"] == "on_demand")]
        if on_demand.empty:
            raise InputError("instance type", f"no on-demand row for {chosen['instance_type']}")
        (added_item,) = state.add_items([sagemaker_training_item(on_demand.iloc[0].to_dict())])
        state.flash(f"Added {added_item.name} to {plan.name!r} (see Plans & export).")
        st.rerun()
if b1.button("Add to plan", key=P + "add", type="primary", icon=":material/add:",
             help=f"Adds {what} to the current plan."):
    with user_errors("This option cannot be added as it is: pick an option that fits."):
        added = state.add_items(plan_items_for_row(
            chosen.to_dict(), serving=serving, hours_per_month=plan.hours_per_month,
        ))
        state.flash(f"Added {', '.join(i.name for i in added)} to {plan.name!r} "
                    "(see Plans & export).")
        st.rerun()
