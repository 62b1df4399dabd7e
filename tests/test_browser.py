"""The app in a real browser: headless Chromium (Playwright) against ``streamlit run``.

Opens every page, fills the workload form, adds a row to the plan, downloads the CSV and checks
its rows and totals, opens the share link in a fresh browser context and checks the same totals,
and saves a screenshot of each page under ``artifacts/screenshots/`` (printed). With the plan
store (a SQLite file of its own): a changed plan survives a reload, two plans grouped in an
estimate survive a reload, and the estimate's link opens it in a fresh browser context.

Without /usr/bin/chromium the test is skipped, except with ``CI=true`` where it fails.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import live_app
from tests.live_app import CHROMIUM_ARGS, streamlit_server

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(live_app.CHROMIUM)
SHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1440, "height": 900}
PAGES = {
    "workload_planner": "Workload planner",
    "instance_explorer": "Instance explorer",
    "storage": "Storage",
    "right_sizing": "Right-sizing",
    "lifecycle_savings": "Lifecycle savings",
    "plans_export": "Plans & export",
    "saved_plans": "Saved plans",
    "price_data": "Price data",
}
RUN_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium and chromium-driver (apt)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    store = tmp_path_factory.mktemp("browser-store") / "plans.db"
    with streamlit_server(ROOT / "streamlit_app.py", ROOT / "artifacts" / "streamlit-server.log",
                          env={"PLANNER_DB_URL": f"sqlite:///{store}"}) as (base, _):
        yield base


@pytest.fixture(scope="module")
def browser(server: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _settle(page) -> None:
    """Wait until the script run finished (the running indicator is gone)."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached",
                           timeout=RUN_TIMEOUT_MS)
    page.wait_for_timeout(200)


def _metrics(page) -> dict[str, str]:
    """Metric label → value; waits while a rerun is still replacing the metrics."""
    for _ in range(50):
        labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
        values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        if len(labels) == len(values):
            break
        page.wait_for_timeout(200)
    return {label.strip(): value.strip() for label, value in zip(labels, values, strict=True)}


READY = '[data-testid="stMetricValue"], [data-testid="stDataFrame"]'
"""What a page shows once its results are there (Saved plans: its list, or the alert saying
there is none yet)."""
READY_BY_TITLE = {"Saved plans": '[data-testid="stDataFrame"], [data-testid="stAlert"]'}


