"""A training workload's parallel layout per instance type: MFU default, fit, fastest layout.

Adapts the workload records and the instance specs to ``planner.perf`` (which knows neither):
the MFU default per chip × model size band × precision (``planner.perf.mfu``, falling back to
``performance.DEFAULT_MFU``), the candidate layouts the workload leaves open, the fewest
instances any of them fits on, and the fastest that fits at a given instance count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from planner.perf.constants import GIB, LINK_BYTES_PER_S, PCIE_BYTES_PER_S, Sourced
from planner.perf.layout import (
    Choice,
    Hardware,
    Layout,
    TrainingShape,
    best_at,
    candidate_layouts,
    fewest_over_layouts,
    memory_per_chip,
)
from planner.perf.mfu import effective_mfu, size_band, table_mfu
from planner.workload.finetune import linear_flops_per_parameter, trainable_share
from planner.workload.memory import ZERO_STAGE, recomputation_of, state_bytes_of
from planner.workload.performance import BYTES_PER_VALUE, DEFAULT_MFU, FP8_MFU
from planner.workload.records import Precision, TrainingBaselineWorkload, TrainingWorkload

FloatArray = npt.NDArray[np.float64]


def default_mfu(chip: str, parameters: float | None, precision: Precision) -> Sourced | None:
    """MFU default: the fitted table cell, else the per-chip default (FP8: ``FP8_MFU``)."""
    if parameters is not None:
        cell = table_mfu(chip, parameters, str(precision))
        if cell is not None:
            return cell
    if chip not in DEFAULT_MFU:
        return None
    return FP8_MFU if precision == Precision.FP8 else DEFAULT_MFU[chip]


def mfu_per_type(
    workload: TrainingWorkload | TrainingBaselineWorkload, chips: npt.NDArray[np.object_]
) -> tuple[FloatArray, dict[str, dict[str, object]]]:
    """Effective MFU per instance type (attention at its own efficiency) and the table used."""
    if workload.mfu is not None:
        return np.full(len(chips), workload.mfu), {"all chips": {"value": workload.mfu,
                                                                 "source": "workload"}}
    linear, attention = _flops_split(workload)
    values = np.full(len(chips), np.nan)
    used: dict[str, dict[str, object]] = {}
    for i, chip in enumerate(chips):
        if not isinstance(chip, str) or not chip:
            continue
        cell = default_mfu(chip, workload.parameters, workload.precision)
        if cell is None:
            continue
        values[i] = effective_mfu(cell.value, chip, linear, attention) if linear else cell.value
        band = size_band(workload.parameters) if workload.parameters is not None else "any size"
        used[chip] = {"value": cell.value, "size_band": band, "precision": str(workload.precision),
                      "effective_with_attention": round(float(values[i]), 4), "source": cell.source}
    return values, used


def _flops_split(workload: TrainingWorkload | TrainingBaselineWorkload) -> tuple[float, float]:
    """(linear 6·N — LoRA (4 + 6·r)·N —, attention 12·L·s·d) FLOPs per token; (0, 0) when not
    known."""
    if workload.parameters is None:
        return 0.0, 0.0
    linear = linear_flops_per_parameter(workload.finetune, workload.trainable_fraction) * (
        workload.parameters
    )
    if isinstance(workload, TrainingWorkload) and workload.counts_attention:
        assert workload.layers and workload.sequence_length and workload.hidden_size
        return linear, 12.0 * workload.layers * workload.sequence_length * workload.hidden_size
    return linear, 0.0


def shape_of(workload: TrainingWorkload | TrainingBaselineWorkload) -> TrainingShape | None:
    """The layout model's view of the workload (None without a parameter count)."""
    if workload.parameters is None:
        return None
    common = {
        "parameters": workload.parameters,
        "states": state_bytes_of(workload),
        "global_batch_tokens": workload.global_batch_tokens,
        "activation_bytes_per_value": max(2.0, BYTES_PER_VALUE[workload.precision]),
        "trainable_fraction": trainable_share(workload.finetune, workload.trainable_fraction),
    }
    if not isinstance(workload, TrainingWorkload):
        return TrainingShape(layers=None, hidden_size=None, attention_heads=None, vocab_size=None,
                             sequence_length=None, micro_batch=1, **common)  # type: ignore[arg-type]
    return TrainingShape(
        layers=workload.layers, hidden_size=workload.hidden_size,
        attention_heads=workload.attention_heads, vocab_size=workload.vocab_size,
        sequence_length=workload.sequence_length, micro_batch=workload.micro_batch_size,
        flash_attention=workload.flash_attention, **common,  # type: ignore[arg-type]
    )


def layouts_of(workload: TrainingWorkload | TrainingBaselineWorkload) -> list[Layout]:
    return candidate_layouts(
        tp=workload.tensor_parallel, pp=workload.pipeline_parallel,
        zero=None if workload.sharding is None else ZERO_STAGE[workload.sharding],
        recompute=recomputation_of(workload) if isinstance(workload, TrainingWorkload) else "none",
        layers=workload.layers if isinstance(workload, TrainingWorkload) else None,
    )


