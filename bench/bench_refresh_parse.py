"""Parse a one-region-sized bulk EC2 price-list CSV and print time and peak memory.

Usage: ``.venv/bin/python bench/bench_refresh_parse.py [--rows N]`` (default 520,000 data rows).

The file is generated in the real column format (5 metadata rows, the 2025-09-12 EC2 header, all
values quoted) by ``tests/refresh_payloads.generate_bulk_rows``, written to a temporary file, then
parsed as a stream by ``planner.refresh.bulk_csv.parse_ec2_csv`` for the planner's default
families. Budgets: under 30 s and under 1 GiB peak RSS. The reference, timed on the same file
before and after the parse (the mean of the two): a plain ``csv.reader`` pass that only counts
rows, the least any parse of this file costs.
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.refresh.bulk_csv import parse_ec2_csv  # noqa: E402
from planner.refresh.records import DEFAULT_FAMILIES  # noqa: E402
from tests.refresh_payloads import BULK_HEADER, BULK_METADATA, generate_bulk_rows  # noqa: E402

BUDGET_S = 30.0
BUDGET_RSS_MIB = 1024.0


def peak_rss_mib() -> float:
    """Peak resident set size of this process [MiB] (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plain_read_s(path: Path) -> float:
    """Seconds for a ``csv.reader`` pass over ``path`` that only counts its rows."""
    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as f:
        sum(1 for _ in csv.reader(f))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=520_000, help="data rows (default 520,000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.csv"
        started = time.perf_counter()
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
            writer.writerows(BULK_METADATA)
            writer.writerow(BULK_HEADER)
            writer.writerows(generate_bulk_rows(args.rows))
        generated_s = time.perf_counter() - started
        size_mib = path.stat().st_size / 2**20
        plain_s = [plain_read_s(path)]
        rss_before = peak_rss_mib()
        started = time.perf_counter()
        with path.open(newline="", encoding="utf-8") as f:
            parsed = parse_ec2_csv(f, "us-east-1", DEFAULT_FAMILIES, source="bench")
        parse_s = time.perf_counter() - started
        rss = peak_rss_mib()
        plain_s.append(plain_read_s(path))
    print(f"file: {parsed.rows_read:,} data rows, {len(BULK_HEADER)} columns, {size_mib:,.0f} MiB "
          f"(generated in {generated_s:.1f} s)")
    print(f"kept: {parsed.rows_kept:,} Linux/Shared/NA/Used rows of {len(DEFAULT_FAMILIES)} "
          f"families -> {len(parsed.fetched.rows):,} compute_rates rows")
    reference = sum(plain_s) / len(plain_s)
    print(f"plain csv.reader pass (reference): {reference:.2f} s")
    print(f"parse time: {parse_s:.2f} s, {parse_s / reference:.2f}× the plain read "
          f"(budget {BUDGET_S:.0f} s)")
    print(f"peak RSS: {rss:,.0f} MiB (before parsing {rss_before:,.0f} MiB; "
          f"budget {BUDGET_RSS_MIB:,.0f} MiB)")
    ok = parse_s < BUDGET_S and rss < BUDGET_RSS_MIB and parsed.rows_read >= args.rows
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
