"""Render command results as a terminal table, CSV or JSON (``--format``)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import shutil
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from planner.csvsafe import neutralise
from planner.printable import one_line

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


MIN_WRAP_CHARS = 24
"""Narrowest a long text column is wrapped to before columns are left out [characters]."""


def to_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *, width: int | None = None
) -> str:
    """A plain fixed-width table that never cuts a value.

    Numbers are right-aligned. When the table is wider than the terminal, first the column names
    wrap at their underscores (``unused_commitment_`` / ``total_usd``) down to the width of the
    values, then long text columns wrap at spaces (down to :data:`MIN_WRAP_CHARS`), then columns
    are left out from the right (commands list their columns most useful first; the first two
    always stay) and a last line names them. Every cell is one printable line (control
    characters escaped)."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    columns = list(columns)
    cells = {c: [_cell(row.get(c)) for row in rows] for c in columns}
    numeric = {c: bool(rows) and all(_is_number(row.get(c)) for row in rows) for c in columns}
    values = {c: max([0, *(len(x) for x in cells[c])]) for c in columns}
    widths = {c: max(len(c), values[c]) for c in columns}

    def total() -> int:
        return sum(widths[c] for c in columns) + 2 * (len(columns) - 1)

    def shrink(candidates: list[str], floor: dict[str, int]) -> None:
        """Narrow the widest of ``candidates`` one character at a time, not below ``floor``."""
        while total() > width:
            open_ = [c for c in candidates if widths[c] > floor[c]]
            if not open_:
                return
            widths[max(open_, key=lambda k: widths[k])] -= 1

    shrink(columns, {c: max(values[c], _longest_part(c), 1) for c in columns})  # wrap names
    shrink([c for c in columns if not numeric[c]],  # then wrap text values at spaces
           {c: max(MIN_WRAP_CHARS, _longest_word(cells[c]), _longest_part(c)) for c in columns})
    dropped: list[str] = []
    while total() > width and len(columns) > 2:
        dropped.insert(0, columns.pop())
    heads = {c: _wrap_name(c, widths[c]) for c in columns}
    lines = []
    for k in range(max(len(h) for h in heads.values())):
        lines.append("  ".join(
            (heads[c][k] if k < len(heads[c]) else "").ljust(widths[c]) for c in columns
        ).rstrip())
    lines.append("  ".join("-" * widths[c] for c in columns))
    for i in range(len(rows)):
        wrapped = {c: _wrap(cells[c][i], widths[c]) for c in columns}
        for k in range(max(len(w) for w in wrapped.values())):
            parts = []
            for c in columns:
                text = wrapped[c][k] if k < len(wrapped[c]) else ""
                parts.append(text.rjust(widths[c]) if numeric[c] else text.ljust(widths[c]))
            lines.append("  ".join(parts).rstrip())
    if dropped:
        lines.append(f"(left out to fit {width} columns: {', '.join(dropped)};"
                     " --format csv or json has every column)")
    return "\n".join(lines) + "\n"


def _longest_word(values: Sequence[str]) -> int:
    """Widest unbreakable word of a column's values (a value is never broken inside a word)."""
    return max([len(w) for v in values for w in v.split(" ")] or [0])


def _longest_part(name: str) -> int:
    """Widest piece of a column name split after its underscores (``total_`` → 6)."""
    parts = name.split("_")
    return max(len(p) + (1 if i < len(parts) - 1 else 0) for i, p in enumerate(parts))


def _wrap_name(name: str, width: int) -> list[str]:
    """A column name in lines of at most ``width`` characters, broken after underscores."""
    lines = [""]
    parts = name.split("_")
    for i, part in enumerate(parts):
        piece = part + ("_" if i < len(parts) - 1 else "")
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("")
        lines[-1] += piece
    return lines


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at spaces only."""
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def frame_records(frame: Any) -> list[dict[str, Any]]:
    """DataFrame rows as plain dicts: numpy scalars → Python, NaN/inf → None (shown as missing)."""
    return [plain_record(row) for row in frame.to_dict("records")]


def plain_record(row: Mapping[Any, Any]) -> dict[str, Any]:
    """One row as a plain dict: numpy scalars → Python, NaN/inf → None (shown as missing)."""
    return {str(c): _finite(_plain(v)) for c, v in row.items()}


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _is_number(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return "—"
    if isinstance(value, str):
        return one_line(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == int(value) and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.4f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.2f}"
    return one_line(str(value))


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
