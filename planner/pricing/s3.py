"""Amazon S3 monthly charges of one plan item: storage, requests, transitions, retrievals, fees.

Sources (AWS):
- Amazon S3 pricing, https://aws.amazon.com/s3/pricing/ — storage per GB-month with volume tiers
  for S3 Standard and the Intelligent-Tiering Frequent Access tier (first 50 TB / next 450 TB /
  over 500 TB per month); PUT, COPY, POST, LIST and GET requests per 1,000; lifecycle transition
  requests per 1,000 into the target class; data retrieval per GB for Standard-IA, One Zone-IA,
  Glacier Instant Retrieval and Express One Zone; retrieval per GB plus per restore request by
  speed (expedited / standard / bulk) for Glacier Flexible Retrieval, standard and bulk only for
  Deep Archive; Intelligent-Tiering monitoring and automation per 1,000 objects, for objects of
  128 KB and larger.
- Amazon S3 User Guide, "Understanding and managing Amazon S3 storage classes" (comparison table):
  minimum billable object size 128 KB (Standard-IA, One Zone-IA, Glacier Instant Retrieval);
  minimum storage duration 30 days (Standard-IA, One Zone-IA), 90 days (Glacier Instant Retrieval,
  Glacier Flexible Retrieval), 180 days (Glacier Deep Archive); none for Standard,
  Intelligent-Tiering and Express One Zone. Objects deleted, overwritten or transitioned before the
  minimum are charged the remaining days pro rata.
- Amazon S3 User Guide, "Understanding archival storage in S3 Glacier Flexible Retrieval and S3
  Glacier Deep Archive" (cost considerations): each archived object carries 40 KB of metadata,
  32 KB charged at the class rate and 8 KB at the S3 Standard rate.
- Amazon S3 User Guide, "How S3 Intelligent-Tiering works": objects smaller than 128 KB are not
  monitored, pay no monitoring fee and are always charged at Frequent Access tier rates.
- Amazon S3 User Guide, "Transitioning objects using Amazon S3 Lifecycle": lifecycle rules move
  objects into Intelligent-Tiering, Standard-IA, One Zone-IA and the three Glacier classes only.

Modelling choices (shown in the formulas): the object size limits use the average object size
(``gb_month / object_count``) as if every object had it; early deletion assumes a steady state in
which each object stays ``storage_days`` days, so each GB-month stored also bills
``(minimum − storage_days) / storage_days`` GB-months of the rest of the minimum;
Intelligent-Tiering restores are split between the Archive and Deep Archive Access tiers in
proportion to their data.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from planner.catalog.loader import Catalog
from planner.catalog.query import StorageRate, check_region, storage_rates
from planner.errors import InputError
from planner.lineitem import LineItem, PriceQuote, recurring
from planner.plan import RetrievalTier, S3Item, S3StorageClass
from planner.pricing.stored import stored_gb_month
from planner.pricing.tiers import (
    KIB_PER_GIB,
    Charge,
    fmt_money,
    fmt_num,
    fmt_usd,
    price_charge,
)

KIND = "s3"
SERVICE = "s3"

MIN_OBJECT_KB: dict[S3StorageClass, float] = {
    S3StorageClass.STANDARD_IA: 128.0,
    S3StorageClass.ONEZONE_IA: 128.0,
    S3StorageClass.GLACIER_IR: 128.0,
}
"""Minimum billable object size [KB] (S3 User Guide, storage class comparison)."""

ARCHIVE_OVERHEAD_CLASS_KB = 32.0
"""Per-object metadata billed at the archive class rate [KB] (S3 User Guide, archival storage)."""
ARCHIVE_OVERHEAD_STANDARD_KB = 8.0
"""Per-object metadata billed at the S3 Standard rate [KB] (S3 User Guide, archival storage)."""
ARCHIVE_CLASSES = frozenset({S3StorageClass.GLACIER_FLEXIBLE, S3StorageClass.DEEP_ARCHIVE})

MIN_STORAGE_DAYS: dict[S3StorageClass, float] = {
    S3StorageClass.STANDARD_IA: 30.0,
    S3StorageClass.ONEZONE_IA: 30.0,
    S3StorageClass.GLACIER_IR: 90.0,
    S3StorageClass.GLACIER_FLEXIBLE: 90.0,
    S3StorageClass.DEEP_ARCHIVE: 180.0,
}
"""Minimum storage duration [days] (S3 User Guide, storage class comparison); others have none."""

IT_MONITORING_MIN_OBJECT_KB = 128.0
"""Intelligent-Tiering monitors (and charges the fee for) objects of at least this size [KB]."""

IT_TIER_DIMENSIONS: dict[str, str] = {
    "frequent": "storage",
    "infrequent": "infrequent_storage",
    "archive_instant": "archive_instant_storage",
    "archive": "archive_storage",
    "deep_archive": "deep_archive_storage",
}
"""Intelligent-Tiering access tier → the snapshot's storage dimension for it."""

