"""``planner rightsize``: cheaper instance types that fit observed utilisation with headroom."""

from __future__ import annotations

import argparse
import math
import sys

from planner.billing import HOURS_PER_MONTH_DEFAULT
from planner.cli.output import add_format_argument

HELP = "right-size an instance from its observed CPU, memory and GPU utilisation"

TABLE_COLUMNS = (
    "instance_type", "group", "fits", "vcpu", "memory_gib", "accelerator_memory_gib_total",
    "on_demand_monthly_usd", "on_demand_savings_monthly_usd", "on_demand_savings_yearly_usd",
    "reserved_1y_savings_yearly_usd", "reserved_3y_savings_yearly_usd",
    "spot_savings_monthly_usd",
)
FLAGS = {
    "count": "--count", "hours_per_month": "--hours", "headroom_pct": "--headroom",
    "limit": "--limit", "cpu_peak_pct": "--cpu-peak", "cpu_avg_pct": "--cpu-avg",
    "memory_peak_pct": "--memory-peak", "memory_avg_pct": "--memory-avg",
    "gpu_peak_pct": "--gpu-peak", "gpu_avg_pct": "--gpu-avg",
    "gpu_memory_peak_pct": "--gpu-memory-peak", "gpu_memory_avg_pct": "--gpu-memory-avg",
}
"""Domain field → the flag that sets it, so an error names what the user typed."""


def _finite(text: str) -> float | None:
    """The number ``text`` spells, or None when it is not a finite number."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _pct(text: str) -> float:
    """A utilisation percentage; range checks happen in the domain (InputError names the field)."""
    value = _finite(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (0–100)")
    return value


def _headroom(text: str) -> float:
    """The headroom percentage; the domain checks it against MAX_HEADROOM_PCT."""
    value = _finite(text)
    if value is None:
        from planner.savings.rightsizing import MAX_HEADROOM_PCT  # here only: pandas is slow to import

        raise argparse.ArgumentTypeError(f"{text!r} is not a number (0–{MAX_HEADROOM_PCT:g})")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--instance", required=True, help="current instance type, e.g. m5.4xlarge")
    parser.add_argument("--count", type=int, default=1, help="instances running (default 1)")
    parser.add_argument(
        "--hours", type=float, default=HOURS_PER_MONTH_DEFAULT,
        help=f"hours each runs per month (default {HOURS_PER_MONTH_DEFAULT:g})",
    )
    parser.add_argument("--region", default="us-east-1", help="region (default us-east-1)")
    for name, what, required in (
        ("cpu", "CPU", True), ("memory", "memory", True),
        ("gpu", "accelerator compute", False), ("gpu-memory", "accelerator memory", False),
    ):
        parser.add_argument(
            f"--{name}-peak", type=_pct, required=required,
            help=f"observed peak {what} utilisation [%%]"
            + ("" if required else " (required for GPU/Trainium/Inferentia types)"),
        )
        parser.add_argument(
            f"--{name}-avg", type=_pct, default=None,
            help=f"observed average {what} utilisation [%%] (optional)",
        )
    parser.add_argument(
        "--headroom", type=_headroom, default=20.0,
        help="margin above the observed figure [%%] (default 20)",
    )
    parser.add_argument(
        "--size-on", choices=("peak", "average"), default="peak",
        help="size on the peak (default) or the average figures",
    )
    parser.add_argument(
        "--limit", type=int, default=15, help="other-family suggestions to list (default 15)"
    )
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from planner.catalog import load_catalog
    from planner.cli.output import frame_records, to_csv, to_json, to_table
    from planner.errors import InputError
    from planner.savings.rightsizing import RightsizeRequest, SizeOn, Utilisation, rightsize

    def use(peak: float | None, average: float | None) -> Utilisation | None:
        return None if peak is None else Utilisation(peak, average)

    cpu = use(args.cpu_peak, args.cpu_avg)
    memory = use(args.memory_peak, args.memory_avg)
    assert cpu is not None and memory is not None  # argparse requires them
    request = RightsizeRequest(
        instance_type=args.instance, count=args.count, cpu=cpu, memory=memory,
        gpu=use(args.gpu_peak, args.gpu_avg), gpu_memory=use(args.gpu_memory_peak,
                                                             args.gpu_memory_avg),
        region=args.region, hours_per_month=args.hours, headroom_pct=args.headroom,
        size_on=SizeOn(args.size_on), limit=args.limit,
    )
    try:
        result = rightsize(load_catalog(), request)
    except InputError as exc:
        raise InputError(FLAGS.get(exc.field, exc.field), exc.problem) from None
    rows = frame_records(result.candidates)
    if args.format == "json":
        sys.stdout.write(to_json({
            "instance_type": request.instance_type, "count": request.count,
            "region": request.region, "hours_per_month": request.hours_per_month,
            "headroom_pct": request.headroom_pct, "size_on": request.size_on.value,
            "need_per_instance": asdict(result.need),
            "candidates": rows,
            "other_families_checked": result.others_checked,
            "other_families_fitting": result.others_fitting,
            "other_families_cheaper": result.others_cheaper,
            "notes": list(result.notes),
        }))
        return 0
    if args.format == "csv":
        sys.stdout.write(to_csv(rows, list(result.candidates.columns)))
        return 0
    out = sys.stdout
    need = result.need
    out.write(
        f"{request.count} × {request.instance_type} in {request.region},"
        f" {request.hours_per_month:g} h/month — need per instance: {need.vcpu:,.4g} vCPU,"
        f" {need.memory_gib:,.4g} GiB"
    )
    if need.accelerator_memory_gib or need.accelerator_tflops:
        out.write(
            f", {need.accelerator_memory_gib:,.4g} GiB accelerator memory"
            f" ({need.accelerator_memory_per_device_gib:,.4g} per device),"
            f" {need.accelerator_tflops:,.4g} TFLOPS ({need.precision.removesuffix('_tflops')})"
        )
    out.write("\n\n")
    columns = [
        c for c in TABLE_COLUMNS
        if c != "accelerator_memory_gib_total" or need.accelerator_memory_gib
    ]
    out.write(to_table(rows, columns))
    out.write("\nwhy:\n")
    for row in rows:
        caution = f" — caution: {row['caution']}" if row.get("caution") else ""
        out.write(f"  {row['instance_type']}: {row['reason']}{caution}\n")
    out.write(
        f"\nother families: {result.others_checked} checked, {result.others_fitting} fit,"
        f" {result.others_cheaper} of them cheaper on-demand; the cheapest"
        f" {min(result.others_cheaper, request.limit)} are listed\n"
    )
    for note in result.notes:
        out.write(f"note: {note}\n")
    return 0
