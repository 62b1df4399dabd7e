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
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.billing import HOURS_PER_MONTH_DEFAULT
from planner.catalog import Catalog
from planner.catalog.query import check_region
from planner.catalog.schema import ACCELERATOR_KINDS
from planner.errors import InputError, UnknownNameError
from planner.grid import (
    Headlines,
    calculations,
    grid_frame,
    headlines,
    meets,
    rank,
)
from planner.memory_fit import (
    TRAINING_OVERHEAD_FRACTION,
    FitResult,
    inference_kv_bytes_per_token,
    inference_weight_bytes,
    training_memory,
)
from planner.options import RATE_OPTIONS
from planner.perf.constants import LINK_BYTES_PER_S, PCIE_BYTES_PER_S
from planner.perf.layout import group_instances, memory_per_chip, valid
from planner.perf.serving import ALLREDUCE_LATENCY_S, STEP_FLOOR_S
from planner.performance import (
    BYTES_PER_VALUE,
    COMPUTE_EFFICIENCY,
    GIB,
    MEMORY_EFFICIENCY_GPU,
    MEMORY_EFFICIENCY_NEURON,
    MULTI_NODE_EFFICIENCY,
    PEAK_COLUMN,
    TRAINING_CHIP_KINDS,
    allreduce_seconds,
    bandwidth_scale,
    flops_per_token,
    scaling_efficiency,
    training_seconds,
)
from planner.serving_layout import best_replica_layout
from planner.spot import (
    BUCKET_UPPER_PCT_PER_MONTH,
    INTERRUPTIONS_PER_HOUR_BY_BUCKET,
    check_positive,
)
from planner.training_layout import (
    LayoutSearch,
    hardware,
    layout_assumptions,
    layouts_of,
    mfu_per_type,
    shape_of,
)
from planner.workload import (
    CpuWorkload,
    InferenceWorkload,
    Precision,
    TrainingBaselineWorkload,
    TrainingWorkload,
    Workload,
)

FloatArray = npt.NDArray[np.float64]

OPTIONS = RATE_OPTIONS


# --- prepared, cached frames -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Prepared:
    """Catalog tables joined once: specs × chips, and rates pivoted to one row per (region, type)."""

    specs: pd.DataFrame
    """instance_specs + accelerator columns, positional index 0..T-1."""
    type_codes: dict[str, int]
    rate_region: npt.NDArray[np.object_]
    rate_region_code: npt.NDArray[np.int64]
    rate_type_pos: npt.NDArray[np.int64]
    region_rows: dict[str, npt.NDArray[np.int64]]
    option_columns: dict[str, dict[str, np.ndarray]]
    """option name → effective_hourly_usd, upfront_usd, hourly_usd, as_of, source (per rate row)."""
    spot_bucket: npt.NDArray[np.object_]
    spot_rate: FloatArray


