"""Reading the JSON input files (plans, workloads, profiles, policies) with one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from planner.errors import PlanFileError


def _reject_constant(name: str) -> float:
    raise json.JSONDecodeError(f"{name} is not a number JSON allows", name, 0)


def decode_json(text: str | bytes, *, source: str) -> Any:
    """Parse JSON text; NaN and Infinity are refused. Errors name ``source``, line and column."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise PlanFileError(f"{source}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def read_json_file(path: Path | str, *, what: str) -> Any:
    """Read and parse the JSON file at ``path``; ``what`` names the kind of file in errors."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PlanFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise PlanFileError(f"{path}: is a directory, not a {what} file") from None
    except PermissionError:
        raise PlanFileError(f"{path}: permission denied") from None
    return decode_json(raw, source=str(path))
