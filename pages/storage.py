"""Storage: S3, EBS and EFS calculators with the breakdown of every charge."""

from __future__ import annotations

from typing import Any

import streamlit as st

from planner.costing import cost_plan
from planner.export import line_items_frame
from planner.plan import (
    EbsVolumeType,
    EfsStorageClass,
    EfsThroughputMode,
    RetrievalTier,
    S3StorageClass,
    item_hours,
)
from ui import state, widgets
from ui.errors import user_errors
from ui.format import USD_COLUMN_FORMAT, USD_RATE_COLUMN_FORMAT, usd
from ui.widgets import SESSION, zero_means_none

P = "storage_"
catalog, plan = widgets.page_start()

st.title("Storage")
st.caption(
    "Monthly cost of S3, EBS and EFS with every charge broken down: storage by volume tier, "
    "requests, retrieval, provisioned IOPS and throughput, snapshots."
)
region = widgets.region_select(st, catalog, plan, P + "region")


def show_cost(kind: str, item: dict[str, Any], label: str) -> None:
    """Price ``item`` as a one-item plan and show its line items, total and calculation."""
    with user_errors("Change the field named above to a value in the allowed range.",
                     stop=False) as outcome:
        cost = cost_plan(state.preview_plan(item, region, label), catalog)
    if outcome.failed:
        return
    lines = line_items_frame(cost)
    c1, c2 = st.columns([1, 3])
    c1.metric("Monthly", usd(cost.totals.monthly_usd))
    c1.metric("Per year (12 months)", usd(cost.totals.first_year_usd))
    if cost.missing:
        c1.warning("Not in snapshot: " + "; ".join(cost.missing))
    c2.dataframe(
        lines[["dimension", "quantity", "unit", "unit_price_usd", "monthly_usd", "as_of", "source"]],
        hide_index=True, key=P + kind + "_lines",
        column_config={
            "unit_price_usd": st.column_config.NumberColumn("Unit price", format=USD_RATE_COLUMN_FORMAT),
            "monthly_usd": st.column_config.NumberColumn("Monthly", format=USD_COLUMN_FORMAT),
            "quantity": st.column_config.NumberColumn("Quantity", format="%,.6g"),
        },
    )
    with st.expander("Show calculation"):
        for line in cost.line_items:
            st.markdown(f"**{line.dimension}** — {line.formula}")
    if st.button("Add to plan", key=P + kind + "_add", type="primary", icon=":material/add:"):
        with user_errors():
            added = state.add_item(item)
        state.flash(f"Added {added.name} to {plan.name!r}.")
        st.rerun()
    if region != plan.region:
        st.caption(
            f"The plan {plan.name!r} is priced in {plan.region}, not {region}: change its region "
            "on Plans & export if you want these prices."
        )


tab_s3, tab_ebs, tab_efs = st.tabs(["S3", "EBS", "EFS"])

with tab_s3:
    c1, c2, c3, c4 = st.columns(4)
    s3_class = c1.selectbox("Storage class", [c.value for c in S3StorageClass], key=P + "s3_class",
                            **SESSION)
    gb = c2.number_input("Data stored (GB-month)", min_value=0.0, value=1000.0, step=100.0,
                         key=P + "s3_gb", **SESSION)
    objects = zero_means_none(c3, "Objects stored (0 = not given)", P + "s3_objects",
                              step=1000.0)
    days = zero_means_none(c4, "Days kept before deletion (0 = whole month)", P + "s3_days",
                           step=1.0)
    c1, c2, c3, c4 = st.columns(4)
    puts = c1.number_input("PUT/COPY/POST/LIST per month", min_value=0.0, value=0.0, step=1000.0,
                           key=P + "s3_puts", **SESSION)
    gets = c2.number_input("GET/SELECT per month", min_value=0.0, value=0.0, step=1000.0,
                           key=P + "s3_gets", **SESSION)
    retrieval = c3.number_input("Data retrieved (GB per month)", min_value=0.0, value=0.0,
                                step=10.0, key=P + "s3_retrieval", **SESSION)
    tier = c4.selectbox("Retrieval tier (Glacier)", [t.value for t in RetrievalTier], index=1,
                        key=P + "s3_tier", **SESSION)
    s3_item = {
        "kind": "s3", "name": f"s3-{s3_class}", "storage_class": s3_class, "gb_month": gb,
        "object_count": objects, "put_requests": puts, "get_requests": gets,
        "retrieval_gb": retrieval, "retrieval_tier": tier, "storage_days": days,
    }
    show_cost("s3", s3_item, "S3")