@lru_cache(maxsize=8)
def prepared(catalog: Catalog) -> Prepared:
    """Join and pivot the catalog tables for the comparison (cached per catalog object)."""
    chips = catalog.accelerators.drop(columns=["as_of", "source"]).rename(
        columns={"memory_gib": "chip_memory_gib"}
    )
    specs = catalog.instance_specs.merge(chips, on="accelerator", how="left").reset_index(drop=True)
    specs["bandwidth_bytes_per_s"] = specs["memory_bandwidth_gbps"].to_numpy(float) * bandwidth_scale(
        specs["accelerator"].to_numpy(object)
    )
    type_codes = {t: i for i, t in enumerate(specs["instance_type"])}

    rates = catalog.compute_rates
    keys = rates[["region", "instance_type"]].drop_duplicates().sort_values(
        ["region", "instance_type"]
    ).reset_index(drop=True)
    keys["_row"] = np.arange(len(keys))
    regions = sorted(keys["region"].unique())
    region_code_map = {r: i for i, r in enumerate(regions)}
    option_columns: dict[str, dict[str, np.ndarray]] = {}
    n = len(keys)
    for option in OPTIONS:
        mask = (rates["purchase_option"] == option.purchase_option) & (
            rates["term_years"] == option.term_years
        )
        if option.offering_class:
            mask &= rates["offering_class"] == option.offering_class
        if option.payment_option:
            mask &= rates["payment_option"] == option.payment_option
        if option.purchase_option == "savings_plan":
            mask &= rates["plan_type"] == "compute"
        sub = rates.loc[mask].drop_duplicates(["region", "instance_type"])
        joined = sub.merge(keys, on=["region", "instance_type"], how="inner")
        rows = joined["_row"].to_numpy(int)
        cols: dict[str, np.ndarray] = {
            "effective_hourly_usd": np.full(n, np.nan),
            "upfront_usd": np.full(n, np.nan),
            "hourly_usd": np.full(n, np.nan),
            "as_of": np.full(n, None, dtype=object),
            "source": np.full(n, None, dtype=object),
        }
        for name in ("effective_hourly_usd", "upfront_usd", "hourly_usd"):
            cols[name][rows] = joined[name].to_numpy(float)
        for name in ("as_of", "source"):
            cols[name][rows] = joined[name].to_numpy(object)
        option_columns[option.name] = cols
    advisor = catalog.spot_advisor[["region", "instance_type", "interruption_bucket"]]
    with_bucket = keys.merge(advisor, on=["region", "instance_type"], how="left")
    bucket = with_bucket["interruption_bucket"].to_numpy(object)
    spot_rate = np.array(
        [INTERRUPTIONS_PER_HOUR_BY_BUCKET.get(b, np.nan) if isinstance(b, str) else np.nan
         for b in bucket],
        dtype=float,
    )
    region_arr = keys["region"].to_numpy(object)
    region_code = np.array([region_code_map[r] for r in region_arr], dtype=np.int64)
    type_pos = np.array([type_codes[t] for t in keys["instance_type"]], dtype=np.int64)
    region_rows = {r: np.flatnonzero(region_code == i) for r, i in region_code_map.items()}
    return Prepared(
        specs=specs,
        type_codes=type_codes,
        rate_region=region_arr,
        rate_region_code=region_code,
        rate_type_pos=type_pos,
        region_rows=region_rows,
        option_columns=option_columns,
        spot_bucket=bucket,
        spot_rate=spot_rate,
    )


# --- per instance type evaluation -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TypeFigures:
    """What a workload needs and achieves on each instance type (arrays aligned with specs)."""

    eligible: npt.NDArray[np.bool_]
    instances: FloatArray
    """Instances used (NaN where it does not fit)."""
    fit: FitResult
    wall_hours: FloatArray
    """Failure-free wall-clock time of the job [h] (training/CPU); NaN for inference."""
    instance_hours: FloatArray
    """Instance-hours of the job (training/CPU) or per day (inference)."""
    meets_deadline: npt.NDArray[np.object_]
    work: dict[str, float]
    """Units of work for unit costs: pflop_hours, tokens, output_tokens, requests, vcpu_hours."""
    extra: dict[str, np.ndarray]
    """Kind-specific columns (tpot_ms, ttft_ms, mfu, scaling_efficiency, …)."""
    checkpoint_write_hours: float
    restart_hours: float
    interruptions_per_hour: float | None
    assumptions: dict[str, Any]
    excluded: dict[str, int]
    """Reason → how many instance types were not considered for it."""


def _peak(specs: pd.DataFrame, precision: Precision) -> FloatArray:
    return specs[PEAK_COLUMN[precision]].to_numpy(float)


def _supported(specs: pd.DataFrame, chip: str) -> list[str]:
    row = specs.loc[specs["accelerator"] == chip].iloc[0]
    return [str(p) for p, col in PEAK_COLUMN.items() if not pd.isna(row[col])]


def _deadline_count(
    t1_hours: FloatArray, deadline: float | None, base: FloatArray, eff_at: Any, cap: int
) -> FloatArray:
    """Instances to meet a deadline: n = ceil(T1 / (deadline · eff(n))), one fixed-point step,
    never below ``base`` (the fewest that fit); NaN where ``base`` is NaN (does not fit)."""
    if deadline is None:
        return base
    with np.errstate(invalid="ignore", divide="ignore"):
        n0 = np.maximum(np.ceil(t1_hours / deadline), 1.0)
        n0 = np.where(np.isfinite(n0), np.minimum(n0, cap), np.nan)
        n1 = np.ceil(t1_hours / (deadline * eff_at(np.where(np.isnan(n0), 1.0, n0))))
        n1 = np.where(np.isfinite(n1), np.minimum(n1, cap), np.nan)
    return np.where(np.isnan(base), np.nan, np.fmax(base, n1))


