"""Compare and rank every instance option for a workload: time, money, cost per unit of work.

For a workload and a region (or all regions): every instance type that can run it (GPU, Trainium,
Inferentia; CPU types for CPU work) × every purchase option (on-demand, reserved 1-year and 3-year
all-upfront at their effective hourly rate, spot with checkpointing, savings plans) → wall-clock
time, instance-hours, total cost, $ per PFLOP-hour delivered / $ per 1M tokens / $ per 1M
requests, whether it fits in accelerator memory, and the Pareto front of time against cost.

Options the snapshot has no price for stay in the result with ``price_status`` "price not in
snapshot" — never dropped, never guessed. The work is vectorised over the rate table: per-type
figures are computed once per instance type (numpy), then broadcast onto the (region, type,
option) grid. Prepared frames are cached per loaded :class:`Catalog` (it hashes by identity).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.billing import HOURS_PER_MONTH_DEFAULT
from planner.catalog import Catalog
from planner.errors import InputError
from planner.spot import (
    BUCKET_UPPER_PCT_PER_MONTH,
    INTERRUPTIONS_PER_HOUR_BY_BUCKET,
    check_positive,
)
from planner.workload.explain import Headlines, headlines, with_calculations
from planner.workload.figures import type_figures
from planner.workload.grid import RankedRows, grid_columns, numbers, rank_rows
from planner.workload.options import RATE_OPTIONS
from planner.workload.prepared import Prepared, TypeFigures, prepared, supported_precisions
from planner.workload.records import (
    CpuWorkload,
    InferenceWorkload,
    TrainingWorkload,
    Workload,
)

FloatArray = npt.NDArray[np.float64]

# --- the comparison ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Ranked rows (best first) and every assumption behind them."""

    ranked: RankedRows
    """The ranked rows as the grid's column arrays; :attr:`rows` is them as a DataFrame."""
    assumptions: dict[str, Any]
    notes: list[str]
    time_column: str
    cost_column: str
    figures: TypeFigures
    """The per-type figures behind the rows; pass to :func:`fit_table` to skip computing them."""
    unit_column: str
    """Cost per unit of work: $/1M tokens, $/PFLOP-hour, $/1M output tokens or $/vCPU-hour."""
    headlines: Headlines
    serving: bool
    """True for a service (inference): costs are per day; False for a one-off job."""
    reuse_fraction: float = 0.0
    """The workload's ``commitment_reuse_fraction`` (0 for a service)."""

    @cached_property
    def rows(self) -> pd.DataFrame:
        """Every ranked row as a DataFrame, best first (index 0..n-1), built on first use."""
        return self.ranked.frame()

    @property
    def row_count(self) -> int:
        """How many ranked rows there are (``len(rows)``, without building them)."""
        return len(self.ranked)

    @property
    def columns(self) -> list[str]:
        """The column names of :attr:`rows`."""
        return self.ranked.columns

    def head(self, rows: int) -> pd.DataFrame:
        """The first ``rows`` ranked rows, as :attr:`rows` ``.head(rows)`` gives them (without
        building the other rows when :attr:`rows` was not asked for)."""
        return self.ranked.frame(rows)

    def explained(self, rows: pd.DataFrame | None = None) -> pd.DataFrame:
        """``rows`` (default: all ranked rows) with the ``calculation`` text of each."""
        return with_calculations(
            self.rows if rows is None else rows, serving=self.serving,
            reuse_fraction=self.reuse_fraction,
        )


def _filter_types(
    prep: Prepared, eligible: npt.NDArray[np.bool_], families: list[str] | None,
    accelerator: str | None,
) -> npt.NDArray[np.bool_]:
    keep = eligible.copy()
    specs = prep.specs
    if families:
        wanted = {f.lower() for f in families}
        keep &= specs["family"].str.lower().isin(wanted).to_numpy()
    if accelerator:
        needle = accelerator.lower()
        keep &= (
            specs["accelerator"].str.lower().str.contains(needle, regex=False)
            | (specs["accelerator_kind"].str.lower() == needle)
        ).to_numpy()
    return keep