with tab_ebs:
    c1, c2, c3, c4 = st.columns(4)
    volume = c1.selectbox("Volume type", [v.value for v in EbsVolumeType], key=P + "ebs_type",
                          index=list(EbsVolumeType).index(EbsVolumeType.GP3),
                          **SESSION)
    size = c2.number_input("Size per volume (GB)", min_value=1.0, max_value=65536.0, value=1000.0,
                           step=100.0, key=P + "ebs_gb", **SESSION)
    count = c3.number_input("Volumes", min_value=1, max_value=100_000, value=1, step=1,
                            key=P + "ebs_count", **SESSION)
    hours = c4.number_input("Hours per month each", min_value=1.0, max_value=plan.hours_per_month,
                            value=float(plan.hours_per_month), step=10.0, key=P + "ebs_hours",
                            **SESSION)
    c1, c2, c3, c4 = st.columns(4)
    iops = zero_means_none(c1, "Provisioned IOPS (0 = baseline)", P + "ebs_iops",
                           max_value=256000.0, step=1000.0,
                           help="gp3 includes 3,000 IOPS; io1/io2 bill every provisioned IOPS")
    throughput = zero_means_none(c2, "Throughput MiB/s (gp3; 0 = baseline)", P + "ebs_throughput",
                                 max_value=2000.0, step=25.0, help="gp3 includes 125 MiB/s")
    snap = c3.number_input("Snapshots, standard (GB)", min_value=0.0, value=0.0, step=100.0,
                           key=P + "ebs_snap", **SESSION)
    snap_archive = c4.number_input("Snapshots, archive (GB)", min_value=0.0, value=0.0,
                                   step=100.0, key=P + "ebs_snap_archive", **SESSION)
    ebs_item = {
        "kind": "ebs", "name": f"ebs-{volume}", "volume_type": volume, "gb": size,
        "iops": iops, "throughput_mibps": throughput, "count": int(count),
        "usage_hours_per_month": item_hours(hours, plan.hours_per_month),
        "snapshot_gb": snap, "snapshot_archive_gb": snap_archive,
    }
    show_cost("ebs", ebs_item, "EBS")

with tab_efs:
    c1, c2, c3 = st.columns(3)
    efs_class = c1.selectbox("Storage class", [c.value for c in EfsStorageClass],
                             key=P + "efs_class", **SESSION)
    efs_gb = c2.number_input("Data stored (GB-month)", min_value=0.0, value=500.0, step=100.0,
                             key=P + "efs_gb", **SESSION)
    mode = c3.selectbox("Throughput mode", [m.value for m in EfsThroughputMode],
                        key=P + "efs_mode", **SESSION)
    c1, c2, c3 = st.columns(3)
    provisioned = c1.number_input("Provisioned throughput (MiB/s)", min_value=0.0, value=0.0,
                                  step=10.0, key=P + "efs_provisioned", **SESSION)
    reads = c2.number_input("Data read (GB per month)", min_value=0.0, value=0.0, step=10.0,
                            key=P + "efs_reads", **SESSION)
    writes = c3.number_input("Data written (GB per month)", min_value=0.0, value=0.0, step=10.0,
                             key=P + "efs_writes", **SESSION)
    efs_item = {
        "kind": "efs", "name": f"efs-{efs_class}", "storage_class": efs_class, "gb_month": efs_gb,
        "throughput_mode": mode, "provisioned_mibps": provisioned, "read_gb": reads,
        "write_gb": writes,
    }
    show_cost("efs", efs_item, "EFS")
