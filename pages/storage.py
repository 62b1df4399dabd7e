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
)
from ui import data, state
from ui.errors import user_errors
from ui.format import USD_COLUMN_FORMAT, usd

P = "storage_"
catalog = data.catalog()
state.show_flash()
plan = state.current_plan()

st.title("Storage")
st.caption(
    "Monthly cost of S3, EBS and EFS with every charge broken down: storage by volume tier, "
    "requests, retrieval, provisioned IOPS and throughput, snapshots."
)
region = st.selectbox(
    "Region", catalog.regions, key=P + "region", persist_state="session",
    index=catalog.regions.index(plan.region) if plan.region in catalog.regions else 0,
)


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
            "unit_price_usd": st.column_config.NumberColumn("Unit price", format="$%.6f"),
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


tab_s3, tab_ebs, tab_efs = st.tabs(["S3", "EBS", "EFS"])

with tab_s3:
    c1, c2, c3, c4 = st.columns(4)
    s3_class = c1.selectbox("Storage class", [c.value for c in S3StorageClass], key=P + "s3_class",
                            persist_state="session")
    gb = c2.number_input("Data stored (GB-month)", min_value=0.0, value=1000.0, step=100.0,
                         key=P + "s3_gb", persist_state="session")
    objects = c3.number_input("Objects stored (0 = not given)", min_value=0.0, value=0.0,
                              step=1000.0, key=P + "s3_objects", persist_state="session")
    days = c4.number_input("Days kept before deletion (0 = whole month)", min_value=0.0,
                           value=0.0, step=1.0, key=P + "s3_days", persist_state="session")
    c1, c2, c3, c4 = st.columns(4)
    puts = c1.number_input("PUT/COPY/POST/LIST per month", min_value=0.0, value=0.0, step=1000.0,
                           key=P + "s3_puts", persist_state="session")
    gets = c2.number_input("GET/SELECT per month", min_value=0.0, value=0.0, step=1000.0,
                           key=P + "s3_gets", persist_state="session")
    retrieval = c3.number_input("Data retrieved (GB per month)", min_value=0.0, value=0.0,
                                step=10.0, key=P + "s3_retrieval", persist_state="session")
    tier = c4.selectbox("Retrieval tier (Glacier)", [t.value for t in RetrievalTier], index=1,
                        key=P + "s3_tier", persist_state="session")
    s3_item = {
        "kind": "s3", "name": f"s3-{s3_class}", "storage_class": s3_class, "gb_month": gb,
        "object_count": objects or None, "put_requests": puts, "get_requests": gets,
        "retrieval_gb": retrieval, "retrieval_tier": tier, "storage_days": days or None,
    }
    show_cost("s3", s3_item, "S3")

with tab_ebs:
    c1, c2, c3, c4 = st.columns(4)
    volume = c1.selectbox("Volume type", [v.value for v in EbsVolumeType], key=P + "ebs_type",
                          index=list(EbsVolumeType).index(EbsVolumeType.GP3),
                          persist_state="session")
    size = c2.number_input("Size per volume (GB)", min_value=1.0, max_value=65536.0, value=1000.0,
                           step=100.0, key=P + "ebs_gb", persist_state="session")
    count = c3.number_input("Volumes", min_value=1, max_value=100_000, value=1, step=1,
                            key=P + "ebs_count", persist_state="session")
    hours = c4.number_input("Hours per month each", min_value=1.0, max_value=744.0,
                            value=float(plan.hours_per_month), step=10.0, key=P + "ebs_hours",
                            persist_state="session")
    c1, c2, c3, c4 = st.columns(4)
    iops = c1.number_input("Provisioned IOPS (0 = baseline)", min_value=0.0, max_value=256000.0,
                           value=0.0, step=1000.0, key=P + "ebs_iops", persist_state="session",
                           help="gp3 includes 3,000 IOPS; io1/io2 bill every provisioned IOPS")
    throughput = c2.number_input(
        "Throughput MiB/s (gp3; 0 = baseline)", min_value=0.0, max_value=2000.0, value=0.0,
        step=25.0, key=P + "ebs_throughput", persist_state="session",
        help="gp3 includes 125 MiB/s",
    )
    snap = c3.number_input("Snapshots, standard (GB)", min_value=0.0, value=0.0, step=100.0,
                           key=P + "ebs_snap", persist_state="session")
    snap_archive = c4.number_input("Snapshots, archive (GB)", min_value=0.0, value=0.0,
                                   step=100.0, key=P + "ebs_snap_archive", persist_state="session")
    ebs_item = {
        "kind": "ebs", "name": f"ebs-{volume}", "volume_type": volume, "gb": size,
        "iops": iops or None, "throughput_mibps": throughput or None, "count": int(count),
        "usage_hours_per_month": hours, "snapshot_gb": snap, "snapshot_archive_gb": snap_archive,
    }
    show_cost("ebs", ebs_item, "EBS")

with tab_efs:
    c1, c2, c3 = st.columns(3)
    efs_class = c1.selectbox("Storage class", [c.value for c in EfsStorageClass],
                             key=P + "efs_class", persist_state="session")
    efs_gb = c2.number_input("Data stored (GB-month)", min_value=0.0, value=500.0, step=100.0,
                             key=P + "efs_gb", persist_state="session")
    mode = c3.selectbox("Throughput mode", [m.value for m in EfsThroughputMode],
                        key=P + "efs_mode", persist_state="session")
    c1, c2, c3 = st.columns(3)
    provisioned = c1.number_input("Provisioned throughput (MiB/s)", min_value=0.0, value=0.0,
                                  step=10.0, key=P + "efs_provisioned", persist_state="session")
    reads = c2.number_input("Data read (GB per month)", min_value=0.0, value=0.0, step=10.0,
                            key=P + "efs_reads", persist_state="session")
    writes = c3.number_input("Data written (GB per month)", min_value=0.0, value=0.0, step=10.0,
                             key=P + "efs_writes", persist_state="session")
    efs_item = {
        "kind": "efs", "name": f"efs-{efs_class}", "storage_class": efs_class, "gb_month": efs_gb,
        "throughput_mode": mode, "provisioned_mibps": provisioned, "read_gb": reads,
        "write_gb": writes,
    }
    show_cost("efs", efs_item, "EFS")
