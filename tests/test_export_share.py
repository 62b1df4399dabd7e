"""CSV/JSON export and share links."""

from __future__ import annotations

import csv
import io
import json

import pytest

from planner.costing import cost_plan
from planner.csvsafe import neutralise
from planner.errors import PlanFileError
from planner.export import plan_cost_dict, plan_csv
from planner.plan import plan_from_dict
from planner.share import MAX_TOKEN_CHARS, decode_plan, encode_plan
from tests.catalog_fixtures import AS_OF, SOURCE, make_catalog, on_demand, spec_row, storage_row

R = "us-east-1"
CATALOG = make_catalog(
    instance_specs=[spec_row("m5.xlarge", 4, 16)],
    compute_rates=[on_demand(R, "m5.xlarge", 0.192)],
    storage_rates=[storage_row("s3", "standard", "storage", 0.023, region=R, tier_end=51200),
                   storage_row("s3", "standard", "storage", 0.022, region=R, tier_begin=51200)],
)
PLAN = plan_from_dict({
    "name": "=HYPERLINK(\"x\")", "region": R, "duration_months": 12,
    "items": [
        {"kind": "compute", "name": "-api", "instance_type": "m5.xlarge", "count": 2},
        {"kind": "s3", "name": "data", "gb_month": 1000},
    ],
})


def test_csv_rows_totals_and_neutralised_cells() -> None:
    # compute: 2 × 730 h × $0.192 = $280.32/month; S3: 1,000 GB × $0.023 = $23.00/month.
    # monthly total 303.32; duration (12 months) 3,639.84.
    cost = cost_plan(PLAN, CATALOG)
    rows = list(csv.DictReader(io.StringIO(plan_csv(cost))))
    lines = [r for r in rows if r["item"] not in ("TOTAL", "MONTH")]
    totals = {r["dimension"]: r for r in rows if r["item"] == "TOTAL"}
    assert [r["item"] for r in lines] == ["'-api", "data"]
    assert rows[0]["plan"] == "'=HYPERLINK(\"x\")"
    assert float(lines[0]["monthly_usd"]) == pytest.approx(280.32)
    assert float(lines[0]["unit_price_usd"]) == pytest.approx(0.192)
    assert lines[0]["as_of"] == AS_OF and lines[0]["source"] == SOURCE
    # every total in the same column, to the cent; the money columns of TOTAL rows stay empty, so
    # summing monthly_usd down the file gives 280.32 + 23.00 = 303.32 (not twice that)
    assert totals["monthly_usd"]["quantity"] == "303.32"
    assert totals["duration_total_usd"]["quantity"] == "3639.84"
    assert {r["monthly_usd"] for r in totals.values()} == {""}
    assert {r["upfront_usd"] for r in totals.values()} == {""}
    assert sum(float(r["monthly_usd"] or 0) for r in rows) == pytest.approx(303.32)
    # each line over the plan: $280.32 × 12 = $3,363.84 in months 1-12; summing total_usd down
    # the file gives the duration total 3,363.84 + 276.00 = 3,639.84
    assert float(lines[0]["total_usd"]) == pytest.approx(3363.84)
    assert (lines[0]["first_month"], lines[0]["last_month"]) == ("1", "12")
    assert sum(float(r["total_usd"] or 0) for r in rows) == pytest.approx(3639.84)
    months = [r for r in rows if r["item"] == "MONTH"]
    assert [r["dimension"] for r in months] == [f"month {n}" for n in range(1, 13)]
    assert {r["quantity"] for r in months} == {"303.32"}


def test_csv_money_has_no_float_noise() -> None:
    # 1 × 123.7 h × $0.192 = $23.7504 a month: 23.750400000000003 in floating point, written
    # 23.7504 (a millionth of a dollar kept); the monthly total to the cent, 23.75
    plan = plan_from_dict({"name": "p", "region": R, "items": [
        {"kind": "compute", "name": "api", "instance_type": "m5.xlarge",
         "usage_hours_per_month": 123.7}]})
    cost = cost_plan(plan, CATALOG)
    assert repr(cost.line_items[0].monthly_usd) == "23.750400000000003"
    rows = list(csv.DictReader(io.StringIO(plan_csv(cost))))
    assert rows[0]["monthly_usd"] == "23.7504"
    assert next(r for r in rows if r["dimension"] == "monthly_usd")["quantity"] == "23.75"
    assert rows[0]["unit_price_usd"] == "0.192"


def test_csv_keeps_full_precision_of_a_blended_unit_price() -> None:
    # 60,000 GB of S3 Standard: 51,200 × $0.023 + 8,800 × $0.022 = 1,177.60 + 193.60 = $1,371.20,
    # a blended $0.0228533…/GB. Rounded to 6 decimals, 0.022853 × 60,000 would give $1,371.18.
    plan = plan_from_dict({"name": "p", "region": R,
                           "items": [{"kind": "s3", "name": "data", "gb_month": 60000}]})
    rows = list(csv.DictReader(io.StringIO(plan_csv(cost_plan(plan, CATALOG)))))
    line = rows[0]
    assert float(line["monthly_usd"]) == pytest.approx(1371.20)
    assert float(line["quantity"]) * float(line["unit_price_usd"]) == pytest.approx(1371.20, abs=1e-9)


def test_json_shape() -> None:
    data = json.loads(json.dumps(plan_cost_dict(cost_plan(PLAN, CATALOG))))
    assert set(data) == {"plan", "line_items", "totals", "months"}
    # 12 months of $303.32 (see the CSV test)
    assert [m["month"] for m in data["months"]] == list(range(1, 13))
    assert data["months"][0]["usd"] == pytest.approx(303.32)
    line = data["line_items"][0]
    for key in ("item", "dimension", "quantity", "unit", "unit_price_usd", "as_of", "source",
                "upfront_usd", "monthly_usd"):
        assert key in line
    for key in ("upfront_usd", "monthly_usd", "first_year_usd", "duration_total_usd",
                "on_demand_equivalent_usd"):
        assert key in data["totals"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_formula_like_cells_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert neutralise(-1.5) == -1.5


def test_share_round_trip() -> None:
    token = encode_plan(PLAN)
    assert decode_plan(token) == PLAN
    assert len(token) < 600


@pytest.mark.parametrize("token", ["", "!!!", "eJzLSM3JyVcozy/KSQEAGgQEXQ", "A" * 10])
def test_bad_tokens(token: str) -> None:
    with pytest.raises(PlanFileError, match="share link"):
        decode_plan(token)


def test_oversized_token_refused() -> None:
    with pytest.raises(PlanFileError, match="token must be 1 to"):
        decode_plan("A" * (MAX_TOKEN_CHARS + 1))


def test_zip_bomb_refused() -> None:
    import base64
    import zlib

    bomb = base64.urlsafe_b64encode(zlib.compress(b" " * 1_000_000, 9)).decode().rstrip("=")
    with pytest.raises(PlanFileError, match="larger than"):
        decode_plan(bomb)


def test_share_link_validates_the_plan() -> None:
    import base64
    import zlib

    bad = {"name": "x", "items": [{"kind": "compute", "name": "a", "instance_type": "m5.large",
                                   "count": -1}]}
    token = base64.urlsafe_b64encode(zlib.compress(json.dumps(bad).encode())).decode()
    with pytest.raises(PlanFileError, match=r"items\[0\].count"):
        decode_plan(token)
