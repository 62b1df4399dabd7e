"""planner.explorer on a tiny hand-built catalog: filters, side-by-side prices, regions, formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import explorer
from planner.errors import InputError, UnknownNameError
from planner.explorer import Period, SpecFilter
from tests.catalog_fixtures import make_catalog

SPECS = [
    {"instance_type": "g5.xlarge", "family": "g5", "vcpu": 4, "memory_gib": 16.0,
     "accelerator_kind": "gpu", "accelerator": "NVIDIA A10G", "accelerator_count": 1,
     "accelerator_memory_gib_total": 24.0, "local_storage_gb": 250.0},
    {"instance_type": "g5.12xlarge", "family": "g5", "vcpu": 48, "memory_gib": 192.0,
     "accelerator_kind": "gpu", "accelerator": "NVIDIA A10G", "accelerator_count": 4,
     "accelerator_memory_gib_total": 96.0, "local_storage_gb": 3800.0},
    {"instance_type": "m5.large", "family": "m5", "vcpu": 2, "memory_gib": 8.0,
     "accelerator_kind": "", "accelerator": "", "accelerator_count": 0,
     "accelerator_memory_gib_total": 0.0, "local_storage_gb": 0.0},
]


def rate(region, itype, option, hourly, *, term=0, upfront=0.0, effective=None):
    return {
        "region": region, "instance_type": itype, "purchase_option": option,
        "term_years": term, "offering_class": "standard" if option == "reserved" else "",
        "payment_option": "all_upfront" if option == "reserved" else "",
        "upfront_usd": upfront, "hourly_usd": hourly,
        "effective_hourly_usd": hourly if effective is None else effective,
    }


RATES = [
    rate("us-east-1", "g5.xlarge", "on_demand", 1.006),
    # reserved 1y all upfront: upfront 5,256 → effective 5,256 / 8,760 h = 0.6 $/h
    rate("us-east-1", "g5.xlarge", "reserved", 0.0, term=1, upfront=5256.0, effective=0.6),
    rate("us-east-1", "g5.xlarge", "spot", 0.45),
    rate("us-east-1", "g5.12xlarge", "on_demand", 5.672),
    rate("us-east-1", "m5.large", "on_demand", 0.096),
    rate("eu-west-1", "g5.xlarge", "on_demand", 1.123),
]


@pytest.fixture(scope="module")
def catalog():
    return make_catalog(instance_specs=SPECS, compute_rates=RATES)


def test_period_hours():
    assert explorer.period_hours(Period.HOUR) == 1.0
    assert explorer.period_hours(Period.MONTH) == 730.0
    # a year is 12 billing months: 730 × 12 = 8,760 h
    assert explorer.period_hours(Period.YEAR) == 8760.0
    assert explorer.period_hours(Period.MONTH, 744.0) == 744.0


def test_period_hours_out_of_range():
    with pytest.raises(InputError, match="hours per month: 800 is outside 672-744"):
        explorer.period_hours(Period.MONTH, 800.0)


def test_filter_by_kind_and_memory(catalog):
    gpus = explorer.filter_specs(catalog.instance_specs, SpecFilter(accelerator_kinds=("gpu",)))
    assert sorted(gpus["instance_type"]) == ["g5.12xlarge", "g5.xlarge"]
    cpu = explorer.filter_specs(catalog.instance_specs, SpecFilter(accelerator_kinds=("cpu",)))
    assert list(cpu["instance_type"]) == ["m5.large"]
    big = explorer.filter_specs(catalog.instance_specs, SpecFilter(min_accelerator_memory_gib=30))
    assert list(big["instance_type"]) == ["g5.12xlarge"]
    small = explorer.filter_specs(catalog.instance_specs, SpecFilter(max_vcpu=4))
    assert sorted(small["instance_type"]) == ["g5.xlarge", "m5.large"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_vcpu": 64, "max_vcpu": 8}, "vCPU range: minimum 64 exceeds maximum 8"),
        ({"min_memory_gib": -1}, "minimum memory"),
        ({"min_accelerator_memory_gib": -2}, "minimum accelerator memory"),
    ],
)
def test_bad_filter_names_the_field(kwargs, message):
    with pytest.raises(InputError, match=message):
        SpecFilter(**kwargs)


def test_prices_side_by_side_per_month(catalog):
    table = explorer.prices_side_by_side(
        catalog, "us-east-1", SpecFilter(accelerator_kinds=("gpu",)), Period.MONTH
    )
    # sorted by on-demand: g5.xlarge (1.006) before g5.12xlarge (5.672)
    assert list(table["instance_type"]) == ["g5.xlarge", "g5.12xlarge"]
    row = table.iloc[0]
    assert row["on_demand_usd"] == pytest.approx(1.006 * 730)  # 734.38 $/month
    assert row["reserved_1y_standard_all_upfront_usd"] == pytest.approx(0.6 * 730)  # 438.00
    assert row["spot_usd"] == pytest.approx(0.45 * 730)  # 328.50
    assert row["usd_per_vcpu"] == pytest.approx(734.38 / 4)  # 183.595
    assert row["usd_per_gib"] == pytest.approx(734.38 / 16)  # 45.89875
    assert row["usd_per_accelerator"] == pytest.approx(734.38)  # one A10G
    big = table.iloc[1]
    # g5.12xlarge has no reserved or spot rate in the tiny snapshot: missing, never guessed
    assert math.isnan(big["reserved_1y_standard_all_upfront_usd"])
    assert math.isnan(big["spot_usd"])
    assert big["usd_per_accelerator"] == pytest.approx(5.672 * 730 / 4)  # 1,035.14


def test_per_unit_basis_option_and_missing(catalog):
    table = explorer.prices_side_by_side(
        catalog, "us-east-1", SpecFilter(), Period.HOUR, basis_option="spot"
    )
    # only g5.xlarge has a spot price → first; the others sort last with NaN per-unit prices
    assert table.iloc[0]["instance_type"] == "g5.xlarge"
    assert table.iloc[0]["usd_per_vcpu"] == pytest.approx(0.45 / 4)
    m5 = table.set_index("instance_type").loc["m5.large"]
    assert math.isnan(m5["usd_per_vcpu"])
    assert math.isnan(m5["usd_per_accelerator"])


def test_unknown_region_suggests(catalog):
    with pytest.raises(UnknownNameError, match="us-east-1"):
        explorer.prices_side_by_side(catalog, "us-east1", SpecFilter())


def test_regions_side_by_side(catalog):
    by_region = explorer.regions_side_by_side(catalog, "g5.xlarge", Period.YEAR)
    assert list(by_region["region"]) == ["us-east-1", "eu-west-1"]
    assert by_region.iloc[0]["on_demand_usd"] == pytest.approx(1.006 * 8760)  # 8,812.56
    # eu-west-1 is 1.123 / 1.006 − 1 = 11.63 % dearer on-demand
    assert by_region.iloc[1]["on_demand_vs_cheapest_pct"] == pytest.approx(11.6302, abs=1e-3)
    assert math.isnan(by_region.iloc[1]["spot_usd"])


def test_price_calculation_text(catalog):
    text = explorer.price_calculation(
        catalog, "us-east-1", "g5.xlarge", "reserved_1y_standard_all_upfront", Period.MONTH
    )
    assert "(upfront $5,256.00 + $0/h × 8,760 h) / 8,760 h = $0.600000/h" in text
    assert "$0.600000/h × 730 h/month = $438.00 per month" in text
    missing = explorer.price_calculation(catalog, "us-east-1", "m5.large", "spot")
    assert "not in snapshot" in missing


@pytest.mark.parametrize(
    "key",
    [
        "on_demand", "spot", "reserved_1y_standard_all_upfront",
        "reserved_3y_convertible_partial_upfront", "savings_plan_compute_1y_no_upfront",
        "savings_plan_ec2_instance_3y_all_upfront",
    ],
)
def test_option_round_trip(key):
    assert explorer.option_for_purchase(explorer.purchase_for_option(key)) == key


def test_option_label():
    assert explorer.option_label("reserved_1y_standard_all_upfront") == (
        "Reserved 1y standard all upfront"
    )
    assert explorer.option_label("on_demand") == "On-Demand"
    with pytest.raises(InputError):
        explorer.purchase_for_option("lease_forever")


@settings(max_examples=40, deadline=None)
@given(
    low=st.floats(0, 64), span=st.floats(0, 64),
    period=st.sampled_from(list(Period)), hours=st.floats(672, 744),
)
def test_prices_scale_with_period_and_respect_filters(catalog, low, span, period, hours):
    """Every listed type passes the filter; each price = hourly × period hours."""
    table = explorer.prices_side_by_side(
        catalog, "us-east-1", SpecFilter(min_vcpu=low, max_vcpu=low + span), period, hours
    )
    hourly = explorer.prices_side_by_side(
        catalog, "us-east-1", SpecFilter(min_vcpu=low, max_vcpu=low + span), Period.HOUR
    )
    assert ((table["vcpu"] >= low) & (table["vcpu"] <= low + span)).all()
    factor = {Period.HOUR: 1.0, Period.MONTH: hours, Period.YEAR: 12 * hours}[period]
    np.testing.assert_allclose(
        table["on_demand_usd"].to_numpy(float), hourly["on_demand_usd"].to_numpy(float) * factor
    )


def test_savings_plans_are_plan_options_and_their_price_sets_the_commitment(catalog) -> None:
    # the snapshot has on-demand rates only; the four savings plans are offered all the same
    options = explorer.plan_options(catalog, "us-east-1")
    assert options[0] == "on_demand"
    assert set(explorer.SAVINGS_PLAN_OPTIONS) <= set(options)
    assert explorer.purchase_for_option("savings_plan_ec2_instance_3y_no_upfront") == {
        "option": "savings_plan", "plan_type": "ec2_instance", "term_years": 3,
        "payment": "no_upfront"}
    assert "sets the hourly commitment" in explorer.price_override_label(
        "savings_plan_compute_1y_no_upfront")
    assert "commitment" not in explorer.price_override_label("reserved_1y_standard_all_upfront")
