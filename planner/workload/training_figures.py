"""Training on each instance type: the fewest instances that fit, the fastest parallel layout,
wall-clock and instance-hours (model-based or scaled from a measured baseline).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from planner.errors import InputError, UnknownNameError
from planner.perf.layout import group_instances, memory_per_chip, valid
from planner.workload.finetune import (
    DEFAULT_TRAINABLE_FRACTION,
    FROZEN_BYTES_PER_PARAMETER,
    frozen_precision,
    trainable_share,
)
from planner.workload.finetune import flops_rule as finetune_flops_rule
from planner.workload.memory import (
    TRAINING_OVERHEAD_FRACTION,
    FitResult,
    training_memory,
)
from planner.workload.performance import (
    GIB,
    MULTI_NODE_EFFICIENCY,
    TRAINING_CHIP_KINDS,
    allreduce_seconds,
    flops_per_token,
    scaling_efficiency,
    training_seconds,
)
from planner.workload.prepared import (
    Prepared,
    TypeFigures,
    chip_peak_tflops,
    deadline_count,
    meets,
    supported_precisions,
)
from planner.workload.records import (
    Precision,
    TrainingBaselineWorkload,
    TrainingWorkload,
)
from planner.workload.training import (
    LayoutSearch,
    hardware,
    layout_assumptions,
    layouts_of,
    mfu_per_type,
    shape_of,
)

FloatArray = npt.NDArray[np.float64]

def training_type_figures(
    workload: TrainingWorkload | TrainingBaselineWorkload, prep: Prepared
) -> TypeFigures:
    specs = prep.specs
    chips_name = specs["accelerator"].to_numpy(object)
    kind = specs["accelerator_kind"].to_numpy(object)
    peak_tflops = chip_peak_tflops(specs, workload.precision)
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
        lora_rule = finetune_flops_rule(workload.finetune, workload.trainable_fraction)
        if lora_rule and per_token is not None:
            flops_rule = f"{flops_rule}; {lora_rule}"
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
                f"allowed: {', '.join(supported_precisions(specs, str(chips_name[i])))}",
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
        base_n = deadline_count(
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


def _finetune_assumptions(workload: TrainingWorkload | TrainingBaselineWorkload) -> dict[str, Any]:
    frozen = frozen_precision(workload.finetune, workload.frozen_weight_precision)
    if frozen is None:
        return {"kind": "full", "rule": "every parameter trained"}
    r = trainable_share(workload.finetune, workload.trainable_fraction)
    return {
        "kind": workload.finetune,
        "frozen_weight_precision": frozen,
        "frozen_bytes_per_parameter": FROZEN_BYTES_PER_PARAMETER[frozen],
        "trainable_fraction": r,
        "trainable_fraction_source": (
            "workload" if workload.trainable_fraction is not None
            else DEFAULT_TRAINABLE_FRACTION.source
        ),
        "rule": "frozen base at its precision (sharded only under ZeRO-3); gradients, fp32 master "
        "and Adam states for the adapters only (Hu et al. 2021 arXiv:2106.09685; QLoRA "
        "arXiv:2305.14314)",
    }


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
        "finetune": _finetune_assumptions(workload),
        "activation_gib_per_accelerator": memory.activation_bytes_per_chip / GIB,
        "activations_counted": memory.activations_counted,
        "activation_rule": "Korthikanti et al. 2022 s·b·d·34/t per layer (FlashAttention: no "
        "5·a·s/d score term), full recomputation 2·s·b·d/t per layer + one layer; logits 4·b·s·V/t",
        "overhead_fraction": TRAINING_OVERHEAD_FRACTION,
        "capacity": "accelerator_memory_gib_total (AWS usable GiB per instance)",
    }
