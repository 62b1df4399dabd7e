"""Per-instance-type figures of any workload (dispatch by kind), and CPU work.

The training and serving models (and the parallel-layout search under them) are imported when a
workload of their kind is evaluated: CPU work never loads them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from planner.catalog import Catalog
from planner.workload.memory import (
    FitResult,
)
from planner.workload.prepared import Prepared, TypeFigures, deadline_count, meets, prepared
from planner.workload.records import (
    CpuWorkload,
    InferenceWorkload,
    TrainingBaselineWorkload,
    TrainingWorkload,
    Workload,
)

FloatArray = npt.NDArray[np.float64]

def cpu_type_figures(workload: CpuWorkload, prep: Prepared) -> TypeFigures:
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
        base = deadline_count(
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
        from planner.workload.training_figures import training_type_figures

        return training_type_figures(workload, prep)
    if isinstance(workload, InferenceWorkload):
        from planner.workload.serving_figures import serving_type_figures

        return serving_type_figures(workload, prep)
    return cpu_type_figures(workload, prep)
