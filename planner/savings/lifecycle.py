"""Purchase-strategy timeline: what each way of buying the same capacity costs, month by month.

A usage profile (instances of one type running ``usage_hours_per_month`` each month, growing by a
percentage or given month by month) is bought under several strategies. A strategy combines, in
this order:

1. **reserved** instances covering up to a baseline count: each RI is paid for every hour of the
   730-h billing month (its hourly fee) plus its upfront fee at purchase, used or not;
2. **spot** for a share of the usage the reservations leave, at the spot rate, its instance-hours
   stretched by the expected runtime factor of interruptions with checkpointing
   (:func:`planner.spot.expected_runtime_factor`, Young's optimal interval);
3. a **savings plan**: an hourly commitment applied to the rest at the plan rate
   (:func:`planner.pricing.savings_plan.cover_with_commitment`), unused commitment still paid;
4. **on-demand** for whatever is left.

A strategy with none of these is all on-demand. Costs are cash: the month's cost is what is paid
in that month (upfront fees in the month of purchase, recurring fees monthly), so the cumulative
cost is cumulative cash out. A term that ends inside the horizon renews (a new upfront fee at the
start of the next term) or lapses (its usage falls back to on-demand), as each part says.

Break-even month (1-based): the first month from which the strategy's cumulative cost stays at or
below all-on-demand's until the horizon ends; ``None`` ("never") when it is above at the end.

Rates: on-demand, reserved (Standard All Upfront 1y/3y in today's snapshot) and spot (average
price; else the Spot Advisor savings %) from the snapshot. Anything the snapshot lacks makes the
strategy *missing* (reported, not dropped); a rate or discount typed in the profile (an override)
runs the what-if and is marked as such. Savings-plan rates are never in the snapshot: a plan needs
``plan_usd_per_hour`` or ``discount_pct``.

Counts may be fractional (average instances running in the month).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.billing import (
    MONTHS_PER_YEAR,
    PurchaseOption,
    reserved_effective_hourly,
    term_hours,
)
from planner.catalog.loader import Catalog
from planner.catalog.query import check_region, compute_rate, instance_spec, spot_advice
from planner.lineitem import OVERRIDE_SOURCE
from planner.pricing.savings_plan import (
    CommitmentUsage,
    commitment_upfront_usd,
    cover_with_commitment,
    upfront_share,
)
from planner.savings.profile import (
    BILLING_HOURS,
    DISCOUNT_NEEDS_ON_DEMAND,
    ON_DEMAND,
    AtTermEnd,
    LifecycleProfile,
    ReservedPart,
    SavingsPlanPart,
    SpotPart,
    Strategy,
    Usage,
)
from planner.spot import (
    expected_runtime_factor,
    interruption_rate_per_hour,
    job_interruptions_per_hour,
    optimal_checkpoint_interval_hours,
)

# --- rates --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RateUsed:
    """One rate a strategy used, where it came from, or why it is missing."""

    what: str
    usd_per_hour: float | None
    """Effective rate per instance-hour [USD/h]; None when missing."""
    upfront_usd: float
    hourly_usd: float
    as_of: str
    source: str
    """Snapshot source, ``override``, a derivation, or why the rate is missing."""

    @property
    def missing(self) -> bool:
        return self.usd_per_hour is None


def _on_demand_rate(catalog: Catalog, usage: Usage) -> RateUsed:
    if usage.on_demand_usd_per_hour is not None:
        rate = usage.on_demand_usd_per_hour
        return RateUsed("on-demand", rate, 0.0, rate, "", OVERRIDE_SOURCE)
    found = compute_rate(catalog, usage.region, usage.instance_type, PurchaseOption.ON_DEMAND)
    if found is None:
        return RateUsed(
            "on-demand", None, 0.0, 0.0, "",
            "not in snapshot — enter usage.on_demand_usd_per_hour",
        )
    return RateUsed("on-demand", found.hourly_usd, 0.0, found.hourly_usd, found.as_of, found.source)


def _reserved_rate(
    catalog: Catalog, usage: Usage, part: ReservedPart, on_demand: float | None
) -> RateUsed:
    what = (
        f"reserved {part.term_years}y {part.offering_class.value} {part.payment.value}"
    )
    if part.upfront_usd is not None or part.hourly_usd is not None:
        upfront = part.upfront_usd or 0.0
        hourly = part.hourly_usd or 0.0
        effective = reserved_effective_hourly(upfront, hourly, part.term_years)
        return RateUsed(what, effective, upfront, hourly, "", OVERRIDE_SOURCE)
    if part.discount_pct is not None:
        if on_demand is None:
            return RateUsed(what, None, 0.0, 0.0, "", DISCOUNT_NEEDS_ON_DEMAND)
        effective = on_demand * (1.0 - part.discount_pct / 100.0)
        # from a discount, a Partial Upfront RI is assumed paid like a partial-upfront commitment
        # (half upfront, half hourly: an **assumption**, AWS prices it roughly so)
        share = upfront_share(part.payment)
        upfront = effective * term_hours(part.term_years) * share
        hourly = effective * (1.0 - share)
        return RateUsed(
            what, effective, upfront, hourly, "",
            f"{OVERRIDE_SOURCE} ({part.discount_pct:g} % off on-demand)",
        )
    found = compute_rate(
        catalog, usage.region, usage.instance_type, PurchaseOption.RESERVED,
        term_years=part.term_years, offering_class=part.offering_class, payment=part.payment,
    )
    if found is None:
        return RateUsed(
            what, None, 0.0, 0.0, "",
            "not in snapshot — enter upfront_usd/hourly_usd or discount_pct",
        )
    return RateUsed(
        what, found.effective_hourly_usd, found.upfront_usd, found.hourly_usd, found.as_of,
        found.source,
    )


def _plan_rate(part: SavingsPlanPart, on_demand: float | None) -> RateUsed:
    what = f"savings plan {part.plan_type.value} {part.term_years}y {part.payment.value}"
    if part.plan_usd_per_hour is not None:
        rate = part.plan_usd_per_hour
        return RateUsed(what, rate, 0.0, rate, "", OVERRIDE_SOURCE)
    if part.discount_pct is not None:
        if on_demand is None:
            return RateUsed(what, None, 0.0, 0.0, "", DISCOUNT_NEEDS_ON_DEMAND)
        rate = on_demand * (1.0 - part.discount_pct / 100.0)
        return RateUsed(
            what, rate, 0.0, rate, "", f"{OVERRIDE_SOURCE} ({part.discount_pct:g} % off on-demand)"
        )
    return RateUsed(
        what, None, 0.0, 0.0, "",
        "not in snapshot (no Savings Plans rates) — enter plan_usd_per_hour or discount_pct",
    )


def _spot_rate(
    catalog: Catalog, usage: Usage, part: SpotPart, on_demand: float | None
) -> tuple[RateUsed, float | None, str]:
    """The spot rate, the runtime factor (None when unknown) and how the factor was found."""
    advice = spot_advice(catalog, usage.region, usage.instance_type)
    if part.spot_usd_per_hour is not None:
        rate = RateUsed("spot", part.spot_usd_per_hour, 0.0, part.spot_usd_per_hour, "",
                        OVERRIDE_SOURCE)
    elif part.discount_pct is not None:
        if on_demand is None:  # the user's discount, not the snapshot's spot price, was asked for
            rate = RateUsed("spot", None, 0.0, 0.0, "", DISCOUNT_NEEDS_ON_DEMAND)
        else:
            value = on_demand * (1.0 - part.discount_pct / 100.0)
            rate = RateUsed("spot", value, 0.0, value, "",
                            f"{OVERRIDE_SOURCE} ({part.discount_pct:g} % off on-demand)")
    else:
        found = compute_rate(catalog, usage.region, usage.instance_type, PurchaseOption.SPOT)
        if found is not None:
            rate = RateUsed("spot", found.hourly_usd, 0.0, found.hourly_usd, found.as_of,
                            found.source)
        elif advice is not None and on_demand is not None:
            value = on_demand * (1.0 - advice.savings_pct_vs_on_demand / 100.0)
            rate = RateUsed(
                "spot", value, 0.0, value, advice.as_of,
                f"on-demand − {advice.savings_pct_vs_on_demand:g} % ({advice.source})",
            )
        else:
            rate = RateUsed("spot", None, 0.0, 0.0, "",
                            "not in snapshot — enter spot_usd_per_hour or discount_pct")
    if part.workload == "service":
        return rate, 1.0, (
            "service fleet: reclaimed instances are replaced, no checkpoint/restart overhead "
            "(runtime × 1)"
        )
    bucket: str | None = part.interruption_bucket
    origin = "override" if bucket is not None else "Spot Advisor"
    if bucket is None:
        bucket = advice.interruption_bucket if advice is not None else None
    if bucket is None:
        return rate, None, "interruption bucket not in snapshot — enter interruption_bucket"
    per_instance = interruption_rate_per_hour(bucket)
    job_rate = job_interruptions_per_hour(per_instance, part.instances_per_job)
    interval = optimal_checkpoint_interval_hours(part.checkpoint_write_hours, job_rate)
    factor = expected_runtime_factor(
        job_rate, interval, part.checkpoint_write_hours, part.restart_hours
    )
    how = (
        f"bucket {bucket} ({origin}) → {job_rate:.3g} interruptions/h per job,"
        f" checkpoint every {interval:.3g} h (write {part.checkpoint_write_hours:g} h,"
        f" restart {part.restart_hours:g} h) → runtime × {factor:.4f}"
    )
    return rate, factor, how


# --- simulation ---------------------------------------------------------------------------------


def _term_schedule(
    months: int, term_years: int, at_end: AtTermEnd
) -> tuple[np.ndarray, np.ndarray]:
    """(active in month, a term starts in month) for a commitment bought in month 1."""
    term_months = term_years * MONTHS_PER_YEAR
    index = np.arange(months)
    if at_end is AtTermEnd.RENEW:
        active = np.ones(months, dtype=bool)
        starts = index % term_months == 0
    else:
        active = index < term_months
        starts = index == 0
    return active, starts


@dataclass(frozen=True, slots=True)
class StrategyResult:
    """One strategy over the horizon; monthly arrays are NaN when a rate is missing."""

    name: str
    missing: tuple[str, ...]
    """What the snapshot lacks for this strategy (empty when complete)."""
    rates: tuple[RateUsed, ...]
    notes: tuple[str, ...]
    cost_usd: np.ndarray
    upfront_usd: np.ndarray
    unused_commitment_usd: np.ndarray

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def overrides(self) -> bool:
        return any(r.source.startswith(OVERRIDE_SOURCE) for r in self.rates)


def _simulate(
    catalog: Catalog, usage: Usage, strategy: Strategy, counts: np.ndarray, od: RateUsed
) -> StrategyResult:
    months = len(counts)
    hours = usage.usage_hours_per_month
    rates = [od]
    notes: list[str] = []
    missing = [f"{od.what}: {od.source}"] if od.missing else []
    od_rate = od.usd_per_hour
    cost = np.zeros(months)
    upfront = np.zeros(months)
    unused = np.zeros(months)
    remaining = counts.copy()

    if strategy.reserved is not None:
        part = strategy.reserved
        ri = _reserved_rate(catalog, usage, part, od_rate)
        rates.append(ri)
        if ri.missing:
            missing.append(f"{ri.what}: {ri.source}")
        else:
            active, starts = _term_schedule(months, part.term_years, part.at_term_end)
            covered = np.where(active, np.minimum(remaining, part.count), 0.0)
            upfront += np.where(starts, part.count * ri.upfront_usd, 0.0)
            cost += np.where(active, part.count * ri.hourly_usd * BILLING_HOURS, 0.0)
            idle_hours = np.where(active, part.count * BILLING_HOURS, 0.0) - covered * hours
            unused += idle_hours * float(ri.usd_per_hour or 0.0)
            remaining = np.maximum(remaining - covered, 0.0)
            term_months = part.term_years * MONTHS_PER_YEAR
            if part.at_term_end is AtTermEnd.LAPSE and months > term_months:
                notes.append(f"reservation lapses after month {term_months}")

    if strategy.spot is not None:
        part_s = strategy.spot
        spot, factor, how = _spot_rate(catalog, usage, part_s, od_rate)
        rates.append(spot)
        if spot.missing:
            missing.append(f"spot: {spot.source}")
        if factor is None:
            missing.append(f"spot interruption overhead: {how}")
        else:
            notes.append(f"spot: {how}")
        if not spot.missing and factor is not None:
            on_spot = remaining * part_s.share_pct / 100.0
            cost += on_spot * hours * factor * float(spot.usd_per_hour or 0.0)
            remaining = np.maximum(remaining - on_spot, 0.0)  # no float residue below 0

    if strategy.savings_plan is not None:
        part_p = strategy.savings_plan
        plan = _plan_rate(part_p, od_rate)
        rates.append(plan)
        if plan.missing:
            missing.append(f"{plan.what}: {plan.source}")
        elif od_rate is not None:
            plan_rate = float(plan.usd_per_hour or 0.0)
            commitment = (
                part_p.commitment_usd_per_hour if part_p.commitment_usd_per_hour is not None
                else float(part_p.baseline_count or 0.0) * plan_rate
            )
            notes.append(f"savings plan commitment ${commitment:,.4g}/h")
            active, starts = _term_schedule(months, part_p.term_years, part_p.at_term_end)
            share = upfront_share(part_p.payment)
            upfront += np.where(
                starts, commitment_upfront_usd(commitment, part_p.term_years, part_p.payment), 0.0
            )
            plan_od = np.zeros(months)
            plan_unused = np.zeros(months)
            for m in np.flatnonzero(active):
                coverage = cover_with_commitment(
                    commitment,
                    [CommitmentUsage("usage", float(remaining[m]), hours, od_rate, plan_rate)],
                    BILLING_HOURS,
                )
                plan_od[m] = coverage.on_demand_usd
                plan_unused[m] = coverage.unused_commitment_usd
            cost += np.where(active, commitment * BILLING_HOURS * (1.0 - share), 0.0)
            cost += plan_od
            unused += plan_unused
            remaining = np.where(active, 0.0, remaining)

    if od_rate is not None:
        cost += remaining * hours * od_rate
    cost += upfront
    if missing:
        nan = np.full(months, np.nan)
        return StrategyResult(strategy.name, tuple(missing), tuple(rates), tuple(notes),
                              nan, nan.copy(), nan.copy())
    return StrategyResult(strategy.name, (), tuple(rates), tuple(notes), cost, upfront, unused)


@dataclass(frozen=True, slots=True)
class StrategySummary:
    name: str
    total_usd: float | None
    upfront_total_usd: float | None
    unused_commitment_total_usd: float | None
    savings_vs_on_demand_usd: float | None
    break_even_month: int | None
    """First month from which cumulative cost stays ≤ all-on-demand's; None = never / unknown."""
    status: str
    """``ok``, ``override`` (uses typed rates), or ``missing: …``."""
    break_even_months: float | None = None
    """The same point in months from the start, fractional (see :func:`break_even_months`):
    6.85 = 85 % into month 7."""
    break_even_note: str = ""
    """Why the break-even is later than the first time the lines cross (a later upfront payment
    puts the strategy above on-demand again); empty when they cross once."""