def compare(
    workload: Workload,
    catalog: Catalog,
    *,
    region: str | None = "us-east-1",
    families: list[str] | None = None,
    accelerator: str | None = None,
    max_hours: float | None = None,
    max_budget_usd: float | None = None,
) -> Comparison:
    """Rank every (region, instance type, purchase option) that can run ``workload``.

    ``region`` None compares all regions. Filters: ``families`` (e.g. ["p5", "trn1"]),
    ``accelerator`` (substring of the chip name, or gpu/trainium/inferentia), ``max_hours``
    (job wall-clock [h], expected with interruptions for spot; rows without a known time are
    dropped too; for inference not applied), ``max_budget_usd`` (a job: the money committed,
    ``committed_usd``; a service: its cost per day). Rows the snapshot cannot price are kept with
    ``price_status`` "price not in snapshot".
    """
    if max_hours is not None:
        check_positive("max_hours", max_hours, upper=1e7)
    if max_budget_usd is not None:
        check_positive("max_budget_usd", max_budget_usd, upper=1e12)
    prep = prepared(catalog)
    if region is not None:
        from planner.catalog.query import check_region  # its record types: not for every region

        check_region(catalog, region)
    figs = type_figures(workload, catalog)
    considered = _filter_types(prep, figs.eligible, families, accelerator)
    if not considered.any():
        raise _nothing_to_compare(workload, prep, figs, families, accelerator)
    rows = _region_rows(prep, region)
    rows = rows[considered[prep.rate_type_pos[rows]]]
    serving = isinstance(workload, InferenceWorkload)
    reuse = 0.0 if serving else workload.commitment_reuse_fraction  # type: ignore[union-attr]
    deadline = None if serving else workload.deadline_hours  # type: ignore[union-attr]
    data = grid_columns(
        prep, figs, rows, serving=serving, cpu=isinstance(workload, CpuWorkload),
        reuse_fraction=reuse, deadline_hours=deadline,
    )
    keep = np.ones(len(data["cost_usd"]), bool)
    with np.errstate(invalid="ignore"):
        if max_hours is not None and not serving:
            keep &= numbers(data, "wall_hours") <= max_hours  # an unknown time is dropped
        if max_budget_usd is not None:
            budget_col = "cost_usd" if serving else "committed_usd"
            keep &= ~(numbers(data, budget_col) > max_budget_usd)  # an unknown cost is kept
    time_col, cost_col = ("tpot_ms", "usd_per_1m_output_tokens") if serving else (
        "wall_hours", "cost_usd"
    )
    ranked = rank_rows(data, time_col, cost_col, np.flatnonzero(keep))
    unit_col = _unit_column(workload)
    target, time_label = _target(workload)
    heads = headlines(ranked, time_col=time_col, cost_col=cost_col, unit_col=unit_col,
                      target=target, time_label=time_label)
    notes = _notes(prep, figs, region, considered, rows, serving, reuse)
    assumptions = _assumptions(workload, catalog, figs, region)
    return Comparison(
        ranked, assumptions, notes, time_col, cost_col, figures=figs, unit_column=unit_col,
        headlines=heads, serving=serving, reuse_fraction=reuse,
    )


def _unit_column(workload: Workload) -> str:
    if isinstance(workload, InferenceWorkload):
        return "usd_per_1m_output_tokens"
    if isinstance(workload, CpuWorkload):
        return "usd_per_vcpu_hour"
    if isinstance(workload, TrainingWorkload) and workload.tokens is not None:
        return "usd_per_1m_tokens"
    return "usd_per_pflop_hour"


def _target(workload: Workload) -> tuple[str | None, str]:
    """The workload's target in words (None: no target), and the unit of its time column."""
    if isinstance(workload, InferenceWorkload):
        ms = workload.latency_target_ms_per_output_token
        return (None if ms is None else f"latency target of {ms:g} ms per output token"), "ms"
    hours = workload.deadline_hours
    return (None if hours is None else f"deadline of {hours:g} h"), "h"


