"""Right-sizing on a tiny catalog: the headroom boundary, savings per option, accelerator fit."""

from __future__ import annotations

import math

import pytest

from planner.errors import InputError
from planner.savings.rightsizing import RightsizeRequest, SizeOn, Utilisation, rightsize
from tests.catalog_fixtures import make_catalog, on_demand, reserved, spec_row, spot

R = "r1"

CPU_SPECS = [
    spec_row("m9.large", 2, 8),
    spec_row("m9.medium", 3, 16),  # one vCPU below the boundary need of 4
    spec_row("m9.xlarge", 4, 16),
    spec_row("m9.2xlarge", 8, 32),
    spec_row("c9.xlarge", 4, 15),  # one GiB below the boundary need of 16
    spec_row("r9.xlarge", 4, 32),
    spec_row("t3.xlarge", 4, 16),  # burstable: left out of other families
    spec_row("a9.xlarge", 4, 16, architecture="arm64"),  # other architecture: left out
    spec_row("m8.xlarge", 4, 16, current_generation="false"),  # previous generation: left out
]
CPU_RATES = [
    on_demand(R, "m9.large", 0.1), on_demand(R, "m9.medium", 0.15),
    on_demand(R, "m9.xlarge", 0.2), on_demand(R, "m9.2xlarge", 0.4),
    on_demand(R, "c9.xlarge", 0.17), on_demand(R, "r9.xlarge", 0.25),
    on_demand(R, "t3.xlarge", 0.05), on_demand(R, "a9.xlarge", 0.05),
    on_demand(R, "m8.xlarge", 0.05),
    # 1-year all upfront: effective = upfront / 8,760 h
    reserved(R, "m9.xlarge", 1, 1051.2),  # 1,051.2 / 8,760 = $0.12/h
    reserved(R, "m9.2xlarge", 1, 2102.4),  # 2,102.4 / 8,760 = $0.24/h
    spot(R, "m9.xlarge", 0.06), spot(R, "m9.2xlarge", 0.12),
]


def _cpu_request(headroom: float, hours: float = 730.0) -> RightsizeRequest:
    # current 2 × m9.2xlarge (8 vCPU, 32 GiB) at 40 % CPU and memory peak
    return RightsizeRequest(
        "m9.2xlarge", 2, Utilisation(40.0), Utilisation(40.0), region=R,
        hours_per_month=hours, headroom_pct=headroom,
    )


def _row(result: object, instance_type: str) -> dict[str, object]:
    frame = result.candidates  # type: ignore[attr-defined]
    rows = frame[frame.instance_type == instance_type]
    assert len(rows) == 1, f"{instance_type} not listed"
    return dict(rows.iloc[0])


def test_fits_at_exactly_the_need_and_not_one_unit_below() -> None:
    catalog = make_catalog(instance_specs=CPU_SPECS, compute_rates=CPU_RATES)
    result = rightsize(catalog, _cpu_request(headroom=25.0))
    # need = 8 vCPU × 40 % × 1.25 = 4.0 vCPU; 32 GiB × 40 % × 1.25 = 16.0 GiB
    assert result.need.vcpu == pytest.approx(4.0)
    assert result.need.memory_gib == pytest.approx(16.0)
    xlarge = _row(result, "m9.xlarge")  # 4 vCPU, 16 GiB: exactly the need
    assert bool(xlarge["fits"])
    assert str(xlarge["reason"]).startswith("fits: vCPU 4 ≥ 4 needed")
    medium = _row(result, "m9.medium")  # 3 vCPU: one below
    assert not medium["fits"]
    assert "vCPU 3 < 4 needed" in str(medium["reason"])
    # c9.xlarge (15 GiB, one below) does not fit so it is not among other-family suggestions;
    # r9.xlarge (4 vCPU, 32 GiB, $0.25/h) fits and is cheaper than $0.40/h
    listed = set(result.candidates.instance_type)
    assert "c9.xlarge" not in listed
    assert "r9.xlarge" in listed
    # other families checked: c9, r9 (t3 burstable, a9 arm64, m8 previous generation left out)
    assert result.others_checked == 2
    assert result.others_fitting == 1


def test_a_hair_more_headroom_and_the_exact_fit_no_longer_fits() -> None:
    catalog = make_catalog(instance_specs=CPU_SPECS, compute_rates=CPU_RATES)
    result = rightsize(catalog, _cpu_request(headroom=26.0))
    # need = 8 × 0.4 × 1.26 = 4.032 vCPU > 4
    assert not _row(result, "m9.xlarge")["fits"]
    assert _row(result, "m9.2xlarge")["fits"]