@dataclass(frozen=True, slots=True)
class LifecycleResult:
    """Monthly rows (long form) and a summary per strategy.

    ``monthly`` columns: strategy, month (1-based), instances, cost_usd, cumulative_usd,
    upfront_usd, unused_commitment_usd, savings_vs_on_demand_usd,
    cumulative_savings_vs_on_demand_usd.
    """

    profile: LifecycleProfile
    monthly: pd.DataFrame
    summary: tuple[StrategySummary, ...]
    strategies: tuple[StrategyResult, ...]
    cheapest: str | None
    """Name of the complete strategy with the lowest total; None when none is complete."""
    baseline: str
    """Name of the all-on-demand strategy the others are measured against."""

    def break_even_label(self, summary: StrategySummary) -> str | int | None:
        """The break-even month, ``"never"``, or None (baseline, or a missing rate)."""
        if summary.name == self.baseline or summary.total_usd is None:
            return None
        return summary.break_even_month if summary.break_even_month is not None else "never"


def break_even_month(cumulative: np.ndarray, baseline: np.ndarray) -> int | None:
    """First month (1-based) from which ``cumulative`` ≤ ``baseline`` to the end, else None."""
    tolerance = 1e-9 * np.maximum(1.0, np.abs(baseline))
    ahead = cumulative <= baseline + tolerance
    if len(ahead) == 0 or not ahead[-1]:
        return None
    behind = np.flatnonzero(~ahead)
    return int(behind[-1]) + 2 if len(behind) else 1


