"""Load bench: concurrent headless-Chromium sessions against a local ``streamlit run``.

Starts the app and a trivial one-page Streamlit app (the reference) on 127.0.0.1, each with
``server.disconnectedSessionTTL`` short so a closed session is dropped within the run. The app is
served from a temporary folder that links to this one and adds one page to its navigation, a
blank page drawing what the trivial app draws: the app's own shell (navigation, sidebar, plan
state) around nothing, the floor of any page of the app. Then:

1. single session, interleaved repeats: a fresh load of each chart page of the app, of the blank
   page and of the trivial app, time to settle (script finished, every Plotly chart drawn);
   median per page and its ratio to the trivial page and to the blank page; then, in one open
   session, a switch to each page from the sidebar (what a user does most), against a switch to
   the blank page;
2. N concurrent sessions (each in a Chromium of its own, as N people have; ``--shared-browser``
   for contexts of one Chromium, whose browser process then serialises them) on the trivial page
   that change its input for a bounded time (the reference: what this machine's browsers and
   Streamlit do under that load),
   then N concurrent sessions on the app that switch pages and change inputs for the same time;
   p50/p95 time to settle of every action, each as a ratio to the trivial sessions', and the CPU
   seconds the server and the browser spent in each phase (who the load waits for);
3. server RSS: after a warm-up session (before), with the N sessions open (peak), and after they
   closed and the server dropped them (after); after/before as a ratio.

    .venv/bin/python bench/bench_load.py [--sessions 8] [--repeats 5] [--seconds 60]

Needs /usr/bin/chromium and Playwright (dev dependency). Nothing listens beyond 127.0.0.1; every
wait is bounded and both servers are stopped on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live_app import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

SESSION_TTL_S = 3
SERVER_ARGS = ["--server.fileWatcherType", "none",
               "--server.disconnectedSessionTTL", str(SESSION_TTL_S)]
"""A closed session is dropped within the run; no file watcher adds load."""
ACTION_TIMEOUT_MS = 60_000
CHART_PAGES = {"workload_planner": "", "instance_explorer": "instance_explorer",
               "lifecycle_savings": "lifecycle_savings", "storage": "storage"}
CHART_TITLES = ["Workload planner", "Instance explorer", "Lifecycle savings", "Storage"]
BLANK_TITLE = "Blank (bench)"
LINKED = ("pages", "ui", "planner", "pricing_data", ".streamlit")
TRIVIAL_APP = '''import streamlit as st
st.title("Trivial page")
n = st.number_input("A number", value=1)
st.write(f"{n} squared is {n * n}")
'''
# Records the app's script state: runs counts the starts of a script run seen by the page.
WATCH_SCRIPT = """
window.__st = {state: null, runs: 0};
const look = () => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return;
  const s = app.getAttribute('data-test-script-state');
  if (s !== window.__st.state) {
    if (s === 'running') window.__st.runs += 1;
    window.__st.state = s;
  }
};
new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true,
  attributeFilter: ['data-test-script-state']});
