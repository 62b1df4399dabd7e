"""S3 lifecycle cohort simulation: hand-worked months on a tiny catalog, baselines, invariants.

D = 730 h / 24 = 30.41667 days per month; a cohort arrives on day 0 of its month, so its age in
month k (0-based) spans [k·D, (k+1)·D) days. 1 GB = 1,048,576 KB.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.catalog.query import storage_rates
from planner.costing import cost_plan
from planner.errors import PlanFileError
from planner.plan import plan_from_dict
from planner.pricing.tiers import tiered_cost, tiered_costs
from planner.savings.s3_lifecycle import MONTHLY_COLUMNS, monthly_csv, plan_items, simulate_s3_lifecycle
from planner.savings.s3_policy import policy_from_dict
from tests.catalog_fixtures import make_catalog, storage_row

R = "r1"


def _rates(*rows: tuple[str, str, float]) -> list[dict[str, object]]:
    return [storage_row("s3", cls, dim, price, region=R) for cls, dim, price in rows]


BASE = _rates(
    ("standard", "storage", 0.02),
    ("standard", "requests_put", 0.005),
    ("standard", "requests_get", 0.0004),
    ("standard_ia", "storage", 0.01),
    ("standard_ia", "transition_requests", 0.01),
    ("standard_ia", "requests_get", 0.001),
    ("standard_ia", "retrieval_gb", 0.01),
    ("glacier_flexible", "storage", 0.004),
    ("glacier_flexible", "transition_requests", 0.03),
)
IT = _rates(
    ("intelligent_tiering", "storage", 0.02),
    ("intelligent_tiering", "infrequent_storage", 0.01),
    ("intelligent_tiering", "archive_instant_storage", 0.004),
    ("intelligent_tiering", "monitoring", 0.0025),
    ("intelligent_tiering", "requests_put", 0.005),
    ("intelligent_tiering", "requests_get", 0.0004),
)
FULL = [
    *BASE, *IT,
    *_rates(
        ("onezone_ia", "storage", 0.008), ("onezone_ia", "transition_requests", 0.01),
        ("onezone_ia", "requests_get", 0.001), ("onezone_ia", "retrieval_gb", 0.01),
        ("glacier_ir", "storage", 0.004), ("glacier_ir", "transition_requests", 0.02),
        ("glacier_ir", "requests_get", 0.01), ("glacier_ir", "retrieval_gb", 0.03),
        ("glacier_flexible", "requests_get", 0.0004),
        ("glacier_flexible", "retrieval_gb_standard", 0.01),
        ("glacier_flexible", "retrieval_requests_standard", 0.05),
        ("deep_archive", "storage", 0.00099), ("deep_archive", "transition_requests", 0.05),
        ("deep_archive", "requests_get", 0.0004),
        ("deep_archive", "retrieval_gb_standard", 0.02),
        ("deep_archive", "retrieval_requests_standard", 0.1),
    ),
]


def _policy(months: int, ingest: object, rules: dict[str, int], **dataset: object) -> object:
    ds = {"monthly_ingest_gb": ingest, "average_object_kb": 1024, "rules": rules, **dataset}
    return policy_from_dict({"region": R, "months": months, "datasets": [ds]})


def _cost(result: object, scenario: str, month: int, cls: str, component: str) -> float:
    b = result.breakdown  # type: ignore[attr-defined]
    rows = b[(b.scenario == scenario) & (b.month == month) & (b.storage_class == cls)
             & (b.component == component)]
    return float(rows.usd.sum())


def test_cohort_standard_to_ia_to_glacier_with_transition_fees_and_early_deletion() -> None:
    # 1,000 GB of 1,024 KB objects = 1,000 × 1,048,576 / 1,024 = 1,024,000 objects, month 1 only.
    # Rules: Standard-IA at day 30, Glacier Flexible at day 45 (so only 15 days in IA, < 30).
    catalog = make_catalog(storage_rates=BASE)
    policy = _policy(3, [1000, 0, 0], {"standard_ia_days": 30, "glacier_flexible_days": 45})
    r = simulate_s3_lifecycle(catalog, policy)
    lc = "lifecycle"
    # month 1, ages [0, 30.41667): Standard 30 d = 30/30.41667 = 0.986301 month × 1,000 × 0.02
    assert _cost(r, lc, 1, "standard", "storage") == pytest.approx(19.726027, rel=1e-6)
    # Standard-IA for the last 0.41667 d: 0.41667/30.41667 = 0.0136986 × 1,000 × 0.01
    assert _cost(r, lc, 1, "standard_ia", "storage") == pytest.approx(0.136986, rel=1e-5)
    # transition to IA in month 1: 1,024,000 / 1,000 × $0.01 = $10.24
    assert _cost(r, lc, 1, "standard_ia", "transition") == pytest.approx(10.24)
    # PUTs: 1,024 thousand × $0.005 = $5.12
    assert _cost(r, lc, 1, "standard", "put_requests") == pytest.approx(5.12)
    # month 2, ages [30.41667, 60.8333): IA until day 45: 14.58333 d = 0.479452 × 10
    assert _cost(r, lc, 2, "standard_ia", "storage") == pytest.approx(4.794521, rel=1e-6)
    # early deletion: left IA after 15 d, minimum 30 → 15 d = 0.493151 month × 1,000 × 0.01
    assert _cost(r, lc, 2, "standard_ia", "early_delete") == pytest.approx(4.931507, rel=1e-6)
    # Glacier Flexible from day 45: 15.8333 d = 0.520548 × 1,000 × 0.004
    assert _cost(r, lc, 2, "glacier_flexible", "storage") == pytest.approx(2.082192, rel=1e-6)
    # transition to Glacier: 1,024 thousand × $0.03 = $30.72
    assert _cost(r, lc, 2, "glacier_flexible", "transition") == pytest.approx(30.72)
    # per-object overhead: 1,024,000 × 0.520548 = 533,041.1 object-months;
    # 32 KB each at the Glacier rate: 533,041.1 × 32 / 1,048,576 = 16.26712 GB × 0.004 = 0.065068
    assert _cost(r, lc, 2, "glacier_flexible", "overhead") == pytest.approx(0.0650685, rel=1e-5)
    # 8 KB each at the Standard rate: 4.066781 GB × 0.02 = 0.0813356
    assert _cost(r, lc, 2, "standard", "overhead") == pytest.approx(0.0813356, rel=1e-5)
    # month 3: Glacier all month 1,000 × 0.004 = 4.00; overhead 31.25 GB × 0.004 + 7.8125 × 0.02
    assert r.monthly.lifecycle_usd[2] == pytest.approx(4.0 + 0.125 + 0.15625)
    total_m1 = 19.726027 + 0.136986 + 10.24 + 5.12
    assert r.monthly.lifecycle_usd[0] == pytest.approx(total_m1, rel=1e-6)
    total_m2 = 4.794521 + 4.931507 + 2.082192 + 30.72 + 0.0650685 + 0.0813356
    assert r.monthly.lifecycle_usd[1] == pytest.approx(total_m2, rel=1e-6)
    # all-Standard: 1,000 GB × 0.02 = $20 a month, plus the $5.12 of PUTs in month 1
    assert list(r.monthly.all_standard_usd) == pytest.approx([25.12, 20.0, 20.0])
    # cumulative savings after 3 months: 65.12 − (35.223013 + 42.674624 + 4.28125)
    saving = 65.12 - (total_m1 + total_m2 + 4.28125)
    assert r.monthly.savings_vs_standard_cumulative_usd.iloc[-1] == pytest.approx(saving, rel=1e-6)


def test_missing_intelligent_tiering_prices_are_reported_not_guessed() -> None:
    r = simulate_s3_lifecycle(make_catalog(storage_rates=BASE), _policy(2, 100, {}))
    assert "intelligent_tiering.storage" in r.missing
    assert "intelligent_tiering.monitoring" in r.missing
    assert math.isnan(r.monthly.intelligent_tiering_usd[0])
    assert r.totals()["intelligent_tiering"] is None
    assert r.totals()["all_standard"] is not None
    assert any("not in snapshot" in note for note in r.notes)


def test_override_completes_a_missing_price_and_is_marked() -> None:
    dims = ("storage", "infrequent_storage", "monitoring", "requests_put")
    prices = {f"intelligent_tiering.{d}": 0.0 for d in dims}
    policy = policy_from_dict({
        "region": R, "months": 1, "unit_prices": prices,
        "datasets": [{"monthly_ingest_gb": 100, "average_object_kb": 1024}],
    })
    r = simulate_s3_lifecycle(make_catalog(storage_rates=BASE), policy)
    assert r.missing == ()
    used = {f"{p.storage_class}.{p.dimension}": p for p in r.prices}
    assert used["intelligent_tiering.storage"].source == "override"
    assert r.monthly.intelligent_tiering_usd[0] == 0.0


def test_intelligent_tiering_tiers_by_access_age_and_charges_monitoring() -> None:
    catalog = make_catalog(storage_rates=BASE + IT)
    r = simulate_s3_lifecycle(catalog, _policy(4, [1000, 0, 0, 0], {}))
    it = "intelligent_tiering"
    # month 1: frequent 30 d (0.986301 × 1,000 × 0.02) + infrequent 0.41667 d (0.0136986 × 10)
    #          + monitoring 1,024 thousand objects × $0.0025 + PUT 1,024 × $0.005
    month1 = 19.726027 + 0.136986 + 2.56 + 5.12
    assert r.monthly.intelligent_tiering_usd[0] == pytest.approx(month1, rel=1e-6)
    # month 2, ages [30.4, 60.8): infrequent all month 1,000 × 0.01 + monitoring 2.56
    assert r.monthly.intelligent_tiering_usd[1] == pytest.approx(12.56)
    # month 3, ages [60.8, 91.25): infrequent to day 90 = 29.1667 d = 0.958904 × 10;
    # archive instant 1.25 d = 0.0410959 × 1,000 × 0.004 = 0.164384
    assert _cost(r, it, 3, it, "storage") == pytest.approx(9.589041 + 0.164384, rel=1e-6)
    # month 4: archive instant all month 1,000 × 0.004 = 4.00 + monitoring 2.56
    assert r.monthly.intelligent_tiering_usd[3] == pytest.approx(6.56)


def test_small_objects_are_not_transitioned_by_default() -> None:
    catalog = make_catalog(storage_rates=BASE)
    policy = _policy(2, [1000, 0], {"standard_ia_days": 30}, average_object_kb=64)
    r = simulate_s3_lifecycle(catalog, policy)
    assert any("128 KB" in note for note in r.notes)
    # stays in Standard: same as the all-Standard baseline
    assert list(r.monthly.lifecycle_usd) == pytest.approx(list(r.monthly.all_standard_usd))


def test_minimum_object_size_charge_when_small_objects_are_transitioned() -> None:
    catalog = make_catalog(storage_rates=BASE)
    policy = _policy(
        2, [1000, 0], {"standard_ia_days": 30}, average_object_kb=64,
        transition_small_objects=True,
    )
    r = simulate_s3_lifecycle(catalog, policy)
    # month 2: IA all month, 1,000 GB × 0.01 = $10; billed as 128 KB per 64 KB object → another
    # (128 / 64 − 1) × 1,000 GB × 0.01 = $10
    assert _cost(r, "lifecycle", 2, "standard_ia", "storage") == pytest.approx(10.0)
    assert _cost(r, "lifecycle", 2, "standard_ia", "min_size") == pytest.approx(10.0)


def test_reads_pay_get_requests_and_retrieval_per_gb() -> None:
    catalog = make_catalog(storage_rates=BASE)
    policy = _policy(
        2, [1000, 0], {"standard_ia_days": 30}, read_pct_per_month={"standard_ia": 10}
    )
    r = simulate_s3_lifecycle(catalog, policy)
    # month 2: 1,000 GB-month in IA, 10 % read = 100 GB × $0.01 = $1.00 retrieval;
    # 100 GB × 1,024 objects/GB = 102,400 GETs = 102.4 thousand × $0.001 = $0.1024
    assert _cost(r, "lifecycle", 2, "standard_ia", "retrieval") == pytest.approx(1.0)
    assert _cost(r, "lifecycle", 2, "standard_ia", "get_requests") == pytest.approx(0.1024)
    # the same reads from Standard cost GETs only: 102.4 × $0.0004 = $0.04096
    assert _cost(r, "all_standard", 2, "standard", "get_requests") == pytest.approx(0.04096)


def test_volume_tiers_match_the_scalar_tier_rule() -> None:
    tiers = [
        storage_row("s3", "standard", "storage", 0.023, region=R, tier_end=51200),
        storage_row("s3", "standard", "storage", 0.022, region=R, tier_begin=51200, tier_end=512000),
        storage_row("s3", "standard", "storage", 0.021, region=R, tier_begin=512000),
    ]
    records = storage_rates(make_catalog(storage_rates=tiers), R, "s3", "standard", "storage")
    q = np.array([0.0, 60_000.0, 600_000.0])
    # 60,000 GB = 51,200 × 0.023 + 8,800 × 0.022 = 1,177.60 + 193.60 = 1,371.20
    got = tiered_costs(q, records)
    assert got[1] == pytest.approx(1371.20)
    assert list(got) == pytest.approx([tiered_cost(float(x), records) for x in q])


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"standard_ia_days": 10}, "datasets[0].rules.standard_ia_days"),
        ({"standard_ia_days": 60, "glacier_ir_days": 40}, "glacier_ir_days"),
        ({"glacier_ir_days": 90, "expire_days": 90}, "expire_days"),
    ],
)
def test_bad_rules_name_the_field(rules: dict[str, int], field: str) -> None:
    with pytest.raises(PlanFileError, match=field.replace("[", r"\[").replace("]", r"\]")):
        _policy(3, 10, rules)


def test_ingest_list_must_cover_the_horizon() -> None:
    with pytest.raises(PlanFileError, match="monthly_ingest_gb"):
        _policy(3, [1, 2], {})


def test_object_size_or_count_exactly_one() -> None:
    with pytest.raises(PlanFileError, match="objects_per_month or average_object_kb"):
        policy_from_dict({"region": R, "months": 2, "datasets": [{"monthly_ingest_gb": 1}]})


def test_objects_per_month_gives_the_average_size() -> None:
    # 1 GB and 8,192 objects a month → 1,048,576 / 8,192 = 128 KB per object: min-size free
    catalog = make_catalog(storage_rates=BASE)
    policy = policy_from_dict({"region": R, "months": 2, "datasets": [{
        "monthly_ingest_gb": [1, 0], "objects_per_month": [8192, 0],
        "rules": {"standard_ia_days": 30},
    }]})
    r = simulate_s3_lifecycle(catalog, policy)
    assert _cost(r, "lifecycle", 2, "standard_ia", "min_size") == 0.0
    # transition: 8.192 thousand × $0.01
    assert _cost(r, "lifecycle", 1, "standard_ia", "transition") == pytest.approx(0.08192)


_day = st.one_of(st.none(), st.integers(min_value=0, max_value=2000))


@settings(max_examples=60, deadline=None)
@given(
    ia=st.one_of(st.none(), st.integers(min_value=30, max_value=400)),
    zia=_day, gir=_day, gfl=_day, gda=_day,
    expire=st.one_of(st.none(), st.integers(min_value=1, max_value=3000)),
    ingest=st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=24),
    object_kb=st.floats(min_value=1, max_value=1e6),
    read=st.floats(min_value=0, max_value=100),
)
def test_cumulative_costs_never_decrease(
    ia: int | None, zia: int | None, gir: int | None, gfl: int | None, gda: int | None,
    expire: int | None, ingest: list[float], object_kb: float, read: float,
) -> None:
    days = {"standard_ia_days": ia, "onezone_ia_days": zia, "glacier_ir_days": gir,
            "glacier_flexible_days": gfl, "deep_archive_days": gda}
    rules: dict[str, int] = {}
    last = -1
    for name, value in days.items():  # keep the waterfall order valid
        if value is not None and value > last and (name != "onezone_ia_days" or value >= 30):
            rules[name] = value
            last = value
    if expire is not None and expire > last:
        rules["expire_days"] = expire
    policy = policy_from_dict({"region": R, "months": len(ingest), "datasets": [{
        "monthly_ingest_gb": ingest, "average_object_kb": object_kb, "rules": rules,
        "transition_small_objects": True,
        "read_pct_per_month": dict.fromkeys(
            ("standard", "standard_ia", "onezone_ia", "glacier_ir", "glacier_flexible",
             "deep_archive"), read),
    }]})
    r = simulate_s3_lifecycle(make_catalog(storage_rates=FULL), policy)
    assert r.missing == ()
    for scenario in ("lifecycle", "all_standard", "intelligent_tiering"):
        cumulative = r.monthly[f"{scenario}_cumulative_usd"].to_numpy()
        assert np.all(np.diff(cumulative) >= -1e-9)
        assert np.all(r.monthly[f"{scenario}_usd"].to_numpy() >= 0)


def test_shipped_snapshot_runs_for_us_east_1() -> None:
    from planner.catalog.loader import load_catalog

    policy = policy_from_dict({"region": "us-east-1", "months": 24, "datasets": [{
        "monthly_ingest_gb": 5000, "average_object_kb": 2048,
        "rules": {"standard_ia_days": 30, "glacier_ir_days": 90, "deep_archive_days": 180,
                  "expire_days": 730},
    }]})
    r = simulate_s3_lifecycle(load_catalog(), policy)
    assert r.missing == ()
    totals = r.totals()
    assert totals["lifecycle"] is not None and totals["all_standard"] is not None
    assert totals["lifecycle"] < totals["all_standard"]


def test_data_stored_on_day_one_ages_like_the_first_month_but_pays_no_puts() -> None:
    # 1,000 GB already stored on day one is the month-1 cohort of the first test without its
    # PUTs: month 1 = 19.726027 (Standard) + 0.136986 (IA) + 10.24 (transition) = 30.103013;
    # months 2 and 3 as there. All-Standard: 1,000 GB × 0.02 = $20 every month, no PUTs.
    catalog = make_catalog(storage_rates=BASE)
    rules = {"standard_ia_days": 30, "glacier_flexible_days": 45}
    written = simulate_s3_lifecycle(catalog, _policy(3, [1000, 0, 0], rules))
    stored = simulate_s3_lifecycle(catalog, _policy(3, 0, rules, initial_gb=1000))
    assert stored.monthly.lifecycle_usd[0] == pytest.approx(30.103013, rel=1e-6)
    assert list(stored.monthly.lifecycle_usd[1:]) == pytest.approx(
        list(written.monthly.lifecycle_usd[1:]))
    assert list(stored.monthly.all_standard_usd) == pytest.approx([20.0, 20.0, 20.0])
    assert _cost(stored, "lifecycle", 1, "standard", "put_requests") == 0.0


def test_day_one_data_adds_to_the_monthly_ingest() -> None:
    # 100 GB a month plus 500 GB on day one, all Standard: month m holds 500 + 100·m GB, so
    # 600, 700 GB × $0.02 = $12, $14, plus the month's PUTs: 100 GB × 1,024 objects/GB = 102,400
    # objects = 102.4 thousand × $0.005 = $0.512 each month (the day-one data pays none).
    r = simulate_s3_lifecycle(make_catalog(storage_rates=BASE), _policy(2, 100, {}, initial_gb=500))
    assert list(r.monthly.all_standard_usd) == pytest.approx([12.512, 14.512])


def test_initial_gb_out_of_range_names_the_field() -> None:
    with pytest.raises(PlanFileError, match="initial_gb"):
        _policy(3, 0, {}, initial_gb=-1)


def test_plan_items_hold_the_average_storage_by_class() -> None:
    # 1,000 GB on day one, Standard-IA from day 30, 3 months, 1,024 objects per GB:
    # Standard holds 30/30.41667 × 1,000 = 986.3014 GB in month 1 and none after: 328.7671 on
    # average; Standard-IA 13.6986 + 1,000 + 1,000 = 2,013.6986 → 671.2329 on average.
    r = simulate_s3_lifecycle(
        make_catalog(storage_rates=BASE),
        _policy(3, 0, {"standard_ia_days": 30}, initial_gb=1000, name="logs"),
    )
    items = {item["storage_class"]: item for item in plan_items(r)}
    assert set(items) == {"standard", "standard_ia"}
    assert items["standard"]["name"] == "logs · S3 Standard"
    assert items["standard_ia"]["name"] == "logs · S3 Standard-IA"
    assert items["standard"]["gb_month"] == pytest.approx(328.7671, rel=1e-6)
    assert items["standard_ia"]["gb_month"] == pytest.approx(671.2329, rel=1e-6)
    assert items["standard_ia"]["object_count"] == pytest.approx(671.2329 * 1024, rel=1e-6)
    # they make a valid plan: its storage bill is 328.7671 × 0.02 + 671.2329 × 0.01 = $13.2877
    plan = plan_from_dict({"name": "p", "region": R, "items": list(items.values())})
    cost = cost_plan(plan, make_catalog(storage_rates=BASE))
    assert cost.totals.complete
    assert cost.totals.monthly_usd == pytest.approx(13.287671, rel=1e-6)


def test_monthly_csv_has_one_row_per_month() -> None:
    r = simulate_s3_lifecycle(make_catalog(storage_rates=BASE), _policy(2, 0, {}, initial_gb=1000))
    rows = list(csv.DictReader(io.StringIO(monthly_csv(r))))
    assert tuple(rows[0]) == MONTHLY_COLUMNS
    # all Standard: 1,000 GB × $0.02 = $20 a month; Intelligent-Tiering is not priced: empty
    assert [float(row["all_standard_usd"]) for row in rows] == [20.0, 20.0]
    assert rows[0]["intelligent_tiering_usd"] == ""