def _training_figures(
    workload: TrainingWorkload | TrainingBaselineWorkload, prep: Prepared
) -> TypeFigures:
    specs = prep.specs
    chips_name = specs["accelerator"].to_numpy(object)
    kind = specs["accelerator_kind"].to_numpy(object)
    peak_tflops = _peak(specs, workload.precision)
    mfu, mfu_used = mfu_per_type(workload, chips_name)
    c = specs["accelerator_count"].to_numpy(float)
    is_trainer = np.isin(kind, TRAINING_CHIP_KINDS)
    excluded: dict[str, int] = {}
    no_peak = is_trainer & np.isnan(peak_tflops)
    no_mfu = is_trainer & ~np.isnan(peak_tflops) & np.isnan(mfu)
    if no_peak.any():
        excluded[f"no {workload.precision} peak on the chip"] = int(no_peak.sum())
    if no_mfu.any():
        excluded["no default utilisation for the chip (give mfu)"] = int(no_mfu.sum())
    excluded["not a training accelerator (CPU-only or Inferentia)"] = int((~is_trainer).sum())
    eligible = is_trainer & ~np.isnan(peak_tflops) & ~np.isnan(mfu)
    mne = workload.multi_node_efficiency or MULTI_NODE_EFFICIENCY.value
    network = specs["network_gbps"].to_numpy(float)
    grad_bytes_pp = 4.0 if workload.precision in (Precision.FP32, Precision.TF32) else 2.0
    per_instance_flops_s = c * peak_tflops * 1e12 * mfu

    parameters = workload.parameters
    if isinstance(workload, TrainingWorkload):
        per_token = workload.flops_per_token
    else:
        per_token = flops_per_token(parameters) if parameters is not None else None
    step_flops = None if per_token is None else per_token * workload.global_batch_tokens
    shape = shape_of(workload)
    search = (
        None if shape is None else LayoutSearch(
            shape, layouts_of(workload),
            hardware(specs, peak_tflops * 1e12 * mfu, TRAINING_OVERHEAD_FRACTION),
            per_token if per_token is not None else 6.0 * shape.parameters,
        )
    )

    def eff_at(n: FloatArray) -> FloatArray:
        if search is not None:
            eff = search.best(n).efficiency
            if workload.multi_node_efficiency is not None:
                eff = np.where(n > 1, eff * workload.multi_node_efficiency, eff)
            return np.asarray(eff, float)
        if step_flops is None or parameters is None:
            return scaling_efficiency(n, 1.0, 0.0, mne)
        with np.errstate(divide="ignore", invalid="ignore"):
            step_c = step_flops / (n * per_instance_flops_s)
        comm = allreduce_seconds(parameters * grad_bytes_pp, n, network)
        return scaling_efficiency(n, step_c, comm, mne)

    assumptions: dict[str, Any] = {"global_batch_tokens": workload.global_batch_tokens}
    if isinstance(workload, TrainingWorkload):
        flops = workload.total_flops
        if per_token is None:
            flops_rule = "flops_per_sample × samples × epochs"
        elif workload.counts_attention:
            flops_rule = "6·N·D + 12·L·s·d·D (attention, llm-foundry definition)"
        else:
            flops_rule = "6·N·D (Kaplan 2020; EleutherAI Transformer Math 101)"
    else:
        base = workload.baseline_instance_type
        if base not in prep.type_codes:
            raise InputError(
                "baseline_instance_type", str(UnknownNameError("instance type", base, prep.type_codes))
            )
        i = prep.type_codes[base]
        if not is_trainer[i]:
            raise InputError(
                "baseline_instance_type",
                f"{base} has no training accelerator (GPU or Trainium instance types only)",
            )
        if np.isnan(peak_tflops[i]):
            raise InputError(
                "precision",
                f"{workload.precision} is not supported by {chips_name[i]} on {base}; "
                f"allowed: {', '.join(_supported(specs, str(chips_name[i])))}",
            )
        if np.isnan(mfu[i]):
            raise InputError("mfu", f"no default for {chips_name[i]}; give mfu in (0, 1]")
        nb = float(workload.baseline_instances)
        eff_b = float(eff_at(np.full(len(specs), nb))[i])
        if np.isnan(eff_b):
            raise InputError(
                "baseline_instances",
                f"the model does not fit in accelerator memory on {nb:g} × {base} under any layout",
            )
        flops = workload.baseline_hours * 3600.0 * nb * per_instance_flops_s[i] * eff_b
        flops_rule = (
            "measured: baseline_hours × baseline throughput (instances × chips × peak × MFU × "
            "scaling efficiency), rescaled by each type's throughput — an estimate"
        )
        assumptions["baseline_equivalent_flops"] = flops
        assumptions["baseline_scaling_efficiency"] = eff_b

    memory = training_memory(workload)
    fixed = workload.instances
    cap = workload.max_instances if fixed is None else fixed
    if search is not None:
        fewest = search.fewest(cap)
        usable_gib = search.hw.usable_bytes_per_chip * c / GIB
        fit = FitResult(fewest, np.full(len(specs), np.nan), usable_gib, np.zeros(len(specs)))
    else:
        ones = np.ones(len(specs))
        fit = FitResult(ones, np.full(len(specs), np.nan), np.full(len(specs), np.nan),
                        np.zeros(len(specs)))
    t1 = training_seconds(flops, c, peak_tflops, mfu) / 3600.0

    if fixed is not None:
        base_n = np.where(fit.fits, float(fixed), np.nan)
    else:
        base_n = _deadline_count(
            t1, workload.deadline_hours, fit.instances, eff_at, workload.max_instances
        )
    n = np.where(eligible & fit.fits, base_n, np.nan)
    layout_columns: dict[str, np.ndarray] = {}
    if search is not None:
        at = np.where(np.isnan(n), np.nan_to_num(fit.instances, nan=float(cap)), n)
        choice = search.best(at)
        needed = search.needed_bytes_per_chip(choice, at) * c / GIB
        n = np.where(np.isnan(choice.efficiency), np.nan, n)
        fits_at = ~np.isnan(choice.efficiency) & ~np.isnan(fit.instances)
        fit = FitResult(
            instances=np.where(fits_at, fit.instances, np.nan),
            needed_gib_per_instance=np.where(
                np.isnan(needed), _fewest_layout_gib(search, cap, c), needed
            ),
            usable_gib_per_instance=fit.usable_gib_per_instance,
            shortfall_gib=np.where(
                fits_at, 0.0,
                np.maximum(_fewest_layout_gib(search, cap, c) - fit.usable_gib_per_instance, 0.0),
            ),
        )
        layout_columns = search.columns(choice, np.where(np.isnan(n), np.nan, at))
        eff = choice.efficiency
        if workload.multi_node_efficiency is not None:
            eff = np.where(at > 1, eff * workload.multi_node_efficiency, eff)
    else:
        eff = eff_at(np.where(np.isnan(n), 1.0, n))
    hours = training_seconds(flops, c * n, peak_tflops, mfu, eff) / 3600.0
    on_time = meets(hours, workload.deadline_hours)
    pflop_hours = flops / 1e15 / 3600.0
    work = {"pflop_hours": pflop_hours, "flops": flops}
    tokens = workload.tokens if isinstance(workload, TrainingWorkload) else None
    if tokens is not None:
        work["tokens"] = tokens
    assumptions.update(
        {
            "total_flops": flops,
            "flops_rule": flops_rule,
            "precision": str(workload.precision),
            "mfu": mfu_used,
            "mfu_rule": "per chip × model size band × precision (planner.perf.mfu, fitted on the "
            "calibration set); attention FLOPs at the chip's attention efficiency",
            "time_rule": "FLOPs / (instances × chips × peak(precision) × MFU × layout efficiency)",
            "multi_node_efficiency": {
                "value": mne,
                "source": "workload" if workload.multi_node_efficiency else MULTI_NODE_EFFICIENCY.source,
            },
            "layout": layout_assumptions(workload) if search is not None else (
                "no parameter count: pure data parallel, 2·(n−1)/n · gradient bytes / network "
                f"bandwidth per step, gradients at {grad_bytes_pp:g} B/param"
            ),
            "instances_rule": (
                "fixed by the workload" if workload.instances is not None else
                "fewest that fit in accelerator memory"
                + ("; more if needed to meet the deadline" if workload.deadline_hours else "")
            ),
            "max_instances": workload.max_instances,
            "memory": _memory_assumptions(workload, memory),
        }
    )
    return TypeFigures(
        eligible=eligible,
        instances=n,
        fit=fit,
        wall_hours=np.asarray(hours, float),
        instance_hours=np.asarray(hours * n, float),
        meets_deadline=on_time,
        work=work,
        extra={"mfu": mfu, "scaling_efficiency": np.where(np.isnan(n), np.nan, eff),
               **layout_columns},
        checkpoint_write_hours=workload.checkpoint_write_hours,
        restart_hours=workload.restart_hours,
        interruptions_per_hour=workload.interruptions_per_hour,
        assumptions=assumptions,
        excluded=excluded,
    )


