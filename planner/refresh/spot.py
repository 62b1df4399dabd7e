"""Spot price history (``ec2.describe_spot_price_history``) summarised per region and type.

One paginated query per region for the last N days (Linux/UNIX, every AZ). The API returns each
price change in the window plus the last change before its start (the price in effect at the
start), so per AZ the price is a step function over the window. Per (region, instance type):

- ``latest``: mean over AZs of each AZ's newest price → the ``spot`` row of compute_rates
  (``hourly_usd`` = ``effective_hourly_usd``), i.e. what spot costs today;
- ``mean``: mean over AZs of each AZ's time-weighted mean over the window → spot_price_samples
  ``spot_mean_usd_per_hour``;
- ``min`` / ``max``: over every price in effect at some time in the window, all AZs;
- ``availability_zones``: AZs with a price.

``as_of`` is the end of the window (the retrieval date).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from planner.catalog.writer import format_number
from planner.refresh.client import Sleep, pages
from planner.refresh.records import Fetched, PayloadError, compute_row, in_families, usd

PAGE_SIZE = 1000
"""DescribeSpotPriceHistory MaxResults upper bound (EC2 API reference: 1000)."""

PRODUCT_DESCRIPTIONS = ("Linux/UNIX", "Linux/UNIX (Amazon VPC)")
SOURCE = "EC2 DescribeSpotPriceHistory (Linux/UNIX) {date}"


@dataclass(frozen=True, slots=True)
class SpotRecord:
    availability_zone: str
    instance_type: str
    price_usd_per_hour: float
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class SpotSummary:
    """Spot prices of one instance type in one region over a window [USD per hour]."""

    latest_usd_per_hour: float
    mean_usd_per_hour: float
    min_usd_per_hour: float
    max_usd_per_hour: float
    availability_zones: int


def history_params(start: datetime, end: datetime, families: tuple[str, ...]) -> dict[str, Any]:
    params: dict[str, Any] = {
        "StartTime": start,
        "EndTime": end,
        "ProductDescriptions": list(PRODUCT_DESCRIPTIONS),
        "MaxResults": PAGE_SIZE,
    }
    if families:
        params["Filters"] = [{"Name": "instance-type", "Values": [f"{f}.*" for f in families]}]
    return params


def _az_summary(
    records: list[SpotRecord], start: datetime, end: datetime
) -> tuple[float, float, list[float]]:
    """(latest, time-weighted mean, prices in effect) of one AZ's records."""
    records = sorted(records, key=lambda r: r.timestamp)
    weighted = 0.0
    seconds = 0.0
    in_effect: list[float] = []
    for i, rec in enumerate(records):
        begin = max(rec.timestamp, start)
        stop = records[i + 1].timestamp if i + 1 < len(records) else end
        stop = min(stop, end)
        span = (stop - begin).total_seconds()
        if span > 0:
            weighted += rec.price_usd_per_hour * span
            seconds += span
            in_effect.append(rec.price_usd_per_hour)
    latest = records[-1].price_usd_per_hour
    if not in_effect:
        in_effect.append(latest)
    mean = weighted / seconds if seconds > 0 else latest
    return latest, mean, in_effect


def summarise(records: Iterable[SpotRecord], start: datetime, end: datetime) -> dict[str, SpotSummary]:
    """Per instance type: latest, time-weighted mean, min, max and AZ count (see module doc)."""
    by_type: dict[str, dict[str, list[SpotRecord]]] = defaultdict(lambda: defaultdict(list))
    for rec in records:
        by_type[rec.instance_type][rec.availability_zone].append(rec)
    out: dict[str, SpotSummary] = {}
    for itype, azs in by_type.items():
        latests, means, prices = [], [], []
        for recs in azs.values():
            latest, mean, in_effect = _az_summary(recs, start, end)
            latests.append(latest)
            means.append(mean)
            prices.extend(in_effect)
        out[itype] = SpotSummary(
            latest_usd_per_hour=sum(latests) / len(latests),
            mean_usd_per_hour=sum(means) / len(means),
            min_usd_per_hour=min(prices),
            max_usd_per_hour=max(prices),
            availability_zones=len(azs),
        )
    return out


def parse_record(item: object, region: str) -> SpotRecord | None:
    if not isinstance(item, dict):
        raise PayloadError(f"a spot price record of {region} is not an object")
    try:
        az, itype = str(item["AvailabilityZone"]), str(item["InstanceType"])
        stamp = item["Timestamp"]
        price = usd(item["SpotPrice"], f"spot price of {itype} in {az}")
    except KeyError as exc:
        raise PayloadError(f"a spot price record of {region} lacks {exc}; retry later") from None
    if not isinstance(stamp, datetime):
        raise PayloadError(f"a spot price record of {region} has no timestamp; retry later")
    if not str(item.get("ProductDescription", "Linux/UNIX")).startswith("Linux/UNIX"):
        return None
    return SpotRecord(az, itype, price, stamp)


def spot_rows(
    summaries: dict[str, SpotSummary], region: str, *, as_of: str, days: int, source: str
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(compute_rates spot rows, spot_price_samples rows) of one region."""
    rates, samples = [], []
    for itype in sorted(summaries):
        s = summaries[itype]
        rates.append(
            compute_row(
                region, itype, "spot", hourly_usd=round(s.latest_usd_per_hour, 6), as_of=as_of, source=source
            )
        )
        samples.append(
            {
                "region": region,
                "instance_type": itype,
                "spot_min_usd_per_hour": format_number(s.min_usd_per_hour),
                "spot_max_usd_per_hour": format_number(s.max_usd_per_hour),
                "spot_mean_usd_per_hour": format_number(round(s.mean_usd_per_hour, 6)),
                "availability_zones": str(s.availability_zones),
                "as_of": as_of,
                "source": f"{source}, last {days} days",
            }
        )
    return rates, samples


def fetch_spot(
    ec2: Any,
    region: str,
    families: tuple[str, ...],
    *,
    days: int,
    now: datetime,
    sleep: Sleep = time.sleep,
) -> tuple[Fetched, Fetched]:
    """(compute_rates spot rows, spot_price_samples rows) of ``region`` over the last ``days``."""
    start = now - timedelta(days=days)
    today = now.date().isoformat()
    source = SOURCE.format(date=today)
    records: list[SpotRecord] = []
    for page in pages(
        ec2,
        "describe_spot_price_history",
        history_params(start, now, families),
        what=f"spot prices in {region}",
        sleep=sleep,
    ):
        items = page.get("SpotPriceHistory")
        if not isinstance(items, list):
            raise PayloadError(f"spot prices in {region}: response has no SpotPriceHistory list")
        for item in items:
            rec = parse_record(item, region)
            if rec is not None and in_families(rec.instance_type, families):
                records.append(rec)
    rates, samples = spot_rows(summarise(records, start, now), region, as_of=today, days=days, source=source)
    detail = (
        f"ec2.describe_spot_price_history in each region retrieved {today}: Linux/UNIX, all AZs; "
        "compute_rates spot = mean over AZs of the newest price; samples = time-weighted mean, "
        "min and max over the window"
    )
    return (
        Fetched(rows=rates, sources={source: detail}),
        Fetched(rows=samples, sources={f"{source}, last {days} days": detail}),
    )
