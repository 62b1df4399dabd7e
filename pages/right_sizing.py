"""Right-sizing: an instance you run today + its utilisation → cheaper types that still fit."""

from __future__ import annotations

import streamlit as st

from planner.catalog.query import instance_spec
from planner.savings.rightsizing import RightsizeRequest, SizeOn, Utilisation, rightsize
from ui import state, widgets
from ui.errors import user_errors
from ui.format import number, usd
from ui.widgets import SESSION, zero_means_none

P = "rightsize_"
catalog, plan = widgets.page_start()
money = st.column_config.NumberColumn

st.title("Right-sizing")
st.caption(
    "What an instance needs = what it uses × (1 + headroom). Candidates must have at least that "
    "on every dimension; the fleet keeps its instance count."
)

c1, c2, c3, c4, c5 = st.columns([1.4, 1.2, 0.8, 1, 1])
instance_type = widgets.instance_type_select(c1, catalog, "Current instance type", P + "type")
region = widgets.region_select(c2, catalog, plan, P + "region")
count = c3.number_input("Instances", min_value=1, max_value=100_000, value=1, key=P + "count",
                        **SESSION)
headroom = c4.number_input("Headroom (%)", min_value=0.0, max_value=500.0, value=20.0,
                           step=5.0, key=P + "headroom", **SESSION)
size_on = c5.selectbox("Size on", [s.value for s in SizeOn], key=P + "size_on", **SESSION)

accelerated = instance_spec(catalog, instance_type).accelerator_count > 0
st.markdown("**Observed utilisation (%)** — peak, and average if you size on it")
c1, c2, c3, c4 = st.columns(4)
cpu = c1.number_input("CPU peak", min_value=0.0, max_value=100.0, value=30.0, key=P + "cpu", **SESSION)
mem = c2.number_input("Memory peak", min_value=0.0, max_value=100.0, value=20.0, key=P + "mem",
                      **SESSION)
gpu = c3.number_input("Accelerator compute peak", min_value=0.0, max_value=100.0, value=35.0,
                      key=P + "gpu", disabled=not accelerated, **SESSION)
gpu_mem = c4.number_input("Accelerator memory peak", min_value=0.0, max_value=100.0,
                          value=30.0, key=P + "gpu_mem", disabled=not accelerated, **SESSION)
c1, c2, c3, c4 = st.columns(4)
cpu_avg = zero_means_none(c1, "CPU average (0 = peak)", P + "cpu_avg", max_value=100.0)
mem_avg = zero_means_none(c2, "Memory average (0 = peak)", P + "mem_avg", max_value=100.0)
gpu_avg = zero_means_none(c3, "Accelerator average (0 = peak)", P + "gpu_avg", max_value=100.0,
                          disabled=not accelerated)
gpu_mem_avg = zero_means_none(c4, "Acc. memory average (0 = peak)", P + "gpu_mem_avg",
                              max_value=100.0, disabled=not accelerated)

with user_errors("Change the input named above (utilisation is 0-100 %)."):
    result = rightsize(catalog, RightsizeRequest(
        instance_type=instance_type, count=int(count),
        cpu=Utilisation(cpu, cpu_avg), memory=Utilisation(mem, mem_avg),
        gpu=Utilisation(gpu, gpu_avg) if accelerated else None,
        gpu_memory=Utilisation(gpu_mem, gpu_mem_avg) if accelerated else None,
        region=region, hours_per_month=plan.hours_per_month, headroom_pct=headroom,
        size_on=SizeOn(size_on),
    ))

need = result.need
cands = result.candidates
fitting = cands[(cands["group"] != "current") & cands["fits"]]
m = st.columns(4)
m[0].metric("Needed vCPU", number(need.vcpu, 1))
m[1].metric("Needed memory", f"{number(need.memory_gib, 1)} GiB")
m[2].metric("Needed accelerator memory", f"{number(need.accelerator_memory_gib, 1)} GiB")
if fitting.empty:
    m[3].metric("Best saving per month", usd(0.0))
    st.info(f"Nothing cheaper fits: {instance_type} is already the right size for this load.")
else:
    best = fitting.loc[fitting["on_demand_savings_monthly_usd"].idxmax()]
    m[3].metric(
        "Best saving per month", usd(best["on_demand_savings_monthly_usd"]),
        help=f"On-demand, moving to {best['instance_type']}: "
        f"{usd(best['on_demand_savings_yearly_usd'])} per year",
    )

shown = ["instance_type", "group", "fits", "caution", "vcpu", "memory_gib",
         "accelerator_memory_gib_total"]
for option in result.options:
    shown += [f"{option}_monthly_usd", f"{option}_savings_monthly_usd",
              f"{option}_savings_yearly_usd"]
shown.append("reason")
st.dataframe(
    cands[shown], hide_index=True, key=P + "candidates", height="auto",
    column_config={
        "instance_type": st.column_config.TextColumn("Instance", pinned=True),
        "vcpu": money("vCPU", format="%d"),
        "memory_gib": money("Memory GiB", format="%.0f"),
        "accelerator_memory_gib_total": money("Acc. mem GiB", format="%.0f"),
        "group": "Group", "fits": "Fits", "caution": "Caution", "reason": "Why",
        **widgets.usd_columns(shown),
    },
)
st.caption(
    f"Other families: {result.others_checked} types checked, {result.others_fitting} fit, "
    f"{result.others_cheaper} of them cheaper on-demand than {instance_type}"
    + (f" (the {min(result.others_cheaper, result.request.limit)} cheapest are listed)"
       if result.others_cheaper else "")
    + ". Empty cells: price not in snapshot. **Caution** names what a move changes beyond "
    "size: fewer accelerators, lower memory bandwidth."
)
with st.expander("Show calculation"):
    st.markdown(
        f"- need per instance: vCPU {need.vcpu:,.2f}, memory {need.memory_gib:,.2f} GiB, "
        f"accelerator memory {need.accelerator_memory_gib:,.2f} GiB "
        f"({need.accelerator_memory_per_device_gib:,.2f} GiB per device), accelerator compute "
        f"{need.accelerator_tflops:,.1f} TFLOPS ({need.precision or 'n/a'})"
    )
    for note in result.notes:
        st.markdown(f"- {note}")

if not fitting.empty:
    c1, c2 = st.columns([3, 1])
    pick = c1.selectbox("Replace with", fitting["instance_type"].tolist(), key=P + "pick")
    c2.write("")
    if c2.button("Add to plan", key=P + "add", type="primary", icon=":material/add:"):
        with user_errors():
            item = state.add_item({
                "kind": "compute", "name": pick, "instance_type": pick, "count": int(count),
                "purchase": {"option": "on_demand"},
            })
        state.flash(f"Added {item.name} × {int(count)} on-demand to {plan.name!r}.")
        st.rerun()