def _fewest_layout_gib(search: LayoutSearch, cap: int, chips: FloatArray) -> FloatArray:
    """Memory per instance of the least-memory candidate at ``cap`` instances [GiB]."""
    at = np.full(len(chips), float(cap))
    least = np.full(len(chips), np.inf)
    with np.errstate(invalid="ignore", divide="ignore"):
        for layout in search.layouts:
            whole = np.mod(at, group_instances(layout, search.hw)) == 0
            mem = memory_per_chip(search.shape, layout, search.hw, at)
            least = np.where(valid(layout, search.hw) & whole, np.fmin(least, mem), least)
        return np.asarray(least * chips / GIB, float)


def _memory_assumptions(
    workload: TrainingWorkload | TrainingBaselineWorkload, memory: Any
) -> dict[str, Any]:
    if memory is None:
        return {"checked": False, "why": "give parameters to check the memory fit"}
    n = workload.parameters or 1.0
    return {
        "checked": True,
        "weights_bytes_per_parameter": memory.weights_bytes / n,
        "gradient_bytes_per_parameter": memory.gradients_bytes / n,
        "optimizer_bytes_per_parameter": memory.optimizer_bytes / n,
        "source": "ZeRO paper (arXiv:1910.02054) §3.1: 2 + 2 + 12 B/param, sharded by ZeRO stage",
        "sharding": str(workload.sharding) if workload.sharding is not None else "searched",
        "activation_gib_per_accelerator": memory.activation_bytes_per_chip / GIB,
        "activations_counted": memory.activations_counted,
        "activation_rule": "Korthikanti et al. 2022 s·b·d·34/t per layer (FlashAttention: no "
        "5·a·s/d score term), full recomputation 2·s·b·d/t per layer + one layer; logits 4·b·s·V/t",
        "overhead_fraction": TRAINING_OVERHEAD_FRACTION,
        "capacity": "accelerator_memory_gib_total (AWS usable GiB per instance)",
    }