def break_even_months(
    cumulative: np.ndarray, baseline: np.ndarray, upfront: np.ndarray, baseline_upfront: np.ndarray
) -> float | None:
    """Months from the start at which ``cumulative`` reaches ``baseline`` for good, fractional.

    Within the break-even month ``m`` an upfront fee is paid on its first day and the other
    charges accrue evenly, so the gap to the baseline is linear from its value after the fees
    (``d_start``) to its value at the month's end (``d_end`` ≤ 0): break-even = m − 1 +
    d_start / (d_start − d_end). Example: $500 upfront against $73 a month on-demand gives
    500 / 73 = 6.85 months (month 7).
    """
    month = break_even_month(cumulative, baseline)
    if month is None:
        return None
    i = month - 1
    before = float(cumulative[i - 1] - baseline[i - 1]) if i > 0 else 0.0
    d_start = before + float(upfront[i] - baseline_upfront[i])
    d_end = float(cumulative[i] - baseline[i])
    if d_start <= 0 or d_start <= d_end:
        return float(i)
    return i + d_start / (d_start - d_end)


def _break_even_note(name: str, cumulative: np.ndarray, baseline: np.ndarray,
                     month: int | None) -> str:
    """Explain a break-even later than the first crossing (month numbers 1-based)."""
    ahead = cumulative <= baseline + 1e-9 * np.maximum(1.0, np.abs(baseline))
    first = int(np.argmax(ahead)) + 1 if ahead.any() else None
    if first is None or (month is not None and first >= month):
        return ""
    behind_after = np.flatnonzero(~ahead[first:])
    again = first + int(behind_after[0]) + 1 if len(behind_after) else None
    if again is None:
        return ""
    tail = (f"stays at or below it only from month {month} on" if month is not None
            else "ends above it")
    return (f"{name} is at or below all on-demand from month {first}, goes above it again in "
            f"month {again} (a new term's upfront fee or a commitment not used up) and {tail}")


