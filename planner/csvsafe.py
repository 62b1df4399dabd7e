"""Spreadsheet-safe CSV cells (stdlib only, so the CLI can import it without pandas)."""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters a spreadsheet runs as a formula (OWASP "CSV Injection")."""


def neutralise(value: Any) -> Any:
    """Prefix a text cell a spreadsheet would evaluate with a single quote; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
