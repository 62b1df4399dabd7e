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
    # No savings plans, no 1-year p5 Standard RI, no Convertible or No Upfront RI for m5/p3 in the
    # reference: absent, never filled.
    rates = catalog.compute_rates
    assert not (rates["purchase_option"] == "savings_plan").any()
    assert compute_rate(
        catalog, "us-east-1", "p5.48xlarge", PurchaseOption.RESERVED,
        term_years=1, offering_class="standard", payment="all_upfront",
    ) is None
    for itype in ("m5.xlarge", "p3.2xlarge"):
        assert compute_rate(
            catalog, "us-east-1", itype, PurchaseOption.RESERVED,
            term_years=1, offering_class="convertible", payment="no_upfront",
        ) is None
    storage = catalog.storage_rates
    assert set(storage.loc[storage["storage_class"].isin(["snapshot", "snapshot_archive"]), "region"]) == {
        "us-east-1"}


def test_more_reserved_variants_hand_known(catalog) -> None:
    # Vantage raw records (2025-11-30), us-east-1 p4d.24xlarge effective $/h (SOURCES.md):
    # Convertible 1y AU/PU/NU 15.591667/15.909819/16.705312; Standard 1y NU 13.921094; 3y NU 9.374219.
    def rate(years: int, cls: str, payment: str):
        return compute_rate(catalog, "us-east-1", "p4d.24xlarge", PurchaseOption.RESERVED,
                            term_years=years, offering_class=cls, payment=payment)

    nu = rate(1, "standard", "no_upfront")
    assert nu is not None and (nu.upfront_usd, nu.hourly_usd) == (0, 13.921094)
    assert rate(3, "standard", "no_upfront").effective_hourly_usd == 9.374219
    cau = rate(1, "convertible", "all_upfront")
    # upfront derived: 15.591667 × 8,760 = 136,583.00 (rounded to cents); no hourly fee
    assert cau is not None and cau.upfront_usd == pytest.approx(136583.0, abs=0.01) and cau.hourly_usd == 0
    assert rate(1, "convertible", "no_upfront").hourly_usd == 16.705312
    assert cau.as_of == "2025-11-30"


def test_partial_upfront_split_is_unknown_not_guessed(catalog) -> None:
    rates = catalog.compute_rates
    row = rates[(rates["region"] == "us-east-1") & (rates["instance_type"] == "p4d.24xlarge")
                & (rates["offering_class"] == "convertible") & (rates["term_years"] == 1)
                & (rates["payment_option"] == "partial_upfront")]
    assert len(row) == 1
    assert row["effective_hourly_usd"].iloc[0] == 15.909819
    assert row["upfront_usd"].isna().all() and row["hourly_usd"].isna().all()
    # the look-up used for billing cannot split it, so it reports the rate as missing
    assert compute_rate(
        catalog, "us-east-1", "p4d.24xlarge", PurchaseOption.RESERVED,
        term_years=1, offering_class="convertible", payment="partial_upfront",
    ) is None
    split_unknown = rates["upfront_usd"].isna()
    assert set(rates.loc[split_unknown, "payment_option"]) == {"partial_upfront"}


def test_newer_spot_advisor_replaces_the_older_row(catalog) -> None:
    # GPU types come from the 2025-11-30 feed; CPU types keep the 2025-06-28 feed.
    p4d = spot_advice(catalog, "us-east-1", "p4d.24xlarge")
    m5 = spot_advice(catalog, "us-east-1", "m5.xlarge")
    assert p4d is not None and p4d.as_of == "2025-11-30"
    assert m5 is not None and m5.as_of == "2025-06-28"


def test_ebs_by_region_hand_known(catalog) -> None:
    from planner.catalog.query import storage_rates

    # cloudkeep GetProducts copy (2022-02-10): eu-west-1 gp3 $0.088/GB-month; throughput
    # 45.056 per GiBps-month / 1,024 = $0.044 per MiBps-month above the free 125 MiB/s.
    gp3 = storage_rates(catalog, "eu-west-1", "ebs", "gp3", "storage")
    assert [(r.price_usd, r.as_of) for r in gp3] == [(0.088, "2022-02-10")]
    tp = storage_rates(catalog, "eu-west-1", "ebs", "gp3", "throughput")
    assert [(r.tier_begin, r.price_usd) for r in tp] == [(125, pytest.approx(0.044))]
    io2 = storage_rates(catalog, "us-east-1", "ebs", "io2", "iops")
    assert [(r.tier_begin, r.price_usd) for r in io2] == [(0, 0.065), (32000, 0.0455), (64000, 0.03185)]
    storage = catalog.storage_rates
    assert storage.loc[storage["service"] == "ebs", "region"].nunique() == 24


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
    # Spot Advisor feed via Vantage (2025-11-30), us-east-1 Linux p4d.24xlarge: 58 % saving,
    # ">20%" (the 2025-06-28 feed said 67 %, "10-15%": the newer row wins).
    advice = spot_advice(catalog, "us-east-1", "p4d.24xlarge")
    assert advice is not None
    assert advice.savings_pct_vs_on_demand == 58
    assert advice.interruption_bucket == ">20%"
    # the 2025-06 feed's impossible -62 % row for ca-central-1 p5.48xlarge is left out; the
    # 2025-11 feed's row (0 %, "<5%") stands in its place
    ca = spot_advice(catalog, "ca-central-1", "p5.48xlarge")
    assert ca is not None and (ca.savings_pct_vs_on_demand, ca.as_of) == (0, "2025-11-30")


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