def test_savings_per_purchase_option() -> None:
    catalog = make_catalog(instance_specs=CPU_SPECS, compute_rates=CPU_RATES)
    row = _row(rightsize(catalog, _cpu_request(headroom=25.0)), "m9.xlarge")
    # on-demand: 2 × 730 h × ($0.40 − $0.20) = $292.00 a month, × 12 = $3,504.00 a year
    assert row["on_demand_monthly_usd"] == pytest.approx(2 * 730 * 0.2)
    assert row["on_demand_savings_monthly_usd"] == pytest.approx(292.0)
    assert row["on_demand_savings_yearly_usd"] == pytest.approx(3504.0)
    # reserved 1y (paid all 730 h): 2 × 730 × ($0.24 − $0.12) = $175.20; × 12 = $2,102.40
    assert row["reserved_1y_savings_monthly_usd"] == pytest.approx(175.2)
    assert row["reserved_1y_savings_yearly_usd"] == pytest.approx(2102.4)
    # spot: 2 × 730 × ($0.12 − $0.06) = $87.60
    assert row["spot_savings_monthly_usd"] == pytest.approx(87.6)
    # no 3-year rate in this catalog: missing, not zero
    assert math.isnan(float(row["reserved_3y_savings_monthly_usd"]))  # type: ignore[arg-type]


def test_part_time_use_scales_on_demand_but_not_reserved() -> None:
    catalog = make_catalog(instance_specs=CPU_SPECS, compute_rates=CPU_RATES)
    row = _row(rightsize(catalog, _cpu_request(headroom=25.0, hours=200.0)), "m9.xlarge")
    # on-demand: 2 × 200 h × $0.20 saved = $80; reserved still billed 730 h: $175.20
    assert row["on_demand_savings_monthly_usd"] == pytest.approx(80.0)
    assert row["reserved_1y_savings_monthly_usd"] == pytest.approx(175.2)


def test_average_basis_uses_the_average_figures() -> None:
    catalog = make_catalog(instance_specs=CPU_SPECS, compute_rates=CPU_RATES)
    request = RightsizeRequest(
        "m9.2xlarge", 1, Utilisation(90.0, 20.0), Utilisation(90.0, 20.0), region=R,
        headroom_pct=25.0, size_on=SizeOn.AVERAGE,
    )
    # 8 × 20 % × 1.25 = 2 vCPU; 32 × 20 % × 1.25 = 8 GiB → m9.large fits
    assert _row(rightsize(catalog, request), "m9.large")["fits"]


GPU_SPECS = [
    spec_row("g9.2xlarge", 8, 32, accelerator_kind="gpu", accelerator="Chip16",
             accelerator_count=1, accelerator_memory_gib_total=16),
    spec_row("g9.xlarge", 4, 16, accelerator_kind="gpu", accelerator="Chip8",
             accelerator_count=1, accelerator_memory_gib_total=8),
    spec_row("g9.8xlarge", 32, 128, accelerator_kind="gpu", accelerator="Chip4",
             accelerator_count=4, accelerator_memory_gib_total=16),
    spec_row("m9.xlarge", 4, 16),
]
ACCELERATORS = [
    {"accelerator": "Chip16", "vendor": "X", "memory_gib": 16, "fp16_tflops": 100.0},
    {"accelerator": "Chip8", "vendor": "X", "memory_gib": 8, "fp16_tflops": 50.0},
    {"accelerator": "Chip4", "vendor": "X", "memory_gib": 4, "fp16_tflops": 30.0},
]
GPU_RATES = [
    on_demand(R, "g9.2xlarge", 1.0), on_demand(R, "g9.xlarge", 0.5),
    on_demand(R, "g9.8xlarge", 0.9), on_demand(R, "m9.xlarge", 0.2),
]


def test_gpu_need_checks_memory_per_device_and_compute() -> None:
    catalog = make_catalog(instance_specs=GPU_SPECS, compute_rates=GPU_RATES, accelerators=ACCELERATORS)
    request = RightsizeRequest(
        "g9.2xlarge", 1, Utilisation(25.0), Utilisation(25.0), Utilisation(40.0),
        Utilisation(40.0), region=R, headroom_pct=25.0,
    )
    result = rightsize(catalog, request)
    # compute: 1 × 100 TFLOPS × 40 % × 1.25 = 50; memory: 16 GiB × 40 % × 1.25 = 8 GiB
    assert result.need.accelerator_tflops == pytest.approx(50.0)
    assert result.need.accelerator_memory_gib == pytest.approx(8.0)
    assert result.need.accelerator_memory_per_device_gib == pytest.approx(8.0)
    assert _row(result, "g9.xlarge")["fits"]  # 50 TFLOPS, 8 GiB: exactly the need
    big = _row(result, "g9.8xlarge")  # 16 GiB in all but 4 GiB per device
    assert not big["fits"]
    assert "memory per accelerator 4 GiB < 8 GiB needed" in str(big["reason"])
    # a GPU workload is not offered CPU-only types
    assert "m9.xlarge" not in set(result.candidates.instance_type)