FRACTION_TOLERANCE = 1e-6

TRANSITION_TARGETS = frozenset(
    {
        S3StorageClass.INTELLIGENT_TIERING,
        S3StorageClass.STANDARD_IA,
        S3StorageClass.ONEZONE_IA,
        S3StorageClass.GLACIER_IR,
        S3StorageClass.GLACIER_FLEXIBLE,
        S3StorageClass.DEEP_ARCHIVE,
    }
)
"""Classes a lifecycle rule can transition objects into (S3 User Guide, lifecycle transitions)."""

PER_GB_RETRIEVAL = frozenset(
    {
        S3StorageClass.STANDARD_IA,
        S3StorageClass.ONEZONE_IA,
        S3StorageClass.GLACIER_IR,
        S3StorageClass.EXPRESS_ONEZONE,
    }
)
"""Classes charging retrieval per GB without restore requests."""

TierLookup = Callable[..., list[StorageRate]]
"""``tiers(dimension, storage_class=None)``: the snapshot's tiers for this item's region."""
LineMaker = Callable[..., LineItem]
"""``line(charge, resource=None)``: a priced line of this item."""

GB_MONTH = "GB-month"
PER_1000_REQUESTS = "1,000 requests"
PER_1000_OBJECTS = "1,000 objects-month"


