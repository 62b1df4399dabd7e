"""Amazon EBS monthly charges of one plan item: volume storage, IOPS, throughput, snapshots.

Sources (AWS):
- Amazon EBS pricing, https://aws.amazon.com/ebs/pricing/ — volumes billed per GB-month of
  provisioned size, per second while the volume exists ("prorated"); gp3 includes 3,000 IOPS and
  125 MB/s per volume and bills IOPS and throughput provisioned above them; io1 bills every
  provisioned IOPS; io2 bills provisioned IOPS in tiers per volume (up to 32,000, 32,001–64,000,
  above 64,000); gp2, st1, sc1 and magnetic (standard) bill storage only. Snapshots: standard
  tier per GB-month of stored data, archive tier per GB-month with a 90-day minimum.
- Amazon EBS User Guide, "Amazon EBS volume types" — sizes and performance bounds per type:
  gp2 1 GiB–16 TiB; gp3 1 GiB–64 TiB, 3,000–80,000 IOPS, 125–2,000 MiB/s; io1 4 GiB–16 TiB,
  100–64,000 IOPS; io2 Block Express 4 GiB–64 TiB, 100–256,000 IOPS; st1 and sc1 125 GiB–16 TiB;
  magnetic 1 GiB–1 TiB.

- Amazon EBS User Guide, "Pricing and billing for archiving Amazon EBS snapshots": archived
  snapshots billed per GB-month; restores billed per GB restored; the minimum archive period is 90
  days, and a snapshot deleted or permanently restored earlier is billed the archive storage
  charge for the remaining days. Fast Snapshot Restore is billed per DSU-hour per Availability
  Zone (Amazon EBS pricing).

The snapshot holds EBS prices for us-east-1 only; snapshot prices come from the snapshot where it
has them (``snapshot``/``snapshot_archive`` classes), else from ``unit_prices``, else missing.
"""

from __future__ import annotations

from collections.abc import Callable

from planner.catalog.loader import Catalog
from planner.catalog.query import StorageRate, check_region, storage_rates
from planner.errors import InputError
from planner.lineitem import LineItem
from planner.plan import EbsItem, EbsVolumeType
from planner.pricing.stored import EBS_MINIMUM_SECONDS, span_hours, stored_gb_month
from planner.pricing.tiers import Charge, fmt_num, price_charge

KIND = "ebs"
SERVICE = "ebs"

SIZE_GIB: dict[EbsVolumeType, tuple[float, float]] = {
    EbsVolumeType.GP2: (1, 16_384),
    EbsVolumeType.GP3: (1, 65_536),
    EbsVolumeType.IO1: (4, 16_384),
    EbsVolumeType.IO2: (4, 65_536),
    EbsVolumeType.ST1: (125, 16_384),
    EbsVolumeType.SC1: (125, 16_384),
    EbsVolumeType.STANDARD: (1, 1_024),
}
"""Volume size range per type [GiB] (EBS User Guide, volume types)."""

IOPS_RANGE: dict[EbsVolumeType, tuple[float, float]] = {
    EbsVolumeType.GP3: (3_000, 80_000),
    EbsVolumeType.IO1: (100, 64_000),
    EbsVolumeType.IO2: (100, 256_000),
}
"""Provisioned IOPS range per volume [IOPS] (EBS User Guide, volume types)."""

THROUGHPUT_RANGE_MIBPS: dict[EbsVolumeType, tuple[float, float]] = {
    EbsVolumeType.GP3: (125, 2_000),
}
"""Provisioned throughput range per volume [MiB/s] (EBS User Guide, volume types)."""

GP3_INCLUDED_IOPS = 3_000.0
"""IOPS included in the gp3 storage price per volume (EBS pricing); used only as the free part
when the snapshot lacks the gp3 IOPS tiers (which begin at this figure)."""
GP3_INCLUDED_THROUGHPUT_MIBPS = 125.0
"""Throughput included in the gp3 storage price per volume [MiB/s] (EBS pricing)."""

SNAPSHOT_CLASS = "snapshot"
SNAPSHOT_ARCHIVE_CLASS = "snapshot_archive"
SNAPSHOT_ARCHIVE_MIN_DAYS = 90
"""Archived snapshots are billed for at least 90 days (EBS pricing, snapshot archive)."""
FSR_CLASS = "fast_snapshot_restore"


def _range_text(low: float, high: float, unit: str) -> str:
    return f"{fmt_num(low)}–{fmt_num(high)} {unit}"