def _region_rows(prep: Prepared, region: str | None) -> npt.NDArray[np.int64]:
    """Rate rows of ``region`` (None: every region)."""
    if region is None:
        return np.arange(len(prep.rate_type_pos), dtype=np.int64)
    return prep.region_rows.get(region, np.zeros(0, np.int64))


def _nothing_to_compare(
    workload: Workload, prep: Prepared, figs: TypeFigures, families: list[str] | None,
    accelerator: str | None,
) -> InputError:
    precision = getattr(workload, "precision", None)
    selected = _filter_types(prep, np.ones(len(prep.specs), bool), families, accelerator)
    chips = sorted({str(c) for c in prep.specs.loc[selected, "accelerator"] if c})
    if precision is not None and chips:
        supported = {chip: supported_precisions(prep.specs, chip) for chip in chips}
        if all(str(precision) not in s for s in supported.values()):
            listing = "; ".join(f"{c}: {', '.join(s) or 'none'}" for c, s in supported.items())
            return InputError(
                "precision", f"{precision} is not supported by the selected chips ({listing})"
            )
    if families:
        return InputError("family", f"no instance type in {families} can run this workload")
    if accelerator:
        return InputError("accelerator", f"no {accelerator!r} instance type can run this workload")
    return InputError("workload", "no instance type in the snapshot can run this workload")


def _notes(
    prep: Prepared, figs: TypeFigures, region: str | None, considered: npt.NDArray[np.bool_],
    rows: npt.NDArray[np.int64], serving: bool, reuse_fraction: float,
) -> list[str]:
    """Notes on the comparison; ``rows`` are the rate rows compared."""
    if serving:
        notes = [
            "Costs are per day. Reserved and savings-plan rows commit the always-on baseline (the "
            "fewest instances of any hour) for every hour of the term and run the instances above "
            "it on on-demand or spot; committed_usd is the baseline's whole-term commitment.",
        ]
    else:
        notes = [
            "A reservation or savings plan bought for this job is owed for its whole term: "
            "committed_usd = terms × term hours × instances × effective $/h, and the job's "
            "cost_usd is that commitment"
            + (
                f" less {reuse_fraction:.0%} of the unused committed instance-hours (the share "
                "other work will use, as given)."
                if reuse_fraction > 0 else
                " (no later use of the commitment is assumed; set commitment_reuse_fraction to "
                "share it)."
            ),
        ]
    plans = [o.name for o in RATE_OPTIONS if o.purchase_option == "savings_plan"]
    sp_priced = any(
        (~np.isnan(prep.option_columns[name]["effective_hourly_usd"][rows])).any() for name in plans
    )
    if sp_priced:
        notes.append(
            "Savings plans: Compute Savings Plan 1-year No Upfront rates from the snapshot; types "
            "without a rate are shown as 'price not in snapshot'."
        )
    else:
        where = f" in {region}" if region is not None else ""
        notes.append(
            f"Savings plans: the snapshot has no Compute Savings Plan rates{where} for these "
            "types → shown as 'price not in snapshot'."
        )
    if region is not None:
        offered = np.zeros(len(prep.specs), bool)
        offered[prep.rate_type_pos[prep.region_rows.get(region, np.zeros(0, np.int64))]] = True
        missing = considered & ~offered
        if missing.any():
            names = sorted(prep.specs["instance_type"].to_numpy(object)[missing])
            shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
            notes.append(
                f"{len(names)} instance type(s) that could run it have no price at all in "
                f"{region} (not offered there, or not in snapshot): {shown}"
            )
    for reason, count in figs.excluded.items():
        if count:
            notes.append(f"not considered: {count} instance type(s), {reason}")
    return notes