"""
SETTLED = """([runs, since]) => {
  const s = window.__st;
  if (!s || s.state !== 'notRunning') return false;
  // a run too short to be seen as 'running' counts after a grace period (biased high, not lost)
  if (s.runs <= runs && performance.now() - since < 3000) return false;
  for (const c of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    if (!c.querySelector('.main-svg')) return false;
  }
  return !document.querySelector('[data-testid="stSkeleton"]');
}"""


def rss_mib(pid: int) -> float:
    """Resident set size of a process [MiB] (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def settle(page, runs_before: int) -> None:  # type: ignore[no-untyped-def]
    since = await page.evaluate("performance.now()")
    try:
        await page.wait_for_function(SETTLED, arg=[runs_before, since],
                                     timeout=ACTION_TIMEOUT_MS, polling=20)
    except Exception as exc:
        seen = await page.evaluate(
            "[window.__st, !!document.querySelector('[data-testid=\"stSkeleton\"]'), "
            "document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length, location.href]")
        raise RuntimeError(f"not settled (runs before {runs_before}): {seen}") from exc


async def runs(page) -> int:  # type: ignore[no-untyped-def]
    return int(await page.evaluate("window.__st ? window.__st.runs : 0"))


async def timed_load(context, url: str) -> float:  # type: ignore[no-untyped-def]
    """A fresh page loads ``url``: seconds until it settled."""
    page = await context.new_page()
    try:
        start = time.perf_counter()
        await page.goto(url, timeout=ACTION_TIMEOUT_MS)
        await settle(page, 0)
        return time.perf_counter() - start
    finally:
        await page.close()


async def timed(page, action) -> float:  # type: ignore[no-untyped-def]
    before = await runs(page)
    start = time.perf_counter()
    await action()
    await settle(page, before)
    return time.perf_counter() - start


async def user_session(context, base: str, until: float) -> list[float]:  # type: ignore[no-untyped-def]
    """One user: open the app, then switch pages and change inputs until ``until``."""
    page = await context.new_page()
    samples = [await _first_load(page, base)]
    nav = page.locator('[data-testid="stSidebarNav"]')
    steps = [
        lambda: nav.get_by_text("Instance explorer", exact=True).click(),
        lambda: page.get_by_role("tab", name="Compare selected").click(),
        lambda: nav.get_by_text("Lifecycle savings", exact=True).click(),
        lambda: _fill(page, "Instances in month 1", "6"),
        lambda: nav.get_by_text("Storage", exact=True).click(),
        lambda: nav.get_by_text("Workload planner", exact=True).click(),
        lambda: _fill(page, "Training tokens (billions)", "40"),
        lambda: page.get_by_role("tab", name="Time vs cost").click(),
    ]
    step = 0
    while time.monotonic() < until:
        samples.append(await timed(page, steps[step % len(steps)]))
        step += 1
    await page.close()
    return samples


async def _first_load(page, base: str) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    await page.goto(base + "/", timeout=ACTION_TIMEOUT_MS)
    await settle(page, 0)
    return time.perf_counter() - start


async def _fill(page, label: str, value: str) -> None:  # type: ignore[no-untyped-def]
    field = page.get_by_label(label)
    await field.fill(value)
    await field.press("Enter")


async def trivial_session(context, base: str, until: float) -> list[float]:  # type: ignore[no-untyped-def]
    """One user of the trivial page: open it, then change its number until ``until``."""
    page = await context.new_page()
    samples = [await _first_load(page, base)]
    step = 0
    while time.monotonic() < until:
        step += 1
        samples.append(await timed(page, lambda n=step: _fill(page, "A number", str(n))))
    await page.close()
    return samples


def cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of ``pids`` so far (Linux /proc; gone processes count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def machine_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, over all cores (/proc/stat)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / hz, sum(ticks) / hz


def browser_pids() -> list[int]:
    """This bench's descendants (Playwright's driver and the Chromium it launched)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    mine, grew = {os.getpid()}, True
    while grew:
        new = {pid for pid, parent in parents.items() if parent in mine} - mine
        mine |= new
        grew = bool(new)
    servers = {pid for pid in mine if b"streamlit" in _cmdline(pid)}
    return [pid for pid in mine - {os.getpid()} - servers]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


async def concurrent(playwright, browser, sessions: int, seconds: float, user, base: str,  # type: ignore[no-untyped-def]
                     server_pid: int, shared: bool) -> tuple[list[float], list[BaseException], str]:
    """``sessions`` users for ``seconds``, each with a browser of their own (as people have), or
    with ``shared`` each in a context of one browser: every action's time to settle, the
    failures, and where the machine's CPU went meanwhile (server, browsers, all)."""
    own = [] if shared else [
        await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(sessions)
    ]
    contexts = []
    for i in range(sessions):
        context = await (browser if shared else own[i]).new_context()
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        await context.add_init_script(WATCH_SCRIPT)
        contexts.append(context)
    server0, browser0, machine0 = cpu_s([server_pid]), cpu_s(browser_pids()), machine_s()
    until = time.monotonic() + seconds
    results = await asyncio.gather(*(user(c, base, until) for c in contexts),
                                   return_exceptions=True)
    server1, browser1, machine1 = cpu_s([server_pid]), cpu_s(browser_pids()), machine_s()
    for context in contexts:
        await context.close()
    for b in own:
        await b.close()
    samples = [s for r in results if isinstance(r, list) for s in r]
    failed = [r for r in results if isinstance(r, BaseException)]
    busy, total = machine1[0] - machine0[0], machine1[1] - machine0[1]
    cpu = (f"CPU s: server {server1 - server0:.1f}, browsers {browser1 - browser0:.1f}, machine "
           f"busy {busy:.1f} of {total:.1f} ({busy / total:.0%})")
    return samples, failed, cpu


async def page_switches(context, app: str, repeats: int) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    """In one open session, switch from the sidebar to each chart page and to the blank page,
    ``repeats`` interleaved rounds: seconds to settle per page title."""
    page = await context.new_page()
    await _first_load(page, app)
    nav = page.locator('[data-testid="stSidebarNav"]')
    titles = [BLANK_TITLE, *CHART_TITLES]
    for title in titles:  # every page's elements loaded once, as a user's first visit does
        await timed(page, lambda t=title: nav.get_by_text(t, exact=True).click())
    out: dict[str, list[float]] = {title: [] for title in titles}
    for _ in range(repeats):
        for title in titles:
            out[title].append(await timed(page, lambda t=title: nav.get_by_text(t, exact=True).click()))
    await page.close()
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(args: argparse.Namespace, app: str, trivial: str, app_pid: int,
              trivial_pid: int) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            warm = await browser.new_context()
            warm.set_default_timeout(ACTION_TIMEOUT_MS)
            await warm.add_init_script(WATCH_SCRIPT)
            for path in CHART_PAGES.values():  # loads the snapshot and every page's imports
                await timed_load(warm, f"{app}/{path}")
            await timed_load(warm, trivial)
            await warm.close()
            await asyncio.sleep(SESSION_TTL_S + 3)
            rss_before = rss_mib(app_pid)

            single = await browser.new_context()
            await single.add_init_script(WATCH_SCRIPT)
            urls = {"trivial": trivial, "blank": f"{app}/blank",
                    **{name: f"{app}/{path}" for name, path in CHART_PAGES.items()}}
            loads: dict[str, list[float]] = {name: [] for name in urls}
            for _ in range(args.repeats):  # interleaved: each round loads every page once
                for name, url in urls.items():
                    loads[name].append(await timed_load(single, url))
            switches = await page_switches(single, app, args.repeats)
            await single.close()
            reference = statistics.median(loads["trivial"])
            blank = statistics.median(loads["blank"])
            print(f"single session, fresh load to settled (median of {args.repeats} interleaved; "
                  "ratio to the trivial app, and to the app's blank page):")
            print(f"  {'trivial Streamlit app (reference)':<36}{reference * 1000:8.0f} ms   1.00×")
            print(f"  {'app shell + blank page (floor)':<36}{blank * 1000:8.0f} ms  "
                  f"{blank / reference:5.2f}×  1.00×")
            for name in CHART_PAGES:
                median = statistics.median(loads[name])
                print(f"  {name:<36}{median * 1000:8.0f} ms  {median / reference:5.2f}×  "
                      f"{median / blank:5.2f}×")
            to_blank = statistics.median(switches[BLANK_TITLE])
            print(f"single session, switch from the sidebar to settled (median of {args.repeats}; "
                  "ratio to a switch to the blank page):")
            for name, got in switches.items():
                median = statistics.median(got)
                print(f"  {name:<36}{median * 1000:8.0f} ms  {median / to_blank:5.2f}×")

            ref_samples, ref_failed, ref_cpu = await concurrent(
                p, browser, args.sessions, args.seconds, trivial_session, trivial, trivial_pid,
                args.shared_browser)
            await asyncio.sleep(SESSION_TTL_S + 3)
            samples, failed, cpu = await concurrent(
                p, browser, args.sessions, args.seconds, user_session, app, app_pid,
                args.shared_browser)
            rss_peak = rss_mib(app_pid)
            await asyncio.sleep(SESSION_TTL_S + 5)
            rss_after = rss_mib(app_pid)
        finally:
            await browser.close()
    how = "contexts of one Chromium" if args.shared_browser else "each in its own Chromium"
    print(f"{args.sessions} concurrent sessions ({how}) for {args.seconds:g} s each (time to "
          "settle of every action):")
    ref50, ref95 = (pct(ref_samples, 0.5), pct(ref_samples, 0.95)) if ref_samples else (0, 0)
    for name, got, bad, where in (
        ("trivial page (reference)", ref_samples, ref_failed, ref_cpu),
        ("app: page, tab and input changes", samples, failed, cpu),
    ):
        if not got:
            print(f"  {name}: no action finished")
            continue
        p50, p95 = pct(got, 0.5), pct(got, 0.95)
        ratio = f"{p50 / ref50:5.2f}× / {p95 / ref95:5.2f}×" if ref50 and ref95 else ""
        print(f"  {name:<34} {len(got):4d} actions  p50 {p50 * 1000:6.0f} ms  "
              f"p95 {p95 * 1000:6.0f} ms  {ratio}  {len(bad)} sessions failed")
        print(f"    {where}")
        for exc in bad[:3]:
            print(f"    failed: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    print(f"server RSS: before {rss_before:6.1f} MiB, with the sessions {rss_peak:6.1f} MiB, "
          f"{SESSION_TTL_S + 5} s after they closed {rss_after:6.1f} MiB "
          f"(after / before {rss_after / rss_before:4.2f}×)")


def app_with_blank_page(folder: Path) -> Path:
    """The app in ``folder`` (links to this checkout) with the blank page added to its navigation."""
    folder.mkdir()
    for name in LINKED:
        (folder / name).symlink_to(ROOT / name)
    (folder / "blank.py").write_text(TRIVIAL_APP.replace("Trivial page", "Blank page"))
    entry = (ROOT / "streamlit_app.py").read_text()
    anchor = '"Data": ['
    if anchor not in entry:
        raise RuntimeError(f"streamlit_app.py has no {anchor!r} section to add the blank page to")
    entry = entry.replace(anchor, f'{anchor}st.Page("blank.py", title="{BLANK_TITLE}"), ')
    (folder / "streamlit_app.py").write_text(entry)
    return folder / "streamlit_app.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--shared-browser", action="store_true",
                        help="all sessions as contexts of one Chromium (its browser process then "
                        "serialises their work) instead of a Chromium each")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"skipped: {CHROMIUM} is missing")
        return 0
    logs = ROOT / "artifacts"
    logs.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        trivial_script = Path(tmp) / "trivial_app.py"
        trivial_script.write_text(TRIVIAL_APP)
        app_script = app_with_blank_page(Path(tmp) / "app")
        with streamlit_server(app_script, logs / "bench-load-app.log",
                              args=SERVER_ARGS) as (app, proc), \
                streamlit_server(trivial_script, logs / "bench-load-trivial.log",
                                 args=SERVER_ARGS) as (trivial, tproc):
            asyncio.run(run(args, app, trivial, proc.pid, tproc.pid))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