def price_s3(item: S3Item, catalog: Catalog, region: str, hours_per_month: float) -> list[LineItem]:
    """Monthly line items of an S3 item in ``region``.

    ``hours_per_month`` is the month's length: ``stored`` spans become GB-months by it (byte-hours
    in binary GB ÷ hours in the month); a ``gb_month`` figure does not depend on it. A dimension
    the snapshot lacks gives a line with ``unit_price_usd=None``; ``item.unit_prices`` overrides
    any dimension by its name.
    """
    check_region(catalog, region)
    stored_note = ""
    if item.stored is not None:
        gb_month, stored_note = stored_gb_month(item.stored, hours_per_month)
        item = item.model_copy(update={"gb_month": gb_month})
    cls = item.storage_class
    overrides = item.unit_prices

    def tiers(dimension: str, storage_class: str | None = None) -> list[StorageRate]:
        return list(storage_rates(catalog, region, SERVICE, storage_class or cls.value, dimension))

    def line(charge: Charge, resource: str | None = None) -> LineItem:
        return price_charge(item.name, KIND, resource or cls.value, charge, overrides)

    _check_inputs(item)
    lines: list[LineItem] = []
    notes: list[str] = [stored_note] if stored_note else []
    objects = item.object_count

    # --- storage --------------------------------------------------------------------------------
    if cls is S3StorageClass.INTELLIGENT_TIERING:
        lines.extend(_intelligent_tiering(item, tiers, line, notes))
    else:
        class_gb = item.gb_month
        storage_note = ""
        if cls in MIN_OBJECT_KB:
            minimum_kb = MIN_OBJECT_KB[cls]
            if objects is None:
                storage_note = (
                    f"object_count not given: {minimum_kb:g} KB minimum object size not applied"
                )
            else:
                minimum_gb = objects * minimum_kb / KIB_PER_GIB
                if minimum_gb > item.gb_month:
                    class_gb = minimum_gb
                storage_note = (
                    f"billable = max({fmt_num(item.gb_month)} GB stored, "
                    f"{fmt_num(objects)} objects × {minimum_kb:g} KB minimum = "
                    f"{fmt_num(minimum_gb, 6)} GB), assuming every object has the average size"
                )
        elif cls in ARCHIVE_CLASSES:
            if objects is None:
                storage_note = (
                    "object_count not given: 40 KB per-object archive overhead not applied"
                )
            else:
                overhead_gb = objects * ARCHIVE_OVERHEAD_CLASS_KB / KIB_PER_GIB
                class_gb = item.gb_month + overhead_gb
                storage_note = (
                    f"{fmt_num(item.gb_month)} GB data + {fmt_num(objects)} objects × "
                    f"{ARCHIVE_OVERHEAD_CLASS_KB:g} KB overhead = {fmt_num(overhead_gb, 6)} GB"
                )
        storage = line(Charge("storage", class_gb, GB_MONTH, tiers("storage"), note=storage_note))
        lines.append(storage)
        if cls in ARCHIVE_CLASSES and objects:
            overhead_gb = objects * ARCHIVE_OVERHEAD_STANDARD_KB / KIB_PER_GIB
            lines.append(
                line(
                    Charge(
                        "overhead_standard_storage",
                        overhead_gb,
                        GB_MONTH,
                        tiers("storage", S3StorageClass.STANDARD.value),
                        note=(
                            f"{fmt_num(objects)} objects × {ARCHIVE_OVERHEAD_STANDARD_KB:g} "
                            "KB archive metadata billed at the S3 Standard rate"
                        ),
                    ),
                    resource=S3StorageClass.STANDARD.value,
                )
            )
        early = _early_deletion(item, class_gb, storage)
        if early is not None:
            lines.append(early)

    # --- requests -------------------------------------------------------------------------------
    for dimension, count in (
        ("requests_put", item.put_requests),
        ("requests_get", item.get_requests),
        ("transition_requests", item.transition_requests),
    ):
        if count > 0:
            lines.append(
                line(
                    Charge(
                        dimension,
                        count / 1000.0,
                        PER_1000_REQUESTS,
                        tiers(dimension),
                        quantity_text=f"{fmt_num(count)} requests ÷ 1,000",
                    )
                )
            )

    # --- Express One Zone data upload -------------------------------------------------------------
    if item.upload_gb > 0:
        if cls is not S3StorageClass.EXPRESS_ONEZONE:
            raise InputError(
                "upload_gb",
                f"only express_onezone bills data upload per GB; must be 0 for {cls.value}",
            )
        lines.append(line(Charge("upload_gb", item.upload_gb, "GB", tiers("upload_gb"),
                                 note="data uploaded (PUT request data) into Express One Zone")))

    # --- retrieval ------------------------------------------------------------------------------
    if cls is S3StorageClass.INTELLIGENT_TIERING:
        lines.extend(_it_retrievals(item, tiers, line, notes))
    elif cls in PER_GB_RETRIEVAL:
        if item.retrieval_gb > 0:
            lines.append(
                line(Charge("retrieval_gb", item.retrieval_gb, "GB", tiers("retrieval_gb")))
            )
        if item.retrieval_requests > 0:
            notes.append(
                f"retrieval_requests: {cls.value} objects are read directly (GET), there are no "
                "restore requests to charge"
            )
    elif cls in ARCHIVE_CLASSES:
        speed = item.retrieval_tier.value
        if item.retrieval_gb > 0:
            dimension = f"retrieval_gb_{speed}"
            lines.append(line(Charge(dimension, item.retrieval_gb, "GB", tiers(dimension))))
        if item.retrieval_requests > 0:
            dimension = f"retrieval_requests_{speed}"
            lines.append(
                line(
                    Charge(
                        dimension,
                        item.retrieval_requests / 1000.0,
                        PER_1000_REQUESTS,
                        tiers(dimension),
                        quantity_text=_per_thousand(item.retrieval_requests, "restore requests"),
                    )
                )
            )
    elif item.retrieval_gb > 0 or item.retrieval_requests > 0:
        notes.append(f"retrieval: {cls.value} has no retrieval charge")

    if notes:
        lines[0] = _with_notes(lines[0], notes)
    return lines


def _per_thousand(count: float, what: str) -> str:
    return f"{fmt_num(count)} {what} ÷ 1,000"