def _assumptions(
    workload: Workload, catalog: Catalog, figs: TypeFigures, region: str | None
) -> dict[str, Any]:
    spot: dict[str, Any]
    if isinstance(workload, InferenceWorkload):
        spot = {"model": "spot price × instance-hours; interruptions not modelled for serving"}
    else:
        spot = {
            "interruptions_per_hour": (
                {"value": figs.interruptions_per_hour, "source": "workload"}
                if figs.interruptions_per_hour is not None
                else {
                    "by_bucket": dict(INTERRUPTIONS_PER_HOUR_BY_BUCKET),
                    "rule": "Spot Advisor bucket upper bound per month / 730 h "
                    f"({dict(BUCKET_UPPER_PCT_PER_MONTH)} %)",
                }
            ),
            "job_rate": "instances × per-instance rate (the job stops when any is reclaimed)",
            "checkpoint_write_hours": figs.checkpoint_write_hours,
            "restart_hours": figs.restart_hours,
            "checkpoint_interval": "Young 1974: sqrt(2 · write time / job rate)",
            "expected_time": "Daly 2006 eq. 13: M·e^{R/M}·(e^{(τ+δ)/M} − 1)·T/τ",
            "pessimistic_time": "each interruption loses τ + δ + R: T(1 + δ/τ)/(1 − λ(τ+δ+R))",
        }
    return {
        "workload": workload.model_dump(mode="json"),
        "region": region or "all",
        "hours_per_month": HOURS_PER_MONTH_DEFAULT,
        "snapshot_as_of": catalog.as_of,
        "purchase_options": {
            o.name: {
                "purchase_option": o.purchase_option,
                "term_years": o.term_years,
                "offering_class": o.offering_class,
                "payment_option": o.payment_option,
            }
            for o in RATE_OPTIONS
        },
        "reserved_billing": "whole term billed: committed_usd shows the commitment",
        "money_rules": {
            "job": "on-demand/spot: instance-hours × $/h; reserved/savings plan: committed_usd = "
            "ceil(job h / term h) × term h × instances × effective $/h, and cost_usd = committed − "
            "commitment_reuse_fraction × unused instance-hours × effective $/h",
            "service": "per day: committed baseline (the fewest instances of any hour) × 24 h × "
            "effective $/h + instance-hours above it × the peak option's $/h; committed_usd = "
            "baseline × term h × effective $/h",
            "deadline": "meets_target only when the expected wall-clock (spot: with "
            "interruptions) is known and within the deadline; ranking puts those first",
            "budget": "a job's committed_usd; a service's cost per day",
        },
        "performance": figs.assumptions,
        "spot": spot,
    }


def fit_table(
    workload: Workload, catalog: Catalog, figures: TypeFigures | None = None
) -> pd.DataFrame:
    """Memory fit per instance type that could run ``workload`` (region independent).

    ``figures``: :func:`type_figures` of ``workload`` on ``catalog`` when already computed (e.g.
    :attr:`Comparison.figures`); None computes them.
    """
    prep = prepared(catalog)
    figs = figures if figures is not None else type_figures(workload, catalog)
    specs = prep.specs
    keep = figs.eligible
    frame = pd.DataFrame(
        {
            "instance_type": specs["instance_type"].to_numpy(object),
            "family": specs["family"].to_numpy(object),
            "accelerator": specs["accelerator"].to_numpy(object),
            "accelerators_per_instance": specs["accelerator_count"].to_numpy(float),
            "memory_gib_per_instance": (
                specs["memory_gib"].to_numpy(float)
                if isinstance(workload, CpuWorkload)
                else specs["accelerator_memory_gib_total"].to_numpy(float)
            ),
            "usable_gib_per_instance": figs.fit.usable_gib_per_instance,
            "needed_gib_per_instance": figs.fit.needed_gib_per_instance,
            "instances_to_fit": figs.fit.instances,
            "fits": figs.fit.fits,
            "shortfall_gib": figs.fit.shortfall_gib,
        }
    )[keep]
    frame["result"] = np.where(
        frame["fits"],
        "fits on " + frame["instances_to_fit"].fillna(0).astype(int).astype(str) + " instance(s)",
        "does not fit: short by " + frame["shortfall_gib"].round(1).astype(str) + " GiB per instance",
    )
    return frame.sort_values(
        ["fits", "instances_to_fit", "memory_gib_per_instance", "instance_type"],
        ascending=[False, True, True, True],
    ).reset_index(drop=True)