def _go(page, title: str) -> None:
    """Navigate with the sidebar link (same session, so the plan stays); wait for the results."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title).wait_for(timeout=RUN_TIMEOUT_MS)
    _settle(page)
    page.locator(READY_BY_TITLE.get(title, READY)).first.wait_for(timeout=RUN_TIMEOUT_MS)
    _settle(page)


def _shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def test_pages_workload_plan_csv_and_share_link(server: str, browser, tmp_path: Path) -> None:
    print(f"\nscreenshots: {SHOTS}")
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + "/", wait_until="networkidle")
    page.get_by_role("heading", name="Workload planner").wait_for(timeout=RUN_TIMEOUT_MS)
    _settle(page)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Price dates" in sidebar and "Compute prices:" in sidebar

    # every page opens without an exception and shows the snapshot date in the sidebar
    for slug, title in PAGES.items():
        _go(page, title)
        assert page.locator('[data-testid="stException"]').count() == 0, slug
        assert "Price dates" in page.locator('[data-testid="stSidebar"]').inner_text()
        _shot(page, slug)

    # lifecycle: the strategies table first, the break-even chart one tab away; S3 rules likewise
    _go(page, "Lifecycle savings")
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
    page.get_by_role("tab", name="Cumulative cost chart").click()
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=RUN_TIMEOUT_MS)
    _settle(page)
    assert "break-even" in page.locator('[data-testid="stPlotlyChart"]').first.inner_text()
    _shot(page, "lifecycle_savings_chart")
    page.get_by_role("tab", name="S3 lifecycle rules").click()
    _settle(page)
    page.get_by_role("tab", name="By storage class chart").click()
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=RUN_TIMEOUT_MS)
    _settle(page)
    _shot(page, "lifecycle_s3_by_class")

    # inference: headlines, the day's instance counts as a chart
    _go(page, "Workload planner")
    page.get_by_text("Inference (LLM serving)", exact=True).click()
    _settle(page)
    page.get_by_label("Daily traffic").click()
    page.get_by_role("option", name="Business day (peak 10:00-14:00)").click()
    _settle(page)
    metrics = _metrics(page)
    assert any(k.startswith("Fastest") for k in metrics)
    assert any(k.startswith("Cheapest") for k in metrics)
    page.get_by_role("tab", name="Instances over the day").click()
    page.locator('[data-testid="stPlotlyChart"]').last.wait_for(timeout=RUN_TIMEOUT_MS)
    _settle(page)
    _shot(page, "workload_planner_inference_day")

    # a CPU job: a deadline nothing meets is a warning naming the fastest option
    page.get_by_text("CPU work", exact=True).click()
    _settle(page)
    field = page.get_by_label("vCPU-hours of work")
    field.fill("4000")
    field.press("Enter")
    _settle(page)
    deadline = page.get_by_label("Deadline hours (0 = none)")
    deadline.fill("0.001")
    deadline.press("Enter")
    _settle(page)
    warning = page.locator('[data-testid="stAlert"]').filter(has_text="No option meets")
    assert "the fastest is" in warning.first.inner_text()
    _shot(page, "workload_planner_deadline_missed")
    deadline.fill("24")
    deadline.press("Enter")
    _settle(page)
    page.locator('[data-testid="stAlert"]').filter(has_text="No option meets").wait_for(
        state="detached", timeout=RUN_TIMEOUT_MS
    )
    _settle(page)
    metrics = _metrics(page)
    assert metrics["Cheapest that meets the deadline"].startswith("$")
    # add the top-ranked job to the plan: billed once, in the months it runs
    page.get_by_role("button", name="Add to plan").click()
    _settle(page)
    page.get_by_text("to 'My plan'").first.wait_for(timeout=RUN_TIMEOUT_MS)
    _settle(page)
    _shot(page, "workload_planner_cpu")

    # the plan: totals on the page, then the CSV
    _go(page, "Plans & export")
    shown = _metrics(page)
    assert shown["Monthly"] == "$0.00"  # a one-off job does not recur
    assert shown["Total over 12 months"] == shown["First 12 months"] != "$0.00"
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    csv_path = tmp_path / "plan.csv"
    download_info.value.save_as(csv_path)
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    items = [r for r in rows if r["item"] not in ("TOTAL", "MONTH")]
    totals = {r["dimension"]: r for r in rows if r["item"] == "TOTAL"}
    months = [r for r in rows if r["item"] == "MONTH"]
    assert items and all(r["kind"] == "compute" for r in items)
    assert [r["first_month"] for r in items] == ["1"]
    job_total = sum(float(r["total_usd"]) for r in items)
    assert float(totals["duration_total_usd"]["quantity"]) == pytest.approx(job_total, abs=0.005)
    assert float(months[0]["quantity"]) == pytest.approx(job_total, abs=0.005)  # all in month 1
    assert f"${float(totals['duration_total_usd']['quantity']):,.2f}" == shown["Total over 12 months"]
    _shot(page, "plans_export_with_item")

    # the share link reopens the same plan in a fresh session
    link = page.locator('[data-testid="stCode"]').filter(has_text="?plan=").inner_text().strip()
    assert "?plan=" in link
    fresh = browser.new_context(viewport=VIEWPORT).new_page()
    fresh.goto(link, wait_until="networkidle")
    fresh.get_by_role("heading", name="Plans & export").wait_for(timeout=RUN_TIMEOUT_MS)
    _settle(fresh)
    # a new session loads the snapshot first: wait for the totals themselves
    fresh.locator('[data-testid="stMetricLabel"]').filter(has_text="Monthly").first.wait_for(
        timeout=RUN_TIMEOUT_MS
    )
    _settle(fresh)
    reopened = _metrics(fresh)
    for key in ("Monthly", "Upfront", "First 12 months", "Total over 12 months"):
        assert reopened[key] == shown[key], key
    _shot(fresh, "share_link_reopened")
    assert not errors, errors
    context.close()


def _wait_metrics(page) -> dict[str, str]:
    page.locator('[data-testid="stMetricLabel"]').filter(has_text="Monthly").first.wait_for(
        timeout=RUN_TIMEOUT_MS)
    _settle(page)
    return _metrics(page)


def test_reload_keeps_the_plan_and_an_estimate_link_reopens(server: str, browser) -> None:
    from planner.share import encode_plan
    from tests.store_helpers import plan

    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # (a server's very first request on a sub-page runs that page alone: open the app first)
    page.goto(server + "/", wait_until="networkidle")
    page.get_by_role("heading", name="Workload planner").wait_for(timeout=RUN_TIMEOUT_MS)
    page.goto(f"{server}/plans_export?plan={encode_plan(plan())}", wait_until="networkidle")
    assert _wait_metrics(page)["Monthly"] == "$140.16"  # 2 × 730 h × $0.096
    assert "plan_id=" not in page.url  # an opened link is saved only once it changes
    name = page.get_by_label("Plan name")
    name.fill("Option A")
    page.get_by_role("button", name="Apply settings").click()
    _settle(page)
    page.wait_for_url("**plan_id=*", timeout=RUN_TIMEOUT_MS)
    page.reload(wait_until="networkidle")
    reloaded = _wait_metrics(page)
    assert reloaded["Monthly"] == "$140.16"
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    plan_id = re.search(r"plan_id=(\d+)", page.url).group(1)
    assert "Current plan: Option A" in sidebar and f"Saved as #{plan_id} · version 1" in sidebar
    _shot(page, "reload_keeps_the_plan")

    # a second plan, both grouped in an estimate; a reload keeps them
    _go(page, "Saved plans")
    page.get_by_role("button", name="Duplicate").click()
    _settle(page)
    done = page.get_by_text("Saved a copy as 'Option A (copy)'")
    done.wait_for(timeout=RUN_TIMEOUT_MS)
    copy_id = re.search(r"\(#(\d+)\)", done.inner_text()).group(1)
    page.get_by_label("Estimate name").fill("Q3 options")
    picker = page.locator('[data-testid="stMultiSelect"]').locator("input")
    for option in (f"Option A · #{plan_id}", f"Option A (copy) · #{copy_id}"):  # Enter picks it
        picker.click()
        picker.fill(option)
        picker.press("Enter")
        page.wait_for_timeout(300)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Save estimate").click()
    _settle(page)
    page.get_by_text("Saved the estimate 'Q3 options'").wait_for(timeout=RUN_TIMEOUT_MS)
    page.reload(wait_until="networkidle")
    chart = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="Q3 options")
    chart.wait_for(timeout=RUN_TIMEOUT_MS)
    _settle(page)
    assert "Option A (copy)" in chart.inner_text()
    chart.scroll_into_view_if_needed()
    _shot(page, "saved_plans_estimate")

    # the estimate's link in a fresh browser context
    link = page.locator('[data-testid="stCode"]').filter(has_text="?estimate_id=").inner_text().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/saved_plans\?estimate_id=\d+", link)
    fresh = browser.new_context(viewport=VIEWPORT).new_page()
    fresh.goto(link, wait_until="networkidle")
    chart = fresh.locator('[data-testid="stPlotlyChart"]').filter(has_text="Q3 options")
    chart.wait_for(timeout=RUN_TIMEOUT_MS)
    _settle(fresh)
    legend = chart.inner_text()
    assert "Option A" in legend and "Option A (copy)" in legend
    chart.scroll_into_view_if_needed()
    _shot(fresh, "estimate_link_reopened")
    assert not errors, errors
    context.close()