def _check(item: EbsItem, hours_per_month: float) -> tuple[float, float, float]:
    """Validate the item; returns (iops, throughput MiB/s, usage hours) with gp3 defaults."""
    vt = item.volume_type
    low, high = SIZE_GIB[vt]
    for size in [span.size_gb for span in item.stored or []] or [item.gb]:
        if not low <= size <= high:
            raise InputError(
                "stored" if item.stored else "gb",
                f"{vt.value} volumes are {_range_text(low, high, 'GiB')} (got {fmt_num(size)})",
            )
    if vt in IOPS_RANGE:
        low, high = IOPS_RANGE[vt]
        if item.iops is None:
            if vt is not EbsVolumeType.GP3:
                raise InputError(
                    "iops", f"{vt.value} needs provisioned IOPS: {_range_text(low, high, 'IOPS')}"
                )
            iops = GP3_INCLUDED_IOPS
        else:
            iops = item.iops
        if not low <= iops <= high:
            raise InputError(
                "iops",
                f"{vt.value} volumes take {_range_text(low, high, 'IOPS')} (got {fmt_num(iops)})",
            )
    elif item.iops is not None:
        raise InputError(
            "iops",
            f"{vt.value} volumes have no provisioned IOPS; leave iops empty "
            "(provisioned IOPS: gp3, io1, io2)",
        )
    else:
        iops = 0.0
    if vt in THROUGHPUT_RANGE_MIBPS:
        low, high = THROUGHPUT_RANGE_MIBPS[vt]
        throughput = (
            GP3_INCLUDED_THROUGHPUT_MIBPS
            if item.throughput_mibps is None
            else item.throughput_mibps
        )
        if not low <= throughput <= high:
            raise InputError(
                "throughput_mibps",
                f"{vt.value} volumes take {_range_text(low, high, 'MiB/s')} "
                f"(got {fmt_num(throughput)})",
            )
    elif item.throughput_mibps is not None:
        raise InputError(
            "throughput_mibps",
            f"{vt.value} volumes have no provisioned throughput; leave throughput_mibps empty "
            "(provisioned throughput: gp3)",
        )
    else:
        throughput = 0.0
    if not hours_per_month > 0:
        raise InputError("hours_per_month", f"must be above 0 h (got {hours_per_month:g})")
    hours = hours_per_month if item.usage_hours_per_month is None else item.usage_hours_per_month
    if item.stored is not None:
        hours = min(
            hours_per_month, sum(span_hours(s, EBS_MINIMUM_SECONDS) for s in item.stored)
        )
    if not 0 < hours <= hours_per_month:
        raise InputError(
            "usage_hours_per_month",
            f"must be above 0 and at most hours_per_month {hours_per_month:g} h (got {hours:g})",
        )
    return iops, throughput, hours


def overridable_dimensions(item: EbsItem) -> list[str]:
    """The ``unit_prices`` keys that can apply to a volume of this type (for forms and help)."""
    dims = ["storage"]
    if item.volume_type in IOPS_RANGE:
        dims.append("iops")
    if item.volume_type in THROUGHPUT_RANGE_MIBPS:
        dims.append("throughput")
    return [
        *dims, "snapshot_storage", "snapshot_archive_storage", "snapshot_archive_retrieval",
        "fast_snapshot_restore",
    ]


