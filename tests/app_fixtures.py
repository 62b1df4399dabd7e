"""Helpers for the AppTest page tests: open the app on a page, read errors and metrics."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "streamlit_app.py"
TIMEOUT_S = 60.0
"""Generous per-run timeout: the first run loads pandas, plotly and the full snapshot."""


def open_app(page: str | None = None, *, query: dict[str, str] | None = None,
             url: str = "http://localhost:8501/plans_export") -> AppTest:
    """Run the entrypoint (default page), then switch to ``page`` (e.g. ``pages/storage.py``)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.context["url"] = url
    if query:
        at.query_params.update(query)
    at.run()
    assert_clean(at)
    if page is not None:
        at.switch_page(page).run()
        assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    """No uncaught exception (a traceback a user would see)."""
    assert not at.exception, [e.value for e in at.exception]


def open_view(at: AppTest, key: str, label: str) -> None:
    """Open the tab ``label`` of the page's tab set ``key`` (``ui.lazy.tabs``: a switch reruns
    the page and only the open tab runs), as a click on it does."""
    at.session_state[key] = label
    at.run()
    assert_clean(at)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def successes(at: AppTest) -> list[str]:
    return [s.value for s in at.success]