def _inference_figures(workload: InferenceWorkload, prep: Prepared) -> TypeFigures:
    specs = prep.specs
    kind = specs["accelerator_kind"].to_numpy(object)
    c = specs["accelerator_count"].to_numpy(float)
    peak = _peak(specs, workload.precision) * 1e12 * c
    bw = specs["bandwidth_bytes_per_s"].to_numpy(float) * c
    accel = np.isin(kind, ACCELERATOR_KINDS)
    excluded: dict[str, int] = {"CPU-only instance type": int((~accel).sum())}
    no_peak = accel & (np.isnan(peak) | np.isnan(bw))
    if no_peak.any():
        excluded[f"no {workload.precision} peak or memory bandwidth on the chip"] = int(
            no_peak.sum()
        )
    eligible = accel & ~no_peak
    for name in workload.measured_output_tokens_per_second:
        if name not in prep.type_codes:
            raise InputError(
                "measured_output_tokens_per_second",
                str(UnknownNameError("instance type", name, prep.type_codes)),
            )
    neuron = np.isin(kind, ("trainium", "inferentia"))
    eff_m = (
        np.full(len(specs), workload.memory_efficiency)
        if workload.memory_efficiency is not None
        else np.where(neuron, MEMORY_EFFICIENCY_NEURON.value, MEMORY_EFFICIENCY_GPU.value)
    )
    eff_c = workload.compute_efficiency or COMPUTE_EFFICIENCY.value
    capacity = specs["accelerator_memory_gib_total"].to_numpy(float)
    weight_bytes = inference_weight_bytes(workload)
    kv = inference_kv_bytes_per_token(workload)
    target_s = (
        workload.latency_target_ms_per_output_token / 1000.0
        if workload.latency_target_ms_per_output_token is not None
        else None
    )
    chip_names = specs["accelerator"].to_numpy(object)
    with np.errstate(divide="ignore", invalid="ignore"):
        usable_chip = np.where(c > 0, capacity * GIB * (1 - workload.memory_overhead_fraction) / c, 0.0)
    layout = best_replica_layout(
        parameters=workload.parameters, layers=workload.layers, hidden_size=workload.hidden_size,
        input_tokens=workload.input_tokens, output_tokens=workload.output_tokens,
        weight_bytes=weight_bytes, kv_bytes_token=kv, chips=c, kind=kind,
        has_nvlink=np.isin(chip_names, list(LINK_BYTES_PER_S)),
        link_bytes_per_s=np.array(
            [LINK_BYTES_PER_S.get(str(ch), PCIE_BYTES_PER_S).value for ch in chip_names], float
        ),
        peak_flops_per_chip=peak / np.where(c > 0, c, np.nan),
        bandwidth_per_chip=bw / np.where(c > 0, c, np.nan),
        usable_bytes_per_chip=np.asarray(usable_chip, float), compute_efficiency=eff_c,
        memory_efficiency=eff_m, max_batch=workload.max_batch_size, latency_target_s=target_s,
    )
    serving = layout.serving
    usable_gib = usable_chip * c / GIB
    needed_gib = layout.needed_bytes_per_replica / GIB
    fit = FitResult(
        instances=np.where(layout.fits & (c > 0), 1.0, np.nan),
        needed_gib_per_instance=np.full(len(specs), needed_gib),
        usable_gib_per_instance=np.asarray(usable_gib, float),
        shortfall_gib=np.where(layout.fits, 0.0, np.maximum(needed_gib - usable_gib, 0.0)),
    )
    tokens_s = layout.tokens_per_s_per_instance.copy()
    measured = np.zeros(len(specs), bool)
    for name, value in workload.measured_output_tokens_per_second.items():
        i = prep.type_codes[name]
        tokens_s[i] = value
        measured[i] = True
        eligible[i] = eligible[i] or accel[i] or kind[i] == ""
    rps_per_instance = tokens_s / workload.output_tokens
    shape = np.asarray(workload.shape, float)
    demand = workload.requests_per_second * shape  # [24]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_hour = np.ceil(demand[None, :] / rps_per_instance[:, None] - 1e-9)
    per_hour = np.maximum(per_hour, float(workload.min_instances))
    ok = eligible & fit.fits
    per_hour[~ok] = np.nan
    instance_hours_day = per_hour.sum(axis=1)
    peak_instances = per_hour.max(axis=1)
    tpot_ms = np.where(measured, np.nan, serving.tpot_s * 1000.0)
    meets_latency = np.full(len(specs), None, dtype=object)
    if target_s is not None:
        known = ~np.isnan(tpot_ms)
        meets_latency[known] = tpot_ms[known] <= workload.latency_target_ms_per_output_token
    requests_day = float(demand.sum() * 3600.0)
    assumptions = {
        "roofline": "decode step = max(2·N·B/(peak·eff_c), (weights + B·ctx·kv)/(bw·eff_m)); "
        "prefill 2·N·P/(peak·eff_c) per request, not overlapped with decode",
        "compute_efficiency": {"value": eff_c, "source": "workload" if workload.compute_efficiency
                               else COMPUTE_EFFICIENCY.source},
        "memory_efficiency": (
            {"value": workload.memory_efficiency, "source": "workload"}
            if workload.memory_efficiency is not None
            else {"gpu": {"value": MEMORY_EFFICIENCY_GPU.value,
                          "source": MEMORY_EFFICIENCY_GPU.source},
                  "neuron": {"value": MEMORY_EFFICIENCY_NEURON.value,
                             "source": MEMORY_EFFICIENCY_NEURON.source}}
        ),
        "weights_gib": weight_bytes / GIB,
        "weight_bytes_per_parameter": BYTES_PER_VALUE[workload.precision],
        "kv_cache_bytes_per_token": kv,
        "kv_rule": "bytes × 2 × L × d × kv_heads/heads (stas00/ml-engineering inference README)",
        "memory_overhead_fraction": workload.memory_overhead_fraction,
        "replicas": "per instance type the tensor-parallel degree t (dividing its chips) with the "
        "most output tokens/s per instance that fits and meets the latency target; c // t "
        "replicas per instance; a replica spanning instances is not modelled (shown as not "
        "fitting)",
        "multi_chip_overhead": {
            "rule": "per decode step: floor + 2·L·(all-reduce latency) + B · 2·L · 2·(t−1)/t · d · "
            "2 B / link (t > 1)",
            "allreduce_latency_s": {k: {"value": v.value, "source": v.source}
                                    for k, v in ALLREDUCE_LATENCY_S.items()},
            "step_floor_s": {k: {"value": v.value, "source": v.source}
                             for k, v in STEP_FLOOR_S.items()},
        },
        "batch_rule": "min(max_batch_size, KV-cache memory at full context, latency target)",
        "instances_per_hour": "ceil(peak requests/s × hourly_shape / requests/s per instance), "
        f"at least min_instances = {workload.min_instances}",
        "requests_per_day": requests_day,
        "output_tokens_per_day": requests_day * workload.output_tokens,
        "cost_period": "per day (24 hours of the traffic shape)",
        "measured_output_tokens_per_second": dict(workload.measured_output_tokens_per_second),
    }
    return TypeFigures(
        eligible=eligible,
        instances=np.where(ok, peak_instances, np.nan),
        fit=fit,
        wall_hours=np.full(len(specs), np.nan),
        instance_hours=np.where(ok, instance_hours_day, np.nan),
        meets_deadline=meets_latency,
        work={
            "output_tokens": requests_day * workload.output_tokens,
            "tokens": requests_day * (workload.input_tokens + workload.output_tokens),
            "requests": requests_day,
        },
        extra={
            "tpot_ms": tpot_ms,
            "ttft_ms": np.where(measured, np.nan, serving.ttft_s * 1000.0),
            "batch": np.where(measured, np.nan, serving.batch),
            "output_tokens_per_s_per_instance": tokens_s,
            "baseline_instances": np.where(ok, per_hour.min(axis=1), np.nan),
            "instances_by_hour": _hourly_lists(per_hour),
            "tp": np.where(measured, np.nan, layout.tp),
            "replicas_per_instance": np.where(measured, np.nan, layout.replicas),
            "throughput_source": np.where(measured, "measured", "roofline").astype(object),
            "decode_regime": np.where(
                measured, "", np.where(serving.memory_bound, "memory-bound", "compute-bound")
            ).astype(object),
        },
        checkpoint_write_hours=0.0,
        restart_hours=0.0,
        interruptions_per_hour=None,
        assumptions=assumptions,
        excluded=excluded,
    )


