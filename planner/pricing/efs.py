"""Amazon EFS monthly charges of one plan item: storage by class, access, throughput.

Sources (AWS):
- Amazon EFS pricing, https://aws.amazon.com/efs/pricing/ — storage per GB-month by class
  (Standard, Infrequent Access, Archive, One Zone, One Zone-IA); the IA storage rate differs for
  file systems in Elastic throughput mode (Price List label "Infrequent Access ET Storage", usage
  type ``IATimedStorage-ET-ByteHrs`` in the EFS User Guide's billing section) — the snapshot keeps
  it as ``storage_elastic`` and the bursting/provisioned rate as ``storage``; data access charges
  per GB read from the IA and Archive classes and per GB written (tiered) into them, listed for
  "Infrequent Access (IA) and One Zone-IA" together, so One Zone-IA access uses the IA rates;
  Elastic throughput per GB read and per GB written; Provisioned throughput per MB/s-month,
  billed on "the throughput provisioned in excess of what your EFS Standard storage allows"
  (Bursting mode's baseline for the data stored); Bursting throughput is included in storage.
- Amazon EFS User Guide, "Throughput modes": Bursting baseline 50 KiB/s per GiB of data in the
  EFS Standard (or One Zone) storage class.
- Amazon EFS API Reference, PutLifecycleConfiguration: "The Archive storage class is available
  only for file systems that use the Elastic Throughput mode".
"""

from __future__ import annotations

from planner.catalog.loader import Catalog
from planner.catalog.query import StorageRate, check_region, storage_rates
from planner.errors import InputError
from planner.lineitem import LineItem
from planner.plan import EfsItem, EfsStorageClass, EfsThroughputMode
from planner.pricing.stored import stored_gb_month
from planner.pricing.tiers import Charge, fmt_num, price_charge

KIND = "efs"
SERVICE = "efs"

BURSTING_BASELINE_KIBPS_PER_GIB = 50.0
"""Bursting baseline throughput per GiB of Standard / One Zone data [KiB/s] (EFS User Guide)."""
BASELINE_CLASSES = frozenset({EfsStorageClass.STANDARD, EfsStorageClass.ONE_ZONE})
"""Classes whose data earns baseline throughput."""

ACCESS_RATE_CLASS: dict[EfsStorageClass, EfsStorageClass] = {
    EfsStorageClass.INFREQUENT_ACCESS: EfsStorageClass.INFREQUENT_ACCESS,
    EfsStorageClass.ONE_ZONE_IA: EfsStorageClass.INFREQUENT_ACCESS,
    EfsStorageClass.ARCHIVE: EfsStorageClass.ARCHIVE,
}
"""Classes with data access charges → the class whose read/write rates apply (EFS pricing)."""

ELASTIC_CLASS = "elastic_throughput"
PROVISIONED_CLASS = "provisioned_throughput"


def baseline_mibps(standard_gb: float) -> float:
    """Bursting-mode baseline throughput [MiB/s] of ``standard_gb`` GiB in Standard/One Zone:
    50 KiB/s per GiB ÷ 1,024 KiB per MiB (500 GB → 24.41 MiB/s)."""
    return standard_gb * BURSTING_BASELINE_KIBPS_PER_GIB / 1024.0


def overridable_dimensions(item: EfsItem) -> list[str]:
    """The ``unit_prices`` keys that can apply to this item (for forms and help)."""
    cls, mode = item.storage_class, item.throughput_mode
    elastic_ia = cls is EfsStorageClass.INFREQUENT_ACCESS and mode is EfsThroughputMode.ELASTIC
    dims = ["storage_elastic" if elastic_ia else "storage"]
    if cls in ACCESS_RATE_CLASS:
        dims += ["reads", "writes"]
    if mode is EfsThroughputMode.ELASTIC:
        dims += ["elastic_reads", "elastic_writes"]
    if mode is EfsThroughputMode.PROVISIONED:
        dims.append("throughput")
    return dims


