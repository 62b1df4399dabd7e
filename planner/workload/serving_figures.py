"""Serving (LLM inference) on each instance type: replica layout, throughput, time per token and
the instances needed hour by hour of the traffic shape.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from planner.catalog.schema import ACCELERATOR_KINDS
from planner.errors import InputError, UnknownNameError
from planner.perf.constants import LINK_BYTES_PER_S, PCIE_BYTES_PER_S
from planner.perf.serving import ALLREDUCE_LATENCY_S, STEP_FLOOR_S
from planner.workload.memory import (
    FitResult,
    inference_kv_bytes_per_token,
    inference_weight_bytes,
    inference_weight_bytes_per_parameter,
)
from planner.workload.performance import (
    COMPUTE_EFFICIENCY,
    GIB,
    MEMORY_EFFICIENCY_GPU,
    MEMORY_EFFICIENCY_NEURON,
)
from planner.workload.prepared import Prepared, TypeFigures, chip_peak_tflops
from planner.workload.records import (
    InferenceWorkload,
)
from planner.workload.serving import best_replica_layout

FloatArray = npt.NDArray[np.float64]

def serving_type_figures(workload: InferenceWorkload, prep: Prepared) -> TypeFigures:
    specs = prep.specs
    kind = specs["accelerator_kind"].to_numpy(object)
    c = specs["accelerator_count"].to_numpy(float)
    peak = chip_peak_tflops(specs, workload.precision) * 1e12 * c
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
        "weight_bytes_per_parameter": inference_weight_bytes_per_parameter(workload),
        "weight_precision": {
            "value": workload.weight_precision or str(workload.precision),
            "rule": (
                "weights stored at weight_precision (memory fit, bytes read per decode step); "
                f"matrix maths at the compute precision {workload.precision}"
                if workload.weight_precision else "weights stored at the compute precision"
            ),
        },
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