def _check_inputs(item: S3Item) -> None:
    cls = item.storage_class
    if item.transition_requests > 0 and cls not in TRANSITION_TARGETS:
        allowed = ", ".join(sorted(c.value for c in TRANSITION_TARGETS))
        raise InputError(
            "transition_requests",
            f"lifecycle rules cannot transition objects into {cls.value}; must be 0 "
            f"(transitions go into {allowed})",
        )
    if cls is S3StorageClass.DEEP_ARCHIVE and item.retrieval_tier is RetrievalTier.EXPEDITED:
        raise InputError(
            "retrieval_tier",
            "deep_archive has no expedited retrieval; allowed: standard, bulk",
        )
    if item.access_tier_fractions is not None:
        if cls is not S3StorageClass.INTELLIGENT_TIERING:
            raise InputError(
                "access_tier_fractions",
                f"applies only to intelligent_tiering, not {cls.value}",
            )
        unknown = sorted(set(item.access_tier_fractions) - set(IT_TIER_DIMENSIONS))
        if unknown:
            raise InputError(
                "access_tier_fractions",
                f"unknown tier {', '.join(repr(u) for u in unknown)}; valid tiers: "
                f"{', '.join(IT_TIER_DIMENSIONS)}",
            )
        total = math.fsum(item.access_tier_fractions.values())
        if abs(total - 1.0) > FRACTION_TOLERANCE:
            raise InputError(
                "access_tier_fractions",
                f"fractions must sum to 1 (±{FRACTION_TOLERANCE:g}); got {total:.6g}",
            )
    if item.storage_days is not None and item.storage_days <= 0:
        raise InputError("storage_days", "must be above 0 days (up to 36,500)")


def _fractions(item: S3Item) -> dict[str, float]:
    return dict(item.access_tier_fractions or {"frequent": 1.0})


def _it_small_objects(item: S3Item) -> float | None:
    """Average object size [KB] when known and below the monitoring minimum, else ``None``."""
    if item.object_count is None or item.object_count <= 0:
        return None
    average_kb = item.gb_month * KIB_PER_GIB / item.object_count
    return average_kb if average_kb < IT_MONITORING_MIN_OBJECT_KB else None


def _intelligent_tiering(
    item: S3Item, tiers: TierLookup, line: LineMaker, notes: list[str]
) -> list[LineItem]:
    """Storage per access tier (frequent tier volume-tiered) and the monitoring fee."""
    lines: list[LineItem] = []
    fractions = _fractions(item)
    small_kb = _it_small_objects(item)
    objects = item.object_count
    if small_kb is not None:
        fractions = {"frequent": 1.0}
        monitoring_note = (
            f"average object {fmt_num(small_kb, 4)} KB < {IT_MONITORING_MIN_OBJECT_KB:g} KB: "
            "objects are not monitored, pay no monitoring fee and stay at Frequent Access rates "
            "(assumes every object has the average size)"
        )
    elif objects is None:
        monitoring_note = "object_count not given: monitoring fee not computed"
    else:
        monitoring_note = ""
    for tier, dimension in IT_TIER_DIMENSIONS.items():
        share = fractions.get(tier, 0.0)
        gb = item.gb_month * share
        if dimension != "storage" and gb <= 0:
            continue
        note = f"{share:.4g} × {fmt_num(item.gb_month)} GB in the {tier} tier"
        if dimension == "storage" and monitoring_note and small_kb is not None:
            note = f"{note}; {monitoring_note}"
        lines.append(line(Charge(dimension, gb, GB_MONTH, tiers(dimension), note=note)))
    if objects is not None and objects > 0 and small_kb is None:
        average_kb = item.gb_month * KIB_PER_GIB / objects
        lines.append(
            line(
                Charge(
                    "monitoring",
                    objects / 1000.0,
                    PER_1000_OBJECTS,
                    tiers("monitoring"),
                    quantity_text=f"{fmt_num(objects)} objects ÷ 1,000",
                    note=(
                        f"average object {fmt_num(average_kb, 4)} KB ≥ "
                        f"{IT_MONITORING_MIN_OBJECT_KB:g} KB, so all are monitored (assumes "
                        "every object has the average size)"
                    ),
                )
            )
        )
    elif objects is None:
        notes.append(monitoring_note)
    return lines