def price_ebs(
    item: EbsItem, catalog: Catalog, region: str, hours_per_month: float
) -> list[LineItem]:
    """Monthly line items of ``item.count`` EBS volumes in ``region``.

    Volume lines are per volume × count × usage hours / ``hours_per_month`` (EBS bills provisioned
    volumes per second). io2 IOPS tiers apply per volume: 80,000 IOPS = 32,000 × tier 1 +
    32,000 × tier 2 + 16,000 × tier 3. ``snapshot_gb`` and ``snapshot_archive_gb`` are the item's
    total snapshot data [GB-month] (not per volume, not prorated); their lines are
    ``snapshot_storage`` and ``snapshot_archive_storage`` (also the ``unit_prices`` keys, so they
    never collide with the volume's ``storage``).
    """
    check_region(catalog, region)
    iops, throughput, hours = _check(item, hours_per_month)
    vt = item.volume_type
    share = hours / hours_per_month
    scale = item.count * share
    volumes = f"{item.count:,} volume{'s' if item.count != 1 else ''}"
    scale_text = f" × {volumes}"
    if hours < hours_per_month:
        scale_text += f" × {fmt_num(hours)}/{fmt_num(hours_per_month)} h"

    def tiers(dimension: str, storage_class: str | None = None) -> list[StorageRate]:
        return list(storage_rates(catalog, region, SERVICE, storage_class or vt.value, dimension))

    def line(charge: Charge, resource: str | None = None) -> LineItem:
        return price_charge(item.name, KIND, resource or vt.value, charge, item.unit_prices)

    if item.stored is None:
        storage = Charge(
            "storage", item.gb, "GB-month", tiers("storage"), scale=scale, scale_text=scale_text
        )
    else:
        gb_month, text = stored_gb_month(
            item.stored, hours_per_month, minimum_seconds=EBS_MINIMUM_SECONDS
        )
        storage = Charge(
            "storage", gb_month, "GB-month", tiers("storage"), scale=float(item.count),
            scale_text=f" × {volumes}",
            note=f"per volume {text}; billed per second, at least 60 s",
        )
    lines = [line(storage)]
    if vt in IOPS_RANGE:
        free = GP3_INCLUDED_IOPS if vt is EbsVolumeType.GP3 else 0.0
        iops_line = line(
            Charge(
                "iops",
                iops,
                "IOPS-month",
                tiers("iops"),
                scale=scale,
                scale_text=scale_text,
                free_below=free,
            )
        )
        if iops_line.quantity > 0:
            lines.append(iops_line)
    if vt in THROUGHPUT_RANGE_MIBPS:
        throughput_line = line(
            Charge(
                "throughput",
                throughput,
                "MiBps-month",
                tiers("throughput"),
                scale=scale,
                scale_text=scale_text,
                free_below=GP3_INCLUDED_THROUGHPUT_MIBPS,
            )
        )
        if throughput_line.quantity > 0:
            lines.append(throughput_line)
    if item.snapshot_gb > 0:
        lines.append(
            line(
                Charge(
                    "snapshot_storage",
                    item.snapshot_gb,
                    "GB-month",
                    tiers("storage", SNAPSHOT_CLASS),
                    note="snapshot data stored (standard tier)",
                ),
                resource=SNAPSHOT_CLASS,
            )
        )
    lines.extend(_snapshot_archive_lines(item, tiers, line))
    return lines


def _snapshot_archive_lines(
    item: EbsItem, tiers: Callable[..., list[StorageRate]], line: Callable[..., LineItem]
) -> list[LineItem]:
    """Archive-tier storage, early deletion below the 90-day minimum, restores and Fast Snapshot
    Restore."""
    lines: list[LineItem] = []
    archive_rates = tiers("storage", SNAPSHOT_ARCHIVE_CLASS)
    gb = item.snapshot_archive_gb
    days = item.snapshot_archive_days
    if gb > 0:
        kept = (
            f"; each archived snapshot is billed for at least {SNAPSHOT_ARCHIVE_MIN_DAYS} days"
            if days is None else f"; kept {fmt_num(days)} days before deletion or restore "
            f"(minimum {SNAPSHOT_ARCHIVE_MIN_DAYS} days)"
        )
        lines.append(line(Charge(
            "snapshot_archive_storage", gb, "GB-month", archive_rates,
            note=f"archived snapshot data (full snapshots){kept}",
        ), resource=SNAPSHOT_ARCHIVE_CLASS))
    if gb > 0 and days is not None and days < SNAPSHOT_ARCHIVE_MIN_DAYS:
        extra = gb * (SNAPSHOT_ARCHIVE_MIN_DAYS - days) / days
        lines.append(line(Charge(
            "snapshot_archive_early_delete", extra, "GB-month", archive_rates,
            override_key="snapshot_archive_storage",
            note=(
                f"{fmt_num(gb)} GB-month × ({SNAPSHOT_ARCHIVE_MIN_DAYS} − {fmt_num(days)}) / "
                f"{fmt_num(days)} days: snapshots deleted or permanently restored after "
                f"{fmt_num(days)} days are billed the archive storage charge for the rest of the "
                f"{SNAPSHOT_ARCHIVE_MIN_DAYS}-day minimum (steady state: each GB-month archived "
                "also bills the remaining days)"
            ),
        ), resource=SNAPSHOT_ARCHIVE_CLASS))
    elif days is not None and gb <= 0:
        raise InputError("snapshot_archive_days", "applies only with snapshot_archive_gb above 0")
    if item.snapshot_restore_gb > 0:
        lines.append(line(Charge(
            "snapshot_archive_retrieval", item.snapshot_restore_gb, "GB",
            tiers("retrieval_gb", SNAPSHOT_ARCHIVE_CLASS),
            note="archived snapshot data restored to the standard tier (billed once per GB)",
        ), resource=SNAPSHOT_ARCHIVE_CLASS))
    if item.fast_snapshot_restore_dsu_hours > 0:
        lines.append(line(Charge(
            "fast_snapshot_restore", item.fast_snapshot_restore_dsu_hours, "DSU-hour",
            tiers("dsu_hours", FSR_CLASS),
            note="Fast Snapshot Restore: per snapshot and Availability Zone it is enabled in",
        ), resource=FSR_CLASS))
    return lines
