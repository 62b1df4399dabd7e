"""Storage: S3, EBS and EFS calculators with the breakdown of every charge."""

from __future__ import annotations

from typing import Any

import streamlit as st

from planner.costing import cost_plan
from planner.export import line_items_frame
from planner.plan import (
    EbsItem,
    EbsVolumeType,
    EfsItem,
    EfsStorageClass,
    EfsThroughputMode,
    RetrievalTier,
    S3Item,
    S3StorageClass,
    item_hours,
)
from planner.validation import field_bounds
from ui import lazy, state, widgets
from ui.errors import user_errors
from ui.format import USD_COLUMN_FORMAT, USD_RATE_COLUMN_FORMAT, usd
from ui.widgets import SESSION

P = "storage_"
catalog, plan = widgets.page_start()

st.title("Storage")
st.caption(
    "Monthly cost of S3, EBS and EFS with every charge broken down: storage by volume tier, "
    "requests, retrieval, provisioned IOPS and throughput, snapshots."
)
region = widgets.region_select(st, catalog, plan, P + "region")


def number(where: Any, label: str, key: str, model: type[S3Item | EbsItem | EfsItem], field: str,
           *, value: float, step: float, help: str | None = None) -> float | None:
    """A number input checked against the plan schema's range for ``model.field``: a value
    outside it is flagged under the field and gives None (no result is shown)."""
    low, high = field_bounds(model, field)
    return widgets.checked_number(where, label, P + key, low=low, high=high, value=value,
                                  step=step, help=help)


def or_none(value: float | None) -> float | None:
    """0 means "not given"."""
    return value or None


def show_cost(kind: str, item: dict[str, Any], label: str, *, ready: bool = True) -> None:
    """Price ``item`` as a one-item plan and show its line items, total and calculation; with a
    field out of its range (``ready`` false) say so instead of showing a result."""
    if not ready:
        st.info("The cost shows again once every field above is in its range.",
                icon=":material/pending:")
        return
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
    widgets.other_region_note(plan, region)


def _s3() -> None:
    c1, c2, c3, c4 = st.columns(4)
    s3_class = c1.selectbox("Storage class", [c.value for c in S3StorageClass], key=P + "s3_class",
                            **SESSION)
    gb = number(c2, "Data stored (GB-month)", "s3_gb", S3Item, "gb_month", value=1000.0,
                step=100.0)
    objects = number(c3, "Objects stored (0 = not given)", "s3_objects", S3Item, "object_count",
                     value=0.0, step=1000.0)
    days = number(c4, "Days kept before deletion (0 = whole month)", "s3_days", S3Item,
                  "storage_days", value=0.0, step=1.0)
    c1, c2, c3, c4 = st.columns(4)
    puts = number(c1, "PUT/COPY/POST/LIST per month", "s3_puts", S3Item, "put_requests",
                  value=0.0, step=1000.0)
    gets = number(c2, "GET/SELECT per month", "s3_gets", S3Item, "get_requests", value=0.0,
                  step=1000.0)
    retrieval = number(c3, "Data retrieved (GB per month)", "s3_retrieval", S3Item,
                       "retrieval_gb", value=0.0, step=10.0)
    tier = c4.selectbox("Retrieval tier (Glacier)", [t.value for t in RetrievalTier], index=1,
                        key=P + "s3_tier", **SESSION)
    s3_item = {
        "kind": "s3", "name": f"s3-{s3_class}", "storage_class": s3_class, "gb_month": gb,
        "object_count": or_none(objects), "put_requests": puts, "get_requests": gets,
        "retrieval_gb": retrieval, "retrieval_tier": tier, "storage_days": or_none(days),
    }
    show_cost("s3", s3_item, "S3",
              ready=None not in (gb, objects, days, puts, gets, retrieval))

def _ebs() -> None:
    c1, c2, c3, c4 = st.columns(4)
    volume = c1.selectbox("Volume type", [v.value for v in EbsVolumeType], key=P + "ebs_type",
                          index=list(EbsVolumeType).index(EbsVolumeType.GP3),
                          **SESSION)
    size = number(c2, "Size per volume (GB)", "ebs_gb", EbsItem, "gb", value=1000.0, step=100.0)
    count = number(c3, "Volumes", "ebs_count", EbsItem, "count", value=1, step=1)
    hours = widgets.checked_number(c4, "Hours per month each", P + "ebs_hours", low=1.0,
                                   high=plan.hours_per_month, value=float(plan.hours_per_month),
                                   step=10.0)
    c1, c2, c3, c4 = st.columns(4)
    iops = number(c1, "Provisioned IOPS (0 = baseline)", "ebs_iops", EbsItem, "iops", value=0.0,
                  step=1000.0, help="gp3 includes 3,000 IOPS; io1/io2 bill every provisioned IOPS")
    throughput = number(c2, "Throughput MiB/s (gp3; 0 = baseline)", "ebs_throughput", EbsItem,
                        "throughput_mibps", value=0.0, step=25.0, help="gp3 includes 125 MiB/s")
    snap = number(c3, "Snapshots, standard (GB)", "ebs_snap", EbsItem, "snapshot_gb", value=0.0,
                  step=100.0)
    snap_archive = number(c4, "Snapshots, archive (GB)", "ebs_snap_archive", EbsItem,
                          "snapshot_archive_gb", value=0.0, step=100.0)
    ebs_values = (size, count, hours, iops, throughput, snap, snap_archive)
    ebs_item = {
        "kind": "ebs", "name": f"ebs-{volume}", "volume_type": volume, "gb": size,
        "iops": or_none(iops), "throughput_mibps": or_none(throughput),
        "count": int(count) if count is not None else None,
        "usage_hours_per_month": (
            item_hours(hours, plan.hours_per_month) if hours is not None else None),
        "snapshot_gb": snap, "snapshot_archive_gb": snap_archive,
    }
    show_cost("ebs", ebs_item, "EBS", ready=None not in ebs_values)

def _efs() -> None:
    c1, c2, c3 = st.columns(3)
    efs_class = c1.selectbox("Storage class", [c.value for c in EfsStorageClass],
                             key=P + "efs_class", **SESSION)
    efs_gb = number(c2, "Data stored (GB-month)", "efs_gb", EfsItem, "gb_month", value=500.0,
                    step=100.0)
    mode = c3.selectbox("Throughput mode", [m.value for m in EfsThroughputMode],
                        key=P + "efs_mode", **SESSION)
    c1, c2, c3 = st.columns(3)
    provisioned = number(c1, "Provisioned throughput (MiB/s)", "efs_provisioned", EfsItem,
                         "provisioned_mibps", value=0.0, step=10.0)
    reads = number(c2, "Data read (GB per month)", "efs_reads", EfsItem, "read_gb", value=0.0,
                   step=10.0)
    writes = number(c3, "Data written (GB per month)", "efs_writes", EfsItem, "write_gb",
                    value=0.0, step=10.0)
    efs_item = {
        "kind": "efs", "name": f"efs-{efs_class}", "storage_class": efs_class, "gb_month": efs_gb,
        "throughput_mode": mode, "provisioned_mibps": provisioned, "read_gb": reads,
        "write_gb": writes,
    }
    show_cost("efs", efs_item, "EFS", ready=None not in (efs_gb, provisioned, reads, writes))


# Only the open tab runs and is drawn; the others keep their inputs (persist_state).
tab_s3, tab_ebs, tab_efs = lazy.tabs(["S3", "EBS", "EFS"], P + "view")
for tab, draw in ((tab_s3, _s3), (tab_ebs, _ebs), (tab_efs, _efs)):
    with tab:
        if lazy.is_open(tab):
            draw()
