"""The ranking grid: per-type workload figures × rate rows × purchase options → ranked rows.

A job's rows are (rate row × :data:`planner.workload.options.RATE_OPTIONS`); a service's rows are (rate row ×
:data:`planner.workload.options.SERVING_OPTIONS`). Every row carries ``cost_usd`` (what the option makes
you pay: the job, or a day of serving) and ``committed_usd`` (what it makes you sign), the
instance count, times, unit costs and a ``calculation`` text with the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.errors import InputError
from planner.spot import checkpoint_interval_array, pessimistic_factor_array, runtime_factor_array
from planner.workload.options import (
    JOB_OPTION_NAMES,
    RATE_OPTION,
    RATE_OPTIONS,
    SERVING_OPTIONS,
    ServingOption,
    job_costs,
    serving_costs,
)
from planner.workload.prepared import Coded, Prepared, TypeFigures

FloatArray = npt.NDArray[np.float64]


PRICE_MISSING = "price not in snapshot"
PRICE_OK = "snapshot"
_PRICE_STATUS = np.array([PRICE_MISSING, PRICE_OK], dtype=object)
_MEETS = np.array([None, False, True], dtype=object)
"""``meets_target`` values by code: 0 no target, 1 missed (or time unknown), 2 met."""


Column = np.ndarray | Coded
"""A grid column: an array, or a text column as :class:`Coded`."""


def numbers(data: dict[str, Column], name: str) -> FloatArray:
    """A numeric grid column as floats."""
    values = data[name]
    if isinstance(values, Coded):
        raise TypeError(f"{name} is a text column")
    return values.astype(float, copy=False)


def _meets_codes(hours: FloatArray, target: float | None) -> npt.NDArray[np.intp]:
    """:data:`_MEETS` codes of :func:`planner.workload.prepared.meets`: met where ``hours`` is
    known and within ``target``, missed where over or unknown, no target everywhere without one."""
    if target is None:
        return np.zeros(len(hours), np.intp)
    with np.errstate(invalid="ignore"):
        return np.where((~np.isnan(hours)) & (hours <= target), 2, 1)


# --- building the rows ------------------------------------------------------------------------


def _option_column(prep: Prepared, option: str | None, column: str,
                   rows: npt.NDArray[np.int64]) -> np.ndarray:
    if column in ("as_of", "source"):
        if option is None:
            return np.full(len(rows), None, dtype=object)
        return prep.option_text[option][column][rows]
    if option is None:
        return np.full(len(rows), np.nan)
    return prep.option_columns[option][column][rows]


def job_grid(
    prep: Prepared, figs: TypeFigures, rows: npt.NDArray[np.int64], *, reuse_fraction: float,
    deadline_hours: float | None, cpu: bool,
) -> dict[str, Any]:
    """Columns of a job's grid (training or CPU work): rows × :data:`RATE_OPTIONS`."""
    k = len(RATE_OPTIONS)
    m = len(rows)
    rep_rows = np.tile(rows, k)
    t = np.tile(prep.rate_type_pos[rows], k)
    option = np.repeat(np.arange(k), m)
    names = np.array([o.name for o in RATE_OPTIONS], dtype=object)

    def cat(column: str) -> np.ndarray:
        return np.concatenate([_option_column(prep, o.name, column, rows) for o in RATE_OPTIONS])

    def text(column: str) -> Coded:
        """An as_of/source column: each row's option's code for its rate row (every option's
        codes point into the same values)."""
        per_option = [prep.option_text[o.name][column] for o in RATE_OPTIONS]
        codes = np.stack([c.codes for c in per_option])
        return Coded(codes[option, rep_rows], per_option[0].values)

    price = cat("effective_hourly_usd")
    commits = np.repeat(np.array([o.commits for o in RATE_OPTIONS]), m)
    term_h = np.repeat(np.array([o.term_hours for o in RATE_OPTIONS], float), m)
    n = figs.instances[t]
    hours = figs.wall_hours[t]
    inst_hours = figs.instance_hours[t]
    is_spot = option == JOB_OPTION_NAMES.index("spot")
    memory = "instance" if cpu else "accelerator"
    notes = np.array(
        ["", "interruption rate not in snapshot (give interruptions_per_hour)",
         f"does not fit in {memory} memory"], dtype=object,
    )
    note = np.zeros(len(t), np.intp)

    # spot: expected wall-clock with checkpointing (Daly 2006), pessimistic bound, Young interval;
    # an unknown interruption rate (NaN) leaves the spot row's time unknown.
    given = figs.interruptions_per_hour
    per_instance_rate = np.full(len(t), given) if given is not None else prep.spot_rate[rep_rows]
    lam = per_instance_rate * np.where(np.isnan(n), 1.0, n)
    delta = figs.checkpoint_write_hours
    tau_all = checkpoint_interval_array(delta, lam)
    factor = runtime_factor_array(lam, tau_all, delta, figs.restart_hours)
    pess = pessimistic_factor_array(lam, tau_all, delta, figs.restart_hours)
    expected_hours = np.where(is_spot, hours * factor, hours)
    inst_hours = np.where(is_spot, inst_hours * factor, inst_hours)
    note[is_spot & np.isnan(per_instance_rate)] = 1
    costs = job_costs(
        commits=commits, term_hours_=term_h, instances=n, job_hours=hours,
        instance_hours=inst_hours, usd_per_hour=price, reuse_fraction=reuse_fraction,
    )
    note[~figs.fit.fits[t]] = 2
    bucket = np.concatenate([prep.spot_bucket, [None]])  # code len(spot_bucket): not spot
    return {
        "_rep_rows": rep_rows, "_t": t, "_order": option,
        "_priced": ~np.isnan(price),
        "purchase_option": Coded(option, names),
        "instances": n,
        "wall_hours": expected_hours,
        "pessimistic_hours": np.where(is_spot, hours * pess, np.nan),
        "checkpoint_interval_hours": np.where(is_spot, tau_all, np.nan),
        "interruption_bucket": Coded(np.where(is_spot, rep_rows, len(prep.spot_bucket)), bucket),
        "instance_hours": inst_hours,
        "usd_per_instance_hour": price,
        "cost_usd": costs.cost_usd,
        "committed_usd": costs.committed_usd,
        "commitment_terms": costs.terms,
        "unused_committed_instance_hours": costs.unused_instance_hours,
        "meets_target": Coded(_meets_codes(expected_hours, deadline_hours), _MEETS),
        "as_of": text("as_of"),
        "source": text("source"),
        "note": Coded(note, notes),
    }


