"""Render command results as a terminal table, CSV or JSON (``--format``)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import shutil
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from planner.csvsafe import neutralise

FORMATS = ("table", "csv", "json")


def add_format_argument(parser: argparse.ArgumentParser, default: str = "table") -> None:
    parser.add_argument(
        "--format", choices=FORMATS, default=default, help=f"output format (default {default})"
    )


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(_plain(row.get(c))) for c in columns])
    return buffer.getvalue()


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, default=_json_default, allow_nan=False) + "\n"


def to_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *, width: int | None = None
) -> str:
    """A plain fixed-width table; numbers right-aligned, long text cut to fit the terminal."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [bool(rows) and all(_is_number(row.get(c)) for row in rows) for c in columns]
    # Only text columns give way (cut with "…"), never below 10 characters; numbers stay whole.
    floors = [widths[i] if numeric[i] else min(widths[i], 10) for i in range(len(columns))]
    total = sum(widths) + 2 * (len(widths) - 1)
    while total > width:
        shrinkable = [i for i in range(len(widths)) if widths[i] > floors[i]]
        if not shrinkable:
            break
        i = max(shrinkable, key=lambda k: widths[k])
        widths[i] -= 1
        total -= 1
    lines = ["  ".join(_fit(c, w).ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        parts = []
        for text, w, num in zip(row, widths, numeric, strict=True):
            text = _fit(text, w)
            parts.append(text.rjust(w) if num else text.ljust(w))
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"


def frame_records(frame: Any) -> list[dict[str, Any]]:
    """DataFrame rows as plain dicts: numpy scalars → Python, NaN/inf → None (shown as missing)."""
    return [
        {str(c): _finite(_plain(v)) for c, v in row.items()} for row in frame.to_dict("records")
    ]


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _is_number(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return "—"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == int(value) and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.4f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.2f}"
    return str(value)


def _plain(value: Any) -> Any:
    """numpy scalars → Python scalars; NaN → None."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "value"):  # enums
        return value.value
    raise TypeError(f"cannot serialise {type(value).__name__}")