def price_efs(
    item: EfsItem, catalog: Catalog, region: str, hours_per_month: float
) -> list[LineItem]:
    """Monthly line items of an EFS item in ``region``.

    ``hours_per_month`` is the month's length for ``stored`` spans (GB × hours ÷ hours per month);
    other EFS charges are per GB-month, per GB or per MB/s-month. ``unit_prices`` keys: ``storage`` (or
    ``storage_elastic`` for IA in Elastic mode), ``reads``, ``writes`` (IA/Archive access),
    ``elastic_reads``, ``elastic_writes`` (Elastic throughput) and ``throughput`` (Provisioned).
    """
    check_region(catalog, region)
    stored_note = ""
    if item.stored is not None:
        gb_month, stored_note = stored_gb_month(item.stored, hours_per_month)
        item = item.model_copy(update={"gb_month": gb_month})
    cls = item.storage_class
    mode = item.throughput_mode
    if cls is EfsStorageClass.ARCHIVE and mode is not EfsThroughputMode.ELASTIC:
        raise InputError(
            "throughput_mode",
            f"the archive storage class needs elastic throughput, not {mode.value}",
        )
    if mode is EfsThroughputMode.PROVISIONED and item.provisioned_mibps <= 0:
        raise InputError(
            "provisioned_mibps", "provisioned throughput mode needs above 0 MiB/s (up to 100,000)"
        )
    if mode is not EfsThroughputMode.PROVISIONED and item.provisioned_mibps > 0:
        raise InputError(
            "provisioned_mibps",
            f"applies only to throughput_mode provisioned (this item is {mode.value}); must be 0",
        )

    def tiers(storage_class: str, dimension: str) -> list[StorageRate]:
        return list(storage_rates(catalog, region, SERVICE, storage_class, dimension))

    def line(charge: Charge, resource: str | None = None) -> LineItem:
        return price_charge(item.name, KIND, resource or cls.value, charge, item.unit_prices)

    storage_dimension = "storage"
    note = stored_note
    if cls is EfsStorageClass.INFREQUENT_ACCESS:
        if mode is EfsThroughputMode.ELASTIC:
            storage_dimension = "storage_elastic"
            note = "; ".join(filter(None, [note, "IA rate for file systems in Elastic throughput mode"]))
        else:
            note = "; ".join(
                filter(None, [note, f"IA rate for file systems in {mode.value} throughput mode"])
            )
    lines = [
        line(
            Charge(
                storage_dimension,
                item.gb_month,
                "GB-month",
                tiers(cls.value, storage_dimension),
                note=note,
            )
        )
    ]

    access = ACCESS_RATE_CLASS.get(cls)
    if access is not None:
        shared = "" if access is cls else f"{cls.value} access is billed at {access.value} rates"
        for dimension, gb, what in (
            ("reads", item.read_gb, "read from"),
            ("writes", item.write_gb, "written/tiered into"),
        ):
            if gb > 0:
                text = f"data {what} {cls.value}" + (f"; {shared}" if shared else "")
                lines.append(
                    line(Charge(dimension, gb, "GB", tiers(access.value, dimension), note=text))
                )

    if mode is EfsThroughputMode.ELASTIC:
        for dimension, gb in (("reads", item.read_gb), ("writes", item.write_gb)):
            if gb > 0:
                lines.append(
                    line(
                        Charge(
                            f"elastic_{dimension}",
                            gb,
                            "GB",
                            tiers(ELASTIC_CLASS, dimension),
                            note="Elastic throughput: data "
                            + ("read" if dimension == "reads" else "written"),
                        ),
                        resource=ELASTIC_CLASS,
                    )
                )
    elif mode is EfsThroughputMode.PROVISIONED:
        standard_gb = item.gb_month if cls in BASELINE_CLASSES else 0.0
        included = baseline_mibps(standard_gb)
        billed = max(0.0, item.provisioned_mibps - included)
        note = (
            f"{fmt_num(item.provisioned_mibps)} MiB/s provisioned − {fmt_num(included, 6)} MiB/s "
            f"baseline ({fmt_num(standard_gb)} GB in Standard/One Zone × 50 KiB/s per GiB) = "
            f"{fmt_num(billed, 6)} MiB/s billed"
        )
        lines.append(
            line(
                Charge(
                    "throughput",
                    billed,
                    "MiBps-month",
                    tiers(PROVISIONED_CLASS, "throughput"),
                    note=note,
                ),
                resource=PROVISIONED_CLASS,
            )
        )
    return lines