def serving_grid(
    prep: Prepared, figs: TypeFigures, rows: npt.NDArray[np.int64]
) -> dict[str, Any]:
    """Columns of a service's grid: rows × :data:`SERVING_OPTIONS` (baseline committed, peaks on
    on-demand or spot)."""
    k = len(SERVING_OPTIONS)
    m = len(rows)
    rep_rows = np.tile(rows, k)
    t = np.tile(prep.rate_type_pos[rows], k)
    names = np.repeat(np.array([o.name for o in SERVING_OPTIONS], dtype=object), m)

    def cat(option_of: Any, column: str) -> np.ndarray:
        return np.concatenate(
            [_option_column(prep, option_of(o), column, rows) for o in SERVING_OPTIONS]
        )

    def baseline_of(o: ServingOption) -> str | None:
        return o.baseline

    def peak_of(o: ServingOption) -> str:
        return o.peak

    has_base = np.repeat(np.array([o.baseline is not None for o in SERVING_OPTIONS]), m)
    term_h = np.repeat(np.array(
        [RATE_OPTION[o.baseline].term_hours if o.baseline else 0.0 for o in SERVING_OPTIONS],
        float,
    ), m)
    base_price = cat(baseline_of, "effective_hourly_usd")
    peak_price = cat(peak_of, "effective_hourly_usd")
    baseline = figs.extra["baseline_instances"][t].astype(float)
    inst_hours = figs.instance_hours[t]
    costs = serving_costs(
        has_baseline=has_base, term_hours_=term_h, baseline_instances=baseline,
        instance_hours_per_day=inst_hours, baseline_usd_per_hour=base_price,
        peak_usd_per_hour=peak_price,
    )
    peak_spot = np.repeat(np.array([o.peak == "spot" for o in SERVING_OPTIONS]), m)
    note = np.full(len(t), "", dtype=object)
    note[peak_spot] = "spot serving: interruptions need spare capacity (not modelled)"
    fits = figs.fit.fits[t]
    note = np.where(~fits, "does not fit in accelerator memory", note).astype(object)
    base_as_of, peak_as_of = cat(baseline_of, "as_of"), cat(peak_of, "as_of")
    base_source, peak_source = cat(baseline_of, "source"), cat(peak_of, "source")
    as_of = np.where(has_base, base_as_of, peak_as_of)
    source = np.array(
        [ps if not hb else (bs if (ps is None or ps == bs) else f"{bs}; peaks: {ps}")
         for hb, bs, ps in zip(has_base, base_source, peak_source, strict=True)],
        dtype=object,
    )
    return {
        "_rep_rows": rep_rows, "_t": t, "_order": np.repeat(np.arange(k), m),
        "_priced": np.where(
            np.isnan(figs.instances[t]),
            (~has_base | ~np.isnan(base_price)) & ~np.isnan(peak_price),
            ~np.isnan(costs.cost_usd_per_day),
        ),
        "purchase_option": names,
        "instances": figs.instances[t],
        "committed_instances": np.where(np.isnan(figs.instances[t]), np.nan,
                                        costs.committed_instances),
        "instances_by_hour": figs.extra["instances_by_hour"][t],
        "wall_hours": np.full(len(t), np.nan),
        "instance_hours": inst_hours,
        "peak_instance_hours": costs.peak_instance_hours_per_day,
        "usd_per_instance_hour": costs.usd_per_instance_hour,
        "baseline_usd_per_hour": base_price,
        "peak_usd_per_hour": peak_price,
        "cost_usd": costs.cost_usd_per_day,
        "committed_usd": costs.committed_usd,
        "commitment_terms": np.where(has_base, 1.0, np.nan),
        "meets_target": Coded(t, figs.meets_deadline),
        "as_of": as_of,
        "source": source,
        "note": note,
    }