def _it_retrievals(
    item: S3Item, tiers: TierLookup, line: LineMaker, notes: list[str]
) -> list[LineItem]:
    """Restores from the Archive / Deep Archive Access tiers, split by their share of data."""
    if item.retrieval_gb <= 0 and item.retrieval_requests <= 0:
        return []
    fractions = _fractions(item) if _it_small_objects(item) is None else {"frequent": 1.0}
    archive = fractions.get("archive", 0.0)
    deep = fractions.get("deep_archive", 0.0)
    archived = archive + deep
    if archived <= 0:
        notes.append(
            "retrieval: no data in the Archive or Deep Archive Access tiers; Intelligent-Tiering "
            "has no retrieval charge for the other tiers"
        )
        return []
    speed = item.retrieval_tier.value
    if deep > 0 and item.retrieval_tier is RetrievalTier.EXPEDITED:
        raise InputError(
            "retrieval_tier",
            "the Deep Archive Access tier has no expedited retrieval; allowed: standard, bulk",
        )
    lines: list[LineItem] = []
    for prefix, share in (("archive", archive), ("deep_archive", deep)):
        if share <= 0:
            continue
        part = share / archived
        split = (
            f"{part:.4g} of restores (the {prefix} tier's share of archived data)"
            if part < 1
            else ""
        )
        if item.retrieval_gb > 0:
            dimension = f"{prefix}_retrieval_gb_{speed}"
            lines.append(
                line(
                    Charge(
                        dimension,
                        item.retrieval_gb * part,
                        "GB",
                        tiers(dimension),
                        note=split,
                    )
                )
            )
        if item.retrieval_requests > 0:
            dimension = f"{prefix}_retrieval_requests_{speed}"
            requests = item.retrieval_requests * part
            lines.append(
                line(
                    Charge(
                        dimension,
                        requests / 1000.0,
                        PER_1000_REQUESTS,
                        tiers(dimension),
                        note=split,
                        quantity_text=f"{fmt_num(requests)} restore requests ÷ 1,000",
                    )
                )
            )
    return lines


def _early_deletion(item: S3Item, class_gb: float, storage: LineItem) -> LineItem | None:
    """The rest of the minimum storage duration, charged at the class storage rate."""
    minimum = MIN_STORAGE_DAYS.get(item.storage_class)
    days = item.storage_days
    if minimum is None or days is None or days >= minimum or class_gb <= 0:
        return None
    extra_gb_month = class_gb * (minimum - days) / days
    price = PriceQuote(price_usd=storage.unit_price_usd, as_of=storage.as_of, source=storage.source)
    cost = "" if price.price_usd is None else f" = {fmt_money(extra_gb_month * price.price_usd)}"
    rate = "(storage price missing)" if price.price_usd is None else fmt_usd(price.price_usd)
    formula = (
        f"{fmt_num(class_gb)} GB × ({minimum:g} − {days:g}) / {days:g} days = "
        f"{fmt_num(extra_gb_month)} GB-month × {rate}{cost}; objects kept {days:g} days are billed "
        f"the {minimum:g}-day minimum of {item.storage_class.value} (steady state: each GB-month "
        f"stored also bills the remaining days)"
    )
    return recurring(
        item.name,
        KIND,
        item.storage_class.value,
        "early_deletion",
        extra_gb_month,
        GB_MONTH,
        price,
        formula,
    )


def _with_notes(line: LineItem, notes: list[str]) -> LineItem:
    return replace(line, formula=f"{line.formula}; " + "; ".join(notes))


def overridable_dimensions(item: S3Item) -> list[str]:
    """The ``unit_prices`` keys that can apply to an item of this class (for forms and help);
    ``early_deletion`` follows the ``storage`` price."""
    cls = item.storage_class
    dims = ["storage", "requests_put", "requests_get"]
    if cls is S3StorageClass.INTELLIGENT_TIERING:
        dims += [d for d in IT_TIER_DIMENSIONS.values() if d != "storage"] + ["monitoring"]
        dims += [
            f"{p}_retrieval_{w}_{s.value}"
            for p in ("archive", "deep_archive")
            for w in ("gb", "requests")
            for s in RetrievalTier
        ]
    if cls in TRANSITION_TARGETS:
        dims.append("transition_requests")
    if cls in ARCHIVE_CLASSES:
        dims.append("overhead_standard_storage")
        dims += [f"retrieval_{w}_{s.value}" for w in ("gb", "requests") for s in RetrievalTier]
    if cls in PER_GB_RETRIEVAL:
        dims.append("retrieval_gb")
    if cls is S3StorageClass.EXPRESS_ONEZONE:
        dims.append("upload_gb")
    return dims
