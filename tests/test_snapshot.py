"""Validation of the shipped snapshot: coverage, provenance and facts checked by hand."""

from __future__ import annotations

import pytest

from planner.billing import PurchaseOption
from planner.catalog import load_catalog
from planner.catalog.query import compute_rate, instance_spec, spot_advice
from planner.catalog.schema import OPTIONAL_TABLES, TABLES

REQUIRED_FAMILIES = (
    "m5", "c5", "r5", "p3", "p3dn", "p4d", "p4de", "g4dn", "g4ad", "trn1", "trn1n", "inf1", "inf2",
    "p5", "p5e", "p5en", "g5", "g6", "g6e", "trn2",
)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_every_table_is_the_embedded_one(catalog) -> None:
    # A live refresh must not be committed: the shipped snapshot is what build_snapshot.py makes.
    assert set(TABLES) - OPTIONAL_TABLES <= set(catalog.tables) <= set(TABLES)
    assert {info.origin for info in catalog.tables.values()} == {"embedded"}


@pytest.mark.parametrize("family", REQUIRED_FAMILIES)
def test_every_required_family_has_specs(catalog, family: str) -> None:
    specs = catalog.instance_specs
    assert (specs["family"] == family).sum() >= 1


def test_every_m5_size_priced_on_demand_in_us_east_1(catalog) -> None:
    sizes = catalog.instance_specs.loc[catalog.instance_specs["family"] == "m5", "instance_type"]
    assert len(sizes) == 9  # large … 24xlarge + metal
    for itype in sizes:
        assert compute_rate(catalog, "us-east-1", itype, PurchaseOption.ON_DEMAND) is not None


def test_known_prices(catalog) -> None:
    # AWS Price List, us-east-1 Linux on-demand (generated 2026-07-20): p4d.24xlarge $21.957642/h,
    # p5.48xlarge $55.04/h, inf2.xlarge $0.7582/h (perf_facts.md quotes the same figures).
    p4d = compute_rate(catalog, "us-east-1", "p4d.24xlarge", PurchaseOption.ON_DEMAND)
    assert p4d is not None and p4d.hourly_usd == pytest.approx(21.957642)
    assert p4d.as_of == "2026-07-20"
    p5 = compute_rate(catalog, "us-east-1", "p5.48xlarge", PurchaseOption.ON_DEMAND)
    assert p5 is not None and p5.hourly_usd == pytest.approx(55.04)
    inf2 = compute_rate(catalog, "us-east-1", "inf2.xlarge", PurchaseOption.ON_DEMAND)
    assert inf2 is not None and inf2.hourly_usd == pytest.approx(0.7582)


def test_reserved_upfront_derivation(catalog) -> None:
    # m5.xlarge 1y Standard All Upfront: effective $0.112900/h (source) × 8,760 h = $989.00.
    rate = compute_rate(
        catalog, "us-east-1", "m5.xlarge", PurchaseOption.RESERVED,
        term_years=1, offering_class="standard", payment="all_upfront",
    )
    assert rate is not None
    assert rate.hourly_usd == 0
    assert rate.effective_hourly_usd == pytest.approx(0.1129)
    assert rate.upfront_usd == pytest.approx(989.00, abs=0.02)


def test_gaps_are_absent_not_guessed(catalog) -> None:
    # No convertible or no-upfront RIs, no savings plans, no 1-year p5 RI in the reference.
    rates = catalog.compute_rates
    assert not (rates["purchase_option"] == "savings_plan").any()
    assert not (rates["offering_class"] == "convertible").any()
    assert set(rates.loc[rates["purchase_option"] == "reserved", "payment_option"]) == {"all_upfront"}
    assert compute_rate(
        catalog, "us-east-1", "p5.48xlarge", PurchaseOption.RESERVED,
        term_years=1, offering_class="standard", payment="all_upfront",
    ) is None
    storage = catalog.storage_rates
    assert not storage["storage_class"].isin(["snapshot", "snapshot_archive"]).any()


def test_accelerator_specs_join(catalog) -> None:
    chips = set(catalog.accelerators["accelerator"])
    ml = catalog.instance_specs[catalog.instance_specs["family"].isin(
        ["p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "g4dn", "g5", "g6", "g6e", "trn1",
         "trn1n", "trn2", "inf1", "inf2"])]
    assert set(ml["accelerator"]) <= chips
    spec = instance_spec(catalog, "p4de.24xlarge")
    assert spec.accelerator == "NVIDIA A100 80GB SXM"
    assert spec.accelerator_count == 8
    assert spec.accelerator_memory_gib_total == 640


def test_spot_advisor_row(catalog) -> None:
    # Spot Advisor feed (2025-06-28), us-east-1 Linux p4d.24xlarge: 67 % saving, "10-15%".
    advice = spot_advice(catalog, "us-east-1", "p4d.24xlarge")
    assert advice is not None
    assert advice.savings_pct_vs_on_demand == 67
    assert advice.interruption_bucket == "10-15%"
    assert spot_advice(catalog, "ca-central-1", "p5.48xlarge") is None  # the -62 % row left out


def test_reserved_all_upfront_cheaper_than_on_demand_everywhere(catalog) -> None:
    rates = catalog.compute_rates
    od = rates[rates["purchase_option"] == "on_demand"].set_index(["region", "instance_type"])
    ri = rates[rates["purchase_option"] == "reserved"].set_index(["region", "instance_type"])
    joined = ri.join(od["hourly_usd"].rename("od"), how="inner")
    assert len(joined) > 1000
    assert (joined["effective_hourly_usd"] < joined["od"]).all()


def test_s3_standard_tiers_us_east_1(catalog) -> None:
    frame = catalog.storage_rates
    tiers = frame[(frame["region"] == "us-east-1") & (frame["service"] == "s3")
                  & (frame["storage_class"] == "standard")
                  & (frame["dimension"] == "storage")].sort_values("tier_begin")
    # First 50 TB $0.023, next 450 TB $0.022, over 500 TB $0.021; 1 TB = 1,024 GB.
    assert list(tiers["tier_begin"]) == [0, 51200, 512000]
    assert list(tiers["price_usd"]) == [0.023, 0.022, 0.021]