def test_fewer_accelerators_and_lower_bandwidth_are_flagged() -> None:
    # current: 4 × Chip100 (40 GiB, 1,500 GB/s each); candidates: 1 × Chip100 (same chip, one
    # device) and 2 × ChipSlow (48 GiB, 600 GB/s each)
    specs = [
        spec_row("g8.12xlarge", 48, 192, accelerator_kind="gpu", accelerator="Chip100",
                 accelerator_count=4, accelerator_memory_gib_total=160),
        spec_row("g8.xlarge", 4, 16, accelerator_kind="gpu", accelerator="Chip100",
                 accelerator_count=1, accelerator_memory_gib_total=40),
        spec_row("h8.2xlarge", 8, 32, accelerator_kind="gpu", accelerator="ChipSlow",
                 accelerator_count=2, accelerator_memory_gib_total=96),
    ]
    chips = [
        {"accelerator": "Chip100", "vendor": "X", "memory_gib": 40, "fp16_tflops": 100.0,
         "memory_bandwidth_gbps": 1500.0},
        {"accelerator": "ChipSlow", "vendor": "X", "memory_gib": 48, "fp16_tflops": 100.0,
         "memory_bandwidth_gbps": 600.0},
    ]
    rates = [on_demand(R, "g8.12xlarge", 8.0), on_demand(R, "g8.xlarge", 2.0),
             on_demand(R, "h8.2xlarge", 3.0)]
    catalog = make_catalog(instance_specs=specs, compute_rates=rates, accelerators=chips)
    request = RightsizeRequest(
        "g8.12xlarge", 1, Utilisation(5.0), Utilisation(5.0), Utilisation(20.0),
        Utilisation(20.0), region=R, headroom_pct=0.0,
    )
    # need: 400 TFLOPS × 20 % = 80 TFLOPS; 160 GiB × 20 % = 32 GiB (8 GiB per device)
    result = rightsize(catalog, request)
    one = _row(result, "g8.xlarge")
    assert one["fits"]  # 100 TFLOPS, 40 GiB
    assert one["caution"] == "1 accelerator instead of 4: the job must be split over fewer devices"
    slow = _row(result, "h8.2xlarge")
    assert slow["fits"]  # 200 TFLOPS, 96 GiB
    assert slow["caution"] == (
        "2 accelerators instead of 4: the job must be split over fewer devices; memory bandwidth"
        " 600 GB/s per device, now 1,500 GB/s: memory-bound work runs slower")
    assert _row(result, "g8.12xlarge")["caution"] == ""
    # one other-family type checked (h8.2xlarge), it fits and is cheaper: $3 vs $8 an hour
    assert (result.others_checked, result.others_fitting, result.others_cheaper) == (1, 1, 1)


def test_gpu_figures_are_required_for_an_accelerated_instance() -> None:
    catalog = make_catalog(instance_specs=GPU_SPECS, compute_rates=GPU_RATES, accelerators=ACCELERATORS)
    request = RightsizeRequest("g9.2xlarge", 1, Utilisation(25.0), Utilisation(25.0), region=R)
    with pytest.raises(InputError, match="gpu_peak_pct"):
        rightsize(catalog, request)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cpu": Utilisation(120.0)}, "cpu_peak_pct"),
        ({"memory": Utilisation(50.0, -1.0)}, "memory_avg_pct"),
        ({"count": 0}, "count"),
        ({"hours_per_month": 800.0}, "hours_per_month"),
        ({"headroom_pct": 500.0}, "headroom_pct"),
        ({"gpu": Utilisation(10.0)}, "gpu_peak_pct"),  # m9 has no accelerator
    ],
)
def test_bad_input_names_the_field(changes: dict[str, object], field: str) -> None:
    from dataclasses import replace

    catalog = make_catalog(instance_specs=CPU_SPECS, compute_rates=CPU_RATES)
    request = replace(_cpu_request(20.0), **changes)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=field):
        rightsize(catalog, request)


def test_shipped_snapshot_m5_fleet() -> None:
    from planner.catalog.loader import load_catalog

    request = RightsizeRequest("m5.4xlarge", 4, Utilisation(30.0), Utilisation(40.0))
    result = rightsize(load_catalog(), request)
    # need = 16 × 30 % × 1.2 = 5.76 vCPU, 64 × 40 % × 1.2 = 30.72 GiB → m5.2xlarge is the
    # smallest M5 that fits (8 vCPU, 32 GiB)
    assert _row(result, "m5.2xlarge")["fits"]
    assert not _row(result, "m5.xlarge")["fits"]
    assert float(_row(result, "m5.2xlarge")["on_demand_savings_monthly_usd"]) > 0  # type: ignore[arg-type]