def hardware(specs: pd.DataFrame, achieved_flops_per_chip: FloatArray, overhead: float) -> Hardware:
    """Per-type hardware figures from the joined specs (chips, usable memory, links, network)."""
    c = specs["accelerator_count"].to_numpy(float)
    total = specs["accelerator_memory_gib_total"].to_numpy(float) * GIB * (1.0 - overhead)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_chip = np.where(c > 0, total / c, 0.0)
    chips = specs["accelerator"].to_numpy(object)
    link = np.array(
        [LINK_BYTES_PER_S.get(str(ch), PCIE_BYTES_PER_S).value for ch in chips], float
    )
    return Hardware(
        chips=c,
        usable_bytes_per_chip=np.asarray(per_chip, float),
        peak_flops=np.asarray(achieved_flops_per_chip, float),
        link_bytes_per_s=link,
        network_bytes_per_s=specs["network_gbps"].to_numpy(float) * 1e9 / 8.0,
    )


@dataclass(frozen=True)
class LayoutSearch:
    """The search for one workload over every instance type."""

    shape: TrainingShape
    layouts: list[Layout]
    hw: Hardware
    flops_per_token: float

    def fewest(self, max_instances: int) -> FloatArray:
        return fewest_over_layouts(self.shape, self.layouts, self.hw, max_instances)

    def best(self, instances: npt.ArrayLike) -> Choice:
        return best_at(self.shape, self.layouts, self.hw, instances, self.flops_per_token)

    def needed_bytes_per_chip(self, choice: Choice, instances: npt.ArrayLike) -> FloatArray:
        """Memory per chip of the chosen layout at ``instances`` [B] (NaN where none)."""
        n = np.asarray(instances, float)
        out = np.full(len(n), np.nan)
        for i, layout in enumerate(self.layouts):
            mask = choice.index == i
            if mask.any():
                out[mask] = memory_per_chip(self.shape, layout, self.hw, n)[mask]
        return out

    def columns(self, choice: Choice, instances: npt.ArrayLike) -> dict[str, np.ndarray]:
        """Per-type columns naming the chosen layout (empty where none)."""
        n = np.asarray(instances, float)
        size = len(n)
        tp = np.full(size, np.nan)
        pp = np.full(size, np.nan)
        zero = np.full(size, np.nan)
        recompute = np.full(size, "", dtype=object)
        label = np.full(size, "", dtype=object)
        for i, layout in enumerate(self.layouts):
            mask = choice.index == i
            tp[mask], pp[mask], zero[mask], recompute[mask] = (
                layout.tp, layout.pp, layout.zero, layout.recompute,
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            dp = np.where(choice.index >= 0, n * self.hw.chips / (tp * pp), np.nan)
        for j in np.flatnonzero(choice.index >= 0):
            label[j] = self.layouts[int(choice.index[j])].label(float(dp[j]))
        return {"layout": label, "tp": tp, "pp": pp, "dp": dp, "zero_stage": zero,
                "recomputation": recompute}


def layout_assumptions(workload: TrainingWorkload | TrainingBaselineWorkload) -> dict[str, object]:
    """What the layout search assumed, with sources (for the comparison's assumptions)."""
    from planner.perf import constants as k

    def given(value: object) -> object:
        return "searched" if value is None else value

    return {
        "searched": "tensor parallel 1-16 inside an instance, pipeline 1-32, ZeRO-1/2/3 "
        "(2/3 without pipeline), recomputation none/full; per type the fewest instances any "
        "layout fits on, then the fastest layout that fits at the instance count",
        "tensor_parallel": given(workload.tensor_parallel),
        "pipeline_parallel": given(workload.pipeline_parallel),
        "sharding": given(workload.sharding),
        "recomputation": (
            given(recomputation_of(workload)) if isinstance(workload, TrainingWorkload) else "none"
        ),
        "micro_batch_size": workload.micro_batch_size if isinstance(workload, TrainingWorkload) else 1,
        "efficiency_rule": "compute / (compute + tensor-parallel collectives + pipeline bubble "
        "(p−1)/m + data-parallel reduce not hidden behind the step)",
        "link_bytes_per_s": {chip: {"value": s.value, "source": s.source}
                             for chip, s in k.LINK_BYTES_PER_S.items()},
        "pcie_bytes_per_s": {"value": k.PCIE_BYTES_PER_S.value, "source": k.PCIE_BYTES_PER_S.source},
        "link_efficiency": {"value": k.LINK_EFFICIENCY.value, "source": k.LINK_EFFICIENCY.source},
        "network_efficiency": {"value": k.NETWORK_EFFICIENCY.value,
                               "source": k.NETWORK_EFFICIENCY.source},
        "dp_overlap": {"value": k.DP_OVERLAP.value, "source": k.DP_OVERLAP.source},
        "zero3_comm_factor": {"value": k.ZERO3_COMM_FACTOR.value, "source": k.ZERO3_COMM_FACTOR.source},
        "aspect_ratio_when_no_shape": {"value": k.ASPECT_RATIO.value, "source": k.ASPECT_RATIO.source},
    }