# --- ranking ----------------------------------------------------------------------------------


def rank_order(
    data: dict[str, Column], selected: npt.NDArray[np.intp], time_col: str, cost_col: str
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """Positions of the ``selected`` rows of grid columns ``data`` in rank order, and which of
    them (in that order) are usable: they fit and have a cost.

    Deterministic order: priced fitting rows that meet the target by cost, time, region, type,
    option; then those that miss it; then rows without a cost; then rows that do not fit."""
    cost = numbers(data, cost_col)[selected]
    time = numbers(data, time_col)[selected]
    fits = np.asarray(data["fits"], bool)[selected]
    usable = fits & ~np.isnan(cost)  # a measured serving row has a cost but no modelled time
    missed = _is_false(data["meets_target"], selected)
    group = np.where(usable, np.where(missed, 1, 0), np.where(fits, 2, 3)).astype(np.int8)
    option = np.asarray(data["_option_order"])
    type_code = np.asarray(data["_type_code"])
    options, types = int(option.max(initial=0)) + 1, int(type_code.max(initial=0)) + 1
    # region, then type, then option, as one integer key
    tie = (np.asarray(data["_region_code"]) * types + type_code) * options + option
    order = np.lexsort(
        (tie[selected], np.nan_to_num(time, nan=np.inf), np.nan_to_num(cost, nan=np.inf), group)
    )
    return selected[order], usable[order]


def _is_false(column: Column, selected: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
    """Where the (None/bool) values of ``column``'s ``selected`` rows are False."""
    if isinstance(column, Coded):
        return (column.values == False)[column.codes[selected]]  # noqa: E712 (None/bool)
    return np.asarray(column, object)[selected] == False  # noqa: E712 (None/bool objects)


@dataclass(frozen=True, eq=False)
class RankedRows:
    """Grid rows in rank order, kept as the grid's column arrays (see :func:`rank_rows`).

    Comparing every region gives ~70,000 rows of which a table shows twenty: a row's values are
    gathered (text as Python objects) only for the rows asked for (:meth:`frame`, :meth:`record`),
    and every row only when the whole frame is asked for."""

    data: dict[str, Column]
    """The public grid columns in grid order (as :func:`grid_columns` gives them)."""
    order: npt.NDArray[np.intp]
    """Grid positions in rank order (the rows kept by the filters only)."""
    pareto: npt.NDArray[np.bool_]
    """On the Pareto front of time vs cost, in rank order."""

    def __len__(self) -> int:
        return len(self.order)

    @property
    def columns(self) -> list[str]:
        """Column names, as :meth:`frame` has them."""
        return [*self.data, "pareto"]

    def column(self, name: str, ranks: npt.NDArray[np.intp] | None = None) -> np.ndarray:
        """One column's values in rank order (only at positions ``ranks`` when given)."""
        if name == "pareto":
            return self.pareto if ranks is None else self.pareto[ranks]
        return np.asarray(self.data[name][self.order if ranks is None else self.order[ranks]])

    def frame(self, rows: int | None = None) -> pd.DataFrame:
        """The first ``rows`` ranked rows (default: every row) as a DataFrame, index 0..n-1."""
        return self._gather(self.order[:rows], self.pareto[:rows])

    def record(self, rank: int) -> dict[str, Any]:
        """The row at position ``rank`` of the ranking as ``{column: value}``, each value as
        ``frame().iloc[rank]`` gives it (numpy scalars for numbers and flags)."""
        position = self.order[rank:rank + 1]
        row = {name: values[position][0] for name, values in self.data.items()}
        row["pareto"] = self.pareto[rank]
        return row

    def _gather(
        self, positions: npt.NDArray[np.intp], pareto: npt.NDArray[np.bool_]
    ) -> pd.DataFrame:
        columns = {name: _column(values[positions]) for name, values in self.data.items()}
        columns["pareto"] = pareto
        return pd.DataFrame(columns)


def rank_rows(
    data: dict[str, Column], time_col: str, cost_col: str,
    selected: npt.NDArray[np.intp] | None = None,
) -> RankedRows:
    """The ``selected`` rows (default: all) of grid columns ``data`` in rank order
    (:func:`rank_order`), private ``_`` columns left out, with the Pareto front of time vs cost
    (rows with both figures). Nothing is gathered row by row here: see :class:`RankedRows`."""
    if selected is None:
        selected = np.arange(len(data[cost_col]))
    order, usable = rank_order(data, selected, time_col, cost_col)
    pareto = pareto_front(
        numbers(data, time_col)[order], numbers(data, cost_col)[order],
        valid=usable,
    )
    public = {name: values for name, values in data.items() if not name.startswith("_")}
    return RankedRows(public, order, pareto)


def pareto_front(
    time: npt.ArrayLike, cost: npt.ArrayLike, valid: npt.ArrayLike | None = None
) -> npt.NDArray[np.bool_]:
    """True for points no other point beats on both time and cost (lower is better for both).

    Ties: of identical points only the first (in input order) is marked. Vectorised: sort by
    time then cost; a point is on the front when its cost is below every earlier point's cost.
    """
    t = np.asarray(time, float)
    c = np.asarray(cost, float)
    ok = np.ones(len(t), bool) if valid is None else np.asarray(valid, bool).copy()
    ok &= ~np.isnan(t) & ~np.isnan(c)
    result = np.zeros(len(t), bool)
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return result
    order = idx[np.lexsort((np.arange(len(idx)), c[idx], t[idx]))]
    costs = c[order]
    best_before = np.concatenate(([np.inf], np.minimum.accumulate(costs)[:-1]))
    result[order[costs < best_before]] = True
    return result


def sort_rows(rows: pd.DataFrame, column: str, *, ascending: bool = True) -> pd.DataFrame:
    """``rows`` sorted by ``column`` with missing values last in either direction (stable)."""
    if column not in rows.columns:
        raise InputError("sort by", f"must be one of {', '.join(rows.columns)} (got {column!r})")
    return rows.sort_values(column, ascending=ascending, na_position="last", kind="stable")


def grid_columns(
    prep: Prepared, figs: TypeFigures, rows: npt.NDArray[np.int64], *, serving: bool, cpu: bool,
    reuse_fraction: float, deadline_hours: float | None,
) -> dict[str, Column]:
    """Broadcast per-type figures onto rate rows × purchase options (vectorised): the grid's
    columns, unranked (text columns :class:`Coded`), with the private ``_option_order``,
    ``_region_code`` and ``_type_code`` columns :func:`rank_order` breaks ties on."""
    cols = (
        serving_grid(prep, figs, rows) if serving else job_grid(
            prep, figs, rows, reuse_fraction=reuse_fraction, deadline_hours=deadline_hours,
            cpu=cpu,
        )
    )
    rep_rows, t = cols.pop("_rep_rows"), cols.pop("_t")
    priced = cols.pop("_priced")
    specs = prep.specs
    data: dict[str, Any] = {
        "region": Coded(rep_rows, prep.rate_region),
        "instance_type": Coded(t, specs["instance_type"].to_numpy(object)),
        "family": Coded(t, specs["family"].to_numpy(object)),
        "accelerator": Coded(t, specs["accelerator"].to_numpy(object)),
        "accelerators_per_instance": specs["accelerator_count"].to_numpy(float)[t],
        "purchase_option": cols.pop("purchase_option"),
        "instances": cols.pop("instances"),
        "fits": figs.fit.fits[t],
        "needed_gib_per_instance": figs.fit.needed_gib_per_instance[t],
        "usable_gib_per_instance": figs.fit.usable_gib_per_instance[t],
        "shortfall_gib": figs.fit.shortfall_gib[t],
    }
    data.update(cols)
    data["price_status"] = Coded(priced.astype(np.intp), _PRICE_STATUS)
    data["_option_order"] = data.pop("_order")
    data["_region_code"] = prep.rate_region_code[rep_rows]
    data["_type_code"] = t
    for name, values in figs.extra.items():
        if name not in data:
            data[name] = values[t]
    cost = data["cost_usd"]
    work = figs.work
    with np.errstate(divide="ignore", invalid="ignore"):
        if "pflop_hours" in work:
            data["usd_per_pflop_hour"] = cost / work["pflop_hours"]
        if "tokens" in work:  # training: tokens trained; serving: input + output tokens
            data["usd_per_1m_tokens"] = cost / (work["tokens"] / 1e6)
        if "output_tokens" in work:
            data["usd_per_1m_output_tokens"] = cost / (work["output_tokens"] / 1e6)
            data["usd_per_1m_requests"] = cost / (work["requests"] / 1e6)
        if "vcpu_hours" in work:
            data["usd_per_vcpu_hour"] = cost / work["vcpu_hours"]
    return data


def _column(values: Any) -> Any:
    """Text arrays stay Python-object columns: inferring Arrow strings for every cell of the grid
    would cost more than the arithmetic that built it."""
    if isinstance(values, np.ndarray) and values.dtype == object:
        return pd.Series(values, dtype=object, copy=False)
    return values