def _hourly_lists(per_hour: FloatArray) -> npt.NDArray[np.object_]:
    """One list of 24 instance counts per instance type (None where it cannot serve)."""
    out = np.empty(len(per_hour), dtype=object)
    for i, counts in enumerate(per_hour):
        out[i] = None if np.isnan(counts).any() else [int(c) for c in counts]
    return out


def _cpu_figures(workload: CpuWorkload, prep: Prepared) -> TypeFigures:
    specs = prep.specs
    kind = specs["accelerator_kind"].to_numpy(object)
    arch = specs["architecture"].to_numpy(object)
    cpu_only = kind == ""
    arch_ok = np.isin(arch, list(workload.architectures))
    excluded = {
        "has accelerators (CPU work)": int((~cpu_only).sum()),
        f"architecture not in {list(workload.architectures)}": int((cpu_only & ~arch_ok).sum()),
    }
    eligible = cpu_only & arch_ok
    vcpu = specs["vcpu"].to_numpy(float)
    mem = specs["memory_gib"].to_numpy(float)
    fits = mem >= workload.memory_gib
    fit = FitResult(
        instances=np.where(fits, 1.0, np.nan),
        needed_gib_per_instance=np.full(len(specs), workload.memory_gib),
        usable_gib_per_instance=mem,
        shortfall_gib=np.where(fits, 0.0, workload.memory_gib - mem),
    )
    t1 = workload.vcpu_hours / (vcpu * workload.parallel_efficiency)
    base = np.where(fits, 1.0, np.nan)
    if workload.instances is not None:
        base = np.where(fits, float(workload.instances), np.nan)
    else:
        base = _deadline_count(
            t1, workload.deadline_hours, base, lambda n: np.ones_like(n), workload.max_instances
        )
    n = np.where(eligible & fits, base, np.nan)
    hours = t1 / n
    return TypeFigures(
        eligible=eligible,
        instances=n,
        fit=fit,
        wall_hours=hours,
        instance_hours=hours * n,
        meets_deadline=meets(hours, workload.deadline_hours),
        work={"vcpu_hours": workload.vcpu_hours},
        extra={},
        checkpoint_write_hours=workload.checkpoint_write_hours,
        restart_hours=workload.restart_hours,
        interruptions_per_hour=workload.interruptions_per_hour,
        assumptions={
            "time_rule": "vcpu_hours / (vCPUs × parallel_efficiency × instances); a vCPU-hour is "
            "taken as equal work on every type (assumption: no per-generation speed factor)",
            "parallel_efficiency": workload.parallel_efficiency,
            "memory_fit": "instance memory_gib ≥ the workload's memory_gib",
            "architectures": list(workload.architectures),
        },
        excluded=excluded,
    )