def run_lifecycle(catalog: Catalog, profile: LifecycleProfile) -> LifecycleResult:
    """Simulate every strategy of ``profile`` (plus all on-demand) over its horizon."""
    usage = profile.usage
    check_region(catalog, usage.region)
    instance_spec(catalog, usage.instance_type)
    counts = usage.counts()
    months = len(counts)
    od = _on_demand_rate(catalog, usage)
    strategies = list(profile.strategies)
    plain = [s for s in strategies if not (s.reserved or s.savings_plan or s.spot)]
    if not plain:
        strategies.insert(0, Strategy(name=ON_DEMAND))
    baseline_name = plain[0].name if plain else ON_DEMAND
    results = [_simulate(catalog, usage, s, counts, od) for s in strategies]
    baseline = next(r for r in results if r.name == baseline_name)
    base_cum = np.cumsum(baseline.cost_usd)
    base_total = float(baseline.cost_usd.sum())

    month_index = np.arange(1, months + 1)
    n = len(results)
    cost = np.concatenate([r.cost_usd for r in results])
    cumulative = np.concatenate([np.cumsum(r.cost_usd) for r in results])
    savings = np.tile(baseline.cost_usd, n) - cost
    monthly = pd.DataFrame({
        "strategy": np.repeat(np.array([r.name for r in results], dtype=object), months),
        "month": np.tile(month_index, n),
        "instances": np.tile(counts, n),
        "cost_usd": cost,
        "cumulative_usd": cumulative,
        "upfront_usd": np.concatenate([r.upfront_usd for r in results]),
        "unused_commitment_usd": np.concatenate([r.unused_commitment_usd for r in results]),
        "savings_vs_on_demand_usd": savings,
        "cumulative_savings_vs_on_demand_usd": np.tile(base_cum, n) - cumulative,
    })
    summaries = []
    for r in results:
        if not r.complete:
            summaries.append(StrategySummary(
                r.name, None, None, None, None, None, "missing: " + "; ".join(r.missing)
            ))
            continue
        total = float(r.cost_usd.sum())
        is_baseline = r.name == baseline_name
        compared = not is_baseline and baseline.complete
        cum = np.cumsum(r.cost_usd)
        month = break_even_month(cum, base_cum) if compared else None
        summaries.append(StrategySummary(
            name=r.name,
            total_usd=total,
            upfront_total_usd=float(r.upfront_usd.sum()),
            unused_commitment_total_usd=float(r.unused_commitment_usd.sum()),
            savings_vs_on_demand_usd=(
                base_total - total if baseline.complete else None
            ),
            break_even_month=month,
            status="override" if r.overrides else "ok",
            break_even_months=(
                break_even_months(cum, base_cum, r.upfront_usd, baseline.upfront_usd)
                if compared else None
            ),
            break_even_note=_break_even_note(r.name, cum, base_cum, month) if compared else "",
        ))
    totals = [(s.total_usd, s.name) for s in summaries if s.total_usd is not None]
    cheapest = min(totals)[1] if totals else None
    return LifecycleResult(
        profile=profile,
        monthly=monthly,
        summary=tuple(summaries),
        strategies=tuple(results),
        cheapest=cheapest,
        baseline=baseline_name,
    )
