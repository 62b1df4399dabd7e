"""Reading the JSON input files (plans, workloads, profiles, policies) with one-line errors.

Every input document (a file, an upload, a share link) goes through :func:`decode_json`, which
never lets a malformed document past as anything but a :class:`PlanFileError`:

- text over :data:`MAX_DOCUMENT_BYTES`, nesting deeper than :data:`MAX_DEPTH` and integers of
  more than :data:`MAX_INTEGER_DIGITS` digits are refused (Python's parser would otherwise raise
  RecursionError or ValueError, or spend seconds on the number);
- ``NaN``, ``Infinity`` and ``-Infinity`` (not JSON, but Python's parser reads them) become
  :class:`NotANumber` markers, so validation names the field that holds one and its range.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from planner.errors import PlanFileError
from planner.printable import clip, one_line

MAX_DOCUMENT_BYTES = 5_000_000
"""Largest input document accepted [bytes]; the largest valid plan (500 items) is about 210 kB."""
MAX_DEPTH = 32
"""Deepest nesting of lists and objects accepted; the schemas need at most 5."""
MAX_INTEGER_DIGITS = 400
"""Longest integer literal accepted [digits]; anything longer is far outside every field's range
(and Python refuses to parse more than 4,300 digits)."""


class NotANumber:
    """A ``NaN``/``Infinity`` literal in a document: a value no field accepts, named in errors."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class HugeInteger:
    """An integer literal with more digits than :data:`MAX_INTEGER_DIGITS`; no field accepts it."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"a {self.digits:,}-digit number"


def _parse_int(text: str) -> int | HugeInteger:
    digits = len(text.lstrip("-"))
    return HugeInteger(digits) if digits > MAX_INTEGER_DIGITS else int(text)


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text: str) -> int:
    """Deepest nesting of ``[``/``{`` in JSON text, brackets inside strings not counted.

    Two regular-expression passes and a loop over the brackets alone, no recursion, so it is safe
    (and quick) to run before parsing anything."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub('""', text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def decode_json(text: str | bytes, *, source: str) -> Any:
    """Parse JSON text with the limits above. Errors name ``source``, line and column, or the
    limit broken; NaN and Infinity become :class:`NotANumber` (refused by every schema)."""
    source = clip(one_line(source), 200)
    if len(text) > MAX_DOCUMENT_BYTES:
        raise PlanFileError(
            f"{source}: {len(text):,} bytes is too large (at most {MAX_DOCUMENT_BYTES:,})"
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PlanFileError(f"{source}: not UTF-8 text") from None
    if nesting_depth(text) > MAX_DEPTH:
        raise PlanFileError(
            f"{source}: lists and objects nested more than {MAX_DEPTH} deep (no input needs that)"
        )
    try:
        return json.loads(text, parse_constant=NotANumber, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except (RecursionError, ValueError) as exc:  # the limits above should keep these away
        raise PlanFileError(f"{source}: cannot be read as JSON ({type(exc).__name__})") from None


def read_json_file(path: Path | str, *, what: str) -> Any:
    """Read and parse the JSON file at ``path``; ``what`` names the kind of file in errors."""
    path = Path(path)
    shown = clip(one_line(str(path)), 200)
    try:
        size = path.stat().st_size
        if path.is_file() and size > MAX_DOCUMENT_BYTES:
            raise PlanFileError(
                f"{shown}: {size:,} bytes is too large for a {what} file"
                f" (at most {MAX_DOCUMENT_BYTES:,})"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PlanFileError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise PlanFileError(f"{shown}: is a directory, not a {what} file") from None
    except NotADirectoryError:
        raise PlanFileError(f"{shown}: no such file (a part of the path is a file)") from None
    except PermissionError:
        raise PlanFileError(f"{shown}: permission denied") from None
    except OSError as exc:
        raise PlanFileError(f"{shown}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    return decode_json(raw, source=str(path))