def type_figures(workload: Workload, catalog: Catalog) -> TypeFigures:
    """Per-instance-type figures of ``workload`` (region independent)."""
    prep = prepared(catalog)
    if isinstance(workload, TrainingWorkload | TrainingBaselineWorkload):
        return _training_figures(workload, prep)
    if isinstance(workload, InferenceWorkload):
        return _inference_figures(workload, prep)
    return _cpu_figures(workload, prep)


# --- the comparison ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Ranked rows (a DataFrame, best first) and every assumption behind them."""

    rows: pd.DataFrame
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
    frame = grid_frame(
        prep, figs, rows, serving=serving, cpu=isinstance(workload, CpuWorkload),
        reuse_fraction=reuse, deadline_hours=deadline,
    )
    if max_hours is not None and not serving:
        frame = frame[frame["wall_hours"] <= max_hours]
    if max_budget_usd is not None:
        budget_col = "cost_usd" if serving else "committed_usd"
        frame = frame[~(frame[budget_col] > max_budget_usd)]
    time_col, cost_col = ("tpot_ms", "usd_per_1m_output_tokens") if serving else (
        "wall_hours", "cost_usd"
    )
    frame = rank(frame, time_col, cost_col)
    frame["calculation"] = calculations(frame, serving=serving, reuse_fraction=reuse)
    frame = frame.reset_index(drop=True)
    unit_col = _unit_column(workload)
    target, time_label = _target(workload)
    heads = headlines(frame, time_col=time_col, cost_col=cost_col, unit_col=unit_col,
                      target=target, time_label=time_label)
    notes = _notes(prep, figs, region, considered, rows, serving, reuse)
    assumptions = _assumptions(workload, catalog, figs, region)
    return Comparison(
        frame, assumptions, notes, time_col, cost_col, figures=figs, unit_column=unit_col,
        headlines=heads, serving=serving,
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
        supported = {chip: _supported(prep.specs, chip) for chip in chips}
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
    plans = [o.name for o in OPTIONS if o.purchase_option == "savings_plan"]
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
            for o in OPTIONS
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
