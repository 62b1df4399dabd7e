"""Server-side time of each page's script run on the full snapshot (AppTest), first and warm.

First load: a fresh AppTest of the entrypoint (default page) in this process, including loading
and validating the snapshot. Warm: the median of repeated reruns of each page after one warm-up
(an interaction reruns the whole page script), next to the warm rerun of a trivial page (a title,
a number input and a line of text) measured in the same rounds, as a ratio. Budgets: < 300 ms
per interaction, < 3 s first load; exits 1 when either is exceeded.

Run: ``.venv/bin/python bench/bench_pages.py [repeats]``
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from timing import samples_ms  # noqa: E402

APP = ROOT / "streamlit_app.py"
PAGES = (
    "pages/workload_planner.py", "pages/instance_explorer.py", "pages/storage.py",
    "pages/right_sizing.py", "pages/lifecycle_savings.py", "pages/plans_export.py",
    "pages/price_data.py",
)
WARM_BUDGET_MS = 300.0
TRIVIAL_PAGE = """
import streamlit as st
st.title("Trivial page")
n = st.number_input("A number", value=1)
st.write(f"{n} squared is {n * n}")
"""
FIRST_BUDGET_S = 3.0


def main(repeats: int = 7) -> int:
    sys.path.insert(0, str(ROOT))
    start = time.perf_counter()
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    first_s = time.perf_counter() - start
    assert not at.exception, at.exception
    print(f"first load (entrypoint + Workload planner, snapshot load): {first_s:.2f} s "
          f"(budget {FIRST_BUDGET_S:.0f} s) {'OK' if first_s < FIRST_BUDGET_S else 'OVER'}")
    from planner.plan import plan_from_dict

    at.session_state["plan_current"] = plan_from_dict({
        "name": "bench", "items": [
            {"kind": "compute", "name": "trainer", "instance_type": "p4d.24xlarge", "count": 2,
             "usage_hours_per_month": 200, "purchase": {"option": "reserved", "term_years": 1}},
            {"kind": "s3", "name": "datasets", "gb_month": 50000},
            {"kind": "ebs", "name": "scratch", "gb": 1000, "iops": 6000, "count": 2},
        ]})
    trivial = AppTest.from_string(TRIVIAL_PAGE, default_timeout=60).run()
    print(f"{'page':<32}{'first run ms':>14}{'warm median ms':>16}{'warm max ms':>13}"
          f"{'vs trivial':>11}  budget")
    worst = 0.0
    for page in PAGES:
        at.switch_page(page)
        t0 = time.perf_counter()
        at.run()
        first_ms = (time.perf_counter() - t0) * 1000
        assert not at.exception, (page, at.exception)
        samples, reference = [], []
        for _ in range(repeats):  # interleaved with the trivial page's reruns
            samples += samples_ms(at.run, 1)
            reference += samples_ms(trivial.run, 1)
        median = statistics.median(samples)
        ratio = median / statistics.median(reference)
        worst = max(worst, median)
        verdict = "OK" if median < WARM_BUDGET_MS else "OVER"
        print(f"{page:<32}{first_ms:>14.0f}{median:>16.0f}{max(samples):>13.0f}{ratio:>10.1f}×"
              f"  {verdict}")
    print(f"trivial page warm rerun (reference): {statistics.median(reference):.1f} ms")
    print(f"worst warm median: {worst:.0f} ms (budget {WARM_BUDGET_MS:.0f} ms)")
    over = first_s >= FIRST_BUDGET_S or worst >= WARM_BUDGET_MS
    print("OVER BUDGET" if over else "within budget")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 7))
